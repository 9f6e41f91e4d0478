// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's side of the chan.h contract: module-wide setup (the
 * xenloop0 device, the netfront device list, the netfilter hooks) and the
 * life of one channel on the data path (per queue: its NAPI context,
 * backlog and counters).
 */
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/netdevice.h>
#include <linux/overflow.h>
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

/*
 * Where queue @i's receive work runs: with several queues, each event
 * channel is bound to a vCPU of its own (the i-th online one), so that
 * the flows the queues carry are received in parallel.  Xen binds every
 * new event channel to vCPU 0 and a guest often has no irqbalance; the
 * stack's RPS and RFS settings of the netfront device (the skbs arrive
 * on it) then steer each flow further to its consuming socket's vCPU.
 * One queue is left where the system put it.
 */
static void xl_dp_steer(struct xl_dp_chan *dp)
{
	unsigned int i;

	if (dp->nq < 2)
		return;
	for (i = 0; i < dp->nq; i++) {
		unsigned int cpu = cpumask_local_spread(i, NUMA_NO_NODE);

		/* Best effort: on failure the event stays where it is. */
		if (irq_set_affinity(dp->ch->q[i].irq, cpumask_of(cpu)))
			net_dbg_ratelimited("peer d%u: queue %u not steered to vCPU %u\n",
					    dp->domid, i, cpu);
	}
}

int xl_dp_chan_up(struct xl_chan *ch)
{
	struct xl_dp_chan *dp;
	unsigned int i;

	might_sleep();
	if (WARN_ON_ONCE(!ch->nq || ch->nq > XL_QUEUES_MAX))
		return -EINVAL;
	dp = kzalloc(struct_size(dp, q, ch->nq), GFP_KERNEL);
	if (!dp)
		return -ENOMEM;
	dp->ch = ch;
	dp->domid = ch->peer_domid;
	dp->nq = ch->nq;
	for (i = 0; i < dp->nq; i++) {
		struct xl_dp_queue *dq = &dp->q[i];

		dq->dp = dp;
		dq->q = &ch->q[i];
		xl_xmit_init(dq);
		u64_stats_init(&dq->tx.syncp);
		u64_stats_init(&dq->rx.syncp);
		netif_napi_add(xl_dev, &dq->napi, xl_recv_poll);
	}
	xl_dev_chan_add(dp);
	xl_dp_steer(dp);
	for (i = 0; i < dp->nq; i++)
		napi_enable(&dp->q[i].napi);
	/*
	 * From here the event handlers schedule the polls; the release
	 * pairs with their acquire, so they see an initialised @dp.
	 */
	smp_store_release(&ch->dp, dp);
	/* Records may have been published before we were ready: look. */
	for (i = 0; i < dp->nq; i++)
		napi_schedule(&dp->q[i].napi);
	return 0;
}

void xl_dp_chan_down(struct xl_chan *ch)
{
	struct xl_dp_chan *dp = ch->dp;
	unsigned int i;

	might_sleep();
	if (!dp)
		return;
	/* Events from now on are EOIed as spurious; wait for running ones. */
	WRITE_ONCE(ch->dp, NULL);
	for (i = 0; i < dp->nq; i++)
		synchronize_irq(ch->q[i].irq);
	for (i = 0; i < dp->nq; i++) {
		struct xl_dp_queue *dq = &dp->q[i];

		/* No poll runs after this, none will, and no EOI is owed. */
		xl_recv_stop(dq);
		xl_xmit_flush(dq);
		/* Waits for the RCU readers of the napi struct (busy polling). */
		netif_napi_del(&dq->napi);
	}
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
