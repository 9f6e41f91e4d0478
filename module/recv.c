// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: an event schedules its queue's NAPI poll; the poll reads a
 * budget of records, copies each once into a new skb (small ones into
 * the linear part, large ones into order-0 pages behind their headers),
 * gives it the Ethernet header it would have had on the netfront device
 * it would normally have arrived on (the one of the vif the record names,
 * when dom0 says the sender's vif is on the same network; nothing the
 * peer wrote into the packet chooses the device), restores the GSO and checksum
 * state, and hands it to GRO.  Then it publishes what it consumed and,
 * once idle, EOIs the event (late EOI, spurious when the event brought
 * nothing, so that Xen throttles a peer that only kicks).
 *
 * Everything in a record is the peer's word.  fifo.c has validated the
 * framing and the header fields; here the payload is copied before it is
 * looked at, and the stack parses the copy as it parses packets from the
 * wire.  Checksums: NONE is verified by the stack; PARTIAL is passed on
 * as CHECKSUM_PARTIAL (as veth does: the bytes never crossed a wire),
 * after skb_checksum_setup() has located the L4 checksum from our copy of
 * the headers rather than from the peer's offsets; UNNECESSARY is the
 * peer's stack saying it generated or checked the checksum.
 */
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/arp.h>
#include <net/ndisc.h>
#include <net/tcp.h>

#include "chan.h"
#include "dp.h"

/* Records up to this size go into the linear part, larger ones into frags. */
#define XL_RX_COPYBREAK		3520
/* Linear head of a large record: room for IP, extension and L4 headers. */
#define XL_RX_HEAD		256

/*
 * How much of a large record stays in the linear part: its IP and TCP or
 * UDP headers, as our copy of the first XL_RX_HEAD bytes gives them, or
 * all of that copy when the headers are something else or do not fit.
 * The payload then starts on a page of its own, and every page but the
 * last is full, which TCP_ZEROCOPY_RECEIVE needs to map the data instead
 * of copying it.  Only where the record is split depends on these bytes;
 * the stack parses the headers again as it would from netfront.
 */
static u32 xl_rx_split(const u8 *p, u8 l3)
{
	u32 l3len, l4len;
	u8 proto;

	if (l3 == XL_L3_IPV4) {
		const struct iphdr *iph = (const struct iphdr *)p;

		l3len = iph->ihl * 4;
		if (l3len < sizeof(*iph) || ip_is_fragment(iph))
			return XL_RX_HEAD;
		proto = iph->protocol;
	} else {
		l3len = sizeof(struct ipv6hdr);
		proto = ((const struct ipv6hdr *)p)->nexthdr;
	}
	if (proto == IPPROTO_TCP) {
		if (l3len + sizeof(struct tcphdr) > XL_RX_HEAD)
			return XL_RX_HEAD;
		l4len = ((const struct tcphdr *)(p + l3len))->doff * 4;
		if (l4len < sizeof(struct tcphdr))
			return XL_RX_HEAD;
	} else if (proto == IPPROTO_UDP) {
		l4len = sizeof(struct udphdr);
	} else {
		return XL_RX_HEAD;
	}
	return min_t(u32, l3len + l4len, XL_RX_HEAD);
}

/*
 * Copy a record into a new skb: a small one into the linear part, a
 * large one into a linear part with its headers and order-0 pages for the
 * rest, as netfront receives (each page charged whole to truesize, so the
 * socket's receive memory accounts what the skb really pins, and no
 * higher-order allocation can fail in softirq when memory is fragmented).
 */
static struct sk_buff *xl_rx_copy(struct napi_struct *napi,
				  const struct xl_fifo_rec *rec)
{
	u32 len = rec->len, head, off;
	struct sk_buff *skb;
	int i = 0;

	head = len <= XL_RX_COPYBREAK ? len : XL_RX_HEAD;
	skb = napi_alloc_skb(napi, ETH_HLEN + head);
	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, ETH_HLEN);
	skb_put_data(skb, rec->payload, head);
	if (len == head)
		return skb;
	/*
	 * The bytes after the headers are copied again below, onto their
	 * pages; what the first copy held of them is dropped, so each byte
	 * still comes from one read of the ring.
	 */
	off = xl_rx_split(skb->data, rec->l3);
	__skb_trim(skb, off);
	for (; off < len; i++) {
		struct page *page;
		u32 n = min_t(u32, PAGE_SIZE, len - off);

		/* A 64 KiB record past its headers fits MAX_SKB_FRAGS pages. */
		if (unlikely(i >= MAX_SKB_FRAGS))
			goto drop;
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
		if (unlikely(!page))
			goto drop;
		memcpy(page_address(page), rec->payload + off, n);
		skb_add_rx_frag(skb, i, page, 0, n, PAGE_SIZE);
		off += n;
	}
	return skb;
drop:
	kfree_skb(skb);
	return NULL;
}

/*
 * Count a dropped record under its reason (rx_dropped, the total, is
 * counted by the poll) and say why, for who turned pr_debug on.
 */
static void xl_rx_drop(struct xl_dp_queue *dq, enum xl_stat why,
		       const char *what)
{
	xl_stat_add(&dq->rx, why, 1);
	net_dbg_ratelimited("peer d%u: record dropped: %s\n", dq->dp->domid, what);
}

/*
 * The device a record arrives on, or NULL: the netfront device of our vif
 * the record names, provided dom0's views say that vif and the sender's
 * vif the record names are on one network, and the device is up (a down
 * device drops what netfront would have handed it, too).  Under RCU.
 */
static struct net_device *xl_rx_dev(struct xl_dp_queue *dq,
				    const struct xl_fifo_rec *rec,
				    const struct xl_vif **src)
{
	const struct xl_vif *dst;
	const char *why;

	dst = xl_vif_find(xl_self_vifs(), rec->dst_vif);
	*src = xl_vif_find(&dq->dp->ch->peer_vifs, rec->src_vif);
	if (dst && *src && (*src)->net == dst->net) {
		struct net_device *dev = xl_nfdev_by_devid(dst->devid);

		if (!dev)
			xl_rx_drop(dq, XL_STAT_RX_NODEV, "device down or gone");
		return dev;
	}
	if (!dst)
		why = "not our vif";
	else if (!*src)
		why = "not the peer's vif";
	else
		why = "vifs on different networks";
	xl_stat_add(&dq->rx, XL_STAT_RX_WRONG_VIF, 1);
	net_info_ratelimited("peer d%u: record from its vif %u to our vif %u dropped: %s\n",
			     dq->dp->domid, rec->src_vif, rec->dst_vif, why);
	return NULL;
}

/*
 * The Ethernet header the packet would have carried: to our netfront
 * device, from the sender's vif as dom0 knows it.
 */
static void xl_rx_ether(struct sk_buff *skb, struct net_device *dev,
			const struct xl_vif *src, u16 proto)
{
	struct ethhdr *eth = skb_push(skb, ETH_HLEN);

	eth->h_proto = htons(proto);
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	ether_addr_copy(eth->h_source, src->mac);
}

/*
 * Restore a GSO record's type and size, within the limits virtio-net
 * applies to its device: no GSO_BY_FRAGS, TCP segments of at least
 * TCP_MIN_GSO_SIZE, at most UDP_MAX_SEGMENTS for UDP (a UDP_L4 record
 * with gso_size 1 would otherwise become 65,000 skbs in softirq at a
 * socket without UDP_GRO).  The peer's size is only trusted once it
 * fits what an honest stack could have built; a record too short to
 * need segmenting is delivered as one packet, as virtio-net does.
 */
static bool xl_rx_gso(struct sk_buff *skb, const struct xl_fifo_rec *rec)
{
	struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int thlen, payload;

	switch (rec->gso_type) {
	case XL_GSO_TCPV4:
		if (rec->l3 != XL_L3_IPV4)
			goto bad;
		sh->gso_type = SKB_GSO_TCPV4;
		break;
	case XL_GSO_TCPV6:
		if (rec->l3 != XL_L3_IPV6)
			goto bad;
		sh->gso_type = SKB_GSO_TCPV6;
		break;
	case XL_GSO_UDP_L4:
		sh->gso_type = SKB_GSO_UDP_L4;
		break;
	default:
		goto bad;
	}
	/* The L4 protocol must match the GSO type (found by checksum_setup). */
	if (skb->csum_offset != (sh->gso_type == SKB_GSO_UDP_L4 ?
				 offsetof(struct udphdr, check) :
				 offsetof(struct tcphdr, check)))
		goto bad;
	thlen = sh->gso_type == SKB_GSO_UDP_L4 ? sizeof(struct udphdr) :
						 sizeof(struct tcphdr);
	if (rec->gso_size == GSO_BY_FRAGS ||
	    skb_transport_offset(skb) + thlen > skb->len)
		goto bad;
	payload = skb->len - skb_transport_offset(skb) - thlen;
	if (sh->gso_type == SKB_GSO_UDP_L4 ?
	    payload > rec->gso_size * UDP_MAX_SEGMENTS :
	    rec->gso_size < TCP_MIN_GSO_SIZE)
		goto bad;
	if (payload <= rec->gso_size) {
		sh->gso_type = 0;
		return true;
	}
	sh->gso_size = rec->gso_size;
	/* As netfront: the header must be checked, gso_segs computed. */
	sh->gso_type |= SKB_GSO_DODGY;
	sh->gso_segs = 0;
	return true;
bad:
	sh->gso_type = 0;
	return false;
}

/* One validated record to the stack; false if it had to be dropped. */
static bool xl_rx_one(struct xl_dp_queue *dq, const struct xl_fifo_rec *rec)
{
	u16 proto = rec->l3 == XL_L3_IPV4 ? ETH_P_IP : ETH_P_IPV6;
	const struct xl_vif *src;
	struct net_device *dev;
	struct sk_buff *skb;
	u32 len = rec->len;

	/* Where it goes is decided before anything is copied. */
	rcu_read_lock();
	dev = xl_rx_dev(dq, rec, &src);
	if (unlikely(!dev)) {
		rcu_read_unlock();
		return false;
	}
	skb = xl_rx_copy(&dq->napi, rec);
	if (unlikely(!skb)) {
		rcu_read_unlock();
		xl_rx_drop(dq, XL_STAT_RX_NOMEM, "no memory");
		return false;
	}
	/* From here on only our copy is read. */
	skb_reset_network_header(skb);
	if (proto == ETH_P_IP ?
	    !pskb_may_pull(skb, sizeof(struct iphdr)) :
	    !pskb_may_pull(skb, sizeof(struct ipv6hdr))) {
		rcu_read_unlock();
		xl_rx_drop(dq, XL_STAT_RX_LENGTH, "shorter than its IP header");
		goto drop;
	}
	xl_rx_ether(skb, dev, src, proto);
	skb->protocol = eth_type_trans(skb, dev);
	rcu_read_unlock();
	skb_reset_network_header(skb);

	switch (rec->csum) {
	case XL_CSUM_PARTIAL:
		skb->ip_summed = CHECKSUM_PARTIAL;
		/*
		 * Our parse must find the checksum where the sender said it
		 * is; anything else is a confused or lying peer.
		 */
		if (skb_checksum_setup(skb, false) ||
		    skb_checksum_start_offset(skb) != rec->csum_start ||
		    skb->csum_offset != rec->csum_offset) {
			xl_rx_drop(dq, XL_STAT_RX_CSUM,
				   "checksum not where the peer said");
			goto drop;
		}
		break;
	case XL_CSUM_UNNECESSARY:
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		break;
	default:
		skb->ip_summed = CHECKSUM_NONE;
		break;
	}
	if (rec->gso_type != XL_GSO_NONE &&
	    (rec->csum != XL_CSUM_PARTIAL || !xl_rx_gso(skb, rec))) {
		xl_rx_drop(dq, XL_STAT_RX_BAD_GSO, "GSO outside the limits");
		goto drop;
	}

	u64_stats_update_begin(&dq->rx.syncp);
	u64_stats_inc(&dq->rx.v[XL_STAT_RX_PACKETS]);
	u64_stats_add(&dq->rx.v[XL_STAT_RX_BYTES], len);
	if (skb_is_gso(skb))
		u64_stats_inc(&dq->rx.v[XL_STAT_RX_GSO]);
	u64_stats_update_end(&dq->rx.syncp);

	napi_gro_receive(&dq->napi, skb);
	return true;
drop:
	kfree_skb(skb);
	return false;
}

/*
 * Publish what we consumed; with @arm also re-arm the data event.  A
 * notification the peer asked for (space freed, or its records
 * consumed) is owed until xl_rx_kick(): the poll sends it once the
 * packets are on their way up, not before.
 */
static bool xl_rx_publish(struct xl_dp_queue *dq, bool arm)
{
	struct xl_queue *q = dq->q;
	bool notify, more = false;

	if (arm)
		more = xl_fifo_rx_publish(&q->rx, &notify);
	else
		xl_fifo_rx_release(&q->rx, &notify);
	dq->kick_owed |= notify;
	return more && !q->rx.broken;
}

static void xl_rx_kick(struct xl_dp_queue *dq)
{
	if (!dq->kick_owed)
		return;
	dq->kick_owed = false;
	/*
	 * Our replies (ACKs) sent meanwhile may have let the peer see the
	 * progress and re-arm already: then this event would find nothing.
	 */
	if (!xl_fifo_rx_notify_still(&dq->q->rx))
		return;
	xl_stat_add(&dq->rx, XL_STAT_RX_KICKS, 1);
	xl_queue_notify(dq->q);
}

/* The FIFO found the peer broken: have the channel torn down. */
static void xl_rx_broken(struct xl_dp_queue *dq)
{
	if (READ_ONCE(dq->dp->stopped))
		return;
	WRITE_ONCE(dq->dp->stopped, true);
	xl_stat_add(&dq->rx, XL_STAT_RX_ERRORS, 1);
	xl_chan_broken(dq->dp->ch, xl_fifo_err_str(dq->q->rx.err));
}

/*
 * A queue's event, bound with late EOI: Xen delivers no further
 * event on the port until this one is EOIed, which the poll does once
 * it is idle.  An event brings data (the peer published past
 * rx_prod_event) or space (it consumed past tx_cons_event): the poll
 * looks at both.
 */
irqreturn_t xl_dp_irq(int irq, void *dev_id)
{
	struct xl_queue *q = dev_id;
	/* Pairs with the release in xl_dp_chan_up(): @dp is initialised. */
	struct xl_dp_chan *dp = smp_load_acquire(&q->ch->dp);
	struct xl_dp_queue *dq;

	atomic64_inc(&q->events);
	if (unlikely(!dp || q->idx >= dp->nq)) {
		/*
		 * Not attached (yet, or any more): nothing to do, so the
		 * event is spurious, which lets Xen throttle a peer that
		 * storms us.  Records published before the data path
		 * attached are found by its first poll.
		 */
		atomic64_inc(&q->early_events);
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
		return IRQ_HANDLED;
	}
	dq = &dp->q[q->idx];
	/* Before scheduling: the poll that completes owes the EOI. */
	set_bit(XL_DP_EOI_PENDING, &dq->flags);
	napi_schedule(&dq->napi);
	return IRQ_HANDLED;
}

/* The EOI an event is owed, if any: spurious when it brought no work. */
static void xl_rx_eoi(struct xl_dp_queue *dq)
{
	if (!test_and_clear_bit(XL_DP_EOI_PENDING, &dq->flags))
		return;
	xl_stat_add(&dq->rx, XL_STAT_EVENTS, 1);
	if (!dq->event_busy)
		xl_stat_add(&dq->rx, XL_STAT_EVENTS_SPURIOUS, 1);
	xen_irq_lateeoi(dq->q->irq, dq->event_busy ? 0 : XEN_EOI_FLAG_SPURIOUS);
	dq->event_busy = false;
}

static int xl_rx_poll(struct xl_dp_queue *dq, int budget)
{
	struct napi_struct *napi = &dq->napi;
	struct xl_queue *q = dq->q;
	struct xl_fifo_rec rec;
	int work = 0;

	/* The same event also says "space freed": drain our backlog. */
	if (xl_xmit_poll(dq))
		dq->event_busy = true;

	while (work < budget) {
		enum xl_fifo_status st = xl_fifo_read(&q->rx, &rec);

		if (st == XL_FIFO_OK) {
			if (!xl_rx_one(dq, &rec))
				xl_stat_add(&dq->rx, XL_STAT_RX_DROPPED, 1);
			xl_fifo_consume(&q->rx, &rec);
		} else if (st == XL_FIFO_DROP) {
			xl_stat_add(&dq->rx, XL_STAT_RX_DROPPED, 1);
			xl_rx_drop(dq, XL_STAT_RX_FRAME, "malformed metadata");
		} else {
			break;		/* EMPTY or BROKEN */
		}
		work++;
	}

	if (unlikely(q->rx.broken)) {
		xl_rx_broken(dq);
		work = 0;	/* complete: nothing more will come */
	} else {
		/*
		 * Let the peer reuse the space, but leave the data event
		 * unarmed: while NAPI polls, whether rescheduled for its
		 * budget or deferred by napi_defer_hard_irqs and
		 * gro_flush_timeout, the peer need not notify.
		 */
		xl_rx_publish(dq, false);
		if (work >= budget) {
			dq->event_busy = true;
			return budget;
		}
	}

	if (work)
		dq->event_busy = true;
	/*
	 * One record after an event is a request or an ACK that someone
	 * waits for: no deferral for it (a timer poll costs the waiting
	 * side more than it saves).  More than one, or any while already
	 * polling, is a stream, and napi_defer_hard_irqs applies.
	 */
	if (!napi_complete_done(napi, (work > 1 || dq->polling) ? work : 0)) {
		dq->polling = true;
		return work;	/* polled again: by the timer or MISSED */
	}
	dq->polling = false;
	/*
	 * Idle: re-arm, and look once more (RING_FINAL_CHECK style).  That
	 * look reads the peer's index too, and may find it broken.
	 */
	if (xl_rx_publish(dq, true))
		napi_schedule(napi);
	else if (unlikely(q->rx.broken))
		xl_rx_broken(dq);
	xl_rx_eoi(dq);
	return work;
}

/*
 * The notifications a poll owes go out once it ends, after GRO has
 * handed its packets up and the replies they raised (ACKs) are
 * published: a data notification those left (xl_xmit_poll_end())
 * also serves as the space notification, since the peer's poll looks
 * at both rings, so that one event carries both.
 */
int xl_recv_poll(struct napi_struct *napi, int budget)
{
	struct xl_dp_queue *dq = container_of(napi, struct xl_dp_queue, napi);
	int work;

	WRITE_ONCE(dq->poll_cpu, smp_processor_id());
	work = xl_rx_poll(dq, budget);
	if (xl_xmit_poll_end(dq)) {
		dq->kick_owed = false;
		xl_queue_notify(dq->q);
	} else {
		xl_rx_kick(dq);
	}
	return work;
}

/*
 * Detaching (xl_dp_chan_down(), events no longer reach us): stop the
 * poll and give Xen the EOI a last event may still be owed, so that the
 * port is not left masked.
 */
void xl_recv_stop(struct xl_dp_queue *dq)
{
	/* No poll runs after this, and none will be scheduled to run. */
	napi_disable(&dq->napi);
	xl_rx_eoi(dq);
}
