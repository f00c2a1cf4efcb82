/* SPDX-License-Identifier: MIT */
/*
 * guest.h - the guest test programs' common part.
 *
 * Runs inside the QEMU guest (tests/guest/build-initramfs.sh puts it in
 * the initramfs).  Every check prints one line the host harness counts:
 *   GUEST-RESULT <suite>.<case> ok
 *   GUEST-RESULT <suite>.<case> FAIL <reason>
 * Suites use libnpu's public API (drm backend) for everything a user
 * does, and raw ioctls on their own file (npu_accel.h) for what libnpu
 * hides: handles, bad arguments, wait deadlines.
 */
#ifndef NPU_GUEST_H
#define NPU_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "npu/cmdstream.h"
#include "npu/device.h"
#include "npu/error.h"
#include "npu_accel.h"

#define GT_ACCEL_NODE	"/dev/accel/accel0"
#define GT_FW_PATH	"/lib/firmware/npu/npu-fw.bin"
#define GT_JOB_TIMEOUT_MS	30000u

/* --- results ------------------------------------------------------- */

void gt_ok(const char *name);
void gt_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ok when `fail_reason` is NULL; returns whether it was ok. */
int gt_result(const char *name, const char *fail_reason);
/* Informational line (GUEST-INFO), not counted. */
void gt_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gt_failures(void);
/* Start timing the next case (results print GUEST-INFO for cases over 1 s). */
void gt_mark_time(void);

/*
 * A check inside a case function that returns a failure reason (a
 * static buffer) or NULL: on a false condition, format the reason and
 * return it.
 */
const char *gt_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define GT_CHECK(cond, ...)						\
	do {								\
		if (!(cond))						\
			return gt_reason(__VA_ARGS__);			\
	} while (0)

/* --- environment --------------------------------------------------- */

/* Value of npuguest.<name>= on the kernel command line (the last one); NULL if absent. */
const char *gt_cmdline(const char *name);
/* Value of key in the kernel command line's npuguest.expect=k=v,...; NULL if absent. */
const char *gt_expect(const char *key);
/* Monotonic time in ms / ns. */
uint64_t gt_now_ms(void);
int64_t gt_now_ns(void);
/* Does the path exist? */
int gt_exists(const char *path);
/* Wait up to timeout_ms for path to (dis)appear; 1 when it did. */
int gt_wait_path(const char *path, int present, uint32_t timeout_ms);
/* Write value to a sysfs/debugfs/tracefs file in one write(); 0 or -errno. */
int gt_write_file(const char *path, const char *value);
/* Read a small file into buf (NUL-terminated, trailing newline cut); 0 or -errno. */
int gt_read_file(const char *path, char *buf, size_t len);

/* The kernel log through /dev/kmsg: a mark is the next record's sequence number. */
uint64_t gt_kmsg_mark(void);
/*
 * Records from `mark` on whose text contains every one of the
 * NULL-terminated needles (case-insensitive); the first one is copied
 * into `line` if given.  Returns how many matched, or -errno.
 */
int gt_kmsg_grep(uint64_t mark, char *line, size_t linelen, const char *const *needles);
/* The same, skipping records that contain any of the NULL-terminated `exclude`. */
int gt_kmsg_grep_except(uint64_t mark, char *line, size_t linelen, const char *const *needles,
			const char *const *exclude);
/* Does a record from `mark` on look like a kernel bug report?  Copies it. */
int gt_kmsg_bug(uint64_t mark, char *line, size_t linelen);

/* --- raw ioctls ---------------------------------------------------- */

/* Open the accel node (O_RDWR); fd or -errno. */
int gt_open(void);
/* ioctl with EINTR/EAGAIN restart (drmIoctl); 0 or -errno. */
int gt_ioctl(int fd, unsigned long request, void *arg);
int gt_query(int fd, uint32_t param, uint64_t *value);
/* Create a BO; 0 or -errno. */
int gt_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle, uint64_t *va);
/* mmap a BO; MAP_FAILED-free pointer or NULL with errno. */
void *gt_bo_mmap(int fd, uint32_t handle, size_t size);
int gt_gem_close(int fd, uint32_t handle);
/* Submit `size` bytes at `offset` of cmd with the given BO list; 0 or -errno. */
int gt_submit(int fd, uint32_t cmd, uint32_t offset, uint32_t size,
	      const struct drm_npu_bo_ref *bos, uint32_t bo_count, uint64_t *job_id);
/* DRM_NPU_WAIT_JOB with an absolute deadline; 0 or -errno; w may be NULL. */
int gt_wait_job(int fd, uint64_t job_id, int64_t deadline_ns, struct drm_npu_wait *w);
/* Name of an errno value, e.g. "ENOENT". */
const char *gt_errno_name(int err);

/* --- modules ------------------------------------------------------- */

#define GT_MODULE_PATH_FILE	"/etc/npu/npu-ko"	/* holds npu.ko's path */

/* rmmod npu (O_NONBLOCK); 0 or -errno. */
int gt_module_unload(void);
/* insmod npu.ko; 0 or -errno. */
int gt_module_load(void);
/* insmod npu.ko with module parameters ("a=1 b=2"); 0 or -errno. */
int gt_module_load_params(const char *params);
/* rmmod (waiting up to 10 s for the last user), insmod with params; a failure reason or NULL. */
const char *gt_module_reload(const char *params);
/* The PCI device behind accel0 ("0000:00:03.0"); 0 or -errno. */
int gt_accel_pci_name(char *name, size_t len);
/* Read module parameter `name` of npu into value; 0 or -errno. */
int gt_module_param(const char *name, unsigned long *value);
/* Is module npu loaded (/sys/module/npu)? */
int gt_module_loaded(void);
/* The npu device's debugfs directory (holds "bos") into buf, or NULL. */
const char *gt_debugfs_dir(char *buf, size_t len);
/* Live BOs and jobs on the ring from debugfs (jobs: the "jobs" file); 0 or -errno. */
int gt_debugfs_counts(const char *dir, long *bos, long *inflight, char *jobs, size_t len);
/* The device's reset count (debugfs "resets"), or -errno. */
long gt_debugfs_resets(void);

/* --- the QEMU monitor, through ttyS1 and npu-hostctl on the host ---- */

#define GT_HOSTCTL_TTY		"/dev/ttyS1"
#define GT_QMP_TIMEOUT_MS	10000u
#define GT_QMP_DEVICE		"npu0"	/* the device's id (run-guest.sh) */

/*
 * One QMP command, a JSON object, and its reply line (copied into
 * reply if given): 0 for a "return", -EREMOTEIO for an error (the
 * reply says which), -ETIMEDOUT without an answer, or -errno.
 */
int gt_qmp(const char *json, char *reply, size_t len);
/* Wait up to timeout_ms for a QMP event whose line has every needle; 1 if seen, 0 if not, -errno. */
int gt_qmp_wait_event(const char *const *needles, uint32_t timeout_ms);
/* Arm (value > 0) or disarm a fault injection knob of the device, e.g. "inject-hang"; 0 or -errno. */
int gt_inject(const char *knob, unsigned int value);
/* device_del the device and wait for QEMU's DEVICE_DELETED; 0 or -errno. */
int gt_device_del(uint32_t timeout_ms);
/* device_add it again, with this configuration's properties; 0 or -errno. */
int gt_device_add(void);

/* --- jobs through libnpu ------------------------------------------- */

/*
 * A fixture over libnpu's drm backend: device, an 8 MiB data BO, a
 * 1 MiB command BO and an encoder for the device's SRAM size.
 */
struct gt_dev {
	struct npu_device *dev;
	struct npu_device_info info;
	struct npu_bo *data, *cmd;
	struct npu_cs *cs;
	uint8_t *mem;		/* mapping of data */
	struct npu_job_result result;
};

#define GT_DATA_SIZE	(8u << 20)
#define GT_CMD_SIZE	(1u << 20)

/* 0 or a negative npu_status (message in npu_last_error()). */
int gt_dev_open(struct gt_dev *t);
void gt_dev_close(struct gt_dev *t);
/* 1-D copies between data[offset] and SRAM[sram]. */
int gt_load(struct gt_dev *t, uint32_t sram, uint32_t offset, uint32_t len);
int gt_store(struct gt_dev *t, uint32_t offset, uint32_t sram, uint32_t len);
/* Copy the encoded stream into the command BO at `at`; returns its size or 0. */
uint32_t gt_stage(struct gt_dev *t, uint32_t at);
/* Run the encoded stream (then reset the encoder). */
int gt_run(struct gt_dev *t);

/* Deterministic random numbers per seed. */
uint32_t gt_rand(uint32_t *state);
int gt_rand_range(uint32_t *state, int lo, int hi);
void gt_random_bytes(uint32_t *state, uint8_t *p, size_t n);

/*
 * A random convolution whose operands (input, weights, bias, quant,
 * output) fit in `sram` bytes laid out from SRAM address 0, its
 * operands written into `mem` at the same offsets; `want` (out_bytes)
 * receives the CPU kernel's result.  Returns out_bytes, or 0 if the
 * CPU kernel refused.
 */
struct gt_conv {
	struct npu_cmd_conv cmd;
	uint32_t in_bytes, wt_bytes, out_bytes, bias_at, quant_at, total;
	uint64_t macs;
};
uint32_t gt_conv_random(uint32_t *state, uint32_t sram, uint8_t *mem, struct gt_conv *cc,
			uint8_t **want);
/* Encode: load operands at data offset `base`, conv, store output back there. */
int gt_conv_encode(struct gt_dev *t, const struct gt_conv *cc, uint32_t base);
/* Index of the first differing byte, or -1. */
long gt_first_diff(const uint8_t *a, const uint8_t *b, size_t n);

/*
 * Fork n processes that start at once (when all n exist) and each run
 * child(i), whose failure reason or NULL is reported under names[i].
 * The parent then reports `all`: ok when every process passed.
 * Returns how many failed or died.
 */
int gt_procs_together(const char *all, int n, const char *(*child)(int),
		      const char *const *names);

/* --- raw clients (client.c) ---------------------------------------- */

/* One open file with a data BO (read/write), a command BO and an encoder. */
struct gt_client {
	int fd;
	uint32_t sram;
	uint32_t data, cmd;		/* handles */
	uint64_t data_va, cmd_va;
	uint8_t *mem, *cmdmap;		/* mappings of data and cmd */
	uint32_t data_size;
	uint32_t cmd_at;		/* where the next stream is staged */
	struct npu_cs *cs;
};

#define GT_MAX_EXTRA_BOS	4

/* What a submit adds to "the encoded stream over the data BO". */
struct gt_submit_opts {
	struct drm_npu_bo_ref extra[GT_MAX_EXTRA_BOS];
	uint32_t extra_count;
	const struct drm_npu_sync *in;
	uint32_t in_count;
	struct drm_npu_sync out;
	uint32_t flags;			/* DRM_NPU_SUBMIT_* */
};

/* 0 or -errno; on failure everything is released. */
int gt_client_open(struct gt_client *c, uint32_t data_size);
void gt_client_close(struct gt_client *c);
/* Copy the encoded stream into the command BO (then reset the encoder). */
int gt_client_stage(struct gt_client *c, uint32_t *offset, uint32_t *size);
/* Stage and submit the encoded stream; o may be NULL.  0 or -errno. */
int gt_client_submit(struct gt_client *c, const struct gt_submit_opts *o, uint64_t *job_id);
/* Wait for a job with GT_JOB_TIMEOUT_MS; the ioctl's 0 or -errno. */
int gt_client_wait(struct gt_client *c, uint64_t job_id, struct drm_npu_wait *w);
/* Encode a job that keeps the DMA engine busy for about rounds x 256 MiB of copies. */
int gt_client_long_job(struct gt_client *c, uint32_t rounds);

/*
 * A client whose jobs compute a known result: a fixed convolution
 * that fits the SRAM, its operands in the data BO at their SRAM
 * addresses, its output stored at GT_CC_OUT, `want` the CPU kernel's
 * output.  A job of n convolutions computes the same output n times,
 * so its length is chosen freely.
 */
struct gt_conv_client {
	struct gt_client c;
	struct npu_cmd_conv conv;
	uint32_t out_bytes;
	uint8_t *want;
};

#define GT_CC_DATA_SIZE	(2u << 20)
#define GT_CC_OUT	(1u << 20)

/* 0 or -errno; gt_cc_close() is safe after a failure. */
int gt_cc_open(struct gt_conv_client *cc, uint32_t seed);
void gt_cc_close(struct gt_conv_client *cc);
/* Fill the output area with a byte no result has everywhere. */
void gt_cc_clear(struct gt_conv_client *cc);
/* Submit load, n x (conv, sync), store; 0 or -errno. */
int gt_cc_submit(struct gt_conv_client *cc, uint32_t n, uint64_t *job_id);
/* First output byte that differs from the CPU kernel's, or -1. */
long gt_cc_diff(const struct gt_conv_client *cc);
/* Run one convolution; NULL when status and output are right, else why not. */
const char *gt_cc_check_job(struct gt_conv_client *cc);
/*
 * Number of convolutions for a job of about target_ms here (at least
 * 2, few enough that three such streams fit the command BO at once);
 * 0 on failure.
 */
uint32_t gt_cc_calibrate(struct gt_conv_client *cc, uint32_t target_ms);

int gt_syncobj_create(int fd, uint32_t *handle);
/* Wait for a point (0: binary) to be submitted and signalled; 0 or -errno. */
int gt_syncobj_wait(int fd, uint32_t handle, uint64_t point, uint32_t timeout_ms);

/* --- suites -------------------------------------------------------- */

int suite_probe(void);
int suite_query(void);
int suite_bo(void);
int suite_jobs(void);
int suite_multiproc(void);
int suite_models(void);
int suite_wait(void);
int suite_observe(void);
int suite_badargs(void);
int suite_fuzz(void);
int suite_reload(void);
int suite_faults(void);
int suite_lifecycle(void);
int suite_share(void);
int suite_isolation(void);
int suite_pm(void);
int suite_nofw(void);

#endif /* NPU_GUEST_H */
