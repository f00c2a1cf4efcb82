// SPDX-License-Identifier: MIT
/*
 * bench_compiler: what the compiler's choices buy, side by side in one
 * process.  Each reference model is quantized (200 calibration images),
 * then compiled for the default sim device five ways:
 *
 *   default   one job per NPU segment, double-buffered tiles, batch 1
 *   serial    the same without double buffering
 *   per-op    one job per operation (what npu profile runs)
 *   batch 8   eight images per job
 *   b8 serial eight images per job without double buffering
 *
 * and run on the same Fashion-MNIST test images.  Every variant's
 * outputs must equal the int8 CPU path's.  Printed per model and
 * variant: modelled device cycles per image, DRAM bytes per image and
 * host images per second, each as a ratio to the default.  Device
 * cycles are deterministic; host rates are best of three runs, since
 * the machines are noisy.
 *
 *   bench_compiler MODEL.onnx... (NPU_FIRMWARE: the firmware image)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npu/compiler.h"
#include "npu/dataset.h"
#include "npu/error.h"
#include "npu/quant.h"

#define DATASETS	"/usr/share/datasets/fashion-mnist/"
#define IMAGES		64
#define CALIB		200
#define RUNS		3

struct variant {
	const char *name;
	uint32_t batch;
	int per_op_jobs, single_buffer;
};

static const struct variant variants[] = {
	{ "default", 1, 0, 0 },
	{ "serial", 1, 0, 1 },
	{ "per-op", 1, 1, 0 },
	{ "batch 8", 8, 0, 0 },
	{ "b8 serial", 8, 0, 1 },
};

struct result {
	double cycles, dram, ips;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(const char *what, int ret)
{
	fprintf(stderr, "bench_compiler: %s: %s: %s\n", what, npu_strerror(ret), npu_last_error());
	return ret;
}

/* IMAGES test images as one [IMAGES, 1, 28, 28] input. */
static int load_images(const struct npu_graph *g, struct npu_value *in)
{
	const struct npu_normalize norm = { 0.0f, 1.0f };
	struct npu_dataset *ds = NULL;
	struct npu_value one = { 0 };
	int64_t dims[NPU_MAX_RANK];
	size_t item;
	int ret = npu_dataset_open(DATASETS "t10k-images-idx3-ubyte.gz", &ds);

	if (!ret)
		ret = npu_dataset_input(ds, 0, &norm, npu_graph_input(g, 0), &one);
	if (!ret) {
		memcpy(dims, one.dims, sizeof(dims));
		dims[0] = IMAGES;
		item = npu_value_numel(&one);
		ret = npu_value_alloc(in, NPU_DTYPE_FLOAT32, one.rank, dims);
		for (size_t i = 0; !ret && i < IMAGES; i++)
			ret = npu_dataset_image(ds, i, &norm, (float *)in->data + i * item);
	}
	npu_value_free(&one);
	npu_dataset_free(ds);
	return ret;
}

static int quantize(const char *path, struct npu_graph **out)
{
	struct npu_quant_options o;
	struct npu_dataset *calib = NULL;
	struct npu_graph *g = NULL;
	int ret = npu_graph_load_onnx(path, &g);

	if (!ret)
		ret = npu_dataset_open(DATASETS "train-images-idx3-ubyte.gz", &calib);
	if (!ret) {
		npu_quant_options_default(&o);
		ret = npu_quantize_graph(g, calib, CALIB, &o, NULL, NULL);
	}
	if (!ret)
		ret = npu_graph_infer_shapes(g);
	npu_dataset_free(calib);
	if (ret) {
		npu_graph_free(g);
		return fail(path, ret);
	}
	*out = g;
	return 0;
}

static int run_variant(struct npu_graph *g, struct npu_device *dev, const struct variant *v,
		       const struct npu_value *in, struct result *r)
{
	struct npu_compile_options o;
	struct npu_compiled_model *cm = NULL;
	struct npu_value out = { 0 }, ref = { 0 };
	double best = 0;
	int ret;

	npu_compile_options_default(&o);
	o.batch = v->batch;
	o.per_op_jobs = v->per_op_jobs;
	o.single_buffer = v->single_buffer;
	ret = npu_compile(g, dev, &o, &cm);
	if (ret)
		return fail("compile", ret);
	ret = npu_compiled_run_cpu(cm, in, &ref);
	for (int run = 0; !ret && run < RUNS; run++) {
		const double t0 = now_s();

		npu_compiled_profile_reset(cm);
		ret = npu_model_run(cm, dev, in, &out);
		if (!ret && (best == 0 || now_s() - t0 < best))
			best = now_s() - t0;
		if (!ret && memcmp(out.data, ref.data, npu_value_numel(&ref) * sizeof(float))) {
			fprintf(stderr, "bench_compiler: %s: outputs differ from the CPU path\n",
				v->name);
			ret = NPU_E_JOB;
		}
		npu_value_free(&out);
	}
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; !ret && i < npu_compiled_num_ops(cm); i++) {
		struct npu_op_profile p;

		ret = npu_compiled_op_profile(cm, i, &p);
		r->cycles += (double)p.counters[NPU_PERF_CYCLES] / IMAGES;
		r->dram += (double)(p.counters[NPU_PERF_DMA_RD_BYTES] +
				    p.counters[NPU_PERF_DMA_WR_BYTES]) / IMAGES;
	}
	r->ips = best > 0 ? IMAGES / best : 0;
	npu_value_free(&ref);
	npu_compiled_model_free(cm);
	return ret;
}

int main(int argc, char **argv)
{
	struct npu_device *dev = NULL;
	int ret = npu_device_open("sim", &dev);

	if (ret)
		return fail("sim device", ret) ? 1 : 0;
	printf("%-14s %-9s %14s %8s %14s %8s %12s %8s\n", "model", "variant", "cycles/image",
	       "ratio", "DRAM B/image", "ratio", "host img/s", "ratio");
	for (int a = 1; !ret && a < argc; a++) {
		struct npu_graph *g = NULL;
		struct npu_value in = { 0 };
		struct result base, r;
		const char *name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];

		ret = quantize(argv[a], &g);
		if (!ret && (ret = load_images(g, &in)))
			fail("images", ret);
		for (size_t v = 0; !ret && v < sizeof(variants) / sizeof(variants[0]); v++) {
			ret = run_variant(g, dev, &variants[v], &in, &r);
			if (ret)
				break;
			if (!v)
				base = r;
			printf("%-14s %-9s %14.0f %7.2fx %14.0f %7.2fx %12.1f %7.2fx\n", name,
			       variants[v].name, r.cycles, r.cycles / base.cycles, r.dram,
			       r.dram / base.dram, r.ips, r.ips / base.ips);
		}
		npu_value_free(&in);
		npu_graph_free(g);
	}
	npu_device_close(dev);
	return ret ? 1 : 0;
}
