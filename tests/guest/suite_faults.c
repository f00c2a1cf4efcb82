// SPDX-License-Identifier: MIT
/*
 * faults: every fault injection knob of the device, armed through the
 * QEMU monitor (gt_inject), against the recovery the driver documents:
 *   hang       the job fails with -ETIMEDOUT after job_timeout_ms, one
 *              reset, and a job another file queued behind it runs;
 *   dma-error  the job reports NPU_ERR_DMA at the load, no reset;
 *   lost-irq   the job completes (its timeout finds it done), no reset;
 *   fw-crash   the running job fails with -EIO, one reset, the job
 *              queued behind it runs;
 *   corrupt    the job succeeds with exactly one flipped bit, no reset;
 *   heartbeat  a stopped heartbeat is noticed and the device reset.
 * Also: a hung job whose file closed first (reset, nothing left over),
 * a firmware crash with no job (one reset), and a firmware crash whose
 * interrupt is lost (the timeout finds the CP halted: -EIO).  After
 * each, a normal job must compute the right result; at the end no BO
 * or job is left.  The suite loads the driver with a short
 * job_timeout_ms (and, for the heartbeat, a short heartbeat_ms), and
 * with its defaults again at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

#define F_TIMEOUT_MS		3000u	/* job_timeout_ms while the suite runs */
#define F_DEFAULT_TIMEOUT_MS	10000u	/* the module's default */
#define F_LONG_JOB_MS		1000u	/* a job still running when a fault is armed */
#define F_RESET_MS		10000u	/* a reset follows its cause within this */
#define F_HEARTBEAT_MS		500u	/* heartbeat_ms for the heartbeat test */

struct f_ctx {
	struct gt_conv_client a, b;	/* two files */
	uint32_t long_n;		/* convolutions in a job of F_LONG_JOB_MS */
	uint64_t mark;			/* kernel log at the start */
};

/* The second result of a scenario: gt_reason's buffer is shared. */
static char f_second[512];

static const char *f_second_reason(const char *reason)
{
	if (!reason)
		return NULL;
	snprintf(f_second, sizeof(f_second), "%s", reason);
	return f_second;
}

/* Wait until the reset count moved by delta (or more); then it must have moved by delta exactly. */
static const char *f_resets(long before, long delta)
{
	uint64_t deadline = gt_now_ms() + (delta ? F_RESET_MS : 0);
	long now;

	do {
		now = gt_debugfs_resets();
		GT_CHECK(now >= 0, "debugfs resets: %s", gt_errno_name((int)now));
		if (now >= before + delta)
			break;
		usleep(50000);
	} while (gt_now_ms() < deadline);
	/* A second reset would come right after the first. */
	usleep(200000);
	now = gt_debugfs_resets();
	GT_CHECK(now == before + delta, "the reset count went from %ld to %ld, expected %+ld", before,
		 now, delta);
	return NULL;
}

/* Wait until the ring holds a job (busy) or none. */
static int f_wait_ring(int busy, uint32_t timeout_ms)
{
	uint64_t deadline = gt_now_ms() + timeout_ms;
	char dir[512], jobs[4096];
	long bos, inflight;

	if (!gt_debugfs_dir(dir, sizeof(dir)))
		return 0;
	do {
		if (!gt_debugfs_counts(dir, &bos, &inflight, jobs, sizeof(jobs)) &&
		    !!inflight == !!busy)
			return 1;
		usleep(5000);
	} while (gt_now_ms() < deadline);
	return 0;
}

static const char *f_logged(uint64_t mark, const char *what)
{
	const char *needles[] = { what, NULL };

	GT_CHECK(gt_kmsg_grep(mark, NULL, 0, needles) > 0, "the kernel log does not say '%s'", what);
	return NULL;
}

/* A normal job after the fault; reason prefixed. */
static const char *f_after(struct gt_conv_client *c)
{
	const char *reason = gt_cc_check_job(c);
	char copy[512];

	if (!reason)
		return NULL;
	/* reason lives in gt_reason's buffer. */
	snprintf(copy, sizeof(copy), "%s", reason);
	return gt_reason("the normal job after the fault: %s", copy);
}

static const char *f_arm(const char *knob, unsigned int value)
{
	int ret = gt_inject(knob, value);

	GT_CHECK(!ret, "qom-set %s=%u: %s", knob, value, gt_errno_name(ret));
	return NULL;
}

/* An innocent job of file b, queued behind a's: it must complete correctly. */
static const char *f_innocent(struct gt_conv_client *b, uint64_t id)
{
	struct drm_npu_wait w;
	long diff;
	int ret = gt_client_wait(&b->c, id, &w);

	GT_CHECK(!ret, "the job queued behind it: wait %s, expected 0", gt_errno_name(ret));
	GT_CHECK(!w.job_status, "the job queued behind it: status %u (%s)", w.job_status,
		 npu_job_status_str(w.job_status));
	diff = gt_cc_diff(b);
	GT_CHECK(diff < 0, "the job queued behind it: output byte %ld differs from the CPU kernel",
		 diff);
	return NULL;
}

/* a's job of n convolutions on the ring, then b's single one queued behind it. */
static const char *f_submit_pair(struct f_ctx *f, uint32_t n, uint64_t *id_a, uint64_t *id_b)
{
	int ret;

	gt_cc_clear(&f->a);
	gt_cc_clear(&f->b);
	ret = gt_cc_submit(&f->a, n, id_a);
	GT_CHECK(!ret, "submit: %s", gt_errno_name(ret));
	GT_CHECK(f_wait_ring(1, 5000), "the job never reached the ring");
	ret = gt_cc_submit(&f->b, 1, id_b);
	GT_CHECK(!ret, "submit of the second file: %s", gt_errno_name(ret));
	return NULL;
}

/* One reset since `before`, `logged` in the kernel log, then a correct job. */
static const char *f_recovered(struct f_ctx *f, long before, uint64_t mark, const char *logged)
{
	const char *reason = f_resets(before, 1);

	if (!reason)
		reason = f_logged(mark, logged);
	return reason ? reason : f_after(&f->a);
}

/*
 * The first engine command of a's job hangs; b's job waits on the ring
 * behind it.  Reason for a's outcome, *innocent for b's.
 */
static const char *f_hang(struct f_ctx *f, const char **innocent)
{
	long before = gt_debugfs_resets();
	uint64_t mark = gt_kmsg_mark(), id_a, id_b, start, took;
	struct drm_npu_wait w;
	const char *reason;
	int ret;

	*innocent = "not run";
	GT_CHECK(before >= 0, "debugfs resets: %s", gt_errno_name((int)before));
	reason = f_arm("inject-hang", 1);
	if (reason)
		return reason;
	start = gt_now_ms();
	reason = f_submit_pair(f, 1, &id_a, &id_b);
	if (reason)
		return reason;

	ret = gt_client_wait(&f->a.c, id_a, &w);
	took = gt_now_ms() - start;
	*innocent = f_second_reason(f_innocent(&f->b, id_b));
	gt_info("faults.hang: the hung job ended after %llu ms: %s", (unsigned long long)took,
		gt_errno_name(ret));
	GT_CHECK(ret == -ETIMEDOUT, "wait for the hung job: %s, expected ETIMEDOUT",
		 gt_errno_name(ret));
	GT_CHECK(took >= F_TIMEOUT_MS * 9 / 10, "the hung job ended after %llu ms, before "
		 "job_timeout_ms=%u", (unsigned long long)took, F_TIMEOUT_MS);
	return f_recovered(f, before, mark, "engine hung");
}

/* Wait until debugfs shows want_bos BOs and no job on the ring. */
static const char *f_settled(long want_bos)
{
	uint64_t deadline = gt_now_ms() + F_RESET_MS;
	char dir[512], jobs[4096];
	long bos = -1, inflight = -1;
	int ret;

	GT_CHECK(gt_debugfs_dir(dir, sizeof(dir)), "no npu debugfs directory");
	do {
		ret = gt_debugfs_counts(dir, &bos, &inflight, jobs, sizeof(jobs));
		GT_CHECK(!ret, "debugfs %s: %s", dir, gt_errno_name(ret));
		if (bos == want_bos && !inflight)
			return NULL;
		usleep(50000);
	} while (gt_now_ms() < deadline);
	for (char *p = jobs; (p = strchr(p, '\n'));)
		*p = '|';
	return gt_reason("%ld BOs live (expected %ld), %ld jobs in flight: %s", bos, want_bos,
			 inflight, jobs);
}

/*
 * A file that closes while its job hangs: the job outlives it, times
 * out, the device is reset, and the file's BOs and context go with
 * the job.  a and b stay open (2 BOs each).
 */
static const char *f_hang_closed(struct f_ctx *f)
{
	long before = gt_debugfs_resets();
	struct gt_conv_client c;
	const char *reason;
	uint64_t id;
	int ret;

	GT_CHECK(before >= 0, "debugfs resets: %s", gt_errno_name((int)before));
	ret = gt_cc_open(&c, 0xc105ed);
	if (!ret) {
		reason = f_arm("inject-hang", 1);
		if (reason) {
			gt_cc_close(&c);
			return reason;
		}
		ret = gt_cc_submit(&c, 1, &id);
	}
	gt_cc_close(&c);
	GT_CHECK(!ret, "open and submit: %s", gt_errno_name(ret));
	reason = f_resets(before, 1);
	if (!reason)
		reason = f_settled(4);
	return reason ? reason : f_after(&f->a);
}

/* The job's first DMA load fails: the job reports it, nothing is reset. */
static const char *f_dma_error(struct f_ctx *f)
{
	long before = gt_debugfs_resets();
	struct drm_npu_wait w;
	const char *reason;
	uint64_t id;
	int ret;

	GT_CHECK(before >= 0, "debugfs resets: %s", gt_errno_name((int)before));
	reason = f_arm("inject-dma-error", 1);
	if (reason)
		return reason;
	gt_cc_clear(&f->a);
	ret = gt_cc_submit(&f->a, 1, &id);
	GT_CHECK(!ret, "submit: %s", gt_errno_name(ret));
	ret = gt_client_wait(&f->a.c, id, &w);
	GT_CHECK(!ret, "wait: %s, expected 0 (the device reports the error)", gt_errno_name(ret));
	GT_CHECK(w.job_status == NPU_ERR_DMA, "job status %u (%s), expected NPU_ERR_DMA",
		 w.job_status, npu_job_status_str(w.job_status));
	GT_CHECK(w.fault_offset == 0 && w.fault_addr == (uint32_t)f->a.c.data_va,
		 "fault at stream offset %#x, address %#x; expected the load at 0, address %#x",
		 w.fault_offset, w.fault_addr, (uint32_t)f->a.c.data_va);
	reason = f_resets(before, 0);
	return reason ? reason : f_after(&f->a);
}

/* The job's completion interrupt is lost: the timeout handler finds the job done. */
static const char *f_lost_irq(struct f_ctx *f)
{
	long before = gt_debugfs_resets();
	uint64_t id, start, took;
	struct drm_npu_wait w;
	const char *reason;
	long diff;
	int ret;

	GT_CHECK(before >= 0, "debugfs resets: %s", gt_errno_name((int)before));
	reason = f_arm("inject-lost-irq", 1);
	if (reason)
		return reason;
	gt_cc_clear(&f->a);
	start = gt_now_ms();
	ret = gt_cc_submit(&f->a, 1, &id);
	GT_CHECK(!ret, "submit: %s", gt_errno_name(ret));
	ret = gt_client_wait(&f->a.c, id, &w);
	took = gt_now_ms() - start;
	gt_info("faults.lost-irq: the job completed after %llu ms", (unsigned long long)took);
	GT_CHECK(!ret, "wait: %s, expected 0", gt_errno_name(ret));
	GT_CHECK(!w.job_status, "job status %u (%s)", w.job_status,
		 npu_job_status_str(w.job_status));
	diff = gt_cc_diff(&f->a);
	GT_CHECK(diff < 0, "output byte %ld differs from the CPU kernel", diff);
	/* Only the timeout handler can have completed it. */
	GT_CHECK(took >= F_TIMEOUT_MS * 9 / 10, "the job completed after %llu ms, before "
		 "job_timeout_ms=%u: its interrupt was not lost", (unsigned long long)took,
		 F_TIMEOUT_MS);
	reason = f_resets(before, 0);
	if (reason)
		return reason;
	start = gt_now_ms();
	reason = f_after(&f->a);
	took = gt_now_ms() - start;
	if (reason)
		return reason;
	GT_CHECK(took < F_TIMEOUT_MS / 2, "the next job took %llu ms: interrupts did not come back",
		 (unsigned long long)took);
	return NULL;
}

/* The firmware crashes while a's long job runs; b's job waits behind it. */
static const char *f_fw_crash(struct f_ctx *f, const char **innocent)
{
	long before = gt_debugfs_resets();
	uint64_t mark = gt_kmsg_mark(), id_a, id_b, start, took;
	struct drm_npu_wait w;
	const char *reason;
	int ret;

	*innocent = "not run";
	GT_CHECK(before >= 0, "debugfs resets: %s", gt_errno_name((int)before));
	start = gt_now_ms();
	reason = f_submit_pair(f, f->long_n, &id_a, &id_b);
	if (reason)
		return reason;
	reason = f_arm("inject-fw-crash", 1);
	if (reason)
		return reason;
	gt_info("faults.fw-crash: armed %llu ms after the submit of a %u ms job",
		(unsigned long long)(gt_now_ms() - start), F_LONG_JOB_MS);

	ret = gt_client_wait(&f->a.c, id_a, &w);
	took = gt_now_ms() - start;
	*innocent = f_second_reason(f_innocent(&f->b, id_b));
	gt_info("faults.fw-crash: the running job ended after %llu ms: %s",
		(unsigned long long)took, gt_errno_name(ret));
	GT_CHECK(ret == -EIO, "wait for the job the crash interrupted: %s, expected EIO%s",
		 gt_errno_name(ret), ret ? "" : " (did it end before the crash?)");
	return f_recovered(f, before, mark, "firmware stopped");
}

/* The firmware crashes with nothing to do: one reset, no job to blame. */
static const char *f_fw_crash_idle(struct f_ctx *f)
{
	long before = gt_debugfs_resets();
	const char *reason;

	GT_CHECK(before >= 0, "debugfs resets: %s", gt_errno_name((int)before));
	GT_CHECK(f_wait_ring(0, F_RESET_MS), "jobs still on the ring");
	/* The CP wakes for its heartbeat, so the crash comes at once. */
	reason = f_arm("inject-fw-crash", 1);
	if (!reason)
		reason = f_resets(before, 1);
	return reason ? reason : f_after(&f->a);
}

/*
 * The firmware crashes and its FW_ERROR interrupt is lost: the timeout
 * finds the CP halted, and the job fails with -EIO as from the interrupt.
 */
static const char *f_fw_crash_lost_irq(struct f_ctx *f)
{
	long before = gt_debugfs_resets();
	uint64_t id, start, took;
	struct drm_npu_wait w;
	const char *reason;
	int ret;

	GT_CHECK(before >= 0, "debugfs resets: %s", gt_errno_name((int)before));
	reason = f_arm("inject-lost-irq", 1);
	if (reason)
		return reason;
	start = gt_now_ms();
	ret = gt_cc_submit(&f->a, f->long_n, &id);
	GT_CHECK(!ret, "submit: %s", gt_errno_name(ret));
	GT_CHECK(f_wait_ring(1, 5000), "the job never reached the ring");
	reason = f_arm("inject-fw-crash", 1);
	if (reason)
		return reason;
	ret = gt_client_wait(&f->a.c, id, &w);
	took = gt_now_ms() - start;
	gt_info("faults.fw-crash-lost-irq: the job ended after %llu ms: %s",
		(unsigned long long)took, gt_errno_name(ret));
	GT_CHECK(ret == -EIO, "wait: %s, expected EIO", gt_errno_name(ret));
	GT_CHECK(took >= F_TIMEOUT_MS * 9 / 10, "the job ended after %llu ms, before "
		 "job_timeout_ms=%u: the interrupt was not lost", (unsigned long long)took,
		 F_TIMEOUT_MS);
	reason = f_resets(before, 1);
	return reason ? reason : f_after(&f->a);
}

/* The convolution's first output byte gets bit 0 flipped, and only that. */
static const char *f_corrupt(struct f_ctx *f)
{
	long before = gt_debugfs_resets();
	const uint8_t *out = f->a.c.mem + GT_CC_OUT;
	struct drm_npu_wait w;
	const char *reason;
	uint64_t id;
	long diff;
	int ret;

	GT_CHECK(before >= 0, "debugfs resets: %s", gt_errno_name((int)before));
	reason = f_arm("inject-corrupt", 1);
	if (reason)
		return reason;
	gt_cc_clear(&f->a);
	ret = gt_cc_submit(&f->a, 1, &id);
	GT_CHECK(!ret, "submit: %s", gt_errno_name(ret));
	ret = gt_client_wait(&f->a.c, id, &w);
	GT_CHECK(!ret, "wait: %s, expected 0", gt_errno_name(ret));
	GT_CHECK(!w.job_status, "job status %u (%s), expected NPU_OK: the device does not know",
		 w.job_status, npu_job_status_str(w.job_status));
	diff = gt_cc_diff(&f->a);
	GT_CHECK(diff >= 0, "the output equals the CPU kernel's: nothing was corrupted");
	GT_CHECK(diff == 0, "the first wrong output byte is %ld, expected 0", diff);
	GT_CHECK(out[0] == (f->a.want[0] ^ 1), "output byte 0 is %#x, expected %#x with bit 0 "
		 "flipped", out[0], f->a.want[0]);
	diff = gt_first_diff(out + 1, f->a.want + 1, f->a.out_bytes - 1);
	GT_CHECK(diff < 0, "output byte %ld differs too", diff + 1);
	reason = f_resets(before, 0);
	return reason ? reason : f_after(&f->a);
}

/* rmmod and insmod with params; the node must come back. */
static const char *f_reload(const char *params, unsigned long want_timeout)
{
	const char *why = gt_module_reload(params);
	unsigned long timeout;
	int ret;

	if (why)
		return why;
	ret = gt_module_param("job_timeout_ms", &timeout);
	GT_CHECK(!ret, "job_timeout_ms: %s", gt_errno_name(ret));
	GT_CHECK(timeout == want_timeout, "job_timeout_ms=%lu, expected %lu", timeout,
		 want_timeout);
	return NULL;
}

/* "heartbeat resets" in debugfs "pm", or -errno. */
static long f_heartbeat_resets(void)
{
	char dir[512], path[600], buf[256];
	const char *p;
	long n;
	int ret;

	if (!gt_debugfs_dir(dir, sizeof(dir)))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/pm", dir);
	ret = gt_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	p = strstr(buf, "heartbeat resets: ");
	return p && sscanf(p, "heartbeat resets: %ld", &n) == 1 ? n : -EPROTO;
}

/*
 * The heartbeat stops while the firmware runs on: the driver's
 * watchdog (heartbeat_ms, a reset within 2-3 periods) resets the
 * device, and once the heartbeat beats again the resets stop.  Runs
 * on its own load with a short period, with no other file open.
 */
static const char *f_heartbeat(void)
{
	uint64_t mark, start, deadline;
	long before, hb_before, after, now;
	unsigned long period;
	struct gt_conv_client c;
	const char *reason;
	char params[96];
	int ret;

	ret = gt_module_param("heartbeat_ms", &period);
	GT_CHECK(!ret, "npu.ko has no heartbeat_ms parameter (%s): no heartbeat watchdog",
		 gt_errno_name(ret));
	/* Powered down, the device has no heartbeat to watch. */
	snprintf(params, sizeof(params), "job_timeout_ms=%u heartbeat_ms=%u autosuspend_ms=-1",
		 F_TIMEOUT_MS, F_HEARTBEAT_MS);
	reason = f_reload(params, F_TIMEOUT_MS);
	if (reason)
		return reason;
	ret = gt_module_param("heartbeat_ms", &period);
	GT_CHECK(!ret && period == F_HEARTBEAT_MS, "heartbeat_ms=%lu after loading with %s",
		 period, params);
	before = gt_debugfs_resets();
	hb_before = f_heartbeat_resets();
	GT_CHECK(before >= 0 && hb_before >= 0, "debugfs resets %ld, heartbeat resets %ld", before,
		 hb_before);
	mark = gt_kmsg_mark();
	reason = f_arm("inject-heartbeat", 1);
	if (reason)
		return reason;
	start = gt_now_ms();
	deadline = start + 5 * period + 5000;
	do {
		now = gt_debugfs_resets();
		if (now != before)
			break;
		usleep(20000);
	} while (gt_now_ms() < deadline);
	/* The knob survives the reset: disarm it before the next period. */
	reason = f_arm("inject-heartbeat", 0);
	gt_info("faults.heartbeat: heartbeat_ms=%lu, reset count %ld -> %ld after %llu ms", period,
		before, now, (unsigned long long)(gt_now_ms() - start));
	if (reason)
		return reason;
	GT_CHECK(now > before, "no reset within %llu ms of a stopped heartbeat (heartbeat_ms=%lu)",
		 (unsigned long long)(deadline - start), period);
	/* Beating again: no second reset, however long we look. */
	usleep((useconds_t)(5 * period * 1000));
	now = gt_debugfs_resets();
	GT_CHECK(now == before + 1, "the reset count went from %ld to %ld, expected +1", before,
		 now);
	after = f_heartbeat_resets();
	GT_CHECK(after == hb_before + 1, "debugfs pm counts %ld heartbeat resets, %ld before",
		 after, hb_before);
	reason = f_logged(mark, "firmware heartbeat stopped");
	if (reason)
		return reason;
	ret = gt_cc_open(&c, 0x4b);
	reason = ret ? gt_reason("open: %s", gt_errno_name(ret)) : f_after(&c);
	gt_cc_close(&c);
	return reason;
}

static const char *f_open(struct f_ctx *f)
{
	int ret = gt_cc_open(&f->a, 0xfa17);

	if (!ret)
		ret = gt_cc_open(&f->b, 0xb0b);
	GT_CHECK(!ret, "open: %s", gt_errno_name(ret));
	f->long_n = gt_cc_calibrate(&f->a, F_LONG_JOB_MS);
	GT_CHECK(f->long_n, "the calibration jobs failed");
	return NULL;
}

/* With the defaults back, a fresh file computes correctly. */
static const char *f_restore(void)
{
	struct gt_conv_client c;
	const char *reason;
	int ret;

	reason = f_reload("", F_DEFAULT_TIMEOUT_MS);
	if (reason)
		return reason;
	ret = gt_cc_open(&c, 1);
	reason = ret ? gt_reason("open: %s", gt_errno_name(ret)) : gt_cc_check_job(&c);
	gt_cc_close(&c);
	return reason;
}

int suite_faults(void)
{
	struct f_ctx f;
	const char *reason, *innocent;
	char params[128], line[256];
	int ret;

	memset(&f, 0, sizeof(f));
	f.a.c.fd = f.b.c.fd = -1;
	f.mark = gt_kmsg_mark();
	/* Disarming a knob is harmless: it proves the line to QEMU works. */
	ret = gt_inject("inject-hang", 0);
	if (!gt_result("faults.qmp-channel", ret ? gt_reason("qom-set through %s and npu-hostctl: "
							     "%s", GT_HOSTCTL_TTY,
							     gt_errno_name(ret)) : NULL))
		return 1;
	/*
	 * One file takes the blame for several resets here (the ban is the
	 * isolation suite's), and the device must not power down between
	 * arming a knob and the job it is meant for: a power-up boots the
	 * firmware, whose mailbox interrupt could take a lost interrupt,
	 * and a crash armed then would hit the boot.
	 */
	snprintf(params, sizeof(params), "job_timeout_ms=%u ban_resets=0 autosuspend_ms=-1",
		 F_TIMEOUT_MS);
	if (!gt_result("faults.short-timeout-load", f_reload(params, F_TIMEOUT_MS))) {
		gt_module_load();
		return 1;
	}
	reason = f_open(&f);
	if (gt_result("faults.setup", reason)) {
		gt_result("faults.hang", f_hang(&f, &innocent));
		gt_result("faults.hang-innocent-job", innocent);
		gt_result("faults.hang-file-closed", f_hang_closed(&f));
		gt_result("faults.dma-error", f_dma_error(&f));
		gt_result("faults.lost-irq", f_lost_irq(&f));
		gt_result("faults.fw-crash", f_fw_crash(&f, &innocent));
		gt_result("faults.fw-crash-innocent-job", innocent);
		gt_result("faults.fw-crash-idle", f_fw_crash_idle(&f));
		gt_result("faults.fw-crash-lost-irq", f_fw_crash_lost_irq(&f));
		gt_result("faults.corrupt", f_corrupt(&f));
	}
	/* Whatever failed, no knob stays armed for what comes next. */
	gt_inject("inject-hang", 0);
	gt_inject("inject-dma-error", 0);
	gt_inject("inject-lost-irq", 0);
	gt_inject("inject-fw-crash", 0);
	gt_inject("inject-corrupt", 0);
	gt_cc_close(&f.a);
	gt_cc_close(&f.b);
	gt_result("faults.no-leaks", f_settled(0));
	gt_result("faults.heartbeat", f_heartbeat());
	gt_inject("inject-heartbeat", 0);
	gt_result("faults.default-load", f_restore());
	if (!gt_module_loaded())
		gt_module_load();
	gt_result("faults.kernel-log-clean",
		  gt_kmsg_bug(f.mark, line, sizeof(line)) ? gt_reason("kernel: %s", line) : NULL);
	return 0;
}
