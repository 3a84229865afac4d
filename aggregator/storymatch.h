/* SPDX-License-Identifier: MIT */
/* aggregator/storymatch.h: does a new item join a story already stored?
 * The dedupe decision between two items, from their wirever reading and
 * simdup signature; no storage (aggregator's store looks up candidates). */
#ifndef WD_AGGREGATOR_STORYMATCH_H
#define WD_AGGREGATOR_STORYMATCH_H

#include <stdint.h>

#include "aggregator/simdup.h"
#include "aggregator/wirever.h"

/* Why an item joins a story (after same guid and same canonical link,
 * which the store decides). */
enum storymatch_reason {
	STORYMATCH_NONE = 0,
	STORYMATCH_VERSION, /* same source, same base headline */
	STORYMATCH_UPDATE,  /* same source, a later UPDATE n/WRAPUP n that
			       rewrote the headline (the toll may change) */
	STORYMATCH_SIMILAR  /* near-duplicate: score and all guards agree */
};

/* One item as the matcher sees it; everything is borrowed. */
struct storymatch_item {
	const char *source;           /* the wire ("Reuters"), else feed id */
	int64_t published;            /* seconds, UTC (else first seen) */
	const struct wirever *wv;     /* from wirever_parse(title, lead) */
	const struct simdup_sig *sig; /* simdup_sign(wv->base,
					 lead + wv->lead_skip) */
};

struct storymatch_opts {
	double threshold; /* simdup score to join; STORYMATCH_THRESHOLD */
	int64_t window;   /* seconds apart at most; STORYMATCH_WINDOW */
};

#define STORYMATCH_THRESHOLD 0.15
#define STORYMATCH_WINDOW    (72 * 3600)

/*
 * Decide whether item joins the story that holds other (an earlier item).
 * opts may be NULL for the defaults. Returns the reason (STORYMATCH_NONE:
 * not the same story); *score (may be NULL) gets the simdup score.
 */
enum storymatch_reason storymatch(const struct storymatch_item *item,
				  const struct storymatch_item *other,
				  const struct storymatch_opts *opts,
				  double *score);
/* "wire version", "wire update", "similar", "none": a static string. */
const char *storymatch_reason_name(enum storymatch_reason reason);

#endif
