// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Device address spaces.  Each open file gets a hardware MMU context
 * whose two-level page tables (npu_hw.h: 32-bit VAs, 4 KiB pages, 1024
 * 64-bit entries per level) the driver builds in DMA-coherent memory,
 * and a drm_mm allocator over [NPU_VA_START, NPU_VA_END).
 */
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "npu_device.h"
#include "npu_mmu.h"
#include "npu_trace.h"

/* ------------------------------------------------------------------ */
/* Entry encoding                                                      */
/* ------------------------------------------------------------------ */

u64 npu_pte_encode(dma_addr_t addr, bool writable)
{
	u64 pte = ((u64)addr & NPU_PTE_ADDR_MASK) | NPU_PTE_VALID | NPU_PTE_READ;

	if (writable)
		pte |= NPU_PTE_WRITE;
	return pte;
}

/* A level-1 entry: valid, no permission bits (they are level-2 only). */
u64 npu_pde_encode(dma_addr_t l2)
{
	return ((u64)l2 & NPU_PTE_ADDR_MASK) | NPU_PTE_VALID;
}

bool npu_pte_valid(u64 pte)
{
	return pte & NPU_PTE_VALID;
}

dma_addr_t npu_pte_addr(u64 pte)
{
	return (dma_addr_t)(pte & NPU_PTE_ADDR_MASK);
}

/* Page aligned, non-empty and inside the 32-bit device VA space. */
bool npu_va_range_ok(u64 va, u64 size)
{
	if (!size || (va | size) & (NPU_PAGE_SIZE - 1))
		return false;
	return va < (1ull << 32) && size <= (1ull << 32) - va;
}

/* ------------------------------------------------------------------ */
/* Page tables                                                         */
/* ------------------------------------------------------------------ */

int npu_pt_init(struct npu_pt *pt, const struct npu_pt_ops *ops, void *priv)
{
	memset(pt, 0, sizeof(*pt));
	pt->ops = ops;
	pt->priv = priv;
	pt->l2 = kcalloc(NPU_PT_ENTRIES, sizeof(*pt->l2), GFP_KERNEL);
	pt->l2_dma = kcalloc(NPU_PT_ENTRIES, sizeof(*pt->l2_dma), GFP_KERNEL);
	if (!pt->l2 || !pt->l2_dma)
		goto err_free;
	pt->l1 = ops->alloc(priv, &pt->l1_dma);
	if (!pt->l1)
		goto err_free;
	return 0;

err_free:
	kfree(pt->l2_dma);
	kfree(pt->l2);
	pt->l2 = NULL;
	pt->l2_dma = NULL;
	return -ENOMEM;
}

void npu_pt_fini(struct npu_pt *pt)
{
	u32 i;

	if (!pt->l1)
		return;
	for (i = 0; i < NPU_PT_ENTRIES; i++)
		if (pt->l2[i])
			pt->ops->free(pt->priv, pt->l2[i], pt->l2_dma[i]);
	pt->ops->free(pt->priv, pt->l1, pt->l1_dma);
	kfree(pt->l2_dma);
	kfree(pt->l2);
	pt->l1 = NULL;
	pt->l2 = NULL;
	pt->l2_dma = NULL;
	pt->l2_count = 0;
}

/* The level-2 table covering va, allocated and linked on first use. */
static __le64 *npu_pt_l2(struct npu_pt *pt, u64 va)
{
	u32 idx = NPU_VA_L1_INDEX(va);
	__le64 *l2 = pt->l2[idx];

	if (l2)
		return l2;
	l2 = pt->ops->alloc(pt->priv, &pt->l2_dma[idx]);
	if (!l2)
		return NULL;
	pt->l2[idx] = l2;
	pt->l2_count++;
	WRITE_ONCE(pt->l1[idx], cpu_to_le64(npu_pde_encode(pt->l2_dma[idx])));
	return l2;
}

/*
 * Map size bytes at va to the bus range at addr.  Returns -EINVAL for
 * a misaligned or out-of-space range, -EEXIST if a page is already
 * mapped, -ENOMEM without table memory; on error nothing stays mapped.
 */
int npu_pt_map(struct npu_pt *pt, u64 va, dma_addr_t addr, u64 size, bool writable)
{
	u64 off;

	if (!npu_va_range_ok(va, size) || (addr & (NPU_PAGE_SIZE - 1)))
		return -EINVAL;
	for (off = 0; off < size; off += NPU_PAGE_SIZE) {
		__le64 *l2 = npu_pt_l2(pt, va + off);
		u32 idx = NPU_VA_L2_INDEX(va + off);

		if (!l2 || npu_pte_valid(le64_to_cpu(l2[idx]))) {
			if (off)
				npu_pt_unmap(pt, va, off);
			return l2 ? -EEXIST : -ENOMEM;
		}
		WRITE_ONCE(l2[idx], cpu_to_le64(npu_pte_encode(addr + off, writable)));
	}
	return 0;
}

/* Clear the entries of [va, va + size); level-2 tables stay allocated. */
void npu_pt_unmap(struct npu_pt *pt, u64 va, u64 size)
{
	u64 off;

	if (!npu_va_range_ok(va, size))
		return;
	for (off = 0; off < size; off += NPU_PAGE_SIZE) {
		__le64 *l2 = pt->l2[NPU_VA_L1_INDEX(va + off)];

		if (l2)
			WRITE_ONCE(l2[NPU_VA_L2_INDEX(va + off)], 0);
	}
}

/* The level-2 entry of va, 0 when there is none. */
u64 npu_pt_lookup(const struct npu_pt *pt, u64 va)
{
	const __le64 *l2;

	if (va >= (1ull << 32))
		return 0;
	l2 = pt->l2[NPU_VA_L1_INDEX(va)];
	return l2 ? le64_to_cpu(READ_ONCE(l2[NPU_VA_L2_INDEX(va)])) : 0;
}

/* ------------------------------------------------------------------ */
/* Address spaces and hardware contexts                                */
/* ------------------------------------------------------------------ */

static __le64 *npu_pt_dma_alloc(void *priv, dma_addr_t *dma)
{
	struct npu_device *ndev = priv;

	return dma_alloc_coherent(ndev->drm.dev, NPU_PT_BYTES, dma, GFP_KERNEL);
}

static void npu_pt_dma_free(void *priv, __le64 *table, dma_addr_t dma)
{
	struct npu_device *ndev = priv;

	dma_free_coherent(ndev->drm.dev, NPU_PT_BYTES, table, dma);
}

static const struct npu_pt_ops npu_pt_dma_ops = {
	.alloc = npu_pt_dma_alloc,
	.free = npu_pt_dma_free,
};

/* Point the context's root at the level-1 table; ctx_lock held. */
static void npu_mmu_write_root(struct npu_device *ndev, struct npu_vm *vm)
{
	/* HI first: writing LO with ENABLE makes the context live. */
	npu_write(ndev, NPU_REG_MMU_ROOT_HI(vm->ctx), upper_32_bits(vm->pt.l1_dma));
	npu_write(ndev, NPU_REG_MMU_ROOT_LO(vm->ctx),
		  lower_32_bits(vm->pt.l1_dma) | NPU_MMU_ROOT_ENABLE);
}

static void npu_mmu_bind(struct npu_device *ndev, struct npu_vm *vm)
{
	int idx;

	guard(mutex)(&ndev->ctx_lock);
	ndev->ctx_vm[vm->ctx] = vm;
	vm->bound = true;
	if (drm_dev_enter(&ndev->drm, &idx)) {
		npu_mmu_write_root(ndev, vm);
		drm_dev_exit(idx);
	}
}

static void npu_mmu_unbind(struct npu_device *ndev, struct npu_vm *vm)
{
	int idx;

	scoped_guard(mutex, &ndev->ctx_lock) {
		if (drm_dev_enter(&ndev->drm, &idx)) {
			npu_write(ndev, NPU_REG_MMU_ROOT_LO(vm->ctx), 0);
			npu_write(ndev, NPU_REG_MMU_ROOT_HI(vm->ctx), 0);
			npu_write(ndev, NPU_REG_MMU_FLUSH, BIT(vm->ctx));
			drm_dev_exit(idx);
		}
		ndev->ctx_vm[vm->ctx] = NULL;
		vm->bound = false;
	}
	ida_free(&ndev->ctx_ida, vm->ctx);
}

void npu_mmu_restore(struct npu_device *ndev)
{
	u32 ctx;

	guard(mutex)(&ndev->ctx_lock);
	for (ctx = 1; ctx < NPU_MAX_CONTEXTS; ctx++)
		if (ndev->ctx_vm[ctx])
			npu_mmu_write_root(ndev, ndev->ctx_vm[ctx]);
}

/* Drop cached translations of vm's context after its tables changed. */
static void npu_mmu_flush(struct npu_vm *vm)
{
	struct npu_device *ndev = vm->ndev;
	int idx;

	guard(mutex)(&ndev->ctx_lock);
	if (vm->bound && drm_dev_enter(&ndev->drm, &idx)) {
		npu_write(ndev, NPU_REG_MMU_FLUSH, BIT(vm->ctx));
		drm_dev_exit(idx);
	}
}

int npu_vm_create(struct npu_device *ndev, struct npu_vm **out)
{
	struct npu_vm *vm;
	int ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	vm->ndev = ndev;
	kref_init(&vm->ref);
	refcount_set(&vm->active, 1);
	mutex_init(&vm->lock);
	drm_mm_init(&vm->mm, NPU_VA_START, NPU_VA_END - NPU_VA_START);

	ret = npu_pt_init(&vm->pt, &npu_pt_dma_ops, ndev);
	if (ret)
		goto err_free_vm;

	ret = ida_alloc_range(&ndev->ctx_ida, 1, ndev->num_contexts - 1, GFP_KERNEL);
	if (ret < 0) {
		if (ret == -ENOSPC) {
			drm_dbg(&ndev->drm, "all %u MMU contexts are in use\n",
				ndev->num_contexts - 1);
			ret = -EBUSY;
		}
		goto err_fini_pt;
	}
	vm->ctx = ret;
	npu_mmu_bind(ndev, vm);
	*out = vm;
	return 0;

err_fini_pt:
	npu_pt_fini(&vm->pt);
err_free_vm:
	drm_mm_takedown(&vm->mm);
	mutex_destroy(&vm->lock);
	kfree(vm);
	return ret;
}

struct npu_vm *npu_vm_get(struct npu_vm *vm)
{
	kref_get(&vm->ref);
	return vm;
}

static void npu_vm_release(struct kref *ref)
{
	struct npu_vm *vm = container_of(ref, struct npu_vm, ref);

	/* Every BO holds a reference, so nothing is mapped any more. */
	drm_mm_takedown(&vm->mm);
	npu_pt_fini(&vm->pt);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

void npu_vm_put(struct npu_vm *vm)
{
	kref_put(&vm->ref, npu_vm_release);
}

void npu_vm_active_get(struct npu_vm *vm)
{
	refcount_inc(&vm->active);
}

/* The last holder of the context (file or job) gives it back. */
void npu_vm_active_put(struct npu_vm *vm)
{
	if (refcount_dec_and_test(&vm->active))
		npu_mmu_unbind(vm->ndev, vm);
}

/*
 * Allocate size bytes of VA in vm and map the DMA segments of sgt
 * there, read-only or read/write.  The node receives the VA range.
 */
int npu_vm_map_sgt(struct npu_vm *vm, struct drm_mm_node *node, struct sg_table *sgt,
		   u64 size, bool writable)
{
	struct scatterlist *sg;
	u64 va, mapped = 0;
	unsigned int i;
	int ret;

	guard(mutex)(&vm->lock);
	ret = drm_mm_insert_node_generic(&vm->mm, node, size, NPU_PAGE_SIZE, 0,
					 DRM_MM_INSERT_BEST);
	if (ret)
		return ret == -ENOSPC ? -ENOMEM : ret;
	va = node->start;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 len = min_t(u64, sg_dma_len(sg), size - mapped);

		if (!len)
			break;
		ret = npu_pt_map(&vm->pt, va + mapped, sg_dma_address(sg), len, writable);
		if (ret)
			goto err_unmap;
		mapped += len;
	}
	if (mapped != size) {
		ret = -EINVAL;
		goto err_unmap;
	}
	return 0;

err_unmap:
	if (mapped)
		npu_pt_unmap(&vm->pt, va, mapped);
	drm_mm_remove_node(node);
	return ret;
}

void npu_vm_unmap(struct npu_vm *vm, struct drm_mm_node *node)
{
	scoped_guard(mutex, &vm->lock) {
		npu_pt_unmap(&vm->pt, node->start, node->size);
		drm_mm_remove_node(node);
	}
	npu_mmu_flush(vm);
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */
/* ------------------------------------------------------------------ */

void npu_mmu_fault_irq(struct npu_device *ndev)
{
	u32 status, addr, seqno;
	int idx;

	if (!drm_dev_enter(&ndev->drm, &idx))
		return;
	status = npu_read(ndev, NPU_REG_FAULT_STATUS);
	if (status & NPU_FAULT_VALID) {
		addr = npu_read(ndev, NPU_REG_FAULT_ADDR);
		seqno = npu_read(ndev, NPU_REG_FAULT_SEQNO);
		atomic_inc(&ndev->mmu_faults);
		/* A job touched what its file did not map: the user's mistake. */
		drm_dbg(&ndev->drm,
			"MMU fault: type %u engine %u context %u VA %#x (job seqno %u)\n",
			NPU_FAULT_TYPE(status), NPU_FAULT_ENGINE(status),
			NPU_FAULT_CTX(status), addr, seqno);
		trace_npu_mmu_fault(ndev, status, addr, seqno);
		npu_write(ndev, NPU_REG_FAULT_STATUS, status);
	}
	drm_dev_exit(idx);
}
