/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_device.h - the driver's per-device and per-file state and the
 * register accessors.  Registers, ring, descriptor and page-table
 * formats come from npu_hw.h only.
 */
#ifndef NPU_DEVICE_H
#define NPU_DEVICE_H

#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/gpu_scheduler.h>

#include "npu_accel.h"
#include "npu_hw.h"

#define NPU_DRIVER_NAME		"npu"
#define NPU_FW_NAME		"npu/npu-fw.bin"

/* Job ring: kernel-owned, one done record per slot. */
#define NPU_RING_ENTRIES	64u

/* Device VA space handed out to BOs; the first and last page stay unmapped. */
#define NPU_VA_START		0x00010000ull
#define NPU_VA_END		0xfffff000ull

/* Submit limits (DRM_NPU_PARAM_MAX_BOS, in-syncs). */
#define NPU_MAX_BOS		256u
#define NPU_MAX_IN_SYNCS	64u
/* Results of finished jobs kept per file until they are waited for. */
#define NPU_MAX_RESULTS		4096u
/* Largest BO (uapi: "at most 1 GiB"). */
#define NPU_BO_MAX_SIZE		SZ_1G

struct npu_coredump;
struct npu_vm;

/* npu_device.flags bits */
enum {
	NPU_FLAG_FW_READY,	/* firmware booted and answered HELLO */
	NPU_FLAG_DEAD,		/* firmware could not be restarted: jobs fail with -EIO */
};

/*
 * Results of a file's jobs, by job id, until they are waited for or
 * the file closes; at most max of them.
 */
struct npu_results {
	struct xarray xa;	/* job id -> struct npu_result */
	u32 next;		/* cyclic id cursor, under the xarray's lock */
	atomic_t count;
	u32 max;
};

/* What the capability registers and the firmware handshake said. */
struct npu_caps {
	u32 hw_version;
	u32 mac_rows;
	u32 mac_cols;
	u32 sram_size;
	u32 clock_mhz;
	u32 dram_bw;
	u32 rings;
	u32 contexts;
	u32 ops;
	u32 fw_version;		/* HELLO reply arg0 */
	u32 fw_api_version;	/* HELLO reply arg1 */
	u32 ban_resets;		/* the driver's policy: DRM_NPU_PARAM_BAN_RESETS */
};

/* One MSI-X vector: the interrupt sources it carries. */
struct npu_irq_vec {
	struct npu_device *ndev;
	u32 sources;		/* NPU_IRQ_* bits */
	atomic_t pending;	/* acked by the hard handler, for the thread */
	int irq;
};

struct npu_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct npu_caps caps;
	/* Contexts usable by files: 1 .. num_contexts - 1 (0 stays disabled). */
	u32 num_contexts;

	/* Firmware image, kept in DMA memory for the reboot after a reset. */
	void *fw_cpu;
	dma_addr_t fw_dma;
	size_t fw_size;
	struct npu_fw_header fw_hdr;
	/* Last H2F_SEQ written; restarts from 0 with every device reset. */
	u32 mbox_seq;
	unsigned long flags;		/* NPU_FLAG_* */

	/* Ring, done records and fence word: one coherent allocation. */
	void *queue_cpu;
	dma_addr_t queue_dma;
	struct npu_job_desc *ring;
	struct npu_job_done *done;
	__le32 *fence_word;
	dma_addr_t ring_dma;
	dma_addr_t done_dma;
	dma_addr_t fence_dma;

	/*
	 * job_lock protects the ring (ring_tail, descriptors and done
	 * records of in-flight slots), the in-flight list, next_seqno,
	 * fence_seqno and each in-flight job's tdr_fence.  Taken by run_job,
	 * the IRQ thread, the timeout handler and the reset path.
	 */
	spinlock_t job_lock;
	struct list_head inflight;	/* struct npu_job, ring order */
	u32 inflight_count;
	u32 ring_tail;
	u32 next_seqno;			/* device seqno of the next descriptor */

	/* Hardware fences: one timeline; fence_lock is every fence's lock. */
	spinlock_t fence_lock;
	u64 fence_context;
	u64 fence_seqno;		/* under job_lock */

	struct drm_gpu_scheduler sched;
	/* Ordered: timeouts and firmware-error recovery never overlap. */
	struct workqueue_struct *reset_wq;
	struct work_struct recover_work;
	/* Serialises resets against each other and against remove. */
	struct mutex reset_lock;
	atomic_t reset_count;
	/* Bumped by every firmware (re)start. */
	u32 hw_generation;
	atomic64_t jobs_submitted;
	atomic64_t jobs_completed;
	atomic_t mmu_faults;

	/* MMU contexts 1 .. num_contexts - 1 of open files. */
	struct ida ctx_ida;
	/* Protects ctx_vm[], npu_vm.bound and the MMU root/flush registers. */
	struct mutex ctx_lock;
	struct npu_vm *ctx_vm[NPU_MAX_CONTEXTS];

	struct npu_irq_vec vec[NPU_MSIX_VECTORS];

	/* npu_pm.c: runtime PM and the heartbeat watchdog (its own state). */
	struct delayed_work heartbeat_work;
	u32 heartbeat_last;
	u32 heartbeat_generation;
	u32 heartbeat_stalls;
	atomic_t heartbeat_resets;
	atomic_t pm_suspends;
	atomic_t pm_resumes;

	/* Live BOs for debugfs: bo_lock protects bo_list. */
	struct mutex bo_lock;
	struct list_head bo_list;

	/*
	 * Serialises firmware log readers (FW_LOG_INDEX is device state)
	 * and guards fw_log_saved: the log as it was at the last power-down,
	 * which empties the device's copy.
	 */
	struct mutex fw_log_lock;
	char *fw_log_saved;		/* NPU_FW_LOG_BYTES */
	u32 fw_log_saved_len;

	/* A reset's record, until coredump_work publishes it; xchg/cmpxchg. */
	struct npu_coredump *coredump;
	struct work_struct coredump_work;
};

/* Per open file: its own address space, MMU context, queue and results. */
struct npu_file_priv {
	struct npu_device *ndev;
	struct npu_vm *vm;
	struct drm_sched_entity entity;
	struct npu_results results;
};

static inline struct npu_device *to_npu_device(struct drm_device *drm)
{
	return container_of(drm, struct npu_device, drm);
}

static inline u32 npu_read(struct npu_device *ndev, u32 reg)
{
	return readl(ndev->regs + reg);
}

static inline void npu_write(struct npu_device *ndev, u32 reg, u32 value)
{
	writel(value, ndev->regs + reg);
}

static inline u64 npu_read64(struct npu_device *ndev, u32 lo)
{
	u32 low = npu_read(ndev, lo);	/* latches the high half */

	return (u64)npu_read(ndev, lo + 4) << 32 | low;
}

/* npu_drv.c */
int npu_query_value(const struct npu_caps *caps, u32 param, u64 *value);
int npu_check_query_args(const struct drm_npu_query *args);
/* May an accel file issue ioctl cmd?  Pure; non-static for KUnit. */
bool npu_ioctl_allowed(unsigned int cmd);

#endif /* NPU_DEVICE_H */
