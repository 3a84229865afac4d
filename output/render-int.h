/* SPDX-License-Identifier: MIT */
/* output/render-int.h: what the four writers of the render module (rss.c,
 * atom.c, jsonfeed.c, html.c) share with render.c. Not for other modules. */
#ifndef WD_OUTPUT_RENDER_INT_H
#define WD_OUTPUT_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "output/render.h"

enum {
	RENDER_SUMMARY_MAX = 600,  /* bytes of a plain-text summary */
	RENDER_STORY_ITEMS = 64,   /* items of a story looked at for "also
				      reported by" and related links */
	RENDER_RELATED_MAX = 10,   /* related links shown per story */
	RENDER_TEXT_MAX = 64 << 20 /* cap of scratch buffers */
};

/* True when e has a story with at least one item; writers skip others. */
bool render_entry_is_valid(const struct render_entry *e);

/* The wire credit of si ("Reuters"): its source, else feed title, else feed
 * id, else "Wire". Borrowed from si. */
const char *render_source(const struct story_item *si);

/* Append s as clean plain text: invalid UTF-8 becomes U+FFFD, controls are
 * dropped, runs of whitespace become one space, the ends are trimmed and
 * unclosed bidi embeddings or isolates are closed. Still to be escaped. */
void render_plain(struct buf *out, const char *s);

/* The entry's dates, falling back to the story's and item's own; 0 when
 * nothing is known. updated is never before published. */
int64_t render_published(const struct render_entry *e);
int64_t render_updated(const struct render_entry *e);
/* The newest updated date of entries[0..n), 0 when n is 0. */
int64_t render_newest(const struct render_entry *entries, size_t n);

/* Append the vetted link of si (link, else orig_link); false if none. */
bool render_item_link(const struct story_item *si, struct buf *out);
/* Append the vetted URL of si's feed when it is http(s); false if not. */
bool render_feed_url(const struct story_item *si, struct buf *out);
/* Append the vetted URL u (http/https only); false if unsafe or NULL. */
bool render_url(const char *u, struct buf *out);

/* Append the entry's fragment id on the HTML page: "story-" and the story
 * key when that is a plain token, else "s-" and the guid with every byte
 * but [A-Za-z0-9_-] written as ".XX" (hex). */
void render_anchor(struct buf *out, const struct render_entry *e);

/* Append the entry's title as plain text; an untitled item gets the start
 * of its summary, or "Untitled". */
void render_title(const struct render_entry *e, struct buf *out);
/* Append the visible credit line as plain text. */
void render_credit_text(const struct render_feed *f,
			const struct render_entry *e, struct buf *out);
/* The other wires that carried the story (unique, not the shown one):
 * returns their count and, when want < count, sets *si to the want-th. */
size_t render_also(const struct render_entry *e, size_t want,
		   const struct story_item **si);
/* Append "AP", "AP and AFP", "AP, AFP and BBC" (plain text). */
void render_also_text(const struct render_entry *e, struct buf *out);

/* Append the item's body as sanitized HTML (content when prefer_content
 * and present, else summary, else content), then the credit line, "Also
 * reported by" and the sign-off as HTML paragraphs. */
void render_body(const struct render_feed *f, const struct render_entry *e,
		 bool prefer_content, struct buf *out);
/* Append the entry's categories then tags, plain text, duplicates (ASCII
 * case-insensitive) dropped; each is passed to fn. */
typedef void (*render_term_fn)(struct buf *out, const char *term, void *ctx);
void render_terms(const struct render_entry *e, render_term_fn fn,
		  struct buf *out, void *ctx);

/* Append s XML-escaped after render_plain (plain text fields). */
void render_xml_plain(struct buf *out, const char *s);
/* True when s is a MIME type such as "audio/mpeg" (type "/" subtype, token
 * characters only). */
bool render_is_mime(const char *s);
/* True when s is a language tag such as "en" or "en-GB". */
bool render_is_lang(const char *s);

/* The item's language when it is a valid tag that differs from the feed's,
 * else NULL (borrowed from e). */
const char *render_entry_lang(const struct render_feed *f,
			      const struct render_entry *e);

/* 0, or WD_ETOOBIG when out went past its max. */
int render_finish(const struct buf *out);

#endif
