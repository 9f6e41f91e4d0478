// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile-peer suite for the xenloop FIFO (module/fifo.c): one named test
 * per way a peer guest can lie through the pages it shares with us
 * (Documentation/channel-format.md, "Producer rules" and "Consumer
 * rules").  Each test asserts the exact outcome the format prescribes:
 * BROKEN with the specific error, DROP with the specific counter, or
 * harmless acceptance.
 *
 * Memory is laid out as a guest sees it (shm.h): the two control pages
 * and the data area live in a memfd, and every object is mapped between
 * PROT_NONE guard pages, writable for its owner and read-only for the
 * peer.  So a consumer reading even one byte outside the area, or writing
 * anything into the peer's pages, faults with or without ASan; so does a
 * producer writing outside its area.
 *
 * The test owns everything.  Page "a" belongs to the producer (tx_prod
 * ...), page "b" to the consumer (rx_cons ...).  To play a hostile
 * producer the test writes page a and the area raw, in wire format; to
 * play a hostile consumer it writes page b raw.  Whichever side is under
 * test is driven through fifo.h.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "fifo.h"
#include "le.h"
#include "shm.h"

#define FEAT_ALL	XL_FEAT_KNOWN
#define SZ_4K		4096u
#define SZ_64K		65536u
#define SZ_128K		(128u << 10)
#define SPACE(len)	((uint32_t)XL_REC_SPACE((uint32_t)(len)))
#define IPV4		XL_L3_IPV4
#define IPV6		XL_L3_IPV6
/* A "no error expected" value for the tables below. */
#define ACCEPT		XL_FIFO_ERR_NONE

/* ---- raw wire-format access (independent of fifo.c) ---------------- */

/* A record header in host order, as a (hostile) peer means to write it. */
struct raw_hdr {
	uint32_t len;
	uint8_t type;
	uint8_t flags;
	uint8_t l3;
	uint8_t csum;
	uint8_t gso_type;
	uint8_t csum_offset;
	uint16_t gso_size;
	uint16_t csum_start;
	uint8_t src_vif, dst_vif;
};

/* Initialisers for the tables. */
#define H_DATA(l, p)	{ .len = (l), .type = XL_REC_DATA, .l3 = (p) }
#define H_PAD(l)	{ .len = (l), .type = XL_REC_PAD }
#define H_TYPE(l, t)	{ .len = (l), .type = (t), .l3 = IPV4 }

static void put_rec(uint8_t *at, const struct raw_hdr *h)
{
	put_le32(at, h->len);
	at[4] = h->type;
	at[5] = h->flags;
	at[6] = h->l3;
	at[7] = h->csum;
	at[8] = h->gso_type;
	at[9] = h->csum_offset;
	put_le16(at + 10, h->gso_size);
	put_le16(at + 12, h->csum_start);
	at[14] = h->src_vif;
	at[15] = h->dst_vif;
}

static struct raw_hdr data_hdr(uint32_t len)
{
	struct raw_hdr h = { .len = len, .type = XL_REC_DATA, .l3 = IPV4 };

	return h;
}

static struct raw_hdr pad_hdr(uint32_t len)
{
	struct raw_hdr h = { .len = len, .type = XL_REC_PAD };

	return h;
}

/* Xen's event-index rule, restated: old < event <= new (mod 2^32). */
static bool crossed(uint32_t event, uint32_t old, uint32_t new)
{
	return (uint32_t)(new - event) < (uint32_t)(new - old);
}

/* ---- one channel direction in guarded shared memory ------------------ */

struct hchan {
	int fd;
	uint32_t size;
	uint32_t index;				/* where both sides started */
	struct xl_ctrl_page *a;			/* producer's page, its view */
	const struct xl_ctrl_page *a_ro;	/* the consumer's view of it */
	struct xl_ctrl_page *b;			/* consumer's page, its view */
	const struct xl_ctrl_page *b_ro;	/* the producer's view of it */
	uint8_t *data;				/* the area, producer's view */
	const uint8_t *data_ro;			/* the consumer's view of it */
	bool garbage;				/* the test scribbles pages */
	struct xl_fifo_tx tx;
	struct xl_fifo_rx rx;
	uint8_t snap_a[SZ_4K], snap_b[SZ_4K];	/* pages after set-up */
};

/* For the fault handler: what was running, and where its objects are. */
static const char *cur_test;
static struct hchan *cur_chan;

static void chan_unmap(struct hchan *c)
{
	shm_unmap(c->a, SZ_4K);
	shm_unmap(c->a_ro, SZ_4K);
	shm_unmap(c->b, SZ_4K);
	shm_unmap(c->b_ro, SZ_4K);
	shm_unmap(c->data, c->size);
	shm_unmap(c->data_ro, c->size);
	if (c->fd >= 0)
		close(c->fd);
	if (cur_chan == c)
		cur_chan = NULL;
	c->fd = -1;
	c->a = NULL;
	c->a_ro = NULL;
	c->b = NULL;
	c->b_ro = NULL;
	c->data = NULL;
	c->data_ro = NULL;
}

/*
 * Producer (page a, area) and consumer (page b) of one direction of
 * @size bytes, both starting at @index.  Each object is mapped twice,
 * writable for its owner and read-only for the other side.
 */
static bool chan_open(struct hchan *c, uint32_t size, uint32_t features,
		      uint32_t index)
{
	uint32_t order = __builtin_ctz(size / SZ_4K);

	memset(c, 0, sizeof(*c));
	c->size = size;
	c->index = index;
	c->fd = shm_create("xl-hostile", 2 * SZ_4K + (size_t)size);
	if (c->fd < 0)
		goto fail;
	c->a = shm_map(c->fd, 0, SZ_4K, PROT_READ | PROT_WRITE);
	c->a_ro = shm_map(c->fd, 0, SZ_4K, PROT_READ);
	c->b = shm_map(c->fd, SZ_4K, SZ_4K, PROT_READ | PROT_WRITE);
	c->b_ro = shm_map(c->fd, SZ_4K, SZ_4K, PROT_READ);
	c->data = shm_map(c->fd, 2 * SZ_4K, size, PROT_READ | PROT_WRITE);
	c->data_ro = shm_map(c->fd, 2 * SZ_4K, size, PROT_READ);
	if (!c->a || !c->a_ro || !c->b || !c->b_ro || !c->data ||
	    !c->data_ro)
		goto fail;
	cur_chan = c;
	xl_fifo_ctrl_init(c->a, order, features);
	xl_fifo_ctrl_init(c->b, order, features);
	if (xl_fifo_tx_init(&c->tx, c->data, size, c->a, c->b_ro, features) ||
	    xl_fifo_rx_init(&c->rx, c->data_ro, size, c->b, c->a_ro,
			    features) ||
	    xl_fifo_tx_reset(&c->tx, index) || xl_fifo_rx_reset(&c->rx, index))
		goto fail;
	memcpy(c->snap_a, c->a, SZ_4K);
	memcpy(c->snap_b, c->b, SZ_4K);
	return true;
fail:
	tap_diag("chan_open(%u, %#x, %#x) failed", size, features, index);
	chan_unmap(c);
	return false;
}

/*
 * Tear down, checking that nobody wrote the control pages outside the
 * index lines (64..71: tx_prod, tx_cons_event; 128..135: rx_cons,
 * rx_prod_event), unless the test scribbled there itself.
 */
static bool chan_close(struct hchan *c)
{
	const uint8_t *pa = (const uint8_t *)c->a_ro;
	const uint8_t *pb = (const uint8_t *)c->b_ro;
	bool ok = true;
	uint32_t i;

	for (i = 0; i < SZ_4K && !c->garbage; i++) {
		if ((i >= 64 && i < 72) || (i >= 128 && i < 136))
			continue;
		if (pa[i] != c->snap_a[i] || pb[i] != c->snap_b[i]) {
			tap_diag("control page byte %u changed", i);
			ok = false;
			break;
		}
	}
	chan_unmap(c);
	return ok;
}

static uint32_t mask(const struct hchan *c, uint32_t index)
{
	return index & (c->size - 1);
}

/* Hostile producer: a raw header at @index, and a raw tx_prod. */
static void peer_rec(struct hchan *c, uint32_t index, const struct raw_hdr *h)
{
	put_rec(c->data + mask(c, index), h);
}

static void peer_prod(struct hchan *c, uint32_t prod)
{
	put_le32(&c->a->tx_prod, prod);
}

/* Hostile consumer: a raw rx_cons. */
static void peer_cons(struct hchan *c, uint32_t cons)
{
	put_le32(&c->b->rx_cons, cons);
}

static enum xl_fifo_status read_st(struct hchan *c)
{
	struct xl_fifo_rec r;

	return xl_fifo_read(&c->rx, &r);
}

/* Read one record of @len bytes at the consumer's position, consume it. */
static bool recv_len(struct hchan *c, uint32_t len)
{
	struct xl_fifo_rec r;
	enum xl_fifo_status st = xl_fifo_read(&c->rx, &r);
	uint32_t off = mask(c, c->rx.cons);
	bool ok = true;

	TAP_CHECK(st == XL_FIFO_OK);
	if (st != XL_FIFO_OK) {
		tap_diag("status %d err %s", st, xl_fifo_err_str(c->rx.err));
		return false;
	}
	TAP_CHECK(r.len == len);
	TAP_CHECK(r.payload == c->data_ro + off + 16);
	TAP_CHECK(off + SPACE(r.len) <= c->size);
	xl_fifo_consume(&c->rx, &r);
	return ok;
}

static void pattern(uint8_t *p, uint32_t len, uint32_t seq)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seq * 131 + i * 7);
}

/* Real producer: one IPv4 record of @len bytes; returns reserve's error. */
static int send_rec(struct hchan *c, uint32_t len, uint32_t seq)
{
	struct xl_fifo_rec m = { .len = len, .l3 = IPV4 };
	int err = 0;
	uint8_t *p = xl_fifo_reserve(&c->tx, len, &err);

	if (!p)
		return err ? err : -1000;
	/* The room handed out lies inside the area, after a header. */
	if (p < c->data + 16 || p + len > c->data + c->size ||
	    (uintptr_t)(p - c->data) % 16 != 0)
		return -2000;
	pattern(p, len, seq);
	xl_fifo_commit(&c->tx, &m);
	return 0;
}

/* Read, check against pattern(seq) and consume one record. */
static bool recv_rec(struct hchan *c, uint32_t len, uint32_t seq)
{
	uint8_t want[SZ_4K];
	struct xl_fifo_rec r;
	enum xl_fifo_status st = xl_fifo_read(&c->rx, &r);

	if (st != XL_FIFO_OK || r.len != len || len > sizeof(want)) {
		tap_diag("record %u: status %d (%s) len %u, want len %u", seq,
			 st, xl_fifo_err_str(c->rx.err),
			 st == XL_FIFO_OK ? r.len : 0, len);
		return false;
	}
	pattern(want, len, seq);
	if (memcmp(r.payload, want, len)) {
		tap_diag("record %u: payload differs", seq);
		return false;
	}
	xl_fifo_consume(&c->rx, &r);
	return true;
}

/*
 * What the real producer sent and the consumer has not checked yet, for
 * the tests that mix random sends and reads: the lengths of at most 64
 * records, by sequence number.
 */
struct backlog {
	uint32_t sent;
	uint32_t got;
	uint32_t lens[64];
};

/*
 * Send up to @n records of 1 to @max_len bytes, each length drawn from
 * @rng; fewer once 64 are outstanding or the area is full.
 */
static void send_random(struct hchan *c, struct backlog *b, uint64_t *rng,
			uint32_t n, uint32_t max_len)
{
	for (; n && b->sent - b->got < 64; n--) {
		uint32_t len = 1 + xl_rng(rng) % max_len;

		if (send_rec(c, len, b->sent))
			break;
		b->lens[b->sent++ % 64] = len;
	}
}

/* Read, check against what was sent and consume the next @n records. */
static bool recv_backlog(struct hchan *c, struct backlog *b, uint32_t n)
{
	for (; n; n--, b->got++)
		if (!recv_rec(c, b->lens[b->got % 64], b->got))
			return false;
	return true;
}

/*
 * The consumer must report BROKEN with @err, keep doing so, publish
 * nothing more and never ask to notify.
 */
static bool expect_broken(struct hchan *c, enum xl_fifo_err err)
{
	bool ok = true, notify = true;
	uint32_t cons;
	int i;

	/* The breaking call may have skipped a pad: callers check cons. */
	TAP_CHECK(read_st(c) == XL_FIFO_BROKEN);
	TAP_CHECK(c->rx.broken && c->rx.err == err);
	cons = c->rx.cons;
	for (i = 0; i < 3; i++)
		TAP_CHECK(read_st(c) == XL_FIFO_BROKEN);
	TAP_CHECK(xl_fifo_rx_publish(&c->rx, &notify) && !notify);
	TAP_CHECK(c->rx.err == err && c->rx.cons == cons);
	TAP_CHECK(get_le32(&c->b_ro->rx_cons) == c->rx.cons_pub);
	if (!ok)
		tap_diag("want \"%s\", got \"%s\"", xl_fifo_err_str(err),
			 xl_fifo_err_str(c->rx.err));
	return ok;
}

/*
 * One record @h at @index + @at in an area of @size, the peer publishing
 * @index + @prod: expect BROKEN with @err, or (ACCEPT) the record.
 */
struct rec_case {
	uint32_t size;
	uint32_t index;
	uint32_t at;
	struct raw_hdr h;
	uint32_t prod;
	enum xl_fifo_err err;
};

static bool run_rec_case(const struct rec_case *rc)
{
	struct hchan c;
	bool ok = true;

	if (!chan_open(&c, rc->size, FEAT_ALL, rc->index))
		return false;
	peer_rec(&c, rc->index + rc->at, &rc->h);
	peer_prod(&c, rc->index + rc->prod);
	if (rc->err != ACCEPT) {
		if (rc->at) {
			/* Only pads may come before: they are skipped. */
			TAP_CHECK(c.rx.cons == rc->index);
		}
		ok = expect_broken(&c, rc->err);
	} else {
		TAP_CHECK(recv_len(&c, rc->h.len));
		TAP_CHECK(c.rx.cons - rc->index == rc->at + SPACE(rc->h.len));
		TAP_CHECK(!c.rx.broken && c.rx.err == XL_FIFO_ERR_NONE);
	}
	if (!ok)
		tap_diag("size %u index %#x at %u len %#x type %u prod +%#x",
			 rc->size, rc->index, rc->at, rc->h.len, rc->h.type,
			 rc->prod);
	return chan_close(&c) && ok;
}

static bool run_rec_cases(const struct rec_case *rc, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!run_rec_case(&rc[i]))
			return false;
	return true;
}

/*
 * Semantic fields: the bad record @h, then a good one.  @drop is the
 * counter that must go up by one, or -1 if @h must be accepted as is;
 * either way the good record follows and the FIFO stays up.
 */
static bool run_drop(uint32_t features, const struct raw_hdr *h, int drop)
{
	uint64_t want[XL_FIFO_DROP_MAX] = { 0 };
	struct raw_hdr good = data_hdr(33);
	uint32_t index = 0xfffffc00u;	/* and across 2^32, why not */
	struct xl_fifo_rec r;
	enum xl_fifo_status st;
	struct hchan c;
	bool ok = true;

	if (!chan_open(&c, SZ_4K, features, index))
		return false;
	peer_rec(&c, index, h);
	peer_rec(&c, index + SPACE(h->len), &good);
	peer_prod(&c, index + SPACE(h->len) + SPACE(good.len));
	st = xl_fifo_read(&c.rx, &r);
	if (drop >= 0) {
		TAP_CHECK(st == XL_FIFO_DROP);
		want[drop] = 1;
		TAP_CHECK(c.rx.cons == index + SPACE(h->len));
	} else {
		TAP_CHECK(st == XL_FIFO_OK);
		if (st == XL_FIFO_OK) {
			TAP_CHECK(r.len == h->len && r.l3 == h->l3);
			TAP_CHECK(r.flags == h->flags && r.csum == h->csum);
			TAP_CHECK(r.gso_type == h->gso_type);
			TAP_CHECK(r.gso_size == h->gso_size);
			TAP_CHECK(r.csum_start == h->csum_start);
			TAP_CHECK(r.csum_offset == h->csum_offset);
			xl_fifo_consume(&c.rx, &r);
		}
	}
	TAP_CHECK(memcmp(c.rx.drops, want, sizeof(want)) == 0);
	TAP_CHECK(recv_len(&c, good.len));
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	TAP_CHECK(!c.rx.broken && c.rx.err == XL_FIFO_ERR_NONE);
	if (!ok) {
		tap_diag("features %#x len %u flags %#x l3 %u", features,
			 h->len, h->flags, h->l3);
		tap_diag("csum %u at %u+%u, gso %u/%u: status %d, want drop %d",
			 h->csum, h->csum_start, h->csum_offset, h->gso_type,
			 h->gso_size, st, drop);
	}
	return chan_close(&c) && ok;
}

/* ==== the producer index ============================================== */

/* Exactly one area ahead is a full ring, not a lie, also across 2^32. */
static bool test_prod_full_ring(void)
{
	static const uint32_t starts[] = { 0x1000, 0xfffff800u, 0xffffff00u };
	unsigned int s, i;
	bool ok = true;

	for (s = 0; s < ARRAY_SIZE(starts); s++) {
		uint32_t index = starts[s];
		struct raw_hdr h = data_hdr(240);
		struct hchan c;

		if (!chan_open(&c, SZ_4K, 0, index))
			return false;
		for (i = 0; i < 16; i++)
			peer_rec(&c, index + 256 * i, &h);
		peer_prod(&c, index + SZ_4K);
		for (i = 0; i < 16; i++)
			TAP_CHECK(recv_len(&c, 240));
		TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
		TAP_CHECK(!xl_fifo_rx_publish(&c.rx, NULL));
		TAP_CHECK(get_le32(&c.b_ro->rx_cons) == index + SZ_4K);
		TAP_CHECK(!c.rx.broken);
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

/* More than one area ahead of our cons: PROD_AHEAD, from any snapshot. */
static bool test_prod_ahead(void)
{
	static const uint32_t deltas[] = {
		SZ_4K + 16, SZ_4K + SZ_4K, 3 * SZ_4K, 0x10000000u, 0x7ffffff0u,
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(deltas); i++) {
		struct raw_hdr h = data_hdr(16);
		struct hchan c;

		/* First look. */
		if (!chan_open(&c, SZ_4K, 0, 0x100))
			return false;
		peer_rec(&c, 0x100, &h);
		peer_prod(&c, 0x100 + deltas[i]);
		TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_PROD_AHEAD));
		TAP_CHECK(chan_close(&c));

		/* After a valid snapshot, seen by the final check. */
		if (!chan_open(&c, SZ_4K, 0, 0x100))
			return false;
		peer_rec(&c, 0x100, &h);
		peer_rec(&c, 0x120, &h);
		peer_prod(&c, 0x140);
		TAP_CHECK(recv_len(&c, 16));
		peer_prod(&c, 0x120 + deltas[i]);	/* from cons */
		TAP_CHECK(xl_fifo_rx_publish(&c.rx, NULL));
		TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_PROD_AHEAD));
		TAP_CHECK(get_le32(&c.b_ro->rx_cons) == 0x120);
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

/*
 * tx_prod moved back from our snapshot: by @back from the snapshot at
 * cons + 128 (the consumer has read two of four 32-byte records).
 */
static bool prod_back_case(uint32_t index, uint32_t back)
{
	struct raw_hdr h = data_hdr(16);
	struct hchan c;
	bool ok = true;
	int i;

	if (!chan_open(&c, SZ_4K, 0, index))
		return false;
	for (i = 0; i < 4; i++)
		peer_rec(&c, index + 32 * i, &h);
	peer_prod(&c, index + 128);
	TAP_CHECK(recv_len(&c, 16));		/* snapshot: index + 128 */
	TAP_CHECK(recv_len(&c, 16));
	peer_prod(&c, index + 128 - back);
	/* The final check of a publish sees it first ... */
	TAP_CHECK(xl_fifo_rx_publish(&c.rx, NULL));
	TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_PROD_BACK));
	TAP_CHECK(chan_close(&c));

	/* ... or a read, once the snapshot is used up. */
	if (!chan_open(&c, SZ_4K, 0, index))
		return false;
	for (i = 0; i < 4; i++)
		peer_rec(&c, index + 32 * i, &h);
	peer_prod(&c, index + 128);
	for (i = 0; i < 4; i++)
		TAP_CHECK(recv_len(&c, 16));
	peer_prod(&c, index + 128 - back);
	TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_PROD_BACK));
	TAP_CHECK(chan_close(&c));
	if (!ok)
		tap_diag("index %#x back %#x", index, back);
	return ok;
}

/* Each step back in @backs, from an index below 2^32 and one across it. */
static bool prod_back_cases(const uint32_t *backs, unsigned int n)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < n; i++) {
		TAP_CHECK(prod_back_case(0x2000, backs[i]));
		TAP_CHECK(prod_back_case(0xffffffc0u, backs[i]));
	}
	return ok;
}

static bool test_prod_back_little(void)
{
	static const uint32_t backs[] = { 16, 32, 64, 96, 128, 144 };

	return prod_back_cases(backs, ARRAY_SIZE(backs));
}

static bool test_prod_back_lot(void)
{
	static const uint32_t backs[] = {
		SZ_4K - 16, SZ_4K, SZ_4K + 16, 0x10000000u, 0x7ffffff0u,
	};

	return prod_back_cases(backs, ARRAY_SIZE(backs));
}

/* A peer going through 2^32 by the rules keeps working. */
static bool test_prod_wrap_legit(void)
{
	static const uint32_t starts[] = {
		0xffffff00u, 0xfffffff0u, 0xfffff000u, 0xffffe010u,
	};
	uint64_t rng = 0x243f6a8885a308d3ull;
	unsigned int s;
	bool ok = true;

	for (s = 0; s < ARRAY_SIZE(starts) && ok; s++) {
		uint32_t last_pub = starts[s];
		struct backlog b = { 0 };
		bool wrapped = false;
		struct hchan c;
		int round;

		if (!chan_open(&c, SZ_4K, 0, starts[s]))
			return false;
		for (round = 0; round < 300 && ok; round++) {
			uint32_t want = 1 + xl_rng(&rng) % 12, pub;

			send_random(&c, &b, &rng, want, 700);
			xl_fifo_tx_publish(&c.tx);
			/* What the peer really published, raw. */
			pub = get_le32(&c.a_ro->tx_prod);
			TAP_CHECK(pub == c.tx.prod);
			if (pub < last_pub)
				wrapped = true;
			last_pub = pub;
			want = xl_rng(&rng) % (b.sent - b.got + 1);
			TAP_CHECK(recv_backlog(&c, &b, want));
			xl_fifo_rx_publish(&c.rx, NULL);
		}
		TAP_CHECK(recv_backlog(&c, &b, b.sent - b.got));
		TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
		TAP_CHECK(!xl_fifo_rx_publish(&c.rx, NULL));
		TAP_CHECK(wrapped && c.rx.cons < starts[s]);
		TAP_CHECK(get_le32(&c.b_ro->rx_cons) == c.tx.prod);
		TAP_CHECK(!c.tx.broken && !c.rx.broken);
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

/* Jumps that only look like a wrap through 2^32. */
static bool test_prod_wrap_fake(void)
{
	static const struct {
		uint32_t index;		/* cons */
		uint32_t prod;		/* what the peer publishes */
		enum xl_fifo_err err;
	} cases[] = {
		/* "Wrapped" by more than the area. */
		{ 0xffffff00u, 0x00001000u, XL_FIFO_ERR_PROD_AHEAD },
		{ 0xffffff00u, 0x00000f10u, XL_FIFO_ERR_PROD_AHEAD },
		{ 0xfffffff0u, 0x7fffffe0u, XL_FIFO_ERR_PROD_AHEAD },
		/* Back to before a wrap that already happened. */
		{ 0x00000100u, 0xfffffff0u, XL_FIFO_ERR_PROD_BACK },
		{ 0x00000000u, 0xffffff00u, XL_FIFO_ERR_PROD_BACK },
		{ 0x00000010u, 0xfffff010u, XL_FIFO_ERR_PROD_BACK },
		/* The real thing, to the byte: a full area across 2^32. */
		{ 0xfffff800u, 0x00000800u, ACCEPT },
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct raw_hdr h = data_hdr(2048 - 16);
		struct hchan c;

		if (!chan_open(&c, SZ_4K, 0, cases[i].index))
			return false;
		if (cases[i].err == ACCEPT) {
			/* A 2 KiB pad to the area end, a 2 KiB record at 0. */
			struct raw_hdr pad = pad_hdr(2048 - 16);

			peer_rec(&c, cases[i].index, &pad);
			peer_rec(&c, 0, &h);
			peer_prod(&c, cases[i].prod);
			TAP_CHECK(recv_len(&c, 2048 - 16));
			TAP_CHECK(c.rx.cons == cases[i].prod);
			TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
			TAP_CHECK(!c.rx.broken);
		} else {
			h.len = 16;
			peer_rec(&c, cases[i].index, &h);
			peer_prod(&c, cases[i].prod);
			TAP_CHECK(expect_broken(&c, cases[i].err));
		}
		TAP_CHECK(chan_close(&c));
		if (!ok) {
			tap_diag("case %u", i);
			break;
		}
	}
	return ok;
}

static bool test_prod_unaligned(void)
{
	static const uint32_t deltas[] = { 1, 8, 15, 17, 40, SZ_4K - 1 };
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(deltas); i++) {
		struct raw_hdr h = data_hdr(16);
		struct hchan c;

		/* At the first look, nothing read yet. */
		if (!chan_open(&c, SZ_4K, 0, 0xfffffff0u))
			return false;
		peer_rec(&c, 0xfffffff0u, &h);
		peer_prod(&c, 0xfffffff0u + deltas[i]);
		TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_PROD_ALIGN));
		TAP_CHECK(c.rx.cons == 0xfffffff0u);
		TAP_CHECK(chan_close(&c));

		/* After a record: the final check of a publish. */
		if (!chan_open(&c, SZ_4K, 0, 0))
			return false;
		peer_rec(&c, 0, &h);
		peer_prod(&c, 32);
		TAP_CHECK(recv_len(&c, 16));
		peer_prod(&c, 32 + deltas[i]);
		TAP_CHECK(xl_fifo_rx_publish(&c.rx, NULL));
		TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_PROD_ALIGN));
		TAP_CHECK(get_le32(&c.b_ro->rx_cons) == 32);
		TAP_CHECK(chan_close(&c));
	}
	/* Unaligned and too far: the distance is checked first. */
	{
		struct hchan c;

		if (!chan_open(&c, SZ_4K, 0, 0))
			return false;
		peer_prod(&c, SZ_4K + 1);
		TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_PROD_AHEAD));
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

/* ==== record lengths ================================================== */

static bool test_len_zero(void)
{
	static const struct rec_case cases[] = {
		{ SZ_4K, 0, 0, { .type = XL_REC_DATA, .l3 = IPV4 }, 16,
		  XL_FIFO_ERR_REC_LEN },
		{ SZ_4K, 0, 0, { .type = XL_REC_DATA, .l3 = IPV4 }, 32,
		  XL_FIFO_ERR_REC_LEN },
		{ SZ_4K, 4080, 0, { .type = XL_REC_DATA, .l3 = IPV4 }, 16,
		  XL_FIFO_ERR_REC_LEN },
		{ SZ_64K, 0xfffffff0u, 0, { .type = XL_REC_DATA }, 64,
		  XL_FIFO_ERR_REC_LEN },
	};

	return run_rec_cases(cases, ARRAY_SIZE(cases));
}

/* Above max_payload = min(65536, size - 16), and the maxima themselves. */
static bool test_len_above_max(void)
{
	static const struct rec_case cases[] = {
		{ SZ_4K, 0, 0, H_DATA(4081, IPV4), SZ_4K,
		  XL_FIFO_ERR_REC_LEN },
		{ SZ_4K, 0, 0, H_DATA(4080, IPV4), SZ_4K, ACCEPT },
		{ SZ_64K, 0, 0, H_DATA(65521, IPV4), SZ_64K,
		  XL_FIFO_ERR_REC_LEN },
		{ SZ_64K, 0, 0, H_DATA(65520, IPV4), SZ_64K,
		  ACCEPT },
		{ SZ_128K, 0, 0, H_DATA(65537, IPV4),
		  SPACE(65537), XL_FIFO_ERR_REC_LEN },
		{ SZ_128K, 0, 0, H_DATA(65536, IPV4),
		  SPACE(65536), ACCEPT },
		{ SZ_128K, 0xfffe0000u, 0, H_DATA(65536, IPV6),
		  SPACE(65536), ACCEPT },
		{ 16u << 20, 0, 0, H_DATA(65552, IPV4),
		  SPACE(65552), XL_FIFO_ERR_REC_LEN },
	};

	return run_rec_cases(cases, ARRAY_SIZE(cases));
}

/* Lengths beyond the whole area, including ones whose SPACE() overflows. */
static bool test_len_above_ring(void)
{
	static const uint32_t lens[] = {
		SZ_4K, SZ_4K + 1, 8192, 65536, 0x10000000u, 0x7fffffffu,
		0xfffffff0u, 0xfffffff1u, 0xffffffffu,
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		struct rec_case rc = {
			SZ_4K, 0x40, 0, data_hdr(lens[i]), SZ_4K,
			XL_FIFO_ERR_REC_LEN,
		};

		TAP_CHECK(run_rec_case(&rc));
		rc.size = SZ_64K;
		rc.prod = 64;
		TAP_CHECK(lens[i] == SZ_4K || lens[i] == SZ_4K + 1 ||
			  lens[i] == 8192 || run_rec_case(&rc));
	}
	return ok;
}

/* SPACE(len) reaches past what was published: truncated. */
static bool test_len_truncated(void)
{
	static const struct rec_case cases[] = {
		{ SZ_4K, 0, 0, H_DATA(17, IPV4), 32,
		  XL_FIFO_ERR_REC_TRUNC },
		{ SZ_4K, 0, 0, H_DATA(100, IPV4), 64,
		  XL_FIFO_ERR_REC_TRUNC },
		{ SZ_4K, 0, 0, H_DATA(4080, IPV4), 4080,
		  XL_FIFO_ERR_REC_TRUNC },
		{ SZ_4K, 0xfffff800u, 0, H_DATA(2000, IPV4), 2000,
		  XL_FIFO_ERR_REC_TRUNC },
		/* Ending exactly at prod is fine. */
		{ SZ_4K, 0, 0, H_DATA(16, IPV4), 32, ACCEPT },
		{ SZ_4K, 0, 0, H_DATA(17, IPV4), 48, ACCEPT },
	};
	struct raw_hdr h = data_hdr(16), bad = data_hdr(200);
	struct hchan c;
	bool ok = run_rec_cases(cases, ARRAY_SIZE(cases));

	/* A good record, then one running past prod. */
	if (!chan_open(&c, SZ_4K, 0, 0))
		return false;
	peer_rec(&c, 0, &h);
	peer_rec(&c, 32, &bad);
	peer_prod(&c, 32 + 128);
	TAP_CHECK(recv_len(&c, 16));
	TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_REC_TRUNC));
	TAP_CHECK(c.rx.cons == 32);
	TAP_CHECK(chan_close(&c));
	return ok;
}

/* Checksum offsets that leave the payload: DROP_CSUM. */
static bool test_csum_offsets(void)
{
	static const struct {
		uint16_t start, off;
		int drop;
	} cases[] = {
		{ 90, 9, XL_FIFO_DROP_CSUM }, { 99, 0, XL_FIFO_DROP_CSUM },
		{ 100, 0, XL_FIFO_DROP_CSUM }, { 0, 99, XL_FIFO_DROP_CSUM },
		{ 0xffff, 0xffff, XL_FIFO_DROP_CSUM },
		{ 0xffff, 0, XL_FIFO_DROP_CSUM }, { 1, 0xffff, XL_FIFO_DROP_CSUM },
		{ 90, 8, -1 }, { 0, 98, -1 }, { 98, 0, -1 }, { 20, 16, -1 },
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct raw_hdr h = data_hdr(100);

		h.csum = XL_CSUM_PARTIAL;
		h.csum_start = cases[i].start;
		h.csum_offset = cases[i].off;
		TAP_CHECK(run_drop(XL_FEAT_CSUM_PARTIAL, &h, cases[i].drop));
	}
	return ok;
}

/* gso_size not smaller than len, 0 with GSO, set without GSO: DROP_GSO. */
static bool test_gso_size(void)
{
	static const struct {
		uint8_t type;
		uint16_t size;
		int drop;
	} cases[] = {
		{ XL_GSO_TCPV4, 100, XL_FIFO_DROP_GSO },
		{ XL_GSO_TCPV4, 101, XL_FIFO_DROP_GSO },
		{ XL_GSO_TCPV6, 0xffff, XL_FIFO_DROP_GSO },
		{ XL_GSO_UDP_L4, 0, XL_FIFO_DROP_GSO },
		{ XL_GSO_NONE, 1, XL_FIFO_DROP_GSO },
		{ XL_GSO_NONE, 0xffff, XL_FIFO_DROP_GSO },
		{ XL_GSO_TCPV4, 99, -1 }, { XL_GSO_UDP_L4, 1, -1 },
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct raw_hdr h = data_hdr(100);

		h.gso_type = cases[i].type;
		h.gso_size = cases[i].size;
		TAP_CHECK(run_drop(FEAT_ALL, &h, cases[i].drop));
	}
	return ok;
}

/* A GSO type that was not agreed, or that does not exist: DROP_GSO. */
static bool test_gso_feature(void)
{
	static const struct {
		uint8_t type;
		uint32_t feat;
	} types[] = {
		{ XL_GSO_TCPV4, XL_FEAT_GSO_TCPV4 },
		{ XL_GSO_TCPV6, XL_FEAT_GSO_TCPV6 },
		{ XL_GSO_UDP_L4, XL_FEAT_GSO_UDP_L4 },
	};
	static const uint8_t unknown[] = { 4, 5, 0x80, 0xff };
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct raw_hdr h = data_hdr(1000);

		h.l3 = types[i].type == XL_GSO_TCPV4 ? IPV4 : IPV6;
		h.gso_type = types[i].type;
		h.gso_size = 500;
		TAP_CHECK(run_drop(FEAT_ALL & ~types[i].feat, &h,
				   XL_FIFO_DROP_GSO));
		TAP_CHECK(run_drop(0, &h, XL_FIFO_DROP_GSO));
		TAP_CHECK(run_drop(types[i].feat, &h, -1));
	}
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		struct raw_hdr h = data_hdr(1000);

		h.gso_type = unknown[i];
		h.gso_size = 500;
		TAP_CHECK(run_drop(FEAT_ALL, &h, XL_FIFO_DROP_GSO));
	}
	return ok;
}

/* Version 1 defines no record flags: any bit drops the record. */
static bool test_flags_unknown(void)
{
	unsigned int bit;
	bool ok = true;

	for (bit = 0; bit < 8; bit++) {
		struct raw_hdr h = data_hdr(60);

		h.flags = (uint8_t)(1u << bit);
		TAP_CHECK(run_drop(FEAT_ALL, &h, XL_FIFO_DROP_FLAGS));
	}
	return ok;
}

static bool test_proto_unknown(void)
{
	static const uint8_t bad[] = {
		0, 1, 2, 3, 5, 7, 8, 0x40, 0x60, 0x86, 0xff,
	};
	unsigned int i;
	bool ok = true;
	struct raw_hdr h = data_hdr(60);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		h.l3 = bad[i];
		TAP_CHECK(run_drop(FEAT_ALL, &h, XL_FIFO_DROP_PROTO));
	}
	h.l3 = IPV4;
	TAP_CHECK(run_drop(0, &h, -1));
	h.l3 = IPV6;
	TAP_CHECK(run_drop(0, &h, -1));
	return ok;
}

/* Unknown checksum states, and PARTIAL without the feature: DROP_CSUM. */
static bool test_csum_state(void)
{
	static const uint8_t bad[] = { 3, 4, 0x80, 0xff };
	struct raw_hdr h = data_hdr(100);
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		h.csum = bad[i];
		TAP_CHECK(run_drop(FEAT_ALL, &h, XL_FIFO_DROP_CSUM));
	}
	h.csum = XL_CSUM_PARTIAL;
	h.csum_start = 20;
	h.csum_offset = 16;
	TAP_CHECK(run_drop(FEAT_ALL & ~XL_FEAT_CSUM_PARTIAL, &h,
			   XL_FIFO_DROP_CSUM));
	h.csum = XL_CSUM_NONE;
	TAP_CHECK(run_drop(0, &h, -1));
	h.csum = XL_CSUM_UNNECESSARY;
	TAP_CHECK(run_drop(0, &h, -1));
	return ok;
}

/* ==== records and the end of the area ================================ */

static bool test_data_crosses_end(void)
{
	static const struct rec_case cases[] = {
		{ SZ_4K, 4064, 0, H_DATA(17, IPV4), 48,
		  XL_FIFO_ERR_REC_STRADDLE },
		{ SZ_4K, 4080, 0, H_DATA(1, IPV4), 32,
		  XL_FIFO_ERR_REC_STRADDLE },
		{ SZ_4K, 2048, 0, H_DATA(2048, IPV4), 2064,
		  XL_FIFO_ERR_REC_STRADDLE },
		{ SZ_4K, 16, 0, H_DATA(4080, IPV4), SZ_4K,
		  XL_FIFO_ERR_REC_STRADDLE },
		/* Crossing the end even when more was published. */
		{ SZ_4K, 4064, 0, H_DATA(100, IPV4), 2048,
		  XL_FIFO_ERR_REC_STRADDLE },
		/* Across 2^32 too. */
		{ SZ_4K, 0xfffffff0u, 0, H_DATA(1, IPV4), 32,
		  XL_FIFO_ERR_REC_STRADDLE },
		{ SZ_64K, 0xffffff00u, 0, H_DATA(65520, IPV4),
		  SZ_64K, XL_FIFO_ERR_REC_STRADDLE },
		/* Ending exactly at the end is fine. */
		{ SZ_4K, 4064, 0, H_DATA(16, IPV4), 32, ACCEPT },
		{ SZ_4K, 0xfffffff0u - 1024, 0, H_DATA(1000, IPV4),
		  1024, ACCEPT },
	};

	return run_rec_cases(cases, ARRAY_SIZE(cases));
}

static bool test_pad_not_at_end(void)
{
	static const struct rec_case cases[] = {
		{ SZ_4K, 4064, 0, H_PAD(0), 32, XL_FIFO_ERR_PAD },
		{ SZ_4K, 4064, 0, H_PAD(8), 32, XL_FIFO_ERR_PAD },
		{ SZ_4K, 4064, 0, H_PAD(32), 32, XL_FIFO_ERR_PAD },
		{ SZ_4K, 4080, 0, H_PAD(16), 16, XL_FIFO_ERR_PAD },
		{ SZ_4K, 1024, 0, H_PAD(1024 - 16), 1024,
		  XL_FIFO_ERR_PAD },
		{ SZ_4K, 0, 0, H_PAD(16), 32, XL_FIFO_ERR_PAD },
		{ SZ_4K, 0, 0, H_PAD(SZ_4K), SZ_4K, XL_FIFO_ERR_PAD },
		{ SZ_64K, 0xffff0000u + 100 * 16, 0, H_PAD(100), 128,
		  XL_FIFO_ERR_PAD },
	};

	return run_rec_cases(cases, ARRAY_SIZE(cases));
}

/* A pad of the right length that reaches past the published index. */
static bool test_pad_past_prod(void)
{
	static const struct rec_case cases[] = {
		{ SZ_4K, 4032, 0, H_PAD(48), 32, XL_FIFO_ERR_PAD },
		{ SZ_4K, 4032, 0, H_PAD(48), 48, XL_FIFO_ERR_PAD },
		{ SZ_4K, 0, 0, H_PAD(SZ_4K - 16), SZ_4K - 16,
		  XL_FIFO_ERR_PAD },
		{ SZ_4K, 0, 0, H_PAD(SZ_4K - 16), 16,
		  XL_FIFO_ERR_PAD },
		{ SZ_64K, 0xfffff000u, 0, H_PAD(4096 - 16), 4080,
		  XL_FIFO_ERR_PAD },
	};

	return run_rec_cases(cases, ARRAY_SIZE(cases));
}

/* Pad lengths that would overflow an unchecked addition. */
static bool test_pad_huge_len(void)
{
	static const uint32_t lens[] = {
		0xffffffffu, 0xfffffff0u, 0xffffff00u - 16, 0x80000000u,
		0x7ffffff0u, 0xffffffffu - 4064 + 1,
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		struct rec_case rc = {
			SZ_4K, 4064, 0, pad_hdr(lens[i]), 32, XL_FIFO_ERR_PAD,
		};

		TAP_CHECK(run_rec_case(&rc));
	}
	return ok;
}

/*
 * A pad at offset 0 covering the whole area follows the letter of the
 * rules (it ends exactly at the end); the producer never writes one, but
 * it is harmless: skipped, EMPTY, and the FIFO goes on.
 */
static bool test_pad_whole_area(void)
{
	static const uint32_t starts[] = { 0, 0xfffff000u, 0x7ffff000u };
	unsigned int s;
	bool ok = true;

	for (s = 0; s < ARRAY_SIZE(starts); s++) {
		uint32_t index = starts[s];
		struct raw_hdr pad = pad_hdr(SZ_4K - 16), h = data_hdr(100);
		struct hchan c;

		if (!chan_open(&c, SZ_4K, 0, index))
			return false;
		peer_rec(&c, index, &pad);
		peer_prod(&c, index + SZ_4K);
		TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
		TAP_CHECK(c.rx.cons == index + SZ_4K && !c.rx.broken);
		TAP_CHECK(!xl_fifo_rx_publish(&c.rx, NULL));
		TAP_CHECK(get_le32(&c.b_ro->rx_cons) == index + SZ_4K);
		/* The next lap starts normally. */
		peer_rec(&c, index + SZ_4K, &h);
		peer_prod(&c, index + SZ_4K + SPACE(100));
		TAP_CHECK(recv_len(&c, 100));
		TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
		TAP_CHECK(!c.rx.broken && c.rx.err == XL_FIFO_ERR_NONE);
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

/*
 * Padding to the end early, where records would still fit, wastes the
 * peer's own space but follows the rules: harmless, whether the pad is
 * the last thing published or skipped on the way to the next record.
 */
static bool test_pad_early(void)
{
	struct raw_hdr pad = pad_hdr(SZ_4K - 240 - 16), h = data_hdr(64);
	struct hchan c;
	bool ok = true;

	if (!chan_open(&c, SZ_4K, 0, 0))
		return false;
	peer_rec(&c, 0, &h);
	peer_rec(&c, 80, &h);
	peer_rec(&c, 160, &h);
	peer_rec(&c, 240, &pad);	/* 3840 bytes of room wasted */
	peer_prod(&c, SZ_4K);
	TAP_CHECK(recv_len(&c, 64));
	TAP_CHECK(recv_len(&c, 64));
	TAP_CHECK(recv_len(&c, 64));
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	TAP_CHECK(c.rx.cons == SZ_4K && !c.rx.broken);

	/* Again, with the next record behind the pad in the same read. */
	TAP_CHECK(!xl_fifo_rx_publish(&c.rx, NULL));
	pad.len = SZ_4K - 80 - 16;
	peer_rec(&c, SZ_4K, &h);
	peer_rec(&c, SZ_4K + 80, &pad);
	peer_prod(&c, 2 * SZ_4K);
	TAP_CHECK(recv_len(&c, 64));
	TAP_CHECK(xl_fifo_rx_publish(&c.rx, NULL));
	peer_rec(&c, 2 * SZ_4K, &h);
	peer_prod(&c, 2 * SZ_4K + 80);
	TAP_CHECK(recv_len(&c, 64));
	TAP_CHECK(c.rx.cons == 2 * SZ_4K + 80);
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	TAP_CHECK(!c.rx.broken && c.rx.err == XL_FIFO_ERR_NONE);
	TAP_CHECK(chan_close(&c));
	return ok;
}

/* Only type and len of a pad mean anything: the rest is ignored. */
static bool test_pad_ignored_fields(void)
{
	struct raw_hdr pad = {
		.len = 1024 - 16, .type = XL_REC_PAD, .flags = 0xff,
		.l3 = 0x34, .csum = 0xee, .gso_type = 0xdd,
		.gso_size = 0xffff, .csum_start = 0xffff, .csum_offset = 0xff,
		.src_vif = 0xfe, .dst_vif = 0xfd,
	};
	uint64_t zero[XL_FIFO_DROP_MAX] = { 0 };
	struct raw_hdr h = data_hdr(16);
	struct hchan c;
	bool ok = true;

	if (!chan_open(&c, SZ_4K, 0, 3072))
		return false;
	peer_rec(&c, 3072, &pad);
	peer_rec(&c, SZ_4K, &h);
	peer_prod(&c, SZ_4K + 32);
	TAP_CHECK(recv_len(&c, 16));
	TAP_CHECK(memcmp(c.rx.drops, zero, sizeof(zero)) == 0);
	TAP_CHECK(!c.rx.broken && c.rx.cons == SZ_4K + 32);
	TAP_CHECK(chan_close(&c));
	return ok;
}

static bool test_rec_type_unknown(void)
{
	static const uint8_t types[] = { 0, 3, 4, 0x7f, 0x80, 0x81, 0xff };
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct rec_case rc = {
			SZ_4K, 0x100, 0, data_hdr(16), 32, XL_FIFO_ERR_REC_TYPE,
		};
		struct raw_hdr pad = pad_hdr(1024 - 16);
		struct hchan c;

		rc.h.type = types[i];
		TAP_CHECK(run_rec_case(&rc));

		/* Right after a pad, inside the same read. */
		if (!chan_open(&c, SZ_4K, 0, 3072))
			return false;
		peer_rec(&c, 3072, &pad);
		peer_rec(&c, SZ_4K, &rc.h);
		peer_prod(&c, SZ_4K + 32);
		TAP_CHECK(expect_broken(&c, XL_FIFO_ERR_REC_TYPE));
		TAP_CHECK(c.rx.cons == SZ_4K);
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

/* ==== notification fields ============================================ */

/* An event value a confused or malicious peer might write. */
static uint32_t garbage_event(uint64_t *rng, uint32_t i, uint32_t old,
			      uint32_t new)
{
	uint32_t r = (uint32_t)xl_rng(rng);

	switch (i % 5) {
	case 0:
		return r;
	case 1:
		return old + r % 129 - 64;
	case 2:
		return new + r % 3 - 1;
	case 3:
		return (uint32_t)1 << (r % 32);
	default:
		return r & 1 ? 0 : 0xffffffffu;
	}
}

/* Random bytes all over @page but the 4-byte field at @keep. */
static void scribble(struct xl_ctrl_page *page, uint64_t *rng, size_t keep)
{
	uint8_t *raw = (uint8_t *)page;
	uint32_t saved = get_le32(raw + keep);
	size_t i;

	for (i = 0; i < SZ_4K; i += 8) {
		uint64_t r = xl_rng(rng);

		memcpy(raw + i, &r, 8);
	}
	put_le32(raw + keep, saved);
}

/*
 * Producer under test.  Before each publish the consumer's page is
 * random bytes except rx_cons (which a real consumer keeps moving), so
 * rx_prod_event is garbage.  The producer's answer must follow the event
 * rule (at most one notification per publish), and nothing else may
 * change: every record arrives intact.  Then a stale value left in
 * rx_prod_event costs at most one notification per 2^32 bytes.
 */
static bool test_notify_garbage_prod(void)
{
	uint64_t rng = 0x13198a2e03707344ull;
	uint32_t npub = 0, nnotify = 0;
	struct backlog b = { 0 };
	uint32_t i, phase;
	struct hchan c;
	bool ok = true;

	if (!chan_open(&c, SZ_4K, 0, 0xfffff000u))
		return false;
	c.garbage = true;
	for (i = 0; i < 3000 && ok; i++) {
		uint32_t n = 1 + xl_rng(&rng) % 6, old = c.tx.prod_pub, ev;
		bool notify;

		send_random(&c, &b, &rng, n, 300);
		ev = garbage_event(&rng, i, old, c.tx.prod);
		scribble(c.b, &rng, offsetof(struct xl_ctrl_page, rx_cons));
		put_le32(&c.b->rx_prod_event, ev);
		notify = xl_fifo_tx_publish(&c.tx);
		npub += old != c.tx.prod_pub;
		nnotify += notify;
		TAP_CHECK(notify == (old != c.tx.prod_pub &&
				     crossed(ev, old, c.tx.prod_pub)));
		n = xl_rng(&rng) % (b.sent - b.got + 1);
		TAP_CHECK(recv_backlog(&c, &b, n));
		xl_fifo_rx_publish(&c.rx, NULL);
	}
	TAP_CHECK(recv_backlog(&c, &b, b.sent - b.got));
	TAP_CHECK(nnotify <= npub && nnotify > 0);
	TAP_CHECK(!c.tx.broken && !c.rx.broken);

	/*
	 * A value left in place: inside the range the traffic covers it
	 * notifies exactly once, just behind it never.  The test consumes
	 * and stores rx_cons itself so that nothing re-arms the event.
	 */
	for (phase = 0; phase < 2 && ok; phase++) {
		uint32_t start = c.tx.prod_pub;
		uint32_t ev = phase ? start : start + 100000;

		put_le32(&c.b->rx_prod_event, ev);
		nnotify = 0;
		for (i = 0; i < 2000 && ok; i++) {
			struct xl_fifo_rec r;

			while (send_rec(&c, 1 + xl_rng(&rng) % 300, 0) == 0)
				;
			nnotify += xl_fifo_tx_publish(&c.tx);
			while (xl_fifo_read(&c.rx, &r) == XL_FIFO_OK)
				xl_fifo_consume(&c.rx, &r);
			put_le32(&c.b->rx_cons, c.rx.cons);
		}
		TAP_CHECK(c.tx.prod_pub - start > 100000);
		TAP_CHECK(nnotify == (phase ? 0 : 1));
	}
	TAP_CHECK(!c.tx.broken && !c.rx.broken);
	TAP_CHECK(chan_close(&c));
	return ok;
}

/*
 * Consumer under test, the mirror image: the producer's page is garbage
 * but for tx_prod, so tx_cons_event (and flags, magic ...) are random.
 */
static bool test_notify_garbage_cons(void)
{
	uint64_t rng = 0xa4093822299f31d0ull;
	uint32_t npub = 0, nnotify = 0;
	struct backlog b = { 0 };
	uint32_t i, phase;
	struct hchan c;
	bool ok = true;

	if (!chan_open(&c, SZ_4K, 0, 0xfffff000u))
		return false;
	c.garbage = true;
	for (i = 0; i < 3000 && ok; i++) {
		uint32_t n = 1 + xl_rng(&rng) % 6, old, ev;
		bool notify, more;

		send_random(&c, &b, &rng, n, 300);
		xl_fifo_tx_publish(&c.tx);
		n = xl_rng(&rng) % (b.sent - b.got + 1);
		TAP_CHECK(recv_backlog(&c, &b, n));
		old = c.rx.cons_pub;
		ev = garbage_event(&rng, i, old, c.rx.cons);
		scribble(c.a, &rng, offsetof(struct xl_ctrl_page, tx_prod));
		put_le32(&c.a->tx_cons_event, ev);
		more = xl_fifo_rx_publish(&c.rx, &notify);
		npub += old != c.rx.cons_pub;
		nnotify += notify;
		TAP_CHECK(notify == (old != c.rx.cons_pub &&
				     crossed(ev, old, c.rx.cons_pub)));
		TAP_CHECK(more == (b.got != b.sent));
	}
	TAP_CHECK(recv_backlog(&c, &b, b.sent - b.got));
	TAP_CHECK(nnotify <= npub && nnotify > 0);
	TAP_CHECK(!c.tx.broken && !c.rx.broken);

	/* A value left in place: once inside the range, never behind it. */
	for (phase = 0; phase < 2 && ok; phase++) {
		uint32_t start, ev;

		xl_fifo_rx_publish(&c.rx, NULL);
		start = c.rx.cons_pub;
		ev = phase ? start : start + 100000;
		put_le32(&c.a->tx_cons_event, ev);
		nnotify = 0;
		for (i = 0; i < 2000 && ok; i++) {
			struct xl_fifo_rec r;
			bool notify;

			while (send_rec(&c, 1 + xl_rng(&rng) % 300, 0) == 0)
				;
			xl_fifo_tx_publish(&c.tx);
			while (xl_fifo_read(&c.rx, &r) == XL_FIFO_OK)
				xl_fifo_consume(&c.rx, &r);
			xl_fifo_rx_publish(&c.rx, &notify);
			nnotify += notify;
		}
		TAP_CHECK(c.rx.cons_pub - start > 100000);
		TAP_CHECK(nnotify == (phase ? 0 : 1));
	}
	TAP_CHECK(!c.tx.broken && !c.rx.broken);
	TAP_CHECK(chan_close(&c));
	return ok;
}

/* ==== the consumer index (producer under test) ======================= */

/* Real producer: records of @len until the area is full; then publish. */
static unsigned int fill(struct hchan *c, uint32_t len)
{
	unsigned int n = 0;

	while (send_rec(c, len, n) == 0)
		n++;
	xl_fifo_tx_publish(&c->tx);
	return n;
}

/*
 * The producer has published a full area from @index, the peer's rx_cons
 * moved to @index + 1024 (accepted when the full area forced a refresh)
 * and one more record is committed but not published: @index + 4096 is
 * published, @index + 4352 committed.  Then rx_cons becomes @index + @lie:
 * the refresh of a full area (@path 0) and the one of
 * xl_fifo_tx_inflight() (@path 1) must both break the FIFO with @err.
 */
static bool cons_lie(uint32_t index, uint32_t lie, enum xl_fifo_err err)
{
	struct hchan c;
	bool ok = true;
	int path;

	for (path = 0; path < 2 && ok; path++) {
		if (!chan_open(&c, SZ_4K, 0, index))
			return false;
		TAP_CHECK(fill(&c, 240) == 16);
		peer_cons(&c, index + 1024);
		TAP_CHECK(send_rec(&c, 240, 16) == 0);
		TAP_CHECK(c.tx.cons == index + 1024 && !c.tx.broken);
		TAP_CHECK(c.tx.prod_pub == index + SZ_4K);
		TAP_CHECK(c.tx.prod == index + SZ_4K + 256);
		peer_cons(&c, index + lie);
		if (path) {
			TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
		} else {
			int err;

			do
				err = send_rec(&c, 240, 17);
			while (!err);
			TAP_CHECK(err == -EPIPE);
		}
		TAP_CHECK(c.tx.broken && c.tx.err == err);
		/* Nothing of the lie was taken over, nothing published. */
		TAP_CHECK(c.tx.cons == index + 1024);
		TAP_CHECK(!xl_fifo_tx_publish(&c.tx));
		TAP_CHECK(get_le32(&c.a_ro->tx_prod) == index + SZ_4K);
		if (!ok)
			tap_diag("index %#x lie +%#x path %d: err \"%s\"",
				 index, lie, path, xl_fifo_err_str(c.tx.err));
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

static bool cons_lies(const uint32_t *lies, unsigned int n,
		      enum xl_fifo_err err)
{
	static const uint32_t starts[] = { 0, 0xfffff800u, 0xfffffc00u };
	unsigned int i, s;

	for (s = 0; s < ARRAY_SIZE(starts); s++)
		for (i = 0; i < n; i++)
			if (!cons_lie(starts[s], lies[i], err))
				return false;
	return true;
}

static bool test_cons_back_little(void)
{
	static const uint32_t lies[] = { 1008, 1023, 1016, 768, 0 };

	return cons_lies(lies, ARRAY_SIZE(lies), XL_FIFO_ERR_CONS_BACK);
}

static bool test_cons_back_lot(void)
{
	static const uint32_t lies[] = {
		1024 - SZ_4K - 16, 1024 - SZ_4K * 2, 1024 - 0x10000000u,
		1024 - 0x7fffffffu, 1024 - 0x80000000u,
	};

	return cons_lies(lies, ARRAY_SIZE(lies), XL_FIFO_ERR_CONS_BACK);
}

/* Past what was published: into committed data, or beyond it. */
static bool test_cons_ahead_published(void)
{
	static const uint32_t lies[] = {
		SZ_4K + 1, SZ_4K + 16, SZ_4K + 256, SZ_4K + 272,
	};

	return cons_lies(lies, ARRAY_SIZE(lies), XL_FIFO_ERR_CONS_AHEAD);
}

static bool test_cons_far_ahead(void)
{
	static const uint32_t lies[] = {
		1024 + SZ_4K + 16, 3 * SZ_4K, 0x10000000u, 1024 + 0x7fffffffu,
	};

	return cons_lies(lies, ARRAY_SIZE(lies), XL_FIFO_ERR_CONS_AHEAD);
}

/*
 * rx_cons exactly at what was published is the truth, or a lie the
 * producer cannot tell from it: accepted, and the producer goes on
 * writing inside its area, lap after lap.
 */
static bool test_cons_at_published(void)
{
	static const uint32_t starts[] = { 0, 0xffffc000u };
	unsigned int s, lap;
	bool ok = true;

	for (s = 0; s < ARRAY_SIZE(starts); s++) {
		struct hchan c;

		if (!chan_open(&c, SZ_4K, 0, starts[s]))
			return false;
		for (lap = 0; lap < 64 && ok; lap++) {
			TAP_CHECK(fill(&c, 1 + (lap * 37) % 1000) > 0);
			peer_cons(&c, c.tx.prod_pub);
			TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
			TAP_CHECK(c.tx.cons == c.tx.prod_pub && !c.tx.broken);
		}
		/* With records committed but not yet published. */
		TAP_CHECK(send_rec(&c, 100, 0) == 0);
		xl_fifo_tx_publish(&c.tx);
		TAP_CHECK(send_rec(&c, 100, 1) == 0);
		peer_cons(&c, c.tx.prod_pub);
		TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == SPACE(100));
		TAP_CHECK(!c.tx.broken && c.tx.err == XL_FIFO_ERR_NONE);
		TAP_CHECK(c.tx.prod - starts[s] > 64 * 2048);
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

/*
 * Any rx_cons between the last accepted one and what was published, at
 * any alignment, is accepted (it only harms the liar), and the producer
 * never writes outside its area, never misaligns its own index and never
 * counts more free space than the area has.
 */
static bool test_cons_misaligned(void)
{
	uint64_t rng = 0x082efa98ec4e6c89ull;
	uint32_t i, unaligned = 0;
	struct hchan c;
	bool ok = true;

	if (!chan_open(&c, SZ_4K, 0, 0xfffff000u))
		return false;
	for (i = 0; i < 20000 && ok; i++) {
		uint32_t lo = c.tx.cons, hi = c.tx.prod_pub;
		uint32_t len = 1 + xl_rng(&rng) % 1000;
		int err;

		if (xl_rng(&rng) % 3 == 0)
			peer_cons(&c, lo + xl_rng(&rng) % (hi - lo + 1));
		switch (xl_rng(&rng) % 4) {
		case 0:
		case 1:
			err = send_rec(&c, len, i);
			TAP_CHECK(err == 0 || err == -ENOSPC);
			break;
		case 2:
			xl_fifo_tx_publish(&c.tx);
			xl_fifo_tx_wait_space(&c.tx, len);
			break;
		default:
			TAP_CHECK(xl_fifo_tx_inflight(&c.tx) ==
				  c.tx.prod - c.tx.cons);
			break;
		}
		TAP_CHECK(!c.tx.broken);
		TAP_CHECK(c.tx.prod % 16 == 0);
		TAP_CHECK(c.tx.prod - c.tx.cons <= SZ_4K);
		TAP_CHECK(c.tx.cons - lo <= hi - lo);
		unaligned += c.tx.cons % 16 != 0;
	}
	TAP_CHECK(unaligned > 0);
	TAP_CHECK(c.tx.prod - 0xfffff000u > 100 * SZ_4K);
	TAP_CHECK(chan_close(&c));
	return ok;
}

/*
 * Random lies of every kind, many rounds: every call returns, the area is
 * never left, and the producer breaks exactly when a value it loaded was
 * out of range, with the error its direction implies.
 */
static bool test_cons_random(void)
{
	uint64_t rng = 0x452821e638d01377ull;
	unsigned int round, nbroken = 0;
	bool ok = true;

	for (round = 0; round < 200 && ok; round++) {
		uint32_t index = (uint32_t)xl_rng(&rng) & ~15u, i;
		struct hchan c;

		if (!chan_open(&c, SZ_4K, 0, index))
			return false;
		for (i = 0; i < 500 && !c.tx.broken && ok; i++) {
			uint32_t lo = c.tx.cons, hi = c.tx.prod_pub;
			uint32_t r = (uint32_t)xl_rng(&rng), lie;

			if (r % 100 < 3)
				lie = (uint32_t)xl_rng(&rng);
			else if (r % 100 < 10)
				lie = lo + (uint32_t)(xl_rng(&rng) % 64) - 32;
			else
				lie = lo + xl_rng(&rng) % (hi - lo + 1);
			peer_cons(&c, lie);
			switch (xl_rng(&rng) % 3) {
			case 0:
				send_rec(&c, 1 + r % 2000, i);
				break;
			case 1:
				xl_fifo_tx_publish(&c.tx);
				xl_fifo_tx_wait_space(&c.tx, 1 + r % 2000);
				break;
			default:
				xl_fifo_tx_inflight(&c.tx);
				break;
			}
			/* A publish in the call may have raised the limit. */
			hi = c.tx.prod_pub;
			if (c.tx.broken) {
				uint32_t moved = lie - c.tx.cons;

				TAP_CHECK(c.tx.cons == lo);
				TAP_CHECK(moved > hi - lo);
				TAP_CHECK(c.tx.err == ((int32_t)moved < 0 ?
						       XL_FIFO_ERR_CONS_BACK :
						       XL_FIFO_ERR_CONS_AHEAD));
				nbroken++;
			} else {
				TAP_CHECK(c.tx.cons - lo <= hi - lo);
			}
			TAP_CHECK(c.tx.prod % 16 == 0 &&
				  c.tx.prod - c.tx.cons <= SZ_4K);
		}
		TAP_CHECK(chan_close(&c));
	}
	TAP_CHECK(nbroken > 100);
	return ok;
}

/* ==== double fetch ==================================================== */

/*
 * The peer as a thread: it produces plausible records and, at the same
 * time, flips bytes of record headers (published or not) and of its
 * tx_prod, with relaxed atomic stores, while the consumer under test
 * reads.
 */
struct flipper {
	struct hchan *c;
	uint64_t rng;
	unsigned int rate;	/* per 1000 actions that are flips */
	int started;
	int stop;
	uint32_t prod;		/* the peer's own producer index */
	uint32_t hdrs[32];	/* offsets of recent headers */
	unsigned int nhdr;
};

static void store8(uint8_t *p, uint8_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static uint8_t load8(const uint8_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void flip_publish(struct flipper *f, uint32_t prod)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&f->c->a->tx_prod, htole32(prod), __ATOMIC_RELAXED);
}

/* A header, byte by byte, so the consumer may see it half written. */
static void flip_put_rec(struct flipper *f, uint32_t off,
			 const struct raw_hdr *h)
{
	uint8_t raw[16];
	unsigned int i;

	put_rec(raw, h);
	for (i = 0; i < 16; i++)
		store8(f->c->data + off + i, raw[i]);
	f->hdrs[f->nhdr++ % ARRAY_SIZE(f->hdrs)] = off;
}

static void flip_produce(struct flipper *f)
{
	struct hchan *c = f->c;
	uint32_t cons = le32toh(__atomic_load_n(&c->b->rx_cons,
						__ATOMIC_RELAXED));
	uint32_t r = (uint32_t)xl_rng(&f->rng);
	uint32_t len, off, contig;
	struct raw_hdr h;

	if (r % 8 == 0)
		len = 1 + (uint32_t)(xl_rng(&f->rng) % c->rx.max_payload);
	else
		len = 1 + (r >> 8) % 200;
	off = mask(c, f->prod);
	contig = c->size - off;
	if (SPACE(len) > contig) {
		if (f->prod + contig - cons > c->size)
			return;
		h = pad_hdr(contig - 16);
		flip_put_rec(f, off, &h);
		f->prod += contig;
		off = 0;
	}
	/* Within the published rx_cons: overwrites are the flips' job. */
	if (f->prod + SPACE(len) - cons > c->size) {
		flip_publish(f, f->prod);
		return;
	}
	h = data_hdr(len);
	h.l3 = r & 16 ? IPV6 : IPV4;
	switch ((r >> 5) % 16) {
	case 0:
		h.flags = (uint8_t)r;
		break;
	case 1:
		h.csum = XL_CSUM_PARTIAL;
		h.csum_start = (uint16_t)(r >> 9);
		h.csum_offset = (uint8_t)(r >> 3);
		break;
	case 2:
		h.gso_type = (uint8_t)(r % 5);
		h.gso_size = (uint16_t)(r >> 12);
		break;
	default:
		break;
	}
	flip_put_rec(f, off, &h);
	f->prod += SPACE(len);
	flip_publish(f, f->prod);
}

static void flip_once(struct flipper *f)
{
	struct hchan *c = f->c;
	uint32_t r = (uint32_t)xl_rng(&f->rng);
	uint8_t x = (uint8_t)(1 + (r >> 24) % 255);
	uint32_t off, v;
	uint8_t *p;

	switch (r % 16) {
	case 0:		/* a byte of the producer index */
		p = (uint8_t *)&c->a->tx_prod + (r >> 4) % 4;
		store8(p, load8(p) ^ x);
		break;
	case 1:		/* a plausible-looking producer index */
		v = le32toh(__atomic_load_n(&c->b->rx_cons, __ATOMIC_RELAXED));
		flip_publish(f, v + (r >> 4) % (c->size + 64));
		break;
	case 2:		/* anywhere in the area */
		off = (uint32_t)(xl_rng(&f->rng) % c->size);
		store8(c->data + off, load8(c->data + off) ^ x);
		break;
	default:	/* a byte of a recent header */
		off = f->hdrs[(r >> 4) % ARRAY_SIZE(f->hdrs)] + (r >> 12) % 16;
		store8(c->data + off, load8(c->data + off) ^ x);
		break;
	}
}

static void *flipper_main(void *arg)
{
	struct flipper *f = arg;

	__atomic_store_n(&f->started, 1, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		if (xl_rng(&f->rng) % 1000 < f->rate)
			flip_once(f);
		else
			flip_produce(f);
	}
	return NULL;
}

/* Is @r a record the consumer may hand out, fields and place? */
static bool rec_sane(const struct hchan *c, const struct xl_fifo_rec *r)
{
	const struct xl_rec_hdr *h = &r->hdr;
	uint32_t off = mask(c, c->rx.cons), len = r->len;
	uint32_t feat = c->rx.features;
	bool csum_ok, gso_ok;

	csum_ok = r->csum == XL_CSUM_NONE || r->csum == XL_CSUM_UNNECESSARY ||
		  (r->csum == XL_CSUM_PARTIAL &&
		   (feat & XL_FEAT_CSUM_PARTIAL) &&
		   (uint32_t)r->csum_start + r->csum_offset + 2 <= len);
	if (r->gso_type == XL_GSO_NONE)
		gso_ok = !r->gso_size;
	else
		gso_ok = r->gso_type <= XL_GSO_UDP_L4 &&
			 (feat & (1u << (r->gso_type - 1))) &&
			 r->gso_size && r->gso_size < len;
	return len >= 1 && len <= c->rx.max_payload &&
	       len == le32toh(h->len) && h->type == XL_REC_DATA &&
	       !r->flags && !h->flags &&
	       (r->l3 == IPV4 || r->l3 == IPV6) &&
	       r->l3 == h->l3 && r->csum == h->csum &&
	       r->gso_type == h->gso_type &&
	       r->gso_size == le16toh(h->gso_size) &&
	       r->csum_start == le16toh(h->csum_start) &&
	       r->csum_offset == h->csum_offset && csum_ok && gso_ok &&
	       r->src_vif == h->src_vif && r->dst_vif == h->dst_vif &&
	       r->payload == c->data_ro + off + 16 &&
	       off + SPACE(len) <= c->size &&
	       SPACE(len) <= c->rx.prod - c->rx.cons;
}

static uint64_t drops_sum(const struct xl_fifo_rx *rx)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < XL_FIFO_DROP_MAX; i++)
		n += rx->drops[i];
	return n;
}

static bool rx_err_ok(enum xl_fifo_err err)
{
	return err >= XL_FIFO_ERR_PROD_AHEAD && err <= XL_FIFO_ERR_PAD;
}

#define DF_ROUNDS	500
#define DF_CALLS	20000
/*
 * More rounds, up to this, until every outcome has been seen: how the
 * two threads interleave is the scheduler's choice, and on a loaded
 * machine (two cores, other jobs) 500 rounds once produced no EMPTY.
 */
#define DF_ROUNDS_MAX	(20 * DF_ROUNDS)

/*
 * Consumer under test against the flipper, DF_ROUNDS rounds (more, up to
 * DF_ROUNDS_MAX, until each outcome has occurred) of at most DF_CALLS
 * reads each, over areas of 4 KiB and 64 KiB and flip rates from
 * rare to constant.  Every call must return OK with a record that passes
 * every check the consumer promises (so it validated one copy, not
 * several reads), DROP, EMPTY or BROKEN; a round ends at BROKEN or after
 * DF_CALLS, and the end state must be consistent.
 */
static bool test_double_fetch_consumer(void)
{
	static const unsigned int rates[] = { 2, 20, 200, 1000 };
	static uint8_t copy[XL_REC_MAX_PAYLOAD];
	uint64_t n[4] = { 0 }, errs[XL_FIFO_ERR_MAX] = { 0 };
	unsigned int round;
	bool ok = true;

	for (round = 0; ok && round < DF_ROUNDS_MAX &&
	     (round < DF_ROUNDS || !n[XL_FIFO_OK] || !n[XL_FIFO_DROP] ||
	      !n[XL_FIFO_EMPTY] || !n[XL_FIFO_BROKEN]); round++) {
		struct flipper f = { .rng = 0x9e3779b97f4a7c15ull * (round + 1),
				     .rate = rates[round % 4] };
		uint32_t size = round & 4 ? SZ_64K : SZ_4K;
		uint32_t index = round & 8 ? 0xffffff00u : 0, i;
		pthread_t thr;
		struct hchan c;
		bool notify;

		if (!chan_open(&c, size, round & 16 ? FEAT_ALL : 0, index))
			return false;
		f.c = &c;
		f.prod = index;
		for (i = 0; i < ARRAY_SIZE(f.hdrs); i++)
			f.hdrs[i] = mask(&c, index);
		if (pthread_create(&thr, NULL, flipper_main, &f)) {
			chan_close(&c);
			return false;
		}
		while (!__atomic_load_n(&f.started, __ATOMIC_RELAXED))
			sched_yield();
		for (i = 0; i < DF_CALLS && ok; i++) {
			uint32_t cons0 = c.rx.cons, moved;
			uint64_t drops0 = drops_sum(&c.rx);
			struct xl_fifo_rec r;
			enum xl_fifo_status st = xl_fifo_read(&c.rx, &r);

			moved = c.rx.cons - cons0;
			TAP_CHECK(c.rx.cons % 16 == 0 && c.rx.prod % 16 == 0);
			TAP_CHECK(c.rx.prod - c.rx.cons <= size);
			if (st == XL_FIFO_OK) {
				/* Only a pad may have been skipped. */
				TAP_CHECK(!moved || !mask(&c, c.rx.cons));
				TAP_CHECK(rec_sane(&c, &r));
				if (!ok)
					break;
				memcpy(copy, r.payload, r.len);
				xl_fifo_consume(&c.rx, &r);
				TAP_CHECK(c.rx.cons - cons0 ==
					  moved + SPACE(r.len));
				TAP_CHECK(drops_sum(&c.rx) == drops0);
			} else if (st == XL_FIFO_DROP) {
				TAP_CHECK(moved >= 32 && moved <= 2 * size);
				TAP_CHECK(drops_sum(&c.rx) == drops0 + 1);
			} else if (st == XL_FIFO_EMPTY) {
				TAP_CHECK(!moved || !mask(&c, c.rx.cons));
				TAP_CHECK(drops_sum(&c.rx) == drops0);
			} else if (st == XL_FIFO_BROKEN) {
				TAP_CHECK(c.rx.broken);
				TAP_CHECK(!moved || !mask(&c, c.rx.cons));
				TAP_CHECK(rx_err_ok(c.rx.err));
			} else {
				TAP_CHECK(!"unknown status");
			}
			n[st]++;
			if (st == XL_FIFO_BROKEN)
				break;
			if (st == XL_FIFO_EMPTY || i % 8 == 7)
				xl_fifo_rx_publish(&c.rx, &notify);
		}
		__atomic_store_n(&f.stop, 1, __ATOMIC_RELAXED);
		pthread_join(thr, NULL);

		/* The end state. */
		if (c.rx.broken) {
			TAP_CHECK(rx_err_ok(c.rx.err));
			errs[c.rx.err]++;
			TAP_CHECK(read_st(&c) == XL_FIFO_BROKEN);
			TAP_CHECK(xl_fifo_rx_publish(&c.rx, &notify) &&
				  !notify);
		} else {
			TAP_CHECK(c.rx.err == XL_FIFO_ERR_NONE);
			xl_fifo_rx_publish(&c.rx, &notify);
			TAP_CHECK(get_le32(&c.b_ro->rx_cons) == c.rx.cons ||
				  c.rx.broken);
		}
		TAP_CHECK(get_le32(&c.b_ro->rx_cons) == c.rx.cons_pub);
		TAP_CHECK(c.rx.prod - c.rx.cons <= size);
		TAP_CHECK(c.rx.cons_pub - index <= c.rx.cons - index);
		TAP_CHECK(chan_close(&c));
		if (!ok)
			tap_diag("round %u, size %u, rate %u", round, size,
				 f.rate);
	}
	tap_diag("double fetch: %u rounds, %llu ok, %llu drop, %llu empty, %llu broken",
		 round, (unsigned long long)n[XL_FIFO_OK],
		 (unsigned long long)n[XL_FIFO_DROP],
		 (unsigned long long)n[XL_FIFO_EMPTY],
		 (unsigned long long)n[XL_FIFO_BROKEN]);
	for (round = 0; round < XL_FIFO_ERR_MAX; round++)
		if (errs[round])
			tap_diag("  broken by \"%s\": %llu",
				 xl_fifo_err_str(round),
				 (unsigned long long)errs[round]);
	/* Each outcome happened, so each path raced against the flips. */
	TAP_CHECK(n[XL_FIFO_OK] && n[XL_FIFO_DROP] && n[XL_FIFO_EMPTY]);
	TAP_CHECK(n[XL_FIFO_BROKEN]);
	return ok;
}

/* A hostile consumer thread flipping rx_cons while the producer works. */
struct cons_flipper {
	struct hchan *c;
	uint64_t rng;
	int started;
	int stop;
};

static void *cons_flipper_main(void *arg)
{
	struct cons_flipper *f = arg;
	struct hchan *c = f->c;
	uint8_t *raw = (uint8_t *)&c->b->rx_cons;

	__atomic_store_n(&f->started, 1, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		uint32_t r = (uint32_t)xl_rng(&f->rng);
		uint32_t pub = le32toh(__atomic_load_n(&c->a->tx_prod,
						       __ATOMIC_RELAXED));

		if (r % 250)	/* "consumed everything" */
			__atomic_store_n(&c->b->rx_cons, htole32(pub),
					 __ATOMIC_RELAXED);
		else
			store8(raw + (r >> 10) % 4,
			       load8(raw + (r >> 10) % 4) ^ (uint8_t)(r >> 24));
	}
	return NULL;
}

static bool test_double_fetch_producer(void)
{
	uint64_t rng = 0xbe5466cf34e90c6cull;
	unsigned int round, nbroken = 0;
	uint64_t nsent = 0;
	bool ok = true;

	for (round = 0; round < 60 && ok; round++) {
		struct cons_flipper f = { .rng = rng + round };
		uint32_t size = round & 2 ? SZ_64K : SZ_4K, i, n;
		pthread_t thr;
		struct hchan c;

		if (!chan_open(&c, size, 0, round & 1 ? 0xffff0000u : 0))
			return false;
		f.c = &c;
		if (pthread_create(&thr, NULL, cons_flipper_main, &f)) {
			chan_close(&c);
			return false;
		}
		while (!__atomic_load_n(&f.started, __ATOMIC_RELAXED))
			sched_yield();
		/* Until broken, or 1000 records, or 2M calls. */
		for (i = 0, n = 0; i < 2000000 && n < 1000 && !c.tx.broken &&
		     ok; i++) {
			uint32_t lo = c.tx.cons, hi;
			uint32_t len = 1 + xl_rng(&rng) % 600;
			int err = send_rec(&c, len, i);

			TAP_CHECK(err == 0 || err == -ENOSPC || err == -EPIPE);
			n += !err;
			if (i % 4 == 3 || err)
				xl_fifo_tx_publish(&c.tx);
			/* Full: let the flipper "consume". */
			if (err == -ENOSPC && !xl_fifo_tx_wait_space(&c.tx, len))
				sched_yield();
			TAP_CHECK(c.tx.prod % 16 == 0);
			TAP_CHECK(c.tx.prod - c.tx.cons <= size);
			hi = c.tx.prod_pub;
			if (c.tx.broken)
				TAP_CHECK(c.tx.err == XL_FIFO_ERR_CONS_BACK ||
					  c.tx.err == XL_FIFO_ERR_CONS_AHEAD);
			else
				TAP_CHECK(c.tx.cons - lo <= hi - lo);
		}
		__atomic_store_n(&f.stop, 1, __ATOMIC_RELAXED);
		pthread_join(thr, NULL);
		nsent += n;
		nbroken += c.tx.broken;
		TAP_CHECK(chan_close(&c));
	}
	tap_diag("producer double fetch: %u rounds, %llu records, %u broken",
		 round, (unsigned long long)nsent, nbroken);
	TAP_CHECK(nsent > 10000 && nbroken > 0);
	return ok;
}

/* ==== broken is sticky ================================================ */

static bool test_sticky_rx(void)
{
	static const struct rec_case causes[] = {
		{ SZ_4K, 0, 0, H_DATA(16, IPV4), SZ_4K + 16,
		  XL_FIFO_ERR_PROD_AHEAD },
		{ SZ_4K, 0, 0, H_TYPE(16, 7), 32, XL_FIFO_ERR_REC_TYPE },
		{ SZ_4K, 0, 0, H_DATA(0, IPV4), 32,
		  XL_FIFO_ERR_REC_LEN },
		{ SZ_4K, 4064, 0, H_PAD(0), 32, XL_FIFO_ERR_PAD },
	};
	unsigned int i, k;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(causes); i++) {
		const struct rec_case *rc = &causes[i];
		struct raw_hdr good = data_hdr(16);
		uint8_t page[8];
		struct hchan c;

		if (!chan_open(&c, SZ_4K, 0, rc->index))
			return false;
		peer_rec(&c, rc->index, &rc->h);
		peer_prod(&c, rc->index + rc->prod);
		TAP_CHECK(read_st(&c) == XL_FIFO_BROKEN);
		TAP_CHECK(c.rx.err == rc->err);
		memcpy(page, &c.b_ro->rx_cons, 8);
		/* The peer behaves from now on: too late. */
		for (k = 0; k < 8; k++)
			peer_rec(&c, rc->index + 32 * k, &good);
		peer_prod(&c, rc->index + 32 * k);
		for (k = 0; k < 100; k++) {
			struct xl_fifo_rec stale = { .len = 16 };
			bool notify = true;

			TAP_CHECK(read_st(&c) == XL_FIFO_BROKEN);
			/* A record read before the break moves nothing. */
			xl_fifo_consume(&c.rx, &stale);
			TAP_CHECK(xl_fifo_rx_publish(&c.rx, &notify));
			TAP_CHECK(!notify);
		}
		TAP_CHECK(c.rx.broken && c.rx.err == rc->err);
		TAP_CHECK(c.rx.cons == rc->index);
		TAP_CHECK(memcmp(page, &c.b_ro->rx_cons, 8) == 0);
		TAP_CHECK(chan_close(&c));
	}
	return ok;
}

static bool test_sticky_tx(void)
{
	static uint8_t before[SZ_4K];
	struct xl_fifo_rec m = { .len = 16, .l3 = IPV4 };
	uint8_t page[8];
	struct hchan c;
	bool ok = true;
	int k, err;

	if (!chan_open(&c, SZ_4K, 0, 0))
		return false;
	TAP_CHECK(send_rec(&c, 100, 0) == 0);
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(send_rec(&c, 100, 1) == 0);	/* committed, unpublished */
	peer_cons(&c, 0x1000);
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
	TAP_CHECK(c.tx.broken && c.tx.err == XL_FIFO_ERR_CONS_AHEAD);
	memcpy(before, c.data, SZ_4K);
	memcpy(page, &c.a_ro->tx_prod, 8);
	/* The peer behaves from now on: too late. */
	peer_cons(&c, c.tx.prod_pub);
	for (k = 0; k < 100; k++) {
		err = 0;
		TAP_CHECK(!xl_fifo_reserve(&c.tx, 1 + k, &err));
		TAP_CHECK(err == -EPIPE);
		xl_fifo_commit(&c.tx, &m);
		TAP_CHECK(!xl_fifo_tx_publish(&c.tx));
		TAP_CHECK(xl_fifo_tx_wait_space(&c.tx, 1 + 40 * k));
		TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
	}
	TAP_CHECK(c.tx.err == XL_FIFO_ERR_CONS_AHEAD);
	TAP_CHECK(c.tx.prod == 2 * SPACE(100) && c.tx.prod_pub == SPACE(100));
	TAP_CHECK(memcmp(page, &c.a_ro->tx_prod, 8) == 0);
	TAP_CHECK(memcmp(before, c.data, SZ_4K) == 0);
	TAP_CHECK(chan_close(&c));
	return ok;
}

/* ==== driver ========================================================== */

static const struct tap_test tests[] = {
	{ test_prod_full_ring,
	  "prod: exactly one area ahead (full) is accepted, also across 2^32" },
	{ test_prod_ahead, "prod: more than one area ahead -> PROD_AHEAD" },
	{ test_prod_back_little, "prod: moves back a little -> PROD_BACK" },
	{ test_prod_back_lot, "prod: moves back a lot -> PROD_BACK" },
	{ test_prod_wrap_legit, "prod: wraps at 2^32 legitimately, keeps working" },
	{ test_prod_wrap_fake,
	  "prod: jump that only looks like a 2^32 wrap -> PROD_AHEAD/BACK" },
	{ test_prod_unaligned, "prod: not 16-aligned -> PROD_ALIGN" },
	{ test_len_zero, "len: 0 -> REC_LEN" },
	{ test_len_above_max, "len: above max_payload -> REC_LEN" },
	{ test_len_above_ring, "len: larger than the area -> REC_LEN" },
	{ test_len_truncated, "len: SPACE(len) past prod -> REC_TRUNC" },
	{ test_csum_offsets, "field: csum_start/offset beyond len -> DROP_CSUM" },
	{ test_gso_size, "field: gso_size >= len, 0 or stray -> DROP_GSO" },
	{ test_gso_feature, "field: GSO type not agreed or unknown -> DROP_GSO" },
	{ test_flags_unknown, "field: unknown flags -> DROP_FLAGS" },
	{ test_proto_unknown, "field: unknown L3 protocol -> DROP_PROTO" },
	{ test_csum_state, "field: unknown csum state, PARTIAL not agreed -> DROP_CSUM" },
	{ test_data_crosses_end, "end: DATA crossing the area end -> REC_STRADDLE" },
	{ test_pad_not_at_end, "end: PAD not ending at the area end -> PAD" },
	{ test_pad_past_prod, "end: PAD longer than published -> PAD" },
	{ test_pad_huge_len, "end: PAD length near 2^32 -> PAD" },
	{ test_pad_whole_area, "end: PAD at offset 0 covering the area is harmless" },
	{ test_pad_early, "end: PAD to the end before it is needed is harmless" },
	{ test_pad_ignored_fields, "end: PAD fields other than type, len ignored" },
	{ test_rec_type_unknown, "type: unknown record type -> REC_TYPE" },
	{ test_notify_garbage_prod,
	  "notify: garbage rx_prod_event only steers notifications" },
	{ test_notify_garbage_cons,
	  "notify: garbage tx_cons_event only steers notifications" },
	{ test_cons_back_little, "cons: moves back a little -> CONS_BACK" },
	{ test_cons_back_lot, "cons: moves back a lot -> CONS_BACK" },
	{ test_cons_ahead_published, "cons: ahead of published -> CONS_AHEAD" },
	{ test_cons_far_ahead, "cons: far ahead -> CONS_AHEAD" },
	{ test_cons_at_published, "cons: exactly at published is accepted" },
	{ test_cons_misaligned, "cons: misaligned in range is accepted, harmless" },
	{ test_cons_random, "cons: random lies, never out of the area or stuck" },
	{ test_double_fetch_consumer,
	  "double fetch: headers and tx_prod flipped while reading" },
	{ test_double_fetch_producer,
	  "double fetch: rx_cons flipped while producing" },
	{ test_sticky_rx, "sticky: consumer stays BROKEN" },
	{ test_sticky_tx, "sticky: producer stays -EPIPE" },
};

#if defined(__SANITIZE_ADDRESS__)
#define XL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XL_ASAN 1
#endif
#endif

#ifndef XL_ASAN
/*
 * Without ASan a guard page hit is a plain SIGSEGV: say where it was
 * before dying, so that the TAP log shows which object was overrun.
 */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	uintptr_t addr = (uintptr_t)si->si_addr;
	const struct hchan *c = cur_chan;
	const char *what = "not next to a channel object";
	char buf[256];
	int len;

	(void)uc;
	if (c && (shm_in_guard(c->data, c->size, addr) ||
		  shm_in_guard(c->data_ro, c->size, addr)))
		what = "in a guard page of the data area";
	else if (c && (shm_in_guard(c->a, SZ_4K, addr) ||
		       shm_in_guard(c->a_ro, SZ_4K, addr) ||
		       shm_in_guard(c->b, SZ_4K, addr) ||
		       shm_in_guard(c->b_ro, SZ_4K, addr)))
		what = "in a guard page of a control page";
	else if (c && ((addr >= (uintptr_t)c->a_ro &&
			addr < (uintptr_t)c->a_ro + SZ_4K) ||
		       (addr >= (uintptr_t)c->b_ro &&
			addr < (uintptr_t)c->b_ro + SZ_4K) ||
		       (addr >= (uintptr_t)c->data_ro &&
			addr < (uintptr_t)c->data_ro + c->size)))
		what = "a write to a read-only (peer) view";
	len = snprintf(buf, sizeof(buf), "# signal %d at %#lx (%s) in \"%s\"\n",
		       sig, (unsigned long)addr, what,
		       cur_test ? cur_test : "?");
	if (len > 0 && write(STDOUT_FILENO, buf, (size_t)len) < 0)
		len = 0;
	_exit(TAP_EXIT_FAIL);
}
#endif

int main(void)
{
	unsigned int i, n = ARRAY_SIZE(tests);
#ifndef XL_ASAN
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
#endif
	tap_plan(n);
	for (i = 0; i < n; i++) {
		cur_test = tests[i].name;
		tap_result(tests[i].fn(), "%s", tests[i].name);
	}
	return tap_finish();
}
