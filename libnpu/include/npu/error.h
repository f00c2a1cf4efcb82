/* SPDX-License-Identifier: MIT */
/*
 * npu/error.h - libnpu's one error convention.
 *
 * Every libnpu function that can fail returns 0 on success or a
 * negative enum npu_status.  npu_strerror() turns it into a message.
 */
#ifndef NPU_ERROR_H
#define NPU_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum npu_status {
	NPU_E_INVALID = -1,	/* bad argument */
	NPU_E_NOMEM = -2,	/* out of memory */
	NPU_E_IO = -3,		/* file or device I/O failed */
	NPU_E_FORMAT = -4,	/* malformed file or image */
	NPU_E_UNSUPPORTED = -5,	/* not supported by this build or device */
	NPU_E_COMMAND = -6,	/* invalid command for the device */
	NPU_E_FIRMWARE = -7,	/* firmware refused, crashed or did not answer */
	NPU_E_JOB = -8,		/* job completed with a device error */
	NPU_E_TIMEOUT = -9,	/* deadline passed */
	NPU_E_BUSY = -10,	/* resource in use or queue full */
	NPU_E_DEVICE = -11,	/* device failed or was reset */
	NPU_E_NOENT = -12,	/* no such object */
	NPU_E_HANG = -13,	/* job hung; the device was reset */
};

/* Message for an enum npu_status (or 0); never NULL. */
const char *npu_strerror(int status);

/*
 * Details of the last error a libnpu call on this thread returned
 * (e.g. which check a firmware image failed); "" when there are none.
 */
const char *npu_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* NPU_ERROR_H */
