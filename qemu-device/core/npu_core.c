// SPDX-License-Identifier: MIT
/*
 * The device core: register file, interrupts, reset, the boot ROM and
 * the run loop that drives the command processor.
 */
#include <stdlib.h>
#include <string.h>

#include "npu_core_internal.h"
#include "npu_fw_image.h"

/* CP instructions per slice, between checks for reset and the watchdog. */
#define NPU_CP_SLICE	4096u

void npu_core_config_default(struct npu_core_config *cfg)
{
	cfg->mac_rows = NPU_CORE_DEFAULT_MAC_ROWS;
	cfg->mac_cols = NPU_CORE_DEFAULT_MAC_COLS;
	cfg->sram_size = NPU_CORE_DEFAULT_SRAM;
	cfg->clock_mhz = NPU_CORE_DEFAULT_CLOCK_MHZ;
	cfg->dram_bw_mbps = NPU_CORE_DEFAULT_DRAM_BW;
	cfg->watchdog_insns = NPU_CORE_DEFAULT_WATCHDOG;
}

static bool npu_config_valid(const struct npu_core_config *cfg)
{
	return cfg->mac_rows >= 1 && cfg->mac_rows <= 256 &&
	       cfg->mac_cols >= 1 && cfg->mac_cols <= 256 &&
	       cfg->sram_size >= (64u << 10) && cfg->sram_size <= (16u << 20) &&
	       !(cfg->sram_size & (NPU_PAGE_SIZE - 1)) &&
	       cfg->clock_mhz >= 100 && cfg->clock_mhz <= 4000 &&
	       cfg->dram_bw_mbps >= 100 && cfg->dram_bw_mbps <= 1000000 &&
	       cfg->watchdog_insns >= 1024;
}

static uint32_t npu_reg(const struct npu_core *core, uint32_t offset)
{
	return core->regs[offset / 4];
}

static void npu_reg_set(struct npu_core *core, uint32_t offset, uint32_t value)
{
	core->regs[offset / 4] = value;
}

/* Registers that exist; everything else in BAR0 reads as 0 and is an error. */
static bool npu_reg_exists(uint32_t offset)
{
	if (offset >= NPU_REG_MMU_ROOT_LO(0) && offset < NPU_REG_MMU_ROOT_LO(NPU_MAX_CONTEXTS))
		return true;
	if (offset >= NPU_REG_PERF_BASE && offset < NPU_REG_PERF_LO(NPU_PERF_COUNT))
		return true;
	switch (offset) {
	case NPU_REG_ID: case NPU_REG_HW_VERSION:
	case NPU_REG_CAP_MAC: case NPU_REG_CAP_SRAM: case NPU_REG_CAP_CLOCK:
	case NPU_REG_CAP_DRAM_BW: case NPU_REG_CAP_QUEUES: case NPU_REG_CAP_OPS:
	case NPU_REG_CAP_CP_MEM:
	case NPU_REG_CTRL: case NPU_REG_STATUS: case NPU_REG_BOOT_STATUS:
	case NPU_REG_FW_VERSION: case NPU_REG_FW_ADDR_LO: case NPU_REG_FW_ADDR_HI:
	case NPU_REG_FW_SIZE: case NPU_REG_HEARTBEAT: case NPU_REG_CP_TRAP_CAUSE:
	case NPU_REG_CP_TRAP_PC: case NPU_REG_CP_TRAP_VALUE:
	case NPU_REG_FW_LOG_LEN: case NPU_REG_FW_LOG_INDEX: case NPU_REG_FW_LOG_DATA:
	case NPU_REG_MBOX_H2F_CMD: case NPU_REG_MBOX_H2F_ARG0:
	case NPU_REG_MBOX_H2F_ARG1: case NPU_REG_MBOX_H2F_SEQ:
	case NPU_REG_MBOX_F2H_CMD: case NPU_REG_MBOX_F2H_ARG0:
	case NPU_REG_MBOX_F2H_ARG1: case NPU_REG_MBOX_F2H_SEQ:
	case NPU_REG_RING_BASE_LO: case NPU_REG_RING_BASE_HI: case NPU_REG_RING_SIZE:
	case NPU_REG_RING_HEAD: case NPU_REG_RING_TAIL: case NPU_REG_RING_DOORBELL:
	case NPU_REG_FENCE_ADDR_LO: case NPU_REG_FENCE_ADDR_HI: case NPU_REG_LAST_SEQNO:
	case NPU_REG_IRQ_STATUS: case NPU_REG_IRQ_MASK: case NPU_REG_IRQ_ACK:
	case NPU_REG_MMU_FLUSH:
	case NPU_REG_FAULT_STATUS: case NPU_REG_FAULT_ADDR: case NPU_REG_FAULT_SEQNO:
		return true;
	default:
		return false;
	}
}

static void npu_regs_reset(struct npu_core *core)
{
	const struct npu_core_config *cfg = &core->cfg;

	memset(core->regs, 0, sizeof(core->regs));
	npu_reg_set(core, NPU_REG_ID, NPU_ID_MAGIC);
	npu_reg_set(core, NPU_REG_HW_VERSION, NPU_HW_VERSION);
	npu_reg_set(core, NPU_REG_CAP_MAC, cfg->mac_rows | cfg->mac_cols << 16);
	npu_reg_set(core, NPU_REG_CAP_SRAM, cfg->sram_size);
	npu_reg_set(core, NPU_REG_CAP_CLOCK, cfg->clock_mhz);
	npu_reg_set(core, NPU_REG_CAP_DRAM_BW, cfg->dram_bw_mbps);
	npu_reg_set(core, NPU_REG_CAP_QUEUES, 1 | NPU_MAX_CONTEXTS << 8);
	npu_reg_set(core, NPU_REG_CAP_OPS, NPU_CAP_OP_DMA | NPU_CAP_OP_CONV |
		    NPU_CAP_OP_MATMUL | NPU_CAP_OP_POOL | NPU_CAP_OP_ELTWISE |
		    NPU_CAP_OP_LUT);
	npu_reg_set(core, NPU_REG_CAP_CP_MEM,
		    (NPU_CP_IMEM_SIZE >> 10) | (NPU_CP_DMEM_SIZE >> 10) << 16);
}

/* Stop the CP and forget every job; keeps host-programmed registers. */
static void npu_cp_stop(struct npu_core *core)
{
	core->time_offset += core->cp.instret;
	npu_cp_init(&core->cp, &npu_cp_io_ops, core);
	core->job_active = false;
	core->hung = false;
	core->timer = 0;
	core->wdt_base = 0;
	core->cp_state = NPU_CP_OFF;
	memset(core->priv, 0, sizeof(core->priv));
}

/* Full reset, as CTRL.RESET: called with the lock held and nobody running. */
static void npu_full_reset(struct npu_core *core)
{
	npu_cp_stop(core);
	npu_regs_reset(core);
	memset(core->perf, 0, sizeof(core->perf));
	memset(core->sram, 0, core->cfg.sram_size);
	__atomic_store_n(&core->reset_pending, false, __ATOMIC_RELAXED);
	core->boot_pending = false;
	core->event = false;
	core->idle_pending = 0;
	core->tlb_flush_pending = false;
	core->fw_log_len = 0;
}

int npu_core_create(const struct npu_core_config *cfg,
		    const struct npu_core_bus *bus, struct npu_core **out)
{
	struct npu_core *core;

	*out = NULL;
	if (!cfg || !bus || !bus->read || !bus->write || !bus->irq || !npu_config_valid(cfg))
		return -1;
	core = calloc(1, sizeof(*core));
	if (!core)
		return -1;
	core->cfg = *cfg;
	core->bus = *bus;
	core->sram = calloc(1, cfg->sram_size);
	core->scratch_in = calloc(cfg->sram_size, sizeof(int16_t));
	core->scratch_wt = calloc(cfg->sram_size, sizeof(int16_t));
	core->scratch_patch = calloc(NPU_MAX_ACC_DEPTH, sizeof(int16_t));
	core->scratch_acc = calloc(NPU_MATMUL_MAX_DIM + 1, sizeof(int32_t));
	if (!core->sram || !core->scratch_in || !core->scratch_wt || !core->scratch_patch ||
	    !core->scratch_acc ||
	    pthread_mutex_init(&core->lock, NULL)) {
		free(core->sram);
		free(core->scratch_in);
		free(core->scratch_wt);
		free(core->scratch_patch);
		free(core->scratch_acc);
		free(core);
		return -1;
	}
	npu_full_reset(core);
	*out = core;
	return 0;
}

void npu_core_destroy(struct npu_core *core)
{
	if (!core)
		return;
	pthread_mutex_destroy(&core->lock);
	free(core->sram);
	free(core->scratch_in);
	free(core->scratch_wt);
	free(core->scratch_patch);
	free(core->scratch_acc);
	free(core);
}

static unsigned int npu_irq_vector(uint32_t bit)
{
	switch (bit) {
	case NPU_IRQ_JOB_DONE:
	case NPU_IRQ_JOB_FAULT:
		return NPU_VEC_JOB;
	case NPU_IRQ_MBOX:
		return NPU_VEC_MBOX;
	default:
		return NPU_VEC_ERROR;
	}
}

/* Deliver the vectors of `bits` (newly pending and enabled); lock held. */
static void npu_irq_deliver(struct npu_core *core, uint32_t bits)
{
	bool sent[NPU_MSIX_VECTORS] = { false };
	uint32_t bit;

	for (bit = 1; bit & NPU_IRQ_ALL; bit <<= 1) {
		unsigned int vec = npu_irq_vector(bit);

		if (!(bits & bit) || sent[vec])
			continue;
		sent[vec] = true;
		if (core->inject[NPU_CORE_FAULT_LOST_IRQ]) {
			core->inject[NPU_CORE_FAULT_LOST_IRQ]--;
			continue;
		}
		core->bus.irq(core->bus.opaque, vec);
	}
}

static void npu_irq_raise_locked(struct npu_core *core, uint32_t bits)
{
	uint32_t status = npu_reg(core, NPU_REG_IRQ_STATUS);
	uint32_t fresh = bits & NPU_IRQ_ALL & ~status;

	npu_reg_set(core, NPU_REG_IRQ_STATUS, status | fresh);
	npu_irq_deliver(core, fresh & npu_reg(core, NPU_REG_IRQ_MASK));
}

void npu_core_raise_irq(struct npu_core *core, uint32_t bits)
{
	pthread_mutex_lock(&core->lock);
	npu_irq_raise_locked(core, bits);
	pthread_mutex_unlock(&core->lock);
}

bool npu_core_take_injection(struct npu_core *core, enum npu_core_fault fault)
{
	bool take;

	pthread_mutex_lock(&core->lock);
	take = core->inject[fault] != 0;
	if (take)
		core->inject[fault]--;
	pthread_mutex_unlock(&core->lock);
	return take;
}

void npu_core_inject(struct npu_core *core, enum npu_core_fault fault, uint32_t count)
{
	if ((unsigned int)fault >= NPU_CORE_FAULT_COUNT)
		return;
	pthread_mutex_lock(&core->lock);
	core->inject[fault] = count;
	pthread_mutex_unlock(&core->lock);
}

void npu_core_report_fault(struct npu_core *core, enum npu_mmu_fault type,
			   unsigned int engine, uint32_t va)
{
	pthread_mutex_lock(&core->lock);
	/* The first fault is kept until the host clears it. */
	if (!(npu_reg(core, NPU_REG_FAULT_STATUS) & NPU_FAULT_VALID)) {
		npu_reg_set(core, NPU_REG_FAULT_STATUS,
			    NPU_FAULT_MAKE(type, engine, core->job_ctx));
		npu_reg_set(core, NPU_REG_FAULT_ADDR, va);
		npu_reg_set(core, NPU_REG_FAULT_SEQNO, core->priv[NPU_CPR_JOB_SEQNO / 4]);
	}
	npu_irq_raise_locked(core, NPU_IRQ_MMU_FAULT);
	pthread_mutex_unlock(&core->lock);
}

void npu_core_log_byte(struct npu_core *core, uint8_t byte)
{
	pthread_mutex_lock(&core->lock);
	if (core->fw_log_len == NPU_FW_LOG_BYTES) {
		/* Keep the newest bytes: drop the oldest half. */
		memmove(core->fw_log, core->fw_log + NPU_FW_LOG_BYTES / 2, NPU_FW_LOG_BYTES / 2);
		core->fw_log_len = NPU_FW_LOG_BYTES / 2;
	}
	core->fw_log[core->fw_log_len++] = (char)byte;
	pthread_mutex_unlock(&core->lock);
}

size_t npu_core_fw_log(struct npu_core *core, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&core->lock);
	n = core->fw_log_len < len ? core->fw_log_len : len;
	memcpy(buf, core->fw_log, n);
	pthread_mutex_unlock(&core->lock);
	return n;
}

/* Register read as both host and CP see it; lock held. */
uint32_t npu_core_reg_read_locked(struct npu_core *core, uint32_t offset)
{
	uint32_t status = 0;

	if (offset >= NPU_REG_PERF_BASE && offset < NPU_REG_PERF_LO(NPU_PERF_COUNT)) {
		uint64_t v = core->perf[(offset - NPU_REG_PERF_BASE) / 8];

		if (!(offset & 4)) {
			core->perf_hi_latch = (uint32_t)(v >> 32);
			return (uint32_t)v;
		}
		return core->perf_hi_latch;
	}
	switch (offset) {
	case NPU_REG_STATUS:
		if (core->cp_state == NPU_CP_RUNNING || core->cp_state == NPU_CP_WFI)
			status |= NPU_STATUS_CP_RUNNING;
		if (core->cp_state == NPU_CP_WFI)
			status |= NPU_STATUS_CP_WFI;
		if (core->cp_state == NPU_CP_HALTED)
			status |= NPU_STATUS_CP_HALTED;
		if (npu_reg(core, NPU_REG_BOOT_STATUS) == NPU_BOOT_READY)
			status |= NPU_STATUS_FW_READY;
		if (core->hung)
			status |= NPU_STATUS_HUNG;
		if (core->reset_pending)
			status |= NPU_STATUS_RESETTING;
		return status;
	case NPU_REG_RING_DOORBELL:
	case NPU_REG_IRQ_ACK:
	case NPU_REG_MMU_FLUSH:
		return 0;
	default:
		return npu_reg(core, offset);
	}
}

/* The firmware log registers: the host's window on core->fw_log. */
static uint32_t npu_fw_log_read_locked(struct npu_core *core, uint32_t offset)
{
	uint32_t index = npu_reg(core, NPU_REG_FW_LOG_INDEX), word = 0;
	unsigned int i;

	if (offset == NPU_REG_FW_LOG_LEN)
		return (uint32_t)core->fw_log_len;
	if (offset == NPU_REG_FW_LOG_INDEX)
		return index;
	for (i = 0; i < 4 && index + i < core->fw_log_len; i++)
		word |= (uint32_t)(uint8_t)core->fw_log[index + i] << (8 * i);
	return word;
}

bool npu_core_mmio_read(struct npu_core *core, uint32_t offset, uint32_t *value)
{
	*value = 0;
	if (offset >= NPU_BAR0_SIZE || (offset & 3) || !npu_reg_exists(offset))
		return false;
	pthread_mutex_lock(&core->lock);
	if (offset >= NPU_REG_FW_LOG_LEN && offset <= NPU_REG_FW_LOG_DATA)
		*value = npu_fw_log_read_locked(core, offset);
	else
		*value = npu_core_reg_read_locked(core, offset);
	pthread_mutex_unlock(&core->lock);
	return true;
}

/* Work for the run loop: a sleeping or running CP, or a reset/boot to do. */
static bool npu_work_pending(const struct npu_core *core)
{
	return core->reset_pending || core->boot_pending ||
	       (!core->hung && (core->cp_state == NPU_CP_RUNNING ||
				(core->cp_state == NPU_CP_WFI && core->event)));
}

static bool npu_host_write_locked(struct npu_core *core, uint32_t offset, uint32_t value)
{
	uint32_t old;

	if (offset >= NPU_REG_MMU_ROOT_LO(0) && offset < NPU_REG_MMU_ROOT_LO(NPU_MAX_CONTEXTS)) {
		npu_reg_set(core, offset, value);
		return true;
	}
	switch (offset) {
	case NPU_REG_CTRL:
		if (value & ~(NPU_CTRL_RESET | NPU_CTRL_BOOT))
			return false;
		if (value & NPU_CTRL_RESET) {
			if (core->running)
				__atomic_store_n(&core->reset_pending, true, __ATOMIC_RELAXED);
			else
				npu_full_reset(core);
		}
		if (value & NPU_CTRL_BOOT)
			core->boot_pending = true;
		return true;
	case NPU_REG_FW_ADDR_LO: case NPU_REG_FW_ADDR_HI: case NPU_REG_FW_SIZE:
	case NPU_REG_MBOX_H2F_CMD: case NPU_REG_MBOX_H2F_ARG0: case NPU_REG_MBOX_H2F_ARG1:
	case NPU_REG_RING_BASE_LO: case NPU_REG_RING_BASE_HI: case NPU_REG_RING_SIZE:
	case NPU_REG_RING_TAIL: case NPU_REG_FENCE_ADDR_LO: case NPU_REG_FENCE_ADDR_HI:
		npu_reg_set(core, offset, value);
		return true;
	case NPU_REG_MBOX_H2F_SEQ:
		npu_reg_set(core, offset, value);
		core->event = true;
		return true;
	case NPU_REG_RING_DOORBELL:
		core->event = true;
		return true;
	case NPU_REG_IRQ_MASK:
		old = npu_reg(core, NPU_REG_IRQ_MASK);
		npu_reg_set(core, offset, value & NPU_IRQ_ALL);
		/* Enabling a pending source delivers it now. */
		npu_irq_deliver(core, npu_reg(core, NPU_REG_IRQ_STATUS) & value & ~old);
		return !(value & ~NPU_IRQ_ALL);
	case NPU_REG_IRQ_ACK:
		npu_reg_set(core, NPU_REG_IRQ_STATUS, npu_reg(core, NPU_REG_IRQ_STATUS) & ~value);
		return !(value & ~NPU_IRQ_ALL);
	case NPU_REG_MMU_FLUSH:
		core->tlb_flush_pending = true;
		return true;
	case NPU_REG_FW_LOG_INDEX:
		if (value >= NPU_FW_LOG_BYTES || (value & 3))
			return false;
		npu_reg_set(core, offset, value);
		return true;
	case NPU_REG_FAULT_STATUS:
		npu_reg_set(core, NPU_REG_FAULT_STATUS, 0);
		npu_reg_set(core, NPU_REG_FAULT_ADDR, 0);
		npu_reg_set(core, NPU_REG_FAULT_SEQNO, 0);
		return true;
	default:
		return false;
	}
}

bool npu_core_mmio_write(struct npu_core *core, uint32_t offset, uint32_t value,
			 bool *work)
{
	bool ok;

	*work = false;
	if (offset >= NPU_BAR0_SIZE || (offset & 3))
		return false;
	pthread_mutex_lock(&core->lock);
	ok = npu_host_write_locked(core, offset, value);
	*work = npu_work_pending(core);
	pthread_mutex_unlock(&core->lock);
	return ok;
}

bool npu_core_cp_write_locked(struct npu_core *core, uint32_t offset, uint32_t value)
{
	switch (offset) {
	case NPU_REG_BOOT_STATUS:
		/* Firmware may only announce readiness. */
		if (value != NPU_BOOT_READY)
			return false;
		npu_reg_set(core, offset, value);
		return true;
	case NPU_REG_HEARTBEAT:
		if (core->inject[NPU_CORE_FAULT_HEARTBEAT])
			return true;
		npu_reg_set(core, offset, value);
		return true;
	case NPU_REG_FW_VERSION:
	case NPU_REG_MBOX_F2H_CMD: case NPU_REG_MBOX_F2H_ARG0:
	case NPU_REG_MBOX_F2H_ARG1: case NPU_REG_MBOX_F2H_SEQ:
	case NPU_REG_RING_HEAD: case NPU_REG_LAST_SEQNO:
		npu_reg_set(core, offset, value);
		return true;
	default:
		return false;
	}
}

uint64_t npu_core_now(const struct npu_core *core)
{
	return core->cp.instret + core->time_offset;
}

/* Whether the sleeping CP's timer has expired, idle time included; lock held. */
static bool npu_timer_due(const struct npu_core *core)
{
	uint32_t now = (uint32_t)(npu_core_now(core) + core->idle_pending);

	return core->timer && (int32_t)(now - core->timer) >= 0;
}

bool npu_core_tick(struct npu_core *core, uint64_t cycles)
{
	bool work;

	pthread_mutex_lock(&core->lock);
	if (core->cp_state == NPU_CP_WFI)
		core->idle_pending += cycles;
	work = npu_work_pending(core) ||
	       (core->cp_state == NPU_CP_WFI && !core->hung && npu_timer_due(core));
	pthread_mutex_unlock(&core->lock);
	return work;
}

/*
 * The boot ROM: fetch, check and start the image at FW_ADDR.  Called
 * with the lock held; drops it around the fetch, since the bus may
 * call back into the host (and so into MMIO) while it transfers.
 */
static void npu_boot(struct npu_core *core)
{
	uint64_t addr = npu_reg(core, NPU_REG_FW_ADDR_LO) |
			(uint64_t)npu_reg(core, NPU_REG_FW_ADDR_HI) << 32;
	uint32_t size = npu_reg(core, NPU_REG_FW_SIZE);
	struct npu_fw_header hdr;
	enum npu_boot_status status;
	uint8_t *image;

	core->boot_pending = false;
	npu_cp_stop(core);
	npu_reg_set(core, NPU_REG_FW_VERSION, 0);
	npu_reg_set(core, NPU_REG_HEARTBEAT, 0);
	npu_reg_set(core, NPU_REG_CP_TRAP_CAUSE, 0);
	npu_reg_set(core, NPU_REG_CP_TRAP_PC, 0);
	npu_reg_set(core, NPU_REG_CP_TRAP_VALUE, 0);

	if (size < sizeof(hdr) || size > sizeof(hdr) + NPU_CP_IMEM_SIZE) {
		status = NPU_BOOT_ERR_SIZE;
	} else if (!(image = malloc(size))) {
		status = NPU_BOOT_ERR_DMA;
	} else {
		pthread_mutex_unlock(&core->lock);
		if (core->bus.read(core->bus.opaque, addr, image, size))
			status = NPU_BOOT_ERR_DMA;
		else
			status = npu_fw_image_check(image, size, NPU_FW_API_VERSION, &hdr);
		pthread_mutex_lock(&core->lock);
		if (status == NPU_BOOT_RUNNING) {
			memcpy(core->cp.imem, image + sizeof(hdr), hdr.size);
			npu_cp_start(&core->cp, NPU_CP_IMEM_BASE + hdr.entry);
			core->cp_state = NPU_CP_RUNNING;
		}
		free(image);
	}
	npu_reg_set(core, NPU_REG_BOOT_STATUS, status);
	if (status != NPU_BOOT_RUNNING)
		npu_irq_raise_locked(core, NPU_IRQ_FW_ERROR);
}

/* The CP stopped on a trap: tell the host; lock held. */
static void npu_cp_halted(struct npu_core *core)
{
	npu_reg_set(core, NPU_REG_CP_TRAP_CAUSE, core->cp.trap_cause);
	npu_reg_set(core, NPU_REG_CP_TRAP_PC, core->cp.trap_pc);
	npu_reg_set(core, NPU_REG_CP_TRAP_VALUE, core->cp.trap_value);
	npu_reg_set(core, NPU_REG_BOOT_STATUS, NPU_BOOT_ERR_CP);
	npu_irq_raise_locked(core, NPU_IRQ_FW_ERROR);
}

/*
 * Bring the CP out of WFI when an event or its timer is due; account
 * the idle time that passed meanwhile.  Lock held.
 */
static void npu_cp_maybe_wake(struct npu_core *core)
{
	bool timer_due = npu_timer_due(core);

	if (core->cp.state != NPU_CP_WFI)
		return;
	core->time_offset += core->idle_pending;
	core->idle_pending = 0;
	if (core->event || timer_due) {
		core->event = false;
		npu_cp_wake(&core->cp);
	}
}

bool npu_core_run(struct npu_core *core, uint64_t budget)
{
	bool more;

	pthread_mutex_lock(&core->lock);
	core->running = true;
	while (budget) {
		uint64_t slice, left, retired;

		if (core->reset_pending)
			npu_full_reset(core);
		if (core->boot_pending)
			npu_boot(core);
		if (core->hung)
			break;
		npu_cp_maybe_wake(core);
		core->cp_state = core->cp.state;
		if (core->cp.state != NPU_CP_RUNNING)
			break;
		if (core->inject[NPU_CORE_FAULT_FW_CRASH]) {
			core->inject[NPU_CORE_FAULT_FW_CRASH]--;
			npu_cp_trap(&core->cp, NPU_CP_TRAP_INJECTED, 0);
			core->cp_state = NPU_CP_HALTED;
			npu_cp_halted(core);
			break;
		}
		pthread_mutex_unlock(&core->lock);

		left = core->cfg.watchdog_insns - (core->cp.instret - core->wdt_base);
		slice = budget < NPU_CP_SLICE ? budget : NPU_CP_SLICE;
		retired = npu_cp_run(&core->cp, slice < left ? slice : left + 1);
		budget -= retired < budget ? retired : budget;
		if (core->cp.state == NPU_CP_RUNNING &&
		    core->cp.instret - core->wdt_base > core->cfg.watchdog_insns)
			npu_cp_trap(&core->cp, NPU_CP_TRAP_WATCHDOG, 0);

		pthread_mutex_lock(&core->lock);
		core->cp_state = core->cp.state;
		if (core->cp.state == NPU_CP_HALTED) {
			npu_cp_halted(core);
			break;
		}
	}
	if (core->reset_pending)
		npu_full_reset(core);
	core->running = false;
	more = npu_work_pending(core);
	pthread_mutex_unlock(&core->lock);
	return more;
}
