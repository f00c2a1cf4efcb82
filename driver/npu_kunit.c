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

/* ---- Negative space of the encoders, the VA check and the tables ---- */

#define NPU_L2_SPAN	((u64)NPU_PT_ENTRIES * NPU_PAGE_SIZE)	/* 4 MiB per level-2 table */

/* Valid level-2 entries in [va, va + size). */
static u64 npu_pt_mapped_pages(const struct npu_pt *pt, u64 va, u64 size)
{
	u64 off, n = 0;

	for (off = 0; off < size; off += NPU_PAGE_SIZE)
		n += npu_pte_valid(npu_pt_lookup(pt, va + off));
	return n;
}

static void npu_pte_encode_offset_bits_test(struct kunit *test)
{
	unsigned int bit;

	/* No bit of a page offset reaches the flags, at either level. */
	for (bit = 0; bit < NPU_PAGE_SHIFT; bit++) {
		dma_addr_t addr = 0x7000 | BIT_ULL(bit);

		KUNIT_EXPECT_EQ_MSG(test, npu_pte_encode(addr, true),
				    0x7000ull | NPU_PTE_VALID | NPU_PTE_READ | NPU_PTE_WRITE,
				    "offset bit %u", bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_pte_encode(addr, false),
				    0x7000ull | NPU_PTE_VALID | NPU_PTE_READ, "offset bit %u", bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_pde_encode(addr), 0x7000ull | NPU_PTE_VALID,
				    "offset bit %u", bit);
	}
}

static void npu_pte_encode_high_addr_test(struct kunit *test)
{
	const u64 top = NPU_PTE_ADDR_MASK;

	/* 64-bit bus addresses keep every bit above the page offset. */
	KUNIT_EXPECT_EQ(test, npu_pte_encode(top, true),
			top | NPU_PTE_VALID | NPU_PTE_READ | NPU_PTE_WRITE);
	KUNIT_EXPECT_EQ(test, npu_pde_encode(top), top | NPU_PTE_VALID);
	KUNIT_EXPECT_EQ(test, (u64)npu_pte_addr(npu_pte_encode(top, false)), top);
	KUNIT_EXPECT_EQ(test, npu_pte_encode(BIT_ULL(32), false),
			BIT_ULL(32) | NPU_PTE_VALID | NPU_PTE_READ);
	/* npu_pte_addr() drops every flag and reserved bit. */
	KUNIT_EXPECT_EQ(test, (u64)npu_pte_addr(~0ull), NPU_PTE_ADDR_MASK);
	KUNIT_EXPECT_EQ(test, (u64)npu_pte_addr(NPU_PTE_RSVD_MASK | NPU_PTE_VALID), 0ull);
}

static void npu_pte_valid_bits_test(struct kunit *test)
{
	unsigned int bit;

	/* Bit 0 alone makes an entry valid: R, W or an address do not. */
	for (bit = 0; bit < 64; bit++)
		KUNIT_EXPECT_EQ_MSG(test, npu_pte_valid(BIT_ULL(bit)), bit == 0, "bit %u", bit);
	KUNIT_EXPECT_FALSE(test, npu_pte_valid(~NPU_PTE_VALID));
}

struct npu_va_case {
	const char *desc;
	u64 va;
	u64 size;
	bool ok;
};

static const struct npu_va_case npu_va_range_cases[] = {
	{ "first page (below NPU_VA_START)", 0, NPU_PAGE_SIZE, true },
	{ "everything below NPU_VA_START", 0, NPU_VA_START, true },
	{ "last page of the 4 GiB", 0xfffff000ull, NPU_PAGE_SIZE, true },
	{ "ends exactly at 4 GiB", 0x80000000ull, 0x80000000ull, true },
	{ "the whole 4 GiB", 0, BIT_ULL(32), true },
	{ "one page past 4 GiB", 0xfffff000ull, 2 * NPU_PAGE_SIZE, false },
	{ "4 GiB and a page", 0, BIT_ULL(32) + NPU_PAGE_SIZE, false },
	{ "starts at 4 GiB", BIT_ULL(32), NPU_PAGE_SIZE, false },
	{ "starts at the top of u64", 0xfffffffffffff000ull, NPU_PAGE_SIZE, false },
	{ "va + size wraps u64 to 0", NPU_PAGE_SIZE, 0xfffffffffffff000ull, false },
	{ "va + size wraps u64 to below 4 GiB", 0xfffff000ull, 0xfffffffffffff000ull, false },
	{ "va above 4 GiB whose low half is valid", BIT_ULL(32) | 0x10000, NPU_PAGE_SIZE,
	  false },
	{ "size above 4 GiB whose low half is a page", 0x10000, BIT_ULL(32) | NPU_PAGE_SIZE,
	  false },
	{ "size 0", 0x10000, 0, false },
	{ "size 0 at 4 GiB", BIT_ULL(32), 0, false },
	{ "va one byte off", 0x10001, NPU_PAGE_SIZE, false },
	{ "va half a page off", 0x10800, NPU_PAGE_SIZE, false },
	{ "va a byte short of the next page", 0x10fff, NPU_PAGE_SIZE, false },
	{ "size one byte", 0x10000, 1, false },
	{ "size a page minus a byte", 0x10000, NPU_PAGE_SIZE - 1, false },
	{ "size a page plus a byte", 0x10000, NPU_PAGE_SIZE + 1, false },
};

KUNIT_ARRAY_PARAM_DESC(npu_va_range, npu_va_range_cases, desc);

static void npu_va_range_ok_test(struct kunit *test)
{
	const struct npu_va_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, npu_va_range_ok(c->va, c->size), c->ok);
}

struct npu_pt_bad_case {
	const char *desc;
	u64 va;
	u64 addr;
	u64 size;
};

static const struct npu_pt_bad_case npu_pt_bad_cases[] = {
	{ "size 0", 0x10000, 0x5000, 0 },
	{ "va one byte off", 0x10001, 0x5000, NPU_PAGE_SIZE },
	{ "va half a page off", 0x10800, 0x5000, NPU_PAGE_SIZE },
	{ "size half a page", 0x10000, 0x5000, NPU_PAGE_SIZE / 2 },
	{ "size a page plus a byte", 0x10000, 0x5000, NPU_PAGE_SIZE + 1 },
	{ "bus address one byte off", 0x10000, 0x5001, NPU_PAGE_SIZE },
	{ "bus address a byte short of a page", 0x10000, 0x5fff, NPU_PAGE_SIZE },
	{ "bus address above 4 GiB, half a page off", 0x10000, 0x100000800ull, NPU_PAGE_SIZE },
	{ "one page past 4 GiB", 0xfffff000ull, 0x5000, 2 * NPU_PAGE_SIZE },
	{ "starts at 4 GiB", BIT_ULL(32), 0x5000, NPU_PAGE_SIZE },
	{ "va above 4 GiB whose low half is valid", BIT_ULL(32) | 0x10000, 0x5000,
	  NPU_PAGE_SIZE },
	{ "size above 4 GiB whose low half is a page", 0x10000, 0x5000,
	  BIT_ULL(32) | NPU_PAGE_SIZE },
	{ "va + size wraps u64", 0xfffff000ull, 0x5000, 0xfffffffffffff000ull },
};

KUNIT_ARRAY_PARAM_DESC(npu_pt_bad, npu_pt_bad_cases, desc);

static void npu_pt_map_bad_range_test(struct kunit *test)
{
	const struct npu_pt_bad_case *c = test->param_value;
	struct npu_pt_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, npu_pt_map(&ctx->pt, c->va, c->addr, c->size, true), -EINVAL);
	/* Refused before any table is allocated or any entry written. */
	KUNIT_EXPECT_EQ(test, ctx->fake.allocs, 1u);
	KUNIT_EXPECT_EQ(test, ctx->pt.l2_count, 0u);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(&ctx->pt, (u32)c->va & ~(NPU_PAGE_SIZE - 1)), 0ull);
}

static void npu_pt_map_first_page_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	/*
	 * The tables cover all 32 bits: keeping page 0 free is the VA
	 * allocator's job (drm_mm over [NPU_VA_START, NPU_VA_END)).
	 */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0, 0x5000, NPU_PAGE_SIZE, false), 0);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0), npu_pte_encode(0x5000, false));
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, NPU_VA_START, 0x6000, NPU_PAGE_SIZE, true), 0);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_VA_START), npu_pte_encode(0x6000, true));
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_VA_START - NPU_PAGE_SIZE), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_PAGE_SIZE), 0ull);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 1u);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[0]), npu_pde_encode(pt->l2_dma[0]));
}

static void npu_pt_map_last_page_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	const u64 last = BIT_ULL(32) - NPU_PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, last, 0x5000, NPU_PAGE_SIZE, true), 0);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, last), npu_pte_encode(0x5000, true));
	KUNIT_EXPECT_EQ(test, pt->l2_count, 1u);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[NPU_PT_ENTRIES - 1]),
			npu_pde_encode(pt->l2_dma[NPU_PT_ENTRIES - 1]));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l2[NPU_PT_ENTRIES - 1][NPU_PT_ENTRIES - 1]),
			npu_pte_encode(0x5000, true));
	/* Nothing wraps round to the bottom of the space. */
	KUNIT_EXPECT_NULL(test, pt->l2[0]);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, BIT_ULL(32)), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0), 0ull);
	npu_pt_unmap(pt, last, NPU_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, last), 0ull);
}

static void npu_pt_map_to_va_end_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	const u64 va = NPU_VA_END - 2 * NPU_PAGE_SIZE;

	/* The last two pages the allocator hands out. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, va, 0x5000, 2 * NPU_PAGE_SIZE, false), 0);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, va, 2 * NPU_PAGE_SIZE), 2ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_VA_END - NPU_PAGE_SIZE),
			npu_pte_encode(0x6000, false));
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_VA_END), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va - NPU_PAGE_SIZE), 0ull);
}

static void npu_pt_map_ends_at_l2_boundary_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	/* Up to 4 MiB: one table, entry 1 of level 1 untouched. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, NPU_L2_SPAN - 2 * NPU_PAGE_SIZE, 0x5000,
					 2 * NPU_PAGE_SIZE, true), 0);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 1u);
	KUNIT_EXPECT_NULL(test, pt->l2[1]);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[1]), 0ull);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l2[0][NPU_PT_ENTRIES - 1]),
			npu_pte_encode(0x6000, true));
	/* From 4 MiB: the next table, its entry 0. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, NPU_L2_SPAN, 0x9000, NPU_PAGE_SIZE, true), 0);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 2u);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l2[1][0]), npu_pte_encode(0x9000, true));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[1]), npu_pde_encode(pt->l2_dma[1]));
}

static void npu_pt_map_two_l2_boundaries_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	const u64 va = NPU_L2_SPAN - NPU_PAGE_SIZE, size = NPU_L2_SPAN + 2 * NPU_PAGE_SIZE;
	const u64 pa = 0x100000000ull;

	/* A page before 4 MiB, all of [4 MiB, 8 MiB), a page after: three tables. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, va, pa, size, false), 0);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 3u);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, va, size), size / NPU_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va + size - NPU_PAGE_SIZE),
			npu_pte_encode(pa + size - NPU_PAGE_SIZE, false));
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va + size), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, va - NPU_PAGE_SIZE), 0ull);
	npu_pt_unmap(pt, va, size);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, va, size), 0ull);
}

static void npu_pt_map_twice_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, 2 * NPU_PAGE_SIZE, false), 0);
	/* The same range again is refused, even with identical arguments. */
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, 2 * NPU_PAGE_SIZE, false), -EEXIST);
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x20000, 0x9000, 2 * NPU_PAGE_SIZE, true), -EEXIST);
	/* The first mapping keeps its pages and stays read-only. */
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x20000), npu_pte_encode(0x5000, false));
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x21000), npu_pte_encode(0x6000, false));
}

static void npu_pt_map_overlap_last_page_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, NPU_PAGE_SIZE, true), 0);
	/* Only the new range's last page collides: the three before it are undone. */
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x1d000, 0x9000, 4 * NPU_PAGE_SIZE, true), -EEXIST);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, 0x1d000, 3 * NPU_PAGE_SIZE), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x20000), npu_pte_encode(0x5000, true));
	/* Ending right before the mapping fits. */
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x1d000, 0x9000, 3 * NPU_PAGE_SIZE, true), 0);
}

static void npu_pt_map_overlap_across_l2_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	const u64 va = NPU_L2_SPAN - 2 * NPU_PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, NPU_L2_SPAN, 0x5000, NPU_PAGE_SIZE, false), 0);
	/* Two pages in table 0 written, then the collision in table 1. */
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, va, 0x9000, 3 * NPU_PAGE_SIZE, false), -EEXIST);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, va, 2 * NPU_PAGE_SIZE), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, NPU_L2_SPAN), npu_pte_encode(0x5000, false));
	/* Table 0, allocated on the way, stays (tables live until npu_pt_fini). */
	KUNIT_EXPECT_EQ(test, pt->l2_count, 2u);
}

static void npu_pt_map_nomem_second_table_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	const u64 va = NPU_L2_SPAN - 2 * NPU_PAGE_SIZE, size = 4 * NPU_PAGE_SIZE;

	/* The first level-2 table is allocated, the second is not. */
	ctx->fake.fail_after = 1;
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, va, 0x5000, size, true), -ENOMEM);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, va, size), 0ull);
	/* The emptied first table stays allocated and linked. */
	KUNIT_EXPECT_EQ(test, pt->l2_count, 1u);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[0]), npu_pde_encode(pt->l2_dma[0]));
	KUNIT_EXPECT_NULL(test, pt->l2[1]);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[1]), 0ull);
	/* With memory back the same range maps. */
	ctx->fake.fail_after = -1;
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, va, 0x5000, size, true), 0);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, va, size), 4ull);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 2u);
}

static void npu_pt_map_nomem_third_table_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	const u64 va = NPU_L2_SPAN - NPU_PAGE_SIZE, size = NPU_L2_SPAN + 2 * NPU_PAGE_SIZE;

	/* 1025 pages written over two tables before the third fails. */
	ctx->fake.fail_after = 2;
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, va, 0x5000, size, false), -ENOMEM);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, va, size), 0ull);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 2u);
	KUNIT_EXPECT_NULL(test, pt->l2[2]);
}

static void npu_pt_map_nomem_keeps_others_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x10000, 0x5000, 2 * NPU_PAGE_SIZE, true), 0);
	ctx->fake.fail_after = 0;
	/* A range that needs a new table fails; the earlier mapping stays. */
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 5 * NPU_L2_SPAN, 0x9000, NPU_PAGE_SIZE, true),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, 0x10000, 2 * NPU_PAGE_SIZE), 2ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 5 * NPU_L2_SPAN), 0ull);
	/* A range in an existing table needs no memory. */
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x20000, 0x9000, NPU_PAGE_SIZE, true), 0);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 1u);
}

static void npu_pt_unmap_unmapped_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	/* Where no table exists, none is allocated to clear nothing. */
	npu_pt_unmap(pt, 0x10000, 4 * NPU_PAGE_SIZE);
	npu_pt_unmap(pt, NPU_VA_START, NPU_VA_END - NPU_VA_START);
	KUNIT_EXPECT_EQ(test, ctx->fake.allocs, 1u);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 0u);
	/* Unmapped pages on either side of a mapping: the mapping stays. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, NPU_PAGE_SIZE, true), 0);
	npu_pt_unmap(pt, 0x1e000, 2 * NPU_PAGE_SIZE);
	npu_pt_unmap(pt, 0x21000, 2 * NPU_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x20000), npu_pte_encode(0x5000, true));
}

static void npu_pt_unmap_bad_range_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, 2 * NPU_PAGE_SIZE, true), 0);
	/* An invalid range is ignored as a whole: no page of it is cleared. */
	npu_pt_unmap(pt, 0x20800, NPU_PAGE_SIZE);
	npu_pt_unmap(pt, 0x20000, 0);
	npu_pt_unmap(pt, 0x20000, NPU_PAGE_SIZE + 1);
	npu_pt_unmap(pt, BIT_ULL(32) | 0x20000, NPU_PAGE_SIZE);
	npu_pt_unmap(pt, 0x20000, BIT_ULL(32) | NPU_PAGE_SIZE);
	npu_pt_unmap(pt, 0x20000, 0xfffffffffffff000ull);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, 0x20000, 2 * NPU_PAGE_SIZE), 2ull);
}

static void npu_pt_unmap_twice_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, 2 * NPU_PAGE_SIZE, true), 0);
	npu_pt_unmap(pt, 0x20000, 2 * NPU_PAGE_SIZE);
	npu_pt_unmap(pt, 0x20000, 2 * NPU_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, npu_pt_mapped_pages(pt, 0x20000, 2 * NPU_PAGE_SIZE), 0ull);
	KUNIT_EXPECT_EQ(test, ctx->fake.frees, 0u);
	/* The range is free again, in the same table. */
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, 0x20000, 0x9000, 2 * NPU_PAGE_SIZE, false), 0);
	KUNIT_EXPECT_EQ(test, ctx->fake.allocs, 2u);
}

static void npu_pt_lookup_after_unmap_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	u64 off;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, 3 * NPU_PAGE_SIZE, true), 0);
	npu_pt_unmap(pt, 0x20000, 3 * NPU_PAGE_SIZE);
	for (off = 0; off < 3 * NPU_PAGE_SIZE; off += NPU_PAGE_SIZE) {
		KUNIT_EXPECT_EQ_MSG(test, npu_pt_lookup(pt, 0x20000 + off), 0ull, "+%#llx", off);
		KUNIT_EXPECT_FALSE(test, npu_pte_valid(npu_pt_lookup(pt, 0x20000 + off)));
	}
}

static void npu_pt_unmap_keeps_tables_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;
	const u64 va = NPU_L2_SPAN - NPU_PAGE_SIZE;

	/* npu_pt_unmap() never frees a level-2 table, even an empty one. */
	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, va, 0x5000, 2 * NPU_PAGE_SIZE, true), 0);
	npu_pt_unmap(pt, va, 2 * NPU_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 2u);
	KUNIT_EXPECT_EQ(test, ctx->fake.frees, 0u);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[0]), npu_pde_encode(pt->l2_dma[0]));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(pt->l1[1]), npu_pde_encode(pt->l2_dma[1]));
	/* Mapping there again allocates nothing. */
	KUNIT_EXPECT_EQ(test, npu_pt_map(pt, va, 0x9000, 2 * NPU_PAGE_SIZE, true), 0);
	KUNIT_EXPECT_EQ(test, ctx->fake.allocs, 3u);
}

static void npu_pt_lookup_bad_va_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, 0x20000, 0x5000, NPU_PAGE_SIZE, true), 0);
	/* A VA above 4 GiB does not alias its low 32 bits. */
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, BIT_ULL(32) | 0x20000), 0ull);
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, U64_MAX), 0ull);
	/* An address inside the page finds the page's entry. */
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x20fff), npu_pte_encode(0x5000, true));
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x21000), 0ull);
	/* A VA whose level-2 table was never allocated. */
	KUNIT_EXPECT_EQ(test, npu_pt_lookup(pt, 0x80000000ull), 0ull);
}

static void npu_pt_fini_twice_test(struct kunit *test)
{
	struct npu_pt_ctx *ctx = test->priv;
	struct npu_pt *pt = &ctx->pt;

	KUNIT_ASSERT_EQ(test, npu_pt_map(pt, NPU_L2_SPAN - NPU_PAGE_SIZE, 0x5000,
					 2 * NPU_PAGE_SIZE, true), 0);
	npu_pt_fini(pt);
	KUNIT_EXPECT_EQ(test, ctx->fake.frees, 3u);
	KUNIT_EXPECT_NULL(test, pt->l1);
	KUNIT_EXPECT_EQ(test, pt->l2_count, 0u);
	/* A second fini (and the suite's exit, a third) frees nothing more. */
	npu_pt_fini(pt);
	KUNIT_EXPECT_EQ(test, ctx->fake.frees, 3u);
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
	KUNIT_CASE(npu_pte_encode_offset_bits_test),
	KUNIT_CASE(npu_pte_encode_high_addr_test),
	KUNIT_CASE(npu_pte_valid_bits_test),
	KUNIT_CASE_PARAM(npu_va_range_ok_test, npu_va_range_gen_params),
	KUNIT_CASE_PARAM(npu_pt_map_bad_range_test, npu_pt_bad_gen_params),
	KUNIT_CASE(npu_pt_map_first_page_test),
	KUNIT_CASE(npu_pt_map_last_page_test),
	KUNIT_CASE(npu_pt_map_to_va_end_test),
	KUNIT_CASE(npu_pt_map_ends_at_l2_boundary_test),
	KUNIT_CASE(npu_pt_map_two_l2_boundaries_test),
	KUNIT_CASE(npu_pt_map_twice_test),
	KUNIT_CASE(npu_pt_map_overlap_last_page_test),
	KUNIT_CASE(npu_pt_map_overlap_across_l2_test),
	KUNIT_CASE(npu_pt_map_nomem_second_table_test),
	KUNIT_CASE(npu_pt_map_nomem_third_table_test),
	KUNIT_CASE(npu_pt_map_nomem_keeps_others_test),
	KUNIT_CASE(npu_pt_unmap_unmapped_test),
	KUNIT_CASE(npu_pt_unmap_bad_range_test),
	KUNIT_CASE(npu_pt_unmap_twice_test),
	KUNIT_CASE(npu_pt_lookup_after_unmap_test),
	KUNIT_CASE(npu_pt_unmap_keeps_tables_test),
	KUNIT_CASE(npu_pt_lookup_bad_va_test),
	KUNIT_CASE(npu_pt_fini_twice_test),
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
		.fw_version = 0x010203, .fw_api_version = 0x10000, .ban_resets = 3,
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
		[DRM_NPU_PARAM_BAN_RESETS] = 3,
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

/* ---- Negative space of every ioctl check ---- */

static void npu_submit_flags_test(struct kunit *test)
{
	struct drm_npu_submit args = { .cmd_size = 64 };
	unsigned int bit;

	/* Of the 32 flag bits only DRM_NPU_SUBMIT_NO_RESULT is defined. */
	for (bit = 0; bit < 32; bit++) {
		args.flags = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_submit_args(&args),
				    args.flags == DRM_NPU_SUBMIT_NO_RESULT ? 0 : -EINVAL,
				    "flag bit %u", bit);
	}
	args.flags = ~0u;
	KUNIT_EXPECT_EQ(test, npu_check_submit_args(&args), -EINVAL);
	args.flags = DRM_NPU_SUBMIT_NO_RESULT | BIT(31);
	KUNIT_EXPECT_EQ(test, npu_check_submit_args(&args), -EINVAL);
}

static void npu_submit_out_sync_pad_test(struct kunit *test)
{
	struct drm_npu_submit args = { .cmd_size = 64 };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		args.out_sync = (struct drm_npu_sync){ .handle = 1, .pad = BIT(bit) };
		KUNIT_EXPECT_EQ_MSG(test, npu_check_submit_args(&args), -EINVAL, "pad bit %u", bit);
	}
	/* Also when there is no out-sync (handle 0). */
	args.out_sync = (struct drm_npu_sync){ .pad = 1 };
	KUNIT_EXPECT_EQ(test, npu_check_submit_args(&args), -EINVAL);
}

struct npu_submit_case {
	const char *desc;
	struct drm_npu_submit args;
	int ret;
};

static const struct npu_submit_case npu_submit_cases[] = {
	{ "bo_count at NPU_MAX_BOS", { .bo_count = NPU_MAX_BOS }, 0 },
	{ "bo_count NPU_MAX_BOS + 1", { .bo_count = NPU_MAX_BOS + 1 }, -EINVAL },
	{ "bo_count 2^31", { .bo_count = BIT(31) }, -EINVAL },
	{ "bo_count U32_MAX", { .bo_count = U32_MAX }, -EINVAL },
	{ "in_sync_count at NPU_MAX_IN_SYNCS", { .in_sync_count = NPU_MAX_IN_SYNCS }, 0 },
	{ "in_sync_count NPU_MAX_IN_SYNCS + 1", { .in_sync_count = NPU_MAX_IN_SYNCS + 1 },
	  -EINVAL },
	{ "in_sync_count U32_MAX", { .in_sync_count = U32_MAX }, -EINVAL },
	{ "cmd_size at NPU_MAX_CMD_BYTES", { .cmd_size = NPU_MAX_CMD_BYTES }, 0 },
	{ "cmd_size NPU_MAX_CMD_BYTES + 4", { .cmd_size = NPU_MAX_CMD_BYTES + 4 }, -EINVAL },
	{ "cmd_size NPU_MAX_CMD_BYTES - 1", { .cmd_size = NPU_MAX_CMD_BYTES - 1 }, -EINVAL },
	{ "cmd_size largest multiple of 4", { .cmd_size = U32_MAX & ~3u }, -EINVAL },
	{ "cmd_size 0 (an empty stream)", { .cmd_size = 0 }, 0 },
	{ "cmd_size 1", { .cmd_size = 1 }, -EINVAL },
	{ "cmd_size 2", { .cmd_size = 2 }, -EINVAL },
	{ "cmd_size 3", { .cmd_size = 3 }, -EINVAL },
	{ "cmd_offset 1", { .cmd_offset = 1, .cmd_size = 64 }, -EINVAL },
	{ "cmd_offset 2", { .cmd_offset = 2, .cmd_size = 64 }, -EINVAL },
	{ "cmd_offset 3", { .cmd_offset = 3, .cmd_size = 64 }, -EINVAL },
	{ "cmd_offset U32_MAX", { .cmd_offset = U32_MAX, .cmd_size = 64 }, -EINVAL },
	/* The stream's range is checked against its BO later (npu_check_cmd_range). */
	{ "cmd_offset largest multiple of 4", { .cmd_offset = U32_MAX & ~3u, .cmd_size = 64 },
	  0 },
	{ "cmd_offset + cmd_size wraps u32", { .cmd_offset = U32_MAX & ~3u, .cmd_size = 8 }, 0 },
	{ "bos pointer with bo_count 0", { .bos = 0xdead0000ull }, 0 },
	{ "in_syncs pointer with in_sync_count 0", { .in_syncs = 0xdead0000ull }, 0 },
	{ "job_id (an output) set on input", { .job_id = U64_MAX }, 0 },
	{ "cmd_handle 0 (looked up later)", { .cmd_handle = 0, .cmd_size = 64 }, 0 },
	{ "cmd_handle U32_MAX (looked up later)", { .cmd_handle = U32_MAX, .cmd_size = 64 }, 0 },
	{ "out_sync point without a handle", { .out_sync = { .point = 5 } }, -EINVAL },
	{ "out_sync handle and point at their maximum",
	  { .out_sync = { .handle = U32_MAX, .point = U64_MAX } }, 0 },
};

KUNIT_ARRAY_PARAM_DESC(npu_submit, npu_submit_cases, desc);

static void npu_submit_limits_test(struct kunit *test)
{
	const struct npu_submit_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, npu_check_submit_args(&c->args), c->ret);
}

static void npu_syncs_pad_test(struct kunit *test)
{
	struct drm_npu_sync sync = { .handle = 1 };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		sync.pad = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_syncs(&sync, 1), -EINVAL, "pad bit %u", bit);
	}
	sync.pad = 0;
	KUNIT_EXPECT_EQ(test, npu_check_syncs(&sync, 1), 0);
}

static void npu_syncs_position_test(struct kunit *test)
{
	struct drm_npu_sync *syncs = kunit_kcalloc(test, NPU_MAX_IN_SYNCS + 1, sizeof(*syncs),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, syncs);
	KUNIT_EXPECT_EQ(test, npu_check_syncs(syncs, NPU_MAX_IN_SYNCS), 0);
	KUNIT_EXPECT_EQ(test, npu_check_syncs(NULL, 0), 0);
	syncs[0].pad = 1;
	KUNIT_EXPECT_EQ(test, npu_check_syncs(syncs, NPU_MAX_IN_SYNCS), -EINVAL);
	syncs[0].pad = 0;
	syncs[NPU_MAX_IN_SYNCS - 1].pad = 1;
	KUNIT_EXPECT_EQ(test, npu_check_syncs(syncs, NPU_MAX_IN_SYNCS), -EINVAL);
	/* Entries past count are not looked at. */
	KUNIT_EXPECT_EQ(test, npu_check_syncs(syncs, NPU_MAX_IN_SYNCS - 1), 0);
	KUNIT_EXPECT_EQ(test, npu_check_syncs(syncs, 0), 0);
}

static void npu_syncs_values_test(struct kunit *test)
{
	const struct drm_npu_sync syncs[] = {
		{ .handle = 0, .point = 0 },
		{ .handle = U32_MAX, .point = U64_MAX },
		{ .handle = 1, .point = BIT_ULL(63) },
	};

	/* Handles and points are the syncobj core's business, not this check's. */
	KUNIT_EXPECT_EQ(test, npu_check_syncs(syncs, ARRAY_SIZE(syncs)), 0);
}

static void npu_bo_refs_flags_test(struct kunit *test)
{
	const u32 known = DRM_NPU_BO_READ | DRM_NPU_BO_WRITE;
	struct drm_npu_bo_ref ref = { .handle = 1 };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		ref.flags = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_bo_refs(&ref, 1),
				    ref.flags & known ? 0 : -EINVAL, "flag bit %u", bit);
		if (ref.flags & known)
			continue;
		/* An unknown bit next to both known ones. */
		ref.flags |= known;
		KUNIT_EXPECT_EQ_MSG(test, npu_check_bo_refs(&ref, 1), -EINVAL, "flag bit %u + RW",
				    bit);
	}
	ref.flags = 0;
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(&ref, 1), -EINVAL);
	ref.flags = ~0u;
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(&ref, 1), -EINVAL);
	ref.flags = known;
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(&ref, 1), 0);
}

static void npu_bo_refs_position_test(struct kunit *test)
{
	struct drm_npu_bo_ref *refs = kunit_kcalloc(test, NPU_MAX_BOS + 1, sizeof(*refs),
						    GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, refs);
	for (i = 0; i < NPU_MAX_BOS; i++)
		refs[i] = (struct drm_npu_bo_ref){ .handle = i + 1, .flags = DRM_NPU_BO_READ };
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, NPU_MAX_BOS), 0);
	refs[0].flags = 0;
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, NPU_MAX_BOS), -EINVAL);
	refs[0].flags = DRM_NPU_BO_READ;
	refs[NPU_MAX_BOS - 1].flags = BIT(2);
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, NPU_MAX_BOS), -EINVAL);
	/* Entries past count are not looked at (refs[NPU_MAX_BOS] has no flags). */
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, NPU_MAX_BOS - 1), 0);
	refs[NPU_MAX_BOS - 1].flags = DRM_NPU_BO_WRITE;
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, NPU_MAX_BOS), 0);
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, NPU_MAX_BOS + 1), -EINVAL);
}

static void npu_bo_refs_handles_test(struct kunit *test)
{
	const struct drm_npu_bo_ref refs[] = {
		{ .handle = 0, .flags = DRM_NPU_BO_READ },
		{ .handle = U32_MAX, .flags = DRM_NPU_BO_WRITE },
	};

	/* Handles are looked up later (-ENOENT), not checked here. */
	KUNIT_EXPECT_EQ(test, npu_check_bo_refs(refs, ARRAY_SIZE(refs)), 0);
}

struct npu_cmd_range_case {
	const char *desc;
	u32 offset;
	u32 size;
	u64 bo_size;
	int ret;
};

static const struct npu_cmd_range_case npu_cmd_range_cases[] = {
	{ "the whole BO", 0, 4096, 4096, 0 },
	{ "ends at the BO's end", 4092, 4, 4096, 0 },
	{ "ends one byte past the BO", 4, 4093, 4096, -EINVAL },
	{ "from 0, one byte too long", 0, 4097, 4096, -EINVAL },
	{ "one word past the BO", 4092, 8, 4096, -EINVAL },
	{ "empty, at the BO's end", 4096, 0, 4096, 0 },
	{ "empty, one byte past the end", 4097, 0, 4096, -EINVAL },
	{ "empty, a page past the end", 8192, 0, 4096, -EINVAL },
	{ "empty stream in an empty BO", 0, 0, 0, 0 },
	{ "one word in an empty BO", 0, 4, 0, -EINVAL },
	{ "offset + size wraps u32 to 4", 0xfffffffcu, 8, SZ_1G, -EINVAL },
	{ "offset + size wraps u32 to 0", 0x80000000u, 0x80000000u, 4096, -EINVAL },
	{ "offset + size wraps u32, BO of 4 GiB", U32_MAX, U32_MAX, BIT_ULL(32), -EINVAL },
	{ "ends exactly at 4 GiB", 0xfffffffcu, 4, BIT_ULL(32), 0 },
	{ "at the largest BO's end", SZ_1G - 4, 4, SZ_1G, 0 },
	{ "one word past the largest BO", SZ_1G, 4, SZ_1G, -EINVAL },
	/* Alignment is npu_check_submit_args()'s job, not this one's. */
	{ "unaligned but inside", 2, 5, 4096, 0 },
};

KUNIT_ARRAY_PARAM_DESC(npu_cmd_range, npu_cmd_range_cases, desc);

static void npu_cmd_range_bounds_test(struct kunit *test)
{
	const struct npu_cmd_range_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, npu_check_cmd_range(c->offset, c->size, c->bo_size), c->ret);
}

static void npu_wait_pad_test(struct kunit *test)
{
	struct drm_npu_wait job = { .type = DRM_NPU_WAIT_JOB, .job_id = 1 };
	struct drm_npu_wait bo = { .type = DRM_NPU_WAIT_BO, .handle = 1 };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		job.pad = BIT(bit);
		bo.pad = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_wait_args(&job), -EINVAL, "job, pad bit %u",
				    bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_wait_args(&bo), -EINVAL, "bo, pad bit %u", bit);
	}
}

static void npu_wait_type_test(struct kunit *test)
{
	struct drm_npu_wait args = {};
	unsigned int bit;
	u32 type;

	/* Types 0 (JOB) and 1 (BO) only; every other value, every single bit. */
	for (type = 2; type < 64; type++) {
		args.type = type;
		KUNIT_EXPECT_EQ_MSG(test, npu_check_wait_args(&args), -EINVAL, "type %u", type);
	}
	for (bit = 1; bit < 32; bit++) {
		args.type = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_wait_args(&args), -EINVAL, "type bit %u", bit);
		args.type = BIT(bit) | DRM_NPU_WAIT_BO;
		KUNIT_EXPECT_EQ_MSG(test, npu_check_wait_args(&args), -EINVAL, "type BO + bit %u",
				    bit);
	}
	args.type = U32_MAX;
	KUNIT_EXPECT_EQ(test, npu_check_wait_args(&args), -EINVAL);
}

struct npu_wait_case {
	const char *desc;
	struct drm_npu_wait args;
	int ret;
};

static const struct npu_wait_case npu_wait_cases[] = {
	{ "job with handle 1", { .type = DRM_NPU_WAIT_JOB, .job_id = 1, .handle = 1 }, -EINVAL },
	{ "job with handle U32_MAX", { .type = DRM_NPU_WAIT_JOB, .job_id = 1, .handle = U32_MAX },
	  -EINVAL },
	{ "bo with job_id 1", { .type = DRM_NPU_WAIT_BO, .handle = 1, .job_id = 1 }, -EINVAL },
	{ "bo with job_id 2^32", { .type = DRM_NPU_WAIT_BO, .handle = 1, .job_id = BIT_ULL(32) },
	  -EINVAL },
	{ "bo with job_id U64_MAX", { .type = DRM_NPU_WAIT_BO, .handle = 1, .job_id = U64_MAX },
	  -EINVAL },
	/* Ids and handles are looked up later and fail there with -ENOENT. */
	{ "job_id 0", { .type = DRM_NPU_WAIT_JOB }, 0 },
	{ "job_id above U32_MAX", { .type = DRM_NPU_WAIT_JOB, .job_id = BIT_ULL(32) | 1 }, 0 },
	{ "bo handle 0", { .type = DRM_NPU_WAIT_BO }, 0 },
	{ "timeout S64_MIN", { .type = DRM_NPU_WAIT_JOB, .job_id = 1, .timeout_ns = S64_MIN }, 0 },
	{ "timeout S64_MAX", { .type = DRM_NPU_WAIT_JOB, .job_id = 1, .timeout_ns = S64_MAX }, 0 },
	{ "outputs set on input",
	  { .type = DRM_NPU_WAIT_JOB, .job_id = 1, .job_status = U32_MAX, .fault_offset = 1,
	    .fault_addr = U32_MAX, .counters = { [0] = 1, [DRM_NPU_COUNTERS - 1] = U64_MAX } },
	  0 },
};

KUNIT_ARRAY_PARAM_DESC(npu_wait, npu_wait_cases, desc);

static void npu_wait_fields_test(struct kunit *test)
{
	const struct npu_wait_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, npu_check_wait_args(&c->args), c->ret);
}

static void npu_bo_create_flags_test(struct kunit *test)
{
	struct drm_npu_bo_create args = { .size = 4096 };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		args.flags = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_bo_create_args(&args),
				    args.flags == DRM_NPU_BO_DEVICE_READONLY ? 0 : -EINVAL,
				    "flag bit %u", bit);
	}
	args.flags = ~0u;
	KUNIT_EXPECT_EQ(test, npu_check_bo_create_args(&args), -EINVAL);
}

struct npu_bo_create_case {
	const char *desc;
	struct drm_npu_bo_create args;
	int ret;
};

static const struct npu_bo_create_case npu_bo_create_cases[] = {
	{ "size 0", { .size = 0 }, -EINVAL },
	{ "size 0, read-only", { .size = 0, .flags = DRM_NPU_BO_DEVICE_READONLY }, -EINVAL },
	{ "size 1 (rounded up to a page)", { .size = 1 }, 0 },
	{ "size a page minus a byte", { .size = 4095 }, 0 },
	{ "size 1 GiB minus a byte", { .size = SZ_1G - 1 }, 0 },
	{ "size 1 GiB exactly", { .size = SZ_1G }, 0 },
	{ "size 1 GiB plus a byte", { .size = SZ_1G + 1ull }, -EINVAL },
	{ "size 1 GiB plus a page", { .size = SZ_1G + 4096ull }, -EINVAL },
	{ "size 4 GiB", { .size = BIT_ULL(32) }, -EINVAL },
	{ "size 4 GiB + 1, low half 1", { .size = BIT_ULL(32) + 1 }, -EINVAL },
	{ "size 4 GiB + 1 GiB, low half 1 GiB", { .size = BIT_ULL(32) + SZ_1G }, -EINVAL },
	{ "size U64_MAX", { .size = U64_MAX }, -EINVAL },
	{ "size that page-aligns to 0", { .size = U64_MAX - 4094 }, -EINVAL },
	{ "handle and va (outputs) set on input", { .size = 4096, .handle = U32_MAX,
						    .va = U64_MAX }, 0 },
};

KUNIT_ARRAY_PARAM_DESC(npu_bo_create, npu_bo_create_cases, desc);

static void npu_bo_create_size_test(struct kunit *test)
{
	const struct npu_bo_create_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, npu_check_bo_create_args(&c->args), c->ret);
}

static void npu_bo_mmap_offset_pad_test(struct kunit *test)
{
	struct drm_npu_bo_mmap_offset args = { .handle = 1 };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		args.pad = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_bo_mmap_offset_args(&args), -EINVAL,
				    "pad bit %u", bit);
	}
}

static void npu_bo_mmap_offset_values_test(struct kunit *test)
{
	struct drm_npu_bo_mmap_offset args = { .handle = 0, .offset = U64_MAX };

	/* The handle is looked up later; offset is an output. */
	KUNIT_EXPECT_EQ(test, npu_check_bo_mmap_offset_args(&args), 0);
	args.handle = U32_MAX;
	KUNIT_EXPECT_EQ(test, npu_check_bo_mmap_offset_args(&args), 0);
}

static void npu_query_pad_test(struct kunit *test)
{
	struct drm_npu_query q = { .param = DRM_NPU_PARAM_HW_VERSION };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		q.pad = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, npu_check_query_args(&q), -EINVAL, "pad bit %u", bit);
	}
}

static void npu_query_unknown_param_test(struct kunit *test)
{
	static const u32 params[] = {
		DRM_NPU_PARAM_COUNT, DRM_NPU_PARAM_COUNT + 1, 0x100, BIT(31), U32_MAX,
	};
	const struct npu_caps caps = { .hw_version = 1 };
	struct drm_npu_query q = {};
	unsigned int i;
	u64 value;

	for (i = 0; i < ARRAY_SIZE(params); i++) {
		q.param = params[i];
		value = 0x5a5a5a5a5a5a5a5aull;
		KUNIT_EXPECT_EQ_MSG(test, npu_check_query_args(&q), -EINVAL, "param %#x",
				    params[i]);
		KUNIT_EXPECT_EQ_MSG(test, npu_query_value(&caps, params[i], &value), -EINVAL,
				    "param %#x", params[i]);
		/* Nothing is written on failure. */
		KUNIT_EXPECT_EQ_MSG(test, value, 0x5a5a5a5a5a5a5a5aull, "param %#x", params[i]);
	}
}

static void npu_query_out_value_test(struct kunit *test)
{
	struct drm_npu_query q = { .param = DRM_NPU_PARAM_VA_END, .value = U64_MAX };

	/* value is an output: whatever it holds on input is fine. */
	KUNIT_EXPECT_EQ(test, npu_check_query_args(&q), 0);
}

/* Core ioctls an accel file may use: a render node's. */
static const unsigned int npu_core_ioctls_allowed[] = {
	DRM_IOCTL_NR(DRM_IOCTL_VERSION),
	DRM_IOCTL_NR(DRM_IOCTL_GET_CAP),
	DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE),
	DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD),
	DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY),
};

static void npu_ioctl_allowed_test(struct kunit *test)
{
	unsigned int nr, i;

	/* Every ioctl number: the driver's range and the list above, nothing else. */
	for (nr = 0; nr < 0x100; nr++) {
		bool want = nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END;

		for (i = 0; i < ARRAY_SIZE(npu_core_ioctls_allowed); i++)
			want |= nr == npu_core_ioctls_allowed[i];
		KUNIT_EXPECT_EQ_MSG(test, npu_ioctl_allowed(_IOWR(DRM_IOCTL_BASE, nr, u64)), want,
				    "ioctl nr %#x", nr);
	}
}

static void npu_ioctl_refused_test(struct kunit *test)
{
	static const struct {
		const char *name;
		unsigned int cmd;
	} refused[] = {
		{ "GET_UNIQUE", DRM_IOCTL_GET_UNIQUE },
		{ "GET_MAGIC", DRM_IOCTL_GET_MAGIC },
		{ "AUTH_MAGIC", DRM_IOCTL_AUTH_MAGIC },
		{ "SET_MASTER", DRM_IOCTL_SET_MASTER },
		{ "DROP_MASTER", DRM_IOCTL_DROP_MASTER },
		{ "SET_VERSION", DRM_IOCTL_SET_VERSION },
		{ "SET_CLIENT_CAP", DRM_IOCTL_SET_CLIENT_CAP },
		{ "GEM_FLINK", DRM_IOCTL_GEM_FLINK },
		{ "GEM_OPEN", DRM_IOCTL_GEM_OPEN },
		{ "MODE_GETRESOURCES", DRM_IOCTL_MODE_GETRESOURCES },
		{ "MODE_CREATE_DUMB", DRM_IOCTL_MODE_CREATE_DUMB },
		{ "first past the driver range", _IOWR(DRM_IOCTL_BASE, DRM_COMMAND_END, u64) },
		{ "last number", _IOWR(DRM_IOCTL_BASE, 0xff, u64) },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refused); i++)
		KUNIT_EXPECT_FALSE_MSG(test, npu_ioctl_allowed(refused[i].cmd), "%s",
				       refused[i].name);
}

static void npu_ioctl_allowed_number_only_test(struct kunit *test)
{
	const unsigned int submit = DRM_COMMAND_BASE + DRM_NPU_SUBMIT;

	/* As in drm_ioctl(), only the number counts: not direction, size or type. */
	KUNIT_EXPECT_TRUE(test, npu_ioctl_allowed(_IO(DRM_IOCTL_BASE, submit)));
	KUNIT_EXPECT_TRUE(test, npu_ioctl_allowed(_IOR(DRM_IOCTL_BASE, submit, u8)));
	KUNIT_EXPECT_TRUE(test, npu_ioctl_allowed(_IOW('x', submit, struct drm_npu_wait)));
	KUNIT_EXPECT_TRUE(test, npu_ioctl_allowed(_IO(DRM_IOCTL_BASE,
						      DRM_IOCTL_NR(DRM_IOCTL_VERSION))));
	KUNIT_EXPECT_FALSE(test, npu_ioctl_allowed(_IO(DRM_IOCTL_BASE,
						       DRM_IOCTL_NR(DRM_IOCTL_GET_MAGIC))));
	KUNIT_EXPECT_FALSE(test, npu_ioctl_allowed(_IOWR('x', DRM_IOCTL_NR(DRM_IOCTL_GET_MAGIC),
							 struct drm_npu_wait)));
}

static struct kunit_case npu_uapi_cases[] = {
	KUNIT_CASE(npu_submit_args_test),
	KUNIT_CASE(npu_bo_refs_test),
	KUNIT_CASE(npu_cmd_range_test),
	KUNIT_CASE(npu_wait_args_test),
	KUNIT_CASE(npu_bo_create_args_test),
	KUNIT_CASE(npu_query_test),
	KUNIT_CASE(npu_submit_flags_test),
	KUNIT_CASE(npu_submit_out_sync_pad_test),
	KUNIT_CASE_PARAM(npu_submit_limits_test, npu_submit_gen_params),
	KUNIT_CASE(npu_syncs_pad_test),
	KUNIT_CASE(npu_syncs_position_test),
	KUNIT_CASE(npu_syncs_values_test),
	KUNIT_CASE(npu_bo_refs_flags_test),
	KUNIT_CASE(npu_bo_refs_position_test),
	KUNIT_CASE(npu_bo_refs_handles_test),
	KUNIT_CASE_PARAM(npu_cmd_range_bounds_test, npu_cmd_range_gen_params),
	KUNIT_CASE(npu_wait_pad_test),
	KUNIT_CASE(npu_wait_type_test),
	KUNIT_CASE_PARAM(npu_wait_fields_test, npu_wait_gen_params),
	KUNIT_CASE(npu_bo_create_flags_test),
	KUNIT_CASE_PARAM(npu_bo_create_size_test, npu_bo_create_gen_params),
	KUNIT_CASE(npu_bo_mmap_offset_pad_test),
	KUNIT_CASE(npu_bo_mmap_offset_values_test),
	KUNIT_CASE(npu_query_pad_test),
	KUNIT_CASE(npu_query_unknown_param_test),
	KUNIT_CASE(npu_query_out_value_test),
	KUNIT_CASE(npu_ioctl_allowed_test),
	KUNIT_CASE(npu_ioctl_refused_test),
	KUNIT_CASE(npu_ioctl_allowed_number_only_test),
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
/* Allocated past the image, for lengths that overstate it. */
#define NPU_TEST_SPARE		8u

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
	ctx->image = kunit_kzalloc(test, ctx->len + NPU_TEST_SPARE, GFP_KERNEL);
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

static const u32 npu_boot_known[] = {
	NPU_BOOT_OFF, NPU_BOOT_RUNNING, NPU_BOOT_READY, NPU_BOOT_ERR_DMA,
	NPU_BOOT_ERR_SIZE, NPU_BOOT_ERR_MAGIC, NPU_BOOT_ERR_HEADER,
	NPU_BOOT_ERR_CHECKSUM, NPU_BOOT_ERR_API, NPU_BOOT_ERR_CP,
};

static void npu_boot_status_str_test(struct kunit *test)
{
	const u32 *known = npu_boot_known;
	const char *unknown = npu_boot_status_str(0x99);
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, unknown);
	for (i = 0; i < ARRAY_SIZE(npu_boot_known); i++) {
		const char *s = npu_boot_status_str(known[i]);

		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_STRNEQ(test, s, unknown);
		/* Each status has its own message. */
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, s, npu_boot_status_str(known[j]));
	}
}

/* ---- Negative space of the image check ---- */

static void npu_fw_truncated_header_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;
	struct npu_fw_header hdr, poison;
	size_t len;

	memset(&poison, 0xa5, sizeof(poison));
	/* A bad magic too: a short image is ERR_SIZE before anything else. */
	npu_fw_hdr(ctx)->magic = 0;
	/* Every length short of a header, each field boundary among them. */
	for (len = 0; len < sizeof(hdr); len++) {
		hdr = poison;
		KUNIT_EXPECT_EQ_MSG(test, npu_fw_image_check(ctx->image, len, NPU_FW_API_VERSION,
							     &hdr),
				    NPU_BOOT_ERR_SIZE, "len %zu", len);
		/* Nothing is reported from a short image. */
		KUNIT_EXPECT_MEMEQ_MSG(test, &hdr, &poison, sizeof(hdr), "len %zu", len);
	}
}

static void npu_fw_header_only_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, sizeof(struct npu_fw_header)),
			NPU_BOOT_ERR_SIZE);
}

static void npu_fw_truncated_payload_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;
	size_t cut;

	for (cut = 1; cut < NPU_TEST_PAYLOAD; cut++)
		KUNIT_EXPECT_EQ_MSG(test, npu_fw_check(ctx, ctx->len - cut), NPU_BOOT_ERR_SIZE,
				    "%zu bytes short", cut);
}

static void npu_fw_trailing_bytes_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;
	size_t extra;

	for (extra = 1; extra <= NPU_TEST_SPARE; extra++)
		KUNIT_EXPECT_EQ_MSG(test, npu_fw_check(ctx, ctx->len + extra), NPU_BOOT_ERR_SIZE,
				    "%zu bytes over", extra);
}

static void npu_fw_len_above_4g_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;

	if (sizeof(size_t) < sizeof(u64))
		kunit_skip(test, "size_t has 32 bits");
	/*
	 * len - header is 2^32 + size: equal to size in 32 bits.  Refused
	 * by the size check, before anything past the header is read.
	 */
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len + (size_t)BIT_ULL(32)),
			NPU_BOOT_ERR_SIZE);
}

static void npu_fw_oversized_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;
	const size_t len = sizeof(struct npu_fw_header) + NPU_CP_IMEM_SIZE + 4;

	/* More than fits in IMEM: refused before anything past the header is read. */
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, len), NPU_BOOT_ERR_SIZE);
	/*
	 * With a bad magic too: the magic is checked first (the boot ROM
	 * checks FW_SIZE first and reports ERR_SIZE for this image).
	 */
	npu_fw_hdr(ctx)->magic = 0;
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, len), NPU_BOOT_ERR_MAGIC);
}

static void npu_fw_imem_limit_test(struct kunit *test)
{
	const size_t hlen = sizeof(struct npu_fw_header), max = NPU_CP_IMEM_SIZE;
	u8 *image = kunit_kzalloc(test, hlen + max + 4, GFP_KERNEL);
	struct npu_fw_header *hdr = (struct npu_fw_header *)image, out;

	KUNIT_ASSERT_NOT_NULL(test, image);
	hdr->magic = NPU_FW_MAGIC;
	hdr->header_size = hlen;
	hdr->api_version = NPU_FW_API_VERSION;
	hdr->size = max;
	hdr->entry = max - 4;
	hdr->payload_crc = npu_crc32(0, image + hlen, max);
	hdr->header_crc = npu_fw_header_crc(hdr);
	/* A payload that fills IMEM, entry at its last word. */
	KUNIT_EXPECT_EQ(test, npu_fw_image_check(image, hlen + max, NPU_FW_API_VERSION, &out),
			NPU_BOOT_RUNNING);
	/* One word more does not fit, though everything else agrees. */
	hdr->size = max + 4;
	hdr->payload_crc = npu_crc32(0, image + hlen, max + 4);
	hdr->header_crc = npu_fw_header_crc(hdr);
	KUNIT_EXPECT_EQ(test, npu_fw_image_check(image, hlen + max + 4, NPU_FW_API_VERSION, &out),
			NPU_BOOT_ERR_SIZE);
}

static void npu_fw_payload_flip_test(struct kunit *test)
{
	struct npu_fw_ctx *ctx = test->priv;
	u8 *payload = ctx->image + sizeof(struct npu_fw_header);
	unsigned int i;

	/* Any payload byte changed: ERR_CHECKSUM, whatever its position. */
	for (i = 0; i < NPU_TEST_PAYLOAD; i++) {
		payload[i] ^= 0x10;
		KUNIT_EXPECT_EQ_MSG(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_ERR_CHECKSUM,
				    "payload byte %u", i);
		payload[i] ^= 0x10;
	}
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), NPU_BOOT_RUNNING);
}

#define NPU_FW_OFF(field)	offsetof(struct npu_fw_header, field)

/* One 32-bit header field changed: XORed in (flip) or stored (set). */
struct npu_fw_field_case {
	const char *desc;
	size_t offset;
	u32 value;
	enum npu_boot_status want;
};

static void npu_fw_field_desc(const struct npu_fw_field_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

static u32 *npu_fw_field(struct npu_fw_ctx *ctx, size_t offset)
{
	return (u32 *)(ctx->image + offset);
}

/* Corrupted after sealing: the header CRC no longer matches. */
static const struct npu_fw_field_case npu_fw_flip_cases[] = {
	{ "magic", NPU_FW_OFF(magic), BIT(0), NPU_BOOT_ERR_MAGIC },
	{ "magic, top bit", NPU_FW_OFF(magic), BIT(31), NPU_BOOT_ERR_MAGIC },
	{ "header_size", NPU_FW_OFF(header_size), BIT(31), NPU_BOOT_ERR_HEADER },
	{ "image_version", NPU_FW_OFF(image_version), BIT(0), NPU_BOOT_ERR_HEADER },
	{ "api_version", NPU_FW_OFF(api_version), BIT(16), NPU_BOOT_ERR_HEADER },
	{ "size", NPU_FW_OFF(size), BIT(2), NPU_BOOT_ERR_HEADER },
	{ "entry", NPU_FW_OFF(entry), BIT(2), NPU_BOOT_ERR_HEADER },
	{ "payload_crc", NPU_FW_OFF(payload_crc), BIT(7), NPU_BOOT_ERR_HEADER },
	{ "reserved[0]", NPU_FW_OFF(reserved[0]), BIT(0), NPU_BOOT_ERR_HEADER },
	{ "reserved[1]", NPU_FW_OFF(reserved[1]), BIT(8), NPU_BOOT_ERR_HEADER },
	{ "reserved[2]", NPU_FW_OFF(reserved[2]), BIT(16), NPU_BOOT_ERR_HEADER },
	{ "reserved[3]", NPU_FW_OFF(reserved[3]), BIT(24), NPU_BOOT_ERR_HEADER },
	{ "reserved[4]", NPU_FW_OFF(reserved[4]), BIT(31), NPU_BOOT_ERR_HEADER },
	{ "reserved[5]", NPU_FW_OFF(reserved[5]), BIT(1), NPU_BOOT_ERR_HEADER },
	{ "reserved[6]", NPU_FW_OFF(reserved[6]), BIT(9), NPU_BOOT_ERR_HEADER },
	{ "reserved[7]", NPU_FW_OFF(reserved[7]), BIT(17), NPU_BOOT_ERR_HEADER },
	{ "header_crc", NPU_FW_OFF(header_crc), BIT(0), NPU_BOOT_ERR_HEADER },
	{ "header_crc, top bit", NPU_FW_OFF(header_crc), BIT(31), NPU_BOOT_ERR_HEADER },
};

KUNIT_ARRAY_PARAM(npu_fw_flip, npu_fw_flip_cases, npu_fw_field_desc);

static void npu_fw_field_flipped_test(struct kunit *test)
{
	const struct npu_fw_field_case *c = test->param_value;
	struct npu_fw_ctx *ctx = test->priv;

	*npu_fw_field(ctx, c->offset) ^= c->value;
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), c->want);
}

/* Stored, then the header CRC recomputed: each field's own rule decides. */
static const struct npu_fw_field_case npu_fw_set_cases[] = {
	{ "magic 0", NPU_FW_OFF(magic), 0, NPU_BOOT_ERR_MAGIC },
	{ "magic byte-swapped", NPU_FW_OFF(magic), 0x4e504657, NPU_BOOT_ERR_MAGIC },
	{ "magic U32_MAX", NPU_FW_OFF(magic), U32_MAX, NPU_BOOT_ERR_MAGIC },
	{ "header_size 0", NPU_FW_OFF(header_size), 0, NPU_BOOT_ERR_HEADER },
	{ "header_size 60", NPU_FW_OFF(header_size), 60, NPU_BOOT_ERR_HEADER },
	{ "header_size 68", NPU_FW_OFF(header_size), 68, NPU_BOOT_ERR_HEADER },
	{ "header_size U32_MAX", NPU_FW_OFF(header_size), U32_MAX, NPU_BOOT_ERR_HEADER },
	{ "image_version 0 (not checked)", NPU_FW_OFF(image_version), 0, NPU_BOOT_RUNNING },
	{ "image_version U32_MAX (not checked)", NPU_FW_OFF(image_version), U32_MAX,
	  NPU_BOOT_RUNNING },
	{ "api_version next major", NPU_FW_OFF(api_version), NPU_FW_API_VERSION + 0x10000,
	  NPU_BOOT_ERR_API },
	{ "api_version major 0", NPU_FW_OFF(api_version), 0, NPU_BOOT_ERR_API },
	{ "api_version major 0, minor 1", NPU_FW_OFF(api_version), 1, NPU_BOOT_ERR_API },
	{ "api_version major 0xffff", NPU_FW_OFF(api_version), 0xffff0000u, NPU_BOOT_ERR_API },
	{ "api_version minor 0xffff (compatible)", NPU_FW_OFF(api_version),
	  NPU_FW_API_VERSION | 0xffff, NPU_BOOT_RUNNING },
	{ "size 0", NPU_FW_OFF(size), 0, NPU_BOOT_ERR_SIZE },
	{ "size a byte short of the image", NPU_FW_OFF(size), NPU_TEST_PAYLOAD - 1,
	  NPU_BOOT_ERR_SIZE },
	{ "size a byte past the image", NPU_FW_OFF(size), NPU_TEST_PAYLOAD + 1,
	  NPU_BOOT_ERR_SIZE },
	{ "size IMEM + 1", NPU_FW_OFF(size), NPU_CP_IMEM_SIZE + 1, NPU_BOOT_ERR_SIZE },
	{ "size U32_MAX", NPU_FW_OFF(size), U32_MAX, NPU_BOOT_ERR_SIZE },
	{ "entry 1", NPU_FW_OFF(entry), 1, NPU_BOOT_ERR_HEADER },
	{ "entry 2", NPU_FW_OFF(entry), 2, NPU_BOOT_ERR_HEADER },
	{ "entry 3", NPU_FW_OFF(entry), 3, NPU_BOOT_ERR_HEADER },
	{ "entry 0", NPU_FW_OFF(entry), 0, NPU_BOOT_RUNNING },
	{ "entry at the last word", NPU_FW_OFF(entry), NPU_TEST_PAYLOAD - 4, NPU_BOOT_RUNNING },
	{ "entry at the last byte", NPU_FW_OFF(entry), NPU_TEST_PAYLOAD - 1,
	  NPU_BOOT_ERR_HEADER },
	{ "entry = size", NPU_FW_OFF(entry), NPU_TEST_PAYLOAD, NPU_BOOT_ERR_HEADER },
	{ "entry past IMEM", NPU_FW_OFF(entry), NPU_CP_IMEM_SIZE, NPU_BOOT_ERR_HEADER },
	{ "entry largest multiple of 4", NPU_FW_OFF(entry), U32_MAX & ~3u,
	  NPU_BOOT_ERR_HEADER },
	{ "payload_crc 0", NPU_FW_OFF(payload_crc), 0, NPU_BOOT_ERR_CHECKSUM },
	{ "payload_crc U32_MAX", NPU_FW_OFF(payload_crc), U32_MAX, NPU_BOOT_ERR_CHECKSUM },
	{ "reserved[0] 1", NPU_FW_OFF(reserved[0]), 1, NPU_BOOT_ERR_HEADER },
	{ "reserved[1] 1", NPU_FW_OFF(reserved[1]), 1, NPU_BOOT_ERR_HEADER },
	{ "reserved[2] 1", NPU_FW_OFF(reserved[2]), 1, NPU_BOOT_ERR_HEADER },
	{ "reserved[3] 1", NPU_FW_OFF(reserved[3]), 1, NPU_BOOT_ERR_HEADER },
	{ "reserved[4] 1", NPU_FW_OFF(reserved[4]), 1, NPU_BOOT_ERR_HEADER },
	{ "reserved[5] 1", NPU_FW_OFF(reserved[5]), 1, NPU_BOOT_ERR_HEADER },
	{ "reserved[6] 1", NPU_FW_OFF(reserved[6]), 1, NPU_BOOT_ERR_HEADER },
	{ "reserved[7] 1", NPU_FW_OFF(reserved[7]), 1, NPU_BOOT_ERR_HEADER },
	{ "reserved[7] top bit", NPU_FW_OFF(reserved[7]), BIT(31), NPU_BOOT_ERR_HEADER },
};

KUNIT_ARRAY_PARAM(npu_fw_set, npu_fw_set_cases, npu_fw_field_desc);

static void npu_fw_field_resealed_test(struct kunit *test)
{
	const struct npu_fw_field_case *c = test->param_value;
	struct npu_fw_ctx *ctx = test->priv;

	*npu_fw_field(ctx, c->offset) = c->value;
	npu_fw_hdr(ctx)->header_crc = npu_fw_header_crc(npu_fw_hdr(ctx));
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), c->want);
}

/* Two faults at once, resealed: the first in the documented order wins. */
struct npu_fw_order_case {
	const char *desc;
	size_t offset[2];
	u32 value[2];
	enum npu_boot_status want;
};

static const struct npu_fw_order_case npu_fw_order_cases[] = {
	{ "magic before header_size", { NPU_FW_OFF(magic), NPU_FW_OFF(header_size) }, { 0, 0 },
	  NPU_BOOT_ERR_MAGIC },
	{ "magic before size", { NPU_FW_OFF(magic), NPU_FW_OFF(size) }, { 0, 0 },
	  NPU_BOOT_ERR_MAGIC },
	{ "magic before api_version", { NPU_FW_OFF(magic), NPU_FW_OFF(api_version) }, { 0, 0 },
	  NPU_BOOT_ERR_MAGIC },
	{ "header_size before size", { NPU_FW_OFF(header_size), NPU_FW_OFF(size) }, { 0, 0 },
	  NPU_BOOT_ERR_HEADER },
	{ "reserved before size", { NPU_FW_OFF(reserved[0]), NPU_FW_OFF(size) }, { 1, 0 },
	  NPU_BOOT_ERR_HEADER },
	{ "size before entry", { NPU_FW_OFF(size), NPU_FW_OFF(entry) },
	  { NPU_TEST_PAYLOAD - 4, 1 }, NPU_BOOT_ERR_SIZE },
	{ "size before api_version", { NPU_FW_OFF(size), NPU_FW_OFF(api_version) }, { 0, 0 },
	  NPU_BOOT_ERR_SIZE },
	{ "entry before api_version", { NPU_FW_OFF(entry), NPU_FW_OFF(api_version) }, { 1, 0 },
	  NPU_BOOT_ERR_HEADER },
	{ "api_version before payload_crc", { NPU_FW_OFF(api_version), NPU_FW_OFF(payload_crc) },
	  { 0, 0 }, NPU_BOOT_ERR_API },
};

KUNIT_ARRAY_PARAM_DESC(npu_fw_order, npu_fw_order_cases, desc);

static void npu_fw_check_order_test(struct kunit *test)
{
	const struct npu_fw_order_case *c = test->param_value;
	struct npu_fw_ctx *ctx = test->priv;

	*npu_fw_field(ctx, c->offset[0]) = c->value[0];
	*npu_fw_field(ctx, c->offset[1]) = c->value[1];
	npu_fw_hdr(ctx)->header_crc = npu_fw_header_crc(npu_fw_hdr(ctx));
	KUNIT_EXPECT_EQ(test, npu_fw_check(ctx, ctx->len), c->want);
}

static void npu_boot_status_str_unknown_test(struct kunit *test)
{
	const char *unknown = npu_boot_status_str(U32_MAX);
	unsigned int i;
	u32 status;

	/* Everything outside enum npu_boot_status reads as unknown. */
	for (status = 0; status < 0x100; status++) {
		bool known = false;

		for (i = 0; i < ARRAY_SIZE(npu_boot_known); i++)
			known |= status == npu_boot_known[i];
		if (!known)
			KUNIT_EXPECT_STREQ_MSG(test, npu_boot_status_str(status), unknown,
					       "status %#x", status);
	}
	KUNIT_EXPECT_STREQ(test, npu_boot_status_str(BIT(31) | NPU_BOOT_READY), unknown);
	KUNIT_EXPECT_STREQ(test, npu_boot_status_str(0x100 | NPU_BOOT_ERR_API), unknown);
}

static struct kunit_case npu_fw_cases[] = {
	KUNIT_CASE(npu_crc32_test),
	KUNIT_CASE(npu_fw_good_test),
	KUNIT_CASE(npu_fw_size_test),
	KUNIT_CASE(npu_fw_header_test),
	KUNIT_CASE(npu_fw_api_test),
	KUNIT_CASE(npu_fw_checksum_test),
	KUNIT_CASE(npu_boot_status_str_test),
	KUNIT_CASE(npu_fw_truncated_header_test),
	KUNIT_CASE(npu_fw_header_only_test),
	KUNIT_CASE(npu_fw_truncated_payload_test),
	KUNIT_CASE(npu_fw_trailing_bytes_test),
	KUNIT_CASE(npu_fw_len_above_4g_test),
	KUNIT_CASE(npu_fw_oversized_test),
	KUNIT_CASE(npu_fw_imem_limit_test),
	KUNIT_CASE(npu_fw_payload_flip_test),
	KUNIT_CASE_PARAM(npu_fw_field_flipped_test, npu_fw_flip_gen_params),
	KUNIT_CASE_PARAM(npu_fw_field_resealed_test, npu_fw_set_gen_params),
	KUNIT_CASE_PARAM(npu_fw_check_order_test, npu_fw_order_gen_params),
	KUNIT_CASE(npu_boot_status_str_unknown_test),
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

/* ---- Wrap-around and the results table's edges ---- */

static const u32 npu_seqno_bases[] = { 0, 1, 0x7fffffffu, 0x80000000u, 0xfffffffeu, U32_MAX };

static void npu_seqno_wrap_test(struct kunit *test)
{
	unsigned int i;

	/* The same answers wherever the pair sits relative to the u32 wrap. */
	for (i = 0; i < ARRAY_SIZE(npu_seqno_bases); i++) {
		u32 s = npu_seqno_bases[i];

		KUNIT_EXPECT_TRUE_MSG(test, npu_seqno_passed(s, s), "seqno %#x", s);
		KUNIT_EXPECT_TRUE_MSG(test, npu_seqno_passed(s + 1, s), "seqno %#x", s);
		KUNIT_EXPECT_FALSE_MSG(test, npu_seqno_passed(s, s + 1), "seqno %#x", s);
		KUNIT_EXPECT_FALSE_MSG(test, npu_seqno_passed(s - 1, s), "seqno %#x", s);
		KUNIT_EXPECT_TRUE_MSG(test, npu_seqno_passed(s + 0x7fffffffu, s), "seqno %#x", s);
		KUNIT_EXPECT_FALSE_MSG(test, npu_seqno_passed(s, s + 0x7fffffffu), "seqno %#x", s);
	}
}

static void npu_seqno_half_apart_test(struct kunit *test)
{
	unsigned int i;

	/* 2^31 apart neither is ahead: each reads as not yet reached. */
	for (i = 0; i < ARRAY_SIZE(npu_seqno_bases); i++) {
		u32 s = npu_seqno_bases[i];

		KUNIT_EXPECT_FALSE_MSG(test, npu_seqno_passed(s + 0x80000000u, s), "seqno %#x", s);
		KUNIT_EXPECT_FALSE_MSG(test, npu_seqno_passed(s, s + 0x80000000u), "seqno %#x", s);
	}
}

static void npu_ring_slot_wrap_test(struct kunit *test)
{
	u32 index = U32_MAX - 2 * NPU_RING_ENTRIES + 1;
	u32 prev = npu_ring_slot(index - 1);
	unsigned int n;

	/* Through the u32 wrap of the ring index, slots keep their order. */
	for (n = 0; n < 4 * NPU_RING_ENTRIES; n++, index++) {
		u32 slot = npu_ring_slot(index);

		KUNIT_EXPECT_LT_MSG(test, slot, NPU_RING_ENTRIES, "index %#x", index);
		KUNIT_EXPECT_EQ_MSG(test, slot, (prev + 1) % NPU_RING_ENTRIES, "index %#x", index);
		prev = slot;
	}
}

static void npu_ring_done_addr_high_test(struct kunit *test)
{
	const u64 rec = sizeof(struct npu_job_done);

	/* 64-bit arithmetic: a carry past 4 GiB is kept, not truncated. */
	KUNIT_EXPECT_EQ(test, npu_ring_done_addr(0xffffff00ull, NPU_RING_ENTRIES - 1),
			0xffffff00ull + (NPU_RING_ENTRIES - 1) * rec);
	KUNIT_EXPECT_EQ(test, npu_ring_done_addr(0x7fffffff000ull, NPU_RING_ENTRIES - 1),
			0x7fffffff000ull + (NPU_RING_ENTRIES - 1) * rec);
}

static void npu_results_max_zero_test(struct kunit *test)
{
	struct npu_result *res = npu_result_alloc();
	struct npu_results r;
	u32 id = 0;

	KUNIT_ASSERT_NOT_NULL(test, res);
	npu_results_init(&r, 0);
	KUNIT_EXPECT_EQ(test, npu_results_add(&r, res, &id), -EBUSY);
	KUNIT_EXPECT_EQ(test, kref_read(&res->ref), 1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.count), 0);
	npu_results_fini(&r);
	npu_result_put(res);
}

static void npu_results_full_test(struct kunit *test)
{
	struct npu_result *res[4];
	struct npu_results r;
	u32 ids[4];
	int i;

	for (i = 0; i < 4; i++) {
		res[i] = npu_result_alloc();
		KUNIT_ASSERT_NOT_NULL(test, res[i]);
	}
	npu_results_init(&r, 2);
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, res[0], &ids[0]), 0);
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, res[1], &ids[1]), 0);
	/* Refused adds do not use up room or keep references. */
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, npu_results_add(&r, res[2], &ids[2]), -EBUSY);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.count), 2);
	KUNIT_EXPECT_EQ(test, kref_read(&res[2]->ref), 1u);
	/* One out, exactly one in. */
	KUNIT_EXPECT_TRUE(test, npu_results_remove(&r, ids[0], res[0]));
	KUNIT_EXPECT_EQ(test, npu_results_add(&r, res[2], &ids[2]), 0);
	KUNIT_EXPECT_EQ(test, npu_results_add(&r, res[3], &ids[3]), -EBUSY);
	npu_results_fini(&r);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, kref_read(&res[i]->ref), 1u);
		npu_result_put(res[i]);
	}
}

static void npu_results_bad_ids_test(struct kunit *test)
{
	struct npu_result *res = npu_result_alloc(), *got;
	struct npu_results r;
	u64 bad[6];
	unsigned int i;
	u32 id;

	KUNIT_ASSERT_NOT_NULL(test, res);
	npu_results_init(&r, 1);
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, res, &id), 0);
	bad[0] = 0;
	bad[1] = id + 1;
	bad[2] = U32_MAX;
	bad[3] = BIT_ULL(32);
	bad[4] = BIT_ULL(32) | id;	/* the id itself in the low 32 bits */
	bad[5] = U64_MAX;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_NULL_MSG(test, npu_results_get(&r, bad[i]), "id %#llx", bad[i]);
		KUNIT_EXPECT_FALSE_MSG(test, npu_results_remove(&r, bad[i], res), "id %#llx",
				       bad[i]);
	}
	/* None of that touched the real entry. */
	KUNIT_EXPECT_EQ(test, atomic_read(&r.count), 1);
	KUNIT_EXPECT_EQ(test, kref_read(&res->ref), 2u);
	got = npu_results_get(&r, id);
	KUNIT_EXPECT_PTR_EQ(test, got, res);
	if (got)
		npu_result_put(got);
	npu_results_fini(&r);
	npu_result_put(res);
}

static void npu_results_remove_twice_test(struct kunit *test)
{
	struct npu_result *a = npu_result_alloc(), *b = npu_result_alloc();
	struct npu_result *c = npu_result_alloc();
	struct npu_results r;
	u32 id_a, id_b, id_c;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	npu_results_init(&r, 1);
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, a, &id_a), 0);
	KUNIT_EXPECT_TRUE(test, npu_results_remove(&r, id_a, a));
	KUNIT_EXPECT_FALSE(test, npu_results_remove(&r, id_a, a));
	/* The second remove dropped no reference and freed no room. */
	KUNIT_EXPECT_EQ(test, kref_read(&a->ref), 1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.count), 0);
	KUNIT_EXPECT_EQ(test, npu_results_add(&r, b, &id_b), 0);
	KUNIT_EXPECT_EQ(test, npu_results_add(&r, c, &id_c), -EBUSY);
	npu_results_fini(&r);
	npu_result_put(a);
	npu_result_put(b);
	npu_result_put(c);
}

static void npu_results_removed_id_test(struct kunit *test)
{
	struct npu_result *a = npu_result_alloc(), *b = npu_result_alloc();
	struct npu_results r;
	u32 id_a, id_b;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	npu_results_init(&r, 4);
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, a, &id_a), 0);
	KUNIT_ASSERT_TRUE(test, npu_results_remove(&r, id_a, a));
	KUNIT_EXPECT_NULL(test, npu_results_get(&r, id_a));
	/* The next job does not get the removed id straight back. */
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, b, &id_b), 0);
	KUNIT_EXPECT_NE(test, id_b, id_a);
	KUNIT_EXPECT_NULL(test, npu_results_get(&r, id_a));
	KUNIT_EXPECT_FALSE(test, npu_results_remove(&r, id_a, b));
	npu_results_fini(&r);
	npu_result_put(a);
	npu_result_put(b);
}

static void npu_results_wrap_skips_used_test(struct kunit *test)
{
	struct npu_result *res[3], *got;
	struct npu_results r;
	u32 ids[3];
	int i;

	for (i = 0; i < 3; i++) {
		res[i] = npu_result_alloc();
		KUNIT_ASSERT_NOT_NULL(test, res[i]);
	}
	npu_results_init(&r, 8);
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, res[0], &ids[0]), 0);
	KUNIT_EXPECT_EQ(test, ids[0], 1u);
	r.next = U32_MAX;
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, res[1], &ids[1]), 0);
	KUNIT_EXPECT_EQ(test, ids[1], U32_MAX);
	/* After the wrap, id 1 is still waited for: skipped. */
	KUNIT_ASSERT_EQ(test, npu_results_add(&r, res[2], &ids[2]), 0);
	KUNIT_EXPECT_EQ(test, ids[2], 2u);
	got = npu_results_get(&r, 1);
	KUNIT_EXPECT_PTR_EQ(test, got, res[0]);
	if (got)
		npu_result_put(got);
	KUNIT_EXPECT_TRUE(test, npu_results_remove(&r, U32_MAX, res[1]));
	npu_results_fini(&r);
	for (i = 0; i < 3; i++)
		npu_result_put(res[i]);
}

static struct kunit_case npu_job_cases[] = {
	KUNIT_CASE(npu_seqno_test),
	KUNIT_CASE(npu_ring_test),
	KUNIT_CASE(npu_result_fill_test),
	KUNIT_CASE(npu_results_test),
	KUNIT_CASE(npu_results_wrap_test),
	KUNIT_CASE(npu_seqno_wrap_test),
	KUNIT_CASE(npu_seqno_half_apart_test),
	KUNIT_CASE(npu_ring_slot_wrap_test),
	KUNIT_CASE(npu_ring_done_addr_high_test),
	KUNIT_CASE(npu_results_max_zero_test),
	KUNIT_CASE(npu_results_full_test),
	KUNIT_CASE(npu_results_bad_ids_test),
	KUNIT_CASE(npu_results_remove_twice_test),
	KUNIT_CASE(npu_results_removed_id_test),
	KUNIT_CASE(npu_results_wrap_skips_used_test),
	{}
};

static struct kunit_suite npu_job_suite = {
	.name = "npu_job",
	.test_cases = npu_job_cases,
};

kunit_test_suites(&npu_mmu_suite, &npu_uapi_suite, &npu_fw_suite, &npu_job_suite);
