/* SPDX-License-Identifier: MIT */
/* selections/audience.h: one audience file (selections/NAME.yaml): the
 * curated feed's metadata and the editor's rules. */
#ifndef WD_SELECTIONS_AUDIENCE_H
#define WD_SELECTIONS_AUDIENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "selections/yamldoc.h"

/* The feed metadata; strings live as long as the audience. Read-only. */
struct audience_meta {
	const char *name; /* audience: also the output file stem */
	const char *title;
	const char *description;
	const char *link;     /* the human page of the audience */
	const char *feed_url; /* base URL where outputs are served, or NULL */
	const char *hub;      /* WebSub hub to ping on change, or NULL */
	const char *language; /* e.g. "en" */
	const char
	    *attribution;      /* template, e.g. "{source} / Phuket Gazette" */
	const char *signoff;   /* e.g. "Phuket Gazette Editors", or NULL */
	const char *copyright; /* or NULL */
	const char *image;     /* URL, or NULL */
	int64_t window;        /* seconds */
	int64_t limit;         /* items at most */
	int64_t ttl;           /* minutes, 0 if not set */
};

/* How the selection is shaped (docs/rules.md); read-only. */
struct audience_settings {
	int64_t per_source_limit; /* items per source at most, 0: no limit */
	int64_t per_tag_limit;    /* items per tag unless listed, 0: none */
	const char *const *tag_limit_names; /* per_tag_limit: {tag: N} */
	const int64_t *tag_limits;
	size_t ntag_limits;
	bool one_per_story;                   /* default true */
	const char *const *source_precedence; /* best first */
	size_t nsource_precedence;
	bool has_min_score;
	int64_t min_score;
	const char *time_zone;   /* IANA name or "+07:00", NULL: UTC */
	uint32_t schedule_hours; /* bit h: publishes in local hour h */
	uint8_t schedule_days;   /* bit d: publishes on day d (0 Sunday) */
	bool embargo;            /* hold items until their embargo (true) */
};

struct audience;
struct rules;

/* What the loader checks beyond the file itself. */
struct audience_opts {
	const char *const *feed_ids; /* the config's feed ids, or NULL */
	size_t nfeed_ids;
};

/* Load and check one audience file; every mistake is recorded on the ydoc
 * *errs (always set; the caller frees it with ydoc_free). Returns NULL if
 * there is any mistake. */
struct audience *audience_load(const char *path, struct ydoc **errs);
/* The same, also checking feed ids against opts (NULL: no check). */
struct audience *audience_load_opts(const char *path,
				    const struct audience_opts *opts,
				    struct ydoc **errs);
const struct audience_meta *audience_meta(const struct audience *a);
const struct audience_settings *audience_settings(const struct audience *a);
/* The compiled rules (see selections/rules.h); never NULL. */
const struct rules *audience_rules(const struct audience *a);
/* True when the schedule (in the audience's time zone) publishes at now. */
bool audience_is_due(const struct audience *a, int64_t now);
void audience_free(struct audience *a); /* NULL is a no-op */

#endif
