// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for xlstream's pure logic: the reference stream, the
 * verifier and the hash.  The expected values come from independent
 * sources (published SplitMix64 vectors, a sequential generator and a
 * byte-at-a-time hash written from the documented definition) rather
 * than from the code under test.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xlstream_lib.h"

/* Test input from xl_rng() (xorshift64*), unrelated to the stream. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	return xl_rng(&rng_state);
}

static size_t rng_below(size_t n)
{
	return n ? rng() % n : 0;
}

/* Classic sequential SplitMix64, as published. */
struct sm64 {
	uint64_t state;
};

static uint64_t sm64_next(struct sm64 *g)
{
	uint64_t z;

	g->state += 0x9e3779b97f4a7c15ull;
	z = g->state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Stream byte n, straight from the documented definition. */
static uint8_t ref_byte(uint64_t seed, uint64_t n)
{
	struct sm64 g = { seed + (n / 8) * 0x9e3779b97f4a7c15ull };

	return (uint8_t)(sm64_next(&g) >> (8 * (n % 8)));
}

static uint64_t ref_rotl(uint64_t v, unsigned int r)
{
	return (v << r) | (v >> (64 - r));
}

/* xlh64 written naively from the header comment, one byte at a time. */
static uint64_t ref_hash(const uint8_t *p, size_t len)
{
	uint64_t h = 0x6a09e667f3bcc908ull;
	size_t i = 0;

	while (i < len) {
		uint64_t w = 0, k;
		unsigned int b;

		for (b = 0; b < 8 && i < len; b++, i++)
			w |= (uint64_t)p[i] << (8 * b);
		k = ref_rotl(w * 0x87c37b91114253d5ull, 31) *
		    0x4cf5ad432745937full;
		h = ref_rotl(h ^ k, 27) * 5 + 0x52dce729;
	}
	h ^= len;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint8_t *stream_buf(uint64_t seed, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	if (!b) {
		tap_diag("out of memory");
		exit(TAP_EXIT_FAIL);
	}
	xls_fill(seed, 0, b, len);
	return b;
}

/* Hash buf in random pieces; sizes skewed small to hit every boundary. */
static uint64_t hash_chunked(const uint8_t *buf, size_t len, size_t maxchunk)
{
	struct xls_hash hs;
	size_t off = 0;

	xls_hash_init(&hs);
	while (off < len) {
		size_t n = 1 + rng_below(maxchunk);

		if (n > len - off)
			n = len - off;
		/* Empty updates must be harmless too. */
		if (rng_below(8) == 0)
			xls_hash_update(&hs, buf + off, 0);
		xls_hash_update(&hs, buf + off, n);
		off += n;
	}
	return xls_hash_final(&hs);
}

static void verify_chunked(struct xls_verify *v, const uint8_t *buf,
			   size_t len, size_t maxchunk)
{
	size_t off = 0;

	while (off < len) {
		size_t n = 1 + rng_below(maxchunk);

		if (n > len - off)
			n = len - off;
		xls_verify_update(v, buf + off, n);
		off += n;
	}
}

static bool test_published_vectors(void)
{
	/* SplitMix64 outputs for seeds 0 and 1234567 as widely published. */
	static const uint64_t seed0[] = {
		0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull,
		0x06c45d188009454full, 0xf88bb8a8724c81ecull,
	};
	static const uint64_t seed1234567[] = {
		6457827717110365317ull, 3203168211198807973ull,
		9817491932198370423ull, 4593380528125082431ull,
		16408922859458223821ull,
	};
	bool ok = true;
	unsigned int i;

	for (i = 0; i < 4; i++)
		TAP_CHECK(xls_word(0, i) == seed0[i]);
	for (i = 0; i < 5; i++)
		TAP_CHECK(xls_word(1234567, i) == seed1234567[i]);
	return ok;
}

static bool test_word_matches_sequential(void)
{
	static const uint64_t seeds[] = { 0, 1, ~0ull, 0x123456789abcdefull };
	unsigned int s, i, bad = 0;
	bool ok = true;

	for (s = 0; s < 4; s++) {
		struct sm64 g = { seeds[s] };

		for (i = 0; i < 10000; i++)
			bad += sm64_next(&g) != xls_word(seeds[s], i);
	}
	/* Counter-based: a far offset without generating what precedes. */
	{
		struct sm64 g = { 42 + 999999ull * 0x9e3779b97f4a7c15ull };

		bad += sm64_next(&g) != xls_word(42, 999999);
	}
	TAP_CHECK(bad == 0);
	return ok;
}

static bool test_fill_offsets(void)
{
	uint8_t buf[80];
	unsigned int iter, bad = 0;
	bool ok = true;

	for (iter = 0; iter < 20000; iter++) {
		uint64_t seed = rng();
		uint64_t off = iter < 1000 ? iter % 64 : rng() >> 4;
		size_t len = rng_below(sizeof(buf) - 8), i;

		/* Canaries check that exactly len bytes get written. */
		memset(buf, 0xa5, sizeof(buf));
		xls_fill(seed, off, buf + 4, len);
		for (i = 0; i < len; i++)
			bad += buf[4 + i] != ref_byte(seed, off + i);
		for (i = 0; i < 4; i++)
			bad += buf[i] != 0xa5;
		for (i = 4 + len; i < sizeof(buf); i++)
			bad += buf[i] != 0xa5;
	}
	TAP_CHECK(bad == 0);
	return ok;
}

static bool test_hash_reference(void)
{
	size_t len = 100000, l;
	uint8_t *buf = stream_buf(7, len);
	unsigned int bad = 0;
	bool ok = true;

	for (l = 0; l <= 200; l++)
		bad += xls_hash_buf(buf, l) != ref_hash(buf, l);
	bad += xls_hash_buf(buf, len) != ref_hash(buf, len);
	/* Unaligned start address. */
	bad += xls_hash_buf(buf + 3, len - 3) != ref_hash(buf + 3, len - 3);
	TAP_CHECK(bad == 0);
	free(buf);
	return ok;
}

static bool test_hash_chunking(void)
{
	size_t len = (1 << 20) + 13;
	uint8_t *buf = stream_buf(99, len);
	uint64_t whole = xls_hash_buf(buf, len);
	unsigned int i, bad = 0;
	bool ok = true;

	for (i = 0; i < 40; i++)
		bad += hash_chunked(buf, len, i < 20 ? 17 : 70000) != whole;
	/* One byte at a time. */
	bad += hash_chunked(buf, 4099, 1) != xls_hash_buf(buf, 4099);
	TAP_CHECK(bad == 0);
	free(buf);
	return ok;
}

static bool test_hash_length(void)
{
	uint8_t zero[65] = { 0 };
	uint64_t h[65];
	unsigned int i, j, same = 0;
	bool ok = true;

	for (i = 0; i <= 64; i++)
		h[i] = xls_hash_buf(zero, i);
	for (i = 0; i <= 64; i++)
		for (j = i + 1; j <= 64; j++)
			same += h[i] == h[j];
	TAP_CHECK(same == 0);
	TAP_CHECK(xls_hash_buf("abc", 3) != xls_hash_buf("abc\0", 4));
	TAP_CHECK(xls_hash_buf("", 0) != xls_hash_buf("\0", 1));
	return ok;
}

static bool test_hash_bitflip(void)
{
	size_t len = 301, i;
	uint8_t *buf = stream_buf(3, len);
	uint64_t clean = xls_hash_buf(buf, len);
	unsigned int bit, missed = 0;
	bool ok = true;

	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= 1u << bit;
			missed += xls_hash_buf(buf, len) == clean;
			buf[i] ^= 1u << bit;
		}
	}
	TAP_CHECK(missed == 0);
	TAP_CHECK(xls_hash_buf(buf, len) == clean);
	free(buf);
	return ok;
}

static bool test_hash_final_peek(void)
{
	uint8_t *buf = stream_buf(5, 1000);
	struct xls_hash hs;
	bool ok = true;

	xls_hash_init(&hs);
	xls_hash_update(&hs, buf, 501);
	TAP_CHECK(xls_hash_final(&hs) == xls_hash_buf(buf, 501));
	xls_hash_update(&hs, buf + 501, 499);
	TAP_CHECK(xls_hash_final(&hs) == xls_hash_buf(buf, 1000));
	free(buf);
	return ok;
}

static bool test_verify_clean(void)
{
	size_t len = (1 << 20) + 5;
	uint8_t *buf = stream_buf(11, len);
	unsigned int i;
	bool ok = true;

	for (i = 0; i < 10; i++) {
		struct xls_verify v;

		xls_verify_init(&v, 11);
		verify_chunked(&v, buf, len, i & 1 ? 23 : 300000);
		TAP_CHECK(v.errors == 0 && v.first_error == -1);
		TAP_CHECK(v.off == len);
	}
	/* Resuming mid-stream at a misaligned offset. */
	{
		struct xls_verify v;

		xls_verify_init(&v, 11);
		v.off = 12345;
		verify_chunked(&v, buf + 12345, len - 12345, 999);
		TAP_CHECK(v.errors == 0 && v.first_error == -1);
	}
	free(buf);
	return ok;
}

static bool check_one_flip(uint8_t *buf, size_t len, size_t at,
			   size_t maxchunk)
{
	struct xls_verify v;
	bool good;

	buf[at] ^= 1u << rng_below(8);
	xls_verify_init(&v, 21);
	verify_chunked(&v, buf, len, maxchunk);
	good = v.errors == 1 && v.first_error == (int64_t)at;
	if (!good)
		tap_diag("flip at %zu: errors=%llu first_error=%lld", at,
			 (unsigned long long)v.errors,
			 (long long)v.first_error);
	xls_fill(21, at, buf + at, 1);
	return good;
}

static bool test_verify_bitflip(void)
{
	size_t small = 1031, big = 1 << 20, i;
	uint8_t *buf = stream_buf(21, big);
	unsigned int bad = 0;
	bool ok = true;

	for (i = 0; i < small && bad < 5; i++)
		bad += !check_one_flip(buf, small, i, 1 + i % 19);
	for (i = 0; i < 200 && bad < 5; i++)
		bad += !check_one_flip(buf, big, rng_below(big), 65536);
	/* The very last byte, read in one chunk and in odd pieces. */
	bad += !check_one_flip(buf, big, big - 1, big);
	bad += !check_one_flip(buf, big, big - 1, 7);
	TAP_CHECK(bad == 0);
	free(buf);
	return ok;
}

static bool test_verify_multi(void)
{
	size_t len = 100000, i, first = len;
	uint8_t *buf = stream_buf(31, len);
	uint8_t *hit = calloc(len, 1);
	uint64_t count = 0;
	struct xls_verify v;
	bool ok = true;

	/* Several bad bytes, some sharing a word, some adjacent. */
	for (i = 0; i < 300; i++) {
		size_t at = rng_below(len);

		if (i % 3 == 0 && at + 1 < len)
			at++;
		if (hit[at])
			continue;
		hit[at] = 1;
		buf[at] ^= (uint8_t)(1 + rng_below(255));
		count++;
		if (at < first)
			first = at;
	}
	xls_verify_init(&v, 31);
	verify_chunked(&v, buf, len, 4000);
	TAP_CHECK(v.errors == count);
	TAP_CHECK(v.first_error == (int64_t)first);
	free(hit);
	free(buf);
	return ok;
}

static bool test_verify_wrong_seed(void)
{
	size_t len = 65536;
	uint8_t *buf = stream_buf(1, len);
	struct xls_verify v;
	bool ok = true;

	xls_verify_init(&v, 2);
	xls_verify_update(&v, buf, len);
	/* Random bytes coincide with probability 1/256. */
	TAP_CHECK(v.errors > len * 98 / 100);
	TAP_CHECK(v.first_error >= 0 && v.first_error < 16);
	free(buf);
	return ok;
}

static bool test_parse_size(void)
{
	uint64_t v = 0;
	bool ok = true;

	TAP_CHECK(!xls_parse_size("0", &v) && v == 0);
	TAP_CHECK(!xls_parse_size("12345", &v) && v == 12345);
	TAP_CHECK(!xls_parse_size("64M", &v) && v == 64ull << 20);
	TAP_CHECK(!xls_parse_size("3k", &v) && v == 3072);
	TAP_CHECK(!xls_parse_size("2G", &v) && v == 2ull << 30);
	TAP_CHECK(!xls_parse_size("1T", &v) && v == 1ull << 40);
	TAP_CHECK(xls_parse_size("", &v));
	TAP_CHECK(xls_parse_size("-1", &v));
	TAP_CHECK(xls_parse_size("12Q", &v));
	TAP_CHECK(xls_parse_size("1MB", &v));
	TAP_CHECK(xls_parse_size(" 1", &v));
	TAP_CHECK(xls_parse_size("99999999999999999999", &v));
	TAP_CHECK(xls_parse_size("17179869184G", &v));
	TAP_CHECK(!xls_parse_u64("0x10", &v) && v == 16);
	TAP_CHECK(!xls_parse_u64("18446744073709551615", &v) && v == ~0ull);
	TAP_CHECK(xls_parse_u64("18446744073709551616", &v));
	TAP_CHECK(xls_parse_u64("-5", &v));
	TAP_CHECK(xls_parse_u64("5 ", &v));
	return ok;
}

static const struct tap_test tests[] = {
	{ test_published_vectors, "words match published SplitMix64 vectors" },
	{ test_word_matches_sequential, "words match sequential SplitMix64" },
	{ test_fill_offsets, "fill at any offset/length matches definition" },
	{ test_hash_reference, "hash matches byte-wise reference" },
	{ test_hash_chunking, "hash independent of chunk boundaries" },
	{ test_hash_length, "hash covers the length" },
	{ test_hash_bitflip, "hash changes on every single-bit flip" },
	{ test_hash_final_peek, "hash_final leaves state usable" },
	{ test_verify_clean, "verify accepts the stream in any chunking" },
	{ test_verify_bitflip, "verify finds a flipped bit at its offset" },
	{ test_verify_multi, "verify counts bad bytes and reports the first" },
	{ test_verify_wrong_seed, "verify rejects a stream with another seed" },
	{ test_parse_size, "size and number parsing" },
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
