/* SPDX-License-Identifier: MIT */
/* quant_priv.h - calibration statistics, shared by the quantizer's files. */
#ifndef NPU_QUANT_PRIV_H
#define NPU_QUANT_PRIV_H

#include <stddef.h>

#include "npu/quant.h"

#define NPU_CALIB_BINS	2048

/* What calibration saw of one tensor. */
struct npu_calib_stat {
	int seen;
	float min, max;			/* over every image */
	int batch_seen;
	float batch_min, batch_max;	/* over the current batch */
	int ema_seen;
	float ema_min, ema_max;		/* moving averages of the batch extremes */
	double *hist;			/* NPU_CALIB_BINS bins over [hist_lo, hist_hi] */
	double zeros;			/* how many of the histogram's values are exactly 0 */
	float hist_lo, hist_hi;
};

/* Pass 1: extremes (and the current batch's). */
void npu_calib_observe(struct npu_calib_stat *st, const float *x, size_t n);
void npu_calib_end_batch(struct npu_calib_stat *st, float constant);
/* Pass 2 (histogram methods): a histogram over pass 1's [min, max]. */
int npu_calib_hist_start(struct npu_calib_stat *st);
void npu_calib_hist_add(struct npu_calib_stat *st, const float *x, size_t n);
void npu_calib_stat_fini(struct npu_calib_stat *st);
/* The clip range of the options' method. */
int npu_calib_stat_range(const struct npu_calib_stat *st, const struct npu_quant_options *o,
			 float *lo, float *hi);

/* The one node reading t (input slot in *slot, may be NULL), if t is not a graph output. */
struct npu_node *npu_quant_sole_user(const struct npu_graph *g, const struct npu_tensor *t,
				     size_t *slot);

#endif /* NPU_QUANT_PRIV_H */
