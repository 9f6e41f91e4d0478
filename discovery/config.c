// SPDX-License-Identifier: GPL-2.0
/*
 * Policy file parser.  The format is INI-like:
 *
 *	# comment (also ';')
 *	[group NAME]
 *	name = GLOB	fnmatch(3) pattern on the domain name (repeatable)
 *	key = VALUE	the domain's dom0-written xenloop-group node (repeatable)
 *	[deny]
 *	name = GLOB
 *
 * Every deviation is an error naming the file and line; a parse either
 * fills *cfg completely or leaves it empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "validate.h"

/* XL_GROUP_NAME_MAX and XL_GROUP_KEY_MAX are both 64. */
#define TOKEN_CHARS	"1-64 of A-Z a-z 0-9 . _ : -"

struct parser {
	const char *fname;
	unsigned int line;
	char *err;
	size_t errlen;
	struct xl_config *cfg;
	struct xl_group *group;	/* current [group], or NULL */
	bool in_deny;
};

static int __attribute__((format(printf, 2, 3)))
perr(struct parser *p, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(p->err, p->errlen, "%s:%u: ", p->fname, p->line);
	if (n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int push(char ***arr, size_t *n, const char *s)
{
	char **a = realloc(*arr, (*n + 1) * sizeof(*a));

	if (!a)
		return -ENOMEM;
	*arr = a;
	a[*n] = strdup(s);
	if (!a[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* A group must select something, or it is a typo waiting to happen. */
static int close_group(struct parser *p)
{
	struct xl_group *g = p->group;
	unsigned int line = p->line;
	int ret = 0;

	if (g && !g->nglobs && !g->nkeys) {
		p->line = g->line;
		ret = perr(p, "group '%s' has no 'name =' or 'key =' line",
			   g->name);
		p->line = line;
	}
	p->group = NULL;
	p->in_deny = false;
	return ret;
}

static int section(struct parser *p, char *s)
{
	struct xl_config *cfg = p->cfg;
	struct xl_group *g;
	char *end = strchr(s, ']'), *name;
	size_t i;
	int ret;

	if (!end || end[1] != '\0')
		return perr(p, "section header must end with ']'");
	*end = '\0';
	s = trim(s + 1);
	ret = close_group(p);
	if (ret)
		return ret;
	if (!strcmp(s, "deny")) {
		p->in_deny = true;
		return 0;
	}
	if (strncmp(s, "group", 5) || (s[5] != ' ' && s[5] != '\t'))
		return perr(p, "unknown section '[%s]' (want [group NAME] or [deny])",
			    s);
	name = trim(s + 5);
	if (!xl_valid_token(name, strlen(name), XL_GROUP_NAME_MAX))
		return perr(p, "invalid group name '%s' (%s)", name,
			    TOKEN_CHARS);
	for (i = 0; i < cfg->ngroups; i++)
		if (!strcmp(cfg->groups[i].name, name))
			return perr(p, "group '%s' already defined at line %u",
				    name, cfg->groups[i].line);
	if (cfg->ngroups >= XL_MAX_GROUPS)
		return perr(p, "too many groups (at most %d)", XL_MAX_GROUPS);
	g = realloc(cfg->groups, (cfg->ngroups + 1) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	cfg->groups = g;
	g = &cfg->groups[cfg->ngroups];
	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	if (!g->name)
		return -ENOMEM;
	g->line = p->line;
	cfg->ngroups++;
	p->group = g;
	return 0;
}

static int assignment(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *key, *val;
	size_t i, vlen;

	if (!eq)
		return perr(p, "expected 'KEY = VALUE' or a [section]");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	vlen = strlen(val);
	if (!p->group && !p->in_deny)
		return perr(p, "'%s' outside a [group NAME] or [deny] section",
			    key);
	if (!vlen)
		return perr(p, "empty value for '%s'", key);
	if (!strcmp(key, "name")) {
		if (vlen > XL_GLOB_MAX)
			return perr(p, "pattern longer than %d characters",
				    XL_GLOB_MAX);
		for (i = 0; i < vlen; i++)
			if ((unsigned char)val[i] < 0x21 ||
			    (unsigned char)val[i] > 0x7e)
				return perr(p, "pattern contains %s",
					    "a space or a non-printable character");
		if (p->in_deny)
			return push(&p->cfg->deny, &p->cfg->ndeny, val);
		return push(&p->group->globs, &p->group->nglobs, val);
	}
	if (!strcmp(key, "key")) {
		if (p->in_deny)
			return perr(p, "[deny] takes only 'name =' lines");
		if (!xl_valid_token(val, vlen, XL_GROUP_KEY_MAX))
			return perr(p, "invalid key value '%s' (%s)", val,
				    TOKEN_CHARS);
		return push(&p->group->keys, &p->group->nkeys, val);
	}
	return perr(p, "unknown setting '%s' (want 'name' or 'key')", key);
}

int xl_config_parse(const char *text, size_t len, const char *fname,
		    struct xl_config *cfg, char *err, size_t errlen)
{
	struct parser p = {
		.fname = fname, .err = err, .errlen = errlen, .cfg = cfg,
	};
	char buf[XL_CONFIG_MAX_LINE + 2];
	size_t pos = 0;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen)
		err[0] = '\0';
	while (pos < len && !ret) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *s;

		p.line++;
		if (n > XL_CONFIG_MAX_LINE) {
			ret = perr(&p, "line longer than %d characters",
				   XL_CONFIG_MAX_LINE);
			break;
		}
		if (memchr(text + pos, '\0', n)) {
			ret = perr(&p, "NUL byte in line");
			break;
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos += n + (nl ? 1 : 0);
		s = trim(buf);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[')
			ret = section(&p, s);
		else
			ret = assignment(&p, s);
	}
	if (!ret)
		ret = close_group(&p);
	if (ret) {
		if (ret == -ENOMEM && errlen)
			snprintf(err, errlen, "%s: out of memory", fname);
		xl_config_free(cfg);
	}
	return ret;
}

/*
 * Read and parse PATH.  A missing file is the default policy (allow all)
 * unless must_exist; an unreadable or oversized one is an error.
 */
int xl_config_load(const char *path, bool must_exist, struct xl_config *cfg,
		   char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	memset(cfg, 0, sizeof(*cfg));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	text = malloc(XL_CONFIG_MAX_BYTES + 1);
	if (!text) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while ((n = read(fd, text + len, XL_CONFIG_MAX_BYTES + 1 - len)) > 0) {
		len += n;
		if (len > XL_CONFIG_MAX_BYTES)
			break;
	}
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	} else if (len > XL_CONFIG_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			 XL_CONFIG_MAX_BYTES);
		ret = -EFBIG;
	} else {
		ret = xl_config_parse(text, len, path, cfg, err, errlen);
	}
	free(text);
	return ret;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void xl_config_free(struct xl_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->ngroups; i++) {
		free(cfg->groups[i].name);
		free_strv(cfg->groups[i].globs, cfg->groups[i].nglobs);
		free_strv(cfg->groups[i].keys, cfg->groups[i].nkeys);
	}
	free(cfg->groups);
	free_strv(cfg->deny, cfg->ndeny);
	memset(cfg, 0, sizeof(*cfg));
}
