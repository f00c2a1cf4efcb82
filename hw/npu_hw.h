/* SPDX-License-Identifier: MIT */
/*
 * npu_hw.h - the NPU hardware contract in C.
 *
 * The one place where the register map, the command encoding, the job
 * ring protocol, the MMU format, the command processor's memory map and
 * the firmware image format are defined.  The device core, the firmware,
 * the kernel driver and libnpu all include this file; docs/hw-spec.md is
 * its prose.  Everything is little-endian.
 *
 * The header is freestanding: it builds in the kernel, in rv32 firmware
 * and in hosted userspace.
 */
#ifndef NPU_HW_H
#define NPU_HW_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* ------------------------------------------------------------------ */
/* PCI identity                                                        */
/* ------------------------------------------------------------------ */

#define NPU_PCI_VENDOR_ID	0x1234	/* QEMU's experimental vendor */
#define NPU_PCI_DEVICE_ID	0x4e50	/* "NP" */
#define NPU_PCI_CLASS		0x1200	/* processing accelerator */
#define NPU_PCI_REVISION	0x01
#define NPU_BAR0_SIZE		0x1000	/* registers, 4 KiB */
#define NPU_MSIX_BAR		1	/* MSI-X table and PBA */
#define NPU_MSIX_VECTORS	3

/* MSI-X vector of each interrupt source (see NPU_IRQ_*). */
#define NPU_VEC_JOB		0	/* JOB_DONE, JOB_FAULT */
#define NPU_VEC_MBOX		1	/* MBOX */
#define NPU_VEC_ERROR		2	/* FW_ERROR, MMU_FAULT */

/* ------------------------------------------------------------------ */
/* BAR0 register map.  All registers are 32 bits wide and must be      */
/* accessed with aligned 32-bit loads and stores.                      */
/* "host" is the driver through BAR0, "cp" is the firmware through the */
/* command processor's view of the same registers (NPU_CP_REGS_BASE).  */
/* ------------------------------------------------------------------ */

/* Identity: host ro, cp ro */
#define NPU_REG_ID		0x000	/* NPU_ID_MAGIC */
#define NPU_REG_HW_VERSION	0x004	/* major << 16 | minor */
#define NPU_ID_MAGIC		0x4e505530u	/* "NPU0" */
#define NPU_HW_VERSION		0x00010000u	/* 1.0 */

/* Capabilities: host ro, cp ro.  Software never hard-codes these. */
#define NPU_REG_CAP_MAC		0x010	/* rows [15:0], cols [31:16] */
#define NPU_REG_CAP_SRAM	0x014	/* SRAM bytes */
#define NPU_REG_CAP_CLOCK	0x018	/* core clock in MHz */
#define NPU_REG_CAP_DRAM_BW	0x01c	/* DRAM bandwidth in MB/s */
#define NPU_REG_CAP_QUEUES	0x020	/* job rings [7:0], contexts [15:8] */
#define NPU_REG_CAP_OPS		0x024	/* bit n set: opcode class n, NPU_CAP_OP_* */
#define NPU_REG_CAP_CP_MEM	0x028	/* CP IMEM KiB [15:0], DMEM KiB [31:16] */

#define NPU_CAP_MAC_ROWS(v)	((v) & 0xffffu)
#define NPU_CAP_MAC_COLS(v)	(((v) >> 16) & 0xffffu)
#define NPU_CAP_QUEUES_RINGS(v)	((v) & 0xffu)
#define NPU_CAP_QUEUES_CTXS(v)	(((v) >> 8) & 0xffu)

#define NPU_CAP_OP_DMA		(1u << 0)
#define NPU_CAP_OP_CONV		(1u << 1)
#define NPU_CAP_OP_MATMUL	(1u << 2)
#define NPU_CAP_OP_POOL		(1u << 3)
#define NPU_CAP_OP_ELTWISE	(1u << 4)
#define NPU_CAP_OP_LUT		(1u << 5)

/* Control: host wo (reads 0), cp ro; unknown bits refuse the write */
#define NPU_REG_CTRL		0x040
#define NPU_CTRL_RESET		(1u << 0)	/* self-clearing: full device reset */
#define NPU_CTRL_BOOT		(1u << 1)	/* self-clearing: boot from FW_ADDR */

/* Status: host ro, cp ro */
#define NPU_REG_STATUS		0x044
#define NPU_STATUS_CP_RUNNING	(1u << 0)	/* CP executes (not in reset) */
#define NPU_STATUS_CP_WFI	(1u << 1)	/* CP sleeps waiting for an event */
#define NPU_STATUS_CP_HALTED	(1u << 2)	/* CP stopped on a trap/watchdog */
#define NPU_STATUS_FW_READY	(1u << 3)	/* BOOT_STATUS == READY */
#define NPU_STATUS_HUNG		(1u << 4)	/* an engine stopped answering */
#define NPU_STATUS_RESETTING	(1u << 5)	/* CTRL.RESET still in progress */

/* Boot: FW_ADDR/FW_SIZE host rw; BOOT_STATUS host ro, cp rw (READY only) */
#define NPU_REG_BOOT_STATUS	0x048	/* enum npu_boot_status */
#define NPU_REG_FW_VERSION	0x04c	/* host ro, cp rw: image version */
#define NPU_REG_FW_ADDR_LO	0x050	/* bus address of the whole image */
#define NPU_REG_FW_ADDR_HI	0x054
#define NPU_REG_FW_SIZE		0x058	/* bytes, header included */
#define NPU_REG_HEARTBEAT	0x05c	/* host ro, cp rw: bumped by firmware */
#define NPU_REG_CP_TRAP_CAUSE	0x060	/* host ro: enum npu_cp_trap */
#define NPU_REG_CP_TRAP_PC	0x064	/* host ro */
#define NPU_REG_CP_TRAP_VALUE	0x068	/* host ro: faulting address/insn */
/*
 * Firmware log (bytes the firmware wrote to NPU_CPR_LOG), for the host:
 * LEN is how many bytes it holds (0 .. NPU_FW_LOG_BYTES); the host
 * writes a byte offset to INDEX and reads four bytes there from DATA,
 * little-endian, zero past LEN.  Host only; the CP reads zeros.
 */
#define NPU_REG_FW_LOG_LEN	0x06c	/* host ro */
#define NPU_REG_FW_LOG_INDEX	0x070	/* host rw: multiple of 4, < NPU_FW_LOG_BYTES */
#define NPU_REG_FW_LOG_DATA	0x074	/* host ro */
#define NPU_FW_LOG_BYTES	4096u

enum npu_boot_status {
	NPU_BOOT_OFF = 0,		/* after reset */
	NPU_BOOT_RUNNING = 1,		/* image accepted, CP started */
	NPU_BOOT_READY = 2,		/* firmware initialised (written by fw) */
	NPU_BOOT_ERR_DMA = 0x10,	/* image could not be read */
	NPU_BOOT_ERR_SIZE = 0x11,	/* FW_SIZE too small/large, truncated */
	NPU_BOOT_ERR_MAGIC = 0x12,
	NPU_BOOT_ERR_HEADER = 0x13,	/* header size/crc/reserved/entry */
	NPU_BOOT_ERR_CHECKSUM = 0x14,	/* payload crc */
	NPU_BOOT_ERR_API = 0x15,	/* firmware API major mismatch */
	NPU_BOOT_ERR_CP = 0x16,		/* CP trapped or watchdog fired */
};

/*
 * Mailbox.  H2F registers: host rw, cp ro.  F2H registers: host ro,
 * cp rw.  The host fills CMD/ARG0/ARG1 and then writes H2F_SEQ, which
 * is the doorbell.  The firmware answers by filling F2H CMD/ARG0/ARG1,
 * writing F2H_SEQ = H2F_SEQ last, and raising NPU_IRQ_MBOX.
 */
#define NPU_REG_MBOX_H2F_CMD	0x080
#define NPU_REG_MBOX_H2F_ARG0	0x084
#define NPU_REG_MBOX_H2F_ARG1	0x088
#define NPU_REG_MBOX_H2F_SEQ	0x08c
#define NPU_REG_MBOX_F2H_CMD	0x090	/* reply: request cmd | status << 16 */
#define NPU_REG_MBOX_F2H_ARG0	0x094
#define NPU_REG_MBOX_F2H_ARG1	0x098
#define NPU_REG_MBOX_F2H_SEQ	0x09c

enum npu_mbox_cmd {
	NPU_MBOX_HELLO = 1,	/* arg0 = host API version;
				 * reply arg0 = fw version, arg1 = fw API */
	NPU_MBOX_PING = 2,	/* arg0 echoed in reply arg0 */
};

enum npu_mbox_status {
	NPU_MBOX_OK = 0,
	NPU_MBOX_ERR_API = 1,	/* HELLO: incompatible API version */
	NPU_MBOX_ERR_CMD = 2,	/* unknown command */
};

#define NPU_MBOX_REPLY(cmd, status)	((cmd) | ((uint32_t)(status) << 16))
#define NPU_MBOX_REPLY_CMD(v)		((v) & 0xffffu)
#define NPU_MBOX_REPLY_STATUS(v)	((v) >> 16)

/*
 * Job ring.  RING_BASE/SIZE/TAIL/FENCE_ADDR: host rw, cp ro.
 * RING_HEAD/LAST_SEQNO: host ro, cp rw.  The ring is an array of
 * RING_SIZE (power of two, 2..NPU_RING_MAX_ENTRIES) struct npu_job_desc
 * at bus address RING_BASE.  HEAD and TAIL are free-running 32-bit
 * indices (slot = index & (RING_SIZE - 1)); the ring is empty when
 * HEAD == TAIL and full when TAIL - HEAD == RING_SIZE.  The host writes
 * a descriptor, advances TAIL and writes DOORBELL.
 */
#define NPU_REG_RING_BASE_LO	0x100
#define NPU_REG_RING_BASE_HI	0x104
#define NPU_REG_RING_SIZE	0x108
#define NPU_REG_RING_HEAD	0x10c
#define NPU_REG_RING_TAIL	0x110
#define NPU_REG_RING_DOORBELL	0x114	/* host wo: any value */
#define NPU_REG_FENCE_ADDR_LO	0x118	/* bus address of a u32 fence */
#define NPU_REG_FENCE_ADDR_HI	0x11c
#define NPU_REG_LAST_SEQNO	0x120

#define NPU_RING_MAX_ENTRIES	4096u

/*
 * Interrupts.  IRQ_STATUS: host ro.  IRQ_MASK: host rw, 1 = enabled.
 * IRQ_ACK: host wo, write 1 to clear a status bit.  A source's vector
 * fires when its status bit goes from 0 to 1 while enabled, or when
 * the mask enables an already pending bit.
 */
#define NPU_REG_IRQ_STATUS	0x140
#define NPU_REG_IRQ_MASK	0x144
#define NPU_REG_IRQ_ACK		0x148
#define NPU_IRQ_JOB_DONE	(1u << 0)
#define NPU_IRQ_JOB_FAULT	(1u << 1)
#define NPU_IRQ_MBOX		(1u << 2)
#define NPU_IRQ_FW_ERROR	(1u << 3)	/* CP trap, watchdog, boot error */
#define NPU_IRQ_MMU_FAULT	(1u << 4)
#define NPU_IRQ_ALL		0x1fu

/*
 * MMU.  One page-table root per context: host rw, cp ro.
 * ROOT_LO bit 0 enables the context; bits 31:12 with ROOT_HI form the
 * 4 KiB-aligned bus address of the level-1 table.  MMU_FLUSH (host wo,
 * value ignored) drops every cached translation before the device's
 * next memory access; the device also drops them at the start of
 * every job.
 */
#define NPU_MAX_CONTEXTS	16u
#define NPU_REG_MMU_ROOT_LO(c)	(0x200 + 8 * (c))
#define NPU_REG_MMU_ROOT_HI(c)	(0x204 + 8 * (c))
#define NPU_MMU_ROOT_ENABLE	(1u << 0)
#define NPU_REG_MMU_FLUSH	0x280

/*
 * Fault report of the first MMU or DMA fault since the host last wrote
 * FAULT_STATUS (which clears it); later faults only raise MMU_FAULT.  FAULT_STATUS = valid | type << 4 |
 * engine << 12 | ctx << 16.  FAULT_ADDR is the device virtual address.
 */
#define NPU_REG_FAULT_STATUS	0x290
#define NPU_REG_FAULT_ADDR	0x294
#define NPU_REG_FAULT_SEQNO	0x298	/* seqno of the faulting job */
#define NPU_FAULT_VALID		(1u << 0)
#define NPU_FAULT_TYPE(v)	(((v) >> 4) & 0xffu)
#define NPU_FAULT_ENGINE(v)	(((v) >> 12) & 0xfu)
#define NPU_FAULT_CTX(v)	(((v) >> 16) & 0xffu)
#define NPU_FAULT_ENGINE_CP	0xfu	/* the CP's own DMA (stream fetch) */
#define NPU_FAULT_MAKE(type, engine, ctx) \
	(NPU_FAULT_VALID | ((uint32_t)(type) << 4) | \
	 ((uint32_t)(engine) << 12) | ((uint32_t)(ctx) << 16))

enum npu_mmu_fault {
	NPU_MMU_FAULT_NONE = 0,
	NPU_MMU_FAULT_CTX = 1,		/* context not enabled */
	NPU_MMU_FAULT_L1 = 2,		/* level-1 entry not valid */
	NPU_MMU_FAULT_L2 = 3,		/* page entry not valid */
	NPU_MMU_FAULT_READ = 4,		/* page not readable */
	NPU_MMU_FAULT_WRITE = 5,	/* page not writable */
	NPU_MMU_FAULT_PT_BUS = 6,	/* page table not readable on the bus */
	NPU_MMU_FAULT_BUS = 7,		/* data access failed on the bus */
};

/*
 * Performance counters: host ro, 64 bits as LO/HI pairs, cumulative
 * since reset (per-job values go to struct npu_job_done).  Reading LO
 * latches HI so a LO-then-HI read pair is consistent.
 */
#define NPU_REG_PERF_BASE	0x300
#define NPU_REG_PERF_LO(n)	(NPU_REG_PERF_BASE + 8 * (n))
#define NPU_REG_PERF_HI(n)	(NPU_REG_PERF_BASE + 8 * (n) + 4)

enum npu_perf_counter {
	NPU_PERF_CYCLES = 0,	/* device cycles spent in jobs */
	NPU_PERF_MAC_CYCLES,	/* cycles the MAC array was busy */
	NPU_PERF_DMA_CYCLES,	/* cycles the DMA engine was busy */
	NPU_PERF_PPU_CYCLES,	/* cycles the post-processing unit was busy */
	NPU_PERF_STALL_CYCLES,	/* CP cycles waiting: SYNC, full queue, job end, CP DMA */
	NPU_PERF_MACS,		/* multiply-accumulates performed */
	NPU_PERF_DMA_RD_BYTES,	/* bytes read from DRAM by the DMA engine */
	NPU_PERF_DMA_WR_BYTES,	/* bytes written to DRAM by the DMA engine */
	NPU_PERF_COMMANDS,	/* engine commands and SYNCs completed */
	NPU_PERF_JOBS,		/* jobs completed (any status) */
	NPU_PERF_JOB_FAULTS,	/* jobs completed with an error */
	NPU_PERF_COUNT
};

/* ------------------------------------------------------------------ */
/* Page tables.  32-bit device virtual addresses, 4 KiB pages, two     */
/* levels of 1024 64-bit entries (8 KiB tables, 4 KiB aligned).        */
/*   VA[31:22] indexes the level-1 table, VA[21:12] the level-2 table. */
/* ------------------------------------------------------------------ */

#define NPU_PAGE_SHIFT		12
#define NPU_PAGE_SIZE		(1u << NPU_PAGE_SHIFT)
#define NPU_PT_ENTRIES		1024u
#define NPU_PT_BYTES		(NPU_PT_ENTRIES * 8u)
#define NPU_VA_L1_INDEX(va)	(((uint32_t)(va) >> 22) & 0x3ffu)
#define NPU_VA_L2_INDEX(va)	(((uint32_t)(va) >> 12) & 0x3ffu)

#define NPU_PTE_VALID		(1ull << 0)
#define NPU_PTE_READ		(1ull << 1)	/* level 2; must be 0 at level 1 */
#define NPU_PTE_WRITE		(1ull << 2)	/* level 2; must be 0 at level 1 */
#define NPU_PTE_ADDR_MASK	0xfffffffffffff000ull
/* Bits 11:3 are reserved and must be zero; a set bit is a fault (L1/L2). */
#define NPU_PTE_RSVD_MASK	0x0000000000000ff8ull

/* ------------------------------------------------------------------ */
/* Job descriptors and completion records (bus addresses: kernel-owned */
/* memory, not translated by the MMU).                                 */
/* ------------------------------------------------------------------ */

struct npu_job_desc {
	uint32_t seqno;		/* written to the fence when the job ends */
	uint32_t ctx;		/* MMU context, < NPU_MAX_CONTEXTS */
	uint32_t cmd_addr;	/* device VA of the command stream, 4-aligned */
	uint32_t cmd_size;	/* bytes, multiple of 4, <= NPU_MAX_CMD_BYTES */
	uint64_t done_addr;	/* bus address of struct npu_job_done, 8-aligned, non-zero */
	uint32_t flags;		/* must be 0 */
	uint32_t reserved;	/* must be 0 */
};

#define NPU_MAX_CMD_BYTES	(16u << 20)

/* Written by the device before the fence; counters are for this job. */
struct npu_job_done {
	uint32_t seqno;
	uint32_t status;	/* enum npu_err */
	uint32_t fault_offset;	/* byte offset of the failing command */
	uint32_t fault_addr;	/* VA for MMU/DMA faults, else 0 */
	uint64_t counters[NPU_PERF_JOBS];	/* enum npu_perf_counter */
};

/*
 * Job status codes, also the engines' and the CP DMA's status codes.
 * Stable numbers: they cross to userspace.
 */
enum npu_err {
	NPU_OK = 0,
	NPU_ERR_OPCODE = 1,	/* unknown opcode */
	NPU_ERR_LENGTH = 2,	/* command size wrong for its opcode or
				 * truncated by the end of the stream */
	NPU_ERR_FIELD = 3,	/* a field out of its documented range, a
				 * reserved field or unknown flag set */
	NPU_ERR_SRAM_RANGE = 4,	/* an operand extends past the SRAM */
	NPU_ERR_OVERFLOW = 5,	/* an extent does not fit in 32 bits */
	NPU_ERR_MMU = 6,	/* MMU fault, details in fault registers */
	NPU_ERR_DMA = 7,	/* bus error on a DMA transfer */
	NPU_ERR_HAZARD = 8,	/* commands on two engines that overlap in
				 * time touch the same SRAM bytes (no SYNC
				 * ordered them) */
	NPU_ERR_DESC = 9,	/* malformed job descriptor */
	NPU_ERR_CONTEXT = 10,	/* job context not enabled */
	NPU_ERR_FW = 11,	/* firmware internal error */
	NPU_ERR_COUNT
};

/* ------------------------------------------------------------------ */
/* Command stream.  A stream is a sequence of commands; each starts    */
/* with a 32-bit header: opcode [7:0], reserved [15:8] (zero), size in */
/* 32-bit words including the header [31:16].  A command's size must   */
/* equal sizeof() of its struct / 4.  All SRAM addresses are byte      */
/* offsets into the SRAM; DRAM addresses are device VAs in the job's   */
/* context.                                                            */
/* ------------------------------------------------------------------ */

#define NPU_CMD_HDR(op, words)	((uint32_t)(op) | ((uint32_t)(words) << 16))
#define NPU_CMD_OPCODE(hdr)	((hdr) & 0xffu)
#define NPU_CMD_RSVD(hdr)	(((hdr) >> 8) & 0xffu)
#define NPU_CMD_WORDS(hdr)	((hdr) >> 16)
#define NPU_CMD_MAX_WORDS	32u

enum npu_opcode {
	NPU_OP_NOP = 0x00,
	NPU_OP_SYNC = 0x01,
	NPU_OP_DMA_LOAD = 0x10,
	NPU_OP_DMA_STORE = 0x11,
	NPU_OP_CONV = 0x20,
	NPU_OP_MATMUL = 0x21,
	NPU_OP_POOL = 0x30,
	NPU_OP_ELTWISE = 0x31,
	NPU_OP_LUT = 0x32,
};

/* Engines: each runs its commands in order, engines run concurrently. */
enum npu_engine {
	NPU_ENGINE_DMA = 0,	/* DMA_LOAD, DMA_STORE */
	NPU_ENGINE_MAC = 1,	/* CONV, MATMUL */
	NPU_ENGINE_PPU = 2,	/* POOL, ELTWISE, LUT */
	NPU_ENGINE_COUNT
};
#define NPU_ENGINE_BIT(e)	(1u << (e))
#define NPU_ENGINE_ALL		((1u << NPU_ENGINE_COUNT) - 1)

/* Data-type flags shared by the compute commands. */
#define NPU_F_IN_U8		(1u << 0)	/* input (A) is uint8, else int8 */
#define NPU_F_OUT_U8		(1u << 1)	/* output is uint8, else int8 */
#define NPU_F_B_U8		(1u << 2)	/* ELTWISE input B is uint8 */
#define NPU_F_PER_CHANNEL	(1u << 3)	/* CONV/MATMUL: quant table */
#define NPU_F_BIAS		(1u << 4)	/* CONV/MATMUL: bias table */
#define NPU_F_B_BROADCAST	(1u << 5)	/* ELTWISE: B[i % channels] */
#define NPU_F_COUNT_PAD		(1u << 6)	/* POOL AVG: padded taps count */

/* NOP: header only.  SYNC: wait for engines before issuing more. */
struct npu_cmd_sync {
	uint32_t hdr;
	uint32_t engines;	/* NPU_ENGINE_BIT mask, non-zero */
};

/*
 * DMA_LOAD copies a 4-D box from DRAM to SRAM; DMA_STORE the other
 * way.  Element (i3, i2, i1) is a run of size[0] contiguous bytes at
 *   dram_addr + i3*dram_stride[2] + i2*dram_stride[1] + i1*dram_stride[0]
 * and, for LOAD, at
 *   sram_addr + (i3)*sram_stride[2] + (i2 + pad_top)*sram_stride[1]
 *             + (i1 + pad_left)*sram_stride[0]
 * LOAD additionally writes `fill` to every byte of the runs of the
 * padded border: i2 in [-pad_top, size[2] + pad_bottom), i1 in
 * [-pad_left, size[1] + pad_right).  STORE requires pad == 0 and
 * fill == 0.
 */
struct npu_cmd_dma {
	uint32_t hdr;
	uint32_t dram_addr;
	uint32_t sram_addr;
	uint32_t size[4];	/* bytes per run, then counts of dims 1..3 */
	uint32_t dram_stride[3];
	uint32_t sram_stride[3];
	uint8_t pad_top, pad_bottom, pad_left, pad_right;
	uint32_t fill;		/* bits 7:0, others zero */
};
#define NPU_DMA_MAX_PAD		255u

/*
 * Requantization of one int32 value (see docs/hw-spec.md, "The
 * arithmetic"): multiplier in [0, 2^31 - 1], shift in [-31, 30].
 */
struct npu_quant {
	int32_t multiplier;
	int32_t shift;
};

/*
 * CONV: int8/uint8 NHWC input (in_h, in_w, in_c) dense at in_addr;
 * int8 weights [out_c][kernel_h][kernel_w][in_c / groups] at wt_addr;
 * int32 bias [out_c] at bias_addr if NPU_F_BIAS; struct npu_quant
 * [out_c] at quant_addr if NPU_F_PER_CHANNEL, else `quant` for all;
 * output (out_h, out_w, out_c) dense at out_addr.  Padding taps are
 * skipped (they equal in_zp).  out_h must be
 *   (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1)
 *     / stride_h + 1
 * and likewise out_w.
 */
struct npu_cmd_conv {
	uint32_t hdr;
	uint32_t flags;
	uint32_t in_addr, wt_addr, bias_addr, quant_addr, out_addr;
	uint16_t in_h, in_w, in_c, groups;
	uint16_t out_h, out_w, out_c, reserved;
	uint8_t kernel_h, kernel_w, stride_h, stride_w;
	uint8_t dilation_h, dilation_w, pad_top, pad_bottom;
	uint8_t pad_left, pad_right, reserved2[2];
	int16_t in_zp, out_zp, act_min, act_max;
	struct npu_quant quant;
};
#define NPU_CONV_MAX_KERNEL	11u
#define NPU_CONV_MAX_STRIDE	8u
#define NPU_CONV_MAX_DILATION	8u
#define NPU_CONV_MAX_PAD	(NPU_CONV_MAX_KERNEL - 1)

/*
 * MATMUL: out[m][n] = requant(bias[n] + sum_k (in[m][k] - in_zp) *
 * wt[n][k]); in (m, k) row-major at in_addr, int8 wt (n, k) at
 * wt_addr, out (m, n) row-major at out_addr.
 */
struct npu_cmd_matmul {
	uint32_t hdr;
	uint32_t flags;
	uint32_t in_addr, wt_addr, bias_addr, quant_addr, out_addr;
	uint32_t m, k, n;
	int16_t in_zp, out_zp, act_min, act_max;
	struct npu_quant quant;
};
#define NPU_MATMUL_MAX_DIM	65535u

/*
 * POOL over (in_h, in_w, channels) dense input to (out_h, out_w,
 * channels).  MAX: max of the valid taps.  AVG: sum of valid taps
 * minus in_zp each, divided (rounding half away from zero) by the
 * valid-tap count, or by kernel_h * kernel_w with NPU_F_COUNT_PAD
 * (padded taps then add 0).  GLOBAL_AVG: AVG over the whole input,
 * out_h = out_w = 1, kernel/stride/pad fields zero.
 * The result r is then out_zp + requant(r - [MAX: in_zp]) clamped.
 */
enum npu_pool_mode {
	NPU_POOL_MAX = 0,
	NPU_POOL_AVG = 1,
	NPU_POOL_GLOBAL_AVG = 2,
};

struct npu_cmd_pool {
	uint32_t hdr;
	uint32_t flags;
	uint32_t mode;
	uint32_t in_addr, out_addr;
	uint16_t in_h, in_w, channels, reserved;
	uint16_t out_h, out_w;
	uint8_t kernel_h, kernel_w, stride_h, stride_w;
	uint8_t pad_top, pad_bottom, pad_left, pad_right;
	int16_t in_zp, out_zp, act_min, act_max;
	struct npu_quant quant;
};
#define NPU_POOL_MAX_KERNEL	16u
#define NPU_POOL_MAX_STRIDE	16u

/*
 * ELTWISE over `count` elements.  B is indexed i, or i % channels with
 * NPU_F_B_BROADCAST (count a multiple of channels).
 * ADD: a' = requant((a - a_zp) << left_shift, a_quant), b' likewise,
 *      out = out_zp + requant(a' + b', out_quant)
 * MUL: out = out_zp + requant((a - a_zp) * (b - b_zp), out_quant)
 * then clamp to [act_min, act_max].
 */
enum npu_eltwise_op {
	NPU_ELTWISE_ADD = 0,
	NPU_ELTWISE_MUL = 1,
};

struct npu_cmd_eltwise {
	uint32_t hdr;
	uint32_t flags;
	uint32_t op;
	uint32_t a_addr, b_addr, out_addr;
	uint32_t count, channels;
	int16_t a_zp, b_zp, out_zp, left_shift;
	int16_t act_min, act_max;
	uint32_t reserved;
	struct npu_quant a_quant, b_quant, out_quant;
};
#define NPU_ELTWISE_MAX_LSHIFT	20

/*
 * LUT: out[i] = table[idx] with idx = in[i] for uint8 input and
 * in[i] + 128 for int8 input; the 256-byte table is at table_addr.
 */
struct npu_cmd_lut {
	uint32_t hdr;
	uint32_t flags;		/* NPU_F_IN_U8 only */
	uint32_t in_addr, out_addr, table_addr, count;
};

/* ------------------------------------------------------------------ */
/* Command processor (CP): rv32im, its own address space.              */
/* ------------------------------------------------------------------ */

#define NPU_CP_IMEM_BASE	0x00000000u	/* code + rodata, r/x */
#define NPU_CP_IMEM_SIZE	0x00010000u	/* 64 KiB */
#define NPU_CP_DMEM_BASE	0x00100000u	/* data, bss, stack: r/w */
#define NPU_CP_DMEM_SIZE	0x00010000u	/* 64 KiB */
#define NPU_CP_REGS_BASE	0x00200000u	/* BAR0 registers, CP view */
#define NPU_CP_PRIV_BASE	0x00201000u	/* CP-private registers */

/*
 * CP-private registers (offsets from NPU_CP_PRIV_BASE).  Every access
 * is a 32-bit aligned load/store; anything else traps.
 */
#define NPU_CPR_CYCLE_LO	0x000	/* ro: device cycle counter */
#define NPU_CPR_CYCLE_HI	0x004	/* ro: latched by CYCLE_LO read */
#define NPU_CPR_WDT_KICK	0x008	/* wo: restart the watchdog */
#define NPU_CPR_TIMER		0x00c	/* rw: wake WFI at CYCLE_LO >= this */
#define NPU_CPR_IRQ_RAISE	0x010	/* wo: set NPU_IRQ_* status bits */
#define NPU_CPR_LOG		0x014	/* wo: one byte to the firmware log */

/*
 * CP DMA: synchronous copies between DMEM and the bus.  PHYS mode
 * reaches bus addresses (ring, descriptors, completion records, fence);
 * CTX mode reaches the current job context's VAs (command streams)
 * through the MMU.  Writing CTRL performs the copy; STATUS then holds
 * an enum npu_err.
 */
#define NPU_CPR_DMA_ADDR_LO	0x020
#define NPU_CPR_DMA_ADDR_HI	0x024	/* PHYS mode; must be 0 in CTX mode */
#define NPU_CPR_DMA_LOCAL	0x028	/* CP address inside DMEM */
#define NPU_CPR_DMA_LEN		0x02c	/* bytes, <= NPU_CP_DMEM_SIZE */
#define NPU_CPR_DMA_CTRL	0x030
#define NPU_CPR_DMA_STATUS	0x034
#define NPU_CPR_DMA_FAULT_ADDR	0x038
#define NPU_CP_DMA_TO_LOCAL	(0u << 0)	/* bus -> DMEM */
#define NPU_CP_DMA_FROM_LOCAL	(1u << 0)	/* DMEM -> bus */
#define NPU_CP_DMA_PHYS		(0u << 1)
#define NPU_CP_DMA_CTX		(1u << 1)

/*
 * Job and engine control.  JOB_CTX takes a context < NPU_MAX_CONTEXTS
 * (larger values store 0).  JOB_BEGIN latches JOB_CTX, zeroes the
 * per-job counters, flushes the context's cached
 * translations and starts the job's timeline.  ENG_KICK issues the
 * command at DMEM address ENG_DESC to its engine; the engine re-checks
 * it and ENG_STATUS/ENG_FAULT_ADDR then hold its result (enum npu_err).
 * JOB_END waits for every engine and stops the timeline; the per-job
 * counters then hold the job's final values.
 */
#define NPU_CPR_JOB_CTX		0x040
#define NPU_CPR_JOB_SEQNO	0x044
#define NPU_CPR_JOB_BEGIN	0x048	/* wo */
#define NPU_CPR_JOB_END		0x04c	/* wo: value = job status */
#define NPU_CPR_ENG_DESC	0x050
#define NPU_CPR_ENG_KICK	0x054	/* wo */
#define NPU_CPR_ENG_STATUS	0x058	/* ro */
#define NPU_CPR_ENG_FAULT_ADDR	0x05c	/* ro */
#define NPU_CPR_SYNC		0x060	/* wo: NPU_ENGINE_BIT mask */
#define NPU_CPR_JOB_PERF_LO(n)	(0x100 + 8 * (n))	/* ro, n < NPU_PERF_JOBS */
#define NPU_CPR_JOB_PERF_HI(n)	(0x104 + 8 * (n))

/* Why the CP stopped (NPU_REG_CP_TRAP_CAUSE). */
enum npu_cp_trap {
	NPU_CP_TRAP_NONE = 0,
	NPU_CP_TRAP_ILLEGAL = 1,	/* illegal or unsupported instruction */
	NPU_CP_TRAP_FETCH = 2,		/* fetch outside IMEM or misaligned */
	NPU_CP_TRAP_LOAD = 3,		/* load outside CP memory, or not an
					 * aligned lw in the register window */
	NPU_CP_TRAP_STORE = 4,		/* store to IMEM, outside DMEM, or not
					 * an aligned sw in the register window */
	NPU_CP_TRAP_MISALIGNED = 5,	/* misaligned load/store in IMEM/DMEM */
	NPU_CP_TRAP_ECALL = 6,		/* ecall or ebreak */
	NPU_CP_TRAP_WATCHDOG = 7,	/* no WDT_KICK within the budget */
	NPU_CP_TRAP_INJECTED = 8,	/* fault injection: firmware crash */
};

/* ------------------------------------------------------------------ */
/* Firmware image: struct npu_fw_header then `size` payload bytes,     */
/* loaded at NPU_CP_IMEM_BASE.  Versions are major << 16 | minor << 8  */
/* | patch for images and major << 16 | minor for the API.             */
/* ------------------------------------------------------------------ */

#define NPU_FW_MAGIC		0x5746504eu	/* "NPFW" */
#define NPU_FW_API_VERSION	0x00010000u	/* 1.0: this header's ABI */
#define NPU_FW_API_MAJOR(v)	((v) >> 16)
#define NPU_FW_API_MINOR(v)	((v) & 0xffffu)

struct npu_fw_header {
	uint32_t magic;
	uint32_t header_size;	/* sizeof(struct npu_fw_header) */
	uint32_t image_version;
	uint32_t api_version;
	uint32_t size;		/* payload bytes, <= NPU_CP_IMEM_SIZE */
	uint32_t entry;		/* CP address of the first instruction */
	uint32_t payload_crc;	/* CRC-32 (IEEE) of the payload */
	uint32_t reserved[8];	/* zero */
	uint32_t header_crc;	/* CRC-32 of the header up to this field */
};

/* The layouts above are ABI: fixed sizes on every compiler and target. */
_Static_assert(sizeof(struct npu_job_desc) == 32, "npu_job_desc");
_Static_assert(sizeof(struct npu_job_done) == 88, "npu_job_done");
_Static_assert(sizeof(struct npu_cmd_sync) == 8, "npu_cmd_sync");
_Static_assert(sizeof(struct npu_cmd_dma) == 60, "npu_cmd_dma");
_Static_assert(sizeof(struct npu_cmd_conv) == 72, "npu_cmd_conv");
_Static_assert(sizeof(struct npu_cmd_matmul) == 56, "npu_cmd_matmul");
_Static_assert(sizeof(struct npu_cmd_pool) == 56, "npu_cmd_pool");
_Static_assert(sizeof(struct npu_cmd_eltwise) == 72, "npu_cmd_eltwise");
_Static_assert(sizeof(struct npu_cmd_lut) == 24, "npu_cmd_lut");
_Static_assert(sizeof(struct npu_fw_header) == 64, "npu_fw_header");

#endif /* NPU_HW_H */
