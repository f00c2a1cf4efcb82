// SPDX-License-Identifier: MIT
/*
 * The command-stream encoder: commands are validated with the same
 * npu_cmd_check() the firmware and the engines run, then appended.
 */
#include <stdlib.h>
#include <string.h>

#include "npu/cmdstream.h"
#include "npu/error.h"
#include "npu_cmd.h"

/* The stream is the command structs' bytes, which must be little-endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the command-stream encoder supports little-endian hosts only"
#endif

#define NPU_CS_INITIAL_WORDS	256u
#define NPU_CS_MAX_WORDS	(NPU_MAX_CMD_BYTES / 4)

struct npu_cs {
	uint32_t sram_size;
	uint32_t *words;	/* the stream */
	size_t len;		/* words used */
	size_t cap;		/* words allocated */
	size_t count;		/* commands */
	enum npu_err last_error;
};

int npu_cs_create(uint32_t sram_size, struct npu_cs **out)
{
	struct npu_cs *cs;

	if (!out)
		return NPU_E_INVALID;
	*out = NULL;
	if (!sram_size)
		return NPU_E_INVALID;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NPU_E_NOMEM;
	cs->words = malloc(NPU_CS_INITIAL_WORDS * sizeof(*cs->words));
	if (!cs->words) {
		free(cs);
		return NPU_E_NOMEM;
	}
	cs->cap = NPU_CS_INITIAL_WORDS;
	cs->sram_size = sram_size;
	cs->last_error = NPU_OK;
	*out = cs;
	return 0;
}

void npu_cs_destroy(struct npu_cs *cs)
{
	if (!cs)
		return;
	free(cs->words);
	free(cs);
}

/* Make room for `words` more words, leaving the stream as it is on failure. */
static int npu_cs_reserve(struct npu_cs *cs, size_t words)
{
	size_t need = cs->len + words;
	size_t cap = cs->cap;
	uint32_t *grown;

	if (need > NPU_CS_MAX_WORDS)
		return NPU_E_NOMEM;
	if (need <= cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > NPU_CS_MAX_WORDS)
		cap = NPU_CS_MAX_WORDS;
	grown = realloc(cs->words, cap * sizeof(*grown));
	if (!grown)
		return NPU_E_NOMEM;
	cs->words = grown;
	cs->cap = cap;
	return 0;
}

/*
 * Copy a command struct of `bytes` bytes, stamp its header, check it and
 * append it.  The copy goes through a word buffer so the check reads
 * exactly the words that will be emitted.
 */
static int npu_cs_emit(struct npu_cs *cs, uint32_t opcode, const void *cmd, size_t bytes)
{
	uint32_t words[NPU_CMD_MAX_WORDS];
	uint32_t nwords = (uint32_t)(bytes / 4);
	struct npu_cmd_info info;
	enum npu_err err;
	int ret;

	if (!cs || !cmd)
		return NPU_E_INVALID;
	memcpy(words, cmd, bytes);
	words[0] = NPU_CMD_HDR(opcode, nwords);
	err = npu_cmd_check(words, nwords, cs->sram_size, &info);
	if (err != NPU_OK) {
		cs->last_error = err;
		return NPU_E_COMMAND;
	}
	ret = npu_cs_reserve(cs, nwords);
	if (ret)
		return ret;
	memcpy(&cs->words[cs->len], words, bytes);
	cs->len += nwords;
	cs->count++;
	return 0;
}

int npu_cs_nop(struct npu_cs *cs)
{
	uint32_t hdr = 0;

	return npu_cs_emit(cs, NPU_OP_NOP, &hdr, sizeof(hdr));
}

int npu_cs_sync(struct npu_cs *cs, uint32_t engines)
{
	struct npu_cmd_sync cmd = { .engines = engines };

	return npu_cs_emit(cs, NPU_OP_SYNC, &cmd, sizeof(cmd));
}

int npu_cs_dma_load(struct npu_cs *cs, const struct npu_cmd_dma *cmd)
{
	return npu_cs_emit(cs, NPU_OP_DMA_LOAD, cmd, sizeof(*cmd));
}

int npu_cs_dma_store(struct npu_cs *cs, const struct npu_cmd_dma *cmd)
{
	return npu_cs_emit(cs, NPU_OP_DMA_STORE, cmd, sizeof(*cmd));
}

/* One run of `len` bytes, every count 1. */
static void npu_cs_linear(struct npu_cmd_dma *cmd, uint32_t dram_addr, uint32_t sram_addr,
			  uint32_t len)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->dram_addr = dram_addr;
	cmd->sram_addr = sram_addr;
	cmd->size[0] = len;
	cmd->size[1] = cmd->size[2] = cmd->size[3] = 1;
}

int npu_cs_load_linear(struct npu_cs *cs, uint32_t sram_addr, uint32_t dram_addr,
		       uint32_t len)
{
	struct npu_cmd_dma cmd;

	npu_cs_linear(&cmd, dram_addr, sram_addr, len);
	return npu_cs_dma_load(cs, &cmd);
}

int npu_cs_store_linear(struct npu_cs *cs, uint32_t dram_addr, uint32_t sram_addr,
			uint32_t len)
{
	struct npu_cmd_dma cmd;

	npu_cs_linear(&cmd, dram_addr, sram_addr, len);
	return npu_cs_dma_store(cs, &cmd);
}

int npu_cs_conv(struct npu_cs *cs, const struct npu_cmd_conv *cmd)
{
	return npu_cs_emit(cs, NPU_OP_CONV, cmd, sizeof(*cmd));
}

int npu_cs_matmul(struct npu_cs *cs, const struct npu_cmd_matmul *cmd)
{
	return npu_cs_emit(cs, NPU_OP_MATMUL, cmd, sizeof(*cmd));
}

int npu_cs_pool(struct npu_cs *cs, const struct npu_cmd_pool *cmd)
{
	return npu_cs_emit(cs, NPU_OP_POOL, cmd, sizeof(*cmd));
}

int npu_cs_eltwise(struct npu_cs *cs, const struct npu_cmd_eltwise *cmd)
{
	return npu_cs_emit(cs, NPU_OP_ELTWISE, cmd, sizeof(*cmd));
}

int npu_cs_lut(struct npu_cs *cs, const struct npu_cmd_lut *cmd)
{
	return npu_cs_emit(cs, NPU_OP_LUT, cmd, sizeof(*cmd));
}

const void *npu_cs_data(const struct npu_cs *cs)
{
	return cs ? cs->words : NULL;
}

size_t npu_cs_size(const struct npu_cs *cs)
{
	return cs ? cs->len * 4 : 0;
}

size_t npu_cs_count(const struct npu_cs *cs)
{
	return cs ? cs->count : 0;
}

void npu_cs_reset(struct npu_cs *cs)
{
	if (!cs)
		return;
	cs->len = 0;
	cs->count = 0;
	cs->last_error = NPU_OK;
}

enum npu_err npu_cs_last_error(const struct npu_cs *cs)
{
	return cs ? cs->last_error : NPU_OK;
}
