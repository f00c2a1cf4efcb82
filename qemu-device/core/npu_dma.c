// SPDX-License-Identifier: MIT
/*
 * The DMA engine: strided 4-D copies between DRAM (through the MMU)
 * and the SRAM, with padding fill on loads.
 */
#include <string.h>

#include "npu_core_internal.h"

static uint64_t npu_div_round_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/*
 * Setup, then DRAM time for whole bursts (a run shorter than a burst
 * still costs one), then the SRAM-side time of writing the padding.
 */
uint64_t npu_dma_cycles(const struct npu_core *core, const struct npu_cmd_dma *cmd)
{
	uint64_t runs = (uint64_t)cmd->size[1] * cmd->size[2] * cmd->size[3];
	uint64_t burst_bytes = runs * npu_div_round_up(cmd->size[0], NPU_DMA_BURST_BYTES) *
			       NPU_DMA_BURST_BYTES;
	uint64_t padded_runs = (uint64_t)(cmd->size[1] + cmd->pad_left + cmd->pad_right) *
			       (cmd->size[2] + cmd->pad_top + cmd->pad_bottom) * cmd->size[3];
	uint64_t fill_bytes = (padded_runs - runs) * cmd->size[0];

	return NPU_DMA_SETUP_CYCLES +
	       npu_div_round_up(burst_bytes * core->cfg.clock_mhz, core->cfg.dram_bw_mbps) +
	       npu_div_round_up(fill_bytes, NPU_DMA_FILL_BYTES_PER_CYCLE);
}

void npu_dma_execute(struct npu_core *core, const struct npu_cmd_dma *cmd,
		     struct npu_access_result *res)
{
	bool load = NPU_CMD_OPCODE(cmd->hdr) == NPU_OP_DMA_LOAD;
	uint32_t run = cmd->size[0];
	int64_t i1, i2;
	uint32_t i3;

	res->err = NPU_OK;
	res->fault_addr = 0;
	if (npu_core_take_injection(core, NPU_CORE_FAULT_DMA_ERROR)) {
		res->err = NPU_ERR_DMA;
		res->fault_addr = cmd->dram_addr;
		npu_core_report_fault(core, NPU_MMU_FAULT_BUS, NPU_ENGINE_DMA, cmd->dram_addr);
		return;
	}
	/* npu_cmd_check() bounded every address below to 32 bits. */
	for (i3 = 0; i3 < cmd->size[3]; i3++) {
		for (i2 = -(int64_t)cmd->pad_top; i2 < (int64_t)cmd->size[2] + cmd->pad_bottom; i2++) {
			for (i1 = -(int64_t)cmd->pad_left;
			     i1 < (int64_t)cmd->size[1] + cmd->pad_right; i1++) {
				uint32_t sram = cmd->sram_addr + i3 * cmd->sram_stride[2] +
					(uint32_t)(i2 + cmd->pad_top) * cmd->sram_stride[1] +
					(uint32_t)(i1 + cmd->pad_left) * cmd->sram_stride[0];
				uint32_t dram;

				/* Strides may be 0: billions of runs in one command. */
				if (npu_core_aborting(core))
					return;
				if (i2 < 0 || i2 >= cmd->size[2] || i1 < 0 || i1 >= cmd->size[1]) {
					memset(core->sram + sram, (int)cmd->fill, run);
					continue;
				}
				dram = cmd->dram_addr + i3 * cmd->dram_stride[2] +
				       (uint32_t)i2 * cmd->dram_stride[1] +
				       (uint32_t)i1 * cmd->dram_stride[0];
				npu_mmu_copy(core, NPU_ENGINE_DMA, dram, core->sram + sram, run,
					     !load, res);
				if (res->err)
					return;
			}
		}
	}
}
