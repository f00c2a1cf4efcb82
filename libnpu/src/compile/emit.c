// SPDX-License-Identifier: MIT
/*
 * Code generation: one NPU operation as tiles of a command stream.
 *
 * Every operation is cut into tiles whose operands fit the SRAM: CONV
 * and MATMUL by output channels (the weights chunk stays in SRAM for
 * every tile that uses it) and by output rows (with the input rows'
 * halo), POOL by output rows, ELTWISE and LUT by elements.  A CONV
 * whose only consumer is a non-overlapping POOL takes the POOL into
 * its tiles: the convolution's rows go from the MAC array to the PPU
 * through SRAM and never reach DRAM.
 *
 * An operation that fits the SRAM whole is one tile: every tile pays
 * the DMA and command latency again, and one tile can leave its output
 * in SRAM for the next operation to read in place (npu_emit.in_sram).
 * Operations that need several tiles, and batches, run them as a
 * pipeline with two SRAM slots for a tile's input and output: while
 * the MAC array or the PPU computes tile i, the DMA engine stores tile
 * i - 1 and loads tile i + 1 (run_pipe below).  The device orders
 * engines only at SYNC, and reports two engines touching the same SRAM
 * bytes at once as a hazard, so the slot discipline is checked by the
 * device on every job, not only by this comment.  When two slots do not
 * fit, one slot and a serial schedule remain.
 *
 * All DRAM addresses are in model space (compile_priv.h).
 */
#include <stdio.h>
#include <string.h>

#include "compile/compile_priv.h"
#include "npu/error.h"

#define EMIT(x) do { ret = (x); if (ret) return ret; } while (0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/*
 * The SRAM allocator: 16-byte aligned regions from address 0, around
 * a hole [hole, hole_end) that holds an input left by the operation
 * before (none when hole_end is 0).
 */
struct sram {
	uint32_t size, used;
	uint32_t hole, hole_end;
};

static struct sram sram_init(uint32_t size, const struct npu_emit *e)
{
	struct sram s = { size, 0, 0, 0 };

	if (e->in_sram_bytes) {
		s.hole = e->in_sram;
		s.hole_end = e->in_sram + (uint32_t)NPU_ALIGN16(e->in_sram_bytes);
	}
	return s;
}

static int sram_take(struct sram *s, size_t bytes, uint32_t *addr)
{
	const size_t n = NPU_ALIGN16(bytes);

	if (s->hole_end && s->used < s->hole_end && s->used + n > s->hole)
		s->used = s->hole_end;
	if (n > s->size - s->used)
		return -1;
	*addr = s->used;
	s->used += (uint32_t)n;
	return 0;
}

void npu_emit_table_bytes(const struct npu_lower_op *op, size_t *w, size_t *b, size_t *q)
{
	*w = *b = *q = 0;
	if (op->kind == NPU_LOWER_CONV) {
		const struct npu_conv_params *p = &op->p.conv;

		*w = (size_t)p->out_c * p->kernel_h * p->kernel_w * (p->in_c / p->groups);
		*b = p->bias ? 4u * p->out_c : 0;
		*q = p->channel_quant ? 8u * p->out_c : 0;
	} else if (op->kind == NPU_LOWER_MATMUL) {
		const struct npu_matmul_params *p = &op->p.matmul;

		*w = (size_t)p->n * p->k;
		*b = p->bias ? 4u * p->n : 0;
		*q = p->channel_quant ? 8u * p->n : 0;
	} else if (op->kind == NPU_LOWER_LUT) {
		*w = 256;
	}
}

/* Store `rows` runs of n bytes from dense SRAM into DRAM rows `stride` apart. */
static int store_rows(struct npu_cs *cs, uint32_t dram, uint32_t sram, uint32_t n,
		      uint32_t rows, uint32_t stride)
{
	struct npu_cmd_dma d;

	if (n == stride)
		return npu_cs_store_linear(cs, dram, sram, n * rows);
	memset(&d, 0, sizeof(d));
	d.dram_addr = dram;
	d.sram_addr = sram;
	d.size[0] = n;
	d.size[1] = rows;
	d.size[2] = d.size[3] = 1;
	d.dram_stride[0] = stride;
	d.sram_stride[0] = n;
	return npu_cs_dma_store(cs, &d);
}

/*
 * Row tiling: output rows of out_row_px pixels, each output row r
 * reading input rows [r * stride - pad, r * stride - pad + eff) of
 * in_row bytes.
 */
struct rows {
	uint32_t in_rows, in_row, out_rows, out_row_px;
	uint32_t stride, pad, eff;
};

static size_t in_tile_bytes(const struct rows *r, uint32_t n)
{
	size_t rows = (size_t)(n - 1) * r->stride + r->eff;

	return (rows < r->in_rows ? rows : r->in_rows) * r->in_row;
}

/* Load the input rows of output rows [r0, r0 + n); *pt, *pb: the padding left over. */
static int load_rows(struct npu_cs *cs, const struct rows *r, uint32_t sram, uint32_t dram,
		     uint32_t r0, uint32_t n, uint32_t *in_h, uint32_t *pt, uint32_t *pb)
{
	int64_t i0 = (int64_t)r0 * r->stride - r->pad;
	int64_t i1 = (int64_t)(r0 + n - 1) * r->stride - r->pad + r->eff;
	int64_t lo = i0 < 0 ? 0 : i0, hi = i1 > r->in_rows ? r->in_rows : i1;

	if (hi <= lo)
		return NPU_E_COMMAND;	/* a tile of padding only */
	*in_h = (uint32_t)(hi - lo);
	*pt = (uint32_t)(lo - i0);
	*pb = (uint32_t)(i1 - hi);
	return npu_cs_load_linear(cs, sram, dram + (uint32_t)lo * r->in_row, *in_h * r->in_row);
}

/*
 * The tile pipeline.  Two slots: step i stores tile i - 1, computes
 * tile i and loads tile i + 1, then SYNCs every engine; the slots
 * alternate, so no two engines touch the same bytes within a step.
 * One slot: load, SYNC, compute, SYNC, store, with the next load
 * queued behind the store on the in-order DMA engine.
 */
struct pipe {
	struct npu_cs *cs;
	uint32_t n, slots;
	uint32_t store_off;	/* one slot: where the last store begins */
	void *ctx;
	int (*load)(struct pipe *p, uint32_t i, uint32_t slot);
	int (*compute)(struct pipe *p, uint32_t i, uint32_t slot);
	int (*store)(struct pipe *p, uint32_t i, uint32_t slot);
};

static int run_pipe(struct pipe *p)
{
	const uint32_t dma = NPU_ENGINE_BIT(NPU_ENGINE_DMA);
	int ret;

	if (p->slots == 1) {
		for (uint32_t i = 0; i < p->n; i++) {
			EMIT(p->load(p, i, 0));
			EMIT(npu_cs_sync(p->cs, dma));
			EMIT(p->compute(p, i, 0));
			EMIT(npu_cs_sync(p->cs, NPU_ENGINE_ALL));
			p->store_off = (uint32_t)npu_cs_size(p->cs);
			EMIT(p->store(p, i, 0));
		}
		return npu_cs_sync(p->cs, NPU_ENGINE_ALL);
	}
	EMIT(p->load(p, 0, 0));
	EMIT(npu_cs_sync(p->cs, dma));
	for (uint32_t i = 0; i < p->n; i++) {
		if (i)
			EMIT(p->store(p, i - 1, (i - 1) & 1));
		EMIT(p->compute(p, i, i & 1));
		if (i + 1 < p->n)
			EMIT(p->load(p, i + 1, (i + 1) & 1));
		EMIT(npu_cs_sync(p->cs, NPU_ENGINE_ALL));
	}
	EMIT(p->store(p, p->n - 1, (p->n - 1) & 1));
	return npu_cs_sync(p->cs, NPU_ENGINE_ALL);
}

static int unsupported(struct npu_emit *e, const char *what, uint32_t sram_size)
{
	snprintf(e->reason, e->reason_size, "over SRAM: %s does not fit %u bytes", what,
		 sram_size);
	return NPU_E_UNSUPPORTED;
}

/* A POOL command over in_h input rows into out_h output rows; no vertical padding. */
static void pool_cmd(const struct npu_pool_params *q, uint32_t in_addr, uint32_t out_addr,
		     uint32_t in_h, uint32_t out_h, struct npu_cmd_pool *k)
{
	memset(k, 0, sizeof(*k));
	k->flags = q->flags;
	k->mode = q->mode;
	k->in_addr = in_addr;
	k->out_addr = out_addr;
	k->in_h = (uint16_t)in_h;
	k->in_w = q->in_w;
	k->channels = q->channels;
	k->out_h = (uint16_t)out_h;
	k->out_w = q->out_w;
	k->kernel_h = q->kernel_h;
	k->kernel_w = q->kernel_w;
	k->stride_h = q->stride_h;
	k->stride_w = q->stride_w;
	k->pad_left = q->pad_left;
	k->pad_right = q->pad_right;
	k->in_zp = q->in_zp;
	k->out_zp = q->out_zp;
	k->act_min = q->act_min;
	k->act_max = q->act_max;
	k->quant = q->quant;
}

/* ---- CONV and MATMUL, with a fused POOL ---------------------------- */

struct mac {
	struct npu_emit *e;
	struct rows r;
	uint32_t wrow;		/* weight bytes per output channel */
	uint32_t out_c, out_w;	/* of the MAC output (conv) or the matrix (n, 1) */
	uint32_t pool_s;	/* fused pool: its stride (= kernel) in rows */
	uint32_t chunk, rows;	/* channels per weights chunk; output rows per tile */
	uint32_t per_image;	/* tiles per image (CONV) or of the matrix (MATMUL) */
	uint32_t oc0, n;	/* the chunk being emitted */
	uint32_t w_addr, b_addr, q_addr, in_addr[2], mid_addr, out_addr[2];
};

/* Lay out a tile of `chunk` channels and `rows` output rows; 0 if it fits. */
static int mac_layout(struct mac *m, uint32_t sram_size, uint32_t chunk, uint32_t rows,
		      uint32_t slots)
{
	const struct npu_emit *e = m->e;
	const int bias = m->e->op->kind == NPU_LOWER_CONV ? !!e->op->p.conv.bias :
			 !!e->op->p.matmul.bias;
	const int quant = m->e->op->kind == NPU_LOWER_CONV ? !!e->op->p.conv.channel_quant :
			  !!e->op->p.matmul.channel_quant;
	const uint32_t mac_rows = m->pool_s ? rows * m->pool_s : rows;
	const size_t mac_out = (size_t)mac_rows * m->out_w * chunk;
	struct sram s = sram_init(sram_size, e);

	m->b_addr = m->q_addr = m->mid_addr = 0;
	if (sram_take(&s, (size_t)chunk * m->wrow, &m->w_addr) ||
	    (bias && sram_take(&s, 4u * chunk, &m->b_addr)) ||
	    (quant && sram_take(&s, 8u * chunk, &m->q_addr)) ||
	    (m->pool_s && sram_take(&s, mac_out, &m->mid_addr)))
		return -1;
	for (uint32_t i = 0; i < 2; i++) {
		const size_t out = m->pool_s ?
			(size_t)rows * m->e->pool->p.pool.out_w * chunk : mac_out;

		if (i >= slots) {
			m->in_addr[i] = m->in_addr[0];
			m->out_addr[i] = m->out_addr[0];
		} else if (e->in_sram_bytes) {
			m->in_addr[i] = e->in_sram;
			if (sram_take(&s, out, &m->out_addr[i]))
				return -1;
		} else if (sram_take(&s, in_tile_bytes(&m->r, mac_rows), &m->in_addr[i]) ||
			   sram_take(&s, out, &m->out_addr[i])) {
			return -1;
		}
	}
	return 0;
}

static uint32_t mac_image_rows(const struct mac *m)
{
	if (m->e->op->kind == NPU_LOWER_MATMUL)
		return m->r.out_rows;
	return m->pool_s ? m->e->pool->p.pool.out_h : m->r.out_rows;
}

/* The tile's image and first output row (pool rows when fused). */
static void mac_tile(const struct mac *m, uint32_t i, uint32_t *image, uint32_t *r0,
		     uint32_t *nr)
{
	const uint32_t total = mac_image_rows(m);

	*image = i / m->per_image;
	*r0 = i % m->per_image * m->rows;
	*nr = MIN(m->rows, total - *r0);
}

static int mac_load(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct mac *m = p->ctx;
	const struct npu_dev_tensor *in = &m->e->in[0];
	uint32_t image, r0, nr, in_h, pt, pb;

	if (m->e->in_sram_bytes)
		return 0;	/* left in SRAM by the operation before */

	mac_tile(m, i, &image, &r0, &nr);
	if (m->pool_s) {
		r0 *= m->pool_s;
		nr *= m->pool_s;
	}
	return load_rows(p->cs, &m->r, m->in_addr[slot], in->off + image * in->image_bytes, r0,
			 nr, &in_h, &pt, &pb);
}

static int mac_compute(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct mac *m = p->ctx;
	const struct npu_lower_op *op = m->e->op;
	uint32_t image, r0, nr, in_h, pt, pb;
	int64_t i0, i1;
	int ret;

	mac_tile(m, i, &image, &r0, &nr);
	if (op->kind == NPU_LOWER_MATMUL) {
		const struct npu_matmul_params *q = &op->p.matmul;
		struct npu_cmd_matmul k;

		memset(&k, 0, sizeof(k));
		k.flags = q->flags;
		k.in_addr = m->in_addr[slot];
		k.wt_addr = m->w_addr;
		k.bias_addr = m->b_addr;
		k.quant_addr = m->q_addr;
		k.out_addr = m->out_addr[slot];
		k.m = nr;
		k.k = q->k;
		k.n = m->n;
		k.in_zp = q->in_zp;
		k.out_zp = q->out_zp;
		k.act_min = q->act_min;
		k.act_max = q->act_max;
		k.quant = q->quant;
		return npu_cs_matmul(p->cs, &k);
	}

	const struct npu_conv_params *q = &op->p.conv;
	const uint32_t conv_r0 = m->pool_s ? r0 * m->pool_s : r0;
	const uint32_t conv_nr = m->pool_s ? nr * m->pool_s : nr;
	struct npu_cmd_conv k;

	/* The same rows load_rows() fetched, and the padding it left to the command. */
	i0 = (int64_t)conv_r0 * m->r.stride - m->r.pad;
	i1 = (int64_t)(conv_r0 + conv_nr - 1) * m->r.stride - m->r.pad + m->r.eff;
	in_h = (uint32_t)(MIN(i1, (int64_t)m->r.in_rows) - (i0 < 0 ? 0 : i0));
	pt = (uint32_t)(i0 < 0 ? -i0 : 0);
	pb = (uint32_t)(i1 > m->r.in_rows ? i1 - m->r.in_rows : 0);
	memset(&k, 0, sizeof(k));
	k.flags = q->flags;
	k.in_addr = m->in_addr[slot];
	k.wt_addr = m->w_addr;
	k.bias_addr = m->b_addr;
	k.quant_addr = m->q_addr;
	k.out_addr = m->pool_s ? m->mid_addr : m->out_addr[slot];
	k.in_h = (uint16_t)in_h;
	k.in_w = q->in_w;
	k.in_c = q->in_c;
	k.groups = q->groups;
	k.out_h = (uint16_t)conv_nr;
	k.out_w = q->out_w;
	k.out_c = (uint16_t)m->n;
	k.kernel_h = q->kernel_h;
	k.kernel_w = q->kernel_w;
	k.stride_h = q->stride_h;
	k.stride_w = q->stride_w;
	k.dilation_h = q->dilation_h;
	k.dilation_w = q->dilation_w;
	k.pad_top = (uint8_t)pt;
	k.pad_bottom = (uint8_t)pb;
	k.pad_left = q->pad_left;
	k.pad_right = q->pad_right;
	k.in_zp = q->in_zp;
	k.out_zp = q->out_zp;
	k.act_min = q->act_min;
	k.act_max = q->act_max;
	k.quant = q->quant;
	EMIT(npu_cs_conv(p->cs, &k));
	if (!m->pool_s)
		return 0;

	struct npu_cmd_pool pk;

	/* The PPU reads what the MAC array wrote: the one SYNC inside a tile. */
	EMIT(npu_cs_sync(p->cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)));
	pool_cmd(&m->e->pool->p.pool, m->mid_addr, m->out_addr[slot], conv_nr, nr, &pk);
	pk.channels = (uint16_t)m->n;
	return npu_cs_pool(p->cs, &pk);
}

static int mac_store(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct mac *m = p->ctx;
	const struct npu_dev_tensor *out = &m->e->out;
	uint32_t image, r0, nr, px, chans;

	mac_tile(m, i, &image, &r0, &nr);
	if (m->e->op->kind == NPU_LOWER_MATMUL) {
		px = 1;
		chans = m->out_c;
	} else if (m->pool_s) {
		px = m->e->pool->p.pool.out_w;
		chans = m->out_c;
	} else {
		px = m->out_w;
		chans = m->out_c;
	}
	return store_rows(p->cs, out->off + image * out->image_bytes + r0 * px * chans + m->oc0,
			  m->out_addr[slot], m->n, nr * px, chans);
}

/*
 * The largest tile that fits `slots` slots: all channels if a row of
 * them fits, else the channel chunk halved until one does.  Grouped
 * weights stay whole: a chunk would cut a group.  0 if nothing fits.
 */
static uint32_t mac_fit(struct mac *m, uint32_t sram_size, uint32_t slots)
{
	const int grouped = m->e->op->kind == NPU_LOWER_CONV && m->e->op->p.conv.groups != 1;

	for (uint32_t chunk = m->out_c; chunk; chunk = chunk == 1 || grouped ? 0 :
						       (chunk + 1) / 2) {
		uint32_t rows = mac_image_rows(m);

		while (rows && mac_layout(m, sram_size, chunk, rows, slots))
			rows--;
		if (rows) {
			m->chunk = chunk;
			m->rows = rows;
			return rows;
		}
	}
	return 0;
}

static int mac_chunk_load(struct npu_cs *cs, const struct mac *m)
{
	const struct npu_emit *e = m->e;
	int ret = npu_cs_load_linear(cs, m->w_addr, e->w_off + m->oc0 * m->wrow, m->n * m->wrow);

	if (!ret && m->b_addr)
		ret = npu_cs_load_linear(cs, m->b_addr, e->b_off + 4u * m->oc0, 4u * m->n);
	if (!ret && m->q_addr)
		ret = npu_cs_load_linear(cs, m->q_addr, e->q_off + 8u * m->oc0, 8u * m->n);
	return ret;
}

static int emit_mac(struct npu_cs *cs, uint32_t sram_size, struct npu_emit *e)
{
	const struct npu_lower_op *op = e->op;
	struct mac m;
	struct pipe p;
	uint32_t slots, images;
	int ret;

	memset(&m, 0, sizeof(m));
	m.e = e;
	if (op->kind == NPU_LOWER_CONV) {
		const struct npu_conv_params *q = &op->p.conv;

		m.r = (struct rows){ q->in_h, (uint32_t)q->in_w * q->in_c, q->out_h, q->out_w,
				     q->stride_h, q->pad_top,
				     (uint32_t)q->dilation_h * (q->kernel_h - 1u) + 1u };
		m.wrow = (uint32_t)q->kernel_h * q->kernel_w * (q->in_c / q->groups);
		m.out_c = q->out_c;
		m.out_w = q->out_w;
		m.pool_s = e->pool ? e->pool->p.pool.stride_h : 0;
		images = e->batch;
	} else {
		const struct npu_matmul_params *q = &op->p.matmul;

		m.r = (struct rows){ q->m, q->k, q->m, 1, 1, 0, 1 };
		m.wrow = q->k;
		m.out_c = q->n;
		m.out_w = 1;
		images = 1;	/* the matrix's rows are every image's */
	}
	/*
	 * One tile if the layer fits whole (each tile pays the DMA and
	 * command latency again), else two slots so that tiles overlap.
	 */
	if (!mac_fit(&m, sram_size, 1))
		return unsupported(e, "one output row of one weights chunk", sram_size);
	slots = 1;
	if (!e->single_buffer && !e->in_sram_bytes &&
	    (images > 1 || m.chunk < m.out_c || m.rows < mac_image_rows(&m)) &&
	    mac_fit(&m, sram_size, 2))
		slots = 2;
	else
		mac_fit(&m, sram_size, 1);
	/* An input left in SRAM is read in place: the whole of it, by one tile. */
	if (e->in_sram_bytes && (images != 1 || m.chunk != m.out_c ||
				 m.rows != mac_image_rows(&m) ||
				 in_tile_bytes(&m.r, m.pool_s ? m.rows * m.pool_s : m.rows) !=
				 e->in_sram_bytes))
		return unsupported(e, "the whole layer around an input left in SRAM",
				   sram_size);
	mac_layout(&m, sram_size, m.chunk, m.rows, slots);
	m.per_image = (mac_image_rows(&m) + m.rows - 1) / m.rows;
	p = (struct pipe){ cs, images * m.per_image, slots, 0, &m, mac_load, mac_compute,
			   mac_store };
	for (m.oc0 = 0; m.oc0 < m.out_c; m.oc0 += m.chunk) {
		m.n = MIN(m.chunk, m.out_c - m.oc0);
		EMIT(mac_chunk_load(cs, &m));
		EMIT(run_pipe(&p));
		e->tiles += p.n;
	}
	if (e->tiles == 1 && slots == 1) {
		const uint32_t rows = mac_image_rows(&m);

		e->out_sram = m.out_addr[0];
		e->out_sram_bytes = rows * m.out_c *
				    (m.pool_s ? e->pool->p.pool.out_w : m.out_w);
		e->store_off = p.store_off;
	}
	return 0;
}

/* ---- POOL ----------------------------------------------------------- */

struct pool {
	struct npu_emit *e;
	struct rows r;
	uint32_t rows, per_image, global;
	uint32_t in_addr[2], out_addr[2];
};

static int pool_layout(struct pool *t, uint32_t sram_size, uint32_t rows, uint32_t slots)
{
	const struct npu_pool_params *q = &t->e->op->p.pool;
	struct sram s = sram_init(sram_size, t->e);

	for (uint32_t i = 0; i < 2; i++) {
		if (i >= slots) {
			t->in_addr[i] = t->in_addr[0];
			t->out_addr[i] = t->out_addr[0];
		} else if (t->e->in_sram_bytes) {
			t->in_addr[i] = t->e->in_sram;
			if (sram_take(&s, (size_t)rows * q->out_w * q->channels, &t->out_addr[i]))
				return -1;
		} else if (sram_take(&s, in_tile_bytes(&t->r, rows), &t->in_addr[i]) ||
			   sram_take(&s, (size_t)rows * q->out_w * q->channels, &t->out_addr[i])) {
			return -1;
		}
	}
	return 0;
}

static uint32_t pool_fit(struct pool *t, uint32_t sram_size, uint32_t slots)
{
	t->rows = t->e->op->p.pool.out_h;
	while (t->rows && pool_layout(t, sram_size, t->rows, slots))
		t->rows--;
	return t->rows;
}

static int pool_load(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct pool *t = p->ctx;
	const struct npu_dev_tensor *in = &t->e->in[0];
	const uint32_t r0 = i % t->per_image * t->rows;
	uint32_t in_h, pt, pb;

	if (t->e->in_sram_bytes)
		return 0;	/* left in SRAM by the operation before */

	return load_rows(p->cs, &t->r, t->in_addr[slot],
			 in->off + i / t->per_image * in->image_bytes, r0,
			 MIN(t->rows, t->r.out_rows - r0), &in_h, &pt, &pb);
}

static int pool_compute(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct pool *t = p->ctx;
	const struct npu_pool_params *q = &t->e->op->p.pool;
	const uint32_t r0 = i % t->per_image * t->rows, nr = MIN(t->rows, t->r.out_rows - r0);
	const int64_t i0 = (int64_t)r0 * t->r.stride - t->r.pad;
	const int64_t i1 = (int64_t)(r0 + nr - 1) * t->r.stride - t->r.pad + t->r.eff;
	struct npu_cmd_pool k;

	pool_cmd(q, t->in_addr[slot], t->out_addr[slot],
		 (uint32_t)(MIN(i1, (int64_t)t->r.in_rows) - (i0 < 0 ? 0 : i0)), nr, &k);
	if (!t->global) {
		k.pad_top = (uint8_t)(i0 < 0 ? -i0 : 0);
		k.pad_bottom = (uint8_t)(i1 > t->r.in_rows ? i1 - t->r.in_rows : 0);
	}
	return npu_cs_pool(p->cs, &k);
}

static int pool_store(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct pool *t = p->ctx;
	const struct npu_pool_params *q = &t->e->op->p.pool;
	const struct npu_dev_tensor *out = &t->e->out;
	const uint32_t r0 = i % t->per_image * t->rows, nr = MIN(t->rows, t->r.out_rows - r0);
	const uint32_t row = (uint32_t)q->out_w * q->channels;

	return npu_cs_store_linear(p->cs, out->off + i / t->per_image * out->image_bytes +
				   r0 * row, t->out_addr[slot], nr * row);
}

static int emit_pool(struct npu_cs *cs, uint32_t sram_size, struct npu_emit *e)
{
	const struct npu_pool_params *q = &e->op->p.pool;
	struct pool t;
	struct pipe p;
	uint32_t slots;
	int ret;

	memset(&t, 0, sizeof(t));
	t.e = e;
	t.global = q->mode == NPU_POOL_GLOBAL_AVG;
	t.r = (struct rows){ q->in_h, (uint32_t)q->in_w * q->channels, q->out_h, q->out_w,
			     t.global ? 1u : q->stride_h, q->pad_top,
			     t.global ? q->in_h : q->kernel_h };
	/* One tile if it fits whole, else two slots so that tiles overlap (as for CONV). */
	if (!pool_fit(&t, sram_size, 1))
		return unsupported(e, "a tile of one output row", sram_size);
	slots = 1;
	if (!e->single_buffer && !e->in_sram_bytes && (e->batch > 1 || t.rows < q->out_h) &&
	    pool_fit(&t, sram_size, 2))
		slots = 2;
	else
		pool_fit(&t, sram_size, 1);
	/* A global average needs the whole input at once. */
	if (t.global && t.rows < q->out_h)
		return unsupported(e, "a tile of one output row", sram_size);
	/* An input left in SRAM is read in place: the whole of it, by one tile. */
	if (e->in_sram_bytes && (e->batch != 1 || t.rows != q->out_h ||
				 in_tile_bytes(&t.r, t.rows) != e->in_sram_bytes))
		return unsupported(e, "the whole layer around an input left in SRAM",
				   sram_size);
	pool_layout(&t, sram_size, t.rows, slots);
	t.per_image = (q->out_h + t.rows - 1) / t.rows;
	p = (struct pipe){ cs, e->batch * t.per_image, slots, 0, &t, pool_load, pool_compute,
			   pool_store };
	e->tiles = p.n;
	ret = run_pipe(&p);
	if (!ret && p.n == 1 && slots == 1) {
		e->out_sram = t.out_addr[0];
		e->out_sram_bytes = (uint32_t)q->out_h * q->out_w * q->channels;
		e->store_off = p.store_off;
	}
	return ret;
}

/* ---- ELTWISE and LUT -------------------------------------------------- */

struct elem {
	struct npu_emit *e;
	uint32_t count, chunk, table;
	uint32_t a[2], b[2], o[2];
};

static int elem_load(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct elem *t = p->ctx;
	const uint32_t at = i * t->chunk, n = MIN(t->chunk, t->count - at);
	int ret = 0;

	/* Inputs left in SRAM by the operation before are not loaded. */
	if (!(t->e->in_sram_mask & 1))
		ret = npu_cs_load_linear(p->cs, t->a[slot], t->e->in[0].off + at, n);
	if (!ret && t->e->op->kind == NPU_LOWER_ELTWISE && !(t->e->in_sram_mask & 2))
		ret = npu_cs_load_linear(p->cs, t->b[slot], t->e->in[1].off + at, n);
	return ret;
}

static int elem_compute(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct elem *t = p->ctx;
	const uint32_t n = MIN(t->chunk, t->count - i * t->chunk);

	if (t->e->op->kind == NPU_LOWER_LUT) {
		struct npu_cmd_lut k;

		memset(&k, 0, sizeof(k));
		k.flags = t->e->op->p.lut.flags;
		k.count = n;
		k.in_addr = t->a[slot];
		k.table_addr = t->table;
		k.out_addr = t->o[slot];
		return npu_cs_lut(p->cs, &k);
	}

	const struct npu_eltwise_params *q = &t->e->op->p.eltwise;
	struct npu_cmd_eltwise k;

	memset(&k, 0, sizeof(k));
	k.flags = q->flags;
	k.op = q->op;
	k.a_addr = t->a[slot];
	k.b_addr = t->b[slot];
	k.out_addr = t->o[slot];
	k.count = n;
	k.channels = q->channels;
	k.a_zp = q->a_zp;
	k.b_zp = q->b_zp;
	k.out_zp = q->out_zp;
	k.left_shift = q->left_shift;
	k.act_min = q->act_min;
	k.act_max = q->act_max;
	k.a_quant = q->a_quant;
	k.b_quant = q->b_quant;
	k.out_quant = q->out_quant;
	return npu_cs_eltwise(p->cs, &k);
}

static int elem_store(struct pipe *p, uint32_t i, uint32_t slot)
{
	struct elem *t = p->ctx;
	const uint32_t at = i * t->chunk;

	return npu_cs_store_linear(p->cs, t->e->out.off + at, t->o[slot],
				   MIN(t->chunk, t->count - at));
}

static int emit_elementwise(struct npu_cs *cs, uint32_t sram_size, struct npu_emit *e)
{
	const int lut = e->op->kind == NPU_LOWER_LUT;
	const uint32_t parts = lut ? 2u : 3u;
	struct elem t;
	struct pipe p;
	struct sram s = sram_init(sram_size, e);
	uint32_t slots = e->single_buffer ? 1 : 2;
	int ret;

	memset(&t, 0, sizeof(t));
	t.e = e;
	t.count = lut ? e->op->p.lut.count : e->op->p.eltwise.count;
	if (lut && sram_take(&s, 256, &t.table))
		return unsupported(e, "the LUT table", sram_size);
	if (e->in_sram_bytes) {
		/* Inputs read in place: one tile, the rest laid out around them. */
		if (e->in_sram_bytes != t.count ||
		    (!(e->in_sram_mask & 1) && sram_take(&s, t.count, &t.a[0])) ||
		    (!lut && !(e->in_sram_mask & 2) && sram_take(&s, t.count, &t.b[0])) ||
		    sram_take(&s, t.count, &t.o[0]))
			return unsupported(e, "the whole element-wise operation around an input "
					   "left in SRAM", sram_size);
		slots = 1;
		t.chunk = t.count;
		if (e->in_sram_mask & 1)
			t.a[0] = e->in_sram;
		if (e->in_sram_mask & 2)
			t.b[0] = e->in_sram;
		t.a[1] = t.a[0];
		t.b[1] = t.b[0];
		t.o[1] = t.o[0];
	} else if ((size_t)parts * NPU_ALIGN16(t.count) <= s.size - s.used) {
		slots = 1;	/* one tile: nothing to overlap */
	}
	if (!e->in_sram_bytes) {
		t.chunk = (uint32_t)((s.size - s.used) / (parts * slots)) & ~15u;
		if (!t.chunk)
			return unsupported(e, "a chunk of 16 elements", sram_size);
		if (t.chunk > t.count)
			t.chunk = t.count;
		for (uint32_t i = 0; i < slots; i++) {
			sram_take(&s, t.chunk, &t.a[i]);
			if (!lut)
				sram_take(&s, t.chunk, &t.b[i]);
			sram_take(&s, t.chunk, &t.o[i]);
		}
		if (slots == 1) {
			t.a[1] = t.a[0];
			t.b[1] = t.b[0];
			t.o[1] = t.o[0];
		}
	}
	if (lut)
		EMIT(npu_cs_load_linear(cs, t.table, e->w_off, 256));
	p = (struct pipe){ cs, (t.count + t.chunk - 1) / t.chunk, slots, 0, &t, elem_load,
			   elem_compute, elem_store };
	e->tiles = p.n;
	ret = run_pipe(&p);
	if (!ret && p.n == 1 && slots == 1) {
		e->out_sram = t.o[0];
		e->out_sram_bytes = t.count;
		e->store_off = p.store_off;
	}
	return ret;
}

int npu_emit_op(struct npu_cs *cs, uint32_t sram_size, struct npu_emit *e)
{
	switch (e->op->kind) {
	case NPU_LOWER_CONV:
	case NPU_LOWER_MATMUL:
		return emit_mac(cs, sram_size, e);
	case NPU_LOWER_POOL:
		return emit_pool(cs, sram_size, e);
	case NPU_LOWER_ELTWISE:
	case NPU_LOWER_LUT:
		return emit_elementwise(cs, sram_size, e);
	default:
		return NPU_E_INVALID;
	}
}
