/* SPDX-License-Identifier: MIT */
/*
 * npu_cmd.h - command validation, shared by every part that must agree
 * on what a valid command is: the firmware (which rejects bad commands
 * with a precise code), the device core's engines (which re-check what
 * they are handed, so a buggy firmware cannot reach outside the SRAM)
 * and libnpu's encoder (which refuses to emit an invalid command).
 *
 * Freestanding, no 64-bit division: it runs on the rv32 CP as well.
 */
#ifndef NPU_CMD_H
#define NPU_CMD_H

#include "npu_hw.h"

/* A byte range [addr, addr + len) of the SRAM; len 0 means unused. */
struct npu_sram_range {
	uint32_t addr;
	uint32_t len;
};

#define NPU_CMD_MAX_READS	4

/* What a valid command touches, for the engines and the hazard checks. */
struct npu_cmd_info {
	uint32_t opcode;
	uint32_t words;
	int engine;			/* enum npu_engine, -1 for NOP/SYNC */
	struct npu_sram_range reads[NPU_CMD_MAX_READS];
	struct npu_sram_range write;
	uint32_t dram_addr;		/* DMA: first VA touched */
	uint32_t dram_len;		/* DMA: bytes up to the last VA touched */
};

/* Accumulation depth for which an int32 sum of products cannot wrap. */
#define NPU_MAX_ACC_DEPTH	65536u
/* Largest GLOBAL_AVG area whose sum cannot wrap. */
#define NPU_POOL_MAX_AREA	(1u << 23)

/* Size in 32-bit words of a command with this opcode, 0 if unknown. */
uint32_t npu_cmd_words(uint32_t opcode);

/*
 * Check the command at `cmd`, with `avail_words` words left in the
 * stream, against an SRAM of `sram_size` bytes.  Returns NPU_OK and
 * fills `info`, or the enum npu_err naming the first problem found.
 * Order: the header (OPCODE, reserved bits: FIELD, size: LENGTH), then
 * the fields (FIELD), then each operand in turn (OVERFLOW or
 * SRAM_RANGE), then aliasing between operands (FIELD).
 */
enum npu_err npu_cmd_check(const uint32_t *cmd, uint32_t avail_words,
			   uint32_t sram_size, struct npu_cmd_info *info);

/* Whether a requantization pair is in range (multiplier >= 0, shift in [-31, 30]). */
int npu_quant_valid(const struct npu_quant *q);

#endif /* NPU_CMD_H */
