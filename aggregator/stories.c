/* SPDX-License-Identifier: MIT */
/* aggregator/stories.c: folding items into stories, in the store. */
#include "aggregator/stories.h"

#include <stdlib.h>
#include <string.h>

#include "aggregator/simdup.h"
#include "aggregator/store-int.h"
#include "aggregator/wirever.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "feeds/canon.h"

/* Candidates read from the band index for one item, at most. */
enum { MAX_CANDIDATES = 200, LEAD_MAX = 600 };

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

/* Story of the first item matching sql (?1 text, ?2 since), or 0. */
static int
lookup_story(struct store *s, const char *sql, const char *v, int64_t since,
	     int64_t *story)
{
	sqlite3_stmt *st = store_prepare(s, sql);

	*story = 0;
	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, v);
	sqlite3_bind_int64(st, 2, since);
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*story = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "looking up a story");
	return 0;
}

/* Best near-duplicate among the items sharing a band key, within the
 * window. */
static int
lookup_similar(struct store *s, const struct simdup_sig *sig,
	       const struct story_join *j, int64_t since, int64_t *story,
	       double *best)
{
	struct buf sql;

	*story = 0;
	*best = 0;
	buf_init(&sql, 8192);
	/* No DISTINCT: it would read every match before the LIMIT; a
	 * candidate met twice is only compared twice. */
	buf_puts(&sql, "SELECT i.sig, i.story_id FROM bands b "
		       "JOIN items i ON i.id = b.item_id WHERE b.date >= ?1 "
		       "AND b.key IN (");
	for (size_t i = 0; i < j->nbands; i++)
		buf_appendf(&sql, i ? ", ?%zu" : "?%zu", i + 2);
	buf_appendf(&sql, ") LIMIT %d", MAX_CANDIDATES);
	sqlite3_stmt *st = store_prepare(s, buf_str(&sql));

	buf_free(&sql);
	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, since);
	for (size_t i = 0; i < j->nbands; i++)
		sqlite3_bind_int64(st, (int)i + 2, (sqlite3_int64)j->bands[i]);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct simdup_sig other;
		double score;

		if (simdup_from_blob(sqlite3_column_blob(st, 0),
				     (size_t)sqlite3_column_bytes(st, 0),
				     &other) < 0)
			continue;
		if (simdup_same_story(sig, &other, s->dedupe_threshold,
				      &score) &&
		    score > *best) {
			*best = score;
			*story = sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "finding similar items");
}

int
stories_find(struct store *s, const char *feed_id, const struct item *it,
	     int64_t date, struct story_join *out)
{
	struct wirever wv;
	struct simdup_sig sig;
	struct buf lead;
	int64_t since = date - s->dedupe_window;
	int rc;

	memset(out, 0, sizeof(*out));
	out->reason = "new";
	buf_init(&lead, LEAD_MAX + 64);
	lead_text(it->summary ? it->summary : it->content, &lead);
	int conventions = wirever_parse(it->title, buf_str(&lead), &wv);

	out->version = wv.version;
	out->kill = wv.kill;
	out->wire_key = wv.key && *wv.key ? xstrdup(wv.key) : NULL;
	out->base_title = xstrdup(wv.base ? wv.base : "");
	simdup_sign(wv.base, buf_str(&lead) + wv.lead_skip, &sig);
	out->sig = xmalloc(SIMDUP_BLOB_MAX);
	out->siglen = simdup_to_blob(&sig, out->sig);
	out->bands = xcalloc(SIMDUP_BANDS, sizeof(uint64_t));
	out->nbands = simdup_bands(&sig, out->bands);
	out->canon = canon_item_link(it);
	out->versioned = conventions > 0 &&
			 (wv.version > 0 || wv.kill ||
			  (wv.flags & (WIREVER_F_UPDATE | WIREVER_F_REFILE |
				       WIREVER_F_CORRECTED | WIREVER_F_REPEAT |
				       WIREVER_F_ADVISORY)));

	wirever_clear(&wv);
	buf_free(&lead);
	(void)feed_id;
	/* 1. Exact identity: the same canonical link, any time. */
	if (out->canon) {
		rc = lookup_story(s,
				  "SELECT story_id FROM items WHERE "
				  "canon_link = ?1 AND ?2 IS NOT NULL ORDER BY "
				  "id LIMIT 1",
				  out->canon, since, &out->story_id);
		if (rc < 0)
			return rc;
		if (out->story_id) {
			out->reason = out->kill ? "kill notice" : "same link";
			out->score = 1;
			return 0;
		}
	}
	/* 2. Wire versions: the same base headline, where either side
	 * carries a version convention (two plain identical headlines may be
	 * two days' market reports: left to the guarded similarity). */
	if (out->wire_key) {
		rc = lookup_story(
			s,
			out->versioned ? "SELECT story_id FROM items WHERE "
				    "wire_key = ?1 AND coalesce(published, "
				    "first_seen) >= ?2 ORDER BY id LIMIT 1"
				  : "SELECT story_id FROM items WHERE "
				    "wire_key = ?1 AND versioned AND "
				    "coalesce(published, first_seen) >= ?2 "
				    "ORDER BY id LIMIT 1",
			out->wire_key, since, &out->story_id);
		if (rc < 0)
			return rc;
		if (out->story_id) {
			out->reason = out->kill ? "kill notice" : "wire version";
			out->score = 1;
			return 0;
		}
	}
	/* 3. Near duplicates among the band-key candidates. */
	if (out->nbands && !out->kill) {
		rc = lookup_similar(s, &sig, out, since, &out->story_id,
				    &out->score);
		if (rc < 0)
			return rc;
		if (out->story_id) {
			out->reason = "similar";
			return 0;
		}
	}
	out->score = 0;
	return 0;
}

int
stories_index(struct store *s, int64_t item_id, const struct story_join *j,
	      int64_t date, int64_t now)
{
	sqlite3_stmt *st = store_prepare(
		s, "UPDATE items SET canon_link = ?2, wire_key = ?3, "
		   "versioned = ?4, version = ?5, kill = ?6, sig = ?7, "
		   "reason = ?8, score = ?9 WHERE id = ?1");

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, item_id);
	store_bind_text(st, 2, j->canon);
	store_bind_text(st, 3, j->wire_key);
	sqlite3_bind_int(st, 4, j->versioned);
	sqlite3_bind_int(st, 5, j->version);
	sqlite3_bind_int(st, 6, j->kill);
	sqlite3_bind_blob(st, 7, j->sig, (int)j->siglen, SQLITE_TRANSIENT);
	store_bind_text(st, 8, j->reason);
	if (!strcmp(j->reason, "similar"))
		sqlite3_bind_double(st, 9, j->score);
	else
		sqlite3_bind_null(st, 9);
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "indexing an item");
	if (j->kill) {
		st = store_prepare(s, "UPDATE stories SET killed = 1 WHERE id = "
				      "(SELECT story_id FROM items WHERE id = "
				      "?1)");
		if (!st)
			return WD_EDB;
		sqlite3_bind_int64(st, 1, item_id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "withdrawing a story");
	}
	if (!j->nbands || j->kill || date < now - s->dedupe_window)
		return 0;
	st = store_prepare(s, "INSERT INTO bands (key, item_id, date) VALUES "
			      "(?1, ?2, ?3)");
	if (!st)
		return WD_EDB;
	for (size_t i = 0; i < j->nbands; i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)j->bands[i]);
		sqlite3_bind_int64(st, 2, item_id);
		sqlite3_bind_int64(st, 3, date);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_fail(s, "indexing band keys");
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
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
