// SPDX-License-Identifier: MIT
/*
 * The compiler and runtime: a small CNN built in memory, quantized,
 * compiled for the sim device and run there must give exactly the
 * outputs of the int8 CPU path - as one job with a fused pool, a job
 * per layer, batched, tiled for a small SRAM with and without double
 * buffering, and saved to and loaded from a .npub file - with a
 * Softmax (no integer form) left on the CPU and named, and bad .npub
 * files refused with the reason.
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
#include "npu_fw_image.h"
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

/* A sim device with `sram` bytes (0: the default); NULL on failure. */
static struct npu_device *open_sim(uint32_t sram)
{
	struct npu_sim_options so = { 0 };
	struct npu_device *dev = NULL;

	so.firmware = harness_fw_image();
	so.sram_size = sram;
	so.memory_size = 16u << 20;
	if (npu_device_open_sim(&so, &dev))
		harness_fail(__FILE__, __LINE__, "sim: %s", npu_last_error());
	return dev;
}

static void random_input(int64_t images, struct npu_value *in)
{
	int64_t dims[4] = { images, x_dims[1], x_dims[2], x_dims[3] };

	CHECK_EQ(npu_value_alloc(in, NPU_DTYPE_FLOAT32, 4, dims), 0);
	for (size_t i = 0; i < (size_t)images * X_NUMEL; i++)
		((float *)in->data)[i] = frand();
}

/* Run `images` random images through cm in one call; each must equal the int8 path's. */
static void check_outputs(struct npu_graph *g, struct npu_compiled_model *cm,
			  struct npu_device *dev, int64_t images)
{
	struct npu_int8_model *m = NULL;
	struct npu_value in, got;
	size_t row;

	CHECK_EQ(npu_int8_model_create(g, &m), 0);
	random_input(images, &in);
	CHECK_EQ(npu_model_run(cm, dev, &in, &got), 0);
	CHECK_EQ(got.dims[0], images);
	row = npu_value_numel(&got) / (size_t)images;
	for (int64_t b = 0; b < images && !harness_failed(); b++) {
		struct npu_value one, want;

		random_input(1, &one);
		memcpy(one.data, (float *)in.data + b * X_NUMEL, X_NUMEL * sizeof(float));
		CHECK_EQ(npu_int8_model_run(m, &one, &want), 0);
		CHECK_EQ(npu_value_numel(&want), row);
		CHECK_MSG(!memcmp((float *)got.data + b * row, want.data, row * sizeof(float)),
			  "image %lld differs from the int8 path", (long long)b);
		npu_value_free(&one);
		npu_value_free(&want);
	}
	npu_value_free(&in);
	npu_value_free(&got);
	npu_int8_model_free(m);
}

static struct npu_compiled_model *compile(struct npu_graph *g, struct npu_device *dev,
					  uint32_t batch, int per_op_jobs, int single_buffer)
{
	struct npu_compile_options o;
	struct npu_compiled_model *cm = NULL;

	npu_compile_options_default(&o);
	o.batch = batch;
	o.per_op_jobs = per_op_jobs;
	o.single_buffer = single_buffer;
	if (npu_compile(g, dev, &o, &cm))
		harness_fail(__FILE__, __LINE__, "compile: %s", npu_last_error());
	return cm;
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

/* Device counter k summed over every operation. */
static uint64_t total(const struct npu_compiled_model *cm, unsigned int k)
{
	struct npu_op_profile prof;
	uint64_t sum = 0;

	for (size_t i = 0; i < npu_compiled_num_ops(cm); i++)
		if (!npu_compiled_op_profile(cm, i, &prof))
			sum += prof.counters[k];
	return sum;
}

/* DMA bytes read and written by every job. */
static uint64_t dram_bytes(const struct npu_compiled_model *cm)
{
	return total(cm, NPU_PERF_DMA_RD_BYTES) + total(cm, NPU_PERF_DMA_WR_BYTES);
}

static uint64_t model_macs(const struct npu_compiled_model *cm)
{
	struct npu_op_info info;
	uint64_t sum = 0;

	for (size_t i = 0; i < npu_compiled_num_ops(cm); i++)
		if (!npu_compiled_op_info(cm, i, &info))
			sum += info.macs;
	return sum;
}

TEST(one_segment_with_fused_pool_equals_int8_path)
{
	static const char *const want[] = { "QuantizeLinear", "Conv+MaxPool", "Conv", "Add",
					    "Flatten", "Gemm", "DequantizeLinear" };
	struct npu_graph *g = NULL;
	struct npu_device *dev = open_sim(0);
	struct npu_compiled_model *cm;
	struct npu_op_info info;

	quantized_cnn(0, &g);
	cm = compile(g, dev, 1, 0, 0);
	if (harness_failed())
		return;
	check_outputs(g, cm, dev, 1);
	check_outputs(g, cm, dev, 3);
	/* The quantize and dequantize edges on the CPU, the rest one job. */
	CHECK_EQ(npu_compiled_num_ops(cm), 7);
	CHECK_EQ(npu_compiled_num_segments(cm), 1);
	for (size_t i = 0; i < 7 && !harness_failed(); i++) {
		const int npu = i > 0 && i < 6;

		CHECK_EQ(npu_compiled_op_info(cm, i, &info), 0);
		CHECK_MSG(!strcmp(info.op, want[i]), "op %zu is %s", i, info.op);
		CHECK_EQ(info.placement, npu ? NPU_PLACE_NPU : NPU_PLACE_CPU);
		CHECK_EQ(info.segment, npu ? 0u : UINT32_MAX);
		CHECK(npu ? !info.reason[0] : strstr(info.reason, "float") != NULL);
	}
	/* The Flatten is an alias of the NHWC bytes: no command. */
	CHECK_EQ(npu_compiled_op_info(cm, 4, &info), 0);
	CHECK_EQ(info.stream_bytes, 0);
	CHECK_EQ(info.tiles, 0);
	/* conv1: 12x12x8 outputs x 27 taps. */
	CHECK_EQ(npu_compiled_op_info(cm, 1, &info), 0);
	CHECK_EQ(info.macs, 12u * 12 * 8 * 27);
	/* One segment of ops 1..5, whose least traffic leaves out what stays inside. */
	{
		struct npu_segment_info seg;
		uint64_t ops_min = 0;

		for (size_t i = 1; i < 6; i++) {
			CHECK_EQ(npu_compiled_op_info(cm, i, &info), 0);
			ops_min += info.min_dram_bytes;
		}
		CHECK_EQ(npu_compiled_segment_info(cm, 0, &seg), 0);
		CHECK_EQ(seg.first_op, 1);
		CHECK_EQ(seg.n_ops, 5);
		CHECK_EQ(seg.macs, model_macs(cm));
		CHECK(seg.min_dram_bytes > 0 && seg.min_dram_bytes < ops_min);
		CHECK_EQ(npu_compiled_segment_info(cm, 1, &seg), NPU_E_INVALID);
	}
	/* The segment's counters: 4 images, every MAC of the model. */
	CHECK_EQ(total(cm, NPU_PERF_MACS), 4 * model_macs(cm));
	/*
	 * Layers read what the layer before left in SRAM: the one job moves
	 * fewer bytes than a job per layer does for the same 4 images.
	 */
	{
		struct npu_compiled_model *per_op = compile(g, dev, 1, 1, 0);

		if (harness_failed())
			return;
		check_outputs(g, per_op, dev, 1);
		check_outputs(g, per_op, dev, 3);
		CHECK_MSG(dram_bytes(cm) < dram_bytes(per_op),
			  "one job moves %llu bytes, a job per layer %llu",
			  (unsigned long long)dram_bytes(cm), (unsigned long long)dram_bytes(per_op));
		npu_compiled_model_free(per_op);
	}
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	npu_graph_free(g);
}

TEST(per_op_jobs_count_each_layer)
{
	struct npu_graph *g = NULL;
	struct npu_device *dev = open_sim(0);
	struct npu_compiled_model *cm;
	struct npu_op_info info;
	struct npu_op_profile prof;

	quantized_cnn(0, &g);
	cm = compile(g, dev, 1, 1, 0);
	if (harness_failed())
		return;
	check_outputs(g, cm, dev, 2);
	/* conv+pool, conv, add, gemm each a job; the Flatten alias joins the Add's. */
	CHECK_EQ(npu_compiled_num_segments(cm), 4);
	for (size_t i = 1; i < 6 && !harness_failed(); i++) {
		CHECK_EQ(npu_compiled_op_info(cm, i, &info), 0);
		CHECK_EQ(npu_compiled_op_profile(cm, i, &prof), 0);
		CHECK_EQ(prof.images, 2);
		CHECK_MSG(prof.counters[NPU_PERF_MACS] == 2 * info.macs,
			  "op %zu: %llu MACs counted, %llu computed", i,
			  (unsigned long long)prof.counters[NPU_PERF_MACS],
			  (unsigned long long)(2 * info.macs));
		/* Alone in its job, a layer's least traffic is its segment's. */
		if (info.stream_bytes) {
			struct npu_segment_info seg;

			CHECK_EQ(npu_compiled_segment_info(cm, info.segment, &seg), 0);
			CHECK_EQ(seg.min_dram_bytes, info.min_dram_bytes);
		}
		/* A layer moves at least its compulsory bytes (the alias moves none). */
		CHECK(prof.counters[NPU_PERF_DMA_RD_BYTES] + prof.counters[NPU_PERF_DMA_WR_BYTES] >=
		      2 * info.min_dram_bytes);
	}
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	npu_graph_free(g);
}

TEST(batches_any_count_of_images)
{
	struct npu_graph *g = NULL;
	struct npu_device *dev = open_sim(0);
	struct npu_compiled_model *cm;
	struct npu_op_profile prof;

	quantized_cnn(0, &g);
	cm = compile(g, dev, 3, 0, 0);
	if (harness_failed())
		return;
	/* 3 + 3 + 1 (padded): three jobs. */
	check_outputs(g, cm, dev, 7);
	CHECK_EQ(npu_compiled_op_profile(cm, 1, &prof), 0);
	CHECK_EQ(prof.images, 9);
	CHECK_EQ(prof.counters[NPU_PERF_MACS], 9 * model_macs(cm));
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	npu_graph_free(g);
}

TEST(softmax_falls_back_to_cpu_with_reason)
{
	struct npu_graph *g = NULL;
	struct npu_device *dev = open_sim(0);
	struct npu_compiled_model *cm;
	struct npu_op_info info;
	uint32_t tiles;
	size_t n;

	quantized_cnn(1, &g);
	cm = compile(g, dev, 1, 0, 0);
	if (harness_failed())
		return;
	check_outputs(g, cm, dev, 2);
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

TEST(layers_over_sram_are_tiled_and_double_buffered)
{
	struct npu_graph *g = NULL;
	struct npu_device *dev;
	struct npu_compiled_model *cm, *serial;
	uint32_t tiles;

	/*
	 * 64 KiB, the smallest SRAM: conv1's operands split by rows, the
	 * Gemm's 226 KiB of weights by output channels (its 23 KiB input
	 * row must fit: K is not split).
	 */
	set_side(80);
	dev = open_sim(64u << 10);
	quantized_cnn(0, &g);
	cm = compile(g, dev, 1, 0, 0);
	serial = compile(g, dev, 1, 0, 1);
	if (!harness_failed()) {
		check_outputs(g, cm, dev, 1);
		check_outputs(g, serial, dev, 1);
	}
	set_side(12);
	if (harness_failed())
		return;
	CHECK_EQ(count_npu(cm, &tiles), 5);
	CHECK(tiles > 1);
	/* The same work; DMA under compute takes fewer device cycles. */
	CHECK_EQ(total(cm, NPU_PERF_MACS), total(serial, NPU_PERF_MACS));
	CHECK_MSG(total(cm, NPU_PERF_CYCLES) < total(serial, NPU_PERF_CYCLES),
		  "double-buffered %llu cycles, serial %llu",
		  (unsigned long long)total(cm, NPU_PERF_CYCLES),
		  (unsigned long long)total(serial, NPU_PERF_CYCLES));
	npu_compiled_model_free(serial);
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	npu_graph_free(g);
}

/* ---- .npub ---------------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;

	if (f && !fseek(f, 0, SEEK_END)) {
		*size = (size_t)ftell(f);
		buf = malloc(*size);
		if (buf && (fseek(f, 0, SEEK_SET) || fread(buf, 1, *size, f) != *size)) {
			free(buf);
			buf = NULL;
		}
	}
	if (f)
		fclose(f);
	if (!buf)
		harness_fail(__FILE__, __LINE__, "cannot read %s", path);
	return buf;
}

static void spit(const char *path, const uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "wb");

	CHECK(f && fwrite(buf, 1, size, f) == size);
	if (f)
		fclose(f);
}

/* Write buf with its CRC (header word 3) made right again, so only the change is judged. */
static void spit_signed(const char *path, uint8_t *buf, size_t size)
{
	const uint32_t crc = npu_crc32(0, buf + 80, size - 80);

	memcpy(buf + 12, &crc, 4);
	spit(path, buf, size);
}

static void load_fails(const char *path, struct npu_device *dev, int want, const char *msg)
{
	struct npu_compiled_model *cm = NULL;
	int ret = npu_compiled_load(path, dev, &cm);

	npu_compiled_model_free(cm);
	CHECK_MSG(ret == want && !cm, "load gave %d, expected %d (%s)", ret, want,
		  npu_last_error());
	CHECK_MSG(strstr(npu_last_error(), msg) != NULL, "error: %s", npu_last_error());
}

TEST(npub_round_trip_and_bad_files)
{
	char path[] = "/tmp/npu-test-npub-XXXXXX";
	struct npu_graph *g = NULL;
	struct npu_device *dev = open_sim(0), *small;
	struct npu_compiled_model *cm, *loaded = NULL;
	struct npu_op_info a, b;
	uint8_t *buf, *bad;
	uint32_t word, streams_size;
	size_t size;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	quantized_cnn(1, &g);
	cm = compile(g, dev, 2, 0, 0);
	if (harness_failed())
		return;
	CHECK_EQ(npu_compiled_save(cm, path), 0);
	CHECK_EQ(npu_compiled_load(path, dev, &loaded), 0);
	if (harness_failed())
		return;
	/* The loaded model runs without the graph: its own copy from the file. */
	check_outputs(g, loaded, dev, 5);
	CHECK_EQ(npu_compiled_num_ops(loaded), npu_compiled_num_ops(cm));
	for (size_t i = 0; i < npu_compiled_num_ops(cm); i++) {
		CHECK_EQ(npu_compiled_op_info(cm, i, &a), 0);
		CHECK_EQ(npu_compiled_op_info(loaded, i, &b), 0);
		CHECK(!strcmp(a.op, b.op) && !strcmp(a.reason, b.reason) &&
		      a.placement == b.placement && a.segment == b.segment &&
		      a.stream_bytes == b.stream_bytes && a.macs == b.macs);
	}
	npu_compiled_model_free(loaded);

	buf = slurp(path, &size);
	bad = malloc(size);
	if (!buf || !bad)
		return;
	/* A flipped byte anywhere past the header: the checksum. */
	memcpy(bad, buf, size);
	bad[size / 2] ^= 0x40;
	spit(path, bad, size);
	load_fails(path, dev, NPU_E_FORMAT, "checksum");
	/* Another version. */
	memcpy(bad, buf, size);
	bad[4]++;
	spit(path, bad, size);
	load_fails(path, dev, NPU_E_FORMAT, "version");
	/* Truncated, and not a model at all. */
	spit(path, buf, size - 8);
	load_fails(path, dev, NPU_E_FORMAT, "truncated");
	spit(path, (const uint8_t *)"ONNX", 4);
	load_fails(path, dev, NPU_E_FORMAT, "not a compiled model");
	/*
	 * A file whose checksum is right but whose first command (the
	 * weights load) aims past the weights: the streams are the last
	 * section (header word 19 is their size).
	 */
	memcpy(bad, buf, size);
	memcpy(&streams_size, bad + 76, 4);
	word = 0x7fff0000u;
	memcpy(bad + size - ((streams_size + 7u) & ~7u) + 4, &word, 4);
	spit_signed(path, bad, size);
	load_fails(path, dev, NPU_E_FORMAT, "outside the model's buffers");
	/* A segment that claims more operations than there are. */
	memcpy(bad, buf, size);
	word = 1000;
	memcpy(bad + 80 + ((npu_compiled_num_ops(cm) * 168 + 7u) & ~7u) + 4, &word, 4);
	spit_signed(path, bad, size);
	load_fails(path, dev, NPU_E_FORMAT, "segment 0");
	/* A copy into the device of a tensor the segment does not read. */
	memcpy(bad, buf, size);
	memcpy(&word, bad + 56, 4);	/* header bytes 56..59: the segments */
	word = (uint32_t)(80 + ((npu_compiled_num_ops(cm) * 168 + 7u) & ~7u) +
			  ((word * 36 + 7u) & ~7u));
	memset(bad + word, 0, 4);	/* the first copy's tensor: tensor 0 */
	spit_signed(path, bad, size);
	load_fails(path, dev, NPU_E_FORMAT, "copies in a tensor it does not read");
	/* A device with less SRAM than the streams were tiled for. */
	spit(path, buf, size);
	small = open_sim(64u << 10);
	load_fails(path, small, NPU_E_UNSUPPORTED, "SRAM");
	npu_device_close(small);
	free(bad);
	free(buf);
	unlink(path);
	/* Nothing is written when the path cannot be created. */
	CHECK_EQ(npu_compiled_save(cm, "/nonexistent-dir/model.npub"), NPU_E_IO);
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	npu_graph_free(g);
}

/*
 * Random damage to a .npub whose checksum is then made right again, so
 * that only the loader's own checks stand between it and the device:
 * every file must be refused with a reason or load and run to an
 * answer, never crash (this suite runs under ASan and UBSan).
 */
TEST(damaged_npub_files_are_refused_or_run)
{
	char path[] = "/tmp/npu-test-npub-fuzz-XXXXXX";
	struct npu_graph *g = NULL;
	struct npu_device *dev = open_sim(0);
	struct npu_compiled_model *cm;
	uint8_t *buf, *bad;
	size_t size;
	int fd = mkstemp(path), loaded = 0, refused = 0;

	CHECK(fd >= 0);
	close(fd);
	quantized_cnn(0, &g);
	cm = compile(g, dev, 2, 0, 0);
	if (harness_failed())
		return;
	CHECK_EQ(npu_compiled_save(cm, path), 0);
	npu_compiled_model_free(cm);
	buf = slurp(path, &size);
	bad = malloc(size);
	if (!buf || !bad)
		return;
	for (int iter = 0; iter < 300 && !harness_failed(); iter++) {
		struct npu_compiled_model *m = NULL;
		const int hits = harness_rand_range(1, 4);
		int ret;

		memcpy(bad, buf, size);
		for (int h = 0; h < hits; h++) {
			/* Header fields and tables most of the time, anywhere now and then. */
			const size_t at = harness_rand_range(0, 3) ?
					  (size_t)harness_rand_range(16, (int)(size < 2048 ? size : 2048) - 4) :
					  (size_t)harness_rand_range(16, (int)size - 4);
			const uint32_t v = harness_rand_range(0, 1) ? harness_rand() :
					   (uint32_t)harness_rand_range(0, 64);

			memcpy(bad + at, &v, harness_rand_range(0, 1) ? 4 : 1);
		}
		spit_signed(path, bad, size);
		ret = npu_compiled_load(path, dev, &m);
		if (ret) {
			CHECK_MSG(!m && (ret == NPU_E_FORMAT || ret == NPU_E_UNSUPPORTED ||
					 ret == NPU_E_INVALID || ret == NPU_E_NOMEM),
				  "iteration %d: load gave %d (%s)", iter, ret, npu_last_error());
			CHECK_MSG(npu_last_error()[0], "iteration %d: no reason given", iter);
			refused++;
			continue;
		}
		loaded++;
		{
			struct npu_value in, out;

			random_input(2, &in);
			ret = npu_model_run(m, dev, &in, &out);
			if (!ret)
				npu_value_free(&out);
			npu_value_free(&in);
		}
		npu_compiled_model_free(m);
	}
	printf("# %d damaged files refused, %d loaded and ran\n", refused, loaded);
	CHECK(refused > 0);
	free(bad);
	free(buf);
	unlink(path);
	npu_device_close(dev);
	npu_graph_free(g);
}

TEST(float_model_is_refused)
{
	Onnx__ModelProto *m = ot_model(13);
	struct npu_graph *g = NULL;
	struct npu_device *dev = open_sim(0);
	struct npu_compiled_model *cm = NULL;
	uint8_t *buf;
	size_t size;

	ot_input(m, "x", OT_FLOAT, 4, x_dims);
	ot_node(m, "Relu", "r", NAMES("x"), NAMES("out"));
	ot_output(m, "out", OT_FLOAT);
	buf = ot_pack(m, &size);
	CHECK_EQ(npu_graph_load_onnx_mem(buf, size, &g), 0);
	free(buf);
	ot_free(m);
	CHECK_EQ(npu_compile(g, dev, NULL, &cm), NPU_E_UNSUPPORTED);
	CHECK(!cm && strstr(npu_last_error(), "npu quantize"));
	npu_device_close(dev);
	npu_graph_free(g);
}
