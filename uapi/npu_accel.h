/* SPDX-License-Identifier: MIT */
/*
 * npu_accel.h - the NPU DRM accel driver's ioctl interface.
 *
 * The one definition shared by the driver (driver/) and libnpu's drm
 * backend.  Rules: every pointer is a __u64, every struct is padded
 * explicitly and every pad/reserved field and unknown flag bit must be
 * zero (the driver returns -EINVAL otherwise), no struct versioning.
 */
#ifndef NPU_ACCEL_H
#define NPU_ACCEL_H

#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include <drm.h>	/* from libdrm: pkg-config --cflags libdrm */
#endif

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_NPU_QUERY			0x00
#define DRM_NPU_BO_CREATE		0x01
#define DRM_NPU_BO_MMAP_OFFSET		0x02
#define DRM_NPU_BO_INFO			0x03
#define DRM_NPU_SUBMIT			0x04
#define DRM_NPU_WAIT			0x05

#define DRM_IOCTL_NPU_QUERY		DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_QUERY, struct drm_npu_query)
#define DRM_IOCTL_NPU_BO_CREATE		DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_BO_CREATE, struct drm_npu_bo_create)
#define DRM_IOCTL_NPU_BO_MMAP_OFFSET	DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_BO_MMAP_OFFSET, struct drm_npu_bo_mmap_offset)
#define DRM_IOCTL_NPU_BO_INFO		DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_BO_INFO, struct drm_npu_bo_info)
#define DRM_IOCTL_NPU_SUBMIT		DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_SUBMIT, struct drm_npu_submit)
#define DRM_IOCTL_NPU_WAIT		DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_WAIT, struct drm_npu_wait)

/* Parameters of DRM_IOCTL_NPU_QUERY; each answers one __u64. */
enum drm_npu_param {
	DRM_NPU_PARAM_HW_VERSION = 0,	/* NPU_REG_HW_VERSION */
	DRM_NPU_PARAM_FW_VERSION = 1,	/* from the boot handshake */
	DRM_NPU_PARAM_FW_API_VERSION = 2,
	DRM_NPU_PARAM_MAC_ROWS = 3,
	DRM_NPU_PARAM_MAC_COLS = 4,
	DRM_NPU_PARAM_SRAM_SIZE = 5,	/* bytes */
	DRM_NPU_PARAM_CLOCK_MHZ = 6,
	DRM_NPU_PARAM_DRAM_BW = 7,	/* MB/s */
	DRM_NPU_PARAM_CONTEXTS = 8,	/* hardware MMU contexts; one per open
					 * file, context 0 never handed out */
	DRM_NPU_PARAM_OPS = 9,		/* NPU_CAP_OP_* */
	DRM_NPU_PARAM_MAX_CMD_SIZE = 10,	/* bytes per submit */
	DRM_NPU_PARAM_MAX_BOS = 11,	/* BOs per submit */
	DRM_NPU_PARAM_VA_START = 12,	/* first device VA handed out */
	DRM_NPU_PARAM_VA_END = 13,	/* one past the last */
	/*
	 * A file whose jobs caused this many device resets (timeouts,
	 * firmware crashes) is banned: its later submits fail with -EIO.
	 * 0: never.  Faults that end only the job (MMU faults, bad
	 * commands) do not count.
	 */
	DRM_NPU_PARAM_BAN_RESETS = 14,
	DRM_NPU_PARAM_COUNT
};

struct drm_npu_query {
	__u32 param;		/* in: enum drm_npu_param */
	__u32 pad;		/* must be zero */
	__u64 value;		/* out */
};

/* The device may read but not write the BO. */
#define DRM_NPU_BO_DEVICE_READONLY	(1u << 0)

/*
 * Create a GEM shmem BO and map it into the calling file's device
 * address space.  size is rounded up to 4 KiB; at most 1 GiB.  Every
 * file that holds a handle to a BO has it mapped in its own address
 * space: a BO imported through PRIME gets a VA in the importing file
 * (BO_INFO reports it), with the flags it was created with.
 */
struct drm_npu_bo_create {
	__u64 size;		/* in */
	__u32 flags;		/* in: DRM_NPU_BO_* */
	__u32 handle;		/* out */
	__u64 va;		/* out: device virtual address in this file */
};

struct drm_npu_bo_mmap_offset {
	__u32 handle;		/* in */
	__u32 pad;		/* must be zero */
	__u64 offset;		/* out: for mmap() on the device file */
};

struct drm_npu_bo_info {
	__u32 handle;		/* in */
	__u32 flags;		/* out: DRM_NPU_BO_* */
	__u64 size;		/* out */
	__u64 va;		/* out */
};

/* How a job uses a BO, for implicit synchronisation. */
#define DRM_NPU_BO_READ		(1u << 0)
#define DRM_NPU_BO_WRITE	(1u << 1)

struct drm_npu_bo_ref {
	__u32 handle;
	__u32 flags;		/* DRM_NPU_BO_READ | DRM_NPU_BO_WRITE, non-zero */
};

/*
 * A syncobj to wait for or signal: a binary syncobj with point 0, or a
 * point on a timeline syncobj.
 */
struct drm_npu_sync {
	__u32 handle;
	__u32 pad;		/* must be zero */
	__u64 point;
};

/*
 * The job keeps no result: job_id is 0 and DRM_IOCTL_NPU_WAIT cannot
 * name it; wait through out_sync or DRM_NPU_WAIT_BO.  For clients that
 * synchronise through syncobjs only, which would otherwise have to
 * collect every result.
 */
#define DRM_NPU_SUBMIT_NO_RESULT	(1u << 0)

/*
 * Queue a job: cmd_size bytes of command stream at cmd_offset in BO
 * cmd_handle (4-byte aligned).  bos lists every other BO the stream
 * touches; a job can reach only BOs mapped in its own file.  The job
 * waits for every fence in in_syncs and for the earlier users of its
 * BOs (a writer waits for readers and writers, a reader for writers).
 * When out_sync.handle is non-zero the job's fence replaces that
 * binary syncobj's fence (point 0) or is added at out_sync.point of a
 * timeline syncobj.  -EIO: the file is banned (DRM_NPU_PARAM_BAN_RESETS).
 */
struct drm_npu_submit {
	__u32 cmd_handle;
	__u32 cmd_offset;
	__u32 cmd_size;
	__u32 flags;		/* DRM_NPU_SUBMIT_* */
	__u64 bos;		/* pointer to struct drm_npu_bo_ref[bo_count] */
	__u32 bo_count;
	__u32 in_sync_count;
	__u64 in_syncs;		/* pointer to struct drm_npu_sync[in_sync_count] */
	struct drm_npu_sync out_sync;	/* handle 0: none */
	__u64 job_id;		/* out: for DRM_IOCTL_NPU_WAIT, 0 with NO_RESULT */
};

/* Per-job device counters, in the order of the hardware's job record. */
enum drm_npu_counter {
	DRM_NPU_COUNTER_CYCLES = 0,
	DRM_NPU_COUNTER_MAC_CYCLES,
	DRM_NPU_COUNTER_DMA_CYCLES,
	DRM_NPU_COUNTER_PPU_CYCLES,
	DRM_NPU_COUNTER_STALL_CYCLES,
	DRM_NPU_COUNTER_MACS,
	DRM_NPU_COUNTER_DMA_RD_BYTES,
	DRM_NPU_COUNTER_DMA_WR_BYTES,
	DRM_NPU_COUNTER_COMMANDS,
	DRM_NPU_COUNTERS
};

#define DRM_NPU_WAIT_JOB	0	/* wait for job_id */
#define DRM_NPU_WAIT_BO		1	/* wait until nothing writes or reads BO handle */

/*
 * Wait until the job (or all work on the BO) is done or the absolute
 * CLOCK_MONOTONIC deadline timeout_ns passes.  Returns 0 when done,
 * -ETIME when the deadline passed first (restartable with the same
 * arguments).  For a job, the result fields are filled: job_status is
 * the device's status (0 or enum npu_err), and the ioctl returns the
 * job's fence error instead of 0 when the driver cancelled it
 * (-ETIMEDOUT: timed out and reset, -EIO: device failure, -ECANCELED:
 * never run, -ESRCH: its file closed first).  -ENODEV after the device
 * is gone.  Results are kept until waited for, up to 4096 per file;
 * past that SUBMIT returns -EBUSY.
 */
struct drm_npu_wait {
	__u32 type;		/* DRM_NPU_WAIT_JOB or DRM_NPU_WAIT_BO */
	__u32 handle;		/* BO handle for DRM_NPU_WAIT_BO, else zero */
	__u64 job_id;		/* for DRM_NPU_WAIT_JOB, else zero */
	__s64 timeout_ns;	/* absolute CLOCK_MONOTONIC */
	__u32 job_status;	/* out */
	__u32 fault_offset;	/* out: byte offset of the failing command */
	__u32 fault_addr;	/* out: VA of an MMU/DMA fault */
	__u32 pad;		/* must be zero */
	__u64 counters[DRM_NPU_COUNTERS];	/* out */
};

#if defined(__cplusplus)
}
#endif

#endif /* NPU_ACCEL_H */
