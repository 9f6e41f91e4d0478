// SPDX-License-Identifier: GPL-2.0
/*
 * The channel state machine of one peer and its handshake through the
 * pair directory that xenloopd created (Documentation/control-plane.md,
 * section 5).  Everything here runs in the control-plane work item under
 * xl_cp.lock, except the one call the data path makes (xl_chan_broken).
 * Each queue's event channel is bound with the data path's handler
 * (xl_dp_irq).
 *
 *   IDLE --offer--> OFFERED --peer offer valid, mapped, bound--> CONNECTED
 *     ^                | timeout / bad offer                      | peer
 *     |                v                                          | closes,
 *     +-- backoff -- BROKEN <------ violation / data path broken -+ restarts
 *
 * Every value the peer writes in its side is read once, length-capped,
 * parsed strictly and validated before use; a bad value breaks only this
 * channel (BROKEN: torn down, retried with exponential backoff, logged
 * rate-limited).  Traffic keeps flowing through netfront meanwhile.
 */
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include <xenloop/protocol.h>

#include "cp.h"
#include "xs.h"

unsigned int xl_ring_order = XL_RING_ORDER_DEFAULT;
module_param_named(ring_order, xl_ring_order, uint, 0444);
MODULE_PARM_DESC(ring_order, "Our data area: 2^ring_order pages per peer (default 10, 4 MiB)");

unsigned int xl_max_peer_order = 12;
module_param_named(max_peer_ring_order, xl_max_peer_order, uint, 0644);
MODULE_PARM_DESC(max_peer_ring_order, "Largest peer data area we map: 2^order pages (default 12, 16 MiB)");

unsigned int xl_setup_timeout_ms = 30000;
module_param_named(setup_timeout_ms, xl_setup_timeout_ms, uint, 0644);
MODULE_PARM_DESC(setup_timeout_ms, "Wait for the peer's offer before retrying (default 30000)");

unsigned int xl_drain_timeout_ms = 2000;
module_param_named(drain_timeout_ms, xl_drain_timeout_ms, uint, 0644);
MODULE_PARM_DESC(drain_timeout_ms, "Wait for both FIFOs to drain at a planned close (default 2000)");

unsigned int xl_max_grants = 16384;
module_param_named(max_grants, xl_max_grants, uint, 0644);
MODULE_PARM_DESC(max_grants, "Pages we grant to all peers together, torn-down ones a peer still maps included (default 16384, 64 MiB)");

unsigned int xl_max_mapped = 16384;
module_param_named(max_mapped, xl_max_mapped, uint, 0644);
MODULE_PARM_DESC(max_mapped, "Peer pages we map from all peers together (default 16384, 64 MiB)");

unsigned int xl_stall_timeout_ms = 10000;
module_param_named(stall_timeout_ms, xl_stall_timeout_ms, uint, 0644);
MODULE_PARM_DESC(stall_timeout_ms, "Break a channel whose peer consumes nothing of what we sent for this long (default 10000, 0: never)");

unsigned int xl_max_queues;
module_param_named(max_queues, xl_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues, "Queues we offer each peer, each with its own FIFOs and event channel (default 0: one per online CPU; at most 8, rounded down to a power of two and to 128 KiB of data area per queue)");

unsigned int xl_backoff_max_ms = 60000;
module_param_named(backoff_max_ms, xl_backoff_max_ms, uint, 0644);
MODULE_PARM_DESC(backoff_max_ms, "Longest retry delay after a failure (default 60000)");

#define XL_BACKOFF_MIN_MS	500
#define XL_STABLE_MS		30000	/* connected this long: backoff resets */
#define XL_REOFFER_MS		200	/* after a peer's planned close */
#define XL_OFFER_ORDER_MIN	5	/* 128 KiB: a 64 KiB GSO packet fits */

/* The peer's side of the handshake, parsed and validated. */
enum xl_hs_state { XL_HS_NONE, XL_HS_READY, XL_HS_CONNECTED, XL_HS_CLOSING,
		   XL_HS_CLOSED };

struct xl_hs {
	enum xl_hs_state state;
	u64 generation;
	u32 attempt, peer_attempt;
	unsigned int version;
	u32 features;
	unsigned int order, nr_dir;
	grant_ref_t ctrl_ref;
	grant_ref_t dir_refs[XENLOOP_DIR_PAGES_MAX];
	unsigned int queues;			/* offered, 1 without the node */
	evtchn_port_t ports[XL_QUEUES_MAX];	/* higher side: queues' ports */
};

static struct xl_pchan *to_pchan(struct xl_chan *ch)
{
	return container_of(ch, struct xl_pchan, ch);
}

void xl_peer_err(struct xl_cpeer *p, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(p->last_err, sizeof(p->last_err), fmt, args);
	va_end(args);
	p->last_err_at = jiffies;
	if (__ratelimit(&p->rs))
		pr_warn("peer d%u: %s\n", p->pub.domid, p->last_err);
}

/* ---- the data path's call ---- */

void xl_chan_broken(struct xl_chan *ch, const char *why)
{
	struct xl_pchan *pc = to_pchan(ch);

	/* The first report claims the message slot, the others go. */
	if (atomic_cmpxchg(&pc->broken, XL_PC_OK, XL_PC_BREAKING) != XL_PC_OK)
		return;
	strscpy(pc->broken_why, why, sizeof(pc->broken_why));
	smp_wmb();	/* the message before the flag */
	atomic_set(&pc->broken, XL_PC_BROKEN);
	xl_cp_kick(0);
}

/* ---- XenStore ---- */

/*
 * In the xenbus reader thread, before an event is queued: the peer can
 * write its side as fast as XenStore lets it, and every write fires this
 * watch.  Only "state" (every offer, restart and close ends with a write
 * of it) and the side itself (removed, or the watch just registered)
 * matter; and since the callback only marks the peer for a re-read, one
 * queued event is as good as many.
 */
static bool peer_side_will_handle(struct xenbus_watch *w, const char *path,
				  const char *token)
{
	struct xl_cpeer *p = container_of(w, struct xl_cpeer, watch);
	size_t n = strlen(p->peer_side);

	if (strncmp(path, p->peer_side, n) ||
	    (path[n] && strcmp(path + n, "/" XENLOOP_HS_STATE)) ||
	    READ_ONCE(w->nr_pending)) {
		atomic_long_inc(&p->watch_filtered);
		return false;
	}
	atomic_long_inc(&p->watch_events);
	return true;
}

static void peer_side_changed(struct xenbus_watch *w, const char *path,
			      const char *token)
{
	struct xl_cpeer *p = container_of(w, struct xl_cpeer, watch);

	set_bit(XL_PEER_SIDE_DIRTY, &p->dirty);
	xl_cp_kick(0);
}

int xl_chan_watch(struct xl_cpeer *p)
{
	int err;

	p->watch.node = p->peer_side;
	p->watch.will_handle = peer_side_will_handle;
	p->watch.callback = peer_side_changed;
	err = register_xenbus_watch(&p->watch);
	if (!err)
		p->watch_on = true;
	return err;
}

void xl_chan_unwatch(struct xl_cpeer *p)
{
	if (p->watch_on)
		unregister_xenbus_watch(&p->watch);
	p->watch_on = false;
}

static int side_write_state(struct xl_cpeer *p, const char *state)
{
	return xenbus_write(XBT_NIL, p->own_side, XENLOOP_HS_STATE, state);
}

struct xl_offer_write {
	struct xl_cpeer *p;
	struct xl_pchan *pc;
	const char *refs;
	const char *evtchns;	/* ports of queues 1.., lower side */
};

static int side_write_offer_txn(struct xenbus_transaction t, void *arg)
{
	struct xl_offer_write *o = arg;
	struct xl_cpeer *p = o->p;
	struct xl_pchan *pc = o->pc;
	int err;

	xenbus_rm(t, p->own_side, XENLOOP_HS_PEER_ATTEMPT);
	err = xenbus_printf(t, p->own_side, XENLOOP_HS_GENERATION,
			    "%llu", xl_cp.self_gen);
	err = err ?: xenbus_printf(t, p->own_side, XENLOOP_HS_ATTEMPT,
				   "%u", pc->attempt);
	err = err ?: xenbus_printf(t, p->own_side, XENLOOP_HS_VERSION,
				   "%u", XL_CHAN_VERSION);
	err = err ?: xenbus_printf(t, p->own_side, XENLOOP_HS_QUEUES,
				   "%u", pc->offer_q);
	err = err ?: xenbus_printf(t, p->own_side, XENLOOP_HS_FEATURES,
				   "0x%08x", xl_dp_features() & XL_FEAT_KNOWN);
	err = err ?: xenbus_printf(t, p->own_side, XENLOOP_HS_RING_ORDER,
				   "%u", pc->own.order);
	err = err ?: xenbus_printf(t, p->own_side, XENLOOP_HS_CTRL_REF,
				   "%u", pc->own.ctrl_ref);
	err = err ?: xenbus_write(t, p->own_side, XENLOOP_HS_DIR_REFS, o->refs);
	if (p->lower) {
		err = err ?: xenbus_printf(t, p->own_side, XENLOOP_HS_EVTCHN,
					   "%u", pc->port[0]);
		if (pc->offer_q > 1)
			err = err ?: xenbus_write(t, p->own_side,
						  XENLOOP_HS_QUEUE_EVTCHNS,
						  o->evtchns);
		else
			xenbus_rm(t, p->own_side, XENLOOP_HS_QUEUE_EVTCHNS);
	} else {
		xenbus_rm(t, p->own_side, XENLOOP_HS_EVTCHN);
		xenbus_rm(t, p->own_side, XENLOOP_HS_QUEUE_EVTCHNS);
	}
	return err ?: xenbus_write(t, p->own_side, XENLOOP_HS_STATE,
				   XENLOOP_HS_READY);
}

/* Publish our offer: everything but "state" first, in one transaction. */
static int side_write_offer(struct xl_cpeer *p, struct xl_pchan *pc)
{
	char refs[XENLOOP_DIR_PAGES_MAX * 11 + 1];
	char evtchns[(XL_QUEUES_MAX - 1) * 11 + 1] = "";
	struct xl_offer_write o = {
		.p = p, .pc = pc, .refs = refs, .evtchns = evtchns,
	};
	unsigned int i, len = 0;

	for (i = 0; i < pc->own.nr_dir; i++)
		len += scnprintf(refs + len, sizeof(refs) - len, "%s%u",
				 i ? " " : "", pc->own.refs[pc->own.nr_data + i]);
	for (len = 0, i = 1; p->lower && i < pc->offer_q; i++)
		len += scnprintf(evtchns + len, sizeof(evtchns) - len, "%s%u",
				 i > 1 ? " " : "", pc->port[i]);
	return xl_xs_transact(side_write_offer_txn, &o);
}

/* Read a peer value of at most @len - 1 bytes, NUL-free; -EPROTO if not. */
static int hs_str(struct xenbus_transaction t, struct xl_cpeer *p,
		  const char *node, char *buf, size_t len)
{
	int err = xl_xs_read_str(t, p->peer_side, node, buf, len);

	return err == -EINVAL ? -EPROTO : err;
}

/* Decimal without sign, leading zero or whitespace: what we write. */
static int hs_parse_u32(const char *s, u32 *val)
{
	if (!*s || (s[0] == '0' && s[1]) || !isdigit(s[0]) ||
	    s[strspn(s, "0123456789")])
		return -EPROTO;
	return kstrtou32(s, 10, val) ? -EPROTO : 0;
}

static int hs_u32(struct xenbus_transaction t, struct xl_cpeer *p,
		  const char *node, u32 *val)
{
	char buf[12];
	int err = hs_str(t, p, node, buf, sizeof(buf));

	if (err == -EPROTO)
		xl_peer_err(p, "handshake: %s is too long", node);
	if (err)
		return err;
	err = hs_parse_u32(buf, val);
	if (err)
		xl_peer_err(p, "handshake: %s is not a number: \"%*pE\"",
			    node, (int)strlen(buf), buf);
	return err;
}

/* A node every offer has: missing is a protocol error, logged. */
static int hs_need_u32(struct xenbus_transaction t, struct xl_cpeer *p,
		       const char *node, u32 *val)
{
	int err = hs_u32(t, p, node, val);

	if (err == -ENOENT) {
		xl_peer_err(p, "handshake: %s is missing", node);
		return -EPROTO;
	}
	return err;
}

/*
 * Higher side: the ports of the peer's queues 1..queues-1, exactly that
 * many strict decimals separated by single spaces, none 0.  Xen refuses
 * any other bad port (not unbound, not for us) when we bind it.
 */
static int hs_queue_ports(struct xenbus_transaction t, struct xl_cpeer *p,
			  struct xl_hs *hs, char *buf, size_t len)
{
	unsigned int n = 1;
	char *s = buf, *tok;
	u32 v;
	int err = hs_str(t, p, XENLOOP_HS_QUEUE_EVTCHNS, buf, len);

	if (err == -ENOENT || err == -EPROTO) {
		xl_peer_err(p, "handshake: queue-event-channels is %s",
			    err == -ENOENT ? "missing" : "too long");
		return -EPROTO;
	}
	if (err)
		return err;
	while ((tok = strsep(&s, " ")) != NULL) {
		if (n == hs->queues || hs_parse_u32(tok, &v) || !v) {
			xl_peer_err(p, "handshake: bad queue-event-channels");
			return -EPROTO;
		}
		hs->ports[n++] = v;
	}
	if (n != hs->queues) {
		xl_peer_err(p, "handshake: %u queue-event-channels for %u queues",
			    n - 1, hs->queues);
		return -EPROTO;
	}
	return 0;
}

/*
 * Read the peer's side.  0: a valid offer (READY or CONNECTED) in @hs;
 * -EAGAIN: no usable offer now (@hs->state says why); -EPROTO: the peer
 * wrote garbage (logged); other errors: XenStore trouble.
 */
static int hs_read_once(struct xenbus_transaction t, struct xl_cpeer *p,
			struct xl_hs *hs)
{
	char buf[XENLOOP_DIR_PAGES_MAX * 11 + 1], *s, *tok;
	u32 v;
	int err;

	memset(hs, 0, sizeof(*hs));
	err = hs_str(t, p, XENLOOP_HS_STATE, buf, 12);
	if (err == -ENOENT)
		return -EAGAIN;
	if (err == -EPROTO) {
		xl_peer_err(p, "handshake: state is too long");
		return err;
	}
	if (err)
		return err;
	if (!strcmp(buf, XENLOOP_HS_READY)) {
		hs->state = XL_HS_READY;
	} else if (!strcmp(buf, XENLOOP_HS_CONNECTED)) {
		hs->state = XL_HS_CONNECTED;
	} else if (!strcmp(buf, XENLOOP_HS_CLOSING)) {
		hs->state = XL_HS_CLOSING;
		return -EAGAIN;
	} else if (!strcmp(buf, XENLOOP_HS_CLOSED)) {
		hs->state = XL_HS_CLOSED;
		return -EAGAIN;
	}
	if (hs->state == XL_HS_NONE) {
		xl_peer_err(p, "handshake: unknown state \"%*pE\"",
			    (int)strlen(buf), buf);
		return -EPROTO;
	}

	/* An offer from an earlier incarnation of the peer is stale. */
	err = hs_str(t, p, XENLOOP_HS_GENERATION, buf, 24);
	if (err)
		goto bad_node;
	if (kstrtou64(buf, 10, &hs->generation) || hs->generation != p->generation) {
		hs->state = XL_HS_NONE;
		return -EAGAIN;
	}
	err = hs_need_u32(t, p, XENLOOP_HS_ATTEMPT, &hs->attempt);
	if (err)
		return err;
	if (!hs->attempt) {
		xl_peer_err(p, "handshake: attempt 0");
		return -EPROTO;
	}
	err = hs_need_u32(t, p, XENLOOP_HS_VERSION, &v);
	if (err)
		return err;
	if (v < XL_CHAN_VERSION_MIN || v > XL_CHAN_VERSION_MAX) {
		/* Version 1 records do not say which vif they are for. */
		xl_peer_err(p, "handshake: unsupported version %u", v);
		return -EPROTO;
	}
	hs->version = v;
	/* Optional: an offer without it, or a version 2 one, has one queue. */
	hs->queues = 1;
	if (hs->version >= XL_CHAN_VERSION_QUEUES) {
		err = hs_u32(t, p, XENLOOP_HS_QUEUES, &v);
		if (err && err != -ENOENT)
			return err;
		if (!err && (!v || v > XL_QUEUES_MAX || !is_power_of_2(v))) {
			xl_peer_err(p, "handshake: bad queues %u", v);
			return -EPROTO;
		}
		if (!err)
			hs->queues = v;
	}
	err = hs_str(t, p, XENLOOP_HS_FEATURES, buf, 11);
	if (err)
		goto bad_node;
	if (strncmp(buf, "0x", 2) || strlen(buf) < 3 || kstrtou32(buf + 2, 16, &hs->features)) {
		xl_peer_err(p, "handshake: bad features \"%*pE\"",
			    (int)strlen(buf), buf);
		return -EPROTO;
	}
	err = hs_need_u32(t, p, XENLOOP_HS_RING_ORDER, &v);
	if (err)
		return err;
	if (v > XL_RING_ORDER_MAX || v > xl_max_peer_order) {
		xl_peer_err(p, "handshake: ring-order %u above our limit %u", v,
			    min(xl_max_peer_order, XL_RING_ORDER_MAX));
		return -EPROTO;
	}
	hs->order = v;
	err = hs_need_u32(t, p, XENLOOP_HS_CTRL_REF, &hs->ctrl_ref);
	if (err)
		return err;
	if (hs->ctrl_ref < GNTTAB_NR_RESERVED_ENTRIES) {
		xl_peer_err(p, "handshake: reserved ctrl-ref %u", hs->ctrl_ref);
		return -EPROTO;
	}
	err = hs_str(t, p, XENLOOP_HS_DIR_REFS, buf, sizeof(buf));
	if (err)
		goto bad_node;
	s = buf;
	while ((tok = strsep(&s, " ")) != NULL) {
		if (hs->nr_dir == XENLOOP_DIR_PAGES_MAX ||
		    hs_parse_u32(tok, &v) || v < GNTTAB_NR_RESERVED_ENTRIES) {
			xl_peer_err(p, "handshake: bad dir-refs");
			return -EPROTO;
		}
		hs->dir_refs[hs->nr_dir++] = v;
	}
	if (hs->nr_dir != DIV_ROUND_UP(1u << hs->order, XENLOOP_REFS_PER_DIR)) {
		xl_peer_err(p, "handshake: %u dir-refs for ring-order %u",
			    hs->nr_dir, hs->order);
		return -EPROTO;
	}
	if (!p->lower) {
		err = hs_need_u32(t, p, XENLOOP_HS_EVTCHN, &v);
		if (err)
			return err;
		if (!v) {
			xl_peer_err(p, "handshake: event-channel 0");
			return -EPROTO;
		}
		hs->ports[0] = v;
	}
	if (!p->lower && hs->queues > 1) {
		err = hs_queue_ports(t, p, hs, buf,
				     (XL_QUEUES_MAX - 1) * 11 + 1);
		if (err)
			return err;
	}
	if (hs->state == XL_HS_CONNECTED) {
		err = hs_need_u32(t, p, XENLOOP_HS_PEER_ATTEMPT, &hs->peer_attempt);
		if (err)
			return err;
	}
	return 0;

bad_node:
	if (err == -ENOENT || err == -EPROTO) {
		xl_peer_err(p, "handshake: a node is missing or too long");
		return -EPROTO;
	}
	return err;
}

struct xl_hs_read {
	struct xl_cpeer *p;
	struct xl_hs *hs;
};

static int hs_read_txn(struct xenbus_transaction t, void *arg)
{
	struct xl_hs_read *r = arg;

	return hs_read_once(t, r->p, r->hs);
}

static int hs_read(struct xl_cpeer *p, struct xl_hs *hs)
{
	struct xl_hs_read r = { .p = p, .hs = hs };

	return xl_xs_transact(hs_read_txn, &r);
}

/* ---- teardown ---- */

static void backoff(struct xl_cpeer *p)
{
	if (p->connected_at &&
	    time_after(jiffies, p->connected_at + msecs_to_jiffies(XL_STABLE_MS)))
		p->backoff_ms = 0;
	p->connected_at = 0;
	p->backoff_ms = p->backoff_ms ?
		min(p->backoff_ms * 2, max(xl_backoff_max_ms, 1u)) :
		XL_BACKOFF_MIN_MS;
	p->deadline = jiffies + msecs_to_jiffies(p->backoff_ms);
}

/*
 * Offer again after the peer closed or restarted its side: @ms later if
 * the channel had been stable, else with backoff, so that a peer cycling
 * its handshake costs us little (the spare area is reused either way).
 */
static void reoffer(struct xl_cpeer *p, unsigned int ms)
{
	if (p->connected_at &&
	    time_after(jiffies, p->connected_at + msecs_to_jiffies(XL_STABLE_MS))) {
		p->backoff_ms = 0;
		p->connected_at = 0;
		p->deadline = jiffies + msecs_to_jiffies(ms);
		return;
	}
	backoff(p);
}

/*
 * A planned close with a live peer, as steps of the state machine rather
 * than waits under xl_cp.lock (a peer that never finishes its part costs
 * every other peer nothing):
 *
 *   CONNECTED --close_begin()--> CLOSING: stop producing (TX_CLOSED), say
 *     "closing", let the data path drain both ways;
 *   CLOSING --drained or drain_timeout_ms--> close_unmap(): data path
 *     down, the peer's pages unmapped, say "closed";
 *   CLOSE_WAIT --the peer says closed (or anything but connected to this
 *     attempt), or drain_timeout_ms--> IDLE: our pages are ended at once
 *     when the peer has unmapped them, else retired (shmem.c).
 */
static void chan_unpublish(struct xl_cpeer *p, struct xl_pchan *pc)
{
	if (pc->published) {
		RCU_INIT_POINTER(p->pub.chan, NULL);
		synchronize_rcu();	/* no transmit starts on @pc now */
		pc->published = false;
	}
}

static void close_begin(struct xl_cpeer *p)
{
	struct xl_pchan *pc = p->pc;
	struct xl_ctrl_page *own = page_address(pc->own.ctrl_page);
	unsigned int i;

	chan_unpublish(p, pc);
	/*
	 * Close every queue under its lock first, then say so in the one
	 * shared flag (queue 0's block): a producer checks its queue's
	 * tx_closed under the same lock, so by the time the peer can see
	 * TX_CLOSED no record follows on any queue, even for a peer that
	 * is closing too and reads the flag before our "closing".
	 */
	for (i = 0; i < pc->ch.nq; i++) {
		spin_lock_bh(&pc->ch.q[i].tx_lock);
		pc->ch.q[i].tx_closed = true;
		spin_unlock_bh(&pc->ch.q[i].tx_lock);
	}
	WRITE_ONCE(own->flags, cpu_to_le32(le32_to_cpu(own->flags) |
					   XL_CTRL_TX_CLOSED));
	virt_mb();	/* TX_CLOSED before the peer hears about it */
	side_write_state(p, XENLOOP_HS_CLOSING);
	for (i = 0; i < pc->ch.nq; i++)
		xl_queue_notify(&pc->ch.q[i]);
	p->state = XL_CS_CLOSING;
	p->deadline = jiffies + msecs_to_jiffies(xl_drain_timeout_ms);
}

/* CLOSING: has the peer taken what we sent, and have we read its part? */
static bool close_drained(struct xl_cpeer *p, struct xl_pchan *pc)
{
	struct xl_ctrl_page *own = page_address(pc->own.ctrl_page);
	const struct xl_ctrl_page *peer = pc->pctrl.addr;
	u32 tx_left = 0, peer_flags;
	u64 rx_left = 0;	/* a sum of peer values that cannot wrap to 0 */
	unsigned int i;

	for (i = 0; i < pc->ch.nq; i++) {
		struct xl_queue *q = &pc->ch.q[i];

		spin_lock_bh(&q->tx_lock);
		tx_left += xl_fifo_tx_inflight(&q->tx);
		spin_unlock_bh(&q->tx_lock);
	}
	/* Peer values are only compared, never used to address. */
	peer_flags = le32_to_cpu(READ_ONCE(peer->flags));
	for (i = 0; i < pc->ch.nq; i++)
		rx_left += (u32)(le32_to_cpu(READ_ONCE(peer->q[i].tx_prod)) -
				 le32_to_cpu(READ_ONCE(own->q[i].rx_cons)));
	if (!tx_left && !rx_left && (peer_flags & XL_CTRL_TX_CLOSED))
		return true;
	if (time_before(jiffies, p->deadline))
		return false;
	xl_peer_err(p, "drain timed out: %u bytes not taken by the peer, %llu not read",
		    tx_left, rx_left);
	return true;
}

/* Let go of queue @i's event channel, bound or only allocated. */
static void queue_unbind(struct xl_pchan *pc, unsigned int i)
{
	struct xl_queue *q = &pc->ch.q[i];

	if (q->irq) {
		/* Closes the port too. */
		unbind_from_irqhandler(q->irq, q);
		atomic_dec(&xl_cp.st.evtchns);
		q->irq = 0;
	} else if (pc->port_alloc[i]) {
		xl_evtchn_close(pc->port[i]);
	}
	pc->port_alloc[i] = false;
	pc->port[i] = 0;
}

/*
 * Stop the data path and let go of everything of the peer's: after this
 * nothing of ours touches the peer's pages or the event channels.
 */
static void chan_stop(struct xl_cpeer *p, struct xl_pchan *pc)
{
	unsigned int i;

	chan_unpublish(p, pc);
	xl_dp_chan_down(&pc->ch);
	for (i = 0; i < XL_QUEUES_MAX; i++)
		queue_unbind(pc, i);
	xl_unmap_peer(&pc->pdata);
	xl_unmap_peer(&pc->pctrl);
}

/* Free the attempt; our pages stay with the peer as its spare area. */
static void chan_free(struct xl_cpeer *p)
{
	struct xl_pchan *pc = p->pc;

	/* Whole areas are kept for the next offer to this peer. */
	xl_own_retire(&p->spare, p->pub.domid);
	if (pc->own.data && pc->own.ctrl_granted &&
	    pc->own.nr_granted == pc->own.nr_data + pc->own.nr_dir) {
		p->spare = pc->own;
		memset(&pc->own, 0, sizeof(pc->own));
	} else {
		xl_own_retire(&pc->own, p->pub.domid);
	}
	kfree(pc);
	p->pc = NULL;
	atomic_dec(&xl_cp.st.pchans);
	p->st.teardowns++;
}

/*
 * Take the channel down at once and free everything.  @write: our side
 * of the pair directory still exists: say "closed" there.
 */
static void chan_teardown(struct xl_cpeer *p, bool write)
{
	lockdep_assert_held(&xl_cp.lock);
	if (!p->pc)
		return;
	chan_stop(p, p->pc);
	/* "closed" says: we map nothing of the peer's any more. */
	if (write)
		side_write_state(p, XENLOOP_HS_CLOSED);
	chan_free(p);
}

/* CLOSING is over: unmap, say "closed", wait for the peer's "closed". */
static void close_unmap(struct xl_cpeer *p)
{
	chan_stop(p, p->pc);
	side_write_state(p, XENLOOP_HS_CLOSED);
	if (!p->pc->peer_attempt) {
		chan_free(p);
		p->state = XL_CS_IDLE;
		return;
	}
	p->state = XL_CS_CLOSE_WAIT;
	p->deadline = jiffies + msecs_to_jiffies(xl_drain_timeout_ms);
}

/*
 * CLOSE_WAIT: the peer unmaps our pages and then says "closed"; ending
 * our grants after that frees them at once.  Bounded: a peer that does
 * not answer only delays the freeing (retired pages), never prevents it.
 */
static bool close_peer_done(struct xl_cpeer *p)
{
	struct xl_hs hs;
	int err = hs_read(p, &hs);

	if (err == -EPROTO || hs.state == XL_HS_CLOSED ||
	    hs.state == XL_HS_READY || hs.state == XL_HS_NONE ||
	    (!err && hs.attempt != p->pc->peer_attempt))
		return true;
	if (time_before(jiffies, p->deadline))
		return false;
	xl_peer_err(p, "the peer did not unmap our pages in %u ms; they are freed when it does",
		    xl_drain_timeout_ms);
	return true;
}

/* One step of a planned close; true once it is over (state IDLE). */
static bool step_close(struct xl_cpeer *p)
{
	if (p->state == XL_CS_CLOSING) {
		if (atomic_read(&p->pc->broken) == XL_PC_BROKEN || close_drained(p, p->pc))
			close_unmap(p);
		else
			return false;
	}
	if (p->state == XL_CS_CLOSE_WAIT) {
		if (!close_peer_done(p))
			return false;
		chan_free(p);
		p->state = XL_CS_IDLE;
	}
	return true;
}

static void go_broken(struct xl_cpeer *p, bool write)
{
	chan_teardown(p, write);
	p->st.broken++;
	p->state = XL_CS_BROKEN;
	backoff(p);
}

/* ---- setup ---- */

/* Grants one offer of 2^@order data pages takes, directory and control. */
static unsigned int offer_grants(unsigned int order)
{
	return (1u << order) + DIV_ROUND_UP(1u << order, XENLOOP_REFS_PER_DIR) + 1;
}

static void budget_refused(struct xl_cpeer *p)
{
	p->st.budget_refused++;
	xl_cp.budget_refused++;
}

/*
 * The data area of our next offer to @p: the largest order up to
 * ring_order that leaves each peer room for a live and a torn-down area
 * within max_grants, shrunk further to what is left of it now.  With
 * *@reuse, the spare area of @p's last channel has that order.  -EBUSY:
 * the peer still maps more of our earlier channels than one area;
 * -ENOSPC: max_grants is used up.
 */
static int offer_order(struct xl_cpeer *p, bool *reuse)
{
	unsigned int share = xl_max_grants / max(xl_cp.nr_peers, 1u) / 2;
	unsigned int order = min(xl_ring_order, XL_RING_ORDER_MAX);
	unsigned int pinned, used;

	while (order > XL_OFFER_ORDER_MIN && offer_grants(order) > share)
		order--;
	*reuse = p->spare.data && p->spare.order == order;
	if (*reuse)
		return order;
	xl_own_retire(&p->spare, p->pub.domid);
	pinned = xl_retired_grants(p->pub.domid);
	if (pinned > offer_grants(min(xl_ring_order, XL_RING_ORDER_MAX))) {
		xl_peer_err(p, "no offer: the peer still maps %u of our pages from earlier channels",
			    pinned);
		return -EBUSY;
	}
	used = atomic_read(&xl_cp.st.grants);
	while (used + offer_grants(order) > xl_max_grants) {
		if (order <= XL_OFFER_ORDER_MIN) {
			xl_peer_err(p, "no offer: %u of max_grants %u in use (%d by torn-down channels)",
				    used, xl_max_grants,
				    atomic_read(&xl_cp.st.retired));
			return -ENOSPC;
		}
		order--;
	}
	return order;
}

/* Queues a data area of 2^@order pages can hold (XL_QUEUE_ORDER_MIN). */
static unsigned int order_queues(unsigned int order)
{
	if (order < XL_QUEUE_ORDER_MIN)
		return 1;
	return 1u << (order - XL_QUEUE_ORDER_MIN);
}

/* Queues we offer with a data area of 2^@order pages: a power of two. */
static unsigned int offer_queues(unsigned int order)
{
	unsigned int n = READ_ONCE(xl_max_queues) ?: num_online_cpus();

	n = min3(n, (unsigned int)XL_QUEUES_MAX, order_queues(order));
	return rounddown_pow_of_two(max(n, 1u));
}

/*
 * Lower domid: one unbound port per offered queue, bound at once so that
 * the data path sees (and EOIs) whatever the peer sends before connecting.
 */
static int offer_ports(struct xl_cpeer *p, struct xl_pchan *pc)
{
	unsigned int i;
	int err, irq;

	for (i = 0; i < pc->offer_q; i++) {
		err = xl_evtchn_alloc(p->pub.domid, &pc->port[i]);
		if (err) {
			xl_peer_err(p, "cannot allocate an event channel: %d",
				    err);
			return err;
		}
		pc->port_alloc[i] = true;
		irq = bind_evtchn_to_irqhandler_lateeoi(pc->port[i], xl_dp_irq,
							0, pc->irq_name[i],
							&pc->ch.q[i]);
		if (irq < 0) {
			xl_peer_err(p, "cannot bind event channel %u: %d",
				    pc->port[i], irq);
			return irq;
		}
		pc->ch.q[i].irq = irq;
		pc->port_alloc[i] = false;
	}
	return 0;
}

static int chan_offer(struct xl_cpeer *p)
{
	u32 features = xl_dp_features() & XL_FEAT_KNOWN;
	struct xl_pchan *pc;
	unsigned int i;
	int err, order;
	bool reuse;

	pc = kzalloc(sizeof(*pc), GFP_KERNEL);
	if (!pc)
		return -ENOMEM;
	atomic_inc(&xl_cp.st.pchans);
	p->pc = pc;
	pc->peer = p;
	pc->ch.peer_domid = p->pub.domid;
	pc->ch.peer_vifs = p->pub.vifs;
	/* Every queue: an event can come in before we know how many. */
	for (i = 0; i < XL_QUEUES_MAX; i++) {
		pc->ch.q[i].ch = &pc->ch;
		pc->ch.q[i].idx = i;
		spin_lock_init(&pc->ch.q[i].tx_lock);
		snprintf(pc->irq_name[i], sizeof(pc->irq_name[i]),
			 "xenloop-d%u-q%u", p->pub.domid, i);
	}
	pc->xdev.otherend_id = p->pub.domid;
	if (!++xl_cp.attempt_seq)
		++xl_cp.attempt_seq;
	pc->attempt = xl_cp.attempt_seq;

	order = offer_order(p, &reuse);
	if (order < 0) {
		budget_refused(p);
		err = order;
		goto err;
	}
	if (reuse) {
		pc->own = p->spare;
		memset(&p->spare, 0, sizeof(p->spare));
		xl_own_reset(&pc->own, features);
	} else {
		err = xl_own_alloc(&pc->own, p->pub.domid, order, features);
		if (err) {
			xl_peer_err(p, "cannot allocate and grant %u pages: %d",
				    offer_grants(order), err);
			goto err;
		}
	}
	pc->offer_q = offer_queues(pc->own.order);
	if (p->lower) {
		err = offer_ports(p, pc);
		if (err)
			goto err;
	}
	err = side_write_offer(p, pc);
	if (err) {
		xl_peer_err(p, "cannot write our offer in %s: %d", p->own_side, err);
		goto err;
	}
	p->st.offers++;
	return 0;
err:
	chan_teardown(p, false);
	p->st.setup_errors++;
	return err;
}

/*
 * Queues of the channel: the smaller offer, as many as the smaller data
 * area holds, one without version 3.  Both sides compute it from the
 * same values, so they agree without another round.
 */
static unsigned int chan_queues(const struct xl_pchan *pc,
				const struct xl_hs *hs, unsigned int version)
{
	if (version < XL_CHAN_VERSION_QUEUES)
		return 1;
	return min3(pc->offer_q, hs->queues,
		    order_queues(min(pc->own.order, hs->order)));
}

/*
 * Event channels of queues 0..@nq - 1: the higher domid binds the peer's
 * ports; the lower one closes those of the queues it offered but the
 * channel does not use.
 */
static int chan_bind(struct xl_cpeer *p, struct xl_pchan *pc,
		     const struct xl_hs *hs, unsigned int nq)
{
	unsigned int i;
	int irq;

	if (p->lower) {
		for (i = nq; i < pc->offer_q; i++)
			queue_unbind(pc, i);
		return 0;
	}
	for (i = 0; i < nq; i++) {
		irq = bind_interdomain_evtchn_to_irqhandler_lateeoi(&pc->xdev,
								    hs->ports[i],
								    xl_dp_irq, 0,
								    pc->irq_name[i],
								    &pc->ch.q[i]);
		if (irq < 0) {
			xl_peer_err(p, "cannot bind the peer's event channel %u (queue %u): %d",
				    hs->ports[i], i, irq);
			return -EPROTO;
		}
		atomic_inc(&xl_cp.st.evtchns);
		pc->ch.q[i].irq = irq;
	}
	return 0;
}

/* Queue @i's FIFOs: slice @i of @nq of each side's data area. */
static int queue_init(struct xl_pchan *pc, unsigned int i, unsigned int nq,
		      u32 features)
{
	struct xl_queue *q = &pc->ch.q[i];
	struct xl_ctrl_page *own = page_address(pc->own.ctrl_page);
	u32 own_size = (XL_PAGE_SIZE << pc->own.order) / nq;
	u32 peer_size = (XL_PAGE_SIZE << pc->peer_order) / nq;
	int err;

	err = xl_fifo_tx_init_queue(&q->tx, (u8 *)pc->own.data + i * own_size,
				    own_size, own, pc->pctrl.addr, i, features);
	return err ?: xl_fifo_rx_init_queue(&q->rx,
					    (const u8 *)pc->pdata.addr +
					    i * peer_size, peer_size, own,
					    pc->pctrl.addr, i, features);
}

/*
 * Map the peer's offer and bind the event channels.  -EPROTO: the peer's
 * fault (references or ports that Xen refuses, bad directory contents).
 */
static int chan_connect(struct xl_cpeer *p, const struct xl_hs *hs)
{
	struct xl_pchan *pc = p->pc;
	struct xl_ctrl_page *own = page_address(pc->own.ctrl_page);
	unsigned int i, nq, version, nr = 1u << hs->order;
	struct xl_map dir;
	grant_ref_t *refs;
	u32 features;
	int err;

	if (atomic_read(&xl_cp.st.maps) + nr + hs->nr_dir + 1 > xl_max_mapped) {
		budget_refused(p);
		xl_peer_err(p, "not mapping the peer's %u pages: %d of max_mapped %u in use",
			    nr + hs->nr_dir + 1, atomic_read(&xl_cp.st.maps),
			    xl_max_mapped);
		return -ENOSPC;
	}
	err = xl_map_peer(&pc->pctrl, p->pub.domid, &hs->ctrl_ref, 1);
	if (err) {
		xl_peer_err(p, "cannot map the peer's control page (ref %u): %d",
			    hs->ctrl_ref, err);
		return err == -ENOMEM ? err : -EPROTO;
	}
	refs = kvcalloc(nr, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	err = xl_map_peer(&dir, p->pub.domid, hs->dir_refs, hs->nr_dir);
	if (err) {
		xl_peer_err(p, "cannot map the peer's grant directory: %d", err);
		kvfree(refs);
		return err == -ENOMEM ? err : -EPROTO;
	}
	/* Copy the references once; only the copy is used. */
	for (i = 0; i < nr; i++) {
		const __le32 *d = dir.addr;

		refs[i] = le32_to_cpu(READ_ONCE(d[i]));
		if (refs[i] < GNTTAB_NR_RESERVED_ENTRIES) {
			xl_peer_err(p, "grant directory: reserved ref %u at %u",
				    refs[i], i);
			err = -EPROTO;
			break;
		}
	}
	xl_unmap_peer(&dir);
	if (!err) {
		err = xl_map_peer(&pc->pdata, p->pub.domid, refs, nr);
		if (err) {
			xl_peer_err(p, "cannot map the peer's %u data pages: %d",
				    nr, err);
			err = err == -ENOMEM ? err : -EPROTO;
		}
	}
	kvfree(refs);
	if (err)
		return err;
	pc->peer_order = hs->order;

	version = min_t(unsigned int, hs->version, XL_CHAN_VERSION);
	nq = chan_queues(pc, hs, version);
	err = chan_bind(p, pc, hs, nq);
	if (err)
		return err;

	features = xl_dp_features() & hs->features & XL_FEAT_KNOWN;
	pc->ch.features = features;
	pc->ch.version = version;
	for (i = 0; i < nq && !err; i++)
		err = queue_init(pc, i, nq, features);
	if (err) {
		xl_peer_err(p, "FIFO setup failed: %d", err);
		return err;
	}
	pc->ch.nq = nq;
	/* Informative, for whoever looks at the page. */
	WRITE_ONCE(own->queues, cpu_to_le32(nq));
	err = xl_dp_chan_up(&pc->ch);
	if (err) {
		xl_peer_err(p, "data path refused the channel: %d", err);
		return err;
	}
	pc->peer_attempt = hs->attempt;
	rcu_assign_pointer(p->pub.chan, &pc->ch);
	pc->published = true;

	err = xenbus_printf(XBT_NIL, p->own_side, XENLOOP_HS_PEER_ATTEMPT,
			    "%u", hs->attempt);
	err = err ?: side_write_state(p, XENLOOP_HS_CONNECTED);
	if (err) {
		xl_peer_err(p, "cannot write our state: %d", err);
		return err;
	}
	/* Anything published before the peer bound its end was not heard. */
	for (i = 0; i < nq; i++)
		xl_queue_notify(&pc->ch.q[i]);
	return 0;
}

/* ---- the state machine ---- */

static void step_offered(struct xl_cpeer *p)
{
	struct xl_hs hs;
	int err;

	clear_bit(XL_PEER_SIDE_DIRTY, &p->dirty);
	err = hs_read(p, &hs);
	if (err == -EPROTO) {
		go_broken(p, true);
		return;
	}
	/* The peer is connected to an attempt of ours that is gone: wait. */
	if (!err && hs.state == XL_HS_CONNECTED &&
	    hs.peer_attempt != p->pc->attempt)
		err = -EAGAIN;
	if (err) {
		if (time_after_eq(jiffies, p->deadline)) {
			p->st.timeouts++;
			xl_peer_err(p, "no usable offer from the peer in %u ms",
				    xl_setup_timeout_ms);
			chan_teardown(p, true);
			p->state = XL_CS_IDLE;
			backoff(p);
		}
		return;
	}
	err = chan_connect(p, &hs);
	if (err) {
		if (err != -EPROTO)
			p->st.setup_errors++;
		go_broken(p, true);
		return;
	}
	p->state = XL_CS_CONNECTED;
	p->connected_at = jiffies;
	p->setup_ms = jiffies_to_msecs(jiffies - p->offered_at);
	p->st.connects++;
	pr_info("peer d%u: channel connected (%s guest, attempt %u/%u, rings %u/%u KiB, queues %u, features 0x%x) %u ms after our offer\n",
		p->pub.domid, xl_guest_type(), p->pc->attempt,
		hs.attempt, 4u << p->pc->own.order, 4u << hs.order,
		p->pc->ch.nq, p->pc->ch.features, p->setup_ms);
}

/*
 * Like netback's rx_stall_timeout_msecs: data waits for the peer on some
 * queue (*@queue) and its consumer index there has not moved for
 * xl_stall_timeout_ms.  A peer whose kernel is wedged or whose rogue
 * process died would otherwise keep the channel connected while every
 * packet for it is lost.  Each queue is watched on its own: a peer that
 * drains one and starves another loses the channel too.  Its indexes
 * are only compared (xl_fifo_tx_inflight() validates them).
 */
static bool chan_stalled(struct xl_pchan *pc, u32 *pending,
			 unsigned int *queue)
{
	unsigned long t = msecs_to_jiffies(xl_stall_timeout_ms);
	unsigned int i;
	u32 left, cons;

	for (i = 0; i < pc->ch.nq; i++) {
		struct xl_queue *q = &pc->ch.q[i];

		spin_lock_bh(&q->tx_lock);
		left = xl_fifo_tx_inflight(&q->tx);
		cons = q->tx.cons;
		spin_unlock_bh(&q->tx_lock);
		if (!left || cons != pc->stall_cons[i] || !pc->stall_since[i]) {
			pc->stall_cons[i] = cons;
			pc->stall_since[i] = left ? jiffies | 1 : 0;
			continue;
		}
		if (t && time_after(jiffies, pc->stall_since[i] + t)) {
			*pending = left;
			*queue = i;
			return true;
		}
	}
	return false;
}

static void step_connected(struct xl_cpeer *p)
{
	struct xl_pchan *pc = p->pc;
	unsigned int queue;
	struct xl_hs hs;
	u32 pending;
	int err;

	if (atomic_read(&pc->broken) == XL_PC_BROKEN) {
		smp_rmb();	/* the flag before the message */
		xl_peer_err(p, "data path: %s", pc->broken_why);
		go_broken(p, true);
		return;
	}
	if (chan_stalled(pc, &pending, &queue)) {
		p->st.stalls++;
		xl_peer_err(p, "stalled: %u bytes sent on queue %u, none consumed in %u ms; back to netfront",
			    pending, queue, xl_stall_timeout_ms);
		go_broken(p, true);
		return;
	}
	if (!test_and_clear_bit(XL_PEER_SIDE_DIRTY, &p->dirty))
		return;
	err = hs_read(p, &hs);
	if (err == -EPROTO) {
		go_broken(p, true);
		return;
	}
	if (err && hs.state == XL_HS_CLOSING) {
		/* A planned close (unload, suspend): drain both ways. */
		p->st.peer_closes++;
		pr_info("peer d%u: closing the channel at the peer's request\n",
			p->pub.domid);
		close_begin(p);
		return;
	}
	if (err == -EAGAIN ||
	    (!err && (hs.attempt != pc->peer_attempt ||
		      (hs.state == XL_HS_CONNECTED &&
		       hs.peer_attempt != pc->attempt)))) {
		/* The peer restarted its side: what we mapped is stale. */
		p->st.peer_closes++;
		pr_info("peer d%u: the peer restarted the handshake\n",
			p->pub.domid);
		chan_teardown(p, true);
		p->state = XL_CS_IDLE;
		reoffer(p, 0);
		return;
	}
	if (err) {
		/* XenStore trouble: look again soon. */
		set_bit(XL_PEER_SIDE_DIRTY, &p->dirty);
		p->deadline = jiffies + HZ;
	}
}

void xl_chan_step(struct xl_cpeer *p)
{
	int err;

	lockdep_assert_held(&xl_cp.lock);
	switch (p->state) {
	case XL_CS_IDLE:
	case XL_CS_BROKEN:
		if (time_before(jiffies, p->deadline))
			return;
		p->offered_at = jiffies;
		err = chan_offer(p);
		if (err) {
			p->state = XL_CS_BROKEN;
			backoff(p);
			return;
		}
		p->state = XL_CS_OFFERED;
		p->deadline = jiffies + msecs_to_jiffies(xl_setup_timeout_ms);
		fallthrough;
	case XL_CS_OFFERED:
		step_offered(p);
		return;
	case XL_CS_CONNECTED:
		step_connected(p);
		return;
	case XL_CS_CLOSING:
	case XL_CS_CLOSE_WAIT:
		if (step_close(p))
			reoffer(p, XL_REOFFER_MS);
		return;
	default:
		return;
	}
}

/* When the work should step @p again, at the latest. */
unsigned long xl_chan_next(const struct xl_cpeer *p)
{
	unsigned long t = msecs_to_jiffies(xl_stall_timeout_ms);
	const struct xl_pchan *pc = p->pc;
	unsigned long next;
	unsigned int i;

	/* Draining is seen in shared memory only: look every 20 ms. */
	if (p->state == XL_CS_CLOSING)
		return min(p->deadline, jiffies + max(HZ / 50, 1));
	if (p->state != XL_CS_CONNECTED)
		return p->deadline;
	if (!t)
		return jiffies + 60 * HZ;
	/*
	 * Idle queues are sampled twice a timeout, so that one starting to
	 * stall is noticed; a stalling queue is looked at on time.
	 */
	next = jiffies + max(t / 2, 1ul);
	for (i = 0; i < pc->ch.nq; i++)
		if (pc->stall_since[i] &&
		    time_before(pc->stall_since[i] + t + 1, next))
			next = pc->stall_since[i] + t + 1;
	return next;
}

void xl_chan_peer_init(struct xl_cpeer *p)
{
	p->state = XL_CS_IDLE;
	p->deadline = jiffies;
	ratelimit_state_init(&p->rs, 60 * HZ, 10);
	ratelimit_set_flags(&p->rs, RATELIMIT_MSG_ON_RELEASE);
}

/*
 * Planned close of every channel (unload, suspend, a new domid): all
 * peers drain in parallel, so the whole close takes at most twice
 * drain_timeout_ms however many peers there are and whatever they do.
 * The only wait under xl_cp.lock, and only where nothing else may run.
 */
void xl_chan_close_all(void)
{
	struct xl_cpeer *p;
	bool busy;

	lockdep_assert_held(&xl_cp.lock);
	list_for_each_entry(p, &xl_cp.peers, list)
		if (p->state == XL_CS_CONNECTED)
			close_begin(p);
	for (;;) {
		busy = false;
		list_for_each_entry(p, &xl_cp.peers, list)
			if ((p->state == XL_CS_CLOSING ||
			     p->state == XL_CS_CLOSE_WAIT) && !step_close(p))
				busy = true;
		if (!busy)
			break;
		usleep_range(10000, 20000);
	}
	list_for_each_entry(p, &xl_cp.peers, list)
		xl_chan_close(p);
}

/* Close now, without draining (a setup or close still under way). */
void xl_chan_close(struct xl_cpeer *p)
{
	if (p->pc)
		chan_teardown(p, true);
	p->state = XL_CS_IDLE;
}

/* The pair left the view: the peer is gone or may no longer talk to us. */
void xl_chan_peer_gone(struct xl_cpeer *p)
{
	if (p->pc)
		chan_teardown(p, false);
	p->state = XL_CS_IDLE;
}
