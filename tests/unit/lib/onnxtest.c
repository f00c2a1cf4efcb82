// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "onnxtest.h"

static void *ot_alloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

static char *ot_strdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

/* Append `item` to a protobuf-c repeated field. */
#define OT_PUSH(arr, n, item)							\
	do {									\
		(arr) = realloc((arr), ((n) + 1) * sizeof(*(arr)));		\
		if (!(arr))							\
			abort();						\
		(arr)[(n)++] = (item);						\
	} while (0)

Onnx__ModelProto *ot_model(int opset)
{
	Onnx__ModelProto *m = ot_alloc(sizeof(*m));

	onnx__model_proto__init(m);
	m->has_ir_version = 1;
	m->ir_version = 8;
	m->graph = ot_alloc(sizeof(*m->graph));
	onnx__graph_proto__init(m->graph);
	m->graph->name = ot_strdup("test");
	if (opset) {
		Onnx__OperatorSetIdProto *o = ot_alloc(sizeof(*o));

		onnx__operator_set_id_proto__init(o);
		o->domain = ot_strdup("");
		o->has_version = 1;
		o->version = opset;
		OT_PUSH(m->opset_import, m->n_opset_import, o);
	}
	return m;
}

void ot_free(Onnx__ModelProto *m)
{
	onnx__model_proto__free_unpacked(m, NULL);
}

static Onnx__ValueInfoProto *value_info(const char *name, int elem_type, int rank,
					const int64_t *dims)
{
	Onnx__ValueInfoProto *vi = ot_alloc(sizeof(*vi));

	onnx__value_info_proto__init(vi);
	vi->name = ot_strdup(name);
	if (elem_type) {
		Onnx__TypeProto *tp = ot_alloc(sizeof(*tp));
		Onnx__TypeProto__Tensor *tt = ot_alloc(sizeof(*tt));

		onnx__type_proto__init(tp);
		onnx__type_proto__tensor__init(tt);
		tt->has_elem_type = 1;
		tt->elem_type = elem_type;
		if (rank >= 0) {
			tt->shape = ot_alloc(sizeof(*tt->shape));
			onnx__tensor_shape_proto__init(tt->shape);
			for (int i = 0; i < rank; i++) {
				Onnx__TensorShapeProto__Dimension *d = ot_alloc(sizeof(*d));

				onnx__tensor_shape_proto__dimension__init(d);
				d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
				d->dim_value = dims[i];
				OT_PUSH(tt->shape->dim, tt->shape->n_dim, d);
			}
		}
		tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
		tp->tensor_type = tt;
		vi->type = tp;
	}
	return vi;
}

void ot_input(Onnx__ModelProto *m, const char *name, int elem_type, int rank,
	      const int64_t *dims)
{
	OT_PUSH(m->graph->input, m->graph->n_input, value_info(name, elem_type, rank, dims));
}

void ot_output(Onnx__ModelProto *m, const char *name, int elem_type)
{
	OT_PUSH(m->graph->output, m->graph->n_output, value_info(name, elem_type, -1, NULL));
}

Onnx__TensorProto *ot_init(Onnx__ModelProto *m, const char *name, int elem_type, int rank,
			   const int64_t *dims, const void *data, size_t bytes)
{
	Onnx__TensorProto *t = ot_alloc(sizeof(*t));

	onnx__tensor_proto__init(t);
	t->name = ot_strdup(name);
	t->has_data_type = 1;
	t->data_type = elem_type;
	t->n_dims = (size_t)rank;
	t->dims = ot_alloc((size_t)rank * sizeof(*t->dims));
	if (rank)
		memcpy(t->dims, dims, (size_t)rank * sizeof(*t->dims));
	t->has_raw_data = 1;
	t->raw_data.len = bytes;
	t->raw_data.data = ot_alloc(bytes);
	memcpy(t->raw_data.data, data, bytes);
	OT_PUSH(m->graph->initializer, m->graph->n_initializer, t);
	return t;
}

Onnx__NodeProto *ot_node(Onnx__ModelProto *m, const char *op, const char *name,
			 const char *const *ins, const char *const *outs)
{
	Onnx__NodeProto *n = ot_alloc(sizeof(*n));

	onnx__node_proto__init(n);
	n->op_type = ot_strdup(op);
	n->name = ot_strdup(name);
	for (; ins && *ins; ins++)
		OT_PUSH(n->input, n->n_input, ot_strdup(*ins));
	for (; outs && *outs; outs++)
		OT_PUSH(n->output, n->n_output, ot_strdup(*outs));
	OT_PUSH(m->graph->node, m->graph->n_node, n);
	return n;
}

static Onnx__AttributeProto *attr(Onnx__NodeProto *n, const char *name,
				  Onnx__AttributeProto__AttributeType type)
{
	Onnx__AttributeProto *a = ot_alloc(sizeof(*a));

	onnx__attribute_proto__init(a);
	a->name = ot_strdup(name);
	a->has_type = 1;
	a->type = type;
	OT_PUSH(n->attribute, n->n_attribute, a);
	return a;
}

void ot_attr_int(Onnx__NodeProto *n, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);

	a->has_i = 1;
	a->i = v;
}

void ot_attr_float(Onnx__NodeProto *n, const char *name, float v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);

	a->has_f = 1;
	a->f = v;
}

void ot_attr_string(Onnx__NodeProto *n, const char *name, const char *v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);

	a->has_s = 1;
	a->s.len = strlen(v);
	a->s.data = (uint8_t *)ot_strdup(v);
}

void ot_attr_ints(Onnx__NodeProto *n, const char *name, size_t count, const int64_t *v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);

	a->n_ints = count;
	a->ints = ot_alloc(count * sizeof(*a->ints));
	memcpy(a->ints, v, count * sizeof(*a->ints));
}

uint8_t *ot_pack(const Onnx__ModelProto *m, size_t *size)
{
	uint8_t *buf;

	*size = onnx__model_proto__get_packed_size(m);
	buf = ot_alloc(*size);
	onnx__model_proto__pack(m, buf);
	return buf;
}
