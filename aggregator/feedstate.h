/* SPDX-License-Identifier: MIT */
/* aggregator/feedstate.h: per-feed fetch state in the store (conditional
 * GET validators, schedule, errors, moves, gone). */
#ifndef WD_AGGREGATOR_FEEDSTATE_H
#define WD_AGGREGATOR_FEEDSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "aggregator/store.h"

/* Strings are malloc'd and owned by the struct (feedstate_clear). */
struct feed_state {
	char *id;
	char *config_url;    /* the URL in wiredesk.yaml */
	char *moved_to;      /* where a 301/308 moved it, or NULL */
	char *title;         /* the feed's own title */
	char *etag;          /* exactly as received */
	char *last_modified; /* exactly as received */
	char *body_hash;     /* hash of the last body parsed */
	char *last_error;    /* one line, or NULL */
	long last_status;    /* HTTP status of the last attempt, 0: none */
	int64_t last_attempt, last_success, next_due, first_error;
	int64_t errors;      /* consecutive failures */
	int64_t items_seen;  /* items stored from this feed, ever */
	int ttl;             /* the feed's RSS <ttl>, minutes, 0: none */
	int64_t update_period; /* its sy:updatePeriod/Frequency, s, 0 */
	bool gone;           /* 410: not polled until config or --force */
	bool reported;       /* the current failure was reported once */
};

/* Load the state of feed id, creating it; when config_url differs from the
 * stored one the feed starts afresh (moves, gone and validators cleared). */
WD_NODISCARD int feedstate_load(struct store *s, const char *id,
				const char *config_url, struct feed_state *out);
/* Write st back (inside the caller's transaction, if any). */
WD_NODISCARD int feedstate_save(struct store *s, const struct feed_state *st);
/* Every stored feed, ordered by id, through fn (stops when fn < 0). */
typedef int (*feedstate_fn)(void *ctx, const struct feed_state *st);
WD_NODISCARD int feedstate_each(struct store *s, feedstate_fn fn, void *ctx);
/* The feeds that are not due at now (next_due later, or gone), read in one
 * query so a run skips them without loading each state: sorted by id
 * (strcmp), each with the config URL its state belongs to. */
struct feed_waiting {
	char *id;
	char *config_url;
};
WD_NODISCARD int feedstate_waiting(struct store *s, int64_t now,
				   struct feed_waiting **out, size_t *n);
/* The entry for id in v[0..n), or NULL. */
const struct feed_waiting *feedstate_waiting_find(const struct feed_waiting *v,
						  size_t n, const char *id);
void feedstate_waiting_free(struct feed_waiting *v, size_t n);
/* The URL to fetch: moved_to, else config_url. */
const char *feedstate_url(const struct feed_state *st);
void feedstate_clear(struct feed_state *st);

#endif
