// SPDX-License-Identifier: MIT
/*
 * The drm backend: the real device through the npu kernel driver
 * (/dev/accel/accelN), with libdrm's restarting ioctl.  One open device
 * is one open file, so one device address space: every BO created here
 * is mapped into it, and every job may touch every live BO of its
 * device (libnpu does not yet know which BOs a stream reads or writes,
 * so each submit lists them all).
 *
 * Wrappers follow libdrm's shape: the args struct is zeroed, pointers
 * pass through uintptr_t, outputs are copied back only on success.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "device_priv.h"
#include "diag.h"
#include "npu/error.h"
#include "npu_accel.h"

#define DRM_ACCEL_DIR		"/dev/accel"
#define DRM_DRIVER_NAME		"npu"

struct npu_drm_bo;

struct npu_drm_device {
	struct npu_device base;
	int fd;
	char path[64];
	uint64_t max_cmd_size;
	uint64_t max_bos;
	/* Every live BO of this device, for the submit BO list. */
	struct npu_drm_bo *bos;
	uint32_t bo_count;
};

struct npu_drm_bo {
	struct npu_bo base;
	uint32_t handle;
	uint32_t flags;		/* NPU_BO_* */
	size_t map_size;
	struct npu_drm_bo *prev, *next;
};

static struct npu_drm_device *to_drm(struct npu_device *dev)
{
	return (struct npu_drm_device *)dev;
}

static struct npu_drm_bo *to_drm_bo(struct npu_bo *bo)
{
	return (struct npu_drm_bo *)bo;
}

/* drmIoctl restarts on EINTR/EAGAIN; 0 or a negative errno. */
static int drm_npu_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

static int drm_npu_query(int fd, uint32_t param, uint64_t *value)
{
	struct drm_npu_query q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.param = param;
	ret = drm_npu_ioctl(fd, DRM_IOCTL_NPU_QUERY, &q);
	if (!ret)
		*value = q.value;
	return ret;
}

static int drm_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c;

	memset(&c, 0, sizeof(c));
	c.handle = handle;
	return drm_npu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* libnpu's status for an errno from the driver. */
static int drm_status(int err)
{
	switch (err) {
	case -ENOMEM:
		return NPU_E_NOMEM;
	case -ENOENT:
		return NPU_E_NOENT;
	case -EINVAL:
	case -E2BIG:
	case -EFAULT:
		return NPU_E_INVALID;
	case -EBUSY:
	case -EAGAIN:
		return NPU_E_BUSY;
	case -ETIME:
		return NPU_E_TIMEOUT;
	case -ETIMEDOUT:
		return NPU_E_HANG;
	case -EIO:
	case -ECANCELED:
	case -ENODEV:
		return NPU_E_DEVICE;
	case -ENOTTY:
	case -EOPNOTSUPP:
		return NPU_E_UNSUPPORTED;
	default:
		return NPU_E_IO;
	}
}

/* Is the open file driven by the npu driver? */
static int drm_is_npu(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	int ours;

	if (!v)
		return 0;
	ours = v->name && !strcmp(v->name, DRM_DRIVER_NAME);
	drmFreeVersion(v);
	return ours;
}

static int drm_fill_info(struct npu_drm_device *drm)
{
	static const struct {
		uint32_t param;
		size_t offset;
	} fields[] = {
		{ DRM_NPU_PARAM_HW_VERSION, offsetof(struct npu_device_info, hw_version) },
		{ DRM_NPU_PARAM_FW_VERSION, offsetof(struct npu_device_info, fw_version) },
		{ DRM_NPU_PARAM_FW_API_VERSION, offsetof(struct npu_device_info, fw_api_version) },
		{ DRM_NPU_PARAM_MAC_ROWS, offsetof(struct npu_device_info, mac_rows) },
		{ DRM_NPU_PARAM_MAC_COLS, offsetof(struct npu_device_info, mac_cols) },
		{ DRM_NPU_PARAM_SRAM_SIZE, offsetof(struct npu_device_info, sram_size) },
		{ DRM_NPU_PARAM_CLOCK_MHZ, offsetof(struct npu_device_info, clock_mhz) },
		{ DRM_NPU_PARAM_DRAM_BW, offsetof(struct npu_device_info, dram_bw_mbps) },
		{ DRM_NPU_PARAM_CONTEXTS, offsetof(struct npu_device_info, contexts) },
		{ DRM_NPU_PARAM_OPS, offsetof(struct npu_device_info, ops) },
	};
	struct npu_device_info *info = &drm->base.info;
	uint64_t value;
	size_t i;
	int ret;

	info->backend = "drm";
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint32_t v32;

		ret = drm_npu_query(drm->fd, fields[i].param, &value);
		if (ret)
			return npu_fail(drm_status(ret), "%s: query of parameter %u failed: %s",
					drm->path, fields[i].param, strerror(-ret));
		if (value > UINT32_MAX)
			return npu_fail(NPU_E_DEVICE, "%s: parameter %u is out of range: %llu",
					drm->path, fields[i].param, (unsigned long long)value);
		v32 = (uint32_t)value;
		memcpy((char *)info + fields[i].offset, &v32, sizeof(v32));
	}
	ret = drm_npu_query(drm->fd, DRM_NPU_PARAM_MAX_CMD_SIZE, &drm->max_cmd_size);
	if (!ret)
		ret = drm_npu_query(drm->fd, DRM_NPU_PARAM_MAX_BOS, &drm->max_bos);
	if (ret)
		return npu_fail(drm_status(ret), "%s: query of the submit limits failed: %s",
				drm->path, strerror(-ret));
	return 0;
}

static void drm_bo_destroy(struct npu_bo *base)
{
	struct npu_drm_bo *bo = to_drm_bo(base);
	struct npu_drm_device *drm = to_drm(base->dev);

	if (bo->base.map)
		munmap(bo->base.map, bo->map_size);
	/* Nothing to do on failure: the handle goes with the file anyway. */
	drm_gem_close(drm->fd, bo->handle);
	if (bo->prev)
		bo->prev->next = bo->next;
	else
		drm->bos = bo->next;
	if (bo->next)
		bo->next->prev = bo->prev;
	drm->bo_count--;
	free(bo);
}

static void drm_close(struct npu_device *dev)
{
	struct npu_drm_device *drm = to_drm(dev);

	/* Closing the device destroys the BOs still alive. */
	while (drm->bos)
		drm_bo_destroy(&drm->bos->base);
	close(drm->fd);
	free(drm);
}

static int drm_bo_create(struct npu_device *dev, size_t size, uint32_t flags,
			 struct npu_bo **out)
{
	struct npu_drm_device *drm = to_drm(dev);
	long page = sysconf(_SC_PAGESIZE);
	struct drm_npu_bo_create create;
	struct drm_npu_bo_mmap_offset mo;
	struct npu_drm_bo *bo;
	void *map;
	int ret;

	if (page <= 0)
		page = 4096;
	if (size > SIZE_MAX - (size_t)page)
		return npu_fail(NPU_E_NOMEM, "buffer of %zu bytes is too large", size);
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return NPU_E_NOMEM;

	memset(&create, 0, sizeof(create));
	create.size = size;
	create.flags = flags & NPU_BO_DEVICE_READONLY ? DRM_NPU_BO_DEVICE_READONLY : 0;
	ret = drm_npu_ioctl(drm->fd, DRM_IOCTL_NPU_BO_CREATE, &create);
	if (ret) {
		free(bo);
		return npu_fail(drm_status(ret), "cannot create a buffer of %zu bytes: %s", size,
				strerror(-ret));
	}
	if (create.va > UINT32_MAX || size > UINT32_MAX - create.va) {
		drm_gem_close(drm->fd, create.handle);
		free(bo);
		return npu_fail(NPU_E_DEVICE, "driver placed a buffer at VA %#llx, outside 32 bits",
				(unsigned long long)create.va);
	}

	memset(&mo, 0, sizeof(mo));
	mo.handle = create.handle;
	ret = drm_npu_ioctl(drm->fd, DRM_IOCTL_NPU_BO_MMAP_OFFSET, &mo);
	if (ret) {
		drm_gem_close(drm->fd, create.handle);
		free(bo);
		return npu_fail(drm_status(ret), "cannot get the mmap offset of a buffer: %s",
				strerror(-ret));
	}
	bo->map_size = (size + (size_t)page - 1) & ~((size_t)page - 1);
	map = mmap(NULL, bo->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, drm->fd,
		   (off_t)mo.offset);
	if (map == MAP_FAILED) {
		ret = -errno;
		drm_gem_close(drm->fd, create.handle);
		free(bo);
		return npu_fail(ret == -ENOMEM ? NPU_E_NOMEM : NPU_E_IO,
				"cannot map a buffer of %zu bytes: %s", size, strerror(-ret));
	}

	bo->base.dev = dev;
	bo->base.map = map;
	bo->base.va = (uint32_t)create.va;
	bo->base.size = size;
	bo->handle = create.handle;
	bo->flags = flags;
	bo->next = drm->bos;
	if (drm->bos)
		drm->bos->prev = bo;
	drm->bos = bo;
	drm->bo_count++;
	*out = &bo->base;
	return 0;
}

static int drm_submit(struct npu_device *dev, const struct npu_job *job, uint64_t *id)
{
	struct npu_drm_device *drm = to_drm(dev);
	const struct npu_drm_bo *cmd = to_drm_bo((struct npu_bo *)job->cmd);
	struct drm_npu_submit submit;
	struct drm_npu_bo_ref *refs;
	const struct npu_drm_bo *bo;
	uint32_t n = 0;
	int ret;

	if (job->size > drm->max_cmd_size)
		return npu_fail(NPU_E_INVALID, "command stream of %u bytes exceeds the device's %llu",
				job->size, (unsigned long long)drm->max_cmd_size);
	/* Every BO but the command buffer, which the submit names itself. */
	if (drm->bo_count - 1 > drm->max_bos)
		return npu_fail(NPU_E_BUSY, "%u buffers are alive; a job may use at most %llu",
				drm->bo_count - 1, (unsigned long long)drm->max_bos);
	refs = calloc(drm->bo_count, sizeof(*refs));
	if (!refs)
		return NPU_E_NOMEM;
	for (bo = drm->bos; bo; bo = bo->next) {
		if (bo == cmd)
			continue;
		refs[n].handle = bo->handle;
		refs[n].flags = DRM_NPU_BO_READ |
				(bo->flags & NPU_BO_DEVICE_READONLY ? 0 : DRM_NPU_BO_WRITE);
		n++;
	}

	memset(&submit, 0, sizeof(submit));
	submit.cmd_handle = cmd->handle;
	submit.cmd_offset = job->offset;
	submit.cmd_size = job->size;
	submit.bos = (uint64_t)(uintptr_t)refs;
	submit.bo_count = n;
	ret = drm_npu_ioctl(drm->fd, DRM_IOCTL_NPU_SUBMIT, &submit);
	free(refs);
	if (ret == -EIO)
		return npu_fail(NPU_E_DEVICE,
				"job submission failed: this file caused too many device resets and is banned, or the device failed");
	if (ret)
		return npu_fail(drm_status(ret), "job submission failed: %s", strerror(-ret));
	*id = submit.job_id;
	return 0;
}

static int64_t drm_deadline_ns(uint32_t timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + (int64_t)timeout_ms * 1000000;
}

static int drm_wait(struct npu_device *dev, uint64_t id, uint32_t timeout_ms,
		    struct npu_job_result *result)
{
	struct npu_drm_device *drm = to_drm(dev);
	struct drm_npu_wait w;
	int ret;

	memset(&w, 0, sizeof(w));
	w.type = DRM_NPU_WAIT_JOB;
	w.job_id = id;
	w.timeout_ns = drm_deadline_ns(timeout_ms);
	ret = drm_npu_ioctl(drm->fd, DRM_IOCTL_NPU_WAIT, &w);
	switch (ret) {
	case 0:
		break;
	case -ETIME:
		return npu_fail(NPU_E_TIMEOUT, "job %llu did not finish in %u ms",
				(unsigned long long)id, timeout_ms);
	case -ETIMEDOUT:
		return npu_fail(NPU_E_HANG, "job %llu hung; the driver reset the device",
				(unsigned long long)id);
	case -EIO:
		return npu_fail(NPU_E_DEVICE, "job %llu failed: device failure",
				(unsigned long long)id);
	case -ECANCELED:
		return npu_fail(NPU_E_DEVICE, "job %llu was cancelled before it ran",
				(unsigned long long)id);
	case -ENOENT:
		return npu_fail(NPU_E_NOENT, "no job %llu", (unsigned long long)id);
	default:
		return npu_fail(drm_status(ret), "waiting for job %llu failed: %s",
				(unsigned long long)id, strerror(-ret));
	}
	result->status = w.job_status;
	result->fault_offset = w.fault_offset;
	result->fault_addr = w.fault_addr;
	_Static_assert((int)DRM_NPU_COUNTERS == (int)NPU_PERF_JOBS, "job counters differ");
	memcpy(result->counters, w.counters, sizeof(result->counters));
	if (w.job_status != NPU_OK)
		return npu_fail(NPU_E_JOB, "job %llu failed: %s at command offset %u",
				(unsigned long long)id, npu_job_status_str(w.job_status),
				w.fault_offset);
	return 0;
}

static const struct npu_backend_ops drm_ops = {
	.close = drm_close,
	.bo_create = drm_bo_create,
	.bo_destroy = drm_bo_destroy,
	.submit = drm_submit,
	.wait = drm_wait,
};

/* Open `path` as an npu device; NPU_E_NOENT if it is not one. */
static int drm_open_path(const char *path, struct npu_device **out)
{
	struct npu_drm_device *drm;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return npu_fail(errno == ENOENT ? NPU_E_NOENT : NPU_E_IO, "cannot open %s: %s",
				path, strerror(errno));
	if (!drm_is_npu(fd)) {
		close(fd);
		return npu_fail(NPU_E_NOENT, "%s is not driven by the %s driver", path,
				DRM_DRIVER_NAME);
	}
	drm = calloc(1, sizeof(*drm));
	if (!drm) {
		close(fd);
		return NPU_E_NOMEM;
	}
	drm->base.ops = &drm_ops;
	drm->fd = fd;
	snprintf(drm->path, sizeof(drm->path), "%s", path);
	ret = drm_fill_info(drm);
	if (ret) {
		drm_close(&drm->base);
		return ret;
	}
	*out = &drm->base;
	return 0;
}

/* accelN names in numeric order; 0 when no more. */
static int drm_accel_minor(const char *name, long *minor)
{
	char *end;

	if (strncmp(name, "accel", 5) || !name[5])
		return 0;
	*minor = strtol(name + 5, &end, 10);
	return !*end && *minor >= 0;
}

/* Declared in device.c, its one caller (npu_device_open). */
int npu_device_open_drm(const char *path, struct npu_device **out);

int npu_device_open_drm(const char *path, struct npu_device **out)
{
	char candidate[64];
	long best = -1, floor = -1, minor;
	struct dirent *e;
	DIR *dir;
	int ret;

	if (!out)
		return NPU_E_INVALID;
	*out = NULL;
	if (path)
		return drm_open_path(path, out);

	/* The lowest-numbered accel node whose driver is ours. */
	for (;;) {
		dir = opendir(DRM_ACCEL_DIR);
		if (!dir)
			return npu_fail(NPU_E_NOENT, "no NPU device: cannot list %s: %s",
					DRM_ACCEL_DIR, strerror(errno));
		best = -1;
		while ((e = readdir(dir)))
			if (drm_accel_minor(e->d_name, &minor) && minor > floor &&
			    (best < 0 || minor < best))
				best = minor;
		closedir(dir);
		if (best < 0)
			return npu_fail(NPU_E_NOENT, "no NPU device in %s", DRM_ACCEL_DIR);
		snprintf(candidate, sizeof(candidate), DRM_ACCEL_DIR "/accel%ld", best);
		ret = drm_open_path(candidate, out);
		if (ret != NPU_E_NOENT)
			return ret;
		floor = best;
	}
}
