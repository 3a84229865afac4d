/* SPDX-License-Identifier: MIT */
/* aggregator/picks.c: the picks table. */
#include "aggregator/picks.h"

#include <stdlib.h>
#include <string.h>

#include "aggregator/store-int.h"
#include "core/text.h"
#include "core/xalloc.h"

int
picks_set(struct store *s, const char *audience, const char *story_key,
	  bool block, const char *by, int64_t at, int64_t until,
	  const char *note)
{
	sqlite3_stmt *st = store_prepare(
		s, "INSERT OR REPLACE INTO picks (audience, story_key, kind, "
		   "by, at, until, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, audience);
	store_bind_text(st, 2, story_key);
	store_bind_text(st, 3, block ? "block" : "pick");
	store_bind_text(st, 4, by);
	sqlite3_bind_int64(st, 5, at);
	store_bind_time(st, 6, until);
	store_bind_text(st, 7, note);
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "recording a pick");
}

int
picks_unset(struct store *s, const char *audience, const char *story_key,
	    bool block)
{
	sqlite3_stmt *st = store_prepare(
		s, "DELETE FROM picks WHERE audience = ?1 AND story_key = ?2 "
		   "AND kind = ?3");

	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, audience);
	store_bind_text(st, 2, story_key);
	store_bind_text(st, 3, block ? "block" : "pick");
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "removing a pick");
	return sqlite3_changes(s->db) > 0;
}

int
picks_story_exists(struct store *s, const char *story_key)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT 1 FROM stories WHERE key = ?1");

	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, story_key);
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "finding a story");
	return rc == SQLITE_ROW;
}

int
picks_load(struct store *s, const char *audience, int64_t now,
	   struct pick_list *out)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT story_key, kind, until, by, note FROM picks WHERE "
		   "audience = ?1 AND (until IS NULL OR until > ?2) ORDER BY "
		   "at, story_key");
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, audience);
	sqlite3_bind_int64(st, 2, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xreallocarray(out->v, cap, sizeof(*out->v));
		}
		struct select_pick *p = &out->v[out->n++];

		p->story_key = store_col_strdup(st, 0);
		p->block = !strcmp((const char *)sqlite3_column_text(st, 1),
				   "block");
		p->until = store_col_time(st, 2);
		p->by = store_col_strdup(st, 3);
		p->note = store_col_strdup(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		picks_list_free(out);
		return store_fail(s, "loading picks");
	}
	return 0;
}

int
picks_stamp(struct store *s, int64_t now, uint64_t *hash, int64_t *next_end)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT audience, story_key, kind, coalesce(until, 0), "
		   "coalesce(note, '') FROM picks ORDER BY audience, "
		   "story_key, kind");
	int rc;

	if (!st)
		return WD_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 5; i++) {
			*hash = wd_fnv1a(*hash, sqlite3_column_blob(st, i),
				    (size_t)sqlite3_column_bytes(st, i));
			*hash = wd_fnv1a(*hash, "", 1); /* a separator */
		}
		int64_t until = sqlite3_column_int64(st, 3);

		if (until > now && until < *next_end)
			*next_end = until;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "reading picks");
}

void
picks_list_free(struct pick_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].story_key);
		free((char *)l->v[i].by);
		free((char *)l->v[i].note);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
