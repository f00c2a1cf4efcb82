// SPDX-License-Identifier: MIT
/*
 * The operator table: ONNX names, the opsets whose definition we
 * implement, input and output counts, attributes and their defaults
 * (from ONNX's Operators.md for opsets 11 to 17).
 */
#include <string.h>

#include "graph_priv.h"

#define INT(n, d)	{ .name = n, .type = NPU_ATTR_INT, .since = 1, .has_default = 1, .i = d }
#define FLOAT(n, d)	{ .name = n, .type = NPU_ATTR_FLOAT, .since = 1, .has_default = 1, .f = d }
#define STRING(n, d)	{ .name = n, .type = NPU_ATTR_STRING, .since = 1, .has_default = 1, .s = d }
/* Lists default to empty: "absent" means inferred from the shapes. */
#define INTS(n)		{ .name = n, .type = NPU_ATTR_INTS, .since = 1 }
#define END		{ .name = NULL }

static const struct npu_attr_schema conv_attrs[] = {
	STRING("auto_pad", "NOTSET"), INTS("dilations"), INT("group", 1),
	INTS("kernel_shape"), INTS("pads"), INTS("strides"), END
};
/* ConvInteger and QLinearConv: Conv's attributes. */
static const struct npu_attr_schema gemm_attrs[] = {
	FLOAT("alpha", 1.0f), FLOAT("beta", 1.0f), INT("transA", 0), INT("transB", 0), END
};
static const struct npu_attr_schema no_attrs[] = { END };
static const struct npu_attr_schema leaky_relu_attrs[] = { FLOAT("alpha", 0.01f), END };
static const struct npu_attr_schema max_pool_attrs[] = {
	STRING("auto_pad", "NOTSET"), INT("ceil_mode", 0), INTS("dilations"),
	{ .name = "kernel_shape", .type = NPU_ATTR_INTS, .since = 1, .required = 1 },
	INTS("pads"), INT("storage_order", 0), INTS("strides"), END
};
static const struct npu_attr_schema average_pool_attrs[] = {
	STRING("auto_pad", "NOTSET"), INT("ceil_mode", 0), INT("count_include_pad", 0),
	{ .name = "kernel_shape", .type = NPU_ATTR_INTS, .since = 1, .required = 1 },
	INTS("pads"), INTS("strides"), END
};
static const struct npu_attr_schema concat_attrs[] = {
	{ .name = "axis", .type = NPU_ATTR_INT, .since = 1, .required = 1 }, END
};
static const struct npu_attr_schema flatten_attrs[] = { INT("axis", 1), END };
static const struct npu_attr_schema reshape_attrs[] = {
	{ .name = "allowzero", .type = NPU_ATTR_INT, .since = 14, .has_default = 1 }, END
};
static const struct npu_attr_schema transpose_attrs[] = { INTS("perm"), END };
static const struct npu_attr_schema pad_attrs[] = { STRING("mode", "constant"), END };
/* The default axis depends on the opset (1 before 13, -1 since): see npu_attr_int(). */
static const struct npu_attr_schema softmax_attrs[] = {
	{ .name = "axis", .type = NPU_ATTR_INT, .since = 1 }, END
};
static const struct npu_attr_schema batch_norm_attrs[] = {
	FLOAT("epsilon", 1e-5f), FLOAT("momentum", 0.9f),
	{ .name = "training_mode", .type = NPU_ATTR_INT, .since = 14, .has_default = 1 }, END
};
static const struct npu_attr_schema cast_attrs[] = {
	{ .name = "to", .type = NPU_ATTR_INT, .since = 1, .required = 1 }, END
};
static const struct npu_attr_schema quant_attrs[] = {
	{ .name = "axis", .type = NPU_ATTR_INT, .since = 13, .has_default = 1, .i = 1 }, END
};

/*
 * since: Conv-11, Gemm-11, Clip-11 (min/max as inputs), MaxPool-11,
 * AveragePool-11, Concat-11, Flatten-11, Pad-11 (pads as an input) and
 * Softmax-11 changed at opset 11; the others kept an older definition
 * through opset 11 (e.g. GlobalAveragePool-1, Relu-6, Add-7), or came
 * later (HardSwish-14), or are the opset-10 integer operators.  Later
 * changes within 11..17 only widen types or add attributes (their
 * `since` above), except Softmax-13, handled by its kernel.
 */
static const struct npu_op_schema npu_ops[NPU_NODE_OP_COUNT] = {
	[NPU_NODE_CONV] = { "Conv", 11, 2, 3, 1, 1, conv_attrs },
	[NPU_NODE_CONV_INTEGER] = { "ConvInteger", 10, 2, 4, 1, 1, conv_attrs },
	[NPU_NODE_QLINEAR_CONV] = { "QLinearConv", 10, 8, 9, 1, 1, conv_attrs },
	[NPU_NODE_GEMM] = { "Gemm", 11, 2, 3, 1, 1, gemm_attrs },
	[NPU_NODE_MATMUL] = { "MatMul", 9, 2, 2, 1, 1, no_attrs },
	[NPU_NODE_MATMUL_INTEGER] = { "MatMulInteger", 10, 2, 4, 1, 1, no_attrs },
	[NPU_NODE_QLINEAR_MATMUL] = { "QLinearMatMul", 10, 8, 8, 1, 1, no_attrs },
	[NPU_NODE_RELU] = { "Relu", 6, 1, 1, 1, 1, no_attrs },
	[NPU_NODE_CLIP] = { "Clip", 11, 1, 3, 1, 1, no_attrs },
	[NPU_NODE_LEAKY_RELU] = { "LeakyRelu", 6, 1, 1, 1, 1, leaky_relu_attrs },
	[NPU_NODE_SIGMOID] = { "Sigmoid", 6, 1, 1, 1, 1, no_attrs },
	[NPU_NODE_TANH] = { "Tanh", 6, 1, 1, 1, 1, no_attrs },
	[NPU_NODE_HARD_SWISH] = { "HardSwish", 14, 1, 1, 1, 1, no_attrs },
	[NPU_NODE_MAX_POOL] = { "MaxPool", 11, 1, 1, 1, 2, max_pool_attrs },
	[NPU_NODE_AVERAGE_POOL] = { "AveragePool", 11, 1, 1, 1, 1, average_pool_attrs },
	[NPU_NODE_GLOBAL_AVERAGE_POOL] = { "GlobalAveragePool", 1, 1, 1, 1, 1, no_attrs },
	[NPU_NODE_ADD] = { "Add", 7, 2, 2, 1, 1, no_attrs },
	[NPU_NODE_MUL] = { "Mul", 7, 2, 2, 1, 1, no_attrs },
	[NPU_NODE_CONCAT] = { "Concat", 11, 1, SIZE_MAX, 1, 1, concat_attrs },
	[NPU_NODE_FLATTEN] = { "Flatten", 11, 1, 1, 1, 1, flatten_attrs },
	[NPU_NODE_RESHAPE] = { "Reshape", 5, 2, 2, 1, 1, reshape_attrs },
	[NPU_NODE_TRANSPOSE] = { "Transpose", 1, 1, 1, 1, 1, transpose_attrs },
	[NPU_NODE_PAD] = { "Pad", 11, 2, 3, 1, 1, pad_attrs },
	[NPU_NODE_SOFTMAX] = { "Softmax", 11, 1, 1, 1, 1, softmax_attrs },
	[NPU_NODE_BATCH_NORMALIZATION] = { "BatchNormalization", 9, 5, 5, 1, 5,
					   batch_norm_attrs },
	[NPU_NODE_CAST] = { "Cast", 9, 1, 1, 1, 1, cast_attrs },
	[NPU_NODE_IDENTITY] = { "Identity", 1, 1, 1, 1, 1, no_attrs },
	[NPU_NODE_QUANTIZE_LINEAR] = { "QuantizeLinear", 10, 2, 3, 1, 1, quant_attrs },
	[NPU_NODE_DEQUANTIZE_LINEAR] = { "DequantizeLinear", 10, 2, 3, 1, 1, quant_attrs },
};

const struct npu_op_schema *npu_op_schema(enum npu_node_op op)
{
	if ((unsigned)op >= NPU_NODE_OP_COUNT)
		return NULL;
	return &npu_ops[op];
}

int npu_op_lookup(const char *name)
{
	for (int op = 0; op < NPU_NODE_OP_COUNT; op++)
		if (!strcmp(npu_ops[op].name, name))
			return op;
	return -1;
}

const char *npu_node_op_name(enum npu_node_op op)
{
	const struct npu_op_schema *s = npu_op_schema(op);

	return s ? s->name : NULL;
}
