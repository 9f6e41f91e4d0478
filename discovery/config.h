/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenloopd's policy file (/etc/xenloop/xenloopd.conf): parsing only.  The
 * parser works on a buffer and reports the first error as "FILE:LINE:
 * message", so it needs neither XenStore nor a file for its unit tests.
 */
#ifndef XL_CONFIG_H
#define XL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define XL_CONFIG_DEFAULT	"/etc/xenloop/xenloopd.conf"
#define XL_CONFIG_MAX_BYTES	(1024 * 1024)
#define XL_CONFIG_MAX_LINE	1024
#define XL_MAX_GROUPS		64
#define XL_GROUP_NAME_MAX	64
#define XL_GROUP_KEY_MAX	64
#define XL_GLOB_MAX		256

struct xl_group {
	char *name;
	unsigned int line;	/* of its [group NAME] header */
	char **globs;		/* name = GLOB */
	size_t nglobs;
	char **keys;		/* key = VALUE */
	size_t nkeys;
};

struct xl_config {
	struct xl_group *groups;
	size_t ngroups;
	char **deny;		/* [deny] name = GLOB */
	size_t ndeny;
};

/* config.c APIs: */
int xl_config_parse(const char *text, size_t len, const char *fname,
		    struct xl_config *cfg, char *err, size_t errlen);
int xl_config_load(const char *path, bool must_exist, struct xl_config *cfg,
		   char *err, size_t errlen);
void xl_config_free(struct xl_config *cfg);

#endif /* XL_CONFIG_H */
