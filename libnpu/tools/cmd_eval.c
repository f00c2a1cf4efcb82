// SPDX-License-Identifier: MIT
/*
 * npu eval MODEL.onnx --images IMAGES --labels LABELS [--count N]
 * [--backend cpu] [--json] [--mean M] [--std S]: top-1 accuracy, float
 * models on the float reference kernels, quantized ones on the int8
 * kernels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu/error.h"
#include "npu/int8.h"
#include "tool.h"

static void usage(void)
{
	fprintf(stderr, "usage: npu eval MODEL.onnx --images IMAGES --labels LABELS [--count N]\n"
			"         [--backend cpu] [--json] [--mean M] [--std S]\n");
}

/* Index of the largest element of a float output. */
static int64_t argmax(const struct npu_value *v)
{
	const float *d = v->data;
	size_t best = 0;

	for (size_t i = 1; i < npu_value_numel(v); i++)
		if (d[i] > d[best])
			best = i;
	return (int64_t)best;
}

static int evaluate(struct npu_graph *g, const struct npu_int8_model *m,
		    const struct npu_dataset *images, const struct npu_dataset *labels,
		    size_t count, const struct npu_normalize *norm, size_t *correct)
{
	struct npu_value in = { 0 }, out = { 0 };
	int ret = 0;

	*correct = 0;
	for (size_t i = 0; !ret && i < count; i++) {
		int64_t label;

		ret = npu_dataset_label(labels, i, &label);
		if (!ret)
			ret = npu_dataset_input(images, i, norm, npu_graph_input(g, 0), &in);
		if (!ret)
			ret = m ? npu_int8_model_run(m, &in, &out) :
				  npu_graph_run_reference(g, &in, &out, NULL, NULL);
		if (!ret && out.dtype != NPU_DTYPE_FLOAT32) {
			fprintf(stderr, "npu: the model's output is %s, not float32\n",
				npu_dtype_name(out.dtype));
			ret = NPU_E_UNSUPPORTED;
		}
		if (!ret)
			*correct += argmax(&out) == label;
		npu_value_free(&in);
		npu_value_free(&out);
	}
	return ret;
}

int cmd_eval(int argc, char **argv)
{
	struct npu_normalize norm = NPU_NORMALIZE_DEFAULT;
	const char *model = NULL, *images_path = NULL, *labels_path = NULL, *backend = "cpu";
	struct npu_dataset *images = NULL, *labels = NULL;
	struct npu_int8_model *m = NULL;
	struct npu_graph *g = NULL;
	size_t count = 0, correct = 0;
	int json = 0, rc = 1, ret;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int bad = 0;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage();
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (a[0] == '-' && i + 1 >= argc) {
			fprintf(stderr, "npu: %s needs a value\n", a);
			bad = 1;
		} else if (!strcmp(a, "--images")) {
			images_path = argv[++i];
		} else if (!strcmp(a, "--labels")) {
			labels_path = argv[++i];
		} else if (!strcmp(a, "--backend")) {
			backend = argv[++i];
		} else if (!strcmp(a, "--count")) {
			bad = tool_parse_count(a, argv[++i], &count);
		} else if (!strcmp(a, "--mean")) {
			bad = tool_parse_float(a, argv[++i], &norm.mean);
		} else if (!strcmp(a, "--std")) {
			bad = tool_parse_float(a, argv[++i], &norm.std);
		} else if (a[0] != '-' && !model) {
			model = a;
		} else {
			fprintf(stderr, "npu: eval: unexpected argument '%s'\n", a);
			bad = 1;
		}
		if (bad) {
			usage();
			return 2;
		}
	}
	if (!model || !images_path || !labels_path) {
		usage();
		return 2;
	}
	/* The NPU backends need the compiler (next issue); the CPU runs both kinds of model. */
	if (strcmp(backend, "cpu")) {
		fprintf(stderr, "npu: eval: backend '%s' is not available; use cpu\n", backend);
		return 2;
	}
	if (!(norm.std > 0.0f)) {
		fprintf(stderr, "npu: --std must be positive\n");
		return 2;
	}
	if (tool_load_model(model, &g) || tool_load_dataset(images_path, &images) ||
	    tool_load_dataset(labels_path, &labels))
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
	if (npu_graph_num_inputs(g) != 1 || npu_graph_num_outputs(g) != 1) {
		fprintf(stderr, "npu: %s: the model must have one input and one output\n", model);
		goto out;
	}
	if (npu_graph_is_quantized(g)) {
		struct npu_value first = { 0 };

		/* Static shapes for the integer operations: a symbolic batch becomes 1. */
		ret = npu_dataset_input(images, 0, &norm, npu_graph_input(g, 0), &first);
		if (!ret && npu_tensor_rank(npu_graph_input(g, 0)) < 0)
			ret = npu_tensor_set_shape(npu_graph_input(g, 0), first.rank, first.dims);
		npu_value_free(&first);
		if (!ret)
			ret = npu_int8_model_create(g, &m);
		if (ret) {
			tool_error("cannot lower the model to int8", ret);
			goto out;
		}
	}
	ret = evaluate(g, m, images, labels, count, &norm, &correct);
	if (ret) {
		tool_error("evaluation failed", ret);
		goto out;
	}
	if (json)
		printf("{\"top1\": %.4f, \"correct\": %zu, \"count\": %zu, \"backend\": \"%s\", "
		       "\"kernels\": \"%s\"}\n", 100.0 * (double)correct / (double)count, correct,
		       count, backend, m ? "int8" : "float");
	else
		printf("top-1: %.2f%% (%zu of %zu), backend %s, %s kernels\n",
		       100.0 * (double)correct / (double)count, correct, count, backend,
		       m ? "int8" : "float");
	rc = 0;
out:
	npu_int8_model_free(m);
	npu_dataset_free(labels);
	npu_dataset_free(images);
	npu_graph_free(g);
	return rc;
}
