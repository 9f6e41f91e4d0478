// SPDX-License-Identifier: GPL-2.0
/*
 * Send: copy a packet the hook took into the channel's FIFO as one record
 * (linear part, frags and frag list; a GSO super-packet whole, with its
 * GSO type and size), with its checksum state as metadata, and publish.
 * The peer is notified only when it asked (event index).
 *
 * When the FIFO is full the packet waits in a per-queue backlog bounded
 * in packets and bytes; while the backlog is not empty every new packet
 * for the peer queues behind it, so one flow is never reordered, and a
 * full backlog drops.  Queued skbs stay charged to their sockets, which
 * is the backpressure: TCP small queues and the UDP send buffer stop the
 * senders.  The peer's "space freed" event schedules the queue's NAPI
 * poll, which drains the backlog (xl_xmit_poll()).  A channel has one or
 * more queues; each flow keeps to one of them (by its hash).
 *
 * Completion: a copied skb is not freed at once but kept until the peer
 * has consumed its record, as a NIC driver keeps it until TX completion.
 * Until then it stays charged to its socket, so TCP small queues see the
 * packet in flight and autocorking coalesces the next small writes into
 * one skb, and a UDP sender's buffer fills at the pace the peer reads.
 * The peer's consumer index says what is done; transmit and the poll
 * reap, and an event armed at the newest kept record (the same "space"
 * event index) wakes the poll when nothing else would.
 */
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <net/ip.h>

#include "chan.h"
#include "dp.h"

/* What the record header will say, kept in skb->cb while queued. */
struct xl_tx_cb {
	u8 l3;
	u8 csum;
	u8 gso_type;
	u8 csum_offset;
	u16 gso_size;
	u16 csum_start;
	u8 src_vif, dst_vif;
	u8 mac[ETH_ALEN];		/* next hop, for the hand-back */
};

static inline struct xl_tx_cb *xl_tx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct xl_tx_cb) > sizeof(skb->cb));
	return (struct xl_tx_cb *)skb->cb;
}

/* GSO bits that the record can carry, or that carry no meaning for it. */
#define XL_GSO_CARRIED	(SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | SKB_GSO_UDP_L4 | \
			 SKB_GSO_DODGY | SKB_GSO_TCP_ECN | SKB_GSO_TCP_FIXEDID)

/*
 * Fill @cb from @skb, or return false: the channel cannot carry it and
 * netfront must.  May compute a checksum the peer cannot complete.
 */
static bool xl_tx_meta(const struct xl_queue *q, struct sk_buff *skb,
		       struct xl_tx_cb *cb)
{
	u32 feat = q->tx.features;
	u16 proto = ntohs(skb->protocol);

	if (proto != ETH_P_IP && proto != ETH_P_IPV6)
		return false;
	if (!skb->len || skb->len > q->tx.max_payload)
		return false;
	memset(cb, 0, sizeof(*cb));
	cb->l3 = proto == ETH_P_IP ? XL_L3_IPV4 : XL_L3_IPV6;

	if (skb_is_gso(skb)) {
		unsigned int t = skb_shinfo(skb)->gso_type;

		if (t & ~XL_GSO_CARRIED)
			return false;
		if ((t & SKB_GSO_TCPV4) && proto == ETH_P_IP &&
		    (feat & XL_FEAT_GSO_TCPV4))
			cb->gso_type = XL_GSO_TCPV4;
		else if ((t & SKB_GSO_TCPV6) && proto == ETH_P_IPV6 &&
			 (feat & XL_FEAT_GSO_TCPV6))
			cb->gso_type = XL_GSO_TCPV6;
		else if ((t & SKB_GSO_UDP_L4) && (feat & XL_FEAT_GSO_UDP_L4))
			cb->gso_type = XL_GSO_UDP_L4;
		else
			return false;
		/* A GSO record must leave the checksums to the receiver. */
		if (skb->ip_summed != CHECKSUM_PARTIAL ||
		    !(feat & XL_FEAT_CSUM_PARTIAL) ||
		    skb_shinfo(skb)->gso_size >= skb->len)
			return false;
		cb->gso_size = skb_shinfo(skb)->gso_size;
	}

	switch (skb->ip_summed) {
	case CHECKSUM_PARTIAL:
		/*
		 * SCTP's CRC32c, and the inner checksum of a tunnel: the
		 * receiver locates the checksum to complete from the outer
		 * headers and would not find this one.
		 */
		if (skb->csum_not_inet || skb->encapsulation)
			return false;
		if (feat & XL_FEAT_CSUM_PARTIAL) {
			int start = skb_checksum_start_offset(skb);

			if (start < 0 || start + skb->csum_offset + 2 > skb->len ||
			    skb->csum_offset > U8_MAX)
				return false;
			cb->csum = XL_CSUM_PARTIAL;
			cb->csum_start = start;
			cb->csum_offset = skb->csum_offset;
			break;
		}
		/* The peer cannot complete it: our stack does, so it is good. */
		if (skb_checksum_help(skb))
			return false;
		cb->csum = XL_CSUM_UNNECESSARY;
		break;
	case CHECKSUM_UNNECESSARY:
		cb->csum = XL_CSUM_UNNECESSARY;
		break;
	default:
		/*
		 * NONE (computed in software, or forwarded and never checked)
		 * and COMPLETE: nothing verified the L4 checksum on our side,
		 * so the receiver must (as veth does since it stopped
		 * upgrading NONE to UNNECESSARY).
		 */
		cb->csum = XL_CSUM_NONE;
		break;
	}
	return true;
}

/*
 * Packet sockets on the sending device (tcpdump on eth0) see what
 * netfront would have sent: the frame with its Ethernet header.  Only
 * when someone listens.
 */
static void xl_tx_tap(struct sk_buff *skb, const u8 *mac)
{
	struct net_device *dev = skb->dev;

	if (likely(!dev || !dev_nit_active(dev)))
		return;
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dev)) ||
	    dev_hard_header(skb, dev, ntohs(skb->protocol), mac, NULL,
			    skb->len) < 0)
		return;
	rcu_read_lock();
	dev_queue_xmit_nit(skb, dev);
	rcu_read_unlock();
	__skb_pull(skb, dev->hard_header_len);
}

/*
 * What a channel lets its peer owe it, as a NIC's byte queue limit: past
 * it, packets wait in the backlog as the skbs they are, still charged to
 * their sockets, so TCP small queues hold each flow back instead of the
 * whole data area (megabytes) filling up behind a slower receiver, which
 * would inflate every flow's round trip, window and buffers.
 */
static unsigned int xl_tx_queue_kib = 512;
module_param_named(tx_queue_kib, xl_tx_queue_kib, uint, 0644);
MODULE_PARM_DESC(tx_queue_kib, "Unconsumed KiB a channel lets its data area hold (default 512; at least the largest record, at most the area)");

/* Copy one skb into the FIFO as a committed (not yet published) record. */
static int xl_tx_copy(struct xl_dp_queue *dq, struct sk_buff *skb,
		      const struct xl_tx_cb *cb)
{
	struct xl_queue *q = dq->q;
	struct xl_fifo_rec rec = {
		.len = skb->len,
		.l3 = cb->l3,
		.csum = cb->csum,
		.gso_type = cb->gso_type,
		.gso_size = cb->gso_size,
		.csum_start = cb->csum_start,
		.csum_offset = cb->csum_offset,
		.src_vif = cb->src_vif,
		.dst_vif = cb->dst_vif,
	};
	void *p;
	int err = 0;

	xl_fifo_tx_set_limit(&q->tx, min(READ_ONCE(xl_tx_queue_kib), 1u << 16) << 10);
	p = xl_fifo_reserve(&q->tx, skb->len, &err);
	if (!p)
		return err;
	if (WARN_ON_ONCE(skb_copy_bits(skb, 0, p, skb->len)))
		return -EMSGSIZE;
	xl_fifo_commit(&q->tx, &rec);
	/* Where a NIC driver hands the frame to the hardware. */
	skb_tx_timestamp(skb);
	xl_tx_tap(skb, cb->mac);

	u64_stats_update_begin(&dq->tx.syncp);
	u64_stats_inc(&dq->tx.v[XL_STAT_TX_PACKETS]);
	u64_stats_add(&dq->tx.v[XL_STAT_TX_BYTES], skb->len);
	if (cb->gso_type)
		u64_stats_inc(&dq->tx.v[XL_STAT_TX_GSO]);
	u64_stats_update_end(&dq->tx.syncp);
	return 0;
}

/* ---- completion ---- */

/* A kept skb's stamp in skb->cb. */
struct xl_tx_kept {
	u32 end;		/* the index its record ends at */
	bool acked;		/* a TCP super-packet: the peer will answer */
};

static inline struct xl_tx_kept *xl_tx_kept(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct xl_tx_kept) > sizeof(skb->cb));
	return (struct xl_tx_kept *)skb->cb;
}

/*
 * Backstop: the poll reaps this long after the newest record was kept
 * if no event came (a peer that consumes but never notifies).
 */
#define XL_TX_REAP_MS		10

/*
 * Off by default, by measurement: in the lab (full emulation, where an
 * event costs far more than on hardware) the completion events cost TCP
 * a quarter of its throughput at 64 B and 64 KiB (Documentation/
 * data-path.md).  Changing it affects packets sent from then on.
 */
static bool xl_tx_completion;
module_param_named(tx_completion, xl_tx_completion, bool, 0644);
MODULE_PARM_DESC(tx_completion, "Keep each sent packet charged to its socket until the peer consumed it, as a NIC until TX completion (default off)");

/*
 * @skb's record is committed: keep the skb until the peer consumes it.
 * It keeps its socket charge and its pages; its route, conntrack entry
 * and extensions are dropped, since they would pin a device or a
 * namespace for as long as the peer does not read.  Beyond
 * XL_TX_SENT_PKTS the oldest completes at once.  Under q->tx_lock.
 */
static void xl_tx_keep(struct xl_dp_queue *dq, struct sk_buff *skb,
		       struct sk_buff_head *done)
{
	bool acked;

	if (!READ_ONCE(xl_tx_completion)) {
		__skb_queue_tail(done, skb);
		return;
	}
	acked = skb_is_gso(skb) && (skb_shinfo(skb)->gso_type &
				    (SKB_GSO_TCPV4 | SKB_GSO_TCPV6));
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_ext_reset(skb);
	skb->dev = NULL;
	xl_tx_kept(skb)->end = dq->q->tx.prod;
	xl_tx_kept(skb)->acked = acked;
	__skb_queue_tail(&dq->sent, skb);
	if (skb_queue_len(&dq->sent) > XL_TX_SENT_PKTS)
		__skb_queue_tail(done, __skb_dequeue(&dq->sent));
}

/*
 * Move the kept skbs whose records the peer has consumed to @done, then
 * ask to hear when it has consumed the newest, with the timer as a
 * backstop.  Not when the newest is a TCP super-packet: the peer's ACKs
 * for it come back through the channel and schedule the poll that reaps
 * anyway, and a completion event per window of large writes cost a
 * quarter of their throughput in the lab.  Under q->tx_lock, after
 * publishing.  A broken FIFO keeps them: teardown frees them.
 */
static void xl_tx_reap(struct xl_dp_queue *dq, struct sk_buff_head *done)
{
	struct xl_fifo_tx *tx = &dq->q->tx;
	struct sk_buff *skb;
	unsigned int round, n = 0;
	u32 cons;

	/* A second round only when the peer consumed while we armed. */
	for (round = 0; round < 2 && !skb_queue_empty(&dq->sent); round++) {
		if (xl_fifo_tx_consumed(tx, &cons))
			return;
		while ((skb = skb_peek(&dq->sent)) &&
		       (s32)(cons - xl_tx_kept(skb)->end) >= 0) {
			__skb_queue_tail(done, __skb_dequeue(&dq->sent));
			n++;
		}
		skb = skb_peek_tail(&dq->sent);
		if (!skb || xl_tx_kept(skb)->acked)
			break;
		/* Consumed meanwhile: reap again, no event will come. */
		if (xl_fifo_tx_wait_consumed(tx, xl_tx_kept(skb)->end))
			continue;
		break;
	}
	if (n)
		xl_stat_add(&dq->tx, XL_STAT_TX_COMPLETED, n);
	if (!skb_queue_empty(&dq->sent) && !timer_pending(&dq->reap_timer))
		mod_timer(&dq->reap_timer, jiffies + msecs_to_jiffies(XL_TX_REAP_MS));
}

static void xl_tx_reap_timer(struct timer_list *t)
{
	struct xl_dp_queue *dq = from_timer(dq, t, reap_timer);

	napi_schedule(&dq->napi);
}

/* Completed: consumed by the peer (or handed over at teardown). */
static void xl_tx_free(struct sk_buff_head *done, bool napi)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(done))) {
		if (napi)
			napi_consume_skb(skb, 1);
		else
			consume_skb(skb);
	}
}

static void xl_tx_set_broken(struct xl_dp_queue *dq)
{
	if (!READ_ONCE(dq->dp->stopped)) {
		WRITE_ONCE(dq->dp->stopped, true);
		xl_stat_add(&dq->tx, XL_STAT_TX_ERRORS, 1);
		xl_chan_broken(dq->dp->ch, xl_fifo_err_str(dq->q->tx.err));
	}
}

/*
 * The control plane closed our direction (planned teardown, draining):
 * no record may follow.  It closes each queue under its tx_lock, which
 * the caller holds, before it says TX_CLOSED to the peer.
 */
static bool xl_tx_closed(const struct xl_queue *q)
{
	return q->tx_closed;
}

/*
 * Under q->tx_lock (the tx counters have one writer at a time), after
 * publishing: whether to notify the peer now.  A packet our own NAPI
 * poll's delivery raised on this CPU (an ACK, a response), or its
 * drain of the backlog, leaves the notification to the end of that
 * poll, xl_xmit_poll_end(): one event for every such packet and for
 * the space the poll freed, on the port both share.
 */
static bool xl_tx_kick(struct xl_dp_queue *dq, bool kick)
{
	if (!kick)
		return false;
	if (READ_ONCE(dq->poll_cpu) == smp_processor_id()) {
		WRITE_ONCE(dq->tx_kick_deferred, true);
		return false;
	}
	xl_stat_add(&dq->tx, XL_STAT_TX_KICKS, 1);
	return true;
}

/*
 * Move the backlog into the FIFO, in order, until it is empty or the
 * FIFO is full; then ask for a space event.  Sent skbs are kept until
 * consumed (@done gets those to free after the lock).  Under
 * q->tx_lock.  Returns true when the peer asked for a data notification.
 */
static bool xl_tx_drain(struct xl_dp_queue *dq, struct sk_buff_head *done)
{
	struct xl_queue *q = dq->q;
	struct sk_buff *skb;
	bool kick = false;
	int err, retry = 0;

	lockdep_assert_held(&q->tx_lock);
	dq->tx_waiting = false;
	if (xl_tx_closed(q))
		return false;	/* handed to netfront by xl_xmit_flush() */
	while ((skb = skb_peek(&dq->backlog))) {
		err = xl_tx_copy(dq, skb, xl_tx_cb(skb));
		if (!err) {
			__skb_unlink(skb, &dq->backlog);
			dq->backlog_bytes -= skb->len;
			xl_tx_keep(dq, skb, done);
			retry = 0;
			continue;
		}
		if (err == -ENOSPC) {
			/* The peer can only free what it has seen. */
			kick |= xl_fifo_tx_publish(&q->tx);
			/* At most a pad then the record: two rounds. */
			if (xl_fifo_tx_wait_space(&q->tx, skb->len) &&
			    ++retry < 3)
				continue;
			dq->tx_waiting = true;
			break;
		}
		if (err == -EPIPE) {
			/* Stays queued: handed to netfront at teardown. */
			xl_tx_set_broken(dq);
			break;
		}
		/* Cannot happen (checked before queueing): drop it. */
		__skb_unlink(skb, &dq->backlog);
		dq->backlog_bytes -= skb->len;
		xl_stat_add(&dq->tx, XL_STAT_TX_DROPPED, 1);
		kfree_skb(skb);
	}
	kick |= xl_fifo_tx_publish(&q->tx);
	return kick;
}

/*
 * From the hook, under RCU with BH disabled.  Returns NF_STOLEN when the
 * packet was sent, queued or dropped, NF_ACCEPT to leave it to netfront.
 */
unsigned int xl_xmit(struct xl_chan *ch, struct sk_buff *skb, const u8 *mac,
		     u8 src_vif, u8 dst_vif)
{
	struct xl_dp_chan *dp = READ_ONCE(ch->dp);
	struct sk_buff_head done;
	struct xl_dp_queue *dq;
	struct xl_queue *q;
	struct xl_tx_cb cb;
	bool kick = false;
	int err;

	if (unlikely(!dp || READ_ONCE(dp->stopped)))
		return NF_ACCEPT;
	/*
	 * A flow keeps to one queue, so it is never reordered: its hash
	 * picks it (a TCP socket's, unless TCP changes it after a timeout,
	 * when reordering in flight costs nothing more).
	 */
	dq = &dp->q[dp->nq > 1 ? reciprocal_scale(skb_get_hash(skb), dp->nq) : 0];
	q = dq->q;
	if (!xl_tx_meta(q, skb, &cb))
		return NF_ACCEPT;
	memcpy(cb.mac, mac, ETH_ALEN);
	cb.src_vif = src_vif;
	cb.dst_vif = dst_vif;

	__skb_queue_head_init(&done);
	spin_lock(&q->tx_lock);
	if (unlikely(READ_ONCE(dq->dp->stopped) || xl_tx_closed(q))) {
		spin_unlock(&q->tx_lock);
		return NF_ACCEPT;
	}
	if (likely(skb_queue_empty(&dq->backlog))) {
		err = xl_tx_copy(dq, skb, &cb);
		if (likely(!err)) {
			kick = xl_tx_kick(dq, xl_fifo_tx_publish(&q->tx));
			xl_tx_keep(dq, skb, &done);
			xl_tx_reap(dq, &done);
			spin_unlock(&q->tx_lock);
			if (kick)
				xl_queue_notify(q);
			xl_tx_free(&done, false);
			return NF_STOLEN;
		}
		if (err != -ENOSPC) {
			/* Broken: this and later packets go through netfront. */
			if (err == -EPIPE)
				xl_tx_set_broken(dq);
			spin_unlock(&q->tx_lock);
			return NF_ACCEPT;
		}
	}

	/*
	 * A queued packet outlives the hook's RCU section: it must hold its
	 * route, which the hand-back at teardown still uses and which a
	 * peer can make obsolete (an ICMP "fragmentation needed").  Its
	 * device is covered by xl_xmit_purge() at unregister.
	 */
	if (skb_queue_len(&dq->backlog) >= XL_TX_BACKLOG_PKTS ||
	    dq->backlog_bytes + skb->len > XL_TX_BACKLOG_BYTES ||
	    !skb_dst_force(skb)) {
		xl_stat_add(&dq->tx, XL_STAT_TX_DROPPED, 1);
		spin_unlock(&q->tx_lock);
		kfree_skb(skb);
		return NF_STOLEN;
	}
	/*
	 * Only now is skb->cb ours: a packet we hand back with NF_ACCEPT
	 * still needs the IP layer's control block.
	 */
	*xl_tx_cb(skb) = cb;
	__skb_queue_tail(&dq->backlog, skb);
	dq->backlog_bytes += skb->len;
	xl_stat_add(&dq->tx, XL_STAT_TX_QUEUED, 1);
	/* Unless a space event is already on its way, try now or ask. */
	if (!dq->tx_waiting)
		kick = xl_tx_kick(dq, xl_tx_drain(dq, &done));
	xl_tx_reap(dq, &done);
	spin_unlock(&q->tx_lock);
	if (kick)
		xl_queue_notify(q);
	xl_tx_free(&done, false);
	return NF_STOLEN;
}

/*
 * From the NAPI poll: a space or completion event may have come; drain
 * the backlog and reap what the peer consumed.  Returns true if it moved
 * or completed packets.
 */
bool xl_xmit_poll(struct xl_dp_queue *dq)
{
	struct xl_queue *q = dq->q;
	struct sk_buff_head done;
	bool kick = false, moved;
	u32 queued;

	if (!READ_ONCE(dq->tx_waiting) && skb_queue_empty_lockless(&dq->sent))
		return false;
	__skb_queue_head_init(&done);
	spin_lock(&q->tx_lock);
	queued = skb_queue_len(&dq->backlog);
	if (!READ_ONCE(dq->dp->stopped)) {
		if (dq->tx_waiting)
			kick = xl_tx_kick(dq, xl_tx_drain(dq, &done));
		xl_tx_reap(dq, &done);
	}
	moved = skb_queue_len(&dq->backlog) != queued ||
		!skb_queue_empty(&done);
	spin_unlock(&q->tx_lock);
	if (kick)
		xl_queue_notify(q);
	xl_tx_free(&done, true);
	return moved;
}

/*
 * The NAPI poll of @dq ends: nothing is deferred any more.  Returns true
 * when a data notification was left to it, which the caller sends (with
 * the one for freed space, if owed: the peer's poll looks at both).
 */
bool xl_xmit_poll_end(struct xl_dp_queue *dq)
{
	struct xl_queue *q = dq->q;
	bool kick;

	WRITE_ONCE(dq->poll_cpu, -1);
	/*
	 * Only packets sent on this CPU during this poll deferred, and they
	 * came before this in program order: no lock when none did.  A
	 * deferral by a poll running elsewhere is that poll's to send.
	 */
	if (!READ_ONCE(dq->tx_kick_deferred))
		return false;
	spin_lock(&q->tx_lock);
	kick = dq->tx_kick_deferred;
	WRITE_ONCE(dq->tx_kick_deferred, false);
	if (kick)
		xl_stat_add(&dq->tx, XL_STAT_TX_KICKS, 1);
	spin_unlock(&q->tx_lock);
	return kick;
}

/*
 * @dev is being unregistered (RTNL held): drop what waits for it in the
 * backlog, which would otherwise keep a pointer to a freed device in
 * skb->dev (the tap and the hand-back use it).
 */
void xl_xmit_purge(struct xl_dp_queue *dq, const struct net_device *dev)
{
	struct sk_buff *skb, *tmp;
	struct sk_buff_head gone;

	__skb_queue_head_init(&gone);
	spin_lock_bh(&dq->q->tx_lock);
	skb_queue_walk_safe(&dq->backlog, skb, tmp) {
		if (skb->dev != dev)
			continue;
		__skb_unlink(skb, &dq->backlog);
		dq->backlog_bytes -= skb->len;
		__skb_queue_tail(&gone, skb);
	}
	if (!skb_queue_empty(&gone))
		xl_stat_add(&dq->tx, XL_STAT_TX_DROPPED, skb_queue_len(&gone));
	spin_unlock_bh(&dq->q->tx_lock);
	__skb_queue_purge(&gone);
}

void xl_xmit_init(struct xl_dp_queue *dq)
{
	__skb_queue_head_init(&dq->backlog);
	__skb_queue_head_init(&dq->sent);
	timer_setup(&dq->reap_timer, xl_tx_reap_timer, 0);
	dq->poll_cpu = -1;
}

/*
 * Teardown, process context, after the hook can no longer reach @dq:
 * hand what is still queued to netfront, which reaches the same peer
 * through dom0.  The packets already passed every netfilter hook; they
 * only need their Ethernet header, as neigh_output() would have built.
 */
void xl_xmit_flush(struct xl_dp_queue *dq)
{
	struct xl_queue *q = dq->q;
	struct sk_buff_head back, sent;
	struct sk_buff *skb;

	__skb_queue_head_init(&back);
	__skb_queue_head_init(&sent);
	spin_lock_bh(&q->tx_lock);
	WRITE_ONCE(dq->dp->stopped, true);
	skb_queue_splice_init(&dq->backlog, &back);
	dq->backlog_bytes = 0;
	dq->tx_waiting = false;
	/* Written into the FIFO: whether the peer read them or not, done. */
	skb_queue_splice_init(&dq->sent, &sent);
	spin_unlock_bh(&q->tx_lock);
	/* The poll is disabled: nothing re-arms the timer now. */
	timer_delete_sync(&dq->reap_timer);
	xl_tx_free(&sent, false);

	while ((skb = __skb_dequeue(&back))) {
		struct net_device *dev = skb_dst(skb) ? skb_dst(skb)->dev : NULL;
		const struct xl_tx_cb *cb = xl_tx_cb(skb);
		u8 mac[ETH_ALEN];

		memcpy(mac, cb->mac, ETH_ALEN);
		if (!dev || !xl_is_netfront(dev) || !netif_running(dev) ||
		    skb_cow_head(skb, LL_RESERVED_SPACE(dev))) {
			xl_stat_add(&dq->tx, XL_STAT_TX_DROPPED, 1);
			kfree_skb(skb);
			continue;
		}
		skb->dev = dev;
		if (dev_hard_header(skb, dev, ntohs(skb->protocol), mac, NULL,
				    skb->len) < 0) {
			xl_stat_add(&dq->tx, XL_STAT_TX_DROPPED, 1);
			kfree_skb(skb);
			continue;
		}
		xl_stat_add(&dq->tx, XL_STAT_TX_HANDBACK, 1);
		dev_queue_xmit(skb);
	}
}
