// SPDX-License-Identifier: MIT
/*
 * Calibration: the statistics of one activation tensor over the
 * calibration images, and the clip range each method draws from them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "npu/error.h"
#include "quant/quant_priv.h"

int npu_quant_choose(float lo, float hi, enum npu_dtype dtype, int symmetric, int pow2,
		     float *scale, int32_t *zero_point)
{
	const double qmin = dtype == NPU_DTYPE_UINT8 ? 0.0 : -128.0;
	const double qmax = dtype == NPU_DTYPE_UINT8 ? 255.0 : 127.0;
	double s, zp;

	if ((dtype != NPU_DTYPE_INT8 && dtype != NPU_DTYPE_UINT8) || !scale || !zero_point ||
	    isnan(lo) || isnan(hi) || lo > hi)
		return npu_fail(NPU_E_INVALID, "quant: bad range or type");
	/* Real 0 (padding, ReLU) must be exactly representable. */
	lo = fminf(lo, 0.0f);
	hi = fmaxf(hi, 0.0f);
	/* Symmetric ranges use 255 levels, so that -max and +max are both exact. */
	s = symmetric ? fmax(-(double)lo, hi) / 127.0 : ((double)hi - lo) / (qmax - qmin);
	if (!(s > 0.0) || !isfinite(s) || s < 1e-30)
		s = 1.0;
	if (pow2)
		s = exp2(ceil(log2(s)));
	if (symmetric)
		zp = dtype == NPU_DTYPE_UINT8 ? 128.0 : 0.0;
	else
		zp = fmin(qmax, fmax(qmin, nearbyint(qmin - lo / s)));
	*scale = (float)s;
	*zero_point = (int32_t)zp;
	return 0;
}

void npu_calib_observe(struct npu_calib_stat *st, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i]))
			continue;
		if (!st->seen || x[i] < st->min)
			st->min = x[i];
		if (!st->seen || x[i] > st->max)
			st->max = x[i];
		if (!st->batch_seen || x[i] < st->batch_min)
			st->batch_min = x[i];
		if (!st->batch_seen || x[i] > st->batch_max)
			st->batch_max = x[i];
		st->seen = st->batch_seen = 1;
	}
}

void npu_calib_end_batch(struct npu_calib_stat *st, float constant)
{
	if (!st->batch_seen)
		return;
	if (!st->ema_seen) {
		st->ema_min = st->batch_min;
		st->ema_max = st->batch_max;
	} else {
		st->ema_min += constant * (st->batch_min - st->ema_min);
		st->ema_max += constant * (st->batch_max - st->ema_max);
	}
	st->ema_seen = 1;
	st->batch_seen = 0;
}

int npu_calib_hist_start(struct npu_calib_stat *st)
{
	st->hist = calloc(NPU_CALIB_BINS, sizeof(*st->hist));
	if (!st->hist)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	st->hist_lo = st->seen ? st->min : 0.0f;
	st->hist_hi = st->seen ? st->max : 0.0f;
	return 0;
}

/* The histogram bin of x: values beyond the ends go to the end bins. */
static size_t bin_of(const struct npu_calib_stat *st, float x)
{
	const double width = ((double)st->hist_hi - st->hist_lo) / NPU_CALIB_BINS;
	const double b = width > 0.0 ? floor((x - st->hist_lo) / width) : 0.0;

	return b < 0 ? 0 : b >= NPU_CALIB_BINS ? NPU_CALIB_BINS - 1 : (size_t)b;
}

void npu_calib_hist_add(struct npu_calib_stat *st, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i]))
			continue;
		st->zeros += x[i] == 0.0f;
		st->hist[bin_of(st, x[i])] += 1.0;
	}
}

void npu_calib_stat_fini(struct npu_calib_stat *st)
{
	free(st->hist);
	st->hist = NULL;
}

static double bin_center(const struct npu_calib_stat *st, size_t b)
{
	return st->hist_lo + (b + 0.5) * ((double)st->hist_hi - st->hist_lo) / NPU_CALIB_BINS;
}

/* The p (0..1) quantile of the histogram, at a bin edge. */
static float quantile(const struct npu_calib_stat *st, double total, double p)
{
	const double width = ((double)st->hist_hi - st->hist_lo) / NPU_CALIB_BINS;
	double acc = 0.0;

	for (size_t b = 0; b < NPU_CALIB_BINS; b++) {
		acc += st->hist[b];
		if (acc >= p * total)
			return (float)(st->hist_lo + (b + 1) * width);
	}
	return st->hist_hi;
}

/* Mean squared error of quantizing the histogram with range [lo, hi]. */
static double range_mse(const struct npu_calib_stat *st, float lo, float hi,
			const struct npu_quant_options *o)
{
	const double qmin = o->act_dtype == NPU_DTYPE_UINT8 ? 0.0 : -128.0;
	const double qmax = o->act_dtype == NPU_DTYPE_UINT8 ? 255.0 : 127.0;
	float s;
	int32_t zp;
	double err = 0.0;

	if (npu_quant_choose(lo, hi, o->act_dtype, o->symmetric, o->pow2, &s, &zp))
		return INFINITY;
	for (size_t b = 0; b < NPU_CALIB_BINS; b++) {
		const double x = bin_center(st, b);
		const double q = fmin(qmax, fmax(qmin, nearbyint(x / s) + zp));
		const double d = x - (q - zp) * s;

		err += st->hist[b] * d * d;
	}
	return err;
}

/*
 * The histogram of |x| over [0, amax] in NPU_CALIB_BINS bins, each
 * signed bin's count spread over the |x| bins it overlaps (mapping bin
 * centers instead leaves every other bin empty, or a jagged comb that
 * KL reads as quantization noise at wide thresholds).  Exact zeros are
 * left out: 0 is representable at every threshold, and a ReLU's spike
 * of zeros in the first bin would otherwise make any threshold that
 * merges that bin with its neighbours look worst.
 */
static void abs_histogram(const struct npu_calib_stat *st, double amax, double *abs_hist)
{
	const double width = ((double)st->hist_hi - st->hist_lo) / NPU_CALIB_BINS;
	const double aw = amax / NPU_CALIB_BINS;
	const size_t zero_bin = bin_of(st, 0.0f);

	for (size_t b = 0; b < NPU_CALIB_BINS; b++) {
		const double e0 = st->hist_lo + b * width, e1 = e0 + width;
		double a0 = e0 >= 0.0 ? e0 : e1 <= 0.0 ? -e1 : 0.0;
		double a1 = e0 >= 0.0 ? e1 : e1 <= 0.0 ? -e0 : fmax(-e0, e1);
		double count = st->hist[b];

		if (b == zero_bin)
			count = fmax(0.0, count - st->zeros);
		if (count <= 0.0)
			continue;
		a1 = fmin(a1, amax);
		if (!(a1 > a0)) {
			/* A zero-width range (constant data): its one bin. */
			const size_t k = (size_t)(a0 / aw);

			abs_hist[k >= NPU_CALIB_BINS ? NPU_CALIB_BINS - 1 : k] += count;
			continue;
		}
		for (size_t k = (size_t)(a0 / aw); k < NPU_CALIB_BINS && k * aw < a1; k++) {
			const double lo = fmax(a0, k * aw), hi = fmin(a1, (k + 1) * aw);

			if (hi > lo)
				abs_hist[k] += count * (hi - lo) / (a1 - a0);
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define SPIKE_HALF	4	/* bins on each side of a bin that judge it */
#define SPIKE_RATIO	4.0	/* how far above their median a point mass stands */

/*
 * Point masses (a value many inputs share, such as a channel's output
 * over a constant image background) each land on one quantization
 * level, with at most half a step of error whatever the threshold.
 * KL's model spreads a chunk's mass over its bins, so a spike makes
 * every threshold whose chunks are wider than one bin look bad, and
 * the search ends at the narrowest one.  A bin far above the median of
 * its neighbours is cut to that median: the continuous part of the
 * distribution, which the threshold trades off, stays as it was.  The
 * last bin keeps its count: a Clip's saturated values pile up there,
 * and any lower threshold clips every one of them.  `median` is
 * NPU_CALIB_BINS doubles of scratch.
 */
static void flatten_spikes(double *h, double *median)
{
	double win[2 * SPIKE_HALF];

	for (size_t b = 0; b < NPU_CALIB_BINS; b++) {
		size_t n = 0;

		for (size_t k = b > SPIKE_HALF ? b - SPIKE_HALF : 0;
		     k <= b + SPIKE_HALF && k < NPU_CALIB_BINS; k++)
			if (k != b)
				win[n++] = h[k];
		qsort(win, n, sizeof(*win), cmp_double);
		median[b] = win[n / 2];
	}
	for (size_t b = 0; b + 1 < NPU_CALIB_BINS; b++)
		if (median[b] > 0.0 && h[b] > SPIKE_RATIO * median[b])
			h[b] = median[b];
}

/*
 * TensorRT's entropy calibration over |x|: the threshold whose
 * quantized distribution (into `levels` levels) diverges least (KL)
 * from the observed one, outliers folded into the last bin.
 */
static float kl_threshold(const struct npu_calib_stat *st, size_t levels)
{
	const double amax = fmax(fabs(st->hist_lo), fabs(st->hist_hi));
	double *abs_hist = calloc(NPU_CALIB_BINS, sizeof(double));
	double *p = calloc(NPU_CALIB_BINS, sizeof(double));
	double *q = calloc(NPU_CALIB_BINS, sizeof(double));
	double best = INFINITY;
	size_t best_i = NPU_CALIB_BINS;

	if (!abs_hist || !p || !q || !(amax > 0.0)) {
		free(abs_hist);
		free(p);
		free(q);
		return (float)amax;
	}
	abs_histogram(st, amax, abs_hist);
	flatten_spikes(abs_hist, q);
	for (size_t i = levels; i <= NPU_CALIB_BINS; i++) {
		double outliers = 0.0, psum = 0.0, qsum = 0.0, kl = 0.0;

		memcpy(p, abs_hist, i * sizeof(*p));
		for (size_t b = i; b < NPU_CALIB_BINS; b++)
			outliers += abs_hist[b];
		p[i - 1] += outliers;
		/* Merge i bins into `levels` chunks, spread each over its non-empty bins. */
		for (size_t l = 0; l < levels; l++) {
			const size_t from = l * i / levels, to = (l + 1) * i / levels;
			double sum = 0.0;
			size_t nonzero = 0;

			for (size_t b = from; b < to; b++) {
				sum += abs_hist[b];
				nonzero += abs_hist[b] > 0.0;
			}
			for (size_t b = from; b < to; b++)
				q[b] = abs_hist[b] > 0.0 ? sum / (double)nonzero : 0.0;
		}
		for (size_t b = 0; b < i; b++) {
			psum += p[b];
			qsum += q[b];
		}
		for (size_t b = 0; b < i && psum > 0.0; b++) {
			if (p[b] <= 0.0)
				continue;
			/* An empty q bin where p has mass: a large, finite penalty. */
			kl += p[b] / psum * log((p[b] / psum) / (q[b] > 0.0 ? q[b] / qsum : 1e-12));
		}
		if (kl < best) {
			best = kl;
			best_i = i;
		}
	}
	free(abs_hist);
	free(p);
	free(q);
	return (float)(best_i * amax / NPU_CALIB_BINS);
}

int npu_calib_stat_range(const struct npu_calib_stat *st, const struct npu_quant_options *o,
			 float *lo, float *hi)
{
	double total = 0.0, best = INFINITY;
	float t;

	*lo = st->seen ? st->min : 0.0f;
	*hi = st->seen ? st->max : 0.0f;
	switch (o->method) {
	case NPU_CALIB_MINMAX:
		return 0;
	case NPU_CALIB_EMA:
		if (st->ema_seen) {
			*lo = st->ema_min;
			*hi = st->ema_max;
		}
		return 0;
	default:
		break;
	}
	if (!st->hist)
		return npu_fail(NPU_E_INVALID, "calibration: no histogram");
	for (size_t b = 0; b < NPU_CALIB_BINS; b++)
		total += st->hist[b];
	if (total <= 0.0)
		return 0;
	switch (o->method) {
	case NPU_CALIB_PERCENTILE:
		*lo = fminf(0.0f, quantile(st, total, 1.0 - o->percentile / 100.0));
		*hi = fmaxf(0.0f, quantile(st, total, o->percentile / 100.0));
		break;
	case NPU_CALIB_ENTROPY:
		/* One-sided asymmetric data has all 256 levels on one side. */
		t = kl_threshold(st, st->hist_lo >= 0.0f && !o->symmetric ? 256 : 128);
		*lo = fmaxf(*lo, -t);
		*hi = fminf(*hi, t);
		break;
	case NPU_CALIB_MSE: {
		const float lo0 = *lo, hi0 = *hi;

		for (int a = 100; a >= 10; a--) {
			const float l = lo0 * a / 100.0f, h = hi0 * a / 100.0f;
			const double err = range_mse(st, l, h, o);

			if (err < best) {
				best = err;
				*lo = l;
				*hi = h;
			}
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

int npu_calib_range(const float *x, size_t n, const struct npu_quant_options *o, float *lo,
		    float *hi)
{
	struct npu_calib_stat st = { 0 };
	int ret;

	if (!x || !o || !lo || !hi || o->method == NPU_CALIB_EMA)
		return npu_fail(NPU_E_INVALID, "calib_range: bad argument");
	npu_calib_observe(&st, x, n);
	if (o->method != NPU_CALIB_MINMAX) {
		ret = npu_calib_hist_start(&st);
		if (ret)
			return ret;
		npu_calib_hist_add(&st, x, n);
	}
	ret = npu_calib_stat_range(&st, o, lo, hi);
	npu_calib_stat_fini(&st);
	return ret;
}
