// SPDX-License-Identifier: MIT
/*
 * The job timeline: issue of commands to the engines, their queues,
 * SYNC, hazard detection and the per-job counters (docs/hw-spec.md,
 * "Cycle model").
 *
 * Commands execute functionally at issue, in stream order; time is
 * modelled separately.  Each engine runs its commands back to back from
 * the cycle the CP issues them; engines overlap one another unless a
 * SYNC orders them.  Two overlapping commands on different engines that
 * touch the same SRAM bytes (one of them writing) would race on real
 * hardware, so the device reports NPU_ERR_HAZARD instead of picking an
 * order.
 */
#include <string.h>

#include "npu_core_internal.h"

/* The CP waits until cycle `t`. */
static void npu_stall_until(struct npu_core *core, uint64_t t)
{
	uint64_t now = npu_core_now(core);

	if (t <= now)
		return;
	core->time_offset += t - now;
	core->job_counters[NPU_PERF_STALL_CYCLES] += t - now;
}

/* Forget commands that have finished by cycle `t`. */
static void npu_retire(struct npu_engine_timeline *tl, uint64_t t)
{
	unsigned int i, kept = 0;

	for (i = 0; i < tl->count; i++)
		if (tl->inflight[i].end > t)
			tl->inflight[kept++] = tl->inflight[i];
	tl->count = kept;
}

void npu_sched_job_begin(struct npu_core *core)
{
	uint64_t now = npu_core_now(core);
	int e;

	core->job_active = true;
	core->job_ctx = core->priv[NPU_CPR_JOB_CTX / 4];
	core->job_begin = now;
	memset(core->job_counters, 0, sizeof(core->job_counters));
	for (e = 0; e < NPU_ENGINE_COUNT; e++) {
		core->engines[e].free_at = now;
		core->engines[e].count = 0;
	}
	pthread_mutex_lock(&core->lock);
	core->tlb_flush_pending = false;
	pthread_mutex_unlock(&core->lock);
	npu_mmu_flush(core);
}

void npu_sched_sync(struct npu_core *core, uint32_t engines)
{
	uint64_t t = npu_core_now(core);
	int e;

	if (!core->job_active)
		return;
	for (e = 0; e < NPU_ENGINE_COUNT; e++)
		if ((engines & NPU_ENGINE_BIT(e)) && core->engines[e].free_at > t)
			t = core->engines[e].free_at;
	npu_stall_until(core, t);
	core->job_counters[NPU_PERF_COMMANDS]++;
}

void npu_sched_job_end(struct npu_core *core, uint32_t status)
{
	int i;

	if (!core->job_active)
		return;
	npu_sched_sync(core, NPU_ENGINE_ALL);
	core->job_counters[NPU_PERF_COMMANDS]--;	/* the implicit sync is no command */
	core->job_counters[NPU_PERF_CYCLES] = npu_core_now(core) - core->job_begin;
	core->job_active = false;

	pthread_mutex_lock(&core->lock);
	for (i = 0; i < NPU_PERF_JOBS; i++)
		core->perf[i] += core->job_counters[i];
	core->perf[NPU_PERF_JOBS]++;
	if (status != NPU_OK)
		core->perf[NPU_PERF_JOB_FAULTS]++;
	pthread_mutex_unlock(&core->lock);
}

static bool npu_overlap(const struct npu_sram_range *a, const struct npu_sram_range *b)
{
	return a->len && b->len &&
	       (uint64_t)a->addr < (uint64_t)b->addr + b->len &&
	       (uint64_t)b->addr < (uint64_t)a->addr + a->len;
}

/* Read-after-write, write-after-read or write-after-write on SRAM bytes. */
static bool npu_conflict(const struct npu_cmd_info *info, const struct npu_inflight *f)
{
	int i;

	if (npu_overlap(&info->write, &f->write))
		return true;
	for (i = 0; i < NPU_CMD_MAX_READS; i++)
		if (npu_overlap(&info->reads[i], &f->write) ||
		    npu_overlap(&info->write, &f->reads[i]))
			return true;
	return false;
}

static bool npu_hazard(struct npu_core *core, int engine, const struct npu_cmd_info *info,
		       uint64_t start, uint64_t end)
{
	unsigned int i;
	int e;

	for (e = 0; e < NPU_ENGINE_COUNT; e++) {
		const struct npu_engine_timeline *tl = &core->engines[e];

		if (e == engine)
			continue;
		for (i = 0; i < tl->count; i++)
			if (tl->inflight[i].start < end && start < tl->inflight[i].end &&
			    npu_conflict(info, &tl->inflight[i]))
				return true;
	}
	return false;
}

/* Flip one bit of the command's output, for the corrupted-result fault. */
static void npu_corrupt(struct npu_core *core, const struct npu_cmd_info *info)
{
	if (info->write.len)
		core->sram[info->write.addr] ^= 1;
}

void npu_sched_kick(struct npu_core *core, uint32_t desc_addr,
		    struct npu_access_result *res)
{
	uint32_t offset = desc_addr - NPU_CP_DMEM_BASE;
	const struct npu_cmd_dma *dma;
	struct npu_engine_timeline *tl;
	struct npu_cmd_info info;
	uint64_t cycles, macs = 0, start, end;
	const uint32_t *cmd;

	res->err = NPU_OK;
	res->fault_addr = 0;
	if (!core->job_active || desc_addr < NPU_CP_DMEM_BASE ||
	    offset >= NPU_CP_DMEM_SIZE || (offset & 3)) {
		res->err = NPU_ERR_FW;
		return;
	}
	cmd = (const uint32_t *)(core->cp.dmem + offset);
	/* The engines trust nothing: the same checks as the firmware's. */
	res->err = npu_cmd_check(cmd, (NPU_CP_DMEM_SIZE - offset) / 4,
				 core->cfg.sram_size, &info);
	if (res->err)
		return;
	if (info.opcode == NPU_OP_SYNC) {
		npu_sched_sync(core, ((const struct npu_cmd_sync *)cmd)->engines);
		return;
	}
	if (info.engine < 0)
		return;

	if (npu_core_take_injection(core, NPU_CORE_FAULT_HANG)) {
		/* The engine never answers: the CP stays stuck in this store. */
		pthread_mutex_lock(&core->lock);
		core->hung = true;
		pthread_mutex_unlock(&core->lock);
		core->cp.yield = 1;
		return;
	}

	/* Issue: wait for a free queue slot, then for the engine. */
	tl = &core->engines[info.engine];
	npu_retire(tl, npu_core_now(core));
	if (tl->count == NPU_ENGINE_QUEUE_DEPTH) {
		npu_stall_until(core, tl->inflight[0].end);
		npu_retire(tl, npu_core_now(core));
	}
	for (int e = 0; e < NPU_ENGINE_COUNT; e++)
		npu_retire(&core->engines[e], npu_core_now(core));

	switch (info.engine) {
	case NPU_ENGINE_DMA:
		cycles = npu_dma_cycles(core, (const struct npu_cmd_dma *)cmd);
		break;
	case NPU_ENGINE_MAC:
		cycles = npu_mac_cycles(core, cmd, &macs);
		break;
	default:
		cycles = npu_ppu_cycles(core, cmd);
		break;
	}
	start = tl->free_at > npu_core_now(core) ? tl->free_at : npu_core_now(core);
	end = start + cycles;
	if (npu_hazard(core, info.engine, &info, start, end)) {
		res->err = NPU_ERR_HAZARD;
		return;
	}

	switch (info.engine) {
	case NPU_ENGINE_DMA:
		npu_dma_execute(core, (const struct npu_cmd_dma *)cmd, res);
		break;
	case NPU_ENGINE_MAC:
		res->err = npu_mac_execute(core, cmd);
		break;
	default:
		res->err = npu_ppu_execute(core, cmd);
		break;
	}
	if (res->err)
		return;
	if (info.engine != NPU_ENGINE_DMA &&
	    npu_core_take_injection(core, NPU_CORE_FAULT_CORRUPT))
		npu_corrupt(core, &info);

	tl->free_at = end;
	tl->inflight[tl->count].start = start;
	tl->inflight[tl->count].end = end;
	memcpy(tl->inflight[tl->count].reads, info.reads, sizeof(info.reads));
	tl->inflight[tl->count].write = info.write;
	tl->count++;

	core->job_counters[NPU_PERF_COMMANDS]++;
	switch (info.engine) {
	case NPU_ENGINE_DMA:
		dma = (const struct npu_cmd_dma *)cmd;
		core->job_counters[NPU_PERF_DMA_CYCLES] += cycles;
		core->job_counters[info.opcode == NPU_OP_DMA_LOAD ? NPU_PERF_DMA_RD_BYTES :
				   NPU_PERF_DMA_WR_BYTES] +=
			(uint64_t)dma->size[0] * dma->size[1] * dma->size[2] * dma->size[3];
		break;
	case NPU_ENGINE_MAC:
		core->job_counters[NPU_PERF_MAC_CYCLES] += cycles;
		core->job_counters[NPU_PERF_MACS] += macs;
		break;
	default:
		core->job_counters[NPU_PERF_PPU_CYCLES] += cycles;
		break;
	}
}
