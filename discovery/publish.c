// SPDX-License-Identifier: GPL-2.0
/*
 * Publishing views and pair directories (see publish.h and
 * Documentation/control-plane.md).
 *
 * What is in XenStore is mirrored in two maps: ctx->edges holds, for each
 * (viewer, peer) entry, a hash of the entry's content as written; and
 * ctx->pairs holds each pair directory with the participation generations
 * of its two ends.  A change of one domain queues that domain on every
 * other domain's refresh list (O(N)); the flush then compares each queued
 * entry with the map and writes only differences, the whole flush in one
 * transaction (a few for a large resync).  After a restart the maps are
 * rebuilt from XenStore, so nothing that is still correct is rewritten.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include <xenloop/protocol.h>

#include "domains.h"
#include "entry.h"
#include "log.h"
#include "publish.h"
#include "xenloopd.h"
#include "xs.h"

#define ROOT		XENLOOP_DOM0_ROOT
#define GEN_RESERVE	1024
#define PATH_LEN	128

static void pair_path(char *buf, unsigned int lo, unsigned int hi)
{
	snprintf(buf, PATH_LEN, XENLOOP_PAIRS_DIR "/%u-%u", lo, hi);
}

/* D's own vifs node (D/vifs) differs from what D's vifs are now. */
static bool self_vifs_changed(const struct xl_domain *d)
{
	return strcmp(d->self_vifs_published, d->vifs) != 0;
}

/*
 * Hand out a generation.  next-generation in XenStore always stays above
 * every value handed out, reserved GEN_RESERVE at a time, so a restarted
 * daemon never reuses one.
 */
uint64_t xl_publish_gen_alloc(struct xl_ctx *ctx)
{
	if (ctx->next_gen >= ctx->reserved_gen) {
		uint64_t r = ctx->next_gen + GEN_RESERVE;

		if (xl_xs_printf(ctx->xs, XBT_NULL, XENLOOP_NEXT_GENERATION,
				 "%" PRIu64, r))
			ctx->reserved_gen = r;
		else
			xl_err("cannot persist %s: %s",
			       XENLOOP_NEXT_GENERATION, strerror(errno));
	}
	return ctx->next_gen++;
}

static int ensure_dir(struct xl_ctx *ctx, const char *path)
{
	if (xl_xs_perms_equal(ctx->xs, XBT_NULL, path, "n0"))
		return 0;
	if (!xl_xs_mkdir_perms(ctx->xs, XBT_NULL, path, "n0")) {
		xl_err("cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

int xl_publish_init(struct xl_ctx *ctx)
{
	uint64_t v = 0;
	size_t len;
	char *s;
	int ret;

	ret = ensure_dir(ctx, ROOT);
	if (!ret)
		ret = ensure_dir(ctx, XENLOOP_PAIRS_DIR);
	if (ret)
		return ret;
	s = xl_xs_read(ctx->xs, XBT_NULL, XENLOOP_NEXT_GENERATION, 20, &len);
	if (s && !xl_parse_u64(s, len, &v))
		xl_warn("ignoring malformed %s", XENLOOP_NEXT_GENERATION);
	free(s);
	ctx->next_gen = v ? v : 1;
	ctx->reserved_gen = v;
	return 0;
}

static void queue_refresh(struct xl_domain *d, unsigned int peer)
{
	if (d->refresh_all)
		return;
	if (!d->refresh) {
		d->refresh = malloc(XL_REFRESH_MAX * sizeof(*d->refresh));
		if (!d->refresh) {
			d->refresh_all = true;
			return;
		}
	}
	if (d->nrefresh == XL_REFRESH_MAX) {
		d->refresh_all = true;
		d->nrefresh = 0;
		return;
	}
	d->refresh[d->nrefresh++] = peer;
}

static void add_gone(struct xl_ctx *ctx, unsigned int domid, bool had_view)
{
	if (ctx->ngone == ctx->gone_cap) {
		size_t cap = ctx->gone_cap ? ctx->gone_cap * 2 : 16;
		struct xl_gone *g = realloc(ctx->gone, cap * sizeof(*g));

		if (!g)
			return;
		ctx->gone = g;
		ctx->gone_cap = cap;
	}
	ctx->gone[ctx->ngone].domid = domid;
	ctx->gone[ctx->ngone].had_view = had_view;
	ctx->ngone++;
}

/* D's record, class or participation changed: every view may change. */
void xl_publish_domain_changed(struct xl_ctx *ctx, struct xl_domain *d)
{
	struct xl_domain *o;

	d->refresh_all = true;
	for (o = ctx->domains; o; o = o->next)
		if (o != d)
			queue_refresh(o, d->domid);
}

static void pair_remove(struct xl_ctx *ctx, unsigned int a, unsigned int b)
{
	unsigned int lo = a < b ? a : b, hi = a < b ? b : a;
	char path[PATH_LEN];

	if (!xl_map_find(&ctx->pairs, xl_map_key(lo, hi)))
		return;
	pair_path(path, lo, hi);
	if (!xl_xs_rm(ctx->xs, XBT_NULL, path))
		xl_err("cannot remove %s: %s", path, strerror(errno));
	xl_map_del(&ctx->pairs, xl_map_key(lo, hi));
	xl_dbg("pair %u-%u removed", lo, hi);
}

/*
 * D is leaving the table: nothing of it may outlive it.  Its entries in
 * the other views go first (the flush), then its own view and its pair
 * directories (xl_publish_flush() calls gone_cleanup()), so that peers
 * learn as early as possible.
 */
void xl_publish_domain_gone(struct xl_ctx *ctx, struct xl_domain *d)
{
	struct xl_domain *o;
	size_t i;

	for (o = ctx->domains; o; o = o->next) {
		if (o == d)
			continue;
		xl_map_del(&ctx->edges, xl_map_key(d->domid, o->domid));
		queue_refresh(o, d->domid);
	}
	for (i = 0; i < ctx->ngone; i++)
		xl_map_del(&ctx->edges,
			   xl_map_key(d->domid, ctx->gone[i].domid));
	add_gone(ctx, d->domid, d->view_published);
	d->view_published = false;
}

/*
 * Remove what is left of the domains that went: their views and the pair
 * directories the flush did not already remove.  A domid reused within
 * the batch keeps what its new domain owns (its view was recreated from
 * scratch, its pairs carry its generation).
 */
static void gone_cleanup(struct xl_ctx *ctx)
{
	struct xl_domain *o, *n;
	char path[PATH_LEN];
	size_t i;

	for (i = 0; i < ctx->ngone; i++) {
		unsigned int g = ctx->gone[i].domid;

		n = xl_domain_find(ctx, g);
		if (ctx->gone[i].had_view && (!n || !n->view_published)) {
			snprintf(path, sizeof(path), ROOT "/%u", g);
			if (!xl_xs_rm(ctx->xs, XBT_NULL, path))
				xl_err("cannot remove %s: %s", path,
				       strerror(errno));
		}
		for (o = ctx->domains; o; o = o->next) {
			unsigned int lo = o->domid < g ? o->domid : g;
			struct xl_map_entry *e;

			e = xl_map_find(&ctx->pairs, xl_map_key(lo, lo == g ?
							       o->domid : g));
			if (!e || o->domid == g)
				continue;
			if (n && n->pgen && (lo == g ? e->v0 : e->v1) == n->pgen)
				continue;
			pair_remove(ctx, o->domid, g);
		}
	}
}

struct pair_txn {
	unsigned int lo, hi;
	bool exists;
};

static int pair_create_fn(struct xs_handle *xs, xs_transaction_t t,
			  void *arg)
{
	struct pair_txn *p = arg;
	char path[PATH_LEN], sub[PATH_LEN + 16], perms[64];

	pair_path(path, p->lo, p->hi);
	if (p->exists && !xl_xs_rm(xs, t, path))
		return -errno;
	snprintf(perms, sizeof(perms), "n0 r%u r%u", p->lo, p->hi);
	if (!xl_xs_mkdir_perms(xs, t, path, perms))
		return -errno;
	snprintf(sub, sizeof(sub), "%s/%u", path, p->lo);
	snprintf(perms, sizeof(perms), "n0 b%u r%u", p->lo, p->hi);
	if (!xl_xs_mkdir_perms(xs, t, sub, perms))
		return -errno;
	snprintf(sub, sizeof(sub), "%s/%u", path, p->hi);
	snprintf(perms, sizeof(perms), "n0 b%u r%u", p->hi, p->lo);
	if (!xl_xs_mkdir_perms(xs, t, sub, perms))
		return -errno;
	return 0;
}

/*
 * One flush batch: the pair directories and views that one transaction
 * writes, so that peers see the batch at once (no pair without its view
 * entries, no view naming a pair not yet there) and so that guests
 * reacting to the first view do not compete with the rest of the batch
 * in xenstored.  A batch closes after about XL_TXN_NODES node writes; a
 * view is never split.
 */
#define XL_TXN_NODES	512
#define PAIR_NODES	8	/* rm, 3 x (mkdir, set perms), slack */
#define ENTRY_NODES	5

struct view_op {
	unsigned int peer;
	bool write;
	uint64_t had;		/* hash of the entry there now, 0: none */
};

struct view_txn {
	struct xl_domain *d;
	struct view_op *ops;
	size_t nops;
	uint64_t gen;
};

struct batch {
	struct xl_ctx *ctx;
	struct pair_txn pairs[XL_TXN_NODES / PAIR_NODES];
	struct xl_domain *pair_ends[XL_TXN_NODES / PAIR_NODES][2];
	size_t npairs;
	struct view_txn *views;
	size_t nviews, views_cap;
	size_t nodes;
};

static int view_write(struct xs_handle *xs, xs_transaction_t t,
		      struct xl_ctx *ctx, const struct view_txn *v);

static int batch_fn(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	struct batch *b = arg;
	size_t i;
	int ret;

	for (i = 0; i < b->npairs; i++) {
		ret = pair_create_fn(xs, t, &b->pairs[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < b->nviews; i++) {
		ret = view_write(xs, t, b->ctx, &b->views[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Write the batch in one transaction, then mirror it in the maps. */
static int batch_commit(struct batch *b)
{
	struct xl_ctx *ctx = b->ctx;
	size_t i, j;
	int ret;

	if (!b->npairs && !b->nviews)
		return 0;
	ret = xl_xs_transact(ctx->xs, batch_fn, b);
	if (ret) {
		xl_err("cannot publish %zu views and %zu pairs: %s",
		       b->nviews, b->npairs, strerror(-ret));
		/* The maps still say what XenStore holds: redo in full. */
		for (i = 0; i < b->nviews; i++)
			b->views[i].d->refresh_all = true;
		goto out;
	}
	for (i = 0; i < b->npairs; i++) {
		struct xl_domain *l = b->pair_ends[i][0], *h = b->pair_ends[i][1];

		if (!xl_map_set(&ctx->pairs, xl_map_key(l->domid, h->domid),
				l->pgen, h->pgen))
			ret = -ENOMEM;
		xl_dbg("pair %u-%u created", l->domid, h->domid);
	}
	for (i = 0; i < b->nviews; i++) {
		struct view_txn *v = &b->views[i];
		struct xl_domain *d = v->d;

		d->view_published = true;
		d->view_gen = v->gen;
		d->self_gen_published = d->pgen;
		memcpy(d->self_vifs_published, d->vifs, sizeof(d->vifs));
		for (j = 0; j < v->nops; j++) {
			uint32_t key = xl_map_key(d->domid, v->ops[j].peer);
			unsigned int peer = v->ops[j].peer;

			if (v->ops[j].write) {
				struct xl_domain *p = xl_domain_find(ctx, peer);

				xl_map_set(&ctx->edges, key, p->rec_hash, 0);
				continue;
			}
			/* The pair goes once neither view names it. */
			xl_map_del(&ctx->edges, key);
			if (!xl_map_find(&ctx->edges,
					 xl_map_key(peer, d->domid)))
				pair_remove(ctx, d->domid, peer);
		}
		xl_dbg("view of domain %u: %zu entries changed, generation %" PRIu64,
		       d->domid, v->nops, v->gen);
	}
out:
	for (i = 0; i < b->nviews; i++)
		free(b->views[i].ops);
	b->nviews = 0;
	b->npairs = 0;
	b->nodes = 0;
	if (ret)
		ctx->publish_failed = true;
	return ret;
}

/*
 * Make sure the pair directory of a and b exists for their current
 * participation generations: when either end restarted, the directory is
 * recreated empty so that no stale handshake data survives.  Queues the
 * creation in the batch, writing the batch first when it is full (pairs
 * may go ahead of their views, never after them).
 */
static int ensure_pair(struct batch *b, struct xl_domain *x,
		       struct xl_domain *y)
{
	struct xl_domain *l = x->domid < y->domid ? x : y;
	struct xl_domain *h = x->domid < y->domid ? y : x;
	struct xl_map_entry *e = xl_map_find(&b->ctx->pairs,
					     xl_map_key(l->domid, h->domid));
	size_t i;
	int ret;

	if (e && e->v0 == l->pgen && e->v1 == h->pgen)
		return 0;
	for (i = 0; i < b->npairs; i++)
		if (b->pairs[i].lo == l->domid && b->pairs[i].hi == h->domid)
			return 0;
	if (b->npairs == ARRAY_SIZE(b->pairs)) {
		ret = batch_commit(b);
		if (ret)
			return ret;
	}
	b->pairs[b->npairs] = (struct pair_txn){ l->domid, h->domid, !!e };
	b->pair_ends[b->npairs][0] = l;
	b->pair_ends[b->npairs][1] = h;
	b->npairs++;
	b->nodes += PAIR_NODES;
	return 0;
}

/*
 * Write p's entry in d's view: all of it when it is new or holds something
 * we do not know, else only the nodes that differ from p's previous
 * record, which is what the entry holds when its hash says so.
 */
static int write_entry(struct xs_handle *xs, xs_transaction_t t,
		       struct xl_domain *d, struct xl_domain *p, uint64_t had)
{
	char base[PATH_LEN], path[PATH_LEN + 16], pair[PATH_LEN];
	unsigned int what = XL_ENT_ALL;
	struct xl_record rec;

	xl_domain_record(p, &rec);
	if (had && had == p->old_hash)
		what = xl_record_diff(&p->old_rec, &rec);
	snprintf(base, sizeof(base), ROOT "/%u/peers/%u", d->domid, p->domid);
	snprintf(path, sizeof(path), "%s/vifs", base);
	if ((what & XL_ENT_VIFS) &&
	    !xs_write(xs, t, path, p->vifs, strlen(p->vifs)))
		return -errno;
	snprintf(path, sizeof(path), "%s/version", base);
	if ((what & XL_ENT_VERSION) &&
	    !xl_xs_printf(xs, t, path, "%u", p->version))
		return -errno;
	snprintf(path, sizeof(path), "%s/features", base);
	if ((what & XL_ENT_FEATURES) &&
	    !xl_xs_printf(xs, t, path, "0x%08x", p->features))
		return -errno;
	snprintf(path, sizeof(path), "%s/generation", base);
	if ((what & XL_ENT_GENERATION) &&
	    !xl_xs_printf(xs, t, path, "%" PRIu64, p->pgen))
		return -errno;
	if (!(what & XL_ENT_PAIR))
		return 0;
	snprintf(path, sizeof(path), "%s/pair", base);
	pair_path(pair, d->domid < p->domid ? d->domid : p->domid,
		  d->domid < p->domid ? p->domid : d->domid);
	if (!xs_write(xs, t, path, pair, strlen(pair)))
		return -errno;
	return 0;
}

static int view_write(struct xs_handle *xs, xs_transaction_t t,
		      struct xl_ctx *ctx, const struct view_txn *v)
{
	struct xl_domain *d = v->d;
	char path[PATH_LEN], perms[32];
	size_t i;
	int ret;

	if (!d->view_published) {
		snprintf(path, sizeof(path), ROOT "/%u", d->domid);
		snprintf(perms, sizeof(perms), "n0 r%u", d->domid);
		/* Start from nothing: no leftover of an earlier life. */
		if (!xl_xs_rm(xs, t, path) ||
		    !xl_xs_mkdir_perms(xs, t, path, perms))
			return -errno;
		snprintf(path, sizeof(path), ROOT "/%u/uuid", d->domid);
		if (!xs_write(xs, t, path, d->uuid, strlen(d->uuid)))
			return -errno;
		snprintf(path, sizeof(path), ROOT "/%u/peers", d->domid);
		if (!xs_mkdir(xs, t, path))
			return -errno;
	}
	if (!d->view_published || self_vifs_changed(d)) {
		snprintf(path, sizeof(path), ROOT "/%u/vifs", d->domid);
		if (!xs_write(xs, t, path, d->vifs, strlen(d->vifs)))
			return -errno;
	}
	if (!d->view_published || d->self_gen_published != d->pgen) {
		snprintf(path, sizeof(path), ROOT "/%u/self-generation",
			 d->domid);
		if (!xl_xs_printf(xs, t, path, "%" PRIu64, d->pgen))
			return -errno;
	}
	for (i = 0; i < v->nops; i++) {
		const struct view_op *op = &v->ops[i];

		if (op->write) {
			ret = write_entry(xs, t, d,
					  xl_domain_find(ctx, op->peer),
					  op->had);
			if (ret)
				return ret;
		} else {
			snprintf(path, sizeof(path), ROOT "/%u/peers/%u",
				 d->domid, op->peer);
			if (!xl_xs_rm(xs, t, path))
				return -errno;
		}
	}
	snprintf(path, sizeof(path), ROOT "/%u/generation", d->domid);
	if (!xl_xs_printf(xs, t, path, "%" PRIu64, v->gen))
		return -errno;
	return 0;
}

/* A vif of d and one of p are attached to the same network. */
static bool share_network(const struct xl_domain *d,
			  const struct xl_domain *p)
{
	unsigned int i, j;

	for (i = 0; i < d->nnets; i++)
		for (j = 0; j < p->nnets; j++)
			if (d->nets[i] == p->nets[j])
				return true;
	return false;
}

static bool wants(struct xl_ctx *ctx, struct xl_domain *d,
		  struct xl_domain *p)
{
	return p && p != d && p->participating && d->participating &&
	       share_network(d, p) &&
	       xl_policy_visible_class(&ctx->cfg, &d->cls, &p->cls);
}

static void view_withdraw(struct xl_ctx *ctx, struct xl_domain *d)
{
	struct xl_domain *o;
	char path[PATH_LEN];
	size_t i;

	if (d->view_published) {
		snprintf(path, sizeof(path), ROOT "/%u", d->domid);
		if (!xl_xs_rm(ctx->xs, XBT_NULL, path)) {
			xl_err("cannot remove %s: %s", path, strerror(errno));
			ctx->publish_failed = true;
			return;
		}
		d->view_published = false;
	}
	/*
	 * A pair directory goes only once no view names it: a peer whose view
	 * still has d's entry drops it in its own flush in this batch (d is
	 * on its refresh list) and removes the pair right after.  Its module
	 * thus learns from its view that d left, instead of finding the
	 * directory of a peer it still lists gone (where its offers fail).
	 */
	for (o = ctx->domains; o; o = o->next) {
		xl_map_del(&ctx->edges, xl_map_key(d->domid, o->domid));
		if (!xl_map_find(&ctx->edges, xl_map_key(o->domid, d->domid)))
			pair_remove(ctx, d->domid, o->domid);
	}
	for (i = 0; i < ctx->ngone; i++)
		xl_map_del(&ctx->edges,
			   xl_map_key(d->domid, ctx->gone[i].domid));
}

/* Consider peer p for d's view; append an op if the entry must change. */
static int consider(struct batch *b, struct xl_domain *d, unsigned int peer,
		    struct view_txn *v)
{
	struct xl_domain *p = xl_domain_find(b->ctx, peer);
	struct xl_map_entry *e;

	if (peer == d->domid)
		return 0;
	e = xl_map_find(&b->ctx->edges, xl_map_key(d->domid, peer));
	if (wants(b->ctx, d, p)) {
		int ret = ensure_pair(b, d, p);

		if (ret)
			return ret;
		if (!e || e->v0 != p->rec_hash)
			v->ops[v->nops++] = (struct view_op){ peer, true,
							      e ? e->v0 : 0 };
	} else if (e) {
		v->ops[v->nops++] = (struct view_op){ peer, false, e->v0 };
	}
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* Work out what d's view needs to change. */
static int plan_view(struct batch *b, struct xl_domain *d,
		     struct view_txn *v)
{
	struct xl_ctx *ctx = b->ctx;
	struct xl_domain *o;
	size_t i, max;
	int ret = 0;

	max = d->refresh_all ? ctx->ndomains + ctx->ngone : d->nrefresh;
	v->d = d;
	v->nops = 0;
	v->ops = calloc(max ? max : 1, sizeof(*v->ops));
	if (!v->ops)
		return -ENOMEM;
	if (d->refresh_all) {
		for (o = ctx->domains; o && !ret; o = o->next)
			ret = consider(b, d, o->domid, v);
		/* A gone domid still in the table was just considered. */
		for (i = 0; i < ctx->ngone && !ret; i++)
			if (!xl_domain_find(ctx, ctx->gone[i].domid))
				ret = consider(b, d, ctx->gone[i].domid, v);
	} else {
		/* At most XL_REFRESH_MAX entries: dedup by sorting. */
		qsort(d->refresh, d->nrefresh, sizeof(*d->refresh), cmp_uint);
		for (i = 0; i < d->nrefresh && !ret; i++)
			if (!i || d->refresh[i] != d->refresh[i - 1])
				ret = consider(b, d, d->refresh[i], v);
	}
	if (ret) {
		free(v->ops);
		v->ops = NULL;
	}
	return ret;
}

/* Add d's view to the batch, writing the batch when it is full. */
static void flush_view(struct batch *b, struct xl_domain *d)
{
	struct view_txn v;
	int ret;

	if (!d->participating) {
		view_withdraw(b->ctx, d);
		goto out;
	}
	if (b->nviews == b->views_cap) {
		size_t cap = b->views_cap ? 2 * b->views_cap : 16;
		struct view_txn *n = realloc(b->views, cap * sizeof(*n));

		if (!n) {
			b->ctx->publish_failed = true;
			return;
		}
		b->views = n;
		b->views_cap = cap;
	}
	ret = plan_view(b, d, &v);
	if (ret) {
		xl_err("cannot plan the view of domain %u: %s", d->domid,
		       strerror(-ret));
		b->ctx->publish_failed = true;
		return;
	}
	if (!v.nops && d->view_published && d->self_gen_published == d->pgen &&
	    !self_vifs_changed(d)) {
		free(v.ops);
		goto out;
	}
	v.gen = xl_publish_gen_alloc(b->ctx);
	b->views[b->nviews++] = v;
	b->nodes += 2 + v.nops * ENTRY_NODES;
	/* Planned: a failed commit asks for a full refresh again. */
	d->refresh_all = false;
	d->nrefresh = 0;
	if (b->nodes >= XL_TXN_NODES)
		batch_commit(b);
	return;
out:
	d->refresh_all = false;
	d->nrefresh = 0;
}

void xl_publish_flush(struct xl_ctx *ctx)
{
	struct batch *b = calloc(1, sizeof(*b));
	struct xl_domain *d;

	if (!b) {
		ctx->publish_failed = true;
		return;
	}
	b->ctx = ctx;
	ctx->publish_failed = false;
	for (d = ctx->domains; d; d = d->next) {
		if (d->refresh_all || d->nrefresh ||
		    d->participating != d->view_published ||
		    (d->participating && (d->self_gen_published != d->pgen ||
					   self_vifs_changed(d))))
			flush_view(b, d);
	}
	batch_commit(b);
	free(b->views);
	free(b);
	if (!ctx->publish_failed) {
		gone_cleanup(ctx);
		ctx->ngone = 0;
	}
}

/* Read back one published peer entry and hash it like write_entry(). */
static uint64_t read_entry_hash(struct xl_ctx *ctx, unsigned int d,
				unsigned int p, uint64_t *gen)
{
	static const char *const names[] = {
		"version", "features", "vifs", "generation", "pair",
	};
	char path[PATH_LEN], want_pair[PATH_LEN], *val[5] = { NULL };
	uint64_t h = 0;
	size_t i, len;

	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), ROOT "/%u/peers/%u/%s", d, p,
			 names[i]);
		val[i] = xl_xs_read(ctx->xs, XBT_NULL, path, XL_VIFS_STRLEN,
				    &len);
		if (!val[i])
			goto out;
	}
	pair_path(want_pair, d < p ? d : p, d < p ? p : d);
	if (strcmp(val[4], want_pair))
		goto out;
	if (!xl_parse_u64(val[3], strlen(val[3]), gen))
		goto out;
	h = xl_entry_hash(val[0], val[1], val[2], val[3], "");
out:
	for (i = 0; i < 5; i++)
		free(val[i]);
	return h;
}

static uint64_t read_gen(struct xl_ctx *ctx, unsigned int d, const char *n)
{
	char path[PATH_LEN], *s;
	uint64_t v = 0;
	size_t len;

	snprintf(path, sizeof(path), ROOT "/%u/%s", d, n);
	s = xl_xs_read(ctx->xs, XBT_NULL, path, 20, &len);
	if (s && !xl_parse_u64(s, len, &v))
		v = 0;
	free(s);
	return v;
}

static void rebuild_view(struct xl_ctx *ctx, struct xl_domain *d,
			 uint64_t *maxgen)
{
	char path[PATH_LEN], **peers, *s;
	unsigned int n, i, peer;
	size_t len;

	d->view_published = true;
	d->view_gen = read_gen(ctx, d->domid, "generation");
	d->restored_pgen = read_gen(ctx, d->domid, "self-generation");
	d->self_gen_published = d->restored_pgen;
	snprintf(path, sizeof(path), ROOT "/%u/vifs", d->domid);
	s = xl_xs_read(ctx->xs, XBT_NULL, path, XL_VIFS_STRLEN - 1, &len);
	/* Unreadable: rewritten at the first flush. */
	snprintf(d->self_vifs_published, sizeof(d->self_vifs_published),
		 "%.*s", s ? (int)len : 0, s ? s : "");
	if (!s)
		d->self_vifs_published[0] = '\1';
	free(s);
	if (d->view_gen > *maxgen)
		*maxgen = d->view_gen;
	if (d->restored_pgen > *maxgen)
		*maxgen = d->restored_pgen;
	snprintf(path, sizeof(path), ROOT "/%u/peers", d->domid);
	peers = xl_xs_dir(ctx->xs, XBT_NULL, path, &n);
	for (i = 0; i < n; i++) {
		uint64_t gen = 0, h;

		if (!xl_parse_domid(peers[i], &peer)) {
			snprintf(path, sizeof(path), ROOT "/%u/peers/%s",
				 d->domid, peers[i]);
			xl_xs_rm(ctx->xs, XBT_NULL, path);
			continue;
		}
		h = read_entry_hash(ctx, d->domid, peer, &gen);
		if (gen > *maxgen)
			*maxgen = gen;
		/* Hash 0 never matches: a damaged entry gets rewritten. */
		xl_map_set(&ctx->edges, xl_map_key(d->domid, peer), h, 0);
		if (!xl_domain_find(ctx, peer))
			add_gone(ctx, peer, false);
	}
	free(peers);
}

static void rebuild_pair(struct xl_ctx *ctx, const char *name)
{
	char path[PATH_LEN], sub[PATH_LEN + 16], perms[64];
	struct xl_domain *l, *h;
	unsigned int lo, hi;

	snprintf(path, sizeof(path), XENLOOP_PAIRS_DIR "/%s", name);
	if (!xl_parse_pair(name, &lo, &hi)) {
		xl_xs_rm(ctx->xs, XBT_NULL, path);
		return;
	}
	l = xl_domain_find(ctx, lo);
	h = xl_domain_find(ctx, hi);
	if (!l || !h || !l->view_published || !h->view_published) {
		xl_xs_rm(ctx->xs, XBT_NULL, path);
		return;
	}
	/* Repair permissions only where they are wrong. */
	snprintf(perms, sizeof(perms), "n0 r%u r%u", lo, hi);
	if (!xl_xs_perms_equal(ctx->xs, XBT_NULL, path, perms))
		xl_xs_mkdir_perms(ctx->xs, XBT_NULL, path, perms);
	snprintf(sub, sizeof(sub), "%s/%u", path, lo);
	snprintf(perms, sizeof(perms), "n0 b%u r%u", lo, hi);
	if (!xl_xs_perms_equal(ctx->xs, XBT_NULL, sub, perms))
		xl_xs_mkdir_perms(ctx->xs, XBT_NULL, sub, perms);
	snprintf(sub, sizeof(sub), "%s/%u", path, hi);
	snprintf(perms, sizeof(perms), "n0 b%u r%u", hi, lo);
	if (!xl_xs_perms_equal(ctx->xs, XBT_NULL, sub, perms))
		xl_xs_mkdir_perms(ctx->xs, XBT_NULL, sub, perms);
	xl_map_set(&ctx->pairs, xl_map_key(lo, hi), l->restored_pgen,
		   h->restored_pgen);
}

/*
 * After a restart: adopt what a previous instance published for domains
 * that still exist (same domid and handle), drop the rest.
 */
int xl_publish_rebuild(struct xl_ctx *ctx)
{
	char path[PATH_LEN], **names, *uuid;
	uint64_t maxgen = 0;
	unsigned int n, i, domid;
	struct xl_domain *d;

	names = xl_xs_dir(ctx->xs, XBT_NULL, ROOT, &n);
	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], "pairs") ||
		    !strcmp(names[i], "next-generation"))
			continue;
		snprintf(path, sizeof(path), ROOT "/%s", names[i]);
		d = xl_parse_domid(names[i], &domid) ?
			xl_domain_find(ctx, domid) : NULL;
		snprintf(path, sizeof(path), ROOT "/%s/uuid", names[i]);
		uuid = d ? xl_xs_read(ctx->xs, XBT_NULL, path, XL_UUID_STRLEN,
				      NULL) : NULL;
		if (d && uuid && !strcmp(uuid, d->uuid)) {
			rebuild_view(ctx, d, &maxgen);
		} else {
			snprintf(path, sizeof(path), ROOT "/%s", names[i]);
			xl_info("removing stale %s", path);
			xl_xs_rm(ctx->xs, XBT_NULL, path);
		}
		free(uuid);
	}
	free(names);

	names = xl_xs_dir(ctx->xs, XBT_NULL, XENLOOP_PAIRS_DIR, &n);
	for (i = 0; i < n; i++)
		rebuild_pair(ctx, names[i]);
	free(names);

	if (maxgen >= ctx->next_gen)
		ctx->next_gen = maxgen + 1;
	return 0;
}

/* Clean shutdown: remove every view and pair, keep next-generation. */
void xl_publish_shutdown(struct xl_ctx *ctx)
{
	char path[PATH_LEN], **names;
	unsigned int n, i;

	names = xl_xs_dir(ctx->xs, XBT_NULL, ROOT, &n);
	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], "next-generation"))
			continue;
		snprintf(path, sizeof(path), ROOT "/%s", names[i]);
		if (!xl_xs_rm(ctx->xs, XBT_NULL, path))
			xl_err("cannot remove %s: %s", path, strerror(errno));
	}
	free(names);
	xl_map_free(&ctx->edges);
	xl_map_free(&ctx->pairs);
	free(ctx->gone);
	ctx->gone = NULL;
}
