/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boundary between the control plane (peer table, channel setup and
 * teardown: peer.c, chan.c and friends) and the data path (netfilter
 * hook, transmit, NAPI receive, the xenloop0 device).
 *
 * The control plane owns every struct xl_peer and struct xl_chan, their
 * memory, grants, mappings and event channel.  The data path owns what
 * happens on the channel: its event (the control plane binds the event
 * channel with the data path's handler, xl_dp_irq()), the FIFOs and the
 * packets.  It uses a channel only between xl_dp_chan_up() and
 * xl_dp_chan_down(), and the control plane never unmaps anything before
 * the data path has let go of it (xl_dp_chan_down() returns only when no
 * CPU is inside the channel's FIFOs or its event handler any more).
 *
 * Calls go one way, from the control plane down, with two exceptions:
 * the data path looks peers up (xl_peer_by_mac(), xl_self_vifs()) and
 * reports a broken peer (xl_chan_broken()).
 */
#ifndef _XENLOOP_CHAN_H
#define _XENLOOP_CHAN_H

#include <linux/atomic.h>
#include <linux/if_ether.h>
#include <linux/interrupt.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <xen/events.h>
#include <xen/interface/xen.h>

#include <xenloop/protocol.h>

#include "fifo.h"

struct xl_dp_chan;	/* the data path's per-channel state (opaque here) */

/*
 * A vif as dom0's view describes it (include/xenloop/protocol.h): its
 * device id in its guest, its MAC as netback knows it, and the network
 * it is attached to.  Never taken from a peer.
 */
struct xl_vif {
	u64 net;
	u8 mac[ETH_ALEN];
	u8 devid;
};

/* A guest's vifs as published; immutable once a reader can see it. */
struct xl_vifs {
	unsigned int n;
	struct xl_vif v[XENLOOP_VIFS_MAX];
};

/* The vif with device id @devid in @vifs, or NULL. */
static inline const struct xl_vif *xl_vif_find(const struct xl_vifs *vifs,
					       unsigned int devid)
{
	unsigned int i;

	for (i = 0; i < vifs->n; i++)
		if (vifs->v[i].devid == devid)
			return &vifs->v[i];
	return NULL;
}

/*
 * One queue of a channel: a FIFO each way (its slice of each side's data
 * area, its index block in each control page) and its own event channel.
 * The control plane sets up @irq and the FIFOs; the rest is the data
 * path's.
 */
struct xl_queue {
	struct xl_chan *ch;
	unsigned int idx;		/* 0 .. ch->nq - 1 */
	unsigned int irq;		/* event channel, bound with late EOI */

	/* ---- data path ---- */
	spinlock_t tx_lock;		/* serialises producers on @tx */
	/*
	 * Set by the control plane under @tx_lock at a planned close,
	 * before XL_CTRL_TX_CLOSED: no record may follow.
	 */
	bool tx_closed;
	struct xl_fifo_tx tx;		/* our slice, towards the peer */
	struct xl_fifo_rx rx;		/* the peer's slice, towards us */
	atomic64_t events;		/* every event on the port */
	atomic64_t early_events;	/* of which with no data path */
};

/*
 * One channel with one peer.  Created and destroyed by the control plane.
 * Fields below the marker are for the data path.
 */
struct xl_chan {
	domid_t peer_domid;
	struct xl_vifs peer_vifs;	/* the peer's, from dom0's view */
	u32 features;			/* negotiated XL_FEAT_* (both FIFOs) */
	unsigned int version;		/* negotiated channel format version */
	unsigned int nq;		/* queues in use, a power of two */
	struct xl_queue q[XL_QUEUES_MAX];

	/* ---- data path ---- */
	/*
	 * Non-NULL from xl_dp_chan_up() until xl_dp_chan_down() begins:
	 * the data path is attached and the event handlers pass events to
	 * it.  Written by the control plane (xl_cp.lock); read by the event
	 * handlers and the transmit path.
	 */
	struct xl_dp_chan *dp;
};

/*
 * A peer dom0 advertised (Documentation/control-plane.md).  Readers on the
 * packet path hold rcu_read_lock() (or run in BH) and must not keep the
 * pointer beyond it.
 */
struct xl_peer {
	domid_t domid;
	struct xl_vifs vifs;		/* from dom0's view, not the peer */
	struct xl_chan __rcu *chan;	/* non-NULL only while connected */
	struct rcu_head rcu;
};

/* ---- provided by the control plane ---- */

/*
 * Packet path, under RCU: the peer that dom0 says owns vif MAC @mac, or
 * NULL; *@vif is that vif.  Its ->chan is non-NULL (rcu_dereference) only
 * while the channel is connected and the data path is up on it.
 */
struct xl_peer *xl_peer_by_mac(const u8 *mac, const struct xl_vif **vif);

/*
 * Packet path, under RCU: our own vifs as dom0's view of us lists them
 * (never NULL; empty while we are in no view).
 */
const struct xl_vifs *xl_self_vifs(void);

/*
 * The data path found the peer broken (the FIFO said BROKEN, or the peer
 * violates the protocol in some other way): tear the channel down and fall
 * back to netfront.  Callable from any context; the teardown itself runs
 * later in process context, and calls xl_dp_chan_down() first.
 */
void xl_chan_broken(struct xl_chan *ch, const char *why);

/* ---- both ---- */

/* Send the peer an event on @q (after a publish asked for it).  Any context. */
static inline void xl_queue_notify(struct xl_queue *q)
{
	notify_remote_via_irq(q->irq);
}

/* ---- provided by the data path ---- */

/*
 * A queue's event handler (hard IRQ), dev_id the struct xl_queue: the
 * control plane binds each queue's event channel with it, with late EOI,
 * as soon as the port exists, so it also runs before xl_dp_chan_up() and
 * after xl_dp_chan_down(), and EOIs such events as spurious itself.
 */
irqreturn_t xl_dp_irq(int irq, void *dev_id);

/*
 * The channel's FIFOs (ch->nq queues) are initialised and mapped and
 * their events bound: attach the data path (NAPI and so on).  Process
 * context.  On error the control plane tears the channel down.  After it
 * returns 0 the control plane publishes the channel to the packet path
 * (peer->chan).
 */
int xl_dp_chan_up(struct xl_chan *ch);

/*
 * Detach: the control plane has already cleared peer->chan and waited
 * for an RCU grace period, so no new transmit starts.  Stop passing
 * events on, stop NAPI, drop or hand back queued packets (to netfront:
 * they still reach the peer), and return when nothing touches the FIFOs
 * any more, on every queue.  Does nothing when the data path is not
 * attached.  Process
 * context; may sleep.  Also called when the peer is still fine, e.g. at
 * suspend: then the control plane drains first.
 */
void xl_dp_chan_down(struct xl_chan *ch);

/*
 * XL_FEAT_* the data path can both send and receive; the control plane
 * offers them and the channel uses what both sides offered (ch->features,
 * also in every queue's tx.features and rx.features).  Any context.
 */
u32 xl_dp_features(void);

/* Module-wide data path setup (hooks, xenloop0), from module init/exit. */
int xl_dp_init(void);
void xl_dp_exit(void);

#endif /* _XENLOOP_CHAN_H */
