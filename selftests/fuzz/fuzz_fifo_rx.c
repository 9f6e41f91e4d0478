// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the consumer half of the xenloop FIFO
 * (module/fifo.c): the input is the peer.  It decides the area size, the
 * negotiated features, the peer's control page and data area, and then a
 * sequence of peer actions (move tx_prod anywhere, write or flip bytes,
 * forge headers, or send well-formed records through the real producer)
 * interleaved with consumer calls.  The input format is in fuzz_fifo.h.
 *
 * The peer's area and control page are allocated at exactly their size,
 * so ASan reports any read outside them.  After every consumer call the
 * harness checks what the consumer promises, independently of fifo.c,
 * and aborts (a libFuzzer crash) on a violation:
 *   - a returned record lies inside the area, at the consumer's position,
 *     within the validated producer index, 1 <= len <= max_payload, and
 *     its fields pass the format's checks (Documentation/channel-format.md);
 *   - a dropped record was framed correctly and had a bad field;
 *   - cons only moves forward, never past the validated prod, and prod
 *     only moves forward, to a value the peer actually published;
 *   - BROKEN is sticky: nothing is read or published afterwards;
 *   - what the consumer publishes in its own page matches its state.
 * Each call is bounded by construction; libFuzzer's -timeout catches a
 * call that is not.
 */
#include <stdlib.h>
#include <string.h>

#include "fifo.h"
#include "../fifo/le.h"
#include "fuzz_fifo.h"
#include "fz_check.h"

struct fz_rx {
	u8 *data;			/* peer's area, exactly @size bytes */
	struct xl_ctrl_page *peer;	/* peer's page: the input writes it */
	struct xl_ctrl_page *own;	/* the consumer's page */
	u32 size;
	u32 mask;
	struct xl_fifo_rx rx;		/* under test */
	struct xl_fifo_tx tx;		/* a well-behaved peer, on demand */
	struct xl_fifo_rec last;	/* last record read */
	bool have_last;
	u8 copy[XL_REC_MAX_PAYLOAD];	/* where payloads are copied to */
};

/* Consumer state before a call. */
struct fz_snap {
	u32 cons, prod, cons_pub;
	u32 own_cons, own_event;
	bool broken;
	enum xl_fifo_err err;
	u64 drops;
};

static u64 drops_total(const struct xl_fifo_rx *rx)
{
	u64 n = 0;
	int i;

	for (i = 0; i < XL_FIFO_DROP_MAX; i++)
		n += rx->drops[i];
	return n;
}

static void snap(const struct fz_rx *f, struct fz_snap *s)
{
	s->cons = f->rx.cons;
	s->prod = f->rx.prod;
	s->cons_pub = f->rx.cons_pub;
	s->own_cons = get_le32(&f->own->rx_cons);
	s->own_event = get_le32(&f->own->rx_prod_event);
	s->broken = f->rx.broken;
	s->err = f->rx.err;
	s->drops = drops_total(&f->rx);
}

/*
 * The format's per-record field rules, written out again from the
 * specification (not shared with fifo.c): true if a DATA record with
 * this header and length must be delivered rather than dropped.
 */
static bool spec_fields_ok(const u8 *h, u32 len, u32 features)
{
	u32 l3 = h[6], csum = h[7], gso_type = h[8], csum_offset = h[9];
	u32 gso_size = h[10] | h[11] << 8;
	u32 csum_start = h[12] | h[13] << 8;
	u32 feat;

	if (h[5])
		return false;
	if (l3 != 4 && l3 != 6)
		return false;
	if (csum == XL_CSUM_PARTIAL) {
		if (!(features & XL_FEAT_CSUM_PARTIAL) ||
		    csum_start + csum_offset + 2 > len)
			return false;
	} else if (csum != XL_CSUM_NONE && csum != XL_CSUM_UNNECESSARY) {
		return false;
	}
	if (gso_type == XL_GSO_NONE)
		return gso_size == 0;
	if (gso_type == XL_GSO_TCPV4)
		feat = XL_FEAT_GSO_TCPV4;
	else if (gso_type == XL_GSO_TCPV6)
		feat = XL_FEAT_GSO_TCPV6;
	else if (gso_type == XL_GSO_UDP_L4)
		feat = XL_FEAT_GSO_UDP_L4;
	else
		return false;
	return (features & feat) && gso_size && gso_size < len;
}

/*
 * Where the record a read returned or dropped starts, given the consumer
 * was at @cons before: there, or after one PAD at @cons.
 */
static u32 rec_start(const struct fz_rx *f, u32 cons)
{
	u32 off = cons & f->mask;

	if (f->data[off + 4] == XL_REC_PAD)
		return cons + (f->size - off);
	return cons;
}

/* Checks common to every call. */
static void check_common(const struct fz_rx *f, const struct fz_snap *b)
{
	const struct xl_fifo_rx *rx = &f->rx;
	u32 size = f->size;

	if (b->broken) {
		/* Sticky, and nothing moves, is read or published any more. */
		FZ_CHECK(rx->broken && rx->err == b->err);
		FZ_CHECK(rx->prod == b->prod);
		FZ_CHECK(rx->cons == b->cons);
		FZ_CHECK(rx->cons_pub == b->cons_pub);
		FZ_CHECK(get_le32(&f->own->rx_cons) == b->own_cons);
		FZ_CHECK(get_le32(&f->own->rx_prod_event) == b->own_event);
		FZ_CHECK(drops_total(rx) == b->drops);
		return;
	}
	FZ_CHECK(rx->broken == (rx->err != XL_FIFO_ERR_NONE));
	FZ_CHECK(!(rx->cons & (XL_REC_ALIGN - 1)));
	FZ_CHECK(!(rx->prod & (XL_REC_ALIGN - 1)));
	FZ_CHECK(rx->prod - rx->cons <= size);
	/* Seen from the old cons, the new prod is within two laps (a pad
	 * skip then a refresh), and old cons <= new cons <= new prod and
	 * old prod <= new prod.
	 */
	FZ_CHECK(rx->prod - b->cons <= 2 * size);
	FZ_CHECK(rx->cons - b->cons <= rx->prod - b->cons);
	FZ_CHECK(b->prod - b->cons <= rx->prod - b->cons);
	/* A new prod is exactly what the peer published. */
	if (rx->prod != b->prod)
		FZ_CHECK(rx->prod == get_le32(&f->peer->tx_prod));
	/*
	 * Only xl_fifo_rx_publish() and _release() write our page: rx_cons
	 * only up to cons, rx_prod_event only to re-arm at cons_pub + 1.
	 */
	FZ_CHECK(rx->cons_pub - b->cons_pub <= rx->cons - b->cons_pub);
	FZ_CHECK(get_le32(&f->own->rx_cons) == rx->cons_pub);
	FZ_CHECK(get_le32(&f->own->rx_prod_event) == b->own_event ||
		 get_le32(&f->own->rx_prod_event) == rx->cons_pub + 1);
	FZ_CHECK(drops_total(rx) - b->drops <= 1);
}

static enum xl_fifo_status do_read(struct fz_rx *f, bool consume)
{
	struct xl_fifo_rx *rx = &f->rx;
	struct xl_fifo_rec rec;
	enum xl_fifo_status st;
	struct fz_snap b;
	const u8 *h;
	u32 q, len;

	snap(f, &b);
	memset(&rec, 0xa5, sizeof(rec));
	st = xl_fifo_read(rx, &rec);
	check_common(f, &b);
	FZ_CHECK(st >= XL_FIFO_OK && st <= XL_FIFO_BROKEN);
	FZ_CHECK((st == XL_FIFO_BROKEN) == rx->broken);
	if (st != XL_FIFO_DROP)
		FZ_CHECK(drops_total(rx) == b.drops);

	switch (st) {
	case XL_FIFO_OK:
		/* At cons, after at most one pad skipped on the way. */
		FZ_CHECK(rx->cons == b.cons || rx->cons == rec_start(f, b.cons));
		len = rec.len;
		FZ_CHECK(len >= 1 && len <= rx->max_payload);
		FZ_CHECK(rec.payload == f->data + (rx->cons & f->mask) + FZ_HDR);
		FZ_CHECK(rec.payload + len <= f->data + f->size);
		FZ_CHECK(rec_space(len) <= rx->prod - rx->cons);
		h = f->data + (rx->cons & f->mask);
		FZ_CHECK(memcmp(&rec.hdr, h, FZ_HDR) == 0);
		FZ_CHECK(get_le32(h) == len && h[4] == XL_REC_DATA);
		FZ_CHECK(spec_fields_ok(h, len, rx->features));
		FZ_CHECK(rec.l3 == h[6]);
		FZ_CHECK(rec.flags == h[5] && rec.csum == h[7]);
		FZ_CHECK(rec.gso_type == h[8] && rec.csum_offset == h[9]);
		FZ_CHECK(rec.gso_size == (h[10] | h[11] << 8));
		FZ_CHECK(rec.csum_start == (h[12] | h[13] << 8));
		FZ_CHECK(rec.src_vif == h[14] && rec.dst_vif == h[15]);
		/* Copy out, as a real caller must: ASan checks every byte. */
		memcpy(f->copy, rec.payload, len);
		f->last = rec;
		f->have_last = true;
		if (consume) {
			snap(f, &b);
			xl_fifo_consume(rx, &rec);
			check_common(f, &b);
			FZ_CHECK(rx->cons == b.cons + rec_space(len));
		}
		break;
	case XL_FIFO_DROP:
		FZ_CHECK(drops_total(rx) == b.drops + 1);
		/* A well-framed DATA record with a bad field, now skipped. */
		q = rec_start(f, b.cons);
		h = f->data + (q & f->mask);
		len = get_le32(h);
		FZ_CHECK(h[4] == XL_REC_DATA);
		FZ_CHECK(len >= 1 && len <= rx->max_payload);
		FZ_CHECK((q & f->mask) + rec_space(len) <= f->size);
		FZ_CHECK(rx->cons == q + rec_space(len));
		FZ_CHECK(!spec_fields_ok(h, len, rx->features));
		break;
	case XL_FIFO_EMPTY:
		/* Dry, or stopped after skipping one pad. */
		FZ_CHECK(rx->cons == rx->prod || rx->cons != b.cons);
		break;
	case XL_FIFO_BROKEN:
		FZ_CHECK(rx->err > XL_FIFO_ERR_NONE &&
			 rx->err < XL_FIFO_ERR_CONS_AHEAD);
		break;
	}
	return st;
}

static void do_consume_last(struct fz_rx *f)
{
	struct fz_snap b;

	if (!f->have_last)
		return;
	snap(f, &b);
	xl_fifo_consume(&f->rx, &f->last);
	check_common(f, &b);
	FZ_CHECK(f->rx.cons == b.cons ||
		 f->rx.cons == b.cons + rec_space(f->last.len));
}

static void do_publish(struct fz_rx *f)
{
	struct fz_snap b;
	bool notify = true, more;

	snap(f, &b);
	more = xl_fifo_rx_publish(&f->rx, &notify);
	check_common(f, &b);
	if (f->rx.broken) {
		/* A new break may still follow a valid publish of cons. */
		FZ_CHECK(more && !(b.broken && notify));
		return;
	}
	FZ_CHECK(f->rx.cons_pub == f->rx.cons);
	FZ_CHECK(get_le32(&f->own->rx_prod_event) == f->rx.cons + 1);
	FZ_CHECK(more == (f->rx.prod != f->rx.cons));
	if (b.cons_pub == f->rx.cons)
		FZ_CHECK(!notify);
}

/* Like publish, but the data event must stay where it was. */
static void do_release(struct fz_rx *f)
{
	struct fz_snap b;
	bool notify = true;

	snap(f, &b);
	xl_fifo_rx_release(&f->rx, &notify);
	check_common(f, &b);
	FZ_CHECK(get_le32(&f->own->rx_prod_event) == b.own_event);
	if (f->rx.broken) {
		FZ_CHECK(!notify);
		return;
	}
	FZ_CHECK(f->rx.cons_pub == f->rx.cons);
	if (b.cons_pub == f->rx.cons)
		FZ_CHECK(!notify);
}

/* The peer sends one well-formed record through the real producer. */
static void peer_send(struct fz_rx *f, u32 len, u8 how)
{
	struct xl_fifo_rec m = { .l3 = (how & 2) ? XL_L3_IPV6 : XL_L3_IPV4,
				 .src_vif = how, .dst_vif = ~how };
	u8 *p;

	len = len % f->tx.max_payload + 1;
	p = xl_fifo_reserve(&f->tx, len, NULL);
	if (p) {
		memset(p, how, len);
		m.len = len;
		xl_fifo_commit(&f->tx, &m);
	}
	if (how & 1)
		xl_fifo_tx_publish(&f->tx);
}

static void run_op(struct fz_rx *f, struct fz_in *in)
{
	u32 v, off, n, i;
	u8 hdr[FZ_HDR];

	switch (fz_u8(in) % RX_OP_MAX) {
	case RX_OP_READ:
		do_read(f, false);
		break;
	case RX_OP_READ_CONSUME:
		do_read(f, true);
		break;
	case RX_OP_CONSUME_LAST:
		do_consume_last(f);
		break;
	case RX_OP_DRAIN:
		n = fz_u8(in) + 1u;
		for (i = 0; i < n; i++) {
			enum xl_fifo_status st = do_read(f, true);

			if (st != XL_FIFO_OK && st != XL_FIFO_DROP)
				break;
		}
		break;
	case RX_OP_PUBLISH:
		do_publish(f);
		break;
	case RX_OP_RELEASE:
		do_release(f);
		break;
	case RX_OP_PROD_SET:
		put_le32(&f->peer->tx_prod, fz_u32(in));
		break;
	case RX_OP_PROD_REL:
		put_le32(&f->peer->tx_prod, f->rx.cons + fz_u16(in));
		break;
	case RX_OP_PROD_ADD:
		v = get_le32(&f->peer->tx_prod);
		put_le32(&f->peer->tx_prod, v + fz_u16(in));
		break;
	case RX_OP_WRITE:
		off = f->rx.cons + fz_u16(in);
		n = fz_u8(in);
		for (i = 0; i < n && in->n; i++)
			f->data[(off + i) & f->mask] = fz_u8(in);
		break;
	case RX_OP_HDR:
		off = (f->rx.cons + 16 * fz_u16(in)) & f->mask;
		for (i = 0; i < FZ_HDR; i++)
			hdr[i] = fz_u8(in);
		memcpy(f->data + off, hdr, FZ_HDR);
		break;
	case RX_OP_FLIP:
		off = f->rx.cons + fz_u16(in);
		f->data[off & f->mask] ^= fz_u8(in);
		break;
	case RX_OP_CTRL:
		off = (fz_u16(in) % XL_PAGE_SIZE) & ~3u;
		put_le32((u8 *)f->peer + off, fz_u32(in));
		break;
	case RX_OP_PEER_SEND:
		v = fz_u16(in);
		peer_send(f, v, fz_u8(in));
		break;
	case RX_OP_PEER_RESET:
		xl_fifo_tx_reset(&f->tx, f->rx.cons_pub);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *buf, size_t len);

int LLVMFuzzerTestOneInput(const u8 *buf, size_t len)
{
	static struct fz_rx f;
	struct fz_in in = { buf, len };
	u32 features, start, prod, event, img, i, ops;
	u8 fill;

	memset(&f.rx, 0, sizeof(f.rx));
	memset(&f.tx, 0, sizeof(f.tx));
	f.have_last = false;
	f.size = XL_PAGE_SIZE << (fz_u8(&in) % FZ_ORDERS);
	f.mask = f.size - 1;
	features = fz_u8(&in) & XL_FEAT_KNOWN;
	fill = fz_u8(&in);
	start = fz_u32(&in) & ~(XL_REC_ALIGN - 1);
	prod = fz_u32(&in);
	event = fz_u32(&in);
	img = fz_u16(&in);

	/* Exactly sized: one byte beyond either is an ASan report. */
	f.data = malloc(f.size);
	f.peer = malloc(sizeof(*f.peer));
	f.own = malloc(sizeof(*f.own));
	FZ_CHECK(f.data && f.peer && f.own);
	FZ_CHECK(!((uintptr_t)f.data & (XL_REC_ALIGN - 1)));

	xl_fifo_ctrl_init(f.peer, 0, features);
	xl_fifo_ctrl_init(f.own, 0, features);
	FZ_CHECK(!xl_fifo_rx_init(&f.rx, f.data, f.size, f.own, f.peer,
				  features));
	FZ_CHECK(!xl_fifo_rx_reset(&f.rx, start));
	FZ_CHECK(!xl_fifo_tx_init(&f.tx, f.data, f.size, f.peer, f.own,
				  features));
	FZ_CHECK(!xl_fifo_tx_reset(&f.tx, start));

	memset(f.data, fill, f.size);
	for (i = 0; i < img && in.n; i++)
		f.data[(start + i) & f.mask] = fz_u8(&in);
	put_le32(&f.peer->tx_prod, start + prod);
	put_le32(&f.peer->tx_cons_event, event);

	for (ops = 0; in.n && ops < FZ_MAX_OPS; ops++)
		run_op(&f, &in);
	/* Finish with what a real receive loop does when woken. */
	do_read(&f, true);
	do_publish(&f);

	free(f.data);
	free(f.peer);
	free(f.own);
	return 0;
}
