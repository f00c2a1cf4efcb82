// SPDX-License-Identifier: MIT
/*
 * lifecycle: the device goes away under its users and comes back.
 *   device-del  QMP device_del (ACPI hot-unplug) while two files have
 *               long jobs queued and running and their BOs mapped;
 *   pci-remove  the same through sysfs remove, back through rescan;
 *   rmmod       unloading the module while a file or a mapping is open
 *               (refused), and right after a file closed with its jobs
 *               still running (they end with the device).
 * After a removal: ioctls fail with ENODEV, a waiter blocked in WAIT
 * returns ENODEV, the mapped BOs read back what was written (or raise
 * SIGBUS), everything closes, and the kernel reports no bug.  The
 * device that comes back probes as accel0 with no BO or job left over
 * and computes correctly.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

#define L_LONG_JOB_MS	1000u
#define L_JOBS		3		/* long jobs queued per file */
#define L_NODE_MS	20000u

struct l_ctx {
	struct gt_conv_client c[2];	/* two files */
	uint8_t *input[2];		/* copies of what their data BOs hold */
	uint64_t last[2];		/* each file's last job */
	uint32_t long_n;
	char bdf[64];			/* the device's PCI address */
	/* A thread blocked in WAIT for the second file's last job. */
	pthread_t waiter;
	int waiter_started, waiter_ret;
};

/* Results of one removal scenario, in order. */
enum { L_UNDER_LOAD, L_WAITER, L_IOCTLS, L_MAPPED, L_CLOSE, L_BACK, L_COUNT };
static const char *const l_steps[L_COUNT] = {
	"under-load", "blocked-waiter", "ioctls-enodev", "mapped-bos", "close", "back",
};

static void *l_wait_thread(void *arg)
{
	struct l_ctx *l = arg;
	struct drm_npu_wait w;

	l->waiter_ret = gt_client_wait(&l->c[1].c, l->last[1], &w);
	return NULL;
}

/* Two files with mapped BOs, L_JOBS long jobs each, one waiter blocked. */
static const char *l_load(struct l_ctx *l)
{
	char dir[512], jobs[4096];
	long bos, inflight;
	uint64_t id;
	int i, j, ret;

	for (i = 0; i < 2; i++) {
		ret = gt_cc_open(&l->c[i], 0x11fe + (uint32_t)i);
		GT_CHECK(!ret, "open file %d: %s", i, gt_errno_name(ret));
		l->input[i] = malloc(l->c[i].conv.out_addr);
		GT_CHECK(l->input[i], "out of memory");
		memcpy(l->input[i], l->c[i].c.mem, l->c[i].conv.out_addr);
	}
	for (i = 0; i < 2; i++) {
		for (j = 0; j < L_JOBS; j++) {
			ret = gt_cc_submit(&l->c[i], l->long_n, &id);
			GT_CHECK(!ret, "file %d: submit %d: %s", i, j, gt_errno_name(ret));
		}
		l->last[i] = id;
	}
	ret = pthread_create(&l->waiter, NULL, l_wait_thread, l);
	GT_CHECK(!ret, "pthread_create: %s", strerror(ret));
	l->waiter_started = 1;
	/* Let the waiter reach the ioctl. */
	usleep(100000);
	GT_CHECK(gt_debugfs_dir(dir, sizeof(dir)), "no npu debugfs directory");
	ret = gt_debugfs_counts(dir, &bos, &inflight, jobs, sizeof(jobs));
	GT_CHECK(!ret, "debugfs %s: %s", dir, gt_errno_name(ret));
	GT_CHECK(inflight > 0, "no job on the ring before the removal");
	return NULL;
}

static const char *l_check_waiter(struct l_ctx *l)
{
	GT_CHECK(l->waiter_started, "no waiter");
	pthread_join(l->waiter, NULL);
	l->waiter_started = 0;
	GT_CHECK(l->waiter_ret == -ENODEV, "the waiter blocked in WAIT for a queued job got %s, "
		 "expected ENODEV", gt_errno_name(l->waiter_ret));
	return NULL;
}

/* Every ioctl of both files fails with ENODEV; the node is gone. */
static const char *l_check_ioctls(struct l_ctx *l)
{
	struct drm_npu_wait w;
	uint64_t v, id;
	uint32_t handle;
	int i, ret;

	for (i = 0; i < 2; i++) {
		struct gt_conv_client *c = &l->c[i];

		ret = gt_query(c->c.fd, DRM_NPU_PARAM_SRAM_SIZE, &v);
		GT_CHECK(ret == -ENODEV, "file %d: QUERY %s, expected ENODEV", i,
			 gt_errno_name(ret));
		ret = gt_bo_create(c->c.fd, 4096, 0, &handle, NULL);
		GT_CHECK(ret == -ENODEV, "file %d: BO_CREATE %s, expected ENODEV", i,
			 gt_errno_name(ret));
		ret = gt_cc_submit(c, 1, &id);
		GT_CHECK(ret == -ENODEV, "file %d: SUBMIT %s, expected ENODEV", i,
			 gt_errno_name(ret));
		ret = gt_client_wait(&c->c, l->last[i], &w);
		GT_CHECK(ret == -ENODEV, "file %d: WAIT %s, expected ENODEV", i,
			 gt_errno_name(ret));
	}
	ret = gt_open();
	if (ret >= 0)
		close(ret);
	GT_CHECK(ret == -ENOENT, "opening %s after the removal: %s, expected ENOENT",
		 GT_ACCEL_NODE, ret >= 0 ? "opened" : gt_errno_name(ret));
	return NULL;
}

static sigjmp_buf l_jmp;

static void l_on_signal(int sig)
{
	siglongjmp(l_jmp, sig);
}

/* Compare a mapping with want: 0 equal, 1 different, or the signal the access raised. */
static int l_read_mapping(const uint8_t *p, const uint8_t *want, size_t n)
{
	struct sigaction sa, old_bus, old_segv;
	volatile int result;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = l_on_signal;
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(l_jmp, 1);
	result = sig ? sig : memcmp(p, want, n) != 0;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return result;
}

static const char *l_check_mapped(struct l_ctx *l)
{
	int i, sigbus = 0;

	for (i = 0; i < 2; i++) {
		int r = l_read_mapping(l->c[i].c.mem, l->input[i], l->c[i].conv.out_addr);

		GT_CHECK(r != 1, "file %d: the mapped BO reads back other bytes than were written",
			 i);
		GT_CHECK(r == 0 || r == SIGBUS, "file %d: reading the mapped BO raised signal %d",
			 i, r);
		sigbus += r == SIGBUS;
	}
	gt_info("lifecycle: after the removal the mapped BOs %s",
		sigbus ? "raise SIGBUS" : "still read back their contents");
	return NULL;
}

static void l_close(struct l_ctx *l)
{
	int i;

	if (l->waiter_started) {
		pthread_join(l->waiter, NULL);
		l->waiter_started = 0;
	}
	for (i = 0; i < 2; i++) {
		gt_cc_close(&l->c[i]);
		free(l->input[i]);
		l->input[i] = NULL;
	}
}

/*
 * The device is back, with nothing left over, and computes correctly.
 * It is accel0 again only if the old DRM device was released, which
 * takes its last file, BO and job; no file holds the module either.
 */
static const char *l_check_back(void)
{
	char dir[512], jobs[4096];
	long bos, inflight, resets;
	unsigned long refs;
	struct gt_conv_client c;
	const char *reason;
	int ret;

	if (!gt_wait_path(GT_ACCEL_NODE, 1, L_NODE_MS)) {
		GT_CHECK(!gt_exists("/dev/accel/accel1"), "the device came back as accel1: the old "
			 "one was never released (a file, BO or job of it is left)");
		return gt_reason("no %s within %u ms", GT_ACCEL_NODE, L_NODE_MS);
	}
	ret = gt_read_file("/sys/module/npu/refcnt", jobs, sizeof(jobs));
	refs = ret ? 0 : strtoul(jobs, NULL, 10);
	GT_CHECK(!ret && !refs, "module npu: refcnt %s with every file closed",
		 ret ? gt_errno_name(ret) : jobs);
	GT_CHECK(gt_debugfs_dir(dir, sizeof(dir)), "no npu debugfs directory");
	ret = gt_debugfs_counts(dir, &bos, &inflight, jobs, sizeof(jobs));
	GT_CHECK(!ret, "debugfs %s: %s", dir, gt_errno_name(ret));
	GT_CHECK(!bos && !inflight, "the new device has %ld BOs and %ld jobs in flight", bos,
		 inflight);
	resets = gt_debugfs_resets();
	GT_CHECK(resets == 0, "the new device counts %ld resets", resets);
	ret = gt_cc_open(&c, 0xbac);
	reason = ret ? gt_reason("open: %s", gt_errno_name(ret)) : gt_cc_check_job(&c);
	if (!reason) {
		ret = gt_debugfs_counts(dir, &bos, &inflight, jobs, sizeof(jobs));
		if (ret || bos != 2)
			reason = gt_reason("debugfs counts %ld BOs of a file with 2 (%s)", bos,
					   gt_errno_name(ret));
	}
	gt_cc_close(&c);
	return reason;
}

static int l_device_del(struct l_ctx *l)
{
	(void)l;
	return gt_device_del(L_NODE_MS);
}

static int l_device_add(struct l_ctx *l)
{
	(void)l;
	return gt_device_add();
}

static int l_pci_remove(struct l_ctx *l)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", l->bdf);
	return gt_write_file(path, "1");
}

static int l_pci_rescan(struct l_ctx *l)
{
	(void)l;
	return gt_write_file("/sys/bus/pci/rescan", "1");
}

/* A copy of a step's reason: gt_reason has one buffer for all. */
static const char *l_keep(int step, const char *reason)
{
	static char copies[L_COUNT][512];

	if (!reason)
		return NULL;
	snprintf(copies[step], sizeof(copies[step]), "%s", reason);
	return copies[step];
}

/*
 * Remove the device under load with remove(), check what the users
 * see, close everything, bring it back with restore() and check it.
 */
static void l_scenario(struct l_ctx *l, const char *how, int (*remove)(struct l_ctx *),
		       int (*restore)(struct l_ctx *))
{
	const char *reasons[L_COUNT] = { NULL };
	char name[64], bug[256];
	uint64_t mark = gt_kmsg_mark();
	int i, ret, removed = 0;

	for (i = 0; i < L_COUNT; i++)
		reasons[i] = "not run";
	reasons[L_UNDER_LOAD] = gt_accel_pci_name(l->bdf, sizeof(l->bdf)) ? "no PCI device behind accel0" :
				l_load(l);
	if (!reasons[L_UNDER_LOAD]) {
		ret = remove(l);
		removed = 1;
		reasons[L_UNDER_LOAD] =
			ret ? gt_reason("removal of %s: %s", l->bdf, gt_errno_name(ret)) :
			!gt_wait_path(GT_ACCEL_NODE, 0, L_NODE_MS) ?
			gt_reason("%s still there %u ms after the removal", GT_ACCEL_NODE,
				  L_NODE_MS) : NULL;
	}
	if (!reasons[L_UNDER_LOAD]) {
		reasons[L_WAITER] = l_keep(L_WAITER, l_check_waiter(l));
		reasons[L_IOCTLS] = l_keep(L_IOCTLS, l_check_ioctls(l));
		reasons[L_MAPPED] = l_keep(L_MAPPED, l_check_mapped(l));
	}
	l_close(l);
	if (!reasons[L_UNDER_LOAD])
		reasons[L_CLOSE] = l_keep(L_CLOSE, gt_kmsg_bug(mark, bug, sizeof(bug)) ?
					  gt_reason("kernel: %s", bug) : NULL);
	if (removed) {
		ret = restore(l);
		reasons[L_BACK] = ret ? gt_reason("bringing the device back: %s",
						  gt_errno_name(ret)) : l_check_back();
	}
	for (i = 0; i < L_COUNT; i++) {
		snprintf(name, sizeof(name), "lifecycle.%s-%s", how, l_steps[i]);
		gt_result(name, reasons[i]);
	}
}

/* rmmod must be refused; if it was not, the module is loaded again for the rest. */
static const char *l_rmmod_refused(const char *with)
{
	int ret = gt_module_unload();

	if (!ret)
		gt_module_load();
	GT_CHECK(ret == -EWOULDBLOCK || ret == -EBUSY, "rmmod with %s: %s, expected EBUSY", with,
		 ret ? gt_errno_name(ret) : "it succeeded");
	return NULL;
}

/* rmmod is refused while a file, then only a mapping, is open; then it works. */
static const char *l_rmmod(void)
{
	static uint8_t input[4096];
	struct gt_conv_client c;
	const char *reason;
	int ret;

	ret = gt_cc_open(&c, 0x4d);
	GT_CHECK(!ret, "open: %s", gt_errno_name(ret));
	memcpy(input, c.c.mem, sizeof(input));
	reason = l_rmmod_refused("a file open");
	if (!reason) {
		/* The mapping keeps the file, and with it the module. */
		close(c.c.fd);
		c.c.fd = -1;
		reason = l_rmmod_refused("only a BO mapped");
	}
	if (!reason) {
		ret = l_read_mapping(c.c.mem, input, sizeof(input));
		if (ret)
			reason = gt_reason("the BO mapped after its file was closed: %s",
					   ret == 1 ? "other bytes than were written" :
					   "signal raised");
	}
	gt_cc_close(&c);
	if (reason)
		return reason;
	ret = gt_module_unload();
	GT_CHECK(!ret, "rmmod after everything was closed: %s", gt_errno_name(ret));
	GT_CHECK(gt_wait_path(GT_ACCEL_NODE, 0, L_NODE_MS), "%s still there after rmmod",
		 GT_ACCEL_NODE);
	ret = gt_module_load();
	GT_CHECK(!ret, "insmod: %s", gt_errno_name(ret));
	return l_check_back();
}

/*
 * rmmod right after the last file closed with its long jobs still
 * queued and running: the jobs end with the device, before the code
 * that frees them goes.
 */
static const char *l_rmmod_busy(uint32_t long_n)
{
	char dir[512], jobs[4096];
	long bos, inflight = 0;
	struct gt_conv_client c;
	uint64_t id;
	int j, ret;

	ret = gt_cc_open(&c, 0x4e);
	for (j = 0; j < L_JOBS && !ret; j++)
		ret = gt_cc_submit(&c, long_n, &id);
	gt_cc_close(&c);
	GT_CHECK(!ret, "open and submit: %s", gt_errno_name(ret));
	if (gt_debugfs_dir(dir, sizeof(dir)))
		gt_debugfs_counts(dir, &bos, &inflight, jobs, sizeof(jobs));
	GT_CHECK(inflight > 0, "no job left on the ring once the file was closed");
	ret = gt_module_unload();
	GT_CHECK(!ret, "rmmod with the closed file's jobs still running: %s", gt_errno_name(ret));
	GT_CHECK(gt_wait_path(GT_ACCEL_NODE, 0, L_NODE_MS), "%s still there after rmmod",
		 GT_ACCEL_NODE);
	ret = gt_module_load();
	GT_CHECK(!ret, "insmod: %s", gt_errno_name(ret));
	return l_check_back();
}

int suite_lifecycle(void)
{
	struct l_ctx l;
	char bug[256];
	uint64_t mark = gt_kmsg_mark();
	const char *reason;
	int ret;

	memset(&l, 0, sizeof(l));
	l.c[0].c.fd = l.c[1].c.fd = -1;
	{
		struct gt_conv_client c;

		ret = gt_cc_open(&c, 7);
		l.long_n = ret ? 0 : gt_cc_calibrate(&c, L_LONG_JOB_MS);
		gt_cc_close(&c);
	}
	reason = ret ? gt_reason("open: %s", gt_errno_name(ret)) :
		 !l.long_n ? "the calibration jobs failed" : NULL;
	if (!gt_result("lifecycle.setup", reason))
		return 1;
	l_scenario(&l, "device-del", l_device_del, l_device_add);
	l_scenario(&l, "pci-remove", l_pci_remove, l_pci_rescan);
	gt_result("lifecycle.rmmod-while-open", l_rmmod());
	if (!gt_module_loaded())
		gt_module_load();
	gt_result("lifecycle.rmmod-jobs-running", l_rmmod_busy(l.long_n));
	if (!gt_module_loaded())
		gt_module_load();
	gt_result("lifecycle.kernel-log-clean",
		  gt_kmsg_bug(mark, bug, sizeof(bug)) ? gt_reason("kernel: %s", bug) : NULL);
	return 0;
}
