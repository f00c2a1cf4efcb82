// SPDX-License-Identifier: MIT
/* Softmax (both definitions) and BatchNormalization in inference mode. */
#include <math.h>

#include "ref/ref.h"

void npu_ref_softmax(const struct npu_value *x, int axis, int coerce_2d, struct npu_value *y)
{
	size_t outer = 1, n = 1, inner = 1;
	const float *xd = x->data;
	float *yd = y->data;

	for (int i = 0; i < x->rank; i++) {
		const size_t d = (size_t)x->dims[i];

		if (i < axis)
			outer *= d;
		else if (i == axis || coerce_2d)
			n *= d;
		else
			inner *= d;
	}
	for (size_t o = 0; o < outer; o++) {
		for (size_t in = 0; in < inner; in++) {
			const size_t base = o * n * inner + in;
			double max = -INFINITY, sum = 0.0;

			/* Subtracting the maximum keeps exp() from overflowing. */
			for (size_t i = 0; i < n; i++)
				max = fmax(max, xd[base + i * inner]);
			for (size_t i = 0; i < n; i++)
				sum += exp(xd[base + i * inner] - max);
			for (size_t i = 0; i < n; i++)
				yd[base + i * inner] = (float)(exp(xd[base + i * inner] - max) / sum);
		}
	}
}

void npu_ref_batch_norm(const struct npu_value *x, const struct npu_value *scale,
			const struct npu_value *bias, const struct npu_value *mean,
			const struct npu_value *var, float epsilon, struct npu_value *y)
{
	const size_t batch = (size_t)x->dims[0], channels = (size_t)x->dims[1];
	const size_t planes = batch * channels;
	const size_t inner = planes ? npu_value_numel(x) / planes : 0;
	const float *xd = x->data, *s = scale->data, *b = bias->data;
	const float *mu = mean->data, *v = var->data;
	float *yd = y->data;

	for (size_t n = 0; n < batch; n++) {
		for (size_t c = 0; c < channels; c++) {
			const double k = s[c] / sqrt((double)v[c] + epsilon);
			const size_t base = (n * channels + c) * inner;

			for (size_t i = 0; i < inner; i++)
				yd[base + i] = (float)((xd[base + i] - (double)mu[c]) * k + b[c]);
		}
	}
}
