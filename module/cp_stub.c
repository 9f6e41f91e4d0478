// SPDX-License-Identifier: GPL-2.0
/*
 * Placeholder for the control plane (issue 5, branch ctrlplane) so that
 * the data path builds and loads on its own: no peer is ever known, so
 * the hook leaves every packet to netfront.  Deleted when ctrlplane is
 * merged.
 */
#include "chan.h"

struct xl_peer *xl_peer_by_mac(const u8 *mac)
{
	return NULL;
}

void xl_chan_notify(struct xl_chan *ch)
{
}

void xl_chan_eoi(struct xl_chan *ch, bool spurious)
{
}

void xl_chan_broken(struct xl_chan *ch, const char *why)
{
}
