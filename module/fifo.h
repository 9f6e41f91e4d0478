/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One direction of a xenloop channel: a byte FIFO of variable-length
 * records in a data area that only the producer writes, with indexes and
 * notification requests in control pages that each side writes only its
 * own (include/xenloop/channel.h, Documentation/channel-format.md).
 *
 * Portable C: no Xen calls, no allocation.  It builds into xenloop.ko and,
 * through fifo_compat.h, into the userspace tests, fuzzer and benchmark.
 *
 * Trust: everything reachable through a "peer" pointer is written by the
 * other guest at any time.  Each peer index is read once per refresh,
 * validated against sizes this side owns, and only the local copy is used.
 *
 * Concurrency: one producer and one consumer per side; each struct is used
 * by one context at a time (the caller serialises).
 */
#ifndef _XENLOOP_FIFO_H
#define _XENLOOP_FIFO_H

#include "fifo_compat.h"
#include <xenloop/channel.h>

/* What a consumer call did. */
enum xl_fifo_status {
	XL_FIFO_OK = 0,		/* a record is ready in *rec */
	XL_FIFO_EMPTY,		/* nothing to read (yet) */
	XL_FIFO_DROP,		/* one malformed record was skipped */
	XL_FIFO_BROKEN,		/* peer broke the protocol: tear down */
};

/* Why a FIFO was declared broken; xl_fifo_err_str() names it. */
enum xl_fifo_err {
	XL_FIFO_ERR_NONE = 0,
	XL_FIFO_ERR_PROD_AHEAD,		/* producer index > one ring ahead */
	XL_FIFO_ERR_PROD_BACK,		/* producer index moved backwards */
	XL_FIFO_ERR_PROD_ALIGN,		/* producer index not record-aligned */
	XL_FIFO_ERR_REC_TYPE,		/* unknown record type */
	XL_FIFO_ERR_REC_LEN,		/* length 0 or above the maximum */
	XL_FIFO_ERR_REC_STRADDLE,	/* record crosses the end of the area */
	XL_FIFO_ERR_REC_TRUNC,		/* record extends past the producer */
	XL_FIFO_ERR_PAD,		/* padding does not end at the area end */
	XL_FIFO_ERR_CONS_AHEAD,		/* peer consumed data never produced */
	XL_FIFO_ERR_CONS_BACK,		/* peer consumer index moved backwards */
	XL_FIFO_ERR_MAX,
};

/* Why one record was dropped (counted, the FIFO stays up). */
enum xl_fifo_drop {
	XL_FIFO_DROP_FLAGS = 0,		/* unknown flag bits */
	XL_FIFO_DROP_PROTO,		/* L3 protocol not IPv4/IPv6 */
	XL_FIFO_DROP_CSUM,		/* bad checksum state or offsets */
	XL_FIFO_DROP_GSO,		/* bad GSO type/size, or not negotiated */
	XL_FIFO_DROP_MAX,
};

/* A validated record: a local copy of the header and where the payload is. */
struct xl_fifo_rec {
	struct xl_rec_hdr hdr;	/* xl_fifo_read: the header as copied once
				 * (little-endian, for diagnostics); use the
				 * host-order fields below, not hdr.
				 * xl_fifo_commit ignores it.
				 */
	u32 len;		/* payload length */
	u8 l3;			/* XL_L3_* */
	u8 flags;		/* XL_REC_F_* */
	u8 csum;		/* XL_CSUM_* */
	u8 gso_type;		/* XL_GSO_* */
	u16 gso_size;
	u16 csum_start;
	u8 csum_offset;
	u8 src_vif, dst_vif;	/* device ids: not checked by the FIFO */
	const u8 *payload;	/* in the peer's area: copy it out, never
				 * trust two reads of it to agree
				 */
};

/* Producer side: writes our data area and the tx fields of our page. */
struct xl_fifo_tx {
	u8 *data;				/* our data area */
	struct xl_ctrl_queue *own;		/* our indexes in our page */
	const struct xl_ctrl_queue *peer;	/* peer's (rx_cons ...) */
	u32 size;				/* data area bytes, power of 2 */
	u32 limit;				/* bytes we let the peer owe us */
	u32 max_payload;			/* largest record payload */
	u32 prod;				/* next write position */
	u32 prod_pub;				/* last value published */
	u32 cons;				/* last validated peer rx_cons */
	u32 cons_event;				/* last tx_cons_event written */
	u32 resv_len;				/* reserved payload, 0: none */
	u32 features;				/* negotiated XL_FEAT_* */
	bool broken;
	enum xl_fifo_err err;
};

/* Consumer side: reads the peer's data area, writes rx fields of ours. */
struct xl_fifo_rx {
	const u8 *data;				/* peer's data area (read-only) */
	const struct xl_ctrl_queue *peer;	/* peer's (tx_prod ...) */
	struct xl_ctrl_queue *own;		/* our indexes in our page */
	u32 size;
	u32 max_payload;
	u32 cons;				/* next read position */
	u32 cons_pub;				/* last value published */
	u32 prod_event;				/* last rx_prod_event written */
	u32 prod;				/* last validated peer tx_prod */
	u32 features;
	bool broken;
	enum xl_fifo_err err;
	u64 drops[XL_FIFO_DROP_MAX];
};

/* fifo.c APIs: */

/* Largest payload a data area of @size bytes can carry in one record. */
u32 xl_fifo_max_payload(u32 size);

/*
 * Set up the two halves.  @size is a power of two from XL_PAGE_SIZE to
 * XL_PAGE_SIZE << XL_RING_ORDER_MAX and @data 16-byte aligned; @own and
 * @peer must differ and @features be a subset of XL_FEAT_KNOWN; returns 0
 * or -EINVAL.  The caller zeroes and fills in the static part of its own
 * control page (xl_fifo_ctrl_init) before granting it; the init functions
 * then (re)write their index and event fields in it.  The _queue variants
 * use the index blocks of queue @queue (below XL_CTRL_QUEUES) in both
 * pages; the plain ones queue 0's.
 */
void xl_fifo_ctrl_init(struct xl_ctrl_page *own, u32 ring_order, u32 features);
int xl_fifo_tx_init_queue(struct xl_fifo_tx *tx, u8 *data, u32 size,
			  struct xl_ctrl_page *own,
			  const struct xl_ctrl_page *peer, unsigned int queue,
			  u32 features);
int xl_fifo_rx_init_queue(struct xl_fifo_rx *rx, const u8 *data, u32 size,
			  struct xl_ctrl_page *own,
			  const struct xl_ctrl_page *peer, unsigned int queue,
			  u32 features);

static inline int xl_fifo_tx_init(struct xl_fifo_tx *tx, u8 *data, u32 size,
				  struct xl_ctrl_page *own,
				  const struct xl_ctrl_page *peer, u32 features)
{
	return xl_fifo_tx_init_queue(tx, data, size, own, peer, 0, features);
}

static inline int xl_fifo_rx_init(struct xl_fifo_rx *rx, const u8 *data,
				  u32 size, struct xl_ctrl_page *own,
				  const struct xl_ctrl_page *peer, u32 features)
{
	return xl_fifo_rx_init_queue(rx, data, size, own, peer, 0, features);
}

/*
 * Restart a freshly initialised half at index @index (a multiple of
 * XL_REC_ALIGN, else -EINVAL), rewriting its fields in our control page.
 * The protocol starts both sides at 0 (what the init functions do); other
 * values are for tests, which must move the producer and the consumer of
 * one direction to the same index before any traffic, e.g. next to 2^32.
 */
int xl_fifo_tx_reset(struct xl_fifo_tx *tx, u32 index);
int xl_fifo_rx_reset(struct xl_fifo_rx *rx, u32 index);

/*
 * How many bytes of published but unconsumed records the producer lets
 * the area hold (records and pads, headers included): at most the area,
 * at least the largest record, so a record always fits eventually; the
 * area by default.  Lowering it below what is already in the area only
 * makes reserve wait until the consumer catches up.
 */
void xl_fifo_tx_set_limit(struct xl_fifo_tx *tx, u32 bytes);

/*
 * Producer.  xl_fifo_reserve() returns where to put @len payload bytes,
 * or NULL: -EMSGSIZE (@len is 0 or above max_payload: never fits),
 * -ENOSPC (full for now: publish, then xl_fifo_tx_wait_space()), -EPIPE
 * (peer broken).  Nothing is visible to the peer before xl_fifo_commit()
 * and xl_fifo_tx_publish(); several records may be committed per publish
 * (batching).  A new reservation replaces an uncommitted one.
 *
 * xl_fifo_commit() writes the header from the host-order fields of @meta
 * as given (it does not police them: that is the consumer's job, and it
 * lets tests play a misbehaving peer).  meta->len may be less than the
 * reserved length; a commit without a reservation, or with a length of 0
 * or above the reserved one, commits nothing.
 */
void *xl_fifo_reserve(struct xl_fifo_tx *tx, u32 len, int *err);
void xl_fifo_commit(struct xl_fifo_tx *tx, const struct xl_fifo_rec *meta);
/* Publish committed records; true when the peer asked to be notified. */
bool xl_fifo_tx_publish(struct xl_fifo_tx *tx);
/*
 * Ask to be notified when a record of @len payload bytes can make
 * progress; returns true if it already can (retry now, no notification
 * will come), and for lengths reserve rejects anyway.  Call it after
 * publishing: the consumer can only free what it has seen.
 */
bool xl_fifo_tx_wait_space(struct xl_fifo_tx *tx, u32 len);
/*
 * Completion, as a NIC reports sent descriptors: a record that ends at
 * or below the index xl_fifo_tx_consumed() returns (*cons, read afresh
 * from the peer and validated) has been read by the peer.  -EPIPE when
 * broken.  xl_fifo_tx_wait_consumed() asks to be notified once the peer
 * has consumed up to @index (the end of a published record), unless a
 * request for an earlier point is still pending, which comes first;
 * returns true if it already has (no notification will come), and for
 * an index past what was published (nothing will come either).
 */
int xl_fifo_tx_consumed(struct xl_fifo_tx *tx, u32 *cons);
bool xl_fifo_tx_wait_consumed(struct xl_fifo_tx *tx, u32 index);
/*
 * Bytes committed but not yet consumed by the peer (for draining): reads
 * the peer's index afresh.  0 once broken: nothing more will drain.
 */
u32 xl_fifo_tx_inflight(struct xl_fifo_tx *tx);

/*
 * Consumer.  xl_fifo_read() looks at the next record without consuming
 * it; after copying the payload out call xl_fifo_consume().  DROP has
 * already skipped the record.  BROKEN is sticky.  Each call does bounded
 * work (it skips at most one padding record), so EMPTY means "nothing
 * more for now": xl_fifo_rx_publish() then says whether to poll again.
 */
enum xl_fifo_status xl_fifo_read(struct xl_fifo_rx *rx, struct xl_fifo_rec *rec);
void xl_fifo_consume(struct xl_fifo_rx *rx, const struct xl_fifo_rec *rec);
/*
 * Publish the consumer index, re-arm the data notification and check
 * once more (RING_FINAL_CHECK style).  *notify is set when the producer
 * asked to hear about freed space.  Returns true if more data is
 * already there (poll again instead of sleeping).
 */
bool xl_fifo_rx_publish(struct xl_fifo_rx *rx, bool *notify);
/*
 * Publish the consumer index only, for a consumer that will poll again
 * anyway (NAPI deferring its re-arm): the data notification is left as
 * it was, already passed, so the producer does not notify until
 * xl_fifo_rx_publish() re-arms it.  *notify as above.
 */
void xl_fifo_rx_release(struct xl_fifo_rx *rx, bool *notify);
/*
 * For a consumer that sends a notification some time after the publish
 * that asked for it: false when the producer has since moved its
 * request past the published index (it saw the progress itself, e.g.
 * while handling other traffic), so the notification can be skipped.
 */
bool xl_fifo_rx_notify_still(const struct xl_fifo_rx *rx);

const char *xl_fifo_err_str(enum xl_fifo_err err);

#endif /* _XENLOOP_FIFO_H */
