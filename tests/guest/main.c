// SPDX-License-Identifier: MIT
/*
 * npu-guest-test SUITE... - run guest suites; exits 1 if a check failed.
 * Suites: probe query bo jobs multiproc models wait observe badargs share isolation
 * pm fuzz reload faults lifecycle nofw.
 */
#include <stdio.h>
#include <string.h>

#include "guest.h"

static const struct {
	const char *name;
	int (*run)(void);
} suites[] = {
	{ "probe", suite_probe },
	{ "query", suite_query },
	{ "bo", suite_bo },
	{ "jobs", suite_jobs },
	{ "multiproc", suite_multiproc },
	{ "models", suite_models },
	{ "wait", suite_wait },
	{ "observe", suite_observe },
	{ "badargs", suite_badargs },
	{ "fuzz", suite_fuzz },
	{ "share", suite_share },
	{ "isolation", suite_isolation },
	{ "pm", suite_pm },
	{ "reload", suite_reload },
	{ "faults", suite_faults },
	{ "lifecycle", suite_lifecycle },
	{ "nofw", suite_nofw },
};

int main(int argc, char **argv)
{
	size_t i;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: npu-guest-test SUITE...\nsuites:");
		for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
			fprintf(stderr, " %s", suites[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	for (a = 1; a < argc; a++) {
		for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
			if (!strcmp(argv[a], suites[i].name))
				break;
		if (i == sizeof(suites) / sizeof(suites[0])) {
			fprintf(stderr, "npu-guest-test: unknown suite '%s'\n", argv[a]);
			return 2;
		}
		gt_mark_time();
		suites[i].run();
	}
	return gt_failures() ? 1 : 0;
}
