// SPDX-License-Identifier: GPL-2.0
/*
 * xenloopd: the dom0 discovery daemon.  Options, start-up, the event loop
 * and signals.  The loop sleeps in poll() on three descriptors: the
 * XenStore connection (watch events), a signalfd (SIGTERM, SIGINT, SIGQUIT,
 * SIGHUP)
 * and a timerfd armed only while a rate-limited guest has deferred work or
 * a publication must be retried.  Nothing polls.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenstore.h>

#include <xenloop/protocol.h>
#include <xenloop/version.h>

#include "config.h"
#include "domains.h"
#include "log.h"
#include "publish.h"
#include "status.h"
#include "xenloopd.h"

#define RETRY_MS	1000

struct options {
	bool foreground;
	bool verbose;
	const char *pid_file;
	const char *cfg_path;
	bool cfg_given;
};

static void print_help(FILE *f)
{
	fprintf(f,
		"usage: xenloopd [-f] [-v] [-c FILE] [-p FILE]\n"
		"       xenloopd --status [-c FILE]\n"
		"       xenloopd --check-config [-c FILE]\n"
		"       xenloopd --list-domains | --version | --help\n"
		"\n"
		"Publishes which xenloop guests share this host, in XenStore under\n"
		XENLOOP_DOM0_ROOT " (see xenloopd(8)).\n"
		"\n"
		"  -f, --foreground    stay in the foreground and log to stderr\n"
		"                      (default: daemon, log to syslog)\n"
		"  -v, --verbose       also log debug messages\n"
		"  -c, --config FILE   policy file (default " XL_CONFIG_DEFAULT ";\n"
		"                      a missing default file means: all see all)\n"
		"  -p, --pid-file FILE write the daemon's pid to FILE\n"
		"  --status            print participants, groups and views\n"
		"  --check-config      parse the policy file and exit\n"
		"  --list-domains      print domid, name, type and state of every domain\n"
		"  --version           print the version\n"
		"\n"
		"Signals: SIGHUP reloads the policy file (an invalid file is ignored\n"
		"and the previous policy kept); SIGTERM and SIGINT remove every node\n"
		"xenloopd published and exit; SIGQUIT exits and leaves them for the\n"
		"next xenloopd, which adopts them without disturbing any channel.\n");
}

static int write_pid_file(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n) {
		close(fd);
		return -EIO;
	}
	return close(fd) ? -errno : 0;
}

static void reload_config(struct xl_ctx *ctx)
{
	struct xl_config cfg;
	char err[512];

	if (xl_config_load(ctx->cfg_path, ctx->cfg_must_exist, &cfg, err,
			   sizeof(err))) {
		xl_err("reload failed, keeping the previous policy: %s", err);
		return;
	}
	xl_config_free(&ctx->cfg);
	ctx->cfg = cfg;
	xl_info("policy reloaded from %s: %zu groups, %zu deny patterns",
		ctx->cfg_path, cfg.ngroups, cfg.ndeny);
	xl_domains_reclassify(ctx);
}

static void arm_timer(int tfd, int64_t ms)
{
	struct itimerspec its = { 0 };

	if (ms >= 0) {
		if (ms == 0)
			ms = 1;
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (ms % 1000) * 1000000;
	}
	timerfd_settime(tfd, 0, &its, NULL);
}

static void process(struct xl_ctx *ctx, int tfd)
{
	int64_t ms = xl_domains_process(ctx);

	if (ctx->publish_failed && (ms < 0 || ms > RETRY_MS))
		ms = RETRY_MS;
	arm_timer(tfd, ms);
}

/* Drain every queued watch event, then process them as one batch. */
static int drain_watches(struct xl_ctx *ctx)
{
	char **w;

	while ((w = xs_check_watch(ctx->xs))) {
		xl_dbg("event %s token %s", w[XS_WATCH_PATH],
		       w[XS_WATCH_TOKEN]);
		xl_domains_event(ctx, w[XS_WATCH_PATH], w[XS_WATCH_TOKEN]);
		free(w);
	}
	if (errno != EAGAIN) {
		xl_err("lost the XenStore connection: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int run(struct xl_ctx *ctx, int sfd)
{
	struct pollfd pfd[3];
	bool keep = false;
	uint64_t t0;
	int tfd, ret = 0;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (tfd < 0) {
		xl_err("timerfd: %s", strerror(errno));
		return 1;
	}
	t0 = xl_now_ms();
	if (xl_publish_init(ctx) || xl_watch_globals(ctx) ||
	    xl_domains_scan(ctx) || xl_publish_rebuild(ctx)) {
		xl_err("cannot start: XenStore or libxenctrl failed");
		close(tfd);
		return 1;
	}
	process(ctx, tfd);
	xl_info("initial sync of %u domains took %" PRIu64 " ms",
		ctx->ndomains, xl_now_ms() - t0);

	pfd[0] = (struct pollfd){ .fd = xs_fileno(ctx->xs), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	for (;;) {
		bool work = false;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			xl_err("poll: %s", strerror(errno));
			ret = 1;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo != SIGHUP) {
					keep = si.ssi_signo == SIGQUIT;
					xl_info("signal %u: exiting, %s", si.ssi_signo,
						keep ? "leaving what was published" :
						       "removing what was published");
					break;
				}
				reload_config(ctx);
				work = true;
			}
		}
		if (pfd[2].revents & POLLIN) {
			uint64_t n;

			if (read(tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
				xl_warn("timerfd: %s", strerror(errno));
			work = true;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (drain_watches(ctx)) {
				ret = 1;
				break;
			}
			work = true;
		}
		if (work)
			process(ctx, tfd);
	}
	if (!keep)
		xl_publish_shutdown(ctx);
	close(tfd);
	return ret;
}

static int daemon_main(const struct options *o)
{
	struct xl_ctx ctx = { 0 };
	char err[512];
	sigset_t mask;
	int sfd, ret = 1;

	ctx.cfg_path = o->cfg_path;
	ctx.cfg_must_exist = o->cfg_given;
	if (xl_config_load(ctx.cfg_path, ctx.cfg_must_exist, &ctx.cfg, err,
			   sizeof(err))) {
		fprintf(stderr, "xenloopd: invalid configuration: %s\n", err);
		return 1;
	}
	if (!o->foreground && daemon(0, 0)) {
		fprintf(stderr, "xenloopd: daemon: %s\n", strerror(errno));
		goto out_cfg;
	}
	xl_log_init(!o->foreground, o->verbose);
	if (o->pid_file && write_pid_file(o->pid_file))
		xl_warn("cannot write %s", o->pid_file);

	/* Blocked before libxenstore starts its thread, so it inherits. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		xl_err("signalfd: %s", strerror(errno));
		goto out_pid;
	}
	ctx.xch = xc_interface_open(NULL, NULL, 0);
	if (!ctx.xch) {
		xl_err("cannot open libxenctrl: %s (not dom0?)",
		       strerror(errno));
		goto out_sfd;
	}
	ctx.xs = xs_open(XS_UNWATCH_FILTER);
	if (!ctx.xs) {
		xl_err("cannot open XenStore: %s", strerror(errno));
		goto out_xc;
	}
	if (xl_domains_init(&ctx)) {
		xl_err("out of memory");
		goto out_xs;
	}
	xl_info("xenloopd %s starting, protocol version %d, policy %s",
		XENLOOP_VERSION, XENLOOP_PROTO_VERSION, ctx.cfg_path);
	ret = run(&ctx, sfd);
	xl_domains_free(&ctx);
	xl_info("stopped");
out_xs:
	xs_close(ctx.xs);
out_xc:
	xc_interface_close(ctx.xch);
out_sfd:
	close(sfd);
out_pid:
	if (o->pid_file)
		unlink(o->pid_file);
out_cfg:
	xl_config_free(&ctx.cfg);
	return ret;
}

int main(int argc, char **argv)
{
	enum { OPT_STATUS = 256, OPT_LIST, OPT_VERSION, OPT_CHECK };
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "config", required_argument, NULL, 'c' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "status", no_argument, NULL, OPT_STATUS },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "list-domains", no_argument, NULL, OPT_LIST },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .cfg_path = XL_CONFIG_DEFAULT };
	int c, action = 0;

	while ((c = getopt_long(argc, argv, "fvc:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.foreground = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'c':
			o.cfg_path = optarg;
			o.cfg_given = true;
			break;
		case 'p':
			o.pid_file = optarg;
			break;
		case OPT_STATUS:
		case OPT_LIST:
		case OPT_VERSION:
		case OPT_CHECK:
			action = c;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		print_help(stderr);
		return 2;
	}
	switch (action) {
	case OPT_STATUS:
		return xl_status(o.cfg_path, o.cfg_given);
	case OPT_LIST:
		return xl_list_domains();
	case OPT_VERSION:
		printf("xenloopd %s (protocol version %d)\n", XENLOOP_VERSION,
		       XENLOOP_PROTO_VERSION);
		return 0;
	case OPT_CHECK: {
		struct xl_config cfg;
		char err[512];

		if (xl_config_load(o.cfg_path, o.cfg_given, &cfg, err,
				   sizeof(err))) {
			fprintf(stderr, "xenloopd: invalid configuration: %s\n",
				err);
			return 1;
		}
		printf("%s: ok, %zu groups, %zu deny patterns\n", o.cfg_path,
		       cfg.ngroups, cfg.ndeny);
		xl_config_free(&cfg);
		return 0;
	}
	}
	return daemon_main(&o);
}
