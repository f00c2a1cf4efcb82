// SPDX-License-Identifier: MIT
/*
 * CONV reference kernel: NHWC, grouped/depthwise, strided, dilated,
 * padded 2-D convolution with int32 accumulation and requantization,
 * exactly as struct npu_cmd_conv describes it.
 */
#include <stddef.h>

#include "npu/error.h"
#include "npu/kernels.h"
#include "npu_arith.h"
#include "npu_cmd.h"

/*
 * Apply the device's rules to the shapes: the equivalent command, with
 * the output at SRAM address 0 and every input after it (inputs may
 * share bytes; the output may not), in the largest SRAM there is.
 */
static int npu_conv_check(const struct npu_conv_params *p)
{
	uint64_t out_len = (uint64_t)p->out_h * p->out_w * p->out_c;
	uint64_t in_at = (out_len + 3) & ~3ull;
	struct npu_cmd_conv cmd = {
		.hdr = NPU_CMD_HDR(NPU_OP_CONV, sizeof(struct npu_cmd_conv) / 4),
		.flags = p->flags,
		.in_h = p->in_h, .in_w = p->in_w, .in_c = p->in_c, .groups = p->groups,
		.out_h = p->out_h, .out_w = p->out_w, .out_c = p->out_c,
		.kernel_h = p->kernel_h, .kernel_w = p->kernel_w,
		.stride_h = p->stride_h, .stride_w = p->stride_w,
		.dilation_h = p->dilation_h, .dilation_w = p->dilation_w,
		.pad_top = p->pad_top, .pad_bottom = p->pad_bottom,
		.pad_left = p->pad_left, .pad_right = p->pad_right,
		.in_zp = p->in_zp, .out_zp = p->out_zp,
		.act_min = p->act_min, .act_max = p->act_max,
		.quant = p->quant,
	};
	struct npu_cmd_info info;

	if (in_at > UINT32_MAX)
		return NPU_E_INVALID;
	cmd.out_addr = 0;
	cmd.in_addr = (uint32_t)in_at;
	cmd.wt_addr = (uint32_t)in_at;
	cmd.bias_addr = p->bias ? (uint32_t)in_at : 0;
	cmd.quant_addr = p->channel_quant ? (uint32_t)in_at : 0;
	if (npu_cmd_check((const uint32_t *)&cmd, sizeof(cmd) / 4, UINT32_MAX, &info))
		return NPU_E_INVALID;
	return 0;
}

/*
 * The int32 sum over output (oy, ox, oc)'s window of (x - in_zp) * w,
 * wrapping like the hardware adders.  Padding taps are skipped: they
 * equal in_zp, so they add 0.
 */
static int32_t npu_conv_accumulate(const struct npu_conv_params *p, int oy, int ox, int oc)
{
	const int in_u8 = !!(p->flags & NPU_F_IN_U8);
	const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
	const int kernel_h = p->kernel_h, kernel_w = p->kernel_w;
	const int in_c_per_group = in_c / p->groups;
	const int out_c_per_group = p->out_c / p->groups;
	/* Output channel oc belongs to group oc / out_c_per_group. */
	const int ic0 = oc / out_c_per_group * in_c_per_group;
	const int in_y0 = oy * p->stride_h - p->pad_top;
	const int in_x0 = ox * p->stride_w - p->pad_left;
	const int32_t in_zp = p->in_zp;
	int32_t acc = 0;

	for (int ky = 0; ky < kernel_h; ky++) {
		const int in_y = in_y0 + ky * p->dilation_h;

		if (in_y < 0 || in_y >= in_h)
			continue;
		for (int kx = 0; kx < kernel_w; kx++) {
			const int in_x = in_x0 + kx * p->dilation_w;
			const uint8_t *in_px;
			const int8_t *wt_px;

			if (in_x < 0 || in_x >= in_w)
				continue;
			in_px = &p->input[((size_t)in_y * in_w + in_x) * in_c + ic0];
			wt_px = &p->weights[(((size_t)oc * kernel_h + ky) * kernel_w + kx) *
					    in_c_per_group];
			for (int ic = 0; ic < in_c_per_group; ic++) {
				const int32_t x = npu_q8_value(in_px[ic], in_u8);

				acc = npu_wrap_add(acc, (x - in_zp) * wt_px[ic]);
			}
		}
	}
	return acc;
}

/* The convolution proper, on params that passed npu_conv_check(). */
static int npu_conv_run(const struct npu_conv_params *p)
{
	const int out_h = p->out_h, out_w = p->out_w, out_c = p->out_c;
	const int32_t out_zp = p->out_zp;
	const int32_t act_min = p->act_min, act_max = p->act_max;
	const int32_t *const bias = p->bias;
	const struct npu_quant *const channel_quant = p->channel_quant;
	uint8_t *const output = p->output;

	/* The device reads the table at run time and refuses a bad entry. */
	if (channel_quant)
		for (int oc = 0; oc < out_c; oc++)
			if (!npu_quant_valid(&channel_quant[oc]))
				return NPU_E_INVALID;

	for (int oy = 0; oy < out_h; oy++) {
		for (int ox = 0; ox < out_w; ox++) {
			for (int oc = 0; oc < out_c; oc++) {
				const struct npu_quant q = channel_quant ?
					channel_quant[oc] : p->quant;
				const int32_t acc = npu_conv_accumulate(p, oy, ox, oc);

				output[((size_t)oy * out_w + ox) * out_c + oc] =
					npu_mac_output(acc, bias ? bias[oc] : 0, q.multiplier,
						       q.shift, out_zp, act_min, act_max);
			}
		}
	}
	return 0;
}

int npu_kernel_conv(const struct npu_conv_params *p)
{
	if (!p || !p->input || !p->weights || !p->output)
		return NPU_E_INVALID;
	if (!(p->flags & NPU_F_BIAS) != !p->bias ||
	    !(p->flags & NPU_F_PER_CHANNEL) != !p->channel_quant)
		return NPU_E_INVALID;
	if (npu_conv_check(p))
		return NPU_E_INVALID;
	return npu_conv_run(p);
}
