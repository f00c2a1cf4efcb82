// SPDX-License-Identifier: MIT
/*
 * wait: DRM_IOCTL_NPU_WAIT's absolute deadline.  A long job (many
 * convolutions in one stream) is still running when a wait with a
 * deadline in the past is made: -ETIME, for it and for a job queued
 * behind it; the same wait repeated returns 0 once it is done; a
 * finished job answers 0 whatever the deadline; an unknown job is an
 * error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"
#include "npu/kernels.h"

#define W_DATA_SIZE	(1u << 20)
#define W_OUT		(512u << 10)	/* output offset in the data BO */
#define W_FAR_NS	(60ll * 1000000000)

struct wctx {
	int fd;
	uint32_t data, cmd;		/* handles */
	uint8_t *mem, *cmdmap;
	uint32_t cmd_size;
	uint64_t max_cmd;
	struct npu_cs *cs;
	struct npu_cmd_conv conv;
	uint32_t in_bytes, out_bytes;
	uint8_t *want;
};

/* A fixed convolution that fits the SRAM; its reference output in w->want. */
static int w_conv_setup(struct wctx *w, uint32_t sram)
{
	struct npu_cmd_conv *c = &w->conv;
	struct npu_conv_params p;
	uint32_t hw = 32, ch = 32, seed = 77;

	while (hw > 4 && 2u * hw * hw * ch + 9u * ch * ch + 64 > sram)
		hw /= 2;
	memset(c, 0, sizeof(*c));
	c->in_h = c->in_w = c->out_h = c->out_w = (uint16_t)hw;
	c->in_c = c->out_c = (uint16_t)ch;
	c->groups = 1;
	c->kernel_h = c->kernel_w = 3;
	c->stride_h = c->stride_w = c->dilation_h = c->dilation_w = 1;
	c->pad_top = c->pad_bottom = c->pad_left = c->pad_right = 1;
	c->in_zp = 1;
	c->out_zp = 0;
	c->act_min = -128;
	c->act_max = 127;
	c->quant.multiplier = 0x50000000;
	c->quant.shift = -8;
	w->in_bytes = hw * hw * ch;
	w->out_bytes = hw * hw * ch;
	c->in_addr = 0;
	c->wt_addr = w->in_bytes;
	c->out_addr = (c->wt_addr + 9u * ch * ch + 15u) & ~15u;
	gt_random_bytes(&seed, w->mem, c->out_addr);

	memset(&p, 0, sizeof(p));
	p.in_h = p.in_w = p.out_h = p.out_w = (uint16_t)hw;
	p.in_c = p.out_c = (uint16_t)ch;
	p.groups = 1;
	p.kernel_h = p.kernel_w = 3;
	p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
	p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
	p.in_zp = c->in_zp;
	p.out_zp = c->out_zp;
	p.act_min = c->act_min;
	p.act_max = c->act_max;
	p.quant = c->quant;
	p.input = w->mem;
	p.weights = (const int8_t *)(w->mem + c->wt_addr);
	w->want = malloc(w->out_bytes);
	if (!w->want)
		return -1;
	p.output = w->want;
	return npu_kernel_conv(&p);
}

/* Encode load, n x (conv, sync), store at `at` in the command BO; its size or 0. */
static uint32_t w_encode(struct wctx *w, uint32_t n, uint32_t at)
{
	uint64_t va = 0;
	struct drm_npu_bo_info info;
	size_t size;
	uint32_t i;

	memset(&info, 0, sizeof(info));
	info.handle = w->data;
	if (gt_ioctl(w->fd, DRM_IOCTL_NPU_BO_INFO, &info))
		return 0;
	va = info.va;
	npu_cs_reset(w->cs);
	if (npu_cs_load_linear(w->cs, 0, (uint32_t)va, w->conv.out_addr) ||
	    npu_cs_sync(w->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)))
		return 0;
	for (i = 0; i < n; i++)
		if (npu_cs_conv(w->cs, &w->conv) ||
		    npu_cs_sync(w->cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)))
			return 0;
	if (npu_cs_store_linear(w->cs, (uint32_t)va + W_OUT, w->conv.out_addr, w->out_bytes))
		return 0;
	size = npu_cs_size(w->cs);
	if (size > w->max_cmd || at > w->cmd_size || size > w->cmd_size - at)
		return 0;
	memcpy(w->cmdmap + at, npu_cs_data(w->cs), size);
	return (uint32_t)size;
}

static int w_submit(struct wctx *w, uint32_t at, uint32_t size, uint64_t *id)
{
	struct drm_npu_bo_ref ref = { .handle = w->data,
				      .flags = DRM_NPU_BO_READ | DRM_NPU_BO_WRITE };

	return gt_submit(w->fd, w->cmd, at, size, &ref, 1, id);
}

/* Run n convolutions; wall time in ms, or -1. */
static int64_t w_time(struct wctx *w, uint32_t n)
{
	uint32_t size = w_encode(w, n, 0);
	uint64_t start = gt_now_ms(), id;
	struct drm_npu_wait res;

	if (!size || w_submit(w, 0, size, &id) ||
	    gt_wait_job(w->fd, id, gt_now_ns() + W_FAR_NS, &res) || res.job_status)
		return -1;
	return (int64_t)(gt_now_ms() - start);
}

static int w_wait_bo(struct wctx *w, int64_t deadline)
{
	struct drm_npu_wait q;

	memset(&q, 0, sizeof(q));
	q.type = DRM_NPU_WAIT_BO;
	q.handle = w->data;
	q.timeout_ns = deadline;
	return gt_ioctl(w->fd, DRM_IOCTL_NPU_WAIT, &q);
}

static void w_close(struct wctx *w)
{
	npu_cs_destroy(w->cs);
	free(w->want);
	if (w->mem)
		munmap(w->mem, W_DATA_SIZE);
	if (w->cmdmap)
		munmap(w->cmdmap, w->cmd_size);
	if (w->fd >= 0)
		close(w->fd);
}

static int w_open(struct wctx *w)
{
	uint64_t sram;
	int ret;

	memset(w, 0, sizeof(*w));
	w->fd = gt_open();
	if (w->fd < 0)
		return w->fd;
	ret = gt_query(w->fd, DRM_NPU_PARAM_SRAM_SIZE, &sram);
	if (!ret)
		ret = gt_query(w->fd, DRM_NPU_PARAM_MAX_CMD_SIZE, &w->max_cmd);
	if (ret)
		return ret;
	w->cmd_size = w->max_cmd < (256u << 10) ? (uint32_t)((w->max_cmd + 4095) & ~4095ull) :
						 (256u << 10);
	ret = gt_bo_create(w->fd, W_DATA_SIZE, 0, &w->data, NULL);
	if (!ret)
		ret = gt_bo_create(w->fd, w->cmd_size, DRM_NPU_BO_DEVICE_READONLY, &w->cmd, NULL);
	if (ret)
		return ret;
	w->mem = gt_bo_mmap(w->fd, w->data, W_DATA_SIZE);
	w->cmdmap = gt_bo_mmap(w->fd, w->cmd, w->cmd_size);
	if (!w->mem || !w->cmdmap)
		return -errno;
	ret = npu_cs_create((uint32_t)sram, &w->cs);
	if (ret)
		return -ENOMEM;
	return w_conv_setup(w, (uint32_t)sram) ? -EINVAL : 0;
}

int suite_wait(void)
{
	struct drm_npu_wait res, same;
	struct wctx w;
	uint64_t long_id, short_id, started;
	uint32_t n, long_size, short_size, per_cmd;
	int64_t t1, t9, per_conv;
	int ret, etimes;

	ret = w_open(&w);
	if (ret) {
		gt_fail("wait.setup", "%s", gt_errno_name(ret));
		w_close(&w);
		return 1;
	}
	/* Calibrate: how long one more convolution takes here. */
	t1 = w_time(&w, 1);
	t9 = w_time(&w, 9);
	if (t1 < 0 || t9 < 0) {
		gt_fail("wait.setup", "calibration jobs failed");
		w_close(&w);
		return 1;
	}
	per_conv = (t9 - t1) / 8;
	if (per_conv < 1)
		per_conv = 1;
	per_cmd = (w_encode(&w, 9, 0) - w_encode(&w, 1, 0)) / 8;
	n = (uint32_t)(1500 / per_conv);
	if (n < 20)
		n = 20;
	if (per_cmd && n > (uint32_t)((w.cmd_size / 2 - 256) / per_cmd))
		n = (uint32_t)((w.cmd_size / 2 - 256) / per_cmd);
	gt_info("wait: 1 conv job %lld ms, 9 convs %lld ms; long job: %u convs", (long long)t1,
		(long long)t9, n);

	long_size = w_encode(&w, n, 0);
	short_size = w_encode(&w, 1, w.cmd_size / 2);
	if (!long_size || !short_size) {
		gt_fail("wait.setup", "streams do not fit (%u convs)", n);
		w_close(&w);
		return 1;
	}
	memset(w.mem + W_OUT, 0, w.out_bytes);
	started = gt_now_ms();
	ret = w_submit(&w, 0, long_size, &long_id);
	if (!ret)
		ret = w_submit(&w, w.cmd_size / 2, short_size, &short_id);
	if (ret) {
		gt_fail("wait.setup", "submit: %s", gt_errno_name(ret));
		w_close(&w);
		return 1;
	}

	ret = gt_wait_job(w.fd, long_id, 1, &res);
	gt_result("wait.past-deadline-running",
		  ret == -ETIME ? NULL : gt_reason("wait with a past deadline on a running job: %s, "
						   "expected ETIME", gt_errno_name(ret)));
	ret = gt_wait_job(w.fd, short_id, 1, &res);
	gt_result("wait.past-deadline-queued",
		  ret == -ETIME ? NULL : gt_reason("wait with a past deadline on a queued job: %s, "
						   "expected ETIME", gt_errno_name(ret)));
	ret = w_wait_bo(&w, 1);
	gt_result("wait.bo-busy",
		  ret == -ETIME ? NULL : gt_reason("WAIT_BO with a past deadline on a busy BO: %s, "
						   "expected ETIME", gt_errno_name(ret)));

	/* The same arguments again and again: -ETIME until done, then 0. */
	memset(&same, 0, sizeof(same));
	same.type = DRM_NPU_WAIT_JOB;
	same.job_id = long_id;
	same.timeout_ns = gt_now_ns() + 10000000;
	etimes = 0;
	while ((ret = gt_ioctl(w.fd, DRM_IOCTL_NPU_WAIT, &same)) == -ETIME &&
	       gt_now_ms() - started < 120000) {
		etimes++;
		usleep(20000);
	}
	gt_info("wait: long job done after %llu ms, %d restarts with the same arguments",
		(unsigned long long)(gt_now_ms() - started), etimes);
	gt_result("wait.restart-until-done",
		  ret ? gt_reason("repeated wait: %s, expected 0 once done", gt_errno_name(ret)) :
		  same.job_status ? gt_reason("job status %u (%s)", same.job_status,
					      npu_job_status_str(same.job_status)) :
		  same.counters[DRM_NPU_COUNTER_COMMANDS] != 2ull * n + 3 ?
		  gt_reason("%llu commands counted, expected %u",
			    (unsigned long long)same.counters[DRM_NPU_COUNTER_COMMANDS], 2 * n + 3) :
		  etimes == 0 ? "the job was done before its first deadline passed: not a restart" :
		  NULL);
	{
		long diff = gt_first_diff(w.mem + W_OUT, w.want, w.out_bytes);

		gt_result("wait.long-job-result",
			  diff < 0 ? NULL : gt_reason("output byte %ld differs from the CPU kernel",
						      diff));
	}
	/* Everything on the BO done, the queued job is finished but not yet waited for. */
	ret = w_wait_bo(&w, gt_now_ns() + W_FAR_NS);
	gt_result("wait.bo-until-idle",
		  ret ? gt_reason("WAIT_BO with a far deadline: %s", gt_errno_name(ret)) : NULL);
	ret = gt_wait_job(w.fd, short_id, 1, &res);
	gt_result("wait.done-past-deadline",
		  ret ? gt_reason("wait with a past deadline on a finished job: %s, expected 0",
				  gt_errno_name(ret)) :
		  res.job_status ? gt_reason("job status %u", res.job_status) : NULL);
	ret = gt_wait_job(w.fd, long_id, 1, &res);
	gt_info("wait: waiting again for a job already waited for: %s", gt_errno_name(ret));
	ret = w_wait_bo(&w, 1);
	gt_result("wait.bo-idle", ret ? gt_reason("WAIT_BO on an idle BO: %s, expected 0",
						  gt_errno_name(ret)) : NULL);
	ret = gt_wait_job(w.fd, long_id + 100000, gt_now_ns() + 1000000000, NULL);
	gt_result("wait.unknown-job",
		  ret == -ENOENT || ret == -EINVAL ? NULL :
		  gt_reason("wait for a job never submitted: %s, expected ENOENT or EINVAL",
			    gt_errno_name(ret)));
	if (ret == -EINVAL)
		gt_info("wait.unknown-job: the driver answers EINVAL for an unknown job id");
	ret = gt_wait_job(w.fd, 0, gt_now_ns() + 1000000000, NULL);
	gt_result("wait.job-zero",
		  ret == -ENOENT || ret == -EINVAL ? NULL :
		  gt_reason("wait for job id 0: %s, expected ENOENT or EINVAL", gt_errno_name(ret)));

	/* The same through libnpu: a zero timeout is NPU_E_TIMEOUT while it runs. */
	{
		struct gt_dev t;
		struct npu_job job;
		struct npu_job_result r;
		uint64_t id;
		const char *reason = NULL;

		ret = gt_dev_open(&t);
		if (ret) {
			gt_fail("wait.libnpu-timeout", "open: %s: %s", npu_strerror(ret),
				npu_last_error());
		} else {
			uint32_t k;

			for (k = 0; k < n && !reason; k++)
				if (npu_cs_conv(t.cs, &w.conv) ||
				    npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)))
					reason = "encoding refused";
			job.cmd = t.cmd;
			job.offset = 0;
			job.size = reason ? 0 : gt_stage(&t, 0);
			if (!reason && !job.size)
				reason = "stream too long";
			if (!reason && (ret = npu_job_submit(t.dev, &job, &id)))
				reason = gt_reason("submit: %s: %s", npu_strerror(ret),
						   npu_last_error());
			if (!reason) {
				int now = npu_job_wait(t.dev, id, 0, &r);
				int later = npu_job_wait(t.dev, id, GT_JOB_TIMEOUT_MS * 2, &r);

				if (now != NPU_E_TIMEOUT)
					reason = gt_reason("npu_job_wait(0 ms) on a running job: %s, "
							   "expected a timeout", npu_strerror(now));
				else if (later)
					reason = gt_reason("npu_job_wait after the timeout: %s: %s",
							   npu_strerror(later), npu_last_error());
			}
			gt_result("wait.libnpu-timeout", reason);
			gt_dev_close(&t);
		}
	}
	w_close(&w);
	return 0;
}
