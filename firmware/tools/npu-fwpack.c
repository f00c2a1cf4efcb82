// SPDX-License-Identifier: MIT
/*
 * npu-fwpack: wrap a flat CP binary (loaded at NPU_CP_IMEM_BASE) into a
 * firmware image, struct npu_fw_header followed by the payload.
 *
 *   npu-fwpack --version 1.0.0 --entry 0 -o npu-fw.bin flat.bin
 *
 * The result is checked with npu_fw_image_check(), as the boot ROM will
 * check it, and only then renamed into place: on any error nothing is
 * written and the exit status is non-zero.  The header is written in
 * host byte order, which must be little-endian like the device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "npu_fw_image.h"

static const char *prog = "npu-fwpack";

static void usage(FILE *f)
{
	fprintf(f, "usage: %s --version MAJOR.MINOR.PATCH [--entry ADDR] -o OUT FLAT\n"
		"  --version  image version, each part 0..255\n"
		"  --entry    CP address of the first instruction (default 0)\n"
		"  -o         image to write\n"
		"  FLAT       flat binary loaded at CP address 0x%x, at most %u bytes\n",
		prog, NPU_CP_IMEM_BASE, NPU_CP_IMEM_SIZE);
}

/* One decimal part of a version, 0..255; returns the end or NULL. */
static const char *parse_part(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint32_t)(*s++ - '0');
		if (++digits > 3 || v > 255)
			return NULL;
	}
	if (!digits)
		return NULL;
	*out = v;
	return s;
}

/* "major.minor.patch" -> major << 16 | minor << 8 | patch. */
static int parse_version(const char *s, uint32_t *version)
{
	uint32_t major, minor, patch;

	s = parse_part(s, &major);
	if (!s || *s++ != '.')
		return -1;
	s = parse_part(s, &minor);
	if (!s || *s++ != '.')
		return -1;
	s = parse_part(s, &patch);
	if (!s || *s)
		return -1;
	*version = major << 16 | minor << 8 | patch;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > 0xffffffffull)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Read all of `path` (at most `max` bytes) into a new buffer. */
static int read_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	/* One spare byte tells "exactly max" from "too large". */
	data = malloc(max + 1);
	if (!data) {
		fprintf(stderr, "%s: out of memory\n", prog);
		fclose(f);
		return -1;
	}
	n = fread(data, 1, max + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", prog, path);
		goto fail;
	}
	if (n > max) {
		fprintf(stderr, "%s: %s: larger than the CP's IMEM (%zu bytes)\n",
			prog, path, max);
		goto fail;
	}
	if (!n) {
		fprintf(stderr, "%s: %s: empty\n", prog, path);
		goto fail;
	}
	fclose(f);
	*buf = data;
	*len = n;
	return 0;
fail:
	free(data);
	fclose(f);
	return -1;
}

/* Write via a temporary file in the same directory, then rename. */
static int write_atomic(const char *path, const void *buf, size_t len)
{
	size_t tmp_len = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(tmp_len);
	FILE *f = NULL;
	mode_t mask;
	int fd, err;

	if (!tmp) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	snprintf(tmp, tmp_len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: cannot create a file next to it: %s\n", prog, path,
			strerror(errno));
		free(tmp);
		return -1;
	}
	/* mkstemp creates 0600; give the image the usual permissions. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(f = fdopen(fd, "wb")))
		goto fail;
	if (fwrite(buf, 1, len, f) != len || fflush(f))
		goto fail;
	err = fclose(f);
	f = NULL;
	fd = -1;
	if (err || rename(tmp, path))
		goto fail;
	free(tmp);
	return 0;
fail:
	err = errno;
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	unlink(tmp);
	fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(err));
	free(tmp);
	return -1;
}

int main(int argc, char **argv)
{
	const char *version_str = NULL, *out = NULL, *in = NULL;
	struct npu_fw_header hdr, check;
	uint32_t version = 0, entry = 0;
	uint8_t *payload = NULL, *image;
	enum npu_boot_status st;
	size_t size;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(arg, "--version") || !strcmp(arg, "--entry") ||
		    !strcmp(arg, "-o")) {
			if (i + 1 == argc) {
				fprintf(stderr, "%s: %s needs a value\n", prog, arg);
				return 2;
			}
			if (!strcmp(arg, "--version")) {
				version_str = argv[++i];
				if (parse_version(version_str, &version)) {
					fprintf(stderr, "%s: bad version '%s' (want MAJOR.MINOR.PATCH, each 0..255)\n",
						prog, version_str);
					return 2;
				}
			} else if (!strcmp(arg, "--entry")) {
				if (parse_u32(argv[++i], &entry)) {
					fprintf(stderr, "%s: bad entry address '%s'\n", prog, argv[i]);
					return 2;
				}
			} else {
				out = argv[++i];
			}
		} else if (arg[0] == '-' && arg[1]) {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, arg);
			usage(stderr);
			return 2;
		} else if (in) {
			fprintf(stderr, "%s: more than one input file\n", prog);
			return 2;
		} else {
			in = arg;
		}
	}
	if (!version_str || !out || !in) {
		fprintf(stderr, "%s: missing %s\n", prog,
			!version_str ? "--version" : !out ? "-o OUT" : "the input file");
		usage(stderr);
		return 2;
	}

	if (read_file(in, NPU_CP_IMEM_SIZE, &payload, &size))
		return 1;
	/* Unsigned: an entry below the IMEM base wraps to a huge offset. */
	if ((entry & 3) || entry - NPU_CP_IMEM_BASE >= size) {
		fprintf(stderr, "%s: entry 0x%x is not a 4-aligned address inside the %zu-byte payload\n",
			prog, entry, size);
		free(payload);
		return 1;
	}

	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = NPU_FW_MAGIC;
	hdr.header_size = sizeof(hdr);
	hdr.image_version = version;
	hdr.api_version = NPU_FW_API_VERSION;
	hdr.size = (uint32_t)size;
	hdr.entry = entry;
	hdr.payload_crc = npu_crc32(0, payload, size);
	hdr.header_crc = npu_fw_header_crc(&hdr);

	image = malloc(sizeof(hdr) + size);
	if (!image) {
		fprintf(stderr, "%s: out of memory\n", prog);
		free(payload);
		return 1;
	}
	memcpy(image, &hdr, sizeof(hdr));
	memcpy(image + sizeof(hdr), payload, size);
	free(payload);

	/* The boot ROM's own check, so a packer bug cannot ship. */
	st = npu_fw_image_check(image, sizeof(hdr) + size, NPU_FW_API_VERSION, &check);
	if (st != NPU_BOOT_RUNNING) {
		fprintf(stderr, "%s: internal error: image fails its check: %s\n",
			prog, npu_boot_status_str(st));
		free(image);
		return 1;
	}
	if (write_atomic(out, image, sizeof(hdr) + size)) {
		free(image);
		return 1;
	}
	free(image);
	return 0;
}
