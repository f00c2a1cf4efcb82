// SPDX-License-Identifier: MIT
/*
 * The int8 CPU kernels and the arithmetic under them: hand-computed
 * golden cases (the working is in the comments), parameter checks, and
 * a cross-check of CONV against a double-precision evaluation of the
 * same formula.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "npu/error.h"
#include "npu/kernels.h"
#include "npu_arith.h"

#define Q_HALF		0x40000000	/* multiplier 0.5 (with shift 0) */
#define Q_ONE_MULT	NPU_QUANT_IDENTITY_MULTIPLIER
#define Q_ONE_SHIFT	NPU_QUANT_IDENTITY_SHIFT
#define Q_ONE		{ Q_ONE_MULT, Q_ONE_SHIFT }

/* Raw bytes of int8 values. */
#define I8(v)		((uint8_t)(int8_t)(v))

/* Compare `n` output bytes, read as int8 or uint8, with `want`. */
static int outputs_are(const uint8_t *got, const int *want, int n, int is_u8)
{
	int ok = 1;

	for (int i = 0; i < n; i++) {
		int v = npu_q8_value(got[i], is_u8);

		if (v != want[i]) {
			harness_fail(__FILE__, __LINE__, "output[%d] = %d, want %d", i, v, want[i]);
			ok = 0;
		}
	}
	return ok;
}

/* ------------------------------------------------------------------ */
/* npu_arith.h                                                         */
/* ------------------------------------------------------------------ */

TEST(arith_wrap_add)
{
	CHECK_EQ(npu_wrap_add(INT32_MAX, 1), INT32_MIN);
	CHECK_EQ(npu_wrap_add(INT32_MIN, -1), INT32_MAX);
	CHECK_EQ(npu_wrap_add(-5, 3), -2);
	CHECK_EQ(npu_wrap_add(INT32_MAX, INT32_MAX), -2);
}

TEST(arith_srdhm)
{
	/* The one overflowing product saturates. */
	CHECK_EQ(npu_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
	/* -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1), exact */
	CHECK_EQ(npu_srdhm(INT32_MIN, INT32_MAX), -INT32_MAX);
	CHECK_EQ(npu_srdhm(INT32_MAX, INT32_MAX), INT32_MAX - 1);	/* 2^31 - 2 + 2^-31 */
	/* 2^30 * 2^30 / 2^31 = 2^29 */
	CHECK_EQ(npu_srdhm(1 << 30, 1 << 30), 1 << 29);
	/* 0.5 * x: exact for even x */
	CHECK_EQ(npu_srdhm(10, Q_HALF), 5);
	CHECK_EQ(npu_srdhm(-10, Q_HALF), -5);
	/*
	 * Ties: gemmlowp's nudge (1 - 2^30 for negative products) makes
	 * them round towards +infinity: 1.5 -> 2, 0.5 -> 1, but
	 * -1.5 -> -1, -0.5 -> 0, -2.5 -> -2.
	 */
	CHECK_EQ(npu_srdhm(3, Q_HALF), 2);
	CHECK_EQ(npu_srdhm(1, Q_HALF), 1);
	CHECK_EQ(npu_srdhm(-3, Q_HALF), -1);
	CHECK_EQ(npu_srdhm(-1, Q_HALF), 0);
	CHECK_EQ(npu_srdhm(-5, Q_HALF), -2);
	/* Not ties: 0.75 -> 1, -0.75 -> -1, 0.25 -> 0, -0.25 -> 0 */
	CHECK_EQ(npu_srdhm(3, 1 << 29), 1);
	CHECK_EQ(npu_srdhm(-3, 1 << 29), -1);
	CHECK_EQ(npu_srdhm(1, 1 << 29), 0);
	CHECK_EQ(npu_srdhm(-1, 1 << 29), 0);
	CHECK_EQ(npu_srdhm(0, INT32_MAX), 0);
	CHECK_EQ(npu_srdhm(12345, 0), 0);
}

TEST(arith_rounding_shift_right)
{
	/* Ties away from zero, for both signs. */
	CHECK_EQ(npu_rounding_shift_right(5, 1), 3);		/* 2.5 */
	CHECK_EQ(npu_rounding_shift_right(-5, 1), -3);		/* -2.5 */
	CHECK_EQ(npu_rounding_shift_right(3, 1), 2);		/* 1.5 */
	CHECK_EQ(npu_rounding_shift_right(-3, 1), -2);		/* -1.5 */
	CHECK_EQ(npu_rounding_shift_right(1, 1), 1);		/* 0.5 */
	CHECK_EQ(npu_rounding_shift_right(-1, 1), -1);		/* -0.5 */
	CHECK_EQ(npu_rounding_shift_right(6, 2), 2);		/* 1.5 */
	CHECK_EQ(npu_rounding_shift_right(-6, 2), -2);		/* -1.5 */
	/* Not ties. */
	CHECK_EQ(npu_rounding_shift_right(5, 2), 1);		/* 1.25 */
	CHECK_EQ(npu_rounding_shift_right(-5, 2), -1);		/* -1.25 */
	CHECK_EQ(npu_rounding_shift_right(7, 2), 2);		/* 1.75 */
	CHECK_EQ(npu_rounding_shift_right(-7, 2), -2);		/* -1.75 */
	/* Exponent 0 is the identity; 31 is the widest shift. */
	CHECK_EQ(npu_rounding_shift_right(-7, 0), -7);
	CHECK_EQ(npu_rounding_shift_right(INT32_MAX, 0), INT32_MAX);
	CHECK_EQ(npu_rounding_shift_right(INT32_MIN, 31), -1);	/* exact */
	CHECK_EQ(npu_rounding_shift_right(1 << 30, 31), 1);	/* 0.5 */
	CHECK_EQ(npu_rounding_shift_right(-(1 << 30), 31), -1);	/* -0.5 */
	CHECK_EQ(npu_rounding_shift_right((1 << 30) - 1, 31), 0);
	CHECK_EQ(npu_rounding_shift_right(INT32_MAX, 31), 1);	/* ~1 */
	CHECK_EQ(npu_rounding_shift_right(INT32_MIN, 1), -(1 << 30));
}

TEST(arith_requantize)
{
	/* Identity pair: x * 2^30 * 2 / 2^31 = x for x in [-2^30, 2^30]. */
	const int32_t identity_inputs[] = {
		0, 1, -1, 127, -128, 12345, -99999, (1 << 30) - 1, 1 << 30, -(1 << 30),
	};

	for (size_t i = 0; i < sizeof(identity_inputs) / sizeof(identity_inputs[0]); i++)
		CHECK_EQ(npu_requantize(identity_inputs[i], Q_ONE_MULT, Q_ONE_SHIFT),
			 identity_inputs[i]);

	/*
	 * A positive shift saturates before the multiply: 2^30 << 2 = 2^32
	 * becomes INT32_MAX, then * 0.5 = 2^30 - 0.5, rounded up to 2^30.
	 */
	CHECK_EQ(npu_requantize(1 << 30, Q_HALF, 2), 1 << 30);
	CHECK_EQ(npu_requantize(-(1 << 30), Q_HALF, 2), -(1 << 30));	/* INT32_MIN * 0.5 */
	CHECK_EQ(npu_requantize(INT32_MAX, Q_ONE_MULT, 30), 1 << 30);
	CHECK_EQ(npu_requantize(INT32_MIN, INT32_MAX, 30), -INT32_MAX);
	/* ... and past 2^30 the identity pair saturates at 2^30. */
	CHECK_EQ(npu_requantize(INT32_MAX, Q_ONE_MULT, Q_ONE_SHIFT), 1 << 30);
	/* Positive shift without saturation: 3 << 4 = 48, * 0.5 = 24 */
	CHECK_EQ(npu_requantize(3, Q_HALF, 4), 24);

	/*
	 * A negative shift rounds twice: 5 * 0.5 = 2.5 -> 3 (srdhm), then
	 * 3 / 2 = 1.5 -> 2; the exact 1.25 would give 1.
	 */
	CHECK_EQ(npu_requantize(5, Q_HALF, -1), 2);
	/* -5 * 0.5 = -2.5 -> -2, then -2 / 2 = -1 */
	CHECK_EQ(npu_requantize(-5, Q_HALF, -1), -1);
	/* 10 * 0.5 = 5, 5 / 4 = 1.25 -> 1 */
	CHECK_EQ(npu_requantize(10, Q_HALF, -2), 1);
	/* 12 * 0.5 = 6, 6 / 4 = 1.5 -> 2; -12 -> -6 -> -1.5 -> -2 */
	CHECK_EQ(npu_requantize(12, Q_HALF, -2), 2);
	CHECK_EQ(npu_requantize(-12, Q_HALF, -2), -2);
	/* Widest right shift: INT32_MIN * 0.5 / 2^31 = -0.5 -> -1 (away), * 0.25 -> 0 */
	CHECK_EQ(npu_requantize(INT32_MIN, Q_HALF, -31), -1);
	CHECK_EQ(npu_requantize(INT32_MIN, 1 << 29, -31), 0);
	CHECK_EQ(npu_requantize(INT32_MIN, INT32_MAX, -31), -1);	/* ~ -1 */
	/* Multiplier 0 maps everything to 0. */
	CHECK_EQ(npu_requantize(INT32_MAX, 0, 30), 0);
}

TEST(arith_output_stage)
{
	CHECK_EQ(npu_output_stage(5, 3, -128, 127), 8);
	CHECK_EQ(npu_output_stage(200, 10, -128, 127), 127);
	CHECK_EQ(npu_output_stage(-300, 0, -128, 127), -128);
	CHECK_EQ(npu_output_stage(-5, 3, 0, 6), 0);
	/* No intermediate overflow at the ends of int32. */
	CHECK_EQ(npu_output_stage(INT32_MAX, 127, -128, 127), 127);
	CHECK_EQ(npu_output_stage(INT32_MIN, -128, -128, 127), -128);
	CHECK_EQ(npu_output_stage(INT32_MIN, 255, 0, 255), 0);
}

TEST(arith_rounding_div)
{
	CHECK_EQ(npu_rounding_div(8, 4), 2);
	CHECK_EQ(npu_rounding_div(5, 2), 3);		/* 2.5 */
	CHECK_EQ(npu_rounding_div(-5, 2), -3);		/* -2.5 */
	CHECK_EQ(npu_rounding_div(1, 2), 1);		/* 0.5 */
	CHECK_EQ(npu_rounding_div(-1, 2), -1);		/* -0.5 */
	CHECK_EQ(npu_rounding_div(7, 4), 2);		/* 1.75 */
	CHECK_EQ(npu_rounding_div(-6, 4), -2);		/* -1.5 */
	CHECK_EQ(npu_rounding_div(1, 4), 0);		/* 0.25 */
	CHECK_EQ(npu_rounding_div(-1, 4), 0);		/* -0.25 */
	CHECK_EQ(npu_rounding_div(1, 3), 0);
	CHECK_EQ(npu_rounding_div(2, 3), 1);
	CHECK_EQ(npu_rounding_div(-2, 3), -1);
	CHECK_EQ(npu_rounding_div(0, 9), 0);
	CHECK_EQ(npu_rounding_div(-7, 1), -7);
	/* The largest GLOBAL_AVG sum: 255 * 2^23 over 2^23 taps */
	CHECK_EQ(npu_rounding_div(255 << 23, 1 << 23), 255);
	CHECK_EQ(npu_rounding_div(-255 * (1 << 23), 1 << 23), -255);
}

/* ------------------------------------------------------------------ */
/* CONV                                                                */
/* ------------------------------------------------------------------ */

/* 1x1x2 -> 1x1x2, 1x1 kernel, bias, *0.5: a requantization tie. */
TEST(conv_1x1_bias_tie)
{
	/* in - in_zp (1) = [2, -5] */
	const uint8_t input[] = { I8(3), I8(-4) };
	const int8_t weights[] = { 2, 1, -1, 3 };
	const int32_t bias[] = { 10, -5 };
	uint8_t out[2];
	struct npu_conv_params p = {
		.in_h = 1, .in_w = 1, .in_c = 2, .groups = 1,
		.out_h = 1, .out_w = 1, .out_c = 2,
		.kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.in_zp = 1, .out_zp = 3, .act_min = -128, .act_max = 127,
		.quant = { Q_HALF, 0 },
		.flags = NPU_F_BIAS,
		.input = input, .weights = weights, .bias = bias, .output = out,
	};
	/*
	 * oc0: 2*2 + (-5)*1 = -1, + 10 = 9,  * 0.5 = 4.5 -> 5,  + 3 = 8
	 * oc1: 2*-1 + (-5)*3 = -17, - 5 = -22, * 0.5 = -11,     + 3 = -8
	 */
	const int want[] = { 8, -8 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 2, 0));
}

/* 3x3x1 -> 2x2x1, 2x2 kernel, no padding, clamped at 60. */
TEST(conv_2x2_valid_clamp)
{
	/*
	 * 1 2 3     weights 1 2
	 * 4 5 6             3 4
	 * 7 8 9
	 * (0,0) 1+4+12+20 = 37   (0,1) 2+6+15+24 = 47
	 * (1,0) 4+10+21+32 = 67  (1,1) 5+12+24+36 = 77 -> clamped to 60
	 */
	const uint8_t input[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const int8_t weights[] = { 1, 2, 3, 4 };
	uint8_t out[4];
	struct npu_conv_params p = {
		.in_h = 3, .in_w = 3, .in_c = 1, .groups = 1,
		.out_h = 2, .out_w = 2, .out_c = 1,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.in_zp = 0, .out_zp = 0, .act_min = -128, .act_max = 60,
		.quant = Q_ONE,
		.input = input, .weights = weights, .output = out,
	};
	const int want[] = { 37, 47, 60, 60 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 4, 0));
}

/* Dilation 2, stride (1, 2), asymmetric padding; padding taps are skipped. */
TEST(conv_dilation_stride_asymmetric_pad)
{
	/*
	 * Input 3x3, in_zp 2, so x - in_zp is
	 *   -1 0 1
	 *    2 3 4
	 *    5 6 7
	 * 2x2 kernel of ones dilated by 2 (spans 3), pad top 1, bottom 0,
	 * left 0, right 2; stride_h 1, stride_w 2.
	 * out_h = (3 + 1 + 0 - 3) / 1 + 1 = 2, out_w = (3 + 0 + 2 - 3) / 2 + 1 = 2.
	 * Rows read: oy 0 -> {-1 (pad), 1}, oy 1 -> {0, 2};
	 * cols read: ox 0 -> {0, 2},        ox 1 -> {2, 4 (pad)}.
	 * (0,0) = 2 + 4 = 6    (0,1) = 4
	 * (1,0) = -1 + 1 + 5 + 7 = 12   (1,1) = 1 + 7 = 8
	 * out_zp -1: 5, 3, 11, 7
	 */
	const uint8_t input[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const int8_t weights[] = { 1, 1, 1, 1 };
	uint8_t out[4];
	struct npu_conv_params p = {
		.in_h = 3, .in_w = 3, .in_c = 1, .groups = 1,
		.out_h = 2, .out_w = 2, .out_c = 1,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 1, .stride_w = 2,
		.dilation_h = 2, .dilation_w = 2,
		.pad_top = 1, .pad_bottom = 0, .pad_left = 0, .pad_right = 2,
		.in_zp = 2, .out_zp = -1, .act_min = -128, .act_max = 127,
		.quant = Q_ONE,
		.input = input, .weights = weights, .output = out,
	};
	const int want[] = { 5, 3, 11, 7 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 4, 0));
}

/* Padding with a non-zero in_zp: a padded tap must add 0, not -in_zp * w. */
TEST(conv_same_padding_in_zp)
{
	/*
	 * 1x1 input of 10, in_zp 4 (x - in_zp = 6), 3x3 kernel of ones,
	 * pad 1 all round: only the centre tap is real, so the sum is 6.
	 */
	const uint8_t input[] = { 10 };
	const int8_t weights[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	uint8_t out[1];
	struct npu_conv_params p = {
		.in_h = 1, .in_w = 1, .in_c = 1, .groups = 1,
		.out_h = 1, .out_w = 1, .out_c = 1,
		.kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
		.in_zp = 4, .out_zp = 0, .act_min = -128, .act_max = 127,
		.quant = Q_ONE,
		.input = input, .weights = weights, .output = out,
	};
	const int want[] = { 6 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 1, 0));
}

/* groups 2: output channels 0-1 read input channels 0-1, 2-3 read 2-3. */
TEST(conv_grouped)
{
	/*
	 * input [1, 2, 3, 4]; weights [oc][1][1][2]:
	 * oc0 [1, 1] * [1, 2] = 3     oc1 [1, -1] * [1, 2] = -1
	 * oc2 [1, 1] * [3, 4] = 7     oc3 [2, -1] * [3, 4] = 2
	 */
	const uint8_t input[] = { 1, 2, 3, 4 };
	const int8_t weights[] = { 1, 1, 1, -1, 1, 1, 2, -1 };
	uint8_t out[4];
	struct npu_conv_params p = {
		.in_h = 1, .in_w = 1, .in_c = 4, .groups = 2,
		.out_h = 1, .out_w = 1, .out_c = 4,
		.kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.act_min = -128, .act_max = 127,
		.quant = Q_ONE,
		.input = input, .weights = weights, .output = out,
	};
	const int want[] = { 3, -1, 7, 2 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 4, 0));
}

/* Depthwise with channel multiplier 2: groups == in_c == 2, out_c 4. */
TEST(conv_depthwise_multiplier)
{
	/*
	 * 2x2x2 input, NHWC: (0,0) [1, 10], (0,1) [2, 20], (1,0) [3, 30],
	 * (1,1) [4, 40]. 2x2 kernel, weights [oc][ky][kx][1]:
	 * oc0 (ch 0) [1, 1, 1, 1]:  1 + 2 + 3 + 4 = 10
	 * oc1 (ch 0) [1, 0, 0, -1]: 1 - 4 = -3
	 * oc2 (ch 1) [1, 1, 1, 1]:  10 + 20 + 30 + 40 = 100
	 * oc3 (ch 1) [0, 1, -1, 0]: 20 - 30 = -10
	 */
	const uint8_t input[] = { 1, 10, 2, 20, 3, 30, 4, 40 };
	const int8_t weights[] = { 1, 1, 1, 1, 1, 0, 0, -1, 1, 1, 1, 1, 0, 1, -1, 0 };
	uint8_t out[4];
	struct npu_conv_params p = {
		.in_h = 2, .in_w = 2, .in_c = 2, .groups = 2,
		.out_h = 1, .out_w = 1, .out_c = 4,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.act_min = -128, .act_max = 127,
		.quant = Q_ONE,
		.input = input, .weights = weights, .output = out,
	};
	const int want[] = { 10, -3, 100, -10 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 4, 0));
}

/* uint8 in and out, per-channel quantization, bias, a clamp. */
TEST(conv_uint8_per_channel)
{
	/*
	 * in 200, in_zp 128: 72.  weights [1, -1, 2], bias [0, 0, 1]:
	 * acc 72, -72, 145.
	 * oc0 (0.5, 0):  36            + 100 = 136
	 * oc1 (0.5, -1): -36 / 2 = -18 + 100 = 82
	 * oc2 (0.5, 0):  72.5 -> 73    + 100 = 173, clamped to 150
	 */
	const uint8_t input[] = { 200 };
	const int8_t weights[] = { 1, -1, 2 };
	const int32_t bias[] = { 0, 0, 1 };
	const struct npu_quant channel_quant[] = { { Q_HALF, 0 }, { Q_HALF, -1 }, { Q_HALF, 0 } };
	uint8_t out[3];
	struct npu_conv_params p = {
		.flags = NPU_F_IN_U8 | NPU_F_OUT_U8 | NPU_F_BIAS | NPU_F_PER_CHANNEL,
		.in_h = 1, .in_w = 1, .in_c = 1, .groups = 1,
		.out_h = 1, .out_w = 1, .out_c = 3,
		.kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.in_zp = 128, .out_zp = 100, .act_min = 0, .act_max = 150,
		.input = input, .weights = weights, .bias = bias,
		.channel_quant = channel_quant, .output = out,
	};
	const int want[] = { 136, 82, 150 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 3, 1));
}

/* uint8 output clamps at 0; the same bytes read as int8 input are negative. */
TEST(conv_int8_in_uint8_out)
{
	/*
	 * input bytes 0xf6, 0x0a: int8 -10 and 10, in_zp 0.
	 * weight [1, 1] -> 0 + 128 = 128;  weight [1, 0] -> -10 + 128 = 118;
	 * weight [-1, 0] -> 10 + 128 = 138; weight [-128, 0] -> 1280 -> 255
	 */
	const uint8_t input[] = { 0xf6, 0x0a };
	const int8_t weights[] = { 1, 1, 1, 0, -1, 0, -128, 0 };
	uint8_t out[4];
	struct npu_conv_params p = {
		.flags = NPU_F_OUT_U8,
		.in_h = 1, .in_w = 1, .in_c = 2, .groups = 1,
		.out_h = 1, .out_w = 1, .out_c = 4,
		.kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.in_zp = 0, .out_zp = 128, .act_min = 0, .act_max = 255,
		.quant = Q_ONE,
		.input = input, .weights = weights, .output = out,
	};
	const int want[] = { 128, 118, 138, 255 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 4, 1));
	/* Negative result into uint8: -1280 + 128 clamps to 0. */
	p.flags |= NPU_F_IN_U8;		/* 0xf6 = 246 now */
	p.in_zp = 0;
	{
		const int8_t neg[] = { -128, 0, -128, 0, -128, 0, -128, 0 };
		const int want0[] = { 0, 0, 0, 0 };

		p.weights = neg;
		CHECK_EQ(npu_kernel_conv(&p), 0);
		CHECK(outputs_are(out, want0, 4, 1));
	}
}

/* The bias addition wraps modulo 2^32 like the hardware adder. */
TEST(conv_bias_add_wraps)
{
	/*
	 * x 127, in_zp -128: 255; weight 127: 32385; + INT32_MAX wraps to
	 * -2147451264.  Identity requant: 2x saturates to INT32_MIN, * 0.5 =
	 * -2^30; clamped to -128.  (A saturating add would give +127.)
	 */
	const uint8_t input[] = { 127 };
	const int8_t weights[] = { 127 };
	const int32_t bias[] = { INT32_MAX };
	uint8_t out[1];
	struct npu_conv_params p = {
		.flags = NPU_F_BIAS,
		.in_h = 1, .in_w = 1, .in_c = 1, .groups = 1,
		.out_h = 1, .out_w = 1, .out_c = 1,
		.kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.in_zp = -128, .out_zp = 0, .act_min = -128, .act_max = 127,
		.quant = Q_ONE,
		.input = input, .weights = weights, .bias = bias, .output = out,
	};
	const int want[] = { -128 };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK(outputs_are(out, want, 1, 0));
}

/* A valid 3x3 conv, 4x4x2 -> 4x4x2, that the next tests break. */
static uint8_t conv_in[4 * 4 * 2];
static int8_t conv_wt[2 * 3 * 3 * 2];
static int32_t conv_bias[2];
static struct npu_quant conv_cq[2] = { { Q_HALF, -1 }, { Q_HALF, -2 } };
static uint8_t conv_out[4 * 4 * 2];

static struct npu_conv_params valid_conv(void)
{
	struct npu_conv_params p = {
		.flags = NPU_F_BIAS | NPU_F_PER_CHANNEL,
		.in_h = 4, .in_w = 4, .in_c = 2, .groups = 1,
		.out_h = 4, .out_w = 4, .out_c = 2,
		.kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
		.in_zp = 0, .out_zp = 0, .act_min = -128, .act_max = 127,
		.input = conv_in, .weights = conv_wt, .bias = conv_bias,
		.channel_quant = conv_cq, .output = conv_out,
	};

	return p;
}

TEST(conv_rejects_bad_params)
{
	struct npu_conv_params p = valid_conv();
	struct npu_quant bad[2] = { { Q_HALF, -1 }, { -1, 0 } };
	struct npu_quant bad_shift[2] = { { Q_HALF, 31 }, { Q_HALF, 0 } };

	CHECK_EQ(npu_kernel_conv(&p), 0);
	CHECK_EQ(npu_kernel_conv(NULL), NPU_E_INVALID);

#define CONV_BAD(field, value)						\
	do {								\
		p = valid_conv();					\
		p.field = value;					\
		CHECK_MSG(npu_kernel_conv(&p) == NPU_E_INVALID, "%s = %s", #field, #value); \
	} while (0)

	CONV_BAD(input, NULL);
	CONV_BAD(weights, NULL);
	CONV_BAD(output, NULL);
	/* Flags and tables must agree. */
	CONV_BAD(bias, NULL);
	CONV_BAD(channel_quant, NULL);
	CONV_BAD(flags, NPU_F_PER_CHANNEL);
	CONV_BAD(flags, NPU_F_BIAS);
	/* Per-channel: the per-tensor pair must be zero, as in the command. */
	CONV_BAD(quant.multiplier, Q_HALF);
	/* The device's field rules. */
	CONV_BAD(flags, NPU_F_BIAS | NPU_F_PER_CHANNEL | NPU_F_B_U8);
	CONV_BAD(kernel_h, 12);
	CONV_BAD(kernel_w, 0);
	CONV_BAD(stride_h, 9);
	CONV_BAD(dilation_w, 9);
	CONV_BAD(pad_left, 11);
	CONV_BAD(groups, 0);
	CONV_BAD(groups, 3);
	CONV_BAD(in_c, 0);
	CONV_BAD(out_h, 5);
	CONV_BAD(out_w, 3);
	CONV_BAD(in_zp, 128);
	CONV_BAD(out_zp, -129);
	CONV_BAD(act_min, -129);
	CONV_BAD(act_max, 128);
	CONV_BAD(flags, NPU_F_BIAS | NPU_F_PER_CHANNEL | NPU_F_OUT_U8);	/* act_min -128 */
#undef CONV_BAD

	p = valid_conv();
	p.act_min = 10;
	p.act_max = 9;
	CHECK_EQ(npu_kernel_conv(&p), NPU_E_INVALID);

	/* A bad per-channel entry is refused, and nothing is written. */
	p = valid_conv();
	memset(conv_out, 0x5a, sizeof(conv_out));
	p.channel_quant = bad;
	CHECK_EQ(npu_kernel_conv(&p), NPU_E_INVALID);
	p.channel_quant = bad_shift;
	CHECK_EQ(npu_kernel_conv(&p), NPU_E_INVALID);
	for (size_t i = 0; i < sizeof(conv_out); i++)
		CHECK_EQ(conv_out[i], 0x5a);

	/* Per-tensor: an out-of-range pair is a field error. */
	p = valid_conv();
	p.flags = NPU_F_BIAS;
	p.channel_quant = NULL;
	p.quant = (struct npu_quant){ Q_HALF, -32 };
	CHECK_EQ(npu_kernel_conv(&p), NPU_E_INVALID);
	p.quant = (struct npu_quant){ Q_HALF, -31 };
	CHECK_EQ(npu_kernel_conv(&p), 0);
}

/* ------------------------------------------------------------------ */
/* CONV against a double-precision evaluation of the same formula      */
/* ------------------------------------------------------------------ */

/* round(acc * multiplier * 2^shift / 2^31) + out_zp, clamped, in doubles. */
static int conv_reference(const struct npu_conv_params *p, int oy, int ox, int oc,
			  int *clamped)
{
	const int in_u8 = !!(p->flags & NPU_F_IN_U8);
	const int icpg = p->in_c / p->groups, ocpg = p->out_c / p->groups;
	const int ic0 = oc / ocpg * icpg;
	const struct npu_quant q = p->channel_quant ? p->channel_quant[oc] : p->quant;
	double acc = p->bias ? p->bias[oc] : 0, real;

	for (int ky = 0; ky < p->kernel_h; ky++) {
		for (int kx = 0; kx < p->kernel_w; kx++) {
			int y = oy * p->stride_h - p->pad_top + ky * p->dilation_h;
			int x = ox * p->stride_w - p->pad_left + kx * p->dilation_w;

			if (y < 0 || y >= p->in_h || x < 0 || x >= p->in_w)
				continue;
			for (int ic = 0; ic < icpg; ic++) {
				int v = npu_q8_value(p->input[(y * p->in_w + x) * p->in_c + ic0 + ic],
						     in_u8);
				int w = p->weights[((oc * p->kernel_h + ky) * p->kernel_w + kx) *
						   icpg + ic];

				acc += (double)(v - p->in_zp) * w;
			}
		}
	}
	real = round(acc * q.multiplier / 2147483648.0 * ldexp(1.0, q.shift)) + p->out_zp;
	*clamped = real <= p->act_min || real >= p->act_max;
	if (real < p->act_min)
		return p->act_min;
	if (real > p->act_max)
		return p->act_max;
	return (int)real;
}

TEST(conv_matches_float_reference)
{
	enum { MAX_IN = 8 * 8 * 8, MAX_WT = 8 * 4 * 4 * 8, MAX_OUT = 16 * 16 * 8 };
	static uint8_t input[MAX_IN], output[MAX_OUT];
	static int8_t weights[MAX_WT];
	static int32_t bias[8];
	static struct npu_quant cq[8];
	long exact = 0, total = 0, unclamped = 0;

	for (int iter = 0; iter < 300; iter++) {
		struct npu_conv_params p = { 0 };
		int in_u8 = harness_rand() & 1, out_u8 = harness_rand() & 1;
		int in_c = harness_rand_range(1, 8);
		int groups, icpg, eff_h, eff_w, max_diff = 0;

		/* Shape: groups 1, in_c (depthwise) or a divisor in between. */
		switch (harness_rand() % 3) {
		case 0:
			groups = 1;
			break;
		case 1:
			groups = in_c;
			break;
		default:
			groups = in_c % 2 ? 1 : 2;
			break;
		}
		icpg = in_c / groups;
		p.in_c = (uint16_t)in_c;
		p.groups = (uint16_t)groups;
		p.out_c = (uint16_t)(groups * harness_rand_range(1, 8 / groups));
		p.kernel_h = (uint8_t)harness_rand_range(1, 4);
		p.kernel_w = (uint8_t)harness_rand_range(1, 4);
		p.stride_h = (uint8_t)harness_rand_range(1, 3);
		p.stride_w = (uint8_t)harness_rand_range(1, 3);
		p.dilation_h = (uint8_t)harness_rand_range(1, 2);
		p.dilation_w = (uint8_t)harness_rand_range(1, 2);
		p.pad_top = (uint8_t)harness_rand_range(0, p.kernel_h - 1);
		p.pad_bottom = (uint8_t)harness_rand_range(0, p.kernel_h - 1);
		p.pad_left = (uint8_t)harness_rand_range(0, p.kernel_w - 1);
		p.pad_right = (uint8_t)harness_rand_range(0, p.kernel_w - 1);
		eff_h = p.dilation_h * (p.kernel_h - 1) + 1;
		eff_w = p.dilation_w * (p.kernel_w - 1) + 1;
		p.in_h = (uint16_t)harness_rand_range(eff_h > 1 ? eff_h - 1 : 1, 8);
		p.in_w = (uint16_t)harness_rand_range(eff_w > 1 ? eff_w - 1 : 1, 8);
		if (p.in_h + p.pad_top + p.pad_bottom < eff_h)
			p.pad_bottom++;
		if (p.in_w + p.pad_left + p.pad_right < eff_w)
			p.pad_right++;
		p.out_h = (uint16_t)((p.in_h + p.pad_top + p.pad_bottom - eff_h) / p.stride_h + 1);
		p.out_w = (uint16_t)((p.in_w + p.pad_left + p.pad_right - eff_w) / p.stride_w + 1);

		/* Types, zero points, clamps. */
		p.flags = (in_u8 ? NPU_F_IN_U8 : 0) | (out_u8 ? NPU_F_OUT_U8 : 0);
		p.in_zp = (int16_t)(in_u8 ? harness_rand_range(0, 255) : harness_rand_range(-128, 127));
		p.out_zp = (int16_t)(out_u8 ? harness_rand_range(0, 255) :
				     harness_rand_range(-128, 127));
		p.act_min = (int16_t)(out_u8 ? 0 : -128);
		p.act_max = (int16_t)(out_u8 ? 255 : 127);
		if (harness_rand() % 4 == 0) {
			p.act_min = (int16_t)(p.act_min + harness_rand_range(0, 100));
			p.act_max = (int16_t)(p.act_max - harness_rand_range(0, 100));
		}

		/* Data. */
		for (int i = 0; i < p.in_h * p.in_w * in_c; i++)
			input[i] = (uint8_t)harness_rand();
		for (int i = 0; i < p.out_c * p.kernel_h * p.kernel_w * icpg; i++)
			weights[i] = (int8_t)harness_rand();
		p.input = input;
		p.weights = weights;
		p.output = output;
		if (harness_rand() & 1) {
			p.flags |= NPU_F_BIAS;
			for (int i = 0; i < p.out_c; i++)
				bias[i] = harness_rand_range(-20000, 20000);
			p.bias = bias;
		}
		/*
		 * Scales that bring |acc| (up to ~2^21 here) near the output
		 * range: multiplier in [0.5, 1), shift in [-14, 1].
		 */
		if (harness_rand() & 1) {
			p.flags |= NPU_F_PER_CHANNEL;
			for (int i = 0; i < p.out_c; i++) {
				cq[i].multiplier = (int32_t)(0x40000000u + (harness_rand() & 0x3fffffff));
				cq[i].shift = harness_rand_range(-14, 1);
			}
			p.channel_quant = cq;
		} else {
			p.quant.multiplier = (int32_t)(0x40000000u + (harness_rand() & 0x3fffffff));
			p.quant.shift = harness_rand_range(-14, 1);
		}

		CHECK_MSG(npu_kernel_conv(&p) == 0, "iteration %d", iter);
		for (int oy = 0; oy < p.out_h; oy++) {
			for (int ox = 0; ox < p.out_w; ox++) {
				for (int oc = 0; oc < p.out_c; oc++) {
					int clamped;
					int want = conv_reference(&p, oy, ox, oc, &clamped);
					int got = npu_q8_value(output[(oy * p.out_w + ox) * p.out_c + oc],
							       out_u8);
					int diff = abs(got - want);

					if (diff > max_diff)
						max_diff = diff;
					exact += diff == 0;
					unclamped += !clamped;
					total++;
				}
			}
		}
		CHECK_MSG(max_diff <= 1, "iteration %d: off by %d (in %dx%dx%d groups %d, out_c %d, "
			  "kernel %dx%d)", iter, max_diff, p.in_h, p.in_w, in_c, groups, p.out_c,
			  p.kernel_h, p.kernel_w);
	}
	/* Not vacuous: most outputs are inside the clamps, and most are exact. */
	CHECK_MSG(unclamped * 4 > total, "%ld of %ld outputs unclamped", unclamped, total);
	CHECK_MSG(exact * 10 > total * 8, "%ld of %ld outputs exact", exact, total);
}

/* ------------------------------------------------------------------ */
/* MATMUL                                                              */
/* ------------------------------------------------------------------ */

TEST(matmul_bias_ties)
{
	/*
	 * in (int8, in_zp 1) [[1, 2, 3], [-1, 0, 1]] -> [[0, 1, 2], [-2, -1, 0]]
	 * wt [[1, 1, 1], [2, -1, 3]], bias [1, -2], * 0.5:
	 * [0][0] = 3 + 1 = 4   -> 2      [0][1] = 5 - 2 = 3   -> 1.5 -> 2
	 * [1][0] = -3 + 1 = -2 -> -1     [1][1] = -3 - 2 = -5 -> -2.5 -> -2
	 * (srdhm ties go towards +infinity)
	 */
	const uint8_t input[] = { I8(1), I8(2), I8(3), I8(-1), I8(0), I8(1) };
	const int8_t weights[] = { 1, 1, 1, 2, -1, 3 };
	const int32_t bias[] = { 1, -2 };
	uint8_t out[4];
	struct npu_matmul_params p = {
		.flags = NPU_F_BIAS,
		.m = 2, .k = 3, .n = 2,
		.in_zp = 1, .out_zp = 0, .act_min = -128, .act_max = 127,
		.quant = { Q_HALF, 0 },
		.input = input, .weights = weights, .bias = bias, .output = out,
	};
	const int want[] = { 2, 2, -1, -2 };

	CHECK_EQ(npu_kernel_matmul(&p), 0);
	CHECK(outputs_are(out, want, 4, 0));
}

TEST(matmul_uint8_per_channel)
{
	/*
	 * in (uint8, in_zp 128) [255, 0] -> [127, -128]
	 * n0 [1, 1]:  -1,  identity           -> -1 + 128 = 127
	 * n1 [1, -1]: 255, (0.5, -1): 127.5 -> 128, / 2 = 64 -> 192
	 */
	const uint8_t input[] = { 255, 0 };
	const int8_t weights[] = { 1, 1, 1, -1 };
	const struct npu_quant cq[] = { Q_ONE, { Q_HALF, -1 } };
	uint8_t out[2];
	struct npu_matmul_params p = {
		.flags = NPU_F_IN_U8 | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL,
		.m = 1, .k = 2, .n = 2,
		.in_zp = 128, .out_zp = 128, .act_min = 0, .act_max = 255,
		.input = input, .weights = weights, .channel_quant = cq, .output = out,
	};
	const int want[] = { 127, 192 };

	CHECK_EQ(npu_kernel_matmul(&p), 0);
	CHECK(outputs_are(out, want, 2, 1));
}

/* MATMUL is a 1x1 convolution: same answers on random data. */
TEST(matmul_equals_1x1_conv)
{
	enum { M = 6, K = 10, N = 5 };
	uint8_t input[M * K], out_mm[M * N], out_conv[M * N];
	int8_t weights[N * K];
	int32_t bias[N];

	for (int i = 0; i < M * K; i++)
		input[i] = (uint8_t)harness_rand();
	for (int i = 0; i < N * K; i++)
		weights[i] = (int8_t)harness_rand();
	for (int i = 0; i < N; i++)
		bias[i] = harness_rand_range(-3000, 3000);

	struct npu_matmul_params mm = {
		.flags = NPU_F_BIAS,
		.m = M, .k = K, .n = N,
		.in_zp = -7, .out_zp = 3, .act_min = -100, .act_max = 120,
		.quant = { 0x5a5a5a5a, -8 },
		.input = input, .weights = weights, .bias = bias, .output = out_mm,
	};
	struct npu_conv_params conv = {
		.flags = NPU_F_BIAS,
		.in_h = 1, .in_w = M, .in_c = K, .groups = 1,
		.out_h = 1, .out_w = M, .out_c = N,
		.kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.in_zp = -7, .out_zp = 3, .act_min = -100, .act_max = 120,
		.quant = { 0x5a5a5a5a, -8 },
		.input = input, .weights = weights, .bias = bias, .output = out_conv,
	};

	CHECK_EQ(npu_kernel_matmul(&mm), 0);
	CHECK_EQ(npu_kernel_conv(&conv), 0);
	CHECK(!memcmp(out_mm, out_conv, sizeof(out_mm)));
}

TEST(matmul_rejects_bad_params)
{
	uint8_t in[4] = { 0 }, out[4];
	int8_t wt[4] = { 0 };
	int32_t bias[2] = { 0 };
	struct npu_quant cq[2] = { Q_ONE, { INT32_MIN, 0 } };
	struct npu_matmul_params p = {
		.m = 2, .k = 2, .n = 2, .act_min = -128, .act_max = 127, .quant = Q_ONE,
		.input = in, .weights = wt, .output = out,
	};

	CHECK_EQ(npu_kernel_matmul(&p), 0);
	CHECK_EQ(npu_kernel_matmul(NULL), NPU_E_INVALID);
	p.m = 0;
	CHECK_EQ(npu_kernel_matmul(&p), NPU_E_INVALID);
	p.m = 65536;
	CHECK_EQ(npu_kernel_matmul(&p), NPU_E_INVALID);
	p.m = 2;
	p.flags = NPU_F_BIAS;	/* no table */
	CHECK_EQ(npu_kernel_matmul(&p), NPU_E_INVALID);
	p.bias = bias;
	CHECK_EQ(npu_kernel_matmul(&p), 0);
	p.flags = NPU_F_BIAS | NPU_F_COUNT_PAD;
	CHECK_EQ(npu_kernel_matmul(&p), NPU_E_INVALID);
	p.flags = NPU_F_BIAS | NPU_F_PER_CHANNEL;
	p.quant = (struct npu_quant){ 0, 0 };
	p.channel_quant = cq;
	CHECK_EQ(npu_kernel_matmul(&p), NPU_E_INVALID);	/* cq[1] */
	cq[1].multiplier = INT32_MAX;
	CHECK_EQ(npu_kernel_matmul(&p), 0);
	p.input = NULL;
	CHECK_EQ(npu_kernel_matmul(&p), NPU_E_INVALID);
}

/* ------------------------------------------------------------------ */
/* POOL                                                                */
/* ------------------------------------------------------------------ */

TEST(pool_max_int8_in_zp)
{
	/*
	 * -5 -3  9     2x2 windows, stride 1: max -3, max 9.
	 * -8 -7  0     in_zp -2: -1, 11; * 0.5: -0.5 -> 0, 5.5 -> 6; + 10
	 */
	const uint8_t input[] = { I8(-5), I8(-3), I8(9), I8(-8), I8(-7), I8(0) };
	uint8_t out[2];
	struct npu_pool_params p = {
		.mode = NPU_POOL_MAX,
		.in_h = 2, .in_w = 3, .channels = 1, .out_h = 1, .out_w = 2,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 1, .stride_w = 1,
		.in_zp = -2, .out_zp = 10, .act_min = -128, .act_max = 127,
		.quant = { Q_HALF, 0 },
		.input = input, .output = out,
	};
	const int want[] = { 10, 16 };

	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK(outputs_are(out, want, 2, 0));
}

/* Different strides along h and w. */
TEST(pool_max_stride_h_1_w_2)
{
	/*
	 *  1  5  2  0     2x2 windows, stride_h 1, stride_w 2: out 2x2
	 *  9 -1  7  4     (0,0) max(1, 5, 9, -1) = 9   (0,1) max(2, 0, 7, 4) = 7
	 * -2  6  3 -9     (1,0) max(9, -1, -2, 6) = 9  (1,1) max(7, 4, 3, -9) = 7
	 */
	const uint8_t input[] = {
		I8(1), I8(5), I8(2), I8(0), I8(9), I8(-1), I8(7), I8(4), I8(-2), I8(6), I8(3), I8(-9),
	};
	uint8_t out[4];
	struct npu_pool_params p = {
		.mode = NPU_POOL_MAX,
		.in_h = 3, .in_w = 4, .channels = 1, .out_h = 2, .out_w = 2,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 1, .stride_w = 2,
		.act_min = -128, .act_max = 127,
		.quant = Q_ONE,
		.input = input, .output = out,
	};
	const int want[] = { 9, 7, 9, 7 };

	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK(outputs_are(out, want, 4, 0));
}

/* MAX ignores padded taps: an all-negative input stays negative. */
TEST(pool_max_padding_is_not_zero)
{
	/* 1x1x2 [-100, 50], 2x2 window padded bottom/right: max of one tap. */
	const uint8_t input[] = { I8(-100), I8(50) };
	uint8_t out[2];
	struct npu_pool_params p = {
		.mode = NPU_POOL_MAX,
		.in_h = 1, .in_w = 1, .channels = 2, .out_h = 1, .out_w = 1,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 1, .stride_w = 1,
		.pad_bottom = 1, .pad_right = 1,
		.act_min = -128, .act_max = 127,
		.quant = Q_ONE,
		.input = input, .output = out,
	};
	const int want[] = { -100, 50 };

	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK(outputs_are(out, want, 2, 0));
}

TEST(pool_max_uint8_stride_pad_clamp)
{
	/*
	 *  10 200  30      2x2 windows, stride 2, padded bottom and right:
	 *  40  50 250      (0,0) 200  (0,1) max(30, 250) = 250 -> 240 (clamp)
	 *  70  80  90      (1,0) max(70, 80) = 80   (1,1) 90
	 */
	const uint8_t input[] = { 10, 200, 30, 40, 50, 250, 70, 80, 90 };
	uint8_t out[4];
	struct npu_pool_params p = {
		.flags = NPU_F_IN_U8 | NPU_F_OUT_U8,
		.mode = NPU_POOL_MAX,
		.in_h = 3, .in_w = 3, .channels = 1, .out_h = 2, .out_w = 2,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2,
		.pad_bottom = 1, .pad_right = 1,
		.in_zp = 0, .out_zp = 0, .act_min = 0, .act_max = 240,
		.quant = Q_ONE,
		.input = input, .output = out,
	};
	const int want[] = { 200, 240, 80, 90 };

	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK(outputs_are(out, want, 4, 1));
}

TEST(pool_avg_valid_taps_and_count_pad)
{
	/*
	 * Input (int8, in_zp 1) and x - in_zp:
	 *   1  2  4        0  1  3
	 *   3  6 -3        2  5 -4
	 *   5 -2  9        4 -3  8
	 * 2x2 windows, stride 2, padded bottom and right:
	 *             sum   taps  avg            COUNT_PAD (/4)
	 *   (0,0)      8     4    2              2
	 *   (0,1)     -1     2    -0.5 -> -1     -0.25 -> 0
	 *   (1,0)      1     2    0.5 -> 1       0.25 -> 0
	 *   (1,1)      8     1    8              2
	 */
	const uint8_t input[] = { I8(1), I8(2), I8(4), I8(3), I8(6), I8(-3), I8(5), I8(-2), I8(9) };
	uint8_t out[4];
	struct npu_pool_params p = {
		.mode = NPU_POOL_AVG,
		.in_h = 3, .in_w = 3, .channels = 1, .out_h = 2, .out_w = 2,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2,
		.pad_bottom = 1, .pad_right = 1,
		.in_zp = 1, .out_zp = 0, .act_min = -128, .act_max = 127,
		.quant = Q_ONE,
		.input = input, .output = out,
	};
	const int want_valid[] = { 2, -1, 1, 8 };
	const int want_count_pad[] = { 2, 0, 0, 2 };

	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK(outputs_are(out, want_valid, 4, 0));
	p.flags = NPU_F_COUNT_PAD;
	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK(outputs_are(out, want_count_pad, 4, 0));
}

/* AVG then requantization, with the output zero point and a clamp. */
TEST(pool_avg_requant)
{
	/*
	 * 1x4x1 uint8 [10, 20, 31, 47], in_zp 0, 1x2 windows, stride 2:
	 * (10 + 20) / 2 = 15, (31 + 47) / 2 = 39.
	 * (0.5, -1) = * 0.25: 15 * 0.5 = 7.5 -> 8, / 2 = 4;  39 * 0.5 = 19.5
	 * -> 20, / 2 = 10.  out_zp -5: -1, 5; act_min 0 clamps -1 to 0.
	 */
	const uint8_t input[] = { 10, 20, 31, 47 };
	uint8_t out[2];
	struct npu_pool_params p = {
		.flags = NPU_F_IN_U8,
		.mode = NPU_POOL_AVG,
		.in_h = 1, .in_w = 4, .channels = 1, .out_h = 1, .out_w = 2,
		.kernel_h = 1, .kernel_w = 2, .stride_h = 1, .stride_w = 2,
		.in_zp = 0, .out_zp = -5, .act_min = 0, .act_max = 127,
		.quant = { Q_HALF, -1 },
		.input = input, .output = out,
	};
	const int want[] = { 0, 5 };

	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK(outputs_are(out, want, 2, 0));
}

TEST(pool_global_avg)
{
	/*
	 * 2x2x2 uint8, in_zp 128. NHWC pixels [130, 120] [131, 121]
	 * [129, 122] [127, 123]:
	 * ch0: 2 + 3 + 1 - 1 = 5,     / 4 = 1.25 -> 1    -> 129
	 * ch1: -8 - 7 - 6 - 5 = -26,  / 4 = -6.5 -> -7   -> 121
	 */
	const uint8_t input[] = { 130, 120, 131, 121, 129, 122, 127, 123 };
	uint8_t out[2];
	struct npu_pool_params p = {
		.flags = NPU_F_IN_U8 | NPU_F_OUT_U8,
		.mode = NPU_POOL_GLOBAL_AVG,
		.in_h = 2, .in_w = 2, .channels = 2, .out_h = 1, .out_w = 1,
		.in_zp = 128, .out_zp = 128, .act_min = 0, .act_max = 255,
		.quant = Q_ONE,
		.input = input, .output = out,
	};
	const int want[] = { 129, 121 };

	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK(outputs_are(out, want, 2, 1));
}

TEST(pool_rejects_bad_params)
{
	uint8_t in[16] = { 0 }, out[16];
	struct npu_pool_params p = {
		.mode = NPU_POOL_AVG,
		.in_h = 4, .in_w = 4, .channels = 1, .out_h = 2, .out_w = 2,
		.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2,
		.act_min = -128, .act_max = 127, .quant = Q_ONE,
		.input = in, .output = out,
	};
	struct npu_pool_params q;

	CHECK_EQ(npu_kernel_pool(&p), 0);
	CHECK_EQ(npu_kernel_pool(NULL), NPU_E_INVALID);
	q = p;
	q.input = NULL;
	CHECK_EQ(npu_kernel_pool(&q), NPU_E_INVALID);
	q = p;
	q.output = NULL;
	CHECK_EQ(npu_kernel_pool(&q), NPU_E_INVALID);
	/* A window of padding only. */
	q = p;
	q.pad_top = 2;
	q.out_h = 3;
	CHECK_EQ(npu_kernel_pool(&q), NPU_E_INVALID);
	q = p;
	q.mode = NPU_POOL_MAX;
	q.flags = NPU_F_COUNT_PAD;
	CHECK_EQ(npu_kernel_pool(&q), NPU_E_INVALID);
	q = p;
	q.mode = NPU_POOL_GLOBAL_AVG;
	CHECK_EQ(npu_kernel_pool(&q), NPU_E_INVALID);	/* kernel fields set */
	q = p;
	q.mode = 7;
	CHECK_EQ(npu_kernel_pool(&q), NPU_E_INVALID);
	q = p;
	q.quant.shift = 31;
	CHECK_EQ(npu_kernel_pool(&q), NPU_E_INVALID);
	q = p;
	q.out_w = 3;
	CHECK_EQ(npu_kernel_pool(&q), NPU_E_INVALID);
}

/* ------------------------------------------------------------------ */
/* ELTWISE                                                             */
/* ------------------------------------------------------------------ */

TEST(eltwise_add_left_shift_ties_clamp)
{
	/*
	 * a (a_zp 1) [5, -3, 100] -> [4, -4, 99], << 1, * 0.5 (a_quant):
	 *   a' = [4, -4, 99]
	 * b (b_zp -1) [2, -4, 3] -> [3, -3, 4], << 1 = [6, -6, 8],
	 *   * 0.5 = [3, -3, 4], / 2 (b_quant shift -1): 1.5 -> 2,
	 *   -1.5 -> -2, 2:  b' = [2, -2, 2]
	 * a' + b' = [6, -6, 101], identity, clamped to 100.
	 */
	const uint8_t a[] = { I8(5), I8(-3), I8(100) };
	const uint8_t b[] = { I8(2), I8(-4), I8(3) };
	uint8_t out[3];
	struct npu_eltwise_params p = {
		.op = NPU_ELTWISE_ADD,
		.count = 3,
		.a_zp = 1, .b_zp = -1, .out_zp = 0, .left_shift = 1,
		.act_min = -128, .act_max = 100,
		.a_quant = { Q_HALF, 0 }, .b_quant = { Q_HALF, -1 }, .out_quant = Q_ONE,
		.a = a, .b = b, .output = out,
	};
	const int want[] = { 6, -6, 100 };

	CHECK_EQ(npu_kernel_eltwise(&p), 0);
	CHECK(outputs_are(out, want, 3, 0));
}

/* The sum a' + b' wraps like the hardware adder. */
TEST(eltwise_add_sum_wraps)
{
	/*
	 * a = b = 127, zp -128: 255 << 20; quant (2^31 - 1, 4): 255 << 24
	 * saturates to INT32_MAX, * ~1 = INT32_MAX - 1 for both.
	 * Their sum wraps to -4; identity requant: -4; out_zp 0.
	 */
	const uint8_t a[] = { 127 }, b[] = { 127 };
	uint8_t out[1];
	struct npu_eltwise_params p = {
		.op = NPU_ELTWISE_ADD,
		.count = 1,
		.a_zp = -128, .b_zp = -128, .out_zp = 0, .left_shift = 20,
		.act_min = -128, .act_max = 127,
		.a_quant = { INT32_MAX, 4 }, .b_quant = { INT32_MAX, 4 }, .out_quant = Q_ONE,
		.a = a, .b = b, .output = out,
	};
	const int want[] = { -4 };

	CHECK_EQ(npu_requantize(255 << 20, INT32_MAX, 4), INT32_MAX - 1);
	CHECK_EQ(npu_kernel_eltwise(&p), 0);
	CHECK(outputs_are(out, want, 1, 0));
}

TEST(eltwise_add_broadcast_uint8_b)
{
	/*
	 * a int8 [1, 2, 3, 4]; b uint8 [138, 118] (b_zp 128: [10, -10])
	 * broadcast over 2 channels: [11, -8, 13, -6]; uint8 out, zp 128.
	 */
	const uint8_t a[] = { 1, 2, 3, 4 };
	const uint8_t b[] = { 138, 118 };
	uint8_t out[4];
	struct npu_eltwise_params p = {
		.flags = NPU_F_B_U8 | NPU_F_OUT_U8 | NPU_F_B_BROADCAST,
		.op = NPU_ELTWISE_ADD,
		.count = 4, .channels = 2,
		.a_zp = 0, .b_zp = 128, .out_zp = 128, .left_shift = 0,
		.act_min = 0, .act_max = 255,
		.a_quant = Q_ONE, .b_quant = Q_ONE, .out_quant = Q_ONE,
		.a = a, .b = b, .output = out,
	};
	const int want[] = { 139, 120, 141, 122 };

	CHECK_EQ(npu_kernel_eltwise(&p), 0);
	CHECK(outputs_are(out, want, 4, 1));
}

TEST(eltwise_mul_uint8_a)
{
	/*
	 * a uint8 [200, 0] (a_zp 128: [72, -128]); b int8 [-3, 127] (b_zp 0)
	 * products -216, -16256; out_quant (0.5, -6) = / 128:
	 * -216 -> -108 -> -108 / 64 = -1.6875 -> -2
	 * -16256 -> -8128 -> -127, clamped to -100
	 */
	const uint8_t a[] = { 200, 0 };
	const uint8_t b[] = { I8(-3), I8(127) };
	uint8_t out[2];
	struct npu_eltwise_params p = {
		.flags = NPU_F_IN_U8,
		.op = NPU_ELTWISE_MUL,
		.count = 2,
		.a_zp = 128, .b_zp = 0, .out_zp = 0,
		.act_min = -100, .act_max = 127,
		.out_quant = { Q_HALF, -6 },
		.a = a, .b = b, .output = out,
	};
	const int want[] = { -2, -100 };

	CHECK_EQ(npu_kernel_eltwise(&p), 0);
	CHECK(outputs_are(out, want, 2, 0));
}

/* In place, as the device allows: output == a, and output == b. */
TEST(eltwise_in_place)
{
	uint8_t a[] = { I8(5), I8(-3), I8(100) };
	uint8_t b[] = { I8(2), I8(-4), I8(3) };
	struct npu_eltwise_params p = {
		.op = NPU_ELTWISE_ADD,
		.count = 3,
		.a_zp = 1, .b_zp = -1, .out_zp = 0, .left_shift = 1,
		.act_min = -128, .act_max = 100,
		.a_quant = { Q_HALF, 0 }, .b_quant = { Q_HALF, -1 }, .out_quant = Q_ONE,
		.a = a, .b = b, .output = a,
	};
	const int want[] = { 6, -6, 100 };
	const uint8_t a_again[] = { I8(5), I8(-3), I8(100) };

	CHECK_EQ(npu_kernel_eltwise(&p), 0);
	CHECK(outputs_are(a, want, 3, 0));
	p.a = a_again;
	p.output = b;
	CHECK_EQ(npu_kernel_eltwise(&p), 0);
	CHECK(outputs_are(b, want, 3, 0));
}

TEST(eltwise_rejects_bad_params)
{
	uint8_t a[8] = { 0 }, b[8] = { 0 }, out[8];
	struct npu_eltwise_params p = {
		.op = NPU_ELTWISE_MUL, .count = 8,
		.act_min = -128, .act_max = 127, .out_quant = Q_ONE,
		.a = a, .b = b, .output = out,
	};
	struct npu_eltwise_params q;

	CHECK_EQ(npu_kernel_eltwise(&p), 0);
	CHECK_EQ(npu_kernel_eltwise(NULL), NPU_E_INVALID);
	q = p;
	q.b = NULL;
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q = p;
	q.left_shift = 1;	/* MUL has no left shift */
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q = p;
	q.a_quant = (struct npu_quant)Q_ONE;	/* nor input scales */
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q = p;
	q.op = NPU_ELTWISE_ADD;
	q.left_shift = 21;
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q = p;
	q.flags = NPU_F_B_BROADCAST;
	q.channels = 3;		/* 8 % 3 */
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q.channels = 0;
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q.channels = 4;
	CHECK_EQ(npu_kernel_eltwise(&q), 0);
	q = p;
	q.channels = 4;		/* without broadcast */
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q = p;
	q.count = 0;
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q = p;
	q.op = 2;
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
	q = p;
	q.flags = NPU_F_IN_U8;
	q.a_zp = -1;
	CHECK_EQ(npu_kernel_eltwise(&q), NPU_E_INVALID);
}

/* ------------------------------------------------------------------ */
/* LUT                                                                 */
/* ------------------------------------------------------------------ */

TEST(lut_int8_and_uint8)
{
	uint8_t table[256], out[4];
	/* int8 -128, -1, 0, 127 index 0, 127, 128, 255 */
	const uint8_t in_i8[] = { 0x80, 0xff, 0x00, 0x7f };
	const uint8_t in_u8[] = { 0, 255, 128 };
	struct npu_lut_params p = { .count = 4, .input = in_i8, .table = table, .output = out };

	for (int i = 0; i < 256; i++)
		table[i] = (uint8_t)(255 - i);
	CHECK_EQ(npu_kernel_lut(&p), 0);
	CHECK_EQ(out[0], 255);
	CHECK_EQ(out[1], 128);
	CHECK_EQ(out[2], 127);
	CHECK_EQ(out[3], 0);

	p.flags = NPU_F_IN_U8;
	p.count = 3;
	p.input = in_u8;
	CHECK_EQ(npu_kernel_lut(&p), 0);
	CHECK_EQ(out[0], 255);
	CHECK_EQ(out[1], 0);
	CHECK_EQ(out[2], 127);
	CHECK_EQ(out[3], 0);	/* untouched past count */
}

/* Every int8 value maps through table[x + 128]; in place works. */
TEST(lut_every_value_in_place)
{
	uint8_t table[256], buf[256];

	for (int i = 0; i < 256; i++) {
		table[i] = (uint8_t)(i * 7 + 3);
		buf[i] = (uint8_t)i;
	}
	struct npu_lut_params p = { .count = 256, .input = buf, .table = table, .output = buf };

	CHECK_EQ(npu_kernel_lut(&p), 0);
	for (int i = 0; i < 256; i++)
		CHECK_EQ(buf[i], table[(int8_t)i + 128]);
}

TEST(lut_rejects_bad_params)
{
	uint8_t table[256] = { 0 }, in[4] = { 0 }, out[4];
	struct npu_lut_params p = { .count = 4, .input = in, .table = table, .output = out };
	struct npu_lut_params q;

	CHECK_EQ(npu_kernel_lut(&p), 0);
	CHECK_EQ(npu_kernel_lut(NULL), NPU_E_INVALID);
	q = p;
	q.table = NULL;
	CHECK_EQ(npu_kernel_lut(&q), NPU_E_INVALID);
	q = p;
	q.count = 0;
	CHECK_EQ(npu_kernel_lut(&q), NPU_E_INVALID);
	q = p;
	q.flags = NPU_F_OUT_U8;
	CHECK_EQ(npu_kernel_lut(&q), NPU_E_INVALID);
}
