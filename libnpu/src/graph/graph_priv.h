/* SPDX-License-Identifier: MIT */
/* graph_priv.h - the graph IR's structures, shared by its files only. */
#ifndef NPU_GRAPH_PRIV_H
#define NPU_GRAPH_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "npu/graph.h"
#include "ref/ref.h"

#define NPU_OPSET_MIN	11
#define NPU_OPSET_MAX	17

/* Largest element count of one tensor: keeps every byte size in range. */
#define NPU_MAX_NUMEL	(1ull << 40)

struct npu_tensor {
	char *name;
	enum npu_dtype dtype;
	int rank;			/* -1: unknown */
	int64_t dims[NPU_MAX_RANK];
	void *data;			/* constant's data, or NULL */
	int is_input;
	/* Quantization parameters; count == 0 when there are none. */
	enum npu_dtype q_dtype;
	int q_axis;
	size_t q_count;
	float *q_scale;
	int32_t *q_zero_point;
	size_t index;			/* position in graph->tensors */
};

struct npu_node {
	enum npu_node_op op;
	char *name;
	size_t n_in, n_out;
	struct npu_tensor **in, **out;
	size_t n_attrs;
	struct npu_attr *attrs;		/* owns name, s, ints, floats */
};

struct npu_graph {
	int opset;
	size_t n_tensors, cap_tensors;
	struct npu_tensor **tensors;
	size_t n_nodes, cap_nodes;
	struct npu_node **nodes;
	size_t n_inputs, cap_inputs;
	struct npu_tensor **inputs;
	size_t n_outputs, cap_outputs;
	struct npu_tensor **outputs;
};

/* An attribute an operator defines, with its default. */
struct npu_attr_schema {
	const char *name;
	enum npu_attr_type type;
	int since;		/* first opset that has it */
	int has_default;	/* else optional without default, or required */
	int required;
	int64_t i;
	float f;
	const char *s;		/* INTS/FLOATS defaults are empty lists */
};

struct npu_op_schema {
	const char *name;
	/*
	 * The oldest opset whose definition of the operator is the one we
	 * implement (ONNX's since_version of the definition in force at
	 * opset 11, or the operator's first version if it came later).
	 */
	int since;
	size_t min_in, max_in, min_out, max_out;
	const struct npu_attr_schema *attrs;	/* ends with a NULL name */
};

const struct npu_op_schema *npu_op_schema(enum npu_node_op op);
/* The op called `name` in the default domain; -1 if none. */
int npu_op_lookup(const char *name);

/* "node 'name' (Op)" or "node #i (Op)" into buf, for messages. */
const char *npu_node_label(const struct npu_graph *g, const struct npu_node *n,
			   char *buf, size_t size);

/* Element count of a known shape; fails past NPU_MAX_NUMEL. */
int npu_shape_numel(int rank, const int64_t *dims, size_t *numel);

/* Attribute helpers over a node with its defaults filled in. */
int64_t npu_attr_int(const struct npu_node *n, const char *name);
float npu_attr_float(const struct npu_node *n, const char *name);
const char *npu_attr_string(const struct npu_node *n, const char *name);
/* The list attribute `name`; *count 0 when absent. */
const int64_t *npu_attr_ints(const struct npu_node *n, const char *name, size_t *count);

/* Set an attribute without the schema check (the loader checked it). */
int npu_node_put_attr(struct npu_node *n, const struct npu_attr *a);

/*
 * Shape inference of one node.  `in[i]` describes input i: dtype
 * (UNDEFINED when omitted), rank (-1 unknown), dims and, when the value
 * is known (a constant, or at run time), data.  Fills out[] dtype,
 * rank and dims; rank -1 when it cannot be known yet.  Checks data
 * types and attribute values; errors name the node.
 */
int npu_infer_node(const struct npu_graph *g, const struct npu_node *n,
		   const struct npu_value *in, struct npu_value *out);

/*
 * The window of a Conv-family or pooling node over input shape x (known
 * rank >= 3): kernel from `kernel` (w's spatial dims, for convolutions)
 * or the kernel_shape attribute, strides, dilations, and pads with
 * auto_pad resolved, and the output size.  Errors name the node.
 */
int npu_node_window(const struct npu_graph *g, const struct npu_node *n,
		    const struct npu_value *x, const int64_t *kernel,
		    struct npu_ref_window *win);

/* Sort g->nodes topologically; NPU_E_FORMAT naming a node on a cycle. */
int npu_graph_sort(struct npu_graph *g);

/*
 * The interpreter's steps, shared with the int8 executor (lower/), which
 * runs the nodes it does not lower exactly as the interpreter would.
 * `values` is indexed by tensor index; `owned` marks the values the run
 * allocated (to free at its end).
 */
int npu_interp_check_inputs(const struct npu_graph *g, const struct npu_value *inputs);
/* Views of the graph's inputs and constants; everything else rank -1. */
void npu_interp_bind(const struct npu_graph *g, const struct npu_value *inputs,
		     struct npu_value *values);
/* Infer node n's output shapes from its input values, allocate and compute them. */
int npu_interp_eval_node(const struct npu_graph *g, const struct npu_node *n,
			 struct npu_value *values, unsigned char *owned,
			 npu_value_observer observer, void *ctx);
/*
 * End a run with status `ret`: on success copy the graph outputs into
 * outputs[] (on failure zero them); free the owned values, `values`
 * and `owned`.  Returns the final status.
 */
int npu_interp_finish(const struct npu_graph *g, struct npu_value *values, unsigned char *owned,
		      int ret, struct npu_value *outputs);

#endif /* NPU_GRAPH_PRIV_H */
