/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When to evaluate a guest again.  Watch events only mark a guest dirty;
 * its evaluation (reading its nodes, and publishing what changed) is
 * paced:
 *
 *   - settle: the first event of a burst schedules one evaluation
 *     XL_SETTLE_MS later, and every event until then rides along, so a
 *     burst costs one evaluation and states that last less than that are
 *     never published;
 *   - reads: at most XL_EVENTS_PER_SEC evaluations a second (a token
 *     bucket with a burst of XL_EVENTS_BURST), whatever the guest writes;
 *   - changes: an evaluation that changes what the guest's peers see
 *     rewrites every peer's view, so at most XL_CHANGES_PER_SEC of those a
 *     second (burst XL_CHANGES_BURST); while that budget is spent the
 *     guest is not evaluated, and the next evaluation publishes only its
 *     state at that time.
 *
 * Nothing is ever dropped, only deferred.  Pure (time is passed in), so
 * the unit tests build it on its own.
 */
#ifndef XL_PACE_H
#define XL_PACE_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

#define XL_SETTLE_MS		50
#define XL_EVENTS_PER_SEC	10
#define XL_EVENTS_BURST		20
#define XL_CHANGES_PER_SEC	2
#define XL_CHANGES_BURST	4

struct xl_pace {
	bool pending;			/* an evaluation is due at due_ms */
	uint64_t due_ms;
	struct xl_bucket reads;		/* evaluations */
	struct xl_bucket changes;	/* evaluations that changed something */
};

/* pace.c APIs: */
void xl_pace_init(struct xl_pace *p, uint64_t now_ms);
void xl_pace_event(struct xl_pace *p, uint64_t now_ms);
bool xl_pace_ready(struct xl_pace *p, uint64_t now_ms, uint64_t *wake_ms);
void xl_pace_done(struct xl_pace *p, uint64_t now_ms, bool changed);

#endif /* XL_PACE_H */
