/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lab tools (xlagent, xlstream, xlmsg, xlperf) share besides
 * sockets: how they complain, and the clock they time things with.
 */
#ifndef XL_TOOL_H
#define XL_TOOL_H

/*
 * The tool's name, which starts each of its messages so that a script
 * running several tools can tell who said what; each tool defines it.
 */
extern const char *const xl_prog;

/* One line on stderr, "xl_prog: " and the message. */
void xl_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCK_MONOTONIC in seconds: durations, immune to clock steps. */
double xl_now_s(void);

#endif /* XL_TOOL_H */
