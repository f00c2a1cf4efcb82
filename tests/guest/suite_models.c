// SPDX-License-Identifier: MIT
/*
 * models: the reference Fashion-MNIST models, quantized on the host at
 * build time (tests/tests.mk), compiled for the device through the
 * driver and for an in-process sim device with the same parameters and
 * firmware, and run on test images in batches: the logits must be
 * byte-identical to the int8 CPU path's (npu_int8_model_run) on both.
 * Then two processes running lenet and mobilenet on the driver at the
 * same time, and a compiled model saved here and loaded in another
 * process (npu_compiled_save/load).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"
#include "npu/compiler.h"
#include "npu/dataset.h"
#include "npu/int8.h"

/* Where build-initramfs.sh -d puts them (tests/guest/guest.mk). */
#define MD_DIR		"/models"
#define MD_IMAGES	"/data/fashion-mnist/t10k-images-idx3-ubyte.gz"
#define MD_SIDE		28
#define MD_PIXELS	(MD_SIDE * MD_SIDE)
#define MD_BATCH	8	/* images per npu_model_run() */
#define MD_BATCHES	4
/* How long the two concurrent processes both keep running. */
#define MD_TOGETHER_MS	10000u
#define MD_NPUB		"/tmp/models-lenet.npub"

static const struct {
	const char *name, *file;
} md_models[] = {
	{ "lenet", "lenet.q.onnx" },
	{ "mobilenet", "mobilenet.q.onnx" },
	{ "resnet", "resnet.q.onnx" },
	{ "mobilenet_bn", "mobilenet_bn.q.onnx" },
	{ "lenet_qat", "lenet_qat.onnx" },	/* quantization-aware trained: QDQ already */
};

/* The test images, read once; forked children share them. */
static struct npu_dataset *md_images;

/* A model with its sample: input batches and the int8 CPU path's outputs. */
struct md_case {
	struct npu_graph *graph;
	struct npu_int8_model *cpu;
	struct npu_value in[MD_BATCHES], want[MD_BATCHES];
	int64_t cpu_ns;
};

static void md_close(struct md_case *mc)
{
	for (int b = 0; b < MD_BATCHES; b++) {
		npu_value_free(&mc->in[b]);
		npu_value_free(&mc->want[b]);
	}
	npu_int8_model_free(mc->cpu);
	npu_graph_free(mc->graph);
	memset(mc, 0, sizeof(*mc));
}

/* Load the model with a static batch of MD_BATCH; images from `first` on. */
static const char *md_open_case(struct md_case *mc, const char *file, size_t first)
{
	static const int64_t dims[4] = { MD_BATCH, 1, MD_SIDE, MD_SIDE };
	const struct npu_normalize norm = NPU_NORMALIZE_DEFAULT;	/* the models take x / 255 */
	char path[128];
	int64_t t0;
	int ret, b;

	memset(mc, 0, sizeof(*mc));
	snprintf(path, sizeof(path), "%s/%s", MD_DIR, file);
	ret = npu_graph_load_onnx(path, &mc->graph);
	GT_CHECK(!ret, "load %s: %s: %s", path, npu_strerror(ret), npu_last_error());
	GT_CHECK(npu_graph_is_quantized(mc->graph), "%s is not quantized", path);
	GT_CHECK(npu_graph_num_inputs(mc->graph) == 1 && npu_graph_num_outputs(mc->graph) == 1,
		 "%s: not one input and one output", path);
	ret = npu_tensor_set_shape(npu_graph_input(mc->graph, 0), 4, dims);
	if (!ret)
		ret = npu_graph_infer_shapes(mc->graph);
	if (!ret)
		ret = npu_int8_model_create(mc->graph, &mc->cpu);
	GT_CHECK(!ret, "%s for batch %d: %s: %s", path, MD_BATCH, npu_strerror(ret),
		 npu_last_error());
	for (b = 0; b < MD_BATCHES; b++) {
		ret = npu_value_alloc(&mc->in[b], NPU_DTYPE_FLOAT32, 4, dims);
		for (int i = 0; !ret && i < MD_BATCH; i++)
			ret = npu_dataset_image(md_images, first + (size_t)(b * MD_BATCH + i), &norm,
						(float *)mc->in[b].data + i * MD_PIXELS);
		GT_CHECK(!ret, "images: %s: %s", npu_strerror(ret), npu_last_error());
		t0 = gt_now_ns();
		ret = npu_int8_model_run(mc->cpu, &mc->in[b], &mc->want[b]);
		mc->cpu_ns += gt_now_ns() - t0;
		GT_CHECK(!ret, "%s on the CPU: %s: %s", file, npu_strerror(ret), npu_last_error());
		GT_CHECK(mc->want[b].dtype == NPU_DTYPE_FLOAT32, "%s: the output is %s, not float32",
			 file, npu_dtype_name(mc->want[b].dtype));
	}
	return NULL;
}

/* Run every batch through a compiled model; each output must equal the CPU's. */
static const char *md_run(const struct md_case *mc, struct npu_compiled_model *cm,
			  struct npu_device *dev, const char *where, int64_t *ns)
{
	for (int b = 0; b < MD_BATCHES; b++) {
		struct npu_value got = { 0 };
		int64_t t0 = gt_now_ns();
		int ret = npu_model_run(cm, dev, &mc->in[b], &got);
		long diff;
		size_t bytes = npu_value_numel(&mc->want[b]) * sizeof(float);

		*ns += gt_now_ns() - t0;
		GT_CHECK(!ret, "%s, batch %d: %s: %s", where, b, npu_strerror(ret), npu_last_error());
		if (got.dtype != NPU_DTYPE_FLOAT32 || npu_value_numel(&got) * sizeof(float) != bytes) {
			npu_value_free(&got);
			return gt_reason("%s, batch %d: the output's type or size differs from the "
					 "CPU's", where, b);
		}
		diff = gt_first_diff(got.data, mc->want[b].data, bytes);
		npu_value_free(&got);
		GT_CHECK(diff < 0, "%s, batch %d: output byte %ld of %zu differs from the CPU's",
			 where, b, diff, bytes);
	}
	return NULL;
}

/* Compile for dev; the model must place something on the NPU. */
static const char *md_compile(const struct md_case *mc, struct npu_device *dev,
			      const char *where, struct npu_compiled_model **cm)
{
	struct npu_compile_options o;
	int ret;

	npu_compile_options_default(&o);
	o.batch = MD_BATCH;
	ret = npu_compile(mc->graph, dev, &o, cm);
	GT_CHECK(!ret, "compile on %s: %s: %s", where, npu_strerror(ret), npu_last_error());
	if (!npu_compiled_num_segments(*cm)) {
		npu_compiled_model_free(*cm);
		*cm = NULL;
		return gt_reason("compile on %s: nothing placed on the NPU", where);
	}
	return NULL;
}

static const char *md_on_device(const struct md_case *mc, struct npu_device *dev,
				const char *where, int64_t *ns, size_t *segments)
{
	struct npu_compiled_model *cm = NULL;
	const char *reason = md_compile(mc, dev, where, &cm);

	if (reason)
		return reason;
	*segments = npu_compiled_num_segments(cm);
	reason = md_run(mc, cm, dev, where, ns);
	npu_compiled_model_free(cm);
	return reason;
}

/* drm, then a sim device with the drm device's parameters and the same firmware. */
static const char *md_model(const char *name, const char *file)
{
	struct npu_sim_options so = { .firmware = GT_FW_PATH };
	struct npu_device *drm = NULL, *sim = NULL;
	struct npu_device_info info;
	int64_t drm_ns = 0, sim_ns = 0;
	const double images = MD_BATCH * MD_BATCHES;
	const char *reason;
	struct md_case mc;
	size_t segments = 0;
	int ret;

	reason = md_open_case(&mc, file, 0);
	if (!reason) {
		ret = npu_device_open("drm", &drm);
		if (!ret)
			ret = npu_device_query(drm, &info);
		if (ret)
			reason = gt_reason("open drm: %s: %s", npu_strerror(ret), npu_last_error());
	}
	if (!reason)
		reason = md_on_device(&mc, drm, "drm", &drm_ns, &segments);
	if (!reason) {
		so.mac_rows = info.mac_rows;
		so.mac_cols = info.mac_cols;
		so.sram_size = info.sram_size;
		so.clock_mhz = info.clock_mhz;
		so.dram_bw_mbps = info.dram_bw_mbps;
		ret = npu_device_open_sim(&so, &sim);
		if (ret)
			reason = gt_reason("open sim: %s: %s", npu_strerror(ret), npu_last_error());
	}
	if (!reason)
		reason = md_on_device(&mc, sim, "sim", &sim_ns, &segments);
	if (!reason)
		gt_info("models: %s: %.0f images, %zu NPU segments; ms per image: drm %.1f, "
			"sim %.1f, cpu %.1f", name, images, segments, (double)drm_ns / 1e6 / images,
			(double)sim_ns / 1e6 / images, (double)mc.cpu_ns / 1e6 / images);
	npu_device_close(sim);
	npu_device_close(drm);
	md_close(&mc);
	return reason;
}

/* Both concurrent processes run until then (CLOCK_MONOTONIC is system-wide). */
static uint64_t md_together_until;

static const char *md_together_child(int index)
{
	const char *name = md_models[index].name;	/* lenet, mobilenet */
	struct npu_compiled_model *cm = NULL;
	struct npu_device *dev = NULL;
	const char *reason;
	struct md_case mc;
	int64_t ns = 0;
	uint64_t first = 0;
	unsigned int rounds = 0;
	int ret;

	/* Different images in each process. */
	reason = md_open_case(&mc, md_models[index].file, (size_t)index * MD_BATCH * MD_BATCHES);
	if (!reason) {
		ret = npu_device_open("drm", &dev);
		if (ret)
			reason = gt_reason("open drm: %s: %s", npu_strerror(ret), npu_last_error());
	}
	if (!reason)
		reason = md_compile(&mc, dev, "drm", &cm);
	if (!reason) {
		first = gt_now_ms();
		if (first >= md_together_until)
			reason = gt_reason("%s: setup outlasted the %u ms the two processes share",
					   name, MD_TOGETHER_MS);
	}
	while (!reason && (gt_now_ms() < md_together_until || rounds < 2)) {
		reason = md_run(&mc, cm, dev, name, &ns);
		rounds++;
	}
	if (!reason)
		gt_info("models: %s: %u rounds of %d images in %llu ms beside the other process",
			name, rounds, MD_BATCH * MD_BATCHES,
			(unsigned long long)(gt_now_ms() - first));
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	md_close(&mc);
	return reason;
}

static void md_together(void)
{
	static const char *const names[] = { "models.together-lenet", "models.together-mobilenet" };

	md_together_until = gt_now_ms() + MD_TOGETHER_MS;
	gt_procs_together("models.together", 2, md_together_child, names);
}

/* The parent's lenet case; the loading process runs its inputs. */
static struct md_case md_saved;

static const char *md_load_child(int index)
{
	struct npu_compiled_model *cm = NULL;
	struct npu_device *dev = NULL;
	const struct npu_graph *g;
	const char *reason = NULL;
	int64_t ns = 0;
	int ret;

	(void)index;
	ret = npu_device_open("drm", &dev);
	if (!ret)
		ret = npu_compiled_load(MD_NPUB, dev, &cm);
	if (ret)
		reason = gt_reason("load %s on drm: %s: %s", MD_NPUB, npu_strerror(ret),
				   npu_last_error());
	if (!reason) {
		g = npu_compiled_graph(cm);
		if (!g || npu_graph_num_inputs(g) != 1 || npu_graph_num_outputs(g) != 1)
			reason = gt_reason("the loaded model's graph has not one input and one "
					   "output");
	}
	if (!reason)
		reason = md_run(&md_saved, cm, dev, "the loaded model", &ns);
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	return reason;
}

/* Compile and save lenet here; another process loads and runs it (no ONNX there). */
static void md_save_load(void)
{
	static const char *const names[] = { "models.load-in-child" };
	struct npu_compiled_model *cm = NULL;
	struct npu_device *dev = NULL;
	const char *reason;
	int64_t ns = 0;
	int ret;

	unlink(MD_NPUB);
	reason = md_open_case(&md_saved, md_models[0].file, 0);
	if (!reason) {
		ret = npu_device_open("drm", &dev);
		if (ret)
			reason = gt_reason("open drm: %s: %s", npu_strerror(ret), npu_last_error());
	}
	if (!reason)
		reason = md_compile(&md_saved, dev, "drm", &cm);
	if (!reason)
		reason = md_run(&md_saved, cm, dev, "drm", &ns);
	if (!reason) {
		ret = npu_compiled_save(cm, MD_NPUB);
		if (ret)
			reason = gt_reason("save %s: %s: %s", MD_NPUB, npu_strerror(ret),
					   npu_last_error());
	}
	/* The loading process must not lean on anything of this one's but the file. */
	npu_compiled_model_free(cm);
	npu_device_close(dev);
	if (gt_result("models.save", reason))
		gt_procs_together("models.save-load", 1, md_load_child, names);
	md_close(&md_saved);
	unlink(MD_NPUB);
}

int suite_models(void)
{
	int ret = npu_dataset_open(MD_IMAGES, &md_images);

	if (ret) {
		gt_fail("models.images", "%s: %s", npu_strerror(ret), npu_last_error());
		return 1;
	}
	for (size_t i = 0; i < sizeof(md_models) / sizeof(md_models[0]); i++) {
		char name[48];

		snprintf(name, sizeof(name), "models.%s", md_models[i].name);
		gt_result(name, md_model(md_models[i].name, md_models[i].file));
	}
	md_together();
	md_save_load();
	npu_dataset_free(md_images);
	return 0;
}
