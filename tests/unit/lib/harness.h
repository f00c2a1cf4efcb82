/* SPDX-License-Identifier: MIT */
/*
 * harness.h - the host unit-test harness.
 *
 * A test file defines cases with TEST(name) and checks with CHECK*();
 * the harness's main() runs them (all, or those whose name contains
 * argv[1]) and ends with "N passed, N failed".  A failed CHECK ends its
 * case.
 */
#ifndef NPU_TEST_HARNESS_H
#define NPU_TEST_HARNESS_H

#include <stdint.h>

void harness_register(const char *name, void (*fn)(void));
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int harness_failed(void);

/* Path of a build product, from the environment (set by the Makefile). */
const char *harness_fw_image(void);

/* Deterministic random numbers: seeded from NPU_TEST_SEED or 1, printed. */
uint32_t harness_rand(void);
int harness_rand_range(int lo, int hi);	/* inclusive */

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void register_##name(void)	\
	{								\
		harness_register(#name, name);				\
	}								\
	static void name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			harness_fail(__FILE__, __LINE__, "%s", #cond);	\
			return;						\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long check_a_ = (long long)(a);			\
		long long check_b_ = (long long)(b);			\
		if (check_a_ != check_b_) {				\
			harness_fail(__FILE__, __LINE__,		\
				     "%s == %s (%lld != %lld)", #a, #b,	\
				     check_a_, check_b_);		\
			return;						\
		}							\
	} while (0)

#define CHECK_MSG(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			harness_fail(__FILE__, __LINE__, __VA_ARGS__);	\
			return;						\
		}							\
	} while (0)

#endif /* NPU_TEST_HARNESS_H */
