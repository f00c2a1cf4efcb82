/* SPDX-License-Identifier: MIT */
/*
 * lower.h - lowering a quantized graph into the device's integer
 * operations.
 *
 * Each operation is one device compute command, described by the
 * params struct of its CPU kernel (npu/kernels.h), whose fields mirror
 * the command's: the multipliers and shifts (computed once here from
 * the real scales with npu_quant_from_scale), zero points, clamps,
 * weights in the device's layout and int32 biases at s_in * s_w.  Only
 * the activation pointers are left NULL: the executor (run.c) binds
 * them to host buffers, and the compiler will bind them to SRAM
 * addresses instead.  Operands are named by graph tensors that hold
 * quantized values in the graph's NCHW layout.
 */
#ifndef NPU_LOWER_H
#define NPU_LOWER_H

#include <stddef.h>
#include <stdint.h>

#include "npu/graph.h"
#include "npu/kernels.h"

enum npu_lower_kind {
	NPU_LOWER_CONV,		/* p.conv; in[0] is [N, C, H, W] */
	NPU_LOWER_MATMUL,	/* p.matmul; in[0] is [M, K] */
	NPU_LOWER_POOL,		/* p.pool; in[0] is [N, C, H, W] */
	NPU_LOWER_ELTWISE,	/* p.eltwise; in[0], in[1] of the output's shape */
	NPU_LOWER_LUT,		/* p.lut with `table` */
	NPU_LOWER_COPY,		/* a reshape of quantized bytes (same parameters) */
	NPU_LOWER_FLOAT,	/* `node` runs in the reference interpreter */
};

struct npu_lower_op {
	enum npu_lower_kind kind;
	/* FLOAT: the node to run; otherwise the float operator it replaces. */
	const struct npu_node *node;
	size_t n_in;
	const struct npu_tensor *in[2];	/* quantized operands (not for FLOAT) */
	const struct npu_tensor *out;	/* quantized result (not for FLOAT) */
	union {
		struct npu_conv_params conv;
		struct npu_matmul_params matmul;
		struct npu_pool_params pool;
		struct npu_eltwise_params eltwise;
		struct npu_lut_params lut;
	} p;
	/* Owned tables the params point to; LUTs bind `table` where they run (the ops array moves). */
	int8_t *weights;
	int32_t *bias;
	struct npu_quant *channel_quant;
	uint8_t table[256];
};

struct npu_int8_model {
	struct npu_graph *graph;
	size_t n_ops;
	struct npu_lower_op *ops;	/* in execution order; dead operations dropped */
};

/* Lower a graph whose shapes are inferred; errors name the node. */
int npu_lower_graph(struct npu_graph *graph, struct npu_int8_model **model);

/* Does op read t (a FLOAT operation: its node's inputs)? */
int npu_lower_op_reads(const struct npu_lower_op *op, const struct npu_tensor *t);

/* [C][H*W] <-> [H*W][C] for one image; to_nhwc picks the direction. */
void npu_lower_relayout(const uint8_t *src, uint8_t *dst, size_t c, size_t hw, int to_nhwc);

/* Run integer operation op on the int8 CPU kernels into the allocated y. */
int npu_lower_run_op(const struct npu_lower_op *op, const struct npu_value *values,
		     struct npu_value *y);

/*
 * Run model m as npu_int8_model_run() does, but with every integer
 * operation (ops[index], output y already allocated) run by run_op:
 * the int8 executor passes the CPU kernels, the compiled-model runtime
 * the device.  FLOAT operations always run on the reference interpreter.
 */
typedef int (*npu_lower_run_fn)(void *ctx, size_t index, const struct npu_value *values,
				struct npu_value *y);
/* op_ns, if not NULL, has n_ops entries: each operation's wall time is added there. */
int npu_lower_run(const struct npu_int8_model *m, const struct npu_value *inputs,
		  struct npu_value *outputs, npu_lower_run_fn run_op, void *ctx,
		  uint64_t *op_ns);

#endif /* NPU_LOWER_H */
