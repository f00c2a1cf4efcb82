// SPDX-License-Identifier: MIT
/*
 * npu - the command-line tool over libnpu's public API.
 *
 *   npu info     [--backend sim|drm|drm:PATH] [--firmware IMAGE]
 *   npu selftest [--backend sim|drm|drm:PATH] [--firmware IMAGE]
 *   npu quantize, eval, inspect, compile, run, profile: see cmd_*.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu/cmdstream.h"
#include "npu/device.h"
#include "npu/error.h"
#include "npu/kernels.h"
#include "tool.h"

struct options {
	const char *backend;
	const char *firmware;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: npu <command> [options]\n"
		"commands:\n"
		"  info       show the device's parameters and firmware\n"
		"  selftest   run a convolution layer on the device and check it\n"
		"  quantize   FLOAT.onnx -o OUT.onnx --calib IMAGES ...: post-training quantization\n"
		"  eval       MODEL --images IMAGES --labels LABELS ...: top-1 accuracy\n"
		"  inspect    MODEL.onnx: operators, shapes, parameters, memory\n"
		"  compile    MODEL.onnx -o MODEL.npub: compile a quantized model for the device\n"
		"  run        MODEL --input FILE [--output OUT.npy]: one inference, top-5 classes\n"
		"  profile    MODEL ...: per-layer cycles, MAC use, DRAM traffic; trace file\n"
		"  (MODEL: an ONNX model, or a compiled .npub on an NPU backend; `npu CMD --help`)\n"
		"options of info and selftest:\n"
		"  --backend NAME     device backend (default: sim):\n"
		"                       sim       the device core in-process\n"
		"                       drm       the first /dev/accel/accel* of the npu driver\n"
		"                       drm:PATH  that device file\n"
		"  --firmware IMAGE   firmware image of the sim backend (default: $NPU_FIRMWARE)\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int i;

	o->backend = "sim";
	o->firmware = NULL;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
			o->backend = argv[++i];
		} else if (!strcmp(argv[i], "--firmware") && i + 1 < argc) {
			o->firmware = argv[++i];
		} else {
			fprintf(stderr, "npu: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

static void print_info(const struct npu_device_info *info)
{
	printf("device:   %s, NPU hardware %u.%u, firmware %u.%u.%u (API %u.%u)\n",
	       info->backend, info->hw_version >> 16, info->hw_version & 0xffff,
	       info->fw_version >> 16, (info->fw_version >> 8) & 0xff, info->fw_version & 0xff,
	       NPU_FW_API_MAJOR(info->fw_api_version), NPU_FW_API_MINOR(info->fw_api_version));
	printf("          MAC array %ux%u, SRAM %u KiB, %u MHz, DRAM %u MB/s, %u contexts\n",
	       info->mac_rows, info->mac_cols, info->sram_size >> 10, info->clock_mhz,
	       info->dram_bw_mbps, info->contexts);
}

static int cmd_info(const struct options *o)
{
	struct npu_device_info info;
	struct npu_device *dev;

	if (tool_open_device(o->backend, o->firmware, &dev))
		return 1;
	npu_device_query(dev, &info);
	print_info(&info);
	npu_device_close(dev);
	return 0;
}

/* The layer: 3x3 conv, 16x16x8 -> 16x16x16, pad 1, per-channel quant, ReLU. */
enum {
	ST_H = 16, ST_W = 16, ST_IC = 8, ST_OC = 16,
	ST_IN = 0,
	ST_WT = ST_IN + ST_H * ST_W * ST_IC,
	ST_BIAS = ST_WT + ST_OC * 9 * ST_IC,
	ST_QUANT = ST_BIAS + ST_OC * 4,
	ST_OUT = ST_QUANT + ST_OC * 8,
	ST_OUT_BYTES = ST_H * ST_W * ST_OC,
};

static void selftest_layer(struct npu_cmd_conv *c, uint8_t *data)
{
	uint32_t seed = 12345, i;

	for (i = 0; i < ST_BIAS; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t)(seed >> 16);
	}
	for (i = 0; i < ST_OC; i++) {
		int32_t bias = (int32_t)(i * 997) - 8000;
		struct npu_quant q = { 0x40000000 + (int32_t)i * 0x1000000, -9 };

		memcpy(data + ST_BIAS + 4 * i, &bias, 4);
		memcpy(data + ST_QUANT + 8 * i, &q, 8);
	}
	memset(c, 0, sizeof(*c));
	c->flags = NPU_F_PER_CHANNEL | NPU_F_BIAS;
	c->in_addr = ST_IN;
	c->wt_addr = ST_WT;
	c->bias_addr = ST_BIAS;
	c->quant_addr = ST_QUANT;
	c->out_addr = ST_OUT;
	c->in_h = c->out_h = ST_H;
	c->in_w = c->out_w = ST_W;
	c->in_c = ST_IC;
	c->out_c = ST_OC;
	c->groups = 1;
	c->kernel_h = c->kernel_w = 3;
	c->stride_h = c->stride_w = c->dilation_h = c->dilation_w = 1;
	c->pad_top = c->pad_bottom = c->pad_left = c->pad_right = 1;
	c->in_zp = 3;
	c->out_zp = -128;
	c->act_min = -128;	/* ReLU: real 0 is out_zp */
	c->act_max = 127;
}

static int encode_selftest(struct npu_cs *cs, const struct npu_cmd_conv *conv, uint32_t va)
{
	if (npu_cs_load_linear(cs, 0, va, ST_OUT) ||
	    npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA)) ||
	    npu_cs_conv(cs, conv) || npu_cs_sync(cs, NPU_ENGINE_BIT(NPU_ENGINE_MAC)) ||
	    npu_cs_store_linear(cs, va + ST_OUT, ST_OUT, ST_OUT_BYTES))
		return NPU_E_COMMAND;
	return 0;
}

/* Outputs that differ from the CPU kernel run on the same operands, or -1. */
static int check_selftest(const struct npu_cmd_conv *c, const uint8_t *data,
			  uint32_t sram_size)
{
	uint8_t *ref = calloc(1, sram_size);
	int i, mismatches = 0;

	if (!ref)
		return -1;
	memcpy(ref, data, ST_OUT);
	if (npu_kernel_conv_cmd(c, ref, sram_size)) {
		free(ref);
		return -1;
	}
	for (i = 0; i < ST_OUT_BYTES; i++)
		mismatches += ref[ST_OUT + i] != data[ST_OUT + i];
	free(ref);
	return mismatches;
}

static int cmd_selftest(const struct options *o)
{
	struct npu_device_info info;
	struct npu_job_result res;
	struct npu_cmd_conv conv;
	struct npu_bo *data = NULL, *cmd = NULL;
	struct npu_device *dev;
	struct npu_cs *cs = NULL;
	struct npu_job job;
	int ret, mismatches, n;
	double util;

	if (tool_open_device(o->backend, o->firmware, &dev))
		return 1;
	npu_device_query(dev, &info);
	print_info(&info);
	ret = npu_bo_create(dev, ST_OUT + ST_OUT_BYTES, 0, &data);
	if (!ret)
		ret = npu_bo_create(dev, 4096, NPU_BO_DEVICE_READONLY, &cmd);
	if (!ret)
		ret = npu_cs_create(info.sram_size, &cs);
	if (ret)
		goto fail;
	selftest_layer(&conv, npu_bo_map(data));
	ret = encode_selftest(cs, &conv, npu_bo_va(data));
	if (ret)
		goto fail;
	memcpy(npu_bo_map(cmd), npu_cs_data(cs), npu_cs_size(cs));
	job.cmd = cmd;
	job.offset = 0;
	job.size = (uint32_t)npu_cs_size(cs);

	printf("layer:    conv 3x3, %dx%dx%d -> %dx%dx%d, pad 1, per-channel requantization, ReLU\n",
	       ST_H, ST_W, ST_IC, ST_H, ST_W, ST_OC);
	printf("stream:   %zu commands, %zu bytes (load, sync, conv, sync, store)\n",
	       npu_cs_count(cs), npu_cs_size(cs));
	ret = npu_job_run(dev, &job, 10000, &res);
	if (ret)
		goto fail;
	mismatches = check_selftest(&conv, npu_bo_map(data), info.sram_size);
	if (mismatches < 0)
		printf("result:   FAILED: the int8 CPU kernel refused the layer\n");
	else if (mismatches)
		printf("result:   FAILED: %d of %d outputs differ from the int8 CPU kernel\n",
		       mismatches, ST_OUT_BYTES);
	else
		printf("result:   ok, all %d outputs equal the int8 CPU kernel's bit for bit\n",
		       ST_OUT_BYTES);
	printf("counters:\n");
	for (n = 0; n < NPU_PERF_JOBS; n++)
		printf("  %-16s %llu\n", npu_counter_name(n), (unsigned long long)res.counters[n]);
	util = res.counters[NPU_PERF_MAC_CYCLES] ?
	       100.0 * (double)res.counters[NPU_PERF_MACS] /
	       ((double)res.counters[NPU_PERF_MAC_CYCLES] * info.mac_rows * info.mac_cols) : 0;
	printf("MAC array: %.1f%% utilised while busy; job time %.2f us at %u MHz\n", util,
	       (double)res.counters[NPU_PERF_CYCLES] / info.clock_mhz, info.clock_mhz);
	npu_cs_destroy(cs);
	npu_bo_destroy(cmd);
	npu_bo_destroy(data);
	npu_device_close(dev);
	return mismatches ? 1 : 0;
fail:
	fprintf(stderr, "npu: selftest failed: %s: %s\n", npu_strerror(ret), npu_last_error());
	npu_cs_destroy(cs);
	npu_bo_destroy(cmd);
	npu_bo_destroy(data);
	npu_device_close(dev);
	return 1;
}

int main(int argc, char **argv)
{
	struct options o;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "quantize"))
		return cmd_quantize(argc - 1, argv + 1);
	if (!strcmp(argv[1], "eval"))
		return cmd_eval(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inspect"))
		return cmd_inspect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compile"))
		return cmd_compile(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "profile"))
		return cmd_profile(argc - 1, argv + 1);
	if (parse_options(argc, argv, &o))
		return 2;
	if (!strcmp(argv[1], "info"))
		return cmd_info(&o);
	if (!strcmp(argv[1], "selftest"))
		return cmd_selftest(&o);
	fprintf(stderr, "npu: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
