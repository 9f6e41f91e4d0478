// SPDX-License-Identifier: GPL-2.0
/*
 * Stress tests for the xenloop FIFO (module/fifo.c): a producer and a
 * consumer on two CPUs move at least 10 million records of random sizes
 * (mostly small, some up to 64 KiB), and the consumer checks every one by
 * length, sequence number and checksum.
 *
 * They run the real notification protocol, spin-then-sleep: a side that
 * cannot make progress polls a while, then arms its event
 * (xl_fifo_rx_publish() / xl_fifo_tx_wait_space()) and sleeps on an
 * "event channel" until the other side kicks it, which it does only when
 * xl_fifo_tx_publish() or xl_fifo_rx_publish() says the peer asked.  The
 * event channel is a pending bit plus a futex in shared memory, latched
 * like Xen's, so the only way to lose a wake-up is a bug in the FIFO's
 * event logic: a sleep that no kick ends within EVT_TIMEOUT_S fails the
 * test, and a watchdog fails a run that takes longer than RUN_TIMEOUT_S.
 * Both sides pause now and then so that the other really sleeps.
 *
 * Shared memory is a memfd with the two control pages, a page for the
 * event channels and results, and the data area, each mapped between
 * guard pages, writable for its owner and read-only for the peer
 * (shm.h).  The tests: two threads; two fork()ed processes; and two
 * processes with both indexes starting at 0xffff0000, so that they cross
 * 2^32 early and run on across it.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "fifo.h"
#include "shm.h"

#define SZ_4K		4096u
#define NREC		10000000u	/* records per stress run */
#define SPIN		128		/* polls before sleeping */
#define PUB_EVERY	64		/* consumer publishes at least this often */
#define PAUSE_EVERY	500000u		/* records between pauses of a side */
#define PAUSE_US	300
#define EVT_TIMEOUT_S	20		/* a sleep this long is a lost wake-up */
#define RUN_TIMEOUT_S	300		/* watchdog for a whole run */

/* ---- the event channel stand-in ------------------------------------- */

struct evtchn {
	uint32_t pending;	/* 1: kicked, not yet seen */
	uint32_t pad[15];
};

/* What one side did; written by that side only. */
struct side_stats {
	uint64_t records;
	uint64_t bytes;
	uint64_t sleeps;	/* waits on the event channel */
	uint64_t kicks;		/* notifications sent */
	int failed;
	char why[200];
};

/* The third shared page: event channels, abort flag and results. */
struct sync_page {
	struct evtchn data;	/* producer -> consumer: records published */
	struct evtchn space;	/* consumer -> producer: room freed */
	uint32_t abort;		/* someone failed: everybody stop */
	uint32_t pad[15];
	struct side_stats prod;
	struct side_stats cons;
};

static long futex(uint32_t *addr, int op, uint32_t val,
		  const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

/* Xen's notify: set pending, wake a sleeper if it was clear. */
static void evt_kick(struct evtchn *e)
{
	if (!__atomic_exchange_n(&e->pending, 1, __ATOMIC_SEQ_CST))
		futex(&e->pending, FUTEX_WAKE, 1, NULL);
}

/*
 * Sleep until kicked (or already kicked since the last wait).  Wakes up
 * every second only to look at the abort flag, never to re-poll the FIFO,
 * so a lost kick shows as a timeout.  Returns 0, or -1: timeout or abort.
 */
static int evt_wait(struct evtchn *e, const uint32_t *abort_flag)
{
	const struct timespec sec = { .tv_sec = 1 };
	int waited = 0;

	while (!__atomic_exchange_n(&e->pending, 0, __ATOMIC_SEQ_CST)) {
		if (__atomic_load_n(abort_flag, __ATOMIC_RELAXED))
			return -1;
		if (futex(&e->pending, FUTEX_WAIT, 0, &sec) && errno == ETIMEDOUT &&
		    ++waited >= EVT_TIMEOUT_S)
			return -1;
	}
	return 0;
}

/* A polite spin: PAUSE where the compiler offers it. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_ia32_pause)
#define XL_HAVE_PAUSE 1
#endif
#endif

static inline void cpu_relax(void)
{
#ifdef XL_HAVE_PAUSE
	__builtin_ia32_pause();
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

/* ---- records ---------------------------------------------------------- */

/* splitmix64's finaliser. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * Length of record @seq, known to both sides: 90% 1..256 bytes, 9.5%
 * 257..2048, 0.5% 2049..@max (up to 64 KiB).
 */
static uint32_t rec_len(uint64_t seed, uint64_t seq, uint32_t max)
{
	uint64_t h = mix64(seed ^ seq);
	uint32_t r = (uint32_t)h, c = (uint32_t)(h >> 32) % 1000;

	if (c < 900)
		return 1 + r % 256;
	if (c < 995)
		return 257 + r % 1792;
	return 2049 + r % (max - 2048);
}

#define SUM_SEED	0x9e3779b97f4a7c15ull
#define SUM_MUL		0x100000001b3ull

static uint64_t sum_step(uint64_t h, uint64_t w)
{
	return (h ^ w) * SUM_MUL;
}

static uint32_t sum_fold(uint64_t h)
{
	h = mix64(h);
	return (uint32_t)(h ^ (h >> 32));
}

/*
 * A payload: bytes 0..3 the sequence number, 4..7 a checksum of the
 * length, the sequence number and bytes 8.. (all little-endian, cut short
 * in records under 8 bytes), then filler derived from @seq.  The sum runs
 * over 8-byte words, the last one zero-padded, and is computed while
 * writing.
 */
static void fill(uint8_t *p, uint32_t len, uint32_t seq, uint64_t seed)
{
	uint64_t x = mix64(seed + seq), h, w;
	uint8_t head[8];
	uint32_t i, sum;

	h = sum_step(SUM_SEED ^ len, seq);
	for (i = 8; i + 8 <= len; i += 8) {
		w = x + i * 0xd1b54a32d192ed03ull;
		memcpy(p + i, &w, 8);
		h = sum_step(h, w);
	}
	if (i < len) {
		w = x + i * 0xd1b54a32d192ed03ull;
		memcpy(p + i, &w, len - i);
		w = 0;
		memcpy(&w, p + i, len - i);
		h = sum_step(h, w);
	}
	sum = sum_fold(h);
	head[0] = (uint8_t)seq;
	head[1] = (uint8_t)(seq >> 8);
	head[2] = (uint8_t)(seq >> 16);
	head[3] = (uint8_t)(seq >> 24);
	head[4] = (uint8_t)sum;
	head[5] = (uint8_t)(sum >> 8);
	head[6] = (uint8_t)(sum >> 16);
	head[7] = (uint8_t)(sum >> 24);
	memcpy(p, head, len < 8 ? len : 8);
}

/*
 * The consumer's check of record @seq, on the bytes as they are in the
 * area; 0 or a reason in @why.
 */
static int verify(const struct xl_fifo_rec *r, uint32_t seq, uint64_t seed,
		  uint32_t max, char *why, size_t whylen)
{
	uint32_t len = rec_len(seed, seq, max), i, got_seq, got_sum, sum;
	uint8_t head[8] = { 0 };
	uint64_t h, w;

	if (r->len != len || r->l3 != XL_L3_IPV4 || r->csum != XL_CSUM_NONE ||
	    r->gso_type != XL_GSO_NONE) {
		snprintf(why, whylen,
			 "record %u: len %u l3 %u csum %u gso %u, want len %u",
			 seq, r->len, r->l3, r->csum, r->gso_type, len);
		return -1;
	}
	memcpy(head, r->payload, len < 8 ? len : 8);
	got_seq = head[0] | head[1] << 8 | head[2] << 16 |
		  (uint32_t)head[3] << 24;
	got_sum = head[4] | head[5] << 8 | head[6] << 16 |
		  (uint32_t)head[7] << 24;
	h = sum_step(SUM_SEED ^ len, got_seq);
	for (i = 8; i + 8 <= len; i += 8) {
		memcpy(&w, r->payload + i, 8);
		h = sum_step(h, w);
	}
	if (i < len) {
		w = 0;
		memcpy(&w, r->payload + i, len - i);
		h = sum_step(h, w);
	}
	sum = sum_fold(h);
	/* Compare what fits: the fields are cut short below 8 bytes. */
	if (len < 8) {
		uint32_t m = len < 4 ? ~0u >> (8 * (4 - len)) : ~0u;

		seq &= m;
		m = len <= 4 ? 0 : ~0u >> (8 * (8 - len));
		sum &= m;
	}
	if (got_seq != seq || got_sum != sum) {
		snprintf(why, whylen,
			 "record %u (len %u): sequence %u, checksum %#x, want %#x",
			 seq, len, got_seq, got_sum, sum);
		return -1;
	}
	return 0;
}

/* ---- one run ------------------------------------------------------- */

struct stress {
	uint32_t size;
	uint32_t index;			/* where both sides start */
	uint32_t nrec;
	uint32_t maxlen;		/* largest record */
	uint64_t seed;
	int fd;
	struct xl_ctrl_page *a;		/* producer's page */
	const struct xl_ctrl_page *a_ro;
	struct xl_ctrl_page *b;		/* consumer's page */
	const struct xl_ctrl_page *b_ro;
	uint8_t *data;			/* producer's view of the area */
	const uint8_t *data_ro;		/* consumer's view */
	struct sync_page *sync;
	struct xl_fifo_tx tx;		/* used by the producer only */
	struct xl_fifo_rx rx;		/* used by the consumer only */
	uint32_t tx_end;		/* final indexes, threads only */
	uint32_t rx_end;
};

static void __attribute__((format(printf, 3, 4)))
side_fail(struct stress *s, struct side_stats *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
	st->failed = 1;
	__atomic_store_n(&s->sync->abort, 1, __ATOMIC_SEQ_CST);
	evt_kick(&s->sync->data);
	evt_kick(&s->sync->space);
}

static bool aborted(const struct stress *s)
{
	return __atomic_load_n(&s->sync->abort, __ATOMIC_RELAXED);
}

/* Room for @len bytes: spin, then sleep until the consumer frees some. */
static uint8_t *produce_room(struct stress *s, uint32_t len)
{
	struct side_stats *st = &s->sync->prod;
	struct xl_fifo_tx *tx = &s->tx;
	unsigned int spins = 0;

	for (;;) {
		int err = 0;
		uint8_t *p = xl_fifo_reserve(tx, len, &err);

		if (p)
			return p;
		if (err != -ENOSPC) {
			side_fail(s, st, "reserve(%u): error %d (%s)", len, err,
				  xl_fifo_err_str(tx->err));
			return NULL;
		}
		/* The consumer can only free what it has seen. */
		if (xl_fifo_tx_publish(tx)) {
			evt_kick(&s->sync->data);
			st->kicks++;
		}
		if (++spins < SPIN) {
			cpu_relax();
			continue;
		}
		spins = 0;
		if (xl_fifo_tx_wait_space(tx, len))
			continue;
		st->sleeps++;
		if (evt_wait(&s->sync->space, &s->sync->abort)) {
			if (!aborted(s))
				side_fail(s, st,
					  "producer not woken in %d s: %u bytes wanted, prod %#x cons %#x",
					  EVT_TIMEOUT_S, len, tx->prod, tx->cons);
			return NULL;
		}
	}
}

static void *producer_main(void *arg)
{
	struct stress *s = arg;
	struct side_stats *st = &s->sync->prod;
	uint64_t rng = mix64(s->seed ^ 1);
	uint32_t seq = 0, next_pause = PAUSE_EVERY;

	while (seq < s->nrec && !aborted(s)) {
		uint32_t batch = 1 + xl_rng(&rng) % 32;

		for (; batch && seq < s->nrec; batch--, seq++) {
			uint32_t len = rec_len(s->seed, seq, s->maxlen);
			struct xl_fifo_rec m = { .len = len, .l3 = XL_L3_IPV4 };
			uint8_t *p = produce_room(s, len);

			if (!p)
				return NULL;
			fill(p, len, seq, s->seed);
			xl_fifo_commit(&s->tx, &m);
			st->bytes += len;
		}
		if (xl_fifo_tx_publish(&s->tx)) {
			evt_kick(&s->sync->data);
			st->kicks++;
		}
		st->records = seq;
		/* Now and then, let the consumer run dry and sleep. */
		if (seq >= next_pause) {
			next_pause += PAUSE_EVERY;
			usleep(PAUSE_US);
		}
	}
	s->tx_end = s->tx.prod;
	return NULL;
}

/* Publish what was consumed; kick if asked; true if more is there. */
static bool consumer_publish(struct stress *s)
{
	bool notify, more = xl_fifo_rx_publish(&s->rx, &notify);

	if (notify) {
		evt_kick(&s->sync->space);
		s->sync->cons.kicks++;
	}
	return more;
}

static void *consumer_main(void *arg)
{
	struct stress *s = arg;
	struct side_stats *st = &s->sync->cons;
	struct xl_fifo_rx *rx = &s->rx;
	uint32_t got = 0, since_pub = 0, next_pause = PAUSE_EVERY / 2;
	unsigned int spins = 0;

	while (got < s->nrec) {
		struct xl_fifo_rec r;
		enum xl_fifo_status status = xl_fifo_read(rx, &r);

		if (status == XL_FIFO_OK) {
			char why[sizeof(st->why)];

			if (verify(&r, got, s->seed, s->maxlen, why,
				   sizeof(why))) {
				side_fail(s, st, "%s", why);
				return NULL;
			}
			st->bytes += r.len;
			xl_fifo_consume(rx, &r);
			got++;
			spins = 0;
			if (++since_pub == PUB_EVERY) {
				since_pub = 0;
				consumer_publish(s);
				st->records = got;
			}
			/* Now and then, let the producer fill up and sleep. */
			if (got == next_pause) {
				next_pause += PAUSE_EVERY;
				consumer_publish(s);
				usleep(4 * PAUSE_US);
			}
			continue;
		}
		if (status != XL_FIFO_EMPTY) {
			side_fail(s, st, "read: status %d (%s) at record %u",
				  status, xl_fifo_err_str(rx->err), got);
			return NULL;
		}
		since_pub = 0;
		st->records = got;
		if (aborted(s))
			return NULL;
		/* Publish, re-arm, look again (RING_FINAL_CHECK). */
		if (consumer_publish(s))
			continue;
		if (++spins < SPIN) {
			cpu_relax();
			continue;
		}
		spins = 0;
		st->sleeps++;
		if (evt_wait(&s->sync->data, &s->sync->abort)) {
			if (!aborted(s))
				side_fail(s, st,
					  "consumer not woken in %d s at record %u, cons %#x prod %#x",
					  EVT_TIMEOUT_S, got, rx->cons, rx->prod);
			return NULL;
		}
	}
	/* Hand the last space back. */
	consumer_publish(s);
	st->records = got;
	s->rx_end = rx->cons;
	return NULL;
}

static void stress_close(struct stress *s)
{
	shm_unmap(s->a, SZ_4K);
	shm_unmap(s->a_ro, SZ_4K);
	shm_unmap(s->b, SZ_4K);
	shm_unmap(s->b_ro, SZ_4K);
	shm_unmap(s->sync, SZ_4K);
	shm_unmap(s->data, s->size);
	shm_unmap(s->data_ro, s->size);
	if (s->fd >= 0)
		close(s->fd);
}

/*
 * One memfd: producer page, consumer page, sync page, data area, each
 * mapped between guard pages; the peer's views read-only.
 */
static bool stress_open(struct stress *s, uint32_t size, uint32_t index,
			uint32_t nrec)
{
	uint32_t order = __builtin_ctz(size / SZ_4K);

	memset(s, 0, sizeof(*s));
	s->size = size;
	s->index = index;
	s->nrec = nrec;
	s->seed = 0x6a09e667f3bcc908ull ^ size ^ index;
	s->fd = shm_create("xl-stress", 3 * SZ_4K + (size_t)size);
	if (s->fd < 0)
		goto fail;
	s->a = shm_map(s->fd, 0, SZ_4K, PROT_READ | PROT_WRITE);
	s->a_ro = shm_map(s->fd, 0, SZ_4K, PROT_READ);
	s->b = shm_map(s->fd, SZ_4K, SZ_4K, PROT_READ | PROT_WRITE);
	s->b_ro = shm_map(s->fd, SZ_4K, SZ_4K, PROT_READ);
	s->sync = shm_map(s->fd, 2 * SZ_4K, SZ_4K, PROT_READ | PROT_WRITE);
	s->data = shm_map(s->fd, 3 * SZ_4K, size, PROT_READ | PROT_WRITE);
	s->data_ro = shm_map(s->fd, 3 * SZ_4K, size, PROT_READ);
	if (!s->a || !s->a_ro || !s->b || !s->b_ro || !s->sync || !s->data ||
	    !s->data_ro)
		goto fail;
	xl_fifo_ctrl_init(s->a, order, 0);
	xl_fifo_ctrl_init(s->b, order, 0);
	if (xl_fifo_tx_init(&s->tx, s->data, size, s->a, s->b_ro, 0) ||
	    xl_fifo_rx_init(&s->rx, s->data_ro, size, s->b, s->a_ro, 0) ||
	    xl_fifo_tx_reset(&s->tx, index) || xl_fifo_rx_reset(&s->rx, index))
		goto fail;
	s->maxlen = s->tx.max_payload;
	return true;
fail:
	tap_diag("stress_open(%u, %#x) failed", size, index);
	stress_close(s);
	return false;
}

/* The indexes as published in the shared pages. */
static uint32_t get_tx_prod(const struct stress *s)
{
	return le32toh(__atomic_load_n(&s->a_ro->tx_prod, __ATOMIC_RELAXED));
}

static uint32_t get_rx_cons(const struct stress *s)
{
	return le32toh(__atomic_load_n(&s->b_ro->rx_cons, __ATOMIC_RELAXED));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Join @t by @deadline, else abort the run and give it a few seconds. */
static bool join_by(struct stress *s, pthread_t t,
		    const struct timespec *deadline)
{
	struct timespec grace;

	if (!pthread_timedjoin_np(t, NULL, deadline))
		return true;
	tap_diag("watchdog: run not done after %d s, aborting", RUN_TIMEOUT_S);
	__atomic_store_n(&s->sync->abort, 1, __ATOMIC_SEQ_CST);
	evt_kick(&s->sync->data);
	evt_kick(&s->sync->space);
	clock_gettime(CLOCK_REALTIME, &grace);
	grace.tv_sec += 5;
	if (pthread_timedjoin_np(t, NULL, &grace)) {
		tap_diag("watchdog: a thread does not stop; giving up");
		exit(TAP_EXIT_FAIL);
	}
	return false;
}

static bool run_threads(struct stress *s)
{
	struct timespec deadline;
	pthread_t prod, cons;
	bool ok;

	if (pthread_create(&cons, NULL, consumer_main, s))
		return false;
	if (pthread_create(&prod, NULL, producer_main, s)) {
		side_fail(s, &s->sync->prod, "pthread_create failed");
		pthread_join(cons, NULL);
		return false;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += RUN_TIMEOUT_S;
	ok = join_by(s, cons, &deadline);
	ok = join_by(s, prod, &deadline) && ok;
	return ok;
}

static pid_t spawn(struct stress *s, void *(*fn)(void *), struct side_stats *st)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid)
		return pid;
	fn(s);
	_exit(st->failed ? TAP_EXIT_FAIL : 0);
}

static bool run_procs(struct stress *s)
{
	pid_t pids[2];
	int status[2] = { 0, 0 }, i, left = 2;
	double deadline = now() + RUN_TIMEOUT_S, grace = 0;
	bool ok = true;

	pids[0] = spawn(s, consumer_main, &s->sync->cons);
	if (pids[0] < 0)
		return false;
	pids[1] = spawn(s, producer_main, &s->sync->prod);
	if (pids[1] < 0) {
		side_fail(s, &s->sync->prod, "fork failed");
		waitpid(pids[0], NULL, 0);
		return false;
	}
	while (left) {
		const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };

		for (i = 0; i < 2; i++) {
			if (pids[i] > 0 &&
			    waitpid(pids[i], &status[i], WNOHANG) == pids[i]) {
				pids[i] = 0;
				left--;
			}
		}
		if (!left)
			break;
		if (!grace && now() > deadline) {
			tap_diag("watchdog: run not done after %d s, aborting",
				 RUN_TIMEOUT_S);
			__atomic_store_n(&s->sync->abort, 1, __ATOMIC_SEQ_CST);
			evt_kick(&s->sync->data);
			evt_kick(&s->sync->space);
			grace = now() + 5;
			ok = false;
		} else if (grace && now() > grace) {
			/* Only our own two children, by pid. */
			for (i = 0; i < 2; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
		}
		nanosleep(&tick, NULL);
	}
	for (i = 0; i < 2; i++) {
		if (!WIFEXITED(status[i]) || WEXITSTATUS(status[i])) {
			tap_diag("%s: %s %d", i ? "producer" : "consumer",
				 WIFEXITED(status[i]) ? "exit" : "signal",
				 WIFEXITED(status[i]) ? WEXITSTATUS(status[i]) :
							WTERMSIG(status[i]));
			ok = false;
		}
	}
	return ok;
}

/*
 * @nrec records through an area of @size starting at @index, with two
 * threads or two processes; every record verified, both sides must have
 * slept and been woken.
 */
static bool stress(bool procs, uint32_t size, uint32_t index, uint32_t nrec)
{
	const struct sync_page *sp;
	struct stress s;
	double t;
	bool ok = true;

	if (!stress_open(&s, size, index, nrec))
		return false;
	sp = s.sync;
	t = now();
	TAP_CHECK(procs ? run_procs(&s) : run_threads(&s));
	t = now() - t;
	if (sp->prod.failed)
		tap_diag("producer: %s", sp->prod.why);
	if (sp->cons.failed)
		tap_diag("consumer: %s", sp->cons.why);
	TAP_CHECK(!sp->prod.failed && !sp->cons.failed);
	TAP_CHECK(sp->prod.records == nrec && sp->cons.records == nrec);
	TAP_CHECK(sp->prod.bytes == sp->cons.bytes);
	/* Both indexes, as published in the pages, agree at the end. */
	TAP_CHECK(get_tx_prod(&s) == get_rx_cons(&s));
	if (!procs) {
		TAP_CHECK(s.tx_end == s.rx_end && s.tx_end == get_tx_prod(&s));
		TAP_CHECK(!s.tx.broken && !s.rx.broken);
		TAP_CHECK(xl_fifo_tx_inflight(&s.tx) == 0);
	}
	/* From just below 2^32, the indexes went through it. */
	if (index >= 0xf0000000u)
		TAP_CHECK(get_rx_cons(&s) < index);
	/* The notification protocol really ran, both ways. */
	TAP_CHECK(sp->prod.sleeps && sp->cons.sleeps);
	TAP_CHECK(sp->prod.kicks && sp->cons.kicks);
	tap_diag("%s, %u KiB area from %#x: %u records, %.2f GB in %.2f s: %.2f Mrec/s, %.2f GB/s",
		 procs ? "processes" : "threads", size >> 10, index,
		 (unsigned int)sp->cons.records, sp->cons.bytes / 1e9, t,
		 sp->cons.records / t / 1e6, sp->cons.bytes / t / 1e9);
	tap_diag("  sleeps: producer %llu, consumer %llu; kicks: data %llu, space %llu",
		 (unsigned long long)sp->prod.sleeps,
		 (unsigned long long)sp->cons.sleeps,
		 (unsigned long long)sp->prod.kicks,
		 (unsigned long long)sp->cons.kicks);
	tap_diag("  indexes end at %#x", get_rx_cons(&s));
	stress_close(&s);
	return ok;
}

static bool test_threads(void)
{
	return stress(false, 1u << 20, 0, NREC);
}

static bool test_procs(void)
{
	return stress(true, 256u << 10, 0, NREC);
}

static bool test_procs_wrap(void)
{
	return stress(true, 256u << 10, 0xffff0000u, NREC);
}

static const struct tap_test tests[] = {
	{ test_threads, "stress: two threads, 10M records, 1 MiB area" },
	{ test_procs,
	  "stress: two processes (memfd), 10M records, 256 KiB area, futex kicks" },
	{ test_procs_wrap,
	  "stress: two processes, 10M records, indexes from 0xffff0000 across 2^32" },
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
