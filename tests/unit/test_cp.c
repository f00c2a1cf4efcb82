// SPDX-License-Identifier: MIT
/*
 * Command processor tests: every rv32im instruction, the CP memory map
 * and its traps, and the run loop's budget, yield and wfi rules.
 * Programs are assembled by hand into IMEM with the encoders below.
 */
#include "npu_cp.h"
#include "harness.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define OP_LOAD		0x03u
#define OP_MISC_MEM	0x0fu
#define OP_IMM		0x13u
#define OP_AUIPC	0x17u
#define OP_STORE	0x23u
#define OP_OP		0x33u
#define OP_LUI		0x37u
#define OP_BRANCH	0x63u
#define OP_JALR		0x67u
#define OP_JAL		0x6fu
#define OP_SYSTEM	0x73u

enum { F3_ADD, F3_SLL, F3_SLT, F3_SLTU, F3_XOR, F3_SRL, F3_OR, F3_AND };
enum { F3_MUL, F3_MULH, F3_MULHSU, F3_MULHU, F3_DIV, F3_DIVU, F3_REM, F3_REMU };
enum { F3_BEQ = 0, F3_BNE = 1, F3_BLT = 4, F3_BGE = 5, F3_BLTU, F3_BGEU };
enum { F3_LB = 0, F3_LH = 1, F3_LW = 2, F3_LBU = 4, F3_LHU = 5 };
enum { F3_SB = 0, F3_SH = 1, F3_SW = 2 };
#define F7_ALT		0x20u	/* SUB, SRA */
#define F7_M		0x01u
#define SHAMT_SRA	0x400	/* SRAI: funct7 0x20 in imm[11:5] */

#define INSN_ECALL	0x00000073u
#define INSN_EBREAK	0x00100073u
#define INSN_WFI	0x10500073u
#define INSN_MRET	0x30200073u
#define INSN_FENCE	0x0ff0000fu
#define INSN_FENCE_I	0x0000100fu

/* ABI register numbers used by the larger programs. */
enum { ZERO = 0, RA = 1, SP = 2, T0 = 5, T1 = 6, A0 = 10, A1 = 11 };

#define IMEM_END	(NPU_CP_IMEM_BASE + NPU_CP_IMEM_SIZE)
#define DMEM_END	(NPU_CP_DMEM_BASE + NPU_CP_DMEM_SIZE)
#define SENTINEL	0x5a5a5a5au

static uint32_t enc_r(uint32_t op, uint32_t rd, uint32_t f3, uint32_t rs1,
		      uint32_t rs2, uint32_t f7)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_i(uint32_t op, uint32_t rd, uint32_t f3, uint32_t rs1,
		      int32_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 |
	       rd << 7 | op;
}

static uint32_t enc_s(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
	uint32_t u = (uint32_t)imm;

	return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       (u & 0x1f) << 7 | OP_STORE;
}

static uint32_t enc_b(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
	uint32_t u = (uint32_t)imm;

	return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs2 << 20 |
	       rs1 << 15 | f3 << 12 | (u >> 1 & 0xf) << 8 |
	       (u >> 11 & 1) << 7 | OP_BRANCH;
}

/* `imm` is the final value: its low 12 bits must be zero. */
static uint32_t enc_u(uint32_t op, uint32_t rd, uint32_t imm)
{
	return (imm & 0xfffff000u) | rd << 7 | op;
}

static uint32_t enc_j(uint32_t rd, int32_t imm)
{
	uint32_t u = (uint32_t)imm;

	return (u >> 20 & 1) << 31 | (u >> 1 & 0x3ff) << 21 |
	       (u >> 11 & 1) << 20 | (u >> 12 & 0xff) << 12 | rd << 7 | OP_JAL;
}

static uint32_t addi(uint32_t rd, uint32_t rs1, int32_t imm)
{
	return enc_i(OP_IMM, rd, F3_ADD, rs1, imm);
}

static uint32_t load(uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm)
{
	return enc_i(OP_LOAD, rd, f3, rs1, imm);
}

static uint32_t jalr(uint32_t rd, uint32_t rs1, int32_t imm)
{
	return enc_i(OP_JALR, rd, 0, rs1, imm);
}

/* A fake register window: records accesses, can fail, yield or halt. */
struct fake_io {
	uint32_t regs[(NPU_CP_REGS_END - NPU_CP_REGS_BASE) / 4];
	struct npu_cp *cp;
	int fail_read, fail_write;	/* return non-zero */
	int yield;			/* set cp->yield on each access */
	int halt;			/* npu_cp_trap() from the callback */
	int reads, writes;
	int bad_access;			/* the CP passed a bad address */
	uint32_t last_read, last_write;
};

static struct npu_cp cp;
static struct fake_io fio;

static bool fake_access(struct fake_io *io, uint32_t addr)
{
	uint32_t offset = addr - NPU_CP_REGS_BASE;

	if (offset >= sizeof(io->regs) || offset & 3) {
		io->bad_access++;
		return false;
	}
	if (io->yield)
		io->cp->yield = 1;
	if (io->halt)
		npu_cp_trap(io->cp, NPU_CP_TRAP_INJECTED, addr);
	return true;
}

static int fake_reg_read(void *opaque, uint32_t addr, uint32_t *value)
{
	struct fake_io *io = opaque;

	if (!fake_access(io, addr))
		return -1;
	io->reads++;
	io->last_read = addr;
	*value = io->regs[(addr - NPU_CP_REGS_BASE) / 4];
	return io->fail_read;
}

static int fake_reg_write(void *opaque, uint32_t addr, uint32_t value)
{
	struct fake_io *io = opaque;

	if (!fake_access(io, addr))
		return -1;
	io->writes++;
	io->last_write = addr;
	if (io->fail_write)
		return -1;
	io->regs[(addr - NPU_CP_REGS_BASE) / 4] = value;
	return 0;
}

static const struct npu_cp_io fake_ops = {
	.reg_read = fake_reg_read,
	.reg_write = fake_reg_write,
};

/* A fresh CP (state OFF, memories zero) wired to a fresh fake io. */
static void reset(void)
{
	memset(&fio, 0, sizeof(fio));
	fio.cp = &cp;
	npu_cp_init(&cp, &fake_ops, &fio);
}

static void put_word(uint8_t *mem, uint32_t offset, uint32_t value)
{
	mem[offset] = (uint8_t)value;
	mem[offset + 1] = (uint8_t)(value >> 8);
	mem[offset + 2] = (uint8_t)(value >> 16);
	mem[offset + 3] = (uint8_t)(value >> 24);
}

static uint32_t get_word(const uint8_t *mem, uint32_t offset)
{
	return mem[offset] | (uint32_t)mem[offset + 1] << 8 |
	       (uint32_t)mem[offset + 2] << 16 |
	       (uint32_t)mem[offset + 3] << 24;
}

/* Assemble `n` words at IMEM address 0 and start there. */
static void load_prog(const uint32_t *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_word(cp.imem, 4 * i, words[i]);
	npu_cp_start(&cp, 0);
}

#define PROG(...)							\
	load_prog((const uint32_t[]){ __VA_ARGS__ },			\
		  sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

/* Run to the program's final wfi; anything else fails the case. */
#define RUN_TO_WFI()							\
	do {								\
		npu_cp_run(&cp, 1000000);				\
		CHECK_MSG(cp.state == NPU_CP_WFI,			\
			  "state %d cause %u pc %#x value %#x",		\
			  (int)cp.state, cp.trap_cause, cp.trap_pc,	\
			  cp.trap_value);				\
	} while (0)

/* Execute `insn` with x1 = a, x2 = b; returns x3. */
static uint32_t exec1(uint32_t insn, uint32_t a, uint32_t b)
{
	put_word(cp.imem, 0, insn);
	put_word(cp.imem, 4, INSN_WFI);
	npu_cp_start(&cp, 0);
	cp.x[1] = a;
	cp.x[2] = b;
	npu_cp_run(&cp, 10);
	if (cp.state != NPU_CP_WFI || cp.pc != 8)
		harness_fail(__FILE__, __LINE__, "insn %#x: state %d cause %u",
			     insn, (int)cp.state, cp.trap_cause);
	return cp.x[3];
}

static uint32_t exec_r(uint32_t f7, uint32_t f3, uint32_t a, uint32_t b)
{
	return exec1(enc_r(OP_OP, 3, f3, 1, 2, f7), a, b);
}

static uint32_t exec_m(uint32_t f3, uint32_t a, uint32_t b)
{
	return exec_r(F7_M, f3, a, b);
}

static uint32_t exec_i(uint32_t f3, uint32_t a, int32_t imm)
{
	return exec1(enc_i(OP_IMM, 3, f3, 1, imm), a, 0);
}

/* 1 when `b?? x1, x2` is taken, 0 when not, -1 on anything unexpected. */
static int exec_branch(uint32_t f3, uint32_t a, uint32_t b)
{
	put_word(cp.imem, 0, enc_b(f3, 1, 2, 8));
	put_word(cp.imem, 4, addi(3, 0, 1));
	put_word(cp.imem, 8, INSN_WFI);
	npu_cp_start(&cp, 0);
	cp.x[1] = a;
	cp.x[2] = b;
	npu_cp_run(&cp, 10);
	if (cp.state != NPU_CP_WFI)
		return -1;
	return cp.x[3] == 0 && cp.instret == 2 ? 1 :
	       cp.x[3] == 1 && cp.instret == 3 ? 0 : -1;
}

/*
 * Run `insn` as the second instruction, after one that sets x5 = 7,
 * with x1 = a, x2 = b and x3 = SENTINEL.
 */
static void exec_trap(uint32_t insn, uint32_t a, uint32_t b)
{
	put_word(cp.imem, 0, addi(5, 0, 7));
	put_word(cp.imem, 4, insn);
	put_word(cp.imem, 8, INSN_WFI);
	npu_cp_start(&cp, 0);
	cp.x[1] = a;
	cp.x[2] = b;
	cp.x[3] = SENTINEL;
	npu_cp_run(&cp, 10);
}

/* The second instruction trapped without retiring; io saw no bad address. */
#define EXPECT_TRAP(insn, a, b, cause, value)				\
	do {								\
		exec_trap((insn), (a), (b));				\
		CHECK_EQ(cp.state, NPU_CP_HALTED);			\
		CHECK_EQ(cp.trap_cause, (cause));			\
		CHECK_EQ(cp.trap_pc, 4);				\
		CHECK_EQ(cp.trap_value, (value));			\
		CHECK_EQ(cp.pc, 4);					\
		CHECK_EQ(cp.instret, 1);				\
		CHECK_EQ(cp.x[5], 7);					\
		CHECK_EQ(cp.x[3], SENTINEL);				\
		CHECK_EQ(fio.bad_access, 0);				\
	} while (0)

TEST(alu_register_ops)
{
	reset();
	CHECK_EQ(exec_r(0, F3_ADD, 5, 7), 12);
	CHECK_EQ(exec_r(0, F3_ADD, 0xffffffffu, 2), 1);
	CHECK_EQ(exec_r(F7_ALT, F3_ADD, 5, 7), 0xfffffffeu);
	CHECK_EQ(exec_r(F7_ALT, F3_ADD, 0x80000000u, 1), 0x7fffffffu);
	CHECK_EQ(exec_r(0, F3_SLL, 1, 31), 0x80000000u);
	CHECK_EQ(exec_r(0, F3_SLL, 3, 33), 6);	/* only rs2[4:0] counts */
	CHECK_EQ(exec_r(0, F3_SLT, 0xffffffffu, 1), 1);
	CHECK_EQ(exec_r(0, F3_SLT, 1, 0xffffffffu), 0);
	CHECK_EQ(exec_r(0, F3_SLT, 0x80000000u, 0x7fffffffu), 1);
	CHECK_EQ(exec_r(0, F3_SLT, 0x7fffffffu, 0x80000000u), 0);
	CHECK_EQ(exec_r(0, F3_SLT, 5, 5), 0);
	CHECK_EQ(exec_r(0, F3_SLTU, 1, 0xffffffffu), 1);
	CHECK_EQ(exec_r(0, F3_SLTU, 0xffffffffu, 1), 0);
	CHECK_EQ(exec_r(0, F3_SLTU, 0x80000000u, 0x7fffffffu), 0);
	CHECK_EQ(exec_r(0, F3_SLTU, 5, 5), 0);
	CHECK_EQ(exec_r(0, F3_XOR, 0xff00ff00u, 0x0ff00ff0u), 0xf0f0f0f0u);
	CHECK_EQ(exec_r(0, F3_SRL, 0x80000000u, 31), 1);
	CHECK_EQ(exec_r(0, F3_SRL, 0xf0000000u, 4), 0x0f000000u);
	CHECK_EQ(exec_r(0, F3_SRL, 0x80000000u, 32), 0x80000000u);
	CHECK_EQ(exec_r(F7_ALT, F3_SRL, 0x80000000u, 31), 0xffffffffu);
	CHECK_EQ(exec_r(F7_ALT, F3_SRL, 0xf0000000u, 4), 0xff000000u);
	CHECK_EQ(exec_r(F7_ALT, F3_SRL, 0x70000000u, 4), 0x07000000u);
	CHECK_EQ(exec_r(F7_ALT, F3_SRL, 0x80000000u, 0), 0x80000000u);
	CHECK_EQ(exec_r(F7_ALT, F3_SRL, 0x80000000u, 0xffffffe1u), 0xc0000000u);
	CHECK_EQ(exec_r(0, F3_OR, 0xff00ff00u, 0x0ff00ff0u), 0xfff0fff0u);
	CHECK_EQ(exec_r(0, F3_AND, 0xff00ff00u, 0x0ff00ff0u), 0x0f000f00u);
}

TEST(alu_register_ops_match_reference)
{
	static const uint32_t f3s[] = { F3_ADD, F3_SLL, F3_SLT, F3_SLTU,
					F3_XOR, F3_SRL, F3_OR, F3_AND };
	int i;

	reset();
	for (i = 0; i < 2000; i++) {
		uint32_t f3 = f3s[i % 8];
		uint32_t a = harness_rand(), b = harness_rand();
		int32_t sa = (int32_t)a, sb = (int32_t)b;
		uint32_t expect;

		switch (f3) {
		case F3_ADD:
			expect = a + b;
			break;
		case F3_SLL:
			expect = a << (b & 31);
			break;
		case F3_SLT:
			expect = sa < sb;
			break;
		case F3_SLTU:
			expect = a < b;
			break;
		case F3_XOR:
			expect = a ^ b;
			break;
		case F3_SRL:
			expect = a >> (b & 31);
			break;
		case F3_OR:
			expect = a | b;
			break;
		default:
			expect = a & b;
			break;
		}
		CHECK_EQ(exec_r(0, f3, a, b), expect);
		if (f3 == F3_ADD)
			CHECK_EQ(exec_r(F7_ALT, f3, a, b), a - b);
		if (f3 == F3_SRL)
			CHECK_EQ(exec_r(F7_ALT, f3, a, b),
				 (uint32_t)(sa >> (b & 31)));
	}
}

TEST(alu_immediate_ops)
{
	reset();
	CHECK_EQ(exec_i(F3_ADD, 5, -2048), (uint32_t)(5 - 2048));
	CHECK_EQ(exec_i(F3_ADD, 0, 2047), 2047);
	CHECK_EQ(exec_i(F3_ADD, 0xffffffffu, 1), 0);
	CHECK_EQ(exec_i(F3_SLT, 0xffffffffu, 0), 1);
	CHECK_EQ(exec_i(F3_SLT, 0, -1), 0);
	CHECK_EQ(exec_i(F3_SLT, 0x80000000u, -2048), 1);
	CHECK_EQ(exec_i(F3_SLTU, 0, 1), 1);		/* seqz */
	CHECK_EQ(exec_i(F3_SLTU, 7, 1), 0);
	/* The immediate is sign-extended, then compared unsigned. */
	CHECK_EQ(exec_i(F3_SLTU, 0xfffffffeu, -1), 1);
	CHECK_EQ(exec_i(F3_SLTU, 0xffffffffu, -1), 0);
	CHECK_EQ(exec_i(F3_XOR, 0x12345678u, -1), ~0x12345678u);
	CHECK_EQ(exec_i(F3_OR, 0x100, 0x0ff), 0x1ff);
	CHECK_EQ(exec_i(F3_OR, 0, -2048), 0xfffff800u);
	CHECK_EQ(exec_i(F3_AND, 0xffffffffu, -16), 0xfffffff0u);
	CHECK_EQ(exec_i(F3_AND, 0x12345678u, 0x7ff), 0x678);
	CHECK_EQ(exec_i(F3_SLL, 1, 31), 0x80000000u);
	CHECK_EQ(exec_i(F3_SLL, 0x12345678u, 0), 0x12345678u);
	CHECK_EQ(exec_i(F3_SRL, 0x80000000u, 31), 1);
	CHECK_EQ(exec_i(F3_SRL, 0x80000000u, 0), 0x80000000u);
	CHECK_EQ(exec_i(F3_SRL, 0x80000000u, SHAMT_SRA | 31), 0xffffffffu);
	CHECK_EQ(exec_i(F3_SRL, 0x80000000u, SHAMT_SRA | 0), 0x80000000u);
	CHECK_EQ(exec_i(F3_SRL, 0x40000000u, SHAMT_SRA | 30), 1);
	CHECK_EQ(exec_i(F3_SRL, 0xfffffff0u, SHAMT_SRA | 2), 0xfffffffcu);
}

TEST(lui_auipc)
{
	reset();
	put_word(cp.imem, 0x100, enc_u(OP_AUIPC, 4, 0x00001000u));
	put_word(cp.imem, 0x104, enc_u(OP_AUIPC, 5, 0xfffff000u));
	put_word(cp.imem, 0x108, enc_u(OP_AUIPC, 6, 0));
	put_word(cp.imem, 0x10c, INSN_WFI);
	PROG(enc_u(OP_LUI, 1, 0xfffff000u),
	     enc_u(OP_LUI, 2, 0x12345000u),
	     enc_u(OP_LUI, 3, 0),
	     enc_j(0, 0x100 - 12));
	cp.x[3] = SENTINEL;
	RUN_TO_WFI();
	CHECK_EQ(cp.x[1], 0xfffff000u);
	CHECK_EQ(cp.x[2], 0x12345000u);
	CHECK_EQ(cp.x[3], 0);
	CHECK_EQ(cp.x[4], 0x1100);
	CHECK_EQ(cp.x[5], 0x104u + 0xfffff000u);
	CHECK_EQ(cp.x[6], 0x108);
}

TEST(jal_links_and_jumps)
{
	reset();
	PROG(enc_j(RA, 12),		/* 0x00 */
	     addi(2, 0, 1),		/* 0x04 */
	     INSN_WFI,			/* 0x08 */
	     addi(3, 0, 3),		/* 0x0c */
	     enc_j(0, -12));		/* 0x10: back to 0x04 */
	RUN_TO_WFI();
	CHECK_EQ(cp.x[RA], 4);
	CHECK_EQ(cp.x[2], 1);
	CHECK_EQ(cp.x[3], 3);
	CHECK_EQ(cp.pc, 12);
	CHECK_EQ(cp.instret, 5);

	/* Offsets using every immediate field. */
	reset();
	put_word(cp.imem, 0xa804, enc_j(6, -0xa800));
	PROG(enc_j(5, 0xa804), INSN_WFI);
	RUN_TO_WFI();
	CHECK_EQ(cp.x[5], 4);
	CHECK_EQ(cp.x[6], 0xa808);
	CHECK_EQ(cp.pc, 8);
}

TEST(jalr_clears_low_bit)
{
	reset();
	put_word(cp.imem, 0x20, jalr(6, 5, -4));	/* to 0x30 */
	put_word(cp.imem, 0x30, jalr(7, 7, 0));		/* rd == rs1 */
	put_word(cp.imem, 0x40, jalr(ZERO, 2, 0));	/* back to 0x04 */
	PROG(jalr(2, 1, 0), INSN_WFI);
	cp.x[1] = 0x21;
	cp.x[5] = 0x34;
	cp.x[7] = 0x41;
	RUN_TO_WFI();
	CHECK_EQ(cp.x[2], 4);
	CHECK_EQ(cp.x[6], 0x24);
	CHECK_EQ(cp.x[7], 0x34);
	CHECK_EQ(cp.pc, 8);
	CHECK_EQ(cp.instret, 5);
}

TEST(branches)
{
	reset();
	CHECK_EQ(exec_branch(F3_BEQ, 5, 5), 1);
	CHECK_EQ(exec_branch(F3_BEQ, 5, 6), 0);
	CHECK_EQ(exec_branch(F3_BNE, 5, 6), 1);
	CHECK_EQ(exec_branch(F3_BNE, 5, 5), 0);
	CHECK_EQ(exec_branch(F3_BLT, 0xffffffffu, 0), 1);
	CHECK_EQ(exec_branch(F3_BLT, 0, 0xffffffffu), 0);
	CHECK_EQ(exec_branch(F3_BLT, 5, 5), 0);
	CHECK_EQ(exec_branch(F3_BLT, 0x80000000u, 0x7fffffffu), 1);
	CHECK_EQ(exec_branch(F3_BGE, 0, 0xffffffffu), 1);
	CHECK_EQ(exec_branch(F3_BGE, 5, 5), 1);
	CHECK_EQ(exec_branch(F3_BGE, 0xffffffffu, 0), 0);
	CHECK_EQ(exec_branch(F3_BGE, 0x80000000u, 0x7fffffffu), 0);
	CHECK_EQ(exec_branch(F3_BLTU, 0, 0xffffffffu), 1);
	CHECK_EQ(exec_branch(F3_BLTU, 0xffffffffu, 0), 0);
	CHECK_EQ(exec_branch(F3_BLTU, 5, 5), 0);
	CHECK_EQ(exec_branch(F3_BGEU, 0xffffffffu, 0), 1);
	CHECK_EQ(exec_branch(F3_BGEU, 5, 5), 1);
	CHECK_EQ(exec_branch(F3_BGEU, 0, 0xffffffffu), 0);
}

TEST(branch_offsets)
{
	/* Largest forward and backward offsets a B-type can encode. */
	reset();
	put_word(cp.imem, 0x1000, enc_b(F3_BEQ, 0, 0, 0xffc));
	put_word(cp.imem, 0x1ffc, enc_b(F3_BNE, 1, 0, -0x1000));
	put_word(cp.imem, 0x0ffc, INSN_WFI);
	npu_cp_start(&cp, 0x1000);
	cp.x[1] = 1;
	RUN_TO_WFI();
	CHECK_EQ(cp.pc, 0x1000);
	CHECK_EQ(cp.instret, 3);
}

TEST(loads_and_stores_dmem)
{
	reset();
	PROG(enc_s(F3_SW, 1, 2, 0),
	     load(F3_LB, 3, 1, 0),
	     load(F3_LBU, 4, 1, 0),
	     load(F3_LB, 5, 1, 1),
	     load(F3_LB, 6, 1, 2),
	     load(F3_LH, 7, 1, 0),
	     load(F3_LHU, 8, 1, 0),
	     load(F3_LH, 9, 1, 2),
	     load(F3_LW, 10, 1, 0),
	     enc_s(F3_SB, 1, 2, 4),
	     enc_s(F3_SH, 1, 2, 6),
	     enc_s(F3_SB, 1, 2, -1),
	     load(F3_LW, 11, 1, 4),
	     load(F3_LHU, 12, 1, 2),
	     load(F3_LBU, 13, 1, 3),
	     INSN_WFI);
	cp.x[1] = NPU_CP_DMEM_BASE + 0x100;
	cp.x[2] = 0x8071a2f3u;
	RUN_TO_WFI();
	CHECK_EQ(get_word(cp.dmem, 0x100), 0x8071a2f3u);
	CHECK_EQ(cp.x[3], 0xfffffff3u);
	CHECK_EQ(cp.x[4], 0xf3);
	CHECK_EQ(cp.x[5], 0xffffffa2u);
	CHECK_EQ(cp.x[6], 0x71);
	CHECK_EQ(cp.x[7], 0xffffa2f3u);
	CHECK_EQ(cp.x[8], 0xa2f3);
	CHECK_EQ(cp.x[9], 0xffff8071u);
	CHECK_EQ(cp.x[10], 0x8071a2f3u);
	CHECK_EQ(cp.x[11], 0xa2f300f3u);
	CHECK_EQ(cp.x[12], 0x8071);
	CHECK_EQ(cp.x[13], 0x80);
	CHECK_EQ(cp.dmem[0xfe], 0);
	CHECK_EQ(cp.dmem[0xff], 0xf3);
	CHECK_EQ(cp.dmem[0x108], 0);

	/* The last bytes of DMEM. */
	reset();
	PROG(enc_s(F3_SW, 1, 2, 0),
	     load(F3_LW, 3, 1, 0),
	     load(F3_LBU, 4, 1, 3),
	     load(F3_LHU, 5, 1, 2),
	     enc_s(F3_SB, 1, 0, 3),
	     load(F3_LW, 6, 1, 0),
	     INSN_WFI);
	cp.x[1] = DMEM_END - 4;
	cp.x[2] = 0xdeadbeefu;
	RUN_TO_WFI();
	CHECK_EQ(cp.x[3], 0xdeadbeefu);
	CHECK_EQ(cp.x[4], 0xde);
	CHECK_EQ(cp.x[5], 0xdead);
	CHECK_EQ(cp.x[6], 0x00adbeefu);
}

TEST(loads_from_imem)
{
	reset();
	put_word(cp.imem, 0x800, 0x89abcdefu);
	put_word(cp.imem, IMEM_END - 4, 0x01020384u);
	PROG(load(F3_LW, 3, 1, 0),
	     load(F3_LB, 4, 1, 3),
	     load(F3_LBU, 5, 1, 0),
	     load(F3_LH, 6, 1, 2),
	     load(F3_LHU, 7, 1, 0),
	     load(F3_LW, 8, 0, 0),
	     load(F3_LW, 9, 2, 0),
	     load(F3_LB, 10, 2, 0),
	     INSN_WFI);
	cp.x[1] = 0x800;
	cp.x[2] = IMEM_END - 4;
	RUN_TO_WFI();
	CHECK_EQ(cp.x[3], 0x89abcdefu);
	CHECK_EQ(cp.x[4], 0xffffff89u);
	CHECK_EQ(cp.x[5], 0xef);
	CHECK_EQ(cp.x[6], 0xffff89abu);
	CHECK_EQ(cp.x[7], 0xcdef);
	CHECK_EQ(cp.x[8], load(F3_LW, 3, 1, 0));
	CHECK_EQ(cp.x[9], 0x01020384u);
	CHECK_EQ(cp.x[10], 0xffffff84u);
}

TEST(m_extension)
{
	reset();
	CHECK_EQ(exec_m(F3_MUL, 7, 6), 42);
	CHECK_EQ(exec_m(F3_MUL, 0xffffffffu, 0xffffffffu), 1);
	CHECK_EQ(exec_m(F3_MUL, 0x80000000u, 2), 0);
	CHECK_EQ(exec_m(F3_MUL, 0x12345678u, 0x9abcdef0u), 0x242d2080u);

	CHECK_EQ(exec_m(F3_MULH, 0xffffffffu, 0xffffffffu), 0);
	CHECK_EQ(exec_m(F3_MULH, 0xffffffffu, 1), 0xffffffffu);
	CHECK_EQ(exec_m(F3_MULH, 2, 0x80000000u), 0xffffffffu);
	CHECK_EQ(exec_m(F3_MULH, 0x80000000u, 0x80000000u), 0x40000000u);
	CHECK_EQ(exec_m(F3_MULH, 0x80000000u, 0x7fffffffu), 0xc0000000u);
	CHECK_EQ(exec_m(F3_MULH, 0x7fffffffu, 0x7fffffffu), 0x3fffffffu);

	/* rs1 signed, rs2 unsigned. */
	CHECK_EQ(exec_m(F3_MULHSU, 0xffffffffu, 0xffffffffu), 0xffffffffu);
	CHECK_EQ(exec_m(F3_MULHSU, 1, 0xffffffffu), 0);
	CHECK_EQ(exec_m(F3_MULHSU, 0x80000000u, 0xffffffffu), 0x80000000u);
	CHECK_EQ(exec_m(F3_MULHSU, 0xfffffffbu, 0x9abcdef0u), 0xfffffffcu);
	CHECK_EQ(exec_m(F3_MULHSU, 0x7fffffffu, 0x80000000u), 0x3fffffffu);

	CHECK_EQ(exec_m(F3_MULHU, 0xffffffffu, 0xffffffffu), 0xfffffffeu);
	CHECK_EQ(exec_m(F3_MULHU, 0x80000000u, 2), 1);
	CHECK_EQ(exec_m(F3_MULHU, 0xffff, 0xffff), 0);

	CHECK_EQ(exec_m(F3_DIV, 7, 2), 3);
	CHECK_EQ(exec_m(F3_DIV, (uint32_t)-7, 2), (uint32_t)-3);
	CHECK_EQ(exec_m(F3_DIV, 7, (uint32_t)-2), (uint32_t)-3);
	CHECK_EQ(exec_m(F3_DIV, (uint32_t)-7, (uint32_t)-2), 3);
	CHECK_EQ(exec_m(F3_DIV, 5, 0), 0xffffffffu);
	CHECK_EQ(exec_m(F3_DIV, 0, 0), 0xffffffffu);
	CHECK_EQ(exec_m(F3_DIV, 0x80000000u, 0xffffffffu), 0x80000000u);
	CHECK_EQ(exec_m(F3_DIV, 0x80000000u, 1), 0x80000000u);
	CHECK_EQ(exec_m(F3_DIV, 0x80000000u, 2), 0xc0000000u);

	CHECK_EQ(exec_m(F3_DIVU, 7, 2), 3);
	CHECK_EQ(exec_m(F3_DIVU, 0xffffffffu, 2), 0x7fffffffu);
	CHECK_EQ(exec_m(F3_DIVU, 0x80000000u, 0xffffffffu), 0);
	CHECK_EQ(exec_m(F3_DIVU, 5, 0), 0xffffffffu);

	CHECK_EQ(exec_m(F3_REM, 7, 2), 1);
	CHECK_EQ(exec_m(F3_REM, (uint32_t)-7, 2), (uint32_t)-1);
	CHECK_EQ(exec_m(F3_REM, 7, (uint32_t)-2), 1);
	CHECK_EQ(exec_m(F3_REM, (uint32_t)-7, (uint32_t)-2), (uint32_t)-1);
	CHECK_EQ(exec_m(F3_REM, 0x80000000u, 0xffffffffu), 0);
	CHECK_EQ(exec_m(F3_REM, (uint32_t)-5, 0), (uint32_t)-5);
	CHECK_EQ(exec_m(F3_REM, 0x80000000u, 3), (uint32_t)-2);

	CHECK_EQ(exec_m(F3_REMU, 0xffffffffu, 10), 5);
	CHECK_EQ(exec_m(F3_REMU, 5, 0), 5);
	CHECK_EQ(exec_m(F3_REMU, 0x80000000u, 0xffffffffu), 0x80000000u);
}

/* RISC-V M semantics written with 64-bit host arithmetic. */
static uint32_t ref_muldiv(uint32_t f3, uint32_t a, uint32_t b)
{
	int64_t sa = (int32_t)a, sb = (int32_t)b;

	switch (f3) {
	case F3_MUL:
		return (uint32_t)((uint64_t)a * b);
	case F3_MULH:
		return (uint32_t)((uint64_t)(sa * sb) >> 32);
	case F3_MULHSU:
		return (uint32_t)((uint64_t)(sa * (int64_t)b) >> 32);
	case F3_MULHU:
		return (uint32_t)(((uint64_t)a * b) >> 32);
	case F3_DIV:
		return b ? (uint32_t)(sa / sb) : 0xffffffffu;
	case F3_DIVU:
		return b ? a / b : 0xffffffffu;
	case F3_REM:
		return b ? (uint32_t)(sa % sb) : a;
	default:
		return b ? a % b : a;
	}
}

static uint32_t interesting_operand(void)
{
	static const uint32_t edges[] = {
		0, 1, 2, 3, 0x7fffffffu, 0x80000000u, 0x80000001u,
		0xfffffffeu, 0xffffffffu, 0x10000u, 0xffffu,
	};
	uint32_t pick = harness_rand() % 16;

	if (pick < 11)
		return edges[pick];
	return harness_rand() >> (harness_rand() % 32);
}

TEST(m_extension_matches_reference)
{
	int i;

	reset();
	for (i = 0; i < 4000; i++) {
		uint32_t f3 = (uint32_t)i % 8;
		uint32_t a = interesting_operand(), b = interesting_operand();

		CHECK_MSG(exec_m(f3, a, b) == ref_muldiv(f3, a, b),
			  "f3 %u a %#x b %#x: got %#x want %#x", f3, a, b,
			  cp.x[3], ref_muldiv(f3, a, b));
	}
}

TEST(x0_is_hardwired_zero)
{
	reset();
	cp.dmem[0] = 0x55;
	PROG(addi(ZERO, ZERO, 5),
	     enc_u(OP_LUI, ZERO, 0x12345000u),
	     enc_u(OP_AUIPC, ZERO, 0x1000),
	     enc_j(ZERO, 4),
	     load(F3_LW, ZERO, 1, 0),
	     enc_r(OP_OP, ZERO, F3_MUL, 2, 2, F7_M),
	     jalr(ZERO, ZERO, 0x20),
	     INSN_ECALL,
	     enc_r(OP_OP, 3, F3_ADD, ZERO, ZERO, 0),	/* 0x20 */
	     enc_i(OP_IMM, 4, F3_SLTU, ZERO, 1),
	     INSN_WFI);
	cp.x[1] = NPU_CP_DMEM_BASE;
	cp.x[2] = 3;
	cp.x[3] = SENTINEL;
	RUN_TO_WFI();
	CHECK_EQ(cp.x[ZERO], 0);
	CHECK_EQ(cp.x[3], 0);
	CHECK_EQ(cp.x[4], 1);
}

TEST(fence_is_a_nop)
{
	reset();
	PROG(addi(1, 0, 1), INSN_FENCE, INSN_FENCE_I, addi(1, 1, 1), INSN_WFI);
	RUN_TO_WFI();
	CHECK_EQ(cp.x[1], 2);
	CHECK_EQ(cp.instret, 5);
}

TEST(wfi_and_wake)
{
	reset();
	CHECK_EQ(cp.state, NPU_CP_OFF);
	npu_cp_wake(&cp);
	CHECK_EQ(cp.state, NPU_CP_OFF);

	PROG(addi(1, 0, 1), INSN_WFI, addi(1, 1, 1), INSN_WFI);
	CHECK_EQ(npu_cp_run(&cp, 100), 2);
	CHECK_EQ(cp.state, NPU_CP_WFI);
	CHECK_EQ(cp.pc, 8);
	CHECK_EQ(cp.x[1], 1);
	CHECK_EQ(npu_cp_run(&cp, 100), 0);
	CHECK_EQ(cp.pc, 8);

	npu_cp_wake(&cp);
	CHECK_EQ(cp.state, NPU_CP_RUNNING);
	npu_cp_wake(&cp);
	CHECK_EQ(cp.state, NPU_CP_RUNNING);
	CHECK_EQ(npu_cp_run(&cp, 100), 2);
	CHECK_EQ(cp.state, NPU_CP_WFI);
	CHECK_EQ(cp.x[1], 2);
	CHECK_EQ(cp.pc, 16);
	CHECK_EQ(cp.instret, 4);

	/* Waking a halted CP does nothing. */
	npu_cp_trap(&cp, NPU_CP_TRAP_INJECTED, 0);
	npu_cp_wake(&cp);
	CHECK_EQ(cp.state, NPU_CP_HALTED);
}

TEST(trap_illegal_opcodes)
{
	reset();
	EXPECT_TRAP(0xffffffffu, 0, 0, NPU_CP_TRAP_ILLEGAL, 0xffffffffu);
	EXPECT_TRAP(0x0000000bu, 0, 0, NPU_CP_TRAP_ILLEGAL, 0x0000000bu);
	EXPECT_TRAP(0x00000057u, 0, 0, NPU_CP_TRAP_ILLEGAL, 0x00000057u);
	EXPECT_TRAP(0x0000001fu, 0, 0, NPU_CP_TRAP_ILLEGAL, 0x0000001fu);
	/* All-zero memory is a defined illegal instruction. */
	EXPECT_TRAP(0, 0, 0, NPU_CP_TRAP_ILLEGAL, 0);
}

TEST(trap_compressed)
{
	reset();
	EXPECT_TRAP(0x00004501u, 0, 0, NPU_CP_TRAP_ILLEGAL, 0x00004501u);
	EXPECT_TRAP(0x45014501u, 0, 0, NPU_CP_TRAP_ILLEGAL, 0x45014501u);
	EXPECT_TRAP(0x00008082u, 0, 0, NPU_CP_TRAP_ILLEGAL, 0x00008082u);
	/* An otherwise valid addi with low bits 0b10. */
	EXPECT_TRAP(addi(3, 0, 1) & ~1u, 0, 0, NPU_CP_TRAP_ILLEGAL,
		    addi(3, 0, 1) & ~1u);
}

TEST(trap_illegal_function_codes)
{
	const uint32_t insns[] = {
		enc_i(OP_LOAD, 3, 3, 1, 0),		/* ld */
		enc_i(OP_LOAD, 3, 6, 1, 0),		/* lwu */
		enc_i(OP_LOAD, 3, 7, 1, 0),
		enc_s(3, 1, 2, 0),			/* sd */
		enc_s(4, 1, 2, 0),
		enc_b(2, 1, 2, 8),
		enc_b(3, 1, 2, 8),
		enc_i(OP_JALR, 3, 1, 1, 0),
		enc_r(OP_OP, 3, F3_ADD, 1, 2, 0x02),
		enc_r(OP_OP, 3, F3_SLL, 1, 2, F7_ALT),
		enc_r(OP_OP, 3, F3_XOR, 1, 2, F7_ALT),
		enc_r(OP_OP, 3, F3_SRL, 1, 2, 0x40),
		enc_i(OP_IMM, 3, F3_SLL, 1, SHAMT_SRA | 1),
		enc_i(OP_IMM, 3, F3_SLL, 1, 0x20),	/* rv64 shamt */
		enc_i(OP_IMM, 3, F3_SRL, 1, 0x20),
		enc_i(OP_IMM, 3, F3_SRL, 1, 0x200 | 1),
		enc_i(OP_MISC_MEM, 0, 2, 0, 0),
		enc_i(OP_MISC_MEM, 0, 7, 0, 0),
	};
	size_t i;

	reset();
	for (i = 0; i < sizeof(insns) / sizeof(insns[0]); i++)
		EXPECT_TRAP(insns[i], NPU_CP_DMEM_BASE, 0, NPU_CP_TRAP_ILLEGAL,
			    insns[i]);
}

TEST(trap_system_instructions)
{
	const uint32_t insns[] = {
		enc_i(OP_SYSTEM, 0, 1, 1, 0x340),	/* csrw mscratch, x1 */
		enc_i(OP_SYSTEM, 3, 2, 0, 0x300),	/* csrr x3, mstatus */
		enc_i(OP_SYSTEM, 3, 2, 0, 0xc00),	/* rdcycle x3 */
		enc_i(OP_SYSTEM, 3, 7, 1, 0x340),	/* csrrci */
		INSN_MRET,
		0x10200073u,				/* sret */
		INSN_WFI | 3u << 7,			/* wfi with rd set */
		INSN_ECALL | 1u << 15,			/* ecall with rs1 set */
	};
	size_t i;

	reset();
	for (i = 0; i < sizeof(insns) / sizeof(insns[0]); i++)
		EXPECT_TRAP(insns[i], 0, 0, NPU_CP_TRAP_ILLEGAL, insns[i]);
}

TEST(trap_ecall_ebreak)
{
	reset();
	EXPECT_TRAP(INSN_ECALL, 0, 0, NPU_CP_TRAP_ECALL, INSN_ECALL);
	EXPECT_TRAP(INSN_EBREAK, 0, 0, NPU_CP_TRAP_ECALL, INSN_EBREAK);
}

/* A fetch trap: the jump retired, the fetch at `target` did not. */
#define EXPECT_FETCH_TRAP(target, retired)				\
	do {								\
		CHECK_EQ(cp.state, NPU_CP_HALTED);			\
		CHECK_EQ(cp.trap_cause, NPU_CP_TRAP_FETCH);		\
		CHECK_EQ(cp.trap_pc, (target));				\
		CHECK_EQ(cp.trap_value, (target));			\
		CHECK_EQ(cp.pc, (target));				\
		CHECK_EQ(cp.instret, (retired));			\
	} while (0)

TEST(trap_fetch_outside_imem)
{
	reset();
	exec_trap(jalr(3, 1, 0), NPU_CP_DMEM_BASE, 0);
	EXPECT_FETCH_TRAP(NPU_CP_DMEM_BASE, 2);
	CHECK_EQ(cp.x[3], 8);

	exec_trap(jalr(3, 1, 0), NPU_CP_REGS_BASE, 0);
	EXPECT_FETCH_TRAP(NPU_CP_REGS_BASE, 2);
	CHECK_EQ(fio.reads, 0);

	exec_trap(jalr(3, 1, 0), IMEM_END, 0);
	EXPECT_FETCH_TRAP(IMEM_END, 2);

	/* Backwards from address 0 wraps to the top of the space. */
	exec_trap(enc_j(0, -8), 0, 0);
	EXPECT_FETCH_TRAP(0xfffffffcu, 2);

	/* Falling off the end of IMEM. */
	reset();
	put_word(cp.imem, IMEM_END - 4, addi(1, 1, 1));
	npu_cp_start(&cp, IMEM_END - 4);
	CHECK_EQ(npu_cp_run(&cp, 10), 1);
	EXPECT_FETCH_TRAP(IMEM_END, 1);
	CHECK_EQ(cp.x[1], 1);
}

TEST(trap_fetch_misaligned)
{
	reset();
	/* jalr clears bit 0 only: a 2-aligned target stays misaligned. */
	exec_trap(jalr(3, 1, 0), 0x102, 0);
	EXPECT_FETCH_TRAP(0x102, 2);
	CHECK_EQ(cp.x[3], 8);
	exec_trap(jalr(3, 1, 0), 0x103, 0);
	EXPECT_FETCH_TRAP(0x102, 2);

	exec_trap(enc_b(F3_BEQ, 0, 0, 6), 0, 0);
	EXPECT_FETCH_TRAP(10, 2);

	exec_trap(enc_j(0, 0x202), 0, 0);
	EXPECT_FETCH_TRAP(0x206, 2);

	npu_cp_start(&cp, 2);
	CHECK_EQ(npu_cp_run(&cp, 10), 0);
	EXPECT_FETCH_TRAP(2, 0);
}

TEST(trap_load_out_of_range)
{
	static const uint32_t addrs[] = {
		IMEM_END, NPU_CP_DMEM_BASE - 4, DMEM_END, NPU_CP_REGS_END,
		0x00300000u, 0x80000000u, 0xfffffffcu,
	};
	size_t i;

	reset();
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		EXPECT_TRAP(load(F3_LW, 3, 1, 0), addrs[i], 0,
			    NPU_CP_TRAP_LOAD, addrs[i]);
		EXPECT_TRAP(load(F3_LBU, 3, 1, 0), addrs[i], 0,
			    NPU_CP_TRAP_LOAD, addrs[i]);
	}
	EXPECT_TRAP(load(F3_LB, 3, 1, -1), NPU_CP_DMEM_BASE, 0,
		    NPU_CP_TRAP_LOAD, NPU_CP_DMEM_BASE - 1);
	CHECK_EQ(fio.reads, 0);
}

TEST(trap_store_out_of_range)
{
	static const uint32_t addrs[] = {
		NPU_CP_DMEM_BASE - 4, DMEM_END, NPU_CP_REGS_END, 0x00300000u,
		0x80000000u, 0xfffffffcu,
	};
	size_t i;

	reset();
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		EXPECT_TRAP(enc_s(F3_SW, 1, 2, 0), addrs[i], 1,
			    NPU_CP_TRAP_STORE, addrs[i]);
		EXPECT_TRAP(enc_s(F3_SB, 1, 2, 0), addrs[i], 1,
			    NPU_CP_TRAP_STORE, addrs[i]);
	}
	EXPECT_TRAP(enc_s(F3_SB, 1, 2, -1), NPU_CP_DMEM_BASE, 1,
		    NPU_CP_TRAP_STORE, NPU_CP_DMEM_BASE - 1);
	CHECK_EQ(fio.writes, 0);
}

TEST(trap_store_to_imem)
{
	reset();
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 0), 0x100, 0xffffffffu,
		    NPU_CP_TRAP_STORE, 0x100);
	EXPECT_TRAP(enc_s(F3_SH, 1, 2, 0), 0x100, 0xffffffffu,
		    NPU_CP_TRAP_STORE, 0x100);
	EXPECT_TRAP(enc_s(F3_SB, 1, 2, 3), 0x100, 0xffffffffu,
		    NPU_CP_TRAP_STORE, 0x103);
	/* Misaligned too: IMEM is not writable at all. */
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 2), 0x100, 0xffffffffu,
		    NPU_CP_TRAP_STORE, 0x102);
	/* The code itself. */
	EXPECT_TRAP(enc_s(F3_SW, 0, 2, 4), 0, 0, NPU_CP_TRAP_STORE, 4);
	CHECK_EQ(get_word(cp.imem, 0x100), 0);
	CHECK_EQ(get_word(cp.imem, 4), enc_s(F3_SW, 0, 2, 4));
}

TEST(trap_misaligned)
{
	reset();
	EXPECT_TRAP(load(F3_LW, 3, 1, 2), NPU_CP_DMEM_BASE, 0,
		    NPU_CP_TRAP_MISALIGNED, NPU_CP_DMEM_BASE + 2);
	EXPECT_TRAP(load(F3_LW, 3, 1, 1), NPU_CP_DMEM_BASE, 0,
		    NPU_CP_TRAP_MISALIGNED, NPU_CP_DMEM_BASE + 1);
	EXPECT_TRAP(load(F3_LH, 3, 1, 1), NPU_CP_DMEM_BASE, 0,
		    NPU_CP_TRAP_MISALIGNED, NPU_CP_DMEM_BASE + 1);
	EXPECT_TRAP(load(F3_LHU, 3, 1, 3), NPU_CP_DMEM_BASE, 0,
		    NPU_CP_TRAP_MISALIGNED, NPU_CP_DMEM_BASE + 3);
	EXPECT_TRAP(load(F3_LW, 3, 1, 2), 0x100, 0,
		    NPU_CP_TRAP_MISALIGNED, 0x102);
	EXPECT_TRAP(load(F3_LH, 3, 1, 1), 0x100, 0,
		    NPU_CP_TRAP_MISALIGNED, 0x101);
	/* Straddling the end of a memory. */
	EXPECT_TRAP(load(F3_LW, 3, 1, -2), DMEM_END, 0,
		    NPU_CP_TRAP_MISALIGNED, DMEM_END - 2);
	EXPECT_TRAP(load(F3_LH, 3, 1, -1), DMEM_END, 0,
		    NPU_CP_TRAP_MISALIGNED, DMEM_END - 1);
	EXPECT_TRAP(load(F3_LW, 3, 1, -1), IMEM_END, 0,
		    NPU_CP_TRAP_MISALIGNED, IMEM_END - 1);

	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 1), NPU_CP_DMEM_BASE, 0xffffffffu,
		    NPU_CP_TRAP_MISALIGNED, NPU_CP_DMEM_BASE + 1);
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 2), NPU_CP_DMEM_BASE, 0xffffffffu,
		    NPU_CP_TRAP_MISALIGNED, NPU_CP_DMEM_BASE + 2);
	EXPECT_TRAP(enc_s(F3_SH, 1, 2, 3), NPU_CP_DMEM_BASE, 0xffffffffu,
		    NPU_CP_TRAP_MISALIGNED, NPU_CP_DMEM_BASE + 3);
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, -1), DMEM_END, 0xffffffffu,
		    NPU_CP_TRAP_MISALIGNED, DMEM_END - 1);
	CHECK_EQ(get_word(cp.dmem, 0), 0);
	CHECK_EQ(get_word(cp.dmem, NPU_CP_DMEM_SIZE - 4), 0);
}

TEST(register_window)
{
	reset();
	fio.regs[0x44 / 4] = 0x11223344u;
	fio.regs[(NPU_CP_PRIV_BASE - NPU_CP_REGS_BASE + 0xc) / 4] = 0x55667788u;
	fio.regs[(NPU_CP_REGS_END - NPU_CP_REGS_BASE - 4) / 4] = 0x99aabbccu;
	PROG(load(F3_LW, 3, 1, 0x44),
	     enc_s(F3_SW, 1, 2, 0x5c),
	     load(F3_LW, 4, 5, 0xc),
	     enc_s(F3_SW, 5, 2, 0x14),
	     load(F3_LW, 6, 7, -4),
	     enc_s(F3_SW, 7, 2, -8),
	     INSN_WFI);
	cp.x[1] = NPU_CP_REGS_BASE;
	cp.x[2] = 0xcafef00du;
	cp.x[5] = NPU_CP_PRIV_BASE;
	cp.x[7] = NPU_CP_REGS_END;
	RUN_TO_WFI();
	CHECK_EQ(cp.x[3], 0x11223344u);
	CHECK_EQ(cp.x[4], 0x55667788u);
	CHECK_EQ(cp.x[6], 0x99aabbccu);
	CHECK_EQ(fio.regs[0x5c / 4], 0xcafef00du);
	CHECK_EQ(fio.regs[(NPU_CP_PRIV_BASE - NPU_CP_REGS_BASE + 0x14) / 4],
		 0xcafef00du);
	CHECK_EQ(fio.regs[(NPU_CP_REGS_END - NPU_CP_REGS_BASE - 8) / 4],
		 0xcafef00du);
	CHECK_EQ(fio.reads, 3);
	CHECK_EQ(fio.writes, 3);
	CHECK_EQ(fio.last_read, NPU_CP_REGS_END - 4);
	CHECK_EQ(fio.last_write, NPU_CP_REGS_END - 8);
	CHECK_EQ(fio.bad_access, 0);
}

TEST(trap_register_window_width)
{
	static const uint32_t narrow_loads[] = { F3_LB, F3_LBU, F3_LH, F3_LHU };
	size_t i;

	reset();
	for (i = 0; i < 4; i++)
		EXPECT_TRAP(load(narrow_loads[i], 3, 1, 0x44),
			    NPU_CP_REGS_BASE, 0, NPU_CP_TRAP_LOAD,
			    NPU_CP_REGS_BASE + 0x44);
	EXPECT_TRAP(load(F3_LW, 3, 1, 0x46), NPU_CP_REGS_BASE, 0,
		    NPU_CP_TRAP_LOAD, NPU_CP_REGS_BASE + 0x46);
	EXPECT_TRAP(load(F3_LW, 3, 1, 1), NPU_CP_PRIV_BASE, 0,
		    NPU_CP_TRAP_LOAD, NPU_CP_PRIV_BASE + 1);
	EXPECT_TRAP(enc_s(F3_SB, 1, 2, 0x5c), NPU_CP_REGS_BASE, 1,
		    NPU_CP_TRAP_STORE, NPU_CP_REGS_BASE + 0x5c);
	EXPECT_TRAP(enc_s(F3_SH, 1, 2, 0x5c), NPU_CP_REGS_BASE, 1,
		    NPU_CP_TRAP_STORE, NPU_CP_REGS_BASE + 0x5c);
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 0x5e), NPU_CP_REGS_BASE, 1,
		    NPU_CP_TRAP_STORE, NPU_CP_REGS_BASE + 0x5e);
	/* A word straddling the end of the window. */
	EXPECT_TRAP(load(F3_LW, 3, 1, -2), NPU_CP_REGS_END, 0,
		    NPU_CP_TRAP_LOAD, NPU_CP_REGS_END - 2);
	CHECK_EQ(fio.reads, 0);
	CHECK_EQ(fio.writes, 0);
}

TEST(trap_register_io_failure)
{
	reset();
	fio.fail_read = 1;
	EXPECT_TRAP(load(F3_LW, 3, 1, 0x44), NPU_CP_REGS_BASE, 0,
		    NPU_CP_TRAP_LOAD, NPU_CP_REGS_BASE + 0x44);
	CHECK_EQ(fio.reads, 1);

	fio.fail_write = 1;
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 0x14), NPU_CP_PRIV_BASE, 7,
		    NPU_CP_TRAP_STORE, NPU_CP_PRIV_BASE + 0x14);
	CHECK_EQ(fio.writes, 1);
}

TEST(address_wraparound)
{
	reset();
	EXPECT_TRAP(load(F3_LW, 3, 1, -2), 0, 0,
		    NPU_CP_TRAP_LOAD, 0xfffffffeu);
	EXPECT_TRAP(load(F3_LW, 3, 1, 0), 0xfffffffeu, 0,
		    NPU_CP_TRAP_LOAD, 0xfffffffeu);
	EXPECT_TRAP(load(F3_LHU, 3, 1, 0), 0xffffffffu, 0,
		    NPU_CP_TRAP_LOAD, 0xffffffffu);
	EXPECT_TRAP(load(F3_LB, 3, 1, 0x7ff), 0xfffff800u, 0,
		    NPU_CP_TRAP_LOAD, 0xffffffffu);
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 0), 0xfffffffdu, 0,
		    NPU_CP_TRAP_STORE, 0xfffffffdu);
	EXPECT_TRAP(enc_s(F3_SH, 1, 2, 0), 0xffffffffu, 0,
		    NPU_CP_TRAP_STORE, 0xffffffffu);
	/* base + offset wraps to 0: IMEM, not writable. */
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 1), 0xffffffffu, 0,
		    NPU_CP_TRAP_STORE, 0);
	CHECK_EQ(fio.reads + fio.writes, 0);

	/* base + offset wraps into IMEM: an ordinary load. */
	exec_trap(load(F3_LW, 3, 1, 8), 0xfffffffcu, 0);
	CHECK_EQ(cp.state, NPU_CP_WFI);
	CHECK_EQ(cp.x[3], load(F3_LW, 3, 1, 8));
}

TEST(budget_is_honoured)
{
	reset();
	PROG(enc_j(0, 0));
	CHECK_EQ(npu_cp_run(&cp, 1000), 1000);
	CHECK_EQ(cp.state, NPU_CP_RUNNING);
	CHECK_EQ(cp.pc, 0);
	CHECK_EQ(cp.instret, 1000);
	CHECK_EQ(npu_cp_run(&cp, 1), 1);
	CHECK_EQ(npu_cp_run(&cp, 0), 0);
	CHECK_EQ(cp.instret, 1001);
}

TEST(not_running_runs_nothing)
{
	reset();
	PROG(addi(1, 1, 1), enc_j(0, -4));
	reset();
	CHECK_EQ(npu_cp_run(&cp, 100), 0);
	CHECK_EQ(cp.instret, 0);

	PROG(addi(1, 1, 1), enc_j(0, -4));
	npu_cp_trap(&cp, NPU_CP_TRAP_WATCHDOG, 0);
	CHECK_EQ(npu_cp_run(&cp, 100), 0);
	CHECK_EQ(cp.x[1], 0);
}

TEST(yield_ends_run_after_the_instruction)
{
	reset();
	fio.yield = 1;
	PROG(addi(3, 0, 1),
	     enc_s(F3_SW, 1, 2, 0x5c),
	     addi(3, 3, 1),
	     load(F3_LW, 4, 1, 0x5c),
	     addi(3, 3, 1),
	     INSN_WFI);
	cp.x[1] = NPU_CP_REGS_BASE;
	cp.x[2] = 42;
	CHECK_EQ(npu_cp_run(&cp, 100), 2);
	CHECK_EQ(cp.state, NPU_CP_RUNNING);
	CHECK_EQ(cp.yield, 0);
	CHECK_EQ(cp.pc, 8);
	CHECK_EQ(cp.instret, 2);
	CHECK_EQ(npu_cp_run(&cp, 100), 2);
	CHECK_EQ(cp.yield, 0);
	CHECK_EQ(cp.x[4], 42);
	CHECK_EQ(cp.pc, 16);
	CHECK_EQ(npu_cp_run(&cp, 100), 2);
	CHECK_EQ(cp.state, NPU_CP_WFI);
	CHECK_EQ(cp.x[3], 3);
	CHECK_EQ(cp.instret, 6);
}

TEST(io_callback_can_halt)
{
	/* A callback that traps the CP stops the access from retiring. */
	reset();
	fio.halt = 1;
	EXPECT_TRAP(load(F3_LW, 3, 1, 0x44), NPU_CP_REGS_BASE, 0,
		    NPU_CP_TRAP_INJECTED, NPU_CP_REGS_BASE + 0x44);
	EXPECT_TRAP(enc_s(F3_SW, 1, 2, 0x8), NPU_CP_PRIV_BASE, 0,
		    NPU_CP_TRAP_INJECTED, NPU_CP_PRIV_BASE + 0x8);
}

TEST(external_trap)
{
	reset();
	PROG(addi(1, 1, 1), enc_j(0, -4));
	CHECK_EQ(npu_cp_run(&cp, 11), 11);
	npu_cp_trap(&cp, NPU_CP_TRAP_INJECTED, 0xabc);
	CHECK_EQ(cp.state, NPU_CP_HALTED);
	CHECK_EQ(cp.trap_cause, NPU_CP_TRAP_INJECTED);
	CHECK_EQ(cp.trap_pc, 4);
	CHECK_EQ(cp.trap_value, 0xabc);
	CHECK_EQ(npu_cp_run(&cp, 10), 0);
	CHECK_EQ(cp.x[1], 6);
	CHECK_EQ(cp.instret, 11);
}

TEST(init_and_start)
{
	int marker;

	memset(&cp, 0xa5, sizeof(cp));
	npu_cp_init(&cp, &fake_ops, &marker);
	CHECK_EQ(cp.state, NPU_CP_OFF);
	CHECK(cp.io == &fake_ops);
	CHECK(cp.opaque == &marker);
	CHECK_EQ(cp.pc, 0);
	CHECK_EQ(cp.instret, 0);
	CHECK_EQ(cp.yield, 0);
	CHECK_EQ(cp.trap_cause, NPU_CP_TRAP_NONE);
	CHECK_EQ(cp.imem[NPU_CP_IMEM_SIZE - 1], 0);
	CHECK_EQ(cp.dmem[NPU_CP_DMEM_SIZE - 1], 0);
	CHECK_EQ(cp.x[31], 0);

	/* start: registers and trap state cleared, memories kept. */
	reset();
	cp.dmem[7] = 0x77;
	EXPECT_TRAP(INSN_EBREAK, 0, 0, NPU_CP_TRAP_ECALL, INSN_EBREAK);
	cp.yield = 1;
	npu_cp_start(&cp, 0x40);
	CHECK_EQ(cp.state, NPU_CP_RUNNING);
	CHECK_EQ(cp.pc, 0x40);
	CHECK_EQ(cp.x[5], 0);
	CHECK_EQ(cp.x[3], 0);
	CHECK_EQ(cp.trap_cause, NPU_CP_TRAP_NONE);
	CHECK_EQ(cp.trap_pc, 0);
	CHECK_EQ(cp.trap_value, 0);
	CHECK_EQ(cp.instret, 0);
	CHECK_EQ(cp.yield, 0);
	CHECK_EQ(cp.dmem[7], 0x77);
	CHECK_EQ(get_word(cp.imem, 4), INSN_EBREAK);
}

TEST(program_sum_1_to_100)
{
	reset();
	PROG(addi(A0, ZERO, 0),
	     addi(A1, ZERO, 100),
	     enc_r(OP_OP, A0, F3_ADD, A0, A1, 0),	/* loop: */
	     addi(A1, A1, -1),
	     enc_b(F3_BNE, A1, ZERO, -8),
	     enc_u(OP_LUI, T0, NPU_CP_DMEM_BASE),
	     enc_s(F3_SW, T0, A0, 0x10),
	     INSN_WFI);
	RUN_TO_WFI();
	CHECK_EQ(cp.x[A0], 5050);
	CHECK_EQ(get_word(cp.dmem, 0x10), 5050);
	CHECK_EQ(cp.instret, 2 + 3 * 100 + 3);

	/* Small budgets reach the same state as one long run. */
	npu_cp_start(&cp, 0);
	memset(cp.dmem, 0, 0x20);
	while (cp.state == NPU_CP_RUNNING)
		CHECK(npu_cp_run(&cp, 7) <= 7);
	CHECK_EQ(cp.state, NPU_CP_WFI);
	CHECK_EQ(get_word(cp.dmem, 0x10), 5050);
	CHECK_EQ(cp.instret, 2 + 3 * 100 + 3);
}

TEST(program_recursive_factorial)
{
	reset();
	PROG(enc_u(OP_LUI, SP, DMEM_END),		/* 0x00 */
	     addi(A0, ZERO, 12),			/* 0x04 */
	     enc_j(RA, 0x18 - 0x08),			/* 0x08: call fact */
	     enc_u(OP_LUI, T0, NPU_CP_DMEM_BASE),	/* 0x0c */
	     enc_s(F3_SW, T0, A0, 0),			/* 0x10 */
	     INSN_WFI,					/* 0x14 */
	     /* fact(a0): */
	     addi(SP, SP, -8),				/* 0x18 */
	     enc_s(F3_SW, SP, RA, 4),			/* 0x1c */
	     enc_s(F3_SW, SP, A0, 0),			/* 0x20 */
	     addi(T0, ZERO, 2),				/* 0x24 */
	     enc_b(F3_BLT, A0, T0, 0x40 - 0x28),	/* 0x28 */
	     addi(A0, A0, -1),				/* 0x2c */
	     enc_j(RA, 0x18 - 0x30),			/* 0x30 */
	     load(F3_LW, T1, SP, 0),			/* 0x34 */
	     enc_r(OP_OP, A0, F3_MUL, A0, T1, F7_M),	/* 0x38 */
	     enc_j(ZERO, 0x44 - 0x3c),			/* 0x3c */
	     addi(A0, ZERO, 1),				/* 0x40 */
	     load(F3_LW, RA, SP, 4),			/* 0x44 */
	     addi(SP, SP, 8),				/* 0x48 */
	     jalr(ZERO, RA, 0));			/* 0x4c */
	RUN_TO_WFI();
	CHECK_EQ(cp.x[A0], 479001600u);
	CHECK_EQ(get_word(cp.dmem, 0), 479001600u);
	CHECK_EQ(cp.x[SP], DMEM_END);
	/* The frames went below the top of DMEM. */
	CHECK_EQ(get_word(cp.dmem, NPU_CP_DMEM_SIZE - 8), 12);
	CHECK_EQ(get_word(cp.dmem, NPU_CP_DMEM_SIZE - 4), 0x0c);
}

/* Values near every boundary of the memory map, to aim random code. */
static uint32_t hostile_value(void)
{
	static const uint32_t edges[] = {
		0, 2, IMEM_END - 2, IMEM_END, NPU_CP_DMEM_BASE - 1,
		DMEM_END - 2, DMEM_END - 1, NPU_CP_REGS_BASE,
		NPU_CP_REGS_END - 4, NPU_CP_REGS_END - 1, 0x7fffffffu,
		0x80000000u, 0xfffff800u, 0xfffffffeu, 0xffffffffu,
	};
	uint32_t pick = harness_rand() % 24;

	return pick < 15 ? edges[pick] : harness_rand();
}

static uint32_t rand_reg(void)
{
	return harness_rand() % 32;
}

static int32_t rand_imm12(void)
{
	return (int32_t)(harness_rand() % 4096) - 2048;
}


/* Mostly well-formed instructions, so that random programs run a while. */
static uint32_t random_insn(void)
{
	static const uint32_t load_f3[] = { F3_LB, F3_LH, F3_LW, F3_LBU,
					    F3_LHU };
	static const uint32_t branch_f3[] = { F3_BEQ, F3_BNE, F3_BLT, F3_BGE,
					      F3_BLTU, F3_BGEU };
	/* Short jumps, mostly 4-aligned, within a 256-word program. */
	int32_t offset = (int32_t)(harness_rand() % 64) * 4 - 128 +
			 (harness_rand() % 8 ? 0 : 2);
	uint32_t f3 = harness_rand() % 8;

	switch (harness_rand() % 12) {
	case 0:
		return harness_rand();
	case 1:
		return enc_r(OP_OP, rand_reg(), f3, rand_reg(), rand_reg(),
			     harness_rand() % 2 ? F7_M :
			     (f3 == F3_ADD || f3 == F3_SRL) &&
			     harness_rand() % 2 ? F7_ALT : 0);
	case 2:
		if (f3 == F3_SLL || f3 == F3_SRL)
			return enc_i(OP_IMM, rand_reg(), f3, rand_reg(),
				     (int32_t)(harness_rand() % 32) |
				     (harness_rand() % 2 ? SHAMT_SRA : 0));
		return enc_i(OP_IMM, rand_reg(), f3, rand_reg(), rand_imm12());
	case 3:
		return load(load_f3[harness_rand() % 5], rand_reg(), rand_reg(),
			    rand_imm12());
	case 4:
		/* A word from one of the bases in x1..x4 (see below). */
		return load(F3_LW, rand_reg(), 1 + harness_rand() % 4,
			    rand_imm12() & ~3);
	case 5:
		return enc_s(harness_rand() % 3, rand_reg(), rand_reg(),
			     rand_imm12());
	case 6:
		return enc_s(F3_SW, 1 + harness_rand() % 4, rand_reg(),
			     rand_imm12() & ~3);
	case 7:
		return enc_b(branch_f3[harness_rand() % 6], rand_reg(),
			     rand_reg(), offset);
	case 8:
		return enc_j(rand_reg(), offset);
	case 9:
		return jalr(rand_reg(), rand_reg(), rand_imm12());
	case 10:
		return enc_u(harness_rand() % 2 ? OP_LUI : OP_AUIPC, rand_reg(),
			     harness_rand());
	default:
		return harness_rand() % 4 ? INSN_FENCE : INSN_WFI;
	}
}

/*
 * Random code must only ever trap, never touch memory outside the CP
 * (ASan checks that) or pass a bad address to the io callbacks.
 */
TEST(random_programs_stay_contained)
{
	uint64_t retired = 0;
	int round, i;

	reset();
	for (round = 0; round < 500; round++) {
		for (i = 0; i < 256; i++)
			put_word(cp.imem, 4 * i, random_insn());
		npu_cp_start(&cp, 4 * (harness_rand() % 256));
		for (i = 1; i < 32; i++)
			cp.x[i] = hostile_value();
		/* Bases from which any 12-bit offset lands on an edge. */
		cp.x[1] = NPU_CP_REGS_BASE + 0x800;
		cp.x[2] = NPU_CP_PRIV_BASE + 0x800;
		cp.x[3] = DMEM_END;
		cp.x[4] = NPU_CP_DMEM_BASE;
		for (i = 0; i < 8 && cp.state != NPU_CP_HALTED; i++) {
			uint64_t n;

			npu_cp_wake(&cp);
			n = npu_cp_run(&cp, 1000);
			CHECK(n <= 1000);
			CHECK_EQ(cp.x[0], 0);
			retired += n;
		}
		CHECK(cp.state == NPU_CP_RUNNING || cp.state == NPU_CP_WFI ||
		      cp.state == NPU_CP_HALTED);
		if (cp.state == NPU_CP_HALTED)
			CHECK(cp.trap_cause >= NPU_CP_TRAP_ILLEGAL &&
			      cp.trap_cause <= NPU_CP_TRAP_ECALL);
		CHECK_EQ(fio.bad_access, 0);
	}
	/* The programs did run, and reached the register window. */
	CHECK(retired > 5000);
	CHECK(fio.reads > 0 && fio.writes > 0);
}
