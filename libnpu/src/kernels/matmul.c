// SPDX-License-Identifier: MIT
/*
 * MATMUL reference kernel: out[m][n] = requant(bias[n] +
 * sum_k (in[m][k] - in_zp) * wt[n][k]), as struct npu_cmd_matmul
 * describes it.
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
static int npu_matmul_check(const struct npu_matmul_params *p)
{
	uint64_t out_len = (uint64_t)p->m * p->n;
	uint64_t in_at = (out_len + 3) & ~3ull;
	struct npu_cmd_matmul cmd = {
		.hdr = NPU_CMD_HDR(NPU_OP_MATMUL, sizeof(struct npu_cmd_matmul) / 4),
		.flags = p->flags,
		.m = p->m, .k = p->k, .n = p->n,
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

/* The product proper, on params that passed npu_matmul_check(). */
static int npu_matmul_run(const struct npu_matmul_params *p)
{
	const int in_u8 = !!(p->flags & NPU_F_IN_U8);
	const size_t rows = p->m, depth = p->k, cols = p->n;
	const int32_t in_zp = p->in_zp, out_zp = p->out_zp;
	const int32_t act_min = p->act_min, act_max = p->act_max;
	const uint8_t *const input = p->input;
	const int8_t *const weights = p->weights;
	const int32_t *const bias = p->bias;
	const struct npu_quant *const channel_quant = p->channel_quant;
	uint8_t *const output = p->output;

	/* The device reads the table at run time and refuses a bad entry. */
	if (channel_quant)
		for (size_t col = 0; col < cols; col++)
			if (!npu_quant_valid(&channel_quant[col]))
				return NPU_E_INVALID;

	for (size_t row = 0; row < rows; row++) {
		for (size_t col = 0; col < cols; col++) {
			const struct npu_quant q = channel_quant ? channel_quant[col] : p->quant;
			int32_t acc = 0;

			for (size_t i = 0; i < depth; i++) {
				const int32_t x = npu_q8_value(input[row * depth + i], in_u8);

				acc = npu_wrap_add(acc, (x - in_zp) * weights[col * depth + i]);
			}
			output[row * cols + col] =
				npu_mac_output(acc, bias ? bias[col] : 0, q.multiplier, q.shift,
					       out_zp, act_min, act_max);
		}
	}
	return 0;
}

int npu_kernel_matmul(const struct npu_matmul_params *p)
{
	if (!p || !p->input || !p->weights || !p->output)
		return NPU_E_INVALID;
	if (!(p->flags & NPU_F_BIAS) != !p->bias ||
	    !(p->flags & NPU_F_PER_CHANNEL) != !p->channel_quant)
		return NPU_E_INVALID;
	if (npu_matmul_check(p))
		return NPU_E_INVALID;
	return npu_matmul_run(p);
}
