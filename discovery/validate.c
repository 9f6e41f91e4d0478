// SPDX-License-Identifier: GPL-2.0
/*
 * Strict value parsers (see validate.h).  The rule throughout: the whole
 * value must match the grammar exactly, with no leading or trailing
 * whitespace, sign, NUL or leading zero; anything else is rejected rather
 * than repaired.
 */
#include <stdio.h>
#include <string.h>

#include <xenloop/protocol.h>

#include "validate.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal without sign or leading zero ("0" itself allowed), max digits. */
static bool parse_dec(const char *buf, size_t len, size_t maxdigits,
		      uint64_t *val)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > maxdigits)
		return false;
	if (buf[0] == '0' && len > 1)
		return false;
	for (i = 0; i < len; i++) {
		unsigned int d;

		if (!is_digit(buf[i]))
			return false;
		d = buf[i] - '0';
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*val = v;
	return true;
}

/* Protocol version: decimal 1..65535, at most XENLOOP_VERSION_MAXLEN. */
bool xl_parse_version(const char *buf, size_t len, unsigned int *version)
{
	uint64_t v;

	if (!parse_dec(buf, len, XENLOOP_VERSION_MAXLEN, &v))
		return false;
	if (v < 1 || v > XENLOOP_PROTO_VERSION_MAX)
		return false;
	*version = (unsigned int)v;
	return true;
}

/* Feature bits: "0x" followed by 1 to 8 hex digits of either case. */
bool xl_parse_features(const char *buf, size_t len, uint32_t *features)
{
	uint32_t v = 0;
	size_t i;

	if (len < 3 || len > XENLOOP_FEATURES_MAXLEN)
		return false;
	if (buf[0] != '0' || buf[1] != 'x')
		return false;
	for (i = 2; i < len; i++) {
		int h = hex_val(buf[i]);

		if (h < 0)
			return false;
		v = (v << 4) | (uint32_t)h;
	}
	*features = v;
	return true;
}

/* MAC: exactly six colon-separated pairs of hex digits. */
bool xl_parse_mac(const char *buf, size_t len, uint8_t mac[XL_MAC_LEN])
{
	size_t i;

	if (len != XL_MAC_STRLEN)
		return false;
	for (i = 0; i < XL_MAC_LEN; i++) {
		int hi = hex_val(buf[i * 3]), lo = hex_val(buf[i * 3 + 1]);

		if (hi < 0 || lo < 0)
			return false;
		if (i < XL_MAC_LEN - 1 && buf[i * 3 + 2] != ':')
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void xl_format_mac(const uint8_t mac[XL_MAC_LEN], char out[XL_MAC_STRLEN + 1])
{
	snprintf(out, XL_MAC_STRLEN + 1, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Generations: decimal u64, 1 to 20 digits. */
bool xl_parse_u64(const char *buf, size_t len, uint64_t *val)
{
	return parse_dec(buf, len, 20, val);
}

/* A domid as a XenStore directory name (NUL-terminated, dom0-written). */
bool xl_parse_domid(const char *s, unsigned int *domid)
{
	uint64_t v;

	if (!parse_dec(s, strlen(s), 5, &v) || v > XL_DOMID_MAX)
		return false;
	*domid = (unsigned int)v;
	return true;
}

/* A pair directory name "<lo>-<hi>" with lo < hi. */
bool xl_parse_pair(const char *s, unsigned int *lo, unsigned int *hi)
{
	const char *dash = strchr(s, '-');
	uint64_t a, b;

	if (!dash)
		return false;
	if (!parse_dec(s, dash - s, 5, &a) ||
	    !parse_dec(dash + 1, strlen(dash + 1), 5, &b))
		return false;
	if (a >= b || b > XL_DOMID_MAX)
		return false;
	*lo = (unsigned int)a;
	*hi = (unsigned int)b;
	return true;
}

/*
 * A token such as a group key or group name: 1..max characters from
 * [A-Za-z0-9._:-].
 */
bool xl_valid_token(const char *buf, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len > max)
		return false;
	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (!(is_digit(c) || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
		      c == '-' || c == ':'))
			return false;
	}
	return true;
}
