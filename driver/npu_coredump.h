/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_coredump.h - snapshots of the device: the BAR0 register list that
 * debugfs "regs" shows and a devcoredump records, and the devcoredump
 * a reset leaves in /sys/class/devcoredump/devcd<n>/data.
 */
#ifndef NPU_COREDUMP_H
#define NPU_COREDUMP_H

#include <linux/types.h>

#include "npu_hw.h"

struct dma_fence;
struct drm_printer;
struct npu_device;

/* Entries of the register list (npu_coredump.c). */
#define NPU_SNAPSHOT_REGS	39

/* The register list's values, read in one go. */
struct npu_regs_snapshot {
	u32 regs[NPU_SNAPSHOT_REGS];
	u64 mmu_root[NPU_MAX_CONTEXTS];	/* HI:LO; context 0 is never used */
	u64 perf[NPU_PERF_COUNT];
};

/* Read the registers; the caller is inside drm_dev_enter(). */
void npu_regs_read(struct npu_device *ndev, struct npu_regs_snapshot *s);
/* One line per register: name, offset, value. */
void npu_regs_print(const struct npu_regs_snapshot *s, struct drm_printer *p);

int npu_coredump_init(struct npu_device *ndev);
/*
 * Called by the reset path before it touches the device: record the
 * registers, the firmware log and the jobs on the ring (the guilty one
 * with its descriptor and done record); a worker publishes the dump.
 * Sleeps only on fw_log_lock.  Allocates with GFP_NOWAIT, since memory
 * reclaim may wait for fences only the reset signals, and skips the
 * dump when that fails.
 */
void npu_coredump_capture(struct npu_device *ndev, struct dma_fence *guilty,
			  const char *reason);

#endif /* NPU_COREDUMP_H */
