/* SPDX-License-Identifier: MIT */
/* aggregator/feedstate.c: the feeds table. */
#include "aggregator/feedstate.h"

#include <stdlib.h>
#include <string.h>

#include "aggregator/store-int.h"
#include "core/item.h"
#include "core/xalloc.h"

#define FEED_COLS                                                             \
	"id, config_url, moved_to, title, etag, last_modified, body_hash, "   \
	"last_error, last_status, last_attempt, last_success, next_due, "     \
	"first_error, errors, items_seen, gone, reported, ttl, update_period"

static void
read_row(sqlite3_stmt *st, struct feed_state *out)
{
	memset(out, 0, sizeof(*out));
	out->id = store_col_strdup(st, 0);
	out->config_url = store_col_strdup(st, 1);
	out->moved_to = store_col_strdup(st, 2);
	out->title = store_col_strdup(st, 3);
	out->etag = store_col_strdup(st, 4);
	out->last_modified = store_col_strdup(st, 5);
	out->body_hash = store_col_strdup(st, 6);
	out->last_error = store_col_strdup(st, 7);
	out->last_status = (long)sqlite3_column_int64(st, 8);
	out->last_attempt = store_col_time(st, 9);
	out->last_success = store_col_time(st, 10);
	out->next_due = sqlite3_column_int64(st, 11);
	out->first_error = store_col_time(st, 12);
	out->errors = sqlite3_column_int64(st, 13);
	out->items_seen = sqlite3_column_int64(st, 14);
	out->gone = sqlite3_column_int(st, 15) != 0;
	out->reported = sqlite3_column_int(st, 16) != 0;
	out->ttl = sqlite3_column_int(st, 17);
	out->update_period = sqlite3_column_int64(st, 18);
}

int
feedstate_load(struct store *s, const char *id, const char *config_url,
	       struct feed_state *out)
{
	sqlite3_stmt *st =
		store_stmt(s, STMT_FEED_LOAD,
			   "SELECT " FEED_COLS " FROM feeds WHERE id = ?1");

	memset(out, 0, sizeof(*out));
	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, id);
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		read_row(st, out);
		sqlite3_reset(st);
		if (strcmp(out->config_url, config_url)) {
			/* The editor changed the URL: start afresh. */
			free(out->config_url);
			out->config_url = xstrdup(config_url);
			free(out->moved_to);
			free(out->etag);
			free(out->last_modified);
			free(out->body_hash);
			out->moved_to = out->etag = out->last_modified =
				out->body_hash = NULL;
			out->gone = false;
			out->ttl = 0;
			out->update_period = 0;
			out->errors = 0;
			out->next_due = 0;
			out->first_error = WD_NOTIME;
			return feedstate_save(s, out);
		}
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "reading feed state");
	out->id = xstrdup(id);
	out->config_url = xstrdup(config_url);
	out->last_attempt = out->last_success = WD_NOTIME;
	out->first_error = WD_NOTIME;
	return feedstate_save(s, out);
}

int
feedstate_save(struct store *s, const struct feed_state *f)
{
	sqlite3_stmt *st = store_stmt(
		s, STMT_FEED_SAVE,
		"INSERT OR REPLACE INTO feeds (" FEED_COLS ", url) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		"?14, ?15, ?16, ?17, ?18, ?19, ?20)");

	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, f->id);
	store_bind_text(st, 2, f->config_url);
	store_bind_text(st, 3, f->moved_to);
	store_bind_text(st, 4, f->title);
	store_bind_text(st, 5, f->etag);
	store_bind_text(st, 6, f->last_modified);
	store_bind_text(st, 7, f->body_hash);
	store_bind_text(st, 8, f->last_error);
	sqlite3_bind_int64(st, 9, f->last_status);
	store_bind_time(st, 10, f->last_attempt);
	store_bind_time(st, 11, f->last_success);
	sqlite3_bind_int64(st, 12, f->next_due);
	store_bind_time(st, 13, f->first_error);
	sqlite3_bind_int64(st, 14, f->errors);
	sqlite3_bind_int64(st, 15, f->items_seen);
	sqlite3_bind_int(st, 16, f->gone);
	sqlite3_bind_int(st, 17, f->reported);
	sqlite3_bind_int(st, 18, f->ttl);
	sqlite3_bind_int64(st, 19, f->update_period);
	store_bind_text(st, 20, feedstate_url(f));
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "saving feed state");
}

int
feedstate_each(struct store *s, feedstate_fn fn, void *ctx)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT " FEED_COLS " FROM feeds ORDER BY id");
	int rc;

	if (!st)
		return WD_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct feed_state f;

		read_row(st, &f);
		int r = fn(ctx, &f);

		feedstate_clear(&f);
		if (r < 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "listing feeds");
}

const char *
feedstate_url(const struct feed_state *st)
{
	return st->moved_to ? st->moved_to : st->config_url;
}

void
feedstate_clear(struct feed_state *st)
{
	free(st->id);
	free(st->config_url);
	free(st->moved_to);
	free(st->title);
	free(st->etag);
	free(st->last_modified);
	free(st->body_hash);
	free(st->last_error);
	memset(st, 0, sizeof(*st));
}

int
feedstate_waiting(struct store *s, int64_t now, struct feed_waiting **out,
		  size_t *n)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT id, config_url FROM feeds WHERE next_due > ?1 OR "
		   "gone != 0 ORDER BY id COLLATE BINARY");
	struct feed_waiting *v = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[*n].id = store_col_strdup(st, 0);
		v[*n].config_url = store_col_strdup(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		feedstate_waiting_free(v, *n);
		*n = 0;
		return store_fail(s, "reading feed schedules");
	}
	*out = v;
	return 0;
}

static int
waiting_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct feed_waiting *)elem)->id);
}

const struct feed_waiting *
feedstate_waiting_find(const struct feed_waiting *v, size_t n, const char *id)
{
	return n ? bsearch(id, v, n, sizeof(*v), waiting_cmp) : NULL;
}

void
feedstate_waiting_free(struct feed_waiting *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].config_url);
	}
	free(v);
}
