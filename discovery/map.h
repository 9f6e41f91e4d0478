/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small hash map from a 32-bit key to two 64-bit values, used for the
 * published view entries (key viewer<<16 | peer) and the pair directories
 * (key lo<<16 | hi).  Lookups are O(1) on average, which keeps the work
 * per event linear in the number of participants.
 */
#ifndef XL_MAP_H
#define XL_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xl_map_entry {
	uint32_t key;
	uint64_t v0, v1;
	struct xl_map_entry *next;
};

struct xl_map {
	struct xl_map_entry **buckets;
	size_t nbuckets;	/* power of two, or 0 */
	size_t count;
};

static inline uint32_t xl_map_key(unsigned int a, unsigned int b)
{
	return (uint32_t)a << 16 | (b & 0xffff);
}

/* map.c APIs: */
struct xl_map_entry *xl_map_find(const struct xl_map *m, uint32_t key);
struct xl_map_entry *xl_map_set(struct xl_map *m, uint32_t key, uint64_t v0,
				uint64_t v1);
bool xl_map_del(struct xl_map *m, uint32_t key);
void xl_map_free(struct xl_map *m);

#endif /* XL_MAP_H */
