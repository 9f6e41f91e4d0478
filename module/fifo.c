// SPDX-License-Identifier: GPL-2.0
/*
 * One direction of a xenloop channel: the producer writes records into its
 * own data area and publishes its index in its own control page; the
 * consumer reads them through a read-only mapping and publishes how far it
 * got in its own control page (include/xenloop/channel.h).
 *
 * Trust.  The peer can write anything, at any time, into its control page
 * and (for the consumer) into the data area we read.  So:
 *   - a peer index is loaded once per refresh with READ_ONCE(), validated
 *     against values we own (the area size, our own cons or prod) and only
 *     the validated local copy is used afterwards;
 *   - a record header is copied once (two 64-bit loads) and only the copy
 *     is validated and used; the payload is handed out as a pointer for
 *     the caller to copy from, once;
 *   - every offset we dereference is our own index masked by our own size,
 *     and every length is checked against the record's room before use,
 *     so a lie can at worst end this FIFO (BROKEN), drop a record (DROP),
 *     or make us overwrite data the peer claims to have consumed.
 *
 * Ordering.  Four barrier pairs, one per thing handed over:
 *   1. records -> consumer: producer virt_wmb() before storing tx_prod
 *      (xl_fifo_tx_publish), consumer virt_rmb() after loading it
 *      (xl_rx_refresh);
 *   2. space -> producer: consumer virt_mb() between its last payload read
 *      and storing rx_cons (xl_fifo_rx_publish), producer virt_mb() between
 *      loading rx_cons and writing into the freed space (xl_tx_refresh);
 *   3. "data available" notification: producer stores tx_prod, virt_mb(),
 *      loads rx_prod_event; consumer stores rx_prod_event, virt_mb(), loads
 *      tx_prod.  Either the consumer's final check sees the data or the
 *      producer sees the armed event and notifies;
 *   4. "space available" notification: producer stores tx_cons_event,
 *      virt_mb(), loads rx_cons (xl_fifo_tx_wait_space); consumer stores
 *      rx_cons, virt_mb(), loads tx_cons_event (xl_fifo_rx_publish).
 * Notifications use Xen's event-index rule: an index moving from old to
 * new passes event iff old < event <= new (mod 2^32).  A garbage event
 * value only costs a spurious or a missed notification, never memory.
 *
 * Speed.  The fast paths touch only the caller's struct and the data
 * area: the producer re-reads rx_cons only when its cached free space is
 * too small, the consumer re-reads tx_prod only when its cached records
 * are used up, and indexes are published once per batch.
 */
#include "fifo.h"

#define XL_HDR_SIZE		((u32)sizeof(struct xl_rec_hdr))

/* Room a record with @len payload bytes takes; @len <= max_payload. */
static inline u32 xl_rec_space(u32 len)
{
	return XL_REC_SPACE(len);
}

/* Xen event-index test: did an index moving from @old to @new pass @event? */
static inline bool xl_event_crossed(u32 event, u32 old, u32 new)
{
	return (u32)(new - event) < (u32)(new - old);
}

static bool xl_fifo_size_ok(u32 size)
{
	return size >= XL_PAGE_SIZE &&
	       size <= (XL_PAGE_SIZE << XL_RING_ORDER_MAX) &&
	       !(size & (size - 1));
}

/* Common argument checks of xl_fifo_tx_init() and xl_fifo_rx_init(). */
static bool xl_fifo_args_ok(const void *data, u32 size, const void *own,
			    const void *peer, u32 features)
{
	return data && own && peer && own != peer && xl_fifo_size_ok(size) &&
	       !((uintptr_t)data & (XL_REC_ALIGN - 1)) &&
	       !(features & ~XL_FEAT_KNOWN);
}

u32 xl_fifo_max_payload(u32 size)
{
	if (size < 2 * XL_HDR_SIZE)
		return 0;
	if (size - XL_HDR_SIZE > XL_REC_MAX_PAYLOAD)
		return XL_REC_MAX_PAYLOAD;
	/* A record this big fills the whole area: it waits for it to drain. */
	return size - XL_HDR_SIZE;
}

/*
 * Our halves of a control page at @index.  tx_cons_event = index - 1 is
 * "no space notification wanted": rx_cons passes it only after 4 GiB, and
 * xl_fifo_tx_wait_space() re-arms it before it matters.  rx_prod_event =
 * index + 1 asks for a notification for the first record.
 */
static void xl_ctrl_tx_reset(struct xl_ctrl_queue *own, u32 index)
{
	WRITE_ONCE(own->tx_prod, cpu_to_le32(index));
	WRITE_ONCE(own->tx_cons_event, cpu_to_le32(index - 1));
}

static void xl_ctrl_rx_reset(struct xl_ctrl_queue *own, u32 index)
{
	WRITE_ONCE(own->rx_cons, cpu_to_le32(index));
	WRITE_ONCE(own->rx_prod_event, cpu_to_le32(index + 1));
}

void xl_fifo_ctrl_init(struct xl_ctrl_page *own, u32 ring_order, u32 features)
{
	unsigned int q;

	memset(own, 0, sizeof(*own));
	own->magic = cpu_to_le32(XL_CTRL_MAGIC);
	own->version = cpu_to_le16(XL_CHAN_VERSION);
	own->rec_hdr_size = cpu_to_le16(XL_HDR_SIZE);
	own->features = cpu_to_le32(features);
	own->ring_order = cpu_to_le32(ring_order);
	/* Every block as a queue that has not started yet would leave it. */
	for (q = 0; q < XL_CTRL_QUEUES; q++) {
		xl_ctrl_tx_reset(&own->q[q], 0);
		xl_ctrl_rx_reset(&own->q[q], 0);
	}
}

/* ---- producer ---------------------------------------------------------- */

int xl_fifo_tx_init_queue(struct xl_fifo_tx *tx, u8 *data, u32 size,
			  struct xl_ctrl_page *own,
			  const struct xl_ctrl_page *peer, unsigned int queue,
			  u32 features)
{
	if (!tx || queue >= XL_CTRL_QUEUES ||
	    !xl_fifo_args_ok(data, size, own, peer, features))
		return -EINVAL;
	memset(tx, 0, sizeof(*tx));
	tx->data = data;
	tx->own = &own->q[queue];
	tx->peer = &peer->q[queue];
	tx->size = size;
	tx->limit = size;
	tx->max_payload = xl_fifo_max_payload(size);
	tx->features = features;
	return xl_fifo_tx_reset(tx, 0);
}

void xl_fifo_tx_set_limit(struct xl_fifo_tx *tx, u32 bytes)
{
	u32 least = xl_rec_space(tx->max_payload);

	/* A pad and the largest record each fit alone: always progress. */
	if (bytes < least)
		bytes = least;
	tx->limit = bytes < tx->size ? bytes : tx->size;
}

int xl_fifo_tx_reset(struct xl_fifo_tx *tx, u32 index)
{
	if (index & (XL_REC_ALIGN - 1))
		return -EINVAL;
	tx->prod = index;
	tx->prod_pub = index;
	tx->cons = index;
	tx->cons_event = index - 1;
	tx->resv_len = 0;
	tx->broken = false;
	tx->err = XL_FIFO_ERR_NONE;
	xl_ctrl_tx_reset(tx->own, index);
	return 0;
}

static void xl_tx_break(struct xl_fifo_tx *tx, enum xl_fifo_err err)
{
	if (!tx->broken) {
		tx->broken = true;
		tx->err = err;
	}
}

/*
 * Load the peer's rx_cons once and accept it only if it moved forward by
 * at most what we published: (cons - cached) <= (prod_pub - cached), all
 * mod 2^32, with prod_pub - cached <= size by construction.  Anything else
 * breaks the FIFO: a negative move (as s32) is CONS_BACK, the rest
 * CONS_AHEAD.  An in-range lie only lets us overwrite records the peer
 * says it has read, which hurts nobody but the peer.
 */
static bool xl_tx_refresh(struct xl_fifo_tx *tx)
{
	u32 cons = le32_to_cpu(READ_ONCE(tx->peer->rx_cons));
	u32 moved = cons - tx->cons;

	if (likely(!moved))
		return true;
	if (unlikely(moved > tx->prod_pub - tx->cons)) {
		xl_tx_break(tx, (s32)moved < 0 ? XL_FIFO_ERR_CONS_BACK :
						 XL_FIFO_ERR_CONS_AHEAD);
		return false;
	}
	/*
	 * Pair 2: the consumer finished reading the records below @cons
	 * before it stored rx_cons (virt_mb() in xl_fifo_rx_publish()).  Keep
	 * our stores into that space after this load: a load->store order,
	 * which virt_rmb() does not promise, hence the full barrier.  Only
	 * paid when the cached free space ran out.
	 */
	virt_mb();
	tx->cons = cons;
	return true;
}

/*
 * Whether @bytes more fit under the limit.  prod - cons <= size always
 * (cons <= prod_pub <= prod), but the limit may have been lowered below
 * what is already in the area.
 */
static bool xl_tx_fits(const struct xl_fifo_tx *tx, u32 bytes)
{
	u32 used = tx->prod - tx->cons;

	return used <= tx->limit && tx->limit - used >= bytes;
}

/* 0 if @bytes fit in the free space, refreshing rx_cons if they do not. */
static int xl_tx_room(struct xl_fifo_tx *tx, u32 bytes)
{
	if (likely(xl_tx_fits(tx, bytes)))
		return 0;
	if (!xl_tx_refresh(tx))
		return -EPIPE;
	return xl_tx_fits(tx, bytes) ? 0 : -ENOSPC;
}

/*
 * A record never straddles the end of the area: pad from @off to the end
 * and start over at offset 0.  Pad as soon as the pad fits, even if the
 * record then does not: once the consumer has drained the pad, the whole
 * area is contiguous, so even a max_payload record fits eventually.
 * contig >= 16 since prod is aligned, so the pad header always fits
 * before the end.  Out of line: it runs once per lap, and keeping its
 * stack copy of a header out of xl_fifo_reserve() keeps that a leaf.
 */
static noinline int xl_tx_pad(struct xl_fifo_tx *tx, u32 off)
{
	u32 contig = tx->size - off;
	struct xl_rec_hdr pad = {
		.len = cpu_to_le32(contig - XL_HDR_SIZE),
		.type = XL_REC_PAD,
	};
	int ret;

	ret = xl_tx_room(tx, contig);
	if (ret)
		return ret;
	memcpy(tx->data + off, &pad, sizeof(pad));
	tx->prod += contig;
	return 0;
}

void *xl_fifo_reserve(struct xl_fifo_tx *tx, u32 len, int *err)
{
	u32 off, need;
	int ret;

	tx->resv_len = 0;
	if (unlikely(tx->broken)) {
		ret = -EPIPE;
		goto fail;
	}
	if (unlikely(!len || len > tx->max_payload)) {
		ret = -EMSGSIZE;
		goto fail;
	}
	need = xl_rec_space(len);
	off = tx->prod & (tx->size - 1);
	if (unlikely(need > tx->size - off)) {
		ret = xl_tx_pad(tx, off);
		if (ret)
			goto fail;
		off = 0;
	}
	ret = xl_tx_room(tx, need);
	if (unlikely(ret))
		goto fail;
	tx->resv_len = len;
	return tx->data + off + XL_HDR_SIZE;

fail:
	if (err)
		*err = ret;
	return NULL;
}

void xl_fifo_commit(struct xl_fifo_tx *tx, const struct xl_fifo_rec *meta)
{
	struct xl_rec_hdr hdr;
	u32 len = meta->len;

	if (unlikely(!len || len > tx->resv_len))
		return;
	hdr.len = cpu_to_le32(len);
	hdr.type = XL_REC_DATA;
	hdr.flags = meta->flags;
	hdr.l3 = meta->l3;
	hdr.csum = meta->csum;
	hdr.gso_type = meta->gso_type;
	hdr.csum_offset = meta->csum_offset;
	hdr.gso_size = cpu_to_le16(meta->gso_size);
	hdr.csum_start = cpu_to_le16(meta->csum_start);
	hdr.src_vif = meta->src_vif;
	hdr.dst_vif = meta->dst_vif;
	/*
	 * Plain stores: the area is ours and the peer may not look at it
	 * before xl_fifo_tx_publish() orders them (pair 1).
	 */
	memcpy(tx->data + (tx->prod & (tx->size - 1)), &hdr, sizeof(hdr));
	tx->prod += xl_rec_space(len);
	tx->resv_len = 0;
}

bool xl_fifo_tx_publish(struct xl_fifo_tx *tx)
{
	u32 old = tx->prod_pub, new = tx->prod;
	u32 event;

	if (unlikely(tx->broken) || old == new)
		return false;
	/*
	 * Pair 1: every header and payload byte below @new is written before
	 * the index that exposes it; the consumer's virt_rmb() after loading
	 * tx_prod (xl_rx_refresh()) is the other half.
	 */
	virt_wmb();
	WRITE_ONCE(tx->own->tx_prod, cpu_to_le32(new));
	tx->prod_pub = new;
	/*
	 * Pair 3: tx_prod is visible before we look at rx_prod_event.  The
	 * consumer stores rx_prod_event then loads tx_prod, with a virt_mb()
	 * between (xl_fifo_rx_publish()), so it either sees @new in its
	 * final check or we see its re-armed event here.
	 */
	virt_mb();
	event = le32_to_cpu(READ_ONCE(tx->peer->rx_prod_event));
	return xl_event_crossed(event, old, new);
}

bool xl_fifo_tx_wait_space(struct xl_fifo_tx *tx, u32 len)
{
	u32 contig, want;

	if (unlikely(tx->broken || !len || len > tx->max_payload))
		return true;	/* xl_fifo_reserve() will say why */
	contig = tx->size - (tx->prod & (tx->size - 1));
	want = xl_rec_space(len);
	/* If a pad is needed first, the next step is the pad alone. */
	if (want > contig)
		want = contig;
	if (xl_tx_fits(tx, want))
		return true;
	/*
	 * @want fits once rx_cons reaches prod + want - limit, which is at
	 * most prod_pub when everything is published (want <= limit):
	 * reachable.
	 */
	tx->cons_event = tx->prod + want - tx->limit;
	WRITE_ONCE(tx->own->tx_cons_event, cpu_to_le32(tx->cons_event));
	/*
	 * Pair 4: the event is visible before we re-check rx_cons.  The
	 * consumer stores rx_cons then loads tx_cons_event with a virt_mb()
	 * between, so either we see the new rx_cons now or it notifies us.
	 */
	virt_mb();
	if (!xl_tx_refresh(tx))
		return true;
	return xl_tx_fits(tx, want);
}

int xl_fifo_tx_consumed(struct xl_fifo_tx *tx, u32 *cons)
{
	if (unlikely(tx->broken) || !xl_tx_refresh(tx))
		return -EPIPE;
	*cons = tx->cons;
	return 0;
}

bool xl_fifo_tx_wait_consumed(struct xl_fifo_tx *tx, u32 index)
{
	if (unlikely(tx->broken || (s32)(index - tx->prod_pub) > 0))
		return true;	/* nothing will come: do not wait for it */
	/* A request for an earlier point is still pending: it comes first. */
	if ((s32)(tx->cons_event - tx->cons) > 0 &&
	    (s32)(tx->cons_event - index) <= 0)
		return false;
	tx->cons_event = index;
	WRITE_ONCE(tx->own->tx_cons_event, cpu_to_le32(index));
	/* Pair 4, as in xl_fifo_tx_wait_space(). */
	virt_mb();
	if (!xl_tx_refresh(tx))
		return true;
	return (s32)(tx->cons - index) >= 0;
}

u32 xl_fifo_tx_inflight(struct xl_fifo_tx *tx)
{
	if (tx->broken || !xl_tx_refresh(tx))
		return 0;
	return tx->prod - tx->cons;
}

/* ---- consumer ---------------------------------------------------------- */

int xl_fifo_rx_init_queue(struct xl_fifo_rx *rx, const u8 *data, u32 size,
			  struct xl_ctrl_page *own,
			  const struct xl_ctrl_page *peer, unsigned int queue,
			  u32 features)
{
	if (!rx || queue >= XL_CTRL_QUEUES ||
	    !xl_fifo_args_ok(data, size, own, peer, features))
		return -EINVAL;
	memset(rx, 0, sizeof(*rx));
	rx->data = data;
	rx->own = &own->q[queue];
	rx->peer = &peer->q[queue];
	rx->size = size;
	rx->max_payload = xl_fifo_max_payload(size);
	rx->features = features;
	return xl_fifo_rx_reset(rx, 0);
}

int xl_fifo_rx_reset(struct xl_fifo_rx *rx, u32 index)
{
	if (index & (XL_REC_ALIGN - 1))
		return -EINVAL;
	rx->cons = index;
	rx->cons_pub = index;
	rx->prod_event = index + 1;
	rx->prod = index;
	rx->broken = false;
	rx->err = XL_FIFO_ERR_NONE;
	xl_ctrl_rx_reset(rx->own, index);
	return 0;
}

static enum xl_fifo_status xl_rx_break(struct xl_fifo_rx *rx,
				       enum xl_fifo_err err)
{
	if (!rx->broken) {
		rx->broken = true;
		rx->err = err;
	}
	return XL_FIFO_BROKEN;
}

/*
 * Load the peer's tx_prod once and accept it only if it lies within one
 * area of our cons, has not moved back from the last accepted value and
 * is record-aligned.  Since last <= prod must hold with both in
 * [cons, cons + size], (prod - last) > size catches every backward move.
 */
static bool xl_rx_refresh(struct xl_fifo_rx *rx)
{
	u32 prod = le32_to_cpu(READ_ONCE(rx->peer->tx_prod));
	enum xl_fifo_err err;

	if (prod == rx->prod)
		return true;
	if (unlikely(prod - rx->cons > rx->size))
		err = (s32)(prod - rx->prod) < 0 ? XL_FIFO_ERR_PROD_BACK :
						   XL_FIFO_ERR_PROD_AHEAD;
	else if (unlikely(prod - rx->prod > rx->size))
		err = XL_FIFO_ERR_PROD_BACK;
	else if (unlikely(prod & (XL_REC_ALIGN - 1)))
		err = XL_FIFO_ERR_PROD_ALIGN;
	else
		err = XL_FIFO_ERR_NONE;
	if (unlikely(err != XL_FIFO_ERR_NONE)) {
		xl_rx_break(rx, err);
		return false;
	}
	/*
	 * Pair 1: read the records below @prod only after loading @prod; the
	 * producer's virt_wmb() before storing tx_prod is the other half.
	 */
	virt_rmb();
	rx->prod = prod;
	return true;
}

/*
 * Copy the header at @off once, as two 64-bit loads (the area is 16-byte
 * aligned and so is @off): the peer may rewrite it at any moment, so only
 * this copy is validated and used.
 */
static void xl_rx_load_hdr(const struct xl_fifo_rx *rx, u32 off,
			   struct xl_rec_hdr *hdr)
{
	const u64 *src = (const void *)(rx->data + off);
	union {
		u64 w[2];
		struct xl_rec_hdr hdr;
	} u;

	u.w[0] = READ_ONCE(src[0]);
	u.w[1] = READ_ONCE(src[1]);
	*hdr = u.hdr;
}

/*
 * Checks of the fields that do not affect where records are: a bad value
 * costs one record, not the FIFO.  Returns XL_FIFO_DROP_MAX if all is well.
 */
static enum xl_fifo_drop xl_rx_check_meta(const struct xl_fifo_rx *rx,
					  const struct xl_rec_hdr *hdr, u32 len)
{
	u32 gso_size = le16_to_cpu(hdr->gso_size);
	u32 feat;

	if (hdr->flags & ~XL_REC_F_KNOWN)
		return XL_FIFO_DROP_FLAGS;
	if (hdr->l3 != XL_L3_IPV4 && hdr->l3 != XL_L3_IPV6)
		return XL_FIFO_DROP_PROTO;

	switch (hdr->csum) {
	case XL_CSUM_NONE:
	case XL_CSUM_UNNECESSARY:
		break;
	case XL_CSUM_PARTIAL:
		/* The 2-byte checksum field must lie inside the payload. */
		if (!(rx->features & XL_FEAT_CSUM_PARTIAL) ||
		    (u32)le16_to_cpu(hdr->csum_start) +
		    hdr->csum_offset + 2 > len)
			return XL_FIFO_DROP_CSUM;
		break;
	default:
		return XL_FIFO_DROP_CSUM;
	}

	switch (hdr->gso_type) {
	case XL_GSO_NONE:
		return gso_size ? XL_FIFO_DROP_GSO : XL_FIFO_DROP_MAX;
	case XL_GSO_TCPV4:
		feat = XL_FEAT_GSO_TCPV4;
		break;
	case XL_GSO_TCPV6:
		feat = XL_FEAT_GSO_TCPV6;
		break;
	case XL_GSO_UDP_L4:
		feat = XL_FEAT_GSO_UDP_L4;
		break;
	default:
		return XL_FIFO_DROP_GSO;
	}
	if (!(rx->features & feat) || !gso_size || gso_size >= len)
		return XL_FIFO_DROP_GSO;
	return XL_FIFO_DROP_MAX;
}

/*
 * The common record, accepted with one test before the full checks: no
 * flags, checksum NONE or UNNECESSARY, no GSO, IPv4 or IPv6.
 */
XL_STATIC_ASSERT(XL_CSUM_NONE == 0 && XL_CSUM_UNNECESSARY == 2,
		 "xl_rx_meta_plain() tests csum & ~2");
static inline bool xl_rx_meta_plain(const struct xl_rec_hdr *hdr)
{
	return !(hdr->flags | (hdr->csum & ~XL_CSUM_UNNECESSARY) |
		 hdr->gso_type) && !hdr->gso_size &&
	       (hdr->l3 == XL_L3_IPV4 || hdr->l3 == XL_L3_IPV6);
}

enum xl_fifo_status xl_fifo_read(struct xl_fifo_rx *rx, struct xl_fifo_rec *rec)
{
	struct xl_rec_hdr hdr;
	enum xl_fifo_drop drop;
	u32 avail, off, len, space;
	bool padded = false;

	if (unlikely(rx->broken))
		return XL_FIFO_BROKEN;
	/* At most two rounds: see the second pad below. */
	for (;;) {
		avail = rx->prod - rx->cons;
		if (!avail) {
			if (!xl_rx_refresh(rx))
				return XL_FIFO_BROKEN;
			avail = rx->prod - rx->cons;
			if (!avail)
				return XL_FIFO_EMPTY;
		}
		/*
		 * cons and prod are aligned, so avail >= 16 and the header
		 * at @off lies inside published data and inside the area.
		 */
		off = rx->cons & (rx->size - 1);
		xl_rx_load_hdr(rx, off, &hdr);
		len = le32_to_cpu(hdr.len);
		if (likely(hdr.type == XL_REC_DATA))
			break;
		if (hdr.type != XL_REC_PAD)
			return xl_rx_break(rx, XL_FIFO_ERR_REC_TYPE);
		/* Compare @len before adding to it: it may be anything. */
		if (len != rx->size - off - XL_HDR_SIZE || rx->size - off > avail)
			return xl_rx_break(rx, XL_FIFO_ERR_PAD);
		/*
		 * A second pad in one call can only be a whole-area pad at
		 * offset 0 that a refresh after the first one found: legal
		 * but useless, and a peer could keep publishing them while
		 * we skip.  Leave it for the next call so that every call is
		 * bounded; xl_fifo_rx_publish() will report more data.
		 */
		if (padded)
			return XL_FIFO_EMPTY;
		rx->cons += rx->size - off;
		padded = true;
	}

	if (unlikely(!len || len > rx->max_payload))
		return xl_rx_break(rx, XL_FIFO_ERR_REC_LEN);
	space = xl_rec_space(len);
	if (unlikely(off + space > rx->size))
		return xl_rx_break(rx, XL_FIFO_ERR_REC_STRADDLE);
	if (unlikely(space > avail))
		return xl_rx_break(rx, XL_FIFO_ERR_REC_TRUNC);

	if (unlikely(!xl_rx_meta_plain(&hdr))) {
		drop = xl_rx_check_meta(rx, &hdr, len);
		if (unlikely(drop != XL_FIFO_DROP_MAX)) {
			rx->drops[drop]++;
			rx->cons += space;
			return XL_FIFO_DROP;
		}
	}

	rec->hdr = hdr;
	rec->len = len;
	rec->l3 = hdr.l3;
	rec->flags = hdr.flags;
	rec->csum = hdr.csum;
	rec->gso_type = hdr.gso_type;
	rec->gso_size = le16_to_cpu(hdr.gso_size);
	rec->csum_start = le16_to_cpu(hdr.csum_start);
	rec->csum_offset = hdr.csum_offset;
	rec->src_vif = hdr.src_vif;
	rec->dst_vif = hdr.dst_vif;
	rec->payload = rx->data + off + XL_HDR_SIZE;
	return XL_FIFO_OK;
}

void xl_fifo_consume(struct xl_fifo_rx *rx, const struct xl_fifo_rec *rec)
{
	u32 len = rec->len;

	/*
	 * A caller bug (a stale or twice-consumed record) must not take
	 * cons past prod, or the next read would parse unpublished bytes.
	 * Once broken, nothing moves any more.
	 */
	if (unlikely(rx->broken || !len || len > rx->max_payload ||
		     xl_rec_space(len) > rx->prod - rx->cons))
		return;
	rx->cons += xl_rec_space(len);
}

/*
 * Store rx_cons if it moved and, with @arm, rx_prod_event = cons + 1 if
 * it is not that already; then the barrier both need.  False when the
 * FIFO is broken: nothing is stored any more.
 */
static bool xl_rx_store(struct xl_fifo_rx *rx, bool arm, bool *notify)
{
	u32 old = rx->cons_pub, new = rx->cons;
	bool moved = new != old, rearm = arm && rx->prod_event != new + 1;
	u32 event;

	if (notify)
		*notify = false;
	if (unlikely(rx->broken))
		return false;
	if (!moved && !rearm)
		return true;
	if (moved) {
		/*
		 * Pair 2: all our reads of the records below @new complete
		 * before the producer may reuse their space.
		 */
		virt_mb();
		WRITE_ONCE(rx->own->rx_cons, cpu_to_le32(new));
		rx->cons_pub = new;
	}
	if (rearm) {
		WRITE_ONCE(rx->own->rx_prod_event, cpu_to_le32(new + 1));
		rx->prod_event = new + 1;
	}
	/*
	 * Pairs 3 and 4: rx_cons and rx_prod_event are visible before we
	 * load tx_cons_event and re-check tx_prod; the producer does the
	 * mirror image in xl_fifo_tx_publish() and xl_fifo_tx_wait_space().
	 */
	virt_mb();
	if (moved && notify) {
		event = le32_to_cpu(READ_ONCE(rx->peer->tx_cons_event));
		*notify = xl_event_crossed(event, old, new);
	}
	return true;
}

bool xl_fifo_rx_publish(struct xl_fifo_rx *rx, bool *notify)
{
	if (!xl_rx_store(rx, true, notify))
		return true;	/* the next xl_fifo_read() says BROKEN */
	/*
	 * With nothing consumed and the event armed since the last store,
	 * that store was followed by a virt_mb(), so the plain re-read
	 * below is a valid final check on its own.
	 */
	if (!xl_rx_refresh(rx))
		return true;
	return rx->prod != rx->cons;
}

void xl_fifo_rx_release(struct xl_fifo_rx *rx, bool *notify)
{
	xl_rx_store(rx, false, notify);
}

bool xl_fifo_rx_notify_still(const struct xl_fifo_rx *rx)
{
	u32 event = le32_to_cpu(READ_ONCE(rx->peer->tx_cons_event));

	/*
	 * Only compared: a producer that moved its request past what we
	 * published has seen that (pair 4) and asks for later progress.
	 */
	return (s32)(event - rx->cons_pub) <= 0;
}

static const char * const xl_fifo_err_names[XL_FIFO_ERR_MAX] = {
	[XL_FIFO_ERR_NONE] = "none",
	[XL_FIFO_ERR_PROD_AHEAD] = "producer index more than one area ahead",
	[XL_FIFO_ERR_PROD_BACK] = "producer index moved backwards",
	[XL_FIFO_ERR_PROD_ALIGN] = "producer index not record-aligned",
	[XL_FIFO_ERR_REC_TYPE] = "unknown record type",
	[XL_FIFO_ERR_REC_LEN] = "record length 0 or above the maximum",
	[XL_FIFO_ERR_REC_STRADDLE] = "record crosses the end of the area",
	[XL_FIFO_ERR_REC_TRUNC] = "record extends past the producer index",
	[XL_FIFO_ERR_PAD] = "padding does not end at the end of the area",
	[XL_FIFO_ERR_CONS_AHEAD] = "consumer index beyond the published data",
	[XL_FIFO_ERR_CONS_BACK] = "consumer index moved backwards",
};

const char *xl_fifo_err_str(enum xl_fifo_err err)
{
	if ((unsigned int)err >= XL_FIFO_ERR_MAX || !xl_fifo_err_names[err])
		return "unknown";
	return xl_fifo_err_names[err];
}
