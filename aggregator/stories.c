/* SPDX-License-Identifier: MIT */
/* aggregator/stories.c: folding items into stories, in the store. */
#include "aggregator/stories.h"

#include <stdlib.h>
#include <string.h>

#include "aggregator/simdup.h"
#include "aggregator/store-int.h"
#include "aggregator/storymatch.h"
#include "aggregator/wirever.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "feeds/canon.h"

/* Candidates read from the band index for one item, at most. */
/* LSH work per new item at most: band index entries read, and candidates
 * read and weighed. */
enum { BAND_ROWS = 4096, MAX_CANDIDATES = 32, LEAD_MAX = 600 };

void
stories_configure(struct store *s, int64_t window, double threshold)
{
	s->dedupe_window = window;
	s->dedupe_threshold = threshold;
}

/*
 * The first words of an HTML summary as plain text, for the fingerprint:
 * tags skipped, the few entities that matter for words decoded. This is not
 * a sanitizer (nothing here is shown to anyone).
 */
static void
lead_text(const char *html, struct buf *out)
{
	bool in_tag = false;

	for (const char *p = html; p && *p && out->len < LEAD_MAX; p++) {
		if (*p == '<') {
			in_tag = true;
			buf_putc(out, ' ');
		} else if (*p == '>') {
			in_tag = false;
		} else if (!in_tag) {
			if (*p == '&' && !strncmp(p, "&amp;", 5)) {
				buf_putc(out, '&');
				p += 4;
			} else if (*p == '&' && !strncmp(p, "&nbsp;", 6)) {
				buf_putc(out, ' ');
				p += 5;
			} else {
				buf_putc(out, *p);
			}
		}
	}
}

/* Story of the first item with this canonical link, or 0. */
static int
lookup_link(struct store *s, const char *canon, int64_t *story)
{
	sqlite3_stmt *st = store_stmt(
		s, STMT_LOOKUP_LINK,
		"SELECT story_id FROM items WHERE canon_link = ?1 ORDER BY "
		"id LIMIT 1");

	*story = 0;
	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, canon);
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*story = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "looking up a link");
	return 0;
}

/* The best candidate so far. */
struct best {
	enum storymatch_reason reason;
	double score;
	int64_t story;
};

/* Rank reasons: a wire's own version beats an update beats a rewrite. */
static bool
better(enum storymatch_reason r, double score, const struct best *b)
{
	if (r == STORYMATCH_NONE)
		return false;
	if (r != b->reason)
		return b->reason == STORYMATCH_NONE ||
		       (r == STORYMATCH_VERSION ||
			(r == STORYMATCH_UPDATE &&
			 b->reason == STORYMATCH_SIMILAR));
	return score > b->score;
}

/*
 * Compare the new item with each candidate row of st (columns: sig,
 * story_id, source, date, wire_key, version, kind, kill, flags) through
 * storymatch, keeping the best.
 */
static int
weigh_candidates(struct store *s, sqlite3_stmt *st,
		 const struct storymatch_item *me, struct best *b)
{
	struct storymatch_opts opts = {.threshold = s->dedupe_threshold,
				       .window = s->dedupe_window};
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct simdup_sig sig;
		struct wirever wv = {0};
		double score;

		if (simdup_from_blob(sqlite3_column_blob(st, 0),
				     (size_t)sqlite3_column_bytes(st, 0),
				     &sig) < 0)
			continue; /* an older blob: it cannot match */
		const unsigned char *key = sqlite3_column_text(st, 4);

		wv.key = (char *)(key ? (const char *)key : "");
		wv.version = sqlite3_column_int(st, 5);
		wv.kind = (enum wirever_kind)sqlite3_column_int(st, 6);
		wv.kill = sqlite3_column_int(st, 7) != 0;
		wv.flags = (unsigned)sqlite3_column_int(st, 8);
		struct storymatch_item other = {
			.source = (const char *)sqlite3_column_text(st, 2),
			.published = sqlite3_column_int64(st, 3),
			.wv = &wv,
			.sig = &sig,
		};
		enum storymatch_reason r = storymatch(me, &other, &opts, &score);

		if (better(r, score, b)) {
			b->reason = r;
			b->score = score;
			b->story = sqlite3_column_int64(st, 1);
		}
	}
	return rc == SQLITE_DONE ? 0 : store_fail(s, "weighing candidates");
}

#define CANDIDATE_COLS                                                        \
	"i.sig, i.story_id, i.source, coalesce(i.published, i.first_seen), " \
	"i.wire_key, i.version, i.kind, i.kill, i.versioned "

struct shared {
	int64_t item;
	int n; /* band keys shared with the new item */
};

/* x ranks before y: more shared keys, then the later item. */
static bool
ranks_before(const struct shared *x, const struct shared *y)
{
	if (x->n != y->n)
		return x->n > y->n;
	return x->item > y->item;
}

static uint32_t
slot_of(int64_t item)
{
	uint64_t h = (uint64_t)item * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32);
}

/* The band lookup, prepared once per store: one parameter per band (those
 * an item does not use stay NULL, which matches nothing). */
static sqlite3_stmt *
bands_stmt(struct store *s)
{
	if (s->stmts[STMT_BANDS])
		return store_stmt(s, STMT_BANDS, NULL);
	struct buf sql;

	buf_init(&sql, 8192);
	buf_puts(&sql, "SELECT item_id FROM bands WHERE date >= ?1 AND key IN (");
	for (int i = 0; i < SIMDUP_BANDS; i++)
		buf_appendf(&sql, i ? ", ?%d" : "?%d", i + 2);
	buf_appendf(&sql, ") LIMIT %d", BAND_ROWS);
	sqlite3_stmt *st = store_stmt(s, STMT_BANDS, buf_str(&sql));

	buf_free(&sql);
	return st;
}

/*
 * LSH candidates: items in the window that share band keys with the new
 * item, read from the covering index alone (at most BAND_ROWS entries),
 * ranked by how many keys they share (which grows with their similarity),
 * and only the best MAX_CANDIDATES of them read and weighed, best first.
 * The cost of a lookup is bounded whatever the size of the archive or of a
 * bucket. Shared keys are counted in an open-addressing table and the best
 * kept by insertion: no sort of the BAND_ROWS entries.
 */
static int
weigh_band_candidates(struct store *s, const struct storymatch_item *me,
		      const struct story_join *j, int64_t date, struct best *b)
{
	enum { TABLE = 2 * BAND_ROWS }; /* a power of two */
	struct shared table[TABLE], top[MAX_CANDIDATES];
	size_t ntop = 0;
	sqlite3_stmt *st = bands_stmt(s);

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, date - s->dedupe_window);
	for (size_t i = 0; i < j->nbands && i < SIMDUP_BANDS; i++)
		sqlite3_bind_int64(st, (int)i + 2, (sqlite3_int64)j->bands[i]);
	memset(table, 0, sizeof(table));
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t item = sqlite3_column_int64(st, 0);
		uint32_t h = slot_of(item) & (TABLE - 1);

		while (table[h].n && table[h].item != item)
			h = (h + 1) & (TABLE - 1);
		table[h].item = item;
		table[h].n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "reading band keys");
	for (size_t i = 0; i < TABLE; i++) {
		if (!table[i].n)
			continue;
		if (ntop == MAX_CANDIDATES &&
		    !ranks_before(&table[i], &top[ntop - 1]))
			continue;
		size_t k = ntop < MAX_CANDIDATES ? ntop++ : ntop - 1;

		while (k > 0 && ranks_before(&table[i], &top[k - 1])) {
			top[k] = top[k - 1];
			k--;
		}
		top[k] = table[i];
	}
	st = store_stmt(s, STMT_CANDIDATE,
			"SELECT " CANDIDATE_COLS "FROM items i WHERE i.id = ?1");
	rc = st ? 0 : WD_EDB;
	for (size_t i = 0; rc == 0 && i < ntop; i++) {
		sqlite3_bind_int64(st, 1, top[i].item);
		rc = weigh_candidates(s, st, me, b);
		sqlite3_reset(st);
	}
	return rc;
}

/* Candidates: the same base headline, and the items sharing an LSH band
 * key, all within the window around the new item's date. */
static int
find_candidates(struct store *s, const struct storymatch_item *me,
		const struct story_join *j, int64_t date, struct best *b)
{
	int rc = 0;

	if (j->wire_key) {
		sqlite3_stmt *st = store_stmt(
			s, STMT_WIRE_CANDIDATES,
			"SELECT " CANDIDATE_COLS "FROM items i WHERE "
			"i.wire_key = ?1 AND coalesce(i.published, "
			"i.first_seen) BETWEEN ?2 AND ?3 ORDER BY i.id "
			"LIMIT 50");

		if (!st)
			return WD_EDB;
		store_bind_text(st, 1, j->wire_key);
		sqlite3_bind_int64(st, 2, date - s->dedupe_window);
		sqlite3_bind_int64(st, 3, date + s->dedupe_window);
		rc = weigh_candidates(s, st, me, b);
		sqlite3_reset(st);
		if (rc < 0 || b->reason == STORYMATCH_VERSION)
			return rc;
	}
	if (!j->nbands)
		return 0;
	return weigh_band_candidates(s, me, j, date, b);
}

int
stories_find(struct store *s, const char *source, const struct item *it,
	     int64_t date, struct story_join *out)
{
	struct wirever wv;
	struct simdup_sig sig;
	struct buf lead;
	struct best b = {STORYMATCH_NONE, 0, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	out->reason = "new";
	buf_init(&lead, LEAD_MAX + 64);
	lead_text(it->summary ? it->summary : it->content, &lead);
	int conventions = wirever_parse(it->title, buf_str(&lead), &wv);

	out->version = wv.version;
	out->kind = (int)wv.kind;
	out->kill = wv.kill;
	out->flags = wv.flags;
	(void)conventions;
	out->wire_key = wv.key && *wv.key ? xstrdup(wv.key) : NULL;
	out->base_title = xstrdup(wv.base ? wv.base : "");
	simdup_sign(wv.base, buf_str(&lead) + wv.lead_skip, &sig);
	out->sig = xmalloc(SIMDUP_BLOB_MAX);
	out->siglen = simdup_to_blob(&sig, out->sig);
	out->bands = xcalloc(SIMDUP_BANDS, sizeof(uint64_t));
	out->nbands = simdup_bands(&sig, out->bands);
	out->canon = canon_item_link(it);
	buf_free(&lead);

	/* 1. Exact identity: the same canonical link, any time. */
	rc = out->canon ? lookup_link(s, out->canon, &out->story_id) : 0;
	if (rc < 0 || out->story_id) {
		out->reason = out->kill ? "kill notice" : "same link";
		out->score = 1;
		goto out;
	}
	/* 2. Wire versions, updates and rewrites among bounded candidates. */
	struct storymatch_item me = {
		.source = source,
		.published = date,
		.wv = &wv,
		.sig = &sig,
	};

	rc = find_candidates(s, &me, out, date, &b);
	if (rc < 0)
		goto out;
	if (b.reason != STORYMATCH_NONE) {
		out->story_id = b.story;
		out->score = b.score;
		out->reason = out->kill ? "kill notice"
					: storymatch_reason_name(b.reason);
	}
out:
	wirever_clear(&wv);
	return rc;
}

int
stories_index(struct store *s, int64_t item_id, const struct story_join *j,
	      int64_t date, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (j->kill) {
		st = store_stmt(s, STMT_KILL_STORY,
				"UPDATE stories SET killed = 1 WHERE id = "
				"(SELECT story_id FROM items WHERE id = ?1)");
		if (!st)
			return WD_EDB;
		sqlite3_bind_int64(st, 1, item_id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "withdrawing a story");
	}
	if (!j->nbands || j->kill || date < now - s->dedupe_window)
		return 0;
	st = store_stmt(s, STMT_INSERT_BAND,
			"INSERT INTO bands (key, item_id, date) VALUES "
			"(?1, ?2, ?3)");
	if (!st)
		return WD_EDB;
	for (size_t i = 0; i < j->nbands; i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)j->bands[i]);
		sqlite3_bind_int64(st, 2, item_id);
		sqlite3_bind_int64(st, 3, date);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "indexing band keys");
	}
	return 0;
}

int
stories_prune_bands(struct store *s, int64_t now)
{
	sqlite3_stmt *st =
		store_prepare(s, "DELETE FROM bands WHERE date < ?1");

	if (!st)
		return WD_EDB;
	/* Keep twice the window: an item may be dated up to a window in
	 * the past relative to another. */
	sqlite3_bind_int64(st, 1, now - 2 * s->dedupe_window);
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "pruning band keys");
}

void
story_join_clear(struct story_join *j)
{
	free(j->canon);
	free(j->wire_key);
	free(j->base_title);
	free(j->sig);
	free(j->bands);
	memset(j, 0, sizeof(*j));
}
