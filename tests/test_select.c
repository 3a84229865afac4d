/* SPDX-License-Identifier: MIT */
/* tests/test_select.c: selection with rules, picks and blocks (with
 * expiry), quotas, embargo, source precedence, and explain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/story.h"
#include "selections/audience.h"
#include "selections/explain.h"
#include "selections/select.h"
#include "tests/suite.h"

#define DATA TEST_DATA_DIR "/selections/"

enum { NOW = 1700000000, NS = 13 };

static struct story st[NS];
static struct story_item si[NS][2];

static void
mk(size_t i, const char *key, const char *title, const char *source,
   int64_t age)
{
	memset(&st[i], 0, sizeof(st[i]));
	memset(si[i], 0, sizeof(si[i]));
	st[i].key = key;
	st[i].items = si[i];
	st[i].nitems = 1;
	st[i].published = NOW - age;
	si[i][0].item.title = title;
	si[i][0].item.published = NOW - age;
	si[i][0].item.embargo = WD_NOTIME;
	si[i][0].source = source;
	si[i][0].feed_id = source;
}

static void
make_desk_stories(void)
{
	mk(0, "s1", "Phuket ferry", "Reuters", 3600);
	mk(1, "s2", "Thailand floods", "Reuters", 7200);
	mk(2, "s3", "Thailand election", "Reuters", 3 * 3600);
	mk(3, "s4", "Baht falls", "AFP", 3600);
	mk(4, "s5", "Stocks rally", "AP", 1800);
	mk(5, "s6", "Phuket football", "AFP", 600);
	mk(6, "s7", "Weather in Laos", "AFP", 3600);
	mk(7, "s8", "Phuket football final", "AFP", 300);
	mk(8, "s9", "Thailand budget", "AP", 3600);
	mk(9, "s10", "Thailand protests", "AP", 4 * 3600);
	mk(10, "s11", "Thailand embargoed report", "Reuters", 60);
	si[10][0].item.embargo = NOW + 3600;
	mk(11, "s12", "Phuket old news", "Reuters", 3 * 86400);
	mk(12, "s13", "Thailand kill", "Reuters", 120);
	st[12].killed = true;
}

static const struct select_pick desk_picks[] = {
    {.story_key = "s8", .until = NOW + 60, .by = "ann", .note = "local"},
    {.story_key = "s9", .block = true, .until = WD_NOTIME, .by = "bob"},
    {.story_key = "s10", .block = true, .until = NOW - 1, .by = "bob"},
    {.story_key = "s7", .until = NOW, .by = "ann"},
};

static struct audience *
load(const char *path, struct ydoc **errs)
{
	struct audience *a = audience_load(path, errs);

	ck_assert_uint_eq(ydoc_nerrors(*errs), 0);
	ck_assert_ptr_nonnull(a);
	return a;
}

START_TEST(select_run_applies_rules_picks_and_quotas)
{
	struct ydoc *errs;
	struct audience *a = load(DATA "desk.yaml", &errs);
	struct selection *sel;

	make_desk_stories();
	int n = select_run(a, st, NS, desk_picks, 4, NOW, &sel);
	size_t ne;
	const struct select_entry *e = selection_entries(sel, &ne);
	static const char *const want[] = {"s8", "s5", "s1", "s2", "s10"};

	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(ne, 5);
	for (size_t i = 0; i < ne; i++)
		ck_assert_str_eq(st[e[i].story].key, want[i]);

	static const char *const reasons[NS] = {
	    "selected by the rules",
	    "selected by the rules",
	    "per_source_limit 2 for 'Reuters' reached",
	    "per_tag_limit 1 for 'Business' reached",
	    "selected by the rules",
	    "excluded by rule 'no-sport'",
	    "no include rule matched",
	    "picked by ann: local",
	    "blocked by bob",
	    "selected by the rules",
	    "embargoed until 2023-11-14T23:13:20Z",
	    "outside the window",
	    "withdrawn by the wire",
	};
	for (size_t i = 0; i < NS; i++) {
		const struct verdict *v = selection_verdict(sel, i);

		ck_assert_msg(!strcmp(v->reason, reasons[i]), "%s: %s",
			      st[i].key, v->reason);
	}
	const struct verdict *v = selection_verdict(sel, 0);

	ck_assert(v->in);
	ck_assert_int_eq(v->score, 3);
	ck_assert_uint_eq(v->ntags, 1);
	ck_assert_str_eq(v->tags[0], "World News");
	ck_assert_uint_eq(v->nfired, 1);
	ck_assert_str_eq(v->fired[0]->name, "thailand");
	v = selection_verdict(sel, 7);
	ck_assert(v->picked && v->in);
	ck_assert_uint_eq(v->nfired, 2);
	ck_assert(!selection_verdict(sel, 11)->candidate);
	ck_assert(selection_verdict(sel, 8)->blocked);
	ck_assert_ptr_null(selection_verdict(sel, 0)->quota);
	ck_assert_ptr_nonnull(selection_verdict(sel, 2)->quota);
	selection_free(sel);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(select_run_drops_expired_picks)
{
	struct ydoc *errs;
	struct audience *a = load(DATA "desk.yaml", &errs);
	struct selection *sel;

	make_desk_stories();
	/* An hour later the pick of s8 has expired: the exclude wins. */
	int n = select_run(a, st, NS, desk_picks, 4, NOW + 3600, &sel);

	ck_assert_int_ge(n, 1);
	ck_assert(!selection_verdict(sel, 7)->in);
	ck_assert_str_eq(selection_verdict(sel, 7)->reason,
			 "excluded by rule 'no-sport'");
	ck_assert(!selection_verdict(sel, 8)->in);
	selection_free(sel);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(select_run_uses_source_precedence_and_every_wire)
{
	struct ydoc *errs;
	struct audience *a = load(DATA "every-wire.yaml", &errs);
	struct selection *sel;

	mk(0, "q1", "Quake (AFP)", "AFP", 600);
	st[0].nitems = 2;
	si[0][1] = si[0][0];
	si[0][1].source = si[0][1].feed_id = "AP";
	si[0][1].item.title = "Quake (AP)";
	mk(1, "q2", "Storm (AP)", "AP", 60);
	int n = select_run(a, st, 2, NULL, 0, NOW, &sel);
	size_t ne;
	const struct select_entry *e = selection_entries(sel, &ne);

	/* q2 is newer and ranks first, so AP's one slot goes to it; q1
	 * falls back to its AFP version. */
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(st[e[0].story].key, "q2");
	ck_assert_str_eq(st[e[1].story].key, "q1");
	ck_assert_uint_eq(e[1].item, 0);
	ck_assert_uint_eq(selection_verdict(sel, 0)->item, 0);
	selection_free(sel);

	n = select_run(a, st, 1, NULL, 0, NOW, &sel);
	e = selection_entries(sel, &ne);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(e[0].item, 0);
	ck_assert_uint_eq(e[1].item, 1);
	ck_assert_uint_eq(selection_verdict(sel, 0)->item, 1);
	selection_free(sel);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(explain_text_shows_rules_quota_and_verdict)
{
	struct ydoc *errs;
	struct audience *a = load(DATA "desk.yaml", &errs);
	struct selection *sel;
	struct buf b;

	make_desk_stories();
	ck_assert_int_eq(select_run(a, st, NS, desk_picks, 4, NOW, &sel), 5);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(explain_write(a, sel, st, NS, "s3", EXPLAIN_TEXT, &b),
			 1);
	ck_assert_str_eq(
	    buf_str(&b),
	    "audience desk: 5 of 12 candidate stories in (limit 6)\n"
	    "OUT  s3  2023-11-14T19:13:20Z  Reuters  Thailand election\n"
	    "     rule 'thailand' (" DATA "desk.yaml:11:5): include, "
	    "score +3, tag World News\n"
	    "     score 3 (min_score 1); tags: World News\n"
	    "     quota: per_source_limit 2 for 'Reuters' reached\n"
	    "     verdict: out (per_source_limit 2 for 'Reuters' "
	    "reached)\n");
	buf_reset(&b);
	ck_assert_int_eq(explain_write(a, sel, st, NS, NULL, EXPLAIN_TEXT, &b),
			 12);
	ck_assert_ptr_nonnull(strstr(buf_str(&b),
				     "OUT  s7  2023-11-14T21:13:20Z  AFP  "
				     "Weather in Laos\n"
				     "     no rule fired\n"
				     "     score 0 (min_score 1)\n"
				     "     verdict: out (no include rule "
				     "matched)\n"));
	ck_assert_ptr_null(strstr(buf_str(&b), "s12"));
	ck_assert_int_eq(
	    explain_write(a, sel, st, NS, "nope", EXPLAIN_TEXT, &b),
	    WD_ENOTFOUND);
	buf_free(&b);
	selection_free(sel);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(explain_json_is_one_object)
{
	struct ydoc *errs;
	struct audience *a = load(DATA "desk.yaml", &errs);
	struct selection *sel;
	struct buf b;

	make_desk_stories();
	ck_assert_int_eq(select_run(a, st, NS, desk_picks, 4, NOW, &sel), 5);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(explain_write(a, sel, st, NS, "s8", EXPLAIN_JSON, &b),
			 1);
	ck_assert_str_eq(
	    buf_str(&b),
	    "{\"audience\":\"desk\",\"candidates\":12,\"selected\":5,"
	    "\"limit\":6,\"stories\":[{\"key\":\"s8\",\"title\":\"Phuket "
	    "football final\",\"source\":\"AFP\",\"feed\":\"AFP\","
	    "\"published\":\"2023-11-14T22:08:20Z\",\"in\":true,"
	    "\"picked\":true,\"blocked\":false,\"score\":3,\"rules\":["
	    "{\"name\":\"thailand\",\"file\":\"" DATA "desk.yaml\","
	    "\"line\":11,\"column\":5,\"score\":3,\"include\":true,"
	    "\"exclude\":false,\"stop\":false,\"tags\":[\"World News\"]},"
	    "{\"name\":\"no-sport\",\"file\":\"" DATA "desk.yaml\","
	    "\"line\":21,\"column\":5,\"score\":0,\"include\":false,"
	    "\"exclude\":true,\"stop\":false,\"tags\":[]}],"
	    "\"tags\":[\"World News\"],\"quota\":null,"
	    "\"reason\":\"picked by ann: local\"}]}\n");
	buf_free(&b);
	selection_free(sel);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

/* The examples of docs/rules.md are these files: they must stay valid. */
START_TEST(docs_examples_load_cleanly)
{
	static const char *const feeds[] = {"wire-world", "wire-asia"};
	static const char *const files[] = {DATA "media-watch.yaml",
					    DATA "business.yaml"};
	struct audience_opts o = {.feed_ids = feeds, .nfeed_ids = 2};

	for (size_t f = 0; f < 2; f++) {
		struct ydoc *errs;
		struct audience *a = audience_load_opts(files[f], &o, &errs);

		for (size_t i = 0; i < ydoc_nerrors(errs); i++)
			fprintf(stderr, "%s\n", ydoc_errmsg(errs, i));
		ck_assert_uint_eq(ydoc_nerrors(errs), 0);
		ck_assert_ptr_nonnull(a);
		audience_free(a);
		ydoc_free(errs);
	}

	struct ydoc *errs;
	struct audience *a = audience_load_opts(files[0], &o, &errs);
	struct selection *sel;

	mk(0, "m1", "Phuket airport adds flights", "Reuters", 3600);
	mk(1, "m2", "LIVE: Election night in Bangkok", "AP", 3600);
	mk(2, "m3", "Stocks slip as oil climbs", "AFP", 3600);
	mk(3, "m4", "Thailand beat Malaysia at football", "AP", 3600);
	mk(4, "m5", "Robbery in Ohio", "AP", 3600);
	si[4][0].feed_id = "wire-world";
	ck_assert_int_eq(select_run(a, st, 5, NULL, 0, NOW, &sel), 2);
	ck_assert(selection_verdict(sel, 0)->in);
	ck_assert_int_eq(selection_verdict(sel, 0)->score, 8);
	ck_assert_str_eq(selection_verdict(sel, 1)->reason,
			 "excluded by rule 'no-live-blogs'");
	ck_assert(selection_verdict(sel, 2)->in);
	ck_assert_str_eq(selection_verdict(sel, 2)->tags[0], "Business");
	ck_assert_str_eq(selection_verdict(sel, 3)->reason,
			 "excluded by rule 'no-sport'");
	ck_assert_str_eq(selection_verdict(sel, 4)->reason,
			 "score -2 is below min_score 1");
	/* 1700000000 + 7 h is 05:13 on a Wednesday in Bangkok. */
	ck_assert(!audience_is_due(a, NOW));
	ck_assert(audience_is_due(a, NOW + 3600));
	selection_free(sel);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("select");

	tcase_add_test(tc, select_run_applies_rules_picks_and_quotas);
	tcase_add_test(tc, select_run_drops_expired_picks);
	tcase_add_test(tc, select_run_uses_source_precedence_and_every_wire);
	tcase_add_test(tc, docs_examples_load_cleanly);
	suite_add_tcase(s, tc);
	tc = tcase_create("explain");
	tcase_add_test(tc, explain_text_shows_rules_quota_and_verdict);
	tcase_add_test(tc, explain_json_is_one_object);
	suite_add_tcase(s, tc);
	return s;
}
