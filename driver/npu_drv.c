// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The NPU DRM accel driver: PCI probe and remove, the DRM driver, its
 * ioctl table, and the per-file state (address space, MMU context,
 * scheduler entity, job results).
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "npu_coredump.h"
#include "npu_debugfs.h"
#include "npu_device.h"
#include "npu_fw.h"
#include "npu_gem.h"
#include "npu_irq.h"
#include "npu_job.h"
#include "npu_mmu.h"
#include "npu_pm.h"

/* ------------------------------------------------------------------ */
/* Query                                                               */
/* ------------------------------------------------------------------ */

int npu_check_query_args(const struct drm_npu_query *args)
{
	if (args->pad || args->param >= DRM_NPU_PARAM_COUNT)
		return -EINVAL;
	return 0;
}

int npu_query_value(const struct npu_caps *caps, u32 param, u64 *value)
{
	switch (param) {
	case DRM_NPU_PARAM_HW_VERSION:
		*value = caps->hw_version;
		return 0;
	case DRM_NPU_PARAM_FW_VERSION:
		*value = caps->fw_version;
		return 0;
	case DRM_NPU_PARAM_FW_API_VERSION:
		*value = caps->fw_api_version;
		return 0;
	case DRM_NPU_PARAM_MAC_ROWS:
		*value = caps->mac_rows;
		return 0;
	case DRM_NPU_PARAM_MAC_COLS:
		*value = caps->mac_cols;
		return 0;
	case DRM_NPU_PARAM_SRAM_SIZE:
		*value = caps->sram_size;
		return 0;
	case DRM_NPU_PARAM_CLOCK_MHZ:
		*value = caps->clock_mhz;
		return 0;
	case DRM_NPU_PARAM_DRAM_BW:
		*value = caps->dram_bw;
		return 0;
	case DRM_NPU_PARAM_CONTEXTS:
		*value = caps->contexts;
		return 0;
	case DRM_NPU_PARAM_OPS:
		*value = caps->ops;
		return 0;
	case DRM_NPU_PARAM_MAX_CMD_SIZE:
		*value = NPU_MAX_CMD_BYTES;
		return 0;
	case DRM_NPU_PARAM_MAX_BOS:
		*value = NPU_MAX_BOS;
		return 0;
	case DRM_NPU_PARAM_VA_START:
		*value = NPU_VA_START;
		return 0;
	case DRM_NPU_PARAM_VA_END:
		*value = NPU_VA_END;
		return 0;
	case DRM_NPU_PARAM_BAN_RESETS:
		*value = caps->ban_resets;
		return 0;
	default:
		return -EINVAL;
	}
}

static int npu_ioctl_query_param(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct npu_device *ndev = to_npu_device(dev);
	struct drm_npu_query *args = data;
	int ret, idx;

	ret = npu_check_query_args(args);
	if (ret) {
		drm_dbg(dev, "query: unknown parameter %u or pad set\n", args->param);
		return ret;
	}
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	ret = npu_query_value(&ndev->caps, args->param, &args->value);
	drm_dev_exit(idx);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

static int npu_open(struct drm_device *dev, struct drm_file *file)
{
	struct npu_device *ndev = to_npu_device(dev);
	struct npu_file_priv *fpriv;
	int ret;

	fpriv = kzalloc(sizeof(*fpriv), GFP_KERNEL);
	if (!fpriv)
		return -ENOMEM;
	fpriv->ndev = ndev;
	ret = npu_vm_create(ndev, &fpriv->vm);
	if (ret)
		goto err_free;
	ret = npu_job_open(fpriv);
	if (ret)
		goto err_put_vm;
	file->driver_priv = fpriv;
	return 0;

err_put_vm:
	npu_vm_active_put(fpriv->vm);
	npu_vm_put(fpriv->vm);
err_free:
	kfree(fpriv);
	return ret;
}

static void npu_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct npu_file_priv *fpriv = file->driver_priv;

	/* Queued jobs run or are killed; those running keep the context. */
	npu_job_close(fpriv);
	npu_vm_active_put(fpriv->vm);
	npu_vm_put(fpriv->vm);
	kfree(fpriv);
}

/* ------------------------------------------------------------------ */
/* DRM driver                                                          */
/* ------------------------------------------------------------------ */

static const struct drm_ioctl_desc npu_ioctls[] = {
#define NPU_IOCTL(n, func) DRM_IOCTL_DEF_DRV(NPU_##n, npu_ioctl_##func, DRM_RENDER_ALLOW)
	NPU_IOCTL(QUERY, query_param),
	NPU_IOCTL(BO_CREATE, create_bo),
	NPU_IOCTL(BO_MMAP_OFFSET, mmap_offset_bo),
	NPU_IOCTL(BO_INFO, info_bo),
	NPU_IOCTL(SUBMIT, submit_job),
	NPU_IOCTL(WAIT, wait_job),
#undef NPU_IOCTL
};

/*
 * The DRM core offers accel files the core ioctls of a primary node,
 * but an accel file has no master: GET_MAGIC and GET_UNIQUE, for one,
 * dereference file->master and oops for any user who can open the
 * node.  Let through only the driver's own ioctls and the core ioctls
 * a render node may use, and refuse the rest the way a render node
 * does.  drm_ioctl() looks at the number alone, so do we.
 */
bool npu_ioctl_allowed(unsigned int cmd)
{
	unsigned int nr = DRM_IOCTL_NR(cmd);

	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
		return true;
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_VERSION):
	case DRM_IOCTL_NR(DRM_IOCTL_GET_CAP):
	case DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
		return true;
	default:
		return false;
	}
}

/* More syncobjs than any one call of a real client names. */
#define NPU_MAX_SYNCOBJ_COUNT	4096

/*
 * The 6.12 core sizes a kmalloc by a syncobj ioctl's count_handles
 * without __GFP_NOWARN, so a huge count from any user WARNs in the page
 * allocator.  Refuse such counts before the core sees them.
 */
static int npu_syncobj_count_check(unsigned int cmd, unsigned long arg)
{
	size_t offset;
	u32 count;

	switch (DRM_IOCTL_NR(cmd)) {
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
		offset = offsetof(struct drm_syncobj_wait, count_handles);
		break;
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
		offset = offsetof(struct drm_syncobj_timeline_wait, count_handles);
		break;
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
		offset = offsetof(struct drm_syncobj_array, count_handles);
		break;
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
		offset = offsetof(struct drm_syncobj_timeline_array, count_handles);
		break;
	default:
		return 0;
	}
	/* A shorter struct is zero-extended by the core: its count is 0. */
	if (_IOC_SIZE(cmd) < offset + sizeof(count))
		return 0;
	if (copy_from_user(&count, (void __user *)(arg + offset), sizeof(count)))
		return -EFAULT;
	return count > NPU_MAX_SYNCOBJ_COUNT ? -EINVAL : 0;
}

static long npu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret;

	if (!npu_ioctl_allowed(cmd))
		return -EACCES;
	ret = npu_syncobj_count_check(cmd, arg);
	if (ret)
		return ret;
	return drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long npu_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret;

	if (!npu_ioctl_allowed(cmd))
		return -EACCES;
	ret = npu_syncobj_count_check(cmd, (unsigned long)compat_ptr(arg));
	if (ret)
		return ret;
	return drm_compat_ioctl(filp, cmd, arg);
}
#else
#define npu_compat_ioctl NULL
#endif

/* DEFINE_DRM_ACCEL_FOPS() with the ioctl filter above. */
static const struct file_operations npu_accel_fops = {
	.owner = THIS_MODULE,
	.open = accel_open,
	.release = drm_release,
	.unlocked_ioctl = npu_ioctl,
	.compat_ioctl = npu_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
	.fop_flags = FOP_UNSIGNED_OFFSET,
};

static const struct drm_driver npu_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = npu_open,
	.postclose = npu_postclose,
	.gem_create_object = npu_gem_create_object,
	.ioctls = npu_ioctls,
	.num_ioctls = ARRAY_SIZE(npu_ioctls),
	.fops = &npu_accel_fops,
	.name = NPU_DRIVER_NAME,
	.desc = "NPU int8 neural network accelerator",
	.major = 1,
	.minor = 0,
};

/* ------------------------------------------------------------------ */
/* PCI                                                                 */
/* ------------------------------------------------------------------ */

static void npu_device_fini(struct drm_device *drm, void *arg)
{
	struct npu_device *ndev = to_npu_device(drm);

	ida_destroy(&ndev->ctx_ida);
}

static unsigned int npu_ban_resets = 3;
module_param_named(ban_resets, npu_ban_resets, uint, 0444);
MODULE_PARM_DESC(ban_resets,
		 "Device resets a file's jobs may cause before its submits are refused (0 = never)");

static int npu_device_init(struct npu_device *ndev, struct pci_dev *pdev)
{
	int ret;

	ndev->pdev = pdev;
	ida_init(&ndev->ctx_ida);
	INIT_LIST_HEAD(&ndev->bo_list);
	atomic_set(&ndev->reset_count, 0);
	atomic64_set(&ndev->jobs_submitted, 0);
	atomic64_set(&ndev->jobs_completed, 0);
	atomic_set(&ndev->mmu_faults, 0);
	ndev->caps.ban_resets = npu_ban_resets;
	ret = drmm_add_action_or_reset(&ndev->drm, npu_device_fini, NULL);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&ndev->drm, &ndev->ctx_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&ndev->drm, &ndev->bo_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&ndev->drm, &ndev->fw_log_lock);
	if (ret)
		return ret;
	ndev->fw_log_saved = drmm_kzalloc(&ndev->drm, NPU_FW_LOG_BYTES, GFP_KERNEL);
	if (!ndev->fw_log_saved)
		return -ENOMEM;
	return drmm_mutex_init(&ndev->drm, &ndev->reset_lock);
}

static int npu_pci_init(struct npu_device *ndev, struct pci_dev *pdev)
{
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret) {
		dev_err(&pdev->dev, "cannot enable the PCI device: %d\n", ret);
		return ret;
	}
	pci_set_master(pdev);
	ndev->regs = pcim_iomap_region(pdev, 0, NPU_DRIVER_NAME);
	if (IS_ERR(ndev->regs)) {
		dev_err(&pdev->dev, "cannot map BAR0: %ld\n", PTR_ERR(ndev->regs));
		return PTR_ERR(ndev->regs);
	}
	if (pci_resource_len(pdev, 0) < NPU_BAR0_SIZE) {
		dev_err(&pdev->dev, "BAR0 is %llu bytes, need %u\n",
			(u64)pci_resource_len(pdev, 0), NPU_BAR0_SIZE);
		return -ENODEV;
	}
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		dev_err(&pdev->dev, "no usable DMA configuration: %d\n", ret);
	return ret;
}

static int npu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct npu_device *ndev;
	int ret;

	ndev = devm_drm_dev_alloc(&pdev->dev, &npu_drm_driver, struct npu_device, drm);
	if (IS_ERR(ndev))
		return PTR_ERR(ndev);
	pci_set_drvdata(pdev, ndev);

	/* Managed steps: undone by devres/drmm in reverse order. */
	ret = npu_device_init(ndev, pdev);
	if (ret)
		return ret;
	ret = npu_coredump_init(ndev);
	if (ret)
		return ret;
	ret = npu_pci_init(ndev, pdev);
	if (ret)
		return ret;
	ret = npu_hw_probe(ndev);
	if (ret)
		return ret;
	ret = npu_irq_init(ndev);
	if (ret)
		return ret;
	ret = npu_job_init(ndev);
	if (ret)
		return ret;
	ret = npu_fw_load(ndev);
	if (ret)
		return ret;

	/* From here on the device runs and DMAs: stop it on failure. */
	ret = npu_hw_start(ndev);
	if (ret) {
		dev_err(&pdev->dev, "firmware start failed: %d\n", ret);
		goto err_hw_stop;
	}
	dev_info(&pdev->dev, "firmware %u.%u.%u (API %u.%u) ready, MAC %ux%u, SRAM %u KiB\n",
		 ndev->caps.fw_version >> 16, (ndev->caps.fw_version >> 8) & 0xff,
		 ndev->caps.fw_version & 0xff, NPU_FW_API_MAJOR(ndev->caps.fw_api_version),
		 NPU_FW_API_MINOR(ndev->caps.fw_api_version), ndev->caps.mac_rows,
		 ndev->caps.mac_cols, ndev->caps.sram_size >> 10);

	npu_debugfs_init(ndev);
	ret = drm_dev_register(&ndev->drm, 0);
	if (ret) {
		dev_err(&pdev->dev, "cannot register the accel device: %d\n", ret);
		goto err_hw_stop;
	}
	npu_pm_init(ndev);
	return 0;

err_hw_stop:
	npu_hw_stop(ndev);
	return ret;
}

static void npu_remove(struct pci_dev *pdev)
{
	struct npu_device *ndev = pci_get_drvdata(pdev);

	npu_pm_fini(ndev);
	/* Ioctls fail with -ENODEV and hardware sections drain first. */
	drm_dev_unplug(&ndev->drm);
	scoped_guard(mutex, &ndev->reset_lock)
		npu_hw_stop(ndev);
	/* Open files may outlive us: end every job so nobody waits forever. */
	npu_job_fail_all(ndev, -ENODEV);
}

static const struct pci_device_id npu_pci_ids[] = {
	{ PCI_DEVICE(NPU_PCI_VENDOR_ID, NPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, npu_pci_ids);

static struct pci_driver npu_pci_driver = {
	.name = NPU_DRIVER_NAME,
	.id_table = npu_pci_ids,
	.probe = npu_probe,
	.remove = npu_remove,
	.driver.pm = pm_ptr(&npu_pm_ops),
};
module_pci_driver(npu_pci_driver);

MODULE_DESCRIPTION("DRM accel driver for the emulated int8 NPU");
MODULE_LICENSE("Dual MIT/GPL");
