/* SPDX-License-Identifier: MIT */
/* tests/test_wirever.c: aggregator/wirever (wire headline conventions). */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "aggregator/wirever.h"
#include "tests/suite.h"

START_TEST(parse_plain_headline_is_untouched)
{
	struct wirever w;
	int n =
	    wirever_parse("Iraq says deal reached over Turkish forces",
			  "BAGHDAD (Reuters) - Iraq said on Monday ...", &w);

	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(w.base, "Iraq says deal reached over Turkish forces");
	ck_assert_str_eq(w.key, "iraq says deal reached over turkish forces");
	ck_assert_int_eq(w.version, 0);
	ck_assert_int_eq(w.kind, WIREVER_NEWS);
	ck_assert_uint_eq(w.flags, 0);
	ck_assert_int_eq(w.kill, false);
	ck_assert_uint_eq(w.lead_skip, 0);
	wirever_clear(&w);
}
END_TEST

START_TEST(parse_reuters_update_number)
{
	struct wirever w;

	ck_assert_int_eq(
	    wirever_parse("UPDATE 2-Quake kills 12 in Nortland", NULL, &w), 1);
	ck_assert_str_eq(w.base, "Quake kills 12 in Nortland");
	ck_assert_int_eq(w.version, 2);
	ck_assert_uint_eq(w.flags, WIREVER_F_UPDATE);
	wirever_clear(&w);
	ck_assert_ptr_null(w.base);

	ck_assert_int_eq(
	    wirever_parse("UPDATE 11 - Quake kills 12 in Nortland", NULL, &w),
	    1);
	ck_assert_int_eq(w.version, 11);
	ck_assert_str_eq(w.base, "Quake kills 12 in Nortland");
	wirever_clear(&w);
}
END_TEST

START_TEST(parse_chained_prefixes)
{
	struct wirever w;

	ck_assert_int_eq(
	    wirever_parse("REFILE-UPDATE 3-EXCLUSIVE-Acme to buy Widgetco",
			  NULL, &w),
	    3);
	ck_assert_str_eq(w.base, "Acme to buy Widgetco");
	ck_assert_int_eq(w.version, 3);
	ck_assert_int_eq(w.kind, WIREVER_EXCLUSIVE);
	ck_assert_uint_eq(w.flags, WIREVER_F_UPDATE | WIREVER_F_REFILE);
	wirever_clear(&w);

	wirever_parse("CORRECTED-RPT-FACTBOX-What we know about the strike",
		      NULL, &w);
	ck_assert_str_eq(w.base, "What we know about the strike");
	ck_assert_int_eq(w.kind, WIREVER_FACTBOX);
	ck_assert_uint_eq(w.flags, WIREVER_F_CORRECTED | WIREVER_F_REPEAT);
	ck_assert_int_eq(w.version, 0);
	wirever_clear(&w);

	wirever_parse("WRAPUP 1-Floods sweep river towns", NULL, &w);
	ck_assert_int_eq(w.kind, WIREVER_WRAPUP);
	ck_assert_int_eq(w.version, 1);
	ck_assert_str_eq(w.base, "Floods sweep river towns");
	wirever_clear(&w);
}
END_TEST

START_TEST(parse_kinds)
{
	static const struct {
		const char *title;
		enum wirever_kind kind;
	} cases[] = {
	    {"ANALYSIS-Why the port strike matters", WIREVER_ANALYSIS},
	    {"INSIGHT-Why the port strike matters", WIREVER_INSIGHT},
	    {"COLUMN-Why the port strike matters", WIREVER_COLUMN},
	    {"EXPLAINER-Why the port strike matters", WIREVER_EXPLAINER},
	    {"BREAKINGVIEWS-Why the port strike matters",
	     WIREVER_BREAKINGVIEWS},
	    {"AP Exclusive: Why the port strike matters", WIREVER_EXCLUSIVE},
	    {"Analysis: Why the port strike matters", WIREVER_ANALYSIS},
	    {"AP FACT CHECK: Why the port strike matters", WIREVER_FACTCHECK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wirever w;

		ck_assert_int_eq(wirever_parse(cases[i].title, NULL, &w), 1);
		ck_assert_str_eq(w.base, "Why the port strike matters");
		ck_assert_int_eq(w.kind, cases[i].kind);
		ck_assert_str_ne(wirever_kind_name(w.kind), "");
		wirever_clear(&w);
	}
	ck_assert_str_eq(wirever_kind_name(WIREVER_FACTBOX), "factbox");
	ck_assert_str_eq(wirever_kind_name((enum wirever_kind)99), "news");
}
END_TEST

START_TEST(parse_ap_and_afp_styles)
{
	struct wirever w;

	wirever_parse("Correction: Storm deaths story", NULL, &w);
	ck_assert_str_eq(w.base, "Storm deaths story");
	ck_assert_uint_eq(w.flags, WIREVER_F_CORRECTED);
	wirever_clear(&w);

	wirever_parse("Update: Storm deaths rise to 9", NULL, &w);
	ck_assert_int_eq(w.version, 1);
	ck_assert_uint_eq(w.flags, WIREVER_F_UPDATE);
	wirever_clear(&w);

	wirever_parse("URGENT - Explosion heard in capital", NULL, &w);
	ck_assert_str_eq(w.base, "Explosion heard in capital");
	ck_assert_uint_eq(w.flags, WIREVER_F_URGENT);
	wirever_clear(&w);

	wirever_parse("FLASH \xe2\x80\x94 Explosion heard in capital", NULL,
		      &w);
	ck_assert_str_eq(w.base, "Explosion heard in capital");
	ck_assert_uint_eq(w.flags, WIREVER_F_URGENT);
	wirever_clear(&w);
}
END_TEST

START_TEST(parse_leaves_lookalike_headlines)
{
	static const char *const titles[] = {
	    "Flash floods kill 12 in valley towns",
	    "Update-weary users complain of phone bugs",
	    "Analysis-paralysis grips the committee",
	    "Alert - rising seas threaten the coast",
	    "Kill the bill, protesters tell senators",
	    "Troops withdrawn from border town",
	    "Exclusive club reopens after fire",
	};

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		struct wirever w;

		ck_assert_int_eq(wirever_parse(titles[i], NULL, &w), 0);
		ck_assert_str_eq(w.base, titles[i]);
		ck_assert_int_eq(w.kill, false);
		wirever_clear(&w);
	}
}
END_TEST

START_TEST(parse_title_advisory_is_removed)
{
	struct wirever w;

	wirever_parse("Acme profit rises 5% (Corrects paragraph 3)", NULL, &w);
	ck_assert_str_eq(w.base, "Acme profit rises 5%");
	ck_assert_uint_eq(w.flags, WIREVER_F_CORRECTED | WIREVER_F_ADVISORY);
	wirever_clear(&w);

	wirever_parse("Acme profit rises (in euros)", NULL, &w);
	ck_assert_str_eq(w.base, "Acme profit rises (in euros)");
	wirever_clear(&w);
}
END_TEST

START_TEST(parse_lead_advisories_are_skipped)
{
	struct wirever w;
	const char *lead = " (Adds quote in paragraph 5)\n(Recasts with "
			   "minister's comments)\nLONDON (Reuters) - Text";

	ck_assert_int_eq(
	    wirever_parse("UPDATE 1-Port strike spreads", lead, &w), 2);
	ck_assert_str_eq(lead + w.lead_skip, "LONDON (Reuters) - Text");
	ck_assert_uint_eq(w.flags, WIREVER_F_UPDATE | WIREVER_F_ADVISORY);
	wirever_clear(&w);

	lead = "(Corrects name in 3rd paragraph) LONDON - Text";
	wirever_parse("Port strike spreads", lead, &w);
	ck_assert_str_eq(lead + w.lead_skip, "LONDON - Text");
	ck_assert_uint_eq(w.flags, WIREVER_F_CORRECTED | WIREVER_F_ADVISORY);
	wirever_clear(&w);

	wirever_parse("Port strike spreads", "(Reuters) - Text", &w);
	ck_assert_uint_eq(w.lead_skip, 0);
	ck_assert_uint_eq(w.flags, 0);
	wirever_clear(&w);
}
END_TEST

START_TEST(parse_kill_with_headline_in_title)
{
	struct wirever w;

	wirever_parse("KILL-UPDATE 1-Acme to buy Widgetco", NULL, &w);
	ck_assert_int_eq(w.kill, true);
	ck_assert_str_eq(w.base, "Acme to buy Widgetco");
	ck_assert_int_eq(w.version, 1);
	wirever_clear(&w);

	wirever_parse("STORY WITHDRAWN - Acme to buy Widgetco", NULL, &w);
	ck_assert_int_eq(w.kill, true);
	ck_assert_str_eq(w.base, "Acme to buy Widgetco");
	wirever_clear(&w);

	wirever_parse("ELIMINATE: Acme to buy Widgetco", NULL, &w);
	ck_assert_int_eq(w.kill, true);
	ck_assert_str_eq(w.key, "acme to buy widgetco");
	wirever_clear(&w);
}
END_TEST

START_TEST(parse_kill_quoting_headline_in_lead)
{
	struct wirever w;

	wirever_parse("KILL",
		      "Please eliminate the story headlined \"UPDATE 2-Acme "
		      "to buy Widgetco\". It was sent in error.",
		      &w);
	ck_assert_int_eq(w.kill, true);
	ck_assert_str_eq(w.base, "Acme to buy Widgetco");
	ck_assert_int_eq(w.version, 2);
	wirever_clear(&w);

	wirever_parse("Kill notice",
		      "The story headlined \xe2\x80\x9cGermany's Gabriel "
		      "quits\xe2\x80\x9d is withdrawn.",
		      &w);
	ck_assert_int_eq(w.kill, true);
	ck_assert_str_eq(w.base, "Germany's Gabriel quits");
	wirever_clear(&w);

	wirever_parse("Story withdrawn",
		      "Subscribers: the story headlined 'Germany's Gabriel "
		      "quits' has been withdrawn.",
		      &w);
	ck_assert_int_eq(w.kill, true);
	ck_assert_str_eq(w.base, "Germany's Gabriel quits");
	wirever_clear(&w);

	/* A lead that says KILL but quotes nothing keeps the title. */
	wirever_parse("Acme to buy Widgetco", "KILL. Not for publication.", &w);
	ck_assert_int_eq(w.kill, true);
	ck_assert_str_eq(w.base, "Acme to buy Widgetco");
	wirever_clear(&w);
}
END_TEST

START_TEST(parse_key_folds_case_accents_punctuation)
{
	struct wirever a, b;

	wirever_parse("UPDATE 1-Pérez wins run-off in São Tomé", NULL, &a);
	wirever_parse("PEREZ WINS RUN OFF IN SAO TOME!", NULL, &b);
	ck_assert_str_eq(a.key, "perez wins run off in sao tome");
	ck_assert_str_eq(a.key, b.key);
	ck_assert_str_eq(a.base, "Pérez wins run-off in São Tomé");
	wirever_clear(&a);
	wirever_clear(&b);
}
END_TEST

START_TEST(parse_null_and_empty_input)
{
	struct wirever w;

	ck_assert_int_eq(wirever_parse(NULL, NULL, &w), 0);
	ck_assert_str_eq(w.base, "");
	ck_assert_str_eq(w.key, "");
	wirever_clear(&w);
	wirever_clear(NULL);
	ck_assert_int_eq(wirever_parse("UPDATE 1-", "", &w), 1);
	ck_assert_str_eq(w.base, "");
	wirever_clear(&w);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("wirever");
	TCase *tc = tcase_create("prefixes");

	tcase_add_test(tc, parse_plain_headline_is_untouched);
	tcase_add_test(tc, parse_reuters_update_number);
	tcase_add_test(tc, parse_chained_prefixes);
	tcase_add_test(tc, parse_kinds);
	tcase_add_test(tc, parse_ap_and_afp_styles);
	tcase_add_test(tc, parse_leaves_lookalike_headlines);
	tcase_add_test(tc, parse_null_and_empty_input);
	tcase_add_test(tc, parse_key_folds_case_accents_punctuation);
	suite_add_tcase(s, tc);

	tc = tcase_create("advisories");
	tcase_add_test(tc, parse_title_advisory_is_removed);
	tcase_add_test(tc, parse_lead_advisories_are_skipped);
	suite_add_tcase(s, tc);

	tc = tcase_create("kills");
	tcase_add_test(tc, parse_kill_with_headline_in_title);
	tcase_add_test(tc, parse_kill_quoting_headline_in_lead);
	suite_add_tcase(s, tc);
	return s;
}
