/* SPDX-License-Identifier: MIT */
/* aggregator/store-int.h: what the store's own modules share. Only
 * aggregator/store*.c, feedstate.c, archive.c and their tests include it. */
#ifndef WD_AGGREGATOR_STORE_INT_H
#define WD_AGGREGATOR_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "aggregator/store.h"

/* Statements kept prepared for the life of the store (store_stmt): the
 * ones ingest runs for every item, and a run for every feed. */
enum store_slot {
	STMT_FIND_KEY,
	STMT_FIND_LINK,
	STMT_NEW_STORY,
	STMT_TOUCH_STORY,
	STMT_SEEN_ITEM,
	STMT_UPDATE_ITEM,
	STMT_INSERT_ITEM,
	STMT_LOOKUP_LINK,
	STMT_CANDIDATE,
	STMT_KILL_STORY,
	STMT_INSERT_MATCHER,
	STMT_DATE_MATCHER,
	STMT_PENDING_ADD,
	STMT_DATA_VERSION,
	STMT_FEED_LOAD,
	STMT_FEED_SAVE,
	STMT_NSLOTS
};

/* Band keys an earlier item shares with a new one (stories.c). */
struct band_count {
	int64_t item;
	int n;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmts[STMT_NSLOTS];
	char err[1024];
	struct band_count *counts; /* stories.c's lookup table, all zero
				      between lookups */
	/* The band index file (stories.c, bandidx.h), opened on first use:
	 * bands_dataver is PRAGMA data_version when it was last found
	 * trusted, bands_id the archive's id as read then; bands_txn says
	 * this transaction changed band keys, under the new generation
	 * bands_gen. */
	struct bandidx *bands;
	int64_t bands_dataver;
	uint64_t bands_id, bands_gen;
	bool bands_txn;
	int64_t dedupe_window;   /* seconds: stories joined within this */
	double dedupe_threshold; /* near-duplicate similarity, 0 to 1 */
};

/* Register the SQL functions the migrations use (stories.c):
 * wd_wire_band(wire_key), the band key of a base headline, and the
 * aggregate wd_keys_blob(key), keys as a bands_new blob. */
int stories_register(struct store *s);
/* A transaction is about to commit (stories.c): the band index's merge
 * that runs in the background, if any, is waited for; its failure fails
 * the commit (the caller rolls back). */
int stories_committing(struct store *s);
/* A transaction committed (stories.c): the band index is sealed with the
 * generation it wrote. */
void stories_committed(struct store *s);
/* A transaction rolled back: the band index is built again on next use. */
void stories_rolled_back(struct store *s);
/* bands_new was changed by other means (archive.c's prune): a new
 * generation, so that the band index is built again on next use. */
int stories_forget_bands(struct store *s);
/* Record sqlite's current message on s (prefixed by what) and return
 * WD_EDB. */
int store_fail(struct store *s, const char *what);
/* Prepare sql, or record the error and return NULL. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql);
/* The statement of slot, prepared from sql on first use and kept until
 * store_close (never finalize it); bindings cleared. Reset it when done
 * (sqlite3_reset), so that it holds no read open. NULL on error. */
sqlite3_stmt *store_stmt(struct store *s, enum store_slot slot,
			 const char *sql);
/* Bind a string, or NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Bind a time, or NULL for WD_NOTIME. */
void store_bind_time(sqlite3_stmt *st, int i, int64_t t);
/* Column as a malloc'd string (NULL for SQL NULL). */
char *store_col_strdup(sqlite3_stmt *st, int i);
/* Column as a time (WD_NOTIME for SQL NULL). */
int64_t store_col_time(sqlite3_stmt *st, int i);
/* Run one statement without results. */
int store_exec(struct store *s, const char *sql);

#endif
