// SPDX-License-Identifier: MIT
/*
 * pm: runtime power management.  With a short autosuspend delay the
 * idle device powers down (runtime_status "suspended", debugfs "pm"
 * counts the suspend); the next submit powers it up again, firmware
 * rebooted, and the job runs correctly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

#define PM_DEV	"/sys/class/accel/accel0/device/power"

static int pm_counts(long *suspends, long *resumes)
{
	char dir[256], path[300], buf[256];
	const char *p;
	int ret;

	if (!gt_debugfs_dir(dir, sizeof(dir)))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/pm", dir);
	ret = gt_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	p = strstr(buf, "runtime suspends: ");
	if (!p || sscanf(p, "runtime suspends: %ld", suspends) != 1)
		return -EINVAL;
	p = strstr(buf, "runtime resumes: ");
	if (!p || sscanf(p, "runtime resumes: %ld", resumes) != 1)
		return -EINVAL;
	return 0;
}

static int pm_fw_log_has(const char *needle)
{
	char dir[256], path[300];
	static char log[8192];
	size_t n;
	FILE *f;

	if (!gt_debugfs_dir(dir, sizeof(dir)))
		return 0;
	snprintf(path, sizeof(path), "%s/fw_log", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(log, 1, sizeof(log) - 1, f);
	fclose(f);
	log[n] = '\0';
	return strstr(log, needle) != NULL;
}

static int pm_write(const char *file, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), PM_DEV "/%s", file);
	return gt_write_file(path, value);
}

/* Wait up to timeout_ms for runtime_status to read `want`. */
static int pm_wait_status(const char *want, uint32_t timeout_ms, char *seen, size_t len)
{
	uint64_t end = gt_now_ms() + timeout_ms;

	do {
		if (!gt_read_file(PM_DEV "/runtime_status", seen, len) && !strcmp(seen, want))
			return 1;
		usleep(20000);
	} while (gt_now_ms() < end);
	return 0;
}

static const char *pm_idle_and_back(void)
{
	long s0, r0, s1, r1, s2, r2;
	struct gt_client c;
	char status[64], delay[32] = "1000";
	const char *why = NULL;
	uint64_t job;
	int ret;

	/* Before the first job: it powers up, so a suspend must follow it. */
	GT_CHECK(!pm_counts(&s0, &r0), "no readable \"pm\" file in the npu debugfs directory");
	gt_read_file(PM_DEV "/autosuspend_delay_ms", delay, sizeof(delay));
	GT_CHECK(!pm_write("autosuspend_delay_ms", "100"), "cannot set autosuspend_delay_ms");
	ret = gt_client_open(&c, 1u << 20);
	if (!ret)
		ret = npu_cs_nop(c.cs);
	if (!ret)
		ret = gt_client_submit(&c, NULL, &job);
	if (!ret)
		ret = gt_client_wait(&c, job, NULL);
	if (ret) {
		pm_write("autosuspend_delay_ms", delay);
		gt_client_close(&c);
		return gt_reason("first job: %s", gt_errno_name(-ret));
	}
	/* An open file alone does not keep the device up: only jobs do. */
	if (!pm_wait_status("suspended", 3000, status, sizeof(status))) {
		why = gt_reason("idle for 3 s with a 100 ms delay, runtime_status is \"%s\"",
				status);
		goto out;
	}
	pm_counts(&s1, &r1);
	if (s1 <= s0) {
		why = gt_reason("runtime_status says suspended but the suspend count stayed %ld", s1);
		goto out;
	}
	/* Powering down empties the device's log; debugfs keeps the last one. */
	if (!pm_fw_log_has("npu-fw ")) {
		why = gt_reason("fw_log of the powered-down device lost the firmware's banner");
		goto out;
	}
	memset(c.mem, 0x6b, 4096);
	ret = npu_cs_load_linear(c.cs, 0, (uint32_t)c.data_va, 4096);
	if (!ret)
		ret = npu_cs_sync(c.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = npu_cs_store_linear(c.cs, (uint32_t)c.data_va + 4096, 0, 4096);
	if (!ret)
		ret = gt_client_submit(&c, NULL, &job);
	if (!ret)
		ret = gt_client_wait(&c, job, NULL);
	pm_counts(&s2, &r2);
	if (ret)
		why = gt_reason("the job after the power-down: %s", gt_errno_name(-ret));
	else if (c.mem[4096] != 0x6b || c.mem[8191] != 0x6b)
		why = gt_reason("the job after the power-down copied %#x", c.mem[4096]);
	else if (r2 <= r1)
		why = gt_reason("the submit did not power the device up (resumes %ld -> %ld)",
				r1, r2);
	else if (!pm_wait_status("suspended", 3000, status, sizeof(status)))
		why = gt_reason("the device did not power down again after the job");
	gt_info("pm: suspends %ld -> %ld, resumes %ld -> %ld", s0, s2, r0, r2);
out:
	gt_client_close(&c);
	if (pm_write("autosuspend_delay_ms", delay) && !why)
		why = gt_reason("cannot restore autosuspend_delay_ms");
	return why;
}

/* Run one copy job on a fresh client; 0 when it copied correctly. */
static const char *pm_copy_job(void)
{
	struct gt_client c;
	uint64_t job;
	int ret;

	ret = gt_client_open(&c, 1u << 20);
	if (ret)
		return gt_reason("open: %s", gt_errno_name(-ret));
	memset(c.mem, 0x5a, 4096);
	ret = npu_cs_load_linear(c.cs, 0, (uint32_t)c.data_va, 4096);
	if (!ret)
		ret = npu_cs_sync(c.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = npu_cs_store_linear(c.cs, (uint32_t)c.data_va + 4096, 0, 4096);
	if (!ret)
		ret = gt_client_submit(&c, NULL, &job);
	if (!ret)
		ret = gt_client_wait(&c, job, NULL);
	if (!ret && c.mem[4096] != 0x5a)
		ret = -EIO;
	gt_client_close(&c);
	return ret ? gt_reason("copy job: %s", gt_errno_name(-ret)) : NULL;
}

/*
 * The firmware crashes while the device powers up for a submit: the
 * driver boots it once more and the job runs.
 */
static const char *pm_crash_at_power_up(void)
{
	static const char *const retry[] = { "trying once more", NULL };
	char status[64], delay[32] = "1000";
	const char *why;
	uint64_t mark;

	gt_read_file(PM_DEV "/autosuspend_delay_ms", delay, sizeof(delay));
	GT_CHECK(!pm_write("autosuspend_delay_ms", "100"), "cannot set autosuspend_delay_ms");
	why = pm_copy_job();
	if (!why && !pm_wait_status("suspended", 3000, status, sizeof(status)))
		why = gt_reason("the device did not power down (\"%s\")", status);
	mark = gt_kmsg_mark();
	if (!why && gt_inject("inject-fw-crash", 1))
		why = gt_reason("cannot arm inject-fw-crash through QMP");
	if (!why)
		why = pm_copy_job();
	if (!why && gt_kmsg_grep(mark, NULL, 0, retry) < 1)
		why = gt_reason("no second boot in the kernel log: the crash was not at power-up");
	gt_inject("inject-fw-crash", 0);
	if (pm_write("autosuspend_delay_ms", delay) && !why)
		why = gt_reason("cannot restore autosuspend_delay_ms");
	return why;
}

int suite_pm(void)
{
	gt_result("pm.idle-power-down-and-back", pm_idle_and_back());
	gt_result("pm.fw-crash-at-power-up", pm_crash_at_power_up());
	return 0;
}
