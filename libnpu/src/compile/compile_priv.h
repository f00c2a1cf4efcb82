/* SPDX-License-Identifier: MIT */
/*
 * compile_priv.h - the compiled model's plan, shared by the partitioner
 * (plan.c), the code generator (emit.c), the runtime (runtime.c) and
 * the .npub file (npub.c).
 *
 * A plan is pure data: it names no buffer object, so the same plan runs
 * whether it was just compiled or read from a file.  Its command
 * streams address one "model space": the weights region from 0 and the
 * activation region from NPU_MODEL_ACT_BASE.  Instantiating a plan on a device
 * allocates the two buffers and rebases every DMA address of the
 * streams into them (npu_plan_rebase).
 */
#ifndef NPU_COMPILE_PRIV_H
#define NPU_COMPILE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "lower/lower.h"
#include "npu/compiler.h"
#include "npu/cmdstream.h"

#define NPU_ALIGN16(x)		(((x) + 15u) & ~(size_t)15u)
/* Model space: the weights region from 0, the activation region from here. */
#define NPU_MODEL_ACT_BASE	0x80000000u

enum npu_act_layout {
	NPU_LAYOUT_FLAT = 0,	/* the host's bytes, as they are */
	NPU_LAYOUT_NHWC = 1,	/* per image [hw][c] where the host has [c][hw] */
};

/* Where a tensor lives on the device: `batch` images of image_bytes from off. */
struct npu_dev_tensor {
	uint32_t off;		/* model address of image 0 (activation region) */
	uint32_t image_bytes;
	uint32_t layout;	/* enum npu_act_layout */
	uint32_t c, hw;		/* NHWC: channels and pixels per image */
};

/* A copy between a graph tensor's host value and its device home. */
struct npu_xfer {
	uint32_t tensor;	/* graph tensor index */
	struct npu_dev_tensor dev;
};

/* One compiled operation: one lowered operation, or a CONV with its POOL. */
struct npu_cop {
	uint32_t first, count;	/* lowered operations [first, first + count) */
	uint32_t placement;	/* enum npu_placement */
	uint32_t segment;	/* NPU: its job; CPU: UINT32_MAX */
	uint32_t tiles, stream_bytes;
	uint64_t macs, min_dram_bytes;
	char op[32];		/* "Conv", "Conv+MaxPool" */
	char reason[96];
	/* What it cost since compile: not part of the plan. */
	uint64_t images, host_ns;
	uint64_t counters[NPU_PERF_JOBS];
};

/*
 * One device job: compiled operations [cop_first, cop_first + cop_count)
 * whose lowered operations end at `last`, where the runtime runs it:
 * copies `xfers[in_first ..]` in, runs the stream, copies
 * `xfers[out_first ..]` out.
 */
struct npu_segment {
	uint32_t cop_first, cop_count, last;
	uint32_t cmd_off, cmd_size;
	uint32_t in_first, n_in, out_first, n_out;
};

struct npu_plan {
	/* The device it was compiled for: the streams fit exactly this. */
	uint32_t sram_size, mac_rows, mac_cols, ops;
	uint32_t batch, per_op_jobs, single_buffer;
	uint8_t *graph;		/* the quantized graph, ONNX bytes */
	size_t graph_size;
	uint8_t *weights;	/* the weights region's bytes */
	uint32_t weights_size, act_base, act_size;	/* act_base: NPU_MODEL_ACT_BASE */
	uint8_t *streams;	/* every segment's commands, in model space */
	uint32_t streams_size;
	uint32_t n_cops, n_segments, n_xfers;
	struct npu_cop *cops;
	struct npu_segment *segments;
	struct npu_xfer *xfers;
};

/* What the code generator needs to know of one compiled NPU operation. */
struct npu_emit {
	const struct npu_lower_op *op;
	const struct npu_lower_op *pool;	/* a POOL fused after CONV op, or NULL */
	uint32_t w_off, b_off, q_off;		/* op's tables (or LUT) in the weights region */
	struct npu_dev_tensor in[2], out;	/* out: the POOL's when fused */
	uint32_t batch;
	uint32_t single_buffer;			/* 1: no double buffering */
	/*
	 * The inputs in in_sram_mask (bit j: in[j]) already whole in SRAM
	 * at in_sram (in_sram_bytes, 0: none): left by the operation
	 * before, so not loaded; the tile must fit around them, or the emit
	 * fails with NPU_E_UNSUPPORTED.  Only ELTWISE takes bit 1.
	 */
	uint32_t in_sram, in_sram_bytes, in_sram_mask;
	/*
	 * Set when the operation ran as one tile: its whole output is left
	 * in SRAM at out_sram (out_sram_bytes), and the stream's last
	 * commands from byte store_off store it to DRAM (and SYNC).
	 */
	uint32_t out_sram, out_sram_bytes, store_off;
	uint32_t tiles;				/* set: compute tiles per batch */
	char *reason;				/* set on NPU_E_UNSUPPORTED */
	size_t reason_size;
};

/* Append op e's commands to cs; NPU_E_UNSUPPORTED or NPU_E_COMMAND sets e->reason. */
int npu_emit_op(struct npu_cs *cs, uint32_t sram_size, struct npu_emit *e);

/* Bytes of op's weights, biases and quant entries (or LUT) in the weights region. */
void npu_emit_table_bytes(const struct npu_lower_op *op, size_t *w, size_t *b, size_t *q);

/* Build the plan of the lowered model m (its graph's ONNX bytes in `graph`). */
int npu_plan_build(const struct npu_int8_model *m, const struct npu_device_info *info,
		   const struct npu_compile_options *options, struct npu_plan *plan);
void npu_plan_free(struct npu_plan *plan);

/*
 * Rebase the DMA addresses of `size` bytes of streams from model space
 * onto buffers at device addresses wva (weights) and ava (activations);
 * NPU_E_FORMAT if a command is malformed or a DMA reaches outside the
 * plan's regions.  With dst NULL it only checks.
 */
int npu_plan_rebase(const struct npu_plan *plan, uint8_t *dst, uint32_t wva, uint32_t ava);

/* The batched copy of a compiled graph: inputs' first dimension set to batch. */
int npu_plan_graph(const uint8_t *onnx, size_t size, uint32_t batch,
		   struct npu_graph **graph);

/*
 * Instantiate a plan (taken over, freed on failure) whose graph bytes,
 * batch and options are set: with build, plan the lowered graph first
 * (compile); without, check the plan read from a file against it.
 */
int npu_model_from_plan(struct npu_plan *plan, struct npu_device *dev, int build,
			struct npu_compiled_model **model);
const struct npu_plan *npu_compiled_plan(const struct npu_compiled_model *model);

#endif /* NPU_COMPILE_PRIV_H */
