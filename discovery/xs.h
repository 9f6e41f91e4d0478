/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XenStore helpers on top of libxenstore: length-capped reads, printf
 * writes, recursive removal that tolerates ENOENT, directories with
 * explicit permissions, and transactions retried on EAGAIN.
 */
#ifndef XL_XS_H
#define XL_XS_H

#include <stdbool.h>
#include <stddef.h>

#include <xenstore.h>
#include <xenloop/protocol.h>

typedef int (*xl_xs_txn_fn)(struct xs_handle *xs, xs_transaction_t t,
			    void *arg);

/* xs.c APIs: */
char *xl_xs_read(struct xs_handle *xs, xs_transaction_t t, const char *path,
		 size_t max, size_t *len);
bool xl_xs_printf(struct xs_handle *xs, xs_transaction_t t, const char *path,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool xl_xs_rm(struct xs_handle *xs, xs_transaction_t t, const char *path);
bool xl_xs_mkdir_perms(struct xs_handle *xs, xs_transaction_t t,
		       const char *path, const char *perms);
bool xl_xs_perms_equal(struct xs_handle *xs, xs_transaction_t t,
		       const char *path, const char *perms);
char **xl_xs_dir(struct xs_handle *xs, xs_transaction_t t, const char *path,
		 unsigned int *n);
int xl_xs_transact(struct xs_handle *xs, xl_xs_txn_fn fn, void *arg);
int xl_xs_parse_perms(const char *s, struct xs_permissions *p,
		      unsigned int max);

#endif /* XL_XS_H */
