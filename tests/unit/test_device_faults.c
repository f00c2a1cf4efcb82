// SPDX-License-Identifier: MIT
/*
 * Faults on the simulated device: MMU faults, malformed command streams,
 * hazards, bad firmware images, the watchdog and every fault-injection
 * knob.  Each case checks the documented code and that the device runs
 * a correct job afterwards (where it survives).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "devtest.h"
#include "harness.h"
#include "npu_cmd.h"
#include "npu_fw_image.h"

/* A small job that must succeed: copy 256 bytes through the SRAM. */
static int good_job(struct dt *t)
{
	uint32_t i;

	for (i = 0; i < 256; i++)
		t->mem[i] = (uint8_t)(i * 7);
	memset(t->mem + 4096, 0, 256);
	if (dt_load(t, 0, 0, 256) || npu_cs_sync(t->cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)) ||
	    dt_store(t, 4096, 0, 256) || dt_run(t))
		return -1;
	return memcmp(t->mem, t->mem + 4096, 256) ? -1 : 0;
}

static uint32_t reg(struct dt *t, uint32_t offset)
{
	uint32_t v = 0;

	npu_sim_read_reg(t->dev, offset, &v);
	return v;
}

static int load_from(struct dt *t, uint32_t va, uint32_t len)
{
	return npu_cs_load_linear(t->cs, 0, va, len);
}

TEST(mmu_unmapped_read_faults_with_address)
{
	struct dt t;
	uint32_t st;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(load_from(&t, 0x70000000u, 64), 0);
	CHECK_EQ(dt_run(&t), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_MMU);
	CHECK_EQ(t.result.fault_addr, 0x70000000u);
	CHECK_EQ(t.result.fault_offset, 0);
	st = reg(&t, NPU_REG_FAULT_STATUS);
	CHECK(st & NPU_FAULT_VALID);
	CHECK_EQ(NPU_FAULT_TYPE(st), NPU_MMU_FAULT_L1);
	CHECK_EQ(NPU_FAULT_ENGINE(st), NPU_ENGINE_DMA);
	CHECK_EQ(NPU_FAULT_CTX(st), 1);
	CHECK_EQ(reg(&t, NPU_REG_FAULT_ADDR), 0x70000000u);
	CHECK(reg(&t, NPU_REG_IRQ_STATUS) & NPU_IRQ_MMU_FAULT);
	CHECK_EQ(good_job(&t), 0);
	dt_close(&t);
}

TEST(mmu_read_past_buffer_end_faults_at_first_unmapped_page)
{
	struct dt t;
	uint32_t end;

	CHECK_EQ(dt_open(&t, NULL), 0);
	/* The command buffer is the last one mapped; nothing follows it. */
	end = npu_bo_va(t.cmd) + DT_CMD_SIZE;
	CHECK_EQ(load_from(&t, end - 100, 200), 0);
	CHECK_EQ(dt_run(&t), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_MMU);
	CHECK_EQ(t.result.fault_addr, end);
	dt_close(&t);
}

TEST(mmu_write_to_readonly_page_faults_and_changes_nothing)
{
	struct npu_bo *ro;
	struct npu_cmd_dma c = { 0 };
	struct dt t;
	uint8_t *map;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(npu_bo_create(t.dev, 8192, NPU_BO_DEVICE_READONLY, &ro), 0);
	map = npu_bo_map(ro);
	memset(map, 0x5a, 8192);
	memset(t.mem, 0x11, 256);
	c.dram_addr = npu_bo_va(ro);
	c.size[0] = 256;
	c.size[1] = c.size[2] = c.size[3] = 1;
	CHECK_EQ(dt_load(&t, 0, 0, 256), 0);
	CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
	CHECK_EQ(npu_cs_dma_store(t.cs, &c), 0);
	CHECK_EQ(dt_run(&t), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_MMU);
	CHECK_EQ(t.result.fault_addr, npu_bo_va(ro));
	CHECK_EQ(NPU_FAULT_TYPE(reg(&t, NPU_REG_FAULT_STATUS)), NPU_MMU_FAULT_WRITE);
	CHECK_EQ(map[0], 0x5a);
	CHECK_EQ(map[255], 0x5a);
	/* Reading it is fine. */
	CHECK_EQ(load_from(&t, npu_bo_va(ro), 256), 0);
	CHECK_EQ(dt_run(&t), 0);
	npu_bo_destroy(ro);
	dt_close(&t);
}

TEST(mmu_page_table_outside_memory_faults)
{
	struct npu_sim_options o = { .memory_size = 32u << 20 };
	const uint32_t va = 0x40000000u;
	struct dt t;

	CHECK_EQ(dt_open(&t, &o), 0);
	/* A level-1 entry pointing past the end of memory. */
	CHECK_EQ(npu_sim_set_l1(t.dev, va, (64ull << 20) | NPU_PTE_VALID), 0);
	CHECK_EQ(load_from(&t, va, 16), 0);
	CHECK_EQ(dt_run(&t), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_MMU);
	CHECK_EQ(NPU_FAULT_TYPE(reg(&t, NPU_REG_FAULT_STATUS)), NPU_MMU_FAULT_PT_BUS);
	CHECK_EQ(good_job(&t), 0);
	dt_close(&t);
}

TEST(mmu_page_outside_memory_is_a_bus_error)
{
	struct dt t;
	const uint32_t va = 0x50000000u;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(npu_sim_set_pte(t.dev, va, (1ull << 40) | NPU_PTE_VALID | NPU_PTE_READ), 0);
	CHECK_EQ(load_from(&t, va, 16), 0);
	CHECK_EQ(dt_run(&t), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_DMA);
	CHECK_EQ(t.result.fault_addr, va);
	CHECK_EQ(NPU_FAULT_TYPE(reg(&t, NPU_REG_FAULT_STATUS)), NPU_MMU_FAULT_BUS);
	dt_close(&t);
}

TEST(mmu_reserved_pte_bits_fault)
{
	struct dt t;
	const uint32_t va = 0x60000000u;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(npu_sim_set_pte(t.dev, va, 0x1000 | NPU_PTE_VALID | NPU_PTE_READ | 0x100), 0);
	CHECK_EQ(load_from(&t, va, 16), 0);
	CHECK_EQ(dt_run(&t), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_MMU);
	CHECK_EQ(NPU_FAULT_TYPE(reg(&t, NPU_REG_FAULT_STATUS)), NPU_MMU_FAULT_L2);
	dt_close(&t);
}

/* Raw streams: each malformed command gives its code at its offset. */
TEST(malformed_streams_give_documented_codes)
{
	struct npu_cmd_lut lut = { 0 };
	struct npu_cmd_dma dma = { 0 };
	uint32_t s[64];
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);

	s[0] = NPU_CMD_HDR(NPU_OP_NOP, 1);
	s[1] = NPU_CMD_HDR(0x7f, 1);
	CHECK_EQ(dt_run_raw(&t, s, 8), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_OPCODE);
	CHECK_EQ(t.result.fault_offset, 4);

	/* A LUT whose last words are cut off by the end of the stream. */
	lut.hdr = NPU_CMD_HDR(NPU_OP_LUT, sizeof(lut) / 4);
	lut.count = 16;
	lut.in_addr = 256;
	lut.out_addr = 512;
	s[0] = NPU_CMD_HDR(NPU_OP_NOP, 1);
	memcpy(&s[1], &lut, sizeof(lut));
	CHECK_EQ(dt_run_raw(&t, s, 4 + sizeof(lut) - 8), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_LENGTH);
	CHECK_EQ(t.result.fault_offset, 4);
	/* The same command whole runs. */
	CHECK_EQ(dt_run_raw(&t, s, 4 + sizeof(lut)), 0);

	/* A header whose size does not match its opcode. */
	s[0] = NPU_CMD_HDR(NPU_OP_LUT, 5);
	CHECK_EQ(dt_run_raw(&t, s, sizeof(lut)), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_LENGTH);

	/* Reserved header bits. */
	s[0] = NPU_CMD_HDR(NPU_OP_NOP, 1) | 0x100;
	CHECK_EQ(dt_run_raw(&t, s, 4), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_FIELD);

	/* An operand that runs past the end of the SRAM. */
	lut.in_addr = t.info.sram_size - 10;
	memcpy(s, &lut, sizeof(lut));
	CHECK_EQ(dt_run_raw(&t, s, sizeof(lut)), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_SRAM_RANGE);

	/* An extent that does not fit in 32 bits. */
	dma.hdr = NPU_CMD_HDR(NPU_OP_DMA_LOAD, sizeof(dma) / 4);
	dma.dram_addr = npu_bo_va(t.data);
	dma.size[0] = 1;
	dma.size[1] = 0x10000;
	dma.size[2] = dma.size[3] = 1;
	dma.dram_stride[0] = 0x20000;
	dma.sram_stride[0] = 1;
	s[0] = NPU_CMD_HDR(NPU_OP_SYNC, 2);
	s[1] = NPU_ENGINE_ALL;
	memcpy(&s[2], &dma, sizeof(dma));
	CHECK_EQ(dt_run_raw(&t, s, 8 + sizeof(dma)), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_OVERFLOW);
	CHECK_EQ(t.result.fault_offset, 8);

	/* A SYNC naming no engine. */
	s[0] = NPU_CMD_HDR(NPU_OP_SYNC, 2);
	s[1] = 0;
	CHECK_EQ(dt_run_raw(&t, s, 8), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_FIELD);

	CHECK_EQ(good_job(&t), 0);
	dt_close(&t);
}

TEST(random_streams_never_break_the_device)
{
	static const uint32_t ops[] = {
		NPU_OP_NOP, NPU_OP_SYNC, NPU_OP_DMA_LOAD, NPU_OP_DMA_STORE, NPU_OP_CONV,
		NPU_OP_MATMUL, NPU_OP_POOL, NPU_OP_ELTWISE, NPU_OP_LUT, 0x55,
	};
	uint32_t s[256];
	struct dt t;
	int iter, i, failed = 0;

	CHECK_EQ(dt_open(&t, NULL), 0);
	for (iter = 0; iter < 300; iter++) {
		int words = harness_rand_range(1, 256);
		int ret;

		for (i = 0; i < words; i++)
			s[i] = harness_rand();
		/* Valid headers make the checks past the header run. */
		for (i = 0; i < words; i += 16) {
			uint32_t op = ops[harness_rand() % (sizeof(ops) / sizeof(ops[0]))];

			s[i] = NPU_CMD_HDR(op, npu_cmd_words(op));
		}
		ret = dt_run_raw(&t, s, (uint32_t)words * 4);
		CHECK_MSG(ret == 0 || ret == NPU_E_JOB, "stream %d: %s", iter, npu_last_error());
		if (ret)
			failed++;
	}
	CHECK(failed > 0);
	CHECK_EQ(good_job(&t), 0);
	dt_close(&t);
}

TEST(unsynchronised_sram_overlap_is_a_hazard)
{
	struct npu_cmd_lut lut = { 0 };
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	lut.table_addr = 0;
	lut.in_addr = 256;
	lut.out_addr = 0x20000;
	lut.count = 512;
	/*
	 * The LUT reads what the DMA is still writing: 64 KiB take the DMA
	 * thousands of cycles, far longer than the CP needs to issue the LUT.
	 */
	CHECK_EQ(dt_load(&t, 0, 0, 0x10000), 0);
	CHECK_EQ(npu_cs_lut(t.cs, &lut), 0);
	CHECK_EQ(dt_run(&t), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_HAZARD);
	CHECK_EQ(t.result.fault_offset, sizeof(struct npu_cmd_dma));

	/* With a SYNC in between it is fine. */
	CHECK_EQ(dt_load(&t, 0, 0, 0x10000), 0);
	CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)), 0);
	CHECK_EQ(npu_cs_lut(t.cs, &lut), 0);
	CHECK_EQ(dt_run(&t), 0);

	/* A DMA store of what the PPU still writes is a hazard too. */
	lut.count = 0x10000;
	CHECK_EQ(npu_cs_lut(t.cs, &lut), 0);
	CHECK_EQ(dt_store(&t, 0x100000, 0x20000, 512), 0);
	CHECK_EQ(dt_run(&t), NPU_E_JOB);
	CHECK_EQ(t.result.status, NPU_ERR_HAZARD);

	/* Disjoint SRAM needs no SYNC. */
	CHECK_EQ(npu_cs_lut(t.cs, &lut), 0);
	CHECK_EQ(dt_load(&t, 0x40000, 0, 0x10000), 0);
	CHECK_EQ(dt_run(&t), 0);
	dt_close(&t);
}

/* Write `len` bytes to a fresh temporary file; returns its path (static). */
static const char *temp_file(const void *data, size_t len)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/npu-test-fw-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "wb");
	if (!f)
		return NULL;
	fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

static uint8_t *read_image(size_t *len)
{
	FILE *f = fopen(harness_fw_image(), "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Open a sim with this image, host checks on or off; returns the result. */
static int open_with_image(const void *image, size_t len, int unchecked, uint32_t watchdog)
{
	struct npu_sim_options o = { .unchecked_firmware = unchecked, .watchdog_insns = watchdog };
	struct npu_device *dev = NULL;
	const char *path = temp_file(image, len);
	int ret;

	if (!path)
		return -1000;
	o.firmware = path;
	ret = npu_device_open_sim(&o, &dev);
	unlink(path);
	npu_device_close(dev);
	return ret;
}

TEST(bad_firmware_images_are_rejected_by_loader_and_boot_rom)
{
	struct npu_fw_header *hdr;
	size_t len;
	uint8_t *img = read_image(&len), *bad;
	int unchecked;

	CHECK(img);
	bad = malloc(len);
	CHECK(bad);
	hdr = (struct npu_fw_header *)bad;
	for (unchecked = 0; unchecked < 2; unchecked++) {
		memcpy(bad, img, len);
		CHECK_EQ(open_with_image(bad, len, unchecked, 0), 0);

		hdr->magic ^= 1;
		CHECK_EQ(open_with_image(bad, len, unchecked, 0), NPU_E_FIRMWARE);
		CHECK_MSG(strstr(npu_last_error(), "magic"), "%s", npu_last_error());

		memcpy(bad, img, len);
		bad[len - 1] ^= 0x40;
		CHECK_EQ(open_with_image(bad, len, unchecked, 0), NPU_E_FIRMWARE);
		CHECK_MSG(strstr(npu_last_error(), "checksum"), "%s", npu_last_error());

		memcpy(bad, img, len);
		hdr->api_version += 1u << 16;
		hdr->header_crc = npu_fw_header_crc(hdr);
		CHECK_EQ(open_with_image(bad, len, unchecked, 0), NPU_E_FIRMWARE);
		CHECK_MSG(strstr(npu_last_error(), "API"), "%s", npu_last_error());

		memcpy(bad, img, len);
		CHECK_EQ(open_with_image(bad, len - 4, unchecked, 0), NPU_E_FIRMWARE);
		CHECK_MSG(strstr(npu_last_error(), "truncated"), "%s", npu_last_error());

		CHECK_EQ(open_with_image(bad, 10, unchecked, 0), NPU_E_FIRMWARE);

		hdr->image_version ^= 1;	/* header crc no longer matches */
		CHECK_EQ(open_with_image(bad, len, unchecked, 0), NPU_E_FIRMWARE);
		CHECK_MSG(strstr(npu_last_error(), "header"), "%s", npu_last_error());
	}
	free(bad);
	free(img);
}

/* A valid image around hand-assembled rv32 code. */
static size_t make_image(uint8_t *out, const uint32_t *code, uint32_t words)
{
	struct npu_fw_header hdr = { 0 };

	hdr.magic = NPU_FW_MAGIC;
	hdr.header_size = sizeof(hdr);
	hdr.image_version = 0x010000;
	hdr.api_version = NPU_FW_API_VERSION;
	hdr.size = words * 4;
	hdr.entry = 0;
	hdr.payload_crc = npu_crc32(0, code, hdr.size);
	hdr.header_crc = npu_fw_header_crc(&hdr);
	memcpy(out, &hdr, sizeof(hdr));
	memcpy(out + sizeof(hdr), code, hdr.size);
	return sizeof(hdr) + hdr.size;
}

TEST(firmware_that_loops_forever_is_caught_by_the_watchdog)
{
	static const uint32_t spin[] = { 0x0000006fu };	/* jal x0, 0 */
	uint8_t image[128];
	size_t len = make_image(image, spin, 1);

	CHECK_EQ(open_with_image(image, len, 0, 100000), NPU_E_FIRMWARE);
	CHECK_MSG(strstr(npu_last_error(), "trap cause 7"), "%s", npu_last_error());
}

TEST(firmware_that_executes_garbage_traps)
{
	static const uint32_t garbage[] = { 0x00000013u, 0xffffffffu };	/* nop; illegal */
	uint8_t image[128];
	size_t len = make_image(image, garbage, 2);

	CHECK_EQ(open_with_image(image, len, 0, 0), NPU_E_FIRMWARE);
	CHECK_MSG(strstr(npu_last_error(), "trap cause 1 at pc 0x4"), "%s", npu_last_error());
}

TEST(inject_dma_error_fails_one_job)
{
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(npu_sim_inject(t.dev, NPU_CORE_FAULT_DMA_ERROR, 1), 0);
	CHECK_EQ(good_job(&t), -1);
	CHECK_EQ(t.result.status, NPU_ERR_DMA);
	CHECK_EQ(good_job(&t), 0);
	dt_close(&t);
}

TEST(inject_hang_stops_the_device)
{
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(npu_sim_inject(t.dev, NPU_CORE_FAULT_HANG, 1), 0);
	CHECK_EQ(dt_load(&t, 0, 0, 64), 0);
	/* A hang, told apart from a device failure. */
	CHECK_EQ(dt_run(&t), NPU_E_HANG);
	CHECK(strstr(npu_last_error(), "hung"));
	CHECK(reg(&t, NPU_REG_STATUS) & NPU_STATUS_HUNG);
	dt_close(&t);
}

TEST(inject_firmware_crash_reports_the_trap)
{
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(npu_sim_inject(t.dev, NPU_CORE_FAULT_FW_CRASH, 1), 0);
	CHECK_EQ(dt_load(&t, 0, 0, 64), 0);
	CHECK_EQ(dt_run(&t), NPU_E_DEVICE);
	CHECK_EQ(reg(&t, NPU_REG_CP_TRAP_CAUSE), NPU_CP_TRAP_INJECTED);
	CHECK_EQ(reg(&t, NPU_REG_BOOT_STATUS), NPU_BOOT_ERR_CP);
	CHECK(reg(&t, NPU_REG_STATUS) & NPU_STATUS_CP_HALTED);
	CHECK(reg(&t, NPU_REG_IRQ_STATUS) & NPU_IRQ_FW_ERROR);
	dt_close(&t);
}

TEST(inject_corrupt_result_flips_one_bit)
{
	struct npu_cmd_lut lut = { 0 };
	uint8_t clean[512];
	struct dt t;
	int i, diff = 0;

	CHECK_EQ(dt_open(&t, NULL), 0);
	dt_random(t.mem, 768);
	lut.in_addr = 256;
	lut.out_addr = 1024;
	lut.count = 512;
	for (i = 0; i < 2; i++) {
		if (i)
			CHECK_EQ(npu_sim_inject(t.dev, NPU_CORE_FAULT_CORRUPT, 1), 0);
		CHECK_EQ(dt_load(&t, 0, 0, 768), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_ALL), 0);
		CHECK_EQ(npu_cs_lut(t.cs, &lut), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_ALL), 0);
		CHECK_EQ(dt_store(&t, 4096, 1024, 512), 0);
		CHECK_EQ(dt_run(&t), 0);
		if (!i)
			memcpy(clean, t.mem + 4096, 512);
	}
	for (i = 0; i < 512; i++)
		diff += __builtin_popcount(clean[i] ^ t.mem[4096 + i]);
	CHECK_EQ(diff, 1);
	dt_close(&t);
}

TEST(inject_lost_irq_drops_one_interrupt_only)
{
	struct dt t;
	uint64_t before;

	CHECK_EQ(dt_open(&t, NULL), 0);
	before = npu_sim_irq_count(t.dev, NPU_VEC_JOB);
	CHECK_EQ(good_job(&t), 0);
	CHECK_EQ(npu_sim_irq_count(t.dev, NPU_VEC_JOB), before + 1);
	CHECK_EQ(npu_sim_inject(t.dev, NPU_CORE_FAULT_LOST_IRQ, 1), 0);
	CHECK_EQ(good_job(&t), 0);
	CHECK_EQ(npu_sim_irq_count(t.dev, NPU_VEC_JOB), before + 1);
	dt_close(&t);
}

TEST(heartbeat_counts_idle_time_and_injection_stops_it)
{
	struct dt t;
	uint32_t a, b, c;

	CHECK_EQ(dt_open(&t, NULL), 0);
	a = reg(&t, NPU_REG_HEARTBEAT);
	CHECK_EQ(npu_sim_idle(t.dev, 20000000), 0);
	b = reg(&t, NPU_REG_HEARTBEAT);
	CHECK_MSG(b >= a + 10, "heartbeat %u -> %u", a, b);
	CHECK_EQ(npu_sim_inject(t.dev, NPU_CORE_FAULT_HEARTBEAT, 1), 0);
	CHECK_EQ(npu_sim_idle(t.dev, 20000000), 0);
	c = reg(&t, NPU_REG_HEARTBEAT);
	CHECK_EQ(c, b);
	dt_close(&t);
}

static void *reset_later(void *arg)
{
	struct timespec delay = { 0, 200 * 1000 * 1000 };

	nanosleep(&delay, NULL);
	npu_sim_write_reg(arg, NPU_REG_CTRL, NPU_CTRL_RESET);
	return NULL;
}

/*
 * A DMA of 2^30 one-byte runs (strides 0) keeps the engine busy for a
 * long time; a reset written meanwhile from another thread must stop it
 * at once, not when it would have finished.
 */
TEST(reset_stops_a_long_running_command)
{
	struct npu_cmd_dma c = { 0 };
	struct timespec t0, t1;
	pthread_t thread;
	struct dt t;
	int ret;

	CHECK_EQ(dt_open(&t, NULL), 0);
	c.dram_addr = npu_bo_va(t.data);
	c.size[0] = 1;
	c.size[1] = 1u << 30;
	c.size[2] = c.size[3] = 1;
	CHECK_EQ(npu_cs_dma_load(t.cs, &c), 0);
	memcpy(npu_bo_map(t.cmd), npu_cs_data(t.cs), npu_cs_size(t.cs));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(pthread_create(&thread, NULL, reset_later, t.dev), 0);
	{
		struct npu_job job = { .cmd = t.cmd, .size = (uint32_t)npu_cs_size(t.cs) };

		ret = npu_job_run(t.dev, &job, 2000, &t.result);
	}
	pthread_join(thread, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The job never completes: the reset threw it away. */
	CHECK_EQ(ret, NPU_E_TIMEOUT);
	CHECK_MSG(t1.tv_sec - t0.tv_sec < 10, "reset took %ld s to stop the DMA",
		  (long)(t1.tv_sec - t0.tv_sec));
	CHECK_EQ(reg(&t, NPU_REG_BOOT_STATUS), NPU_BOOT_OFF);
	CHECK_EQ(reg(&t, NPU_REG_STATUS) & NPU_STATUS_RESETTING, 0);
	npu_cs_reset(t.cs);
	dt_close(&t);
}
