// SPDX-License-Identifier: GPL-2.0
/*
 * xlagent - remote command agent for the xenloop test lab.
 *
 * The lab guests are busybox-only initramfs systems without ssh, so the
 * test harness needs its own way of running a shell command in a guest
 * and getting its output and exit status back.  This is it:
 *
 *	xlagent serve [-p PORT] [-b BINDADDR] [-d]
 *	xlagent run [-t TIMEOUT] [-w CONNECT_WAIT] [-p PORT] HOST CMD...
 *
 * See xlagent_proto.h for the wire format.  The binary is linked
 * statically and therefore never resolves names: HOST and BINDADDR are
 * numeric IPv4 or IPv6 literals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "tool.h"
#include "xlagent_proto.h"

/* Server: send a heartbeat after this much silence from the command. */
#define HEARTBEAT_MS		2000
/* Server: give up on a client that stalls while sending its request. */
#define REQUEST_IDLE_MS		60000
/* Server: time allowed to deliver the final frames after a timeout. */
#define FINAL_GRACE_MS		10000
/* Server: cap on output forwarded after the shell has exited. */
#define DRAIN_MAX		(4u << 20)
/*
 * Client: with heartbeats every 2 s, this much silence means the server
 * (or the guest it runs in) is gone.  Generous because TCG guests can
 * stall for a long time under load and TCP rides out short outages.
 */
#define CLIENT_IDLE_MS		120000
/* Client: extra time over -t before the client stops trusting the server. */
#define CLIENT_GRACE_MS		30000
#define CONNECT_RETRY_MS	200

const char *const xl_prog = "xlagent";

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() timeout for an absolute deadline; 0 deadline means none. */
static int poll_timeout(int64_t deadline)
{
	int64_t left;

	if (!deadline)
		return -1;
	left = deadline - now_ms();
	if (left < 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

static int min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Write all of buf to a non-blocking socket, waiting at most until
 * deadline (0: forever).  MSG_NOSIGNAL because a vanished client must be
 * an error return, not a SIGPIPE that skips killing the command.
 */
static int send_all(int fd, const void *buf, size_t len, int64_t deadline)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			int r = poll(&pfd, 1, poll_timeout(deadline));

			if (r < 0 && errno != EINTR)
				return -1;
			if (r == 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		return -1;
	}
	return 0;
}

/* ---- server ------------------------------------------------------------ */

static void reap_children(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

/*
 * Send one 'O' frame whose payload sits at buf + XLA_FRAME_HDR; the
 * header goes in front of it so that header and data leave in a single
 * send() and never as a tiny segment of their own.
 */
static int send_output(int sock, uint8_t *buf, size_t len, int64_t deadline)
{
	xla_frame_hdr_encode(buf, XLA_T_OUTPUT, len);
	return send_all(sock, buf, XLA_FRAME_HDR + len, deadline);
}

static int send_exit(int sock, uint32_t status, int64_t deadline)
{
	uint8_t buf[XLA_FRAME_HDR + XLA_EXIT_LEN];

	xla_exit_encode(buf, status);
	return send_all(sock, buf, sizeof(buf), deadline);
}

/* Reject a request: explanation first, since 'X' ends the reply. */
static void __attribute__((noreturn)) reject(int sock, const char *why)
{
	uint8_t buf[XLA_FRAME_HDR + 256];
	int64_t deadline = now_ms() + FINAL_GRACE_MS;
	int n;

	n = snprintf((char *)buf + XLA_FRAME_HDR, sizeof(buf) - XLA_FRAME_HDR,
		     "xlagent: request rejected: %s\n", why);
	if (n > 0 && (size_t)n < sizeof(buf) - XLA_FRAME_HDR &&
	    !send_output(sock, buf, n, deadline))
		send_exit(sock, XLA_STATUS_ERROR, deadline);
	/*
	 * Closing with unread request bytes queued would send a RST, which
	 * can destroy the explanation before the client reads it.  Swallow
	 * the rest of the request (briefly) so the close is orderly.
	 */
	shutdown(sock, SHUT_WR);
	for (;;) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };

		if (poll(&pfd, 1, poll_timeout(deadline)) <= 0 ||
		    recv(sock, buf, sizeof(buf), 0) <= 0)
			break;
	}
	_exit(1);
}

/*
 * Receive header and command until the client half-closes.  Returns the
 * NUL-terminated command; exits the connection process on any problem.
 */
static char *read_request(int sock, unsigned long *timeout)
{
	size_t cap = XLA_HDR_MAX + XLA_CMD_MAX + 1;
	char *buf = malloc(cap);
	size_t have = 0, hdr_end = 0;

	if (!buf)
		reject(sock, "out of memory");
	for (;;) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		ssize_t n;
		int r;

		r = poll(&pfd, 1, REQUEST_IDLE_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			reject(sock, "timed out reading request");
		/* Room for one byte beyond the cap, to detect overflow. */
		n = recv(sock, buf + have, cap - have, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			_exit(1);
		if (n == 0)
			break;
		have += n;
		if (!hdr_end) {
			char *nl = memchr(buf, '\n', have);

			if (!nl && have >= XLA_HDR_MAX)
				reject(sock, "malformed header");
			if (nl) {
				if (xla_header_parse(buf, nl - buf, timeout))
					reject(sock, "malformed header");
				hdr_end = nl - buf + 1;
			}
		}
		if (hdr_end && have - hdr_end > XLA_CMD_MAX)
			reject(sock, "command longer than 1 MiB");
	}
	if (!hdr_end)
		reject(sock, "malformed header");
	if (memchr(buf + hdr_end, '\0', have - hdr_end))
		reject(sock, "command contains a NUL byte");
	buf[have] = '\0';
	return buf + hdr_end;
}

/*
 * Linux limits a single argv string to 128 KiB (MAX_ARG_STRLEN), less than
 * the 1 MiB a command may have.  A long command is therefore passed as
 * several positional parameters that the shell glues back together: with
 * IFS empty, "$*" joins them without separators.  IFS is unset again
 * before eval so the command sees the default word splitting.
 */
#define ARG_CHUNK	(64u << 10)

static char **split_command(const char *cmd)
{
	static const char script[] =
		"IFS=; __xla_cmd=\"$*\"; unset IFS; "
		"set --; eval \"$__xla_cmd\"";
	size_t len = strlen(cmd), n = (len + ARG_CHUNK - 1) / ARG_CHUNK, i;
	char **argv = calloc(n + 5, sizeof(*argv));

	if (!argv)
		return NULL;
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = (char *)script;
	argv[3] = "sh";
	for (i = 0; i < n; i++) {
		argv[4 + i] = strndup(cmd + i * ARG_CHUNK, ARG_CHUNK);
		if (!argv[4 + i])
			return NULL;
	}
	return argv;
}

static void __attribute__((noreturn)) exec_shell(const char *cmd, int out)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;
	int fd;

	/* Own session and process group: a timeout kills all of it. */
	setsid();
	/*
	 * Ignored signals and the signal mask survive exec; the command
	 * must start with a clean slate or e.g. "yes | head" never ends.
	 */
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	/*
	 * Whatever the agent inherited from whoever started it is none of
	 * the command's business (and could keep pipes open).  Best effort:
	 * kernels before 5.11 lack close_range().
	 */
	close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
	if (strlen(cmd) < ARG_CHUNK) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	} else {
		char **argv = split_command(cmd);

		if (argv)
			execv("/bin/sh", argv);
	}
	dprintf(2, "xlagent: exec /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

static void kill_group(pid_t pid)
{
	/* The child may not have reached setsid() yet; hit it directly too. */
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

static uint32_t wait_status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return XLA_STATUS_ERROR;
}

static void __attribute__((noreturn)) serve_conn(int sock)
{
	static uint8_t out[XLA_FRAME_HDR + XLA_FRAME_MAX];
	unsigned long timeout = 0;
	int64_t deadline = 0, last_send;
	bool pipe_open = true;
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t chld;
	uint32_t status;
	size_t drained = 0;
	int pfd[2], sfd, st;
	char *cmd;
	pid_t pid;

	/*
	 * SIGCHLD arrives through a signalfd so that "the shell exited" is
	 * just another poll() event next to output and socket trouble.
	 * Default disposition (not SIG_IGN, which would auto-reap).
	 */
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		reject(sock, "signalfd failed");

	cmd = read_request(sock, &timeout);
	if (set_nonblock(sock, true))
		_exit(1);
	if (pipe2(pfd, O_CLOEXEC))
		reject(sock, "pipe failed");
	pid = fork();
	if (pid < 0)
		reject(sock, "fork failed");
	if (pid == 0)
		exec_shell(cmd, pfd[1]);
	close(pfd[1]);
	set_nonblock(pfd[0], true);
	if (timeout)
		deadline = now_ms() + (int64_t)timeout * 1000;
	last_send = now_ms();

	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = pipe_open ? pfd[0] : -1, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			/* Only POLLHUP/POLLERR: the read side is at EOF. */
			{ .fd = sock, .events = 0 },
		};
		int hb = (int)(last_send + HEARTBEAT_MS - now_ms());
		int r;

		r = poll(fds, 3, min_timeout(poll_timeout(deadline),
					     hb < 0 ? 0 : hb));
		if (r < 0 && errno != EINTR) {
			kill_group(pid);
			_exit(1);
		}
		if (fds[2].revents & (POLLHUP | POLLERR)) {
			kill_group(pid);
			_exit(1);
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(pfd[0], out + XLA_FRAME_HDR,
					 XLA_FRAME_MAX);

			if (n > 0) {
				if (send_output(sock, out, n, deadline)) {
					kill_group(pid);
					_exit(1);
				}
				last_send = now_ms();
			} else if (n == 0 || (errno != EAGAIN &&
					      errno != EINTR)) {
				pipe_open = false;
			}
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) > 0)
				;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			status = wait_status_code(st);
			break;
		}
		if (deadline && now_ms() >= deadline) {
			kill_group(pid);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			status = XLA_STATUS_TIMEOUT;
			break;
		}
		if (now_ms() - last_send >= HEARTBEAT_MS) {
			uint8_t hbuf[XLA_FRAME_HDR];

			if (send_output(sock, hbuf, 0, deadline)) {
				kill_group(pid);
				_exit(1);
			}
			last_send = now_ms();
		}
	}

	/*
	 * Forward what is already in the pipe, but do not wait for EOF:
	 * "daemon &" keeps the write end open for as long as it runs.
	 * Everything the shell itself wrote is in the pipe by now.
	 */
	if (deadline && deadline < now_ms() + FINAL_GRACE_MS)
		deadline = now_ms() + FINAL_GRACE_MS;
	while (pipe_open && drained < DRAIN_MAX) {
		ssize_t n = read(pfd[0], out + XLA_FRAME_HDR, XLA_FRAME_MAX);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (send_output(sock, out, n, deadline))
			_exit(1);
		drained += n;
	}
	send_exit(sock, status, deadline);
	close(sock);
	_exit(0);
}

static void daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		xl_msg("fork: %s", strerror(errno));
		exit(1);
	}
	/*
	 * The parent leaves only now, after listen(): once "xlagent serve
	 * -d" has returned, the port is guaranteed to accept connections.
	 */
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/"))
		xl_msg("chdir /: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static int cmd_serve(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	unsigned long port = XLA_DEFAULT_PORT;
	const char *bindaddr = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	bool daemon = false;
	int c, lfd;

	while ((c = getopt(argc, argv, "p:b:dh")) != -1) {
		switch (c) {
		case 'p':
			if (parse_uint(optarg, 65535, &port)) {
				xl_msg("bad port '%s'", optarg);
				return 2;
			}
			break;
		case 'b':
			bindaddr = optarg;
			break;
		case 'd':
			daemon = true;
			break;
		default:
			fprintf(stderr, "usage: xlagent serve [-p PORT] "
				"[-b BINDADDR] [-d]\n");
			return 2;
		}
	}
	if (optind != argc) {
		xl_msg("serve: unexpected argument '%s'", argv[optind]);
		return 2;
	}

	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = reap_children;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);

	if (bindaddr && xl_parse_addr(bindaddr, port, &ss, &sslen)) {
		xl_msg("bad bind address '%s' (numeric IPv4/IPv6 only)",
		       bindaddr);
		return 1;
	}
	lfd = xl_listen(bindaddr ? &ss : NULL, sslen, port, 64, xl_msg);
	if (lfd < 0)
		return 1;
	xl_msg("listening on port %u", xl_local_port(lfd));
	if (daemon)
		daemonize();

	for (;;) {
		int one = 1;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;

		if (fd < 0) {
			/* EMFILE and friends: back off instead of spinning. */
			if (errno != EINTR && errno != ECONNABORTED)
				usleep(100000);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pid = fork();
		if (pid == 0) {
			close(lfd);
			serve_conn(fd);
		}
		if (pid < 0)
			usleep(100000);
		close(fd);
	}
}

/* ---- client ------------------------------------------------------------ */

static int connect_retry(const struct sockaddr_storage *ss, socklen_t sslen,
			 const char *host, unsigned long port,
			 unsigned long wait_s)
{
	int64_t deadline = now_ms() + (int64_t)wait_s * 1000;
	int err;

	for (;;) {
		int fd = socket(ss->ss_family,
				SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		socklen_t elen = sizeof(err);

		if (fd < 0) {
			err = errno;
			goto retry;
		}
		if (connect(fd, (const struct sockaddr *)ss, sslen) == 0)
			goto connected;
		err = errno;
		if (err == EINPROGRESS) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			/*
			 * Let the kernel retransmit SYNs for the whole wait
			 * (a lost SYN is no reason to give up), but give even
			 * -w 0 one real attempt.
			 */
			int tmo = poll_timeout(deadline);
			int r = poll(&pfd, 1, tmo < 1000 ? 1000 : tmo);

			if (r == 1 && !getsockopt(fd, SOL_SOCKET, SO_ERROR,
						  &err, &elen) && err == 0)
				goto connected;
			if (r == 0)
				err = ETIMEDOUT;
			else if (r < 0)
				err = errno;
		}
		close(fd);
retry:
		if (now_ms() + CONNECT_RETRY_MS > deadline)
			break;
		usleep(CONNECT_RETRY_MS * 1000);
		continue;
connected:
		set_nonblock(fd, false);
		return fd;
	}
	xl_msg("cannot connect to %s port %lu within %lu s: %s", host, port,
	       wait_s, strerror(err));
	return -1;
}

/* Read all of stdin as the command ("xlagent run HOST -"). */
static char *read_stdin_cmd(size_t *len)
{
	size_t cap = XLA_CMD_MAX + 1, have = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		ssize_t n = read(0, buf + have, cap - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xl_msg("reading command from stdin: %s",
			       strerror(errno));
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		have += n;
		if (have > XLA_CMD_MAX) {
			xl_msg("command longer than %u bytes", XLA_CMD_MAX);
			free(buf);
			return NULL;
		}
	}
	*len = have;
	return buf;
}

static char *join_words(char **words, int n, size_t *len)
{
	size_t total = 0, off = 0;
	char *buf;
	int i;

	for (i = 0; i < n; i++)
		total += strlen(words[i]) + 1;
	buf = malloc(total + 1);
	if (!buf)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t l = strlen(words[i]);

		if (i)
			buf[off++] = ' ';
		memcpy(buf + off, words[i], l);
		off += l;
	}
	buf[off] = '\0';
	*len = off;
	return buf;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static uint8_t buf[2 * (XLA_FRAME_HDR + XLA_FRAME_MAX)];
	unsigned long timeout = 0, wait_s = 30, port = XLA_DEFAULT_PORT;
	struct sockaddr_storage ss;
	int64_t hard_deadline = 0;
	socklen_t sslen;
	size_t cmdlen, have = 0;
	char hdr[XLA_HDR_MAX];
	const char *host;
	char *cmd, *req;
	int c, fd, hlen;

	/* '+': stop at HOST so the remote command may carry its own flags. */
	while ((c = getopt(argc, argv, "+t:w:p:h")) != -1) {
		switch (c) {
		case 't':
			if (parse_uint(optarg, XLA_TIMEOUT_MAX, &timeout)) {
				xl_msg("bad timeout '%s'", optarg);
				return 255;
			}
			break;
		case 'w':
			if (parse_uint(optarg, XLA_TIMEOUT_MAX, &wait_s)) {
				xl_msg("bad connect wait '%s'", optarg);
				return 255;
			}
			break;
		case 'p':
			if (parse_uint(optarg, 65535, &port) || !port) {
				xl_msg("bad port '%s'", optarg);
				return 255;
			}
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind < 2)
		goto usage;
	host = argv[optind];
	if (xl_parse_addr(host, port, &ss, &sslen)) {
		xl_msg("bad host '%s' (numeric IPv4/IPv6 address only)", host);
		return 255;
	}
	if (argc - optind == 2 && !strcmp(argv[optind + 1], "-"))
		cmd = read_stdin_cmd(&cmdlen);
	else
		cmd = join_words(argv + optind + 1, argc - optind - 1,
				 &cmdlen);
	if (!cmd)
		return 255;
	if (cmdlen > XLA_CMD_MAX) {
		xl_msg("command longer than %u bytes", XLA_CMD_MAX);
		return 255;
	}
	hlen = xla_header_encode(hdr, sizeof(hdr), timeout);
	req = malloc(hlen + cmdlen);
	if (hlen < 0 || !req) {
		xl_msg("out of memory");
		return 255;
	}
	memcpy(req, hdr, hlen);
	memcpy(req + hlen, cmd, cmdlen);
	free(cmd);

	fd = connect_retry(&ss, sslen, host, port, wait_s);
	if (fd < 0)
		return 255;
	/*
	 * A send error is not fatal yet: a server that rejects the request
	 * closes early, and its explanation is still waiting to be read.
	 */
	if (send_all(fd, req, hlen + cmdlen, 0) == 0)
		shutdown(fd, SHUT_WR);
	free(req);
	if (timeout)
		hard_deadline = now_ms() + (int64_t)timeout * 1000 +
				CLIENT_GRACE_MS;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct xla_frame f;
		size_t off = 0;
		ssize_t n;
		long used;
		int r;

		r = poll(&pfd, 1, min_timeout(poll_timeout(hard_deadline),
					      CLIENT_IDLE_MS));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			xl_msg("%s: no reply from server, giving up", host);
			return 255;
		}
		n = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xl_msg("%s: connection lost: %s", host,
			       strerror(errno));
			return 255;
		}
		if (n == 0) {
			xl_msg("%s: connection closed before exit status",
			       host);
			return 255;
		}
		have += n;
		while ((used = xla_frame_decode(buf + off, have - off,
						&f)) > 0) {
			off += used;
			if (f.type == XLA_T_EXIT) {
				uint32_t st = xla_frame_status(&f);

				close(fd);
				return st > 255 ? 255 : (int)st;
			}
			if (f.len && write_all(1, f.data, f.len)) {
				xl_msg("writing output: %s", strerror(errno));
				return 255;
			}
		}
		if (used < 0) {
			xl_msg("%s: protocol error (not an xlagent server?)",
			       host);
			return 255;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}

usage:
	fprintf(stderr, "usage: xlagent run [-t TIMEOUT] [-w CONNECT_WAIT] "
		"[-p PORT] HOST CMD...\n"
		"       CMD '-' reads the command text from stdin\n");
	return 255;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xlagent serve [-p PORT] [-b BINDADDR] [-d]\n"
		"       xlagent run [-t TIMEOUT] [-w CONNECT_WAIT] [-p PORT] "
		"HOST CMD...\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 255;
	}
	/* Subcommand options are parsed from argv[1] ("serve"/"run") on. */
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	usage();
	return 255;
}
