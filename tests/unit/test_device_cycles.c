// SPDX-License-Identifier: MIT
/*
 * The cycle model and the performance counters behave as
 * docs/hw-spec.md says: MAC cycles follow the array geometry, DMA
 * cycles the bandwidth, engines overlap when the stream lets them, and
 * per-job counters add up into the cumulative registers.
 */
#include <string.h>

#include "devtest.h"
#include "harness.h"

static struct npu_cmd_conv conv_3x3(uint16_t in_c, uint16_t out_c)
{
	struct npu_cmd_conv c = { 0 };

	c.in_h = c.in_w = 8;
	c.in_c = in_c;
	c.groups = 1;
	c.out_h = c.out_w = 8;
	c.out_c = out_c;
	c.kernel_h = c.kernel_w = 3;
	c.stride_h = c.stride_w = c.dilation_h = c.dilation_w = 1;
	c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = 1;
	c.act_min = -128;
	c.act_max = 127;
	c.quant.multiplier = 0x40000000;
	c.quant.shift = -8;
	c.in_addr = 0;
	c.wt_addr = 0x10000;
	c.out_addr = 0x20000;
	return c;
}

static int run_conv(struct dt *t, const struct npu_cmd_conv *c)
{
	return npu_cs_conv(t->cs, c) || dt_run(t);
}

TEST(twice_the_macs_take_twice_the_mac_cycles)
{
	struct npu_cmd_conv a = conv_3x3(32, 32), b = conv_3x3(32, 64);
	struct npu_cmd_matmul m = { 0 };
	uint64_t macs, cycles;
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(t.info.mac_rows, 32);
	CHECK_EQ(t.info.mac_cols, 32);
	CHECK_EQ(run_conv(&t, &a), 0);
	macs = t.result.counters[NPU_PERF_MACS];
	cycles = t.result.counters[NPU_PERF_MAC_CYCLES];
	CHECK_EQ(macs, 64ull * 32 * 9 * 32);
	/* 64 pixels x ceil(32 / 32) column passes x ceil(288 / 32) row passes */
	CHECK_EQ(cycles, 64ull * 1 * 9);
	CHECK_EQ(run_conv(&t, &b), 0);
	CHECK_EQ(t.result.counters[NPU_PERF_MACS], 2 * macs);
	CHECK_EQ(t.result.counters[NPU_PERF_MAC_CYCLES], 2 * cycles);

	m.m = 16;
	m.k = 256;
	m.n = 64;
	m.act_min = -128;
	m.act_max = 127;
	m.quant.multiplier = 0x40000000;
	m.quant.shift = -8;
	m.wt_addr = 0x10000;
	m.out_addr = 0x20000;
	CHECK_EQ(npu_cs_matmul(t.cs, &m), 0);
	CHECK_EQ(dt_run(&t), 0);
	cycles = t.result.counters[NPU_PERF_MAC_CYCLES];
	CHECK_EQ(cycles, 16ull * 2 * 8);
	m.m = 32;
	CHECK_EQ(npu_cs_matmul(t.cs, &m), 0);
	CHECK_EQ(dt_run(&t), 0);
	CHECK_EQ(t.result.counters[NPU_PERF_MAC_CYCLES], 2 * cycles);
	CHECK_EQ(t.result.counters[NPU_PERF_MACS], 32ull * 256 * 64);
	dt_close(&t);
}

TEST(mac_cycles_follow_the_array_geometry)
{
	struct npu_sim_options o = { .mac_rows = 16, .mac_cols = 16 };
	struct npu_cmd_conv a = conv_3x3(32, 32);
	struct dt t;

	CHECK_EQ(dt_open(&t, &o), 0);
	CHECK_EQ(t.info.mac_rows, 16);
	CHECK_EQ(t.info.mac_cols, 16);
	CHECK_EQ(run_conv(&t, &a), 0);
	/* A quarter of the array: four times the cycles for the same work. */
	CHECK_EQ(t.result.counters[NPU_PERF_MAC_CYCLES], 4ull * 64 * 9);
	dt_close(&t);
}

TEST(dma_cycles_follow_bandwidth_and_bursts)
{
	struct npu_cmd_dma c = { 0 };
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(dt_load(&t, 0, 0, 65536), 0);
	CHECK_EQ(dt_run(&t), 0);
	/* setup + 65536 bytes at 8000 MB/s and 1000 MHz: 8 bytes a cycle */
	CHECK_EQ(t.result.counters[NPU_PERF_DMA_CYCLES], 32 + 65536 / 8);
	CHECK_EQ(t.result.counters[NPU_PERF_DMA_RD_BYTES], 65536);

	/* 1024 runs of 8 bytes still move whole 64-byte bursts. */
	c.dram_addr = npu_bo_va(t.data);
	c.size[0] = 8;
	c.size[1] = 1024;
	c.size[2] = c.size[3] = 1;
	c.dram_stride[0] = 64;
	c.sram_stride[0] = 8;
	CHECK_EQ(npu_cs_dma_load(t.cs, &c), 0);
	CHECK_EQ(dt_run(&t), 0);
	CHECK_EQ(t.result.counters[NPU_PERF_DMA_CYCLES], 32 + 1024 * 64 / 8);
	CHECK_EQ(t.result.counters[NPU_PERF_DMA_RD_BYTES], 8192);
	dt_close(&t);
}

/*
 * Two matmul tiles sharing weights, once strictly in sequence and once
 * double-buffered: the second loads tile B while tile A computes.
 */
static int tiles(struct dt *t, int overlap)
{
	const uint32_t dma = NPU_ENGINE_BIT(NPU_ENGINE_DMA), mac = NPU_ENGINE_BIT(NPU_ENGINE_MAC);
	struct npu_cmd_matmul a = { 0 }, b;
	int ret = 0;

	a.m = 64;
	a.k = 256;
	a.n = 64;
	a.act_min = -128;
	a.act_max = 127;
	a.quant.multiplier = 0x40000000;
	a.quant.shift = -8;
	a.wt_addr = 0;			/* 16 KiB of weights */
	a.in_addr = 0x10000;		/* tile A input, 16 KiB */
	a.out_addr = 0x30000;
	b = a;
	b.in_addr = 0x20000;
	b.out_addr = 0x40000;

	ret |= dt_load(t, 0, 0x100000, 0x4000);
	ret |= dt_load(t, 0x10000, 0x110000, 0x4000);
	ret |= npu_cs_sync(t->cs, dma);
	ret |= npu_cs_matmul(t->cs, &a);
	if (!overlap)
		ret |= npu_cs_sync(t->cs, mac);
	ret |= dt_load(t, 0x20000, 0x120000, 0x4000);
	ret |= npu_cs_sync(t->cs, overlap ? dma | mac : dma);
	ret |= npu_cs_matmul(t->cs, &b);
	if (!overlap)
		ret |= npu_cs_sync(t->cs, mac);
	ret |= dt_store(t, 0x200000, 0x30000, 64 * 64);
	ret |= npu_cs_sync(t->cs, NPU_ENGINE_ALL);
	ret |= dt_store(t, 0x210000, 0x40000, 64 * 64);
	return ret ? ret : dt_run(t);
}

TEST(overlapping_dma_with_compute_lowers_total_cycles)
{
	struct npu_job_result serial, overlapped;
	uint8_t out[2 * 4096];
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	dt_random(t.mem + 0x100000, 0x30000);
	CHECK_EQ(tiles(&t, 0), 0);
	serial = t.result;
	memcpy(out, t.mem + 0x200000, 4096);
	memcpy(out + 4096, t.mem + 0x210000, 4096);
	memset(t.mem + 0x200000, 0, 0x20000);
	CHECK_EQ(tiles(&t, 1), 0);
	overlapped = t.result;

	CHECK(!memcmp(out, t.mem + 0x200000, 4096));
	CHECK(!memcmp(out + 4096, t.mem + 0x210000, 4096));
	CHECK_EQ(overlapped.counters[NPU_PERF_MAC_CYCLES], serial.counters[NPU_PERF_MAC_CYCLES]);
	CHECK_EQ(overlapped.counters[NPU_PERF_DMA_CYCLES], serial.counters[NPU_PERF_DMA_CYCLES]);
	CHECK_MSG(overlapped.counters[NPU_PERF_CYCLES] < serial.counters[NPU_PERF_CYCLES],
		  "overlapped %llu, serial %llu",
		  (unsigned long long)overlapped.counters[NPU_PERF_CYCLES],
		  (unsigned long long)serial.counters[NPU_PERF_CYCLES]);
	/* Serial: the engines never overlap, so the total covers both. */
	CHECK(serial.counters[NPU_PERF_CYCLES] >=
	      serial.counters[NPU_PERF_MAC_CYCLES] + serial.counters[NPU_PERF_DMA_CYCLES]);
	CHECK(serial.counters[NPU_PERF_STALL_CYCLES] > overlapped.counters[NPU_PERF_STALL_CYCLES]);
	dt_close(&t);
}

static uint64_t perf(struct dt *t, unsigned int n)
{
	uint32_t lo = 0, hi = 0;

	npu_sim_read_reg(t->dev, NPU_REG_PERF_LO(n), &lo);
	npu_sim_read_reg(t->dev, NPU_REG_PERF_HI(n), &hi);
	return (uint64_t)hi << 32 | lo;
}

TEST(job_counters_add_up_in_the_cumulative_registers)
{
	struct npu_cmd_conv a = conv_3x3(32, 64);
	uint64_t sum[NPU_PERF_JOBS] = { 0 };
	struct dt t;
	int i, n;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(perf(&t, NPU_PERF_JOBS), 0);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(dt_load(&t, 0, 0, 4096), 0);
		CHECK_EQ(npu_cs_sync(t.cs, NPU_ENGINE_ALL), 0);
		CHECK_EQ(run_conv(&t, &a), 0);
		for (n = 0; n < NPU_PERF_JOBS; n++)
			sum[n] += t.result.counters[n];
	}
	CHECK_EQ(t.result.counters[NPU_PERF_COMMANDS], 3);
	for (n = 0; n < NPU_PERF_JOBS; n++)
		CHECK_MSG(perf(&t, n) == sum[n], "counter %s: %llu != %llu", npu_counter_name(n),
			  (unsigned long long)perf(&t, n), (unsigned long long)sum[n]);
	CHECK_EQ(perf(&t, NPU_PERF_JOBS), 3);
	CHECK_EQ(perf(&t, NPU_PERF_JOB_FAULTS), 0);
	dt_close(&t);
}

TEST(faulted_jobs_are_counted)
{
	uint32_t bad = NPU_CMD_HDR(0x7e, 1);
	struct dt t;

	CHECK_EQ(dt_open(&t, NULL), 0);
	CHECK_EQ(dt_run_raw(&t, &bad, 4), NPU_E_JOB);
	CHECK_EQ(dt_run_raw(&t, &bad, 4), NPU_E_JOB);
	CHECK_EQ(perf(&t, NPU_PERF_JOBS), 2);
	CHECK_EQ(perf(&t, NPU_PERF_JOB_FAULTS), 2);
	dt_close(&t);
}
