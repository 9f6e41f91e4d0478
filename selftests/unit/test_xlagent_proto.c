// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the xlagent wire format helpers (xlagent_proto.h):
 * framing round trips, incremental decoding, and rejection of input a
 * confused or hostile peer might send.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xlagent_proto.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	return xl_rng(&rng_state);
}

static bool test_be32(void)
{
	static const uint32_t vals[] = { 0, 1, 0xff, 0x100, 0x12345678,
					 0x80000000u, 0xffffffffu };
	uint8_t b[4];
	unsigned int i;
	bool ok = true;

	xla_put_be32(b, 0x01020304);
	TAP_CHECK(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4);
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		xla_put_be32(b, vals[i]);
		TAP_CHECK(xla_get_be32(b) == vals[i]);
	}
	return ok;
}

static bool test_output_roundtrip(void)
{
	static uint8_t buf[XLA_FRAME_HDR + XLA_FRAME_MAX + 3];
	static const uint32_t lens[] = { 0, 1, 5, 4096, XLA_FRAME_MAX };
	struct xla_frame f;
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		uint32_t j, len = lens[i];

		for (j = 0; j < len; j++)
			buf[XLA_FRAME_HDR + j] = (uint8_t)(j * 7 + i);
		TAP_CHECK(xla_frame_hdr_encode(buf, XLA_T_OUTPUT, len) ==
			  XLA_FRAME_HDR);
		TAP_CHECK(buf[0] == 'O' && xla_get_be32(buf + 1) == len);
		/* Trailing bytes of a next frame must not be consumed. */
		memset(&f, 0, sizeof(f));
		TAP_CHECK(xla_frame_decode(buf, XLA_FRAME_HDR + len + 3, &f) ==
			  (long)(XLA_FRAME_HDR + len));
		TAP_CHECK(f.type == XLA_T_OUTPUT && f.len == len &&
			  f.data == buf + XLA_FRAME_HDR);
	}
	return ok;
}

static bool test_exit_roundtrip(void)
{
	static const uint32_t st[] = { 0, 1, 3, 124, 137, 255 };
	uint8_t buf[XLA_FRAME_HDR + XLA_EXIT_LEN];
	struct xla_frame f;
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(st); i++) {
		TAP_CHECK(xla_exit_encode(buf, st[i]) == sizeof(buf));
		TAP_CHECK(buf[0] == 'X');
		TAP_CHECK(xla_frame_decode(buf, sizeof(buf), &f) ==
			  (long)sizeof(buf));
		TAP_CHECK(f.type == XLA_T_EXIT && f.len == XLA_EXIT_LEN &&
			  xla_frame_status(&f) == st[i]);
	}
	return ok;
}

static bool test_truncated(void)
{
	uint8_t buf[XLA_FRAME_HDR + 100];
	struct xla_frame f;
	size_t i;
	bool ok = true;

	memset(buf, 'z', sizeof(buf));
	xla_frame_hdr_encode(buf, XLA_T_OUTPUT, 100);
	for (i = 0; i < sizeof(buf); i++)
		TAP_CHECK(xla_frame_decode(buf, i, &f) == 0);
	TAP_CHECK(xla_frame_decode(buf, sizeof(buf), &f) ==
		  (long)sizeof(buf));
	xla_exit_encode(buf, 7);
	for (i = 0; i < XLA_FRAME_HDR + XLA_EXIT_LEN; i++)
		TAP_CHECK(xla_frame_decode(buf, i, &f) == 0);
	return ok;
}

static bool test_rejects(void)
{
	uint8_t buf[XLA_FRAME_HDR + 16] = { 0 };
	struct xla_frame f;
	bool ok = true;

	/* Oversized: rejected from the header alone, no payload needed. */
	xla_frame_hdr_encode(buf, XLA_T_OUTPUT, XLA_FRAME_MAX + 1);
	TAP_CHECK(xla_frame_decode(buf, XLA_FRAME_HDR, &f) == -1);
	xla_frame_hdr_encode(buf, XLA_T_OUTPUT, 0xffffffffu);
	TAP_CHECK(xla_frame_decode(buf, XLA_FRAME_HDR, &f) == -1);
	/* Exit frames have exactly four payload bytes. */
	xla_frame_hdr_encode(buf, XLA_T_EXIT, 3);
	TAP_CHECK(xla_frame_decode(buf, sizeof(buf), &f) == -1);
	xla_frame_hdr_encode(buf, XLA_T_EXIT, 5);
	TAP_CHECK(xla_frame_decode(buf, sizeof(buf), &f) == -1);
	xla_frame_hdr_encode(buf, XLA_T_EXIT, 0);
	TAP_CHECK(xla_frame_decode(buf, sizeof(buf), &f) == -1);
	/* Unknown types, including lower case and NUL. */
	xla_frame_hdr_encode(buf, 'o', 1);
	TAP_CHECK(xla_frame_decode(buf, sizeof(buf), &f) == -1);
	xla_frame_hdr_encode(buf, 0, 0);
	TAP_CHECK(xla_frame_decode(buf, sizeof(buf), &f) == -1);
	/* Something that is not the protocol at all, e.g. an HTTP reply. */
	memcpy(buf, "HTTP/1.1 400", 12);
	TAP_CHECK(xla_frame_decode(buf, 12, &f) == -1);
	return ok;
}

/*
 * A reply stream of many frames, delivered in random pieces into a
 * receive buffer the way the client does it, must decode to exactly the
 * frames that were encoded.
 */
static bool test_stream_decode(void)
{
	static uint8_t wire[1 << 20], rx[2 * (XLA_FRAME_HDR + XLA_FRAME_MAX)];
	uint32_t lens[200];
	size_t wlen = 0, pos = 0, have = 0, got_bytes = 0, want_bytes = 0;
	unsigned int nframes = 0, i, decoded = 0, bad = 0;
	bool ok = true, seen_exit = false;

	for (i = 0; i < 200; i++) {
		uint32_t len = rng() % 6000, j;

		if (i % 50 == 7)
			len = 0;	/* heartbeat */
		if (wlen + XLA_FRAME_HDR + len > sizeof(wire) - 16)
			break;
		xla_frame_hdr_encode(wire + wlen, XLA_T_OUTPUT, len);
		for (j = 0; j < len; j++)
			wire[wlen + XLA_FRAME_HDR + j] = (uint8_t)(i + j);
		wlen += XLA_FRAME_HDR + len;
		want_bytes += len;
		lens[nframes++] = len;
	}
	wlen += xla_exit_encode(wire + wlen, 42);

	while (pos < wlen && !seen_exit) {
		size_t n = 1 + rng() % 9000, off = 0;
		struct xla_frame f;
		long used;

		if (n > wlen - pos)
			n = wlen - pos;
		if (n > sizeof(rx) - have)
			n = sizeof(rx) - have;
		memcpy(rx + have, wire + pos, n);
		pos += n;
		have += n;
		while ((used = xla_frame_decode(rx + off, have - off,
						&f)) > 0) {
			off += used;
			if (f.type == XLA_T_EXIT) {
				seen_exit = true;
				bad += xla_frame_status(&f) != 42;
				bad += decoded != nframes;
				break;
			}
			if (decoded >= nframes || f.len != lens[decoded]) {
				bad++;
				break;
			}
			for (i = 0; i < f.len; i++)
				bad += f.data[i] != (uint8_t)(decoded + i);
			got_bytes += f.len;
			decoded++;
		}
		bad += used < 0;
		memmove(rx, rx + off, have - off);
		have -= off;
	}
	TAP_CHECK(seen_exit);
	TAP_CHECK(bad == 0);
	TAP_CHECK(got_bytes == want_bytes);
	TAP_CHECK(pos == wlen);
	return ok;
}

static bool parses(const char *s, unsigned long *t)
{
	return xla_header_parse(s, strlen(s), t) == 0;
}

static bool test_header(void)
{
	char buf[XLA_HDR_MAX];
	unsigned long t = 99;
	int n;
	bool ok = true;

	n = xla_header_encode(buf, sizeof(buf), 30);
	TAP_CHECK(n == 8 && !memcmp(buf, "XLA1 30\n", 8));
	/* Parse takes the line without its newline. */
	TAP_CHECK(xla_header_parse(buf, n - 1, &t) == 0 && t == 30);
	TAP_CHECK(parses("XLA1 0", &t) && t == 0);
	TAP_CHECK(parses("XLA1 10000000", &t) && t == XLA_TIMEOUT_MAX);
	TAP_CHECK(xla_header_encode(buf, sizeof(buf), XLA_TIMEOUT_MAX + 1) <
		  0);
	TAP_CHECK(xla_header_encode(buf, 4, 1) < 0);
	TAP_CHECK(!parses("XLA1 10000001", &t));
	TAP_CHECK(!parses("XLA1 99999999999999999999999", &t));
	TAP_CHECK(!parses("", &t));
	TAP_CHECK(!parses("XLA1", &t));
	TAP_CHECK(!parses("XLA1 ", &t));
	TAP_CHECK(!parses("XLA2 5", &t));
	TAP_CHECK(!parses("xla1 5", &t));
	TAP_CHECK(!parses("XLA1  5", &t));
	TAP_CHECK(!parses("XLA1 -5", &t));
	TAP_CHECK(!parses("XLA1 +5", &t));
	TAP_CHECK(!parses("XLA1 5x", &t));
	TAP_CHECK(!parses("XLA1 5\r", &t));
	TAP_CHECK(!parses("GET / HTTP/1.0", &t));
	/* Length is honoured: bytes after len are not looked at. */
	TAP_CHECK(xla_header_parse("XLA1 12junk", 7, &t) == 0 && t == 12);
	return ok;
}

static const struct tap_test tests[] = {
	{ test_be32, "big-endian helpers" },
	{ test_output_roundtrip, "output frame encode/decode round trip" },
	{ test_exit_roundtrip, "exit frame encode/decode round trip" },
	{ test_truncated, "truncated frames ask for more data" },
	{ test_rejects, "oversized, malformed and unknown frames rejected" },
	{ test_stream_decode, "frame stream decodes across random splits" },
	{ test_header, "request header encode/parse" },
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
