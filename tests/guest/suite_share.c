// SPDX-License-Identifier: MIT
/*
 * share: clients that share BOs through PRIME and order their jobs with
 * implicit (reservation) and explicit (binary and timeline syncobj)
 * synchronisation; submits that keep no result.
 *
 * Ordering is shown with a long job in front: a dependent job that did
 * not wait would copy the shared bytes before the long job wrote them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

#define SH_DATA		(1u << 20)
#define SH_SHARED	(64u << 10)
#define SH_CHUNK	4096u
/* Long enough for a dependent job to overtake it by far if it could. */
#define SH_LONG_ROUNDS	2u

struct share {
	struct gt_client a, b;
	uint32_t x_a, x_b;		/* the shared BO in A and in B */
	uint64_t x_va_a, x_va_b;
	uint8_t *x_map;			/* A's mapping */
};

static int prime_export(int fd, uint32_t handle, int *dmabuf)
{
	struct drm_prime_handle p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.handle = handle;
	p.flags = DRM_CLOEXEC | DRM_RDWR;
	ret = gt_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
	if (!ret)
		*dmabuf = p.fd;
	return ret;
}

static int prime_import(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.fd = dmabuf;
	ret = gt_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
	if (!ret)
		*handle = p.handle;
	return ret;
}

static int bo_info(int fd, uint32_t handle, struct drm_npu_bo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return gt_ioctl(fd, DRM_IOCTL_NPU_BO_INFO, info);
}

/* Move a syncobj from one file to another through a file descriptor. */
static int syncobj_share(int from, uint32_t handle, int to, uint32_t *out)
{
	struct drm_syncobj_handle h;
	int ret;

	memset(&h, 0, sizeof(h));
	h.handle = handle;
	ret = gt_ioctl(from, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);
	if (ret)
		return ret;
	h.handle = 0;
	ret = gt_ioctl(to, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h);
	close(h.fd);
	if (!ret)
		*out = h.handle;
	return ret;
}

static void share_close(struct share *s)
{
	if (s->x_map)
		munmap(s->x_map, SH_SHARED);
	gt_client_close(&s->b);
	gt_client_close(&s->a);
}

/* Two clients, a BO of A's imported by B. */
static const char *share_open(struct share *s)
{
	struct drm_npu_bo_info info;
	int ret, dmabuf = -1;

	memset(s, 0, sizeof(*s));
	s->a.fd = s->b.fd = -1;
	ret = gt_client_open(&s->a, SH_DATA);
	if (!ret)
		ret = gt_client_open(&s->b, SH_DATA);
	if (!ret)
		ret = gt_bo_create(s->a.fd, SH_SHARED, 0, &s->x_a, &s->x_va_a);
	if (!ret)
		ret = prime_export(s->a.fd, s->x_a, &dmabuf);
	if (!ret)
		ret = prime_import(s->b.fd, dmabuf, &s->x_b);
	if (dmabuf >= 0)
		close(dmabuf);
	if (!ret)
		ret = bo_info(s->b.fd, s->x_b, &info);
	if (!ret) {
		s->x_va_b = info.va;
		s->x_map = gt_bo_mmap(s->a.fd, s->x_a, SH_SHARED);
		if (!s->x_map)
			ret = -errno;
	}
	if (ret) {
		share_close(s);
		return gt_reason("setup: %s", gt_errno_name(-ret));
	}
	return NULL;
}

static const char *share_prime_import(void)
{
	struct drm_npu_bo_info ia, ib;
	struct share s;
	const char *why = share_open(&s);
	uint8_t *b_map;

	if (why)
		return why;
	memset(s.x_map, 0xa5, SH_SHARED);
	b_map = gt_bo_mmap(s.b.fd, s.x_b, SH_SHARED);
	if (bo_info(s.a.fd, s.x_a, &ia) || bo_info(s.b.fd, s.x_b, &ib) || !b_map) {
		share_close(&s);
		return gt_reason("BO_INFO or mmap of the imported BO failed");
	}
	why = ib.va == 0 ? "the imported BO has no VA in the importer" :
	      ib.size != ia.size || ib.flags != ia.flags ? "size or flags differ" :
	      b_map[SH_SHARED - 1] != 0xa5 ? "the importer's mapping shows other bytes" : NULL;
	gt_info("share.prime-import: VA %#llx in the exporter, %#llx in the importer",
		(unsigned long long)ia.va, (unsigned long long)ib.va);
	munmap(b_map, SH_SHARED);
	share_close(&s);
	return why;
}

/* Copy SH_CHUNK bytes from from_va to to_va through SRAM, optionally after a long job. */
static int encode_copy(struct gt_client *c, uint64_t from_va, uint64_t to_va, int long_first)
{
	int ret = 0;

	if (long_first)
		ret = gt_client_long_job(c, SH_LONG_ROUNDS);
	if (!ret)
		ret = npu_cs_sync(c->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = npu_cs_load_linear(c->cs, 0, (uint32_t)from_va, SH_CHUNK);
	if (!ret)
		ret = npu_cs_sync(c->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = npu_cs_store_linear(c->cs, (uint32_t)to_va, 0, SH_CHUNK);
	return ret;
}

/*
 * Read after write, then write after read, across the two files with
 * only the BO list's READ/WRITE flags to order them.
 */
static const char *share_implicit(void)
{
	struct gt_submit_opts oa = { .extra_count = 1 }, ob = { .extra_count = 1 };
	uint64_t ja, jb;
	struct share s;
	const char *why = share_open(&s);
	int ret;

	if (why)
		return why;
	memset(s.x_map, 0, SH_SHARED);
	memset(s.a.mem, 0x11, SH_CHUNK);
	memset(s.b.mem + SH_CHUNK, 0x22, SH_CHUNK);
	/* A: long, then its bytes into X.  B: X into its own data. */
	oa.extra[0] = (struct drm_npu_bo_ref){ s.x_a, DRM_NPU_BO_WRITE };
	ob.extra[0] = (struct drm_npu_bo_ref){ s.x_b, DRM_NPU_BO_READ };
	ret = encode_copy(&s.a, s.a.data_va, s.x_va_a, 1);
	if (!ret)
		ret = gt_client_submit(&s.a, &oa, &ja);
	if (!ret)
		ret = encode_copy(&s.b, s.x_va_b, s.b.data_va + 2 * SH_CHUNK, 0);
	if (!ret)
		ret = gt_client_submit(&s.b, &ob, &jb);
	if (!ret)
		ret = gt_client_wait(&s.b, jb, NULL);
	if (!ret)
		ret = gt_client_wait(&s.a, ja, NULL);
	if (ret) {
		share_close(&s);
		return gt_reason("read after write: %s", gt_errno_name(-ret));
	}
	if (s.b.mem[2 * SH_CHUNK] != 0x11 || s.b.mem[3 * SH_CHUNK - 1] != 0x11) {
		share_close(&s);
		return gt_reason("B read X before A's write (byte %#x)", s.b.mem[2 * SH_CHUNK]);
	}

	/* A: long, then X into its data.  B: its bytes into X, after A read. */
	oa.extra[0].flags = DRM_NPU_BO_READ;
	ob.extra[0].flags = DRM_NPU_BO_WRITE;
	ret = encode_copy(&s.a, s.x_va_a, s.a.data_va + 2 * SH_CHUNK, 1);
	if (!ret)
		ret = gt_client_submit(&s.a, &oa, &ja);
	if (!ret)
		ret = encode_copy(&s.b, s.b.data_va + SH_CHUNK, s.x_va_b, 0);
	if (!ret)
		ret = gt_client_submit(&s.b, &ob, &jb);
	if (!ret)
		ret = gt_client_wait(&s.b, jb, NULL);
	if (!ret)
		ret = gt_client_wait(&s.a, ja, NULL);
	if (!ret && s.a.mem[2 * SH_CHUNK] != 0x11)
		why = gt_reason("B overwrote X before A read it (A read %#x)", s.a.mem[2 * SH_CHUNK]);
	else if (!ret && s.x_map[0] != 0x22)
		why = gt_reason("B's write did not land in X (%#x)", s.x_map[0]);
	else if (ret)
		why = gt_reason("write after read: %s", gt_errno_name(-ret));
	share_close(&s);
	return why;
}

/*
 * Explicit: A signals point 7 of a timeline syncobj that B waits for; B
 * lists no BO of A's, so only the syncobj orders the two.
 */
static const char *share_timeline(void)
{
	struct gt_submit_opts oa = { 0 }, ob = { 0 };
	struct drm_syncobj_timeline_array q;
	uint32_t ta, tb;
	uint64_t ja, jb, point = 0;
	struct drm_npu_sync in;
	struct share s;
	const char *why = share_open(&s);
	int ret;

	if (why)
		return why;
	memset(s.x_map, 0, SH_SHARED);
	memset(s.a.mem, 0x33, SH_CHUNK);
	ret = gt_syncobj_create(s.a.fd, &ta);
	if (!ret)
		ret = syncobj_share(s.a.fd, ta, s.b.fd, &tb);
	/* A: long, then its bytes into X, signalling point 7 at the end. */
	oa.out = (struct drm_npu_sync){ .handle = ta, .point = 7 };
	if (!ret)
		ret = encode_copy(&s.a, s.a.data_va, s.x_va_a, 1);
	if (!ret)
		ret = gt_client_submit(&s.a, &oa, &ja);
	in = (struct drm_npu_sync){ .handle = tb, .point = 7 };
	ob.in = &in;
	ob.in_count = 1;
	if (!ret)
		ret = encode_copy(&s.b, s.x_va_b, s.b.data_va + 2 * SH_CHUNK, 0);
	if (!ret)
		ret = gt_client_submit(&s.b, &ob, &jb);
	if (!ret)
		ret = gt_syncobj_wait(s.b.fd, tb, 7, GT_JOB_TIMEOUT_MS);
	if (!ret)
		ret = gt_client_wait(&s.b, jb, NULL);
	if (!ret)
		ret = gt_client_wait(&s.a, ja, NULL);
	if (ret) {
		share_close(&s);
		return gt_reason("%s", gt_errno_name(-ret));
	}
	memset(&q, 0, sizeof(q));
	q.handles = (uint64_t)(uintptr_t)&tb;
	q.points = (uint64_t)(uintptr_t)&point;
	q.count_handles = 1;
	ret = gt_ioctl(s.b.fd, DRM_IOCTL_SYNCOBJ_QUERY, &q);
	if (ret)
		why = gt_reason("SYNCOBJ_QUERY: %s", gt_errno_name(-ret));
	else if (point != 7)
		why = gt_reason("the timeline is at point %llu, expected 7",
				(unsigned long long)point);
	else if (s.b.mem[2 * SH_CHUNK] != 0x33)
		why = gt_reason("B ran before point 7 was signalled (read %#x)",
				s.b.mem[2 * SH_CHUNK]);
	else if (gt_syncobj_wait(s.b.fd, tb, 8, 100) != -ETIME)
		why = gt_reason("point 8 was never submitted, yet a wait for it did not time out");
	share_close(&s);
	return why;
}

/* A job waits for every one of several in-syncs, from two other files. */
static const char *share_many_in_syncs(void)
{
	struct gt_submit_opts o1 = { 0 }, o2 = { 0 }, oc = { 0 };
	struct drm_npu_sync in[3];
	uint32_t s1, s2, s3, h1, h2, h3;
	struct gt_client c;
	uint64_t j1, j2, j3, jc;
	struct share s;
	const char *why = share_open(&s);
	int ret;

	if (why)
		return why;
	ret = gt_client_open(&c, SH_DATA);
	if (ret) {
		share_close(&s);
		return gt_reason("third client: %s", gt_errno_name(-ret));
	}
	ret = gt_syncobj_create(s.a.fd, &s1);
	if (!ret)
		ret = gt_syncobj_create(s.b.fd, &s2);
	if (!ret)
		ret = gt_syncobj_create(s.a.fd, &s3);
	if (!ret)
		ret = syncobj_share(s.a.fd, s1, c.fd, &h1);
	if (!ret)
		ret = syncobj_share(s.b.fd, s2, c.fd, &h2);
	if (!ret)
		ret = syncobj_share(s.a.fd, s3, c.fd, &h3);
	o1.out = (struct drm_npu_sync){ .handle = s1 };
	o2.out = (struct drm_npu_sync){ .handle = s2 };
	if (!ret)
		ret = gt_client_long_job(&s.a, SH_LONG_ROUNDS);
	if (!ret)
		ret = gt_client_submit(&s.a, &o1, &j1);
	if (!ret)
		ret = gt_client_long_job(&s.b, SH_LONG_ROUNDS);
	if (!ret)
		ret = gt_client_submit(&s.b, &o2, &j2);
	o1.out.handle = s3;
	if (!ret)
		ret = gt_client_long_job(&s.a, SH_LONG_ROUNDS);
	if (!ret)
		ret = gt_client_submit(&s.a, &o1, &j3);
	in[0] = (struct drm_npu_sync){ .handle = h1 };
	in[1] = (struct drm_npu_sync){ .handle = h2 };
	in[2] = (struct drm_npu_sync){ .handle = h3 };
	oc.in = in;
	oc.in_count = 3;
	if (!ret)
		ret = npu_cs_nop(c.cs);
	if (!ret)
		ret = gt_client_submit(&c, &oc, &jc);
	if (!ret)
		ret = gt_client_wait(&c, jc, NULL);
	if (ret) {
		why = gt_reason("%s", gt_errno_name(-ret));
	} else {
		struct drm_syncobj_wait w;
		uint32_t hs[3] = { h1, h2, h3 };

		/* Every in-sync must be signalled once the job is done. */
		memset(&w, 0, sizeof(w));
		w.handles = (uint64_t)(uintptr_t)hs;
		w.count_handles = 3;
		w.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
		w.timeout_nsec = 0;
		ret = gt_ioctl(c.fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
		if (ret)
			why = gt_reason("the job finished before all its in-syncs (%s)",
					gt_errno_name(-ret));
	}
	gt_client_wait(&s.a, j1, NULL);
	gt_client_wait(&s.b, j2, NULL);
	gt_client_wait(&s.a, j3, NULL);
	gt_client_close(&c);
	share_close(&s);
	return why;
}

/* More NO_RESULT jobs than the file may keep results for. */
static const char *share_no_result(void)
{
	struct gt_submit_opts o = { .flags = DRM_NPU_SUBMIT_NO_RESULT };
	struct drm_npu_submit sub;
	struct drm_npu_bo_ref ref;
	struct gt_client c;
	uint32_t i, offset, size;
	uint64_t id = 1;
	const char *why = NULL;
	int ret;

	ret = gt_client_open(&c, SH_DATA);
	if (ret)
		return gt_reason("open: %s", gt_errno_name(-ret));
	memset(c.mem, 0x44, SH_CHUNK);
	ret = npu_cs_load_linear(c.cs, 0, (uint32_t)c.data_va, SH_CHUNK);
	if (!ret)
		ret = npu_cs_sync(c.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = npu_cs_store_linear(c.cs, (uint32_t)c.data_va + SH_CHUNK, 0, SH_CHUNK);
	if (!ret)
		ret = gt_client_submit(&c, &o, &id);
	if (!ret && id != 0)
		why = gt_reason("a NO_RESULT job got job id %llu", (unsigned long long)id);
	/* The same stream again, NPU_MAX_RESULTS + 100 times in all. */
	ret = ret ? ret : npu_cs_nop(c.cs);
	if (!ret)
		ret = gt_client_stage(&c, &offset, &size);
	ref = (struct drm_npu_bo_ref){ c.data, DRM_NPU_BO_READ | DRM_NPU_BO_WRITE };
	for (i = 0; !ret && !why && i < 4096 + 100; i++) {
		memset(&sub, 0, sizeof(sub));
		sub.cmd_handle = c.cmd;
		sub.cmd_offset = offset;
		sub.cmd_size = size;
		sub.bos = (uint64_t)(uintptr_t)&ref;
		sub.bo_count = 1;
		sub.flags = DRM_NPU_SUBMIT_NO_RESULT;
		ret = gt_ioctl(c.fd, DRM_IOCTL_NPU_SUBMIT, &sub);
	}
	if (ret && !why)
		why = gt_reason("NO_RESULT submit %u: %s", i, gt_errno_name(-ret));
	if (!why) {
		struct drm_npu_wait w;

		memset(&w, 0, sizeof(w));
		w.type = DRM_NPU_WAIT_BO;
		w.handle = c.data;
		w.timeout_ns = gt_now_ns() + (int64_t)GT_JOB_TIMEOUT_MS * 1000000;
		ret = gt_ioctl(c.fd, DRM_IOCTL_NPU_WAIT, &w);
		if (ret)
			why = gt_reason("WAIT_BO: %s", gt_errno_name(-ret));
		else if (c.mem[SH_CHUNK] != 0x44)
			why = gt_reason("the NO_RESULT job did not run");
		else if (gt_wait_job(c.fd, 0, gt_now_ns(), NULL) != -ENOENT)
			why = gt_reason("waiting for job id 0 did not give ENOENT");
	}
	gt_client_close(&c);
	return why;
}

/* The exporter closes its file; the importer's jobs still reach the BO. */
static const char *share_exporter_gone(void)
{
	struct gt_submit_opts o = { .extra_count = 1 };
	uint64_t job;
	struct share s;
	const char *why = share_open(&s);
	int ret;

	if (why)
		return why;
	memset(s.x_map, 0x55, SH_SHARED);
	munmap(s.x_map, SH_SHARED);
	s.x_map = NULL;
	gt_client_close(&s.a);
	o.extra[0] = (struct drm_npu_bo_ref){ s.x_b, DRM_NPU_BO_READ };
	ret = encode_copy(&s.b, s.x_va_b, s.b.data_va, 0);
	if (!ret)
		ret = gt_client_submit(&s.b, &o, &job);
	if (!ret)
		ret = gt_client_wait(&s.b, job, NULL);
	if (ret)
		why = gt_reason("%s", gt_errno_name(-ret));
	else if (s.b.mem[0] != 0x55 || s.b.mem[SH_CHUNK - 1] != 0x55)
		why = gt_reason("the importer read %#x from the shared BO", s.b.mem[0]);
	share_close(&s);
	return why;
}

int suite_share(void)
{
	gt_result("share.prime-import", share_prime_import());
	gt_result("share.implicit-raw-war", share_implicit());
	gt_result("share.timeline-syncobj", share_timeline());
	gt_result("share.many-in-syncs", share_many_in_syncs());
	gt_result("share.no-result", share_no_result());
	gt_result("share.exporter-gone", share_exporter_gone());
	return 0;
}
