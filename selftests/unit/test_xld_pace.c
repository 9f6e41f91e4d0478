// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for how xenloopd coalesces one guest's changes: the pacing of
 * its evaluations (discovery/pace.c: settle delay, read budget, change
 * budget) and the entry records that decide which nodes of a peer entry
 * are rewritten (discovery/entry.c).
 */
#include <stdint.h>
#include <string.h>

#include "entry.h"
#include "pace.h"
#include "tap.h"

/*
 * Drive one guest like xl_domains_process() does: at every millisecond
 * from t0 to t1, events arrive every `every` ms (0: none), and a due
 * evaluation runs; it "changes" the view if always_changes.
 * Returns the number of evaluations, *nchanged those that changed.
 */
static unsigned int drive(struct xl_pace *p, uint64_t t0, uint64_t t1,
			  unsigned int every, bool always_changes,
			  unsigned int *nchanged)
{
	unsigned int evals = 0;
	uint64_t t;

	*nchanged = 0;
	for (t = t0; t < t1; t++) {
		uint64_t wake = UINT64_MAX;

		if (every && (t - t0) % every == 0)
			xl_pace_event(p, t);
		if (xl_pace_ready(p, t, &wake)) {
			evals++;
			*nchanged += always_changes;
			xl_pace_done(p, t, always_changes);
		}
	}
	return evals;
}

static bool test_new_guest_at_once(void)
{
	struct xl_pace p;
	uint64_t wake = UINT64_MAX;
	bool ok = true;

	/* A domain just found is evaluated without any settle delay. */
	xl_pace_init(&p, 1000);
	TAP_CHECK(xl_pace_ready(&p, 1000, &wake));
	xl_pace_done(&p, 1000, true);
	/* Nothing pending: never ready, and no wake-up asked for. */
	TAP_CHECK(!xl_pace_ready(&p, 5000, &wake) && wake == UINT64_MAX);
	return ok;
}

static bool test_settle(void)
{
	struct xl_pace p;
	uint64_t wake = UINT64_MAX;
	bool ok = true;

	xl_pace_init(&p, 0);
	xl_pace_done(&p, 0, false);
	/* First event at 100: due at 100 + settle, whatever follows. */
	xl_pace_event(&p, 100);
	TAP_CHECK(!xl_pace_ready(&p, 100, &wake));
	TAP_CHECK(wake == 100 + XL_SETTLE_MS);
	xl_pace_event(&p, 120);
	xl_pace_event(&p, 100 + XL_SETTLE_MS - 1);
	wake = UINT64_MAX;
	TAP_CHECK(!xl_pace_ready(&p, 100 + XL_SETTLE_MS - 1, &wake));
	TAP_CHECK(wake == 100 + XL_SETTLE_MS);
	/* Later events do not postpone it: a flood cannot starve it. */
	TAP_CHECK(xl_pace_ready(&p, 100 + XL_SETTLE_MS, &wake));
	xl_pace_done(&p, 100 + XL_SETTLE_MS, false);
	/* The next event starts a new settle period. */
	xl_pace_event(&p, 1000);
	wake = UINT64_MAX;
	TAP_CHECK(!xl_pace_ready(&p, 1000, &wake) &&
		  wake == 1000 + XL_SETTLE_MS);
	/* wake only ever moves earlier. */
	wake = 10;
	TAP_CHECK(!xl_pace_ready(&p, 1000, &wake) && wake == 10);
	return ok;
}

static bool test_flood_without_changes(void)
{
	struct xl_pace p;
	unsigned int evals, changed;
	bool ok = true;

	/*
	 * A guest writing garbage every millisecond for 10 s: one evaluation
	 * per settle period at most, and the read budget on top.
	 */
	xl_pace_init(&p, 0);
	xl_pace_done(&p, 0, false);
	evals = drive(&p, 1, 10001, 1, false, &changed);
	TAP_CHECK(changed == 0);
	TAP_CHECK(evals <= 10000 / XL_SETTLE_MS);
	TAP_CHECK(evals <= XL_EVENTS_BURST + 10 * XL_EVENTS_PER_SEC);
	/* Not starved either: the budget is used. */
	TAP_CHECK(evals >= 10 * XL_EVENTS_PER_SEC);
	tap_diag("10 s of events every ms: %u evaluations", evals);
	return ok;
}

static bool test_flapping(void)
{
	struct xl_pace p;
	unsigned int evals, changed;
	bool ok = true;

	/*
	 * A guest flipping its participation every 10 ms for 10 s: every
	 * evaluation changes its peers' views, so the change budget bounds
	 * them: the burst, then the rate.
	 */
	xl_pace_init(&p, 0);
	xl_pace_done(&p, 0, false);
	evals = drive(&p, 1, 10001, 10, true, &changed);
	TAP_CHECK(changed == evals);
	TAP_CHECK(changed <= XL_CHANGES_BURST + 10 * XL_CHANGES_PER_SEC);
	TAP_CHECK(changed >= 10 * XL_CHANGES_PER_SEC);
	tap_diag("10 s of flips every 10 ms: %u published changes", changed);
	/* One second of flips: at most the burst plus one second's rate. */
	xl_pace_init(&p, 100000);
	xl_pace_done(&p, 100000, false);
	evals = drive(&p, 100001, 101001, 10, true, &changed);
	TAP_CHECK(changed <= XL_CHANGES_BURST + XL_CHANGES_PER_SEC);
	return ok;
}

static bool test_change_budget_defers(void)
{
	struct xl_pace p;
	uint64_t t = 0, wake;
	unsigned int i;
	bool ok = true;

	xl_pace_init(&p, 0);
	xl_pace_done(&p, 0, false);
	/* Spend the change budget. */
	for (i = 0; i < XL_CHANGES_BURST; i++) {
		xl_pace_event(&p, t);
		t += XL_SETTLE_MS;
		wake = UINT64_MAX;
		TAP_CHECK(xl_pace_ready(&p, t, &wake));
		xl_pace_done(&p, t, true);
	}
	/* The next event waits for a change token, not just the settle. */
	xl_pace_event(&p, t);
	wake = UINT64_MAX;
	TAP_CHECK(!xl_pace_ready(&p, t + XL_SETTLE_MS, &wake));
	TAP_CHECK(wake > t + XL_SETTLE_MS &&
		  wake <= t + 1000 / XL_CHANGES_PER_SEC);
	/* Deferred, not dropped: it runs when the token is there. */
	TAP_CHECK(xl_pace_ready(&p, wake, &wake));
	xl_pace_done(&p, wake, false);
	/* An evaluation that changed nothing left the token. */
	xl_pace_event(&p, wake);
	t = wake + XL_SETTLE_MS;
	wake = UINT64_MAX;
	TAP_CHECK(xl_pace_ready(&p, t, &wake));
	return ok;
}

#define VIF0	"0,00:16:3e:55:00:01,84c7a5e2f01d3b96"
#define VIF1	"1,00:16:3e:56:00:01,0badc0ffee0ddf00"
#define VIF2	"2,00:16:3e:57:00:01,84c7a5e2f01d3b96"

static void rec(struct xl_record *r, unsigned int v, uint32_t f, uint64_t g,
		const char *vifs)
{
	memset(r, 0, sizeof(*r));
	r->version = v;
	r->features = f;
	r->pgen = g;
	strcpy(r->vifs, vifs);
}

static bool test_record(void)
{
	struct xl_record a, b;
	bool ok = true;

	rec(&a, 1, 0, 42, VIF0 " " VIF1);
	b = a;
	TAP_CHECK(xl_record_diff(&a, &b) == 0);
	TAP_CHECK(xl_record_hash(&a) == xl_record_hash(&b));
	/* The hash is the one of the strings as published. */
	TAP_CHECK(xl_record_hash(&a) ==
		  xl_entry_hash("1", "0x00000000",
				VIF0 " " VIF1, "42",
				""));
	/* A vif added: only vifs. */
	rec(&b, 1, 0, 42, VIF0 " " VIF1 " " VIF2);
	TAP_CHECK(xl_record_diff(&a, &b) == XL_ENT_VIFS);
	TAP_CHECK(xl_record_hash(&a) != xl_record_hash(&b));
	/* Each field on its own. */
	rec(&b, 2, 0, 42, a.vifs);
	TAP_CHECK(xl_record_diff(&a, &b) == XL_ENT_VERSION);
	rec(&b, 1, 1, 42, a.vifs);
	TAP_CHECK(xl_record_diff(&a, &b) == XL_ENT_FEATURES);
	rec(&b, 1, 0, 43, a.vifs);
	TAP_CHECK(xl_record_diff(&a, &b) == XL_ENT_GENERATION);
	rec(&b, 2, 3, 44, "");
	TAP_CHECK(xl_record_diff(&a, &b) ==
		  (XL_ENT_VIFS | XL_ENT_VERSION | XL_ENT_FEATURES |
		   XL_ENT_GENERATION));
	/* The pair path never differs between two records of one peer. */
	TAP_CHECK(!(xl_record_diff(&a, &b) & XL_ENT_PAIR));
	/* 0 means "unknown": no record hashes to it. */
	rec(&b, 0, 0, 0, "");
	TAP_CHECK(xl_record_hash(&b) != 0);
	return ok;
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ test_new_guest_at_once, "pace: a new guest is evaluated at once" },
		{ test_settle, "pace: one evaluation per burst, not postponed" },
		{ test_flood_without_changes, "pace: a flood is bounded by settle and reads" },
		{ test_flapping, "pace: a flapping guest is bounded by the change budget" },
		{ test_change_budget_defers, "pace: a spent change budget defers, never drops" },
		{ test_record, "entry: only the nodes that differ are rewritten" },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
