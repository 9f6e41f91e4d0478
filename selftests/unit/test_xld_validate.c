// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for xenloopd's value parsers (discovery/validate.c): every
 * value a guest writes is untrusted, so each grammar is checked at its
 * edges, with embedded NULs, and against random bytes.
 */
#include <string.h>

#include "tap.h"
#include "validate.h"

/* The parsers on a string literal, including any NUL written into it. */
#define PARSE(fn, lit, out)	fn(lit, sizeof(lit) - 1, out)
#define VALID(lit, len)		xl_valid_token(lit, sizeof(lit) - 1, len)

static bool test_version(void)
{
	unsigned int v = 0;
	bool ok = true;

	TAP_CHECK(PARSE(xl_parse_version, "1", &v) && v == 1);
	TAP_CHECK(PARSE(xl_parse_version, "65535", &v) && v == 65535);
	TAP_CHECK(PARSE(xl_parse_version, "42", &v) && v == 42);
	TAP_CHECK(!PARSE(xl_parse_version, "0", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "65536", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "01", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "+1", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "-1", &v));
	TAP_CHECK(!PARSE(xl_parse_version, " 1", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "1 ", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "1\n", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "1\0", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "0x1", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "1a", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "000000001", &v));
	TAP_CHECK(!PARSE(xl_parse_version, "99999999999999999999999", &v));
	/* The length is what counts, not a terminator. */
	TAP_CHECK(xl_parse_version("12", 1, &v) && v == 1);
	return ok;
}

static bool test_features(void)
{
	uint32_t f = 1;
	bool ok = true;

	TAP_CHECK(PARSE(xl_parse_features, "0x0", &f) && f == 0);
	TAP_CHECK(PARSE(xl_parse_features, "0x0000000f", &f) && f == 0xf);
	TAP_CHECK(PARSE(xl_parse_features, "0xFFFFFFFF", &f) && f == 0xffffffff);
	TAP_CHECK(PARSE(xl_parse_features, "0xdeadBEEF", &f) && f == 0xdeadbeef);
	TAP_CHECK(!PARSE(xl_parse_features, "0x", &f));
	TAP_CHECK(!PARSE(xl_parse_features, "0x000000000", &f));
	TAP_CHECK(!PARSE(xl_parse_features, "0X1", &f));
	TAP_CHECK(!PARSE(xl_parse_features, "1", &f));
	TAP_CHECK(!PARSE(xl_parse_features, "0xg", &f));
	TAP_CHECK(!PARSE(xl_parse_features, "0x1 ", &f));
	TAP_CHECK(!PARSE(xl_parse_features, "0x1\0", &f));
	TAP_CHECK(!PARSE(xl_parse_features, " 0x1", &f));
	TAP_CHECK(!PARSE(xl_parse_features, "", &f));
	return ok;
}

static bool test_mac(void)
{
	uint8_t mac[XL_MAC_LEN];
	char out[XL_MAC_STRLEN + 1];
	bool ok = true;

	TAP_CHECK(PARSE(xl_parse_mac, "00:16:3e:55:00:01", mac));
	xl_format_mac(mac, out);
	TAP_CHECK(!strcmp(out, "00:16:3e:55:00:01"));
	TAP_CHECK(PARSE(xl_parse_mac, "AA:BB:CC:DD:EE:FF", mac));
	xl_format_mac(mac, out);
	TAP_CHECK(!strcmp(out, "aa:bb:cc:dd:ee:ff"));
	TAP_CHECK(!PARSE(xl_parse_mac, "00:16:3e:55:00", mac));
	TAP_CHECK(!PARSE(xl_parse_mac, "00:16:3e:55:00:01:02", mac));
	TAP_CHECK(!PARSE(xl_parse_mac, "00-16-3e-55-00-01", mac));
	TAP_CHECK(!PARSE(xl_parse_mac, "0:16:3e:55:00:011", mac));
	TAP_CHECK(!PARSE(xl_parse_mac, "00:16:3e:55:00:0g", mac));
	TAP_CHECK(!PARSE(xl_parse_mac, "00:16:3e:55:00:0\0", mac));
	TAP_CHECK(!PARSE(xl_parse_mac, "", mac));
	return ok;
}

static bool test_ids(void)
{
	unsigned int a = 0, b = 0;
	uint64_t g = 0;
	bool ok = true;

	TAP_CHECK(xl_parse_domid("0", &a) && a == 0);
	TAP_CHECK(xl_parse_domid("32751", &a) && a == 32751);
	TAP_CHECK(!xl_parse_domid("32752", &a));
	TAP_CHECK(!xl_parse_domid("07", &a));
	TAP_CHECK(!xl_parse_domid("", &a));
	TAP_CHECK(!xl_parse_domid("pairs", &a));
	TAP_CHECK(xl_parse_pair("3-12", &a, &b) && a == 3 && b == 12);
	TAP_CHECK(!xl_parse_pair("12-3", &a, &b));
	TAP_CHECK(!xl_parse_pair("3-3", &a, &b));
	TAP_CHECK(!xl_parse_pair("3-", &a, &b));
	TAP_CHECK(!xl_parse_pair("-3", &a, &b));
	TAP_CHECK(!xl_parse_pair("3-4-5", &a, &b));
	TAP_CHECK(!xl_parse_pair("3", &a, &b));
	TAP_CHECK(PARSE(xl_parse_u64, "18446744073709551615", &g) &&
		  g == UINT64_MAX);
	TAP_CHECK(!PARSE(xl_parse_u64, "18446744073709551616", &g));
	TAP_CHECK(!PARSE(xl_parse_u64, "1x", &g));
	TAP_CHECK(VALID("blue-1.a_b:c", 64));
	TAP_CHECK(!VALID("blue 1", 64));
	TAP_CHECK(!VALID("", 64));
	TAP_CHECK(!VALID("abc", 2));
	return ok;
}

/* Random bytes never crash a parser, and whatever passes re-formats. */
static bool test_random(void)
{
	uint64_t rng = 0x5eed;
	unsigned int i, v;
	bool ok = true;

	for (i = 0; i < 200000; i++) {
		char buf[24];
		size_t len = xl_rng(&rng) % sizeof(buf), k;
		uint8_t mac[XL_MAC_LEN];
		uint32_t f;

		for (k = 0; k < len; k++) {
			uint64_t r = xl_rng(&rng);

			/* Mostly characters of the grammars, some noise. */
			buf[k] = r & 0x100 ? "0123456789abcdefx:ABCDEF"[r % 24] :
					     (char)r;
		}
		if (xl_parse_version(buf, len, &v))
			TAP_CHECK(v >= 1 && v <= 65535 && len <= 5);
		if (xl_parse_features(buf, len, &f))
			TAP_CHECK(len >= 3 && len <= 10 && buf[1] == 'x');
		if (xl_parse_mac(buf, len, mac))
			TAP_CHECK(len == XL_MAC_STRLEN);
	}
	return ok;
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ test_version, "version: decimal 1..65535, strict" },
		{ test_features, "features: 0x and 1-8 hex digits, strict" },
		{ test_mac, "MAC: six hex pairs, formatted lower case" },
		{ test_ids, "domids, pair names, generations, tokens" },
		{ test_random, "200000 random values: no crash, only valid accepted" },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
