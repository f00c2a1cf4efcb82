// SPDX-License-Identifier: MIT
/* The guest test programs' common part: see guest.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"
#include "npu/kernels.h"

/* --- results ------------------------------------------------------- */

static int gt_failed;
static uint64_t gt_last_ms;

/* Cases slower than a second say so, for the harness's timing report. */
static void gt_timing(const char *name)
{
	uint64_t now = gt_now_ms();

	if (gt_last_ms && now - gt_last_ms >= 1000)
		printf("GUEST-INFO %s took %.1f s\n", name, (double)(now - gt_last_ms) / 1000);
	gt_last_ms = now;
}

void gt_ok(const char *name)
{
	printf("GUEST-RESULT %s ok\n", name);
	gt_timing(name);
	fflush(stdout);
}

void gt_fail(const char *name, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* One line per result: the harness counts lines. */
	for (char *p = reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	printf("GUEST-RESULT %s FAIL %s\n", name, reason);
	gt_timing(name);
	fflush(stdout);
	gt_failed++;
}

int gt_result(const char *name, const char *fail_reason)
{
	if (fail_reason) {
		gt_fail(name, "%s", fail_reason);
		return 0;
	}
	gt_ok(name);
	return 1;
}

void gt_info(const char *fmt, ...)
{
	va_list ap;

	printf("GUEST-INFO ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void gt_mark_time(void)
{
	gt_last_ms = gt_now_ms();
}

int gt_failures(void)
{
	return gt_failed;
}

const char *gt_reason(const char *fmt, ...)
{
	static char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return reason;
}

/* --- environment --------------------------------------------------- */

const char *gt_cmdline(const char *name)
{
	static char cmdline[4096];
	static char value[1024];
	char key[64];
	const char *p, *found = NULL;
	size_t n;

	if (!cmdline[0] && gt_read_file("/proc/cmdline", cmdline, sizeof(cmdline)))
		return NULL;
	snprintf(key, sizeof(key), "npuguest.%s=", name);
	for (p = cmdline; (p = strstr(p, key)); p++)
		if (p == cmdline || p[-1] == ' ')
			found = p + strlen(key);
	if (!found)
		return NULL;
	n = strcspn(found, " ");
	if (n >= sizeof(value))
		n = sizeof(value) - 1;
	memcpy(value, found, n);
	value[n] = '\0';
	return value;
}

const char *gt_expect(const char *key)
{
	static char value[128];
	const char *p = gt_cmdline("expect"), *end;
	size_t klen = strlen(key);

	if (!p)
		return NULL;
	end = p + strlen(p);
	while (p < end) {
		const char *item_end = p + strcspn(p, ", ");

		if ((size_t)(item_end - p) > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = (size_t)(item_end - p) - klen - 1;

			if (n >= sizeof(value))
				n = sizeof(value) - 1;
			memcpy(value, p + klen + 1, n);
			value[n] = '\0';
			return value;
		}
		p = item_end + (*item_end == ',');
	}
	return NULL;
}

uint64_t gt_now_ms(void)
{
	return (uint64_t)gt_now_ns() / 1000000;
}

int64_t gt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int gt_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

int gt_wait_path(const char *path, int present, uint32_t timeout_ms)
{
	uint64_t deadline = gt_now_ms() + timeout_ms;

	for (;;) {
		if (!!gt_exists(path) == !!present)
			return 1;
		if (gt_now_ms() > deadline)
			return 0;
		usleep(20000);
	}
}

int gt_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/*
 * Walk /dev/kmsg records with sequence number >= mark; `fn` returns
 * non-zero to stop.  Returns the sequence number after the last record
 * read, or -errno.
 */
static int64_t gt_kmsg_walk(uint64_t mark, int (*fn)(const char *text, void *arg), void *arg)
{
	char rec[8192];
	uint64_t next = 0;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		unsigned long long seq;
		char *text, *nl;

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten records: go on */
				continue;
			if (errno == EINTR)
				continue;
			break;		/* EAGAIN: the end */
		}
		rec[n] = '\0';
		if (sscanf(rec, "%*u,%llu,", &seq) != 1)
			continue;
		next = seq + 1;
		if (seq < mark)
			continue;
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (fn && fn(text, arg))
			break;
	}
	close(fd);
	return (int64_t)next;
}

uint64_t gt_kmsg_mark(void)
{
	int64_t next = gt_kmsg_walk(UINT64_MAX, NULL, NULL);

	return next < 0 ? 0 : (uint64_t)next;
}

struct gt_grep {
	const char *const *needles;
	const char *const *exclude;
	char *line;
	size_t linelen;
	int count;
};

static int gt_grep_one(const char *text, void *arg)
{
	struct gt_grep *g = arg;
	const char *const *n;

	for (n = g->needles; *n; n++)
		if (!strcasestr(text, *n))
			return 0;
	for (n = g->exclude; n && *n; n++)
		if (strcasestr(text, *n))
			return 0;
	if (!g->count++ && g->line)
		snprintf(g->line, g->linelen, "%s", text);
	return 0;
}

int gt_kmsg_grep(uint64_t mark, char *line, size_t linelen, const char *const *needles)
{
	return gt_kmsg_grep_except(mark, line, linelen, needles, NULL);
}

int gt_kmsg_grep_except(uint64_t mark, char *line, size_t linelen, const char *const *needles,
			const char *const *exclude)
{
	struct gt_grep g = { needles, exclude, line, linelen, 0 };
	int64_t ret;

	if (line && linelen)
		line[0] = '\0';
	ret = gt_kmsg_walk(mark, gt_grep_one, &g);
	return ret < 0 ? (int)ret : g.count;
}

static int gt_bug_one(const char *text, void *arg)
{
	static const char *const bugs[] = {
		"Oops", "WARNING:", "BUG:", "KASAN", "UBSAN", "Call Trace:",
		"general protection fault", "kernel BUG",
	};
	struct gt_grep *g = arg;
	size_t i;

	for (i = 0; i < sizeof(bugs) / sizeof(bugs[0]); i++) {
		if (strstr(text, bugs[i])) {
			if (!g->count++ && g->line)
				snprintf(g->line, g->linelen, "%s", text);
			return 1;
		}
	}
	return 0;
}

int gt_kmsg_bug(uint64_t mark, char *line, size_t linelen)
{
	struct gt_grep g = { NULL, NULL, line, linelen, 0 };

	if (line && linelen)
		line[0] = '\0';
	gt_kmsg_walk(mark, gt_bug_one, &g);
	return g.count;
}

/* --- raw ioctls ---------------------------------------------------- */

int gt_open(void)
{
	int fd = open(GT_ACCEL_NODE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int gt_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

int gt_query(int fd, uint32_t param, uint64_t *value)
{
	struct drm_npu_query q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.param = param;
	ret = gt_ioctl(fd, DRM_IOCTL_NPU_QUERY, &q);
	if (!ret)
		*value = q.value;
	return ret;
}

int gt_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle, uint64_t *va)
{
	struct drm_npu_bo_create c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.size = size;
	c.flags = flags;
	ret = gt_ioctl(fd, DRM_IOCTL_NPU_BO_CREATE, &c);
	if (!ret) {
		*handle = c.handle;
		if (va)
			*va = c.va;
	}
	return ret;
}

void *gt_bo_mmap(int fd, uint32_t handle, size_t size)
{
	struct drm_npu_bo_mmap_offset mo;
	void *p;
	int ret;

	memset(&mo, 0, sizeof(mo));
	mo.handle = handle;
	ret = gt_ioctl(fd, DRM_IOCTL_NPU_BO_MMAP_OFFSET, &mo);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mo.offset);
	return p == MAP_FAILED ? NULL : p;
}

int gt_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c;

	memset(&c, 0, sizeof(c));
	c.handle = handle;
	return gt_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

int gt_submit(int fd, uint32_t cmd, uint32_t offset, uint32_t size,
	      const struct drm_npu_bo_ref *bos, uint32_t bo_count, uint64_t *job_id)
{
	struct drm_npu_submit s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.cmd_handle = cmd;
	s.cmd_offset = offset;
	s.cmd_size = size;
	s.bos = (uint64_t)(uintptr_t)bos;
	s.bo_count = bo_count;
	ret = gt_ioctl(fd, DRM_IOCTL_NPU_SUBMIT, &s);
	if (!ret && job_id)
		*job_id = s.job_id;
	return ret;
}

int gt_wait_job(int fd, uint64_t job_id, int64_t deadline_ns, struct drm_npu_wait *out)
{
	struct drm_npu_wait w;
	int ret;

	memset(&w, 0, sizeof(w));
	w.type = DRM_NPU_WAIT_JOB;
	w.job_id = job_id;
	w.timeout_ns = deadline_ns;
	ret = gt_ioctl(fd, DRM_IOCTL_NPU_WAIT, &w);
	if (out)
		*out = w;
	return ret;
}

const char *gt_errno_name(int err)
{
	static char other[32];

	if (err < 0)
		err = -err;
	switch (err) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case ENOSYS: return "ENOSYS";
	case ETIME: return "ETIME";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECANCELED: return "ECANCELED";
	default:
		snprintf(other, sizeof(other), "errno %d", err);
		return other;
	}
}

/* --- modules ------------------------------------------------------- */

int gt_module_unload(void)
{
	return syscall(SYS_delete_module, "npu", O_NONBLOCK) ? -errno : 0;
}

int gt_module_load(void)
{
	return gt_module_load_params("");
}

int gt_module_load_params(const char *params)
{
	char path[256];
	int fd, ret;

	ret = gt_read_file(GT_MODULE_PATH_FILE, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

int gt_module_param(const char *name, unsigned long *value)
{
	char path[128], buf[64], *end;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/npu/parameters/%s", name);
	ret = gt_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	*value = strtoul(buf, &end, 0);
	return end == buf ? -EINVAL : 0;
}

int gt_module_loaded(void)
{
	return gt_exists("/sys/module/npu");
}

const char *gt_module_reload(const char *params)
{
	uint64_t deadline = gt_now_ms() + 10000;
	char refs[32] = "?";
	int ret;

	/* The last file of the previous user may still be going away. */
	while ((ret = gt_module_unload()) == -EWOULDBLOCK || ret == -EBUSY) {
		if (gt_now_ms() > deadline)
			break;
		usleep(50000);
	}
	if (ret && ret != -ENOENT) {
		gt_read_file("/sys/module/npu/refcnt", refs, sizeof(refs));
		return gt_reason("rmmod npu: %s (refcnt %s)", gt_errno_name(ret), refs);
	}
	GT_CHECK(gt_wait_path(GT_ACCEL_NODE, 0, 15000), "%s still there after rmmod",
		 GT_ACCEL_NODE);
	ret = gt_module_load_params(params);
	GT_CHECK(!ret, "insmod npu.ko %s: %s", params, gt_errno_name(ret));
	GT_CHECK(gt_wait_path(GT_ACCEL_NODE, 1, 15000), "no %s after insmod %s", GT_ACCEL_NODE,
		 params);
	return NULL;
}

int gt_accel_pci_name(char *name, size_t len)
{
	char link[256];
	ssize_t n = readlink("/sys/class/accel/accel0/device", link, sizeof(link) - 1);
	const char *base;

	if (n <= 0)
		return -ENOENT;
	link[n] = '\0';
	base = strrchr(link, '/');
	snprintf(name, len, "%.*s", (int)len - 1, base ? base + 1 : link);
	return 0;
}

int gt_write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

const char *gt_debugfs_dir(char *buf, size_t len)
{
	static const char *const roots[] = { "/sys/kernel/debug/accel", "/sys/kernel/debug/dri" };
	char path[600];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		DIR *d = opendir(roots[i]);
		struct dirent *e;

		if (!d)
			continue;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/bos", roots[i], e->d_name);
			if (gt_exists(path)) {
				path[strlen(path) - 4] = '\0';
				snprintf(buf, len, "%.*s", (int)(len - 1), path);
				closedir(d);
				return buf;
			}
		}
		closedir(d);
	}
	return NULL;
}

int gt_debugfs_counts(const char *dir, long *bos, long *inflight, char *jobs, size_t len)
{
	char path[256], buf[8192], *p;
	int ret;

	snprintf(path, sizeof(path), "%s/bos", dir);
	ret = gt_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	p = strrchr(buf, '\n');
	p = p ? p + 1 : buf;
	if (sscanf(p, "%ld BOs", bos) != 1)
		return -EPROTO;
	snprintf(path, sizeof(path), "%s/jobs", dir);
	ret = gt_read_file(path, jobs, len);
	if (ret)
		return ret;
	p = strstr(jobs, "in flight: ");
	if (!p || sscanf(p, "in flight: %ld", inflight) != 1)
		return -EPROTO;
	if (strstr(jobs, "  seqno "))
		*inflight = *inflight ? *inflight : 1;
	return 0;
}

long gt_debugfs_resets(void)
{
	char dir[512], path[600], buf[64];
	int ret;

	if (!gt_debugfs_dir(dir, sizeof(dir)))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/resets", dir);
	ret = gt_read_file(path, buf, sizeof(buf));
	return ret ? ret : strtol(buf, NULL, 10);
}

/* --- the QEMU monitor ---------------------------------------------- */

static int gt_hostctl_fd = -1;
static unsigned int gt_qmp_seq;
/* Bytes read from ttyS1 past the last line taken. */
static char gt_hostctl_buf[16384];
static size_t gt_hostctl_len;

/* ttyS1 in raw mode, opened once: no echo, no line editing, no carrier wait. */
static int gt_hostctl_open(void)
{
	struct termios t;
	int fd;

	if (gt_hostctl_fd >= 0)
		return gt_hostctl_fd;
	fd = open(GT_HOSTCTL_TTY, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (tcgetattr(fd, &t)) {
		close(fd);
		return -errno;
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~CRTSCTS;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	if (tcsetattr(fd, TCSANOW, &t) || tcflush(fd, TCIOFLUSH)) {
		close(fd);
		return -errno;
	}
	gt_hostctl_fd = fd;
	return fd;
}

static int gt_hostctl_write(int fd, const char *data, size_t len, uint64_t deadline)
{
	while (len) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int64_t left = (int64_t)(deadline - gt_now_ms());
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		n = write(fd, data, len);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The next line from hostctl, cut to len; 0, -ETIMEDOUT or -errno. */
static int gt_hostctl_line(int fd, char *line, size_t len, uint64_t deadline)
{
	for (;;) {
		char *nl = memchr(gt_hostctl_buf, '\n', gt_hostctl_len);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left;
		ssize_t n;

		if (nl) {
			size_t linelen = (size_t)(nl - gt_hostctl_buf);

			snprintf(line, len, "%.*s", (int)linelen, gt_hostctl_buf);
			gt_hostctl_len -= linelen + 1;
			memmove(gt_hostctl_buf, nl + 1, gt_hostctl_len);
			return 0;
		}
		/* A line longer than the buffer: keep its start, drop the rest. */
		if (gt_hostctl_len == sizeof(gt_hostctl_buf))
			gt_hostctl_len = sizeof(gt_hostctl_buf) / 2;
		left = (int64_t)(deadline - gt_now_ms());
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		n = read(fd, gt_hostctl_buf + gt_hostctl_len,
			 sizeof(gt_hostctl_buf) - gt_hostctl_len);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (n > 0)
			gt_hostctl_len += (size_t)n;
	}
}

int gt_qmp(const char *json, char *reply, size_t len)
{
	char req[2048], line[4096], tag[32];
	size_t n = strlen(json);
	uint64_t deadline = gt_now_ms() + GT_QMP_TIMEOUT_MS;
	int fd = gt_hostctl_open(), ret;

	if (fd < 0)
		return fd;
	while (n && (json[n - 1] == ' ' || json[n - 1] == '\n'))
		n--;
	if (!n || json[n - 1] != '}')
		return -EINVAL;
	/* A tag of its own: a late reply to an earlier request (of any process) is skipped. */
	snprintf(tag, sizeof(tag), "\"gt-%d-%u\"", (int)getpid(), ++gt_qmp_seq);
	if ((size_t)snprintf(req, sizeof(req), "%.*s, \"id\": %s}\n", (int)(n - 1), json, tag) >=
	    sizeof(req))
		return -E2BIG;
	ret = gt_hostctl_write(fd, req, strlen(req), deadline);
	while (!ret) {
		ret = gt_hostctl_line(fd, line, sizeof(line), deadline);
		if (ret || !strstr(line, tag))
			continue;
		if (reply)
			snprintf(reply, len, "%s", line);
		return strstr(line, "\"return\":") ? 0 : -EREMOTEIO;
	}
	return ret;
}

/* The events hostctl kept since the last call: one JSON array line. */
static int gt_qmp_events(int fd, char *line, size_t len)
{
	uint64_t deadline = gt_now_ms() + GT_QMP_TIMEOUT_MS;
	int ret = gt_hostctl_write(fd, "EVENTS\n", 7, deadline);

	/* Other lines are late replies to requests that timed out. */
	do {
		if (!ret)
			ret = gt_hostctl_line(fd, line, len, deadline);
	} while (!ret && line[0] != '[');
	return ret;
}

int gt_qmp_wait_event(const char *const *needles, uint32_t timeout_ms)
{
	static char line[16384];
	uint64_t deadline = gt_now_ms() + timeout_ms;
	int fd = gt_hostctl_open();

	if (fd < 0)
		return fd;
	for (;;) {
		const char *const *n;
		int ret = gt_qmp_events(fd, line, sizeof(line));

		if (ret)
			return ret;
		for (n = needles; *n && strstr(line, *n); n++)
			;
		if (!*n)
			return 1;
		if (gt_now_ms() > deadline)
			return 0;
		usleep(100000);
	}
}

int gt_inject(const char *knob, unsigned int value)
{
	char json[256], reply[512];
	int ret;

	snprintf(json, sizeof(json),
		 "{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/machine/peripheral/%s\", "
		 "\"property\": \"%s\", \"value\": %u}}", GT_QMP_DEVICE, knob, value);
	ret = gt_qmp(json, reply, sizeof(reply));
	if (ret == -EREMOTEIO)
		gt_info("qom-set %s=%u: %s", knob, value, reply);
	return ret;
}

int gt_device_del(uint32_t timeout_ms)
{
	static const char *const deleted[] = {
		"DEVICE_DELETED", "/machine/peripheral/" GT_QMP_DEVICE "\"", NULL,
	};
	static char events[16384];
	char reply[512];
	int fd = gt_hostctl_open(), ret;

	if (fd < 0)
		return fd;
	/* Forget older events: only this removal's DEVICE_DELETED counts. */
	ret = gt_qmp_events(fd, events, sizeof(events));
	if (ret)
		return ret;
	ret = gt_qmp("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"" GT_QMP_DEVICE
		     "\"}}", reply, sizeof(reply));
	if (ret) {
		if (ret == -EREMOTEIO)
			gt_info("device_del: %s", reply);
		return ret;
	}
	ret = gt_qmp_wait_event(deleted, timeout_ms);
	return ret < 0 ? ret : ret ? 0 : -ETIMEDOUT;
}

int gt_device_add(void)
{
	const char *props = gt_cmdline("npu_props");
	char json[1024], reply[512], prop[256];
	size_t at;
	int ret;

	at = (size_t)snprintf(json, sizeof(json), "{\"execute\": \"device_add\", \"arguments\": "
			      "{\"driver\": \"npu\", \"id\": \"%s\"", GT_QMP_DEVICE);
	/* k=v,... from run-guest.sh: numbers stay numbers for QMP. */
	while (props && *props) {
		size_t plen = strcspn(props, ",");
		char *eq;

		snprintf(prop, sizeof(prop), "%.*s", (int)plen, props);
		props += plen + (props[plen] == ',');
		eq = strchr(prop, '=');
		if (!eq)
			return -EINVAL;
		*eq++ = '\0';
		at += (size_t)snprintf(json + at, sizeof(json) - at,
				       eq[strspn(eq, "0123456789")] || !*eq ? ", \"%s\": \"%s\"" :
				       ", \"%s\": %s", prop, eq);
		if (at >= sizeof(json))
			return -E2BIG;
	}
	if ((size_t)snprintf(json + at, sizeof(json) - at, "}}") >= sizeof(json) - at)
		return -E2BIG;
	ret = gt_qmp(json, reply, sizeof(reply));
	if (ret == -EREMOTEIO)
		gt_info("device_add: %s", reply);
	return ret;
}

/* --- jobs through libnpu ------------------------------------------- */

int gt_dev_open(struct gt_dev *t)
{
	const char *backend = getenv("NPU_GUEST_BACKEND");
	int ret;

	memset(t, 0, sizeof(*t));
	ret = npu_device_open(backend ? backend : "drm", &t->dev);
	if (ret)
		return ret;
	ret = npu_device_query(t->dev, &t->info);
	if (!ret)
		ret = npu_bo_create(t->dev, GT_DATA_SIZE, 0, &t->data);
	if (!ret)
		ret = npu_bo_create(t->dev, GT_CMD_SIZE, NPU_BO_DEVICE_READONLY, &t->cmd);
	if (!ret)
		ret = npu_cs_create(t->info.sram_size, &t->cs);
	if (ret) {
		gt_dev_close(t);
		return ret;
	}
	t->mem = npu_bo_map(t->data);
	return 0;
}

void gt_dev_close(struct gt_dev *t)
{
	npu_cs_destroy(t->cs);
	if (t->cmd)
		npu_bo_destroy(t->cmd);
	if (t->data)
		npu_bo_destroy(t->data);
	npu_device_close(t->dev);
	memset(t, 0, sizeof(*t));
}

int gt_load(struct gt_dev *t, uint32_t sram, uint32_t offset, uint32_t len)
{
	return npu_cs_load_linear(t->cs, sram, npu_bo_va(t->data) + offset, len);
}

int gt_store(struct gt_dev *t, uint32_t offset, uint32_t sram, uint32_t len)
{
	return npu_cs_store_linear(t->cs, npu_bo_va(t->data) + offset, sram, len);
}

uint32_t gt_stage(struct gt_dev *t, uint32_t at)
{
	size_t size = npu_cs_size(t->cs);

	if (at > GT_CMD_SIZE || size > GT_CMD_SIZE - at)
		return 0;
	memcpy((uint8_t *)npu_bo_map(t->cmd) + at, npu_cs_data(t->cs), size);
	npu_cs_reset(t->cs);
	return (uint32_t)size;
}

int gt_run(struct gt_dev *t)
{
	struct npu_job job = { .cmd = t->cmd, .offset = 0 };

	job.size = gt_stage(t, 0);
	if (!job.size)
		return NPU_E_INVALID;
	memset(&t->result, 0, sizeof(t->result));
	return npu_job_run(t->dev, &job, GT_JOB_TIMEOUT_MS, &t->result);
}

uint32_t gt_rand(uint32_t *state)
{
	/* xorshift32; a zero state would stay zero. */
	uint32_t x = *state ? *state : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

int gt_rand_range(uint32_t *state, int lo, int hi)
{
	return lo + (int)(gt_rand(state) % (uint32_t)(hi - lo + 1));
}

void gt_random_bytes(uint32_t *state, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(gt_rand(state) >> 11);
}

#define ALIGN16(x)	(((x) + 15u) & ~15u)

static struct npu_quant gt_rand_quant(uint32_t *s, int min_shift, int max_shift)
{
	struct npu_quant q;

	q.multiplier = (int32_t)(0x40000000u + (gt_rand(s) & 0x3fffffffu));
	q.shift = gt_rand_range(s, min_shift, max_shift);
	return q;
}

/* The shape of a random convolution, as the unit suite's rand_conv. */
static void gt_conv_shape(uint32_t *s, struct gt_conv *cc)
{
	struct npu_cmd_conv *c = &cc->cmd;
	int kind = gt_rand_range(s, 0, 3);
	uint32_t eff_h, eff_w, ph, pw;

	memset(cc, 0, sizeof(*cc));
	c->kernel_h = (uint8_t)gt_rand_range(s, 1, 5);
	c->kernel_w = (uint8_t)gt_rand_range(s, 1, 5);
	c->stride_h = (uint8_t)gt_rand_range(s, 1, 2);
	c->stride_w = (uint8_t)gt_rand_range(s, 1, 2);
	c->dilation_h = (uint8_t)gt_rand_range(s, 1, 2);
	c->dilation_w = (uint8_t)gt_rand_range(s, 1, 2);
	c->pad_top = (uint8_t)gt_rand_range(s, 0, c->kernel_h - 1);
	c->pad_bottom = (uint8_t)gt_rand_range(s, 0, c->kernel_h - 1);
	c->pad_left = (uint8_t)gt_rand_range(s, 0, c->kernel_w - 1);
	c->pad_right = (uint8_t)gt_rand_range(s, 0, c->kernel_w - 1);
	if (kind == 0) {
		c->groups = 1;
		c->in_c = (uint16_t)gt_rand_range(s, 1, 40);
		c->out_c = (uint16_t)gt_rand_range(s, 1, 64);
	} else if (kind == 1) {
		c->groups = (uint16_t)gt_rand_range(s, 2, 4);
		c->in_c = (uint16_t)(c->groups * gt_rand_range(s, 1, 9));
		c->out_c = (uint16_t)(c->groups * gt_rand_range(s, 1, 9));
	} else {
		c->in_c = c->groups = (uint16_t)gt_rand_range(s, 1, 64);
		c->out_c = (uint16_t)(c->in_c * (kind == 2 ? 1 : 2));
	}
	eff_h = c->dilation_h * (c->kernel_h - 1u) + 1u;
	eff_w = c->dilation_w * (c->kernel_w - 1u) + 1u;
	ph = c->pad_top + c->pad_bottom;
	pw = c->pad_left + c->pad_right;
	c->in_h = (uint16_t)((eff_h > ph ? eff_h - ph : 1) + (uint32_t)gt_rand_range(s, 0, 12));
	c->in_w = (uint16_t)((eff_w > pw ? eff_w - pw : 1) + (uint32_t)gt_rand_range(s, 0, 12));
	c->out_h = (uint16_t)((c->in_h + ph - eff_h) / c->stride_h + 1);
	c->out_w = (uint16_t)((c->in_w + pw - eff_w) / c->stride_w + 1);
	c->flags = (gt_rand(s) & 1 ? NPU_F_IN_U8 : 0) | (gt_rand(s) & 1 ? NPU_F_OUT_U8 : 0) |
		   (gt_rand(s) & 1 ? NPU_F_PER_CHANNEL : 0) | (gt_rand(s) & 1 ? NPU_F_BIAS : 0);
	c->in_zp = (int16_t)(c->flags & NPU_F_IN_U8 ? gt_rand_range(s, 0, 255) :
				gt_rand_range(s, -128, 127));
	c->out_zp = (int16_t)(c->flags & NPU_F_OUT_U8 ? gt_rand_range(s, 0, 255) :
				 gt_rand_range(s, -128, 127));
	c->act_min = (int16_t)(c->flags & NPU_F_OUT_U8 ? 0 : -128);
	c->act_max = (int16_t)(c->flags & NPU_F_OUT_U8 ? 255 : 127);
	if (!(c->flags & NPU_F_PER_CHANNEL))
		c->quant = gt_rand_quant(s, -14, 0);

	cc->in_bytes = (uint32_t)c->in_h * c->in_w * c->in_c;
	cc->wt_bytes = (uint32_t)c->out_c * c->kernel_h * c->kernel_w * (c->in_c / c->groups);
	cc->out_bytes = (uint32_t)c->out_h * c->out_w * c->out_c;
	c->in_addr = 0;
	c->wt_addr = ALIGN16(cc->in_bytes);
	cc->bias_at = ALIGN16(c->wt_addr + cc->wt_bytes);
	cc->quant_at = ALIGN16(cc->bias_at + 4u * c->out_c);
	c->out_addr = ALIGN16(cc->quant_at + 8u * c->out_c);
	c->bias_addr = c->flags & NPU_F_BIAS ? cc->bias_at : 0;
	c->quant_addr = c->flags & NPU_F_PER_CHANNEL ? cc->quant_at : 0;
	cc->total = c->out_addr + cc->out_bytes;
	cc->macs = (uint64_t)cc->out_bytes * c->kernel_h * c->kernel_w * (c->in_c / c->groups);
}

uint32_t gt_conv_random(uint32_t *s, uint32_t sram, uint8_t *mem, struct gt_conv *cc,
			uint8_t **want)
{
	struct npu_cmd_conv *c = &cc->cmd;
	uint8_t *ref;
	uint32_t oc;

	*want = NULL;
	do
		gt_conv_shape(s, cc);
	while (cc->total > sram);

	gt_random_bytes(s, mem, c->out_addr);
	for (oc = 0; oc < c->out_c; oc++) {
		struct npu_quant q = gt_rand_quant(s, -14, 1);
		int32_t bias = gt_rand_range(s, -40000, 40000);

		memcpy(mem + cc->quant_at + 8 * oc, &q, sizeof(q));
		memcpy(mem + cc->bias_at + 4 * oc, &bias, sizeof(bias));
	}
	memset(mem + c->out_addr, 0xaa, cc->out_bytes);

	/* The CPU kernel on a copy of the operands, laid out as the SRAM. */
	ref = calloc(1, sram);
	*want = malloc(cc->out_bytes);
	if (ref && *want)
		memcpy(ref, mem, c->out_addr);
	if (!ref || !*want || npu_kernel_conv_cmd(c, ref, sram)) {
		free(ref);
		free(*want);
		*want = NULL;
		return 0;
	}
	memcpy(*want, ref + c->out_addr, cc->out_bytes);
	free(ref);
	return cc->out_bytes;
}

int gt_conv_encode(struct gt_dev *t, const struct gt_conv *cc, uint32_t base)
{
	const struct npu_cmd_conv *c = &cc->cmd;
	int ret;

	ret = gt_load(t, 0, base, c->out_addr);
	if (!ret)
		ret = npu_cs_sync(t->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = npu_cs_conv(t->cs, c);
	if (!ret)
		ret = npu_cs_sync(t->cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC));
	if (!ret)
		ret = gt_store(t, base + c->out_addr, c->out_addr, cc->out_bytes);
	return ret;
}

long gt_first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

int gt_procs_together(const char *all, int n, const char *(*child)(int),
		      const char *const *names)
{
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	int go[2], i, failed = 0;

	if (!pids) {
		gt_fail(all, "out of memory");
		return n;
	}
	if (pipe(go)) {
		gt_fail(all, "pipe: %s", strerror(errno));
		free(pids);
		return n;
	}
	/* Unflushed output would be printed again by every child. */
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			gt_fail(all, "fork: %s", strerror(errno));
			pids[i] = 0;
			continue;
		}
		if (!pids[i]) {
			const char *reason;
			char c;

			close(go[1]);
			/* Start together: wait until the parent closes the pipe. */
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
			reason = child(i);
			gt_result(names[i], reason);
			_exit(reason ? 1 : 0);
		}
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < n; i++) {
		int status;

		if (!pids[i]) {
			failed++;
			continue;
		}
		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			if (WIFSIGNALED(status))
				gt_fail(all, "%s died of signal %d", names[i], WTERMSIG(status));
		}
	}
	free(pids);
	if (failed)
		gt_fail(all, "%d of %d processes failed", failed, n);
	else
		gt_ok(all);
	return failed;
}
