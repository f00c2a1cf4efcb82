// SPDX-License-Identifier: MIT
/*
 * multiproc: four processes, each with its own open file, submit 20
 * convolution jobs each at the same time, with different data; every
 * result must equal the CPU kernel's.  Then the same with 200 tiny DMA
 * jobs each: jobs that finish while their submitter is still in the
 * ioctl (on a guest with several CPUs) catch use-after-free races in
 * the submit path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

#define MP_PROCS	4
#define MP_JOBS		20
#define MP_TINY_JOBS	200

/* One child: returns a failure reason or NULL. */
static const char *mp_conv(int index)
{
	uint32_t seed = 0xc0ffee00u + (uint32_t)index * 0x1001u;
	struct gt_dev t;
	int ret, j;

	ret = gt_dev_open(&t);
	GT_CHECK(!ret, "open: %s: %s", npu_strerror(ret), npu_last_error());
	for (j = 0; j < MP_JOBS; j++) {
		/* Every child's data lives at its own offset, but each BO is private anyway. */
		struct gt_conv cc;
		uint8_t *want;
		long diff;

		if (!gt_conv_random(&seed, t.info.sram_size, t.mem, &cc, &want)) {
			gt_dev_close(&t);
			return gt_reason("job %d: the CPU kernel refused the case", j);
		}
		ret = gt_conv_encode(&t, &cc, 0);
		if (!ret)
			ret = gt_run(&t);
		if (ret) {
			free(want);
			gt_dev_close(&t);
			return gt_reason("job %d: %s: %s", j, npu_strerror(ret), npu_last_error());
		}
		diff = gt_first_diff(t.mem + cc.cmd.out_addr, want, cc.out_bytes);
		free(want);
		if (diff >= 0) {
			gt_dev_close(&t);
			return gt_reason("job %d: output byte %ld of %u differs from the CPU kernel",
					 j, diff, cc.out_bytes);
		}
	}
	gt_dev_close(&t);
	return NULL;
}

static const char *mp_tiny(int index)
{
	uint32_t seed = 0x7a11u + (uint32_t)index;
	struct gt_dev t;
	int ret, j;

	ret = gt_dev_open(&t);
	GT_CHECK(!ret, "open: %s: %s", npu_strerror(ret), npu_last_error());
	for (j = 0; j < MP_TINY_JOBS; j++) {
		gt_random_bytes(&seed, t.mem, 256);
		ret = gt_load(&t, 0, 0, 256);
		if (!ret)
			ret = npu_cs_sync(t.cs, NPU_ENGINE_BIT(NPU_ENGINE_DMA));
		if (!ret)
			ret = gt_store(&t, 4096, 0, 256);
		if (!ret)
			ret = gt_run(&t);
		if (ret) {
			gt_dev_close(&t);
			return gt_reason("job %d: %s: %s", j, npu_strerror(ret), npu_last_error());
		}
		if (memcmp(t.mem, t.mem + 4096, 256)) {
			gt_dev_close(&t);
			return gt_reason("job %d copied wrong", j);
		}
	}
	gt_dev_close(&t);
	return NULL;
}

static void mp_phase(const char *what, const char *(*child)(int), int jobs)
{
	char all[64], names[MP_PROCS][32];
	const char *name_ptrs[MP_PROCS];
	uint64_t start = gt_now_ms();
	int i;

	snprintf(all, sizeof(all), "multiproc.%s-all", what);
	for (i = 0; i < MP_PROCS; i++) {
		snprintf(names[i], sizeof(names[i]), "multiproc.%s-proc-%d", what, i);
		name_ptrs[i] = names[i];
	}
	gt_procs_together(all, MP_PROCS, child, name_ptrs);
	gt_info("multiproc: %d processes x %d %s jobs in %llu ms", MP_PROCS, jobs, what,
		(unsigned long long)(gt_now_ms() - start));
}

int suite_multiproc(void)
{
	mp_phase("conv", mp_conv, MP_JOBS);
	mp_phase("tiny", mp_tiny, MP_TINY_JOBS);
	return 0;
}
