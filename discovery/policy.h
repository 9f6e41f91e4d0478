/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy decision: who may see whom.  A domain is classified once per
 * change of its name, its group key or the config (xl_policy_classify);
 * a visibility check is then O(1), which keeps each event linear in the
 * number of participants.
 */
#ifndef XL_POLICY_H
#define XL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xl_config;

/* What the policy looks at; either field may be NULL (unknown). */
struct xl_subject {
	const char *name;	/* domain name */
	const char *key;	/* dom0-written xenloop-group value */
};

struct xl_policy_class {
	bool allowed;		/* not denied */
	uint64_t groups;	/* bit i: member of cfg->groups[i] */
};

/* policy.c APIs: */
void xl_policy_classify(const struct xl_config *cfg,
			const struct xl_subject *s, struct xl_policy_class *c);
bool xl_policy_visible_class(const struct xl_config *cfg,
			     const struct xl_policy_class *a,
			     const struct xl_policy_class *b);
bool xl_policy_visible(const struct xl_config *cfg,
		       const struct xl_subject *a, const struct xl_subject *b);
size_t xl_policy_group_names(const struct xl_config *cfg,
			     const struct xl_policy_class *c, char *buf,
			     size_t len);

#endif /* XL_POLICY_H */
