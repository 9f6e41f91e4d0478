/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlagent wire protocol, version 1.
 *
 * Request (client -> server):
 *
 *	"XLA1 <timeout_seconds>\n" <command text> <half-close (SHUT_WR)>
 *
 * timeout_seconds is a plain unsigned decimal number, 0 meaning "no limit".
 * The command text is everything after the newline up to the half-close;
 * it is at most XLA_CMD_MAX bytes and may not contain NUL bytes since it
 * ends up as an argument to /bin/sh -c.
 *
 * Reply (server -> client) is a sequence of frames, all with one layout:
 *
 *	u8 type | be32 length | length bytes of payload
 *
 *	'O'  output of the command (stdout and stderr merged), length
 *	     0..XLA_FRAME_MAX.  A zero-length 'O' frame is a heartbeat that
 *	     the server sends while the command is silent, so that both ends
 *	     notice a peer that has gone away.
 *	'X'  exit status, payload is exactly 4 bytes: be32 status.  Always
 *	     the last frame.  Status is the exit code, 128 + signal number
 *	     if the command was killed by a signal, 124 on timeout and 255
 *	     if the request was rejected.
 *
 * 'X' carries an explicit length too, even though it is fixed, so that a
 * decoder needs one code path only and a future frame type can be skipped
 * or rejected without guessing its size.
 *
 * Everything here is pure logic with no I/O so the unit tests can cover it.
 */
#ifndef XLAGENT_PROTO_H
#define XLAGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define XLA_MAGIC		"XLA1"
#define XLA_DEFAULT_PORT	5555
#define XLA_FRAME_HDR		5
#define XLA_FRAME_MAX		65536u
#define XLA_EXIT_LEN		4u
#define XLA_CMD_MAX		(1u << 20)
/* "XLA1 " + up to 10 digits + '\n', with generous slack. */
#define XLA_HDR_MAX		64
/* Sane upper bound for a timeout (~115 days); keeps arithmetic in range. */
#define XLA_TIMEOUT_MAX		10000000ul

#define XLA_T_OUTPUT		'O'
#define XLA_T_EXIT		'X'

#define XLA_STATUS_TIMEOUT	124
#define XLA_STATUS_ERROR	255

struct xla_frame {
	uint8_t type;
	uint32_t len;
	const uint8_t *data;
};

static inline void xla_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline uint32_t xla_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Write the 5-byte frame header; the payload follows it on the wire. */
static inline size_t xla_frame_hdr_encode(uint8_t *buf, uint8_t type,
					  uint32_t len)
{
	buf[0] = type;
	xla_put_be32(buf + 1, len);
	return XLA_FRAME_HDR;
}

/* A complete 'X' frame; buf must hold XLA_FRAME_HDR + XLA_EXIT_LEN bytes. */
static inline size_t xla_exit_encode(uint8_t *buf, uint32_t status)
{
	xla_frame_hdr_encode(buf, XLA_T_EXIT, XLA_EXIT_LEN);
	xla_put_be32(buf + XLA_FRAME_HDR, status);
	return XLA_FRAME_HDR + XLA_EXIT_LEN;
}

/*
 * Decode one frame from the start of buf.  Returns the number of bytes the
 * frame occupies (> 0), 0 if buf does not hold a complete frame yet, or -1
 * if the bytes cannot be a valid frame.  Headers are validated as soon as
 * they are complete, so a corrupt or hostile length is rejected before the
 * caller waits (forever) for a payload that will never fit its buffer.
 * On success f->data points into buf.
 */
static inline long xla_frame_decode(const uint8_t *buf, size_t avail,
				    struct xla_frame *f)
{
	uint32_t len;

	if (avail < XLA_FRAME_HDR)
		return 0;
	len = xla_get_be32(buf + 1);
	switch (buf[0]) {
	case XLA_T_OUTPUT:
		if (len > XLA_FRAME_MAX)
			return -1;
		break;
	case XLA_T_EXIT:
		if (len != XLA_EXIT_LEN)
			return -1;
		break;
	default:
		return -1;
	}
	if (avail - XLA_FRAME_HDR < len)
		return 0;
	f->type = buf[0];
	f->len = len;
	f->data = buf + XLA_FRAME_HDR;
	return (long)(XLA_FRAME_HDR + len);
}

/* Status carried by a decoded 'X' frame. */
static inline uint32_t xla_frame_status(const struct xla_frame *f)
{
	return xla_get_be32(f->data);
}

/*
 * Format the request header line; returns its length or -1 if it does not
 * fit in size bytes (no NUL terminator is written: it is wire data).
 */
static inline int xla_header_encode(char *buf, size_t size,
				    unsigned long timeout)
{
	const size_t mlen = sizeof(XLA_MAGIC) - 1;
	char digits[24];
	size_t ndig = 0, len;

	if (timeout > XLA_TIMEOUT_MAX)
		return -1;
	do {
		digits[ndig++] = '0' + timeout % 10;
		timeout /= 10;
	} while (timeout);
	len = mlen + 1 + ndig + 1;
	if (len > size)
		return -1;
	memcpy(buf, XLA_MAGIC, mlen);
	buf[mlen] = ' ';
	while (ndig--)
		buf[len - 2 - ndig] = digits[ndig];
	buf[len - 1] = '\n';
	return (int)len;
}

/*
 * Parse a request header line without its '\n' (line need not be NUL
 * terminated).  Deliberately strict: exactly one space, digits only, no
 * sign, no leading junk, so that a client speaking some other protocol
 * (or a port scanner) is told off instead of having its bytes executed.
 */
static inline int xla_header_parse(const char *line, size_t len,
				   unsigned long *timeout)
{
	const size_t mlen = sizeof(XLA_MAGIC) - 1;
	unsigned long v = 0;
	size_t i;

	if (len < mlen + 2 || memcmp(line, XLA_MAGIC, mlen) != 0 ||
	    line[mlen] != ' ')
		return -1;
	for (i = mlen + 1; i < len; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(line[i] - '0');
		if (v > XLA_TIMEOUT_MAX)
			return -1;
	}
	*timeout = v;
	return 0;
}

#endif /* XLAGENT_PROTO_H */
