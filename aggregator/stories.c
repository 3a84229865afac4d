/* SPDX-License-Identifier: MIT */
/* aggregator/stories.c: folding items into stories, in the store. */
#include "aggregator/stories.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/bandidx.h"
#include "aggregator/simdup.h"
#include "aggregator/store-int.h"
#include "aggregator/storymatch.h"
#include "aggregator/wirever.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "feeds/canon.h"

/* LSH work per new item at most: entries read under each band key (the
 * newest: a key that more items share is a common pair of words, and its
 * newest entries stand for it) and in all, and candidates read and
 * weighed; index entries read and items weighed under a wire key.
 * MAX_CANDIDATES: bench/story-dense keeps its recall with 4 at 10,000 and
 * 20,000 distractors a day (and loses two pairs with 2); each candidate
 * more is a read and a weighing for every new item. */
enum {
	KEY_ROWS = 16,
	BAND_ROWS = SIMDUP_BANDS * KEY_ROWS,
	MAX_CANDIDATES = 4,
	WIRE_ROWS = 512,
	WIRE_CANDIDATES = 50,
	LEAD_MAX = 600
};

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

/*
 * Wire versions are found through the band index too: an item with a base
 * headline (wire_key) is indexed under one more key made from it, so that
 * the lookup reads the last windows only. A hash collision with another
 * headline only brings a candidate that storymatch weighs as any other.
 */
static uint64_t
wire_band(const char *wire_key)
{
	static const char domain[] = "wire-key:";

	return wd_fnv1a(wd_fnv1a(WD_FNV_SEED, domain, sizeof(domain) - 1),
			wire_key, strlen(wire_key));
}

static void
sql_wire_band(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *key = sqlite3_value_text(argv[0]);

	(void)argc;
	if (!key)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx,
				     (int64_t)wire_band((const char *)key));
}

/* Keys as bands_new stores them: 8 bytes each, little-endian. */
static void
keys_to_blob(const uint64_t *keys, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			*out++ = (unsigned char)(keys[i] >> (8 * b));
}

/* wd_keys_blob(key): an item's band keys gathered into one bands_new
 * blob (the migration that retired the bands table). */
static void
sql_keys_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct buf **acc = sqlite3_aggregate_context(ctx, sizeof(*acc));
	uint64_t key = (uint64_t)sqlite3_value_int64(argv[0]);
	unsigned char b[8];

	(void)argc;
	if (!acc)
		return;
	if (!*acc) {
		*acc = xmalloc(sizeof(**acc));
		buf_init(*acc, 64 * 8);
	}
	keys_to_blob(&key, 1, b);
	buf_append(*acc, (const char *)b, sizeof(b));
}

static void
sql_keys_final(sqlite3_context *ctx)
{
	struct buf **acc = sqlite3_aggregate_context(ctx, 0);

	if (!acc || !*acc) {
		sqlite3_result_zeroblob(ctx, 0);
		return;
	}
	sqlite3_result_blob(ctx, (*acc)->data, (int)(*acc)->len,
			    SQLITE_TRANSIENT);
	buf_free(*acc);
	free(*acc);
}

int
stories_register(struct store *s)
{
	if (sqlite3_create_function(s->db, "wd_wire_band", 1,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sql_wire_band, NULL,
				    NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "wd_keys_blob", 1, SQLITE_UTF8,
				    NULL, NULL, sql_keys_step,
				    sql_keys_final) != SQLITE_OK)
		return store_fail(s, "registering functions");
	return 0;
}

/* Story of the first item with this canonical link, or 0. */
static int
lookup_link(struct store *s, const char *canon, int64_t *story)
{
	sqlite3_stmt *st = store_stmt(
		s, STMT_LOOKUP_LINK,
		"SELECT story_id FROM matchers WHERE id = (SELECT id FROM "
		"items WHERE canon_link = ?1 ORDER BY id LIMIT 1)");

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
	"m.sig, m.story_id, m.source, coalesce(m.published, m.first_seen), " \
	"m.wire_key, m.version, m.kind, m.kill, m.versioned "

/*
 * ---- the band index -----------------------------------------------------
 *
 * bands_new holds the band keys of every item of the last two windows, one
 * row an item, written in the item's transaction: that is the durable copy.
 * Lookups read a file beside the archive (bandidx.h) that is derived from
 * it. The archive's meta table names the file it trusts: bands.id (the
 * archive's own random id) and bands.gen (a new random value in every
 * transaction that changes band keys). The file carries the same two
 * values once sealed, and is marked dirty while a transaction changes it;
 * a file that is missing, damaged, dirty (a killed run, a rollback), of
 * another archive or generation, or written before the last boot is built
 * again from bands_new.
 */

static int
data_version(struct store *s, int64_t *v)
{
	sqlite3_stmt *st =
		store_stmt(s, STMT_DATA_VERSION, "PRAGMA data_version");

	if (!st)
		return WD_EDB;
	int rc = sqlite3_step(st);

	*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, "reading the data version");
}

/* Make s->bands a trusted index of bands_new: opened on first use, and
 * again after another connection's commit. */
static int
bands_ready(struct store *s)
{
	int64_t v = 0;

	/* In a transaction that changed keys no other connection commits. */
	if (s->bands && s->bands_txn)
		return 0;
	if (s->bands) {
		if (data_version(s, &v) < 0)
			return WD_EDB;
		if (v == s->bands_dataver)
			return 0;
	}
	struct bandidx_stamp stamp = {0, 0};
	char val[32];
	int rc = store_meta_get(s, "bands.id", val, sizeof(val));

	if (rc == 1)
		stamp.db_id = strtoull(val, NULL, 10);
	if (rc >= 0)
		rc = store_meta_get(s, "bands.gen", val, sizeof(val));
	if (rc == 1)
		stamp.gen = strtoull(val, NULL, 10);
	if (rc < 0)
		return WD_EDB;
	s->bands_id = stamp.db_id;
	bandidx_close(s->bands);
	s->bands = NULL;
	const char *db = sqlite3_db_filename(s->db, "main");
	char *path = NULL;

	if (db && *db) {
		size_t len = strlen(db) + 8;

		path = xmalloc(len);
		snprintf(path, len, "%s-bands", db);
	}
	rc = bandidx_open(path, &stamp, &s->bands, s->err, sizeof(s->err));
	free(path);
	if (rc == 1) {
		/* a new file: fill it from bands_new */
		sqlite3_stmt *st =
			store_prepare(s, "SELECT item_id, date, keys FROM "
					 "bands_new");

		if (!st)
			return WD_EDB;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t item = sqlite3_column_int64(st, 0);
			int64_t date = sqlite3_column_int64(st, 1);
			const unsigned char *p = sqlite3_column_blob(st, 2);
			int len = sqlite3_column_bytes(st, 2);

			for (int i = 0; p && i + 8 <= len; i += 8) {
				uint64_t k = 0;

				for (int j = 7; j >= 0; j--)
					k = k << 8 | p[i + j];
				if (bandidx_add(s->bands, k, item, date) < 0) {
					sqlite3_finalize(st);
					goto fail;
				}
			}
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "reading band keys");
		/* What was read is the committed state (no key has changed
		 * in this transaction: s->bands_txn is false). */
		rc = bandidx_seal(s->bands, &stamp);
		if (rc < 0)
			goto fail;
	} else if (rc < 0) {
		return WD_EDB; /* s->err names the file */
	}
	if (data_version(s, &s->bands_dataver) < 0)
		return WD_EDB;
	return 0;
fail:
	snprintf(s->err, sizeof(s->err), "%s", bandidx_errmsg(s->bands));
	bandidx_close(s->bands);
	s->bands = NULL;
	return WD_EDB;
}

/* The band file failed: a failure of the store (WD_EDB: the transaction
 * is rolled back) with the file's message. */
static int
bands_fail(struct store *s)
{
	snprintf(s->err, sizeof(s->err), "%s", bandidx_errmsg(s->bands));
	return WD_EDB;
}

/* A new random generation of band keys in meta (as text: kept under
 * 2^63 for SQL). */
static int
new_generation(struct store *s, uint64_t *gen)
{
	char val[32];

	sqlite3_randomness(sizeof(*gen), gen);
	*gen >>= 1;
	snprintf(val, sizeof(val), "%llu", (unsigned long long)*gen);
	return store_meta_set(s, "bands.gen", val);
}

/* Before band keys change in this transaction: the file ready, a new
 * generation in meta, the file marked dirty until stories_committed()
 * seals it with it. */
static int
bands_change(struct store *s)
{
	int rc = bands_ready(s);

	if (rc < 0 || s->bands_txn)
		return rc;
	uint64_t gen;

	if (new_generation(s, &gen) < 0)
		return WD_EDB;
	if (bandidx_begin(s->bands) < 0)
		return bands_fail(s);
	s->bands_txn = true;
	s->bands_gen = gen;
	return 0;
}

int
stories_committing(struct store *s)
{
	if (s->bands_txn && s->bands && bandidx_settle(s->bands) < 0)
		return bands_fail(s);
	return 0;
}

void
stories_committed(struct store *s)
{
	if (!s->bands_txn)
		return;
	struct bandidx_stamp stamp = {s->bands_id, s->bands_gen};

	s->bands_txn = false;
	if (bandidx_seal(s->bands, &stamp) < 0) {
		bandidx_close(s->bands);
		s->bands = NULL;
	}
}

void
stories_rolled_back(struct store *s)
{
	/* the file holds keys the archive no longer has: it stays dirty on
	 * disk and is built again on next use */
	s->bands_txn = false;
	bandidx_close(s->bands);
	s->bands = NULL;
}

int
stories_forget_bands(struct store *s)
{
	uint64_t gen;

	s->bands_txn = false;
	bandidx_close(s->bands);
	s->bands = NULL;
	return new_generation(s, &gen);
}

/* After a statement that changed band keys outside a transaction (each
 * statement committed on its own). */
static void
bands_maybe_committed(struct store *s)
{
	if (sqlite3_get_autocommit(s->db))
		stories_committed(s);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Items counted in one lookup: a table of band_count (a power of two,
 * open addressing) and the slots in use, cleared after the lookup. */
enum { TABLE = 2 * BAND_ROWS };
struct shared {
	struct band_count *slot;
	uint16_t used[BAND_ROWS];
	size_t nused;
};

static uint32_t
slot_of(int64_t item)
{
	uint64_t h = (uint64_t)item * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32);
}

static void
count_item(struct shared *t, int64_t item)
{
	uint32_t h = slot_of(item) & (TABLE - 1);

	while (t->slot[h].n && t->slot[h].item != item)
		h = (h + 1) & (TABLE - 1);
	if (!t->slot[h].n) {
		t->slot[h].item = item;
		t->used[t->nused++] = (uint16_t)h;
	}
	t->slot[h].n++;
}

/*
 * Count, per item, the band keys it shares with keys[]: for each key, the
 * newest KEY_ROWS entries dated at or after since, and BAND_ROWS entries
 * in all at most.
 */
static int
count_shared(struct store *s, const uint64_t *bands, size_t nbands,
	     int64_t since, struct shared *table)
{
	int64_t keys[SIMDUP_BANDS];
	struct bandidx_hit hits[KEY_ROWS];
	size_t nkeys = 0, left = BAND_ROWS;
	int rc = bands_ready(s);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nbands && i < SIMDUP_BANDS; i++)
		keys[nkeys++] = (int64_t)bands[i];
	qsort(keys, nkeys, sizeof(keys[0]), cmp_i64);
	for (size_t k = 0; k < nkeys; k++)
		bandidx_prefetch(s->bands, (uint64_t)keys[k]);
	for (size_t k = 0; k < nkeys && left; k++) {
		if (k && keys[k] == keys[k - 1])
			continue;
		int n = bandidx_get(s->bands, (uint64_t)keys[k], since,
				    INT64_MAX, hits,
				    KEY_ROWS < left ? KEY_ROWS : left);

		if (n < 0)
			return bands_fail(s);
		for (int i = 0; i < n; i++)
			count_item(table, hits[i].item);
		left -= (size_t)n;
	}
	return 0;
}

/* x ranks before y: more shared keys, then the later item. */
static bool
ranks_before(const struct band_count *x, const struct band_count *y)
{
	if (x->n != y->n)
		return x->n > y->n;
	return x->item > y->item;
}

/* Weigh the item id as a candidate (its matcher row). */
static int
weigh_item(struct store *s, int64_t id, const struct storymatch_item *me,
	   struct best *b)
{
	sqlite3_stmt *st = store_stmt(
		s, STMT_CANDIDATE,
		"SELECT " CANDIDATE_COLS "FROM matchers m WHERE m.id = ?1");

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, id);
	int rc = weigh_candidates(s, st, me, b);

	sqlite3_reset(st);
	return rc;
}

/*
 * LSH candidates: items in the window that share band keys with the new
 * item, read from the band index alone (at most BAND_ROWS entries), ranked
 * by how many keys they share (which grows with their similarity), and only
 * the best MAX_CANDIDATES of them read and weighed, best first. The cost of
 * a lookup is bounded whatever the size of the archive or of a bucket.
 */
static int
weigh_band_candidates(struct store *s, const struct storymatch_item *me,
		      const struct story_join *j, int64_t date, struct best *b)
{
	struct shared table;
	struct band_count top[MAX_CANDIDATES];
	size_t ntop = 0;

	if (!s->counts)
		s->counts = xcalloc(TABLE, sizeof(*s->counts));
	table.slot = s->counts;
	table.nused = 0;
	int rc = count_shared(s, j->bands, j->nbands, date - s->dedupe_window,
			      &table);

	for (size_t i = 0; i < table.nused; i++) {
		struct band_count *c = &table.slot[table.used[i]];

		if (rc == 0 && (ntop < MAX_CANDIDATES ||
				ranks_before(c, &top[ntop - 1]))) {
			size_t k = ntop < MAX_CANDIDATES ? ntop++ : ntop - 1;

			while (k > 0 && ranks_before(c, &top[k - 1])) {
				top[k] = top[k - 1];
				k--;
			}
			top[k] = *c;
		}
		c->n = 0;
	}
	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < ntop; i++)
		rc = weigh_item(s, top[i].item, me, b);
	return rc;
}

/*
 * Items under the wire key of the new item, dated within the window around
 * date (the newest WIRE_ROWS; the index keeps BANDIDX_KEY_CAP of a key),
 * weighed in the order they were stored, the first WIRE_CANDIDATES.
 */
static int
weigh_wire_candidates(struct store *s, const struct storymatch_item *me,
		      uint64_t key, int64_t date, struct best *b)
{
	struct bandidx_hit hits[WIRE_ROWS];
	int64_t ids[WIRE_ROWS];
	int rc = bands_ready(s);

	if (rc < 0)
		return rc;
	int n = bandidx_get(s->bands, key, date - s->dedupe_window,
			    date + s->dedupe_window, hits, WIRE_ROWS);

	if (n < 0)
		return bands_fail(s);
	for (int i = 0; i < n; i++)
		ids[i] = hits[i].item;
	qsort(ids, (size_t)n, sizeof(*ids), cmp_i64);
	for (int i = 0; rc == 0 && i < n && i < WIRE_CANDIDATES; i++)
		rc = weigh_item(s, ids[i], me, b);
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
		rc = weigh_wire_candidates(s, me, wire_band(j->wire_key),
					   date, b);
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
				"(SELECT story_id FROM matchers WHERE id = "
				"?1)");
		if (!st)
			return WD_EDB;
		sqlite3_bind_int64(st, 1, item_id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "withdrawing a story");
	}
	if (date < now - s->dedupe_window)
		return 0;
	uint64_t keys[SIMDUP_BANDS + 1];
	size_t n = 0;

	if (!j->kill) {
		n = j->nbands < SIMDUP_BANDS ? j->nbands : SIMDUP_BANDS;
		memcpy(keys, j->bands, n * sizeof(keys[0]));
	}
	if (j->wire_key)
		keys[n++] = wire_band(j->wire_key);
	if (!n)
		return 0;
	rc = bands_change(s);
	if (rc < 0)
		return rc;
	unsigned char blob[sizeof(keys)];

	keys_to_blob(keys, n, blob);
	st = store_stmt(s, STMT_PENDING_ADD,
			"INSERT INTO bands_new (item_id, date, keys) VALUES "
			"(?1, ?2, ?3)");
	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_int64(st, 2, date);
	sqlite3_bind_blob(st, 3, blob, (int)(n * 8), SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "indexing band keys");
	for (size_t i = 0; i < n; i++)
		bandidx_prefetch(s->bands, keys[i]);
	for (size_t i = 0; i < n; i++)
		if (bandidx_add(s->bands, keys[i], item_id, date) < 0)
			return bands_fail(s);
	bands_maybe_committed(s);
	return 0;
}

int
stories_merge_bands(struct store *s)
{
	int rc = bands_ready(s);

	if (rc == 0 && bandidx_merge(s->bands) < 0)
		rc = bands_fail(s);
	return rc;
}

/* Drop the band keys dated before cutoff, in the caller's transaction
 * (bands_new is read whole: it holds about two windows, and a date index
 * would cost a write an item). */
static int
drop_old_bands(struct store *s, int64_t cutoff)
{
	int rc = bands_change(s);

	if (rc < 0)
		return rc;
	sqlite3_stmt *st =
		store_prepare(s, "DELETE FROM bands_new WHERE date < ?1");

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, cutoff);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "pruning band keys");
	bandidx_forget_before(s->bands, cutoff);
	return 0;
}

int
stories_prune_bands(struct store *s, int64_t now)
{
	char last[32];
	int rc = store_meta_get(s, "bands.pruned", last, sizeof(last));

	if (rc < 0)
		return WD_EDB;
	if (rc == 1) {
		char *end;
		long long t = strtoll(last, &end, 10);

		if (!*end && t <= now && now - t < s->dedupe_window / 2)
			return 0;
	}
	/* Keep two windows: an item may be dated up to a window before
	 * another that it joins. In a transaction, as every change of the
	 * band file is: no other connection merges it meanwhile. */
	if (store_begin(s) < 0)
		return WD_EDB;
	snprintf(last, sizeof(last), "%lld", (long long)now);
	if (drop_old_bands(s, now - 2 * s->dedupe_window) < 0 ||
	    store_meta_set(s, "bands.pruned", last) < 0 ||
	    store_commit(s) < 0) {
		store_rollback(s);
		return WD_EDB;
	}
	return 0;
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
