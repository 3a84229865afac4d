/* SPDX-License-Identifier: MIT */
/* aggregator/storymatch.c: the dedupe decision between a new item and an
 * item of a stored story; aggregator stage, no storage. */
#include "aggregator/storymatch.h"

#include <string.h>

#include "core/item.h"
#include "core/text.h"

/*
 * The order of the rules, and why.
 *
 * 1. Wire version: the same source sends the same base headline again
 *    (REFILE-, CORRECTED-, RPT-, UPDATE n- with the headline kept, a kill
 *    notice quoting it). Equal keys from one source are the strongest
 *    evidence there is, except for recurring headlines ("US STOCKS-Wall
 *    Street closes higher"), so the weekday/date guard still applies;
 *    kill notices carry no date and skip it.
 * 2. Wire update: a later UPDATE n from the same source within a day often
 *    rewrites the headline and changes the numbers ("12 dead" -> "kills
 *    15"). It joins at half the similarity threshold with the number
 *    guard waived; names, countries and days must still agree.
 * 3. Similar: any source, score >= threshold and every guard agrees.
 *
 * Pieces of another kind (FACTBOX, ANALYSIS, COLUMN, ...) never join a news
 * story by similarity: they reuse the news words but are other reading.
 */

enum { UPDATE_WINDOW = 24 * 3600 };
/* An update of the same wire story needs this share of the threshold: the
 * source, the version order and the day already vouch for it. */
static const double UPDATE_SHARE = 0.5;

static int
kind_class(enum wirever_kind k)
{
	switch (k) {
	case WIREVER_NEWS:
	case WIREVER_EXCLUSIVE:
	case WIREVER_WRAPUP:
	case WIREVER_BRIEF:
		return WIREVER_NEWS;
	default:
		return (int)k;
	}
}

static int64_t
apart(int64_t a, int64_t b)
{
	if (a == WD_NOTIME || b == WD_NOTIME)
		return 0;
	return a > b ? a - b : b - a;
}

enum storymatch_reason
storymatch(const struct storymatch_item *item,
	   const struct storymatch_item *other,
	   const struct storymatch_opts *opts, double *score)
{
	double threshold =
	    simdup_threshold(item->sig, other->sig,
			     opts ? opts->threshold : STORYMATCH_THRESHOLD);
	int64_t window = opts ? opts->window : STORYMATCH_WINDOW;
	double s = simdup_score(item->sig, other->sig);

	if (score)
		*score = s;
	int64_t dt = apart(item->published, other->published);

	if (dt > window)
		return STORYMATCH_NONE;
	bool same_source = item->source && other->source &&
			   !wd_strcasecmp(item->source, other->source);
	const struct wirever *a = item->wv, *b = other->wv;
	bool same_key = same_source && *a->key && !strcmp(a->key, b->key);

	/* Most candidates stop here, before the guards are read. */
	if (!same_key && s < threshold * UPDATE_SHARE)
		return STORYMATCH_NONE;
	unsigned g = simdup_conflicts(item->sig, other->sig);

	/* The same headline is the same story when a wire says it is a
	 * version (UPDATE, REFILE, CORRECTED, RPT: a correction may well
	 * change the day named in the text), and otherwise when the days
	 * agree (Monday's and Tuesday's market reports share a headline). */
	const unsigned versions = WIREVER_F_UPDATE | WIREVER_F_REFILE |
				  WIREVER_F_CORRECTED | WIREVER_F_REPEAT;

	if (same_key && (a->kill || b->kill || ((a->flags | b->flags) &
						versions) ||
			 !(g & SIMDUP_G_DAYS)))
		return STORYMATCH_VERSION;
	if (kind_class(a->kind) != kind_class(b->kind))
		return STORYMATCH_NONE;
	/* A kill notice is the wire's own message: it joins only the story
	 * it names (rule 1), never one that shares its boilerplate. */
	if (a->kill || b->kill)
		return STORYMATCH_NONE;
	if (s >= threshold && !g)
		return STORYMATCH_SIMILAR;
	bool later_is_newer = item->published >= other->published
				  ? a->version > b->version
				  : b->version > a->version;

	if (same_source && dt <= UPDATE_WINDOW && later_is_newer &&
	    s >= threshold * UPDATE_SHARE && !(g & ~(unsigned)SIMDUP_G_NUMBERS))
		return STORYMATCH_UPDATE;
	return STORYMATCH_NONE;
}

const char *
storymatch_reason_name(enum storymatch_reason reason)
{
	switch (reason) {
	case STORYMATCH_VERSION:
		return "wire version";
	case STORYMATCH_UPDATE:
		return "wire update";
	case STORYMATCH_SIMILAR:
		return "similar";
	case STORYMATCH_NONE:
		break;
	}
	return "none";
}
