/* SPDX-License-Identifier: MIT */
/* aggregator/stories.c: folding items into stories, in the store. */
#include "aggregator/stories.h"

#include <stdio.h>
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

/* LSH work per new item at most: entries read under each band key (the
 * newest: a key that more items share is a common pair of words, and its
 * newest entries stand for it) and in all, and candidates read and
 * weighed; index entries read and items weighed under a wire key.
 * PENDING_MAX: band keys of new items kept in bands_new (and in memory)
 * before they are merged into the bands index. */
enum {
	KEY_ROWS = 16,
	BAND_ROWS = SIMDUP_BANDS * KEY_ROWS,
	MAX_CANDIDATES = 8,
	WIRE_ROWS = 512,
	WIRE_CANDIDATES = 50,
	LEAD_MAX = 600,
	PENDING_MAX = 1 << 18
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

int
stories_register(struct store *s)
{
	if (sqlite3_create_function(s->db, "wd_wire_band", 1,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sql_wire_band, NULL,
				    NULL) != SQLITE_OK)
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
 * Band keys are random, so inserting an item's 64 keys into the bands
 * index dirties 64 of its pages, and a feed's transaction wrote most of the
 * index again at each commit. New items' keys are therefore logged in item
 * order (one bands_new row per item, in the item's transaction, so a killed
 * run loses none) and kept in memory hashed by key; every PENDING_MAX keys,
 * and before pruning, they are merged into the index sorted by key. A
 * lookup reads the index and the pending keys as one: the rows it sees are
 * those the index alone would hold had every key been inserted at once.
 * (bands is keyed by (key, date, item_id): an item whose two bands hashed
 * to one 64-bit key would count once, not twice.)
 */

static uint32_t
key_slot(int64_t key, size_t nheads)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)((h >> 32) & (nheads - 1));
}

/* The bit of key in pend_bits: 16 bits a key when pend is full, so that
 * a key in none is told by one read of 512 KiB (one in 16 is not). */
enum { PEND_BITS = 16 * PENDING_MAX };

static uint32_t
pend_bit(int64_t key)
{
	uint64_t h = (uint64_t)key * 0xc2b2ae3d27d4eb4fULL;

	return (uint32_t)(h >> 40) & (PEND_BITS - 1);
}

static bool
pending_may_have(const struct store *s, int64_t key)
{
	uint32_t b = pend_bit(key);

	return s->npend && (s->pend_bits[b / 64] >> (b % 64) & 1);
}

static void
pending_clear(struct store *s)
{
	s->npend = 0;
	if (s->heads)
		memset(s->heads, 0, s->nheads * sizeof(*s->heads));
	if (s->pend_bits)
		memset(s->pend_bits, 0, PEND_BITS / 8);
}

static void
pending_add(struct store *s, int64_t key, int64_t date, int64_t item)
{
	if (!s->heads) {
		s->nheads = 2 * (size_t)PENDING_MAX;
		s->heads = xcalloc(s->nheads, sizeof(*s->heads));
		s->pend_bits = xcalloc(PEND_BITS / 64, sizeof(uint64_t));
	}
	if (s->npend == s->cappend) {
		s->cappend = s->cappend ? s->cappend * 2 : 4096;
		s->pend = xreallocarray(s->pend, s->cappend, sizeof(*s->pend));
	}
	uint32_t h = key_slot(key, s->nheads);
	struct band_pending *e = &s->pend[s->npend];

	e->key = key;
	e->date = date;
	e->item = item;
	e->next = s->heads[h];
	s->heads[h] = (uint32_t)++s->npend;
	uint32_t b = pend_bit(key);

	s->pend_bits[b / 64] |= 1ULL << (b % 64);
}

static void
keys_to_blob(const uint64_t *keys, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		for (int b = 0; b < 8; b++)
			out[i * 8 + (size_t)b] =
				(unsigned char)(keys[i] >> (8 * b));
	}
}

static int
data_version(struct store *s, int64_t *v)
{
	sqlite3_stmt *st =
		store_stmt(s, STMT_DATA_VERSION, "PRAGMA data_version");

	if (!st)
		return WD_EDB;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, "reading the data version");
}

/* Make the pending keys mirror bands_new (v: the data version now). */
static int
pending_reload(struct store *s, int64_t v)
{
	pending_clear(s);
	sqlite3_stmt *st = store_prepare(
		s, "SELECT item_id, date, keys FROM bands_new ORDER BY "
		   "item_id");

	if (!st)
		return WD_EDB;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t item = sqlite3_column_int64(st, 0);
		int64_t date = sqlite3_column_int64(st, 1);
		const unsigned char *p = sqlite3_column_blob(st, 2);
		size_t n = (size_t)sqlite3_column_bytes(st, 2) / 8;

		for (size_t i = 0; i < n; i++) {
			uint64_t k = 0;

			for (int b = 7; b >= 0; b--)
				k = k << 8 | p[i * 8 + (size_t)b];
			pending_add(s, (int64_t)k, date, item);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "reading new band keys");
	s->pend_loaded = true;
	s->pend_dataver = v;
	return 0;
}

/*
 * ---- the band filter ----------------------------------------------------
 *
 * Four keys in five of a new item are in no bucket of the index; the
 * filter (three bits a key, 5 to 16 bits a key in all) lets a lookup skip
 * their seeks. Every key of the bands table has its bits set: the filter
 * is built from the table when it is missing or too full, and the keys
 * merged into the table set theirs in the same savepoint. Pruned keys leave
 * their bits (a false positive costs one seek, never a candidate); it is
 * built again once half its keys are gone. Saved little-endian in
 * band_filter.
 */
enum {
	FILTER_MIN_BITS = 1 << 16,
	FILTER_BITS_PER_KEY = 8, /* when built: 8 to 16 bits a key */
	FILTER_FULL = 5          /* built again under 5 bits a key */
};

static void
filter_pos(uint64_t key, size_t bits, size_t pos[3])
{
	uint64_t g = (key ^ (key >> 29)) * 0xbf58476d1ce4e5b9ULL;

	g = (g ^ (g >> 32)) | 1;
	for (int i = 0; i < 3; i++)
		pos[i] = (size_t)((key + (uint64_t)i * g) & (bits - 1));
}

static void
filter_set(struct store *s, uint64_t key)
{
	size_t pos[3];

	filter_pos(key, s->filter_bits, pos);
	for (int i = 0; i < 3; i++)
		s->filter[pos[i] / 64] |= 1ULL << (pos[i] % 64);
}

static bool
filter_has(const struct store *s, uint64_t key)
{
	size_t pos[3];

	filter_pos(key, s->filter_bits, pos);
	for (int i = 0; i < 3; i++)
		if (!(s->filter[pos[i] / 64] & (1ULL << (pos[i] % 64))))
			return false;
	return true;
}

static bool
little_endian(void)
{
	const uint16_t one = 1;
	unsigned char first;

	memcpy(&first, &one, 1);
	return first == 1;
}

static int
filter_save(struct store *s)
{
	size_t n = s->filter_bits / 8;
	unsigned char *blob = NULL;
	const void *bytes = s->filter;

	if (!little_endian()) {
		blob = xmalloc(n);
		for (size_t w = 0; w < s->filter_bits / 64; w++)
			for (int b = 0; b < 8; b++)
				blob[w * 8 + (size_t)b] = (unsigned char)(
					s->filter[w] >> (8 * b));
		bytes = blob;
	}
	sqlite3_stmt *st = store_prepare(
		s, "INSERT OR REPLACE INTO band_filter (id, keys, stale, bits) "
		   "VALUES (1, ?1, ?2, ?3)");
	int rc = WD_EDB;

	if (st) {
		sqlite3_bind_int64(st, 1, s->filter_keys);
		sqlite3_bind_int64(st, 2, s->filter_stale);
		sqlite3_bind_blob64(st, 3, bytes, n, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE
			     ? 0
			     : store_fail(s, "saving the band filter");
		sqlite3_finalize(st);
	}
	free(blob);
	return rc;
}

/* Build the filter from the bands table, sized for it, and save it. */
static int
filter_build(struct store *s)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM bands");
	int64_t n = 0;

	if (!st)
		return WD_EDB;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	size_t bits = FILTER_MIN_BITS;

	while ((int64_t)bits < n * FILTER_BITS_PER_KEY)
		bits *= 2;
	free(s->filter);
	s->filter = xcalloc(bits / 64, sizeof(uint64_t));
	s->filter_bits = bits;
	s->filter_keys = 0;
	s->filter_stale = 0;
	st = store_prepare(s, "SELECT key FROM bands");
	if (!st)
		return WD_EDB;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		filter_set(s, (uint64_t)sqlite3_column_int64(st, 0));
		s->filter_keys++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "reading band keys");
	return filter_save(s);
}

/* Make the filter mirror band_filter (build it if there is none; v: the
 * data version now). */
static int
filter_reload(struct store *s, int64_t v)
{
	sqlite3_stmt *st = store_stmt(
		s, STMT_FILTER_LOAD,
		"SELECT keys, stale, bits FROM band_filter WHERE id = 1");

	if (!st)
		return WD_EDB;
	int rc = sqlite3_step(st);
	size_t n = rc == SQLITE_ROW ? (size_t)sqlite3_column_bytes(st, 2) : 0;

	if (rc == SQLITE_ROW && n >= FILTER_MIN_BITS / 8 && !(n & (n - 1))) {
		const unsigned char *p = sqlite3_column_blob(st, 2);

		free(s->filter);
		s->filter_bits = n * 8;
		s->filter = xcalloc(n / 8, sizeof(uint64_t));
		if (little_endian()) {
			memcpy(s->filter, p, n);
		} else {
			for (size_t w = 0; w < n / 8; w++)
				for (int b = 7; b >= 0; b--)
					s->filter[w] = s->filter[w] << 8 |
						       p[w * 8 + (size_t)b];
		}
		s->filter_keys = sqlite3_column_int64(st, 0);
		s->filter_stale = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
	} else {
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_fail(s, "reading the band filter");
		if (filter_build(s) < 0)
			return WD_EDB;
	}
	s->filter_loaded = true;
	s->filter_dataver = v;
	return 0;
}

/* Make the pending keys and the filter mirror the store: read them again
 * after a rollback, a prune, or another connection's commit. */
static int
bands_sync(struct store *s)
{
	int64_t v = 0;

	if (data_version(s, &v) < 0)
		return WD_EDB;
	if (!(s->pend_loaded && v == s->pend_dataver) &&
	    pending_reload(s, v) < 0)
		return WD_EDB;
	if (!(s->filter_loaded && v == s->filter_dataver) &&
	    filter_reload(s, v) < 0)
		return WD_EDB;
	return 0;
}

/* The order SQLite gives int64 keys, as unsigned numbers. */
static uint64_t
key_order(int64_t key)
{
	return (uint64_t)key ^ (1ULL << 63);
}

/*
 * Sort v[0..n) by key (as SQLite orders them), keeping the entries of one
 * key in the order they were added: a stable radix sort, 16 bits at a time
 * (qsort, comparing, cost about a tenth of a merge more).
 * The order within a key does not matter to the index; only locality.
 */
static void
sort_by_key(struct band_pending *v, size_t n)
{
	enum { DIGITS = 4, RADIX = 1 << 16 };
	size_t *count = xcalloc((size_t)DIGITS * RADIX, sizeof(size_t));
	struct band_pending *tmp = xreallocarray(NULL, n, sizeof(*tmp));
	struct band_pending *from = v, *to = tmp;

	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_order(v[i].key);

		for (int d = 0; d < DIGITS; d++)
			count[(size_t)d * RADIX + ((k >> (16 * d)) & 0xffff)]++;
	}
	for (int d = 0; d < DIGITS; d++) {
		size_t *c = count + (size_t)d * RADIX, sum = 0;

		if (n && c[(key_order(v[0].key) >> (16 * d)) & 0xffff] == n)
			continue; /* every key has this digit */
		for (size_t r = 0; r < RADIX; r++) {
			size_t k = c[r];

			c[r] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			to[c[(key_order(from[i].key) >> (16 * d)) & 0xffff]++] =
				from[i];
		struct band_pending *t = from;

		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
	free(tmp);
	free(count);
}

/* FLUSH_ROWS rows of (key, item_id, date) in one statement. */
enum { FLUSH_ROWS = 32 };
#define ROWS4 "(?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?)"
#define ROWS16 ROWS4 ", " ROWS4 ", " ROWS4 ", " ROWS4
#define INSERT_BANDS_SQL                                                      \
	"INSERT OR IGNORE INTO bands (key, item_id, date) VALUES " ROWS16     \
	", " ROWS16

/* Merge the pending keys into the bands index, in key order, and empty
 * bands_new; in a savepoint, so it is one transaction of its own outside
 * one. */
static int
pending_flush(struct store *s)
{
	int rc = bands_sync(s);

	if (rc < 0 || !s->npend)
		return rc;
	sort_by_key(s->pend, s->npend);
	s->pend_loaded = false; /* the chains are broken by the sort */
	if (store_exec(s, "SAVEPOINT bands_flush") < 0)
		return WD_EDB;
	/* FLUSH_ROWS rows a statement: most of the cost of one row alone is
	 * the statement's, not the insert's. */
	sqlite3_stmt *many = store_stmt(s, STMT_INSERT_BANDS, INSERT_BANDS_SQL);
	sqlite3_stmt *one = store_stmt(s, STMT_INSERT_BAND,
				       "INSERT OR IGNORE INTO bands (key, "
				       "item_id, date) VALUES (?1, ?2, ?3)");

	rc = many && one ? 0 : WD_EDB;
	for (size_t i = 0; rc == 0 && i < s->npend;) {
		size_t n = s->npend - i >= FLUSH_ROWS ? FLUSH_ROWS : 1;
		sqlite3_stmt *st = n > 1 ? many : one;

		for (size_t k = 0; k < n; k++, i++) {
			const struct band_pending *p = &s->pend[i];

			filter_set(s, (uint64_t)p->key);
			s->filter_keys++;
			sqlite3_bind_int64(st, (int)(3 * k + 1), p->key);
			sqlite3_bind_int64(st, (int)(3 * k + 2), p->item);
			sqlite3_bind_int64(st, (int)(3 * k + 3), p->date);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_fail(s, "indexing band keys");
		sqlite3_reset(st);
	}
	if (rc == 0)
		rc = s->filter_keys * FILTER_FULL > (int64_t)s->filter_bits
			     ? filter_build(s)
			     : filter_save(s);
	if (rc == 0)
		rc = store_exec(s, "DELETE FROM bands_new");
	if (rc < 0) {
		s->filter_loaded = false;
		sqlite3_exec(s->db, "ROLLBACK TO bands_flush", NULL, NULL,
			     NULL);
		sqlite3_exec(s->db, "RELEASE bands_flush", NULL, NULL, NULL);
		return rc;
	}
	if (store_exec(s, "RELEASE bands_flush") < 0)
		return WD_EDB;
	pending_clear(s);
	s->pend_loaded = true;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
by_date_item(const void *a, const void *b)
{
	const struct band_pending *x = a, *y = b;

	if (x->date != y->date)
		return (x->date > y->date) - (x->date < y->date);
	return (x->item > y->item) - (x->item < y->item);
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

/* The pending entries of key dated at or after since, in (date, item)
 * order, into *v (grown as needed); returns how many. */
static size_t
pending_of(struct store *s, int64_t key, int64_t since,
	   struct band_pending **v, size_t *cap)
{
	size_t n = 0;

	if (!pending_may_have(s, key))
		return 0;
	for (uint32_t e = s->heads[key_slot(key, s->nheads)]; e;) {
		const struct band_pending *p = &s->pend[e - 1];

		e = p->next;
		if (p->key != key || p->date < since)
			continue;
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*v = xreallocarray(*v, *cap, sizeof(**v));
		}
		(*v)[n++] = *p;
	}
	if (n > 1)
		qsort(*v, n, sizeof(**v), by_date_item);
	return n;
}

/*
 * Count, per item, the band keys it shares with keys[]: for each key, the
 * newest KEY_ROWS entries dated at or after since, the index's and the
 * pending ones merged, and BAND_ROWS entries in all at most.
 */
static int
count_shared(struct store *s, const uint64_t *bands, size_t nbands,
	     int64_t since, struct shared *table)
{
	int64_t keys[SIMDUP_BANDS];
	size_t nkeys = 0, left = BAND_ROWS;
	struct band_pending *mine = NULL; /* a key's pending entries */
	size_t cap = 0;
	int rc = bands_sync(s);

	if (rc < 0)
		return WD_EDB;
	sqlite3_stmt *st = store_stmt(
	    s, STMT_BANDS,
	    "SELECT date, item_id FROM bands WHERE key = ?1 AND date >= ?2 "
	    "ORDER BY date DESC, item_id DESC LIMIT ?3");

	if (!st)
		return WD_EDB;
	for (size_t i = 0; i < nbands && i < SIMDUP_BANDS; i++)
		keys[nkeys++] = (int64_t)bands[i];
	qsort(keys, nkeys, sizeof(keys[0]), cmp_i64);
	rc = SQLITE_DONE;
	for (size_t k = 0; k < nkeys && left; k++) {
		if (k && keys[k] == keys[k - 1])
			continue;
		size_t m = pending_of(s, keys[k], since, &mine, &cap);
		size_t quota = KEY_ROWS < left ? KEY_ROWS : left;

		if (filter_has(s, (uint64_t)keys[k])) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, keys[k]);
			sqlite3_bind_int64(st, 2, since);
			sqlite3_bind_int64(st, 3, (int64_t)quota);
			rc = sqlite3_step(st);
		} else {
			rc = SQLITE_DONE;
		}
		/* newest first: the pending entries from their end */
		while (quota && rc == SQLITE_ROW) {
			int64_t date = sqlite3_column_int64(st, 0);
			int64_t item = sqlite3_column_int64(st, 1);

			while (quota && m > 0 &&
			       (mine[m - 1].date > date ||
				(mine[m - 1].date == date &&
				 mine[m - 1].item > item))) {
				count_item(table, mine[--m].item);
				quota--;
				left--;
			}
			if (!quota)
				break;
			count_item(table, item);
			quota--;
			left--;
			rc = sqlite3_step(st);
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
		while (quota && m > 0) {
			count_item(table, mine[--m].item);
			quota--;
			left--;
		}
	}
	sqlite3_reset(st);
	free(mine);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "reading band keys");
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

static void
push_id(int64_t **ids, size_t *n, size_t *cap, int64_t id)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*ids = xreallocarray(*ids, *cap, sizeof(**ids));
	}
	(*ids)[(*n)++] = id;
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
 * date (index and pending entries alike, at most WIRE_ROWS of the index),
 * weighed in the order they were stored, the first WIRE_CANDIDATES.
 */
static int
weigh_wire_candidates(struct store *s, const struct storymatch_item *me,
		      uint64_t key, int64_t date, struct best *b)
{
	int64_t from = date - s->dedupe_window, to = date + s->dedupe_window;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc = bands_sync(s);

	if (rc < 0)
		return WD_EDB;
	if (filter_has(s, key)) {
		sqlite3_stmt *st = store_stmt(
			s, STMT_WIRE_ITEMS,
			"SELECT item_id FROM bands WHERE key = ?1 AND date "
			"BETWEEN ?2 AND ?3 LIMIT ?4");

		if (!st)
			return WD_EDB;
		sqlite3_bind_int64(st, 1, (int64_t)key);
		sqlite3_bind_int64(st, 2, from);
		sqlite3_bind_int64(st, 3, to);
		sqlite3_bind_int(st, 4, WIRE_ROWS);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			push_id(&ids, &n, &cap, sqlite3_column_int64(st, 0));
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			free(ids);
			return store_fail(s, "reading wire keys");
		}
	}
	struct band_pending *mine = NULL;
	size_t mcap = 0, nmine = pending_of(s, (int64_t)key, from, &mine,
					    &mcap);

	for (size_t i = 0; i < nmine && mine[i].date <= to; i++)
		push_id(&ids, &n, &cap, mine[i].item);
	free(mine);
	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_i64);
	rc = 0;
	for (size_t i = 0; rc == 0 && i < n && i < WIRE_CANDIDATES; i++)
		rc = weigh_item(s, ids[i], me, b);
	free(ids);
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
	if (bands_sync(s) < 0)
		return WD_EDB;
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
		pending_add(s, (int64_t)keys[i], date, item_id);
	return s->npend >= PENDING_MAX ? pending_flush(s) : 0;
}

int
stories_merge_bands(struct store *s)
{
	return pending_flush(s);
}

/* Run sql (a DELETE ... WHERE date < ?1) with cutoff; *n: rows deleted.
 * NOTE: neither band table has a date index (it would cost a random
 * insert per key): this reads the table, which holds about two windows. */
static int
delete_before(struct store *s, const char *sql, int64_t cutoff, int64_t *n)
{
	sqlite3_stmt *st = store_prepare(s, sql);

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, cutoff);
	int rc = sqlite3_step(st) == SQLITE_DONE
			 ? 0
			 : store_fail(s, "pruning band keys");

	sqlite3_finalize(st);
	*n = sqlite3_changes64(s->db);
	return rc;
}

/* Drop the band keys dated before cutoff, from the index and the pending
 * ones, in a savepoint. */
static int
drop_old_bands(struct store *s, int64_t cutoff)
{
	int64_t gone = 0, pending = 0;

	if (store_exec(s, "SAVEPOINT bands_prune") < 0)
		return WD_EDB;
	int rc = delete_before(s, "DELETE FROM bands WHERE date < ?1", cutoff,
			       &gone);

	if (rc == 0)
		rc = delete_before(s, "DELETE FROM bands_new WHERE date < ?1",
				   cutoff, &pending);
	if (rc == 0 && pending)
		s->pend_loaded = false;
	if (rc == 0 && gone) {
		rc = bands_sync(s);
		s->filter_stale += gone;
		if (rc == 0)
			rc = s->filter_stale * 2 > s->filter_keys
				     ? filter_build(s)
				     : filter_save(s);
	}
	if (rc < 0) {
		s->filter_loaded = false;
		s->pend_loaded = false;
		sqlite3_exec(s->db, "ROLLBACK TO bands_prune", NULL, NULL,
			     NULL);
		sqlite3_exec(s->db, "RELEASE bands_prune", NULL, NULL, NULL);
		return rc;
	}
	return store_exec(s, "RELEASE bands_prune");
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
	 * another that it joins. */
	if (drop_old_bands(s, now - 2 * s->dedupe_window) < 0)
		return WD_EDB;
	snprintf(last, sizeof(last), "%lld", (long long)now);
	return store_meta_set(s, "bands.pruned", last);
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
