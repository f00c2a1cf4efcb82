/* SPDX-License-Identifier: MIT */
/*
 * npu/quant.h - post-training quantization of float graphs.
 *
 * npu_quantize_graph() turns a float graph into a QDQ graph for the NPU:
 * BatchNormalization folded into the preceding Conv or Gemm, optionally
 * cross-layer equalization, then activations calibrated over a data
 * set and QuantizeLinear/DequantizeLinear pairs inserted on them, int8
 * weights (zero point 0 over -128..127, as the device takes them) and int32
 * biases at s_in * s_w, optionally bias correction.  The result is an
 * ordinary ONNX graph (opset >= 13 for per-channel weights) that
 * npu_graph_save_onnx() writes and npu/int8.h runs on the int8 kernels.
 * A graph that is already quantized (QDQ or QLinear*) keeps its scales:
 * it is returned unchanged.
 *
 * The library never prints: progress goes to a callback.
 */
#ifndef NPU_QUANT_H
#define NPU_QUANT_H

#include <stddef.h>

#include "npu/dataset.h"
#include "npu/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

enum npu_calib_method {
	NPU_CALIB_MINMAX,	/* observed min and max */
	NPU_CALIB_EMA,		/* moving average of per-batch min and max */
	NPU_CALIB_PERCENTILE,	/* the `percentile` and 100 - `percentile` quantiles */
	NPU_CALIB_ENTROPY,	/* TensorRT's KL-divergence threshold, 2048-bin histogram */
	NPU_CALIB_MSE,		/* the clip range of least quantization MSE */
};

struct npu_quant_options {
	enum npu_calib_method method;
	float percentile;	/* PERCENTILE: e.g. 99.99 */
	float ema_constant;	/* EMA: weight of each new batch, e.g. 0.01 */
	size_t batch;		/* EMA: images per batch */
	int per_channel;	/* weights per output channel, else per tensor */
	int symmetric;		/* activations symmetric (zero point 0 / 128) */
	enum npu_dtype act_dtype;	/* activations: NPU_DTYPE_INT8 or NPU_DTYPE_UINT8 */
	int pow2;		/* power-of-two scales: shift-only requantization */
	int cle;		/* cross-layer equalization of Conv-Relu-Conv pairs */
	int bias_correction;	/* fold the mean output error of each layer into its bias */
	struct npu_normalize norm;	/* of the calibration images */
};

/* minmax, per channel, asymmetric int8, 99.99 %, EMA 0.01 over batches of 32. */
void npu_quant_options_default(struct npu_quant_options *options);

/* Names for the tool: "minmax", "ema", "percentile", "entropy", "mse"; -1 if unknown. */
int npu_calib_method_parse(const char *name);
const char *npu_calib_method_name(enum npu_calib_method method);

/*
 * Progress: `stage` names the pass ("calibrate", "histogram",
 * "bias-correction"), done of total images.  A non-zero return stops
 * quantization with that status.
 */
typedef int (*npu_progress_cb)(void *ctx, const char *stage, size_t done, size_t total);

/*
 * Quantize `graph` in place with the first `count` images of `calib`
 * (all of them if count is 0 or larger).  The graph must have one
 * float input.  On failure the graph may be partly transformed: free
 * it.  `progress` may be NULL.
 */
int npu_quantize_graph(struct npu_graph *graph, const struct npu_dataset *calib, size_t count,
		       const struct npu_quant_options *options, npu_progress_cb progress,
		       void *ctx);

/*
 * Fold every BatchNormalization that follows a Conv or Gemm (whose
 * output it alone reads) into that node's weights and bias.  Float
 * outputs are unchanged up to rounding.  *folded counts them (may be NULL).
 */
int npu_graph_fold_batchnorm(struct npu_graph *graph, size_t *folded);

/*
 * Cross-layer equalization (Nagel et al., 2019): for each Conv, Relu,
 * Conv chain (ungrouped, the middle tensor read only by the next
 * node), scale output channel i of the first conv by 1/s_i and input
 * channel i of the second by s_i, s_i = sqrt(r1_i / r2_i) from the
 * channels' weight ranges.  Relu commutes with a positive scale, so
 * float outputs are unchanged up to rounding; Clip (ReLU6) does not,
 * and such pairs are skipped.  *pairs counts them (may be NULL).
 */
int npu_graph_equalize(struct npu_graph *graph, size_t *pairs);

/*
 * Quantization parameters of a real range [lo, hi] (widened to contain
 * 0): scale and zero point for int8/uint8, symmetric or not, rounded to
 * a power of two when pow2.  Exposed for the tests and the tool.
 */
int npu_quant_choose(float lo, float hi, enum npu_dtype dtype, int symmetric, int pow2,
		     float *scale, int32_t *zero_point);

/*
 * The calibrated range [*lo, *hi] of `count` samples by `method` (not
 * EMA, which needs batches), as the quantizer computes it: for tests.
 */
int npu_calib_range(const float *samples, size_t count, const struct npu_quant_options *options,
		    float *lo, float *hi);

#ifdef __cplusplus
}
#endif

#endif /* NPU_QUANT_H */
