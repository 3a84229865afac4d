/* SPDX-License-Identifier: MIT */
/* feeds/urlres.h: relative links made absolute (xml:base, document URL),
 * in link elements and inside HTML content; parse stage. */
#ifndef WD_FEEDS_URLRES_H
#define WD_FEEDS_URLRES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* True when s starts with a URL scheme ("http:", "mailto:"...). */
bool urlres_is_absolute(const char *s);
/* ref resolved against base (either may be NULL); a malloc'd string the
 * caller frees, or NULL when neither is usable. */
char *urlres_resolve(const char *base, const char *ref);
/* True when html may hold a link attribute worth resolving. */
bool urlres_html_has_links(const char *html);
/* Append html[0..n) to out with the relative URLs of link attributes (href,
 * src, ...) resolved against base. */
void urlres_html(struct buf *out, const char *html, size_t n, const char *base);

#endif
