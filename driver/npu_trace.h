/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_trace.h - tracepoints of the job path, under events/npu/ in
 * tracefs: submit (the ioctl queued a job), run (run_job wrote it to
 * the ring), complete (the fence word passed it; status from its done
 * record), mmu_fault (the fault report registers) and reset.
 *
 * A job is named by its scheduler fence (fence=context:seqno) from
 * submit on, and by its device seqno (seqno=) once it is on the ring.
 */
#if !defined(NPU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NPU_TRACE_H

#include <linux/device.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

#include "npu_device.h"
#include "npu_job.h"
#include "npu_mmu.h"

#undef TRACE_SYSTEM
#define TRACE_SYSTEM npu
#define TRACE_INCLUDE_FILE npu_trace

TRACE_EVENT(npu_submit,
	    TP_PROTO(const struct npu_job *job, u32 job_id),
	    TP_ARGS(job, job_id),

	    TP_STRUCT__entry(__string(dev, dev_name(job->ndev->drm.dev))
			     __field(u32, job_id)
			     __field(u32, ctx)
			     __field(u64, fence_context)
			     __field(u64, fence_seqno)
			     __field(u32, cmd_addr)
			     __field(u32, cmd_size)
			     __field(u32, bo_count)),

	    TP_fast_assign(__assign_str(dev);
			   __entry->job_id = job_id;
			   __entry->ctx = job->vm->ctx;
			   __entry->fence_context = job->base.s_fence->finished.context;
			   __entry->fence_seqno = job->base.s_fence->finished.seqno;
			   __entry->cmd_addr = job->cmd_addr;
			   __entry->cmd_size = job->cmd_size;
			   __entry->bo_count = job->bo_count;),

	    TP_printk("dev=%s job=%u ctx=%u fence=%llu:%llu cmd=%#x+%u bos=%u",
		      __get_str(dev), __entry->job_id, __entry->ctx,
		      __entry->fence_context, __entry->fence_seqno,
		      __entry->cmd_addr, __entry->cmd_size, __entry->bo_count)
);

TRACE_EVENT(npu_run,
	    TP_PROTO(const struct npu_job *job),
	    TP_ARGS(job),

	    TP_STRUCT__entry(__string(dev, dev_name(job->ndev->drm.dev))
			     __field(u64, fence_context)
			     __field(u64, fence_seqno)
			     __field(u32, seqno)
			     __field(u32, slot)
			     __field(u32, ctx)
			     __field(u32, cmd_addr)
			     __field(u32, cmd_size)),

	    TP_fast_assign(__assign_str(dev);
			   __entry->fence_context = job->base.s_fence->finished.context;
			   __entry->fence_seqno = job->base.s_fence->finished.seqno;
			   __entry->seqno = job->hw_seqno;
			   __entry->slot = job->slot;
			   __entry->ctx = job->vm->ctx;
			   __entry->cmd_addr = job->cmd_addr;
			   __entry->cmd_size = job->cmd_size;),

	    TP_printk("dev=%s fence=%llu:%llu seqno=%u slot=%u ctx=%u cmd=%#x+%u",
		      __get_str(dev), __entry->fence_context, __entry->fence_seqno,
		      __entry->seqno, __entry->slot, __entry->ctx,
		      __entry->cmd_addr, __entry->cmd_size)
);

/* status is enum npu_err from the done record; error the fence's (-EIO: no record). */
TRACE_EVENT(npu_complete,
	    TP_PROTO(const struct npu_job *job),
	    TP_ARGS(job),

	    TP_STRUCT__entry(__string(dev, dev_name(job->ndev->drm.dev))
			     __field(u64, fence_context)
			     __field(u64, fence_seqno)
			     __field(u32, seqno)
			     __field(u32, status)
			     __field(int, error)
			     __field(u32, fault_offset)
			     __field(u32, fault_addr)),

	    TP_fast_assign(__assign_str(dev);
			   __entry->fence_context = job->base.s_fence->finished.context;
			   __entry->fence_seqno = job->base.s_fence->finished.seqno;
			   __entry->seqno = job->hw_seqno;
			   __entry->status = job->result->status;
			   __entry->error = job->hw_fence->error;
			   __entry->fault_offset = job->result->fault_offset;
			   __entry->fault_addr = job->result->fault_addr;),

	    TP_printk("dev=%s fence=%llu:%llu seqno=%u status=%u error=%d fault_offset=%#x fault_addr=%#x",
		      __get_str(dev), __entry->fence_context, __entry->fence_seqno,
		      __entry->seqno, __entry->status, __entry->error,
		      __entry->fault_offset, __entry->fault_addr)
);

/* status is FAULT_STATUS: type, engine and context of the fault. */
TRACE_EVENT(npu_mmu_fault,
	    TP_PROTO(const struct npu_device *ndev, u32 status, u32 addr, u32 seqno),
	    TP_ARGS(ndev, status, addr, seqno),

	    TP_STRUCT__entry(__string(dev, dev_name(ndev->drm.dev))
			     __field(u32, ctx)
			     __field(u32, addr)
			     __field(u32, seqno)
			     __field(u32, type)
			     __field(u32, engine)),

	    TP_fast_assign(__assign_str(dev);
			   __entry->ctx = NPU_FAULT_CTX(status);
			   __entry->addr = addr;
			   __entry->seqno = seqno;
			   __entry->type = NPU_FAULT_TYPE(status);
			   __entry->engine = NPU_FAULT_ENGINE(status);),

	    TP_printk("dev=%s ctx=%u addr=%#x seqno=%u type=%u engine=%u",
		      __get_str(dev), __entry->ctx, __entry->addr, __entry->seqno,
		      __entry->type, __entry->engine)
);

/* count is the device's resets so far, this one included; ret is the restart's result. */
TRACE_EVENT(npu_reset,
	    TP_PROTO(const struct npu_device *ndev, const char *reason, int count, int ret),
	    TP_ARGS(ndev, reason, count, ret),

	    TP_STRUCT__entry(__string(dev, dev_name(ndev->drm.dev))
			     __string(reason, reason)
			     __field(int, count)
			     __field(int, ret)),

	    TP_fast_assign(__assign_str(dev);
			   __assign_str(reason);
			   __entry->count = count;
			   __entry->ret = ret;),

	    TP_printk("dev=%s reason=\"%s\" count=%d ret=%d",
		      __get_str(dev), __get_str(reason), __entry->count, __entry->ret)
);

#endif /* NPU_TRACE_H */

/*
 * Outside the guard.  define_trace.h includes "./npu_trace.h": the
 * objects that create the events add this folder to the include path
 * (Kbuild, and the KUnit tree's Makefile).
 */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#include <trace/define_trace.h>
