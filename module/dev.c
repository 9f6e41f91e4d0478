// SPDX-License-Identifier: GPL-2.0
/*
 * xenloop0: a netdev that carries no traffic of its own and exists to
 * show what xenloop moved.  `ip -s link show xenloop0` sums every
 * channel (and the channels that are gone); `ethtool -S xenloop0` breaks
 * it down per peer domain, and per queue.  One device rather than one per peer: peers
 * come and go with the domains, and a device per peer would churn
 * interface indexes and names that tools and firewall rules then see.
 *
 * The channel list changes under RTNL (so that the ethtool string count
 * and the strings agree) and under xl_dev_lock (so that stats readers
 * without RTNL, e.g. /proc/net/dev, see consistent totals).
 */
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/spinlock.h>

#include <xenloop/version.h>

#include "chan.h"
#include "dp.h"

struct net_device *xl_dev;

static LIST_HEAD(xl_dp_chans);
static DEFINE_SPINLOCK(xl_dev_lock);
static u64 xl_gone[XL_STAT_MAX];	/* channels that went down */

/* Defaults of the moderation knobs, chosen by lab measurement. */
#define XL_NAPI_DEFER_HARD_IRQS	1
#define XL_GRO_FLUSH_TIMEOUT_NS	(100 * NSEC_PER_USEC)

static const char * const xl_stat_names[XL_STAT_MAX] = {
	[XL_STAT_TX_PACKETS] = "tx_packets",
	[XL_STAT_TX_BYTES] = "tx_bytes",
	[XL_STAT_TX_DROPPED] = "tx_dropped",
	[XL_STAT_TX_ERRORS] = "tx_errors",
	[XL_STAT_TX_GSO] = "tx_gso",
	[XL_STAT_TX_QUEUED] = "tx_queued",
	[XL_STAT_TX_KICKS] = "tx_kicks",
	[XL_STAT_TX_HANDBACK] = "tx_to_netfront",
	[XL_STAT_TX_COMPLETED] = "tx_completed",
	[XL_STAT_RX_PACKETS] = "rx_packets",
	[XL_STAT_RX_BYTES] = "rx_bytes",
	[XL_STAT_RX_DROPPED] = "rx_dropped",
	[XL_STAT_RX_BAD_GSO] = "rx_dropped_gso",
	[XL_STAT_RX_WRONG_VIF] = "rx_dropped_vif",
	[XL_STAT_RX_FRAME] = "rx_dropped_frame",
	[XL_STAT_RX_LENGTH] = "rx_dropped_length",
	[XL_STAT_RX_CSUM] = "rx_dropped_csum",
	[XL_STAT_RX_NOMEM] = "rx_dropped_nomem",
	[XL_STAT_RX_NODEV] = "rx_dropped_nodev",
	[XL_STAT_RX_ERRORS] = "rx_errors",
	[XL_STAT_RX_GSO] = "rx_gso",
	[XL_STAT_RX_KICKS] = "rx_kicks",
	[XL_STAT_EVENTS] = "events",
	[XL_STAT_EVENTS_SPURIOUS] = "events_spurious",
};

static void xl_stats_read(const struct xl_stats *s, u64 *out)
{
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		for (i = 0; i < XL_STAT_MAX; i++)
			out[i] = u64_stats_read(&s->v[i]);
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

/* One queue: both halves, each index owned by one of them. */
static void xl_queue_stats(const struct xl_dp_queue *dq, u64 *out)
{
	u64 tx[XL_STAT_MAX], rx[XL_STAT_MAX];
	unsigned int i;

	xl_stats_read(&dq->tx, tx);
	xl_stats_read(&dq->rx, rx);
	for (i = 0; i < XL_STAT_MAX; i++)
		out[i] = tx[i] + rx[i];
}

/* A channel: the sum of its queues. */
static void xl_chan_stats(const struct xl_dp_chan *dp, u64 *out)
{
	u64 one[XL_STAT_MAX];
	unsigned int i, q;

	memset(out, 0, sizeof(one));
	for (q = 0; q < dp->nq; q++) {
		xl_queue_stats(&dp->q[q], one);
		for (i = 0; i < XL_STAT_MAX; i++)
			out[i] += one[i];
	}
}

/* What ethtool -S also shows per queue, to see how flows spread. */
static const enum xl_stat xl_qstats[] = {
	XL_STAT_TX_PACKETS, XL_STAT_TX_BYTES, XL_STAT_TX_KICKS,
	XL_STAT_RX_PACKETS, XL_STAT_RX_BYTES, XL_STAT_RX_KICKS,
	XL_STAT_EVENTS,
};

static void xl_get_stats64(struct net_device *dev,
			   struct rtnl_link_stats64 *st)
{
	u64 sum[XL_STAT_MAX], one[XL_STAT_MAX];
	struct xl_dp_chan *dp;
	unsigned int i;

	spin_lock_bh(&xl_dev_lock);
	memcpy(sum, xl_gone, sizeof(sum));
	list_for_each_entry(dp, &xl_dp_chans, node) {
		xl_chan_stats(dp, one);
		for (i = 0; i < XL_STAT_MAX; i++)
			sum[i] += one[i];
	}
	spin_unlock_bh(&xl_dev_lock);

	st->tx_packets = sum[XL_STAT_TX_PACKETS];
	st->tx_bytes = sum[XL_STAT_TX_BYTES];
	st->tx_dropped = sum[XL_STAT_TX_DROPPED];
	st->tx_errors = sum[XL_STAT_TX_ERRORS];
	st->rx_packets = sum[XL_STAT_RX_PACKETS];
	st->rx_bytes = sum[XL_STAT_RX_BYTES];
	st->rx_dropped = sum[XL_STAT_RX_DROPPED];
	st->rx_length_errors = sum[XL_STAT_RX_LENGTH];
	st->rx_frame_errors = sum[XL_STAT_RX_FRAME];
	st->rx_errors = sum[XL_STAT_RX_ERRORS];
}

/* Nothing is routed through xenloop0 itself. */
static netdev_tx_t xl_dev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops xl_dev_ops = {
	.ndo_start_xmit = xl_dev_xmit,
	.ndo_get_stats64 = xl_get_stats64,
};

/* Counters ethtool -S lists for channel @dp: its own, then its queues'. */
static unsigned int xl_chan_nstats(const struct xl_dp_chan *dp)
{
	return XL_STAT_MAX + dp->nq * ARRAY_SIZE(xl_qstats);
}

/*
 * ethtool -S: "gone_*" for departed channels, then per channel
 * "peer<domid>_*" (all its queues) followed by "peer<domid>_q<n>_*" for
 * each queue (a few counters).
 */
static int xl_get_sset_count(struct net_device *dev, int sset)
{
	struct xl_dp_chan *dp;
	int n = XL_STAT_MAX;

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	ASSERT_RTNL();
	list_for_each_entry(dp, &xl_dp_chans, node)
		n += xl_chan_nstats(dp);
	return n;
}

static void xl_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	struct xl_dp_chan *dp;
	unsigned int i, q;

	if (sset != ETH_SS_STATS)
		return;
	ASSERT_RTNL();
	for (i = 0; i < XL_STAT_MAX; i++)
		ethtool_sprintf(&data, "gone_%s", xl_stat_names[i]);
	list_for_each_entry(dp, &xl_dp_chans, node) {
		for (i = 0; i < XL_STAT_MAX; i++)
			ethtool_sprintf(&data, "peer%u_%s", dp->domid,
					xl_stat_names[i]);
		for (q = 0; q < dp->nq; q++)
			for (i = 0; i < ARRAY_SIZE(xl_qstats); i++)
				ethtool_sprintf(&data, "peer%u_q%u_%s",
						dp->domid, q,
						xl_stat_names[xl_qstats[i]]);
	}
}

static void xl_get_ethtool_stats(struct net_device *dev,
				 struct ethtool_stats *stats, u64 *data)
{
	u32 left = stats->n_stats;
	struct xl_dp_chan *dp;
	u64 one[XL_STAT_MAX];
	unsigned int i, q, n;

	ASSERT_RTNL();
	if (left < XL_STAT_MAX)
		return;
	spin_lock_bh(&xl_dev_lock);
	memcpy(data, xl_gone, sizeof(xl_gone));
	data += XL_STAT_MAX;
	left -= XL_STAT_MAX;
	list_for_each_entry(dp, &xl_dp_chans, node) {
		/* The list cannot change under RTNL: the count still holds. */
		n = xl_chan_nstats(dp);
		if (left < n)
			break;
		xl_chan_stats(dp, one);
		memcpy(data, one, sizeof(one));
		data += XL_STAT_MAX;
		for (q = 0; q < dp->nq; q++) {
			xl_queue_stats(&dp->q[q], one);
			for (i = 0; i < ARRAY_SIZE(xl_qstats); i++)
				*data++ = one[xl_qstats[i]];
		}
		left -= n;
	}
	spin_unlock_bh(&xl_dev_lock);
}

static void xl_get_drvinfo(struct net_device *dev,
			   struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, XENLOOP_VERSION, sizeof(info->version));
}

static const struct ethtool_ops xl_ethtool_ops = {
	.get_drvinfo = xl_get_drvinfo,
	.get_sset_count = xl_get_sset_count,
	.get_strings = xl_get_strings,
	.get_ethtool_stats = xl_get_ethtool_stats,
};

static void xl_dev_setup(struct net_device *dev)
{
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_NOARP;
	dev->mtu = 0xffff;
	dev->min_mtu = 0;
	dev->max_mtu = 0xffff;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->tx_queue_len = 0;
	dev->netdev_ops = &xl_dev_ops;
	dev->ethtool_ops = &xl_ethtool_ops;
	dev->priv_flags |= IFF_NO_QUEUE;
	/*
	 * The channels' NAPI instances are this device's, so the stack's
	 * own interrupt moderation applies to them, tunable in sysfs
	 * (napi_defer_hard_irqs, gro_flush_timeout): after a poll that
	 * found records, poll once more from a timer before re-arming the
	 * peer's notification.  Without it a fast sender costs an event and
	 * a notify hypercall per packet, and small datagrams starve the
	 * receiving application (Documentation/data-path.md, Receive).
	 */
	dev->napi_defer_hard_irqs = XL_NAPI_DEFER_HARD_IRQS;
	dev->gro_flush_timeout = XL_GRO_FLUSH_TIMEOUT_NS;
}

void xl_dev_chan_add(struct xl_dp_chan *dp)
{
	rtnl_lock();
	spin_lock_bh(&xl_dev_lock);
	list_add_tail(&dp->node, &xl_dp_chans);
	spin_unlock_bh(&xl_dev_lock);
	rtnl_unlock();
}

/* Fold the channel's counters into "gone" so that totals never go back. */
void xl_dev_chan_del(struct xl_dp_chan *dp)
{
	u64 one[XL_STAT_MAX];
	unsigned int i;

	rtnl_lock();
	spin_lock_bh(&xl_dev_lock);
	list_del(&dp->node);
	xl_chan_stats(dp, one);
	for (i = 0; i < XL_STAT_MAX; i++)
		xl_gone[i] += one[i];
	spin_unlock_bh(&xl_dev_lock);
	rtnl_unlock();
}

/* A netdev is going away: no queued packet may keep pointing at it. */
void xl_dev_purge(const struct net_device *dev)
{
	struct xl_dp_chan *dp;
	unsigned int q;

	ASSERT_RTNL();
	list_for_each_entry(dp, &xl_dp_chans, node)
		for (q = 0; q < dp->nq; q++)
			xl_xmit_purge(&dp->q[q], dev);
}

int xl_dev_init(void)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(0, "xenloop0", NET_NAME_PREDICTABLE, xl_dev_setup);
	if (!dev)
		return -ENOMEM;
	err = register_netdev(dev);
	if (err) {
		free_netdev(dev);
		return err;
	}
	xl_dev = dev;
	return 0;
}

void xl_dev_exit(void)
{
	unregister_netdev(xl_dev);
	free_netdev(xl_dev);
	xl_dev = NULL;
}
