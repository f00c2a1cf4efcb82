// SPDX-License-Identifier: MIT
/*
 * Cast, QuantizeLinear and DequantizeLinear, and the real-scale to
 * fixed-point conversion the quantized kernels requantize with.
 *
 * QuantizeLinear follows ONNX exactly: x / scale in float32, rounded
 * half to even, plus the zero point, saturated to the output type.
 * DequantizeLinear is (x - zero_point) * scale in float32.
 */
#include <math.h>

#include "npu/error.h"
#include "ref/ref.h"

int npu_quant_from_scale(double scale, struct npu_quant *q)
{
	int exponent;
	double frac;
	int64_t m;

	if (!(scale > 0.0) || !isfinite(scale))
		return NPU_E_INVALID;
	/* scale = frac * 2^exponent, frac in [0.5, 1) */
	frac = frexp(scale, &exponent);
	m = llround(ldexp(frac, 31));
	if (m == (1ll << 31)) {
		m = 1ll << 30;
		exponent++;
	}
	if (exponent > 30)
		return NPU_E_INVALID;
	if (exponent < -31) {
		/* Below the shift range the multiplier takes the rest: scale * 2^62. */
		m = llround(ldexp(scale, 62));
		exponent = -31;
	}
	q->multiplier = (int32_t)m;
	q->shift = exponent;
	return 0;
}

void npu_ref_cast(const struct npu_value *x, struct npu_value *y)
{
	const size_t count = npu_value_numel(x);

	for (size_t i = 0; i < count; i++) {
		if (x->dtype == NPU_DTYPE_FLOAT32)
			npu_ref_set_f(y, i, npu_ref_get_f(x, i));
		else
			npu_ref_set_i(y, i, npu_ref_get_i(x, i));
	}
}

/* The channel of element i along `axis` when the parameters are per axis. */
static size_t channel(const struct npu_value *x, const struct npu_value *scale, int axis,
		      size_t i)
{
	size_t inner = 1;

	if (npu_value_numel(scale) == 1)
		return 0;
	for (int d = axis + 1; d < x->rank; d++)
		inner *= (size_t)x->dims[d];
	return i / inner % (size_t)x->dims[axis];
}

void npu_ref_quantize_linear(const struct npu_value *x, const struct npu_value *scale,
			     const struct npu_value *zp, int axis, struct npu_value *y)
{
	const size_t count = npu_value_numel(x);
	const double qmin = y->dtype == NPU_DTYPE_INT8 ? -128.0 : 0.0;
	const double qmax = y->dtype == NPU_DTYPE_INT8 ? 127.0 : 255.0;
	const int has_zp = zp && zp->dtype != NPU_DTYPE_UNDEFINED;

	for (size_t i = 0; i < count; i++) {
		const size_t c = channel(x, scale, axis, i);
		const float s = ((const float *)scale->data)[c];
		/* float32 division, as ONNX specifies; nearbyintf rounds half to even. */
		float q = nearbyintf((float)npu_ref_get_f(x, i) / s);
		double v;

		/* NaN has no nearest level: it goes to real 0, the zero point. */
		if (isnan(q))
			q = 0.0f;
		v = (double)q + (has_zp ? (double)npu_ref_get_i(zp, c) : 0.0);
		npu_ref_set_i(y, i, (int64_t)(v < qmin ? qmin : v > qmax ? qmax : v));
	}
}

void npu_ref_dequantize_linear(const struct npu_value *x, const struct npu_value *scale,
			       const struct npu_value *zp, int axis, struct npu_value *y)
{
	const size_t count = npu_value_numel(x);
	const int has_zp = zp && zp->dtype != NPU_DTYPE_UNDEFINED;
	float *yd = y->data;

	for (size_t i = 0; i < count; i++) {
		const size_t c = channel(x, scale, axis, i);
		const float z = has_zp ? (float)npu_ref_get_i(zp, c) : 0.0f;

		yd[i] = ((float)npu_ref_get_i(x, i) - z) * ((const float *)scale->data)[c];
	}
}
