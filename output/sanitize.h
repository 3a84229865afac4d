/* SPDX-License-Identifier: MIT */
/* output/sanitize.h: make wire HTML safe to republish (an allowlist over
 * libxml2's HTML parser), turn HTML into plain text, and vet URLs. */
#ifndef WD_OUTPUT_SANITIZE_H
#define WD_OUTPUT_SANITIZE_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"

/* Append url to out, cleaned and made absolute against base (an absolute
 * http(s) URL, or NULL), when it is an http(s) URL (or mailto: when
 * allow_mailto). Returns 0, or WD_EINVAL with out unchanged for anything
 * else (javascript:, data:, relative without a base, control chars). */
WD_NODISCARD int sanitize_url(const char *url, const char *base,
			      bool allow_mailto, struct buf *out);

/* True when url is an absolute http(s) URL that sanitize_url keeps. */
bool sanitize_url_is_http(const char *url);

/* Append html (a fragment, UTF-8) to out keeping only allowlisted elements
 * and attributes; URLs are vetted with sanitize_url against base and links
 * get rel="noopener". The result is well-formed and XML-safe. Returns 0 or
 * WD_EPARSE (out unchanged) when libxml2 cannot read the input at all. */
WD_NODISCARD int sanitize_html(const char *html, const char *base,
			       struct buf *out);

/* Append the text of html (tags dropped, entities decoded, whitespace
 * collapsed to single spaces, trimmed), at most max_bytes bytes cut at a
 * character boundary with "…" added when cut (0: no limit). Returns 0 or
 * WD_EPARSE. */
WD_NODISCARD int sanitize_text(const char *html, size_t max_bytes,
			       struct buf *out);

#endif
