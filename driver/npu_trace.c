// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The npu tracepoints (npu_trace.h), created here once. */
#ifndef __CHECKER__
#define CREATE_TRACE_POINTS
#include "npu_trace.h"
#endif
