// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Buffer objects.  A BO is GEM shmem memory whose pages are pinned and
 * DMA-mapped at creation.  Each file that gets a handle to it, by
 * creating it or importing it through PRIME, has it mapped in its own
 * device address space, read-only for the device with
 * DRM_NPU_BO_DEVICE_READONLY.  Freeing it unmaps it everywhere and
 * flushes the contexts' cached translations before the pages go.
 */
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "npu_device.h"
#include "npu_gem.h"
#include "npu_mmu.h"

static struct npu_bo_mapping *npu_bo_find_mapping(struct npu_bo *bo, struct npu_vm *vm)
{
	struct npu_bo_mapping *map;

	lockdep_assert_held(&bo->map_lock);
	list_for_each_entry(map, &bo->mappings, link)
		if (map->vm == vm)
			return map;
	return NULL;
}

u64 npu_bo_va(struct npu_bo *bo, struct npu_vm *vm)
{
	struct npu_bo_mapping *map;

	guard(mutex)(&bo->map_lock);
	map = npu_bo_find_mapping(bo, vm);
	return map ? map->node.start : 0;
}

/* Pin the pages, map them for the device and into vm. */
static int npu_bo_map(struct npu_bo *bo, struct npu_vm *vm)
{
	struct npu_bo_mapping *map;
	struct sg_table *sgt;
	int ret;

	guard(mutex)(&bo->map_lock);
	if (npu_bo_find_mapping(bo, vm))
		return 0;
	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	ret = npu_vm_map_sgt(vm, &map->node, sgt, bo->base.base.size,
			     !(bo->flags & DRM_NPU_BO_DEVICE_READONLY));
	if (ret) {
		kfree(map);
		return ret;
	}
	map->vm = npu_vm_get(vm);
	list_add_tail(&map->link, &bo->mappings);
	return 0;
}

/* Every new handle, created or imported, maps the BO in its file. */
static int npu_gem_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct npu_file_priv *fpriv = file->driver_priv;
	struct npu_bo *bo = to_npu_bo(obj);
	int ret;

	ret = npu_bo_map(bo, fpriv->vm);
	if (ret)
		drm_dbg(obj->dev, "BO of %zu bytes: cannot map it: %d\n", obj->size, ret);
	return ret;
}

static void npu_gem_free(struct drm_gem_object *obj)
{
	struct npu_device *ndev = to_npu_device(obj->dev);
	struct npu_bo *bo = to_npu_bo(obj);
	struct npu_bo_mapping *map, *tmp;

	scoped_guard(mutex, &ndev->bo_lock)
		list_del(&bo->dev_link);
	/* Before the pages are unmapped and released below. */
	list_for_each_entry_safe(map, tmp, &bo->mappings, link) {
		npu_vm_unmap(map->vm, &map->node);
		npu_vm_put(map->vm);
		kfree(map);
	}
	mutex_destroy(&bo->map_lock);
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs npu_gem_funcs = {
	.free = npu_gem_free,
	.open = npu_gem_open,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *npu_gem_create_object(struct drm_device *dev, size_t size)
{
	struct npu_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	mutex_init(&bo->map_lock);
	INIT_LIST_HEAD(&bo->mappings);
	/* Empty until creation succeeds: the shmem helper kfree()s failures. */
	INIT_LIST_HEAD(&bo->dev_link);
	bo->base.base.funcs = &npu_gem_funcs;
	return &bo->base.base;
}

int npu_check_bo_create_args(const struct drm_npu_bo_create *args)
{
	if (args->flags & ~DRM_NPU_BO_DEVICE_READONLY)
		return -EINVAL;
	if (!args->size || args->size > NPU_BO_MAX_SIZE)
		return -EINVAL;
	return 0;
}

int npu_check_bo_mmap_offset_args(const struct drm_npu_bo_mmap_offset *args)
{
	return args->pad ? -EINVAL : 0;
}

int npu_ioctl_create_bo(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct npu_file_priv *fpriv = file->driver_priv;
	struct npu_device *ndev = to_npu_device(dev);
	struct drm_npu_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct npu_bo *bo;
	u32 handle;
	int ret, idx;

	ret = npu_check_bo_create_args(args);
	if (ret) {
		drm_dbg(dev, "BO create: bad flags %#x or size %llu\n", args->flags, args->size);
		return ret;
	}
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;

	shmem = drm_gem_shmem_create(dev, ALIGN(args->size, NPU_PAGE_SIZE));
	if (IS_ERR(shmem)) {
		ret = PTR_ERR(shmem);
		goto out_exit;
	}
	bo = container_of(shmem, struct npu_bo, base);
	bo->flags = args->flags;
	scoped_guard(mutex, &ndev->bo_lock)
		list_add_tail(&bo->dev_link, &ndev->bo_list);

	/* Maps the BO in this file (npu_gem_open). */
	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (ret)
		goto out_put;

	args->handle = handle;
	args->va = npu_bo_va(bo, fpriv->vm);
out_put:
	/* The handle holds the object now; on error this frees it. */
	drm_gem_object_put(&shmem->base);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

int npu_ioctl_mmap_offset_bo(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_npu_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	ret = npu_check_bo_mmap_offset_args(args);
	if (ret) {
		drm_dbg(dev, "BO mmap offset: pad is not zero\n");
		return ret;
	}
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}

int npu_ioctl_info_bo(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct npu_file_priv *fpriv = file->driver_priv;
	struct drm_npu_bo_info *args = data;
	struct drm_gem_object *obj;
	struct npu_bo *bo;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_npu_bo(obj);
	args->flags = bo->flags;
	args->size = obj->size;
	args->va = npu_bo_va(bo, fpriv->vm);
	drm_gem_object_put(obj);
	return 0;
}
