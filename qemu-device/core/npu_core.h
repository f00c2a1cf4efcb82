/* SPDX-License-Identifier: MIT */
/*
 * npu_core.h - the NPU device core: everything the device does, with no
 * QEMU dependency.  The QEMU glue and libnpu's sim backend each provide
 * the bus (guest memory and interrupts) and drive it the same way:
 *
 *   - MMIO from the host goes to npu_core_mmio_read/write, which only
 *     update registers and return at once;
 *   - when npu_core_mmio_write or npu_core_tick report pending work,
 *     the caller runs npu_core_run on its worker thread, which executes
 *     the command processor and the engines and calls the bus.
 *
 * Register accesses and npu_core_run may come from different threads;
 * the core serialises register state internally.
 */
#ifndef NPU_CORE_H
#define NPU_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "npu_hw.h"

struct npu_core;

/* Hardware parameters, reported in the capability registers. */
struct npu_core_config {
	uint32_t mac_rows;		/* 1..256 */
	uint32_t mac_cols;		/* 1..256 */
	uint32_t sram_size;		/* bytes, 64 KiB..16 MiB, multiple of 4 KiB */
	uint32_t clock_mhz;		/* 100..4000 */
	uint32_t dram_bw_mbps;		/* 100..1000000 */
	uint32_t watchdog_insns;	/* CP instructions between WDT kicks, >= 1024 */
};

#define NPU_CORE_DEFAULT_MAC_ROWS	32
#define NPU_CORE_DEFAULT_MAC_COLS	32
#define NPU_CORE_DEFAULT_SRAM		(1u << 20)
#define NPU_CORE_DEFAULT_CLOCK_MHZ	1000
#define NPU_CORE_DEFAULT_DRAM_BW	8000
#define NPU_CORE_DEFAULT_WATCHDOG	(1u << 22)

/* Fill a config with the defaults above. */
void npu_core_config_default(struct npu_core_config *cfg);

/* The bus: how the core reaches guest memory and raises interrupts. */
struct npu_core_bus {
	void *opaque;
	/* Return 0 on success, non-zero when the transfer failed. */
	int (*read)(void *opaque, uint64_t addr, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t addr, const void *buf, size_t len);
	/*
	 * Signal MSI-X vector `vector` (NPU_VEC_*).  Called from whichever
	 * thread raised it, with the core's lock held: it must not call
	 * back into the core (defer, e.g. to a bottom half).
	 */
	void (*irq)(void *opaque, unsigned int vector);
};

/*
 * Faults the core can be told to inject, for recovery tests.  Armed
 * faults survive a device reset: they are the test's, not the device's.
 */
enum npu_core_fault {
	NPU_CORE_FAULT_HANG,		/* next engine command never finishes */
	NPU_CORE_FAULT_DMA_ERROR,	/* next DMA engine transfer fails */
	NPU_CORE_FAULT_LOST_IRQ,	/* next interrupt is not delivered */
	NPU_CORE_FAULT_FW_CRASH,	/* CP traps when it next runs */
	NPU_CORE_FAULT_CORRUPT,		/* next engine output has a flipped bit */
	NPU_CORE_FAULT_HEARTBEAT,	/* while armed, the heartbeat stops */
	NPU_CORE_FAULT_COUNT
};

/* Returns 0, or -1 when the config is out of range (nothing allocated). */
int npu_core_create(const struct npu_core_config *cfg,
		    const struct npu_core_bus *bus, struct npu_core **out);
void npu_core_destroy(struct npu_core *core);

/*
 * Host register access (BAR0).  A misaligned, out-of-range or
 * read-only access is ignored (reads return 0) and reported through
 * the return value so the caller can log a guest error.
 * `*work` is set when npu_core_run should be scheduled.
 */
bool npu_core_mmio_read(struct npu_core *core, uint32_t offset, uint32_t *value);
bool npu_core_mmio_write(struct npu_core *core, uint32_t offset, uint32_t value,
			 bool *work);

/*
 * Let `cycles` device cycles of idle time pass (the CP's timer wakes
 * it for its heartbeat).  Returns true when npu_core_run should run.
 */
bool npu_core_tick(struct npu_core *core, uint64_t cycles);

/*
 * Run the command processor for at most `budget` instructions.
 * Returns true when it still has work (call again), false when it is
 * idle, halted or hung.
 */
bool npu_core_run(struct npu_core *core, uint64_t budget);

/* Arm a fault for the next `count` occurrences (0 disarms). */
void npu_core_inject(struct npu_core *core, enum npu_core_fault fault,
		     uint32_t count);

/* Copy out the firmware log (bytes written to NPU_CPR_LOG); returns length. */
size_t npu_core_fw_log(struct npu_core *core, char *buf, size_t len);

#endif /* NPU_CORE_H */
