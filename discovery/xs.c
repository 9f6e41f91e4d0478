// SPDX-License-Identifier: GPL-2.0
/*
 * XenStore helpers (see xs.h).  Permission lists are written as in
 * xenstore-chmod: "n0 r5 b7" = owner dom0 with no access for others, read
 * for domain 5, read and write for domain 7.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xs.h"

#define XL_MAX_PERMS	8

/*
 * Read PATH; NULL with errno ENOENT if absent, E2BIG if longer than max.
 * The result is NUL-terminated, but may contain NULs: use *len.
 */
char *xl_xs_read(struct xs_handle *xs, xs_transaction_t t, const char *path,
		 size_t max, size_t *len)
{
	unsigned int n;
	char *v = xs_read(xs, t, path, &n);

	if (!v)
		return NULL;
	if (n > max) {
		free(v);
		errno = E2BIG;
		return NULL;
	}
	if (len)
		*len = n;
	return v;
}

bool xl_xs_printf(struct xs_handle *xs, xs_transaction_t t, const char *path,
		  const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = E2BIG;
		return false;
	}
	return xs_write(xs, t, path, buf, n);
}

bool xl_xs_rm(struct xs_handle *xs, xs_transaction_t t, const char *path)
{
	return xs_rm(xs, t, path) || errno == ENOENT;
}

int xl_xs_parse_perms(const char *s, struct xs_permissions *p,
		      unsigned int max)
{
	unsigned int n = 0;

	while (*s) {
		char *end;
		unsigned long id;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (n == max)
			return -1;
		switch (*s) {
		case 'n':
			p[n].perms = XS_PERM_NONE;
			break;
		case 'r':
			p[n].perms = XS_PERM_READ;
			break;
		case 'w':
			p[n].perms = XS_PERM_WRITE;
			break;
		case 'b':
			p[n].perms = XS_PERM_READ | XS_PERM_WRITE;
			break;
		default:
			return -1;
		}
		id = strtoul(s + 1, &end, 10);
		if (end == s + 1)
			return -1;
		p[n++].id = (unsigned int)id;
		s = end;
	}
	return (int)n;
}

/* Create PATH (if needed) and give it exactly the permissions PERMS. */
bool xl_xs_mkdir_perms(struct xs_handle *xs, xs_transaction_t t,
		       const char *path, const char *perms)
{
	struct xs_permissions p[XL_MAX_PERMS];
	int n = xl_xs_parse_perms(perms, p, XL_MAX_PERMS);

	if (n <= 0) {
		errno = EINVAL;
		return false;
	}
	if (!xs_mkdir(xs, t, path))
		return false;
	return xs_set_permissions(xs, t, path, p, n);
}

bool xl_xs_perms_equal(struct xs_handle *xs, xs_transaction_t t,
		       const char *path, const char *perms)
{
	struct xs_permissions want[XL_MAX_PERMS], *have;
	unsigned int nhave, i;
	int nwant = xl_xs_parse_perms(perms, want, XL_MAX_PERMS);
	bool eq;

	have = xs_get_permissions(xs, t, path, &nhave);
	if (!have)
		return false;
	eq = nwant > 0 && nhave == (unsigned int)nwant;
	for (i = 0; eq && i < nhave; i++)
		eq = have[i].id == want[i].id &&
		     (have[i].perms & (XS_PERM_READ | XS_PERM_WRITE)) ==
		     want[i].perms;
	free(have);
	return eq;
}

char **xl_xs_dir(struct xs_handle *xs, xs_transaction_t t, const char *path,
		 unsigned int *n)
{
	char **d = xs_directory(xs, t, path, n);

	if (!d)
		*n = 0;
	return d;
}

/*
 * Run fn inside a transaction.  fn returns 0 to commit, a negative errno
 * to abort.  A commit that fails with EAGAIN (someone else changed what
 * we read) runs fn again, up to XENLOOP_XS_RETRIES times.
 */
int xl_xs_transact(struct xs_handle *xs, xl_xs_txn_fn fn, void *arg)
{
	uint64_t t0 = xl_now_ms();
	int i, ret = -EAGAIN;

	for (i = 0; i < XENLOOP_XS_RETRIES; i++) {
		xs_transaction_t t = xs_transaction_start(xs);

		if (t == XBT_NULL) {
			ret = -errno;
			break;
		}
		ret = fn(xs, t, arg);
		if (ret) {
			xs_transaction_end(xs, t, true);
			break;
		}
		if (xs_transaction_end(xs, t, false))
			break;
		ret = -errno;
		if (errno != EAGAIN)
			break;
	}
	if (i || xl_now_ms() - t0 > 100)
		xl_dbg("transaction: %d retries, %" PRIu64 " ms", i,
		       xl_now_ms() - t0);
	return ret;
}
