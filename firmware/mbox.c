// SPDX-License-Identifier: MIT
/*
 * What the firmware tells the host outside of jobs: the mailbox
 * (HELLO, PING), the heartbeat and the firmware log.
 */
#include "fw.h"
#include "hal.h"

void fw_log_str(const char *s)
{
	while (*s)
		fw_priv_write(NPU_CPR_LOG, (uint8_t)*s++);
}

void fw_log_dec(uint32_t v)
{
	char digits[10];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		fw_priv_write(NPU_CPR_LOG, (uint8_t)digits[--n]);
}

void fw_log_hex(uint32_t v)
{
	int shift;

	fw_log_str("0x");
	for (shift = 28; shift >= 0; shift -= 4)
		fw_priv_write(NPU_CPR_LOG, (uint8_t)"0123456789abcdef"[(v >> shift) & 0xf]);
}

uint64_t fw_cycles(void)
{
	uint32_t lo = fw_priv_read(NPU_CPR_CYCLE_LO);
	uint32_t hi = fw_priv_read(NPU_CPR_CYCLE_HI);

	return (uint64_t)hi << 32 | lo;
}

/*
 * The timer compares against CYCLE_LO only.  When the next beat lies
 * beyond a wrap of CYCLE_LO, wake at the last value before the wrap
 * instead (a smaller value would already be "reached" and wfi would
 * not sleep); the next pass re-arms once CYCLE_LO has wrapped.  0
 * disables the timer, so it is never written.
 */
static uint32_t fw_timer_value(uint64_t now, uint64_t next)
{
	if (next >> 32 != now >> 32)
		return 0xffffffffu;
	return (uint32_t)next ? (uint32_t)next : 1;
}

void fw_heartbeat(struct fw_state *fw)
{
	uint64_t now = fw_cycles();
	uint32_t timer;

	if (now >= fw->next_beat) {
		fw_reg_write(NPU_REG_HEARTBEAT, fw_reg_read(NPU_REG_HEARTBEAT) + 1);
		/* From now, not from the missed beat: no burst after a stall. */
		fw->next_beat = now + FW_HEARTBEAT_PERIOD;
	}
	timer = fw_timer_value(now, fw->next_beat);
	if (timer != fw->timer) {
		fw_priv_write(NPU_CPR_TIMER, timer);
		fw->timer = timer;
	}
}

/* Same major, and the host needs no more than this firmware's minor. */
static int fw_api_compatible(uint32_t host_api)
{
	return NPU_FW_API_MAJOR(host_api) == NPU_FW_API_MAJOR(NPU_FW_API_VERSION) &&
	       NPU_FW_API_MINOR(host_api) <= NPU_FW_API_MINOR(NPU_FW_API_VERSION);
}

int fw_mbox_poll(struct fw_state *fw)
{
	uint32_t seq = fw_reg_read(NPU_REG_MBOX_H2F_SEQ);
	uint32_t cmd, arg0, status, reply0 = 0, reply1 = 0;

	if (seq == fw->mbox_seq)
		return 0;
	/* The host wrote CMD/ARGs before SEQ and waits for our answer. */
	cmd = fw_reg_read(NPU_REG_MBOX_H2F_CMD);
	arg0 = fw_reg_read(NPU_REG_MBOX_H2F_ARG0);

	switch (cmd) {
	case NPU_MBOX_HELLO:
		status = fw_api_compatible(arg0) ? NPU_MBOX_OK : NPU_MBOX_ERR_API;
		reply0 = fw->image_version;
		reply1 = NPU_FW_API_VERSION;
		break;
	case NPU_MBOX_PING:
		status = NPU_MBOX_OK;
		reply0 = arg0;
		break;
	default:
		status = NPU_MBOX_ERR_CMD;
		break;
	}

	fw_reg_write(NPU_REG_MBOX_F2H_ARG0, reply0);
	fw_reg_write(NPU_REG_MBOX_F2H_ARG1, reply1);
	fw_reg_write(NPU_REG_MBOX_F2H_CMD, NPU_MBOX_REPLY(cmd & 0xffffu, status));
	/* SEQ last: it tells the host the reply is complete. */
	fw_reg_write(NPU_REG_MBOX_F2H_SEQ, seq);
	fw_priv_write(NPU_CPR_IRQ_RAISE, NPU_IRQ_MBOX);
	fw->mbox_seq = seq;
	return 1;
}
