// SPDX-License-Identifier: MIT
/*
 * The MAC array: CONV and MATMUL, with the output stage (bias,
 * requantization, zero point, clamp) that follows it in the pipeline.
 *
 * Functionally the result is exactly docs/hw-spec.md's arithmetic; the
 * loops are arranged for the host's vector units (inputs widened to
 * int16 with the zero point already subtracted, contiguous dot
 * products), which keeps the emulation fast.  The array geometry only
 * enters the cycle count.
 */
#include <string.h>

#include "npu_arith.h"
#include "npu_core_internal.h"

static uint64_t npu_ceil_div(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static uint32_t npu_sram_le32(const struct npu_core *core, uint32_t addr)
{
	const uint8_t *p = core->sram + addr;

	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The (multiplier, shift) of output channel `oc`. */
static struct npu_quant npu_channel_quant(const struct npu_core *core, uint32_t flags,
					  uint32_t quant_addr, const struct npu_quant *tensor,
					  uint32_t oc)
{
	struct npu_quant q = *tensor;

	if (flags & NPU_F_PER_CHANNEL) {
		q.multiplier = (int32_t)npu_sram_le32(core, quant_addr + 8 * oc);
		q.shift = (int32_t)npu_sram_le32(core, quant_addr + 8 * oc + 4);
	}
	return q;
}

/* Per-channel tables are data, so they are checked before any output is written. */
static enum npu_err npu_check_channel_quant(const struct npu_core *core, uint32_t flags,
					    uint32_t quant_addr, uint32_t channels)
{
	const struct npu_quant none = { 0, 0 };
	uint32_t oc;

	if (!(flags & NPU_F_PER_CHANNEL))
		return NPU_OK;
	for (oc = 0; oc < channels; oc++) {
		struct npu_quant q = npu_channel_quant(core, flags, quant_addr, &none, oc);

		if (!npu_quant_valid(&q))
			return NPU_ERR_FIELD;
	}
	return NPU_OK;
}

/* Widen `n` input bytes at `addr` to int16 minus the zero point. */
static void npu_widen_input(const struct npu_core *core, int16_t *dst, uint32_t addr,
			    uint32_t n, bool is_u8, int32_t zp)
{
	const uint8_t *src = core->sram + addr;
	uint32_t i;

	if (is_u8)
		for (i = 0; i < n; i++)
			dst[i] = (int16_t)(src[i] - zp);
	else
		for (i = 0; i < n; i++)
			dst[i] = (int16_t)((int8_t)src[i] - zp);
}

/*
 * acc[j] = a . b[j] for `rows` weight rows `n` apart, four at a time so
 * every load of `a` feeds four multiply-adds.
 */
static void npu_dot_rows(const int16_t *a, const int16_t *b, uint32_t n, uint32_t rows,
			 int32_t *acc)
{
	uint32_t r = 0, i;

	for (; r + 4 <= rows; r += 4) {
		const int16_t *b0 = b + r * n, *b1 = b0 + n, *b2 = b1 + n, *b3 = b2 + n;
		int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

		for (i = 0; i < n; i++) {
			int32_t x = a[i];

			s0 += x * b0[i];
			s1 += x * b1[i];
			s2 += x * b2[i];
			s3 += x * b3[i];
		}
		acc[r] = s0;
		acc[r + 1] = s1;
		acc[r + 2] = s2;
		acc[r + 3] = s3;
	}
	for (; r < rows; r++) {
		const int16_t *b0 = b + r * n;
		int32_t s0 = 0;

		for (i = 0; i < n; i++)
			s0 += a[i] * b0[i];
		acc[r] = s0;
	}
}

/* Bias, requantization, zero point and clamp for `n` accumulators. */
static void npu_output_stage_row(struct npu_core *core, const int32_t *acc, uint32_t n,
				 uint32_t flags, uint32_t bias_addr, uint32_t quant_addr,
				 const struct npu_quant *tensor, int32_t out_zp,
				 int32_t act_min, int32_t act_max, uint32_t out_addr)
{
	uint8_t *out = core->sram + out_addr;
	uint32_t oc;

	for (oc = 0; oc < n; oc++) {
		struct npu_quant q = npu_channel_quant(core, flags, quant_addr, tensor, oc);
		int32_t bias = flags & NPU_F_BIAS ?
			       (int32_t)npu_sram_le32(core, bias_addr + 4 * oc) : 0;

		out[oc] = npu_mac_output(acc[oc], bias, q.multiplier, q.shift, out_zp,
					 act_min, act_max);
	}
}

static void npu_conv_depthwise(struct npu_core *core, const struct npu_cmd_conv *c,
			       int16_t *in, int32_t *acc)
{
	const uint32_t kk = (uint32_t)c->kernel_h * c->kernel_w;
	const uint32_t ch_mult = c->out_c / c->groups;
	int16_t *wt = core->scratch_wt;
	const int8_t *w = (const int8_t *)(core->sram + c->wt_addr);
	uint32_t oy, ox, oc, tap;

	/* Weights tap-major so the channel loop below is contiguous. */
	for (oc = 0; oc < c->out_c; oc++)
		for (tap = 0; tap < kk; tap++)
			wt[tap * c->out_c + oc] = w[oc * kk + tap];

	for (oy = 0; oy < c->out_h; oy++) {
		for (ox = 0; ox < c->out_w; ox++) {
			if (npu_core_aborting(core))
				return;
			memset(acc, 0, c->out_c * sizeof(*acc));
			for (tap = 0; tap < kk; tap++) {
				int32_t iy = (int32_t)(oy * c->stride_h) - c->pad_top +
					     (int32_t)(tap / c->kernel_w) * c->dilation_h;
				int32_t ix = (int32_t)(ox * c->stride_w) - c->pad_left +
					     (int32_t)(tap % c->kernel_w) * c->dilation_w;
				const int16_t *x, *wrow = wt + tap * c->out_c;

				if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w)
					continue;
				x = in + ((uint32_t)iy * c->in_w + (uint32_t)ix) * c->in_c;
				if (ch_mult == 1) {
					for (oc = 0; oc < c->out_c; oc++)
						acc[oc] += x[oc] * wrow[oc];
				} else {
					for (oc = 0; oc < c->out_c; oc++)
						acc[oc] += x[oc / ch_mult] * wrow[oc];
				}
			}
			npu_output_stage_row(core, acc, c->out_c, c->flags, c->bias_addr,
					     c->quant_addr, &c->quant, c->out_zp, c->act_min,
					     c->act_max, c->out_addr +
					     (oy * c->out_w + ox) * c->out_c);
		}
	}
}

/*
 * Everything but depthwise: gather each window (per group) into one
 * contiguous patch, zeros standing in for padding taps (x - in_zp is 0
 * there, so they add nothing), then one long dot product per output
 * channel against its [kernel_h][kernel_w][in_c / groups] weights.
 */
static void npu_conv_general(struct npu_core *core, const struct npu_cmd_conv *c,
			     const int16_t *in, int32_t *acc)
{
	const uint32_t icg = c->in_c / c->groups, ocg = c->out_c / c->groups;
	const uint32_t depth = (uint32_t)c->kernel_h * c->kernel_w * icg;
	int16_t *wt = core->scratch_wt, *patch = core->scratch_patch;
	uint32_t oy, ox, ky, kx, g;

	npu_widen_input(core, wt, c->wt_addr, c->out_c * depth, false, 0);
	for (oy = 0; oy < c->out_h; oy++) {
		for (ox = 0; ox < c->out_w; ox++) {
			if (npu_core_aborting(core))
				return;
			for (g = 0; g < c->groups; g++) {
				int16_t *p = patch;

				for (ky = 0; ky < c->kernel_h; ky++) {
					int32_t iy = (int32_t)(oy * c->stride_h + ky * c->dilation_h) -
						     c->pad_top;

					for (kx = 0; kx < c->kernel_w; kx++, p += icg) {
						int32_t ix = (int32_t)(ox * c->stride_w +
								       kx * c->dilation_w) - c->pad_left;

						if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w)
							memset(p, 0, icg * sizeof(*p));
						else
							memcpy(p, in + ((uint32_t)iy * c->in_w +
								(uint32_t)ix) * c->in_c + g * icg,
							       icg * sizeof(*p));
					}
				}
				npu_dot_rows(patch, wt + g * ocg * depth, depth, ocg,
					     acc + g * ocg);
			}
			npu_output_stage_row(core, acc, c->out_c, c->flags, c->bias_addr,
					     c->quant_addr, &c->quant, c->out_zp, c->act_min,
					     c->act_max, c->out_addr +
					     (oy * c->out_w + ox) * c->out_c);
		}
	}
}

static enum npu_err npu_conv(struct npu_core *core, const struct npu_cmd_conv *c)
{
	enum npu_err err = npu_check_channel_quant(core, c->flags, c->quant_addr, c->out_c);

	if (err)
		return err;
	npu_widen_input(core, core->scratch_in, c->in_addr,
			(uint32_t)c->in_h * c->in_w * c->in_c, c->flags & NPU_F_IN_U8, c->in_zp);
	if (c->in_c == c->groups)
		npu_conv_depthwise(core, c, core->scratch_in, core->scratch_acc);
	else
		npu_conv_general(core, c, core->scratch_in, core->scratch_acc);
	return NPU_OK;
}

static enum npu_err npu_matmul(struct npu_core *core, const struct npu_cmd_matmul *c)
{
	enum npu_err err = npu_check_channel_quant(core, c->flags, c->quant_addr, c->n);
	int16_t *in = core->scratch_in, *wt = core->scratch_wt;
	int32_t *acc = core->scratch_acc;
	uint32_t m;

	if (err)
		return err;
	npu_widen_input(core, in, c->in_addr, c->m * c->k, c->flags & NPU_F_IN_U8, c->in_zp);
	npu_widen_input(core, wt, c->wt_addr, c->n * c->k, false, 0);
	for (m = 0; m < c->m && !npu_core_aborting(core); m++) {
		npu_dot_rows(in + m * c->k, wt, c->k, c->n, acc);
		npu_output_stage_row(core, acc, c->n, c->flags, c->bias_addr, c->quant_addr,
				     &c->quant, c->out_zp, c->act_min, c->act_max,
				     c->out_addr + m * c->n);
	}
	return NPU_OK;
}

enum npu_err npu_mac_execute(struct npu_core *core, const uint32_t *cmd)
{
	if (NPU_CMD_OPCODE(cmd[0]) == NPU_OP_CONV)
		return npu_conv(core, (const struct npu_cmd_conv *)cmd);
	return npu_matmul(core, (const struct npu_cmd_matmul *)cmd);
}

/*
 * Rows take the reduction (taps x input channels), columns the output
 * channels; one output pixel per pass.  Depthwise maps channels onto
 * columns and taps onto rows.
 */
uint64_t npu_mac_cycles(const struct npu_core *core, const uint32_t *cmd, uint64_t *macs)
{
	const uint64_t rows = core->cfg.mac_rows, cols = core->cfg.mac_cols;

	if (NPU_CMD_OPCODE(cmd[0]) == NPU_OP_CONV) {
		const struct npu_cmd_conv *c = (const struct npu_cmd_conv *)cmd;
		uint64_t pixels = (uint64_t)c->out_h * c->out_w;
		uint64_t kk = (uint64_t)c->kernel_h * c->kernel_w;
		uint64_t icg = c->in_c / c->groups, ocg = c->out_c / c->groups;

		*macs = pixels * c->out_c * kk * icg;
		if (icg == 1)
			return pixels * npu_ceil_div(c->out_c, cols) * npu_ceil_div(kk, rows);
		return pixels * c->groups * npu_ceil_div(ocg, cols) *
		       npu_ceil_div(kk * icg, rows);
	} else {
		const struct npu_cmd_matmul *c = (const struct npu_cmd_matmul *)cmd;

		*macs = (uint64_t)c->m * c->n * c->k;
		return (uint64_t)c->m * npu_ceil_div(c->n, cols) * npu_ceil_div(c->k, rows);
	}
}
