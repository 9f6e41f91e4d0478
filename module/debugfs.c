// SPDX-License-Identifier: GPL-2.0
/*
 * Observability: /sys/kernel/debug/xenloop/
 *   peers   one block per peer: channel state, generations, ring sizes,
 *           grants, queues and their event channels, counters, last error
 *   stats   module-wide counters (what is granted, mapped and bound now)
 * Documentation/control-plane.md, section 5.7, describes every field.
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>

#include "cp.h"

static struct dentry *xl_dbg_dir;

/*
 * One line per queue that is in use or has an event channel bound (the
 * lower side binds every queue it offered until the channel connects).
 * The indexes are read without the locks that guard them: a snapshot.
 */
static void show_queues(struct seq_file *m, const struct xl_pchan *pc)
{
	s64 events = 0, early = 0;
	unsigned int i;

	for (i = 0; i < XL_QUEUES_MAX; i++) {
		events += atomic64_read(&pc->ch.q[i].events);
		early += atomic64_read(&pc->ch.q[i].early_events);
	}
	seq_printf(m, "  offered_queues %u\n", pc->offer_q);
	seq_printf(m, "  queues %u\n", pc->ch.nq);
	seq_printf(m, "  events %lld\n", (long long)events);
	seq_printf(m, "  early_events %lld\n", (long long)early);
	for (i = 0; i < XL_QUEUES_MAX; i++) {
		const struct xl_queue *q = &pc->ch.q[i];

		if (i >= pc->ch.nq && !q->irq)
			continue;
		seq_printf(m, "  q%u irq %u events %lld early_events %lld", i,
			   q->irq, (long long)atomic64_read(&q->events),
			   (long long)atomic64_read(&q->early_events));
		if (pc->ch.dp && i < pc->ch.nq)
			seq_printf(m, " tx_prod %u tx_cons %u rx_cons %u rx_prod %u rx_drops %llu %llu %llu %llu",
				   q->tx.prod, q->tx.cons, q->rx.cons,
				   q->rx.prod, q->rx.drops[0], q->rx.drops[1],
				   q->rx.drops[2], q->rx.drops[3]);
		seq_puts(m, "\n");
	}
}

static void show_peer(struct seq_file *m, struct xl_cpeer *p)
{
	struct xl_pchan *pc = p->pc;
	unsigned int i;

	seq_printf(m, "peer d%u\n", p->pub.domid);
	seq_printf(m, "  state %s\n", xl_cs_name(p->state));
	seq_printf(m, "  generation %llu\n", p->generation);
	seq_puts(m, "  vifs");
	for (i = 0; i < p->pub.vifs.n; i++)
		seq_printf(m, " %u,%pM,%016llx", p->pub.vifs.v[i].devid,
			   p->pub.vifs.v[i].mac, p->pub.vifs.v[i].net);
	seq_puts(m, "\n");
	seq_printf(m, "  pair %s (%s side)\n", p->pair, p->lower ? "lower" : "higher");
	seq_printf(m, "  setup_ms %u\n", p->setup_ms);
	seq_printf(m, "  backoff_ms %u\n", p->backoff_ms);
	seq_printf(m, "  spare_grants %u\n  pinned_grants %u\n",
		   xl_own_grants(&p->spare), xl_retired_grants(p->pub.domid));
	if (p->state != XL_CS_CONNECTED)
		seq_printf(m, "  next_action_ms %d\n",
			   jiffies_to_msecs(p->deadline - jiffies));
	if (pc) {
		seq_printf(m, "  attempt %u\n", pc->attempt);
		seq_printf(m, "  peer_attempt %u\n", pc->peer_attempt);
		seq_printf(m, "  tx_ring_kib %u\n", 4u << pc->own.order);
		seq_printf(m, "  rx_ring_kib %u\n",
			   pc->pdata.nr ? 4u << pc->peer_order : 0);
		seq_printf(m, "  grants %u\n",
			   pc->own.nr_granted + pc->own.ctrl_granted);
		seq_printf(m, "  mapped %u\n",
			   pc->pctrl.nr_mapped + pc->pdata.nr_mapped);
		/* Read through our mapping: shows the peer's page is there. */
		if (pc->pctrl.addr) {
			const struct xl_ctrl_page *pcp = pc->pctrl.addr;

			seq_printf(m, "  peer_ctrl_magic 0x%08x\n",
				   le32_to_cpu(READ_ONCE(pcp->magic)));
		}
		seq_printf(m, "  features 0x%08x\n", pc->ch.features);
		seq_printf(m, "  version %u\n", pc->ch.version);
		show_queues(m, pc);
	}
	seq_printf(m, "  offers %llu\n  connects %llu\n  teardowns %llu\n",
		   p->st.offers, p->st.connects, p->st.teardowns);
	seq_printf(m, "  broken %llu\n  timeouts %llu\n  setup_errors %llu\n",
		   p->st.broken, p->st.timeouts, p->st.setup_errors);
	seq_printf(m, "  peer_closes %llu\n  stalls %llu\n  budget_refused %llu\n",
		   p->st.peer_closes, p->st.stalls, p->st.budget_refused);
	seq_printf(m, "  watch_events %ld\n  watch_filtered %ld\n",
		   atomic_long_read(&p->watch_events),
		   atomic_long_read(&p->watch_filtered));
	if (p->last_err[0])
		seq_printf(m, "  last_error %s (%u s ago)\n", p->last_err,
			   jiffies_to_msecs(jiffies - p->last_err_at) / 1000);
}

static int peers_show(struct seq_file *m, void *v)
{
	struct xl_cpeer *p;

	mutex_lock(&xl_cp.lock);
	list_for_each_entry(p, &xl_cp.peers, list)
		show_peer(m, p);
	mutex_unlock(&xl_cp.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(peers);

static int stats_show(struct seq_file *m, void *v)
{
	const struct xl_vifs *vifs;
	unsigned int i;

	mutex_lock(&xl_cp.lock);
	seq_printf(m, "domid %u\n", xl_cp.self);
	rcu_read_lock();
	vifs = xl_self_vifs();
	seq_puts(m, "vifs");
	for (i = 0; i < vifs->n; i++)
		seq_printf(m, " %u,%pM,%016llx", vifs->v[i].devid,
			   vifs->v[i].mac, vifs->v[i].net);
	rcu_read_unlock();
	seq_puts(m, "\n");
	seq_printf(m, "self_generation %llu\n", xl_cp.self_gen);
	seq_printf(m, "view_generation %llu\n", xl_cp.view_gen);
	seq_printf(m, "peers %u\n", xl_cp.nr_peers);
	seq_printf(m, "suspended %d\n", xl_cp.suspended);
	seq_printf(m, "suspends %llu\n", xl_cp.suspends);
	seq_printf(m, "resumes %llu\n", xl_cp.resumes);
	seq_printf(m, "view_reads %llu\n", xl_cp.view_reads);
	seq_printf(m, "view_errors %llu\n", xl_cp.view_errors);
	seq_printf(m, "budget_refused %llu\n", xl_cp.budget_refused);
	mutex_unlock(&xl_cp.lock);
	seq_printf(m, "channels %d\n", atomic_read(&xl_cp.st.pchans));
	seq_printf(m, "grants %d\n", atomic_read(&xl_cp.st.grants));
	seq_printf(m, "grants_retired %d\n", atomic_read(&xl_cp.st.retired));
	seq_printf(m, "max_grants %u\n", READ_ONCE(xl_max_grants));
	seq_printf(m, "mapped_pages %d\n", atomic_read(&xl_cp.st.maps));
	seq_printf(m, "max_mapped %u\n", READ_ONCE(xl_max_mapped));
	seq_printf(m, "evtchns %d\n", atomic_read(&xl_cp.st.evtchns));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

void xl_debugfs_init(void)
{
	xl_dbg_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("peers", 0400, xl_dbg_dir, NULL, &peers_fops);
	debugfs_create_file("stats", 0400, xl_dbg_dir, NULL, &stats_fops);
}

void xl_debugfs_exit(void)
{
	debugfs_remove_recursive(xl_dbg_dir);
	xl_dbg_dir = NULL;
}
