/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_job.h - jobs: submit, the drm_sched backend over the single job
 * ring, completion, timeouts and reset, and the wait ioctl.
 */
#ifndef NPU_JOB_H
#define NPU_JOB_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>

#include <drm/gpu_scheduler.h>

#include "npu_accel.h"
#include "npu_device.h"
#include "npu_hw.h"

struct drm_device;
struct drm_file;
struct drm_gem_object;
struct npu_vm;

/* What DRM_IOCTL_NPU_WAIT reports of a job; shared by the job and its file. */
struct npu_result {
	struct kref ref;
	/* The job's finished fence; set once, before the job id is returned. */
	struct dma_fence *fence;
	u32 status;		/* enum npu_err from the done record */
	u32 fault_offset;
	u32 fault_addr;
	u64 counters[DRM_NPU_COUNTERS];
};

struct npu_job {
	struct drm_sched_job base;
	struct npu_device *ndev;
	struct npu_vm *vm;		/* holds a ref and an active ref once armed */
	struct drm_gem_object **bos;	/* every BO of the job, command BO first */
	u32 bo_count;
	struct npu_result *result;
	/* Signalled when the fence word passes hw_seqno; allocated at submit. */
	struct dma_fence *hw_fence;
	bool hw_fence_live;		/* dma_fence_init() done (first run) */
	u32 cmd_addr;
	u32 cmd_size;
	/* Set each time the job is written to the ring; under job_lock. */
	u32 hw_seqno;
	u32 slot;
	u32 tdr_fence;			/* fence word at push or last timeout */
	struct list_head link;		/* npu_device.inflight */
	bool pm_ref;			/* holds a runtime PM reference */
};

static inline struct npu_job *to_npu_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct npu_job, base);
}

/* Has the fence word reached seqno?  Free-running u32 seqnos wrap. */
static inline bool npu_seqno_passed(u32 fence, u32 seqno)
{
	return (s32)(fence - seqno) >= 0;
}

static inline u32 npu_ring_slot(u32 index)
{
	return index & (NPU_RING_ENTRIES - 1);
}

/* Bus address of a slot's done record, given the records' base. */
static inline u64 npu_ring_done_addr(u64 done_base, u32 slot)
{
	return done_base + (u64)slot * sizeof(struct npu_job_done);
}

/* Result bookkeeping (pure, tested by KUnit). */
struct npu_result *npu_result_alloc(void);
void npu_result_put(struct npu_result *res);
void npu_result_fill(struct npu_result *res, const struct npu_job_done *done);
void npu_results_init(struct npu_results *r, u32 max);
void npu_results_fini(struct npu_results *r);
int npu_results_add(struct npu_results *r, struct npu_result *res, u32 *id);
struct npu_result *npu_results_get(struct npu_results *r, u64 id);
bool npu_results_remove(struct npu_results *r, u64 id, struct npu_result *res);

/* Ioctl argument checks (pure, tested by KUnit). */
int npu_check_submit_args(const struct drm_npu_submit *args);
int npu_check_syncs(const struct drm_npu_sync *syncs, u32 count);
int npu_check_bo_refs(const struct drm_npu_bo_ref *refs, u32 count);
int npu_check_cmd_range(u32 offset, u32 size, u64 bo_size);
int npu_check_wait_args(const struct drm_npu_wait *args);

int npu_ioctl_submit_job(struct drm_device *dev, void *data, struct drm_file *file);
int npu_ioctl_wait_job(struct drm_device *dev, void *data, struct drm_file *file);

int npu_job_init(struct npu_device *ndev);
int npu_job_open(struct npu_file_priv *fpriv);
void npu_job_close(struct npu_file_priv *fpriv);
/* Program the ring registers (after every device reset). */
void npu_job_ring_init(struct npu_device *ndev);
/* JOB_DONE / JOB_FAULT: signal every job the fence word has passed. */
void npu_job_irq(struct npu_device *ndev);
/* FW_ERROR: recover through a reset, blaming the running job. */
void npu_job_fw_error(struct npu_device *ndev);
/* A full reset with no job to blame (debugfs). */
void npu_job_reset(struct npu_device *ndev, const char *reason);
/* remove(): fail every job on the ring; the device is stopped. */
void npu_job_fail_all(struct npu_device *ndev, int error);

#endif /* NPU_JOB_H */
