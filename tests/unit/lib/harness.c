// SPDX-License-Identifier: MIT
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TESTS 512

static struct {
	const char *name;
	void (*fn)(void);
} tests[MAX_TESTS];
static int ntests;
static int current_failed;
static uint32_t rng_state = 1;

void harness_register(const char *name, void (*fn)(void))
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "harness: too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	current_failed = 1;
}

int harness_failed(void)
{
	return current_failed;
}

const char *harness_fw_image(void)
{
	const char *path = getenv("NPU_FW_IMAGE");

	return path ? path : "build/fw/npu-fw.bin";
}

uint32_t harness_rand(void)
{
	/* xorshift32: fixed sequence per seed, same on every machine. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

int harness_rand_range(int lo, int hi)
{
	return lo + (int)(harness_rand() % (uint32_t)(hi - lo + 1));
}


int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	const char *seed = getenv("NPU_TEST_SEED");
	int passed = 0, failed = 0, i;

	if (seed)
		rng_state = (uint32_t)strtoul(seed, NULL, 0) ?: 1;
	printf("# seed %u\n", rng_state);
	for (i = 0; i < ntests; i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		current_failed = 0;
		tests[i].fn();
		printf("%s - %s\n", current_failed ? "FAIL" : "ok", tests[i].name);
		fflush(stdout);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
