/* SPDX-License-Identifier: MIT */
/*
 * npu/int8.h - integer execution of quantized graphs on the CPU.
 *
 * A quantized graph (QDQ: QuantizeLinear/DequantizeLinear around float
 * operators, or QLinearConv/QLinearMatMul) is lowered once into the
 * device's integer operations - CONV, MATMUL, POOL, ELTWISE, LUT with
 * their multipliers, shifts, zero points, int32 biases and clamps -
 * which then run on libnpu's int8 CPU kernels (npu/kernels.h), bit for
 * bit what the NPU computes.  Operators with no integer form (Softmax,
 * float-only operators, patterns the device cannot take) run in float
 * with the reference kernels between their DequantizeLinear and
 * QuantizeLinear edges.
 *
 * Functions that can fail return 0 or a negative enum npu_status, with
 * the reason in npu_last_error().
 */
#ifndef NPU_INT8_H
#define NPU_INT8_H

#include <stddef.h>

#include "npu/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

struct npu_int8_model;

/* 1 if the graph has QuantizeLinear, DequantizeLinear or QLinear* nodes. */
int npu_graph_is_quantized(const struct npu_graph *graph);

/*
 * Lower `graph` (shapes inferred; the graph must outlive the model and
 * stay unchanged).  Every shape the integer operations touch must be
 * known: set symbolic input dims with npu_tensor_set_shape() first.
 */
int npu_int8_model_create(struct npu_graph *graph, struct npu_int8_model **model);
void npu_int8_model_free(struct npu_int8_model *model);

/* Operations that run on the int8 kernels, and nodes that run in float. */
void npu_int8_model_counts(const struct npu_int8_model *model, size_t *int8_ops,
			   size_t *float_ops);

/*
 * Run like npu_graph_run_reference(): `inputs` match the graph inputs,
 * each output is newly allocated for the caller to npu_value_free().
 */
int npu_int8_model_run(const struct npu_int8_model *model, const struct npu_value *inputs,
		       struct npu_value *outputs);

#ifdef __cplusplus
}
#endif

#endif /* NPU_INT8_H */
