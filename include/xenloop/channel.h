/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenloop channel wire format, shared by the guest module, the tests and
 * any tool that inspects a channel.  Documentation/channel-format.md is
 * the normative description; this header must match it.
 *
 * A channel joins two guests.  Each side owns and alone writes:
 *   - one control page (struct xl_ctrl_page), granted read-only to the
 *     peer;
 *   - one data area of 2^order pages, its transmit FIFO, granted read-only
 *     to the peer.
 * So every shared page has exactly one writer, and a peer can lie only
 * about its own indexes, never corrupt ours.
 *
 * All multi-byte fields are little-endian.  Indexes are free-running
 * 32-bit byte counts; the offset in the data area is index & (size - 1).
 */
#ifndef _XENLOOP_CHANNEL_H
#define _XENLOOP_CHANNEL_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#define XL_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#include <assert.h>
#include <stddef.h>
#include <linux/types.h>	/* __u8, __le16, __le32 from the uapi headers */
#define XL_STATIC_ASSERT(e, m) static_assert(e, m)
#endif

/*
 * Channel format version: the shared pages and records, offered in the
 * handshake's "version" node and stamped in each control page.  Each
 * side uses the lower of the two offers.  It is versioned apart from the
 * XenStore protocol (XENLOOP_PROTO_VERSION in protocol.h), which dom0's
 * daemon also speaks: a new record format needs no new xenloopd.
 * Version 2 records carry the vif pair (src_vif, dst_vif) and the L3
 * protocol as one byte; a peer offering version 1 gets no channel.
 * Version 3 adds queues: each side's data area is split into equal FIFOs,
 * one per queue, with one index block per queue in the control page and
 * one event channel per queue.  A channel with a version 2 peer has one
 * queue, laid out exactly as in version 2.
 */
#define XL_CHAN_VERSION		3
#define XL_CHAN_VERSION_MIN	2
#define XL_CHAN_VERSION_MAX	65535	/* the control page's __le16 */
#define XL_CHAN_VERSION_QUEUES	3	/* first version with queues */

/* Feature bits, advertised by each side; a channel uses the AND. */
#define XL_FEAT_GSO_TCPV4	0x00000001u	/* GSO TCPv4 records */
#define XL_FEAT_GSO_TCPV6	0x00000002u	/* GSO TCPv6 records */
#define XL_FEAT_GSO_UDP_L4	0x00000004u	/* GSO UDP (USO) records */
#define XL_FEAT_CSUM_PARTIAL	0x00000008u	/* checksum left to the receiver */
#define XL_FEAT_KNOWN		0x0000000fu

#define XL_PAGE_SIZE		4096u
/* Data area: 2^order pages per direction, 4 KiB .. 64 MiB. */
#define XL_RING_ORDER_MIN	0u
#define XL_RING_ORDER_MAX	14u
/*
 * Default data area: 2^10 pages = 4 MiB per direction (1024 grant
 * references), chosen by the benchmark (make bench);
 * Documentation/fifo-benchmark.md says why.
 */
#define XL_RING_ORDER_DEFAULT	10u
/*
 * Each queue's FIFO is the data area divided by the number of queues and
 * must keep at least 2^5 pages (128 KiB), so that a whole 64 KiB GSO
 * packet fits: a channel has at most 2^(order - 5) queues for the
 * smaller of the two sides' orders.
 */
#define XL_QUEUE_ORDER_MIN	5u

/* ---- control page ------------------------------------------------------ */

#define XL_CTRL_MAGIC		0x50434c58u	/* "XLCP" read as LE bytes */

/* xl_ctrl_page.flags (queue 0's block; zero in the others) */
#define XL_CTRL_TX_CLOSED	0x00000001u	/* owner produces no more records */

/*
 * The indexes of one queue: the owner's transmit FIFO (in its data area)
 * and its receive FIFO (in the peer's).  Queue q's block is at offset
 * 64 + 128 * q of the control page, so queue 0's is where version 2 had
 * its only one.
 */
struct xl_ctrl_queue {
	/* Owner's transmit direction: the FIFO in the owner's data area. */
	__le32 tx_prod;		/* bytes published so far */
	__le32 tx_cons_event;	/* notify the owner when the peer's rx_cons
				 * passes this value (producer waits for room)
				 */
	__le32 flags;		/* queue 0: XL_CTRL_*; others: zero */
	__u8 pad1[52];

	/* Owner's receive direction: the FIFO in the peer's data area. */
	__le32 rx_cons;		/* bytes consumed so far */
	__le32 rx_prod_event;	/* notify the owner when the peer's tx_prod
				 * passes this value (consumer waits for data)
				 */
	__u8 pad2[56];
};

/* Index blocks a control page has room for; the handshake allows fewer. */
#define XL_CTRL_QUEUES		31
/* Queues per channel the handshake allows (a power of two). */
#define XL_QUEUES_MAX		8

struct xl_ctrl_page {
	/* Written once at setup, then constant (informative: never trusted). */
	__le32 magic;		/* XL_CTRL_MAGIC */
	__le16 version;		/* XL_CHAN_VERSION */
	__le16 rec_hdr_size;	/* sizeof(struct xl_rec_hdr) */
	__le32 features;	/* XL_FEAT_* offered by the owner */
	__le32 ring_order;	/* owner's data area is 4096 << ring_order bytes */
	__le32 queues;		/* version 3: queues in use (informative) */
	__u8 pad0[44];

	union {
		/* Queue 0 under its version 2 names. */
		struct {
			__le32 tx_prod;
			__le32 tx_cons_event;
			__le32 flags;
			__u8 pad1[52];
			__le32 rx_cons;
			__le32 rx_prod_event;
			__u8 pad2[56];
		};
		struct xl_ctrl_queue q[XL_CTRL_QUEUES];
	};

	__u8 reserved[64];	/* zero */
};

XL_STATIC_ASSERT(sizeof(struct xl_ctrl_queue) == 128, "queue block size");
XL_STATIC_ASSERT(sizeof(struct xl_ctrl_page) == XL_PAGE_SIZE, "control page size");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, features) == 8, "features offset");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, ring_order) == 12, "ring_order offset");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, queues) == 16, "queues offset");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, tx_prod) == 64, "tx_prod offset");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, tx_cons_event) == 68, "tx_cons_event offset");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, flags) == 72, "flags offset");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, rx_cons) == 128, "rx_cons offset");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, rx_prod_event) == 132, "rx_prod_event offset");
XL_STATIC_ASSERT(offsetof(struct xl_ctrl_page, q[1]) == 192, "queue 1 offset");
XL_STATIC_ASSERT(XL_QUEUES_MAX <= XL_CTRL_QUEUES, "queues fit the page");

/* ---- records in the data area ------------------------------------------ */

#define XL_REC_ALIGN		16u
#define XL_REC_MAX_PAYLOAD	65536u	/* a whole 64 KiB GSO packet */

/* xl_rec_hdr.type */
#define XL_REC_DATA		1	/* a packet */
#define XL_REC_PAD		2	/* skip to the end of the data area */

/* xl_rec_hdr.csum */
#define XL_CSUM_NONE		0	/* receiver must verify the checksum */
#define XL_CSUM_PARTIAL		1	/* checksum not computed yet: csum_start and
					 * csum_offset say where (CHECKSUM_PARTIAL)
					 */
#define XL_CSUM_UNNECESSARY	2	/* sender's stack verified or generated it */

/* xl_rec_hdr.gso_type */
#define XL_GSO_NONE		0
#define XL_GSO_TCPV4		1
#define XL_GSO_TCPV6		2
#define XL_GSO_UDP_L4		3

/* xl_rec_hdr.flags */
#define XL_REC_F_KNOWN		0x00	/* no flags defined yet */

/* xl_rec_hdr.l3 */
#define XL_L3_IPV4		4
#define XL_L3_IPV6		6

struct xl_rec_hdr {
	__le32 len;		/* payload bytes after the header; DATA: 1 ..
				 * max payload; PAD: bytes to the area's end
				 */
	__u8 type;		/* XL_REC_* */
	__u8 flags;		/* XL_REC_F_*; unknown bits: drop the record */
	__u8 l3;		/* DATA: XL_L3_* */
	__u8 csum;		/* XL_CSUM_* */
	__u8 gso_type;		/* XL_GSO_* */
	__u8 csum_offset;	/* XL_CSUM_PARTIAL: from csum_start */
	__le16 gso_size;	/* payload bytes per segment; 0 without GSO */
	__le16 csum_start;	/* XL_CSUM_PARTIAL: from payload start */
	__u8 src_vif;		/* DATA: the vif (device id) of the sender's
				 * that the packet left by
				 */
	__u8 dst_vif;		/* DATA: the vif (device id) of the
				 * receiver's that it is addressed to
				 */
};

XL_STATIC_ASSERT(sizeof(struct xl_rec_hdr) == 16, "record header size");
XL_STATIC_ASSERT(sizeof(struct xl_rec_hdr) == XL_REC_ALIGN, "header is one alignment unit");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, type) == 4, "type offset");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, l3) == 6, "l3 offset");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, csum) == 7, "csum offset");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, gso_type) == 8, "gso_type offset");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, csum_offset) == 9, "csum_offset offset");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, gso_size) == 10, "gso_size offset");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, csum_start) == 12, "csum_start offset");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, src_vif) == 14, "src_vif offset");
XL_STATIC_ASSERT(offsetof(struct xl_rec_hdr, dst_vif) == 15, "dst_vif offset");

/* Bytes a record with @len payload bytes occupies in the data area. */
#define XL_REC_SPACE(len) \
	(((len) + sizeof(struct xl_rec_hdr) + XL_REC_ALIGN - 1) & ~(XL_REC_ALIGN - 1))

#endif /* _XENLOOP_CHANNEL_H */
