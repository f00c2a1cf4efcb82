// SPDX-License-Identifier: MIT
/*
 * The reference interpreter: evaluates a graph node by node on the CPU
 * with the kernels of ref/, inferring each node's output shapes from
 * the actual input values first (so shapes that depend on values, such
 * as Reshape's, are known here even when they were not at load).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph_priv.h"
#include "npu/error.h"

/* Input slots always present for npu_infer_node (omitted ones UNDEFINED). */
#define MIN_SLOTS	16

static int norm_axis(int64_t axis, int rank)
{
	return (int)(axis < 0 ? axis + rank : axis);
}

/* Run node n's kernel on inputs in[] into the allocated outputs out[]. */
static int run_node(const struct npu_graph *g, const struct npu_node *n,
		    const struct npu_value *in, struct npu_value *const *out)
{
	struct npu_ref_window win;
	int ret = 0;

	switch (n->op) {
	case NPU_NODE_CONV:
		ret = npu_node_window(g, n, &in[0], &in[1].dims[2], &win);
		if (!ret)
			npu_ref_conv(&in[0], &in[1], &in[2], npu_attr_int(n, "group"), &win, out[0]);
		break;
	case NPU_NODE_CONV_INTEGER:
		ret = npu_node_window(g, n, &in[0], &in[1].dims[2], &win);
		if (!ret)
			npu_ref_conv_integer(&in[0], &in[1], &in[2], &in[3],
					     npu_attr_int(n, "group"), &win, out[0]);
		break;
	case NPU_NODE_QLINEAR_CONV:
		ret = npu_node_window(g, n, &in[0], &in[3].dims[2], &win);
		if (!ret)
			ret = npu_ref_qlinear_conv(&in[0], &in[1], &in[2], &in[3], &in[4], &in[5],
						   &in[6], &in[7], &in[8],
						   npu_attr_int(n, "group"), &win, out[0]);
		break;
	case NPU_NODE_GEMM:
		npu_ref_gemm(&in[0], &in[1], &in[2], npu_attr_float(n, "alpha"),
			     npu_attr_float(n, "beta"), (int)npu_attr_int(n, "transA"),
			     (int)npu_attr_int(n, "transB"), out[0]);
		break;
	case NPU_NODE_MATMUL:
		npu_ref_matmul(&in[0], &in[1], out[0]);
		break;
	case NPU_NODE_MATMUL_INTEGER:
		npu_ref_matmul_integer(&in[0], &in[1], &in[2], &in[3], out[0]);
		break;
	case NPU_NODE_QLINEAR_MATMUL:
		ret = npu_ref_qlinear_matmul(&in[0], &in[1], &in[2], &in[3], &in[4], &in[5],
					     &in[6], &in[7], out[0]);
		break;
	case NPU_NODE_RELU:
		npu_ref_unary(NPU_REF_RELU, 0.0f, &in[0], out[0]);
		break;
	case NPU_NODE_LEAKY_RELU:
		npu_ref_unary(NPU_REF_LEAKY_RELU, npu_attr_float(n, "alpha"), &in[0], out[0]);
		break;
	case NPU_NODE_SIGMOID:
		npu_ref_unary(NPU_REF_SIGMOID, 0.0f, &in[0], out[0]);
		break;
	case NPU_NODE_TANH:
		npu_ref_unary(NPU_REF_TANH, 0.0f, &in[0], out[0]);
		break;
	case NPU_NODE_HARD_SWISH:
		npu_ref_unary(NPU_REF_HARD_SWISH, 0.0f, &in[0], out[0]);
		break;
	case NPU_NODE_CLIP:
		npu_ref_clip(&in[0], &in[1], &in[2], out[0]);
		break;
	case NPU_NODE_MAX_POOL:
		ret = npu_node_window(g, n, &in[0], NULL, &win);
		if (!ret)
			npu_ref_max_pool(&in[0], &win, npu_attr_int(n, "storage_order"), out[0],
					 n->n_out > 1 ? out[1] : NULL);
		break;
	case NPU_NODE_AVERAGE_POOL:
		ret = npu_node_window(g, n, &in[0], NULL, &win);
		if (!ret)
			npu_ref_average_pool(&in[0], &win,
					     (int)npu_attr_int(n, "count_include_pad"), out[0]);
		break;
	case NPU_NODE_GLOBAL_AVERAGE_POOL:
		npu_ref_global_average_pool(&in[0], out[0]);
		break;
	case NPU_NODE_ADD:
		npu_ref_binary(NPU_REF_ADD, &in[0], &in[1], out[0]);
		break;
	case NPU_NODE_MUL:
		npu_ref_binary(NPU_REF_MUL, &in[0], &in[1], out[0]);
		break;
	case NPU_NODE_CONCAT: {
		const struct npu_value **list = malloc(n->n_in * sizeof(*list));

		if (!list)
			return npu_fail(NPU_E_NOMEM, "out of memory");
		for (size_t i = 0; i < n->n_in; i++)
			list[i] = &in[i];
		npu_ref_concat(list, n->n_in, norm_axis(npu_attr_int(n, "axis"), in[0].rank),
			       out[0]);
		free(list);
		break;
	}
	case NPU_NODE_FLATTEN:
	case NPU_NODE_RESHAPE:
	case NPU_NODE_IDENTITY:
		npu_ref_copy(&in[0], out[0]);
		break;
	case NPU_NODE_TRANSPOSE: {
		int64_t perm[NPU_MAX_RANK];
		size_t count;
		const int64_t *p = npu_attr_ints(n, "perm", &count);

		for (int i = 0; i < in[0].rank; i++)
			perm[i] = count ? p[i] : in[0].rank - 1 - i;
		npu_ref_transpose(&in[0], perm, out[0]);
		break;
	}
	case NPU_NODE_PAD: {
		const char *mode = npu_attr_string(n, "mode");

		npu_ref_pad(&in[0], in[1].data, &in[2],
			    !strcmp(mode, "reflect") ? NPU_REF_PAD_REFLECT :
			    !strcmp(mode, "edge") ? NPU_REF_PAD_EDGE : NPU_REF_PAD_CONSTANT,
			    out[0]);
		break;
	}
	case NPU_NODE_SOFTMAX:
		npu_ref_softmax(&in[0], norm_axis(npu_attr_int(n, "axis"), in[0].rank),
				g->opset < 13, out[0]);
		break;
	case NPU_NODE_BATCH_NORMALIZATION:
		npu_ref_batch_norm(&in[0], &in[1], &in[2], &in[3], &in[4],
				   npu_attr_float(n, "epsilon"), out[0]);
		break;
	case NPU_NODE_CAST:
		npu_ref_cast(&in[0], out[0]);
		break;
	case NPU_NODE_QUANTIZE_LINEAR:
		npu_ref_quantize_linear(&in[0], &in[1], &in[2],
					norm_axis(npu_attr_int(n, "axis"), in[0].rank), out[0]);
		break;
	case NPU_NODE_DEQUANTIZE_LINEAR:
		npu_ref_dequantize_linear(&in[0], &in[1], &in[2],
					  norm_axis(npu_attr_int(n, "axis"), in[0].rank), out[0]);
		break;
	default:
		return npu_fail(NPU_E_UNSUPPORTED, "no kernel for op %d", (int)n->op);
	}
	if (ret == NPU_E_INVALID) {
		char label[160];

		return npu_fail(ret, "%s: a scale cannot be represented in fixed point",
				npu_node_label(g, n, label, sizeof(label)));
	}
	return ret;
}

/* The caller's inputs must match the graph inputs' types and known shapes. */
int npu_interp_check_inputs(const struct npu_graph *g, const struct npu_value *inputs)
{
	for (size_t i = 0; i < g->n_inputs; i++) {
		const struct npu_tensor *t = g->inputs[i];
		const struct npu_value *v = &inputs[i];
		size_t count;
		int same = v->rank == t->rank;

		for (int d = 0; same && d < t->rank; d++)
			same = v->dims[d] == t->dims[d];
		if (v->dtype != t->dtype || !v->data || npu_shape_numel(v->rank, v->dims, &count) ||
		    (t->rank >= 0 && !same))
			return npu_fail(NPU_E_INVALID, "input '%s': value of another type or shape",
					t->name);
	}
	return 0;
}

/* Views of the graph's inputs and constants; node outputs are allocated later. */
void npu_interp_bind(const struct npu_graph *g, const struct npu_value *inputs,
		     struct npu_value *values)
{
	for (size_t i = 0; i < g->n_tensors; i++) {
		const struct npu_tensor *t = g->tensors[i];

		values[i].rank = -1;
		if (!t->data)
			continue;
		values[i].dtype = t->dtype;
		values[i].rank = t->rank;
		memcpy(values[i].dims, t->dims, sizeof(t->dims));
		values[i].data = t->data;
	}
	for (size_t i = 0; i < g->n_inputs; i++)
		values[g->inputs[i]->index] = inputs[i];
}

int npu_interp_eval_node(const struct npu_graph *g, const struct npu_node *n,
			 struct npu_value *values, unsigned char *owned,
			 npu_value_observer observer, void *ctx)
{
	const size_t slots = n->n_in > MIN_SLOTS ? n->n_in : MIN_SLOTS;
	struct npu_value *in = calloc(slots, sizeof(*in));
	struct npu_value shapes[5];
	struct npu_value *out[5];
	int ret;

	if (!in)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	for (size_t i = 0; i < slots; i++) {
		if (i < n->n_in && n->in[i])
			in[i] = values[n->in[i]->index];
		else
			in[i].rank = -1;
	}
	ret = npu_infer_node(g, n, in, shapes);
	for (size_t i = 0; !ret && i < n->n_out; i++) {
		const size_t at = n->out[i]->index;

		out[i] = &values[at];
		ret = npu_value_alloc(out[i], shapes[i].dtype, shapes[i].rank, shapes[i].dims);
		if (!ret)
			owned[at] = 1;
	}
	if (!ret)
		ret = run_node(g, n, in, out);
	for (size_t i = 0; !ret && observer && i < n->n_out; i++)
		ret = observer(ctx, n->out[i], out[i]);
	free(in);
	return ret;
}

int npu_interp_finish(const struct npu_graph *g, struct npu_value *values, unsigned char *owned,
		      int ret, struct npu_value *outputs)
{
	/* Outputs are copies: a graph output may also be an input or a constant. */
	for (size_t i = 0; !ret && i < g->n_outputs; i++) {
		const struct npu_value *v = &values[g->outputs[i]->index];

		ret = npu_value_alloc(&outputs[i], v->dtype, v->rank, v->dims);
		if (!ret)
			memcpy(outputs[i].data, v->data, npu_value_numel(v) * npu_dtype_size(v->dtype));
	}
	if (ret)
		for (size_t i = 0; i < g->n_outputs; i++)
			npu_value_free(&outputs[i]);
	for (size_t i = 0; i < g->n_tensors; i++)
		if (owned[i])
			npu_value_free(&values[i]);
	free(values);
	free(owned);
	return ret;
}

int npu_graph_run_reference(struct npu_graph *g, const struct npu_value *inputs,
			    struct npu_value *outputs, npu_value_observer observer, void *ctx)
{
	struct npu_value *values;
	unsigned char *owned;
	int ret;

	if (!g || (g->n_inputs && !inputs) || !outputs)
		return npu_fail(NPU_E_INVALID, "run: NULL argument");
	memset(outputs, 0, g->n_outputs * sizeof(*outputs));
	ret = npu_graph_infer_shapes(g);
	if (!ret)
		ret = npu_interp_check_inputs(g, inputs);
	if (ret)
		return ret;
	values = calloc(g->n_tensors ? g->n_tensors : 1, sizeof(*values));
	owned = calloc(g->n_tensors ? g->n_tensors : 1, 1);
	if (!values || !owned) {
		free(values);
		free(owned);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	npu_interp_bind(g, inputs, values);
	for (size_t i = 0; !ret && i < g->n_nodes; i++)
		ret = npu_interp_eval_node(g, g->nodes[i], values, owned, observer, ctx);
	return npu_interp_finish(g, values, owned, ret, outputs);
}
