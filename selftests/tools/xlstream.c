// SPDX-License-Identifier: GPL-2.0
/*
 * xlstream - verified bulk TCP transfer for the xenloop test lab.
 *
 *	xlstream send [-p PORT] [-n BYTES] [-d SECONDS] [-r BYTES_PER_SEC]
 *		      [-s SEED] [-l] HOST
 *	xlstream recv [-p PORT] [-b BINDADDR] [-s SEED] [-n EXPECTED]
 *		      [-o PROGRESSFILE] [-x]
 *	xlstream bench [-n BYTES] [-s SEED]
 *
 * The sender transmits a deterministic pseudo-random stream (see
 * xlstream_lib.h); the receiver checks every byte against it, so any
 * corruption, loss, duplication or reordering inside the transport shows
 * up as errors at a precise offset.  Both ends also print a hash of the
 * bytes they handled, which must match.
 *
 * Statically linked for busybox guests, so addresses are numeric only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "tool.h"
#include "xlstream_lib.h"

#define BUF_SIZE		(256u << 10)
/* Rate limiting granularity: one slice worth of data per 10 ms. */
#define RATE_SLICES_PER_SEC	100
/* send: how long to keep retrying a refused connect. */
#define CONNECT_WAIT_S		10
/* send: how long the receiver may take to close after our EOF. */
#define CLOSE_WAIT_MS		120000

/* Set by SIGINT/SIGTERM; lock-free atomics are async-signal-safe. */
static atomic_int stop_requested;

const char *const xl_prog = "xlstream";

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	/* An interrupting signal just ends the nap early; callers re-check. */
	nanosleep(&ts, NULL);
}

static double mbit(uint64_t bytes, double secs)
{
	return secs > 0 ? bytes * 8.0 / secs / 1e6 : 0.0;
}

static void on_stop(int sig)
{
	(void)sig;
	atomic_store(&stop_requested, 1);
}

/* A byte count or rate such as "64M"; what names it in the complaint. */
static int parse_bytes(const char *s, uint64_t *out, bool nonzero,
		       const char *what)
{
	if (xls_parse_size(s, out) || (nonzero && !*out)) {
		xl_msg("bad %s '%s'", what, s);
		return -1;
	}
	return 0;
}

/*
 * The options of all subcommands.  The subcommands share some of them;
 * one parser keeps what an option means and how a bad value is reported
 * the same for all, while each subcommand's getopt() string says which
 * options it takes.
 */
struct opts {
	unsigned int port;	/* -p */
	uint64_t seed;		/* -s */
	uint64_t bytes;		/* -n: to send, to expect, to bench */
	bool have_bytes;
	bool bytes_nonzero;	/* set by the caller: -n 0 is refused */
	double duration;	/* send -d */
	uint64_t rate;		/* send -r */
	bool forever;		/* send -l */
	const char *bindaddr;	/* recv -b */
	const char *progress;	/* recv -o */
};

/*
 * Parse the options @optstring lists into @o, which holds the defaults.
 * Returns 0, -1 after reporting a bad value, or 1 for an option that is
 * not listed (or -h): the caller prints its usage.
 */
static int parse_opts(int argc, char **argv, const char *optstring,
		      struct opts *o)
{
	uint64_t v;
	char *end;
	int c;

	while ((c = getopt(argc, argv, optstring)) != -1) {
		switch (c) {
		case 'p':
			if (xls_parse_u64(optarg, &v) || v > 65535) {
				xl_msg("bad port '%s'", optarg);
				return -1;
			}
			o->port = v;
			break;
		case 's':
			if (xls_parse_u64(optarg, &o->seed)) {
				xl_msg("bad seed '%s'", optarg);
				return -1;
			}
			break;
		case 'n':
			if (parse_bytes(optarg, &o->bytes, o->bytes_nonzero,
					"byte count"))
				return -1;
			o->have_bytes = true;
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end || !(o->duration > 0)) {
				xl_msg("bad duration '%s'", optarg);
				return -1;
			}
			break;
		case 'r':
			if (parse_bytes(optarg, &o->rate, true, "rate"))
				return -1;
			break;
		case 'l':
			o->forever = true;
			break;
		case 'b':
			o->bindaddr = optarg;
			break;
		case 'o':
			o->progress = optarg;
			break;
		case 'x':
			/* recv: compatibility only, the line always appears. */
			break;
		default:
			return 1;
		}
	}
	return 0;
}

/* ---- send -------------------------------------------------------------- */

static int connect_to(const char *host, unsigned int port)
{
	struct sockaddr_storage ss;
	double deadline = xl_now_s() + CONNECT_WAIT_S;
	socklen_t sslen;
	int fd, err;

	if (xl_parse_addr(host, port, &ss, &sslen)) {
		xl_msg("bad host '%s' (numeric IPv4/IPv6 address only)", host);
		return -1;
	}
	/*
	 * A receiver that is still starting up answers with a RST; retry
	 * for a little while so scripts need not sequence the two ends
	 * precisely.  Other errors fail at once.
	 */
	for (;;) {
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			xl_msg("socket: %s", strerror(errno));
			return -1;
		}
		if (!connect(fd, (struct sockaddr *)&ss, sslen))
			return fd;
		err = errno;
		close(fd);
		if (err != ECONNREFUSED || xl_now_s() > deadline ||
		    stop_requested)
			break;
		sleep_s(0.2);
	}
	xl_msg("connect to %s port %u: %s", host, port, strerror(err));
	return -1;
}

/* Wait for the receiver to close: proof that it has read everything. */
static int wait_peer_close(int fd)
{
	char junk[4096];
	double deadline = xl_now_s() + CLOSE_WAIT_MS / 1000.0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = (int)((deadline - xl_now_s()) * 1000);
		ssize_t n;

		if (left <= 0) {
			xl_msg("receiver did not close the connection");
			return -1;
		}
		if (poll(&pfd, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			xl_msg("waiting for receiver: %s", strerror(errno));
			return -1;
		}
	}
}

static int cmd_send(int argc, char **argv)
{
	static uint8_t buf[BUF_SIZE];
	struct opts o = { .port = XLS_DEFAULT_PORT, .seed = XLS_DEFAULT_SEED };
	uint64_t limit, rate, sent = 0;
	double duration, start, end_at = 0, secs;
	bool failed = false;
	struct sigaction sa = { .sa_handler = on_stop };
	struct xls_hash hs;
	size_t slice;
	int r, fd;

	r = parse_opts(argc, argv, "p:n:d:r:s:lh", &o);
	if (r < 0)
		return 1;
	if (r || argc - optind != 1)
		goto usage;
	if (o.forever && (o.have_bytes || o.duration > 0)) {
		xl_msg("-l cannot be combined with -n or -d");
		return 1;
	}
	limit = o.bytes;
	rate = o.rate;
	duration = o.duration;
	/* Without any limit, behave like a short benchmark. */
	if (!o.forever && !o.have_bytes && !(duration > 0))
		duration = 10;

	/* No SA_RESTART: a blocked send() must notice the stop request. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	fd = connect_to(argv[optind], o.port);
	if (fd < 0)
		return 1;

	slice = BUF_SIZE;
	if (rate && rate / RATE_SLICES_PER_SEC < slice)
		slice = rate / RATE_SLICES_PER_SEC ? rate / RATE_SLICES_PER_SEC
						    : 1;
	xls_hash_init(&hs);
	start = xl_now_s();
	if (duration > 0)
		end_at = start + duration;

	while (!stop_requested && !failed) {
		size_t n = slice, done = 0;

		if (o.have_bytes) {
			if (sent >= limit)
				break;
			if (limit - sent < n)
				n = limit - sent;
		}
		if (rate) {
			/* Smooth pacing: never get ahead of rate * elapsed. */
			double due = start + (double)sent / rate;

			if (end_at && due > end_at)
				due = end_at;
			sleep_s(due - xl_now_s());
			if (stop_requested)
				break;
		}
		if (end_at && xl_now_s() >= end_at)
			break;
		xls_fill(o.seed, sent, buf, n);
		/*
		 * Hash exactly what send() accepted, so an interrupted
		 * partial send still yields a hash of the bytes on the wire.
		 */
		while (done < n) {
			ssize_t r = send(fd, buf + done, n - done, 0);

			if (r > 0) {
				xls_hash_update(&hs, buf + done, r);
				done += r;
				sent += r;
				continue;
			}
			if (r < 0 && errno == EINTR) {
				if (stop_requested)
					break;
				continue;
			}
			xl_msg("send: %s",
			       r < 0 ? strerror(errno) : "no progress");
			failed = true;
			break;
		}
	}

	if (!failed && (shutdown(fd, SHUT_WR) || wait_peer_close(fd)))
		failed = true;
	secs = xl_now_s() - start;
	close(fd);
	printf("bytes=%" PRIu64 " hash=%016" PRIx64 " seconds=%.3f mbit=%.2f\n",
	       sent, xls_hash_final(&hs), secs, mbit(sent, secs));
	fflush(stdout);
	if (failed) {
		xl_msg("transfer failed after %" PRIu64 " bytes", sent);
		return 1;
	}
	return 0;

usage:
	fprintf(stderr, "usage: xlstream send [-p PORT] [-n BYTES] "
		"[-d SECONDS] [-r BYTES_PER_SEC] [-s SEED] [-l] HOST\n");
	return 1;
}

/* ---- recv -------------------------------------------------------------- */

/* Replace path atomically, so a reader never sees a half-written line. */
static void write_progress(const char *path, const char *line)
{
	char tmp[4096];
	int fd, n;
	ssize_t len = strlen(line);

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, len) != len) {
		close(fd);
		unlink(tmp);
		return;
	}
	close(fd);
	rename(tmp, path);
}

static int cmd_recv(int argc, char **argv)
{
	static uint8_t buf[BUF_SIZE];
	struct opts o = { .port = XLS_DEFAULT_PORT, .seed = XLS_DEFAULT_SEED };
	const char *bindaddr, *progress;
	uint64_t bytes = 0;
	struct sigaction sa = { .sa_handler = SIG_IGN };
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	double start, next_report, secs;
	struct xls_verify v;
	struct xls_hash hs;
	char line[256];
	int r, lfd, fd, read_err = 0, rc = 0;

	r = parse_opts(argc, argv, "p:b:s:n:o:xh", &o);
	if (r < 0)
		return 1;
	if (r || optind != argc)
		goto usage;
	bindaddr = o.bindaddr;
	progress = o.progress;
	sigaction(SIGPIPE, &sa, NULL);

	if (bindaddr && xl_parse_addr(bindaddr, o.port, &ss, &sslen)) {
		xl_msg("bad bind address '%s'", bindaddr);
		return 1;
	}
	/* One connection per run: a backlog of one is plenty. */
	lfd = xl_listen(bindaddr ? &ss : NULL, sslen, o.port, 1, xl_msg);
	if (lfd < 0)
		return 1;
	/* Scripts wait for this line before starting the sender. */
	printf("listening port=%u\n", xl_local_port(lfd));
	fflush(stdout);
	do {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		xl_msg("accept: %s", strerror(errno));
		return 1;
	}
	close(lfd);

	xls_verify_init(&v, o.seed);
	xls_hash_init(&hs);
	start = xl_now_s();
	next_report = start + 1;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		/* Wake up once a second even when stalled, to report. */
		if (progress) {
			double now = xl_now_s();

			if (now >= next_report) {
				snprintf(line, sizeof(line),
					 "bytes=%" PRIu64 " errors=%" PRIu64
					 " at=%lld\n", bytes, v.errors,
					 (long long)time(NULL));
				write_progress(progress, line);
				next_report = now + 1;
			}
			if (poll(&pfd, 1, (int)((next_report - now) * 1000)
				 + 1) == 0)
				continue;
		}
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			xls_verify_update(&v, buf, n);
			xls_hash_update(&hs, buf, n);
			bytes += n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR || errno == EAGAIN)
			continue;
		read_err = errno;
		break;
	}
	/* Closing tells the sender that everything has been consumed. */
	close(fd);
	secs = xl_now_s() - start;

	snprintf(line, sizeof(line),
		 "bytes=%" PRIu64 " hash=%016" PRIx64 " errors=%" PRIu64
		 " first_error_at=%" PRId64 " seconds=%.3f mbit=%.2f\n",
		 bytes, xls_hash_final(&hs), v.errors, v.first_error, secs,
		 mbit(bytes, secs));
	fputs(line, stdout);
	fflush(stdout);
	if (progress)
		write_progress(progress, line);

	if (read_err) {
		xl_msg("connection error after %" PRIu64 " bytes: %s", bytes,
		       strerror(read_err));
		rc = 1;
	}
	if (v.errors) {
		xl_msg("DATA CORRUPTION: %" PRIu64
		       " bad bytes, first at offset %" PRId64, v.errors,
		       v.first_error);
		rc = 1;
	}
	if (o.have_bytes && bytes != o.bytes) {
		xl_msg("expected %" PRIu64 " bytes, received %" PRIu64, o.bytes,
		       bytes);
		rc = 1;
	}
	return rc;

usage:
	fprintf(stderr, "usage: xlstream recv [-p PORT] [-b BINDADDR] "
		"[-s SEED] [-n EXPECTED] [-o PROGRESSFILE] [-x]\n");
	return 1;
}

/* ---- bench ------------------------------------------------------------- */

/*
 * CPU cost of both ends without any network, to tell a slow transport
 * from a slow CPU (under QEMU TCG the latter is a real possibility).
 */
static int cmd_bench(int argc, char **argv)
{
	static uint8_t buf[BUF_SIZE];
	struct opts o = {
		.seed = XLS_DEFAULT_SEED, .bytes = 1ull << 30,
		.bytes_nonzero = true,
	};
	uint64_t total, seed, off;
	struct xls_verify v;
	struct xls_hash hs;
	double t0, t1, t2, t3;
	uint64_t h;
	int r;

	r = parse_opts(argc, argv, "n:s:h", &o);
	if (r < 0)
		return 1;
	if (r) {
		fprintf(stderr, "usage: xlstream bench [-n BYTES] [-s SEED]\n");
		return 1;
	}
	total = o.bytes;
	seed = o.seed;
	xls_hash_init(&hs);
	t0 = xl_now_s();
	for (off = 0; off < total; off += BUF_SIZE) {
		size_t n = total - off < BUF_SIZE ? total - off : BUF_SIZE;

		xls_fill(seed, off, buf, n);
		xls_hash_update(&hs, buf, n);
	}
	t1 = xl_now_s();
	h = xls_hash_final(&hs);

	/*
	 * Verify the same buffer (stream offset 0) over and over: it stays
	 * in cache like a freshly received chunk would.
	 */
	xls_verify_init(&v, seed);
	xls_hash_init(&hs);
	xls_fill(seed, 0, buf, BUF_SIZE);
	t2 = xl_now_s();
	for (off = 0; off < total; off += BUF_SIZE) {
		size_t n = total - off < BUF_SIZE ? total - off : BUF_SIZE;

		v.off = 0;
		xls_verify_update(&v, buf, n);
		xls_hash_update(&hs, buf, n);
	}
	t3 = xl_now_s();
	printf("bytes=%" PRIu64 " gen_hash_mbyte_s=%.0f"
	       " verify_hash_mbyte_s=%.0f hash=%016" PRIx64 " errors=%" PRIu64
	       " check=%016" PRIx64 "\n", total, total / (t1 - t0) / 1e6,
	       total / (t3 - t2) / 1e6, h, v.errors, xls_hash_final(&hs));
	return v.errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	fprintf(stderr,
		"usage: xlstream send [-p PORT] [-n BYTES] [-d SECONDS] "
		"[-r BYTES_PER_SEC] [-s SEED] [-l] HOST\n"
		"       xlstream recv [-p PORT] [-b BINDADDR] [-s SEED] "
		"[-n EXPECTED] [-o PROGRESSFILE] [-x]\n"
		"       xlstream bench [-n BYTES] [-s SEED]\n");
	return 1;
}
