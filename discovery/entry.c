// SPDX-License-Identifier: GPL-2.0
/*
 * Peer entries (see entry.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "entry.h"

uint64_t xl_fnv1a(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* A string with its NUL, which separates it from the next one. */
static uint64_t fnv(uint64_t h, const char *s)
{
	return xl_fnv1a(h, s, strlen(s) + 1);
}

/*
 * Hash of a peer entry's content as published (the same strings that go
 * into XenStore), so that a restarted daemon can compare what it reads
 * back with what it would write.  Never 0: 0 stands for "unknown".
 */
uint64_t xl_entry_hash(const char *version, const char *features,
		       const char *vifs, const char *generation,
		       const char *pair)
{
	uint64_t h = XL_FNV1A_BASIS;

	h = fnv(h, version);
	h = fnv(h, features);
	h = fnv(h, vifs);
	h = fnv(h, generation);
	h = fnv(h, pair);
	return h ? h : 1;
}

uint64_t xl_record_hash(const struct xl_record *r)
{
	char ver[16], feat[16], gen[24];

	snprintf(ver, sizeof(ver), "%u", r->version);
	snprintf(feat, sizeof(feat), "0x%08x", r->features);
	snprintf(gen, sizeof(gen), "%" PRIu64, r->pgen);
	return xl_entry_hash(ver, feat, r->vifs, gen, "");
}

/*
 * The nodes of an entry that hold a when b must be written instead.  The
 * pair path depends only on the two domids, so it never differs between
 * two records of the same peer.
 */
unsigned int xl_record_diff(const struct xl_record *a,
			    const struct xl_record *b)
{
	unsigned int m = 0;

	if (strcmp(a->vifs, b->vifs))
		m |= XL_ENT_VIFS;
	if (a->version != b->version)
		m |= XL_ENT_VERSION;
	if (a->features != b->features)
		m |= XL_ENT_FEATURES;
	if (a->pgen != b->pgen)
		m |= XL_ENT_GENERATION;
	return m;
}
