/* SPDX-License-Identifier: MIT */
/*
 * npu_cp.h - the command processor: an rv32im interpreter.
 *
 * Memory map (npu_hw.h): IMEM at NPU_CP_IMEM_BASE is fetchable and
 * readable, DMEM at NPU_CP_DMEM_BASE is readable and writable, and the
 * register window [NPU_CP_REGS_BASE, NPU_CP_PRIV_BASE + 0x1000) is
 * reached with aligned 32-bit lw/sw only, through the io callbacks.
 * Anything else traps: the CP halts and records cause, pc and value.
 * There is no trap handler in firmware: a trap is fatal and reported to
 * the host, which resets the device.
 */
#ifndef NPU_CP_H
#define NPU_CP_H

#include <stdint.h>

#include "npu_hw.h"

#define NPU_CP_REGS_END		(NPU_CP_PRIV_BASE + 0x1000u)

enum npu_cp_state {
	NPU_CP_OFF,		/* held in reset */
	NPU_CP_RUNNING,
	NPU_CP_WFI,		/* executed wfi; npu_cp_wake() resumes */
	NPU_CP_HALTED,		/* trapped; only reset leaves this */
};

/*
 * Register-window accesses; `addr` is the full CP address.  Both must
 * be set.  A callback may call npu_cp_trap(); the instruction then does
 * not retire.
 */
struct npu_cp_io {
	/* Return 0, or non-zero to make the access trap (LOAD/STORE). */
	int (*reg_read)(void *opaque, uint32_t addr, uint32_t *value);
	int (*reg_write)(void *opaque, uint32_t addr, uint32_t value);
};

struct npu_cp {
	uint32_t x[32];
	uint32_t pc;
	enum npu_cp_state state;
	uint32_t trap_cause;	/* enum npu_cp_trap */
	uint32_t trap_pc;
	uint32_t trap_value;	/* address, or the instruction word */
	uint64_t instret;	/* instructions retired since npu_cp_start */
	/* Set by an io callback to end npu_cp_run after this instruction. */
	int yield;
	uint8_t imem[NPU_CP_IMEM_SIZE];
	uint8_t dmem[NPU_CP_DMEM_SIZE];
	const struct npu_cp_io *io;
	void *opaque;
};

/* Zero registers and memories, state OFF. */
void npu_cp_init(struct npu_cp *cp, const struct npu_cp_io *io, void *opaque);

/* Start executing at `entry` with registers zeroed (memories kept). */
void npu_cp_start(struct npu_cp *cp, uint32_t entry);

/*
 * Execute up to `budget` instructions while RUNNING.  Stops early on
 * wfi (state WFI), a trap (state HALTED) or a yield request.  Returns
 * the number of instructions retired.
 */
uint64_t npu_cp_run(struct npu_cp *cp, uint64_t budget);

/* WFI -> RUNNING (no effect in other states). */
void npu_cp_wake(struct npu_cp *cp);

/* Halt with `cause` as if the current instruction had trapped. */
void npu_cp_trap(struct npu_cp *cp, uint32_t cause, uint32_t value);

#endif /* NPU_CP_H */
