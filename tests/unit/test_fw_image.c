// SPDX-License-Identifier: MIT
/*
 * Firmware image checks (hw/npu_fw_image.c): images are built in
 * memory, then broken one field at a time.  Where a field is covered by
 * the header CRC, the CRC is recomputed so that the field's own check
 * is the one that fires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "npu_fw_image.h"

#define PAYLOAD_SIZE	256u

static uint8_t image[sizeof(struct npu_fw_header) + NPU_CP_IMEM_SIZE + 64];

/* A good image of `size` payload bytes; returns its length. */
static size_t make_image(uint32_t size)
{
	struct npu_fw_header hdr;
	uint32_t i;

	for (i = 0; i < size; i++)
		image[sizeof(hdr) + i] = (uint8_t)(i * 7 + 1);
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = NPU_FW_MAGIC;
	hdr.header_size = sizeof(hdr);
	hdr.image_version = 0x010203;
	hdr.api_version = NPU_FW_API_VERSION;
	hdr.size = size;
	hdr.entry = 0;
	hdr.payload_crc = npu_crc32(0, image + sizeof(hdr), size);
	hdr.header_crc = npu_fw_header_crc(&hdr);
	memcpy(image, &hdr, sizeof(hdr));
	return sizeof(hdr) + size;
}

static struct npu_fw_header *hdr_of_image(void)
{
	return (struct npu_fw_header *)image;
}

static void reseal_header(void)
{
	struct npu_fw_header *hdr = hdr_of_image();

	hdr->header_crc = npu_fw_header_crc(hdr);
}

static enum npu_boot_status check(size_t len)
{
	struct npu_fw_header out;

	return npu_fw_image_check(image, len, NPU_FW_API_VERSION, &out);
}

TEST(crc32_known_answer)
{
	CHECK_EQ(npu_crc32(0, "123456789", 9), 0xcbf43926u);
	CHECK_EQ(npu_crc32(0, "", 0), 0);
	/* Continuing a CRC equals computing it in one go. */
	CHECK_EQ(npu_crc32(npu_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

TEST(good_image_accepted)
{
	struct npu_fw_header out;
	size_t len = make_image(PAYLOAD_SIZE);

	CHECK_EQ(npu_fw_image_check(image, len, NPU_FW_API_VERSION, &out), NPU_BOOT_RUNNING);
	CHECK_EQ(out.size, PAYLOAD_SIZE);
	CHECK_EQ(out.image_version, 0x010203);

	/* Payloads of one word and of all of IMEM are fine. */
	CHECK_EQ(check(make_image(4)), NPU_BOOT_RUNNING);
	CHECK_EQ(check(make_image(NPU_CP_IMEM_SIZE)), NPU_BOOT_RUNNING);
}

TEST(bad_magic)
{
	size_t len = make_image(PAYLOAD_SIZE);

	hdr_of_image()->magic ^= 1;
	reseal_header();
	CHECK_EQ(check(len), NPU_BOOT_ERR_MAGIC);
}

TEST(bad_header_crc)
{
	size_t len = make_image(PAYLOAD_SIZE);

	hdr_of_image()->header_crc ^= 0x80000000u;
	CHECK_EQ(check(len), NPU_BOOT_ERR_HEADER);

	/* A changed field without a new CRC. */
	len = make_image(PAYLOAD_SIZE);
	hdr_of_image()->image_version++;
	CHECK_EQ(check(len), NPU_BOOT_ERR_HEADER);
}

TEST(bad_header_size)
{
	size_t len = make_image(PAYLOAD_SIZE);

	hdr_of_image()->header_size = sizeof(struct npu_fw_header) + 4;
	reseal_header();
	CHECK_EQ(check(len), NPU_BOOT_ERR_HEADER);
}

TEST(reserved_nonzero)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		size_t len = make_image(PAYLOAD_SIZE);

		hdr_of_image()->reserved[i] = 1u << i;
		reseal_header();
		CHECK_EQ(check(len), NPU_BOOT_ERR_HEADER);
	}
}

TEST(bad_payload_crc)
{
	size_t len = make_image(PAYLOAD_SIZE);

	image[len - 1] ^= 0x01;
	CHECK_EQ(check(len), NPU_BOOT_ERR_CHECKSUM);

	len = make_image(PAYLOAD_SIZE);
	hdr_of_image()->payload_crc ^= 1;
	reseal_header();
	CHECK_EQ(check(len), NPU_BOOT_ERR_CHECKSUM);
}

TEST(api_major_must_match)
{
	struct npu_fw_header out;
	size_t len = make_image(PAYLOAD_SIZE);

	hdr_of_image()->api_version = NPU_FW_API_VERSION + 0x10000;
	reseal_header();
	CHECK_EQ(check(len), NPU_BOOT_ERR_API);

	/* The minor version does not matter to the boot ROM. */
	len = make_image(PAYLOAD_SIZE);
	hdr_of_image()->api_version = NPU_FW_API_VERSION + 5;
	reseal_header();
	CHECK_EQ(check(len), NPU_BOOT_RUNNING);

	/* Checked against the caller's API, not a constant. */
	len = make_image(PAYLOAD_SIZE);
	CHECK_EQ(npu_fw_image_check(image, len, NPU_FW_API_VERSION + 0x10000, &out),
		 NPU_BOOT_ERR_API);
}

TEST(truncated)
{
	size_t len = make_image(PAYLOAD_SIZE);

	CHECK_EQ(check(0), NPU_BOOT_ERR_SIZE);
	CHECK_EQ(check(sizeof(struct npu_fw_header) - 1), NPU_BOOT_ERR_SIZE);
	/* Header only, and a payload one byte short. */
	CHECK_EQ(check(sizeof(struct npu_fw_header)), NPU_BOOT_ERR_SIZE);
	CHECK_EQ(check(len - 1), NPU_BOOT_ERR_SIZE);
	/* Trailing bytes are not allowed either. */
	CHECK_EQ(check(len + 4), NPU_BOOT_ERR_SIZE);
}

TEST(empty_payload)
{
	size_t len = make_image(0);

	CHECK_EQ(check(len), NPU_BOOT_ERR_SIZE);
}

TEST(oversized)
{
	size_t len = make_image(NPU_CP_IMEM_SIZE + 4);

	CHECK_EQ(check(len), NPU_BOOT_ERR_SIZE);
}

TEST(bad_entry)
{
	size_t len = make_image(PAYLOAD_SIZE);

	hdr_of_image()->entry = 2;
	reseal_header();
	CHECK_EQ(check(len), NPU_BOOT_ERR_HEADER);

	len = make_image(PAYLOAD_SIZE);
	hdr_of_image()->entry = PAYLOAD_SIZE;
	reseal_header();
	CHECK_EQ(check(len), NPU_BOOT_ERR_HEADER);

	len = make_image(PAYLOAD_SIZE);
	hdr_of_image()->entry = PAYLOAD_SIZE - 4;
	reseal_header();
	CHECK_EQ(check(len), NPU_BOOT_RUNNING);
}

TEST(boot_status_strings)
{
	static const uint32_t codes[] = {
		NPU_BOOT_OFF, NPU_BOOT_RUNNING, NPU_BOOT_READY, NPU_BOOT_ERR_DMA,
		NPU_BOOT_ERR_SIZE, NPU_BOOT_ERR_MAGIC, NPU_BOOT_ERR_HEADER,
		NPU_BOOT_ERR_CHECKSUM, NPU_BOOT_ERR_API, NPU_BOOT_ERR_CP,
	};
	const char *unknown = npu_boot_status_str(0xdead);
	unsigned int i, j;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		CHECK(npu_boot_status_str(codes[i]) != NULL);
		CHECK(strcmp(npu_boot_status_str(codes[i]), unknown) != 0);
		for (j = 0; j < i; j++)
			CHECK(strcmp(npu_boot_status_str(codes[i]),
				     npu_boot_status_str(codes[j])) != 0);
	}
}

/*
 * The image the build produced passes the boot ROM's check.  Required
 * when the Makefile names it (NPU_FW_IMAGE), else checked if present.
 */
TEST(built_image_valid)
{
	static uint8_t buf[sizeof(image)];
	struct npu_fw_header out;
	FILE *f = fopen(harness_fw_image(), "rb");
	size_t len;

	if (!f && !getenv("NPU_FW_IMAGE")) {
		printf("    (no firmware image at %s; skipped)\n", harness_fw_image());
		return;
	}
	CHECK_MSG(f != NULL, "cannot open %s", harness_fw_image());
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK_EQ(npu_fw_image_check(buf, len, NPU_FW_API_VERSION, &out), NPU_BOOT_RUNNING);
	CHECK_EQ(out.entry, 0);
	CHECK_EQ(out.api_version, NPU_FW_API_VERSION);
	CHECK(out.size <= NPU_CP_IMEM_SIZE);
}
