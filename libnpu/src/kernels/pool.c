// SPDX-License-Identifier: MIT
/*
 * POOL reference kernel: MAX, AVG and GLOBAL_AVG over NHWC windows, as
 * struct npu_cmd_pool describes them.
 */
#include <stddef.h>

#include "npu/error.h"
#include "npu/kernels.h"
#include "npu_arith.h"
#include "npu_cmd.h"

/* Apply the device's rules: the equivalent command, output at 0, input after it. */
static int npu_pool_check(const struct npu_pool_params *p)
{
	uint64_t out_len = (uint64_t)p->out_h * p->out_w * p->channels;
	uint64_t in_at = (out_len + 3) & ~3ull;
	struct npu_cmd_pool cmd = {
		.hdr = NPU_CMD_HDR(NPU_OP_POOL, sizeof(struct npu_cmd_pool) / 4),
		.flags = p->flags,
		.mode = p->mode,
		.in_h = p->in_h, .in_w = p->in_w, .channels = p->channels,
		.out_h = p->out_h, .out_w = p->out_w,
		.kernel_h = p->kernel_h, .kernel_w = p->kernel_w,
		.stride_h = p->stride_h, .stride_w = p->stride_w,
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
	if (npu_cmd_check((const uint32_t *)&cmd, sizeof(cmd) / 4, UINT32_MAX, &info))
		return NPU_E_INVALID;
	return 0;
}

/*
 * The value requantized for output (oy, ox, c): MAX's max - in_zp, or
 * the rounded average of x - in_zp over the window.  Padding taps are
 * skipped; with NPU_F_COUNT_PAD they still count (adding 0).
 */
static int32_t npu_pool_window(const struct npu_pool_params *p, int oy, int ox, int c)
{
	const int global = p->mode == NPU_POOL_GLOBAL_AVG;
	const int in_u8 = !!(p->flags & NPU_F_IN_U8);
	const int in_h = p->in_h, in_w = p->in_w, channels = p->channels;
	/* GLOBAL_AVG is AVG with one window covering the whole input. */
	const int kernel_h = global ? in_h : p->kernel_h;
	const int kernel_w = global ? in_w : p->kernel_w;
	const int in_y0 = oy * p->stride_h - p->pad_top;
	const int in_x0 = ox * p->stride_w - p->pad_left;
	const int32_t in_zp = p->in_zp;
	int32_t max = INT32_MIN, sum = 0, valid_taps = 0;

	for (int ky = 0; ky < kernel_h; ky++) {
		const int in_y = in_y0 + ky;

		if (in_y < 0 || in_y >= in_h)
			continue;
		for (int kx = 0; kx < kernel_w; kx++) {
			const int in_x = in_x0 + kx;
			int32_t x;

			if (in_x < 0 || in_x >= in_w)
				continue;
			x = npu_q8_value(p->input[((size_t)in_y * in_w + in_x) * channels + c],
					 in_u8);
			if (x > max)
				max = x;
			sum = npu_wrap_add(sum, x - in_zp);
			valid_taps++;
		}
	}
	/* The check leaves every window a real tap: valid_taps > 0. */
	if (p->mode == NPU_POOL_MAX)
		return max - in_zp;
	if (p->flags & NPU_F_COUNT_PAD)
		return npu_rounding_div(sum, kernel_h * kernel_w);
	return npu_rounding_div(sum, valid_taps);
}

/* The pooling proper, on params that passed npu_pool_check(). */
static int npu_pool_run(const struct npu_pool_params *p)
{
	const int out_h = p->out_h, out_w = p->out_w, channels = p->channels;
	const int32_t out_zp = p->out_zp;
	const int32_t act_min = p->act_min, act_max = p->act_max;
	const struct npu_quant quant = p->quant;
	uint8_t *const output = p->output;

	for (int oy = 0; oy < out_h; oy++) {
		for (int ox = 0; ox < out_w; ox++) {
			for (int c = 0; c < channels; c++) {
				int32_t result = npu_pool_window(p, oy, ox, c);

				result = npu_requantize(result, quant.multiplier, quant.shift);
				output[((size_t)oy * out_w + ox) * channels + c] =
					(uint8_t)npu_output_stage(result, out_zp, act_min, act_max);
			}
		}
	}
	return 0;
}

int npu_kernel_pool(const struct npu_pool_params *p)
{
	if (!p || !p->input || !p->output)
		return NPU_E_INVALID;
	if (npu_pool_check(p))
		return NPU_E_INVALID;
	return npu_pool_run(p);
}
