// SPDX-License-Identifier: MIT
/*
 * Conv (float): grouped, strided, dilated, padded convolution over 1 to
 * 3 spatial dims, NCHW.  Padding taps are skipped (they are zeros).
 */
#include "ref/ref.h"

void npu_ref_conv(const struct npu_value *x, const struct npu_value *w,
		  const struct npu_value *b, int64_t group, const struct npu_ref_window *win,
		  struct npu_value *y)
{
	const int64_t batch = x->dims[0], c_in = x->dims[1], m_out = y->dims[1];
	const int64_t c_group = c_in / group, m_group = m_out / group;
	const int64_t in_size = npu_ref_window_size(win->in);
	const int64_t out_size = npu_ref_window_size(win->out);
	const int64_t k_size = npu_ref_window_size(win->kernel);
	const float *xd = x->data, *wd = w->data;
	const float *bd = b && b->dtype != NPU_DTYPE_UNDEFINED ? b->data : NULL;
	float *yd = y->data;

	for (int64_t n = 0; n < batch; n++) {
		for (int64_t m = 0; m < m_out; m++) {
			const int64_t c0 = m / m_group * c_group;
			int64_t o[NPU_REF_SPATIAL] = { 0 };

			for (int64_t op = 0; op < out_size; op++, npu_ref_next_index(3, win->out, o)) {
				double acc = bd ? bd[m] : 0.0;

				for (int64_t c = 0; c < c_group; c++) {
					const float *xc = xd + ((n * c_in) + c0 + c) * in_size;
					const float *wc = wd + (m * c_group + c) * k_size;
					int64_t k[NPU_REF_SPATIAL] = { 0 };

					for (int64_t kp = 0; kp < k_size;
					     kp++, npu_ref_next_index(3, win->kernel, k)) {
						int64_t at;

						if (npu_ref_window_tap(win, o, k, 0, &at))
							acc += (double)xc[at] * wc[kp];
					}
				}
				yd[(n * m_out + m) * out_size + op] = (float)acc;
			}
		}
	}
}
