// SPDX-License-Identifier: GPL-2.0
/*
 * Throughput benchmark of the xenloop FIFO (module/fifo.c) built in
 * userspace: a producer and a consumer on two cores move records of one
 * size as fast as they can, first as two threads of one process, then as
 * two processes sharing memfd memory mapped at different addresses (as
 * two guests map each other's grants).  The same run measures single-core
 * memcpy() for each size as the yardstick.
 *
 *	bench_fifo [-o DIR] [-t SECONDS] [-r REPS] [-R] [-1 SIZE]
 *
 *	-o DIR	write DIR/fifo.csv and DIR/fifo-ringsize.csv (build/bench)
 *	-t S	seconds per measurement (0.3)
 *	-r N	repetitions per point, the median is reported (5)
 *	-R	skip the ring-size sweep
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
#define MAX_BATCH	64u
#define NO_STOP		UINT64_MAX

static const u32 rec_sizes[] = { 64, 256, 1500, 4096, 16384, 65536 };

static const u32 ring_sizes[] = {
	64u << 10, 128u << 10, 256u << 10, 1u << 20, 4u << 20, 16u << 20,
};

static const u32 sweep_rec_sizes[] = { 1500, 65536 };

static double opt_seconds = 0.3;
static int opt_reps = 5;
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
 * Records per publish: enough to amortise the barriers and the index
 * cache line, few enough that a batch stays well below the area so the
 * consumer always has something to do.
 */
static u32 batch_for(u32 size, u32 len)
{
	u32 n = size / 8 / XL_REC_SPACE(len);

	return n < 1 ? 1 : n > MAX_BATCH ? MAX_BATCH : n;
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
	pin(cpu_prod);
	producer(arg);
	return NULL;
}

static void *cons_thread(void *arg)
{
	pin(cpu_cons);
	consumer(arg);
	return NULL;
}

/* One measurement; returns records per second. */
static double run_threads(u8 *base, u32 size, u32 len)
{
	struct run r = {
		.base = base, .size = size, .len = len,
		.batch = batch_for(size, len),
		.ns_budget = (u64)(opt_seconds * NS_PER_S),
	};
	struct bench_sync *s = sync_of(base);
	pthread_t tp, tc;

	reset_region(base, size);
	if (pthread_create(&tc, NULL, cons_thread, &r) ||
	    pthread_create(&tp, NULL, prod_thread, &r)) {
		perror("bench_fifo: pthread_create");
		exit(1);
	}
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
		pin(cpu_cons);
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

enum path { PATH_THREADS, PATH_PROCS };

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
		v[i] = how == PATH_THREADS ? run_threads(g->base, size, len) :
			run_procs(g->fd, g->base, size, len);
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
	double gbs, mrec, cp[ARRAY_SIZE(rec_sizes)];
	const char *dir = "build/bench";
	struct region g;
	bool sweep = true;
	FILE *fp;
	u32 i, k;
	int c;

	while ((c = getopt(argc, argv, "o:t:r:R1:")) != -1) {
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
		case '1':
			profile(def_size, atoi(optarg), 2000000);
			return 0;
		default:
			fprintf(stderr,
				"usage: bench_fifo [-o DIR] [-t SECONDS] [-r REPS] [-R] [-1 SIZE]\n");
			return 2;
		}
	}
	if (opt_reps < 1 || opt_reps > 64 || opt_seconds <= 0) {
		fprintf(stderr, "bench_fifo: bad -t or -r\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	choose_cpus();
	region_open(&g, ring_sizes[ARRAY_SIZE(ring_sizes) - 1]);
	printf("# bench_fifo: area %u KiB, %.2f s x %d runs per point (median), CPUs %d/%d\n",
	       def_size >> 10, opt_seconds, opt_reps, cpu_prod, cpu_cons);

	fp = csv_open(dir, "fifo.csv");
	printf("# %-12s %6s %10s %10s %9s\n", "path", "bytes", "GB/s",
	       "Mrec/s", "%memcpy");
	for (i = 0; i < ARRAY_SIZE(rec_sizes); i++) {
		u32 len = rec_sizes[i];

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
		}
		fflush(fp);
	}
	fclose(fp);

	if (!sweep)
		return 0;
	fp = csv_open(dir, "fifo-ringsize.csv");
	printf("# ring-size sweep, fifo-threads\n");
	for (i = 0; i < ARRAY_SIZE(ring_sizes); i++) {
		char bench[32];

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
