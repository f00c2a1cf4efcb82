// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KUnit suites for the driver's pure logic: page-table encoding and
 * mapping on a fake table, ioctl argument checks, firmware image checks
 * (npu_fw_image.c, shared with the boot ROM) and job bookkeeping.
 * Run with driver/run-kunit.sh.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "npu_device.h"
#include "npu_fw_image.h"
#include "npu_gem.h"
#include "npu_job.h"
#include "npu_mmu.h"

/* ------------------------------------------------------------------ */
/* Page tables                                                         */
/* ------------------------------------------------------------------ */

/* Tables from kmalloc with made-up bus addresses above 4 GiB. */
struct npu_fake_pt {
	unsigned int allocs;
	unsigned int frees;
	int fail_after;		/* allocations left before failing; < 0: never */
};

#define NPU_FAKE_DMA_BASE	0xabc00000000ull

static __le64 *npu_fake_alloc(void *priv, dma_addr_t *dma)
{
	struct npu_fake_pt *fake = priv;
	__le64 *table;

	if (fake->fail_after == 0)
		return NULL;
	if (fake->fail_after > 0)
		fake->fail_after--;
	table = kzalloc(NPU_PT_BYTES, GFP_KERNEL);
	if (!table)
		return NULL;
	*dma = NPU_FAKE_DMA_BASE + (u64)fake->allocs * 2 * NPU_PT_BYTES;
	fake->allocs++;
	return table;
}

static void npu_fake_free(void *priv, __le64 *table, dma_addr_t dma)
{
	struct npu_fake_pt *fake = priv;

	fake->frees++;
	kfree(table);
}

static const struct npu_pt_ops npu_fake_ops = {
	.alloc = npu_fake_alloc,
	.free = npu_fake_free,
};

struct npu_pt_ctx {
	struct npu_fake_pt fake;
	struct npu_pt pt;
};

static int npu_pt_test_init(struct kunit *test)
{
	struct npu_pt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->fake.fail_after = -1;
	KUNIT_ASSERT_EQ(test, npu_pt_init(&ctx->pt, &npu_fake_ops, &ctx->fake), 0);
	test->priv = ctx;
	return 0;
}

static void npu_pt_test_exit(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;

	npu_pt_fini(&ctx->pt);
	KUNIT_EXPECT_EQ(test, ctx->fake.allocs, ctx->fake.frees);
}

static void npu_pte_encode_test(struct kunit *test)
{
	u64 rw = npu_pte_encode(0x123456000ull, true);
	u64 ro = npu_pte_encode(0x123456000ull, false);

	KUNIT_EXPECT_EQ(test, rw, 0x123456000ull | NPU_PTE_VALID | NPU_PTE_READ | NPU_PTE_WRITE);
	KUNIT_EXPECT_EQ(test, ro, 0x123456000ull | NPU_PTE_VALID | NPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, rw & NPU_PTE_RSVD_MASK, 0ull);
	KUNIT_EXPECT_TRUE(test, npu_pte_valid(ro));
	KUNIT_EXPECT_FALSE(test, npu_pte_valid(0));
	KUNIT_EXPECT_EQ(test, (u64)npu_pte_addr(rw), 0x123456000ull);
	/* Offset bits never leak into the flags. */
	KUNIT_EXPECT_EQ(test, npu_pte_encode(0x5fff, false) & NPU_PTE_RSVD_MASK, 0ull);
	KUNIT_EXPECT_EQ(test, (u64)npu_pte_addr(npu_pte_encode(0x5fff, false)), 0x5000ull);
}

static void npu_pde_encode_test(struct kunit *test)
{
	u64 pde = npu_pde_encode(0xfedcba000ull);

	/* Level-1 entries carry no permission or reserved bits. */
	KUNIT_EXPECT_EQ(test, pde, 0xfedcba000ull | NPU_PTE_VALID);
	KUNIT_EXPECT_EQ(test, pde & (NPU_PTE_READ | NPU_PTE_WRITE | NPU_PTE_RSVD_MASK), 0ull);
}

static void npu_va_index_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, NPU_VA_L1_INDEX(0x00000000u), 0u);
	KUNIT_EXPECT_EQ(test, NPU_VA_L2_INDEX(0x00010000u), 0x10u);
	KUNIT_EXPECT_EQ(test, NPU_VA_L1_INDEX(0x003ff000u), 0u);
	KUNIT_EXPECT_EQ(test, NPU_VA_L2_INDEX(0x003ff000u), 0x3ffu);
	KUNIT_EXPECT_EQ(test, NPU_VA_L1_INDEX(0x00400000u), 1u);
	KUNIT_EXPECT_EQ(test, NPU_VA_L2_INDEX(0x00400000u), 0u);
	KUNIT_EXPECT_EQ(test, NPU_VA_L1_INDEX(0xfffff000u), 0x3ffu);
	KUNIT_EXPECT_EQ(test, NPU_VA_L2_INDEX(0xfffff000u), 0x3ffu);
}

static void npu_va_range_test(struct kunit *test)
{
	static const struct {
		u64 va, size;
		bool ok;
	} cases[] = {
		{ 0x10000, 0x1000, true },
		{ 0x10000, 0, false },
		{ 0x10800, 0x1000, false },
		{ 0x10000, 0x800, false },
		{ 0xfffff000, 0x1000, true },
		{ 0xfffff000, 0x2000, false },
		{ 0x100000000ull, 0x1000, false },
		{ 0, 1ull << 32, true },
		{ 0x1000, ~0ull & ~0xfffull, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, npu_va_range_ok(cases[i].va, cases[i].size), cases[i].ok,
				    "va %#llx size %#llx", cases[i].va, cases[i].size);
}

static void npu_pt_map_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	const u64 va = 0x003fe000, pa = 0x200000000ull, size = 4 * NPU_PAGE_SIZE;
	u64 off;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, va, pa, size, false), 0);
	/* The range crosses from level-1 entry 0 to entry 1. */
	KUNIT_EXPECT_EQ(test, ctx->fake.allocs, 3u);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 2u);
	for (off = 0; off < size; off += NPU_PAGE_SIZE)
		KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va + off), npu_pte_encode(pa + off, false));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[0]), npu_pde_encode(pt->l2_dma[0]));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[1]), npu_pde_encode(pt->l2_dma[1]));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[2]), 0ull);
	/* Neighbours stay unmapped. */
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va - NPU_PAGE_SIZE), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va + size), 0ull);

	npu_pt_unmap(pt, va + NPU_PAGE_SIZE, 2 * NPU_PAGE_SIZE);
	KUNIT_EXPECT_NE(test, npu_pt_lookup(pt, va), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va + NPU_PAGE_SIZE), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va + 2 * NPU_PAGE_SIZE), 0ull);
	KUNIT_EXPECT_NE(test, npu_pt_lookup(pt, va + 3 * NPU_PAGE_SIZE), 0ull);

	/* Writable mapping in the freed hole, reusing the level-2 tables. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, va + NPU_PAGE_SIZE, pa, 2 * NPU_PAGE_SIZE, true), 0);
	KUNIT_EXPECT_EQ(test, ctx->fake.allocs, 3u);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va + NPU_PAGE_SIZE), npu_pte_encode(pa, true));
}

static void npu_pt_map_errors_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x10800, 0x1000, 0x1000, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x10000, 0x1800, 0x1000, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x10000, 0x1000, 0, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0xfffff000, 0x1000, 0x2000, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->fake.allocs, 1u);

	/* Overlapping an existing mapping fails and leaves only the old one. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, 0x1000, true), 0);
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x1e000, 0x9000, 0x3000, true), -EEXIST);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x1e000), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x1f000), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x20000), npu_pte_encode(0x5000, true));

	/* No memory for a level-2 table: nothing of the range stays mapped. */
	ctx->fake.fail_after = 0;
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x003ff000, 0x7000, 0x2000, true), -ENOMEM);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x003ff000), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x00400000), 0ull);
	ctx->fake.fail_after = -1;

	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x100000000ull), 0ull);
}

static void npu_pt_init_fail_test(struct kunit *test)
{
	struct npu_fake_pt fake = { .fail_after = 0 };
	struct npu_pt pt;

	KUNIT_EXPECT_EQ(test, npu_pt_init(&pt, &npu_fake_ops, &fake), -ENOMEM);
	KUNIT_EXPECT_NULL(test, pt.l1);
	npu_pt_fini(&pt);
	KUNIT_EXPECT_EQ(test, fake.frees, 0u);
}

static void npu_pt_full_space_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	/* The whole handed-out VA space in one mapping: one table per 4 MiB. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, NPU_VA_START, 0x40000000ull,
					 NPU_VA_END - NPU_VA_START, false), 0);
	KUNIT_EXPECT_EQ(test, pt->l2_count, NPU_PT_ENTRIES);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_VA_END), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_VA_END - NPU_PAGE_SIZE),
			npu_pte_encode(0x40000000ull + NPU_VA_END - NPU_PAGE_SIZE - NPU_VA_START,
				       false));
	npu_pt_unmap(pt, NPU_VA_START, NPU_VA_END - NPU_VA_START);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_VA_START), 0ull);
}

static struct kunit_case npu_mmu_cases[] = {
	KUNIT_CASE(npu_pte_encode_test),
	KUNIT_CASE(npu_pde_encode_test),
	KUNIT_CASE(npu_va_index_test),
	KUNIT_CASE(npu_va_range_test),
	KUNIT_CASE(npu_pt_map_test),
	KUNIT_CASE(npu_pt_map_errors_test),
	KUNIT_CASE(npu_pt_init_fail_test),
	KUNIT_CASE(npu_pt_full_space_test),
	{}
};

static struct kunit_suite npu_mmu_suite = {
	.name = "npu_mmu",
	.init = npu_pt_test_init,
	.exit = npu_pt_test_exit,
	.test_cases = npu_mmu_cases,
};

/* ------------------------------------------------------------------ */
/* Ioctl argument checks                                               */
/* ------------------------------------------------------------------ */

static void npu_submit_args_test(struct kunit *test)
{
	static const struct {
		const char *what;
		struct drm_npu_submit args;
		int ret;
	} cases[] = {
		{ "valid", { .cmd_size = 64, .bo_count = 2, .in_sync_count = 1 }, 0 },
		{ "empty stream", { .cmd_size = 0 }, 0 },
		{ "largest", { .cmd_size = NPU_MAX_CMD_BYTES, .bo_count = NPU_MAX_BOS,
			       .in_sync_count = NPU_MAX_IN_SYNCS }, 0 },
		{ "no result", { .cmd_size = 64, .flags = DRM_NPU_SUBMIT_NO_RESULT }, 0 },
		{ "out sync pad", { .cmd_size = 64, .out_sync = { .handle = 1, .pad = 1 } },
		  -EINVAL },
		{ "flags", { .cmd_size = 64, .flags = 2 }, -EINVAL },
		{ "high flag", { .cmd_size = 64, .flags = 0x80000000u }, -EINVAL },
		{ "too many BOs", { .cmd_size = 64, .bo_count = NPU_MAX_BOS + 1 }, -EINVAL },
		{ "too many syncs", { .cmd_size = 64, .in_sync_count = NPU_MAX_IN_SYNCS + 1 },
		  -EINVAL },
		{ "stream too long", { .cmd_size = NPU_MAX_CMD_BYTES + 4 }, -EINVAL },
		{ "offset misaligned", { .cmd_offset = 2, .cmd_size = 64 }, -EINVAL },
		{ "size misaligned", { .cmd_size = 62 }, -EINVAL },
		{ "huge counts", { .bo_count = ~0u, .in_sync_count = ~0u }, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, npu_check_submit_args(&cases[i].args), cases[i].ret,
				    "%s", cases[i].what);
}

static void npu_bo_refs_test(struct kunit *test)
{
	struct drm_npu_bo_ref refs[3] = {
		{ 1, DRM_NPU_BO_READ }, { 2, DRM_NPU_BO_WRITE },
		{ 3, DRM_NPU_BO_READ | DRM_NPU_BO_WRITE },
	};

	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, 3), 0);
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(NULL, 0), 0);
	refs[1].flags = 0;
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, 3), -EINVAL);
	/* Only the first count entries are looked at. */
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, 1), 0);
	refs[1].flags = DRM_NPU_BO_READ | 4;
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, 3), -EINVAL);
	refs[1].flags = DRM_NPU_BO_READ;
	refs[2].flags = 0x80000000u;
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, 3), -EINVAL);
}

static void npu_cmd_range_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, npu_check_cmd_range(0, 4096, 4096), 0);
	KUNIT_EXPECT_EQ(test, npu_check_cmd_range(4092, 4, 4096), 0);
	KUNIT_EXPECT_EQ(test, npu_check_cmd_range(4096, 0, 4096), 0);
	KUNIT_EXPECT_EQ(test, npu_check_cmd_range(4096, 4, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, npu_check_cmd_range(0, 8192, 4096), -EINVAL);
	/* offset + size would wrap in 32 bits. */
	KUNIT_EXPECT_EQ(test, npu_check_cmd_range(0xfffffffcu, 8, 1ull << 30), -EINVAL);
	KUNIT_EXPECT_EQ(test, npu_check_cmd_range(0xfffffffcu, 4, 1ull << 32), 0);
}

static void npu_wait_args_test(struct kunit *test)
{
	static const struct {
		const char *what;
		struct drm_npu_wait args;
		int ret;
	} cases[] = {
		{ "job", { .type = DRM_NPU_WAIT_JOB, .job_id = 7, .timeout_ns = 1 }, 0 },
		{ "job, no deadline", { .type = DRM_NPU_WAIT_JOB, .job_id = 7 }, 0 },
		{ "bo", { .type = DRM_NPU_WAIT_BO, .handle = 3, .timeout_ns = -1 }, 0 },
		{ "job with handle", { .type = DRM_NPU_WAIT_JOB, .job_id = 7, .handle = 1 },
		  -EINVAL },
		{ "bo with job id", { .type = DRM_NPU_WAIT_BO, .handle = 3, .job_id = 1 },
		  -EINVAL },
		{ "pad", { .type = DRM_NPU_WAIT_JOB, .job_id = 7, .pad = 1 }, -EINVAL },
		{ "type", { .type = 2 }, -EINVAL },
		{ "type high", { .type = ~0u }, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, npu_check_wait_args(&cases[i].args), cases[i].ret,
				    "%s", cases[i].what);
}

static void npu_bo_create_args_test(struct kunit *test)
{
	static const struct {
		struct drm_npu_bo_create args;
		int ret;
	} cases[] = {
		{ { .size = 1 }, 0 },
		{ { .size = 4096, .flags = DRM_NPU_BO_DEVICE_READONLY }, 0 },
		{ { .size = NPU_BO_MAX_SIZE }, 0 },
		{ { .size = 0 }, -EINVAL },
		{ { .size = NPU_BO_MAX_SIZE + 1 }, -EINVAL },
		{ { .size = ~0ull }, -EINVAL },
		{ { .size = 4096, .flags = 2 }, -EINVAL },
		{ { .size = 4096, .flags = 0x80000001u }, -EINVAL },
	};
	struct drm_npu_bo_mmap_offset mo = { .handle = 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, npu_check_bo_create_args(&cases[i].args), cases[i].ret,
				    "size %llu flags %#x", cases[i].args.size,
				    cases[i].args.flags);
	KUNIT_EXPECT_EQ(test, npu_check_bo_mmap_offset_args(&mo), 0);
	mo.pad = 1;
	KUNIT_EXPECT_EQ(test, npu_check_bo_mmap_offset_args(&mo), -EINVAL);
}

static void npu_query_test(struct kunit *test)
{
	const struct npu_caps caps = {
		.hw_version = 0x10000, .mac_rows = 32, .mac_cols = 16, .sram_size = 1 << 20,
		.clock_mhz = 1000, .dram_bw = 8000, .rings = 1, .contexts = 16, .ops = 0x3f,
		.fw_version = 0x010203, .fw_api_version = 0x10000,
	};
	const u64 want[DRM_NPU_PARAM_COUNT] = {
		[DRM_NPU_PARAM_HW_VERSION] = 0x10000,
		[DRM_NPU_PARAM_FW_VERSION] = 0x010203,
		[DRM_NPU_PARAM_FW_API_VERSION] = 0x10000,
		[DRM_NPU_PARAM_MAC_ROWS] = 32,
		[DRM_NPU_PARAM_MAC_COLS] = 16,
		[DRM_NPU_PARAM_SRAM_SIZE] = 1 << 20,
		[DRM_NPU_PARAM_CLOCK_MHZ] = 1000,
		[DRM_NPU_PARAM_DRAM_BW] = 8000,
		[DRM_NPU_PARAM_CONTEXTS] = 16,
		[DRM_NPU_PARAM_OPS] = 0x3f,
		[DRM_NPU_PARAM_MAX_CMD_SIZE] = NPU_MAX_CMD_BYTES,
		[DRM_NPU_PARAM_MAX_BOS] = NPU_MAX_BOS,
		[DRM_NPU_PARAM_VA_START] = NPU_VA_START,
		[DRM_NPU_PARAM_VA_END] = NPU_VA_END,
	};
	struct drm_npu_query q = {};
	u32 param;
	u64 value;

	for (param = 0; param < DRM_NPU_PARAM_COUNT; param++) {
		value = ~0ull;
		q.param = param;
		KUNIT_EXPECT_EQ_MSG(test, npu_check_query_args(&q), 0, "param %u", param);
		KUNIT_EXPECT_EQ_MSG(test, npu_query_value(&caps, param, &value), 0, "param %u",
				    param);
		KUNIT_EXPECT_EQ_MSG(test, value, want[param], "param %u", param);
	}
	q.param = DRM_NPU_PARAM_COUNT;
	KUNIT_EXPECT_EQ(test, npu_check_query_args(&q), -EINVAL);
	KUNIT_EXPECT_EQ(test, npu_query_value(&caps, DRM_NPU_PARAM_COUNT, &value), -EINVAL);
	q.param = 0;
	q.pad = 1;
	KUNIT_EXPECT_EQ(test, npu_check_query_args(&q), -EINVAL);
	/* The VA window keeps page 0 and the last page unmapped. */
	KUNIT_EXPECT_GE(test, (u64)NPU_VA_START, (u64)NPU_PAGE_SIZE);
	KUNIT_EXPECT_LE(test, (u64)NPU_VA_END, (1ull << 32) - NPU_PAGE_SIZE);
}

static struct kunit_case npu_uapi_cases[] = {
	KUNIT_CASE(npu_submit_args_test),
	KUNIT_CASE(npu_bo_refs_test),
	KUNIT_CASE(npu_cmd_range_test),
	KUNIT_CASE(npu_wait_args_test),
	KUNIT_CASE(npu_bo_create_args_test),
	KUNIT_CASE(npu_query_test),
	{}
};

static struct kunit_suite npu_uapi_suite = {
	.name = "npu_uapi",
	.test_cases = npu_uapi_cases,
};

/* ------------------------------------------------------------------ */
/* Firmware image                                                      */
/* ------------------------------------------------------------------ */

#define NPU_TEST_PAYLOAD	256u

struct npu_fw_ctx {
	u8 *image;
	size_t len;
};

static struct npu_fw_header *npu_fw_hdr(struct npu_fw_ctx *ctx)
{
	return (struct npu_fw_header *)ctx->image;
}

/* Recompute both checksums after a change. */
static void npu_fw_seal(struct npu_fw_ctx *ctx)
{
	struct npu_fw_header *hdr = npu_fw_hdr(ctx);

	hdr->payload_crc = npu_crc32(0, ctx->image + sizeof(*hdr), NPU_TEST_PAYLOAD);
	hdr->header_crc = npu_fw_header_crc(hdr);
}

static int npu_fw_test_init(struct kunit *test)
{
	struct npu_fw_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct npu_fw_header *hdr;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->len = sizeof(*hdr) + NPU_TEST_PAYLOAD;
	ctx->image = kunit_kzalloc(test, ctx->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->image);
	hdr = npu_fw_hdr(ctx);
	hdr->magic = NPU_FW_MAGIC;
	hdr->header_size = sizeof(*hdr);
	hdr->image_version = 0x010203;
	hdr->api_version = NPU_FW_API_VERSION;
	hdr->size = NPU_TEST_PAYLOAD;
	hdr->entry = 0x10;
	for (i = 0; i < NPU_TEST_PAYLOAD; i++)
		ctx->image[sizeof(*hdr) + i] = (u8)(i * 7 + 1);
	npu_fw_seal(ctx);
	test->priv = ctx;
	return 0;
}

static enum npu_boot_status npu_fw_check(struct npu_fw_ctx *ctx, size_t len)
{
	struct npu_fw_header hdr;

	return npu_fw_image_check(ctx->image, len, NPU_FW_API_VERSION, &hdr);
}

static void npu_crc32_test(struct kunit *test)
{
	/* The IEEE check value, as zlib's crc32(). */
	KUNIT_EXPECT_EQ(test, npu_crc32(0, "123456789", 9), 0xcbf43926u);
	KUNIT_EXPECT_EQ(test, npu_crc32(0, "", 0), 0u);
	/* Continuation gives the same as one pass. */
	KUNIT_EXPECT_EQ(test, npu_crc32(npu_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void npu_fw_good_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;
	struct npu_fw_header hdr;

	KUNIT_EXPECT_EQ(test, npu_fw_image_check(ctx->image, ctx->len, NPU_FW_API_VERSION, &hdr),
			NPU_BOOT_RUNNING);
	KUNIT_EXPECT_EQ(test, hdr.image_version, 0x010203u);
	KUNIT_EXPECT_EQ(test, hdr.entry, 0x10u);
	/* A newer minor API on either side is compatible. */
	KUNIT_EXPECT_EQ(test, npu_fw_image_check(ctx->image, ctx->len, NPU_FW_API_VERSION + 5,
						 &hdr), NPU_BOOT_RUNNING);
	npu_fw_hdr(ctx)->api_version = NPU_FW_API_VERSION + 1;
	npu_fw_seal(ctx);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_RUNNING);
}

static void npu_fw_size_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, 0), NPU_BOOT_ERR_SIZE);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, sizeof(struct npu_fw_header) - 1),
			NPU_BOOT_ERR_SIZE);
	/* Truncated payload, and trailing bytes. */
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len - 4), NPU_BOOT_ERR_SIZE);
	npu_fw_hdr(ctx)->size = NPU_TEST_PAYLOAD - 4;
	npu_fw_hdr(ctx)->header_crc = npu_fw_header_crc(npu_fw_hdr(ctx));
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_SIZE);
	npu_fw_hdr(ctx)->size = 0;
	npu_fw_hdr(ctx)->header_crc = npu_fw_header_crc(npu_fw_hdr(ctx));
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, sizeof(struct npu_fw_header)),
			NPU_BOOT_ERR_SIZE);
	npu_fw_hdr(ctx)->size = NPU_CP_IMEM_SIZE + 4;
	npu_fw_hdr(ctx)->header_crc = npu_fw_header_crc(npu_fw_hdr(ctx));
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_SIZE);
}

static void npu_fw_header_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;
	struct npu_fw_header *hdr = npu_fw_hdr(ctx);

	hdr->magic ^= 1;
	npu_fw_seal(ctx);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_MAGIC);
	hdr->magic ^= 1;

	hdr->header_size += 4;
	npu_fw_seal(ctx);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_HEADER);
	hdr->header_size -= 4;

	npu_fw_seal(ctx);
	hdr->header_crc ^= 0x100;
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_HEADER);

	/* A header field changed without resealing. */
	npu_fw_seal(ctx);
	hdr->image_version++;
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_HEADER);
	hdr->image_version--;

	hdr->reserved[7] = 1;
	npu_fw_seal(ctx);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_HEADER);
	hdr->reserved[7] = 0;

	hdr->entry = 2;
	npu_fw_seal(ctx);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_HEADER);
	hdr->entry = NPU_TEST_PAYLOAD;
	npu_fw_seal(ctx);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_HEADER);
}

static void npu_fw_api_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;

	npu_fw_hdr(ctx)->api_version = NPU_FW_API_VERSION + 0x10000;
	npu_fw_seal(ctx);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_API);
	npu_fw_hdr(ctx)->api_version = 0;
	npu_fw_seal(ctx);
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_API);
}

static void npu_fw_checksum_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;

	ctx->image[ctx->len - 1] ^= 0x80;
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_CHECKSUM);
	ctx->image[ctx->len - 1] ^= 0x80;
	ctx->image[sizeof(struct npu_fw_header)] ^= 1;
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_CHECKSUM);
}

static void npu_boot_status_str_test(struct kunit *test)
{
	static const u32 known[] = {
		NPU_BOOT_OFF, NPU_BOOT_RUNNING, NPU_BOOT_READY, NPU_BOOT_ERR_DMA,
		NPU_BOOT_ERR_SIZE, NPU_BOOT_ERR_MAGIC, NPU_BOOT_ERR_HEADER,
		NPU_BOOT_ERR_CHECKSUM, NPU_BOOT_ERR_API, NPU_BOOT_ERR_CP,
	};
	const char *unknown = npu_boot_status_str(0x99);
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, unknown);
	for (i = 0; i < ARRAY_SIZE(known); i++) {
		const char *s = npu_boot_status_str(known[i]);

		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_STRNEQ(test, s, unknown);
		/* Each status has its own message. */
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, s, npu_boot_status_str(known[j]));
	}
}

static struct kunit_case npu_fw_cases[] = {
	KUNIT_CASE(npu_crc32_test),
	KUNIT_CASE(npu_fw_good_test),
	KUNIT_CASE(npu_fw_size_test),
	KUNIT_CASE(npu_fw_header_test),
	KUNIT_CASE(npu_fw_api_test),
	KUNIT_CASE(npu_fw_checksum_test),
	KUNIT_CASE(npu_boot_status_str_test),
	{}
};

static struct kunit_suite npu_fw_suite = {
	.name = "npu_fw_image",
	.init = npu_fw_test_init,
	.test_cases = npu_fw_cases,
};

/* ------------------------------------------------------------------ */
/* Job bookkeeping                                                     */
/* ------------------------------------------------------------------ */

static void npu_seqno_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, npu_seqno_passed(5, 5));
	KUNIT_EXPECT_TRUE(test, npu_seqno_passed(5, 4));
	KUNIT_EXPECT_FALSE(test, npu_seqno_passed(4, 5));
	KUNIT_EXPECT_FALSE(test, npu_seqno_passed(0, 1));
	/* Across the wrap of the 32-bit counter. */
	KUNIT_EXPECT_TRUE(test, npu_seqno_passed(2, 0xfffffffeu));
	KUNIT_EXPECT_TRUE(test, npu_seqno_passed(0, 0xffffffffu));
	KUNIT_EXPECT_FALSE(test, npu_seqno_passed(0xfffffffeu, 2));
	KUNIT_EXPECT_FALSE(test, npu_seqno_passed(0xffffffffu, 0));
	/* Half the space apart is the limit. */
	KUNIT_EXPECT_TRUE(test, npu_seqno_passed(0x7fffffffu, 0));
	KUNIT_EXPECT_FALSE(test, npu_seqno_passed(0x80000000u, 0));
}

static void npu_ring_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, npu_ring_slot(0), 0u);
	KUNIT_EXPECT_EQ(test, npu_ring_slot(NPU_RING_ENTRIES - 1), NPU_RING_ENTRIES - 1);
	KUNIT_EXPECT_EQ(test, npu_ring_slot(NPU_RING_ENTRIES), 0u);
	KUNIT_EXPECT_EQ(test, npu_ring_slot(0xffffffffu), NPU_RING_ENTRIES - 1);
	KUNIT_EXPECT_EQ(test, npu_ring_done_addr(0x100000000ull, 0), 0x100000000ull);
	KUNIT_EXPECT_EQ(test, npu_ring_done_addr(0x100000000ull, 3), 0x100000000ull + 3 * 88);
	/* Every record stays 8-aligned, as the firmware requires. */
	KUNIT_EXPECT_EQ(test, npu_ring_done_addr(0x1000, NPU_RING_ENTRIES - 1) & 7, 0ull);
	KUNIT_EXPECT_EQ(test, sizeof(struct npu_job_desc), (size_t)32);
}

static void npu_result_fill_test(struct kunit *test)
{
	struct npu_job_done done = {
		.seqno = 9, .status = NPU_ERR_MMU, .fault_offset = 0x40, .fault_addr = 0x1234,
	};
	struct npu_result *res = npu_result_alloc();
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, res);
	for (i = 0; i < NPU_PERF_JOBS; i++)
		done.counters[i] = 1000ull * i + 0x100000000ull;
	npu_result_fill(res, &done);
	KUNIT_EXPECT_EQ(test, res->status, (u32)NPU_ERR_MMU);
	KUNIT_EXPECT_EQ(test, res->fault_offset, 0x40u);
	KUNIT_EXPECT_EQ(test, res->fault_addr, 0x1234u);
	KUNIT_EXPECT_EQ(test, res->counters[DRM_NPU_COUNTER_CYCLES], 0x100000000ull);
	KUNIT_EXPECT_EQ(test, res->counters[DRM_NPU_COUNTER_COMMANDS],
			1000ull * NPU_PERF_COMMANDS + 0x100000000ull);
	npu_result_put(res);
}

static void npu_results_test(struct kunit *test)
{
	struct npu_result *res[4], *got;
	struct npu_results r;
	u32 ids[4];
	int i;

	npu_results_init(&r, 3);
	for (i = 0; i < 4; i++) {
		res[i] = npu_result_alloc();
		KUNIT_ASSERT_NOT_NULL(test, res[i]);
	}
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, npu_results_add(&r, res[i], &ids[i]), 0);
		KUNIT_EXPECT_NE(test, ids[i], 0u);
		KUNIT_EXPECT_EQ(test, kref_read(&res[i]->ref), 2u);
	}
	KUNIT_EXPECT_NE(test, ids[0], ids[1]);
	KUNIT_EXPECT_NE(test, ids[1], ids[2]);
	/* Full: too many unwaited results. */
	KUNIT_EXPECT_EQ(test, npu_results_add(&r, res[3], &ids[3]), -EBUSY);
	KUNIT_EXPECT_EQ(test, kref_read(&res[3]->ref), 1u);

	got = npu_results_get(&r, ids[1]);
	KUNIT_EXPECT_PTR_EQ(test, got, res[1]);
	KUNIT_EXPECT_EQ(test, kref_read(&res[1]->ref), 3u);
	npu_result_put(got);
	KUNIT_EXPECT_NULL(test, npu_results_get(&r, 0));
	KUNIT_EXPECT_NULL(test, npu_results_get(&r, 1ull << 32 | ids[1]));
	KUNIT_EXPECT_NULL(test, npu_results_get(&r, ids[2] + 100));

	/* Waiting consumes the result, once. */
	KUNIT_EXPECT_TRUE(test, npu_results_remove(&r, ids[1], res[1]));
	KUNIT_EXPECT_FALSE(test, npu_results_remove(&r, ids[1], res[1]));
	KUNIT_EXPECT_NULL(test, npu_results_get(&r, ids[1]));
	KUNIT_EXPECT_EQ(test, kref_read(&res[1]->ref), 1u);
	/* A different result under the id is left alone. */
	KUNIT_EXPECT_FALSE(test, npu_results_remove(&r, ids[0], res[2]));

	/* Room again; ids are not reused while the cursor moves on. */
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, res[3], &ids[3]), 0);
	KUNIT_EXPECT_NE(test, ids[3], ids[1]);
	KUNIT_EXPECT_GT(test, ids[3], ids[2]);

	/* Closing the file drops what nobody waited for. */
	npu_results_fini(&r);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, kref_read(&res[i]->ref), 1u);
		npu_result_put(res[i]);
	}
}

static void npu_results_wrap_test(struct kunit *test)
{
	struct npu_result *a = npu_result_alloc(), *b = npu_result_alloc();
	struct npu_results r;
	u32 id_a, id_b;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	npu_results_init(&r, 8);
	/* The id cursor at the top of the 32-bit space wraps past 0. */
	r.next = U32_MAX;
	KUNIT_ASSERT_GE(test, npu_results_add(&r, a, &id_a), 0);
	KUNIT_EXPECT_EQ(test, id_a, U32_MAX);
	KUNIT_ASSERT_GE(test, npu_results_add(&r, b, &id_b), 0);
	KUNIT_EXPECT_EQ(test, id_b, 1u);
	KUNIT_EXPECT_PTR_EQ(test, npu_results_get(&r, U32_MAX), a);
	npu_result_put(a);
	npu_results_fini(&r);
	npu_result_put(a);
	npu_result_put(b);
}

static struct kunit_case npu_job_cases[] = {
	KUNIT_CASE(npu_seqno_test),
	KUNIT_CASE(npu_ring_test),
	KUNIT_CASE(npu_result_fill_test),
	KUNIT_CASE(npu_results_test),
	KUNIT_CASE(npu_results_wrap_test),
	{}
};

static struct kunit_suite npu_job_suite = {
	.name = "npu_job",
	.test_cases = npu_job_cases,
};

kunit_test_suites(&npu_mmu_suite, &npu_uapi_suite, &npu_fw_suite, &npu_job_suite);
