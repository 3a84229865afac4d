/* SPDX-License-Identifier: MIT */
/* selections/select.h: which stories an audience gets, in which order. A
 * pure function of the stories, the audience's rules, the editors' picks
 * and blocks, and the time. */
#ifndef WD_SELECTIONS_SELECT_H
#define WD_SELECTIONS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/story.h"
#include "selections/audience.h"
#include "selections/rules.h"

/* An editor's pick or block of one story for this audience (from the
 * store). Picks win over rules and quotas; blocks win over everything. */
struct select_pick {
	const char *story_key;
	bool block;     /* true: a block; false: a pick */
	int64_t until;  /* expires then (UTC seconds); WD_NOTIME or 0: never */
	const char *by; /* who, e.g. $USER */
	const char *note; /* or NULL */
};

/* What happened to one input story. Strings and arrays are borrowed until
 * selection_free. */
struct verdict {
	bool in;        /* published in this audience */
	bool candidate; /* in the window, or picked/blocked: explain shows it */
	bool picked, blocked;
	int score;               /* total of the rules that fired */
	const char *const *tags; /* sections for the output's categories */
	size_t ntags;
	const struct rule_info *const *fired; /* rules that fired, in order */
	size_t nfired;
	size_t item;        /* index in story.items of the item to publish */
	const char *reason; /* one line: why in or out */
	const char *quota;  /* a quota that left it out, or NULL */
};

/* One output entry: the story and which of its items to publish. */
struct select_entry {
	size_t story; /* index in the stories given to select_run */
	size_t item;  /* index in that story's items */
};

struct selection;

/*
 * Select among stories[0..n) for audience a at time now, with the picks and
 * blocks picks[0..npicks). On success sets *out (free with selection_free)
 * and returns the number of entries; returns a negative wd_err otherwise.
 */
WD_NODISCARD int select_run(const struct audience *a,
			    const struct story *stories, size_t n,
			    const struct select_pick *picks, size_t npicks,
			    int64_t now, struct selection **out);

/*
 * The same in two halves, so that the stories' text need not be held all at
 * once. select_new starts a selection (free with selection_free); picks are
 * borrowed until the last select_judge. select_judge gives the verdict on
 * the next story (numbered from 0 in the order given); s is read only during
 * the call. It returns whether the story may take a slot (quotas decide).
 * select_finish ranks and applies the quotas over stories[0..n), the judged
 * stories in the same order: they need only their dates and key, and only
 * the stories that may take a slot need their items, with feed_id and
 * source (their text may be gone). Returns the number of entries, like
 * select_run.
 */
struct selection *select_new(const struct audience *a,
			     const struct select_pick *picks, size_t npicks,
			     int64_t now);
bool select_judge(struct selection *sel, const struct story *s);
WD_NODISCARD int select_finish(struct selection *sel,
			       const struct story *stories, size_t n);
/* The chosen entries in output order (newest first); *n gets the count. */
const struct select_entry *selection_entries(const struct selection *sel,
					     size_t *n);
/* The verdict on stories[i] of select_run. */
const struct verdict *selection_verdict(const struct selection *sel, size_t i);
void selection_free(struct selection *sel); /* NULL is a no-op */

/*
 * Shortcut without picks: writes the indexes of the chosen stories, in
 * output order, to order[] (room for n) and returns how many, or a negative
 * wd_err. With one_per_story off, a story appears once per chosen item.
 */
WD_NODISCARD int select_stories(const struct audience *a,
				const struct story *stories, size_t n,
				int64_t now, size_t *order);

#endif
