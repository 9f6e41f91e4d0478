// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of the FIFO fuzz harnesses:
 *
 *	gen_corpus RX_DIR TX_DIR
 *
 * The rx seeds hold rings built by the real producer (module/fifo.c) on a
 * scratch area, so they start the fuzzer from valid states: records of
 * many sizes and with every field combination, pads and wraps at the area
 * end, indexes next to 2^32, every area size; then consumer calls and
 * peer actions, a few of them hostile.  The tx seeds are call sequences
 * for the producer with an honest and with a lying consumer.
 *
 * The output is deterministic: `make -C selftests/fuzz corpus` rewrites
 * selftests/fuzz/corpus/ with the same bytes.  The input format is
 * described in fuzz_fifo.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fifo.h"
#include "fuzz_fifo.h"

#define SEED_MAX	(256 * 1024)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct seed {
	u8 buf[SEED_MAX];
	size_t n;
};

static void out_u8(struct seed *s, u32 v)
{
	if (s->n >= SEED_MAX) {
		fprintf(stderr, "gen_corpus: seed too large\n");
		exit(1);
	}
	s->buf[s->n++] = (u8)v;
}

static void out_u16(struct seed *s, u32 v)
{
	out_u8(s, v);
	out_u8(s, v >> 8);
}

static void out_u32(struct seed *s, u32 v)
{
	out_u16(s, v);
	out_u16(s, v >> 16);
}

static void save(const char *dir, const char *name, const struct seed *s)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(s->buf, 1, s->n, fp) != s->n || fclose(fp)) {
		perror(path);
		exit(1);
	}
}

/* ---- rx seeds: a ring written by the real producer ----------------- */

struct ring {
	u32 order, size, features, start;
	u8 *data;
	struct xl_ctrl_page *a, *b;	/* producer's, consumer's pages */
	struct xl_fifo_tx tx;
};

static void ring_open(struct ring *r, u32 order, u32 features, u32 start)
{
	r->order = order;
	r->size = XL_PAGE_SIZE << order;
	r->features = features;
	r->start = start;
	r->data = aligned_alloc(XL_PAGE_SIZE, r->size);
	r->a = aligned_alloc(XL_PAGE_SIZE, sizeof(*r->a));
	r->b = aligned_alloc(XL_PAGE_SIZE, sizeof(*r->b));
	if (!r->data || !r->a || !r->b) {
		perror("gen_corpus");
		exit(1);
	}
	memset(r->data, 0, r->size);
	xl_fifo_ctrl_init(r->a, order, features);
	xl_fifo_ctrl_init(r->b, order, features);
	if (xl_fifo_tx_init(&r->tx, r->data, r->size, r->a, r->b, features) ||
	    xl_fifo_tx_reset(&r->tx, start)) {
		fprintf(stderr, "gen_corpus: bad ring\n");
		exit(1);
	}
}

static void ring_close(struct ring *r)
{
	free(r->data);
	free(r->a);
	free(r->b);
}

/* One record with metadata @m; false when the ring is full. */
static bool ring_send(struct ring *r, const struct xl_fifo_rec *m, u32 seq)
{
	u8 *p = xl_fifo_reserve(&r->tx, m->len, NULL);
	u32 i;

	if (!p)
		return false;
	for (i = 0; i < m->len; i++)
		p[i] = (u8)(seq * 31 + i);
	xl_fifo_commit(&r->tx, m);
	return true;
}

static bool ring_send_len(struct ring *r, u32 len, u32 seq)
{
	struct xl_fifo_rec m = { .len = len, .l3 = XL_L3_IPV4 };

	return ring_send(r, &m, seq);
}

/* The rx header: everything from start to the producer as the image. */
static void out_ring(struct seed *s, const struct ring *r, u8 fill)
{
	u32 n = r->tx.prod - r->start, i;

	out_u8(s, r->order);
	out_u8(s, r->features);
	out_u8(s, fill);
	out_u32(s, r->start);
	out_u32(s, n);			/* tx_prod = start + n */
	out_u32(s, r->start - 1);	/* tx_cons_event: none wanted */
	out_u16(s, n);
	for (i = 0; i < n; i++)
		out_u8(s, r->data[(r->start + i) & (r->size - 1)]);
}

/* Drain what is there the way a receive loop does, then publish. */
static void out_drain(struct seed *s)
{
	out_u8(s, RX_OP_DRAIN);
	out_u8(s, 255);
	out_u8(s, RX_OP_PUBLISH);
	out_u8(s, RX_OP_READ);
}

static void rx_records(const char *dir)
{
	static const u32 lens[] = { 1, 15, 16, 17, 64, 100, 256, 1000, 1500 };
	struct seed *s = calloc(1, sizeof(*s));
	struct ring r;
	char name[64];
	u32 i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		u32 seq = 0;

		ring_open(&r, i % 2, 0, 0);
		while (r.tx.prod < 3 * 1024 && ring_send_len(&r, lens[i], seq))
			seq++;
		xl_fifo_tx_publish(&r.tx);
		s->n = 0;
		out_ring(s, &r, 0);
		out_drain(s);
		snprintf(name, sizeof(name), "records-%u", lens[i]);
		save(dir, name, s);
		ring_close(&r);
	}
	free(s);
}

/* Records crossing the end of the area: pad, then offset 0. */
static void rx_wraps(const char *dir)
{
	static const struct {
		u32 order, start, len;
	} cases[] = {
		{ 0, 4096 - 64, 100 },
		{ 0, 4096 - 16, 16 },
		{ 0, 4096 - 1024, 1500 },
		{ 1, 8192 - 32, 4000 },
		{ 2, 16384 - 512, 700 },
		{ 3, 32768 - 48, 2000 },
		{ 4, 65536 - 96, 3000 },
		{ 0, 0xffffffc0u, 40 },		/* indexes wrap at 2^32 too */
		{ 2, 0xfffffe00u, 900 },
		{ 4, 0xffff0000u - 32, 1200 },
	};
	struct seed *s = calloc(1, sizeof(*s));
	struct ring r;
	char name[64];
	u32 i, k;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ring_open(&r, cases[i].order, 0, cases[i].start);
		for (k = 0; k < 3; k++)
			ring_send_len(&r, cases[i].len - k * 7, k);
		xl_fifo_tx_publish(&r.tx);
		s->n = 0;
		out_ring(s, &r, 0xee);
		out_drain(s);
		snprintf(name, sizeof(name), "wrap-%u", i);
		save(dir, name, s);
		ring_close(&r);
	}
	free(s);
}

/* Every header field combination the format accepts, and some it drops. */
static void rx_fields(const char *dir)
{
	static const struct xl_fifo_rec metas[] = {
		{ .len = 200, .l3 = XL_L3_IPV4, .csum = XL_CSUM_PARTIAL,
		  .csum_start = 20, .csum_offset = 16 },
		{ .len = 200, .l3 = XL_L3_IPV6, .csum = XL_CSUM_UNNECESSARY },
		{ .len = 3000, .l3 = XL_L3_IPV4, .gso_type = XL_GSO_TCPV4,
		  .gso_size = 1448 },
		{ .len = 3000, .l3 = XL_L3_IPV6, .gso_type = XL_GSO_TCPV6,
		  .gso_size = 1428, .csum = XL_CSUM_PARTIAL, .csum_start = 40,
		  .csum_offset = 16 },
		{ .len = 3000, .l3 = XL_L3_IPV6, .gso_type = XL_GSO_UDP_L4,
		  .gso_size = 1200 },
		{ .len = 100, .l3 = 8 },		/* dropped */
		{ .len = 100, .l3 = XL_L3_IPV4, .flags = 1 },	/* dropped */
		{ .len = 100, .l3 = XL_L3_IPV4, .gso_size = 9 },	/* dropped */
	};
	struct seed *s = calloc(1, sizeof(*s));
	struct ring r;
	u32 feat;

	for (feat = 0; feat <= XL_FEAT_KNOWN; feat += XL_FEAT_KNOWN) {
		u32 i;

		ring_open(&r, 1, feat, 0);
		for (i = 0; i < ARRAY_SIZE(metas); i++)
			ring_send(&r, &metas[i], i);
		xl_fifo_tx_publish(&r.tx);
		s->n = 0;
		out_ring(s, &r, 0);
		out_drain(s);
		save(dir, feat ? "fields-all" : "fields-none", s);
		ring_close(&r);
	}
	free(s);
}

/* An empty ring and a conversation: the peer sends while we read. */
static void rx_conversation(const char *dir)
{
	struct seed *s = calloc(1, sizeof(*s));
	struct ring r;
	u32 i, order;

	for (order = 0; order < FZ_ORDERS; order += 2) {
		ring_open(&r, order, XL_FEAT_KNOWN, 0);
		s->n = 0;
		out_ring(s, &r, 0);
		for (i = 0; i < 40; i++) {
			out_u8(s, RX_OP_PEER_SEND);
			out_u16(s, (i * 977) % 5000);
			out_u8(s, i & 3);
			if (i % 3 == 2) {
				out_u8(s, RX_OP_READ_CONSUME);
				out_u8(s, RX_OP_PUBLISH);
			}
		}
		out_drain(s);
		save(dir, order ? (order == 2 ? "talk-16k" : "talk-64k") :
		     "talk-4k", s);
		ring_close(&r);
	}
	free(s);
}

/* A valid ring and then one lie each: the interesting edges. */
static void rx_hostile(const char *dir)
{
	static const char * const names[] = {
		"prod-ahead", "prod-back", "len-0", "prod-unaligned",
		"pad-bad", "len-big", "ctrl-garbage", "peer-reset",
	};
	struct seed *s = calloc(1, sizeof(*s));
	struct ring r;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		u32 k;

		ring_open(&r, 0, 0, i < 4 ? 0 : 4096 - 128);
		for (k = 0; k < 4; k++)
			ring_send_len(&r, 40 + k * 300, k);
		xl_fifo_tx_publish(&r.tx);
		s->n = 0;
		out_ring(s, &r, 0);
		out_u8(s, RX_OP_READ_CONSUME);
		switch (i) {
		case 0:		/* producer more than a ring ahead */
			out_u8(s, RX_OP_PROD_REL);
			out_u16(s, 4096 + 16);
			break;
		case 1:		/* producer moves back */
			out_u8(s, RX_OP_PROD_SET);
			out_u32(s, 16);
			break;
		case 2:		/* length 0 in the next header */
			out_u8(s, RX_OP_WRITE);
			out_u16(s, 0);
			out_u8(s, 4);
			out_u32(s, 0);
			break;
		case 3:		/* unaligned producer */
			out_u8(s, RX_OP_PROD_ADD);
			out_u16(s, 8);
			break;
		case 4:		/* a pad that does not end at the end */
			out_u8(s, RX_OP_FLIP);
			out_u16(s, 4);
			out_u8(s, 3);
			break;
		case 5:		/* a length larger than the ring */
			out_u8(s, RX_OP_HDR);
			out_u16(s, 0);
			out_u32(s, 0x10000);
			out_u32(s, XL_REC_DATA | XL_L3_IPV4 << 16);
			out_u32(s, 0);
			out_u32(s, 0);
			break;
		case 6:		/* garbage notification fields */
			out_u8(s, RX_OP_CTRL);
			out_u16(s, 68);
			out_u32(s, 0xdeadbeef);
			break;
		default:	/* the peer restarts at our index */
			out_u8(s, RX_OP_PUBLISH);
			out_u8(s, RX_OP_PEER_RESET);
			out_u8(s, RX_OP_PEER_SEND);
			out_u16(s, 64);
			out_u8(s, 1);
			break;
		}
		out_drain(s);
		out_u8(s, RX_OP_CONSUME_LAST);
		out_u8(s, RX_OP_PUBLISH);
		save(dir, names[i], s);
		ring_close(&r);
	}
	free(s);
}

/* ---- tx seeds --------------------------------------------------------- */

static void tx_seeds(const char *dir)
{
	struct seed *s = calloc(1, sizeof(*s));
	char name[64];
	u32 i, k;

	for (i = 0; i < 8; i++) {
		s->n = 0;
		out_u8(s, i % FZ_ORDERS);
		out_u8(s, XL_FEAT_KNOWN);
		out_u32(s, i & 1 ? 0xfffff000u : 0);
		for (k = 0; k < 60; k++) {
			out_u8(s, TX_OP_SEND);
			out_u16(s, (k * 613 + i * 101) % 9000);
			if (k % 4 == 3) {
				out_u8(s, TX_OP_PUBLISH);
				out_u8(s, TX_OP_PEER_READ);
				out_u8(s, k % 5);
			}
			if (k % 7 == 6) {
				out_u8(s, TX_OP_WAIT_SPACE);
				out_u16(s, 3000);
			}
			/* Seeds 4..7 lie about the consumer index. */
			if (i >= 4 && k == 30) {
				out_u8(s, TX_OP_CONS_REL);
				out_u32(s, i == 4 ? 16 : i == 5 ? -16u :
					i == 6 ? 0x1000 : 0x80000000u);
			}
		}
		out_u8(s, TX_OP_RESERVE);
		out_u16(s, 100);
		out_u8(s, 0x77);
		out_u8(s, TX_OP_COMMIT);
		out_u16(s, 60);
		/* flags, l3, src_vif, dst_vif, csum, gso_type, gso_size, ... */
		for (k = 0; k < 10; k++)
			out_u8(s, k == 1 ? XL_L3_IPV4 : 0);
		out_u8(s, TX_OP_EVENT_SET);
		out_u32(s, 0x12345678);
		out_u8(s, TX_OP_PUBLISH);
		out_u8(s, TX_OP_INFLIGHT);
		snprintf(name, sizeof(name), "calls-%u", i);
		save(dir, name, s);
	}
	free(s);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_corpus RX_DIR TX_DIR\n");
		return 2;
	}
	rx_records(argv[1]);
	rx_wraps(argv[1]);
	rx_fields(argv[1]);
	rx_conversation(argv[1]);
	rx_hostile(argv[1]);
	tx_seeds(argv[2]);
	return 0;
}
