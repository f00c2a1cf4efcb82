// SPDX-License-Identifier: MIT
/* LUT reference kernel: out[i] = table[idx(in[i])], as struct npu_cmd_lut describes it. */
#include <stddef.h>

#include "npu/error.h"
#include "npu/kernels.h"
#include "npu_cmd.h"

/* Apply the device's rules: the equivalent command, output at 0, inputs after it. */
static int npu_lut_check(const struct npu_lut_params *p)
{
	uint64_t in_at = ((uint64_t)p->count + 3) & ~3ull;
	struct npu_cmd_lut cmd = {
		.hdr = NPU_CMD_HDR(NPU_OP_LUT, sizeof(struct npu_cmd_lut) / 4),
		.flags = p->flags,
		.count = p->count,
	};
	struct npu_cmd_info info;

	if (in_at > UINT32_MAX)
		return NPU_E_INVALID;
	cmd.out_addr = 0;
	cmd.in_addr = (uint32_t)in_at;
	cmd.table_addr = (uint32_t)in_at;
	if (npu_cmd_check((const uint32_t *)&cmd, sizeof(cmd) / 4, UINT32_MAX, &info))
		return NPU_E_INVALID;
	return 0;
}

/* The lookup proper, on params that passed npu_lut_check(). */
static int npu_lut_run(const struct npu_lut_params *p)
{
	const int in_u8 = !!(p->flags & NPU_F_IN_U8);
	const size_t count = p->count;
	const uint8_t *const input = p->input;
	const uint8_t *const table = p->table;
	uint8_t *const output = p->output;

	for (size_t i = 0; i < count; i++) {
		/* int8 x indexes x + 128: its byte with the sign bit flipped. */
		const uint8_t idx = in_u8 ? input[i] : (uint8_t)(input[i] ^ 0x80);

		output[i] = table[idx];
	}
	return 0;
}

int npu_kernel_lut(const struct npu_lut_params *p)
{
	if (!p || !p->input || !p->table || !p->output)
		return NPU_E_INVALID;
	if (npu_lut_check(p))
		return NPU_E_INVALID;
	return npu_lut_run(p);
}
