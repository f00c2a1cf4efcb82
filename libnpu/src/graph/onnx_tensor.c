// SPDX-License-Identifier: MIT
/* ONNX TensorProto decoding: initializers, Constant values and .pb test data. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph_priv.h"
#include "npu/error.h"
#include "onnx_priv.h"

/* raw_data is little-endian; it is copied as is. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "raw_data needs a little-endian host");

enum npu_dtype npu_onnx_dtype(int32_t onnx_type)
{
	switch (onnx_type) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
		return NPU_DTYPE_FLOAT32;
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
		return NPU_DTYPE_UINT8;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
		return NPU_DTYPE_INT8;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
		return NPU_DTYPE_INT32;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
		return NPU_DTYPE_INT64;
	case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
		return NPU_DTYPE_BOOL;
	default:
		return NPU_DTYPE_UNDEFINED;
	}
}

const char *npu_onnx_dtype_name(int32_t onnx_type)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&onnx__tensor_proto__data_type__descriptor,
						     onnx_type);

	return v ? v->name : "unknown";
}

/* Copy `count` int32_data entries into elements of `size` bytes, range-checked. */
static int from_int32(const Onnx__TensorProto *tp, const char *what, enum npu_dtype dtype,
		      void *data, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		int32_t x = tp->int32_data[i];

		switch (dtype) {
		case NPU_DTYPE_UINT8:
		case NPU_DTYPE_BOOL:
			if (x < 0 || x > (dtype == NPU_DTYPE_BOOL ? 1 : 255))
				return npu_fail(NPU_E_FORMAT, "tensor '%s': value %d out of range",
						what, x);
			((uint8_t *)data)[i] = (uint8_t)x;
			break;
		case NPU_DTYPE_INT8:
			if (x < -128 || x > 127)
				return npu_fail(NPU_E_FORMAT, "tensor '%s': value %d out of range",
						what, x);
			((int8_t *)data)[i] = (int8_t)x;
			break;
		default:
			((int32_t *)data)[i] = x;
			break;
		}
	}
	return 0;
}

int npu_onnx_tensor(const Onnx__TensorProto *tp, const char *what, struct npu_value *v)
{
	const int32_t onnx_type = tp->has_data_type ? tp->data_type : 0;
	const enum npu_dtype dtype = npu_onnx_dtype(onnx_type);
	size_t count, size, typed;
	void *data;
	int ret;

	memset(v, 0, sizeof(*v));
	if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return npu_fail(NPU_E_UNSUPPORTED, "tensor '%s': external data not supported", what);
	if (dtype == NPU_DTYPE_UNDEFINED)
		return npu_fail(onnx_type ? NPU_E_UNSUPPORTED : NPU_E_FORMAT,
				"tensor '%s': data type %s not supported", what,
				npu_onnx_dtype_name(onnx_type));
	if (tp->segment)
		return npu_fail(NPU_E_UNSUPPORTED, "tensor '%s': segments not supported", what);
	if (tp->n_dims > NPU_MAX_RANK)
		return npu_fail(NPU_E_UNSUPPORTED, "tensor '%s': rank %zu > %d", what, tp->n_dims,
				NPU_MAX_RANK);
	if (npu_shape_numel((int)tp->n_dims, tp->dims, &count))
		return npu_fail(NPU_E_FORMAT, "tensor '%s': bad or too large dims", what);
	size = count * npu_dtype_size(dtype);

	switch (dtype) {
	case NPU_DTYPE_FLOAT32:
		typed = tp->n_float_data;
		break;
	case NPU_DTYPE_INT64:
		typed = tp->n_int64_data;
		break;
	default:
		typed = tp->n_int32_data;
		break;
	}
	/* Only the field of the tensor's own type may hold data. */
	if (tp->n_float_data + tp->n_int64_data + tp->n_int32_data + tp->n_double_data +
	    tp->n_uint64_data + tp->n_string_data != typed)
		return npu_fail(NPU_E_FORMAT, "tensor '%s': data in a field of another type", what);
	if (tp->has_raw_data && typed)
		return npu_fail(NPU_E_FORMAT, "tensor '%s': both raw and typed data", what);
	if (tp->has_raw_data ? tp->raw_data.len != size : typed != count)
		return npu_fail(NPU_E_FORMAT, "tensor '%s': %zu %s for %zu elements of %s", what,
				tp->has_raw_data ? tp->raw_data.len : typed,
				tp->has_raw_data ? "bytes" : "values", count,
				npu_dtype_name(dtype));
	data = malloc(size ? size : 1);
	if (!data)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	ret = 0;
	if (!size)
		;	/* an empty tensor: the fields may be NULL */
	else if (tp->has_raw_data)
		memcpy(data, tp->raw_data.data, size);
	else if (dtype == NPU_DTYPE_FLOAT32)
		memcpy(data, tp->float_data, size);
	else if (dtype == NPU_DTYPE_INT64)
		memcpy(data, tp->int64_data, size);
	else
		ret = from_int32(tp, what, dtype, data, count);
	if (ret) {
		free(data);
		return ret;
	}
	v->dtype = dtype;
	v->rank = (int)tp->n_dims;
	for (size_t i = 0; i < tp->n_dims; i++)
		v->dims[i] = tp->dims[i];
	v->data = data;
	return 0;
}

size_t npu_value_numel(const struct npu_value *v)
{
	size_t n = 0;

	npu_shape_numel(v->rank, v->dims, &n);
	return n;
}

int npu_value_alloc(struct npu_value *v, enum npu_dtype dtype, int rank, const int64_t *dims)
{
	size_t count, size;

	if (!v || !npu_dtype_size(dtype) || rank < 0 || rank > NPU_MAX_RANK ||
	    (rank && !dims) || npu_shape_numel(rank, dims, &count))
		return npu_fail(NPU_E_INVALID, "value: bad type or shape");
	memset(v, 0, sizeof(*v));
	size = count * npu_dtype_size(dtype);
	v->data = calloc(size ? size : 1, 1);
	if (!v->data)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	v->dtype = dtype;
	v->rank = rank;
	for (int i = 0; i < rank; i++)
		v->dims[i] = dims[i];
	return 0;
}

void npu_value_free(struct npu_value *v)
{
	if (!v)
		return;
	free(v->data);
	memset(v, 0, sizeof(*v));
}

int npu_value_load_onnx_mem(const void *data, size_t size, struct npu_value *v)
{
	Onnx__TensorProto *tp;
	int ret;

	if (!v || (!data && size))
		return npu_fail(NPU_E_INVALID, "load tensor: NULL argument");
	memset(v, 0, sizeof(*v));
	tp = onnx__tensor_proto__unpack(NULL, size, data);
	if (!tp)
		return npu_fail(NPU_E_FORMAT, "not a valid ONNX TensorProto");
	ret = npu_onnx_tensor(tp, tp->name && *tp->name ? tp->name : "(unnamed)", v);
	onnx__tensor_proto__free_unpacked(tp, NULL);
	return ret;
}

int npu_value_load_onnx(const char *path, struct npu_value *v)
{
	uint8_t *data;
	size_t size;
	int ret;

	if (!path || !v)
		return npu_fail(NPU_E_INVALID, "load tensor: NULL argument");
	memset(v, 0, sizeof(*v));
	ret = npu_read_file(path, &data, &size);
	if (ret)
		return ret;
	ret = npu_value_load_onnx_mem(data, size, v);
	free(data);
	return ret;
}
