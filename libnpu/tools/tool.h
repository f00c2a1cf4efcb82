/* SPDX-License-Identifier: MIT */
/* tool.h - the npu tool's subcommands and the helpers they share. */
#ifndef NPU_TOOL_H
#define NPU_TOOL_H

#include "npu/dataset.h"
#include "npu/graph.h"

/* Each returns the process's exit status; argv[0] is the subcommand. */
int cmd_quantize(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_inspect(int argc, char **argv);

/* Print "npu: what: status: details" to stderr; returns 1. */
int tool_error(const char *what, int status);
int tool_load_model(const char *path, struct npu_graph **graph);
int tool_load_dataset(const char *path, struct npu_dataset **ds);
/* A float option value; 0 or prints an error. */
int tool_parse_float(const char *opt, const char *text, float *value);
int tool_parse_count(const char *opt, const char *text, size_t *value);

#endif /* NPU_TOOL_H */
