/* SPDX-License-Identifier: MIT */
/* tests/test_store.c: the SQLite store, feed state and archive, on a real
 * database file in a temporary folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <check.h>
#include <sqlite3.h>

#include "aggregator/archive.h"
#include "aggregator/feedstate.h"
#include "aggregator/store.h"
#include "aggregator/stories.h"
#include "core/buf.h"
#include "tests/suite.h"

static char dir[64];
static char path[128];
static struct store *db;

static void
setup(void)
{
	char err[512];

	snprintf(dir, sizeof(dir), "/tmp/wd-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state/wd.db", dir);
	ck_assert_int_eq(store_open(path, &db, err, sizeof(err)), 0);
}

static void
teardown(void)
{
	char cmd[256];

	store_close(db);
	db = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct item
mkitem(const char *id, const char *link, const char *title, int64_t pub)
{
	struct item it;

	memset(&it, 0, sizeof(it));
	it.id = id;
	it.link = link;
	it.title = title;
	/* Leads as different as the stories, so none is a near duplicate. */
	it.summary = title;
	it.published = pub;
	it.updated = WD_NOTIME;
	it.embargo = WD_NOTIME;
	return it;
}

START_TEST(store_open_migrates_to_current_version)
{
	ck_assert_int_ge(store_version(db), 1);
	store_close(db);
	char err[512];

	/* Reopening an existing file keeps it. */
	ck_assert_int_eq(store_open(path, &db, err, sizeof(err)), 0);
	ck_assert_int_ge(store_version(db), 1);
}
END_TEST

START_TEST(store_meta_round_trips)
{
	char v[8];

	ck_assert_int_eq(store_meta_get(db, "k", v, sizeof(v)), 0);
	ck_assert_int_eq(store_meta_set(db, "k", "a longer value"), 0);
	ck_assert_int_eq(store_meta_get(db, "k", v, sizeof(v)), 1);
	ck_assert_str_eq(v, "a longe"); /* truncated to the buffer */
	ck_assert_int_eq(store_meta_set(db, "k", NULL), 0);
	ck_assert_int_eq(store_meta_get(db, "k", v, sizeof(v)), 0);
}
END_TEST

START_TEST(store_open_refuses_unwritable_path)
{
	struct store *s = NULL;
	char err[512];

	ck_assert_int_eq(store_open("/proc/wd/none/x.db", &s, err, sizeof(err)),
			 WD_EDB);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(err, "/proc/wd/none/x.db"));
}
END_TEST

START_TEST(feedstate_round_trips_and_resets_on_new_url)
{
	struct feed_state st;

	ck_assert_int_eq(feedstate_load(db, "wire", "https://a.example/x",
					&st),
			 0);
	ck_assert_int_eq(st.errors, 0);
	st.etag = strdup("\"abc\"");
	st.moved_to = strdup("https://b.example/x");
	st.errors = 3;
	st.next_due = 12345;
	st.gone = true;
	ck_assert_int_eq(feedstate_save(db, &st), 0);
	feedstate_clear(&st);

	ck_assert_int_eq(feedstate_load(db, "wire", "https://a.example/x",
					&st),
			 0);
	ck_assert_str_eq(st.etag, "\"abc\"");
	ck_assert_str_eq(feedstate_url(&st), "https://b.example/x");
	ck_assert_int_eq(st.errors, 3);
	ck_assert(st.gone);
	feedstate_clear(&st);

	/* The editor changed the URL: moves, gone and validators go. */
	ck_assert_int_eq(feedstate_load(db, "wire", "https://c.example/y",
					&st),
			 0);
	ck_assert_ptr_null(st.etag);
	ck_assert_ptr_null(st.moved_to);
	ck_assert(!st.gone);
	ck_assert_str_eq(feedstate_url(&st), "https://c.example/y");
	feedstate_clear(&st);
}
END_TEST

START_TEST(archive_folds_exact_repeats_of_a_feed)
{
	struct item a = mkitem("g1", "https://w.example/1", "Ministers meet in Oslo", 1000);
	struct item b = mkitem(NULL, "https://w.example/2", "Storm floods Lisbon port", 2000);

	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 5000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &b, 5000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 6000), ARCHIVE_SAME);
	/* Same link, new guid: still the same item of this feed. */
	struct item b2 = mkitem("g9", "https://w.example/2", "Storm floods Lisbon port", 2000);

	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &b2, 6000),
			 ARCHIVE_SAME);
	/* Same guid, new title: an update, not a new item. */
	a.title = "Ministers meet in Oslo, agree pact";
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 7000),
			 ARCHIVE_UPDATED);
	/* Another feed's item with the same guid is its own item, in the
	 * same story (same canonical link). */
	ck_assert_int_eq(archive_put_item(db, "other", "Other", &a, 7000),
			 ARCHIVE_NEW);

	struct story_set set;

	ck_assert_int_eq(archive_load(db, 0, &set), 0);
	ck_assert_uint_eq(set.n, 2);
	ck_assert_uint_eq(set.nitems, 3);
	ck_assert_uint_eq(set.stories[0].nitems, 2);
	ck_assert_str_eq(set.stories[0].items[1].reason, "same link");
	ck_assert_str_eq(set.stories[0].items[0].item.title,
			 "Ministers meet in Oslo, agree pact");
	ck_assert_int_eq(set.stories[0].published, 1000);
	ck_assert_int_eq(set.stories[0].updated, 7000);
	archive_set_free(&set);
}
END_TEST

/* Two wires' takes of one story (tests/data/stories/eval.tsv, f01). */
static struct item
china_take(int n)
{
	static const char *const titles[] = {
		"China summons U.S. ambassador over hacking charges",
		"China summons U.S. envoy after cyber-spying indictment",
	};
	static const char *const leads[] = {
		"BEIJING, March 3 (Reuters) - China summoned the U.S. "
		"ambassador on Tuesday to protest against charges filed "
		"against five Chinese military officers accused of hacking "
		"into American companies, the foreign ministry said.",
		"BEIJING (AP) \xe2\x80\x94 China's foreign ministry summoned "
		"the American ambassador on Tuesday after a U.S. grand jury "
		"indicted five Chinese army officers on cyber-spying charges.",
	};
	static const char *const links[] = {"https://r.example/china",
					    "https://ap.example/china"};
	struct item it = mkitem(links[n], links[n], titles[n], 100000);

	it.summary = leads[n];
	return it;
}

static const char *
last_reason(void)
{
	static char reason[32];
	struct story_set set;

	ck_assert_int_eq(archive_load(db, 0, &set), 0);
	ck_assert_uint_ge(set.nitems, 1);
	int64_t best = -1;

	for (size_t i = 0; i < set.nitems; i++) {
		if (set.items[i].first_seen > best) {
			best = set.items[i].first_seen;
			snprintf(reason, sizeof(reason), "%s",
				 set.items[i].reason);
		}
	}
	archive_set_free(&set);
	return reason;
}

/* Schema 10 finds wire versions through the band index: migrating a state
 * of schema 9 indexes the base headlines of its recent items there. */
START_TEST(migration_indexes_wire_keys_of_recent_items)
{
	char err[512];
	struct item a = mkitem("https://w.example/1", "https://w.example/1",
			       "Quake hits northern Chile", 100000);

	a.summary = "SANTIAGO (Wire) - A strong earthquake struck northern "
		    "Chile on Monday, officials said.";
	stories_configure(db, 72 * 3600, 0.15);
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 100000),
			 ARCHIVE_NEW);
	store_close(db);
	db = NULL;
	/* Back to schema 9: no band keys, the old wire key index. */
	sqlite3 *raw;

	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw,
				      "DELETE FROM bands_new;"
				      "DELETE FROM meta WHERE key LIKE 'bands.%';"
				      "CREATE TABLE bands (key INTEGER NOT NULL,"
				      " date INTEGER NOT NULL,"
				      " item_id INTEGER NOT NULL,"
				      " PRIMARY KEY (key, date, item_id))"
				      " WITHOUT ROWID;"
				      "CREATE INDEX matchers_wire_key ON "
				      "matchers(wire_key);"
				      "PRAGMA user_version = 9;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	ck_assert_int_eq(store_open(path, &db, err, sizeof(err)), 0);
	ck_assert_int_ge(store_version(db), 10);
	stories_configure(db, 72 * 3600, 0.15);
	struct item b = mkitem("https://w.example/2", "https://w.example/2",
			       "UPDATE 1-Quake hits northern Chile", 100600);

	b.summary = "Death toll rises, rescue teams reach the mountain towns.";
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &b, 100600),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "wire version");
}
END_TEST

static int64_t count_of(const char *sql);

/* Write bytes over the band index file at offset (or cut it to len when
 * bytes is NULL). */
static void
damage_bands(const char *bytes, long offset, long len)
{
	char p[160];

	snprintf(p, sizeof(p), "%s-bands", path);
	if (!bytes) {
		ck_assert_int_eq(truncate(p, len), 0);
		return;
	}
	FILE *f = fopen(p, "r+");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, offset, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(bytes, 1, (size_t)len, f), (size_t)len);
	fclose(f);
}

/* The band index file is derived from bands_new: a near duplicate is found
 * across a reopen, after a merge of the file's delta, after the file is
 * lost or damaged, and not after a rollback. */
START_TEST(archive_finds_near_duplicates_whatever_became_of_the_band_file)
{
	char err[512], bp[160];
	struct item a = china_take(0), b = china_take(1);

	stories_configure(db, 72 * 3600, 0.15);
	ck_assert_int_eq(store_begin(db), 0);
	ck_assert_int_eq(archive_put_item(db, "reuters", "Reuters", &a, 100000),
			 ARCHIVE_NEW);
	ck_assert_int_eq(store_commit(db), 0);
	store_close(db);
	snprintf(bp, sizeof(bp), "%s-bands", path);
	ck_assert_int_eq(access(bp, F_OK), 0);
	ck_assert_int_eq(store_open(path, &db, err, sizeof(err)), 0);
	stories_configure(db, 72 * 3600, 0.15);
	ck_assert_int_eq(archive_put_item(db, "ap", "AP", &b, 100001),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "similar");

	/* Rolled back: its keys are gone, and the next item takes its id. */
	struct item c = china_take(0);

	c.id = "https://r2.example/x";
	c.link = c.id;
	ck_assert_int_eq(stories_merge_bands(db), 0);
	ck_assert_int_eq(store_begin(db), 0);
	ck_assert_int_eq(archive_put_item(db, "r2", "R2", &c, 100003),
			 ARCHIVE_NEW);
	store_rollback(db);
	struct item d = mkitem("https://x.example/1", "https://x.example/1",
			       "Storm floods Lisbon port", 100000);

	ck_assert_int_eq(archive_put_item(db, "x", "X", &d, 100004),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "new");
	/* Merged into the base: still found. */
	c.id = "https://r3.example/x";
	c.link = c.id;
	ck_assert_int_eq(archive_put_item(db, "r3", "R3", &c, 100005),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "similar");

	/* The file lost, cut short, or overwritten: built again from
	 * bands_new, the story still found. */
	static const struct {
		const char *bytes;
		long offset, len;
	} harm[] = {
		{NULL, 0, -1},       /* removed */
		{NULL, 0, 100},      /* cut inside its header */
		{NULL, 0, 8000},     /* cut inside its delta */
		{"garbage!", 0, 8},  /* another magic */
		{"\\1\\1\\1\\1", 8, 4}, /* marked dirty: a killed run */
	};
	for (size_t i = 0; i < sizeof(harm) / sizeof(harm[0]); i++) {
		store_close(db);
		db = NULL;
		if (harm[i].len < 0)
			ck_assert_int_eq(unlink(bp), 0);
		else
			damage_bands(harm[i].bytes, harm[i].offset,
				     harm[i].len);
		ck_assert_int_eq(store_open(path, &db, err, sizeof(err)), 0);
		stories_configure(db, 72 * 3600, 0.15);
		char id[64];

		snprintf(id, sizeof(id), "https://r%zu.example/y", i + 4);
		c.id = id;
		c.link = c.id;
		ck_assert_int_eq(archive_put_item(db, id, id, &c,
						  100007 + (int64_t)i),
				 ARCHIVE_NEW);
		ck_assert_str_eq(last_reason(), "similar");
	}
}
END_TEST

/* A run killed inside its transaction leaves the band file dirty, holding
 * keys the archive never committed: the next run builds the file again,
 * and the lost item's keys find nothing. */
START_TEST(band_file_of_a_killed_run_is_built_again)
{
	char err[512];
	struct item a = china_take(0);

	stories_configure(db, 72 * 3600, 0.15);
	ck_assert_int_eq(archive_put_item(db, "x", "X",
					  &(struct item){
					      .id = "https://x.example/0",
					      .link = "https://x.example/0",
					      .title = "Storm floods Lisbon port",
					      .published = 100000,
					      .updated = WD_NOTIME,
					      .embargo = WD_NOTIME},
					  100000),
			 ARCHIVE_NEW);
	store_close(db);
	db = NULL;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct store *child;

		if (store_open(path, &child, err, sizeof(err)) < 0)
			_exit(2);
		stories_configure(child, 72 * 3600, 0.15);
		if (store_begin(child) < 0 ||
		    archive_put_item(child, "reuters", "Reuters", &a,
				     100000) != ARCHIVE_NEW)
			_exit(3);
		_exit(0); /* killed: no commit, no close */
	}
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(store_open(path, &db, err, sizeof(err)), 0);
	stories_configure(db, 72 * 3600, 0.15);
	struct item b = china_take(1);

	ck_assert_int_eq(archive_put_item(db, "ap", "AP", &b, 100001),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "new");
	ck_assert_int_eq(count_of("SELECT count(*) FROM bands_new"), 2);
	/* and what was committed is found */
	a.id = "https://again.example/x";
	a.link = a.id;
	ck_assert_int_eq(archive_put_item(db, "reuters", "Reuters", &a,
					  100002),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "similar");
}
END_TEST

static int64_t
count_of(const char *sql)
{
	sqlite3 *raw;
	sqlite3_stmt *st;
	int64_t n = -1;

	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(raw, sql, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	return n;
}

/* Forgetting old stories takes their band keys out of bands_new, and the
 * band file is built again from what is left: the stories kept are still
 * found. */
START_TEST(archive_prune_rebuilds_the_band_file)
{
	struct item old = mkitem("https://x.example/1", "https://x.example/1",
				 "Storm floods Lisbon port", 100000);
	struct item a = china_take(0), b = china_take(1);

	old.summary = "Heavy rain flooded the docks of Lisbon on Monday.";
	a.published = b.published = 200000;
	stories_configure(db, 72 * 3600, 0.15);
	ck_assert_int_eq(archive_put_item(db, "x", "X", &old, 200000),
			 ARCHIVE_NEW);
	ck_assert_int_eq(archive_put_item(db, "reuters", "Reuters", &a,
					  200000),
			 ARCHIVE_NEW);
	ck_assert_int_eq(count_of("SELECT count(*) FROM bands_new"), 2);
	char gen[32], gen2[32];

	ck_assert_int_eq(store_meta_get(db, "bands.gen", gen, sizeof(gen)), 1);
	ck_assert_int_eq(archive_prune(db, 150000), 1);
	ck_assert_int_eq(count_of("SELECT count(*) FROM bands_new"), 1);
	ck_assert_int_eq(store_meta_get(db, "bands.gen", gen2, sizeof(gen2)),
			 1);
	ck_assert_str_ne(gen, gen2);
	ck_assert_int_eq(archive_put_item(db, "ap", "AP", &b, 200001),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "similar");
}
END_TEST

/* The end of a run drops band keys older than two windows, at most every
 * half window, from bands_new and from the band file alike. */
START_TEST(prune_bands_drops_old_keys_when_due)
{
	const int64_t h = 3600, w = 72 * h;
	struct item a = china_take(0), b = china_take(1);

	stories_configure(db, w, 0.15);
	ck_assert_int_eq(archive_put_item(db, "reuters", "Reuters", &a,
					  100000),
			 ARCHIVE_NEW);
	ck_assert_int_eq(stories_merge_bands(db), 0);
	b.published = 100000 + 30 * h;
	ck_assert_int_eq(archive_put_item(db, "ap", "AP", &b, 100000 + 30 * h),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "similar");
	ck_assert_int_eq(count_of("SELECT count(*) FROM bands_new"), 2);

	/* The first prune is due; nothing is two windows old. */
	ck_assert_int_eq(stories_prune_bands(db, 100000 + 2 * w - 10 * h), 0);
	ck_assert_int_eq(count_of("SELECT count(*) FROM bands_new"), 2);
	ck_assert_int_eq(count_of("SELECT count(*) FROM meta WHERE key = "
				  "'bands.pruned' AND value = '582400'"),
			 1);
	/* a is now two windows old, but the last prune is under half a
	 * window ago: nothing is dropped yet. */
	ck_assert_int_eq(stories_prune_bands(db, 100000 + 2 * w + h), 0);
	ck_assert_int_eq(count_of("SELECT count(*) FROM bands_new"), 2);
	/* Due: a's keys go; b's stay. */
	ck_assert_int_eq(stories_prune_bands(db, 100000 + 2 * w + 26 * h), 0);
	ck_assert_int_eq(count_of("SELECT count(*) FROM bands_new"), 1);
	/* Due again later: b's keys go too. */
	ck_assert_int_eq(stories_prune_bands(db, 100000 + 3 * w + 10 * h), 0);
	ck_assert_int_eq(count_of("SELECT count(*) FROM bands_new"), 0);
	/* What is left still works: a new copy of the story is new. */
	struct item c = china_take(0);

	c.id = "https://late.example/x";
	c.link = c.id;
	c.published = 100000 + 3 * w;
	ck_assert_int_eq(archive_put_item(db, "late", "Late", &c,
					  100000 + 3 * w),
			 ARCHIVE_NEW);
	ck_assert_str_eq(last_reason(), "new");
}
END_TEST

START_TEST(archive_clamps_future_dates)
{
	struct item a = mkitem("g1", "https://w.example/1", "Ahead", 999999);
	struct story_set set;

	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 5000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_load(db, 0, &set), 0);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_int_eq(set.stories[0].published, 5000);
	archive_set_free(&set);
}
END_TEST

START_TEST(archive_load_respects_since)
{
	struct item a = mkitem("g1", "https://w.example/1", "Quake hits Chile coast", 1000);
	struct item b = mkitem("g2", "https://w.example/2", "Vote count begins in Ghana", 9000);
	struct story_set set;

	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 1000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &b, 9000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_load(db, 5000, &set), 0);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_str_eq(set.stories[0].items[0].item.title,
			 "Vote count begins in Ghana");
	archive_set_free(&set);
}
END_TEST

/* archive_load_brief's callback: count what it is handed, compare it with
 * the full load, keep the items of stories with more than one. */
struct brief_seen {
	const struct story_set *full;
	size_t n;
	int64_t ids[8];
};

static int
brief_story(void *ctx, struct story_set *one)
{
	struct brief_seen *b = ctx;
	const struct story *want = &b->full->stories[b->n];

	ck_assert_uint_eq(one->n, 1);
	ck_assert_int_eq(one->stories[0].id, want->id);
	ck_assert_uint_eq(one->stories[0].nitems, want->nitems);
	for (size_t i = 0; i < want->nitems; i++)
		ck_assert_str_eq(one->stories[0].items[i].item.title,
				 want->items[i].item.title);
	b->ids[b->n++] = want->id;
	return want->nitems > 1;
}

START_TEST(archive_brief_load_streams_the_full_stories)
{
	struct item a = mkitem("g1", "https://w.example/1", "Quake hits Chile coast", 3000);
	struct item a2 = mkitem("g1", "https://w.example/1", "Quake hits Chile coast", 3000);
	struct item b = mkitem("g2", "https://w.example/2", "Vote count begins in Ghana", 9000);
	struct story_set full, brief, again;
	struct brief_seen seen = {.full = &full};

	a.content = "<p>A long body the brief load does not keep.</p>";
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 3000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_put_item(db, "other", "Other", &a2, 3000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &b, 9000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_load(db, 0, &full), 0);
	ck_assert_uint_eq(full.n, 2);
	ck_assert_int_eq(archive_load_brief(db, 0, brief_story, &seen, &brief), 0);
	/* Every story went through the callback, in archive_load's order. */
	ck_assert_uint_eq(seen.n, 2);
	ck_assert_uint_eq(brief.n, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct story *f = &full.stories[i], *k = &brief.stories[i];

		ck_assert_int_eq(k->id, f->id);
		ck_assert_str_eq(k->key, f->key);
		ck_assert_int_eq(k->published, f->published);
		/* Items kept only where the callback said so, without text. */
		ck_assert_uint_eq(k->nitems, f->nitems > 1 ? f->nitems : 0);
		for (size_t j = 0; j < k->nitems; j++) {
			ck_assert_str_eq(k->items[j].feed_id, f->items[j].feed_id);
			ck_assert_ptr_null(k->items[j].item.content);
		}
	}
	/* The chosen ones come back in full. */
	ck_assert_int_eq(archive_load_ids(db, seen.ids, 2, &again), 0);
	ck_assert_uint_eq(again.n, 2);
	size_t with_body = 0;

	for (size_t i = 0; i < again.n; i++) {
		for (size_t j = 0; j < again.stories[i].nitems; j++)
			with_body += again.stories[i].items[j].item.content &&
				     strstr(again.stories[i].items[j].item.content,
					    "long body");
	}
	ck_assert_uint_eq(with_body, 1);
	archive_set_free(&again);
	archive_set_free(&brief);
	archive_set_free(&full);
}
END_TEST

START_TEST(archive_publish_keeps_first_date)
{
	struct item a = mkitem("g1", "https://w.example/1", "Ministers meet in Oslo", 1000);
	struct story_set set;
	int64_t pub, upd;

	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 1000), ARCHIVE_NEW);
	ck_assert_int_eq(archive_load(db, 0, &set), 0);
	ck_assert_int_eq(archive_publish(db, "intl", &set.stories[0], 2000,
					 &pub, &upd),
			 0);
	ck_assert_int_eq(pub, 2000);
	ck_assert_int_eq(upd, 2000);
	archive_set_free(&set);

	a.title = "One (corrected)";
	a.updated = 3000;
	ck_assert_int_eq(archive_put_item(db, "wire", "Wire", &a, 3000),
			 ARCHIVE_UPDATED);
	ck_assert_int_eq(archive_load(db, 0, &set), 0);
	ck_assert_int_eq(archive_publish(db, "intl", &set.stories[0], 4000,
					 &pub, &upd),
			 0);
	ck_assert_int_eq(pub, 2000);
	ck_assert_int_eq(upd, 3000);
	/* Another audience has its own date. */
	ck_assert_int_eq(archive_publish(db, "biz", &set.stories[0], 5000,
					 &pub, &upd),
			 0);
	ck_assert_int_eq(pub, 5000);
	archive_set_free(&set);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("aggregator-store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, store_open_migrates_to_current_version);
	tcase_add_test(tc, migration_indexes_wire_keys_of_recent_items);
	tcase_add_test(tc, store_open_refuses_unwritable_path);
	tcase_add_test(tc, store_meta_round_trips);
	tcase_add_test(tc, archive_brief_load_streams_the_full_stories);
	tcase_add_test(tc, feedstate_round_trips_and_resets_on_new_url);
	tcase_add_test(tc, archive_folds_exact_repeats_of_a_feed);
	tcase_add_test(tc, archive_finds_near_duplicates_whatever_became_of_the_band_file);
	tcase_add_test(tc, band_file_of_a_killed_run_is_built_again);
	tcase_add_test(tc, archive_prune_rebuilds_the_band_file);
	tcase_add_test(tc, prune_bands_drops_old_keys_when_due);
	tcase_add_test(tc, archive_clamps_future_dates);
	tcase_add_test(tc, archive_load_respects_since);
	tcase_add_test(tc, archive_publish_keeps_first_date);
	suite_add_tcase(s, tc);
	return s;
}
