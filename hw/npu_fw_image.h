/* SPDX-License-Identifier: MIT */
/*
 * npu_fw_image.h - firmware image checks, shared by the device's boot
 * ROM, the image packer, libnpu's sim loader and the driver.
 */
#ifndef NPU_FW_IMAGE_H
#define NPU_FW_IMAGE_H

#include "npu_hw.h"

#ifdef __KERNEL__
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) continuing from crc. */
uint32_t npu_crc32(uint32_t crc, const void *buf, size_t len);

/* CRC of a header: every byte before header_crc. */
uint32_t npu_fw_header_crc(const struct npu_fw_header *hdr);

/*
 * Check an image of `len` bytes, in this order: at least a header,
 * magic, header size and CRC, reserved words, payload size, entry
 * point, API major version against `api_version`, payload CRC.  Returns NPU_BOOT_RUNNING
 * when the image is good, else the enum npu_boot_status error that the
 * boot ROM reports for it.  `hdr` receives the header when len allows.
 */
enum npu_boot_status npu_fw_image_check(const void *image, size_t len,
					uint32_t api_version,
					struct npu_fw_header *hdr);

/* Human-readable meaning of a boot status, for logs and tools. */
const char *npu_boot_status_str(uint32_t status);

#endif /* NPU_FW_IMAGE_H */
