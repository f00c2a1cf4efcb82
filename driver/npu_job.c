// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Jobs.  A submit becomes a drm_sched job on the file's entity; the one
 * scheduler feeds the device's single job ring.  run_job writes a
 * struct npu_job_desc into the kernel-owned ring and rings the
 * doorbell; the firmware writes the slot's done record, then the job's
 * seqno into the fence word, then interrupts.  The IRQ thread signals
 * every job the fence word has passed, in ring order.  A job that does
 * not finish is timed out: unless the device made progress meanwhile,
 * the device is reset, the firmware rebooted, the guilty job fails
 * with -ETIMEDOUT and the others run again.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/delay.h>
#include <linux/dma-resv.h>
#include <linux/moduleparam.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>

#include "npu_coredump.h"
#include "npu_device.h"
#include "npu_fw.h"
#include "npu_gem.h"
#include "npu_irq.h"
#include "npu_job.h"
#include "npu_mmu.h"
#include "npu_pm.h"
#include "npu_trace.h"

static_assert((int)DRM_NPU_COUNTERS == (int)NPU_PERF_JOBS);
static_assert(sizeof(((struct drm_npu_wait *)0)->counters) ==
	      sizeof(((struct npu_job_done *)0)->counters));
static_assert(NPU_RING_ENTRIES >= 2 && NPU_RING_ENTRIES <= NPU_RING_MAX_ENTRIES &&
	      !(NPU_RING_ENTRIES & (NPU_RING_ENTRIES - 1)));
static_assert(NPU_VA_END <= (1ull << 32));

static unsigned int npu_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, npu_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "Time a job may run without progress before the device is reset (ms, 0 = never)");

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

struct npu_result *npu_result_alloc(void)
{
	struct npu_result *res = kzalloc(sizeof(*res), GFP_KERNEL);

	if (res)
		kref_init(&res->ref);
	return res;
}

static void npu_result_release(struct kref *ref)
{
	struct npu_result *res = container_of(ref, struct npu_result, ref);

	if (res->fence)
		dma_fence_put(res->fence);
	kfree(res);
}

void npu_result_put(struct npu_result *res)
{
	kref_put(&res->ref, npu_result_release);
}

void npu_result_fill(struct npu_result *res, const struct npu_job_done *done)
{
	res->status = done->status;
	res->fault_offset = done->fault_offset;
	res->fault_addr = done->fault_addr;
	memcpy(res->counters, done->counters, sizeof(res->counters));
}

void npu_results_init(struct npu_results *r, u32 max)
{
	/* ALLOC1: job id 0 is never handed out. */
	xa_init_flags(&r->xa, XA_FLAGS_ALLOC1);
	r->next = 0;
	atomic_set(&r->count, 0);
	r->max = max;
}

void npu_results_fini(struct npu_results *r)
{
	struct npu_result *res;
	unsigned long id;

	xa_for_each(&r->xa, id, res)
		npu_result_put(res);
	xa_destroy(&r->xa);
	atomic_set(&r->count, 0);
}

/* Store res under a new job id; the table takes its own reference. */
int npu_results_add(struct npu_results *r, struct npu_result *res, u32 *id)
{
	int ret;

	if (atomic_inc_return(&r->count) > r->max) {
		atomic_dec(&r->count);
		return -EBUSY;
	}
	kref_get(&res->ref);
	ret = xa_alloc_cyclic(&r->xa, id, res, xa_limit_32b, &r->next, GFP_KERNEL);
	if (ret < 0) {
		kref_put(&res->ref, npu_result_release);
		atomic_dec(&r->count);
		return ret;
	}
	return 0;
}

/* The result of job id with a reference, or NULL. */
struct npu_result *npu_results_get(struct npu_results *r, u64 id)
{
	struct npu_result *res;

	if (!id || id > U32_MAX)
		return NULL;
	xa_lock(&r->xa);
	res = xa_load(&r->xa, id);
	if (res)
		kref_get(&res->ref);
	xa_unlock(&r->xa);
	return res;
}

/* Drop job id from the table if it still holds res; true if it did. */
bool npu_results_remove(struct npu_results *r, u64 id, struct npu_result *res)
{
	bool removed = false;

	if (!id || id > U32_MAX)
		return false;
	xa_lock(&r->xa);
	if (xa_load(&r->xa, id) == res) {
		__xa_erase(&r->xa, id);
		removed = true;
	}
	xa_unlock(&r->xa);
	if (removed) {
		atomic_dec(&r->count);
		npu_result_put(res);
	}
	return removed;
}

/* ------------------------------------------------------------------ */
/* Argument checks                                                     */
/* ------------------------------------------------------------------ */

int npu_check_submit_args(const struct drm_npu_submit *args)
{
	if (args->flags & ~DRM_NPU_SUBMIT_NO_RESULT)
		return -EINVAL;
	/* A point names a timeline syncobj: without a handle it is a mistake. */
	if (npu_check_syncs(&args->out_sync, 1) || (!args->out_sync.handle && args->out_sync.point))
		return -EINVAL;
	if (args->bo_count > NPU_MAX_BOS || args->in_sync_count > NPU_MAX_IN_SYNCS)
		return -EINVAL;
	if (args->cmd_size > NPU_MAX_CMD_BYTES)
		return -EINVAL;
	if ((args->cmd_offset | args->cmd_size) & 3)
		return -EINVAL;
	return 0;
}

int npu_check_syncs(const struct drm_npu_sync *syncs, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++)
		if (syncs[i].pad)
			return -EINVAL;
	return 0;
}

int npu_check_bo_refs(const struct drm_npu_bo_ref *refs, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++)
		if (!refs[i].flags || refs[i].flags & ~(DRM_NPU_BO_READ | DRM_NPU_BO_WRITE))
			return -EINVAL;
	return 0;
}

/* The command stream must lie inside its BO. */
int npu_check_cmd_range(u32 offset, u32 size, u64 bo_size)
{
	return (u64)offset + size > bo_size ? -EINVAL : 0;
}

int npu_check_wait_args(const struct drm_npu_wait *args)
{
	if (args->pad)
		return -EINVAL;
	switch (args->type) {
	case DRM_NPU_WAIT_JOB:
		return args->handle ? -EINVAL : 0;
	case DRM_NPU_WAIT_BO:
		return args->job_id ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* ------------------------------------------------------------------ */
/* Hardware fences                                                     */
/* ------------------------------------------------------------------ */

static const char *npu_fence_get_driver_name(struct dma_fence *fence)
{
	return NPU_DRIVER_NAME;
}

static const char *npu_fence_get_timeline_name(struct dma_fence *fence)
{
	return "npu-ring";
}

static const struct dma_fence_ops npu_fence_ops = {
	.get_driver_name = npu_fence_get_driver_name,
	.get_timeline_name = npu_fence_get_timeline_name,
};

static void npu_fence_fail(struct dma_fence *fence, int error)
{
	dma_fence_set_error(fence, error);
	dma_fence_signal(fence);
}

/* ------------------------------------------------------------------ */
/* Ring and completion                                                 */
/* ------------------------------------------------------------------ */

void npu_job_ring_init(struct npu_device *ndev)
{
	scoped_guard(spinlock, &ndev->job_lock)
		ndev->ring_tail = 0;
	npu_write(ndev, NPU_REG_RING_BASE_LO, lower_32_bits(ndev->ring_dma));
	npu_write(ndev, NPU_REG_RING_BASE_HI, upper_32_bits(ndev->ring_dma));
	npu_write(ndev, NPU_REG_RING_SIZE, NPU_RING_ENTRIES);
	npu_write(ndev, NPU_REG_FENCE_ADDR_LO, lower_32_bits(ndev->fence_dma));
	npu_write(ndev, NPU_REG_FENCE_ADDR_HI, upper_32_bits(ndev->fence_dma));
	npu_write(ndev, NPU_REG_RING_TAIL, 0);
}

static u32 npu_fence_word(struct npu_device *ndev)
{
	return le32_to_cpu(READ_ONCE(*ndev->fence_word));
}

/* Write the job's descriptor into the next slot and start it. */
static int npu_ring_push(struct npu_device *ndev, struct npu_job *job)
{
	struct npu_job_desc desc = {};
	u32 slot;

	guard(spinlock)(&ndev->job_lock);
	/* The scheduler's credit limit keeps this from happening. */
	if (ndev->inflight_count >= NPU_RING_ENTRIES) {
		drm_err(&ndev->drm, "job ring overflow\n");
		return -EIO;
	}
	slot = npu_ring_slot(ndev->ring_tail);
	job->hw_seqno = ndev->next_seqno++;
	job->slot = slot;
	job->tdr_fence = npu_fence_word(ndev);

	desc.seqno = job->hw_seqno;
	desc.ctx = job->vm->ctx;
	desc.cmd_addr = job->cmd_addr;
	desc.cmd_size = job->cmd_size;
	desc.done_addr = npu_ring_done_addr(ndev->done_dma, slot);
	memcpy(&ndev->ring[slot], &desc, sizeof(desc));
	/* A record the device never writes must not look like this job's. */
	WRITE_ONCE(ndev->done[slot].seqno, ~job->hw_seqno);

	list_add_tail(&job->link, &ndev->inflight);
	ndev->inflight_count++;
	ndev->ring_tail++;
	/* writel() orders the descriptor before TAIL; DOORBELL starts the job. */
	npu_write(ndev, NPU_REG_RING_TAIL, ndev->ring_tail);
	npu_write(ndev, NPU_REG_RING_DOORBELL, 1);
	trace_npu_run(job);
	return 0;
}

/* Copy the job's done record into its result; job_lock held. */
static void npu_job_take_result(struct npu_device *ndev, struct npu_job *job)
{
	struct npu_job_done done;

	memcpy(&done, &ndev->done[job->slot], sizeof(done));
	if (done.seqno != job->hw_seqno) {
		/* The firmware could not write the record (it says JOB_FAULT). */
		drm_err(&ndev->drm, "job seqno %u ended without a completion record\n",
			job->hw_seqno);
		dma_fence_set_error(job->hw_fence, -EIO);
		return;
	}
	npu_result_fill(job->result, &done);
	if (done.status != NPU_OK)
		drm_dbg(&ndev->drm, "job seqno %u: status %u at offset %#x, VA %#x\n",
			job->hw_seqno, done.status, done.fault_offset, done.fault_addr);
}

/* Signal, in ring order, every job the fence word has passed. */
static void npu_job_complete(struct npu_device *ndev)
{
	struct npu_job *job, *tmp;
	u32 fence;

	guard(spinlock)(&ndev->job_lock);
	fence = npu_fence_word(ndev);
	/* The records were written before the fence word. */
	dma_rmb();
	list_for_each_entry_safe(job, tmp, &ndev->inflight, link) {
		if (!npu_seqno_passed(fence, job->hw_seqno))
			break;
		npu_job_take_result(ndev, job);
		trace_npu_complete(job);
		list_del_init(&job->link);
		ndev->inflight_count--;
		atomic64_inc(&ndev->jobs_completed);
		dma_fence_signal(job->hw_fence);
	}
}

void npu_job_irq(struct npu_device *ndev)
{
	npu_job_complete(ndev);
}

/*
 * Take every job off the ring after the device stopped: the guilty
 * one fails with error, the others are run again by the scheduler.
 */
static void npu_job_cancel_inflight(struct npu_device *ndev, struct dma_fence *guilty,
				    int error)
{
	struct npu_job *job, *tmp;

	guard(spinlock)(&ndev->job_lock);
	list_for_each_entry_safe(job, tmp, &ndev->inflight, link) {
		list_del_init(&job->link);
		if (job->hw_fence == guilty) {
			npu_fence_fail(job->hw_fence, error);
			/* Counted against its file: see DRM_NPU_PARAM_BAN_RESETS. */
			atomic_inc(&job->vm->guilty_resets);
		}
	}
	ndev->inflight_count = 0;
}

void npu_job_fail_all(struct npu_device *ndev, int error)
{
	struct npu_job *job, *tmp;

	guard(mutex)(&ndev->reset_lock);
	set_bit(NPU_FLAG_DEAD, &ndev->flags);
	guard(spinlock)(&ndev->job_lock);
	list_for_each_entry_safe(job, tmp, &ndev->inflight, link) {
		list_del_init(&job->link);
		npu_fence_fail(job->hw_fence, error);
	}
	ndev->inflight_count = 0;
}

/* ------------------------------------------------------------------ */
/* Reset                                                               */
/* ------------------------------------------------------------------ */

/*
 * Stop the scheduler, reset the device and reboot its firmware, fail
 * the guilty job (if any) with error and run the others again.
 */
static void npu_reset(struct npu_device *ndev, struct dma_fence *guilty, int error,
		      const char *reason)
{
	int idx, ret;

	guard(mutex)(&ndev->reset_lock);
	if (!drm_dev_enter(&ndev->drm, &idx))
		return;
	dev_warn(ndev->drm.dev, "%s: resetting the device\n", reason);
	npu_coredump_capture(ndev, guilty, reason);

	drm_sched_stop(&ndev->sched, NULL);
	npu_irq_disable(ndev);
	/* Jobs that finished before the device stopped keep their results. */
	npu_job_complete(ndev);
	npu_job_cancel_inflight(ndev, guilty, error);

	ret = npu_hw_restart(ndev);
	if (ret) {
		set_bit(NPU_FLAG_DEAD, &ndev->flags);
		dev_err(ndev->drm.dev,
			"the device does not work after a reset (%d); jobs fail until the driver is reloaded\n",
			ret);
	} else {
		dev_info(ndev->drm.dev, "reset done, firmware ready\n");
	}
	atomic_inc(&ndev->reset_count);
	trace_npu_reset(ndev, reason, atomic_read(&ndev->reset_count), ret);

	/* Already signalled (guilty) jobs complete with their error. */
	drm_sched_resubmit_jobs(&ndev->sched);
	drm_sched_start(&ndev->sched);
	drm_dev_exit(idx);
}

/* The hardware fence of the oldest job on the ring, with a reference. */
static struct dma_fence *npu_job_head_fence(struct npu_device *ndev)
{
	struct npu_job *job;

	guard(spinlock)(&ndev->job_lock);
	job = list_first_entry_or_null(&ndev->inflight, struct npu_job, link);
	return job ? dma_fence_get(job->hw_fence) : NULL;
}

static void npu_job_recover_work(struct work_struct *work)
{
	struct npu_device *ndev = container_of(work, struct npu_device, recover_work);
	struct device *dev = ndev->drm.dev;
	struct dma_fence *guilty;

	/* Powered down since: the next power-up boots the firmware anyway. */
	if (pm_runtime_get_if_active(dev) <= 0)
		return;
	/* A timeout may have reset the device already. */
	if (!test_bit(NPU_FLAG_FW_READY, &ndev->flags)) {
		guilty = npu_job_head_fence(ndev);
		npu_reset(ndev, guilty, -EIO, "firmware error");
		dma_fence_put(guilty);
	}
	pm_runtime_put_autosuspend(dev);
}

void npu_job_fw_error(struct npu_device *ndev)
{
	queue_work(ndev->reset_wq, &ndev->recover_work);
}

void npu_job_reset(struct npu_device *ndev, const char *reason)
{
	/* Powered up for the reset; a device that cannot be is left alone. */
	if (npu_pm_job_get(ndev))
		return;
	npu_reset(ndev, NULL, 0, reason);
	npu_pm_job_put(ndev);
}

/* ------------------------------------------------------------------ */
/* Scheduler backend                                                   */
/* ------------------------------------------------------------------ */

static struct dma_fence *npu_job_run(struct drm_sched_job *sched_job)
{
	struct npu_job *job = to_npu_job(sched_job);
	struct npu_device *ndev = job->ndev;
	int idx, ret;

	/* A dependency failed: the scheduler completes the job with its error. */
	if (unlikely(job->base.s_fence->finished.error))
		return NULL;

	if (!job->hw_fence_live) {
		scoped_guard(spinlock, &ndev->job_lock)
			dma_fence_init(job->hw_fence, &npu_fence_ops, &ndev->fence_lock,
				       ndev->fence_context, ++ndev->fence_seqno);
		job->hw_fence_live = true;
	}
	/* Run again after a reset that found it guilty. */
	if (dma_fence_is_signaled(job->hw_fence))
		return dma_fence_get(job->hw_fence);

	if (!drm_dev_enter(&ndev->drm, &idx)) {
		npu_fence_fail(job->hw_fence, -ENODEV);
		return dma_fence_get(job->hw_fence);
	}
	ret = test_bit(NPU_FLAG_DEAD, &ndev->flags) ? -EIO : npu_ring_push(ndev, job);
	if (ret)
		npu_fence_fail(job->hw_fence, ret);
	drm_dev_exit(idx);
	return dma_fence_get(job->hw_fence);
}

static void npu_irq_ack_jobs(struct npu_device *ndev)
{
	u32 status = npu_read(ndev, NPU_REG_IRQ_STATUS) & (NPU_IRQ_JOB_DONE | NPU_IRQ_JOB_FAULT);

	if (status)
		npu_write(ndev, NPU_REG_IRQ_ACK, status);
}

static enum drm_gpu_sched_stat npu_job_timedout(struct drm_sched_job *sched_job)
{
	struct npu_job *job = to_npu_job(sched_job);
	struct drm_gpu_scheduler *sched = sched_job->sched;
	struct npu_device *ndev = job->ndev;
	u32 seqno, ctx, status, fence;
	enum drm_gpu_sched_stat stat;
	const char *reason = NULL;
	struct dma_fence *hw_fence;
	bool progress = false;
	int error, idx;

	/*
	 * The scheduler took the job off its pending list, so nothing frees
	 * it until it goes back there: take what is needed from it first.
	 */
	hw_fence = dma_fence_get(job->hw_fence);
	seqno = job->hw_seqno;
	ctx = job->vm->ctx;
	if (drm_dev_enter(&ndev->drm, &idx)) {
		/* A lost interrupt leaves IRQ_STATUS set: ack it so more come. */
		npu_irq_ack_jobs(ndev);
		scoped_guard(spinlock, &ndev->job_lock) {
			fence = npu_fence_word(ndev);
			/* The device finished jobs since this one was queued or checked. */
			progress = fence != job->tdr_fence;
			job->tdr_fence = fence;
		}
		stat = DRM_GPU_SCHED_STAT_NOMINAL;
	} else {
		stat = DRM_GPU_SCHED_STAT_ENODEV;
	}
	/* Back on the list: from here it is freed normally once it is done. */
	spin_lock(&sched->job_list_lock);
	list_add(&sched_job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	if (stat == DRM_GPU_SCHED_STAT_ENODEV)
		goto out_put;

	npu_job_complete(ndev);
	if (dma_fence_is_signaled(hw_fence)) {
		drm_dbg(&ndev->drm, "job seqno %u was done; its interrupt was lost\n", seqno);
		goto out_exit;
	}
	status = npu_read(ndev, NPU_REG_STATUS);
	error = -ETIMEDOUT;
	if (!test_bit(NPU_FLAG_FW_READY, &ndev->flags) || (status & NPU_STATUS_CP_HALTED)) {
		reason = "firmware stopped";
		error = -EIO;
	} else if (status & NPU_STATUS_HUNG) {
		reason = "engine hung";
	} else if (progress) {
		goto out_exit;
	} else {
		reason = "job timed out";
	}
	drm_dev_exit(idx);

	drm_warn(&ndev->drm, "job seqno %u (context %u): %s\n", seqno, ctx, reason);
	npu_reset(ndev, hw_fence, error, reason);
	goto out_put;

out_exit:
	drm_dev_exit(idx);
out_put:
	dma_fence_put(hw_fence);
	return stat;
}

/* Everything a job holds; also the unwinding of a failed submit. */
static void npu_job_release(struct npu_job *job)
{
	u32 i;

	for (i = 0; i < job->bo_count; i++)
		drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	if (job->result)
		npu_result_put(job->result);
	if (job->hw_fence_live)
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	if (job->vm) {
		npu_vm_active_put(job->vm);
		npu_vm_put(job->vm);
	}
	if (job->pm_ref)
		npu_pm_job_put(job->ndev);
	kfree(job);
}

static void npu_job_free(struct drm_sched_job *sched_job)
{
	struct npu_job *job = to_npu_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	npu_job_release(job);
}

static const struct drm_sched_backend_ops npu_sched_ops = {
	.run_job = npu_job_run,
	.timedout_job = npu_job_timedout,
	.free_job = npu_job_free,
};

/* ------------------------------------------------------------------ */
/* Submit                                                              */
/* ------------------------------------------------------------------ */

/* Add a BO to the job once; a repeated handle merges its usage. */
static int npu_job_add_bo(struct npu_job *job, u32 *usage, struct drm_file *file,
			  u32 handle, u32 flags)
{
	struct npu_file_priv *fpriv = file->driver_priv;
	struct drm_gem_object *obj;
	u32 i;

	obj = drm_gem_object_lookup(file, handle);
	if (!obj) {
		drm_dbg(file->minor->dev, "submit: no BO %u\n", handle);
		return -ENOENT;
	}
	if (!npu_bo_va(to_npu_bo(obj), fpriv->vm)) {
		drm_dbg(file->minor->dev, "submit: BO %u is not mapped in this file\n", handle);
		drm_gem_object_put(obj);
		return -EINVAL;
	}
	for (i = 0; i < job->bo_count; i++) {
		if (job->bos[i] == obj) {
			usage[i] |= flags;
			drm_gem_object_put(obj);
			return 0;
		}
	}
	job->bos[job->bo_count] = obj;
	usage[job->bo_count] = flags;
	job->bo_count++;
	return 0;
}

static int npu_job_lookup_bos(struct npu_job *job, u32 *usage, struct drm_file *file,
			      const struct drm_npu_submit *args,
			      const struct drm_npu_bo_ref *refs)
{
	struct npu_file_priv *fpriv = file->driver_priv;
	struct npu_bo *cmd;
	u32 i;
	int ret;

	ret = npu_job_add_bo(job, usage, file, args->cmd_handle, DRM_NPU_BO_READ);
	if (ret)
		return ret;
	cmd = to_npu_bo(job->bos[0]);
	if (npu_check_cmd_range(args->cmd_offset, args->cmd_size, cmd->base.base.size)) {
		drm_dbg(file->minor->dev, "submit: stream %u+%u outside BO of %zu bytes\n",
			args->cmd_offset, args->cmd_size, cmd->base.base.size);
		return -EINVAL;
	}
	job->cmd_addr = npu_bo_va(cmd, fpriv->vm) + args->cmd_offset;
	job->cmd_size = args->cmd_size;

	for (i = 0; i < args->bo_count; i++) {
		ret = npu_job_add_bo(job, usage, file, refs[i].handle, refs[i].flags);
		if (ret)
			return ret;
	}
	return 0;
}

/* Reserve fence slots and wait for the BOs' earlier users; resvs locked. */
static int npu_job_add_implicit_deps(struct npu_job *job, const u32 *usage)
{
	u32 i;
	int ret;

	for (i = 0; i < job->bo_count; i++) {
		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
		if (ret)
			return ret;
		ret = drm_sched_job_add_implicit_dependencies(&job->base, job->bos[i],
							      usage[i] & DRM_NPU_BO_WRITE);
		if (ret)
			return ret;
	}
	return 0;
}

static void *npu_copy_array(u64 uptr, u32 count, size_t size)
{
	if (!count)
		return NULL;
	return vmemdup_array_user(u64_to_user_ptr(uptr), count, size);
}

/* The out-syncobj and, for a timeline point, the chain node to add. */
struct npu_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

static int npu_out_sync_get(struct drm_file *file, const struct drm_npu_sync *sync,
			    struct npu_out_sync *out)
{
	if (!sync->handle)
		return 0;
	out->syncobj = drm_syncobj_find(file, sync->handle);
	if (!out->syncobj) {
		drm_dbg(file->minor->dev, "submit: no out syncobj %u\n", sync->handle);
		return -ENOENT;
	}
	out->point = sync->point;
	if (out->point) {
		/* Allocated now: nothing may fail once the job is pushed. */
		out->chain = dma_fence_chain_alloc();
		if (!out->chain)
			return -ENOMEM;
	}
	return 0;
}

static void npu_out_sync_signal(struct npu_out_sync *out, struct dma_fence *fence)
{
	if (!out->syncobj)
		return;
	if (out->chain) {
		drm_syncobj_add_point(out->syncobj, out->chain, fence, out->point);
		out->chain = NULL;
	} else {
		drm_syncobj_replace_fence(out->syncobj, fence);
	}
}

static void npu_out_sync_put(struct npu_out_sync *out)
{
	dma_fence_chain_free(out->chain);
	if (out->syncobj)
		drm_syncobj_put(out->syncobj);
}

static int npu_job_add_in_syncs(struct npu_job *job, struct drm_file *file,
				const struct drm_npu_sync *syncs, u32 count)
{
	u32 i;
	int ret;

	for (i = 0; i < count; i++) {
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file, syncs[i].handle,
							   syncs[i].point);
		if (ret) {
			drm_dbg(file->minor->dev, "submit: in syncobj %u point %llu: %d\n",
				syncs[i].handle, syncs[i].point, ret);
			return ret;
		}
	}
	return 0;
}

/* Has this file caused enough resets to be refused? */
static bool npu_file_banned(struct npu_file_priv *fpriv)
{
	u32 limit = fpriv->ndev->caps.ban_resets;

	return limit && atomic_read(&fpriv->vm->guilty_resets) >= limit;
}

int npu_ioctl_submit_job(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct npu_file_priv *fpriv = file->driver_priv;
	struct npu_device *ndev = to_npu_device(dev);
	struct drm_npu_submit *args = data;
	struct npu_out_sync out_sync = { };
	struct drm_npu_bo_ref *refs = NULL;
	struct drm_npu_sync *in_syncs = NULL;
	struct dma_fence *finished;
	struct ww_acquire_ctx ctx;
	struct npu_job *job;
	u32 *usage = NULL;
	u32 i, id = 0;
	int ret, idx;

	ret = npu_check_submit_args(args);
	if (ret) {
		drm_dbg(dev, "submit: bad flags, pad, counts or stream range\n");
		return ret;
	}
	if (npu_file_banned(fpriv)) {
		drm_dbg(dev, "submit: this file caused %d resets and is banned\n",
			atomic_read(&fpriv->vm->guilty_resets));
		return -EIO;
	}
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;

	refs = npu_copy_array(args->bos, args->bo_count, sizeof(*refs));
	in_syncs = npu_copy_array(args->in_syncs, args->in_sync_count, sizeof(*in_syncs));
	if (IS_ERR(refs) || IS_ERR(in_syncs)) {
		ret = IS_ERR(refs) ? PTR_ERR(refs) : PTR_ERR(in_syncs);
		goto out_free_arrays;
	}
	ret = npu_check_bo_refs(refs, args->bo_count);
	if (ret) {
		drm_dbg(dev, "submit: a BO reference has no or unknown flags\n");
		goto out_free_arrays;
	}
	ret = npu_check_syncs(in_syncs, args->in_sync_count);
	if (ret) {
		drm_dbg(dev, "submit: an in-sync has a non-zero pad\n");
		goto out_free_arrays;
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		ret = -ENOMEM;
		goto out_free_arrays;
	}
	job->ndev = ndev;
	INIT_LIST_HEAD(&job->link);
	job->hw_fence = kzalloc(sizeof(*job->hw_fence), GFP_KERNEL);
	job->result = npu_result_alloc();
	job->bos = kvcalloc(args->bo_count + 1, sizeof(*job->bos), GFP_KERNEL);
	usage = kvcalloc(args->bo_count + 1, sizeof(*usage), GFP_KERNEL);
	if (!job->hw_fence || !job->result || !job->bos || !usage) {
		ret = -ENOMEM;
		goto out_release_job;
	}

	ret = npu_job_lookup_bos(job, usage, file, args, refs);
	if (ret)
		goto out_release_job;
	ret = npu_out_sync_get(file, &args->out_sync, &out_sync);
	if (ret)
		goto out_release_job;
	/* The device stays powered from here until the job is freed. */
	ret = npu_pm_job_get(ndev);
	if (ret)
		goto out_release_job;
	job->pm_ref = true;

	if (!(args->flags & DRM_NPU_SUBMIT_NO_RESULT)) {
		ret = npu_results_add(&fpriv->results, job->result, &id);
		if (ret) {
			if (ret == -EBUSY)
				drm_dbg(dev, "submit: %u results are waiting to be collected\n",
					fpriv->results.max);
			goto out_release_job;
		}
	}
	ret = drm_sched_job_init(&job->base, &fpriv->entity, 1, fpriv, file->client_id);
	if (ret)
		goto out_remove_result;
	ret = npu_job_add_in_syncs(job, file, in_syncs, args->in_sync_count);
	if (ret)
		goto out_cleanup_job;

	ret = drm_gem_lock_reservations(job->bos, job->bo_count, &ctx);
	if (ret)
		goto out_cleanup_job;
	ret = npu_job_add_implicit_deps(job, usage);
	if (ret)
		goto out_unlock;

	/* Nothing fails from here on. */
	job->vm = npu_vm_get(fpriv->vm);
	npu_vm_active_get(job->vm);
	drm_sched_job_arm(&job->base);
	finished = dma_fence_get(&job->base.s_fence->finished);
	/* Publishes the job to waiters that find its id. */
	smp_store_release(&job->result->fence, dma_fence_get(finished));
	for (i = 0; i < job->bo_count; i++)
		dma_resv_add_fence(job->bos[i]->resv, finished,
				   usage[i] & DRM_NPU_BO_WRITE ? DMA_RESV_USAGE_WRITE :
								 DMA_RESV_USAGE_READ);
	/*
	 * Unlock first: once pushed, the job may run, finish and be freed
	 * on another CPU, job->bos with it.  The fences are in place, so a
	 * submitter that locks these BOs next already depends on this job.
	 */
	drm_gem_unlock_reservations(job->bos, job->bo_count, &ctx);
	atomic64_inc(&ndev->jobs_submitted);
	trace_npu_submit(job, id);
	drm_sched_entity_push_job(&job->base);

	npu_out_sync_signal(&out_sync, finished);
	dma_fence_put(finished);
	args->job_id = id;
	ret = 0;
	goto out_put_sync;

out_unlock:
	drm_gem_unlock_reservations(job->bos, job->bo_count, &ctx);
out_cleanup_job:
	drm_sched_job_cleanup(&job->base);
out_remove_result:
	npu_results_remove(&fpriv->results, id, job->result);
out_release_job:
	npu_job_release(job);
out_put_sync:
	npu_out_sync_put(&out_sync);
	kvfree(usage);
out_free_arrays:
	if (!IS_ERR(in_syncs))
		kvfree(in_syncs);
	if (!IS_ERR(refs))
		kvfree(refs);
	drm_dev_exit(idx);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Wait                                                                */
/* ------------------------------------------------------------------ */

static int npu_wait_job(struct npu_file_priv *fpriv, struct drm_npu_wait *args,
			signed long timeout)
{
	struct npu_result *res;
	struct dma_fence *fence;
	long ret;

	res = npu_results_get(&fpriv->results, args->job_id);
	if (!res)
		return -ENOENT;
	/* Pairs with the release in submit: the fence is complete when seen. */
	fence = smp_load_acquire(&res->fence);
	if (!fence) {
		/* Still being submitted: its id was never returned. */
		ret = -ENOENT;
		goto out_put;
	}
	ret = dma_fence_wait_timeout(fence, true, timeout);
	if (ret == 0)
		ret = -ETIME;
	if (ret < 0)
		goto out_put;

	args->job_status = res->status;
	args->fault_offset = res->fault_offset;
	args->fault_addr = res->fault_addr;
	memcpy(args->counters, res->counters, sizeof(args->counters));
	/* -ETIMEDOUT, -EIO or -ECANCELED when the driver ended the job. */
	ret = fence->error;
	npu_results_remove(&fpriv->results, args->job_id, res);
out_put:
	npu_result_put(res);
	return ret;
}

static int npu_wait_bo(struct drm_file *file, u32 handle, signed long timeout)
{
	struct drm_gem_object *obj;
	long ret;

	obj = drm_gem_object_lookup(file, handle);
	if (!obj)
		return -ENOENT;
	ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_READ, true, timeout);
	drm_gem_object_put(obj);
	if (ret == 0)
		return -ETIME;
	return ret < 0 ? ret : 0;
}

int npu_ioctl_wait_job(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_npu_wait *args = data;
	signed long timeout;
	int ret;

	ret = npu_check_wait_args(args);
	if (ret) {
		drm_dbg(dev, "wait: bad type %u, pad or unused field\n", args->type);
		return ret;
	}
	/* No hardware access; remove() ends every job, so waits never hang. */
	if (drm_dev_is_unplugged(dev))
		return -ENODEV;

	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	if (args->type == DRM_NPU_WAIT_BO)
		return npu_wait_bo(file, args->handle, timeout);
	return npu_wait_job(file->driver_priv, args, timeout);
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

static bool npu_job_sched_idle(struct drm_gpu_scheduler *sched)
{
	guard(spinlock)(&sched->job_list_lock);
	return list_empty(&sched->pending_list);
}

static void npu_job_sched_fini(struct drm_device *drm, void *arg)
{
	struct npu_device *ndev = to_npu_device(drm);
	unsigned int tries;

	/* Let the scheduler free the jobs that remove() ended. */
	for (tries = 0; tries < 100 && !npu_job_sched_idle(&ndev->sched); tries++) {
		flush_workqueue(ndev->sched.submit_wq);
		msleep(20);
	}
	drm_sched_fini(&ndev->sched);
}

static void npu_job_wq_destroy(struct drm_device *drm, void *arg)
{
	struct npu_device *ndev = to_npu_device(drm);

	destroy_workqueue(ndev->reset_wq);
}

int npu_job_init(struct npu_device *ndev)
{
	size_t ring_bytes = NPU_RING_ENTRIES * sizeof(struct npu_job_desc);
	size_t done_bytes = NPU_RING_ENTRIES * sizeof(struct npu_job_done);
	struct drm_sched_init_args args = {
		.ops = &npu_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = NPU_RING_ENTRIES,
		.timeout = npu_job_timeout_ms ? msecs_to_jiffies(npu_job_timeout_ms) :
						MAX_SCHEDULE_TIMEOUT,
		.name = "npu",
		.dev = ndev->drm.dev,
	};
	int ret;

	spin_lock_init(&ndev->job_lock);
	spin_lock_init(&ndev->fence_lock);
	INIT_LIST_HEAD(&ndev->inflight);
	INIT_WORK(&ndev->recover_work, npu_job_recover_work);
	ndev->fence_context = dma_fence_context_alloc(1);
	ndev->next_seqno = 1;

	/* Ring, then the done records, then the fence word; all 8-aligned. */
	ndev->queue_cpu = dmam_alloc_coherent(ndev->drm.dev, ring_bytes + done_bytes + 8,
					      &ndev->queue_dma, GFP_KERNEL);
	if (!ndev->queue_cpu)
		return -ENOMEM;
	ndev->ring = ndev->queue_cpu;
	ndev->ring_dma = ndev->queue_dma;
	ndev->done = ndev->queue_cpu + ring_bytes;
	ndev->done_dma = ndev->queue_dma + ring_bytes;
	ndev->fence_word = ndev->queue_cpu + ring_bytes + done_bytes;
	ndev->fence_dma = ndev->queue_dma + ring_bytes + done_bytes;
	WRITE_ONCE(*ndev->fence_word, 0);

	ndev->reset_wq = alloc_ordered_workqueue("npu-reset", 0);
	if (!ndev->reset_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(&ndev->drm, npu_job_wq_destroy, NULL);
	if (ret)
		return ret;

	args.timeout_wq = ndev->reset_wq;
	ret = drm_sched_init(&ndev->sched, &args);
	if (ret) {
		drm_err(&ndev->drm, "cannot create the job scheduler: %d\n", ret);
		return ret;
	}
	return drmm_add_action_or_reset(&ndev->drm, npu_job_sched_fini, NULL);
}

int npu_job_open(struct npu_file_priv *fpriv)
{
	struct drm_gpu_scheduler *sched = &fpriv->ndev->sched;

	npu_results_init(&fpriv->results, NPU_MAX_RESULTS);
	return drm_sched_entity_init(&fpriv->entity, DRM_SCHED_PRIORITY_NORMAL, &sched, 1,
				     NULL);
}

void npu_job_close(struct npu_file_priv *fpriv)
{
	drm_sched_entity_destroy(&fpriv->entity);
	npu_results_fini(&fpriv->results);
}
