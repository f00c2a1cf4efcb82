/* SPDX-License-Identifier: MIT */
/*
 * npu_core_internal.h - state shared by the device core's files.
 *
 * Threading: `lock` protects the register file (regs[], irq state,
 * fault report, cumulative counters) and the reset/boot/event flags,
 * which the host touches through MMIO.  Everything else (the CP, the
 * SRAM, the job timeline, the MMU cache) belongs to whoever is inside
 * npu_core_run(); the host side only touches it when nobody is, under
 * `lock` with `running` clear.
 */
#ifndef NPU_CORE_INTERNAL_H
#define NPU_CORE_INTERNAL_H

#include <pthread.h>

#include "npu_cmd.h"
#include "npu_core.h"
#include "npu_cp.h"

/* Commands an engine accepts before the CP stalls on issue. */
#define NPU_ENGINE_QUEUE_DEPTH	4
/* Fixed cost of starting a DMA transfer, and its burst size. */
#define NPU_DMA_SETUP_CYCLES	32
#define NPU_DMA_BURST_BYTES	64
/* SRAM-side bytes per cycle when the DMA engine fills padding. */
#define NPU_DMA_FILL_BYTES_PER_CYCLE	64
/* Cached translations, direct-mapped by virtual page number. */
#define NPU_TLB_ENTRIES		64

/* One command in flight on an engine, for queueing and hazard checks. */
struct npu_inflight {
	uint64_t start;
	uint64_t end;
	struct npu_sram_range reads[NPU_CMD_MAX_READS];
	struct npu_sram_range write;
};

struct npu_engine_timeline {
	uint64_t free_at;	/* cycle at which the engine has drained */
	unsigned int count;	/* valid entries in inflight[] */
	struct npu_inflight inflight[NPU_ENGINE_QUEUE_DEPTH];
};

struct npu_tlb_entry {
	uint32_t vpn_valid;	/* vpn << 1 | 1 */
	uint32_t perms;		/* NPU_PTE_READ | NPU_PTE_WRITE */
	uint64_t pa;		/* page address */
};

/* Outcome of an engine or DMA access, for ENG_STATUS and the done record. */
struct npu_access_result {
	enum npu_err err;
	uint32_t fault_addr;
};

struct npu_core {
	struct npu_core_config cfg;
	struct npu_core_bus bus;

	pthread_mutex_t lock;
	uint32_t regs[NPU_BAR0_SIZE / 4];
	uint32_t perf_hi_latch;
	uint64_t perf[NPU_PERF_COUNT];
	bool running;
	bool reset_pending;	/* also read unlocked: npu_core_aborting() */
	bool boot_pending;
	bool event;		/* doorbell or mailbox since the CP last looked */
	bool hung;		/* an engine hangs until reset */
	bool tlb_flush_pending;	/* MMU_FLUSH written by the host */
	enum npu_cp_state cp_state;	/* mirror of cp.state for the host */
	uint32_t timer;		/* NPU_CPR_TIMER, 0 = disarmed */
	uint64_t idle_pending;	/* ticks that passed while the CP slept */
	uint32_t inject[NPU_CORE_FAULT_COUNT];
	char fw_log[NPU_FW_LOG_BYTES];
	size_t fw_log_len;

	/* Worker-owned from here on. */
	struct npu_cp cp;
	/* Device time is cp.instret + time_offset: one cycle per CP
	 * instruction plus stalls and idle time. */
	uint64_t time_offset;
	uint64_t wdt_base;	/* cp.instret at the last watchdog kick */
	uint32_t cycle_hi_latch;
	uint32_t priv[0x1000 / 4];

	bool job_active;
	uint32_t job_ctx;
	uint64_t job_begin;
	uint64_t job_counters[NPU_PERF_JOBS];
	struct npu_engine_timeline engines[NPU_ENGINE_COUNT];
	struct npu_tlb_entry tlb[NPU_TLB_ENTRIES];

	uint8_t *sram;
	/* Engine scratch: inputs widened to int16, accumulators. */
	int16_t *scratch_in;
	int16_t *scratch_wt;
	int16_t *scratch_patch;
	int32_t *scratch_acc;
};

/*
 * A reset is waiting: long engine loops stop early, since everything
 * they would produce is about to be thrown away.
 */
static inline bool npu_core_aborting(const struct npu_core *core)
{
	return __atomic_load_n(&core->reset_pending, __ATOMIC_RELAXED);
}

/* npu_core.c */
uint64_t npu_core_now(const struct npu_core *core);
uint32_t npu_core_reg_read_locked(struct npu_core *core, uint32_t offset);
bool npu_core_cp_write_locked(struct npu_core *core, uint32_t offset, uint32_t value);
void npu_core_log_byte(struct npu_core *core, uint8_t byte);
void npu_core_raise_irq(struct npu_core *core, uint32_t bits);
bool npu_core_take_injection(struct npu_core *core, enum npu_core_fault fault);
void npu_core_report_fault(struct npu_core *core, enum npu_mmu_fault type,
			   unsigned int engine, uint32_t va);

/* npu_mmu.c */
void npu_mmu_flush(struct npu_core *core);
/*
 * Copy between `buf` and `len` bytes at device VA `va` of the current
 * job's context.  Fills `res` (NPU_ERR_MMU or NPU_ERR_DMA on a fault,
 * with the faulting VA) and reports the fault in the registers.
 */
void npu_mmu_copy(struct npu_core *core, unsigned int engine, uint32_t va,
		  void *buf, uint32_t len, bool write, struct npu_access_result *res);

/* npu_dma.c */
void npu_dma_execute(struct npu_core *core, const struct npu_cmd_dma *cmd,
		     struct npu_access_result *res);
uint64_t npu_dma_cycles(const struct npu_core *core, const struct npu_cmd_dma *cmd);

/* npu_mac.c */
enum npu_err npu_mac_execute(struct npu_core *core, const uint32_t *cmd);
uint64_t npu_mac_cycles(const struct npu_core *core, const uint32_t *cmd, uint64_t *macs);

/* npu_ppu.c */
enum npu_err npu_ppu_execute(struct npu_core *core, const uint32_t *cmd);
uint64_t npu_ppu_cycles(const struct npu_core *core, const uint32_t *cmd);

/* npu_sched.c */
void npu_sched_job_begin(struct npu_core *core);
void npu_sched_job_end(struct npu_core *core, uint32_t status);
void npu_sched_sync(struct npu_core *core, uint32_t engines);
void npu_sched_kick(struct npu_core *core, uint32_t desc_addr,
		    struct npu_access_result *res);

/* npu_cp_io.c: the CP's view of the device registers. */
extern const struct npu_cp_io npu_cp_io_ops;

#endif /* NPU_CORE_INTERNAL_H */
