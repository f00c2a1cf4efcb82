/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_debugfs.h - /sys/kernel/debug/accel/<n>/: registers, firmware,
 * live BOs and jobs, resets.
 */
#ifndef NPU_DEBUGFS_H
#define NPU_DEBUGFS_H

struct npu_device;

#if IS_ENABLED(CONFIG_DEBUG_FS)
void npu_debugfs_init(struct npu_device *ndev);
#else
static inline void npu_debugfs_init(struct npu_device *ndev)
{
}
#endif

#endif /* NPU_DEBUGFS_H */
