// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for xenloopd's policy decision (discovery/policy.c): the
 * default, groups by name pattern and by dom0 key, deny, and symmetry.
 */
#include <string.h>

#include "config.h"
#include "policy.h"
#include "tap.h"

static bool load(const char *text, struct xl_config *cfg)
{
	char err[256];

	if (xl_config_parse(text, strlen(text), "t.conf", cfg, err,
			    sizeof(err))) {
		tap_diag("%s", err);
		return false;
	}
	return true;
}

static bool vis(const struct xl_config *cfg, const char *an, const char *ak,
		const char *bn, const char *bk)
{
	struct xl_subject a = { an, ak }, b = { bn, bk };
	bool ab = xl_policy_visible(cfg, &a, &b);

	/* Visibility is always mutual. */
	if (ab != xl_policy_visible(cfg, &b, &a)) {
		tap_diag("asymmetric: %s/%s vs %s/%s", an, ak, bn, bk);
		return !ab;
	}
	return ab;
}

static bool test_default(void)
{
	struct xl_config cfg;
	bool ok = true;

	TAP_CHECK(load("", &cfg));
	TAP_CHECK(vis(&cfg, "g1", NULL, "g2", NULL));
	TAP_CHECK(vis(&cfg, NULL, NULL, "g2", "x"));
	xl_config_free(&cfg);
	return ok;
}

static bool test_deny_only(void)
{
	struct xl_config cfg;
	bool ok = true;

	TAP_CHECK(load("[deny]\nname = rogue*\n", &cfg));
	TAP_CHECK(vis(&cfg, "g1", NULL, "g2", NULL));
	TAP_CHECK(!vis(&cfg, "g1", NULL, "rogue1", NULL));
	TAP_CHECK(!vis(&cfg, "rogue1", NULL, "rogue2", NULL));
	/* An unknown name is not denied by a pattern. */
	TAP_CHECK(vis(&cfg, NULL, NULL, "g2", NULL));
	xl_config_free(&cfg);
	return ok;
}

static bool test_groups(void)
{
	struct xl_config cfg;
	bool ok = true;

	TAP_CHECK(load("[group a]\nname = g[12]\n"
		       "[group b]\nkey = blue\nname = x-*\n"
		       "[deny]\nname = g4\n", &cfg));
	TAP_CHECK(vis(&cfg, "g1", NULL, "g2", NULL));
	TAP_CHECK(!vis(&cfg, "g1", NULL, "g3", NULL));
	/* By key: g2 and g3 share b. */
	TAP_CHECK(vis(&cfg, "g2", "blue", "g3", "blue"));
	TAP_CHECK(!vis(&cfg, "g1", NULL, "g3", "blue"));
	TAP_CHECK(vis(&cfg, "x-1", NULL, "g3", "blue"));
	TAP_CHECK(!vis(&cfg, "g3", "red", "g5", "red"));
	/* In no group: sees nobody, not even another group-less guest. */
	TAP_CHECK(!vis(&cfg, "g5", NULL, "g6", NULL));
	/* Deny wins over groups. */
	TAP_CHECK(!vis(&cfg, "g4", "blue", "g3", "blue"));
	TAP_CHECK(!vis(&cfg, "g1", NULL, NULL, NULL));
	xl_config_free(&cfg);
	return ok;
}

static bool test_group_names(void)
{
	struct xl_policy_class c;
	struct xl_subject s = { "g2", "blue" };
	struct xl_config cfg;
	char buf[64];
	bool ok = true;

	TAP_CHECK(load("[group a]\nname = g[12]\n[group b]\nkey = blue\n"
		       "[deny]\nname = g4\n", &cfg));
	xl_policy_classify(&cfg, &s, &c);
	xl_policy_group_names(&cfg, &c, buf, sizeof(buf));
	TAP_CHECK(!strcmp(buf, "a,b"));
	s.name = "g9";
	s.key = NULL;
	xl_policy_classify(&cfg, &s, &c);
	xl_policy_group_names(&cfg, &c, buf, sizeof(buf));
	TAP_CHECK(!strcmp(buf, "-"));
	s.name = "g4";
	xl_policy_classify(&cfg, &s, &c);
	xl_policy_group_names(&cfg, &c, buf, sizeof(buf));
	TAP_CHECK(!strcmp(buf, "(denied)"));
	/* Truncation is safe. */
	s.name = "g1";
	s.key = "blue";
	xl_policy_classify(&cfg, &s, &c);
	xl_policy_group_names(&cfg, &c, buf, 2);
	TAP_CHECK(!strcmp(buf, "a"));
	xl_config_free(&cfg);
	TAP_CHECK(load("", &cfg));
	xl_policy_classify(&cfg, &s, &c);
	xl_policy_group_names(&cfg, &c, buf, sizeof(buf));
	TAP_CHECK(!strcmp(buf, "(all)"));
	xl_config_free(&cfg);
	return ok;
}

static bool test_many_groups(void)
{
	struct xl_config cfg;
	char text[64 * 40];
	size_t len = 0, i;
	bool ok = true;

	for (i = 0; i < 64; i++)
		len += sprintf(text + len, "[group g%zu]\nname = n%zu\n", i, i);
	TAP_CHECK(load(text, &cfg));
	/* Bit 63 works like bit 0. */
	TAP_CHECK(vis(&cfg, "n63", NULL, "n63", NULL));
	TAP_CHECK(!vis(&cfg, "n63", NULL, "n62", NULL));
	TAP_CHECK(vis(&cfg, "n0", NULL, "n0", NULL));
	xl_config_free(&cfg);
	return ok;
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ test_default, "no config: everybody sees everybody" },
		{ test_deny_only, "deny without groups" },
		{ test_groups, "groups by name pattern and by dom0 key, deny wins" },
		{ test_group_names, "group names for --status" },
		{ test_many_groups, "64 groups: every membership bit works" },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
