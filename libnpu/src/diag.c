// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"
#include "npu/error.h"

static _Thread_local char npu_error_message[256];

int npu_fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(npu_error_message, sizeof(npu_error_message), fmt, ap);
	va_end(ap);
	return status;
}

const char *npu_last_error(void)
{
	return npu_error_message;
}
