// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's side of the chan.h contract: module-wide setup (the
 * xenloop0 device, the netfront device list, the netfilter hooks) and the
 * life of one channel on the data path (its NAPI context, backlog and
 * counters).
 */
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "chan.h"
#include "dp.h"

/*
 * Everything the format offers: whole GSO TCP and UDP super-packets and
 * checksums left to the receiver (recv.c takes all of them).
 */
u32 xl_dp_features(void)
{
	return XL_FEAT_GSO_TCPV4 | XL_FEAT_GSO_TCPV6 | XL_FEAT_GSO_UDP_L4 |
	       XL_FEAT_CSUM_PARTIAL;
}

int xl_dp_chan_up(struct xl_chan *ch)
{
	struct xl_dp_chan *dp;

	might_sleep();
	dp = kzalloc(sizeof(*dp), GFP_KERNEL);
	if (!dp)
		return -ENOMEM;
	dp->ch = ch;
	dp->domid = ch->peer_domid;
	xl_xmit_init(dp);
	u64_stats_init(&dp->tx.syncp);
	u64_stats_init(&dp->rx.syncp);
	netif_napi_add(xl_dev, &dp->napi, xl_recv_poll);
	xl_dev_chan_add(dp);
	napi_enable(&dp->napi);
	/*
	 * From here the event handler schedules the poll; the release
	 * pairs with its acquire, so it sees an initialised @dp.
	 */
	smp_store_release(&ch->dp, dp);
	/* Records may have been published before we were ready: look. */
	napi_schedule(&dp->napi);
	return 0;
}

void xl_dp_chan_down(struct xl_chan *ch)
{
	struct xl_dp_chan *dp = ch->dp;

	might_sleep();
	if (!dp)
		return;
	/* Events from now on are EOIed as spurious; wait for one running. */
	WRITE_ONCE(ch->dp, NULL);
	synchronize_irq(ch->irq);
	/* No poll runs after this, none will, and no EOI is owed. */
	xl_recv_stop(dp);
	xl_xmit_flush(dp);
	/* Waits for the RCU readers of the napi struct (busy polling). */
	netif_napi_del(&dp->napi);
	/* The last reader: xenloop0's counters (RTNL and xl_dev_lock). */
	xl_dev_chan_del(dp);
	kfree(dp);
}

int xl_dp_init(void)
{
	int err;

	err = xl_dev_init();
	if (err)
		return err;
	err = xl_nfdev_init();
	if (err)
		goto err_nfdev;
	err = xl_hook_init();
	if (err)
		goto err_hook;
	return 0;

err_hook:
	xl_nfdev_exit();
err_nfdev:
	xl_dev_exit();
	return err;
}

void xl_dp_exit(void)
{
	xl_hook_exit();
	xl_nfdev_exit();
	xl_dev_exit();
}
