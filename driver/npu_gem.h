/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * npu_gem.h - buffer objects: GEM shmem, mapped into the creating
 * file's device address space for their whole life.
 */
#ifndef NPU_GEM_H
#define NPU_GEM_H

#include <linux/list.h>

#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>

#include "npu_accel.h"

struct drm_device;
struct drm_file;
struct npu_vm;

/* A BO's range in one file's address space; holds a ref on the vm. */
struct npu_bo_mapping {
	struct list_head link;		/* npu_bo.mappings */
	struct npu_vm *vm;
	struct drm_mm_node node;
};

struct npu_bo {
	struct drm_gem_shmem_object base;
	/*
	 * One mapping per file that ever held a handle to the BO (its
	 * creator, PRIME importers); they last until the BO is freed, so a
	 * job never loses its addresses while it holds the BO.  Under
	 * map_lock.
	 */
	struct mutex map_lock;
	struct list_head mappings;
	u32 flags;			/* DRM_NPU_BO_* */
	struct list_head dev_link;	/* npu_device.bo_list, under bo_lock */
};

static inline struct npu_bo *to_npu_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct npu_bo, base);
}

struct drm_gem_object *npu_gem_create_object(struct drm_device *dev, size_t size);
/* The BO's device VA in vm, or 0 when it is not mapped there. */
u64 npu_bo_va(struct npu_bo *bo, struct npu_vm *vm);

int npu_check_bo_create_args(const struct drm_npu_bo_create *args);
int npu_check_bo_mmap_offset_args(const struct drm_npu_bo_mmap_offset *args);

int npu_ioctl_create_bo(struct drm_device *dev, void *data, struct drm_file *file);
int npu_ioctl_mmap_offset_bo(struct drm_device *dev, void *data, struct drm_file *file);
int npu_ioctl_info_bo(struct drm_device *dev, void *data, struct drm_file *file);

#endif /* NPU_GEM_H */
