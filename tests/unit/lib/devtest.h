/* SPDX-License-Identifier: MIT */
/*
 * devtest.h - running command streams on the sim device in tests.
 *
 * A fixture owns a sim device booted with the built firmware, a data
 * buffer object whose bytes tests fill and read back, a command buffer
 * and an encoder.  Helpers emit 1-D DMA between the data buffer and
 * the SRAM, so a test reads: load operands, sync, compute, sync, store.
 */
#ifndef NPU_TEST_DEVTEST_H
#define NPU_TEST_DEVTEST_H

#include "npu/cmdstream.h"
#include "npu/device.h"
#include "npu/error.h"
#include "npu/sim.h"

#define DT_DATA_SIZE	(8u << 20)
#define DT_CMD_SIZE	(1u << 20)

struct dt {
	struct npu_device *dev;
	struct npu_device_info info;
	struct npu_bo *data;
	struct npu_bo *cmd;
	struct npu_cs *cs;
	uint8_t *mem;		/* mapping of data */
	struct npu_job_result result;
};

/* Open a sim device (opts may be NULL) with the fixture's buffers; 0 or an error. */
int dt_open(struct dt *t, const struct npu_sim_options *opts);
void dt_close(struct dt *t);

/* 1-D copies between data[offset] and SRAM[sram]; abort the test on refusal. */
int dt_load(struct dt *t, uint32_t sram, uint32_t offset, uint32_t len);
int dt_store(struct dt *t, uint32_t offset, uint32_t sram, uint32_t len);

/* Run the encoded stream (then reset the encoder); returns npu_job_run's result. */
int dt_run(struct dt *t);

/* Run raw stream bytes, e.g. a deliberately malformed stream. */
int dt_run_raw(struct dt *t, const void *stream, uint32_t size);

/* Fill with random bytes. */
void dt_random(uint8_t *p, size_t n);

#endif /* NPU_TEST_DEVTEST_H */
