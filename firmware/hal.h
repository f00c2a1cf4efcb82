/* SPDX-License-Identifier: MIT */
/*
 * hal.h - how the firmware reaches the hardware.
 *
 * On the CP (rv32) these are MMIO accesses to the BAR0 register window
 * at NPU_CP_REGS_BASE and to the CP-private registers at
 * NPU_CP_PRIV_BASE.  On the host the same names are plain functions
 * that the unit tests implement with a fake device, so job.c and
 * mbox.c run unchanged in both places.
 */
#ifndef FW_HAL_H
#define FW_HAL_H

#include "npu_hw.h"

#ifdef __riscv

/*
 * The CP DMA and the engines read and write DMEM behind the compiler's
 * back, so every register access is also a compiler barrier: stores to
 * a buffer are done before the register write that starts a transfer,
 * and loads from it happen after the register read that ends one.
 */
#define fw_barrier()	__asm__ volatile("" ::: "memory")

static inline uint32_t fw_reg_read(uint32_t off)
{
	uint32_t v;

	fw_barrier();
	v = *(volatile uint32_t *)(uintptr_t)(NPU_CP_REGS_BASE + off);
	fw_barrier();
	return v;
}

static inline void fw_reg_write(uint32_t off, uint32_t v)
{
	fw_barrier();
	*(volatile uint32_t *)(uintptr_t)(NPU_CP_REGS_BASE + off) = v;
	fw_barrier();
}

static inline uint32_t fw_priv_read(uint32_t off)
{
	uint32_t v;

	fw_barrier();
	v = *(volatile uint32_t *)(uintptr_t)(NPU_CP_PRIV_BASE + off);
	fw_barrier();
	return v;
}

static inline void fw_priv_write(uint32_t off, uint32_t v)
{
	fw_barrier();
	*(volatile uint32_t *)(uintptr_t)(NPU_CP_PRIV_BASE + off) = v;
	fw_barrier();
}

static inline void fw_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

/* The CP address of a DMEM object, for DMA_LOCAL and ENG_DESC. */
static inline uint32_t fw_local_addr(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

#else /* host: provided by the test's fake device */

uint32_t fw_reg_read(uint32_t off);
void fw_reg_write(uint32_t off, uint32_t v);
uint32_t fw_priv_read(uint32_t off);
void fw_priv_write(uint32_t off, uint32_t v);
void fw_wfi(void);

/*
 * Host pointers are not CP addresses: the fake maps the firmware's
 * struct fw_dmem (see fw.h), the only memory the device is ever
 * pointed at, onto NPU_CP_DMEM_BASE.
 */
uint32_t fw_local_addr(const void *p);

#endif

#endif /* FW_HAL_H */
