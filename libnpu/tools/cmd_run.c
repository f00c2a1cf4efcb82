// SPDX-License-Identifier: MIT
/*
 * npu run MODEL --input FILE [--output OUT.npy] [--backend cpu|sim|drm|
 * drm:PATH] [--firmware IMAGE] [--quiet]: one inference on an input
 * tensor (.npy or ONNX TensorProto .pb), the top-5 classes of a
 * classifier's output, the float output written as .npy.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu/error.h"
#include "tool.h"

static void usage(void)
{
	fprintf(stderr, "usage: npu run MODEL --input FILE [--output OUT.npy]\n"
			"         [--backend cpu|sim|drm|drm:PATH] [--firmware IMAGE] [--quiet]\n"
			"  MODEL is .onnx, or a compiled .npub on an NPU backend; FILE is .npy or\n"
			"  an ONNX TensorProto (.pb)\n");
}

/*
 * The top 5 of a classifier's scores ([K] or [1, K]): as they are when
 * they already are probabilities, else their softmax.
 */
static void print_top5(const struct npu_value *v)
{
	const size_t k = npu_value_numel(v);
	const float *s = v->data;
	double *p = malloc(k * sizeof(*p));
	double sum = 0.0, max = -INFINITY;
	int probs = 1;
	size_t shown[5];

	if (!p) {
		fprintf(stderr, "npu: out of memory\n");
		return;
	}
	for (size_t i = 0; i < k; i++) {
		probs &= s[i] >= 0.0f && s[i] <= 1.0f;
		sum += s[i];
		max = fmax(max, s[i]);
	}
	probs &= fabs(sum - 1.0) < 1e-3;
	for (size_t i = 0; i < k; i++)
		p[i] = probs ? s[i] : exp(s[i] - max);
	if (!probs) {
		sum = 0.0;
		for (size_t i = 0; i < k; i++)
			sum += p[i];
		for (size_t i = 0; i < k; i++)
			p[i] /= sum;
	}
	printf("top-5 of %zu classes (%s):\n", k,
	       probs ? "the output is probabilities already" : "softmax of the output");
	for (size_t n = 0; n < 5 && n < k; n++) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < k; i++) {
			int taken = 0;

			for (size_t j = 0; j < n; j++)
				taken |= shown[j] == i;
			if (!taken && (best == SIZE_MAX || p[i] > p[best]))
				best = i;
		}
		shown[n] = best;
		printf("  class %-5zu %.4f  (output %g)\n", best, p[best], (double)s[best]);
	}
	free(p);
}

int cmd_run(int argc, char **argv)
{
	struct tool_model_opts o = { .backend = "cpu" };
	const char *input = NULL, *output = NULL;
	struct npu_value in = { 0 }, out = { 0 };
	struct tool_model m = { 0 };
	const struct npu_tensor *t;
	int rc = 1, ret;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int st = tool_parse_model_option(argc, argv, &i, &o);

		if (st == TOOL_OPT_OTHER) {
			st = TOOL_OPT_TAKEN;
			if (!strcmp(a, "--input")) {
				input = argv[++i];
			} else if (!strcmp(a, "--output")) {
				output = argv[++i];
			} else {
				fprintf(stderr, "npu: run: unexpected argument '%s'\n", a);
				st = TOOL_OPT_BAD;
			}
		}
		if (st != TOOL_OPT_TAKEN) {
			usage();
			return st == TOOL_OPT_HELP ? 0 : 2;
		}
	}
	if (!o.model || !input) {
		usage();
		return 2;
	}
	if (tool_load_input(input, &in) || tool_model_open(&m, o.model, o.backend, o.firmware) ||
	    tool_check_io(&m))
		goto out;
	t = npu_graph_input(tool_model_graph(&m), 0);
	if (tool_check_input(t, &in, input, m.npu) || tool_model_fix_shape(&m, &in) ||
	    tool_model_prepare(&m, NULL))
		goto out;
	if (m.compiled && !o.quiet)
		tool_print_placement(stdout, m.compiled);
	ret = tool_model_run(&m, &in, &out);
	if (ret) {
		tool_error("the run failed", ret);
		goto out;
	}
	printf("output '%s': %s ", npu_tensor_name(npu_graph_output(tool_model_graph(&m), 0)),
	       npu_dtype_name(out.dtype));
	tool_print_dims(stdout, out.rank, out.dims);
	printf(", backend %s, %s kernels\n", o.backend, tool_model_kernels(&m));
	if (out.dtype == NPU_DTYPE_FLOAT32 && npu_value_numel(&out) >= 2 &&
	    (out.rank == 1 || (out.rank == 2 && out.dims[0] == 1)))
		print_top5(&out);
	if (output) {
		ret = npu_value_save_npy(&out, output);
		if (ret) {
			tool_error("cannot write the output", ret);
			goto out;
		}
		printf("wrote %s\n", output);
	}
	rc = 0;
out:
	npu_value_free(&out);
	tool_model_close(&m);
	npu_value_free(&in);
	return rc;
}
