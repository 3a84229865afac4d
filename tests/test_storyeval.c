/* SPDX-License-Identifier: MIT */
/* tests/test_storyeval.c: story dedupe (wirever + simdup + storymatch)
 * measured on our labeled set, tests/data/stories/eval.tsv: pairwise
 * precision and recall of a greedy clustering. STORYEVAL_VERBOSE=1 lists
 * the wrong merges and the missed pairs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "aggregator/simdup.h"
#include "aggregator/storymatch.h"
#include "aggregator/wirever.h"
#include "core/item.h"
#include "core/wdtime.h"
#include "core/xalloc.h"
#include "tests/suite.h"

struct eitem {
	char *family, *feed, *title, *lead;
	char source[32];
	int64_t published;
	struct wirever wv;
	struct simdup_sig sig;
	uint64_t bands[SIMDUP_BANDS];
	size_t nbands;
	size_t story; /* predicted cluster */
	enum storymatch_reason reason;
	double score;
};

struct eset {
	struct eitem *items;
	size_t n;
};

/* How items are joined: the full matcher, or ablations of it. */
enum mode { M_FULL, M_NO_GUARDS, M_VERSIONS_ONLY };

static char *
next_field(char **p)
{
	char *s = *p, *tab = strchr(s, '\t');

	if (tab) {
		*tab = '\0';
		*p = tab + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static int
by_published(const void *a, const void *b)
{
	const struct eitem *x = a, *y = b;

	return x->published < y->published ? -1 : x->published > y->published;
}

static const char *const eval_path = TEST_DATA_DIR "/stories/eval.tsv";
static const char *const holdout_path = TEST_DATA_DIR "/stories/holdout.tsv";
static const char *const holdout2_path = TEST_DATA_DIR "/stories/holdout2.tsv";

static void
load(struct eset *set, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;

	ck_assert_ptr_nonnull(f);
	memset(set, 0, sizeof(*set));
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len || line[0] == '#' || !strncmp(line, "family\t", 7))
			continue;
		if (set->n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			set->items = xreallocarray(set->items, alloc,
						   sizeof(*set->items));
		}
		struct eitem *it = &set->items[set->n++];
		char *p = line;

		memset(it, 0, sizeof(*it));
		it->family = xstrdup(next_field(&p));
		it->feed = xstrdup(next_field(&p));
		const char *date = next_field(&p);

		it->published = wd_date_parse(date, strlen(date));
		ck_assert_int_ne(it->published, WD_NOTIME);
		it->title = xstrdup(next_field(&p));
		it->lead = xstrdup(next_field(&p));
		size_t sl = strcspn(it->feed, "-");

		ck_assert_uint_lt(sl, sizeof(it->source));
		memcpy(it->source, it->feed, sl);
	}
	free(line);
	fclose(f);
	/* Ingest order: by publication time, file order among equals. */
	qsort(set->items, set->n, sizeof(*set->items), by_published);
	for (size_t i = 0; i < set->n; i++) {
		struct eitem *it = &set->items[i];

		(void)wirever_parse(it->title, it->lead, &it->wv);
		simdup_sign(it->wv.base, it->lead + it->wv.lead_skip, &it->sig);
		it->nbands = simdup_bands(&it->sig, it->bands);
	}
}

static void
unload(struct eset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct eitem *it = &set->items[i];

		free(it->family);
		free(it->feed);
		free(it->title);
		free(it->lead);
		wirever_clear(&it->wv);
	}
	free(set->items);
}

/* Would an LSH lookup of a return b? (They share a band key.) */
static bool
lsh_candidates(const struct eitem *a, const struct eitem *b)
{
	for (size_t i = 0; i < a->nbands && i < b->nbands; i++) {
		if (a->bands[i] == b->bands[i])
			return true;
	}
	return false;
}

static enum storymatch_reason
decide(struct eitem *it, struct eitem *old, enum mode mode, double threshold,
       double *score)
{
	struct storymatch_item a = {it->source, it->published, &it->wv,
				    &it->sig};
	struct storymatch_item b = {old->source, old->published, &old->wv,
				    &old->sig};
	struct storymatch_opts o = {threshold, STORYMATCH_WINDOW};
	enum storymatch_reason r = storymatch(&a, &b, &o, score);

	switch (mode) {
	case M_FULL:
		break;
	case M_NO_GUARDS:
		if (r == STORYMATCH_NONE && *score >= threshold &&
		    llabs(it->published - old->published) <= STORYMATCH_WINDOW)
			r = STORYMATCH_SIMILAR;
		break;
	case M_VERSIONS_ONLY:
		if (r != STORYMATCH_VERSION)
			r = STORYMATCH_NONE;
		break;
	}
	/* Versions come from the base-headline index; the rest from LSH. */
	if (r != STORYMATCH_VERSION && r != STORYMATCH_NONE &&
	    !lsh_candidates(it, old))
		r = STORYMATCH_NONE;
	return r;
}

/*
 * Greedy clustering, as ingest does it: each item, in publication order,
 * joins the first earlier story holding an item it matches (within the
 * 72 h window), else starts a story.
 */
static void
cluster(struct eset *set, enum mode mode, double threshold)
{
	size_t nstories = 0;

	for (size_t i = 0; i < set->n; i++) {
		struct eitem *it = &set->items[i];

		it->story = SIZE_MAX;
		it->reason = STORYMATCH_NONE;
		for (size_t s = 0; s < nstories && it->story == SIZE_MAX; s++) {
			for (size_t j = 0; j < i; j++) {
				struct eitem *old = &set->items[j];
				double score;

				if (old->story != s)
					continue;
				enum storymatch_reason r =
				    decide(it, old, mode, threshold, &score);

				if (r != STORYMATCH_NONE) {
					it->story = s;
					it->reason = r;
					it->score = score;
					break;
				}
			}
		}
		if (it->story == SIZE_MAX)
			it->story = nstories++;
	}
}

struct counts {
	size_t tp, fp, fn;
	double precision, recall;
};

static void
measure(const struct eset *set, struct counts *c, bool verbose)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < set->n; i++) {
		for (size_t j = i + 1; j < set->n; j++) {
			const struct eitem *a = &set->items[i];
			const struct eitem *b = &set->items[j];
			bool truth = !strcmp(a->family, b->family);
			bool pred = a->story == b->story;

			c->tp += truth && pred;
			c->fp += !truth && pred;
			c->fn += truth && !pred;
			if (verbose && truth != pred)
				printf("%s %s/%s: [%s] %s | [%s] %s "
				       "(score %.2f, conflicts %#x)\n",
				       pred ? "WRONG MERGE" : "MISSED",
				       a->family, b->family, a->feed, a->title,
				       b->feed, b->title,
				       simdup_score(&a->sig, &b->sig),
				       simdup_conflicts(&a->sig, &b->sig));
		}
	}
	c->precision =
	    c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 1.0;
	c->recall =
	    c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 1.0;
}

static bool
verbose(void)
{
	const char *v = getenv("STORYEVAL_VERBOSE");

	return v && *v && strcmp(v, "0");
}

static void
run_file(const char *path, enum mode mode, const char *name, double threshold,
	 struct counts *c)
{
	struct eset set;

	load(&set, path);
	cluster(&set, mode, threshold);
	measure(&set, c,
		verbose() && mode == M_FULL &&
		    threshold == STORYMATCH_THRESHOLD && strcmp(name, "sweep"));
	size_t families = 0;

	for (size_t i = 0; i < set.n; i++) {
		bool first = true;

		for (size_t j = 0; j < i && first; j++)
			first = strcmp(set.items[i].family,
				       set.items[j].family) != 0;
		families += first;
	}
	fflush(stdout);
	printf("storyeval %-13s threshold %.2f items %zu families %zu: "
	       "precision %.4f recall %.4f (tp %zu fp %zu fn %zu)\n",
	       name, threshold, set.n, families, c->precision, c->recall, c->tp,
	       c->fp, c->fn);
	fflush(stdout);
	if (path == eval_path) {
		ck_assert_uint_ge(set.n, 150);
		ck_assert_uint_ge(families, 40);
	}
	unload(&set);
}

static void
run_mode(enum mode mode, const char *name, double threshold, struct counts *c)
{
	run_file(eval_path, mode, name, threshold, c);
}

START_TEST(eval_meets_precision_and_recall_goals)
{
	struct counts c;

	run_mode(M_FULL, "full", STORYMATCH_THRESHOLD, &c);
	ck_assert_double_ge(c.precision, 0.98);
	ck_assert_double_ge(c.recall, 0.95);
}
END_TEST

/* Which guards stop the pairs of different stories that score over the
 * threshold (one pair may trip several). */
static void
tally_guards(void)
{
	static const char *const names[] = {"numbers", "names",   "countries",
					    "days",    "subject", "topic"};
	struct eset set;
	size_t over = 0, blocked = 0, by[6] = {0};

	load(&set, eval_path);
	for (size_t i = 0; i < set.n; i++) {
		for (size_t j = i + 1; j < set.n; j++) {
			const struct eitem *a = &set.items[i];
			const struct eitem *b = &set.items[j];

			if (!strcmp(a->family, b->family) ||
			    simdup_score(&a->sig, &b->sig) <
				STORYMATCH_THRESHOLD)
				continue;
			unsigned g = simdup_conflicts(&a->sig, &b->sig);

			over++;
			blocked += g != 0;
			if (!g && verbose())
				printf(
				    "UNGUARDED %s/%s: %s | %s (score %.2f)\n",
				    a->family, b->family, a->title, b->title,
				    simdup_score(&a->sig, &b->sig));
			for (int k = 0; k < 6; k++)
				by[k] += (g >> k) & 1;
		}
	}
	printf("storyeval guards: %zu pairs of different stories score >= "
	       "%.2f, %zu blocked;",
	       over, STORYMATCH_THRESHOLD, blocked);
	for (int k = 0; k < 6; k++)
		printf(" %s %zu", names[k], by[k]);
	printf("\n");
	fflush(stdout);
	unload(&set);
}

START_TEST(eval_guards_are_what_keeps_precision)
{
	tally_guards();
	struct counts full, loose, versions;

	run_mode(M_FULL, "full", STORYMATCH_THRESHOLD, &full);
	run_mode(M_NO_GUARDS, "no-guards", STORYMATCH_THRESHOLD, &loose);
	run_mode(M_VERSIONS_ONLY, "versions-only", STORYMATCH_THRESHOLD,
		 &versions);
	ck_assert_double_lt(loose.precision, full.precision);
	ck_assert_double_lt(versions.recall, full.recall);
	ck_assert_double_eq(versions.precision, 1.0);
}
END_TEST

/* The held-out set was written after tuning; its figures are reported, and
 * only a merge of different stories fails the test. */
START_TEST(holdout_never_merges_different_stories)
{
	struct counts c;

	run_file(holdout_path, M_FULL, "holdout", STORYMATCH_THRESHOLD, &c);
	ck_assert_uint_eq(c.fp, 0);
	run_file(holdout2_path, M_FULL, "holdout2", STORYMATCH_THRESHOLD, &c);
	ck_assert_uint_eq(c.fp, 0);
}
END_TEST

/* How the threshold trades precision for recall (printed, not checked). */
START_TEST(eval_threshold_sweep)
{
	for (int t = 10; t <= 50; t += 5) {
		struct counts c, loose;

		run_mode(M_FULL, "sweep", t / 100.0, &c);
		run_mode(M_NO_GUARDS, "sweep-noguard", t / 100.0, &loose);
	}
}
END_TEST

/* The same pair decided with the item order swapped must agree. */
START_TEST(eval_match_is_symmetric)
{
	struct eset set;

	load(&set, eval_path);
	for (size_t i = 0; i < set.n; i++) {
		for (size_t j = 0; j < i; j++) {
			struct eitem *a = &set.items[i], *b = &set.items[j];
			double s1, s2;
			struct storymatch_item x = {a->source, a->published,
						    &a->wv, &a->sig};
			struct storymatch_item y = {b->source, b->published,
						    &b->wv, &b->sig};

			ck_assert_int_eq(storymatch(&x, &y, NULL, &s1),
					 storymatch(&y, &x, NULL, &s2));
			ck_assert_double_eq(s1, s2);
		}
	}
	unload(&set);
}
END_TEST

START_TEST(match_window_and_reason_names)
{
	struct wirever wa, wb;
	struct simdup_sig sa, sb;

	(void)wirever_parse("Port strike spreads to Rotterdam", NULL, &wa);
	(void)wirever_parse("REFILE-Port strike spreads to Rotterdam",
			    "(Refiles to fix typo)", &wb);
	simdup_sign(wa.base, NULL, &sa);
	simdup_sign(wb.base, NULL, &sb);
	struct storymatch_item a = {"Reuters", 1000, &wa, &sa};
	struct storymatch_item b = {"reuters", 2000, &wb, &sb};
	struct storymatch_item c = {"AP", 2000, &wb, &sb};
	struct storymatch_opts o = {0.3, 500};

	ck_assert_int_eq(storymatch(&b, &a, NULL, NULL), STORYMATCH_VERSION);
	ck_assert_int_eq(storymatch(&c, &a, NULL, NULL), STORYMATCH_SIMILAR);
	ck_assert_int_eq(storymatch(&b, &a, &o, NULL), STORYMATCH_NONE);
	ck_assert_str_eq(storymatch_reason_name(STORYMATCH_VERSION),
			 "wire version");
	ck_assert_str_eq(storymatch_reason_name(STORYMATCH_NONE), "none");
	wirever_clear(&wa);
	wirever_clear(&wb);
}
END_TEST

/* Kill notices share their boilerplate, not their story. */
START_TEST(match_kill_joins_only_its_story)
{
	const char *la = "Please eliminate the story headlined \"Acme to buy "
			 "Widgetco\". The story is withdrawn. There will be "
			 "no substitute story.";
	const char *lb = "Please eliminate the story headlined \"Ferry crews "
			 "strike in Greece\". The story is withdrawn. There "
			 "will be no substitute story.";
	struct wirever wa, wb, wc;
	struct simdup_sig sa, sb, sc;

	(void)wirever_parse("KILL", la, &wa);
	(void)wirever_parse("KILL", lb, &wb);
	(void)wirever_parse("UPDATE 1-Acme to buy Widgetco", NULL, &wc);
	ck_assert_int_eq(wa.kill, true);
	simdup_sign(wa.base, la + wa.lead_skip, &sa);
	simdup_sign(wb.base, lb + wb.lead_skip, &sb);
	simdup_sign(wc.base, NULL, &sc);
	struct storymatch_item a = {"Reuters", 5000, &wa, &sa};
	struct storymatch_item b = {"Reuters", 4000, &wb, &sb};
	struct storymatch_item c = {"Reuters", 3000, &wc, &sc};
	struct storymatch_opts o = {0.01, STORYMATCH_WINDOW};

	ck_assert_int_eq(storymatch(&a, &c, NULL, NULL), STORYMATCH_VERSION);
	ck_assert_int_eq(storymatch(&a, &b, &o, NULL), STORYMATCH_NONE);
	wirever_clear(&wa);
	wirever_clear(&wb);
	wirever_clear(&wc);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("storyeval");
	TCase *tc = tcase_create("eval");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, eval_meets_precision_and_recall_goals);
	tcase_add_test(tc, eval_guards_are_what_keeps_precision);
	tcase_add_test(tc, eval_match_is_symmetric);
	tcase_add_test(tc, eval_threshold_sweep);
	tcase_add_test(tc, holdout_never_merges_different_stories);
	tcase_add_test(tc, match_window_and_reason_names);
	tcase_add_test(tc, match_kill_joins_only_its_story);
	suite_add_tcase(s, tc);
	return s;
}
