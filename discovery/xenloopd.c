// SPDX-License-Identifier: GPL-2.0
/*
 * xenloopd: the dom0 discovery daemon.
 *
 * xenloopd will be the only authority on which guests share a host: it
 * watches domains come and go and publishes co-residency advertisements in
 * dom0-owned XenStore nodes.  This first version has only the part the
 * foundation needs and the lab can test for real: it opens libxenctrl and
 * libxenstore and lists the running domains (--list-domains).  It does not
 * advertise anything yet and says so instead of pretending to run.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenstore.h>

#include <xenloop/version.h>

#define MAX_DOMAINS 1024

static void print_help(FILE *f)
{
	fprintf(f,
		"usage: xenloopd --list-domains\n"
		"       xenloopd --version\n"
		"\n"
		"  --list-domains  print domid, name, type and state of every domain\n"
		"                  (libxenctrl for the list, libxenstore for names)\n");
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

static int list_domains(void)
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
		char path[64];
		unsigned int len;
		char *name;

		snprintf(path, sizeof(path), "/local/domain/%u/name",
			 info[i].domain);
		name = xs_read(xs, XBT_NULL, path, &len);
		printf("%-6u %-20s %-4s %-8s %" PRIu64 "\n", info[i].domain,
		       name ? name : "-", dom_type(&info[i]),
		       dom_state(&info[i]),
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list-domains", no_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	c = getopt_long(argc, argv, "h", opts, NULL);
	switch (c) {
	case 'l':
		return list_domains();
	case 'V':
		printf("xenloopd %s\n", XENLOOP_VERSION);
		return 0;
	case 'h':
		print_help(stdout);
		return 0;
	default:
		print_help(stderr);
		fprintf(stderr,
			"xenloopd: the advertisement daemon is not implemented yet\n");
		return 2;
	}
}
