/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's record: what its peers' views say about it (peers/P/{vifs,
 * version,features,generation}), how it hashes, and which nodes differ
 * between two records.  Pure, so the unit tests build it on its own.
 */
#ifndef XL_ENTRY_H
#define XL_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include <xenloop/protocol.h>

/* The view's vifs value (include/xenloop/protocol.h), with its NUL. */
#define XL_VIFS_STRLEN		(XENLOOP_VIFS_MAXLEN + 1)

struct xl_record {
	unsigned int version;
	uint32_t features;
	uint64_t pgen;				/* participation generation */
	char vifs[XL_VIFS_STRLEN];		/* "devid,mac,network" ... */
};

/* The nodes of a peer entry, as a mask of what must be written. */
enum {
	XL_ENT_VIFS		= 1 << 0,
	XL_ENT_VERSION		= 1 << 1,
	XL_ENT_FEATURES		= 1 << 2,
	XL_ENT_GENERATION	= 1 << 3,
	XL_ENT_PAIR		= 1 << 4,
	XL_ENT_ALL		= (1 << 5) - 1,
};

/* 64-bit FNV-1a, from XL_FNV1A_BASIS. */
#define XL_FNV1A_BASIS		0xcbf29ce484222325ull

/* entry.c APIs: */
uint64_t xl_fnv1a(uint64_t h, const void *buf, size_t len);
uint64_t xl_entry_hash(const char *version, const char *features,
		       const char *vifs, const char *generation,
		       const char *pair);
uint64_t xl_record_hash(const struct xl_record *r);
unsigned int xl_record_diff(const struct xl_record *a,
			    const struct xl_record *b);

#endif /* XL_ENTRY_H */
