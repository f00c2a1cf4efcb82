// SPDX-License-Identifier: MIT
/*
 * observe: what the driver shows of itself.
 *   - Tracepoints: with tracefs's events/npu enabled, a good job and a
 *     job that faults in the MMU (a load from a VA no BO of the file
 *     covers) leave npu_submit, npu_run and npu_complete lines (the
 *     complete line with the job's status), and the fault an
 *     npu_mmu_fault line with its context, address and seqno; the
 *     firmware log (debugfs fw_log) has the fault's line too.
 *   - With npu.ko reloaded with job_timeout_ms=1000: debugfs fw_log
 *     holds the boot banner of the firmware the driver talks to; a job
 *     that runs for minutes (one DMA of 65535 x 65535 one-byte runs,
 *     all strides 0) fails with ETIMEDOUT after a reset, the trace has
 *     the npu_reset line, and the reset leaves a devcoredump
 *     (/sys/class/devcoredump/devcd<n>/data) that names the reason and
 *     holds the registers, the guilty job's seqno and stream address
 *     and the firmware log; a write to it deletes it.  npu.ko is then
 *     loaded again with its defaults and runs a job.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"

#define OB_DATA_SIZE	(1u << 20)
#define OB_CMD_SIZE	(64u << 10)
#define OB_OUT		(512u << 10)	/* output offset in the data BO */
#define OB_COPY		4096u
/* A VA far above the file's BOs (they start at the bottom of the space). */
#define OB_FAULT_VA	0xe0001230u
#define OB_TIMEOUT_MS	1000u
#define OB_NODE_MS	15000u
#define OB_FAR_NS	(60ll * 1000000000)
#define OB_TRACE_MAX	(4u << 20)

/* Stream offsets in the command BO. */
#define OB_AT_GOOD	0u
#define OB_AT_FAULT	4096u
#define OB_AT_LONG	8192u

static const char *const ob_tracefs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

/* --- files --------------------------------------------------------- */

/* The whole file, NUL-terminated, at most max bytes; NULL with errno. */
static char *ob_slurp(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	char *buf, *grown;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			if (cap >= max)
				break;
			cap *= 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

/* Copy the first line of buf that contains every needle into line; 1 if found. */
static int ob_find_line(const char *buf, const char *const *needles, char *line, size_t len)
{
	const char *p = buf;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char tmp[1024];
		int i, all = 1;

		snprintf(tmp, sizeof(tmp), "%.*s", (int)n, p);
		for (i = 0; needles[i]; i++)
			if (!strstr(tmp, needles[i]))
				all = 0;
		if (all) {
			if (line)
				snprintf(line, len, "%s", tmp);
			return 1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* The number after `key` in line (e.g. "seqno="), or -1. */
static long long ob_field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoll(p + strlen(key), NULL, 0) : -1;
}

/* --- debugfs, tracefs, devcoredump ---------------------------------- */

/* The accel device's debugfs folder. */
static const char *ob_debugfs_dir(void)
{
	static char dir[300];

	return gt_debugfs_dir(dir, sizeof(dir));
}

static const char *ob_trace_dir(void)
{
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/npu/enable", ob_tracefs[i]);
		if (gt_exists(path))
			return ob_tracefs[i];
	}
	return NULL;
}

/* Empty the trace buffer and switch the npu events on (or off); 0 or -errno. */
static int ob_trace_start(const char *dir, int on)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "%s/events/npu/enable", dir);
	ret = gt_write_file(path, on ? "1" : "0");
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/trace", dir);
	ret = gt_write_file(path, "");
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/tracing_on", dir);
	return on ? gt_write_file(path, "1") : 0;
}

/*
 * Wait up to timeout_ms for a trace line with every needle; 1 if one
 * came, its text in line.
 */
static int ob_trace_wait(const char *dir, const char *const *needles, char *line, size_t len,
			 uint32_t timeout_ms)
{
	uint64_t deadline = gt_now_ms() + timeout_ms;
	char path[128];

	snprintf(path, sizeof(path), "%s/trace", dir);
	for (;;) {
		char *buf = ob_slurp(path, OB_TRACE_MAX, NULL);
		int found = buf && ob_find_line(buf, needles, line, len);

		free(buf);
		if (found)
			return 1;
		if (gt_now_ms() > deadline)
			return 0;
		usleep(20000);
	}
}

/* The devcoredump folder of PCI device pci, in dir; 1 if there is one. */
static int ob_devcd_find(const char *pci, char *dir, size_t len)
{
	DIR *d = opendir("/sys/class/devcoredump");
	char path[600], link[256];
	struct dirent *e;
	ssize_t n;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		const char *base;

		if (strncmp(e->d_name, "devcd", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/devcoredump/%s/failing_device", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		base = strrchr(link, '/');
		if (strcmp(base ? base + 1 : link, pci))
			continue;
		snprintf(dir, len, "/sys/class/devcoredump/%s", e->d_name);
		closedir(d);
		return 1;
	}
	closedir(d);
	return 0;
}

/* Delete the device's devcoredumps (a write to data does); 0 or -errno. */
static int ob_devcd_clear(const char *pci)
{
	char dir[300], path[320];
	int i, ret;

	for (i = 0; i < 8 && ob_devcd_find(pci, dir, sizeof(dir)); i++) {
		snprintf(path, sizeof(path), "%s/data", dir);
		ret = gt_write_file(path, "1");
		if (ret)
			return ret;
		if (!gt_wait_path(dir, 0, 5000))
			return -EBUSY;
	}
	return 0;
}

/* --- module -------------------------------------------------------- */

/* --- jobs ---------------------------------------------------------- */

struct ob_ctx {
	int fd;
	uint32_t data, cmd;		/* handles */
	uint64_t data_va, cmd_va;
	uint8_t *mem, *cmdmap;
	struct npu_cs *cs;
};

static void ob_close(struct ob_ctx *o)
{
	npu_cs_destroy(o->cs);
	if (o->cmdmap)
		munmap(o->cmdmap, OB_CMD_SIZE);
	if (o->mem)
		munmap(o->mem, OB_DATA_SIZE);
	if (o->fd >= 0)
		close(o->fd);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

static const char *ob_open(struct ob_ctx *o)
{
	uint64_t sram = 0;
	int ret;

	memset(o, 0, sizeof(*o));
	o->fd = gt_open();
	GT_CHECK(o->fd >= 0, "open %s: %s", GT_ACCEL_NODE, gt_errno_name(o->fd));
	ret = gt_query(o->fd, DRM_NPU_PARAM_SRAM_SIZE, &sram);
	if (!ret)
		ret = gt_bo_create(o->fd, OB_DATA_SIZE, 0, &o->data, &o->data_va);
	if (!ret)
		ret = gt_bo_create(o->fd, OB_CMD_SIZE, 0, &o->cmd, &o->cmd_va);
	GT_CHECK(!ret, "query or BO create: %s", gt_errno_name(ret));
	o->mem = gt_bo_mmap(o->fd, o->data, OB_DATA_SIZE);
	o->cmdmap = gt_bo_mmap(o->fd, o->cmd, OB_CMD_SIZE);
	GT_CHECK(o->mem && o->cmdmap, "mmap: %s", strerror(errno));
	ret = npu_cs_create((uint32_t)sram, &o->cs);
	GT_CHECK(!ret, "npu_cs_create: %s", npu_strerror(ret));
	return NULL;
}

/* Copy the encoded stream to the command BO at `at` and submit it; 0 or -errno. */
static int ob_submit(struct ob_ctx *o, uint32_t at, uint32_t *size, uint64_t *id)
{
	struct drm_npu_bo_ref ref = { o->data, DRM_NPU_BO_READ | DRM_NPU_BO_WRITE };

	*size = (uint32_t)npu_cs_size(o->cs);
	memcpy(o->cmdmap + at, npu_cs_data(o->cs), *size);
	npu_cs_reset(o->cs);
	return gt_submit(o->fd, o->cmd, at, *size, &ref, 1, id);
}

/* A job that copies OB_COPY bytes from data[0] to data[OB_OUT]. */
static const char *ob_good_job(struct ob_ctx *o, uint64_t *id, uint32_t *size)
{
	struct drm_npu_wait w;
	uint32_t seed = 11;
	int ret;

	gt_random_bytes(&seed, o->mem, OB_COPY);
	memset(o->mem + OB_OUT, 0, OB_COPY);
	ret = npu_cs_load_linear(o->cs, 0, (uint32_t)o->data_va, OB_COPY);
	if (!ret)
		ret = npu_cs_sync(o->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = npu_cs_store_linear(o->cs, (uint32_t)o->data_va + OB_OUT, 0, OB_COPY);
	GT_CHECK(!ret, "encode the copy: %s", npu_strerror(ret));
	ret = ob_submit(o, OB_AT_GOOD, size, id);
	GT_CHECK(!ret, "submit the copy: %s", gt_errno_name(ret));
	ret = gt_wait_job(o->fd, *id, gt_now_ns() + OB_FAR_NS, &w);
	GT_CHECK(!ret && w.job_status == NPU_OK, "copy job: %s, status %u", gt_errno_name(ret),
		 w.job_status);
	GT_CHECK(!memcmp(o->mem, o->mem + OB_OUT, OB_COPY), "the copy job copied wrong");
	return NULL;
}

/* A job whose load from OB_FAULT_VA faults in the MMU. */
static const char *ob_fault_job(struct ob_ctx *o, uint64_t *id, uint32_t *size)
{
	struct drm_npu_wait w;
	int ret;

	ret = npu_cs_load_linear(o->cs, 0, OB_FAULT_VA, 64);
	GT_CHECK(!ret, "encode the load: %s", npu_strerror(ret));
	ret = ob_submit(o, OB_AT_FAULT, size, id);
	GT_CHECK(!ret, "submit the load: %s", gt_errno_name(ret));
	ret = gt_wait_job(o->fd, *id, gt_now_ns() + OB_FAR_NS, &w);
	GT_CHECK(!ret && w.job_status == NPU_ERR_MMU && w.fault_addr == OB_FAULT_VA,
		 "load from %#x: %s, status %u, fault address %#x; expected an MMU fault there",
		 OB_FAULT_VA, gt_errno_name(ret), w.job_status, w.fault_addr);
	return NULL;
}

/* --- (a) tracepoints ----------------------------------------------- */

struct ob_traced {
	uint64_t id;
	uint32_t at, size;
	long long seqno, ctx;
};

/* The submit, run and complete lines of one job; fills seqno and ctx. */
static const char *ob_job_lines(const char *tdir, uint64_t cmd_va, struct ob_traced *j,
				unsigned int status, const char *what)
{
	char job[48], cmd[64], seq[48], st[48], line[1024];
	const char *submit[] = { "npu_submit:", job, cmd, NULL };
	const char *run[] = { "npu_run:", cmd, NULL };
	const char *complete[] = { "npu_complete:", seq, st, NULL };

	snprintf(job, sizeof(job), " job=%llu ", (unsigned long long)j->id);
	snprintf(cmd, sizeof(cmd), " cmd=%#llx+%u", (unsigned long long)cmd_va + j->at, j->size);
	GT_CHECK(ob_trace_wait(tdir, submit, line, sizeof(line), 2000),
		 "no npu_submit line with%s%s for the %s job", job, cmd, what);
	GT_CHECK(ob_trace_wait(tdir, run, line, sizeof(line), 2000),
		 "no npu_run line with%s for the %s job", cmd, what);
	j->seqno = ob_field(line, " seqno=");
	j->ctx = ob_field(line, " ctx=");
	GT_CHECK(j->seqno >= 0 && j->ctx > 0, "npu_run line without seqno or ctx: %s", line);
	snprintf(seq, sizeof(seq), " seqno=%lld ", j->seqno);
	snprintf(st, sizeof(st), " status=%u ", status);
	GT_CHECK(ob_trace_wait(tdir, complete, line, sizeof(line), 2000),
		 "no npu_complete line with%s%s for the %s job", seq, st, what);
	return NULL;
}

static const char *ob_trace_case(const char *tdir, const char *dbg)
{
	struct ob_traced good = { .at = OB_AT_GOOD }, bad = { .at = OB_AT_FAULT };
	char addr[48], seq[48], ctx[48], line[1024], path[320];
	const char *fault[] = { "npu_mmu_fault:", addr, seq, ctx, NULL };
	const char *reason;
	struct ob_ctx o;
	char *log;
	int ret;

	ret = ob_trace_start(tdir, 1);
	GT_CHECK(!ret, "enable %s/events/npu: %s", tdir, gt_errno_name(ret));
	reason = ob_open(&o);
	if (!reason)
		reason = ob_good_job(&o, &good.id, &good.size);
	if (!reason)
		reason = ob_fault_job(&o, &bad.id, &bad.size);
	if (!reason)
		reason = ob_job_lines(tdir, o.cmd_va, &good, NPU_OK, "copy");
	if (!reason)
		reason = ob_job_lines(tdir, o.cmd_va, &bad, NPU_ERR_MMU, "faulting");
	if (!reason) {
		snprintf(addr, sizeof(addr), " addr=%#x ", OB_FAULT_VA);
		snprintf(seq, sizeof(seq), " seqno=%lld ", bad.seqno);
		snprintf(ctx, sizeof(ctx), " ctx=%lld ", bad.ctx);
		if (!ob_trace_wait(tdir, fault, line, sizeof(line), 3000))
			reason = gt_reason("no npu_mmu_fault line with%s%s%s", ctx, addr, seq);
		else
			gt_info("observe: %s", line);
	}
	if (!reason) {
		/* The firmware logs the fault as "job <seqno>: status <status> ...". */
		snprintf(path, sizeof(path), "%s/fw_log", dbg);
		snprintf(seq, sizeof(seq), "job %lld: status %u ", bad.seqno, NPU_ERR_MMU);
		log = ob_slurp(path, 1u << 20, NULL);
		if (!log || !strstr(log, seq))
			reason = gt_reason("%s has no line '%s'", path, seq);
		free(log);
	}
	ob_close(&o);
	ob_trace_start(tdir, 0);
	return reason;
}

/* --- (b) firmware log ---------------------------------------------- */

static const char *ob_fw_log_case(const char *dbg)
{
	char path[320], banner[64];
	uint64_t v = 0;
	size_t len = 0;
	char *log;
	int fd, ret;

	fd = gt_open();
	GT_CHECK(fd >= 0, "open: %s", gt_errno_name(fd));
	ret = gt_query(fd, DRM_NPU_PARAM_FW_VERSION, &v);
	close(fd);
	GT_CHECK(!ret, "query the firmware version: %s", gt_errno_name(ret));
	/* firmware/job.c: "npu-fw <major>.<minor>.<patch> api <major>.<minor>\n" */
	snprintf(banner, sizeof(banner), "npu-fw %u.%u.%u api ", (unsigned int)(v >> 16),
		 (unsigned int)(v >> 8) & 0xff, (unsigned int)v & 0xff);
	snprintf(path, sizeof(path), "%s/fw_log", dbg);
	log = ob_slurp(path, 1u << 20, &len);
	GT_CHECK(log, "read %s: %s", path, strerror(errno));
	if (!len || !strstr(log, banner)) {
		const char *reason = gt_reason("%s (%zu bytes) has no '%s'", path, len, banner);

		free(log);
		return reason;
	}
	free(log);
	return NULL;
}

/* --- (c) timeout, reset, devcoredump ------------------------------- */

/* A DMA of 65535 x 65535 one-byte runs, every stride 0: minutes of work. */
static int ob_encode_long(struct ob_ctx *o)
{
	struct npu_cmd_dma d;

	memset(&d, 0, sizeof(d));
	d.dram_addr = (uint32_t)o->data_va;
	d.sram_addr = 0;
	d.size[0] = 1;
	d.size[1] = 65535;
	d.size[2] = 65535;
	d.size[3] = 1;
	return npu_cs_dma_load(o->cs, &d);
}

static const char *ob_devcd_check(const char *data, long long seqno, uint64_t cmd_addr)
{
	char want[96];

	GT_CHECK(strstr(data, "reason: job timed out\n"), "no 'reason: job timed out' line");
	GT_CHECK(strstr(data, "\nregisters:\n") && strstr(data, "NPU_REG_STATUS") &&
		 strstr(data, "NPU_REG_RING_HEAD") && strstr(data, "NPU_REG_MMU_ROOT( 1)") &&
		 strstr(data, "perf.cycles"), "no register dump");
	snprintf(want, sizeof(want), "guilty job:\n  seqno: %lld\n", seqno);
	GT_CHECK(strstr(data, want), "no guilty job with seqno %lld", seqno);
	snprintf(want, sizeof(want), "  command address: %#llx\n", (unsigned long long)cmd_addr);
	GT_CHECK(strstr(data, want), "no guilty command address %#llx",
		 (unsigned long long)cmd_addr);
	snprintf(want, sizeof(want), "  descriptor: seqno %lld ", seqno);
	GT_CHECK(strstr(data, want), "no descriptor of the guilty job");
	GT_CHECK(strstr(data, "  done record: not written"),
		 "the guilty job's done record is not reported unwritten");
	GT_CHECK(strstr(data, "\nfirmware log (") && strstr(data, "npu-fw "),
		 "no firmware log with the boot banner");
	return NULL;
}

static const char *ob_timeout_case(const char *tdir, const char *pci)
{
	char cmd[64], line[1024], dir[300], path[320];
	const char *run[] = { "npu_run:", cmd, NULL };
	const char *reset[] = { "npu_reset:", "reason=\"job timed out\"", " ret=0", NULL };
	struct drm_npu_wait w;
	const char *reason = NULL;
	long long seqno = -1;
	struct ob_ctx o;
	uint32_t size;
	uint64_t id;
	size_t len = 0;
	char *data;
	int ret;

	ret = ob_devcd_clear(pci);
	GT_CHECK(!ret, "delete earlier devcoredumps: %s", gt_errno_name(ret));
	ret = ob_trace_start(tdir, 1);
	GT_CHECK(!ret, "enable %s/events/npu: %s", tdir, gt_errno_name(ret));
	reason = ob_open(&o);
	if (reason)
		goto out;
	ret = ob_encode_long(&o);
	if (!ret)
		ret = ob_submit(&o, OB_AT_LONG, &size, &id);
	if (ret) {
		reason = gt_reason("encode or submit the long DMA: %d", ret);
		goto out;
	}
	snprintf(cmd, sizeof(cmd), " cmd=%#llx+%u", (unsigned long long)o.cmd_va + OB_AT_LONG,
		 size);
	if (ob_trace_wait(tdir, run, line, sizeof(line), 5000))
		seqno = ob_field(line, " seqno=");
	ret = gt_wait_job(o.fd, id, gt_now_ns() + OB_FAR_NS, &w);
	if (ret != -ETIMEDOUT) {
		reason = gt_reason("the long job ended with %s, expected ETIMEDOUT after %u ms",
				   gt_errno_name(ret), OB_TIMEOUT_MS);
		goto out;
	}
	if (seqno < 0) {
		reason = gt_reason("no npu_run line with%s", cmd);
		goto out;
	}
	if (!ob_trace_wait(tdir, reset, line, sizeof(line), 2000)) {
		reason = "no npu_reset line with reason=\"job timed out\" and ret=0";
		goto out;
	}
	gt_info("observe: %s", line);

	/* A worker publishes the dump after the reset. */
	for (ret = 0; ret < 250 && !ob_devcd_find(pci, dir, sizeof(dir)); ret++)
		usleep(20000);
	if (!ob_devcd_find(pci, dir, sizeof(dir))) {
		reason = gt_reason("no devcoredump of %s after the reset", pci);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/data", dir);
	data = ob_slurp(path, 1u << 20, &len);
	if (!data) {
		reason = gt_reason("read %s: %s", path, strerror(errno));
		goto out;
	}
	gt_info("observe: %s: %zu bytes", path, len);
	reason = ob_devcd_check(data, seqno, o.cmd_va + OB_AT_LONG);
	if (reason) {
		/* Show the start of what was there. */
		gt_info("observe: devcoredump begins: %.300s", data);
	}
	free(data);
	if (reason)
		goto out;
	ret = gt_write_file(path, "1");
	if (ret)
		reason = gt_reason("delete %s: %s", dir, gt_errno_name(ret));
	else if (!gt_wait_path(dir, 0, 5000))
		reason = gt_reason("%s still there after a write to its data", dir);
out:
	ob_close(&o);
	ob_trace_start(tdir, 0);
	return reason;
}

/* --- the suite ----------------------------------------------------- */

static const char *ob_log_clean(uint64_t mark)
{
	char line[256];

	GT_CHECK(!gt_kmsg_bug(mark, line, sizeof(line)), "kernel: %s", line);
	return NULL;
}

/* After the reload with defaults: the default timeout and a working device. */
static const char *ob_restored(void)
{
	uint32_t size;
	char value[32];
	struct ob_ctx o;
	const char *reason;
	uint64_t id;
	int ret;

	ret = gt_read_file("/sys/module/npu/parameters/job_timeout_ms", value, sizeof(value));
	GT_CHECK(!ret && !strcmp(value, "10000"), "job_timeout_ms is '%s' (%s), expected 10000",
		 ret ? "" : value, gt_errno_name(ret));
	reason = ob_open(&o);
	if (!reason)
		reason = ob_good_job(&o, &id, &size);
	ob_close(&o);
	return reason;
}

int suite_observe(void)
{
	uint64_t mark = gt_kmsg_mark();
	const char *tdir = ob_trace_dir(), *dbg = ob_debugfs_dir(), *reason;
	char params[64], pci[64];

	if (!tdir || !dbg) {
		gt_fail("observe.setup", "no %s%s", tdir ? "" : "tracefs events/npu ",
			dbg ? "" : "debugfs accel/<n>/fw_log");
		return 1;
	}
	if (gt_accel_pci_name(pci, sizeof(pci))) {
		gt_fail("observe.setup", "no PCI device behind accel0");
		return 1;
	}
	gt_result("observe.trace-jobs-and-fault", ob_trace_case(tdir, dbg));

	snprintf(params, sizeof(params), "job_timeout_ms=%u", OB_TIMEOUT_MS);
	reason = gt_module_reload(params);
	if (!gt_result("observe.reload-short-timeout", reason)) {
		gt_module_load();
		gt_wait_path(GT_ACCEL_NODE, 1, OB_NODE_MS);
		return 1;
	}
	/* After rmmod/insmod the device folder may have another name. */
	dbg = ob_debugfs_dir();
	gt_result("observe.fw-log-boot-banner",
		  dbg ? ob_fw_log_case(dbg) : "no debugfs accel/<n>/fw_log after the reload");
	gt_result("observe.timeout-devcoredump", ob_timeout_case(tdir, pci));

	gt_result("observe.reload-defaults", gt_module_reload(""));
	if (gt_module_loaded())
		gt_result("observe.device-after-reload", ob_restored());
	gt_result("observe.kernel-log-clean", ob_log_clean(mark));
	return 0;
}
