// SPDX-License-Identifier: MIT
#include <string.h>

#include "devtest.h"
#include "harness.h"

#define DT_TIMEOUT_MS	20000u

int dt_open(struct dt *t, const struct npu_sim_options *opts)
{
	struct npu_sim_options o = { 0 };
	int ret;

	memset(t, 0, sizeof(*t));
	if (opts)
		o = *opts;
	if (!o.firmware)
		o.firmware = harness_fw_image();
	if (!o.memory_size)
		o.memory_size = 32u << 20;
	ret = npu_device_open_sim(&o, &t->dev);
	if (ret)
		return ret;
	ret = npu_device_query(t->dev, &t->info);
	if (!ret)
		ret = npu_bo_create(t->dev, DT_DATA_SIZE, 0, &t->data);
	if (!ret)
		ret = npu_bo_create(t->dev, DT_CMD_SIZE, NPU_BO_DEVICE_READONLY, &t->cmd);
	if (!ret)
		ret = npu_cs_create(t->info.sram_size, &t->cs);
	if (ret) {
		dt_close(t);
		return ret;
	}
	t->mem = npu_bo_map(t->data);
	return 0;
}

void dt_close(struct dt *t)
{
	npu_cs_destroy(t->cs);
	npu_bo_destroy(t->cmd);
	npu_bo_destroy(t->data);
	npu_device_close(t->dev);
	memset(t, 0, sizeof(*t));
}

int dt_load(struct dt *t, uint32_t sram, uint32_t offset, uint32_t len)
{
	return npu_cs_load_linear(t->cs, sram, npu_bo_va(t->data) + offset, len);
}

int dt_store(struct dt *t, uint32_t offset, uint32_t sram, uint32_t len)
{
	return npu_cs_store_linear(t->cs, npu_bo_va(t->data) + offset, sram, len);
}

int dt_run_raw(struct dt *t, const void *stream, uint32_t size)
{
	struct npu_job job = { .cmd = t->cmd, .offset = 0, .size = size };

	if (size > DT_CMD_SIZE)
		return NPU_E_INVALID;
	memcpy(npu_bo_map(t->cmd), stream, size);
	memset(&t->result, 0, sizeof(t->result));
	return npu_job_run(t->dev, &job, DT_TIMEOUT_MS, &t->result);
}

int dt_run(struct dt *t)
{
	int ret = dt_run_raw(t, npu_cs_data(t->cs), (uint32_t)npu_cs_size(t->cs));

	npu_cs_reset(t->cs);
	return ret;
}

void dt_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)harness_rand();
}
