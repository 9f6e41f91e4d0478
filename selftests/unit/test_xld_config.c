// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for xenloopd's policy file parser (discovery/config.c): a
 * valid file in all its forms, and each error with the line it names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

static int parse(const char *text, struct xl_config *cfg, char *err,
		 size_t errlen)
{
	return xl_config_parse(text, strlen(text), "t.conf", cfg, err, errlen);
}

static bool test_valid(void)
{
	const char *text =
		"# comment\n"
		"; another\n"
		"\n"
		"[group web]\n"
		"  name = web-*  "	/* trailing blanks */
		"\n"
		"name=frontend-?\n"
		"key = blue\n"
		"\t[ group db ]\n"
		"key = db:1\n"
		"[deny]\n"
		"name = evil*\n"
		"[deny]\n"
		"name = bad\r\n"
		"[group last]\n"
		"name = x";
	struct xl_config cfg;
	char err[256];
	bool ok = true;

	TAP_CHECK(parse(text, &cfg, err, sizeof(err)) == 0);
	if (!ok) {
		tap_diag("%s", err);
		return false;
	}
	TAP_CHECK(cfg.ngroups == 3);
	TAP_CHECK(!strcmp(cfg.groups[0].name, "web"));
	TAP_CHECK(cfg.groups[0].line == 4);
	TAP_CHECK(cfg.groups[0].nglobs == 2 && cfg.groups[0].nkeys == 1);
	TAP_CHECK(!strcmp(cfg.groups[0].globs[0], "web-*"));
	TAP_CHECK(!strcmp(cfg.groups[0].globs[1], "frontend-?"));
	TAP_CHECK(!strcmp(cfg.groups[0].keys[0], "blue"));
	TAP_CHECK(!strcmp(cfg.groups[1].name, "db"));
	TAP_CHECK(!strcmp(cfg.groups[1].keys[0], "db:1"));
	TAP_CHECK(cfg.ndeny == 2 && !strcmp(cfg.deny[0], "evil*") &&
		  !strcmp(cfg.deny[1], "bad"));
	TAP_CHECK(!strcmp(cfg.groups[2].globs[0], "x"));
	xl_config_free(&cfg);
	return ok;
}

static bool test_empty(void)
{
	struct xl_config cfg;
	char err[256];
	bool ok = true;

	TAP_CHECK(parse("", &cfg, err, sizeof(err)) == 0);
	TAP_CHECK(cfg.ngroups == 0 && cfg.ndeny == 0);
	xl_config_free(&cfg);
	TAP_CHECK(parse("# nothing\n\n", &cfg, err, sizeof(err)) == 0);
	xl_config_free(&cfg);
	return ok;
}

struct bad_case {
	const char *text;
	const char *err;	/* the whole expected message */
};

static bool test_errors(void)
{
	static const struct bad_case cases[] = {
		{ "name = x\n", "t.conf:1: 'name' outside a [group NAME] or [deny] section" },
		{ "[group a]\nname = x\nfoo = 1\n",
		  "t.conf:3: unknown setting 'foo' (want 'name' or 'key')" },
		{ "[group a]\nname x\n", "t.conf:2: expected 'KEY = VALUE' or a [section]" },
		{ "[group a]\nname =\n", "t.conf:2: empty value for 'name'" },
		{ "[group a\n", "t.conf:1: section header must end with ']'" },
		{ "[group a] x\n", "t.conf:1: section header must end with ']'" },
		{ "[allow]\n",
		  "t.conf:1: unknown section '[allow]' (want [group NAME] or [deny])" },
		{ "[group]\n",
		  "t.conf:1: unknown section '[group]' (want [group NAME] or [deny])" },
		{ "[group a b]\n",
		  "t.conf:1: invalid group name 'a b' (1-64 of A-Z a-z 0-9 . _ : -)" },
		{ "[group a]\nname = x\n\n[group a]\nname = y\n",
		  "t.conf:4: group 'a' already defined at line 1" },
		{ "\n[group a]\n[group b]\nname = x\n",
		  "t.conf:2: group 'a' has no 'name =' or 'key =' line" },
		{ "[group a]\n", "t.conf:1: group 'a' has no 'name =' or 'key =' line" },
		{ "[deny]\nkey = x\n", "t.conf:2: [deny] takes only 'name =' lines" },
		{ "[group a]\nkey = a b\n",
		  "t.conf:2: invalid key value 'a b' (1-64 of A-Z a-z 0-9 . _ : -)" },
		{ "[group a]\nname = a b\n",
		  "t.conf:2: pattern contains a space or a non-printable character" },
		{ "[group a]\nname = x\x01\n",
		  "t.conf:2: pattern contains a space or a non-printable character" },
	};
	struct xl_config cfg;
	char err[256];
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int ret = parse(cases[i].text, &cfg, err, sizeof(err));

		if (ret == 0 || strcmp(err, cases[i].err)) {
			tap_diag("case %zu: got %d '%s', want '%s'", i, ret,
				 err, cases[i].err);
			ok = false;
		}
		/* A failed parse leaves nothing behind. */
		TAP_CHECK(cfg.ngroups == 0 && !cfg.groups &&
			  cfg.ndeny == 0);
	}
	return ok;
}

static bool test_limits(void)
{
	struct xl_config cfg;
	char err[256], *text;
	size_t len = 0, i;
	bool ok = true;

	/* 65 groups: one too many, reported at the 65th header. */
	text = malloc(65 * 32);
	for (i = 0; i < 65; i++)
		len += sprintf(text + len, "[group g%zu]\nname = x\n", i);
	TAP_CHECK(xl_config_parse(text, len, "t.conf", &cfg, err,
				  sizeof(err)) != 0);
	TAP_CHECK(!strcmp(err, "t.conf:129: too many groups (at most 64)"));
	free(text);

	text = malloc(XL_CONFIG_MAX_LINE + 32);
	len = sprintf(text, "[deny]\nname = ");
	memset(text + len, 'a', XL_CONFIG_MAX_LINE);
	len += XL_CONFIG_MAX_LINE;
	TAP_CHECK(xl_config_parse(text, len, "t.conf", &cfg, err,
				  sizeof(err)) != 0);
	TAP_CHECK(!strcmp(err, "t.conf:2: line longer than 1024 characters"));
	free(text);

	TAP_CHECK(xl_config_parse("[deny]\nname = a\0b\n", 17, "t.conf", &cfg,
				  err, sizeof(err)) != 0);
	TAP_CHECK(!strcmp(err, "t.conf:2: NUL byte in line"));
	return ok;
}

static bool test_load(void)
{
	char path[] = "/tmp/xld-config-XXXXXX", err[256];
	struct xl_config cfg;
	bool ok = true;
	FILE *f;
	int fd;

	TAP_CHECK(xl_config_load("/nonexistent/xenloopd.conf", false, &cfg,
				 err, sizeof(err)) == 0);
	TAP_CHECK(cfg.ngroups == 0);
	TAP_CHECK(xl_config_load("/nonexistent/xenloopd.conf", true, &cfg,
				 err, sizeof(err)) != 0);
	TAP_CHECK(strstr(err, "No such file"));
	fd = mkstemp(path);
	TAP_CHECK(fd >= 0);
	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	fputs("[group a]\nname = g1\n\n[deny]\nkey = x\n", f);
	fclose(f);
	TAP_CHECK(xl_config_load(path, true, &cfg, err, sizeof(err)) != 0);
	TAP_CHECK(strstr(err, ":5: [deny] takes only 'name =' lines"));
	TAP_CHECK(!strncmp(err, path, strlen(path)));
	unlink(path);
	return ok;
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ test_valid, "valid file: groups, globs, keys, deny, spacing" },
		{ test_empty, "empty file: no groups, no deny" },
		{ test_errors, "each error names its line" },
		{ test_limits, "limits: group count, line length, NUL" },
		{ test_load, "loading: missing default, missing given, error path" },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
