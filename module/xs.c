// SPDX-License-Identifier: GPL-2.0
/*
 * XenStore helpers shared by the control plane: a bounded string read and
 * transactions retried on conflict, as xenloopd's discovery/xs.c has them.
 */
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/xenbus.h>

#include <xenloop/protocol.h>

#include "xs.h"

/*
 * Read @dir/@node as a string of at most @len - 1 bytes without NUL;
 * -EINVAL if it is longer or holds a NUL.
 */
int xl_xs_read_str(struct xenbus_transaction t, const char *dir,
		   const char *node, char *buf, size_t len)
{
	unsigned int n;
	char *v = xenbus_read(t, dir, node, &n);

	if (IS_ERR(v))
		return PTR_ERR(v);
	if (n >= len || strnlen(v, n + 1) != n) {
		kfree(v);
		return -EINVAL;
	}
	memcpy(buf, v, n + 1);
	kfree(v);
	return 0;
}

/*
 * Run @fn inside a XenStore transaction, as xenloopd's xl_xs_transact():
 * @fn returns a negative errno to abort, anything else to commit, and
 * that is what this returns once the commit went through.  A commit that
 * fails with -EAGAIN (something @fn read changed meanwhile) runs @fn
 * again, up to XENLOOP_XS_RETRIES times.  Read-only transactions commit
 * too: xenstored checks what a transaction read only when it commits, so
 * an aborted one may have seen half of another domain's transaction.
 */
int xl_xs_transact(int (*fn)(struct xenbus_transaction t, void *arg),
		   void *arg)
{
	struct xenbus_transaction t;
	int tries, ret, end;

	for (tries = 0; tries < XENLOOP_XS_RETRIES; tries++) {
		ret = xenbus_transaction_start(&t);
		if (ret)
			return ret;
		ret = fn(t, arg);
		if (ret < 0) {
			xenbus_transaction_end(t, 1);
			return ret;
		}
		end = xenbus_transaction_end(t, 0);
		if (end != -EAGAIN)
			return end ?: ret;
	}
	return -EAGAIN;
}
