/* SPDX-License-Identifier: MIT */
/* aggregator/picks.h: editors' picks and blocks, kept in the store with who
 * made them, when, until when, and why. */
#ifndef WD_AGGREGATOR_PICKS_H
#define WD_AGGREGATOR_PICKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aggregator/store.h"
#include "selections/select.h"

/* Pick (block false) or block story_key for audience; replaces an earlier
 * pick or block of the same story. until is WD_NOTIME for "no end". */
WD_NODISCARD int picks_set(struct store *s, const char *audience,
			   const char *story_key, bool block, const char *by,
			   int64_t at, int64_t until, const char *note);
/* Remove a pick (block false) or block; returns 1 if one was removed, 0 if
 * there was none, or WD_EDB. */
WD_NODISCARD int picks_unset(struct store *s, const char *audience,
			     const char *story_key, bool block);
/* True when the store knows a story with this key (0/1), or WD_EDB. */
WD_NODISCARD int picks_story_exists(struct store *s, const char *story_key);

/* The audience's picks and blocks that have not expired at now. */
struct pick_list {
	struct select_pick *v;
	size_t n;
};
WD_NODISCARD int picks_load(struct store *s, const char *audience,
			    int64_t now, struct pick_list *out);
void picks_list_free(struct pick_list *l);

/* What every audience's picks and blocks are, as one hash (*hash is mixed
 * into), and the earliest end among those still running at now (*next_end
 * is lowered to it): what decides whether a publication is out of date. */
WD_NODISCARD int picks_stamp(struct store *s, int64_t now, uint64_t *hash,
			     int64_t *next_end);

#endif
