// SPDX-License-Identifier: MIT
/*
 * The firmware's logic (firmware/job.c, mbox.c) on the host, against a
 * fake device that implements hal.h: BAR0 and CP-private register
 * files, a bus memory for PHYS DMA, one context's memory for CTX DMA
 * and engines that record what they are kicked with.  The fake also
 * polices the contract: writes to registers the CP cannot write, reads
 * of write-only ones, DMA or ENG_DESC outside the firmware's DMEM,
 * engine work outside JOB_BEGIN/JOB_END, invalid commands kicked.
 */
#include <stdio.h>
#include <string.h>

#include "fw.h"
#include "hal.h"
#include "harness.h"
#include "npu_cmd.h"

#define TEST_VERSION	0x00010203u	/* 1.2.3 */

/* Bus memory sits above 4 GiB so that every PHYS DMA needs ADDR_HI. */
#define BUS_BASE	0x100000000ull
#define BUS_SIZE	(64u * 1024)
#define RING_ADDR	(BUS_BASE + 0x0000)	/* up to 64 slots */
#define DONE_ADDR	(BUS_BASE + 0x1000)	/* one record per seqno % 64 */
#define DONE_STRIDE	96u
#define FENCE_ADDR	(BUS_BASE + 0x3000)

/* The job context's memory: a window of VAs, with an optional hole. */
#define CTX_VA		0x40000000u
#define CTX_SIZE	(64u * 1024)
#define SRAM_SIZE	(256u * 1024)

#define RING_ENTRIES	8u
#define JOB_CTX_OK	1u	/* enabled context */
#define JOB_CTX_OFF	5u	/* disabled context */

#define MAX_KICKS	4096
#define MAX_DMAS	1024
#define MAX_EVENTS	65536
#define STREAM_MAX	8192	/* words */

enum ev_space { EV_REG, EV_PRIV };

struct event {
	enum ev_space space;
	uint32_t off;
	uint32_t value;
};

struct kick {
	uint32_t words[NPU_CMD_MAX_WORDS];
	uint32_t seqno;
};

struct dma {
	uint32_t ctrl;
	uint64_t addr;
	uint32_t len;
	uint32_t status;
};

static struct {
	uint32_t regs[NPU_BAR0_SIZE / 4];
	uint32_t priv[0x1000 / 4];	/* last value written */
	uint64_t cycle;
	uint32_t cycle_hi_latch;
	uint8_t bus[BUS_SIZE];
	uint8_t ctx[CTX_SIZE];
	uint32_t hole_lo, hole_hi;	/* CTX VAs [lo, hi) fault */
	struct fw_dmem *dmem;

	int in_job;
	uint32_t job_ctx, job_seqno;
	unsigned int jobs_begun, jobs_ended;
	uint32_t last_end_status;
	uint64_t perf[NPU_PERF_JOBS];

	struct kick kicks[MAX_KICKS];
	unsigned int nkicks;
	unsigned int fail_kick;		/* 1-based kick that fails, 0 none */
	uint32_t fail_status, fail_addr;
	uint32_t eng_status, eng_fault;

	struct dma dmas[MAX_DMAS];
	unsigned int ndmas;
	uint32_t dma_status, dma_fault;

	struct event events[MAX_EVENTS];
	unsigned int nevents;
	char log[8192];
	unsigned int log_len;
	unsigned int wdt_kicks, syncs, violations;
} fake;

static struct fw_state fw;

static void violation(const char *what, uint32_t off)
{
	printf("    fake device: %s (0x%x)\n", what, off);
	fake.violations++;
}

static void record(enum ev_space space, uint32_t off, uint32_t value)
{
	if (fake.nevents < MAX_EVENTS)
		fake.events[fake.nevents++] = (struct event){ space, off, value };
}

/* Host pointer of `len` bytes at CP address `local`, NULL if outside DMEM. */
static void *dmem_ptr(uint32_t local, uint32_t len)
{
	uint32_t off = local - NPU_CP_DMEM_BASE;

	if (local < NPU_CP_DMEM_BASE || off > sizeof(*fake.dmem) ||
	    len > sizeof(*fake.dmem) - off)
		return NULL;
	return (uint8_t *)fake.dmem + off;
}

uint32_t fw_local_addr(const void *p)
{
	const uint8_t *base = (const uint8_t *)fake.dmem;
	const uint8_t *q = p;

	if (q < base || q > base + sizeof(*fake.dmem)) {
		violation("fw_local_addr outside struct fw_dmem", 0);
		return 0;
	}
	return NPU_CP_DMEM_BASE + (uint32_t)(q - base);
}

static int reg_cp_writable(uint32_t off)
{
	switch (off) {
	case NPU_REG_BOOT_STATUS:
	case NPU_REG_FW_VERSION:
	case NPU_REG_HEARTBEAT:
	case NPU_REG_MBOX_F2H_CMD:
	case NPU_REG_MBOX_F2H_ARG0:
	case NPU_REG_MBOX_F2H_ARG1:
	case NPU_REG_MBOX_F2H_SEQ:
	case NPU_REG_RING_HEAD:
	case NPU_REG_LAST_SEQNO:
		return 1;
	default:
		return 0;
	}
}

uint32_t fw_reg_read(uint32_t off)
{
	if ((off & 3) || off >= NPU_BAR0_SIZE) {
		violation("bad BAR0 read", off);
		return 0;
	}
	return fake.regs[off / 4];
}

void fw_reg_write(uint32_t off, uint32_t v)
{
	if ((off & 3) || off >= NPU_BAR0_SIZE || !reg_cp_writable(off)) {
		violation("BAR0 write the CP may not do", off);
		return;
	}
	record(EV_REG, off, v);
	fake.regs[off / 4] = v;
}

static int ctx_dma(uint32_t ctrl, uint32_t va, void *local, uint32_t len)
{
	uint64_t end = (uint64_t)va + len;

	if (!fake.in_job)
		violation("CTX DMA outside a job", va);
	if (va < CTX_VA || end > (uint64_t)CTX_VA + CTX_SIZE) {
		/* The first VA that is not mapped. */
		fake.dma_fault = va < CTX_VA || va >= CTX_VA + CTX_SIZE ? va :
				 CTX_VA + CTX_SIZE;
		return NPU_ERR_MMU;
	}
	if (fake.hole_lo < fake.hole_hi && va < fake.hole_hi && end > fake.hole_lo) {
		fake.dma_fault = va > fake.hole_lo ? va : fake.hole_lo;
		return NPU_ERR_MMU;
	}
	if (ctrl & NPU_CP_DMA_FROM_LOCAL)
		memcpy(fake.ctx + (va - CTX_VA), local, len);
	else
		memcpy(local, fake.ctx + (va - CTX_VA), len);
	return NPU_OK;
}

static int phys_dma(uint32_t ctrl, uint64_t addr, void *local, uint32_t len)
{
	if (addr < BUS_BASE || addr + len > BUS_BASE + BUS_SIZE) {
		fake.dma_fault = (uint32_t)addr;
		return NPU_ERR_DMA;
	}
	if (ctrl & NPU_CP_DMA_FROM_LOCAL)
		memcpy(fake.bus + (addr - BUS_BASE), local, len);
	else
		memcpy(local, fake.bus + (addr - BUS_BASE), len);
	return NPU_OK;
}

static void do_dma(uint32_t ctrl)
{
	uint32_t len = fake.priv[NPU_CPR_DMA_LEN / 4];
	uint64_t addr = fake.priv[NPU_CPR_DMA_ADDR_LO / 4];
	void *local = dmem_ptr(fake.priv[NPU_CPR_DMA_LOCAL / 4], len);

	fake.dma_fault = 0;
	if (ctrl & NPU_CP_DMA_CTX) {
		fake.dma_status = local ? ctx_dma(ctrl, (uint32_t)addr, local, len) :
			NPU_ERR_FIELD;
	} else {
		addr |= (uint64_t)fake.priv[NPU_CPR_DMA_ADDR_HI / 4] << 32;
		fake.dma_status = local ? phys_dma(ctrl, addr, local, len) : NPU_ERR_FIELD;
	}
	if (!local)
		violation("DMA_LOCAL range outside the firmware's DMEM",
			  fake.priv[NPU_CPR_DMA_LOCAL / 4]);
	if (fake.ndmas < MAX_DMAS)
		fake.dmas[fake.ndmas++] = (struct dma){ ctrl, addr, len, fake.dma_status };
}

static void do_kick(void)
{
	uint32_t local = fake.priv[NPU_CPR_ENG_DESC / 4];
	const uint32_t *cmd = dmem_ptr(local, 4);
	struct npu_cmd_info info;
	uint32_t words;
	struct kick *k;

	if (!fake.in_job)
		violation("ENG_KICK outside a job", local);
	if (!cmd || (local & 3)) {
		violation("ENG_DESC not a DMEM word", local);
		return;
	}
	words = NPU_CMD_WORDS(cmd[0]);
	if (words > NPU_CMD_MAX_WORDS || !dmem_ptr(local, words * 4) ||
	    npu_cmd_check(cmd, words, SRAM_SIZE, &info) || info.engine < 0) {
		violation("ENG_KICK of a command that is not a valid engine command", cmd[0]);
		return;
	}
	if (fake.nkicks == MAX_KICKS) {
		violation("too many kicks", 0);
		return;
	}
	k = &fake.kicks[fake.nkicks++];
	memset(k, 0, sizeof(*k));
	memcpy(k->words, cmd, words * 4);
	k->seqno = fake.job_seqno;
	if (fake.nkicks == fake.fail_kick) {
		fake.eng_status = fake.fail_status;
		fake.eng_fault = fake.fail_addr;
	} else {
		fake.eng_status = NPU_OK;
		fake.eng_fault = 0;
	}
}

uint32_t fw_priv_read(uint32_t off)
{
	uint32_t lo;

	if (off & 3) {
		violation("misaligned priv read", off);
		return 0;
	}
	if (off >= NPU_CPR_JOB_PERF_LO(0) && off < NPU_CPR_JOB_PERF_LO(NPU_PERF_JOBS)) {
		uint64_t v = fake.perf[(off - NPU_CPR_JOB_PERF_LO(0)) / 8];

		if (fake.in_job)
			violation("JOB_PERF read before JOB_END", off);
		return off & 4 ? (uint32_t)(v >> 32) : (uint32_t)v;
	}
	switch (off) {
	case NPU_CPR_CYCLE_LO:
		lo = (uint32_t)fake.cycle;
		fake.cycle_hi_latch = (uint32_t)(fake.cycle >> 32);
		return lo;
	case NPU_CPR_CYCLE_HI:
		return fake.cycle_hi_latch;
	case NPU_CPR_TIMER:
	case NPU_CPR_DMA_ADDR_LO:
	case NPU_CPR_DMA_ADDR_HI:
	case NPU_CPR_DMA_LOCAL:
	case NPU_CPR_DMA_LEN:
	case NPU_CPR_DMA_CTRL:
	case NPU_CPR_JOB_CTX:
	case NPU_CPR_JOB_SEQNO:
	case NPU_CPR_ENG_DESC:
		return fake.priv[off / 4];
	case NPU_CPR_DMA_STATUS:
		return fake.dma_status;
	case NPU_CPR_DMA_FAULT_ADDR:
		return fake.dma_fault;
	case NPU_CPR_ENG_STATUS:
		return fake.eng_status;
	case NPU_CPR_ENG_FAULT_ADDR:
		return fake.eng_fault;
	default:
		violation("read of a write-only or unknown priv register", off);
		return 0;
	}
}

void fw_priv_write(uint32_t off, uint32_t v)
{
	if (off & 3) {
		violation("misaligned priv write", off);
		return;
	}
	/* The log and the watchdog are too chatty for the event list. */
	if (off != NPU_CPR_LOG && off != NPU_CPR_WDT_KICK)
		record(EV_PRIV, off, v);
	switch (off) {
	case NPU_CPR_WDT_KICK:
		fake.wdt_kicks++;
		return;
	case NPU_CPR_LOG:
		if (v > 0xff)
			violation("LOG value not a byte", v);
		if (fake.log_len + 1 < sizeof(fake.log))
			fake.log[fake.log_len++] = (char)v;
		return;
	case NPU_CPR_IRQ_RAISE:
		if (!v || (v & ~NPU_IRQ_ALL))
			violation("bad IRQ_RAISE mask", v);
		fake.regs[NPU_REG_IRQ_STATUS / 4] |= v;
		return;
	case NPU_CPR_TIMER:
	case NPU_CPR_DMA_ADDR_LO:
	case NPU_CPR_DMA_ADDR_HI:
	case NPU_CPR_DMA_LOCAL:
	case NPU_CPR_DMA_LEN:
	case NPU_CPR_JOB_CTX:
	case NPU_CPR_JOB_SEQNO:
	case NPU_CPR_ENG_DESC:
		fake.priv[off / 4] = v;
		return;
	case NPU_CPR_DMA_CTRL:
		fake.priv[off / 4] = v;
		do_dma(v);
		return;
	case NPU_CPR_JOB_BEGIN:
		if (fake.in_job)
			violation("JOB_BEGIN inside a job", v);
		if (fake.priv[NPU_CPR_JOB_CTX / 4] >= NPU_MAX_CONTEXTS)
			violation("JOB_CTX out of range", fake.priv[NPU_CPR_JOB_CTX / 4]);
		fake.in_job = 1;
		fake.jobs_begun++;
		fake.job_ctx = fake.priv[NPU_CPR_JOB_CTX / 4];
		fake.job_seqno = fake.priv[NPU_CPR_JOB_SEQNO / 4];
		return;
	case NPU_CPR_JOB_END:
		if (!fake.in_job)
			violation("JOB_END without JOB_BEGIN", v);
		fake.in_job = 0;
		fake.jobs_ended++;
		fake.last_end_status = v;
		return;
	case NPU_CPR_ENG_KICK:
		do_kick();
		return;
	case NPU_CPR_SYNC:
		if (!fake.in_job)
			violation("SYNC outside a job", v);
		fake.syncs++;
		return;
	default:
		violation("write of a read-only or unknown priv register", off);
		return;
	}
}

void fw_wfi(void)
{
}

/* ------------------------------------------------------------------ */
/* Test helpers                                                        */
/* ------------------------------------------------------------------ */

static void reg_set(uint32_t off, uint32_t v)
{
	fake.regs[off / 4] = v;
}

static uint32_t reg_get(uint32_t off)
{
	return fake.regs[off / 4];
}

static void reg_set64(uint32_t off_lo, uint64_t v)
{
	reg_set(off_lo, (uint32_t)v);
	reg_set(off_lo + 4, (uint32_t)(v >> 32));
}

static uint32_t bus_u32(uint64_t addr)
{
	uint32_t v;

	memcpy(&v, fake.bus + (addr - BUS_BASE), 4);
	return v;
}

static void bus_u32_set(uint64_t addr, uint32_t v)
{
	memcpy(fake.bus + (addr - BUS_BASE), &v, 4);
}

static uint64_t done_addr(uint32_t seqno)
{
	return DONE_ADDR + (seqno % 64) * DONE_STRIDE;
}

static struct npu_job_done read_done(uint32_t seqno)
{
	struct npu_job_done d;

	memcpy(&d, fake.bus + (done_addr(seqno) - BUS_BASE), sizeof(d));
	return d;
}

/* Index of the n-th (0-based) write to `off` in `space`, -1 if none. */
static int ev_find(enum ev_space space, uint32_t off, int n)
{
	unsigned int i;

	for (i = 0; i < fake.nevents; i++)
		if (fake.events[i].space == space && fake.events[i].off == off && !n--)
			return (int)i;
	return -1;
}

static int ev_count(enum ev_space space, uint32_t off)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < fake.nevents; i++)
		n += fake.events[i].space == space && fake.events[i].off == off;
	return n;
}

static unsigned int ctx_dma_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < fake.ndmas; i++)
		n += !!(fake.dmas[i].ctrl & NPU_CP_DMA_CTX);
	return n;
}

static void clear_records(void)
{
	fake.nevents = 0;
	fake.ndmas = 0;
	fake.nkicks = 0;
	fake.log_len = 0;
	memset(fake.log, 0, sizeof(fake.log));
	fake.wdt_kicks = 0;
	fake.syncs = 0;
	fake.jobs_begun = fake.jobs_ended = 0;
	reg_set(NPU_REG_IRQ_STATUS, 0);
}

/* A fresh device with a configured ring, and the firmware booted. */
static void setup(void)
{
	unsigned int n;

	memset(&fake, 0, sizeof(fake));
	memset(&fw, 0, sizeof(fw));
	fake.dmem = &fw.dmem;
	reg_set(NPU_REG_ID, NPU_ID_MAGIC);
	reg_set(NPU_REG_CAP_SRAM, SRAM_SIZE);
	reg_set(NPU_REG_MMU_ROOT_LO(0), 0x10000 | NPU_MMU_ROOT_ENABLE);
	reg_set(NPU_REG_MMU_ROOT_LO(JOB_CTX_OK), 0x20000 | NPU_MMU_ROOT_ENABLE);
	reg_set(NPU_REG_MMU_ROOT_LO(JOB_CTX_OFF), 0x30000);
	reg_set64(NPU_REG_RING_BASE_LO, RING_ADDR);
	reg_set(NPU_REG_RING_SIZE, RING_ENTRIES);
	reg_set64(NPU_REG_FENCE_ADDR_LO, FENCE_ADDR);
	for (n = 0; n < NPU_PERF_JOBS; n++)
		fake.perf[n] = (uint64_t)(n + 1) << 32 | (0x1000u + n);
	fake.cycle = 12345;

	fw_init(&fw, TEST_VERSION);
	clear_records();
}

static struct npu_job_desc job_desc(uint32_t seqno, uint32_t cmd_addr, uint32_t cmd_size)
{
	struct npu_job_desc d = {
		.seqno = seqno,
		.ctx = JOB_CTX_OK,
		.cmd_addr = cmd_addr,
		.cmd_size = cmd_size,
		.done_addr = done_addr(seqno),
	};

	return d;
}

/* Write a descriptor at TAIL and advance TAIL, as the driver does. */
static void submit(const struct npu_job_desc *d)
{
	uint32_t tail = reg_get(NPU_REG_RING_TAIL);
	uint32_t size = reg_get(NPU_REG_RING_SIZE);
	uint64_t base = (uint64_t)reg_get(NPU_REG_RING_BASE_HI) << 32 |
			reg_get(NPU_REG_RING_BASE_LO);

	memcpy(fake.bus + (base - BUS_BASE) + (tail & (size - 1)) * sizeof(*d), d,
	       sizeof(*d));
	reg_set(NPU_REG_RING_TAIL, tail + 1);
}

/* Poll until idle; returns the number of passes that did work. */
static int run_until_idle(void)
{
	int busy = 0;

	while (fw_poll_once(&fw))
		if (++busy > 100000)
			break;
	return busy;
}

struct stream {
	uint32_t w[STREAM_MAX];
	uint32_t n;
};

static void s_emit(struct stream *s, const void *cmd, uint32_t words)
{
	memcpy(s->w + s->n, cmd, words * 4);
	s->n += words;
}

static void s_nop(struct stream *s)
{
	s->w[s->n++] = NPU_CMD_HDR(NPU_OP_NOP, 1);
}

static void s_sync(struct stream *s, uint32_t engines)
{
	struct npu_cmd_sync c = { NPU_CMD_HDR(NPU_OP_SYNC, 2), engines };

	s_emit(s, &c, 2);
}

static struct npu_cmd_dma dma_load(uint32_t dram, uint32_t sram, uint32_t len)
{
	struct npu_cmd_dma c;

	memset(&c, 0, sizeof(c));
	c.hdr = NPU_CMD_HDR(NPU_OP_DMA_LOAD, sizeof(c) / 4);
	c.dram_addr = dram;
	c.sram_addr = sram;
	c.size[0] = len;
	c.size[1] = c.size[2] = c.size[3] = 1;
	return c;
}

static void s_dma_load(struct stream *s, uint32_t dram, uint32_t sram, uint32_t len)
{
	struct npu_cmd_dma c = dma_load(dram, sram, len);

	s_emit(s, &c, sizeof(c) / 4);
}

static void s_matmul(struct stream *s, uint32_t m)
{
	struct npu_cmd_matmul c;

	memset(&c, 0, sizeof(c));
	c.hdr = NPU_CMD_HDR(NPU_OP_MATMUL, sizeof(c) / 4);
	c.in_addr = 0x1000;
	c.wt_addr = 0x2000;
	c.out_addr = 0x3000;
	c.m = m;
	c.k = 8;
	c.n = 8;
	c.act_min = -128;
	c.act_max = 127;
	c.quant.multiplier = 1 << 30;
	s_emit(s, &c, sizeof(c) / 4);
}

static void s_lut(struct stream *s, uint32_t count)
{
	struct npu_cmd_lut c = {
		.hdr = NPU_CMD_HDR(NPU_OP_LUT, sizeof(c) / 4),
		.in_addr = 0x4000,
		.out_addr = 0x5000,
		.table_addr = 0x6000,
		.count = count,
	};

	s_emit(s, &c, sizeof(c) / 4);
}

/* ELTWISE is one of the two largest commands (18 words). */
static void s_eltwise(struct stream *s, uint32_t count)
{
	struct npu_cmd_eltwise c;

	memset(&c, 0, sizeof(c));
	c.hdr = NPU_CMD_HDR(NPU_OP_ELTWISE, sizeof(c) / 4);
	c.op = NPU_ELTWISE_ADD;
	c.a_addr = 0x8000;
	c.b_addr = 0x9000;
	c.out_addr = 0xa000;
	c.count = count;
	c.act_min = -128;
	c.act_max = 127;
	c.a_quant.multiplier = c.b_quant.multiplier = c.out_quant.multiplier = 1 << 30;
	s_emit(s, &c, sizeof(c) / 4);
}

/* Put a stream at the start of the context window; returns its VA. */
static uint32_t put_stream(const struct stream *s)
{
	memcpy(fake.ctx, s->w, s->n * 4);
	return CTX_VA;
}

/* Submit one job running `s` and poll until idle. */
static void run_stream(const struct stream *s, uint32_t seqno)
{
	struct npu_job_desc d = job_desc(seqno, put_stream(s), s->n * 4);

	submit(&d);
	run_until_idle();
}

/* The command at word `at` of `s` was the `k`-th kick. */
static int kick_is(unsigned int k, const struct stream *s, uint32_t at)
{
	return k < fake.nkicks &&
	       !memcmp(fake.kicks[k].words, s->w + at, NPU_CMD_WORDS(s->w[at]) * 4);
}

/* ------------------------------------------------------------------ */
/* Boot and mailbox                                                    */
/* ------------------------------------------------------------------ */

TEST(boot_reports_version_and_ready)
{
	memset(&fake, 0, sizeof(fake));
	memset(&fw, 0, sizeof(fw));
	fake.dmem = &fw.dmem;
	fw_init(&fw, TEST_VERSION);

	CHECK_EQ(reg_get(NPU_REG_FW_VERSION), TEST_VERSION);
	CHECK_EQ(reg_get(NPU_REG_BOOT_STATUS), NPU_BOOT_READY);
	/* READY last: the host may talk to us as soon as it sees it. */
	CHECK(ev_find(EV_REG, NPU_REG_FW_VERSION, 0) < ev_find(EV_REG, NPU_REG_BOOT_STATUS, 0));
	CHECK_MSG(strstr(fake.log, "1.2.3") != NULL, "banner: '%s'", fake.log);
	CHECK_EQ(fake.log[fake.log_len - 1], '\n');
	CHECK_EQ(strchr(fake.log, '\n') - fake.log, (long)fake.log_len - 1);
	CHECK_EQ(fake.violations, 0);
}

TEST(idle_poll_does_nothing)
{
	setup();
	CHECK_EQ(fw_poll_once(&fw), 0);
	CHECK_EQ(fw_poll_once(&fw), 0);
	CHECK_EQ(fake.jobs_begun, 0);
	CHECK_EQ(reg_get(NPU_REG_IRQ_STATUS), 0);
	CHECK(fake.wdt_kicks >= 2);
	CHECK_EQ(fake.violations, 0);
}

/* Post a mailbox request as the host does: CMD and ARGs, then SEQ. */
static void mbox_request(uint32_t cmd, uint32_t arg0, uint32_t arg1)
{
	reg_set(NPU_REG_MBOX_H2F_CMD, cmd);
	reg_set(NPU_REG_MBOX_H2F_ARG0, arg0);
	reg_set(NPU_REG_MBOX_H2F_ARG1, arg1);
	reg_set(NPU_REG_MBOX_H2F_SEQ, reg_get(NPU_REG_MBOX_H2F_SEQ) + 1);
}

/* The reply registers were written in protocol order, then the IRQ. */
static int mbox_reply_ordered(void)
{
	int arg0 = ev_find(EV_REG, NPU_REG_MBOX_F2H_ARG0, 0);
	int arg1 = ev_find(EV_REG, NPU_REG_MBOX_F2H_ARG1, 0);
	int cmd = ev_find(EV_REG, NPU_REG_MBOX_F2H_CMD, 0);
	int seq = ev_find(EV_REG, NPU_REG_MBOX_F2H_SEQ, 0);
	int irq = ev_find(EV_PRIV, NPU_CPR_IRQ_RAISE, 0);

	return arg0 >= 0 && arg1 >= 0 && cmd >= 0 && seq > arg0 && seq > arg1 &&
	       seq > cmd && irq > seq &&
	       fake.events[irq].value == NPU_IRQ_MBOX &&
	       ev_find(EV_REG, NPU_REG_MBOX_F2H_SEQ, 1) < 0;
}

TEST(mbox_hello_ok)
{
	setup();
	mbox_request(NPU_MBOX_HELLO, NPU_FW_API_VERSION, 0);
	CHECK_EQ(fw_poll_once(&fw), 1);

	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_CMD), NPU_MBOX_REPLY(NPU_MBOX_HELLO, NPU_MBOX_OK));
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_ARG0), TEST_VERSION);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_ARG1), NPU_FW_API_VERSION);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_SEQ), 1);
	CHECK_EQ(reg_get(NPU_REG_IRQ_STATUS), NPU_IRQ_MBOX);
	CHECK(mbox_reply_ordered());

	/* Answered once: the same SEQ is not a new request. */
	CHECK_EQ(fw_poll_once(&fw), 0);
	CHECK_EQ(ev_count(EV_REG, NPU_REG_MBOX_F2H_SEQ), 1);
	CHECK_EQ(fake.violations, 0);
}

TEST(mbox_hello_api_mismatch)
{
	static const uint32_t bad[] = {
		NPU_FW_API_VERSION + 1,				/* newer minor */
		NPU_FW_API_VERSION + 0x10000,			/* newer major */
		NPU_FW_API_VERSION - 0x10000,			/* older major */
		0xffffffffu,
	};
	unsigned int i;

	setup();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		clear_records();
		mbox_request(NPU_MBOX_HELLO, bad[i], 0);
		CHECK_EQ(fw_poll_once(&fw), 1);
		CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_CMD),
			 NPU_MBOX_REPLY(NPU_MBOX_HELLO, NPU_MBOX_ERR_API));
		CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_ARG0), TEST_VERSION);
		CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_ARG1), NPU_FW_API_VERSION);
		CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_SEQ), i + 1);
		CHECK(mbox_reply_ordered());
	}
	CHECK_EQ(fake.violations, 0);
}

TEST(mbox_ping_echoes)
{
	setup();
	mbox_request(NPU_MBOX_PING, 0xdeadbeef, 7);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_CMD), NPU_MBOX_REPLY(NPU_MBOX_PING, NPU_MBOX_OK));
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_ARG0), 0xdeadbeef);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_SEQ), 1);
	CHECK(mbox_reply_ordered());

	clear_records();
	mbox_request(NPU_MBOX_PING, 42, 0);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_ARG0), 42);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_SEQ), 2);
	CHECK(mbox_reply_ordered());
	CHECK_EQ(fake.violations, 0);
}

TEST(mbox_unknown_command)
{
	setup();
	mbox_request(0x77, 1, 2);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_CMD), NPU_MBOX_REPLY(0x77, NPU_MBOX_ERR_CMD));
	CHECK_EQ(NPU_MBOX_REPLY_STATUS(reg_get(NPU_REG_MBOX_F2H_CMD)), NPU_MBOX_ERR_CMD);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_SEQ), 1);
	CHECK(mbox_reply_ordered());

	/* Command 0 is not a command either. */
	clear_records();
	mbox_request(0, 0, 0);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_CMD), NPU_MBOX_REPLY(0, NPU_MBOX_ERR_CMD));
	CHECK_EQ(fake.violations, 0);
}

TEST(mbox_and_job_in_one_pass)
{
	struct npu_job_desc d;

	setup();
	d = job_desc(9, CTX_VA, 0);
	submit(&d);
	mbox_request(NPU_MBOX_PING, 5, 0);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(reg_get(NPU_REG_MBOX_F2H_SEQ), 1);
	CHECK_EQ(reg_get(NPU_REG_RING_HEAD), 1);
	CHECK_EQ(reg_get(NPU_REG_IRQ_STATUS), NPU_IRQ_MBOX | NPU_IRQ_JOB_DONE);
	CHECK_EQ(fw_poll_once(&fw), 0);
	CHECK_EQ(fake.violations, 0);
}

/* ------------------------------------------------------------------ */
/* Heartbeat                                                           */
/* ------------------------------------------------------------------ */

TEST(heartbeat_follows_cycle_counter)
{
	uint64_t start;

	setup();
	start = fake.cycle;
	fw_poll_once(&fw);
	CHECK_EQ(reg_get(NPU_REG_HEARTBEAT), 1);
	CHECK_EQ(fake.priv[NPU_CPR_TIMER / 4], (uint32_t)(start + FW_HEARTBEAT_PERIOD));

	/* No beat, and no needless timer write, before the period is up. */
	fake.cycle = start + FW_HEARTBEAT_PERIOD - 1;
	fw_poll_once(&fw);
	fw_poll_once(&fw);
	CHECK_EQ(reg_get(NPU_REG_HEARTBEAT), 1);
	CHECK_EQ(ev_count(EV_PRIV, NPU_CPR_TIMER), 1);

	fake.cycle = start + FW_HEARTBEAT_PERIOD;
	fw_poll_once(&fw);
	CHECK_EQ(reg_get(NPU_REG_HEARTBEAT), 2);
	CHECK_EQ(fake.priv[NPU_CPR_TIMER / 4],
		 (uint32_t)(start + 2 * FW_HEARTBEAT_PERIOD));

	/* A long stall gives one beat, not a burst. */
	fake.cycle += 10 * FW_HEARTBEAT_PERIOD;
	fw_poll_once(&fw);
	fw_poll_once(&fw);
	CHECK_EQ(reg_get(NPU_REG_HEARTBEAT), 3);
	CHECK_EQ(fake.violations, 0);
}

TEST(heartbeat_timer_across_cycle_lo_wrap)
{
	uint64_t next;

	setup();
	fake.cycle = 0xffffff00u;
	fw_poll_once(&fw);
	next = fake.cycle + FW_HEARTBEAT_PERIOD;
	CHECK_EQ(reg_get(NPU_REG_HEARTBEAT), 1);
	/* The beat is past the wrap of CYCLE_LO: wake just before it. */
	CHECK_EQ(fake.priv[NPU_CPR_TIMER / 4], 0xffffffffu);

	fake.cycle = 0x100000010ull;
	fw_poll_once(&fw);
	CHECK_EQ(reg_get(NPU_REG_HEARTBEAT), 1);
	CHECK_EQ(fake.priv[NPU_CPR_TIMER / 4], (uint32_t)next);

	fake.cycle = next;
	fw_poll_once(&fw);
	CHECK_EQ(reg_get(NPU_REG_HEARTBEAT), 2);
	CHECK(fake.priv[NPU_CPR_TIMER / 4] != 0);
	CHECK_EQ(fake.violations, 0);
}

/* ------------------------------------------------------------------ */
/* The job ring                                                        */
/* ------------------------------------------------------------------ */

/* The common tail of every job: record, fence, LAST_SEQNO, HEAD, IRQ. */
static int completion_ordered(void)
{
	int end = ev_find(EV_PRIV, NPU_CPR_JOB_END, 0);
	int last = ev_find(EV_REG, NPU_REG_LAST_SEQNO, 0);
	int head = ev_find(EV_REG, NPU_REG_RING_HEAD, 0);
	int irq = ev_find(EV_PRIV, NPU_CPR_IRQ_RAISE, 0);

	return end >= 0 && last > end && head > last && irq > head;
}

TEST(empty_job_completes)
{
	struct npu_job_desc d;
	struct npu_job_done done;
	unsigned int n;

	setup();
	d = job_desc(77, CTX_VA, 0);
	submit(&d);
	CHECK_EQ(fw_poll_once(&fw), 1);

	CHECK_EQ(fake.jobs_begun, 1);
	CHECK_EQ(fake.jobs_ended, 1);
	CHECK_EQ(fake.job_ctx, JOB_CTX_OK);
	CHECK_EQ(fake.job_seqno, 77);
	CHECK_EQ(fake.last_end_status, NPU_OK);
	CHECK_EQ(ctx_dma_count(), 0);

	done = read_done(77);
	CHECK_EQ(done.seqno, 77);
	CHECK_EQ(done.status, NPU_OK);
	CHECK_EQ(done.fault_offset, 0);
	CHECK_EQ(done.fault_addr, 0);
	for (n = 0; n < NPU_PERF_JOBS; n++)
		CHECK_EQ(done.counters[n], fake.perf[n]);

	CHECK_EQ(bus_u32(FENCE_ADDR), 77);
	CHECK_EQ(reg_get(NPU_REG_LAST_SEQNO), 77);
	CHECK_EQ(reg_get(NPU_REG_RING_HEAD), 1);
	CHECK_EQ(reg_get(NPU_REG_IRQ_STATUS), NPU_IRQ_JOB_DONE);
	CHECK(completion_ordered());
	CHECK_EQ(fake.log_len, 0);
	CHECK_EQ(fw_poll_once(&fw), 0);
	CHECK_EQ(fake.violations, 0);
}

TEST(job_counters_64bit)
{
	struct npu_job_desc d;
	struct npu_job_done done;

	setup();
	fake.perf[NPU_PERF_CYCLES] = 0x123456789abcdef0ull;
	fake.perf[NPU_PERF_COMMANDS] = 0xffffffffull;
	d = job_desc(3, CTX_VA, 0);
	submit(&d);
	run_until_idle();
	done = read_done(3);
	CHECK(done.counters[NPU_PERF_CYCLES] == 0x123456789abcdef0ull);
	CHECK(done.counters[NPU_PERF_COMMANDS] == 0xffffffffull);
	CHECK_EQ(fake.violations, 0);
}

TEST(ring_not_configured_is_ignored)
{
	static const uint32_t bad_sizes[] = { 0, 1, 3, 6, NPU_RING_MAX_ENTRIES * 2, 0x80000000u };
	struct npu_job_desc d;
	unsigned int i;

	setup();
	d = job_desc(1, CTX_VA, 0);
	submit(&d);
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		reg_set(NPU_REG_RING_SIZE, bad_sizes[i]);
		CHECK_EQ(fw_poll_once(&fw), 0);
	}
	reg_set(NPU_REG_RING_SIZE, RING_ENTRIES);
	reg_set64(NPU_REG_RING_BASE_LO, 0);
	CHECK_EQ(fw_poll_once(&fw), 0);
	CHECK_EQ(fake.jobs_begun, 0);
	CHECK_EQ(fake.ndmas, 0);
	CHECK_EQ(reg_get(NPU_REG_RING_HEAD), 0);

	/* Configured again: the pending job runs. */
	reg_set64(NPU_REG_RING_BASE_LO, RING_ADDR);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(reg_get(NPU_REG_RING_HEAD), 1);
	CHECK_EQ(fake.violations, 0);
}

TEST(ring_largest_size)
{
	struct npu_job_desc d;

	setup();
	/* 4096 slots do not fit the fake bus; start where slot 1 is. */
	reg_set(NPU_REG_RING_SIZE, NPU_RING_MAX_ENTRIES);
	reg_set(NPU_REG_RING_HEAD, NPU_RING_MAX_ENTRIES + 1);
	reg_set(NPU_REG_RING_TAIL, NPU_RING_MAX_ENTRIES + 1);
	d = job_desc(4, CTX_VA, 0);
	submit(&d);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(read_done(4).seqno, 4);
	CHECK_EQ(reg_get(NPU_REG_RING_HEAD), NPU_RING_MAX_ENTRIES + 2);
	CHECK_EQ(fake.violations, 0);
}

TEST(ring_several_jobs_and_wrap)
{
	struct npu_job_desc d;
	uint32_t seqno = 100, round, i;

	setup();
	/* Size 4 and free-running indices about to wrap 32 bits. */
	reg_set(NPU_REG_RING_SIZE, 4);
	reg_set(NPU_REG_RING_HEAD, 0xfffffffeu);
	reg_set(NPU_REG_RING_TAIL, 0xfffffffeu);

	for (round = 0; round < 3; round++) {
		uint32_t first = seqno;

		clear_records();
		for (i = 0; i < 4; i++) {
			d = job_desc(seqno++, CTX_VA, 0);
			submit(&d);
		}
		/* One job per pass, so the mailbox is never starved. */
		CHECK_EQ(run_until_idle(), 4);
		CHECK_EQ(fake.jobs_begun, 4);
		for (i = first; i < seqno; i++) {
			CHECK_EQ(read_done(i).seqno, i);
			CHECK_EQ(read_done(i).status, NPU_OK);
		}
		CHECK_EQ(reg_get(NPU_REG_RING_HEAD), 0xfffffffeu + 4 * (round + 1));
		CHECK_EQ(reg_get(NPU_REG_LAST_SEQNO), seqno - 1);
		CHECK_EQ(bus_u32(FENCE_ADDR), seqno - 1);
		/* LAST_SEQNO in submission order. */
		for (i = 0; i < 4; i++)
			CHECK_EQ(fake.events[ev_find(EV_REG, NPU_REG_LAST_SEQNO, (int)i)].value,
				 first + i);
	}
	CHECK_EQ(fake.violations, 0);
}

TEST(job_without_fence)
{
	struct npu_job_desc d;

	setup();
	reg_set64(NPU_REG_FENCE_ADDR_LO, 0);
	bus_u32_set(FENCE_ADDR, 0xaaaa);
	d = job_desc(8, CTX_VA, 0);
	submit(&d);
	run_until_idle();
	CHECK_EQ(read_done(8).seqno, 8);
	CHECK_EQ(bus_u32(FENCE_ADDR), 0xaaaa);
	CHECK_EQ(fake.ndmas, 2);	/* descriptor and record only */
	CHECK_EQ(reg_get(NPU_REG_LAST_SEQNO), 8);
	CHECK_EQ(fake.violations, 0);
}

/* ------------------------------------------------------------------ */
/* Rejected descriptors                                                */
/* ------------------------------------------------------------------ */

/* Run one bad job; check what every rejected job must produce. */
static int rejected_job(struct npu_job_desc *d, uint32_t status, int done_written)
{
	struct npu_job_done done;
	uint32_t seqno = d->seqno;

	memset(fake.bus + (DONE_ADDR - BUS_BASE), 0xee, 64 * DONE_STRIDE);
	bus_u32_set(FENCE_ADDR, 0);
	clear_records();
	submit(d);
	if (fw_poll_once(&fw) != 1) {
		printf("    poll did no work\n");
		return 0;
	}
	done = read_done(seqno);
	if (done_written ? done.seqno != seqno || done.status != status ||
			   done.fault_offset || done.fault_addr ||
			   done.counters[0] != fake.perf[0] :
			   done.seqno != 0xeeeeeeeeu) {
		printf("    done record: seqno %u status %u\n", done.seqno, done.status);
		return 0;
	}
	if (fake.jobs_begun != 1 || fake.jobs_ended != 1 || fake.last_end_status != status ||
	    fake.job_seqno != seqno || fake.nkicks || ctx_dma_count() || fake.syncs) {
		printf("    job: begun %u ended %u status %u seqno %u kicks %u\n",
		       fake.jobs_begun, fake.jobs_ended, fake.last_end_status,
		       fake.job_seqno, fake.nkicks);
		return 0;
	}
	if (bus_u32(FENCE_ADDR) != seqno || reg_get(NPU_REG_LAST_SEQNO) != seqno ||
	    reg_get(NPU_REG_IRQ_STATUS) != NPU_IRQ_JOB_FAULT || !completion_ordered()) {
		printf("    fence %u last %u irq 0x%x\n", bus_u32(FENCE_ADDR),
		       reg_get(NPU_REG_LAST_SEQNO), reg_get(NPU_REG_IRQ_STATUS));
		return 0;
	}
	if (!strstr(fake.log, "job ") || fake.log[fake.log_len - 1] != '\n') {
		printf("    log: '%s'\n", fake.log);
		return 0;
	}
	return 1;
}

TEST(desc_invalid_fields)
{
	struct npu_job_desc d;
	uint32_t head;

	setup();
	head = reg_get(NPU_REG_RING_HEAD);

	d = job_desc(10, CTX_VA, 0);
	d.flags = 1;
	CHECK(rejected_job(&d, NPU_ERR_DESC, 1));
	CHECK_EQ(fake.job_ctx, 0);

	d = job_desc(11, CTX_VA, 0);
	d.reserved = 0x100;
	CHECK(rejected_job(&d, NPU_ERR_DESC, 1));

	d = job_desc(12, CTX_VA, 0);
	d.ctx = NPU_MAX_CONTEXTS;
	CHECK(rejected_job(&d, NPU_ERR_DESC, 1));
	CHECK_EQ(fake.job_ctx, 0);	/* never an out-of-range context */

	d = job_desc(13, CTX_VA + 2, 8);
	CHECK(rejected_job(&d, NPU_ERR_DESC, 1));

	d = job_desc(14, CTX_VA, 6);
	CHECK(rejected_job(&d, NPU_ERR_DESC, 1));

	d = job_desc(15, CTX_VA, NPU_MAX_CMD_BYTES + 4);
	CHECK(rejected_job(&d, NPU_ERR_DESC, 1));

	/* A stream running past the top of the 32-bit VA space. */
	d = job_desc(16, 0xfffffff0u, 32);
	CHECK(rejected_job(&d, NPU_ERR_DESC, 1));

	/* No usable record address: the rest still happens. */
	d = job_desc(17, CTX_VA, 0);
	d.done_addr = done_addr(17) + 4;
	CHECK(rejected_job(&d, NPU_ERR_DESC, 0));

	d = job_desc(18, CTX_VA, 0);
	d.done_addr = 0;
	CHECK(rejected_job(&d, NPU_ERR_DESC, 0));

	CHECK_EQ(reg_get(NPU_REG_RING_HEAD), head + 9);
	CHECK_EQ(fake.violations, 0);
}

TEST(desc_stream_at_top_of_va_space)
{
	struct npu_job_desc d;

	setup();
	/* A stream ending exactly at 4 GiB is a valid descriptor... */
	d = job_desc(20, 0xfffffffcu, 4);
	submit(&d);
	CHECK_EQ(fw_poll_once(&fw), 1);
	/* ...whose fetch faults in the MMU like any unmapped stream. */
	CHECK_EQ(read_done(20).status, NPU_ERR_MMU);
	CHECK_EQ(read_done(20).fault_addr, 0xfffffffcu);
	CHECK_EQ(read_done(20).fault_offset, 0);
	CHECK_EQ(fake.violations, 0);
}

TEST(desc_context_disabled)
{
	struct npu_job_desc d;

	setup();
	d = job_desc(30, CTX_VA, 16);
	d.ctx = JOB_CTX_OFF;
	CHECK(rejected_job(&d, NPU_ERR_CONTEXT, 1));
	CHECK_EQ(fake.job_ctx, JOB_CTX_OFF);

	/* Descriptor errors win over the context check. */
	d = job_desc(31, CTX_VA, 16);
	d.ctx = JOB_CTX_OFF;
	d.flags = 2;
	CHECK(rejected_job(&d, NPU_ERR_DESC, 1));
	CHECK_EQ(fake.violations, 0);
}

TEST(desc_read_failure)
{
	struct npu_job_desc d;

	setup();
	reg_set(NPU_REG_LAST_SEQNO, 55);
	bus_u32_set(FENCE_ADDR, 55);
	/* A ring the bus cannot reach. */
	reg_set64(NPU_REG_RING_BASE_LO, 0x1000);
	reg_set(NPU_REG_RING_TAIL, 1);
	CHECK_EQ(fw_poll_once(&fw), 1);

	CHECK_EQ(fake.jobs_begun, 1);
	CHECK_EQ(fake.jobs_ended, 1);
	CHECK_EQ(fake.job_ctx, 0);
	CHECK_EQ(fake.last_end_status, NPU_ERR_DMA);
	/* No seqno is known: no record, fence or LAST_SEQNO. */
	CHECK_EQ(fake.ndmas, 1);
	CHECK_EQ(bus_u32(FENCE_ADDR), 55);
	CHECK_EQ(reg_get(NPU_REG_LAST_SEQNO), 55);
	CHECK_EQ(reg_get(NPU_REG_RING_HEAD), 1);
	CHECK_EQ(reg_get(NPU_REG_IRQ_STATUS), NPU_IRQ_JOB_FAULT);
	CHECK(fake.log_len > 0);

	/* The next job, from a reachable ring, is fine. */
	reg_set64(NPU_REG_RING_BASE_LO, RING_ADDR);
	d = job_desc(56, CTX_VA, 0);
	submit(&d);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(read_done(56).status, NPU_OK);
	CHECK_EQ(fake.violations, 0);
}

TEST(done_record_write_failure)
{
	struct npu_job_desc d;

	setup();
	d = job_desc(40, CTX_VA, 0);
	d.done_addr = 0x2000;	/* aligned, but not on the bus */
	submit(&d);
	CHECK_EQ(fw_poll_once(&fw), 1);
	CHECK_EQ(fake.last_end_status, NPU_OK);
	CHECK_EQ(bus_u32(FENCE_ADDR), 40);
	CHECK_EQ(reg_get(NPU_REG_RING_HEAD), 1);
	/* The host cannot see the result: say so. */
	CHECK_EQ(reg_get(NPU_REG_IRQ_STATUS), NPU_IRQ_JOB_FAULT);
	CHECK(strstr(fake.log, "done record") != NULL);
	CHECK_EQ(fake.violations, 0);
}

/* ------------------------------------------------------------------ */
/* Command streams                                                     */
/* ------------------------------------------------------------------ */

TEST(stream_dispatch_in_order)
{
	static struct stream s;
	uint32_t at_load, at_mm, at_lut, at_store;
	struct npu_cmd_dma store;
	int sync, kick2;

	setup();
	s.n = 0;
	s_nop(&s);
	at_load = s.n;
	s_dma_load(&s, 0x100000, 0x1000, 64);
	s_sync(&s, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	at_mm = s.n;
	s_matmul(&s, 8);
	s_nop(&s);
	at_lut = s.n;
	s_lut(&s, 64);
	s_sync(&s, NPU_ENGINE_ALL);
	at_store = s.n;
	store = dma_load(0x200000, 0x5000, 64);
	store.hdr = NPU_CMD_HDR(NPU_OP_DMA_STORE, sizeof(store) / 4);
	s_emit(&s, &store, sizeof(store) / 4);

	run_stream(&s, 50);
	CHECK_EQ(read_done(50).status, NPU_OK);
	CHECK_EQ(fake.nkicks, 4);
	CHECK(kick_is(0, &s, at_load));
	CHECK(kick_is(1, &s, at_mm));
	CHECK(kick_is(2, &s, at_lut));
	CHECK(kick_is(3, &s, at_store));
	CHECK_EQ(fake.kicks[0].seqno, 50);

	/* SYNCs carry their mask and sit between the right kicks. */
	CHECK_EQ(fake.syncs, 2);
	sync = ev_find(EV_PRIV, NPU_CPR_SYNC, 0);
	CHECK_EQ(fake.events[sync].value, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	CHECK(ev_find(EV_PRIV, NPU_CPR_ENG_KICK, 0) < sync);
	CHECK(sync < ev_find(EV_PRIV, NPU_CPR_ENG_KICK, 1));
	sync = ev_find(EV_PRIV, NPU_CPR_SYNC, 1);
	CHECK_EQ(fake.events[sync].value, NPU_ENGINE_ALL);
	CHECK(ev_find(EV_PRIV, NPU_CPR_ENG_KICK, 2) < sync);
	CHECK(sync < ev_find(EV_PRIV, NPU_CPR_ENG_KICK, 3));

	/* ENG_DESC is written before each KICK. */
	kick2 = ev_find(EV_PRIV, NPU_CPR_ENG_KICK, 2);
	CHECK(ev_find(EV_PRIV, NPU_CPR_ENG_DESC, 2) < kick2);
	CHECK(ev_find(EV_PRIV, NPU_CPR_ENG_DESC, 2) > ev_find(EV_PRIV, NPU_CPR_ENG_KICK, 1));

	/* Everything happens inside the job. */
	CHECK(ev_find(EV_PRIV, NPU_CPR_JOB_BEGIN, 0) < ev_find(EV_PRIV, NPU_CPR_ENG_KICK, 0));
	CHECK(ev_find(EV_PRIV, NPU_CPR_JOB_END, 0) > ev_find(EV_PRIV, NPU_CPR_ENG_KICK, 3));
	/* One watchdog kick per command at least. */
	CHECK(fake.wdt_kicks >= 8);
	CHECK_EQ(reg_get(NPU_REG_IRQ_STATUS), NPU_IRQ_JOB_DONE);
	CHECK_EQ(fake.violations, 0);
}

/* Run `s` as job `seqno` and check it failed with status at offset. */
static int stream_fails(const struct stream *s, uint32_t seqno, uint32_t status,
			uint32_t offset, uint32_t addr)
{
	struct npu_job_done done;

	clear_records();
	run_stream(s, seqno);
	done = read_done(seqno);
	if (done.seqno != seqno || done.status != status || done.fault_offset != offset ||
	    done.fault_addr != addr) {
		printf("    done: seqno %u status %u offset %u addr 0x%x\n", done.seqno,
		       done.status, done.fault_offset, done.fault_addr);
		return 0;
	}
	if (fake.last_end_status != status ||
	    reg_get(NPU_REG_IRQ_STATUS) != NPU_IRQ_JOB_FAULT ||
	    bus_u32(FENCE_ADDR) != seqno || !completion_ordered()) {
		printf("    end %u irq 0x%x\n", fake.last_end_status,
		       reg_get(NPU_REG_IRQ_STATUS));
		return 0;
	}
	if (!strstr(fake.log, "job ") || fake.log[fake.log_len - 1] != '\n' ||
	    strchr(fake.log, '\n') != fake.log + fake.log_len - 1) {
		printf("    log: '%s'\n", fake.log);
		return 0;
	}
	return 1;
}

TEST(stream_unknown_opcode)
{
	static struct stream s;

	setup();
	s.n = 0;
	s_nop(&s);
	s_dma_load(&s, 0, 0, 16);
	s.w[s.n++] = NPU_CMD_HDR(0x7f, 1);
	s_dma_load(&s, 0, 0, 16);
	CHECK(stream_fails(&s, 60, NPU_ERR_OPCODE, 16 * 4, 0));
	CHECK_EQ(fake.nkicks, 1);	/* nothing after the bad command */
	CHECK(strstr(fake.log, "job 60") != NULL);
	CHECK_EQ(fake.violations, 0);
}

TEST(stream_truncated_last_command)
{
	static struct stream s;

	setup();
	s.n = 0;
	s_nop(&s);
	s_nop(&s);
	s_dma_load(&s, 0, 0, 16);
	s.n -= 3;	/* the stream ends inside the command */
	CHECK(stream_fails(&s, 61, NPU_ERR_LENGTH, 2 * 4, 0));
	CHECK_EQ(fake.nkicks, 0);

	/* A header whose size disagrees with its opcode. */
	s.n = 0;
	s_nop(&s);
	s.w[s.n++] = NPU_CMD_HDR(NPU_OP_SYNC, 3);
	s.w[s.n++] = 1;
	s.w[s.n++] = 0;
	CHECK(stream_fails(&s, 62, NPU_ERR_LENGTH, 4, 0));
	CHECK_EQ(fake.violations, 0);
}

TEST(stream_sram_overflow)
{
	static struct stream s;

	setup();
	s.n = 0;
	s_matmul(&s, 4);
	s_dma_load(&s, 0, SRAM_SIZE - 8, 16);
	CHECK(stream_fails(&s, 63, NPU_ERR_SRAM_RANGE, 14 * 4, 0));
	CHECK_EQ(fake.nkicks, 1);
	CHECK_EQ(fake.violations, 0);
}

TEST(stream_dma_stride_overflow)
{
	static struct stream s;
	struct npu_cmd_dma c;

	setup();
	s.n = 0;
	s_nop(&s);
	s_sync(&s, 1);
	c = dma_load(0x1000, 0, 16);
	c.size[1] = 4;
	c.dram_stride[0] = 0x80000000u;	/* 3 * 2^31 bytes of span */
	s_emit(&s, &c, sizeof(c) / 4);
	CHECK(stream_fails(&s, 64, NPU_ERR_OVERFLOW, 3 * 4, 0));
	CHECK_EQ(fake.nkicks, 0);
	CHECK_EQ(fake.violations, 0);
}

TEST(stream_bad_sync_mask)
{
	static struct stream s;

	setup();
	s.n = 0;
	s_nop(&s);
	s_sync(&s, 0);
	CHECK(stream_fails(&s, 65, NPU_ERR_FIELD, 4, 0));
	CHECK_EQ(fake.syncs, 0);
	CHECK_EQ(fake.violations, 0);
}

TEST(engine_error_stops_job)
{
	static struct stream s;

	setup();
	s.n = 0;
	s_dma_load(&s, 0x1000, 0, 16);	/* offset 0 */
	s_nop(&s);			/* offset 60 */
	s_dma_load(&s, 0x2000, 0, 16);	/* offset 64: fails */
	s_lut(&s, 16);
	fake.fail_kick = 2;
	fake.fail_status = NPU_ERR_MMU;
	fake.fail_addr = 0x2000;
	CHECK(stream_fails(&s, 66, NPU_ERR_MMU, 64, 0x2000));
	CHECK_EQ(fake.nkicks, 2);
	CHECK(strstr(fake.log, "job 66") != NULL);
	CHECK_EQ(fake.violations, 0);
}

TEST(engine_hazard_reported)
{
	static struct stream s;

	setup();
	s.n = 0;
	s_lut(&s, 16);
	s_lut(&s, 16);
	fake.fail_kick = 2;
	fake.fail_status = NPU_ERR_HAZARD;
	CHECK(stream_fails(&s, 67, NPU_ERR_HAZARD, 24, 0));
	CHECK_EQ(fake.violations, 0);
}

/*
 * Fill `s` with `words` words of a deterministic mix of commands; with
 * `straddle`, a 15-word DMA_LOAD crosses every multiple of `straddle`.
 */
static void random_stream(struct stream *s, uint32_t words, uint32_t straddle)
{
	s->n = 0;
	while (s->n < words) {
		uint32_t left = words - s->n;

		if (straddle && left >= 15 && s->n % straddle > straddle - 15) {
			s_dma_load(s, s->n, 0, 16);
			continue;
		}
		switch (harness_rand() % 7) {
		case 6:
			if (left >= 18) {
				s_eltwise(s, 1 + s->n % 4096);
				break;
			}
			/* fall through */
		case 0:
			if (left >= 15) {
				s_dma_load(s, s->n * 4, 0x100, 64);
				break;
			}
			/* fall through */
		case 1:
			if (left >= 14) {
				s_matmul(s, 1 + s->n % 16);
				break;
			}
			/* fall through */
		case 2:
			if (left >= 6) {
				s_lut(s, 1 + s->n % 4096);
				break;
			}
			/* fall through */
		case 3:
			if (left >= 2) {
				s_sync(s, 1 + s->n % NPU_ENGINE_ALL);
				break;
			}
			/* fall through */
		default:
			s_nop(s);
			break;
		}
	}
}

/* Every engine command of `s` was kicked, in order, and nothing else. */
static int all_kicked(const struct stream *s, unsigned int *syncs)
{
	uint32_t at = 0;
	unsigned int k = 0;

	*syncs = 0;
	while (at < s->n) {
		uint32_t op = NPU_CMD_OPCODE(s->w[at]);

		if (op == NPU_OP_SYNC)
			(*syncs)++;
		else if (op != NPU_OP_NOP && !kick_is(k++, s, at)) {
			printf("    kick %u: command at word %u differs\n", k - 1, at);
			return 0;
		}
		at += NPU_CMD_WORDS(s->w[at]);
	}
	if (k != fake.nkicks) {
		printf("    %u kicks for %u engine commands\n", fake.nkicks, k);
		return 0;
	}
	return 1;
}

/* The CTX fetches cover the stream once, in order, each within the buffer. */
static int fetches_cover(uint32_t va, uint32_t bytes)
{
	uint32_t next = va;
	unsigned int i;

	for (i = 0; i < fake.ndmas; i++) {
		const struct dma *d = &fake.dmas[i];

		if (!(d->ctrl & NPU_CP_DMA_CTX))
			continue;
		if (d->addr != next || !d->len || d->len > FW_CMD_BUF_WORDS * 4 ||
		    (d->len & 3)) {
			printf("    fetch %u: va 0x%llx len %u, expected va 0x%x\n", i,
			       (unsigned long long)d->addr, d->len, next);
			return 0;
		}
		next += d->len;
	}
	return next == va + bytes;
}

TEST(stream_longer_than_fetch_buffer)
{
	static struct stream s;
	static const uint32_t sizes[] = {
		FW_CMD_BUF_WORDS - 1, FW_CMD_BUF_WORDS, FW_CMD_BUF_WORDS + 1,
		3 * FW_CMD_BUF_WORDS + 17, STREAM_MAX,
	};
	unsigned int i, syncs;
	uint32_t seqno = 200;

	setup();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		clear_records();
		random_stream(&s, sizes[i], FW_CMD_BUF_WORDS);
		run_stream(&s, seqno);
		CHECK_EQ(read_done(seqno).status, NPU_OK);
		CHECK(all_kicked(&s, &syncs));
		CHECK_EQ(fake.syncs, syncs);
		CHECK(fetches_cover(CTX_VA, s.n * 4));
		CHECK_EQ(fake.kicks[0].seqno, seqno);
		seqno++;
	}
	CHECK_EQ(fake.violations, 0);
}

TEST(stream_commands_straddle_every_refill)
{
	static struct stream s;
	unsigned int syncs, i, offset;
	uint32_t at;

	setup();
	/*
	 * Refills happen once fewer than NPU_CMD_MAX_WORDS words are left
	 * in the buffer.  Slide a DMA_LOAD across every word position
	 * around the first refill, so the leftover kept at the front of
	 * the buffer has every possible length.
	 */
	for (offset = 0; offset < NPU_CMD_MAX_WORDS + 16; offset++) {
		clear_records();
		s.n = 0;
		for (at = 0; at < FW_CMD_BUF_WORDS - NPU_CMD_MAX_WORDS - 8 + offset; at++)
			s_nop(&s);
		for (i = 0; i < 200; i++) {
			if (i & 1)
				s_eltwise(&s, 1 + i);
			else
				s_dma_load(&s, i, 0, 16);
			s_nop(&s);
		}
		run_stream(&s, 300 + offset);
		CHECK_EQ(read_done(300 + offset).status, NPU_OK);
		CHECK(all_kicked(&s, &syncs));
		CHECK_EQ(fake.nkicks, 200);
		CHECK(fetches_cover(CTX_VA, s.n * 4));
	}
	CHECK_EQ(fake.violations, 0);
}

/* Engine commands of `s` that start at or before word `last`. */
static unsigned int engine_cmds_upto(const struct stream *s, uint32_t last)
{
	unsigned int n = 0;
	uint32_t at;

	for (at = 0; at < s->n && at <= last; at += NPU_CMD_WORDS(s->w[at])) {
		uint32_t op = NPU_CMD_OPCODE(s->w[at]);

		n += op != NPU_OP_NOP && op != NPU_OP_SYNC;
	}
	return n;
}

/* Length of `s` cut after the last command starting at or before `last`. */
static uint32_t stream_cut(const struct stream *s, uint32_t last)
{
	uint32_t at = 0;

	while (at < s->n && at <= last)
		at += NPU_CMD_WORDS(s->w[at]);
	return at;
}

TEST(stream_ctx_fetch_fault)
{
	static struct stream s;
	unsigned int syncs;

	setup();
	random_stream(&s, 3 * FW_CMD_BUF_WORDS, 0);
	/* The second chunk's fetch hits an unmapped page. */
	fake.hole_lo = CTX_VA + 6 * 1024;
	fake.hole_hi = CTX_VA + 7 * 1024;
	CHECK(stream_fails(&s, 70, NPU_ERR_MMU, FW_CMD_BUF_WORDS * 4, CTX_VA + 6 * 1024));
	CHECK_EQ(ctx_dma_count(), 2);
	/*
	 * The commands that ran are those started while at least
	 * NPU_CMD_MAX_WORDS words were buffered, in order.
	 */
	CHECK_EQ(fake.nkicks, engine_cmds_upto(&s, FW_CMD_BUF_WORDS - NPU_CMD_MAX_WORDS));
	s.n = stream_cut(&s, FW_CMD_BUF_WORDS - NPU_CMD_MAX_WORDS);
	CHECK(all_kicked(&s, &syncs));

	/* A stream that is not mapped at all fails at offset 0. */
	random_stream(&s, 3 * FW_CMD_BUF_WORDS, 0);
	fake.hole_lo = CTX_VA;
	CHECK(stream_fails(&s, 71, NPU_ERR_MMU, 0, CTX_VA));
	CHECK_EQ(fake.nkicks, 0);
	CHECK_EQ(fake.violations, 0);
}

TEST(stream_of_max_size_runs_to_the_fault)
{
	const uint32_t nop = NPU_CMD_HDR(NPU_OP_NOP, 1);
	struct npu_job_desc d;
	struct npu_job_done done;
	uint32_t i;

	setup();
	/* The whole context window holds NOPs; the stream goes beyond. */
	for (i = 0; i < CTX_SIZE / 4; i++)
		memcpy(fake.ctx + i * 4, &nop, 4);
	clear_records();
	d = job_desc(80, CTX_VA, NPU_MAX_CMD_BYTES);
	submit(&d);
	run_until_idle();
	done = read_done(80);
	CHECK_EQ(done.status, NPU_ERR_MMU);
	CHECK_EQ(done.fault_addr, CTX_VA + CTX_SIZE);
	CHECK(done.fault_offset > CTX_SIZE - FW_CMD_BUF_WORDS * 4);
	CHECK(done.fault_offset < CTX_SIZE);
	CHECK(fake.wdt_kicks >= CTX_SIZE / 4 - FW_CMD_BUF_WORDS);
	CHECK_EQ(fake.violations, 0);
}
