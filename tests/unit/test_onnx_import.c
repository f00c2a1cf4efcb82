// SPDX-License-Identifier: MIT
/*
 * ONNX import: a valid model and what the IR shows of it, then models
 * broken in one way each (truncated at every length, wrong types,
 * missing names, cycles, unknown operators, bad attributes, opsets out
 * of range), which must fail with the right status and a message that
 * names the culprit, without a crash or a leak (ASan checks both).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "npu/error.h"
#include "npu/graph.h"
#include "onnxtest.h"

#define NAMES(...)	((const char *const[]){ __VA_ARGS__, NULL })

static const int64_t x_dims[] = { 1, 2, 5, 5 };
static const int64_t w_dims[] = { 4, 1, 3, 3 };

/*
 * x [1,2,5,5] -> Conv 'conv1' (W [4,1,3,3] constant, group 2, pads 1,
 * stride 2) -> y -> Relu -> out.
 */
static Onnx__ModelProto *conv_model(int opset)
{
	Onnx__ModelProto *m = ot_model(opset);
	float w[36];
	Onnx__NodeProto *n;

	for (int i = 0; i < 36; i++)
		w[i] = (float)(i % 5) - 2.0f;
	ot_input(m, "x", OT_FLOAT, 4, x_dims);
	ot_init(m, "W", OT_FLOAT, 4, w_dims, w, sizeof(w));
	n = ot_node(m, "Conv", "conv1", NAMES("x", "W"), NAMES("y"));
	ot_attr_int(n, "group", 2);
	ot_attr_ints(n, "pads", 4, (const int64_t[]){ 1, 1, 1, 1 });
	ot_attr_ints(n, "strides", 2, (const int64_t[]){ 2, 2 });
	ot_node(m, "Relu", "", NAMES("y"), NAMES("out"));
	ot_output(m, "out", OT_FLOAT);
	return m;
}

/* Load a built model; returns the status, frees the model and any graph. */
static int load(Onnx__ModelProto *m)
{
	struct npu_graph *g = NULL;
	size_t size;
	uint8_t *buf = ot_pack(m, &size);
	int ret = npu_graph_load_onnx_mem(buf, size, &g);

	if (ret && g)
		harness_fail(__FILE__, __LINE__, "a failed load returned a graph");
	npu_graph_free(g);
	free(buf);
	ot_free(m);
	return ret;
}

#define CHECK_LOAD(model, status, text)						\
	do {									\
		int ret_ = load(model);						\
		CHECK_MSG(ret_ == (status), "status %d, want %d (%s)", ret_,	\
			  (status), npu_last_error());				\
		CHECK_MSG(strstr(npu_last_error(), (text)), "message '%s' lacks '%s'", \
			  npu_last_error(), (text));				\
	} while (0)

TEST(import_conv_model)
{
	Onnx__ModelProto *m = conv_model(13);
	size_t size;
	uint8_t *buf = ot_pack(m, &size);
	struct npu_graph *g;
	const struct npu_node *conv;
	const struct npu_tensor *y;
	const struct npu_attr *a;
	int ret = npu_graph_load_onnx_mem(buf, size, &g);

	free(buf);
	ot_free(m);
	CHECK_MSG(ret == 0, "%s", npu_last_error());
	CHECK_EQ(npu_graph_opset(g), 13);
	CHECK_EQ(npu_graph_num_nodes(g), 2);
	CHECK_EQ(npu_graph_num_inputs(g), 1);
	CHECK_EQ(npu_graph_num_outputs(g), 1);
	conv = npu_graph_node(g, 0);
	CHECK_EQ(npu_node_op(conv), NPU_NODE_CONV);
	CHECK(!strcmp(npu_node_name(conv), "conv1"));
	CHECK(!strcmp(npu_node_op_name(npu_node_op(conv)), "Conv"));
	CHECK_EQ(npu_node_num_inputs(conv), 2);
	CHECK(npu_tensor_data(npu_node_input(conv, 1)) != NULL);
	CHECK(npu_tensor_data(npu_node_input(conv, 0)) == NULL);
	/* Defaults are filled in: auto_pad NOTSET, group as given. */
	a = npu_node_find_attr(conv, "auto_pad");
	CHECK(a && a->type == NPU_ATTR_STRING && !strcmp(a->s, "NOTSET"));
	a = npu_node_find_attr(conv, "group");
	CHECK(a && a->type == NPU_ATTR_INT && a->i == 2);
	/* y: (5 + 2 - 3) / 2 + 1 = 3 */
	y = npu_node_output(conv, 0);
	CHECK(!strcmp(npu_tensor_name(y), "y"));
	CHECK_EQ(npu_tensor_dtype(y), NPU_DTYPE_FLOAT32);
	CHECK_EQ(npu_tensor_rank(y), 4);
	CHECK_EQ(npu_tensor_dims(y)[1], 4);
	CHECK_EQ(npu_tensor_dims(y)[2], 3);
	CHECK_EQ(npu_tensor_dims(y)[3], 3);
	CHECK_EQ(npu_tensor_numel(y), 36);
	CHECK(npu_tensor_producer(g, y) == conv);
	CHECK(npu_graph_find_tensor(g, "out") == npu_graph_output(g, 0));
	npu_graph_free(g);
}

TEST(import_truncated_at_every_length)
{
	Onnx__ModelProto *m = conv_model(13);
	size_t size;
	uint8_t *buf = ot_pack(m, &size);

	ot_free(m);
	/* Every proper prefix is malformed protobuf or an incomplete model. */
	for (size_t len = 0; len < size; len++) {
		struct npu_graph *g = NULL;
		int ret = npu_graph_load_onnx_mem(buf, len, &g);

		if (!ret || g) {
			harness_fail(__FILE__, __LINE__, "prefix of %zu/%zu bytes loaded", len, size);
			npu_graph_free(g);
			break;
		}
	}
	{
		struct npu_graph *g;

		CHECK_EQ(npu_graph_load_onnx_mem(buf, size, &g), 0);
		npu_graph_free(g);
	}
	free(buf);
}

TEST(import_garbage_and_files)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x3a, 0x99 };
	struct npu_graph *g = (struct npu_graph *)1;

	CHECK_EQ(npu_graph_load_onnx_mem(junk, sizeof(junk), &g), NPU_E_FORMAT);
	CHECK(g == NULL);
	CHECK_EQ(npu_graph_load_onnx("/nonexistent/model.onnx", &g), NPU_E_IO);
	CHECK_EQ(npu_graph_load_onnx_mem(NULL, 4, &g), NPU_E_INVALID);
}

TEST(import_opset_range)
{
	Onnx__ModelProto *m;

	CHECK_LOAD(conv_model(18), NPU_E_UNSUPPORTED, "opset 18");
	CHECK_LOAD(conv_model(0), NPU_E_FORMAT, "no opset");
	/* Conv changed at opset 11: an opset-10 Conv is another definition. */
	CHECK_LOAD(conv_model(10), NPU_E_UNSUPPORTED, "node 'conv1' (Conv): opset 10");
	/* QuantizeLinear-10 is the opset-11 definition: accepted. */
	m = ot_model(10);
	ot_input(m, "x", OT_FLOAT, 1, (const int64_t[]){ 3 });
	ot_init(m, "s", OT_FLOAT, 0, NULL, (const float[]){ 0.5f }, 4);
	ot_node(m, "QuantizeLinear", "q", NAMES("x", "s"), NAMES("y"));
	ot_output(m, "y", OT_UINT8);
	CHECK_EQ(load(m), 0);
}

TEST(import_wrong_types_and_sizes)
{
	Onnx__ModelProto *m;
	Onnx__TensorProto *t;

	/* raw_data one float short */
	m = conv_model(13);
	m->graph->initializer[0]->raw_data.len -= 4;
	CHECK_LOAD(m, NPU_E_FORMAT, "tensor 'W': 140 bytes for 36 elements");
	/* data in a field of another type */
	m = conv_model(13);
	t = m->graph->initializer[0];
	t->n_int64_data = 1;
	t->int64_data = calloc(1, sizeof(int64_t));
	CHECK_LOAD(m, NPU_E_FORMAT, "tensor 'W': data in a field of another type");
	/* double weights */
	m = conv_model(13);
	m->graph->initializer[0]->data_type = OT_DOUBLE;
	CHECK_LOAD(m, NPU_E_UNSUPPORTED, "data type DOUBLE");
	/* int8 input to a float Conv */
	m = conv_model(13);
	m->graph->input[0]->type->tensor_type->elem_type = OT_INT8;
	CHECK_LOAD(m, NPU_E_UNSUPPORTED, "node 'conv1' (Conv): inputs must be float32");
	/* declared output type differs from the inferred one */
	m = conv_model(13);
	m->graph->output[0]->type->tensor_type->elem_type = OT_INT32;
	CHECK_LOAD(m, NPU_E_FORMAT, "graph output 'out' is declared INT32");
	/* Add of float and int64 */
	m = ot_model(13);
	ot_input(m, "a", OT_FLOAT, 1, (const int64_t[]){ 2 });
	ot_input(m, "b", OT_INT64, 1, (const int64_t[]){ 2 });
	ot_node(m, "Add", "add", NAMES("a", "b"), NAMES("c"));
	ot_output(m, "c", 0);
	CHECK_LOAD(m, NPU_E_UNSUPPORTED, "node 'add' (Add): inputs must have one numeric type");
	/* shapes that do not broadcast */
	m = ot_model(13);
	ot_input(m, "a", OT_FLOAT, 1, (const int64_t[]){ 2 });
	ot_input(m, "b", OT_FLOAT, 1, (const int64_t[]){ 3 });
	ot_node(m, "Mul", "mul", NAMES("a", "b"), NAMES("c"));
	ot_output(m, "c", 0);
	CHECK_LOAD(m, NPU_E_INVALID, "do not broadcast");
}

TEST(import_missing_and_dangling_names)
{
	Onnx__ModelProto *m;

	/* the weight initializer is gone */
	m = conv_model(13);
	onnx__tensor_proto__free_unpacked(m->graph->initializer[0], NULL);
	m->graph->n_initializer = 0;
	CHECK_LOAD(m, NPU_E_FORMAT, "node 'conv1' (Conv): input 'W' is not a graph input");
	/* the graph output names nothing */
	m = conv_model(13);
	ot_output(m, "nowhere", OT_FLOAT);
	CHECK_LOAD(m, NPU_E_FORMAT, "graph output 'nowhere' is not defined");
	/* two nodes write y */
	m = conv_model(13);
	ot_node(m, "Relu", "again", NAMES("x"), NAMES("y"));
	CHECK_LOAD(m, NPU_E_FORMAT, "output 'y' is already defined");
	/* a required input left empty */
	m = ot_model(13);
	ot_input(m, "x", OT_FLOAT, 2, (const int64_t[]){ 2, 2 });
	ot_node(m, "Gemm", "gemm", NAMES("x", ""), NAMES("y"));
	ot_output(m, "y", OT_FLOAT);
	CHECK_LOAD(m, NPU_E_FORMAT, "node 'gemm' (Gemm): required input 1 is missing");
	/* no outputs at all */
	m = ot_model(13);
	ot_input(m, "x", OT_FLOAT, 1, (const int64_t[]){ 2 });
	CHECK_LOAD(m, NPU_E_FORMAT, "no outputs");
}

TEST(import_cycle)
{
	Onnx__ModelProto *m = ot_model(13);

	/* t1 = x + t2, t2 = Relu(t1): neither can run first. */
	ot_input(m, "x", OT_FLOAT, 1, (const int64_t[]){ 4 });
	ot_node(m, "Add", "a", NAMES("x", "t2"), NAMES("t1"));
	ot_node(m, "Relu", "r", NAMES("t1"), NAMES("t2"));
	ot_output(m, "t2", OT_FLOAT);
	CHECK_LOAD(m, NPU_E_FORMAT, "on a cycle");
	/* a node reading its own output */
	m = ot_model(13);
	ot_node(m, "Relu", "self", NAMES("s"), NAMES("s"));
	ot_output(m, "s", OT_FLOAT);
	CHECK_LOAD(m, NPU_E_FORMAT, "node 'self' (Relu): on a cycle");
}

TEST(import_unknown_operator_and_domain)
{
	Onnx__ModelProto *m = conv_model(13);
	Onnx__NodeProto *n;

	ot_node(m, "NonMaxSuppression", "nms", NAMES("out"), NAMES("boxes"));
	CHECK_LOAD(m, NPU_E_UNSUPPORTED, "node 'nms' (NonMaxSuppression): operator "
		   "NonMaxSuppression not supported");
	m = conv_model(13);
	n = ot_node(m, "QLinearAdd", "qa", NAMES("out"), NAMES("z"));
	n->domain = strdup("com.microsoft");
	CHECK_LOAD(m, NPU_E_UNSUPPORTED, "domain 'com.microsoft'");
}

TEST(import_bad_attributes)
{
	Onnx__ModelProto *m;
	Onnx__NodeProto *n;

	m = conv_model(13);
	ot_attr_ints(m->graph->node[0], "dilations", 2, (const int64_t[]){ 0, 1 });
	CHECK_LOAD(m, NPU_E_INVALID, "node 'conv1' (Conv): dilations[0] = 0 out of range");
	m = conv_model(13);
	ot_attr_string(m->graph->node[0], "auto_pad", "SAME");
	CHECK_LOAD(m, NPU_E_INVALID, "auto_pad 'SAME'");
	m = conv_model(13);
	ot_attr_ints(m->graph->node[0], "kernel_shape", 2, (const int64_t[]){ 5, 5 });
	CHECK_LOAD(m, NPU_E_INVALID, "kernel_shape does not match the weights");
	m = conv_model(13);
	ot_attr_int(m->graph->node[0], "group", 1);	/* given twice */
	CHECK_LOAD(m, NPU_E_FORMAT, "attribute 'group' given twice");
	m = conv_model(13);
	m->graph->node[0]->attribute[0]->i = 3;		/* group 3 of 2 channels */
	CHECK_LOAD(m, NPU_E_INVALID, "do not fit group 3");
	m = conv_model(13);
	ot_attr_float(m->graph->node[0], "alpha", 1.0f);
	CHECK_LOAD(m, NPU_E_FORMAT, "unknown attribute 'alpha'");
	m = conv_model(13);
	ot_attr_float(m->graph->node[1], "group", 1.0f);
	CHECK_LOAD(m, NPU_E_FORMAT, "unknown attribute 'group'");
	m = conv_model(13);
	m->graph->node[0]->attribute[0]->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
	CHECK_LOAD(m, NPU_E_FORMAT, "attribute 'group' has the wrong type");
	/* window larger than the padded input */
	m = conv_model(13);
	m->graph->node[0]->attribute[2]->ints[0] = 9;	/* strides -> 9: fine */
	ot_attr_ints(m->graph->node[0], "dilations", 2, (const int64_t[]){ 4, 1 });
	CHECK_LOAD(m, NPU_E_INVALID, "larger than the padded input");
	/* a required attribute is missing */
	m = ot_model(13);
	ot_input(m, "x", OT_FLOAT, 1, (const int64_t[]){ 2 });
	ot_node(m, "Concat", "cat", NAMES("x", "x"), NAMES("y"));
	ot_output(m, "y", OT_FLOAT);
	CHECK_LOAD(m, NPU_E_INVALID, "node 'cat' (Concat): required attribute 'axis'");
	/* Transpose perm that is no permutation */
	m = ot_model(13);
	ot_input(m, "x", OT_FLOAT, 2, (const int64_t[]){ 2, 3 });
	n = ot_node(m, "Transpose", "t", NAMES("x"), NAMES("y"));
	ot_attr_ints(n, "perm", 2, (const int64_t[]){ 1, 1 });
	ot_output(m, "y", OT_FLOAT);
	CHECK_LOAD(m, NPU_E_INVALID, "perm is not a permutation");
	/* Pad mode */
	m = ot_model(13);
	ot_input(m, "x", OT_FLOAT, 1, (const int64_t[]){ 2 });
	ot_init(m, "p", OT_INT64, 1, (const int64_t[]){ 2 }, (const int64_t[]){ 1, 1 }, 16);
	n = ot_node(m, "Pad", "pad", NAMES("x", "p"), NAMES("y"));
	ot_attr_string(n, "mode", "wrap");
	ot_output(m, "y", OT_FLOAT);
	CHECK_LOAD(m, NPU_E_INVALID, "mode 'wrap'");
	/* Reshape's allowzero does not exist at opset 13 */
	m = ot_model(13);
	ot_input(m, "x", OT_FLOAT, 1, (const int64_t[]){ 2 });
	ot_init(m, "s", OT_INT64, 1, (const int64_t[]){ 1 }, (const int64_t[]){ 2 }, 8);
	n = ot_node(m, "Reshape", "rs", NAMES("x", "s"), NAMES("y"));
	ot_attr_int(n, "allowzero", 1);
	ot_output(m, "y", OT_FLOAT);
	CHECK_LOAD(m, NPU_E_FORMAT, "unknown attribute 'allowzero' at opset 13");
	/* a negative QLinear scale */
	m = ot_model(13);
	ot_input(m, "x", OT_FLOAT, 1, (const int64_t[]){ 2 });
	ot_init(m, "s", OT_FLOAT, 0, NULL, (const float[]){ -1.0f }, 4);
	ot_node(m, "QuantizeLinear", "q", NAMES("x", "s"), NAMES("y"));
	ot_output(m, "y", OT_UINT8);
	CHECK_LOAD(m, NPU_E_INVALID, "not a positive finite scale");
}

TEST(import_constant_node_and_quant_params)
{
	Onnx__ModelProto *m = ot_model(13);
	Onnx__NodeProto *n;
	struct npu_graph *g;
	struct npu_quant_params q;
	const struct npu_tensor *t;
	size_t size;
	uint8_t *buf;
	int ret;

	/* y = Quantize(x, s = Constant 0.25, zp = 3) -> Dequantize -> z */
	ot_input(m, "x", OT_FLOAT, 2, (const int64_t[]){ 1, 4 });
	n = ot_node(m, "Constant", "c", NULL, NAMES("s"));
	ot_attr_float(n, "value_float", 0.25f);
	ot_init(m, "zp", OT_INT8, 0, NULL, (const int8_t[]){ 3 }, 1);
	ot_node(m, "QuantizeLinear", "q", NAMES("x", "s", "zp"), NAMES("y"));
	ot_node(m, "DequantizeLinear", "dq", NAMES("y", "s", "zp"), NAMES("z"));
	ot_output(m, "z", OT_FLOAT);
	buf = ot_pack(m, &size);
	ot_free(m);
	ret = npu_graph_load_onnx_mem(buf, size, &g);
	free(buf);
	CHECK_MSG(ret == 0, "%s", npu_last_error());
	/* The Constant node became a constant tensor. */
	CHECK_EQ(npu_graph_num_nodes(g), 2);
	t = npu_graph_find_tensor(g, "s");
	CHECK(t && npu_tensor_data(t) && *(const float *)npu_tensor_data(t) == 0.25f);
	t = npu_graph_find_tensor(g, "y");
	CHECK_EQ(npu_tensor_dtype(t), NPU_DTYPE_INT8);
	CHECK_EQ(npu_tensor_quant(t, &q), 0);
	CHECK_EQ(q.count, 1);
	CHECK_EQ(q.dtype, NPU_DTYPE_INT8);
	CHECK(q.scale[0] == 0.25f);
	CHECK_EQ(q.zero_point[0], 3);
	CHECK_EQ(npu_tensor_quant(npu_graph_find_tensor(g, "x"), &q), NPU_E_NOENT);
	npu_graph_free(g);
}
