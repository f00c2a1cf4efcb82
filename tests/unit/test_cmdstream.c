// SPDX-License-Identifier: MIT
/*
 * The command-stream encoder: the bytes it emits, what it refuses (and
 * that a refusal leaves the stream as it was), growth, reset, NULLs;
 * and npu_strerror().
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "npu/cmdstream.h"
#include "npu/error.h"
#include "npu_cmd.h"

#define SRAM	0x10000u

/* A valid 3x3 conv, 8x8x4 -> 8x8x8, pad 1, with bias. */
static struct npu_cmd_conv valid_conv(void)
{
	struct npu_cmd_conv c = {
		.flags = NPU_F_BIAS,
		.in_addr = 0x000, .wt_addr = 0x100, .bias_addr = 0x240, .out_addr = 0x400,
		.in_h = 8, .in_w = 8, .in_c = 4, .groups = 1,
		.out_h = 8, .out_w = 8, .out_c = 8,
		.kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
		.in_zp = -1, .out_zp = 2, .act_min = -128, .act_max = 127,
		.quant = { 0x40000000, -4 },
	};

	return c;
}

static struct npu_cmd_dma valid_dma(void)
{
	struct npu_cmd_dma d = {
		.dram_addr = 0x20000, .sram_addr = 0x800,
		.size = { 32, 4, 2, 1 },
		.dram_stride = { 32, 128, 256 },
		.sram_stride = { 32, 128, 256 },
	};

	return d;
}

/* The stream's bytes from `offset` equal `cmd` with its header set to `hdr`. */
static int emitted_as(const struct npu_cs *cs, size_t offset, const void *cmd, size_t bytes,
		      uint32_t hdr)
{
	const uint8_t *data = npu_cs_data(cs);
	uint8_t want[NPU_CMD_MAX_WORDS * 4];

	if (npu_cs_size(cs) < offset + bytes)
		return 0;
	memcpy(want, cmd, bytes);
	memcpy(want, &hdr, 4);
	return !memcmp(data + offset, want, bytes);
}

TEST(cs_create_empty)
{
	struct npu_cs *cs = NULL;

	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	CHECK(cs);
	CHECK_EQ(npu_cs_size(cs), 0);
	CHECK_EQ(npu_cs_count(cs), 0);
	CHECK_EQ(npu_cs_last_error(cs), NPU_OK);
	npu_cs_destroy(cs);
}

TEST(cs_null_arguments)
{
	struct npu_cs *cs;
	struct npu_cmd_dma dma = valid_dma();
	struct npu_cmd_conv conv = valid_conv();
	struct npu_cmd_matmul mm = { 0 };
	struct npu_cmd_pool pool = { 0 };
	struct npu_cmd_eltwise elt = { 0 };
	struct npu_cmd_lut lut = { 0 };

	CHECK_EQ(npu_cs_create(SRAM, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	npu_cs_destroy(cs);
	/* A zero-byte SRAM could hold no operand: refused, *out cleared. */
	CHECK_EQ(npu_cs_create(0, &cs), NPU_E_INVALID);
	CHECK(cs == NULL);

	CHECK_EQ(npu_cs_nop(NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_sync(NULL, NPU_ENGINE_ALL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_dma_load(NULL, &dma), NPU_E_INVALID);
	CHECK_EQ(npu_cs_dma_store(NULL, &dma), NPU_E_INVALID);
	CHECK_EQ(npu_cs_conv(NULL, &conv), NPU_E_INVALID);
	CHECK_EQ(npu_cs_matmul(NULL, &mm), NPU_E_INVALID);
	CHECK_EQ(npu_cs_pool(NULL, &pool), NPU_E_INVALID);
	CHECK_EQ(npu_cs_eltwise(NULL, &elt), NPU_E_INVALID);
	CHECK_EQ(npu_cs_lut(NULL, &lut), NPU_E_INVALID);
	CHECK(npu_cs_data(NULL) == NULL);
	CHECK_EQ(npu_cs_size(NULL), 0);
	CHECK_EQ(npu_cs_count(NULL), 0);
	CHECK_EQ(npu_cs_last_error(NULL), NPU_OK);
	npu_cs_reset(NULL);
	npu_cs_destroy(NULL);

	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	CHECK_EQ(npu_cs_dma_load(cs, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_dma_store(cs, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_conv(cs, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_matmul(cs, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_pool(cs, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_eltwise(cs, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_lut(cs, NULL), NPU_E_INVALID);
	CHECK_EQ(npu_cs_size(cs), 0);
	/* A NULL argument is not a refused command. */
	CHECK_EQ(npu_cs_last_error(cs), NPU_OK);
	npu_cs_destroy(cs);
}

TEST(cs_nop_and_sync_bytes)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x01, 0x00,		/* NOP, 1 word */
		0x01, 0x00, 0x02, 0x00,		/* SYNC, 2 words */
		0x05, 0x00, 0x00, 0x00,		/* DMA | PPU */
		0x01, 0x00, 0x02, 0x00,
		0x07, 0x00, 0x00, 0x00,
	};
	struct npu_cs *cs;

	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	CHECK_EQ(npu_cs_nop(cs), 0);
	CHECK_EQ(npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA) | NPU_ENGINE_BIT(NPU_ENGINE_PPU)),
		 0);
	CHECK_EQ(npu_cs_sync(cs, NPU_ENGINE_ALL), 0);
	CHECK_EQ(npu_cs_count(cs), 3);
	CHECK_EQ(npu_cs_size(cs), sizeof(want));
	CHECK(!memcmp(npu_cs_data(cs), want, sizeof(want)));
	npu_cs_destroy(cs);
}

/* Every emitter: header stamped (whatever the caller left in hdr), body copied. */
TEST(cs_every_command_bytes)
{
	struct npu_cs *cs;
	struct npu_cmd_dma load = valid_dma(), store = valid_dma();
	struct npu_cmd_conv conv = valid_conv();
	struct npu_cmd_matmul mm = {
		.hdr = 0xdeadbeef,
		.flags = NPU_F_IN_U8 | NPU_F_OUT_U8,
		.in_addr = 0x1000, .wt_addr = 0x1100, .out_addr = 0x1200,
		.m = 2, .k = 16, .n = 8,
		.in_zp = 128, .out_zp = 128, .act_min = 0, .act_max = 255,
		.quant = { 0x50000000, -7 },
	};
	struct npu_cmd_pool pool = {
		.hdr = NPU_CMD_HDR(NPU_OP_CONV, 18),
		.mode = NPU_POOL_GLOBAL_AVG,
		.in_addr = 0x2000, .out_addr = 0x2100,
		.in_h = 4, .in_w = 4, .channels = 8, .out_h = 1, .out_w = 1,
		.in_zp = 3, .out_zp = -3, .act_min = -128, .act_max = 127,
		.quant = { 0x40000000, 1 },
	};
	struct npu_cmd_eltwise elt = {
		.flags = NPU_F_B_BROADCAST,
		.op = NPU_ELTWISE_ADD,
		.a_addr = 0x3000, .b_addr = 0x3100, .out_addr = 0x3000,
		.count = 64, .channels = 16,
		.left_shift = 20, .act_min = -128, .act_max = 127,
		.a_quant = { 0x40000000, -20 }, .b_quant = { 0x7fffffff, -21 },
		.out_quant = { 0x40000000, 1 },
	};
	struct npu_cmd_lut lut = {
		.flags = NPU_F_IN_U8,
		.in_addr = 0x4000, .out_addr = 0x4000, .table_addr = 0x4100, .count = 200,
	};
	size_t at = 0;

	load.hdr = 0xffffffff;
	load.pad_top = 2;
	load.fill = 0x80;
	load.sram_stride[1] = 32 * 4;
	load.sram_stride[2] = 32 * 4 * 4;
	store.sram_addr = 0x900;
	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);

	CHECK_EQ(npu_cs_dma_load(cs, &load), 0);
	CHECK(emitted_as(cs, at, &load, sizeof(load), NPU_CMD_HDR(NPU_OP_DMA_LOAD, 15)));
	at += sizeof(load);
	CHECK_EQ(npu_cs_dma_store(cs, &store), 0);
	CHECK(emitted_as(cs, at, &store, sizeof(store), NPU_CMD_HDR(NPU_OP_DMA_STORE, 15)));
	at += sizeof(store);
	CHECK_EQ(npu_cs_conv(cs, &conv), 0);
	CHECK(emitted_as(cs, at, &conv, sizeof(conv), NPU_CMD_HDR(NPU_OP_CONV, 18)));
	at += sizeof(conv);
	CHECK_EQ(npu_cs_matmul(cs, &mm), 0);
	CHECK(emitted_as(cs, at, &mm, sizeof(mm), NPU_CMD_HDR(NPU_OP_MATMUL, 14)));
	at += sizeof(mm);
	CHECK_EQ(npu_cs_pool(cs, &pool), 0);
	CHECK(emitted_as(cs, at, &pool, sizeof(pool), NPU_CMD_HDR(NPU_OP_POOL, 14)));
	at += sizeof(pool);
	CHECK_EQ(npu_cs_eltwise(cs, &elt), 0);
	CHECK(emitted_as(cs, at, &elt, sizeof(elt), NPU_CMD_HDR(NPU_OP_ELTWISE, 18)));
	at += sizeof(elt);
	CHECK_EQ(npu_cs_lut(cs, &lut), 0);
	CHECK(emitted_as(cs, at, &lut, sizeof(lut), NPU_CMD_HDR(NPU_OP_LUT, 6)));
	at += sizeof(lut);

	CHECK_EQ(npu_cs_size(cs), at);
	CHECK_EQ(npu_cs_size(cs), 4 * (15 + 15 + 18 + 14 + 14 + 18 + 6));
	CHECK_EQ(npu_cs_count(cs), 7);
	/* The callers' structs are left alone. */
	CHECK_EQ(load.hdr, 0xffffffffu);
	CHECK_EQ(mm.hdr, 0xdeadbeefu);
	CHECK_EQ(conv.hdr, 0);
	npu_cs_destroy(cs);
}

/* The stream decodes back, command by command, with the device's own check. */
TEST(cs_stream_walks_with_cmd_check)
{
	static const uint32_t opcodes[] = {
		NPU_OP_DMA_LOAD, NPU_OP_SYNC, NPU_OP_CONV, NPU_OP_NOP, NPU_OP_SYNC,
		NPU_OP_DMA_STORE,
	};
	struct npu_cmd_dma load = valid_dma(), store = valid_dma();
	struct npu_cmd_conv conv = valid_conv();
	struct npu_cs *cs;
	const uint32_t *words;
	size_t nwords, at = 0, n = 0;

	store.sram_addr = conv.out_addr;
	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	CHECK_EQ(npu_cs_dma_load(cs, &load), 0);
	CHECK_EQ(npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
	CHECK_EQ(npu_cs_conv(cs, &conv), 0);
	CHECK_EQ(npu_cs_nop(cs), 0);
	CHECK_EQ(npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)), 0);
	CHECK_EQ(npu_cs_dma_store(cs, &store), 0);

	words = npu_cs_data(cs);
	nwords = npu_cs_size(cs) / 4;
	while (at < nwords) {
		struct npu_cmd_info info;

		CHECK_EQ(npu_cmd_check(words + at, (uint32_t)(nwords - at), SRAM, &info), NPU_OK);
		CHECK(n < sizeof(opcodes) / sizeof(opcodes[0]));
		CHECK_EQ(info.opcode, opcodes[n]);
		at += info.words;
		n++;
	}
	CHECK_EQ(at, nwords);
	CHECK_EQ(n, npu_cs_count(cs));
	npu_cs_destroy(cs);
}

/* A refused command leaves the stream byte for byte as it was. */
static int refused_unchanged(struct npu_cs *cs, int ret, enum npu_err why,
			     const uint8_t *before, size_t size, size_t count)
{
	return ret == NPU_E_COMMAND && npu_cs_last_error(cs) == why &&
	       npu_cs_size(cs) == size && npu_cs_count(cs) == count &&
	       !memcmp(npu_cs_data(cs), before, size);
}

TEST(cs_refuses_invalid_commands)
{
	struct npu_cs *cs;
	struct npu_cmd_conv conv = valid_conv();
	struct npu_cmd_dma dma = valid_dma();
	struct npu_cmd_lut lut = { .in_addr = 0, .out_addr = 0x100, .table_addr = 0x200,
				   .count = 16 };
	uint8_t before[4 * (1 + 18 + 2)];
	size_t size, count;

	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	CHECK_EQ(npu_cs_nop(cs), 0);
	CHECK_EQ(npu_cs_conv(cs, &conv), 0);
	CHECK_EQ(npu_cs_sync(cs, NPU_ENGINE_ALL), 0);
	size = npu_cs_size(cs);
	count = npu_cs_count(cs);
	CHECK_EQ(size, sizeof(before));
	memcpy(before, npu_cs_data(cs), size);

	/* FIELD: kernel 12 > NPU_CONV_MAX_KERNEL */
	conv.kernel_h = 12;
	CHECK(refused_unchanged(cs, npu_cs_conv(cs, &conv), NPU_ERR_FIELD, before, size, count));
	conv = valid_conv();

	/* FIELD: SYNC of no engine, or of an engine that does not exist */
	CHECK(refused_unchanged(cs, npu_cs_sync(cs, 0), NPU_ERR_FIELD, before, size, count));
	CHECK(refused_unchanged(cs, npu_cs_sync(cs, 1u << NPU_ENGINE_COUNT), NPU_ERR_FIELD,
				before, size, count));

	/* FIELD: the output overlaps the input */
	conv.out_addr = conv.in_addr;
	CHECK(refused_unchanged(cs, npu_cs_conv(cs, &conv), NPU_ERR_FIELD, before, size, count));
	conv = valid_conv();

	/* SRAM_RANGE: the output runs one byte past the SRAM */
	conv.out_addr = SRAM - 8 * 8 * 8 + 1;
	CHECK(refused_unchanged(cs, npu_cs_conv(cs, &conv), NPU_ERR_SRAM_RANGE, before, size,
				count));
	conv = valid_conv();
	lut.table_addr = SRAM - 255;
	CHECK(refused_unchanged(cs, npu_cs_lut(cs, &lut), NPU_ERR_SRAM_RANGE, before, size,
				count));

	/* OVERFLOW: strides whose extent does not fit in 32 bits */
	dma.size[3] = 2;
	dma.dram_stride[2] = 0xfffffff0u;
	CHECK(refused_unchanged(cs, npu_cs_dma_load(cs, &dma), NPU_ERR_OVERFLOW, before, size,
				count));
	dma = valid_dma();
	dma.size[3] = 3;
	dma.sram_stride[2] = 0x80000000u;
	CHECK(refused_unchanged(cs, npu_cs_dma_store(cs, &dma), NPU_ERR_OVERFLOW, before, size,
				count));
	dma = valid_dma();

	/* FIELD: a STORE cannot pad */
	dma.pad_left = 1;
	CHECK(refused_unchanged(cs, npu_cs_dma_store(cs, &dma), NPU_ERR_FIELD, before, size,
				count));

	/* The same struct is valid as a LOAD (padding is a LOAD feature). */
	dma.sram_stride[1] = 5 * 32;
	dma.sram_stride[2] = 5 * 32 * 2;
	CHECK_EQ(npu_cs_dma_load(cs, &dma), 0);
	CHECK_EQ(npu_cs_count(cs), count + 1);
	/* The last refusal is still reported after a success ... */
	CHECK_EQ(npu_cs_last_error(cs), NPU_ERR_FIELD);
	/* ... until a reset. */
	npu_cs_reset(cs);
	CHECK_EQ(npu_cs_last_error(cs), NPU_OK);
	npu_cs_destroy(cs);
}

/* The SRAM size given at creation is the one commands are checked against. */
TEST(cs_checks_against_its_sram_size)
{
	struct npu_cmd_lut lut = { .in_addr = 0, .out_addr = 0x100, .table_addr = 0x200,
				   .count = 0x100 };
	struct npu_cs *small, *big;

	CHECK_EQ(npu_cs_create(0x2ff, &small), 0);
	CHECK_EQ(npu_cs_create(0x300, &big), 0);
	CHECK_EQ(npu_cs_lut(small, &lut), NPU_E_COMMAND);
	CHECK_EQ(npu_cs_last_error(small), NPU_ERR_SRAM_RANGE);
	CHECK_EQ(npu_cs_lut(big, &lut), 0);
	CHECK_EQ(npu_cs_last_error(big), NPU_OK);
	npu_cs_destroy(small);
	npu_cs_destroy(big);
}

TEST(cs_grows_past_initial_capacity)
{
	struct npu_cs *cs;
	struct npu_cmd_conv conv = valid_conv();
	const int n = 2000;	/* 2000 * 72 bytes: many doublings */
	uint32_t nop = NPU_CMD_HDR(NPU_OP_NOP, 1);
	size_t at = 0;

	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	for (int i = 0; i < n; i++) {
		conv.out_zp = (int16_t)(i % 200 - 100);
		CHECK_EQ(npu_cs_conv(cs, &conv), 0);
		if (i % 7 == 0)
			CHECK_EQ(npu_cs_nop(cs), 0);
	}
	CHECK_EQ(npu_cs_count(cs), n + (n + 6) / 7);
	CHECK_EQ(npu_cs_size(cs), (size_t)n * sizeof(conv) + 4 * ((n + 6) / 7));

	/* Everything written before a reallocation survived it. */
	for (int i = 0; i < n; i++) {
		conv.out_zp = (int16_t)(i % 200 - 100);
		CHECK_MSG(emitted_as(cs, at, &conv, sizeof(conv), NPU_CMD_HDR(NPU_OP_CONV, 18)),
			  "conv %d", i);
		at += sizeof(conv);
		if (i % 7 == 0) {
			CHECK(emitted_as(cs, at, &nop, 4, nop));
			at += 4;
		}
	}
	CHECK_EQ(at, npu_cs_size(cs));
	npu_cs_destroy(cs);
}

TEST(cs_reset_keeps_working)
{
	struct npu_cs *cs;
	struct npu_cmd_conv conv = valid_conv();

	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(npu_cs_conv(cs, &conv), 0);
	npu_cs_reset(cs);
	CHECK_EQ(npu_cs_size(cs), 0);
	CHECK_EQ(npu_cs_count(cs), 0);
	CHECK_EQ(npu_cs_sync(cs, NPU_ENGINE_ALL), 0);
	CHECK_EQ(npu_cs_size(cs), 8);
	CHECK_EQ(npu_cs_count(cs), 1);
	CHECK(emitted_as(cs, 0, &(struct npu_cmd_sync){ 0, NPU_ENGINE_ALL }, 8,
			 NPU_CMD_HDR(NPU_OP_SYNC, 2)));
	npu_cs_destroy(cs);
}

/* The device fetches at most NPU_MAX_CMD_BYTES: the encoder stops there. */
TEST(cs_stops_at_device_stream_limit)
{
	struct npu_cs *cs;
	const size_t limit_words = NPU_MAX_CMD_BYTES / 4;
	size_t i;

	CHECK_EQ(npu_cs_create(SRAM, &cs), 0);
	for (i = 0; i < limit_words - 1; i++)
		if (npu_cs_nop(cs))
			break;
	CHECK_EQ(i, limit_words - 1);
	/* One word left: a SYNC (2 words) does not fit, a NOP does. */
	CHECK_EQ(npu_cs_sync(cs, NPU_ENGINE_ALL), NPU_E_NOMEM);
	CHECK_EQ(npu_cs_size(cs), NPU_MAX_CMD_BYTES - 4);
	CHECK_EQ(npu_cs_last_error(cs), NPU_OK);
	CHECK_EQ(npu_cs_nop(cs), 0);
	CHECK_EQ(npu_cs_size(cs), NPU_MAX_CMD_BYTES);
	CHECK_EQ(npu_cs_nop(cs), NPU_E_NOMEM);
	CHECK_EQ(npu_cs_count(cs), limit_words);
	/* An invalid command is still reported as invalid, not as full. */
	CHECK_EQ(npu_cs_sync(cs, 0), NPU_E_COMMAND);
	npu_cs_destroy(cs);
}

TEST(strerror_every_status)
{
	static const int statuses[] = {
		NPU_E_INVALID, NPU_E_NOMEM, NPU_E_IO, NPU_E_FORMAT, NPU_E_UNSUPPORTED,
		NPU_E_COMMAND, NPU_E_FIRMWARE, NPU_E_JOB, NPU_E_TIMEOUT, NPU_E_BUSY,
		NPU_E_DEVICE, NPU_E_NOENT, NPU_E_HANG,
	};
	const size_t n = sizeof(statuses) / sizeof(statuses[0]);

	CHECK(!strcmp(npu_strerror(0), "success"));
	for (size_t i = 0; i < n; i++) {
		const char *msg = npu_strerror(statuses[i]);

		CHECK(msg && *msg);
		CHECK_MSG(strcmp(msg, "unknown error") && strcmp(msg, "success"),
			  "status %d: \"%s\"", statuses[i], msg);
		/* Each status has its own message. */
		for (size_t j = 0; j < i; j++)
			CHECK_MSG(strcmp(msg, npu_strerror(statuses[j])), "%d and %d share \"%s\"",
				  statuses[i], statuses[j], msg);
	}
	CHECK(!strcmp(npu_strerror(1), "unknown error"));
	CHECK(!strcmp(npu_strerror(NPU_E_HANG - 1), "unknown error"));
	CHECK(!strcmp(npu_strerror(-1000), "unknown error"));
	CHECK(!strcmp(npu_strerror(INT32_MIN), "unknown error"));
}

/* The linear helpers emit exactly the 1-D command a caller would spell out. */
TEST(cs_linear_copies_match_hand_built_commands)
{
	struct npu_cmd_dma c = { 0 };
	struct npu_cs *a, *b;

	CHECK_EQ(npu_cs_create(1u << 20, &a), 0);
	CHECK_EQ(npu_cs_create(1u << 20, &b), 0);
	c.dram_addr = 0x12345;
	c.sram_addr = 0x100;
	c.size[0] = 777;
	c.size[1] = c.size[2] = c.size[3] = 1;
	CHECK_EQ(npu_cs_dma_load(a, &c), 0);
	CHECK_EQ(npu_cs_dma_store(a, &c), 0);
	CHECK_EQ(npu_cs_load_linear(b, 0x100, 0x12345, 777), 0);
	CHECK_EQ(npu_cs_store_linear(b, 0x12345, 0x100, 777), 0);
	CHECK_EQ(npu_cs_size(a), npu_cs_size(b));
	CHECK(!memcmp(npu_cs_data(a), npu_cs_data(b), npu_cs_size(a)));
	/* Past the SRAM: refused like any command, stream unchanged. */
	CHECK_EQ(npu_cs_load_linear(b, (1u << 20) - 10, 0, 11), NPU_E_COMMAND);
	CHECK_EQ(npu_cs_last_error(b), NPU_ERR_SRAM_RANGE);
	CHECK_EQ(npu_cs_size(b), npu_cs_size(a));
	npu_cs_destroy(a);
	npu_cs_destroy(b);
}
