/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Runtime power management and the firmware heartbeat watchdog.
 */
#ifndef NPU_PM_H
#define NPU_PM_H

#include <linux/pm.h>

struct npu_device;

extern const struct dev_pm_ops npu_pm_ops;

/* End of probe: allow runtime suspend, start the heartbeat watchdog. */
void npu_pm_init(struct npu_device *ndev);
/* Start of remove: stop the watchdog, keep the device powered. */
void npu_pm_fini(struct npu_device *ndev);

/* A job keeps the device powered from submit until it is freed. */
int npu_pm_job_get(struct npu_device *ndev);
void npu_pm_job_put(struct npu_device *ndev);

#endif /* NPU_PM_H */
