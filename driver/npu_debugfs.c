// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * debugfs: registers, firmware state and log, live BOs, jobs on the ring,
 * counters, and a "reset" file that resets the device on demand
 * (recovery tests).
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "npu_coredump.h"
#include "npu_debugfs.h"
#include "npu_device.h"
#include "npu_fw.h"
#include "npu_fw_image.h"
#include "npu_gem.h"
#include "npu_job.h"
#include "npu_mmu.h"

static struct npu_device *npu_seq_to_ndev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_npu_device(entry->dev);
}

static int npu_debugfs_regs_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = npu_seq_to_ndev(m);
	struct drm_printer p = drm_seq_file_printer(m);
	struct npu_regs_snapshot regs;
	int idx;

	if (!drm_dev_enter(&ndev->drm, &idx))
		return -ENODEV;
	npu_regs_read(ndev, &regs);
	drm_dev_exit(idx);
	npu_regs_print(&regs, &p);
	return 0;
}

static int npu_debugfs_fw_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = npu_seq_to_ndev(m);
	const struct npu_fw_header *hdr = &ndev->fw_hdr;
	u32 boot = 0, heartbeat = 0;
	int idx;

	if (drm_dev_enter(&ndev->drm, &idx)) {
		boot = npu_read(ndev, NPU_REG_BOOT_STATUS);
		heartbeat = npu_read(ndev, NPU_REG_HEARTBEAT);
		drm_dev_exit(idx);
	}
	seq_printf(m, "file: %s, %zu bytes, image %u.%u.%u, API %u.%u, entry %#x\n",
		   NPU_FW_NAME, ndev->fw_size, hdr->image_version >> 16,
		   (hdr->image_version >> 8) & 0xff, hdr->image_version & 0xff,
		   NPU_FW_API_MAJOR(hdr->api_version), NPU_FW_API_MINOR(hdr->api_version),
		   hdr->entry);
	seq_printf(m, "running: %u.%u.%u, API %u.%u\n", ndev->caps.fw_version >> 16,
		   (ndev->caps.fw_version >> 8) & 0xff, ndev->caps.fw_version & 0xff,
		   NPU_FW_API_MAJOR(ndev->caps.fw_api_version),
		   NPU_FW_API_MINOR(ndev->caps.fw_api_version));
	seq_printf(m, "boot status: %#x (%s)\n", boot, npu_boot_status_str(boot));
	seq_printf(m, "heartbeat: %u\n", heartbeat);
	seq_printf(m, "ready: %s\n", test_bit(NPU_FLAG_FW_READY, &ndev->flags) ? "yes" : "no");
	seq_printf(m, "dead: %s\n", test_bit(NPU_FLAG_DEAD, &ndev->flags) ? "yes" : "no");
	return 0;
}

/* The firmware log as the device holds it (the newest 4 KiB). */
static int npu_debugfs_fw_log_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = npu_seq_to_ndev(m);
	ssize_t len;
	char *buf;

	buf = kmalloc(NPU_FW_LOG_BYTES, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	len = npu_fw_log_read(ndev, buf, NPU_FW_LOG_BYTES);
	if (len > 0)
		seq_write(m, buf, len);
	kfree(buf);
	return len < 0 ? len : 0;
}

static int npu_debugfs_bos_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = npu_seq_to_ndev(m);
	unsigned int count = 0;
	u64 total = 0;
	struct npu_bo_mapping *map;
	struct npu_bo *bo;

	/* A line per mapping: a shared BO shows once per file that maps it. */
	seq_puts(m, "ctx         va       size  flags\n");
	scoped_guard(mutex, &ndev->bo_lock) {
		list_for_each_entry(bo, &ndev->bo_list, dev_link) {
			guard(mutex)(&bo->map_lock);
			/* Context 0: the file is gone, the mapping stays with the BO. */
			list_for_each_entry(map, &bo->mappings, link)
				seq_printf(m, "%3u %#10llx %10zu  %s\n",
					   READ_ONCE(map->vm->bound) ? map->vm->ctx : 0,
					   map->node.start, bo->base.base.size,
					   bo->flags & DRM_NPU_BO_DEVICE_READONLY ? "ro" : "rw");
			count++;
			total += bo->base.base.size;
		}
	}
	seq_printf(m, "%u BOs, %llu bytes\n", count, total);
	return 0;
}

static int npu_debugfs_jobs_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = npu_seq_to_ndev(m);
	struct npu_job *job;

	seq_printf(m, "submitted: %lld\ncompleted: %lld\nresets: %d\nmmu faults: %d\n",
		   (long long)atomic64_read(&ndev->jobs_submitted),
		   (long long)atomic64_read(&ndev->jobs_completed),
		   atomic_read(&ndev->reset_count), atomic_read(&ndev->mmu_faults));
	scoped_guard(spinlock, &ndev->job_lock) {
		seq_printf(m, "ring tail: %u, next seqno: %u, fence: %u, in flight: %u\n",
			   ndev->ring_tail, ndev->next_seqno,
			   le32_to_cpu(READ_ONCE(*ndev->fence_word)), ndev->inflight_count);
		list_for_each_entry(job, &ndev->inflight, link)
			seq_printf(m, "  seqno %u slot %2u ctx %2u cmd %#x+%u\n", job->hw_seqno,
				   job->slot, job->vm->ctx, job->cmd_addr, job->cmd_size);
	}
	return 0;
}

static int npu_debugfs_resets_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = npu_seq_to_ndev(m);

	seq_printf(m, "%d\n", atomic_read(&ndev->reset_count));
	return 0;
}

static int npu_debugfs_pm_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = npu_seq_to_ndev(m);

	seq_printf(m, "runtime suspends: %d\nruntime resumes: %d\nheartbeat resets: %d\n",
		   atomic_read(&ndev->pm_suspends), atomic_read(&ndev->pm_resumes),
		   atomic_read(&ndev->heartbeat_resets));
	return 0;
}

static ssize_t npu_debugfs_reset_write(struct file *file, const char __user *buf,
				       size_t count, loff_t *pos)
{
	struct npu_device *ndev = file->private_data;

	npu_job_reset(ndev, "reset requested through debugfs");
	return count;
}

static const struct file_operations npu_debugfs_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = npu_debugfs_reset_write,
};

static const struct drm_debugfs_info npu_debugfs_list[] = {
	{ "regs", npu_debugfs_regs_show },
	{ "fw", npu_debugfs_fw_show },
	{ "fw_log", npu_debugfs_fw_log_show },
	{ "bos", npu_debugfs_bos_show },
	{ "pm", npu_debugfs_pm_show },
	{ "jobs", npu_debugfs_jobs_show },
	{ "resets", npu_debugfs_resets_show },
};

void npu_debugfs_init(struct npu_device *ndev)
{
	drm_debugfs_add_files(&ndev->drm, npu_debugfs_list, ARRAY_SIZE(npu_debugfs_list));
	debugfs_create_file("reset", 0200, ndev->drm.debugfs_root, ndev,
			    &npu_debugfs_reset_fops);
}
