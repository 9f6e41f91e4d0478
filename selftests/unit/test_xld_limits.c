// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for what bounds a hostile guest's cost in xenloopd: the log
 * rate limit and the event token bucket (discovery/log.c), and the map of
 * published entries (discovery/map.c) under insertions and deletions.
 */
#include <stdlib.h>

#include "log.h"
#include "map.h"
#include "tap.h"

static bool test_ratelimit(void)
{
	struct xl_ratelimit rl = { .interval_ms = 60000, .burst = 10 };
	unsigned int i, printed = 0, missed = 0;
	bool ok = true;

	/* 1000 messages in one second: the burst, then silence. */
	for (i = 0; i < 1000; i++)
		printed += xl_ratelimit_ok(&rl, 1000 + i, &missed);
	TAP_CHECK(printed == 10);
	/* The next interval reports what the last one suppressed. */
	TAP_CHECK(xl_ratelimit_ok(&rl, 1000 + 60000, &missed));
	TAP_CHECK(missed == 990);
	TAP_CHECK(xl_ratelimit_ok(&rl, 1000 + 60001, &missed) && !missed);
	return ok;
}

static bool test_bucket(void)
{
	struct xl_bucket b;
	unsigned int i, taken = 0;
	uint64_t t;
	bool ok = true;

	xl_bucket_init(&b, 10, 20, 5000);
	for (i = 0; i < 100; i++)
		taken += xl_bucket_take(&b, 5000);
	TAP_CHECK(taken == 20);
	/* Empty: the next token comes after 1/rate seconds. */
	TAP_CHECK(xl_bucket_next_ms(&b) == 5100);
	TAP_CHECK(!xl_bucket_take(&b, 5099));
	TAP_CHECK(xl_bucket_take(&b, 5100));
	/* Over 10 s of constant demand: about rate * 10 evaluations. */
	taken = 0;
	for (t = 5100; t < 15100; t++)
		taken += xl_bucket_take(&b, t);
	TAP_CHECK(taken >= 99 && taken <= 101);
	/* A long pause banks at most the burst. */
	taken = 0;
	for (i = 0; i < 100; i++)
		taken += xl_bucket_take(&b, 100000);
	TAP_CHECK(taken == 20);
	return ok;
}

static bool test_map(void)
{
	struct xl_map m = { 0 };
	struct xl_map_entry *e;
	unsigned int a, b;
	bool ok = true;

	/* A full mesh of 100 guests: 9900 entries, then half removed. */
	for (a = 1; a <= 100; a++)
		for (b = 1; b <= 100; b++)
			if (a != b)
				TAP_CHECK(xl_map_set(&m, xl_map_key(a, b),
						     a * 1000 + b, b));
	TAP_CHECK(m.count == 9900);
	for (a = 1; a <= 100; a += 2)
		for (b = 1; b <= 100; b++)
			if (a != b)
				TAP_CHECK(xl_map_del(&m, xl_map_key(a, b)));
	TAP_CHECK(m.count == 9900 - 50 * 99);
	for (a = 1; a <= 100; a++) {
		for (b = 1; b <= 100; b++) {
			e = xl_map_find(&m, xl_map_key(a, b));
			if (a == b || a % 2)
				TAP_CHECK(!e);
			else
				TAP_CHECK(e && e->v0 == a * 1000 + b &&
					  e->v1 == b);
		}
	}
	TAP_CHECK(!xl_map_del(&m, xl_map_key(1, 2)));
	/* Update in place. */
	TAP_CHECK(xl_map_set(&m, xl_map_key(2, 3), 7, 8));
	e = xl_map_find(&m, xl_map_key(2, 3));
	TAP_CHECK(e && e->v0 == 7 && e->v1 == 8);
	TAP_CHECK(m.count == 9900 - 50 * 99);
	/* Keys of the largest domids stay distinct. */
	TAP_CHECK(xl_map_key(0x7fef, 1) != xl_map_key(1, 0x7fef));
	xl_map_free(&m);
	TAP_CHECK(m.count == 0 && !xl_map_find(&m, xl_map_key(2, 4)));
	return ok;
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ test_ratelimit, "log rate limit: burst, then a count of suppressed lines" },
		{ test_bucket, "event bucket: burst, then the rate, never more" },
		{ test_map, "entry map: 9900 entries, deletions, updates" },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
