// SPDX-License-Identifier: MIT
/* MaxPool, AveragePool and GlobalAveragePool over 1 to 3 spatial dims, NCHW. */
#include <math.h>

#include "ref/ref.h"

void npu_ref_max_pool(const struct npu_value *x, const struct npu_ref_window *win,
		      int64_t storage_order, struct npu_value *y, struct npu_value *indices)
{
	const int64_t planes = x->dims[0] * x->dims[1];
	const int64_t in_size = npu_ref_window_size(win->in);
	const int64_t out_size = npu_ref_window_size(win->out);
	const int64_t k_size = npu_ref_window_size(win->kernel);

	for (int64_t p = 0; p < planes; p++) {
		int64_t o[NPU_REF_SPATIAL] = { 0 };

		for (int64_t op = 0; op < out_size; op++, npu_ref_next_index(3, win->out, o)) {
			const size_t out_at = (size_t)(p * out_size + op);
			double best = -INFINITY;
			int64_t best_at = 0, best_index = 0;
			int64_t k[NPU_REF_SPATIAL] = { 0 };

			for (int64_t kp = 0; kp < k_size; kp++, npu_ref_next_index(3, win->kernel, k)) {
				int64_t at, col_at;
				double v;

				if (!npu_ref_window_tap(win, o, k, 0, &at))
					continue;
				v = npu_ref_get_f(x, (size_t)(p * in_size + at));
				/* The first maximum wins, as in ONNX's reference. */
				if (v > best) {
					best = v;
					best_at = at;
					npu_ref_window_tap(win, o, k, 1, &col_at);
					best_index = storage_order ? col_at : at;
				}
			}
			/* A window entirely in the padding has no element: it gives x's lowest value. */
			if (best == -INFINITY)
				npu_ref_set_f(y, out_at, best);
			else
				npu_ref_set_f(y, out_at, npu_ref_get_f(x, (size_t)(p * in_size + best_at)));
			if (indices)
				((int64_t *)indices->data)[out_at] = p * in_size + best_index;
		}
	}
}

void npu_ref_average_pool(const struct npu_value *x, const struct npu_ref_window *win,
			  int count_include_pad, struct npu_value *y)
{
	const int64_t planes = x->dims[0] * x->dims[1];
	const int64_t in_size = npu_ref_window_size(win->in);
	const int64_t out_size = npu_ref_window_size(win->out);
	const int64_t k_size = npu_ref_window_size(win->kernel);
	const float *xd = x->data;
	float *yd = y->data;

	for (int64_t p = 0; p < planes; p++) {
		int64_t o[NPU_REF_SPATIAL] = { 0 };

		for (int64_t op = 0; op < out_size; op++, npu_ref_next_index(3, win->out, o)) {
			int64_t k[NPU_REF_SPATIAL] = { 0 };
			int64_t valid = 0, padded = 0;
			double sum = 0.0;

			for (int64_t kp = 0; kp < k_size; kp++, npu_ref_next_index(3, win->kernel, k)) {
				int64_t at, inside_pads = 1;

				/*
				 * count_include_pad counts the explicit padding, not the
				 * overhang ceil_mode adds past it.
				 */
				for (int i = 0; i < NPU_REF_SPATIAL; i++) {
					const int64_t pos = o[i] * win->stride[i] - win->pad_begin[i] +
						k[i] * win->dilation[i];

					if (pos < -win->pad_begin[i] || pos >= win->in[i] + win->pad_end[i])
						inside_pads = 0;
				}
				padded += inside_pads;
				if (npu_ref_window_tap(win, o, k, 0, &at)) {
					sum += xd[p * in_size + at];
					valid++;
				}
			}
			if (count_include_pad)
				valid = padded;
			yd[p * out_size + op] = valid ? (float)(sum / (double)valid) : 0.0f;
		}
	}
}

void npu_ref_global_average_pool(const struct npu_value *x, struct npu_value *y)
{
	const int64_t planes = x->dims[0] * x->dims[1];
	const int64_t size = (int64_t)(npu_value_numel(x) / (size_t)(planes ? planes : 1));
	const float *xd = x->data;
	float *yd = y->data;

	for (int64_t p = 0; p < planes; p++) {
		double sum = 0.0;

		for (int64_t i = 0; i < size; i++)
			sum += xd[p * size + i];
		yd[p] = size ? (float)(sum / (double)size) : 0.0f;
	}
}
