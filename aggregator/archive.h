/* SPDX-License-Identifier: MIT */
/* aggregator/archive.h: every item ever seen, folded into stories, and what
 * each audience has published, in the store. */
#ifndef WD_AGGREGATOR_ARCHIVE_H
#define WD_AGGREGATOR_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "aggregator/store.h"
#include "core/arena.h"
#include "core/item.h"
#include "core/story.h"

enum archive_put { ARCHIVE_SAME = 0, ARCHIVE_NEW = 1, ARCHIVE_UPDATED = 2 };

/* Store one parsed item of feed_id (whose wire credit is source), seen at
 * now: a repeat (same guid, else same link, in this feed) updates the
 * stored one; a new item joins its story or starts one. Returns an
 * archive_put value or WD_EDB. */
WD_NODISCARD int archive_put_item(struct store *s, const char *feed_id,
				  const char *source, const struct item *it,
				  int64_t now);

/* Stories whose date is at or after since, with their items; owned by the
 * set (archive_set_free). Fields are filled from the store; source,
 * feed_url and feed_title of each item are left for the caller. */
struct story_set {
	struct story *stories;
	size_t n;
	struct story_item *items; /* all items, grouped by story */
	size_t nitems;
	struct arena *arena;
};
WD_NODISCARD int archive_load(struct store *s, int64_t since,
			      struct story_set *out);
void archive_set_free(struct story_set *set);

/*
 * The stories of archive_load, in the same order, without their text: only
 * the story's fields and each item's feed_id, dates, version and kill flag
 * (the rest NULL). On the way, each story is handed to fn in full, as
 * archive_load would give it: one holds that story alone and is valid
 * during the call only (fn may reorder its items and allocate from its
 * arena). fn returns 1 to keep the story's items in out, 0 to keep the
 * story without them (nitems 0: no use will be made of them), or a
 * negative wd_err to stop, which is returned (out is then empty). Memory
 * grows with the number of stories and kept items, not with their text.
 */
typedef int (*archive_story_fn)(void *ctx, struct story_set *one);
WD_NODISCARD int archive_load_brief(struct store *s, int64_t since,
				    archive_story_fn fn, void *ctx,
				    struct story_set *out);
/* The stories with these store ids, in full as archive_load gives them, in
 * the order of ids (an id no longer stored is left out). */
WD_NODISCARD int archive_load_ids(struct store *s, const int64_t *ids, size_t n,
				  struct story_set *out);

/* The identity a story keeps in an audience's output: the first time it is
 * published there, record now as its date; later calls return the stored
 * date and bump the stored updated time when the story changed. */
WD_NODISCARD int archive_publish(struct store *s, const char *audience,
				 const struct story *st, int64_t now,
				 int64_t *published, int64_t *updated);

/* One stored item with its story, for listings (`wiredesk stories`). */
struct archive_row {
	const char *story_key, *story_title;
	bool story_killed;
	const char *feed_id, *guid, *title, *link, *reason;
	int64_t published, first_seen; /* WD_NOTIME when absent */
	double score;                  /* < 0 when not a similarity join */
};
typedef int (*archive_row_fn)(void *ctx, const struct archive_row *row);
/* Every item of every story dated at or after since (WD_NOTIME: all), by
 * story then arrival, streamed: memory does not grow with the archive. */
WD_NODISCARD int archive_each(struct store *s, int64_t since,
			      archive_row_fn fn, void *ctx);
/* Forget stories whose newest date is before cutoff, with their items and
 * what was published of them; returns how many stories, or WD_EDB. */
WD_NODISCARD int archive_prune(struct store *s, int64_t cutoff);

#endif
