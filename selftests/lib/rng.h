/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xorshift64*: pseudo-random input that is the same on every run from the
 * same seed, so that a failing test or a scripted attack reproduces.  Each
 * program keeps (and seeds) its own state, independent of anything the
 * code under test generates.
 */
#ifndef XL_RNG_H
#define XL_RNG_H

#include <stdint.h>

static inline uint64_t xl_rng(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

#endif /* XL_RNG_H */
