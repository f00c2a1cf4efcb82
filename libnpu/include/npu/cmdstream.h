/* SPDX-License-Identifier: MIT */
/*
 * npu/cmdstream.h - the command-stream encoder.
 *
 * The only code in the project that writes command-stream bytes.  A
 * struct npu_cs is a growable buffer of commands; every emit fills in
 * the command's header, validates the command with the device's own
 * rules (hw/npu_cmd.c) against the SRAM size given at creation, and
 * appends it only if it is valid, so a stream built here never makes
 * the device refuse a command for its encoding.
 *
 * This header includes "npu_hw.h", the hardware contract (in hw/, so
 * users need -Ihw as well as -Ilibnpu/include): the command structs
 * passed to the emitters and enum npu_err are defined there.
 *
 * Every function that can fail returns 0 or a negative enum npu_status:
 *   NPU_E_INVALID  a NULL argument;
 *   NPU_E_COMMAND  the command is invalid (see npu_cs_last_error());
 *                  the stream is left unchanged;
 *   NPU_E_NOMEM    the buffer could not grow, or the stream would pass
 *                  NPU_MAX_CMD_BYTES, the longest the device fetches;
 *                  the stream is left unchanged.
 */
#ifndef NPU_CMDSTREAM_H
#define NPU_CMDSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "npu_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

struct npu_cs;

/* A new empty stream whose commands must fit an SRAM of `sram_size` bytes. */
int npu_cs_create(uint32_t sram_size, struct npu_cs **out);
void npu_cs_destroy(struct npu_cs *cs);	/* NULL is a no-op */

int npu_cs_nop(struct npu_cs *cs);
int npu_cs_sync(struct npu_cs *cs, uint32_t engines);	/* NPU_ENGINE_BIT mask */

/* The caller fills every field but hdr, which the encoder sets. */
int npu_cs_dma_load(struct npu_cs *cs, const struct npu_cmd_dma *cmd);
int npu_cs_dma_store(struct npu_cs *cs, const struct npu_cmd_dma *cmd);
/* A contiguous copy of `len` bytes: the most common DMA, spelled out once. */
int npu_cs_load_linear(struct npu_cs *cs, uint32_t sram_addr, uint32_t dram_addr,
		       uint32_t len);
int npu_cs_store_linear(struct npu_cs *cs, uint32_t dram_addr, uint32_t sram_addr,
			uint32_t len);
int npu_cs_conv(struct npu_cs *cs, const struct npu_cmd_conv *cmd);
int npu_cs_matmul(struct npu_cs *cs, const struct npu_cmd_matmul *cmd);
int npu_cs_pool(struct npu_cs *cs, const struct npu_cmd_pool *cmd);
int npu_cs_eltwise(struct npu_cs *cs, const struct npu_cmd_eltwise *cmd);
int npu_cs_lut(struct npu_cs *cs, const struct npu_cmd_lut *cmd);

/*
 * The encoded stream: npu_cs_size() bytes (a multiple of 4) holding
 * npu_cs_count() commands.  The pointer is valid until the next emit,
 * reset or destroy.
 */
const void *npu_cs_data(const struct npu_cs *cs);
size_t npu_cs_size(const struct npu_cs *cs);
size_t npu_cs_count(const struct npu_cs *cs);

/* Empty the stream (keeping its buffer) and clear the last error. */
void npu_cs_reset(struct npu_cs *cs);

/*
 * Why the last refused command was refused: the enum npu_err that
 * npu_cmd_check() returned for it (the code the device would have
 * reported), or NPU_OK if no command was refused since create/reset.
 */
enum npu_err npu_cs_last_error(const struct npu_cs *cs);

#ifdef __cplusplus
}
#endif

#endif /* NPU_CMDSTREAM_H */
