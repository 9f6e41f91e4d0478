/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared memory for the FIFO tests, shaped like what a guest maps:
 * objects live in a memfd, and each view of an object is mapped on its own
 * between two PROT_NONE guard pages, so that a read or a write even one
 * byte before or after an object faults, with or without ASan.  An object
 * can be mapped twice: writable for its owner and read-only for the peer,
 * as Xen grants it, so a write through the peer's view faults as well.
 *
 * The includer defines _GNU_SOURCE (memfd_create) before any include.
 */
#ifndef XL_FIFO_SHM_H
#define XL_FIFO_SHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#define SHM_GUARD	4096u

/* A memfd of @len zero bytes, or -1. */
static inline int shm_create(const char *name, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Map @len bytes (a multiple of the page size) of @fd at @off with @prot,
 * between two guard pages; NULL on failure.
 */
static inline void *shm_map(int fd, off_t off, size_t len, int prot)
{
	size_t span = len + 2 * SHM_GUARD;
	uint8_t *res;
	void *p;

	res = mmap(NULL, span, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return NULL;
	p = mmap(res + SHM_GUARD, len, prot, MAP_SHARED | MAP_FIXED, fd, off);
	if (p == MAP_FAILED) {
		munmap(res, span);
		return NULL;
	}
	return p;
}

/* Undo shm_map(), guard pages included; NULL is ignored. */
static inline void shm_unmap(const void *p, size_t len)
{
	if (p)
		munmap((uint8_t *)(uintptr_t)p - SHM_GUARD,
		       len + 2 * SHM_GUARD);
}

/* Whether @addr lies in the guard pages around a mapping of @p, @len. */
static inline int shm_in_guard(const void *p, size_t len, uintptr_t addr)
{
	uintptr_t lo = (uintptr_t)p;

	return p && ((addr >= lo - SHM_GUARD && addr < lo) ||
		     (addr >= lo + len && addr < lo + len + SHM_GUARD));
}

#endif /* XL_FIFO_SHM_H */
