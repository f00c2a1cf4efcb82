// SPDX-License-Identifier: MIT
/*
 * The command processor: an rv32im interpreter (npu_cp.h).
 *
 * Firmware is untrusted: every address it produces is checked against
 * the CP's own arrays before use, with arithmetic that cannot wrap, so
 * no instruction sequence can reach host memory outside imem/dmem.
 * All arithmetic is on uint32_t; signed operations are built from
 * unsigned ones so nothing depends on undefined or
 * implementation-defined behaviour.
 */
#include "npu_cp.h"

#include <stdbool.h>
#include <string.h>

/* An aligned access that starts inside a memory also ends inside it. */
_Static_assert(NPU_CP_IMEM_SIZE % 4 == 0 && NPU_CP_DMEM_SIZE % 4 == 0,
	       "CP memory sizes must be word multiples");

/* Major opcodes, insn[6:0]. */
#define RV_OP_LOAD	0x03
#define RV_OP_MISC_MEM	0x0f
#define RV_OP_OP_IMM	0x13
#define RV_OP_AUIPC	0x17
#define RV_OP_STORE	0x23
#define RV_OP_OP	0x33
#define RV_OP_LUI	0x37
#define RV_OP_BRANCH	0x63
#define RV_OP_JALR	0x67
#define RV_OP_JAL	0x6f
#define RV_OP_SYSTEM	0x73

/* funct7 values of OP / OP-IMM. */
#define RV_F7_BASE	0x00
#define RV_F7_MULDIV	0x01
#define RV_F7_ALT	0x20	/* SUB, SRA, SRAI */

/* The only SYSTEM instructions the CP implements. */
#define RV_ECALL	0x00000073u
#define RV_EBREAK	0x00100073u
#define RV_WFI		0x10500073u

#define SIGN_BIT	0x80000000u

/* Sign-extend the low `bits` bits of `v`. */
static inline uint32_t sext(uint32_t v, unsigned int bits)
{
	uint32_t sign = 1u << (bits - 1);

	v &= (sign << 1) - 1;
	return (v ^ sign) - sign;
}

static inline uint32_t imm_i(uint32_t insn)
{
	return sext(insn >> 20, 12);
}

static inline uint32_t imm_s(uint32_t insn)
{
	return sext(((insn >> 20) & ~0x1fu) | ((insn >> 7) & 0x1f), 12);
}

static inline uint32_t imm_b(uint32_t insn)
{
	return sext(((insn >> 19) & 0x1000) | ((insn << 4) & 0x800) |
		    ((insn >> 20) & 0x7e0) | ((insn >> 7) & 0x1e), 13);
}

static inline uint32_t imm_j(uint32_t insn)
{
	return sext(((insn >> 11) & 0x100000) | (insn & 0xff000) |
		    ((insn >> 9) & 0x800) | ((insn >> 20) & 0x7fe), 21);
}

/* Signed comparison: flipping the sign bits maps it onto unsigned order. */
static inline bool lt_signed(uint32_t a, uint32_t b)
{
	return (a ^ SIGN_BIT) < (b ^ SIGN_BIT);
}

static inline uint32_t sra(uint32_t a, uint32_t shamt)
{
	uint32_t fill = 0u - (a >> 31);

	shamt &= 31;
	/* Bit 31 - shamt is the sign bit itself: filling it too is harmless. */
	return (a >> shamt) | (fill << (31 - shamt));
}

static inline uint32_t magnitude(uint32_t v)
{
	return v & SIGN_BIT ? 0u - v : v;
}

/*
 * High words of signed products from the unsigned one: reading a
 * negative operand as unsigned adds 2^32 times the other operand.
 */
static inline uint32_t mulhu(uint32_t a, uint32_t b)
{
	return (uint32_t)(((uint64_t)a * b) >> 32);
}

static inline uint32_t mulhsu(uint32_t a, uint32_t b)
{
	return mulhu(a, b) - (a & SIGN_BIT ? b : 0);
}

static inline uint32_t mulh(uint32_t a, uint32_t b)
{
	return mulhsu(a, b) - (b & SIGN_BIT ? a : 0);
}

/* INT_MIN / -1 needs no special case: the magnitudes give INT_MIN, rem 0. */
static inline uint32_t div_signed(uint32_t a, uint32_t b)
{
	uint32_t q;

	if (!b)
		return UINT32_MAX;
	q = magnitude(a) / magnitude(b);
	return (a ^ b) & SIGN_BIT ? 0u - q : q;
}

static inline uint32_t rem_signed(uint32_t a, uint32_t b)
{
	uint32_t r;

	if (!b)
		return a;
	r = magnitude(a) % magnitude(b);
	return a & SIGN_BIT ? 0u - r : r;
}

static inline uint32_t alu(uint32_t funct3, bool alt, uint32_t a, uint32_t b)
{
	switch (funct3) {
	case 0:
		return alt ? a - b : a + b;
	case 1:
		return a << (b & 31);
	case 2:
		return lt_signed(a, b);
	case 3:
		return a < b;
	case 4:
		return a ^ b;
	case 5:
		return alt ? sra(a, b) : a >> (b & 31);
	case 6:
		return a | b;
	default:
		return a & b;
	}
}

static inline uint32_t muldiv(uint32_t funct3, uint32_t a, uint32_t b)
{
	switch (funct3) {
	case 0:
		return a * b;
	case 1:
		return mulh(a, b);
	case 2:
		return mulhsu(a, b);
	case 3:
		return mulhu(a, b);
	case 4:
		return div_signed(a, b);
	case 5:
		return b ? a / b : UINT32_MAX;
	case 6:
		return rem_signed(a, b);
	default:
		return b ? a % b : a;
	}
}

static inline bool branch_taken(uint32_t funct3, uint32_t a, uint32_t b)
{
	switch (funct3) {
	case 0:
		return a == b;
	case 1:
		return a != b;
	case 4:
		return lt_signed(a, b);
	case 5:
		return !lt_signed(a, b);
	case 6:
		return a < b;
	default:
		return a >= b;
	}
}

static inline uint32_t load_le(const uint8_t *p, uint32_t width)
{
	switch (width) {
	case 1:
		return p[0];
	case 2:
		return p[0] | (uint32_t)p[1] << 8;
	default:
		return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[3] << 24;
	}
}

static inline void store_le(uint8_t *p, uint32_t width, uint32_t value)
{
	uint32_t i;

	for (i = 0; i < width; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

/* Offsets relative to each region's base: below the base wraps to huge. */
static inline bool in_imem(uint32_t addr)
{
	return addr - NPU_CP_IMEM_BASE < NPU_CP_IMEM_SIZE;
}

static inline bool in_dmem(uint32_t addr)
{
	return addr - NPU_CP_DMEM_BASE < NPU_CP_DMEM_SIZE;
}

static inline bool in_regs(uint32_t addr)
{
	return addr - NPU_CP_REGS_BASE < NPU_CP_REGS_END - NPU_CP_REGS_BASE;
}

/*
 * Load `width` (1, 2 or 4) bytes, zero-extended.  Returns false when
 * the access trapped, or when an io callback stopped the CP (then the
 * instruction does not retire either).
 */
static bool cp_load(struct npu_cp *cp, uint32_t addr, uint32_t width,
		    uint32_t *value)
{
	const uint8_t *mem;

	if (in_imem(addr)) {
		mem = cp->imem + (addr - NPU_CP_IMEM_BASE);
	} else if (in_dmem(addr)) {
		mem = cp->dmem + (addr - NPU_CP_DMEM_BASE);
	} else if (in_regs(addr)) {
		if (width != 4 || addr & 3 ||
		    cp->io->reg_read(cp->opaque, addr, value)) {
			npu_cp_trap(cp, NPU_CP_TRAP_LOAD, addr);
			return false;
		}
		return cp->state == NPU_CP_RUNNING;
	} else {
		npu_cp_trap(cp, NPU_CP_TRAP_LOAD, addr);
		return false;
	}
	if (addr & (width - 1)) {
		npu_cp_trap(cp, NPU_CP_TRAP_MISALIGNED, addr);
		return false;
	}
	*value = load_le(mem, width);
	return true;
}

/* Store the low `width` bytes of `value`; returns false as cp_load. */
static bool cp_store(struct npu_cp *cp, uint32_t addr, uint32_t width,
		     uint32_t value)
{
	if (in_dmem(addr)) {
		if (addr & (width - 1)) {
			npu_cp_trap(cp, NPU_CP_TRAP_MISALIGNED, addr);
			return false;
		}
		store_le(cp->dmem + (addr - NPU_CP_DMEM_BASE), width, value);
		return true;
	}
	if (in_regs(addr) && width == 4 && !(addr & 3)) {
		if (cp->io->reg_write(cp->opaque, addr, value)) {
			npu_cp_trap(cp, NPU_CP_TRAP_STORE, addr);
			return false;
		}
		return cp->state == NPU_CP_RUNNING;
	}
	npu_cp_trap(cp, NPU_CP_TRAP_STORE, addr);
	return false;
}

/*
 * Execute the instruction at pc.  Returns true when it retired; on a
 * trap the registers and pc are left as before the instruction.
 */
static bool cp_step(struct npu_cp *cp)
{
	uint32_t pc = cp->pc;
	uint32_t next_pc = pc + 4;
	uint32_t insn, rd, funct3, funct7, rs1_val, rs2_val, addr, value;

	if (pc & 3 || !in_imem(pc)) {
		npu_cp_trap(cp, NPU_CP_TRAP_FETCH, pc);
		return false;
	}
	insn = load_le(cp->imem + (pc - NPU_CP_IMEM_BASE), 4);
	rd = (insn >> 7) & 31;
	funct3 = (insn >> 12) & 7;
	funct7 = insn >> 25;
	rs1_val = cp->x[(insn >> 15) & 31];
	rs2_val = cp->x[(insn >> 20) & 31];

	/* Compressed instructions (low bits != 0b11) fall to default. */
	switch (insn & 0x7f) {
	case RV_OP_LUI:
		cp->x[rd] = insn & 0xfffff000u;
		break;
	case RV_OP_AUIPC:
		cp->x[rd] = pc + (insn & 0xfffff000u);
		break;
	case RV_OP_JAL:
		cp->x[rd] = next_pc;
		next_pc = pc + imm_j(insn);
		break;
	case RV_OP_JALR:
		if (funct3)
			goto illegal;
		/* Target first: rd may be rs1. */
		next_pc = (rs1_val + imm_i(insn)) & ~1u;
		cp->x[rd] = pc + 4;
		break;
	case RV_OP_BRANCH:
		if (funct3 == 2 || funct3 == 3)
			goto illegal;
		if (branch_taken(funct3, rs1_val, rs2_val))
			next_pc = pc + imm_b(insn);
		break;
	case RV_OP_LOAD:
		/* funct3: width log2 in [1:0], zero-extend in [2]. */
		if (funct3 == 3 || funct3 > 5)
			goto illegal;
		addr = rs1_val + imm_i(insn);
		if (!cp_load(cp, addr, 1u << (funct3 & 3), &value))
			return false;
		if (funct3 == 0)
			value = sext(value, 8);
		else if (funct3 == 1)
			value = sext(value, 16);
		cp->x[rd] = value;
		break;
	case RV_OP_STORE:
		if (funct3 > 2)
			goto illegal;
		addr = rs1_val + imm_s(insn);
		if (!cp_store(cp, addr, 1u << funct3, rs2_val))
			return false;
		break;
	case RV_OP_OP_IMM:
		/* Shifts keep funct7 in imm[11:5]; the rest use all 12 bits. */
		if (funct3 == 1 && funct7 != RV_F7_BASE)
			goto illegal;
		if (funct3 == 5 && funct7 != RV_F7_BASE && funct7 != RV_F7_ALT)
			goto illegal;
		cp->x[rd] = alu(funct3, funct3 == 5 && funct7 == RV_F7_ALT,
				rs1_val, imm_i(insn));
		break;
	case RV_OP_OP:
		if (funct7 == RV_F7_MULDIV)
			cp->x[rd] = muldiv(funct3, rs1_val, rs2_val);
		else if (funct7 == RV_F7_BASE ||
			 (funct7 == RV_F7_ALT && (funct3 == 0 || funct3 == 5)))
			cp->x[rd] = alu(funct3, funct7 == RV_F7_ALT,
					rs1_val, rs2_val);
		else
			goto illegal;
		break;
	case RV_OP_MISC_MEM:
		/* FENCE, FENCE.I: one hart, no caches; nothing to order. */
		if (funct3 > 1)
			goto illegal;
		break;
	case RV_OP_SYSTEM:
		if (insn == RV_WFI) {
			cp->state = NPU_CP_WFI;
			break;
		}
		if (insn == RV_ECALL || insn == RV_EBREAK) {
			npu_cp_trap(cp, NPU_CP_TRAP_ECALL, insn);
			return false;
		}
		goto illegal;
	default:
		goto illegal;
	}
	/* Cheaper than testing rd == 0 on every register write. */
	cp->x[0] = 0;
	cp->pc = next_pc;
	cp->instret++;
	return true;

illegal:
	npu_cp_trap(cp, NPU_CP_TRAP_ILLEGAL, insn);
	return false;
}

void npu_cp_init(struct npu_cp *cp, const struct npu_cp_io *io, void *opaque)
{
	memset(cp, 0, sizeof(*cp));
	cp->state = NPU_CP_OFF;
	cp->io = io;
	cp->opaque = opaque;
}

void npu_cp_start(struct npu_cp *cp, uint32_t entry)
{
	memset(cp->x, 0, sizeof(cp->x));
	cp->pc = entry;
	cp->state = NPU_CP_RUNNING;
	cp->trap_cause = NPU_CP_TRAP_NONE;
	cp->trap_pc = 0;
	cp->trap_value = 0;
	cp->instret = 0;
	cp->yield = 0;
}

uint64_t npu_cp_run(struct npu_cp *cp, uint64_t budget)
{
	uint64_t retired = 0;

	while (cp->state == NPU_CP_RUNNING && retired < budget) {
		if (cp_step(cp))
			retired++;
		if (cp->yield) {
			cp->yield = 0;
			break;
		}
	}
	return retired;
}

void npu_cp_wake(struct npu_cp *cp)
{
	if (cp->state == NPU_CP_WFI)
		cp->state = NPU_CP_RUNNING;
}

void npu_cp_trap(struct npu_cp *cp, uint32_t cause, uint32_t value)
{
	cp->state = NPU_CP_HALTED;
	cp->trap_cause = cause;
	cp->trap_pc = cp->pc;
	cp->trap_value = value;
}
