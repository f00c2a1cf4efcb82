// SPDX-License-Identifier: MIT
/* The backend-independent half of npu/device.h. */
#include <string.h>

#include "device_priv.h"
#include "diag.h"
#include "npu/error.h"

/* drm.c: the device file at `path`, or the first npu one when NULL. */
int npu_device_open_drm(const char *path, struct npu_device **out);

int npu_device_open(const char *backend, struct npu_device **out)
{
	if (!out)
		return NPU_E_INVALID;
	*out = NULL;
	if (!backend || !strcmp(backend, "sim"))
		return npu_device_open_sim(NULL, out);
	if (!strcmp(backend, "drm"))
		return npu_device_open_drm(NULL, out);
	if (!strncmp(backend, "drm:", 4) && backend[4])
		return npu_device_open_drm(backend + 4, out);
	return npu_fail(NPU_E_INVALID, "unknown backend '%s' (sim, drm or drm:PATH)", backend);
}

void npu_device_close(struct npu_device *dev)
{
	if (dev)
		dev->ops->close(dev);
}

int npu_device_query(struct npu_device *dev, struct npu_device_info *info)
{
	if (!dev || !info)
		return NPU_E_INVALID;
	*info = dev->info;
	return 0;
}

int npu_bo_create(struct npu_device *dev, size_t size, uint32_t flags, struct npu_bo **out)
{
	if (!out)
		return NPU_E_INVALID;
	*out = NULL;
	if (!dev || !size || (flags & ~NPU_BO_DEVICE_READONLY))
		return npu_fail(NPU_E_INVALID, "bad buffer size or flags");
	return dev->ops->bo_create(dev, size, flags, out);
}

void npu_bo_destroy(struct npu_bo *bo)
{
	if (bo)
		bo->dev->ops->bo_destroy(bo);
}

void *npu_bo_map(const struct npu_bo *bo)
{
	return bo->map;
}

uint32_t npu_bo_va(const struct npu_bo *bo)
{
	return bo->va;
}

size_t npu_bo_size(const struct npu_bo *bo)
{
	return bo->size;
}

int npu_job_submit(struct npu_device *dev, const struct npu_job *job, uint64_t *id)
{
	if (!dev || !job || !job->cmd || !id || job->cmd->dev != dev)
		return NPU_E_INVALID;
	if ((job->offset & 3) || (job->size & 3) || job->offset > job->cmd->size ||
	    job->size > job->cmd->size - job->offset)
		return npu_fail(NPU_E_INVALID, "command range outside its buffer or unaligned");
	return dev->ops->submit(dev, job, id);
}

int npu_job_wait(struct npu_device *dev, uint64_t id, uint32_t timeout_ms,
		 struct npu_job_result *result)
{
	if (!dev || !result)
		return NPU_E_INVALID;
	return dev->ops->wait(dev, id, timeout_ms, result);
}

int npu_job_run(struct npu_device *dev, const struct npu_job *job, uint32_t timeout_ms,
		struct npu_job_result *result)
{
	uint64_t id;
	int ret = npu_job_submit(dev, job, &id);

	return ret ? ret : npu_job_wait(dev, id, timeout_ms, result);
}

const char *npu_job_status_str(uint32_t status)
{
	static const char *const names[NPU_ERR_COUNT] = {
		[NPU_OK] = "ok",
		[NPU_ERR_OPCODE] = "unknown opcode",
		[NPU_ERR_LENGTH] = "command length wrong or truncated",
		[NPU_ERR_FIELD] = "command field out of range",
		[NPU_ERR_SRAM_RANGE] = "operand outside the SRAM",
		[NPU_ERR_OVERFLOW] = "extent overflows 32 bits",
		[NPU_ERR_MMU] = "MMU fault",
		[NPU_ERR_DMA] = "DMA bus error",
		[NPU_ERR_HAZARD] = "unsynchronised SRAM hazard between engines",
		[NPU_ERR_DESC] = "malformed job descriptor",
		[NPU_ERR_CONTEXT] = "job context not enabled",
		[NPU_ERR_FW] = "firmware internal error",
	};

	return status < NPU_ERR_COUNT ? names[status] : "unknown job status";
}

const char *npu_counter_name(unsigned int counter)
{
	static const char *const names[NPU_PERF_COUNT] = {
		[NPU_PERF_CYCLES] = "cycles",
		[NPU_PERF_MAC_CYCLES] = "mac_cycles",
		[NPU_PERF_DMA_CYCLES] = "dma_cycles",
		[NPU_PERF_PPU_CYCLES] = "ppu_cycles",
		[NPU_PERF_STALL_CYCLES] = "stall_cycles",
		[NPU_PERF_MACS] = "macs",
		[NPU_PERF_DMA_RD_BYTES] = "dma_read_bytes",
		[NPU_PERF_DMA_WR_BYTES] = "dma_write_bytes",
		[NPU_PERF_COMMANDS] = "commands",
		[NPU_PERF_JOBS] = "jobs",
		[NPU_PERF_JOB_FAULTS] = "job_faults",
	};

	return counter < NPU_PERF_COUNT ? names[counter] : "unknown";
}
