/* SPDX-License-Identifier: MIT */
/* onnx_priv.h - decoding ONNX protobuf messages (protoc-c's onnx.pb-c.h). */
#ifndef NPU_ONNX_PRIV_H
#define NPU_ONNX_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "npu/graph.h"
#include "onnx.pb-c.h"

/*
 * Decode a TensorProto into a dense value (data malloc'ed, even when
 * empty).  `what` names the tensor in error messages.
 */
int npu_onnx_tensor(const Onnx__TensorProto *tp, const char *what, struct npu_value *v);

/* The npu_dtype of an ONNX data type; NPU_DTYPE_UNDEFINED if unsupported. */
enum npu_dtype npu_onnx_dtype(int32_t onnx_type);
/* The ONNX name of a data type ("DOUBLE", ...), for messages. */
const char *npu_onnx_dtype_name(int32_t onnx_type);

/* Read a whole file into a malloc'ed buffer. */
int npu_read_file(const char *path, uint8_t **data, size_t *size);

#endif /* NPU_ONNX_PRIV_H */
