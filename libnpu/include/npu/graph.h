/* SPDX-License-Identifier: MIT */
/*
 * npu/graph.h - libnpu's graph IR: ONNX import, shape inference and the
 * CPU reference interpreter.
 *
 * A graph is a set of tensors (graph inputs, constants, intermediate
 * values) and nodes (one ONNX operator each).  The graph owns both;
 * handles stay valid until they are removed or the graph is freed.  The
 * IR is mutable so that passes (BatchNorm folding, inserting
 * QuantizeLinear/DequantizeLinear pairs, replacing weights) can edit it:
 * the node list need not be in execution order, npu_graph_infer_shapes()
 * sorts it topologically and checks it again.
 *
 * Operators keep ONNX's semantics, layout (NCHW) and attribute names.
 * After import every attribute an operator defines with a default is
 * present on its node (auto_pad included); pads that depend on input
 * shapes (auto_pad SAME_*) are resolved when the node is evaluated.
 * Constant nodes become constant tensors at import.
 *
 * Shapes are static: a tensor's shape is either fully known or unknown
 * (rank -1).  A shape stays unknown at load when it depends on values
 * that are not constants (e.g. Reshape's `shape` fed by a graph input)
 * or on a graph input with symbolic dimensions (set those with
 * npu_tensor_set_shape()); the reference interpreter infers every shape
 * again from the actual values.
 *
 * Every function that can fail returns 0 or a negative enum npu_status,
 * with the reason (naming the node and the attribute or tensor at fault)
 * in npu_last_error().  On failure nothing is leaked and, for the
 * loaders, nothing is returned.
 */
#ifndef NPU_GRAPH_H
#define NPU_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NPU_MAX_RANK	8

/* Element types; the values are ONNX's TensorProto.DataType. */
enum npu_dtype {
	NPU_DTYPE_UNDEFINED = 0,
	NPU_DTYPE_FLOAT32 = 1,
	NPU_DTYPE_UINT8 = 2,
	NPU_DTYPE_INT8 = 3,
	NPU_DTYPE_INT32 = 6,
	NPU_DTYPE_INT64 = 7,
	NPU_DTYPE_BOOL = 9,
};

/* "float32", "uint8", ...; "undefined" for anything else. */
const char *npu_dtype_name(enum npu_dtype dtype);
/* Bytes per element; 0 for an unsupported type. */
size_t npu_dtype_size(enum npu_dtype dtype);

/* The operators of the IR (ONNX default domain, opsets 11 to 17). */
enum npu_node_op {
	NPU_NODE_CONV,
	NPU_NODE_CONV_INTEGER,
	NPU_NODE_QLINEAR_CONV,
	NPU_NODE_GEMM,
	NPU_NODE_MATMUL,
	NPU_NODE_MATMUL_INTEGER,
	NPU_NODE_QLINEAR_MATMUL,
	NPU_NODE_RELU,
	NPU_NODE_CLIP,
	NPU_NODE_LEAKY_RELU,
	NPU_NODE_SIGMOID,
	NPU_NODE_TANH,
	NPU_NODE_HARD_SWISH,
	NPU_NODE_MAX_POOL,
	NPU_NODE_AVERAGE_POOL,
	NPU_NODE_GLOBAL_AVERAGE_POOL,
	NPU_NODE_ADD,
	NPU_NODE_MUL,
	NPU_NODE_CONCAT,
	NPU_NODE_FLATTEN,
	NPU_NODE_RESHAPE,
	NPU_NODE_TRANSPOSE,
	NPU_NODE_PAD,
	NPU_NODE_SOFTMAX,
	NPU_NODE_BATCH_NORMALIZATION,
	NPU_NODE_CAST,
	NPU_NODE_IDENTITY,
	NPU_NODE_QUANTIZE_LINEAR,
	NPU_NODE_DEQUANTIZE_LINEAR,
	NPU_NODE_OP_COUNT
};

/* The ONNX op_type ("Conv", ...); NULL for an invalid op. */
const char *npu_node_op_name(enum npu_node_op op);

struct npu_graph;
struct npu_tensor;
struct npu_node;

/* ------------------------------------------------------------------ */
/* Graphs                                                              */
/* ------------------------------------------------------------------ */

/* An empty graph at `opset` (11..17). */
int npu_graph_create(int opset, struct npu_graph **graph);
void npu_graph_free(struct npu_graph *graph);

/*
 * Import an ONNX model (file, or `size` bytes in memory): parse, check
 * the opset and every node, fold Constant nodes, fill in attribute
 * defaults, and infer shapes.  NPU_E_FORMAT for a malformed model,
 * NPU_E_UNSUPPORTED for something valid this IR does not take (an
 * operator, data type, attribute value or opset), NPU_E_IO for a file
 * that cannot be read.
 */
int npu_graph_load_onnx(const char *path, struct npu_graph **graph);
int npu_graph_load_onnx_mem(const void *data, size_t size, struct npu_graph **graph);

/*
 * Write the graph as an ONNX model (IR version 8, the graph's opset):
 * inputs and outputs with their types and known shapes, constants as
 * initializers (raw data), nodes with their attributes.  The file is
 * written to a temporary file beside `path` and renamed over it only
 * when complete, so a failure leaves `path` untouched.  The _mem form
 * returns a malloc'ed buffer.
 */
int npu_graph_save_onnx(const struct npu_graph *graph, const char *path);
int npu_graph_save_onnx_mem(const struct npu_graph *graph, void **data, size_t *size);

/* The default-domain opset the graph's operators follow. */
int npu_graph_opset(const struct npu_graph *graph);

/*
 * Sort the nodes topologically, check every node (inputs present, data
 * types, attribute values) and infer every shape that constants and
 * known input shapes determine.  Run it after editing the graph.
 */
int npu_graph_infer_shapes(struct npu_graph *graph);

size_t npu_graph_num_tensors(const struct npu_graph *graph);
struct npu_tensor *npu_graph_tensor(const struct npu_graph *graph, size_t index);
/* The tensor called `name`, or NULL. */
struct npu_tensor *npu_graph_find_tensor(const struct npu_graph *graph, const char *name);

/* Nodes in the graph's order: execution order after npu_graph_infer_shapes(). */
size_t npu_graph_num_nodes(const struct npu_graph *graph);
struct npu_node *npu_graph_node(const struct npu_graph *graph, size_t index);

size_t npu_graph_num_inputs(const struct npu_graph *graph);
struct npu_tensor *npu_graph_input(const struct npu_graph *graph, size_t index);
size_t npu_graph_num_outputs(const struct npu_graph *graph);
struct npu_tensor *npu_graph_output(const struct npu_graph *graph, size_t index);

/*
 * A new non-constant tensor; rank -1 for an unknown shape (dims may
 * then be NULL), NPU_DTYPE_UNDEFINED for a node output whose type
 * shape inference will set.  Names are unique within a graph.
 */
int npu_graph_add_tensor(struct npu_graph *graph, const char *name, enum npu_dtype dtype,
			 int rank, const int64_t *dims, struct npu_tensor **tensor);
/* A new constant tensor (an initializer); `data` is copied, dense row-major. */
int npu_graph_add_constant(struct npu_graph *graph, const char *name, enum npu_dtype dtype,
			   int rank, const int64_t *dims, const void *data,
			   struct npu_tensor **tensor);
/* Remove a tensor no node, graph input or graph output uses (else NPU_E_BUSY). */
int npu_graph_remove_tensor(struct npu_graph *graph, struct npu_tensor *tensor);

/* Append `tensor` to the graph's inputs (it must not be constant) or outputs. */
int npu_graph_add_input(struct npu_graph *graph, struct npu_tensor *tensor);
int npu_graph_add_output(struct npu_graph *graph, struct npu_tensor *tensor);
/* Replace graph output `index` by `tensor`. */
int npu_graph_set_output(struct npu_graph *graph, size_t index, struct npu_tensor *tensor);

/*
 * A new node.  `inputs[i]` may be NULL for an omitted optional input;
 * each output must not already have a producer.  `name` may be "" or
 * NULL.  The node's attributes start at the operator's defaults.
 */
int npu_graph_add_node(struct npu_graph *graph, enum npu_node_op op, const char *name,
		       size_t num_inputs, struct npu_tensor *const *inputs,
		       size_t num_outputs, struct npu_tensor *const *outputs,
		       struct npu_node **node);
/* Remove a node; its tensors stay. */
int npu_graph_remove_node(struct npu_graph *graph, struct npu_node *node);

/* ------------------------------------------------------------------ */
/* Tensors                                                             */
/* ------------------------------------------------------------------ */

/*
 * Quantization parameters of a tensor holding quantized values:
 * real = scale * (q - zero_point).  count == 1 is per tensor; otherwise
 * per axis, with count == dims[axis].
 */
struct npu_quant_params {
	enum npu_dtype dtype;		/* of q: NPU_DTYPE_INT8 or NPU_DTYPE_UINT8 */
	int axis;			/* >= 0; used when count > 1 */
	size_t count;
	const float *scale;		/* [count], each > 0 and finite */
	const int32_t *zero_point;	/* [count], within dtype's range */
};

const char *npu_tensor_name(const struct npu_tensor *tensor);
enum npu_dtype npu_tensor_dtype(const struct npu_tensor *tensor);
/* -1 when the shape is unknown. */
int npu_tensor_rank(const struct npu_tensor *tensor);
const int64_t *npu_tensor_dims(const struct npu_tensor *tensor);
/* Product of the dims (1 for a scalar); 0 when the shape is unknown. */
size_t npu_tensor_numel(const struct npu_tensor *tensor);
/* A constant's data (dense, row-major), or NULL. */
const void *npu_tensor_data(const struct npu_tensor *tensor);
/* The node producing `tensor`, or NULL (graph input, constant, or unused). */
struct npu_node *npu_tensor_producer(const struct npu_graph *graph,
				     const struct npu_tensor *tensor);

/*
 * Replace a tensor's data and shape, making it a constant (e.g. folded
 * weights); `data` is copied.  A graph input cannot become a constant.
 */
int npu_tensor_set_data(struct npu_tensor *tensor, enum npu_dtype dtype, int rank,
			const int64_t *dims, const void *data);
/* Set the shape of a non-constant tensor (e.g. a graph input with symbolic dims). */
int npu_tensor_set_shape(struct npu_tensor *tensor, int rank, const int64_t *dims);

/*
 * The tensor's quantization parameters (NPU_E_NOENT if it has none).
 * The import sets them on the quantized tensors of QuantizeLinear,
 * DequantizeLinear, QLinearConv and QLinearMatMul whose scale and zero
 * point are constants.  The arrays stay valid until the next change.
 */
int npu_tensor_quant(const struct npu_tensor *tensor, struct npu_quant_params *quant);
/* Set (copying the arrays) or, with NULL, clear them. */
int npu_tensor_set_quant(struct npu_tensor *tensor, const struct npu_quant_params *quant);

/* ------------------------------------------------------------------ */
/* Nodes and attributes                                                */
/* ------------------------------------------------------------------ */

enum npu_attr_type {
	NPU_ATTR_INT = 1,
	NPU_ATTR_FLOAT,
	NPU_ATTR_STRING,
	NPU_ATTR_INTS,
	NPU_ATTR_FLOATS,
};

struct npu_attr {
	const char *name;
	enum npu_attr_type type;
	int64_t i;		/* NPU_ATTR_INT */
	float f;		/* NPU_ATTR_FLOAT */
	const char *s;		/* NPU_ATTR_STRING */
	size_t count;		/* NPU_ATTR_INTS / NPU_ATTR_FLOATS */
	const int64_t *ints;
	const float *floats;
};

enum npu_node_op npu_node_op(const struct npu_node *node);
/* The node's name; "" if it has none. */
const char *npu_node_name(const struct npu_node *node);

/* Inputs include omitted optional ones (NULL) before the last present one. */
size_t npu_node_num_inputs(const struct npu_node *node);
struct npu_tensor *npu_node_input(const struct npu_node *node, size_t index);
size_t npu_node_num_outputs(const struct npu_node *node);
struct npu_tensor *npu_node_output(const struct npu_node *node, size_t index);
/* Rewire input `index` (NULL omits an optional one; index == count appends). */
int npu_node_set_input(struct npu_node *node, size_t index, struct npu_tensor *tensor);

size_t npu_node_num_attrs(const struct npu_node *node);
const struct npu_attr *npu_node_attr(const struct npu_node *node, size_t index);
/* The attribute called `name`, or NULL.  Valid until it is set again. */
const struct npu_attr *npu_node_find_attr(const struct npu_node *node, const char *name);

/*
 * Set an attribute the operator defines, with the type it defines
 * (NPU_E_INVALID otherwise); values are checked by npu_graph_infer_shapes().
 */
int npu_node_set_attr_int(struct npu_node *node, const char *name, int64_t value);
int npu_node_set_attr_float(struct npu_node *node, const char *name, float value);
int npu_node_set_attr_string(struct npu_node *node, const char *name, const char *value);
int npu_node_set_attr_ints(struct npu_node *node, const char *name, size_t count,
			   const int64_t *values);
int npu_node_set_attr_floats(struct npu_node *node, const char *name, size_t count,
			     const float *values);

/* ------------------------------------------------------------------ */
/* Values and the reference interpreter                                */
/* ------------------------------------------------------------------ */

/* A dense row-major tensor value. */
struct npu_value {
	enum npu_dtype dtype;
	int rank;
	int64_t dims[NPU_MAX_RANK];
	void *data;		/* owned by whoever allocated it */
};

/* Product of the dims (1 for a scalar). */
size_t npu_value_numel(const struct npu_value *value);
/* Allocate a zeroed value; free it with npu_value_free(). */
int npu_value_alloc(struct npu_value *value, enum npu_dtype dtype, int rank,
		    const int64_t *dims);
/* Free a value's data (from npu_value_alloc, a loader or the interpreter). */
void npu_value_free(struct npu_value *value);

/*
 * Read an ONNX TensorProto (an ONNX test case's input_N.pb and output_N.pb files) into
 * a newly allocated value.
 */
int npu_value_load_onnx(const char *path, struct npu_value *value);
int npu_value_load_onnx_mem(const void *data, size_t size, struct npu_value *value);

/*
 * Called once for every value the interpreter computes, in execution
 * order; a non-zero return stops the run with that status.
 */
typedef int (*npu_value_observer)(void *ctx, const struct npu_tensor *tensor,
				  const struct npu_value *value);

/*
 * Evaluate the graph on the CPU: float operators in float, the integer
 * and quantized ones (ConvInteger, MatMulInteger, QLinearConv,
 * QLinearMatMul, QuantizeLinear, DequantizeLinear) with exact integer
 * semantics (see docs/onnx.md).  `inputs` has npu_graph_num_inputs()
 * values, in order, whose dtypes and (known) shapes must match the
 * inputs'.  `outputs` has npu_graph_num_outputs() entries; on success
 * each is a newly allocated value for the caller to npu_value_free(),
 * on failure they are all zeroed.  `observer` may be NULL.
 */
int npu_graph_run_reference(struct npu_graph *graph, const struct npu_value *inputs,
			    struct npu_value *outputs, npu_value_observer observer, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* NPU_GRAPH_H */
