// SPDX-License-Identifier: MIT
/*
 * .npy output: the exact bytes numpy writes for a small array, values
 * of every supported type and rank read back unchanged, and failures
 * that leave the destination untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "npu/dataset.h"
#include "npu/error.h"

/* A file name of this process's own; each test removes its files. */
static const char *tmp_path(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "/tmp/npu-test-npy-%d-%s", (int)getpid(), name);
	return path;
}

/* The whole file, NUL-terminated; *size its length. */
static char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 16);

	if (!f || !buf)
		abort();
	*size = fread(buf, 1, (1 << 16) - 1, f);
	buf[*size] = '\0';
	fclose(f);
	return buf;
}

/* numpy.save(np.arange(10, dtype='<f4').reshape(1, 10)) writes this header. */
TEST(npy_header_is_numpys)
{
	static const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 10), }";
	const int64_t dims[] = { 1, 10 };
	struct npu_value v;
	const char *path = tmp_path("header.npy");
	size_t size;
	char *buf;

	CHECK_EQ(npu_value_alloc(&v, NPU_DTYPE_FLOAT32, 2, dims), 0);
	for (int i = 0; i < 10; i++)
		((float *)v.data)[i] = (float)i;
	CHECK_EQ(npu_value_save_npy(&v, path), 0);
	npu_value_free(&v);
	buf = slurp(path, &size);
	CHECK(size == 128 + 40);
	CHECK(!memcmp(buf, "\x93NUMPY\x01\x00\x76\x00", 10));
	CHECK(!memcmp(buf + 10, dict, sizeof(dict) - 1));
	for (size_t i = 10 + sizeof(dict) - 1; i < 127; i++)
		CHECK_MSG(buf[i] == ' ', "byte %zu of the header is 0x%02x, not padding", i,
			  (unsigned char)buf[i]);
	CHECK(buf[127] == '\n');
	CHECK(((float *)(void *)(buf + 128))[9] == 9.0f);
	free(buf);
	unlink(path);
}

TEST(npy_shapes_of_rank_0_and_1)
{
	struct npu_value v;
	const char *path = tmp_path("ranks.npy");
	size_t size;
	char *buf;

	CHECK_EQ(npu_value_alloc(&v, NPU_DTYPE_INT8, 1, (const int64_t[]){ 7 }), 0);
	CHECK_EQ(npu_value_save_npy(&v, path), 0);
	npu_value_free(&v);
	buf = slurp(path, &size);
	CHECK(strstr(buf + 10, "'descr': '|i1'") && strstr(buf + 10, "'shape': (7,), }"));
	CHECK(size == 128 + 7);
	free(buf);

	CHECK_EQ(npu_value_alloc(&v, NPU_DTYPE_INT32, 0, NULL), 0);
	CHECK_EQ(npu_value_save_npy(&v, path), 0);
	npu_value_free(&v);
	buf = slurp(path, &size);
	CHECK(strstr(buf + 10, "'shape': (), }"));
	CHECK(size == 128 + 4);
	free(buf);
	unlink(path);
}

/* Every type the reader takes, ranks 1 to 4, through npu_dataset_load_value. */
TEST(npy_round_trip)
{
	static const enum npu_dtype types[] = {
		NPU_DTYPE_FLOAT32, NPU_DTYPE_UINT8, NPU_DTYPE_INT8, NPU_DTYPE_INT32,
		NPU_DTYPE_INT64,
	};
	const char *path = tmp_path("round.npy");

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (int rank = 1; rank <= 4; rank++) {
			int64_t dims[4];
			struct npu_value v, back;
			size_t bytes;

			for (int d = 0; d < rank; d++)
				dims[d] = harness_rand_range(1, 5);
			CHECK_EQ(npu_value_alloc(&v, types[t], rank, dims), 0);
			bytes = npu_value_numel(&v) * npu_dtype_size(types[t]);
			for (size_t i = 0; i < bytes; i++)
				((uint8_t *)v.data)[i] = (uint8_t)harness_rand();
			CHECK_EQ(npu_value_save_npy(&v, path), 0);
			CHECK_EQ(npu_dataset_load_value(path, &back), 0);
			CHECK_MSG(back.dtype == v.dtype && back.rank == v.rank &&
				  !memcmp(back.dims, v.dims, (size_t)rank * sizeof(*dims)) &&
				  !memcmp(back.data, v.data, bytes),
				  "%s rank %d: read back differently", npu_dtype_name(types[t]),
				  rank);
			npu_value_free(&v);
			npu_value_free(&back);
		}
	}
	unlink(path);
}

TEST(npy_failures_write_nothing)
{
	char path[128];
	struct npu_value v, old;
	struct stat st;
	FILE *f;

	/* An existing file stays as it was when the new value cannot be written. */
	snprintf(path, sizeof(path), "%s", tmp_path("keep.npy"));
	f = fopen(path, "wb");
	CHECK(f && fputs("old", f) >= 0 && !fclose(f));
	CHECK_EQ(npu_value_alloc(&v, NPU_DTYPE_FLOAT32, 1, (const int64_t[]){ 3 }), 0);
	v.dtype = NPU_DTYPE_UNDEFINED;
	CHECK_EQ(npu_value_save_npy(&v, path), NPU_E_UNSUPPORTED);
	v.dtype = NPU_DTYPE_FLOAT32;
	v.dims[0] = -1;
	CHECK_EQ(npu_value_save_npy(&v, path), NPU_E_INVALID);
	v.dims[0] = 3;
	CHECK(stat(path, &st) == 0 && st.st_size == 3);
	CHECK_EQ(npu_value_save_npy(&v, "/nonexistent-dir/x.npy"), NPU_E_IO);
	CHECK(strstr(npu_last_error(), "/nonexistent-dir/x.npy"));
	CHECK_EQ(npu_value_save_npy(NULL, path), NPU_E_INVALID);
	npu_value_free(&v);
	/* A file that is not an array is refused, with the value left empty. */
	CHECK(npu_dataset_load_value(path, &old) < 0);
	CHECK(old.data == NULL);
	CHECK_EQ(npu_dataset_load_value(tmp_path("missing.npy"), &old), NPU_E_IO);
	unlink(path);
}
