// SPDX-License-Identifier: MIT
/* Helpers shared by the npu tool's subcommands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "npu/error.h"
#include "tool.h"

int tool_error(const char *what, int status)
{
	fprintf(stderr, "npu: %s: %s: %s\n", what, npu_strerror(status), npu_last_error());
	return 1;
}

int tool_load_model(const char *path, struct npu_graph **graph)
{
	int ret = npu_graph_load_onnx(path, graph);

	return ret ? tool_error("cannot load the model", ret) : 0;
}

int tool_load_dataset(const char *path, struct npu_dataset **ds)
{
	int ret = npu_dataset_open(path, ds);

	return ret ? tool_error("cannot read the data set", ret) : 0;
}

int tool_parse_float(const char *opt, const char *text, float *value)
{
	char *end;

	errno = 0;
	*value = strtof(text, &end);
	if (errno || end == text || *end) {
		fprintf(stderr, "npu: %s: '%s' is not a number\n", opt, text);
		return 1;
	}
	return 0;
}

int tool_parse_count(const char *opt, const char *text, size_t *value)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || !v) {
		fprintf(stderr, "npu: %s: '%s' is not a positive count\n", opt, text);
		return 1;
	}
	*value = (size_t)v;
	return 0;
}
