/* SPDX-License-Identifier: MIT */
/* diag.h - recording the details behind an error code (npu_last_error). */
#ifndef NPU_DIAG_H
#define NPU_DIAG_H

/* Record a message for npu_last_error() and return `status`. */
int npu_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* NPU_DIAG_H */
