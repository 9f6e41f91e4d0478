// SPDX-License-Identifier: GPL-2.0
/*
 * xlrogue - a hostile xenloop peer for the lab, in userspace.
 *
 *	xlrogue advertise | withdraw
 *	xlrogue run -v DOMID -m MODE -S SRC -D DST [-V SRCVIF,DSTVIF]
 *		    [-u PORT] [-r PPS]
 *		    [-o ORDER] [-F FEATURES] [-T SECONDS] [-t SECONDS]
 *		    [-a SECONDS] [-w SECONDS] [-M MARKER] [-x SEED]
 *	xlrogue sink -u PORT [PROGRESSFILE]
 *	xlrogue marker -u PORT -M MARKER [-n COUNT] HOST
 *
 * "run" plays a xenloop guest without the module: it advertises itself
 * in XenStore (what module/advert.c writes), follows dom0's view, and
 * completes the channel handshake of Documentation/control-plane.md,
 * section 5, with the victim guest DOMID: its own control page, data area
 * and grant directory from /dev/xen/gntalloc (granted read-only), the
 * victim's pages mapped read-only through /dev/xen/gntdev, the event
 * channel through /dev/xen/evtchn.  The FIFO is module/fifo.c itself, so
 * what the rogue sends is well formed until it decides otherwise.
 *
 * While connected it is a peer that works: it consumes the victim's
 * records and hands the IP packets in them to its own stack (a packet
 * socket on lo, with a virtio-net header for checksum offload and GSO),
 * so the victim's TCP streams to our address are verified end to end;
 * and it sends the victim well-formed UDP datagrams that "xlrogue sink"
 * in the victim checks.  Then MODE says how it misbehaves (see the
 * attacks[] table and Documentation/lab.md).  For each attack variant it
 * prints one line
 *
 *	result MODE/VARIANT expect=breaks|drops victim=left|stayed ms=N
 *
 * where "left" means the victim stopped using this attempt of ours (its
 * side of the pair directory went to closed, or to a new offer) N ms
 * after the corruption was published.  A variant that breaks the
 * channel is followed by a new handshake for the next one.
 *
 * "sink" counts and verifies the datagrams "run" sends; "marker" sends
 * UDP datagrams filled with MARKER (to another peer, so that the rogue's
 * report mode can look for it where it must not be).
 *
 * Statically linked for busybox guests; needs the xen-gntalloc,
 * xen-gntdev and xen-evtchn drivers, and no xenloop module.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include <xenstore.h>
typedef uint16_t domid_t;	/* <xen/sys/evtchn.h> uses it */
#include <xen/sys/evtchn.h>
#include <xen/sys/gntalloc.h>
#include <xen/sys/gntdev.h>

#include <xenloop/protocol.h>
#include "fifo.h"
#include "rng.h"
#include "tool.h"

const char *const xl_prog = "xlrogue";

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define PAGE			4096u
#define XS_VIEW_WAIT_S		60	/* dom0's view names the victim */
#define XS_OFFER_WAIT_S		60	/* the victim's usable offer */
#define CLOSE_WAIT_MS		2000	/* the victim unmaps after "closed" */
#define LINGER_MS		6000	/* "closing" without end, per round */
#define TICK_MS			10
#define CHECK_MS		200	/* look at the victim's side this often */
#define RX_BUDGET		256
#define SINK_MAGIC		0x58524f47u	/* "GORX" as LE bytes */
#define SINK_HDR		16
#define ROGUE_SPORT		7399
#define ROGUE_L3_BAD		8	/* neither XL_L3_IPV4 nor XL_L3_IPV6 */
#define STR_(x)			#x
#define STR(x)			STR_(x)
#define ROGUE_PROTO_VERSION	STR(XENLOOP_PROTO_VERSION)
/* Not in every uapi header; the kernel may refuse it, which we count. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

static atomic_int stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	atomic_store(&stop_requested, 1);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: error: ", xl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ms(void)
{
	return (uint64_t)(xl_now_s() * 1000.0);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Reproducible garbage from -x SEED. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	return xl_rng(&rnd_state);
}

/* ---- XenStore ------------------------------------------------------------ */

static struct xs_handle *xs;

/* A value of at most 255 bytes, NUL-terminated, or NULL. */
static char *xs_get(xs_transaction_t t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *xs_get(xs_transaction_t t, const char *fmt, ...)
{
	char path[256], *v;
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	v = xs_read(xs, t, path, &len);
	if (v && len > 255) {
		free(v);
		return NULL;
	}
	return v;
}

static bool xs_put(xs_transaction_t t, const char *path, const char *val)
{
	return xs_write(xs, t, path, val, strlen(val));
}

static bool xs_get_u64(uint64_t *val, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool xs_get_u64(uint64_t *val, const char *fmt, ...)
{
	char path[256], *v, *end;
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	v = xs_read(xs, XBT_NULL, path, &len);
	if (!v)
		return false;
	errno = 0;
	*val = strtoull(v, &end, 10);
	len = !errno && end != v && !*end;
	free(v);
	return len;
}

static unsigned int self_domid(void)
{
	uint64_t d;

	if (!xs_get_u64(&d, "domid"))
		die("cannot read our domid from XenStore: %s", strerror(errno));
	return (unsigned int)d;
}

/* What module/advert.c writes, in one transaction. */
static void advertise(void)
{
	xs_transaction_t t;
	int tries;

	for (tries = 0; tries < 16; tries++) {
		t = xs_transaction_start(xs);
		if (!t)
			die("cannot start a XenStore transaction: %s", strerror(errno));
		if (!xs_put(t, XENLOOP_ADVERT_DIR "/" XENLOOP_ADVERT_FEATURES, "0x00000000") ||
		    !xs_put(t, XENLOOP_ADVERT_DIR "/" XENLOOP_ADVERT_VERSION,
			    ROGUE_PROTO_VERSION)) {
			xs_transaction_end(xs, t, true);
			die("cannot write %s: %s", XENLOOP_ADVERT_DIR, strerror(errno));
		}
		if (xs_transaction_end(xs, t, false))
			return;
		if (errno != EAGAIN)
			break;
	}
	die("cannot commit the advertisement: %s", strerror(errno));
}

static void withdraw(void)
{
	if (!xs_rm(xs, XBT_NULL, XENLOOP_ADVERT_DIR) && errno != ENOENT)
		die("cannot remove %s: %s", XENLOOP_ADVERT_DIR, strerror(errno));
}

/* ---- grant and event-channel devices -------------------------------------- */

struct gshare {			/* our pages, granted with gntalloc */
	uint64_t index;
	uint32_t count;
	uint8_t *addr;
	uint32_t *refs;
};

struct gmapping {		/* the victim's pages, mapped with gntdev */
	uint64_t index;
	uint32_t count;
	uint8_t *addr;
};

static int gntalloc_fd = -1, gntdev_fd = -1, evtchn_fd = -1;

static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		die("cannot open %s: %s (are xen-gntalloc, xen-gntdev and xen-evtchn loaded?)",
		    path, strerror(errno));
	return fd;
}

/* @count zeroed pages granted read-only to @domid, mapped read-write here. */
static int grant_pages(uint16_t domid, uint32_t count, struct gshare *g)
{
	size_t sz = sizeof(struct ioctl_gntalloc_alloc_gref) + count * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *op = calloc(1, sz);

	memset(g, 0, sizeof(*g));
	if (!op)
		return -ENOMEM;
	op->domid = domid;
	op->flags = 0;		/* the peer may only read */
	op->count = count;
	if (ioctl(gntalloc_fd, IOCTL_GNTALLOC_ALLOC_GREF, op)) {
		xl_msg("gntalloc: cannot grant %u pages to d%u: %s", count, domid,
		       strerror(errno));
		free(op);
		return -errno;
	}
	g->index = op->index;
	g->count = count;
	g->refs = malloc(count * sizeof(uint32_t));
	if (g->refs)
		memcpy(g->refs, op->gref_ids, count * sizeof(uint32_t));
	free(op);
	g->addr = mmap(NULL, (size_t)count * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       gntalloc_fd, (off_t)g->index);
	if (g->addr == MAP_FAILED || !g->refs) {
		xl_msg("gntalloc: cannot map our %u pages: %s", count, strerror(errno));
		g->addr = NULL;
		return -ENOMEM;
	}
	return 0;
}

/*
 * End our grants: gntalloc ends foreign access, and a page the victim
 * still maps is freed by our kernel only when the victim unmaps it.
 */
static void grant_end(struct gshare *g)
{
	struct ioctl_gntalloc_dealloc_gref op = { .index = g->index, .count = g->count };

	if (!g->count)
		return;
	if (g->addr)
		munmap(g->addr, (size_t)g->count * PAGE);
	if (ioctl(gntalloc_fd, IOCTL_GNTALLOC_DEALLOC_GREF, &op))
		xl_msg("gntalloc: cannot end %u grants: %s", g->count, strerror(errno));
	free(g->refs);
	memset(g, 0, sizeof(*g));
}

/* Map @count of @domid's grants read-only; Xen refuses bad references. */
static int map_refs(uint16_t domid, const uint32_t *refs, uint32_t count,
		    struct gmapping *m)
{
	size_t sz = sizeof(struct ioctl_gntdev_map_grant_ref) +
		    count * sizeof(struct ioctl_gntdev_grant_ref);
	struct ioctl_gntdev_map_grant_ref *op = calloc(1, sz);
	struct ioctl_gntdev_unmap_grant_ref un;
	uint32_t i;

	memset(m, 0, sizeof(*m));
	if (!op)
		return -ENOMEM;
	op->count = count;
	for (i = 0; i < count; i++) {
		op->refs[i].domid = domid;
		op->refs[i].ref = refs[i];
	}
	if (ioctl(gntdev_fd, IOCTL_GNTDEV_MAP_GRANT_REF, op)) {
		xl_msg("gntdev: cannot set up %u references: %s", count, strerror(errno));
		free(op);
		return -errno;
	}
	m->index = op->index;
	m->count = count;
	free(op);
	/* Without PROT_WRITE gntdev maps with GNTMAP_readonly. */
	m->addr = mmap(NULL, (size_t)count * PAGE, PROT_READ, MAP_SHARED, gntdev_fd,
		       (off_t)m->index);
	if (m->addr == MAP_FAILED) {
		xl_msg("gntdev: cannot map %u pages of d%u (first ref %u): %s", count,
		       domid, refs[0], strerror(errno));
		un.index = m->index;
		un.count = count;
		ioctl(gntdev_fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
		memset(m, 0, sizeof(*m));
		return -EACCES;
	}
	return 0;
}

static void unmap_refs(struct gmapping *m)
{
	struct ioctl_gntdev_unmap_grant_ref un = { .index = m->index, .count = m->count };

	if (!m->count)
		return;
	munmap(m->addr, (size_t)m->count * PAGE);
	if (ioctl(gntdev_fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un))
		xl_msg("gntdev: cannot release %u mapped pages: %s", m->count,
		       strerror(errno));
	memset(m, 0, sizeof(*m));
}

static void kick(unsigned int port)
{
	struct ioctl_evtchn_notify op = { .port = port };

	if (ioctl(evtchn_fd, IOCTL_EVTCHN_NOTIFY, &op) && errno != ENOTCONN)
		xl_msg("evtchn: notify port %u: %s", port, strerror(errno));
}

/* Wait up to @ms for events; unmask what fired.  Returns how many. */
static int wait_events(int ms)
{
	struct pollfd pfd = { .fd = evtchn_fd, .events = POLLIN };
	unsigned int ports[64];
	ssize_t n;
	int i, got = 0;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(evtchn_fd, ports, sizeof(ports));
	for (i = 0; i < n / (ssize_t)sizeof(ports[0]); i++) {
		got++;
		if (write(evtchn_fd, &ports[i], sizeof(ports[i])) < 0)
			break;
	}
	return got;
}

/* ---- the rogue peer -------------------------------------------------------- */

struct rogue {
	unsigned int self, victim;
	bool lower;
	uint64_t self_gen, victim_gen;
	char pair[96], own_side[128], peer_side[128];

	unsigned int order;		/* our data area: 2^order pages */
	uint32_t features;		/* what we offer */
	uint32_t attempt;
	struct gshare ctrl, data, dir;
	unsigned int port;		/* our end of the event channel */

	uint32_t peer_attempt;
	unsigned int peer_order;
	uint32_t peer_features;
	struct gmapping pctrl, pdata;
	bool connected;

	struct xl_fifo_tx tx;
	struct xl_fifo_rx rx;

	/* traffic */
	struct in_addr src, dst;
	uint8_t src_vif, dst_vif;	/* what our records say (-V) */
	unsigned int udp_port, pps;
	bool to_lie_port;		/* a_lie: the port after the sink's */
	uint32_t seq;
	uint16_t ip_id;
	int pkt_fd, lo_ifindex;
	bool freeze_rx, freeze_tx;	/* an attack stopped one direction */

	/* counters */
	uint64_t rx_records, rx_bytes, rx_injected, rx_inject_err, rx_drops;
	uint64_t tx_records, tx_full, events, kicks;
	int last_inject_errno;
	uint64_t victim_left_at;	/* ms, 0 while the victim is with us */
	char victim_state[16];

	/* options */
	double first_s, pre_s, attack_s, wait_s;
	const char *marker;
};

static struct xl_ctrl_page *own_ctrl(struct rogue *r)
{
	return (struct xl_ctrl_page *)r->ctrl.addr;
}

static const struct xl_ctrl_page *peer_ctrl(struct rogue *r)
{
	return (const struct xl_ctrl_page *)r->pctrl.addr;
}

/* Dom0's view: our participation generation, the victim's, the pair. */
static void read_view(struct rogue *r)
{
	uint64_t t0 = now_ms();
	char *pair;

	for (;;) {
		pair = xs_get(XBT_NULL, "%s/%u/peers/%u/pair", XENLOOP_DOM0_ROOT,
			      r->self, r->victim);
		if (pair &&
		    xs_get_u64(&r->self_gen, "%s/%u/self-generation", XENLOOP_DOM0_ROOT,
			       r->self) &&
		    xs_get_u64(&r->victim_gen, "%s/%u/peers/%u/generation",
			       XENLOOP_DOM0_ROOT, r->self, r->victim))
			break;
		free(pair);
		if (now_ms() - t0 > XS_VIEW_WAIT_S * 1000)
			die("dom0's view of d%u does not list d%u after %d s "
			    "(is xenloopd running, the victim's module loaded?)",
			    r->self, r->victim, XS_VIEW_WAIT_S);
		sleep_ms(200);
	}
	snprintf(r->pair, sizeof(r->pair), "%s", pair);
	free(pair);
	snprintf(r->own_side, sizeof(r->own_side), "%s/%u", r->pair, r->self);
	snprintf(r->peer_side, sizeof(r->peer_side), "%s/%u", r->pair, r->victim);
	r->lower = r->self < r->victim;
}

static void put_side(xs_transaction_t t, struct rogue *r, const char *node,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put_side(xs_transaction_t t, struct rogue *r, const char *node,
		     const char *fmt, ...)
{
	char path[192], val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", r->own_side, node);
	if (!xs_put(t, path, val))
		xl_msg("cannot write %s: %s", path, strerror(errno));
}

static void set_state(struct rogue *r, const char *state)
{
	put_side(XBT_NULL, r, XENLOOP_HS_STATE, "%s", state);
}

/* Our pages and event channel for a new attempt. */
static void alloc_own(struct rogue *r)
{
	uint32_t nr = 1u << r->order, ndir = (nr + XENLOOP_REFS_PER_DIR - 1) /
					     XENLOOP_REFS_PER_DIR;
	struct ioctl_evtchn_bind_unbound_port ub = { .remote_domain = r->victim };
	uint32_t i;
	int port;

	if (grant_pages(r->victim, 1, &r->ctrl) || grant_pages(r->victim, nr, &r->data) ||
	    grant_pages(r->victim, ndir, &r->dir))
		die("cannot grant our pages (order %u) to d%u", r->order, r->victim);
	for (i = 0; i < nr; i++)
		((uint32_t *)r->dir.addr)[i] = htole32(r->data.refs[i]);
	xl_fifo_ctrl_init(own_ctrl(r), r->order, r->features);
	r->port = 0;
	if (r->lower) {
		port = ioctl(evtchn_fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &ub);
		if (port < 0)
			die("evtchn: cannot allocate a port for d%u: %s", r->victim,
			    strerror(errno));
		r->port = (unsigned int)port;
	}
}

static void free_own(struct rogue *r)
{
	struct ioctl_evtchn_unbind ub = { .port = r->port };

	if (r->port && ioctl(evtchn_fd, IOCTL_EVTCHN_UNBIND, &ub))
		xl_msg("evtchn: cannot unbind port %u: %s", r->port, strerror(errno));
	r->port = 0;
	grant_end(&r->dir);
	grant_end(&r->data);
	grant_end(&r->ctrl);
}

/* The offer, everything but peer-attempt, in one transaction. */
static void write_offer(struct rogue *r)
{
	char refs[XENLOOP_DIR_PAGES_MAX * 11 + 1];
	xs_transaction_t t;
	size_t len = 0;
	uint32_t i;
	char path[192];
	int tries;

	for (i = 0; i < r->dir.count; i++)
		len += snprintf(refs + len, sizeof(refs) - len, "%s%u", i ? " " : "",
				r->dir.refs[i]);
	for (tries = 0; tries < 16; tries++) {
		t = xs_transaction_start(xs);
		if (!t)
			die("cannot start a XenStore transaction: %s", strerror(errno));
		snprintf(path, sizeof(path), "%s/%s", r->own_side, XENLOOP_HS_PEER_ATTEMPT);
		xs_rm(xs, t, path);
		put_side(t, r, XENLOOP_HS_GENERATION, "%" PRIu64, r->self_gen);
		put_side(t, r, XENLOOP_HS_ATTEMPT, "%u", r->attempt);
		put_side(t, r, XENLOOP_HS_VERSION, "%u", XL_CHAN_VERSION);
		put_side(t, r, XENLOOP_HS_FEATURES, "0x%08x", r->features);
		put_side(t, r, XENLOOP_HS_RING_ORDER, "%u", r->order);
		put_side(t, r, XENLOOP_HS_CTRL_REF, "%u", r->ctrl.refs[0]);
		put_side(t, r, XENLOOP_HS_DIR_REFS, "%s", refs);
		snprintf(path, sizeof(path), "%s/%s", r->own_side, XENLOOP_HS_EVTCHN);
		if (r->lower)
			put_side(t, r, XENLOOP_HS_EVTCHN, "%u", r->port);
		else
			xs_rm(xs, t, path);
		put_side(t, r, XENLOOP_HS_STATE, "%s", XENLOOP_HS_READY);
		if (xs_transaction_end(xs, t, false))
			return;
		if (errno != EAGAIN)
			break;
	}
	die("cannot commit our offer in %s: %s", r->own_side, strerror(errno));
}

/* The victim's side as far as we need it. */
struct offer {
	char state[16];
	uint64_t generation;
	uint32_t attempt, peer_attempt, version, features, order, ctrl_ref, port;
	uint32_t dir_refs[XENLOOP_DIR_PAGES_MAX];
	unsigned int nr_dir;
};

static bool get_u32(const char *side, const char *node, uint32_t *v, int base)
{
	char *s = xs_get(XBT_NULL, "%s/%s", side, node), *end;
	unsigned long x;
	bool ok;

	if (!s)
		return false;
	errno = 0;
	x = strtoul(s, &end, base);
	ok = !errno && end != s && !*end && x <= UINT32_MAX;
	*v = (uint32_t)x;
	free(s);
	return ok;
}

static void read_state(struct rogue *r, char *buf, size_t len, uint32_t *attempt)
{
	char *s = xs_get(XBT_NULL, "%s/%s", r->peer_side, XENLOOP_HS_STATE);

	snprintf(buf, len, "%s", s ? s : "(none)");
	free(s);
	if (!get_u32(r->peer_side, XENLOOP_HS_ATTEMPT, attempt, 10))
		*attempt = 0;
}

/* 0: a usable offer in @o; -1: not (yet). */
static int read_offer(struct rogue *r, struct offer *o)
{
	char *s, *tok, *save = NULL;
	uint64_t gen;

	memset(o, 0, sizeof(*o));
	read_state(r, o->state, sizeof(o->state), &o->attempt);
	if (strcmp(o->state, XENLOOP_HS_READY) && strcmp(o->state, XENLOOP_HS_CONNECTED))
		return -1;
	if (!xs_get_u64(&gen, "%s/%s", r->peer_side, XENLOOP_HS_GENERATION) ||
	    gen != r->victim_gen)
		return -1;
	if (!o->attempt || !get_u32(r->peer_side, XENLOOP_HS_VERSION, &o->version, 10) ||
	    !get_u32(r->peer_side, XENLOOP_HS_FEATURES, &o->features, 16) ||
	    !get_u32(r->peer_side, XENLOOP_HS_RING_ORDER, &o->order, 10) ||
	    !get_u32(r->peer_side, XENLOOP_HS_CTRL_REF, &o->ctrl_ref, 10) ||
	    o->order > XL_RING_ORDER_MAX)
		return -1;
	if (!r->lower && !get_u32(r->peer_side, XENLOOP_HS_EVTCHN, &o->port, 10))
		return -1;
	if (!strcmp(o->state, XENLOOP_HS_CONNECTED) &&
	    (!get_u32(r->peer_side, XENLOOP_HS_PEER_ATTEMPT, &o->peer_attempt, 10) ||
	     o->peer_attempt != r->attempt))
		return -1;
	s = xs_get(XBT_NULL, "%s/%s", r->peer_side, XENLOOP_HS_DIR_REFS);
	if (!s)
		return -1;
	for (tok = strtok_r(s, " ", &save); tok && o->nr_dir < XENLOOP_DIR_PAGES_MAX;
	     tok = strtok_r(NULL, " ", &save))
		o->dir_refs[o->nr_dir++] = (uint32_t)strtoul(tok, NULL, 10);
	free(s);
	return o->nr_dir == ((1u << o->order) + XENLOOP_REFS_PER_DIR - 1) /
			    XENLOOP_REFS_PER_DIR ? 0 : -1;
}

/* Map the victim's offer, bind, start both FIFOs, say "connected". */
static int connect_offer(struct rogue *r, const struct offer *o)
{
	struct ioctl_evtchn_bind_interdomain bi = {
		.remote_domain = r->victim, .remote_port = o->port,
	};
	uint32_t nr = 1u << o->order, *refs, i;
	struct gmapping dir;
	int port;

	if (map_refs(r->victim, &o->ctrl_ref, 1, &r->pctrl))
		return -1;
	if (map_refs(r->victim, o->dir_refs, o->nr_dir, &dir)) {
		unmap_refs(&r->pctrl);
		return -1;
	}
	refs = malloc(nr * sizeof(*refs));
	for (i = 0; refs && i < nr; i++)
		refs[i] = le32toh(((const uint32_t *)dir.addr)[i]);
	unmap_refs(&dir);
	if (!refs || map_refs(r->victim, refs, nr, &r->pdata)) {
		free(refs);
		unmap_refs(&r->pctrl);
		return -1;
	}
	free(refs);
	if (!r->lower) {
		port = ioctl(evtchn_fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bi);
		if (port < 0) {
			xl_msg("evtchn: cannot bind d%u's port %u: %s", r->victim, o->port,
			       strerror(errno));
			unmap_refs(&r->pdata);
			unmap_refs(&r->pctrl);
			return -1;
		}
		r->port = (unsigned int)port;
	}
	r->peer_attempt = o->attempt;
	r->peer_order = o->order;
	r->peer_features = o->features & r->features & XL_FEAT_KNOWN;
	if (xl_fifo_tx_init(&r->tx, r->data.addr, PAGE << r->order, own_ctrl(r),
			    peer_ctrl(r), r->peer_features) ||
	    xl_fifo_rx_init(&r->rx, r->pdata.addr, PAGE << o->order, own_ctrl(r),
			    peer_ctrl(r), r->peer_features))
		die("FIFO setup failed");
	put_side(XBT_NULL, r, XENLOOP_HS_PEER_ATTEMPT, "%u", r->peer_attempt);
	set_state(r, XENLOOP_HS_CONNECTED);
	kick(r->port);
	r->connected = true;
	r->victim_left_at = 0;
	r->freeze_rx = false;
	r->freeze_tx = false;
	return 0;
}

/* Offer, wait for the victim's offer, connect.  Dies after a timeout. */
static void handshake(struct rogue *r)
{
	uint64_t t0 = now_ms();
	struct offer o;

	uint64_t gen, vgen;
	unsigned int i;

	read_view(r);
	r->attempt++;
	if (!r->attempt)
		r->attempt = 1;
	alloc_own(r);
	write_offer(r);
	for (i = 1;; i++) {
		if (!read_offer(r, &o) && !connect_offer(r, &o))
			break;
		if (now_ms() - t0 > XS_OFFER_WAIT_S * 1000 || atomic_load(&stop_requested))
			die("no usable offer from d%u in %d s (its state: %s)", r->victim,
			    XS_OFFER_WAIT_S, o.state);
		sleep_ms(100);
		/*
		 * Right after our advertisement changed, what we read may
		 * have been the view before xenloopd caught up: follow it.
		 */
		if (i % 20 == 0 &&
		    (!xs_get_u64(&gen, "%s/%u/self-generation", XENLOOP_DOM0_ROOT, r->self) ||
		     !xs_get_u64(&vgen, "%s/%u/peers/%u/generation", XENLOOP_DOM0_ROOT,
				 r->self, r->victim) ||
		     gen != r->self_gen || vgen != r->victim_gen)) {
			read_view(r);
			write_offer(r);
		}
	}
	printf("connected d%u attempt=%u peer_attempt=%u ring=%u/%u KiB "
	       "features=0x%x port=%u after %" PRIu64 " ms\n",
	       r->victim, r->attempt, r->peer_attempt, 4u << r->order, 4u << r->peer_order,
	       r->peer_features, r->port, now_ms() - t0);
	fflush(stdout);
}

/* Is the victim still using our current attempt?  Records when it left. */
static bool victim_here(struct rogue *r)
{
	uint32_t attempt;

	if (r->victim_left_at)
		return false;
	read_state(r, r->victim_state, sizeof(r->victim_state), &attempt);
	if ((!strcmp(r->victim_state, XENLOOP_HS_CONNECTED) ||
	     !strcmp(r->victim_state, XENLOOP_HS_READY)) && attempt == r->peer_attempt)
		return true;
	r->victim_left_at = now_ms();
	return false;
}

/*
 * Close our attempt: unmap the victim's pages, say "closed", give the
 * victim a moment to unmap ours, end our grants.
 */
static void teardown(struct rogue *r)
{
	uint64_t t0 = now_ms();
	uint32_t attempt;
	char st[16];

	unmap_refs(&r->pdata);
	unmap_refs(&r->pctrl);
	set_state(r, XENLOOP_HS_CLOSED);
	while (now_ms() - t0 < CLOSE_WAIT_MS) {
		read_state(r, st, sizeof(st), &attempt);
		if (strcmp(st, XENLOOP_HS_CONNECTED) || attempt != r->peer_attempt)
			break;
		sleep_ms(50);
	}
	free_own(r);
	r->connected = false;
}

/* ---- traffic ----------------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint8_t pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 31u + i * 7u + (i >> 8));
}

/*
 * An IPv4 UDP datagram to the sink, @plen payload bytes (>= SINK_HDR),
 * with correct checksums, into @p.  Returns its IP length.
 */
static uint32_t build_udp(struct rogue *r, uint8_t *p, uint32_t plen)
{
	uint32_t iplen = 28 + plen, i, seq = r->seq++, sum;
	unsigned int port = r->udp_port + r->to_lie_port;
	uint8_t *udp = p + 20, *pl = p + 28;
	uint16_t c;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = iplen >> 8;
	p[3] = iplen & 0xff;
	p[4] = r->ip_id >> 8;
	p[5] = r->ip_id++ & 0xff;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, &r->src, 4);
	memcpy(p + 16, &r->dst, 4);
	c = csum_fold(csum_add(0, p, 20));
	p[10] = c >> 8;
	p[11] = c & 0xff;
	udp[0] = ROGUE_SPORT >> 8;
	udp[1] = ROGUE_SPORT & 0xff;
	udp[2] = port >> 8;
	udp[3] = port & 0xff;
	udp[4] = (plen + 8) >> 8;
	udp[5] = (plen + 8) & 0xff;
	*(uint32_t *)pl = htole32(SINK_MAGIC);
	*(uint32_t *)(pl + 4) = htole32(seq);
	*(uint32_t *)(pl + 8) = htole32(plen);
	*(uint32_t *)(pl + 12) = 0;
	for (i = SINK_HDR; i < plen; i++)
		pl[i] = pattern(seq, i);
	sum = csum_add(0, p + 12, 8);
	sum += IPPROTO_UDP + plen + 8;
	c = csum_fold(csum_add(sum, udp, plen + 8));
	udp[6] = (c ? c : 0xffff) >> 8;
	udp[7] = (c ? c : 0xffff) & 0xff;
	return iplen;
}

static void commit(struct rogue *r, uint32_t len, uint8_t csum, uint8_t gso_type,
		   uint16_t gso_size, uint16_t cstart, uint8_t coff, uint8_t flags,
		   uint8_t l3);

/* A well-formed IPv4 record that names another vif pair than ours. */
static void vif_lie(struct rogue *r, uint32_t len, uint8_t src, uint8_t dst)
{
	uint8_t s = r->src_vif, d = r->dst_vif;

	r->src_vif = src;
	r->dst_vif = dst;
	commit(r, len, XL_CSUM_NONE, 0, 0, 0, 0, 0, XL_L3_IPV4);
	r->src_vif = s;
	r->dst_vif = d;
}

/* Commit one record with @meta over @len bytes already at the reservation. */
static void commit(struct rogue *r, uint32_t len, uint8_t csum, uint8_t gso_type,
		   uint16_t gso_size, uint16_t cstart, uint8_t coff, uint8_t flags,
		   uint8_t l3)
{
	struct xl_fifo_rec meta = {
		.len = len, .l3 = l3, .flags = flags, .csum = csum,
		.gso_type = gso_type, .gso_size = gso_size, .csum_start = cstart,
		.csum_offset = coff, .src_vif = r->src_vif, .dst_vif = r->dst_vif,
	};

	xl_fifo_commit(&r->tx, &meta);
	r->tx_records++;
}

static void publish(struct rogue *r)
{
	if (xl_fifo_tx_publish(&r->tx)) {
		kick(r->port);
		r->kicks++;
	}
}

/* One well-formed datagram for the sink; false if the FIFO is full. */
static bool send_udp(struct rogue *r, uint32_t plen)
{
	int err = 0;
	uint8_t *p = xl_fifo_reserve(&r->tx, 28 + plen, &err);

	if (!p) {
		if (err == -ENOSPC) {
			r->tx_full++;
			xl_fifo_tx_wait_space(&r->tx, 28 + plen);
		}
		return false;
	}
	commit(r, build_udp(r, p, plen), XL_CSUM_NONE, XL_GSO_NONE, 0, 0, 0, 0, XL_L3_IPV4);
	return true;
}

/*
 * An ICMP echo request of @plen payload bytes to the victim: its reply
 * comes back through the channel, so a few large ones fill the victim's
 * data area whatever its TCP streams do (their windows shrink as soon as
 * we stop consuming).
 */
static bool send_ping(struct rogue *r, uint32_t plen)
{
	uint32_t iplen = 28 + plen, i;
	int err = 0;
	uint8_t *p = xl_fifo_reserve(&r->tx, iplen, &err);
	uint16_t c;

	if (!p)
		return false;
	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = iplen >> 8;
	p[3] = iplen & 0xff;
	p[4] = r->ip_id >> 8;
	p[5] = r->ip_id++ & 0xff;
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	memcpy(p + 12, &r->src, 4);
	memcpy(p + 16, &r->dst, 4);
	c = csum_fold(csum_add(0, p, 20));
	p[10] = c >> 8;
	p[11] = c & 0xff;
	p[20] = 8;		/* echo request */
	p[24] = 0x58;		/* identifier "XR" */
	p[25] = 0x52;
	p[26] = r->seq >> 8;
	p[27] = r->seq++ & 0xff;
	for (i = 0; i < plen; i++)
		p[28 + i] = pattern(r->seq, i);
	c = csum_fold(csum_add(0, p + 20, 8 + plen));
	p[22] = c >> 8;
	p[23] = c & 0xff;
	commit(r, iplen, XL_CSUM_NONE, XL_GSO_NONE, 0, 0, 0, 0, XL_L3_IPV4);
	return true;
}

/* Hand one of the victim's packets to our own stack, through lo. */
static void inject(struct rogue *r, const struct xl_fifo_rec *rec)
{
	static uint8_t buf[sizeof(struct virtio_net_hdr) + 14 + XL_REC_MAX_PAYLOAD];
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	uint8_t *eth = buf + sizeof(*vh);
	uint16_t proto = rec->l3 == XL_L3_IPV4 ? ETH_P_IP : ETH_P_IPV6;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_ifindex = r->lo_ifindex,
		.sll_protocol = htons(proto), .sll_halen = 6,
	};
	size_t n = sizeof(*vh) + 14 + rec->len;

	memset(buf, 0, sizeof(*vh) + 14);
	eth[12] = proto >> 8;
	eth[13] = proto & 0xff;
	/* The payload is the victim's: copy it once, then only use the copy. */
	memcpy(eth + 14, rec->payload, rec->len);
	if (rec->csum == XL_CSUM_PARTIAL) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = 14 + rec->csum_start;
		vh->csum_offset = rec->csum_offset;
	} else if (rec->csum == XL_CSUM_UNNECESSARY) {
		vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	switch (rec->gso_type) {
	case XL_GSO_TCPV4:
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		break;
	case XL_GSO_TCPV6:
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
		break;
	case XL_GSO_UDP_L4:
		vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
		break;
	}
	vh->gso_size = rec->gso_size;
	if (sendto(r->pkt_fd, buf, n, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		if (!r->rx_inject_err++ || errno != r->last_inject_errno)
			xl_msg("cannot hand a %u-byte packet (gso %u, csum %u) to our stack: %s",
			       rec->len, rec->gso_type, rec->csum, strerror(errno));
		r->last_inject_errno = errno;
		return;
	}
	r->rx_injected++;
}

/* Consume what the victim sent; false if its FIFO broke the rules. */
static bool rx_work(struct rogue *r)
{
	struct xl_fifo_rec rec;
	enum xl_fifo_status st;
	bool notify, more = true;
	int n;

	while (more) {
		for (n = 0; n < RX_BUDGET; n++) {
			st = xl_fifo_read(&r->rx, &rec);
			if (st == XL_FIFO_OK) {
				r->rx_records++;
				r->rx_bytes += rec.len;
				inject(r, &rec);
				xl_fifo_consume(&r->rx, &rec);
			} else if (st == XL_FIFO_DROP) {
				r->rx_drops++;
			} else {
				break;
			}
		}
		if (r->rx.broken) {
			xl_msg("the victim's FIFO broke the format: %s",
			       xl_fifo_err_str(r->rx.err));
			return false;
		}
		more = xl_fifo_rx_publish(&r->rx, &notify) && n == RX_BUDGET;
		if (notify) {
			kick(r->port);
			r->kicks++;
		}
	}
	return true;
}

/* Datagrams due this tick at r->pps, varied sizes. */
static void tx_work(struct rogue *r, unsigned int ms)
{
	static double credit;
	unsigned int n;

	credit += r->pps * ms / 1000.0;
	if (credit > r->pps)
		credit = r->pps;
	for (n = 0; credit >= 1.0; credit -= 1.0, n++)
		if (!send_udp(r, SINK_HDR + (uint32_t)(rnd() % 1400)))
			break;
	if (n)
		publish(r);
}

/* One tick of an honest peer, unless an attack froze a direction. */
static void tick(struct rogue *r, unsigned int ms)
{
	r->events += wait_events((int)ms);
	if (!r->connected)
		return;
	if (!r->freeze_rx)
		rx_work(r);
	if (!r->freeze_tx)
		tx_work(r, ms);
}

/*
 * Behave for @secs, watching the victim's side; stop early when it left.
 * Returns ms from the start until it left, or -1.
 */
static long behave(struct rogue *r, double secs)
{
	uint64_t t0 = now_ms(), last = 0, t;

	while ((t = now_ms()) - t0 < secs * 1000 && !atomic_load(&stop_requested)) {
		if (t - last >= CHECK_MS) {
			last = t;
			if (!victim_here(r))
				return (long)(r->victim_left_at - t0);
		}
		tick(r, TICK_MS);
	}
	return -1;
}

/* ---- raw corruption helpers ------------------------------------------------- */

static void raw_prod(struct rogue *r, uint32_t prod)
{
	/* Whatever we wrote below the index first, as an honest producer. */
	virt_wmb();
	WRITE_ONCE(own_ctrl(r)->tx_prod, htole32(prod));
	/* The index before the notification that makes the victim read it. */
	virt_mb();
	kick(r->port);
}

/* A header at our current producer offset; publishes @space bytes. */
static void raw_hdr(struct rogue *r, uint32_t len, uint8_t type, uint8_t l3,
		    uint32_t space)
{
	uint32_t off = r->tx.prod & (r->tx.size - 1);
	struct xl_rec_hdr h = {
		.len = htole32(len), .type = type, .l3 = l3,
		.src_vif = r->src_vif, .dst_vif = r->dst_vif,
	};

	memcpy(r->data.addr + off, &h, sizeof(h));
	raw_prod(r, r->tx.prod + space);
}

/*
 * Move our producer, with real records the victim consumes, until fewer
 * than @left bytes remain before the end of our data area.
 */
static bool advance_to_end(struct rogue *r, uint32_t left)
{
	uint64_t t0 = now_ms();
	uint32_t off, room;

	for (;;) {
		off = r->tx.prod & (r->tx.size - 1);
		room = r->tx.size - off;
		if (room < left && room > 64)
			return true;
		if (now_ms() - t0 > 10000 || !victim_here(r))
			return false;
		/* Land between 64 and @left bytes before the end. */
		if (room > 64 + 60000 + 64)
			send_udp(r, 60000);
		else if (room > left)
			send_udp(r, room - left / 2 - 28 - 16);
		else
			send_udp(r, 1000);
		publish(r);
		r->events += wait_events(2);
		rx_work(r);
	}
}

/* ---- attacks -------------------------------------------------------------------- */

enum expect { BREAKS, DROPS };

struct attack {
	const char *mode, *variant;
	enum expect expect;
	void (*fn)(struct rogue *r, int arg);
	int arg;
};

enum { PROD_AHEAD, PROD_BACK, PROD_UNALIGNED, PROD_WRAP };

static void a_prod(struct rogue *r, int how)
{
	uint32_t p = r->tx.prod_pub;

	r->freeze_tx = true;
	switch (how) {
	case PROD_AHEAD:
		raw_prod(r, p + r->tx.size + 16);
		break;
	case PROD_BACK:
		raw_prod(r, p - 16);
		break;
	case PROD_UNALIGNED:
		raw_prod(r, p + 8);
		break;
	case PROD_WRAP:
		raw_prod(r, p + 0x80000000u);
		break;
	}
}

enum { LEN_ZERO, LEN_ODD, LEN_OVER_MAX, LEN_OVER_RING, LEN_STRADDLE, LEN_TRUNC,
	LEN_PAD, LEN_TYPE };

static void a_len(struct rogue *r, int how)
{
	uint8_t tmp[28 + 100], *p;
	uint32_t off;
	int err;

	if (how == LEN_STRADDLE && !advance_to_end(r, 4096))
		xl_msg("could not move to the end of our data area");
	r->freeze_tx = true;
	off = r->tx.prod & (r->tx.size - 1);
	switch (how) {
	case LEN_ZERO:
		raw_hdr(r, 0, XL_REC_DATA, XL_L3_IPV4, 16);
		break;
	case LEN_ODD:
		/* Valid framing, a 21-byte "IPv4 packet": dropped, not broken. */
		r->freeze_tx = false;
		p = xl_fifo_reserve(&r->tx, 21, &err);
		if (p) {
			build_udp(r, tmp, 100);
			memcpy(p, tmp, 21);
			commit(r, 21, XL_CSUM_NONE, 0, 0, 0, 0, 0, XL_L3_IPV4);
			publish(r);
		}
		break;
	case LEN_OVER_MAX:
		raw_hdr(r, r->tx.max_payload + 1, XL_REC_DATA, XL_L3_IPV4, 16);
		break;
	case LEN_OVER_RING:
		raw_hdr(r, r->tx.size + 4096, XL_REC_DATA, XL_L3_IPV4, 16);
		break;
	case LEN_STRADDLE:
		/* Fits the maximum, ends 64 bytes past the end of the area. */
		raw_hdr(r, r->tx.size - off + 48, XL_REC_DATA, XL_L3_IPV4,
			r->tx.size - off);
		break;
	case LEN_TRUNC:
		raw_hdr(r, 1000, XL_REC_DATA, XL_L3_IPV4, 16);
		break;
	case LEN_PAD:
		raw_hdr(r, 16, XL_REC_PAD, 0, 32);
		break;
	case LEN_TYPE:
		raw_hdr(r, 100, 7, XL_L3_IPV4, XL_REC_SPACE(100));
		break;
	}
}

enum { LIE_USO_1, LIE_GSO_SIZE0, LIE_GSO_BIG, LIE_GSO_TYPE, LIE_GSO_PROTO,
	LIE_CSUM_OUT, LIE_CSUM_WRONG, LIE_IP_TOTLEN_LONG, LIE_IP_TOTLEN_SHORT,
	LIE_IP_IHL, LIE_IP_VERSION, LIE_GSO_TOTLEN, LIE_FLAGS, LIE_PROTO,
	LIE_VIF_NET, LIE_VIF_DST, LIE_VIF_SRC };

/*
 * Records that keep the framing but lie inside: the victim must drop
 * them (or let its stack drop them) and stay connected.  Each is sent
 * 16 times between good datagrams.
 */
static void a_lie(struct rogue *r, int how)
{
	uint32_t plen = how == LIE_USO_1 || how == LIE_GSO_TOTLEN ? 60000 : 1200;
	uint32_t iplen, len;
	uint8_t *p;
	int i, err;

	/*
	 * To the port after the sink's: what the victim's stack makes of a
	 * lie (1-byte datagrams out of a 60000-byte UDP_L4 packet, say) is
	 * not the sink's business, but a socket must be there to receive it.
	 */
	for (i = 0; i < 16; i++) {
		p = xl_fifo_reserve(&r->tx, 28 + plen, &err);
		if (!p) {
			publish(r);
			r->events += wait_events(5);
			rx_work(r);
			continue;
		}
		r->to_lie_port = true;
		iplen = build_udp(r, p, plen);
		r->to_lie_port = false;
		len = iplen;
		switch (how) {
		case LIE_USO_1:
			/* 60000 one-byte segments, checksum left to the victim. */
			commit(r, len, XL_CSUM_PARTIAL, XL_GSO_UDP_L4, 1, 20, 6, 0, XL_L3_IPV4);
			break;
		case LIE_GSO_SIZE0:
			commit(r, len, XL_CSUM_PARTIAL, XL_GSO_UDP_L4, 0, 20, 6, 0, XL_L3_IPV4);
			break;
		case LIE_GSO_BIG:
			commit(r, len, XL_CSUM_PARTIAL, XL_GSO_UDP_L4, len, 20, 6, 0, XL_L3_IPV4);
			break;
		case LIE_GSO_TYPE:	/* TCP segmentation of a UDP datagram */
			commit(r, len, XL_CSUM_PARTIAL, XL_GSO_TCPV4, 100, 20, 6, 0, XL_L3_IPV4);
			break;
		case LIE_GSO_PROTO:	/* TCPv6 GSO on an IPv4 packet */
			commit(r, len, XL_CSUM_PARTIAL, XL_GSO_TCPV6, 100, 20, 16, 0, XL_L3_IPV4);
			break;
		case LIE_CSUM_OUT:
			commit(r, len, XL_CSUM_PARTIAL, 0, 0, 0xfff0, 0xf0, 0, XL_L3_IPV4);
			break;
		case LIE_CSUM_WRONG:	/* in bounds, but not where UDP's is */
			commit(r, len, XL_CSUM_PARTIAL, 0, 0, 4, 100, 0, XL_L3_IPV4);
			break;
		case LIE_IP_TOTLEN_LONG:
			p[2] = 0xff;
			p[3] = 0xff;
			commit(r, len, XL_CSUM_UNNECESSARY, 0, 0, 0, 0, 0, XL_L3_IPV4);
			break;
		case LIE_IP_TOTLEN_SHORT:
			p[2] = 0;
			p[3] = 24;
			commit(r, len, XL_CSUM_UNNECESSARY, 0, 0, 0, 0, 0, XL_L3_IPV4);
			break;
		case LIE_IP_IHL:
			p[0] = 0x4f;	/* 60-byte header over a UDP header */
			commit(r, len, XL_CSUM_UNNECESSARY, 0, 0, 0, 0, 0, XL_L3_IPV4);
			break;
		case LIE_IP_VERSION:	/* says IPv6 inside an IPv4 record */
			p[0] = 0x65;
			commit(r, len, XL_CSUM_UNNECESSARY, 0, 0, 0, 0, 0, XL_L3_IPV4);
			break;
		case LIE_GSO_TOTLEN:	/* GSO whose IP header claims 100 bytes */
			p[2] = 0;
			p[3] = 100;
			commit(r, len, XL_CSUM_PARTIAL, XL_GSO_UDP_L4, 1400, 20, 6, 0, XL_L3_IPV4);
			break;
		case LIE_FLAGS:
			commit(r, len, XL_CSUM_NONE, 0, 0, 0, 0, 0x80, XL_L3_IPV4);
			break;
		case LIE_PROTO:
			commit(r, len, XL_CSUM_NONE, 0, 0, 0, 0, 0, ROGUE_L3_BAD);
			break;
		case LIE_VIF_NET:
			/*
			 * For the victim's vif 1 (the lab's xenbr1) from our
			 * vif 0 (xenbr0): a bridge would never carry it there.
			 */
			vif_lie(r, len, r->src_vif, r->src_vif + 1);
			break;
		case LIE_VIF_DST:	/* a vif the victim does not have */
			vif_lie(r, len, r->src_vif, 200);
			break;
		case LIE_VIF_SRC:	/* one of ours dom0 never published */
			vif_lie(r, len, 200, r->dst_vif);
			break;
		}
		publish(r);
		send_udp(r, 200);
		publish(r);
		tick(r, 1);
	}
}

enum { CONS_AHEAD, CONS_BACK, CONS_EVENTS };

static void a_cons(struct rogue *r, int how)
{
	uint32_t vprod = le32toh(READ_ONCE(peer_ctrl(r)->tx_prod));
	uint64_t t0 = now_ms();
	unsigned int pps;
	int i;

	/* Stop consuming: the victim must look at rx_cons to find room. */
	r->freeze_rx = true;
	switch (how) {
	case CONS_AHEAD:
		/*
		 * More than an area past its producer index: a few KiB past
		 * would turn plausible as soon as the victim has published
		 * that much more before it looks.
		 */
		WRITE_ONCE(own_ctrl(r)->rx_cons,
			   htole32(vprod + (PAGE << r->peer_order) + 4096));
		break;
	case CONS_BACK:
		/*
		 * Below any value the victim can have cached: it validated
		 * our rx_cons last at most one area behind what we published
		 * since.  16 bytes back would only be a plausible lie when it
		 * has not yet seen our latest value, which harms nobody but us.
		 */
		WRITE_ONCE(own_ctrl(r)->rx_cons,
			   htole32(r->rx.cons_pub - (PAGE << r->peer_order) - 16));
		break;
	case CONS_EVENTS:
		/* Garbage notification requests only: costs kicks, not safety. */
		r->freeze_rx = false;
		while (now_ms() - t0 < r->attack_s * 1000) {
			WRITE_ONCE(own_ctrl(r)->rx_prod_event, htole32((uint32_t)rnd()));
			WRITE_ONCE(own_ctrl(r)->tx_cons_event, htole32((uint32_t)rnd()));
			tick(r, 1);
		}
		return;
	}
	/*
	 * Make the victim produce more than its area holds, so that it must
	 * look at rx_cons.  Our own area may be full of datagrams a slow
	 * victim has not taken yet: no more of those, retry the pings.
	 */
	pps = r->pps;
	r->pps = 0;
	for (i = 0; i < 4 && now_ms() - t0 < 5000;) {
		if (send_ping(r, 60000)) {
			i++;
			publish(r);
		} else {
			r->events += wait_events(5);
		}
	}
	r->pps = pps;
	kick(r->port);
}

static void a_storm(struct rogue *r, int arg)
{
	uint64_t t0 = now_ms(), n = 0;

	(void)arg;
	while (now_ms() - t0 < r->attack_s * 1000) {
		kick(r->port);
		if (++n % 4096 == 0)
			tick(r, 0);
	}
	printf("storm: %" PRIu64 " notifications in %.1f s\n", n, r->attack_s);
}

static void a_garbage(struct rogue *r, int arg)
{
	uint64_t t0 = now_ms();
	size_t i, n = r->tx.size / 8;

	(void)arg;
	r->freeze_tx = true;
	r->freeze_rx = true;
	while (now_ms() - t0 < r->attack_s * 1000 && victim_here(r)) {
		for (i = 0; i < PAGE / 8; i++)
			((uint64_t *)r->ctrl.addr)[i] = rnd();
		for (i = 0; i < n; i++)
			((uint64_t *)r->data.addr)[i] = rnd();
		kick(r->port);
		sleep_ms(TICK_MS);
	}
}

/* Flip bytes of published headers and of tx_prod while still producing. */
static atomic_int flip_stop;

static void *flipper(void *arg)
{
	struct rogue *r = arg;
	uint32_t prod, off;
	uint64_t x = 0x2545f4914f6cdd1dull;

	while (!atomic_load(&flip_stop)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		prod = le32toh(READ_ONCE(own_ctrl(r)->tx_prod));
		if (x & 1) {
			/* A header byte somewhere behind the producer. */
			off = (prod - 16 - (uint32_t)((x >> 8) % 4096) * 16) & (r->tx.size - 1);
			r->data.addr[off + ((x >> 40) & 15)] ^= (uint8_t)(1u << ((x >> 48) & 7));
		} else if ((x & 0xff) < 8) {
			WRITE_ONCE(own_ctrl(r)->tx_prod, htole32(prod ^ (1u << ((x >> 8) % 32))));
		}
		if ((x & 0xfff) == 0)
			usleep(100);
	}
	return NULL;
}

static void a_flip(struct rogue *r, int arg)
{
	pthread_t th;

	(void)arg;
	atomic_store(&flip_stop, 0);
	if (pthread_create(&th, NULL, flipper, r))
		die("cannot start the flipping thread");
	behave(r, r->attack_s);
	atomic_store(&flip_stop, 1);
	pthread_join(th, NULL);
}

/* Replies the victim must queue for us while we stop consuming. */
static void provoke(struct rogue *r)
{
	r->freeze_rx = true;
	send_ping(r, 30000);
	send_ping(r, 30000);
	publish(r);
}

/* End our grants and unmap the victim's pages while it uses them. */
static void a_revoke(struct rogue *r, int arg)
{
	(void)arg;
	provoke(r);
	r->freeze_tx = true;
	unmap_refs(&r->pdata);
	unmap_refs(&r->pctrl);
	grant_end(&r->data);
	grant_end(&r->dir);
	grant_end(&r->ctrl);
	kick(r->port);
	printf("revoke: our grants ended and the victim's pages unmapped; "
	       "XenStore still says connected\n");
}

static void a_stall(struct rogue *r, int arg)
{
	(void)arg;
	provoke(r);
	r->freeze_tx = true;
}

static void a_vanish(struct rogue *r, int arg)
{
	(void)arg;
	printf("vanish: exiting without a word (rx_cons %u, tx_prod %u)\n",
	       r->rx.cons_pub, r->tx.prod_pub);
	fflush(stdout);
	_exit(0);
}

enum { CYCLE_ATTEMPT, CYCLE_ADVERT };

/*
 * Restart the handshake with a new attempt, or flip the advertisement,
 * over and over for the attack time.
 */
static void a_cycle(struct rogue *r, int how)
{
	uint64_t t0 = now_ms();
	unsigned int n = 0;

	if (how == CYCLE_ATTEMPT) {
		while (now_ms() - t0 < r->attack_s * 1000 && !atomic_load(&stop_requested)) {
			teardown(r);
			handshake(r);
			behave(r, 0.3);
			n++;
		}
	} else {
		teardown(r);
		while (now_ms() - t0 < r->attack_s * 1000 && !atomic_load(&stop_requested)) {
			withdraw();
			sleep_ms(150);
			advertise();
			sleep_ms(150);
			n++;
		}
		sleep_ms(1000);
		handshake(r);
	}
	printf("cycle: %u rounds in %.1f s\n", n, r->attack_s);
	/* The victim is with our last attempt: no result to wait for. */
	r->victim_left_at = 0;
}

/*
 * Say "closing" and never finish: the victim's pages stay mapped, our
 * producer never says TX_CLOSED, "closed" never comes.  A few seconds
 * later, start a new attempt without a word and linger again.  The
 * victim has to wait for us in its state machine; its control plane
 * must keep serving its other peers meanwhile.
 */
static void a_linger(struct rogue *r, int arg)
{
	uint64_t t0 = now_ms();
	unsigned int n = 0;

	(void)arg;
	while (now_ms() - t0 < r->attack_s * 1000 && !atomic_load(&stop_requested)) {
		if (!r->connected)
			handshake(r);
		behave(r, 0.3);
		set_state(r, XENLOOP_HS_CLOSING);
		printf("linger: round %u: closing, for %u ms\n", n + 1, LINGER_MS);
		fflush(stdout);
		sleep_ms(LINGER_MS);
		unmap_refs(&r->pdata);
		unmap_refs(&r->pctrl);
		free_own(r);
		r->connected = false;
		n++;
	}
	handshake(r);
	printf("linger: %u rounds in %.1f s\n", n, r->attack_s);
	r->victim_left_at = 0;
}

static void report(struct rogue *r, int arg);

static const struct attack attacks[] = {
	{ "behave", "baseline", DROPS, NULL, 0 },
	{ "report", "scan", DROPS, report, 0 },
	{ "prod", "ahead", BREAKS, a_prod, PROD_AHEAD },
	{ "prod", "back", BREAKS, a_prod, PROD_BACK },
	{ "prod", "unaligned", BREAKS, a_prod, PROD_UNALIGNED },
	{ "prod", "wrap", BREAKS, a_prod, PROD_WRAP },
	{ "len", "zero", BREAKS, a_len, LEN_ZERO },
	{ "len", "odd", DROPS, a_len, LEN_ODD },
	{ "len", "over-max", BREAKS, a_len, LEN_OVER_MAX },
	{ "len", "over-ring", BREAKS, a_len, LEN_OVER_RING },
	{ "len", "straddle", BREAKS, a_len, LEN_STRADDLE },
	{ "len", "truncated", BREAKS, a_len, LEN_TRUNC },
	{ "len", "bad-pad", BREAKS, a_len, LEN_PAD },
	{ "len", "bad-type", BREAKS, a_len, LEN_TYPE },
	{ "lie", "uso-size-1", DROPS, a_lie, LIE_USO_1 },
	{ "lie", "gso-size-0", DROPS, a_lie, LIE_GSO_SIZE0 },
	{ "lie", "gso-size-len", DROPS, a_lie, LIE_GSO_BIG },
	{ "lie", "gso-tcp-on-udp", DROPS, a_lie, LIE_GSO_TYPE },
	{ "lie", "gso-v6-on-v4", DROPS, a_lie, LIE_GSO_PROTO },
	{ "lie", "csum-outside", DROPS, a_lie, LIE_CSUM_OUT },
	{ "lie", "csum-misplaced", DROPS, a_lie, LIE_CSUM_WRONG },
	{ "lie", "ip-totlen-long", DROPS, a_lie, LIE_IP_TOTLEN_LONG },
	{ "lie", "ip-totlen-short", DROPS, a_lie, LIE_IP_TOTLEN_SHORT },
	{ "lie", "ip-ihl", DROPS, a_lie, LIE_IP_IHL },
	{ "lie", "ip-version", DROPS, a_lie, LIE_IP_VERSION },
	{ "lie", "gso-ip-totlen", DROPS, a_lie, LIE_GSO_TOTLEN },
	{ "lie", "rec-flags", DROPS, a_lie, LIE_FLAGS },
	{ "lie", "rec-proto", DROPS, a_lie, LIE_PROTO },
	{ "lie", "vif-other-network", DROPS, a_lie, LIE_VIF_NET },
	{ "lie", "vif-not-the-victims", DROPS, a_lie, LIE_VIF_DST },
	{ "lie", "vif-not-ours", DROPS, a_lie, LIE_VIF_SRC },
	{ "flip", "headers-and-prod", BREAKS, a_flip, 0 },
	{ "cons", "ahead", BREAKS, a_cons, CONS_AHEAD },
	{ "cons", "back", BREAKS, a_cons, CONS_BACK },
	{ "cons", "event-garbage", DROPS, a_cons, CONS_EVENTS },
	{ "storm", "notify", DROPS, a_storm, 0 },
	{ "garbage", "ctrl-and-data", BREAKS, a_garbage, 0 },
	{ "revoke", "grants-ended", BREAKS, a_revoke, 0 },
	{ "stall", "stop-consuming", BREAKS, a_stall, 0 },
	{ "vanish", "exit", BREAKS, a_vanish, 0 },
	{ "cycle", "attempt", DROPS, a_cycle, CYCLE_ATTEMPT },
	{ "cycle", "advert", DROPS, a_cycle, CYCLE_ADVERT },
	{ "linger", "closing-forever", DROPS, a_linger, 0 },
};

/* ---- report: what the victim shows us --------------------------------------- */

static size_t count_marker(const uint8_t *p, size_t n, const char *marker)
{
	size_t m = strlen(marker), hits = 0;
	const uint8_t *q = p, *end = p + n;

	while (m && q < end && (q = memmem(q, (size_t)(end - q), marker, m))) {
		hits++;
		q += m;
	}
	return hits;
}

/*
 * Whether byte @i of a control page belongs to a field its owner writes:
 * the header (magic .. queues) or, in a queue's index block, the
 * indexes, the event requests and queue 0's flags.  Every other byte
 * stays zero.
 */
static bool ctrl_field(uint32_t i)
{
	uint32_t o;

	if (i < offsetof(struct xl_ctrl_page, queues) + 4)
		return true;
	if (i < offsetof(struct xl_ctrl_page, q) ||
	    i >= offsetof(struct xl_ctrl_page, q) + sizeof(struct xl_ctrl_queue) * XL_CTRL_QUEUES)
		return false;
	o = (i - offsetof(struct xl_ctrl_page, q)) % sizeof(struct xl_ctrl_queue);
	return o < offsetof(struct xl_ctrl_queue, flags) + 4 ||
	       (o >= offsetof(struct xl_ctrl_queue, rx_cons) &&
		o < offsetof(struct xl_ctrl_queue, rx_prod_event) + 4);
}

/*
 * Look at the victim's control page and data area (and nothing of what
 * it did not grant us): MARKER must not appear (the victim sends it to
 * another peer only), and bytes outside the records it sent us must be
 * zero while its producer has not wrapped (it zeroes pages before
 * granting them).
 */
static void report(struct rogue *r, int arg)
{
	const uint8_t *ctrl = r->pctrl.addr, *d = r->pdata.addr;
	uint32_t size = PAGE << r->peer_order, prod, pos = 0, len, space, i;
	size_t hits, ctrl_nz = 0, pad_nz = 0, tail_nz = 0, recs = 0;
	const struct xl_rec_hdr *h;
	bool wrapped;

	(void)arg;
	behave(r, r->attack_s);
	r->freeze_rx = true;	/* the victim's area holds still for us */
	sleep_ms(300);
	prod = le32toh(READ_ONCE(peer_ctrl(r)->tx_prod));
	/* The index before the records it covers, as a consumer reads. */
	virt_rmb();
	wrapped = prod > size;
	hits = count_marker(ctrl, PAGE, r->marker) + count_marker(d, size, r->marker);
	for (i = 0; i < PAGE; i++)
		if (ctrl[i] && !ctrl_field(i))
			ctrl_nz++;
	if (!wrapped) {
		while (pos < prod) {
			h = (const struct xl_rec_hdr *)(d + pos);
			len = le32toh(h->len);
			if (h->type == XL_REC_PAD)
				break;
			space = XL_REC_SPACE(len);
			if (!len || pos + space > prod)
				break;
			for (i = pos + 16 + len; i < pos + space; i++)
				pad_nz += d[i] != 0;
			pos += space;
			recs++;
		}
		for (i = prod; i < size; i++)
			tail_nz += d[i] != 0;
	}
	printf("report marker=%s marker_hits=%zu ctrl_nonzero_reserved=%zu records=%zu "
	       "pad_nonzero=%zu beyond_prod_nonzero=%zu wrapped=%d victim_tx_prod=%u\n",
	       r->marker, hits, ctrl_nz, recs, pad_nz, tail_nz, wrapped, prod);
	r->freeze_rx = false;
}

/* ---- run ------------------------------------------------------------------------- */

static void stats(struct rogue *r)
{
	printf("stats rx_records=%" PRIu64 " rx_bytes=%" PRIu64 " injected=%" PRIu64
	       " inject_errors=%" PRIu64 " rx_drops=%" PRIu64 " tx_records=%" PRIu64
	       " tx_full=%" PRIu64 " events=%" PRIu64 " kicks=%" PRIu64 "\n",
	       r->rx_records, r->rx_bytes, r->rx_injected, r->rx_inject_err, r->rx_drops,
	       r->tx_records, r->tx_full, r->events, r->kicks);
	fflush(stdout);
}

static int cmd_run(struct rogue *r, const char *mode)
{
	const struct attack *a;
	size_t i, n = 0;
	uint64_t t0;
	long ms;

	for (i = 0; i < ARRAY_SIZE(attacks); i++)
		n += !strcmp(attacks[i].mode, mode);
	if (!n)
		die("unknown mode '%s'", mode);
	if (!self_domid())
		die("not in a guest?");
	r->self = self_domid();
	if (r->self == r->victim)
		die("the victim d%u is ourselves", r->victim);
	printf("plan mode=%s variants=%zu\n", mode, n);
	advertise();
	handshake(r);
	/* Time for the scenario to start its streams through the channel. */
	behave(r, r->first_s > r->pre_s ? r->first_s : r->pre_s);
	for (i = 0; i < ARRAY_SIZE(attacks); i++) {
		a = &attacks[i];
		if (strcmp(a->mode, mode) || atomic_load(&stop_requested))
			continue;
		if (!r->connected || !victim_here(r)) {
			if (r->connected)
				teardown(r);
			handshake(r);
			behave(r, r->pre_s);
		}
		printf("attack %s/%s\n", a->mode, a->variant);
		fflush(stdout);
		t0 = now_ms();
		if (a->fn)
			a->fn(r, a->arg);
		else
			behave(r, r->attack_s);
		behave(r, r->wait_s);
		ms = r->victim_left_at ? (long)(r->victim_left_at - t0) : -1;
		printf("result %s/%s expect=%s victim=%s ms=%ld victim_state=%s\n", a->mode,
		       a->variant, a->expect == BREAKS ? "breaks" : "drops",
		       ms < 0 ? "stayed" : "left", ms, r->victim_state);
		stats(r);
	}
	if (r->connected) {
		r->freeze_rx = false;
		r->freeze_tx = false;
		teardown(r);
	}
	printf("done\n");
	fflush(stdout);
	return 0;
}

/* ---- sink and marker (run in the victim and the other guests) ----------------- */

static int udp_socket(unsigned int port, bool bind_it)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), big = 4 << 20;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind_it && bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("cannot bind UDP port %u: %s", port, strerror(errno));
	return fd;
}

static int cmd_sink(unsigned int port, const char *progress)
{
	static uint8_t buf[65536];
	uint64_t good = 0, bad = 0, bytes = 0;
	double last = 0;
	struct pollfd pfd;
	uint32_t seq, i;
	ssize_t n;
	FILE *f;
	bool ok;

	pfd.fd = udp_socket(port, true);
	pfd.events = POLLIN;
	printf("sink listening on UDP port %u\n", port);
	fflush(stdout);
	while (!atomic_load(&stop_requested)) {
		if (poll(&pfd, 1, 200) > 0) {
			while ((n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
				seq = le32toh(*(uint32_t *)(buf + 4));
				ok = n >= SINK_HDR && le32toh(*(uint32_t *)buf) == SINK_MAGIC &&
				     le32toh(*(uint32_t *)(buf + 8)) == (uint32_t)n;
				for (i = SINK_HDR; ok && i < (uint32_t)n; i++)
					ok = buf[i] == pattern(seq, i);
				good += ok;
				bad += !ok;
				bytes += (uint64_t)n;
			}
		}
		if (progress && xl_now_s() - last >= 1.0) {
			last = xl_now_s();
			f = fopen(progress, "w");
			if (f) {
				fprintf(f, "good=%" PRIu64 " bad=%" PRIu64 " bytes=%" PRIu64 "\n",
					good, bad, bytes);
				fclose(f);
			}
		}
	}
	printf("sink good=%" PRIu64 " bad=%" PRIu64 " bytes=%" PRIu64 "\n", good, bad, bytes);
	return 0;
}

static int cmd_marker(const char *host, unsigned int port, const char *marker,
		      unsigned int count)
{
	static const unsigned int sizes[] = { 64, 512, 1400, 4000, 16000, 60000 };
	static uint8_t buf[60000];
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	size_t m = strlen(marker), i;
	unsigned int k, sent = 0;
	int fd;

	if (!m || inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		die("marker wants a marker string and a numeric IPv4 address");
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)marker[i % m];
	fd = udp_socket(0, false);
	for (k = 0; k < count; k++)
		sent += sendto(fd, buf, sizes[k % 6], 0, (struct sockaddr *)&sin,
			       sizeof(sin)) >= 0;
	printf("marker sent=%u of %u\n", sent, count);
	return sent ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xlrogue advertise | withdraw\n"
		"       xlrogue run -v DOMID -m MODE [-S SRC -D DST] [-V SRCVIF,DSTVIF] [-u PORT]\n"
		"                   [-r PPS] [-o ORDER]\n"
		"                   [-F FEATURES] [-T FIRST_S] [-t PRE_S] [-a ATTACK_S] [-w WAIT_S]\n"
		"                   [-M MARKER] [-x SEED]\n"
		"       xlrogue sink -u PORT [PROGRESSFILE]\n"
		"       xlrogue marker -u PORT -M MARKER [-n COUNT] HOST\n"
		"modes:");
	for (size_t i = 0; i < ARRAY_SIZE(attacks); i++)
		if (!i || strcmp(attacks[i].mode, attacks[i - 1].mode))
			fprintf(stderr, " %s", attacks[i].mode);
	fputc('\n', stderr);
	exit(2);
}

static unsigned long num(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		die("bad %s '%s'", what, s);
	return v;
}

/* -V SRCVIF,DSTVIF: the vif pair our records name (default 0,0). */
static void vif_pair(struct rogue *r, const char *arg)
{
	char *end;
	unsigned long a = strtoul(arg, &end, 10), b;

	if (end == arg || *end != ',' || a > 255)
		die("bad vif pair '%s'", arg);
	arg = end + 1;
	b = strtoul(arg, &end, 10);
	if (end == arg || *end || b > 255)
		die("bad vif pair '%s'", arg);
	r->src_vif = (uint8_t)a;
	r->dst_vif = (uint8_t)b;
}

static double secs(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0 || v > 3600)
		die("bad %s '%s'", what, s);
	return v;
}

int main(int argc, char **argv)
{
	struct rogue r = {
		.order = 6, .features = XL_FEAT_KNOWN, .udp_port = 7400, .pps = 200,
		.pre_s = 2, .attack_s = 3, .wait_s = 5, .marker = "XLROGUE-MARKER",
		.victim = 0,
	};
	const char *cmd, *mode = NULL, *progress = NULL;
	unsigned int count = 60;
	struct sigaction sa;
	int c;

	if (argc < 2)
		usage();
	cmd = argv[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	optind = 2;
	while ((c = getopt(argc, argv, "v:m:S:D:V:u:r:o:F:t:T:a:w:M:x:n:")) != -1) {
		switch (c) {
		case 'v':
			r.victim = (unsigned int)num(optarg, 32751, "domid");
			break;
		case 'm':
			mode = optarg;
			break;
		case 'S':
			if (inet_pton(AF_INET, optarg, &r.src) != 1)
				die("bad source address '%s'", optarg);
			break;
		case 'D':
			if (inet_pton(AF_INET, optarg, &r.dst) != 1)
				die("bad destination address '%s'", optarg);
			break;
		case 'V':
			vif_pair(&r, optarg);
			break;
		case 'u':
			r.udp_port = (unsigned int)num(optarg, 65535, "port");
			break;
		case 'r':
			r.pps = (unsigned int)num(optarg, 100000, "rate");
			break;
		case 'o':
			/* gntalloc grants at most 1024 pages by default. */
			r.order = (unsigned int)num(optarg, 8, "ring order");
			break;
		case 'F':
			r.features = (uint32_t)num(optarg, UINT32_MAX, "features");
			break;
		case 't':
			r.pre_s = secs(optarg, "time before an attack");
			break;
		case 'T':
			r.first_s = secs(optarg, "time before the first attack");
			break;
		case 'a':
			r.attack_s = secs(optarg, "attack time");
			break;
		case 'w':
			r.wait_s = secs(optarg, "wait time");
			break;
		case 'M':
			r.marker = optarg;
			break;
		case 'x':
			rnd_state = num(optarg, ULONG_MAX, "seed") | 1;
			break;
		case 'n':
			count = (unsigned int)num(optarg, 1000000, "count");
			break;
		default:
			usage();
		}
	}
	if (!strcmp(cmd, "sink")) {
		progress = optind < argc ? argv[optind] : NULL;
		return cmd_sink(r.udp_port, progress);
	}
	if (!strcmp(cmd, "marker")) {
		if (optind != argc - 1)
			usage();
		return cmd_marker(argv[optind], r.udp_port, r.marker, count);
	}
	xs = xs_open(0);
	if (!xs)
		die("cannot open XenStore (/dev/xen/xenbus): %s", strerror(errno));
	if (!strcmp(cmd, "advertise")) {
		advertise();
		return 0;
	}
	if (!strcmp(cmd, "withdraw")) {
		withdraw();
		return 0;
	}
	if (strcmp(cmd, "run") || !mode || !r.victim || !r.src.s_addr || !r.dst.s_addr)
		usage();
	gntalloc_fd = open_dev("/dev/xen/gntalloc", O_RDWR);
	gntdev_fd = open_dev("/dev/xen/gntdev", O_RDWR);
	evtchn_fd = open_dev("/dev/xen/evtchn", O_RDWR | O_NONBLOCK);
	r.pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	c = 1;
	if (r.pkt_fd < 0 ||
	    setsockopt(r.pkt_fd, SOL_PACKET, PACKET_VNET_HDR, &c, sizeof(c)))
		die("cannot open a packet socket with virtio-net headers: %s", strerror(errno));
	r.lo_ifindex = (int)if_nametoindex("lo");
	if (!r.lo_ifindex)
		die("no lo interface");
	r.attempt = (uint32_t)(time(NULL) * 1000u + (uint32_t)getpid());
	return cmd_run(&r, mode);
}
