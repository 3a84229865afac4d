/* SPDX-License-Identifier: MIT */
/* feeds/canon.h: canonical links for story identity (feeds stage): one URL
 * for an article however a feed spells, tracks or proxies its link. */
#ifndef WD_FEEDS_CANON_H
#define WD_FEEDS_CANON_H

#include "core/item.h"

/*
 * The canonical form of url: scheme and host lowercased (IDN hosts in
 * punycode), default port, user info and fragment dropped (except "#!"
 * routes), dot segments resolved, tracking parameters (utm_*, fbclid,
 * gclid, ref, ...) removed with the others kept in order, an empty query
 * dropped, percent-encoding normalized. Returns a malloc'd string the
 * caller frees, or NULL when url is not an absolute http(s) URL.
 */
char *canon_link(const char *url);

/* The link that names it: feedburner:origLink over a proxy link, else the
 * link, else a permalink guid; NULL when none. Borrowed from it. */
const char *canon_pick_link(const struct item *it);

/* canon_link of the first of those candidates that is an http(s) URL; a
 * malloc'd string the caller frees, or NULL. */
char *canon_item_link(const struct item *it);

#endif
