/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input format of the FIFO fuzz harnesses (fuzz_fifo_rx.c, fuzz_fifo_tx.c),
 * shared with the seed generator (gen_corpus.c) so that the seeds it writes
 * decode as intended.
 *
 * An input is a byte stream read front to back; reading past its end yields
 * zeros, so every input, even an empty one, is a valid program.  All
 * multi-byte values are little-endian.
 *
 * fuzz_fifo_rx: the input plays the producer (the peer) of one direction;
 * the harness drives the real consumer against it.
 *
 *	u8  order	data area is XL_PAGE_SIZE << (order % 5): 4 .. 64 KiB
 *	u8  features	& XL_FEAT_KNOWN, the negotiated set
 *	u8  fill	every area byte before the image
 *	u32 start	& ~15: both sides start at this index
 *	u32 prod	peer tx_prod = start + prod
 *	u32 cons_event	peer tx_cons_event
 *	u16 img_len	then img_len bytes copied into the area from the
 *			offset of @start on, wrapping at the area end
 *	ops ...		until the input ends (at most FZ_MAX_OPS)
 *
 * fuzz_fifo_tx: the input plays the consumer (the peer) and the caller of
 * the real producer.
 *
 *	u8  order, u8 features, u32 start	as above
 *	ops ...
 */
#ifndef XL_FUZZ_FIFO_H
#define XL_FUZZ_FIFO_H

#include <stddef.h>
#include <stdint.h>

#define FZ_MAX_OPS	4096
#define FZ_ORDERS	5	/* 4 KiB .. 64 KiB: small, so wraps are common */

/*
 * fuzz_fifo_rx operations, one byte each (taken % RX_OP_MAX) followed by
 * their arguments.  Offsets "from cons" are relative to the consumer's
 * next read position, where mutations matter most.
 */
enum {
	RX_OP_READ = 0,		/* xl_fifo_read (peek) */
	RX_OP_READ_CONSUME,	/* read, copy the payload out, consume */
	RX_OP_CONSUME_LAST,	/* consume the last record read (maybe stale) */
	RX_OP_DRAIN,		/* u8 n: read + consume up to n + 1 times */
	RX_OP_PUBLISH,		/* xl_fifo_rx_publish */
	RX_OP_PROD_SET,		/* u32 v: tx_prod = v */
	RX_OP_PROD_REL,		/* u16 v: tx_prod = our cons + v */
	RX_OP_PROD_ADD,		/* u16 v: tx_prod += v */
	RX_OP_WRITE,		/* u16 off, u8 n, n bytes: area from cons */
	RX_OP_HDR,		/* u16 rec, 16 header bytes at cons + 16 * rec */
	RX_OP_FLIP,		/* u16 off, u8 x: area[cons + off] ^= x */
	RX_OP_CTRL,		/* u16 off, u32 v: peer page word at off & ~3 */
	RX_OP_PEER_SEND,	/* u16 len, u8 how: the real producer, as peer,
				 * sends a valid record; how & 1: publish
				 */
	RX_OP_PEER_RESET,	/* peer producer restarts at our published cons */
	RX_OP_RELEASE,		/* xl_fifo_rx_release */
	RX_OP_MAX,
};

/* fuzz_fifo_tx operations. */
enum {
	TX_OP_RESERVE = 0,	/* u16 len: reserve, fill the payload */
	TX_OP_RESERVE_BIG,	/* u32 len: reserve any length */
	TX_OP_COMMIT,		/* u16 len, 9 meta bytes: commit */
	TX_OP_SEND,		/* u16 len: reserve + commit a valid record */
	TX_OP_PUBLISH,		/* xl_fifo_tx_publish */
	TX_OP_WAIT_SPACE,	/* u16 len: xl_fifo_tx_wait_space */
	TX_OP_INFLIGHT,		/* xl_fifo_tx_inflight */
	TX_OP_CONS_SET,		/* u32 v: peer rx_cons = v (a lie) */
	TX_OP_CONS_REL,		/* u32 v: peer rx_cons = producer's cons + v */
	TX_OP_EVENT_SET,	/* u32 v: peer rx_prod_event = v */
	TX_OP_PEER_READ,	/* u8 n: the real consumer, as peer, reads up to
				 * n + 1 records and publishes
				 */
	TX_OP_MAX,
};

/* Reader over the input; past the end everything reads as zero. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | fz_u8(in) << 8);
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

#endif /* XL_FUZZ_FIFO_H */
