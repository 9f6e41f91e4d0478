// SPDX-License-Identifier: GPL-2.0
/*
 * xlmsg - verified request/response messages for the xenloop test lab.
 *
 *	xlmsg serve [-p PORT]
 *	xlmsg rr (-u | -t) [-p PORT] [-n COUNT] [-s SIZE[,SIZE...]]
 *		 [-w TIMEOUT_MS] HOST
 *	xlmsg flood [-p PORT] [-s SIZE] [-d SECONDS] HOST
 *	xlmsg sniff [-d SECONDS] IFNAME
 *	xlmsg tstamp [-p PORT] [-n COUNT] [-s SIZE] HOST
 *
 * serve echoes UDP datagrams and TCP streams on PORT (IPv4 and IPv6).
 * rr sends COUNT messages of each SIZE, each filled with a pattern that
 * depends on its size and sequence number, waits for the echo and
 * compares it byte by byte.  It prints one line per size:
 *
 *	size=N msgs=C rtt_us=AVG retries=R errors=E
 *
 * and exits 0 only when every message came back intact.  UDP messages
 * are resent (up to 5 times) when no echo arrives within TIMEOUT_MS; a
 * late or duplicate echo is recognised by its sequence number and
 * skipped.  flood sends UDP datagrams of SIZE as fast as the socket
 * takes them for SECONDS and prints how many it sent (for memory-bound
 * tests: nothing has to listen).  sniff counts the IPv4 and IPv6 frames
 * a packet socket sees on IFNAME, each way, for SECONDS ("sniff in=N
 * out=M"): what tcpdump would show.  tstamp sends COUNT UDP datagrams
 * asking for software transmit timestamps (SO_TIMESTAMPING with
 * SOF_TIMESTAMPING_TX_SOFTWARE, as PTP tools and latency tracers do) and
 * counts the distinct ones that come back on the error queue ("tstamp
 * sent=N stamped=M"); it exits 0 only when every datagram was stamped.
 * Statically linked for busybox guests: numeric addresses only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>		/* before linux/errqueue.h, which needs timespec */
#include <linux/errqueue.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "tool.h"

#define MAX_MSG		(64u << 10)
#define UDP_RETRIES	5

const char *const xl_prog = "xlmsg";

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Message @seq of @size: a 4-byte sequence number, then a pattern. */
static void fill(uint8_t *buf, size_t size, uint32_t seq)
{
	uint32_t x = (uint32_t)size * 2654435761u ^ seq * 40503u ^ 0x9e3779b9u;
	size_t i;

	for (i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	if (size >= 4)
		memcpy(buf, &seq, 4);
}

static void echo_tcp(int fd)
{
	static uint8_t buf[MAX_MSG];
	ssize_t n, w, off;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += w) {
			w = write(fd, buf + off, n - off);
			if (w <= 0)
				return;
		}
	}
}

static int serve(unsigned int port)
{
	static uint8_t buf[MAX_MSG];
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };
	struct pollfd p[2];
	int lfd, ufd, zero = 0;

	signal(SIGCHLD, SIG_IGN);	/* reap TCP children */
	lfd = xl_listen(NULL, 0, port, 16, xl_msg);
	if (lfd < 0)
		return 1;
	ufd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ufd < 0 ||
	    setsockopt(ufd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(ufd, (struct sockaddr *)&a, sizeof(a))) {
		xl_msg("udp port %u: %s", port, strerror(errno));
		return 1;
	}
	printf("listening port=%u\n", port);
	fflush(stdout);
	p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = ufd, .events = POLLIN };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents & POLLIN) {
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);
			ssize_t n = recvfrom(ufd, buf, sizeof(buf), 0,
					     (struct sockaddr *)&ss, &sl);

			if (n >= 0)
				sendto(ufd, buf, n, 0, (struct sockaddr *)&ss, sl);
		}
		if (p[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd < 0)
				continue;
			if (fork() == 0) {
				close(lfd);
				close(ufd);
				echo_tcp(fd);
				_exit(0);
			}
			close(fd);
		}
	}
}

/* One size; returns the number of bad or missing messages. */
static unsigned long rr_size(int fd, int udp, size_t size, unsigned long count,
			     int timeout_ms)
{
	static uint8_t out[MAX_MSG], in[MAX_MSG];
	unsigned long i, errors = 0, retries = 0;
	double t0 = now_us();

	for (i = 0; i < count; i++) {
		uint32_t seq = (uint32_t)i;
		int tries = 0, got = 0;

		fill(out, size, seq);
		if (!udp) {
			if (xl_write_full(fd, out, size) || xl_read_full(fd, in, size)) {
				xl_msg("tcp size %zu: connection lost", size);
				return errors + count - i;
			}
			if (memcmp(in, out, size))
				errors++;
			continue;
		}
		while (!got && tries <= UDP_RETRIES) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (send(fd, out, size, 0) != (ssize_t)size) {
				xl_msg("udp size %zu: send: %s", size,
				       strerror(errno));
				return errors + count - i;
			}
			tries++;
			while (poll(&p, 1, timeout_ms) > 0) {
				ssize_t n = recv(fd, in, sizeof(in), 0);
				uint32_t s;

				if (n < 0)
					break;
				if (size >= 4 && (size_t)n == size) {
					memcpy(&s, in, 4);
					if (s != seq)
						continue;	/* late echo */
				}
				if ((size_t)n != size || memcmp(in, out, size))
					errors++;
				got = 1;
				break;
			}
		}
		retries += tries - 1;
		if (!got)
			errors++;
	}
	printf("size=%zu msgs=%lu rtt_us=%.1f retries=%lu errors=%lu\n", size,
	       count, (now_us() - t0) / count, retries, errors);
	fflush(stdout);
	return errors;
}

static int rr(int argc, char **argv)
{
	unsigned long count = 10, errors = 0;
	unsigned int port = 7300;
	int timeout_ms = 1000, udp = -1, fd, c;
	const char *sizes = "1,64,1024,16384,65507";
	struct sockaddr_storage ss;
	socklen_t sl;
	char *list, *tok, *save;

	while ((c = getopt(argc, argv, "utp:n:s:w:")) != -1) {
		switch (c) {
		case 'u':
			udp = 1;
			break;
		case 't':
			udp = 0;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 's':
			sizes = optarg;
			break;
		case 'w':
			timeout_ms = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (udp < 0 || optind != argc - 1 || !count || timeout_ms <= 0)
		goto usage;
	if (xl_parse_addr(argv[optind], port, &ss, &sl)) {
		xl_msg("bad address %s", argv[optind]);
		return 2;
	}
	fd = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl)) {
		xl_msg("connect %s: %s", argv[optind], strerror(errno));
		return 1;
	}
	list = strdup(sizes);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long size = strtoul(tok, NULL, 10);

		if (!size || size > MAX_MSG) {
			xl_msg("size %s out of range 1..%u", tok, MAX_MSG);
			return 2;
		}
		errors += rr_size(fd, udp, size, count, timeout_ms);
	}
	free(list);
	printf("total errors=%lu\n", errors);
	return errors ? 1 : 0;
usage:
	fprintf(stderr, "usage: xlmsg rr (-u|-t) [-p PORT] [-n COUNT] "
		"[-s SIZE,...] [-w TIMEOUT_MS] HOST\n");
	return 2;
}

/*
 * An unconnected UDP socket and the address of HOST:PORT, or -2 (bad
 * address) or -1 (no socket), reported.  Unconnected: ICMP errors from a
 * closed port are not reported on it.
 */
static int udp_to(const char *host, unsigned int port,
		  struct sockaddr_storage *ss, socklen_t *sl)
{
	int fd;

	if (xl_parse_addr(host, port, ss, sl)) {
		xl_msg("bad address %s", host);
		return -2;
	}
	fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		xl_msg("socket: %s", strerror(errno));
	return fd;
}

static int flood(int argc, char **argv)
{
	static uint8_t buf[MAX_MSG];
	unsigned long size = 1400, sent = 0, failed = 0;
	unsigned int port = 9;
	double secs = 10, t0;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, c;

	while ((c = getopt(argc, argv, "p:s:d:")) != -1) {
		switch (c) {
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			secs = atof(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || !size || size > MAX_MSG || secs <= 0)
		goto usage;
	fd = udp_to(argv[optind], port, &ss, &sl);
	if (fd < 0)
		return -fd;
	fill(buf, size, 0);
	t0 = now_us();
	while (now_us() - t0 < secs * 1e6) {
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&ss, sl) ==
		    (ssize_t)size)
			sent++;
		else
			failed++;
	}
	printf("flood size=%lu sent=%lu failed=%lu pps=%.0f\n", size, sent,
	       failed, sent / secs);
	return 0;
usage:
	fprintf(stderr, "usage: xlmsg flood [-p PORT] [-s SIZE] [-d SECONDS] HOST\n");
	return 2;
}

static int sniff(int argc, char **argv)
{
	static uint8_t buf[MAX_MSG + 128];
	unsigned long in = 0, out = 0;
	double secs = 5, t0;
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL) };
	int fd, c;

	while ((c = getopt(argc, argv, "d:")) != -1) {
		if (c != 'd')
			goto usage;
		secs = atof(optarg);
	}
	if (optind != argc - 1 || secs <= 0)
		goto usage;
	ll.sll_ifindex = if_nametoindex(argv[optind]);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (!ll.sll_ifindex || fd < 0 ||
	    bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
		xl_msg("packet socket on %s: %s", argv[optind],
		       strerror(errno));
		return 1;
	}
	printf("sniffing %s\n", argv[optind]);
	fflush(stdout);
	t0 = now_us();
	while (now_us() - t0 < secs * 1e6) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		uint16_t proto;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fl) < 0)
			continue;
		proto = ntohs(from.sll_protocol);
		if (proto != ETH_P_IP && proto != ETH_P_IPV6)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING)
			out++;
		else
			in++;
	}
	printf("sniff in=%lu out=%lu\n", in, out);
	return 0;
usage:
	fprintf(stderr, "usage: xlmsg sniff [-d SECONDS] IFNAME\n");
	return 2;
}

/* Distinct transmit timestamps that came back, by OPT_ID counter. */
static unsigned long tstamp_collect(int fd, uint8_t *seen, unsigned long n,
				    int wait_ms)
{
	unsigned long got = 0;
	char ctl[512];
	uint8_t data[64];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = 0 };
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl, .msg_controllen = sizeof(ctl),
		};
		struct scm_timestamping *ts = NULL;
		struct sock_extended_err *ee = NULL;
		struct cmsghdr *c;

		/*
		 * Whatever comes back (an echo) is read and dropped: queued,
		 * it counts against the receive buffer the error queue
		 * shares, and stamps beyond it are dropped.
		 */
		while (recv(fd, data, sizeof(data), MSG_DONTWAIT | MSG_TRUNC) >= 0)
			;
		/* The error queue shows as POLLERR. */
		if (poll(&p, 1, wait_ms) <= 0 || !(p.revents & POLLERR))
			return got;
		if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return got;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPING)
				ts = (struct scm_timestamping *)CMSG_DATA(c);
			else if ((c->cmsg_level == SOL_IP &&
				  c->cmsg_type == IP_RECVERR) ||
				 (c->cmsg_level == SOL_IPV6 &&
				  c->cmsg_type == IPV6_RECVERR))
				ee = (struct sock_extended_err *)CMSG_DATA(c);
		}
		if (ts && ee && ee->ee_origin == SO_EE_ORIGIN_TIMESTAMPING &&
		    ee->ee_info == SCM_TSTAMP_SND &&
		    (ts->ts[0].tv_sec || ts->ts[0].tv_nsec) &&
		    ee->ee_data < n && !seen[ee->ee_data]) {
			seen[ee->ee_data] = 1;
			got++;
		}
	}
}

static int tstamp(int argc, char **argv)
{
	static uint8_t buf[MAX_MSG];
	unsigned long size = 100, count = 100, i, sent = 0, got = 0;
	int flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
		    SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
	unsigned int port = 9;
	struct sockaddr_storage ss;
	uint8_t *seen;
	socklen_t sl;
	int fd, c;

	while ((c = getopt(argc, argv, "p:n:s:")) != -1) {
		switch (c) {
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || !size || size > MAX_MSG || !count ||
	    count > 100000)
		goto usage;
	fd = udp_to(argv[optind], port, &ss, &sl);
	if (fd < 0)
		return -fd;
	seen = calloc(count, 1);
	if (!seen ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags))) {
		xl_msg("SO_TIMESTAMPING: %s", strerror(errno));
		return 1;
	}
	fill(buf, size, 0);
	for (i = 0; i < count; i++) {
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&ss, sl) ==
		    (ssize_t)size)
			sent++;
		/* Keep the error queue short: collect as we go. */
		got += tstamp_collect(fd, seen, count, 1);
	}
	got += tstamp_collect(fd, seen, count, 2000);
	printf("tstamp sent=%lu stamped=%lu\n", sent, got);
	return sent == count && got == count ? 0 : 1;
usage:
	fprintf(stderr, "usage: xlmsg tstamp [-p PORT] [-n COUNT] [-s SIZE] HOST\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "serve")) {
		unsigned int port = 7300;
		int c;

		while ((c = getopt(argc - 1, argv + 1, "p:")) != -1) {
			if (c != 'p')
				goto usage;
			port = strtoul(optarg, NULL, 10);
		}
		return serve(port);
	}
	if (argc >= 2 && !strcmp(argv[1], "rr"))
		return rr(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "flood"))
		return flood(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sniff"))
		return sniff(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "tstamp"))
		return tstamp(argc - 1, argv + 1);
usage:
	fprintf(stderr, "usage: xlmsg serve [-p PORT]\n"
		"       xlmsg rr (-u|-t) [-p PORT] [-n COUNT] [-s SIZE,...] "
		"[-w TIMEOUT_MS] HOST\n"
		"       xlmsg flood [-p PORT] [-s SIZE] [-d SECONDS] HOST\n"
		"       xlmsg sniff [-d SECONDS] IFNAME\n"
		"       xlmsg tstamp [-p PORT] [-n COUNT] [-s SIZE] HOST\n");
	return 2;
}
