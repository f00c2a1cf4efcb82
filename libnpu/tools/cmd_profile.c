// SPDX-License-Identifier: MIT
/*
 * npu profile MODEL [--backend sim|drm|drm:PATH] [--firmware IMAGE]
 * [--images IMAGES [--count N] [--mean M] [--std S] | --input FILE |
 * --input-shape DIMS] [--trace OUT.json] [--quiet]: run a model on the device, one job per
 * NPU operation, and print per layer where it ran, its device cycles,
 * how busy it kept the MAC array, its DRAM traffic against the least it
 * could move, and its host time; optionally a Chrome trace-event file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npu/error.h"
#include "tool.h"

/* Images profiled when --count is not given: enough to average, quick on sim. */
#define PROFILE_DEFAULT_COUNT	4

static void usage(void)
{
	fprintf(stderr, "usage: npu profile MODEL [--backend sim|drm|drm:PATH] [--firmware IMAGE]\n"
			"         [--images IMAGES [--count N] [--mean M] [--std S] | --input FILE |\n"
			"          --input-shape 1,C,H,W] [--trace OUT.json] [--quiet]\n"
			"  without --images or --input, the model runs once on zeros (of --input-shape\n"
			"  when its input's shape is symbolic)\n");
}

/* One operation's placement and cost, its segment's when it shares one. */
struct layer {
	struct npu_op_info info;
	struct npu_op_profile prof;
	size_t first;		/* NPU: the first op of its segment, which holds the counters */
	uint64_t seg_macs;	/* NPU, first op: MACs per image of the whole segment */
	uint64_t seg_min;	/* NPU, first op: least DRAM bytes per image of the segment */
};

static int collect(const struct npu_compiled_model *cm, struct layer *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct npu_segment_info seg;
		int ret = npu_compiled_op_info(cm, i, &l[i].info);

		if (!ret)
			ret = npu_compiled_op_profile(cm, i, &l[i].prof);
		if (!ret && l[i].info.placement == NPU_PLACE_NPU) {
			ret = npu_compiled_segment_info(cm, l[i].info.segment, &seg);
			l[i].first = seg.first_op;
			l[i].seg_macs = seg.macs;
			l[i].seg_min = seg.min_dram_bytes;
		}
		if (ret)
			return ret;
	}
	return 0;
}

static uint64_t dram_bytes(const struct layer *l)
{
	return l->prof.counters[NPU_PERF_DMA_RD_BYTES] + l->prof.counters[NPU_PERF_DMA_WR_BYTES];
}

static double mac_util(const struct npu_device_info *dev, uint64_t macs, uint64_t cycles)
{
	return cycles ? 100.0 * (double)macs / ((double)cycles * dev->mac_rows * dev->mac_cols) :
			0.0;
}

/* Percent of a layer's cycles that engine counter k was busy. */
static double busy(const struct layer *x, unsigned int k)
{
	const uint64_t c = x->prof.counters[NPU_PERF_CYCLES];

	return c ? 100.0 * (double)x->prof.counters[k] / (double)c : 0.0;
}

static void print_table(const struct layer *l, size_t n, size_t images,
			const struct npu_device_info *dev, double wall_s)
{
	uint64_t cycles = 0, macs = 0, dram = 0, min = 0, host_ns = 0, ran = 0;

	for (size_t i = 0; i < n; i++)
		ran = l[i].prof.images > ran ? l[i].prof.images : ran;
	printf("per layer, totals over %zu image%s", images, images == 1 ? "" : "s");
	/* A model compiled for batches pads the last one: the device's counters cover those too. */
	if (ran > images)
		printf(" (the device ran %llu: whole batches)", (unsigned long long)ran);
	printf(" (MAC util = MACs / (cycles x %ux%u); MAC, DMA busy = cycles the engine worked "
	       "/ cycles;\nDRAM/min = DMA bytes / compulsory bytes):\n", dev->mac_rows,
	       dev->mac_cols);
	printf("%4s  %-20s %-20s %-6s %12s %8s %8s %8s %12s %12s %8s %10s\n", "#", "op", "name",
	       "where", "cycles", "MAC util", "MAC busy", "DMA busy", "DRAM bytes", "min bytes",
	       "DRAM/min", "host us");
	for (size_t i = 0; i < n; i++) {
		const struct layer *x = &l[i];
		const uint64_t c = x->prof.counters[NPU_PERF_CYCLES];
		const uint64_t want = x->seg_min * x->prof.images;

		host_ns += x->prof.host_ns;
		printf("%4zu  %-20.20s %-20.20s ", i, x->info.op,
		       *x->info.name ? x->info.name : "-");
		if (x->info.placement != NPU_PLACE_NPU) {
			printf("%-6s %12s %8s %8s %8s %12s %12s %8s", "CPU", "-", "-", "-", "-", "-",
			       "-", "-");
		} else if (x->first != i) {
			printf("%-6s %-72s", "NPU", "");
			printf("(segment %u: counted on op %zu)", x->info.segment, x->first);
		} else {
			cycles += c;
			macs += x->seg_macs * x->prof.images;
			dram += dram_bytes(x);
			min += want;
			printf("%-6s %12llu ", "NPU", (unsigned long long)c);
			/* An operation without MACs (pooling, element-wise) has no utilization. */
			if (x->seg_macs)
				printf("%7.1f%%", mac_util(dev, x->seg_macs * x->prof.images, c));
			else
				printf("%8s", "-");
			printf(" %7.1f%% %7.1f%%", busy(x, NPU_PERF_MAC_CYCLES),
			       busy(x, NPU_PERF_DMA_CYCLES));
			printf(" %12llu %12llu ", (unsigned long long)dram_bytes(x),
			       (unsigned long long)want);
			if (want)
				printf("%7.2fx", (double)dram_bytes(x) / (double)want);
			else
				printf("%8s", "-");
		}
		printf(" %10.1f\n", (double)x->prof.host_ns / 1e3);
	}
	printf("total: %llu device cycles", (unsigned long long)cycles);
	if (dev->clock_mhz)
		printf(" (%.1f us at %u MHz)", (double)cycles / dev->clock_mhz, dev->clock_mhz);
	printf(", MAC util %.1f%%, DRAM %llu bytes", mac_util(dev, macs, cycles),
	       (unsigned long long)dram);
	if (min)
		printf(" (%.2fx the minimum)", (double)dram / (double)min);
	printf(", host %.3f ms in the operations, %.3f ms wall (%.1f images/s)\n",
	       (double)host_ns / 1e6, wall_s * 1e3, wall_s > 0 ? (double)images / wall_s : 0.0);
}

/*
 * A Chrome trace (chrome://tracing, Perfetto): one complete event per
 * operation, aggregated over the images, placed one after another.
 * Host lanes carry host time; the device lane carries each NPU job's
 * device time, from its cycles at the device's clock.
 */
static void write_trace(FILE *f, const char *model, const struct layer *l, size_t n,
			size_t images, const struct npu_device_info *dev)
{
	/* Without a clock the device lane's unit is the cycle, and the events say so. */
	const double per_us = dev->clock_mhz ? (double)dev->clock_mhz : 1.0;
	const char *unit = dev->clock_mhz ? "us" : "cycles";
	double ts = 0.0;

	fprintf(f, "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n");
	fprintf(f, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 0, "
		   "\"args\": {\"name\": ");
	tool_json_string(f, model);
	fprintf(f, "}},\n");
	fprintf(f, "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, "
		   "\"args\": {\"name\": \"CPU ops (host time)\"}},\n");
	fprintf(f, "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 2, "
		   "\"args\": {\"name\": \"NPU ops (host time: job and copies)\"}},\n");
	fprintf(f, "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 3, "
		   "\"args\": {\"name\": \"NPU device (cycles at %u MHz)\"}}", dev->clock_mhz);
	for (size_t i = 0; i < n; i++) {
		const struct layer *x = &l[i];
		const int npu = x->info.placement == NPU_PLACE_NPU;
		const double host_us = (double)x->prof.host_ns / 1e3;
		const double dev_us = (double)x->prof.counters[NPU_PERF_CYCLES] / per_us;

		fprintf(f, ",\n{\"name\": ");
		tool_json_string(f, x->info.op);
		fprintf(f, ", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": 1, \"tid\": %d, "
			   "\"ts\": %.3f, \"dur\": %.3f, \"args\": {\"index\": %zu, \"node\": ",
			npu ? "npu" : "cpu", npu ? 2 : 1, ts, host_us, i);
		tool_json_string(f, x->info.name);
		fprintf(f, ", \"images\": %zu, \"reason\": ", images);
		tool_json_string(f, x->info.reason ? x->info.reason : "");
		fprintf(f, "}}");
		if (npu && x->first == i) {
			fprintf(f, ",\n{\"name\": ");
			tool_json_string(f, x->info.op);
			fprintf(f, ", \"cat\": \"device\", \"ph\": \"X\", \"pid\": 1, \"tid\": 3, "
				   "\"ts\": %.3f, \"dur\": %.3f, \"args\": {\"unit\": \"%s\", "
				   "\"segment\": %u, \"cycles\": %llu, \"macs\": %llu, "
				   "\"dram_bytes\": %llu}}", ts, dev_us, unit, x->info.segment,
				(unsigned long long)x->prof.counters[NPU_PERF_CYCLES],
				(unsigned long long)(x->seg_macs * x->prof.images),
				(unsigned long long)dram_bytes(x));
		}
		/* The next operation starts when both lanes of this one are done. */
		ts += host_us > dev_us ? host_us : dev_us;
	}
	fprintf(f, "\n]}\n");
}

static int save_trace(const char *path, const char *model, const struct layer *l, size_t n,
		      size_t images, const struct npu_device_info *dev)
{
	char *tmp = tool_tmp_beside(path);
	FILE *f;
	int ok;

	if (!tmp)
		return 1;
	f = fopen(tmp, "w");
	if (f)
		write_trace(f, model, l, n, images, dev);
	ok = f && !ferror(f);
	if (f && fclose(f))
		ok = 0;
	if (!f || !ok)
		fprintf(stderr, "npu: cannot write %s\n", path);
	return tool_commit(tmp, path, ok);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cmd_profile(int argc, char **argv)
{
	struct tool_model_opts o = { .backend = "sim" };
	const char *images_path = NULL, *input = NULL, *trace = NULL;
	struct npu_normalize norm = NPU_NORMALIZE_DEFAULT;
	struct npu_dataset *images = NULL;
	struct npu_value fixed = { 0 };	/* --input, zeros, or image 0 */
	struct npu_value shape = { 0 };
	struct npu_compile_options copts;
	struct npu_device_info dev;
	struct tool_model m = { 0 };
	const struct npu_tensor *t;
	struct layer *layers = NULL;
	size_t count = 0, n;
	int rc = 1, ret;
	double wall = 0.0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int st = tool_parse_model_option(argc, argv, &i, &o);

		if (st == TOOL_OPT_OTHER) {
			st = TOOL_OPT_TAKEN;
			if (!strcmp(a, "--images")) {
				images_path = argv[++i];
			} else if (!strcmp(a, "--input")) {
				input = argv[++i];
			} else if (!strcmp(a, "--input-shape")) {
				st = tool_parse_shape(a, argv[++i], &shape);
			} else if (!strcmp(a, "--trace")) {
				trace = argv[++i];
			} else if (!strcmp(a, "--count")) {
				st = tool_parse_count(a, argv[++i], &count);
			} else if (!strcmp(a, "--mean")) {
				st = tool_parse_float(a, argv[++i], &norm.mean);
			} else if (!strcmp(a, "--std")) {
				st = tool_parse_float(a, argv[++i], &norm.std);
			} else {
				fprintf(stderr, "npu: profile: unexpected argument '%s'\n", a);
				st = TOOL_OPT_BAD;
			}
		}
		if (st != TOOL_OPT_TAKEN) {
			usage();
			return st == TOOL_OPT_HELP ? 0 : 2;
		}
	}
	if (!o.model || !!images_path + !!input + !!shape.rank > 1 || (count && !images_path)) {
		if (o.model)
			fprintf(stderr, "npu: profile: one of --images (with --count), --input and "
				"--input-shape\n");
		usage();
		return 2;
	}
	if (!strcmp(o.backend, "cpu")) {
		fprintf(stderr, "npu: profile: the device's counters need an NPU backend "
			"(sim, drm)\n");
		return 2;
	}
	if (!(norm.std > 0.0f)) {
		fprintf(stderr, "npu: --std must be positive\n");
		return 2;
	}
	if (images_path && tool_load_dataset(images_path, &images))
		goto out;
	if (images && count > npu_dataset_count(images)) {
		fprintf(stderr, "npu: --count %zu: %s has only %zu images\n", count, images_path,
			npu_dataset_count(images));
		goto out;
	}
	count = images ? (count ? count : PROFILE_DEFAULT_COUNT) : 1;
	if (images && count > npu_dataset_count(images))
		count = npu_dataset_count(images);
	if ((input && tool_load_input(input, &fixed)) ||
	    tool_model_open(&m, o.model, o.backend, o.firmware) || tool_check_io(&m))
		goto out;
	t = npu_graph_input(tool_model_graph(&m), 0);
	if (images) {
		ret = npu_dataset_input(images, 0, &norm, t, &fixed);
		if (ret) {
			tool_error("the images do not fit the model's input", ret);
			goto out;
		}
	} else if (input) {
		if (tool_check_input(t, &fixed, input, 1))
			goto out;
	} else {
		if (shape.rank && tool_check_input(t, &shape, "--input-shape", 1))
			goto out;
		if (!shape.rank && npu_tensor_rank(t) < 0) {
			fprintf(stderr, "npu: %s: input '%s' has no static shape: give --images, "
				"--input or --input-shape\n", o.model, npu_tensor_name(t));
			goto out;
		}
		ret = npu_value_alloc(&fixed, npu_tensor_dtype(t),
				      shape.rank ? shape.rank : npu_tensor_rank(t),
				      shape.rank ? shape.dims : npu_tensor_dims(t));
		if (ret) {
			tool_error("cannot make a zero input", ret);
			goto out;
		}
	}
	if (tool_model_fix_shape(&m, &fixed))
		goto out;
	/* One job per NPU operation, so that each layer's counters are its own. */
	npu_compile_options_default(&copts);
	copts.per_op_jobs = 1;
	if (tool_model_prepare(&m, &copts))
		goto out;
	if (!o.quiet)
		tool_print_placement(stdout, m.compiled);
	npu_compiled_profile_reset(m.compiled);
	/* The images in the batches the model was compiled for (a .npub may have B > 1). */
	npu_compiled_options(m.compiled, &copts);
	ret = 0;
	for (size_t first = 0; !ret && first < count; first += copts.batch) {
		const size_t n = count - first < copts.batch ? count - first : copts.batch;
		struct npu_value in = { 0 }, out = { 0 };
		double t0;

		if (images)
			ret = tool_batch_input(images, first, n, &norm, t, &in);
		t0 = now_s();
		if (!ret)
			ret = tool_model_run(&m, images ? &in : &fixed, &out);
		wall += now_s() - t0;
		npu_value_free(&out);
		npu_value_free(&in);
	}
	if (ret) {
		tool_error("the run failed", ret);
		goto out;
	}
	n = npu_compiled_num_ops(m.compiled);
	layers = calloc(n ? n : 1, sizeof(*layers));
	if (!layers) {
		fprintf(stderr, "npu: out of memory\n");
		goto out;
	}
	ret = npu_device_query(m.dev, &dev);
	if (!ret)
		ret = collect(m.compiled, layers, n);
	if (ret) {
		tool_error("cannot read the profile", ret);
		goto out;
	}
	print_table(layers, n, count, &dev, wall);
	if (trace) {
		if (save_trace(trace, o.model, layers, n, count, &dev))
			goto out;
		printf("wrote %s\n", trace);
	}
	rc = 0;
out:
	free(layers);
	tool_model_close(&m);
	npu_value_free(&fixed);
	npu_dataset_free(images);
	return rc;
}
