// SPDX-License-Identifier: GPL-2.0
/*
 * xlperf - timed TCP and UDP throughput for the xenloop lab benchmark.
 *
 *	xlperf serve [-p PORT]
 *	xlperf tcp [-p PORT] [-s SIZE] [-d SECONDS] HOST
 *	xlperf udp [-p PORT] [-s SIZE] [-d SECONDS] HOST
 *
 * serve accepts a TCP control connection on PORT (IPv4 and IPv6) for
 * each measurement and forks a child for it.  The client sends a header
 * (magic, protocol, message size), then:
 *
 * tcp:	writes SIZE-byte messages on the control connection itself for
 *	SECONDS (Nagle left on, as netperf's TCP_STREAM does), shuts down
 *	its sending side and waits for the server's count of the bytes it
 *	read.  Throughput is the server's count over the time from the
 *	first write to the count's arrival, so nothing still in flight
 *	counts.
 * udp:	the server binds a UDP socket to a free port and names it; the
 *	client sends SIZE-byte datagrams to it for SECONDS as fast as its
 *	socket takes them, then asks for the count over the control
 *	connection; the server drains what is still arriving (until 200 ms
 *	pass without a datagram) and answers.  Throughput is the datagram
 *	bytes the server received over the sending time: goodput, with
 *	loss counted against it.
 *
 * The client prints one line:
 *
 *	proto=P size=N secs=S sent=BYTES recv=BYTES msgs=M mbit=RATE
 *
 * (msgs: datagrams received for udp, writes for tcp) and exits 0 when
 * the server answered.  Payload bytes are not verified here: xlstream
 * and xlmsg do that; this tool only measures.  Statically linked for
 * busybox guests: numeric addresses only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "tool.h"

#define XLPERF_MAGIC	0x786c7066u	/* "xlpf" */
#define MAX_MSG		(64u << 10)
#define PROTO_TCP	1
#define PROTO_UDP	2
/* udp: the server stops draining after this long without a datagram. */
#define UDP_DRAIN_MS	200
/* Longest a measurement may ask for; bounds every run of the tool. */
#define MAX_SECONDS	600

struct xlperf_hdr {
	uint32_t magic;
	uint32_t proto;
	uint32_t size;
	uint32_t pad;
};

/* Server to client, at the end of a measurement. */
struct xlperf_result {
	uint64_t bytes;
	uint64_t msgs;
};

static uint8_t buf[MAX_MSG];

const char *const xl_prog = "xlperf";

/* tcp: count what arrives until EOF, then say how much. */
static void serve_tcp(int fd)
{
	struct xlperf_result res = { 0 };
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		res.bytes += n;
		res.msgs++;
	}
	xl_write_full(fd, &res, sizeof(res));
}

/* udp: count datagrams on a fresh port until the client asks, then drain. */
static void serve_udp(int fd)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	struct xlperf_result res = { 0 };
	int ufd, zero = 0, rcvbuf = 4 << 20, stopping = 0;
	struct pollfd p[2];
	uint16_t port;
	ssize_t n;

	ufd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ufd < 0 ||
	    setsockopt(ufd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(ufd, (struct sockaddr *)&a, sizeof(a))) {
		xl_msg("udp socket: %s", strerror(errno));
		return;
	}
	/* Capped by net.core.rmem_max; a failure only means the default. */
	setsockopt(ufd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	port = htons(xl_local_port(ufd));
	if (!port || xl_write_full(fd, &port, sizeof(port)))
		return;
	p[0] = (struct pollfd){ .fd = ufd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (;;) {
		int r = poll(p, stopping ? 1 : 2, stopping ? UDP_DRAIN_MS : -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (r == 0)
			break;		/* drained */
		if (p[0].revents & POLLIN) {
			while ((n = recv(ufd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
				res.bytes += n;
				res.msgs++;
			}
		}
		if (!stopping && p[1].revents) {
			uint8_t c;

			if (xl_read_full(fd, &c, 1))
				return;
			stopping = 1;
		}
	}
	xl_write_full(fd, &res, sizeof(res));
}

static int serve(unsigned int port)
{
	int lfd;

	signal(SIGCHLD, SIG_IGN);	/* reap children */
	lfd = xl_listen(NULL, 0, port, 16, xl_msg);
	if (lfd < 0)
		return 1;
	printf("listening port=%u\n", port);
	fflush(stdout);
	for (;;) {
		struct xlperf_hdr h;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			continue;
		if (fork() == 0) {
			close(lfd);
			if (!xl_read_full(fd, &h, sizeof(h)) &&
			    h.magic == XLPERF_MAGIC && h.size <= MAX_MSG) {
				if (h.proto == PROTO_TCP)
					serve_tcp(fd);
				else if (h.proto == PROTO_UDP)
					serve_udp(fd);
			}
			_exit(0);
		}
		close(fd);
	}
}

/* Writes between two looks at the clock: about 64 KiB of messages. */
static unsigned long check_every(size_t size)
{
	return size >= 65536 ? 1 : 65536 / size;
}

static int run(int proto, const char *host, unsigned int port, size_t size,
	       double secs)
{
	struct xlperf_hdr h = { XLPERF_MAGIC, proto, size, 0 };
	struct sockaddr_storage ss;
	struct xlperf_result res;
	unsigned long every = check_every(size), i = 0;
	uint64_t sent = 0, writes = 0;
	double t0, t_end, t1, dur;
	socklen_t sl;
	int fd, ufd = -1;

	if (xl_parse_addr(host, port, &ss, &sl)) {
		xl_msg("bad address %s", host);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl)) {
		xl_msg("connect %s: %s", host, strerror(errno));
		return 1;
	}
	if (xl_write_full(fd, &h, sizeof(h)))
		goto lost;
	memset(buf, 0x5a, size);
	if (proto == PROTO_UDP) {
		uint16_t uport;

		if (xl_read_full(fd, &uport, sizeof(uport)))
			goto lost;
		if (ss.ss_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = uport;
		else
			((struct sockaddr_in6 *)&ss)->sin6_port = uport;
		ufd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (ufd < 0 || connect(ufd, (struct sockaddr *)&ss, sl)) {
			xl_msg("udp connect: %s", strerror(errno));
			return 1;
		}
	}
	t0 = xl_now_s();
	t_end = t0 + secs;
	for (;;) {
		ssize_t w = write(ufd >= 0 ? ufd : fd, buf, size);

		if (w < 0) {
			/* A full device queue or a refused datagram. */
			if (errno != EINTR && errno != ENOBUFS &&
			    errno != ECONNREFUSED && errno != EAGAIN) {
				xl_msg("write: %s", strerror(errno));
				goto lost;
			}
		} else {
			sent += w;
			writes++;
		}
		if (++i >= every) {
			i = 0;
			if (xl_now_s() >= t_end)
				break;
		}
	}
	dur = xl_now_s() - t0;
	if (ufd >= 0) {
		uint8_t c = 1;

		if (xl_write_full(fd, &c, 1))
			goto lost;
	} else {
		shutdown(fd, SHUT_WR);
	}
	if (xl_read_full(fd, &res, sizeof(res)))
		goto lost;
	t1 = xl_now_s();
	/* TCP: until everything arrived; UDP: what arrived over the send time. */
	if (ufd < 0)
		dur = t1 - t0;
	printf("proto=%s size=%zu secs=%.3f sent=%llu recv=%llu msgs=%llu mbit=%.1f\n",
	       proto == PROTO_TCP ? "tcp" : "udp", size, dur,
	       (unsigned long long)sent, (unsigned long long)res.bytes,
	       (unsigned long long)(proto == PROTO_TCP ? writes : res.msgs),
	       res.bytes * 8 / dur / 1e6);
	return 0;
lost:
	xl_msg("%s: connection lost", host);
	return 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xlperf serve [-p PORT]\n"
		"       xlperf tcp|udp [-p PORT] [-s SIZE] [-d SECONDS] HOST\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int port = 7400;
	size_t size = 65536;
	double secs = 3;
	const char *mode;
	char *end;
	int opt, proto;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, "p:s:d:")) != -1) {
		switch (opt) {
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end || !port || port > 65535)
				usage();
			break;
		case 's':
			size = strtoul(optarg, &end, 10);
			if (*end || !size || size > MAX_MSG)
				usage();
			break;
		case 'd':
			secs = strtod(optarg, &end);
			if (*end || !(secs > 0) || secs > MAX_SECONDS)
				usage();
			break;
		default:
			usage();
		}
	}
	if (!strcmp(mode, "serve") && optind == argc)
		return serve(port);
	if (optind != argc - 1)
		usage();
	if (!strcmp(mode, "tcp"))
		proto = PROTO_TCP;
	else if (!strcmp(mode, "udp"))
		proto = PROTO_UDP;
	else
		usage();
	return run(proto, argv[optind], port, size, secs);
}
