// SPDX-License-Identifier: GPL-2.0
/*
 * Which network devices are netfront devices, and on which one a packet
 * from a peer would have arrived.
 *
 * A netfront netdev's parent is the xenbus device of its vif, bound to
 * the driver xen-netfront registers ("vif", after its xenbus ids) on the
 * frontend bus ("xen").  That holds for every netfront device whatever it
 * is called or which namespace it is in, and for nothing else.
 *
 * The receive side keeps a list of them (a netdevice notifier, which
 * also replays the devices that exist at registration), in every
 * namespace, so that it can pick the device the packet is addressed to.
 */
#include <linux/device.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <net/addrconf.h>

#include "dp.h"

bool xl_is_netfront(const struct net_device *dev)
{
	const struct device *parent = dev->dev.parent;
	const struct device_driver *drv;

	if (!parent || !parent->bus || strcmp(parent->bus->name, "xen"))
		return false;
	drv = READ_ONCE(parent->driver);
	return drv && drv->name && !strcmp(drv->name, "vif");
}

struct xl_nfdev {
	struct list_head node;
	struct net_device *dev;
	struct rcu_head rcu;
};

static LIST_HEAD(xl_nfdevs);		/* RCU readers; writers under RTNL */

static bool xl_v4_is_local(struct net_device *dev, __be32 daddr,
			   __be32 saddr, bool *same_subnet)
{
	const struct in_device *in_dev = __in_dev_get_rcu(dev);
	const struct in_ifaddr *ifa;

	if (!in_dev)
		return false;
	in_dev_for_each_ifa_rcu(ifa, in_dev) {
		if (ifa->ifa_local == daddr)
			return true;
		if (inet_ifa_match(saddr, ifa))
			*same_subnet = true;
	}
	return false;
}

/*
 * The running netfront device that holds the packet's destination
 * address; failing that (the packet is routed through this guest) the
 * one on the sender's IPv4 subnet, or the first.  Under RCU; @skb holds
 * at least the IP header in its linear part, at the network header.
 */
struct net_device *xl_nfdev_for_rx(struct sk_buff *skb, u16 proto)
{
	struct net_device *fallback = NULL, *subnet = NULL;
	struct xl_nfdev *e;

	list_for_each_entry_rcu(e, &xl_nfdevs, node) {
		struct net_device *dev = e->dev;
		bool same = false;

		if (!netif_running(dev))
			continue;
		if (proto == ETH_P_IP) {
			const struct iphdr *iph = ip_hdr(skb);

			if (xl_v4_is_local(dev, iph->daddr, iph->saddr, &same))
				return dev;
			if (same && !subnet)
				subnet = dev;
		} else if (IS_ENABLED(CONFIG_IPV6)) {
			if (ipv6_chk_addr(dev_net(dev), &ipv6_hdr(skb)->daddr,
					  dev, 0))
				return dev;
		}
		if (!fallback)
			fallback = dev;
	}
	return subnet ? subnet : fallback;
}

static int xl_nfdev_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct xl_nfdev *e;

	ASSERT_RTNL();
	switch (event) {
	case NETDEV_REGISTER:
		if (!xl_is_netfront(dev))
			break;
		e = kzalloc(sizeof(*e), GFP_KERNEL);
		if (!e)		/* that device only misses xenloop's receive */
			break;
		e->dev = dev;
		list_add_tail_rcu(&e->node, &xl_nfdevs);
		break;
	case NETDEV_UNREGISTER:
		xl_dev_purge(dev);
		list_for_each_entry(e, &xl_nfdevs, node) {
			if (e->dev == dev) {
				list_del_rcu(&e->node);
				kfree_rcu(e, rcu);
				break;
			}
		}
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block xl_nfdev_nb = {
	.notifier_call = xl_nfdev_event,
};

int xl_nfdev_init(void)
{
	return register_netdevice_notifier(&xl_nfdev_nb);
}

void xl_nfdev_exit(void)
{
	struct xl_nfdev *e, *tmp;

	/* Replays NETDEV_UNREGISTER for every device: the list empties. */
	unregister_netdevice_notifier(&xl_nfdev_nb);
	rtnl_lock();
	list_for_each_entry_safe(e, tmp, &xl_nfdevs, node) {
		list_del_rcu(&e->node);
		kfree_rcu(e, rcu);
	}
	rtnl_unlock();
	rcu_barrier();
}
