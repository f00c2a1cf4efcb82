// SPDX-License-Identifier: MIT
/*
 * Writing a value as a NumPy .npy file (version 1.0), the format
 * dataset.c reads back: numpy.load() opens it as the same array.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "file.h"
#include "npu/dataset.h"
#include "npu/error.h"

/* NumPy's type string, its byte order that of the host ('|' for bytes). */
static const char *npy_descr(enum npu_dtype dtype)
{
	const int one = 1;
	const int big = !*(const char *)&one;

	switch (dtype) {
	case NPU_DTYPE_FLOAT32: return big ? ">f4" : "<f4";
	case NPU_DTYPE_INT32: return big ? ">i4" : "<i4";
	case NPU_DTYPE_INT64: return big ? ">i8" : "<i8";
	case NPU_DTYPE_UINT8: return "|u1";
	case NPU_DTYPE_INT8: return "|i1";
	case NPU_DTYPE_BOOL: return "|b1";
	default: return NULL;
	}
}

/*
 * Magic, version 1.0, header length, then the dict padded with spaces
 * and a newline so the data starts on a 64-byte boundary, as numpy
 * writes it.  Returns the header's size, 0 if it does not fit `cap`.
 */
static size_t npy_header(const struct npu_value *v, const char *descr, char *buf, size_t cap)
{
	size_t len = 10, total;
	int n;

	n = snprintf(buf + len, cap - len, "{'descr': '%s', 'fortran_order': False, 'shape': (",
		     descr);
	len += (size_t)n;
	for (int d = 0; d < v->rank && len < cap; d++) {
		n = snprintf(buf + len, cap - len, "%lld,%s", (long long)v->dims[d],
			     v->rank > 1 && d + 1 < v->rank ? " " : "");
		len += (size_t)n;
	}
	/* A rank-1 shape keeps its trailing comma, "(10,)"; others drop it. */
	if (v->rank > 1)
		len--;
	if (len >= cap)
		return 0;
	n = snprintf(buf + len, cap - len, "), }");
	len += (size_t)n;
	total = (len + 1 + 63) / 64 * 64;
	if (total > cap || total - 10 > 0xffff)
		return 0;
	memset(buf + len, ' ', total - 1 - len);
	buf[total - 1] = '\n';
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (char)((total - 10) & 0xff);
	buf[9] = (char)((total - 10) >> 8);
	return total;
}

int npu_value_save_npy(const struct npu_value *value, const char *path)
{
	const char *descr = value ? npy_descr(value->dtype) : NULL;
	char header[64 * 8];
	struct npu_file_part parts[2];
	size_t hlen;

	if (!value || !path || !value->data || value->rank < 0 || value->rank > NPU_MAX_RANK)
		return npu_fail(NPU_E_INVALID, "save npy: bad argument");
	if (!descr)
		return npu_fail(NPU_E_UNSUPPORTED, "save npy: %s elements",
				npu_dtype_name(value->dtype));
	for (int d = 0; d < value->rank; d++)
		if (value->dims[d] < 0)
			return npu_fail(NPU_E_INVALID, "save npy: negative dim");
	hlen = npy_header(value, descr, header, sizeof(header));
	if (!hlen)
		return npu_fail(NPU_E_INVALID, "save npy: shape too long for a header");
	parts[0] = (struct npu_file_part){ header, hlen };
	parts[1] = (struct npu_file_part){ value->data,
					   npu_value_numel(value) * npu_dtype_size(value->dtype) };
	return npu_write_file(path, parts, 2);
}
