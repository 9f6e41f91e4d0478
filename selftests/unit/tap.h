/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP 13 producer in the style of the kernel's kselftest.h, for
 * the userspace unit tests.  Usage:
 *
 *	tap_plan(3);
 *	tap_result(check_a(), "a works");
 *	tap_skip("needs root", "b works");
 *	TAP_CHECK(x == 1);		   inside a test: diagnose, mark failed
 *	return tap_finish();		   exit code: 0, 1 (fail) or 4 (skip)
 *
 * A test function typically returns bool and uses TAP_CHECK(), which
 * prints the failing expression as a "#" diagnostic and makes the
 * function's result false without aborting it.  A test program that is
 * nothing but such functions lists them in a struct tap_test table and
 * lets tap_run() do all of the above:
 *
 *	return tap_run(tests, ARRAY_SIZE(tests));
 */
#ifndef XL_TAP_H
#define XL_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../lib/rng.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define TAP_EXIT_PASS	0
#define TAP_EXIT_FAIL	1
#define TAP_EXIT_SKIP	4

static unsigned int tap_planned, tap_count, tap_npass, tap_nfail, tap_nskip;

static inline void tap_plan(unsigned int n)
{
	tap_planned = n;
	/* Unbuffered-ish output: a crash must not eat earlier results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%u\n", n);
}

static inline void __attribute__((format(printf, 1, 2)))
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline void __attribute__((format(printf, 2, 3)))
tap_result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u ", ok ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	if (ok)
		tap_npass++;
	else
		tap_nfail++;
}

static inline void __attribute__((format(printf, 2, 3)))
tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	printf("ok %u ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	tap_nskip++;
}

/* Print totals and return the process exit code. */
static inline int tap_finish(void)
{
	if (tap_count != tap_planned) {
		tap_diag("planned %u tests but ran %u", tap_planned,
			 tap_count);
		tap_nfail++;
	}
	printf("# Totals: pass:%u fail:%u skip:%u\n", tap_npass, tap_nfail,
	       tap_nskip);
	fflush(stdout);
	if (tap_nfail)
		return TAP_EXIT_FAIL;
	if (tap_nskip && !tap_npass)
		return TAP_EXIT_SKIP;
	return TAP_EXIT_PASS;
}

struct tap_test {
	bool (*fn)(void);
	const char *name;
};

/* One TAP result per table entry, in order; returns the exit code. */
static inline int tap_run(const struct tap_test *tests, unsigned int n)
{
	unsigned int i;

	tap_plan(n);
	for (i = 0; i < n; i++)
		tap_result(tests[i].fn(), "%s", tests[i].name);
	return tap_finish();
}

/*
 * Soft assertion for bool test functions with a local "bool ok = true":
 * reports the expression and location, then carries on so that one run
 * shows every broken property, not just the first.
 */
#define TAP_CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			tap_diag("%s:%d: check failed: %s", __FILE__,	\
				 __LINE__, #cond);			\
			ok = false;					\
		}							\
	} while (0)

#endif /* XL_TAP_H */
