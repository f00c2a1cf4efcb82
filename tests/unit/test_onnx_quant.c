// SPDX-License-Identifier: MIT
/*
 * The quantizer and the int8 path: calibration methods on known
 * distributions, requantization edge cases, BatchNorm folding and
 * cross-layer equalization (float outputs unchanged), data set readers
 * refusing broken files, malformed models refused, and a model built
 * in memory quantized, written, read back and run on the int8 kernels
 * against the reference interpreter.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "npu/dataset.h"
#include "npu/error.h"
#include "npu/graph.h"
#include "npu/int8.h"
#include "npu/quant.h"
#include "npu_arith.h"
#include "onnxtest.h"

#define NAMES(...)	((const char *const[]){ __VA_ARGS__, NULL })

static float frand(void)
{
	return (float)harness_rand() / 4294967296.0f;
}

/* ------------------------------------------------------------------ */
/* Calibration                                                         */
/* ------------------------------------------------------------------ */

TEST(calib_minmax_and_percentile_on_uniform)
{
	enum { N = 100000 };
	float *x = malloc(N * sizeof(*x)), lo, hi;
	struct npu_quant_options o;

	CHECK(x);
	for (int i = 0; i < N; i++)
		x[i] = (float)i / (N - 1);	/* uniform on [0, 1] */
	npu_quant_options_default(&o);
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), 0);
	CHECK(lo == 0.0f && hi == 1.0f);
	o.method = NPU_CALIB_PERCENTILE;
	o.percentile = 99.0f;
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), 0);
	CHECK_MSG(fabsf(hi - 0.99f) < 0.002f && lo == 0.0f, "percentile 99: [%g, %g]", lo, hi);
	o.method = NPU_CALIB_EMA;
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), NPU_E_INVALID);
	free(x);
}

/* A Gaussian with a few far outliers: entropy and MSE clip them, min/max does not. */
TEST(calib_entropy_and_mse_clip_outliers)
{
	enum { N = 200000 };
	float *x = malloc(N * sizeof(*x)), lo, hi;
	struct npu_quant_options o;

	CHECK(x);
	for (int i = 0; i < N; i += 2) {
		const double r = sqrt(-2.0 * log(frand() + 1e-9)), t = 2.0 * M_PI * frand();

		x[i] = (float)(r * cos(t));
		x[i + 1] = (float)(r * sin(t));
	}
	x[0] = 40.0f;
	x[1] = -40.0f;
	npu_quant_options_default(&o);
	o.symmetric = 1;
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), 0);
	CHECK(hi == 40.0f);
	o.method = NPU_CALIB_ENTROPY;
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), 0);
	CHECK_MSG(hi > 2.0f && hi < 20.0f && lo < -2.0f, "entropy: [%g, %g]", lo, hi);
	o.method = NPU_CALIB_MSE;
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), 0);
	/* MSE weighs the two outliers' clipping error against resolution: it clips less. */
	CHECK_MSG(hi > 2.0f && hi < 39.0f, "mse: [%g, %g]", lo, hi);
	free(x);
}

/*
 * ReLU output: most values exactly 0, the rest half-normal.  The zeros
 * are exact at any threshold, so entropy must clip only the tail (about
 * 3 to 4 sigma), not shrink the range to where the spike at 0 fits one
 * quantization level.  Likewise for other point masses.
 */
TEST(calib_entropy_ignores_the_relu_zero_spike)
{
	enum { N = 200000 };
	float *x = malloc(N * sizeof(*x)), lo, hi;
	struct npu_quant_options o;

	CHECK(x);
	for (int i = 0; i < N; i++) {
		const double r = sqrt(-2.0 * log(frand() + 1e-9)), t = 2.0 * M_PI * frand();

		x[i] = i % 5 < 3 ? 0.0f : (float)fabs(r * cos(t));
	}
	npu_quant_options_default(&o);
	o.method = NPU_CALIB_ENTROPY;
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), 0);
	CHECK_MSG(lo == 0.0f && hi > 2.5f, "entropy on ReLU output: [%g, %g]", lo, hi);
	/* The same shape, signed (a residual sum): the zero bin sits mid-histogram. */
	for (int i = 0; i < N; i += 2)
		x[i] = -x[i];
	o.symmetric = 1;
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), 0);
	CHECK_MSG(hi > 2.5f && lo < -2.5f, "entropy on signed spike: [%g, %g]", lo, hi);
	/* Point masses inside the range (a constant background's outputs) are no reason to clip. */
	for (int i = 0; i < N; i++)
		x[i] = i % 5 < 3 ? (float)(i % 16) * 0.03f : fabsf(x[i]);
	o.symmetric = 0;
	CHECK_EQ(npu_calib_range(x, N, &o, &lo, &hi), 0);
	CHECK_MSG(hi > 2.5f, "entropy with point masses: [%g, %g]", lo, hi);
	free(x);
}

TEST(quant_choose_types_and_pow2)
{
	float s;
	int32_t zp;

	CHECK_EQ(npu_quant_choose(-1.0f, 1.0f, NPU_DTYPE_INT8, 1, 0, &s, &zp), 0);
	CHECK(fabsf(s - 1.0f / 127) < 1e-7f && zp == 0);
	CHECK_EQ(npu_quant_choose(-1.0f, 1.0f, NPU_DTYPE_UINT8, 1, 0, &s, &zp), 0);
	CHECK(zp == 128);
	/* Asymmetric ranges contain 0 exactly. */
	CHECK_EQ(npu_quant_choose(0.5f, 2.55f, NPU_DTYPE_UINT8, 0, 0, &s, &zp), 0);
	CHECK(fabsf(s - 0.01f) < 1e-6f && zp == 0);
	CHECK_EQ(npu_quant_choose(-2.55f, 0.0f, NPU_DTYPE_INT8, 0, 0, &s, &zp), 0);
	CHECK(zp == 127);
	/* pow2 rounds the scale up to 2^k, so the range still fits. */
	CHECK_EQ(npu_quant_choose(-1.0f, 1.0f, NPU_DTYPE_INT8, 1, 1, &s, &zp), 0);
	CHECK(s == 1.0f / 64);
	/* A zero range still gives a usable scale. */
	CHECK_EQ(npu_quant_choose(0.0f, 0.0f, NPU_DTYPE_INT8, 0, 0, &s, &zp), 0);
	CHECK(s > 0.0f);
	CHECK_EQ(npu_quant_choose(1.0f, -1.0f, NPU_DTYPE_INT8, 0, 0, &s, &zp), NPU_E_INVALID);
	CHECK_EQ(npu_quant_choose(0.0f, 1.0f, NPU_DTYPE_INT32, 0, 0, &s, &zp), NPU_E_INVALID);
}

/* ------------------------------------------------------------------ */
/* Requantization edge cases (hw/npu_arith.h)                          */
/* ------------------------------------------------------------------ */

TEST(requantize_ties_saturation_and_shift_limits)
{
	/* Ties: SRDHM rounds toward +inf, the right shift away from zero. */
	CHECK_EQ(npu_srdhm(3, 1 << 30), 2);
	CHECK_EQ(npu_srdhm(-3, 1 << 30), -1);
	CHECK_EQ(npu_rounding_shift_right(5, 1), 3);
	CHECK_EQ(npu_rounding_shift_right(-5, 1), -3);
	CHECK_EQ(npu_requantize(5, 1 << 30, 0), 3);
	CHECK_EQ(npu_requantize(-5, 1 << 30, 0), -2);
	/* Both roundings in a row: 6 / 2 = 3, then 3 / 2 = 1.5 gives 2 (and -2). */
	CHECK_EQ(npu_requantize(6, 1 << 30, -1), 2);
	CHECK_EQ(npu_requantize(-6, 1 << 30, -1), -2);
	/* Saturation: the left shift saturates before the multiply. */
	CHECK_EQ(npu_requantize(INT32_MAX, INT32_MAX, 30), INT32_MAX - 1);
	CHECK_EQ(npu_requantize(INT32_MIN, INT32_MAX, 30), INT32_MIN + 1);
	CHECK_EQ(npu_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
	/* Shifts at their limits: -31 leaves only rounding; identity pair is exact. */
	CHECK_EQ(npu_requantize(INT32_MAX, INT32_MAX, -31), 1);
	CHECK_EQ(npu_requantize(-(1 << 30), NPU_QUANT_IDENTITY_MULTIPLIER,
				NPU_QUANT_IDENTITY_SHIFT), -(1 << 30));
	CHECK_EQ(npu_output_stage(200, 100, -128, 127), 127);
	CHECK_EQ(npu_output_stage(-300, -128, -128, 127), -128);
}

/* ------------------------------------------------------------------ */
/* Models                                                              */
/* ------------------------------------------------------------------ */

static const int64_t x_dims[] = { 1, 2, 6, 6 };

/* x -> Conv(4, 3x3, pad 1) -> [BatchNorm] -> Relu -> Conv(3, 3x3) -> Relu -> MaxPool 2 -> Flatten -> Gemm(5). */
static struct npu_graph *cnn(int with_bn, int opset)
{
	Onnx__ModelProto *m = ot_model(opset);
	float w1[4 * 2 * 9], b1[4], w2[3 * 4 * 9], b2[3], wf[5 * 12], bf[5];
	float gamma[4], beta[4], mean[4], var[4];
	struct npu_graph *g = NULL;
	Onnx__NodeProto *n;
	uint8_t *buf;
	size_t size;

	for (size_t i = 0; i < sizeof(w1) / 4; i++)
		w1[i] = (frand() - 0.5f) * (1.0f + (float)(i / 18));
	for (size_t i = 0; i < sizeof(w2) / 4; i++)
		w2[i] = (frand() - 0.5f) * 0.5f;
	for (size_t i = 0; i < sizeof(wf) / 4; i++)
		wf[i] = frand() - 0.5f;
	for (int i = 0; i < 4; i++) {
		b1[i] = frand() - 0.3f;
		gamma[i] = 0.5f + frand();
		beta[i] = frand() - 0.5f;
		mean[i] = frand() - 0.5f;
		var[i] = 0.2f + frand();
	}
	for (int i = 0; i < 3; i++)
		b2[i] = frand() * 0.1f;
	for (int i = 0; i < 5; i++)
		bf[i] = frand() - 0.5f;
	ot_input(m, "x", OT_FLOAT, 4, x_dims);
	ot_init(m, "w1", OT_FLOAT, 4, (const int64_t[]){ 4, 2, 3, 3 }, w1, sizeof(w1));
	ot_init(m, "b1", OT_FLOAT, 1, (const int64_t[]){ 4 }, b1, sizeof(b1));
	ot_init(m, "w2", OT_FLOAT, 4, (const int64_t[]){ 3, 4, 3, 3 }, w2, sizeof(w2));
	ot_init(m, "b2", OT_FLOAT, 1, (const int64_t[]){ 3 }, b2, sizeof(b2));
	ot_init(m, "wf", OT_FLOAT, 2, (const int64_t[]){ 5, 12 }, wf, sizeof(wf));
	ot_init(m, "bf", OT_FLOAT, 1, (const int64_t[]){ 5 }, bf, sizeof(bf));
	n = ot_node(m, "Conv", "c1", NAMES("x", "w1", "b1"), NAMES("y1"));
	ot_attr_ints(n, "pads", 4, (const int64_t[]){ 1, 1, 1, 1 });
	if (with_bn) {
		ot_init(m, "g", OT_FLOAT, 1, (const int64_t[]){ 4 }, gamma, sizeof(gamma));
		ot_init(m, "be", OT_FLOAT, 1, (const int64_t[]){ 4 }, beta, sizeof(beta));
		ot_init(m, "mu", OT_FLOAT, 1, (const int64_t[]){ 4 }, mean, sizeof(mean));
		ot_init(m, "va", OT_FLOAT, 1, (const int64_t[]){ 4 }, var, sizeof(var));
		ot_node(m, "BatchNormalization", "bn", NAMES("y1", "g", "be", "mu", "va"),
			NAMES("z1"));
	}
	ot_node(m, "Relu", "r1", NAMES(with_bn ? "z1" : "y1"), NAMES("a1"));
	ot_node(m, "Conv", "c2", NAMES("a1", "w2", "b2"), NAMES("y2"));
	ot_node(m, "Relu", "r2", NAMES("y2"), NAMES("a2"));
	n = ot_node(m, "MaxPool", "p", NAMES("a2"), NAMES("p2"));
	ot_attr_ints(n, "kernel_shape", 2, (const int64_t[]){ 2, 2 });
	ot_attr_ints(n, "strides", 2, (const int64_t[]){ 2, 2 });
	ot_node(m, "Flatten", "f", NAMES("p2"), NAMES("f2"));
	n = ot_node(m, "Gemm", "fc", NAMES("f2", "wf", "bf"), NAMES("out"));
	ot_attr_int(n, "transB", 1);
	ot_output(m, "out", OT_FLOAT);
	buf = ot_pack(m, &size);
	if (npu_graph_load_onnx_mem(buf, size, &g))
		g = NULL;
	free(buf);
	ot_free(m);
	return g;
}

static void random_input(struct npu_value *v)
{
	if (npu_value_alloc(v, NPU_DTYPE_FLOAT32, 4, x_dims))
		abort();
	for (size_t i = 0; i < npu_value_numel(v); i++)
		((float *)v->data)[i] = frand();
}

/* Largest |a - b| over two float outputs of the same shape. */
static double max_diff(const struct npu_value *a, const struct npu_value *b)
{
	double d = 0.0;

	for (size_t i = 0; i < npu_value_numel(a); i++)
		d = fmax(d, fabs(((const float *)a->data)[i] - ((const float *)b->data)[i]));
	return d;
}

static int count_op(const struct npu_graph *g, enum npu_node_op op)
{
	int c = 0;

	for (size_t i = 0; i < npu_graph_num_nodes(g); i++)
		c += npu_node_op(npu_graph_node(g, i)) == op;
	return c;
}

TEST(batchnorm_folding_keeps_float_outputs)
{
	struct npu_graph *g = cnn(1, 13);
	struct npu_value in, before, after;
	size_t folded;

	CHECK(g);
	random_input(&in);
	CHECK_EQ(npu_graph_run_reference(g, &in, &before, NULL, NULL), 0);
	CHECK_EQ(npu_graph_fold_batchnorm(g, &folded), 0);
	CHECK_EQ(folded, 1);
	CHECK_EQ(count_op(g, NPU_NODE_BATCH_NORMALIZATION), 0);
	CHECK_EQ(npu_graph_run_reference(g, &in, &after, NULL, NULL), 0);
	CHECK_MSG(max_diff(&before, &after) < 1e-4, "diff %g", max_diff(&before, &after));
	npu_value_free(&in);
	npu_value_free(&before);
	npu_value_free(&after);
	npu_graph_free(g);
}

TEST(cross_layer_equalization_keeps_float_outputs)
{
	struct npu_graph *g = cnn(0, 13);
	struct npu_value in, before, after;
	size_t pairs;

	CHECK(g);
	random_input(&in);
	CHECK_EQ(npu_graph_run_reference(g, &in, &before, NULL, NULL), 0);
	CHECK_EQ(npu_graph_equalize(g, &pairs), 0);
	CHECK_EQ(pairs, 1);
	CHECK_EQ(npu_graph_run_reference(g, &in, &after, NULL, NULL), 0);
	CHECK_MSG(max_diff(&before, &after) < 1e-4, "diff %g", max_diff(&before, &after));
	npu_value_free(&in);
	npu_value_free(&before);
	npu_value_free(&after);
	npu_graph_free(g);
}

/* ------------------------------------------------------------------ */
/* Data sets                                                           */
/* ------------------------------------------------------------------ */

static char tmp_dir[] = "/tmp/npu-test-quant-XXXXXX";

static const char *tmp_path(const char *name)
{
	static char path[128];

	if (!strchr(tmp_dir + 5, '/') && !strcmp(tmp_dir + strlen(tmp_dir) - 6, "XXXXXX") &&
	    !mkdtemp(tmp_dir))
		abort();
	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	return path;
}

static const char *write_file(const char *name, const void *data, size_t size)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	return path;
}

/* An IDX file of n images of 2x3 uint8 pixels (value = index). */
static size_t idx_images(uint8_t *buf, int n)
{
	const uint8_t hdr[] = { 0, 0, 8, 3, 0, 0, 0, (uint8_t)n, 0, 0, 0, 2, 0, 0, 0, 3 };

	memcpy(buf, hdr, sizeof(hdr));
	for (int i = 0; i < n * 6; i++)
		buf[sizeof(hdr) + i] = (uint8_t)i;
	return sizeof(hdr) + (size_t)n * 6;
}

/* A .npy of n labels, int64. */
static size_t npy_labels(uint8_t *buf, int n)
{
	char header[118];
	size_t hlen;

	snprintf(header, sizeof(header),
		 "{'descr': '<i8', 'fortran_order': False, 'shape': (%d,), }", n);
	hlen = strlen(header);
	memset(header + hlen, ' ', sizeof(header) - 1 - hlen);
	header[sizeof(header) - 2] = '\n';
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (uint8_t)(sizeof(header) - 1);
	buf[9] = 0;
	memcpy(buf + 10, header, sizeof(header) - 1);
	for (int i = 0; i < n; i++) {
		const int64_t v = i % 10;

		memcpy(buf + 10 + sizeof(header) - 1 + 8 * i, &v, 8);
	}
	return 10 + sizeof(header) - 1 + 8 * (size_t)n;
}

TEST(dataset_idx_and_npy_read)
{
	uint8_t buf[1024];
	struct npu_dataset *ds;
	float px[6];
	int64_t label;
	struct npu_normalize norm = { .mean = 0.5f, .std = 0.5f };

	CHECK_EQ(npu_dataset_open(write_file("img.idx", buf, idx_images(buf, 4)), &ds), 0);
	CHECK_EQ(npu_dataset_count(ds), 4);
	CHECK_EQ(npu_dataset_item_rank(ds), 2);
	CHECK_EQ(npu_dataset_image(ds, 1, &norm, px), 0);
	CHECK(fabsf(px[0] - (6.0f / 255 - 0.5f) / 0.5f) < 1e-6f);
	CHECK_EQ(npu_dataset_image(ds, 4, &norm, px), NPU_E_INVALID);
	npu_dataset_free(ds);
	CHECK_EQ(npu_dataset_open(write_file("lab.npy", buf, npy_labels(buf, 12)), &ds), 0);
	CHECK_EQ(npu_dataset_count(ds), 12);
	CHECK_EQ(npu_dataset_label(ds, 11, &label), 0);
	CHECK_EQ(label, 1);
	npu_dataset_free(ds);
}

TEST(dataset_rejects_broken_files)
{
	uint8_t buf[1024];
	struct npu_dataset *ds = (struct npu_dataset *)buf;
	size_t n = idx_images(buf, 4);

	/* Truncated anywhere: header or data. */
	for (size_t len = 0; len < n; len++) {
		CHECK_EQ(npu_dataset_open(write_file("t.idx", buf, len), &ds), NPU_E_FORMAT);
		CHECK(ds == NULL);
	}
	/* Bytes after the last item: the header's count is wrong. */
	CHECK_EQ(npu_dataset_open(write_file("long.idx", buf, n + 1), &ds), NPU_E_FORMAT);
	buf[0] = 0x1f;
	CHECK_EQ(npu_dataset_open(write_file("magic.idx", buf, n), &ds), NPU_E_FORMAT);
	CHECK(strstr(npu_last_error(), "magic"));
	n = npy_labels(buf, 12);
	CHECK_EQ(npu_dataset_open(write_file("t.npy", buf, n - 3), &ds), NPU_E_FORMAT);
	CHECK_EQ(npu_dataset_open(write_file("h.npy", buf, 40), &ds), NPU_E_FORMAT);
	CHECK_EQ(npu_dataset_open(tmp_path("missing.idx"), &ds), NPU_E_IO);
}

/* ------------------------------------------------------------------ */
/* Malformed models                                                    */
/* ------------------------------------------------------------------ */

TEST(malformed_models_are_rejected)
{
	struct npu_graph *g = cnn(1, 13), *back = NULL;
	void *data;
	size_t size;

	CHECK(g);
	CHECK_EQ(npu_graph_save_onnx_mem(g, &data, &size), 0);
	/* Every truncation and a few corruptions: an error, never a crash or a graph. */
	for (size_t len = 0; len < size; len += 1 + len / 16) {
		int ret = npu_graph_load_onnx_mem(data, len, &back);

		CHECK_MSG(ret < 0 && !back, "length %zu loaded", len);
	}
	for (int i = 0; i < 200; i++) {
		uint8_t *copy = malloc(size);

		CHECK(copy);
		memcpy(copy, data, size);
		copy[harness_rand() % size] ^= (uint8_t)(1 + harness_rand() % 255);
		if (!npu_graph_load_onnx_mem(copy, size, &back))
			npu_graph_free(back);
		back = NULL;
		free(copy);
	}
	free(data);
	npu_graph_free(g);
}

/* ------------------------------------------------------------------ */
/* End to end                                                          */
/* ------------------------------------------------------------------ */

/* A .npy of n random images shaped like x. */
static const char *calib_file(int n)
{
	const size_t per = 2 * 6 * 6, hlen = 117;
	size_t size = 10 + hlen + (size_t)n * per * 4;
	uint8_t *buf = malloc(size);
	char header[128];
	const char *path;

	if (!buf)
		abort();
	snprintf(header, sizeof(header),
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 1, 2, 6, 6), }", n);
	memset(header + strlen(header), ' ', hlen - strlen(header));
	header[hlen - 1] = '\n';
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (uint8_t)hlen;
	buf[9] = 0;
	memcpy(buf + 10, header, hlen);
	for (size_t i = 0; i < (size_t)n * per; i++) {
		const float v = frand();

		memcpy(buf + 10 + hlen + 4 * i, &v, 4);
	}
	path = write_file("calib.npy", buf, size);
	free(buf);
	return path;
}

static void quantize_and_run(const struct npu_quant_options *o, double float_tolerance)
{
	struct npu_graph *g = cnn(1, 13), *q = NULL;
	struct npu_dataset *ds = NULL;
	struct npu_int8_model *m = NULL;
	struct npu_value in, fl, ref, i8;
	size_t n8, nf, size;
	void *data;

	CHECK(g);
	CHECK_EQ(npu_dataset_open(calib_file(64), &ds), 0);
	random_input(&in);
	CHECK_EQ(npu_graph_run_reference(g, &in, &fl, NULL, NULL), 0);
	CHECK_EQ(npu_quantize_graph(g, ds, 0, o, NULL, NULL), 0);
	CHECK(npu_graph_is_quantized(g));
	CHECK_EQ(npu_graph_save_onnx_mem(g, &data, &size), 0);
	CHECK_EQ(npu_graph_load_onnx_mem(data, size, &q), 0);
	free(data);
	CHECK_EQ(npu_int8_model_create(q, &m), 0);
	npu_int8_model_counts(m, &n8, &nf);
	/* conv1+relu, conv2+relu, maxpool, flatten, gemm: all on the kernels. */
	CHECK_MSG(n8 == 5, "%zu int8 operations, %zu float nodes", n8, nf);
	CHECK_EQ(npu_graph_run_reference(q, &in, &ref, NULL, NULL), 0);
	CHECK_EQ(npu_int8_model_run(m, &in, &i8), 0);
	/* The int8 kernels against the float reference of the same QDQ model: 1 LSB apart. */
	CHECK_MSG(max_diff(&ref, &i8) <= 0.1, "int8 vs QDQ reference: %g", max_diff(&ref, &i8));
	/* And the quantized model stays near the float one. */
	CHECK_MSG(max_diff(&fl, &i8) <= float_tolerance, "int8 vs float: %g (method %s)",
		  max_diff(&fl, &i8), npu_calib_method_name(o->method));
	npu_value_free(&in);
	npu_value_free(&fl);
	npu_value_free(&ref);
	npu_value_free(&i8);
	npu_int8_model_free(m);
	npu_dataset_free(ds);
	npu_graph_free(q);
	npu_graph_free(g);
}

TEST(end_to_end_per_channel_minmax)
{
	struct npu_quant_options o;

	npu_quant_options_default(&o);
	quantize_and_run(&o, 0.2);
}

TEST(end_to_end_options)
{
	struct npu_quant_options o;

	for (int method = NPU_CALIB_MINMAX; method <= NPU_CALIB_MSE; method++) {
		npu_quant_options_default(&o);
		o.method = (enum npu_calib_method)method;
		o.per_channel = method & 1;
		o.symmetric = method == NPU_CALIB_ENTROPY;
		o.act_dtype = method == NPU_CALIB_PERCENTILE ? NPU_DTYPE_UINT8 : NPU_DTYPE_INT8;
		o.cle = method == NPU_CALIB_EMA;
		o.bias_correction = method == NPU_CALIB_MSE;
		/* Per-tensor weights of channels 4x apart, 64 random images: looser. */
		quantize_and_run(&o, 0.6);
		if (harness_failed())
			return;
	}
}

/*
 * Sum over outputs of |mean(int8 - float)| over the data set's images:
 * the systematic error that bias correction exists to remove.
 */
static double mean_output_bias(struct npu_graph *fg, struct npu_int8_model *m,
			       const struct npu_dataset *ds)
{
	const struct npu_normalize norm = NPU_NORMALIZE_DEFAULT;
	double sum[64] = { 0 }, bias = 0.0;
	size_t n = npu_dataset_count(ds), outs = 0;

	for (size_t i = 0; i < n; i++) {
		struct npu_value in, fl, i8;

		if (npu_dataset_input(ds, i, &norm, npu_graph_input(fg, 0), &in) ||
		    npu_graph_run_reference(fg, &in, &fl, NULL, NULL) ||
		    npu_int8_model_run(m, &in, &i8))
			abort();
		outs = npu_value_numel(&fl) < 64 ? npu_value_numel(&fl) : 64;
		for (size_t k = 0; k < outs; k++)
			sum[k] += ((const float *)i8.data)[k] - ((const float *)fl.data)[k];
		npu_value_free(&in);
		npu_value_free(&fl);
		npu_value_free(&i8);
	}
	for (size_t k = 0; k < outs; k++)
		bias += fabs(sum[k] / (double)n);
	return bias;
}

/* Bias correction on convolutions with a spatial extent shrinks the mean error. */
TEST(bias_correction_reduces_the_mean_error)
{
	struct npu_graph *model = cnn(0, 13);
	struct npu_quant_options o;
	struct npu_dataset *ds;
	double bias[2];
	void *data;
	size_t size;

	/* Copies of one model: cnn() draws new weights at every call. */
	CHECK(model);
	CHECK_EQ(npu_graph_save_onnx_mem(model, &data, &size), 0);
	npu_graph_free(model);
	CHECK_EQ(npu_dataset_open(calib_file(64), &ds), 0);
	for (int bc = 0; bc < 2; bc++) {
		struct npu_graph *fg = NULL, *g = NULL;
		struct npu_int8_model *m;

		CHECK_EQ(npu_graph_load_onnx_mem(data, size, &fg), 0);
		CHECK_EQ(npu_graph_load_onnx_mem(data, size, &g), 0);
		npu_quant_options_default(&o);
		o.per_channel = 0;
		o.bias_correction = bc;
		CHECK_EQ(npu_quantize_graph(g, ds, 0, &o, NULL, NULL), 0);
		CHECK_EQ(npu_int8_model_create(g, &m), 0);
		bias[bc] = mean_output_bias(fg, m, ds);
		npu_int8_model_free(m);
		npu_graph_free(g);
		npu_graph_free(fg);
	}
	free(data);
	npu_dataset_free(ds);
	CHECK_MSG(bias[1] <= bias[0] * 1.05 + 1e-3, "mean output error %g with bias correction, %g without",
		  bias[1], bias[0]);
}

TEST(end_to_end_pow2_is_shift_only)
{
	struct npu_quant_options o;

	npu_quant_options_default(&o);
	o.pow2 = 1;
	quantize_and_run(&o, 0.3);
}

TEST(quantized_model_keeps_its_scales)
{
	struct npu_graph *g = cnn(0, 13);
	struct npu_dataset *ds;
	struct npu_quant_options o;
	void *a, *b;
	size_t sa, sb;

	CHECK(g);
	npu_quant_options_default(&o);
	CHECK_EQ(npu_dataset_open(calib_file(8), &ds), 0);
	CHECK_EQ(npu_quantize_graph(g, ds, 0, &o, NULL, NULL), 0);
	CHECK_EQ(npu_graph_save_onnx_mem(g, &a, &sa), 0);
	o.method = NPU_CALIB_MSE;
	CHECK_EQ(npu_quantize_graph(g, ds, 0, &o, NULL, NULL), 0);
	CHECK_EQ(npu_graph_save_onnx_mem(g, &b, &sb), 0);
	CHECK(sa == sb && !memcmp(a, b, sa));
	free(a);
	free(b);
	npu_dataset_free(ds);
	npu_graph_free(g);
}

/* The scale and zero point of the QuantizeLinear that reads tensor `name`. */
static int q_params(const struct npu_graph *g, const char *name, float *scale, int32_t *zp)
{
	for (size_t i = 0; i < npu_graph_num_nodes(g); i++) {
		const struct npu_node *n = npu_graph_node(g, i);

		if (npu_node_op(n) == NPU_NODE_QUANTIZE_LINEAR &&
		    !strcmp(npu_tensor_name(npu_node_input(n, 0)), name)) {
			*scale = *(const float *)npu_tensor_data(npu_node_input(n, 1));
			*zp = *(const int8_t *)npu_tensor_data(npu_node_input(n, 2));
			return 0;
		}
	}
	return -1;
}

/*
 * x -> Conv -> MaxPool -> Relu -> Flatten -> Gemm (LeNet's order): the
 * conv's output range starts at 0, since the Relu zeroes every negative
 * value after the pooling, and the Relu then changes no code.
 */
TEST(relu_after_maxpool_clips_the_conv_range)
{
	Onnx__ModelProto *mp = ot_model(13);
	float w[3 * 2 * 9], b[3] = { 0.1f, -0.2f, 0.0f }, wf[4 * 27], bf[4] = { 0 };
	struct npu_graph *g = NULL;
	struct npu_dataset *ds;
	struct npu_quant_options o;
	Onnx__NodeProto *n;
	float sc, sr;
	int32_t zc, zr;
	uint8_t *buf;
	size_t size;

	for (size_t i = 0; i < sizeof(w) / 4; i++)
		w[i] = frand() - 0.5f;
	for (size_t i = 0; i < sizeof(wf) / 4; i++)
		wf[i] = frand() - 0.5f;
	ot_input(mp, "x", OT_FLOAT, 4, x_dims);
	ot_init(mp, "w", OT_FLOAT, 4, (const int64_t[]){ 3, 2, 3, 3 }, w, sizeof(w));
	ot_init(mp, "b", OT_FLOAT, 1, (const int64_t[]){ 3 }, b, sizeof(b));
	ot_init(mp, "wf", OT_FLOAT, 2, (const int64_t[]){ 4, 27 }, wf, sizeof(wf));
	ot_init(mp, "bf", OT_FLOAT, 1, (const int64_t[]){ 4 }, bf, sizeof(bf));
	n = ot_node(mp, "Conv", "c", NAMES("x", "w", "b"), NAMES("y"));
	ot_attr_ints(n, "pads", 4, (const int64_t[]){ 1, 1, 1, 1 });
	n = ot_node(mp, "MaxPool", "p", NAMES("y"), NAMES("p"));
	ot_attr_ints(n, "kernel_shape", 2, (const int64_t[]){ 2, 2 });
	ot_attr_ints(n, "strides", 2, (const int64_t[]){ 2, 2 });
	ot_node(mp, "Relu", "r", NAMES("p"), NAMES("r"));
	ot_node(mp, "Flatten", "f", NAMES("r"), NAMES("f"));
	n = ot_node(mp, "Gemm", "fc", NAMES("f", "wf", "bf"), NAMES("out"));
	ot_attr_int(n, "transB", 1);
	ot_output(mp, "out", OT_FLOAT);
	buf = ot_pack(mp, &size);
	CHECK_EQ(npu_graph_load_onnx_mem(buf, size, &g), 0);
	free(buf);
	ot_free(mp);
	CHECK_EQ(npu_dataset_open(calib_file(16), &ds), 0);
	npu_quant_options_default(&o);
	CHECK_EQ(npu_quantize_graph(g, ds, 0, &o, NULL, NULL), 0);
	CHECK_EQ(q_params(g, "y", &sc, &zc), 0);
	CHECK_EQ(q_params(g, "r", &sr, &zr), 0);
	CHECK_MSG(zc == -128, "conv output zero point %d: its range goes below 0", (int)zc);
	CHECK(sr == sc && zr == zc);
	npu_dataset_free(ds);
	npu_graph_free(g);
}

/*
 * x -> Conv (per-tensor weights, channels 20x apart: a biased error)
 * -> Relu -> Conv 1x1 whose identity weights are exact in int8.  Bias
 * correction leaves the second conv's bias alone: its own weights add
 * no error, and the first conv's error is the first conv's to correct.
 */
TEST(bias_correction_corrects_each_layer_once)
{
	Onnx__ModelProto *mp = ot_model(13);
	float w1[2 * 2 * 9], b1[2] = { 0.05f, 0.1f }, w2[4] = { 1, 0, 0, 1 }, b2[2] = { 0.1f, -0.1f };
	struct npu_graph *g = NULL;
	struct npu_dataset *ds;
	struct npu_quant_options o;
	const struct npu_node *c2 = NULL, *dq;
	Onnx__NodeProto *n;
	uint8_t *buf;
	size_t size;

	for (size_t i = 0; i < sizeof(w1) / 4; i++)
		w1[i] = (frand() - 0.3f) * (i < 18 ? 1.0f : 0.05f);
	ot_input(mp, "x", OT_FLOAT, 4, x_dims);
	ot_init(mp, "w1", OT_FLOAT, 4, (const int64_t[]){ 2, 2, 3, 3 }, w1, sizeof(w1));
	ot_init(mp, "b1", OT_FLOAT, 1, (const int64_t[]){ 2 }, b1, sizeof(b1));
	ot_init(mp, "w2", OT_FLOAT, 4, (const int64_t[]){ 2, 2, 1, 1 }, w2, sizeof(w2));
	ot_init(mp, "b2", OT_FLOAT, 1, (const int64_t[]){ 2 }, b2, sizeof(b2));
	n = ot_node(mp, "Conv", "c1", NAMES("x", "w1", "b1"), NAMES("y1"));
	ot_attr_ints(n, "pads", 4, (const int64_t[]){ 1, 1, 1, 1 });
	ot_node(mp, "Relu", "r1", NAMES("y1"), NAMES("a1"));
	ot_node(mp, "Conv", "c2", NAMES("a1", "w2", "b2"), NAMES("out"));
	ot_output(mp, "out", OT_FLOAT);
	buf = ot_pack(mp, &size);
	CHECK_EQ(npu_graph_load_onnx_mem(buf, size, &g), 0);
	free(buf);
	ot_free(mp);
	CHECK_EQ(npu_dataset_open(calib_file(64), &ds), 0);
	npu_quant_options_default(&o);
	o.per_channel = 0;
	o.bias_correction = 1;
	CHECK_EQ(npu_quantize_graph(g, ds, 0, &o, NULL, NULL), 0);
	for (size_t i = 0; i < npu_graph_num_nodes(g); i++)
		if (!strcmp(npu_node_name(npu_graph_node(g, i)), "c2"))
			c2 = npu_graph_node(g, i);
	CHECK(c2);
	dq = npu_tensor_producer(g, npu_node_input(c2, 2));
	CHECK(dq && npu_node_op(dq) == NPU_NODE_DEQUANTIZE_LINEAR);
	for (int c = 0; c < 2; c++) {
		const float s = ((const float *)npu_tensor_data(npu_node_input(dq, 1)))[0];
		const int32_t q = ((const int32_t *)npu_tensor_data(npu_node_input(dq, 0)))[c];

		CHECK_MSG(fabsf(q * s - b2[c]) <= 0.51f * s, "channel %d: bias %g became %g", c,
			  b2[c], q * s);
	}
	npu_dataset_free(ds);
	npu_graph_free(g);
}
