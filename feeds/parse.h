/* SPDX-License-Identifier: MIT */
/* feeds/parse.h: any feed document (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON
 * Feed) to normalized items, streaming: each document is read once. */
#ifndef WD_FEEDS_PARSE_H
#define WD_FEEDS_PARSE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/item.h"

/* Called once per item in document order. The item's strings are valid only
 * during the call (copy what you keep). Return 0 to go on, < 0 to stop. */
typedef int (*parse_item_fn)(void *ctx, const struct item *it);

/*
 * Expat's parser kept from one document to the next, with the buffer it
 * copies each document into: a run parses hundreds, and a new parser for
 * each allocates (and the kernel zeroes) that buffer again. Pass the same
 * one in parse_opts.reuse for each document of a run; one thread at a time.
 */
struct parse_reuse;

struct parse_reuse *parse_reuse_new(void);
void parse_reuse_free(struct parse_reuse *r);

struct parse_opts {
	const char *url;          /* document URL for relative links, or NULL */
	const char *content_type; /* HTTP Content-Type header, or NULL */
	size_t max_items;         /* stop after this many items; 0: no cap */
	const char *content_location; /* HTTP Content-Location (a base for
					 relative links), or NULL */
	const char *content_language; /* HTTP Content-Language (the feed's
					 language unless it says), or NULL */
	struct parse_reuse *reuse;    /* a parser to reuse, or NULL */
};

/*
 * Parse doc[0..len). Items go to on_item as they complete; the feed header
 * is written to *info (its strings live in arena a). Ill-formed documents
 * still return 0 with info->bozo set and the items read before the error;
 * WD_EPARSE only when nothing feed-like could be read at all (info->bozo_msg
 * says why).
 */
WD_NODISCARD int parse_feed(const char *doc, size_t len,
			    const struct parse_opts *opts,
			    parse_item_fn on_item, void *ctx, struct arena *a,
			    struct feed_info *info);

#endif
