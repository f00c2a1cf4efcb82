// SPDX-License-Identifier: MIT
/*
 * reload: rmmod npu leaves nothing behind and insmod brings the device
 * back, several times; the driver unbinds and rebinds through sysfs,
 * also with a file still open (ioctls then fail with ENODEV).
 * nofw: without /lib/firmware/npu/npu-fw.bin the probe fails with a
 * clear message and no device node; with it back, all works again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

#define NODE_TIMEOUT_MS	15000u

/* One small DMA job through libnpu on a freshly opened device. */
static const char *r_job(void)
{
	struct gt_dev t;
	uint32_t seed = 5;
	int ret = gt_dev_open(&t);

	GT_CHECK(!ret, "open: %s: %s", npu_strerror(ret), npu_last_error());
	gt_random_bytes(&seed, t.mem, 8192);
	ret = gt_load(&t, 0, 0, 8192);
	if (!ret)
		ret = npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = gt_store(&t, 1u << 20, 0, 8192);
	if (!ret)
		ret = gt_run(&t);
	if (ret) {
		gt_dev_close(&t);
		return gt_reason("DMA job: %s: %s", npu_strerror(ret), npu_last_error());
	}
	ret = memcmp(t.mem, t.mem + (1u << 20), 8192);
	gt_dev_close(&t);
	GT_CHECK(!ret, "DMA job copied wrong");
	return NULL;
}

/* Nothing of npu left: node, class device, module, PCI driver, holders. */
static const char *r_gone(void)
{
	GT_CHECK(gt_wait_path(GT_ACCEL_NODE, 0, NODE_TIMEOUT_MS), "%s still exists",
		 GT_ACCEL_NODE);
	GT_CHECK(!gt_exists("/sys/class/accel/accel0"), "/sys/class/accel/accel0 still exists");
	GT_CHECK(!gt_exists("/sys/module/npu"), "/sys/module/npu still exists");
	GT_CHECK(!gt_exists("/sys/bus/pci/drivers/npu"), "PCI driver npu still registered");
	GT_CHECK(!gt_exists("/sys/module/drm/holders/npu"), "drm still held by npu");
	{
		char dir[300];

		GT_CHECK(!gt_debugfs_dir(dir, sizeof(dir)), "debugfs %s still exists", dir);
	}
	return NULL;
}

static const char *r_unload(void)
{
	int ret = gt_module_unload();

	GT_CHECK(!ret, "delete_module(npu): %s", gt_errno_name(ret));
	return r_gone();
}

static const char *r_load(void)
{
	int ret = gt_module_load();

	GT_CHECK(!ret, "finit_module(npu.ko): %s", gt_errno_name(ret));
	GT_CHECK(gt_wait_path(GT_ACCEL_NODE, 1, NODE_TIMEOUT_MS), "no %s after loading",
		 GT_ACCEL_NODE);
	return r_job();
}

static const char *r_busy(void)
{
	int fd = gt_open(), ret;

	GT_CHECK(fd >= 0, "open: %s", strerror(-fd));
	ret = gt_module_unload();
	close(fd);
	if (!ret) {
		/* It went away under an open file; bring it back for the rest. */
		gt_module_load();
		gt_wait_path(GT_ACCEL_NODE, 1, NODE_TIMEOUT_MS);
		return "rmmod succeeded with the device open";
	}
	GT_CHECK(ret == -EWOULDBLOCK || ret == -EBUSY, "rmmod with the device open: %s",
		 gt_errno_name(ret));
	GT_CHECK(gt_module_loaded(), "module gone after a refused rmmod");
	return NULL;
}

static const char *r_unbind_rebind(int with_open_file)
{
	struct npu_device *dev = NULL;
	struct npu_bo *bo = NULL;
	char addr[256];
	int fd = -1, ret;
	uint64_t v;

	GT_CHECK(!gt_accel_pci_name(addr, sizeof(addr)), "no PCI device behind accel0");
	if (with_open_file) {
		ret = npu_device_open("drm", &dev);
		GT_CHECK(!ret, "open: %s", npu_last_error());
		ret = npu_bo_create(dev, 1 << 20, 0, &bo);
		GT_CHECK(!ret, "npu_bo_create: %s", npu_last_error());
		memset(npu_bo_map(bo), 1, 1 << 20);
		fd = gt_open();
	}
	ret = gt_write_file("/sys/bus/pci/drivers/npu/unbind", addr);
	GT_CHECK(!ret, "unbind %s: %s", addr, gt_errno_name(ret));
	GT_CHECK(gt_wait_path(GT_ACCEL_NODE, 0, NODE_TIMEOUT_MS), "%s still there after unbind",
		 GT_ACCEL_NODE);
	if (with_open_file) {
		const char *reason = NULL;

		ret = gt_query(fd, DRM_NPU_PARAM_MAC_ROWS, &v);
		if (ret != -ENODEV)
			reason = gt_reason("QUERY on a file of an unbound device: %s, expected ENODEV",
					   gt_errno_name(ret));
		/* The mapping of an unplugged device's BO may still be touched safely. */
		((volatile uint8_t *)npu_bo_map(bo))[0] = 2;
		npu_bo_destroy(bo);
		npu_device_close(dev);
		close(fd);
		if (reason) {
			gt_write_file("/sys/bus/pci/drivers/npu/bind", addr);
			gt_wait_path(GT_ACCEL_NODE, 1, NODE_TIMEOUT_MS);
			return reason;
		}
	}
	ret = gt_write_file("/sys/bus/pci/drivers/npu/bind", addr);
	GT_CHECK(!ret, "bind %s: %s", addr, gt_errno_name(ret));
	GT_CHECK(gt_wait_path(GT_ACCEL_NODE, 1, NODE_TIMEOUT_MS), "no %s after bind",
		 GT_ACCEL_NODE);
	return r_job();
}

static const char *r_log_clean(uint64_t mark)
{
	char line[256];

	GT_CHECK(!gt_kmsg_bug(mark, line, sizeof(line)), "kernel: %s", line);
	return NULL;
}

int suite_reload(void)
{
	uint64_t mark = gt_kmsg_mark();
	char name[64];
	int i;

	gt_result("reload.rmmod-busy-while-open", r_busy());
	if (!gt_result("reload.rmmod", r_unload()))
		return 1;
	if (!gt_result("reload.insmod", r_load()))
		return 1;
	for (i = 0; i < 3; i++) {
		const char *reason = r_unload();

		if (!reason)
			reason = r_load();
		snprintf(name, sizeof(name), "reload.cycle-%d", i + 1);
		if (!gt_result(name, reason))
			return 1;
	}
	gt_result("reload.unbind-rebind", r_unbind_rebind(0));
	gt_result("reload.unbind-with-open-file", r_unbind_rebind(1));
	gt_result("reload.kernel-log-clean", r_log_clean(mark));
	return 0;
}

/* --- nofw ---------------------------------------------------------- */

#define FW_AWAY	GT_FW_PATH ".away"

/*
 * The driver's own line about the missing firmware, not the firmware
 * loader's ("Direct firmware load for npu/npu-fw.bin failed",
 * "firmware: failed to load npu/npu-fw.bin") nor the driver core's
 * ("probe with driver npu failed").
 */
static int nofw_message(uint64_t mark, char *line, size_t len)
{
	static const char *const by_word[] = { "npu", "firmware", NULL };
	static const char *const by_file[] = { "npu", "npu-fw", NULL };
	static const char *const others[] = {
		"Direct firmware load", "firmware: failed to load", "probe with driver", NULL,
	};

	return gt_kmsg_grep_except(mark, line, len, by_word, others) > 0 ||
	       gt_kmsg_grep_except(mark, line, len, by_file, others) > 0;
}

int suite_nofw(void)
{
	uint64_t mark;
	char line[256];
	int ret, loaded;
	const char *reason;

	if (!gt_result("nofw.rmmod", r_unload()))
		return 1;
	if (rename(GT_FW_PATH, FW_AWAY)) {
		gt_fail("nofw.hide-firmware", "rename %s: %s", GT_FW_PATH, strerror(errno));
		gt_module_load();
		return 1;
	}
	mark = gt_kmsg_mark();
	ret = gt_module_load();
	loaded = gt_module_loaded();
	gt_info("nofw: insmod without firmware: %s", gt_errno_name(ret));
	/* Probe may run late; give it time to (not) create the node. */
	sleep(3);
	gt_result("nofw.no-device-node",
		  gt_exists(GT_ACCEL_NODE) ? gt_reason("%s exists without firmware", GT_ACCEL_NODE) :
		  NULL);
	reason = NULL;
	if (!nofw_message(mark, line, sizeof(line))) {
		static const char *const any[] = { "npu", NULL };

		gt_kmsg_grep(mark, line, sizeof(line), any);
		reason = gt_reason("no message of the driver about the missing firmware (first npu "
				   "line: '%s')", line);
	} else {
		gt_info("kernel: %s", line);
	}
	gt_result("nofw.probe-failure-message", reason);
	gt_result("nofw.kernel-log-clean", r_log_clean(mark));
	if (loaded)
		gt_result("nofw.rmmod-after-failed-probe", r_unload());
	if (rename(FW_AWAY, GT_FW_PATH)) {
		gt_fail("nofw.restore-firmware", "rename back: %s", strerror(errno));
		return 1;
	}
	gt_result("nofw.insmod-with-firmware", r_load());
	gt_result("nofw.kernel-log-clean-after", r_log_clean(mark));
	return 0;
}
