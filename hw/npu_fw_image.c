// SPDX-License-Identifier: MIT
/*
 * Firmware image checks: the rules of docs/hw-spec.md ("Firmware
 * image"), applied identically by the boot ROM and by software.
 */
#include "npu_fw_image.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

uint32_t npu_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int bit;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

uint32_t npu_fw_header_crc(const struct npu_fw_header *hdr)
{
	return npu_crc32(0, hdr, offsetof(struct npu_fw_header, header_crc));
}

enum npu_boot_status npu_fw_image_check(const void *image, size_t len,
					uint32_t api_version,
					struct npu_fw_header *hdr)
{
	const uint8_t *bytes = image;
	size_t i;

	if (len < sizeof(*hdr))
		return NPU_BOOT_ERR_SIZE;
	memcpy(hdr, image, sizeof(*hdr));
	if (hdr->magic != NPU_FW_MAGIC)
		return NPU_BOOT_ERR_MAGIC;
	if (hdr->header_size != sizeof(*hdr) || npu_fw_header_crc(hdr) != hdr->header_crc)
		return NPU_BOOT_ERR_HEADER;
	for (i = 0; i < sizeof(hdr->reserved) / sizeof(hdr->reserved[0]); i++)
		if (hdr->reserved[i])
			return NPU_BOOT_ERR_HEADER;
	if (!hdr->size || hdr->size > NPU_CP_IMEM_SIZE || hdr->size != len - sizeof(*hdr))
		return NPU_BOOT_ERR_SIZE;
	if (hdr->entry >= hdr->size || (hdr->entry & 3))
		return NPU_BOOT_ERR_HEADER;
	if (NPU_FW_API_MAJOR(hdr->api_version) != NPU_FW_API_MAJOR(api_version))
		return NPU_BOOT_ERR_API;
	if (npu_crc32(0, bytes + sizeof(*hdr), hdr->size) != hdr->payload_crc)
		return NPU_BOOT_ERR_CHECKSUM;
	return NPU_BOOT_RUNNING;
}

const char *npu_boot_status_str(uint32_t status)
{
	switch (status) {
	case NPU_BOOT_OFF:
		return "not booted";
	case NPU_BOOT_RUNNING:
		return "firmware running, not ready";
	case NPU_BOOT_READY:
		return "firmware ready";
	case NPU_BOOT_ERR_DMA:
		return "firmware image could not be read";
	case NPU_BOOT_ERR_SIZE:
		return "firmware image truncated or too large";
	case NPU_BOOT_ERR_MAGIC:
		return "firmware image has a bad magic";
	case NPU_BOOT_ERR_HEADER:
		return "firmware image header is corrupt";
	case NPU_BOOT_ERR_CHECKSUM:
		return "firmware image checksum mismatch";
	case NPU_BOOT_ERR_API:
		return "firmware API version incompatible";
	case NPU_BOOT_ERR_CP:
		return "firmware crashed or hung";
	default:
		return "unknown boot status";
	}
}
