/* SPDX-License-Identifier: MIT */
/* feeds/fetch.h: download many feed bodies at once (libcurl multi), with
 * conditional GET, limits, and local files for paths. */
#ifndef WD_FEEDS_FETCH_H
#define WD_FEEDS_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Zero fields take the default in brackets. */
struct fetch_opts {
	int max_total;          /* connections in total [16] */
	int max_per_host;       /* connections per host:port [4] */
	long connect_timeout;   /* seconds [20] */
	long total_timeout;     /* seconds, all redirect hops together [120] */
	long low_speed_limit;   /* bytes/s below which ... [100]; < 0: off */
	long low_speed_time;    /* ... for this many seconds aborts [30] */
	size_t max_body;        /* bytes, after decompression [16 MiB] */
	const char *user_agent; /* full User-Agent value ["wiredesk/VERSION"] */
};

/* One request. Strings are borrowed until fetch_add returns. */
struct fetch_req {
	const char *url;           /* http(s) URL, or a local file path */
	const char *etag;          /* sent as If-None-Match, or NULL */
	const char *last_modified; /* sent as If-Modified-Since, or NULL */
	void *user;                /* handed back in the callback */
};

/*
 * The outcome; strings are borrowed for the duration of the callback.
 * rc < 0: DNS, connect, TLS, timeout, truncated body, redirect loop or
 * more than 5 hops (WD_ENET), body over max_body (WD_ETOOBIG), local file
 * unreadable (WD_EIO); body is then "" and moved_to NULL. rc 0: an HTTP
 * response arrived, whatever its status (304, 410, 429, 500...): the
 * caller decides. Headers are those of the final response only.
 */
struct fetch_res {
	int rc;             /* 0, or WD_ENET / WD_ETOOBIG / WD_EIO */
	const char *errmsg; /* one line when rc < 0, else NULL */
	long status;        /* HTTP status (0: none); 200 for local files */
	const char *body;   /* NUL-terminated, decompressed */
	size_t len;
	const char *etag;          /* as received, or NULL */
	const char *last_modified; /* as received, or NULL */
	const char *content_type;  /* as received (with charset), or NULL */
	const char *final_url;     /* after redirects */
	const char *moved_to;      /* set when 301/308 hops from the first
				      request moved the feed: the target of
				      the last such hop before any 302/307 */
	int64_t max_age;           /* Cache-Control max-age minus Age,
				      seconds, or -1 */
	int64_t expires;           /* Expires, epoch seconds on our clock
				      (read against the Date header), or
				      WD_NOTIME */
	int64_t retry_after;       /* Retry-After (seconds or date), epoch
				      seconds on our clock, or WD_NOTIME */
	/* Content-Location made absolute against final_url, or NULL */
	const char *content_location;
	/* Content-Language as received ("en", "de, fr"), or NULL */
	const char *content_language;
};

typedef void (*fetch_done_fn)(void *ctx, const struct fetch_req *req,
			      const struct fetch_res *res);

struct fetch;

/* opts may be NULL for the defaults. Returns 0 or WD_ENET. */
WD_NODISCARD int fetch_new(const struct fetch_opts *opts, struct fetch **out);
/* Queue a request (req is copied). May be called from the callback. */
void fetch_add(struct fetch *f, const struct fetch_req *req);
/* Run every queued request in parallel within the limits, calling done as
 * each one finishes (on this thread). Returns 0 or WD_ENET if libcurl
 * itself failed. */
WD_NODISCARD int fetch_run(struct fetch *f, fetch_done_fn done, void *ctx);
void fetch_free(struct fetch *f); /* NULL is a no-op */

#endif
