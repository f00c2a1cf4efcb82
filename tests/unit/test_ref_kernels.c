// SPDX-License-Identifier: MIT
/*
 * The reference kernels, one hand-computed case per family (the working
 * is in the comments), QuantizeLinear's ties and saturation, and the
 * real-scale to fixed-point conversion.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "harness.h"
#include "npu/error.h"
#include "npu_arith.h"
#include "ref/ref.h"

/* A value over caller storage. */
static struct npu_value val(enum npu_dtype dtype, void *data, int rank, ...)
{
	struct npu_value v = { .dtype = dtype, .rank = rank, .data = data };
	va_list ap;

	va_start(ap, rank);
	for (int i = 0; i < rank; i++)
		v.dims[i] = va_arg(ap, int);
	va_end(ap);
	return v;
}

/* A 2-D window (spatial slot 0 unused) with the given geometry. */
static struct npu_ref_window win2(int in_h, int in_w, int k, int stride, int pad, int out_h,
				  int out_w)
{
	struct npu_ref_window w = {
		.spatial = 2,
		.in = { 1, in_h, in_w }, .out = { 1, out_h, out_w },
		.kernel = { 1, k, k }, .stride = { 1, stride, stride },
		.dilation = { 1, 1, 1 },
		.pad_begin = { 0, pad, pad }, .pad_end = { 0, pad, pad },
	};
	return w;
}

static const struct npu_value none = { .dtype = NPU_DTYPE_UNDEFINED, .rank = -1 };

TEST(conv_float_grouped_padded)
{
	/*
	 * Two groups of one channel each, 2x2 inputs, 2x2 kernels, no
	 * padding: one output per group.
	 * group 0: x0 = [1 2; 3 4], w0 = [1 0; 0 1]  -> 1 + 4 + bias 0.5 = 5.5
	 * group 1: x1 = [5 6; 7 8], w1 = [0 1; -1 0] -> 6 - 7 + bias -1 = -2
	 */
	float x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	float w[8] = { 1, 0, 0, 1, 0, 1, -1, 0 };
	float b[2] = { 0.5f, -1 };
	float y[2];
	struct npu_value xv = val(NPU_DTYPE_FLOAT32, x, 4, 1, 2, 2, 2);
	struct npu_value wv = val(NPU_DTYPE_FLOAT32, w, 4, 2, 1, 2, 2);
	struct npu_value bv = val(NPU_DTYPE_FLOAT32, b, 1, 2);
	struct npu_value yv = val(NPU_DTYPE_FLOAT32, y, 4, 1, 2, 1, 1);
	struct npu_ref_window win = win2(2, 2, 2, 1, 0, 1, 1);

	npu_ref_conv(&xv, &wv, &bv, 2, &win, &yv);
	CHECK(y[0] == 5.5f);
	CHECK(y[1] == -2.0f);
}

TEST(conv_integer_zero_points_and_padding)
{
	/*
	 * x uint8 [10 12; 14 16], x_zp 10 -> [0 2; 4 6]; w uint8 all 3,
	 * w_zp 1 -> 2; 2x2 kernel, pad 1, stride 2 -> 2x2 outputs, each one
	 * input tap (the corner it reaches) times 2: [0 4; 8 12].
	 */
	uint8_t x[4] = { 10, 12, 14, 16 }, w[4] = { 3, 3, 3, 3 };
	uint8_t xz = 10, wz = 1;
	int32_t y[4];
	struct npu_value xv = val(NPU_DTYPE_UINT8, x, 4, 1, 1, 2, 2);
	struct npu_value wv = val(NPU_DTYPE_UINT8, w, 4, 1, 1, 2, 2);
	struct npu_value xzv = val(NPU_DTYPE_UINT8, &xz, 0);
	struct npu_value wzv = val(NPU_DTYPE_UINT8, &wz, 0);
	struct npu_value yv = val(NPU_DTYPE_INT32, y, 4, 1, 1, 2, 2);
	struct npu_ref_window win = win2(2, 2, 2, 2, 1, 2, 2);

	npu_ref_conv_integer(&xv, &wv, &xzv, &wzv, 1, &win, &yv);
	CHECK_EQ(y[0], 0);
	CHECK_EQ(y[1], 4);
	CHECK_EQ(y[2], 8);
	CHECK_EQ(y[3], 12);
}

TEST(qlinear_conv_requantizes_like_the_npu)
{
	/*
	 * 1x1 conv, int8 x = [100, -100], x_zp 0, w = [2] (per channel
	 * scale 0.5), x_scale 0.25, y_scale 1, bias 3, y_zp 10:
	 * acc = 200 + 3 = 203, scale 0.125 = 2^30 / 2^31 * 2^-2: the NPU's
	 * two roundings (docs/hw-spec.md 8.2) take 203 / 2 = 101.5 to 102
	 * and 102 / 4 = 25.5 to 26, so 26 + 10 = 36 where round(25.375)
	 * would give 35: the 1-LSB difference the conformance suite allows.
	 * acc = -200 + 3 = -197: -98.5 to -98, -24.5 to -25, + 10 = -15.
	 */
	int8_t x[2] = { 100, -100 }, w[1] = { 2 }, xz = 0, wz = 0, yz = 10, y[2];
	float xs = 0.25f, ws = 0.5f, ys = 1.0f;
	int32_t b = 3;
	struct npu_value xv = val(NPU_DTYPE_INT8, x, 4, 1, 1, 1, 2);
	struct npu_value wv = val(NPU_DTYPE_INT8, w, 4, 1, 1, 1, 1);
	struct npu_value xsv = val(NPU_DTYPE_FLOAT32, &xs, 0), wsv = val(NPU_DTYPE_FLOAT32, &ws, 1, 1);
	struct npu_value ysv = val(NPU_DTYPE_FLOAT32, &ys, 0);
	struct npu_value xzv = val(NPU_DTYPE_INT8, &xz, 0), wzv = val(NPU_DTYPE_INT8, &wz, 0);
	struct npu_value yzv = val(NPU_DTYPE_INT8, &yz, 0), bv = val(NPU_DTYPE_INT32, &b, 1, 1);
	struct npu_value yv = val(NPU_DTYPE_INT8, y, 4, 1, 1, 1, 2);
	struct npu_ref_window win = win2(1, 2, 1, 1, 0, 1, 2);

	CHECK_EQ(npu_ref_qlinear_conv(&xv, &xsv, &xzv, &wv, &wsv, &wzv, &ysv, &yzv, &bv, 1,
				      &win, &yv), 0);
	CHECK_EQ(y[0], 36);
	CHECK_EQ(y[1], -15);
	/* Saturation: y_scale 0.001 sends both far out of int8. */
	ys = 0.001f;
	CHECK_EQ(npu_ref_qlinear_conv(&xv, &xsv, &xzv, &wv, &wsv, &wzv, &ysv, &yzv, &bv, 1,
				      &win, &yv), 0);
	CHECK_EQ(y[0], 127);
	CHECK_EQ(y[1], -128);
}

TEST(gemm_and_matmul_integer)
{
	/*
	 * Gemm transA: A^T = [[1 3]; [2 4]] (A = [[1 2]; [3 4]]), B = I,
	 * alpha 2, beta 0.5, C = [10 20] (a row, broadcast):
	 * 2 * A^T + [5 10] = [[7 16]; [9 18]].
	 */
	float a[4] = { 1, 2, 3, 4 }, bm[4] = { 1, 0, 0, 1 }, c[2] = { 10, 20 }, y[4];
	struct npu_value av = val(NPU_DTYPE_FLOAT32, a, 2, 2, 2);
	struct npu_value bv = val(NPU_DTYPE_FLOAT32, bm, 2, 2, 2);
	struct npu_value cv = val(NPU_DTYPE_FLOAT32, c, 1, 2);
	struct npu_value yv = val(NPU_DTYPE_FLOAT32, y, 2, 2, 2);
	/*
	 * MatMulInteger, per-row a_zp [1, 2], b_zp 3:
	 * a = [[1 3]; [4 2]] - rows -> [[0 2]; [2 0]]; b = [[4]; [5]] - 3 -> [[1]; [2]]
	 * -> [[4]; [2]]
	 */
	uint8_t ai[4] = { 1, 3, 4, 2 }, bi[2] = { 4, 5 }, azp[2] = { 1, 2 }, bzp = 3;
	int32_t yi[2];
	struct npu_value aiv = val(NPU_DTYPE_UINT8, ai, 2, 2, 2);
	struct npu_value biv = val(NPU_DTYPE_UINT8, bi, 2, 2, 1);
	struct npu_value azv = val(NPU_DTYPE_UINT8, azp, 1, 2), bzv = val(NPU_DTYPE_UINT8, &bzp, 0);
	struct npu_value yiv = val(NPU_DTYPE_INT32, yi, 2, 2, 1);

	npu_ref_gemm(&av, &bv, &cv, 2.0f, 0.5f, 1, 0, &yv);
	CHECK(y[0] == 7 && y[1] == 16 && y[2] == 9 && y[3] == 18);
	npu_ref_matmul_integer(&aiv, &biv, &azv, &bzv, &yiv);
	CHECK_EQ(yi[0], 4);
	CHECK_EQ(yi[1], 2);
}

TEST(pools_with_padding)
{
	/*
	 * x = [1 2; 3 4], 2x2 window, stride 1, pad 1 -> 3x3 outputs.
	 * Max: corners see one element each, edges two, centre all four.
	 * Average without pad counting: top-left 1/1, top-centre (1+2)/2;
	 * with pad counting every window counts 4: top-left 0.25.
	 */
	float x[4] = { 1, 2, 3, 4 }, y[9];
	int64_t idx[9];
	struct npu_value xv = val(NPU_DTYPE_FLOAT32, x, 4, 1, 1, 2, 2);
	struct npu_value yv = val(NPU_DTYPE_FLOAT32, y, 4, 1, 1, 3, 3);
	struct npu_value iv = val(NPU_DTYPE_INT64, idx, 4, 1, 1, 3, 3);
	struct npu_ref_window win = win2(2, 2, 2, 1, 1, 3, 3);
	const float want_max[9] = { 1, 2, 2, 3, 4, 4, 3, 4, 4 };

	npu_ref_max_pool(&xv, &win, 0, &yv, &iv);
	for (int i = 0; i < 9; i++)
		CHECK_MSG(y[i] == want_max[i], "max[%d] = %g", i, y[i]);
	CHECK_EQ(idx[4], 3);
	npu_ref_max_pool(&xv, &win, 1, &yv, &iv);	/* column-major: (1,1) is 1 + 1*2 */
	CHECK_EQ(idx[4], 3);
	CHECK_EQ(idx[3], 1);				/* (1,0) row-major 2, col-major 1 */
	npu_ref_average_pool(&xv, &win, 0, &yv);
	CHECK(y[0] == 1.0f && y[1] == 1.5f && y[4] == 2.5f);
	npu_ref_average_pool(&xv, &win, 1, &yv);
	CHECK(y[0] == 0.25f && y[1] == 0.75f && y[4] == 2.5f);
	npu_ref_global_average_pool(&xv, &yv);
	CHECK(y[0] == 2.5f);
}

TEST(eltwise_broadcast_and_wrap)
{
	/* [2,1] + [3] -> [2,3]; uint8 200 + 100 wraps to 44; 16 * 16 to 0. */
	float a[2] = { 1, 10 }, b[3] = { 1, 2, 3 }, y[6];
	uint8_t ua[2] = { 200, 16 }, ub[2] = { 100, 16 }, uy[2];
	struct npu_value av = val(NPU_DTYPE_FLOAT32, a, 2, 2, 1);
	struct npu_value bv = val(NPU_DTYPE_FLOAT32, b, 1, 3);
	struct npu_value yv = val(NPU_DTYPE_FLOAT32, y, 2, 2, 3);
	struct npu_value uav = val(NPU_DTYPE_UINT8, ua, 1, 2), ubv = val(NPU_DTYPE_UINT8, ub, 1, 2);
	struct npu_value uyv = val(NPU_DTYPE_UINT8, uy, 1, 2);
	float x[4] = { -6, -1, 1, 4 }, hs[4], lo = 0, hi = 3.5f, cl[4];
	struct npu_value xv = val(NPU_DTYPE_FLOAT32, x, 1, 4), hv = val(NPU_DTYPE_FLOAT32, hs, 1, 4);
	struct npu_value lov = val(NPU_DTYPE_FLOAT32, &lo, 0), hiv = val(NPU_DTYPE_FLOAT32, &hi, 0);
	struct npu_value clv = val(NPU_DTYPE_FLOAT32, cl, 1, 4);

	npu_ref_binary(NPU_REF_ADD, &av, &bv, &yv);
	CHECK(y[0] == 2 && y[2] == 4 && y[3] == 11 && y[5] == 13);
	npu_ref_binary(NPU_REF_ADD, &uav, &ubv, &uyv);
	CHECK_EQ(uy[0], 44);
	npu_ref_binary(NPU_REF_MUL, &uav, &ubv, &uyv);
	CHECK_EQ(uy[1], 0);
	/* HardSwish: -6 -> 0, -1 -> -1 * 1/3, 1 -> 2/3, 4 -> 4 */
	npu_ref_unary(NPU_REF_HARD_SWISH, 0, &xv, &hv);
	CHECK(hs[0] == 0.0f && fabsf(hs[1] + 1.0f / 3) < 1e-7f && fabsf(hs[2] - 2.0f / 3) < 1e-7f &&
	      hs[3] == 4.0f);
	npu_ref_clip(&xv, &lov, &hiv, &clv);
	CHECK(cl[0] == 0 && cl[1] == 0 && cl[2] == 1 && cl[3] == 3.5f);
	npu_ref_clip(&xv, &none, &hiv, &clv);
	CHECK(cl[0] == -6);
}

TEST(layout_pad_modes_and_transpose)
{
	/* [1 2 3] padded by 2 before, 1 after. */
	int32_t x[3] = { 1, 2, 3 }, y[6], fill = 9;
	const int64_t pads[2] = { 2, 1 };
	struct npu_value xv = val(NPU_DTYPE_INT32, x, 1, 3), yv = val(NPU_DTYPE_INT32, y, 1, 6);
	struct npu_value fv = val(NPU_DTYPE_INT32, &fill, 0);
	const int32_t constant[6] = { 9, 9, 1, 2, 3, 9 }, reflect[6] = { 3, 2, 1, 2, 3, 2 };
	const int32_t edge[6] = { 1, 1, 1, 2, 3, 3 };
	/* [[1 2 3]; [4 5 6]]^T = [[1 4]; [2 5]; [3 6]] */
	float m[6] = { 1, 2, 3, 4, 5, 6 }, t[6];
	const int64_t perm[2] = { 1, 0 };
	struct npu_value mv = val(NPU_DTYPE_FLOAT32, m, 2, 2, 3), tv = val(NPU_DTYPE_FLOAT32, t, 2, 3, 2);

	npu_ref_pad(&xv, pads, &fv, NPU_REF_PAD_CONSTANT, &yv);
	CHECK(!memcmp(y, constant, sizeof(y)));
	npu_ref_pad(&xv, pads, NULL, NPU_REF_PAD_REFLECT, &yv);
	CHECK(!memcmp(y, reflect, sizeof(y)));
	npu_ref_pad(&xv, pads, NULL, NPU_REF_PAD_EDGE, &yv);
	CHECK(!memcmp(y, edge, sizeof(y)));
	npu_ref_transpose(&mv, perm, &tv);
	CHECK(t[0] == 1 && t[1] == 4 && t[2] == 2 && t[5] == 6);
}

TEST(softmax_both_definitions_and_batchnorm)
{
	/* x [2,2] = [[0 ln3]; [0 0]]: along axis 1 -> [[.25 .75]; [.5 .5]];
	 * coerced at axis 0 (opset < 13) -> over all four: e^x / (1+3+1+1). */
	float x[4] = { 0, logf(3), 0, 0 }, y[4];
	struct npu_value xv = val(NPU_DTYPE_FLOAT32, x, 2, 2, 2), yv = val(NPU_DTYPE_FLOAT32, y, 2, 2, 2);
	/* BN: (x - 1) / sqrt(3 + 1) * 4 + 0.5 for x = 5 -> 8.5 */
	float bx = 5, s = 4, b = 0.5f, mean = 1, var = 3, by;
	struct npu_value bxv = val(NPU_DTYPE_FLOAT32, &bx, 2, 1, 1), sv = val(NPU_DTYPE_FLOAT32, &s, 1, 1);
	struct npu_value bv = val(NPU_DTYPE_FLOAT32, &b, 1, 1), mv = val(NPU_DTYPE_FLOAT32, &mean, 1, 1);
	struct npu_value vv = val(NPU_DTYPE_FLOAT32, &var, 1, 1), byv = val(NPU_DTYPE_FLOAT32, &by, 2, 1, 1);

	npu_ref_softmax(&xv, 1, 0, &yv);
	CHECK(fabsf(y[0] - 0.25f) < 1e-6f && fabsf(y[1] - 0.75f) < 1e-6f && y[2] == 0.5f);
	npu_ref_softmax(&xv, 0, 1, &yv);
	CHECK(fabsf(y[0] - 1.0f / 6) < 1e-6f && fabsf(y[1] - 0.5f) < 1e-6f);
	npu_ref_batch_norm(&bxv, &sv, &bv, &mv, &vv, 1.0f, &byv);
	CHECK(by == 8.5f);
}

TEST(quantize_linear_ties_and_saturation)
{
	/* scale 1: ties go to the even neighbour; the zero point adds after rounding. */
	float x[10] = { 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 300, -300, 0.49999997f, NAN };
	float s = 1.0f;
	uint8_t u[10], uz = 0;
	int8_t q[10], qz = 1;
	struct npu_value xv = val(NPU_DTYPE_FLOAT32, x, 1, 10), sv = val(NPU_DTYPE_FLOAT32, &s, 0);
	struct npu_value uv = val(NPU_DTYPE_UINT8, u, 1, 10), uzv = val(NPU_DTYPE_UINT8, &uz, 0);
	struct npu_value qv = val(NPU_DTYPE_INT8, q, 1, 10), qzv = val(NPU_DTYPE_INT8, &qz, 0);
	const int want_q[10] = { 1, 3, 3, 1, -1, -1, 127, -128, 1, 1 };
	const int want_u[10] = { 0, 2, 2, 0, 0, 0, 255, 0, 0, 0 };

	npu_ref_quantize_linear(&xv, &sv, &qzv, 0, &qv);
	npu_ref_quantize_linear(&xv, &sv, &uzv, 0, &uv);
	for (int i = 0; i < 10; i++) {
		CHECK_MSG(q[i] == want_q[i], "int8 [%d] %g -> %d, want %d", i, x[i], q[i], want_q[i]);
		CHECK_MSG(u[i] == want_u[i], "uint8 [%d] %g -> %d, want %d", i, x[i], u[i], want_u[i]);
	}
}

TEST(quantize_dequantize_per_axis_and_cast)
{
	/* x [2,2], axis 1: scales [0.5, 2], zero points [0, 10]. */
	float x[4] = { 1, 4, -1, 7 }, s[2] = { 0.5f, 2 }, back[4];
	int8_t zp[2] = { 0, 10 }, q[4];
	struct npu_value xv = val(NPU_DTYPE_FLOAT32, x, 2, 2, 2), sv = val(NPU_DTYPE_FLOAT32, s, 1, 2);
	struct npu_value zv = val(NPU_DTYPE_INT8, zp, 1, 2), qv = val(NPU_DTYPE_INT8, q, 2, 2, 2);
	struct npu_value bv = val(NPU_DTYPE_FLOAT32, back, 2, 2, 2);
	/* Cast float -> int8 truncates and saturates, NaN is 0; int32 -> uint8 wraps. */
	float f[4] = { -1.9f, 1000, NAN, 2.9f };
	int8_t fi[4];
	int32_t w[2] = { 257, -1 };
	uint8_t wu[2];
	struct npu_value fv = val(NPU_DTYPE_FLOAT32, f, 1, 4), fiv = val(NPU_DTYPE_INT8, fi, 1, 4);
	struct npu_value wv = val(NPU_DTYPE_INT32, w, 1, 2), wuv = val(NPU_DTYPE_UINT8, wu, 1, 2);

	/* 1/0.5 = 2; 4/2 + 10 = 12; -1/0.5 = -2; 7/2 = 3.5 -> 4 + 10 = 14 */
	npu_ref_quantize_linear(&xv, &sv, &zv, 1, &qv);
	CHECK(q[0] == 2 && q[1] == 12 && q[2] == -2 && q[3] == 14);
	npu_ref_dequantize_linear(&qv, &sv, &zv, 1, &bv);
	CHECK(back[0] == 1 && back[1] == 4 && back[2] == -1 && back[3] == 8);
	npu_ref_cast(&fv, &fiv);
	CHECK(fi[0] == -1 && fi[1] == 127 && fi[2] == 0 && fi[3] == 2);
	npu_ref_cast(&wv, &wuv);
	CHECK(wu[0] == 1 && wu[1] == 255);
}

TEST(quant_from_scale)
{
	struct npu_quant q;

	/* 1.0 = 0.5 * 2^1: the identity pair */
	CHECK_EQ(npu_quant_from_scale(1.0, &q), 0);
	CHECK_EQ(q.multiplier, NPU_QUANT_IDENTITY_MULTIPLIER);
	CHECK_EQ(q.shift, NPU_QUANT_IDENTITY_SHIFT);
	/* 0.75 = 0.75 * 2^0 -> round(0.75 * 2^31) */
	CHECK_EQ(npu_quant_from_scale(0.75, &q), 0);
	CHECK_EQ(q.multiplier, 1610612736);
	CHECK_EQ(q.shift, 0);
	CHECK_EQ(npu_requantize(1000, q.multiplier, q.shift), 750);
	/* Just below 1: the multiplier rounds to 2^31 and becomes 2^30 with shift + 1. */
	CHECK_EQ(npu_quant_from_scale(1.0 - 1e-12, &q), 0);
	CHECK_EQ(q.multiplier, 1 << 30);
	CHECK_EQ(q.shift, 1);
	/* Tiny scales keep their value in the multiplier at shift -31. */
	CHECK_EQ(npu_quant_from_scale(ldexp(1.0, -40), &q), 0);
	CHECK_EQ(q.shift, -31);
	CHECK_EQ(q.multiplier, 1 << 22);
	CHECK_EQ(npu_quant_from_scale(0.0, &q), NPU_E_INVALID);
	CHECK_EQ(npu_quant_from_scale(-1.0, &q), NPU_E_INVALID);
	CHECK_EQ(npu_quant_from_scale(INFINITY, &q), NPU_E_INVALID);
	CHECK_EQ(npu_quant_from_scale(ldexp(1.0, 31), &q), NPU_E_INVALID);
}
