// SPDX-License-Identifier: GPL-2.0
/*
 * xenloopd --status and --list-domains.  Both only read: --status prints
 * what is published under /local/domain/0/xenloop (participants, their
 * policy groups under the current config file, their views), so it shows
 * the truth the guests see, whether or not a daemon is running.
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

#include "config.h"
#include "policy.h"
#include "status.h"
#include "validate.h"
#include "xs.h"

#define MAX_DOMAINS	1024
#define VALUE_MAX	1024
#define PEER		XENLOOP_DOM0_ROOT "/%u/peers/%u"

static char *read_clean(struct xs_handle *xs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *read_clean(struct xs_handle *xs, const char *fmt, ...)
{
	char path[160], *v;
	size_t len, i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	v = xl_xs_read(xs, XBT_NULL, path, VALUE_MAX, &len);
	if (!v)
		return strdup("-");
	/* Printable only: a name may come from anywhere. */
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			v[i] = '?';
	return v;
}

static int cmp_domid(const void *a, const void *b)
{
	unsigned int x = 0, y = 0;

	xl_parse_domid(*(char *const *)a, &x);
	xl_parse_domid(*(char *const *)b, &y);
	return x < y ? -1 : x > y;
}

static void print_view(struct xs_handle *xs, const struct xl_config *cfg,
		       bool have_cfg, unsigned int d)
{
	char *name, *key, *gen, *self, groups[256], path[96], **peers;
	struct xl_policy_class cls;
	struct xl_subject s;
	unsigned int n, i, p;

	name = read_clean(xs, "/local/domain/%u/name", d);
	key = read_clean(xs, "/local/domain/%u/" XENLOOP_GROUP_KEY, d);
	gen = read_clean(xs, XENLOOP_DOM0_ROOT "/%u/generation", d);
	self = read_clean(xs, XENLOOP_DOM0_ROOT "/%u/self-generation", d);
	s.name = strcmp(name, "-") ? name : NULL;
	s.key = strcmp(key, "-") ? key : NULL;
	if (have_cfg) {
		xl_policy_classify(cfg, &s, &cls);
		xl_policy_group_names(cfg, &cls, groups, sizeof(groups));
	} else {
		snprintf(groups, sizeof(groups), "?");
	}
	snprintf(path, sizeof(path), XENLOOP_DOM0_ROOT "/%u/peers", d);
	peers = xl_xs_dir(xs, XBT_NULL, path, &n);
	qsort(peers, n, sizeof(*peers), cmp_domid);
	printf("domain %u name %s groups %s generation %s self-generation %s peers %u\n",
	       d, name, groups, gen, self, n);
	for (i = 0; i < n; i++) {
		char *pname, *ver, *feat, *pgen, *vifs, *pair;

		if (!xl_parse_domid(peers[i], &p))
			continue;
		pname = read_clean(xs, "/local/domain/%u/name", p);
		ver = read_clean(xs, PEER "/version", d, p);
		feat = read_clean(xs, PEER "/features", d, p);
		pgen = read_clean(xs, PEER "/generation", d, p);
		vifs = read_clean(xs, PEER "/vifs", d, p);
		pair = read_clean(xs, PEER "/pair", d, p);
		printf("  peer %u name %s version %s features %s generation %s vifs %s pair %s\n",
		       p, pname, ver, feat, pgen, *vifs ? vifs : "-", pair);
		free(pname);
		free(ver);
		free(feat);
		free(pgen);
		free(vifs);
		free(pair);
	}
	free(peers);
	free(name);
	free(key);
	free(gen);
	free(self);
}

int xl_status(const char *cfg_path, bool cfg_must_exist)
{
	struct xl_config cfg;
	struct xs_handle *xs;
	unsigned int n, i, d, count = 0;
	char err[512], **names, *next;
	bool have_cfg;

	have_cfg = !xl_config_load(cfg_path, cfg_must_exist, &cfg, err,
				   sizeof(err));
	if (!have_cfg)
		fprintf(stderr, "xenloopd: %s (groups not shown)\n", err);
	xs = xs_open(0);
	if (!xs) {
		fprintf(stderr, "xenloopd: cannot open XenStore: %s\n",
			strerror(errno));
		if (have_cfg)
			xl_config_free(&cfg);
		return 1;
	}
	names = xl_xs_dir(xs, XBT_NULL, XENLOOP_DOM0_ROOT, &n);
	qsort(names, n, sizeof(*names), cmp_domid);
	for (i = 0; i < n; i++)
		count += xl_parse_domid(names[i], &d);
	next = read_clean(xs, "%s", XENLOOP_NEXT_GENERATION);
	printf("participants %u next-generation %s config %s\n", count, next,
	       have_cfg ? (cfg.ngroups || cfg.ndeny ? cfg_path :
			   "(default: all see all)") : "(invalid)");
	free(next);
	for (i = 0; i < n; i++)
		if (xl_parse_domid(names[i], &d))
			print_view(xs, &cfg, have_cfg, d);
	free(names);
	xs_close(xs);
	if (have_cfg)
		xl_config_free(&cfg);
	return 0;
}

static const char *dom_type(const xc_domaininfo_t *d)
{
	if (!(d->flags & XEN_DOMINF_hvm_guest))
		return "pv";
	/* PVH is an HVM container without the emulated legacy PIC. */
	if (!(d->arch_config.emulation_flags & XEN_X86_EMU_PIC))
		return "pvh";
	return "hvm";
}

static const char *dom_state(const xc_domaininfo_t *d)
{
	if (d->flags & XEN_DOMINF_dying)
		return "dying";
	if (d->flags & XEN_DOMINF_shutdown)
		return "shutdown";
	if (d->flags & XEN_DOMINF_paused)
		return "paused";
	if (d->flags & XEN_DOMINF_running)
		return "running";
	return "blocked";
}

int xl_list_domains(void)
{
	static xc_domaininfo_t info[MAX_DOMAINS];
	struct xs_handle *xs;
	xc_interface *xch;
	int n, i, ret = 1;

	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		fprintf(stderr, "xenloopd: cannot open libxenctrl: %s (not dom0?)\n",
			strerror(errno));
		return 1;
	}
	xs = xs_open(XS_OPEN_READONLY);
	if (!xs) {
		fprintf(stderr, "xenloopd: cannot open XenStore: %s\n",
			strerror(errno));
		goto out_xc;
	}

	n = xc_domain_getinfolist(xch, 0, MAX_DOMAINS, info);
	if (n < 0) {
		fprintf(stderr, "xenloopd: cannot list domains: %s\n",
			strerror(errno));
		goto out_xs;
	}
	printf("%-6s %-20s %-4s %-8s %s\n", "domid", "name", "type", "state",
	       "mem_kib");
	for (i = 0; i < n; i++) {
		char *name = read_clean(xs, "/local/domain/%u/name",
					info[i].domain);

		printf("%-6u %-20s %-4s %-8s %" PRIu64 "\n", info[i].domain,
		       name, dom_type(&info[i]), dom_state(&info[i]),
		       (uint64_t)info[i].tot_pages * (XC_PAGE_SIZE / 1024));
		free(name);
	}
	ret = 0;
out_xs:
	xs_close(xs);
out_xc:
	xc_interface_close(xch);
	return ret;
}
