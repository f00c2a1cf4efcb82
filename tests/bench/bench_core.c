// SPDX-License-Identifier: MIT
/*
 * bench_core: how fast the emulated device computes, next to libnpu's
 * plain reference kernels, in one process on one machine.
 *
 * Each shape runs as a whole job on the sim device (firmware, DMA,
 * engine) and through the reference kernel on the same data; the
 * outputs must be identical.  Printed: emulation throughput in GMAC/s
 * of host time for both, their ratio, and the modelled device cycles.
 * Best of several runs, since the machines are noisy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npu/cmdstream.h"
#include "npu/device.h"
#include "npu/error.h"
#include "npu/kernels.h"

#define RUNS		5
#define DATA_SIZE	(4u << 20)

struct shape {
	const char *name;
	int is_conv;
	struct npu_cmd_conv conv;
	struct npu_cmd_matmul mm;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct shape conv_shape(const char *name, uint16_t hw, uint16_t in_c, uint16_t out_c,
			       uint8_t k, uint8_t stride, uint16_t groups)
{
	struct shape s = { .name = name, .is_conv = 1 };
	struct npu_cmd_conv *c = &s.conv;
	uint32_t in_bytes, wt_bytes;

	c->in_h = c->in_w = hw;
	c->in_c = in_c;
	c->out_c = out_c;
	c->groups = groups;
	c->kernel_h = c->kernel_w = k;
	c->stride_h = c->stride_w = stride;
	c->dilation_h = c->dilation_w = 1;
	c->pad_top = c->pad_left = (uint8_t)(k / 2);
	c->pad_bottom = c->pad_right = (uint8_t)(k / 2);
	c->out_h = c->out_w = (uint16_t)((hw + 2 * (k / 2) - k) / stride + 1);
	c->in_zp = 5;
	c->out_zp = -3;
	c->act_min = -128;
	c->act_max = 127;
	c->quant.multiplier = 0x5a000000;
	c->quant.shift = -10;
	in_bytes = (uint32_t)hw * hw * in_c;
	wt_bytes = (uint32_t)out_c * k * k * (in_c / groups);
	c->in_addr = 0;
	c->wt_addr = (in_bytes + 63) & ~63u;
	c->out_addr = (c->wt_addr + wt_bytes + 63) & ~63u;
	return s;
}

static struct shape matmul_shape(const char *name, uint32_t m, uint32_t k, uint32_t n)
{
	struct shape s = { .name = name, .is_conv = 0 };
	struct npu_cmd_matmul *c = &s.mm;

	c->m = m;
	c->k = k;
	c->n = n;
	c->in_zp = 7;
	c->act_min = -128;
	c->act_max = 127;
	c->quant.multiplier = 0x5a000000;
	c->quant.shift = -12;
	c->in_addr = 0;
	c->wt_addr = (m * k + 63) & ~63u;
	c->out_addr = (c->wt_addr + n * k + 63) & ~63u;
	return s;
}

static uint64_t shape_macs(const struct shape *s)
{
	const struct npu_cmd_conv *c = &s->conv;

	if (!s->is_conv)
		return (uint64_t)s->mm.m * s->mm.k * s->mm.n;
	return (uint64_t)c->out_h * c->out_w * c->out_c * c->kernel_h * c->kernel_w *
	       (c->in_c / c->groups);
}

static uint32_t out_addr(const struct shape *s)
{
	return s->is_conv ? s->conv.out_addr : s->mm.out_addr;
}

static uint32_t out_bytes(const struct shape *s)
{
	const struct npu_cmd_conv *c = &s->conv;

	return s->is_conv ? (uint32_t)c->out_h * c->out_w * c->out_c : s->mm.m * s->mm.n;
}

/*
 * The reference kernel on the same bytes, laid out as the SRAM in
 * `sram`; returns seconds of the best run, or -1.
 */
static double run_reference(const struct shape *s, uint8_t *sram, uint32_t sram_size)
{
	double best = 1e9;
	int r;

	for (r = 0; r < RUNS; r++) {
		double t0 = now_s();

		if (s->is_conv ? npu_kernel_conv_cmd(&s->conv, sram, sram_size) :
				 npu_kernel_matmul_cmd(&s->mm, sram, sram_size))
			return -1;
		if (now_s() - t0 < best)
			best = now_s() - t0;
	}
	return best;
}

static int encode(struct npu_cs *cs, const struct shape *s, uint32_t va)
{
	if (npu_cs_load_linear(cs, 0, va, out_addr(s)) ||
	    npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)) ||
	    (s->is_conv ? npu_cs_conv(cs, &s->conv) : npu_cs_matmul(cs, &s->mm)) ||
	    npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)) ||
	    npu_cs_store_linear(cs, va + DATA_SIZE / 2, out_addr(s), out_bytes(s)))
		return -1;
	return 0;
}

int main(void)
{
	struct shape shapes[] = {
		conv_shape("conv 3x3 56x56x64->64", 56, 64, 64, 3, 1, 1),
		conv_shape("conv 1x1 28x28x128->128", 28, 128, 128, 1, 1, 1),
		conv_shape("conv 5x5/2 64x64x32->64", 64, 32, 64, 5, 2, 1),
		conv_shape("depthwise 3x3 56x56x128", 56, 128, 128, 3, 1, 128),
		matmul_shape("matmul 256x1024x256", 256, 1024, 256),
		matmul_shape("fc 1x1024x800", 1, 1024, 800),
	};
	struct npu_device_info info;
	struct npu_bo *data, *cmd;
	struct npu_device *dev;
	struct npu_cs *cs;
	uint8_t *mem, *ref;
	size_t i;
	int ret, failed = 0;

	ret = npu_device_open_sim(NULL, &dev);
	if (ret) {
		fprintf(stderr, "bench: %s: %s\n", npu_strerror(ret), npu_last_error());
		return 1;
	}
	npu_device_query(dev, &info);
	if (npu_bo_create(dev, DATA_SIZE, 0, &data) ||
	    npu_bo_create(dev, 4096, NPU_BO_DEVICE_READONLY, &cmd) ||
	    npu_cs_create(info.sram_size, &cs) || !(ref = malloc(info.sram_size))) {
		fprintf(stderr, "bench: setup failed: %s\n", npu_last_error());
		return 1;
	}
	mem = npu_bo_map(data);
	srand(1);
	for (i = 0; i < DATA_SIZE / 2; i++)
		mem[i] = (uint8_t)rand();

	printf("device core throughput (emulation speed on this host), sim device %ux%u MACs\n",
	       info.mac_rows, info.mac_cols);
	printf("%-26s %9s %12s %12s %8s %12s %6s\n", "shape", "MMACs", "device", "reference",
	       "ratio", "dev cycles", "util");
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct shape *s = &shapes[i];
		struct npu_job job = { .cmd = cmd, .offset = 0 };
		struct npu_job_result res;
		double best = 1e9, ref_s, macs = (double)shape_macs(s);
		int r;

		npu_cs_reset(cs);
		if (encode(cs, s, npu_bo_va(data))) {
			fprintf(stderr, "bench: %s does not fit the device\n", s->name);
			return 1;
		}
		memcpy(npu_bo_map(cmd), npu_cs_data(cs), npu_cs_size(cs));
		job.size = (uint32_t)npu_cs_size(cs);
		for (r = 0; r < RUNS; r++) {
			double t0 = now_s();

			ret = npu_job_run(dev, &job, 60000, &res);
			if (ret) {
				fprintf(stderr, "bench: %s: %s\n", s->name, npu_last_error());
				return 1;
			}
			if (now_s() - t0 < best)
				best = now_s() - t0;
		}
		memcpy(ref, mem, out_addr(s));
		ref_s = run_reference(s, ref, info.sram_size);
		if (ref_s < 0 || memcmp(ref + out_addr(s), mem + DATA_SIZE / 2, out_bytes(s))) {
			printf("%-26s  MISMATCH between device and reference\n", s->name);
			failed = 1;
			continue;
		}
		printf("%-26s %9.1f %7.2f GMAC/s %6.2f GMAC/s %7.1fx %12llu %5.0f%%\n", s->name,
		       macs / 1e6, macs / best / 1e9, macs / ref_s / 1e9, ref_s / best,
		       (unsigned long long)res.counters[NPU_PERF_CYCLES],
		       100.0 * macs / ((double)res.counters[NPU_PERF_MAC_CYCLES] *
				       info.mac_rows * info.mac_cols));
	}
	printf("device: whole jobs (firmware, DMA, engine) on the in-process device core;\n"
	       "reference: libnpu's plain int8 CPU kernel on the same data; ratio = device/reference;\n"
	       "util: modelled MAC-array utilisation while the array ran.\n");
	free(ref);
	npu_cs_destroy(cs);
	npu_bo_destroy(cmd);
	npu_bo_destroy(data);
	npu_device_close(dev);
	return failed;
}
