// SPDX-License-Identifier: MIT
/*
 * A raw client of the driver for the suites that need what libnpu
 * hides: several files at once, PRIME sharing, syncobjs and submit
 * flags.  One file, a data BO, a command BO and an encoder; and the
 * same with a convolution whose result is known (struct
 * gt_conv_client), for the fault and lifecycle suites.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"
#include "npu/kernels.h"

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

/* A 3x3 convolution, 32 channels in and out, as large as the SRAM allows up to 32x32. */
static int gt_cc_conv(struct gt_conv_client *cc, uint32_t seed)
{
	struct npu_cmd_conv *v = &cc->conv;
	uint32_t hw = 32, ch = 32, sram = cc->c.sram;
	uint8_t *ref;
	int ret;

	while (hw > 4 && 2u * hw * hw * ch + 9u * ch * ch + 64 > sram)
		hw /= 2;
	memset(v, 0, sizeof(*v));
	v->in_h = v->in_w = v->out_h = v->out_w = (uint16_t)hw;
	v->in_c = v->out_c = (uint16_t)ch;
	v->groups = 1;
	v->kernel_h = v->kernel_w = 3;
	v->stride_h = v->stride_w = v->dilation_h = v->dilation_w = 1;
	v->pad_top = v->pad_bottom = v->pad_left = v->pad_right = 1;
	v->in_zp = 1;
	v->act_min = -128;
	v->act_max = 127;
	v->quant.multiplier = 0x50000000;
	v->quant.shift = -8;
	cc->out_bytes = hw * hw * ch;
	v->in_addr = 0;
	v->wt_addr = hw * hw * ch;
	v->out_addr = (v->wt_addr + 9u * ch * ch + 15u) & ~15u;
	gt_random_bytes(&seed, cc->c.mem, v->out_addr);

	ref = calloc(1, sram);
	cc->want = malloc(cc->out_bytes);
	if (!ref || !cc->want) {
		free(ref);
		return -ENOMEM;
	}
	memcpy(ref, cc->c.mem, v->out_addr);
	ret = npu_kernel_conv_cmd(v, ref, sram);
	memcpy(cc->want, ref + v->out_addr, cc->out_bytes);
	free(ref);
	return ret ? -EINVAL : 0;
}

int gt_cc_open(struct gt_conv_client *cc, uint32_t seed)
{
	int ret;

	memset(cc, 0, sizeof(*cc));
	ret = gt_client_open(&cc->c, GT_CC_DATA_SIZE);
	if (!ret)
		ret = gt_cc_conv(cc, seed);
	return ret;
}

void gt_cc_close(struct gt_conv_client *cc)
{
	gt_client_close(&cc->c);
	free(cc->want);
	cc->want = NULL;
}

void gt_cc_clear(struct gt_conv_client *cc)
{
	memset(cc->c.mem + GT_CC_OUT, 0xa5, cc->out_bytes);
}

/* Encode load, n x (conv, sync), store. */
static int gt_cc_encode(struct gt_conv_client *cc, uint32_t n)
{
	struct npu_cs *cs = cc->c.cs;
	uint32_t va = (uint32_t)cc->c.data_va, i;

	npu_cs_reset(cs);
	if (npu_cs_load_linear(cs, 0, va, cc->conv.out_addr) ||
	    npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (npu_cs_conv(cs, &cc->conv) || npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)))
			return -EINVAL;
	if (npu_cs_store_linear(cs, va + GT_CC_OUT, cc->conv.out_addr, cc->out_bytes))
		return -EINVAL;
	return 0;
}

int gt_cc_submit(struct gt_conv_client *cc, uint32_t n, uint64_t *job_id)
{
	int ret = gt_cc_encode(cc, n);

	return ret ? ret : gt_client_submit(&cc->c, NULL, job_id);
}

long gt_cc_diff(const struct gt_conv_client *cc)
{
	return gt_first_diff(cc->c.mem + GT_CC_OUT, cc->want, cc->out_bytes);
}

const char *gt_cc_check_job(struct gt_conv_client *cc)
{
	struct drm_npu_wait w;
	uint64_t id;
	long diff;
	int ret;

	gt_cc_clear(cc);
	ret = gt_cc_submit(cc, 1, &id);
	GT_CHECK(!ret, "submit: %s", gt_errno_name(ret));
	ret = gt_client_wait(&cc->c, id, &w);
	GT_CHECK(!ret, "wait: %s", gt_errno_name(ret));
	GT_CHECK(!w.job_status, "job status %u (%s)", w.job_status,
		 npu_job_status_str(w.job_status));
	diff = gt_cc_diff(cc);
	GT_CHECK(diff < 0, "output byte %ld of %u differs from the CPU kernel", diff,
		 cc->out_bytes);
	return NULL;
}

/* Wall time of a job of n convolutions in ms, or -1; its stream's size. */
static int64_t gt_cc_time(struct gt_conv_client *cc, uint32_t n, size_t *stream)
{
	uint64_t start = gt_now_ms(), id;
	struct drm_npu_wait w;

	if (gt_cc_encode(cc, n))
		return -1;
	*stream = npu_cs_size(cc->c.cs);
	if (gt_client_submit(&cc->c, NULL, &id) || gt_client_wait(&cc->c, id, &w) ||
	    w.job_status)
		return -1;
	return (int64_t)(gt_now_ms() - start);
}

/* The faster of two runs: a power-up or a busy host slows only one. */
static int64_t gt_cc_time2(struct gt_conv_client *cc, uint32_t n, size_t *stream)
{
	int64_t a = gt_cc_time(cc, n, stream), b = gt_cc_time(cc, n, stream);

	return a < 0 || b < 0 ? -1 : a < b ? a : b;
}

uint32_t gt_cc_calibrate(struct gt_conv_client *cc, uint32_t target_ms)
{
	size_t s1 = 0, s9 = 0;
	int64_t t1 = gt_cc_time2(cc, 1, &s1), t9 = gt_cc_time2(cc, 9, &s9), per_conv;
	uint32_t n, max;

	if (t1 < 0 || t9 < 0 || s9 <= s1)
		return 0;
	/* Streams are staged one after the other, 64-byte aligned. */
	max = (uint32_t)((GT_CMD_SIZE / 3 - s1 - 64) / ((s9 - s1) / 8));
	per_conv = (t9 - t1) / 8 > 0 ? (t9 - t1) / 8 : 1;
	n = (uint32_t)(target_ms / per_conv);
	if (n < 2)
		n = 2;
	if (n > max)
		n = max;
	gt_info("a job of 1 convolution takes %lld ms, of 9 %lld ms: %u for %u ms",
		(long long)t1, (long long)t9, n, target_ms);
	return n;
}
