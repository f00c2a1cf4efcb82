/* SPDX-License-Identifier: MIT */
/*
 * npu/compiler.h - compiling a quantized graph for an NPU device and
 * running it there.
 *
 * The compiler takes the graph's integer operations (the lowering of
 * npu/int8.h) and places each one: on the NPU, as a command stream of
 * DMA loads, one compute command per tile, SYNCs and DMA stores, tiled
 * so that every tile's operands fit the SRAM the device reports; or on
 * the CPU with the reason it cannot go to this device.  Weights, biases,
 * quantization tables and LUT tables go into one device buffer written
 * once, at compile time; activations pass through a second buffer.
 *
 * The runtime runs the operations in order: NPU operations as device
 * jobs, the others on the int8 CPU kernels or, for operations with no
 * integer form, the float reference kernels, with inputs quantized and
 * outputs dequantized at the graph's edges exactly as npu_int8_model_run()
 * does, so the outputs are bit-identical to it.
 *
 * Functions that can fail return 0 or a negative enum npu_status, with
 * details in npu_last_error().
 */
#ifndef NPU_COMPILER_H
#define NPU_COMPILER_H

#include <stddef.h>
#include <stdint.h>

#include "npu/device.h"
#include "npu/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

struct npu_compiled_model;

enum npu_placement {
	NPU_PLACE_NPU = 0,
	NPU_PLACE_CPU = 1,
};

/* Where one operation runs, and why not on the NPU. */
struct npu_op_info {
	const char *op;			/* ONNX operator it came from, e.g. "Conv" */
	const char *name;		/* its node's name, "" if none */
	enum npu_placement placement;
	const char *reason;		/* CPU: why; NPU: "" */
	uint32_t tiles;			/* NPU: compute commands per image */
	uint32_t stream_bytes;		/* NPU: command stream length */
};

/*
 * Compile `graph` (quantized, shapes inferred and static; it must
 * outlive the model and stay unchanged) for `dev`, whose reported
 * capabilities decide the placement and tiling.  The device must stay
 * open while the model lives.
 */
int npu_compile(struct npu_graph *graph, struct npu_device *dev,
		struct npu_compiled_model **model);
void npu_compiled_model_free(struct npu_compiled_model *model);	/* NULL is a no-op */

size_t npu_compiled_num_ops(const struct npu_compiled_model *model);
int npu_compiled_op_info(const struct npu_compiled_model *model, size_t index,
			 struct npu_op_info *info);

/*
 * Run like npu_int8_model_run() on the device the model was compiled
 * for (`dev` must be that device).  Each output is newly allocated for
 * the caller to npu_value_free().
 */
int npu_model_run(struct npu_compiled_model *model, struct npu_device *dev,
		  const struct npu_value *inputs, struct npu_value *outputs);

/*
 * Device counters (enum npu_perf_counter, from struct npu_job_result)
 * summed over every job operation `index` ran since compile; zero for
 * CPU operations.
 */
int npu_compiled_op_counters(const struct npu_compiled_model *model, size_t index,
			     uint64_t counters[NPU_PERF_JOBS]);

#ifdef __cplusplus
}
#endif

#endif /* NPU_COMPILER_H */
