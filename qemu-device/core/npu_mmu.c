// SPDX-License-Identifier: MIT
/*
 * The device MMU: two-level page walk per context, a small cache of
 * translations, and the only path from the engines to guest memory.
 */
#include <string.h>

#include "npu_core_internal.h"

void npu_mmu_flush(struct npu_core *core)
{
	memset(core->tlb, 0, sizeof(core->tlb));
}

/* Read one 64-bit table entry from the bus; false on a bus error. */
static bool npu_pt_read(struct npu_core *core, uint64_t addr, uint64_t *entry)
{
	uint8_t raw[8];
	int i;

	if (core->bus.read(core->bus.opaque, addr, raw, sizeof(raw)))
		return false;
	*entry = 0;
	for (i = 7; i >= 0; i--)
		*entry = *entry << 8 | raw[i];
	return true;
}

/* Translate the page of `va`; returns NPU_MMU_FAULT_NONE or the fault type. */
static enum npu_mmu_fault npu_mmu_walk(struct npu_core *core, uint32_t va,
				       struct npu_tlb_entry **out)
{
	uint32_t vpn = va >> NPU_PAGE_SHIFT;
	struct npu_tlb_entry *e = &core->tlb[vpn % NPU_TLB_ENTRIES];
	uint64_t root, l1e, l2e;
	uint32_t lo, hi;

	if (e->vpn_valid == (vpn << 1 | 1)) {
		*out = e;
		return NPU_MMU_FAULT_NONE;
	}
	pthread_mutex_lock(&core->lock);
	lo = core->regs[NPU_REG_MMU_ROOT_LO(core->job_ctx) / 4];
	hi = core->regs[NPU_REG_MMU_ROOT_HI(core->job_ctx) / 4];
	pthread_mutex_unlock(&core->lock);
	if (!(lo & NPU_MMU_ROOT_ENABLE))
		return NPU_MMU_FAULT_CTX;
	root = ((uint64_t)hi << 32 | lo) & NPU_PTE_ADDR_MASK;

	if (!npu_pt_read(core, root + 8ull * NPU_VA_L1_INDEX(va), &l1e))
		return NPU_MMU_FAULT_PT_BUS;
	if (!(l1e & NPU_PTE_VALID) || (l1e & (NPU_PTE_RSVD_MASK | NPU_PTE_READ | NPU_PTE_WRITE)))
		return NPU_MMU_FAULT_L1;
	if (!npu_pt_read(core, (l1e & NPU_PTE_ADDR_MASK) + 8ull * NPU_VA_L2_INDEX(va), &l2e))
		return NPU_MMU_FAULT_PT_BUS;
	if (!(l2e & NPU_PTE_VALID) || (l2e & NPU_PTE_RSVD_MASK))
		return NPU_MMU_FAULT_L2;

	e->vpn_valid = vpn << 1 | 1;
	e->perms = (uint32_t)(l2e & (NPU_PTE_READ | NPU_PTE_WRITE));
	e->pa = l2e & NPU_PTE_ADDR_MASK;
	*out = e;
	return NPU_MMU_FAULT_NONE;
}

void npu_mmu_copy(struct npu_core *core, unsigned int engine, uint32_t va,
		  void *buf, uint32_t len, bool write, struct npu_access_result *res)
{
	uint64_t cur = va, end = (uint64_t)va + len;
	enum npu_mmu_fault fault;
	uint8_t *p = buf;

	bool flush;

	res->err = NPU_OK;
	res->fault_addr = 0;
	pthread_mutex_lock(&core->lock);
	flush = core->tlb_flush_pending;
	core->tlb_flush_pending = false;
	pthread_mutex_unlock(&core->lock);
	if (flush)
		npu_mmu_flush(core);
	while (cur < end) {
		uint32_t in_page = NPU_PAGE_SIZE - (uint32_t)(cur & (NPU_PAGE_SIZE - 1));
		uint32_t chunk = end - cur < in_page ? (uint32_t)(end - cur) : in_page;
		struct npu_tlb_entry *e;
		uint64_t pa;
		int failed;

		/* A range past the 4 GiB space faults at its first byte beyond. */
		if (cur > UINT32_MAX) {
			fault = NPU_MMU_FAULT_L1;
			goto fault;
		}
		fault = npu_mmu_walk(core, (uint32_t)cur, &e);
		if (fault)
			goto fault;
		if (!(e->perms & (write ? NPU_PTE_WRITE : NPU_PTE_READ))) {
			fault = write ? NPU_MMU_FAULT_WRITE : NPU_MMU_FAULT_READ;
			goto fault;
		}
		pa = e->pa | (cur & (NPU_PAGE_SIZE - 1));
		failed = write ? core->bus.write(core->bus.opaque, pa, p, chunk) :
				 core->bus.read(core->bus.opaque, pa, p, chunk);
		if (failed) {
			fault = NPU_MMU_FAULT_BUS;
			goto fault;
		}
		p += chunk;
		cur += chunk;
	}
	return;
fault:
	res->err = fault == NPU_MMU_FAULT_BUS ? NPU_ERR_DMA : NPU_ERR_MMU;
	res->fault_addr = (uint32_t)cur;
	npu_core_report_fault(core, fault, engine, (uint32_t)cur);
}
