/* SPDX-License-Identifier: MIT */
/* device_priv.h - what every device backend provides. */
#ifndef NPU_DEVICE_PRIV_H
#define NPU_DEVICE_PRIV_H

#include "npu/device.h"

struct npu_backend_ops {
	void (*close)(struct npu_device *dev);
	int (*bo_create)(struct npu_device *dev, size_t size, uint32_t flags,
			 struct npu_bo **out);
	void (*bo_destroy)(struct npu_bo *bo);
	int (*submit)(struct npu_device *dev, const struct npu_job *job, uint64_t *id);
	int (*wait)(struct npu_device *dev, uint64_t id, uint32_t timeout_ms,
		    struct npu_job_result *result);
};

/* Embedded first in each backend's device. */
struct npu_device {
	const struct npu_backend_ops *ops;
	struct npu_device_info info;
};

/* Embedded first in each backend's buffer object. */
struct npu_bo {
	struct npu_device *dev;
	void *map;
	uint32_t va;
	size_t size;
};

#endif /* NPU_DEVICE_PRIV_H */
