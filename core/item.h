/* SPDX-License-Identifier: MIT */
/* core/item.h: the normalized feed item and feed header that every format
 * becomes, passed from feeds/ to aggregator/ to output/. */
#ifndef WD_CORE_ITEM_H
#define WD_CORE_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Absent time (dates that are missing or could not be parsed). */
#define WD_NOTIME INT64_MIN

struct enclosure {
	const char *url;  /* absolute */
	const char *type; /* MIME type or NULL */
	int64_t length;   /* bytes, or -1 */
};

/*
 * A plain record: all strings are UTF-8 and point into the arena of the
 * parse that produced them (see feeds/parse.h for their lifetime). NULL
 * means "not in the feed"; "" means present but empty.
 */
struct item {
	const char *id;       /* guid / atom:id exactly as in the feed */
	bool id_is_permalink; /* RSS guid isPermaLink (default true) */
	const char *title;    /* plain text */
	const char *link;     /* absolute URL (rel=alternate in Atom) */
	const char *orig_link; /* feedburner:origLink, absolute */
	const char *summary;  /* HTML */
	const char *content;  /* HTML */
	const char *author;   /* the author's name */
	const char *language; /* xml:lang or dc:language */
	const char *image;    /* media:thumbnail / media:content image URL */
	const char *const *categories;
	size_t ncategories;
	const struct enclosure *enclosures;
	size_t nenclosures;
	int64_t published; /* seconds since epoch, UTC, or WD_NOTIME */
	int64_t updated;   /* seconds since epoch, UTC, or WD_NOTIME */
	int64_t embargo;   /* not to be published before, or WD_NOTIME */
};

/* The feed's own header, filled while parsing. */
struct feed_info {
	const char *title;    /* plain text */
	const char *link;     /* absolute */
	const char *subtitle; /* plain text */
	const char *language;
	const char *image;    /* URL */
	int64_t updated;      /* or WD_NOTIME */
	int ttl;              /* RSS <ttl>, minutes; 0 if absent */
	int update_period;    /* sy:updatePeriod/Frequency, seconds; 0 if absent */
	const char *version;  /* feedparser vocabulary: rss20, atom10, ... */
	const char *encoding; /* encoding used to decode, IANA name */
	bool bozo;            /* ill-formed or needed recovery */
	const char *bozo_msg; /* one line naming the problem, or NULL */
	size_t nitems;        /* items handed to the callback */
};

#endif
