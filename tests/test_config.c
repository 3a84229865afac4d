/* SPDX-License-Identifier: MIT */
/* tests/test_config.c: wiredesk.yaml loading and its error messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "aggregator/config.h"
#include "tests/suite.h"

static char dir[64];
static char path[128];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/wd-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/wiredesk.yaml", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void
write_config(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* True when some error message ends with "LINE:COL: msg-prefix...". */
static bool
has_error(const struct ydoc *d, const char *where_msg)
{
	char want[512];

	snprintf(want, sizeof(want), "%s:%s", path, where_msg);
	for (size_t i = 0; i < ydoc_nerrors(d); i++) {
		if (!strncmp(ydoc_errmsg(d, i), want, strlen(want)))
			return true;
	}
	return false;
}

START_TEST(config_load_reads_feeds_and_resolves_paths)
{
	struct config *c = NULL;
	struct ydoc *errs = NULL;

	write_config("state: st/wd.db\n"
		     "output: /srv/www/feeds\n"
		     "feeds:\n"
		     "  - id: reuters-world\n"
		     "    url: https://example.org/world.xml\n"
		     "    source: Reuters\n"
		     "    every: 15m\n"
		     "  - id: local\n"
		     "    url: feeds/local.xml\n");
	ck_assert_int_eq(config_load(path, &c, &errs), 0);
	ck_assert_ptr_null(errs);
	ck_assert_uint_eq(c->nfeeds, 2);
	ck_assert_str_eq(c->feeds[0].source, "Reuters");
	ck_assert_int_eq(c->feeds[0].every, 900);
	ck_assert(!c->feeds[0].local);
	ck_assert(c->feeds[1].local);
	ck_assert_str_eq(c->feeds[1].source, "local");
	char want[256];

	snprintf(want, sizeof(want), "%s/feeds/local.xml", dir);
	ck_assert_str_eq(c->feeds[1].url, want);
	snprintf(want, sizeof(want), "%s/st/wd.db", dir);
	ck_assert_str_eq(c->state, want);
	ck_assert_str_eq(c->output, "/srv/www/feeds");
	ck_assert_ptr_nonnull(config_feed(c, "local"));
	ck_assert_ptr_null(config_feed(c, "nope"));
	config_free(c);
}
END_TEST

START_TEST(config_load_reports_every_mistake_with_position)
{
	struct config *c = NULL;
	struct ydoc *errs = NULL;

	write_config("state: s.db\n"
		     "colour: blue\n"
		     "connections: many\n"
		     "feeds:\n"
		     "  - id: a\n"
		     "    url: gopher://example.org/x\n"
		     "  - id: a\n"
		     "    url: https://example.org/y.xml\n"
		     "    every: 3 days\n"
		     "    speed: fast\n");
	ck_assert_int_eq(config_load(path, &c, &errs), WD_ECONFIG);
	ck_assert_ptr_null(c);
	ck_assert(has_error(errs, "2:1: unknown key 'colour'"));
	ck_assert(has_error(errs, "3:14: expected a whole number"));
	ck_assert(has_error(errs, "6:10: bad URL 'gopher://"));
	ck_assert(has_error(errs, "7:9: duplicate feed id 'a'"));
	ck_assert(has_error(errs, "9:12: bad duration '3 days'"));
	ck_assert(has_error(errs, "10:5: unknown key 'speed'"));
	ck_assert_uint_eq(ydoc_nerrors(errs), 6);
	ydoc_free(errs);
}
END_TEST

START_TEST(config_load_reports_syntax_and_missing_file)
{
	struct config *c = NULL;
	struct ydoc *errs = NULL;

	write_config("feeds:\n  - id: a\n   url: x\n");
	ck_assert_int_eq(config_load(path, &c, &errs), WD_ECONFIG);
	ck_assert_uint_eq(ydoc_nerrors(errs), 1);
	ck_assert(has_error(errs, "3:"));
	ck_assert_ptr_nonnull(strstr(ydoc_errmsg(errs, 0), "YAML syntax"));
	ydoc_free(errs);

	unlink(path);
	ck_assert_int_eq(config_load(path, &c, &errs), WD_ECONFIG);
	ck_assert(has_error(errs, "1:1: cannot open"));
	ydoc_free(errs);
}
END_TEST

START_TEST(config_load_refuses_alias_bombs_and_deep_nesting)
{
	struct config *c = NULL;
	struct ydoc *errs = NULL;
	char deep[4096];
	size_t n = 0;

	/* Billion laughs: nodes are shared, never copied, so this stays
	 * small; it is then just a wrong type for 'feeds'. */
	write_config("a: &a [x, x, x, x, x, x, x, x, x]\n"
		     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		     "feeds: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n");
	ck_assert_int_eq(config_load(path, &c, &errs), WD_ECONFIG);
	ck_assert_uint_gt(ydoc_nerrors(errs), 0);
	ydoc_free(errs);

	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "feeds: ");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	for (int i = 0; i < 100; i++)
		deep[n++] = ']';
	deep[n++] = '\n';
	deep[n] = '\0';
	write_config(deep);
	ck_assert_int_eq(config_load(path, &c, &errs), WD_ECONFIG);
	ck_assert(has_error(errs, ""));
	bool nesting = false;

	for (size_t i = 0; i < ydoc_nerrors(errs); i++)
		nesting = nesting || strstr(ydoc_errmsg(errs, i), "nesting");
	ck_assert(nesting);
	ydoc_free(errs);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("aggregator-config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_load_reads_feeds_and_resolves_paths);
	tcase_add_test(tc, config_load_reports_every_mistake_with_position);
	tcase_add_test(tc, config_load_reports_syntax_and_missing_file);
	tcase_add_test(tc, config_load_refuses_alias_bombs_and_deep_nesting);
	suite_add_tcase(s, tc);
	return s;
}
