/* SPDX-License-Identifier: MIT */
/*
 * npu_arith.h - the NPU's integer arithmetic, bit for bit.
 *
 * Shared by the device core's engines and libnpu's int8 CPU kernels so
 * that both produce identical results.  The rounding is gemmlowp's /
 * TFLite's; the places where C would leave behaviour undefined
 * (overflowing shifts and sums) are defined here and in docs/hw-spec.md.
 */
#ifndef NPU_ARITH_H
#define NPU_ARITH_H

#include <stdint.h>

/* int32 addition that wraps modulo 2^32, as the hardware adders do. */
static inline int32_t npu_wrap_add(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a + (uint32_t)b);
}

/*
 * Saturating rounding doubling high multiply: round(a * b / 2^31) with
 * gemmlowp's rounding (ties toward +infinity: -0.5 gives 0), and the
 * one overflowing case saturated.
 */
static inline int32_t npu_srdhm(int32_t a, int32_t b)
{
	int64_t ab, nudge;

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	ab = (int64_t)a * b;
	nudge = ab >= 0 ? (1ll << 30) : (1 - (1ll << 30));
	return (int32_t)((ab + nudge) / (1ll << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero; 0 <= exponent <= 31. */
static inline int32_t npu_rounding_shift_right(int32_t x, int exponent)
{
	int32_t mask = (int32_t)((1ll << exponent) - 1);
	int32_t remainder = x & mask;
	int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);

	return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/*
 * Requantize: x * multiplier * 2^shift / 2^31 with multiplier in
 * [0, 2^31 - 1] and shift in [-31, 30].  A positive shift is applied
 * first as a left shift saturated to int32; a negative one last as a
 * rounding right shift.
 */
static inline int32_t npu_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	int64_t wide = (int64_t)x * ((int64_t)1 << left);
	int32_t sat;

	if (wide > INT32_MAX)
		sat = INT32_MAX;
	else if (wide < INT32_MIN)
		sat = INT32_MIN;
	else
		sat = (int32_t)wide;
	return npu_rounding_shift_right(npu_srdhm(sat, multiplier), right);
}

/* Output stage: add the zero point and clamp, without intermediate overflow. */
static inline int32_t npu_output_stage(int32_t requantized, int32_t out_zp,
				       int32_t act_min, int32_t act_max)
{
	int64_t v = (int64_t)requantized + out_zp;

	if (v < act_min)
		return act_min;
	if (v > act_max)
		return act_max;
	return (int32_t)v;
}

/*
 * The MAC array's output pipeline for one channel: bias (wrapping),
 * requantization, zero point, clamp; the byte it stores.  Without a
 * bias table, bias is 0.
 */
static inline uint8_t npu_mac_output(int32_t acc, int32_t bias, int32_t multiplier,
				     int32_t shift, int32_t out_zp, int32_t act_min,
				     int32_t act_max)
{
	int32_t v = npu_requantize(npu_wrap_add(acc, bias), multiplier, shift);

	return (uint8_t)npu_output_stage(v, out_zp, act_min, act_max);
}

/* Division rounding half away from zero, count > 0. */
static inline int32_t npu_rounding_div(int32_t sum, int32_t count)
{
	return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

/* The (multiplier, shift) pair whose requantization is the identity. */
#define NPU_QUANT_IDENTITY_MULTIPLIER	0x40000000
#define NPU_QUANT_IDENTITY_SHIFT	1

#endif /* NPU_ARITH_H */
