/* SPDX-License-Identifier: MIT */
/*
 * onnxtest.h - building ONNX models in memory for the unit suites, with
 * protoc-c's generated structs, so each test states its model in code
 * (and can break it in exactly one way) instead of shipping files.
 * Everything is malloc'ed, so ot_free() is protobuf-c's free_unpacked.
 * Allocation failures abort: these are tests.
 */
#ifndef NPU_ONNXTEST_H
#define NPU_ONNXTEST_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"

/* ONNX element types used by the tests. */
#define OT_FLOAT	ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT
#define OT_UINT8	ONNX__TENSOR_PROTO__DATA_TYPE__UINT8
#define OT_INT8		ONNX__TENSOR_PROTO__DATA_TYPE__INT8
#define OT_INT32	ONNX__TENSOR_PROTO__DATA_TYPE__INT32
#define OT_INT64	ONNX__TENSOR_PROTO__DATA_TYPE__INT64
#define OT_DOUBLE	ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE

/* A model with an empty graph at `opset` (0: no opset_import at all). */
Onnx__ModelProto *ot_model(int opset);
void ot_free(Onnx__ModelProto *m);

/* Graph inputs (rank -1: no shape) and outputs (elem_type 0: untyped). */
void ot_input(Onnx__ModelProto *m, const char *name, int elem_type, int rank,
	      const int64_t *dims);
void ot_output(Onnx__ModelProto *m, const char *name, int elem_type);

/* An initializer with raw data of `bytes` bytes. */
Onnx__TensorProto *ot_init(Onnx__ModelProto *m, const char *name, int elem_type, int rank,
			   const int64_t *dims, const void *data, size_t bytes);

/* A node; `ins`/`outs` are NULL-terminated name lists ("" = omitted). */
Onnx__NodeProto *ot_node(Onnx__ModelProto *m, const char *op, const char *name,
			 const char *const *ins, const char *const *outs);
void ot_attr_int(Onnx__NodeProto *n, const char *name, int64_t v);
void ot_attr_float(Onnx__NodeProto *n, const char *name, float v);
void ot_attr_string(Onnx__NodeProto *n, const char *name, const char *v);
void ot_attr_ints(Onnx__NodeProto *n, const char *name, size_t count, const int64_t *v);

/* The serialized model (malloc'ed). */
uint8_t *ot_pack(const Onnx__ModelProto *m, size_t *size);

#endif /* NPU_ONNXTEST_H */
