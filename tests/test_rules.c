/* SPDX-License-Identifier: MIT */
/* tests/test_rules.c: the rule language: folding, each matcher, the
 * combinators, named rules and rules files, actions, and check's errors
 * with exact positions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "core/story.h"
#include "selections/audience.h"
#include "selections/match.h"
#include "selections/rules.h"
#include "tests/suite.h"

enum { NOW = 1700000000 };

static char dir[256];

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/wd-rules-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static const char *const written[] = {"a.yaml", "lib.yaml", NULL};

static void
teardown(void)
{
	char p[512];

	for (size_t i = 0; written[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, written[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void
put(const char *name, const char *text)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static const char head[] = "audience: t\n"
			   "title: T\n"
			   "link: https://gazette.example/t\n";

/* Load head + body as a.yaml; feed ids wire-a and wire-b are known. */
static struct audience *
load(const char *body, struct ydoc **errs)
{
	static const char *const feeds[] = {"wire-a", "wire-b"};
	struct audience_opts o = {.feed_ids = feeds, .nfeed_ids = 2};
	char p[512];
	char *text = malloc(strlen(head) + strlen(body) + 1);

	memcpy(text, head, strlen(head));
	memcpy(text + strlen(head), body, strlen(body) + 1);
	put("a.yaml", text);
	free(text);
	snprintf(p, sizeof(p), "%s/a.yaml", dir);
	return audience_load_opts(p, &o, errs);
}

/* The error list, one per line, with the temp folder cut off. */
static char *
errors_of(const struct ydoc *errs)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < ydoc_nerrors(errs); i++) {
		const char *e = ydoc_errmsg(errs, i);
		size_t dl = strlen(dir);

		buf_puts(&b,
			 !strncmp(e, dir, dl) && e[dl] == '/' ? e + dl + 1 : e);
		buf_putc(&b, '\n');
	}
	return buf_take(&b);
}

struct tstory {
	struct story s;
	struct story_item it[2];
	const char *cats[2];
	struct enclosure enc;
};

static void
mk(struct tstory *t, const char *title, const char *summary)
{
	memset(t, 0, sizeof(*t));
	t->s.key = "s1";
	t->s.items = t->it;
	t->s.nitems = 1;
	t->s.published = NOW - 3600;
	t->it[0].item.title = title;
	t->it[0].item.summary = summary;
	t->it[0].item.published = NOW - 3600;
	t->it[0].item.embargo = WD_NOTIME;
	t->it[0].feed_id = "wire-a";
	t->it[0].source = "Reuters";
}

/* Does the single rule of body fire on t? */
static bool
fires(const char *body, const struct tstory *t)
{
	struct ydoc *errs;
	struct audience *a = load(body, &errs);

	if (!a) {
		char *e = errors_of(errs);

		ck_abort_msg("load failed: %s", e);
	}
	struct rules_result res = {0};

	rules_eval(audience_rules(a), &t->s, NOW, &res);
	bool hit = res.nfired > 0;

	rules_result_free(&res);
	audience_free(a);
	ydoc_free(errs);
	return hit;
}

START_TEST(match_fold_lowers_strips_accents_and_splits)
{
	struct buf b;

	buf_init(&b, 4096);
	match_fold(&b, "CAFÉ Society: Phúket's  STRASSE-Fest, 2024!", 45,
		   false);
	ck_assert_str_eq(buf_str(&b),
			 " cafe society phuket s strasse fest 2024 ");
	buf_reset(&b);
	match_fold(&b, "<p class=\"x\">Caf&eacute;&nbsp;&amp;<b>bar</b></p>",
		   48, true);
	ck_assert_str_eq(buf_str(&b), " cafe bar ");
	buf_reset(&b);
	match_fold(&b, "Straße", strlen("Straße"), false);
	ck_assert_str_eq(buf_str(&b), " strasse ");
	buf_reset(&b);
	match_fold(&b, "  ", 2, false);
	ck_assert_str_eq(buf_str(&b), " ");
	buf_free(&b);
}
END_TEST

START_TEST(match_dict_finds_whole_words_and_phrases)
{
	struct match_dict *d = match_dict_new();
	struct buf b;
	uint8_t hits[40] = {0};

	ck_assert_int_eq(match_dict_add(d, "Phuket"), 0);
	ck_assert_int_eq(match_dict_add(d, "South China Sea"), 1);
	ck_assert_int_eq(match_dict_add(d, "sea"), 2);
	ck_assert_int_eq(match_dict_add(d, "china seas"), 3);
	ck_assert_int_lt(match_dict_add(d, " -- "), 0);
	for (int i = 4; i < 40; i++) {
		char w[16];

		snprintf(w, sizeof(w), "WORD%d", i);
		ck_assert_int_eq(match_dict_add(d, w), i);
	}
	ck_assert_int_eq(match_dict_add(d, "a b c d e f g h i"), WD_ETOOBIG);
	buf_init(&b, 4096);
	buf_puts(&b, "<i>Phuketian</i> boats in the south  China-Sea; wörd39");
	match_dict_scan(d, b.data, b.len, true,
			&(struct match_hits){.hits = hits}, 2);
	ck_assert_uint_eq(hits[0], 0);
	ck_assert_uint_eq(hits[1], 2);
	ck_assert_uint_eq(hits[2], 2);
	ck_assert_uint_eq(hits[3], 0);
	ck_assert_uint_eq(hits[38], 0);
	ck_assert_uint_eq(hits[39], 2);
	buf_free(&b);
	match_dict_free(d);
}
END_TEST

/* The one-pass scanner agrees with "folded text contains ' phrase '" on
 * random text, and survives bytes that are not UTF-8. */
START_TEST(match_dict_scan_agrees_with_folding)
{
	static const char *const alpha[] = {
	    "ab", "Ab",  "b",     "é",      "E\xcc\x81", " ",
	    "-",  "<i>", "&amp;", "&#233;", "\xff",      "\xe0\x80",
	    "&",  "<",   "ß",     "ss",     "\n"};
	static const char *const ascii[] = {
	    "ab", "Ab", "b", " ", "-", "ss", "abcdefgh", "Abcdefghab"};
	static const char *const ph[] = {"ab",
					 "ab b",
					 "é",
					 "ss ab",
					 "b b b",
					 "e ss",
					 "ab ab ab ab ab ab ab ab",
					 "abcdefghab abcdefgh"};
	unsigned long long r = 12345;
	struct match_dict *d = match_dict_new();
	struct buf text, f, want;

	for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
		ck_assert_int_eq(match_dict_add(d, ph[i]), (int)i);
	buf_init(&text, 1 << 16);
	buf_init(&f, 1 << 16);
	buf_init(&want, 1 << 10);
	for (int round = 0; round < 2000; round++) {
		uint8_t hits[9] = {0};
		int len = (int)(r % 120);

		buf_reset(&text);
		for (int k = 0; k < len; k++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			/* half the rounds plain ASCII: the fast path */
			buf_puts(&text, round % 4 < 2 ? alpha[(r >> 33) % 17]
						      : ascii[(r >> 33) % 8]);
		}
		bool html = round % 2;

		match_dict_scan(d, text.data ? text.data : "", text.len, html,
				&(struct match_hits){.hits = hits}, 1);
		buf_reset(&f);
		match_fold(&f, text.data ? text.data : "", text.len, html);
		for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
			buf_reset(&want);
			match_fold(&want, ph[i], strlen(ph[i]), false);
			bool in = strstr(buf_str(&f), buf_str(&want)) != NULL;

			ck_assert_msg(in == (hits[i] == 1), "'%s' in '%s'",
				      ph[i], buf_str(&text));
		}
	}
	buf_free(&text);
	buf_free(&f);
	buf_free(&want);
	match_dict_free(d);
}
END_TEST

/* The fast path for plain ASCII: long runs, words past 8 and past 64
 * bytes, a phrase cut by the 4096-byte run limit. */
START_TEST(match_dict_scan_handles_long_ascii_runs)
{
	static const char *const ph[] = {
	    "extraordinarily", "internationalization localization", "x",
	    "abcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefgh",
	    "ab cd"};
	struct match_dict *d = match_dict_new();
	struct buf t;
	uint8_t hits[5] = {0};

	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(match_dict_add(d, ph[i]), (int)i);
	buf_init(&t, 1 << 20);
	for (int i = 0; i < 700; i++)
		buf_puts(&t, "filler ");
	ck_assert_uint_eq(t.len, 4900);
	/* "ab cd" lands across the 4096-byte boundary of a run */
	t.data[4092] = ' ';
	t.data[4093] = 'a';
	t.data[4094] = 'b';
	t.data[4095] = ' ';
	t.data[4096] = 'c';
	t.data[4097] = 'd';
	t.data[4098] = ' ';
	buf_puts(&t, "EXTRAORDINARILY; Internationalization-Localization "
		     "abcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefg"
		     "habcdefghX x");
	match_dict_scan(d, t.data, t.len, false,
			&(struct match_hits){.hits = hits}, 1);
	ck_assert_uint_eq(hits[0], 1);
	ck_assert_uint_eq(hits[1], 1);
	ck_assert_uint_eq(hits[2], 1);
	ck_assert_uint_eq(hits[3], 0); /* 65 letters: not the 64 */
	ck_assert_uint_eq(hits[4], 1);
	/* a word cut by the run limit */
	memset(hits, 0, sizeof(hits));
	buf_reset(&t);
	for (int i = 0; i < 4090; i++)
		buf_putc(&t, i % 2 ? ' ' : 'q');
	buf_puts(&t, "Extraordinarily.");
	match_dict_scan(d, t.data, t.len, false,
			&(struct match_hits){.hits = hits}, 1);
	ck_assert_uint_eq(hits[0], 1);
	buf_free(&t);
	match_dict_free(d);
}
END_TEST

/* The fast path measures words from its bitmap and filters on their length
 * and first letters: words of every length up to 64 are found wherever they
 * start against the bitmap's 64-bit words, and words one letter longer or
 * shorter, or differing in the last letter, are not. */
START_TEST(match_dict_scan_finds_words_of_every_length_at_every_offset)
{
	struct match_dict *d = match_dict_new();
	char w[66];
	struct buf t;
	uint8_t hits[64];

	for (size_t len = 1; len <= 64; len++) {
		for (size_t i = 0; i < len; i++)
			w[i] = (char)('a' + (i * 7 + len) % 26);
		w[len] = '\0';
		ck_assert_int_eq(match_dict_add(d, w), (int)len - 1);
	}
	buf_init(&t, 1 << 20);
	for (size_t len = 1; len <= 64; len++) {
		for (size_t at = 0; at < 64; at++) {
			for (int miss = 0; miss < 4; miss++) {
				size_t n = len + (miss == 1) - (miss == 2);

				for (size_t i = 0; i < n; i++)
					w[i] = (char)('A' + (i * 7 + len) % 26);
				if (miss == 3)
					w[len - 1] =
					    w[len - 1] == 'Z' ? 'Y' : 'Z';
				buf_reset(&t);
				for (size_t i = 0; i + 1 < at; i++)
					buf_putc(&t, i % 3 ? 'q' : ' ');
				if (at)
					buf_putc(&t, ' ');
				buf_append(&t, w, n);
				buf_puts(&t, " tail words after it");
				memset(hits, 0, sizeof(hits));
				match_dict_scan(
				    d, t.data, t.len, false,
				    &(struct match_hits){.hits = hits}, 1);
				ck_assert_msg(hits[len - 1] == !miss,
					      "len %zu at %zu miss %d", len, at,
					      miss);
			}
		}
	}
	buf_free(&t);
	match_dict_free(d);
}
END_TEST

/* The fast path folds the last bytes of a run as one block that overlaps
 * those before it: a tag just before them stays skipped, whatever the
 * length of the text. */
START_TEST(match_dict_scan_skips_tags_near_the_end)
{
	struct match_dict *d = match_dict_new();
	struct buf t;
	uint8_t hits[3];

	ck_assert_int_eq(match_dict_add(d, "i"), 0);
	ck_assert_int_eq(match_dict_add(d, "cd"), 1);
	ck_assert_int_eq(match_dict_add(d, "em"), 2);
	buf_init(&t, 1 << 16);
	for (size_t n = 0; n < 80; n++) {
		for (size_t tail = 0; tail < 20; tail++) {
			buf_reset(&t);
			for (size_t i = 0; i < n; i++)
				buf_putc(&t, i % 4 == 3 ? ' ' : 'q');
			buf_puts(&t, "<i>cd</i>");
			for (size_t i = 0; i < tail; i++)
				buf_putc(&t, i % 3 == 2 ? ' ' : 'z');
			buf_puts(&t, "<em>");
			memset(hits, 0, sizeof(hits));
			match_dict_scan(d, t.data, t.len, true,
					&(struct match_hits){.hits = hits}, 1);
			ck_assert_msg(!hits[0] && hits[1] && !hits[2],
				      "n %zu tail %zu", n, tail);
		}
	}
	buf_free(&t);
	match_dict_free(d);
}
END_TEST

/* Long texts, so that runs of the fast path reach their limit with tags
 * inside them, cut through, or left open. */
START_TEST(match_dict_scan_agrees_on_long_html)
{
	static const char *const tok[] = {"ab",
					  "Ab",
					  "b",
					  " ",
					  "  ",
					  "ss",
					  "é",
					  "<i>",
					  "</p><p>",
					  "&amp;",
					  "abcdefghab",
					  ", ",
					  "<a href=\"x\">",
					  "<",
					  ">",
					  "Abcdefgh",
					  "\n"};
	static const char *const ph[] = {
	    "ab",         "ab b", "ss ab", "b b b", "abcdefghab abcdefgh",
	    "ab ab ab ab"};
	enum {
		NT = sizeof(tok) / sizeof(tok[0]),
		NP = sizeof(ph) / sizeof(ph[0])
	};
	unsigned long long r = 777;
	struct match_dict *d = match_dict_new();
	struct buf text, f, want;

	for (size_t i = 0; i < NP; i++)
		ck_assert_int_eq(match_dict_add(d, ph[i]), (int)i);
	buf_init(&text, 1 << 20);
	buf_init(&f, 1 << 20);
	buf_init(&want, 1 << 10);
	for (int round = 0; round < 60; round++) {
		uint8_t hits[NP] = {0};
		int len = 500 + (int)(r % 3000);

		buf_reset(&text);
		for (int k = 0; k < len; k++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			/* mostly plain words, so that runs grow long */
			unsigned t = (unsigned)(r >> 33) % (NT + 20);

			buf_puts(&text, tok[t < NT ? t : t % 6]);
		}
		bool html = round % 3 != 0;

		match_dict_scan(d, text.data, text.len, html,
				&(struct match_hits){.hits = hits}, 1);
		buf_reset(&f);
		match_fold(&f, text.data, text.len, html);
		for (size_t i = 0; i < NP; i++) {
			buf_reset(&want);
			match_fold(&want, ph[i], strlen(ph[i]), false);
			bool in = strstr(buf_str(&f), buf_str(&want)) != NULL;

			ck_assert_msg(in == (hits[i] == 1), "'%s', round %d",
				      ph[i], round);
		}
	}
	buf_free(&text);
	buf_free(&f);
	buf_free(&want);
	match_dict_free(d);
}
END_TEST

START_TEST(match_dict_gives_equal_phrases_one_id)
{
	struct match_dict *d = match_dict_new();
	uint8_t hits[3] = {0};

	ck_assert_int_eq(match_dict_add(d, "South China Sea"), 0);
	ck_assert_int_eq(match_dict_add(d, "sea"), 1);
	ck_assert_int_eq(match_dict_add(d, "south  CHINA-sea"), 0);
	ck_assert_int_eq(match_dict_add(d, "Sea"), 1);
	ck_assert_int_eq(match_dict_add(d, "china sea"), 2);
	uint32_t found[3];
	struct match_hits mh = {.hits = hits, .found = found};

	match_dict_scan(d, "the South China Sea, south china sea", 36, false,
			&mh, 4);
	ck_assert_uint_eq(hits[0], 4);
	ck_assert_uint_eq(hits[1], 4);
	ck_assert_uint_eq(hits[2], 4);
	/* each once, in the order found (phrases ending in one word: in
	 * the order added) */
	ck_assert_uint_eq(mh.nfound, 3);
	ck_assert_uint_eq(found[0], 0);
	ck_assert_uint_eq(found[1], 1);
	ck_assert_uint_eq(found[2], 2);
	match_dict_free(d);
}
END_TEST

START_TEST(match_re_reports_offset)
{
	char err[256];
	size_t off = 99;
	struct match_re *re =
	    match_re_new("ab(c", false, err, sizeof(err), &off);

	ck_assert_ptr_null(re);
	ck_assert_uint_eq(off, 4);
	ck_assert_ptr_nonnull(strstr(err, "missing closing parenthesis"));
	re = match_re_new("b[aeiou]t", false, err, sizeof(err), &off);
	ck_assert(match_re_find(re, "A BUT", 5));
	ck_assert(!match_re_find(re, "bxt", 3));
	ck_assert(match_re_find(re, "\xff\xfe bat", 6));
	match_re_free(re);
}
END_TEST

/* Patterns with letters every match must hold: the quick search for them
 * must never turn away a text the pattern matches. */
START_TEST(match_re_literals_never_hide_a_match)
{
	static const struct {
		const char *pattern;
		bool sensitive;
		const char *text;
		bool match;
	} cases[] = {
	    {"\\bstocks\\w*\\b", true, "the stockscape", true},
	    {"\\bstocks\\w*\\b", true, "the Stocks", false},
	    {"\\bstocks\\w*\\b", false, "the STOCKS", true},
	    {"\\bstocks\\w*\\b", false, "the \xc5\xbftoc\xe2\x84\xaa\xc5\xbf",
	     true},
	    {"kelvin", false,
	     "\xe2\x84\xaa"
	     "ELVIN",
	     true},
	    {"colou?r", true, "color", true},
	    {"ab{0}cde", true, "acde", true},
	    {"ab{2}cde", true, "abbcde", true},
	    {"x(abc)?yzw", true, "xyzw", true},
	    {"abc+d", true, "abcccd", true},
	    {"[xyz]defg", true, "ydefg", true},
	    {"[xyz]defg", true, "ydefh", false},
	    {"(?i)ABCD", true, "abcd", true},
	    {"abcd|wxyz", true, "wxyz", true},
	    {"\\Qab.c\\E", true, "ab.c", true},
	    {"\\x41BCD", true, "ABCD", true},
	    {"1234", false,
	     "\x11\x12"
	     "1234",
	     true},
	    {"1234", false, "\x11\x12\x13\x14", false},
	    {"digits 2024", true, "digits 2024", true},
	    {"emb", true, "em", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256];
		size_t off;
		struct match_re *re =
		    match_re_new(cases[i].pattern, cases[i].sensitive, err,
				 sizeof(err), &off);

		ck_assert_ptr_nonnull(re);
		ck_assert_msg(
		    match_re_find(re, cases[i].text, strlen(cases[i].text)) ==
			cases[i].match,
		    "case %zu: %s", i, cases[i].pattern);
		match_re_free(re);
	}
}
END_TEST

/* The quick search looks sixteen places at a time and ends with a block
 * that overlaps those before it: a literal is found at every place of
 * texts of every length around those sizes, and a near miss nowhere. */
START_TEST(match_re_literal_found_at_every_place)
{
	char err[256], text[80];
	size_t off;
	struct match_re *re =
	    match_re_new("fjord", false, err, sizeof(err), &off);

	ck_assert_ptr_nonnull(re);
	for (size_t n = 0; n < sizeof(text); n++) {
		memset(text, 'x', n);
		for (size_t at = 0; at + 5 <= n; at++) {
			memcpy(text + at, "FJORD", 5);
			ck_assert_msg(match_re_find(re, text, n),
				      "n %zu at %zu", n, at);
			memcpy(text + at, "fjorx", 5);
			ck_assert_msg(!match_re_find(re, text, n),
				      "n %zu at %zu", n, at);
			memset(text + at, 'x', 5);
		}
		ck_assert(!match_re_find(re, text, n));
	}
	match_re_free(re);
}
END_TEST

/* The quick search assumes that, caseless, an ASCII letter or digit other
 * than k and s matches only its own two cases: check that against the
 * PCRE2 we run with, over the Basic Multilingual Plane (one class holds
 * them all; "[ks]" shows the check can fail). */
START_TEST(match_re_caseless_ascii_stays_ascii)
{
	char err[256];
	size_t off;
	struct match_re *safe =
	    match_re_new("[a-jl-rt-z0-9]", false, err, sizeof(err), &off);
	struct match_re *unsafe =
	    match_re_new("[ks]", false, err, sizeof(err), &off);
	size_t nunsafe = 0;

	ck_assert_ptr_nonnull(safe);
	ck_assert_ptr_nonnull(unsafe);
	for (unsigned cp = 0x80; cp < 0x10000; cp++) {
		char u[3];
		size_t n;

		if (cp >= 0xd800 && cp < 0xe000)
			continue;
		if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 63));
			n = 2;
		} else {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | ((cp >> 6) & 63));
			u[2] = (char)(0x80 | (cp & 63));
			n = 3;
		}
		ck_assert_msg(!match_re_find(safe, u, n), "U+%04X", cp);
		nunsafe += match_re_find(unsafe, u, n);
	}
	ck_assert_uint_eq(nunsafe, 2); /* the long s and the Kelvin sign */
	match_re_free(safe);
	match_re_free(unsafe);
}
END_TEST

START_TEST(words_match_whole_words_any_case_and_accent)
{
	struct tstory t;
	const char *r = "rules:\n"
			"  - match: {words: [phuket, South China Sea]}\n"
			"    include: yes\n";

	mk(&t, "PHÚKET ferry resumes", NULL);
	ck_assert(fires(r, &t));
	mk(&t, "Phuketian chefs win", NULL);
	ck_assert(!fires(r, &t));
	mk(&t, "Drills", "<p>Ships in the <b>south China</b> sea.</p>");
	ck_assert(fires(r, &t));
}
END_TEST

START_TEST(words_in_limits_the_field)
{
	struct tstory t;
	const char *r = "rules:\n"
			"  - match: {words: Bangkok, in: title}\n"
			"    score: 1\n";
	const char *r2 = "rules:\n"
			 "  - match: {words: Bangkok, in: [summary, content]}\n"
			 "    score: 1\n";

	mk(&t, "Markets", "Bangkok stocks rise");
	ck_assert(!fires(r, &t));
	ck_assert(fires(r2, &t));
	mk(&t, "Bangkok stocks rise", "Markets");
	ck_assert(fires(r, &t));
	ck_assert(!fires(r2, &t));
}
END_TEST

START_TEST(regex_has_an_explicit_case_flag)
{
	struct tstory t;
	const char *cs = "rules:\n"
			 "  - match: {regex: '\\bSET\\b', case: sensitive}\n"
			 "    score: 1\n";
	const char *ci = "rules:\n"
			 "  - match: {regex: '\\bSET\\b'}\n"
			 "    score: 1\n";

	mk(&t, "Thai SET index climbs", NULL);
	ck_assert(fires(cs, &t));
	ck_assert(fires(ci, &t));
	mk(&t, "Stage is set for talks", NULL);
	ck_assert(!fires(cs, &t));
	ck_assert(fires(ci, &t));
}
END_TEST

START_TEST(field_matchers_compare_story_data)
{
	struct tstory t;

	mk(&t, "x", NULL);
	t.cats[0] = "Wörld  News";
	t.it[0].item.categories = t.cats;
	t.it[0].item.ncategories = 1;
	t.it[0].item.author = "By Somchai Jaidee, Bangkok";
	t.it[0].item.language = "en-GB";
	t.it[0].item.link = "https://www.wire.example:8443/a/b?c";
	ck_assert(
	    fires("rules:\n  - match: {feed: wire-a}\n    score: 1\n", &t));
	ck_assert(
	    !fires("rules:\n  - match: {feed: wire-b}\n    score: 1\n", &t));
	ck_assert(fires("rules:\n  - match: {source: [AP, reuters]}\n"
			"    score: 1\n",
			&t));
	ck_assert(fires("rules:\n  - match: {category: world news}\n"
			"    score: 1\n",
			&t));
	ck_assert(!fires("rules:\n  - match: {category: world}\n"
			 "    score: 1\n",
			 &t));
	/* plain ASCII categories compare without a folded copy */
	t.cats[0] = "-- World/NEWS 2 ";
	ck_assert(fires("rules:\n  - match: {category: [sport, world news 2]}\n"
			"    score: 1\n",
			&t));
	ck_assert(!fires("rules:\n  - match: {category: world news}\n"
			 "    score: 1\n",
			 &t));
	ck_assert(!fires("rules:\n  - match: {category: world news 22}\n"
			 "    score: 1\n",
			 &t));
	t.cats[0] = "Wörld  News";
	ck_assert(fires("rules:\n  - match: {author: somchai jaidee}\n"
			"    score: 1\n",
			&t));
	ck_assert(
	    fires("rules:\n  - match: {language: en}\n    score: 1\n", &t));
	ck_assert(
	    !fires("rules:\n  - match: {language: eng}\n    score: 1\n", &t));
	ck_assert(fires("rules:\n  - match: {link_host: wire.example}\n"
			"    score: 1\n",
			&t));
	ck_assert(!fires("rules:\n  - match: {link_host: re.example}\n"
			 "    score: 1\n",
			 &t));
	/* the host after the first "://", or from the start without one */
	t.it[0].item.link = "feed:x:https://a.wire.example/b";
	ck_assert(fires("rules:\n  - match: {link_host: wire.example}\n"
			"    score: 1\n",
			&t));
	t.it[0].item.link = "wire.example:80/a";
	ck_assert(fires("rules:\n  - match: {link_host: wire.example}\n"
			"    score: 1\n",
			&t));
	t.it[0].item.link = "https://www.wire.example:8443/a/b?c";
	ck_assert(
	    fires("rules:\n  - match: {newer_than: 2h}\n    score: 1\n", &t));
	ck_assert(
	    !fires("rules:\n  - match: {older_than: 2h}\n    score: 1\n", &t));
	ck_assert(
	    fires("rules:\n  - match: {older_than: 30m}\n    score: 1\n", &t));
	ck_assert(
	    !fires("rules:\n  - match: {has: image}\n    score: 1\n", &t));
	t.enc.url = "https://wire.example/p.jpg";
	t.enc.type = "image/jpeg";
	t.enc.length = -1;
	t.it[0].item.enclosures = &t.enc;
	t.it[0].item.nenclosures = 1;
	ck_assert(fires("rules:\n  - match: {has: [image, enclosure]}\n"
			"    score: 1\n",
			&t));
}
END_TEST

START_TEST(any_item_of_a_story_can_match)
{
	struct tstory t;

	mk(&t, "Quake", NULL);
	t.s.nitems = 2;
	t.it[1] = t.it[0];
	t.it[1].source = "AP";
	t.it[1].item.title = "Quake near Phuket";
	ck_assert(fires("rules:\n  - match: {source: AP}\n    score: 1\n", &t));
	ck_assert(
	    fires("rules:\n  - match: {words: phuket}\n    score: 1\n", &t));
}
END_TEST

START_TEST(combinators_nest)
{
	struct tstory t;
	const char *r = "rules:\n"
			"  - match:\n"
			"      all:\n"
			"        - any:\n"
			"            - words: Thailand\n"
			"            - words: Myanmar\n"
			"        - not: {source: AFP}\n"
			"    include: yes\n";

	mk(&t, "Thailand votes", NULL);
	ck_assert(fires(r, &t));
	t.it[0].source = "AFP";
	ck_assert(!fires(r, &t));
	mk(&t, "Myanmar talks", NULL);
	ck_assert(fires(r, &t));
	mk(&t, "Laos talks", NULL);
	ck_assert(!fires(r, &t));
	/* Two matchers in one mapping must both hold. */
	ck_assert(!fires("rules:\n  - match: {words: laos, source: AP}\n"
			 "    score: 1\n",
			 &t));
}
END_TEST

static struct rules_result
eval_body(const char *body, const struct tstory *t)
{
	struct ydoc *errs;
	struct audience *a = load(body, &errs);
	struct rules_result res = {0};

	if (!a) {
		char *e = errors_of(errs);

		ck_abort_msg("load failed: %s", e);
	}
	rules_eval(audience_rules(a), &t->s, NOW, &res);
	audience_free(a);
	ydoc_free(errs);
	return res;
}

START_TEST(actions_add_up_and_stop_ends)
{
	struct tstory t;
	const char *r = "rules:\n"
			"  - match: {words: phuket}\n"
			"    score: +5\n"
			"    tag: [Local, World News]\n"
			"  - match: {words: ferry}\n"
			"    score: -2\n"
			"    include: yes\n"
			"    stop: yes\n"
			"  - match: {words: phuket}\n"
			"    exclude: yes\n";

	mk(&t, "Phuket ferry", NULL);
	struct rules_result res = eval_body(r, &t);

	ck_assert_int_eq(res.score, 3);
	ck_assert(res.include);
	ck_assert(!res.exclude);
	ck_assert_uint_eq(res.nfired, 2);
	ck_assert_uint_eq(res.ntags, 2);
	rules_result_free(&res);
	mk(&t, "Phuket pier", NULL);
	res = eval_body(r, &t);
	ck_assert_int_eq(res.score, 5);
	ck_assert(res.exclude);
	ck_assert_uint_eq(res.nfired, 2);
	rules_result_free(&res);
}
END_TEST

/* Rules run only when they can fire: the result is the same as running
 * every rule in order, whatever mixes words with other matchers. */
START_TEST(rules_fire_in_order_whatever_the_plan)
{
	static const char body[] =
	    "rules:\n"
	    "  - {name: src-stop, match: {source: AFP}, stop: yes, score: 1}\n"
	    "  - name: any-mixed\n"
	    "    match: {any: [{words: ferry}, {source: Reuters}]}\n"
	    "    score: 1\n"
	    "  - {name: not-words, match: {not: {words: ferry}}, score: 1}\n"
	    "  - name: all-words\n"
	    "    match: {all: [{source: Reuters}, {words: phuket}]}\n"
	    "    score: 1\n"
	    "  - name: title-only\n"
	    "    match: {words: phuket, in: title}\n"
	    "    tag: Local\n"
	    "  - {name: dup, match: {words: Phuket}, tag: Local}\n"
	    "  - name: nested-any\n"
	    "    match:\n"
	    "      any:\n"
	    "        - words: ferry\n"
	    "        - all: [{words: pier}, {newer_than: 2h}]\n"
	    "    score: 1\n"
	    "  - {name: phrase, match: {words: Phuket ferry}, score: 1}\n";
	static const struct {
		const char *title, *summary, *source;
		const char *fired;
		size_t ntags;
	} cases[] = {
	    {"Phuket ferry", "pier", "Reuters",
	     "any-mixed all-words title-only dup nested-any phrase ", 1},
	    {"News", "Phuket pier", "Reuters",
	     "any-mixed not-words all-words dup nested-any ", 1},
	    {"News", "Phuket ferry", "AP", "any-mixed dup nested-any phrase ",
	     1},
	    {"Phuket ferry", NULL, "AFP", "src-stop ", 0},
	    {"Nothing", "at all", "AP", "not-words ", 0},
	};
	struct ydoc *errs;
	struct audience *a = load(body, &errs);

	ck_assert_ptr_nonnull(a);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tstory t;
		struct rules_result res = {0};
		char got[256] = "";

		mk(&t, cases[i].title, cases[i].summary);
		t.it[0].source = cases[i].source;
		rules_eval(audience_rules(a), &t.s, NOW, &res);
		for (size_t k = 0; k < res.nfired; k++) {
			strncat(got, res.fired[k]->name,
				sizeof(got) - strlen(got) - 2);
			strncat(got, " ", sizeof(got) - strlen(got) - 1);
		}
		ck_assert_str_eq(got, cases[i].fired);
		ck_assert_uint_eq(res.ntags, cases[i].ntags);
		rules_result_free(&res);
	}
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(named_rules_are_shared_through_a_rules_file)
{
	struct tstory t;
	struct ydoc *errs;

	put("lib.yaml", "rules:\n"
			"  - name: thai\n"
			"    match: {words: [Thailand, Phuket]}\n"
			"  - name: no-sport\n"
			"    match: {category: Sport}\n"
			"    exclude: yes\n");
	struct audience *a = load("rules_file: lib.yaml\n"
				  "rules:\n"
				  "  - name: thai-news\n"
				  "    match: {all: [{use: thai}, "
				  "{not: {use: no-sport}}]}\n"
				  "    include: yes\n"
				  "  - use: no-sport\n",
				  &errs);

	ck_assert_uint_eq(ydoc_nerrors(errs), 0);
	ck_assert_ptr_nonnull(a);
	const struct rules *r = audience_rules(a);

	ck_assert_uint_eq(rules_count(r), 2);
	ck_assert_str_eq(rules_info(r, 0)->name, "thai-news");
	ck_assert_str_eq(rules_info(r, 1)->name, "no-sport");
	ck_assert_int_eq(rules_info(r, 1)->line, 4);
	ck_assert_ptr_nonnull(strstr(rules_info(r, 1)->file, "lib.yaml"));
	ck_assert(rules_has_include(r));
	mk(&t, "Phuket marathon", NULL);
	t.cats[0] = "sport";
	t.it[0].item.categories = t.cats;
	t.it[0].item.ncategories = 1;
	struct rules_result res = {0};

	rules_eval(r, &t.s, NOW, &res);
	ck_assert(!res.include);
	ck_assert(res.exclude);
	t.it[0].item.ncategories = 0;
	rules_eval(r, &t.s, NOW, &res);
	ck_assert(res.include);
	ck_assert(!res.exclude);
	rules_result_free(&res);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

static void
check_errors(const char *body, const char *want)
{
	struct ydoc *errs;
	struct audience *a = load(body, &errs);
	char *got = errors_of(errs);

	ck_assert_ptr_null(a);
	ck_assert_str_eq(got, want);
	free(got);
	ydoc_free(errs);
}

START_TEST(check_reports_rule_mistakes_with_positions)
{
	check_errors("rules:\n"
		     "  - match: {word: x}\n"
		     "    include: yes\n"
		     "  - match: {words: x}\n"
		     "    scor: 2\n"
		     "  - match:\n"
		     "      regex: 'ab(c'\n"
		     "    include: maybe\n"
		     "  - match: {use: nothing}\n"
		     "    score: 1\n"
		     "  - match: {feed: [wire-a, wire-z]}\n"
		     "    score: 1\n"
		     "  - match: {words: x}\n",
		     /* line numbers count the 3 lines of head */
		     "a.yaml:5:13: unknown key 'word'\n"
		     "a.yaml:8:5: unknown key 'scor'\n"
		     "a.yaml:10:19: bad regex: missing closing parenthesis "
		     "(at character 5 of the pattern)\n"
		     "a.yaml:11:14: expected true or false\n"
		     "a.yaml:12:18: use: no rule named 'nothing'\n"
		     "a.yaml:14:28: feed: no feed with id 'wire-z' in the "
		     "config\n"
		     "a.yaml:16:5: rule 'rule 6' has no action: add "
		     "include, exclude, score, tag or stop\n");
}
END_TEST

START_TEST(check_reports_impossible_settings)
{
	check_errors("limit: 0\n", "a.yaml:4:8: 0 is out of range (1 to "
				   "100000)\n");
	check_errors("limit: 5\n"
		     "per_source_limit: 6\n"
		     "per_tag_limit: {World News: 9}\n"
		     "time_zone: Mars/Olympus\n"
		     "schedule: {days: [mon, funday], hours: [6-22, 25]}\n"
		     "min_score: 3\n"
		     "rules:\n"
		     "  - match: {words: x}\n"
		     "    score: 2\n",
		     "a.yaml:5:19: per_source_limit 6 is more than limit 5\n"
		     "a.yaml:6:29: per_tag_limit for 'World News' (9) is "
		     "more than limit 5\n"
		     "a.yaml:7:12: time_zone: unknown zone 'Mars/Olympus' "
		     "(use a name such as Asia/Bangkok, or an offset such as "
		     "+07:00)\n"
		     "a.yaml:8:24: days: expected mon, tue, wed, thu, fri, "
		     "sat or sun\n"
		     "a.yaml:8:47: hours: expected an hour 0 to 23 or a range "
		     "such as 6-22\n"
		     "a.yaml:9:12: min_score 3 can never be reached: the "
		     "rules add at most 2\n");
}
END_TEST

START_TEST(check_reports_rules_file_mistakes_in_that_file)
{
	put("lib.yaml", "rules:\n"
			"  - name: loop-a\n"
			"    match: {use: loop-b}\n"
			"  - name: loop-b\n"
			"    match: {use: loop-a}\n"
			"  - match: {words: x}\n"
			"    score: 1\n"
			"  - name: unused\n"
			"    match: {regex: 'a)'}\n");
	check_errors(
	    "rules_file: lib.yaml\n"
	    "rules:\n"
	    "  - use: loop-a\n"
	    "  - use: missing\n",
	    "a.yaml:7:10: use: no rule named 'missing'\n"
	    "lib.yaml:6:5: rules in a rules file need a name: so "
	    "audiences can use them\n"
	    "lib.yaml:5:18: use: rule 'loop-a' ends up using itself\n"
	    "lib.yaml:9:22: bad regex: unmatched closing parenthesis (at "
	    "character 2 of the pattern)\n");
}
END_TEST

START_TEST(empty_rules_key_means_no_rules)
{
	struct ydoc *errs;
	struct audience *a = load("rules:\nrules_file:\n", &errs);

	ck_assert_uint_eq(ydoc_nerrors(errs), 0);
	ck_assert_uint_eq(rules_count(audience_rules(a)), 0);
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

START_TEST(schedule_follows_the_time_zone)
{
	struct ydoc *errs;
	struct audience *a = load("time_zone: '+07:00'\n"
				  "schedule:\n"
				  "  days: [mon, tue, wed, thu, fri]\n"
				  "  hours: [6-9, 18]\n",
				  &errs);

	ck_assert_uint_eq(ydoc_nerrors(errs), 0);
	/* 1700000000 is Tuesday 2023-11-14 22:13:20 UTC, 05:13 in +07. */
	ck_assert(!audience_is_due(a, NOW));
	ck_assert(audience_is_due(a, NOW + 3600));
	ck_assert(!audience_is_due(a, NOW + 5 * 3600));
	ck_assert(audience_is_due(a, NOW + 13 * 3600));
	/* Saturday */
	ck_assert(!audience_is_due(a, NOW + 4 * 86400 + 3600));
	audience_free(a);
	ydoc_free(errs);
	a = load("time_zone: Asia/Bangkok\nschedule: {hours: 5}\n", &errs);
	ck_assert_uint_eq(ydoc_nerrors(errs), 0);
	ck_assert(audience_is_due(a, NOW));
	audience_free(a);
	ydoc_free(errs);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("match");

	tcase_add_test(tc, match_fold_lowers_strips_accents_and_splits);
	tcase_add_test(tc, match_dict_finds_whole_words_and_phrases);
	tcase_add_test(tc, match_dict_scan_agrees_with_folding);
	tcase_add_test(tc, match_dict_scan_handles_long_ascii_runs);
	tcase_add_test(tc, match_dict_scan_skips_tags_near_the_end);
	tcase_add_test(
	    tc, match_dict_scan_finds_words_of_every_length_at_every_offset);
	tcase_add_test(tc, match_dict_scan_agrees_on_long_html);
	tcase_add_test(tc, match_dict_gives_equal_phrases_one_id);
	tcase_add_test(tc, match_re_reports_offset);
	tcase_add_test(tc, match_re_literals_never_hide_a_match);
	tcase_add_test(tc, match_re_literal_found_at_every_place);
	tcase_add_test(tc, match_re_caseless_ascii_stays_ascii);
	suite_add_tcase(s, tc);
	tc = tcase_create("matchers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, words_match_whole_words_any_case_and_accent);
	tcase_add_test(tc, words_in_limits_the_field);
	tcase_add_test(tc, regex_has_an_explicit_case_flag);
	tcase_add_test(tc, field_matchers_compare_story_data);
	tcase_add_test(tc, any_item_of_a_story_can_match);
	tcase_add_test(tc, combinators_nest);
	tcase_add_test(tc, actions_add_up_and_stop_ends);
	tcase_add_test(tc, rules_fire_in_order_whatever_the_plan);
	tcase_add_test(tc, named_rules_are_shared_through_a_rules_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("check");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, check_reports_rule_mistakes_with_positions);
	tcase_add_test(tc, check_reports_impossible_settings);
	tcase_add_test(tc, check_reports_rules_file_mistakes_in_that_file);
	tcase_add_test(tc, schedule_follows_the_time_zone);
	tcase_add_test(tc, empty_rules_key_means_no_rules);
	suite_add_tcase(s, tc);
	return s;
}
