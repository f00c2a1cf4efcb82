// SPDX-License-Identifier: MIT
/*
 * The compiler and runtime: a small CNN built in memory, quantized,
 * compiled for the sim device and run there must give exactly the
 * outputs of the int8 CPU path, with a Softmax (no integer form) left
 * on the CPU and named, and with layers over a small SRAM tiled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "npu/compiler.h"
#include "npu/dataset.h"
#include "npu/error.h"
#include "npu/int8.h"
#include "npu/quant.h"
#include "onnxtest.h"

#define NAMES(...)	((const char *const[]){ __VA_ARGS__, NULL })

/* The input is [1, 3, side, side]: 12 fits the smallest SRAM whole, 80 does not. */
static int64_t x_dims[] = { 1, 3, 12, 12 };
#define X_NUMEL	((size_t)(3 * x_dims[2] * x_dims[3]))

static void set_side(int64_t side)
{
	x_dims[2] = x_dims[3] = side;
}

static float frand(void)
{
	return (float)harness_rand() / 4294967296.0f;
}

static void rand_init(Onnx__ModelProto *m, const char *name, int rank, const int64_t *dims,
		      float scale)
{
	size_t n = 1;
	float *v;

	for (int i = 0; i < rank; i++)
		n *= (size_t)dims[i];
	v = malloc(n * sizeof(*v));
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = (frand() - 0.5f) * scale;
	ot_init(m, name, OT_FLOAT, rank, dims, v, n * sizeof(*v));
	free(v);
}

/*
 * x -> Conv(8, 3x3, pad 1) -> Relu -> MaxPool 2 -> Conv(16, 3x3) -> Relu
 * -> Add(itself) -> Flatten -> Gemm(10) [-> Softmax], quantized on random images.
 */
static void quantized_cnn(int softmax, struct npu_graph **out)
{
	Onnx__ModelProto *m = ot_model(13);
	struct npu_graph *g = NULL;
	struct npu_dataset *ds = NULL;
	struct npu_quant_options o;
	char path[] = "/tmp/npu-test-compiler-XXXXXX";
	Onnx__NodeProto *n;
	uint8_t *buf;
	size_t size;
	int fd;

	ot_input(m, "x", OT_FLOAT, 4, x_dims);
	rand_init(m, "w1", 4, (const int64_t[]){ 8, 3, 3, 3 }, 1.0f);
	rand_init(m, "b1", 1, (const int64_t[]){ 8 }, 0.5f);
	rand_init(m, "w2", 4, (const int64_t[]){ 16, 8, 3, 3 }, 0.5f);
	rand_init(m, "b2", 1, (const int64_t[]){ 16 }, 0.2f);
	rand_init(m, "wf", 2, (const int64_t[]){ 10, 16 * (x_dims[2] / 2 - 2) * (x_dims[3] / 2 - 2) },
		  0.2f);
	rand_init(m, "bf", 1, (const int64_t[]){ 10 }, 0.5f);
	n = ot_node(m, "Conv", "c1", NAMES("x", "w1", "b1"), NAMES("y1"));
	ot_attr_ints(n, "pads", 4, (const int64_t[]){ 1, 1, 1, 1 });
	ot_node(m, "Relu", "r1", NAMES("y1"), NAMES("a1"));
	n = ot_node(m, "MaxPool", "p1", NAMES("a1"), NAMES("p1"));
	ot_attr_ints(n, "kernel_shape", 2, (const int64_t[]){ 2, 2 });
	ot_attr_ints(n, "strides", 2, (const int64_t[]){ 2, 2 });
	ot_node(m, "Conv", "c2", NAMES("p1", "w2", "b2"), NAMES("y2"));
	ot_node(m, "Relu", "r2", NAMES("y2"), NAMES("a2"));
	ot_node(m, "Add", "add", NAMES("a2", "a2"), NAMES("s2"));
	ot_node(m, "Flatten", "f", NAMES("s2"), NAMES("f2"));
	n = ot_node(m, "Gemm", "fc", NAMES("f2", "wf", "bf"), NAMES(softmax ? "z" : "out"));
	ot_attr_int(n, "transB", 1);
	if (softmax)
		ot_node(m, "Softmax", "sm", NAMES("z"), NAMES("out"));
	ot_output(m, "out", OT_FLOAT);
	buf = ot_pack(m, &size);
	CHECK_EQ(npu_graph_load_onnx_mem(buf, size, &g), 0);
	free(buf);
	ot_free(m);

	/* Calibration: 16 random images in a .npy file. */
	{
		const size_t hlen = 118, count = 16;
		char header[128];
		FILE *f;

		fd = mkstemp(path);
		CHECK(fd >= 0);
		close(fd);
		f = fopen(path, "wb");
		CHECK(f);
		snprintf(header, sizeof(header), "{'descr': '<f4', 'fortran_order': False, "
			 "'shape': (%zu, 1, 3, %d, %d), }", count, (int)x_dims[2], (int)x_dims[3]);
		memset(header + strlen(header), ' ', hlen - strlen(header));
		header[hlen - 1] = '\n';
		fwrite("\x93NUMPY\x01\x00", 1, 8, f);
		fputc((int)hlen, f);
		fputc(0, f);
		fwrite(header, 1, hlen, f);
		for (size_t i = 0; i < count * X_NUMEL; i++) {
			const float v = frand();

			fwrite(&v, 4, 1, f);
		}
		fclose(f);
	}
	CHECK_EQ(npu_dataset_open(path, &ds), 0);
	npu_quant_options_default(&o);
	CHECK_EQ(npu_quantize_graph(g, ds, 0, &o, NULL, NULL), 0);
	npu_dataset_free(ds);
	unlink(path);
	*out = g;
}

/* Compile for a sim device with `sram` bytes, run 4 random images, compare with the int8 path. */
static void compile_and_compare(struct npu_graph *g, uint32_t sram, struct npu_device **devp,
				struct npu_compiled_model **out)
{
	struct npu_sim_options so = { 0 };
	struct npu_compiled_model *cm = NULL;
	struct npu_int8_model *m = NULL;
	struct npu_device *dev = NULL;

	so.firmware = harness_fw_image();
	so.sram_size = sram;
	so.memory_size = 16u << 20;
	CHECK_EQ(npu_device_open_sim(&so, &dev), 0);
	CHECK_EQ(npu_compile(g, dev, NULL, &cm), 0);
	CHECK_EQ(npu_int8_model_create(g, &m), 0);
	for (int img = 0; img < 4; img++) {
		struct npu_value in, want, got;

		CHECK_EQ(npu_value_alloc(&in, NPU_DTYPE_FLOAT32, 4, x_dims), 0);
		for (size_t i = 0; i < X_NUMEL; i++)
			((float *)in.data)[i] = frand();
		CHECK_EQ(npu_int8_model_run(m, &in, &want), 0);
		CHECK_EQ(npu_model_run(cm, dev, &in, &got), 0);
		CHECK_EQ(npu_value_numel(&got), npu_value_numel(&want));
		CHECK(!memcmp(got.data, want.data, npu_value_numel(&want) * sizeof(float)));
		npu_value_free(&in);
		npu_value_free(&want);
		npu_value_free(&got);
	}
	npu_int8_model_free(m);
	*devp = dev;
	*out = cm;
}

static size_t count_npu(const struct npu_compiled_model *cm, uint32_t *max_tiles)
{
	struct npu_op_info info;
	size_t n = 0;

	memset(&info, 0, sizeof(info));
	*max_tiles = 0;
	for (size_t i = 0; i < npu_compiled_num_ops(cm); i++) {
		if (!npu_compiled_op_info(cm, i, &info) && info.placement == NPU_PLACE_NPU) {
			n++;
			if (info.tiles > *max_tiles)
				*max_tiles = info.tiles;
		}
	}
	return n;
}

TEST(compiled_model_equals_int8_path)
{
	struct npu_graph *g = NULL;
	struct npu_device *dev = NULL;
	struct npu_compiled_model *cm = NULL;
	struct npu_op_profile prof;
	struct npu_op_info info;
	uint32_t tiles;

	quantized_cnn(0, &g);
	compile_and_compare(g, 0, &dev, &cm);
	if (harness_failed())
		return;
	/* conv1, pool, conv2, add, gemm on the NPU; the flatten is a host copy. */
	CHECK_EQ(count_npu(cm, &tiles), 5);
	CHECK_EQ(tiles, 1);
	/* Op 0 quantizes the input (float); op 1 is the first Conv. */
	CHECK_EQ(npu_compiled_op_info(cm, 1, &info), 0);
	CHECK(!strcmp(info.op, "Conv") && info.placement == NPU_PLACE_NPU);
	CHECK_EQ(npu_compiled_op_profile(cm, 1, &prof), 0);
	/* 4 images x 12x12x8 outputs x 27 taps. */
	CHECK_EQ(prof.counters[NPU_PERF_MACS], 4u * 12 * 12 * 8 * 27);
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	npu_graph_free(g);
}

TEST(softmax_falls_back_to_cpu_with_reason)
{
	struct npu_graph *g = NULL;
	struct npu_device *dev = NULL;
	struct npu_compiled_model *cm = NULL;
	struct npu_op_info info;
	uint32_t tiles;
	size_t n;

	quantized_cnn(1, &g);
	compile_and_compare(g, 0, &dev, &cm);
	if (harness_failed())
		return;
	n = npu_compiled_num_ops(cm);
	CHECK_EQ(count_npu(cm, &tiles), 5);
	CHECK_EQ(npu_compiled_op_info(cm, n - 1, &info), 0);
	CHECK(!strcmp(info.op, "Softmax"));
	CHECK(info.placement == NPU_PLACE_CPU);
	CHECK_MSG(strstr(info.reason, "float") != NULL, "reason: %s", info.reason);
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	npu_graph_free(g);
}

TEST(layers_over_sram_are_tiled)
{
	struct npu_graph *g = NULL;
	struct npu_device *dev = NULL;
	struct npu_compiled_model *cm = NULL;
	uint32_t tiles;

	/*
	 * 64 KiB, the smallest SRAM: conv1's 19 + 51 KiB of operands split
	 * by rows, the Gemm's 226 KiB of weights by output channels (its
	 * 23 KiB input row must fit: K is not split yet).
	 */
	set_side(80);
	quantized_cnn(0, &g);
	compile_and_compare(g, 64u << 10, &dev, &cm);
	set_side(12);
	if (harness_failed())
		return;
	CHECK_EQ(count_npu(cm, &tiles), 5);
	CHECK(tiles > 1);
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	npu_graph_free(g);
}
