// SPDX-License-Identifier: GPL-2.0
/*
 * Pacing a guest's evaluations (see pace.h).
 */
#include "pace.h"

/* A new guest is evaluated at once: its first publication is not delayed. */
void xl_pace_init(struct xl_pace *p, uint64_t now_ms)
{
	p->pending = true;
	p->due_ms = now_ms;
	xl_bucket_init(&p->reads, XL_EVENTS_PER_SEC, XL_EVENTS_BURST, now_ms);
	xl_bucket_init(&p->changes, XL_CHANGES_PER_SEC, XL_CHANGES_BURST,
		       now_ms);
}

/* An event: the first one of a burst starts the settle delay. */
void xl_pace_event(struct xl_pace *p, uint64_t now_ms)
{
	if (p->pending)
		return;
	p->pending = true;
	p->due_ms = now_ms + XL_SETTLE_MS;
}

/*
 * May the guest be evaluated now?  If so, one read token is taken.  If
 * not, *wake_ms (absolute) is lowered to when to ask again.  A change
 * token is only checked here and taken by xl_pace_done(): an evaluation
 * that changes nothing costs no change.
 */
bool xl_pace_ready(struct xl_pace *p, uint64_t now_ms, uint64_t *wake_ms)
{
	uint64_t t;

	if (!p->pending)
		return false;
	if (now_ms < p->due_ms)
		t = p->due_ms;
	else if (!xl_bucket_has(&p->changes, now_ms))
		t = xl_bucket_next_ms(&p->changes);
	else if (!xl_bucket_take(&p->reads, now_ms))
		t = xl_bucket_next_ms(&p->reads);
	else
		return true;
	if (t < *wake_ms)
		*wake_ms = t;
	return false;
}

void xl_pace_done(struct xl_pace *p, uint64_t now_ms, bool changed)
{
	p->pending = false;
	if (changed)
		xl_bucket_take(&p->changes, now_ms);
}
