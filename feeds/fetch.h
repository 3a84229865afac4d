/* SPDX-License-Identifier: MIT */
/* feeds/fetch.h: download many feed bodies at once (libcurl multi), with
 * conditional GET, limits, and local files for paths. */
#ifndef WD_FEEDS_FETCH_H
#define WD_FEEDS_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct fetch_opts {
	int max_total;          /* connections in total (default 16) */
	int max_per_host;       /* per host (default 4) */
	long connect_timeout;   /* seconds (default 20) */
	long total_timeout;     /* seconds (default 120) */
	long low_speed_limit;   /* bytes/s below which ... (default 100) */
	long low_speed_time;    /* ... for this many seconds aborts (30) */
	size_t max_body;        /* bytes, after decompression (16 MiB) */
	const char *user_agent; /* full User-Agent header value */
};

/* One request. Strings are borrowed until its done callback returns. */
struct fetch_req {
	const char *url;           /* http(s) URL or a local file path */
	const char *etag;          /* sent as If-None-Match, or NULL */
	const char *last_modified; /* sent as If-Modified-Since, or NULL */
	void *user;                /* handed back in the callback */
};

/* The outcome; strings are borrowed for the duration of the callback. */
struct fetch_res {
	int rc;             /* 0, or WD_ENET / WD_ETOOBIG / WD_EIO */
	const char *errmsg; /* one line when rc < 0 */
	long status;        /* HTTP status; 200 for local files */
	const char *body;   /* NUL-terminated */
	size_t len;
	const char *etag;          /* as received, or NULL */
	const char *last_modified; /* as received, or NULL */
	const char *content_type;  /* or NULL */
	const char *final_url;     /* after redirects */
	const char *moved_to;      /* set when a 301/308 moved the feed */
	int64_t max_age;           /* Cache-Control max-age seconds, or -1 */
	int64_t expires;           /* Expires as epoch seconds, or WD_NOTIME */
	int64_t retry_after;       /* Retry-After as epoch seconds, or
				      WD_NOTIME */
};

typedef void (*fetch_done_fn)(void *ctx, const struct fetch_req *req,
			      const struct fetch_res *res);

struct fetch;

/* opts may be NULL for the defaults. */
WD_NODISCARD int fetch_new(const struct fetch_opts *opts, struct fetch **out);
/* Queue a request (req is copied). */
void fetch_add(struct fetch *f, const struct fetch_req *req);
/* Run every queued request in parallel within the limits, calling done as
 * each one finishes (on this thread). Returns 0 or WD_ENET if libcurl
 * itself failed. */
WD_NODISCARD int fetch_run(struct fetch *f, fetch_done_fn done, void *ctx);
void fetch_free(struct fetch *f); /* NULL is a no-op */

#endif
