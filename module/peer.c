// SPDX-License-Identifier: GPL-2.0
/*
 * The peer table.  Peers come only from dom0: xenloopd's view of this
 * guest, /local/domain/0/xenloop/<self>/peers/<P>/, which no guest can
 * write (Documentation/control-plane.md, section 3).  A watch on the
 * view's generation node tells us when to read it again; the work item
 * below then reconciles the table and steps every peer's channel state
 * machine (chan.c).  All of that runs in one ordered workqueue under
 * xl_cp.lock, so states never race; xenbus watch callbacks and the data
 * path's reports (xl_chan_broken()) only set flags and kick the work.
 * Documentation/control-plane.md, 5.10, lists every flag and the lock
 * order.
 *
 * Readers on the packet path look peers up by MAC under RCU
 * (xl_peer_by_mac).  A peer's view fields never change once it is
 * published: a change of its MACs, generation or pair directory replaces
 * the peer (and restarts its channel).
 */
#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <xen/xenbus.h>

#include <xenloop/protocol.h>

#include "cp.h"
#include "xs.h"

struct xl_cp xl_cp;

/* Peers per guest; a view listing more is cut, with a warning. */
static unsigned int xl_max_peers = 64;
module_param_named(max_peers, xl_max_peers, uint, 0444);
MODULE_PARM_DESC(max_peers, "Largest number of peers kept (default 64)");

#define XL_HASH_BITS		6
static DEFINE_HASHTABLE(xl_mac_ht, XL_HASH_BITS);
static DEFINE_HASHTABLE(xl_domid_ht, XL_HASH_BITS);

/* Longest view value we accept: a vif list is the longest one. */
#define XL_XS_VALUE_MAX		(XENLOOP_VIFS_MAXLEN + 1)

/* One peer entry of the view, parsed. */
struct xl_view_ent {
	domid_t domid;
	struct xl_vifs vifs;
	unsigned int version;
	u32 features;
	u64 generation;
	char pair[64];
};

static const char * const xl_cs_names[XL_CS_MAX] = {
	[XL_CS_IDLE] = "idle",
	[XL_CS_OFFERED] = "offered",
	[XL_CS_CONNECTED] = "connected",
	[XL_CS_BROKEN] = "broken",
	[XL_CS_CLOSING] = "closing",
	[XL_CS_CLOSE_WAIT] = "close-wait",
};

const char *xl_cs_name(enum xl_cs s)
{
	return s < XL_CS_MAX ? xl_cs_names[s] : "?";
}

static u32 mac_key(const u8 *mac)
{
	return jhash(mac, ETH_ALEN, 0);
}

struct xl_peer *xl_peer_by_mac(const u8 *mac, const struct xl_vif **vif)
{
	struct xl_mac_node *n;

	hash_for_each_possible_rcu(xl_mac_ht, n, node, mac_key(mac)) {
		if (ether_addr_equal(n->mac, mac)) {
			*vif = &n->peer->pub.vifs.v[n->idx];
			return &n->peer->pub;
		}
	}
	return NULL;
}

/*
 * Our own vifs from our view, replaced whole (RCU) when the view says
 * something else; empty while we are in no view.
 */
struct xl_self_vifs {
	struct xl_vifs vifs;
	struct rcu_head rcu;
};

static struct xl_self_vifs __rcu *xl_self;
static const struct xl_vifs xl_no_vifs;

const struct xl_vifs *xl_self_vifs(void)
{
	struct xl_self_vifs *s = rcu_dereference_check(xl_self,
						       rcu_read_lock_any_held());

	return s ? &s->vifs : &xl_no_vifs;
}

static bool vifs_equal(const struct xl_vifs *a, const struct xl_vifs *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->v[i].devid != b->v[i].devid ||
		    a->v[i].net != b->v[i].net ||
		    !ether_addr_equal(a->v[i].mac, b->v[i].mac))
			return false;
	return true;
}

/* Publish @vifs as ours (NULL: none) if they differ from the current. */
static void self_vifs_set(const struct xl_vifs *vifs)
{
	struct xl_self_vifs *old, *s = NULL;

	lockdep_assert_held(&xl_cp.lock);
	old = rcu_dereference_protected(xl_self, lockdep_is_held(&xl_cp.lock));
	if (vifs ? old && vifs_equal(&old->vifs, vifs) : !old)
		return;
	if (vifs) {
		s = kmalloc(sizeof(*s), GFP_KERNEL);
		if (!s) {
			/* Stale vifs would pair wrongly: keep none instead. */
			pr_warn_ratelimited("no memory for our vif list\n");
			set_bit(XL_CPF_VIEW, &xl_cp.flags);
			xl_cp_kick(HZ);
		} else {
			s->vifs = *vifs;
		}
	}
	rcu_assign_pointer(xl_self, s);
	if (old)
		kfree_rcu(old, rcu);
	if (s)
		pr_info("our view lists %u vifs\n", s->vifs.n);
}

static struct xl_cpeer *peer_by_domid(domid_t domid)
{
	struct xl_cpeer *p;

	lockdep_assert_held(&xl_cp.lock);
	hash_for_each_possible(xl_domid_ht, p, by_domid, domid)
		if (p->pub.domid == domid)
			return p;
	return NULL;
}

/*
 * From watch callbacks and the data path.  Not once unload has begun: a
 * watch callback can still run while xl_peer_exit() unregisters its
 * watch, and queueing on a workqueue being destroyed is a bug.
 */
void xl_cp_kick(unsigned long delay)
{
	if (xl_cp.wq && !READ_ONCE(xl_cp.exiting))
		mod_delayed_work(xl_cp.wq, &xl_cp.work, delay);
}

static int xs_read_u64(struct xenbus_transaction t, const char *dir,
		       const char *node, u64 *val)
{
	char buf[24];
	int err = xl_xs_read_str(t, dir, node, buf, sizeof(buf));

	return err ?: kstrtou64(buf, 10, val);
}

/*
 * One "DEVID,MAC,NETWORK" (include/xenloop/protocol.h), exactly as
 * xenloopd writes it from netback's nodes.
 */
static bool all_of(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

static int parse_vif(char *tok, struct xl_vif *vif)
{
	char *devid = strsep(&tok, ","), *mac = strsep(&tok, ","), *net = tok;
	unsigned int id;

	if (!mac || !net || strlen(devid) > 3 || !all_of(devid, "0123456789") ||
	    (devid[0] == '0' && devid[1]) || kstrtouint(devid, 10, &id) ||
	    id > XENLOOP_VIF_DEVID_MAX ||
	    strlen(mac) != XENLOOP_MAC_STRLEN || !mac_pton(mac, vif->mac) ||
	    strlen(net) != XENLOOP_NET_STRLEN ||
	    !all_of(net, "0123456789abcdef") || kstrtou64(net, 16, &vif->net))
		return -EINVAL;
	vif->devid = id;
	return 0;
}

/* Space-separated vifs, ordered by device id. */
static int parse_vifs(char *s, struct xl_vifs *vifs)
{
	char *tok;

	vifs->n = 0;
	while ((tok = strsep(&s, " ")) != NULL) {
		if (!*tok)
			continue;
		/* More than xenloopd ever publishes: not a view we know. */
		if (vifs->n == XENLOOP_VIFS_MAX ||
		    parse_vif(tok, &vifs->v[vifs->n]) ||
		    (vifs->n && vifs->v[vifs->n].devid <= vifs->v[vifs->n - 1].devid))
			return -EINVAL;
		vifs->n++;
	}
	return 0;
}

/* @buf holds XL_XS_VALUE_MAX bytes. */
static int read_ent(struct xenbus_transaction t, const char *peers,
		    const char *name, struct xl_view_ent *e, char *buf)
{
	char dir[96];
	u64 v;
	int err;

	memset(e, 0, sizeof(*e));
	if (kstrtou16(name, 10, &e->domid) || e->domid >= DOMID_FIRST_RESERVED ||
	    e->domid == xl_cp.self)
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%s/%s", peers, name);
	err = xl_xs_read_str(t, dir, "vifs", buf, XL_XS_VALUE_MAX);
	if (!err)
		err = parse_vifs(buf, &e->vifs);
	if (!err)
		err = xs_read_u64(t, dir, "version", &v);
	if (!err && (v < 1 || v > XENLOOP_PROTO_VERSION_MAX))
		err = -EINVAL;
	e->version = v;
	if (!err)
		err = xl_xs_read_str(t, dir, "features", buf, XL_XS_VALUE_MAX);
	if (!err)
		err = kstrtou32(buf, 16, &e->features);
	if (!err)
		err = xs_read_u64(t, dir, "generation", &e->generation);
	if (!err)
		err = xl_xs_read_str(t, dir, "pair", e->pair, sizeof(e->pair));
	if (!err) {
		/* dom0 is trusted, but a wrong path would be our bug. */
		snprintf(buf, XL_XS_VALUE_MAX, "%s/%u-%u", XENLOOP_PAIRS_DIR,
			 min(e->domid, xl_cp.self), max(e->domid, xl_cp.self));
		if (strcmp(buf, e->pair))
			err = -EINVAL;
	}
	return err;
}

/*
 * Read the whole view in one transaction: our own vifs into @self and the
 * peers into @ents.  Returns the number of entries in @ents, 0 with
 * self->n == 0 when we are not in the view at all, or a negative errno.
 * @buf holds XL_XS_VALUE_MAX bytes.
 */
struct xl_view_read {
	struct xl_view_ent *ents;
	unsigned int max;
	struct xl_vifs *self;
	char *buf;
};

static int read_view_txn(struct xenbus_transaction t, void *arg)
{
	struct xl_view_read *r = arg;
	char view[48], peers[64];
	char **names;
	unsigned int i, n, cnt = 0;
	int err;

	snprintf(view, sizeof(view), "%s/%u", XENLOOP_DOM0_ROOT, xl_cp.self);
	snprintf(peers, sizeof(peers), "%s/peers", view);
	r->self->n = 0;
	err = xs_read_u64(t, view, "generation", &xl_cp.view_gen);
	if (!err)
		err = xs_read_u64(t, view, "self-generation", &xl_cp.self_gen);
	if (!err)
		err = xl_xs_read_str(t, view, "vifs", r->buf, XL_XS_VALUE_MAX);
	if (!err)
		err = parse_vifs(r->buf, r->self);
	if (err == -ENOENT || err == -EACCES) {
		/*
		 * Not (or no longer) participating: no peers.  Before
		 * xenloopd creates our view, its parent (n0) makes the
		 * read fail with EACCES.
		 */
		r->self->n = 0;
		return 0;
	}
	if (err)
		return err;
	names = xenbus_directory(t, peers, "", &n);
	if (IS_ERR(names))
		return PTR_ERR(names) == -ENOENT ? 0 : PTR_ERR(names);
	for (i = 0; i < n; i++) {
		if (cnt == r->max) {
			pr_warn_ratelimited("view lists %u peers, keeping %u\n",
					    n, r->max);
			break;
		}
		err = read_ent(t, peers, names[i], &r->ents[cnt], r->buf);
		if (!err)
			cnt++;
		else if (err != -ENOENT)
			pr_warn_ratelimited("view entry %s unreadable: %d\n",
					    names[i], err);
	}
	kfree(names);
	return cnt;
}

static int read_view(struct xl_view_ent *ents, unsigned int max,
		     struct xl_vifs *self, char *buf)
{
	struct xl_view_read r = {
		.ents = ents, .max = max, .self = self, .buf = buf,
	};

	return xl_xs_transact(read_view_txn, &r);
}

static bool ent_matches(const struct xl_cpeer *p, const struct xl_view_ent *e)
{
	return p->generation == e->generation &&
	       vifs_equal(&p->pub.vifs, &e->vifs) && !strcmp(p->pair, e->pair);
}

/* Its watch is unregistered and it is freed by xl_cp_reap(). */
static void peer_destroy(struct xl_cpeer *p, bool gone)
{
	unsigned int i;

	lockdep_assert_held(&xl_cp.lock);
	if (gone)
		xl_chan_peer_gone(p);
	else
		xl_chan_close(p);
	xl_own_retire(&p->spare, p->pub.domid);
	for (i = 0; i < p->pub.vifs.n; i++)
		hash_del_rcu(&p->macn[i].node);
	hash_del_rcu(&p->by_domid);
	list_move_tail(&p->list, &xl_cp.dead);
	xl_cp.nr_peers--;
	atomic_dec(&xl_cp.st.peers);
	pr_info("peer d%u removed%s\n", p->pub.domid, gone ? " (left the view)" : "");
}

/*
 * Unregister the watches of removed peers, then free the peers.  Never
 * under xl_cp.lock: unregister_xenbus_watch() takes xenwatch_mutex,
 * which the suspend path holds while its freeze callback waits for
 * xl_cp.lock (pm.c).  Called by the work after it drops the
 * lock, by the freeze callback (in the xenwatch thread,
 * where unregistering does not take the mutex) and at exit.
 */
void xl_cp_reap(void)
{
	struct xl_cpeer *p, *tmp;
	LIST_HEAD(dead);

	mutex_lock(&xl_cp.lock);
	list_splice_init(&xl_cp.dead, &dead);
	mutex_unlock(&xl_cp.lock);
	list_for_each_entry_safe(p, tmp, &dead, list) {
		xl_chan_unwatch(p);
		list_del(&p->list);
		kfree_rcu(p, pub.rcu);
	}
}

/*
 * The view watch self_refresh() replaced, for the same reason after the
 * lock.  Only the work uses the view watches (and exit, after the work).
 */
static void view_reap(void)
{
	unsigned int old = !xl_cp.view_cur;

	if (xl_cp.view_watch_on[old]) {
		unregister_xenbus_watch(&xl_cp.view_watch[old]);
		xl_cp.view_watch_on[old] = false;
	}
}

static void peer_create(const struct xl_view_ent *e)
{
	struct xl_cpeer *p;
	unsigned int i;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (unlikely(!p)) {
		pr_warn_ratelimited("no memory for peer d%u\n", e->domid);
		return;
	}
	p->pub.domid = e->domid;
	p->pub.vifs = e->vifs;
	p->generation = e->generation;
	p->version = e->version;
	p->features = e->features;
	strscpy(p->pair, e->pair, sizeof(p->pair));
	p->lower = xl_cp.self < e->domid;
	snprintf(p->own_side, sizeof(p->own_side), "%s/%u", p->pair, xl_cp.self);
	snprintf(p->peer_side, sizeof(p->peer_side), "%s/%u", p->pair, e->domid);
	xl_chan_peer_init(p);
	if (xl_chan_watch(p)) {
		pr_warn("cannot watch %s\n", p->peer_side);
		kfree(p);
		return;
	}
	list_add_tail(&p->list, &xl_cp.peers);
	xl_cp.nr_peers++;
	atomic_inc(&xl_cp.st.peers);
	hash_add_rcu(xl_domid_ht, &p->by_domid, p->pub.domid);
	for (i = 0; i < p->pub.vifs.n; i++) {
		p->macn[i].peer = p;
		p->macn[i].idx = i;
		memcpy(p->macn[i].mac, p->pub.vifs.v[i].mac, ETH_ALEN);
		hash_add_rcu(xl_mac_ht, &p->macn[i].node, mac_key(p->macn[i].mac));
	}
	pr_info("peer d%u (%u vifs, generation %llu) from dom0's view\n",
		p->pub.domid, p->pub.vifs.n, p->generation);
}

/* Re-read the view and make the peer table match it. */
void xl_peer_sync(void)
{
	struct xl_view_ent *ents;
	struct xl_cpeer *p, *tmp;
	struct xl_vifs *self;
	unsigned int i;
	char *buf;
	int n;

	lockdep_assert_held(&xl_cp.lock);
	if (!xl_cp.self_known)
		return;
	ents = kvcalloc(xl_max_peers, sizeof(*ents), GFP_KERNEL);
	self = kzalloc(sizeof(*self), GFP_KERNEL);
	buf = kmalloc(XL_XS_VALUE_MAX, GFP_KERNEL);
	if (!ents || !self || !buf) {
		set_bit(XL_CPF_VIEW, &xl_cp.flags);
		xl_cp_kick(HZ);
		goto out;
	}
	xl_cp.view_reads++;
	n = read_view(ents, xl_max_peers, self, buf);
	if (n < 0) {
		xl_cp.view_errors++;
		pr_warn_ratelimited("cannot read the view: %d, retrying\n", n);
		set_bit(XL_CPF_VIEW, &xl_cp.flags);
		xl_cp_kick(HZ);
		goto out;
	}
	/* Before the peers: a new peer's vifs are checked against ours. */
	self_vifs_set(self->n ? self : NULL);
	list_for_each_entry_safe(p, tmp, &xl_cp.peers, list) {
		for (i = 0; i < n; i++)
			if (ents[i].domid == p->pub.domid)
				break;
		if (i == n || !ent_matches(p, &ents[i]))
			peer_destroy(p, true);
	}
	for (i = 0; i < n; i++)
		if (!peer_by_domid(ents[i].domid))
			peer_create(&ents[i]);
out:
	kfree(buf);
	kfree(self);
	kvfree(ents);
}

void xl_peer_remove_all(void)
{
	struct xl_cpeer *p, *tmp;

	lockdep_assert_held(&xl_cp.lock);
	xl_chan_close_all();
	list_for_each_entry_safe(p, tmp, &xl_cp.peers, list)
		peer_destroy(p, false);
}

static void view_changed(struct xenbus_watch *w, const char *path,
			 const char *token)
{
	set_bit(XL_CPF_VIEW, &xl_cp.flags);
	xl_cp_kick(0);
}

/* Learn our domid (new after a restore or migration); watch our view. */
static void self_refresh(void)
{
	struct xenbus_watch *w;
	char buf[8], *path;
	u16 id;
	int err;

	err = xl_xs_read_str(XBT_NIL, "domid", "", buf, sizeof(buf));
	if (!err)
		err = kstrtou16(buf, 10, &id);
	if (err) {
		pr_warn_ratelimited("cannot read our domid: %d\n", err);
		set_bit(XL_CPF_SELF, &xl_cp.flags);
		xl_cp_kick(HZ);
		return;
	}
	w = &xl_cp.view_watch[xl_cp.view_cur];
	if (xl_cp.self_known && id == xl_cp.self && xl_cp.view_watch_on[xl_cp.view_cur])
		return;
	if (xl_cp.self_known && id != xl_cp.self) {
		pr_info("domid changed from %u to %u\n", xl_cp.self, id);
		xl_peer_remove_all();
	}
	/* The old watch, if any, goes after the lock (view_reap()). */
	if (xl_cp.view_watch_on[xl_cp.view_cur]) {
		if (xl_cp.view_watch_on[!xl_cp.view_cur]) {
			set_bit(XL_CPF_SELF, &xl_cp.flags);
			xl_cp_kick(HZ / 10);
			return;
		}
		xl_cp.view_cur = !xl_cp.view_cur;
		w = &xl_cp.view_watch[xl_cp.view_cur];
	}
	xl_cp.self = id;
	xl_cp.self_known = true;
	path = xl_cp.view_path[xl_cp.view_cur];
	snprintf(path, sizeof(xl_cp.view_path[0]), "%s/%u/generation",
		 XENLOOP_DOM0_ROOT, id);
	w->node = path;
	w->callback = view_changed;
	err = register_xenbus_watch(w);
	if (err) {
		pr_warn_ratelimited("cannot watch %s: %d\n", path, err);
		set_bit(XL_CPF_SELF, &xl_cp.flags);
		xl_cp_kick(HZ);
		return;
	}
	xl_cp.view_watch_on[xl_cp.view_cur] = true;
	set_bit(XL_CPF_VIEW, &xl_cp.flags);
}

static void xl_cp_work(struct work_struct *work)
{
	unsigned long next = jiffies + 60 * HZ;
	struct xl_cpeer *p;
	bool exiting;

	mutex_lock(&xl_cp.lock);
	if (xl_cp.suspended || xl_cp.exiting)
		goto out;
	if (test_and_clear_bit(XL_CPF_SELF, &xl_cp.flags))
		self_refresh();
	if (test_and_clear_bit(XL_CPF_VIEW, &xl_cp.flags))
		xl_peer_sync();
	list_for_each_entry(p, &xl_cp.peers, list) {
		xl_chan_step(p);
		if (time_before(xl_chan_next(p), next))
			next = xl_chan_next(p);
	}
	/* Torn-down areas a peer still maps: look again in a second. */
	if (xl_retired_reap() && time_before(jiffies + HZ, next))
		next = jiffies + HZ;
	if (!delayed_work_pending(&xl_cp.work))
		queue_delayed_work(xl_cp.wq, &xl_cp.work,
				   time_after(next, jiffies) ? next - jiffies : 0);
out:
	exiting = xl_cp.exiting;
	mutex_unlock(&xl_cp.lock);
	xl_cp_reap();
	if (!exiting)		/* xl_peer_exit() has the view watches */
		view_reap();
}

int xl_peer_init(void)
{
	/* Refuse values that would only fail later, one peer at a time. */
	if (xl_ring_order > XL_RING_ORDER_MAX) {
		pr_err("ring_order=%u: the largest is %u\n", xl_ring_order,
		       XL_RING_ORDER_MAX);
		return -EINVAL;
	}
	if (!xl_max_peers || xl_max_peers >= DOMID_FIRST_RESERVED) {
		pr_err("max_peers=%u: want 1 to %u\n", xl_max_peers,
		       DOMID_FIRST_RESERVED - 1);
		return -EINVAL;
	}
	mutex_init(&xl_cp.lock);
	INIT_LIST_HEAD(&xl_cp.peers);
	INIT_LIST_HEAD(&xl_cp.dead);
	INIT_LIST_HEAD(&xl_cp.retired);
	INIT_DELAYED_WORK(&xl_cp.work, xl_cp_work);
	xl_cp.wq = alloc_ordered_workqueue("xenloop-cp", WQ_MEM_RECLAIM);
	if (!xl_cp.wq)
		return -ENOMEM;
	set_bit(XL_CPF_SELF, &xl_cp.flags);
	xl_cp_kick(0);
	return 0;
}

void xl_peer_exit(void)
{
	unsigned int i;

	mutex_lock(&xl_cp.lock);
	WRITE_ONCE(xl_cp.exiting, true);
	mutex_unlock(&xl_cp.lock);
	cancel_delayed_work_sync(&xl_cp.work);
	for (i = 0; i < 2; i++) {
		if (xl_cp.view_watch_on[i])
			unregister_xenbus_watch(&xl_cp.view_watch[i]);
		xl_cp.view_watch_on[i] = false;
	}
	mutex_lock(&xl_cp.lock);
	xl_peer_remove_all();
	self_vifs_set(NULL);
	xl_retired_reap();
	mutex_unlock(&xl_cp.lock);
	xl_cp_reap();
	xl_retired_exit();
	/* A kick that passed its check before "exiting" may have queued it. */
	cancel_delayed_work_sync(&xl_cp.work);
	destroy_workqueue(xl_cp.wq);
	xl_cp.wq = NULL;
	/* kfree_rcu() of the peers must finish before the module text goes. */
	rcu_barrier();
}
