// SPDX-License-Identifier: MIT
/*
 * The compiler and runtime of npu/compiler.h.
 *
 * Each integer operation the device can take becomes one NPU segment:
 * a command stream that, per tile, loads the tile's operands into the
 * SRAM, computes, and stores the result, with a SYNC of every engine
 * between dependent commands.  That serializes DMA and compute: this
 * slice has no double buffering, so the device never overlaps them.
 *
 * Tiles split the output rows (with the input rows' halo), and, for
 * CONV and MATMUL, the output channels when the weights alone do not
 * fit.  The SRAM of a tile holds, from address 0: the weights chunk,
 * its bias and quantization tables (or a LUT table), the input and the
 * output, each 16-byte aligned.
 *
 * Activations stay in the graph's layout on the host between
 * operations (as npu_int8_model_run() keeps them); an NPU operation
 * copies its inputs into the activation buffer (NHWC for CONV and
 * POOL, one image at a time), runs its segment as a job and copies the
 * output back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph/graph_priv.h"
#include "lower/lower.h"
#include "npu/cmdstream.h"
#include "npu/compiler.h"
#include "npu/error.h"
#include "npu/int8.h"

#define JOB_TIMEOUT_MS	60000u
#define ALIGN16(x)	(((x) + 15u) & ~(size_t)15u)

struct compiled_op {
	const struct npu_lower_op *op;
	enum npu_placement placement;
	char reason[96];
	size_t w_off, b_off, q_off;	/* tables in the weights buffer */
	size_t a_off, b_in_off, o_off;	/* operands in the activation buffer */
	uint32_t cmd_off, cmd_size, tiles;
	uint64_t counters[NPU_PERF_JOBS];
};

struct npu_compiled_model {
	struct npu_int8_model *lowered;
	struct npu_device *dev;
	struct npu_device_info info;
	struct npu_bo *weights, *act, *cmd;
	size_t n_ops;
	struct compiled_op *ops;
};

/* The device's capability bit for an operation kind; 0 for host-only kinds. */
static uint32_t cap_bit(enum npu_lower_kind kind)
{
	switch (kind) {
	case NPU_LOWER_CONV:
		return NPU_CAP_OP_CONV;
	case NPU_LOWER_MATMUL:
		return NPU_CAP_OP_MATMUL;
	case NPU_LOWER_POOL:
		return NPU_CAP_OP_POOL;
	case NPU_LOWER_ELTWISE:
		return NPU_CAP_OP_ELTWISE;
	case NPU_LOWER_LUT:
		return NPU_CAP_OP_LUT;
	default:
		return 0;
	}
}

static const char *kind_name(enum npu_lower_kind kind)
{
	static const char *const names[] = { "CONV", "MATMUL", "POOL", "ELTWISE", "LUT" };

	return kind <= NPU_LOWER_LUT ? names[kind] : "?";
}

/* Bytes of the weights buffer op needs: weights, bias, quant table or LUT. */
static size_t table_bytes(const struct npu_lower_op *op, size_t *w, size_t *b, size_t *q)
{
	*w = *b = *q = 0;
	if (op->kind == NPU_LOWER_CONV) {
		const struct npu_conv_params *p = &op->p.conv;

		*w = (size_t)p->out_c * p->kernel_h * p->kernel_w * (p->in_c / p->groups);
		*b = p->bias ? 4u * p->out_c : 0;
		*q = p->channel_quant ? 8u * p->out_c : 0;
	} else if (op->kind == NPU_LOWER_MATMUL) {
		const struct npu_matmul_params *p = &op->p.matmul;

		*w = (size_t)p->n * p->k;
		*b = p->bias ? 4u * p->n : 0;
		*q = p->channel_quant ? 8u * p->n : 0;
	} else if (op->kind == NPU_LOWER_LUT) {
		*w = 256;
	}
	return ALIGN16(*w) + ALIGN16(*b) + ALIGN16(*q);
}

/* Per-image bytes of the inputs and output in the activation buffer. */
static void act_bytes(const struct npu_lower_op *op, size_t *a, size_t *b, size_t *o)
{
	*b = 0;
	switch (op->kind) {
	case NPU_LOWER_CONV:
		*a = (size_t)op->p.conv.in_h * op->p.conv.in_w * op->p.conv.in_c;
		*o = (size_t)op->p.conv.out_h * op->p.conv.out_w * op->p.conv.out_c;
		break;
	case NPU_LOWER_POOL:
		*a = (size_t)op->p.pool.in_h * op->p.pool.in_w * op->p.pool.channels;
		*o = (size_t)op->p.pool.out_h * op->p.pool.out_w * op->p.pool.channels;
		break;
	case NPU_LOWER_MATMUL:
		*a = (size_t)op->p.matmul.m * op->p.matmul.k;
		*o = (size_t)op->p.matmul.m * op->p.matmul.n;
		break;
	case NPU_LOWER_ELTWISE:
		*a = *b = *o = op->p.eltwise.count;
		break;
	case NPU_LOWER_LUT:
		*a = *o = op->p.lut.count;
		break;
	default:
		*a = *o = 0;
		break;
	}
}

/* An emit that failed: NPU_E_COMMAND becomes a placement reason. */
#define EMIT(x) do { ret = (x); if (ret) return ret; } while (0)

static int sync_all(struct npu_cs *cs)
{
	return npu_cs_sync(cs, NPU_ENGINE_ALL);
}

/* Store n-byte runs of `rows` rows from dense SRAM into DRAM rows `stride` apart. */
static int store_rows(struct npu_cs *cs, uint32_t dram, uint32_t sram, uint32_t n,
		      uint32_t rows, uint32_t stride)
{
	struct npu_cmd_dma d;

	if (n == stride)
		return npu_cs_store_linear(cs, dram, sram, n * rows);
	memset(&d, 0, sizeof(d));
	d.dram_addr = dram;
	d.sram_addr = sram;
	d.size[0] = n;
	d.size[1] = rows;
	d.size[2] = d.size[3] = 1;
	d.dram_stride[0] = stride;
	d.sram_stride[0] = n;
	return npu_cs_dma_store(cs, &d);
}

/*
 * The row tiling shared by CONV, MATMUL and POOL: output rows of
 * `out_row` bytes per channel, each needing `in_row` input bytes;
 * output rows [r0, r0 + n) read input rows [r0 * stride - pad,
 * (r0 + n - 1) * stride - pad + eff).
 */
struct rows {
	uint32_t in_rows, in_row, out_rows, out_row_px;	/* out_row_px: pixels per row */
	uint32_t stride, pad, eff;
};

static size_t in_tile_bytes(const struct rows *r, uint32_t n)
{
	size_t rows = (size_t)(n - 1) * r->stride + r->eff;

	return ALIGN16((rows < r->in_rows ? rows : r->in_rows) * r->in_row);
}

/* The most output rows per tile that fit `room` bytes with `chans` output channels. */
static uint32_t fit_rows(const struct rows *r, size_t room, uint32_t chans)
{
	uint32_t n = r->out_rows;

	while (n && in_tile_bytes(r, n) + ALIGN16((size_t)n * r->out_row_px * chans) > room)
		n--;
	return n;
}

/* Load the input rows of output rows [r0, r0 + n); *pt, *pb the padding left over. */
static int load_rows(struct npu_cs *cs, const struct rows *r, uint32_t sram, uint32_t dram,
		     uint32_t r0, uint32_t n, uint32_t *in_h, uint32_t *pt, uint32_t *pb)
{
	int64_t i0 = (int64_t)r0 * r->stride - r->pad;
	int64_t i1 = (int64_t)(r0 + n - 1) * r->stride - r->pad + r->eff;
	int64_t lo = i0 < 0 ? 0 : i0, hi = i1 > r->in_rows ? r->in_rows : i1;

	if (hi <= lo)
		return NPU_E_COMMAND;	/* a tile of padding only */
	*in_h = (uint32_t)(hi - lo);
	*pt = (uint32_t)(lo - i0);
	*pb = (uint32_t)(i1 - hi);
	return npu_cs_load_linear(cs, sram, dram + (uint32_t)lo * r->in_row,
				  *in_h * r->in_row);
}

/*
 * SRAM of one output-channel chunk of a CONV or MATMUL: n rows of
 * weights at 0, then n int32 biases, then n quant entries, each 16-aligned.
 */
static size_t mac_chunk_bytes(uint32_t n, size_t wrow, int bias, int quant)
{
	return ALIGN16((size_t)n * wrow) + (bias ? ALIGN16(4u * n) : 0) +
	       (quant ? ALIGN16(8u * n) : 0);
}

/* Load the weights, biases and quant entries of output channels first .. first + n - 1. */
static int load_mac_chunk(struct npu_cs *cs, const struct compiled_op *c, uint32_t wva,
			  uint32_t first, uint32_t n, uint32_t wrow, uint32_t b_addr,
			  uint32_t q_addr, int bias, int quant)
{
	int ret = npu_cs_load_linear(cs, 0, wva + (uint32_t)c->w_off + first * wrow, n * wrow);

	if (!ret && bias)
		ret = npu_cs_load_linear(cs, b_addr, wva + (uint32_t)c->b_off + 4u * first, 4u * n);
	if (!ret && quant)
		ret = npu_cs_load_linear(cs, q_addr, wva + (uint32_t)c->q_off + 8u * first, 8u * n);
	return ret;
}

static int emit_conv(struct npu_compiled_model *cm, struct compiled_op *c, struct npu_cs *cs)
{
	const struct npu_conv_params *p = &c->op->p.conv;
	const uint32_t wva = npu_bo_va(cm->weights), ava = npu_bo_va(cm->act);
	const uint32_t wrow = (uint32_t)p->kernel_h * p->kernel_w * (p->in_c / p->groups);
	const uint32_t sram = cm->info.sram_size;
	struct rows r = { p->in_h, (uint32_t)p->in_w * p->in_c, p->out_h, p->out_w,
			  p->stride_h, p->pad_top,
			  (uint32_t)p->dilation_h * (p->kernel_h - 1u) + 1u };
	uint32_t ocb = p->out_c, rows = 0;
	size_t fixed = 0;
	int ret;

	/* Halve the channel chunk until a one-row tile fits; grouped weights stay whole. */
	for (;;) {
		fixed = mac_chunk_bytes(ocb, wrow, !!p->bias, !!p->channel_quant);
		rows = fixed < sram ? fit_rows(&r, sram - fixed, ocb) : 0;
		if (rows || ocb == 1 || p->groups != 1)
			break;
		ocb = (ocb + 1) / 2;
	}
	if (!rows) {
		snprintf(c->reason, sizeof(c->reason), "over SRAM: %zu bytes of weights for "
			 "one tile, SRAM %u", fixed, sram);
		return NPU_E_UNSUPPORTED;
	}
	const uint32_t b_addr = (uint32_t)ALIGN16((size_t)ocb * wrow);
	const uint32_t q_addr = b_addr + (p->bias ? (uint32_t)ALIGN16(4u * ocb) : 0);
	const uint32_t in_addr = (uint32_t)fixed;
	const uint32_t out_addr = in_addr + (uint32_t)in_tile_bytes(&r, rows);

	for (uint32_t oc0 = 0; oc0 < p->out_c; oc0 += ocb) {
		const uint32_t n = p->out_c - oc0 < ocb ? p->out_c - oc0 : ocb;

		EMIT(load_mac_chunk(cs, c, wva, oc0, n, wrow, b_addr, q_addr, !!p->bias,
				    !!p->channel_quant));
		for (uint32_t r0 = 0; r0 < p->out_h; r0 += rows) {
			const uint32_t nr = p->out_h - r0 < rows ? p->out_h - r0 : rows;
			struct npu_cmd_conv k;
			uint32_t in_h, pt, pb;

			EMIT(load_rows(cs, &r, in_addr, ava + (uint32_t)c->a_off, r0, nr, &in_h,
				       &pt, &pb));
			EMIT(sync_all(cs));
			memset(&k, 0, sizeof(k));
			k.flags = p->flags;
			k.in_addr = in_addr;
			k.wt_addr = 0;
			k.bias_addr = p->bias ? b_addr : 0;
			k.quant_addr = p->channel_quant ? q_addr : 0;
			k.out_addr = out_addr;
			k.in_h = (uint16_t)in_h;
			k.in_w = p->in_w;
			k.in_c = p->in_c;
			k.groups = p->groups;
			k.out_h = (uint16_t)nr;
			k.out_w = p->out_w;
			k.out_c = (uint16_t)n;
			k.kernel_h = p->kernel_h;
			k.kernel_w = p->kernel_w;
			k.stride_h = p->stride_h;
			k.stride_w = p->stride_w;
			k.dilation_h = p->dilation_h;
			k.dilation_w = p->dilation_w;
			k.pad_top = (uint8_t)pt;
			k.pad_bottom = (uint8_t)pb;
			k.pad_left = p->pad_left;
			k.pad_right = p->pad_right;
			k.in_zp = p->in_zp;
			k.out_zp = p->out_zp;
			k.act_min = p->act_min;
			k.act_max = p->act_max;
			k.quant = p->quant;
			EMIT(npu_cs_conv(cs, &k));
			EMIT(sync_all(cs));
			EMIT(store_rows(cs, ava + (uint32_t)c->o_off +
					(r0 * p->out_w * p->out_c + oc0), out_addr, n,
					nr * p->out_w, p->out_c));
			EMIT(sync_all(cs));
			c->tiles++;
		}
	}
	return 0;
}

static int emit_matmul(struct npu_compiled_model *cm, struct compiled_op *c, struct npu_cs *cs)
{
	const struct npu_matmul_params *p = &c->op->p.matmul;
	const uint32_t wva = npu_bo_va(cm->weights), ava = npu_bo_va(cm->act);
	const uint32_t sram = cm->info.sram_size;
	struct rows r = { p->m, p->k, p->m, 1, 1, 0, 1 };
	uint32_t nb = p->n, rows = 0;
	size_t fixed = 0;
	int ret;

	for (;;) {
		fixed = mac_chunk_bytes(nb, p->k, !!p->bias, !!p->channel_quant);
		rows = fixed < sram ? fit_rows(&r, sram - fixed, nb) : 0;
		if (rows || nb == 1)
			break;
		nb = (nb + 1) / 2;
	}
	if (!rows) {
		snprintf(c->reason, sizeof(c->reason), "over SRAM: %zu bytes of weights for "
			 "one tile, SRAM %u", fixed, sram);
		return NPU_E_UNSUPPORTED;
	}
	const uint32_t b_addr = (uint32_t)ALIGN16((size_t)nb * p->k);
	const uint32_t q_addr = b_addr + (p->bias ? (uint32_t)ALIGN16(4u * nb) : 0);
	const uint32_t in_addr = (uint32_t)fixed;
	const uint32_t out_addr = in_addr + (uint32_t)in_tile_bytes(&r, rows);

	for (uint32_t n0 = 0; n0 < p->n; n0 += nb) {
		const uint32_t n = p->n - n0 < nb ? p->n - n0 : nb;

		EMIT(load_mac_chunk(cs, c, wva, n0, n, p->k, b_addr, q_addr, !!p->bias,
				    !!p->channel_quant));
		for (uint32_t r0 = 0; r0 < p->m; r0 += rows) {
			const uint32_t nr = p->m - r0 < rows ? p->m - r0 : rows;
			struct npu_cmd_matmul k;
			uint32_t in_h, pt, pb;

			EMIT(load_rows(cs, &r, in_addr, ava + (uint32_t)c->a_off, r0, nr, &in_h,
				       &pt, &pb));
			EMIT(sync_all(cs));
			memset(&k, 0, sizeof(k));
			k.flags = p->flags;
			k.in_addr = in_addr;
			k.bias_addr = p->bias ? b_addr : 0;
			k.quant_addr = p->channel_quant ? q_addr : 0;
			k.out_addr = out_addr;
			k.m = nr;
			k.k = p->k;
			k.n = n;
			k.in_zp = p->in_zp;
			k.out_zp = p->out_zp;
			k.act_min = p->act_min;
			k.act_max = p->act_max;
			k.quant = p->quant;
			EMIT(npu_cs_matmul(cs, &k));
			EMIT(sync_all(cs));
			EMIT(store_rows(cs, ava + (uint32_t)c->o_off + r0 * p->n + n0, out_addr, n,
					nr, p->n));
			EMIT(sync_all(cs));
			c->tiles++;
		}
	}
	return 0;
}

static int emit_pool(struct npu_compiled_model *cm, struct compiled_op *c, struct npu_cs *cs)
{
	const struct npu_pool_params *p = &c->op->p.pool;
	const uint32_t ava = npu_bo_va(cm->act);
	const int global = p->mode == NPU_POOL_GLOBAL_AVG;
	struct rows r = { p->in_h, (uint32_t)p->in_w * p->channels, p->out_h, p->out_w,
			  global ? 1u : p->stride_h, p->pad_top,
			  global ? p->in_h : p->kernel_h };
	uint32_t rows = fit_rows(&r, cm->info.sram_size, p->channels);
	int ret;

	/* A global average needs the whole input at once. */
	if (!rows || (global && rows < p->out_h)) {
		snprintf(c->reason, sizeof(c->reason), "over SRAM: a tile of one output row "
			 "needs more than %u bytes", cm->info.sram_size);
		return NPU_E_UNSUPPORTED;
	}
	const uint32_t out_addr = (uint32_t)in_tile_bytes(&r, rows);

	for (uint32_t r0 = 0; r0 < p->out_h; r0 += rows) {
		const uint32_t nr = p->out_h - r0 < rows ? p->out_h - r0 : rows;
		struct npu_cmd_pool k;
		uint32_t in_h, pt, pb;

		EMIT(load_rows(cs, &r, 0, ava + (uint32_t)c->a_off, r0, nr, &in_h, &pt, &pb));
		EMIT(sync_all(cs));
		memset(&k, 0, sizeof(k));
		k.flags = p->flags;
		k.mode = p->mode;
		k.out_addr = out_addr;
		k.in_h = (uint16_t)in_h;
		k.in_w = p->in_w;
		k.channels = p->channels;
		k.out_h = (uint16_t)nr;
		k.out_w = p->out_w;
		k.kernel_h = p->kernel_h;
		k.kernel_w = p->kernel_w;
		k.stride_h = p->stride_h;
		k.stride_w = p->stride_w;
		k.pad_top = global ? 0 : (uint8_t)pt;
		k.pad_bottom = global ? 0 : (uint8_t)pb;
		k.pad_left = p->pad_left;
		k.pad_right = p->pad_right;
		k.in_zp = p->in_zp;
		k.out_zp = p->out_zp;
		k.act_min = p->act_min;
		k.act_max = p->act_max;
		k.quant = p->quant;
		EMIT(npu_cs_pool(cs, &k));
		EMIT(sync_all(cs));
		EMIT(npu_cs_store_linear(cs, ava + (uint32_t)c->o_off + r0 * p->out_w * p->channels,
					 out_addr, nr * p->out_w * p->channels));
		EMIT(sync_all(cs));
		c->tiles++;
	}
	return 0;
}

/* ELTWISE and LUT: element chunks; a LUT's table stays at SRAM 0. */
static int emit_elementwise(struct npu_compiled_model *cm, struct compiled_op *c,
			    struct npu_cs *cs)
{
	const int lut = c->op->kind == NPU_LOWER_LUT;
	const uint32_t ava = npu_bo_va(cm->act);
	const uint32_t count = lut ? c->op->p.lut.count : c->op->p.eltwise.count;
	const uint32_t base = lut ? 256u : 0u, parts = lut ? 2u : 3u;
	uint32_t chunk = ((cm->info.sram_size - base) / parts) & ~15u;
	int ret;

	if (!chunk) {
		snprintf(c->reason, sizeof(c->reason), "over SRAM: %u bytes", cm->info.sram_size);
		return NPU_E_UNSUPPORTED;
	}
	if (lut)
		EMIT(npu_cs_load_linear(cs, 0, npu_bo_va(cm->weights) + (uint32_t)c->w_off, 256));
	for (uint32_t i = 0; i < count; i += chunk) {
		const uint32_t n = count - i < chunk ? count - i : chunk;
		const uint32_t a = base, b = base + chunk, o = base + (parts - 1) * chunk;

		EMIT(npu_cs_load_linear(cs, a, ava + (uint32_t)c->a_off + i, n));
		if (!lut)
			EMIT(npu_cs_load_linear(cs, b, ava + (uint32_t)c->b_in_off + i, n));
		EMIT(sync_all(cs));
		if (lut) {
			struct npu_cmd_lut k;

			memset(&k, 0, sizeof(k));
			k.flags = c->op->p.lut.flags;
			k.count = n;
			k.in_addr = a;
			k.table_addr = 0;
			k.out_addr = o;
			EMIT(npu_cs_lut(cs, &k));
		} else {
			const struct npu_eltwise_params *p = &c->op->p.eltwise;
			struct npu_cmd_eltwise k;

			memset(&k, 0, sizeof(k));
			k.flags = p->flags;
			k.op = p->op;
			k.a_addr = a;
			k.b_addr = b;
			k.out_addr = o;
			k.count = n;
			k.channels = p->channels;
			k.a_zp = p->a_zp;
			k.b_zp = p->b_zp;
			k.out_zp = p->out_zp;
			k.left_shift = p->left_shift;
			k.act_min = p->act_min;
			k.act_max = p->act_max;
			k.a_quant = p->a_quant;
			k.b_quant = p->b_quant;
			k.out_quant = p->out_quant;
			EMIT(npu_cs_eltwise(cs, &k));
		}
		EMIT(sync_all(cs));
		EMIT(npu_cs_store_linear(cs, ava + (uint32_t)c->o_off + i, o, n));
		EMIT(sync_all(cs));
		c->tiles++;
	}
	return 0;
}

/* Place op c: emit its segment into cs, or give the reason it stays on the CPU. */
static void place(struct npu_compiled_model *cm, struct compiled_op *c, struct npu_cs *cs)
{
	const struct npu_lower_op *op = c->op;
	int ret;

	c->placement = NPU_PLACE_CPU;
	if (op->kind == NPU_LOWER_FLOAT) {
		snprintf(c->reason, sizeof(c->reason), "no integer form: runs in float");
		return;
	}
	if (op->kind == NPU_LOWER_COPY) {
		snprintf(c->reason, sizeof(c->reason), "reshape: a host copy, no device command");
		return;
	}
	if (!(cm->info.ops & cap_bit(op->kind)) || !(cm->info.ops & NPU_CAP_OP_DMA)) {
		snprintf(c->reason, sizeof(c->reason), "the device has no %s",
			 kind_name(op->kind));
		return;
	}
	npu_cs_reset(cs);
	switch (op->kind) {
	case NPU_LOWER_CONV:
		ret = emit_conv(cm, c, cs);
		break;
	case NPU_LOWER_MATMUL:
		ret = emit_matmul(cm, c, cs);
		break;
	case NPU_LOWER_POOL:
		ret = emit_pool(cm, c, cs);
		break;
	default:
		ret = emit_elementwise(cm, c, cs);
		break;
	}
	if (ret == NPU_E_COMMAND)
		snprintf(c->reason, sizeof(c->reason), "the device refuses the %s: %s",
			 kind_name(op->kind), npu_job_status_str(npu_cs_last_error(cs)));
	else if (ret == NPU_E_NOMEM)
		snprintf(c->reason, sizeof(c->reason), "command stream over %u bytes",
			 NPU_MAX_CMD_BYTES);
	if (ret) {
		c->tiles = 0;
		return;
	}
	c->placement = NPU_PLACE_NPU;
	c->reason[0] = 0;
}

/* Copy op's tables into the weights buffer at its offsets. */
static void upload_tables(uint8_t *w, const struct compiled_op *c)
{
	const struct npu_lower_op *op = c->op;
	size_t wb, bb, qb;

	table_bytes(op, &wb, &bb, &qb);
	if (op->kind == NPU_LOWER_LUT) {
		memcpy(w + c->w_off, op->table, 256);
		return;
	}
	if (wb)
		memcpy(w + c->w_off, op->weights, wb);
	if (bb)
		memcpy(w + c->b_off, op->bias, bb);
	if (qb)
		memcpy(w + c->q_off, op->channel_quant, qb);
}

void npu_compile_options_default(struct npu_compile_options *options)
{
	memset(options, 0, sizeof(*options));
	options->batch = 1;
}

int npu_compile(struct npu_graph *graph, struct npu_device *dev,
		const struct npu_compile_options *options,
		struct npu_compiled_model **model)
{
	struct npu_compiled_model *cm;
	struct npu_cs *cs = NULL;
	uint8_t *streams = NULL;
	size_t wsize = 16, asize = 16, ssize = 0;
	int ret;

	(void)options;
	if (!graph || !dev || !model)
		return npu_fail(NPU_E_INVALID, "compile: NULL argument");
	*model = NULL;
	cm = calloc(1, sizeof(*cm));
	if (!cm)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	cm->dev = dev;
	ret = npu_device_query(dev, &cm->info);
	if (!ret)
		ret = npu_lower_graph(graph, &cm->lowered);
	if (ret)
		goto fail;
	cm->n_ops = cm->lowered->n_ops;
	cm->ops = calloc(cm->n_ops ? cm->n_ops : 1, sizeof(*cm->ops));
	if (!cm->ops) {
		ret = npu_fail(NPU_E_NOMEM, "out of memory");
		goto fail;
	}
	/* Lay out every integer operation's tables and the largest set of operands. */
	for (size_t i = 0; i < cm->n_ops; i++) {
		struct compiled_op *c = &cm->ops[i];
		size_t wb, bb, qb, a, b, o;

		c->op = &cm->lowered->ops[i];
		c->w_off = wsize;
		wsize += table_bytes(c->op, &wb, &bb, &qb);
		c->b_off = c->w_off + ALIGN16(wb);
		c->q_off = c->b_off + ALIGN16(bb);
		act_bytes(c->op, &a, &b, &o);
		c->b_in_off = ALIGN16(a);
		c->o_off = c->b_in_off + ALIGN16(b);
		if (c->o_off + o > asize)
			asize = c->o_off + o;
	}
	ret = npu_bo_create(dev, wsize, NPU_BO_DEVICE_READONLY, &cm->weights);
	if (!ret)
		ret = npu_bo_create(dev, asize, 0, &cm->act);
	if (!ret)
		ret = npu_cs_create(cm->info.sram_size, &cs);
	if (ret)
		goto fail;
	for (size_t i = 0; i < cm->n_ops; i++) {
		struct compiled_op *c = &cm->ops[i];
		uint8_t *grown;

		place(cm, c, cs);
		if (c->placement != NPU_PLACE_NPU)
			continue;
		upload_tables(npu_bo_map(cm->weights), c);
		grown = realloc(streams, ssize + npu_cs_size(cs));
		if (!grown) {
			ret = npu_fail(NPU_E_NOMEM, "out of memory");
			goto fail;
		}
		streams = grown;
		memcpy(streams + ssize, npu_cs_data(cs), npu_cs_size(cs));
		c->cmd_off = (uint32_t)ssize;
		c->cmd_size = (uint32_t)npu_cs_size(cs);
		ssize += npu_cs_size(cs);
	}
	ret = npu_bo_create(dev, ssize ? ssize : 4, NPU_BO_DEVICE_READONLY, &cm->cmd);
	if (ret)
		goto fail;
	if (ssize)
		memcpy(npu_bo_map(cm->cmd), streams, ssize);
	free(streams);
	npu_cs_destroy(cs);
	*model = cm;
	return 0;
fail:
	free(streams);
	npu_cs_destroy(cs);
	npu_compiled_model_free(cm);
	return ret;
}

void npu_compiled_model_free(struct npu_compiled_model *cm)
{
	if (!cm)
		return;
	npu_bo_destroy(cm->cmd);
	npu_bo_destroy(cm->act);
	npu_bo_destroy(cm->weights);
	npu_int8_model_free(cm->lowered);
	free(cm->ops);
	free(cm);
}

size_t npu_compiled_num_ops(const struct npu_compiled_model *cm)
{
	return cm ? cm->n_ops : 0;
}

int npu_compiled_op_info(const struct npu_compiled_model *cm, size_t index,
			 struct npu_op_info *info)
{
	const struct compiled_op *c;

	if (!cm || !info || index >= cm->n_ops)
		return npu_fail(NPU_E_INVALID, "op info: bad argument");
	c = &cm->ops[index];
	info->op = npu_node_op_name(c->op->node->op);
	info->name = c->op->node->name ? c->op->node->name : "";
	info->placement = c->placement;
	info->reason = c->reason;
	info->segment = c->placement == NPU_PLACE_NPU ? (uint32_t)index : UINT32_MAX;
	info->tiles = c->tiles;
	info->stream_bytes = c->cmd_size;
	return 0;
}

int npu_compiled_op_profile(const struct npu_compiled_model *cm, size_t index,
			    struct npu_op_profile *profile)
{
	if (!cm || !profile || index >= cm->n_ops)
		return npu_fail(NPU_E_INVALID, "op profile: bad argument");
	memset(profile, 0, sizeof(*profile));
	memcpy(profile->counters, cm->ops[index].counters, sizeof(cm->ops[index].counters));
	return 0;
}

void npu_compiled_profile_reset(struct npu_compiled_model *cm)
{
	for (size_t i = 0; cm && i < cm->n_ops; i++)
		memset(cm->ops[i].counters, 0, sizeof(cm->ops[i].counters));
}

size_t npu_compiled_num_segments(const struct npu_compiled_model *cm)
{
	size_t n = 0;

	for (size_t i = 0; cm && i < cm->n_ops; i++)
		n += cm->ops[i].placement == NPU_PLACE_NPU;
	return n;
}

const struct npu_graph *npu_compiled_graph(const struct npu_compiled_model *cm)
{
	return cm ? cm->lowered->graph : NULL;
}

int npu_compiled_save(const struct npu_compiled_model *cm, const char *path)
{
	(void)cm;
	(void)path;
	return npu_fail(NPU_E_UNSUPPORTED, "save: not yet");
}

int npu_compiled_load(const char *path, struct npu_device *dev,
		      struct npu_compiled_model **model)
{
	(void)path;
	(void)dev;
	(void)model;
	return npu_fail(NPU_E_UNSUPPORTED, "load: not yet");
}

/* Run op c's segment once over the operands already in the activation buffer. */
static int run_job(struct npu_compiled_model *cm, struct compiled_op *c)
{
	const struct npu_job job = { cm->cmd, c->cmd_off, c->cmd_size };
	struct npu_job_result res;
	int ret = npu_job_run(cm->dev, &job, JOB_TIMEOUT_MS, &res);

	if (ret == NPU_E_JOB)
		return npu_fail(ret, "%s job: %s", kind_name(c->op->kind),
				npu_job_status_str(res.status));
	for (unsigned int k = 0; !ret && k < NPU_PERF_JOBS; k++)
		c->counters[k] += res.counters[k];
	return ret;
}

/* npu_lower_run's hook: NPU operations on the device, the rest on the CPU kernels. */
static int run_placed(void *ctx, size_t index, const struct npu_value *values,
		      struct npu_value *y)
{
	struct npu_compiled_model *cm = ctx;
	struct compiled_op *c = &cm->ops[index];
	const struct npu_value *x = &values[c->op->in[0]->index];
	uint8_t *act = npu_bo_map(cm->act);
	int ret = 0;

	if (c->placement != NPU_PLACE_NPU)
		return npu_lower_run_op(c->op, values, y);
	if (c->op->kind == NPU_LOWER_CONV || c->op->kind == NPU_LOWER_POOL) {
		/* NHWC, one image per job, as the device's CONV and POOL take it. */
		const size_t in_c = (size_t)x->dims[1], in_hw = (size_t)(x->dims[2] * x->dims[3]);
		const size_t out_c = (size_t)y->dims[1], out_hw = (size_t)(y->dims[2] * y->dims[3]);

		for (int64_t b = 0; !ret && b < x->dims[0]; b++) {
			npu_lower_relayout((const uint8_t *)x->data + b * in_c * in_hw,
					   act + c->a_off, in_c, in_hw, 1);
			ret = run_job(cm, c);
			npu_lower_relayout(act + c->o_off, (uint8_t *)y->data + b * out_c * out_hw,
					   out_c, out_hw, 0);
		}
		return ret;
	}
	memcpy(act + c->a_off, x->data, npu_value_numel(x));
	if (c->op->kind == NPU_LOWER_ELTWISE)
		memcpy(act + c->b_in_off, values[c->op->in[1]->index].data, npu_value_numel(x));
	ret = run_job(cm, c);
	memcpy(y->data, act + c->o_off, npu_value_numel(y));
	return ret;
}

int npu_model_run(struct npu_compiled_model *cm, struct npu_device *dev,
		  const struct npu_value *inputs, struct npu_value *outputs)
{
	if (!cm || dev != cm->dev)
		return npu_fail(NPU_E_INVALID, "model run: not the device the model was "
				"compiled for");
	return npu_lower_run(cm->lowered, inputs, outputs, run_placed, cm);
}
