/* SPDX-License-Identifier: MIT */
/*
 * fw.h - the command processor firmware's logic, free of target code
 * so that the host unit tests run it against a fake device (hal.h).
 *
 * main.c does nothing but fw_init() once and then fw_poll_once() in a
 * loop, sleeping in wfi whenever a pass found nothing to do.
 */
#ifndef FW_FW_H
#define FW_FW_H

#include "npu_hw.h"

/* Command-stream fetch buffer: 4 KiB of DMEM, refilled in chunks. */
#define FW_CMD_BUF_WORDS	1024u
/* Device cycles between two HEARTBEAT increments. */
#define FW_HEARTBEAT_PERIOD	1000000u

_Static_assert(FW_CMD_BUF_WORDS >= 2 * NPU_CMD_MAX_WORDS,
	       "a refill must make room for at least one whole command");

/*
 * Everything the device reads or writes by CP address (CP DMA, ENG_DESC)
 * lives here, so the host fake has a single region to map.
 */
struct fw_dmem {
	struct npu_job_desc desc;
	struct npu_job_done done;
	uint32_t fence;
	uint32_t cmd[FW_CMD_BUF_WORDS];
};

struct fw_state {
	uint32_t image_version;	/* major << 16 | minor << 8 | patch */
	uint32_t mbox_seq;	/* last H2F_SEQ answered */
	uint64_t next_beat;	/* cycle of the next heartbeat */
	uint32_t timer;		/* value last written to NPU_CPR_TIMER */
	struct fw_dmem dmem;
};

/* Boot: reset the state, publish the version, log a banner, go READY. */
void fw_init(struct fw_state *fw, uint32_t image_version);

/*
 * One pass of the main loop: kick the watchdog, heartbeat, answer the
 * mailbox, run at most one job.  Returns non-zero if it did any work
 * (the caller should poll again before sleeping).
 */
int fw_poll_once(struct fw_state *fw);

/* Run the job at RING_HEAD if the ring is configured and not empty. */
int fw_ring_poll(struct fw_state *fw);

/* Answer a new mailbox request, if there is one. */
int fw_mbox_poll(struct fw_state *fw);

/* Bump HEARTBEAT when its time has come and keep the CP timer armed. */
void fw_heartbeat(struct fw_state *fw);

/* The device cycle counter (LO read first: it latches HI). */
uint64_t fw_cycles(void);

/* The firmware log (NPU_CPR_LOG), one byte at a time. */
void fw_log_str(const char *s);
void fw_log_dec(uint32_t v);
void fw_log_hex(uint32_t v);

#endif /* FW_FW_H */
