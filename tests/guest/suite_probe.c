// SPDX-License-Identifier: MIT
/*
 * probe: the module loaded, bound the device, booted the firmware and
 * said so; query: the device reports the QEMU properties the harness
 * gave (npuguest.expect= on the kernel command line).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>

#include "guest.h"

static const char *probe_node(void)
{
	struct stat st;

	GT_CHECK(!stat(GT_ACCEL_NODE, &st), "%s: %s", GT_ACCEL_NODE, strerror(errno));
	GT_CHECK(S_ISCHR(st.st_mode), "%s is not a character device", GT_ACCEL_NODE);
	return NULL;
}

static const char *probe_module(void)
{
	char state[64];
	int ret = gt_read_file("/sys/module/npu/initstate", state, sizeof(state));

	GT_CHECK(!ret, "/sys/module/npu/initstate: %s", strerror(-ret));
	GT_CHECK(!strcmp(state, "live"), "module npu is '%s', not live", state);
	return NULL;
}

static const char *probe_driver_bound(void)
{
	char link[256];
	ssize_t n = readlink("/sys/class/accel/accel0/device/driver", link, sizeof(link) - 1);
	const char *base;

	GT_CHECK(n > 0, "accel0 has no bound driver: %s", strerror(errno));
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	GT_CHECK(!strcmp(base, "npu"), "accel0 is bound to '%s'", base);
	n = readlink("/sys/class/accel/accel0/device", link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		gt_info("accel0 is PCI device %s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
	return NULL;
}

static const char *probe_drm_version(void)
{
	drmVersionPtr v;
	int fd = gt_open();

	GT_CHECK(fd >= 0, "open %s: %s", GT_ACCEL_NODE, strerror(-fd));
	v = drmGetVersion(fd);
	close(fd);
	GT_CHECK(v, "DRM_IOCTL_VERSION failed: %s", strerror(errno));
	gt_info("driver %s %d.%d.%d (%s, %s)", v->name, v->version_major, v->version_minor,
		v->version_patchlevel, v->desc ? v->desc : "", v->date ? v->date : "");
	if (strcmp(v->name, "npu")) {
		static char name[64];

		snprintf(name, sizeof(name), "%s", v->name);
		drmFreeVersion(v);
		return gt_reason("driver name is '%s', not npu", name);
	}
	drmFreeVersion(v);
	return NULL;
}

static const char *probe_dmesg_module(void)
{
	static const char *const taint[] = { "npu: ", "taint", NULL };
	char line[256];
	int n = gt_kmsg_grep(0, line, sizeof(line), taint);

	GT_CHECK(n >= 0, "/dev/kmsg: %s", strerror(-n));
	GT_CHECK(n > 0, "the kernel log has no 'npu: ... taint' line from the module load");
	gt_info("kernel: %s", line);
	return NULL;
}

static const char *probe_dmesg_firmware(void)
{
	char dotted[32], hex[32], line[256];
	const char *const by_dotted[] = { "npu", dotted, NULL };
	const char *const by_hex[] = { "npu", hex, NULL };
	uint64_t v;
	int fd = gt_open(), ret, n;

	GT_CHECK(fd >= 0, "open %s: %s", GT_ACCEL_NODE, strerror(-fd));
	ret = gt_query(fd, DRM_NPU_PARAM_FW_VERSION, &v);
	close(fd);
	GT_CHECK(!ret, "QUERY FW_VERSION: %s", gt_errno_name(ret));
	snprintf(dotted, sizeof(dotted), "%u.%u.%u", (unsigned)(v >> 16) & 0xff,
		 (unsigned)(v >> 8) & 0xff, (unsigned)v & 0xff);
	snprintf(hex, sizeof(hex), "%#llx", (unsigned long long)v);
	n = gt_kmsg_grep(0, line, sizeof(line), by_dotted);
	if (n <= 0)
		n = gt_kmsg_grep(0, line, sizeof(line), by_hex);
	GT_CHECK(n > 0, "no kernel log line names firmware version %s (%s)", dotted, hex);
	gt_info("kernel: %s", line);
	return NULL;
}

static const char *probe_handshake(void)
{
	struct npu_device_info info;
	struct npu_device *dev;
	int ret = npu_device_open("drm", &dev);

	GT_CHECK(!ret, "npu_device_open(drm): %s: %s", npu_strerror(ret), npu_last_error());
	npu_device_query(dev, &info);
	npu_device_close(dev);
	GT_CHECK(!strcmp(info.backend, "drm"), "backend is '%s'", info.backend);
	GT_CHECK(info.fw_version != 0, "firmware version 0: no handshake answer");
	GT_CHECK(NPU_FW_API_MAJOR(info.fw_api_version) == NPU_FW_API_MAJOR(NPU_FW_API_VERSION),
		 "firmware API %#x, libnpu speaks %#x", info.fw_api_version, NPU_FW_API_VERSION);
	gt_info("device: NPU hardware %u.%u, firmware %u.%u.%u, API %u.%u",
		info.hw_version >> 16, info.hw_version & 0xffff, info.fw_version >> 16,
		(info.fw_version >> 8) & 0xff, info.fw_version & 0xff,
		NPU_FW_API_MAJOR(info.fw_api_version), NPU_FW_API_MINOR(info.fw_api_version));
	return NULL;
}

int suite_probe(void)
{
	if (!gt_result("probe.accel-node", probe_node()))
		return 1;
	gt_result("probe.module-live", probe_module());
	gt_result("probe.driver-bound", probe_driver_bound());
	gt_result("probe.drm-version", probe_drm_version());
	gt_result("probe.dmesg-module-loaded", probe_dmesg_module());
	gt_result("probe.dmesg-firmware-version", probe_dmesg_firmware());
	gt_result("probe.handshake", probe_handshake());
	return 0;
}

/* --- query --------------------------------------------------------- */

static const char *query_param(int fd, const char *key, uint32_t param, uint64_t libnpu_value)
{
	const char *want = gt_expect(key);
	uint64_t raw, expected;
	char *end;
	int ret;

	GT_CHECK(want, "no %s in npuguest.expect on the kernel command line", key);
	expected = strtoull(want, &end, 0);
	GT_CHECK(!*end, "npuguest.expect %s=%s is not a number", key, want);
	ret = gt_query(fd, param, &raw);
	GT_CHECK(!ret, "QUERY param %u: %s", param, gt_errno_name(ret));
	GT_CHECK(raw == expected, "%s: the driver reports %llu, QEMU was given %llu", key,
		 (unsigned long long)raw, (unsigned long long)expected);
	GT_CHECK(libnpu_value == expected, "%s: libnpu reports %llu, expected %llu", key,
		 (unsigned long long)libnpu_value, (unsigned long long)expected);
	return NULL;
}

static const char *query_caps(int fd, const struct npu_device_info *info)
{
	const uint32_t ops = NPU_CAP_OP_DMA | NPU_CAP_OP_CONV | NPU_CAP_OP_MATMUL |
			     NPU_CAP_OP_POOL | NPU_CAP_OP_ELTWISE | NPU_CAP_OP_LUT;
	uint64_t hw, contexts, max_cmd, max_bos, va_start, va_end;

	GT_CHECK(!gt_query(fd, DRM_NPU_PARAM_HW_VERSION, &hw) &&
		 !gt_query(fd, DRM_NPU_PARAM_CONTEXTS, &contexts) &&
		 !gt_query(fd, DRM_NPU_PARAM_MAX_CMD_SIZE, &max_cmd) &&
		 !gt_query(fd, DRM_NPU_PARAM_MAX_BOS, &max_bos) &&
		 !gt_query(fd, DRM_NPU_PARAM_VA_START, &va_start) &&
		 !gt_query(fd, DRM_NPU_PARAM_VA_END, &va_end), "a QUERY failed");
	gt_info("limits: %llu contexts, %llu command bytes and %llu BOs per submit, VA %#llx..%#llx",
		(unsigned long long)contexts, (unsigned long long)max_cmd,
		(unsigned long long)max_bos, (unsigned long long)va_start,
		(unsigned long long)va_end);
	GT_CHECK(hw == NPU_HW_VERSION, "hardware version %#llx, expected %#x",
		 (unsigned long long)hw, NPU_HW_VERSION);
	GT_CHECK((info->ops & ops) == ops, "ops %#x lack some of %#x", info->ops, ops);
	GT_CHECK(contexts >= 2 && contexts <= NPU_MAX_CONTEXTS, "%llu contexts",
		 (unsigned long long)contexts);
	GT_CHECK(max_cmd >= 4096 && max_cmd <= NPU_MAX_CMD_BYTES, "max command size %llu",
		 (unsigned long long)max_cmd);
	GT_CHECK(max_bos >= 2, "max BOs per submit %llu", (unsigned long long)max_bos);
	GT_CHECK(va_start >= NPU_PAGE_SIZE && va_start < va_end && va_end <= (1ull << 32) &&
		 !(va_start % NPU_PAGE_SIZE) && !(va_end % NPU_PAGE_SIZE),
		 "VA range %#llx..%#llx", (unsigned long long)va_start,
		 (unsigned long long)va_end);
	return NULL;
}

int suite_query(void)
{
	struct npu_device_info info;
	struct npu_device *dev;
	int fd, ret;

	ret = npu_device_open("drm", &dev);
	if (ret) {
		gt_fail("query.open", "npu_device_open(drm): %s: %s", npu_strerror(ret),
			npu_last_error());
		return 1;
	}
	npu_device_query(dev, &info);
	npu_device_close(dev);
	fd = gt_open();
	if (fd < 0) {
		gt_fail("query.open", "%s: %s", GT_ACCEL_NODE, strerror(-fd));
		return 1;
	}
	{
		char cmdline[4096];
		const char *e;

		if (!gt_read_file("/proc/cmdline", cmdline, sizeof(cmdline)) &&
		    (e = strstr(cmdline, "npuguest.expect=")))
			gt_info("%.*s", (int)strcspn(e, " "), e);
	}
	gt_result("query.mac_rows", query_param(fd, "mac_rows", DRM_NPU_PARAM_MAC_ROWS, info.mac_rows));
	gt_result("query.mac_cols", query_param(fd, "mac_cols", DRM_NPU_PARAM_MAC_COLS, info.mac_cols));
	gt_result("query.sram_size",
		  query_param(fd, "sram_size", DRM_NPU_PARAM_SRAM_SIZE, info.sram_size));
	gt_result("query.clock_mhz",
		  query_param(fd, "clock_mhz", DRM_NPU_PARAM_CLOCK_MHZ, info.clock_mhz));
	gt_result("query.dram_bw", query_param(fd, "dram_bw", DRM_NPU_PARAM_DRAM_BW, info.dram_bw_mbps));
	gt_result("query.fw_version",
		  query_param(fd, "fw_version", DRM_NPU_PARAM_FW_VERSION, info.fw_version));
	gt_result("query.capabilities", query_caps(fd, &info));
	close(fd);
	return 0;
}
