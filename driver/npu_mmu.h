/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_mmu.h - per-file device address spaces: the two-level page
 * tables of npu_hw.h, the VA allocator and the hardware MMU contexts.
 */
#ifndef NPU_MMU_H
#define NPU_MMU_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include <drm/drm_mm.h>

struct npu_device;
struct sg_table;

/* Where the tables live: DMA-coherent memory for the device, kmalloc in KUnit. */
struct npu_pt_ops {
	/* A zeroed NPU_PT_BYTES table, NPU_PAGE_SIZE aligned; NULL on failure. */
	__le64 *(*alloc)(void *priv, dma_addr_t *dma);
	void (*free)(void *priv, __le64 *table, dma_addr_t dma);
};

/* One context's page tables: a level-1 table and level-2 tables on demand. */
struct npu_pt {
	const struct npu_pt_ops *ops;
	void *priv;
	__le64 *l1;
	dma_addr_t l1_dma;
	__le64 **l2;		/* [NPU_PT_ENTRIES], NULL = not allocated */
	dma_addr_t *l2_dma;	/* [NPU_PT_ENTRIES] */
	u32 l2_count;		/* level-2 tables allocated */
};

/* Entry encoding and VA checks: pure, tested by KUnit. */
u64 npu_pte_encode(dma_addr_t addr, bool writable);
u64 npu_pde_encode(dma_addr_t l2);
bool npu_pte_valid(u64 pte);
dma_addr_t npu_pte_addr(u64 pte);
bool npu_va_range_ok(u64 va, u64 size);

int npu_pt_init(struct npu_pt *pt, const struct npu_pt_ops *ops, void *priv);
void npu_pt_fini(struct npu_pt *pt);
int npu_pt_map(struct npu_pt *pt, u64 va, dma_addr_t addr, u64 size, bool writable);
void npu_pt_unmap(struct npu_pt *pt, u64 va, u64 size);
u64 npu_pt_lookup(const struct npu_pt *pt, u64 va);

/*
 * A file's device address space.  ref keeps the memory (held by the
 * file, each of its BOs and each of its jobs); active keeps the MMU
 * context bound (held by the file and each of its jobs, so a job that
 * outlives its file still runs in a valid context).
 */
struct npu_vm {
	struct npu_device *ndev;
	struct kref ref;
	refcount_t active;
	/* lock protects mm and pt: BO create and free race on them. */
	struct mutex lock;
	struct drm_mm mm;
	struct npu_pt pt;
	u32 ctx;		/* hardware context, 1 .. num_contexts - 1 */
	atomic_t guilty_resets;	/* device resets this file's jobs caused */
	bool bound;		/* root programmed; under ndev->ctx_lock */
};

int npu_vm_create(struct npu_device *ndev, struct npu_vm **out);
struct npu_vm *npu_vm_get(struct npu_vm *vm);
void npu_vm_put(struct npu_vm *vm);
void npu_vm_active_get(struct npu_vm *vm);
void npu_vm_active_put(struct npu_vm *vm);
int npu_vm_map_sgt(struct npu_vm *vm, struct drm_mm_node *node, struct sg_table *sgt,
		   u64 size, bool writable);
void npu_vm_unmap(struct npu_vm *vm, struct drm_mm_node *node);

/* Reprogram every bound context's root after a device reset. */
void npu_mmu_restore(struct npu_device *ndev);
/* MMU_FAULT interrupt: report and clear the fault registers. */
void npu_mmu_fault_irq(struct npu_device *ndev);

#endif /* NPU_MMU_H */
