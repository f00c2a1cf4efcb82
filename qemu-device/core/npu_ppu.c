// SPDX-License-Identifier: MIT
/*
 * The post-processing unit: POOL, ELTWISE and LUT.  It has one lane per
 * MAC-array column; the lane count only enters the cycle model.
 */
#include "npu_arith.h"
#include "npu_core_internal.h"

static uint64_t npu_ceil_div(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* A stored byte as the value of its type. */
static int32_t npu_value(uint8_t byte, bool is_u8)
{
	return is_u8 ? byte : (int8_t)byte;
}

static void npu_pool(struct npu_core *core, const struct npu_cmd_pool *c)
{
	const bool in_u8 = c->flags & NPU_F_IN_U8;
	const bool global = c->mode == NPU_POOL_GLOBAL_AVG;
	const uint32_t kh = global ? c->in_h : c->kernel_h;
	const uint32_t kw = global ? c->in_w : c->kernel_w;
	const uint8_t *in = core->sram + c->in_addr;
	uint8_t *out = core->sram + c->out_addr;
	int32_t *acc = core->scratch_acc;
	uint32_t oy, ox, ky, kx, ch;

	for (oy = 0; oy < c->out_h && !npu_core_aborting(core); oy++) {
		for (ox = 0; ox < c->out_w; ox++) {
			int32_t count = 0;

			for (ch = 0; ch < c->channels; ch++)
				acc[ch] = c->mode == NPU_POOL_MAX ? INT32_MIN : 0;
			for (ky = 0; ky < kh; ky++) {
				int32_t iy = (int32_t)(oy * c->stride_h + ky) - c->pad_top;

				for (kx = 0; kx < kw; kx++) {
					int32_t ix = (int32_t)(ox * c->stride_w + kx) - c->pad_left;
					const uint8_t *x;

					if (global) {
						iy = (int32_t)ky;
						ix = (int32_t)kx;
					}
					if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w)
						continue;
					count++;
					x = in + ((uint32_t)iy * c->in_w + (uint32_t)ix) * c->channels;
					if (c->mode == NPU_POOL_MAX) {
						for (ch = 0; ch < c->channels; ch++) {
							int32_t v = npu_value(x[ch], in_u8);

							if (v > acc[ch])
								acc[ch] = v;
						}
					} else {
						for (ch = 0; ch < c->channels; ch++)
							acc[ch] += npu_value(x[ch], in_u8) - c->in_zp;
					}
				}
			}
			if (c->flags & NPU_F_COUNT_PAD)
				count = (int32_t)(kh * kw);
			for (ch = 0; ch < c->channels; ch++) {
				int32_t r = c->mode == NPU_POOL_MAX ? acc[ch] - c->in_zp :
					    npu_rounding_div(acc[ch], count);

				r = npu_requantize(r, c->quant.multiplier, c->quant.shift);
				out[(oy * c->out_w + ox) * c->channels + ch] =
					(uint8_t)npu_output_stage(r, c->out_zp, c->act_min, c->act_max);
			}
		}
	}
}

static void npu_eltwise(struct npu_core *core, const struct npu_cmd_eltwise *c)
{
	const bool a_u8 = c->flags & NPU_F_IN_U8, b_u8 = c->flags & NPU_F_B_U8;
	const bool broadcast = c->flags & NPU_F_B_BROADCAST;
	const uint8_t *a = core->sram + c->a_addr, *b = core->sram + c->b_addr;
	uint8_t *out = core->sram + c->out_addr;
	uint32_t i, bi = 0;

	/* Exact in-place aliasing is allowed: element i is read before it is written. */
	for (i = 0; i < c->count; i++) {
		int32_t av = npu_value(a[i], a_u8) - c->a_zp;
		int32_t bv = npu_value(b[bi], b_u8) - c->b_zp;
		int32_t r;

		if (c->op == NPU_ELTWISE_ADD) {
			av = npu_requantize(av * (1 << c->left_shift), c->a_quant.multiplier,
					    c->a_quant.shift);
			bv = npu_requantize(bv * (1 << c->left_shift), c->b_quant.multiplier,
					    c->b_quant.shift);
			r = npu_wrap_add(av, bv);
		} else {
			r = av * bv;
		}
		r = npu_requantize(r, c->out_quant.multiplier, c->out_quant.shift);
		out[i] = (uint8_t)npu_output_stage(r, c->out_zp, c->act_min, c->act_max);
		if (broadcast) {
			if (++bi == c->channels)
				bi = 0;
		} else {
			bi++;
		}
	}
}

static void npu_lut(struct npu_core *core, const struct npu_cmd_lut *c)
{
	const uint8_t *in = core->sram + c->in_addr, *table = core->sram + c->table_addr;
	const uint8_t bias = c->flags & NPU_F_IN_U8 ? 0 : 0x80;
	uint8_t *out = core->sram + c->out_addr;
	uint32_t i;

	for (i = 0; i < c->count; i++)
		out[i] = table[(uint8_t)(in[i] ^ bias)];
}

enum npu_err npu_ppu_execute(struct npu_core *core, const uint32_t *cmd)
{
	switch (NPU_CMD_OPCODE(cmd[0])) {
	case NPU_OP_POOL:
		npu_pool(core, (const struct npu_cmd_pool *)cmd);
		break;
	case NPU_OP_ELTWISE:
		npu_eltwise(core, (const struct npu_cmd_eltwise *)cmd);
		break;
	default:
		npu_lut(core, (const struct npu_cmd_lut *)cmd);
		break;
	}
	return NPU_OK;
}

/* One element per lane per cycle; pooling takes one cycle per tap. */
uint64_t npu_ppu_cycles(const struct npu_core *core, const uint32_t *cmd)
{
	const uint64_t lanes = core->cfg.mac_cols;

	switch (NPU_CMD_OPCODE(cmd[0])) {
	case NPU_OP_POOL: {
		const struct npu_cmd_pool *c = (const struct npu_cmd_pool *)cmd;

		if (c->mode == NPU_POOL_GLOBAL_AVG)
			return (uint64_t)c->in_h * c->in_w * npu_ceil_div(c->channels, lanes);
		return (uint64_t)c->out_h * c->out_w * c->kernel_h * c->kernel_w *
		       npu_ceil_div(c->channels, lanes);
	}
	case NPU_OP_ELTWISE:
		return npu_ceil_div(((const struct npu_cmd_eltwise *)cmd)->count, lanes);
	default:
		return npu_ceil_div(((const struct npu_cmd_lut *)cmd)->count, lanes);
	}
}
