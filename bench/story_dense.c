/* SPDX-License-Identifier: MIT */
/* bench/story_dense.c: story folding through the store in a dense window.
 * The labeled set (tests/data/stories/eval.tsv) is ingested among
 * distractors: items with a dateline and a wire, two words in five from
 * the set's own vocabulary (drawn by frequency rank, Zipf) and the rest
 * from 20,000 made-up words, spread over the set's week, so that the band
 * buckets of the labeled items fill up with strangers that share their
 * common words, as a busy desk's do. Pairwise
 * precision and recall are measured on the labeled items only, through
 * archive_put_item, as a run stores them: a candidate cap that drops the
 * true match of an item shows as lost recall.
 *
 * usage: story-dense EVAL_TSV [DISTRACTORS_PER_DAY] [DIR]
 * STORY_DENSE_SHARE=N: N % of distractor words from the set (default 40);
 * STORY_DENSE_VERBOSE=1: each labeled item's story, item by item.
 * Prints precision, recall, and the ingest time per item. Run by hand. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggregator/archive.h"
#include "aggregator/store-int.h"
#include "aggregator/store.h"
#include "aggregator/stories.h"
#include "bench/sample.h"
#include "core/buf.h"
#include "core/wdtime.h"
#include "core/xalloc.h"

struct ditem {
	char *family; /* NULL: a distractor */
	char *feed, *source, *title, *lead, *id;
	int64_t date;
	int64_t story;
};

static struct ditem *items;
static size_t nitems, capitems;

static struct ditem *
add_item(void)
{
	if (nitems == capitems) {
		capitems = capitems ? 2 * capitems : 1024;
		items = xreallocarray(items, capitems, sizeof(*items));
	}
	memset(&items[nitems], 0, sizeof(items[0]));
	return &items[nitems++];
}

static char *
field(char **p)
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

/* Words of the set by frequency, most frequent first. */
struct word {
	char *w;
	size_t n;
};
static struct word *words;
static size_t nwords, capwords;

static void
count_word(const char *w, size_t len)
{
	for (size_t i = 0; i < nwords; i++) {
		if (strlen(words[i].w) == len && !memcmp(words[i].w, w, len)) {
			words[i].n++;
			return;
		}
	}
	if (nwords == capwords) {
		capwords = capwords ? 2 * capwords : 1024;
		words = xreallocarray(words, capwords, sizeof(*words));
	}
	words[nwords].w = xstrndup(w, len);
	words[nwords++].n = 1;
}

static void
count_words(const char *text)
{
	const char *p = text;

	while (*p) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");

		if (len)
			count_word(p, len);
		p += len;
	}
}

static int
by_count(const void *a, const void *b)
{
	const struct word *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->w, y->w);
}

static int
by_date(const void *a, const void *b)
{
	const struct ditem *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return (x->family == NULL) - (y->family == NULL);
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static int share = 40; /* percent of distractor words from the set */

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A word by Zipf over its rank: two in five from the set's own words,
 * the rest made of syllables (20,000 of them), as another story's text
 * shares the common words of a desk's copy and little else. */
static const char *
zipf_word(const double *cumul)
{
	static const char *const syl[] = {"ka", "ro", "mi", "ten", "sa",
					  "lu", "par", "de", "vo", "shi",
					  "an", "gel", "to", "ra", "ne",
					  "bi", "mor", "zu", "ha", "qui"};
	static char made[32];
	uint64_t r = next();

	if ((int)(r % 100) >= share) {
		unsigned w = (unsigned)((r >> 8) % 20000);

		w = (unsigned)((uint64_t)w * w / 20000); /* the small more often */
		snprintf(made, sizeof(made), "%s%s%s%s", syl[w % 20],
			 syl[(w / 20) % 20], syl[(w / 400) % 20],
			 w >= 8000 ? syl[(w / 8000) % 20] : "");
		return made;
	}
	double u = (double)(next() >> 11) / (double)(1ULL << 53);

	return words[sample_rank(cumul, nwords, u)].w;
}

static void
load(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f) {
		perror(path);
		exit(1);
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len || line[0] == '#' || !strncmp(line, "family\t", 7))
			continue;
		char *p = line;
		struct ditem *it = add_item();

		it->family = xstrdup(field(&p));
		it->feed = xstrdup(field(&p));
		const char *d = field(&p);

		it->date = wd_date_parse(d, strlen(d));
		it->title = xstrdup(field(&p));
		it->lead = xstrdup(field(&p));
		it->source = xstrndup(it->feed, strcspn(it->feed, "-"));
		count_words(it->title);
		count_words(it->lead);
	}
	free(line);
	fclose(f);
}

static void
distract(long per_day)
{
	static const char *const wires[] = {"Reuters", "AP", "AFP", "DPA",
					    "Kyodo", "Xinhua"};
	static const char *const cities[] = {"LONDON", "PARIS", "TOKYO",
					     "NAIROBI", "LIMA", "OSLO",
					     "CAIRO", "MANILA", "QUITO",
					     "HANOI"};
	int64_t lo = items[0].date, hi = items[0].date;
	size_t nlabeled = nitems;

	for (size_t i = 1; i < nlabeled; i++) {
		lo = items[i].date < lo ? items[i].date : lo;
		hi = items[i].date > hi ? items[i].date : hi;
	}
	lo -= 3 * 86400;
	qsort(words, nwords, sizeof(*words), by_count);
	double *cumul = xcalloc(nwords, sizeof(double)), sum = 0;

	for (size_t r = 0; r < nwords; r++) {
		sum += 1.0 / (double)(r + 1);
		cumul[r] = sum;
	}
	for (size_t r = 0; r < nwords; r++)
		cumul[r] /= sum;
	long total = per_day * (hi - lo) / 86400;
	struct buf t, l;

	buf_init(&t, 4096);
	buf_init(&l, 4096);
	for (long n = 0; n < total; n++) {
		struct ditem *it = add_item();
		const char *wire = wires[next() % 6];
		int nt = 6 + (int)(next() % 5), nl = 25 + (int)(next() % 11);

		buf_reset(&t);
		buf_reset(&l);
		for (int i = 0; i < nt; i++)
			buf_appendf(&t, "%s%s", i ? " " : "", zipf_word(cumul));
		buf_appendf(&l, "%s (%s) - ", cities[next() % 10], wire);
		for (int i = 0; i < nl; i++)
			buf_appendf(&l, "%s%s", i ? " " : "", zipf_word(cumul));
		it->title = xstrdup(buf_str(&t));
		it->lead = xstrdup(buf_str(&l));
		it->source = xstrdup(wire);
		it->feed = xstrdup(wire);
		it->date = lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
	}
	buf_free(&t);
	buf_free(&l);
	free(cumul);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: story-dense EVAL_TSV "
				"[DISTRACTORS_PER_DAY] [DIR]\n");
		return 2;
	}
	long per_day = argc > 2 ? strtol(argv[2], NULL, 10) : 5000;
	const char *dir = argc > 3 ? argv[3] : "/tmp";
	const char *sh = getenv("STORY_DENSE_SHARE");

	if (sh)
		share = (int)strtol(sh, NULL, 10);
	load(argv[1]);
	size_t nlabeled = nitems;

	distract(per_day);
	qsort(items, nitems, sizeof(*items), by_date);

	char path[4096], err[512];
	struct store *db;

	snprintf(path, sizeof(path), "%s/story-dense-%ld.db", dir,
		 (long)getpid());
	if (store_open(path, &db, err, sizeof(err)) < 0) {
		fprintf(stderr, "story-dense: %s\n", err);
		return 1;
	}
	stories_configure(db, 72 * 3600, 0.15);
	double t0 = now_s();
	int rc = store_begin(db);

	for (size_t i = 0; rc == 0 && i < nitems; i++) {
		struct ditem *d = &items[i];
		struct item it;
		char id[64], link[96];

		snprintf(id, sizeof(id), "dense:%zu", i);
		snprintf(link, sizeof(link), "https://dense.example/%zu", i);
		memset(&it, 0, sizeof(it));
		it.id = id;
		it.link = link;
		it.title = d->title;
		it.summary = d->lead;
		it.published = d->date;
		it.updated = WD_NOTIME;
		it.embargo = WD_NOTIME;
		d->id = xstrdup(id);
		rc = archive_put_item(db, d->feed, d->source, &it, d->date);
		rc = rc < 0 ? rc : 0;
		if (rc == 0 && i % 500 == 499) {
			rc = store_commit(db);
			if (rc == 0)
				rc = store_begin(db);
		}
	}
	if (rc == 0)
		rc = store_commit(db);
	double t = now_s() - t0;

	if (rc < 0) {
		fprintf(stderr, "story-dense: %s\n", store_errmsg(db));
		return 1;
	}
	sqlite3_stmt *st = store_prepare(
		db, "SELECT story_id FROM items WHERE feed_id = ?1 AND guid = ?2");

	for (size_t i = 0; st && i < nitems; i++) {
		if (!items[i].family)
			continue;
		sqlite3_bind_text(st, 1, items[i].feed, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, items[i].id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			items[i].story = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (getenv("STORY_DENSE_VERBOSE")) {
		/* Each labeled item: family, story, how it joined, and the
		 * items of its story (distractors marked). */
		st = store_prepare(db,
				   "SELECT i.feed_id, i.reason, i.score, "
				   "i.title FROM items i WHERE i.story_id = ?1 "
				   "ORDER BY i.id");
		for (size_t i = 0; st && i < nitems; i++) {
			if (!items[i].family)
				continue;
			printf("%s %s story %lld\n", items[i].family,
			       items[i].title, (long long)items[i].story);
			sqlite3_bind_int64(st, 1, items[i].story);
			while (sqlite3_step(st) == SQLITE_ROW)
				printf("    %-14s %-13s %.2f %s\n",
				       (const char *)sqlite3_column_text(st, 0),
				       (const char *)sqlite3_column_text(st, 1),
				       sqlite3_column_double(st, 2),
				       (const char *)sqlite3_column_text(st, 3));
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
	}
	long tp = 0, fp = 0, fn = 0;

	for (size_t i = 0; i < nitems; i++) {
		if (!items[i].family)
			continue;
		for (size_t j = i + 1; j < nitems; j++) {
			if (!items[j].family)
				continue;
			bool same = !strcmp(items[i].family, items[j].family);
			bool joined = items[i].story == items[j].story;

			tp += same && joined;
			fp += !same && joined;
			fn += same && !joined;
		}
	}
	printf("story-dense: %zu labeled + %zu distractors (%ld a day): "
	       "precision %.4f recall %.4f (tp %ld fp %ld fn %ld), "
	       "%.1f us/item\n",
	       nlabeled, nitems - nlabeled, per_day,
	       tp + fp ? (double)tp / (double)(tp + fp) : 1.0,
	       tp + fn ? (double)tp / (double)(tp + fn) : 1.0, tp, fp, fn,
	       1e6 * t / (double)nitems);
	store_close(db);
	static const char *const sfx[] = {"", "-wal", "-shm"};

	for (int i = 0; i < 3; i++) {
		char f[4200];

		snprintf(f, sizeof(f), "%s%s", path, sfx[i]);
		unlink(f);
	}
	return 0;
}
