/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket helpers shared by the lab tools (xlagent, xlstream, xlmsg, xlperf).
 *
 * The tools are linked statically for busybox guests, where glibc's name
 * service switch is unavailable, so nothing here resolves names: hosts
 * and bind addresses are numeric IPv4 or IPv6 literals only.
 */
#ifndef XL_NET_H
#define XL_NET_H

#include <sys/socket.h>

/*
 * Where the helpers report failures: each tool passes its own msg(), so
 * diagnostics keep the tool's prefix and wording.
 */
typedef void (*xl_msg_fn)(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * Numeric address literal plus port to a sockaddr.  Accepts "1.2.3.4",
 * "::1", "[::1]" and "fe80::1%eth0" or "fe80::1%2" (link-local addresses
 * need a scope: an interface name, or a non-zero decimal index).  0 or -1.
 */
int xl_parse_addr(const char *host, unsigned int port,
		  struct sockaddr_storage *ss, socklen_t *sslen);

/*
 * Listening TCP socket (close-on-exec, SO_REUSEADDR) on ss, or with ss
 * NULL on every address: dual-stack IPv6 any, plain IPv4 any on a kernel
 * without IPv6.  port is that of the any address and of the diagnostics;
 * a given ss carries its own.  Returns the socket, or -1 after telling
 * msg why.
 */
int xl_listen(const struct sockaddr_storage *ss, socklen_t sslen,
	      unsigned int port, int backlog, xl_msg_fn msg);

/* The local port a socket is bound to (e.g. after asking for 0), or 0. */
unsigned int xl_local_port(int fd);

/*
 * Exactly n bytes from or to a stream socket, retrying short transfers
 * and EINTR.  0, or -1 on an error or (reading) end of stream.
 */
int xl_read_full(int fd, void *buf, size_t n);
int xl_write_full(int fd, const void *buf, size_t n);

#endif /* XL_NET_H */
