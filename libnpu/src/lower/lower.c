// SPDX-License-Identifier: MIT
/*
 * Lowering quantized graphs into the device's integer operations.
 *
 * A float operator becomes an integer operation when its inputs come
 * from DequantizeLinear nodes (per-tensor activations; per-tensor or
 * per-output-channel int8 weights with zero point 0, as the device's
 * weights are) and its result, after an optional Relu or Clip, goes
 * only to a QuantizeLinear: the operation then reads the quantized
 * input and writes the quantized output directly, and the float values
 * in between never exist.  QLinearConv and QLinearMatMul state the same
 * parameters themselves.  Everything else stays a float node; DQ and Q
 * nodes left without a live consumer are dropped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph/graph_priv.h"
#include "lower/lower.h"
#include "npu/error.h"
#include "npu/int8.h"
#include "npu_cmd.h"

/* Per-tensor quantization of an activation. */
struct qp {
	float scale;
	int32_t zp;
	enum npu_dtype dtype;	/* INT8 or UINT8 */
};

struct lower_ctx {
	struct npu_graph *g;
	size_t *uses;			/* per tensor: node inputs + graph outputs */
	struct npu_node **user;		/* per tensor: its last consumer */
	unsigned char *consumed;	/* per node: part of a lowered operation */
	struct npu_int8_model *m;
	size_t cap;
};

static size_t node_index(const struct npu_graph *g, const struct npu_node *n)
{
	size_t i = 0;

	while (g->nodes[i] != n)
		i++;
	return i;
}

static const struct npu_node *producer(const struct lower_ctx *c, const struct npu_tensor *t,
				       enum npu_node_op op)
{
	const struct npu_node *n = t ? npu_tensor_producer(c->g, t) : NULL;

	return n && n->op == op && !c->consumed[node_index(c->g, n)] ? n : NULL;
}

/* The only reader of t, if t is not a graph output either. */
static struct npu_node *sole_user(const struct lower_ctx *c, const struct npu_tensor *t)
{
	for (size_t i = 0; i < c->g->n_outputs; i++)
		if (c->g->outputs[i] == t)
			return NULL;
	return c->uses[t->index] == 1 ? c->user[t->index] : NULL;
}

static int is_q8(enum npu_dtype d)
{
	return d == NPU_DTYPE_INT8 || d == NPU_DTYPE_UINT8;
}

static int32_t qmin(enum npu_dtype d)
{
	return d == NPU_DTYPE_UINT8 ? 0 : -128;
}

static int32_t qmax(enum npu_dtype d)
{
	return d == NPU_DTYPE_UINT8 ? 255 : 127;
}

/* A constant scalar (numel 1) as a double, or 0 if t is not one. */
static int const_scalar(const struct npu_tensor *t, double *v)
{
	struct npu_value val;

	if (!t || !t->data || npu_tensor_numel(t) != 1)
		return 0;
	val.dtype = t->dtype;
	val.data = t->data;
	*v = t->dtype == NPU_DTYPE_FLOAT32 ? npu_ref_get_f(&val, 0) : (double)npu_ref_get_i(&val, 0);
	return 1;
}

/* Per-tensor parameters from a scale and optional zero point, for quantized tensor q. */
static int scale_zp(const struct npu_tensor *s, const struct npu_tensor *z,
		    const struct npu_tensor *q, struct qp *p)
{
	double scale, zp = 0.0;

	if (!is_q8(q->dtype) || !const_scalar(s, &scale) || (z && !const_scalar(z, &zp)) ||
	    !(scale > 0.0) || !isfinite(scale))
		return 0;
	p->scale = (float)scale;
	p->zp = (int32_t)zp;
	p->dtype = q->dtype;
	return 1;
}

/* The parameters of a QuantizeLinear or DequantizeLinear node. */
static int node_qp(const struct npu_node *n, const struct npu_tensor *q, struct qp *p)
{
	return scale_zp(n->in[1], n->n_in > 2 ? n->in[2] : NULL, q, p);
}

/* A DequantizeLinear feeding t with per-tensor parameters: its quantized input. */
static const struct npu_tensor *dq_input(const struct lower_ctx *c, const struct npu_tensor *t,
					 struct qp *p)
{
	const struct npu_node *dq = producer(c, t, NPU_NODE_DEQUANTIZE_LINEAR);

	if (!dq || dq->in[0]->rank < 0 || !node_qp(dq, dq->in[0], p))
		return NULL;
	return dq->in[0];
}

/* Constant int8 weights behind t: data, and per-channel scales along `axis` (count 1 or dims[axis]). */
struct wts {
	const struct npu_tensor *q;
	const float *scale;
	size_t count;
};

static int dq_weights(const struct lower_ctx *c, const struct npu_tensor *t, int axis,
		      struct wts *w)
{
	const struct npu_node *dq = producer(c, t, NPU_NODE_DEQUANTIZE_LINEAR);
	const struct npu_tensor *s, *z;
	int64_t dq_axis;

	if (!dq || !dq->in[0]->data || dq->in[0]->dtype != NPU_DTYPE_INT8)
		return 0;
	s = dq->in[1];
	z = dq->n_in > 2 ? dq->in[2] : NULL;
	if (!s->data || s->dtype != NPU_DTYPE_FLOAT32)
		return 0;
	w->q = dq->in[0];
	w->scale = s->data;
	w->count = npu_tensor_numel(s);
	dq_axis = npu_attr_int(dq, "axis");
	if (dq_axis < 0)
		dq_axis += w->q->rank;
	if (w->count != 1 && (dq_axis != axis || w->count != (size_t)w->q->dims[axis]))
		return 0;
	/* The device's weights have no zero point. */
	if (z) {
		if (!z->data)
			return 0;
		for (size_t i = 0; i < npu_tensor_numel(z); i++)
			if (((const int8_t *)z->data)[i])
				return 0;
	}
	for (size_t i = 0; i < w->count; i++)
		if (!(w->scale[i] > 0.0f) || !isfinite(w->scale[i]))
			return 0;
	return 1;
}

/* The int32 bias at scale x_scale * w_scale[oc] from t (NULL, float constant or DQ of int32). */
static int bias_values(const struct lower_ctx *c, const struct npu_tensor *t, float x_scale,
		       const struct wts *w, size_t oc, int32_t *bias)
{
	const struct npu_node *dq = producer(c, t, NPU_NODE_DEQUANTIZE_LINEAR);
	struct npu_value src = { 0 };
	const float *bs = NULL;
	const int32_t *bz = NULL;
	size_t bcount = 1;

	if (dq) {
		const struct npu_tensor *z = dq->n_in > 2 ? dq->in[2] : NULL;

		if (!dq->in[0]->data || dq->in[0]->dtype != NPU_DTYPE_INT32 || !dq->in[1]->data ||
		    (z && !z->data))
			return 0;
		bs = dq->in[1]->data;
		bz = z ? z->data : NULL;
		bcount = npu_tensor_numel(dq->in[1]);
		t = dq->in[0];
	} else if (t->data && t->dtype == NPU_DTYPE_INT32 && npu_tensor_numel(t) == oc) {
		/* QLinearConv's bias is already at x_scale * w_scale. */
		memcpy(bias, t->data, oc * sizeof(*bias));
		return 1;
	} else if (!t->data || t->dtype != NPU_DTYPE_FLOAT32) {
		return 0;
	}
	if (npu_tensor_numel(t) != oc || (bcount != 1 && bcount != oc))
		return 0;
	src.dtype = t->dtype;
	src.data = t->data;
	for (size_t i = 0; i < oc; i++) {
		const size_t k = bcount == 1 ? 0 : i;
		double real = npu_ref_get_f(&src, i);
		double q;

		if (bs)
			real = (real - (bz ? bz[k] : 0)) * bs[k];
		q = nearbyint(real / ((double)x_scale * w->scale[w->count == 1 ? 0 : i]));
		if (!(fabs(q) <= INT32_MAX))
			return 0;
		bias[i] = (int32_t)q;
	}
	return 1;
}

/*
 * The chain after a float result t: an optional Relu or Clip (constant
 * bounds), then a QuantizeLinear.  Fills the output's parameters and
 * clamp, and the nodes to mark consumed; NULL if t does not end so.
 */
static const struct npu_tensor *quant_tail(const struct lower_ctx *c, const struct npu_tensor *t,
					   int allow_act, struct qp *y, int32_t *act_min,
					   int32_t *act_max, struct npu_node **tail)
{
	struct npu_node *n = sole_user(c, t);
	double lo = -INFINITY, hi = INFINITY;

	tail[0] = tail[1] = NULL;
	if (n && allow_act && (n->op == NPU_NODE_RELU || n->op == NPU_NODE_CLIP)) {
		if (n->op == NPU_NODE_RELU) {
			lo = 0.0;
		} else if ((n->n_in > 1 && n->in[1] && !const_scalar(n->in[1], &lo)) ||
			   (n->n_in > 2 && n->in[2] && !const_scalar(n->in[2], &hi))) {
			return NULL;
		}
		tail[1] = n;
		n = sole_user(c, n->out[0]);
	}
	if (!n || n->op != NPU_NODE_QUANTIZE_LINEAR || n->out[0]->rank < 0 ||
	    !node_qp(n, n->out[0], y))
		return NULL;
	tail[0] = n;
	*act_min = qmin(y->dtype);
	*act_max = qmax(y->dtype);
	/* Real bounds become quantized ones: real 0 is exactly the zero point. */
	if (lo > -INFINITY)
		*act_min = (int32_t)fmax(*act_min, y->zp + nearbyint(lo / y->scale));
	if (hi < INFINITY)
		*act_max = (int32_t)fmin(*act_max, y->zp + nearbyint(hi / y->scale));
	if (*act_min > *act_max)
		return NULL;
	return n->out[0];
}

static struct npu_lower_op *new_op(struct lower_ctx *c, enum npu_lower_kind kind,
				   const struct npu_node *node)
{
	struct npu_lower_op *op;

	if (c->m->n_ops == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct npu_lower_op *grown = realloc(c->m->ops, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		c->m->ops = grown;
		c->cap = cap;
	}
	op = &c->m->ops[c->m->n_ops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->node = node;
	return op;
}

static void free_op(struct npu_lower_op *op)
{
	free(op->weights);
	free(op->bias);
	free(op->channel_quant);
}

static void consume(struct lower_ctx *c, const struct npu_node *anchor, struct npu_node **tail)
{
	c->consumed[node_index(c->g, anchor)] = 1;
	for (int i = 0; i < 2; i++)
		if (tail[i])
			c->consumed[node_index(c->g, tail[i])] = 1;
}

/* Multipliers of real scales x_s * w_s[oc] / y_s: per tensor in *q, else a table. */
static int requant_table(double xs, const struct wts *w, double ys, size_t oc,
			 struct npu_quant *q, struct npu_quant **table)
{
	*table = NULL;
	if (w->count == 1)
		return npu_quant_from_scale(xs * w->scale[0] / ys, q) ? 0 : 1;
	*table = malloc(oc * sizeof(**table));
	if (!*table)
		return -1;
	for (size_t i = 0; i < oc; i++)
		if (npu_quant_from_scale(xs * w->scale[i] / ys, &(*table)[i]) ||
		    !npu_quant_valid(&(*table)[i])) {
			free(*table);
			*table = NULL;
			return 0;
		}
	q->multiplier = q->shift = 0;
	return 1;
}

static int fits16(int64_t v)
{
	return v >= 1 && v <= 65535;
}

/* The operands of a convolution, from QDQ or QLinearConv. */
/* The CONV/MATMUL flags: operand types and the optional per-channel and bias tables. */
static uint32_t mac_flags(const struct qp *xq, const struct qp *yq, const struct npu_lower_op *op)
{
	return (xq->dtype == NPU_DTYPE_UINT8 ? NPU_F_IN_U8 : 0) |
	       (yq->dtype == NPU_DTYPE_UINT8 ? NPU_F_OUT_U8 : 0) |
	       (op->channel_quant ? NPU_F_PER_CHANNEL : 0) | (op->bias ? NPU_F_BIAS : 0);
}

struct conv_desc {
	const struct npu_node *node;
	const struct npu_tensor *x, *y;
	struct qp xq, yq;
	struct wts w;
	const struct npu_tensor *bias;	/* or NULL */
	int32_t act_min, act_max;
	struct npu_node *tail[2];
};

/* 1 lowered, 0 not lowerable, < 0 error. */
static int emit_conv(struct lower_ctx *c, const struct conv_desc *d)
{
	const struct npu_tensor *w = d->w.q;
	struct npu_value xv = { .rank = d->x->rank };
	struct npu_ref_window win;
	struct npu_conv_params *p;
	struct npu_lower_op *op;
	const int64_t oc = w->dims[0], icg = w->dims[1], kh = w->dims[2], kw = w->dims[3];
	const int64_t group = npu_attr_int(d->node, "group");
	int ok;

	if (d->x->rank != 4 || w->rank != 4 || d->y->rank != 4 || d->x->dims[1] != icg * group)
		return 0;
	memcpy(xv.dims, d->x->dims, sizeof(xv.dims));
	xv.dtype = d->x->dtype;
	if (npu_node_window(c->g, d->node, &xv, &w->dims[2], &win))
		return 0;
	for (int i = 1; i < 3; i++)
		if (win.kernel[i] > NPU_CONV_MAX_KERNEL || win.stride[i] > NPU_CONV_MAX_STRIDE ||
		    win.dilation[i] > NPU_CONV_MAX_DILATION || win.pad_begin[i] > NPU_CONV_MAX_PAD ||
		    win.pad_end[i] > NPU_CONV_MAX_PAD || !fits16(win.in[i]) || !fits16(win.out[i]))
			return 0;
	if (!fits16(oc) || !fits16(d->x->dims[1]) || !fits16(group))
		return 0;
	op = new_op(c, NPU_LOWER_CONV, d->node);
	if (!op)
		return -1;
	p = &op->p.conv;
	ok = requant_table(d->xq.scale, &d->w, d->yq.scale, (size_t)oc, &p->quant,
			   &op->channel_quant);
	op->weights = malloc((size_t)(oc * icg * kh * kw));
	op->bias = d->bias ? malloc((size_t)oc * sizeof(int32_t)) : NULL;
	if (ok < 0 || !op->weights || (d->bias && !op->bias)) {
		free_op(op);
		c->m->n_ops--;
		return -1;
	}
	if (!ok || (d->bias && !bias_values(c, d->bias, d->xq.scale, &d->w, (size_t)oc, op->bias))) {
		free_op(op);
		c->m->n_ops--;
		return 0;
	}
	/* ONNX's [oc][ic][kh][kw] to the device's [oc][kh][kw][ic]. */
	for (int64_t o = 0; o < oc; o++)
		for (int64_t i = 0; i < icg; i++)
			for (int64_t y = 0; y < kh; y++)
				for (int64_t x = 0; x < kw; x++)
					op->weights[((o * kh + y) * kw + x) * icg + i] =
						((const int8_t *)w->data)[((o * icg + i) * kh + y) * kw + x];
	p->flags = mac_flags(&d->xq, &d->yq, op);
	p->in_h = (uint16_t)win.in[1];
	p->in_w = (uint16_t)win.in[2];
	p->in_c = (uint16_t)d->x->dims[1];
	p->groups = (uint16_t)group;
	p->out_h = (uint16_t)win.out[1];
	p->out_w = (uint16_t)win.out[2];
	p->out_c = (uint16_t)oc;
	p->kernel_h = (uint8_t)win.kernel[1];
	p->kernel_w = (uint8_t)win.kernel[2];
	p->stride_h = (uint8_t)win.stride[1];
	p->stride_w = (uint8_t)win.stride[2];
	p->dilation_h = (uint8_t)win.dilation[1];
	p->dilation_w = (uint8_t)win.dilation[2];
	p->pad_top = (uint8_t)win.pad_begin[1];
	p->pad_bottom = (uint8_t)win.pad_end[1];
	p->pad_left = (uint8_t)win.pad_begin[2];
	p->pad_right = (uint8_t)win.pad_end[2];
	p->in_zp = (int16_t)d->xq.zp;
	p->out_zp = (int16_t)d->yq.zp;
	p->act_min = (int16_t)d->act_min;
	p->act_max = (int16_t)d->act_max;
	p->weights = op->weights;
	p->bias = op->bias;
	p->channel_quant = op->channel_quant;
	op->n_in = 1;
	op->in[0] = d->x;
	op->out = d->y;
	consume(c, d->node, (struct npu_node **)d->tail);
	return 1;
}

static int lower_conv(struct lower_ctx *c, const struct npu_node *n)
{
	struct conv_desc d = { .node = n };

	d.x = dq_input(c, n->in[0], &d.xq);
	if (!d.x || !dq_weights(c, n->in[1], 0, &d.w))
		return 0;
	d.bias = n->n_in > 2 ? n->in[2] : NULL;
	d.y = quant_tail(c, n->out[0], 1, &d.yq, &d.act_min, &d.act_max, d.tail);
	return d.y ? emit_conv(c, &d) : 0;
}

/* QLinearConv: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, [B]. */
static int lower_qlinear_conv(struct lower_ctx *c, const struct npu_node *n)
{
	struct conv_desc d = { .node = n, .x = n->in[0], .y = n->out[0] };
	const struct npu_tensor *wz = n->in[5];

	if (d.x->rank < 0 || d.y->rank < 0 || !n->in[3]->data ||
	    n->in[3]->dtype != NPU_DTYPE_INT8 || !n->in[4]->data ||
	    !scale_zp(n->in[1], n->in[2], d.x, &d.xq) || !scale_zp(n->in[6], n->in[7], d.y, &d.yq))
		return 0;
	if (wz && (!wz->data || wz->dtype != NPU_DTYPE_INT8))
		return 0;
	for (size_t i = 0; wz && i < npu_tensor_numel(wz); i++)
		if (((const int8_t *)wz->data)[i])
			return 0;
	d.w = (struct wts){ n->in[3], n->in[4]->data, npu_tensor_numel(n->in[4]) };
	for (size_t i = 0; i < d.w.count; i++)
		if (!(d.w.scale[i] > 0.0f) || !isfinite(d.w.scale[i]))
			return 0;
	d.bias = n->n_in > 8 ? n->in[8] : NULL;
	d.act_min = qmin(d.yq.dtype);
	d.act_max = qmax(d.yq.dtype);
	return emit_conv(c, &d);
}

/* A product x[M, K] * W: weights as [K, N] (trans 0) or [N, K] (trans 1). */
struct matmul_desc {
	const struct npu_node *node;
	const struct npu_tensor *x, *y;
	struct qp xq, yq;
	struct wts w;
	int trans;
	const struct npu_tensor *bias;
	int32_t act_min, act_max;
	struct npu_node *tail[2];
};

static int emit_matmul(struct lower_ctx *c, const struct matmul_desc *d)
{
	const struct npu_tensor *w = d->w.q;
	int64_t k, n;
	struct npu_matmul_params *p;
	struct npu_lower_op *op;
	int ok;

	if (d->x->rank != 2 || w->rank != 2 || d->y->rank != 2)
		return 0;
	k = w->dims[d->trans ? 1 : 0];
	n = w->dims[d->trans ? 0 : 1];
	if (d->x->dims[1] != k || !fits16(k) || !fits16(n) || !fits16(d->x->dims[0]))
		return 0;
	op = new_op(c, NPU_LOWER_MATMUL, d->node);
	if (!op)
		return -1;
	p = &op->p.matmul;
	ok = requant_table(d->xq.scale, &d->w, d->yq.scale, (size_t)n, &p->quant,
			   &op->channel_quant);
	op->weights = malloc((size_t)(n * k));
	op->bias = d->bias ? malloc((size_t)n * sizeof(int32_t)) : NULL;
	if (ok < 0 || !op->weights || (d->bias && !op->bias)) {
		free_op(op);
		c->m->n_ops--;
		return -1;
	}
	if (!ok || (d->bias && !bias_values(c, d->bias, d->xq.scale, &d->w, (size_t)n, op->bias))) {
		free_op(op);
		c->m->n_ops--;
		return 0;
	}
	/* The device's weights are [n][k]. */
	for (int64_t j = 0; j < n; j++)
		for (int64_t i = 0; i < k; i++)
			op->weights[j * k + i] = ((const int8_t *)w->data)[d->trans ? j * k + i : i * n + j];
	p->flags = mac_flags(&d->xq, &d->yq, op);
	p->m = (uint32_t)d->x->dims[0];
	p->k = (uint32_t)k;
	p->n = (uint32_t)n;
	p->in_zp = (int16_t)d->xq.zp;
	p->out_zp = (int16_t)d->yq.zp;
	p->act_min = (int16_t)d->act_min;
	p->act_max = (int16_t)d->act_max;
	p->weights = op->weights;
	p->bias = op->bias;
	p->channel_quant = op->channel_quant;
	op->n_in = 1;
	op->in[0] = d->x;
	op->out = d->y;
	consume(c, d->node, (struct npu_node **)d->tail);
	return 1;
}

static int lower_gemm(struct lower_ctx *c, const struct npu_node *n)
{
	struct matmul_desc d = { .node = n };
	const int is_gemm = n->op == NPU_NODE_GEMM;

	d.trans = is_gemm ? (int)npu_attr_int(n, "transB") : 0;
	if (is_gemm && (npu_attr_int(n, "transA") || npu_attr_float(n, "alpha") != 1.0f ||
			(n->n_in > 2 && n->in[2] && npu_attr_float(n, "beta") != 1.0f)))
		return 0;
	d.x = dq_input(c, n->in[0], &d.xq);
	if (!d.x || !dq_weights(c, n->in[1], d.trans ? 0 : 1, &d.w))
		return 0;
	d.bias = is_gemm && n->n_in > 2 ? n->in[2] : NULL;
	d.y = quant_tail(c, n->out[0], 1, &d.yq, &d.act_min, &d.act_max, d.tail);
	return d.y ? emit_matmul(c, &d) : 0;
}

/* QLinearMatMul: a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp (b constant). */
static int lower_qlinear_matmul(struct lower_ctx *c, const struct npu_node *n)
{
	struct matmul_desc d = { .node = n, .x = n->in[0], .y = n->out[0] };
	struct qp bq;

	if (d.x->rank < 0 || d.y->rank < 0 || !n->in[3]->data || n->in[3]->dtype != NPU_DTYPE_INT8 ||
	    !scale_zp(n->in[1], n->in[2], d.x, &d.xq) || !scale_zp(n->in[6], n->in[7], d.y, &d.yq) ||
	    !scale_zp(n->in[4], n->in[5], n->in[3], &bq) || bq.zp)
		return 0;
	d.w = (struct wts){ n->in[3], n->in[4]->data, 1 };
	d.act_min = qmin(d.yq.dtype);
	d.act_max = qmax(d.yq.dtype);
	return emit_matmul(c, &d);
}

static int lower_pool(struct lower_ctx *c, const struct npu_node *n)
{
	struct npu_node *tail[2];
	struct npu_value xv = { 0 };
	struct npu_ref_window win;
	struct npu_pool_params *p;
	struct npu_lower_op *op;
	const struct npu_tensor *x, *y;
	struct qp xq, yq;
	int32_t act_min, act_max;
	const int global = n->op == NPU_NODE_GLOBAL_AVERAGE_POOL;

	x = dq_input(c, n->in[0], &xq);
	if (!x || x->rank != 4 || n->n_out != 1)
		return 0;
	y = quant_tail(c, n->out[0], 0, &yq, &act_min, &act_max, tail);
	if (!y || !fits16(x->dims[1]) || !fits16(x->dims[2]) || !fits16(x->dims[3]))
		return 0;
	xv.rank = 4;
	memcpy(xv.dims, x->dims, sizeof(xv.dims));
	if (!global) {
		if (npu_node_window(c->g, n, &xv, NULL, &win))
			return 0;
		for (int i = 1; i < 3; i++) {
			const int64_t padded = win.in[i] + win.pad_begin[i] + win.pad_end[i];

			/* ceil_mode may add a window the device's formula does not. */
			if (win.kernel[i] > NPU_POOL_MAX_KERNEL || win.stride[i] > NPU_POOL_MAX_STRIDE ||
			    win.dilation[i] != 1 || win.pad_begin[i] >= win.kernel[i] ||
			    win.pad_end[i] >= win.kernel[i] || padded < win.kernel[i] ||
			    win.out[i] != (padded - win.kernel[i]) / win.stride[i] + 1)
				return 0;
		}
	}
	op = new_op(c, NPU_LOWER_POOL, n);
	if (!op)
		return -1;
	p = &op->p.pool;
	if (npu_quant_from_scale((double)xq.scale / yq.scale, &p->quant) ||
	    !npu_quant_valid(&p->quant)) {
		c->m->n_ops--;
		return 0;
	}
	p->mode = n->op == NPU_NODE_MAX_POOL ? NPU_POOL_MAX : global ? NPU_POOL_GLOBAL_AVG :
		  NPU_POOL_AVG;
	p->flags = (xq.dtype == NPU_DTYPE_UINT8 ? NPU_F_IN_U8 : 0) |
		   (yq.dtype == NPU_DTYPE_UINT8 ? NPU_F_OUT_U8 : 0);
	if (n->op == NPU_NODE_AVERAGE_POOL && npu_attr_int(n, "count_include_pad"))
		p->flags |= NPU_F_COUNT_PAD;
	p->in_h = (uint16_t)x->dims[2];
	p->in_w = (uint16_t)x->dims[3];
	p->channels = (uint16_t)x->dims[1];
	p->out_h = p->out_w = 1;
	if (!global) {
		p->out_h = (uint16_t)win.out[1];
		p->out_w = (uint16_t)win.out[2];
		p->kernel_h = (uint8_t)win.kernel[1];
		p->kernel_w = (uint8_t)win.kernel[2];
		p->stride_h = (uint8_t)win.stride[1];
		p->stride_w = (uint8_t)win.stride[2];
		p->pad_top = (uint8_t)win.pad_begin[1];
		p->pad_bottom = (uint8_t)win.pad_end[1];
		p->pad_left = (uint8_t)win.pad_begin[2];
		p->pad_right = (uint8_t)win.pad_end[2];
	}
	p->in_zp = (int16_t)xq.zp;
	p->out_zp = (int16_t)yq.zp;
	p->act_min = (int16_t)act_min;
	p->act_max = (int16_t)act_max;
	op->n_in = 1;
	op->in[0] = x;
	op->out = y;
	consume(c, n, tail);
	return 1;
}

/* Add and Mul of two same-shaped quantized tensors (TFLite's ADD rescaling). */
static int lower_eltwise(struct lower_ctx *c, const struct npu_node *n)
{
	struct npu_node *tail[2];
	struct npu_eltwise_params *p;
	struct npu_lower_op *op;
	const struct npu_tensor *a, *b, *y;
	struct qp aq, bq, yq;
	int32_t act_min, act_max;
	double twice_max;
	int bad;

	a = dq_input(c, n->in[0], &aq);
	b = dq_input(c, n->in[1], &bq);
	if (!a || !b || a->rank != b->rank ||
	    memcmp(a->dims, b->dims, (size_t)a->rank * sizeof(a->dims[0])))
		return 0;
	y = quant_tail(c, n->out[0], 1, &yq, &act_min, &act_max, tail);
	if (!y || npu_tensor_numel(a) > UINT32_MAX || !npu_tensor_numel(a))
		return 0;
	op = new_op(c, NPU_LOWER_ELTWISE, n);
	if (!op)
		return -1;
	p = &op->p.eltwise;
	if (n->op == NPU_NODE_ADD) {
		/* Both inputs to a common scale with 20 bits of headroom, then to the output's. */
		p->op = NPU_ELTWISE_ADD;
		p->left_shift = 20;
		twice_max = 2.0 * fmax(aq.scale, bq.scale);
		bad = npu_quant_from_scale(aq.scale / twice_max, &p->a_quant) ||
		      npu_quant_from_scale(bq.scale / twice_max, &p->b_quant) ||
		      npu_quant_from_scale(twice_max / ((double)(1 << 20) * yq.scale),
					   &p->out_quant) ||
		      !npu_quant_valid(&p->a_quant) || !npu_quant_valid(&p->b_quant);
	} else {
		p->op = NPU_ELTWISE_MUL;
		bad = npu_quant_from_scale((double)aq.scale * bq.scale / yq.scale, &p->out_quant);
	}
	if (bad || !npu_quant_valid(&p->out_quant)) {
		c->m->n_ops--;
		return 0;
	}
	p->flags = (aq.dtype == NPU_DTYPE_UINT8 ? NPU_F_IN_U8 : 0) |
		   (bq.dtype == NPU_DTYPE_UINT8 ? NPU_F_B_U8 : 0) |
		   (yq.dtype == NPU_DTYPE_UINT8 ? NPU_F_OUT_U8 : 0);
	p->count = (uint32_t)npu_tensor_numel(a);
	p->a_zp = (int16_t)aq.zp;
	p->b_zp = (int16_t)bq.zp;
	p->out_zp = (int16_t)yq.zp;
	p->act_min = (int16_t)act_min;
	p->act_max = (int16_t)act_max;
	op->n_in = 2;
	op->in[0] = a;
	op->in[1] = b;
	op->out = y;
	consume(c, n, tail);
	return 1;
}

/*
 * Element-wise functions of one input become a 256-entry table: each
 * input byte dequantized, the reference kernel applied, the result
 * quantized as QuantizeLinear does.
 */
static int lower_lut(struct lower_ctx *c, const struct npu_node *n, enum npu_ref_unary fn)
{
	struct npu_node *tail[2];
	struct npu_lower_op *op;
	const struct npu_tensor *x, *y;
	struct qp xq, yq;
	int32_t act_min, act_max;
	float real[256], out[256];
	int64_t dims[1] = { 256 };
	float ys;
	struct npu_value xv = { NPU_DTYPE_FLOAT32, 1, { 256 }, real };
	struct npu_value fv = { NPU_DTYPE_FLOAT32, 1, { 256 }, out };
	struct npu_value sv = { NPU_DTYPE_FLOAT32, 0, { 0 }, &ys };
	struct npu_value zv = { NPU_DTYPE_INT32, 0, { 0 }, NULL };
	struct npu_value tv = { 0 };

	x = dq_input(c, n->in[0], &xq);
	if (!x)
		return 0;
	y = quant_tail(c, n->out[0], 0, &yq, &act_min, &act_max, tail);
	if (!y || npu_tensor_numel(x) > UINT32_MAX || !npu_tensor_numel(x))
		return 0;
	op = new_op(c, NPU_LOWER_LUT, n);
	if (!op || npu_value_alloc(&tv, yq.dtype, 1, dims)) {
		if (op)
			c->m->n_ops--;
		return -1;
	}
	/* Table index i is the byte i for uint8 input, i - 128 for int8. */
	for (int i = 0; i < 256; i++)
		real[i] = ((float)(xq.dtype == NPU_DTYPE_UINT8 ? i : i - 128) - (float)xq.zp) *
			  xq.scale;
	npu_ref_unary(fn, n->op == NPU_NODE_LEAKY_RELU ? npu_attr_float(n, "alpha") : 0.0f,
		      &xv, &fv);
	ys = yq.scale;
	zv.data = &yq.zp;
	npu_ref_quantize_linear(&fv, &sv, &zv, 0, &tv);
	memcpy(op->table, tv.data, 256);
	npu_value_free(&tv);
	op->p.lut.flags = xq.dtype == NPU_DTYPE_UINT8 ? NPU_F_IN_U8 : 0;
	op->p.lut.count = (uint32_t)npu_tensor_numel(x);
	op->n_in = 1;
	op->in[0] = x;
	op->out = y;
	consume(c, n, tail);
	return 1;
}

/* Flatten, Reshape, Identity between equal parameters: the bytes move unchanged. */
static int lower_copy(struct lower_ctx *c, const struct npu_node *n)
{
	struct npu_node *tail[2];
	struct npu_lower_op *op;
	const struct npu_tensor *x, *y;
	struct qp xq, yq;
	int32_t act_min, act_max;

	x = dq_input(c, n->in[0], &xq);
	if (!x)
		return 0;
	y = quant_tail(c, n->out[0], 0, &yq, &act_min, &act_max, tail);
	if (!y || xq.scale != yq.scale || xq.zp != yq.zp || xq.dtype != yq.dtype)
		return 0;
	op = new_op(c, NPU_LOWER_COPY, n);
	if (!op)
		return -1;
	op->n_in = 1;
	op->in[0] = x;
	op->out = y;
	consume(c, n, tail);
	return 1;
}

static int lower_node(struct lower_ctx *c, const struct npu_node *n)
{
	switch (n->op) {
	case NPU_NODE_CONV:
		return lower_conv(c, n);
	case NPU_NODE_QLINEAR_CONV:
		return lower_qlinear_conv(c, n);
	case NPU_NODE_GEMM:
	case NPU_NODE_MATMUL:
		return lower_gemm(c, n);
	case NPU_NODE_QLINEAR_MATMUL:
		return lower_qlinear_matmul(c, n);
	case NPU_NODE_MAX_POOL:
	case NPU_NODE_AVERAGE_POOL:
	case NPU_NODE_GLOBAL_AVERAGE_POOL:
		return lower_pool(c, n);
	case NPU_NODE_ADD:
	case NPU_NODE_MUL:
		return lower_eltwise(c, n);
	case NPU_NODE_RELU:
		/* Not the tail of the operation before it (pool, add): a table of its own. */
		return lower_lut(c, n, NPU_REF_RELU);
	case NPU_NODE_SIGMOID:
		return lower_lut(c, n, NPU_REF_SIGMOID);
	case NPU_NODE_TANH:
		return lower_lut(c, n, NPU_REF_TANH);
	case NPU_NODE_HARD_SWISH:
		return lower_lut(c, n, NPU_REF_HARD_SWISH);
	case NPU_NODE_LEAKY_RELU:
		return lower_lut(c, n, NPU_REF_LEAKY_RELU);
	case NPU_NODE_FLATTEN:
	case NPU_NODE_RESHAPE:
	case NPU_NODE_IDENTITY:
		return lower_copy(c, n);
	default:
		return 0;
	}
}

/* Keep the operations whose results some later operation or a graph output reads. */
static int drop_dead(struct lower_ctx *c)
{
	struct npu_int8_model *m = c->m;
	unsigned char *live = calloc(c->g->n_tensors ? c->g->n_tensors : 1, 1);
	size_t kept = 0;

	if (!live)
		return -1;
	for (size_t i = 0; i < c->g->n_outputs; i++)
		live[c->g->outputs[i]->index] = 1;
	for (size_t i = m->n_ops; i-- > 0; ) {
		struct npu_lower_op *op = &m->ops[i];
		int needed = 0;

		if (op->kind == NPU_LOWER_FLOAT) {
			for (size_t j = 0; j < op->node->n_out; j++)
				needed |= live[op->node->out[j]->index];
			for (size_t j = 0; needed && j < op->node->n_in; j++)
				if (op->node->in[j])
					live[op->node->in[j]->index] = 1;
		} else {
			needed = live[op->out->index];
			for (size_t j = 0; needed && j < op->n_in; j++)
				live[op->in[j]->index] = 1;
		}
		if (!needed) {
			free_op(op);
			op->kind = NPU_LOWER_COPY;
			op->out = NULL;	/* marks it dropped */
		}
	}
	for (size_t i = 0; i < m->n_ops; i++)
		if (m->ops[i].kind == NPU_LOWER_FLOAT || m->ops[i].out)
			m->ops[kept++] = m->ops[i];
	m->n_ops = kept;
	free(live);
	return 0;
}

int npu_lower_graph(struct npu_graph *g, struct npu_int8_model **out)
{
	struct lower_ctx c = { .g = g };
	int ret;

	if (!g || !out)
		return npu_fail(NPU_E_INVALID, "lower: NULL argument");
	*out = NULL;
	ret = npu_graph_infer_shapes(g);
	if (ret)
		return ret;
	c.m = calloc(1, sizeof(*c.m));
	c.uses = calloc(g->n_tensors + 1, sizeof(*c.uses));
	c.user = calloc(g->n_tensors + 1, sizeof(*c.user));
	c.consumed = calloc(g->n_nodes + 1, 1);
	if (!c.m || !c.uses || !c.user || !c.consumed) {
		ret = npu_fail(NPU_E_NOMEM, "out of memory");
		goto out;
	}
	c.m->graph = g;
	for (size_t i = 0; i < g->n_nodes; i++)
		for (size_t j = 0; j < g->nodes[i]->n_in; j++) {
			const struct npu_tensor *t = g->nodes[i]->in[j];

			if (t) {
				c.uses[t->index]++;
				c.user[t->index] = g->nodes[i];
			}
		}
	for (size_t i = 0; i < g->n_outputs; i++)
		c.uses[g->outputs[i]->index]++;
	for (size_t i = 0; i < g->n_nodes && !ret; i++) {
		const struct npu_node *n = g->nodes[i];

		if (c.consumed[i])
			continue;
		ret = lower_node(&c, n);
		if (ret == 0 && !new_op(&c, NPU_LOWER_FLOAT, n))
			ret = -1;
		ret = ret < 0 ? npu_fail(NPU_E_NOMEM, "out of memory") : 0;
	}
	if (!ret && drop_dead(&c))
		ret = npu_fail(NPU_E_NOMEM, "out of memory");
out:
	if (ret) {
		npu_int8_model_free(c.m);
		c.m = NULL;
	}
	free(c.uses);
	free(c.user);
	free(c.consumed);
	*out = c.m;
	return ret;
}
