// SPDX-License-Identifier: MIT
/* Data movement: copies (Identity, Flatten, Reshape), Concat, Transpose, Pad. */
#include <string.h>

#include "ref/ref.h"

void npu_ref_copy(const struct npu_value *x, struct npu_value *y)
{
	memcpy(y->data, x->data, npu_value_numel(x) * npu_dtype_size(x->dtype));
}

void npu_ref_concat(const struct npu_value *const *inputs, size_t count, int axis,
		    struct npu_value *y)
{
	const size_t esize = npu_dtype_size(y->dtype);
	size_t outer = 1, y_row = 0, at = 0;
	uint8_t *yd = y->data;

	for (int i = 0; i < axis; i++)
		outer *= (size_t)y->dims[i];
	/* Each input contributes one contiguous run per outer index. */
	if (outer)
		y_row = npu_value_numel(y) / outer * esize;
	for (size_t o = 0; o < outer; o++) {
		for (size_t j = 0; j < count; j++) {
			const size_t run = npu_value_numel(inputs[j]) / outer * esize;

			memcpy(yd + o * y_row + at, (const uint8_t *)inputs[j]->data + o * run, run);
			at += run;
		}
		at = 0;
	}
}

void npu_ref_transpose(const struct npu_value *x, const int64_t *perm, struct npu_value *y)
{
	const size_t esize = npu_dtype_size(x->dtype), count = npu_value_numel(y);
	int64_t stride[NPU_MAX_RANK], idx[NPU_MAX_RANK] = { 0 };
	int64_t s = 1;

	for (int i = x->rank - 1; i >= 0; i--) {
		stride[i] = s;
		s *= x->dims[i];
	}
	for (size_t i = 0; i < count; i++, npu_ref_next_index(y->rank, y->dims, idx)) {
		int64_t at = 0;

		for (int d = 0; d < y->rank; d++)
			at += idx[d] * stride[perm[d]];
		memcpy((uint8_t *)y->data + i * esize, (const uint8_t *)x->data + at * esize, esize);
	}
}

void npu_ref_pad(const struct npu_value *x, const int64_t *pads,
		 const struct npu_value *value, enum npu_ref_pad_mode mode,
		 struct npu_value *y)
{
	const size_t esize = npu_dtype_size(x->dtype), count = npu_value_numel(y);
	const int rank = x->rank;
	const uint8_t zero[8] = { 0 };
	const uint8_t *fill = value && value->dtype != NPU_DTYPE_UNDEFINED ? value->data : zero;
	int64_t idx[NPU_MAX_RANK] = { 0 };

	for (size_t i = 0; i < count; i++, npu_ref_next_index(rank, y->dims, idx)) {
		const uint8_t *src = NULL;
		int64_t at = 0;
		int inside = 1;

		for (int d = 0; d < rank; d++) {
			const int64_t n = x->dims[d];
			int64_t p = idx[d] - pads[d];

			if (p < 0 || p >= n) {
				if (mode == NPU_REF_PAD_CONSTANT)
					inside = 0;
				else if (mode == NPU_REF_PAD_EDGE)
					p = p < 0 ? 0 : n - 1;
				else	/* reflect, mirrored about the edge element */
					p = p < 0 ? -p : 2 * (n - 1) - p;
			}
			at = at * n + p;
		}
		if (inside)
			src = (const uint8_t *)x->data + at * (int64_t)esize;
		memcpy((uint8_t *)y->data + i * esize, inside ? src : fill, esize);
	}
}
