// SPDX-License-Identifier: MIT
/*
 * The command processor's register window: the BAR0 registers with the
 * firmware's permissions, and the CP-private registers that reach the
 * job timeline, the engines and the CP DMA.
 */
#include <string.h>

#include "npu_core_internal.h"

#define NPU_CPR_SIZE	0x1000u

static uint32_t npu_priv(const struct npu_core *core, uint32_t offset)
{
	return core->priv[offset / 4];
}

/* Whether [addr, addr + len) lies inside DMEM; returns its offset. */
static bool npu_dmem_range(uint32_t addr, uint32_t len, uint32_t *offset)
{
	if (addr < NPU_CP_DMEM_BASE || addr - NPU_CP_DMEM_BASE > NPU_CP_DMEM_SIZE ||
	    len > NPU_CP_DMEM_SIZE - (addr - NPU_CP_DMEM_BASE))
		return false;
	*offset = addr - NPU_CP_DMEM_BASE;
	return true;
}

/* The CP waits while its DMA moves `len` bytes over the DRAM interface. */
static void npu_cp_dma_stall(struct npu_core *core, uint32_t len)
{
	uint64_t cycles = NPU_DMA_SETUP_CYCLES +
		((uint64_t)len * core->cfg.clock_mhz + core->cfg.dram_bw_mbps - 1) /
		core->cfg.dram_bw_mbps;

	core->time_offset += cycles;
	if (core->job_active)
		core->job_counters[NPU_PERF_STALL_CYCLES] += cycles;
}

/* NPU_CPR_DMA_CTRL: one synchronous copy between DMEM and the bus. */
static void npu_cp_dma(struct npu_core *core, uint32_t ctrl)
{
	uint32_t lo = npu_priv(core, NPU_CPR_DMA_ADDR_LO);
	uint64_t addr = lo | (uint64_t)npu_priv(core, NPU_CPR_DMA_ADDR_HI) << 32;
	uint32_t len = npu_priv(core, NPU_CPR_DMA_LEN);
	bool to_bus = ctrl & NPU_CP_DMA_FROM_LOCAL;
	struct npu_access_result res = { NPU_OK, 0 };
	uint32_t offset;
	uint8_t *local;

	if ((ctrl & ~(NPU_CP_DMA_FROM_LOCAL | NPU_CP_DMA_CTX)) ||
	    !npu_dmem_range(npu_priv(core, NPU_CPR_DMA_LOCAL), len, &offset)) {
		res.err = NPU_ERR_FIELD;
		goto out;
	}
	local = core->cp.dmem + offset;
	npu_cp_dma_stall(core, len);
	if (ctrl & NPU_CP_DMA_CTX) {
		if (!core->job_active || npu_priv(core, NPU_CPR_DMA_ADDR_HI))
			res.err = NPU_ERR_FIELD;
		else
			npu_mmu_copy(core, NPU_FAULT_ENGINE_CP, lo, local, len, to_bus, &res);
	} else if (to_bus ? core->bus.write(core->bus.opaque, addr, local, len) :
			    core->bus.read(core->bus.opaque, addr, local, len)) {
		res.err = NPU_ERR_DMA;
		res.fault_addr = lo;
	}
out:
	core->priv[NPU_CPR_DMA_STATUS / 4] = res.err;
	core->priv[NPU_CPR_DMA_FAULT_ADDR / 4] = res.fault_addr;
}

static int npu_priv_read(struct npu_core *core, uint32_t offset, uint32_t *value)
{
	uint64_t now;

	if (offset >= NPU_CPR_JOB_PERF_LO(0) && offset < NPU_CPR_JOB_PERF_LO(NPU_PERF_JOBS)) {
		uint64_t v = core->job_counters[(offset - NPU_CPR_JOB_PERF_LO(0)) / 8];

		*value = offset & 4 ? (uint32_t)(v >> 32) : (uint32_t)v;
		return 0;
	}
	switch (offset) {
	case NPU_CPR_CYCLE_LO:
		now = npu_core_now(core);
		core->cycle_hi_latch = (uint32_t)(now >> 32);
		*value = (uint32_t)now;
		return 0;
	case NPU_CPR_CYCLE_HI:
		*value = core->cycle_hi_latch;
		return 0;
	case NPU_CPR_TIMER:
		pthread_mutex_lock(&core->lock);
		*value = core->timer;
		pthread_mutex_unlock(&core->lock);
		return 0;
	case NPU_CPR_DMA_ADDR_LO: case NPU_CPR_DMA_ADDR_HI: case NPU_CPR_DMA_LOCAL:
	case NPU_CPR_DMA_LEN: case NPU_CPR_DMA_STATUS: case NPU_CPR_DMA_FAULT_ADDR:
	case NPU_CPR_JOB_CTX: case NPU_CPR_JOB_SEQNO: case NPU_CPR_ENG_DESC:
	case NPU_CPR_ENG_STATUS: case NPU_CPR_ENG_FAULT_ADDR:
		*value = npu_priv(core, offset);
		return 0;
	default:
		return -1;
	}
}

static int npu_priv_write(struct npu_core *core, uint32_t offset, uint32_t value)
{
	struct npu_access_result res;

	switch (offset) {
	case NPU_CPR_WDT_KICK:
		core->wdt_base = core->cp.instret;
		return 0;
	case NPU_CPR_TIMER:
		pthread_mutex_lock(&core->lock);
		core->timer = value;
		pthread_mutex_unlock(&core->lock);
		return 0;
	case NPU_CPR_IRQ_RAISE:
		npu_core_raise_irq(core, value & NPU_IRQ_ALL);
		return 0;
	case NPU_CPR_LOG:
		npu_core_log_byte(core, (uint8_t)value);
		return 0;
	case NPU_CPR_DMA_CTRL:
		npu_cp_dma(core, value);
		return 0;
	case NPU_CPR_DMA_ADDR_LO: case NPU_CPR_DMA_ADDR_HI: case NPU_CPR_DMA_LOCAL:
	case NPU_CPR_DMA_LEN: case NPU_CPR_JOB_SEQNO: case NPU_CPR_ENG_DESC:
		core->priv[offset / 4] = value;
		return 0;
	case NPU_CPR_JOB_CTX:
		core->priv[offset / 4] = value < NPU_MAX_CONTEXTS ? value : 0;
		return 0;
	case NPU_CPR_JOB_BEGIN:
		npu_sched_job_begin(core);
		return 0;
	case NPU_CPR_JOB_END:
		npu_sched_job_end(core, value);
		return 0;
	case NPU_CPR_ENG_KICK:
		npu_sched_kick(core, npu_priv(core, NPU_CPR_ENG_DESC), &res);
		core->priv[NPU_CPR_ENG_STATUS / 4] = res.err;
		core->priv[NPU_CPR_ENG_FAULT_ADDR / 4] = res.fault_addr;
		return 0;
	case NPU_CPR_SYNC:
		npu_sched_sync(core, value);
		return 0;
	default:
		return -1;
	}
}

static int npu_cp_reg_read(void *opaque, uint32_t addr, uint32_t *value)
{
	struct npu_core *core = opaque;
	uint32_t offset;

	/*
	 * A pending reset freezes the CP at its next register access: no
	 * completion, fence or interrupt may follow work the reset cut short.
	 */
	if (npu_core_aborting(core)) {
		core->cp.yield = 1;
		*value = 0;
		return 0;
	}

	if (addr >= NPU_CP_PRIV_BASE && addr - NPU_CP_PRIV_BASE < NPU_CPR_SIZE)
		return npu_priv_read(core, addr - NPU_CP_PRIV_BASE, value);
	if (addr < NPU_CP_REGS_BASE || addr - NPU_CP_REGS_BASE >= NPU_BAR0_SIZE)
		return -1;
	offset = addr - NPU_CP_REGS_BASE;
	pthread_mutex_lock(&core->lock);
	*value = npu_core_reg_read_locked(core, offset);
	pthread_mutex_unlock(&core->lock);
	return 0;
}

static int npu_cp_reg_write(void *opaque, uint32_t addr, uint32_t value)
{
	struct npu_core *core = opaque;
	bool ok;

	if (npu_core_aborting(core)) {
		core->cp.yield = 1;
		return 0;
	}

	if (addr >= NPU_CP_PRIV_BASE && addr - NPU_CP_PRIV_BASE < NPU_CPR_SIZE)
		return npu_priv_write(core, addr - NPU_CP_PRIV_BASE, value);
	if (addr < NPU_CP_REGS_BASE || addr - NPU_CP_REGS_BASE >= NPU_BAR0_SIZE)
		return -1;
	pthread_mutex_lock(&core->lock);
	ok = npu_core_cp_write_locked(core, addr - NPU_CP_REGS_BASE, value);
	pthread_mutex_unlock(&core->lock);
	/* A write the firmware may not do is a firmware bug: trap on it. */
	return ok ? 0 : -1;
}

const struct npu_cp_io npu_cp_io_ops = {
	.reg_read = npu_cp_reg_read,
	.reg_write = npu_cp_reg_write,
};
