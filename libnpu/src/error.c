// SPDX-License-Identifier: MIT
/* Messages for libnpu's status codes. */
#include "npu/error.h"

const char *npu_strerror(int status)
{
	switch (status) {
	case 0:
		return "success";
	case NPU_E_INVALID:
		return "invalid argument";
	case NPU_E_NOMEM:
		return "out of memory";
	case NPU_E_IO:
		return "I/O error";
	case NPU_E_FORMAT:
		return "malformed file or image";
	case NPU_E_UNSUPPORTED:
		return "not supported";
	case NPU_E_COMMAND:
		return "invalid command for the device";
	case NPU_E_FIRMWARE:
		return "firmware refused, crashed or did not answer";
	case NPU_E_JOB:
		return "job completed with a device error";
	case NPU_E_TIMEOUT:
		return "timed out";
	case NPU_E_BUSY:
		return "resource busy";
	case NPU_E_DEVICE:
		return "device failed or was reset";
	case NPU_E_NOENT:
		return "no such object";
	case NPU_E_HANG:
		return "job hung; the device was reset";
	default:
		return "unknown error";
	}
}
