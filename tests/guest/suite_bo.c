// SPDX-License-Identifier: MIT
/* bo: buffer objects through raw ioctls and through libnpu. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

#define BO_PAGE		4096u
#define ROUND_PAGE(x)	(((x) + BO_PAGE - 1) & ~(uint64_t)(BO_PAGE - 1))

static uint64_t bo_va_start, bo_va_end;

/* A word per page, different for each page and BO. */
static uint32_t bo_pattern(uint32_t seed, size_t page)
{
	return seed * 0x9e3779b1u ^ (uint32_t)page * 0x85ebca6bu;
}

static const char *bo_lifecycle(int fd, uint64_t size, uint32_t flags)
{
	struct drm_npu_bo_info info;
	uint64_t va, rounded = ROUND_PAGE(size);
	uint32_t handle, seed = (uint32_t)size ^ flags;
	uint8_t *p;
	size_t page, pages = (size_t)(rounded / BO_PAGE);
	int ret;

	ret = gt_bo_create(fd, size, flags, &handle, &va);
	GT_CHECK(!ret, "BO_CREATE of %llu bytes: %s", (unsigned long long)size,
		 gt_errno_name(ret));
	memset(&info, 0, sizeof(info));
	info.handle = handle;
	ret = gt_ioctl(fd, DRM_IOCTL_NPU_BO_INFO, &info);
	GT_CHECK(!ret, "BO_INFO: %s", gt_errno_name(ret));
	GT_CHECK(info.size == rounded, "BO_INFO size %llu, expected %llu",
		 (unsigned long long)info.size, (unsigned long long)rounded);
	GT_CHECK(info.va == va, "BO_INFO va %#llx, BO_CREATE said %#llx",
		 (unsigned long long)info.va, (unsigned long long)va);
	GT_CHECK(info.flags == flags, "BO_INFO flags %#x, created with %#x", info.flags, flags);
	GT_CHECK(va % BO_PAGE == 0 && va >= bo_va_start && va + rounded <= bo_va_end,
		 "va %#llx+%#llx outside %#llx..%#llx or unaligned", (unsigned long long)va,
		 (unsigned long long)rounded, (unsigned long long)bo_va_start,
		 (unsigned long long)bo_va_end);

	p = gt_bo_mmap(fd, handle, (size_t)rounded);
	GT_CHECK(p, "mmap: %s", strerror(errno));
	for (page = 0; page < pages; page++) {
		GT_CHECK(*(uint32_t *)(p + page * BO_PAGE) == 0, "page %zu is not zeroed", page);
		*(uint32_t *)(p + page * BO_PAGE) = bo_pattern(seed, page);
		*(uint32_t *)(p + page * BO_PAGE + BO_PAGE - 4) = ~bo_pattern(seed, page);
	}
	GT_CHECK(!munmap(p, (size_t)rounded), "munmap: %s", strerror(errno));
	/* A second mapping sees what the first wrote. */
	p = gt_bo_mmap(fd, handle, (size_t)rounded);
	GT_CHECK(p, "second mmap: %s", strerror(errno));
	for (page = 0; page < pages; page++) {
		if (*(uint32_t *)(p + page * BO_PAGE) != bo_pattern(seed, page) ||
		    *(uint32_t *)(p + page * BO_PAGE + BO_PAGE - 4) != ~bo_pattern(seed, page)) {
			munmap(p, (size_t)rounded);
			return gt_reason("page %zu lost its contents between mappings", page);
		}
	}
	munmap(p, (size_t)rounded);
	ret = gt_gem_close(fd, handle);
	GT_CHECK(!ret, "GEM_CLOSE: %s", gt_errno_name(ret));
	memset(&info, 0, sizeof(info));
	info.handle = handle;
	ret = gt_ioctl(fd, DRM_IOCTL_NPU_BO_INFO, &info);
	GT_CHECK(ret == -ENOENT, "BO_INFO after close: %s, expected ENOENT", gt_errno_name(ret));
	ret = gt_gem_close(fd, handle);
	GT_CHECK(ret == -EINVAL, "second GEM_CLOSE: %s, expected EINVAL", gt_errno_name(ret));
	return NULL;
}

/* A mapping keeps the BO alive after its handle is closed. */
static const char *bo_map_outlives_handle(int fd)
{
	uint32_t handle, i;
	uint32_t *p;
	int ret;

	ret = gt_bo_create(fd, 64 << 10, 0, &handle, NULL);
	GT_CHECK(!ret, "BO_CREATE: %s", gt_errno_name(ret));
	p = gt_bo_mmap(fd, handle, 64 << 10);
	GT_CHECK(p, "mmap: %s", strerror(errno));
	ret = gt_gem_close(fd, handle);
	GT_CHECK(!ret, "GEM_CLOSE: %s", gt_errno_name(ret));
	for (i = 0; i < (64u << 10) / 4; i++)
		p[i] = i * 2654435761u;
	for (i = 0; i < (64u << 10) / 4; i++)
		if (p[i] != i * 2654435761u)
			break;
	munmap(p, 64 << 10);
	GT_CHECK(i == (64u << 10) / 4, "word %u of a mapping of a closed BO changed", i);
	return NULL;
}

static const char *bo_mmap_too_long(int fd)
{
	struct drm_npu_bo_mmap_offset mo;
	uint32_t handle;
	void *p;
	int ret, err;

	ret = gt_bo_create(fd, BO_PAGE, 0, &handle, NULL);
	GT_CHECK(!ret, "BO_CREATE: %s", gt_errno_name(ret));
	memset(&mo, 0, sizeof(mo));
	mo.handle = handle;
	ret = gt_ioctl(fd, DRM_IOCTL_NPU_BO_MMAP_OFFSET, &mo);
	if (ret) {
		gt_gem_close(fd, handle);
		return gt_reason("MMAP_OFFSET: %s", gt_errno_name(ret));
	}
	p = mmap(NULL, 4 * BO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mo.offset);
	err = errno;
	if (p != MAP_FAILED)
		munmap(p, 4 * BO_PAGE);
	gt_gem_close(fd, handle);
	GT_CHECK(p == MAP_FAILED, "a 16 KiB mapping of a 4 KiB BO succeeded");
	GT_CHECK(err == EINVAL || err == EACCES, "mmap beyond the BO: %s", gt_errno_name(err));
	return NULL;
}

/* Many small BOs: distinct handles, disjoint VAs; then all closed. */
static const char *bo_many(int fd, uint32_t count)
{
	uint32_t *handles = calloc(count, sizeof(*handles));
	uint64_t *vas = calloc(count, sizeof(*vas));
	const char *reason = NULL;
	uint32_t i, j, made = 0;
	int ret;

	if (!handles || !vas) {
		free(handles);
		free(vas);
		return "out of memory";
	}
	for (i = 0; i < count && !reason; i++) {
		ret = gt_bo_create(fd, BO_PAGE * (1 + i % 3), 0, &handles[i], &vas[i]);
		if (ret)
			reason = gt_reason("BO_CREATE #%u: %s", i, gt_errno_name(ret));
		else
			made++;
	}
	for (i = 0; i < made && !reason; i++)
		for (j = i + 1; j < made && !reason; j++) {
			uint64_t ei = vas[i] + BO_PAGE * (1 + i % 3);
			uint64_t ej = vas[j] + BO_PAGE * (1 + j % 3);

			if (handles[i] == handles[j])
				reason = gt_reason("BOs #%u and #%u share handle %u", i, j,
						   handles[i]);
			else if (vas[i] < ej && vas[j] < ei)
				reason = gt_reason("BOs #%u (%#llx) and #%u (%#llx) overlap", i,
						   (unsigned long long)vas[i], j,
						   (unsigned long long)vas[j]);
		}
	for (i = 0; i < made; i++) {
		ret = gt_gem_close(fd, handles[i]);
		if (ret && !reason)
			reason = gt_reason("GEM_CLOSE #%u: %s", i, gt_errno_name(ret));
	}
	free(handles);
	free(vas);
	return reason;
}

/*
 * Create, fill and close a 64 MiB BO more often than the guest's memory
 * could hold them all: pages (and VA) must be given back on close.
 */
static const char *bo_reuse(int fd)
{
	const uint32_t rounds = 8, size = 64u << 20;
	uint64_t va, first_va = 0;
	uint32_t i, handle;
	int ret;

	for (i = 0; i < rounds; i++) {
		ret = gt_bo_create(fd, size, 0, &handle, &va);
		GT_CHECK(!ret, "BO_CREATE round %u of %u: %s", i, rounds, gt_errno_name(ret));
		if (!i)
			first_va = va;
		ret = gt_gem_close(fd, handle);
		GT_CHECK(!ret, "GEM_CLOSE round %u: %s", i, gt_errno_name(ret));
	}
	if (va != first_va)
		gt_info("bo.memory-reuse-64m: VA %#llx in the first round, %#llx in the last",
			(unsigned long long)first_va, (unsigned long long)va);
	return NULL;
}

/* Handles are per file: another file's handle does not name our BO. */
static const char *bo_per_file(int fd)
{
	struct drm_npu_bo_info info;
	uint32_t handle;
	int fd2 = gt_open(), ret;

	GT_CHECK(fd2 >= 0, "second open: %s", strerror(-fd2));
	ret = gt_bo_create(fd, BO_PAGE, 0, &handle, NULL);
	if (ret) {
		close(fd2);
		return gt_reason("BO_CREATE: %s", gt_errno_name(ret));
	}
	memset(&info, 0, sizeof(info));
	info.handle = handle;
	ret = gt_ioctl(fd2, DRM_IOCTL_NPU_BO_INFO, &info);
	close(fd2);
	gt_gem_close(fd, handle);
	GT_CHECK(ret == -ENOENT, "another file's BO_INFO of our handle %u: %s, expected ENOENT",
		 handle, gt_errno_name(ret));
	return NULL;
}

/* The same through libnpu. */
static const char *bo_libnpu(void)
{
	static const size_t sizes[] = { 1, 4096, 100000, 3u << 20 };
	struct npu_device *dev;
	struct npu_bo *bo[4] = { 0 };
	const char *reason = NULL;
	size_t i, k;
	int ret = npu_device_open("drm", &dev);

	GT_CHECK(!ret, "npu_device_open: %s: %s", npu_strerror(ret), npu_last_error());
	for (i = 0; i < 4 && !reason; i++) {
		ret = npu_bo_create(dev, sizes[i], i & 1 ? NPU_BO_DEVICE_READONLY : 0, &bo[i]);
		if (ret) {
			reason = gt_reason("npu_bo_create(%zu): %s: %s", sizes[i], npu_strerror(ret),
					   npu_last_error());
			break;
		}
		if (npu_bo_size(bo[i]) != sizes[i] || !npu_bo_va(bo[i]) || !npu_bo_map(bo[i]))
			reason = gt_reason("BO of %zu bytes: size %zu, va %#x, map %p", sizes[i],
					   npu_bo_size(bo[i]), npu_bo_va(bo[i]), npu_bo_map(bo[i]));
		else
			memset(npu_bo_map(bo[i]), (int)(0x11 * (i + 1)), sizes[i]);
	}
	for (i = 0; i < 4 && bo[i] && !reason; i++)
		for (k = 0; k < sizes[i]; k++)
			if (((uint8_t *)npu_bo_map(bo[i]))[k] != (uint8_t)(0x11 * (i + 1))) {
				reason = gt_reason("BO %zu byte %zu changed", i, k);
				break;
			}
	/* Destroy some, let close destroy the rest. */
	npu_bo_destroy(bo[1]);
	npu_bo_destroy(bo[2]);
	npu_device_close(dev);
	return reason;
}

int suite_bo(void)
{
	static const struct {
		const char *name;
		uint64_t size;
		uint32_t flags;
	} sizes[] = {
		{ "bo.lifecycle-4k", 4096, 0 },
		{ "bo.lifecycle-5000", 5000, 0 },
		{ "bo.lifecycle-64k", 64 << 10, 0 },
		{ "bo.lifecycle-1m-readonly", 1 << 20, DRM_NPU_BO_DEVICE_READONLY },
		{ "bo.lifecycle-16m", 16 << 20, 0 },
		{ "bo.lifecycle-64m", 64 << 20, 0 },
	};
	size_t i;
	int fd = gt_open();

	if (fd < 0) {
		gt_fail("bo.open", "%s: %s", GT_ACCEL_NODE, strerror(-fd));
		return 1;
	}
	if (gt_query(fd, DRM_NPU_PARAM_VA_START, &bo_va_start) ||
	    gt_query(fd, DRM_NPU_PARAM_VA_END, &bo_va_end)) {
		gt_fail("bo.open", "cannot query the VA range");
		close(fd);
		return 1;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		gt_result(sizes[i].name, bo_lifecycle(fd, sizes[i].size, sizes[i].flags));
	gt_result("bo.map-outlives-handle", bo_map_outlives_handle(fd));
	gt_result("bo.mmap-beyond-size", bo_mmap_too_long(fd));
	gt_result("bo.many-1000", bo_many(fd, 1000));
	gt_result("bo.memory-reuse-64m", bo_reuse(fd));
	gt_result("bo.handles-per-file", bo_per_file(fd));
	close(fd);
	gt_result("bo.libnpu", bo_libnpu());
	return 0;
}
