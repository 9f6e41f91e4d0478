// SPDX-License-Identifier: GPL-2.0
/*
 * Policy decision (see policy.h).  Two guests see each other iff neither
 * is denied and, when any group is defined, they share a group.  With no
 * group defined everybody not denied sees everybody.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "policy.h"

static bool glob_any(char *const *globs, size_t n, const char *name)
{
	size_t i;

	if (!name)
		return false;
	for (i = 0; i < n; i++)
		if (!fnmatch(globs[i], name, 0))
			return true;
	return false;
}

void xl_policy_classify(const struct xl_config *cfg,
			const struct xl_subject *s, struct xl_policy_class *c)
{
	size_t i, k;

	c->allowed = !glob_any(cfg->deny, cfg->ndeny, s->name);
	c->groups = 0;
	for (i = 0; i < cfg->ngroups; i++) {
		const struct xl_group *g = &cfg->groups[i];
		bool in = glob_any(g->globs, g->nglobs, s->name);

		for (k = 0; !in && s->key && k < g->nkeys; k++)
			in = !strcmp(g->keys[k], s->key);
		if (in)
			c->groups |= 1ull << i;
	}
}

bool xl_policy_visible_class(const struct xl_config *cfg,
			     const struct xl_policy_class *a,
			     const struct xl_policy_class *b)
{
	if (!a->allowed || !b->allowed)
		return false;
	if (!cfg->ngroups)
		return true;
	return (a->groups & b->groups) != 0;
}

bool xl_policy_visible(const struct xl_config *cfg,
		       const struct xl_subject *a, const struct xl_subject *b)
{
	struct xl_policy_class ca, cb;

	xl_policy_classify(cfg, a, &ca);
	xl_policy_classify(cfg, b, &cb);
	return xl_policy_visible_class(cfg, &ca, &cb);
}

/*
 * Comma-separated names of c's groups ("-" for none, "(denied)" when
 * denied, "(all)" without groups); returns the length it wanted.
 */
size_t xl_policy_group_names(const struct xl_config *cfg,
			     const struct xl_policy_class *c, char *buf,
			     size_t len)
{
	size_t i, n = 0;

	if (len)
		buf[0] = '\0';
	if (!c->allowed)
		return snprintf(buf, len, "(denied)");
	if (!cfg->ngroups)
		return snprintf(buf, len, "(all)");
	for (i = 0; i < cfg->ngroups; i++) {
		if (!(c->groups & (1ull << i)))
			continue;
		n += snprintf(buf + (n < len ? n : len), n < len ? len - n : 0,
			      "%s%s", n ? "," : "", cfg->groups[i].name);
	}
	if (!n)
		n = snprintf(buf, len, "-");
	return n;
}
