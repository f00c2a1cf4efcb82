// SPDX-License-Identifier: MIT
/*
 * The partitioner: each lowered operation placed on the NPU or the
 * CPU, NPU operations grouped into segments (device jobs), every
 * tensor the device touches given a home in the activation region, and
 * the copies between host values and those homes.
 *
 * Placement.  An operation goes to the NPU when the device reports the
 * engine it needs and the code generator can tile it into the device's
 * SRAM; otherwise it stays on the CPU with the reason.  A reshape
 * (COPY) runs on the device as an alias of its input's bytes when the
 * layouts allow it, else on the host.
 *
 * Layouts.  On the device, a rank-4 tensor is NHWC, image by image;
 * other tensors keep the host's bytes.  A Flatten of an NHWC tensor is
 * an alias whose bytes are in (h, w, c) order, so the MATMUL that
 * consumes it gets its weights' K dimension permuted to match, once,
 * at compile time: the activations never go back to NCHW.
 *
 * Segments.  Consecutive NPU operations form one job, so their
 * intermediate tensors stay in device memory; a CPU operation ends the
 * segment.  Tensors made on the host are copied in before the first
 * segment that reads them; tensors a host operation reads, and the
 * graph's outputs, are copied out after the segment that makes them.
 * Within a segment, an operation whose input the one before left whole
 * in SRAM reads it there, and the store of that tensor is cut when
 * nothing else reads it (builder.left).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile_priv.h"
#include "diag.h"
#include "graph/graph_priv.h"
#include "npu/error.h"

struct builder {
	const struct npu_int8_model *m;
	const struct npu_device_info *info;
	struct npu_plan *plan;
	struct npu_cs *cs;
	uint32_t *producer;		/* tensor -> cop + 1 that makes it on the NPU, 0: host */
	uint8_t *homed, *copied_in;	/* tensor has a device home; was copied in */
	struct npu_dev_tensor *home;
	uint32_t open;			/* the open segment, UINT32_MAX: none */
	int too_big;			/* activations over model space */
	/*
	 * The output the last NPU operation of the open segment left whole
	 * in SRAM (bytes 0: none): the next one may read it there, and if
	 * nothing else reads it, its store is cut off the stream's end.
	 */
	struct {
		const struct npu_tensor *t;
		uint32_t home, addr, bytes;	/* t's device home; where in SRAM */
		uint32_t store_at;		/* stream byte where its store begins */
		uint32_t cop;
	} left;
	size_t cap_xfers, cap_streams, cap_weights;
};

static uint32_t cap_bit(enum npu_lower_kind kind)
{
	switch (kind) {
	case NPU_LOWER_CONV:
		return NPU_CAP_OP_CONV;
	case NPU_LOWER_MATMUL:
		return NPU_CAP_OP_MATMUL;
	case NPU_LOWER_POOL:
		return NPU_CAP_OP_POOL;
	case NPU_LOWER_ELTWISE:
		return NPU_CAP_OP_ELTWISE;
	case NPU_LOWER_LUT:
		return NPU_CAP_OP_LUT;
	default:
		return 0;
	}
}

static const char *kind_name(enum npu_lower_kind kind)
{
	static const char *const names[] = { "CONV", "MATMUL", "POOL", "ELTWISE", "LUT" };

	return kind <= NPU_LOWER_LUT ? names[kind] : "?";
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	void *q;
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
	*p = q;
	*cap = n;
	return 0;
}

static int is_output(const struct npu_graph *g, const struct npu_tensor *t)
{
	for (size_t i = 0; i < g->n_outputs; i++)
		if (g->outputs[i] == t)
			return 1;
	return 0;
}

/* Does an operation other than lowered op `self`, or the graph's outputs, read t? */
static int read_elsewhere(const struct npu_int8_model *m, const struct npu_tensor *t,
			  size_t self)
{
	for (size_t i = 0; i < m->n_ops; i++)
		if (i != self && npu_lower_op_reads(&m->ops[i], t))
			return 1;
	return is_output(m->graph, t);
}

/* Does a host operation, or the graph's outputs, read t? */
static int read_on_host(const struct builder *b, const struct npu_tensor *t)
{
	const struct npu_plan *plan = b->plan;

	for (uint32_t c = 0; c < plan->n_cops; c++) {
		const struct npu_cop *cop = &plan->cops[c];

		for (uint32_t i = cop->first; cop->placement == NPU_PLACE_CPU &&
		     i < cop->first + cop->count; i++)
			if (npu_lower_op_reads(&b->m->ops[i], t))
				return 1;
	}
	return is_output(b->m->graph, t);
}

/* The layout a tensor made on the host takes on the device. */
static struct npu_dev_tensor host_layout(const struct npu_tensor *t)
{
	struct npu_dev_tensor d = { 0 };

	if (t->rank == 4) {
		d.layout = NPU_LAYOUT_NHWC;
		d.c = (uint32_t)t->dims[1];
		d.hw = (uint32_t)(t->dims[2] * t->dims[3]);
		d.image_bytes = d.c * d.hw;
	} else {
		d.layout = NPU_LAYOUT_FLAT;
		d.image_bytes = (uint32_t)npu_tensor_numel(t);
	}
	return d;
}

static uint32_t images_of(const struct npu_tensor *t, const struct npu_dev_tensor *d)
{
	return d->layout == NPU_LAYOUT_NHWC ? (uint32_t)t->dims[0] : 1;
}

/* Room for tensor t of layout d in the activation region: its model address. */
static uint32_t act_take(struct builder *b, const struct npu_tensor *t,
			 const struct npu_dev_tensor *d)
{
	const uint64_t size = NPU_ALIGN16((uint64_t)d->image_bytes * images_of(t, d));
	const uint32_t off = b->plan->act_base + b->plan->act_size;

	/* Model space has 2 GiB of activations; past that the plan fails at the end. */
	if (b->plan->act_size + size >= NPU_MODEL_ACT_BASE)
		b->too_big = 1;
	else
		b->plan->act_size += (uint32_t)size;
	return off;
}

/* Give t a home of layout d in the activation region. */
static void home_at(struct builder *b, const struct npu_tensor *t, struct npu_dev_tensor d)
{
	d.off = act_take(b, t, &d);
	b->home[t->index] = d;
	b->homed[t->index] = 1;
}

/* Where input t is on the device: its producer's home, or a new one to copy it into. */
static void dev_input(struct builder *b, const struct npu_tensor *t, struct npu_dev_tensor *d)
{
	if (!b->homed[t->index])
		home_at(b, t, host_layout(t));
	*d = b->home[t->index];
}

/* Room in the weights region: `bytes` at *off. */
static int take_weights(struct builder *b, size_t bytes, uint32_t *off)
{
	struct npu_plan *plan = b->plan;
	int ret;

	if ((uint64_t)plan->weights_size + NPU_ALIGN16(bytes) >= NPU_MODEL_ACT_BASE)
		return npu_fail(NPU_E_UNSUPPORTED, "compile: the weights pass 2 GiB");
	ret = grow((void **)&plan->weights, &b->cap_weights,
		   plan->weights_size + NPU_ALIGN16(bytes), 1);
	if (ret)
		return ret;
	*off = plan->weights_size;
	plan->weights_size += (uint32_t)NPU_ALIGN16(bytes);
	return 0;
}

/*
 * Upload op's tables; a MATMUL reading an NHWC-flattened input gets
 * its weights' columns in (hw, c) order.
 */
static int upload(struct builder *b, const struct npu_lower_op *op, const struct npu_dev_tensor *in,
		  struct npu_emit *e)
{
	size_t wb, bb, qb;
	int ret;

	npu_emit_table_bytes(op, &wb, &bb, &qb);
	ret = take_weights(b, wb, &e->w_off);
	if (!ret && bb)
		ret = take_weights(b, bb, &e->b_off);
	if (!ret && qb)
		ret = take_weights(b, qb, &e->q_off);
	if (ret)
		return ret;
	uint8_t *w = b->plan->weights;

	if (op->kind == NPU_LOWER_LUT) {
		memcpy(w + e->w_off, op->table, 256);
		return 0;
	}
	if (op->kind == NPU_LOWER_MATMUL && in->layout == NPU_LAYOUT_NHWC) {
		const uint32_t k = op->p.matmul.k;

		for (uint32_t n = 0; n < op->p.matmul.n; n++)
			for (uint32_t c = 0; c < in->c; c++)
				for (uint32_t p = 0; p < in->hw; p++)
					w[e->w_off + (size_t)n * k + (size_t)p * in->c + c] =
						(uint8_t)op->weights[(size_t)n * k + (size_t)c *
								     in->hw + p];
	} else if (wb) {
		memcpy(w + e->w_off, op->weights, wb);
	}
	if (bb)
		memcpy(w + e->b_off, op->bias, bb);
	if (qb)
		memcpy(w + e->q_off, op->channel_quant, qb);
	return 0;
}

static uint64_t op_macs(const struct npu_lower_op *op, uint32_t batch)
{
	if (op->kind == NPU_LOWER_CONV) {
		const struct npu_conv_params *p = &op->p.conv;

		return (uint64_t)p->out_h * p->out_w * p->out_c * p->kernel_h * p->kernel_w *
		       (p->in_c / p->groups);
	}
	if (op->kind == NPU_LOWER_MATMUL)
		return (uint64_t)op->p.matmul.m * op->p.matmul.k * op->p.matmul.n / batch;
	return 0;
}

/* A POOL at `i` that can run inside the tiles of the CONV before it. */
static const struct npu_lower_op *fusable_pool(const struct builder *b, size_t i)
{
	const struct npu_int8_model *m = b->m;
	const struct npu_lower_op *conv = &m->ops[i], *pool;

	if (conv->kind != NPU_LOWER_CONV || i + 1 >= m->n_ops)
		return NULL;
	pool = &m->ops[i + 1];
	if (pool->kind != NPU_LOWER_POOL || pool->in[0] != conv->out ||
	    !(b->info->ops & NPU_CAP_OP_POOL) || read_elsewhere(m, conv->out, i + 1))
		return NULL;
	/* Non-overlapping rows: a tile of pool rows needs whole conv rows of its own. */
	if (pool->p.pool.mode == NPU_POOL_GLOBAL_AVG || pool->p.pool.pad_top ||
	    pool->p.pool.pad_bottom || pool->p.pool.kernel_h != pool->p.pool.stride_h)
		return NULL;
	return pool;
}

static int add_xfer(struct builder *b, const struct npu_tensor *t, uint32_t *count)
{
	struct npu_plan *plan = b->plan;
	int ret = grow((void **)&plan->xfers, &b->cap_xfers, plan->n_xfers + 1,
		       sizeof(*plan->xfers));

	if (ret)
		return ret;
	plan->xfers[plan->n_xfers].tensor = (uint32_t)t->index;
	plan->xfers[plan->n_xfers].dev = b->home[t->index];
	plan->n_xfers++;
	(*count)++;
	return 0;
}

static int new_cop(struct builder *b, uint32_t first, uint32_t count, struct npu_cop **out)
{
	struct npu_plan *plan = b->plan;
	const struct npu_lower_op *op = &b->m->ops[first];
	struct npu_cop *c;
	struct npu_cop *grown = realloc(plan->cops, (plan->n_cops + 1) * sizeof(*c));

	if (!grown)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	plan->cops = grown;
	c = &plan->cops[plan->n_cops++];
	memset(c, 0, sizeof(*c));
	c->first = first;
	c->count = count;
	c->placement = NPU_PLACE_CPU;
	c->segment = UINT32_MAX;
	snprintf(c->op, sizeof(c->op), "%s", npu_node_op_name(op->node->op));
	if (count == 2)
		snprintf(c->op + strlen(c->op), sizeof(c->op) - strlen(c->op), "+%s",
			 npu_node_op_name(b->m->ops[first + 1].node->op));
	*out = c;
	return 0;
}

/* Put cop c (NPU) into the open segment, or a new one. */
static int join_segment(struct builder *b, struct npu_cop *c, int alone)
{
	struct npu_plan *plan = b->plan;
	const uint32_t index = (uint32_t)(c - plan->cops);

	if (b->open == UINT32_MAX || alone) {
		struct npu_segment *grown = realloc(plan->segments, (plan->n_segments + 1) *
						    sizeof(*grown));

		if (!grown)
			return npu_fail(NPU_E_NOMEM, "out of memory");
		plan->segments = grown;
		b->open = plan->n_segments++;
		memset(&plan->segments[b->open], 0, sizeof(plan->segments[b->open]));
		plan->segments[b->open].cop_first = index;
		plan->segments[b->open].cmd_off = plan->streams_size;
	}
	plan->segments[b->open].cop_count = index - plan->segments[b->open].cop_first + 1;
	c->segment = b->open;
	c->placement = NPU_PLACE_NPU;
	return 0;
}

/* A COPY on the device: its output aliases its input's bytes, if the layouts allow. */
static int place_copy(struct builder *b, struct npu_cop *c)
{
	const struct npu_lower_op *op = &b->m->ops[c->first];
	const struct npu_tensor *x = op->in[0], *y = op->out;
	struct npu_dev_tensor d;

	if (b->open == UINT32_MAX || !b->producer[x->index]) {
		snprintf(c->reason, sizeof(c->reason), "reshape of a host tensor: a host copy");
		return 0;
	}
	d = b->home[x->index];
	if (d.layout == NPU_LAYOUT_NHWC && y->rank == 4 &&
	    memcmp(x->dims, y->dims, sizeof(x->dims))) {
		snprintf(c->reason, sizeof(c->reason), "reshape between NHWC shapes: a host copy");
		return 0;
	}
	if (d.layout == NPU_LAYOUT_NHWC && y->rank != 4 && y->dims[0] != x->dims[0]) {
		snprintf(c->reason, sizeof(c->reason), "reshape across images: a host copy");
		return 0;
	}
	b->home[y->index] = d;
	b->homed[y->index] = 1;
	b->producer[y->index] = (uint32_t)(c - b->plan->cops) + 1;
	return join_segment(b, c, 0);
}

/* Is t read by lowered op `reader` only, directly or through reshapes, and not an output? */
static int read_only_by(const struct npu_int8_model *m, const struct npu_tensor *t,
			size_t reader, int depth)
{
	if (is_output(m->graph, t) || depth > 8)
		return 0;
	for (size_t k = 0; k < m->n_ops; k++) {
		const struct npu_lower_op *r = &m->ops[k];

		if (k == reader || !npu_lower_op_reads(r, t))
			continue;
		if (r->kind != NPU_LOWER_COPY || !read_only_by(m, r->out, reader, depth + 1))
			return 0;
	}
	return 1;
}

/*
 * Cut the store of the output left in SRAM off the stream's end: op
 * `reader` reads it there and nothing else reads it.
 */
static void cut_left_store(struct builder *b)
{
	struct npu_plan *plan = b->plan;
	struct npu_cop *a = &plan->cops[b->left.cop];
	const uint32_t cut = plan->streams_size - b->left.store_at;

	plan->streams_size = b->left.store_at;
	a->stream_bytes -= cut;
	plan->segments[a->segment].cmd_size -= cut;
}

/* Emit an integer operation (with a fused POOL) for the NPU, or say why not. */
static int place_op(struct builder *b, struct npu_cop *c)
{
	struct npu_plan *plan = b->plan;
	const struct npu_lower_op *op = &b->m->ops[c->first];
	const struct npu_lower_op *last = &b->m->ops[c->first + c->count - 1];
	const uint32_t act_mark = plan->act_size, w_mark = plan->weights_size;
	const int big_mark = b->too_big;
	struct npu_emit e;
	size_t wb, bb, qb;
	int ret;

	c->reason[0] = 0;
	if (!(b->info->ops & cap_bit(op->kind)) || !(b->info->ops & NPU_CAP_OP_DMA)) {
		snprintf(c->reason, sizeof(c->reason), "the device has no %s", kind_name(op->kind));
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.op = op;
	e.pool = c->count == 2 ? last : NULL;
	e.batch = plan->batch;
	e.single_buffer = plan->single_buffer;
	e.reason = c->reason;
	e.reason_size = sizeof(c->reason);
	for (size_t j = 0; j < op->n_in; j++)
		dev_input(b, op->in[j], &e.in[j]);
	if (op->kind == NPU_LOWER_ELTWISE && (e.in[0].layout != e.in[1].layout ||
					      e.in[0].c != e.in[1].c)) {
		snprintf(c->reason, sizeof(c->reason), "operands in different device layouts");
		goto refused;
	}
	if (op->kind == NPU_LOWER_MATMUL && e.in[0].layout == NPU_LAYOUT_NHWC &&
	    e.in[0].c * e.in[0].hw != op->p.matmul.k) {
		snprintf(c->reason, sizeof(c->reason), "rows of an NHWC tensor over images");
		goto refused;
	}
	/* Element-wise results keep their input's layout. */
	e.out = op->kind == NPU_LOWER_ELTWISE || op->kind == NPU_LOWER_LUT ? e.in[0] :
		host_layout(last->out);
	e.out.off = act_take(b, last->out, &e.out);
	ret = upload(b, op, &e.in[0], &e);
	if (ret)
		return ret;
	/* Inputs left whole in SRAM by the operation before, in the same job. */
	if (!plan->per_op_jobs && b->open != UINT32_MAX && b->left.bytes) {
		for (size_t j = 0; j < op->n_in; j++)
			if (e.in[j].off == b->left.home)
				e.in_sram_mask |= 1u << j;
		if (e.in_sram_mask) {
			e.in_sram = b->left.addr;
			e.in_sram_bytes = b->left.bytes;
		}
	}
	npu_cs_reset(b->cs);
	ret = npu_emit_op(b->cs, plan->sram_size, &e);
	if (ret == NPU_E_UNSUPPORTED && e.in_sram_bytes) {
		/* It does not fit around it: from DRAM, then. */
		e.in_sram = e.in_sram_bytes = e.in_sram_mask = 0;
		e.tiles = 0;
		c->reason[0] = 0;
		npu_cs_reset(b->cs);
		ret = npu_emit_op(b->cs, plan->sram_size, &e);
	}
	if (ret == NPU_E_COMMAND)
		snprintf(c->reason, sizeof(c->reason), "the device refuses the %s: %s",
			 kind_name(op->kind), npu_job_status_str(npu_cs_last_error(b->cs)));
	else if (ret == NPU_E_NOMEM)
		snprintf(c->reason, sizeof(c->reason), "command stream over %u bytes",
			 NPU_MAX_CMD_BYTES);
	else if (ret && ret != NPU_E_UNSUPPORTED)
		return ret;
	if (ret)
		goto refused;

	ret = grow((void **)&plan->streams, &b->cap_streams,
		   plan->streams_size + npu_cs_size(b->cs), 1);
	if (!ret)
		ret = join_segment(b, c, plan->per_op_jobs);
	if (ret)
		return ret;
	if (e.in_sram_bytes && read_only_by(b->m, b->left.t, c->first, 0))
		cut_left_store(b);
	b->left.bytes = e.out_sram_bytes;
	if (e.out_sram_bytes) {
		b->left.t = last->out;
		b->left.home = e.out.off;
		b->left.addr = e.out_sram;
		b->left.store_at = plan->streams_size + e.store_off;
		b->left.cop = (uint32_t)(c - plan->cops);
	}
	memcpy(plan->streams + plan->streams_size, npu_cs_data(b->cs), npu_cs_size(b->cs));
	plan->streams_size += (uint32_t)npu_cs_size(b->cs);
	plan->segments[c->segment].cmd_size = plan->streams_size -
					      plan->segments[c->segment].cmd_off;
	c->tiles = e.tiles / plan->batch ? e.tiles / plan->batch : e.tiles;
	c->stream_bytes = (uint32_t)npu_cs_size(b->cs);
	c->macs = op_macs(op, plan->batch);
	npu_emit_table_bytes(op, &wb, &bb, &qb);
	/* Per image: a FLAT tensor's image_bytes hold the whole batch. */
	c->min_dram_bytes = (wb + bb + qb + npu_tensor_numel(last->out)) / plan->batch;
	for (size_t j = 0; j < op->n_in; j++)
		if (!j || op->in[j] != op->in[0])	/* x + x reads x once at least */
			c->min_dram_bytes += npu_tensor_numel(op->in[j]) / plan->batch;
	b->home[last->out->index] = e.out;
	b->homed[last->out->index] = 1;
	b->producer[last->out->index] = (uint32_t)(c - plan->cops) + 1;
	return 0;

refused:
	/* Nothing of a refused operation stays: its inputs' homes, tables or stream. */
	for (size_t j = 0; j < op->n_in; j++)
		if (!b->producer[op->in[j]->index] && b->home[op->in[j]->index].off >=
		    plan->act_base + act_mark)
			b->homed[op->in[j]->index] = 0;
	plan->act_size = act_mark;
	plan->weights_size = w_mark;
	b->too_big = big_mark;
	c->tiles = 0;
	return 0;
}

/* The copies of segment s: host tensors in, tensors the host reads out. */
static int segment_xfers(struct builder *b, uint32_t s)
{
	struct npu_plan *plan = b->plan;
	struct npu_segment *seg = &plan->segments[s];
	const struct npu_int8_model *m = b->m;
	int ret = 0;

	seg->in_first = plan->n_xfers;
	for (uint32_t c = seg->cop_first; !ret && c < seg->cop_first + seg->cop_count; c++) {
		const struct npu_cop *cop = &plan->cops[c];
		const struct npu_lower_op *op = &m->ops[cop->first];

		for (size_t j = 0; !ret && j < op->n_in; j++) {
			const struct npu_tensor *t = op->in[j];

			if (b->producer[t->index] || b->copied_in[t->index])
				continue;
			b->copied_in[t->index] = 1;
			ret = add_xfer(b, t, &plan->segments[s].n_in);
		}
	}
	seg = &plan->segments[s];
	seg->out_first = plan->n_xfers;
	for (uint32_t c = seg->cop_first; !ret && c < seg->cop_first + seg->cop_count; c++) {
		const struct npu_cop *cop = &plan->cops[c];
		const struct npu_tensor *t = m->ops[cop->first + cop->count - 1].out;

		if (read_on_host(b, t))
			ret = add_xfer(b, t, &plan->segments[s].n_out);
		seg = &plan->segments[s];
	}
	seg->last = plan->cops[seg->cop_first + seg->cop_count - 1].first +
		    plan->cops[seg->cop_first + seg->cop_count - 1].count - 1;
	return ret;
}

int npu_plan_build(const struct npu_int8_model *m, const struct npu_device_info *info,
		   const struct npu_compile_options *opt, struct npu_plan *plan)
{
	struct builder b;
	const size_t nt = m->graph->n_tensors + 1;
	int ret;

	memset(&b, 0, sizeof(b));
	b.m = m;
	b.info = info;
	b.plan = plan;
	b.open = UINT32_MAX;
	plan->sram_size = info->sram_size;
	plan->mac_rows = info->mac_rows;
	plan->mac_cols = info->mac_cols;
	plan->ops = info->ops;
	plan->batch = opt->batch;
	plan->per_op_jobs = !!opt->per_op_jobs;
	plan->single_buffer = !!opt->single_buffer;
	b.producer = calloc(nt, sizeof(*b.producer));
	b.homed = calloc(nt, 1);
	b.copied_in = calloc(nt, 1);
	b.home = calloc(nt, sizeof(*b.home));
	ret = npu_cs_create(info->sram_size, &b.cs);
	if (!ret && (!b.producer || !b.homed || !b.copied_in || !b.home))
		ret = npu_fail(NPU_E_NOMEM, "out of memory");
	plan->act_base = NPU_MODEL_ACT_BASE;
	for (size_t i = 0; !ret && i < m->n_ops; i++) {
		const struct npu_lower_op *op = &m->ops[i];
		const struct npu_lower_op *pool = fusable_pool(&b, i);
		struct npu_cop *c = NULL;

		ret = new_cop(&b, (uint32_t)i, pool ? 2 : 1, &c);
		if (ret)
			break;
		if (op->kind == NPU_LOWER_FLOAT)
			snprintf(c->reason, sizeof(c->reason), "no integer form: runs in float");
		else if (op->kind == NPU_LOWER_COPY)
			ret = place_copy(&b, c);
		else
			ret = place_op(&b, c);
		c = &plan->cops[plan->n_cops - 1];
		if (!ret && c->placement != NPU_PLACE_NPU && pool) {
			/* The pair did not fit: the POOL tries again alone. */
			c->count = 1;
			snprintf(c->op, sizeof(c->op), "%s", npu_node_op_name(op->node->op));
			ret = place_op(&b, c);
			pool = NULL;
		}
		if (!ret && c->placement == NPU_PLACE_CPU) {
			b.open = UINT32_MAX;
			b.left.bytes = 0;
		}
		if (pool && c->placement == NPU_PLACE_NPU)
			i++;
	}
	for (uint32_t s = 0; !ret && s < plan->n_segments; s++)
		ret = segment_xfers(&b, s);
	if (!ret && b.too_big)
		ret = npu_fail(NPU_E_UNSUPPORTED, "compile: the activations pass 2 GiB (a smaller "
			       "batch needs less)");
	npu_cs_destroy(b.cs);
	free(b.producer);
	free(b.homed);
	free(b.copied_in);
	free(b.home);
	if (ret)
		return ret;
	return 0;
}

void npu_plan_free(struct npu_plan *plan)
{
	free(plan->graph);
	free(plan->weights);
	free(plan->streams);
	free(plan->cops);
	free(plan->segments);
	free(plan->xfers);
	memset(plan, 0, sizeof(*plan));
}
