// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Power and liveness.
 *
 * Runtime PM: after autosuspend_ms without jobs the device idles down
 * (its firmware stopped, the device held in reset) and the next submit
 * brings it back, firmware booted and handshaken.  Every job holds a
 * runtime PM reference from submit until it is freed, so the device
 * never suspends under a job, queued or running.
 *
 * Heartbeat watchdog: the firmware bumps HEARTBEAT between jobs and
 * while idle, never while a command stream runs (hw-spec §4.6).  So
 * the watchdog only judges an idle ring: a heartbeat that stays still
 * for NPU_HEARTBEAT_CHECKS periods of heartbeat_ms with nothing on the
 * ring means the firmware is stuck, and the device is reset.  Jobs
 * that never finish are the job timeout's business instead.
 */
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "npu_device.h"
#include "npu_fw.h"
#include "npu_job.h"
#include "npu_pm.h"

static int npu_autosuspend_ms = 1000;
module_param_named(autosuspend_ms, npu_autosuspend_ms, int, 0444);
MODULE_PARM_DESC(autosuspend_ms,
		 "Idle time before the device is powered down (ms, negative = never; also power/autosuspend_delay_ms)");

static unsigned int npu_heartbeat_ms = 500;
module_param_named(heartbeat_ms, npu_heartbeat_ms, uint, 0444);
MODULE_PARM_DESC(heartbeat_ms, "Firmware heartbeat check period (ms, 0 = no check)");

/* Periods a still heartbeat is tolerated on an idle ring. */
#define NPU_HEARTBEAT_CHECKS	3

static struct npu_device *npu_dev_to_ndev(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

static int npu_runtime_suspend(struct device *dev)
{
	struct npu_device *ndev = npu_dev_to_ndev(dev);

	guard(mutex)(&ndev->reset_lock);
	npu_fw_log_save(ndev);
	npu_hw_stop(ndev);
	atomic_inc(&ndev->pm_suspends);
	return 0;
}

static int npu_runtime_resume(struct device *dev)
{
	struct npu_device *ndev = npu_dev_to_ndev(dev);
	int ret;

	guard(mutex)(&ndev->reset_lock);
	atomic_inc(&ndev->pm_resumes);
	if (test_bit(NPU_FLAG_DEAD, &ndev->flags))
		return 0;
	ret = npu_hw_restart(ndev);
	if (ret) {
		/* Jobs then fail with -EIO rather than with PM errors. */
		set_bit(NPU_FLAG_DEAD, &ndev->flags);
		dev_err(dev, "the device does not work after power-up (%d); jobs fail until the driver is reloaded\n",
			ret);
	}
	return 0;
}

const struct dev_pm_ops npu_pm_ops = {
	RUNTIME_PM_OPS(npu_runtime_suspend, npu_runtime_resume, NULL)
};

int npu_pm_job_get(struct npu_device *ndev)
{
	int ret = pm_runtime_resume_and_get(ndev->drm.dev);

	if (ret < 0) {
		drm_dbg(&ndev->drm, "cannot power the device up: %d\n", ret);
		return -EIO;
	}
	return 0;
}

void npu_pm_job_put(struct npu_device *ndev)
{
	pm_runtime_mark_last_busy(ndev->drm.dev);
	pm_runtime_put_autosuspend(ndev->drm.dev);
}

/* One watchdog sample; true when the firmware is judged stuck. */
static bool npu_heartbeat_stalled(struct npu_device *ndev)
{
	u32 beat, generation;
	bool idle;

	scoped_guard(spinlock, &ndev->job_lock)
		idle = !ndev->inflight_count;
	beat = npu_read(ndev, NPU_REG_HEARTBEAT);
	generation = READ_ONCE(ndev->hw_generation);
	/* Jobs, a reboot since the last sample or a live beat: start over. */
	if (!idle || !test_bit(NPU_FLAG_FW_READY, &ndev->flags) ||
	    test_bit(NPU_FLAG_DEAD, &ndev->flags) || beat != ndev->heartbeat_last ||
	    generation != ndev->heartbeat_generation)
		ndev->heartbeat_stalls = 0;
	else
		ndev->heartbeat_stalls++;
	ndev->heartbeat_last = beat;
	ndev->heartbeat_generation = generation;
	if (ndev->heartbeat_stalls < NPU_HEARTBEAT_CHECKS)
		return false;
	ndev->heartbeat_stalls = 0;
	return true;
}

static void npu_heartbeat_work(struct work_struct *work)
{
	struct npu_device *ndev = container_of(to_delayed_work(work), struct npu_device,
					       heartbeat_work);
	struct device *dev = ndev->drm.dev;
	bool stalled = false;
	int idx;

	/* A powered-down device has no heartbeat to watch. */
	if (pm_runtime_get_if_active(dev) > 0) {
		if (drm_dev_enter(&ndev->drm, &idx)) {
			stalled = npu_heartbeat_stalled(ndev);
			drm_dev_exit(idx);
		}
		if (stalled) {
			atomic_inc(&ndev->heartbeat_resets);
			npu_job_reset(ndev, "firmware heartbeat stopped");
		}
		pm_runtime_put_autosuspend(dev);
	}
	queue_delayed_work(ndev->reset_wq, &ndev->heartbeat_work,
			   msecs_to_jiffies(npu_heartbeat_ms));
}

void npu_pm_init(struct npu_device *ndev)
{
	struct device *dev = ndev->drm.dev;

	INIT_DELAYED_WORK(&ndev->heartbeat_work, npu_heartbeat_work);
	/* On the reset queue: never at the same time as a timeout. */
	if (npu_heartbeat_ms)
		queue_delayed_work(ndev->reset_wq, &ndev->heartbeat_work,
				   msecs_to_jiffies(npu_heartbeat_ms));

	pm_runtime_set_autosuspend_delay(dev, npu_autosuspend_ms);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_mark_last_busy(dev);
	pm_runtime_allow(dev);
	/* Drops the reference the PCI core took for probe. */
	pm_runtime_put_autosuspend(dev);
}

void npu_pm_fini(struct npu_device *ndev)
{
	struct device *dev = ndev->drm.dev;

	cancel_delayed_work_sync(&ndev->heartbeat_work);
	/* The PCI core resumed the device for remove(); keep it so. */
	pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
	pm_runtime_dont_use_autosuspend(dev);
}
