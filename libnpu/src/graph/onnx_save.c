// SPDX-License-Identifier: MIT
/*
 * ONNX model export: the graph IR to a ModelProto (protoc-c), packed.
 * Every piece of the message is malloc'ed on its own so that protobuf-c's
 * free_unpacked releases it whatever the point of failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "file.h"
#include "graph_priv.h"
#include "npu/error.h"
#include "onnx_priv.h"

#define ONNX_IR_VERSION	8

/* Building state: the first allocation failure sticks. */
struct saver {
	int oom;
};

static void *s_alloc(struct saver *s, size_t size)
{
	void *p = s->oom ? NULL : calloc(1, size ? size : 1);

	if (!p)
		s->oom = 1;
	return p;
}

static char *s_strdup(struct saver *s, const char *str)
{
	char *p = s_alloc(s, strlen(str) + 1);

	if (p)
		strcpy(p, str);
	return p;
}

/* Append to a repeated field of capacity n (grown one by one: models are small). */
static int s_push(struct saver *s, void ***arr, size_t *n, void *item)
{
	void **grown;

	if (!item)
		return -1;
	grown = s->oom ? NULL : realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!grown) {
		s->oom = 1;
		return -1;
	}
	*arr = grown;
	(*arr)[(*n)++] = item;
	return 0;
}

#define PUSH(s, arr, n, item)	s_push((s), (void ***)&(arr), &(n), (item))

static Onnx__ValueInfoProto *value_info(struct saver *s, const struct npu_tensor *t)
{
	Onnx__ValueInfoProto *vi = s_alloc(s, sizeof(*vi));
	Onnx__TypeProto *tp;
	Onnx__TypeProto__Tensor *tt;

	if (!vi)
		return NULL;
	onnx__value_info_proto__init(vi);
	vi->name = s_strdup(s, t->name);
	tp = s_alloc(s, sizeof(*tp));
	if (!tp)
		return vi;
	onnx__type_proto__init(tp);
	vi->type = tp;
	tt = s_alloc(s, sizeof(*tt));
	if (!tt)
		return vi;
	onnx__type_proto__tensor__init(tt);
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	tp->tensor_type = tt;
	tt->has_elem_type = 1;
	tt->elem_type = t->dtype;
	if (t->rank < 0)
		return vi;
	tt->shape = s_alloc(s, sizeof(*tt->shape));
	if (!tt->shape)
		return vi;
	onnx__tensor_shape_proto__init(tt->shape);
	for (int i = 0; i < t->rank; i++) {
		Onnx__TensorShapeProto__Dimension *d = s_alloc(s, sizeof(*d));

		if (!d)
			break;
		onnx__tensor_shape_proto__dimension__init(d);
		d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		d->dim_value = t->dims[i];
		if (PUSH(s, tt->shape->dim, tt->shape->n_dim, d))
			free(d);
	}
	return vi;
}

static Onnx__TensorProto *initializer(struct saver *s, const struct npu_tensor *t)
{
	Onnx__TensorProto *tp = s_alloc(s, sizeof(*tp));
	size_t numel = 1, bytes;

	if (!tp)
		return NULL;
	onnx__tensor_proto__init(tp);
	tp->name = s_strdup(s, t->name);
	tp->has_data_type = 1;
	tp->data_type = t->dtype;
	tp->dims = s_alloc(s, (size_t)t->rank * sizeof(*tp->dims));
	if (tp->dims) {
		tp->n_dims = (size_t)t->rank;
		for (int i = 0; i < t->rank; i++) {
			tp->dims[i] = t->dims[i];
			numel *= (size_t)t->dims[i];
		}
	}
	bytes = numel * npu_dtype_size(t->dtype);
	tp->raw_data.data = s_alloc(s, bytes);
	if (tp->raw_data.data) {
		tp->has_raw_data = 1;
		tp->raw_data.len = bytes;
		memcpy(tp->raw_data.data, t->data, bytes);
	}
	return tp;
}

static Onnx__AttributeProto *attribute(struct saver *s, const struct npu_attr *a)
{
	Onnx__AttributeProto *ap = s_alloc(s, sizeof(*ap));

	if (!ap)
		return NULL;
	onnx__attribute_proto__init(ap);
	ap->name = s_strdup(s, a->name);
	ap->has_type = 1;
	switch (a->type) {
	case NPU_ATTR_INT:
		ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
		ap->has_i = 1;
		ap->i = a->i;
		break;
	case NPU_ATTR_FLOAT:
		ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
		ap->has_f = 1;
		ap->f = a->f;
		break;
	case NPU_ATTR_STRING:
		ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
		ap->s.data = (uint8_t *)s_strdup(s, a->s);
		ap->has_s = ap->s.data != NULL;
		ap->s.len = ap->s.data ? strlen(a->s) : 0;
		break;
	case NPU_ATTR_INTS:
		ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
		ap->ints = s_alloc(s, a->count * sizeof(*ap->ints));
		if (ap->ints) {
			ap->n_ints = a->count;
			memcpy(ap->ints, a->ints, a->count * sizeof(*ap->ints));
		}
		break;
	case NPU_ATTR_FLOATS:
		ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
		ap->floats = s_alloc(s, a->count * sizeof(*ap->floats));
		if (ap->floats) {
			ap->n_floats = a->count;
			memcpy(ap->floats, a->floats, a->count * sizeof(*ap->floats));
		}
		break;
	}
	return ap;
}

static Onnx__NodeProto *node_proto(struct saver *s, const struct npu_node *n)
{
	Onnx__NodeProto *np = s_alloc(s, sizeof(*np));

	if (!np)
		return NULL;
	onnx__node_proto__init(np);
	np->op_type = s_strdup(s, npu_node_op_name(n->op));
	np->name = s_strdup(s, n->name ? n->name : "");
	for (size_t i = 0; i < n->n_in; i++)
		PUSH(s, np->input, np->n_input, s_strdup(s, n->in[i] ? n->in[i]->name : ""));
	for (size_t i = 0; i < n->n_out; i++)
		PUSH(s, np->output, np->n_output, s_strdup(s, n->out[i]->name));
	for (size_t i = 0; i < n->n_attrs; i++) {
		const struct npu_attr *a = &n->attrs[i];
		Onnx__AttributeProto *ap;

		/* An empty list means "absent" in the IR (inferred from shapes). */
		if ((a->type == NPU_ATTR_INTS || a->type == NPU_ATTR_FLOATS) && !a->count)
			continue;
		ap = attribute(s, a);
		if (ap && PUSH(s, np->attribute, np->n_attribute, ap))
			onnx__attribute_proto__free_unpacked(ap, NULL);
	}
	return np;
}

/* A constant that some node or graph output reads (unused ones are dropped). */
static int constant_used(const struct npu_graph *g, const struct npu_tensor *t)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		for (size_t j = 0; j < g->nodes[i]->n_in; j++)
			if (g->nodes[i]->in[j] == t)
				return 1;
	for (size_t i = 0; i < g->n_outputs; i++)
		if (g->outputs[i] == t)
			return 1;
	return 0;
}

static Onnx__ModelProto *model_proto(struct saver *s, const struct npu_graph *g)
{
	Onnx__ModelProto *m = s_alloc(s, sizeof(*m));
	Onnx__OperatorSetIdProto *o;
	Onnx__GraphProto *gp;

	if (!m)
		return NULL;
	onnx__model_proto__init(m);
	m->has_ir_version = 1;
	m->ir_version = ONNX_IR_VERSION;
	m->producer_name = s_strdup(s, "libnpu");
	o = s_alloc(s, sizeof(*o));
	if (o) {
		onnx__operator_set_id_proto__init(o);
		o->domain = s_strdup(s, "");
		o->has_version = 1;
		o->version = g->opset;
		if (PUSH(s, m->opset_import, m->n_opset_import, o))
			onnx__operator_set_id_proto__free_unpacked(o, NULL);
	}
	gp = s_alloc(s, sizeof(*gp));
	if (!gp)
		return m;
	onnx__graph_proto__init(gp);
	m->graph = gp;
	gp->name = s_strdup(s, "libnpu");
	for (size_t i = 0; i < g->n_inputs; i++)
		PUSH(s, gp->input, gp->n_input, value_info(s, g->inputs[i]));
	for (size_t i = 0; i < g->n_outputs; i++)
		PUSH(s, gp->output, gp->n_output, value_info(s, g->outputs[i]));
	for (size_t i = 0; i < g->n_tensors; i++)
		if (g->tensors[i]->data && constant_used(g, g->tensors[i]))
			PUSH(s, gp->initializer, gp->n_initializer, initializer(s, g->tensors[i]));
	for (size_t i = 0; i < g->n_nodes; i++)
		PUSH(s, gp->node, gp->n_node, node_proto(s, g->nodes[i]));
	return m;
}

int npu_graph_save_onnx_mem(const struct npu_graph *g, void **data, size_t *size)
{
	struct saver s = { 0 };
	Onnx__ModelProto *m;
	uint8_t *buf = NULL;
	size_t len = 0;

	if (!g || !data || !size)
		return npu_fail(NPU_E_INVALID, "save: NULL argument");
	*data = NULL;
	*size = 0;
	m = model_proto(&s, g);
	if (!s.oom) {
		len = onnx__model_proto__get_packed_size(m);
		buf = malloc(len ? len : 1);
	}
	if (buf)
		onnx__model_proto__pack(m, buf);
	if (m)
		onnx__model_proto__free_unpacked(m, NULL);
	if (!buf)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	*data = buf;
	*size = len;
	return 0;
}

int npu_graph_save_onnx(const struct npu_graph *g, const char *path)
{
	struct npu_file_part part;
	void *data;
	size_t size;
	int ret;

	if (!path)
		return npu_fail(NPU_E_INVALID, "save: NULL path");
	ret = npu_graph_save_onnx_mem(g, &data, &size);
	if (ret)
		return ret;
	part = (struct npu_file_part){ data, size };
	ret = npu_write_file(path, &part, 1);
	free(data);
	return ret;
}
