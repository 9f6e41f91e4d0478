// SPDX-License-Identifier: GPL-2.0
/*
 * PLACEHOLDER data path, to be replaced by the real one (issue 6) when the
 * branches merge; delete this file then.  It implements the data-path side
 * of chan.h just enough for the control plane to connect channels and be
 * tested alone: it moves no packets, takes every event as spurious and
 * offers no feature bits.
 */
#include "chan.h"

u32 xl_dp_features(void)
{
	return 0;
}

int xl_dp_chan_up(struct xl_chan *ch)
{
	return 0;
}

void xl_dp_chan_event(struct xl_chan *ch)
{
	/* Nothing is ever queued, so there is nothing to drain. */
	xl_chan_eoi(ch, true);
}

void xl_dp_chan_down(struct xl_chan *ch)
{
}

int xl_dp_init(void)
{
	return 0;
}

void xl_dp_exit(void)
{
}
