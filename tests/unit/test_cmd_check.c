// SPDX-License-Identifier: MIT
/*
 * npu_cmd_check(): every rule of hw/npu_cmd.c, as a table of edits to a
 * valid base command and the code each edit must produce, plus the
 * header rules and the info a valid command reports.
 */
#include <stddef.h>
#include <string.h>

#include "harness.h"
#include "npu_cmd.h"

#define SRAM		0x10000u	/* default SRAM size for the cases */
#define MAX_EDITS	10

/* Valid base commands the cases start from. */
enum base {
	B_NOP,
	B_SYNC,
	B_LOAD,		/* DMA_LOAD with padding and fill */
	B_STORE,
	B_CONV,		/* 8x8x4 -> 8x8x8, 3x3, pad 1, bias */
	B_MATMUL,	/* 4x16 * 8x16 -> 4x8, bias, uint8 out */
	B_POOL_MAX,	/* 6x6x4 -> 3x3x4, 3x3 stride 2 pad 1 */
	B_POOL_AVG,	/* same, AVG with COUNT_PAD */
	B_POOL_GLOBAL,	/* 6x6x4 -> 1x1x4 */
	B_ADD,		/* 64 elements */
	B_MUL,
	B_LUT,		/* 100 elements */
};

/* Write `value`'s low `size` bytes at `offset` of the command. */
struct edit {
	uint16_t offset;
	uint8_t size;
	int64_t value;
};

struct check_case {
	const char *name;
	enum base base;
	struct edit edits[MAX_EDITS];
	uint32_t sram_size;	/* 0: SRAM */
	enum npu_err expect;
};

#define SET(type, field, v) \
	{ offsetof(type, field), sizeof(((type *)0)->field), (int64_t)(v) }
#define DMA(field, v)	SET(struct npu_cmd_dma, field, v)
#define CONV(field, v)	SET(struct npu_cmd_conv, field, v)
#define MM(field, v)	SET(struct npu_cmd_matmul, field, v)
#define POOL(field, v)	SET(struct npu_cmd_pool, field, v)
#define ELT(field, v)	SET(struct npu_cmd_eltwise, field, v)
#define LUT(field, v)	SET(struct npu_cmd_lut, field, v)
#define SYNC(field, v)	SET(struct npu_cmd_sync, field, v)

#define QUANT_1X	0x40000000	/* multiplier of the identity pair */

static void base_dma(uint32_t *w, int load)
{
	struct npu_cmd_dma c = {
		.hdr = NPU_CMD_HDR(load ? NPU_OP_DMA_LOAD : NPU_OP_DMA_STORE, 15),
		.dram_addr = 0x10000,
		.sram_addr = 0x100,
		.size = { 16, 4, 3, 2 },
		.dram_stride = { 16, 64, 192 },
	};

	if (load) {
		/* 6 x 5 padded runs per plane: extent 16 + 5*16 + 4*96 + 480 = 960 */
		c.sram_stride[0] = 16;
		c.sram_stride[1] = 96;
		c.sram_stride[2] = 480;
		c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = 1;
		c.fill = 0x7f;
	} else {
		/* extent 16 + 3*16 + 2*64 + 192 = 384 */
		c.sram_stride[0] = 16;
		c.sram_stride[1] = 64;
		c.sram_stride[2] = 192;
	}
	memcpy(w, &c, sizeof(c));
}

static void base_conv(uint32_t *w)
{
	struct npu_cmd_conv c = {
		.hdr = NPU_CMD_HDR(NPU_OP_CONV, 18),
		.flags = NPU_F_BIAS,
		.in_addr = 0x000,	/* 8*8*4 = 256 */
		.wt_addr = 0x100,	/* 8*3*3*4 = 288 */
		.bias_addr = 0x240,	/* 32 */
		.quant_addr = 0,
		.out_addr = 0x400,	/* 8*8*8 = 512 */
		.in_h = 8, .in_w = 8, .in_c = 4, .groups = 1,
		.out_h = 8, .out_w = 8, .out_c = 8,
		.kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
		.in_zp = -3, .out_zp = 5, .act_min = -100, .act_max = 100,
		.quant = { QUANT_1X, -3 },
	};

	memcpy(w, &c, sizeof(c));
}

static void base_matmul(uint32_t *w)
{
	struct npu_cmd_matmul c = {
		.hdr = NPU_CMD_HDR(NPU_OP_MATMUL, 14),
		.flags = NPU_F_BIAS | NPU_F_OUT_U8,
		.in_addr = 0x00,	/* 4*16 = 64 */
		.wt_addr = 0x40,	/* 8*16 = 128 */
		.bias_addr = 0xc0,	/* 32 */
		.out_addr = 0x100,	/* 4*8 = 32 */
		.m = 4, .k = 16, .n = 8,
		.in_zp = -1, .out_zp = 128, .act_min = 0, .act_max = 255,
		.quant = { QUANT_1X, -5 },
	};

	memcpy(w, &c, sizeof(c));
}

static void base_pool(uint32_t *w, uint32_t mode)
{
	struct npu_cmd_pool c = {
		.hdr = NPU_CMD_HDR(NPU_OP_POOL, 14),
		.flags = NPU_F_IN_U8,
		.mode = mode,
		.in_addr = 0x000,	/* 6*6*4 = 144 */
		.out_addr = 0x100,	/* 3*3*4 = 36, or 4 */
		.in_h = 6, .in_w = 6, .channels = 4,
		.out_h = 3, .out_w = 3,
		.kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2,
		.pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
		.in_zp = 128, .out_zp = -2, .act_min = -128, .act_max = 127,
		.quant = { QUANT_1X, 1 },
	};

	if (mode == NPU_POOL_AVG)
		c.flags |= NPU_F_COUNT_PAD;
	if (mode == NPU_POOL_GLOBAL_AVG) {
		c.out_h = c.out_w = 1;
		c.kernel_h = c.kernel_w = c.stride_h = c.stride_w = 0;
		c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = 0;
	}
	memcpy(w, &c, sizeof(c));
}

static void base_eltwise(uint32_t *w, uint32_t op)
{
	struct npu_cmd_eltwise c = {
		.hdr = NPU_CMD_HDR(NPU_OP_ELTWISE, 18),
		.flags = 0,
		.op = op,
		.a_addr = 0x00, .b_addr = 0x40, .out_addr = 0x80,
		.count = 64, .channels = 0,
		.a_zp = 1, .b_zp = -1, .out_zp = 0,
		.left_shift = op == NPU_ELTWISE_ADD ? 10 : 0,
		.act_min = -128, .act_max = 127,
		.out_quant = { QUANT_1X, -2 },
	};

	if (op == NPU_ELTWISE_ADD) {
		c.a_quant = (struct npu_quant){ QUANT_1X, -10 };
		c.b_quant = (struct npu_quant){ 0x60000000, -11 };
	}
	memcpy(w, &c, sizeof(c));
}

static void base_lut(uint32_t *w)
{
	struct npu_cmd_lut c = {
		.hdr = NPU_CMD_HDR(NPU_OP_LUT, 6),
		.flags = 0,
		.in_addr = 0x000, .out_addr = 0x200, .table_addr = 0x100, .count = 100,
	};

	memcpy(w, &c, sizeof(c));
}

/* Fill `w` (NPU_CMD_MAX_WORDS words) with a base; returns its words. */
static uint32_t build_base(enum base base, uint32_t *w)
{
	memset(w, 0, NPU_CMD_MAX_WORDS * 4);
	switch (base) {
	case B_NOP:
		w[0] = NPU_CMD_HDR(NPU_OP_NOP, 1);
		return 1;
	case B_SYNC:
		w[0] = NPU_CMD_HDR(NPU_OP_SYNC, 2);
		w[1] = NPU_ENGINE_ALL;
		return 2;
	case B_LOAD:
		base_dma(w, 1);
		return 15;
	case B_STORE:
		base_dma(w, 0);
		return 15;
	case B_CONV:
		base_conv(w);
		return 18;
	case B_MATMUL:
		base_matmul(w);
		return 14;
	case B_POOL_MAX:
		base_pool(w, NPU_POOL_MAX);
		return 14;
	case B_POOL_AVG:
		base_pool(w, NPU_POOL_AVG);
		return 14;
	case B_POOL_GLOBAL:
		base_pool(w, NPU_POOL_GLOBAL_AVG);
		return 14;
	case B_ADD:
		base_eltwise(w, NPU_ELTWISE_ADD);
		return 18;
	case B_MUL:
		base_eltwise(w, NPU_ELTWISE_MUL);
		return 18;
	case B_LUT:
		base_lut(w);
		return 6;
	}
	return 0;
}

static const struct check_case cases[] = {
	/* Every base is valid as it stands. */
	{ "nop", B_NOP, {}, 0, NPU_OK },
	{ "sync", B_SYNC, {}, 0, NPU_OK },
	{ "load", B_LOAD, {}, 0, NPU_OK },
	{ "store", B_STORE, {}, 0, NPU_OK },
	{ "conv", B_CONV, {}, 0, NPU_OK },
	{ "matmul", B_MATMUL, {}, 0, NPU_OK },
	{ "pool max", B_POOL_MAX, {}, 0, NPU_OK },
	{ "pool avg", B_POOL_AVG, {}, 0, NPU_OK },
	{ "pool global", B_POOL_GLOBAL, {}, 0, NPU_OK },
	{ "add", B_ADD, {}, 0, NPU_OK },
	{ "mul", B_MUL, {}, 0, NPU_OK },
	{ "lut", B_LUT, {}, 0, NPU_OK },

	/* Header: opcode, reserved bits, size; checked in that order. */
	{ "opcode 0x02", B_NOP, { SYNC(hdr, NPU_CMD_HDR(0x02, 1)) }, 0, NPU_ERR_OPCODE },
	{ "opcode 0x12", B_NOP, { SYNC(hdr, NPU_CMD_HDR(0x12, 15)) }, 0, NPU_ERR_OPCODE },
	{ "opcode 0x22", B_NOP, { SYNC(hdr, NPU_CMD_HDR(0x22, 14)) }, 0, NPU_ERR_OPCODE },
	{ "opcode 0x33", B_NOP, { SYNC(hdr, NPU_CMD_HDR(0x33, 6)) }, 0, NPU_ERR_OPCODE },
	{ "opcode 0xff", B_NOP, { SYNC(hdr, NPU_CMD_HDR(0xff, 1)) }, 0, NPU_ERR_OPCODE },
	{ "unknown opcode beats reserved bits", B_NOP,
	  { SYNC(hdr, NPU_CMD_HDR(0x03, 1) | 0x100) }, 0, NPU_ERR_OPCODE },
	{ "nop reserved bit 8", B_NOP, { SYNC(hdr, NPU_CMD_HDR(0, 1) | 0x100) }, 0, NPU_ERR_FIELD },
	{ "conv reserved bit 15", B_CONV, { CONV(hdr, NPU_CMD_HDR(NPU_OP_CONV, 18) | 0x8000) },
	  0, NPU_ERR_FIELD },
	{ "reserved bits beat a wrong size", B_SYNC,
	  { SYNC(hdr, NPU_CMD_HDR(NPU_OP_SYNC, 3) | 0x200) }, 0, NPU_ERR_FIELD },
	{ "nop size 0", B_NOP, { SYNC(hdr, NPU_CMD_HDR(0, 0)) }, 0, NPU_ERR_LENGTH },
	{ "nop size 2", B_NOP, { SYNC(hdr, NPU_CMD_HDR(0, 2)) }, 0, NPU_ERR_LENGTH },
	{ "sync size 1", B_SYNC, { SYNC(hdr, NPU_CMD_HDR(NPU_OP_SYNC, 1)) }, 0, NPU_ERR_LENGTH },
	{ "load size 14", B_LOAD, { DMA(hdr, NPU_CMD_HDR(NPU_OP_DMA_LOAD, 14)) }, 0, NPU_ERR_LENGTH },
	{ "store size 16", B_STORE, { DMA(hdr, NPU_CMD_HDR(NPU_OP_DMA_STORE, 16)) }, 0,
	  NPU_ERR_LENGTH },
	{ "conv size 0xffff", B_CONV, { CONV(hdr, NPU_CMD_HDR(NPU_OP_CONV, 0xffff)) }, 0,
	  NPU_ERR_LENGTH },
	{ "matmul size 18", B_MATMUL, { MM(hdr, NPU_CMD_HDR(NPU_OP_MATMUL, 18)) }, 0,
	  NPU_ERR_LENGTH },
	{ "pool size 13", B_POOL_MAX, { POOL(hdr, NPU_CMD_HDR(NPU_OP_POOL, 13)) }, 0,
	  NPU_ERR_LENGTH },
	{ "eltwise size 14", B_ADD, { ELT(hdr, NPU_CMD_HDR(NPU_OP_ELTWISE, 14)) }, 0,
	  NPU_ERR_LENGTH },
	{ "lut size 7", B_LUT, { LUT(hdr, NPU_CMD_HDR(NPU_OP_LUT, 7)) }, 0, NPU_ERR_LENGTH },

	/* SYNC */
	{ "sync no engine", B_SYNC, { SYNC(engines, 0) }, 0, NPU_ERR_FIELD },
	{ "sync engine 3", B_SYNC, { SYNC(engines, 1u << 3) }, 0, NPU_ERR_FIELD },
	{ "sync engine 31", B_SYNC, { SYNC(engines, 0x80000001u) }, 0, NPU_ERR_FIELD },
	{ "sync dma only", B_SYNC, { SYNC(engines, NPU_ENGINE_BIT(NPU_ENGINE_DMA)) }, 0, NPU_OK },
	{ "sync ppu only", B_SYNC, { SYNC(engines, NPU_ENGINE_BIT(NPU_ENGINE_PPU)) }, 0, NPU_OK },

	/* DMA: FIELD */
	{ "dma size[0] 0", B_LOAD, { DMA(size[0], 0) }, 0, NPU_ERR_FIELD },
	{ "dma size[1] 0", B_LOAD, { DMA(size[1], 0) }, 0, NPU_ERR_FIELD },
	{ "dma size[2] 0", B_STORE, { DMA(size[2], 0) }, 0, NPU_ERR_FIELD },
	{ "dma size[3] 0", B_STORE, { DMA(size[3], 0) }, 0, NPU_ERR_FIELD },
	{ "load fill 0x100", B_LOAD, { DMA(fill, 0x100) }, 0, NPU_ERR_FIELD },
	{ "load fill bit 31", B_LOAD, { DMA(fill, 0x800000ffu) }, 0, NPU_ERR_FIELD },
	{ "load fill 0xff", B_LOAD, { DMA(fill, 0xff) }, 0, NPU_OK },
	{ "store pad_top", B_STORE, { DMA(pad_top, 1) }, 0, NPU_ERR_FIELD },
	{ "store pad_bottom", B_STORE, { DMA(pad_bottom, 1) }, 0, NPU_ERR_FIELD },
	{ "store pad_left", B_STORE, { DMA(pad_left, 1) }, 0, NPU_ERR_FIELD },
	{ "store pad_right", B_STORE, { DMA(pad_right, 1) }, 0, NPU_ERR_FIELD },
	{ "store fill", B_STORE, { DMA(fill, 1) }, 0, NPU_ERR_FIELD },
	{ "load pads 255", B_LOAD,
	  { DMA(pad_top, 255), DMA(pad_bottom, 255), DMA(pad_left, 255), DMA(pad_right, 255),
	    DMA(sram_stride[1], 16 * 514), DMA(sram_stride[2], 16 * 514 * 513) },
	  0x4000000, NPU_OK },

	/* DMA: OVERFLOW */
	/*
	 * Zero strides keep the extents small, so only the rule under test
	 * can object; the sizes are picked so that without it the 64-bit
	 * products would wrap to something small.
	 */
	{ "load padded width wraps", B_LOAD,
	  { DMA(size[1], 0xffffffffu), DMA(dram_stride[0], 0), DMA(sram_stride[0], 0) }, 0,
	  NPU_ERR_OVERFLOW },
	{ "load padded height wraps", B_LOAD,
	  { DMA(size[2], 0xffffffffu), DMA(dram_stride[1], 0), DMA(sram_stride[1], 0) }, 0,
	  NPU_ERR_OVERFLOW },
	{ "dma bytes per row >= 4 GiB", B_STORE,
	  { DMA(size[0], 0x80000000u), DMA(size[1], 0x80000000u), DMA(size[2], 4),
	    DMA(size[3], 1), DMA(dram_stride[0], 0), DMA(sram_stride[0], 0),
	    DMA(dram_addr, 0) }, 0, NPU_ERR_OVERFLOW },
	{ "dma bytes per plane >= 4 GiB", B_STORE,
	  { DMA(size[0], 0x8000), DMA(size[1], 0x10000), DMA(size[2], 0x20000),
	    DMA(size[3], 0x10000), DMA(dram_stride[0], 0), DMA(dram_stride[1], 0),
	    DMA(dram_stride[2], 0), DMA(sram_stride[0], 0), DMA(sram_stride[1], 0),
	    DMA(sram_stride[2], 0) }, 0, NPU_ERR_OVERFLOW },
	{ "dma total bytes >= 4 GiB", B_STORE,
	  { DMA(size[0], 1), DMA(size[1], 0x100), DMA(size[2], 0x100), DMA(size[3], 0x10000) },
	  0, NPU_ERR_OVERFLOW },
	{ "dma zero strides", B_LOAD,
	  { DMA(dram_stride[0], 0), DMA(dram_stride[1], 0), DMA(dram_stride[2], 0),
	    DMA(sram_stride[0], 0), DMA(sram_stride[1], 0), DMA(sram_stride[2], 0) }, 0,
	  NPU_OK },
	{ "dma dram stride span >= 4 GiB", B_STORE,
	  { DMA(size[1], 3), DMA(dram_stride[0], 0x80000000u) }, 0, NPU_ERR_OVERFLOW },
	/* 16 + 3*16 + 2*64 + 0xffffff80 > 2^32 */
	{ "dma dram strides sum past 4 GiB", B_STORE,
	  { DMA(dram_stride[2], 0xffffff80u), DMA(dram_addr, 0) }, 0, NPU_ERR_OVERFLOW },
	{ "dma dram strides sum to 4 GiB - 1", B_STORE,
	  { DMA(dram_stride[2], 0xffffff3fu), DMA(dram_addr, 0) }, 0, NPU_OK },
	/* Two runs, at VA 0 and VA 0xffffffff: an extent of 2^32 does not fit either. */
	{ "dma dram extent of 4 GiB", B_STORE,
	  { DMA(dram_addr, 0), DMA(size[0], 1), DMA(size[1], 2), DMA(size[2], 1), DMA(size[3], 1),
	    DMA(dram_stride[0], 0xffffffffu) }, 0, NPU_ERR_OVERFLOW },
	{ "dma dram extent of 4 GiB - 1", B_STORE,
	  { DMA(dram_addr, 0), DMA(size[0], 1), DMA(size[1], 2), DMA(size[2], 1), DMA(size[3], 1),
	    DMA(dram_stride[0], 0xfffffffeu) }, 0, NPU_OK },
	{ "dma dram end past 4 GiB", B_STORE, { DMA(dram_addr, 0xffffff00u) }, 0,
	  NPU_ERR_OVERFLOW },
	{ "dma dram end at 4 GiB", B_STORE, { DMA(dram_addr, 0xfffffe80u) }, 0, NPU_OK },
	{ "dma sram stride span >= 4 GiB", B_LOAD, { DMA(sram_stride[0], 0x40000000u) }, 0,
	  NPU_ERR_OVERFLOW },
	{ "dma sram strides sum past 4 GiB", B_STORE,
	  { DMA(sram_stride[2], 0xffffffffu) }, 0, NPU_ERR_OVERFLOW },
	{ "dma sram extent of 4 GiB", B_STORE,
	  { DMA(size[0], 1), DMA(size[1], 2), DMA(size[2], 1), DMA(size[3], 1),
	    DMA(sram_stride[0], 0xffffffffu), DMA(sram_addr, 0) }, 0, NPU_ERR_OVERFLOW },
	{ "dma sram end past 4 GiB", B_LOAD, { DMA(sram_addr, 0xfffffe00u) }, 0,
	  NPU_ERR_OVERFLOW },

	/* DMA: SRAM_RANGE */
	{ "load past sram", B_LOAD, { DMA(sram_addr, SRAM - 959) }, 0, NPU_ERR_SRAM_RANGE },
	{ "load ends at sram end", B_LOAD, { DMA(sram_addr, SRAM - 960) }, 0, NPU_OK },
	{ "store past sram", B_STORE, { DMA(sram_addr, SRAM - 383) }, 0, NPU_ERR_SRAM_RANGE },
	{ "store strides past sram", B_STORE, { DMA(sram_stride[2], SRAM) }, 0,
	  NPU_ERR_SRAM_RANGE },
	{ "load padding past sram", B_LOAD, { DMA(sram_addr, SRAM - 960), DMA(pad_bottom, 2) },
	  0, NPU_ERR_SRAM_RANGE },
	{ "store reads a whole 384-byte sram", B_STORE, { DMA(sram_addr, 0) }, 384, NPU_OK },
	{ "store reads past a 383-byte sram", B_STORE, { DMA(sram_addr, 0) }, 383,
	  NPU_ERR_SRAM_RANGE },

	/* CONV: FIELD, in the order of the checks */
	{ "conv flag B_U8", B_CONV, { CONV(flags, NPU_F_BIAS | NPU_F_B_U8) }, 0, NPU_ERR_FIELD },
	{ "conv flag B_BROADCAST", B_CONV, { CONV(flags, NPU_F_BIAS | NPU_F_B_BROADCAST) }, 0,
	  NPU_ERR_FIELD },
	{ "conv flag COUNT_PAD", B_CONV, { CONV(flags, NPU_F_BIAS | NPU_F_COUNT_PAD) }, 0,
	  NPU_ERR_FIELD },
	{ "conv flag 31", B_CONV, { CONV(flags, NPU_F_BIAS | 0x80000000u) }, 0, NPU_ERR_FIELD },
	{ "conv reserved", B_CONV, { CONV(reserved, 1) }, 0, NPU_ERR_FIELD },
	{ "conv reserved2[0]", B_CONV, { CONV(reserved2[0], 1) }, 0, NPU_ERR_FIELD },
	{ "conv reserved2[1]", B_CONV, { CONV(reserved2[1], 0x80) }, 0, NPU_ERR_FIELD },
	/* With a 1-wide kernel, a 0-high input would still give a 2-high output. */
	{ "conv in_h 0", B_CONV, { CONV(in_h, 0), CONV(kernel_h, 1), CONV(out_h, 2) }, 0,
	  NPU_ERR_FIELD },
	{ "conv in_w 0", B_CONV, { CONV(in_w, 0), CONV(kernel_w, 1), CONV(out_w, 2) }, 0,
	  NPU_ERR_FIELD },
	{ "conv in_c 0", B_CONV, { CONV(in_c, 0) }, 0, NPU_ERR_FIELD },
	{ "conv out_c 0", B_CONV, { CONV(out_c, 0) }, 0, NPU_ERR_FIELD },
	{ "conv groups 0", B_CONV, { CONV(groups, 0) }, 0, NPU_ERR_FIELD },
	{ "conv out_h 0", B_CONV, { CONV(out_h, 0) }, 0, NPU_ERR_FIELD },
	{ "conv out_w 0", B_CONV, { CONV(out_w, 0) }, 0, NPU_ERR_FIELD },
	{ "conv in_c % groups", B_CONV, { CONV(groups, 3), CONV(out_c, 9) }, 0, NPU_ERR_FIELD },
	{ "conv out_c % groups", B_CONV, { CONV(groups, 4), CONV(out_c, 6) }, 0, NPU_ERR_FIELD },
	{ "conv groups 2", B_CONV, { CONV(groups, 2) }, 0, NPU_OK },
	{ "conv depthwise", B_CONV, { CONV(groups, 4), CONV(wt_addr, 0x1e0) }, 0, NPU_OK },
	/*
	 * Each window field out of range, with out_h/out_w (and the input
	 * where needed) matching the formula, so only the range rule objects.
	 */
	{ "conv kernel_h 0", B_CONV, { CONV(kernel_h, 0), CONV(out_h, 11) }, 0, NPU_ERR_FIELD },
	{ "conv kernel_h 12", B_CONV,
	  { CONV(kernel_h, 12), CONV(in_h, 10), CONV(out_h, 1), CONV(out_addr, 0x1000) }, 0,
	  NPU_ERR_FIELD },
	{ "conv kernel_h 11", B_CONV,
	  { CONV(kernel_h, 11), CONV(in_h, 9), CONV(out_h, 1), CONV(out_addr, 0x1000) }, 0,
	  NPU_OK },
	{ "conv kernel_w 0", B_CONV, { CONV(kernel_w, 0), CONV(out_w, 11) }, 0, NPU_ERR_FIELD },
	{ "conv kernel_w 12", B_CONV,
	  { CONV(kernel_w, 12), CONV(in_w, 10), CONV(out_w, 1), CONV(out_addr, 0x1000) }, 0,
	  NPU_ERR_FIELD },
	{ "conv stride_h 0", B_CONV, { CONV(stride_h, 0) }, 0, NPU_ERR_FIELD },
	{ "conv stride_h 9", B_CONV, { CONV(stride_h, 9), CONV(out_h, 1) }, 0, NPU_ERR_FIELD },
	{ "conv stride_h 8", B_CONV, { CONV(stride_h, 8), CONV(out_h, 1) }, 0, NPU_OK },
	{ "conv stride_w 0", B_CONV, { CONV(stride_w, 0) }, 0, NPU_ERR_FIELD },
	{ "conv stride_w 9", B_CONV, { CONV(stride_w, 9), CONV(out_w, 1) }, 0, NPU_ERR_FIELD },
	{ "conv dilation_h 0", B_CONV, { CONV(dilation_h, 0), CONV(out_h, 10) }, 0,
	  NPU_ERR_FIELD },
	{ "conv dilation_h 9", B_CONV, { CONV(dilation_h, 9), CONV(in_h, 17), CONV(out_h, 1) },
	  0, NPU_ERR_FIELD },
	{ "conv dilation_h 8", B_CONV, { CONV(dilation_h, 8), CONV(in_h, 15), CONV(out_h, 1) },
	  0, NPU_OK },
	{ "conv dilation_w 0", B_CONV, { CONV(dilation_w, 0), CONV(out_w, 10) }, 0,
	  NPU_ERR_FIELD },
	{ "conv dilation_w 9", B_CONV, { CONV(dilation_w, 9), CONV(in_w, 17), CONV(out_w, 1) },
	  0, NPU_ERR_FIELD },
	{ "conv pad_top 11", B_CONV, { CONV(pad_top, 11), CONV(out_h, 18) }, 0, NPU_ERR_FIELD },
	{ "conv pad_bottom 11", B_CONV, { CONV(pad_bottom, 11), CONV(out_h, 18) }, 0,
	  NPU_ERR_FIELD },
	{ "conv pad_left 11", B_CONV, { CONV(pad_left, 11), CONV(out_w, 18) }, 0, NPU_ERR_FIELD },
	{ "conv pad_right 11", B_CONV, { CONV(pad_right, 11), CONV(out_w, 18) }, 0,
	  NPU_ERR_FIELD },
	{ "conv pad_right 10", B_CONV, { CONV(pad_right, 10), CONV(out_w, 17) }, 0, NPU_OK },
	/* 8 + 10 + 10 - 11 + 1 = 18 rows: the largest legal window and pads. */
	{ "conv kernel 11 pad 10", B_CONV,
	  { CONV(kernel_h, 11), CONV(pad_top, 10), CONV(pad_bottom, 10), CONV(out_h, 18),
	    CONV(out_addr, 0x1000) }, 0, NPU_OK },
	/* 3x3 dilated by 4 spans 9 rows > 8 + 0 + 0 */
	{ "conv window taller than input", B_CONV,
	  { CONV(dilation_h, 4), CONV(pad_top, 0), CONV(pad_bottom, 0) }, 0, NPU_ERR_FIELD },
	{ "conv window wider than input", B_CONV,
	  { CONV(kernel_w, 11), CONV(pad_left, 1), CONV(pad_right, 1) }, 0, NPU_ERR_FIELD },
	{ "conv out_h + 1", B_CONV, { CONV(out_h, 9) }, 0, NPU_ERR_FIELD },
	{ "conv out_h - 1", B_CONV, { CONV(out_h, 7) }, 0, NPU_ERR_FIELD },
	{ "conv out_w - 1", B_CONV, { CONV(out_w, 7) }, 0, NPU_ERR_FIELD },
	/* (8 + 2 - 3) / 2 + 1 = 4: the floor */
	{ "conv stride 2", B_CONV, { CONV(stride_h, 2), CONV(stride_w, 2), CONV(out_h, 4),
	  CONV(out_w, 4) }, 0, NPU_OK },
	{ "conv stride 2 out rounded up", B_CONV,
	  { CONV(stride_h, 2), CONV(out_h, 5) }, 0, NPU_ERR_FIELD },
	/* (8 + 1 + 0 - (2*2 + 1)) / 1 + 1 = 5 */
	{ "conv dilation 2 asymmetric pad", B_CONV,
	  { CONV(dilation_h, 2), CONV(pad_bottom, 0), CONV(out_h, 5) }, 0, NPU_OK },
	{ "conv int8 in_zp -129", B_CONV, { CONV(in_zp, -129) }, 0, NPU_ERR_FIELD },
	{ "conv int8 in_zp 128", B_CONV, { CONV(in_zp, 128) }, 0, NPU_ERR_FIELD },
	{ "conv uint8 in_zp -3", B_CONV, { CONV(flags, NPU_F_BIAS | NPU_F_IN_U8) }, 0,
	  NPU_ERR_FIELD },
	{ "conv uint8 in_zp 256", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_IN_U8), CONV(in_zp, 256) }, 0, NPU_ERR_FIELD },
	{ "conv uint8 in_zp 255", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_IN_U8), CONV(in_zp, 255) }, 0, NPU_OK },
	{ "conv int8 out_zp 128", B_CONV, { CONV(out_zp, 128) }, 0, NPU_ERR_FIELD },
	{ "conv uint8 out_zp -1", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_OUT_U8), CONV(out_zp, -1), CONV(act_min, 0) }, 0,
	  NPU_ERR_FIELD },
	{ "conv uint8 act_min -100", B_CONV, { CONV(flags, NPU_F_BIAS | NPU_F_OUT_U8) }, 0,
	  NPU_ERR_FIELD },
	{ "conv uint8 act_max 256", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_OUT_U8), CONV(act_min, 0), CONV(act_max, 256) }, 0,
	  NPU_ERR_FIELD },
	{ "conv uint8 out", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_OUT_U8), CONV(act_min, 0), CONV(act_max, 255) }, 0,
	  NPU_OK },
	{ "conv int8 act_min -129", B_CONV, { CONV(act_min, -129) }, 0, NPU_ERR_FIELD },
	{ "conv int8 act_max 128", B_CONV, { CONV(act_max, 128) }, 0, NPU_ERR_FIELD },
	{ "conv act_min > act_max", B_CONV, { CONV(act_min, 10), CONV(act_max, 9) }, 0,
	  NPU_ERR_FIELD },
	{ "conv act_min == act_max", B_CONV, { CONV(act_min, 9), CONV(act_max, 9) }, 0, NPU_OK },
	{ "conv per-channel", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_PER_CHANNEL), CONV(quant.multiplier, 0),
	    CONV(quant.shift, 0), CONV(quant_addr, 0x300) }, 0, NPU_OK },
	{ "conv per-channel with quant.multiplier", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_PER_CHANNEL), CONV(quant.shift, 0),
	    CONV(quant_addr, 0x300) }, 0, NPU_ERR_FIELD },
	{ "conv per-channel with quant.shift", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_PER_CHANNEL), CONV(quant.multiplier, 0),
	    CONV(quant_addr, 0x300) }, 0, NPU_ERR_FIELD },
	{ "conv per-channel table misaligned", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_PER_CHANNEL), CONV(quant.multiplier, 0),
	    CONV(quant.shift, 0), CONV(quant_addr, 0x302) }, 0, NPU_ERR_FIELD },
	{ "conv per-tensor with quant_addr", B_CONV, { CONV(quant_addr, 0x300) }, 0,
	  NPU_ERR_FIELD },
	{ "conv multiplier -1", B_CONV, { CONV(quant.multiplier, -1) }, 0, NPU_ERR_FIELD },
	{ "conv multiplier INT32_MIN", B_CONV, { CONV(quant.multiplier, INT32_MIN) }, 0,
	  NPU_ERR_FIELD },
	{ "conv multiplier INT32_MAX", B_CONV, { CONV(quant.multiplier, INT32_MAX) }, 0, NPU_OK },
	{ "conv multiplier 0", B_CONV, { CONV(quant.multiplier, 0) }, 0, NPU_OK },
	{ "conv shift -32", B_CONV, { CONV(quant.shift, -32) }, 0, NPU_ERR_FIELD },
	{ "conv shift -31", B_CONV, { CONV(quant.shift, -31) }, 0, NPU_OK },
	{ "conv shift 30", B_CONV, { CONV(quant.shift, 30) }, 0, NPU_OK },
	{ "conv shift 31", B_CONV, { CONV(quant.shift, 31) }, 0, NPU_ERR_FIELD },
	{ "conv bias misaligned", B_CONV, { CONV(bias_addr, 0x242) }, 0, NPU_ERR_FIELD },
	{ "conv bias_addr without BIAS", B_CONV, { CONV(flags, 0) }, 0, NPU_ERR_FIELD },
	{ "conv no bias", B_CONV, { CONV(flags, 0), CONV(bias_addr, 0) }, 0, NPU_OK },
	{ "conv bias at 0", B_CONV, { CONV(bias_addr, 0) }, 0, NPU_OK },

	/* CONV: accumulation depth kernel_h * kernel_w * in_c / groups <= 65536 */
	/* 1x1 input, 2x2 kernel, pad 1: 2x2 output */
	{ "conv depth 65536", B_CONV,
	  { CONV(in_h, 1), CONV(in_w, 1), CONV(kernel_h, 2), CONV(kernel_w, 2),
	    CONV(out_h, 2), CONV(out_w, 2), CONV(in_c, 16384), CONV(out_addr, 0x100000) },
	  0x200000, NPU_OK },
	{ "conv depth 65540", B_CONV,
	  { CONV(in_h, 1), CONV(in_w, 1), CONV(kernel_h, 2), CONV(kernel_w, 2),
	    CONV(out_h, 2), CONV(out_w, 2), CONV(in_c, 16385), CONV(out_addr, 0x100000) },
	  0x200000, NPU_ERR_FIELD },
	{ "conv depth 65540 per group", B_CONV,
	  { CONV(in_h, 1), CONV(in_w, 1), CONV(kernel_h, 2), CONV(kernel_w, 2),
	    CONV(out_h, 2), CONV(out_w, 2), CONV(in_c, 32770), CONV(groups, 2),
	    CONV(out_addr, 0x100000) }, 0x200000, NPU_ERR_FIELD },
	{ "conv depth 32768 per group", B_CONV,
	  { CONV(in_h, 1), CONV(in_w, 1), CONV(kernel_h, 2), CONV(kernel_w, 2),
	    CONV(out_h, 2), CONV(out_w, 2), CONV(in_c, 16384), CONV(groups, 2),
	    CONV(out_addr, 0x100000) }, 0x200000, NPU_OK },

	/* CONV: ranges, operand by operand */
	{ "conv in past sram", B_CONV, { CONV(in_addr, SRAM - 255) }, 0, NPU_ERR_SRAM_RANGE },
	{ "conv in ends at sram end", B_CONV, { CONV(in_addr, SRAM - 256) }, 0, NPU_OK },
	{ "conv in past 4 GiB", B_CONV, { CONV(in_addr, 0xffffff01u) }, 0, NPU_ERR_OVERFLOW },
	{ "conv wt past sram", B_CONV, { CONV(wt_addr, SRAM - 287) }, 0, NPU_ERR_SRAM_RANGE },
	{ "conv wt past 4 GiB", B_CONV, { CONV(wt_addr, 0xffffff00u) }, 0, NPU_ERR_OVERFLOW },
	{ "conv bias past sram", B_CONV, { CONV(bias_addr, SRAM - 28) }, 0, NPU_ERR_SRAM_RANGE },
	{ "conv bias past 4 GiB", B_CONV, { CONV(bias_addr, 0xfffffffcu) }, 0,
	  NPU_ERR_OVERFLOW },
	{ "conv quant past sram", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_PER_CHANNEL), CONV(quant.multiplier, 0),
	    CONV(quant.shift, 0), CONV(quant_addr, SRAM - 60) }, 0, NPU_ERR_SRAM_RANGE },
	{ "conv out past sram", B_CONV, { CONV(out_addr, SRAM - 511) }, 0, NPU_ERR_SRAM_RANGE },
	{ "conv out past 4 GiB", B_CONV, { CONV(out_addr, 0xfffffe04u) }, 0, NPU_ERR_OVERFLOW },
	{ "conv out ends at sram end", B_CONV, { CONV(out_addr, SRAM - 512) }, 0, NPU_OK },
	/* 2048 * 2048 * 1024 = 2^32 bytes at address 0: a length that needs 33 bits */
	{ "conv input of exactly 4 GiB", B_CONV,
	  { CONV(in_h, 2048), CONV(in_w, 2048), CONV(in_c, 1024), CONV(out_h, 2048),
	    CONV(out_w, 2048) }, 0xffffffffu, NPU_ERR_OVERFLOW },
	/* Each operand is range-checked in turn: an earlier one's SRAM_RANGE wins. */
	{ "conv in SRAM_RANGE before out OVERFLOW", B_CONV,
	  { CONV(in_addr, SRAM), CONV(out_addr, 0xffffff00u) }, 0, NPU_ERR_SRAM_RANGE },

	/* CONV: the output overlaps no input, not even exactly */
	{ "conv out == in", B_CONV, { CONV(out_addr, 0), CONV(wt_addr, 0x800) }, 0,
	  NPU_ERR_FIELD },
	{ "conv out overlaps wt only", B_CONV, { CONV(out_addr, 0x800), CONV(wt_addr, 0x900) }, 0,
	  NPU_ERR_FIELD },
	{ "conv out overlaps in's last byte", B_CONV, { CONV(out_addr, 0xff) }, 0,
	  NPU_ERR_FIELD },
	{ "conv out overlaps wt", B_CONV, { CONV(out_addr, 0x200) }, 0, NPU_ERR_FIELD },
	{ "conv out overlaps bias", B_CONV, { CONV(out_addr, 0x25c) }, 0, NPU_ERR_FIELD },
	{ "conv out overlaps quant", B_CONV,
	  { CONV(flags, NPU_F_BIAS | NPU_F_PER_CHANNEL), CONV(quant.multiplier, 0),
	    CONV(quant.shift, 0), CONV(quant_addr, 0x5f8) }, 0, NPU_ERR_FIELD },
	{ "conv out just after bias", B_CONV, { CONV(out_addr, 0x260) }, 0, NPU_OK },
	{ "conv inputs may overlap", B_CONV, { CONV(wt_addr, 0), CONV(bias_addr, 0) }, 0, NPU_OK },

	/* MATMUL */
	{ "matmul flag B_U8", B_MATMUL, { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_B_U8) }, 0,
	  NPU_ERR_FIELD },
	{ "matmul flag B_BROADCAST", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_B_BROADCAST) }, 0, NPU_ERR_FIELD },
	{ "matmul flag COUNT_PAD", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_COUNT_PAD) }, 0, NPU_ERR_FIELD },
	{ "matmul m 0", B_MATMUL, { MM(m, 0) }, 0, NPU_ERR_FIELD },
	{ "matmul k 0", B_MATMUL, { MM(k, 0) }, 0, NPU_ERR_FIELD },
	{ "matmul n 0", B_MATMUL, { MM(n, 0) }, 0, NPU_ERR_FIELD },
	{ "matmul m 65536", B_MATMUL, { MM(m, 65536) }, 0, NPU_ERR_FIELD },
	{ "matmul k 65536", B_MATMUL, { MM(k, 65536) }, 0, NPU_ERR_FIELD },
	{ "matmul n 65536", B_MATMUL, { MM(n, 65536) }, 0, NPU_ERR_FIELD },
	{ "matmul m 65535", B_MATMUL, { MM(m, 65535), MM(k, 1), MM(n, 1), MM(out_addr, 0x10000) },
	  0x20000, NPU_OK },
	{ "matmul k 65535", B_MATMUL, { MM(m, 1), MM(k, 65535), MM(n, 1), MM(out_addr, 0x20000) },
	  0x30000, NPU_OK },
	{ "matmul n 65535", B_MATMUL,
	  { MM(m, 1), MM(k, 1), MM(n, 65535), MM(bias_addr, 0x20000), MM(out_addr, 0x60000) },
	  0x80000, NPU_OK },
	{ "matmul int8 in_zp 128", B_MATMUL, { MM(in_zp, 128) }, 0, NPU_ERR_FIELD },
	{ "matmul uint8 in_zp -1", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_IN_U8) }, 0, NPU_ERR_FIELD },
	{ "matmul uint8 in_zp 0", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_IN_U8), MM(in_zp, 0) }, 0, NPU_OK },
	{ "matmul int8 out_zp 128", B_MATMUL, { MM(flags, NPU_F_BIAS) }, 0, NPU_ERR_FIELD },
	{ "matmul uint8 out_zp 256", B_MATMUL, { MM(out_zp, 256) }, 0, NPU_ERR_FIELD },
	{ "matmul uint8 act_min -1", B_MATMUL, { MM(act_min, -1) }, 0, NPU_ERR_FIELD },
	{ "matmul act_min > act_max", B_MATMUL, { MM(act_min, 200), MM(act_max, 100) }, 0,
	  NPU_ERR_FIELD },
	{ "matmul per-channel", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL), MM(quant.multiplier, 0),
	    MM(quant.shift, 0), MM(quant_addr, 0x200) }, 0, NPU_OK },
	{ "matmul per-channel with quant", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL), MM(quant.shift, 0),
	    MM(quant_addr, 0x200) }, 0, NPU_ERR_FIELD },
	{ "matmul per-channel with shift", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL), MM(quant.multiplier, 0),
	    MM(quant_addr, 0x200) }, 0, NPU_ERR_FIELD },
	{ "matmul per-channel misaligned", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL), MM(quant.multiplier, 0),
	    MM(quant.shift, 0), MM(quant_addr, 0x201) }, 0, NPU_ERR_FIELD },
	{ "matmul per-tensor with quant_addr", B_MATMUL, { MM(quant_addr, 0x200) }, 0,
	  NPU_ERR_FIELD },
	{ "matmul multiplier -1", B_MATMUL, { MM(quant.multiplier, -1) }, 0, NPU_ERR_FIELD },
	{ "matmul shift 31", B_MATMUL, { MM(quant.shift, 31) }, 0, NPU_ERR_FIELD },
	{ "matmul shift -32", B_MATMUL, { MM(quant.shift, -32) }, 0, NPU_ERR_FIELD },
	{ "matmul bias misaligned", B_MATMUL, { MM(bias_addr, 0xc1) }, 0, NPU_ERR_FIELD },
	{ "matmul bias_addr without BIAS", B_MATMUL, { MM(flags, NPU_F_OUT_U8) }, 0,
	  NPU_ERR_FIELD },
	{ "matmul no bias", B_MATMUL, { MM(flags, NPU_F_OUT_U8), MM(bias_addr, 0) }, 0, NPU_OK },
	{ "matmul in past sram", B_MATMUL, { MM(in_addr, SRAM - 63) }, 0, NPU_ERR_SRAM_RANGE },
	{ "matmul in past 4 GiB", B_MATMUL, { MM(in_addr, 0xffffffc1u) }, 0, NPU_ERR_OVERFLOW },
	{ "matmul wt past sram", B_MATMUL, { MM(wt_addr, SRAM - 127) }, 0, NPU_ERR_SRAM_RANGE },
	{ "matmul wt past 4 GiB", B_MATMUL, { MM(wt_addr, 0xffffff81u) }, 0, NPU_ERR_OVERFLOW },
	{ "matmul bias past sram", B_MATMUL, { MM(bias_addr, SRAM - 28) }, 0,
	  NPU_ERR_SRAM_RANGE },
	{ "matmul quant past sram", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL), MM(quant.multiplier, 0),
	    MM(quant.shift, 0), MM(quant_addr, SRAM - 60) }, 0, NPU_ERR_SRAM_RANGE },
	{ "matmul quant past 4 GiB", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL), MM(quant.multiplier, 0),
	    MM(quant.shift, 0), MM(quant_addr, 0xfffffff8u) }, 0, NPU_ERR_OVERFLOW },
	{ "matmul out past sram", B_MATMUL, { MM(out_addr, SRAM - 31) }, 0, NPU_ERR_SRAM_RANGE },
	{ "matmul out past 4 GiB", B_MATMUL, { MM(out_addr, 0xffffffe1u) }, 0, NPU_ERR_OVERFLOW },
	/* 65535 * 65535 bytes fit in 32 bits but not in the SRAM */
	{ "matmul huge in", B_MATMUL, { MM(m, 65535), MM(k, 65535) }, 0, NPU_ERR_SRAM_RANGE },
	{ "matmul out == in", B_MATMUL, { MM(out_addr, 0) }, 0, NPU_ERR_FIELD },
	{ "matmul out overlaps wt", B_MATMUL, { MM(out_addr, 0xa0) }, 0, NPU_ERR_FIELD },
	{ "matmul out overlaps bias", B_MATMUL, { MM(out_addr, 0xdf) }, 0, NPU_ERR_FIELD },
	{ "matmul out overlaps quant", B_MATMUL,
	  { MM(flags, NPU_F_BIAS | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL), MM(quant.multiplier, 0),
	    MM(quant.shift, 0), MM(quant_addr, 0xe0) }, 0, NPU_ERR_FIELD },

	/* POOL: flags and common fields */
	{ "pool max COUNT_PAD", B_POOL_MAX, { POOL(flags, NPU_F_IN_U8 | NPU_F_COUNT_PAD) }, 0,
	  NPU_ERR_FIELD },
	{ "pool global COUNT_PAD", B_POOL_GLOBAL, { POOL(flags, NPU_F_IN_U8 | NPU_F_COUNT_PAD) },
	  0, NPU_ERR_FIELD },
	{ "pool avg no COUNT_PAD", B_POOL_AVG, { POOL(flags, NPU_F_IN_U8) }, 0, NPU_OK },
	{ "pool flag PER_CHANNEL", B_POOL_AVG, { POOL(flags, NPU_F_IN_U8 | NPU_F_PER_CHANNEL) },
	  0, NPU_ERR_FIELD },
	{ "pool flag BIAS", B_POOL_MAX, { POOL(flags, NPU_F_IN_U8 | NPU_F_BIAS) }, 0,
	  NPU_ERR_FIELD },
	{ "pool flag B_U8", B_POOL_MAX, { POOL(flags, NPU_F_IN_U8 | NPU_F_B_U8) }, 0,
	  NPU_ERR_FIELD },
	{ "pool reserved", B_POOL_MAX, { POOL(reserved, 1) }, 0, NPU_ERR_FIELD },
	{ "pool in_h 0", B_POOL_MAX, { POOL(in_h, 0), POOL(kernel_h, 2), POOL(out_h, 1) }, 0,
	  NPU_ERR_FIELD },
	{ "pool in_w 0", B_POOL_GLOBAL, { POOL(in_w, 0) }, 0, NPU_ERR_FIELD },
	{ "pool channels 0", B_POOL_AVG, { POOL(channels, 0) }, 0, NPU_ERR_FIELD },
	{ "pool mode 3", B_POOL_MAX, { POOL(mode, 3) }, 0, NPU_ERR_FIELD },
	{ "pool mode 0x80000000", B_POOL_MAX, { POOL(mode, 0x80000000u) }, 0, NPU_ERR_FIELD },

	/* POOL: GLOBAL_AVG fields */
	{ "global kernel_h", B_POOL_GLOBAL, { POOL(kernel_h, 1) }, 0, NPU_ERR_FIELD },
	{ "global kernel_w", B_POOL_GLOBAL, { POOL(kernel_w, 1) }, 0, NPU_ERR_FIELD },
	{ "global stride_h", B_POOL_GLOBAL, { POOL(stride_h, 1) }, 0, NPU_ERR_FIELD },
	{ "global stride_w", B_POOL_GLOBAL, { POOL(stride_w, 1) }, 0, NPU_ERR_FIELD },
	{ "global pad_top", B_POOL_GLOBAL, { POOL(pad_top, 1) }, 0, NPU_ERR_FIELD },
	{ "global pad_bottom", B_POOL_GLOBAL, { POOL(pad_bottom, 1) }, 0, NPU_ERR_FIELD },
	{ "global pad_left", B_POOL_GLOBAL, { POOL(pad_left, 1) }, 0, NPU_ERR_FIELD },
	{ "global pad_right", B_POOL_GLOBAL, { POOL(pad_right, 1) }, 0, NPU_ERR_FIELD },
	{ "global out_h 2", B_POOL_GLOBAL, { POOL(out_h, 2) }, 0, NPU_ERR_FIELD },
	{ "global out_w 0", B_POOL_GLOBAL, { POOL(out_w, 0) }, 0, NPU_ERR_FIELD },
	{ "global area 2^23", B_POOL_GLOBAL,
	  { POOL(in_h, 4096), POOL(in_w, 2048), POOL(channels, 1), POOL(out_addr, 0x800000) },
	  0x1000000, NPU_OK },
	{ "global area 2^23 + 4096", B_POOL_GLOBAL,
	  { POOL(in_h, 4096), POOL(in_w, 2049), POOL(channels, 1), POOL(out_addr, 0x900000) },
	  0x1000000, NPU_ERR_FIELD },

	/* POOL: MAX/AVG window fields */
	/* Out of range, with everything else consistent: (6 - 0) / 2 + 1 = 4 */
	{ "pool kernel_h 0", B_POOL_MAX,
	  { POOL(kernel_h, 0), POOL(pad_top, 0), POOL(pad_bottom, 0), POOL(out_h, 4) }, 0,
	  NPU_ERR_FIELD },
	{ "pool kernel_h 17", B_POOL_MAX,
	  { POOL(kernel_h, 17), POOL(in_h, 16), POOL(out_h, 1), POOL(out_addr, 0x200) }, 0,
	  NPU_ERR_FIELD },
	{ "pool kernel_w 0", B_POOL_AVG,
	  { POOL(kernel_w, 0), POOL(pad_left, 0), POOL(pad_right, 0), POOL(out_w, 4) }, 0,
	  NPU_ERR_FIELD },
	{ "pool kernel_w 17", B_POOL_AVG,
	  { POOL(kernel_w, 17), POOL(in_w, 16), POOL(out_w, 1), POOL(out_addr, 0x200) }, 0,
	  NPU_ERR_FIELD },
	{ "pool stride_h 0", B_POOL_MAX, { POOL(stride_h, 0) }, 0, NPU_ERR_FIELD },
	{ "pool stride_h 17", B_POOL_MAX, { POOL(stride_h, 17), POOL(out_h, 1) }, 0,
	  NPU_ERR_FIELD },
	{ "pool stride_h 16", B_POOL_MAX, { POOL(stride_h, 16), POOL(out_h, 1) }, 0, NPU_OK },
	{ "pool stride_w 0", B_POOL_AVG, { POOL(stride_w, 0) }, 0, NPU_ERR_FIELD },
	{ "pool stride_w 17", B_POOL_AVG, { POOL(stride_w, 17), POOL(out_w, 1) }, 0,
	  NPU_ERR_FIELD },
	/* (16 + 2 - 16) / 16 + 1 = 1 */
	{ "pool kernel 16 stride 16", B_POOL_MAX,
	  { POOL(in_h, 16), POOL(in_w, 16), POOL(kernel_h, 16), POOL(kernel_w, 16),
	    POOL(stride_h, 16), POOL(stride_w, 16), POOL(out_h, 1), POOL(out_w, 1),
	    POOL(out_addr, 0x400) }, 0, NPU_OK },
	{ "pool window taller than padded input", B_POOL_MAX,
	  { POOL(kernel_h, 9) }, 0, NPU_ERR_FIELD },
	/* (1 + 0 + 1 - 3) wraps, / 1 + 1 wraps again to a matching out_h 0 */
	{ "pool window taller, out_h 0", B_POOL_MAX,
	  { POOL(in_h, 1), POOL(pad_top, 0), POOL(stride_h, 1), POOL(out_h, 0) }, 0,
	  NPU_ERR_FIELD },
	{ "pool window wider, out_w 0", B_POOL_AVG,
	  { POOL(in_w, 1), POOL(pad_left, 0), POOL(stride_w, 1), POOL(out_w, 0) }, 0,
	  NPU_ERR_FIELD },
	/* (6 + 3 + 1 - 3) / 2 + 1 = 4: consistent but for the all-padding window */
	{ "pool pad_top == kernel_h", B_POOL_MAX, { POOL(pad_top, 3), POOL(out_h, 4) }, 0,
	  NPU_ERR_FIELD },
	{ "pool pad_bottom == kernel_h", B_POOL_AVG, { POOL(pad_bottom, 3), POOL(out_h, 4) }, 0,
	  NPU_ERR_FIELD },
	{ "pool pad_left == kernel_w", B_POOL_MAX, { POOL(pad_left, 3), POOL(out_w, 4) }, 0,
	  NPU_ERR_FIELD },
	{ "pool pad_right == kernel_w", B_POOL_AVG, { POOL(pad_right, 3), POOL(out_w, 4) }, 0,
	  NPU_ERR_FIELD },
	/* (6 + 2 + 2 - 3) / 2 + 1 = 4 */
	{ "pool pad 2 < kernel 3", B_POOL_MAX,
	  { POOL(pad_top, 2), POOL(pad_bottom, 2), POOL(out_h, 4) }, 0, NPU_OK },
	{ "pool out_h + 1", B_POOL_MAX, { POOL(out_h, 4) }, 0, NPU_ERR_FIELD },
	{ "pool out_w - 1", B_POOL_AVG, { POOL(out_w, 2) }, 0, NPU_ERR_FIELD },
	{ "pool uint8 in_zp 256", B_POOL_MAX, { POOL(in_zp, 256) }, 0, NPU_ERR_FIELD },
	{ "pool int8 in_zp 128", B_POOL_MAX, { POOL(flags, 0) }, 0, NPU_ERR_FIELD },
	{ "pool int8 in_zp -128", B_POOL_MAX, { POOL(flags, 0), POOL(in_zp, -128) }, 0, NPU_OK },
	{ "pool int8 out_zp -129", B_POOL_AVG, { POOL(out_zp, -129) }, 0, NPU_ERR_FIELD },
	{ "pool uint8 out_zp -2", B_POOL_AVG,
	  { POOL(flags, NPU_F_IN_U8 | NPU_F_OUT_U8 | NPU_F_COUNT_PAD), POOL(act_min, 0) }, 0,
	  NPU_ERR_FIELD },
	{ "pool act_min > act_max", B_POOL_GLOBAL, { POOL(act_min, 1), POOL(act_max, 0) }, 0,
	  NPU_ERR_FIELD },
	{ "pool act_max 128", B_POOL_GLOBAL, { POOL(act_max, 128) }, 0, NPU_ERR_FIELD },
	{ "pool multiplier -1", B_POOL_MAX, { POOL(quant.multiplier, -1) }, 0, NPU_ERR_FIELD },
	{ "pool shift -32", B_POOL_AVG, { POOL(quant.shift, -32) }, 0, NPU_ERR_FIELD },
	{ "pool shift 31", B_POOL_GLOBAL, { POOL(quant.shift, 31) }, 0, NPU_ERR_FIELD },
	{ "pool in past sram", B_POOL_MAX, { POOL(in_addr, SRAM - 143) }, 0, NPU_ERR_SRAM_RANGE },
	{ "pool in past 4 GiB", B_POOL_MAX, { POOL(in_addr, 0xffffff71u) }, 0, NPU_ERR_OVERFLOW },
	{ "pool out past sram", B_POOL_MAX, { POOL(out_addr, SRAM - 35) }, 0, NPU_ERR_SRAM_RANGE },
	{ "pool out ends at sram end", B_POOL_MAX, { POOL(out_addr, SRAM - 36) }, 0, NPU_OK },
	{ "global out past sram", B_POOL_GLOBAL, { POOL(out_addr, SRAM - 3) }, 0,
	  NPU_ERR_SRAM_RANGE },
	{ "pool out overlaps in", B_POOL_MAX, { POOL(out_addr, 0x80) }, 0, NPU_ERR_FIELD },
	{ "pool out == in", B_POOL_GLOBAL, { POOL(out_addr, 0) }, 0, NPU_ERR_FIELD },
	{ "pool out right after in", B_POOL_MAX, { POOL(out_addr, 144) }, 0, NPU_OK },

	/* ELTWISE */
	{ "eltwise flag PER_CHANNEL", B_ADD, { ELT(flags, NPU_F_PER_CHANNEL) }, 0, NPU_ERR_FIELD },
	{ "eltwise flag BIAS", B_ADD, { ELT(flags, NPU_F_BIAS) }, 0, NPU_ERR_FIELD },
	{ "eltwise flag COUNT_PAD", B_MUL, { ELT(flags, NPU_F_COUNT_PAD) }, 0, NPU_ERR_FIELD },
	{ "eltwise reserved", B_ADD, { ELT(reserved, 1) }, 0, NPU_ERR_FIELD },
	{ "eltwise count 0", B_ADD, { ELT(count, 0) }, 0, NPU_ERR_FIELD },
	{ "eltwise channels without broadcast", B_ADD, { ELT(channels, 8) }, 0, NPU_ERR_FIELD },
	{ "eltwise broadcast", B_ADD, { ELT(flags, NPU_F_B_BROADCAST), ELT(channels, 8) }, 0,
	  NPU_OK },
	{ "eltwise broadcast channels 0", B_ADD, { ELT(flags, NPU_F_B_BROADCAST) }, 0,
	  NPU_ERR_FIELD },
	{ "eltwise broadcast count % channels", B_MUL,
	  { ELT(flags, NPU_F_B_BROADCAST), ELT(channels, 7) }, 0, NPU_ERR_FIELD },
	{ "eltwise broadcast channels == count", B_MUL,
	  { ELT(flags, NPU_F_B_BROADCAST), ELT(channels, 64) }, 0, NPU_OK },
	{ "eltwise op 2", B_MUL, { ELT(op, 2) }, 0, NPU_ERR_FIELD },
	{ "add left_shift -1", B_ADD, { ELT(left_shift, -1) }, 0, NPU_ERR_FIELD },
	{ "add left_shift 21", B_ADD, { ELT(left_shift, 21) }, 0, NPU_ERR_FIELD },
	{ "add left_shift 20", B_ADD, { ELT(left_shift, 20) }, 0, NPU_OK },
	{ "add left_shift 0", B_ADD, { ELT(left_shift, 0) }, 0, NPU_OK },
	{ "add a multiplier -1", B_ADD, { ELT(a_quant.multiplier, -1) }, 0, NPU_ERR_FIELD },
	{ "add a shift 31", B_ADD, { ELT(a_quant.shift, 31) }, 0, NPU_ERR_FIELD },
	{ "add b multiplier INT32_MIN", B_ADD, { ELT(b_quant.multiplier, INT32_MIN) }, 0,
	  NPU_ERR_FIELD },
	{ "add b shift -32", B_ADD, { ELT(b_quant.shift, -32) }, 0, NPU_ERR_FIELD },
	{ "mul left_shift 1", B_MUL, { ELT(left_shift, 1) }, 0, NPU_ERR_FIELD },
	{ "mul a multiplier", B_MUL, { ELT(a_quant.multiplier, 1) }, 0, NPU_ERR_FIELD },
	{ "mul a shift", B_MUL, { ELT(a_quant.shift, -1) }, 0, NPU_ERR_FIELD },
	{ "mul b multiplier", B_MUL, { ELT(b_quant.multiplier, QUANT_1X) }, 0, NPU_ERR_FIELD },
	{ "mul b shift", B_MUL, { ELT(b_quant.shift, 1) }, 0, NPU_ERR_FIELD },
	{ "eltwise int8 a_zp 128", B_ADD, { ELT(a_zp, 128) }, 0, NPU_ERR_FIELD },
	{ "eltwise uint8 a_zp 1", B_ADD, { ELT(flags, NPU_F_IN_U8) }, 0, NPU_OK },
	{ "eltwise uint8 a_zp -1", B_ADD, { ELT(flags, NPU_F_IN_U8), ELT(a_zp, -1) }, 0,
	  NPU_ERR_FIELD },
	{ "eltwise uint8 b_zp -1", B_MUL, { ELT(flags, NPU_F_B_U8) }, 0, NPU_ERR_FIELD },
	{ "eltwise uint8 b_zp 255", B_MUL, { ELT(flags, NPU_F_B_U8), ELT(b_zp, 255) }, 0, NPU_OK },
	{ "eltwise int8 b_zp -129", B_MUL, { ELT(b_zp, -129) }, 0, NPU_ERR_FIELD },
	{ "eltwise int8 out_zp 128", B_ADD, { ELT(out_zp, 128) }, 0, NPU_ERR_FIELD },
	{ "eltwise uint8 act_min -128", B_ADD, { ELT(flags, NPU_F_OUT_U8) }, 0, NPU_ERR_FIELD },
	{ "eltwise uint8 out", B_ADD,
	  { ELT(flags, NPU_F_OUT_U8), ELT(act_min, 0), ELT(act_max, 255) }, 0, NPU_OK },
	{ "eltwise act_min > act_max", B_MUL, { ELT(act_min, 0), ELT(act_max, -1) }, 0,
	  NPU_ERR_FIELD },
	{ "eltwise out multiplier -1", B_MUL, { ELT(out_quant.multiplier, -1) }, 0,
	  NPU_ERR_FIELD },
	{ "eltwise out shift 31", B_ADD, { ELT(out_quant.shift, 31) }, 0, NPU_ERR_FIELD },
	{ "eltwise a past sram", B_ADD, { ELT(a_addr, SRAM - 63) }, 0, NPU_ERR_SRAM_RANGE },
	{ "eltwise a past 4 GiB", B_ADD, { ELT(a_addr, 0xffffffc1u) }, 0, NPU_ERR_OVERFLOW },
	{ "eltwise b past sram", B_ADD, { ELT(b_addr, SRAM - 63) }, 0, NPU_ERR_SRAM_RANGE },
	{ "eltwise broadcast b is channels long", B_ADD,
	  { ELT(flags, NPU_F_B_BROADCAST), ELT(channels, 8), ELT(b_addr, SRAM - 8) }, 0,
	  NPU_OK },
	{ "eltwise broadcast b past sram", B_ADD,
	  { ELT(flags, NPU_F_B_BROADCAST), ELT(channels, 8), ELT(b_addr, SRAM - 7) }, 0,
	  NPU_ERR_SRAM_RANGE },
	{ "eltwise out past sram", B_MUL, { ELT(out_addr, SRAM - 63) }, 0, NPU_ERR_SRAM_RANGE },
	{ "eltwise out past 4 GiB", B_MUL, { ELT(out_addr, 0xffffffffu) }, 0, NPU_ERR_OVERFLOW },
	{ "eltwise huge count", B_ADD, { ELT(count, 0xffffffffu) }, 0, NPU_ERR_SRAM_RANGE },
	{ "eltwise out == a", B_ADD, { ELT(out_addr, 0x00) }, 0, NPU_OK },
	{ "eltwise out == b", B_ADD, { ELT(out_addr, 0x40) }, 0, NPU_OK },
	{ "eltwise out == a == b", B_MUL, { ELT(out_addr, 0), ELT(b_addr, 0) }, 0, NPU_OK },
	{ "eltwise out overlaps a", B_ADD, { ELT(out_addr, 0x3f), ELT(b_addr, 0x100) }, 0,
	  NPU_ERR_FIELD },
	{ "eltwise out overlaps b", B_MUL, { ELT(out_addr, 0x41) }, 0, NPU_ERR_FIELD },
	{ "eltwise broadcast out == b", B_ADD,
	  { ELT(flags, NPU_F_B_BROADCAST), ELT(channels, 64), ELT(out_addr, 0x40) }, 0,
	  NPU_ERR_FIELD },
	{ "eltwise broadcast out == a", B_ADD,
	  { ELT(flags, NPU_F_B_BROADCAST), ELT(channels, 8), ELT(out_addr, 0) }, 0, NPU_OK },

	/* LUT */
	{ "lut flag OUT_U8", B_LUT, { LUT(flags, NPU_F_OUT_U8) }, 0, NPU_ERR_FIELD },
	{ "lut flag B_U8", B_LUT, { LUT(flags, NPU_F_B_U8) }, 0, NPU_ERR_FIELD },
	{ "lut flag IN_U8", B_LUT, { LUT(flags, NPU_F_IN_U8) }, 0, NPU_OK },
	{ "lut count 0", B_LUT, { LUT(count, 0) }, 0, NPU_ERR_FIELD },
	{ "lut in past sram", B_LUT, { LUT(in_addr, SRAM - 99) }, 0, NPU_ERR_SRAM_RANGE },
	{ "lut in past 4 GiB", B_LUT, { LUT(in_addr, 0xffffff9du) }, 0, NPU_ERR_OVERFLOW },
	{ "lut table past sram", B_LUT, { LUT(table_addr, SRAM - 255) }, 0, NPU_ERR_SRAM_RANGE },
	{ "lut table ends at sram end", B_LUT, { LUT(table_addr, SRAM - 256) }, 0, NPU_OK },
	{ "lut table past 4 GiB", B_LUT, { LUT(table_addr, 0xffffff01u) }, 0, NPU_ERR_OVERFLOW },
	{ "lut out past sram", B_LUT, { LUT(out_addr, SRAM - 99) }, 0, NPU_ERR_SRAM_RANGE },
	{ "lut huge count", B_LUT, { LUT(count, 0x80000000u) }, 0, NPU_ERR_SRAM_RANGE },
	{ "lut out == in", B_LUT, { LUT(out_addr, 0) }, 0, NPU_OK },
	{ "lut out overlaps in", B_LUT, { LUT(out_addr, 1) }, 0, NPU_ERR_FIELD },
	{ "lut out overlaps table", B_LUT, { LUT(out_addr, 0x1ff) }, 0, NPU_ERR_FIELD },
	{ "lut out == table", B_LUT, { LUT(out_addr, 0x100), LUT(count, 256) }, 0,
	  NPU_ERR_FIELD },
	{ "lut in overlaps table", B_LUT, { LUT(in_addr, 0x180) }, 0, NPU_OK },
};

static void apply_edits(uint32_t *w, const struct edit *edits)
{
	for (int i = 0; i < MAX_EDITS && edits[i].size; i++) {
		uint64_t v = (uint64_t)edits[i].value;
		uint8_t bytes[8];

		/* Little-endian, as the command stream is. */
		for (int b = 0; b < 8; b++)
			bytes[b] = (uint8_t)(v >> (8 * b));
		memcpy((uint8_t *)w + edits[i].offset, bytes, edits[i].size);
	}
}

TEST(cmd_check_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct check_case *c = &cases[i];
		uint32_t w[NPU_CMD_MAX_WORDS];
		struct npu_cmd_info info;
		uint32_t words = build_base(c->base, w);
		enum npu_err err;

		apply_edits(w, c->edits);
		err = npu_cmd_check(w, words, c->sram_size ? c->sram_size : SRAM, &info);
		/* Report every failing case, not just the first. */
		if (err != c->expect)
			harness_fail(__FILE__, __LINE__, "case \"%s\": got %d, expected %d",
				     c->name, err, c->expect);
	}
}

/* A case whose expectation is OK must stay OK with any amount of stream after it. */
TEST(cmd_check_table_ok_cases_ignore_trailing_words)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct check_case *c = &cases[i];
		uint32_t w[NPU_CMD_MAX_WORDS + 4];
		struct npu_cmd_info info;
		uint32_t words;

		if (c->expect != NPU_OK)
			continue;
		words = build_base(c->base, w);
		apply_edits(w, c->edits);
		if (npu_cmd_check(w, words + 4, c->sram_size ? c->sram_size : SRAM,
				  &info) != NPU_OK || info.words != words)
			harness_fail(__FILE__, __LINE__, "case \"%s\"", c->name);
	}
}

/* At the end of a stream there is no header to read (ASan would see it read). */
TEST(cmd_check_empty_stream)
{
	uint32_t w[1] = { NPU_CMD_HDR(NPU_OP_NOP, 1) };
	struct npu_cmd_info info;

	CHECK_EQ(npu_cmd_check(w + 1, 0, SRAM, &info), NPU_ERR_LENGTH);
	CHECK_EQ(npu_cmd_check(w, 0, SRAM, &info), NPU_ERR_LENGTH);
}

/* A command cut by the end of the stream, for every opcode and cut. */
TEST(cmd_check_truncated)
{
	static const enum base bases[] = {
		B_SYNC, B_LOAD, B_STORE, B_CONV, B_MATMUL, B_POOL_MAX, B_ADD, B_LUT,
	};

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint32_t w[NPU_CMD_MAX_WORDS];
		struct npu_cmd_info info;
		uint32_t words = build_base(bases[i], w);

		for (uint32_t avail = 1; avail < words; avail++)
			CHECK_MSG(npu_cmd_check(w, avail, SRAM, &info) == NPU_ERR_LENGTH,
				  "base %d avail %u", bases[i], avail);
		CHECK_EQ(npu_cmd_check(w, words, SRAM, &info), NPU_OK);
	}
}

TEST(cmd_check_words_per_opcode)
{
	CHECK_EQ(npu_cmd_words(NPU_OP_NOP), 1);
	CHECK_EQ(npu_cmd_words(NPU_OP_SYNC), 2);
	CHECK_EQ(npu_cmd_words(NPU_OP_DMA_LOAD), 15);
	CHECK_EQ(npu_cmd_words(NPU_OP_DMA_STORE), 15);
	CHECK_EQ(npu_cmd_words(NPU_OP_CONV), 18);
	CHECK_EQ(npu_cmd_words(NPU_OP_MATMUL), 14);
	CHECK_EQ(npu_cmd_words(NPU_OP_POOL), 14);
	CHECK_EQ(npu_cmd_words(NPU_OP_ELTWISE), 18);
	CHECK_EQ(npu_cmd_words(NPU_OP_LUT), 6);
	for (uint32_t op = 0; op < 0x100; op++) {
		uint32_t words = npu_cmd_words(op);

		CHECK(words <= NPU_CMD_MAX_WORDS);
		if (op != NPU_OP_NOP && op != NPU_OP_SYNC && op != NPU_OP_DMA_LOAD &&
		    op != NPU_OP_DMA_STORE && op != NPU_OP_CONV && op != NPU_OP_MATMUL &&
		    op != NPU_OP_POOL && op != NPU_OP_ELTWISE && op != NPU_OP_LUT)
			CHECK_EQ(words, 0);
	}
	/* The opcode is bits 7:0 only: bits above it are the size. */
	CHECK_EQ(npu_cmd_words(0x100 | NPU_OP_SYNC), 0);
}

/* Every unknown opcode is refused as such, whatever its size field says. */
TEST(cmd_check_every_unknown_opcode)
{
	for (uint32_t op = 0; op < 0x100; op++) {
		uint32_t w[NPU_CMD_MAX_WORDS] = { 0 };
		struct npu_cmd_info info;

		if (npu_cmd_words(op))
			continue;
		for (uint32_t words = 0; words <= 2; words++) {
			w[0] = NPU_CMD_HDR(op, words);
			CHECK_EQ(npu_cmd_check(w, NPU_CMD_MAX_WORDS, SRAM, &info),
				 NPU_ERR_OPCODE);
		}
	}
}

TEST(cmd_check_info_nop_sync)
{
	uint32_t w[NPU_CMD_MAX_WORDS];
	struct npu_cmd_info info;

	memset(&info, 0xa5, sizeof(info));
	build_base(B_NOP, w);
	CHECK_EQ(npu_cmd_check(w, 1, SRAM, &info), NPU_OK);
	CHECK_EQ(info.opcode, NPU_OP_NOP);
	CHECK_EQ(info.words, 1);
	CHECK_EQ(info.engine, -1);
	for (int i = 0; i < NPU_CMD_MAX_READS; i++)
		CHECK_EQ(info.reads[i].len, 0);
	CHECK_EQ(info.write.len, 0);
	CHECK_EQ(info.dram_len, 0);

	memset(&info, 0xa5, sizeof(info));
	build_base(B_SYNC, w);
	CHECK_EQ(npu_cmd_check(w, 2, SRAM, &info), NPU_OK);
	CHECK_EQ(info.opcode, NPU_OP_SYNC);
	CHECK_EQ(info.words, 2);
	CHECK_EQ(info.engine, -1);
	CHECK_EQ(info.write.len, 0);
}

TEST(cmd_check_info_dma)
{
	uint32_t w[NPU_CMD_MAX_WORDS];
	struct npu_cmd_info info;

	build_base(B_LOAD, w);
	CHECK_EQ(npu_cmd_check(w, 15, SRAM, &info), NPU_OK);
	CHECK_EQ(info.opcode, NPU_OP_DMA_LOAD);
	CHECK_EQ(info.engine, NPU_ENGINE_DMA);
	/* LOAD writes the SRAM, padding included: 960 bytes from 0x100 */
	CHECK_EQ(info.write.addr, 0x100);
	CHECK_EQ(info.write.len, 960);
	CHECK_EQ(info.reads[0].len, 0);
	/* and reads 16 + 3*16 + 2*64 + 192 = 384 DRAM bytes */
	CHECK_EQ(info.dram_addr, 0x10000);
	CHECK_EQ(info.dram_len, 384);

	build_base(B_STORE, w);
	CHECK_EQ(npu_cmd_check(w, 15, SRAM, &info), NPU_OK);
	CHECK_EQ(info.opcode, NPU_OP_DMA_STORE);
	CHECK_EQ(info.engine, NPU_ENGINE_DMA);
	CHECK_EQ(info.reads[0].addr, 0x100);
	CHECK_EQ(info.reads[0].len, 384);
	CHECK_EQ(info.write.len, 0);
	CHECK_EQ(info.dram_addr, 0x10000);
	CHECK_EQ(info.dram_len, 384);
}

TEST(cmd_check_info_conv_matmul)
{
	uint32_t w[NPU_CMD_MAX_WORDS];
	struct npu_cmd_info info;
	struct npu_cmd_conv *conv = (struct npu_cmd_conv *)w;
	struct npu_cmd_matmul *mm = (struct npu_cmd_matmul *)w;

	build_base(B_CONV, w);
	CHECK_EQ(npu_cmd_check(w, 18, SRAM, &info), NPU_OK);
	CHECK_EQ(info.engine, NPU_ENGINE_MAC);
	CHECK_EQ(info.reads[0].addr, 0);
	CHECK_EQ(info.reads[0].len, 256);
	CHECK_EQ(info.reads[1].addr, 0x100);
	CHECK_EQ(info.reads[1].len, 288);
	CHECK_EQ(info.reads[2].addr, 0x240);
	CHECK_EQ(info.reads[2].len, 32);
	CHECK_EQ(info.reads[3].len, 0);
	CHECK_EQ(info.write.addr, 0x400);
	CHECK_EQ(info.write.len, 512);
	CHECK_EQ(info.dram_len, 0);

	conv->flags = NPU_F_PER_CHANNEL;
	conv->bias_addr = 0;
	conv->quant = (struct npu_quant){ 0, 0 };
	conv->quant_addr = 0x300;
	CHECK_EQ(npu_cmd_check(w, 18, SRAM, &info), NPU_OK);
	CHECK_EQ(info.reads[2].len, 0);
	CHECK_EQ(info.reads[3].addr, 0x300);
	CHECK_EQ(info.reads[3].len, 64);

	build_base(B_MATMUL, w);
	mm->flags |= NPU_F_PER_CHANNEL;
	mm->quant = (struct npu_quant){ 0, 0 };
	mm->quant_addr = 0x200;
	CHECK_EQ(npu_cmd_check(w, 14, SRAM, &info), NPU_OK);
	CHECK_EQ(info.engine, NPU_ENGINE_MAC);
	CHECK_EQ(info.reads[0].len, 64);
	CHECK_EQ(info.reads[1].addr, 0x40);
	CHECK_EQ(info.reads[1].len, 128);
	CHECK_EQ(info.reads[2].addr, 0xc0);
	CHECK_EQ(info.reads[2].len, 32);
	CHECK_EQ(info.reads[3].addr, 0x200);
	CHECK_EQ(info.reads[3].len, 64);
	CHECK_EQ(info.write.addr, 0x100);
	CHECK_EQ(info.write.len, 32);
}

TEST(cmd_check_info_ppu)
{
	uint32_t w[NPU_CMD_MAX_WORDS];
	struct npu_cmd_info info;
	struct npu_cmd_eltwise *elt = (struct npu_cmd_eltwise *)w;

	build_base(B_POOL_MAX, w);
	CHECK_EQ(npu_cmd_check(w, 14, SRAM, &info), NPU_OK);
	CHECK_EQ(info.engine, NPU_ENGINE_PPU);
	CHECK_EQ(info.reads[0].len, 144);
	CHECK_EQ(info.reads[1].len, 0);
	CHECK_EQ(info.write.addr, 0x100);
	CHECK_EQ(info.write.len, 36);

	build_base(B_POOL_GLOBAL, w);
	CHECK_EQ(npu_cmd_check(w, 14, SRAM, &info), NPU_OK);
	CHECK_EQ(info.write.len, 4);

	build_base(B_ADD, w);
	elt->flags = NPU_F_B_BROADCAST;
	elt->channels = 16;
	CHECK_EQ(npu_cmd_check(w, 18, SRAM, &info), NPU_OK);
	CHECK_EQ(info.engine, NPU_ENGINE_PPU);
	CHECK_EQ(info.reads[0].addr, 0);
	CHECK_EQ(info.reads[0].len, 64);
	CHECK_EQ(info.reads[1].addr, 0x40);
	CHECK_EQ(info.reads[1].len, 16);
	CHECK_EQ(info.write.addr, 0x80);
	CHECK_EQ(info.write.len, 64);

	build_base(B_LUT, w);
	CHECK_EQ(npu_cmd_check(w, 6, SRAM, &info), NPU_OK);
	CHECK_EQ(info.engine, NPU_ENGINE_PPU);
	CHECK_EQ(info.reads[0].len, 100);
	CHECK_EQ(info.reads[1].addr, 0x100);
	CHECK_EQ(info.reads[1].len, 256);
	CHECK_EQ(info.write.addr, 0x200);
	CHECK_EQ(info.write.len, 100);
}

/* A valid command's info does not depend on what a previous check left in it. */
TEST(cmd_check_info_cleared)
{
	uint32_t w[NPU_CMD_MAX_WORDS];
	struct npu_cmd_info info;

	build_base(B_CONV, w);
	CHECK_EQ(npu_cmd_check(w, 18, SRAM, &info), NPU_OK);
	build_base(B_LUT, w);
	CHECK_EQ(npu_cmd_check(w, 6, SRAM, &info), NPU_OK);
	CHECK_EQ(info.reads[2].len, 0);
	CHECK_EQ(info.reads[3].len, 0);
	build_base(B_NOP, w);
	CHECK_EQ(npu_cmd_check(w, 1, SRAM, &info), NPU_OK);
	CHECK_EQ(info.reads[0].len, 0);
	CHECK_EQ(info.write.len, 0);
}

TEST(cmd_check_quant_valid)
{
	static const struct {
		struct npu_quant q;
		int valid;
	} cases[] = {
		{ { 0, 0 }, 1 },
		{ { INT32_MAX, 30 }, 1 },
		{ { 1, -31 }, 1 },
		{ { -1, 0 }, 0 },
		{ { INT32_MIN, 0 }, 0 },
		{ { 1, 31 }, 0 },
		{ { 1, -32 }, 0 },
		{ { 1, INT32_MIN }, 0 },
		{ { 1, INT32_MAX }, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_MSG(!!npu_quant_valid(&cases[i].q) == cases[i].valid, "case %zu", i);
}
