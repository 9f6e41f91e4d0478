// SPDX-License-Identifier: GPL-2.0
/*
 * xlstream pure logic; the definitions of the stream and of the hash are
 * documented in xlstream_lib.h.
 *
 * The hot loops run once per 64-bit word and touch memory through
 * memcpy() so that unaligned buffers and chunk boundaries cost nothing
 * on x86 (the compiler turns them into plain loads and stores) while
 * staying correct everywhere.  Byte-wise work is confined to at most
 * seven bytes at each end of a call.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlstream_lib.h"

#define XLH_SEED	0x6a09e667f3bcc908ull
#define XLH_C1		0x87c37b91114253d5ull
#define XLH_C2		0x4cf5ad432745937full
#define BYTE_LSBS	0x0101010101010101ull

static inline uint64_t load_le64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline void store_le64(void *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint64_t rotl64(uint64_t v, unsigned int r)
{
	return v << r | v >> (64 - r);
}

/*
 * Bytes [first, first + n) of a little-endian word, in place, others zero.
 * Requires first + n <= 8 and n > 0.
 */
static inline uint64_t byte_mask(unsigned int first, size_t n)
{
	uint64_t m = n >= 8 ? ~0ull : (1ull << (8 * n)) - 1;

	return m << (8 * first);
}

/* Load n < 8 bytes into a word starting at byte position first. */
static inline uint64_t load_partial(const uint8_t *p, unsigned int first,
				    size_t n)
{
	uint8_t tmp[8] = { 0 };

	memcpy(tmp + first, p, n);
	return load_le64(tmp);
}

void xls_fill(uint64_t seed, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf, tmp[8];
	uint64_t i = off / 8;
	unsigned int first = off % 8;

	if (first && len) {
		size_t n = 8 - first < len ? 8 - first : len;

		store_le64(tmp, xls_word(seed, i++));
		memcpy(p, tmp + first, n);
		p += n;
		len -= n;
	}
	/* Words are independent of each other: this loop pipelines well. */
	for (; len >= 8; len -= 8, p += 8)
		store_le64(p, xls_word(seed, i++));
	if (len) {
		store_le64(tmp, xls_word(seed, i));
		memcpy(p, tmp, len);
	}
}

static inline uint64_t xlh_round(uint64_t h, uint64_t w)
{
	uint64_t k = rotl64(w * XLH_C1, 31) * XLH_C2;

	return rotl64(h ^ k, 27) * 5 + 0x52dce729;
}

void xls_hash_init(struct xls_hash *hs)
{
	hs->h = XLH_SEED;
	hs->tail = 0;
	hs->tail_len = 0;
	hs->total = 0;
}

void xls_hash_update(struct xls_hash *hs, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t h = hs->h;

	hs->total += len;
	/* Complete a word left over from the previous call first. */
	if (hs->tail_len) {
		size_t n = 8 - hs->tail_len < len ? 8 - hs->tail_len : len;

		hs->tail |= load_partial(p, hs->tail_len, n);
		hs->tail_len += n;
		p += n;
		len -= n;
		if (hs->tail_len < 8)
			return;
		h = xlh_round(h, hs->tail);
		hs->tail = 0;
		hs->tail_len = 0;
	}
	for (; len >= 8; len -= 8, p += 8)
		h = xlh_round(h, load_le64(p));
	if (len) {
		hs->tail = load_partial(p, 0, len);
		hs->tail_len = len;
	}
	hs->h = h;
}

uint64_t xls_hash_final(const struct xls_hash *hs)
{
	uint64_t h = hs->h;

	if (hs->tail_len)
		h = xlh_round(h, hs->tail);
	h ^= hs->total;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

uint64_t xls_hash_buf(const void *buf, size_t len)
{
	struct xls_hash hs;

	xls_hash_init(&hs);
	xls_hash_update(&hs, buf, len);
	return xls_hash_final(&hs);
}

void xls_verify_init(struct xls_verify *v, uint64_t seed)
{
	v->seed = seed;
	v->off = 0;
	v->errors = 0;
	v->first_error = -1;
}

/*
 * Account for the differing bytes of one word; diff is received XOR
 * expected for the word starting at stream offset base.  Bytes outside
 * the part actually received must already be masked to zero.
 */
static void note_errors(struct xls_verify *v, uint64_t base, uint64_t diff)
{
	/* Fold every byte onto its lowest bit, then count the bytes. */
	uint64_t t = diff | diff >> 4;

	t |= t >> 2;
	t |= t >> 1;
	v->errors += __builtin_popcountll(t & BYTE_LSBS);
	if (v->first_error < 0)
		v->first_error = base + __builtin_ctzll(diff) / 8;
}

/* Verify n bytes that fill positions [first, first + n) of one word. */
static void verify_partial(struct xls_verify *v, const uint8_t *p,
			   unsigned int first, size_t n)
{
	uint64_t idx = v->off / 8;
	uint64_t want = xls_word(v->seed, idx) & byte_mask(first, n);
	uint64_t diff = load_partial(p, first, n) ^ want;

	if (diff)
		note_errors(v, idx * 8, diff);
	v->off += n;
}

void xls_verify_update(struct xls_verify *v, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	unsigned int first = v->off % 8;
	uint64_t idx;

	if (first && len) {
		size_t n = 8 - first < len ? 8 - first : len;

		verify_partial(v, p, first, n);
		p += n;
		len -= n;
	}
	/* Here either len == 0 or v->off is word aligned. */
	idx = v->off / 8;
	for (; len >= 8; len -= 8, p += 8, idx++, v->off += 8) {
		uint64_t diff = load_le64(p) ^ xls_word(v->seed, idx);

		if (__builtin_expect(diff != 0, 0))
			note_errors(v, idx * 8, diff);
	}
	if (len)
		verify_partial(v, p, 0, len);
}

int xls_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int xls_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	if (shift && v > (~0ull >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}
