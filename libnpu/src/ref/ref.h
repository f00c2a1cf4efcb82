/* SPDX-License-Identifier: MIT */
/*
 * ref.h - the reference kernels of the graph interpreter.
 *
 * Plain C over dense row-major (ONNX, NCHW) values, written to be read:
 * they are the oracle that quantized and compiled models are measured
 * against.  Float operators compute in float, accumulating sums in
 * double; the integer and quantized operators are exact (see
 * docs/onnx.md).  Callers (the interpreter) have checked shapes, data
 * types and attribute values, and allocated the outputs with their
 * inferred shapes; the kernels only compute.
 */
#ifndef NPU_REF_H
#define NPU_REF_H

#include <stddef.h>
#include <stdint.h>

#include "npu/graph.h"
#include "npu_hw.h"

/*
 * A sliding window over 1 to 3 spatial dimensions, always held as 3:
 * missing leading dimensions have size 1, kernel 1, stride 1, dilation
 * 1 and no padding, so the kernels have one loop nest for every rank.
 */
#define NPU_REF_SPATIAL	3
struct npu_ref_window {
	int spatial;		/* the node's own number of spatial dims */
	int64_t in[NPU_REF_SPATIAL], out[NPU_REF_SPATIAL];
	int64_t kernel[NPU_REF_SPATIAL], stride[NPU_REF_SPATIAL];
	int64_t dilation[NPU_REF_SPATIAL];
	int64_t pad_begin[NPU_REF_SPATIAL], pad_end[NPU_REF_SPATIAL];
};

/* Element i of v as a double / as an int64 (integer and bool types). */
double npu_ref_get_f(const struct npu_value *v, size_t i);
int64_t npu_ref_get_i(const struct npu_value *v, size_t i);
/* Store x into element i, converting to v's type as ONNX Cast does. */
void npu_ref_set_f(struct npu_value *v, size_t i, double x);
/* Store x into element i of an integer value, wrapping to its width. */
void npu_ref_set_i(struct npu_value *v, size_t i, int64_t x);

/*
 * Offset into `in` (right-aligned against `out_rank` dims, numpy
 * broadcasting) of the element at multi-index `idx` of the output.
 */
size_t npu_ref_broadcast_offset(const struct npu_value *in, int out_rank, const int64_t *idx);
/* Advance a multi-index over `dims`; 0 when it wrapped around. */
int npu_ref_next_index(int rank, const int64_t *dims, int64_t *idx);

/* Product of the window's 3 sizes (in, out or kernel). */
int64_t npu_ref_window_size(const int64_t *dims3);
/*
 * The input position of kernel tap k (3 indices) for output position o:
 * 1 and its row-major spatial offset in *offset if it lies in the
 * input, 0 if it falls in the padding.  With `col_major` the offset
 * runs over the spatial dims in reverse (MaxPool's storage_order 1).
 */
int npu_ref_window_tap(const struct npu_ref_window *win, const int64_t *o, const int64_t *k,
		       int col_major, int64_t *offset);

/*
 * The fixed-point (multiplier, shift) of a real scale, as
 * docs/hw-spec.md section 8.2 defines it.  NPU_E_INVALID when the scale
 * is not positive and finite or is too large (>= 2^30); scales below
 * 2^-31 lose precision in the multiplier.
 */
int npu_quant_from_scale(double scale, struct npu_quant *q);

/* Conv (float), ConvInteger and QLinearConv; b, zero points may be NULL. */
void npu_ref_conv(const struct npu_value *x, const struct npu_value *w,
		  const struct npu_value *b, int64_t group, const struct npu_ref_window *win,
		  struct npu_value *y);
void npu_ref_conv_integer(const struct npu_value *x, const struct npu_value *w,
			  const struct npu_value *x_zp, const struct npu_value *w_zp,
			  int64_t group, const struct npu_ref_window *win, struct npu_value *y);
/* The quantized operators return NPU_E_INVALID for a scale they cannot represent. */
int npu_ref_qlinear_conv(const struct npu_value *x, const struct npu_value *x_scale,
			 const struct npu_value *x_zp, const struct npu_value *w,
			 const struct npu_value *w_scale, const struct npu_value *w_zp,
			 const struct npu_value *y_scale, const struct npu_value *y_zp,
			 const struct npu_value *b, int64_t group,
			 const struct npu_ref_window *win, struct npu_value *y);

/* Pooling; `indices` (MaxPool's second output) may be NULL. */
void npu_ref_max_pool(const struct npu_value *x, const struct npu_ref_window *win,
		      int64_t storage_order, struct npu_value *y, struct npu_value *indices);
void npu_ref_average_pool(const struct npu_value *x, const struct npu_ref_window *win,
			  int count_include_pad, struct npu_value *y);
void npu_ref_global_average_pool(const struct npu_value *x, struct npu_value *y);

/* Gemm, MatMul and their integer and quantized forms; c and zero points may be NULL. */
void npu_ref_gemm(const struct npu_value *a, const struct npu_value *b,
		  const struct npu_value *c, float alpha, float beta, int trans_a,
		  int trans_b, struct npu_value *y);
void npu_ref_matmul(const struct npu_value *a, const struct npu_value *b, struct npu_value *y);
void npu_ref_matmul_integer(const struct npu_value *a, const struct npu_value *b,
			    const struct npu_value *a_zp, const struct npu_value *b_zp,
			    struct npu_value *y);
int npu_ref_qlinear_matmul(const struct npu_value *a, const struct npu_value *a_scale,
			   const struct npu_value *a_zp, const struct npu_value *b,
			   const struct npu_value *b_scale, const struct npu_value *b_zp,
			   const struct npu_value *y_scale, const struct npu_value *y_zp,
			   struct npu_value *y);

/* Element-wise operators. */
enum npu_ref_unary { NPU_REF_RELU, NPU_REF_LEAKY_RELU, NPU_REF_SIGMOID, NPU_REF_TANH,
		     NPU_REF_HARD_SWISH };
void npu_ref_unary(enum npu_ref_unary op, float alpha, const struct npu_value *x,
		   struct npu_value *y);
/* min, max may be NULL (no bound). */
void npu_ref_clip(const struct npu_value *x, const struct npu_value *min,
		  const struct npu_value *max, struct npu_value *y);
enum npu_ref_binary { NPU_REF_ADD, NPU_REF_MUL };
void npu_ref_binary(enum npu_ref_binary op, const struct npu_value *a,
		    const struct npu_value *b, struct npu_value *y);

/* Data movement. */
void npu_ref_copy(const struct npu_value *x, struct npu_value *y);
void npu_ref_concat(const struct npu_value *const *inputs, size_t count, int axis,
		    struct npu_value *y);
void npu_ref_transpose(const struct npu_value *x, const int64_t *perm, struct npu_value *y);
enum npu_ref_pad_mode { NPU_REF_PAD_CONSTANT, NPU_REF_PAD_REFLECT, NPU_REF_PAD_EDGE };
/* pads: [begin_0..begin_r-1, end_0..end_r-1]; value may be NULL (zero). */
void npu_ref_pad(const struct npu_value *x, const int64_t *pads,
		 const struct npu_value *value, enum npu_ref_pad_mode mode,
		 struct npu_value *y);

/*
 * Softmax over `axis`; with coerce_2d (opsets before 13) over all of
 * dims axis.. at once, as if flattened to 2-D there.
 */
void npu_ref_softmax(const struct npu_value *x, int axis, int coerce_2d, struct npu_value *y);
void npu_ref_batch_norm(const struct npu_value *x, const struct npu_value *scale,
			const struct npu_value *bias, const struct npu_value *mean,
			const struct npu_value *var, float epsilon, struct npu_value *y);

/* Cast, QuantizeLinear, DequantizeLinear; zero points may be NULL. */
void npu_ref_cast(const struct npu_value *x, struct npu_value *y);
void npu_ref_quantize_linear(const struct npu_value *x, const struct npu_value *scale,
			     const struct npu_value *zp, int axis, struct npu_value *y);
void npu_ref_dequantize_linear(const struct npu_value *x, const struct npu_value *scale,
			       const struct npu_value *zp, int axis, struct npu_value *y);

#endif /* NPU_REF_H */
