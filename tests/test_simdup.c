/* SPDX-License-Identifier: MIT */
/* tests/test_simdup.c: aggregator/simdup (near-duplicate signatures). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "aggregator/simdup.h"
#include "core/buf.h"
#include "tests/suite.h"

static const double threshold = 0.3;

/* Sign both texts and report what simdup_same_story says. */
static bool
same(const char *ta, const char *la, const char *tb, const char *lb,
     unsigned *conflicts, double *score)
{
	struct simdup_sig a, b;

	simdup_sign(ta, la, &a);
	simdup_sign(tb, lb, &b);
	if (conflicts)
		*conflicts = simdup_conflicts(&a, &b);
	return simdup_same_story(&a, &b, threshold, score);
}

START_TEST(sign_identical_texts_score_one)
{
	double score;
	unsigned g;

	ck_assert_int_eq(same("Port strike spreads to Rotterdam",
			      "Dock workers walked out on Monday.",
			      "Port strike spreads to Rotterdam",
			      "Dock workers walked out on Monday.", &g, &score),
			 true);
	ck_assert_double_eq(score, 1.0);
	ck_assert_uint_eq(g, 0);
}
END_TEST

START_TEST(sign_folds_case_accents_and_datelines)
{
	double score;

	ck_assert_int_eq(
	    same("Pérez wins run-off in Bolivia",
		 "LA PAZ, June 2 (Reuters) - Ana Pérez won the run-off.",
		 "PEREZ WINS RUN-OFF IN BOLIVIA",
		 "LA PAZ (AP) \xe2\x80\x94 Ana Perez won the run-off.", NULL,
		 &score),
	    true);
	ck_assert_double_eq(score, 1.0);
}
END_TEST

START_TEST(same_story_cross_wire_rewrite)
{
	double score;
	unsigned g;

	ck_assert_int_eq(
	    same("China summons U.S. ambassador over hacking charges",
		 "BEIJING (Reuters) - China summoned the U.S. "
		 "ambassador on Tuesday to protest against charges "
		 "filed against five Chinese military officers.",
		 "China summons U.S. envoy after cyber-spying indictment",
		 "BEIJING (AP) \xe2\x80\x94 China's foreign ministry "
		 "summoned the American ambassador on Tuesday after a "
		 "U.S. grand jury indicted five Chinese army officers.",
		 &g, &score),
	    true);
	ck_assert_uint_eq(g, 0);
	ck_assert_double_ge(score, threshold);
}
END_TEST

START_TEST(guard_other_country)
{
	unsigned g;
	double score;

	ck_assert_int_eq(
	    same("Strong earthquake strikes off coast of Chile",
		 "A magnitude 6.8 earthquake struck off the coast on "
		 "Sunday, officials said.",
		 "Strong earthquake strikes off coast of Peru",
		 "A magnitude 6.8 earthquake struck off the coast on "
		 "Sunday, officials said.",
		 &g, &score),
	    false);
	ck_assert_uint_eq(g, SIMDUP_G_COUNTRIES);
	ck_assert_double_ge(score, threshold);
}
END_TEST

START_TEST(guard_other_number)
{
	unsigned g;

	ck_assert_int_eq(same("Bus crash kills 12 in Kerala hills",
			      "The bus fell into a gorge on Sunday.",
			      "Bus crash kills 30 in Kerala hills",
			      "The bus fell into a gorge on Sunday.", &g, NULL),
			 false);
	ck_assert_uint_eq(g, SIMDUP_G_NUMBERS);
	/* a text that gives no number does not conflict */
	ck_assert_int_eq(
	    same("Bus crash kills 12 in Kerala hills",
		 "The bus fell into a gorge on Sunday.",
		 "Bus plunges into gorge in Kerala hills",
		 "A bus fell into a gorge on Sunday, killing 12 people.", &g,
		 NULL),
	    true);
	ck_assert_int_eq(same("Bus crash kills twelve in Kerala hills",
			      "The bus fell into a gorge on Sunday.",
			      "Bus crash kills 12 in Kerala hills",
			      "The bus fell into a gorge on Sunday.", &g, NULL),
			 true);
}
END_TEST

START_TEST(guard_other_company)
{
	unsigned g;

	ck_assert_int_eq(same("Shares of Norvex slump after profit warning",
			      "Norvex cut its forecast for the year.",
			      "Shares of Zentra slump after profit warning",
			      "Zentra cut its forecast for the year.", &g,
			      NULL),
			 false);
	ck_assert_uint_eq(g & SIMDUP_G_NAMES, SIMDUP_G_NAMES);
	ck_assert_int_eq(
	    same("Norvex shares slump after profit warning",
		 "Shares in Norvex fell after it cut its forecast.",
		 "Zentra shares slump after profit warning",
		 "Shares in Zentra fell after it cut its forecast.", &g, NULL),
	    false);
	ck_assert_uint_eq(g, SIMDUP_G_NAMES | SIMDUP_G_SUBJECT);
	/* one template, another subject, no proven names */
	ck_assert_int_eq(
	    same("Lumica Outperform", "Analysts raise their target.",
		 "Zentra Outperform", "Analysts raise their target.", &g, NULL),
	    false);
	ck_assert_uint_eq(g, SIMDUP_G_SUBJECT);
	/* another opening word in another headline is no conflict */
	ck_assert_int_eq(same("Strong quake shakes central Chile",
			      "A quake shook Chile on Sunday.",
			      "Powerful quake hits off central Chile",
			      "A quake shook Chile on Sunday.", &g, NULL),
			 true);
	/* one word of a name is enough: "Hanna Lind" = "Lind" */
	ck_assert_int_eq(
	    same("Norvex chief Hanna Lind resigns",
		 "The chief executive of Norvex, Hanna Lind, resigned.",
		 "Norvex chief executive Lind quits",
		 "Lind quit Norvex on Monday.", &g, NULL),
	    true);
}
END_TEST

START_TEST(guard_other_day)
{
	unsigned g;

	ck_assert_int_eq(same("Wall Street ends higher as tech rallies",
			      "U.S. stocks closed higher on Monday.",
			      "Wall Street ends higher as tech rallies",
			      "U.S. stocks closed higher on Tuesday.", &g,
			      NULL),
			 false);
	ck_assert_uint_eq(g, SIMDUP_G_DAYS);
	ck_assert_int_eq(same("Factory output rose in March",
			      "Output rose 1 point.",
			      "Factory output rose in April",
			      "Output rose 1 point.", &g, NULL),
			 false);
	ck_assert_uint_eq(g, SIMDUP_G_DAYS);
}
END_TEST

/* The same people and places, another event. */
START_TEST(guard_other_topic)
{
	unsigned g;
	double score;

	ck_assert_int_eq(
	    same("Brenner says union break-up possible",
		 "Lukas Brenner of Norland said in Vasta that a "
		 "break-up of the trading union was possible "
		 "after the vote in parliament.",
		 "Brenner says no new spending target",
		 "Lukas Brenner of Norland said in Vasta that there "
		 "would be no new defence spending target for the "
		 "army in the budget.",
		 &g, &score),
	    false);
	ck_assert_uint_eq(g, SIMDUP_G_TOPIC);
	ck_assert_double_ge(score, 0.2);
}
END_TEST

START_TEST(foreign_text_needs_a_higher_score)
{
	struct simdup_sig en, de;

	simdup_sign("Port strike spreads to Rotterdam",
		    "Dock workers at the port walked out on Monday and the "
		    "strike is spreading to other terminals in the city, "
		    "halting container traffic and ferry services.",
		    &en);
	simdup_sign("Streik im Hafen weitet sich aus",
		    "Die Hafenarbeiter in Rotterdam haben am Montag die Arbeit "
		    "niedergelegt, der Streik greift auf andere Terminals "
		    "der Stadt über.",
		    &de);
	ck_assert_int_eq(en.english, true);
	ck_assert_int_eq(de.english, false);
	ck_assert_double_eq(simdup_threshold(&en, &en, 0.2), 0.2);
	ck_assert_double_eq(simdup_threshold(&en, &de, 0.2),
			    SIMDUP_FOREIGN_THRESHOLD);
	ck_assert_double_eq(simdup_threshold(&de, &de, 0.7), 0.7);
	/* a bare headline is too short for a low threshold */
	simdup_sign("Port strike spreads to Rotterdam", NULL, &de);
	ck_assert_int_eq(de.english, true);
	ck_assert_double_eq(simdup_threshold(&en, &de, 0.2),
			    SIMDUP_SHORT_THRESHOLD);
}
END_TEST

START_TEST(bands_are_stable_and_empty_text_has_none)
{
	struct simdup_sig a, b, c;
	uint64_t ka[SIMDUP_BANDS], kb[SIMDUP_BANDS];

	simdup_sign("Port strike spreads", "Dock workers walked out.", &a);
	simdup_sign("Port strike spreads", "Dock workers walked out.", &b);
	ck_assert_uint_eq(simdup_bands(&a, ka), SIMDUP_BANDS);
	ck_assert_uint_eq(simdup_bands(&b, kb), SIMDUP_BANDS);
	ck_assert_mem_eq(ka, kb, sizeof(ka));
	/* Keys are stored in archives: these are the ones every version
	 * since the band index began has stored for this text. */
	ck_assert_uint_eq(ka[0], 0x1247da8919bcff48ULL);
	ck_assert_uint_eq(ka[17], 0x06aedad2392ffbfeULL);
	ck_assert_uint_eq(ka[31], 0x385011545e226d22ULL);
	ck_assert_uint_eq(ka[63], 0x6a81b16d2fe46cadULL);
	for (size_t i = 1; i < SIMDUP_BANDS; i++)
		ck_assert_int_eq(ka[i] != ka[0], true);
	simdup_sign("", "the of and", &c);
	ck_assert_uint_eq(simdup_bands(&c, ka), 0);
	ck_assert_double_eq(simdup_score(&c, &c), 0.0);
	simdup_sign(NULL, NULL, &c);
	ck_assert_uint_eq(simdup_bands(&c, ka), 0);
}
END_TEST

START_TEST(bands_find_rewrites_not_strangers)
{
	struct simdup_sig a, b, c;
	uint64_t ka[SIMDUP_BANDS], kb[SIMDUP_BANDS], kc[SIMDUP_BANDS];

	simdup_sign("China summons U.S. ambassador over hacking charges",
		    "China summoned the U.S. ambassador on Tuesday over "
		    "charges against five officers.",
		    &a);
	simdup_sign("China summons U.S. envoy after cyber-spying indictment",
		    "China summoned the American ambassador on Tuesday after "
		    "five officers were indicted.",
		    &b);
	simdup_sign("Floods sweep river towns in Bavaria",
		    "Rivers burst their banks after days of rain.", &c);
	simdup_bands(&a, ka);
	simdup_bands(&b, kb);
	simdup_bands(&c, kc);
	size_t ab = 0, ac = 0;

	for (size_t i = 0; i < SIMDUP_BANDS; i++) {
		ab += ka[i] == kb[i];
		ac += ka[i] == kc[i];
	}
	ck_assert_uint_gt(ab, 0);
	ck_assert_uint_eq(ac, 0);
}
END_TEST

START_TEST(long_texts_are_sampled)
{
	struct buf t;
	struct simdup_sig a, b;

	buf_init(&t, 1 << 16);
	for (int i = 0; i < 400; i++)
		buf_appendf(&t, "word%c%c ", 'a' + i % 26, 'a' + i / 26);
	simdup_sign("Long", buf_str(&t), &a);
	ck_assert_int_eq(a.sampled,
			 false); /* only the first words of a lead count */
	simdup_sign(buf_str(&t), NULL, &b);
	ck_assert_int_eq(b.sampled, true);
	ck_assert_uint_eq(b.nshingles, SIMDUP_SHINGLES);
	ck_assert_double_eq(simdup_score(&b, &b), 1.0);
	buf_free(&t);
}
END_TEST

START_TEST(blob_round_trip)
{
	struct simdup_sig a, b;
	unsigned char blob[SIMDUP_BLOB_MAX];

	simdup_sign("Quake kills 12 in Peru on Sunday",
		    "LIMA (Reuters) - A quake killed 12 people in Peru.", &a);
	size_t n = simdup_to_blob(&a, blob);

	ck_assert_uint_le(n, SIMDUP_BLOB_MAX);
	ck_assert_int_eq(simdup_from_blob(blob, n, &b), 0);
	ck_assert_uint_eq(a.nshingles, b.nshingles);
	ck_assert_uint_eq(a.nfeats, b.nfeats);
	ck_assert_mem_eq(a.shingles, b.shingles, a.nshingles * 4);
	ck_assert_mem_eq(a.feats, b.feats, a.nfeats * 4);
	ck_assert_uint_eq(a.ntitle, b.ntitle);
	ck_assert_mem_eq(a.title, b.title, a.ntitle * 4);
	ck_assert_uint_eq(a.subject, b.subject);
	ck_assert_uint_eq(a.nents, b.nents);
	ck_assert_mem_eq(a.ents, b.ents, a.nents * 4);
	ck_assert_int_eq(a.english, b.english);
	ck_assert_double_eq(simdup_score(&a, &b), 1.0);
	ck_assert_uint_eq(simdup_conflicts(&a, &b), 0);

	ck_assert_int_eq(simdup_from_blob(blob, n - 1, &b), WD_EPARSE);
	ck_assert_int_eq(simdup_from_blob(blob, 3, &b), WD_EPARSE);
	blob[2] = 99;
	ck_assert_int_eq(simdup_from_blob(blob, n, &b), WD_EPARSE);
}
END_TEST

/* A blob stored before MinHash values were left out (version 3: 128 of
 * them after the 14-byte head) reads as the same signature. */
START_TEST(blob_version_3_still_reads)
{
	struct simdup_sig a, b;
	unsigned char blob[SIMDUP_BLOB_MAX];
	unsigned char *old = malloc(SIMDUP_BLOB_MAX + 128 * 4);

	simdup_sign("Quake kills 12 in Peru on Sunday",
		    "LIMA (Reuters) - A quake killed 12 people in Peru.", &a);
	size_t n = simdup_to_blob(&a, blob);

	ck_assert_ptr_nonnull(old);
	memcpy(old, blob, 14);
	old[2] = 3;
	memset(old + 14, 0xab, 128 * 4);
	memcpy(old + 14 + 128 * 4, blob + 14, n - 14);
	ck_assert_int_eq(simdup_from_blob(old, n + 128 * 4, &b), 0);
	ck_assert_uint_eq(a.nshingles, b.nshingles);
	ck_assert_mem_eq(a.shingles, b.shingles, a.nshingles * 4);
	ck_assert_uint_eq(a.nents, b.nents);
	ck_assert_mem_eq(a.ents, b.ents, a.nents * 4);
	ck_assert_uint_eq(a.subject, b.subject);
	ck_assert_double_eq(simdup_score(&a, &b), 1.0);
	ck_assert_uint_eq(simdup_conflicts(&a, &b), 0);
	/* the version-4 length under version 3 is short of its hashes */
	ck_assert_int_eq(simdup_from_blob(old, n, &b), WD_EPARSE);
	free(old);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("simdup");
	TCase *tc = tcase_create("sign");

	tcase_add_test(tc, sign_identical_texts_score_one);
	tcase_add_test(tc, sign_folds_case_accents_and_datelines);
	tcase_add_test(tc, same_story_cross_wire_rewrite);
	tcase_add_test(tc, long_texts_are_sampled);
	suite_add_tcase(s, tc);

	tc = tcase_create("guards");
	tcase_add_test(tc, guard_other_country);
	tcase_add_test(tc, guard_other_number);
	tcase_add_test(tc, guard_other_company);
	tcase_add_test(tc, guard_other_day);
	tcase_add_test(tc, guard_other_topic);
	tcase_add_test(tc, foreign_text_needs_a_higher_score);
	suite_add_tcase(s, tc);

	tc = tcase_create("storage");
	tcase_add_test(tc, bands_are_stable_and_empty_text_has_none);
	tcase_add_test(tc, bands_find_rewrites_not_strangers);
	tcase_add_test(tc, blob_round_trip);
	tcase_add_test(tc, blob_version_3_still_reads);
	suite_add_tcase(s, tc);
	return s;
}
