// SPDX-License-Identifier: MIT
/*
 * npu compile MODEL.onnx -o MODEL.npub [--backend sim|drm|drm:PATH]
 * [--firmware IMAGE] [--batch B] [--input-shape DIMS] [--quiet]: compile a quantized model on
 * the device (its reported SRAM, MAC array and operations decide the
 * placement and tiling) and save it; the placement report and the
 * file's size on stdout.  The file appears only when all went well.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "npu/error.h"
#include "tool.h"

static void usage(void)
{
	fprintf(stderr, "usage: npu compile MODEL.onnx -o MODEL.npub [--backend sim|drm|drm:PATH]\n"
			"         [--firmware IMAGE] [--batch B] [--input-shape 1,C,H,W] [--quiet]\n"
			"  --input-shape fixes an input of symbolic shape (one image: the batch dim 1)\n");
}

int cmd_compile(int argc, char **argv)
{
	struct tool_model_opts o = { .backend = "sim" };
	const char *out = NULL;
	struct npu_compile_options copts;
	struct tool_model m = { 0 };
	struct npu_value shape = { 0 };
	struct stat st;
	size_t batch = 0;
	int rc = 1, ret;
	char *tmp;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int st = tool_parse_model_option(argc, argv, &i, &o);

		if (st == TOOL_OPT_OTHER) {
			st = TOOL_OPT_TAKEN;
			if (!strcmp(a, "-o")) {
				out = argv[++i];
			} else if (!strcmp(a, "--input-shape")) {
				st = tool_parse_shape(a, argv[++i], &shape);
			} else if (!strcmp(a, "--batch")) {
				st = tool_parse_count(a, argv[++i], &batch);
			} else {
				fprintf(stderr, "npu: compile: unexpected argument '%s'\n", a);
				st = TOOL_OPT_BAD;
			}
		}
		if (st != TOOL_OPT_TAKEN) {
			usage();
			return st == TOOL_OPT_HELP ? 0 : 2;
		}
	}
	if (!o.model || !out) {
		usage();
		return 2;
	}
	if (!strcmp(o.backend, "cpu")) {
		fprintf(stderr, "npu: compile: the device compiles for itself: use --backend sim "
			"or drm\n");
		return 2;
	}
	if (tool_is_npub(o.model)) {
		fprintf(stderr, "npu: %s is compiled already; compile takes an ONNX model\n",
			o.model);
		return 2;
	}
	if (strlen(out) < 5 || strcmp(out + strlen(out) - 5, ".npub")) {
		fprintf(stderr, "npu: -o %s: a compiled model is written as .npub\n", out);
		return 2;
	}
	if (tool_model_open(&m, o.model, o.backend, o.firmware))
		goto out;
	if (shape.rank && (tool_check_input(npu_graph_input(m.graph, 0), &shape, "--input-shape", 0) ||
			   tool_model_fix_shape(&m, &shape)))
		goto out;
	for (size_t i = 0; i < npu_graph_num_inputs(m.graph); i++) {
		if (npu_tensor_rank(npu_graph_input(m.graph, i)) < 0) {
			fprintf(stderr, "npu: %s: input '%s' has no static shape: give it with "
				"--input-shape\n", o.model,
				npu_tensor_name(npu_graph_input(m.graph, i)));
			goto out;
		}
	}
	npu_compile_options_default(&copts);
	if (batch)
		copts.batch = (uint32_t)batch;
	if (tool_model_prepare(&m, &copts))
		goto out;
	if (!o.quiet)
		tool_print_placement(stdout, m.compiled);
	tmp = tool_tmp_beside(out);
	if (!tmp)
		goto out;
	ret = npu_compiled_save(m.compiled, tmp);
	if (ret)
		tool_error("cannot save the compiled model", ret);
	if (tool_commit(tmp, out, !ret) || stat(out, &st))
		goto out;
	printf("wrote %s: %lld bytes, %zu operations in %zu NPU segments, batch %u\n", out,
	       (long long)st.st_size, npu_compiled_num_ops(m.compiled),
	       npu_compiled_num_segments(m.compiled), copts.batch);
	rc = 0;
out:
	tool_model_close(&m);
	return rc;
}
