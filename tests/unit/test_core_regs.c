// SPDX-License-Identifier: MIT
/*
 * The device core's register file seen from the host, with a bus made
 * here: identity and capabilities, access rules, interrupts, reset, and
 * a storm of random register writes that must never break the core.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "npu_core.h"
#include "npu_core_internal.h"

#define BUS_SIZE	(4u << 20)

struct bus {
	uint8_t *mem;
	unsigned int irqs[NPU_MSIX_VECTORS];
};

static int bus_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	struct bus *b = opaque;

	if (addr > BUS_SIZE || len > BUS_SIZE - addr)
		return -1;
	memcpy(buf, b->mem + addr, len);
	return 0;
}

static int bus_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	struct bus *b = opaque;

	if (addr > BUS_SIZE || len > BUS_SIZE - addr)
		return -1;
	memcpy(b->mem + addr, buf, len);
	return 0;
}

static void bus_irq(void *opaque, unsigned int vector)
{
	struct bus *b = opaque;

	if (vector < NPU_MSIX_VECTORS)
		b->irqs[vector]++;
}

static struct npu_core *make_core(struct bus *b, const struct npu_core_config *cfg)
{
	struct npu_core_bus ops = { b, bus_read, bus_write, bus_irq };
	struct npu_core_config def;
	struct npu_core *core = NULL;

	memset(b->irqs, 0, sizeof(b->irqs));
	if (!b->mem)
		b->mem = calloc(1, BUS_SIZE);
	npu_core_config_default(&def);
	if (npu_core_create(cfg ? cfg : &def, &ops, &core))
		return NULL;
	return core;
}

static uint32_t rd(struct npu_core *core, uint32_t off)
{
	uint32_t v;

	npu_core_mmio_read(core, off, &v);
	return v;
}

static bool wr(struct npu_core *core, uint32_t off, uint32_t v)
{
	bool work;

	return npu_core_mmio_write(core, off, v, &work);
}

static void run_all(struct npu_core *core)
{
	int i;

	for (i = 0; i < 100 && npu_core_run(core, 1u << 16); i++)
		;
}

TEST(config_out_of_range_is_refused)
{
	struct npu_core_bus ops = { NULL, bus_read, bus_write, bus_irq };
	struct npu_core_config cfg;
	struct npu_core *core = (struct npu_core *)1;

	npu_core_config_default(&cfg);
	cfg.mac_rows = 0;
	CHECK_EQ(npu_core_create(&cfg, &ops, &core), -1);
	CHECK(core == NULL);
	npu_core_config_default(&cfg);
	cfg.sram_size = 100000;	/* not a multiple of 4 KiB */
	CHECK_EQ(npu_core_create(&cfg, &ops, &core), -1);
	npu_core_config_default(&cfg);
	cfg.sram_size = 64u << 20;
	CHECK_EQ(npu_core_create(&cfg, &ops, &core), -1);
	npu_core_config_default(&cfg);
	ops.irq = NULL;
	CHECK_EQ(npu_core_create(&cfg, &ops, &core), -1);
}

TEST(identity_and_capabilities_reflect_the_config)
{
	struct npu_core_config cfg;
	struct bus b = { 0 };
	struct npu_core *core;

	npu_core_config_default(&cfg);
	cfg.mac_rows = 8;
	cfg.mac_cols = 64;
	cfg.sram_size = 512u << 10;
	cfg.clock_mhz = 800;
	cfg.dram_bw_mbps = 12800;
	core = make_core(&b, &cfg);
	CHECK(core);
	CHECK_EQ(rd(core, NPU_REG_ID), NPU_ID_MAGIC);
	CHECK_EQ(rd(core, NPU_REG_HW_VERSION), NPU_HW_VERSION);
	CHECK_EQ(NPU_CAP_MAC_ROWS(rd(core, NPU_REG_CAP_MAC)), 8);
	CHECK_EQ(NPU_CAP_MAC_COLS(rd(core, NPU_REG_CAP_MAC)), 64);
	CHECK_EQ(rd(core, NPU_REG_CAP_SRAM), 512u << 10);
	CHECK_EQ(rd(core, NPU_REG_CAP_CLOCK), 800);
	CHECK_EQ(rd(core, NPU_REG_CAP_DRAM_BW), 12800);
	CHECK_EQ(NPU_CAP_QUEUES_CTXS(rd(core, NPU_REG_CAP_QUEUES)), NPU_MAX_CONTEXTS);
	CHECK_EQ(NPU_CAP_QUEUES_RINGS(rd(core, NPU_REG_CAP_QUEUES)), 1);
	CHECK_EQ(rd(core, NPU_REG_BOOT_STATUS), NPU_BOOT_OFF);
	npu_core_destroy(core);
	free(b.mem);
}

TEST(read_only_and_invalid_accesses_are_refused)
{
	static const uint32_t ro[] = {
		NPU_REG_ID, NPU_REG_CAP_MAC, NPU_REG_CAP_SRAM, NPU_REG_STATUS,
		NPU_REG_BOOT_STATUS, NPU_REG_FW_VERSION, NPU_REG_HEARTBEAT,
		NPU_REG_MBOX_F2H_CMD, NPU_REG_MBOX_F2H_SEQ, NPU_REG_RING_HEAD,
		NPU_REG_LAST_SEQNO, NPU_REG_IRQ_STATUS, NPU_REG_PERF_LO(0),
		NPU_REG_CP_TRAP_CAUSE,
	};
	struct bus b = { 0 };
	struct npu_core *core = make_core(&b, NULL);
	uint32_t v;
	size_t i;

	CHECK(core);
	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint32_t before = rd(core, ro[i]);

		CHECK_MSG(!wr(core, ro[i], 0x12345678), "register %#x took a write", ro[i]);
		CHECK_EQ(rd(core, ro[i]), before);
	}
	CHECK(!npu_core_mmio_read(core, 2, &v));
	CHECK(!npu_core_mmio_read(core, NPU_BAR0_SIZE, &v));
	CHECK(!npu_core_mmio_read(core, 0xffc, &v));
	CHECK_EQ(v, 0);
	CHECK(!wr(core, 6, 1));
	CHECK(!wr(core, NPU_BAR0_SIZE + 4, 1));
	CHECK(!wr(core, NPU_REG_CTRL, 0x80));
	CHECK(wr(core, NPU_REG_RING_SIZE, 64));
	CHECK_EQ(rd(core, NPU_REG_RING_SIZE), 64);
	npu_core_destroy(core);
	free(b.mem);
}

TEST(interrupts_follow_mask_and_ack)
{
	struct bus b = { 0 };
	struct npu_core *core = make_core(&b, NULL);

	CHECK(core);
	/* A boot with no image fails and raises FW_ERROR while masked. */
	CHECK(wr(core, NPU_REG_FW_SIZE, 4));
	CHECK(wr(core, NPU_REG_CTRL, NPU_CTRL_BOOT));
	run_all(core);
	CHECK_EQ(rd(core, NPU_REG_BOOT_STATUS), NPU_BOOT_ERR_SIZE);
	CHECK(rd(core, NPU_REG_IRQ_STATUS) & NPU_IRQ_FW_ERROR);
	CHECK_EQ(b.irqs[NPU_VEC_ERROR], 0);
	/* Unmasking a pending source delivers it. */
	CHECK(wr(core, NPU_REG_IRQ_MASK, NPU_IRQ_ALL));
	CHECK_EQ(b.irqs[NPU_VEC_ERROR], 1);
	/* Still pending: a second failure is no new edge. */
	CHECK(wr(core, NPU_REG_CTRL, NPU_CTRL_BOOT));
	run_all(core);
	CHECK_EQ(b.irqs[NPU_VEC_ERROR], 1);
	CHECK(wr(core, NPU_REG_IRQ_ACK, NPU_IRQ_FW_ERROR));
	CHECK_EQ(rd(core, NPU_REG_IRQ_STATUS) & NPU_IRQ_FW_ERROR, 0);
	CHECK(wr(core, NPU_REG_CTRL, NPU_CTRL_BOOT));
	run_all(core);
	CHECK_EQ(b.irqs[NPU_VEC_ERROR], 2);
	CHECK_EQ(b.irqs[NPU_VEC_JOB], 0);
	npu_core_destroy(core);
	free(b.mem);
}

TEST(reset_returns_to_power_on_state)
{
	struct bus b = { 0 };
	struct npu_core *core = make_core(&b, NULL);

	CHECK(core);
	CHECK(wr(core, NPU_REG_RING_SIZE, 16));
	CHECK(wr(core, NPU_REG_MMU_ROOT_LO(3), 0x1001));
	CHECK(wr(core, NPU_REG_CTRL, NPU_CTRL_BOOT));
	run_all(core);
	CHECK(rd(core, NPU_REG_BOOT_STATUS) != NPU_BOOT_OFF);
	CHECK(wr(core, NPU_REG_CTRL, NPU_CTRL_RESET));
	CHECK_EQ(rd(core, NPU_REG_BOOT_STATUS), NPU_BOOT_OFF);
	CHECK_EQ(rd(core, NPU_REG_RING_SIZE), 0);
	CHECK_EQ(rd(core, NPU_REG_MMU_ROOT_LO(3)), 0);
	CHECK_EQ(rd(core, NPU_REG_IRQ_STATUS), 0);
	CHECK_EQ(rd(core, NPU_REG_ID), NPU_ID_MAGIC);
	npu_core_destroy(core);
	free(b.mem);
}

/* The host reads the firmware log word by word through INDEX/DATA. */
TEST(firmware_log_is_readable_through_bar0)
{
	struct bus b = { 0 };
	struct npu_core *core = make_core(&b, NULL);
	const char *msg = "boot ok\n";
	unsigned int i;

	CHECK(core);
	CHECK_EQ(rd(core, NPU_REG_FW_LOG_LEN), 0);
	for (i = 0; msg[i]; i++)
		npu_core_log_byte(core, (uint8_t)msg[i]);
	CHECK_EQ(rd(core, NPU_REG_FW_LOG_LEN), strlen(msg));
	CHECK(wr(core, NPU_REG_FW_LOG_INDEX, 0));
	CHECK_EQ(rd(core, NPU_REG_FW_LOG_DATA), 0x746f6f62);	/* "boot" */
	CHECK(wr(core, NPU_REG_FW_LOG_INDEX, 4));
	CHECK_EQ(rd(core, NPU_REG_FW_LOG_DATA), 0x0a6b6f20);	/* " ok\n" */
	CHECK(wr(core, NPU_REG_FW_LOG_INDEX, 8));
	CHECK_EQ(rd(core, NPU_REG_FW_LOG_DATA), 0);		/* past LEN */
	/* Unaligned or out-of-range indexes are refused and change nothing. */
	CHECK(!wr(core, NPU_REG_FW_LOG_INDEX, 2));
	CHECK(!wr(core, NPU_REG_FW_LOG_INDEX, NPU_FW_LOG_BYTES));
	CHECK_EQ(rd(core, NPU_REG_FW_LOG_INDEX), 8);
	CHECK(!wr(core, NPU_REG_FW_LOG_LEN, 0));
	/* A full log keeps its newest half. */
	for (i = strlen(msg); i < NPU_FW_LOG_BYTES + 1; i++)
		npu_core_log_byte(core, (uint8_t)('a' + i % 26));
	CHECK_EQ(rd(core, NPU_REG_FW_LOG_LEN), NPU_FW_LOG_BYTES / 2 + 1);
	CHECK(wr(core, NPU_REG_CTRL, NPU_CTRL_RESET));
	CHECK_EQ(rd(core, NPU_REG_FW_LOG_LEN), 0);
	npu_core_destroy(core);
	free(b.mem);
}

static size_t load_image(struct bus *b, uint64_t at)
{
	FILE *f = fopen(harness_fw_image(), "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(b->mem + at, 1, BUS_SIZE - at, f);
	fclose(f);
	return n;
}

/*
 * Random writes to every register (reset and boot included) with a
 * running firmware, random ring contents and random page tables: the
 * core must survive all of it, and the sanitizers watch every access.
 */
TEST(random_register_storm_never_breaks_the_core)
{
	struct bus b = { 0 };
	struct npu_core *core = make_core(&b, NULL);
	size_t image;
	int i;

	CHECK(core);
	image = load_image(&b, 0x1000);
	CHECK(image > 0);
	for (i = 0; i < 64 * 1024; i++)
		b.mem[0x100000 + i] = (uint8_t)harness_rand();
	for (i = 0; i < 100000; i++) {
		uint32_t off = (harness_rand() % (NPU_BAR0_SIZE / 4)) * 4;
		uint32_t v = harness_rand();
		bool work;

		switch (harness_rand() % 8) {
		case 0:	/* reboot the real image now and then */
			wr(core, NPU_REG_FW_ADDR_LO, 0x1000);
			wr(core, NPU_REG_FW_ADDR_HI, 0);
			wr(core, NPU_REG_FW_SIZE, (uint32_t)image);
			wr(core, NPU_REG_CTRL, (harness_rand() % 50) ? NPU_CTRL_BOOT : NPU_CTRL_RESET);
			break;
		case 1:	/* ring and page tables in the random area */
			wr(core, NPU_REG_RING_BASE_LO, 0x100000 + (v & 0xff00));
			wr(core, NPU_REG_RING_SIZE, 1u << (v % 14));
			wr(core, NPU_REG_MMU_ROOT_LO(v % NPU_MAX_CONTEXTS),
			   (0x100000 + (v & 0xf000)) | 1);
			wr(core, NPU_REG_RING_TAIL, harness_rand() % 8);
			wr(core, NPU_REG_RING_DOORBELL, 1);
			break;
		default:
			if (off == NPU_REG_CTRL)
				v &= ~NPU_CTRL_RESET;
			npu_core_mmio_write(core, off, v, &work);
			break;
		}
		if (harness_rand() % 16 == 0)
			npu_core_tick(core, harness_rand() % 2000000);
		npu_core_run(core, 20000);
		if (i % 997 == 0)
			npu_core_inject(core, (enum npu_core_fault)(harness_rand() %
					NPU_CORE_FAULT_COUNT), 1);
	}
	CHECK_EQ(rd(core, NPU_REG_ID), NPU_ID_MAGIC);
	npu_core_destroy(core);
	free(b.mem);
}
