// SPDX-License-Identifier: MIT
/*
 * badargs: every ioctl refuses bad arguments with the errno the uapi
 * rules give (uapi/npu_accel.h, validation order of STYLE.md): pad and
 * reserved fields non-zero or unknown flags -> EINVAL, sizes and counts
 * out of range -> EINVAL (E2BIG/ENOMEM accepted where the count is a
 * size), unmapped user pointers -> EFAULT, unknown handles -> ENOENT.
 * The device keeps working afterwards and the kernel log stays clean
 * (user input never reaches WARN).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

#define BAD_HANDLE	0x7fff1234u
#define BAD_PTR		((uint64_t)0x10)	/* never mapped: page 0 */
#define CMD_BO_SIZE	8192u

struct bctx {
	int fd;
	uint32_t data, cmd;
	uint32_t stream;	/* bytes of valid stream at offset 0 of cmd */
	uint64_t max_cmd, max_bos;
};

static struct drm_npu_bo_ref b_ref;

/* A submit that would succeed; cases change one field. */
static void b_submit_ok(const struct bctx *b, struct drm_npu_submit *s)
{
	memset(s, 0, sizeof(*s));
	b_ref.handle = b->data;
	b_ref.flags = DRM_NPU_BO_READ | DRM_NPU_BO_WRITE;
	s->cmd_handle = b->cmd;
	s->cmd_offset = 0;
	s->cmd_size = b->stream;
	s->bos = (uint64_t)(uintptr_t)&b_ref;
	s->bo_count = 1;
}

/* Submit and, when it was accepted, wait for it so nothing is left queued. */
static int b_do_submit(const struct bctx *b, struct drm_npu_submit *s)
{
	int ret = gt_ioctl(b->fd, DRM_IOCTL_NPU_SUBMIT, s);

	if (!ret)
		gt_wait_job(b->fd, s->job_id, gt_now_ns() + 30000000000ll, NULL);
	return ret;
}

#define SUBMIT_CASE(fn, change)					\
	static int fn(const struct bctx *b)				\
	{							\
		struct drm_npu_submit s;			\
								\
		b_submit_ok(b, &s);				\
		change;						\
		return b_do_submit(b, &s);			\
	}

SUBMIT_CASE(submit_valid, (void)0)
SUBMIT_CASE(submit_flags, s.flags = 2)
SUBMIT_CASE(submit_flags_high, s.flags = 0x80000000u)
SUBMIT_CASE(submit_out_sync_pad, (s.out_sync.handle = 1, s.out_sync.pad = 1))
SUBMIT_CASE(submit_cmd_handle, s.cmd_handle = BAD_HANDLE)
SUBMIT_CASE(submit_cmd_handle_zero, s.cmd_handle = 0)
SUBMIT_CASE(submit_offset_unaligned, s.cmd_offset = 2)
SUBMIT_CASE(submit_size_unaligned, s.cmd_size = b->stream + 2)
SUBMIT_CASE(submit_size_zero, s.cmd_size = 0)
SUBMIT_CASE(submit_range_outside, (s.cmd_offset = CMD_BO_SIZE - 4, s.cmd_size = 8))
SUBMIT_CASE(submit_offset_beyond, (s.cmd_offset = CMD_BO_SIZE + 4096, s.cmd_size = 4))
SUBMIT_CASE(submit_range_wraps, (s.cmd_offset = 0xfffffffcu, s.cmd_size = 8))
SUBMIT_CASE(submit_size_huge, s.cmd_size = 0xfffffffcu)
SUBMIT_CASE(submit_bos_efault, s.bos = BAD_PTR)
SUBMIT_CASE(submit_bos_null, s.bos = 0)
SUBMIT_CASE(submit_bo_count_huge, s.bo_count = 0xffffffffu)
SUBMIT_CASE(submit_bo_handle, b_ref.handle = BAD_HANDLE)
SUBMIT_CASE(submit_bo_flags_zero, b_ref.flags = 0)
SUBMIT_CASE(submit_bo_flags_unknown, b_ref.flags = DRM_NPU_BO_READ | (1u << 7))
SUBMIT_CASE(submit_in_syncs_efault, (s.in_sync_count = 1, s.in_syncs = BAD_PTR))
SUBMIT_CASE(submit_in_sync_count_huge,
	    (s.in_sync_count = 0xffffffffu, s.in_syncs = (uint64_t)(uintptr_t)&b_ref))
SUBMIT_CASE(submit_out_syncobj, s.out_sync.handle = BAD_HANDLE)
SUBMIT_CASE(submit_out_timeline_syncobj, (s.out_sync.handle = BAD_HANDLE, s.out_sync.point = 5))

static int submit_in_sync(const struct bctx *b, uint32_t handle, uint32_t pad)
{
	struct drm_npu_sync in = { .handle = handle, .pad = pad };
	struct drm_npu_submit s;

	b_submit_ok(b, &s);
	s.in_sync_count = 1;
	s.in_syncs = (uint64_t)(uintptr_t)&in;
	return b_do_submit(b, &s);
}

static int submit_in_sync_handle(const struct bctx *b)
{
	return submit_in_sync(b, BAD_HANDLE, 0);
}

static int submit_in_sync_pad(const struct bctx *b)
{
	return submit_in_sync(b, BAD_HANDLE, 1);
}

/* One more BO than the driver takes, every ref valid. */
static int submit_bo_count_over(const struct bctx *b)
{
	struct drm_npu_submit s;
	struct drm_npu_bo_ref *refs;
	uint64_t n = b->max_bos + 1, i;
	int ret;

	if (n > (1u << 20))
		return -E2BIG;	/* cannot build the list; the driver would refuse it too */
	refs = calloc(n, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		refs[i].handle = b->data;
		refs[i].flags = DRM_NPU_BO_READ;
	}
	b_submit_ok(b, &s);
	s.bos = (uint64_t)(uintptr_t)refs;
	s.bo_count = (uint32_t)n;
	ret = b_do_submit(b, &s);
	free(refs);
	return ret;
}

/* A stream longer than MAX_CMD_SIZE inside a BO that holds it. */
static int submit_size_over_max(const struct bctx *b)
{
	uint64_t size = (b->max_cmd + 4096 + 4095) & ~4095ull;
	struct drm_npu_submit s;
	uint32_t big;
	int ret;

	if (size > (64u << 20))
		return -E2BIG;	/* the 16 MiB device limit is far below */
	ret = gt_bo_create(b->fd, size, DRM_NPU_BO_DEVICE_READONLY, &big, NULL);
	if (ret)
		return 1000;	/* not an errno: reported as a setup failure */
	b_submit_ok(b, &s);
	s.cmd_handle = big;
	s.cmd_size = (uint32_t)((b->max_cmd + 4) & ~3ull);
	ret = b_do_submit(b, &s);
	gt_gem_close(b->fd, big);
	return ret;
}

static int query_pad(const struct bctx *b)
{
	struct drm_npu_query q = { .param = DRM_NPU_PARAM_MAC_ROWS, .pad = 1 };

	return gt_ioctl(b->fd, DRM_IOCTL_NPU_QUERY, &q);
}

static int query_param_count(const struct bctx *b)
{
	struct drm_npu_query q = { .param = DRM_NPU_PARAM_COUNT };

	return gt_ioctl(b->fd, DRM_IOCTL_NPU_QUERY, &q);
}

static int query_param_huge(const struct bctx *b)
{
	struct drm_npu_query q = { .param = 0xffffffffu };

	return gt_ioctl(b->fd, DRM_IOCTL_NPU_QUERY, &q);
}

static int query_arg_efault(const struct bctx *b)
{
	return gt_ioctl(b->fd, DRM_IOCTL_NPU_QUERY, (void *)(uintptr_t)BAD_PTR);
}

static int b_create(const struct bctx *b, uint64_t size, uint32_t flags)
{
	uint32_t h;
	int ret = gt_bo_create(b->fd, size, flags, &h, NULL);

	if (!ret)
		gt_gem_close(b->fd, h);
	return ret;
}

static int create_flags(const struct bctx *b) { return b_create(b, 4096, 1u << 5); }
static int create_flags_high(const struct bctx *b) { return b_create(b, 4096, 0x80000000u); }
static int create_size_zero(const struct bctx *b) { return b_create(b, 0, 0); }
static int create_size_over_1g(const struct bctx *b) { return b_create(b, (1ull << 30) + 4096, 0); }
static int create_size_2_63(const struct bctx *b) { return b_create(b, 1ull << 63, 0); }
static int create_size_max(const struct bctx *b) { return b_create(b, UINT64_MAX, 0); }
static int create_size_wraps(const struct bctx *b) { return b_create(b, UINT64_MAX - 100, 0); }

static int mmap_offset_pad(const struct bctx *b)
{
	struct drm_npu_bo_mmap_offset mo = { .handle = b->data, .pad = 1 };

	return gt_ioctl(b->fd, DRM_IOCTL_NPU_BO_MMAP_OFFSET, &mo);
}

static int mmap_offset_handle(const struct bctx *b)
{
	struct drm_npu_bo_mmap_offset mo = { .handle = BAD_HANDLE };

	return gt_ioctl(b->fd, DRM_IOCTL_NPU_BO_MMAP_OFFSET, &mo);
}

static int bo_info_handle(const struct bctx *b)
{
	struct drm_npu_bo_info info = { .handle = BAD_HANDLE };

	return gt_ioctl(b->fd, DRM_IOCTL_NPU_BO_INFO, &info);
}

static int bo_info_handle_zero(const struct bctx *b)
{
	struct drm_npu_bo_info info = { .handle = 0 };

	return gt_ioctl(b->fd, DRM_IOCTL_NPU_BO_INFO, &info);
}

static int b_wait(const struct bctx *b, uint32_t type, uint32_t handle, uint64_t job, uint32_t pad)
{
	struct drm_npu_wait w;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.handle = handle;
	w.job_id = job;
	w.pad = pad;
	w.timeout_ns = gt_now_ns() + 1000000000;
	return gt_ioctl(b->fd, DRM_IOCTL_NPU_WAIT, &w);
}

static uint64_t b_last_job;

static int wait_type(const struct bctx *b) { return b_wait(b, 7, 0, b_last_job, 0); }
static int wait_pad(const struct bctx *b) { return b_wait(b, DRM_NPU_WAIT_JOB, 0, b_last_job, 1); }
static int wait_job_with_handle(const struct bctx *b)
{
	return b_wait(b, DRM_NPU_WAIT_JOB, b->data, b_last_job, 0);
}
static int wait_bo_with_job(const struct bctx *b)
{
	return b_wait(b, DRM_NPU_WAIT_BO, b->data, b_last_job, 0);
}
static int wait_bo_handle(const struct bctx *b) { return b_wait(b, DRM_NPU_WAIT_BO, BAD_HANDLE, 0, 0); }
static int wait_unknown_job(const struct bctx *b)
{
	return b_wait(b, DRM_NPU_WAIT_JOB, 0, b_last_job + 1000000, 0);
}

static int gem_close_handle(const struct bctx *b) { return gt_gem_close(b->fd, BAD_HANDLE); }

static int unknown_ioctl(const struct bctx *b)
{
	struct drm_npu_query q = { 0 };

	return gt_ioctl(b->fd, DRM_IOWR(DRM_COMMAND_BASE + 0x3f, struct drm_npu_query), &q);
}

static int mmap_bad_offset(const struct bctx *b)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, b->fd, (off_t)1 << 40);

	if (p != MAP_FAILED) {
		munmap(p, 4096);
		return 0;
	}
	return -errno;
}

#define E(x)	(-(x))
#define WANT(...)	sizeof((int[]){ __VA_ARGS__ }) / sizeof(int), { __VA_ARGS__ }
static const struct {
	const char *name;
	int (*fn)(const struct bctx *b);
	int nwant;
	int want[3];		/* accepted results: 0 or negative errnos */
} cases[] = {
	{ "query-pad", query_pad, WANT(E(EINVAL)) },
	{ "query-param-count", query_param_count, WANT(E(EINVAL)) },
	{ "query-param-huge", query_param_huge, WANT(E(EINVAL)) },
	{ "query-arg-efault", query_arg_efault, WANT(E(EFAULT)) },
	{ "bo-create-flags", create_flags, WANT(E(EINVAL)) },
	{ "bo-create-flags-high", create_flags_high, WANT(E(EINVAL)) },
	{ "bo-create-size-zero", create_size_zero, WANT(E(EINVAL)) },
	{ "bo-create-size-over-1g", create_size_over_1g, WANT(E(EINVAL), E(E2BIG), E(ENOMEM)) },
	{ "bo-create-size-2^63", create_size_2_63, WANT(E(EINVAL), E(E2BIG), E(ENOMEM)) },
	{ "bo-create-size-u64-max", create_size_max, WANT(E(EINVAL), E(E2BIG), E(ENOMEM)) },
	{ "bo-create-size-wraps", create_size_wraps, WANT(E(EINVAL), E(E2BIG), E(ENOMEM)) },
	{ "mmap-offset-pad", mmap_offset_pad, WANT(E(EINVAL)) },
	{ "mmap-offset-bad-handle", mmap_offset_handle, WANT(E(ENOENT)) },
	{ "bo-info-bad-handle", bo_info_handle, WANT(E(ENOENT)) },
	{ "bo-info-handle-zero", bo_info_handle_zero, WANT(E(ENOENT)) },
	{ "submit-valid", submit_valid, WANT(0) },
	{ "submit-flags", submit_flags, WANT(E(EINVAL)) },
	{ "submit-flags-high", submit_flags_high, WANT(E(EINVAL)) },
	{ "submit-bad-cmd-handle", submit_cmd_handle, WANT(E(ENOENT)) },
	{ "submit-cmd-handle-zero", submit_cmd_handle_zero, WANT(E(ENOENT)) },
	{ "submit-cmd-offset-unaligned", submit_offset_unaligned, WANT(E(EINVAL)) },
	{ "submit-cmd-size-unaligned", submit_size_unaligned, WANT(E(EINVAL)) },
	{ "submit-cmd-size-zero", submit_size_zero, WANT(E(EINVAL), 0) },
	{ "submit-cmd-range-outside-bo", submit_range_outside, WANT(E(EINVAL)) },
	{ "submit-cmd-offset-beyond-bo", submit_offset_beyond, WANT(E(EINVAL)) },
	{ "submit-cmd-range-wraps", submit_range_wraps, WANT(E(EINVAL)) },
	{ "submit-cmd-size-huge", submit_size_huge, WANT(E(EINVAL)) },
	{ "submit-cmd-size-over-max", submit_size_over_max, WANT(E(EINVAL), E(E2BIG)) },
	{ "submit-bos-efault", submit_bos_efault, WANT(E(EFAULT)) },
	{ "submit-bos-null", submit_bos_null, WANT(E(EFAULT), E(EINVAL)) },
	{ "submit-bo-count-huge", submit_bo_count_huge, WANT(E(EINVAL), E(E2BIG)) },
	{ "submit-bo-count-over-max", submit_bo_count_over, WANT(E(EINVAL), E(E2BIG)) },
	{ "submit-bo-bad-handle", submit_bo_handle, WANT(E(ENOENT)) },
	{ "submit-bo-flags-zero", submit_bo_flags_zero, WANT(E(EINVAL)) },
	{ "submit-bo-flags-unknown", submit_bo_flags_unknown, WANT(E(EINVAL)) },
	{ "submit-in-syncs-efault", submit_in_syncs_efault, WANT(E(EFAULT)) },
	{ "submit-in-sync-count-huge", submit_in_sync_count_huge, WANT(E(EINVAL), E(E2BIG)) },
	{ "submit-in-sync-bad-handle", submit_in_sync_handle, WANT(E(ENOENT)) },
	{ "submit-in-sync-pad", submit_in_sync_pad, WANT(E(EINVAL)) },
	{ "submit-out-syncobj-bad-handle", submit_out_syncobj, WANT(E(ENOENT)) },
	{ "submit-out-timeline-bad-handle", submit_out_timeline_syncobj, WANT(E(ENOENT)) },
	{ "submit-out-sync-pad", submit_out_sync_pad, WANT(E(EINVAL)) },
	{ "wait-type", wait_type, WANT(E(EINVAL)) },
	{ "wait-pad", wait_pad, WANT(E(EINVAL)) },
	{ "wait-job-with-handle", wait_job_with_handle, WANT(E(EINVAL)) },
	{ "wait-bo-with-job-id", wait_bo_with_job, WANT(E(EINVAL)) },
	{ "wait-bo-bad-handle", wait_bo_handle, WANT(E(ENOENT)) },
	{ "wait-unknown-job", wait_unknown_job, WANT(E(ENOENT), E(EINVAL)) },
	{ "gem-close-bad-handle", gem_close_handle, WANT(E(EINVAL)) },
	{ "unknown-ioctl", unknown_ioctl, WANT(E(EINVAL), E(ENOTTY)) },
	{ "mmap-bad-offset", mmap_bad_offset, WANT(E(EINVAL), E(EACCES)) },
};

static int b_open(struct bctx *b)
{
	struct npu_cs *cs;
	uint8_t *map;
	int ret;

	memset(b, 0, sizeof(*b));
	b->fd = gt_open();
	if (b->fd < 0)
		return b->fd;
	ret = gt_query(b->fd, DRM_NPU_PARAM_MAX_CMD_SIZE, &b->max_cmd);
	if (!ret)
		ret = gt_query(b->fd, DRM_NPU_PARAM_MAX_BOS, &b->max_bos);
	if (!ret)
		ret = gt_bo_create(b->fd, 64 << 10, 0, &b->data, NULL);
	if (!ret)
		ret = gt_bo_create(b->fd, CMD_BO_SIZE, DRM_NPU_BO_DEVICE_READONLY, &b->cmd, NULL);
	if (ret)
		return ret;
	map = gt_bo_mmap(b->fd, b->cmd, CMD_BO_SIZE);
	if (!map)
		return -errno;
	if (npu_cs_create(64 << 10, &cs))
		return -ENOMEM;
	npu_cs_nop(cs);
	npu_cs_nop(cs);
	b->stream = (uint32_t)npu_cs_size(cs);
	memcpy(map, npu_cs_data(cs), b->stream);
	npu_cs_destroy(cs);
	munmap(map, CMD_BO_SIZE);
	return 0;
}

int suite_badargs(void)
{
	struct drm_npu_submit s;
	uint64_t mark = gt_kmsg_mark();
	char name[96], line[256];
	struct bctx b;
	size_t i;
	int ret;

	ret = b_open(&b);
	if (ret) {
		gt_fail("badargs.setup", "%s", gt_errno_name(ret));
		if (b.fd >= 0)
			close(b.fd);
		return 1;
	}
	b_submit_ok(&b, &s);
	ret = gt_ioctl(b.fd, DRM_IOCTL_NPU_SUBMIT, &s);
	if (!ret) {
		b_last_job = s.job_id;
		gt_wait_job(b.fd, s.job_id, gt_now_ns() + 30000000000ll, NULL);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = cases[i].fn(&b), k, ok = 0;
		char accepted[64] = "";

		snprintf(name, sizeof(name), "badargs.%s", cases[i].name);
		for (k = 0; k < cases[i].nwant; k++) {
			ok |= got == cases[i].want[k];
			snprintf(accepted + strlen(accepted), sizeof(accepted) - strlen(accepted),
				 "%s%s", k ? "/" : "", gt_errno_name(cases[i].want[k]));
		}
		if (got == 1000)
			gt_fail(name, "setup failed");
		else if (ok)
			gt_ok(name);
		else
			gt_fail(name, "got %s, expected %s", gt_errno_name(got), accepted);
	}
	/* Still working, and nothing in the kernel log. */
	b_submit_ok(&b, &s);
	ret = gt_ioctl(b.fd, DRM_IOCTL_NPU_SUBMIT, &s);
	if (!ret) {
		struct drm_npu_wait w;

		ret = gt_wait_job(b.fd, s.job_id, gt_now_ns() + 30000000000ll, &w);
		if (!ret && w.job_status)
			ret = 1000;
	}
	gt_result("badargs.device-still-works",
		  ret ? gt_reason("a valid submit after the bad ones: %s", gt_errno_name(ret)) : NULL);
	gt_result("badargs.kernel-log-clean",
		  gt_kmsg_bug(mark, line, sizeof(line)) ? gt_reason("kernel: %s", line) : NULL);
	close(b.fd);
	return 0;
}
