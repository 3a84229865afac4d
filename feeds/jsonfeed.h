/* SPDX-License-Identifier: MIT */
/* feeds/jsonfeed.h: JSON Feed 1.0 and 1.1 documents to normalized items;
 * parse stage (called by parse_feed, which sniffs the format). */
#ifndef WD_FEEDS_JSONFEED_H
#define WD_FEEDS_JSONFEED_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/item.h"
#include "feeds/parse.h"

/* Like parse_feed for a UTF-8 JSON document; info was initialized by the
 * caller (encoding, bozo) and is completed here. */
WD_NODISCARD int jsonfeed_parse(const char *doc, size_t len,
				const struct parse_opts *opts,
				parse_item_fn on_item, void *ctx,
				struct arena *a, struct feed_info *info);

#endif
