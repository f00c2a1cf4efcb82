// SPDX-License-Identifier: MIT
/*
 * jobs: command streams through libnpu's drm backend, results compared
 * with the CPU kernels; faults reported, and the device goes on after
 * them; one file cannot reach another's memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

#define OUT_BASE	(4u << 20)	/* where results land in the data BO */

static const char *jobs_dma(struct gt_dev *t)
{
	uint32_t seed = 0x1234, len = t->info.sram_size;
	long diff;
	int ret;

	if (len > OUT_BASE)
		len = OUT_BASE;
	gt_random_bytes(&seed, t->mem, len);
	memset(t->mem + OUT_BASE, 0x5a, len);
	GT_CHECK(!gt_load(t, 0, 0, len) &&
		 !npu_cs_sync(t->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)) &&
		 !gt_store(t, OUT_BASE, 0, len), "encoding refused");
	ret = gt_run(t);
	GT_CHECK(!ret, "job: %s: %s", npu_strerror(ret), npu_last_error());
	diff = gt_first_diff(t->mem + OUT_BASE, t->mem, len);
	GT_CHECK(diff < 0, "byte %ld of %u copied wrong: %#x, expected %#x", diff, len,
		 t->mem[OUT_BASE + diff], t->mem[diff]);
	GT_CHECK(t->result.counters[NPU_PERF_DMA_RD_BYTES] == len &&
		 t->result.counters[NPU_PERF_DMA_WR_BYTES] == len,
		 "DMA counters read %llu written %llu, expected %u each",
		 (unsigned long long)t->result.counters[NPU_PERF_DMA_RD_BYTES],
		 (unsigned long long)t->result.counters[NPU_PERF_DMA_WR_BYTES], len);
	GT_CHECK(t->result.counters[NPU_PERF_COMMANDS] == 3, "%llu commands counted, expected 3",
		 (unsigned long long)t->result.counters[NPU_PERF_COMMANDS]);
	return NULL;
}

static const char *jobs_conv(struct gt_dev *t, uint32_t seed)
{
	struct gt_conv cc;
	uint8_t *want;
	long diff;
	int ret;

	GT_CHECK(gt_conv_random(&seed, t->info.sram_size, t->mem, &cc, &want),
		 "the CPU kernel refused the case");
	ret = gt_conv_encode(t, &cc, 0);
	if (ret) {
		free(want);
		return gt_reason("encoding refused: %d (device code %u)", ret,
				 npu_cs_last_error(t->cs));
	}
	ret = gt_run(t);
	if (ret) {
		free(want);
		return gt_reason("job: %s: %s", npu_strerror(ret), npu_last_error());
	}
	diff = gt_first_diff(t->mem + cc.cmd.out_addr, want, cc.out_bytes);
	free(want);
	GT_CHECK(diff < 0, "conv %ux%ux%u k%ux%u g%u -> %ux%ux%u: output byte %ld differs from "
		 "the CPU kernel", cc.cmd.in_h, cc.cmd.in_w, cc.cmd.in_c, cc.cmd.kernel_h,
		 cc.cmd.kernel_w, cc.cmd.groups, cc.cmd.out_h, cc.cmd.out_w, cc.cmd.out_c, diff);
	GT_CHECK(t->result.counters[NPU_PERF_MACS] == cc.macs, "%llu MACs counted, expected %llu",
		 (unsigned long long)t->result.counters[NPU_PERF_MACS],
		 (unsigned long long)cc.macs);
	return NULL;
}

/* Many jobs queued before any is waited for: more than a ring holds. */
static const char *jobs_queue(struct gt_dev *t, uint32_t count)
{
	uint64_t *ids = calloc(count, sizeof(*ids));
	const char *reason = NULL;
	uint32_t i, seed = 99, stride = 256, slice = 4096;
	int ret;

	GT_CHECK(ids, "out of memory");
	gt_random_bytes(&seed, t->mem, (size_t)count * slice);
	memset(t->mem + OUT_BASE, 0, (size_t)count * slice);
	for (i = 0; i < count && !reason; i++) {
		struct npu_job job = { .cmd = t->cmd, .offset = i * stride };

		if (gt_load(t, 0, i * slice, slice) ||
		    npu_cs_sync(t->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)) ||
		    gt_store(t, OUT_BASE + i * slice, 0, slice)) {
			reason = "encoding refused";
			break;
		}
		job.size = gt_stage(t, i * stride);
		if (!job.size || job.size > stride) {
			reason = gt_reason("stream of %u bytes does not fit its slot", job.size);
			break;
		}
		ret = npu_job_submit(t->dev, &job, &ids[i]);
		if (ret)
			reason = gt_reason("submit #%u: %s: %s", i, npu_strerror(ret),
					   npu_last_error());
	}
	for (uint32_t k = 0; k < i; k++) {
		struct npu_job_result res;

		ret = npu_job_wait(t->dev, ids[k], GT_JOB_TIMEOUT_MS, &res);
		if (ret && !reason)
			reason = gt_reason("wait #%u: %s: %s", k, npu_strerror(ret),
					   npu_last_error());
	}
	free(ids);
	if (reason)
		return reason;
	for (i = 0; i < count; i++)
		GT_CHECK(!memcmp(t->mem + OUT_BASE + i * slice, t->mem + i * slice, slice),
			 "job %u of %u copied wrong", i, count);
	return NULL;
}

/* A DMA store into the read-only command BO faults in the MMU. */
static const char *jobs_readonly_fault(struct gt_dev *t)
{
	uint32_t target = npu_bo_va(t->cmd) + GT_CMD_SIZE - 4096;
	int ret;

	GT_CHECK(!npu_cs_store_linear(t->cs, target, 0, 64), "encoding refused");
	ret = gt_run(t);
	GT_CHECK(ret == NPU_E_JOB, "store to a read-only BO: %s (%s), expected a job error",
		 npu_strerror(ret), npu_last_error());
	GT_CHECK(t->result.status == NPU_ERR_MMU, "job status %u (%s), expected MMU fault",
		 t->result.status, npu_job_status_str(t->result.status));
	GT_CHECK(t->result.fault_addr >= target && t->result.fault_addr < target + 64,
		 "fault address %#x, expected %#x", t->result.fault_addr, target);
	return NULL;
}

static const char *jobs_unmapped_fault(struct gt_dev *t, uint32_t va)
{
	int ret;

	GT_CHECK(!npu_cs_load_linear(t->cs, 0, va, 64), "encoding refused");
	ret = gt_run(t);
	GT_CHECK(ret == NPU_E_JOB && t->result.status == NPU_ERR_MMU,
		 "load from unmapped VA %#x: %s, status %u (%s), expected an MMU fault", va,
		 npu_strerror(ret), t->result.status, npu_job_status_str(t->result.status));
	GT_CHECK(t->result.fault_addr >= va && t->result.fault_addr < va + 64,
		 "fault address %#x, expected %#x", t->result.fault_addr, va);
	return NULL;
}

static const char *jobs_bad_stream(struct gt_dev *t)
{
	static const uint32_t garbage[4] = { 0xff00ffffu, 0x12345678u, 0, 0 };
	struct npu_job job = { .cmd = t->cmd, .offset = 0, .size = sizeof(garbage) };
	int ret;

	memcpy(npu_bo_map(t->cmd), garbage, sizeof(garbage));
	memset(&t->result, 0, sizeof(t->result));
	ret = npu_job_run(t->dev, &job, GT_JOB_TIMEOUT_MS, &t->result);
	if (ret == NPU_E_INVALID) {
		gt_info("jobs.bad-stream: the driver refused the stream at submit: %s",
			npu_last_error());
		return NULL;
	}
	GT_CHECK(ret == NPU_E_JOB, "garbage stream: %s (%s), expected a job error",
		 npu_strerror(ret), npu_last_error());
	GT_CHECK(t->result.status == NPU_ERR_OPCODE || t->result.status == NPU_ERR_LENGTH,
		 "status %u (%s), expected unknown opcode", t->result.status,
		 npu_job_status_str(t->result.status));
	return NULL;
}

/*
 * Two files, two address spaces: a job of file B that reads at a VA
 * only file A mapped faults, and never sees A's bytes.
 */
static const char *jobs_isolation(struct gt_dev *a)
{
	struct npu_bo *secret;
	struct gt_dev b;
	uint32_t va, bdata, bcmd;
	int ret;

	ret = npu_bo_create(a->dev, 16u << 20, 0, &secret);
	GT_CHECK(!ret, "npu_bo_create: %s", npu_last_error());
	memset(npu_bo_map(secret), 0x5e, 16u << 20);
	ret = gt_dev_open(&b);
	if (ret) {
		npu_bo_destroy(secret);
		return gt_reason("second device: %s: %s", npu_strerror(ret), npu_last_error());
	}
	va = npu_bo_va(secret) + (8u << 20);
	bdata = npu_bo_va(b.data);
	bcmd = npu_bo_va(b.cmd);
	if ((va >= bdata && va < bdata + GT_DATA_SIZE) || (va >= bcmd && va < bcmd + GT_CMD_SIZE)) {
		gt_dev_close(&b);
		npu_bo_destroy(secret);
		return gt_reason("VA %#x is mapped in both files: cannot test", va);
	}
	memset(b.mem, 0, 4096);
	ret = npu_cs_load_linear(b.cs, 0, va, 4096);
	if (!ret)
		ret = npu_cs_sync(b.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = gt_store(&b, 0, 0, 4096);
	if (!ret)
		ret = gt_run(&b);
	{
		uint32_t status = b.result.status;
		int leaked = b.mem[0] == 0x5e;

		gt_dev_close(&b);
		npu_bo_destroy(secret);
		GT_CHECK(!leaked, "file B read file A's bytes through VA %#x", va);
		GT_CHECK(ret == NPU_E_JOB && status == NPU_ERR_MMU,
			 "file B's load from file A's VA %#x: %s, status %u, expected an MMU fault",
			 va, npu_strerror(ret), status);
	}
	return NULL;
}

int suite_jobs(void)
{
	struct gt_dev t;
	char name[64];
	uint64_t va_start = 0;
	int ret, i, fd;

	ret = gt_dev_open(&t);
	if (ret) {
		gt_fail("jobs.open", "%s: %s", npu_strerror(ret), npu_last_error());
		return 1;
	}
	gt_result("jobs.dma", jobs_dma(&t));
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "jobs.conv-%02d", i);
		gt_result(name, jobs_conv(&t, 1000 + (uint32_t)i * 7919));
	}
	gt_result("jobs.queue-100", jobs_queue(&t, 100));
	gt_result("jobs.readonly-bo-fault", jobs_readonly_fault(&t));
	gt_result("jobs.dma-after-fault", jobs_dma(&t));
	fd = gt_open();
	if (fd >= 0) {
		gt_query(fd, DRM_NPU_PARAM_VA_START, &va_start);
		close(fd);
	}
	if (va_start > NPU_PAGE_SIZE)
		gt_result("jobs.unmapped-va-fault", jobs_unmapped_fault(&t, NPU_PAGE_SIZE));
	else
		gt_result("jobs.unmapped-va-fault",
			  jobs_unmapped_fault(&t, npu_bo_va(t.data) + GT_DATA_SIZE + (64u << 20)));
	gt_result("jobs.bad-stream", jobs_bad_stream(&t));
	gt_result("jobs.context-isolation", jobs_isolation(&t));
	gt_result("jobs.dma-after-faults", jobs_dma(&t));
	gt_dev_close(&t);
	return 0;
}
