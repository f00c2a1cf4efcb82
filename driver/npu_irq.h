/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_irq.h - MSI-X interrupts: one vector per source group of npu_hw.h.
 */
#ifndef NPU_IRQ_H
#define NPU_IRQ_H

struct npu_device;

int npu_irq_init(struct npu_device *ndev);
/* Acknowledge stale status, then unmask every source. */
void npu_irq_enable(struct npu_device *ndev);
/* Mask every source and wait for running handlers. */
void npu_irq_disable(struct npu_device *ndev);

#endif /* NPU_IRQ_H */
