/* SPDX-License-Identifier: MIT */
/* tests/test_audience.c: audience files and the default selection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/story.h"
#include "selections/audience.h"
#include "selections/select.h"
#include "tests/suite.h"

#define DATA TEST_DATA_DIR "/selections/"

START_TEST(audience_load_reads_every_key)
{
	struct ydoc *errs = NULL;
	struct audience *a = audience_load(DATA "international.yaml", &errs);

	ck_assert_ptr_nonnull(errs);
	ck_assert_uint_eq(ydoc_nerrors(errs), 0);
	ck_assert_ptr_nonnull(a);
	const struct audience_meta *m = audience_meta(a);

	ck_assert_str_eq(m->name, "international");
	ck_assert_str_eq(m->title, "Phuket Media Watch");
	ck_assert_str_eq(m->link, "https://gazette.example/media-watch");
	ck_assert_str_eq(m->feed_url, "https://gazette.example/feeds");
	ck_assert_str_eq(m->attribution, "{source} / Phuket Gazette");
	ck_assert_str_eq(m->signoff, "Phuket Gazette Editors");
	ck_assert_str_eq(m->language, "en");
	ck_assert_str_eq(m->copyright, "(c) Example Gazette");
	ck_assert_str_eq(m->image, "https://gazette.example/logo.png");
	ck_assert_int_eq(m->window, 36 * 3600);
	ck_assert_int_eq(m->limit, 20);
	ck_assert_int_eq(m->ttl, 30);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(audience_load_applies_defaults)
{
	struct ydoc *errs = NULL;
	struct audience *a = audience_load(DATA "minimal.yaml", &errs);

	ck_assert_uint_eq(ydoc_nerrors(errs), 0);
	ck_assert_ptr_nonnull(a);
	const struct audience_meta *m = audience_meta(a);

	ck_assert_str_eq(m->name, "business");
	ck_assert_int_eq(m->window, 48 * 3600);
	ck_assert_int_eq(m->limit, 50);
	ck_assert_int_eq(m->ttl, 0);
	ck_assert_str_eq(m->attribution, "{source}");
	ck_assert_ptr_null(m->description);
	ck_assert_ptr_null(m->signoff);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(audience_load_reports_every_mistake_with_position)
{
	struct ydoc *errs = NULL;
	struct audience *a = audience_load(DATA "mistakes.yaml", &errs);
	static const char *const want[] = {
	    "mistakes.yaml:6:1: unknown key 'colour'",
	    "mistakes.yaml:2:8: expected text, found a list",
	    "mistakes.yaml:1:1: missing required key 'link'",
	    "mistakes.yaml:1:11: audience 'bad name' must be letters, "
	    "digits, '-', '_' or '.' (it names the output files)",
	    "mistakes.yaml:4:9: bad duration '3 days' (use a number with "
	    "s, m, h, d or w, e.g. 15m or 48h)",
	    "mistakes.yaml:5:8: expected a whole number, found 'many'",
	    "mistakes.yaml:7:6: 0 is out of range (1 to 10080)",
	};

	ck_assert_ptr_null(a);
	ck_assert_uint_eq(ydoc_nerrors(errs), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < ydoc_nerrors(errs); i++) {
		const char *e = ydoc_errmsg(errs, i);
		const char *tail = strstr(e, "mistakes.yaml:");

		ck_assert_ptr_nonnull(tail);
		ck_assert_str_eq(tail, want[i]);
	}
	ydoc_free(errs);
}
END_TEST

START_TEST(audience_load_rejects_a_list)
{
	struct ydoc *errs = NULL;
	struct audience *a = audience_load(DATA "notamap.yaml", &errs);

	ck_assert_ptr_null(a);
	ck_assert_uint_eq(ydoc_nerrors(errs), 1);
	ck_assert_ptr_nonnull(strstr(ydoc_errmsg(errs, 0),
				     "notamap.yaml:1:1: an audience file must "
				     "be a mapping"));
	ydoc_free(errs);
}
END_TEST

START_TEST(audience_load_reports_yaml_syntax)
{
	struct ydoc *errs = NULL;
	struct audience *a = audience_load(DATA "syntax.yaml", &errs);

	ck_assert_ptr_null(a);
	ck_assert_uint_eq(ydoc_nerrors(errs), 1);
	ck_assert_ptr_nonnull(strstr(ydoc_errmsg(errs, 0), "syntax.yaml:"));
	ck_assert_ptr_nonnull(strstr(ydoc_errmsg(errs, 0), "YAML syntax"));
	ydoc_free(errs);
}
END_TEST

START_TEST(audience_load_reports_missing_file)
{
	struct ydoc *errs = NULL;
	struct audience *a = audience_load(DATA "no-such-file.yaml", &errs);

	ck_assert_ptr_null(a);
	ck_assert_uint_eq(ydoc_nerrors(errs), 1);
	ck_assert_ptr_nonnull(
	    strstr(ydoc_errmsg(errs, 0), ":1:1: cannot open"));
	ydoc_free(errs);
}
END_TEST

enum { NOW = 1700000000 };

static void
make_story(struct story *s, const char *key, int64_t published, bool killed)
{
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->published = published;
	s->updated = published;
	s->killed = killed;
}

START_TEST(select_stories_keeps_window_newest_first)
{
	struct ydoc *errs = NULL;
	struct audience *a = audience_load(DATA "international.yaml", &errs);
	struct story st[7];
	size_t order[7];

	ck_assert_ptr_nonnull(a);
	make_story(&st[0], "s-old", NOW - 37 * 3600, false);
	make_story(&st[1], "s-b", NOW - 3600, false);
	make_story(&st[2], "s-killed", NOW - 60, true);
	make_story(&st[3], "s-a", NOW - 3600, false);
	make_story(&st[4], "s-new", NOW - 10, false);
	make_story(&st[5], "s-future", NOW + 7200, false);
	make_story(&st[6], "s-edge", NOW - 36 * 3600, false);
	int n = select_stories(a, st, 7, NOW, order);

	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(st[order[0]].key, "s-new");
	ck_assert_str_eq(st[order[1]].key, "s-a");
	ck_assert_str_eq(st[order[2]].key, "s-b");
	ck_assert_str_eq(st[order[3]].key, "s-edge");
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(select_stories_stops_at_limit)
{
	struct ydoc *errs = NULL;
	struct audience *a = audience_load(DATA "international.yaml", &errs);
	struct story st[30];
	size_t order[30];
	char keys[30][8];

	ck_assert_ptr_nonnull(a);
	for (int i = 0; i < 30; i++) {
		snprintf(keys[i], sizeof(keys[i]), "s%02d", i);
		make_story(&st[i], keys[i], NOW - i * 60, false);
	}
	int n = select_stories(a, st, 30, NOW, order);

	ck_assert_int_eq(n, 20);
	for (int i = 0; i < 20; i++)
		ck_assert_uint_eq(order[i], (size_t)i);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("audience");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, audience_load_reads_every_key);
	tcase_add_test(tc, audience_load_applies_defaults);
	tcase_add_test(tc, audience_load_reports_every_mistake_with_position);
	tcase_add_test(tc, audience_load_rejects_a_list);
	tcase_add_test(tc, audience_load_reports_yaml_syntax);
	tcase_add_test(tc, audience_load_reports_missing_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("select");
	tcase_add_test(tc, select_stories_keeps_window_newest_first);
	tcase_add_test(tc, select_stories_stops_at_limit);
	suite_add_tcase(s, tc);
	return s;
}
