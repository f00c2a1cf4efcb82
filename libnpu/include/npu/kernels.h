/* SPDX-License-Identifier: MIT */
/*
 * npu/kernels.h - libnpu's int8 CPU kernels.
 *
 * One kernel per device compute command, computing exactly what the
 * command's comment in npu_hw.h says, bit for bit, with the arithmetic
 * of npu_arith.h.  They are libnpu's CPU fallback and the reference the
 * device core is tested against.  Tensors are NHWC and dense.
 *
 * Each params struct mirrors its command's fields, with pointers in
 * place of SRAM addresses.  Activation buffers are raw bytes, read as
 * int8 or uint8 according to the NPU_F_IN_U8 / NPU_F_B_U8 flags and
 * written as int8 or uint8 according to NPU_F_OUT_U8.
 *
 * A kernel returns 0, or NPU_E_INVALID, leaving the output untouched,
 * when a pointer it needs is NULL, when the fields break a rule the
 * device checks (npu_cmd_check() judges the equivalent command, with
 * the output at SRAM address 0 and the inputs after it in the largest
 * SRAM a device can have), or, for CONV and MATMUL, when a per-channel
 * quant entry is out of range.  NPU_F_BIAS and NPU_F_PER_CHANNEL must
 * be set exactly when `bias` / `channel_quant` are given; with
 * NPU_F_PER_CHANNEL `quant` must be zero, as in the command.
 *
 * The output must not overlap an input, except that ELTWISE and LUT may
 * run in place (output == a, or b without broadcast; output == input):
 * the same aliasing the device allows.
 *
 * This header includes "npu_hw.h" (in hw/: build with -Ihw).
 */
#ifndef NPU_KERNELS_H
#define NPU_KERNELS_H

#include <stdint.h>

#include "npu_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The value of one raw activation byte, uint8 if is_u8, else int8. */
static inline int32_t npu_q8_value(uint8_t raw, int is_u8)
{
	return is_u8 ? (int32_t)raw : (int32_t)(int8_t)raw;
}

/* CONV: see struct npu_cmd_conv.  Depthwise is groups == in_c. */
struct npu_conv_params {
	uint32_t flags;		/* NPU_F_IN_U8 | OUT_U8 | PER_CHANNEL | BIAS */
	uint16_t in_h, in_w, in_c, groups;
	uint16_t out_h, out_w, out_c;
	uint8_t kernel_h, kernel_w, stride_h, stride_w;
	uint8_t dilation_h, dilation_w;
	uint8_t pad_top, pad_bottom, pad_left, pad_right;
	int16_t in_zp, out_zp, act_min, act_max;
	struct npu_quant quant;			/* per-tensor */
	const uint8_t *input;			/* [in_h][in_w][in_c] */
	const int8_t *weights;	/* [out_c][kernel_h][kernel_w][in_c / groups] */
	const int32_t *bias;			/* [out_c], NULL if no bias */
	const struct npu_quant *channel_quant;	/* [out_c], NULL = per-tensor */
	uint8_t *output;			/* [out_h][out_w][out_c] */
};

/* MATMUL: out[m][n] from in[m][k] and weights[n][k]; see struct npu_cmd_matmul. */
struct npu_matmul_params {
	uint32_t flags;		/* NPU_F_IN_U8 | OUT_U8 | PER_CHANNEL | BIAS */
	uint32_t m, k, n;
	int16_t in_zp, out_zp, act_min, act_max;
	struct npu_quant quant;			/* per-tensor */
	const uint8_t *input;			/* [m][k] */
	const int8_t *weights;			/* [n][k] */
	const int32_t *bias;			/* [n], NULL if no bias */
	const struct npu_quant *channel_quant;	/* [n], NULL = per-tensor */
	uint8_t *output;			/* [m][n] */
};

/* POOL: see struct npu_cmd_pool. */
struct npu_pool_params {
	uint32_t flags;		/* NPU_F_IN_U8 | OUT_U8, COUNT_PAD for AVG */
	uint32_t mode;		/* enum npu_pool_mode */
	uint16_t in_h, in_w, channels;
	uint16_t out_h, out_w;
	uint8_t kernel_h, kernel_w, stride_h, stride_w;
	uint8_t pad_top, pad_bottom, pad_left, pad_right;
	int16_t in_zp, out_zp, act_min, act_max;
	struct npu_quant quant;
	const uint8_t *input;	/* [in_h][in_w][channels] */
	uint8_t *output;	/* [out_h][out_w][channels] */
};

/* ELTWISE: see struct npu_cmd_eltwise. */
struct npu_eltwise_params {
	uint32_t flags;		/* NPU_F_IN_U8 | B_U8 | OUT_U8 | B_BROADCAST */
	uint32_t op;		/* enum npu_eltwise_op */
	uint32_t count, channels;
	int16_t a_zp, b_zp, out_zp, left_shift;
	int16_t act_min, act_max;
	struct npu_quant a_quant, b_quant, out_quant;
	const uint8_t *a;	/* [count] */
	const uint8_t *b;	/* [count], or [channels] with NPU_F_B_BROADCAST */
	uint8_t *output;	/* [count] */
};

/* LUT: see struct npu_cmd_lut. */
struct npu_lut_params {
	uint32_t flags;		/* NPU_F_IN_U8 */
	uint32_t count;
	const uint8_t *input;	/* [count] */
	const uint8_t *table;	/* [256] */
	uint8_t *output;	/* [count] */
};

int npu_kernel_conv(const struct npu_conv_params *p);
int npu_kernel_matmul(const struct npu_matmul_params *p);
int npu_kernel_pool(const struct npu_pool_params *p);
int npu_kernel_eltwise(const struct npu_eltwise_params *p);
int npu_kernel_lut(const struct npu_lut_params *p);

/*
 * The same kernels driven by a device command (its hdr ignored): the
 * operands are read from, and the output written to, `sram`, a host
 * buffer of sram_size bytes laid out as the device's SRAM.  Returns 0,
 * NPU_E_COMMAND when the device would refuse the command, or
 * NPU_E_INVALID for an invalid per-channel table entry.
 */
int npu_kernel_conv_cmd(const struct npu_cmd_conv *cmd, uint8_t *sram, uint32_t sram_size);
int npu_kernel_matmul_cmd(const struct npu_cmd_matmul *cmd, uint8_t *sram, uint32_t sram_size);
int npu_kernel_pool_cmd(const struct npu_cmd_pool *cmd, uint8_t *sram, uint32_t sram_size);
int npu_kernel_eltwise_cmd(const struct npu_cmd_eltwise *cmd, uint8_t *sram,
			   uint32_t sram_size);
int npu_kernel_lut_cmd(const struct npu_cmd_lut *cmd, uint8_t *sram, uint32_t sram_size);

#ifdef __cplusplus
}
#endif

#endif /* NPU_KERNELS_H */
