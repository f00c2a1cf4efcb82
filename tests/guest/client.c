// SPDX-License-Identifier: MIT
/*
 * A raw client of the driver for the suites that need what libnpu
 * hides: several files at once, PRIME sharing, syncobjs and submit
 * flags.  One file, a data BO, a command BO and an encoder.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

int gt_client_open(struct gt_client *c, uint32_t data_size)
{
	uint64_t sram = 0;
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = gt_open();
	if (c->fd < 0)
		return c->fd;
	c->data_size = data_size;
	ret = gt_query(c->fd, DRM_NPU_PARAM_SRAM_SIZE, &sram);
	if (!ret)
		ret = gt_bo_create(c->fd, data_size, 0, &c->data, &c->data_va);
	if (!ret)
		ret = gt_bo_create(c->fd, GT_CMD_SIZE, DRM_NPU_BO_DEVICE_READONLY, &c->cmd,
				   &c->cmd_va);
	if (!ret) {
		c->mem = gt_bo_mmap(c->fd, c->data, data_size);
		c->cmdmap = gt_bo_mmap(c->fd, c->cmd, GT_CMD_SIZE);
		if (!c->mem || !c->cmdmap)
			ret = -errno;
	}
	if (!ret && npu_cs_create((uint32_t)sram, &c->cs))
		ret = -ENOMEM;
	c->sram = (uint32_t)sram;
	if (ret)
		gt_client_close(c);
	return ret;
}

void gt_client_close(struct gt_client *c)
{
	if (c->mem)
		munmap(c->mem, c->data_size);
	if (c->cmdmap)
		munmap(c->cmdmap, GT_CMD_SIZE);
	npu_cs_destroy(c->cs);
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int gt_client_stage(struct gt_client *c, uint32_t *offset, uint32_t *size)
{
	size_t n = npu_cs_size(c->cs);

	if (!n || n > GT_CMD_SIZE)
		return -EINVAL;
	/* Streams follow each other; a wrap assumes the old ones are done. */
	if (n > GT_CMD_SIZE - c->cmd_at)
		c->cmd_at = 0;
	memcpy(c->cmdmap + c->cmd_at, npu_cs_data(c->cs), n);
	*offset = c->cmd_at;
	*size = (uint32_t)n;
	c->cmd_at = (c->cmd_at + (uint32_t)n + 63u) & ~63u;
	npu_cs_reset(c->cs);
	return 0;
}

int gt_client_submit(struct gt_client *c, const struct gt_submit_opts *o, uint64_t *job_id)
{
	struct drm_npu_bo_ref refs[1 + GT_MAX_EXTRA_BOS];
	struct drm_npu_submit s;
	uint32_t i, offset, size;
	int ret;

	if (o && o->extra_count > GT_MAX_EXTRA_BOS)
		return -EINVAL;
	ret = gt_client_stage(c, &offset, &size);
	if (ret)
		return ret;
	refs[0].handle = c->data;
	refs[0].flags = DRM_NPU_BO_READ | DRM_NPU_BO_WRITE;
	memset(&s, 0, sizeof(s));
	s.cmd_handle = c->cmd;
	s.cmd_offset = offset;
	s.cmd_size = size;
	s.bos = (uint64_t)(uintptr_t)refs;
	s.bo_count = 1;
	if (o) {
		for (i = 0; i < o->extra_count; i++)
			refs[1 + i] = o->extra[i];
		s.bo_count += o->extra_count;
		s.in_syncs = (uint64_t)(uintptr_t)o->in;
		s.in_sync_count = o->in_count;
		s.out_sync = o->out;
		s.flags = o->flags;
	}
	ret = gt_ioctl(c->fd, DRM_IOCTL_NPU_SUBMIT, &s);
	if (!ret && job_id)
		*job_id = s.job_id;
	return ret;
}

int gt_client_wait(struct gt_client *c, uint64_t job_id, struct drm_npu_wait *w)
{
	return gt_wait_job(c->fd, job_id, gt_now_ns() + (int64_t)GT_JOB_TIMEOUT_MS * 1000000,
			   w);
}

int gt_client_long_job(struct gt_client *c, uint32_t rounds)
{
	struct npu_cmd_dma d;
	uint32_t i;
	int ret = 0;

	/* One 4 KiB run read 65536 times per command (strides 0). */
	memset(&d, 0, sizeof(d));
	d.dram_addr = (uint32_t)c->data_va;
	d.sram_addr = 0;
	d.size[0] = 4096;
	d.size[1] = 256;
	d.size[2] = 256;
	d.size[3] = 1;
	for (i = 0; i < rounds && !ret; i++)
		ret = npu_cs_dma_load(c->cs, &d);
	return ret;
}

int gt_syncobj_create(int fd, uint32_t *handle)
{
	struct drm_syncobj_create sc;
	int ret;

	memset(&sc, 0, sizeof(sc));
	ret = gt_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc);
	if (!ret)
		*handle = sc.handle;
	return ret;
}

int gt_syncobj_wait(int fd, uint32_t handle, uint64_t point, uint32_t timeout_ms)
{
	struct drm_syncobj_timeline_wait w;

	memset(&w, 0, sizeof(w));
	w.handles = (uint64_t)(uintptr_t)&handle;
	w.points = (uint64_t)(uintptr_t)&point;
	w.count_handles = 1;
	w.timeout_nsec = gt_now_ns() + (int64_t)timeout_ms * 1000000;
	w.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	return gt_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}
