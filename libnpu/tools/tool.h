/* SPDX-License-Identifier: MIT */
/* tool.h - the npu tool's subcommands and the helpers they share. */
#ifndef NPU_TOOL_H
#define NPU_TOOL_H

#include <stdio.h>

#include "npu/compiler.h"
#include "npu/dataset.h"
#include "npu/device.h"
#include "npu/graph.h"
#include "npu/int8.h"

/* Each returns the process's exit status; argv[0] is the subcommand. */
int cmd_quantize(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_profile(int argc, char **argv);

/* Print "npu: what: status: details" to stderr; returns 1. */
int tool_error(const char *what, int status);
int tool_load_model(const char *path, struct npu_graph **graph);
int tool_load_dataset(const char *path, struct npu_dataset **ds);
/* A float option value; 0 or prints an error. */
int tool_parse_float(const char *opt, const char *text, float *value);
int tool_parse_count(const char *opt, const char *text, size_t *value);
/*
 * "1,1,28,28" as the rank and dims of `shape` (float32, no data), for
 * tool_model_fix_shape(); 0 or prints an error.
 */
int tool_parse_shape(const char *opt, const char *text, struct npu_value *shape);
/* An input tensor from a .npy file or an ONNX TensorProto (.pb); 0 or prints an error. */
int tool_load_input(const char *path, struct npu_value *value);
/* `s` as a JSON string literal, quotes included. */
void tool_json_string(FILE *out, const char *s);
/*
 * Files appear whole or not at all: tool_tmp_beside() makes an empty
 * temporary file next to `path` (NULL on error, printed), and
 * tool_commit() renames it over `path` when `ok`, else removes it;
 * it frees `tmp` and returns 0, or 1 with the error printed.
 */
char *tool_tmp_beside(const char *path);
int tool_commit(char *tmp, const char *path, int ok);

/* The sim backend with `firmware`, or npu_device_open(backend); prints errors. */
int tool_open_device(const char *backend, const char *firmware, struct npu_device **dev);
/* 1 for cpu, sim, drm and drm:PATH; else prints an error and returns 0. */
int tool_backend_valid(const char *backend);
/* Whether `path` names a compiled model (.npub) rather than an ONNX one. */
int tool_is_npub(const char *path);

/* MODEL and the options every model command (eval, compile, run, profile) takes. */
struct tool_model_opts {
	const char *model;
	const char *backend;	/* the command's default until --backend */
	const char *firmware;
	int quiet;
};

/*
 * What tool_parse_model_option() made of an argument.  TAKEN and BAD
 * are 0 and 1, as the tool_parse_*() helpers return, so that a
 * command's own options can set the same status.
 */
enum tool_opt {
	TOOL_OPT_TAKEN,		/* shared, and taken with its value */
	TOOL_OPT_BAD,		/* a bad or missing value, the error printed */
	TOOL_OPT_HELP,		/* --help or -h: the usage, exit status 0 */
	TOOL_OPT_OTHER,		/* the command's own, or unexpected */
};

/*
 * Take argv[*i] when it is --help, -h, --quiet, --backend, --firmware
 * or MODEL, moving *i past its value.  Any other option but a flag
 * has a value: one missing is BAD here, so a command's own option
 * (TOOL_OPT_OTHER) always has argv[*i + 1]; a command's own flags
 * are to be tested before this.
 */
int tool_parse_model_option(int argc, char **argv, int *i, struct tool_model_opts *o);

/* A model opened on a backend (see model.c). */
struct tool_model {
	const char *path;
	int npu;				/* an NPU backend, not cpu */
	struct npu_graph *graph;		/* from an .onnx file */
	struct npu_device *dev;			/* NPU backends */
	struct npu_compiled_model *compiled;	/* NPU backends, after tool_model_prepare */
	struct npu_int8_model *int8;		/* cpu backend, quantized model */
};

/*
 * Open MODEL (.onnx or .npub) for `backend`: an NPU backend needs a
 * quantized model and opens the device (and loads a .npub); the cpu
 * backend takes .onnx only.  0, or 1 with the error printed; close
 * the model either way.
 */
int tool_model_open(struct tool_model *m, const char *path, const char *backend,
		    const char *firmware);
/* The graph inputs and outputs come from. */
const struct npu_graph *tool_model_graph(const struct tool_model *m);
/* Give an input of unknown shape the shape of `sample` (ONNX models). */
int tool_model_fix_shape(struct tool_model *m, const struct npu_value *sample);
/*
 * Compile for the device (ONNX on an NPU backend), or lower to int8 for
 * the cpu backend.  A compiled model's CPU reference is
 * npu_compiled_run_cpu().
 */
int tool_model_prepare(struct tool_model *m, const struct npu_compile_options *options);
/* "npu", "int8" or "float": what runs the model. */
const char *tool_model_kernels(const struct tool_model *m);
int tool_model_run(struct tool_model *m, const struct npu_value *in, struct npu_value *out);
void tool_model_close(struct tool_model *m);
/* 0 if the model has one input and one output, else 1 with the error printed. */
int tool_check_io(const struct tool_model *m);
/* "[1, 10]" */
void tool_print_dims(FILE *out, int rank, const int64_t *dims);
/* Images first..first+n-1 as one input of n items shaped like the model's input. */
int tool_batch_input(const struct npu_dataset *images, size_t first, size_t n,
		     const struct npu_normalize *norm, const struct npu_tensor *input,
		     struct npu_value *in);
/*
 * 0 if `v` (read from `path`) has t's type and, when known, shape; else
 * 1, printed.  With any_batch (a compiled model, which runs any number
 * of images), the first dimension may differ.
 */
int tool_check_input(const struct npu_tensor *t, const struct npu_value *v, const char *path,
		     int any_batch);
/* One line per operation, then "NPU ops = N (x%), CPU ops = M". */
void tool_print_placement(FILE *out, const struct npu_compiled_model *model);

#endif /* NPU_TOOL_H */
