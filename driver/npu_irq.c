// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Interrupts.  Each MSI-X vector carries a group of IRQ_STATUS bits
 * (NPU_VEC_*).  The hard handler reads its bits, returns IRQ_NONE when
 * none is set, acknowledges them (a source fires again only after its
 * bit was cleared) and wakes its thread, which does the work.
 */
#include <linux/interrupt.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "npu_device.h"
#include "npu_fw.h"
#include "npu_irq.h"
#include "npu_job.h"
#include "npu_mmu.h"

static const struct {
	const char *name;
	u32 sources;
} npu_irq_vectors[NPU_MSIX_VECTORS] = {
	[NPU_VEC_JOB] = { "npu-job", NPU_IRQ_JOB_DONE | NPU_IRQ_JOB_FAULT },
	[NPU_VEC_MBOX] = { "npu-mbox", NPU_IRQ_MBOX },
	[NPU_VEC_ERROR] = { "npu-error", NPU_IRQ_FW_ERROR | NPU_IRQ_MMU_FAULT },
};

static irqreturn_t npu_irq_handler(int irq, void *arg)
{
	struct npu_irq_vec *vec = arg;
	struct npu_device *ndev = vec->ndev;
	u32 status;

	status = npu_read(ndev, NPU_REG_IRQ_STATUS);
	/* All ones: the device is gone. */
	if (status == ~0u)
		return IRQ_NONE;
	status &= npu_read(ndev, NPU_REG_IRQ_MASK) & vec->sources;
	if (!status)
		return IRQ_NONE;
	npu_write(ndev, NPU_REG_IRQ_ACK, status);
	atomic_or(status, &vec->pending);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t npu_irq_thread(int irq, void *arg)
{
	struct npu_irq_vec *vec = arg;
	struct npu_device *ndev = vec->ndev;
	u32 pending = atomic_xchg(&vec->pending, 0);
	int idx;

	if (!drm_dev_enter(&ndev->drm, &idx))
		return IRQ_HANDLED;
	if (pending & (NPU_IRQ_JOB_DONE | NPU_IRQ_JOB_FAULT))
		npu_job_irq(ndev);
	/* NPU_IRQ_MBOX: the handshake polls F2H_SEQ; nothing else to do. */
	if (pending & NPU_IRQ_FW_ERROR)
		npu_fw_error_irq(ndev);
	if (pending & NPU_IRQ_MMU_FAULT)
		npu_mmu_fault_irq(ndev);
	drm_dev_exit(idx);
	return IRQ_HANDLED;
}

int npu_irq_init(struct npu_device *ndev)
{
	struct pci_dev *pdev = ndev->pdev;
	unsigned int i;
	int ret;

	/* Device-managed with pcim_enable_device(). */
	ret = pci_alloc_irq_vectors(pdev, NPU_MSIX_VECTORS, NPU_MSIX_VECTORS, PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(&pdev->dev, "cannot enable %u MSI-X vectors: %d\n", NPU_MSIX_VECTORS, ret);
		return ret;
	}
	for (i = 0; i < NPU_MSIX_VECTORS; i++) {
		struct npu_irq_vec *vec = &ndev->vec[i];

		vec->ndev = ndev;
		vec->sources = npu_irq_vectors[i].sources;
		atomic_set(&vec->pending, 0);
		vec->irq = pci_irq_vector(pdev, i);
		if (vec->irq < 0)
			return vec->irq;
		ret = devm_request_threaded_irq(&pdev->dev, vec->irq, npu_irq_handler,
						npu_irq_thread, 0, npu_irq_vectors[i].name, vec);
		if (ret) {
			dev_err(&pdev->dev, "cannot request interrupt %s: %d\n",
				npu_irq_vectors[i].name, ret);
			return ret;
		}
	}
	return 0;
}

void npu_irq_enable(struct npu_device *ndev)
{
	npu_write(ndev, NPU_REG_IRQ_ACK, NPU_IRQ_ALL);
	npu_write(ndev, NPU_REG_IRQ_MASK, NPU_IRQ_ALL);
}

void npu_irq_disable(struct npu_device *ndev)
{
	unsigned int i;

	npu_write(ndev, NPU_REG_IRQ_MASK, 0);
	for (i = 0; i < NPU_MSIX_VECTORS; i++)
		if (ndev->vec[i].irq > 0)
			synchronize_irq(ndev->vec[i].irq);
}
