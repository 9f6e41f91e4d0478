// SPDX-License-Identifier: GPL-2.0
/*
 * Chained hash map with power-of-two buckets, grown when the load factor
 * exceeds one (see map.h).
 */
#include <stdlib.h>

#include "map.h"

static size_t slot(const struct xl_map *m, uint32_t key)
{
	uint32_t h = key * 0x9e3779b1u;

	return (h ^ (h >> 16)) & (m->nbuckets - 1);
}

struct xl_map_entry *xl_map_find(const struct xl_map *m, uint32_t key)
{
	struct xl_map_entry *e;

	if (!m->nbuckets)
		return NULL;
	for (e = m->buckets[slot(m, key)]; e; e = e->next)
		if (e->key == key)
			return e;
	return NULL;
}

static int grow(struct xl_map *m)
{
	size_t n = m->nbuckets ? m->nbuckets * 2 : 64, i;
	struct xl_map_entry **old = m->buckets, *e, *next;
	size_t oldn = m->nbuckets;

	m->buckets = calloc(n, sizeof(*m->buckets));
	if (!m->buckets) {
		m->buckets = old;
		return -1;
	}
	m->nbuckets = n;
	for (i = 0; i < oldn; i++) {
		for (e = old[i]; e; e = next) {
			size_t s = slot(m, e->key);

			next = e->next;
			e->next = m->buckets[s];
			m->buckets[s] = e;
		}
	}
	free(old);
	return 0;
}

/* Insert or update; NULL only when out of memory. */
struct xl_map_entry *xl_map_set(struct xl_map *m, uint32_t key, uint64_t v0,
				uint64_t v1)
{
	struct xl_map_entry *e = xl_map_find(m, key);
	size_t s;

	if (!e) {
		if (m->count >= m->nbuckets && grow(m) && !m->nbuckets)
			return NULL;
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		e->key = key;
		s = slot(m, key);
		e->next = m->buckets[s];
		m->buckets[s] = e;
		m->count++;
	}
	e->v0 = v0;
	e->v1 = v1;
	return e;
}

bool xl_map_del(struct xl_map *m, uint32_t key)
{
	struct xl_map_entry **pp, *e;

	if (!m->nbuckets)
		return false;
	for (pp = &m->buckets[slot(m, key)]; (e = *pp); pp = &e->next) {
		if (e->key == key) {
			*pp = e->next;
			free(e);
			m->count--;
			return true;
		}
	}
	return false;
}

void xl_map_free(struct xl_map *m)
{
	struct xl_map_entry *e, *next;
	size_t i;

	for (i = 0; i < m->nbuckets; i++)
		for (e = m->buckets[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	free(m->buckets);
	m->buckets = NULL;
	m->nbuckets = 0;
	m->count = 0;
}
