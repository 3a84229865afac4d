/* SPDX-License-Identifier: MIT */
/* core/story.h: a story (one or more items that tell the same news) as the
 * selection and output stages see it. Built by aggregator/ from the store. */
#ifndef WD_CORE_STORY_H
#define WD_CORE_STORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/item.h"

/* One item of a story, with the feed it came from. */
struct story_item {
	struct item item;
	const char *feed_id;  /* the config's feed id */
	const char *source;   /* the wire's credit, e.g. "Reuters" */
	const char *feed_url; /* the feed's URL (or local path) */
	const char *feed_title; /* the feed's own title, or NULL */
	int64_t first_seen;   /* when wiredesk first stored it */
	int version;          /* wire version (UPDATE n), 0: first take */
	bool kill;            /* a kill notice for the story */
	const char *reason;   /* how it joined: "new", "same link", ... */
	double score;         /* similarity when reason is "similar" */
};

/* Plain record; strings are owned by whoever built it (aggregator). */
struct story {
	int64_t id;       /* store id */
	const char *key;  /* stable story id ("s" + hex); output ids derive
			     from it */
	const struct story_item *items; /* items[0] represents the story */
	size_t nitems;
	int64_t published; /* earliest published (else first seen) */
	int64_t updated;   /* newest version's date */
	bool killed;       /* a wire withdrew it */
};

#endif
