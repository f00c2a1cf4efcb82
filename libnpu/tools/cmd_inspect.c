// SPDX-License-Identifier: MIT
/*
 * npu inspect MODEL.onnx: operators, tensor shapes, parameter count and
 * the parameters' memory as float32 and as the device stores them
 * (int8 weights, int32 biases).
 */
#include <stdio.h>
#include <string.h>

#include "npu/graph.h"
#include "npu/int8.h"
#include "tool.h"

static void print_shape(const struct npu_tensor *t)
{
	const int64_t *dims = npu_tensor_dims(t);

	if (npu_tensor_rank(t) < 0) {
		printf("?");
		return;
	}
	printf("[");
	for (int d = 0; d < npu_tensor_rank(t); d++)
		printf("%s%lld", d ? ", " : "", (long long)dims[d]);
	printf("]");
}

/* Whether constant t is the weight input (1) of a Conv, Gemm or MatMul, maybe behind a DQ. */
static int is_weight(const struct npu_graph *g, const struct npu_tensor *t)
{
	for (size_t i = 0; i < npu_graph_num_nodes(g); i++) {
		const struct npu_node *n = npu_graph_node(g, i);
		const struct npu_node *dq;

		if (npu_node_num_inputs(n) < 2)
			continue;
		dq = npu_tensor_producer(g, npu_node_input(n, 1));
		if ((npu_node_op(n) == NPU_NODE_CONV || npu_node_op(n) == NPU_NODE_GEMM ||
		     npu_node_op(n) == NPU_NODE_MATMUL) &&
		    (npu_node_input(n, 1) == t || (dq && npu_node_input(dq, 0) == t)))
			return 1;
		if ((npu_node_op(n) == NPU_NODE_QLINEAR_CONV ||
		     npu_node_op(n) == NPU_NODE_QLINEAR_MATMUL) && npu_node_input(n, 3) == t)
			return 1;
	}
	return 0;
}

/* Whether some node reads t (constants no node reads are dead). */
static int is_read(const struct npu_graph *g, const struct npu_tensor *t)
{
	for (size_t i = 0; i < npu_graph_num_nodes(g); i++)
		for (size_t j = 0; j < npu_node_num_inputs(npu_graph_node(g, i)); j++)
			if (npu_node_input(npu_graph_node(g, i), j) == t)
				return 1;
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	size_t op_count[NPU_NODE_OP_COUNT] = { 0 };
	size_t params = 0, float_bytes = 0, int8_bytes = 0;
	struct npu_graph *g;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: npu inspect MODEL.onnx\n");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: npu inspect MODEL.onnx\n");
		return 2;
	}
	if (tool_load_model(argv[1], &g))
		return 1;
	printf("model:    %s, opset %d, %s\n", argv[1], npu_graph_opset(g),
	       npu_graph_is_quantized(g) ? "quantized" : "float");
	for (size_t i = 0; i < npu_graph_num_inputs(g); i++) {
		printf("input:    %s %s ", npu_tensor_name(npu_graph_input(g, i)),
		       npu_dtype_name(npu_tensor_dtype(npu_graph_input(g, i))));
		print_shape(npu_graph_input(g, i));
		printf("\n");
	}
	for (size_t i = 0; i < npu_graph_num_outputs(g); i++) {
		printf("output:   %s %s ", npu_tensor_name(npu_graph_output(g, i)),
		       npu_dtype_name(npu_tensor_dtype(npu_graph_output(g, i))));
		print_shape(npu_graph_output(g, i));
		printf("\n");
	}
	printf("nodes:    %zu\n", npu_graph_num_nodes(g));
	for (size_t i = 0; i < npu_graph_num_nodes(g); i++) {
		const struct npu_node *n = npu_graph_node(g, i);

		op_count[npu_node_op(n)]++;
		printf("  %-20s %-18s -> ", *npu_node_name(n) ? npu_node_name(n) : "-",
		       npu_node_op_name(npu_node_op(n)));
		print_shape(npu_node_output(n, 0));
		printf(" %s\n", npu_dtype_name(npu_tensor_dtype(npu_node_output(n, 0))));
	}
	printf("ops:     ");
	for (int op = 0; op < NPU_NODE_OP_COUNT; op++)
		if (op_count[op])
			printf(" %s x%zu", npu_node_op_name((enum npu_node_op)op), op_count[op]);
	printf("\n");
	for (size_t i = 0; i < npu_graph_num_tensors(g); i++) {
		const struct npu_tensor *t = npu_graph_tensor(g, i);
		const size_t numel = npu_tensor_numel(t);
		const enum npu_dtype dt = npu_tensor_dtype(t);

		/* Parameters: the constants with more than one element (not scales or zero points). */
		if (!npu_tensor_data(t) || numel < 2 || !is_read(g, t) || dt == NPU_DTYPE_INT64)
			continue;
		params += numel;
		float_bytes += numel * 4;
		/* The device stores weights as int8 and everything else (biases) as int32. */
		int8_bytes += numel * (is_weight(g, t) ? 1 : 4);
	}
	printf("parameters: %zu; memory %zu bytes as float32, %zu bytes as int8 weights + "
	       "int32 biases (%.1fx smaller)\n", params, float_bytes, int8_bytes,
	       int8_bytes ? (double)float_bytes / (double)int8_bytes : 0.0);
	npu_graph_free(g);
	return 0;
}
