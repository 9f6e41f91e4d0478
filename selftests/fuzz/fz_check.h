/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the FIFO fuzz harnesses (fuzz_fifo_rx.c, fuzz_fifo_tx.c) share
 * besides the input format: how a broken invariant is reported, in one
 * format that scripts/fuzz.sh picks out of the log, and record sizes in
 * the 32-bit index arithmetic of the format.
 */
#ifndef XL_FZ_CHECK_H
#define XL_FZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include "fifo.h"

#define FZ_HDR	16u

static inline void __attribute__((noreturn))
fz_fail(const char *file, unsigned int line, const char *what)
{
	fprintf(stderr, "%s:%u: invariant violated: %s\n", file, line, what);
	abort();
}

/* An invariant: a libFuzzer crash, at the harness's line, if it fails. */
#define FZ_CHECK(e) do { if (!(e)) fz_fail(__FILE__, __LINE__, #e); } while (0)

/* XL_REC_SPACE() is size_t: keep index arithmetic in 32 bits. */
static inline u32 rec_space(u32 len)
{
	return XL_REC_SPACE(len);
}

#endif /* XL_FZ_CHECK_H */
