// SPDX-License-Identifier: GPL-2.0
/*
 * xenloopd's publishing under churn, end to end but without Xen: the
 * daemon's domains.c, publish.c, xs.c and pace.c run against an in-memory
 * XenStore and domain list (the libxenstore and libxenctrl calls they make
 * are defined below) and a fake clock (xl_now_ms() is wrapped at link
 * time).  Every node xenloopd changes is logged in order, so the tests can
 * check what a flapping guest costs the others, what a new vif rewrites,
 * that a pair directory goes only after the views that name it, and that
 * a restarted daemon writes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenstore.h>

#include "domains.h"
#include "publish.h"
#include "tap.h"
#include "xenloopd.h"

#define ROOT		XENLOOP_DOM0_ROOT
#define MAX_NODES	2048
#define MAX_OPS		65536
#define NDOMS		4
#define FLIPS		10
#define FLIP_MS		100

/* ---- the clock --------------------------------------------------------- */

static uint64_t now_ms = 1000;

uint64_t __wrap_xl_now_ms(void)
{
	return now_ms;
}

/* ---- XenStore ---------------------------------------------------------- */

/* The mocks keep libxenstore's and libxenctrl's signatures. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

struct node {
	char *path;
	char *val;
	unsigned int len;
	struct xs_permissions perms[8];
	unsigned int nperms;
};

static struct node store[MAX_NODES];
static unsigned int nstore;
/* Every change xenloopd made: "<op> <path>", op w(rite) m(kdir) r(m) p(erms). */
static char *ops[MAX_OPS];
static unsigned int nops;

static void log_op(char op, const char *path)
{
	size_t n = strlen(path) + 3;
	char *s = malloc(n);

	if (nops == MAX_OPS || !s)
		abort();
	snprintf(s, n, "%c %s", op, path);
	ops[nops++] = s;
}

static void ops_reset(void)
{
	while (nops)
		free(ops[--nops]);
}

static int find(const char *path)
{
	unsigned int i;

	for (i = 0; i < nstore; i++)
		if (!strcmp(store[i].path, path))
			return (int)i;
	return -1;
}

/* Create path and its parents; new nodes inherit their parent's perms. */
static int create(const char *path)
{
	char parent[256], *slash;
	int i = find(path), p = -1;

	if (i >= 0)
		return i;
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		p = create(parent);
	}
	if (nstore == MAX_NODES)
		abort();
	i = (int)nstore++;
	store[i] = (struct node){ .path = strdup(path), .val = strdup("") };
	if (p >= 0) {
		memcpy(store[i].perms, store[p].perms, sizeof(store[i].perms));
		store[i].nperms = store[p].nperms;
	} else {
		store[i].perms[0] = (struct xs_permissions){ 0, XS_PERM_NONE };
		store[i].nperms = 1;
	}
	return i;
}

static void set(const char *path, const char *val)
{
	int i = create(path);

	free(store[i].val);
	store[i].val = strdup(val);
	store[i].len = strlen(val);
}

/* Remove path and everything below it; false if it did not exist. */
static bool del(const char *path)
{
	size_t n = strlen(path);
	bool found = false;
	unsigned int i = 0;

	while (i < nstore) {
		if (!strncmp(store[i].path, path, n) &&
		    (store[i].path[n] == '\0' || store[i].path[n] == '/')) {
			free(store[i].path);
			free(store[i].val);
			store[i] = store[--nstore];
			found = true;
		} else {
			i++;
		}
	}
	return found;
}

static bool exists(const char *path)
{
	return find(path) >= 0;
}

static unsigned int children(const char *path)
{
	size_t n = strlen(path);
	unsigned int i, c = 0;

	for (i = 0; i < nstore; i++)
		if (!strncmp(store[i].path, path, n) && store[i].path[n] == '/' &&
		    !strchr(store[i].path + n + 1, '/'))
			c++;
	return c;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	      unsigned int *len)
{
	int i = find(path);
	char *v;

	if (i < 0) {
		errno = ENOENT;
		return NULL;
	}
	v = malloc(store[i].len + 1);
	memcpy(v, store[i].val, store[i].len + 1);
	if (len)
		*len = store[i].len;
	return v;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	      const void *data, unsigned int len)
{
	int i = create(path);

	free(store[i].val);
	store[i].val = malloc(len + 1);
	memcpy(store[i].val, data, len);
	store[i].val[len] = '\0';
	store[i].len = len;
	log_op('w', path);
	return true;
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	/* xenstored changes nothing (and fires no watch) if it exists. */
	if (!exists(path)) {
		create(path);
		log_op('m', path);
	}
	return true;
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	if (!del(path)) {
		errno = ENOENT;
		return false;
	}
	log_op('r', path);
	return true;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t,
		    const char *path, unsigned int *num)
{
	size_t n = strlen(path), size = 0;
	unsigned int i, c = 0;
	char **v, *s;

	if (!exists(path)) {
		errno = ENOENT;
		return NULL;
	}
	*num = children(path);
	for (i = 0; i < nstore; i++)
		if (!strncmp(store[i].path, path, n) && store[i].path[n] == '/' &&
		    !strchr(store[i].path + n + 1, '/'))
			size += strlen(store[i].path + n + 1) + 1;
	/* One allocation, like libxenstore's: the caller frees it once. */
	v = malloc(*num * sizeof(*v) + size + 1);
	s = (char *)(v + *num);
	for (i = 0; i < nstore; i++) {
		if (!strncmp(store[i].path, path, n) && store[i].path[n] == '/' &&
		    !strchr(store[i].path + n + 1, '/')) {
			v[c++] = s;
			strcpy(s, store[i].path + n + 1);
			s += strlen(s) + 1;
		}
	}
	return v;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h,
					  xs_transaction_t t,
					  const char *path, unsigned int *num)
{
	struct xs_permissions *p;
	int i = find(path);

	if (i < 0) {
		errno = ENOENT;
		return NULL;
	}
	*num = store[i].nperms;
	p = malloc(sizeof(*p) * store[i].nperms);
	memcpy(p, store[i].perms, sizeof(*p) * store[i].nperms);
	return p;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int num_perms)
{
	int i = find(path);

	if (i < 0 || num_perms > 8) {
		errno = ENOENT;
		return false;
	}
	memcpy(store[i].perms, perms, sizeof(*perms) * num_perms);
	store[i].nperms = num_perms;
	log_op('p', path);
	return true;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	return 1;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	return true;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	return true;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	return true;
}

/* ---- the domain list --------------------------------------------------- */

static bool alive[NDOMS + 2];

int xc_domain_getinfolist(xc_interface *xch, uint32_t first,
			  unsigned int max, xc_domaininfo_t *info)
{
	unsigned int d, n = 0;

	for (d = first; d < ARRAY_SIZE(alive) && n < max; d++) {
		if (!alive[d])
			continue;
		memset(&info[n], 0, sizeof(info[n]));
		info[n].domain = d;
		info[n].handle[0] = d;
		n++;
	}
	return (int)n;
}

/* ---- a guest's side ---------------------------------------------------- */

static char *path_of(const char *fmt, unsigned int a, unsigned int b)
{
	static char buf[4][160];
	static unsigned int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), fmt, a, b);
	return buf[k];
}

static void guest_create(unsigned int d)
{
	alive[d] = true;
	set(path_of("/local/domain/%u/name", d, 0), path_of("g%u", d, 0));
	set(path_of("/local/domain/0/backend/vif/%u/%u/mac", d, 0),
	    path_of("00:16:3e:55:00:%02x", d, 0));
	set(path_of("/local/domain/0/backend/vif/%u/%u/bridge", d, 0), "xenbr0");
}

/* The advertisement, as the module writes and removes it. */
static void advertise(unsigned int d, bool on)
{
	if (on) {
		set(path_of("/local/domain/%u/data/xenloop/features", d, 0),
		    "0x00000000");
		set(path_of("/local/domain/%u/data/xenloop/version", d, 0), "2");
	} else {
		del(path_of("/local/domain/%u/data/xenloop", d, 0));
	}
}

/* ---- the daemon's loop (main.c's run(), minus poll) ------------------ */

static struct xl_ctx ctx;
static uint64_t due = UINT64_MAX;

static void process(void)
{
	int64_t ms = xl_domains_process(&ctx);

	due = ms < 0 ? UINT64_MAX : now_ms + (ms ? (uint64_t)ms : 1);
}

static void event(const char *path, const char *token)
{
	xl_domains_event(&ctx, path, token);
	process();
}

static void adv_event(unsigned int d)
{
	char tok[32];

	snprintf(tok, sizeof(tok), "a%u/%u", d,
		 xl_domain_find(&ctx, d)->watch_serial);
	event(path_of("/local/domain/%u/data/xenloop/version", d, 0), tok);
}

/* Let ms pass, firing the timer whenever it is due. */
static void advance(uint64_t ms)
{
	uint64_t end = now_ms + ms;

	while (due <= end) {
		now_ms = due;
		process();
	}
	now_ms = end;
}

static void daemon_start(void)
{
	memset(&ctx, 0, sizeof(ctx));
	due = UINT64_MAX;
	if (xl_domains_init(&ctx) || xl_publish_init(&ctx) ||
	    xl_domains_scan(&ctx) || xl_publish_rebuild(&ctx))
		abort();
	process();
}

/* As after SIGQUIT: everything stays published. */
static void daemon_stop(void)
{
	xl_map_free(&ctx.edges);
	xl_map_free(&ctx.pairs);
	free(ctx.gone);
	xl_domains_free(&ctx);
}

/* ---- what xenloopd did ------------------------------------------------- */

static unsigned int ops_under(const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned int i, c = 0;

	for (i = 0; i < nops; i++)
		if (!strncmp(ops[i] + 2, prefix, n) &&
		    (ops[i][2 + n] == '\0' || ops[i][2 + n] == '/'))
			c++;
	return c;
}

/* Index of the first op "<op> <path>", or -1. */
static int op_index(char op, const char *path)
{
	unsigned int i;

	for (i = 0; i < nops; i++)
		if (ops[i][0] == op && !strcmp(ops[i] + 2, path))
			return (int)i;
	return -1;
}

static const char *pair_of(unsigned int a, unsigned int b)
{
	return path_of(ROOT "/pairs/%u-%u", a < b ? a : b, a < b ? b : a);
}

static bool sees(unsigned int d, unsigned int p)
{
	return exists(path_of(ROOT "/%u/peers/%u/generation", d, p));
}

/* ---- tests ------------------------------------------------------------- */

static bool test_start(void)
{
	unsigned int d, p;
	bool ok = true;

	for (d = 1; d <= NDOMS; d++) {
		guest_create(d);
		advertise(d, true);
	}
	daemon_start();
	for (d = 1; d <= NDOMS; d++) {
		TAP_CHECK(children(path_of(ROOT "/%u/peers", d, 0)) == NDOMS - 1);
		for (p = d + 1; p <= NDOMS; p++)
			TAP_CHECK(exists(pair_of(d, p)));
	}
	tap_diag("start: %u nodes written for %u guests", nops, NDOMS);
	return ok;
}

static bool test_flapping(void)
{
	unsigned int i, d, p, gens[NDOMS + 1], bound;
	uint64_t t0 = now_ms;
	bool ok = true;

	ops_reset();
	/* g4 flips every FLIP_MS, 10 a second, and ends advertised. */
	for (i = 0; i < FLIPS; i++) {
		advertise(NDOMS, false);
		adv_event(NDOMS);
		advance(FLIP_MS);
		advertise(NDOMS, true);
		adv_event(NDOMS);
		advance(FLIP_MS);
	}
	advance(5000);
	/* Changes its peers saw: the burst plus the rate over the flips. */
	bound = XL_CHANGES_BURST + 1 +
		(XL_CHANGES_PER_SEC * 2 * FLIPS * FLIP_MS + 999) / 1000;
	for (d = 1; d < NDOMS; d++) {
		gens[d] = ops_under(path_of(ROOT "/%u/generation", d, 0));
		TAP_CHECK(gens[d] <= bound);
		for (p = 1; p < NDOMS; p++) {
			if (p == d)
				continue;
			/* Not one node of another peer's entry or pair. */
			TAP_CHECK(!ops_under(path_of(ROOT "/%u/peers/%u", d, p)));
			TAP_CHECK(!ops_under(pair_of(d, p)));
		}
		TAP_CHECK(sees(d, NDOMS) && sees(NDOMS, d));
		TAP_CHECK(exists(pair_of(d, NDOMS)));
	}
	tap_diag("%u flips in %llu ms: views of g1..g3 changed %u, %u, %u times",
		 FLIPS, (unsigned long long)(now_ms - t0 - 5000), gens[1],
		 gens[2], gens[3]);
	tap_diag("(at most %u; one per change would be %u), %u nodes written",
		 bound, 2 * FLIPS, nops);
	return ok;
}

static bool test_leave_order(void)
{
	int entry, pair, view;
	unsigned int d;
	bool ok = true;

	advance(10000);	/* a full change budget */
	ops_reset();
	advertise(NDOMS, false);
	adv_event(NDOMS);
	/* Settle: nothing published yet. */
	TAP_CHECK(nops == 0);
	advance(XL_SETTLE_MS);
	TAP_CHECK(nops > 0);
	view = op_index('r', path_of(ROOT "/%u", NDOMS, 0));
	TAP_CHECK(view >= 0);
	for (d = 1; d < NDOMS; d++) {
		entry = op_index('r', path_of(ROOT "/%u/peers/%u", d, NDOMS));
		pair = op_index('r', pair_of(d, NDOMS));
		TAP_CHECK(entry >= 0 && pair > entry && pair > view);
		TAP_CHECK(!exists(pair_of(d, NDOMS)) && !sees(d, NDOMS));
	}
	/* And back: the pairs exist before any view names them. */
	ops_reset();
	advertise(NDOMS, true);
	adv_event(NDOMS);
	advance(XL_SETTLE_MS);
	for (d = 1; d < NDOMS; d++) {
		pair = op_index('m', pair_of(d, NDOMS));
		entry = op_index('w', path_of(ROOT "/%u/peers/%u/pair", d, NDOMS));
		TAP_CHECK(pair >= 0 && entry > pair);
		TAP_CHECK(sees(d, NDOMS) && sees(NDOMS, d));
	}
	return ok;
}

static bool test_new_vif(void)
{
	unsigned int d, i;
	bool ok = true;

	advance(10000);
	ops_reset();
	set("/local/domain/0/backend/vif/4/1/mac", "00:16:3e:56:00:04");
	set("/local/domain/0/backend/vif/4/1/bridge", "xenbr1");
	event("/local/domain/0/backend/vif/4/1/mac", "backend");
	advance(1000);
	/* Each peer's view: its vifs node and its generation, nothing else. */
	for (d = 1; d < NDOMS; d++) {
		TAP_CHECK(ops_under(path_of(ROOT "/%u", d, 0)) == 2);
		TAP_CHECK(op_index('w', path_of(ROOT "/%u/peers/%u/vifs", d,
						NDOMS)) >= 0);
		TAP_CHECK(op_index('w', path_of(ROOT "/%u/generation", d, 0)) >= 0);
	}
	/* g4's own view: its own vifs and its generation, no entry. */
	TAP_CHECK(ops_under(path_of(ROOT "/%u", NDOMS, 0)) == 2);
	TAP_CHECK(op_index('w', path_of(ROOT "/%u/vifs", NDOMS, 0)) >= 0);
	TAP_CHECK(nops == 2 * NDOMS);
	for (i = 0; i < nops; i++)
		tap_diag("%s", ops[i]);
	return ok;
}

static bool test_restart(void)
{
	bool ok = true;

	daemon_stop();
	ops_reset();
	daemon_start();
	advance(1000);
	TAP_CHECK(nops == 0);
	TAP_CHECK(sees(1, NDOMS) && sees(NDOMS, 1));
	return ok;
}

static bool test_new_guest_at_once(void)
{
	unsigned int d = NDOMS + 1;
	bool ok = true;

	ops_reset();
	guest_create(d);
	advertise(d, true);
	/* A new domain is evaluated without a settle delay. */
	event("@introduceDomain", "@introduceDomain");
	TAP_CHECK(sees(d, 1) && sees(1, d));
	daemon_stop();
	return ok;
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ test_start, "start: every view and pair published" },
		{ test_flapping, "a flapping guest: other entries untouched, bounded" },
		{ test_leave_order, "a guest leaving: pairs go after the entries" },
		{ test_new_vif, "a new vif: only vifs and generations rewritten" },
		{ test_restart, "a restart adopts everything without a write" },
		{ test_new_guest_at_once, "a new domain is published at once" },
	};
	int ret = tap_run(tests, ARRAY_SIZE(tests));

	ops_reset();
	while (nstore) {
		nstore--;
		free(store[nstore].path);
		free(store[nstore].val);
	}
	return ret;
}
