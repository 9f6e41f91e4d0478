// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the socket helpers the lab tools share (lib/net.h):
 * numeric address parsing in all its accepted and rejected forms, and
 * listening sockets on loopback, including that the any address really
 * is dual-stack, and whole reads and writes on a stream socket.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

static char last_msg[256];
static unsigned int nmsg;

/* Stands in for a tool's msg(): remembers what xl_listen() complained. */
static void __attribute__((format(printf, 1, 2)))
record_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	nmsg++;
}

static bool test_parse_addr(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	bool ok = true;

	TAP_CHECK(!xl_parse_addr("10.1.2.3", 80, &ss, &len));
	TAP_CHECK(ss.ss_family == AF_INET && len == sizeof(*sin) &&
		  sin->sin_port == htons(80) &&
		  sin->sin_addr.s_addr == htonl(0x0a010203));
	TAP_CHECK(!xl_parse_addr("::1", 5556, &ss, &len));
	TAP_CHECK(ss.ss_family == AF_INET6 && len == sizeof(*sin6) &&
		  sin6->sin6_port == htons(5556) &&
		  IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	TAP_CHECK(!xl_parse_addr("[fd00::5]", 1, &ss, &len));
	TAP_CHECK(ss.ss_family == AF_INET6 && sin6->sin6_addr.s6_addr[0] ==
		  0xfd && sin6->sin6_addr.s6_addr[15] == 5);
	TAP_CHECK(!xl_parse_addr("::ffff:1.2.3.4", 1, &ss, &len) &&
		  ss.ss_family == AF_INET6);
	TAP_CHECK(xl_parse_addr("localhost", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("1.2.3", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("1.2.3.256", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("[::1", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("::1]", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("[]", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("[1.2.3.4]", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("", 1, &ss, &len));
	/*
	 * Longer than any address with an interface name could be: rejected
	 * as a whole, even though this one would otherwise mean scope 3.
	 */
	TAP_CHECK(xl_parse_addr("0000:0000:0000:0000:0000:0000:0000:0001"
				"%0000000000000000000000000003", 1, &ss, &len));
	TAP_CHECK(!xl_parse_addr("0000:0000:0000:0000:0000:0000:0000:0001"
				 "%03", 1, &ss, &len));
	return ok;
}

static bool test_parse_scope(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned int lo = if_nametoindex("lo");
	socklen_t len;
	bool ok = true;

	TAP_CHECK(!xl_parse_addr("fe80::1%3", 1, &ss, &len));
	TAP_CHECK(ss.ss_family == AF_INET6 && sin6->sin6_scope_id == 3);
	TAP_CHECK(!xl_parse_addr("[fe80::1%7]", 9, &ss, &len));
	TAP_CHECK(sin6->sin6_scope_id == 7 && sin6->sin6_port == htons(9));
	TAP_CHECK(!xl_parse_addr("fe80::1%4294967295", 1, &ss, &len) &&
		  sin6->sin6_scope_id == 4294967295u);
	/* Decimal even with a leading zero, never octal or hex. */
	TAP_CHECK(!xl_parse_addr("fe80::1%010", 1, &ss, &len) &&
		  sin6->sin6_scope_id == 10);
	TAP_CHECK(xl_parse_addr("fe80::1%0x3", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("fe80::1%4294967296", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("fe80::1%0", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("fe80::1%", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("fe80::1% 3", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("fe80::1%-3", 1, &ss, &len));
	TAP_CHECK(xl_parse_addr("fe80::1%nosuchif0", 1, &ss, &len));
	/* A scope on an IPv4 address means nothing. */
	TAP_CHECK(xl_parse_addr("10.1.2.3%1", 1, &ss, &len));
	/* Interface names, if this system has the usual loopback one. */
	if (lo) {
		TAP_CHECK(!xl_parse_addr("fe80::1%lo", 1, &ss, &len) &&
			  sin6->sin6_scope_id == lo);
	}
	return ok;
}

/* Whether a blocking connect() to host port succeeds. */
static bool connects(const char *host, unsigned int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	bool ok;
	int fd;

	if (xl_parse_addr(host, port, &ss, &len))
		return false;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	/* The listener's backlog completes the handshake; no accept(). */
	ok = !connect(fd, (struct sockaddr *)&ss, len);
	close(fd);
	return ok;
}

/*
 * xl_listen() on port 0, so the kernel picks a free one: the socket, with
 * the port it got, or -1 after saying why.
 */
static int listen_any_port(const struct sockaddr_storage *ss, socklen_t len,
			   unsigned int *port)
{
	int fd;

	nmsg = 0;
	fd = xl_listen(ss, len, 0, 4, record_msg);
	if (fd < 0) {
		tap_diag("xl_listen: %s", last_msg);
		return -1;
	}
	*port = xl_local_port(fd);
	if (nmsg || !*port) {
		tap_diag("xl_listen: %u messages, port %u", nmsg, *port);
		close(fd);
		return -1;
	}
	return fd;
}

static bool test_listen_any(void)
{
	unsigned int port;
	bool ok = true;
	int fd;

	fd = listen_any_port(NULL, 0, &port);
	if (fd < 0)
		return false;
	/* Dual-stack: IPv4 reaches the IPv6 socket as a mapped address. */
	TAP_CHECK(connects("127.0.0.1", port));
	close(fd);
	return ok;
}

static bool test_listen_bound(void)
{
	struct sockaddr_storage ss;
	unsigned int port;
	bool ok = true;
	socklen_t len;
	int fd, fd2;

	if (xl_parse_addr("127.0.0.1", 0, &ss, &len))
		return false;
	fd = listen_any_port(&ss, len, &port);
	if (fd < 0)
		return false;
	TAP_CHECK(connects("127.0.0.1", port));
	/*
	 * A second listener on the same address and port fails despite
	 * SO_REUSEADDR; the caller hears about it once, in the tools' words.
	 */
	xl_parse_addr("127.0.0.1", port, &ss, &len);
	fd2 = xl_listen(&ss, len, port, 4, record_msg);
	TAP_CHECK(fd2 < 0 && nmsg == 1);
	TAP_CHECK(!strncmp(last_msg, "bind/listen on port ", 20));
	if (fd2 >= 0)
		close(fd2);
	close(fd);
	return ok;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * xl_write_full()/xl_read_full() over a socketpair with a small buffer:
 * a child writes 1 MiB of a pattern after 200 ms, so the parent's first
 * read blocks and is interrupted (EINTR, no SA_RESTART) by a 50-ms timer
 * before any byte arrives; reads in odd-sized pieces must still get every
 * byte in order, and a read past the child's close must fail.
 */
static bool test_full_io(void)
{
	static uint8_t out[1 << 20], in[1 << 20];
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	int sv[2], sz = 4096, status;
	size_t off, piece, step;
	bool ok = true;
	pid_t pid;

	for (off = 0; off < sizeof(out); off++)
		out[off] = (uint8_t)(off * 131 + (off >> 9));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return false;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		close(sv[1]);
		usleep(200000);
		_exit(xl_write_full(sv[0], out, sizeof(out)) ? 1 : 0);
	}
	close(sv[0]);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	/* Pieces of 1, 4, 13, 40, ... bytes. */
	for (off = 0, step = 1; off < sizeof(in); step = step * 3 + 1) {
		piece = step < sizeof(in) - off ? step : sizeof(in) - off;
		if (xl_read_full(sv[1], in + off, piece)) {
			ok = false;
			break;
		}
		off += piece;
	}
	TAP_CHECK(ok && off == sizeof(in));
	TAP_CHECK(!memcmp(in, out, sizeof(in)));
	TAP_CHECK(xl_read_full(sv[1], in, 1) == -1);	/* end of stream */
	/* Closed first, so that a writer we gave up on cannot block us. */
	close(sv[1]);
	TAP_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0);
	signal(SIGALRM, SIG_DFL);
	return ok;
}

static const struct tap_test tests[] = {
	{ test_parse_addr, "numeric address parsing" },
	{ test_parse_scope, "IPv6 scope: interface name or decimal index" },
	{ test_listen_any, "listen on the dual-stack any address" },
	{ test_listen_bound, "listen on a given address, then clash" },
	{ test_full_io, "whole reads and writes, across EINTR and short transfers" },
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
