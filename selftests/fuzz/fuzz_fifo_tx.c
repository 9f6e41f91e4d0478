// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the producer half of the xenloop FIFO
 * (module/fifo.c) against a consumer that lies about its index: the input
 * is both the caller of the producer (reserve, commit, publish, wait for
 * space) and the peer, which writes any value into its rx_cons and
 * rx_prod_event or, when it chooses, consumes honestly through the real
 * consumer.  The input format is in fuzz_fifo.h.
 *
 * The producer's area and both pages are allocated at exactly their size,
 * so ASan reports any access outside them, including a reservation that
 * hands out too many bytes (the harness fills every reserved byte).
 * After every call the harness checks, independently of fifo.c:
 *   - a reservation lies inside the area, inside the free space, and
 *     after everything committed; a pad header written on the way is
 *     correct;
 *   - committed bytes the validated consumer index has not passed are
 *     never rewritten, whatever the peer claims later;
 *   - the validated consumer index only moves forward, never past what
 *     was published, and is exactly what the peer wrote;
 *   - BROKEN is sticky and stops publishing;
 *   - an honest consumer reading the output of an honest caller never
 *     sees a broken record.
 */
#include <stdlib.h>
#include <string.h>

#include "fifo.h"
#include "../fifo/le.h"
#include "fuzz_fifo.h"
#include "fz_check.h"

struct fz_tx {
	u8 *data;			/* producer's area, exactly @size */
	u8 *shadow;			/* the area before the current call */
	struct xl_ctrl_page *own;	/* producer's page */
	struct xl_ctrl_page *peer;	/* consumer's page: the input's */
	u32 size;
	u32 mask;
	struct xl_fifo_tx tx;		/* under test */
	struct xl_fifo_rx rx;		/* an honest consumer, on demand */
	bool lied;			/* the peer wrote its own rx_cons */
	bool wild_meta;			/* commits with arbitrary fields */
	u8 copy[XL_REC_MAX_PAYLOAD];
};

struct fz_snap {
	u32 prod, prod_pub, cons, resv_len;
	bool broken;
	enum xl_fifo_err err;
	u32 own_prod;
};

static void snap(struct fz_tx *f, struct fz_snap *s)
{
	s->prod = f->tx.prod;
	s->prod_pub = f->tx.prod_pub;
	s->cons = f->tx.cons;
	s->resv_len = f->tx.resv_len;
	s->broken = f->tx.broken;
	s->err = f->tx.err;
	s->own_prod = get_le32(&f->own->tx_prod);
	memcpy(f->shadow, f->data, f->size);
}

/* Bytes [from, to) of the area (as indexes, to - from <= size) unchanged. */
static bool area_same(const struct fz_tx *f, u32 from, u32 to)
{
	u32 off = from & f->mask, n = to - from, first;

	if (!n)
		return true;
	first = n < f->size - off ? n : f->size - off;
	if (memcmp(f->data + off, f->shadow + off, first))
		return false;
	return !memcmp(f->data, f->shadow, n - first);
}

static void check_common(const struct fz_tx *f, const struct fz_snap *b)
{
	const struct xl_fifo_tx *tx = &f->tx;

	if (b->broken) {
		FZ_CHECK(tx->broken && tx->err == b->err);
		FZ_CHECK(tx->cons == b->cons && tx->prod_pub == b->prod_pub);
	}
	FZ_CHECK(tx->broken == (tx->err != XL_FIFO_ERR_NONE));
	if (tx->broken)
		FZ_CHECK(tx->err == XL_FIFO_ERR_CONS_AHEAD ||
			 tx->err == XL_FIFO_ERR_CONS_BACK);
	FZ_CHECK(!(tx->prod & (XL_REC_ALIGN - 1)));
	FZ_CHECK(!(tx->prod_pub & (XL_REC_ALIGN - 1)));
	FZ_CHECK(tx->prod - tx->cons <= f->size);
	FZ_CHECK(tx->prod_pub - tx->cons <= tx->prod - tx->cons);
	/* cons: forward, at most to what was published, as the peer said. */
	FZ_CHECK(tx->cons - b->cons <= b->prod_pub - b->cons);
	if (tx->cons != b->cons)
		FZ_CHECK(tx->cons == get_le32(&f->peer->rx_cons));
	/* prod: forward only; what is published is in our page. */
	FZ_CHECK(tx->prod - b->prod <= f->size);
	FZ_CHECK(get_le32(&f->own->tx_prod) == tx->prod_pub);
	/*
	 * Everything committed that the consumer has not released is left
	 * alone, even when the peer lied within range: then tx->cons moved
	 * and the bytes below it are the peer's loss.
	 */
	FZ_CHECK(area_same(f, tx->cons, b->prod));
}

static void do_reserve(struct fz_tx *f, u32 len, u8 fill)
{
	struct xl_fifo_tx *tx = &f->tx;
	struct fz_snap b;
	int err = 0;
	u32 r, off;
	u8 *p;

	snap(f, &b);
	p = xl_fifo_reserve(tx, len, &err);
	check_common(f, &b);
	if (tx->prod != b.prod) {
		/* A pad from b.prod to the end of the area. */
		off = b.prod & f->mask;
		FZ_CHECK(off && tx->prod == b.prod + (f->size - off));
		FZ_CHECK(f->data[off + 4] == XL_REC_PAD);
		FZ_CHECK(get_le32(f->data + off) == f->size - off - FZ_HDR);
	}
	if (!p) {
		FZ_CHECK(tx->resv_len == 0);
		if (tx->broken)
			FZ_CHECK(err == -EPIPE);
		else if (!len || len > tx->max_payload)
			FZ_CHECK(err == -EMSGSIZE);
		else
			FZ_CHECK(err == -ENOSPC);
		return;
	}
	FZ_CHECK(!tx->broken && len >= 1 && len <= tx->max_payload);
	FZ_CHECK(tx->resv_len == len);
	r = tx->prod;
	off = r & f->mask;
	FZ_CHECK(p == f->data + off + FZ_HDR);
	FZ_CHECK(off + rec_space(len) <= f->size);
	FZ_CHECK(r + rec_space(len) - tx->cons <= f->size);
	/* Every reserved byte is ours to write: ASan checks the range. */
	memset(p, fill, len);
}

static void do_commit(struct fz_tx *f, const struct xl_fifo_rec *m)
{
	struct xl_fifo_tx *tx = &f->tx;
	struct fz_snap b;
	const u8 *h;

	snap(f, &b);
	xl_fifo_commit(tx, m);
	check_common(f, &b);
	if (!m->len || m->len > b.resv_len) {
		FZ_CHECK(tx->prod == b.prod);
		return;
	}
	FZ_CHECK(tx->prod == b.prod + rec_space(m->len));
	FZ_CHECK(tx->resv_len == 0);
	h = f->data + (b.prod & f->mask);
	FZ_CHECK(get_le32(h) == m->len && h[4] == XL_REC_DATA);
	FZ_CHECK(h[5] == m->flags && h[6] == m->l3 && h[7] == m->csum);
	FZ_CHECK(h[8] == m->gso_type && h[9] == m->csum_offset);
	FZ_CHECK(h[14] == m->src_vif && h[15] == m->dst_vif);
}

static void do_publish(struct fz_tx *f)
{
	struct fz_snap b;

	snap(f, &b);
	xl_fifo_tx_publish(&f->tx);
	check_common(f, &b);
	FZ_CHECK(f->tx.prod == b.prod);
	if (!f->tx.broken)
		FZ_CHECK(f->tx.prod_pub == f->tx.prod);
	else
		FZ_CHECK(f->tx.prod_pub == b.prod_pub);
}

static void do_wait_space(struct fz_tx *f, u32 len)
{
	struct fz_snap b;

	snap(f, &b);
	xl_fifo_tx_wait_space(&f->tx, len);
	check_common(f, &b);
	FZ_CHECK(f->tx.prod == b.prod);
}

static void do_inflight(struct fz_tx *f)
{
	struct fz_snap b;
	u32 n;

	snap(f, &b);
	n = xl_fifo_tx_inflight(&f->tx);
	check_common(f, &b);
	if (f->tx.broken)
		FZ_CHECK(n == 0);
	else
		FZ_CHECK(n == f->tx.prod - f->tx.cons);
}

/* The peer consumes honestly through the real consumer. */
static void peer_read(struct fz_tx *f, u32 n)
{
	struct xl_fifo_rec rec;
	enum xl_fifo_status st;
	u32 i;

	for (i = 0; i < n; i++) {
		st = xl_fifo_read(&f->rx, &rec);
		if (!f->lied)
			FZ_CHECK(st != XL_FIFO_BROKEN);
		if (!f->lied && !f->wild_meta)
			FZ_CHECK(st != XL_FIFO_DROP);
		if (st == XL_FIFO_OK) {
			memcpy(f->copy, rec.payload, rec.len);
			xl_fifo_consume(&f->rx, &rec);
		} else if (st != XL_FIFO_DROP) {
			break;
		}
	}
	xl_fifo_rx_publish(&f->rx, NULL);
}

static void run_op(struct fz_tx *f, struct fz_in *in)
{
	struct xl_fifo_rec m;
	u32 v;

	switch (fz_u8(in) % TX_OP_MAX) {
	case TX_OP_RESERVE:
		v = fz_u16(in);
		do_reserve(f, v, fz_u8(in));
		break;
	case TX_OP_RESERVE_BIG:
		v = fz_u32(in);
		do_reserve(f, v, 0x5a);
		break;
	case TX_OP_COMMIT:
		memset(&m, 0, sizeof(m));
		m.len = fz_u16(in);
		m.flags = fz_u8(in);
		m.l3 = fz_u8(in);
		m.src_vif = fz_u8(in);
		m.dst_vif = fz_u8(in);
		m.csum = fz_u8(in);
		m.gso_type = fz_u8(in);
		m.gso_size = fz_u16(in);
		m.csum_start = fz_u8(in);
		m.csum_offset = fz_u8(in);
		f->wild_meta = true;
		do_commit(f, &m);
		break;
	case TX_OP_SEND:
		v = fz_u16(in) % f->tx.max_payload + 1;
		do_reserve(f, v, (u8)v);
		memset(&m, 0, sizeof(m));
		m.len = v;
		m.l3 = XL_L3_IPV6;
		do_commit(f, &m);
		break;
	case TX_OP_PUBLISH:
		do_publish(f);
		break;
	case TX_OP_WAIT_SPACE:
		do_wait_space(f, fz_u16(in));
		break;
	case TX_OP_INFLIGHT:
		do_inflight(f);
		break;
	case TX_OP_CONS_SET:
		put_le32(&f->peer->rx_cons, fz_u32(in));
		f->lied = true;
		break;
	case TX_OP_CONS_REL:
		put_le32(&f->peer->rx_cons, f->tx.cons + fz_u32(in));
		f->lied = true;
		break;
	case TX_OP_EVENT_SET:
		put_le32(&f->peer->rx_prod_event, fz_u32(in));
		break;
	case TX_OP_PEER_READ:
		peer_read(f, fz_u8(in) + 1u);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *buf, size_t len);

int LLVMFuzzerTestOneInput(const u8 *buf, size_t len)
{
	static struct fz_tx f;
	struct fz_in in = { buf, len };
	u32 features, start, ops;

	memset(&f.tx, 0, sizeof(f.tx));
	memset(&f.rx, 0, sizeof(f.rx));
	f.lied = false;
	f.wild_meta = false;
	f.size = XL_PAGE_SIZE << (fz_u8(&in) % FZ_ORDERS);
	f.mask = f.size - 1;
	features = fz_u8(&in) & XL_FEAT_KNOWN;
	start = fz_u32(&in) & ~(XL_REC_ALIGN - 1);

	f.data = malloc(f.size);
	f.shadow = malloc(f.size);
	f.own = malloc(sizeof(*f.own));
	f.peer = malloc(sizeof(*f.peer));
	FZ_CHECK(f.data && f.shadow && f.own && f.peer);
	memset(f.data, 0, f.size);
	xl_fifo_ctrl_init(f.own, 0, features);
	xl_fifo_ctrl_init(f.peer, 0, features);
	FZ_CHECK(!xl_fifo_tx_init(&f.tx, f.data, f.size, f.own, f.peer,
				  features));
	FZ_CHECK(!xl_fifo_tx_reset(&f.tx, start));
	FZ_CHECK(!xl_fifo_rx_init(&f.rx, f.data, f.size, f.peer, f.own,
				  features));
	FZ_CHECK(!xl_fifo_rx_reset(&f.rx, start));

	for (ops = 0; in.n && ops < FZ_MAX_OPS; ops++)
		run_op(&f, &in);
	do_publish(&f);
	do_inflight(&f);

	free(f.data);
	free(f.shadow);
	free(f.own);
	free(f.peer);
	return 0;
}
