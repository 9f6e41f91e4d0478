// SPDX-License-Identifier: GPL-2.0
/*
 * Domain table and advertisement evaluation.
 *
 * Events only mark a domain dirty; xl_domains_process() then evaluates
 * each dirty domain at most once per batch, within its event budget (a
 * token bucket), and hands what changed to publish.c.  A guest flooding
 * its data/xenloop with writes therefore costs one flag per event plus a
 * bounded number of evaluations, and only ever changes its own record.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenstore.h>

#include <xenloop/protocol.h>

#include "domains.h"
#include "publish.h"
#include "xenloopd.h"
#include "xs.h"

#define XL_SCAN_CHUNK	256
#define BACKEND_VIF	"/local/domain/0/backend/vif"

/* Token of the watches every domain gets: kind, domid, serial. */
#define TOKEN_ADV	'a'
#define TOKEN_NAME	'n'

int xl_domains_init(struct xl_ctx *ctx)
{
	ctx->by_id = calloc(XL_DOMID_MAX + 1, sizeof(*ctx->by_id));
	return ctx->by_id ? 0 : -ENOMEM;
}

struct xl_domain *xl_domain_find(struct xl_ctx *ctx, unsigned int domid)
{
	return domid <= XL_DOMID_MAX ? ctx->by_id[domid] : NULL;
}

/*
 * Rate-limited per-domain log line: whatever a guest does, it gets at most
 * XL_LOG_BURST lines per XL_LOG_INTERVAL_MS into the log.
 */
void xl_domain_log(struct xl_domain *d, int prio, const char *fmt, ...)
{
	unsigned int missed;
	char msg[256];
	va_list ap;

	if (!xl_ratelimit_ok(&d->logrl, xl_now_ms(), &missed))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (missed)
		xl_log(prio, "domain %u (%s): %u messages suppressed", d->domid,
		       d->name, missed);
	xl_log(prio, "domain %u (%s): %s", d->domid, d->name, msg);
}

static void watch_paths(struct xl_domain *d, bool add, struct xl_ctx *ctx)
{
	static const char *const nodes[] = {
		XENLOOP_ADVERT_DIR, "name", XENLOOP_GROUP_KEY,
	};
	char path[128], token[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/%s", d->domid,
			 nodes[i]);
		snprintf(token, sizeof(token), "%c%u/%u",
			 i ? TOKEN_NAME : TOKEN_ADV, d->domid, d->watch_serial);
		if (add ? !xs_watch(ctx->xs, path, token) :
			  !xs_unwatch(ctx->xs, path, token))
			xl_warn("cannot %swatch %s: %s", add ? "" : "un",
				path, strerror(errno));
	}
}

static void format_uuid(const uint8_t h[16], char *out)
{
	snprintf(out, XL_UUID_STRLEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
		 h[10], h[11], h[12], h[13], h[14], h[15]);
}

static struct xl_domain *domain_add(struct xl_ctx *ctx, unsigned int domid,
				    const char *uuid)
{
	struct xl_domain *d = calloc(1, sizeof(*d));
	uint64_t now = xl_now_ms();

	if (!d)
		return NULL;
	d->domid = domid;
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	d->watch_serial = ++ctx->watch_serial;
	d->dirty = XL_DIRTY_ALL;
	d->refresh_all = true;
	d->cls.allowed = true;
	xl_pace_init(&d->pace, now);
	d->logrl.interval_ms = XL_LOG_INTERVAL_MS;
	d->logrl.burst = XL_LOG_BURST;
	d->next = ctx->domains;
	if (d->next)
		d->next->prev = d;
	ctx->domains = d;
	ctx->by_id[domid] = d;
	ctx->ndomains++;
	watch_paths(d, true, ctx);
	xl_dbg("domain %u (%s) appeared", domid, uuid);
	return d;
}

static void domain_remove(struct xl_ctx *ctx, struct xl_domain *d)
{
	xl_dbg("domain %u (%s) gone", d->domid, d->name);
	watch_paths(d, false, ctx);
	xl_publish_domain_gone(ctx, d);
	if (d->prev)
		d->prev->next = d->next;
	else
		ctx->domains = d->next;
	if (d->next)
		d->next->prev = d->prev;
	ctx->by_id[d->domid] = NULL;
	ctx->ndomains--;
	free(d->refresh);
	free(d);
}

/*
 * Bring the table in line with the hypervisor's domain list.  Dying and
 * shut-down domains (crashed, powered off, suspended for save or
 * migration) count as gone: they can no longer run a channel.
 */
int xl_domains_scan(struct xl_ctx *ctx)
{
	static xc_domaininfo_t info[XL_SCAN_CHUNK];
	struct xl_domain *d, *next;
	unsigned int first = 0;
	int n, i;

	ctx->need_scan = false;
	for (d = ctx->domains; d; d = d->next)
		d->seen = false;
	do {
		n = xc_domain_getinfolist(ctx->xch, first, XL_SCAN_CHUNK, info);
		if (n < 0) {
			xl_err("cannot list domains: %s", strerror(errno));
			/* Keep what we know; the next event retries. */
			for (d = ctx->domains; d; d = d->next)
				d->seen = true;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			unsigned int domid = info[i].domain;
			char uuid[XL_UUID_STRLEN + 1];

			first = domid + 1;
			if (domid == 0 || domid > XL_DOMID_MAX)
				continue;
			if (info[i].flags &
			    (XEN_DOMINF_dying | XEN_DOMINF_shutdown))
				continue;
			format_uuid(info[i].handle, uuid);
			d = ctx->by_id[domid];
			if (d && strcmp(d->uuid, uuid)) {
				/* Same domid, another domain. */
				domain_remove(ctx, d);
				d = NULL;
			}
			if (!d)
				d = domain_add(ctx, domid, uuid);
			if (d)
				d->seen = true;
		}
	} while (n == XL_SCAN_CHUNK);

	for (d = ctx->domains; d; d = next) {
		next = d->next;
		if (!d->seen)
			domain_remove(ctx, d);
	}
	return 0;
}

/* Parse "<kind><domid>/<serial>" and find the domain it belongs to. */
static struct xl_domain *token_domain(struct xl_ctx *ctx, const char *token)
{
	unsigned int domid, serial;
	struct xl_domain *d;
	char tail;

	if (sscanf(token + 1, "%u/%u%c", &domid, &serial, &tail) != 2)
		return NULL;
	d = xl_domain_find(ctx, domid);
	return d && d->watch_serial == serial ? d : NULL;
}

/* Events only mark the domain; xl_domains_process() paces the work. */
static void mark_dirty(struct xl_domain *d, unsigned int what)
{
	d->dirty |= what;
	xl_pace_event(&d->pace, xl_now_ms());
}

void xl_domains_event(struct xl_ctx *ctx, const char *path,
		      const char *token)
{
	struct xl_domain *d;
	unsigned int domid;

	if (!strcmp(token, "@introduceDomain") ||
	    !strcmp(token, "@releaseDomain")) {
		ctx->need_scan = true;
	} else if (!strcmp(token, "backend")) {
		const char *p = path + strlen(BACKEND_VIF);
		char id[8];
		size_t n;

		if (strncmp(path, BACKEND_VIF, strlen(BACKEND_VIF)))
			return;
		if (*p == '\0') {
			for (d = ctx->domains; d; d = d->next)
				mark_dirty(d, XL_DIRTY_VIFS);
			return;
		}
		if (*p++ != '/')
			return;
		n = strcspn(p, "/");
		if (n == 0 || n >= sizeof(id))
			return;
		memcpy(id, p, n);
		id[n] = '\0';
		if (!xl_parse_domid(id, &domid))
			return;
		d = xl_domain_find(ctx, domid);
		if (d)
			mark_dirty(d, XL_DIRTY_VIFS);
	} else if (token[0] == TOKEN_ADV || token[0] == TOKEN_NAME) {
		d = token_domain(ctx, token);
		if (d)
			mark_dirty(d, token[0] == TOKEN_ADV ? XL_DIRTY_ADV :
							      XL_DIRTY_NAME);
	}
}

/*
 * Name and group key: dom0-written, but still checked.  Returns false when
 * the domain's XenStore home is gone (the toolstack is destroying it).
 */
static bool read_identity(struct xl_ctx *ctx, struct xl_domain *d)
{
	char path[128], *v;
	size_t len;

	snprintf(path, sizeof(path), "/local/domain/%u/name", d->domid);
	v = xl_xs_read(ctx->xs, XBT_NULL, path, XL_NAME_MAX, &len);
	d->name[0] = '\0';
	if (v && len && strlen(v) == len)
		memcpy(d->name, v, len + 1);
	free(v);
	if (!v && errno == ENOENT) {
		/* The toolstack removes a domain's home as it destroys it. */
		ctx->need_scan = true;
		return false;
	}

	d->key[0] = '\0';
	snprintf(path, sizeof(path), "/local/domain/%u/" XENLOOP_GROUP_KEY,
		 d->domid);
	v = xl_xs_read(ctx->xs, XBT_NULL, path, XL_GROUP_KEY_MAX, &len);
	if (!v) {
		if (errno == E2BIG)
			xl_domain_log(d, LOG_WARNING, "ignoring oversized %s",
				      XENLOOP_GROUP_KEY);
		return true;
	}
	if (!xl_valid_token(v, len, XL_GROUP_KEY_MAX)) {
		xl_domain_log(d, LOG_WARNING, "ignoring malformed %s",
			      XENLOOP_GROUP_KEY);
	} else {
		struct xs_permissions *p;
		unsigned int n, i;
		bool ok;

		/* Only a key the guest cannot change counts. */
		p = xs_get_permissions(ctx->xs, XBT_NULL, path, &n);
		ok = p && n && p[0].id == 0 &&
		     !(p[0].perms & XS_PERM_WRITE);
		for (i = 1; ok && i < n; i++)
			ok = p[i].id == 0 || !(p[i].perms & XS_PERM_WRITE);
		free(p);
		if (ok)
			memcpy(d->key, v, len + 1);
		else
			xl_domain_log(d, LOG_WARNING,
				      "ignoring %s: not owned by dom0 or writable by a guest",
				      XENLOOP_GROUP_KEY);
	}
	free(v);
	return true;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/*
 * The network a vif is attached to, from what the toolstack wrote in its
 * backend directory: its bridge (libxl writes "bridge" for bridged vifs,
 * Open vSwitch ones included, with any VLAN suffix, so that two VLANs of
 * one switch are two networks).  A vif without one (routed, or a script
 * without a bridge) is on no network we know, and pairs with nothing.
 * The network's name is published as a 64-bit FNV-1a hash: peers need
 * only compare networks, not learn dom0's bridge names.
 */
static bool vif_network(struct xl_ctx *ctx, unsigned int domid,
			unsigned int dev, uint64_t *net)
{
	char path[128], *v;
	size_t len;

	snprintf(path, sizeof(path), BACKEND_VIF "/%u/%u/bridge", domid, dev);
	v = xl_xs_read(ctx->xs, XBT_NULL, path, XL_BRIDGE_MAX, &len);
	if (!v)
		return false;
	if (!xl_valid_token(v, len, XL_BRIDGE_MAX)) {
		free(v);
		return false;
	}
	*net = xl_fnv1a(XL_FNV1A_BASIS, v, len);
	free(v);
	return true;
}

/*
 * The domain's vifs as dom0's backend reports them: device id, MAC and
 * network (protocol.h), ordered by device id; the networks go to d->nets.
 */
static void read_vifs(struct xl_ctx *ctx, struct xl_domain *d)
{
	unsigned int devs[XENLOOP_VIFS_MAX], n, i, j, ndev = 0;
	size_t pos = 0, outlen = sizeof(d->vifs);
	char path[128], **dir, *out = d->vifs;

	out[0] = '\0';
	d->nnets = 0;
	snprintf(path, sizeof(path), BACKEND_VIF "/%u", d->domid);
	dir = xl_xs_dir(ctx->xs, XBT_NULL, path, &n);
	for (i = 0; i < n; i++) {
		unsigned int dev;

		if (!xl_parse_domid(dir[i], &dev))
			continue;
		if (dev > XENLOOP_VIF_DEVID_MAX) {
			xl_domain_log(d, LOG_WARNING,
				      "vif %u: device id above %d, not published",
				      dev, XENLOOP_VIF_DEVID_MAX);
			continue;
		}
		if (ndev == XENLOOP_VIFS_MAX) {
			xl_domain_log(d, LOG_WARNING,
				      "more than %d vifs, ignoring the rest",
				      XENLOOP_VIFS_MAX);
			break;
		}
		devs[ndev++] = dev;
	}
	free(dir);
	qsort(devs, ndev, sizeof(devs[0]), cmp_uint);
	for (i = 0; i < ndev; i++) {
		char macstr[XL_MAC_STRLEN + 1], *v;
		uint8_t mac[XL_MAC_LEN];
		uint64_t net;
		size_t len;
		bool ok;

		snprintf(path, sizeof(path), BACKEND_VIF "/%u/%u/mac",
			 d->domid, devs[i]);
		v = xl_xs_read(ctx->xs, XBT_NULL, path, XL_MAC_STRLEN, &len);
		ok = v && xl_parse_mac(v, len, mac);
		free(v);
		if (!ok || !vif_network(ctx, d->domid, devs[i], &net))
			continue;
		xl_format_mac(mac, macstr);
		pos += snprintf(out + pos, outlen - pos, "%s%u,%s,%016" PRIx64,
				pos ? " " : "", devs[i], macstr, net);
		for (j = 0; j < d->nnets && d->nets[j] != net; j++)
			;
		if (j == d->nnets)
			d->nets[d->nnets++] = net;
	}
}

/*
 * Read and validate data/xenloop/{version,features}.  Returns true when
 * the domain participates; *why says why not.  Only these two nodes are
 * read, each capped at its longest valid length.
 */
static bool read_advert(struct xl_ctx *ctx, struct xl_domain *d,
			unsigned int *version, uint32_t *features,
			const char **why)
{
	char path[128], *v;
	size_t len;
	bool ok;

	snprintf(path, sizeof(path), "/local/domain/%u/" XENLOOP_ADVERT_DIR
		 "/" XENLOOP_ADVERT_VERSION, d->domid);
	v = xl_xs_read(ctx->xs, XBT_NULL, path, XENLOOP_VERSION_MAXLEN, &len);
	if (!v) {
		*why = errno == E2BIG ? "oversized version" : NULL;
		return false;
	}
	ok = xl_parse_version(v, len, version);
	free(v);
	if (!ok) {
		*why = "malformed version";
		return false;
	}
	if (*version < XENLOOP_PROTO_VERSION_MIN) {
		/* Its module cannot tell networks apart: fail safe. */
		*why = "protocol version too old (vif networks unknown to it)";
		return false;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/" XENLOOP_ADVERT_DIR
		 "/" XENLOOP_ADVERT_FEATURES, d->domid);
	v = xl_xs_read(ctx->xs, XBT_NULL, path, XENLOOP_FEATURES_MAXLEN, &len);
	if (!v) {
		*why = errno == E2BIG ? "oversized features" :
					"version without features";
		return false;
	}
	ok = xl_parse_features(v, len, features);
	free(v);
	*why = ok ? NULL : "malformed features";
	return ok;
}

/* What d's peers are told about it (the fields of their entries). */
void xl_domain_record(const struct xl_domain *d, struct xl_record *r)
{
	r->version = d->version;
	r->features = d->features;
	r->pgen = d->pgen;
	memcpy(r->vifs, d->vifs, sizeof(r->vifs));
}

/*
 * Read what changed and hand the domain to publish.c if anything that
 * peers see did; returns true then.  With may_defer, a domain whose home
 * just vanished is left for after the rescan, which will most likely
 * remove it: no point reading the rest of a dying domain.
 */
static bool evaluate(struct xl_ctx *ctx, struct xl_domain *d, bool may_defer)
{
	unsigned int dirty = d->dirty, version = 0;
	struct xl_policy_class cls = d->cls;
	bool was = d->participating, now;
	uint32_t features = 0;
	uint64_t old_hash = d->rec_hash;
	struct xl_record old;
	const char *why = NULL;

	xl_domain_record(d, &old);
	d->dirty = 0;
	if (dirty & XL_DIRTY_NAME) {
		struct xl_subject s;

		if (!read_identity(ctx, d) && may_defer) {
			d->dirty = dirty;
			d->deferred = true;
			return false;
		}
		s.name = d->name[0] ? d->name : NULL;
		s.key = d->key[0] ? d->key : NULL;
		xl_policy_classify(&ctx->cfg, &s, &d->cls);
	}
	if (dirty & XL_DIRTY_VIFS)
		read_vifs(ctx, d);
	if (!(dirty & XL_DIRTY_ADV)) {
		now = was;
	} else {
		now = read_advert(ctx, d, &version, &features, &why);
		xl_dbg("domain %u: advertisement %s", d->domid,
		       now ? "valid" : why ? why : "absent");
		if (!now && why && why != d->invalid_why)
			xl_domain_log(d, LOG_WARNING, "not participating: %s", why);
		d->invalid_why = why;
		if (now) {
			d->version = version;
			d->features = features;
		}
	}
	if (now && !was) {
		d->pgen = d->restored_pgen ? d->restored_pgen :
					     xl_publish_gen_alloc(ctx);
		xl_domain_log(d, LOG_INFO,
			      "participates: version %u features 0x%08x generation %" PRIu64,
			      d->version, d->features, d->pgen);
	} else if (!now && was) {
		xl_domain_log(d, LOG_INFO, "stopped participating");
		d->pgen = 0;
	}
	d->restored_pgen = 0;
	d->participating = now;
	if (now) {
		struct xl_record rec;

		xl_domain_record(d, &rec);
		d->rec_hash = xl_record_hash(&rec);
	} else {
		d->rec_hash = 0;
	}
	if (d->rec_hash != old_hash) {
		d->old_rec = old;
		d->old_hash = old_hash;
	}
	if (now == was && d->rec_hash == old_hash &&
	    cls.allowed == d->cls.allowed && cls.groups == d->cls.groups)
		return false;
	xl_publish_domain_changed(ctx, d);
	return true;
}

/*
 * Evaluate the dirty domains that are due (pace.h), each once, then
 * publish everything that changed in one flush.  Returns the delay in ms
 * until the next domain is due, or -1 if none is waiting.
 */
int64_t xl_domains_process(struct xl_ctx *ctx)
{
	uint64_t now = xl_now_ms(), wake = UINT64_MAX;
	struct xl_domain *d;

	if (ctx->need_scan)
		xl_domains_scan(ctx);
	for (d = ctx->domains; d; d = d->next) {
		bool changed;

		if (!d->dirty || !xl_pace_ready(&d->pace, now, &wake))
			continue;
		changed = evaluate(ctx, d, true);
		if (!d->deferred)
			xl_pace_done(&d->pace, now, changed);
	}
	if (ctx->need_scan)
		xl_domains_scan(ctx);
	for (d = ctx->domains; d; d = d->next) {
		if (d->deferred) {
			d->deferred = false;
			xl_pace_done(&d->pace, now, evaluate(ctx, d, false));
		}
	}
	xl_publish_flush(ctx);
	if (wake == UINT64_MAX)
		return -1;
	return wake > now ? (int64_t)(wake - now) : 1;
}

/* After a config reload: new classes, and views where they changed. */
void xl_domains_reclassify(struct xl_ctx *ctx)
{
	struct xl_domain *d;

	for (d = ctx->domains; d; d = d->next) {
		struct xl_policy_class old = d->cls;
		struct xl_subject s = {
			.name = d->name[0] ? d->name : NULL,
			.key = d->key[0] ? d->key : NULL,
		};

		xl_policy_classify(&ctx->cfg, &s, &d->cls);
		if (old.allowed != d->cls.allowed ||
		    old.groups != d->cls.groups)
			xl_publish_domain_changed(ctx, d);
	}
}

void xl_domains_free(struct xl_ctx *ctx)
{
	struct xl_domain *d, *next;

	for (d = ctx->domains; d; d = next) {
		next = d->next;
		free(d->refresh);
		free(d);
	}
	ctx->domains = NULL;
	free(ctx->by_id);
	ctx->by_id = NULL;
}

int xl_watch_globals(struct xl_ctx *ctx)
{
	if (!xs_watch(ctx->xs, "@introduceDomain", "@introduceDomain") ||
	    !xs_watch(ctx->xs, "@releaseDomain", "@releaseDomain") ||
	    !xs_watch(ctx->xs, BACKEND_VIF, "backend"))
		return -errno;
	return 0;
}
