/* SPDX-License-Identifier: MIT */
/* output/render.h: one audience's curated feed as RSS 2.0, Atom 1.0, JSON
 * Feed 1.1 and a static HTML page, rendered to memory (output stage). */
#ifndef WD_OUTPUT_RENDER_H
#define WD_OUTPUT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/story.h"

/* The curated feed's own metadata (from the audience file). */
struct render_feed {
	const char *name; /* output file stem */
	const char *title;
	const char *description;
	const char *link;      /* the audience's page */
	const char *self_base; /* base URL of the outputs, or NULL */
	const char *language;
	const char *attribution; /* "{source} / Phuket Gazette" */
	const char *signoff;     /* or NULL */
	const char *copyright;   /* or NULL */
	const char *image;       /* or NULL */
	int64_t ttl;             /* minutes, 0: none */
	const char *hub;         /* WebSub hub URL, or NULL; written only
				    with self_base (WebSub needs rel=self) */
};

/* One published entry: a story, with the identity it keeps in the output. */
struct render_entry {
	const struct story *story; /* items[0] is what is shown */
	const char *guid;          /* stable output id (from the story) */
	int64_t published;         /* first published to this audience */
	int64_t updated;           /* latest change of the story */
	const char *const *tags;   /* sections added by rules, e.g. "World" */
	size_t ntags;
};
/* Dates are seconds since the epoch, UTC; WD_NOTIME or <= 0 means unknown,
 * and the story's own dates stand in. Entries without a story or items are
 * skipped. */

/* Render entries[0..n) in order, appending the document to out. Returns 0,
 * or WD_ETOOBIG when out reached its max (out is then incomplete). The
 * feed's own date is the newest entry date and nothing depends on the clock,
 * so the same entries give the same bytes. Wire HTML is sanitized, URLs are
 * vetted (only http, https and mailto survive). */
WD_NODISCARD int render_rss(const struct render_feed *f,
			    const struct render_entry *entries, size_t n,
			    struct buf *out);
WD_NODISCARD int render_atom(const struct render_feed *f,
			     const struct render_entry *entries, size_t n,
			     struct buf *out);
/* JSON Feed 1.1 (application/feed+json), with a "_wiredesk" extension. */
WD_NODISCARD int render_json(const struct render_feed *f,
			     const struct render_entry *entries, size_t n,
			     struct buf *out);
/* A static HTML5 page (no JavaScript; its CSP forbids scripts). */
WD_NODISCARD int render_html(const struct render_feed *f,
			     const struct render_entry *entries, size_t n,
			     struct buf *out);
/* The visible credit: tmpl with every {source} replaced by source (just
 * source when tmpl is NULL); the caller frees it. */
char *render_credit(const char *tmpl, const char *source);
/* Append the public URL of one output, self_base "/" name ext (ext like
 * ".rss"): what the feed calls itself, and its WebSub topic. False, with
 * nothing appended, when the feed has no usable self_base or name. */
bool render_self_url(const struct render_feed *f, const char *ext,
		     struct buf *out);

#endif
