// SPDX-License-Identifier: GPL-2.0
/*
 * Interception: netfilter hooks, last in POST_ROUTING for IPv4 and IPv6,
 * in every network namespace.  By then the guest's filter, mangle and NAT
 * rules have all run and the packet looks exactly as it will on the
 * wire.  A packet is taken only when
 *   - it leaves through a netfront device whose vif dom0's view lists as
 *     ours, on some network N,
 *   - its next hop's neighbour entry is resolved (ARP or ND did it: we
 *     never resolve anything, an unresolved entry leaves the packet to
 *     netfront, which resolves it),
 *   - dom0 says that MAC belongs to a vif of a peer whose channel is up,
 *     and that this vif is on network N too (the bridge would carry the
 *     frame there, and nowhere else),
 *   - and the channel can carry it (xmit.c decides about size, GSO and
 *     health).
 * The record names both vifs, so that the receiver delivers it on the
 * device the bridge would have delivered it to.
 * Everything else returns NF_ACCEPT untouched: netfront carries it.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/arp.h>
#include <net/dst.h>
#include <net/xfrm.h>
#include <net/ip6_route.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/route.h>
#include <net/sock.h>
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
#include <net/netfilter/nf_conntrack.h>
#endif

#include "chan.h"
#include "dp.h"

/*
 * The neighbour entry the normal path would use for this packet, or
 * NULL.  Lookups only (no __neigh_create()): resolution stays with the
 * normal path.
 */
static struct neighbour *xl_nexthop_neigh(struct sk_buff *skb,
					  struct net_device *dev, u8 pf)
{
	if (pf == NFPROTO_IPV4) {
		struct rtable *rt = skb_rtable(skb);
		__be32 nh;

		/* Broadcast, multicast, local: not for a peer. */
		if (rt->rt_type != RTN_UNICAST || rt->rt_gw_family == AF_INET6)
			return NULL;
		nh = rt_nexthop(rt, ip_hdr(skb)->daddr);
		return __ipv4_neigh_lookup_noref(dev, (__force u32)nh);
	}
	if (IS_ENABLED(CONFIG_IPV6) && pf == NFPROTO_IPV6) {
		const struct rt6_info *rt = (const struct rt6_info *)skb_dst(skb);
		const struct in6_addr *daddr = &ipv6_hdr(skb)->daddr;

		if (ipv6_addr_is_multicast(daddr))
			return NULL;
		return __ipv6_neigh_lookup_noref(dev, rt6_nexthop(rt, daddr));
	}
	return NULL;
}

/*
 * A packet whose conntrack entry is not confirmed yet must meet the
 * confirm hook, which runs at the same priority as ours and may come
 * after us (equal priorities run in reverse registration order).  Such a
 * packet (the first of a connection) goes through netfront, and
 * conntrack and NAT see every later one confirmed.
 */
static bool xl_ct_unconfirmed(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	return ct && !nf_ct_is_confirmed(ct);
#else
	return false;
#endif
}

static unsigned int xl_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	struct net_device *dev = state->out;
	const struct xl_vif *own, *pvif;
	struct dst_entry *dst = skb_dst(skb);
	unsigned int verdict = NF_ACCEPT;
	struct xl_peer *peer;
	struct xl_chan *ch;
	struct neighbour *n;
	u8 mac[ETH_ALEN];
	int devid;
	u8 nud;

	/*
	 * An IPsec bundle (dst->xfrm) still has to encrypt this packet, and
	 * a lightweight tunnel may encapsulate it on output: both happen
	 * after this hook, so such packets are not ours to take.
	 */
	if (!dev || !dst || dst->dev != dev || dst_xfrm(dst) || dst->lwtstate ||
	    !xl_is_netfront(dev) || skb_network_offset(skb) != 0)
		return NF_ACCEPT;

	/* netfilter hooks run under rcu_read_lock(); the lookups need BH off */
	rcu_read_lock_bh();
	devid = xl_nfdev_devid(dev);
	own = devid < 0 ? NULL : xl_vif_find(xl_self_vifs(), devid);
	if (!own)
		goto out;
	n = xl_nexthop_neigh(skb, dev, state->pf);
	if (!n)
		goto out;
	nud = READ_ONCE(n->nud_state);
	if (!(nud & NUD_VALID) || (nud & NUD_NOARP))
		goto out;
	neigh_ha_snapshot(mac, n, dev);
	if (!is_valid_ether_addr(mac))
		goto out;

	peer = xl_peer_by_mac(mac, &pvif);
	if (!peer || pvif->net != own->net)
		goto out;
	ch = rcu_dereference_bh(peer->chan);
	if (!ch || xl_ct_unconfirmed(skb))
		goto out;

	/*
	 * Keep the neighbour entry as the normal path would: TCP's pending
	 * confirmation, and a STALE entry moves on to DELAY (and a probe
	 * through netfront unless confirmed) instead of aging out while
	 * every packet bypasses neigh_output().
	 */
	sock_confirm_neigh(skb, n);
	if (!(nud & NUD_CONNECTED))
		neigh_event_send(n, NULL);

	verdict = xl_xmit(ch, skb, mac, own->devid, pvif->devid);
out:
	rcu_read_unlock_bh();
	return verdict;
}

static const struct nf_hook_ops xl_nf_ops[] = {
	{
		.hook = xl_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_LAST,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook = xl_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_LAST,
	},
#endif
};

static int __net_init xl_net_init(struct net *net)
{
	return nf_register_net_hooks(net, xl_nf_ops, ARRAY_SIZE(xl_nf_ops));
}

static void __net_exit xl_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, xl_nf_ops, ARRAY_SIZE(xl_nf_ops));
}

static struct pernet_operations xl_net_ops = {
	.init = xl_net_init,
	.exit = xl_net_exit,
};

int xl_hook_init(void)
{
	return register_pernet_subsys(&xl_net_ops);
}

void xl_hook_exit(void)
{
	/* Unregistering waits for hooks in flight (synchronize_net()). */
	unregister_pernet_subsys(&xl_net_ops);
}
