// SPDX-License-Identifier: MIT
/*
 * npu quantize FLOAT.onnx -o OUT.onnx --calib IMAGES [options]: post-
 * training quantization to a QDQ ONNX model, with a progress bar.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "npu/error.h"
#include "npu/quant.h"
#include "tool.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: npu quantize FLOAT.onnx -o OUT.onnx --calib IMAGES [--calib-count N]\n"
		"         [--method minmax|ema|percentile|entropy|mse] [--percentile P]\n"
		"         [--per-channel|--per-tensor] [--symmetric|--asymmetric]\n"
		"         [--dtype int8|uint8] [--pow2] [--cle] [--bias-correction]\n"
		"         [--mean M] [--std S]\n");
}

/* A bar on stderr when it is a terminal, one line per stage otherwise. */
static int draw_progress(void *ctx, const char *stage, size_t done, size_t total)
{
	const int tty = *(const int *)ctx;
	const int width = 40, filled = (int)(done * (size_t)width / total);

	if (!tty) {
		if (done == total)
			fprintf(stderr, "%s: %zu images\n", stage, total);
		return 0;
	}
	fprintf(stderr, "\r%-16s [%.*s%*s] %zu/%zu", stage, filled,
		"########################################", width - filled, "", done, total);
	if (done == total)
		fputc('\n', stderr);
	return 0;
}

int cmd_quantize(int argc, char **argv)
{
	struct npu_quant_options o;
	const char *model = NULL, *out = NULL, *calib = NULL;
	struct npu_dataset *ds = NULL;
	struct npu_graph *g = NULL;
	size_t count = 0;
	int tty = isatty(2), ret, rc = 1;

	npu_quant_options_default(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage();
			return 0;
		} else if (!strcmp(a, "--per-channel")) {
			o.per_channel = 1;
		} else if (!strcmp(a, "--per-tensor")) {
			o.per_channel = 0;
		} else if (!strcmp(a, "--symmetric")) {
			o.symmetric = 1;
		} else if (!strcmp(a, "--asymmetric")) {
			o.symmetric = 0;
		} else if (!strcmp(a, "--pow2")) {
			o.pow2 = 1;
		} else if (!strcmp(a, "--cle")) {
			o.cle = 1;
		} else if (!strcmp(a, "--bias-correction")) {
			o.bias_correction = 1;
		} else if (a[0] == '-' && a[1] && !v) {
			fprintf(stderr, "npu: %s needs a value\n", a);
			bad = 1;
		} else if (!strcmp(a, "-o")) {
			out = argv[++i];
		} else if (!strcmp(a, "--calib")) {
			calib = argv[++i];
		} else if (!strcmp(a, "--calib-count")) {
			bad = tool_parse_count(a, argv[++i], &count);
		} else if (!strcmp(a, "--method")) {
			int m = npu_calib_method_parse(argv[++i]);

			if (m < 0)
				fprintf(stderr, "npu: unknown method '%s'\n", argv[i]);
			bad = m < 0;
			o.method = m < 0 ? o.method : (enum npu_calib_method)m;
		} else if (!strcmp(a, "--percentile")) {
			bad = tool_parse_float(a, argv[++i], &o.percentile);
		} else if (!strcmp(a, "--dtype")) {
			i++;
			bad = strcmp(v, "int8") && strcmp(v, "uint8");
			if (bad)
				fprintf(stderr, "npu: --dtype: int8 or uint8, not '%s'\n", v);
			o.act_dtype = !strcmp(v, "uint8") ? NPU_DTYPE_UINT8 : NPU_DTYPE_INT8;
		} else if (!strcmp(a, "--mean")) {
			bad = tool_parse_float(a, argv[++i], &o.norm.mean);
		} else if (!strcmp(a, "--std")) {
			bad = tool_parse_float(a, argv[++i], &o.norm.std);
		} else if (a[0] != '-' && !model) {
			model = a;
		} else {
			fprintf(stderr, "npu: quantize: unexpected argument '%s'\n", a);
			bad = 1;
		}
		if (bad) {
			usage();
			return 2;
		}
	}
	if (!model || !out || !calib) {
		usage();
		return 2;
	}
	if (tool_load_model(model, &g) || tool_load_dataset(calib, &ds))
		goto out;
	if (count > npu_dataset_count(ds)) {
		fprintf(stderr, "npu: --calib-count %zu: %s has only %zu images\n", count, calib,
			npu_dataset_count(ds));
		goto out;
	}
	ret = npu_quantize_graph(g, ds, count, &o, draw_progress, &tty);
	if (ret) {
		tool_error("quantization failed", ret);
		goto out;
	}
	ret = npu_graph_save_onnx(g, out);
	if (ret) {
		tool_error("cannot write the model", ret);
		goto out;
	}
	fprintf(stderr, "wrote %s (%s, %s weights, %s %s activations%s%s%s)\n", out,
		npu_calib_method_name(o.method), o.per_channel ? "per-channel" : "per-tensor",
		o.symmetric ? "symmetric" : "asymmetric", npu_dtype_name(o.act_dtype),
		o.pow2 ? ", pow2 scales" : "", o.cle ? ", CLE" : "",
		o.bias_correction ? ", bias correction" : "");
	rc = 0;
out:
	npu_dataset_free(ds);
	npu_graph_free(g);
	return rc;
}
