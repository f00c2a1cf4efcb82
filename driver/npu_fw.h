/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_fw.h - hardware bring-up: identity and capabilities, firmware
 * loading, device reset, boot and the mailbox handshake.
 */
#ifndef NPU_FW_H
#define NPU_FW_H

#include <linux/types.h>

struct npu_device;

/* Check the identity registers and read the capabilities. */
int npu_hw_probe(struct npu_device *ndev);
/* request_firmware(), check the image, keep a DMA copy for reboots. */
int npu_fw_load(struct npu_device *ndev);
/* Reset the device, program ring and MMU, boot the firmware, say HELLO. */
int npu_hw_start(struct npu_device *ndev);
/* npu_hw_start() after a reset or power-up, with one retry. */
int npu_hw_restart(struct npu_device *ndev);
/* Mask interrupts and reset the device: no more DMA after this. */
void npu_hw_stop(struct npu_device *ndev);
/* FW_ERROR interrupt. */
void npu_fw_error_irq(struct npu_device *ndev);
/*
 * Copy the firmware log into buf (the one saved at the last power-down
 * while the device is off); bytes copied or -ENODEV.  May sleep.
 */
ssize_t npu_fw_log_read(struct npu_device *ndev, char *buf, size_t size);
/* Before a power-down: keep the log that the device is about to lose. */
void npu_fw_log_save(struct npu_device *ndev);

#endif /* NPU_FW_H */
