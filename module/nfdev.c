// SPDX-License-Identifier: GPL-2.0
/*
 * Which network devices are netfront devices, and which vif each one is.
 *
 * A netfront netdev's parent is the xenbus device of its vif, bound to
 * the driver xen-netfront registers ("vif", after its xenbus ids) on the
 * frontend bus ("xen"), at "device/vif/<devid>".  That holds for every
 * netfront device whatever it is called or which namespace it is in, and
 * for nothing else.  The device id is the one dom0's view publishes for
 * the vif, so it ties a device to its network without trusting anything
 * the guest's own configuration (names, addresses, MACs) says.
 *
 * A list of them (a netdevice notifier, which also replays the devices
 * that exist at registration), in every namespace, serves both ways:
 * which vif a packet leaves by, and on which device a record addressed
 * to one of our vifs arrives.
 */
#include <linux/device.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <xen/xenbus.h>

#include <xenloop/protocol.h>

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
	int devid;			/* -1: not one a view can name */
	struct rcu_head rcu;
};

static LIST_HEAD(xl_nfdevs);		/* RCU readers; writers under RTNL */

/* The vif's device id from its xenbus node "device/vif/<devid>", or -1. */
static int xl_nfdev_parse_devid(const struct net_device *dev)
{
	const struct xenbus_device *xdev = to_xenbus_device(dev->dev.parent);
	const char *id;
	unsigned int v;

	if (!xdev->nodename || strncmp(xdev->nodename, "device/vif/", 11))
		return -1;
	id = xdev->nodename + 11;
	if (kstrtouint(id, 10, &v) || v > XENLOOP_VIF_DEVID_MAX)
		return -1;
	return v;
}

int xl_nfdev_devid(const struct net_device *dev)
{
	struct xl_nfdev *e;

	list_for_each_entry_rcu(e, &xl_nfdevs, node)
		if (e->dev == dev)
			return e->devid;
	return -1;
}

struct net_device *xl_nfdev_by_devid(unsigned int devid)
{
	struct xl_nfdev *e;

	list_for_each_entry_rcu(e, &xl_nfdevs, node)
		if (e->devid == devid)
			return netif_running(e->dev) ? e->dev : NULL;
	return NULL;
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
		e->devid = xl_nfdev_parse_devid(dev);
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
