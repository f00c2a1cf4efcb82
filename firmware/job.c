// SPDX-License-Identifier: MIT
/*
 * Jobs: take a descriptor off the ring, check it, run its command
 * stream through the engines, write the completion record and fence,
 * advance RING_HEAD and interrupt the host.  Also the main loop's
 * body, fw_poll_once(), which ties jobs, mailbox and heartbeat together.
 */
#include "fw.h"
#include "hal.h"
#include "npu_cmd.h"

/* The outcome of one job, as the completion record reports it. */
struct fw_job {
	uint32_t seqno;
	uint32_t status;	/* enum npu_err */
	uint32_t fault_offset;
	uint32_t fault_addr;
};

static void fw_job_fail(struct fw_job *job, uint32_t status, uint32_t offset,
			uint32_t addr)
{
	job->status = status;
	job->fault_offset = offset;
	job->fault_addr = addr;
}

/* A synchronous CP DMA; returns DMA_STATUS (enum npu_err). */
static uint32_t fw_dma(uint64_t addr, void *local, uint32_t len, uint32_t ctrl)
{
	fw_priv_write(NPU_CPR_DMA_ADDR_LO, (uint32_t)addr);
	fw_priv_write(NPU_CPR_DMA_ADDR_HI, (uint32_t)(addr >> 32));
	fw_priv_write(NPU_CPR_DMA_LOCAL, fw_local_addr(local));
	fw_priv_write(NPU_CPR_DMA_LEN, len);
	fw_priv_write(NPU_CPR_DMA_CTRL, ctrl);
	return fw_priv_read(NPU_CPR_DMA_STATUS);
}

/* Where the completion record may be written: non-zero, 8-aligned. */
static int fw_done_addr_usable(const struct npu_job_desc *desc)
{
	return desc->done_addr && !(desc->done_addr & 7);
}

static uint32_t fw_desc_check(const struct npu_job_desc *desc)
{
	if (desc->flags || desc->reserved || desc->ctx >= NPU_MAX_CONTEXTS)
		return NPU_ERR_DESC;
	if ((desc->cmd_addr & 3) || (desc->cmd_size & 3) ||
	    desc->cmd_size > NPU_MAX_CMD_BYTES)
		return NPU_ERR_DESC;
	/* The stream's VAs must not wrap around the 32-bit space. */
	if ((uint64_t)desc->cmd_addr + desc->cmd_size > 0x100000000ull)
		return NPU_ERR_DESC;
	if (!fw_done_addr_usable(desc))
		return NPU_ERR_DESC;
	if (!(fw_reg_read(NPU_REG_MMU_ROOT_LO(desc->ctx)) & NPU_MMU_ROOT_ENABLE))
		return NPU_ERR_CONTEXT;
	return NPU_OK;
}

/* Hand one checked command to its engine; returns ENG_STATUS. */
static uint32_t fw_cmd_issue(const uint32_t *cmd, const struct npu_cmd_info *info,
			     uint32_t *fault_addr)
{
	uint32_t status;

	switch (info->opcode) {
	case NPU_OP_NOP:
		return NPU_OK;
	case NPU_OP_SYNC:
		fw_priv_write(NPU_CPR_SYNC, ((const struct npu_cmd_sync *)cmd)->engines);
		return NPU_OK;
	default:
		fw_priv_write(NPU_CPR_ENG_DESC, fw_local_addr(cmd));
		fw_priv_write(NPU_CPR_ENG_KICK, 1);
		status = fw_priv_read(NPU_CPR_ENG_STATUS);
		if (status)
			*fault_addr = fw_priv_read(NPU_CPR_ENG_FAULT_ADDR);
		return status;
	}
}

/*
 * Run the command stream of a valid job.  The stream is fetched into
 * the DMEM buffer in chunks; whenever fewer than NPU_CMD_MAX_WORDS
 * words are left in the buffer and more of the stream remains, the
 * leftover is moved to the front and the rest of the buffer refilled,
 * so every command lies whole in the buffer when it is checked.
 */
static void fw_job_stream(struct fw_state *fw, struct fw_job *job,
			  const struct npu_job_desc *desc)
{
	uint32_t *buf = fw->dmem.cmd;
	uint32_t total = desc->cmd_size / 4;	/* stream words */
	uint32_t sram_size = fw_reg_read(NPU_REG_CAP_SRAM);
	uint32_t done = 0;	/* stream words executed */
	uint32_t fetched = 0;	/* stream words fetched */
	uint32_t pos = 0, end = 0;	/* buf[pos, end) = stream[done, fetched) */
	struct npu_cmd_info info;
	uint32_t status, fault_addr, i;

	while (done < total) {
		if (end - pos < NPU_CMD_MAX_WORDS && fetched < total) {
			uint32_t keep = end - pos;
			uint32_t chunk = FW_CMD_BUF_WORDS - keep;

			/* Overlapping, but the destination is below the source. */
			for (i = 0; i < keep; i++)
				buf[i] = buf[pos + i];
			if (chunk > total - fetched)
				chunk = total - fetched;
			status = fw_dma(desc->cmd_addr + fetched * 4, buf + keep, chunk * 4,
					NPU_CP_DMA_TO_LOCAL | NPU_CP_DMA_CTX);
			/*
			 * Reported at the offset being fetched; the words
			 * kept from the previous chunk did not run either.
			 */
			if (status) {
				fw_job_fail(job, status, fetched * 4,
					    fw_priv_read(NPU_CPR_DMA_FAULT_ADDR));
				return;
			}
			fetched += chunk;
			pos = 0;
			end = keep + chunk;
		}

		status = npu_cmd_check(buf + pos, total - done, sram_size, &info);
		if (status) {
			fw_job_fail(job, status, done * 4, 0);
			return;
		}
		fault_addr = 0;
		status = fw_cmd_issue(buf + pos, &info, &fault_addr);
		if (status) {
			fw_job_fail(job, status, done * 4, fault_addr);
			return;
		}
		fw_priv_write(NPU_CPR_WDT_KICK, 1);
		pos += info.words;
		done += info.words;
	}
}

static void fw_job_log_fault(const struct fw_job *job)
{
	fw_log_str("job ");
	fw_log_dec(job->seqno);
	fw_log_str(": status ");
	fw_log_dec(job->status);
	fw_log_str(" offset ");
	fw_log_hex(job->fault_offset);
	fw_log_str(" addr ");
	fw_log_hex(job->fault_addr);
	fw_log_str("\n");
}

static void fw_job_log_lost(const struct fw_job *job, const char *what)
{
	fw_log_str("job ");
	fw_log_dec(job->seqno);
	fw_log_str(": ");
	fw_log_str(what);
	fw_log_str(" write failed\n");
}

/*
 * Run the job at ring index `head` to completion: whatever goes wrong,
 * the host gets JOB_END, a record (where it can be written), the fence,
 * LAST_SEQNO, RING_HEAD and an interrupt.
 */
static void fw_job_run(struct fw_state *fw, uint64_t ring_base, uint32_t ring_size,
		       uint32_t head)
{
	struct npu_job_desc *desc = &fw->dmem.desc;
	struct npu_job_done *done = &fw->dmem.done;
	uint64_t slot_addr = ring_base + (uint64_t)(head & (ring_size - 1)) * sizeof(*desc);
	struct fw_job job = { 0, NPU_OK, 0, 0 };
	uint64_t fence_addr;
	int desc_read, lost = 0;
	uint32_t ctx = 0, n;

	desc_read = fw_dma(slot_addr, desc, sizeof(*desc),
			   NPU_CP_DMA_TO_LOCAL | NPU_CP_DMA_PHYS) == NPU_OK;
	if (desc_read) {
		job.seqno = desc->seqno;
		job.status = fw_desc_check(desc);
		/* A context that is out of range must not reach JOB_CTX. */
		if (job.status != NPU_ERR_DESC)
			ctx = desc->ctx;
	} else {
		job.status = NPU_ERR_DMA;
	}

	/* Even a rejected job begins and ends, so the counters are defined. */
	fw_priv_write(NPU_CPR_JOB_CTX, ctx);
	fw_priv_write(NPU_CPR_JOB_SEQNO, job.seqno);
	fw_priv_write(NPU_CPR_JOB_BEGIN, 1);
	if (job.status == NPU_OK)
		fw_job_stream(fw, &job, desc);
	fw_priv_write(NPU_CPR_JOB_END, job.status);

	if (desc_read && fw_done_addr_usable(desc)) {
		done->seqno = job.seqno;
		done->status = job.status;
		done->fault_offset = job.fault_offset;
		done->fault_addr = job.fault_addr;
		for (n = 0; n < NPU_PERF_JOBS; n++) {
			uint32_t lo = fw_priv_read(NPU_CPR_JOB_PERF_LO(n));
			uint32_t hi = fw_priv_read(NPU_CPR_JOB_PERF_HI(n));

			done->counters[n] = (uint64_t)hi << 32 | lo;
		}
		if (fw_dma(desc->done_addr, done, sizeof(*done),
			   NPU_CP_DMA_FROM_LOCAL | NPU_CP_DMA_PHYS)) {
			fw_job_log_lost(&job, "done record");
			lost = 1;
		}
	}

	/*
	 * Without a descriptor there is no seqno: leave the fence and
	 * LAST_SEQNO alone rather than publish a made-up one.
	 */
	if (desc_read) {
		fence_addr = (uint64_t)fw_reg_read(NPU_REG_FENCE_ADDR_HI) << 32 |
			     fw_reg_read(NPU_REG_FENCE_ADDR_LO);
		if (fence_addr) {
			fw->dmem.fence = job.seqno;
			if (fw_dma(fence_addr, &fw->dmem.fence, sizeof(fw->dmem.fence),
				   NPU_CP_DMA_FROM_LOCAL | NPU_CP_DMA_PHYS)) {
				fw_job_log_lost(&job, "fence");
				lost = 1;
			}
		}
		fw_reg_write(NPU_REG_LAST_SEQNO, job.seqno);
	}

	if (job.status)
		fw_job_log_fault(&job);
	fw_reg_write(NPU_REG_RING_HEAD, head + 1);
	/* A lost record is a fault too: the host cannot see the result. */
	fw_priv_write(NPU_CPR_IRQ_RAISE, job.status || lost ? NPU_IRQ_JOB_FAULT :
			NPU_IRQ_JOB_DONE);
}

int fw_ring_poll(struct fw_state *fw)
{
	uint32_t size = fw_reg_read(NPU_REG_RING_SIZE);
	uint64_t base = (uint64_t)fw_reg_read(NPU_REG_RING_BASE_HI) << 32 |
			fw_reg_read(NPU_REG_RING_BASE_LO);
	uint32_t head = fw_reg_read(NPU_REG_RING_HEAD);

	/* An unconfigured ring is ignored, whatever TAIL says. */
	if (size < 2 || size > NPU_RING_MAX_ENTRIES || (size & (size - 1)) || !base)
		return 0;
	if (fw_reg_read(NPU_REG_RING_TAIL) == head)
		return 0;
	fw_job_run(fw, base, size, head);
	return 1;
}

void fw_init(struct fw_state *fw, uint32_t image_version)
{
	fw->image_version = image_version;
	/* Both sequence registers are 0 after reset; keep in step with F2H. */
	fw->mbox_seq = fw_reg_read(NPU_REG_MBOX_F2H_SEQ);
	fw->next_beat = 0;
	fw->timer = 0;

	fw_reg_write(NPU_REG_FW_VERSION, image_version);
	fw_log_str("npu-fw ");
	fw_log_dec(image_version >> 16);
	fw_log_str(".");
	fw_log_dec((image_version >> 8) & 0xff);
	fw_log_str(".");
	fw_log_dec(image_version & 0xff);
	fw_log_str(" api ");
	fw_log_dec(NPU_FW_API_MAJOR(NPU_FW_API_VERSION));
	fw_log_str(".");
	fw_log_dec(NPU_FW_API_MINOR(NPU_FW_API_VERSION));
	fw_log_str("\n");
	fw_reg_write(NPU_REG_BOOT_STATUS, NPU_BOOT_READY);
}

int fw_poll_once(struct fw_state *fw)
{
	int busy;

	fw_priv_write(NPU_CPR_WDT_KICK, 1);
	fw_heartbeat(fw);
	busy = fw_mbox_poll(fw);
	busy |= fw_ring_poll(fw);
	return busy;
}
