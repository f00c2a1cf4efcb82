// SPDX-License-Identifier: MIT
/*
 * A model on a backend, for eval, compile, run and profile: an ONNX
 * graph or a compiled .npub, opened on the CPU (int8 kernels for a
 * quantized graph, the float reference otherwise) or compiled for an
 * NPU device, and the placement report of a compiled model.
 */
#include <stdio.h>
#include <string.h>

#include "npu/error.h"
#include "tool.h"

int tool_open_device(const char *backend, const char *firmware, struct npu_device **dev)
{
	struct npu_sim_options sim = { .firmware = firmware };
	int ret;

	if (strcmp(backend, "sim") && firmware) {
		fprintf(stderr, "npu: --firmware applies to the sim backend only; the driver "
			"loads the device's firmware\n");
		return NPU_E_INVALID;
	}
	if (!strcmp(backend, "sim"))
		ret = npu_device_open_sim(&sim, dev);
	else
		ret = npu_device_open(backend, dev);
	if (ret)
		fprintf(stderr, "npu: cannot open the %s device: %s: %s\n", backend,
			npu_strerror(ret), npu_last_error());
	return ret;
}

int tool_is_npub(const char *path)
{
	return npu_compiled_probe(path);
}

int tool_backend_valid(const char *backend)
{
	if (!strcmp(backend, "cpu") || !strcmp(backend, "sim") || !strcmp(backend, "drm") ||
	    !strncmp(backend, "drm:", 4))
		return 1;
	fprintf(stderr, "npu: unknown backend '%s' (cpu, sim, drm or drm:PATH)\n", backend);
	return 0;
}

int tool_model_open(struct tool_model *m, const char *path, const char *backend,
		    const char *firmware)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->path = path;
	m->npu = strcmp(backend, "cpu") != 0;
	if (tool_is_npub(path) && !m->npu) {
		fprintf(stderr, "npu: %s is a compiled model: it runs on an NPU backend "
			"(--backend sim or drm), not on the CPU\n", path);
		return 1;
	}
	if (!tool_is_npub(path) && tool_load_model(path, &m->graph))
		return 1;
	if (!m->npu)
		return 0;
	if (m->graph && !npu_graph_is_quantized(m->graph)) {
		fprintf(stderr, "npu: %s is a float model; the NPU runs quantized models: "
			"make one with `npu quantize` first\n", path);
		return 1;
	}
	if (tool_open_device(backend, firmware, &m->dev))
		return 1;
	if (m->graph)
		return 0;
	ret = npu_compiled_load(path, m->dev, &m->compiled);
	return ret ? tool_error("cannot load the compiled model", ret) : 0;
}

const struct npu_graph *tool_model_graph(const struct tool_model *m)
{
	return m->graph ? m->graph : npu_compiled_graph(m->compiled);
}

int tool_model_fix_shape(struct tool_model *m, const struct npu_value *sample)
{
	struct npu_tensor *in;
	int ret;

	/* A compiled model's shapes were fixed when it was compiled. */
	if (!m->graph)
		return 0;
	in = npu_graph_input(m->graph, 0);
	if (npu_tensor_rank(in) >= 0)
		return 0;
	ret = npu_tensor_set_shape(in, sample->rank, sample->dims);
	return ret ? tool_error("cannot set the model's input shape", ret) : 0;
}

int tool_model_prepare(struct tool_model *m, const struct npu_compile_options *options)
{
	int ret;

	if (m->npu && !m->compiled) {
		ret = npu_compile(m->graph, m->dev, options, &m->compiled);
		if (ret)
			return tool_error("cannot compile the model", ret);
	}
	if (!m->npu && npu_graph_is_quantized(m->graph)) {
		ret = npu_int8_model_create(m->graph, &m->int8);
		if (ret)
			return tool_error("cannot lower the model to int8", ret);
	}
	return 0;
}

const char *tool_model_kernels(const struct tool_model *m)
{
	return m->npu ? "npu" : m->int8 ? "int8" : "float";
}

int tool_model_run(struct tool_model *m, const struct npu_value *in, struct npu_value *out)
{
	if (m->compiled)
		return npu_model_run(m->compiled, m->dev, in, out);
	if (m->int8)
		return npu_int8_model_run(m->int8, in, out);
	return npu_graph_run_reference(m->graph, in, out, NULL, NULL);
}

void tool_model_close(struct tool_model *m)
{
	npu_int8_model_free(m->int8);
	npu_compiled_model_free(m->compiled);
	npu_device_close(m->dev);
	npu_graph_free(m->graph);
	memset(m, 0, sizeof(*m));
}

int tool_check_io(const struct tool_model *m)
{
	const struct npu_graph *g = tool_model_graph(m);

	if (npu_graph_num_inputs(g) != 1 || npu_graph_num_outputs(g) != 1) {
		fprintf(stderr, "npu: %s: the model must have one input and one output\n",
			m->path);
		return 1;
	}
	return 0;
}

void tool_print_dims(FILE *out, int rank, const int64_t *dims)
{
	fprintf(out, "[");
	for (int d = 0; d < rank; d++)
		fprintf(out, "%s%lld", d ? ", " : "", (long long)dims[d]);
	fprintf(out, "]");
}

int tool_check_input(const struct npu_tensor *t, const struct npu_value *v, const char *path,
		     int any_batch)
{
	const int rank = npu_tensor_rank(t);
	const int from = any_batch && rank > 0 ? 1 : 0;

	if (v->dtype != npu_tensor_dtype(t)) {
		fprintf(stderr, "npu: %s holds %s, but the model's input '%s' is %s\n", path,
			npu_dtype_name(v->dtype), npu_tensor_name(t),
			npu_dtype_name(npu_tensor_dtype(t)));
		return 1;
	}
	if (rank >= 0 && (rank != v->rank ||
			  memcmp(npu_tensor_dims(t) + from, v->dims + from,
				 (size_t)(rank - from) * sizeof(*v->dims)))) {
		fprintf(stderr, "npu: %s has shape ", path);
		tool_print_dims(stderr, v->rank, v->dims);
		fprintf(stderr, ", but the model's input '%s' is ", npu_tensor_name(t));
		tool_print_dims(stderr, rank, npu_tensor_dims(t));
		fprintf(stderr, "\n");
		return 1;
	}
	return 0;
}

void tool_print_placement(FILE *out, const struct npu_compiled_model *model)
{
	const size_t n = npu_compiled_num_ops(model);
	int op_w = 2, name_w = 4;
	size_t npu = 0;

	/* Columns as wide as the longest operator and node name. */
	for (size_t i = 0; i < n; i++) {
		struct npu_op_info info;

		if (npu_compiled_op_info(model, i, &info))
			continue;
		op_w = (int)strlen(info.op) > op_w ? (int)strlen(info.op) : op_w;
		name_w = (int)strlen(info.name) > name_w ? (int)strlen(info.name) : name_w;
	}
	fprintf(out, "%4s  %-*s  %-*s  %-5s %4s %6s  %s\n", "#", op_w, "op", name_w, "name",
		"where", "seg", "tiles", "reason");
	for (size_t i = 0; i < n; i++) {
		struct npu_op_info info;

		if (npu_compiled_op_info(model, i, &info)) {
			fprintf(out, "%4zu  (no information: %s)\n", i, npu_last_error());
			continue;
		}
		fprintf(out, "%4zu  %-*s  %-*s  ", i, op_w, info.op, name_w,
			*info.name ? info.name : "-");
		if (info.placement == NPU_PLACE_NPU) {
			npu++;
			fprintf(out, "%-5s %4u %6u\n", "NPU", info.segment, info.tiles);
		} else {
			fprintf(out, "%-5s %4s %6s  %s\n", "CPU", "-", "-", info.reason);
		}
	}
	fprintf(out, "NPU ops = %zu (%.1f%%), CPU ops = %zu\n", npu,
		n ? 100.0 * (double)npu / (double)n : 0.0, n - npu);
}
