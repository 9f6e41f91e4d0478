/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenloopd's state, shared by the files that each do one part of the job:
 * main.c (options, event loop, signals), domains.c (domain table and
 * advertisement evaluation), publish.c (views and pair directories in
 * XenStore), status.c (--status, --list-domains).
 */
#ifndef XL_XENLOOPD_H
#define XL_XENLOOPD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "map.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* A domain that left: its entries go first, then its view and pairs. */
struct xl_gone {
	unsigned int domid;
	bool had_view;
};

struct xs_handle;
struct xc_interface_core;
struct xl_domain;

struct xl_ctx {
	struct xs_handle *xs;
	struct xc_interface_core *xch;
	struct xl_config cfg;
	const char *cfg_path;
	bool cfg_must_exist;

	/* Domain table (domains.c): by domid, and a list of all. */
	struct xl_domain **by_id;
	struct xl_domain *domains;
	unsigned int ndomains;
	bool need_scan;
	unsigned int watch_serial;

	/* Published state (publish.c). */
	struct xl_map edges;	/* (viewer, peer) -> entry hash */
	struct xl_map pairs;	/* (lo, hi) -> lo's, hi's generation */
	uint64_t next_gen;	/* next generation to hand out */
	uint64_t reserved_gen;	/* next-generation as persisted */
	struct xl_gone *gone;	/* domains that left during this batch */
	size_t ngone, gone_cap;
	bool publish_failed;	/* retry the flush after a delay */
};

#endif /* XL_XENLOOPD_H */
