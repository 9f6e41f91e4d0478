// SPDX-License-Identifier: GPL-2.0
/*
 * Socket helpers shared by the lab tools; see net.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

/*
 * A numeric scope is decimal, as everywhere else (ip, ping, glibc): a
 * leading zero must not turn it into octal.  Index 0 means "no interface",
 * which is useless for the link-local addresses that need a scope, so it
 * is rejected here rather than as EINVAL from connect() or bind().
 */
static int parse_scope_index(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || !v || v > UINT32_MAX)
		return -1;
	*out = v;
	return 0;
}

int xl_parse_addr(const char *host, unsigned int port,
		  struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
	size_t len = strlen(host);
	char *scope;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*sslen = sizeof(*sin);
		return 0;
	}
	if (len >= sizeof(buf))
		return -1;
	if (host[0] == '[') {
		if (len < 3 || host[len - 1] != ']')
			return -1;
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
	} else {
		memcpy(buf, host, len + 1);
	}
	/* if_nametoindex() is an ioctl, not NSS: it works statically. */
	scope = strchr(buf, '%');
	if (scope) {
		*scope++ = '\0';
		sin6->sin6_scope_id = if_nametoindex(scope);
		if (!sin6->sin6_scope_id &&
		    parse_scope_index(scope, &sin6->sin6_scope_id))
			return -1;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return -1;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	*sslen = sizeof(*sin6);
	return 0;
}

/*
 * The any address: one IPv6 socket with IPV6_V6ONLY off serves IPv4 too
 * (as mapped addresses), so a tool started without -b is reachable over
 * both whatever the system default (net.ipv6.bindv6only) is.
 */
static int socket_any(unsigned int port, struct sockaddr_storage *ss,
		      socklen_t *sslen)
{
	int zero = 0, fd;

	xl_parse_addr("::", port, ss, sslen);
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
				  &zero, sizeof(zero))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		xl_parse_addr("0.0.0.0", port, ss, sslen);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	}
	return fd;
}

int xl_listen(const struct sockaddr_storage *ss, socklen_t sslen,
	      unsigned int port, int backlog, xl_msg_fn msg)
{
	struct sockaddr_storage any;
	int one = 1, fd;

	if (ss) {
		fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	} else {
		fd = socket_any(port, &any, &sslen);
		ss = &any;
	}
	if (fd < 0) {
		msg("socket: %s", strerror(errno));
		return -1;
	}
	/* Restarting a tool must not wait for TIME_WAIT to expire. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, sslen) ||
	    listen(fd, backlog)) {
		msg("bind/listen on port %u: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

unsigned int xl_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int xl_read_full(int fd, void *buf, size_t n)
{
	size_t off = 0;
	ssize_t r;

	while (off < n) {
		r = read(fd, (char *)buf + off, n - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += r;
	}
	return 0;
}

int xl_write_full(int fd, const void *buf, size_t n)
{
	size_t off = 0;
	ssize_t w;

	while (off < n) {
		w = write(fd, (const char *)buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += w;
	}
	return 0;
}
