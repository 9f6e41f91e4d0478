// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the xenloop FIFO (module/fifo.c) built in userspace:
 * argument checks, round trips, padding and index wrap-around, batching,
 * notification decisions, and how records a bad peer writes are
 * classified (DROP or BROKEN).
 *
 * The test owns all the shared memory: both control pages and the data
 * area.  Page "a" belongs to the producer (tx_prod ...), page "b" to the
 * consumer (rx_cons ...).  To play a hostile peer a test writes those
 * bytes directly, in wire format, with the helpers below rather than with
 * the code under test.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "fifo.h"
#include "le.h"

#define FEAT_ALL	XL_FEAT_KNOWN
#define SZ_4K		4096u
#define SZ_64K		65536u
#define SZ_16M		(16u << 20)

/* Test input from xl_rng(), this program's own sequence. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	return xl_rng(&rng_state);
}

static uint32_t rng_range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rng() % (hi - lo + 1));
}

/* ---- raw wire-format access (independent of fifo.c) ---------------- */

/* A raw record header at @at, as a peer would write it. */
static void put_hdr(uint8_t *at, uint32_t len, uint8_t type, uint16_t proto)
{
	memset(at, 0, 16);
	put_le32(at, len);
	at[4] = type;
	put_le16(at + 6, proto);
}

/* ---- a channel direction under test --------------------------------- */

struct chan {
	struct xl_ctrl_page *a;		/* producer's control page */
	struct xl_ctrl_page *b;		/* consumer's control page */
	uint8_t *data;			/* producer's data area */
	uint32_t size;
	struct xl_fifo_tx tx;
	struct xl_fifo_rx rx;
};

static void *zalloc_aligned(size_t size)
{
	void *p = aligned_alloc(XL_PAGE_SIZE, size);

	if (p)
		memset(p, 0, size);
	return p;
}

static void chan_close(struct chan *c)
{
	free(c->a);
	free(c->b);
	free(c->data);
	memset(c, 0, sizeof(*c));
}

/* Both halves of one direction, starting at @index (0 in the protocol). */
static bool chan_open(struct chan *c, uint32_t size, uint32_t features,
		      uint32_t index)
{
	memset(c, 0, sizeof(*c));
	c->a = zalloc_aligned(sizeof(*c->a));
	c->b = zalloc_aligned(sizeof(*c->b));
	c->data = zalloc_aligned(size);
	c->size = size;
	if (!c->a || !c->b || !c->data)
		goto fail;
	xl_fifo_ctrl_init(c->a, 0, features);
	xl_fifo_ctrl_init(c->b, 0, features);
	if (xl_fifo_tx_init(&c->tx, c->data, size, c->a, c->b, features) ||
	    xl_fifo_rx_init(&c->rx, c->data, size, c->b, c->a, features) ||
	    xl_fifo_tx_reset(&c->tx, index) || xl_fifo_rx_reset(&c->rx, index))
		goto fail;
	return true;
fail:
	tap_diag("chan_open(%u, %#x, %#x) failed", size, features, index);
	chan_close(c);
	return false;
}

static uint8_t pat(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131 + i * 7 + (i >> 8));
}

static struct xl_fifo_rec meta_ipv4(uint32_t len)
{
	struct xl_fifo_rec m = { .len = len, .l3 = XL_L3_IPV4 };

	return m;
}

/* Reserve, fill with pat(seq) and commit one record; returns reserve's err. */
static int send_meta(struct chan *c, const struct xl_fifo_rec *m, uint32_t seq)
{
	int err = 0;
	uint8_t *p = xl_fifo_reserve(&c->tx, m->len, &err);
	uint32_t i;

	if (!p)
		return err ? err : -1000;
	for (i = 0; i < m->len; i++)
		p[i] = pat(seq, i);
	xl_fifo_commit(&c->tx, m);
	return 0;
}

static int send_rec(struct chan *c, uint32_t len, uint32_t seq)
{
	struct xl_fifo_rec m = meta_ipv4(len);

	return send_meta(c, &m, seq);
}

/* Read one record, check its length and pattern, consume it. */
static bool recv_rec(struct chan *c, uint32_t len, uint32_t seq)
{
	struct xl_fifo_rec r;
	enum xl_fifo_status st = xl_fifo_read(&c->rx, &r);
	uint32_t i;

	if (st != XL_FIFO_OK) {
		tap_diag("read: status %d err %s, want record %u", st,
			 xl_fifo_err_str(c->rx.err), seq);
		return false;
	}
	if (r.len != len) {
		tap_diag("record %u: len %u, want %u", seq, r.len, len);
		return false;
	}
	if (r.payload < c->data + 16 || r.payload + len > c->data + c->size) {
		tap_diag("record %u: payload outside the area", seq);
		return false;
	}
	for (i = 0; i < len; i++) {
		if (r.payload[i] != pat(seq, i)) {
			tap_diag("record %u: byte %u differs", seq, i);
			return false;
		}
	}
	xl_fifo_consume(&c->rx, &r);
	return true;
}

static enum xl_fifo_status read_st(struct chan *c)
{
	struct xl_fifo_rec r;

	return xl_fifo_read(&c->rx, &r);
}

/* Consumer publish, ignoring the results. */
static void rx_pub(struct chan *c)
{
	bool notify;

	xl_fifo_rx_publish(&c->rx, &notify);
}

/* Read and consume everything there is; returns how many records. */
static unsigned int drain(struct chan *c)
{
	struct xl_fifo_rec r;
	unsigned int n = 0;

	while (xl_fifo_read(&c->rx, &r) == XL_FIFO_OK) {
		xl_fifo_consume(&c->rx, &r);
		n++;
	}
	return n;
}

/*
 * The starting point of several tests: a 4 KiB area from @index holding
 * @n published records of @len bytes (pat(0) .. pat(@n - 1)).
 */
static bool chan_open_sent(struct chan *c, uint32_t index, uint32_t n,
			   uint32_t len)
{
	uint32_t i;
	int err;

	if (!chan_open(c, SZ_4K, 0, index))
		return false;
	for (i = 0; i < n; i++) {
		err = send_rec(c, len, i);
		if (err) {
			tap_diag("record %u of %u bytes: error %d", i, len, err);
			chan_close(c);
			return false;
		}
	}
	xl_fifo_tx_publish(&c->tx);
	return true;
}

/* ---- tests ---------------------------------------------------------- */

static bool test_init_args(void)
{
	static const uint32_t bad_sizes[] = {
		0, 16, 2048, 4095, SZ_4K + 16, 3 * SZ_4K, SZ_4K << 15,
		0x80000000u, 0xffffffffu,
	};
	struct xl_ctrl_page *a = zalloc_aligned(sizeof(*a));
	struct xl_ctrl_page *b = zalloc_aligned(sizeof(*b));
	uint8_t *buf = zalloc_aligned(SZ_4K);
	struct xl_fifo_tx tx;
	struct xl_fifo_rx rx;
	unsigned int i;
	bool ok = true;

	if (!a || !b || !buf) {
		ok = false;
		goto out;
	}
	/* Every order the format allows; init never touches the area. */
	for (i = XL_RING_ORDER_MIN; i <= XL_RING_ORDER_MAX; i++) {
		uint32_t size = SZ_4K << i;
		uint32_t maxp = size - 16 < XL_REC_MAX_PAYLOAD ?
				size - 16 : XL_REC_MAX_PAYLOAD;

		TAP_CHECK(xl_fifo_tx_init(&tx, buf, size, a, b, FEAT_ALL) == 0);
		TAP_CHECK(tx.size == size && tx.max_payload == maxp);
		TAP_CHECK(tx.prod == 0 && tx.prod_pub == 0 && tx.cons == 0);
		TAP_CHECK(!tx.broken && tx.err == XL_FIFO_ERR_NONE);
		TAP_CHECK(xl_fifo_rx_init(&rx, buf, size, b, a, 0) == 0);
		TAP_CHECK(rx.size == size && rx.max_payload == maxp);
		TAP_CHECK(xl_fifo_max_payload(size) == maxp);
	}
	TAP_CHECK(xl_fifo_max_payload(SZ_4K) == 4080);
	TAP_CHECK(xl_fifo_max_payload(SZ_64K) == 65520);
	TAP_CHECK(xl_fifo_max_payload(2 * SZ_64K) == 65536);

	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		TAP_CHECK(xl_fifo_tx_init(&tx, buf, bad_sizes[i], a, b, 0) ==
			  -EINVAL);
		TAP_CHECK(xl_fifo_rx_init(&rx, buf, bad_sizes[i], b, a, 0) ==
			  -EINVAL);
	}
	TAP_CHECK(xl_fifo_tx_init(&tx, NULL, SZ_4K, a, b, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_tx_init(&tx, buf, SZ_4K, NULL, b, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_tx_init(&tx, buf, SZ_4K, a, NULL, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_tx_init(&tx, buf, SZ_4K, a, a, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_tx_init(&tx, buf + 8, SZ_4K, a, b, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_tx_init(&tx, buf, SZ_4K, a, b, 0x10) == -EINVAL);
	TAP_CHECK(xl_fifo_rx_init(&rx, NULL, SZ_4K, b, a, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_rx_init(&rx, buf, SZ_4K, NULL, a, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_rx_init(&rx, buf, SZ_4K, b, NULL, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_rx_init(&rx, buf + 8, SZ_4K, b, a, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_rx_init(&rx, buf, SZ_4K, b, a, 0x80000000u) ==
		  -EINVAL);

	TAP_CHECK(xl_fifo_tx_init(&tx, buf, SZ_4K, a, b, 0) == 0);
	TAP_CHECK(xl_fifo_rx_init(&rx, buf, SZ_4K, b, a, 0) == 0);
	TAP_CHECK(xl_fifo_tx_reset(&tx, 8) == -EINVAL);
	TAP_CHECK(xl_fifo_rx_reset(&rx, 0xfffffff8u) == -EINVAL);
	TAP_CHECK(xl_fifo_tx_reset(&tx, 0xfffffff0u) == 0);
	TAP_CHECK(get_le32(&a->tx_prod) == 0xfffffff0u);
	TAP_CHECK(get_le32(&a->tx_cons_event) == 0xffffffefu);
	TAP_CHECK(xl_fifo_rx_reset(&rx, 0xfffffff0u) == 0);
	TAP_CHECK(get_le32(&b->rx_cons) == 0xfffffff0u);
	TAP_CHECK(get_le32(&b->rx_prod_event) == 0xfffffff1u);
out:
	free(a);
	free(b);
	free(buf);
	return ok;
}

static bool test_ctrl_init(void)
{
	struct xl_ctrl_page *p = malloc(sizeof(*p));
	const uint8_t *raw = (const uint8_t *)p;
	unsigned int i, q;
	bool ok = true;

	if (!p)
		return false;
	memset(p, 0xa5, sizeof(*p));
	xl_fifo_ctrl_init(p, 3, XL_FEAT_GSO_TCPV4 | XL_FEAT_CSUM_PARTIAL);
	TAP_CHECK(memcmp(raw, "XLCP", 4) == 0);
	TAP_CHECK(get_le16(raw + 4) == XL_CHAN_VERSION);
	TAP_CHECK(get_le16(raw + 6) == 16);
	TAP_CHECK(get_le32(raw + 8) == 0x9);
	TAP_CHECK(get_le32(raw + 12) == 3);
	TAP_CHECK(get_le32(raw + 16) == 0);		/* queues: not yet */
	/* Every queue's block as queue 0's: indexes 0, notifications armed. */
	for (q = 0; q < XL_CTRL_QUEUES; q++) {
		const uint8_t *b = raw + 64 + 128 * q;

		for (i = 0; i < 128; i++) {
			uint8_t want = 0;

			if (i >= 4 && i < 8)
				want = 0xff;		/* tx_cons_event */
			else if (i == 68)
				want = 1;		/* rx_prod_event */
			if (b[i] != want)
				break;
		}
		if (i != 128)
			break;
	}
	TAP_CHECK(q == XL_CTRL_QUEUES);
	for (i = 64 + 128 * XL_CTRL_QUEUES; i < sizeof(*p); i++)
		if (raw[i])
			break;
	TAP_CHECK(i == sizeof(*p));
	for (i = 20; i < 64; i++)
		if (raw[i])
			break;
	TAP_CHECK(i == 64);
	free(p);
	return ok;
}

static bool test_roundtrip_fields(void)
{
	struct xl_fifo_rec m = {
		.len = 100, .l3 = XL_L3_IPV6, .csum = XL_CSUM_PARTIAL,
		.gso_type = XL_GSO_TCPV6, .gso_size = 60, .csum_start = 40,
		.csum_offset = 16, .src_vif = 3, .dst_vif = 255,
	};
	struct xl_fifo_rec r, r2;
	struct chan c;
	bool ok = true, notify = true;
	uint8_t *p;
	int err = 0;
	uint32_t i;

	if (!chan_open(&c, SZ_4K, FEAT_ALL, 0))
		return false;
	p = xl_fifo_reserve(&c.tx, 100, &err);
	TAP_CHECK(p == c.data + 16 && err == 0);
	if (!p)
		goto out;
	for (i = 0; i < 100; i++)
		p[i] = pat(1, i);
	xl_fifo_commit(&c.tx, &m);
	TAP_CHECK(c.tx.prod == 128 && c.tx.prod_pub == 0);

	/* The header as the wire format says, byte by byte. */
	TAP_CHECK(get_le32(c.data) == 100);
	TAP_CHECK(c.data[4] == XL_REC_DATA && c.data[5] == 0);
	TAP_CHECK(c.data[6] == XL_L3_IPV6 && c.data[7] == XL_CSUM_PARTIAL);
	TAP_CHECK(c.data[8] == XL_GSO_TCPV6 && c.data[9] == 16);
	TAP_CHECK(get_le16(c.data + 10) == 60);
	TAP_CHECK(get_le16(c.data + 12) == 40);
	TAP_CHECK(c.data[14] == 3 && c.data[15] == 255);

	/* Invisible until published. */
	TAP_CHECK(get_le32(&c.a->tx_prod) == 0);
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	TAP_CHECK(xl_fifo_tx_publish(&c.tx));	/* rx_prod_event = 1 */
	TAP_CHECK(get_le32(&c.a->tx_prod) == 128);

	memset(&r, 0, sizeof(r));
	TAP_CHECK(xl_fifo_read(&c.rx, &r) == XL_FIFO_OK);
	TAP_CHECK(r.len == 100 && r.l3 == XL_L3_IPV6 && r.flags == 0);
	TAP_CHECK(r.csum == XL_CSUM_PARTIAL && r.gso_type == XL_GSO_TCPV6);
	TAP_CHECK(r.gso_size == 60 && r.csum_start == 40 &&
		  r.csum_offset == 16);
	TAP_CHECK(r.src_vif == 3 && r.dst_vif == 255);
	TAP_CHECK(r.payload == c.data + 16);
	TAP_CHECK(memcmp(&r.hdr, c.data, 16) == 0);
	for (i = 0; i < 100; i++)
		if (r.payload[i] != pat(1, i))
			break;
	TAP_CHECK(i == 100);
	/* read peeks: the same record again until consumed. */
	TAP_CHECK(xl_fifo_read(&c.rx, &r2) == XL_FIFO_OK);
	TAP_CHECK(r2.payload == r.payload && c.rx.cons == 0);
	xl_fifo_consume(&c.rx, &r);
	TAP_CHECK(c.rx.cons == 128);
	/* A second consume of the same record must not pass prod. */
	xl_fifo_consume(&c.rx, &r);
	TAP_CHECK(c.rx.cons == 128);
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	TAP_CHECK(get_le32(&c.b->rx_cons) == 0);
	TAP_CHECK(!xl_fifo_rx_publish(&c.rx, &notify));
	TAP_CHECK(!notify);
	TAP_CHECK(get_le32(&c.b->rx_cons) == 128);
	TAP_CHECK(get_le32(&c.b->rx_prod_event) == 129);
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
out:
	chan_close(&c);
	return ok;
}

/* 1-byte and max_payload records at every tested size, 4 KiB .. 16 MiB. */
static bool test_min_max_records(void)
{
	uint32_t size, seq = 0;
	bool ok = true;

	for (size = SZ_4K; size <= SZ_16M; size <<= 2) {
		struct chan c;
		uint32_t maxp;
		int err;

		if (!chan_open(&c, size, 0, 0))
			return false;
		maxp = c.tx.max_payload;
		TAP_CHECK(send_rec(&c, maxp + 1, 0) == -EMSGSIZE);

		TAP_CHECK(send_rec(&c, 1, ++seq) == 0);
		TAP_CHECK(c.tx.prod == 32);
		xl_fifo_tx_publish(&c.tx);
		TAP_CHECK(recv_rec(&c, 1, seq));
		rx_pub(&c);

		err = send_rec(&c, maxp, ++seq);
		if (maxp == size - 16) {
			/*
			 * Fills the whole area: pad to the end, then wait
			 * for the consumer to drain the pad.
			 */
			TAP_CHECK(err == -ENOSPC);
			TAP_CHECK(c.tx.prod == size);
			TAP_CHECK(c.data[32 + 4] == XL_REC_PAD);
			TAP_CHECK(get_le32(c.data + 32) == size - 48);
			xl_fifo_tx_publish(&c.tx);
			TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
			TAP_CHECK(c.rx.cons == size);
			rx_pub(&c);
			TAP_CHECK(xl_fifo_tx_wait_space(&c.tx, maxp));
			err = send_rec(&c, maxp, seq);
		}
		TAP_CHECK(err == 0);
		xl_fifo_tx_publish(&c.tx);
		TAP_CHECK(recv_rec(&c, maxp, seq));
		TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
		rx_pub(&c);
		TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
		TAP_CHECK(!c.rx.broken && !c.tx.broken);
		chan_close(&c);
	}
	return ok;
}

static bool test_pad_wrap(void)
{
	struct chan c;
	bool ok = true;
	uint32_t i;
	int err;

	/* Three records of 1024 bytes: 1024 left before the end. */
	if (!chan_open_sent(&c, 0, 3, 1000))
		return false;

	/*
	 * 1520 bytes do not fit before the end: the 1024-byte pad fits and
	 * is written at once, the record has to wait for the consumer.
	 */
	TAP_CHECK(send_rec(&c, 1500, 3) == -ENOSPC);
	TAP_CHECK(c.tx.prod == 4096);
	TAP_CHECK(c.data[3072 + 4] == XL_REC_PAD);

	for (i = 0; i < 3; i++)
		TAP_CHECK(recv_rec(&c, 1000, i));
	rx_pub(&c);

	/* The pad (1024 bytes at 3072) is unpublished, the rest consumed. */
	err = send_rec(&c, 1500, 3);
	TAP_CHECK(err == 0);
	TAP_CHECK(c.data[3072 + 4] == XL_REC_PAD);
	TAP_CHECK(get_le32(c.data + 3072) == 1024 - 16);
	TAP_CHECK(get_le32(c.data) == 1500 && c.data[4] == XL_REC_DATA);
	TAP_CHECK(c.tx.prod == 4096 + 1520);
	/* One that fits contiguously after it: no pad. */
	TAP_CHECK(send_rec(&c, 496, 4) == 0);
	TAP_CHECK(c.tx.prod == 4096 + 1520 + 512);
	xl_fifo_tx_publish(&c.tx);

	/* The consumer skips the pad inside one read. */
	TAP_CHECK(recv_rec(&c, 1500, 3));
	TAP_CHECK(recv_rec(&c, 496, 4));
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	rx_pub(&c);
	TAP_CHECK(get_le32(&c.b->rx_cons) == 4096 + 2032);
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
	chan_close(&c);
	return ok;
}

/* Random traffic through a small area from several starting indexes. */
static bool test_index_wrap(void)
{
	static const uint32_t starts[] = {
		0xffffff00u, 0xfffffff0u, 0xfffff000u, 0xffffe010u,
	};
	unsigned int s;
	bool ok = true;

	for (s = 0; s < ARRAY_SIZE(starts) && ok; s++) {
		uint32_t sent = 0, got = 0, lens[64];
		struct chan c;
		int round;

		if (!chan_open(&c, SZ_4K, 0, starts[s]))
			return false;
		TAP_CHECK(get_le32(&c.a->tx_prod) == starts[s]);
		for (round = 0; round < 400 && ok; round++) {
			uint32_t want = rng_range(1, 12), n;

			/* Producer: a batch of up to @want, one publish. */
			for (n = 0; n < want && sent - got < 64; n++) {
				uint32_t len = rng_range(1, 700);

				if (send_rec(&c, len, sent))
					break;
				lens[sent % 64] = len;
				sent++;
			}
			xl_fifo_tx_publish(&c.tx);
			/* Consumer: a random part of what is there. */
			want = rng_range(0, sent - got);
			for (n = 0; n < want && ok; n++, got++)
				TAP_CHECK(recv_rec(&c, lens[got % 64], got));
			rx_pub(&c);
		}
		while (got < sent && ok) {
			TAP_CHECK(recv_rec(&c, lens[got % 64], got));
			got++;
		}
		TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
		rx_pub(&c);
		TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
		/* The indexes really went through 2^32. */
		TAP_CHECK(c.tx.prod < starts[s] && c.rx.cons == c.tx.prod);
		TAP_CHECK(!c.tx.broken && !c.rx.broken);
		if (!ok)
			tap_diag("start %#x: sent %u got %u", starts[s], sent,
				 got);
		chan_close(&c);
	}
	return ok;
}

static bool test_batching(void)
{
	struct chan c;
	bool ok = true;
	uint32_t i, total = 0;

	if (!chan_open(&c, SZ_64K, 0, 0))
		return false;
	for (i = 0; i < 20; i++) {
		TAP_CHECK(send_rec(&c, 64 + i, i) == 0);
		total += XL_REC_SPACE(64 + i);
	}
	TAP_CHECK(c.tx.prod == total && c.tx.prod_pub == 0);
	TAP_CHECK(get_le32(&c.a->tx_prod) == 0);
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == total);
	TAP_CHECK(xl_fifo_tx_publish(&c.tx));
	TAP_CHECK(get_le32(&c.a->tx_prod) == total);
	/* Nothing new: no store, no notification. */
	TAP_CHECK(!xl_fifo_tx_publish(&c.tx));
	for (i = 0; i < 20; i++)
		TAP_CHECK(recv_rec(&c, 64 + i, i));
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	/* The consumer batches too: rx_cons moves only on publish. */
	TAP_CHECK(get_le32(&c.b->rx_cons) == 0);
	rx_pub(&c);
	TAP_CHECK(get_le32(&c.b->rx_cons) == total);
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
	chan_close(&c);
	return ok;
}

/*
 * Two queues of one channel: the same control pages, each data area cut
 * in two.  Each queue uses only its own index block, so traffic on one
 * leaves the other's indexes and notifications alone.
 */
static bool test_queues(void)
{
	struct chan c, q1;
	bool ok = true;
	uint32_t half = SZ_64K / 2, total = 0;
	unsigned int i;

	if (!chan_open(&c, SZ_64K, 0, 0))
		return false;
	/* Queue 0 keeps the first half; queue 1 is a second pair of halves. */
	TAP_CHECK(xl_fifo_tx_init(&c.tx, c.data, half, c.a, c.b, 0) == 0);
	TAP_CHECK(xl_fifo_rx_init(&c.rx, c.data, half, c.b, c.a, 0) == 0);
	q1 = c;
	q1.data = c.data + half;
	q1.size = half;
	TAP_CHECK(xl_fifo_tx_init_queue(&q1.tx, q1.data, half, c.a, c.b, 1, 0) == 0);
	TAP_CHECK(xl_fifo_rx_init_queue(&q1.rx, q1.data, half, c.b, c.a, 1, 0) == 0);
	TAP_CHECK(q1.tx.own == &c.a->q[1] && q1.rx.own == &c.b->q[1]);
	TAP_CHECK(xl_fifo_tx_init_queue(&q1.tx, q1.data, half, c.a, c.b,
					XL_CTRL_QUEUES, 0) == -EINVAL);
	TAP_CHECK(xl_fifo_tx_init_queue(&q1.tx, q1.data, half, c.a, c.b, 1, 0) == 0);
	for (i = 0; i < 10; i++) {
		TAP_CHECK(send_rec(&q1, 100 + i, i) == 0);
		total += XL_REC_SPACE(100 + i);
	}
	TAP_CHECK(xl_fifo_tx_publish(&q1.tx));
	TAP_CHECK(get_le32(&c.a->q[1].tx_prod) == total);
	TAP_CHECK(get_le32(&c.a->tx_prod) == 0);
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);
	for (i = 0; i < 10; i++)
		TAP_CHECK(recv_rec(&q1, 100 + i, i));
	rx_pub(&q1);
	TAP_CHECK(get_le32(&c.b->q[1].rx_cons) == total);
	TAP_CHECK(get_le32(&c.b->rx_cons) == 0);
	/* Queue 0 still works, in its own half, with its own indexes. */
	TAP_CHECK(send_rec(&c, 64, 1) == 0);
	TAP_CHECK(xl_fifo_tx_publish(&c.tx));
	TAP_CHECK(recv_rec(&c, 64, 1));
	TAP_CHECK(get_le32(&c.a->q[1].tx_prod) == total);
	/* Queue 1 has nothing left in flight. */
	TAP_CHECK(xl_fifo_tx_inflight(&q1.tx) == 0);
	chan_close(&c);
	return ok;
}

/* Producer -> consumer "data available" decisions. */
static bool test_notify_data(void)
{
	struct chan c;
	bool ok = true, more, notify;
	uint32_t ev;
	int i;

	if (!chan_open(&c, SZ_4K, 0, 0))
		return false;
	TAP_CHECK(!xl_fifo_tx_publish(&c.tx));		/* nothing to publish */
	TAP_CHECK(send_rec(&c, 10, 0) == 0);
	TAP_CHECK(xl_fifo_tx_publish(&c.tx));		/* crosses event 1 */
	TAP_CHECK(send_rec(&c, 10, 1) == 0);
	TAP_CHECK(!xl_fifo_tx_publish(&c.tx));		/* not re-armed yet */

	TAP_CHECK(recv_rec(&c, 10, 0));
	/* Consumed one of two: re-armed at 33, and more is waiting. */
	more = xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(more && !notify);
	TAP_CHECK(get_le32(&c.b->rx_prod_event) == 33);
	TAP_CHECK(recv_rec(&c, 10, 1));
	more = xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(!more && !notify);
	TAP_CHECK(get_le32(&c.b->rx_prod_event) == 65);
	TAP_CHECK(send_rec(&c, 10, 2) == 0);
	TAP_CHECK(xl_fifo_tx_publish(&c.tx));		/* 64 -> 96 passes 65 */

	/* An event the producer already passed, or one far ahead: none. */
	put_le32(&c.b->rx_prod_event, 96);
	TAP_CHECK(send_rec(&c, 10, 3) == 0);
	TAP_CHECK(!xl_fifo_tx_publish(&c.tx));		/* 96 -> 128 */
	put_le32(&c.b->rx_prod_event, 1000);
	TAP_CHECK(send_rec(&c, 10, 4) == 0);
	TAP_CHECK(!xl_fifo_tx_publish(&c.tx));		/* 128 -> 160 */
	/* Exactly the new index counts as passed. */
	put_le32(&c.b->rx_prod_event, 192);
	TAP_CHECK(send_rec(&c, 10, 5) == 0);
	TAP_CHECK(xl_fifo_tx_publish(&c.tx));		/* 160 -> 192 */

	/* Garbage events: any answer, but the rule old < ev <= new holds. */
	for (i = 0; i < 200; i++) {
		uint32_t old = c.tx.prod_pub;
		bool n;

		if (send_rec(&c, 10, 6) == -ENOSPC) {
			drain(&c);
			rx_pub(&c);
			TAP_CHECK(send_rec(&c, 10, 6) == 0);
		}
		ev = (uint32_t)rng();
		if (i & 1)
			ev = old + rng_range(0, 64);
		put_le32(&c.b->rx_prod_event, ev);
		n = xl_fifo_tx_publish(&c.tx);
		TAP_CHECK(n == (ev - old - 1 < c.tx.prod_pub - old));
	}
	TAP_CHECK(!c.tx.broken);
	chan_close(&c);
	return ok;
}

/*
 * xl_fifo_rx_release(): the consumer index moves and space notifications
 * still go out, but the data event stays where it was, so the producer
 * does not notify until xl_fifo_rx_publish() re-arms it.
 */
static bool test_notify_release(void)
{
	struct chan c;
	bool ok = true, notify;
	uint32_t i, seq = 0, got = 0;

	if (!chan_open(&c, SZ_4K, 0, 0))
		return false;
	TAP_CHECK(send_rec(&c, 10, seq++) == 0);
	TAP_CHECK(xl_fifo_tx_publish(&c.tx));		/* crosses event 1 */
	TAP_CHECK(recv_rec(&c, 10, got++));
	xl_fifo_rx_release(&c.rx, &notify);
	TAP_CHECK(!notify);
	TAP_CHECK(get_le32(&c.b->rx_cons) == 32);
	TAP_CHECK(get_le32(&c.b->rx_prod_event) == 1);	/* left, passed */
	TAP_CHECK(send_rec(&c, 10, seq++) == 0);
	TAP_CHECK(!xl_fifo_tx_publish(&c.tx));		/* 32 -> 64: quiet */
	TAP_CHECK(recv_rec(&c, 10, got++));
	xl_fifo_rx_release(&c.rx, NULL);
	TAP_CHECK(get_le32(&c.b->rx_cons) == 64);
	/* Re-armed with nothing consumed since the release. */
	TAP_CHECK(!xl_fifo_rx_publish(&c.rx, &notify) && !notify);
	TAP_CHECK(get_le32(&c.b->rx_prod_event) == 65);
	TAP_CHECK(send_rec(&c, 10, seq++) == 0);
	TAP_CHECK(xl_fifo_tx_publish(&c.tx));		/* 64 -> 96 passes 65 */
	TAP_CHECK(recv_rec(&c, 10, got++));
	rx_pub(&c);

	/* A producer waiting for space still hears about it. */
	got = 0;
	seq = 0;
	for (i = 0; i < 16 && send_rec(&c, 240, seq) == 0; i++)
		seq++;
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(send_rec(&c, 240, seq) == -ENOSPC);
	TAP_CHECK(!xl_fifo_tx_wait_space(&c.tx, 240));
	while (!notify && got < seq) {
		TAP_CHECK(recv_rec(&c, 240, got++));
		xl_fifo_rx_release(&c.rx, &notify);
	}
	TAP_CHECK(notify);
	TAP_CHECK(xl_fifo_tx_wait_space(&c.tx, 240));
	TAP_CHECK(!c.tx.broken && !c.rx.broken);
	chan_close(&c);
	return ok;
}

/* Consumer -> producer "space available" decisions and wait_space(). */
static bool test_notify_space(void)
{
	struct chan c;
	bool ok = true, notify;
	uint32_t i, seq = 0, got = 0;

	if (!chan_open(&c, SZ_4K, 0, 0))
		return false;
	/* Disarmed at start: consuming does not notify. */
	TAP_CHECK(send_rec(&c, 240, seq++) == 0);
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(recv_rec(&c, 240, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(!notify);

	/* Fill the area exactly: 16 records of 256 bytes. */
	for (i = 0; i < 16; i++)
		TAP_CHECK(send_rec(&c, 240, seq++) == 0);
	TAP_CHECK(send_rec(&c, 240, seq) == -ENOSPC);
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(!xl_fifo_tx_wait_space(&c.tx, 240));
	/* Fits when rx_cons reaches prod + 256 - size. */
	TAP_CHECK(get_le32(&c.a->tx_cons_event) == c.tx.prod + 256 - SZ_4K);

	TAP_CHECK(recv_rec(&c, 240, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(notify);
	TAP_CHECK(send_rec(&c, 240, seq++) == 0);
	xl_fifo_tx_publish(&c.tx);

	/* 512 bytes wanted: the first freed record is not enough. */
	TAP_CHECK(send_rec(&c, 496, seq) == -ENOSPC);
	TAP_CHECK(!xl_fifo_tx_wait_space(&c.tx, 496));
	TAP_CHECK(recv_rec(&c, 240, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(!notify);
	TAP_CHECK(send_rec(&c, 496, seq) == -ENOSPC);
	TAP_CHECK(recv_rec(&c, 240, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(notify);
	/* Crossed once: later progress does not notify again. */
	TAP_CHECK(recv_rec(&c, 240, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(!notify);
	TAP_CHECK(send_rec(&c, 496, seq++) == 0);

	/* Space freed after the cached check: wait_space sees it itself. */
	xl_fifo_tx_publish(&c.tx);
	while (send_rec(&c, 240, seq) == 0)
		seq++;
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(recv_rec(&c, 240, got++));
	rx_pub(&c);
	TAP_CHECK(xl_fifo_tx_wait_space(&c.tx, 240));
	TAP_CHECK(send_rec(&c, 240, seq++) == 0);

	/* Lengths reserve rejects: "retry now" and let reserve say why. */
	TAP_CHECK(xl_fifo_tx_wait_space(&c.tx, 0));
	TAP_CHECK(xl_fifo_tx_wait_space(&c.tx, c.tx.max_payload + 1));
	TAP_CHECK(!c.tx.broken && !c.rx.broken);
	chan_close(&c);
	return ok;
}

/* Completion: consumed() and wait_consumed() with the event index. */
static bool test_completion(void)
{
	struct chan c;
	bool ok = true, notify;
	uint32_t cons = 1, end1, end3, seq = 0, got = 0;

	if (!chan_open(&c, SZ_4K, 0, 0))
		return false;
	TAP_CHECK(xl_fifo_tx_consumed(&c.tx, &cons) == 0 && cons == 0);
	TAP_CHECK(send_rec(&c, 240, seq++) == 0);
	end1 = c.tx.prod;
	TAP_CHECK(send_rec(&c, 240, seq++) == 0);
	TAP_CHECK(send_rec(&c, 240, seq++) == 0);
	end3 = c.tx.prod;
	/* Not published: nothing will come, so no waiting for it. */
	TAP_CHECK(xl_fifo_tx_wait_consumed(&c.tx, end1));
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(!xl_fifo_tx_wait_consumed(&c.tx, end1));
	TAP_CHECK(get_le32(&c.a->tx_cons_event) == end1);
	/* A later point waits behind the pending earlier one. */
	TAP_CHECK(!xl_fifo_tx_wait_consumed(&c.tx, end3));
	TAP_CHECK(get_le32(&c.a->tx_cons_event) == end1);

	TAP_CHECK(recv_rec(&c, 240, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(notify);
	/* Owed, and still wanted: the producer has not moved on. */
	TAP_CHECK(xl_fifo_rx_notify_still(&c.rx));
	TAP_CHECK(xl_fifo_tx_consumed(&c.tx, &cons) == 0 && cons == end1);
	/* The earlier point was passed: the later one is armed now. */
	TAP_CHECK(!xl_fifo_tx_wait_consumed(&c.tx, end3));
	TAP_CHECK(get_le32(&c.a->tx_cons_event) == end3);
	/* ... so the notification owed for end1 is no longer wanted. */
	TAP_CHECK(!xl_fifo_rx_notify_still(&c.rx));
	TAP_CHECK(recv_rec(&c, 240, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(!notify);
	TAP_CHECK(recv_rec(&c, 240, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(notify);
	TAP_CHECK(xl_fifo_tx_consumed(&c.tx, &cons) == 0 && cons == end3);
	/* Consumed before the request: "already", and no event. */
	TAP_CHECK(xl_fifo_tx_wait_consumed(&c.tx, end3));

	/* A peer index that lies breaks the producer: -EPIPE. */
	put_le32(&c.b->rx_cons, end3 + 4096);
	TAP_CHECK(xl_fifo_tx_consumed(&c.tx, &cons) == -EPIPE);
	TAP_CHECK(c.tx.broken && xl_fifo_tx_wait_consumed(&c.tx, end3));
	chan_close(&c);
	return ok;
}

/* A limit below the area: reserve and wait_space count against it. */
static bool test_tx_limit(void)
{
	const uint32_t size = 256u << 10, lim = 80u << 10;
	struct chan c;
	bool ok = true, notify;
	uint32_t i, seq = 0, got = 0;

	if (!chan_open(&c, size, 0, 0))
		return false;
	/* Clamped to [largest record, area]. */
	xl_fifo_tx_set_limit(&c.tx, 0);
	TAP_CHECK(c.tx.limit == XL_REC_SPACE(c.tx.max_payload));
	xl_fifo_tx_set_limit(&c.tx, ~0u);
	TAP_CHECK(c.tx.limit == size);

	/* 4096-byte records: 20 fit under 80 KiB, the area has room for 64. */
	xl_fifo_tx_set_limit(&c.tx, lim);
	for (i = 0; i < 20; i++)
		TAP_CHECK(send_rec(&c, 4080, seq++) == 0);
	TAP_CHECK(send_rec(&c, 4080, seq) == -ENOSPC);
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(!xl_fifo_tx_wait_space(&c.tx, 4080));
	TAP_CHECK(get_le32(&c.a->tx_cons_event) == c.tx.prod + 4096 - lim);
	TAP_CHECK(recv_rec(&c, 4080, got++));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(notify);
	TAP_CHECK(send_rec(&c, 4080, seq++) == 0);
	xl_fifo_tx_publish(&c.tx);

	/* Lowered below what the area holds: no room until it drains. */
	xl_fifo_tx_set_limit(&c.tx, 0);
	TAP_CHECK(send_rec(&c, 4080, seq) == -ENOSPC);
	TAP_CHECK(!xl_fifo_tx_wait_space(&c.tx, 4080));
	for (i = 0; i < 4; i++)
		TAP_CHECK(recv_rec(&c, 4080, got++));
	rx_pub(&c);
	TAP_CHECK(send_rec(&c, 4080, seq) == -ENOSPC);	/* 16 x 4096 + 4096 */
	TAP_CHECK(recv_rec(&c, 4080, got++));
	rx_pub(&c);
	TAP_CHECK(send_rec(&c, 4080, seq++) == 0);
	xl_fifo_tx_publish(&c.tx);
	while (got < seq)
		TAP_CHECK(recv_rec(&c, 4080, got++));
	TAP_CHECK(!c.tx.broken && !c.rx.broken);
	chan_close(&c);
	return ok;
}

/* wait_space when a pad must come first and does not fit yet. */
static bool test_wait_space_pad(void)
{
	struct chan c;
	bool ok = true, notify;
	uint32_t i;

	if (!chan_open_sent(&c, 0, 3, 1000))
		return false;
	TAP_CHECK(recv_rec(&c, 1000, 0));
	rx_pub(&c);
	TAP_CHECK(send_rec(&c, 1000, 3) == 0);		/* 3072 .. 4096 */
	TAP_CHECK(send_rec(&c, 1000, 4) == 0);		/* 4096 .. 5120 */
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(c.tx.prod == 5120 && c.tx.cons == 1024);

	/*
	 * 3120 bytes do not fit in the 3072 before the end, and the pad
	 * itself does not fit either: the consumer still has to read
	 * 1024 .. 4096 of the previous lap, which the pad must not hit.
	 */
	TAP_CHECK(send_rec(&c, 3100, 5) == -ENOSPC);
	TAP_CHECK(c.tx.prod == 5120 && c.data[1024 + 4] == XL_REC_DATA);
	TAP_CHECK(!xl_fifo_tx_wait_space(&c.tx, 3100));
	/* The next step is the pad alone: room for 3072 at rx_cons 4096. */
	TAP_CHECK(get_le32(&c.a->tx_cons_event) == 4096);
	for (i = 1; i < 4; i++) {
		TAP_CHECK(recv_rec(&c, 1000, i));
		xl_fifo_rx_publish(&c.rx, &notify);
		TAP_CHECK(notify == (i == 3));
	}

	/* Pad written; the record needs all of 4096 .. 7216 free. */
	TAP_CHECK(send_rec(&c, 3100, 5) == -ENOSPC);
	TAP_CHECK(c.tx.prod == 8192 && c.data[1024 + 4] == XL_REC_PAD);
	TAP_CHECK(get_le32(c.data + 1024) == 3072 - 16);
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(!xl_fifo_tx_wait_space(&c.tx, 3100));
	TAP_CHECK(get_le32(&c.a->tx_cons_event) == 8192 + 3120 - 4096);
	TAP_CHECK(recv_rec(&c, 1000, 4));
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(!notify);
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);	/* skips the pad */
	xl_fifo_rx_publish(&c.rx, &notify);
	TAP_CHECK(notify);

	TAP_CHECK(xl_fifo_tx_wait_space(&c.tx, 3100));
	TAP_CHECK(send_rec(&c, 3100, 5) == 0);
	TAP_CHECK(c.tx.prod == 8192 + 3120);
	xl_fifo_tx_publish(&c.tx);
	TAP_CHECK(recv_rec(&c, 3100, 5));
	TAP_CHECK(!c.tx.broken && !c.rx.broken);
	chan_close(&c);
	return ok;
}

static bool test_reserve_errors(void)
{
	struct xl_fifo_rec m = meta_ipv4(50);
	struct chan c;
	bool ok = true;
	int err = 0;
	void *p;

	if (!chan_open(&c, SZ_4K, 0, 0))
		return false;
	TAP_CHECK(!xl_fifo_reserve(&c.tx, 0, &err) && err == -EMSGSIZE);
	TAP_CHECK(!xl_fifo_reserve(&c.tx, 4081, &err) && err == -EMSGSIZE);
	TAP_CHECK(!xl_fifo_reserve(&c.tx, 0xffffffffu, &err) &&
		  err == -EMSGSIZE);
	TAP_CHECK(!xl_fifo_reserve(&c.tx, 0, NULL));	/* err is optional */

	/* Commit without a reservation, or longer than reserved: nothing. */
	xl_fifo_commit(&c.tx, &m);
	TAP_CHECK(c.tx.prod == 0);
	p = xl_fifo_reserve(&c.tx, 40, &err);
	TAP_CHECK(p);
	xl_fifo_commit(&c.tx, &m);
	TAP_CHECK(c.tx.prod == 0);
	/* Shorter than reserved is fine; committing twice is not. */
	p = xl_fifo_reserve(&c.tx, 100, &err);
	TAP_CHECK(p);
	xl_fifo_commit(&c.tx, &m);
	TAP_CHECK(c.tx.prod == 80);
	xl_fifo_commit(&c.tx, &m);
	TAP_CHECK(c.tx.prod == 80);

	/* Full: -ENOSPC, and it stays full without the consumer. */
	while (send_rec(&c, 1000, 0) == 0)
		;
	/* 80 + 3 * 1024 + a 944-byte pad: full. */
	TAP_CHECK(c.tx.prod == SZ_4K && c.tx.cons == 0);
	TAP_CHECK(send_rec(&c, 1000, 0) == -ENOSPC);
	TAP_CHECK(send_rec(&c, 1, 0) == -ENOSPC);

	/* A consumer index beyond what was published breaks the FIFO. */
	put_le32(&c.b->rx_cons, 16);
	TAP_CHECK(send_rec(&c, 16, 0) == -EPIPE);
	TAP_CHECK(c.tx.broken && c.tx.err == XL_FIFO_ERR_CONS_AHEAD);
	TAP_CHECK(!xl_fifo_reserve(&c.tx, 1, &err) && err == -EPIPE);
	TAP_CHECK(!xl_fifo_tx_publish(&c.tx));
	TAP_CHECK(get_le32(&c.a->tx_prod) == 0);
	TAP_CHECK(xl_fifo_tx_wait_space(&c.tx, 1));
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
	chan_close(&c);
	return ok;
}

/* The producer's view of a lying consumer index. */
static bool test_cons_validation(void)
{
	struct chan c;
	bool ok = true;
	uint32_t i;

	/* 64 bytes before the area end: no pad, the index wraps. */
	if (!chan_open_sent(&c, 0xffffffc0u, 4, 16))	/* 32 bytes each */
		return false;
	TAP_CHECK(send_rec(&c, 16, 4) == 0);		/* unpublished */
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 160);
	/* In range (even misaligned): accepted, the peer's loss. */
	put_le32(&c.b->rx_cons, 0xffffffc0u + 40);
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 120);
	put_le32(&c.b->rx_cons, 0xffffffc0u + 128);	/* all published */
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 32);
	TAP_CHECK(!c.tx.broken);
	/* Back by one byte. */
	put_le32(&c.b->rx_cons, 0xffffffc0u + 127);
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
	TAP_CHECK(c.tx.broken && c.tx.err == XL_FIFO_ERR_CONS_BACK);
	/* Sticky: a good value later does not repair it. */
	put_le32(&c.b->rx_cons, 0xffffffc0u + 128);
	TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
	TAP_CHECK(c.tx.err == XL_FIFO_ERR_CONS_BACK);
	chan_close(&c);

	/* Into unpublished data, and far ahead. */
	for (i = 0; i < 2; i++) {
		if (!chan_open(&c, SZ_4K, 0, 0))
			return false;
		TAP_CHECK(send_rec(&c, 16, 0) == 0);
		xl_fifo_tx_publish(&c.tx);
		TAP_CHECK(send_rec(&c, 16, 1) == 0);
		put_le32(&c.b->rx_cons, i ? 0x10000000u : 48);
		TAP_CHECK(xl_fifo_tx_inflight(&c.tx) == 0);
		TAP_CHECK(c.tx.err == XL_FIFO_ERR_CONS_AHEAD);
		chan_close(&c);
	}
	return ok;
}

/* Semantic fields: one record dropped and counted, the FIFO stays up. */
static bool test_drops(void)
{
	static const struct {
		struct xl_fifo_rec m;
		uint32_t feat;
		int drop;	/* enum xl_fifo_drop, or -1: accepted */
	} cases[] = {
		{ { .len = 100, .l3 = XL_L3_IPV4, .flags = 0x80 }, 0,
		  XL_FIFO_DROP_FLAGS },
		{ { .len = 100, .l3 = 8 }, 0, XL_FIFO_DROP_PROTO },
		{ { .len = 100, .l3 = 0 }, 0, XL_FIFO_DROP_PROTO },
		{ { .len = 100, .l3 = XL_L3_IPV6 }, 0, -1 },
		{ { .len = 100, .l3 = XL_L3_IPV4, .csum = 3 }, FEAT_ALL,
		  XL_FIFO_DROP_CSUM },
		{ { .len = 100, .l3 = XL_L3_IPV4, .csum = XL_CSUM_UNNECESSARY },
		  0, -1 },
		{ { .len = 100, .l3 = XL_L3_IPV4, .csum = XL_CSUM_PARTIAL,
		    .csum_start = 20, .csum_offset = 16 }, 0,
		  XL_FIFO_DROP_CSUM },
		{ { .len = 100, .l3 = XL_L3_IPV4, .csum = XL_CSUM_PARTIAL,
		    .csum_start = 20, .csum_offset = 16 },
		  XL_FEAT_CSUM_PARTIAL, -1 },
		{ { .len = 100, .l3 = XL_L3_IPV4, .csum = XL_CSUM_PARTIAL,
		    .csum_start = 90, .csum_offset = 8 },
		  XL_FEAT_CSUM_PARTIAL, -1 },	/* ends exactly at len */
		{ { .len = 100, .l3 = XL_L3_IPV4, .csum = XL_CSUM_PARTIAL,
		    .csum_start = 90, .csum_offset = 9 },
		  XL_FEAT_CSUM_PARTIAL, XL_FIFO_DROP_CSUM },
		{ { .len = 100, .l3 = XL_L3_IPV4, .csum = XL_CSUM_PARTIAL,
		    .csum_start = 0xffff, .csum_offset = 0xff },
		  XL_FEAT_CSUM_PARTIAL, XL_FIFO_DROP_CSUM },
		{ { .len = 100, .l3 = XL_L3_IPV4, .gso_type = XL_GSO_TCPV4,
		    .gso_size = 50 }, XL_FEAT_GSO_TCPV6, XL_FIFO_DROP_GSO },
		{ { .len = 100, .l3 = XL_L3_IPV4, .gso_type = XL_GSO_TCPV4,
		    .gso_size = 50 }, XL_FEAT_GSO_TCPV4, -1 },
		{ { .len = 100, .l3 = XL_L3_IPV6, .gso_type = XL_GSO_UDP_L4,
		    .gso_size = 99 }, XL_FEAT_GSO_UDP_L4, -1 },
		{ { .len = 100, .l3 = XL_L3_IPV6, .gso_type = XL_GSO_UDP_L4,
		    .gso_size = 100 }, XL_FEAT_GSO_UDP_L4, XL_FIFO_DROP_GSO },
		{ { .len = 100, .l3 = XL_L3_IPV6, .gso_type = XL_GSO_TCPV6 },
		  FEAT_ALL, XL_FIFO_DROP_GSO },	/* GSO without a size */
		{ { .len = 100, .l3 = XL_L3_IPV4, .gso_size = 50 }, FEAT_ALL,
		  XL_FIFO_DROP_GSO },		/* a size without GSO */
		{ { .len = 100, .l3 = XL_L3_IPV4, .gso_type = 4,
		    .gso_size = 50 }, FEAT_ALL, XL_FIFO_DROP_GSO },
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t want[XL_FIFO_DROP_MAX] = { 0 };
		struct xl_fifo_rec r;
		enum xl_fifo_status st;
		struct chan c;

		if (!chan_open(&c, SZ_4K, cases[i].feat, 0))
			return false;
		TAP_CHECK(send_meta(&c, &cases[i].m, 1) == 0);
		TAP_CHECK(send_rec(&c, 33, 2) == 0);
		xl_fifo_tx_publish(&c.tx);
		st = xl_fifo_read(&c.rx, &r);
		if (cases[i].drop < 0) {
			TAP_CHECK(st == XL_FIFO_OK);
			TAP_CHECK(r.len == 100 && r.csum == cases[i].m.csum &&
				  r.gso_size == cases[i].m.gso_size);
			xl_fifo_consume(&c.rx, &r);
		} else {
			TAP_CHECK(st == XL_FIFO_DROP);
			want[cases[i].drop] = 1;
		}
		TAP_CHECK(memcmp(c.rx.drops, want, sizeof(want)) == 0);
		/* The next record is still delivered. */
		TAP_CHECK(recv_rec(&c, 33, 2));
		TAP_CHECK(!c.rx.broken && c.rx.err == XL_FIFO_ERR_NONE);
		if (!ok)
			tap_diag("case %u", i);
		chan_close(&c);
		if (!ok)
			break;
	}
	return ok;
}

/*
 * A peer that breaks the layout: the test writes the producer's page and
 * area raw, starting at @index so a record can sit at any offset.
 */
struct broken_case {
	const char *what;
	uint32_t index;		/* start of both sides */
	uint32_t len;		/* header at @index */
	uint8_t type;
	uint32_t prod;		/* tx_prod the peer publishes, from index */
	enum xl_fifo_err err;
};

static bool test_broken(void)
{
	static const struct broken_case cases[] = {
		{ "prod ahead", 0, 16, XL_REC_DATA, SZ_4K + 16,
		  XL_FIFO_ERR_PROD_AHEAD },
		{ "prod far ahead", 0, 16, XL_REC_DATA, 0x7ffffff0u,
		  XL_FIFO_ERR_PROD_AHEAD },
		{ "prod behind cons", 64, 16, XL_REC_DATA, -16u,
		  XL_FIFO_ERR_PROD_BACK },
		{ "prod unaligned", 0, 16, XL_REC_DATA, 40,
		  XL_FIFO_ERR_PROD_ALIGN },
		{ "unknown type", 0, 16, 0, 32, XL_FIFO_ERR_REC_TYPE },
		{ "type 3", 0, 16, 3, 32, XL_FIFO_ERR_REC_TYPE },
		{ "len 0", 0, 0, XL_REC_DATA, 32, XL_FIFO_ERR_REC_LEN },
		{ "len max + 1", 0, 4081, XL_REC_DATA, 4096,
		  XL_FIFO_ERR_REC_LEN },
		{ "len 2^32 - 1", 0, 0xffffffffu, XL_REC_DATA, 32,
		  XL_FIFO_ERR_REC_LEN },
		{ "straddles the end", 4064, 100, XL_REC_DATA, 128,
		  XL_FIFO_ERR_REC_STRADDLE },
		{ "past prod", 0, 100, XL_REC_DATA, 64,
		  XL_FIFO_ERR_REC_TRUNC },
		{ "pad too short", 4064, 0, XL_REC_PAD, 32, XL_FIFO_ERR_PAD },
		{ "pad too long", 4064, 32, XL_REC_PAD, 32, XL_FIFO_ERR_PAD },
		{ "pad 2^32 - 16", 4064, 0xfffffff0u, XL_REC_PAD, 32,
		  XL_FIFO_ERR_PAD },
		{ "pad past prod", 4032, 48, XL_REC_PAD, 32, XL_FIFO_ERR_PAD },
		{ "pad not at the end", 0, 16, XL_REC_PAD, 32,
		  XL_FIFO_ERR_PAD },
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct broken_case *bc = &cases[i];
		uint32_t off = bc->index & (SZ_4K - 1);
		bool notify = true;
		struct chan c;

		if (!chan_open(&c, SZ_4K, FEAT_ALL, bc->index))
			return false;
		put_hdr(c.data + off, bc->len, bc->type, 0x0800);
		put_le32(&c.a->tx_prod, bc->index + bc->prod);
		TAP_CHECK(read_st(&c) == XL_FIFO_BROKEN);
		TAP_CHECK(c.rx.broken && c.rx.err == bc->err);
		/* Sticky, even once the peer behaves again. */
		put_hdr(c.data + off, 16, XL_REC_DATA, 0x0800);
		put_le32(&c.a->tx_prod, bc->index + 32);
		TAP_CHECK(read_st(&c) == XL_FIFO_BROKEN);
		TAP_CHECK(xl_fifo_rx_publish(&c.rx, &notify) && !notify);
		TAP_CHECK(c.rx.err == bc->err);
		TAP_CHECK(get_le32(&c.b->rx_cons) == bc->index);
		if (!ok) {
			tap_diag("case \"%s\": err %s", bc->what,
				 xl_fifo_err_str(c.rx.err));
			chan_close(&c);
			break;
		}
		chan_close(&c);
	}
	return ok;
}

/* prod moving back below an earlier snapshot, seen by the final check. */
static bool test_prod_back(void)
{
	struct chan c;
	bool ok = true;

	if (!chan_open_sent(&c, 0xffffffc0u, 4, 16))
		return false;
	TAP_CHECK(recv_rec(&c, 16, 0));		/* snapshot: prod = +128 */
	TAP_CHECK(recv_rec(&c, 16, 1));
	put_le32(&c.a->tx_prod, 0xffffffc0u + 96);	/* still >= cons */
	TAP_CHECK(xl_fifo_rx_publish(&c.rx, NULL));
	TAP_CHECK(c.rx.broken && c.rx.err == XL_FIFO_ERR_PROD_BACK);
	chan_close(&c);
	return ok;
}

/*
 * A whole-area pad at offset 0 is legal (its length is right), but after
 * another pad it can only fit once a refresh inside the same read finds
 * it: the read then stops after the first pad, so a peer publishing pads
 * as fast as we skip them cannot keep one call looping.
 */
static bool test_double_pad(void)
{
	struct chan c;
	bool ok = true;

	if (!chan_open(&c, SZ_4K, 0, 4064))
		return false;
	put_hdr(c.data + 4064, 16, XL_REC_PAD, 0);
	put_le32(&c.a->tx_prod, 4096);
	TAP_CHECK(xl_fifo_rx_publish(&c.rx, NULL));	/* snapshot: 4096 */
	put_hdr(c.data, SZ_4K - 16, XL_REC_PAD, 0);
	put_le32(&c.a->tx_prod, 4096 + SZ_4K);
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);	/* first pad only */
	TAP_CHECK(c.rx.cons == 4096 && c.rx.prod == 8192 && !c.rx.broken);
	TAP_CHECK(xl_fifo_rx_publish(&c.rx, NULL));	/* more is there */
	TAP_CHECK(read_st(&c) == XL_FIFO_EMPTY);	/* second, then dry */
	TAP_CHECK(c.rx.cons == 4096 + SZ_4K && !c.rx.broken);
	TAP_CHECK(!xl_fifo_rx_publish(&c.rx, NULL));
	chan_close(&c);

	/* The second pad is still checked before the call returns. */
	if (!chan_open(&c, SZ_4K, 0, 4064))
		return false;
	put_hdr(c.data + 4064, 16, XL_REC_PAD, 0);
	put_hdr(c.data, SZ_4K - 16, XL_REC_PAD, 0);
	put_le32(&c.a->tx_prod, 4064 + 32 + SZ_4K - 32);
	TAP_CHECK(read_st(&c) == XL_FIFO_BROKEN);
	TAP_CHECK(c.rx.err == XL_FIFO_ERR_PAD && c.rx.cons == 4096);
	chan_close(&c);
	return ok;
}

static bool test_err_str(void)
{
	const char *names[XL_FIFO_ERR_MAX];
	unsigned int i, j;
	bool ok = true;

	for (i = 0; i < XL_FIFO_ERR_MAX; i++) {
		names[i] = xl_fifo_err_str(i);
		TAP_CHECK(names[i] && strcmp(names[i], "unknown") != 0);
		for (j = 0; j < i; j++)
			TAP_CHECK(strcmp(names[i], names[j]) != 0);
	}
	TAP_CHECK(strcmp(xl_fifo_err_str(XL_FIFO_ERR_MAX), "unknown") == 0);
	TAP_CHECK(strcmp(xl_fifo_err_str((enum xl_fifo_err)-1), "unknown") ==
		  0);
	return ok;
}

static const struct {
	bool (*fn)(void);
	const char *name;
} tests[] = {
	{ test_init_args, "init: sizes 4 KiB .. 64 MiB, bad arguments" },
	{ test_ctrl_init, "control page initialisation" },
	{ test_roundtrip_fields, "round trip of every header field" },
	{ test_min_max_records, "1-byte and max records, 4 KiB .. 16 MiB" },
	{ test_pad_wrap, "pad at the area end, record at offset 0" },
	{ test_index_wrap, "indexes wrap through 2^32" },
	{ test_batching, "many commits, one publish" },
	{ test_queues, "queues: own index blocks, own halves of the areas" },
	{ test_notify_data, "producer notifies only across rx_prod_event" },
	{ test_notify_space, "consumer notifies only across tx_cons_event" },
	{ test_notify_release, "release publishes rx_cons, leaves the data event" },
	{ test_wait_space_pad, "wait_space with a pad to place first" },
	{ test_completion, "completion: consumed, wait_consumed and its event" },
	{ test_tx_limit, "a producer limit below the area" },
	{ test_reserve_errors, "reserve: EMSGSIZE, ENOSPC, EPIPE; commit" },
	{ test_cons_validation, "producer validates the peer's rx_cons" },
	{ test_drops, "bad semantic fields drop one record" },
	{ test_broken, "bad layout breaks the FIFO, sticky" },
	{ test_prod_back, "producer index moving back" },
	{ test_double_pad, "whole-area pad: bounded reads" },
	{ test_err_str, "error names" },
};

int main(void)
{
	unsigned int i, n = ARRAY_SIZE(tests);

	tap_plan(n);
	for (i = 0; i < n; i++)
		tap_result(tests[i].fn(), "%s", tests[i].name);
	return tap_finish();
}
