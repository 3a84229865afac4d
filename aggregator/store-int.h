/* SPDX-License-Identifier: MIT */
/* aggregator/store-int.h: what the store's own modules share. Only
 * aggregator/store*.c, feedstate.c, archive.c and their tests include it. */
#ifndef WD_AGGREGATOR_STORE_INT_H
#define WD_AGGREGATOR_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "aggregator/store.h"

struct store {
	sqlite3 *db;
	char err[1024];
	int64_t dedupe_window;   /* seconds: stories joined within this */
	double dedupe_threshold; /* near-duplicate similarity, 0 to 1 */
};

/* Record sqlite's current message on s (prefixed by what) and return
 * WD_EDB. */
int store_fail(struct store *s, const char *what);
/* Prepare sql, or record the error and return NULL. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql);
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
