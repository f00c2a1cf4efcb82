// SPDX-License-Identifier: MIT
/*
 * ONNX model import: ModelProto (protoc-c) to the graph IR.  Checks the
 * opset, every name, node and attribute, folds Constant nodes into
 * constant tensors, infers shapes, and records the quantization
 * parameters that QDQ and QLinear operators state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph_priv.h"
#include "npu/error.h"
#include "onnx_priv.h"

/* Models larger than this are not what an int8 NPU runs. */
#define NPU_ONNX_MAX_FILE	(1ull << 31)

int npu_read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	*data = NULL;
	*size = 0;
	if (!f)
		return npu_fail(NPU_E_IO, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return npu_fail(NPU_E_IO, "%s: cannot size the file", path);
	}
	if ((unsigned long long)len > NPU_ONNX_MAX_FILE) {
		fclose(f);
		return npu_fail(NPU_E_UNSUPPORTED, "%s: larger than 2 GiB", path);
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf) {
		fclose(f);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return npu_fail(NPU_E_IO, "%s: read failed", path);
	}
	fclose(f);
	*data = buf;
	*size = (size_t)len;
	return 0;
}

/* "node 'name' (Op)" or "node #i (Op)" for a NodeProto. */
static const char *proto_label(const Onnx__NodeProto *np, size_t index, char *buf, size_t size)
{
	if (np->name && *np->name)
		snprintf(buf, size, "node '%s' (%s)", np->name, np->op_type ? np->op_type : "?");
	else
		snprintf(buf, size, "node #%zu (%s)", index, np->op_type ? np->op_type : "?");
	return buf;
}

static int is_default_domain(const char *domain)
{
	return !domain || !*domain || !strcmp(domain, "ai.onnx");
}

/* The default domain's opset; NPU_E_FORMAT without one. */
static int model_opset(const Onnx__ModelProto *m, int *opset)
{
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *o = m->opset_import[i];

		if (!is_default_domain(o->domain))
			continue;
		if (!o->has_version || o->version < 1)
			return npu_fail(NPU_E_FORMAT, "the default opset has no valid version");
		if (o->version > NPU_OPSET_MAX)
			return npu_fail(NPU_E_UNSUPPORTED, "opset %lld not supported (up to %d)",
					(long long)o->version, NPU_OPSET_MAX);
		*opset = (int)o->version;
		return 0;
	}
	return npu_fail(NPU_E_FORMAT, "no opset for the default ONNX domain");
}

/* What a non-tensor TypeProto is, for messages. */
static const char *type_kind(const Onnx__TypeProto *tp)
{
	switch (tp ? tp->value_case : ONNX__TYPE_PROTO__VALUE__NOT_SET) {
	case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE:
		return "a sequence";
	case ONNX__TYPE_PROTO__VALUE_MAP_TYPE:
		return "a map";
	case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE:
		return "an optional";
	case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE:
		return "a sparse tensor";
	default:
		return "no type";
	}
}

/* A graph input's ValueInfo: a tensor of a supported type, shape known or not. */
static int add_graph_input(struct npu_graph *g, const Onnx__ValueInfoProto *vi)
{
	const Onnx__TypeProto *tp = vi->type;
	const Onnx__TypeProto__Tensor *tt;
	const Onnx__TensorShapeProto *shape;
	int64_t dims[NPU_MAX_RANK];
	int rank = -1;
	struct npu_tensor *t;
	enum npu_dtype dtype;
	int ret;

	if (!vi->name || !*vi->name)
		return npu_fail(NPU_E_FORMAT, "a graph input has no name");
	if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		return npu_fail(tp && tp->value_case ? NPU_E_UNSUPPORTED : NPU_E_FORMAT,
				"graph input '%s' is not a tensor (%s)", vi->name,
				type_kind(tp));
	tt = tp->tensor_type;
	dtype = tt->has_elem_type ? npu_onnx_dtype(tt->elem_type) : NPU_DTYPE_UNDEFINED;
	if (dtype == NPU_DTYPE_UNDEFINED)
		return npu_fail(tt->has_elem_type ? NPU_E_UNSUPPORTED : NPU_E_FORMAT,
				"graph input '%s': data type %s not supported", vi->name,
				npu_onnx_dtype_name(tt->has_elem_type ? tt->elem_type : 0));
	shape = tt->shape;
	if (shape && shape->n_dim > NPU_MAX_RANK)
		return npu_fail(NPU_E_UNSUPPORTED, "graph input '%s': rank %zu > %d", vi->name,
				shape->n_dim, NPU_MAX_RANK);
	if (shape) {
		/* A symbolic or missing dim leaves the shape unknown until it is set. */
		rank = (int)shape->n_dim;
		for (size_t i = 0; i < shape->n_dim; i++) {
			const Onnx__TensorShapeProto__Dimension *d = shape->dim[i];

			if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
				rank = -1;
				break;
			}
			if (d->dim_value < 0)
				return npu_fail(NPU_E_FORMAT, "graph input '%s': dim %zu is %lld",
						vi->name, i, (long long)d->dim_value);
			dims[i] = d->dim_value;
		}
	}
	ret = npu_graph_add_tensor(g, vi->name, dtype, rank, dims, &t);
	if (ret == NPU_E_INVALID && npu_graph_find_tensor(g, vi->name))
		return npu_fail(NPU_E_FORMAT, "graph input '%s' is declared twice", vi->name);
	if (ret)
		return ret;
	return npu_graph_add_input(g, t);
}

static enum npu_attr_type attr_type(const Onnx__AttributeProto *a)
{
	switch (a->has_type ? a->type : 0) {
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
		return NPU_ATTR_INT;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
		return NPU_ATTR_FLOAT;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
		return NPU_ATTR_STRING;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
		return NPU_ATTR_INTS;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
		return NPU_ATTR_FLOATS;
	default:
		return 0;
	}
}

/* Copy a node's attributes after checking them against the schema. */
static int load_attrs(struct npu_graph *g, struct npu_node *n, const Onnx__NodeProto *np,
		      const char *label)
{
	const struct npu_op_schema *s = npu_op_schema(n->op);

	for (size_t i = 0; i < np->n_attribute; i++) {
		const Onnx__AttributeProto *pa = np->attribute[i];
		const struct npu_attr_schema *as = NULL;
		struct npu_attr a = { .name = pa->name };
		char *str = NULL;
		int ret;

		for (const struct npu_attr_schema *x = s->attrs; x->name && pa->name; x++)
			if (!strcmp(x->name, pa->name) && x->since <= g->opset)
				as = x;
		if (!as)
			return npu_fail(NPU_E_FORMAT, "%s: unknown attribute '%s' at opset %d",
					label, pa->name ? pa->name : "", g->opset);
		if (pa->ref_attr_name && *pa->ref_attr_name)
			return npu_fail(NPU_E_UNSUPPORTED, "%s: attribute '%s' refers to a "
					"function attribute", label, pa->name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(np->attribute[j]->name, pa->name))
				return npu_fail(NPU_E_FORMAT, "%s: attribute '%s' given twice",
						label, pa->name);
		a.type = attr_type(pa);
		if (a.type != as->type)
			return npu_fail(NPU_E_FORMAT, "%s: attribute '%s' has the wrong type",
					label, pa->name);
		a.i = pa->i;
		a.f = pa->f;
		a.count = a.type == NPU_ATTR_INTS ? pa->n_ints : pa->n_floats;
		a.ints = pa->ints;
		a.floats = pa->floats;
		if (a.type == NPU_ATTR_STRING) {
			/* Attribute strings are bytes; ours are C strings. */
			if (memchr(pa->s.data, 0, pa->s.len))
				return npu_fail(NPU_E_FORMAT, "%s: attribute '%s' holds a NUL byte",
						label, pa->name);
			str = strndup((const char *)pa->s.data, pa->s.len);
			if (!str)
				return npu_fail(NPU_E_NOMEM, "out of memory");
			a.s = str;
		}
		ret = npu_node_put_attr(n, &a);
		free(str);
		if (ret)
			return ret;
	}
	for (const struct npu_attr_schema *x = s->attrs; x->name; x++)
		if (x->required && x->since <= g->opset && !npu_node_find_attr(n, x->name))
			return npu_fail(NPU_E_INVALID, "%s: required attribute '%s' is missing",
					label, x->name);
	return 0;
}

/* A Constant node becomes the constant tensor it names. */
static int load_constant(struct npu_graph *g, const Onnx__NodeProto *np, const char *label)
{
	struct npu_value v = { 0 };
	const Onnx__AttributeProto *pa;
	int ret;

	if (np->n_input || np->n_output != 1 || !np->output[0] || !*np->output[0])
		return npu_fail(NPU_E_FORMAT, "%s: needs no input and one named output", label);
	if (np->n_attribute != 1)
		return npu_fail(NPU_E_FORMAT, "%s: needs exactly one value attribute", label);
	pa = np->attribute[0];
	if (!pa->name)
		return npu_fail(NPU_E_FORMAT, "%s: attribute without a name", label);
	if (!strcmp(pa->name, "value") && pa->has_type &&
	    pa->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR && pa->t) {
		ret = npu_onnx_tensor(pa->t, np->output[0], &v);
		if (ret)
			return ret;
	} else if (g->opset >= 12 && !strcmp(pa->name, "value_float") &&
		   attr_type(pa) == NPU_ATTR_FLOAT) {
		ret = npu_value_alloc(&v, NPU_DTYPE_FLOAT32, 0, NULL);
		if (ret)
			return ret;
		*(float *)v.data = pa->f;
	} else if (g->opset >= 12 && !strcmp(pa->name, "value_int") &&
		   attr_type(pa) == NPU_ATTR_INT) {
		ret = npu_value_alloc(&v, NPU_DTYPE_INT64, 0, NULL);
		if (ret)
			return ret;
		*(int64_t *)v.data = pa->i;
	} else if (g->opset >= 12 && (!strcmp(pa->name, "value_floats") ||
				      !strcmp(pa->name, "value_ints")) &&
		   (attr_type(pa) == NPU_ATTR_FLOATS || attr_type(pa) == NPU_ATTR_INTS)) {
		const int floats = attr_type(pa) == NPU_ATTR_FLOATS;
		const int64_t count = (int64_t)(floats ? pa->n_floats : pa->n_ints);

		if (floats != !strcmp(pa->name, "value_floats"))
			return npu_fail(NPU_E_FORMAT, "%s: '%s' has the wrong type", label,
					pa->name);
		ret = npu_value_alloc(&v, floats ? NPU_DTYPE_FLOAT32 : NPU_DTYPE_INT64, 1, &count);
		if (ret)
			return ret;
		if (count)
			memcpy(v.data, floats ? (const void *)pa->floats : (const void *)pa->ints,
			       (size_t)count * (floats ? sizeof(float) : sizeof(int64_t)));
	} else {
		return npu_fail(NPU_E_UNSUPPORTED, "%s: attribute '%s' not supported (value, "
				"value_float(s), value_int(s) are)", label,
				pa->name ? pa->name : "");
	}
	ret = npu_graph_add_constant(g, np->output[0], v.dtype, v.rank, v.dims, v.data, NULL);
	npu_value_free(&v);
	if (ret && npu_graph_find_tensor(g, np->output[0]))
		return npu_fail(NPU_E_FORMAT, "%s: '%s' is defined twice", label, np->output[0]);
	return ret;
}

/* Resolve a name to a tensor; NPU_E_FORMAT when nothing defines it. */
static int lookup(const struct npu_graph *g, const char *name, const char *label,
		  struct npu_tensor **t)
{
	*t = npu_graph_find_tensor(g, name);
	if (!*t)
		return npu_fail(NPU_E_FORMAT, "%s: input '%s' is not a graph input, an "
				"initializer or any node's output", label, name);
	return 0;
}

/* Create one node: its outputs were created by the first pass. */
static int load_node(struct npu_graph *g, int model_opset, const Onnx__NodeProto *np,
		     size_t index)
{
	struct npu_tensor *ins[16] = { 0 }, *outs[5] = { 0 };
	struct npu_tensor **in = ins;
	const struct npu_op_schema *s;
	struct npu_node *n;
	char label[160];
	size_t n_out = np->n_output;
	int op, ret;

	proto_label(np, index, label, sizeof(label));
	op = npu_op_lookup(np->op_type);
	s = npu_op_schema(op);
	if (model_opset < s->since)
		return npu_fail(NPU_E_UNSUPPORTED, "%s: opset %d defines an older version "
				"(supported from opset %d)", label, model_opset, s->since);
	/* Omitted optional outputs are empty names at the end. */
	while (n_out && !*np->output[n_out - 1])
		n_out--;
	if (np->n_input > s->max_in || n_out < s->min_out || n_out > s->max_out ||
	    np->n_input < s->min_in)
		return npu_fail(NPU_E_FORMAT, "%s: %zu inputs and %zu outputs (needs %zu to %zu "
				"and %zu to %zu)", label, np->n_input, n_out, s->min_in,
				s->max_in, s->min_out, s->max_out);
	if (np->n_input > sizeof(ins) / sizeof(ins[0])) {
		in = calloc(np->n_input, sizeof(*in));
		if (!in)
			return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	ret = 0;
	for (size_t i = 0; !ret && i < np->n_input; i++)
		if (*np->input[i])
			ret = lookup(g, np->input[i], label, &in[i]);
	for (size_t i = 0; !ret && i < n_out; i++) {
		outs[i] = npu_graph_find_tensor(g, np->output[i]);
		if (!outs[i])
			ret = npu_fail(NPU_E_FORMAT, "%s: output %zu has no name", label, i);
	}
	if (!ret) {
		ret = npu_graph_add_node(g, (enum npu_node_op)op, np->name, np->n_input, in,
					 n_out, outs, &n);
		if (ret)
			ret = npu_fail(NPU_E_FORMAT, "%s: %s", label, npu_last_error());
	}
	if (in != ins)
		free(in);
	if (ret)
		return ret;
	return load_attrs(g, n, np, label);
}

/*
 * First pass over the nodes: check each operator and create every node
 * output, so that inputs can refer to outputs of later nodes (the sort
 * puts them in order, or finds the cycle).
 */
static int declare_outputs(struct npu_graph *g, const Onnx__GraphProto *gp)
{
	for (size_t i = 0; i < gp->n_node; i++) {
		const Onnx__NodeProto *np = gp->node[i];
		char label[160];

		proto_label(np, i, label, sizeof(label));
		if (!np->op_type || !*np->op_type)
			return npu_fail(NPU_E_FORMAT, "%s: no op_type", label);
		if (!is_default_domain(np->domain))
			return npu_fail(NPU_E_UNSUPPORTED, "%s: domain '%s' not supported", label,
					np->domain);
		if (!strcmp(np->op_type, "Constant")) {
			int ret = load_constant(g, np, label);

			if (ret)
				return ret;
			continue;
		}
		if (npu_op_lookup(np->op_type) < 0)
			return npu_fail(NPU_E_UNSUPPORTED, "%s: operator %s not supported", label,
					np->op_type);
		for (size_t j = 0; j < np->n_output; j++) {
			int ret;

			if (!*np->output[j])
				continue;
			if (npu_graph_find_tensor(g, np->output[j]))
				return npu_fail(NPU_E_FORMAT, "%s: output '%s' is already defined",
						label, np->output[j]);
			ret = npu_graph_add_tensor(g, np->output[j], NPU_DTYPE_UNDEFINED, -1, NULL,
						   NULL);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int load_graph(struct npu_graph *g, int model_opset, const Onnx__GraphProto *gp)
{
	int ret;

	if (gp->n_sparse_initializer)
		return npu_fail(NPU_E_UNSUPPORTED, "sparse initializers not supported");
	for (size_t i = 0; i < gp->n_initializer; i++) {
		const Onnx__TensorProto *tp = gp->initializer[i];
		struct npu_value v;

		if (!tp->name || !*tp->name)
			return npu_fail(NPU_E_FORMAT, "initializer %zu has no name", i);
		if (npu_graph_find_tensor(g, tp->name))
			return npu_fail(NPU_E_FORMAT, "initializer '%s' is defined twice", tp->name);
		ret = npu_onnx_tensor(tp, tp->name, &v);
		if (ret)
			return ret;
		ret = npu_graph_add_constant(g, tp->name, v.dtype, v.rank, v.dims, v.data, NULL);
		npu_value_free(&v);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < gp->n_input; i++) {
		const Onnx__ValueInfoProto *vi = gp->input[i];
		struct npu_tensor *t = vi->name ? npu_graph_find_tensor(g, vi->name) : NULL;

		/* Before IR version 4 initializers were listed as inputs too. */
		if (t && t->data)
			continue;
		ret = add_graph_input(g, vi);
		if (ret)
			return ret;
	}
	ret = declare_outputs(g, gp);
	for (size_t i = 0; !ret && i < gp->n_node; i++)
		if (strcmp(gp->node[i]->op_type, "Constant"))
			ret = load_node(g, model_opset, gp->node[i], i);
	for (size_t i = 0; !ret && i < gp->n_output; i++) {
		const char *name = gp->output[i]->name;
		struct npu_tensor *t = name ? npu_graph_find_tensor(g, name) : NULL;

		if (!t)
			return npu_fail(NPU_E_FORMAT, "graph output '%s' is not defined",
					name ? name : "");
		ret = npu_graph_add_output(g, t);
	}
	if (!ret && !gp->n_output)
		ret = npu_fail(NPU_E_FORMAT, "the graph has no outputs");
	return ret;
}

/* The declared element types of graph outputs must be the inferred ones. */
static int check_outputs(const struct npu_graph *g, const Onnx__GraphProto *gp)
{
	for (size_t i = 0; i < gp->n_output; i++) {
		const Onnx__TypeProto *tp = gp->output[i]->type;
		const struct npu_tensor *t = g->outputs[i];

		if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
		    tp->tensor_type->has_elem_type &&
		    npu_onnx_dtype(tp->tensor_type->elem_type) != t->dtype)
			return npu_fail(NPU_E_FORMAT, "graph output '%s' is declared %s but is %s",
					t->name, npu_onnx_dtype_name(tp->tensor_type->elem_type),
					npu_dtype_name(t->dtype));
	}
	return 0;
}

/*
 * Record on quantized tensor t the parameters in scale/zp (constants;
 * zp may be NULL: zero of dtype) along `axis` when per axis.
 */
static void annotate(struct npu_tensor *t, const struct npu_tensor *scale,
		     const struct npu_tensor *zp, int axis)
{
	struct npu_quant_params q = { .dtype = t->dtype, .axis = axis };
	int32_t *zps;

	if (!scale->data || (zp && !zp->data) || t->rank < 0 ||
	    (t->dtype != NPU_DTYPE_INT8 && t->dtype != NPU_DTYPE_UINT8))
		return;
	q.count = npu_tensor_numel(scale);
	if (q.count == 1)
		q.axis = 0;
	if (axis < 0 || (q.count > 1 && axis >= t->rank))
		return;
	zps = calloc(q.count, sizeof(*zps));
	if (!zps)
		return;
	for (size_t i = 0; zp && i < q.count; i++)
		zps[i] = t->dtype == NPU_DTYPE_INT8 ? ((const int8_t *)zp->data)[i] :
			((const uint8_t *)zp->data)[i];
	q.scale = scale->data;
	q.zero_point = zps;
	/* A tensor the parameters do not fit stays without them: the node says it all. */
	npu_tensor_set_quant(t, &q);
	free(zps);
}

static void annotate_quant(struct npu_graph *g)
{
	for (size_t i = 0; i < g->n_nodes; i++) {
		struct npu_node *n = g->nodes[i];
		struct npu_tensor *const *in = n->in;
		const int axis = (int)npu_attr_int(n, "axis");

		switch (n->op) {
		case NPU_NODE_QUANTIZE_LINEAR:
			annotate(n->out[0], in[1], n->n_in > 2 ? in[2] : NULL,
				 axis < 0 ? axis + n->out[0]->rank : axis);
			break;
		case NPU_NODE_DEQUANTIZE_LINEAR:
			annotate(in[0], in[1], n->n_in > 2 ? in[2] : NULL,
				 axis < 0 ? axis + in[0]->rank : axis);
			break;
		case NPU_NODE_QLINEAR_CONV:
			annotate(in[0], in[1], in[2], 0);
			annotate(in[3], in[4], in[5], 0);
			annotate(n->out[0], in[6], in[7], 0);
			break;
		case NPU_NODE_QLINEAR_MATMUL:
			/* Per row of a and y, per column of b. */
			annotate(in[0], in[1], in[2], in[0]->rank - 2);
			annotate(in[3], in[4], in[5], in[3]->rank - 1);
			annotate(n->out[0], in[6], in[7], n->out[0]->rank - 2);
			break;
		default:
			break;
		}
	}
}

int npu_graph_load_onnx_mem(const void *data, size_t size, struct npu_graph **graph)
{
	Onnx__ModelProto *m;
	struct npu_graph *g = NULL;
	int opset = 0, ret;

	if (!graph || (!data && size))
		return npu_fail(NPU_E_INVALID, "load: NULL argument");
	*graph = NULL;
	m = onnx__model_proto__unpack(NULL, size, data);
	if (!m)
		return npu_fail(NPU_E_FORMAT, "not a valid ONNX model (protobuf decoding failed)");
	ret = model_opset(m, &opset);
	if (!ret && !m->graph)
		ret = npu_fail(NPU_E_FORMAT, "the model has no graph");
	/*
	 * Older opsets are taken when every node's definition there is the
	 * one of opset 11 (load_node checks), so the graph follows opset 11.
	 */
	if (!ret)
		ret = npu_graph_create(opset < NPU_OPSET_MIN ? NPU_OPSET_MIN : opset, &g);
	if (!ret)
		ret = load_graph(g, opset, m->graph);
	if (!ret)
		ret = npu_graph_infer_shapes(g);
	if (!ret)
		ret = check_outputs(g, m->graph);
	if (!ret)
		annotate_quant(g);
	onnx__model_proto__free_unpacked(m, NULL);
	if (ret) {
		npu_graph_free(g);
		return ret;
	}
	*graph = g;
	return 0;
}

int npu_graph_load_onnx(const char *path, struct npu_graph **graph)
{
	uint8_t *data;
	size_t size;
	int ret;

	if (!path || !graph)
		return npu_fail(NPU_E_INVALID, "load: NULL argument");
	*graph = NULL;
	ret = npu_read_file(path, &data, &size);
	if (ret)
		return ret;
	ret = npu_graph_load_onnx_mem(data, size, graph);
	free(data);
	return ret;
}
