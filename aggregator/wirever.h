/* SPDX-License-Identifier: MIT */
/* aggregator/wirever.h: reads the headline conventions of news wires
 * (Reuters, AP, AFP): version prefixes, story kinds, advisory lines and kill
 * notices. Pure text logic for the dedupe step of the aggregator. */
#ifndef WD_AGGREGATOR_WIREVER_H
#define WD_AGGREGATOR_WIREVER_H

#include <stdbool.h>
#include <stddef.h>

/* What kind of piece the wire says it is (from the headline prefix). */
enum wirever_kind {
	WIREVER_NEWS = 0, /* no kind prefix */
	WIREVER_EXCLUSIVE,
	WIREVER_FACTBOX,
	WIREVER_ANALYSIS,
	WIREVER_INSIGHT,
	WIREVER_COLUMN,
	WIREVER_EXPLAINER,
	WIREVER_BREAKINGVIEWS,
	WIREVER_WRAPUP,
	WIREVER_PREVIEW,
	WIREVER_TIMELINE,
	WIREVER_BRIEF,
	WIREVER_FACTCHECK
};

/* Flags read from prefixes and advisories (any combination). */
enum {
	WIREVER_F_UPDATE = 1 << 0,    /* UPDATE n-, WRAPUP n-, AP "Update:" */
	WIREVER_F_REFILE = 1 << 1,    /* REFILE-, "(Refiles to ...)" */
	WIREVER_F_CORRECTED = 1 << 2, /* CORRECTED-, AP "Correction:" */
	WIREVER_F_REPEAT = 1 << 3,    /* RPT-, REPEAT-, "(Repeats ...)" */
	WIREVER_F_URGENT = 1 << 4,    /* URGENT, FLASH, ALERT, BULLETIN */
	WIREVER_F_ADVISORY = 1 << 5   /* an advisory line was removed */
};

struct wirever {
	char *base;  /* headline without prefixes/advisories; malloc'd */
	char *key;   /* base case-folded, accents and punctuation dropped,
			spaces collapsed: compare and index this; malloc'd */
	int version; /* n of UPDATE n / WRAPUP n; 1 for an unnumbered
			update; 0 for the first take */
	enum wirever_kind kind;
	unsigned flags;   /* WIREVER_F_* */
	bool kill;        /* a kill notice: the wire withdrew the story */
	size_t lead_skip; /* bytes at the start of lead that are advisory
			     lines; lead + lead_skip is the story text */
};

/*
 * Read title (and the first lines of lead, either may be NULL) into *out.
 * For a kill notice whose title names no story, base is the headline quoted
 * in the notice ('... headlined "X"'), if any. Returns how many conventions
 * were recognized (0 for a plain headline). Free with wirever_clear().
 */
int wirever_parse(const char *title, const char *lead, struct wirever *out);
/* Free base and key and zero *w; NULL is a no-op. */
void wirever_clear(struct wirever *w);
/* "news", "exclusive", "factbox", ...: a static string. */
const char *wirever_kind_name(enum wirever_kind kind);

#endif
