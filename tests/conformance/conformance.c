// SPDX-License-Identifier: MIT
/*
 * ONNX conformance: runs the node tests of Debian's libonnx-testdata for
 * the operators libnpu imports, through the public API only, and prints
 * one line per test (pass, fail with the error, or skip with the
 * reason), then "N passed, N failed" and "N skipped".
 *
 *   conformance [NODE_TEST_DIR]    (default $NPU_ONNX_TESTDATA, else
 *                                   /usr/share/libonnx-testdata/data/node)
 *
 * Float outputs pass within ONNX's backend-test tolerance
 * (|got - want| <= 1e-7 + 1e-3 * |want|).  int8/uint8 outputs of a
 * quantized operator (QLinearConv, QLinearMatMul, QuantizeLinear) may
 * differ by 1 LSB: ours requantize in the NPU's fixed point, ONNX's
 * reference in float; every other output must be exact.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu/error.h"
#include "npu/graph.h"

#define DEFAULT_DIR	"/usr/share/libonnx-testdata/data/node"
#define RTOL		1e-3
#define ATOL		1e-7

/*
 * The tests in scope: "test_" + one of these + end or '_'.  Names are
 * the operators' lowercase ONNX names, plus the suite's other spellings
 * for the same operators (basic_conv*, batchnorm, *_pad).  Tests named
 * *_expanded are out of scope: they run the operator's function body,
 * which is made of other operators (Exp, ReduceSum, ...).
 */
static const char *const scope[] = {
	"conv", "basic_conv", "convinteger", "basic_convinteger", "qlinearconv", "gemm",
	"matmul", "matmulinteger", "qlinearmatmul", "relu", "clip", "leakyrelu", "sigmoid",
	"tanh", "hardswish", "maxpool", "averagepool", "globalaveragepool", "add", "mul",
	"concat", "flatten", "reshape", "transpose", "pad", "constant_pad", "edge_pad",
	"reflect_pad", "softmax", "batchnorm", "constant", "cast", "identity",
	"quantizelinear", "dequantizelinear",
};

static int in_scope(const char *name)
{
	const size_t len = strlen(name);

	if (strncmp(name, "test_", 5) || (len > 9 && !strcmp(name + len - 9, "_expanded")))
		return 0;
	for (size_t i = 0; i < sizeof(scope) / sizeof(scope[0]); i++) {
		const size_t n = strlen(scope[i]);

		if (!strncmp(name + 5, scope[i], n) && (name[5 + n] == '\0' || name[5 + n] == '_'))
			return 1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir starting with `prefix`; NULL-terminated, malloc'ed. */
static char **list_dir(const char *dir, const char *prefix, size_t *count)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	struct dirent *e;
	size_t n = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		char **grown;

		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		grown = realloc(names, (n + 2) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (names) {
		qsort(names, n, sizeof(*names), cmp_names);
		names[n] = NULL;
	}
	*count = n;
	return names;
}

static void free_list(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* Does the graph contain an operator whose int8/uint8 output may be 1 LSB off? */
static int has_quantized_op(const struct npu_graph *g)
{
	for (size_t i = 0; i < npu_graph_num_nodes(g); i++) {
		enum npu_node_op op = npu_node_op(npu_graph_node(g, i));

		if (op == NPU_NODE_QLINEAR_CONV || op == NPU_NODE_QLINEAR_MATMUL ||
		    op == NPU_NODE_QUANTIZE_LINEAR)
			return 1;
	}
	return 0;
}

struct verdict {
	int failed;
	int floats;		/* some output was float */
	double max_err;		/* float: largest |got - want| */
	long long max_lsb;	/* integers: largest difference */
	size_t off_by_one;
	char why[256];
};

static double get(const struct npu_value *v, size_t i)
{
	switch (v->dtype) {
	case NPU_DTYPE_FLOAT32:
		return ((const float *)v->data)[i];
	case NPU_DTYPE_UINT8:
	case NPU_DTYPE_BOOL:
		return ((const uint8_t *)v->data)[i];
	case NPU_DTYPE_INT8:
		return ((const int8_t *)v->data)[i];
	case NPU_DTYPE_INT32:
		return ((const int32_t *)v->data)[i];
	default:
		return (double)((const int64_t *)v->data)[i];
	}
}

static void compare(const struct npu_value *got, const struct npu_value *want, int lsb_ok,
		    size_t index, struct verdict *v)
{
	const size_t count = npu_value_numel(want);
	int same = got->rank == want->rank && got->dtype == want->dtype;

	for (int d = 0; same && d < want->rank; d++)
		same = got->dims[d] == want->dims[d];
	if (!same) {
		v->failed = 1;
		snprintf(v->why, sizeof(v->why), "output %zu: type or shape differs", index);
		return;
	}
	for (size_t i = 0; i < count; i++) {
		const double g = get(got, i), w = get(want, i);

		if (want->dtype == NPU_DTYPE_FLOAT32) {
			const double err = fabs(g - w);

			v->floats = 1;
			if (isnan(g) && isnan(w))
				continue;
			if (err > v->max_err || isnan(err))
				v->max_err = isnan(err) ? INFINITY : err;
			if (!(err <= ATOL + RTOL * fabs(w)))
				v->failed = 1;
		} else {
			const long long diff = llabs((long long)g - (long long)w);
			const int q8 = want->dtype == NPU_DTYPE_INT8 || want->dtype == NPU_DTYPE_UINT8;

			if (diff > v->max_lsb)
				v->max_lsb = diff;
			if (diff == 1)
				v->off_by_one++;
			if (diff > (lsb_ok && q8 ? 1 : 0))
				v->failed = 1;
		}
	}
	if (v->failed && !v->why[0])
		snprintf(v->why, sizeof(v->why), "output %zu: max abs error %g (%lld LSB)", index,
			 v->max_err, v->max_lsb);
}

/* Run one test_data_set directory; fills v. */
static void run_set(struct npu_graph *g, const char *set_dir, struct verdict *v)
{
	const size_t n_in = npu_graph_num_inputs(g), n_out = npu_graph_num_outputs(g);
	struct npu_value *in = calloc(n_in + 1, sizeof(*in));
	struct npu_value *out = calloc(n_out + 1, sizeof(*out));
	char path[4096 + 64];	/* set_dir is at most 4095 bytes */
	int ret = 0;

	if (!in || !out) {
		v->failed = 1;
		snprintf(v->why, sizeof(v->why), "out of memory");
		goto done;
	}
	for (size_t i = 0; !ret && i < n_in; i++) {
		snprintf(path, sizeof(path), "%s/input_%zu.pb", set_dir, i);
		ret = npu_value_load_onnx(path, &in[i]);
	}
	if (!ret)
		ret = npu_graph_run_reference(g, in, out, NULL, NULL);
	if (ret) {
		v->failed = 1;
		snprintf(v->why, sizeof(v->why), "%s: %s", npu_strerror(ret), npu_last_error());
		goto done;
	}
	for (size_t i = 0; i < n_out; i++) {
		struct npu_value want;

		snprintf(path, sizeof(path), "%s/output_%zu.pb", set_dir, i);
		ret = npu_value_load_onnx(path, &want);
		if (ret) {
			v->failed = 1;
			snprintf(v->why, sizeof(v->why), "expected output %zu: %s", i,
				 npu_last_error());
			break;
		}
		compare(&out[i], &want, has_quantized_op(g), i, v);
		npu_value_free(&want);
	}
done:
	for (size_t i = 0; in && i < n_in; i++)
		npu_value_free(&in[i]);
	for (size_t i = 0; out && i < n_out; i++)
		npu_value_free(&out[i]);
	free(in);
	free(out);
}

enum result { PASS, FAIL, SKIP };

static enum result run_test(const char *dir, const char *name)
{
	struct verdict v = { 0 };
	struct npu_graph *g;
	char path[4096];
	char **sets;
	size_t n_sets;
	int ret;

	snprintf(path, sizeof(path), "%s/%s/model.onnx", dir, name);
	ret = npu_graph_load_onnx(path, &g);
	if (ret == NPU_E_UNSUPPORTED) {
		printf("%-56s skip  %s\n", name, npu_last_error());
		return SKIP;
	}
	if (ret) {
		printf("%-56s FAIL  load: %s: %s\n", name, npu_strerror(ret), npu_last_error());
		return FAIL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	sets = list_dir(path, "test_data_set_", &n_sets);
	if (!n_sets) {
		v.failed = 1;
		snprintf(v.why, sizeof(v.why), "no test_data_set directory");
	}
	for (size_t i = 0; i < n_sets && !v.failed; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", dir, name, sets[i]);
		run_set(g, path, &v);
	}
	free_list(sets, n_sets);
	npu_graph_free(g);
	if (v.failed) {
		printf("%-56s FAIL  %s\n", name, v.why);
		return FAIL;
	}
	if (v.max_lsb)
		printf("%-56s pass  %lld LSB max (%zu values off by 1)\n", name, v.max_lsb,
		       v.off_by_one);
	else if (v.floats)
		printf("%-56s pass  max abs error %g\n", name, v.max_err);
	else
		printf("%-56s pass  exact\n", name);
	return PASS;
}

int main(int argc, char **argv)
{
	const char *env = getenv("NPU_ONNX_TESTDATA");
	const char *dir = argc > 1 ? argv[1] : env && *env ? env : DEFAULT_DIR;
	size_t count, counts[3] = { 0 }, out_of_scope = 0;
	char **names = list_dir(dir, "test_", &count);

	if (!count) {
		fprintf(stderr, "conformance: no node tests in %s (package libonnx-testdata)\n",
			dir);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("ONNX node tests in %s\n", dir);
	printf("%-56s %-5s %s\n", "test", "result", "detail");
	for (size_t i = 0; i < count; i++) {
		if (!in_scope(names[i])) {
			out_of_scope++;
			continue;
		}
		counts[run_test(dir, names[i])]++;
	}
	free_list(names, count);
	printf("%zu node tests of other operators or *_expanded not run\n", out_of_scope);
	printf("%zu skipped\n", counts[SKIP]);
	printf("%zu passed, %zu failed\n", counts[PASS], counts[FAIL]);
	return counts[FAIL] ? 1 : 0;
}
