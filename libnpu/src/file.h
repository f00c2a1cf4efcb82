/* SPDX-License-Identifier: MIT */
/* file.h - writing a file whole or not at all. */
#ifndef NPU_FILE_H
#define NPU_FILE_H

#include <stddef.h>

struct npu_file_part {
	const void *data;
	size_t size;
};

/*
 * Write the parts, in order, to a temporary file beside `path` and
 * rename it over `path`: a failure (NPU_E_IO, NPU_E_NOMEM) leaves
 * `path` as it was.  The file gets mode 0644, as any other output.
 */
int npu_write_file(const char *path, const struct npu_file_part *parts, size_t n);

#endif /* NPU_FILE_H */
