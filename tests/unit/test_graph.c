// SPDX-License-Identifier: MIT
/*
 * The graph IR through its public API: shape inference cases (worked
 * out in the comments), editing a graph the way the quantizer will
 * (folding a BatchNormalization into a Conv, inserting a
 * QuantizeLinear/DequantizeLinear pair) and running it.
 */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "npu/error.h"
#include "npu/graph.h"

static int dims_are(const struct npu_tensor *t, int rank, const int64_t *want)
{
	if (npu_tensor_rank(t) != rank)
		return 0;
	for (int i = 0; i < rank; i++)
		if (npu_tensor_dims(t)[i] != want[i])
			return 0;
	return 1;
}

#define DIMS(...)	((const int64_t[]){ __VA_ARGS__ })
#define RANK(...)	((int)(sizeof(DIMS(__VA_ARGS__)) / sizeof(int64_t)))
#define CHECK_DIMS(t, ...)							\
	CHECK_MSG(dims_are((t), RANK(__VA_ARGS__), DIMS(__VA_ARGS__)),		\
		  "%s: wrong shape (rank %d)", npu_tensor_name(t), npu_tensor_rank(t))

/* One node over fresh tensors: in0, in1 (NULL dims: constant absent). */
static struct npu_graph *graph(int opset)
{
	struct npu_graph *g = NULL;

	if (npu_graph_create(opset, &g))
		harness_fail(__FILE__, __LINE__, "create: %s", npu_last_error());
	return g;
}

static struct npu_tensor *input(struct npu_graph *g, const char *name, enum npu_dtype dtype,
				int rank, const int64_t *dims)
{
	struct npu_tensor *t = NULL;

	if (npu_graph_add_tensor(g, name, dtype, rank, dims, &t) || npu_graph_add_input(g, t))
		harness_fail(__FILE__, __LINE__, "input %s: %s", name, npu_last_error());
	return t;
}

static struct npu_tensor *value(struct npu_graph *g, const char *name)
{
	struct npu_tensor *t = NULL;

	if (npu_graph_add_tensor(g, name, NPU_DTYPE_UNDEFINED, -1, NULL, &t))
		harness_fail(__FILE__, __LINE__, "tensor %s: %s", name, npu_last_error());
	return t;
}

static struct npu_node *node(struct npu_graph *g, enum npu_node_op op, size_t n_in,
			     struct npu_tensor *const *in, struct npu_tensor *out)
{
	struct npu_node *n = NULL;

	if (npu_graph_add_node(g, op, "", n_in, in, 1, &out, &n))
		harness_fail(__FILE__, __LINE__, "node: %s", npu_last_error());
	return n;
}

#define IN(...)	((struct npu_tensor *const[]){ __VA_ARGS__ })

TEST(shape_conv_same_and_dilation)
{
	struct npu_graph *g = graph(13);
	struct npu_tensor *x = input(g, "x", NPU_DTYPE_FLOAT32, 4, DIMS(2, 6, 7, 9));
	struct npu_tensor *w, *y = value(g, "y"), *y2 = value(g, "y2");
	float wd[8 * 3 * 3 * 3] = { 0 };
	struct npu_node *n;

	npu_graph_add_constant(g, "w", NPU_DTYPE_FLOAT32, 4, DIMS(8, 3, 3, 3), wd, &w);
	n = node(g, NPU_NODE_CONV, 2, IN(x, w), y);
	npu_node_set_attr_int(n, "group", 2);
	npu_node_set_attr_string(n, "auto_pad", "SAME_UPPER");
	npu_node_set_attr_ints(n, "strides", 2, DIMS(2, 3));
	/* SAME: out = ceil(in / stride) = (ceil(7/2), ceil(9/3)) = (4, 3) */
	n = node(g, NPU_NODE_CONV, 2, IN(x, w), y2);
	npu_node_set_attr_int(n, "group", 2);
	npu_node_set_attr_ints(n, "dilations", 2, DIMS(2, 1));
	npu_node_set_attr_ints(n, "pads", 4, DIMS(1, 0, 1, 0));
	/* dilated extent 5: (7 + 2 - 5) + 1 = 5; width 9 - 3 + 1 = 7 */
	npu_graph_add_output(g, y);
	npu_graph_add_output(g, y2);
	CHECK_MSG(npu_graph_infer_shapes(g) == 0, "%s", npu_last_error());
	CHECK_DIMS(y, 2, 8, 4, 3);
	CHECK_DIMS(y2, 2, 8, 5, 7);
	/* 6 channels do not split into 4 groups */
	npu_node_set_attr_int(n, "group", 4);
	CHECK_EQ(npu_graph_infer_shapes(g), NPU_E_INVALID);
	npu_graph_free(g);
}

TEST(shape_pool_ceil_and_global)
{
	struct npu_graph *g = graph(13);
	struct npu_tensor *x = input(g, "x", NPU_DTYPE_FLOAT32, 4, DIMS(1, 3, 5, 5));
	struct npu_tensor *a = value(g, "a"), *b = value(g, "b"), *c = value(g, "c");
	struct npu_node *n;

	n = node(g, NPU_NODE_MAX_POOL, 1, IN(x), a);
	npu_node_set_attr_ints(n, "kernel_shape", 2, DIMS(2, 2));
	npu_node_set_attr_ints(n, "strides", 2, DIMS(2, 2));
	npu_node_set_attr_int(n, "ceil_mode", 1);
	/* (5 - 2) / 2 = 1.5: floor 1 -> 2 outputs, ceil 2 -> 3 outputs */
	n = node(g, NPU_NODE_AVERAGE_POOL, 1, IN(x), b);
	npu_node_set_attr_ints(n, "kernel_shape", 2, DIMS(2, 2));
	npu_node_set_attr_ints(n, "strides", 2, DIMS(2, 2));
	node(g, NPU_NODE_GLOBAL_AVERAGE_POOL, 1, IN(x), c);
	npu_graph_add_output(g, a);
	npu_graph_add_output(g, b);
	npu_graph_add_output(g, c);
	CHECK_MSG(npu_graph_infer_shapes(g) == 0, "%s", npu_last_error());
	CHECK_DIMS(a, 1, 3, 3, 3);
	CHECK_DIMS(b, 1, 3, 2, 2);
	CHECK_DIMS(c, 1, 3, 1, 1);
	npu_graph_free(g);
}

TEST(shape_matmul_broadcast_and_vectors)
{
	struct npu_graph *g = graph(13);
	struct npu_tensor *a = input(g, "a", NPU_DTYPE_FLOAT32, 4, DIMS(2, 1, 3, 4));
	struct npu_tensor *b = input(g, "b", NPU_DTYPE_FLOAT32, 3, DIMS(5, 4, 6));
	struct npu_tensor *v = input(g, "v", NPU_DTYPE_FLOAT32, 1, DIMS(4));
	struct npu_tensor *y = value(g, "y"), *yv = value(g, "yv"), *vy = value(g, "vy");

	node(g, NPU_NODE_MATMUL, 2, IN(a, b), y);	/* [2,5,3,6] */
	node(g, NPU_NODE_MATMUL, 2, IN(a, v), yv);	/* [2,1,3]: v is [4,1], then dropped */
	node(g, NPU_NODE_MATMUL, 2, IN(v, b), vy);	/* [5,6]: v is [1,4], then dropped */
	npu_graph_add_output(g, y);
	npu_graph_add_output(g, yv);
	npu_graph_add_output(g, vy);
	CHECK_MSG(npu_graph_infer_shapes(g) == 0, "%s", npu_last_error());
	CHECK_DIMS(y, 2, 5, 3, 6);
	CHECK_DIMS(yv, 2, 1, 3);
	CHECK_DIMS(vy, 5, 6);
	npu_graph_free(g);
}

TEST(shape_reshape_flatten_transpose_concat_pad_gemm)
{
	struct npu_graph *g = graph(14);
	struct npu_tensor *x = input(g, "x", NPU_DTYPE_FLOAT32, 4, DIMS(2, 3, 4, 5));
	struct npu_tensor *s, *p, *w;
	struct npu_tensor *r = value(g, "r"), *f = value(g, "f"), *t = value(g, "t");
	struct npu_tensor *c = value(g, "c"), *pd = value(g, "pd"), *gm = value(g, "gm");
	const float wd[6 * 60] = { 0 };
	struct npu_node *n;

	/* [0, -1, 5]: keep 2, infer 120 / (2 * 5) = 12 */
	npu_graph_add_constant(g, "s", NPU_DTYPE_INT64, 1, DIMS(3), DIMS(0, -1, 5), &s);
	node(g, NPU_NODE_RESHAPE, 2, IN(x, s), r);
	n = node(g, NPU_NODE_FLATTEN, 1, IN(x), f);
	npu_node_set_attr_int(n, "axis", -1);		/* [2*3*4, 5] */
	node(g, NPU_NODE_TRANSPOSE, 1, IN(x), t);	/* reversed: [5,4,3,2] */
	n = node(g, NPU_NODE_CONCAT, 3, IN(x, x, x), c);
	npu_node_set_attr_int(n, "axis", 1);		/* [2,9,4,5] */
	npu_graph_add_constant(g, "p", NPU_DTYPE_INT64, 1, DIMS(8), DIMS(0, 1, 2, -1, 0, 1, 2, -1),
			       &p);
	node(g, NPU_NODE_PAD, 2, IN(x, p), pd);		/* [2,5,8,3] */
	npu_graph_add_constant(g, "w", NPU_DTYPE_FLOAT32, 2, DIMS(6, 60), wd, &w);
	n = node(g, NPU_NODE_GEMM, 2, IN(f, w), gm);
	npu_node_set_attr_int(n, "transB", 1);		/* [24,5] x [60,6]^T: K mismatch */
	npu_graph_add_output(g, r);
	npu_graph_add_output(g, t);
	npu_graph_add_output(g, c);
	npu_graph_add_output(g, pd);
	npu_graph_add_output(g, gm);
	CHECK_EQ(npu_graph_infer_shapes(g), NPU_E_INVALID);
	CHECK(strstr(npu_last_error(), "inner dimensions 5 and 60"));
	npu_node_set_attr_int(n, "transA", 1);		/* [5,24]: still K 24 vs 60 */
	CHECK_EQ(npu_graph_infer_shapes(g), NPU_E_INVALID);
	CHECK(npu_tensor_set_data(w, NPU_DTYPE_FLOAT32, 2, DIMS(6, 24), wd) == 0);
	CHECK_MSG(npu_graph_infer_shapes(g) == 0, "%s", npu_last_error());
	CHECK_DIMS(r, 2, 12, 5);
	CHECK_DIMS(f, 24, 5);
	CHECK_DIMS(t, 5, 4, 3, 2);
	CHECK_DIMS(c, 2, 9, 4, 5);
	CHECK_DIMS(pd, 2, 5, 8, 3);
	CHECK_DIMS(gm, 5, 6);
	npu_graph_free(g);
}

TEST(shape_unknown_until_run)
{
	struct npu_graph *g = graph(13);
	struct npu_tensor *x = input(g, "x", NPU_DTYPE_FLOAT32, 2, DIMS(2, 3));
	struct npu_tensor *s = input(g, "s", NPU_DTYPE_INT64, 1, DIMS(2));
	struct npu_tensor *r = value(g, "r"), *y = value(g, "y");
	float xd[6] = { 1, -2, 3, -4, 5, -6 };
	int64_t sd[2] = { 3, -1 };
	struct npu_value in[2] = {
		{ .dtype = NPU_DTYPE_FLOAT32, .rank = 2, .dims = { 2, 3 }, .data = xd },
		{ .dtype = NPU_DTYPE_INT64, .rank = 1, .dims = { 2 }, .data = sd },
	};
	struct npu_value out[1];

	/* Reshape's shape comes from an input: unknown at load, known at run. */
	node(g, NPU_NODE_RESHAPE, 2, IN(x, s), r);
	node(g, NPU_NODE_RELU, 1, IN(r), y);
	npu_graph_add_output(g, y);
	CHECK_MSG(npu_graph_infer_shapes(g) == 0, "%s", npu_last_error());
	CHECK_EQ(npu_tensor_rank(y), -1);
	CHECK_EQ(npu_tensor_dtype(y), NPU_DTYPE_FLOAT32);
	CHECK_MSG(npu_graph_run_reference(g, in, out, NULL, NULL) == 0, "%s", npu_last_error());
	CHECK_EQ(out[0].rank, 2);
	CHECK_EQ(out[0].dims[0], 3);
	CHECK_EQ(out[0].dims[1], 2);
	CHECK(((float *)out[0].data)[2] == 3.0f && ((float *)out[0].data)[3] == 0.0f);
	npu_value_free(&out[0]);
	/* A value of the wrong type is refused. */
	in[0].dtype = NPU_DTYPE_INT32;
	CHECK_EQ(npu_graph_run_reference(g, in, out, NULL, NULL), NPU_E_INVALID);
	CHECK(out[0].data == NULL);
	npu_graph_free(g);
}

/* Observer: counts the values it sees. */
static int count_values(void *ctx, const struct npu_tensor *t, const struct npu_value *v)
{
	(void)t;
	(void)v;
	(*(int *)ctx)++;
	return 0;
}

/*
 * x -> Conv(w, b) -> BatchNormalization -> y, then the BN folded into
 * the Conv's weights and bias (w' = w * k, b' = (b - mean) * k + beta,
 * k = gamma / sqrt(var + eps)) and removed; the outputs must agree.
 */
TEST(edit_fold_batchnorm_into_conv)
{
	struct npu_graph *g = graph(13);
	struct npu_tensor *x = input(g, "x", NPU_DTYPE_FLOAT32, 4, DIMS(1, 1, 3, 3));
	struct npu_tensor *w, *b, *gamma, *beta, *mean, *var;
	struct npu_tensor *c = value(g, "c"), *y = value(g, "y");
	const float wd[2 * 1 * 2 * 2] = { 1, 2, 3, 4, -1, 0, 1, 0 };
	const float bd[2] = { 0.5f, -1 };
	const float gd[2] = { 2, 0.5f }, bed[2] = { 1, 0 }, md[2] = { 3, -2 }, vd[2] = { 4, 1 };
	float xd[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct npu_value in = { .dtype = NPU_DTYPE_FLOAT32, .rank = 4, .dims = { 1, 1, 3, 3 },
				.data = xd };
	struct npu_value before, after;
	float w2[8], b2[2];
	struct npu_node *conv, *bn;
	int seen = 0;

	npu_graph_add_constant(g, "w", NPU_DTYPE_FLOAT32, 4, DIMS(2, 1, 2, 2), wd, &w);
	npu_graph_add_constant(g, "b", NPU_DTYPE_FLOAT32, 1, DIMS(2), bd, &b);
	npu_graph_add_constant(g, "gamma", NPU_DTYPE_FLOAT32, 1, DIMS(2), gd, &gamma);
	npu_graph_add_constant(g, "beta", NPU_DTYPE_FLOAT32, 1, DIMS(2), bed, &beta);
	npu_graph_add_constant(g, "mean", NPU_DTYPE_FLOAT32, 1, DIMS(2), md, &mean);
	npu_graph_add_constant(g, "var", NPU_DTYPE_FLOAT32, 1, DIMS(2), vd, &var);
	/* Added out of order: infer_shapes sorts. */
	bn = node(g, NPU_NODE_BATCH_NORMALIZATION, 5, IN(c, gamma, beta, mean, var), y);
	conv = node(g, NPU_NODE_CONV, 3, IN(x, w, b), c);
	npu_graph_add_output(g, y);
	CHECK_MSG(npu_graph_run_reference(g, &in, &before, count_values, &seen) == 0, "%s",
		  npu_last_error());
	CHECK_EQ(seen, 2);
	CHECK(npu_graph_node(g, 0) == conv);
	CHECK_EQ(npu_graph_remove_tensor(g, gamma), NPU_E_BUSY);

	for (int m = 0; m < 2; m++) {
		const double eps = npu_node_find_attr(bn, "epsilon")->f;
		const double k = gd[m] / sqrt(vd[m] + eps);

		for (int i = 0; i < 4; i++)
			w2[m * 4 + i] = (float)(wd[m * 4 + i] * k);
		b2[m] = (float)((bd[m] - md[m]) * k + bed[m]);
	}
	CHECK_EQ(npu_tensor_set_data(w, NPU_DTYPE_FLOAT32, 4, DIMS(2, 1, 2, 2), w2), 0);
	CHECK_EQ(npu_tensor_set_data(b, NPU_DTYPE_FLOAT32, 1, DIMS(2), b2), 0);
	CHECK_EQ(npu_graph_remove_node(g, bn), 0);
	CHECK_EQ(npu_graph_remove_node(g, bn = conv), 0);
	/* Re-create the Conv writing y directly (c loses its producer). */
	conv = node(g, NPU_NODE_CONV, 3, IN(x, w, b), y);
	CHECK_EQ(npu_graph_remove_tensor(g, c), 0);
	CHECK_EQ(npu_graph_remove_tensor(g, gamma), 0);
	CHECK_MSG(npu_graph_run_reference(g, &in, &after, NULL, NULL) == 0, "%s",
		  npu_last_error());
	CHECK_EQ(npu_graph_num_nodes(g), 1);
	CHECK_EQ(npu_value_numel(&after), 8);
	for (size_t i = 0; i < 8; i++)
		CHECK_MSG(fabsf(((float *)before.data)[i] - ((float *)after.data)[i]) < 1e-5f,
			  "[%zu] %g vs %g", i, ((float *)before.data)[i], ((float *)after.data)[i]);
	npu_value_free(&before);
	npu_value_free(&after);
	npu_graph_free(g);
}

/* Insert Quantize/Dequantize between x and Relu: the output snaps to the grid. */
TEST(edit_insert_qdq_pair)
{
	struct npu_graph *g = graph(13);
	struct npu_tensor *x = input(g, "x", NPU_DTYPE_FLOAT32, 1, DIMS(4));
	struct npu_tensor *s, *zp, *q = value(g, "q"), *dq = value(g, "dq"), *y = value(g, "y");
	struct npu_node *relu = node(g, NPU_NODE_RELU, 1, IN(x), y);
	float xd[4] = { -1.0f, 0.25f, 0.75f, 100.0f };
	struct npu_value in = { .dtype = NPU_DTYPE_FLOAT32, .rank = 1, .dims = { 4 }, .data = xd };
	struct npu_value out;
	struct npu_quant_params qp = { .dtype = NPU_DTYPE_INT8, .count = 1,
				       .scale = (const float[]){ 0.5f },
				       .zero_point = (const int32_t[]){ -3 } };
	const float *o;

	npu_graph_add_constant(g, "s", NPU_DTYPE_FLOAT32, 0, NULL, (const float[]){ 0.5f }, &s);
	npu_graph_add_constant(g, "zp", NPU_DTYPE_INT8, 0, NULL, (const int8_t[]){ -3 }, &zp);
	node(g, NPU_NODE_QUANTIZE_LINEAR, 3, IN(x, s, zp), q);
	node(g, NPU_NODE_DEQUANTIZE_LINEAR, 3, IN(q, s, zp), dq);
	CHECK_EQ(npu_node_set_input(relu, 0, dq), 0);
	CHECK_EQ(npu_tensor_set_quant(q, &qp), 0);
	npu_graph_add_output(g, y);
	CHECK_MSG(npu_graph_run_reference(g, &in, &out, NULL, NULL) == 0, "%s", npu_last_error());
	o = out.data;
	/*
	 * scale 0.5, zero point -3:
	 * -1 / 0.5 = -2 -> q -5 -> dq (-5 + 3) * 0.5 = -1 -> relu 0;
	 * 0.25 / 0.5 = 0.5, a tie, to even 0 -> q -3 -> 0;
	 * 0.75 / 0.5 = 1.5, a tie, to even 2 -> q -1 -> 1;
	 * 100 / 0.5 = 200 -> 197 saturates at 127 -> (127 + 3) * 0.5 = 65
	 */
	CHECK(o[0] == 0.0f);
	CHECK(o[1] == 0.0f);
	CHECK(o[2] == 1.0f);
	CHECK(o[3] == 65.0f);
	npu_value_free(&out);
	npu_graph_free(g);
}

TEST(edit_rejects_bad_edits)
{
	struct npu_graph *g = graph(13);
	struct npu_tensor *x = input(g, "x", NPU_DTYPE_FLOAT32, 1, DIMS(4));
	struct npu_tensor *y = value(g, "y"), *t;
	struct npu_node *n = node(g, NPU_NODE_RELU, 1, IN(x), y);
	struct npu_graph *other;

	CHECK_EQ(npu_graph_create(18, &other), NPU_E_UNSUPPORTED);
	CHECK(other == NULL);
	CHECK_EQ(npu_graph_add_tensor(g, "x", NPU_DTYPE_FLOAT32, 0, NULL, &t), NPU_E_INVALID);
	CHECK_EQ(npu_graph_add_node(g, NPU_NODE_RELU, "", 1, IN(x), 1, &y, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_node_set_attr_int(n, "alpha", 1), NPU_E_INVALID);
	CHECK_EQ(npu_tensor_set_data(x, NPU_DTYPE_FLOAT32, 0, NULL, (const float[]){ 1 }),
		 NPU_E_INVALID);
	CHECK_EQ(npu_graph_remove_tensor(g, x), NPU_E_BUSY);
	npu_graph_free(g);
}
