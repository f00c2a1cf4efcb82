// SPDX-License-Identifier: MIT
/*
 * ELTWISE reference kernel: quantized ADD and MUL of two tensors, B
 * optionally broadcast along the channels, as struct npu_cmd_eltwise
 * describes them.
 */
#include <stddef.h>

#include "npu/error.h"
#include "npu/kernels.h"
#include "npu_arith.h"
#include "npu_cmd.h"

/* Apply the device's rules: the equivalent command, output at 0, inputs after it. */
static int npu_eltwise_check(const struct npu_eltwise_params *p)
{
	uint64_t in_at = ((uint64_t)p->count + 3) & ~3ull;
	struct npu_cmd_eltwise cmd = {
		.hdr = NPU_CMD_HDR(NPU_OP_ELTWISE, sizeof(struct npu_cmd_eltwise) / 4),
		.flags = p->flags,
		.op = p->op,
		.count = p->count, .channels = p->channels,
		.a_zp = p->a_zp, .b_zp = p->b_zp, .out_zp = p->out_zp,
		.left_shift = p->left_shift,
		.act_min = p->act_min, .act_max = p->act_max,
		.a_quant = p->a_quant, .b_quant = p->b_quant, .out_quant = p->out_quant,
	};
	struct npu_cmd_info info;

	if (in_at > UINT32_MAX)
		return NPU_E_INVALID;
	cmd.out_addr = 0;
	cmd.a_addr = (uint32_t)in_at;
	cmd.b_addr = (uint32_t)in_at;
	if (npu_cmd_check((const uint32_t *)&cmd, sizeof(cmd) / 4, UINT32_MAX, &info))
		return NPU_E_INVALID;
	return 0;
}

/* The operation proper, on params that passed npu_eltwise_check(). */
static int npu_eltwise_run(const struct npu_eltwise_params *p)
{
	const int is_add = p->op == NPU_ELTWISE_ADD;
	const int a_u8 = !!(p->flags & NPU_F_IN_U8);
	const int b_u8 = !!(p->flags & NPU_F_B_U8);
	const int broadcast = !!(p->flags & NPU_F_B_BROADCAST);
	const size_t count = p->count, channels = p->channels;
	const int32_t a_zp = p->a_zp, b_zp = p->b_zp, out_zp = p->out_zp;
	/* (x - zp) << left_shift as a product: x - zp may be negative. */
	const int32_t left_scale = (int32_t)1 << p->left_shift;
	const int32_t act_min = p->act_min, act_max = p->act_max;
	const struct npu_quant a_quant = p->a_quant, b_quant = p->b_quant;
	const struct npu_quant out_quant = p->out_quant;
	const uint8_t *const a = p->a;
	const uint8_t *const b = p->b;
	uint8_t *const output = p->output;

	for (size_t i = 0; i < count; i++) {
		const int32_t a_val = npu_q8_value(a[i], a_u8) - a_zp;
		const int32_t b_val = npu_q8_value(b[broadcast ? i % channels : i], b_u8) - b_zp;
		int32_t result;

		if (is_add) {
			const int32_t a_scaled = npu_requantize(a_val * left_scale,
								a_quant.multiplier,
								a_quant.shift);
			const int32_t b_scaled = npu_requantize(b_val * left_scale,
								b_quant.multiplier,
								b_quant.shift);

			result = npu_requantize(npu_wrap_add(a_scaled, b_scaled),
						out_quant.multiplier, out_quant.shift);
		} else {
			result = npu_requantize(a_val * b_val, out_quant.multiplier,
						out_quant.shift);
		}
		output[i] = (uint8_t)npu_output_stage(result, out_zp, act_min, act_max);
	}
	return 0;
}

int npu_kernel_eltwise(const struct npu_eltwise_params *p)
{
	if (!p || !p->a || !p->b || !p->output)
		return NPU_E_INVALID;
	if (npu_eltwise_check(p))
		return NPU_E_INVALID;
	return npu_eltwise_run(p);
}
