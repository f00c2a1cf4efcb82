// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Hardware bring-up.  The firmware image comes from request_firmware()
 * and is checked with the same rules the boot ROM applies
 * (npu_fw_image.c); a copy stays in DMA memory so that a reset can
 * reboot the device without the file system.  Booting: FW_ADDR and
 * FW_SIZE, CTRL.BOOT, wait for BOOT_STATUS to say READY or an error,
 * then the mailbox HELLO with the driver's API version.  The device
 * accepts no job before HELLO is answered.
 */
#include <linux/dma-mapping.h>
#include <linux/firmware.h>
#include <linux/iopoll.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "npu_device.h"
#include "npu_fw.h"
#include "npu_fw_image.h"
#include "npu_irq.h"
#include "npu_job.h"
#include "npu_mmu.h"

static unsigned int npu_fw_timeout_ms = 5000;
module_param_named(fw_timeout_ms, npu_fw_timeout_ms, uint, 0444);
MODULE_PARM_DESC(fw_timeout_ms, "Time allowed for reset, firmware boot and handshake (ms)");

MODULE_FIRMWARE(NPU_FW_NAME);

#define NPU_POLL_US		1000

static u64 npu_fw_timeout_us(void)
{
	return (u64)max(npu_fw_timeout_ms, 1u) * USEC_PER_MSEC;
}

int npu_hw_probe(struct npu_device *ndev)
{
	struct device *dev = ndev->drm.dev;
	struct npu_caps *caps = &ndev->caps;
	u32 id, mac, queues;

	id = npu_read(ndev, NPU_REG_ID);
	if (id != NPU_ID_MAGIC) {
		dev_err(dev, "not an NPU: ID register %#x, expected %#x\n", id, NPU_ID_MAGIC);
		return -ENODEV;
	}
	caps->hw_version = npu_read(ndev, NPU_REG_HW_VERSION);
	if (caps->hw_version >> 16 != NPU_HW_VERSION >> 16) {
		dev_err(dev, "hardware version %u.%u is not supported (driver: %u.x)\n",
			caps->hw_version >> 16, caps->hw_version & 0xffff, NPU_HW_VERSION >> 16);
		return -ENODEV;
	}
	mac = npu_read(ndev, NPU_REG_CAP_MAC);
	queues = npu_read(ndev, NPU_REG_CAP_QUEUES);
	caps->mac_rows = NPU_CAP_MAC_ROWS(mac);
	caps->mac_cols = NPU_CAP_MAC_COLS(mac);
	caps->sram_size = npu_read(ndev, NPU_REG_CAP_SRAM);
	caps->clock_mhz = npu_read(ndev, NPU_REG_CAP_CLOCK);
	caps->dram_bw = npu_read(ndev, NPU_REG_CAP_DRAM_BW);
	caps->rings = NPU_CAP_QUEUES_RINGS(queues);
	caps->contexts = NPU_CAP_QUEUES_CTXS(queues);
	caps->ops = npu_read(ndev, NPU_REG_CAP_OPS);

	ndev->num_contexts = min(caps->contexts, NPU_MAX_CONTEXTS);
	if (!caps->rings || ndev->num_contexts < 2) {
		dev_err(dev, "device reports %u job rings and %u MMU contexts; need 1 and 2\n",
			caps->rings, caps->contexts);
		return -ENODEV;
	}
	return 0;
}

int npu_fw_load(struct npu_device *ndev)
{
	struct device *dev = ndev->drm.dev;
	const struct firmware *fw;
	enum npu_boot_status check;
	int ret;

	ret = request_firmware(&fw, NPU_FW_NAME, dev);
	if (ret) {
		if (ret == -ENOENT)
			dev_err(dev, "firmware %s is missing: install it under /lib/firmware\n",
				NPU_FW_NAME);
		else
			dev_err(dev, "cannot load firmware %s: %d\n", NPU_FW_NAME, ret);
		return ret;
	}

	check = npu_fw_image_check(fw->data, fw->size, NPU_FW_API_VERSION, &ndev->fw_hdr);
	if (check == NPU_BOOT_ERR_API) {
		dev_err(dev, "firmware %s speaks API %u.%u; the driver needs %u.x\n",
			NPU_FW_NAME, NPU_FW_API_MAJOR(ndev->fw_hdr.api_version),
			NPU_FW_API_MINOR(ndev->fw_hdr.api_version),
			NPU_FW_API_MAJOR(NPU_FW_API_VERSION));
		ret = -EINVAL;
		goto out_release;
	}
	if (check != NPU_BOOT_RUNNING) {
		dev_err(dev, "firmware %s (%zu bytes) is corrupt: %s\n", NPU_FW_NAME, fw->size,
			npu_boot_status_str(check));
		ret = -EINVAL;
		goto out_release;
	}

	ndev->fw_cpu = dmam_alloc_coherent(dev, fw->size, &ndev->fw_dma, GFP_KERNEL);
	if (!ndev->fw_cpu) {
		ret = -ENOMEM;
		goto out_release;
	}
	memcpy(ndev->fw_cpu, fw->data, fw->size);
	ndev->fw_size = fw->size;
	ret = 0;
out_release:
	release_firmware(fw);
	return ret;
}

/* CTRL.RESET; the device finishes it asynchronously when it is busy. */
static int npu_hw_reset(struct npu_device *ndev)
{
	u32 status;
	int ret;

	clear_bit(NPU_FLAG_FW_READY, &ndev->flags);
	npu_write(ndev, NPU_REG_CTRL, NPU_CTRL_RESET);
	ret = read_poll_timeout(npu_read, status, !(status & NPU_STATUS_RESETTING), 100,
				npu_fw_timeout_us(), false, ndev, NPU_REG_STATUS);
	if (ret) {
		dev_err(ndev->drm.dev, "device did not finish its reset in %u ms\n",
			npu_fw_timeout_ms);
		return ret;
	}
	/* Both mailbox sequence registers are 0 again. */
	ndev->mbox_seq = 0;
	return 0;
}

static int npu_fw_hello(struct npu_device *ndev)
{
	struct device *dev = ndev->drm.dev;
	u32 seq, reply, version, api;
	int ret;

	seq = ++ndev->mbox_seq;
	npu_write(ndev, NPU_REG_MBOX_H2F_CMD, NPU_MBOX_HELLO);
	npu_write(ndev, NPU_REG_MBOX_H2F_ARG0, NPU_FW_API_VERSION);
	npu_write(ndev, NPU_REG_MBOX_H2F_ARG1, 0);
	/* H2F_SEQ is the doorbell: the firmware answers with F2H_SEQ = seq. */
	npu_write(ndev, NPU_REG_MBOX_H2F_SEQ, seq);
	ret = read_poll_timeout(npu_read, reply, reply == seq, NPU_POLL_US,
				npu_fw_timeout_us(), false, ndev, NPU_REG_MBOX_F2H_SEQ);
	if (ret) {
		dev_err(dev, "firmware did not answer HELLO in %u ms (boot status %#x, heartbeat %u)\n",
			npu_fw_timeout_ms, npu_read(ndev, NPU_REG_BOOT_STATUS),
			npu_read(ndev, NPU_REG_HEARTBEAT));
		return ret;
	}
	reply = npu_read(ndev, NPU_REG_MBOX_F2H_CMD);
	version = npu_read(ndev, NPU_REG_MBOX_F2H_ARG0);
	api = npu_read(ndev, NPU_REG_MBOX_F2H_ARG1);
	if (NPU_MBOX_REPLY_CMD(reply) != NPU_MBOX_HELLO) {
		dev_err(dev, "firmware answered HELLO with command %u\n",
			NPU_MBOX_REPLY_CMD(reply));
		return -EPROTO;
	}
	if (NPU_MBOX_REPLY_STATUS(reply) == NPU_MBOX_ERR_API ||
	    NPU_FW_API_MAJOR(api) != NPU_FW_API_MAJOR(NPU_FW_API_VERSION)) {
		dev_err(dev, "firmware API %u.%u is incompatible with the driver's %u.%u\n",
			NPU_FW_API_MAJOR(api), NPU_FW_API_MINOR(api),
			NPU_FW_API_MAJOR(NPU_FW_API_VERSION), NPU_FW_API_MINOR(NPU_FW_API_VERSION));
		return -EPROTO;
	}
	if (NPU_MBOX_REPLY_STATUS(reply) != NPU_MBOX_OK) {
		dev_err(dev, "firmware refused HELLO: status %u\n", NPU_MBOX_REPLY_STATUS(reply));
		return -EPROTO;
	}
	ndev->caps.fw_version = version;
	ndev->caps.fw_api_version = api;
	set_bit(NPU_FLAG_FW_READY, &ndev->flags);
	return 0;
}

static int npu_fw_boot(struct npu_device *ndev)
{
	struct device *dev = ndev->drm.dev;
	u32 status;
	int ret;

	npu_write(ndev, NPU_REG_FW_ADDR_LO, lower_32_bits(ndev->fw_dma));
	npu_write(ndev, NPU_REG_FW_ADDR_HI, upper_32_bits(ndev->fw_dma));
	npu_write(ndev, NPU_REG_FW_SIZE, ndev->fw_size);
	/* The boot ROM fetches and checks the image, then starts the CP. */
	npu_write(ndev, NPU_REG_CTRL, NPU_CTRL_BOOT);
	ret = read_poll_timeout(npu_read, status,
				status == NPU_BOOT_READY || status >= NPU_BOOT_ERR_DMA,
				NPU_POLL_US, npu_fw_timeout_us(), false, ndev,
				NPU_REG_BOOT_STATUS);
	if (ret) {
		dev_err(dev, "firmware did not become ready in %u ms: %s (boot status %#x)\n",
			npu_fw_timeout_ms, npu_boot_status_str(status), status);
		return ret;
	}
	if (status == NPU_BOOT_ERR_CP) {
		dev_err(dev, "firmware crashed while booting: trap cause %u at pc %#x (value %#x)\n",
			npu_read(ndev, NPU_REG_CP_TRAP_CAUSE), npu_read(ndev, NPU_REG_CP_TRAP_PC),
			npu_read(ndev, NPU_REG_CP_TRAP_VALUE));
		return -EIO;
	}
	if (status != NPU_BOOT_READY) {
		dev_err(dev, "device refused the firmware: %s (boot status %#x)\n",
			npu_boot_status_str(status), status);
		return -EIO;
	}
	return npu_fw_hello(ndev);
}

int npu_hw_start(struct npu_device *ndev)
{
	int ret;

	npu_irq_disable(ndev);
	ret = npu_hw_reset(ndev);
	if (ret)
		return ret;
	WRITE_ONCE(ndev->hw_generation, ndev->hw_generation + 1);
	npu_job_ring_init(ndev);
	npu_mmu_restore(ndev);
	npu_irq_enable(ndev);
	return npu_fw_boot(ndev);
}

int npu_hw_restart(struct npu_device *ndev)
{
	int ret = npu_hw_start(ndev);

	/* A firmware that crashed while booting gets one more chance. */
	if (ret) {
		dev_warn(ndev->drm.dev, "firmware restart failed (%d); trying once more\n", ret);
		ret = npu_hw_start(ndev);
	}
	return ret;
}

void npu_hw_stop(struct npu_device *ndev)
{
	npu_irq_disable(ndev);
	npu_hw_reset(ndev);
}

/*
 * Copy the device's firmware log, oldest byte first, into buf: its
 * first min(FW_LOG_LEN, size) bytes.  The log is read one word per
 * FW_LOG_INDEX write; it drops its oldest half when it fills, so a
 * copy during which FW_LOG_LEN shrank is taken again.  fw_log_lock held.
 */
static u32 npu_fw_log_copy(struct npu_device *ndev, char *buf, size_t size)
{
	unsigned int tries;
	u32 len = 0, off;
	__le32 word;

	lockdep_assert_held(&ndev->fw_log_lock);
	for (tries = 0; tries < 3; tries++) {
		len = min_t(size_t, npu_read(ndev, NPU_REG_FW_LOG_LEN),
			    min_t(size_t, size, NPU_FW_LOG_BYTES));
		for (off = 0; off < len; off += sizeof(word)) {
			npu_write(ndev, NPU_REG_FW_LOG_INDEX, off);
			word = cpu_to_le32(npu_read(ndev, NPU_REG_FW_LOG_DATA));
			memcpy(buf + off, &word, min_t(u32, sizeof(word), len - off));
		}
		if (npu_read(ndev, NPU_REG_FW_LOG_LEN) >= len)
			break;
	}
	return len;
}

/*
 * The firmware log into buf: the device's own while it is powered,
 * else the copy saved when it powered down.
 */
ssize_t npu_fw_log_read(struct npu_device *ndev, char *buf, size_t size)
{
	struct device *dev = ndev->drm.dev;
	u32 len;
	int idx;

	if (!drm_dev_enter(&ndev->drm, &idx))
		return -ENODEV;
	if (pm_runtime_get_if_active(dev) > 0) {
		scoped_guard(mutex, &ndev->fw_log_lock)
			len = npu_fw_log_copy(ndev, buf, size);
		pm_runtime_put_autosuspend(dev);
	} else {
		guard(mutex)(&ndev->fw_log_lock);
		len = min_t(size_t, ndev->fw_log_saved_len, size);
		memcpy(buf, ndev->fw_log_saved, len);
	}
	drm_dev_exit(idx);
	return len;
}

void npu_fw_log_save(struct npu_device *ndev)
{
	guard(mutex)(&ndev->fw_log_lock);
	ndev->fw_log_saved_len = npu_fw_log_copy(ndev, ndev->fw_log_saved, NPU_FW_LOG_BYTES);
}

void npu_fw_error_irq(struct npu_device *ndev)
{
	u32 status = npu_read(ndev, NPU_REG_BOOT_STATUS);

	/* Boot failures are reported by the boot itself. */
	if (!test_and_clear_bit(NPU_FLAG_FW_READY, &ndev->flags))
		return;
	dev_err(ndev->drm.dev, "firmware stopped: %s (trap cause %u at pc %#x, value %#x)\n",
		npu_boot_status_str(status), npu_read(ndev, NPU_REG_CP_TRAP_CAUSE),
		npu_read(ndev, NPU_REG_CP_TRAP_PC), npu_read(ndev, NPU_REG_CP_TRAP_VALUE));
	npu_job_fw_error(ndev);
}
