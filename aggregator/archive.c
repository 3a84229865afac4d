/* SPDX-License-Identifier: MIT */
/* aggregator/archive.c: items, stories and published entries in SQLite. */
#include "aggregator/archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/store-int.h"
#include "aggregator/stories.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"

/* Items dated further ahead than this are taken as seen now: a wire clock
 * that runs ahead must not pin a story to the top of every feed. */
enum { FUTURE_SLACK = 15 * 60 };

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	if (!s)
		s = "";
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff; /* field separator */
	h *= 0x100000001b3ULL;
	return h;
}

static const uint64_t FNV_BASIS = 0xcbf29ce484222325ULL;

/* Identity of an item within its feed: guid, else link, else a content
 * hash. */
static char *
item_key(const struct item *it)
{
	if (it->id && *it->id)
		return xstrdup(it->id);
	if (it->link && *it->link)
		return xstrdup(it->link);
	char key[40];
	uint64_t h = fnv1a(fnv1a(FNV_BASIS, it->title), it->summary);

	snprintf(key, sizeof(key), "hash:%016llx", (unsigned long long)h);
	return xstrdup(key);
}

static char *
content_hash(const struct item *it)
{
	uint64_t h = FNV_BASIS;
	char out[20];

	h = fnv1a(h, it->title);
	h = fnv1a(h, it->link);
	h = fnv1a(h, it->summary);
	h = fnv1a(h, it->content);
	h = fnv1a(h, it->author);
	for (size_t i = 0; i < it->ncategories; i++)
		h = fnv1a(h, it->categories[i]);
	snprintf(out, sizeof(out), "%016llx", (unsigned long long)h);
	return xstrdup(out);
}

/* Categories joined by the ASCII unit separator. */
static char *
join_categories(const struct item *it)
{
	struct buf b;

	if (!it->ncategories)
		return NULL;
	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < it->ncategories; i++) {
		if (i)
			buf_putc(&b, '\x1f');
		buf_puts(&b, it->categories[i]);
	}
	return buf_take(&b);
}

/* Find the stored item of this feed with this key, else this link. */
static int
find_item(struct store *s, const char *feed_id, const char *key,
	  const char *link, int64_t *id, char **hash, int64_t *story)
{
	static const char *const sqls[] = {
		"SELECT id, hash, story_id FROM items WHERE feed_id = ?1 AND "
		"key = ?2",
		"SELECT id, hash, story_id FROM items WHERE feed_id = ?1 AND "
		"link = ?2 ORDER BY id LIMIT 1",
	};

	for (int i = 0; i < 2; i++) {
		const char *v = i ? link : key;

		if (!v || !*v)
			continue;
		sqlite3_stmt *st = store_stmt(
			s, i ? STMT_FIND_LINK : STMT_FIND_KEY, sqls[i]);

		if (!st)
			return WD_EDB;
		store_bind_text(st, 1, feed_id);
		store_bind_text(st, 2, v);
		int rc = sqlite3_step(st);

		if (rc == SQLITE_ROW) {
			*id = sqlite3_column_int64(st, 0);
			*hash = store_col_strdup(st, 1);
			*story = sqlite3_column_int64(st, 2);
			sqlite3_reset(st);
			return 1;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "finding an item");
	}
	return 0;
}

static int
new_story(struct store *s, const char *feed_id, const char *key,
	  const struct item *it, int64_t date, int64_t *story)
{
	char skey[24];

	/* The story's date, then a hash of its first item: new stories land
	 * at the end of the key index instead of on a random page of it. */
	snprintf(skey, sizeof(skey), "s%08llx%08llx",
		 (unsigned long long)((uint64_t)date & 0xffffffffu),
		 (unsigned long long)(fnv1a(fnv1a(FNV_BASIS, feed_id), key) &
				      0xffffffffu));
	sqlite3_stmt *st = store_stmt(
		s, STMT_NEW_STORY,
		"INSERT INTO stories (key, title, published, updated) "
		   "VALUES (?1, ?2, ?3, ?4)");

	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, skey);
	store_bind_text(st, 2, it->title);
	sqlite3_bind_int64(st, 3, date);
	sqlite3_bind_int64(st, 4, date);
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "adding a story");
	*story = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static int
touch_story(struct store *s, int64_t story, int64_t item, int64_t updated)
{
	sqlite3_stmt *st = store_stmt(
		s, STMT_TOUCH_STORY,
		"UPDATE stories SET updated = max(updated, ?2), "
		   "published = min(published, ?2), "
		   "lead_item = coalesce(lead_item, ?3) WHERE id = ?1");

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, story);
	sqlite3_bind_int64(st, 2, updated);
	sqlite3_bind_int64(st, 3, item);
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "updating a story");
}

/* What the story matcher reads of a new item (stories.c), kept in a narrow
 * row of its own. */
static int
put_matcher(struct store *s, int64_t id, int64_t story, int64_t published,
	    int64_t now, const struct story_join *j)
{
	sqlite3_stmt *st = store_stmt(
		s, STMT_INSERT_MATCHER,
		"INSERT INTO matchers (id, story_id, published, first_seen, "
		"source, wire_key, version, kind, kill, versioned, sig) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, story);
	store_bind_time(st, 3, published);
	sqlite3_bind_int64(st, 4, now);
	store_bind_text(st, 5, j->source);
	store_bind_text(st, 6, j->wire_key);
	sqlite3_bind_int(st, 7, j->version);
	sqlite3_bind_int(st, 8, j->kind);
	sqlite3_bind_int(st, 9, j->kill);
	sqlite3_bind_int(st, 10, (int)j->flags);
	sqlite3_bind_blob(st, 11, j->sig, (int)j->siglen, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "storing an item");
}

/* A repeat may date an item that had no date: the matcher's copy follows
 * the item's published column. */
static int
date_matcher(struct store *s, int64_t id, int64_t published)
{
	sqlite3_stmt *st = store_stmt(
		s, STMT_DATE_MATCHER,
		"UPDATE matchers SET published = coalesce(published, ?2) "
		"WHERE id = ?1");

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, published);
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "updating an item");
}

int
archive_put_item(struct store *s, const char *feed_id, const char *source,
		 const struct item *it, int64_t now)
{
	char *key = item_key(it), *hash = content_hash(it), *old = NULL;
	char *cats = join_categories(it);
	int64_t id = 0, story = 0;
	struct story_join join = {0};
	int ret;
	int64_t published = it->published;

	if (published != WD_NOTIME && published > now + FUTURE_SLACK)
		published = now;
	int64_t date = published != WD_NOTIME ? published : now;
	int64_t changed = it->updated != WD_NOTIME ? it->updated : now;

	if (changed > now + FUTURE_SLACK)
		changed = now;
	int found = find_item(s, feed_id, key, it->link, &id, &old, &story);

	if (found < 0) {
		ret = found;
		goto out;
	}
	if (found && old && !strcmp(old, hash)) {
		sqlite3_stmt *st = store_stmt(
			s, STMT_SEEN_ITEM,
			"UPDATE items SET last_seen = ?2 WHERE id = ?1");

		ret = WD_EDB;
		if (!st)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now);
		ret = sqlite3_step(st) == SQLITE_DONE
			      ? ARCHIVE_SAME
			      : store_fail(s, "updating an item");
		sqlite3_reset(st);
		goto out;
	}
	if (!found) {
		ret = stories_find(s, source ? source : feed_id, it, date,
				   &join);
		join.source = source ? source : feed_id;
		if (ret < 0)
			goto out;
		story = join.story_id;
		if (!story)
			ret = new_story(s, feed_id, key, it, date, &story);
		if (ret < 0)
			goto out;
	}
	sqlite3_stmt *st =
		found ? store_stmt(s, STMT_UPDATE_ITEM,
				   "UPDATE items SET guid = ?3, link = ?4, "
				   "title = ?5, summary = ?6, content = ?7, "
				   "author = ?8, language = ?9, image = ?10, "
				   "categories = ?11, "
				   "published = coalesce(published, ?12), "
				   "updated = ?13, last_seen = ?14, hash = ?15 "
				   "WHERE id = ?16")
		      : store_stmt(s, STMT_INSERT_ITEM,
				   "INSERT INTO items (feed_id, key, guid, "
				   "link, title, summary, content, author, "
				   "language, image, categories, published, "
				   "updated, first_seen, last_seen, hash, "
				   "story_id, canon_link, version, kill, "
				   "reason, score) VALUES (?1, ?2, ?3, ?4, "
				   "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
				   "?14, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
				   "?21)");

	ret = WD_EDB;
	if (!st)
		goto out;
	store_bind_text(st, 1, feed_id);
	store_bind_text(st, 2, key);
	store_bind_text(st, 3, it->id);
	store_bind_text(st, 4, it->link ? it->link : it->orig_link);
	store_bind_text(st, 5, it->title);
	store_bind_text(st, 6, it->summary);
	store_bind_text(st, 7, it->content);
	store_bind_text(st, 8, it->author);
	store_bind_text(st, 9, it->language);
	store_bind_text(st, 10, it->image);
	store_bind_text(st, 11, cats);
	store_bind_time(st, 12, published);
	store_bind_time(st, 13, found ? changed : it->updated);
	sqlite3_bind_int64(st, 14, now);
	store_bind_text(st, 15, hash);
	sqlite3_bind_int64(st, 16, found ? id : story);
	if (!found) {
		/* How it joined its story, in the same row write (an UPDATE
		 * would write the row twice); what the matcher reads of it
		 * goes to matchers (put_matcher). */
		store_bind_text(st, 17, join.canon);
		sqlite3_bind_int(st, 18, join.version);
		sqlite3_bind_int(st, 19, join.kill);
		store_bind_text(st, 20, join.reason);
		if (strcmp(join.reason, "new") &&
		    strcmp(join.reason, "same link"))
			sqlite3_bind_double(st, 21, join.score);
	}
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		ret = store_fail(s, "storing an item");
		goto out;
	}
	if (!found) {
		id = sqlite3_last_insert_rowid(s->db);
		ret = put_matcher(s, id, story, published, now, &join);
		if (ret == 0)
			ret = stories_index(s, id, &join, date, now);
	} else if (published != WD_NOTIME) {
		ret = date_matcher(s, id, published);
	} else {
		ret = 0;
	}
	if (ret < 0)
		goto out;
	ret = touch_story(s, story, id, found ? changed : date);
	if (ret == 0)
		ret = found ? ARCHIVE_UPDATED : ARCHIVE_NEW;
out:
	free(key);
	free(hash);
	free(old);
	free(cats);
	story_join_clear(&join);
	return ret;
}

static const char *
col_arena(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? arena_strdup(a, (const char *)v) : NULL;
}

/* Split the stored category list into an arena array. */
static void
split_categories(struct arena *a, const char *joined, struct item *it)
{
	if (!joined || !*joined)
		return;
	size_t n = 1;

	for (const char *p = joined; *p; p++)
		n += *p == '\x1f';
	const char **v = arena_alloc(a, n * sizeof(*v));
	size_t i = 0;
	const char *start = joined;

	for (const char *p = joined;; p++) {
		if (*p == '\x1f' || !*p) {
			v[i++] = arena_strndup(a, start, (size_t)(p - start));
			start = p + 1;
		}
		if (!*p)
			break;
	}
	it->categories = v;
	it->ncategories = i;
}

/* The columns add_row reads, by index: the story, then one of its items.
 * Items come lead first, then in arrival order. */
#define LOAD_SELECT                                                            \
	"SELECT s.id, s.key, s.published, s.updated, s.killed, "               \
	"i.feed_id, i.guid, i.link, i.title, i.summary, i.content, "           \
	"i.author, i.language, i.image, i.categories, i.published, "           \
	"i.updated, i.first_seen, i.id = s.lead_item AS lead, "                \
	"i.version, i.kill, i.reason, i.score "                                \
	"FROM stories s JOIN items i ON i.story_id = s.id "
#define LOAD_WINDOW                                                            \
	LOAD_SELECT "WHERE s.published >= ?1 OR s.updated >= ?1 "              \
		    "ORDER BY s.id, lead DESC, i.id"
#define LOAD_STORY LOAD_SELECT "WHERE s.id = ?1 ORDER BY lead DESC, i.id"

/* Growth of a story_set being filled. */
struct set_caps {
	size_t stories, items;
};

/* Room for one more story and one more item in out. */
static void
grow_set(struct story_set *out, struct set_caps *cap)
{
	if (out->n == cap->stories) {
		cap->stories = cap->stories ? cap->stories * 2 : 64;
		out->stories = xreallocarray(out->stories, cap->stories,
					     sizeof(struct story));
	}
	if (out->nitems == cap->items) {
		cap->items = cap->items ? cap->items * 2 : 64;
		out->items = xreallocarray(out->items, cap->items,
					   sizeof(struct story_item));
	}
}

/* Append the row at st to out, starting a story when its id changes. */
static void
add_row(struct story_set *out, struct set_caps *cap, sqlite3_stmt *st)
{
	int64_t sid = sqlite3_column_int64(st, 0);

	grow_set(out, cap);
	if (!out->n || out->stories[out->n - 1].id != sid) {
		struct story *sy = &out->stories[out->n++];

		memset(sy, 0, sizeof(*sy));
		sy->id = sid;
		sy->key = col_arena(out->arena, st, 1);
		sy->published = sqlite3_column_int64(st, 2);
		sy->updated = sqlite3_column_int64(st, 3);
		sy->killed = sqlite3_column_int(st, 4) != 0;
	}
	struct story_item *si = &out->items[out->nitems++];
	struct item *it = &si->item;

	memset(si, 0, sizeof(*si));
	si->feed_id = col_arena(out->arena, st, 5);
	it->id = col_arena(out->arena, st, 6);
	it->link = col_arena(out->arena, st, 7);
	it->title = col_arena(out->arena, st, 8);
	it->summary = col_arena(out->arena, st, 9);
	it->content = col_arena(out->arena, st, 10);
	it->author = col_arena(out->arena, st, 11);
	it->language = col_arena(out->arena, st, 12);
	it->image = col_arena(out->arena, st, 13);
	split_categories(out->arena, (const char *)sqlite3_column_text(st, 14),
			 it);
	si->reason = col_arena(out->arena, st, 21);
	it->published = store_col_time(st, 15);
	it->updated = store_col_time(st, 16);
	it->embargo = WD_NOTIME;
	si->first_seen = sqlite3_column_int64(st, 17);
	si->version = sqlite3_column_int(st, 19);
	si->kill = sqlite3_column_int(st, 20) != 0;
	si->score = sqlite3_column_double(st, 22);
	out->stories[out->n - 1].nitems++;
}

/* Items moved while the set grew: point the stories at them only now. */
static void
link_items(struct story_set *set)
{
	size_t off = 0;

	for (size_t i = 0; i < set->n; i++) {
		set->stories[i].items = set->items + off;
		off += set->stories[i].nitems;
	}
}

/* The end of a load: st done (rc its last step), the set linked, or
 * freed on error. */
static int
finish_set(struct store *s, sqlite3_stmt *st, int rc, struct story_set *out)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		archive_set_free(out);
		return store_fail(s, "loading stories");
	}
	link_items(out);
	return 0;
}

int
archive_load(struct store *s, int64_t since, struct story_set *out)
{
	struct set_caps cap = {0};

	memset(out, 0, sizeof(*out));
	out->arena = arena_new();
	sqlite3_stmt *st = store_prepare(s, LOAD_WINDOW);

	if (!st)
		return WD_EDB;
	sqlite3_bind_int64(st, 1, since);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add_row(out, &cap, st);
	return finish_set(s, st, rc, out);
}

/* The distinct feed ids of a brief set: the same few hundred repeat over
 * tens of thousands of items, so each is kept once (open addressing). */
struct feed_ids {
	const char **v;
	size_t cap, n;
};

static const char *
intern_feed_id(struct arena *a, struct feed_ids *t, const char *id)
{
	if (!id)
		return NULL;
	if (2 * (t->n + 1) > t->cap) {
		struct feed_ids g = {.cap = t->cap ? 2 * t->cap : 256};

		g.v = xcalloc(g.cap, sizeof(*g.v));
		for (size_t i = 0; i < t->cap; i++) {
			if (t->v[i])
				(void)intern_feed_id(a, &g, t->v[i]);
		}
		free(t->v);
		*t = g;
	}
	size_t i = wd_fnv1a(WD_FNV_SEED, id, strlen(id)) & (t->cap - 1);

	while (t->v[i] && strcmp(t->v[i], id))
		i = (i + 1) & (t->cap - 1);
	if (!t->v[i]) {
		t->v[i] = arena_strdup(a, id);
		t->n++;
	}
	return t->v[i];
}

/*
 * Add to brief what selection needs of the story in one once it is judged:
 * the story's fields and each item's feed id, dates, version and kill flag.
 * Then hand one to fn, which keeps the story's items in brief (1) or leaves
 * the story there without them (0), and empty one for the next story.
 */
static int
hand_story(struct story_set *one, size_t mark, archive_story_fn fn, void *ctx,
	   struct story_set *brief, struct set_caps *cap, struct feed_ids *ids)
{
	if (!one->n)
		return 0;
	link_items(one);
	grow_set(brief, cap);
	struct story *sy = &brief->stories[brief->n++];

	*sy = one->stories[0];
	sy->key =
	    one->stories[0].key ? arena_strdup(brief->arena, sy->key) : NULL;
	sy->items = NULL;
	size_t first = brief->nitems;

	for (size_t i = 0; i < one->nitems; i++) {
		const struct story_item *o = &one->items[i];

		grow_set(brief, cap);
		struct story_item *si = &brief->items[brief->nitems++];

		memset(si, 0, sizeof(*si));
		si->feed_id = intern_feed_id(brief->arena, ids, o->feed_id);
		si->item.published = o->item.published;
		si->item.updated = o->item.updated;
		si->item.embargo = o->item.embargo;
		si->first_seen = o->first_seen;
		si->version = o->version;
		si->kill = o->kill;
		si->score = o->score;
	}
	int r = fn(ctx, one);

	if (r == 0) {
		brief->nitems = first;
		/* grow_set may have moved sy */
		brief->stories[brief->n - 1].nitems = 0;
	}
	one->n = 0;
	one->nitems = 0;
	arena_reset_to(one->arena, mark);
	return r < 0 ? r : 0;
}

/*
 * Story by story, each with its own query: one query over the whole window
 * would sort every row, text and all, in a temporary b-tree (SQLite cannot
 * take "lead first" from an index), and memory would grow with the text.
 */
int
archive_load_brief(struct store *s, int64_t since, archive_story_fn fn,
		   void *ctx, struct story_set *out)
{
	struct story_set one = {.arena = arena_new()};
	struct set_caps cap = {0}, ocap = {0};
	struct feed_ids ids = {0};
	size_t mark = arena_mark(one.arena);
	sqlite3_stmt *items = NULL;
	int rc = SQLITE_DONE, r = 0;

	memset(out, 0, sizeof(*out));
	out->arena = arena_new();
	sqlite3_stmt *st =
	    store_prepare(s, "SELECT id FROM stories WHERE published >= ?1 OR "
			     "updated >= ?1 ORDER BY id");

	if (st)
		items = store_prepare(s, LOAD_STORY);
	if (!items) {
		r = WD_EDB;
		goto out_free;
	}
	sqlite3_bind_int64(st, 1, since);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_reset(items);
		sqlite3_bind_int64(items, 1, sqlite3_column_int64(st, 0));
		while ((rc = sqlite3_step(items)) == SQLITE_ROW)
			add_row(&one, &cap, items);
		if (rc != SQLITE_DONE)
			break;
		r = hand_story(&one, mark, fn, ctx, out, &ocap, &ids);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_fail(s, "loading stories");
	if (r == 0)
		link_items(out);
out_free:
	sqlite3_finalize(items);
	sqlite3_finalize(st);
	free(ids.v);
	if (r < 0)
		archive_set_free(out);
	archive_set_free(&one);
	return r < 0 ? r : 0;
}

int
archive_load_ids(struct store *s, const int64_t *ids, size_t n,
		 struct story_set *out)
{
	struct set_caps cap = {0};
	int rc = SQLITE_DONE;

	memset(out, 0, sizeof(*out));
	out->arena = arena_new();
	sqlite3_stmt *st = store_prepare(s, LOAD_STORY);

	if (!st) {
		archive_set_free(out);
		return WD_EDB;
	}
	for (size_t k = 0; k < n && rc == SQLITE_DONE; k++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[k]);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			add_row(out, &cap, st);
	}
	return finish_set(s, st, rc, out);
}

void
archive_set_free(struct story_set *set)
{
	free(set->stories);
	free(set->items);
	arena_free(set->arena);
	memset(set, 0, sizeof(*set));
}

int
archive_publish(struct store *s, const char *audience, const struct story *sy,
		int64_t now, int64_t *published, int64_t *updated)
{
	sqlite3_stmt *st = store_prepare(
		s, "INSERT INTO published (audience, story_id, guid, "
		   "published, updated) VALUES (?1, ?2, ?3, ?4, ?5) "
		   "ON CONFLICT (audience, story_id) DO UPDATE SET "
		   "updated = max(updated, excluded.updated) "
		   "RETURNING published, updated");

	if (!st)
		return WD_EDB;
	store_bind_text(st, 1, audience);
	sqlite3_bind_int64(st, 2, sy->id);
	store_bind_text(st, 3, sy->key);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, sy->updated > now ? now : sy->updated);
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*published = sqlite3_column_int64(st, 0);
		*updated = sqlite3_column_int64(st, 1);
		if (*updated < *published)
			*updated = *published;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, "recording a publication");
}

int
archive_each(struct store *s, int64_t since, archive_row_fn fn, void *ctx)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT s.key, s.title, s.killed, i.feed_id, i.guid, "
		   "i.title, i.link, i.reason, i.published, i.first_seen, "
		   "i.score FROM stories s JOIN items i ON i.story_id = s.id "
		   "WHERE ?1 IS NULL OR s.published >= ?1 OR s.updated >= ?1 "
		   "ORDER BY s.published, s.id, i.id");
	int rc;

	if (!st)
		return WD_EDB;
	store_bind_time(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct archive_row row = {
			.story_key = (const char *)sqlite3_column_text(st, 0),
			.story_title = (const char *)sqlite3_column_text(st, 1),
			.story_killed = sqlite3_column_int(st, 2) != 0,
			.feed_id = (const char *)sqlite3_column_text(st, 3),
			.guid = (const char *)sqlite3_column_text(st, 4),
			.title = (const char *)sqlite3_column_text(st, 5),
			.link = (const char *)sqlite3_column_text(st, 6),
			.reason = (const char *)sqlite3_column_text(st, 7),
			.published = store_col_time(st, 8),
			.first_seen = store_col_time(st, 9),
			.score = sqlite3_column_type(st, 10) == SQLITE_NULL
					 ? -1
					 : sqlite3_column_double(st, 10),
		};
		int r = fn(ctx, &row);

		if (r < 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "listing stories");
}

int
archive_prune(struct store *s, int64_t cutoff)
{
	static const char *const sqls[] = {
		"CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY "
		"KEY)",
		"DELETE FROM doomed",
		"INSERT INTO doomed SELECT id FROM stories WHERE updated < ?1",
		"DELETE FROM bands_new WHERE item_id IN (SELECT i.id FROM "
		"items i JOIN doomed d ON i.story_id = d.id)",
		"DELETE FROM matchers WHERE id IN (SELECT i.id FROM items i "
		"JOIN doomed d ON i.story_id = d.id)",
		"DELETE FROM items WHERE story_id IN (SELECT id FROM doomed)",
		"DELETE FROM published WHERE story_id IN (SELECT id FROM "
		"doomed)",
		"DELETE FROM picks WHERE story_key IN (SELECT key FROM stories "
		"WHERE id IN (SELECT id FROM doomed))",
		"DELETE FROM stories WHERE id IN (SELECT id FROM doomed)",
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		sqlite3_stmt *st = store_prepare(s, sqls[i]);

		if (!st)
			return WD_EDB;
		if (sqlite3_bind_parameter_count(st))
			sqlite3_bind_int64(st, 1, cutoff);
		int rc = sqlite3_step(st);

		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "pruning the archive");
		if (i == 2)
			n = sqlite3_changes(s->db);
	}
	/* bands_new changed: the band index is built again on next use */
	return stories_forget_bands(s) < 0 ? WD_EDB : n;
}
