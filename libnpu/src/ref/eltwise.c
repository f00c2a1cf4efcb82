// SPDX-License-Identifier: MIT
/* Element-wise operators: activations, Clip, and Add/Mul with numpy broadcasting. */
#include <math.h>

#include "ref/ref.h"

static float unary_f(enum npu_ref_unary op, float alpha, float x)
{
	switch (op) {
	case NPU_REF_RELU:
		return x > 0.0f ? x : 0.0f;
	case NPU_REF_LEAKY_RELU:
		return x < 0.0f ? alpha * x : x;
	case NPU_REF_SIGMOID:
		return (float)(1.0 / (1.0 + exp(-(double)x)));
	case NPU_REF_TANH:
		return tanhf(x);
	default:
		/* HardSwish: x * HardSigmoid(x) with alpha 1/6, beta 0.5. */
		return x * fmaxf(0.0f, fminf(1.0f, x / 6.0f + 0.5f));
	}
}

void npu_ref_unary(enum npu_ref_unary op, float alpha, const struct npu_value *x,
		   struct npu_value *y)
{
	const size_t count = npu_value_numel(x);

	for (size_t i = 0; i < count; i++) {
		if (x->dtype == NPU_DTYPE_FLOAT32) {
			((float *)y->data)[i] = unary_f(op, alpha, ((const float *)x->data)[i]);
		} else {
			/* Only Relu takes integers. */
			const int64_t v = npu_ref_get_i(x, i);

			npu_ref_set_i(y, i, v > 0 ? v : 0);
		}
	}
}

void npu_ref_clip(const struct npu_value *x, const struct npu_value *min,
		  const struct npu_value *max, struct npu_value *y)
{
	const size_t count = npu_value_numel(x);
	const int has_min = min && min->dtype != NPU_DTYPE_UNDEFINED;
	const int has_max = max && max->dtype != NPU_DTYPE_UNDEFINED;

	for (size_t i = 0; i < count; i++) {
		if (x->dtype == NPU_DTYPE_FLOAT32) {
			float v = ((const float *)x->data)[i];

			if (has_min && v < *(const float *)min->data)
				v = *(const float *)min->data;
			if (has_max && v > *(const float *)max->data)
				v = *(const float *)max->data;
			((float *)y->data)[i] = v;
		} else {
			int64_t v = npu_ref_get_i(x, i);

			if (has_min && v < npu_ref_get_i(min, 0))
				v = npu_ref_get_i(min, 0);
			if (has_max && v > npu_ref_get_i(max, 0))
				v = npu_ref_get_i(max, 0);
			npu_ref_set_i(y, i, v);
		}
	}
}

void npu_ref_binary(enum npu_ref_binary op, const struct npu_value *a,
		    const struct npu_value *b, struct npu_value *y)
{
	const size_t count = npu_value_numel(y);
	int64_t idx[NPU_MAX_RANK] = { 0 };

	for (size_t i = 0; i < count; i++, npu_ref_next_index(y->rank, y->dims, idx)) {
		const size_t ai = npu_ref_broadcast_offset(a, y->rank, idx);
		const size_t bi = npu_ref_broadcast_offset(b, y->rank, idx);

		if (y->dtype == NPU_DTYPE_FLOAT32) {
			const float av = ((const float *)a->data)[ai];
			const float bv = ((const float *)b->data)[bi];

			((float *)y->data)[i] = op == NPU_REF_ADD ? av + bv : av * bv;
		} else {
			/* Integers wrap: compute modulo 2^64, store the low bits. */
			const uint64_t av = (uint64_t)npu_ref_get_i(a, ai);
			const uint64_t bv = (uint64_t)npu_ref_get_i(b, bi);

			npu_ref_set_i(y, i, (int64_t)(op == NPU_REF_ADD ? av + bv : av * bv));
		}
	}
}
