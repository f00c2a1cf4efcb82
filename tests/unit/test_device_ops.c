// SPDX-License-Identifier: MIT
/*
 * Every command on the simulated device (firmware included) against
 * libnpu's plain C kernels, over randomized shapes.  The device and the
 * kernels were written independently from docs/hw-spec.md; they must
 * agree bit for bit.
 */
#include <stdlib.h>
#include <string.h>

#include "devtest.h"
#include "harness.h"
#include "npu/kernels.h"
#include "npu_arith.h"

#define ALIGN16(x)	(((x) + 15u) & ~15u)

static int rand_zp(int is_u8)
{
	return is_u8 ? harness_rand_range(0, 255) : harness_rand_range(-128, 127);
}

/* A requantization that keeps typical accumulators in the output range. */
static struct npu_quant rand_quant(int min_shift, int max_shift)
{
	struct npu_quant q;

	q.multiplier = (int32_t)(0x40000000u + (harness_rand() & 0x3fffffffu));
	q.shift = harness_rand_range(min_shift, max_shift);
	return q;
}

/* Clamp bounds: the full range of the type or a random sub-range. */
static void rand_clamp(int is_u8, int16_t *lo, int16_t *hi)
{
	int a = is_u8 ? 0 : -128, b = is_u8 ? 255 : 127;

	if (harness_rand() & 1) {
		int x = harness_rand_range(a, b), y = harness_rand_range(a, b);

		a = x < y ? x : y;
		b = x < y ? y : x;
	}
	*lo = (int16_t)a;
	*hi = (int16_t)b;
}

static int check_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what,
		       int iter)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			harness_fail(__FILE__, __LINE__, "%s #%d: byte %zu is %u, expected %u",
				     what, iter, i, got[i], want[i]);
			return 0;
		}
	}
	return 1;
}

/*
 * The reference: a copy of the first operand_bytes of the data buffer,
 * laid out as the SRAM, for a CPU kernel to run the command on.
 */
static uint8_t *reference_sram(const struct dt *t, uint32_t operand_bytes)
{
	uint8_t *sram = calloc(1, t->info.sram_size);

	if (sram)
		memcpy(sram, t->mem, operand_bytes);
	return sram;
}

struct conv_case {
	struct npu_cmd_conv cmd;
	uint32_t in_bytes, wt_bytes, out_bytes;
};

static void rand_conv(struct conv_case *cc)
{
	struct npu_cmd_conv *c = &cc->cmd;
	int kind = harness_rand_range(0, 3);
	uint32_t eff_h, eff_w, ph, pw;

	memset(cc, 0, sizeof(*cc));
	c->kernel_h = (uint8_t)harness_rand_range(1, 7);
	c->kernel_w = (uint8_t)harness_rand_range(1, 7);
	c->stride_h = (uint8_t)harness_rand_range(1, 2);
	c->stride_w = (uint8_t)harness_rand_range(1, 2);
	c->dilation_h = (uint8_t)harness_rand_range(1, 2);
	c->dilation_w = (uint8_t)harness_rand_range(1, 2);
	c->pad_top = (uint8_t)harness_rand_range(0, c->kernel_h - 1);
	c->pad_bottom = (uint8_t)harness_rand_range(0, c->kernel_h - 1);
	c->pad_left = (uint8_t)harness_rand_range(0, c->kernel_w - 1);
	c->pad_right = (uint8_t)harness_rand_range(0, c->kernel_w - 1);
	if (kind == 0) {		/* ordinary */
		c->groups = 1;
		c->in_c = (uint16_t)harness_rand_range(1, 40);
		c->out_c = (uint16_t)harness_rand_range(1, 70);
	} else if (kind == 1) {		/* grouped */
		c->groups = (uint16_t)harness_rand_range(2, 4);
		c->in_c = (uint16_t)(c->groups * harness_rand_range(1, 9));
		c->out_c = (uint16_t)(c->groups * harness_rand_range(1, 9));
	} else {			/* depthwise, multiplier 1 or 2 */
		c->in_c = c->groups = (uint16_t)harness_rand_range(1, 70);
		c->out_c = (uint16_t)(c->in_c * (kind == 2 ? 1 : 2));
	}
	eff_h = c->dilation_h * (c->kernel_h - 1u) + 1u;
	eff_w = c->dilation_w * (c->kernel_w - 1u) + 1u;
	ph = c->pad_top + c->pad_bottom;
	pw = c->pad_left + c->pad_right;
	c->in_h = (uint16_t)(eff_h > ph ? eff_h - ph : 1) + (uint16_t)harness_rand_range(0, 9);
	c->in_w = (uint16_t)(eff_w > pw ? eff_w - pw : 1) + (uint16_t)harness_rand_range(0, 9);
	c->out_h = (uint16_t)((c->in_h + ph - eff_h) / c->stride_h + 1);
	c->out_w = (uint16_t)((c->in_w + pw - eff_w) / c->stride_w + 1);

	c->flags = (harness_rand() & 1 ? NPU_F_IN_U8 : 0) | (harness_rand() & 1 ? NPU_F_OUT_U8 : 0) |
		   (harness_rand() & 1 ? NPU_F_PER_CHANNEL : 0) | (harness_rand() & 1 ? NPU_F_BIAS : 0);
	c->in_zp = (int16_t)rand_zp(c->flags & NPU_F_IN_U8);
	c->out_zp = (int16_t)rand_zp(c->flags & NPU_F_OUT_U8);
	rand_clamp(c->flags & NPU_F_OUT_U8, &c->act_min, &c->act_max);
	if (!(c->flags & NPU_F_PER_CHANNEL))
		c->quant = rand_quant(-14, 0);

	cc->in_bytes = (uint32_t)c->in_h * c->in_w * c->in_c;
	cc->wt_bytes = (uint32_t)c->out_c * c->kernel_h * c->kernel_w * (c->in_c / c->groups);
	cc->out_bytes = (uint32_t)c->out_h * c->out_w * c->out_c;
	c->in_addr = 0;
	c->wt_addr = ALIGN16(cc->in_bytes);
	c->bias_addr = ALIGN16(c->wt_addr + cc->wt_bytes);
	c->quant_addr = ALIGN16(c->bias_addr + 4u * c->out_c);
	c->out_addr = ALIGN16(c->quant_addr + 8u * c->out_c);
	if (!(c->flags & NPU_F_BIAS))
		c->bias_addr = 0;
	if (!(c->flags & NPU_F_PER_CHANNEL))
		c->quant_addr = 0;
}

TEST(conv_random_shapes_match_kernels)
{
	struct dt t;
	int iter;

	CHECK_EQ(dt_open(&t, NULL), 0);
	for (iter = 0; iter < 80; iter++) {
		struct conv_case cc;
		struct npu_cmd_conv *c = &cc.cmd;
		uint32_t oc, bias_at, quant_at;
		uint8_t *ref;

		rand_conv(&cc);
		bias_at = ALIGN16(c->wt_addr + cc.wt_bytes);
		quant_at = ALIGN16(bias_at + 4u * c->out_c);
		dt_random(t.mem, c->out_addr);
		for (oc = 0; oc < c->out_c; oc++) {
			struct npu_quant q = rand_quant(-14, 1);
			int32_t bias = harness_rand_range(-40000, 40000);

			memcpy(t.mem + quant_at + 8 * oc, &q, sizeof(q));
			memcpy(t.mem + bias_at + 4 * oc, &bias, sizeof(bias));
		}
		memset(t.mem + c->out_addr, 0xaa, cc.out_bytes);

		CHECK_EQ(dt_load(&t, 0, 0, c->out_addr), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
		CHECK_MSG(npu_cs_conv(t.cs, c) == 0, "conv #%d refused: %d", iter,
			  npu_cs_last_error(t.cs));
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)), 0);
		CHECK_EQ(dt_store(&t, c->out_addr, c->out_addr, cc.out_bytes), 0);
		CHECK_MSG(dt_run(&t) == 0, "conv #%d: %s", iter, npu_last_error());

		ref = reference_sram(&t, c->out_addr);
		CHECK(ref);
		CHECK_EQ(npu_kernel_conv_cmd(c, ref, t.info.sram_size), 0);
		if (!check_bytes(t.mem + c->out_addr, ref + c->out_addr, cc.out_bytes, "conv", iter)) {
			free(ref);
			break;
		}
		free(ref);
		CHECK_EQ(t.result.counters[NPU_PERF_MACS],
			 (uint64_t)cc.out_bytes * c->kernel_h * c->kernel_w * (c->in_c / c->groups));
	}
	dt_close(&t);
}

TEST(matmul_random_shapes_match_kernels)
{
	struct dt t;
	int iter;

	CHECK_EQ(dt_open(&t, NULL), 0);
	for (iter = 0; iter < 40; iter++) {
		struct npu_cmd_matmul c = { 0 };
		uint32_t bias_at, quant_at, i;
		uint8_t *ref;

		c.m = (uint32_t)harness_rand_range(1, 40);
		c.k = (uint32_t)harness_rand_range(1, 300);
		c.n = (uint32_t)harness_rand_range(1, 80);
		c.flags = (harness_rand() & 1 ? NPU_F_IN_U8 : 0) |
			  (harness_rand() & 1 ? NPU_F_OUT_U8 : 0) |
			  (harness_rand() & 1 ? NPU_F_PER_CHANNEL : 0) |
			  (harness_rand() & 1 ? NPU_F_BIAS : 0);
		c.in_zp = (int16_t)rand_zp(c.flags & NPU_F_IN_U8);
		c.out_zp = (int16_t)rand_zp(c.flags & NPU_F_OUT_U8);
		rand_clamp(c.flags & NPU_F_OUT_U8, &c.act_min, &c.act_max);
		c.in_addr = 0;
		c.wt_addr = ALIGN16(c.m * c.k);
		bias_at = ALIGN16(c.wt_addr + c.n * c.k);
		quant_at = ALIGN16(bias_at + 4 * c.n);
		c.out_addr = ALIGN16(quant_at + 8 * c.n);
		c.bias_addr = c.flags & NPU_F_BIAS ? bias_at : 0;
		c.quant_addr = c.flags & NPU_F_PER_CHANNEL ? quant_at : 0;
		if (!(c.flags & NPU_F_PER_CHANNEL))
			c.quant = rand_quant(-14, 0);
		dt_random(t.mem, c.out_addr);
		for (i = 0; i < c.n; i++) {
			struct npu_quant q = rand_quant(-14, 0);
			int32_t bias = harness_rand_range(-100000, 100000);

			memcpy(t.mem + quant_at + 8 * i, &q, sizeof(q));
			memcpy(t.mem + bias_at + 4 * i, &bias, sizeof(bias));
		}

		CHECK_EQ(dt_load(&t, 0, 0, c.out_addr), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
		CHECK_EQ(npu_cs_matmul(t.cs, &c), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)), 0);
		CHECK_EQ(dt_store(&t, c.out_addr, c.out_addr, c.m * c.n), 0);
		CHECK_MSG(dt_run(&t) == 0, "matmul #%d: %s", iter, npu_last_error());

		ref = reference_sram(&t, c.out_addr);
		CHECK(ref);
		CHECK_EQ(npu_kernel_matmul_cmd(&c, ref, t.info.sram_size), 0);
		if (!check_bytes(t.mem + c.out_addr, ref + c.out_addr, c.m * c.n, "matmul", iter)) {
			free(ref);
			break;
		}
		free(ref);
		CHECK_EQ(t.result.counters[NPU_PERF_MACS], (uint64_t)c.m * c.n * c.k);
	}
	dt_close(&t);
}

TEST(pool_random_shapes_match_kernels)
{
	struct dt t;
	int iter;

	CHECK_EQ(dt_open(&t, NULL), 0);
	for (iter = 0; iter < 60; iter++) {
		struct npu_cmd_pool c = { 0 };
		uint32_t in_bytes, out_bytes;
		uint8_t *ref;

		c.mode = (uint32_t)harness_rand_range(0, 2);
		c.channels = (uint16_t)harness_rand_range(1, 70);
		if (c.mode == NPU_POOL_GLOBAL_AVG) {
			c.in_h = (uint16_t)harness_rand_range(1, 12);
			c.in_w = (uint16_t)harness_rand_range(1, 12);
			c.out_h = c.out_w = 1;
		} else {
			c.kernel_h = (uint8_t)harness_rand_range(1, 5);
			c.kernel_w = (uint8_t)harness_rand_range(1, 5);
			c.stride_h = (uint8_t)harness_rand_range(1, 3);
			c.stride_w = (uint8_t)harness_rand_range(1, 3);
			c.pad_top = (uint8_t)harness_rand_range(0, c.kernel_h - 1);
			c.pad_bottom = (uint8_t)harness_rand_range(0, c.kernel_h - 1);
			c.pad_left = (uint8_t)harness_rand_range(0, c.kernel_w - 1);
			c.pad_right = (uint8_t)harness_rand_range(0, c.kernel_w - 1);
			c.in_h = (uint16_t)(c.kernel_h + harness_rand_range(0, 8));
			c.in_w = (uint16_t)(c.kernel_w + harness_rand_range(0, 8));
			c.out_h = (uint16_t)((c.in_h + c.pad_top + c.pad_bottom - c.kernel_h) /
					     c.stride_h + 1);
			c.out_w = (uint16_t)((c.in_w + c.pad_left + c.pad_right - c.kernel_w) /
					     c.stride_w + 1);
			if (c.mode == NPU_POOL_AVG && (harness_rand() & 1))
				c.flags |= NPU_F_COUNT_PAD;
		}
		c.flags |= (harness_rand() & 1 ? NPU_F_IN_U8 : 0) | (harness_rand() & 1 ? NPU_F_OUT_U8 : 0);
		c.in_zp = (int16_t)rand_zp(c.flags & NPU_F_IN_U8);
		c.out_zp = (int16_t)rand_zp(c.flags & NPU_F_OUT_U8);
		rand_clamp(c.flags & NPU_F_OUT_U8, &c.act_min, &c.act_max);
		if (harness_rand() & 1) {
			c.quant.multiplier = NPU_QUANT_IDENTITY_MULTIPLIER;
			c.quant.shift = NPU_QUANT_IDENTITY_SHIFT;
		} else {
			c.quant = rand_quant(-2, 1);
		}
		in_bytes = (uint32_t)c.in_h * c.in_w * c.channels;
		out_bytes = (uint32_t)c.out_h * c.out_w * c.channels;
		c.in_addr = 0;
		c.out_addr = ALIGN16(in_bytes);
		dt_random(t.mem, in_bytes);

		CHECK_EQ(dt_load(&t, 0, 0, in_bytes), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
		CHECK_MSG(npu_cs_pool(t.cs, &c) == 0, "pool #%d refused: %d", iter,
			  npu_cs_last_error(t.cs));
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_PPU)), 0);
		CHECK_EQ(dt_store(&t, c.out_addr, c.out_addr, out_bytes), 0);
		CHECK_MSG(dt_run(&t) == 0, "pool #%d: %s", iter, npu_last_error());

		ref = reference_sram(&t, in_bytes);
		CHECK(ref);
		CHECK_EQ(npu_kernel_pool_cmd(&c, ref, t.info.sram_size), 0);
		if (!check_bytes(t.mem + c.out_addr, ref + c.out_addr, out_bytes, "pool", iter)) {
			free(ref);
			break;
		}
		free(ref);
	}
	dt_close(&t);
}

TEST(eltwise_random_match_kernels)
{
	struct dt t;
	int iter;

	CHECK_EQ(dt_open(&t, NULL), 0);
	for (iter = 0; iter < 60; iter++) {
		struct npu_cmd_eltwise c = { 0 };
		uint32_t b_len;
		uint8_t *ref;

		c.op = harness_rand() & 1 ? NPU_ELTWISE_MUL : NPU_ELTWISE_ADD;
		c.count = (uint32_t)harness_rand_range(1, 5000);
		if (harness_rand() & 1) {
			c.flags |= NPU_F_B_BROADCAST;
			do {
				c.channels = (uint32_t)harness_rand_range(1, 64);
			} while (c.count % c.channels);
		}
		c.flags |= (harness_rand() & 1 ? NPU_F_IN_U8 : 0) | (harness_rand() & 1 ? NPU_F_B_U8 : 0) |
			   (harness_rand() & 1 ? NPU_F_OUT_U8 : 0);
		c.a_zp = (int16_t)rand_zp(c.flags & NPU_F_IN_U8);
		c.b_zp = (int16_t)rand_zp(c.flags & NPU_F_B_U8);
		c.out_zp = (int16_t)rand_zp(c.flags & NPU_F_OUT_U8);
		rand_clamp(c.flags & NPU_F_OUT_U8, &c.act_min, &c.act_max);
		if (c.op == NPU_ELTWISE_ADD) {
			c.left_shift = (int16_t)harness_rand_range(0, 20);
			c.a_quant = rand_quant(-3, 0);
			c.b_quant = rand_quant(-3, 0);
			c.out_quant = rand_quant(-c.left_shift - 2, -c.left_shift + 2);
		} else {
			c.out_quant = rand_quant(-10, 0);
		}
		b_len = c.flags & NPU_F_B_BROADCAST ? c.channels : c.count;
		c.a_addr = 0;
		c.b_addr = ALIGN16(c.count);
		c.out_addr = ALIGN16(c.b_addr + b_len);
		dt_random(t.mem, c.out_addr);

		CHECK_EQ(dt_load(&t, 0, 0, c.out_addr), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
		CHECK_MSG(npu_cs_eltwise(t.cs, &c) == 0, "eltwise #%d refused: %d", iter,
			  npu_cs_last_error(t.cs));
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_PPU)), 0);
		CHECK_EQ(dt_store(&t, c.out_addr, c.out_addr, c.count), 0);
		CHECK_MSG(dt_run(&t) == 0, "eltwise #%d: %s", iter, npu_last_error());

		ref = reference_sram(&t, c.out_addr);
		CHECK(ref);
		CHECK_EQ(npu_kernel_eltwise_cmd(&c, ref, t.info.sram_size), 0);
		if (!check_bytes(t.mem + c.out_addr, ref + c.out_addr, c.count, "eltwise", iter)) {
			free(ref);
			break;
		}
		free(ref);
	}
	dt_close(&t);
}

TEST(lut_matches_kernel_and_runs_in_place)
{
	struct npu_cmd_lut c = { 0 };
	struct npu_lut_params p = { 0 };
	uint8_t want[3000];
	struct dt t;
	int pass;

	CHECK_EQ(dt_open(&t, NULL), 0);
	for (pass = 0; pass < 2; pass++) {
		c.flags = pass ? NPU_F_IN_U8 : 0;
		c.count = 3000;
		c.table_addr = 0;
		c.in_addr = 256;
		c.out_addr = pass ? 256 : 4096;	/* the second pass runs in place */
		dt_random(t.mem, 256 + c.count);
		p.flags = c.flags;
		p.count = c.count;
		p.input = t.mem + 256;
		p.table = t.mem;
		p.output = want;
		CHECK_EQ(npu_kernel_lut(&p), 0);

		CHECK_EQ(dt_load(&t, 0, 0, 256 + c.count), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
		CHECK_EQ(npu_cs_lut(t.cs, &c), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_PPU)), 0);
		CHECK_EQ(dt_store(&t, 8192, c.out_addr, c.count), 0);
		CHECK_MSG(dt_run(&t) == 0, "lut: %s", npu_last_error());
		if (!check_bytes(t.mem + 8192, want, c.count, "lut", pass))
			break;
	}
	dt_close(&t);
}

/* A random strided, padded 4-D load, read back densely and compared. */
TEST(dma_strided_padded_load_matches_reference)
{
	struct dt t;
	int iter;

	CHECK_EQ(dt_open(&t, NULL), 0);
	for (iter = 0; iter < 60; iter++) {
		struct npu_cmd_dma c = { 0 };
		uint32_t n1p, n2p, total, i0, i1, i2, i3, out = 1u << 20;
		uint8_t *want;

		c.size[0] = (uint32_t)harness_rand_range(1, 9);
		c.size[1] = (uint32_t)harness_rand_range(1, 7);
		c.size[2] = (uint32_t)harness_rand_range(1, 7);
		c.size[3] = (uint32_t)harness_rand_range(1, 3);
		c.dram_stride[0] = c.size[0] + (uint32_t)harness_rand_range(0, 5);
		c.dram_stride[1] = c.dram_stride[0] * c.size[1] + (uint32_t)harness_rand_range(0, 9);
		c.dram_stride[2] = c.dram_stride[1] * c.size[2] + (uint32_t)harness_rand_range(0, 99);
		c.pad_top = (uint8_t)harness_rand_range(0, 3);
		c.pad_bottom = (uint8_t)harness_rand_range(0, 3);
		c.pad_left = (uint8_t)harness_rand_range(0, 3);
		c.pad_right = (uint8_t)harness_rand_range(0, 3);
		c.fill = harness_rand() & 0xff;
		n1p = c.size[1] + c.pad_left + c.pad_right;
		n2p = c.size[2] + c.pad_top + c.pad_bottom;
		c.sram_stride[0] = c.size[0];
		c.sram_stride[1] = c.size[0] * n1p;
		c.sram_stride[2] = c.size[0] * n1p * n2p;
		c.sram_addr = 64;
		c.dram_addr = npu_bo_va(t.data) + (uint32_t)harness_rand_range(0, 4096);
		total = c.sram_stride[2] * c.size[3];
		dt_random(t.mem, 1u << 20);

		want = malloc(total);
		CHECK(want);
		for (i3 = 0; i3 < c.size[3]; i3++)
			for (i2 = 0; i2 < n2p; i2++)
				for (i1 = 0; i1 < n1p; i1++)
					for (i0 = 0; i0 < c.size[0]; i0++) {
						uint32_t at = i3 * c.sram_stride[2] +
							      i2 * c.sram_stride[1] +
							      i1 * c.sram_stride[0] + i0;
						int pad = i2 < c.pad_top || i2 >= c.pad_top + c.size[2] ||
							  i1 < c.pad_left || i1 >= c.pad_left + c.size[1];

						want[at] = pad ? (uint8_t)c.fill :
							t.mem[c.dram_addr - npu_bo_va(t.data) +
							      i3 * c.dram_stride[2] +
							      (i2 - c.pad_top) * c.dram_stride[1] +
							      (i1 - c.pad_left) * c.dram_stride[0] + i0];
					}
		CHECK_EQ(npu_cs_dma_load(t.cs, &c), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
		CHECK_EQ(dt_store(&t, out, 64, total), 0);
		CHECK_MSG(dt_run(&t) == 0, "dma #%d: %s", iter, npu_last_error());
		if (!check_bytes(t.mem + out, want, total, "dma load", iter)) {
			free(want);
			break;
		}
		free(want);
		CHECK_EQ(t.result.counters[NPU_PERF_DMA_RD_BYTES],
			 (uint64_t)c.size[0] * c.size[1] * c.size[2] * c.size[3]);
	}
	dt_close(&t);
}

/* A strided store scatters runs and leaves the gaps between them alone. */
TEST(dma_strided_store_leaves_gaps_untouched)
{
	struct npu_cmd_dma c = { 0 };
	uint32_t i1, i2, i0, base = 1u << 20;
	uint8_t *before;
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	dt_random(t.mem, 2u << 20);
	before = malloc(1u << 20);
	CHECK(before);
	memcpy(before, t.mem + base, 1u << 20);
	c.size[0] = 3;
	c.size[1] = 5;
	c.size[2] = 4;
	c.size[3] = 1;
	c.sram_stride[0] = 3;
	c.sram_stride[1] = 15;
	c.sram_stride[2] = 60;
	c.dram_stride[0] = 7;
	c.dram_stride[1] = 100;
	c.dram_stride[2] = 1000;
	c.dram_addr = npu_bo_va(t.data) + base;
	CHECK_EQ(dt_load(&t, 0, 0, 60), 0);
	CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
	CHECK_EQ(npu_cs_dma_store(t.cs, &c), 0);
	CHECK_EQ(dt_run(&t), 0);
	for (i2 = 0; i2 < 4; i2++)
		for (i1 = 0; i1 < 5; i1++)
			for (i0 = 0; i0 < 3; i0++) {
				uint32_t at = i2 * 100 + i1 * 7 + i0;

				CHECK_EQ(t.mem[base + at], t.mem[i2 * 15 + i1 * 3 + i0]);
				before[at] = t.mem[base + at];
			}
	CHECK(!memcmp(before, t.mem + base, 1u << 20));
	CHECK_EQ(t.result.counters[NPU_PERF_DMA_WR_BYTES], 60);
	free(before);
	dt_close(&t);
}
