/*
 * nutsec - test.h: a tiny TAP harness for the unit tests. Each TEST_CASE
 * prints one "ok N - name" or "not ok N - name" line; test_done() prints
 * the plan and returns the exit status.
 */
#ifndef NUTSEC_TEST_H
#define NUTSEC_TEST_H

#include <stdio.h>
#include <string.h>

static int test_n, test_failed, test_case_failed;
static const char *test_case_name;

static void test_case_end(void)
{
	if (test_case_name == NULL)
		return;
	test_n++;
	printf("%sok %d - %s\n", test_case_failed ? "not " : "", test_n, test_case_name);
	if (test_case_failed)
		test_failed++;
	test_case_name = NULL;
}

static inline void test_case(const char *name)
{
	test_case_end();
	test_case_name = name;
	test_case_failed = 0;
}

static inline int test_check(int ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		printf("# %s:%d: check failed: %s\n", file, line, expr);
		test_case_failed = 1;
	}
	return ok;
}

static inline int test_check_str(const char *got, const char *want, const char *expr,
    const char *file, int line)
{
	if (got == NULL || want == NULL ? got != want : strcmp(got, want) != 0) {
		printf("# %s:%d: %s: got \"%s\", want \"%s\"\n", file, line, expr,
		    got ? got : "(null)", want ? want : "(null)");
		test_case_failed = 1;
		return 0;
	}
	return 1;
}

static inline int test_done(void)
{
	test_case_end();
	printf("1..%d\n", test_n);
	return test_failed ? 1 : 0;
}

#define TEST_CASE(name) test_case(name)
#define CHECK(cond) test_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) test_check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want) do { long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ != w_) { printf("# %s:%d: %s: got %lld, want %lld\n", __FILE__, __LINE__, \
	    #got, g_, w_); test_case_failed = 1; } } while (0)

#endif
