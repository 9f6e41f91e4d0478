/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The domain table: every running guest, keyed by domid and domain handle
 * (a reused domid with a new handle is a new guest), with what it
 * advertises, validated, and its policy class.
 */
#ifndef XL_DOMAINS_H
#define XL_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenloop/protocol.h>

#include "config.h"
#include "entry.h"
#include "log.h"
#include "pace.h"
#include "policy.h"
#include "validate.h"

struct xl_ctx;

#define XL_BRIDGE_MAX		64	/* a vif's backend "bridge" value */
#define XL_NAME_MAX		128
#define XL_UUID_STRLEN		36
#define XL_REFRESH_MAX		64

/* Rate limit for one guest's log messages (its events: pace.h). */
#define XL_LOG_BURST		10
#define XL_LOG_INTERVAL_MS	60000

enum {
	XL_DIRTY_ADV	= 1 << 0,	/* data/xenloop changed */
	XL_DIRTY_VIFS	= 1 << 1,	/* backend vif nodes changed */
	XL_DIRTY_NAME	= 1 << 2,	/* name or xenloop-group changed */
	XL_DIRTY_ALL	= 7,
};

struct xl_domain {
	unsigned int domid;
	char uuid[XL_UUID_STRLEN + 1];
	char name[XL_NAME_MAX + 1];		/* "" while unknown */
	char key[XL_GROUP_KEY_MAX + 1];		/* "" when none */
	struct xl_policy_class cls;
	unsigned int watch_serial;

	/* What it advertises, once validated. */
	bool participating;
	unsigned int version;
	uint32_t features;
	char vifs[XL_VIFS_STRLEN];		/* its vifs value (protocol.h) */
	uint64_t nets[XENLOOP_VIFS_MAX];		/* networks of its vifs, distinct */
	unsigned int nnets;
	uint64_t pgen;				/* participation generation */
	uint64_t restored_pgen;			/* from XenStore at restart */
	uint64_t rec_hash;			/* of what peers are told */
	/*
	 * The record before its last change and its hash: an entry that
	 * still holds it needs only the nodes that differ rewritten.
	 */
	struct xl_record old_rec;
	uint64_t old_hash;
	const char *invalid_why;		/* last rejection, for logs */

	/* Its published view (publish.c). */
	bool view_published;
	uint64_t view_gen;
	uint64_t self_gen_published;
	char self_vifs_published[XL_VIFS_STRLEN];	/* its D/vifs */
	unsigned int *refresh;			/* peers to re-check */
	size_t nrefresh;
	bool refresh_all;

	unsigned int dirty;
	bool deferred;				/* home gone: after the rescan */
	struct xl_pace pace;
	struct xl_ratelimit logrl;
	bool seen;
	struct xl_domain *next, *prev;
};

/* domains.c APIs: */
int xl_domains_init(struct xl_ctx *ctx);
struct xl_domain *xl_domain_find(struct xl_ctx *ctx, unsigned int domid);
int xl_domains_scan(struct xl_ctx *ctx);
void xl_domains_event(struct xl_ctx *ctx, const char *path,
		      const char *token);
int64_t xl_domains_process(struct xl_ctx *ctx);
void xl_domains_reclassify(struct xl_ctx *ctx);
void xl_domains_free(struct xl_ctx *ctx);
void xl_domain_log(struct xl_domain *d, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int xl_watch_globals(struct xl_ctx *ctx);
void xl_domain_record(const struct xl_domain *d, struct xl_record *r);

#endif /* XL_DOMAINS_H */
