// SPDX-License-Identifier: GPL-2.0
/*
 * linebuf - line-buffered stdout for programs the lab does not own.
 *
 * Linked into the kernel's tcp_mmap selftest (selftests/Makefile): its
 * server prints one report line per connection and never exits, and a
 * file as stdout is fully buffered, so the lines would stay in the buffer
 * until the process is killed, and be lost.  This runs before main().
 */
#include <stdio.h>

static void __attribute__((constructor)) linebuf_stdout(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
