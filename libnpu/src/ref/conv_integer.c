// SPDX-License-Identifier: MIT
/*
 * ConvInteger and QLinearConv: the exact int32 sum of
 * (x - x_zero_point) * (w - w_zero_point) over each window, as the NPU
 * accumulates it (docs/hw-spec.md 8.1, wrapping like its adders);
 * padding taps are skipped since they equal x_zero_point.  QLinearConv
 * then adds the int32 bias and requantizes with the NPU's fixed-point
 * multiplier for x_scale * w_scale / y_scale (per output channel when
 * w_scale is), rounding and clamping as the MAC array's output stage.
 */
#include "npu/error.h"
#include "npu_arith.h"
#include "ref/ref.h"

/* Zero point for channel c: per tensor, per channel, or 0 when absent. */
static int32_t zero_point(const struct npu_value *zp, int64_t c)
{
	if (!zp || zp->dtype == NPU_DTYPE_UNDEFINED)
		return 0;
	return (int32_t)npu_ref_get_i(zp, npu_value_numel(zp) == 1 ? 0 : (size_t)c);
}

/* The accumulator of output channel m of image n at output position o. */
static int32_t accumulate(const struct npu_value *x, const struct npu_value *w,
			  int32_t x_zp, int32_t w_zp, int64_t n, int64_t m,
			  int64_t c_group, int64_t m_group, const struct npu_ref_window *win,
			  const int64_t *o)
{
	const int64_t c_in = x->dims[1];
	const int64_t c0 = m / m_group * c_group;
	const int64_t in_size = npu_ref_window_size(win->in);
	const int64_t k_size = npu_ref_window_size(win->kernel);
	int32_t acc = 0;

	for (int64_t c = 0; c < c_group; c++) {
		const size_t x_base = (size_t)((n * c_in + c0 + c) * in_size);
		const size_t w_base = (size_t)((m * c_group + c) * k_size);
		int64_t k[NPU_REF_SPATIAL] = { 0 };

		for (int64_t kp = 0; kp < k_size; kp++, npu_ref_next_index(3, win->kernel, k)) {
			int64_t at;
			int32_t xv, wv;

			if (!npu_ref_window_tap(win, o, k, 0, &at))
				continue;
			xv = (int32_t)npu_ref_get_i(x, x_base + (size_t)at) - x_zp;
			wv = (int32_t)npu_ref_get_i(w, w_base + (size_t)kp) - w_zp;
			/* |xv|, |wv| <= 255: the product fits; the sum wraps. */
			acc = npu_wrap_add(acc, xv * wv);
		}
	}
	return acc;
}

void npu_ref_conv_integer(const struct npu_value *x, const struct npu_value *w,
			  const struct npu_value *x_zp, const struct npu_value *w_zp,
			  int64_t group, const struct npu_ref_window *win, struct npu_value *y)
{
	const int64_t batch = x->dims[0], m_out = y->dims[1];
	const int64_t c_group = x->dims[1] / group, m_group = m_out / group;
	const int64_t out_size = npu_ref_window_size(win->out);
	const int32_t xz = zero_point(x_zp, 0);
	int32_t *yd = y->data;

	for (int64_t n = 0; n < batch; n++) {
		for (int64_t m = 0; m < m_out; m++) {
			const int32_t wz = zero_point(w_zp, m);
			int64_t o[NPU_REF_SPATIAL] = { 0 };

			for (int64_t op = 0; op < out_size; op++, npu_ref_next_index(3, win->out, o))
				yd[(n * m_out + m) * out_size + op] =
					accumulate(x, w, xz, wz, n, m, c_group, m_group, win, o);
		}
	}
}

int npu_ref_qlinear_conv(const struct npu_value *x, const struct npu_value *x_scale,
			 const struct npu_value *x_zp, const struct npu_value *w,
			 const struct npu_value *w_scale, const struct npu_value *w_zp,
			 const struct npu_value *y_scale, const struct npu_value *y_zp,
			 const struct npu_value *b, int64_t group,
			 const struct npu_ref_window *win, struct npu_value *y)
{
	const int64_t batch = x->dims[0], m_out = y->dims[1];
	const int64_t c_group = x->dims[1] / group, m_group = m_out / group;
	const int64_t out_size = npu_ref_window_size(win->out);
	const int32_t xz = zero_point(x_zp, 0), yz = zero_point(y_zp, 0);
	const int32_t qmin = y->dtype == NPU_DTYPE_INT8 ? -128 : 0;
	const int32_t qmax = y->dtype == NPU_DTYPE_INT8 ? 127 : 255;
	const int per_channel = npu_value_numel(w_scale) > 1;
	const float xs = *(const float *)x_scale->data, ys = *(const float *)y_scale->data;
	const int32_t *bias = b && b->dtype != NPU_DTYPE_UNDEFINED ? b->data : NULL;

	for (int64_t m = 0; m < m_out; m++) {
		const float ws = ((const float *)w_scale->data)[per_channel ? m : 0];
		const int32_t wz = zero_point(w_zp, m);
		struct npu_quant q;

		if (npu_quant_from_scale((double)xs * ws / ys, &q))
			return NPU_E_INVALID;
		for (int64_t n = 0; n < batch; n++) {
			int64_t o[NPU_REF_SPATIAL] = { 0 };

			for (int64_t op = 0; op < out_size; op++, npu_ref_next_index(3, win->out, o)) {
				const int32_t acc = accumulate(x, w, xz, wz, n, m, c_group,
							       m_group, win, o);
				const int32_t v = npu_requantize(npu_wrap_add(acc, bias ? bias[m] : 0),
								 q.multiplier, q.shift);

				npu_ref_set_i(y, (size_t)((n * m_out + m) * out_size + op),
					      npu_output_stage(v, yz, qmin, qmax));
			}
		}
	}
	return 0;
}
