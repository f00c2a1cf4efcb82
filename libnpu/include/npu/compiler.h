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
 * Consecutive NPU operations form a segment, one device job, whose
 * intermediate tensors stay in device memory (docs/compiler.md).
 *
 * The runtime runs the operations in order: NPU segments as device
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

struct npu_compile_options {
	/*
	 * Images one device job processes (the input's N is split into
	 * jobs of `batch` images; a short last chunk is padded).  Default 1.
	 */
	uint32_t batch;
	/*
	 * One job per NPU operation instead of one per NPU segment, so the
	 * device counters of every layer are its own (npu profile).
	 */
	int per_op_jobs;
	/* No double buffering: DMA and compute in turn (to measure the overlap). */
	int single_buffer;
};

/* batch 1, one job per segment. */
void npu_compile_options_default(struct npu_compile_options *options);

/* Where one operation runs, and why not on the NPU. */
struct npu_op_info {
	const char *op;			/* ONNX operator(s) it came from, e.g. "Conv+Relu" */
	const char *name;		/* its node's name, "" if none */
	enum npu_placement placement;
	const char *reason;		/* CPU: why; NPU: "" */
	uint32_t segment;		/* NPU: its segment (one device job); CPU: UINT32_MAX */
	uint32_t tiles;			/* NPU: compute commands per image */
	uint32_t stream_bytes;		/* NPU: its share of the command stream */
	uint64_t macs;			/* multiply-accumulates per image (0: none) */
	uint64_t min_dram_bytes;	/* per image: weights + inputs + output, each once */
};

/*
 * Compile `graph` (quantized, shapes inferred and static; it must
 * outlive the model and stay unchanged) for `dev`, whose reported
 * capabilities decide the placement and tiling.  The device must stay
 * open while the model lives.  `options` NULL: the defaults.
 */
int npu_compile(struct npu_graph *graph, struct npu_device *dev,
		const struct npu_compile_options *options,
		struct npu_compiled_model **model);
void npu_compiled_model_free(struct npu_compiled_model *model);	/* NULL is a no-op */

/*
 * The compiled model file (.npub): versioned and checksummed, holding
 * the command streams, the weights, the quantized graph (for the CPU
 * operations and the quantization at the edges) and the device
 * parameters it was compiled for.  Loading needs no ONNX file; a
 * corrupt, truncated or version-mismatched file, or a device whose
 * parameters differ from those the streams were compiled for, is
 * NPU_E_FORMAT or NPU_E_UNSUPPORTED with the reason.
 */
int npu_compiled_save(const struct npu_compiled_model *model, const char *path);
int npu_compiled_load(const char *path, struct npu_device *dev,
		      struct npu_compiled_model **model);

/* 1 if the file at `path` begins as a .npub file does, else 0. */
int npu_compiled_probe(const char *path);

/* The options the model was compiled with. */
void npu_compiled_options(const struct npu_compiled_model *model,
			  struct npu_compile_options *options);

/* The graph the model runs: inputs, outputs and their quantization. */
const struct npu_graph *npu_compiled_graph(const struct npu_compiled_model *model);

size_t npu_compiled_num_ops(const struct npu_compiled_model *model);
int npu_compiled_op_info(const struct npu_compiled_model *model, size_t index,
			 struct npu_op_info *info);
size_t npu_compiled_num_segments(const struct npu_compiled_model *model);

/* One NPU segment: one device job. */
struct npu_segment_info {
	uint32_t first_op, n_ops;	/* its operations (npu_compiled_op_info indices) */
	uint32_t stream_bytes;
	uint64_t macs;			/* per image */
	/*
	 * Per image: its weights, the tensors it reads from outside and the
	 * ones it makes for outside, each once; what stays inside (a fused
	 * pool's input, one layer's output read by the next) is not counted.
	 */
	uint64_t min_dram_bytes;
};

int npu_compiled_segment_info(const struct npu_compiled_model *model, size_t index,
			      struct npu_segment_info *info);

/*
 * Run like npu_int8_model_run() on the device the model was compiled
 * for (`dev` must be that device); the inputs' first dimension may be
 * any batch size.  Each output is newly allocated for the caller to
 * npu_value_free().
 */
int npu_model_run(struct npu_compiled_model *model, struct npu_device *dev,
		  const struct npu_value *inputs, struct npu_value *outputs);

/*
 * Run the same lowered operations on the int8 CPU kernels, inputs as
 * for npu_model_run(): the reference the device's outputs must equal
 * bit for bit.
 */
int npu_compiled_run_cpu(const struct npu_compiled_model *model, const struct npu_value *inputs,
			 struct npu_value *outputs);

/* What one operation cost since compile (or npu_compiled_profile_reset). */
struct npu_op_profile {
	uint64_t images;		/* images it processed */
	uint64_t host_ns;		/* wall time: its CPU kernel, or its job with copies */
	/*
	 * Device counters (enum npu_perf_counter) of its jobs; an operation
	 * sharing a segment with others reports the whole segment's, on the
	 * segment's first operation only.
	 */
	uint64_t counters[NPU_PERF_JOBS];
};

int npu_compiled_op_profile(const struct npu_compiled_model *model, size_t index,
			    struct npu_op_profile *profile);
void npu_compiled_profile_reset(struct npu_compiled_model *model);

#ifdef __cplusplus
}
#endif

#endif /* NPU_COMPILER_H */
