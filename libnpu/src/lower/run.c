// SPDX-License-Identifier: MIT
/*
 * The int8 executor: runs a lowered graph, the integer operations on
 * the int8 CPU kernels and the rest on the reference interpreter.
 * Quantized values stay in the graph's NCHW layout between operations;
 * CONV and POOL see NHWC copies, as the device's SRAM holds them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "graph/graph_priv.h"
#include "lower/lower.h"
#include "npu/error.h"
#include "npu/int8.h"

int npu_graph_is_quantized(const struct npu_graph *g)
{
	for (size_t i = 0; g && i < g->n_nodes; i++)
		switch (g->nodes[i]->op) {
		case NPU_NODE_QUANTIZE_LINEAR:
		case NPU_NODE_DEQUANTIZE_LINEAR:
		case NPU_NODE_QLINEAR_CONV:
		case NPU_NODE_QLINEAR_MATMUL:
			return 1;
		default:
			break;
		}
	return 0;
}

int npu_int8_model_create(struct npu_graph *graph, struct npu_int8_model **model)
{
	return npu_lower_graph(graph, model);
}

void npu_int8_model_free(struct npu_int8_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_ops; i++) {
		free(m->ops[i].weights);
		free(m->ops[i].bias);
		free(m->ops[i].channel_quant);
	}
	free(m->ops);
	free(m);
}

void npu_int8_model_counts(const struct npu_int8_model *m, size_t *int8_ops, size_t *float_ops)
{
	size_t f = 0;

	for (size_t i = 0; i < m->n_ops; i++)
		f += m->ops[i].kind == NPU_LOWER_FLOAT;
	if (int8_ops)
		*int8_ops = m->n_ops - f;
	if (float_ops)
		*float_ops = f;
}

void npu_lower_relayout(const uint8_t *src, uint8_t *dst, size_t c, size_t hw, int to_nhwc)
{
	for (size_t ch = 0; ch < c; ch++)
		for (size_t i = 0; i < hw; i++) {
			if (to_nhwc)
				dst[i * c + ch] = src[ch * hw + i];
			else
				dst[ch * hw + i] = src[i * c + ch];
		}
}

/* CONV or POOL, image by image: NCHW value -> NHWC -> kernel -> NCHW value. */
static int run_spatial(const struct npu_lower_op *op, const struct npu_value *x,
		       struct npu_value *y)
{
	const int is_conv = op->kind == NPU_LOWER_CONV;
	const size_t in_c = (size_t)x->dims[1], in_hw = (size_t)(x->dims[2] * x->dims[3]);
	const size_t out_c = (size_t)y->dims[1], out_hw = (size_t)(y->dims[2] * y->dims[3]);
	uint8_t *in = malloc(in_c * in_hw), *out = malloc(out_c * out_hw);
	int ret = 0;

	if (!in || !out) {
		free(in);
		free(out);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	for (int64_t b = 0; !ret && b < x->dims[0]; b++) {
		npu_lower_relayout((const uint8_t *)x->data + b * in_c * in_hw, in, in_c, in_hw, 1);
		if (is_conv) {
			struct npu_conv_params p = op->p.conv;

			p.input = in;
			p.output = out;
			ret = npu_kernel_conv(&p);
		} else {
			struct npu_pool_params p = op->p.pool;

			p.input = in;
			p.output = out;
			ret = npu_kernel_pool(&p);
		}
		npu_lower_relayout(out, (uint8_t *)y->data + b * out_c * out_hw, out_c, out_hw, 0);
	}
	free(in);
	free(out);
	return ret;
}

int npu_lower_run_op(const struct npu_lower_op *op, const struct npu_value *values,
		     struct npu_value *y)
{
	const struct npu_value *x = &values[op->in[0]->index];
	int ret = 0;

	switch (op->kind) {
	case NPU_LOWER_CONV:
	case NPU_LOWER_POOL:
		ret = run_spatial(op, x, y);
		break;
	case NPU_LOWER_MATMUL: {
		struct npu_matmul_params p = op->p.matmul;

		p.input = x->data;
		p.output = y->data;
		ret = npu_kernel_matmul(&p);
		break;
	}
	case NPU_LOWER_ELTWISE: {
		struct npu_eltwise_params p = op->p.eltwise;

		p.a = x->data;
		p.b = values[op->in[1]->index].data;
		p.output = y->data;
		ret = npu_kernel_eltwise(&p);
		break;
	}
	case NPU_LOWER_LUT: {
		struct npu_lut_params p = op->p.lut;

		/* Bound here: the operation moves while the model is lowered. */
		p.table = op->table;
		p.input = x->data;
		p.output = y->data;
		ret = npu_kernel_lut(&p);
		break;
	}
	case NPU_LOWER_COPY:
		memcpy(y->data, x->data, npu_value_numel(y));
		break;
	case NPU_LOWER_FLOAT:
		break;
	}
	return ret;
}

int npu_lower_op_reads(const struct npu_lower_op *op, const struct npu_tensor *t)
{
	const size_t n = op->kind == NPU_LOWER_FLOAT ? op->node->n_in : op->n_in;

	for (size_t j = 0; j < n; j++)
		if ((op->kind == NPU_LOWER_FLOAT ? op->node->in[j] : op->in[j]) == t)
			return 1;
	return 0;
}

/* The CPU placement of every integer operation: the int8 kernels. */
static int run_on_cpu(void *ctx, size_t index, const struct npu_value *values,
		      struct npu_value *y)
{
	const struct npu_int8_model *m = ctx;

	return npu_lower_run_op(&m->ops[index], values, y);
}

int npu_int8_model_run(const struct npu_int8_model *m, const struct npu_value *inputs,
		       struct npu_value *outputs)
{
	return npu_lower_run(m, inputs, outputs, run_on_cpu, (void *)m, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int npu_lower_run(const struct npu_int8_model *m, const struct npu_value *inputs,
		  struct npu_value *outputs, npu_lower_run_fn run_op, void *ctx,
		  uint64_t *op_ns)
{
	struct npu_graph *g;
	struct npu_value *values;
	unsigned char *owned;
	int ret;

	if (!m || !outputs || (m->graph->n_inputs && !inputs))
		return npu_fail(NPU_E_INVALID, "int8 run: NULL argument");
	g = m->graph;
	memset(outputs, 0, g->n_outputs * sizeof(*outputs));
	ret = npu_interp_check_inputs(g, inputs);
	if (ret)
		return ret;
	values = calloc(g->n_tensors + 1, sizeof(*values));
	owned = calloc(g->n_tensors + 1, 1);
	if (!values || !owned) {
		free(values);
		free(owned);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	npu_interp_bind(g, inputs, values);
	for (size_t i = 0; !ret && i < m->n_ops; i++) {
		const struct npu_lower_op *op = &m->ops[i];
		const struct npu_tensor *t = op->out;
		const uint64_t t0 = op_ns ? now_ns() : 0;
		char label[160];

		if (op->kind == NPU_LOWER_FLOAT) {
			ret = npu_interp_eval_node(g, op->node, values, owned, NULL, NULL);
		} else {
			ret = npu_value_alloc(&values[t->index], t->dtype, t->rank, t->dims);
			if (ret)
				break;
			owned[t->index] = 1;
			ret = run_op(ctx, i, values, &values[t->index]);
			if (ret == NPU_E_INVALID)
				ret = npu_fail(ret, "%s: the int8 operation was refused",
					       npu_node_label(g, op->node, label, sizeof(label)));
		}
		if (op_ns)
			op_ns[i] += now_ns() - t0;
	}
	return npu_interp_finish(g, values, owned, ret, outputs);
}
