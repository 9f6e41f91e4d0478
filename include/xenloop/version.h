/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Version of the xenloop sources.  Shared by the guest module, xenloopd and
 * the tests so that every component reports the same string.
 */
#ifndef _XENLOOP_VERSION_H
#define _XENLOOP_VERSION_H

#define XENLOOP_VERSION "0.1.0"

#endif /* _XENLOOP_VERSION_H */
