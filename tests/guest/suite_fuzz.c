// SPDX-License-Identifier: MIT
/*
 * fuzz: a hostile-input campaign from an unprivileged process.  A child
 * running as nobody (65534) issues random ioctls on the accel node
 * (request numbers in and around the driver's range, random structs,
 * handles, pointers, sizes and flags, mixed with well-formed creates and
 * closes), a second one submits random and mutated command streams and
 * waits for them with short deadlines.  Afterwards the device must still
 * compute correctly and debugfs must show no BO or job left behind.
 *
 * Deterministic per seed: npuguest.fuzz_seed=N on the kernel command
 * line replays a run (npuguest.fuzz_ioctls= and npuguest.fuzz_streams=
 * change the counts).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define FZ_IOCTLS	100000u
#define FZ_STREAMS	10000u
#define FZ_UID		65534
#define FZ_MAX_HANDLES	24
/* Hang guards, not performance limits: a busy host runs the campaign 2-3x slower. */
#define FZ_CHILD_LIMIT_MS	360000u
#define FZ_PROGRESS_MS		30000u

#define FZ_DATA_SIZE	(1u << 20)
#define FZ_CMD_SIZE	(256u << 10)
#define FZ_SMALL_SIZE	(16u << 10)
#define FZ_SLOT		4096u		/* bytes of command BO per stream */
#define FZ_BATCH	64u		/* streams in flight at once */
#define FZ_MAX_WORDS	(FZ_SLOT / 4)

/* --- seed and counts ----------------------------------------------- */

/* Value of npuguest.<key>= on the kernel command line, or `def`. */
static uint64_t fz_cmdline(const char *key, uint64_t def)
{
	char buf[4096], pat[64], *p;
	uint64_t v = def;

	if (gt_read_file("/proc/cmdline", buf, sizeof(buf)))
		return def;
	snprintf(pat, sizeof(pat), "npuguest.%s=", key);
	for (p = strstr(buf, pat); p; p = strstr(p + 1, pat))
		if (p == buf || p[-1] == ' ')
			v = strtoull(p + strlen(pat), NULL, 0);
	return v;
}

static uint32_t r32(uint32_t *s) { return gt_rand(s); }
static uint64_t r64(uint32_t *s) { return (uint64_t)gt_rand(s) << 32 | gt_rand(s); }
/* True with probability n/d. */
static int chance(uint32_t *s, uint32_t n, uint32_t d) { return gt_rand(s) % d < n; }

/* --- the ioctl campaign -------------------------------------------- */

struct fz_bo {
	uint32_t handle;
	uint64_t size, va;
};

struct fz_ictx {
	int fd;
	uint32_t seed;
	struct fz_bo bos[FZ_MAX_HANDLES];
	unsigned int nbos;
	uint8_t *scratch;	/* 64 KiB of random bytes, mapped */
	uint8_t *edge;		/* a mapped page followed by an unmapped one */
	uint8_t *hole;		/* an unmapped page */
	uint32_t syncobjs[8];
	unsigned int nsync;
	unsigned long errs[160];	/* errno histogram, [0] = success */
	unsigned long calls;
};

static uint32_t fz_handle(struct fz_ictx *c)
{
	uint32_t *s = &c->seed;

	switch (r32(s) % 8) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (c->nbos)
			return c->bos[r32(s) % c->nbos].handle;
		return r32(s) % 8;
	case 4:
	case 5:
		return r32(s) % 40;
	case 6:
		return 0;
	default:
		return chance(s, 1, 2) ? r32(s) : 0xffffffffu - r32(s) % 4;
	}
}

/* A user pointer: mostly good, often hostile; `len` is what is wanted there. */
static uint64_t fz_ptr(struct fz_ictx *c, size_t len)
{
	static const uint64_t kernelish[] = {
		0xffff888000000000ull, 0xffffffff81000000ull, 0xffffffffff600000ull,
		0xffffc90000000000ull, 0x00007ffffffff000ull, 0x0000800000000000ull,
		0xfffffffffffffff0ull, 0xffffffffffffffffull,
	};
	uint32_t *s = &c->seed;

	switch (r32(s) % 10) {
	case 0:
		return 0;
	case 1:
		return 1 + r32(s) % 0x10000;
	case 2:
		return kernelish[r32(s) % (sizeof(kernelish) / sizeof(kernelish[0]))];
	case 3:
		return (uint64_t)(uintptr_t)c->hole + (r32(s) % 4096);
	case 4:
		/* Valid but too short: the buffer runs into the unmapped page. */
		return (uint64_t)(uintptr_t)(c->edge + 4096 - (len > 1 ? 1 + r32(s) % (len - 1) : 1));
	case 5:
		return r64(s);
	default:
		return (uint64_t)(uintptr_t)(c->scratch + (r32(s) % 1024) * 8);
	}
}

static uint64_t fz_size(uint32_t *s)
{
	static const uint64_t odd[] = {
		0, 1, 4095, 4097, (1ull << 30), (1ull << 30) + 1, (1ull << 30) + 4096,
		1ull << 32, (1ull << 32) + 4096, 1ull << 63, UINT64_MAX, UINT64_MAX - 4095,
	};

	if (chance(s, 1, 3))
		return odd[r32(s) % (sizeof(odd) / sizeof(odd[0]))];
	return 1 + r32(s) % (256u << 10);
}

/* A syncobj of the campaign's (binary or timeline point) or a random one. */
static void fz_sync(struct fz_ictx *c, struct drm_npu_sync *sync)
{
	uint32_t *s = &c->seed;

	sync->handle = chance(s, 1, 2) && c->nsync ? c->syncobjs[r32(s) % c->nsync] :
						    r32(s) % 16;
	sync->pad = chance(s, 1, 10) ? r32(s) : 0;
	sync->point = chance(s, 1, 2) ? 0 : (chance(s, 3, 4) ? r32(s) % 8 : r64(s));
}

static uint32_t fz_flags(uint32_t *s)
{
	switch (r32(s) % 4) {
	case 0:
		return 0;
	case 1:
		return r32(s) % 4;
	case 2:
		return 1u << (r32(s) % 32);
	default:
		return r32(s);
	}
}

/* Wait deadlines never far in the future: the campaign must not block. */
static int64_t fz_deadline(uint32_t *s)
{
	switch (r32(s) % 6) {
	case 0:
		return 0;
	case 1:
		return -1 - (int64_t)(r32(s) % 1000);
	case 2:
		return INT64_MIN;
	case 3:
		return gt_now_ns();
	case 4:
		return gt_now_ns() + (int64_t)(r32(s) % 2000000);
	default:
		return (int64_t)(r64(s) & 0xffffffffffull);	/* long past */
	}
}

static void fz_note(struct fz_ictx *c, int ret)
{
	int e = -ret;

	c->calls++;
	if (e < 0 || e >= (int)(sizeof(c->errs) / sizeof(c->errs[0])))
		e = sizeof(c->errs) / sizeof(c->errs[0]) - 1;
	c->errs[e]++;
}

/* Raw ioctl, no restart loop: EINTR/EAGAIN are answers too. */
static int fz_ioctl(struct fz_ictx *c, unsigned long req, void *arg)
{
	int ret = ioctl(c->fd, req, arg) ? -errno : 0;

	fz_note(c, ret);
	return ret;
}

static void fz_forget(struct fz_ictx *c, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < c->nbos; i++) {
		if (c->bos[i].handle == handle) {
			c->bos[i] = c->bos[--c->nbos];
			return;
		}
	}
}

static void fz_good_create(struct fz_ictx *c)
{
	struct drm_npu_bo_create a;
	uint32_t *s = &c->seed;

	if (c->nbos == FZ_MAX_HANDLES) {
		struct drm_gem_close cl = { .handle = c->bos[r32(s) % c->nbos].handle };

		if (!fz_ioctl(c, DRM_IOCTL_GEM_CLOSE, &cl))
			fz_forget(c, cl.handle);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.size = 4096u << (r32(s) % 7);	/* 4 KiB .. 256 KiB */
	a.flags = r32(s) % 2;
	if (!fz_ioctl(c, DRM_IOCTL_NPU_BO_CREATE, &a)) {
		c->bos[c->nbos].handle = a.handle;
		c->bos[c->nbos].size = a.size;
		c->bos[c->nbos].va = a.va;
		c->nbos++;
		if (chance(s, 1, 4)) {
			/* Random commands in it, for random submits to find. */
			void *p = gt_bo_mmap(c->fd, a.handle, 4096);

			if (p) {
				gt_random_bytes(s, p, 4096);
				munmap(p, 4096);
			}
		}
	}
}

static void fz_good_close(struct fz_ictx *c)
{
	struct drm_gem_close cl = { 0 };

	if (!c->nbos)
		return;
	cl.handle = c->bos[r32(&c->seed) % c->nbos].handle;
	if (!fz_ioctl(c, DRM_IOCTL_GEM_CLOSE, &cl))
		fz_forget(c, cl.handle);
}

/* Fill `arg` (a struct of the ioctl) with random but plausible fields. */
static unsigned long fz_npu_struct(struct fz_ictx *c, void *arg)
{
	uint32_t *s = &c->seed;
	unsigned int n = r32(s) % 6;

	switch (n) {
	case 0: {
		struct drm_npu_query *q = arg;

		q->param = chance(s, 3, 4) ? r32(s) % (DRM_NPU_PARAM_COUNT + 3) : r32(s);
		q->pad = chance(s, 1, 8) ? r32(s) : 0;
		q->value = r64(s);
		return DRM_IOCTL_NPU_QUERY;
	}
	case 1: {
		struct drm_npu_bo_create *b = arg;

		b->size = fz_size(s);
		b->flags = fz_flags(s);
		b->handle = r32(s);
		b->va = r64(s);
		return DRM_IOCTL_NPU_BO_CREATE;
	}
	case 2: {
		struct drm_npu_bo_mmap_offset *m = arg;

		m->handle = fz_handle(c);
		m->pad = chance(s, 1, 8) ? r32(s) : 0;
		m->offset = r64(s);
		return DRM_IOCTL_NPU_BO_MMAP_OFFSET;
	}
	case 3: {
		struct drm_npu_bo_info *i = arg;

		i->handle = fz_handle(c);
		i->flags = r32(s);
		i->size = r64(s);
		i->va = r64(s);
		return DRM_IOCTL_NPU_BO_INFO;
	}
	case 4: {
		struct drm_npu_submit *sb = arg;
		struct drm_npu_bo_ref *refs = (void *)(c->scratch + 32768);
		struct drm_npu_sync *syncs = (void *)(c->scratch + 49152);
		uint32_t i, count;

		memset(sb, 0, sizeof(*sb));
		sb->cmd_handle = fz_handle(c);
		sb->cmd_offset = chance(s, 3, 4) ? (r32(s) % 16) * 4 : r32(s);
		sb->cmd_size = chance(s, 3, 4) ? (r32(s) % 64) * 4 : r32(s);
		sb->flags = chance(s, 1, 10) ? fz_flags(s) : 0;
		count = chance(s, 3, 4) ? r32(s) % 6 : (chance(s, 1, 2) ? r32(s) % 300 : r32(s));
		sb->bo_count = count;
		if (chance(s, 3, 4) && count <= 256) {
			for (i = 0; i < count; i++) {
				refs[i].handle = fz_handle(c);
				refs[i].flags = chance(s, 7, 8) ? 1 + r32(s) % 3 : fz_flags(s);
			}
			sb->bos = (uint64_t)(uintptr_t)refs;
		} else {
			sb->bos = fz_ptr(c, (size_t)(count ? count : 1) * sizeof(*refs));
		}
		if (chance(s, 1, 4)) {
			count = chance(s, 3, 4) ? r32(s) % 4 : r32(s) % 100;
			sb->in_sync_count = count;
			if (chance(s, 2, 3) && count <= 64) {
				for (i = 0; i < count; i++)
					fz_sync(c, &syncs[i]);
				sb->in_syncs = (uint64_t)(uintptr_t)syncs;
			} else {
				sb->in_syncs = fz_ptr(c, (size_t)(count ? count : 1) *
							 sizeof(*syncs));
			}
		}
		if (chance(s, 1, 4))
			fz_sync(c, &sb->out_sync);
		return DRM_IOCTL_NPU_SUBMIT;
	}
	default: {
		struct drm_npu_wait *w = arg;

		memset(w, 0, sizeof(*w));
		w->type = chance(s, 7, 8) ? r32(s) % 2 : r32(s);
		if (w->type == DRM_NPU_WAIT_BO || chance(s, 1, 8))
			w->handle = fz_handle(c);
		if (w->type == DRM_NPU_WAIT_JOB || chance(s, 1, 8))
			w->job_id = chance(s, 3, 4) ? r32(s) % 64 : r64(s);
		w->timeout_ns = fz_deadline(s);
		w->pad = chance(s, 1, 10) ? r32(s) : 0;
		return DRM_IOCTL_NPU_WAIT;
	}
	}
}

/* The core DRM ioctls an accel file answers, with random arguments. */
static unsigned long fz_drm_struct(struct fz_ictx *c, void *arg)
{
	uint32_t *s = &c->seed;

	switch (r32(s) % 7) {
	case 0: {
		struct drm_gem_close *g = arg;

		g->handle = fz_handle(c);
		g->pad = chance(s, 1, 8) ? r32(s) : 0;
		return DRM_IOCTL_GEM_CLOSE;
	}
	case 1: {
		struct drm_prime_handle *p = arg;

		p->handle = fz_handle(c);
		p->flags = chance(s, 1, 2) ? DRM_CLOEXEC | (r32(s) % 2 ? DRM_RDWR : 0) :
					     fz_flags(s);
		p->fd = -1;
		return DRM_IOCTL_PRIME_HANDLE_TO_FD;
	}
	case 2: {
		struct drm_syncobj_create *sc = arg;

		sc->handle = 0;
		sc->flags = chance(s, 3, 4) ? (r32(s) % 2) : fz_flags(s);
		return DRM_IOCTL_SYNCOBJ_CREATE;
	}
	case 3: {
		struct drm_syncobj_destroy *sd = arg;

		sd->handle = chance(s, 1, 2) && c->nsync ? c->syncobjs[r32(s) % c->nsync] :
							   r32(s) % 16;
		sd->pad = 0;
		return DRM_IOCTL_SYNCOBJ_DESTROY;
	}
	case 4: {
		struct drm_gem_flink *f = arg;

		f->handle = fz_handle(c);
		f->name = 0;
		return DRM_IOCTL_GEM_FLINK;
	}
	case 5: {
		struct drm_gem_open *o = arg;

		o->name = r32(s) % 8;
		o->handle = 0;
		o->size = 0;
		return DRM_IOCTL_GEM_OPEN;
	}
	default: {
		struct drm_syncobj_wait *sw = arg;

		memset(sw, 0, sizeof(*sw));
		sw->handles = (uint64_t)(uintptr_t)c->syncobjs;
		sw->count_handles = c->nsync ? 1 + r32(s) % c->nsync : r32(s) % 3;
		sw->timeout_nsec = fz_deadline(s);
		sw->flags = r32(s) % 4;
		return DRM_IOCTL_SYNCOBJ_WAIT;
	}
	}
}

/* After a call that may have made or dropped a handle: keep the books. */
static void fz_after(struct fz_ictx *c, unsigned long req, void *arg, int ret)
{
	if (ret)
		return;
	if (req == DRM_IOCTL_NPU_BO_CREATE) {
		struct drm_npu_bo_create *b = arg;

		if (c->nbos < FZ_MAX_HANDLES) {
			c->bos[c->nbos].handle = b->handle;
			c->bos[c->nbos].size = b->size;
			c->bos[c->nbos].va = b->va;
			c->nbos++;
		} else {
			struct drm_gem_close cl = { .handle = b->handle };

			fz_ioctl(c, DRM_IOCTL_GEM_CLOSE, &cl);
		}
	} else if (req == DRM_IOCTL_GEM_CLOSE) {
		fz_forget(c, ((struct drm_gem_close *)arg)->handle);
	} else if (req == DRM_IOCTL_GEM_OPEN) {
		struct drm_gem_close cl = { .handle = ((struct drm_gem_open *)arg)->handle };

		fz_ioctl(c, DRM_IOCTL_GEM_CLOSE, &cl);	/* not a BO of ours */
	} else if (req == DRM_IOCTL_PRIME_HANDLE_TO_FD) {
		close(((struct drm_prime_handle *)arg)->fd);
	} else if (req == DRM_IOCTL_SYNCOBJ_CREATE) {
		uint32_t h = ((struct drm_syncobj_create *)arg)->handle;

		if (c->nsync < 8)
			c->syncobjs[c->nsync++] = h;
		else
			c->syncobjs[r32(&c->seed) % 8] = h;	/* leaked until close: fine */
	} else if (req == DRM_IOCTL_SYNCOBJ_DESTROY) {
		uint32_t h = ((struct drm_syncobj_destroy *)arg)->handle;
		unsigned int i;

		for (i = 0; i < c->nsync; i++)
			if (c->syncobjs[i] == h)
				c->syncobjs[i] = c->syncobjs[--c->nsync];
	}
}

static void fz_one_ioctl(struct fz_ictx *c)
{
	uint32_t *s = &c->seed;
	/* _IOC_SIZE can say 16 KiB: the kernel copies that much back. */
	static uint8_t arg[1u << _IOC_SIZEBITS] __attribute__((aligned(8)));
	unsigned long req;
	unsigned int kind = r32(s) % 100;
	void *p = arg;
	int ret;

	gt_random_bytes(s, arg, 128);
	if (kind < 10) {
		fz_good_create(c);
		return;
	}
	if (kind < 15) {
		fz_good_close(c);
		return;
	}
	if (kind < 60) {
		req = fz_npu_struct(c, arg);
	} else if (kind < 70) {
		req = fz_drm_struct(c, arg);
	} else {
		/* Any direction and size around the driver's numbers. */
		static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
						     _IOC_READ | _IOC_WRITE };
		unsigned int nr = DRM_COMMAND_BASE + r32(s) % 16, size;

		/*
		 * Now and then just below or above the range, or a core
		 * ioctl up to 0x3f.  Not the syncobj ones (0xbf..0xcf):
		 * their count fields reach a kmalloc that WARNs for huge
		 * counts in the 6.12 core (drm_syncobj_array_find).  The
		 * driver refuses counts over 4096 before the core sees
		 * them, but one 2-CPU run still hit the WARN through
		 * SYNCOBJ_WAIT; until that path is understood,
		 * fz_drm_struct() covers these ioctls with sane counts.
		 */
		if (chance(s, 1, 10))
			nr = chance(s, 1, 2) ? r32(s) % 0x40 : DRM_COMMAND_BASE - 16 + r32(s) % 48;
		size = chance(s, 1, 2) ? r32(s) % 129 : (chance(s, 1, 2) ? 8u * (r32(s) % 16) :
							   r32(s) % (1u << _IOC_SIZEBITS));
		req = _IOC(dirs[r32(s) % 4], DRM_IOCTL_BASE, nr, size);
		if (nr == DRM_COMMAND_BASE + DRM_NPU_WAIT && size >= sizeof(struct drm_npu_wait)) {
			/* Never a deadline far ahead. */
			((struct drm_npu_wait *)(void *)arg)->timeout_ns = fz_deadline(s);
		}
		if (nr == DRM_COMMAND_BASE + DRM_NPU_BO_CREATE &&
		    size >= sizeof(struct drm_npu_bo_create))
			((struct drm_npu_bo_create *)(void *)arg)->size = fz_size(s) & ((1u << 22) - 1);
	}
	/* Sometimes the struct is not where the pointer says. */
	if (chance(s, 1, 6))
		p = (void *)(uintptr_t)fz_ptr(c, 64);
	/* Big creates pin real memory: keep the total small. */
	if (req == DRM_IOCTL_NPU_BO_CREATE && p == arg &&
	    ((struct drm_npu_bo_create *)(void *)arg)->size > (4u << 20) &&
	    ((struct drm_npu_bo_create *)(void *)arg)->size <= (1u << 30))
		((struct drm_npu_bo_create *)(void *)arg)->size &= (4u << 20) - 1;
	/*
	 * Random creates would land in scratch memory; random bytes as a
	 * syncobj array ioctl's struct reach the core WARN (see above).
	 */
	if (p != arg && (req == DRM_IOCTL_NPU_BO_CREATE ||
			 (_IOC_NR(req) >= 0xbf && _IOC_NR(req) <= 0xcf)))
		p = chance(s, 1, 2) ? NULL : c->hole;	/* never a random writable buffer */
	ret = fz_ioctl(c, req, p);
	if (p == arg)
		fz_after(c, req, arg, ret);
}

static volatile sig_atomic_t fz_ticks;

static void fz_tick(int sig)
{
	(void)sig;
	fz_ticks++;
}

static int fz_ioctl_child(uint32_t seed, uint32_t count)
{
	struct itimerval tick = { { 0, 20000 }, { 0, 20000 } };
	struct sigaction sa;
	struct fz_ictx c;
	uint8_t *map;
	uint32_t i;
	int e;

	memset(&c, 0, sizeof(c));
	c.seed = seed ? seed : 1;
	c.fd = gt_open();
	if (c.fd < 0) {
		printf("GUEST-INFO fuzz: child cannot open %s: %s\n", GT_ACCEL_NODE,
		       gt_errno_name(-c.fd));
		return 3;
	}
	c.scratch = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c.scratch == MAP_FAILED || map == MAP_FAILED)
		return 4;
	munmap(map + 4096, 4096);
	c.edge = map;
	c.hole = map + 4096;
	gt_random_bytes(&c.seed, c.scratch, 65536);
	/*
	 * Random arguments can ask for long waits (syncobj waits with a far
	 * deadline, say): a 20 ms interval timer interrupts them.  A wait
	 * that ignores the signal still hangs the child, as it should.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fz_tick;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &tick, NULL);
	for (i = 0; i < count; i++) {
		fz_one_ioctl(&c);
		if (!(i & 1023))
			gt_random_bytes(&c.seed, c.scratch, 32768);
	}
	memset(&tick, 0, sizeof(tick));
	setitimer(ITIMER_REAL, &tick, NULL);
	printf("GUEST-INFO fuzz.ioctls: %lu calls, %u BOs left open, %d timer ticks; errno:",
	       c.calls, c.nbos, (int)fz_ticks);
	for (e = 0; e < (int)(sizeof(c.errs) / sizeof(c.errs[0])); e++)
		if (c.errs[e])
			printf(" %s=%lu", e ? gt_errno_name(e) : "ok", c.errs[e]);
	printf("\n");
	close(c.fd);	/* with BOs, syncobjs and queued jobs still there */
	return 0;
}

/* --- the stream campaign ------------------------------------------- */

struct fz_sctx {
	int fd;
	uint32_t seed;
	uint32_t data, cmd, small, ro;
	uint64_t data_va, cmd_va, small_va, ro_va;
	uint8_t *cmd_map, *data_map;
	struct npu_cs *cs;
	uint32_t sram;
	unsigned long submitted, refused, done_ok, done_err, timed_out, slow, banned;
	unsigned long status[16];
};

/* A VA for a stream: inside one of our BOs, near them, or anywhere. */
static uint32_t fz_va(struct fz_sctx *x, uint32_t len)
{
	uint32_t *s = &x->seed;

	switch (r32(s) % 8) {
	case 0:
	case 1:
	case 2:
	case 3:
		return (uint32_t)x->data_va + r32(s) % (FZ_DATA_SIZE - (len < FZ_DATA_SIZE ? len : 0) + 1);
	case 4:
		return (uint32_t)x->small_va + r32(s) % (2 * FZ_SMALL_SIZE);
	case 5:
		return (uint32_t)x->ro_va + r32(s) % FZ_SMALL_SIZE;
	case 6:
		return (uint32_t)x->cmd_va + r32(s) % FZ_CMD_SIZE;
	default:
		return r32(s);
	}
}

/* A valid stream of 1..8 commands from the encoder. */
static void fz_valid_stream(struct fz_sctx *x)
{
	uint32_t *s = &x->seed;
	unsigned int n = 1 + r32(s) % 4, i;

	npu_cs_reset(x->cs);
	for (i = 0; i < n; i++) {
		unsigned int k = r32(s) % 10;

		if (k == 0) {
			npu_cs_nop(x->cs);
		} else if (k < 3) {
			npu_cs_sync(x->cs, 1 + r32(s) % NPU_ENGINE_ALL);
		} else if (k < 9) {
			struct npu_cmd_dma d;
			uint32_t len = 1 + r32(s) % 2048;

			memset(&d, 0, sizeof(d));
			d.dram_addr = chance(s, 7, 8) ?
				      (uint32_t)x->data_va + r32(s) % (FZ_DATA_SIZE - len) :
				      fz_va(x, len);
			d.sram_addr = r32(s) % (x->sram - len);
			d.size[0] = len;
			d.size[1] = d.size[2] = d.size[3] = 1;
			if (k & 1)
				npu_cs_dma_load(x->cs, &d);
			else
				npu_cs_dma_store(x->cs, &d);
		} else {
			struct npu_cmd_conv cv;

			/* A tiny 1x1 convolution on whatever SRAM holds. */
			memset(&cv, 0, sizeof(cv));
			cv.in_h = cv.in_w = 1 + r32(s) % 4;
			cv.in_c = 1 + r32(s) % 8;
			cv.out_c = 1 + r32(s) % 8;
			cv.kernel_h = cv.kernel_w = 1;
			cv.stride_h = cv.stride_w = 1;
			cv.dilation_h = cv.dilation_w = 1;
			cv.act_min = -128;
			cv.act_max = 127;
			cv.quant.multiplier = 1u << 30;
			cv.groups = 1;
			cv.out_h = cv.in_h;
			cv.out_w = cv.in_w;
			cv.in_addr = 0;
			cv.wt_addr = 4096;
			cv.bias_addr = 8192;
			cv.quant_addr = 12288;
			cv.out_addr = 16384;
			npu_cs_conv(x->cs, &cv);
		}
	}
}

/* Stage stream #slot into the command BO: valid, mutated or random; returns bytes. */
static uint32_t fz_make_stream(struct fz_sctx *x, uint32_t slot)
{
	uint32_t *s = &x->seed;
	uint32_t *w = (uint32_t *)(void *)(x->cmd_map + slot * FZ_SLOT);
	uint32_t words, i, n, kind = r32(s) % 10;
	size_t size;

	if (kind == 0) {
		/* Pure garbage, or plausible headers with random bodies. */
		words = 1 + r32(s) % 64;
		for (i = 0; i < words; i++)
			w[i] = r32(s);
		if (chance(s, 1, 2)) {
			for (i = 0; i < words;) {
				uint32_t len = 1 + r32(s) % 20;
				static const uint8_t ops[] = { 0x00, 0x01, 0x10, 0x11, 0x20,
							       0x21, 0x30, 0x31, 0x32 };

				w[i] = NPU_CMD_HDR(chance(s, 3, 4) ? ops[r32(s) % 9] : r32(s) & 0xff,
						   chance(s, 3, 4) ? len : r32(s) % 0x10000);
				i += len;
			}
		}
		return words * 4;
	}
	fz_valid_stream(x);
	size = npu_cs_size(x->cs);
	if (!size) {
		w[0] = NPU_CMD_HDR(NPU_OP_NOP, 1);
		size = 4;
	}
	if (size > FZ_SLOT)
		size = FZ_SLOT & ~3u;
	memcpy(w, npu_cs_data(x->cs), size);
	words = (uint32_t)(size / 4);
	if (kind < 3)
		return words * 4;	/* valid as built */
	n = 1 + r32(s) % 4;
	while (n--) {
		i = r32(s) % words;
		switch (r32(s) % 8) {
		case 0:
			w[i] ^= 1u << (r32(s) % 32);	/* bit flip */
			break;
		case 1:
			w[i] = r32(s);			/* random word */
			break;
		case 2:
			w[i] = fz_va(x, 64);		/* some VA, inside or outside */
			break;
		case 3:
			w[i] = (w[i] & ~0xffu) | (r32(s) & 0xff);	/* opcode */
			break;
		case 4:
			w[i] = (w[i] & 0xffffu) | (r32(s) % 64) << 16;	/* header length */
			break;
		case 5:
			w[i] = chance(s, 1, 2) ? 0 : 0xffffffffu;
			break;
		case 6:
			words = 1 + i;			/* truncate */
			break;
		default:
			if (words < FZ_MAX_WORDS - 1) {	/* duplicate a word */
				memmove(&w[i + 1], &w[i], (words - i) * 4);
				words++;
			}
			break;
		}
	}
	return words * 4;
}

static void fz_account(struct fz_sctx *x, int ret, const struct drm_npu_wait *w)
{
	if (ret == 0 && w->job_status == 0)
		x->done_ok++;
	else
		x->done_err++;
	if (ret == -ETIMEDOUT)
		x->timed_out++;
	x->status[w->job_status < 15 ? w->job_status : 15]++;
}

/* Wait for one job: short deadline first, then long enough for a reset. */
static const char *fz_wait(struct fz_sctx *x, uint64_t id)
{
	struct drm_npu_wait w;
	int ret;

	ret = gt_wait_job(x->fd, id, gt_now_ns() + 2000000000ll, &w);
	if (ret == -ETIME) {
		x->slow++;
		ret = gt_wait_job(x->fd, id, gt_now_ns() + 60000000000ll, &w);
		if (ret == -ETIME)
			return gt_reason("job %llu neither finished nor timed out in 60 s",
					 (unsigned long long)id);
	}
	if (ret && ret != -ETIMEDOUT && ret != -EIO && ret != -ECANCELED)
		return gt_reason("wait for job %llu: %s", (unsigned long long)id,
				 gt_errno_name(-ret));
	fz_account(x, ret, &w);
	return NULL;
}

/* A correct DMA copy after the campaign: the device recovered. */
static const char *fz_check_copy(struct fz_sctx *x)
{
	struct npu_cmd_dma d;
	struct drm_npu_bo_ref ref = { x->data, DRM_NPU_BO_READ | DRM_NPU_BO_WRITE };
	struct drm_npu_wait w;
	uint32_t seed = 4242, size;
	uint64_t id;
	int ret;

	gt_random_bytes(&seed, x->data_map, 4096);
	memset(x->data_map + 65536, 0, 4096);
	npu_cs_reset(x->cs);
	memset(&d, 0, sizeof(d));
	d.dram_addr = (uint32_t)x->data_va;
	d.size[0] = 4096;
	d.size[1] = d.size[2] = d.size[3] = 1;
	npu_cs_dma_load(x->cs, &d);
	npu_cs_sync(x->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	d.dram_addr = (uint32_t)x->data_va + 65536;
	npu_cs_dma_store(x->cs, &d);
	size = (uint32_t)npu_cs_size(x->cs);
	memcpy(x->cmd_map, npu_cs_data(x->cs), size);
	ret = gt_submit(x->fd, x->cmd, 0, size, &ref, 1, &id);
	GT_CHECK(!ret, "submit of a valid copy: %s", gt_errno_name(-ret));
	ret = gt_wait_job(x->fd, id, gt_now_ns() + 30000000000ll, &w);
	GT_CHECK(!ret && !w.job_status, "valid copy: %s, status %u", gt_errno_name(-ret),
		 w.job_status);
	GT_CHECK(!memcmp(x->data_map, x->data_map + 65536, 4096), "copy is wrong");
	return NULL;
}

static void fz_stream_close(struct fz_sctx *x)
{
	if (x->cmd_map)
		munmap(x->cmd_map, FZ_CMD_SIZE);
	if (x->data_map)
		munmap(x->data_map, FZ_DATA_SIZE);
	npu_cs_destroy(x->cs);
	close(x->fd);
	x->cmd_map = x->data_map = NULL;
	x->cs = NULL;
	x->fd = -1;
}

/* A file with the campaign's BOs; 0, or the child's exit status. */
static int fz_stream_open(struct fz_sctx *x)
{
	uint64_t sram = 0;
	int ret;

	x->fd = gt_open();
	if (x->fd < 0) {
		printf("GUEST-INFO fuzz: child cannot open %s: %s\n", GT_ACCEL_NODE,
		       gt_errno_name(-x->fd));
		return 3;
	}
	ret = gt_query(x->fd, DRM_NPU_PARAM_SRAM_SIZE, &sram);
	if (!ret)
		ret = gt_bo_create(x->fd, FZ_DATA_SIZE, 0, &x->data, &x->data_va);
	if (!ret)
		ret = gt_bo_create(x->fd, FZ_CMD_SIZE, DRM_NPU_BO_DEVICE_READONLY, &x->cmd,
				   &x->cmd_va);
	if (!ret)
		ret = gt_bo_create(x->fd, FZ_SMALL_SIZE, 0, &x->small, &x->small_va);
	if (!ret)
		ret = gt_bo_create(x->fd, FZ_SMALL_SIZE, DRM_NPU_BO_DEVICE_READONLY, &x->ro,
				   &x->ro_va);
	if (ret) {
		printf("GUEST-INFO fuzz: stream setup: %s\n", gt_errno_name(-ret));
		return 4;
	}
	x->sram = (uint32_t)sram;
	x->cmd_map = gt_bo_mmap(x->fd, x->cmd, FZ_CMD_SIZE);
	x->data_map = gt_bo_mmap(x->fd, x->data, FZ_DATA_SIZE);
	if (!x->cmd_map || !x->data_map || x->sram < 65536 || npu_cs_create(x->sram, &x->cs)) {
		printf("GUEST-INFO fuzz: stream setup failed\n");
		return 4;
	}
	gt_random_bytes(&x->seed, x->data_map, FZ_DATA_SIZE);
	return 0;
}

static int fz_stream_child(uint32_t seed, uint32_t count)
{
	struct fz_sctx x;
	struct drm_npu_bo_ref refs[4];
	uint64_t ids[FZ_BATCH];
	const char *reason = NULL;
	uint32_t done = 0, i, n;
	int ret;

	memset(&x, 0, sizeof(x));
	x.seed = seed ? seed : 1;
	ret = fz_stream_open(&x);
	if (ret)
		return ret;
	gt_random_bytes(&x.seed, x.data_map, FZ_DATA_SIZE);

	while (done < count && !reason) {
		uint32_t batch = count - done < FZ_BATCH ? count - done : FZ_BATCH;

		n = 0;
		for (i = 0; i < batch; i++) {
			uint32_t size = fz_make_stream(&x, i), nrefs = 1;
			uint32_t off = i * FZ_SLOT;

			refs[0].handle = x.data;
			refs[0].flags = DRM_NPU_BO_READ | DRM_NPU_BO_WRITE;
			if (chance(&x.seed, 1, 2)) {
				refs[nrefs].handle = x.small;
				refs[nrefs++].flags = 1 + r32(&x.seed) % 3;
			}
			if (chance(&x.seed, 1, 2)) {
				refs[nrefs].handle = x.ro;
				refs[nrefs++].flags = DRM_NPU_BO_READ;
			}
			if (chance(&x.seed, 1, 16)) {
				/* Truncated submits and streams that run past the slot. */
				size = r32(&x.seed) % 128 * 4;
			}
			ret = gt_submit(x.fd, x.cmd, off, size, refs, chance(&x.seed, 1, 20) ?
					0 : nrefs, &ids[n]);
			if (ret == -EIO) {
				/*
				 * Banned for the resets its streams caused (the
				 * driver's policy): go on in a new file.
				 */
				x.banned++;
				break;
			}
			if (ret) {
				if (ret != -EINVAL) {
					reason = gt_reason("submit of a %u-byte stream: %s", size,
							   gt_errno_name(-ret));
					break;
				}
				x.refused++;
				continue;
			}
			x.submitted++;
			n++;
		}
		/* A ban ends the batch early: count only what was tried. */
		done += i;
		for (i = 0; i < n; i++) {
			const char *r = fz_wait(&x, ids[i]);

			if (r && !reason)
				reason = r;
		}
		if (ret == -EIO && !reason) {
			fz_stream_close(&x);
			ret = fz_stream_open(&x);
			if (ret)
				return ret;
		}
	}
	if (!reason)
		reason = fz_check_copy(&x);
	printf("GUEST-INFO fuzz.streams: %u streams, %lu submitted, %lu refused at submit, "
	       "%lu ok, %lu failed (%lu reset after a timeout, %lu past 2 s), %lu files banned; "
	       "statuses:", done, x.submitted, x.refused, x.done_ok, x.done_err, x.timed_out,
	       x.slow, x.banned);
	for (i = 0; i < 16; i++)
		if (x.status[i])
			printf(" %u=%lu", i, x.status[i]);
	printf("\n");
	if (reason)
		printf("GUEST-INFO fuzz.streams: %s\n", reason);
	fz_stream_close(&x);
	return reason ? 1 : 0;
}

/* --- the parent ---------------------------------------------------- */

static int fz_drop_privileges(void)
{
	if (setgroups(0, NULL) && errno != EPERM)
		return -errno;
	if (setgid(FZ_UID) || setuid(FZ_UID))
		return -errno;
	if (getuid() != FZ_UID || geteuid() != FZ_UID)
		return -EPERM;
	return 0;
}

struct fz_child {
	const char *what;
	pid_t pid;
	int status, done;
	uint64_t start, ms;
	char reason[256];
};

/* Start fn(seed, count) in a child running as nobody. */
static void fz_spawn(struct fz_child *c, const char *what, int (*fn)(uint32_t, uint32_t),
		     uint32_t seed, uint32_t count)
{
	memset(c, 0, sizeof(*c));
	c->what = what;
	c->start = gt_now_ms();
	fflush(stdout);
	c->pid = fork();
	if (c->pid < 0) {
		snprintf(c->reason, sizeof(c->reason), "fork: %s", gt_errno_name(errno));
		c->done = 1;
		return;
	}
	if (!c->pid) {
		int ret = fz_drop_privileges();

		if (ret) {
			printf("GUEST-INFO fuzz: cannot become %d: %s\n", FZ_UID,
			       gt_errno_name(-ret));
			_exit(5);
		}
		ret = fn(seed, count);
		fflush(stdout);
		_exit(ret);
	}
}

/* Reap the children; each gets a failure reason or none. */
static void fz_reap(struct fz_child *c, unsigned int n)
{
	uint64_t next_progress = gt_now_ms() + FZ_PROGRESS_MS;
	unsigned int left = 0, i;

	for (i = 0; i < n; i++)
		left += !c[i].done;
	while (left) {
		/* A line now and then: the host harness kills a silent guest. */
		if (gt_now_ms() >= next_progress) {
			printf("GUEST-INFO fuzz: %u child(ren) still running\n", left);
			next_progress += FZ_PROGRESS_MS;
		}
		for (i = 0; i < n; i++) {
			if (c[i].done)
				continue;
			if (waitpid(c[i].pid, &c[i].status, WNOHANG) == c[i].pid) {
				c[i].ms = gt_now_ms() - c[i].start;
				if (WIFSIGNALED(c[i].status))
					snprintf(c[i].reason, sizeof(c[i].reason),
						 "the %s child died of signal %d", c[i].what,
						 WTERMSIG(c[i].status));
				else if (WEXITSTATUS(c[i].status) == 1)
					snprintf(c[i].reason, sizeof(c[i].reason),
						 "see the GUEST-INFO fuzz.%s lines", c[i].what);
				else if (WEXITSTATUS(c[i].status))
					snprintf(c[i].reason, sizeof(c[i].reason),
						 "the %s child exited with status %d", c[i].what,
						 WEXITSTATUS(c[i].status));
			} else if (gt_now_ms() - c[i].start > FZ_CHILD_LIMIT_MS) {
				kill(c[i].pid, SIGKILL);
				waitpid(c[i].pid, &c[i].status, 0);
				snprintf(c[i].reason, sizeof(c[i].reason),
					 "the %s child did not finish in %u s", c[i].what,
					 FZ_CHILD_LIMIT_MS / 1000);
			} else {
				continue;
			}
			c[i].done = 1;
			left--;
		}
		if (left)
			usleep(20000);
	}
}

static const char *fz_no_leaks(const char *dir, long base_bos)
{
	char jobs[4096];
	long bos = -1, inflight = -1;
	uint64_t start = gt_now_ms();
	int ret;

	GT_CHECK(dir, "no npu debugfs directory under /sys/kernel/debug");
	/* Files close asynchronously to their jobs: give the scheduler a moment. */
	do {
		ret = gt_debugfs_counts(dir, &bos, &inflight, jobs, sizeof(jobs));
		GT_CHECK(!ret, "reading %s: %s", dir, gt_errno_name(-ret));
		if (bos == base_bos && !inflight)
			return NULL;
		usleep(100000);
	} while (gt_now_ms() - start < 20000);
	for (char *p = jobs; (p = strchr(p, '\n'));)
		*p = '|';
	return gt_reason("%ld BOs live (%ld before the campaign), %ld jobs in flight: %s", bos,
			 base_bos, inflight, jobs);
}

static const char *fz_device_works(uint32_t seed)
{
	struct gt_conv cc;
	struct gt_dev t;
	uint8_t *want;
	long diff;
	int ret;

	ret = gt_dev_open(&t);
	GT_CHECK(!ret, "open: %s: %s", npu_strerror(ret), npu_last_error());
	if (!gt_conv_random(&seed, t.info.sram_size, t.mem, &cc, &want)) {
		gt_dev_close(&t);
		return "the CPU kernel refused the case";
	}
	ret = gt_conv_encode(&t, &cc, 0);
	if (!ret)
		ret = gt_run(&t);
	if (ret) {
		free(want);
		gt_dev_close(&t);
		return gt_reason("conv job: %s: %s", npu_strerror(ret), npu_last_error());
	}
	diff = gt_first_diff(t.mem + cc.cmd.out_addr, want, cc.out_bytes);
	free(want);
	gt_dev_close(&t);
	GT_CHECK(diff < 0, "conv output byte %ld differs from the CPU kernel", diff);
	return NULL;
}

/* Shared and pinned memory, to tell a leak of BO pages from a peak. */
static void fz_log_memory(const char *when)
{
	char line[128], out[256] = "";
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "MemFree:", 8) || !strncmp(line, "Shmem:", 6) ||
		    !strncmp(line, "Unevictable:", 12)) {
			line[strcspn(line, "\n")] = ' ';
			strncat(out, line, sizeof(out) - strlen(out) - 1);
		}
	fclose(f);
	gt_info("fuzz memory %s: %s", when, out);
}

int suite_fuzz(void)
{
	uint32_t seed = (uint32_t)fz_cmdline("fuzz_seed", 0);
	uint32_t nioctls = (uint32_t)fz_cmdline("fuzz_ioctls", FZ_IOCTLS);
	uint32_t nstreams = (uint32_t)fz_cmdline("fuzz_streams", FZ_STREAMS);
	char dirbuf[256], jobs[4096];
	struct fz_child kids[2];
	const char *dir;
	long base_bos = -1, inflight = -1;
	uint64_t start = gt_now_ms();

	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint32_t)(ts.tv_sec ^ ts.tv_nsec ^ getpid());
		if (!seed)
			seed = 1;
	}
	gt_info("fuzz seed=%u ioctls=%u streams=%u", seed, nioctls, nstreams);
	if (chmod(GT_ACCEL_NODE, 0666))
		gt_info("fuzz: chmod %s: %s", GT_ACCEL_NODE, gt_errno_name(errno));
	dir = gt_debugfs_dir(dirbuf, sizeof(dirbuf));
	if (dir && gt_debugfs_counts(dir, &base_bos, &inflight, jobs, sizeof(jobs)))
		base_bos = -1;

	fz_log_memory("before");
	/* Both at once: random ioctls land while jobs run. */
	fz_spawn(&kids[0], "ioctls", fz_ioctl_child, seed, nioctls);
	fz_spawn(&kids[1], "streams", fz_stream_child, seed ^ 0x5a5a5a5au, nstreams);
	fz_reap(kids, 2);
	gt_info("fuzz: %u ioctls in %llu ms, %u streams in %llu ms", nioctls,
		(unsigned long long)kids[0].ms, nstreams, (unsigned long long)kids[1].ms);
	gt_result("fuzz.ioctls", kids[0].reason[0] ? kids[0].reason : NULL);
	gt_result("fuzz.streams", kids[1].reason[0] ? kids[1].reason : NULL);

	gt_result("fuzz.device-still-works", fz_device_works(seed));
	gt_result("fuzz.no-leaks", base_bos < 0 ? "cannot read the BO count from debugfs" :
				   fz_no_leaks(dir, base_bos));
	fz_log_memory("after");
	gt_info("fuzz: %llu ms in all", (unsigned long long)(gt_now_ms() - start));
	return 0;
}
