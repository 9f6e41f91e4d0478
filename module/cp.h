/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Control plane internals: the peer table (peer.c), the per-peer channel
 * state machine and handshake (chan.c), the shared pages and the event
 * channels (shmem.c), suspend and resume (pm.c) and debugfs (debugfs.c).
 * Documentation/control-plane.md, section 5, is the specification.
 */
#ifndef _XENLOOP_CP_H
#define _XENLOOP_CP_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "chan.h"

/* Channel state of one peer (Documentation/control-plane.md, 5.3). */
enum xl_cs {
	XL_CS_IDLE = 0,		/* nothing allocated; offer at retry_at */
	XL_CS_OFFERED,		/* our side published, waiting for the peer */
	XL_CS_CONNECTED,	/* both directions mapped, event channels bound */
	XL_CS_BROKEN,		/* torn down after an error; retry with backoff */
	XL_CS_CLOSING,		/* planned close: draining both ways */
	XL_CS_CLOSE_WAIT,	/* unmapped; waiting for the peer to unmap */
	XL_CS_MAX,
};

/* Pages we own and grant read-only to the peer. */
struct xl_own {
	unsigned int order;		/* data area is 2^order pages */
	unsigned int nr_data;
	unsigned int nr_dir;		/* grant directory pages */
	struct page *ctrl_page;
	struct page **pages;		/* data pages, then directory pages */
	grant_ref_t ctrl_ref;
	grant_ref_t *refs;		/* same order as @pages */
	unsigned int nr_granted;	/* refs[0..nr_granted) are live */
	bool ctrl_granted;
	void *data;			/* vmap of the data pages */
};

/* Peer pages mapped read-only. */
struct xl_map {
	unsigned int nr;
	struct page **pages;		/* from gnttab_alloc_pages() */
	grant_handle_t *handles;
	unsigned int nr_mapped;
	void *addr;			/* virtually contiguous view */
};

/*
 * pc->broken: the data path's report that the peer broke the channel.
 * Any context may report (xl_chan_broken()); the first claims the message
 * slot, writes broken_why, then publishes; the control-plane work reads
 * broken_why only after it saw XL_PC_BROKEN (smp_wmb/smp_rmb pair).
 * A channel attempt is never repaired: the next one is a new xl_pchan.
 */
enum {
	XL_PC_OK = 0,
	XL_PC_BREAKING,		/* claimed, message being written */
	XL_PC_BROKEN,		/* message written: tear down */
};

/* Control-plane state of one channel attempt; owns everything it holds. */
struct xl_pchan {
	struct xl_chan ch;		/* what the data path sees */
	struct xl_cpeer *peer;
	/*
	 * The kernel binds interdomain event channels for xenbus devices
	 * only; this one is never registered, it just carries the remote
	 * domid and the event-channel counters for the binding.
	 */
	struct xenbus_device xdev;
	struct xl_own own;
	struct xl_map pctrl;		/* the peer's control page */
	struct xl_map pdata;		/* the peer's data area */
	unsigned int offer_q;		/* queues we offered */
	/* Lower domid: the port of each queue we offered, 0 if none. */
	evtchn_port_t port[XL_QUEUES_MAX];
	bool port_alloc[XL_QUEUES_MAX];	/* allocated, not yet bound */
	bool published;			/* peer->pub.chan points here */
	atomic_t broken;		/* XL_PC_*, set by xl_chan_broken() */
	char broken_why[64];		/* valid once XL_PC_BROKEN */
	u32 attempt;			/* ours, written as "attempt" */
	u32 peer_attempt;		/* the peer's we connected to */
	unsigned int peer_order;
	/* The IRQ keeps a pointer to its name while it is bound. */
	char irq_name[XL_QUEUES_MAX][24];
	/* Per queue: the peer's consumer index last seen, and since when. */
	u32 stall_cons[XL_QUEUES_MAX];
	unsigned long stall_since[XL_QUEUES_MAX];	/* jiffies, 0: idle */
};

struct xl_mac_node {
	struct hlist_node node;
	struct xl_cpeer *peer;
	unsigned int idx;		/* in peer->pub.vifs */
	u8 mac[ETH_ALEN];
};

/* Per-peer counters, shown in debugfs. */
struct xl_peer_stats {
	u64 offers, connects, teardowns, broken, timeouts, setup_errors;
	u64 peer_closes;
	u64 stalls;			/* broken by the stall timeout */
	u64 budget_refused;		/* offers or maps over a budget */
};

/*
 * A peer as dom0's view describes it.  @pub and @macn (the MAC hash) are
 * what the data path sees under RCU; the rest belongs to the control
 * plane (xl_cp.lock), except @dirty and the watch counters, which the
 * watch callbacks change atomically.  The view fields are immutable: a
 * change of MACs, generation or pair makes a new peer.
 * Documentation/control-plane.md, 5.10: who writes which flag, and the
 * lock order.
 */
struct xl_cpeer {
	struct xl_peer pub;
	struct hlist_node by_domid;
	struct xl_mac_node macn[XENLOOP_VIFS_MAX];
	struct list_head list;
	u64 generation;			/* peer's participation generation */
	unsigned int version;		/* advertised, from dom0's view */
	u32 features;
	char pair[64];			/* pair directory */
	char own_side[80], peer_side[80];
	bool lower;			/* we have the lower domid */

	enum xl_cs state;
	unsigned long deadline;		/* jiffies: retry or timeout */
	unsigned int backoff_ms;
	unsigned long offered_at, connected_at;
	unsigned int setup_ms;		/* last offer to connected */
	unsigned long dirty;		/* XL_PEER_* bits */
	struct xenbus_watch watch;
	bool watch_on;
	atomic_long_t watch_events;	/* peer side writes we looked at */
	atomic_long_t watch_filtered;	/* and ones that could not matter */
	struct xl_pchan *pc;
	/*
	 * Our pages of the last channel, still granted to this peer: the
	 * next offer to it zeroes and reuses them instead of granting a
	 * fresh area while the peer may still map the old one.
	 */
	struct xl_own spare;
	struct xl_peer_stats st;
	char last_err[96];
	unsigned long last_err_at;
	struct ratelimit_state rs;
};

/* Module-wide accounting, checked for leaks at unload. */
struct xl_cp_stats {
	atomic_t grants;		/* our pages granted to peers, all */
	atomic_t retired;		/* of which torn down, still mapped */
	atomic_t maps;			/* peer pages mapped */
	atomic_t evtchns;		/* event channels allocated or bound */
	atomic_t pchans;
	atomic_t peers;
};

struct xl_cp {
	struct mutex lock;		/* peer table and channel states */
	struct list_head peers;
	unsigned int nr_peers;
	domid_t self;
	u64 self_gen;
	u64 view_gen;
	bool self_known;
	bool suspended;
	bool exiting;
	/*
	 * Two view watches: after a domid change the new one is registered
	 * under the lock and the old one unregistered after it (see
	 * xl_cp_reap()).
	 */
	char view_path[2][48];
	struct xenbus_watch view_watch[2];
	bool view_watch_on[2];
	unsigned int view_cur;
	struct list_head dead;		/* removed peers still watched */
	struct list_head retired;	/* struct xl_retired (shmem.c) */
	u64 budget_refused;
	unsigned long flags;		/* XL_CPF_* */
	struct workqueue_struct *wq;
	struct delayed_work work;
	u32 attempt_seq;
	u64 suspends, resumes, view_reads, view_errors;
	struct xl_cp_stats st;
};

#define XL_CPF_VIEW	0	/* re-read the view */
#define XL_CPF_SELF	1	/* re-read our domid (after resume) */

/* xl_cpeer.dirty bits, set from the watch callback without the lock */
#define XL_PEER_SIDE_DIRTY	0	/* the peer's side changed: re-read it */

extern struct xl_cp xl_cp;

/* Tunables (module parameters, chan.c). */
extern unsigned int xl_ring_order;
extern unsigned int xl_max_peer_order;
extern unsigned int xl_setup_timeout_ms;
extern unsigned int xl_drain_timeout_ms;
extern unsigned int xl_backoff_max_ms;
extern unsigned int xl_stall_timeout_ms;
extern unsigned int xl_max_grants;
extern unsigned int xl_max_mapped;
extern unsigned int xl_max_queues;

/* main.c APIs: */
const char *xl_guest_type(void);

/* peer.c APIs: */
int xl_peer_init(void);
void xl_peer_exit(void);
void xl_peer_sync(void);
void xl_peer_remove_all(void);
void xl_cp_reap(void);
void xl_cp_kick(unsigned long delay);
const char *xl_cs_name(enum xl_cs s);

/* chan.c APIs: */
void xl_chan_peer_init(struct xl_cpeer *p);
void xl_chan_step(struct xl_cpeer *p);
unsigned long xl_chan_next(const struct xl_cpeer *p);
void xl_chan_close(struct xl_cpeer *p);
void xl_chan_close_all(void);
void xl_chan_peer_gone(struct xl_cpeer *p);
int xl_chan_watch(struct xl_cpeer *p);
void xl_chan_unwatch(struct xl_cpeer *p);
void xl_peer_err(struct xl_cpeer *p, const char *fmt, ...) __printf(2, 3);

/* shmem.c APIs: */
int xl_own_alloc(struct xl_own *own, domid_t peer, unsigned int order,
		 u32 features);
void xl_own_free(struct xl_own *own);
unsigned int xl_own_grants(const struct xl_own *own);
void xl_own_reset(struct xl_own *own, u32 features);
void xl_own_retire(struct xl_own *own, domid_t domid);
bool xl_retired_reap(void);
unsigned int xl_retired_grants(domid_t domid);
void xl_retired_exit(void);
int xl_map_peer(struct xl_map *m, domid_t peer, const grant_ref_t *refs,
		unsigned int nr);
void xl_unmap_peer(struct xl_map *m);
int xl_evtchn_alloc(domid_t peer, evtchn_port_t *port);
void xl_evtchn_close(evtchn_port_t port);

/* pm.c APIs: */
int xl_pm_init(void);
void xl_pm_exit(void);

/* debugfs.c APIs: */
void xl_debugfs_init(void);
void xl_debugfs_exit(void);

#endif /* _XENLOOP_CP_H */
