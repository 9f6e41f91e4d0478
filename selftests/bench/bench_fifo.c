// SPDX-License-Identifier: GPL-2.0
/*
 * Throughput benchmark of the xenloop FIFO (module/fifo.c) built in
 * userspace: a producer and a consumer on two cores move records of one
 * size as fast as they can, first as two threads of one process, then as
 * two processes sharing memfd memory mapped at different addresses (as
 * two guests map each other's grants).  The same run measures single-core
 * memcpy() for each size as the yardstick.
 *
 *	bench_fifo [-o DIR] [-t S] [-r N] [-b N] [-R] [-P] [-1 SIZE]
 *
 *	-o DIR	write DIR/fifo.csv and DIR/fifo-ringsize.csv (build/bench)
 *	-t S	seconds per measurement (0.3)
 *	-r N	repetitions per point, the median is reported (5)
 *	-b N	records per publish on both sides (default: see batch_for())
 *	-R	skip the ring-size sweep
 *	-P	run the measurements as SCHED_FIFO (priority 1): on a machine
 *		shared with other work this keeps the two spinning sides on
 *		their CPUs; needs root, and the kernel's RT throttling still
 *		leaves others 5% of each CPU
 *	-1 SIZE	profiling mode: producer and consumer alternate in one
 *		thread for a fixed number of records, nothing is written;
 *		run it under `valgrind --tool=callgrind` for per-function
 *		instruction counts
 *
 * The loops are what a driver would do: the producer copies each payload
 * into its reservation, commits, and publishes once per batch; the
 * consumer copies each payload out, consumes, and publishes once per
 * batch.  Both spin (pause) instead of sleeping when full or empty, so
 * no notification is ever needed.  The consumer checks every record's
 * length and sequence number.
 *
 * Two more numbers go to stdout only, to tell the FIFO's own cost from
 * the machine's: the one-way latency of handing a cache line from one
 * CPU to the other, and a bare single-producer single-consumer copy
 * loop with the FIFO's strides and batches but no headers, checks or
 * notifications (path "bare").
 *
 * CSV columns: benchmark,path,size_bytes,value,unit with path
 * fifo-threads, fifo-procs or memcpy and unit GB/s (payload bytes, 10^9)
 * or Mrec/s.  Documentation/fifo-benchmark.md discusses the results.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "fifo.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Spin-wait hint: PAUSE where the compiler knows it. */
static inline void cpu_relax(void)
{
#if __has_builtin(__builtin_ia32_pause)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" : : : "memory");
#endif
}

#define NS_PER_S	1000000000ull
#define MAX_BATCH	64u	/* a NAPI poll's worth */
#define NO_STOP		UINT64_MAX

static const u32 rec_sizes[] = { 64, 256, 1500, 4096, 16384, 65536 };

static const u32 ring_sizes[] = {
	64u << 10, 128u << 10, 256u << 10, 1u << 20, 4u << 20, 16u << 20,
};

static const u32 sweep_rec_sizes[] = { 1500, 65536 };

static double opt_seconds = 0.3;
static int opt_reps = 5;
static bool opt_rt;
static u32 opt_batch;			/* -b: records per publish */
static int cpu_prod = -1, cpu_cons = -1;
static cpu_set_t cpus_all;		/* the affinity we started with */

/*
 * The shared region: both control pages, a page for the benchmark's own
 * handshake, then the data area.  Each side's page is on its own page,
 * as in a real channel.
 */
struct bench_sync {
	int ready;		/* sides that finished setting up */
	int go;			/* set by the producer: start */
	u64 stop_at;		/* records sent in all, once the producer stops */
	u64 got;		/* consumer: records received */
	u64 ns;			/* consumer: time from go to the last record */
	int bad;		/* consumer: a record was wrong */
};

#define OFF_A		0			/* producer's control page */
#define OFF_B		XL_PAGE_SIZE		/* consumer's control page */
#define OFF_SYNC	(2 * XL_PAGE_SIZE)
#define OFF_DATA	(3 * XL_PAGE_SIZE)

struct run {
	u8 *base;		/* this side's view of the shared region */
	u32 size;		/* data area bytes */
	u32 len;		/* record payload bytes */
	u32 batch;		/* records per publish */
	u64 ns_budget;		/* producer: how long to send */
	bool bare;		/* the bare copy loop instead of the FIFO */
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Run the caller on @cpu, or back on every CPU we had if @cpu < 0. */
static void pin(int cpu)
{
	cpu_set_t set = cpus_all;

	if (cpu_prod < 0)
		return;
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("bench_fifo: sched_setaffinity");
}

/* A thread that starts on @cpu: with -P it could not migrate itself. */
static void spawn(pthread_t *t, int cpu, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t set;

	pthread_attr_init(&attr);
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	if (pthread_create(t, &attr, fn, arg)) {
		perror("bench_fifo: pthread_create");
		exit(1);
	}
	pthread_attr_destroy(&attr);
}

static struct bench_sync *sync_of(u8 *base)
{
	return (struct bench_sync *)(base + OFF_SYNC);
}

static void *xmalloc(size_t n)
{
	void *p = aligned_alloc(XL_PAGE_SIZE, (n + XL_PAGE_SIZE - 1) &
				~(size_t)(XL_PAGE_SIZE - 1));

	if (!p) {
		perror("bench_fifo");
		exit(1);
	}
	memset(p, 0, n);
	return p;
}

/*
 * Records per publish: -b, else enough to amortise what each publish
 * costs (a full barrier and a cross-core miss on the peer's index line
 * on either side), at most MAX_BATCH, and few enough that a batch
 * stays well below the area so the consumer always has something to do.
 */
static u32 batch_for(u32 size, u32 len)
{
	u32 n = size / 8 / XL_REC_SPACE(len);

	if (opt_batch)
		return opt_batch;
	return n < 1 ? 1 : n > MAX_BATCH ? MAX_BATCH : n;
}

/*
 * The bare channel: the same copies, strides, batches and spinning as
 * the FIFO, with a sequence number in place of the header, but nothing
 * else: one index per side, published once per batch, no validation, no
 * barriers beyond acquire/release, no notification logic.  What it
 * reaches is what the two cores and their caches allow; the FIFO's
 * distance to it is the cost of the FIFO itself.
 */
static void bare_producer(struct run *r, const u8 *src)
{
	struct xl_ctrl_page *own = (void *)(r->base + OFF_A);
	const struct xl_ctrl_page *peer = (void *)(r->base + OFF_B);
	u32 *prod_idx = (u32 *)&own->tx_prod;	/* where the FIFO has them */
	const u32 *cons_idx = (const u32 *)&peer->rx_cons;
	struct bench_sync *s = sync_of(r->base);
	u32 stride = XL_REC_SPACE(r->len), mask = r->size - 1;
	u32 prod = 0, cons = 0, n = 0, skip;
	u64 sent = 0, end = now_ns() + r->ns_budget;
	u8 *data = r->base + OFF_DATA, *p;

	for (;;) {
		skip = (prod & mask) + stride > r->size ?
		       r->size - (prod & mask) : 0;
		while (prod + skip + stride - cons > r->size) {
			if (n) {
				__atomic_store_n(prod_idx, prod, __ATOMIC_RELEASE);
				n = 0;
			}
			cons = __atomic_load_n(cons_idx, __ATOMIC_ACQUIRE);
			cpu_relax();
		}
		prod += skip;
		p = data + (prod & mask) + sizeof(struct xl_rec_hdr);
		memcpy(p, src, r->len);
		memcpy(p, &sent, sizeof(sent));
		prod += stride;
		sent++;
		if (++n == r->batch) {
			__atomic_store_n(prod_idx, prod, __ATOMIC_RELEASE);
			n = 0;
			if (now_ns() >= end)
				break;
		}
	}
	__atomic_store_n(prod_idx, prod, __ATOMIC_RELEASE);
	__atomic_store_n(&s->stop_at, sent, __ATOMIC_RELEASE);
}

static u64 bare_consumer(struct run *r, u8 *dst)
{
	const struct xl_ctrl_page *peer = (void *)(r->base + OFF_A);
	struct xl_ctrl_page *own = (void *)(r->base + OFF_B);
	const u32 *prod_idx = (const u32 *)&peer->tx_prod;
	u32 *cons_idx = (u32 *)&own->rx_cons;
	struct bench_sync *s = sync_of(r->base);
	u32 stride = XL_REC_SPACE(r->len), mask = r->size - 1;
	u32 prod = 0, cons = 0, n = 0, off;
	const u8 *data = r->base + OFF_DATA;
	u64 got = 0, seq;

	for (;;) {
		if (cons == prod) {
			if (n) {
				__atomic_store_n(cons_idx, cons, __ATOMIC_RELEASE);
				n = 0;
			}
			prod = __atomic_load_n(prod_idx, __ATOMIC_ACQUIRE);
			if (cons == prod) {
				if (got == __atomic_load_n(&s->stop_at,
							   __ATOMIC_ACQUIRE))
					break;
				cpu_relax();
				continue;
			}
		}
		off = cons & mask;
		if (off + stride > r->size) {	/* the producer skipped */
			cons += r->size - off;
			continue;
		}
		memcpy(dst, data + off + sizeof(struct xl_rec_hdr), r->len);
		memcpy(&seq, dst, sizeof(seq));
		if (unlikely(seq != got))
			s->bad = 1;
		cons += stride;
		got++;
		if (++n == r->batch) {
			__atomic_store_n(cons_idx, cons, __ATOMIC_RELEASE);
			n = 0;
		}
	}
	return got;
}

static void producer(struct run *r)
{
	struct xl_ctrl_page *own = (void *)(r->base + OFF_A);
	struct xl_ctrl_page *peer = (void *)(r->base + OFF_B);
	struct bench_sync *s = sync_of(r->base);
	struct xl_fifo_rec meta = { .len = r->len, .proto = 0x0800 };
	struct xl_fifo_tx tx;
	u64 sent = 0, end;
	u32 n = 0;
	u8 *src = xmalloc(r->len);
	u8 *p;

	memset(src, 0x5a, r->len);
	if (xl_fifo_tx_init(&tx, r->base + OFF_DATA, r->size, own, peer, 0)) {
		fprintf(stderr, "bench_fifo: tx init\n");
		exit(1);
	}
	__atomic_add_fetch(&s->ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) < 2)
		cpu_relax();
	end = now_ns() + r->ns_budget;
	__atomic_store_n(&s->go, 1, __ATOMIC_RELEASE);
	if (r->bare) {
		bare_producer(r, src);
		free(src);
		return;
	}
	for (;;) {
		p = xl_fifo_reserve(&tx, r->len, NULL);
		if (unlikely(!p)) {
			/* Full: let the consumer see everything, then spin. */
			if (n) {
				xl_fifo_tx_publish(&tx);
				n = 0;
			}
			if (tx.broken)
				break;
			cpu_relax();
			continue;
		}
		memcpy(p, src, r->len);
		memcpy(p, &sent, sizeof(sent));	/* sequence number */
		xl_fifo_commit(&tx, &meta);
		sent++;
		if (++n == r->batch) {
			xl_fifo_tx_publish(&tx);
			n = 0;
			if (now_ns() >= end)
				break;
		}
	}
	xl_fifo_tx_publish(&tx);
	__atomic_store_n(&s->stop_at, sent, __ATOMIC_RELEASE);
	free(src);
}

static void consumer(struct run *r)
{
	struct xl_ctrl_page *own = (void *)(r->base + OFF_B);
	struct xl_ctrl_page *peer = (void *)(r->base + OFF_A);
	struct bench_sync *s = sync_of(r->base);
	struct xl_fifo_rec rec;
	struct xl_fifo_rx rx;
	enum xl_fifo_status st;
	u64 got = 0, seq, t0;
	u8 *dst = xmalloc(r->len);
	u32 n = 0;

	if (xl_fifo_rx_init(&rx, r->base + OFF_DATA, r->size, own, peer, 0)) {
		fprintf(stderr, "bench_fifo: rx init\n");
		exit(1);
	}
	__atomic_add_fetch(&s->ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&s->go, __ATOMIC_ACQUIRE))
		cpu_relax();
	t0 = now_ns();
	if (r->bare) {
		got = bare_consumer(r, dst);
		s->ns = now_ns() - t0;
		s->got = got;
		free(dst);
		return;
	}
	for (;;) {
		st = xl_fifo_read(&rx, &rec);
		if (likely(st == XL_FIFO_OK)) {
			memcpy(dst, rec.payload, rec.len);
			memcpy(&seq, dst, sizeof(seq));
			if (unlikely(rec.len != r->len || seq != got))
				s->bad = 1;
			xl_fifo_consume(&rx, &rec);
			got++;
			if (++n == r->batch) {
				xl_fifo_rx_publish(&rx, NULL);
				n = 0;
			}
			continue;
		}
		if (st != XL_FIFO_EMPTY) {
			s->bad = 1;
			break;
		}
		if (n) {
			n = 0;
			if (xl_fifo_rx_publish(&rx, NULL))
				continue;
		}
		if (got == __atomic_load_n(&s->stop_at, __ATOMIC_ACQUIRE))
			break;
		cpu_relax();
	}
	s->ns = now_ns() - t0;
	s->got = got;
	xl_fifo_rx_publish(&rx, NULL);
	free(dst);
}

static void reset_region(u8 *base, u32 size)
{
	struct bench_sync *s = sync_of(base);

	/* Touch every page now so that no run pays for page faults. */
	memset(base, 0, OFF_DATA + (size_t)size);
	xl_fifo_ctrl_init((void *)(base + OFF_A), 0, 0);
	xl_fifo_ctrl_init((void *)(base + OFF_B), 0, 0);
	s->stop_at = NO_STOP;
}

static void *prod_thread(void *arg)
{
	producer(arg);
	return NULL;
}

static void *cons_thread(void *arg)
{
	consumer(arg);
	return NULL;
}

/* One measurement; returns records per second. */
static double run_threads(u8 *base, u32 size, u32 len, bool bare)
{
	struct run r = {
		.base = base, .size = size, .len = len,
		.batch = batch_for(size, len),
		.ns_budget = (u64)(opt_seconds * NS_PER_S),
		.bare = bare,
	};
	struct bench_sync *s = sync_of(base);
	pthread_t tp, tc;

	reset_region(base, size);
	spawn(&tc, cpu_cons, cons_thread, &r);
	spawn(&tp, cpu_prod, prod_thread, &r);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	if (s->bad || s->got != s->stop_at || !s->ns) {
		fprintf(stderr, "bench_fifo: threads %u/%u: bad transfer\n",
			size, len);
		exit(1);
	}
	return (double)s->got * NS_PER_S / s->ns;
}

/*
 * Two processes: the region lives in a memfd; the child (consumer) maps
 * it again at an address of its own, so nothing relies on the two sides
 * seeing the pages at the same address.
 */
static double run_procs(int fd, u8 *base, u32 size, u32 len)
{
	struct run r = {
		.base = base, .size = size, .len = len,
		.batch = batch_for(size, len),
		.ns_budget = (u64)(opt_seconds * NS_PER_S),
	};
	size_t map_len = OFF_DATA + (size_t)size;
	struct bench_sync *s = sync_of(base);
	int status;
	pid_t pid;

	reset_region(base, size);
	pin(cpu_cons);		/* where the child starts */
	pid = fork();
	if (pid < 0) {
		perror("bench_fifo: fork");
		exit(1);
	}
	if (!pid) {
		u8 *view = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_POPULATE, fd, 0);

		if (view == MAP_FAILED)
			_exit(1);
		r.base = view;
		consumer(&r);
		_exit(0);
	}
	pin(cpu_prod);
	producer(&r);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || s->bad || s->got != s->stop_at || !s->ns) {
		fprintf(stderr, "bench_fifo: procs %u/%u: bad transfer\n",
			size, len);
		exit(1);
	}
	pin(-1);
	return (double)s->got * NS_PER_S / s->ns;
}

/*
 * The yardstick: one core copying records of @len bytes from a source
 * buffer into a destination buffer, each as large as the FIFO's data
 * area, walking both sequentially with the FIFO's record stride.  The
 * FIFO moves every payload through an area of that size (written by one
 * core, read by the other), so giving memcpy the same footprint per
 * buffer makes it meet the same cache level (L2, L3 or DRAM) instead of
 * copying between two hot L1 buffers, which would flatter memcpy and
 * say little about shared memory.  Returns bytes per second.
 */
static double run_memcpy(u8 *src, u8 *dst, u32 size, u32 len)
{
	u32 stride = XL_REC_SPACE(len), off = 0;
	u64 bytes = 0, t0, t, end;
	u32 i;

	t0 = now_ns();
	end = t0 + (u64)(opt_seconds * NS_PER_S);
	do {
		for (i = 0; i < 64; i++) {
			if (off + stride > size)
				off = 0;
			memcpy(dst + off, src + off, len);
			off += stride;
		}
		bytes += 64ull * len;
		/* Keep the compiler from dropping the copies. */
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		t = now_ns();
	} while (t < end);
	return (double)bytes * NS_PER_S / (t - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- cache line handoff latency ---------------------------------------- */

/* The flag has its cache line to itself (with the constant round count). */
struct pingpong {
	int turn;
	int rounds;
} __attribute__((aligned(64)));

static void *pong(void *arg)
{
	struct pingpong *pp = arg;
	int i;

	for (i = 0; i < pp->rounds; i++) {
		while (__atomic_load_n(&pp->turn, __ATOMIC_ACQUIRE) != 1)
			cpu_relax();
		__atomic_store_n(&pp->turn, 0, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * One-way latency of passing a cache line from the producer's CPU to the
 * consumer's: half a round trip of a flag bounced between two threads.
 * It varies with where the hypervisor runs the two vCPUs (two threads of
 * one core, two cores sharing a cache, or further apart) and so does
 * everything else this program measures.
 */
static double handoff_ns(void)
{
	static struct pingpong pp;
	pthread_t t;
	u64 t0;
	int i;

	if (cpu_prod < 0)
		return 0;
	pp.turn = 0;
	pp.rounds = 20000;
	spawn(&t, cpu_cons, pong, &pp);
	pin(cpu_prod);
	t0 = now_ns();
	for (i = 0; i < pp.rounds; i++) {
		__atomic_store_n(&pp.turn, 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&pp.turn, __ATOMIC_ACQUIRE) != 0)
			cpu_relax();
	}
	t0 = now_ns() - t0;
	pthread_join(t, NULL);
	pin(-1);
	return (double)t0 / pp.rounds / 2;
}

static double handoff_median(void)
{
	double v[5];
	int i;

	for (i = 0; i < 5; i++)
		v[i] = handoff_ns();
	return median(v, 5);
}

enum path { PATH_THREADS, PATH_PROCS, PATH_BARE };

struct region {
	int fd;
	u8 *base;
	size_t len;
};

static void region_open(struct region *g, u32 max_size)
{
	g->len = OFF_DATA + (size_t)max_size;
	g->fd = memfd_create("xenloop-bench", 0);
	if (g->fd < 0 || ftruncate(g->fd, g->len)) {
		perror("bench_fifo: memfd");
		exit(1);
	}
	g->base = mmap(NULL, g->len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, g->fd, 0);
	if (g->base == MAP_FAILED) {
		perror("bench_fifo: mmap");
		exit(1);
	}
}

/* Median records/s of opt_reps runs over @how. */
static double measure(struct region *g, enum path how, u32 size, u32 len)
{
	double v[64];
	int i;

	for (i = 0; i < opt_reps; i++)
		v[i] = how == PATH_PROCS ? run_procs(g->fd, g->base, size, len) :
			run_threads(g->base, size, len, how == PATH_BARE);
	return median(v, opt_reps);
}

static double measure_memcpy(u32 size, u32 len)
{
	u8 *src = xmalloc(size), *dst = xmalloc(size);
	double v[64];
	int i;

	memset(src, 0x5a, size);
	pin(cpu_prod);
	for (i = 0; i < opt_reps; i++)
		v[i] = run_memcpy(src, dst, size, len);
	pin(-1);
	free(src);
	free(dst);
	return median(v, opt_reps);
}

static void csv_row(FILE *fp, const char *bench, const char *path, u32 len,
		    double value, const char *unit)
{
	fprintf(fp, "%s,%s,%u,%.3f,%s\n", bench, path, len, value, unit);
}

static FILE *csv_open(const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		exit(1);
	}
	fprintf(fp, "benchmark,path,size_bytes,value,unit\n");
	return fp;
}

static void choose_cpus(void)
{
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(cpus_all), &cpus_all))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++) {
		if (!CPU_ISSET(cpu, &cpus_all))
			continue;
		if (n++ == 0)
			cpu_prod = cpu;
		else
			cpu_cons = cpu;
	}
	if (n < 2) {
		/* One CPU: let them share it. */
		cpu_prod = -1;
		cpu_cons = -1;
	}
}

/* Profiling mode: both sides in one thread, @records in all. */
static void profile(u32 size, u32 len, u64 records)
{
	u8 *base = xmalloc(OFF_DATA + (size_t)size);
	struct xl_fifo_rec meta = { .len = len, .proto = 0x0800 }, rec;
	u32 batch = batch_for(size, len), i;
	u8 *src = xmalloc(len), *dst = xmalloc(len);
	struct xl_fifo_tx tx;
	struct xl_fifo_rx rx;
	u64 done = 0;
	u8 *p;

	reset_region(base, size);
	if (xl_fifo_tx_init(&tx, base + OFF_DATA, size, (void *)base,
			    (void *)(base + OFF_B), 0) ||
	    xl_fifo_rx_init(&rx, base + OFF_DATA, size,
			    (void *)(base + OFF_B), (void *)base, 0))
		exit(1);
	while (done < records) {
		for (i = 0; i < batch; i++) {
			p = xl_fifo_reserve(&tx, len, NULL);
			if (!p)
				break;
			memcpy(p, src, len);
			xl_fifo_commit(&tx, &meta);
		}
		xl_fifo_tx_publish(&tx);
		while (xl_fifo_read(&rx, &rec) == XL_FIFO_OK) {
			memcpy(dst, rec.payload, rec.len);
			xl_fifo_consume(&rx, &rec);
			done++;
		}
		xl_fifo_rx_publish(&rx, NULL);
	}
	printf("profile: %llu records of %u bytes, area %u, batch %u\n",
	       (unsigned long long)done, len, size, batch);
}

int main(int argc, char **argv)
{
	const u32 def_size = XL_PAGE_SIZE << XL_RING_ORDER_DEFAULT;
	double gbs, mrec, thr = 0, bare, cp[ARRAY_SIZE(rec_sizes)];
	const char *dir = "build/bench";
	struct region g;
	bool sweep = true;
	FILE *fp;
	u32 i, k;
	int c;

	while ((c = getopt(argc, argv, "o:t:r:b:RP1:")) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 't':
			opt_seconds = atof(optarg);
			break;
		case 'r':
			opt_reps = atoi(optarg);
			break;
		case 'R':
			sweep = false;
			break;
		case 'P':
			opt_rt = true;
			break;
		case 'b':
			opt_batch = atoi(optarg);
			break;
		case '1':
			profile(def_size, atoi(optarg), 2000000);
			return 0;
		default:
			fprintf(stderr,
				"usage: bench_fifo [-o DIR] [-t S] [-r N] [-b N] [-R] [-P] [-1 SIZE]\n");
			return 2;
		}
	}
	if (opt_reps < 1 || opt_reps > 64 || opt_seconds <= 0) {
		fprintf(stderr, "bench_fifo: bad -t or -r\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	choose_cpus();
	if (opt_rt) {
		struct sched_param sp = { .sched_priority = 1 };

		/* Inherited by the threads and processes of every run. */
		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			perror("bench_fifo: -P: SCHED_FIFO");
			opt_rt = false;
		}
	}
	region_open(&g, ring_sizes[ARRAY_SIZE(ring_sizes) - 1]);
	printf("# bench_fifo: area %u KiB, %.2f s x %d runs per point (median), CPUs %d/%d%s\n",
	       def_size >> 10, opt_seconds, opt_reps, cpu_prod, cpu_cons,
	       opt_rt ? ", SCHED_FIFO" : "");

	fp = csv_open(dir, "fifo.csv");
	printf("# %-12s %6s %10s %10s %9s\n", "path", "bytes", "GB/s",
	       "Mrec/s", "%memcpy");
	for (i = 0; i < ARRAY_SIZE(rec_sizes); i++) {
		u32 len = rec_sizes[i];

		printf("# cache line handoff CPU%d -> CPU%d: %.0f ns one way\n",
		       cpu_prod, cpu_cons, handoff_median());

		cp[i] = measure_memcpy(def_size, len);
		gbs = cp[i] / 1e9;
		mrec = cp[i] / len / 1e6;
		printf("  %-12s %6u %10.2f %10.2f\n", "memcpy", len, gbs, mrec);
		csv_row(fp, "throughput", "memcpy", len, gbs, "GB/s");
		csv_row(fp, "throughput", "memcpy", len, mrec, "Mrec/s");
		for (k = 0; k < 2; k++) {
			const char *name = k ? "fifo-procs" : "fifo-threads";
			double rps = measure(&g, k ? PATH_PROCS : PATH_THREADS,
					     def_size, len);

			gbs = rps * len / 1e9;
			mrec = rps / 1e6;
			printf("  %-12s %6u %10.2f %10.2f %8.0f%%\n", name, len,
			       gbs, mrec, 100 * rps * len / cp[i]);
			csv_row(fp, "throughput", name, len, gbs, "GB/s");
			csv_row(fp, "throughput", name, len, mrec, "Mrec/s");
			if (!k)
				thr = rps;
		}
		/* Not in the CSV: a yardstick for the FIFO's own cost. */
		bare = measure(&g, PATH_BARE, def_size, len);
		printf("  %-12s %6u %10.2f %10.2f %8.0f%%   fifo-threads = %.0f%% of bare\n",
		       "bare", len, bare * len / 1e9, bare / 1e6,
		       100 * bare * len / cp[i], 100 * thr / bare);
		fflush(fp);
	}
	fclose(fp);

	if (!sweep)
		return 0;
	fp = csv_open(dir, "fifo-ringsize.csv");
	printf("# ring-size sweep, fifo-threads\n");
	for (i = 0; i < ARRAY_SIZE(ring_sizes); i++) {
		char bench[32];

		printf("# cache line handoff CPU%d -> CPU%d: %.0f ns one way\n",
		       cpu_prod, cpu_cons, handoff_median());

		snprintf(bench, sizeof(bench), "ring_%u", ring_sizes[i]);
		for (k = 0; k < ARRAY_SIZE(sweep_rec_sizes); k++) {
			u32 len = sweep_rec_sizes[k];
			double rps;

			if (len > xl_fifo_max_payload(ring_sizes[i])) {
				printf("  %-12s %6u  does not fit\n", bench, len);
				continue;
			}
			rps = measure(&g, PATH_THREADS, ring_sizes[i], len);
			gbs = rps * len / 1e9;
			mrec = rps / 1e6;
			printf("  %-12s %6u %10.2f %10.2f\n", bench, len, gbs,
			       mrec);
			csv_row(fp, bench, "fifo-threads", len, gbs, "GB/s");
			csv_row(fp, bench, "fifo-threads", len, mrec, "Mrec/s");
		}
		fflush(fp);
	}
	fclose(fp);
	return 0;
}
