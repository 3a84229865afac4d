/* SPDX-License-Identifier: MIT */
/* bench/ingest_bench.c: the cost of ingesting new items into a large
 * archive against an empty one (story dedupe must look at a bounded set of
 * candidates, never the whole archive). Run by hand: bench/ingest_bench.sh.
 *
 * usage: ingest-bench DIR ARCHIVE_ITEMS NEW_ITEMS
 * Fills DIR/big.db with ARCHIVE_ITEMS items (spread over a year, the last
 * three days inside the dedupe window), then times NEW_ITEMS new items into
 * DIR/big.db and into an empty DIR/empty-N.db, eight rounds, each ending
 * as a run ends (stories_prune_bands), and prints the medians, the means
 * and their ratios. Beside them, DIR/window.db holds the same items as
 * big.db's last three days and nothing older, and takes the same new
 * items: the large archive against it is the cost of the archive's size
 * alone, the empty archive against it the cost of a full window. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggregator/archive.h"
#include "aggregator/store.h"
#include "aggregator/stories.h"
#include "bench/sample.h"
#include "core/buf.h"
#include "core/xalloc.h"

/*
 * Words are made of syllables: 20000 distinct words drawn with Zipf's law
 * over their rank, from rank 100 on, like the content words of wire copy
 * once stop words are gone (the signature drops those). A tiny or flat
 * vocabulary would make every item a candidate of every other, which no
 * wire does.
 */
static const char *const syl[] = {"ka", "ro", "mi", "ten", "sa", "lu",
				  "par", "de", "vo", "shi", "an", "gel",
				  "to", "ra", "ne", "bi", "mor", "zu",
				  "ha", "qui"};
enum { NSYL = sizeof(syl) / sizeof(syl[0]), NWORDS = 20000, SKIP = 100 };
static double cumul[NWORDS];

static void
zipf_init(void)
{
	double sum = 0;

	for (int r = 0; r < NWORDS; r++) {
		sum += 1.0 / (r + 1 + SKIP);
		cumul[r] = sum;
	}
	for (int r = 0; r < NWORDS; r++)
		cumul[r] /= sum;
}

static void
put_word(struct buf *b, unsigned r)
{
	double u = (double)(r & 0xffffff) / (double)0x1000000;
	unsigned w = (unsigned)sample_rank(cumul, NWORDS, u);

	buf_appendf(b, "%s%s%s%s", syl[w % NSYL], syl[(w / NSYL) % NSYL],
		    syl[(w / (NSYL * NSYL)) % NSYL],
		    w >= NSYL * NSYL * NSYL ? syl[(w / 8000) % NSYL] : "");
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 11);
}

/* A headline and lead of random words and a unique number, so that items
 * are distinct stories (the worst case: every item probes the index). */
static void
make_item(struct buf *title, struct buf *lead, struct buf *id, long n)
{
	buf_reset(title);
	buf_reset(lead);
	buf_reset(id);
	for (int i = 0; i < 7; i++) {
		if (i)
			buf_putc(title, ' ');
		put_word(title, next());
	}
	buf_appendf(title, " %ld", n);
	for (int i = 0; i < 30; i++) {
		put_word(lead, next());
		buf_putc(lead, ' ');
	}
	buf_appendf(id, "tag:bench.example,2026:%ld", n);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
ingest(struct store *db, long from, long count, int64_t t0, int64_t span,
       int64_t seen)
{
	struct buf title, lead, id, link;

	buf_init(&title, 4096);
	buf_init(&lead, 4096);
	buf_init(&id, 4096);
	buf_init(&link, 4096);
	int rc = store_begin(db);

	for (long n = from; rc == 0 && n < from + count; n++) {
		struct item it;

		make_item(&title, &lead, &id, n);
		buf_reset(&link);
		buf_appendf(&link, "https://wire.example/story/%ld", n);
		memset(&it, 0, sizeof(it));
		it.id = buf_str(&id);
		it.title = buf_str(&title);
		it.summary = buf_str(&lead);
		it.link = buf_str(&link);
		it.published = t0 + (count > 1 ? span * (n - from) / count : 0);
		it.updated = WD_NOTIME;
		it.embargo = WD_NOTIME;
		rc = archive_put_item(db, n % 2 ? "wire-a" : "wire-b",
				      n % 2 ? "Wire A" : "Wire B", &it, seen);
		rc = rc < 0 ? rc : 0;
		if (rc == 0 && (n - from) % 1000 == 999) {
			rc = store_commit(db);
			if (rc == 0)
				rc = store_begin(db);
		}
	}
	if (rc == 0)
		rc = store_commit(db);
	/* What a run does once it has stored its items (run.c). */
	if (rc == 0)
		rc = stories_prune_bands(db, seen);
	if (rc < 0)
		fprintf(stderr, "ingest-bench: %s\n", store_errmsg(db));
	buf_free(&title);
	buf_free(&lead);
	buf_free(&id);
	buf_free(&link);
	return rc;
}

/* One run: open the archive at path afresh (as each cron run does), time
 * count new items from number at, dated now, into *secs. */
static int
timed_run(const char *path, long at, long count, int64_t now, double *secs)
{
	char err[1024];
	struct store *db;

	if (store_open(path, &db, err, sizeof(err)) < 0) {
		fprintf(stderr, "ingest-bench: %s\n", err);
		return -1;
	}
	double t = now_s();
	int rc = ingest(db, at, count, now, 600, now);

	*secs = now_s() - t;
	store_close(db);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ingest-bench DIR ARCHIVE_ITEMS "
				"NEW_ITEMS\n");
		return 2;
	}
	/* INGEST_REUSE=1: DIR/big.db is already filled (by an earlier run):
	 * time new items only, numbered after everything earlier runs
	 * added. NOTE: those stay in big.db, inside the dedupe window of the
	 * next run's items: compare builds on copies of one filled file. */
	const char *reuse = getenv("INGEST_REUSE");
	/* INGEST_ONLY=big: time the large archive alone (to profile it). */
	const char *only = getenv("INGEST_ONLY");
	bool big_only = only && !strcmp(only, "big");
	/* INGEST_VERBOSE=1: each round's times on stderr. */
	const char *v = getenv("INGEST_VERBOSE");
	bool verbose = v && *v == '1';

	zipf_init();
	char *end;
	long big = strtol(argv[2], &end, 10), fresh;

	fresh = strtol(argv[3], &end, 10);
	char path[4096], err[1024];
	struct store *db;
	const int64_t year = 365 * 86400, t_now = 1795694400;

	snprintf(path, sizeof(path), "%s/big.db", argv[1]);
	if (store_open(path, &db, err, sizeof(err)) < 0) {
		fprintf(stderr, "ingest-bench: %s\n", err);
		return 1;
	}
	double t = now_s();
	long old = big - big / 100; /* 1% inside the last three days */
	uint64_t window_rng = 0;

	/* Seen now: as when a first run reads a long archive feed. */
	long first = big;

	if (reuse && *reuse == '1') {
		first = big + (long)(time(NULL) - 1700000000) * 100000;
		/* new words too, or the rounds would repeat an earlier run's
		 * texts (the generator starts from one seed) */
		rng ^= (uint64_t)first * 0xbf58476d1ce4e5b9ULL;
		if (!rng)
			rng = 1;
	} else if (ingest(db, 0, old, t_now - year, year - 3 * 86400, t_now) <
			   0 ||
		   (window_rng = rng,
		    ingest(db, old, big - old, t_now - 3 * 86400, 3 * 86400,
			   t_now)) < 0) {
		return 1;
	}
	fprintf(stderr, "filled %ld items in %.1f s\n", big, now_s() - t);
	store_close(db);
	if (!(reuse && *reuse == '1') && !big_only) {
		/* the same texts as big.db's last three days */
		uint64_t then = rng;

		rng = window_rng;
		snprintf(path, sizeof(path), "%s/window.db", argv[1]);
		if (store_open(path, &db, err, sizeof(err)) < 0 ||
		    ingest(db, old, big - old, t_now - 3 * 86400, 3 * 86400,
			   t_now) < 0)
			return 1;
		store_close(db);
		rng = then;
	}

	/* The fill's writes reach the disk before the rounds, so that its
	 * writeback does not fall on them. */
	sync();
	/* Rounds go through the archives in turn, each opened afresh (as
	 * each cron run does); the median of each is reported. */
	enum { ROUNDS = 8 };
	double tb[ROUNDS], te[ROUNDS], tw[ROUNDS];
	bool window = false;

	snprintf(path, sizeof(path), "%s/window.db", argv[1]);
	window = !big_only && access(path, F_OK) == 0;

	for (int r = 0; r < ROUNDS; r++) {
		long at = first + (long)r * fresh;

		snprintf(path, sizeof(path), "%s/big.db", argv[1]);
		if (timed_run(path, at, fresh, t_now, &tb[r]) < 0)
			return 1;
		if (big_only) {
			te[r] = tw[r] = tb[r];
			continue;
		}
		snprintf(path, sizeof(path), "%s/window.db", argv[1]);
		if (window && timed_run(path, at, fresh, t_now, &tw[r]) < 0)
			return 1;
		/* Empty for real: with INGEST_REUSE an earlier run's file
		 * would still be there. */
		static const char *const sfx[] = {"", "-wal", "-shm"};

		for (int i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s/empty-%d.db%s", argv[1],
				 r, sfx[i]);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/empty-%d.db", argv[1], r);
		if (timed_run(path, at, fresh, t_now, &te[r]) < 0)
			return 1;
		if (verbose)
			fprintf(stderr, "round %d: large %.3f s, window %.3f s, "
					"empty %.3f s\n",
				r, tb[r], window ? tw[r] : 0, te[r]);
	}
	double mb = 0, me = 0, mw = 0;

	for (int r = 0; r < ROUNDS; r++) {
		mb += tb[r] / ROUNDS;
		me += te[r] / ROUNDS;
		mw += window ? tw[r] / ROUNDS : 0;
	}
	qsort(tb, ROUNDS, sizeof(double), cmp_double);
	qsort(te, ROUNDS, sizeof(double), cmp_double);
	qsort(tw, ROUNDS, sizeof(double), cmp_double);
	printf("ingest %ld new items (median of %d): empty archive %.3f s, "
	       "%ld-item archive %.3f s, ratio %.2f\n",
	       fresh, ROUNDS, te[ROUNDS / 2], big, tb[ROUNDS / 2],
	       tb[ROUNDS / 2] / te[ROUNDS / 2]);
	/* A round that merges the pending band keys into the index costs
	 * more: the mean carries that share of it. */
	printf("mean of the %d rounds: empty archive %.3f s, %ld-item "
	       "archive %.3f s, ratio %.2f\n",
	       ROUNDS, me, big, mb, mb / me);
	if (window)
		printf("the large archive's last three days alone (%ld items "
		       "and the rounds'): median %.3f s, mean %.3f s; the "
		       "large archive against it %.2f by median, %.2f by "
		       "mean; the empty archive against it %.2f, %.2f\n",
		       big - old, tw[ROUNDS / 2], mw,
		       tb[ROUNDS / 2] / tw[ROUNDS / 2], mb / mw,
		       te[ROUNDS / 2] / tw[ROUNDS / 2], me / mw);
	return 0;
}
