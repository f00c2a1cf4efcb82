// SPDX-License-Identifier: MIT
/*
 * The runtime of npu/compiler.h: a plan instantiated on a device (its
 * weights and command streams uploaded once, DMA addresses rebased
 * from model space onto the buffers), and runs of it.
 *
 * A run walks the lowered operations as npu_int8_model_run() does
 * (npu_lower_run); at the last operation of each segment it copies the
 * segment's host inputs in, runs the segment's job and copies out what
 * the host reads.  CPU operations run on the int8 kernels in between,
 * so the outputs are bit-identical to the CPU path.  An input of any
 * batch size goes through in chunks of the compiled batch, the last
 * one padded.
 */
#include <stdlib.h>
#include <string.h>

#include "compile/compile_priv.h"
#include "diag.h"
#include "graph/graph_priv.h"
#include "npu/error.h"
#include "npu/int8.h"

#define JOB_TIMEOUT_MS	60000u

struct npu_compiled_model {
	struct npu_plan plan;
	struct npu_graph *graph;	/* the batched copy the plan was made for */
	struct npu_int8_model *lowered;
	struct npu_device *dev;
	struct npu_bo *weights, *act, *cmd;
	uint32_t *cop_of;		/* lowered op -> compiled op */
	uint64_t *op_ns;		/* a run's time in each lowered op */
};

void npu_compile_options_default(struct npu_compile_options *options)
{
	memset(options, 0, sizeof(*options));
	options->batch = 1;
}

int npu_plan_graph(const uint8_t *onnx, size_t size, uint32_t batch, struct npu_graph **out)
{
	struct npu_graph *g = NULL;
	int ret = npu_graph_load_onnx_mem(onnx, size, &g);

	for (size_t i = 0; !ret && i < g->n_inputs; i++) {
		struct npu_tensor *t = g->inputs[i];
		int64_t dims[NPU_MAX_RANK];

		if (t->rank < 1)
			continue;
		if (t->dims[0] > 1 && t->dims[0] != batch) {
			ret = npu_fail(NPU_E_UNSUPPORTED, "input '%s' has a fixed batch of %lld, "
				       "not %u", t->name, (long long)t->dims[0], batch);
			break;
		}
		memcpy(dims, t->dims, sizeof(dims));
		dims[0] = batch;
		ret = npu_tensor_set_shape(t, t->rank, dims);
	}
	if (!ret)
		ret = npu_graph_infer_shapes(g);
	if (ret) {
		npu_graph_free(g);
		return ret;
	}
	*out = g;
	return 0;
}

/* Rebase one DMA address; -1 if [addr, addr + len) is outside both regions. */
static int rebase_addr(const struct npu_plan *plan, uint32_t *addr, uint64_t len,
		       uint32_t wva, uint32_t ava)
{
	const uint64_t a = *addr;

	if (a >= plan->act_base) {
		if (a + len > (uint64_t)plan->act_base + plan->act_size)
			return -1;
		*addr = ava + (uint32_t)(a - plan->act_base);
	} else {
		if (a + len > plan->weights_size)
			return -1;
		*addr = wva + (uint32_t)a;
	}
	return 0;
}

/* The DRAM bytes a DMA command spans, from its first to past its last byte. */
static uint64_t dma_span(const struct npu_cmd_dma *d)
{
	uint64_t last = 0;

	for (int i = 0; i < 3; i++)
		if (d->size[i + 1])
			last += (uint64_t)(d->size[i + 1] - 1) * d->dram_stride[i];
	return last + d->size[0];
}

int npu_plan_rebase(const struct npu_plan *plan, uint8_t *dst, uint32_t wva, uint32_t ava)
{
	const uint8_t *s = plan->streams;

	for (uint32_t at = 0; at < plan->streams_size;) {
		uint32_t hdr, words;

		if (plan->streams_size - at < 4)
			return npu_fail(NPU_E_FORMAT, "command stream: truncated at byte %u", at);
		memcpy(&hdr, s + at, 4);
		words = NPU_CMD_WORDS(hdr);
		if (!words || words > NPU_CMD_MAX_WORDS || (uint64_t)words * 4 > plan->streams_size - at)
			return npu_fail(NPU_E_FORMAT, "command stream: bad header %#x at byte %u",
					hdr, at);
		if (NPU_CMD_OPCODE(hdr) == NPU_OP_DMA_LOAD || NPU_CMD_OPCODE(hdr) == NPU_OP_DMA_STORE) {
			struct npu_cmd_dma d;

			if (words * 4u != sizeof(d))
				return npu_fail(NPU_E_FORMAT, "command stream: DMA of %u words at "
						"byte %u", words, at);
			memcpy(&d, s + at, sizeof(d));
			if (rebase_addr(plan, &d.dram_addr, dma_span(&d), wva, ava))
				return npu_fail(NPU_E_FORMAT, "command stream: the DMA at byte %u "
						"reaches outside the model's buffers", at);
			if (dst)
				memcpy(dst + at + offsetof(struct npu_cmd_dma, dram_addr),
				       &d.dram_addr, 4);
		}
		at += words * 4;
	}
	return 0;
}

void npu_compiled_model_free(struct npu_compiled_model *cm)
{
	if (!cm)
		return;
	npu_bo_destroy(cm->cmd);
	npu_bo_destroy(cm->act);
	npu_bo_destroy(cm->weights);
	npu_int8_model_free(cm->lowered);
	npu_graph_free(cm->graph);
	npu_plan_free(&cm->plan);
	free(cm->cop_of);
	free(cm->op_ns);
	free(cm);
}

/* Does lowered operation op make tensor t? */
static int makes(const struct npu_lower_op *op, uint32_t t)
{
	if (op->kind != NPU_LOWER_FLOAT)
		return op->out->index == t;
	for (size_t k = 0; k < op->node->n_out; k++)
		if (op->node->out[k] && op->node->out[k]->index == t)
			return 1;
	return 0;
}

/* Is tensor t made by an integer operation in [first, last]? */
static int made_in(const struct npu_int8_model *m, uint32_t first, uint32_t last, uint32_t t)
{
	for (uint32_t i = first; i <= last; i++)
		if (m->ops[i].kind != NPU_LOWER_FLOAT && makes(&m->ops[i], t))
			return 1;
	return 0;
}

/* Does an operation in [first, last] read t, made before first (or never)? */
static int copy_in_fits(const struct npu_int8_model *m, uint32_t first, uint32_t last,
			uint32_t t)
{
	int read = 0;

	for (uint32_t i = first; i <= last; i++)
		for (size_t j = 0; m->ops[i].kind != NPU_LOWER_FLOAT && j < m->ops[i].n_in; j++)
			read |= m->ops[i].in[j]->index == t;
	for (size_t i = first; read && i < m->n_ops; i++)
		if (makes(&m->ops[i], t))
			return 0;
	return read;
}

/* Does the plan fit the lowered model (a file's plan, against its own graph)? */
static int plan_matches(const struct npu_plan *plan, const struct npu_int8_model *m,
			uint32_t *cop_of)
{
	uint32_t next = 0;

	for (uint32_t c = 0; c < plan->n_cops; c++) {
		const struct npu_cop *cop = &plan->cops[c];

		if (cop->first != next || cop->count < 1 || cop->count > 2 ||
		    cop->first + cop->count > m->n_ops)
			return npu_fail(NPU_E_FORMAT, "operation %u does not match the graph", c);
		if (cop->count == 2 && (m->ops[cop->first].kind != NPU_LOWER_CONV ||
					m->ops[cop->first + 1].kind != NPU_LOWER_POOL))
			return npu_fail(NPU_E_FORMAT, "operation %u fuses what is not a CONV "
					"and a POOL", c);
		if (cop->placement == NPU_PLACE_NPU && m->ops[cop->first].kind == NPU_LOWER_FLOAT)
			return npu_fail(NPU_E_FORMAT, "operation %u: a float operation on the NPU",
					c);
		for (uint32_t i = cop->first; i < cop->first + cop->count; i++)
			cop_of[i] = c;
		next = cop->first + cop->count;
	}
	if (next != m->n_ops)
		return npu_fail(NPU_E_FORMAT, "the plan has %u of the graph's %zu operations",
				next, m->n_ops);
	for (uint32_t s = 0; s < plan->n_segments; s++) {
		const struct npu_segment *seg = &plan->segments[s];
		const struct npu_cop *last;

		if (!seg->cop_count || seg->cop_first + seg->cop_count > plan->n_cops ||
		    (uint64_t)seg->cmd_off + seg->cmd_size > plan->streams_size ||
		    seg->cmd_size % 4 || !seg->cmd_size || seg->cmd_size > NPU_MAX_CMD_BYTES ||
		    (uint64_t)seg->in_first + seg->n_in > plan->n_xfers ||
		    (uint64_t)seg->out_first + seg->n_out > plan->n_xfers)
			return npu_fail(NPU_E_FORMAT, "segment %u is out of bounds", s);
		last = &plan->cops[seg->cop_first + seg->cop_count - 1];
		if (seg->last != last->first + last->count - 1)
			return npu_fail(NPU_E_FORMAT, "segment %u ends at the wrong operation", s);
		for (uint32_t c = seg->cop_first; c < seg->cop_first + seg->cop_count; c++)
			if (plan->cops[c].placement != NPU_PLACE_NPU || plan->cops[c].segment != s)
				return npu_fail(NPU_E_FORMAT, "segment %u holds operation %u, "
						"not one of its own", s, c);
	}
	for (uint32_t c = 0; c < plan->n_cops; c++) {
		const struct npu_cop *cop = &plan->cops[c];

		if ((cop->placement == NPU_PLACE_NPU) != (cop->segment < plan->n_segments))
			return npu_fail(NPU_E_FORMAT, "operation %u has a bad segment", c);
	}
	for (uint32_t s = 0; s < plan->n_segments; s++) {
		const struct npu_segment *seg = &plan->segments[s];
		const uint32_t first = plan->cops[seg->cop_first].first;

		for (uint32_t x = seg->in_first; x < seg->in_first + seg->n_in; x++)
			if (!copy_in_fits(m, first, seg->last, plan->xfers[x].tensor))
				return npu_fail(NPU_E_FORMAT, "segment %u copies in a tensor it does "
						"not read, or one made after it starts", s);
		for (uint32_t x = seg->out_first; x < seg->out_first + seg->n_out; x++)
			if (!made_in(m, first, seg->last, plan->xfers[x].tensor))
				return npu_fail(NPU_E_FORMAT, "segment %u copies out a tensor it does "
						"not make", s);
	}
	for (uint32_t x = 0; x < plan->n_xfers; x++) {
		const struct npu_xfer *t = &plan->xfers[x];
		const struct npu_tensor *g = t->tensor < m->graph->n_tensors ?
					     m->graph->tensors[t->tensor] : NULL;
		const uint64_t n = g ? npu_tensor_numel(g) : 0;
		const uint64_t bytes = t->dev.layout == NPU_LAYOUT_NHWC ?
				       (uint64_t)t->dev.c * t->dev.hw * (uint64_t)g->dims[0] : n;

		if (!g || npu_dtype_size(g->dtype) != 1 || t->dev.layout > NPU_LAYOUT_NHWC ||
		    bytes != n || t->dev.off < plan->act_base ||
		    (uint64_t)t->dev.off + n > (uint64_t)plan->act_base + plan->act_size ||
		    (t->dev.layout == NPU_LAYOUT_NHWC &&
		     (uint64_t)t->dev.image_bytes != (uint64_t)t->dev.c * t->dev.hw))
			return npu_fail(NPU_E_FORMAT, "copy %u does not fit its tensor", x);
	}
	return 0;
}

/* Instantiate plan (taken over) on dev for graph g and its lowering m (taken over). */
static int model_create(struct npu_plan *plan, struct npu_graph *g, struct npu_int8_model *m,
			struct npu_device *dev, struct npu_compiled_model **out)
{
	struct npu_compiled_model *cm = calloc(1, sizeof(*cm));
	struct npu_device_info info;
	int ret;

	if (!cm) {
		npu_plan_free(plan);
		npu_int8_model_free(m);
		npu_graph_free(g);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	cm->plan = *plan;
	memset(plan, 0, sizeof(*plan));
	cm->graph = g;
	cm->lowered = m;
	cm->dev = dev;
	cm->cop_of = calloc(m->n_ops + 1, sizeof(*cm->cop_of));
	cm->op_ns = calloc(m->n_ops + 1, sizeof(*cm->op_ns));
	ret = cm->cop_of && cm->op_ns ? npu_device_query(dev, &info) : npu_fail(NPU_E_NOMEM, "out of memory");
	if (!ret)
		ret = plan_matches(&cm->plan, m, cm->cop_of);
	if (!ret && (info.sram_size < cm->plan.sram_size ||
		     (cm->plan.n_segments && (info.ops & cm->plan.ops) != cm->plan.ops)))
		ret = npu_fail(NPU_E_UNSUPPORTED, "the model was compiled for a device with %u "
			       "bytes of SRAM and operations %#x; this one has %u and %#x",
			       cm->plan.sram_size, cm->plan.ops, info.sram_size, info.ops);
	if (!ret)
		ret = npu_bo_create(dev, cm->plan.weights_size ? cm->plan.weights_size : 16,
				    NPU_BO_DEVICE_READONLY, &cm->weights);
	if (!ret)
		ret = npu_bo_create(dev, cm->plan.act_size ? cm->plan.act_size : 16, 0, &cm->act);
	if (!ret)
		ret = npu_bo_create(dev, cm->plan.streams_size ? cm->plan.streams_size : 4,
				    NPU_BO_DEVICE_READONLY, &cm->cmd);
	if (!ret) {
		memcpy(npu_bo_map(cm->weights), cm->plan.weights, cm->plan.weights_size);
		memcpy(npu_bo_map(cm->cmd), cm->plan.streams, cm->plan.streams_size);
		ret = npu_plan_rebase(&cm->plan, npu_bo_map(cm->cmd), npu_bo_va(cm->weights),
				      npu_bo_va(cm->act));
	}
	if (ret) {
		npu_compiled_model_free(cm);
		return ret;
	}
	*out = cm;
	return 0;
}

/* The plan and model of a graph's ONNX bytes (taken over). */
int npu_model_from_plan(struct npu_plan *plan, struct npu_device *dev, int build,
			struct npu_compiled_model **out)
{
	struct npu_graph *g = NULL;
	struct npu_int8_model *m = NULL;
	struct npu_device_info info;
	struct npu_compile_options opt;
	int ret = npu_plan_graph(plan->graph, plan->graph_size, plan->batch, &g);

	if (!ret)
		ret = npu_lower_graph(g, &m);
	if (!ret && build) {
		npu_compile_options_default(&opt);
		opt.batch = plan->batch;
		opt.per_op_jobs = (int)plan->per_op_jobs;
		opt.single_buffer = (int)plan->single_buffer;
		ret = npu_device_query(dev, &info);
		if (!ret)
			ret = npu_plan_build(m, &info, &opt, plan);
	}
	if (ret) {
		npu_int8_model_free(m);
		npu_graph_free(g);
		npu_plan_free(plan);
		return ret;
	}
	return model_create(plan, g, m, dev, out);
}

int npu_compile(struct npu_graph *graph, struct npu_device *dev,
		const struct npu_compile_options *options, struct npu_compiled_model **model)
{
	struct npu_compile_options defaults;
	struct npu_plan plan;
	void *onnx = NULL;
	size_t size = 0;
	int ret;

	if (!graph || !dev || !model)
		return npu_fail(NPU_E_INVALID, "compile: NULL argument");
	*model = NULL;
	if (!options) {
		npu_compile_options_default(&defaults);
		options = &defaults;
	}
	if (options->batch < 1 || options->batch > 4096)
		return npu_fail(NPU_E_INVALID, "compile: batch %u is not in 1..4096",
				options->batch);
	if (!npu_graph_is_quantized(graph))
		return npu_fail(NPU_E_UNSUPPORTED, "compile: the model is not quantized "
				"(npu quantize makes an int8 model)");
	ret = npu_graph_save_onnx_mem(graph, &onnx, &size);
	if (ret)
		return ret;
	memset(&plan, 0, sizeof(plan));
	plan.graph = onnx;
	plan.graph_size = size;
	plan.batch = options->batch;
	plan.per_op_jobs = !!options->per_op_jobs;
	plan.single_buffer = !!options->single_buffer;
	return npu_model_from_plan(&plan, dev, 1, model);
}

const struct npu_plan *npu_compiled_plan(const struct npu_compiled_model *cm)
{
	return &cm->plan;
}

const struct npu_graph *npu_compiled_graph(const struct npu_compiled_model *cm)
{
	return cm ? cm->graph : NULL;
}

size_t npu_compiled_num_ops(const struct npu_compiled_model *cm)
{
	return cm ? cm->plan.n_cops : 0;
}

size_t npu_compiled_num_segments(const struct npu_compiled_model *cm)
{
	return cm ? cm->plan.n_segments : 0;
}

int npu_compiled_op_info(const struct npu_compiled_model *cm, size_t index,
			 struct npu_op_info *info)
{
	const struct npu_cop *c;
	const struct npu_node *node;

	if (!cm || !info || index >= cm->plan.n_cops)
		return npu_fail(NPU_E_INVALID, "op info: bad argument");
	c = &cm->plan.cops[index];
	node = cm->lowered->ops[c->first].node;
	info->op = c->op;
	info->name = node->name ? node->name : "";
	info->placement = c->placement;
	info->reason = c->reason;
	info->segment = c->segment;
	info->tiles = c->tiles;
	info->stream_bytes = c->stream_bytes;
	info->macs = c->macs;
	info->min_dram_bytes = c->min_dram_bytes;
	return 0;
}

/* Bytes per image of tensor t in a model compiled for `batch` images. */
static uint64_t image_bytes(const struct npu_tensor *t, uint32_t batch)
{
	return npu_tensor_numel(t) / batch;
}

/* Is t read outside operations [first, last], directly or through a reshape inside them? */
static int read_outside(const struct npu_int8_model *m, const struct npu_tensor *t,
			uint32_t first, uint32_t last, int depth)
{
	for (size_t g = 0; g < m->graph->n_outputs; g++)
		if (m->graph->outputs[g] == t)
			return 1;
	for (uint32_t k = 0; k < m->n_ops; k++) {
		const struct npu_lower_op *r = &m->ops[k];

		if (!npu_lower_op_reads(r, t))
			continue;
		if (k < first || k > last)
			return 1;
		if (r->kind == NPU_LOWER_COPY && depth < 8 && read_outside(m, r->out, first, last,
									   depth + 1))
			return 1;
	}
	return 0;
}

int npu_compiled_segment_info(const struct npu_compiled_model *cm, size_t index,
			      struct npu_segment_info *info)
{
	const struct npu_segment *seg;
	const struct npu_int8_model *m;
	uint32_t first, batch;
	uint64_t tables = 0;

	if (!cm || !info || index >= cm->plan.n_segments)
		return npu_fail(NPU_E_INVALID, "segment info: bad argument");
	seg = &cm->plan.segments[index];
	m = cm->lowered;
	batch = cm->plan.batch;
	first = cm->plan.cops[seg->cop_first].first;
	memset(info, 0, sizeof(*info));
	info->first_op = seg->cop_first;
	info->n_ops = seg->cop_count;
	info->stream_bytes = seg->cmd_size;
	for (uint32_t c = seg->cop_first; c < seg->cop_first + seg->cop_count; c++)
		info->macs += cm->plan.cops[c].macs;
	for (uint32_t i = first; i <= seg->last; i++) {
		const struct npu_lower_op *op = &m->ops[i];
		size_t w, b, q;

		npu_emit_table_bytes(op, &w, &b, &q);
		tables += w + b + q;
		/* A tensor it reads that no earlier operation of it made or read: once. */
		for (size_t j = 0; op->kind != NPU_LOWER_COPY && j < op->n_in; j++) {
			const struct npu_tensor *t = op->in[j];
			int before = 0;

			for (uint32_t k = first; k < i; k++)
				before |= m->ops[k].out == t || npu_lower_op_reads(&m->ops[k], t);
			for (size_t l = 0; l < j; l++)
				before |= op->in[l] == t;
			if (!before)
				info->min_dram_bytes += image_bytes(t, batch);
		}
		/* What it makes for a reader outside the segment (a reshape's bytes are its input's). */
		if (op->kind != NPU_LOWER_COPY && read_outside(m, op->out, first, seg->last, 0))
			info->min_dram_bytes += image_bytes(op->out, batch);
	}
	info->min_dram_bytes += tables / batch;
	return 0;
}

int npu_compiled_op_profile(const struct npu_compiled_model *cm, size_t index,
			    struct npu_op_profile *profile)
{
	const struct npu_cop *c;

	if (!cm || !profile || index >= cm->plan.n_cops)
		return npu_fail(NPU_E_INVALID, "op profile: bad argument");
	c = &cm->plan.cops[index];
	profile->images = c->images;
	profile->host_ns = c->host_ns;
	memcpy(profile->counters, c->counters, sizeof(profile->counters));
	return 0;
}

void npu_compiled_profile_reset(struct npu_compiled_model *cm)
{
	for (uint32_t i = 0; cm && i < cm->plan.n_cops; i++) {
		cm->plan.cops[i].images = cm->plan.cops[i].host_ns = 0;
		memset(cm->plan.cops[i].counters, 0, sizeof(cm->plan.cops[i].counters));
	}
}

/* Host value <-> device home, image by image for NHWC. */
static void xfer(const struct npu_xfer *x, uint8_t *act_base, const struct npu_value *v,
		 int to_device)
{
	uint8_t *dev = act_base + x->dev.off - NPU_MODEL_ACT_BASE;
	uint8_t *host = v->data;

	if (x->dev.layout == NPU_LAYOUT_FLAT) {
		if (to_device)
			memcpy(dev, host, npu_value_numel(v));
		else
			memcpy(host, dev, npu_value_numel(v));
		return;
	}
	for (int64_t b = 0; b < v->dims[0]; b++) {
		const size_t at = (size_t)b * x->dev.image_bytes;

		if (to_device)
			npu_lower_relayout(host + at, dev + at, x->dev.c, x->dev.hw, 1);
		else
			npu_lower_relayout(dev + at, host + at, x->dev.c, x->dev.hw, 0);
	}
}

static int run_segment(struct npu_compiled_model *cm, const struct npu_segment *seg,
		       const struct npu_value *values)
{
	const struct npu_job job = { cm->cmd, seg->cmd_off, seg->cmd_size };
	struct npu_cop *first = &cm->plan.cops[seg->cop_first];
	uint8_t *act = npu_bo_map(cm->act);
	struct npu_job_result res;
	int ret;

	for (uint32_t i = 0; i < seg->n_in; i++) {
		const struct npu_xfer *x = &cm->plan.xfers[seg->in_first + i];

		xfer(x, act, &values[x->tensor], 1);
	}
	ret = npu_job_run(cm->dev, &job, JOB_TIMEOUT_MS, &res);
	if (ret == NPU_E_JOB)
		return npu_fail(ret, "%s job: %s at stream byte %u", first->op,
				npu_job_status_str(res.status), res.fault_offset);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < seg->n_out; i++) {
		const struct npu_xfer *x = &cm->plan.xfers[seg->out_first + i];

		xfer(x, act, &values[x->tensor], 0);
	}
	for (unsigned int k = 0; k < NPU_PERF_JOBS; k++)
		first->counters[k] += res.counters[k];
	return 0;
}

/* npu_lower_run's hook: segments at their last operation, CPU operations on the kernels. */
static int run_placed(void *ctx, size_t index, const struct npu_value *values,
		      struct npu_value *y)
{
	struct npu_compiled_model *cm = ctx;
	const struct npu_cop *c = &cm->plan.cops[cm->cop_of[index]];

	if (c->placement == NPU_PLACE_NPU) {
		const struct npu_segment *seg = &cm->plan.segments[c->segment];

		return seg->last == index ? run_segment(cm, seg, values) : 0;
	}
	return npu_lower_run_op(&cm->lowered->ops[index], values, y);
}

/* Rows [from, from + n) of v's first dimension into a zeroed value of `rows` rows. */
static int slice_rows(const struct npu_value *v, int64_t from, int64_t n, int64_t rows,
		      struct npu_value *out)
{
	int64_t dims[NPU_MAX_RANK];
	size_t row;
	int ret;

	memcpy(dims, v->dims, sizeof(dims));
	dims[0] = rows;
	ret = npu_value_alloc(out, v->dtype, v->rank, dims);
	if (ret)
		return ret;
	row = npu_value_numel(out) / (size_t)rows * npu_dtype_size(v->dtype);
	memcpy(out->data, (const uint8_t *)v->data + (size_t)from * row, (size_t)n * row);
	return 0;
}

/* The CPU placement of every operation: npu_compiled_run_cpu's hook. */
static int run_on_cpu(void *ctx, size_t index, const struct npu_value *values,
		      struct npu_value *y)
{
	const struct npu_compiled_model *cm = ctx;

	return npu_lower_run_op(&cm->lowered->ops[index], values, y);
}

/* Run the lowered model with `hook`, the inputs' images in chunks of the compiled batch. */
static int run_batches(const struct npu_compiled_model *cm, const struct npu_value *inputs,
		       struct npu_value *outputs, npu_lower_run_fn hook, void *ctx,
		       uint64_t *op_ns)
{
	const struct npu_graph *g = cm->graph;
	const int64_t batch = cm->plan.batch;
	struct npu_value *chunk_in = NULL, *chunk_out = NULL;
	int64_t n = -1;
	int ret = 0;

	for (size_t i = 0; i < g->n_inputs; i++) {
		if (inputs[i].rank < 1 || (n >= 0 && inputs[i].dims[0] != n))
			return npu_fail(NPU_E_INVALID, "model run: the inputs' first dimensions "
					"differ");
		n = inputs[i].dims[0];
	}
	if (n == batch || n < 0)
		return npu_lower_run(cm->lowered, inputs, outputs, hook, ctx, op_ns);
	for (size_t i = 0; i < g->n_outputs; i++)
		if (g->outputs[i]->rank < 1 || g->outputs[i]->dims[0] != batch)
			return npu_fail(NPU_E_INVALID, "model run: %lld images into a model "
					"compiled for %lld, whose outputs are not per image",
					(long long)n, (long long)batch);
	memset(outputs, 0, g->n_outputs * sizeof(*outputs));
	chunk_in = calloc(g->n_inputs, sizeof(*chunk_in));
	chunk_out = calloc(g->n_outputs, sizeof(*chunk_out));
	if (!chunk_in || !chunk_out)
		ret = npu_fail(NPU_E_NOMEM, "out of memory");
	for (int64_t at = 0; !ret && at < n; at += batch) {
		const int64_t take = n - at < batch ? n - at : batch;

		for (size_t i = 0; !ret && i < g->n_inputs; i++)
			ret = slice_rows(&inputs[i], at, take, batch, &chunk_in[i]);
		if (!ret)
			ret = npu_lower_run(cm->lowered, chunk_in, chunk_out, hook, ctx, op_ns);
		for (size_t i = 0; !ret && i < g->n_outputs; i++) {
			const size_t row = npu_value_numel(&chunk_out[i]) / (size_t)batch *
					   npu_dtype_size(chunk_out[i].dtype);

			if (!at) {
				int64_t dims[NPU_MAX_RANK];

				memcpy(dims, chunk_out[i].dims, sizeof(dims));
				dims[0] = n;
				ret = npu_value_alloc(&outputs[i], chunk_out[i].dtype,
						      chunk_out[i].rank, dims);
			}
			if (!ret)
				memcpy((uint8_t *)outputs[i].data + (size_t)at * row,
				       chunk_out[i].data, (size_t)take * row);
		}
		for (size_t i = 0; i < g->n_inputs; i++)
			npu_value_free(&chunk_in[i]);
		for (size_t i = 0; i < g->n_outputs; i++)
			npu_value_free(&chunk_out[i]);
	}
	free(chunk_in);
	free(chunk_out);
	if (ret)
		for (size_t i = 0; i < g->n_outputs; i++)
			npu_value_free(&outputs[i]);
	return ret;
}

/*
 * A run's cost into the operations' profiles: its images (whole
 * batches, as the device ran them) and the time of each operation, a
 * segment's on its first operation like its counters.
 */
static void account(struct npu_compiled_model *cm, int64_t images)
{
	const uint64_t batch = cm->plan.batch;
	const uint64_t ran = ((uint64_t)images + batch - 1) / batch * batch;

	for (size_t i = 0; i < cm->lowered->n_ops; i++) {
		uint32_t c = cm->cop_of[i];

		if (cm->plan.cops[c].placement == NPU_PLACE_NPU)
			c = cm->plan.segments[cm->plan.cops[c].segment].cop_first;
		cm->plan.cops[c].host_ns += cm->op_ns[i];
	}
	for (uint32_t c = 0; c < cm->plan.n_cops; c++)
		cm->plan.cops[c].images += ran;
}

int npu_model_run(struct npu_compiled_model *cm, struct npu_device *dev,
		  const struct npu_value *inputs, struct npu_value *outputs)
{
	if (!cm || dev != cm->dev || !outputs || (cm->graph->n_inputs && !inputs))
		return npu_fail(NPU_E_INVALID, "model run: not the device the model was "
				"compiled for, or a NULL argument");
	int ret;

	memset(cm->op_ns, 0, cm->lowered->n_ops * sizeof(*cm->op_ns));
	ret = run_batches(cm, inputs, outputs, run_placed, cm, cm->op_ns);
	if (!ret)
		account(cm, cm->graph->n_inputs ? inputs[0].dims[0] : 1);
	return ret;
}

int npu_compiled_run_cpu(const struct npu_compiled_model *cm, const struct npu_value *inputs,
			 struct npu_value *outputs)
{
	if (!cm || !outputs || (cm->graph->n_inputs && !inputs))
		return npu_fail(NPU_E_INVALID, "model run: NULL argument");
	return run_batches(cm, inputs, outputs, run_on_cpu, (void *)cm, NULL);
}

void npu_compiled_options(const struct npu_compiled_model *cm,
			  struct npu_compile_options *options)
{
	npu_compile_options_default(options);
	options->batch = cm->plan.batch;
	options->per_op_jobs = (int)cm->plan.per_op_jobs;
	options->single_buffer = (int)cm->plan.single_buffer;
}
