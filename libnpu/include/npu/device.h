/* SPDX-License-Identifier: MIT */
/*
 * npu/device.h - an NPU device: open, query, buffers, jobs.
 *
 * Backends: "sim" runs the device core in-process with the real
 * firmware image, booted and driven exactly as the kernel driver does.
 * All functions return 0 or a negative enum npu_status (npu/error.h).
 */
#ifndef NPU_DEVICE_H
#define NPU_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "npu_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

struct npu_device;
struct npu_bo;

/* What the device reports about itself. */
struct npu_device_info {
	const char *backend;		/* "sim" or "drm" */
	uint32_t hw_version;		/* NPU_REG_HW_VERSION */
	uint32_t fw_version;		/* image version answered by the handshake */
	uint32_t fw_api_version;
	uint32_t mac_rows, mac_cols;
	uint32_t sram_size;		/* bytes */
	uint32_t clock_mhz;
	uint32_t dram_bw_mbps;
	uint32_t contexts;
	uint32_t ops;			/* NPU_CAP_OP_* */
};

/* Options of the sim backend; zero fields take the device defaults. */
struct npu_sim_options {
	uint32_t mac_rows, mac_cols;
	uint32_t sram_size;
	uint32_t clock_mhz;
	uint32_t dram_bw_mbps;
	uint32_t watchdog_insns;
	size_t memory_size;		/* emulated DRAM bytes, default 64 MiB */
	const char *firmware;		/* image path; NULL: $NPU_FIRMWARE */
	/*
	 * Hand the image to the device without libnpu's own checks, so the
	 * device's boot ROM judges it (for testing the boot ROM).
	 */
	int unchecked_firmware;
};

/*
 * Open by name: "sim" (default options, firmware from $NPU_FIRMWARE),
 * "drm" (the first /dev/accel/accel* driven by the npu driver) or
 * "drm:/dev/accel/accelN".
 */
int npu_device_open(const char *backend, struct npu_device **out);
int npu_device_open_sim(const struct npu_sim_options *opts, struct npu_device **out);
void npu_device_close(struct npu_device *dev);
int npu_device_query(struct npu_device *dev, struct npu_device_info *info);

/* Buffer objects: host-visible memory mapped into the device's address space. */
#define NPU_BO_DEVICE_READONLY	(1u << 0)	/* the device may not write it */

int npu_bo_create(struct npu_device *dev, size_t size, uint32_t flags, struct npu_bo **out);
void npu_bo_destroy(struct npu_bo *bo);
void *npu_bo_map(const struct npu_bo *bo);
uint32_t npu_bo_va(const struct npu_bo *bo);	/* device virtual address */
size_t npu_bo_size(const struct npu_bo *bo);

/* A job: run `size` bytes of command stream at `offset` in `cmd`. */
struct npu_job {
	const struct npu_bo *cmd;
	uint32_t offset;
	uint32_t size;
};

/* What a finished job reports. */
struct npu_job_result {
	uint32_t status;		/* enum npu_err */
	uint32_t fault_offset;		/* byte offset of the failing command */
	uint32_t fault_addr;		/* VA of an MMU/DMA fault */
	uint64_t counters[NPU_PERF_JOBS];	/* enum npu_perf_counter */
};

/* Queue a job; `*id` identifies it for npu_job_wait. */
int npu_job_submit(struct npu_device *dev, const struct npu_job *job, uint64_t *id);

/*
 * Wait up to `timeout_ms` for job `id`.  Returns 0 when it completed
 * without error, NPU_E_JOB when the device reported an error (see
 * result->status), NPU_E_TIMEOUT, or NPU_E_DEVICE when the device
 * stopped (firmware crash, hang) and must be reopened.
 */
int npu_job_wait(struct npu_device *dev, uint64_t id, uint32_t timeout_ms,
		 struct npu_job_result *result);

/* Submit and wait in one call. */
int npu_job_run(struct npu_device *dev, const struct npu_job *job, uint32_t timeout_ms,
		struct npu_job_result *result);

/* Message for an enum npu_err job status. */
const char *npu_job_status_str(uint32_t status);

/* Name of an enum npu_perf_counter, e.g. "mac_cycles". */
const char *npu_counter_name(unsigned int counter);

#ifdef __cplusplus
}
#endif

#endif /* NPU_DEVICE_H */
