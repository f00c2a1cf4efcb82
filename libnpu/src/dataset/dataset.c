// SPDX-License-Identifier: MIT
/*
 * Data sets: IDX and .npy arrays read whole into memory (through zlib,
 * whose gzread() reads plain files unchanged, so gzip is detected by
 * content), then served item by item as float32 images or int64 labels.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "diag.h"
#include "graph/graph_priv.h"
#include "npu/dataset.h"
#include "npu/error.h"

/* Data sets larger than this are not calibration or test sets. */
#define NPU_DATASET_MAX_BYTES	(1ull << 31)

struct npu_dataset {
	enum npu_dtype dtype;
	size_t count;			/* items */
	size_t item_numel;		/* elements per item */
	int item_rank;
	int64_t item_dims[NPU_MAX_RANK];
	uint8_t *data;			/* count * item_numel elements, native order */
};

/* The whole (decompressed) file. */
static int read_all(const char *path, uint8_t **data, size_t *size)
{
	gzFile f = gzopen(path, "rb");
	size_t len = 0, cap = 1 << 16;
	uint8_t *buf;

	*data = NULL;
	if (!f)
		return npu_fail(NPU_E_IO, "%s: %s", path, strerror(errno ? errno : ENOENT));
	buf = malloc(cap);
	while (buf) {
		int n = gzread(f, buf + len, (unsigned)(cap - len));

		if (n < 0) {
			int err;

			free(buf);
			npu_fail(NPU_E_FORMAT, "%s: %s", path, gzerror(f, &err));
			gzclose(f);
			return NPU_E_FORMAT;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			uint8_t *grown = cap * 2 > NPU_DATASET_MAX_BYTES ? NULL : realloc(buf, cap * 2);

			if (!grown) {
				free(buf);
				gzclose(f);
				return npu_fail(NPU_E_UNSUPPORTED, "%s: larger than 2 GiB", path);
			}
			buf = grown;
			cap *= 2;
		}
	}
	gzclose(f);
	if (!buf)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	*data = buf;
	*size = len;
	return 0;
}

/* Shape checks common to both formats; fills count, item shape and numel. */
static int set_shape(struct npu_dataset *ds, const char *path, int rank, const int64_t *dims)
{
	size_t numel;

	if (rank < 1 || rank > NPU_MAX_RANK)
		return npu_fail(NPU_E_UNSUPPORTED, "%s: rank %d (1 to %d)", path, rank,
				NPU_MAX_RANK);
	if (npu_shape_numel(rank - 1, dims + 1, &numel) || numel == 0 || dims[0] <= 0)
		return npu_fail(NPU_E_FORMAT, "%s: empty or oversized shape", path);
	ds->count = (size_t)dims[0];
	ds->item_rank = rank - 1;
	memcpy(ds->item_dims, dims + 1, (size_t)(rank - 1) * sizeof(*dims));
	ds->item_numel = numel;
	return 0;
}

/* Copy `count` elements of `elem` bytes, byte-swapping big-endian ones. */
static void copy_elems(uint8_t *dst, const uint8_t *src, size_t count, size_t elem, int swap)
{
	for (size_t i = 0; i < count; i++)
		for (size_t b = 0; b < elem; b++)
			dst[i * elem + b] = src[i * elem + (swap ? elem - 1 - b : b)];
}

/* Take the payload after a header: exactly the elements the shape says. */
static int take_payload(struct npu_dataset *ds, const char *path, const uint8_t *payload,
			size_t avail, int big_endian)
{
	const size_t elem = npu_dtype_size(ds->dtype);
	const size_t total = ds->count * ds->item_numel;
	const int one = 1;
	const int host_big = !*(const char *)&one;

	if (ds->count > NPU_DATASET_MAX_BYTES / ds->item_numel / elem || avail < total * elem)
		return npu_fail(NPU_E_FORMAT, "%s: truncated: %zu bytes of data for %zu items",
				path, avail, ds->count);
	if (avail > total * elem)
		return npu_fail(NPU_E_FORMAT, "%s: %zu bytes of data after the last item", path,
				avail - total * elem);
	ds->data = malloc(total * elem);
	if (!ds->data)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	copy_elems(ds->data, payload, total, elem, elem > 1 && big_endian != host_big);
	return 0;
}

/* IDX: 0, 0, type, rank, then rank big-endian uint32 dims, then the data. */
static int parse_idx(struct npu_dataset *ds, const char *path, const uint8_t *buf, size_t size)
{
	int64_t dims[NPU_MAX_RANK];
	int rank, ret;

	if (size < 4 || buf[0] || buf[1])
		return npu_fail(NPU_E_FORMAT, "%s: neither an IDX nor a .npy file (bad magic)",
				path);
	switch (buf[2]) {
	case 0x08: ds->dtype = NPU_DTYPE_UINT8; break;
	case 0x09: ds->dtype = NPU_DTYPE_INT8; break;
	case 0x0c: ds->dtype = NPU_DTYPE_INT32; break;
	case 0x0d: ds->dtype = NPU_DTYPE_FLOAT32; break;
	default:
		return npu_fail(NPU_E_UNSUPPORTED, "%s: IDX element type 0x%02x", path, buf[2]);
	}
	rank = buf[3];
	if (rank < 1 || rank > NPU_MAX_RANK)
		return npu_fail(NPU_E_UNSUPPORTED, "%s: IDX rank %d", path, rank);
	if (size < 4 + 4 * (size_t)rank)
		return npu_fail(NPU_E_FORMAT, "%s: truncated IDX header", path);
	for (int d = 0; d < rank; d++) {
		const uint8_t *p = buf + 4 + 4 * d;

		dims[d] = (int64_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	}
	ret = set_shape(ds, path, rank, dims);
	if (!ret)
		ret = take_payload(ds, path, buf + 4 + 4 * rank, size - 4 - 4 * (size_t)rank, 1);
	return ret;
}

/* The value text after 'key': in a .npy header dict, or NULL. */
static const char *npy_field(const char *header, const char *key)
{
	const char *p = strstr(header, key);

	if (!p)
		return NULL;
	p = strchr(p + strlen(key), ':');
	if (!p)
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	return p;
}

static int parse_npy_header(struct npu_dataset *ds, const char *path, const char *h,
			    int *big_endian)
{
	static const struct { const char *descr; enum npu_dtype dtype; } types[] = {
		{ "u1'", NPU_DTYPE_UINT8 }, { "i1'", NPU_DTYPE_INT8 }, { "i4'", NPU_DTYPE_INT32 },
		{ "i8'", NPU_DTYPE_INT64 }, { "f4'", NPU_DTYPE_FLOAT32 },
	};
	const char *descr = npy_field(h, "'descr'");
	const char *order = npy_field(h, "'fortran_order'");
	const char *shape = npy_field(h, "'shape'");
	int64_t dims[NPU_MAX_RANK];
	int rank = 0;

	if (!descr || !order || !shape || descr[0] != '\'' || shape[0] != '(')
		return npu_fail(NPU_E_FORMAT, "%s: malformed .npy header", path);
	ds->dtype = NPU_DTYPE_UNDEFINED;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strchr("<>|", descr[1]) && !strncmp(descr + 2, types[i].descr, 3))
			ds->dtype = types[i].dtype;
	if (ds->dtype == NPU_DTYPE_UNDEFINED)
		return npu_fail(NPU_E_UNSUPPORTED, "%s: .npy element type %.6s", path, descr);
	*big_endian = descr[1] == '>';
	if (strncmp(order, "False", 5))
		return npu_fail(NPU_E_UNSUPPORTED, "%s: Fortran-order .npy array", path);
	for (const char *p = shape + 1; *p != ')'; ) {
		char *end;
		long long v;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')')
			break;
		v = strtoll(p, &end, 10);
		if (end == p || v < 0 || rank == NPU_MAX_RANK)
			return npu_fail(NPU_E_FORMAT, "%s: malformed .npy shape", path);
		dims[rank++] = v;
		p = end;
	}
	return set_shape(ds, path, rank, dims);
}

/* .npy: magic, version, header length, a Python dict literal, then the data. */
static int parse_npy(struct npu_dataset *ds, const char *path, const uint8_t *buf, size_t size)
{
	size_t hlen, at;
	char *header;
	int big_endian = 0, ret;

	if (size < 10 || buf[6] < 1 || buf[6] > 3)
		return npu_fail(NPU_E_FORMAT, "%s: truncated or unknown .npy version", path);
	if (buf[6] == 1) {
		hlen = buf[8] | (size_t)buf[9] << 8;
		at = 10;
	} else {
		if (size < 12)
			return npu_fail(NPU_E_FORMAT, "%s: truncated .npy header", path);
		hlen = buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
		at = 12;
	}
	if (hlen > size - at)
		return npu_fail(NPU_E_FORMAT, "%s: truncated .npy header", path);
	header = malloc(hlen + 1);
	if (!header)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	memcpy(header, buf + at, hlen);
	header[hlen] = '\0';
	ret = parse_npy_header(ds, path, header, &big_endian);
	free(header);
	if (!ret)
		ret = take_payload(ds, path, buf + at + hlen, size - at - hlen, big_endian);
	return ret;
}

int npu_dataset_open(const char *path, struct npu_dataset **out)
{
	struct npu_dataset *ds;
	uint8_t *buf;
	size_t size = 0;
	int ret;

	if (!path || !out)
		return npu_fail(NPU_E_INVALID, "dataset: NULL argument");
	*out = NULL;
	ret = read_all(path, &buf, &size);
	if (ret)
		return ret;
	ds = calloc(1, sizeof(*ds));
	if (!ds) {
		free(buf);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	if (size >= 6 && !memcmp(buf, "\x93NUMPY", 6))
		ret = parse_npy(ds, path, buf, size);
	else
		ret = parse_idx(ds, path, buf, size);
	free(buf);
	if (ret) {
		npu_dataset_free(ds);
		return ret;
	}
	*out = ds;
	return 0;
}

void npu_dataset_free(struct npu_dataset *ds)
{
	if (!ds)
		return;
	free(ds->data);
	free(ds);
}

size_t npu_dataset_count(const struct npu_dataset *ds)
{
	return ds->count;
}

enum npu_dtype npu_dataset_dtype(const struct npu_dataset *ds)
{
	return ds->dtype;
}

int npu_dataset_item_rank(const struct npu_dataset *ds)
{
	return ds->item_rank;
}

const int64_t *npu_dataset_item_dims(const struct npu_dataset *ds)
{
	return ds->item_dims;
}

/* Element i of the whole array as a double. */
static double element(const struct npu_dataset *ds, size_t i)
{
	struct npu_value v = { .dtype = ds->dtype, .rank = 1, .data = ds->data };

	return npu_ref_get_f(&v, i);
}

int npu_dataset_image(const struct npu_dataset *ds, size_t index,
		      const struct npu_normalize *norm, float *out)
{
	const double div = ds->dtype == NPU_DTYPE_UINT8 ? 255.0 : 1.0;
	const size_t at = index * ds->item_numel;

	if (!out || !norm || index >= ds->count || !(norm->std > 0.0f))
		return npu_fail(NPU_E_INVALID, "dataset: item %zu of %zu, or a bad std", index,
				ds->count);
	for (size_t i = 0; i < ds->item_numel; i++)
		out[i] = (float)((element(ds, at + i) / div - norm->mean) / norm->std);
	return 0;
}

int npu_dataset_input(const struct npu_dataset *ds, size_t index,
		      const struct npu_normalize *norm, const struct npu_tensor *input,
		      struct npu_value *value)
{
	int64_t dims[NPU_MAX_RANK];
	int rank = 0, ret;

	if (!ds || !input || !value)
		return npu_fail(NPU_E_INVALID, "dataset: NULL argument");
	if (npu_tensor_rank(input) >= 1 && npu_tensor_dims(input)[0] >= 1 &&
	    npu_tensor_numel(input) / (size_t)npu_tensor_dims(input)[0] == ds->item_numel) {
		/* The input's shape, as a batch of one (a model compiled for batches has N > 1). */
		rank = npu_tensor_rank(input);
		memcpy(dims, npu_tensor_dims(input), (size_t)rank * sizeof(*dims));
		dims[0] = 1;
	} else if (npu_tensor_rank(input) < 0 && ds->item_rank + 2 <= NPU_MAX_RANK) {
		dims[rank++] = 1;
		if (ds->item_rank == 2)
			dims[rank++] = 1;
		memcpy(dims + rank, ds->item_dims, (size_t)ds->item_rank * sizeof(*dims));
		rank += ds->item_rank;
	} else {
		return npu_fail(NPU_E_INVALID, "input '%s' holds %zu elements, a data set item %zu",
				npu_tensor_name(input), npu_tensor_numel(input), ds->item_numel);
	}
	ret = npu_value_alloc(value, NPU_DTYPE_FLOAT32, rank, dims);
	if (!ret)
		ret = npu_dataset_image(ds, index, norm, value->data);
	if (ret)
		npu_value_free(value);
	return ret;
}

int npu_dataset_label(const struct npu_dataset *ds, size_t index, int64_t *label)
{
	if (!label || index >= ds->count)
		return npu_fail(NPU_E_INVALID, "dataset: label %zu of %zu", index, ds->count);
	if (ds->item_rank != 0 || ds->dtype == NPU_DTYPE_FLOAT32)
		return npu_fail(NPU_E_INVALID, "dataset: labels must be a 1-D integer array");
	*label = (int64_t)element(ds, index);
	return 0;
}

int npu_dataset_load_value(const char *path, struct npu_value *value)
{
	struct npu_dataset *ds;
	int ret;

	if (!value)
		return npu_fail(NPU_E_INVALID, "dataset: NULL argument");
	memset(value, 0, sizeof(*value));
	ret = npu_dataset_open(path, &ds);
	if (ret)
		return ret;
	value->dtype = ds->dtype;
	value->rank = ds->item_rank + 1;
	value->dims[0] = (int64_t)ds->count;
	memcpy(value->dims + 1, ds->item_dims, (size_t)ds->item_rank * sizeof(*ds->item_dims));
	/* The array moves into the value: npu_value_free() frees it like any other. */
	value->data = ds->data;
	ds->data = NULL;
	npu_dataset_free(ds);
	return 0;
}
