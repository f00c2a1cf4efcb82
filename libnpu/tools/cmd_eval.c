// SPDX-License-Identifier: MIT
/*
 * npu eval MODEL --images IMAGES --labels LABELS [--count N]
 * [--backend cpu|sim|drm|drm:PATH] [--firmware IMAGE] [--compare cpu]
 * [--batch B] [--json] [--quiet] [--mean M] [--std S]: top-1 accuracy.
 * On the cpu backend float models run on the float reference kernels,
 * quantized ones on the int8 kernels; on an NPU backend the model is
 * compiled (or a .npub loaded) and run on the device, and --compare cpu
 * runs the int8 CPU path beside it, which must give the same outputs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npu/error.h"
#include "tool.h"

static void usage(void)
{
	fprintf(stderr, "usage: npu eval MODEL --images IMAGES --labels LABELS [--count N]\n"
			"         [--backend cpu|sim|drm|drm:PATH] [--firmware IMAGE]\n"
			"         [--compare cpu] [--batch B] [--json] [--quiet] [--mean M] [--std S]\n"
			"  MODEL is .onnx, or a compiled .npub on an NPU backend\n");
}

/* Index of the largest of n floats. */
static size_t argmax(const float *d, size_t n)
{
	size_t best = 0;

	for (size_t i = 1; i < n; i++)
		if (d[i] > d[best])
			best = i;
	return best;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct eval_result {
	size_t correct;
	size_t cpu_correct;	/* --compare: top-1 of the int8 CPU path */
	size_t agree;		/* --compare: images whose top-1 class the two agree on */
	double max_diff;	/* --compare: largest |NPU - CPU| output difference */
	double run_s;		/* time inside the model runs */
};

/* Run the int8 CPU path on the images of `in` and compare with the NPU's `out`. */
static int compare_cpu(const struct npu_compiled_model *cm, const struct npu_value *in,
		       const struct npu_value *out, const struct npu_dataset *labels,
		       size_t first, struct eval_result *r)
{
	const size_t n = (size_t)in->dims[0], classes = npu_value_numel(out) / n;
	struct npu_value cpu_out = { 0 };
	int ret = npu_compiled_run_cpu(cm, in, &cpu_out);

	if (!ret && npu_value_numel(&cpu_out) != npu_value_numel(out))
		ret = NPU_E_INVALID;
	for (size_t i = 0; !ret && i < n; i++) {
		const float *npu_row = (const float *)out->data + i * classes;
		const float *c = (const float *)cpu_out.data + i * classes;
		const size_t top = argmax(c, classes);
		int64_t label;

		ret = npu_dataset_label(labels, first + i, &label);
		if (ret)
			break;
		for (size_t k = 0; k < classes; k++)
			r->max_diff = fmax(r->max_diff, fabs((double)npu_row[k] - c[k]));
		r->cpu_correct += (int64_t)top == label;
		r->agree += top == argmax(npu_row, classes);
	}
	npu_value_free(&cpu_out);
	return ret;
}

static int evaluate(struct tool_model *m, const struct npu_dataset *images,
		    const struct npu_dataset *labels, size_t count, size_t batch,
		    const struct npu_normalize *norm, int compare, struct eval_result *r)
{
	const struct npu_tensor *input = npu_graph_input(tool_model_graph(m), 0);
	int ret = 0;

	memset(r, 0, sizeof(*r));
	for (size_t first = 0; !ret && first < count; first += batch) {
		const size_t n = count - first < batch ? count - first : batch;
		struct npu_value in = { 0 }, out = { 0 };
		double t0;

		ret = tool_batch_input(images, first, n, norm, input, &in);
		t0 = now_s();
		if (!ret)
			ret = tool_model_run(m, &in, &out);
		r->run_s += now_s() - t0;
		if (!ret && (out.dtype != NPU_DTYPE_FLOAT32 || npu_value_numel(&out) % n)) {
			fprintf(stderr, "npu: the model's output is %s of %zu elements, not float32 "
				"classes for %zu images\n", npu_dtype_name(out.dtype),
				npu_value_numel(&out), n);
			ret = NPU_E_UNSUPPORTED;
		}
		for (size_t i = 0; !ret && i < n; i++) {
			const size_t classes = npu_value_numel(&out) / n;
			int64_t label;

			ret = npu_dataset_label(labels, first + i, &label);
			if (!ret)
				r->correct += (int64_t)argmax((const float *)out.data + i * classes,
							      classes) == label;
		}
		if (!ret && compare)
			ret = compare_cpu(m->compiled, &in, &out, labels, first, r);
		npu_value_free(&in);
		npu_value_free(&out);
	}
	return ret;
}

static void report(const struct eval_result *r, size_t count, const char *backend,
		   const struct tool_model *m, int compare, int json)
{
	const double top1 = 100.0 * (double)r->correct / (double)count;
	const double ips = r->run_s > 0 ? (double)count / r->run_s : 0.0;

	if (json) {
		printf("{\"top1\": %.4f, \"correct\": %zu, \"count\": %zu, \"backend\": ", top1,
		       r->correct, count);
		tool_json_string(stdout, backend);
		printf(", \"kernels\": \"%s\", \"images_per_s\": %.1f", tool_model_kernels(m), ips);
		if (compare)
			printf(", \"max_diff\": %g, \"cpu_top1\": %.4f, \"top1_agree\": %zu",
			       r->max_diff, 100.0 * (double)r->cpu_correct / (double)count,
			       r->agree);
		printf("}\n");
		return;
	}
	printf("top-1: %.2f%% (%zu of %zu), backend %s, %s kernels, %.1f images/s\n", top1,
	       r->correct, count, backend, tool_model_kernels(m), ips);
	if (compare)
		printf("cpu:   top-1 %.2f%% (%zu of %zu) on the int8 CPU path; top-1 class agrees "
		       "on %zu of %zu images; largest output difference %g\n",
		       100.0 * (double)r->cpu_correct / (double)count, r->cpu_correct, count,
		       r->agree, count, r->max_diff);
}

int cmd_eval(int argc, char **argv)
{
	struct npu_normalize norm = NPU_NORMALIZE_DEFAULT;
	struct tool_model_opts o = { .backend = "cpu" };
	const char *images_path = NULL, *labels_path = NULL, *compare = NULL;
	struct npu_dataset *images = NULL, *labels = NULL;
	struct npu_compile_options copts;
	struct tool_model m = { 0 };
	struct npu_value first = { 0 };
	struct eval_result r;
	size_t count = 0, batch = 0;
	int json = 0, rc = 1, ret;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int st;

		/* A flag: the shared options would say it needs a value when it comes last. */
		if (!strcmp(a, "--json")) {
			json = 1;
			continue;
		}
		st = tool_parse_model_option(argc, argv, &i, &o);
		if (st == TOOL_OPT_OTHER) {
			st = TOOL_OPT_TAKEN;
			if (!strcmp(a, "--images")) {
				images_path = argv[++i];
			} else if (!strcmp(a, "--labels")) {
				labels_path = argv[++i];
			} else if (!strcmp(a, "--compare")) {
				compare = argv[++i];
				st = strcmp(compare, "cpu") != 0;
				if (st)
					fprintf(stderr, "npu: --compare: only 'cpu', not '%s'\n",
						compare);
			} else if (!strcmp(a, "--count")) {
				st = tool_parse_count(a, argv[++i], &count);
			} else if (!strcmp(a, "--batch")) {
				st = tool_parse_count(a, argv[++i], &batch);
			} else if (!strcmp(a, "--mean")) {
				st = tool_parse_float(a, argv[++i], &norm.mean);
			} else if (!strcmp(a, "--std")) {
				st = tool_parse_float(a, argv[++i], &norm.std);
			} else {
				fprintf(stderr, "npu: eval: unexpected argument '%s'\n", a);
				st = TOOL_OPT_BAD;
			}
		}
		if (st != TOOL_OPT_TAKEN) {
			usage();
			return st == TOOL_OPT_HELP ? 0 : 2;
		}
	}
	if (!o.model || !images_path || !labels_path) {
		usage();
		return 2;
	}
	if (!strcmp(o.backend, "cpu") && (compare || batch)) {
		fprintf(stderr, "npu: eval: --compare and --batch need an NPU backend (sim, drm)\n");
		return 2;
	}
	if (!(norm.std > 0.0f)) {
		fprintf(stderr, "npu: --std must be positive\n");
		return 2;
	}
	if (tool_load_dataset(images_path, &images) || tool_load_dataset(labels_path, &labels))
		goto out;
	if (npu_dataset_count(images) != npu_dataset_count(labels)) {
		fprintf(stderr, "npu: %s has %zu images but %s has %zu labels\n", images_path,
			npu_dataset_count(images), labels_path, npu_dataset_count(labels));
		goto out;
	}
	if (npu_dataset_item_rank(labels) != 0) {
		fprintf(stderr, "npu: %s: labels must be a 1-D array\n", labels_path);
		goto out;
	}
	if (count > npu_dataset_count(images)) {
		fprintf(stderr, "npu: --count %zu: %s has only %zu images\n", count, images_path,
			npu_dataset_count(images));
		goto out;
	}
	if (!count)
		count = npu_dataset_count(images);
	if (tool_model_open(&m, o.model, o.backend, o.firmware) || tool_check_io(&m))
		goto out;
	/* The first image decides a symbolic input shape (a batch of one) and checks the size. */
	ret = npu_dataset_input(images, 0, &norm, npu_graph_input(tool_model_graph(&m), 0),
				&first);
	if (ret) {
		tool_error("the images do not fit the model's input", ret);
		goto out;
	}
	if (tool_model_fix_shape(&m, &first))
		goto out;
	npu_compile_options_default(&copts);
	if (batch)
		copts.batch = (uint32_t)batch;
	if (tool_model_prepare(&m, &copts))
		goto out;
	if (compare && !m.compiled) {
		fprintf(stderr, "npu: --compare cpu compares an NPU backend's outputs with the "
			"CPU's: use --backend sim or drm\n");
		goto out;
	}
	/* A .npub runs best in the batches it was compiled for. */
	if (m.compiled && !batch) {
		npu_compiled_options(m.compiled, &copts);
		batch = copts.batch;
	}
	if (m.compiled && !o.quiet)
		tool_print_placement(json ? stderr : stdout, m.compiled);
	ret = evaluate(&m, images, labels, count, batch ? batch : 1, &norm, compare != NULL,
		       &r);
	if (ret) {
		tool_error("evaluation failed", ret);
		goto out;
	}
	report(&r, count, o.backend, &m, compare != NULL, json);
	rc = 0;
out:
	npu_value_free(&first);
	tool_model_close(&m);
	npu_dataset_free(labels);
	npu_dataset_free(images);
	return rc;
}
