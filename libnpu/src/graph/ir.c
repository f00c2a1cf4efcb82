// SPDX-License-Identifier: MIT
/*
 * The graph IR: creating, editing and reading graphs, tensors, nodes
 * and attributes, and the topological sort.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph_priv.h"
#include "npu/error.h"

const char *npu_dtype_name(enum npu_dtype dtype)
{
	switch (dtype) {
	case NPU_DTYPE_FLOAT32:
		return "float32";
	case NPU_DTYPE_UINT8:
		return "uint8";
	case NPU_DTYPE_INT8:
		return "int8";
	case NPU_DTYPE_INT32:
		return "int32";
	case NPU_DTYPE_INT64:
		return "int64";
	case NPU_DTYPE_BOOL:
		return "bool";
	default:
		return "undefined";
	}
}

size_t npu_dtype_size(enum npu_dtype dtype)
{
	switch (dtype) {
	case NPU_DTYPE_FLOAT32:
	case NPU_DTYPE_INT32:
		return 4;
	case NPU_DTYPE_UINT8:
	case NPU_DTYPE_INT8:
	case NPU_DTYPE_BOOL:
		return 1;
	case NPU_DTYPE_INT64:
		return 8;
	default:
		return 0;
	}
}

int npu_shape_numel(int rank, const int64_t *dims, size_t *numel)
{
	uint64_t n = 1;

	if (rank < 0 || rank > NPU_MAX_RANK)
		return NPU_E_INVALID;
	for (int i = 0; i < rank; i++) {
		if (dims[i] < 0 || (uint64_t)dims[i] > NPU_MAX_NUMEL)
			return NPU_E_INVALID;
		n *= (uint64_t)dims[i];
		if (n > NPU_MAX_NUMEL)
			return NPU_E_INVALID;
	}
	*numel = (size_t)n;
	return 0;
}

/* Grow a pointer array by one slot. */
static int push(void ***items, size_t *n, size_t *cap, void *item)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void **p = realloc(*items, ncap * sizeof(*p));

		if (!p)
			return npu_fail(NPU_E_NOMEM, "out of memory");
		*items = p;
		*cap = ncap;
	}
	(*items)[(*n)++] = item;
	return 0;
}

/* Remove every occurrence of `item`. */
static void drop(void **items, size_t *n, const void *item)
{
	size_t j = 0;

	for (size_t i = 0; i < *n; i++)
		if (items[i] != item)
			items[j++] = items[i];
	*n = j;
}

int npu_graph_create(int opset, struct npu_graph **graph)
{
	struct npu_graph *g;

	if (!graph)
		return npu_fail(NPU_E_INVALID, "graph: NULL argument");
	*graph = NULL;
	if (opset < NPU_OPSET_MIN || opset > NPU_OPSET_MAX)
		return npu_fail(NPU_E_UNSUPPORTED, "opset %d not supported (%d..%d)", opset,
				NPU_OPSET_MIN, NPU_OPSET_MAX);
	g = calloc(1, sizeof(*g));
	if (!g)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	g->opset = opset;
	*graph = g;
	return 0;
}

static void attr_clear(struct npu_attr *a)
{
	free((char *)a->name);
	free((char *)a->s);
	free((int64_t *)a->ints);
	free((float *)a->floats);
	memset(a, 0, sizeof(*a));
}

static void node_free(struct npu_node *n)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		attr_clear(&n->attrs[i]);
	free(n->attrs);
	free(n->in);
	free(n->out);
	free(n->name);
	free(n);
}

static void tensor_free(struct npu_tensor *t)
{
	free(t->name);
	free(t->data);
	free(t->q_scale);
	free(t->q_zero_point);
	free(t);
}

void npu_graph_free(struct npu_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_nodes; i++)
		node_free(g->nodes[i]);
	for (size_t i = 0; i < g->n_tensors; i++)
		tensor_free(g->tensors[i]);
	free(g->nodes);
	free(g->tensors);
	free(g->inputs);
	free(g->outputs);
	free(g);
}

int npu_graph_opset(const struct npu_graph *g)
{
	return g->opset;
}

size_t npu_graph_num_tensors(const struct npu_graph *g)
{
	return g->n_tensors;
}

struct npu_tensor *npu_graph_tensor(const struct npu_graph *g, size_t index)
{
	return index < g->n_tensors ? g->tensors[index] : NULL;
}

struct npu_tensor *npu_graph_find_tensor(const struct npu_graph *g, const char *name)
{
	for (size_t i = 0; i < g->n_tensors; i++)
		if (!strcmp(g->tensors[i]->name, name))
			return g->tensors[i];
	return NULL;
}

size_t npu_graph_num_nodes(const struct npu_graph *g)
{
	return g->n_nodes;
}

struct npu_node *npu_graph_node(const struct npu_graph *g, size_t index)
{
	return index < g->n_nodes ? g->nodes[index] : NULL;
}

size_t npu_graph_num_inputs(const struct npu_graph *g)
{
	return g->n_inputs;
}

struct npu_tensor *npu_graph_input(const struct npu_graph *g, size_t index)
{
	return index < g->n_inputs ? g->inputs[index] : NULL;
}

size_t npu_graph_num_outputs(const struct npu_graph *g)
{
	return g->n_outputs;
}

struct npu_tensor *npu_graph_output(const struct npu_graph *g, size_t index)
{
	return index < g->n_outputs ? g->outputs[index] : NULL;
}

static int check_shape(const char *name, int rank, const int64_t *dims)
{
	size_t numel;

	if (rank == -1)
		return 0;
	if (rank < -1 || rank > NPU_MAX_RANK || (rank > 0 && !dims))
		return npu_fail(NPU_E_UNSUPPORTED, "tensor '%s': rank %d not supported (0..%d)",
				name, rank, NPU_MAX_RANK);
	if (npu_shape_numel(rank, dims, &numel))
		return npu_fail(NPU_E_INVALID, "tensor '%s': bad or too large dims", name);
	return 0;
}

static void set_shape(struct npu_tensor *t, int rank, const int64_t *dims)
{
	memset(t->dims, 0, sizeof(t->dims));
	t->rank = rank;
	for (int i = 0; i < rank; i++)
		t->dims[i] = dims[i];
}

int npu_graph_add_tensor(struct npu_graph *g, const char *name, enum npu_dtype dtype,
			 int rank, const int64_t *dims, struct npu_tensor **tensor)
{
	struct npu_tensor *t;
	int ret;

	if (!g || !name || !*name)
		return npu_fail(NPU_E_INVALID, "tensor: missing graph or name");
	/* UNDEFINED: a node output whose type shape inference will tell. */
	if (dtype != NPU_DTYPE_UNDEFINED && !npu_dtype_size(dtype))
		return npu_fail(NPU_E_UNSUPPORTED, "tensor '%s': data type %d not supported",
				name, (int)dtype);
	if (npu_graph_find_tensor(g, name))
		return npu_fail(NPU_E_INVALID, "tensor '%s' already exists", name);
	ret = check_shape(name, rank, dims);
	if (ret)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->name = strdup(name))) {
		free(t);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	t->dtype = dtype;
	set_shape(t, rank, dims);
	t->index = g->n_tensors;
	ret = push((void ***)&g->tensors, &g->n_tensors, &g->cap_tensors, t);
	if (ret) {
		tensor_free(t);
		return ret;
	}
	if (tensor)
		*tensor = t;
	return 0;
}

int npu_tensor_set_data(struct npu_tensor *t, enum npu_dtype dtype, int rank,
			const int64_t *dims, const void *data)
{
	size_t numel = 0, size;
	void *copy;
	int ret;

	if (!t || !data || rank < 0)
		return npu_fail(NPU_E_INVALID, "tensor data: NULL argument or unknown shape");
	if (t->is_input)
		return npu_fail(NPU_E_INVALID, "tensor '%s' is a graph input", t->name);
	if (!npu_dtype_size(dtype))
		return npu_fail(NPU_E_UNSUPPORTED, "tensor '%s': data type %d not supported",
				t->name, (int)dtype);
	ret = check_shape(t->name, rank, dims);
	if (ret)
		return ret;
	npu_shape_numel(rank, dims, &numel);
	size = numel * npu_dtype_size(dtype);
	copy = malloc(size ? size : 1);
	if (!copy)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	memcpy(copy, data, size);
	free(t->data);
	t->data = copy;
	t->dtype = dtype;
	set_shape(t, rank, dims);
	return 0;
}

int npu_graph_add_constant(struct npu_graph *g, const char *name, enum npu_dtype dtype,
			   int rank, const int64_t *dims, const void *data,
			   struct npu_tensor **tensor)
{
	struct npu_tensor *t;
	int ret;

	if (rank < 0 || !data)
		return npu_fail(NPU_E_INVALID, "constant '%s': no shape or data",
				name ? name : "");
	ret = npu_graph_add_tensor(g, name, dtype, rank, dims, &t);
	if (ret)
		return ret;
	ret = npu_tensor_set_data(t, dtype, rank, dims, data);
	if (ret) {
		npu_graph_remove_tensor(g, t);
		return ret;
	}
	if (tensor)
		*tensor = t;
	return 0;
}

static int tensor_used(const struct npu_graph *g, const struct npu_tensor *t)
{
	for (size_t i = 0; i < g->n_nodes; i++) {
		const struct npu_node *n = g->nodes[i];

		for (size_t j = 0; j < n->n_in; j++)
			if (n->in[j] == t)
				return 1;
		for (size_t j = 0; j < n->n_out; j++)
			if (n->out[j] == t)
				return 1;
	}
	for (size_t i = 0; i < g->n_outputs; i++)
		if (g->outputs[i] == t)
			return 1;
	return t->is_input;
}

int npu_graph_remove_tensor(struct npu_graph *g, struct npu_tensor *t)
{
	if (!g || !t)
		return npu_fail(NPU_E_INVALID, "remove tensor: NULL argument");
	if (tensor_used(g, t))
		return npu_fail(NPU_E_BUSY, "tensor '%s' is still used", t->name);
	drop((void **)g->tensors, &g->n_tensors, t);
	for (size_t i = 0; i < g->n_tensors; i++)
		g->tensors[i]->index = i;
	tensor_free(t);
	return 0;
}

int npu_graph_add_input(struct npu_graph *g, struct npu_tensor *t)
{
	int ret;

	if (!g || !t)
		return npu_fail(NPU_E_INVALID, "add input: NULL argument");
	if (t->data || t->is_input)
		return npu_fail(NPU_E_INVALID, "tensor '%s' is a constant or already an input",
				t->name);
	if (npu_tensor_producer(g, t))
		return npu_fail(NPU_E_INVALID, "tensor '%s' is produced by a node", t->name);
	ret = push((void ***)&g->inputs, &g->n_inputs, &g->cap_inputs, t);
	if (!ret)
		t->is_input = 1;
	return ret;
}

int npu_graph_add_output(struct npu_graph *g, struct npu_tensor *t)
{
	if (!g || !t)
		return npu_fail(NPU_E_INVALID, "add output: NULL argument");
	return push((void ***)&g->outputs, &g->n_outputs, &g->cap_outputs, t);
}

int npu_graph_set_output(struct npu_graph *g, size_t index, struct npu_tensor *t)
{
	if (!g || !t || index >= g->n_outputs)
		return npu_fail(NPU_E_INVALID, "set output: bad argument");
	g->outputs[index] = t;
	return 0;
}

const char *npu_tensor_name(const struct npu_tensor *t)
{
	return t->name;
}

enum npu_dtype npu_tensor_dtype(const struct npu_tensor *t)
{
	return t->dtype;
}

int npu_tensor_rank(const struct npu_tensor *t)
{
	return t->rank;
}

const int64_t *npu_tensor_dims(const struct npu_tensor *t)
{
	return t->dims;
}

size_t npu_tensor_numel(const struct npu_tensor *t)
{
	size_t n;

	return npu_shape_numel(t->rank, t->dims, &n) ? 0 : n;
}

const void *npu_tensor_data(const struct npu_tensor *t)
{
	return t->data;
}

struct npu_node *npu_tensor_producer(const struct npu_graph *g, const struct npu_tensor *t)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		for (size_t j = 0; j < g->nodes[i]->n_out; j++)
			if (g->nodes[i]->out[j] == t)
				return g->nodes[i];
	return NULL;
}

int npu_tensor_set_shape(struct npu_tensor *t, int rank, const int64_t *dims)
{
	int ret;

	if (!t)
		return npu_fail(NPU_E_INVALID, "set shape: NULL tensor");
	if (t->data)
		return npu_fail(NPU_E_INVALID, "tensor '%s' is a constant", t->name);
	ret = check_shape(t->name, rank, dims);
	if (ret)
		return ret;
	set_shape(t, rank, dims);
	return 0;
}

int npu_tensor_quant(const struct npu_tensor *t, struct npu_quant_params *q)
{
	if (!t || !q)
		return npu_fail(NPU_E_INVALID, "tensor quant: NULL argument");
	if (!t->q_count)
		return NPU_E_NOENT;
	q->dtype = t->q_dtype;
	q->axis = t->q_axis;
	q->count = t->q_count;
	q->scale = t->q_scale;
	q->zero_point = t->q_zero_point;
	return 0;
}

int npu_tensor_set_quant(struct npu_tensor *t, const struct npu_quant_params *q)
{
	float *scale;
	int32_t *zp;
	int32_t lo, hi;

	if (!t)
		return npu_fail(NPU_E_INVALID, "tensor quant: NULL tensor");
	if (!q) {
		free(t->q_scale);
		free(t->q_zero_point);
		t->q_scale = NULL;
		t->q_zero_point = NULL;
		t->q_count = 0;
		return 0;
	}
	if (q->dtype != NPU_DTYPE_INT8 && q->dtype != NPU_DTYPE_UINT8)
		return npu_fail(NPU_E_INVALID, "tensor '%s': quantized type must be int8 or uint8",
				t->name);
	if (!q->count || !q->scale || !q->zero_point || q->axis < 0 ||
	    (q->count > 1 && (q->axis >= t->rank || (int64_t)q->count != t->dims[q->axis])))
		return npu_fail(NPU_E_INVALID, "tensor '%s': quant params do not fit its shape",
				t->name);
	lo = q->dtype == NPU_DTYPE_INT8 ? -128 : 0;
	hi = q->dtype == NPU_DTYPE_INT8 ? 127 : 255;
	for (size_t i = 0; i < q->count; i++)
		if (!(q->scale[i] > 0.0f && q->scale[i] <= 3.4e38f) ||
		    q->zero_point[i] < lo || q->zero_point[i] > hi)
			return npu_fail(NPU_E_INVALID, "tensor '%s': bad scale or zero point [%zu]",
					t->name, i);
	scale = malloc(q->count * sizeof(*scale));
	zp = malloc(q->count * sizeof(*zp));
	if (!scale || !zp) {
		free(scale);
		free(zp);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	memcpy(scale, q->scale, q->count * sizeof(*scale));
	memcpy(zp, q->zero_point, q->count * sizeof(*zp));
	free(t->q_scale);
	free(t->q_zero_point);
	t->q_scale = scale;
	t->q_zero_point = zp;
	t->q_count = q->count;
	t->q_axis = q->axis;
	t->q_dtype = q->dtype;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Nodes                                                               */
/* ------------------------------------------------------------------ */

const char *npu_node_label(const struct npu_graph *g, const struct npu_node *n,
			   char *buf, size_t size)
{
	size_t index = 0;

	if (n->name && *n->name) {
		snprintf(buf, size, "node '%s' (%s)", n->name, npu_node_op_name(n->op));
		return buf;
	}
	while (index < g->n_nodes && g->nodes[index] != n)
		index++;
	snprintf(buf, size, "node #%zu (%s)", index, npu_node_op_name(n->op));
	return buf;
}

static struct npu_attr *find_attr(const struct npu_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (!strcmp(n->attrs[i].name, name))
			return &n->attrs[i];
	return NULL;
}

int npu_node_put_attr(struct npu_node *n, const struct npu_attr *a)
{
	struct npu_attr copy = { .type = a->type, .i = a->i, .f = a->f, .count = a->count };
	struct npu_attr *slot;

	copy.name = strdup(a->name);
	if (a->s)
		copy.s = strdup(a->s);
	if (a->type == NPU_ATTR_INTS) {
		int64_t *v = malloc(a->count ? a->count * sizeof(*v) : 1);

		if (v && a->count)
			memcpy(v, a->ints, a->count * sizeof(*v));
		copy.ints = v;
	}
	if (a->type == NPU_ATTR_FLOATS) {
		float *v = malloc(a->count ? a->count * sizeof(*v) : 1);

		if (v && a->count)
			memcpy(v, a->floats, a->count * sizeof(*v));
		copy.floats = v;
	}
	if (!copy.name || (a->s && !copy.s) || (a->type == NPU_ATTR_INTS && !copy.ints) ||
	    (a->type == NPU_ATTR_FLOATS && !copy.floats)) {
		attr_clear(&copy);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	slot = find_attr(n, a->name);
	if (!slot) {
		slot = realloc(n->attrs, (n->n_attrs + 1) * sizeof(*slot));
		if (!slot) {
			attr_clear(&copy);
			return npu_fail(NPU_E_NOMEM, "out of memory");
		}
		n->attrs = slot;
		slot = &n->attrs[n->n_attrs++];
	} else {
		attr_clear(slot);
	}
	*slot = copy;
	return 0;
}

/* Give a new node the defaults of its operator at the graph's opset. */
static int fill_defaults(const struct npu_graph *g, struct npu_node *n)
{
	const struct npu_op_schema *s = npu_op_schema(n->op);

	for (const struct npu_attr_schema *as = s->attrs; as->name; as++) {
		struct npu_attr a = { .name = as->name, .type = as->type, .i = as->i,
				      .f = as->f, .s = as->s };
		int ret;

		if (as->since > g->opset || !as->has_default)
			continue;
		ret = npu_node_put_attr(n, &a);
		if (ret)
			return ret;
	}
	if (n->op == NPU_NODE_SOFTMAX) {
		/* Softmax-13 changed the default axis along with the semantics. */
		struct npu_attr a = { .name = "axis", .type = NPU_ATTR_INT,
				      .i = g->opset < 13 ? 1 : -1 };

		return npu_node_put_attr(n, &a);
	}
	return 0;
}

int npu_graph_add_node(struct npu_graph *g, enum npu_node_op op, const char *name,
		       size_t num_inputs, struct npu_tensor *const *inputs,
		       size_t num_outputs, struct npu_tensor *const *outputs,
		       struct npu_node **node)
{
	const struct npu_op_schema *s = npu_op_schema(op);
	struct npu_node *n;
	int ret;

	if (!g || !s || (num_inputs && !inputs) || !outputs)
		return npu_fail(NPU_E_INVALID, "add node: bad argument");
	if (num_inputs > s->max_in || num_outputs < s->min_out || num_outputs > s->max_out)
		return npu_fail(NPU_E_INVALID, "%s node '%s': %zu inputs, %zu outputs", s->name,
				name ? name : "", num_inputs, num_outputs);
	for (size_t i = 0; i < num_outputs; i++) {
		if (!outputs[i] || outputs[i]->data || outputs[i]->is_input ||
		    npu_tensor_producer(g, outputs[i]))
			return npu_fail(NPU_E_INVALID,
					"%s node '%s': output %zu is missing, a constant, a graph "
					"input or produced by another node", s->name,
					name ? name : "", i);
		for (size_t j = 0; j < i; j++)
			if (outputs[j] == outputs[i])
				return npu_fail(NPU_E_INVALID, "%s node '%s': output %zu repeated",
						s->name, name ? name : "", i);
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	n->op = op;
	n->name = strdup(name ? name : "");
	n->in = calloc(num_inputs ? num_inputs : 1, sizeof(*n->in));
	n->out = calloc(num_outputs, sizeof(*n->out));
	if (!n->name || !n->in || !n->out) {
		node_free(n);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	n->n_in = num_inputs;
	n->n_out = num_outputs;
	if (num_inputs)
		memcpy(n->in, inputs, num_inputs * sizeof(*n->in));
	memcpy(n->out, outputs, num_outputs * sizeof(*n->out));
	ret = fill_defaults(g, n);
	if (!ret)
		ret = push((void ***)&g->nodes, &g->n_nodes, &g->cap_nodes, n);
	if (ret) {
		node_free(n);
		return ret;
	}
	if (node)
		*node = n;
	return 0;
}

int npu_graph_remove_node(struct npu_graph *g, struct npu_node *n)
{
	size_t before;

	if (!g || !n)
		return npu_fail(NPU_E_INVALID, "remove node: NULL argument");
	before = g->n_nodes;
	drop((void **)g->nodes, &g->n_nodes, n);
	if (g->n_nodes == before)
		return npu_fail(NPU_E_NOENT, "remove node: not in the graph");
	node_free(n);
	return 0;
}

enum npu_node_op npu_node_op(const struct npu_node *n)
{
	return n->op;
}

const char *npu_node_name(const struct npu_node *n)
{
	return n->name;
}

size_t npu_node_num_inputs(const struct npu_node *n)
{
	return n->n_in;
}

struct npu_tensor *npu_node_input(const struct npu_node *n, size_t index)
{
	return index < n->n_in ? n->in[index] : NULL;
}

size_t npu_node_num_outputs(const struct npu_node *n)
{
	return n->n_out;
}

struct npu_tensor *npu_node_output(const struct npu_node *n, size_t index)
{
	return index < n->n_out ? n->out[index] : NULL;
}

int npu_node_set_input(struct npu_node *n, size_t index, struct npu_tensor *t)
{
	if (!n || index > n->n_in || index >= npu_op_schema(n->op)->max_in)
		return npu_fail(NPU_E_INVALID, "set input: bad node or index");
	if (index == n->n_in) {
		struct npu_tensor **in = realloc(n->in, (n->n_in + 1) * sizeof(*in));

		if (!in)
			return npu_fail(NPU_E_NOMEM, "out of memory");
		n->in = in;
		n->n_in++;
	}
	n->in[index] = t;
	return 0;
}

size_t npu_node_num_attrs(const struct npu_node *n)
{
	return n->n_attrs;
}

const struct npu_attr *npu_node_attr(const struct npu_node *n, size_t index)
{
	return index < n->n_attrs ? &n->attrs[index] : NULL;
}

const struct npu_attr *npu_node_find_attr(const struct npu_node *n, const char *name)
{
	return find_attr(n, name);
}

/* The schema entry of attribute `name` of n's operator, or NULL. */
static const struct npu_attr_schema *attr_schema(const struct npu_node *n, const char *name)
{
	for (const struct npu_attr_schema *as = npu_op_schema(n->op)->attrs; as->name; as++)
		if (!strcmp(as->name, name))
			return as;
	return NULL;
}

static int set_attr(struct npu_node *n, const struct npu_attr *a)
{
	const struct npu_attr_schema *as;

	if (!n || !a->name)
		return npu_fail(NPU_E_INVALID, "set attribute: NULL argument");
	as = attr_schema(n, a->name);
	if (!as || as->type != a->type)
		return npu_fail(NPU_E_INVALID, "%s has no attribute '%s' of that type",
				npu_node_op_name(n->op), a->name);
	if ((a->type == NPU_ATTR_STRING && !a->s) ||
	    (a->type == NPU_ATTR_INTS && a->count && !a->ints) ||
	    (a->type == NPU_ATTR_FLOATS && a->count && !a->floats))
		return npu_fail(NPU_E_INVALID, "attribute '%s': NULL value", a->name);
	return npu_node_put_attr(n, a);
}

int npu_node_set_attr_int(struct npu_node *n, const char *name, int64_t value)
{
	struct npu_attr a = { .name = name, .type = NPU_ATTR_INT, .i = value };

	return set_attr(n, &a);
}

int npu_node_set_attr_float(struct npu_node *n, const char *name, float value)
{
	struct npu_attr a = { .name = name, .type = NPU_ATTR_FLOAT, .f = value };

	return set_attr(n, &a);
}

int npu_node_set_attr_string(struct npu_node *n, const char *name, const char *value)
{
	struct npu_attr a = { .name = name, .type = NPU_ATTR_STRING, .s = value };

	return set_attr(n, &a);
}

int npu_node_set_attr_ints(struct npu_node *n, const char *name, size_t count,
			   const int64_t *values)
{
	struct npu_attr a = { .name = name, .type = NPU_ATTR_INTS, .count = count,
			      .ints = values };

	return set_attr(n, &a);
}

int npu_node_set_attr_floats(struct npu_node *n, const char *name, size_t count,
			     const float *values)
{
	struct npu_attr a = { .name = name, .type = NPU_ATTR_FLOATS, .count = count,
			      .floats = values };

	return set_attr(n, &a);
}

int64_t npu_attr_int(const struct npu_node *n, const char *name)
{
	const struct npu_attr *a = find_attr(n, name);

	return a && a->type == NPU_ATTR_INT ? a->i : 0;
}

float npu_attr_float(const struct npu_node *n, const char *name)
{
	const struct npu_attr *a = find_attr(n, name);

	return a && a->type == NPU_ATTR_FLOAT ? a->f : 0.0f;
}

const char *npu_attr_string(const struct npu_node *n, const char *name)
{
	const struct npu_attr *a = find_attr(n, name);

	return a && a->type == NPU_ATTR_STRING ? a->s : "";
}

const int64_t *npu_attr_ints(const struct npu_node *n, const char *name, size_t *count)
{
	const struct npu_attr *a = find_attr(n, name);

	*count = a && a->type == NPU_ATTR_INTS ? a->count : 0;
	return *count ? a->ints : NULL;
}

/* ------------------------------------------------------------------ */
/* Topological order                                                   */
/* ------------------------------------------------------------------ */

/*
 * Kahn's algorithm over tensor producers: a node is ready when every
 * input is a graph input, a constant, or the output of a placed node.
 * A node that never becomes ready waits on a cycle or on a tensor no
 * one produces.
 */
int npu_graph_sort(struct npu_graph *g)
{
	struct npu_node **order = NULL;
	struct npu_node **producer = NULL;
	unsigned char *ready = NULL, *placed = NULL;
	size_t done = 0;
	int ret = 0;

	order = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof(*order));
	producer = calloc(g->n_tensors ? g->n_tensors : 1, sizeof(*producer));
	ready = calloc(g->n_tensors ? g->n_tensors : 1, 1);
	placed = calloc(g->n_nodes ? g->n_nodes : 1, 1);
	if (!order || !producer || !ready || !placed) {
		ret = npu_fail(NPU_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < g->n_nodes; i++) {
		struct npu_node *n = g->nodes[i];
		char label[160];

		for (size_t j = 0; j < n->n_out; j++) {
			struct npu_tensor *t = n->out[j];

			if (producer[t->index] || t->data || t->is_input) {
				ret = npu_fail(NPU_E_FORMAT, "%s: output '%s' is already a graph "
					       "input, a constant or another node's output",
					       npu_node_label(g, n, label, sizeof(label)), t->name);
				goto out;
			}
			producer[t->index] = n;
		}
	}
	for (size_t i = 0; i < g->n_tensors; i++)
		ready[i] = !producer[i];
	while (done < g->n_nodes) {
		size_t before = done;

		for (size_t i = 0; i < g->n_nodes; i++) {
			struct npu_node *n = g->nodes[i];
			int ok = !placed[i];

			for (size_t j = 0; ok && j < n->n_in; j++)
				ok = !n->in[j] || ready[n->in[j]->index];
			if (!ok)
				continue;
			placed[i] = 1;
			order[done++] = n;
			for (size_t j = 0; j < n->n_out; j++)
				ready[n->out[j]->index] = 1;
		}
		if (done == before) {
			char label[160];
			size_t i = 0;

			while (placed[i])
				i++;
			ret = npu_fail(NPU_E_FORMAT, "%s: on a cycle (its inputs depend on "
				       "its own outputs)",
				       npu_node_label(g, g->nodes[i], label, sizeof(label)));
			goto out;
		}
	}
	if (g->n_nodes)
		memcpy(g->nodes, order, g->n_nodes * sizeof(*order));
out:
	free(order);
	free(producer);
	free(ready);
	free(placed);
	return ret;
}
