/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure logic of xlstream: the reference byte stream, its verifier, the
 * chunking-independent hash and argument parsers.  No I/O here, so the
 * unit tests can exercise all of it directly.
 *
 * The stream
 * ----------
 * The payload is an endless byte stream determined by a 64-bit seed.
 * It is a sequence of 64-bit words stored little-endian; word i covers
 * stream bytes 8*i .. 8*i+7 and is
 *
 *	word(seed, i) = mix(seed + (i + 1) * 0x9e3779b97f4a7c15)
 *
 *	mix(z):	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
 *		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
 *		return z ^ (z >> 31)
 *
 * (all arithmetic modulo 2^64).  This is exactly the output sequence of
 * the well-known SplitMix64 generator started from state "seed", but
 * written as a function of the word index: any offset of the stream can
 * be produced or checked without generating what precedes it, and the
 * receiver needs no state beyond its current offset.  Byte n of the
 * stream is (word(seed, n / 8) >> (8 * (n % 8))) & 0xff.
 *
 * The hash ("xlh64")
 * ------------------
 * A 64-bit non-cryptographic hash over a byte sequence, processed as
 * little-endian 64-bit words w (a trailing partial word is zero padded):
 *
 *	h = 0x6a09e667f3bcc908
 *	per word:	k = rotl64(w * 0x87c37b91114253d5, 31)
 *			k = k * 0x4cf5ad432745937f
 *			h = rotl64(h ^ k, 27) * 5 + 0x52dce729
 *	finally:	h ^= total length in bytes
 *			h ^= h >> 33; h *= 0xff51afd7ed558ccd
 *			h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53
 *			h ^= h >> 33
 *
 * Every step is a bijection of h (or of k), so changing any single word
 * of the input always changes the result, and mixing in the length tells
 * apart inputs that differ only in trailing zero bytes.  Only the update
 * of h is a serial dependency (about four cycles per eight bytes), which
 * keeps hashing well above 1 GB/s.  The result does not depend on how the
 * input is split into update calls.
 */
#ifndef XLSTREAM_LIB_H
#define XLSTREAM_LIB_H

#include <stddef.h>
#include <stdint.h>

#define XLS_DEFAULT_PORT	5556
#define XLS_DEFAULT_SEED	1

#define XLS_GAMMA	0x9e3779b97f4a7c15ull

static inline uint64_t xls_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Word i of the stream for seed; see the comment at the top. */
static inline uint64_t xls_word(uint64_t seed, uint64_t i)
{
	return xls_mix(seed + (i + 1) * XLS_GAMMA);
}

/* Write stream bytes [off, off + len) to buf. */
void xls_fill(uint64_t seed, uint64_t off, void *buf, size_t len);

struct xls_hash {
	uint64_t h;
	uint64_t tail;		/* pending bytes of a partial word, LE */
	unsigned int tail_len;
	uint64_t total;
};

void xls_hash_init(struct xls_hash *hs);
void xls_hash_update(struct xls_hash *hs, const void *buf, size_t len);
/* Does not modify hs, so a running hash can be peeked at. */
uint64_t xls_hash_final(const struct xls_hash *hs);
/* One-shot convenience. */
uint64_t xls_hash_buf(const void *buf, size_t len);

struct xls_verify {
	uint64_t seed;
	uint64_t off;		/* stream offset of the next byte */
	uint64_t errors;	/* number of bytes that differed */
	int64_t first_error;	/* offset of the first bad byte, or -1 */
};

void xls_verify_init(struct xls_verify *v, uint64_t seed);
/* Check the next len received bytes against the stream. */
void xls_verify_update(struct xls_verify *v, const void *buf, size_t len);

/* "1234", "64K", "16M", "2G", "1T" (binary multiples); 0 or -1. */
int xls_parse_size(const char *s, uint64_t *out);
/* Decimal or 0x-prefixed hex 64-bit number; 0 or -1. */
int xls_parse_u64(const char *s, uint64_t *out);

#endif /* XLSTREAM_LIB_H */
