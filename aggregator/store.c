/* SPDX-License-Identifier: MIT */
/* aggregator/store.c: open, migrate, transactions. */
#include "aggregator/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aggregator/store-int.h"
#include "aggregator/bandidx.h"
#include "core/item.h"
#include "core/xalloc.h"

/*
 * Forward migrations: migrations[i] takes the schema from version i to i+1.
 * A file written by a newer wiredesk (user_version beyond this list) is
 * refused rather than guessed at.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	("CREATE TABLE feeds ("
	" id TEXT PRIMARY KEY,"
	" config_url TEXT NOT NULL,"
	" url TEXT NOT NULL,"
	" moved_to TEXT,"
	" title TEXT,"
	" etag TEXT,"
	" last_modified TEXT,"
	" body_hash TEXT,"
	" last_status INTEGER,"
	" last_attempt INTEGER,"
	" last_success INTEGER,"
	" next_due INTEGER NOT NULL DEFAULT 0,"
	" errors INTEGER NOT NULL DEFAULT 0,"
	" first_error INTEGER,"
	" last_error TEXT,"
	" reported INTEGER NOT NULL DEFAULT 0,"
	" gone INTEGER NOT NULL DEFAULT 0,"
	" items_seen INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE stories ("
	" id INTEGER PRIMARY KEY,"
	" key TEXT NOT NULL UNIQUE,"
	" lead_item INTEGER,"
	" title TEXT,"
	" base_title TEXT,"
	" published INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" killed INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX stories_published ON stories(published);"
	"CREATE TABLE items ("
	" id INTEGER PRIMARY KEY,"
	" feed_id TEXT NOT NULL,"
	" key TEXT NOT NULL,"
	" guid TEXT,"
	" link TEXT,"
	" canon_link TEXT,"
	" title TEXT,"
	" summary TEXT,"
	" content TEXT,"
	" author TEXT,"
	" language TEXT,"
	" image TEXT,"
	" categories TEXT,"
	" published INTEGER,"
	" updated INTEGER,"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" hash TEXT,"
	" story_id INTEGER NOT NULL,"
	" reason TEXT NOT NULL DEFAULT 'new',"
	" score REAL,"
	" UNIQUE(feed_id, key));"
	"CREATE INDEX items_story ON items(story_id);"
	"CREATE INDEX items_canon ON items(canon_link);"
	"CREATE TABLE published ("
	" audience TEXT NOT NULL,"
	" story_id INTEGER NOT NULL,"
	" guid TEXT NOT NULL,"
	" published INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" PRIMARY KEY(audience, story_id));"
	"CREATE TABLE picks ("
	" audience TEXT NOT NULL,"
	" story_key TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('pick', 'block')),"
	" by TEXT,"
	" at INTEGER NOT NULL,"
	" until INTEGER,"
	" note TEXT,"
	" PRIMARY KEY(audience, story_key));"),
	/* 1 -> 2: stories across feeds (canonical links, wire versions,
	 * near duplicates through LSH band keys). */
	("ALTER TABLE items ADD COLUMN wire_key TEXT;"
	"ALTER TABLE items ADD COLUMN versioned INTEGER NOT NULL DEFAULT 0;"
	/* (versioned holds the WIREVER_F_* flags of the headline) */
	"ALTER TABLE items ADD COLUMN version INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE items ADD COLUMN kill INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE items ADD COLUMN sig BLOB;"
	"CREATE INDEX items_wire_key ON items(wire_key);"
	"CREATE TABLE bands ("
	" key INTEGER NOT NULL,"
	" item_id INTEGER NOT NULL,"
	" date INTEGER NOT NULL);"
	"CREATE INDEX bands_key ON bands(key);"
	"CREATE INDEX bands_date ON bands(date);"),
	/* 2 -> 3: repeats of a feed are also found by link. */
	"CREATE INDEX items_feed_link ON items(feed_id, link);",
	/* 3 -> 4: what the story matcher needs of each candidate. */
	("ALTER TABLE items ADD COLUMN source TEXT;"
	"ALTER TABLE items ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;"),
	/* 4 -> 5: band lookups read the index alone. */
	("DROP INDEX bands_key;"
	"CREATE INDEX bands_key ON bands(key, date, item_id);"),
	/* 5 -> 6: small facts about the state as a whole (what the last
	 * publication was made from). */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value);",
	/* 6 -> 7: what the story matcher reads of each item, in narrow rows
	 * apart from the items' content (a candidate is read in a page or
	 * two, not through the overflow pages of its HTML); and band keys of
	 * new items logged in item order, merged into the bands index in
	 * batches (random inserts into that index per feed rewrote most of
	 * its pages at every commit). */
	("CREATE TABLE matchers ("
	" id INTEGER PRIMARY KEY,"
	" story_id INTEGER NOT NULL,"
	" published INTEGER,"
	" first_seen INTEGER NOT NULL,"
	" source TEXT,"
	" wire_key TEXT,"
	" version INTEGER NOT NULL DEFAULT 0,"
	" kind INTEGER NOT NULL DEFAULT 0,"
	" kill INTEGER NOT NULL DEFAULT 0,"
	" versioned INTEGER NOT NULL DEFAULT 0,"
	" sig BLOB);"
	"INSERT INTO matchers SELECT id, story_id, published, first_seen,"
	" source, wire_key, version, kind, kill, versioned, sig FROM items;"
	"DROP INDEX items_wire_key;"
	"CREATE INDEX matchers_wire_key ON matchers(wire_key);"
	"CREATE TABLE bands_new ("
	" item_id INTEGER PRIMARY KEY,"
	" date INTEGER NOT NULL,"
	" keys BLOB NOT NULL);"),
	/* 7 -> 8: the bands index as a table of its own (WITHOUT ROWID),
	 * without its date index: a key was written to three b-trees, one
	 * of them in random order; pruning by date reads the table once. */
	("CREATE TABLE bands_v8 ("
	" key INTEGER NOT NULL,"
	" date INTEGER NOT NULL,"
	" item_id INTEGER NOT NULL,"
	" PRIMARY KEY (key, date, item_id)) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO bands_v8 SELECT key, date, item_id FROM bands;"
	"DROP TABLE bands;"
	"ALTER TABLE bands_v8 RENAME TO bands;"),
	/* 8 -> 9: what a feed says of its own schedule (RSS ttl, minutes;
	 * sy:updatePeriod, seconds), kept for the runs that get a 304. */
	("ALTER TABLE feeds ADD COLUMN ttl INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN update_period INTEGER NOT NULL "
	"DEFAULT 0;"),
	/* 9 -> 10: wire versions are looked up in the band index (under a
	 * key made from the base headline), which holds the last windows
	 * only, instead of in an index over the whole archive that took a
	 * random insert per item. The last 30 days are indexed here. */
	("DROP INDEX matchers_wire_key;"
	"INSERT OR IGNORE INTO bands (key, date, item_id) "
	"SELECT wd_wire_band(wire_key), coalesce(published, first_seen), id "
	"FROM matchers WHERE wire_key IS NOT NULL AND wire_key != '' AND "
	"coalesce(published, first_seen) >= "
	"(SELECT max(first_seen) FROM matchers) - 30 * 86400;"),
	/* 10 -> 11: a Bloom filter of the band index's keys (most keys of a
	 * new item are in no bucket: their seeks are skipped). Built from
	 * the index on first use. */
	("CREATE TABLE band_filter ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" keys INTEGER NOT NULL,"
	" stale INTEGER NOT NULL,"
	" bits BLOB NOT NULL);"),
	/* 11 -> 12: the band index is a file beside the archive
	 * (ARCHIVE-bands, aggregator/bandidx.h) derived from bands_new,
	 * which now keeps every key of the last two windows: the keys of the
	 * old index go back into it, one row an item. bands.id names the
	 * archive to its file; bands.gen its last change. */
	("INSERT OR IGNORE INTO bands_new (item_id, date, keys) "
	"SELECT item_id, max(date), wd_keys_blob(key) FROM bands "
	"GROUP BY item_id;"
	"DROP TABLE bands;"
	"DROP TABLE band_filter;"
	"INSERT OR REPLACE INTO meta (key, value) VALUES "
	"('bands.id', abs(random()) || ''), ('bands.gen', '0');"),
};

enum { SCHEMA_VERSION = sizeof(migrations) / sizeof(migrations[0]) };

int
store_fail(struct store *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", what,
		 s->db ? sqlite3_errmsg(s->db) : "no database");
	return WD_EDB;
}

sqlite3_stmt *
store_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, "prepare");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *
store_stmt(struct store *s, enum store_slot slot, const char *sql)
{
	sqlite3_stmt *st = s->stmts[slot];

	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	st = store_prepare(s, sql);
	s->stmts[slot] = st;
	return st;
}

void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void
store_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == WD_NOTIME)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

char *
store_col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? xstrdup((const char *)v) : NULL;
}

int64_t
store_col_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return WD_NOTIME;
	return sqlite3_column_int64(st, i);
}

int
store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->err, sizeof(s->err), "%s",
			 msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return WD_EDB;
	}
	return 0;
}

int
store_version(struct store *s)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA user_version");
	int v = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
migrate(struct store *s)
{
	int v = store_version(s);

	if (v < 0)
		return store_fail(s, "reading the schema version");
	if (v > SCHEMA_VERSION) {
		snprintf(s->err, sizeof(s->err),
			 "schema version %d is newer than this wiredesk "
			 "knows (%d)",
			 v, SCHEMA_VERSION);
		return WD_EDB;
	}
	for (; v < SCHEMA_VERSION; v++) {
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 v + 1);
		if (store_exec(s, "BEGIN IMMEDIATE") < 0)
			return WD_EDB;
		if (store_exec(s, migrations[v]) < 0 ||
		    store_exec(s, pragma) < 0) {
			char keep[sizeof(s->err)];

			memcpy(keep, s->err, sizeof(keep));
			store_rollback(s);
			snprintf(s->err, sizeof(s->err),
				 "migrating to version %d: %.900s", v + 1, keep);
			return WD_EDB;
		}
		if (store_exec(s, "COMMIT") < 0)
			return WD_EDB;
	}
	return 0;
}

/* Make the folder that holds path (one level) if it is missing. */
static void
make_parent(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return;
	char *dir = xstrndup(path, (size_t)(slash - path));

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		/* sqlite3_open_v2 reports the real error below. */
	}
	free(dir);
}

int
store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof(*s));

	*out = NULL;
	make_parent(path);
	/* NOMUTEX: a store is used by one thread at a time. */
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "cannot open");
		store_close(s);
		return WD_EDB;
	}
	s->dedupe_window = 72 * 3600;
	s->dedupe_threshold = 0.6;
	sqlite3_busy_timeout(s->db, 10000);
	if (stories_register(s) < 0) {
		snprintf(err, errlen, "%s: %s", path, s->err);
		store_close(s);
		return WD_EDB;
	}
	if (store_exec(s, "PRAGMA journal_mode = WAL") < 0 ||
	    store_exec(s, "PRAGMA synchronous = NORMAL") < 0 ||
	    store_exec(s, "PRAGMA cache_size = -8192") < 0 ||
	    migrate(s) < 0) {
		snprintf(err, errlen, "%s: %s", path, s->err);
		store_close(s);
		return WD_EDB;
	}
	*out = s;
	return 0;
}

const char *
store_errmsg(const struct store *s)
{
	return s->err;
}

int
store_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE");
}

int
store_commit(struct store *s)
{
	if (stories_committing(s) < 0 || store_exec(s, "COMMIT") < 0)
		return WD_EDB;
	stories_committed(s);
	return 0;
}

void
store_rollback(struct store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	stories_rolled_back(s);
}

int
store_meta_get(struct store *s, const char *key, char *out, size_t outlen)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT value FROM meta WHERE key = ?1");

	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, key);
	int rc = sqlite3_step(st), found = 0;

	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		snprintf(out, outlen, "%s", v ? v : "");
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "reading meta");
	return found;
}

int
store_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = store_prepare(
		s, value ? "INSERT OR REPLACE INTO meta (key, value) "
			   "VALUES (?1, ?2)"
			 : "DELETE FROM meta WHERE key = ?1");

	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, key);
	if (value)
		store_bind_text(st, 2, value);
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "writing meta");
}

void
store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STMT_NSLOTS; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_close(s->db);
	bandidx_close(s->bands);
	free(s->counts);
	free(s);
}
