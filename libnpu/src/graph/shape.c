// SPDX-License-Identifier: MIT
/*
 * Shape inference: per node, the output types and shapes from the
 * input types, shapes, attribute values and, where the shape depends on
 * them (Reshape, Pad), input values.  It is also where every node is
 * checked, so the interpreter and the kernels can trust what they get.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph_priv.h"
#include "npu/error.h"
#include "onnx_priv.h"

/* Attribute values past this are nonsense for any model and could overflow. */
#define NPU_ATTR_LIMIT	(1 << 20)

static int node_fail(const struct npu_graph *g, const struct npu_node *n, int status,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int node_fail(const struct npu_graph *g, const struct npu_node *n, int status,
		     const char *fmt, ...)
{
	char label[160], msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return npu_fail(status, "%s: %s", npu_node_label(g, n, label, sizeof(label)), msg);
}

#define FAIL(...)	node_fail(g, n, __VA_ARGS__)

static int present(const struct npu_value *v)
{
	return v->dtype != NPU_DTYPE_UNDEFINED;
}

static int known(const struct npu_value *v)
{
	return v->rank >= 0;
}

static size_t numel(const struct npu_value *v)
{
	size_t count = 0;

	npu_shape_numel(v->rank, v->dims, &count);
	return count;
}

/* Per-tensor parameter: rank 0, or rank 1 with one element. */
static int is_scalar(const struct npu_value *v)
{
	return v->rank == 0 || (v->rank == 1 && v->dims[0] == 1);
}

static int is_q8(enum npu_dtype t)
{
	return t == NPU_DTYPE_INT8 || t == NPU_DTYPE_UINT8;
}

static int is_numeric(enum npu_dtype t)
{
	return t != NPU_DTYPE_BOOL && npu_dtype_size(t);
}

static void set_out(struct npu_value *out, enum npu_dtype dtype, int rank, const int64_t *dims)
{
	out->dtype = dtype;
	out->rank = rank;
	for (int i = 0; i < rank && i < NPU_MAX_RANK; i++)
		out->dims[i] = dims[i];
}

/* Normalize axis in [-rank, rank - 1 + extra]; -1 if out of range. */
static int norm_axis(int64_t axis, int rank, int extra)
{
	if (axis < -rank || axis >= rank + extra)
		return -1;
	return (int)(axis < 0 ? axis + rank : axis);
}

/* Every scale element is positive and finite (checked when known). */
static int check_scales(const struct npu_graph *g, const struct npu_node *n,
			const struct npu_value *s, const char *what)
{
	if (s->dtype != NPU_DTYPE_FLOAT32)
		return FAIL(NPU_E_FORMAT, "%s must be float32", what);
	if (!s->data || !known(s))
		return 0;
	for (size_t i = 0; i < numel(s); i++) {
		float v = ((const float *)s->data)[i];

		if (!(v > 0.0f) || !isfinite(v))
			return FAIL(NPU_E_INVALID, "%s[%zu] = %g is not a positive finite scale",
				    what, i, v);
	}
	return 0;
}

/*
 * A quantization parameter (scale or zero point) that is per tensor or,
 * when `count` > 0 allows it, a 1-D tensor of `count` elements.
 */
static int check_qparam(const struct npu_graph *g, const struct npu_node *n,
			const struct npu_value *v, int64_t count, const char *what)
{
	if (!known(v) || is_scalar(v))
		return 0;
	if (count > 0 && v->rank == 1 && v->dims[0] == count)
		return 0;
	return FAIL(NPU_E_INVALID, "%s must be a scalar%s", what,
		    count > 0 ? " or a 1-D tensor of one entry per channel" : "");
}

/* ------------------------------------------------------------------ */
/* Windows: Conv family and pooling                                    */
/* ------------------------------------------------------------------ */

/* A list attribute of `count` entries in [lo, NPU_ATTR_LIMIT], or its default. */
static int window_list(const struct npu_graph *g, const struct npu_node *n, const char *name,
		       size_t count, int64_t lo, int64_t def, int64_t *out)
{
	size_t have;
	const int64_t *v = npu_attr_ints(n, name, &have);

	if (!have) {
		for (size_t i = 0; i < count; i++)
			out[i] = def;
		return 0;
	}
	if (have != count)
		return FAIL(NPU_E_INVALID, "%s has %zu entries, needs %zu", name, have, count);
	for (size_t i = 0; i < count; i++) {
		if (v[i] < lo || v[i] > NPU_ATTR_LIMIT)
			return FAIL(NPU_E_INVALID, "%s[%zu] = %lld out of range", name, i,
				    (long long)v[i]);
		out[i] = v[i];
	}
	return 0;
}

int npu_node_window(const struct npu_graph *g, const struct npu_node *n,
		    const struct npu_value *x, const int64_t *kernel,
		    struct npu_ref_window *win)
{
	const int sp = x->rank - 2;
	const int off = NPU_REF_SPATIAL - sp;	/* first used slot */
	const char *auto_pad = npu_attr_string(n, "auto_pad");
	const int ceil_mode = npu_attr_int(n, "ceil_mode") != 0;
	int64_t k[NPU_REF_SPATIAL], s[NPU_REF_SPATIAL], d[NPU_REF_SPATIAL];
	int64_t pads[2 * NPU_REF_SPATIAL];
	int ret;

	if (sp < 1 || sp > NPU_REF_SPATIAL)
		return FAIL(NPU_E_UNSUPPORTED, "%d spatial dimensions (1 to %d supported)", sp,
			    NPU_REF_SPATIAL);
	ret = window_list(g, n, "kernel_shape", sp, 1, 0, k);
	if (!ret && kernel) {
		size_t have;

		npu_attr_ints(n, "kernel_shape", &have);
		for (int i = 0; i < sp; i++) {
			if (have && k[i] != kernel[i])
				return FAIL(NPU_E_INVALID, "kernel_shape does not match the weights");
			k[i] = kernel[i];
		}
	}
	if (!ret && !kernel && !npu_node_find_attr(n, "kernel_shape"))
		ret = FAIL(NPU_E_INVALID, "kernel_shape is required");
	if (!ret)
		ret = window_list(g, n, "strides", sp, 1, 1, s);
	if (!ret)
		ret = window_list(g, n, "dilations", sp, 1, 1, d);
	if (!ret)
		ret = window_list(g, n, "pads", 2 * sp, 0, 0, pads);
	if (ret)
		return ret;
	if (strcmp(auto_pad, "NOTSET") && strcmp(auto_pad, "VALID") &&
	    strcmp(auto_pad, "SAME_UPPER") && strcmp(auto_pad, "SAME_LOWER"))
		return FAIL(NPU_E_INVALID, "auto_pad '%s' is not NOTSET, VALID, SAME_UPPER or "
			    "SAME_LOWER", auto_pad);

	for (int i = 0; i < NPU_REF_SPATIAL; i++) {
		win->in[i] = win->out[i] = win->kernel[i] = win->stride[i] = 1;
		win->dilation[i] = 1;
		win->pad_begin[i] = win->pad_end[i] = 0;
	}
	win->spatial = sp;
	for (int i = 0; i < sp; i++) {
		const int j = off + i;
		const int64_t in = x->dims[2 + i];
		const int64_t extent = d[i] * (k[i] - 1) + 1;
		int64_t pb = pads[i], pe = pads[sp + i], span;

		if (!strcmp(auto_pad, "VALID")) {
			pb = pe = 0;
		} else if (strcmp(auto_pad, "NOTSET")) {
			/* SAME: out = ceil(in / stride); the odd pad goes at the end (UPPER). */
			int64_t out = (in + s[i] - 1) / s[i];
			int64_t total = (out - 1) * s[i] + extent - in;

			if (total < 0)
				total = 0;
			pb = !strcmp(auto_pad, "SAME_UPPER") ? total / 2 : total - total / 2;
			pe = total - pb;
		}
		span = in + pb + pe - extent;
		if (span < 0)
			return FAIL(NPU_E_INVALID, "window (%lld) larger than the padded input "
				    "(%lld) in spatial dim %d", (long long)extent,
				    (long long)(in + pb + pe), i);
		win->in[j] = in;
		win->kernel[j] = k[i];
		win->stride[j] = s[i];
		win->dilation[j] = d[i];
		win->pad_begin[j] = pb;
		win->pad_end[j] = pe;
		win->out[j] = (ceil_mode ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
	}
	return 0;
}

/* Output [N, channels, window outputs...] of a window over x. */
static void window_out(const struct npu_value *x, int64_t channels,
		       const struct npu_ref_window *win, enum npu_dtype dtype,
		       struct npu_value *out)
{
	out->dtype = dtype;
	out->rank = x->rank;
	out->dims[0] = x->dims[0];
	out->dims[1] = channels;
	for (int i = 0; i < win->spatial; i++)
		out->dims[2 + i] = win->out[NPU_REF_SPATIAL - win->spatial + i];
}

/* Conv, ConvInteger, QLinearConv: x, w at in[xi], in[wi]. */
static int infer_conv_shape(const struct npu_graph *g, const struct npu_node *n,
			    const struct npu_value *x, const struct npu_value *w,
			    const struct npu_value *b, enum npu_dtype out_dtype,
			    struct npu_value *out)
{
	const int64_t group = npu_attr_int(n, "group");
	struct npu_ref_window win;
	int64_t c, m;
	int ret;

	if (group < 1 || group > NPU_ATTR_LIMIT)
		return FAIL(NPU_E_INVALID, "group %lld out of range", (long long)group);
	out->dtype = out_dtype;
	if (!known(x) || !known(w))
		return 0;
	if (x->rank < 3 || w->rank != x->rank)
		return FAIL(NPU_E_INVALID, "input rank %d and weight rank %d (need equal, >= 3)",
			    x->rank, w->rank);
	c = x->dims[1];
	m = w->dims[0];
	if (c % group || m % group || w->dims[1] * group != c)
		return FAIL(NPU_E_INVALID, "channels (input %lld, weights %lld x %lld) do not fit "
			    "group %lld", (long long)c, (long long)m, (long long)w->dims[1],
			    (long long)group);
	if (b && present(b) && known(b) && (b->rank != 1 || b->dims[0] != m))
		return FAIL(NPU_E_INVALID, "bias must be 1-D of %lld entries", (long long)m);
	ret = npu_node_window(g, n, x, &w->dims[2], &win);
	if (ret)
		return ret;
	window_out(x, m, &win, out_dtype, out);
	return 0;
}

static int infer_conv(const struct npu_graph *g, const struct npu_node *n,
		      const struct npu_value *in, struct npu_value *out)
{
	if (in[0].dtype != NPU_DTYPE_FLOAT32 || in[1].dtype != NPU_DTYPE_FLOAT32 ||
	    (present(&in[2]) && in[2].dtype != NPU_DTYPE_FLOAT32))
		return FAIL(NPU_E_UNSUPPORTED, "inputs must be float32");
	return infer_conv_shape(g, n, &in[0], &in[1], &in[2], NPU_DTYPE_FLOAT32, out);
}

static int infer_conv_integer(const struct npu_graph *g, const struct npu_node *n,
			      const struct npu_value *in, struct npu_value *out)
{
	int ret;

	if (!is_q8(in[0].dtype) || !is_q8(in[1].dtype))
		return FAIL(NPU_E_UNSUPPORTED, "x and w must be int8 or uint8");
	if ((present(&in[2]) && in[2].dtype != in[0].dtype) ||
	    (present(&in[3]) && in[3].dtype != in[1].dtype))
		return FAIL(NPU_E_INVALID, "a zero point's type differs from its input's");
	ret = check_qparam(g, n, &in[2], 0, "x_zero_point");
	if (!ret && present(&in[3]))
		ret = check_qparam(g, n, &in[3], known(&in[1]) ? in[1].dims[0] : 0,
				   "w_zero_point");
	if (ret)
		return ret;
	return infer_conv_shape(g, n, &in[0], &in[1], NULL, NPU_DTYPE_INT32, out);
}

static int infer_qlinear_conv(const struct npu_graph *g, const struct npu_node *n,
			      const struct npu_value *in, struct npu_value *out)
{
	const int64_t m = known(&in[3]) ? in[3].dims[0] : 0;
	int ret;

	if (!is_q8(in[0].dtype) || !is_q8(in[3].dtype) || !is_q8(in[7].dtype))
		return FAIL(NPU_E_UNSUPPORTED, "x, w and y must be int8 or uint8");
	if (in[2].dtype != in[0].dtype || in[5].dtype != in[3].dtype)
		return FAIL(NPU_E_INVALID, "a zero point's type differs from its input's");
	if (present(&in[8]) && in[8].dtype != NPU_DTYPE_INT32)
		return FAIL(NPU_E_INVALID, "bias must be int32");
	ret = check_scales(g, n, &in[1], "x_scale");
	if (!ret)
		ret = check_scales(g, n, &in[4], "w_scale");
	if (!ret)
		ret = check_scales(g, n, &in[6], "y_scale");
	if (!ret)
		ret = check_qparam(g, n, &in[1], 0, "x_scale");
	if (!ret)
		ret = check_qparam(g, n, &in[2], 0, "x_zero_point");
	if (!ret)
		ret = check_qparam(g, n, &in[4], m, "w_scale");
	if (!ret)
		ret = check_qparam(g, n, &in[5], m, "w_zero_point");
	if (!ret)
		ret = check_qparam(g, n, &in[6], 0, "y_scale");
	if (!ret)
		ret = check_qparam(g, n, &in[7], 0, "y_zero_point");
	if (ret)
		return ret;
	return infer_conv_shape(g, n, &in[0], &in[3], &in[8], in[7].dtype, out);
}

static int infer_pool(const struct npu_graph *g, const struct npu_node *n,
		      const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];
	struct npu_ref_window win;
	int ret;

	if (n->op == NPU_NODE_MAX_POOL) {
		const int64_t order = npu_attr_int(n, "storage_order");

		if (x->dtype != NPU_DTYPE_FLOAT32 && !is_q8(x->dtype))
			return FAIL(NPU_E_UNSUPPORTED, "input must be float32, int8 or uint8");
		if (order != 0 && order != 1)
			return FAIL(NPU_E_INVALID, "storage_order %lld is not 0 or 1",
				    (long long)order);
	} else {
		const int64_t cip = npu_attr_int(n, "count_include_pad");

		if (x->dtype != NPU_DTYPE_FLOAT32)
			return FAIL(NPU_E_UNSUPPORTED, "input must be float32");
		if (cip != 0 && cip != 1)
			return FAIL(NPU_E_INVALID, "count_include_pad %lld is not 0 or 1",
				    (long long)cip);
	}
	if (npu_attr_int(n, "ceil_mode") != 0 && npu_attr_int(n, "ceil_mode") != 1)
		return FAIL(NPU_E_INVALID, "ceil_mode is not 0 or 1");
	out[0].dtype = x->dtype;
	if (n->n_out > 1)
		out[1].dtype = NPU_DTYPE_INT64;
	if (!known(x))
		return 0;
	ret = npu_node_window(g, n, x, NULL, &win);
	if (ret)
		return ret;
	window_out(x, x->dims[1], &win, x->dtype, &out[0]);
	if (n->n_out > 1)
		window_out(x, x->dims[1], &win, NPU_DTYPE_INT64, &out[1]);
	return 0;
}

static int infer_global_pool(const struct npu_graph *g, const struct npu_node *n,
			     const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];

	if (x->dtype != NPU_DTYPE_FLOAT32)
		return FAIL(NPU_E_UNSUPPORTED, "input must be float32");
	out->dtype = x->dtype;
	if (!known(x))
		return 0;
	if (x->rank < 3)
		return FAIL(NPU_E_INVALID, "input rank %d < 3", x->rank);
	set_out(out, x->dtype, x->rank, x->dims);
	for (int i = 2; i < x->rank; i++)
		out->dims[i] = 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Gemm and MatMul                                                     */
/* ------------------------------------------------------------------ */

static int infer_gemm(const struct npu_graph *g, const struct npu_node *n,
		      const struct npu_value *in, struct npu_value *out)
{
	const int64_t ta = npu_attr_int(n, "transA"), tb = npu_attr_int(n, "transB");
	const struct npu_value *a = &in[0], *b = &in[1], *c = &in[2];
	int64_t m, k, kb, nn;

	if (a->dtype != NPU_DTYPE_FLOAT32 || b->dtype != NPU_DTYPE_FLOAT32 ||
	    (present(c) && c->dtype != NPU_DTYPE_FLOAT32))
		return FAIL(NPU_E_UNSUPPORTED, "inputs must be float32");
	if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1))
		return FAIL(NPU_E_INVALID, "transA/transB must be 0 or 1");
	out->dtype = NPU_DTYPE_FLOAT32;
	if (!known(a) || !known(b) || (present(c) && !known(c)))
		return 0;
	if (a->rank != 2 || b->rank != 2)
		return FAIL(NPU_E_INVALID, "A and B must be 2-D");
	m = a->dims[ta ? 1 : 0];
	k = a->dims[ta ? 0 : 1];
	kb = b->dims[tb ? 1 : 0];
	nn = b->dims[tb ? 0 : 1];
	if (k != kb)
		return FAIL(NPU_E_INVALID, "inner dimensions %lld and %lld differ", (long long)k,
			    (long long)kb);
	/* C broadcasts to (M, N) in one direction only. */
	if (present(c) && (c->rank > 2 ||
			   (c->rank == 2 && ((c->dims[0] != m && c->dims[0] != 1) ||
					     (c->dims[1] != nn && c->dims[1] != 1))) ||
			   (c->rank == 1 && c->dims[0] != nn && c->dims[0] != 1)))
		return FAIL(NPU_E_INVALID, "C does not broadcast to (%lld, %lld)", (long long)m,
			    (long long)nn);
	out->rank = 2;
	out->dims[0] = m;
	out->dims[1] = nn;
	return 0;
}

/* numpy broadcasting of a and b's dims into out (dtype kept). */
static int broadcast(const struct npu_graph *g, const struct npu_node *n, int ra,
		     const int64_t *da, int rb, const int64_t *db, struct npu_value *out)
{
	const int r = ra > rb ? ra : rb;

	for (int i = 0; i < r; i++) {
		const int64_t x = i - (r - ra) >= 0 ? da[i - (r - ra)] : 1;
		const int64_t y = i - (r - rb) >= 0 ? db[i - (r - rb)] : 1;

		if (x != y && x != 1 && y != 1)
			return FAIL(NPU_E_INVALID, "shapes do not broadcast (dim %d: %lld vs %lld)",
				    i, (long long)x, (long long)y);
		out->dims[i] = x == 1 ? y : x;
	}
	out->rank = r;
	return 0;
}

/* MatMul's shape (numpy matmul: 1-D operands promoted, batch dims broadcast). */
static int matmul_shape(const struct npu_graph *g, const struct npu_node *n,
			const struct npu_value *a, const struct npu_value *b,
			struct npu_value *out)
{
	int64_t ka, kb, m, nn;
	int ret;

	if (!known(a) || !known(b))
		return 0;
	if (a->rank < 1 || b->rank < 1)
		return FAIL(NPU_E_INVALID, "operands must have rank >= 1");
	ka = a->dims[a->rank - 1];
	kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
	if (ka != kb)
		return FAIL(NPU_E_INVALID, "inner dimensions %lld and %lld differ",
			    (long long)ka, (long long)kb);
	m = a->rank == 1 ? -1 : a->dims[a->rank - 2];
	nn = b->rank == 1 ? -1 : b->dims[b->rank - 1];
	ret = broadcast(g, n, a->rank > 2 ? a->rank - 2 : 0, a->dims,
			b->rank > 2 ? b->rank - 2 : 0, b->dims, out);
	if (ret)
		return ret;
	if (m >= 0)
		out->dims[out->rank++] = m;
	if (nn >= 0)
		out->dims[out->rank++] = nn;
	return 0;
}

static int infer_matmul(const struct npu_graph *g, const struct npu_node *n,
			const struct npu_value *in, struct npu_value *out)
{
	if (in[0].dtype != NPU_DTYPE_FLOAT32 || in[1].dtype != NPU_DTYPE_FLOAT32)
		return FAIL(NPU_E_UNSUPPORTED, "inputs must be float32");
	out->dtype = NPU_DTYPE_FLOAT32;
	return matmul_shape(g, n, &in[0], &in[1], out);
}

/* Rows of a (M) and columns of b (N), or 0 when unknown. */
static int64_t rows_of(const struct npu_value *a)
{
	return known(a) && a->rank >= 2 ? a->dims[a->rank - 2] : 0;
}

static int64_t cols_of(const struct npu_value *b)
{
	return known(b) && b->rank >= 2 ? b->dims[b->rank - 1] : 0;
}

static int infer_matmul_integer(const struct npu_graph *g, const struct npu_node *n,
				const struct npu_value *in, struct npu_value *out)
{
	int ret;

	if (!is_q8(in[0].dtype) || !is_q8(in[1].dtype))
		return FAIL(NPU_E_UNSUPPORTED, "A and B must be int8 or uint8");
	if ((present(&in[2]) && in[2].dtype != in[0].dtype) ||
	    (present(&in[3]) && in[3].dtype != in[1].dtype))
		return FAIL(NPU_E_INVALID, "a zero point's type differs from its input's");
	ret = present(&in[2]) ? check_qparam(g, n, &in[2], rows_of(&in[0]), "a_zero_point") : 0;
	if (!ret && present(&in[3]))
		ret = check_qparam(g, n, &in[3], cols_of(&in[1]), "b_zero_point");
	if (ret)
		return ret;
	out->dtype = NPU_DTYPE_INT32;
	return matmul_shape(g, n, &in[0], &in[1], out);
}

static int infer_qlinear_matmul(const struct npu_graph *g, const struct npu_node *n,
				const struct npu_value *in, struct npu_value *out)
{
	const int64_t m = rows_of(&in[0]), nn = cols_of(&in[3]);
	int ret;

	if (!is_q8(in[0].dtype) || !is_q8(in[3].dtype) || !is_q8(in[7].dtype))
		return FAIL(NPU_E_UNSUPPORTED, "a, b and y must be int8 or uint8");
	if (in[2].dtype != in[0].dtype || in[5].dtype != in[3].dtype)
		return FAIL(NPU_E_INVALID, "a zero point's type differs from its input's");
	ret = check_scales(g, n, &in[1], "a_scale");
	if (!ret)
		ret = check_scales(g, n, &in[4], "b_scale");
	if (!ret)
		ret = check_scales(g, n, &in[6], "y_scale");
	/* Per-row a and y, per-column b, as ONNX allows. */
	if (!ret)
		ret = check_qparam(g, n, &in[1], m, "a_scale");
	if (!ret)
		ret = check_qparam(g, n, &in[2], m, "a_zero_point");
	if (!ret)
		ret = check_qparam(g, n, &in[4], nn, "b_scale");
	if (!ret)
		ret = check_qparam(g, n, &in[5], nn, "b_zero_point");
	if (!ret)
		ret = check_qparam(g, n, &in[6], m, "y_scale");
	if (!ret)
		ret = check_qparam(g, n, &in[7], m, "y_zero_point");
	if (ret)
		return ret;
	if (known(&in[0]) && known(&in[3]) && (in[0].rank < 2 || in[3].rank < 2))
		return FAIL(NPU_E_INVALID, "a and b must have rank >= 2");
	out->dtype = in[7].dtype;
	return matmul_shape(g, n, &in[0], &in[3], out);
}

/* ------------------------------------------------------------------ */
/* Element-wise                                                        */
/* ------------------------------------------------------------------ */

static int infer_unary(const struct npu_graph *g, const struct npu_node *n,
		       const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];
	/* Relu takes signed integers too (Relu-14); the others are float. */
	const int ok = x->dtype == NPU_DTYPE_FLOAT32 ||
		(n->op == NPU_NODE_RELU && (x->dtype == NPU_DTYPE_INT8 ||
					    x->dtype == NPU_DTYPE_INT32 ||
					    x->dtype == NPU_DTYPE_INT64));

	if (!ok)
		return FAIL(NPU_E_UNSUPPORTED, "input type %s not supported",
			    npu_dtype_name(x->dtype));
	set_out(out, x->dtype, x->rank, x->dims);
	return 0;
}

static int infer_clip(const struct npu_graph *g, const struct npu_node *n,
		      const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];

	if (!is_numeric(x->dtype))
		return FAIL(NPU_E_UNSUPPORTED, "input type %s not supported",
			    npu_dtype_name(x->dtype));
	for (size_t i = 1; i < n->n_in; i++) {
		if (!present(&in[i]))
			continue;
		if (in[i].dtype != x->dtype)
			return FAIL(NPU_E_INVALID, "min/max type differs from the input's");
		if (known(&in[i]) && numel(&in[i]) != 1)
			return FAIL(NPU_E_INVALID, "min/max must be scalars");
	}
	set_out(out, x->dtype, x->rank, x->dims);
	return 0;
}

static int infer_binary(const struct npu_graph *g, const struct npu_node *n,
			const struct npu_value *in, struct npu_value *out)
{
	if (in[0].dtype != in[1].dtype || !is_numeric(in[0].dtype))
		return FAIL(NPU_E_UNSUPPORTED, "inputs must have one numeric type (%s, %s)",
			    npu_dtype_name(in[0].dtype), npu_dtype_name(in[1].dtype));
	out->dtype = in[0].dtype;
	if (!known(&in[0]) || !known(&in[1]))
		return 0;
	return broadcast(g, n, in[0].rank, in[0].dims, in[1].rank, in[1].dims, out);
}

/* ------------------------------------------------------------------ */
/* Shapes and data movement                                            */
/* ------------------------------------------------------------------ */

static int infer_concat(const struct npu_graph *g, const struct npu_node *n,
			const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];
	int axis;

	for (size_t i = 0; i < n->n_in; i++)
		if (!present(&in[i]) || in[i].dtype != x->dtype)
			return FAIL(NPU_E_INVALID, "input %zu is missing or of another type", i);
	out->dtype = x->dtype;
	for (size_t i = 0; i < n->n_in; i++)
		if (!known(&in[i]))
			return 0;
	axis = norm_axis(npu_attr_int(n, "axis"), x->rank, 0);
	if (axis < 0)
		return FAIL(NPU_E_INVALID, "axis %lld out of range for rank %d",
			    (long long)npu_attr_int(n, "axis"), x->rank);
	set_out(out, x->dtype, x->rank, x->dims);
	for (size_t i = 1; i < n->n_in; i++) {
		if (in[i].rank != x->rank)
			return FAIL(NPU_E_INVALID, "input %zu has rank %d, not %d", i, in[i].rank,
				    x->rank);
		for (int d = 0; d < x->rank; d++)
			if (d != axis && in[i].dims[d] != x->dims[d])
				return FAIL(NPU_E_INVALID, "input %zu differs in dim %d", i, d);
		out->dims[axis] += in[i].dims[axis];
	}
	return 0;
}

static int infer_flatten(const struct npu_graph *g, const struct npu_node *n,
			 const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];
	int axis;
	int64_t outer = 1, inner = 1;

	out->dtype = x->dtype;
	if (!known(x))
		return 0;
	axis = norm_axis(npu_attr_int(n, "axis"), x->rank, 1);
	if (axis < 0)
		return FAIL(NPU_E_INVALID, "axis %lld out of range for rank %d",
			    (long long)npu_attr_int(n, "axis"), x->rank);
	for (int i = 0; i < x->rank; i++)
		*(i < axis ? &outer : &inner) *= x->dims[i];
	out->rank = 2;
	out->dims[0] = outer;
	out->dims[1] = inner;
	return 0;
}

static int infer_reshape(const struct npu_graph *g, const struct npu_node *n,
			 const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0], *s = &in[1];
	const int allowzero = npu_attr_int(n, "allowzero") != 0;
	const int64_t *shape = s->data;
	int64_t product = 1;
	int infer_at = -1;
	size_t count;

	if (s->dtype != NPU_DTYPE_INT64)
		return FAIL(NPU_E_INVALID, "shape must be int64");
	out->dtype = x->dtype;
	if (known(s) && s->rank != 1)
		return FAIL(NPU_E_INVALID, "shape must be 1-D");
	if (!known(x) || !known(s) || !shape)
		return 0;
	count = numel(s);
	if (count > NPU_MAX_RANK)
		return FAIL(NPU_E_UNSUPPORTED, "rank %zu > %d", count, NPU_MAX_RANK);
	for (size_t i = 0; i < count; i++) {
		int64_t d = shape[i];

		if (d == 0 && !allowzero) {
			if ((int)i >= x->rank)
				return FAIL(NPU_E_INVALID, "shape[%zu] = 0 copies a missing dim", i);
			d = x->dims[i];
		} else if (d == -1) {
			if (infer_at >= 0)
				return FAIL(NPU_E_INVALID, "more than one -1 in shape");
			infer_at = (int)i;
			continue;
		} else if (d < 0) {
			return FAIL(NPU_E_INVALID, "shape[%zu] = %lld", i, (long long)d);
		}
		if (d > (int64_t)NPU_MAX_NUMEL)
			return FAIL(NPU_E_INVALID, "shape[%zu] too large", i);
		out->dims[i] = d;
		product *= d;
		if (product > (int64_t)NPU_MAX_NUMEL)
			return FAIL(NPU_E_INVALID, "shape too large");
	}
	if (infer_at >= 0) {
		if (product == 0 || numel(x) % (size_t)product)
			return FAIL(NPU_E_INVALID, "-1 in shape cannot be inferred");
		out->dims[infer_at] = (int64_t)(numel(x) / (size_t)product);
		product *= out->dims[infer_at];
	}
	if ((size_t)product != numel(x))
		return FAIL(NPU_E_INVALID, "shape has %lld elements, input %zu",
			    (long long)product, numel(x));
	out->rank = (int)count;
	return 0;
}

static int infer_transpose(const struct npu_graph *g, const struct npu_node *n,
			   const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];
	size_t count;
	const int64_t *perm = npu_attr_ints(n, "perm", &count);
	int seen[NPU_MAX_RANK] = { 0 };

	out->dtype = x->dtype;
	if (!known(x))
		return 0;
	if (count && count != (size_t)x->rank)
		return FAIL(NPU_E_INVALID, "perm has %zu entries for rank %d", count, x->rank);
	out->rank = x->rank;
	for (int i = 0; i < x->rank; i++) {
		const int64_t p = count ? perm[i] : x->rank - 1 - i;

		if (p < 0 || p >= x->rank || seen[p]++)
			return FAIL(NPU_E_INVALID, "perm is not a permutation");
		out->dims[i] = x->dims[p];
	}
	return 0;
}

static int infer_pad(const struct npu_graph *g, const struct npu_node *n,
		     const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0], *p = &in[1];
	const char *mode = npu_attr_string(n, "mode");
	const int64_t *pads = p->data;

	if (strcmp(mode, "constant") && strcmp(mode, "reflect") && strcmp(mode, "edge"))
		return FAIL(NPU_E_INVALID, "mode '%s' is not constant, reflect or edge", mode);
	if (p->dtype != NPU_DTYPE_INT64)
		return FAIL(NPU_E_INVALID, "pads must be int64");
	if (present(&in[2]) && (in[2].dtype != x->dtype || (known(&in[2]) && numel(&in[2]) != 1)))
		return FAIL(NPU_E_INVALID, "constant_value must be a scalar of the input's type");
	out->dtype = x->dtype;
	if (!known(x) || !known(p) || !pads)
		return 0;
	if (p->rank != 1 || p->dims[0] != 2 * x->rank)
		return FAIL(NPU_E_INVALID, "pads must be 1-D of %d entries", 2 * x->rank);
	out->rank = x->rank;
	for (int i = 0; i < x->rank; i++) {
		const int64_t b = pads[i], e = pads[x->rank + i], d = x->dims[i];

		if (b < -d || e < -d || b > NPU_ATTR_LIMIT || e > NPU_ATTR_LIMIT ||
		    d + b + e < 0)
			return FAIL(NPU_E_INVALID, "pads of dim %d out of range", i);
		/* reflect mirrors without repeating the edge: at most d - 1 each side. */
		if (!strcmp(mode, "reflect") && (b > 0 || e > 0) && (b >= d || e >= d))
			return FAIL(NPU_E_INVALID, "reflect pads of dim %d exceed its size - 1", i);
		if (!strcmp(mode, "edge") && (b > 0 || e > 0) && d == 0)
			return FAIL(NPU_E_INVALID, "edge padding of an empty dim %d", i);
		out->dims[i] = d + b + e;
	}
	return 0;
}

static int infer_softmax(const struct npu_graph *g, const struct npu_node *n,
			 const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];

	if (x->dtype != NPU_DTYPE_FLOAT32)
		return FAIL(NPU_E_UNSUPPORTED, "input must be float32");
	if (known(x) && norm_axis(npu_attr_int(n, "axis"), x->rank, 0) < 0)
		return FAIL(NPU_E_INVALID, "axis %lld out of range for rank %d",
			    (long long)npu_attr_int(n, "axis"), x->rank);
	set_out(out, x->dtype, x->rank, x->dims);
	return 0;
}

static int infer_batch_norm(const struct npu_graph *g, const struct npu_node *n,
			    const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0];

	if (npu_attr_int(n, "training_mode"))
		return FAIL(NPU_E_UNSUPPORTED, "training_mode=1 (batch statistics) is not "
			    "an inference operator");
	if (n->n_out > 1)
		return FAIL(NPU_E_UNSUPPORTED, "the optional training outputs are not supported");
	for (size_t i = 0; i < 5; i++)
		if (in[i].dtype != NPU_DTYPE_FLOAT32)
			return FAIL(NPU_E_UNSUPPORTED, "inputs must be float32");
	set_out(out, x->dtype, x->rank, x->dims);
	if (!known(x))
		return 0;
	if (x->rank < 2)
		return FAIL(NPU_E_INVALID, "input rank %d < 2", x->rank);
	for (size_t i = 1; i < 5; i++)
		if (known(&in[i]) && (in[i].rank != 1 || in[i].dims[0] != x->dims[1]))
			return FAIL(NPU_E_INVALID, "input %zu must be 1-D of %lld channels", i,
				    (long long)x->dims[1]);
	return 0;
}

static int infer_cast(const struct npu_graph *g, const struct npu_node *n,
		      const struct npu_value *in, struct npu_value *out)
{
	const int64_t to = npu_attr_int(n, "to");

	if (to < 0 || to > 64 || !npu_dtype_size((enum npu_dtype)to))
		return FAIL(NPU_E_UNSUPPORTED, "cast to %s not supported",
			    npu_onnx_dtype_name((int32_t)to));
	set_out(out, (enum npu_dtype)to, in[0].rank, in[0].dims);
	return 0;
}

static int infer_identity(const struct npu_graph *g, const struct npu_node *n,
			  const struct npu_value *in, struct npu_value *out)
{
	(void)g;
	(void)n;
	set_out(out, in[0].dtype, in[0].rank, in[0].dims);
	return 0;
}

/* QuantizeLinear and DequantizeLinear share the scale and zero-point rules. */
static int infer_qdq(const struct npu_graph *g, const struct npu_node *n,
		     const struct npu_value *in, struct npu_value *out)
{
	const struct npu_value *x = &in[0], *s = &in[1], *zp = &in[2];
	const int quantize = n->op == NPU_NODE_QUANTIZE_LINEAR;
	int64_t channels = 0;
	int ret;

	if (quantize && x->dtype != NPU_DTYPE_FLOAT32 && x->dtype != NPU_DTYPE_INT32)
		return FAIL(NPU_E_UNSUPPORTED, "x must be float32 or int32");
	if (!quantize && !is_q8(x->dtype) && x->dtype != NPU_DTYPE_INT32)
		return FAIL(NPU_E_UNSUPPORTED, "x must be int8, uint8 or int32");
	if (present(zp) && (quantize ? !is_q8(zp->dtype) : zp->dtype != x->dtype))
		return FAIL(NPU_E_INVALID, "zero point type %s does not fit",
			    npu_dtype_name(zp->dtype));
	ret = check_scales(g, n, s, "scale");
	if (ret)
		return ret;
	if (known(x) && known(s) && !is_scalar(s)) {
		/* Per-axis parameters came with opset 13's axis attribute. */
		int axis = norm_axis(npu_attr_int(n, "axis"), x->rank, 0);

		if (g->opset < 13 || axis < 0)
			return FAIL(NPU_E_INVALID, "per-axis scale needs opset 13 and a valid axis");
		channels = x->dims[axis];
	}
	if (known(s) && !is_scalar(s) && !channels)
		return FAIL(NPU_E_INVALID, "scale must be a scalar or 1-D along axis");
	ret = check_qparam(g, n, s, channels, "scale");
	if (!ret && present(zp))
		ret = check_qparam(g, n, zp, channels, "zero_point");
	if (ret)
		return ret;
	if (known(s) && present(zp) && known(zp) && numel(s) != numel(zp))
		return FAIL(NPU_E_INVALID, "scale and zero point differ in size");
	if (!quantize && x->dtype == NPU_DTYPE_INT32 && present(zp) && zp->data)
		for (size_t i = 0; i < numel(zp); i++)
			if (((const int32_t *)zp->data)[i])
				return FAIL(NPU_E_INVALID, "int32 input needs zero point 0");
	set_out(out, quantize ? (present(zp) ? zp->dtype : NPU_DTYPE_UINT8) : NPU_DTYPE_FLOAT32,
		x->rank, x->dims);
	return 0;
}

typedef int (*infer_fn)(const struct npu_graph *g, const struct npu_node *n,
			const struct npu_value *in, struct npu_value *out);

static const infer_fn infer_fns[NPU_NODE_OP_COUNT] = {
	[NPU_NODE_CONV] = infer_conv,
	[NPU_NODE_CONV_INTEGER] = infer_conv_integer,
	[NPU_NODE_QLINEAR_CONV] = infer_qlinear_conv,
	[NPU_NODE_GEMM] = infer_gemm,
	[NPU_NODE_MATMUL] = infer_matmul,
	[NPU_NODE_MATMUL_INTEGER] = infer_matmul_integer,
	[NPU_NODE_QLINEAR_MATMUL] = infer_qlinear_matmul,
	[NPU_NODE_RELU] = infer_unary,
	[NPU_NODE_CLIP] = infer_clip,
	[NPU_NODE_LEAKY_RELU] = infer_unary,
	[NPU_NODE_SIGMOID] = infer_unary,
	[NPU_NODE_TANH] = infer_unary,
	[NPU_NODE_HARD_SWISH] = infer_unary,
	[NPU_NODE_MAX_POOL] = infer_pool,
	[NPU_NODE_AVERAGE_POOL] = infer_pool,
	[NPU_NODE_GLOBAL_AVERAGE_POOL] = infer_global_pool,
	[NPU_NODE_ADD] = infer_binary,
	[NPU_NODE_MUL] = infer_binary,
	[NPU_NODE_CONCAT] = infer_concat,
	[NPU_NODE_FLATTEN] = infer_flatten,
	[NPU_NODE_RESHAPE] = infer_reshape,
	[NPU_NODE_TRANSPOSE] = infer_transpose,
	[NPU_NODE_PAD] = infer_pad,
	[NPU_NODE_SOFTMAX] = infer_softmax,
	[NPU_NODE_BATCH_NORMALIZATION] = infer_batch_norm,
	[NPU_NODE_CAST] = infer_cast,
	[NPU_NODE_IDENTITY] = infer_identity,
	[NPU_NODE_QUANTIZE_LINEAR] = infer_qdq,
	[NPU_NODE_DEQUANTIZE_LINEAR] = infer_qdq,
};

int npu_infer_node(const struct npu_graph *g, const struct npu_node *n,
		   const struct npu_value *in, struct npu_value *out)
{
	const struct npu_op_schema *s = npu_op_schema(n->op);
	size_t numel_out;
	int ret;

	if (n->n_in < s->min_in || n->n_in > s->max_in)
		return FAIL(NPU_E_FORMAT, "%zu inputs (needs %zu to %zu)", n->n_in, s->min_in,
			    s->max_in);
	if (n->n_out < s->min_out || n->n_out > s->max_out)
		return FAIL(NPU_E_FORMAT, "%zu outputs (needs %zu to %zu)", n->n_out, s->min_out,
			    s->max_out);
	for (size_t i = 0; i < s->min_in; i++)
		if (!present(&in[i]))
			return FAIL(NPU_E_FORMAT, "required input %zu is missing", i);
	for (size_t i = 0; i < n->n_out; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].rank = -1;
	}
	ret = infer_fns[n->op](g, n, in, out);
	if (ret)
		return ret;
	for (size_t i = 0; i < n->n_out; i++)
		if (known(&out[i]) && npu_shape_numel(out[i].rank, out[i].dims, &numel_out))
			return FAIL(NPU_E_INVALID, "output %zu would be too large", i);
	return 0;
}

/* The description of tensor t (omitted: UNDEFINED) for npu_infer_node(). */
static void describe(const struct npu_tensor *t, struct npu_value *v)
{
	memset(v, 0, sizeof(*v));
	v->rank = -1;
	if (!t)
		return;
	v->dtype = t->dtype;
	v->rank = t->rank;
	memcpy(v->dims, t->dims, sizeof(v->dims));
	v->data = t->data;
}

int npu_graph_infer_shapes(struct npu_graph *g)
{
	int ret;

	if (!g)
		return npu_fail(NPU_E_INVALID, "infer shapes: NULL graph");
	/* Every input must exist before the order can be decided. */
	for (size_t i = 0; i < g->n_nodes; i++) {
		const struct npu_node *n = g->nodes[i];

		for (size_t j = 0; j < n->n_in; j++) {
			const struct npu_tensor *t = n->in[j];

			if (t && !t->data && !t->is_input && !npu_tensor_producer(g, t))
				return FAIL(NPU_E_FORMAT, "input '%s' is not a graph input, an "
					    "initializer or any node's output", t->name);
		}
	}
	for (size_t i = 0; i < g->n_outputs; i++) {
		const struct npu_tensor *t = g->outputs[i];

		if (!t->data && !t->is_input && !npu_tensor_producer(g, t))
			return npu_fail(NPU_E_FORMAT, "graph output '%s' is not produced by "
					"anything", t->name);
	}
	ret = npu_graph_sort(g);
	if (ret)
		return ret;
	for (size_t i = 0; i < g->n_nodes; i++) {
		struct npu_node *n = g->nodes[i];
		struct npu_value in[16], out[5];
		const size_t max_in = sizeof(in) / sizeof(in[0]);
		struct npu_value *ins = in;

		/* Concat may have any number of inputs. */
		if (n->n_in > max_in) {
			ins = calloc(n->n_in, sizeof(*ins));
			if (!ins)
				return npu_fail(NPU_E_NOMEM, "out of memory");
		}
		for (size_t j = 0; j < (n->n_in > max_in ? n->n_in : max_in); j++)
			describe(j < n->n_in ? n->in[j] : NULL, &ins[j]);
		ret = npu_infer_node(g, n, ins, out);
		if (ins != in)
			free(ins);
		if (ret)
			return ret;
		for (size_t j = 0; j < n->n_out; j++) {
			n->out[j]->dtype = out[j].dtype;
			n->out[j]->rank = out[j].rank;
			memcpy(n->out[j]->dims, out[j].dims, sizeof(out[j].dims));
		}
	}
	return 0;
}
