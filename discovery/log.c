// SPDX-License-Identifier: GPL-2.0
/*
 * Logging and rate limiting (see log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static bool log_syslog;
static bool log_verbose;

void xl_log_init(bool use_syslog, bool verbose)
{
	log_syslog = use_syslog;
	log_verbose = verbose;
	if (use_syslog)
		openlog("xenloopd", LOG_PID, LOG_DAEMON);
}

void xl_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		struct timespec ts;
		char line[512];
		int n, m;

		/* One write per line: stderr is unbuffered. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		n = snprintf(line, sizeof(line), "xenloopd[%lld.%03ld]: ",
			     (long long)ts.tv_sec, ts.tv_nsec / 1000000);
		m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
		if (m < 0)
			m = 0;
		n += (size_t)m < sizeof(line) - n - 1 ? m :
						       (int)(sizeof(line) - n - 2);
		line[n++] = '\n';
		fwrite(line, 1, n, stderr);
	}
	va_end(ap);
}

uint64_t xl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Like the kernel's __ratelimit(): true if a message may be printed now.
 * When a new interval starts, *missed gets what the last one suppressed.
 */
bool xl_ratelimit_ok(struct xl_ratelimit *rl, uint64_t now_ms,
		     unsigned int *missed)
{
	*missed = 0;
	if (!rl->begin_ms || now_ms - rl->begin_ms >= rl->interval_ms) {
		*missed = rl->missed;
		rl->begin_ms = now_ms ? now_ms : 1;
		rl->printed = 0;
		rl->missed = 0;
	}
	if (rl->printed < rl->burst) {
		rl->printed++;
		return true;
	}
	rl->missed++;
	return false;
}

void xl_bucket_init(struct xl_bucket *b, unsigned int rate,
		    unsigned int burst, uint64_t now_ms)
{
	b->rate = rate;
	b->burst = burst;
	b->tokens_milli = (uint64_t)burst * 1000;
	b->last_ms = now_ms;
}

static void bucket_refill(struct xl_bucket *b, uint64_t now_ms)
{
	uint64_t max = (uint64_t)b->burst * 1000;

	if (now_ms > b->last_ms) {
		b->tokens_milli += (now_ms - b->last_ms) * b->rate;
		if (b->tokens_milli > max)
			b->tokens_milli = max;
		b->last_ms = now_ms;
	}
}

/* Is a token there (without taking it)? */
bool xl_bucket_has(struct xl_bucket *b, uint64_t now_ms)
{
	bucket_refill(b, now_ms);
	return b->tokens_milli >= 1000;
}

bool xl_bucket_take(struct xl_bucket *b, uint64_t now_ms)
{
	bucket_refill(b, now_ms);
	if (b->tokens_milli < 1000)
		return false;
	b->tokens_milli -= 1000;
	return true;
}

/* When the next token will be there (absolute ms). */
uint64_t xl_bucket_next_ms(const struct xl_bucket *b)
{
	uint64_t need;

	if (b->tokens_milli >= 1000 || !b->rate)
		return b->last_ms;
	need = 1000 - b->tokens_milli;
	return b->last_ms + (need + b->rate - 1) / b->rate;
}
