// SPDX-License-Identifier: MIT
/*
 * Gemm, MatMul (numpy semantics: 1-D operands promoted, batch dims
 * broadcast), MatMulInteger and QLinearMatMul.  The integer forms
 * accumulate exactly as the NPU does (see conv_integer.c); QLinearMatMul
 * requantizes with the NPU's fixed-point multiplier for
 * a_scale * b_scale / y_scale, per row of a and y and per column of b
 * where those are 1-D.
 */
#include "npu/error.h"
#include "npu_arith.h"
#include "ref/ref.h"

void npu_ref_gemm(const struct npu_value *a, const struct npu_value *b,
		  const struct npu_value *c, float alpha, float beta, int trans_a,
		  int trans_b, struct npu_value *y)
{
	const int64_t m = y->dims[0], n = y->dims[1];
	const int64_t k = trans_a ? a->dims[0] : a->dims[1];
	const float *ad = a->data, *bd = b->data;
	const int has_c = c && c->dtype != NPU_DTYPE_UNDEFINED;
	float *yd = y->data;

	for (int64_t i = 0; i < m; i++) {
		for (int64_t j = 0; j < n; j++) {
			const int64_t idx[2] = { i, j };
			double acc = 0.0;

			for (int64_t p = 0; p < k; p++) {
				const float av = trans_a ? ad[p * m + i] : ad[i * k + p];
				const float bv = trans_b ? bd[j * k + p] : bd[p * n + j];

				acc += (double)av * bv;
			}
			acc *= alpha;
			if (has_c)
				acc += (double)beta *
					((const float *)c->data)[npu_ref_broadcast_offset(c, 2, idx)];
			yd[i * n + j] = (float)acc;
		}
	}
}

/* The matrix product's geometry: batch dims of y, and M, K, N. */
struct mm {
	int64_t m, k, n;
	int batch_rank;
	int64_t batch[NPU_MAX_RANK];
	struct npu_value a_batch, b_batch;	/* the operands' batch dims only */
	size_t count;				/* product of batch */
};

static void mm_init(const struct npu_value *a, const struct npu_value *b,
		    const struct npu_value *y, struct mm *g)
{
	const int y_mat = (a->rank > 1) + (b->rank > 1);

	g->k = a->dims[a->rank - 1];
	g->m = a->rank > 1 ? a->dims[a->rank - 2] : 1;
	g->n = b->rank > 1 ? b->dims[b->rank - 1] : 1;
	g->batch_rank = y->rank - y_mat;
	g->count = 1;
	for (int i = 0; i < g->batch_rank; i++) {
		g->batch[i] = y->dims[i];
		g->count *= (size_t)y->dims[i];
	}
	g->a_batch.rank = a->rank > 2 ? a->rank - 2 : 0;
	g->b_batch.rank = b->rank > 2 ? b->rank - 2 : 0;
	for (int i = 0; i < g->a_batch.rank; i++)
		g->a_batch.dims[i] = a->dims[i];
	for (int i = 0; i < g->b_batch.rank; i++)
		g->b_batch.dims[i] = b->dims[i];
}

/* Element offsets of the matrices of a and b for batch multi-index idx. */
static void mm_offsets(const struct mm *g, const int64_t *idx, size_t *a_at, size_t *b_at)
{
	*a_at = npu_ref_broadcast_offset(&g->a_batch, g->batch_rank, idx) *
		(size_t)(g->m * g->k);
	*b_at = npu_ref_broadcast_offset(&g->b_batch, g->batch_rank, idx) *
		(size_t)(g->k * g->n);
}

void npu_ref_matmul(const struct npu_value *a, const struct npu_value *b, struct npu_value *y)
{
	const float *ad = a->data, *bd = b->data;
	float *yd = y->data;
	int64_t idx[NPU_MAX_RANK] = { 0 };
	struct mm g;

	mm_init(a, b, y, &g);
	for (size_t bi = 0; bi < g.count; bi++, npu_ref_next_index(g.batch_rank, g.batch, idx)) {
		size_t a_at, b_at;

		mm_offsets(&g, idx, &a_at, &b_at);
		for (int64_t i = 0; i < g.m; i++) {
			for (int64_t j = 0; j < g.n; j++) {
				double acc = 0.0;

				for (int64_t p = 0; p < g.k; p++)
					acc += (double)ad[a_at + i * g.k + p] * bd[b_at + p * g.n + j];
				yd[(bi * g.m + i) * g.n + j] = (float)acc;
			}
		}
	}
}

/* Entry i of a per-tensor or 1-D parameter; 0 when absent. */
static int64_t param_i(const struct npu_value *v, int64_t i)
{
	if (!v || v->dtype == NPU_DTYPE_UNDEFINED)
		return 0;
	return npu_ref_get_i(v, npu_value_numel(v) == 1 ? 0 : (size_t)i);
}

static float param_f(const struct npu_value *v, int64_t i)
{
	return ((const float *)v->data)[npu_value_numel(v) == 1 ? 0 : i];
}

/* The exact sum of (a - a_zp) * (b - b_zp) for row i, column j. */
static int32_t mm_accumulate(const struct npu_value *a, const struct npu_value *b,
			     const struct mm *g, size_t a_at, size_t b_at, int64_t i, int64_t j,
			     int32_t a_zp, int32_t b_zp)
{
	int32_t acc = 0;

	for (int64_t p = 0; p < g->k; p++) {
		const int32_t av = (int32_t)npu_ref_get_i(a, a_at + (size_t)(i * g->k + p)) - a_zp;
		const int32_t bv = (int32_t)npu_ref_get_i(b, b_at + (size_t)(p * g->n + j)) - b_zp;

		acc = npu_wrap_add(acc, av * bv);
	}
	return acc;
}

void npu_ref_matmul_integer(const struct npu_value *a, const struct npu_value *b,
			    const struct npu_value *a_zp, const struct npu_value *b_zp,
			    struct npu_value *y)
{
	int32_t *yd = y->data;
	int64_t idx[NPU_MAX_RANK] = { 0 };
	struct mm g;

	mm_init(a, b, y, &g);
	for (size_t bi = 0; bi < g.count; bi++, npu_ref_next_index(g.batch_rank, g.batch, idx)) {
		size_t a_at, b_at;

		mm_offsets(&g, idx, &a_at, &b_at);
		for (int64_t i = 0; i < g.m; i++)
			for (int64_t j = 0; j < g.n; j++)
				yd[(bi * g.m + i) * g.n + j] =
					mm_accumulate(a, b, &g, a_at, b_at, i, j,
						      (int32_t)param_i(a_zp, i),
						      (int32_t)param_i(b_zp, j));
	}
}

int npu_ref_qlinear_matmul(const struct npu_value *a, const struct npu_value *a_scale,
			   const struct npu_value *a_zp, const struct npu_value *b,
			   const struct npu_value *b_scale, const struct npu_value *b_zp,
			   const struct npu_value *y_scale, const struct npu_value *y_zp,
			   struct npu_value *y)
{
	const int32_t qmin = y->dtype == NPU_DTYPE_INT8 ? -128 : 0;
	const int32_t qmax = y->dtype == NPU_DTYPE_INT8 ? 127 : 255;
	int64_t idx[NPU_MAX_RANK] = { 0 };
	struct mm g;

	mm_init(a, b, y, &g);
	for (size_t bi = 0; bi < g.count; bi++, npu_ref_next_index(g.batch_rank, g.batch, idx)) {
		size_t a_at, b_at;

		mm_offsets(&g, idx, &a_at, &b_at);
		for (int64_t i = 0; i < g.m; i++) {
			for (int64_t j = 0; j < g.n; j++) {
				const double scale = (double)param_f(a_scale, i) * param_f(b_scale, j) /
					param_f(y_scale, i);
				struct npu_quant q;
				int32_t acc;

				if (npu_quant_from_scale(scale, &q))
					return NPU_E_INVALID;
				acc = mm_accumulate(a, b, &g, a_at, b_at, i, j,
						    (int32_t)param_i(a_zp, i), (int32_t)param_i(b_zp, j));
				npu_ref_set_i(y, (bi * (size_t)g.m + (size_t)i) * (size_t)g.n + (size_t)j,
					      npu_output_stage(npu_requantize(acc, q.multiplier,
									      q.shift),
							       (int32_t)param_i(y_zp, i), qmin, qmax));
			}
		}
	}
	return 0;
}
