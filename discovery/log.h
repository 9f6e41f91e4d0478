/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging to stderr (foreground) or syslog (daemon), and rate limits.
 * The rate limiters are pure (time is passed in) so they can be tested.
 */
#ifndef XL_LOG_H
#define XL_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/* Log at most burst messages per interval; count what was suppressed. */
struct xl_ratelimit {
	uint64_t interval_ms;
	unsigned int burst;
	uint64_t begin_ms;
	unsigned int printed;
	unsigned int missed;
};

/* Token bucket: rate tokens per second, at most burst banked. */
struct xl_bucket {
	unsigned int rate;
	unsigned int burst;
	uint64_t tokens_milli;	/* tokens * 1000 */
	uint64_t last_ms;
};

/* log.c APIs: */
void xl_log_init(bool use_syslog, bool verbose);
void xl_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t xl_now_ms(void);
bool xl_ratelimit_ok(struct xl_ratelimit *rl, uint64_t now_ms,
		     unsigned int *missed);
void xl_bucket_init(struct xl_bucket *b, unsigned int rate,
		    unsigned int burst, uint64_t now_ms);
bool xl_bucket_has(struct xl_bucket *b, uint64_t now_ms);
bool xl_bucket_take(struct xl_bucket *b, uint64_t now_ms);
uint64_t xl_bucket_next_ms(const struct xl_bucket *b);

#define xl_err(...)	xl_log(LOG_ERR, __VA_ARGS__)
#define xl_warn(...)	xl_log(LOG_WARNING, __VA_ARGS__)
#define xl_info(...)	xl_log(LOG_INFO, __VA_ARGS__)
#define xl_dbg(...)	xl_log(LOG_DEBUG, __VA_ARGS__)

#endif /* XL_LOG_H */
