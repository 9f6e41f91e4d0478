/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XENLOOP_XS_H
#define _XENLOOP_XS_H

#include <linux/types.h>
#include <xen/xenbus.h>

/* xs.c APIs: */
int xl_xs_read_str(struct xenbus_transaction t, const char *dir,
		   const char *node, char *buf, size_t len);
int xl_xs_transact(int (*fn)(struct xenbus_transaction t, void *arg),
		   void *arg);

#endif /* _XENLOOP_XS_H */
