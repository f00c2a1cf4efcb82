// SPDX-License-Identifier: MIT
/*
 * Device commands on the CPU: each reads its operands from, and writes
 * its output to, a host buffer laid out as the device's SRAM, exactly
 * where the command's SRAM addresses say.  The same bounds as on the
 * device apply (npu_cmd_check), so a command that would fault there is
 * refused here.
 */
#include <string.h>

#include "npu/error.h"
#include "npu/kernels.h"
#include "npu_cmd.h"

/* Check a header-less command copy against an SRAM of sram_size bytes. */
static int npu_kernel_cmd_check(void *copy, uint32_t opcode, size_t bytes, uint32_t sram_size)
{
	struct npu_cmd_info info;

	*(uint32_t *)copy = NPU_CMD_HDR(opcode, bytes / 4);
	return npu_cmd_check(copy, (uint32_t)(bytes / 4), sram_size, &info) ? NPU_E_COMMAND : 0;
}

int npu_kernel_conv_cmd(const struct npu_cmd_conv *cmd, uint8_t *sram, uint32_t sram_size)
{
	struct npu_cmd_conv c = *cmd;
	struct npu_conv_params p;

	if (npu_kernel_cmd_check(&c, NPU_OP_CONV, sizeof(c), sram_size))
		return NPU_E_COMMAND;
	memset(&p, 0, sizeof(p));
	p.flags = c.flags;
	p.in_h = c.in_h;
	p.in_w = c.in_w;
	p.in_c = c.in_c;
	p.groups = c.groups;
	p.out_h = c.out_h;
	p.out_w = c.out_w;
	p.out_c = c.out_c;
	p.kernel_h = c.kernel_h;
	p.kernel_w = c.kernel_w;
	p.stride_h = c.stride_h;
	p.stride_w = c.stride_w;
	p.dilation_h = c.dilation_h;
	p.dilation_w = c.dilation_w;
	p.pad_top = c.pad_top;
	p.pad_bottom = c.pad_bottom;
	p.pad_left = c.pad_left;
	p.pad_right = c.pad_right;
	p.in_zp = c.in_zp;
	p.out_zp = c.out_zp;
	p.act_min = c.act_min;
	p.act_max = c.act_max;
	p.quant = c.quant;
	p.input = sram + c.in_addr;
	p.weights = (const int8_t *)(sram + c.wt_addr);
	p.bias = c.flags & NPU_F_BIAS ? (const int32_t *)(sram + c.bias_addr) : NULL;
	p.channel_quant = c.flags & NPU_F_PER_CHANNEL ?
			  (const struct npu_quant *)(sram + c.quant_addr) : NULL;
	p.output = sram + c.out_addr;
	return npu_kernel_conv(&p);
}

int npu_kernel_matmul_cmd(const struct npu_cmd_matmul *cmd, uint8_t *sram, uint32_t sram_size)
{
	struct npu_cmd_matmul c = *cmd;
	struct npu_matmul_params p;

	if (npu_kernel_cmd_check(&c, NPU_OP_MATMUL, sizeof(c), sram_size))
		return NPU_E_COMMAND;
	memset(&p, 0, sizeof(p));
	p.flags = c.flags;
	p.m = c.m;
	p.k = c.k;
	p.n = c.n;
	p.in_zp = c.in_zp;
	p.out_zp = c.out_zp;
	p.act_min = c.act_min;
	p.act_max = c.act_max;
	p.quant = c.quant;
	p.input = sram + c.in_addr;
	p.weights = (const int8_t *)(sram + c.wt_addr);
	p.bias = c.flags & NPU_F_BIAS ? (const int32_t *)(sram + c.bias_addr) : NULL;
	p.channel_quant = c.flags & NPU_F_PER_CHANNEL ?
			  (const struct npu_quant *)(sram + c.quant_addr) : NULL;
	p.output = sram + c.out_addr;
	return npu_kernel_matmul(&p);
}

int npu_kernel_pool_cmd(const struct npu_cmd_pool *cmd, uint8_t *sram, uint32_t sram_size)
{
	struct npu_cmd_pool c = *cmd;
	struct npu_pool_params p;

	if (npu_kernel_cmd_check(&c, NPU_OP_POOL, sizeof(c), sram_size))
		return NPU_E_COMMAND;
	memset(&p, 0, sizeof(p));
	p.flags = c.flags;
	p.mode = c.mode;
	p.in_h = c.in_h;
	p.in_w = c.in_w;
	p.channels = c.channels;
	p.out_h = c.out_h;
	p.out_w = c.out_w;
	p.kernel_h = c.kernel_h;
	p.kernel_w = c.kernel_w;
	p.stride_h = c.stride_h;
	p.stride_w = c.stride_w;
	p.pad_top = c.pad_top;
	p.pad_bottom = c.pad_bottom;
	p.pad_left = c.pad_left;
	p.pad_right = c.pad_right;
	p.in_zp = c.in_zp;
	p.out_zp = c.out_zp;
	p.act_min = c.act_min;
	p.act_max = c.act_max;
	p.quant = c.quant;
	p.input = sram + c.in_addr;
	p.output = sram + c.out_addr;
	return npu_kernel_pool(&p);
}

int npu_kernel_eltwise_cmd(const struct npu_cmd_eltwise *cmd, uint8_t *sram,
			   uint32_t sram_size)
{
	struct npu_cmd_eltwise c = *cmd;
	struct npu_eltwise_params p;

	if (npu_kernel_cmd_check(&c, NPU_OP_ELTWISE, sizeof(c), sram_size))
		return NPU_E_COMMAND;
	memset(&p, 0, sizeof(p));
	p.flags = c.flags;
	p.op = c.op;
	p.count = c.count;
	p.channels = c.channels;
	p.a_zp = c.a_zp;
	p.b_zp = c.b_zp;
	p.out_zp = c.out_zp;
	p.left_shift = c.left_shift;
	p.act_min = c.act_min;
	p.act_max = c.act_max;
	p.a_quant = c.a_quant;
	p.b_quant = c.b_quant;
	p.out_quant = c.out_quant;
	p.a = sram + c.a_addr;
	p.b = sram + c.b_addr;
	p.output = sram + c.out_addr;
	return npu_kernel_eltwise(&p);
}

int npu_kernel_lut_cmd(const struct npu_cmd_lut *cmd, uint8_t *sram, uint32_t sram_size)
{
	struct npu_cmd_lut c = *cmd;
	struct npu_lut_params p;

	if (npu_kernel_cmd_check(&c, NPU_OP_LUT, sizeof(c), sram_size))
		return NPU_E_COMMAND;
	memset(&p, 0, sizeof(p));
	p.flags = c.flags;
	p.count = c.count;
	p.input = sram + c.in_addr;
	p.table = sram + c.table_addr;
	p.output = sram + c.out_addr;
	return npu_kernel_lut(&p);
}
