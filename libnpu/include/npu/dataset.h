/* SPDX-License-Identifier: MIT */
/*
 * npu/dataset.h - image and label arrays for calibration and evaluation.
 *
 * A data set is one array read whole from a file: IDX (the MNIST and
 * Fashion-MNIST format, plain or gzip-compressed, told apart by the
 * content, not the name) or NumPy .npy (version 1-3, C order, uint8,
 * int8, int32, int64 or float32, little-endian).  Its first dimension
 * counts the items; the others are each item's shape.
 *
 * Images come out as float32: uint8 pixels as x / 255, other types as
 * they are, then (v - mean) / std.  Labels are the items of a 1-D
 * integer array.
 *
 * Functions that can fail return 0 or a negative enum npu_status, with
 * the reason (naming the file) in npu_last_error().
 */
#ifndef NPU_DATASET_H
#define NPU_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "npu/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

struct npu_dataset;

/* Read a whole IDX or .npy file: NPU_E_IO, NPU_E_FORMAT (bad magic, truncated), ... */
int npu_dataset_open(const char *path, struct npu_dataset **ds);
void npu_dataset_free(struct npu_dataset *ds);

/* Number of items (the first dimension). */
size_t npu_dataset_count(const struct npu_dataset *ds);
/* The element type of the stored array. */
enum npu_dtype npu_dataset_dtype(const struct npu_dataset *ds);
/* Shape of one item: rank (0 for scalars) and dims. */
int npu_dataset_item_rank(const struct npu_dataset *ds);
const int64_t *npu_dataset_item_dims(const struct npu_dataset *ds);

/* Normalization of images: v = (x' - mean) / std, x' = x / 255 for uint8. */
struct npu_normalize {
	float mean;
	float std;	/* > 0 */
};
#define NPU_NORMALIZE_DEFAULT	((struct npu_normalize){ .mean = 0.0f, .std = 1.0f })

/*
 * Item `index` as float32 into out[], which has room for the item's
 * element count.
 */
int npu_dataset_image(const struct npu_dataset *ds, size_t index,
		      const struct npu_normalize *norm, float *out);

/*
 * Item `index` as a float32 value shaped like graph input `input`: its
 * own shape as a batch of one when known with the same element count
 * per batch item, else [1, item dims] (a batch of one, with a channel
 * dim of 1 added to 2-D items so that they fit NCHW models).  Free it
 * with npu_value_free().
 */
int npu_dataset_input(const struct npu_dataset *ds, size_t index,
		      const struct npu_normalize *norm, const struct npu_tensor *input,
		      struct npu_value *value);

/* Item `index` of a 1-D integer data set (labels). */
int npu_dataset_label(const struct npu_dataset *ds, size_t index, int64_t *label);

/*
 * The whole array of an IDX or .npy file as one newly allocated value
 * of the stored type (e.g. a model input saved with numpy.save()), for
 * the caller to npu_value_free().
 */
int npu_dataset_load_value(const char *path, struct npu_value *value);

/*
 * Write `value` as a .npy file (version 1.0, C order, the host's byte
 * order) that numpy.load() and npu_dataset_load_value() read back.  The
 * file is written beside `path` and renamed over it when complete, so a
 * failure leaves `path` untouched.
 */
int npu_value_save_npy(const struct npu_value *value, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* NPU_DATASET_H */
