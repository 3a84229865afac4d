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
	const char *name;        /* audience: also the output file stem */
	const char *title;
	const char *description;
	const char *link;        /* the human page of the audience */
	const char *feed_url;    /* base URL where outputs are served, or NULL */
	const char *language;    /* e.g. "en" */
	const char *attribution; /* template, e.g. "{source} / Phuket Gazette" */
	const char *signoff;     /* e.g. "Phuket Gazette Editors", or NULL */
	const char *copyright;   /* or NULL */
	const char *image;       /* URL, or NULL */
	int64_t window;          /* seconds */
	int64_t limit;           /* items at most */
	int64_t ttl;             /* minutes, 0 if not set */
};

struct audience;

/* Load and check one audience file; every mistake is recorded on the ydoc
 * *errs (always set; the caller frees it with ydoc_free). Returns NULL if
 * there is any mistake. */
struct audience *audience_load(const char *path, struct ydoc **errs);
const struct audience_meta *audience_meta(const struct audience *a);
void audience_free(struct audience *a); /* NULL is a no-op */

#endif
