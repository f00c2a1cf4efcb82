// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Device snapshots.  The register list below is the one debugfs "regs"
 * shows and a devcoredump records.
 *
 * Devcoredump: every reset first records the device as the reset path
 * found it: the reason, the registers, the firmware log (a reset
 * empties it), and the jobs on the ring, the guilty one with its
 * descriptor and done record as the ring slot holds them.  That record
 * is taken in the reset path, without sleeping allocations; a worker
 * prints it as text into a vmalloc buffer and hands that to
 * dev_coredumpv() (which allocates with GFP_KERNEL on its own).  Read
 * it with cat /sys/class/devcoredump/devcd<n>/data; any write to that
 * file deletes it.  The devcoredump class keeps one dump per device
 * until it is deleted or times out (5 minutes): later ones are dropped.
 */
#include <linux/ctype.h>
#include <linux/devcoredump.h>
#include <linux/dma-fence.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "npu_coredump.h"
#include "npu_device.h"
#include "npu_fw.h"
#include "npu_job.h"
#include "npu_mmu.h"

/* ------------------------------------------------------------------ */
/* Registers                                                           */
/* ------------------------------------------------------------------ */

#define NPU_REG_NAME(r)	{ #r, r }

static const struct {
	const char *name;
	u32 offset;
} npu_snapshot_regs[] = {
	NPU_REG_NAME(NPU_REG_ID),
	NPU_REG_NAME(NPU_REG_HW_VERSION),
	NPU_REG_NAME(NPU_REG_CAP_MAC),
	NPU_REG_NAME(NPU_REG_CAP_SRAM),
	NPU_REG_NAME(NPU_REG_CAP_CLOCK),
	NPU_REG_NAME(NPU_REG_CAP_DRAM_BW),
	NPU_REG_NAME(NPU_REG_CAP_QUEUES),
	NPU_REG_NAME(NPU_REG_CAP_OPS),
	NPU_REG_NAME(NPU_REG_CAP_CP_MEM),
	NPU_REG_NAME(NPU_REG_STATUS),
	NPU_REG_NAME(NPU_REG_BOOT_STATUS),
	NPU_REG_NAME(NPU_REG_FW_VERSION),
	NPU_REG_NAME(NPU_REG_FW_ADDR_LO),
	NPU_REG_NAME(NPU_REG_FW_ADDR_HI),
	NPU_REG_NAME(NPU_REG_FW_SIZE),
	NPU_REG_NAME(NPU_REG_HEARTBEAT),
	NPU_REG_NAME(NPU_REG_CP_TRAP_CAUSE),
	NPU_REG_NAME(NPU_REG_CP_TRAP_PC),
	NPU_REG_NAME(NPU_REG_CP_TRAP_VALUE),
	NPU_REG_NAME(NPU_REG_FW_LOG_LEN),
	NPU_REG_NAME(NPU_REG_MBOX_H2F_CMD),
	NPU_REG_NAME(NPU_REG_MBOX_H2F_SEQ),
	NPU_REG_NAME(NPU_REG_MBOX_F2H_CMD),
	NPU_REG_NAME(NPU_REG_MBOX_F2H_ARG0),
	NPU_REG_NAME(NPU_REG_MBOX_F2H_ARG1),
	NPU_REG_NAME(NPU_REG_MBOX_F2H_SEQ),
	NPU_REG_NAME(NPU_REG_RING_BASE_LO),
	NPU_REG_NAME(NPU_REG_RING_BASE_HI),
	NPU_REG_NAME(NPU_REG_RING_SIZE),
	NPU_REG_NAME(NPU_REG_RING_HEAD),
	NPU_REG_NAME(NPU_REG_RING_TAIL),
	NPU_REG_NAME(NPU_REG_FENCE_ADDR_LO),
	NPU_REG_NAME(NPU_REG_FENCE_ADDR_HI),
	NPU_REG_NAME(NPU_REG_LAST_SEQNO),
	NPU_REG_NAME(NPU_REG_IRQ_STATUS),
	NPU_REG_NAME(NPU_REG_IRQ_MASK),
	NPU_REG_NAME(NPU_REG_FAULT_STATUS),
	NPU_REG_NAME(NPU_REG_FAULT_ADDR),
	NPU_REG_NAME(NPU_REG_FAULT_SEQNO),
};

static_assert(ARRAY_SIZE(npu_snapshot_regs) == NPU_SNAPSHOT_REGS);

static const char * const npu_perf_names[NPU_PERF_COUNT] = {
	"cycles", "mac_cycles", "dma_cycles", "ppu_cycles", "stall_cycles", "macs",
	"dma_rd_bytes", "dma_wr_bytes", "commands", "jobs", "job_faults",
};

void npu_regs_read(struct npu_device *ndev, struct npu_regs_snapshot *s)
{
	unsigned int i;

	for (i = 0; i < NPU_SNAPSHOT_REGS; i++)
		s->regs[i] = npu_read(ndev, npu_snapshot_regs[i].offset);
	s->mmu_root[0] = 0;
	for (i = 1; i < NPU_MAX_CONTEXTS; i++)
		s->mmu_root[i] = (u64)npu_read(ndev, NPU_REG_MMU_ROOT_HI(i)) << 32 |
				 npu_read(ndev, NPU_REG_MMU_ROOT_LO(i));
	for (i = 0; i < NPU_PERF_COUNT; i++)
		s->perf[i] = npu_read64(ndev, NPU_REG_PERF_LO(i));
}

void npu_regs_print(const struct npu_regs_snapshot *s, struct drm_printer *p)
{
	unsigned int i;

	for (i = 0; i < NPU_SNAPSHOT_REGS; i++)
		drm_printf(p, "%-24s %#05x  %#010x\n", npu_snapshot_regs[i].name,
			   npu_snapshot_regs[i].offset, s->regs[i]);
	for (i = 1; i < NPU_MAX_CONTEXTS; i++)
		drm_printf(p, "NPU_REG_MMU_ROOT(%2u)      %#05x  %#010x%08x\n", i,
			   NPU_REG_MMU_ROOT_LO(i), upper_32_bits(s->mmu_root[i]),
			   lower_32_bits(s->mmu_root[i]));
	for (i = 0; i < NPU_PERF_COUNT; i++)
		drm_printf(p, "perf.%-19s %#05x  %llu\n", npu_perf_names[i], NPU_REG_PERF_LO(i),
			   s->perf[i]);
}

/* ------------------------------------------------------------------ */
/* Devcoredump                                                         */
/* ------------------------------------------------------------------ */

struct npu_coredump_job {
	u32 seqno;
	u32 slot;
	u32 ctx;
	u32 cmd_addr;
	u32 cmd_size;
	bool guilty;
};

/* What the reset path found; printed later by npu_coredump_work(). */
struct npu_coredump {
	char reason[64];
	u64 boottime_ns;
	int resets;			/* before this one */
	unsigned long flags;		/* NPU_FLAG_* */
	u32 hw_version;
	u32 fw_version;
	u32 fw_api_version;

	/* Under job_lock. */
	u32 fence;
	u32 ring_tail;
	u32 next_seqno;
	u32 njobs;
	struct npu_coredump_job jobs[NPU_RING_ENTRIES];
	bool blamed;			/* the reset named a guilty job */
	int guilty;			/* its index in jobs[], -1 if not on the ring */
	struct npu_job_desc desc;	/* its ring slot */
	struct npu_job_done done;

	struct npu_regs_snapshot regs;
	u32 log_len;
	char log[NPU_FW_LOG_BYTES];
};

/* Under job_lock: the ring's bookkeeping and its jobs, in ring order. */
static void npu_coredump_ring(struct npu_device *ndev, struct npu_coredump *cd,
			      struct dma_fence *guilty)
{
	struct npu_job *job;

	lockdep_assert_held(&ndev->job_lock);
	cd->fence = le32_to_cpu(READ_ONCE(*ndev->fence_word));
	cd->ring_tail = ndev->ring_tail;
	cd->next_seqno = ndev->next_seqno;
	list_for_each_entry(job, &ndev->inflight, link) {
		struct npu_coredump_job *j;

		if (cd->njobs == ARRAY_SIZE(cd->jobs))
			break;
		j = &cd->jobs[cd->njobs];
		j->seqno = job->hw_seqno;
		j->slot = job->slot;
		j->ctx = job->vm->ctx;
		j->cmd_addr = job->cmd_addr;
		j->cmd_size = job->cmd_size;
		j->guilty = guilty && job->hw_fence == guilty;
		if (j->guilty) {
			cd->guilty = cd->njobs;
			memcpy(&cd->desc, &ndev->ring[job->slot], sizeof(cd->desc));
			memcpy(&cd->done, &ndev->done[job->slot], sizeof(cd->done));
		}
		cd->njobs++;
	}
}

void npu_coredump_capture(struct npu_device *ndev, struct dma_fence *guilty,
			  const char *reason)
{
	struct npu_coredump *cd;
	ssize_t len;
	u32 i;
	int idx;

	/* The first of several resets in a row is the interesting one. */
	if (READ_ONCE(ndev->coredump))
		return;
	cd = kzalloc(sizeof(*cd), GFP_NOWAIT | __GFP_NOWARN);
	if (!cd) {
		drm_dbg(&ndev->drm, "no memory for a coredump: skipped\n");
		return;
	}
	strscpy(cd->reason, reason);
	cd->boottime_ns = ktime_get_boottime_ns();
	cd->resets = atomic_read(&ndev->reset_count);
	cd->flags = READ_ONCE(ndev->flags);
	cd->hw_version = ndev->caps.hw_version;
	cd->fw_version = ndev->caps.fw_version;
	cd->fw_api_version = ndev->caps.fw_api_version;
	cd->blamed = !!guilty;
	cd->guilty = -1;

	if (drm_dev_enter(&ndev->drm, &idx)) {
		npu_regs_read(ndev, &cd->regs);
		drm_dev_exit(idx);
	}
	len = npu_fw_log_read(ndev, cd->log, sizeof(cd->log));
	cd->log_len = len > 0 ? len : 0;
	/* The log is the firmware's text; keep whatever else out of the dump. */
	for (i = 0; i < cd->log_len; i++)
		if (!isprint(cd->log[i]) && cd->log[i] != '\n')
			cd->log[i] = '.';
	scoped_guard(spinlock, &ndev->job_lock)
		npu_coredump_ring(ndev, cd, guilty);

	if (cmpxchg(&ndev->coredump, NULL, cd)) {
		kfree(cd);
		return;
	}
	queue_work(system_unbound_wq, &ndev->coredump_work);
}

static void npu_coredump_print_job(const struct npu_coredump_job *j, struct drm_printer *p)
{
	drm_printf(p, "  seqno %u slot %2u ctx %2u cmd %#x+%u%s\n", j->seqno, j->slot, j->ctx,
		   j->cmd_addr, j->cmd_size, j->guilty ? " (guilty)" : "");
}

static void npu_coredump_print_guilty(const struct npu_coredump *cd, struct drm_printer *p)
{
	const struct npu_coredump_job *j = &cd->jobs[cd->guilty];
	const struct npu_job_desc *d = &cd->desc;
	const struct npu_job_done *done = &cd->done;
	unsigned int i;

	drm_printf(p, "guilty job:\n");
	drm_printf(p, "  seqno: %u\n", j->seqno);
	drm_printf(p, "  context: %u\n", j->ctx);
	drm_printf(p, "  command address: %#x\n", j->cmd_addr);
	drm_printf(p, "  command size: %u\n", j->cmd_size);
	drm_printf(p, "  ring slot: %u\n", j->slot);
	drm_printf(p, "  descriptor: seqno %u ctx %u cmd_addr %#x cmd_size %u", d->seqno, d->ctx,
		   d->cmd_addr, d->cmd_size);
	drm_printf(p, " done_addr %#llx flags %#x reserved %#x\n", d->done_addr, d->flags,
		   d->reserved);
	drm_printf(p, "  done record: %s, seqno %#x status %u fault_offset %#x fault_addr %#x\n",
		   done->seqno == j->seqno ? "written" : "not written", done->seqno,
		   done->status, done->fault_offset, done->fault_addr);
	drm_printf(p, "  done counters:");
	for (i = 0; i < ARRAY_SIZE(done->counters); i++)
		drm_printf(p, " %s %llu", npu_perf_names[i], done->counters[i]);
	drm_printf(p, "\n");
}

static void npu_coredump_print(const struct npu_coredump *cd, const char *dev,
			       struct drm_printer *p)
{
	u64 ns = cd->boottime_ns;
	u32 i;

	drm_printf(p, "npu devcoredump\n");
	drm_printf(p, "device: %s\n", dev);
	drm_printf(p, "reason: %s\n", cd->reason);
	drm_printf(p, "time: %llu.%06llu s since boot\n", ns / NSEC_PER_SEC,
		   (ns % NSEC_PER_SEC) / NSEC_PER_USEC);
	drm_printf(p, "resets before: %d\n", cd->resets);
	drm_printf(p, "hardware: %u.%u\n", cd->hw_version >> 16, cd->hw_version & 0xffff);
	drm_printf(p, "firmware: %u.%u.%u (API %u.%u), ready: %s, dead: %s\n",
		   cd->fw_version >> 16, (cd->fw_version >> 8) & 0xff, cd->fw_version & 0xff,
		   NPU_FW_API_MAJOR(cd->fw_api_version), NPU_FW_API_MINOR(cd->fw_api_version),
		   test_bit(NPU_FLAG_FW_READY, &cd->flags) ? "yes" : "no",
		   test_bit(NPU_FLAG_DEAD, &cd->flags) ? "yes" : "no");
	drm_printf(p, "ring: tail %u, next seqno %u, fence %u, %u jobs in flight\n",
		   cd->ring_tail, cd->next_seqno, cd->fence, cd->njobs);
	drm_printf(p, "\n");

	if (cd->guilty >= 0)
		npu_coredump_print_guilty(cd, p);
	else
		drm_printf(p, "guilty job: %s\n",
			   cd->blamed ? "no longer on the ring" : "none named");
	drm_printf(p, "\njobs on the ring:\n");
	for (i = 0; i < cd->njobs; i++)
		npu_coredump_print_job(&cd->jobs[i], p);

	drm_printf(p, "\nregisters:\n");
	npu_regs_print(&cd->regs, p);

	drm_printf(p, "\nfirmware log (%u bytes):\n", cd->log_len);
	drm_printf(p, "%.*s", cd->log_len, cd->log);
	if (cd->log_len && cd->log[cd->log_len - 1] != '\n')
		drm_printf(p, "\n");
}

static void npu_coredump_work(struct work_struct *work)
{
	struct npu_device *ndev = container_of(work, struct npu_device, coredump_work);
	struct npu_coredump *cd = xchg(&ndev->coredump, NULL);
	const char *dev = dev_name(ndev->drm.dev);
	struct drm_print_iterator iter = {};
	struct drm_printer p;
	size_t size;
	char *buf;

	if (!cd)
		return;
	/* Measure, then print; one spare byte for the printer's NUL. */
	iter.remain = SSIZE_MAX;
	p = drm_coredump_printer(&iter);
	npu_coredump_print(cd, dev, &p);
	size = iter.offset + 1;

	buf = vmalloc(size);
	if (buf) {
		iter = (struct drm_print_iterator){ .data = buf, .remain = size };
		p = drm_coredump_printer(&iter);
		npu_coredump_print(cd, dev, &p);
		/* Takes buf, and drops it if the device has a dump already. */
		dev_coredumpv(ndev->drm.dev, buf, iter.offset, GFP_KERNEL);
	}
	kfree(cd);
}

static void npu_coredump_fini(struct drm_device *drm, void *arg)
{
	struct npu_device *ndev = to_npu_device(drm);

	cancel_work_sync(&ndev->coredump_work);
	kfree(xchg(&ndev->coredump, NULL));
}

int npu_coredump_init(struct npu_device *ndev)
{
	ndev->coredump = NULL;
	INIT_WORK(&ndev->coredump_work, npu_coredump_work);
	return drmm_add_action_or_reset(&ndev->drm, npu_coredump_fini, NULL);
}
