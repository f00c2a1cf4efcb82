// SPDX-License-Identifier: MIT
/*
 * The quantizer: calibration over a data set, then QuantizeLinear /
 * DequantizeLinear pairs on the activations the NPU's operations read
 * and write, int8 weights and int32 biases, and bias correction.
 *
 * Placement follows what lower/ turns into device operations: a Conv,
 * Gemm or MatMul (and Add, Mul) is quantized after its fused Relu or
 * Clip, never between; MaxPool and the reshapes keep their input's
 * parameters so that they move bytes unchanged.  Operators with no
 * integer form read dequantized values and run in float.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph/graph_priv.h"
#include "npu/error.h"
#include "npu/int8.h"
#include "quant/quant_priv.h"

void npu_quant_options_default(struct npu_quant_options *o)
{
	memset(o, 0, sizeof(*o));
	o->method = NPU_CALIB_MINMAX;
	o->percentile = 99.99f;
	o->ema_constant = 0.01f;
	o->batch = 32;
	o->per_channel = 1;
	o->act_dtype = NPU_DTYPE_INT8;
	o->norm = NPU_NORMALIZE_DEFAULT;
}

static const char *const method_names[] = { "minmax", "ema", "percentile", "entropy", "mse" };

int npu_calib_method_parse(const char *name)
{
	for (int i = 0; i < (int)(sizeof(method_names) / sizeof(method_names[0])); i++)
		if (!strcmp(name, method_names[i]))
			return i;
	return -1;
}

const char *npu_calib_method_name(enum npu_calib_method m)
{
	return (unsigned)m < sizeof(method_names) / sizeof(method_names[0]) ? method_names[m] : "?";
}

/* Per-run state: one calibration site per tensor that gets a Q/DQ pair. */
struct qstate {
	struct npu_graph *g;
	const struct npu_quant_options *o;
	int *site;			/* per tensor index: site number or -1 */
	size_t n_sites;
	struct npu_calib_stat *stats;	/* per site */
	int hist_pass;
};

/* Operators whose outputs are quantized (their results are what the NPU writes). */
static int quantized_output(enum npu_node_op op)
{
	switch (op) {
	case NPU_NODE_CONV: case NPU_NODE_GEMM: case NPU_NODE_MATMUL:
	case NPU_NODE_ADD: case NPU_NODE_MUL: case NPU_NODE_RELU: case NPU_NODE_CLIP:
	case NPU_NODE_MAX_POOL: case NPU_NODE_AVERAGE_POOL: case NPU_NODE_GLOBAL_AVERAGE_POOL:
	case NPU_NODE_SIGMOID: case NPU_NODE_TANH: case NPU_NODE_HARD_SWISH:
	case NPU_NODE_LEAKY_RELU: case NPU_NODE_FLATTEN: case NPU_NODE_RESHAPE:
	case NPU_NODE_IDENTITY:
		return 1;
	default:
		return 0;
	}
}

/* Outputs that keep their input's parameters: the operation only moves values. */
static int keeps_params(enum npu_node_op op)
{
	return op == NPU_NODE_MAX_POOL || op == NPU_NODE_FLATTEN || op == NPU_NODE_RESHAPE ||
	       op == NPU_NODE_IDENTITY;
}

/* Conv/Gemm/MatMul/Add/Mul output whose only reader is a Relu or Clip it fuses with. */
static int fused_away(const struct npu_graph *g, const struct npu_node *n)
{
	const struct npu_node *u;

	if (n->op != NPU_NODE_CONV && n->op != NPU_NODE_GEMM && n->op != NPU_NODE_MATMUL &&
	    n->op != NPU_NODE_ADD && n->op != NPU_NODE_MUL)
		return 0;
	u = npu_quant_sole_user(g, n->out[0], NULL);
	return u && (u->op == NPU_NODE_RELU || u->op == NPU_NODE_CLIP);
}

/*
 * Whether all of t reaches a Relu through value movers only (MaxPool
 * commutes with the clamp): its negative values all end as 0, so its
 * range may start at 0 and spend every code on what the Relu keeps.
 */
static int relu_follows(const struct npu_graph *g, const struct npu_tensor *t)
{
	const struct npu_node *u = npu_quant_sole_user(g, t, NULL);

	while (u && keeps_params(u->op) && u->n_out == 1)
		u = npu_quant_sole_user(g, u->out[0], NULL);
	return u && u->op == NPU_NODE_RELU;
}

static int choose_sites(struct qstate *s)
{
	struct npu_graph *g = s->g;

	s->site = malloc((g->n_tensors + 1) * sizeof(*s->site));
	if (!s->site)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	for (size_t i = 0; i < g->n_tensors; i++)
		s->site[i] = -1;
	for (size_t i = 0; i < g->n_inputs; i++)
		if (g->inputs[i]->dtype == NPU_DTYPE_FLOAT32)
			s->site[g->inputs[i]->index] = (int)s->n_sites++;
	for (size_t i = 0; i < g->n_nodes; i++) {
		const struct npu_node *n = g->nodes[i];

		if (!quantized_output(n->op) || n->n_out != 1 || fused_away(g, n) ||
		    n->out[0]->dtype != NPU_DTYPE_FLOAT32)
			continue;
		/* Value movers of unquantized data stay float. */
		if (keeps_params(n->op) && s->site[n->in[0]->index] < 0)
			continue;
		s->site[n->out[0]->index] = (int)s->n_sites++;
	}
	s->stats = calloc(s->n_sites + 1, sizeof(*s->stats));
	return s->stats ? 0 : npu_fail(NPU_E_NOMEM, "out of memory");
}

static int observe(void *ctx, const struct npu_tensor *t, const struct npu_value *v)
{
	struct qstate *s = ctx;
	const int site = s->site[t->index];

	if (site < 0 || v->dtype != NPU_DTYPE_FLOAT32)
		return 0;
	if (s->hist_pass)
		npu_calib_hist_add(&s->stats[site], v->data, npu_value_numel(v));
	else
		npu_calib_observe(&s->stats[site], v->data, npu_value_numel(v));
	return 0;
}

/* One image through the graph; the observer sees the input and every value computed. */
static int run_image(struct npu_graph *g, const struct npu_dataset *ds, size_t i,
		     const struct npu_normalize *norm, npu_value_observer obs, void *ctx)
{
	struct npu_value in = { 0 }, *out = calloc(g->n_outputs + 1, sizeof(*out));
	int ret;

	if (!out)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	ret = npu_dataset_input(ds, i, norm, g->inputs[0], &in);
	if (!ret)
		ret = obs(ctx, g->inputs[0], &in);
	if (!ret)
		ret = npu_graph_run_reference(g, &in, out, obs, ctx);
	for (size_t k = 0; k < g->n_outputs; k++)
		npu_value_free(&out[k]);
	npu_value_free(&in);
	free(out);
	return ret;
}

static int is_graph_output(const struct npu_graph *g, const struct npu_tensor *t)
{
	for (size_t i = 0; i < g->n_outputs; i++)
		if (g->outputs[i] == t)
			return 1;
	return 0;
}

static int calibrate(struct qstate *s, const struct npu_dataset *ds, size_t count,
		     npu_progress_cb progress, void *ctx)
{
	const struct npu_quant_options *o = s->o;
	const int hist = o->method != NPU_CALIB_MINMAX && o->method != NPU_CALIB_EMA;
	int ret = 0;

	for (int pass = 0; pass <= hist && !ret; pass++) {
		s->hist_pass = pass;
		for (size_t i = 0; pass && !ret && i < s->n_sites; i++)
			ret = npu_calib_hist_start(&s->stats[i]);
		for (size_t i = 0; !ret && i < count; i++) {
			ret = run_image(s->g, ds, i, &o->norm, observe, s);
			if (!ret && !pass && ((i + 1) % o->batch == 0 || i + 1 == count))
				for (size_t k = 0; k < s->n_sites; k++)
					npu_calib_end_batch(&s->stats[k], o->ema_constant);
			if (!ret && progress)
				ret = progress(ctx, pass ? "histogram" : "calibrate", i + 1, count);
		}
	}
	return ret;
}

/* A new tensor named base + suffix (made unique). */
static int add_tensor(struct npu_graph *g, const char *base, const char *suffix,
		      enum npu_dtype dtype, int rank, const int64_t *dims, const void *data,
		      struct npu_tensor **t)
{
	char name[512];

	snprintf(name, sizeof(name), "%s%s", base, suffix);
	for (int k = 1; npu_graph_find_tensor(g, name); k++)
		snprintf(name, sizeof(name), "%s%s_%d", base, suffix, k);
	return data ? npu_graph_add_constant(g, name, dtype, rank, dims, data, t) :
		      npu_graph_add_tensor(g, name, dtype, rank, dims, t);
}

/* Replace every read of `from` (nodes other than `except`, graph outputs) by `to`. */
static void redirect(struct npu_graph *g, struct npu_tensor *from, struct npu_tensor *to,
		     const struct npu_node *except)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		for (size_t j = 0; j < g->nodes[i]->n_in; j++)
			if (g->nodes[i] != except && g->nodes[i]->in[j] == from)
				g->nodes[i]->in[j] = to;
	for (size_t i = 0; i < g->n_outputs; i++)
		if (g->outputs[i] == from)
			g->outputs[i] = to;
}

/*
 * A DequantizeLinear of constant q (dtype, shape of `like`) with scales
 * and zero points (count 1: scalars; else 1-D along `axis`) replacing
 * node input `slot`.
 */
static int add_dq_const(struct npu_graph *g, struct npu_node *n, size_t slot, enum npu_dtype dtype,
			const void *q, const float *scale, const void *zp, size_t count, int axis)
{
	struct npu_tensor *w = n->in[slot], *tq, *ts, *tz, *out;
	const int64_t cdims[1] = { (int64_t)count };
	const int crank = count == 1 ? 0 : 1;
	struct npu_tensor *ins[3];
	struct npu_node *dq;
	int ret;

	ret = add_tensor(g, w->name, "_quantized", dtype, w->rank, w->dims, q, &tq);
	if (!ret)
		ret = add_tensor(g, w->name, "_scale", NPU_DTYPE_FLOAT32, crank, cdims, scale, &ts);
	if (!ret)
		ret = add_tensor(g, w->name, "_zero_point", dtype == NPU_DTYPE_INT32 ?
				 NPU_DTYPE_INT32 : NPU_DTYPE_INT8, crank, cdims, zp, &tz);
	if (!ret)
		ret = add_tensor(g, w->name, "_dequantized", NPU_DTYPE_FLOAT32, w->rank, w->dims,
				 NULL, &out);
	if (ret)
		return ret;
	ins[0] = tq;
	ins[1] = ts;
	ins[2] = tz;
	ret = npu_graph_add_node(g, NPU_NODE_DEQUANTIZE_LINEAR, NULL, 3, ins, 1, &out, &dq);
	if (!ret && crank)
		ret = npu_node_set_attr_int(dq, "axis", axis);
	/* The float constant stays in the IR, unread; the ONNX writer skips it. */
	if (!ret)
		ret = npu_node_set_input(n, slot, out);
	return ret;
}

/*
 * The scale of each channel of weights w: zero point 0 (the device's
 * weights have none) over all of -128..127, the finest scale that clips
 * neither end.  [-127, 127] would leave -128 unused, a coarser step for
 * every channel whose largest magnitude is negative.
 */
static void weight_scales(const struct npu_tensor *w, int axis, size_t channels,
			  const struct npu_quant_options *o, float *scale)
{
	const float *d = w->data;
	const size_t numel = npu_tensor_numel(w);
	size_t inner = 1;

	for (int i = axis + 1; i < w->rank; i++)
		inner *= (size_t)w->dims[i];
	for (size_t c = 0; c < channels; c++) {
		double lo = 0.0, hi = 0.0, s;

		for (size_t i = 0; i < numel; i++)
			if (channels == 1 || i / inner % channels == c) {
				lo = fmin(lo, d[i]);
				hi = fmax(hi, d[i]);
			}
		s = fmax(-lo / 128.0, hi / 127.0);
		if (!(s > 0.0) || !isfinite(s))
			s = 1.0;
		if (o->pow2)
			s = exp2(ceil(log2(s)));
		scale[c] = (float)s;
	}
}

/* Weights (input 1) and bias (input 2) of Conv, Gemm, MatMul n, whose input has scale sx. */
static int quantize_params(struct npu_graph *g, struct npu_node *n, float sx,
			   const struct npu_quant_options *o)
{
	struct npu_tensor *w = n->in[1];
	const int trans = n->op == NPU_NODE_GEMM ? (int)npu_attr_int(n, "transB") : 0;
	const int axis = n->op == NPU_NODE_CONV || trans ? 0 : 1;
	const size_t oc = (size_t)w->dims[axis], numel = npu_tensor_numel(w);
	const size_t channels = o->per_channel ? oc : 1;
	float *scale = calloc(oc, sizeof(float)), *bscale = calloc(oc, sizeof(float));
	int8_t *q = malloc(numel ? numel : 1), *zp8 = calloc(oc, 1);
	int32_t *bq = calloc(oc, sizeof(int32_t)), *zp32 = calloc(oc, sizeof(int32_t));
	size_t inner = 1;
	int ret = NPU_E_NOMEM;

	if (!scale || !bscale || !q || !zp8 || !bq || !zp32)
		goto out;
	weight_scales(w, axis, channels, o, scale);
	for (int i = axis + 1; i < w->rank; i++)
		inner *= (size_t)w->dims[i];
	for (size_t i = 0; i < numel; i++) {
		const float s = scale[channels == 1 ? 0 : i / inner % oc];

		q[i] = (int8_t)fminf(127.0f, fmaxf(-128.0f, nearbyintf(((const float *)w->data)[i] / s)));
	}
	ret = add_dq_const(g, n, 1, NPU_DTYPE_INT8, q, scale, zp8, channels, axis);
	if (ret || n->op == NPU_NODE_MATMUL || n->n_in < 3 || !n->in[2] || !n->in[2]->data ||
	    n->in[2]->dtype != NPU_DTYPE_FLOAT32 || npu_tensor_numel(n->in[2]) != oc)
		goto out;
	/* The bias is int32 at s_in * s_w, per channel as the weights are. */
	for (size_t c = 0; c < oc; c++) {
		const double s = (double)sx * scale[channels == 1 ? 0 : c];
		const double v = nearbyint(((const float *)n->in[2]->data)[c] / s);

		bscale[c] = (float)s;
		bq[c] = (int32_t)fmax(-2147483647.0, fmin(2147483647.0, v));
	}
	ret = add_dq_const(g, n, 2, NPU_DTYPE_INT32, bq, bscale, zp32, channels == 1 ? 1 : oc, 0);
out:
	free(scale);
	free(bscale);
	free(q);
	free(zp8);
	free(bq);
	free(zp32);
	return ret == NPU_E_NOMEM ? npu_fail(ret, "out of memory") : ret;
}

/* Q and DQ nodes on activation t; its readers then read the dequantized value. */
static int insert_qdq(struct npu_graph *g, struct npu_tensor *t, float scale, int32_t zp,
		      enum npu_dtype dtype)
{
	struct npu_tensor *ts, *tz, *tq, *tdq, *ins[3];
	struct npu_node *q, *dq;
	uint8_t zraw = (uint8_t)zp;
	int ret;

	ret = add_tensor(g, t->name, "_scale", NPU_DTYPE_FLOAT32, 0, NULL, &scale, &ts);
	if (!ret)
		ret = add_tensor(g, t->name, "_zero_point", dtype, 0, NULL, &zraw, &tz);
	if (!ret)
		ret = add_tensor(g, t->name, "_quantized", dtype, t->rank, t->dims, NULL, &tq);
	if (!ret)
		ret = add_tensor(g, t->name, "_dequantized", NPU_DTYPE_FLOAT32, t->rank, t->dims,
				 NULL, &tdq);
	if (ret)
		return ret;
	ins[0] = t;
	ins[1] = ts;
	ins[2] = tz;
	ret = npu_graph_add_node(g, NPU_NODE_QUANTIZE_LINEAR, NULL, 3, ins, 1, &tq, &q);
	ins[0] = tq;
	if (!ret)
		ret = npu_graph_add_node(g, NPU_NODE_DEQUANTIZE_LINEAR, NULL, 3, ins, 1, &tdq, &dq);
	if (!ret)
		redirect(g, t, tdq, q);
	return ret;
}

/*
 * A Relu whose input codes all stand for values >= 0 (zero point at the
 * bottom of an asymmetric range) changes no code: it keeps the input's
 * parameters and moves bytes.
 */
static int relu_is_identity(const struct qstate *s, const struct npu_node *p, const int32_t *zps)
{
	const int in = p->op == NPU_NODE_RELU ? s->site[p->in[0]->index] : -1;

	return in >= 0 && !s->o->symmetric &&
	       zps[in] == (s->o->act_dtype == NPU_DTYPE_UINT8 ? 0 : -128);
}

/* Choose every site's parameters, then rewrite the graph. */
static int rewrite(struct qstate *s, float *scales, int32_t *zps)
{
	struct npu_graph *g = s->g;
	const struct npu_quant_options *o = s->o;
	const size_t n_nodes = g->n_nodes, n_tensors = g->n_tensors;
	struct npu_tensor **sites = calloc(s->n_sites + 1, sizeof(*sites));
	int ret = 0;

	if (!sites)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	for (size_t i = 0; i < n_tensors; i++)
		if (s->site[i] >= 0)
			sites[s->site[i]] = g->tensors[i];
	for (size_t k = 0; !ret && k < s->n_sites; k++) {
		const struct npu_node *p = npu_tensor_producer(g, sites[k]);
		float lo, hi;

		if (p && (keeps_params(p->op) || relu_is_identity(s, p, zps))) {
			const int in = s->site[p->in[0]->index];

			scales[k] = scales[in];
			zps[k] = zps[in];
			continue;
		}
		if (is_graph_output(g, sites[k])) {
			/*
			 * Clipping the network's outputs (logits) merges the
			 * largest ones and loses their order: keep their range.
			 */
			struct npu_quant_options full = *o;

			full.method = NPU_CALIB_MINMAX;
			ret = npu_calib_stat_range(&s->stats[k], &full, &lo, &hi);
		} else {
			ret = npu_calib_stat_range(&s->stats[k], o, &lo, &hi);
			if (relu_follows(g, sites[k])) {
				lo = fmaxf(lo, 0.0f);
				hi = fmaxf(hi, lo);
			}
		}
		if (!ret)
			ret = npu_quant_choose(lo, hi, o->act_dtype, o->symmetric, o->pow2,
					       &scales[k], &zps[k]);
	}
	/* Weights first: they need the scale of the activation their node reads. */
	for (size_t i = 0; !ret && i < n_nodes; i++) {
		struct npu_node *n = g->nodes[i];
		int in;

		if ((n->op != NPU_NODE_CONV && n->op != NPU_NODE_GEMM && n->op != NPU_NODE_MATMUL) ||
		    !n->in[1]->data || n->in[1]->dtype != NPU_DTYPE_FLOAT32 || n->in[1]->rank < 2)
			continue;
		in = s->site[n->in[0]->index];
		if (in >= 0)
			ret = quantize_params(g, n, scales[in], o);
	}
	for (size_t k = 0; !ret && k < s->n_sites; k++)
		ret = insert_qdq(g, sites[k], scales[k], zps[k], o->act_dtype);
	free(sites);
	return ret ? ret : npu_graph_infer_shapes(g);
}

/*
 * Bias correction (Nagel et al., 2019): the mean error that a layer's
 * quantized weights add to its output, E[(W_q - W) x] per output
 * channel, is taken off its int32 bias.  x is the layer's input in the
 * float graph, so each layer corrects its own error only: measured in
 * the quantized graph, a layer's error also holds what the layers
 * before it add, which their own corrections already remove.
 */
struct bc_layer {
	struct npu_node *node;		/* in the quantized graph */
	const struct npu_node *fnode;	/* the same node in the float graph */
	struct npu_value eps;		/* dequantized weights minus float weights */
	size_t channels;
	double *sum;			/* per channel: the sum of (W_q - W) x */
	double count;			/* per channel: how many outputs the sum holds */
};

struct bc_state {
	struct bc_layer *layers;
	size_t n_layers;
};

/* Conv: (W_q - W) x by the float kernel, over the padded windows, summed per channel. */
static int bc_conv(struct bc_layer *l, const struct npu_graph *fg, const struct npu_value *x)
{
	struct npu_ref_window win;
	struct npu_value y;
	int64_t dims[NPU_MAX_RANK];
	size_t inner;
	int ret = npu_node_window(fg, l->fnode, x, &l->eps.dims[2], &win);

	if (ret)
		return ret;
	dims[0] = x->dims[0];
	dims[1] = (int64_t)l->channels;
	for (int d = 2; d < x->rank; d++)
		dims[d] = win.out[NPU_REF_SPATIAL - (x->rank - 2) + d - 2];
	ret = npu_value_alloc(&y, NPU_DTYPE_FLOAT32, x->rank, dims);
	if (ret)
		return ret;
	npu_ref_conv(x, &l->eps, NULL, npu_attr_int(l->fnode, "group"), &win, &y);
	inner = npu_value_numel(&y) / (size_t)dims[0] / l->channels;
	for (size_t k = 0; k < npu_value_numel(&y); k++)
		l->sum[k / inner % l->channels] += ((const float *)y.data)[k];
	l->count += (double)(npu_value_numel(&y) / l->channels);
	npu_value_free(&y);
	return 0;
}

/* Gemm (alpha = beta = 1, no transA): rows of x times (W_q - W). */
static void bc_gemm(struct bc_layer *l, const struct npu_value *x)
{
	const int trans = (int)npu_attr_int(l->fnode, "transB");
	const size_t k_dim = (size_t)x->dims[x->rank - 1], rows = npu_value_numel(x) / k_dim;
	const float *xd = x->data, *e = l->eps.data;

	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < l->channels; c++)
			for (size_t k = 0; k < k_dim; k++)
				l->sum[c] += (double)xd[r * k_dim + k] *
					     e[trans ? c * k_dim + k : k * l->channels + c];
	l->count += (double)rows;
}

struct bc_ctx {
	struct bc_state *bc;
	const struct npu_graph *fg;
};

static int bc_observe(void *ctx, const struct npu_tensor *t, const struct npu_value *v)
{
	const struct bc_ctx *c = ctx;
	int ret = 0;

	for (size_t i = 0; !ret && i < c->bc->n_layers; i++) {
		struct bc_layer *l = &c->bc->layers[i];

		if (strcmp(l->fnode->in[0]->name, t->name) || v->dtype != NPU_DTYPE_FLOAT32)
			continue;
		if (l->fnode->op == NPU_NODE_CONV)
			ret = v->rank >= 3 && v->rank == l->eps.rank ? bc_conv(l, c->fg, v) : 0;
		else if (v->rank == 2 && v->dims[1] == l->eps.dims[npu_attr_int(l->fnode, "transB")])
			bc_gemm(l, v);
	}
	return ret;
}

/* The same node of the float graph: the one writing the same tensor name. */
static const struct npu_node *float_node(const struct npu_graph *fg, const struct npu_node *n)
{
	for (size_t i = 0; i < fg->n_nodes; i++)
		if (fg->nodes[i]->op == n->op && fg->nodes[i]->n_out == 1 &&
		    !strcmp(fg->nodes[i]->out[0]->name, n->out[0]->name))
			return fg->nodes[i];
	return NULL;
}

/* W_q - W of layer l, from the weights' DequantizeLinear (scale per tensor or along `axis`). */
static int bc_eps(struct bc_layer *l, const struct npu_node *dqw, const struct npu_tensor *w)
{
	const int8_t *q = dqw->in[0]->data;
	const float *scale = dqw->in[1]->data, *f = w->data;
	const size_t n_scale = npu_tensor_numel(dqw->in[1]);
	const int axis = n_scale == 1 ? 0 : (int)npu_attr_int(dqw, "axis");
	size_t inner = 1;
	int ret = npu_value_alloc(&l->eps, NPU_DTYPE_FLOAT32, w->rank, w->dims);

	if (ret)
		return ret;
	for (int d = axis + 1; d < w->rank; d++)
		inner *= (size_t)w->dims[d];
	for (size_t i = 0; i < npu_tensor_numel(w); i++)
		((float *)l->eps.data)[i] =
			q[i] * scale[n_scale == 1 ? 0 : i / inner % n_scale] - f[i];
	return 0;
}

static int bc_layers(struct npu_graph *g, const struct npu_graph *fg, struct bc_state *bc)
{
	bc->layers = calloc(g->n_nodes + 1, sizeof(*bc->layers));
	if (!bc->layers)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	for (size_t i = 0; i < g->n_nodes; i++) {
		struct npu_node *n = g->nodes[i];
		const struct npu_node *dq, *dqw, *fn;
		struct bc_layer *l;
		int ret;

		if ((n->op != NPU_NODE_CONV && n->op != NPU_NODE_GEMM) || n->n_in < 3 || !n->in[2])
			continue;
		if (n->op == NPU_NODE_GEMM && (npu_attr_int(n, "transA") ||
		    npu_attr_float(n, "alpha") != 1.0f || npu_attr_float(n, "beta") != 1.0f))
			continue;
		dq = npu_tensor_producer(g, n->in[2]);
		dqw = npu_tensor_producer(g, n->in[1]);
		fn = float_node(fg, n);
		if (!dq || dq->op != NPU_NODE_DEQUANTIZE_LINEAR || !dq->in[0]->data ||
		    dq->in[0]->dtype != NPU_DTYPE_INT32 || !dqw ||
		    dqw->op != NPU_NODE_DEQUANTIZE_LINEAR || dqw->in[0]->dtype != NPU_DTYPE_INT8 ||
		    !dqw->in[0]->data || !fn || !fn->in[1]->data ||
		    fn->in[1]->dtype != NPU_DTYPE_FLOAT32 ||
		    npu_tensor_numel(fn->in[1]) != npu_tensor_numel(dqw->in[0]))
			continue;
		l = &bc->layers[bc->n_layers++];
		l->node = n;
		l->fnode = fn;
		l->channels = npu_tensor_numel(dq->in[0]);
		l->sum = calloc(l->channels, sizeof(double));
		if (!l->sum)
			return npu_fail(NPU_E_NOMEM, "out of memory");
		ret = bc_eps(l, dqw, fn->in[1]);
		if (ret)
			return ret;
	}
	return 0;
}

static int correct_bias(struct npu_graph *g, struct npu_graph *fg, const struct npu_dataset *ds,
			size_t count, const struct npu_quant_options *o, npu_progress_cb progress,
			void *ctx)
{
	struct bc_state bc = { 0 };
	struct bc_ctx c = { .bc = &bc, .fg = fg };
	int ret = bc_layers(g, fg, &bc);

	for (size_t i = 0; !ret && i < count; i++) {
		ret = run_image(fg, ds, i, &o->norm, bc_observe, &c);
		if (!ret && progress)
			ret = progress(ctx, "bias-correction", i + 1, count);
	}
	for (size_t i = 0; !ret && i < bc.n_layers; i++) {
		const struct bc_layer *l = &bc.layers[i];
		const struct npu_node *dq = npu_tensor_producer(g, l->node->in[2]);
		int32_t *q = dq->in[0]->data;
		const float *scale = dq->in[1]->data;
		const size_t n_scale = npu_tensor_numel(dq->in[1]);

		for (size_t ch = 0; l->count > 0.0 && ch < l->channels; ch++) {
			const double delta = -l->sum[ch] / l->count;
			const double v = q[ch] + nearbyint(delta / scale[n_scale == 1 ? 0 : ch]);

			q[ch] = (int32_t)fmax(-2147483647.0, fmin(2147483647.0, v));
		}
	}
	for (size_t i = 0; i < bc.n_layers; i++) {
		free(bc.layers[i].sum);
		npu_value_free(&bc.layers[i].eps);
	}
	free(bc.layers);
	return ret;
}

static int check_options(const struct npu_quant_options *o)
{
	if ((unsigned)o->method > NPU_CALIB_MSE || !o->batch ||
	    (o->act_dtype != NPU_DTYPE_INT8 && o->act_dtype != NPU_DTYPE_UINT8) ||
	    !(o->percentile > 50.0f && o->percentile <= 100.0f) ||
	    !(o->ema_constant > 0.0f && o->ema_constant <= 1.0f) || !(o->norm.std > 0.0f))
		return npu_fail(NPU_E_INVALID, "quantize: invalid options");
	return 0;
}

/*
 * Per-axis QuantizeLinear/DequantizeLinear came with opset 13.  The
 * operators we import keep their meaning from 11 to 13 except Softmax,
 * whose opset-11 form over a 2-D input is the same at axis -1.
 */
static int raise_opset(struct npu_graph *g)
{
	if (g->opset >= 13)
		return 0;
	for (size_t i = 0; i < g->n_nodes; i++) {
		const struct npu_node *n = g->nodes[i];
		const struct npu_attr *a = npu_node_find_attr(n, "axis");

		if (n->op == NPU_NODE_SOFTMAX &&
		    (n->in[0]->rank != 2 || (a && a->i != 1 && a->i != -1)))
			return npu_fail(NPU_E_UNSUPPORTED, "per-channel weights need opset 13, and "
					"a Softmax of opset %d over rank %d has no opset-13 form",
					g->opset, n->in[0]->rank);
	}
	for (size_t i = 0; i < g->n_nodes; i++)
		if (g->nodes[i]->op == NPU_NODE_SOFTMAX) {
			int ret = npu_node_set_attr_int(g->nodes[i], "axis", -1);

			if (ret)
				return ret;
		}
	g->opset = 13;
	return 0;
}

/* A copy of the float graph for bias correction, through the ONNX writer and reader. */
static int copy_graph(const struct npu_graph *g, struct npu_graph **copy)
{
	void *data;
	size_t size;
	int ret = npu_graph_save_onnx_mem(g, &data, &size);

	if (ret)
		return ret;
	ret = npu_graph_load_onnx_mem(data, size, copy);
	free(data);
	return ret;
}

int npu_quantize_graph(struct npu_graph *g, const struct npu_dataset *ds, size_t count,
		       const struct npu_quant_options *o, npu_progress_cb progress, void *ctx)
{
	struct qstate s = { .g = g, .o = o };
	struct npu_graph *fg = NULL;
	struct npu_value first = { 0 };
	float *scales = NULL;
	int32_t *zps = NULL;
	int ret;

	if (!g || !ds || !o)
		return npu_fail(NPU_E_INVALID, "quantize: NULL argument");
	ret = check_options(o);
	if (ret || npu_graph_is_quantized(g))
		return ret;
	ret = npu_graph_infer_shapes(g);
	if (ret)
		return ret;
	if (g->n_inputs != 1 || g->inputs[0]->dtype != NPU_DTYPE_FLOAT32)
		return npu_fail(NPU_E_UNSUPPORTED, "quantize: the graph must have one float input");
	if (!count || count > npu_dataset_count(ds))
		count = npu_dataset_count(ds);
	/* A symbolic batch becomes 1: the integer operations need static shapes. */
	ret = npu_dataset_input(ds, 0, &o->norm, g->inputs[0], &first);
	if (!ret && g->inputs[0]->rank < 0)
		ret = npu_tensor_set_shape(g->inputs[0], first.rank, first.dims);
	npu_value_free(&first);
	if (!ret)
		ret = npu_graph_fold_batchnorm(g, NULL);
	if (!ret && o->cle)
		ret = npu_graph_equalize(g, NULL);
	if (!ret && o->per_channel)
		ret = raise_opset(g);
	if (!ret && o->bias_correction)
		ret = copy_graph(g, &fg);
	if (!ret)
		ret = choose_sites(&s);
	if (!ret)
		ret = calibrate(&s, ds, count, progress, ctx);
	if (!ret) {
		scales = calloc(s.n_sites + 1, sizeof(*scales));
		zps = calloc(s.n_sites + 1, sizeof(*zps));
		ret = scales && zps ? rewrite(&s, scales, zps) : npu_fail(NPU_E_NOMEM, "out of memory");
	}
	if (!ret && fg)
		ret = correct_bias(g, fg, ds, count, o, progress, ctx);
	for (size_t i = 0; s.stats && i < s.n_sites; i++)
		npu_calib_stat_fini(&s.stats[i]);
	free(s.stats);
	free(s.site);
	free(scales);
	free(zps);
	npu_graph_free(fg);
	return ret;
}
