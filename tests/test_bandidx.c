/* SPDX-License-Identifier: MIT */
/* tests/test_bandidx.c: the band index file against a model in memory
 * (random adds, merges, lookups and forgetting), and reopening files that
 * are sealed, stale, dirty, truncated, not an index, or replaced. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "aggregator/bandidx.h"
#include "tests/suite.h"

/* GET_MAX: the largest max a lookup asks for; above BANDIDX_KEY_CAP so
 * that a key holding more than its cap would show it. */
enum { GET_MAX = 200 };
static const int64_t T0 = 1700000000; /* the dates most entries are near */
static const int64_t ITEM_MAX = 4294967295; /* 2^32 - 1 */

static char dir[64];
static char path[128];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/wd-bandidx-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bands", dir);
}

static void
teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- deterministic randomness ----------------------------------------- */

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t
rnd(uint64_t *state)
{
	*state += 1;
	return mix64(*state * 0x2545f4914f6cdd1dULL);
}

/*
 * The date of an item, fixed for the item (an item has one date, whatever
 * keys it has): mostly a window around T0, many of them on the same few
 * thousand seconds (ties, ordered by item), and now and then a date the
 * index must clamp (before 0, after 2^32 - 1) or one at either end.
 */
static int64_t
item_date(int64_t item)
{
	uint64_t h = mix64((uint64_t)item ^ 0x5bd1e995u);

	switch (h & 63) {
	case 0:
		return -(int64_t)(h >> 40) - 1;
	case 1:
		return ITEM_MAX + 1 + (int64_t)(h >> 40);
	case 2:
		return 0;
	case 3:
		return ITEM_MAX;
	default:
		if (h & 64)
			return T0 + (int64_t)((h >> 44) % 20000);
		return T0 - 1000000 + (int64_t)((h >> 40) % 2000000);
	}
}

static int64_t
clamp_date(int64_t d)
{
	return d < 0 ? 0 : d > ITEM_MAX ? ITEM_MAX : d;
}

/* ---- the model: per key, the BANDIDX_KEY_CAP newest entries ever added */

struct mkey {
	uint64_t key;
	int n, cap;
	struct bandidx_hit *e; /* newest first (date, then item, descending) */
};

struct model {
	struct mkey *k;
	size_t nkeys;
	int64_t cutoff; /* the highest bandidx_forget_before */
};

static void
model_init(struct model *m, size_t nkeys)
{
	m->k = calloc(nkeys, sizeof(*m->k));
	ck_assert_ptr_nonnull(m->k);
	m->nkeys = nkeys;
	m->cutoff = INT64_MIN;
}

static void
model_free(struct model *m)
{
	for (size_t i = 0; i < m->nkeys; i++)
		free(m->k[i].e);
	free(m->k);
	m->k = NULL;
}

/* a ranks before b: newer date, or the same date and a larger item. */
static int
newer(const struct bandidx_hit *a, const struct bandidx_hit *b)
{
	return a->date != b->date ? a->date > b->date : a->item > b->item;
}

static void
model_add(struct mkey *k, int64_t item, int64_t date)
{
	struct bandidx_hit h = {item, clamp_date(date)};
	int pos = 0;

	while (pos < k->n && newer(&k->e[pos], &h))
		pos++;
	if (pos < k->n && k->e[pos].item == h.item)
		return; /* held already */
	if (pos >= BANDIDX_KEY_CAP)
		return; /* older than the cap newest */
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 4;
		k->e = realloc(k->e, (size_t)k->cap * sizeof(*k->e));
		if (!k->e)
			ck_abort_msg("out of memory");
	}
	int n = k->n < BANDIDX_KEY_CAP ? k->n : BANDIDX_KEY_CAP - 1;

	memmove(&k->e[pos + 1], &k->e[pos], (size_t)(n - pos) * sizeof(h));
	k->e[pos] = h;
	k->n = n + 1;
}

/* What bandidx_get must return for k (NULL: a key never added). */
static size_t
model_get(const struct model *m, const struct mkey *k, int64_t since,
	  int64_t until, size_t max, struct bandidx_hit *out)
{
	size_t n = 0;

	if (since < m->cutoff)
		since = m->cutoff;
	for (int i = 0; k && i < k->n && n < max; i++)
		if (k->e[i].date >= since && k->e[i].date <= until)
			out[n++] = k->e[i];
	return n;
}

/* Entries a merge must leave in the base: all the model still returns. */
static uint64_t
model_count(const struct model *m)
{
	uint64_t n = 0;

	for (size_t i = 0; i < m->nkeys; i++)
		for (int j = 0; j < m->k[i].n; j++)
			n += m->k[i].e[j].date >= m->cutoff;
	return n;
}

static size_t
format_hits(char *s, size_t len, const struct bandidx_hit *v, size_t n)
{
	size_t at = 0;

	for (size_t i = 0; i < n && at < len; i++) {
		int w = snprintf(s + at, len - at, "%s%" PRId64 "/%" PRId64,
				 i ? " " : "", v[i].date, v[i].item);

		if (w < 0)
			break;
		at += (size_t)w;
	}
	if (at >= len)
		at = len - 1;
	s[at] = '\0';
	return at;
}

/* bandidx_get(key) must equal the model, or the test stops and says
 * where (ctx), with both lists as date/item. */
static void
expect_get(struct bandidx *ix, const struct model *m, const struct mkey *k,
	   uint64_t key, int64_t since, int64_t until, size_t max,
	   const char *ctx)
{
	struct bandidx_hit want[GET_MAX];
	/* exactly max entries, so that AddressSanitizer sees an overrun */
	struct bandidx_hit *got = malloc((max ? max : 1) * sizeof(*got));
	size_t nw = model_get(m, k, since, until, max, want);

	if (!got)
		ck_abort_msg("out of memory");
	memset(got, 0xa5, (max ? max : 1) * sizeof(*got));
	int n = bandidx_get(ix, key, since, until, got, max);

	if (n != (int)nw || memcmp(got, want, nw * sizeof(*got))) {
		char ws[2048], gs[2048];

		format_hits(ws, sizeof(ws), want, nw);
		format_hits(gs, sizeof(gs), got,
			    n > 0 && (size_t)n <= max ? (size_t)n : 0);
		free(got);
		ck_abort_msg("%s: bandidx_get(key %#" PRIx64 ", since %" PRId64
			     ", until %" PRId64 ", max %zu): want %zu [%s], "
			     "got %d [%s]",
			     ctx, key, since, until, max, nw, ws, n, gs);
	}
	free(got);
}

/* Key i of the model, over all dates and over a few windows. */
static void
expect_key(struct bandidx *ix, const struct model *m, size_t i, const char *ctx)
{
	const struct mkey *k = &m->k[i];

	expect_get(ix, m, k, k->key, INT64_MIN, INT64_MAX, GET_MAX, ctx);
	expect_get(ix, m, k, k->key, 0, ITEM_MAX, 5, ctx);
	if (k->n) {
		/* a window ending at the oldest entry: nothing older than
		 * the cap newest may show */
		int64_t d = k->e[k->n - 1].date;

		expect_get(ix, m, k, k->key, INT64_MIN, d, GET_MAX, ctx);
		d = k->e[k->n / 2].date;
		expect_get(ix, m, k, k->key, d, d, GET_MAX, ctx);
		expect_get(ix, m, k, k->key, d, INT64_MAX, GET_MAX, ctx);
		expect_get(ix, m, k, k->key, INT64_MIN, d - 1, GET_MAX, ctx);
	}
}

/* Every key of the model, and one it never had. */
static void
expect_model(struct bandidx *ix, const struct model *m, const char *ctx)
{
	for (size_t i = 0; i < m->nkeys; i++)
		expect_key(ix, m, i, ctx);
	expect_get(ix, m, NULL, 0x5eed5eed5eed5eedULL, INT64_MIN, INT64_MAX,
		   GET_MAX, ctx);
}

/* ---- helpers ------------------------------------------------------------ */

static const struct bandidx_stamp S1 = {0x0123456789abcdefULL, 1};

static struct bandidx *
open_expect(const char *p, const struct bandidx_stamp *st, int want)
{
	struct bandidx *ix = NULL;
	char err[512] = "";
	int rc = bandidx_open(p, st, &ix, err, sizeof(err));

	ck_assert_msg(rc == want, "bandidx_open(%s): %d, want %d (%s)",
		      p ? p : "NULL", rc, want, err);
	ck_assert_ptr_nonnull(ix);
	return ix;
}

static void
add_ok(struct bandidx *ix, uint64_t key, int64_t item, int64_t date)
{
	int rc = bandidx_add(ix, key, item, date);

	if (rc < 0)
		ck_abort_msg("bandidx_add(%#" PRIx64 ", %" PRId64 ", %" PRId64
			     "): %d (%s)",
			     key, item, date, rc, bandidx_errmsg(ix));
}

static void
merge_ok(struct bandidx *ix)
{
	int rc = bandidx_merge(ix);

	ck_assert_msg(rc >= 0, "bandidx_merge: %d (%s)", rc,
		      bandidx_errmsg(ix));
}

static void
begin_ok(struct bandidx *ix)
{
	ck_assert_int_ge(bandidx_begin(ix), 0);
}

static void
seal_ok(struct bandidx *ix, const struct bandidx_stamp *st)
{
	ck_assert_int_ge(bandidx_seal(ix, st), 0);
}

static void
add_both(struct bandidx *ix, struct mkey *k, int64_t item, int64_t date)
{
	add_ok(ix, k->key, item, date);
	model_add(k, item, date);
}

/* Keys with something special about them: the ends of the range, one an
 * empty hash slot could be mistaken for, neighbours. */
static const uint64_t EDGE_KEYS[] = {0,
				     1,
				     2,
				     UINT64_MAX,
				     UINT64_MAX - 1,
				     0x8000000000000000ULL,
				     0x7fffffffffffffffULL,
				     0x9e3779b97f4a7c15ULL};
enum { NEDGE = sizeof(EDGE_KEYS) / sizeof(EDGE_KEYS[0]) };

static uint64_t
key_of(size_t i)
{
	if (i < NEDGE)
		return EDGE_KEYS[i];
	return i % 2 ? mix64(i) : 1000 + i;
}

/*
 * A sample file: eight keys, each with 30 entries (below the cap, dates
 * in range), 20 of them merged into the base and 10 in the delta, sealed
 * with st.
 */
static void
make_sample(const char *p, const struct bandidx_stamp *st, struct model *m)
{
	ck_assert(unlink(p) == 0 || errno == ENOENT);
	struct bandidx *ix = open_expect(p, st, 1);

	model_init(m, NEDGE);
	for (size_t i = 0; i < NEDGE; i++)
		m->k[i].key = key_of(i);
	begin_ok(ix);
	for (int j = 1; j <= 30; j++) {
		if (j == 21)
			merge_ok(ix);
		for (size_t i = 0; i < NEDGE; i++) {
			int64_t item = (int64_t)i * 1000 + j;

			add_both(ix, &m->k[i], item,
				 clamp_date(item_date(item)));
		}
	}
	seal_ok(ix, st);
	bandidx_close(ix);
}

/* ix is a new, empty index that works: filled and sealed, it is trusted. */
static void
expect_fresh_and_usable(struct bandidx *ix, const char *ctx)
{
	struct model none;
	struct bandidx_stats st;

	model_init(&none, NEDGE);
	for (size_t i = 0; i < NEDGE; i++)
		none.k[i].key = key_of(i);
	expect_model(ix, &none, ctx);
	bandidx_stats(ix, &st);
	ck_assert_uint_eq(st.delta, 0);
	ck_assert_uint_eq(st.base, 0);

	begin_ok(ix);
	add_both(ix, &none.k[0], 77, T0);
	seal_ok(ix, &S1);
	bandidx_close(ix);
	ix = open_expect(path, &S1, 0);
	expect_model(ix, &none, ctx);
	bandidx_close(ix);
	model_free(&none);
}

/* ---- the model, at random ------------------------------------------------ */

/* NOTE: each ck_assert writes to a pipe in Check's fork mode: the loops
 * below test with if and ck_abort_msg instead, to stay fast. */

/*
 * Key classes: HOT keys take thousands of entries each (the cap at work,
 * across merges), WARM ones a hundred or two, COLD ones one or two (they
 * fill the delta, so that it is merged on its own).
 */
enum {
	NHOT = 32,
	NWARM = 1000,
	NCOLD = 400000,
	NKEYS = NHOT + NWARM + NCOLD,
};

static size_t
pick_key(uint64_t *rs)
{
	uint64_t r = rnd(rs) % 100;

	if (r < 5)
		return rnd(rs) % NHOT;
	if (r < 25)
		return NHOT + rnd(rs) % NWARM;
	return NHOT + NWARM + rnd(rs) % NCOLD;
}

/* The hot and warm keys (every one, or one in step) and some cold ones. */
static void
expect_sample(struct bandidx *ix, const struct model *m, size_t step,
	      const char *ctx)
{
	for (size_t i = 0; i < NHOT + NWARM; i += step)
		expect_key(ix, m, i, ctx);
	for (size_t i = NHOT + NWARM; i < NKEYS; i += 397 * step)
		expect_key(ix, m, i, ctx);
}

static void
random_get(struct bandidx *ix, const struct model *m, uint64_t *rs,
	   const char *ctx)
{
	static const size_t maxes[] = {0, 1, 2, 3, 8, 63, 64, 65, GET_MAX};
	size_t max = maxes[rnd(rs) % (sizeof(maxes) / sizeof(maxes[0]))];
	uint64_t r = rnd(rs) % 10;
	const struct mkey *k;
	uint64_t key;
	int64_t since, until;

	if (r < 3)
		k = &m->k[rnd(rs) % NHOT];
	else if (r < 6)
		k = &m->k[NHOT + rnd(rs) % NWARM];
	else if (r < 9)
		k = &m->k[NHOT + NWARM + rnd(rs) % NCOLD];
	else
		k = NULL;
	key = k ? k->key : mix64(rnd(rs)) | 0x4000000000000000ULL;
	switch (rnd(rs) % 8) {
	case 0:
		since = INT64_MIN;
		until = INT64_MAX;
		break;
	case 1:
		since = 0;
		until = ITEM_MAX;
		break;
	case 2: /* among the ties */
		since = T0 + (int64_t)(rnd(rs) % 20000);
		until = since + (int64_t)(rnd(rs) % 3000);
		break;
	case 3:
		since = -1;
		until = T0 - 1000000 + (int64_t)(rnd(rs) % 2000000);
		break;
	case 4:
		since = T0 - 1000000 + (int64_t)(rnd(rs) % 2000000);
		until = INT64_MAX;
		break;
	case 5: /* one date the key has */
		since = until =
		    k && k->n ? k->e[rnd(rs) % (uint64_t)k->n].date : T0;
		break;
	case 6: /* empty */
		since = T0 + 10;
		until = T0 + 9;
		break;
	default: /* the key's older half */
		since = INT64_MIN;
		until = k && k->n ? k->e[k->n / 2].date : T0;
		break;
	}
	expect_get(ix, m, k, key, since, until, max, ctx);
}

/*
 * Adds until the index has merged on its own `automatic` times (and at
 * least as many adds as that should take), with explicit merges,
 * forgetting, repeated entries and lookups in between, every lookup
 * checked against the model; p non-NULL also seals, closes and reopens a
 * few times. Each merge leaves in the base exactly what the model holds.
 */
/* Lookups the model tests made while a merge ran in the background. */
static uint64_t lookups_while_merging;

static void
run_model(const char *p, unsigned automatic, uint64_t seed)
{
	struct bandidx *ix = open_expect(p, &S1, 1);
	struct bandidx_stamp st = S1;
	struct bandidx_stats s;
	struct model m;
	uint64_t rs = mix64(seed), last, autos = 0, nexplicit = 0;
	/* apart: how many adds a merge in the background spans varies */
	uint64_t rs_merging = mix64(seed + 1000);
	char ctx[128];

	model_init(&m, NKEYS);
	for (size_t i = 0; i < NKEYS; i++)
		m.k[i].key = key_of(i);
	bandidx_stats(ix, &s);
	ck_assert_uint_gt(s.delta_slots, 0);
	/* the adds that should take (about 90% of them are new entries of
	 * their key), with an explicit merge of an eighth of the delta
	 * after each automatic one */
	uint64_t est = (automatic * (s.delta_slots / 2) +
			(automatic - 1) * (s.delta_slots / 8)) *
		       10 / 9;

	if (est < 100000)
		est = 100000;
	last = s.merges;
	begin_ok(ix);
	for (uint64_t step = 0; step < est || autos < automatic; step++) {
		if (step >= 6 * est)
			ck_abort_msg("%" PRIu64 " adds and %" PRIu64
				     " automatic merges of %u",
				     step, autos, automatic);
		size_t ki = pick_key(&rs);
		struct mkey *k = &m.k[ki];
		int64_t item;

		if (k->n && rnd(&rs) % 20 == 0)
			item = k->e[rnd(&rs) % (uint64_t)k->n].item; /* again */
		else if (rnd(&rs) % 5000 == 0)
			item = rnd(&rs) % 2 ? 1 : ITEM_MAX;
		else
			item = 1 + (int64_t)(rnd(&rs) % (uint64_t)ITEM_MAX);
		add_both(ix, k, item, item_date(item));
		bandidx_stats(ix, &s);
		if (s.merges != last)
			autos++;
		last = s.merges;
		if (s.merging && rnd(&rs_merging) % 4 == 0) {
			/* the delta being merged, the base it is merged
			 * into and the new delta, all looked up */
			snprintf(ctx, sizeof(ctx),
				 "seed %" PRIu64 " step %" PRIu64
				 " while merge %" PRIu64 " runs",
				 seed, step, last);
			random_get(ix, &m, &rs_merging, ctx);
			lookups_while_merging++;
		}

		if (rnd(&rs) % 40 == 0) {
			snprintf(ctx, sizeof(ctx),
				 "seed %" PRIu64 " step %" PRIu64
				 " merges %" PRIu64,
				 seed, step, last);
			random_get(ix, &m, &rs, ctx);
		}
		if (nexplicit < autos && s.delta >= s.delta_slots / 8) {
			merge_ok(ix);
			nexplicit++;
			bandidx_stats(ix, &s);
			last = s.merges;
			ck_assert_uint_eq(s.delta, 0);
			ck_assert_uint_eq(s.base, model_count(&m));
		}
		if (step == est * 2 / 5) {
			bandidx_forget_before(ix, T0 - 900000);
			m.cutoff = T0 - 900000;
		} else if (step == est * 3 / 4) {
			bandidx_forget_before(ix, T0 - 200000);
			m.cutoff = T0 - 200000;
		} else if (step == est / 4) {
			/* a lower cutoff later brings nothing back */
			bandidx_forget_before(ix, T0 - 1000000);
			m.cutoff = T0 - 1000000;
			bandidx_forget_before(ix, T0 - 2000000);
		}
		if (p && (step == est / 5 || step == est / 2 ||
			  step == est * 17 / 20)) {
			st.gen++;
			seal_ok(ix, &st);
			bandidx_close(ix);
			ix = open_expect(p, &st, 0);
			snprintf(ctx, sizeof(ctx),
				 "seed %" PRIu64 " step %" PRIu64 " reopened",
				 seed, step);
			expect_sample(ix, &m, 7, ctx);
			bandidx_stats(ix, &s);
			last = s.merges;
			begin_ok(ix);
		}
	}
	ck_assert_uint_ge(autos, automatic);
	snprintf(ctx, sizeof(ctx), "seed %" PRIu64 " at the end", seed);
	expect_sample(ix, &m, 1, ctx);
	merge_ok(ix);
	bandidx_stats(ix, &s);
	ck_assert_uint_eq(s.delta, 0);
	ck_assert_uint_eq(s.base, model_count(&m));
	snprintf(ctx, sizeof(ctx), "seed %" PRIu64 " after the last merge",
		 seed);
	expect_sample(ix, &m, 1, ctx);
	if (p) {
		st.gen++;
		seal_ok(ix, &st);
		bandidx_close(ix);
		ix = open_expect(p, &st, 0);
		snprintf(ctx, sizeof(ctx), "seed %" PRIu64 " reopened", seed);
		expect_sample(ix, &m, 1, ctx);
	}
	bandidx_close(ix);
	model_free(&m);
}

START_TEST(bandidx_get_matches_model_under_random_adds_and_merges)
{
	lookups_while_merging = 0;
	run_model(path, 2, 1);
	/* the automatic merges ran in the background, and were looked
	 * through while they ran */
	ck_assert_uint_gt(lookups_while_merging, 0);
}
END_TEST

START_TEST(bandidx_get_matches_model_in_unnamed_file)
{
	/* where an unnamed file might be made: nothing may be left there */
	ck_assert_int_eq(setenv("TMPDIR", dir, 1), 0);
	run_model(NULL, 2, 2);

	DIR *d = opendir(dir);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		ck_assert_msg(!strcmp(de->d_name, ".") ||
				  !strcmp(de->d_name, ".."),
			      "left behind: %s/%s", dir, de->d_name);
	closedir(d);
}
END_TEST

/* ---- what a key holds ---------------------------------------------------- */

START_TEST(bandidx_add_ignores_repeats)
{
	struct bandidx *ix = open_expect(path, &S1, 1);
	struct bandidx_stats s;
	struct model m;

	model_init(&m, 1);
	m.k[0].key = 42;
	begin_ok(ix);
	add_both(ix, &m.k[0], 5, T0);
	add_both(ix, &m.k[0], 5, T0);
	add_both(ix, &m.k[0], 6, T0);
	expect_model(ix, &m, "in the delta");
	merge_ok(ix);
	expect_model(ix, &m, "merged");
	/* the same entries again, now that the base holds them */
	add_both(ix, &m.k[0], 5, T0);
	add_both(ix, &m.k[0], 6, T0);
	expect_model(ix, &m, "again after a merge");
	merge_ok(ix);
	expect_model(ix, &m, "merged again");
	bandidx_stats(ix, &s);
	ck_assert_uint_eq(s.base, 2);
	bandidx_close(ix);
	model_free(&m);
}
END_TEST

/* Many keys, each entry added again once the base holds it: the merge
 * that follows keeps one of each, however the base is written. */
START_TEST(bandidx_merge_keeps_one_of_each_repeat)
{
	enum { N = 20000 };
	struct bandidx *ix = open_expect(path, &S1, 1);
	struct bandidx_stats s;
	struct model m;

	model_init(&m, N);
	begin_ok(ix);
	for (size_t i = 0; i < N; i++) {
		m.k[i].key = key_of(i);
		add_both(ix, &m.k[i], 1 + (int64_t)i, T0 + (int64_t)(i % 7));
	}
	merge_ok(ix);
	for (size_t i = 0; i < N; i++)
		add_both(ix, &m.k[i], 1 + (int64_t)i, T0 + (int64_t)(i % 7));
	expect_model(ix, &m, "again after a merge");
	merge_ok(ix);
	bandidx_stats(ix, &s);
	ck_assert_uint_eq(s.delta, 0);
	ck_assert_uint_eq(s.base, N);
	expect_model(ix, &m, "merged again");
	bandidx_close(ix);
	model_free(&m);
}
END_TEST

/* A new index, begun, and a model of two keys, 7 and 8. */
static struct bandidx *
open_keys_7_and_8(struct model *m)
{
	struct bandidx *ix = open_expect(path, &S1, 1);

	model_init(m, 2);
	m->k[0].key = 7;
	m->k[1].key = 8;
	begin_ok(ix);
	return ix;
}

START_TEST(bandidx_add_keeps_key_cap_newest)
{
	struct bandidx_hit h[GET_MAX];
	struct model m;
	struct bandidx *ix = open_keys_7_and_8(&m);

	/* oldest first, then newest first */
	for (int64_t i = 1; i <= 100; i++)
		add_both(ix, &m.k[0], i, T0 + i);
	for (int64_t i = 100; i >= 1; i--)
		add_both(ix, &m.k[1], i, T0 + i);
	ck_assert_int_eq(bandidx_get(ix, 7, INT64_MIN, INT64_MAX, h, GET_MAX),
			 BANDIDX_KEY_CAP);
	ck_assert_int_eq(h[0].item, 100);
	ck_assert_int_eq(h[BANDIDX_KEY_CAP - 1].item,
			 100 - BANDIDX_KEY_CAP + 1);
	ck_assert_int_eq(bandidx_get(ix, 8, INT64_MIN, T0 + 36, h, GET_MAX), 0);
	expect_model(ix, &m, "in the delta");
	merge_ok(ix);
	expect_model(ix, &m, "merged");
	bandidx_close(ix);
	model_free(&m);
}
END_TEST

/*
 * The cap counts the entries of a key wherever they are: an entry older
 * than the KEY_CAP newest is not kept because the newer ones were merged
 * into the base before it came.
 */
START_TEST(bandidx_key_cap_spans_delta_and_base)
{
	struct bandidx_hit h[GET_MAX];
	struct model m;
	struct bandidx *ix = open_keys_7_and_8(&m);

	for (int64_t i = 0; i < BANDIDX_KEY_CAP; i++) {
		add_both(ix, &m.k[0], 1000 + i, T0 + 1000 + i);
		add_both(ix, &m.k[1], 1000 + i, T0 + 1000 + i);
	}
	merge_ok(ix);
	/* key 7: an entry older than the cap newest, which the base holds */
	add_both(ix, &m.k[0], 5, T0 + 5);
	ck_assert_int_eq(bandidx_get(ix, 7, INT64_MIN, T0 + 999, h, GET_MAX),
			 0);
	/* key 8: ten newer entries push the ten oldest out */
	for (int64_t i = 0; i < 10; i++)
		add_both(ix, &m.k[1], 2000 + i, T0 + 2000 + i);
	ck_assert_int_eq(bandidx_get(ix, 8, INT64_MIN, T0 + 1999, h, GET_MAX),
			 BANDIDX_KEY_CAP - 10);
	expect_model(ix, &m, "delta over base");
	seal_ok(ix, &S1);
	bandidx_close(ix);
	ix = open_expect(path, &S1, 0);
	expect_model(ix, &m, "reopened");
	begin_ok(ix);
	merge_ok(ix);
	expect_model(ix, &m, "merged");
	bandidx_close(ix);
	model_free(&m);
}
END_TEST

START_TEST(bandidx_forget_before_hides_old_entries)
{
	struct bandidx *ix = open_expect(path, &S1, 1);
	struct bandidx_stats s;
	struct model m;

	model_init(&m, 3);
	m.k[0].key = 11;
	m.k[1].key = 12;
	m.k[2].key = 0;
	begin_ok(ix);
	for (int64_t i = 0; i < 40; i++) {
		add_both(ix, &m.k[0], 1 + i, 100 + i);
		add_both(ix, &m.k[1], 101 + i, 90 - i);
		add_both(ix, &m.k[2], 201 + i, 130 + i);
	}
	merge_ok(ix);
	for (int64_t i = 40; i < 80; i++) {
		add_both(ix, &m.k[0], 1 + i, 100 + i);
		add_both(ix, &m.k[2], 201 + i, 130 + i);
	}
	bandidx_forget_before(ix, 150);
	m.cutoff = 150;
	expect_model(ix, &m, "forgotten, base and delta");
	/* a lower cutoff later does not bring them back */
	bandidx_forget_before(ix, 120);
	expect_model(ix, &m, "a lower cutoff");
	bandidx_forget_before(ix, INT64_MIN);
	expect_model(ix, &m, "cutoff INT64_MIN");
	merge_ok(ix);
	expect_model(ix, &m, "forgotten and merged");
	bandidx_stats(ix, &s);
	ck_assert_uint_eq(s.delta, 0);
	ck_assert_uint_eq(s.base, model_count(&m));
	/* key 11: 150 to 179; key 0: the cap newest are 146 to 209 */
	ck_assert_uint_eq(s.base, 30 + 60);

	/* everything */
	bandidx_forget_before(ix, INT64_MAX);
	m.cutoff = INT64_MAX;
	expect_model(ix, &m, "cutoff INT64_MAX");
	merge_ok(ix);
	expect_model(ix, &m, "cutoff INT64_MAX, merged");
	bandidx_stats(ix, &s);
	ck_assert_uint_eq(s.base, 0);
	bandidx_close(ix);
	model_free(&m);
}
END_TEST

START_TEST(bandidx_forget_before_survives_reopen)
{
	struct bandidx *ix = open_expect(path, &S1, 1);
	struct model m;

	model_init(&m, 1);
	m.k[0].key = 11;
	begin_ok(ix);
	for (int64_t i = 0; i < 20; i++)
		add_both(ix, &m.k[0], 1 + i, 100 + i);
	merge_ok(ix);
	for (int64_t i = 20; i < 40; i++)
		add_both(ix, &m.k[0], 1 + i, 100 + i);
	bandidx_forget_before(ix, 110);
	m.cutoff = 110;
	seal_ok(ix, &S1);
	bandidx_close(ix);
	ix = open_expect(path, &S1, 0);
	expect_model(ix, &m, "forgotten, reopened");
	bandidx_close(ix);
	model_free(&m);
}
END_TEST

START_TEST(bandidx_add_clamps_dates_and_skips_bad_items)
{
	static const int64_t bad[] = {
	    0, -1, INT64_MIN, ITEM_MAX + 1, ITEM_MAX + 7, INT64_MAX, -ITEM_MAX};
	static const int64_t dates[] = {INT64_MIN, -1,           0,
					1,         T0,           ITEM_MAX - 1,
					ITEM_MAX,  ITEM_MAX + 1, INT64_MAX};
	struct bandidx *ix = open_expect(path, &S1, 1);
	struct model m;

	model_init(&m, 2);
	m.k[0].key = 99;
	m.k[1].key = 100;
	begin_ok(ix);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* refused or skipped, but never a crash nor an entry */
		ck_assert_int_le(bandidx_add(ix, 99, bad[i], T0), 0);
		ck_assert_int_le(bandidx_add(ix, 100, bad[i], T0), 0);
	}
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		add_both(ix, &m.k[0], 10 + (int64_t)i, dates[i]);
	add_both(ix, &m.k[0], 1, T0);
	add_both(ix, &m.k[0], ITEM_MAX, T0);
	add_both(ix, &m.k[0], 7, T0); /* what 2^32 + 7 would wrap to */
	expect_model(ix, &m, "in the delta");
	expect_get(ix, &m, &m.k[0], 99, ITEM_MAX, ITEM_MAX, GET_MAX, "ends");
	expect_get(ix, &m, &m.k[0], 99, 0, 0, GET_MAX, "ends");
	expect_get(ix, &m, &m.k[0], 99, INT64_MIN, -1, GET_MAX, "ends");
	expect_get(ix, &m, &m.k[0], 99, ITEM_MAX + 1, INT64_MAX, GET_MAX,
		   "ends");
	expect_get(ix, &m, &m.k[0], 99, INT64_MAX, INT64_MIN, GET_MAX, "ends");
	merge_ok(ix);
	expect_model(ix, &m, "merged");
	expect_get(ix, &m, &m.k[0], 99, ITEM_MAX, ITEM_MAX, GET_MAX, "ends");
	expect_get(ix, &m, &m.k[0], 99, 0, 0, GET_MAX, "ends");
	seal_ok(ix, &S1);
	bandidx_close(ix);
	ix = open_expect(path, &S1, 0);
	expect_model(ix, &m, "reopened");
	bandidx_close(ix);
	model_free(&m);
}
END_TEST

/* ---- the file ------------------------------------------------------------ */

START_TEST(bandidx_open_trusts_sealed_file)
{
	struct bandidx *ix;
	struct model m;

	make_sample(path, &S1, &m);
	ix = open_expect(path, &S1, 0);
	expect_model(ix, &m, "reopened");
	/* a merge of a clean index changes no lookup */
	merge_ok(ix);
	expect_model(ix, &m, "reopened and merged");
	bandidx_close(ix);
	bandidx_close(NULL);
	model_free(&m);
}
END_TEST

START_TEST(bandidx_open_rejects_other_stamp)
{
	static const struct bandidx_stamp other[] = {
	    {0x0123456789abcdefULL, 2}, {0x0123456789abcdeeULL, 1}, {0, 0}};

	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		struct bandidx *ix;
		struct model m;

		make_sample(path, &S1, &m);
		ix = open_expect(path, &other[i], 1);
		expect_fresh_and_usable(ix, "other stamp");
		model_free(&m);

		/* the old file is gone, not trusted under its old stamp */
		make_sample(path, &S1, &m);
		ix = open_expect(path, &other[i], 1);
		bandidx_close(ix);
		ix = open_expect(path, &S1, 1);
		bandidx_close(ix);
		/* nor under the new one: it was never filled and sealed */
		ix = open_expect(path, &other[i], 1);
		bandidx_close(ix);
		model_free(&m);
	}
}
END_TEST

START_TEST(bandidx_open_rejects_file_left_dirty)
{
	struct bandidx *ix;
	struct model m;

	/* changed and closed without a seal */
	make_sample(path, &S1, &m);
	ix = open_expect(path, &S1, 0);
	begin_ok(ix);
	add_ok(ix, 5, 5, T0);
	bandidx_close(ix);
	ix = open_expect(path, &S1, 1);
	expect_fresh_and_usable(ix, "dirty");
	model_free(&m);

	/* begun, not changed, not sealed */
	make_sample(path, &S1, &m);
	ix = open_expect(path, &S1, 0);
	begin_ok(ix);
	bandidx_close(ix);
	ix = open_expect(path, &S1, 1);
	bandidx_close(ix);
	model_free(&m);

	/* merged while dirty, not sealed */
	make_sample(path, &S1, &m);
	ix = open_expect(path, &S1, 0);
	begin_ok(ix);
	add_ok(ix, 5, 5, T0);
	merge_ok(ix);
	bandidx_close(ix);
	ix = open_expect(path, &S1, 1);
	bandidx_close(ix);
	model_free(&m);

	/* a new file filled and never sealed */
	ix = open_expect(path, &S1, 1);
	begin_ok(ix);
	add_ok(ix, 5, 5, T0);
	bandidx_close(ix);
	ix = open_expect(path, &S1, 1);
	bandidx_close(ix);
}
END_TEST

static off_t
file_size(const char *p)
{
	struct stat sb;

	ck_assert_int_eq(stat(p, &sb), 0);
	return sb.st_size;
}

START_TEST(bandidx_open_rejects_truncated_file)
{
	struct model m;

	make_sample(path, &S1, &m);
	off_t size = file_size(path);
	model_free(&m);
	const off_t cuts[] = {0,        1,           4095,      4096,    4097,
			      size / 2, size - 4096, size - 16, size - 1};

	ck_assert_int_gt(size, 4097);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char ctx[64];

		make_sample(path, &S1, &m);
		ck_assert_int_eq(truncate(path, cuts[i]), 0);
		snprintf(ctx, sizeof(ctx), "cut to %lld of %lld",
			 (long long)cuts[i], (long long)size);
		struct bandidx *ix = open_expect(path, &S1, 1);

		expect_fresh_and_usable(ix, ctx);
		model_free(&m);
	}

	/* a file of a delta alone (nothing merged), cut inside the delta */
	for (int i = 1; i <= 3; i++) {
		ck_assert_int_eq(unlink(path), 0);
		struct bandidx *ix = open_expect(path, &S1, 1);

		begin_ok(ix);
		add_ok(ix, 1, 1, T0);
		seal_ok(ix, &S1);
		bandidx_close(ix);
		off_t len = file_size(path);

		ck_assert_int_eq(truncate(path, len * i / 4), 0);
		expect_fresh_and_usable(open_expect(path, &S1, 1),
					"a delta cut");
	}

	/* longer than it was: whole, so trusted, or not; never wrong */
	make_sample(path, &S1, &m);
	ck_assert_int_eq(truncate(path, size + 4096), 0);
	struct bandidx *ix = NULL;
	char err[512];
	int rc = bandidx_open(path, &S1, &ix, err, sizeof(err));

	ck_assert_msg(rc == 0 || rc == 1, "%d (%s)", rc, err);
	if (rc == 0) {
		expect_model(ix, &m, "extended");
		bandidx_close(ix);
	} else {
		expect_fresh_and_usable(ix, "extended");
	}
	model_free(&m);
}
END_TEST

static void
write_file(const char *p, const void *data, size_t len)
{
	FILE *f = fopen(p, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(bandidx_open_rejects_garbage_and_empty_files)
{
	struct model m;

	make_sample(path, &S1, &m);
	size_t size = (size_t)file_size(path);
	unsigned char *junk = malloc(size);
	uint64_t rs = 3;
	const size_t lens[] = {0, 1, 100, 4096, 65536, size};

	ck_assert_ptr_nonnull(junk);
	for (size_t i = 0; i < size; i++)
		junk[i] = (unsigned char)rnd(&rs);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char ctx[64];

		snprintf(ctx, sizeof(ctx), "%zu bytes of garbage", lens[i]);
		write_file(path, junk, lens[i]);
		expect_fresh_and_usable(open_expect(path, &S1, 1), ctx);
	}
	memset(junk, 0, size);
	write_file(path, junk, size);
	expect_fresh_and_usable(open_expect(path, &S1, 1), "zeros");

	/* a whole, sealed index with its first byte changed */
	model_free(&m);
	make_sample(path, &S1, &m);
	FILE *f = fopen(path, "r+b");
	int c;

	ck_assert_ptr_nonnull(f);
	c = fgetc(f);
	ck_assert_int_ne(c, EOF);
	ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
	ck_assert_int_ne(fputc(c ^ 0x20, f), EOF);
	ck_assert_int_eq(fclose(f), 0);
	expect_fresh_and_usable(open_expect(path, &S1, 1), "magic");

	/* a directory where the file should be */
	model_free(&m);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	struct bandidx *ix = NULL;
	char err[512] = "";
	int rc = bandidx_open(path, &S1, &ix, err, sizeof(err));

	ck_assert_msg(rc == 1 || rc < 0, "a directory: %d", rc);
	if (rc < 0) {
		ck_assert_ptr_null(ix);
		ck_assert_ptr_nonnull(strstr(err, path));
	}
	bandidx_close(ix);
	free(junk);
}
END_TEST

START_TEST(bandidx_open_reports_unwritable_path)
{
	struct bandidx *ix = (struct bandidx *)&ix;
	char p[192], err[512] = "";

	snprintf(p, sizeof(p), "%s/no/such/dir/bands", dir);
	int rc = bandidx_open(p, &S1, &ix, err, sizeof(err));

	ck_assert_int_lt(rc, 0);
	ck_assert_ptr_null(ix);
	ck_assert_msg(strstr(err, p) != NULL, "err \"%s\" names no %s", err, p);
}
END_TEST

/* The entries the handles below add: key i of the sample holds items
 * i * 1000 + 1 to 30, and the even keys also get B's items. */
static int64_t
b_item(size_t i, int round, int64_t j)
{
	return 500000 + round * 1000 + j + (int64_t)i * 10000;
}

static int
was_added(size_t i, const struct bandidx_hit *h)
{
	int64_t it = h->item, rel = it - b_item(i, 0, 0);

	if (h->date != clamp_date(item_date(it)))
		return 0;
	if (it > (int64_t)i * 1000 && it <= (int64_t)i * 1000 + 30)
		return 1;
	return i % 2 == 0 && rel >= 0 && rel < 2000 && rel % 1000 < 50;
}

/* Every hit is an entry added to key i, newest first, none twice, within
 * [since, until] and at most max. */
static void
expect_plausible(struct bandidx *ix, const struct model *m, size_t i,
		 int64_t since, int64_t until, size_t max, const char *ctx)
{
	struct bandidx_hit h[GET_MAX];
	int n = bandidx_get(ix, m->k[i].key, since, until, h, max);

	ck_assert_msg(n >= 0 && (size_t)n <= max, "%s: %d", ctx, n);
	for (int j = 0; j < n; j++) {
		ck_assert_msg(was_added(i, &h[j]),
			      "%s: key %#" PRIx64 " was never given %" PRId64
			      "/%" PRId64,
			      ctx, m->k[i].key, h[j].date, h[j].item);
		ck_assert_msg(h[j].date >= since && h[j].date <= until,
			      "%s: %" PRId64 " out of range", ctx, h[j].date);
		ck_assert_msg(j == 0 || newer(&h[j - 1], &h[j]),
			      "%s: hit %d out of order", ctx, j);
	}
}

/* What a handle left open on a file another handle has changed must
 * still do: never return an entry nobody added, and return the same for
 * the keys nobody changed. */
static void
expect_stale_ok(struct bandidx *ix, const struct model *m, const char *ctx)
{
	for (size_t i = 0; i < m->nkeys; i++) {
		expect_plausible(ix, m, i, INT64_MIN, INT64_MAX, GET_MAX, ctx);
		expect_plausible(ix, m, i, T0 - 500000, T0 + 10000, 7, ctx);
		if (i % 2)
			expect_get(ix, m, &m->k[i], m->k[i].key, INT64_MIN,
				   INT64_MAX, GET_MAX, ctx);
	}
}

/*
 * Two handles on one path (a reader left open while another handle
 * merges): the merge writes the spare file and swaps it with the live one,
 * so the old handle keeps finding what it found across that merge (its
 * file, now the spare, is not written). The merge after that writes over
 * the spare: a handle must be opened again once the archive has changed,
 * as stories.c does before each use.
 */
START_TEST(bandidx_reader_survives_merge_by_another_handle)
{
	const struct bandidx_stamp s2 = {S1.db_id, S1.gen + 1};
	struct model m, both;
	struct bandidx *a, *b, *c;

	make_sample(path, &S1, &m);
	a = open_expect(path, &S1, 0);
	b = open_expect(path, &S1, 0);
	expect_model(a, &m, "A before");

	/* B merges what the file holds, adding nothing */
	begin_ok(b);
	merge_ok(b);
	seal_ok(b, &S1);
	expect_model(b, &m, "B merged");
	expect_model(a, &m, "A after B merged");
	bandidx_close(a);

	/* C opens B's file; B adds to the even keys and merges, twice */
	c = open_expect(path, &S1, 0);
	expect_model(c, &m, "C before");
	model_init(&both, m.nkeys);
	for (size_t i = 0; i < m.nkeys; i++) {
		both.k[i].key = m.k[i].key;
		for (int j = 0; j < m.k[i].n; j++)
			model_add(&both.k[i], m.k[i].e[j].item,
				  m.k[i].e[j].date);
	}
	begin_ok(b);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < m.nkeys; i += 2)
			for (int64_t j = 0; j < 50; j++) {
				int64_t item = b_item(i, round, j);

				add_both(b, &both.k[i], item,
					 clamp_date(item_date(item)));
			}
		if (round == 0)
			expect_stale_ok(c, &m, "C, B added");
		merge_ok(b);
		if (round == 0) {
			expect_stale_ok(c, &m, "C, B merged once");
			bandidx_close(c);
		}
		expect_model(b, &both, "B");
	}
	seal_ok(b, &s2);
	bandidx_close(b);

	b = open_expect(path, &s2, 0);
	expect_model(b, &both, "B's file reopened");
	bandidx_close(b);
	model_free(&both);
	model_free(&m);
}
END_TEST

/*
 * A merge that fails in the background (here at the file size limit, as
 * on a full disk) is reported by the next call that waits for it, with
 * the file named; the index is then good only for closing, the file stays
 * dirty and the next open builds it again. Nothing is left half-written
 * as the spare.
 */
START_TEST(bandidx_failed_background_merge_is_reported)
{
	struct bandidx *ix = open_expect(path, &S1, 1);
	struct bandidx_stats s;
	struct bandidx_hit hit[4];
	struct rlimit was, lim;
	char spare[160];
	uint64_t i;

	snprintf(spare, sizeof(spare), "%s-new", path);
	signal(SIGXFSZ, SIG_IGN);
	begin_ok(ix);
	for (i = 0; i < 300000; i++)
		add_ok(ix, mix64(i), (int64_t)i + 1, T0);
	merge_ok(ix);
	bandidx_stats(ix, &s);
	ck_assert_uint_eq(s.base, 300000);
	/* the next merge's file: a delta as big as this one; its base
	 * cannot be written */
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &was), 0);
	lim = was;
	lim.rlim_cur = 4096 + 17 * s.delta_slots + 4096;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (; !s.merging; i++) {
		add_ok(ix, mix64(i), (int64_t)i + 1, T0);
		bandidx_stats(ix, &s);
	}
	ck_assert_int_lt(bandidx_seal(ix, &S1), 0);
	ck_assert_msg(strstr(bandidx_errmsg(ix), path) &&
			      strstr(bandidx_errmsg(ix), "writing"),
		      "%s", bandidx_errmsg(ix));
	ck_assert_int_lt(bandidx_get(ix, mix64(1), 0, INT64_MAX, hit, 4), 0);
	ck_assert_int_lt(bandidx_add(ix, mix64(i), (int64_t)i + 1, T0), 0);
	bandidx_close(ix);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &was), 0);
	ck_assert_int_eq(access(spare, F_OK), -1);
	ix = open_expect(path, &S1, 1);
	bandidx_close(ix);
}
END_TEST

static ino_t
inode_of(const char *p)
{
	struct stat sb;

	ck_assert_msg(stat(p, &sb) == 0, "stat %s: %s", p, strerror(errno));
	return sb.st_ino;
}

/*
 * Merges take turns between two files: the live one and its spare
 * (path-new), which the next merge writes over. A spare that is another
 * name of the live file, or a symbolic link, is never written through.
 */
START_TEST(bandidx_merges_take_turns_with_a_spare)
{
	struct model m;
	struct bandidx *ix;
	char spare[160], victim[160];

	make_sample(path, &S1, &m);
	snprintf(spare, sizeof(spare), "%s-new", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	ix = open_expect(path, &S1, 0);
	begin_ok(ix);
	ino_t live = inode_of(path);

	merge_ok(ix);
	ck_assert(inode_of(spare) == live);
	ino_t second = inode_of(path);

	merge_ok(ix);
	ck_assert(inode_of(path) == live);
	ck_assert(inode_of(spare) == second);
	expect_model(ix, &m, "after two merges");

	/* the spare made another name of the live file */
	ck_assert_int_eq(unlink(spare), 0);
	ck_assert_int_eq(link(path, spare), 0);
	merge_ok(ix);
	expect_model(ix, &m, "after a merge with a linked spare");
	ck_assert(inode_of(spare) == live);

	/* the spare made a symbolic link to another file */
	FILE *f = fopen(victim, "w");

	ck_assert_ptr_nonnull(f);
	fputs("not an index\n", f);
	fclose(f);
	ck_assert_int_eq(unlink(spare), 0);
	ck_assert_int_eq(symlink(victim, spare), 0);
	merge_ok(ix);
	expect_model(ix, &m, "after a merge with a linked spare");
	struct stat sb;

	ck_assert_int_eq(stat(victim, &sb), 0);
	ck_assert_int_eq(sb.st_size, 13);
	seal_ok(ix, &S1);
	bandidx_close(ix);
	unlink(victim);
	model_free(&m);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("aggregator-bandidx");
	TCase *tc = tcase_create("model");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc,
		       bandidx_get_matches_model_under_random_adds_and_merges);
	tcase_add_test(tc, bandidx_get_matches_model_in_unnamed_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("entries");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bandidx_add_ignores_repeats);
	tcase_add_test(tc, bandidx_merge_keeps_one_of_each_repeat);
	tcase_add_test(tc, bandidx_add_keeps_key_cap_newest);
	tcase_add_test(tc, bandidx_key_cap_spans_delta_and_base);
	tcase_add_test(tc, bandidx_forget_before_hides_old_entries);
	tcase_add_test(tc, bandidx_forget_before_survives_reopen);
	tcase_add_test(tc, bandidx_add_clamps_dates_and_skips_bad_items);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bandidx_open_trusts_sealed_file);
	tcase_add_test(tc, bandidx_open_rejects_other_stamp);
	tcase_add_test(tc, bandidx_open_rejects_file_left_dirty);
	tcase_add_test(tc, bandidx_open_rejects_truncated_file);
	tcase_add_test(tc, bandidx_open_rejects_garbage_and_empty_files);
	tcase_add_test(tc, bandidx_open_reports_unwritable_path);
	tcase_add_test(tc, bandidx_reader_survives_merge_by_another_handle);
	tcase_add_test(tc, bandidx_merges_take_turns_with_a_spare);
	tcase_add_test(tc, bandidx_failed_background_merge_is_reported);
	suite_add_tcase(s, tc);
	return s;
}
