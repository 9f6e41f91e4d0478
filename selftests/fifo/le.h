/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw little-endian access to the wire format, independent of fifo.c:
 * the tests and fuzzers read and write shared pages as a peer would.
 */
#ifndef _XENLOOP_TEST_LE_H
#define _XENLOOP_TEST_LE_H

#include <stdint.h>

static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;

	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint16_t get_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline void put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

#endif /* _XENLOOP_TEST_LE_H */
