// SPDX-License-Identifier: MIT
/*
 * Float-preserving graph rewrites before quantization: BatchNormalization
 * folding and cross-layer equalization.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph/graph_priv.h"
#include "npu/error.h"
#include "quant/quant_priv.h"

struct npu_node *npu_quant_sole_user(const struct npu_graph *g, const struct npu_tensor *t,
				     size_t *slot)
{
	struct npu_node *user = NULL;
	size_t count = 0;

	for (size_t i = 0; i < g->n_outputs; i++)
		if (g->outputs[i] == t)
			return NULL;
	for (size_t i = 0; i < g->n_nodes; i++)
		for (size_t j = 0; j < g->nodes[i]->n_in; j++)
			if (g->nodes[i]->in[j] == t) {
				user = g->nodes[i];
				if (slot)
					*slot = j;
				count++;
			}
	return count == 1 ? user : NULL;
}

/* A float constant that only node n reads (so it may be rewritten in place). */
static float *private_const(const struct npu_graph *g, const struct npu_node *n, size_t slot)
{
	struct npu_tensor *t = slot < n->n_in ? n->in[slot] : NULL;

	if (!t || !t->data || t->dtype != NPU_DTYPE_FLOAT32 || npu_quant_sole_user(g, t, NULL) != n)
		return NULL;
	return t->data;
}

/* The bias of a Conv or Gemm with `count` channels; a zero one is added if it has none. */
static float *node_bias(struct npu_graph *g, struct npu_node *n, int64_t count)
{
	struct npu_tensor *t;
	float *zeros;
	char name[256];
	int ret;

	if (n->n_in > 2 && n->in[2])
		return private_const(g, n, 2) && npu_tensor_numel(n->in[2]) == (size_t)count ?
		       n->in[2]->data : NULL;
	zeros = calloc((size_t)count, sizeof(*zeros));
	if (!zeros)
		return NULL;
	snprintf(name, sizeof(name), "%s_bias", n->out[0]->name);
	ret = npu_graph_add_constant(g, name, NPU_DTYPE_FLOAT32, 1, &count, zeros, &t);
	free(zeros);
	if (ret || npu_node_set_input(n, 2, t))
		return NULL;
	return t->data;
}

/*
 * Channel c of Conv weights [oc][...] or Gemm weights ([n][k] with
 * transB, else [k][n]) scaled by f, for `in_side` the input channel
 * of a Conv [oc][ic][...].
 */
static void scale_channel(const struct npu_tensor *w, int gemm_trans, int in_side, int64_t c,
			  double f)
{
	float *d = w->data;
	size_t inner = 1;

	if (w->rank == 2 && !gemm_trans) {
		for (int64_t k = 0; k < w->dims[0]; k++)
			d[k * w->dims[1] + c] = (float)(d[k * w->dims[1] + c] * f);
		return;
	}
	for (int i = 2; i < w->rank; i++)
		inner *= (size_t)w->dims[i];
	if (!in_side) {
		inner *= (size_t)w->dims[1];
		for (size_t i = 0; i < inner; i++)
			d[c * inner + i] = (float)(d[c * inner + i] * f);
		return;
	}
	for (int64_t o = 0; o < w->dims[0]; o++)
		for (size_t i = 0; i < inner; i++) {
			float *v = &d[((size_t)o * w->dims[1] + c) * inner + i];

			*v = (float)(*v * f);
		}
}

static int fold_one(struct npu_graph *g, struct npu_node *n, struct npu_node *bn)
{
	const int is_gemm = n->op == NPU_NODE_GEMM;
	const struct npu_tensor *w = n->in[1];
	const int trans = is_gemm ? (int)npu_attr_int(n, "transB") : 0;
	const int64_t count = w->rank == 2 && !trans ? w->dims[1] : w->dims[0];
	const float eps = npu_attr_float(bn, "epsilon");
	const float *gamma, *beta, *mean, *var;
	struct npu_tensor *old;
	float *bias;

	for (int i = 1; i < 5; i++)
		if (!bn->in[i]->data || bn->in[i]->dtype != NPU_DTYPE_FLOAT32 ||
		    npu_tensor_numel(bn->in[i]) != (size_t)count)
			return 0;
	if (!private_const(g, n, 1) || (is_gemm && (npu_attr_int(n, "transA") ||
		npu_attr_float(n, "alpha") != 1.0f || npu_attr_float(n, "beta") != 1.0f)))
		return 0;
	bias = node_bias(g, n, count);
	if (!bias)
		return 0;
	gamma = bn->in[1]->data;
	beta = bn->in[2]->data;
	mean = bn->in[3]->data;
	var = bn->in[4]->data;
	for (int64_t c = 0; c < count; c++) {
		const double f = gamma[c] / sqrt((double)var[c] + eps);

		scale_channel(w, trans, 0, c, f);
		bias[c] = (float)((bias[c] - mean[c]) * f + beta[c]);
	}
	old = n->out[0];
	n->out[0] = bn->out[0];
	bn->out[0] = old;
	if (npu_graph_remove_node(g, bn) || npu_graph_remove_tensor(g, old))
		return -1;
	return 1;
}

int npu_graph_fold_batchnorm(struct npu_graph *g, size_t *folded)
{
	size_t count = 0;
	int ret = g ? npu_graph_infer_shapes(g) : npu_fail(NPU_E_INVALID, "fold: NULL graph");

	for (size_t i = 0; !ret && i < g->n_nodes; i++) {
		struct npu_node *n = g->nodes[i], *bn;

		if ((n->op != NPU_NODE_CONV && n->op != NPU_NODE_GEMM) || n->in[1]->rank < 2)
			continue;
		bn = npu_quant_sole_user(g, n->out[0], NULL);
		if (!bn || bn->op != NPU_NODE_BATCH_NORMALIZATION || bn->n_out != 1 ||
		    bn->in[0] != n->out[0])
			continue;
		ret = fold_one(g, n, bn);
		if (ret > 0) {
			count++;
			ret = 0;
		}
	}
	if (!ret)
		ret = npu_graph_infer_shapes(g);
	if (folded)
		*folded = count;
	return ret;
}

/* Largest |w| of output channel c (in_side 0) or input channel c (1) of conv weights. */
static double channel_range(const struct npu_tensor *w, int in_side, int64_t c)
{
	const float *d = w->data;
	const size_t inner = npu_tensor_numel(w) / (size_t)(w->dims[0] * w->dims[1]);
	double r = 0.0;

	for (int64_t o = 0; o < w->dims[0]; o++)
		for (int64_t i = 0; i < w->dims[1]; i++)
			if ((in_side ? i : o) == c)
				for (size_t k = 0; k < inner; k++)
					r = fmax(r, fabs(d[((size_t)o * w->dims[1] + i) * inner + k]));
	return r;
}

int npu_graph_equalize(struct npu_graph *g, size_t *pairs)
{
	size_t count = 0;
	int ret = g ? npu_graph_infer_shapes(g) : npu_fail(NPU_E_INVALID, "cle: NULL graph");

	for (size_t i = 0; !ret && i < g->n_nodes; i++) {
		struct npu_node *c1 = g->nodes[i], *act, *c2;
		size_t slot = 0;
		int64_t channels;
		float *b1;

		if (c1->op != NPU_NODE_CONV || npu_attr_int(c1, "group") != 1 ||
		    !private_const(g, c1, 1))
			continue;
		act = npu_quant_sole_user(g, c1->out[0], NULL);
		/* Clip (ReLU6) has a fixed bound that a channel scale would move: skipped. */
		if (!act || act->op != NPU_NODE_RELU)
			continue;
		c2 = npu_quant_sole_user(g, act->out[0], &slot);
		if (!c2 || c2->op != NPU_NODE_CONV || slot != 0 || npu_attr_int(c2, "group") != 1 ||
		    !private_const(g, c2, 1))
			continue;
		channels = c1->in[1]->dims[0];
		if (c2->in[1]->dims[1] != channels)
			continue;
		b1 = node_bias(g, c1, channels);
		if (!b1)
			continue;
		for (int64_t c = 0; c < channels; c++) {
			const double r1 = channel_range(c1->in[1], 0, c);
			const double r2 = channel_range(c2->in[1], 1, c);
			double s;

			if (!(r1 > 0.0) || !(r2 > 0.0))
				continue;
			/* Both ranges become sqrt(r1 * r2). */
			s = sqrt(r1 / r2);
			scale_channel(c1->in[1], 0, 0, c, 1.0 / s);
			b1[c] = (float)(b1[c] / s);
			scale_channel(c2->in[1], 0, 1, c, s);
		}
		count++;
	}
	if (!ret)
		ret = npu_graph_infer_shapes(g);
	if (pairs)
		*pairs = count;
	return ret;
}
