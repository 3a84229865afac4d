/* SPDX-License-Identifier: MIT */
/* aggregator/stories.h: which story a new item belongs to. Same canonical
 * link, a wire version of a story (UPDATE 1-, REFILE-, kills), or a near
 * duplicate found through LSH band keys in the store: a new item is compared
 * with a bounded set of candidates, never with the whole archive. */
#ifndef WD_AGGREGATOR_STORIES_H
#define WD_AGGREGATOR_STORIES_H

#include <stdbool.h>
#include <stdint.h>

#include "aggregator/store.h"
#include "core/item.h"

/* How an item joined its story (stored with the item, shown by `stories`). */
struct story_join {
	int64_t story_id;   /* 0: the item starts a new story */
	const char *reason; /* static: "new", "same link", "wire version",
			       "wire update", "kill notice", "similar" */
	double score;       /* similarity score of the join, 1 for a link */
	int version;        /* wire version number (0: first take) */
	unsigned flags;     /* WIREVER_F_* read from the headline */
	int kind;           /* enum wirever_kind of the headline */
	const char *source; /* the wire's credit (borrowed) */
	bool kill;          /* the item withdraws its story */
	char *canon;        /* canonical link or NULL (malloc'd) */
	char *wire_key;     /* normalized base headline or NULL (malloc'd) */
	char *base_title;   /* headline without wire prefixes (malloc'd) */
	unsigned char *sig; /* near-duplicate signature blob (malloc'd) */
	size_t siglen;
	uint64_t *bands;    /* LSH band keys (malloc'd) */
	size_t nbands;
};

/* Settings from wiredesk.yaml. */
void stories_configure(struct store *s, int64_t window, double threshold);
/* Decide the story of a new item from source (the wire's credit), dated
 * date. */
WD_NODISCARD int stories_find(struct store *s, const char *source,
			      const struct item *it, int64_t date,
			      struct story_join *out);
/* After the item row exists: index its band keys and update its story
 * (newer version, kill). */
WD_NODISCARD int stories_index(struct store *s, int64_t item_id,
			       const struct story_join *j, int64_t date,
			       int64_t now);
/* At the end of a run that stored items: drop the band keys dated more
 * than two windows before now (they can match nothing), at most once every
 * half window (meta bands.pruned). The keys of new items stay pending
 * (bands_new, read into memory by a lookup) until stories_index has
 * gathered enough of them to merge into the index in one pass. */
WD_NODISCARD int stories_prune_bands(struct store *s, int64_t now);
/* Merge the pending band keys into the index now. */
WD_NODISCARD int stories_merge_bands(struct store *s);
void story_join_clear(struct story_join *j);

#endif
