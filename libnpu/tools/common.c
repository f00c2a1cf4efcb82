// SPDX-License-Identifier: MIT
/* Helpers shared by the npu tool's subcommands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int tool_load_input(const char *path, struct npu_value *value)
{
	char magic[6] = { 0 };
	FILE *f = fopen(path, "rb");
	int ret;

	if (!f) {
		fprintf(stderr, "npu: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* Told apart by content: .npy has a magic, a TensorProto none. */
	if (fread(magic, 1, sizeof(magic), f) != sizeof(magic))
		memset(magic, 0, sizeof(magic));
	fclose(f);
	if (!memcmp(magic, "\x93NUMPY", 6))
		ret = npu_dataset_load_value(path, value);
	else
		ret = npu_value_load_onnx(path, value);
	return ret ? tool_error("cannot read the input", ret) : 0;
}

void tool_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		const unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

char *tool_tmp_beside(const char *path)
{
	char *tmp = malloc(strlen(path) + sizeof(".XXXXXX"));
	int fd;

	if (!tmp) {
		fprintf(stderr, "npu: out of memory\n");
		return NULL;
	}
	sprintf(tmp, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "npu: cannot create %s: %s\n", path, strerror(errno));
		free(tmp);
		return NULL;
	}
	close(fd);
	return tmp;
}

int tool_commit(char *tmp, const char *path, int ok)
{
	/* mkstemp makes the file 0600; what the tool writes is an ordinary file. */
	if (ok && (chmod(tmp, 0644) || rename(tmp, path))) {
		fprintf(stderr, "npu: cannot write %s: %s\n", path, strerror(errno));
		ok = 0;
	}
	if (!ok)
		unlink(tmp);
	free(tmp);
	return !ok;
}

int tool_parse_shape(const char *opt, const char *text, struct npu_value *shape)
{
	const char *p = text;

	memset(shape, 0, sizeof(*shape));
	shape->dtype = NPU_DTYPE_FLOAT32;
	while (*p) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno || end == p || v <= 0 || shape->rank == NPU_MAX_RANK ||
		    (*end && *end != ',') || (*end == ',' && !end[1])) {
			fprintf(stderr, "npu: %s: '%s' is not a shape like 1,3,224,224\n", opt, text);
			return 1;
		}
		shape->dims[shape->rank++] = v;
		p = *end ? end + 1 : end;
	}
	if (!shape->rank) {
		fprintf(stderr, "npu: %s: empty shape\n", opt);
		return 1;
	}
	return 0;
}

int tool_parse_model_option(int argc, char **argv, int *i, struct tool_model_opts *o)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--help") || !strcmp(a, "-h"))
		return TOOL_OPT_HELP;
	if (!strcmp(a, "--quiet")) {
		o->quiet = 1;
		return TOOL_OPT_TAKEN;
	}
	if (a[0] == '-' && *i + 1 >= argc) {
		fprintf(stderr, "npu: %s needs a value\n", a);
		return TOOL_OPT_BAD;
	}
	if (!strcmp(a, "--backend")) {
		o->backend = argv[++*i];
		return tool_backend_valid(o->backend) ? TOOL_OPT_TAKEN : TOOL_OPT_BAD;
	}
	if (!strcmp(a, "--firmware")) {
		o->firmware = argv[++*i];
		return TOOL_OPT_TAKEN;
	}
	if (a[0] != '-' && !o->model) {
		o->model = a;
		return TOOL_OPT_TAKEN;
	}
	return TOOL_OPT_OTHER;
}

/* Images first..first+n-1 as one input of n items shaped like the model's input. */
int tool_batch_input(const struct npu_dataset *images, size_t first, size_t n,
		     const struct npu_normalize *norm, const struct npu_tensor *input,
		     struct npu_value *in)
{
	int64_t dims[NPU_MAX_RANK];
	const int rank = npu_tensor_rank(input);
	size_t item;
	int ret;

	memcpy(dims, npu_tensor_dims(input), (size_t)rank * sizeof(*dims));
	item = npu_tensor_numel(input) / (size_t)dims[0];
	dims[0] = (int64_t)n;
	ret = npu_value_alloc(in, NPU_DTYPE_FLOAT32, rank, dims);
	for (size_t i = 0; !ret && i < n; i++)
		ret = npu_dataset_image(images, first + i, norm, (float *)in->data + i * item);
	return ret;
}
