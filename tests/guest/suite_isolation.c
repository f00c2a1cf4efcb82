// SPDX-License-Identifier: MIT
/*
 * isolation: a hostile client A aims its jobs at client B's BOs, at
 * unmapped addresses and at the bus addresses of the MMU's own page
 * tables, reading and writing.  Every such job must end with an MMU
 * fault reported to A, B's canary must stay intact, and B's jobs
 * running meanwhile must complete with correct results.
 *
 * The faulting-context policy (uapi: DRM_NPU_PARAM_BAN_RESETS): a fault
 * ends only the job; a file whose jobs caused ban_resets device resets
 * is refused further submits with -EIO, and no one else is affected.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

#define ISO_DATA	(1u << 20)
/* B's canary is big so that most of its VA range is unmapped in A. */
#define ISO_CANARY	(48u << 20)
#define ISO_CHUNK	4096u
#define ISO_PM_CONTROL	"/sys/class/accel/accel0/device/power/control"

struct iso {
	struct gt_client a, b;
	uint32_t canary;
	uint64_t canary_va;
	uint8_t *canary_map;
	uint8_t *canary_want;		/* what canary_map must hold */
	uint32_t b_round;
};

static uint8_t canary_byte(uint64_t i)
{
	return (uint8_t)(i * 2654435761u >> 13);
}

static const char *iso_open(struct iso *s)
{
	uint64_t i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->a.fd = s->b.fd = -1;
	ret = gt_client_open(&s->b, ISO_DATA);
	if (!ret)
		ret = gt_bo_create(s->b.fd, ISO_CANARY, 0, &s->canary, &s->canary_va);
	if (!ret) {
		s->canary_map = gt_bo_mmap(s->b.fd, s->canary, ISO_CANARY);
		if (!s->canary_map)
			ret = -errno;
	}
	if (!ret)
		ret = gt_client_open(&s->a, ISO_DATA);
	if (!ret) {
		s->canary_want = malloc(ISO_CANARY);
		if (!s->canary_want)
			ret = -ENOMEM;
	}
	if (ret)
		return gt_reason("setup: %s", gt_errno_name(-ret));
	for (i = 0; i < ISO_CANARY; i++)
		s->canary_want[i] = canary_byte(i);
	memcpy(s->canary_map, s->canary_want, ISO_CANARY);
	return NULL;
}

static void iso_close(struct iso *s)
{
	/* A mapping keeps its file, and with it the module, alive. */
	if (s->canary_map)
		munmap(s->canary_map, ISO_CANARY);
	s->canary_map = NULL;
	free(s->canary_want);
	s->canary_want = NULL;
	gt_client_close(&s->a);
	gt_client_close(&s->b);
}

static const char *iso_canary_intact(struct iso *s)
{
	uint64_t i;

	if (!memcmp(s->canary_map, s->canary_want, ISO_CANARY))
		return NULL;
	for (i = 0; s->canary_map[i] == s->canary_want[i]; i++)
		;
	return gt_reason("B's canary byte %" PRIu64 " changed to %#x", i, s->canary_map[i]);
}

/* B's job: copy a chunk of its data through SRAM, pattern by round. */
static int iso_b_submit(struct iso *s, uint64_t *job)
{
	int ret;

	memset(s->b.mem, (int)(0x30 + s->b_round % 64), ISO_CHUNK);
	memset(s->b.mem + ISO_CHUNK, 0, ISO_CHUNK);
	ret = npu_cs_load_linear(s->b.cs, 0, (uint32_t)s->b.data_va, ISO_CHUNK);
	if (!ret)
		ret = npu_cs_sync(s->b.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
	if (!ret)
		ret = npu_cs_store_linear(s->b.cs, (uint32_t)s->b.data_va + ISO_CHUNK, 0,
					  ISO_CHUNK);
	return ret ? ret : gt_client_submit(&s->b, NULL, job);
}

static const char *iso_b_check(struct iso *s, uint64_t job)
{
	struct drm_npu_wait w;
	int ret = gt_client_wait(&s->b, job, &w);
	uint8_t want = (uint8_t)(0x30 + s->b_round % 64);

	s->b_round++;
	GT_CHECK(!ret && !w.job_status, "B's job: %s, status %u", gt_errno_name(-ret),
		 w.job_status);
	GT_CHECK(s->b.mem[ISO_CHUNK] == want && s->b.mem[2 * ISO_CHUNK - 1] == want,
		 "B's job wrote %#x, expected %#x", s->b.mem[ISO_CHUNK], want);
	return NULL;
}

/* Is va inside one of A's own BOs (then it is not a foreign address)? */
static int iso_mapped_in_a(const struct iso *s, uint64_t va)
{
	return (va >= s->a.data_va && va < s->a.data_va + ISO_DATA) ||
	       (va >= s->a.cmd_va && va < s->a.cmd_va + GT_CMD_SIZE);
}

/*
 * A reads (write = 0) or writes va while B runs a job: A's job must
 * fault at va, B's job must succeed, the canary must hold.
 */
static const char *iso_attack(struct iso *s, uint64_t va, int write)
{
	uint64_t ja, jb;
	struct drm_npu_wait w;
	const char *why;
	int ret;

	if (write) {
		memset(s->a.mem, 0xee, ISO_CHUNK);
		ret = npu_cs_load_linear(s->a.cs, 0, (uint32_t)s->a.data_va, ISO_CHUNK);
		if (!ret)
			ret = npu_cs_sync(s->a.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
		if (!ret)
			ret = npu_cs_store_linear(s->a.cs, (uint32_t)va, 0, ISO_CHUNK);
	} else {
		ret = npu_cs_load_linear(s->a.cs, 0, (uint32_t)va, ISO_CHUNK);
		if (!ret)
			ret = npu_cs_sync(s->a.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
		if (!ret)
			ret = npu_cs_store_linear(s->a.cs, (uint32_t)s->a.data_va, 0, ISO_CHUNK);
	}
	GT_CHECK(!ret, "encoding A's job at VA %#" PRIx64 " failed", va);
	ret = iso_b_submit(s, &jb);
	GT_CHECK(!ret, "B's submit: %s", gt_errno_name(-ret));
	memset(s->a.mem, 0, write ? 0 : ISO_CHUNK);
	ret = gt_client_submit(&s->a, NULL, &ja);
	if (ret) {
		iso_b_check(s, jb);
		return gt_reason("A's submit: %s", gt_errno_name(-ret));
	}
	ret = gt_client_wait(&s->a, ja, &w);
	why = iso_b_check(s, jb);
	if (why)
		return why;
	GT_CHECK(!ret, "A's wait: %s", gt_errno_name(-ret));
	GT_CHECK(w.job_status == NPU_ERR_MMU, "A's %s at VA %#" PRIx64 ": status %u, expected an MMU fault",
		 write ? "write" : "read", va, w.job_status);
	GT_CHECK(w.fault_addr >= (uint32_t)va && w.fault_addr < (uint32_t)va + ISO_CHUNK,
		 "A's fault is reported at VA %#x, the job aimed at %#" PRIx64, w.fault_addr, va);
	if (!write) {
		uint32_t i;

		for (i = 0; i < ISO_CHUNK; i++)
			GT_CHECK(!s->a.mem[i], "A got byte %#x of someone else's memory",
				 s->a.mem[i]);
	}
	return iso_canary_intact(s);
}

/* Both directions at each address; addresses inside A's own BOs are skipped. */
static const char *iso_attack_all(struct iso *s, const uint64_t *vas, unsigned int n,
				  unsigned int *tried)
{
	const char *why;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (iso_mapped_in_a(s, vas[i]) || vas[i] > 0xffffffffull - ISO_CHUNK)
			continue;
		why = iso_attack(s, vas[i], 0);
		if (!why)
			why = iso_attack(s, vas[i], 1);
		if (why)
			return why;
		(*tried)++;
	}
	return NULL;
}

static const char *iso_other_file(void)
{
	uint64_t vas[8];
	unsigned int i, tried = 0;
	struct iso s;
	const char *why = iso_open(&s);

	if (why)
		return why;
	/* Spread over B's canary: its start, its pages past A's ranges, its end. */
	for (i = 0; i < 8; i++)
		vas[i] = s.canary_va + (uint64_t)i * (ISO_CANARY / 8);
	vas[7] = s.canary_va + ISO_CANARY - ISO_CHUNK;
	why = iso_attack_all(&s, vas, 8, &tried);
	if (!why && tried < 6)
		why = gt_reason("only %u of B's addresses were unmapped in A", tried);
	gt_info("isolation.other-file: %u of B's addresses tried, both directions", tried);
	iso_close(&s);
	return why;
}

static const char *iso_unmapped(void)
{
	uint64_t va_start = 0, va_end = 0;
	unsigned int tried = 0;
	struct iso s;
	const char *why = iso_open(&s);

	if (why)
		return why;
	gt_query(s.a.fd, DRM_NPU_PARAM_VA_START, &va_start);
	gt_query(s.a.fd, DRM_NPU_PARAM_VA_END, &va_end);
	{
		const uint64_t vas[] = {
			0, va_start - ISO_CHUNK, va_end, 0xffffe000ull,
			s.a.data_va + ISO_DATA, s.a.cmd_va + GT_CMD_SIZE, 0x80000000ull,
		};

		why = iso_attack_all(&s, vas, sizeof(vas) / sizeof(vas[0]), &tried);
	}
	if (!why && tried < 5)
		why = gt_reason("only %u unmapped addresses could be tried", tried);
	iso_close(&s);
	return why;
}

/* The bus addresses of every context's level-1 table, from debugfs. */
static unsigned int iso_table_addrs(uint64_t *vas, unsigned int max)
{
	char dir[256], path[300], line[256];
	unsigned int n = 0;
	FILE *f;

	if (!gt_debugfs_dir(dir, sizeof(dir)))
		return 0;
	snprintf(path, sizeof(path), "%s/regs", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long long root;
		char *p = strstr(line, "NPU_REG_MMU_ROOT(");

		if (!p || sscanf(strrchr(line, ' ') + 1, "%llx", &root) != 1 || !root)
			continue;
		/* The table's bus address, and the same page index as a VA. */
		vas[n++] = root & 0xfffff000ull;
	}
	fclose(f);
	return n;
}

static const char *iso_page_tables(void)
{
	uint64_t vas[NPU_MAX_CONTEXTS];
	unsigned int n, tried = 0;
	struct iso s;
	const char *why = iso_open(&s);

	if (why)
		return why;
	/*
	 * The roots are programmed while the device is powered: keep it so
	 * (runtime PM off) and run a job to power it up.
	 */
	if (gt_write_file(ISO_PM_CONTROL, "on")) {
		iso_close(&s);
		return gt_reason("cannot write %s", ISO_PM_CONTROL);
	}
	why = iso_attack(&s, 0, 0);
	if (why) {
		iso_close(&s);
		gt_write_file(ISO_PM_CONTROL, "auto");
		return why;
	}
	n = iso_table_addrs(vas, NPU_MAX_CONTEXTS);
	if (n < 2) {
		iso_close(&s);
		gt_write_file(ISO_PM_CONTROL, "auto");
		return gt_reason("debugfs shows %u bound contexts, expected A's and B's", n);
	}
	why = iso_attack_all(&s, vas, n, &tried);
	gt_info("isolation.page-tables: %u table addresses, %u tried as VAs", n, tried);
	if (!why && !tried)
		why = gt_reason("every table address fell inside A's own BOs");
	iso_close(&s);
	if (gt_write_file(ISO_PM_CONTROL, "auto") && !why)
		why = gt_reason("cannot restore %s", ISO_PM_CONTROL);
	return why;
}

/*
 * Faults alone never ban; resets do.  Reload with a 1 s job timeout and
 * ban_resets=2: A's two runaway jobs each time out (-ETIMEDOUT), its
 * third submit gets -EIO, B works throughout, and a new file of A's
 * process starts clean.
 */
static const char *iso_ban(void)
{
	uint64_t ja, jb, ban = 0;
	struct drm_npu_wait w;
	const char *why = NULL;
	unsigned int i;
	struct iso s;
	int ret;

	why = gt_module_reload("job_timeout_ms=1000 ban_resets=2");
	if (why)
		return why;
	why = iso_open(&s);
	if (why)
		goto out_reload;
	gt_query(s.a.fd, DRM_NPU_PARAM_BAN_RESETS, &ban);
	if (ban != 2) {
		why = gt_reason("QUERY BAN_RESETS says %" PRIu64 ", loaded with 2", ban);
		goto out_close;
	}
	/* Ten MMU faults: each ends its job, none counts towards the ban. */
	for (i = 0; i < 10 && !why; i++)
		why = iso_attack(&s, s.canary_va + ISO_CANARY - ISO_CHUNK, i & 1);
	for (i = 0; i < 2 && !why; i++) {
		ret = gt_client_long_job(&s.a, 2048);
		if (!ret)
			ret = gt_client_submit(&s.a, NULL, &ja);
		if (!ret)
			ret = iso_b_submit(&s, &jb);
		if (ret) {
			why = gt_reason("runaway %u: submit: %s", i, gt_errno_name(-ret));
			break;
		}
		ret = gt_client_wait(&s.a, ja, &w);
		why = iso_b_check(&s, jb);
		if (!why && ret != -ETIMEDOUT)
			why = gt_reason("runaway job %u: %s, expected ETIMEDOUT", i,
					gt_errno_name(-ret));
	}
	if (!why) {
		ret = npu_cs_nop(s.a.cs);
		ret = ret ? ret : gt_client_submit(&s.a, NULL, &ja);
		if (ret != -EIO)
			why = gt_reason("A's submit after 2 resets: %s, expected EIO (banned)",
					gt_errno_name(-ret));
	}
	if (!why) {
		ret = iso_b_submit(&s, &jb);
		why = ret ? gt_reason("B's submit: %s", gt_errno_name(-ret)) : iso_b_check(&s, jb);
	}
	if (!why) {
		/* The ban is the file's: a new one starts clean. */
		gt_client_close(&s.a);
		ret = gt_client_open(&s.a, ISO_DATA);
		if (!ret)
			ret = npu_cs_nop(s.a.cs);
		if (!ret)
			ret = gt_client_submit(&s.a, NULL, &ja);
		if (!ret)
			ret = gt_client_wait(&s.a, ja, NULL);
		if (ret)
			why = gt_reason("a new file after the ban: %s", gt_errno_name(-ret));
	}
	if (!why)
		why = iso_canary_intact(&s);
out_close:
	iso_close(&s);
out_reload:
	{
		const char *reload = gt_module_reload("");

		return why ? why : reload;
	}
}

int suite_isolation(void)
{
	gt_result("isolation.other-file", iso_other_file());
	gt_result("isolation.unmapped", iso_unmapped());
	gt_result("isolation.page-tables", iso_page_tables());
	gt_result("isolation.ban-after-resets", iso_ban());
	return 0;
}
