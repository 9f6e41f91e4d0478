// SPDX-License-Identifier: GPL-2.0
/*
 * Messages and the clock for the lab tools; see tool.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "tool.h"

void xl_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", xl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

double xl_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
