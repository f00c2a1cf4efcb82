// SPDX-License-Identifier: MIT
/* Element access, broadcasting and window indexing for the reference kernels. */
#include <math.h>
#include <string.h>

#include "ref/ref.h"

double npu_ref_get_f(const struct npu_value *v, size_t i)
{
	switch (v->dtype) {
	case NPU_DTYPE_FLOAT32:
		return ((const float *)v->data)[i];
	default:
		return (double)npu_ref_get_i(v, i);
	}
}

int64_t npu_ref_get_i(const struct npu_value *v, size_t i)
{
	switch (v->dtype) {
	case NPU_DTYPE_UINT8:
	case NPU_DTYPE_BOOL:
		return ((const uint8_t *)v->data)[i];
	case NPU_DTYPE_INT8:
		return ((const int8_t *)v->data)[i];
	case NPU_DTYPE_INT32:
		return ((const int32_t *)v->data)[i];
	case NPU_DTYPE_INT64:
		return ((const int64_t *)v->data)[i];
	default:
		return (int64_t)((const float *)v->data)[i];
	}
}

/*
 * Integers wrap to their width (two's complement), as ONNX's integer
 * Add, Mul and Cast between integer types do; going through uint64
 * keeps every step defined.
 */
void npu_ref_set_i(struct npu_value *v, size_t i, int64_t x)
{
	const uint64_t u = (uint64_t)x;

	switch (v->dtype) {
	case NPU_DTYPE_FLOAT32:
		((float *)v->data)[i] = (float)x;
		break;
	case NPU_DTYPE_BOOL:
		((uint8_t *)v->data)[i] = x != 0;
		break;
	case NPU_DTYPE_UINT8:
	case NPU_DTYPE_INT8:
		((uint8_t *)v->data)[i] = (uint8_t)u;
		break;
	case NPU_DTYPE_INT32:
		((uint32_t *)v->data)[i] = (uint32_t)u;
		break;
	default:
		((uint64_t *)v->data)[i] = u;
		break;
	}
}

/*
 * Float to integer truncates toward zero and saturates, NaN gives 0:
 * ONNX leaves out-of-range casts undefined, C too, so we pick the
 * defined answer closest to the value.
 */
void npu_ref_set_f(struct npu_value *v, size_t i, double x)
{
	double lo, hi;

	switch (v->dtype) {
	case NPU_DTYPE_FLOAT32:
		((float *)v->data)[i] = (float)x;
		return;
	case NPU_DTYPE_BOOL:
		((uint8_t *)v->data)[i] = x != 0.0;
		return;
	case NPU_DTYPE_UINT8:
		lo = 0.0, hi = 255.0;
		break;
	case NPU_DTYPE_INT8:
		lo = -128.0, hi = 127.0;
		break;
	case NPU_DTYPE_INT32:
		lo = (double)INT32_MIN, hi = (double)INT32_MAX;
		break;
	default:
		lo = -9223372036854775808.0, hi = 9223372036854774784.0;
		break;
	}
	if (isnan(x))
		x = 0.0;
	x = trunc(x);
	npu_ref_set_i(v, i, (int64_t)(x < lo ? lo : x > hi ? hi : x));
}

size_t npu_ref_broadcast_offset(const struct npu_value *in, int out_rank, const int64_t *idx)
{
	size_t offset = 0;

	for (int i = 0; i < in->rank; i++) {
		const int64_t d = in->dims[i];
		const int64_t at = d == 1 ? 0 : idx[out_rank - in->rank + i];

		offset = offset * (size_t)d + (size_t)at;
	}
	return offset;
}

int npu_ref_next_index(int rank, const int64_t *dims, int64_t *idx)
{
	for (int i = rank - 1; i >= 0; i--) {
		if (++idx[i] < dims[i])
			return 1;
		idx[i] = 0;
	}
	return 0;
}

int64_t npu_ref_window_size(const int64_t *dims3)
{
	return dims3[0] * dims3[1] * dims3[2];
}

int npu_ref_window_tap(const struct npu_ref_window *win, const int64_t *o, const int64_t *k,
		       int col_major, int64_t *offset)
{
	int64_t pos[NPU_REF_SPATIAL];

	for (int i = 0; i < NPU_REF_SPATIAL; i++) {
		pos[i] = o[i] * win->stride[i] - win->pad_begin[i] + k[i] * win->dilation[i];
		if (pos[i] < 0 || pos[i] >= win->in[i])
			return 0;
	}
	if (col_major)
		*offset = (pos[2] * win->in[1] + pos[1]) * win->in[0] + pos[0];
	else
		*offset = (pos[0] * win->in[1] + pos[1]) * win->in[2] + pos[2];
	return 1;
}
