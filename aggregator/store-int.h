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
	STMT_WIRE_ITEMS,
	STMT_CANDIDATE,
	STMT_BANDS,
	STMT_KILL_STORY,
	STMT_INSERT_BAND,
	STMT_INSERT_BANDS,
	STMT_INSERT_MATCHER,
	STMT_DATE_MATCHER,
	STMT_PENDING_ADD,
	STMT_DATA_VERSION,
	STMT_FILTER_LOAD,
	STMT_FEED_LOAD,
	STMT_FEED_SAVE,
	STMT_NSLOTS
};

/* A band key of an item not yet merged into the bands index (stories.c:
 * the durable copy is a row of bands_new). */
struct band_pending {
	int64_t key, date, item;
	uint32_t next; /* 1 + index of the next entry in its chain, or 0 */
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
	/* Band keys of the items in bands_new (stories.c), hashed by key:
	 * heads[key slot] is 1 + the index of its newest entry, or 0. */
	struct band_pending *pend;
	size_t npend, cappend;
	uint32_t *heads;
	size_t nheads;       /* a power of two, or 0 */
	uint64_t *pend_bits; /* PEND_BITS bits, one set for each key in pend:
				most keys of a lookup are in none, and this
				says so without touching heads */
	bool pend_loaded;    /* pend mirrors bands_new */
	struct band_count *counts; /* stories.c's lookup table, all zero
				      between lookups */
	int64_t pend_dataver; /* PRAGMA data_version when loaded */
	/* A Bloom filter of the keys in the bands index (stories.c), so that
	 * a lookup seeks only the keys the index may hold; a copy of the row
	 * of band_filter. filter_bits is a power of two, or 0. */
	uint64_t *filter;
	size_t filter_bits;
	int64_t filter_keys;  /* keys set since it was built */
	int64_t filter_stale; /* keys pruned since it was built */
	bool filter_loaded;
	int64_t filter_dataver;
	int64_t dedupe_window;   /* seconds: stories joined within this */
	double dedupe_threshold; /* near-duplicate similarity, 0 to 1 */
};

/* Register the SQL functions the migrations use (stories.c):
 * wd_wire_band(wire_key), the band key of a base headline. */
int stories_register(struct store *s);
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
