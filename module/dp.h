/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data path's own state and the interfaces between its files:
 * hook.c (netfilter: which packets xenloop takes), xmit.c (copy into the
 * FIFO, bounded backlog), recv.c (NAPI: records to skbs), dev.c (the
 * xenloop0 netdev and its counters), nfdev.c (which netdevs are
 * netfront), dp.c (per-channel life cycle, module-wide setup).
 */
#ifndef _XENLOOP_DP_H
#define _XENLOOP_DP_H

#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <xen/interface/xen.h>

struct xl_chan;

/* Per-channel counters; ethtool -S names them (dev.c). */
enum xl_stat {
	XL_STAT_TX_PACKETS,	/* records published towards the peer */
	XL_STAT_TX_BYTES,	/* their IP bytes */
	XL_STAT_TX_DROPPED,	/* backlog full (flood) */
	XL_STAT_TX_ERRORS,	/* FIFO broken while sending */
	XL_STAT_TX_GSO,		/* GSO super-packets sent whole */
	XL_STAT_TX_QUEUED,	/* packets that waited in the backlog */
	XL_STAT_TX_KICKS,	/* notifications sent for data */
	XL_STAT_TX_HANDBACK,	/* backlog handed to netfront at teardown */
	XL_STAT_TX_COMPLETED,	/* kept until the peer consumed them */
	XL_STAT_RX_PACKETS,	/* packets passed up the stack */
	XL_STAT_RX_BYTES,
	XL_STAT_RX_DROPPED,	/* malformed records, no memory, no device */
	XL_STAT_RX_BAD_GSO,	/* of which GSO metadata out of limits */
	XL_STAT_RX_WRONG_VIF,	/* of which for a vif pair dom0 does not
				 * put on one network
				 */
	XL_STAT_RX_FRAME,	/* of which malformed metadata (fifo.c) */
	XL_STAT_RX_LENGTH,	/* of which too short for their IP header */
	XL_STAT_RX_CSUM,	/* of which checksum not where the peer said */
	XL_STAT_RX_NOMEM,	/* of which no memory for the skb or a page */
	XL_STAT_RX_NODEV,	/* of which the device down or gone */
	XL_STAT_RX_ERRORS,	/* FIFO broken while receiving */
	XL_STAT_RX_GSO,
	XL_STAT_RX_KICKS,	/* notifications sent for freed space */
	XL_STAT_EVENTS,		/* events handled */
	XL_STAT_EVENTS_SPURIOUS,	/* of which brought no work */
	XL_STAT_MAX
};

/*
 * One set of counters per writer context: @tx is written under the
 * queue's tx_lock, @rx only by its NAPI poll.
 */
struct xl_stats {
	struct u64_stats_sync syncp;
	u64_stats_t v[XL_STAT_MAX];
};

/* xl_dp_queue.flags bits */
#define XL_DP_EOI_PENDING	0	/* an event awaits its late EOI */

/* The data path's side of one queue of a channel. */
struct xl_dp_queue {
	struct xl_dp_chan *dp;
	struct xl_queue *q;		/* the control plane's half */
	struct napi_struct napi;
	unsigned long flags;
	bool event_busy;		/* NAPI: work done since the event */
	bool polling;			/* NAPI: last poll did not re-arm */
	bool kick_owed;			/* NAPI: the peer asked for an event */

	/*
	 * Packets that found the FIFO full, in order; under q->tx_lock.
	 * While it is not empty every new packet for this queue waits
	 * behind it (or is dropped when it is full): no flow is reordered,
	 * since a flow keeps to one queue.
	 */
	struct sk_buff_head backlog;
	u32 backlog_bytes;
	/*
	 * Packets copied into the FIFO that the peer has not consumed yet,
	 * in ring order, each stamped with the index its record ends at;
	 * under q->tx_lock.  They stay charged to their sockets until
	 * then, as on a NIC until TX completion (xmit.c).
	 */
	struct sk_buff_head sent;
	struct timer_list reap_timer;	/* backstop for a missing event */
	bool tx_waiting;		/* asked the peer for a space event */
	/*
	 * The CPU this queue's NAPI poll runs on while it runs, else -1:
	 * the data notification that replies raised by its own delivery
	 * (ACKs, responses) would send waits for the end of the poll
	 * (@tx_kick_deferred, set under q->tx_lock), which sends one event
	 * for all of them and the space it freed.  Written by the poll.
	 */
	int poll_cpu;
	bool tx_kick_deferred;

	struct xl_stats tx;		/* XL_STAT_TX_* */
	struct xl_stats rx;		/* XL_STAT_RX_*, XL_STAT_EVENTS* */
};

/* The data path's side of a channel. */
struct xl_dp_chan {
	struct xl_chan *ch;
	domid_t domid;
	unsigned int nq;		/* ch->nq */
	struct list_head node;		/* xl_dp_chans (dev.c) */
	/*
	 * Take no more packets: a FIFO failed (xmit.c under a tx_lock, or
	 * a NAPI poll) or xl_dp_chan_down() has begun.  Only ever set, so
	 * writers need no common lock: READ_ONCE and WRITE_ONCE everywhere.
	 */
	bool stopped;
	struct xl_dp_queue q[];		/* nq of them */
};

/* Backlog bounds per queue (the FIFO itself holds megabytes). */
#define XL_TX_BACKLOG_PKTS	256
#define XL_TX_BACKLOG_BYTES	(2u << 20)
/*
 * Sent packets kept until the peer consumes them, per queue, like the
 * descriptors of a NIC's TX ring; beyond it the oldest completes at once.
 */
#define XL_TX_SENT_PKTS		1024

static inline void xl_stat_add(struct xl_stats *s, enum xl_stat i, u64 n)
{
	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->v[i], n);
	u64_stats_update_end(&s->syncp);
}

/* hook.c APIs: */
int xl_hook_init(void);
void xl_hook_exit(void);

/* xmit.c APIs: */
unsigned int xl_xmit(struct xl_chan *ch, struct sk_buff *skb,
		     const u8 *mac, u8 src_vif, u8 dst_vif);
bool xl_xmit_poll(struct xl_dp_queue *dq);
bool xl_xmit_poll_end(struct xl_dp_queue *dq);
void xl_xmit_init(struct xl_dp_queue *dq);
void xl_xmit_flush(struct xl_dp_queue *dq);
void xl_xmit_purge(struct xl_dp_queue *dq, const struct net_device *dev);

/* recv.c APIs: */
int xl_recv_poll(struct napi_struct *napi, int budget);
void xl_recv_stop(struct xl_dp_queue *dq);

/* nfdev.c APIs: */
bool xl_is_netfront(const struct net_device *dev);
int xl_nfdev_devid(const struct net_device *dev);
struct net_device *xl_nfdev_by_devid(unsigned int devid);
int xl_nfdev_init(void);
void xl_nfdev_exit(void);

/* dev.c APIs: */
extern struct net_device *xl_dev;
int xl_dev_init(void);
void xl_dev_exit(void);
void xl_dev_chan_add(struct xl_dp_chan *dp);
void xl_dev_chan_del(struct xl_dp_chan *dp);
void xl_dev_purge(const struct net_device *dev);

#endif /* _XENLOOP_DP_H */
