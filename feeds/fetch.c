/* SPDX-License-Identifier: MIT */
/* feeds/fetch.c: the fetch stage. Every queued request runs in parallel on
 * one libcurl multi handle; redirects are followed here, not by libcurl, so
 * that permanent moves and loops are known exactly. */
#include "feeds/fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/item.h"
#include "core/text.h"
#include "core/wdtime.h"
#include "core/xalloc.h"
#include "feeds/urlres.h"

#ifndef CURL_WRITEFUNC_ERROR
#define CURL_WRITEFUNC_ERROR 0
#endif

enum {
	FETCH_MAX_HOPS = 5,     /* redirects followed; the 6th fails */
	FETCH_MUX_FACTOR = 8,   /* requests per connection on HTTP/2 hosts */
	FETCH_ERRMSG_MAX = 512, /* one line of error text */
};

#define FETCH_DEFAULT_UA "wiredesk/" WD_VERSION

/* Connections per host name: what limits how many requests we hand to the
 * multi handle at once (see fill_window). */
struct host {
	char *name; /* "host:port" as in the URL, lower case */
	int inflight;
	bool multiplex; /* answered over HTTP/2 before */
};

/* One request from fetch_add until its done callback has returned. */
struct xfer {
	struct fetch_req req; /* strings owned */
	struct host *host;    /* NULL for local files */
	CURL *easy;
	struct curl_slist *headers;
	char *url; /* the current hop */
	char *visited[FETCH_MAX_HOPS + 1];
	int hops;
	bool perm_chain; /* every hop so far was 301/308 */
	char *moved_to;
	int64_t started_ms; /* monotonic, for the total timeout */
	struct buf body;
	bool toobig;
	bool plain;  /* counted in inflight_plain */
	size_t live; /* index in fetch.live */
	/* from the headers of the current hop's response */
	char *etag;
	char *last_modified;
	char *content_type;
	char *content_location; /* raw, resolved in finish */
	char *content_language;
	int64_t max_age; /* -1 when absent */
	int64_t age;     /* Age header, 0 when absent */
	int64_t date;    /* Date header, WD_NOTIME when absent */
	char *expires;   /* raw: converted once Date is known */
	char *retry_after;
	char errbuf[CURL_ERROR_SIZE];
};

struct fetch {
	struct fetch_opts opts;
	CURLM *multi;
	struct xfer **pending; /* queued, not yet handed to the multi */
	size_t npending;
	size_t cappending;
	struct host **hosts;
	size_t nhosts;
	struct xfer **live; /* handed to the multi, for fetch_free */
	size_t nlive;
	size_t caplive;
	int inflight_plain; /* in flight to hosts without HTTP/2 */
	int inflight;
	CURL **spare; /* easy handles kept for reuse */
	size_t nspare;
	size_t capspare;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
is_http_url(const char *s)
{
	return wd_strncasecmp(s, "http://", 7) == 0 ||
	       wd_strncasecmp(s, "https://", 8) == 0;
}

/* "scheme://" for a scheme other than http(s): refused, not read as a path. */
static bool
has_other_scheme(const char *s)
{
	const char *p = s;

	if (!wd_isalpha((unsigned char)*p))
		return false;
	while (wd_isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	       *p == '.')
		p++;
	return strncmp(p, "://", 3) == 0;
}

static char *
host_key(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	size_t n = strcspn(p, "/?#");
	const char *at = memchr(p, '@', n);

	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	char *s = xstrndup(p, n);

	for (char *q = s; *q; q++)
		*q = (char)wd_tolower((unsigned char)*q);
	return s;
}

static struct host *
host_get(struct fetch *f, const char *url)
{
	char *key = host_key(url);

	for (size_t i = 0; i < f->nhosts; i++) {
		if (strcmp(f->hosts[i]->name, key) == 0) {
			free(key);
			return f->hosts[i];
		}
	}
	struct host *h = xcalloc(1, sizeof(*h));

	h->name = key;
	f->hosts = xreallocarray(f->hosts, f->nhosts + 1, sizeof(*f->hosts));
	f->hosts[f->nhosts++] = h;
	return h;
}

static void
clear_headers(struct xfer *x)
{
	free(x->etag);
	free(x->last_modified);
	free(x->content_type);
	free(x->content_location);
	free(x->content_language);
	free(x->expires);
	free(x->retry_after);
	x->etag = x->last_modified = x->content_type = NULL;
	x->content_location = x->content_language = NULL;
	x->expires = x->retry_after = NULL;
	x->max_age = -1;
	x->age = 0;
	x->date = WD_NOTIME;
}

static void
xfer_free(struct xfer *x)
{
	if (!x)
		return;
	free((char *)x->req.url);
	free((char *)x->req.etag);
	free((char *)x->req.last_modified);
	curl_slist_free_all(x->headers);
	free(x->url);
	for (int i = 0; i <= FETCH_MAX_HOPS; i++)
		free(x->visited[i]);
	free(x->moved_to);
	buf_free(&x->body);
	clear_headers(x);
	free(x);
}

/* Parse a run of decimal digits into a non-negative count, saturating so a
 * hostile header cannot overflow the arithmetic that follows. */
static int64_t
parse_seconds(const char *s, size_t n)
{
	int64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!wd_isdigit((unsigned char)s[i]))
			return -1;
		if (v < INT64_C(10000000000))
			v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Cache-Control: we are a private cache, so max-age counts and s-maxage
 * does not; no-cache/no-store say nothing about when to come back. */
static void
parse_cache_control(struct xfer *x, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		while (i < n &&
		       (wd_isspace((unsigned char)v[i]) || v[i] == ','))
			i++;
		size_t start = i;

		while (i < n && v[i] != ',' && v[i] != '=' &&
		       !wd_isspace((unsigned char)v[i]))
			i++;
		size_t klen = i - start;

		while (i < n && wd_isspace((unsigned char)v[i]))
			i++;
		if (i < n && v[i] == '=') {
			i++;
			while (i < n && wd_isspace((unsigned char)v[i]))
				i++;
			bool quoted = i < n && v[i] == '"';

			if (quoted)
				i++;
			size_t vs = i;

			while (i < n && v[i] != ',' && v[i] != '"' &&
			       !wd_isspace((unsigned char)v[i]))
				i++;
			if (klen == 7 &&
			    wd_strncasecmp(v + start, "max-age", 7) == 0) {
				int64_t s = parse_seconds(v + vs, i - vs);

				if (s >= 0)
					x->max_age = s;
			}
			if (quoted && i < n && v[i] == '"')
				i++;
		}
		while (i < n && v[i] != ',')
			i++;
	}
}

static bool
header_is(const char *name, size_t nlen, const char *want)
{
	return strlen(want) == nlen && wd_strncasecmp(name, want, nlen) == 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	/* A status line starts a new response (1xx, or each hop): only the
	 * headers of the final response count. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		clear_headers(x);
		return len;
	}
	const char *colon = memchr(p, ':', len);

	if (!colon)
		return len;
	size_t nlen = (size_t)(colon - p);
	const char *v = colon + 1;
	const char *end = p + len;

	while (v < end && wd_isspace((unsigned char)*v))
		v++;
	while (end > v && wd_isspace((unsigned char)end[-1]))
		end--;
	size_t vlen = (size_t)(end - v);

	if (header_is(p, nlen, "etag")) {
		free(x->etag);
		x->etag = xstrndup(v, vlen);
	} else if (header_is(p, nlen, "last-modified")) {
		free(x->last_modified);
		x->last_modified = xstrndup(v, vlen);
	} else if (header_is(p, nlen, "content-type")) {
		free(x->content_type);
		x->content_type = xstrndup(v, vlen);
	} else if (header_is(p, nlen, "content-location")) {
		free(x->content_location);
		x->content_location = xstrndup(v, vlen);
	} else if (header_is(p, nlen, "content-language")) {
		free(x->content_language);
		x->content_language = xstrndup(v, vlen);
	} else if (header_is(p, nlen, "cache-control")) {
		parse_cache_control(x, v, vlen);
	} else if (header_is(p, nlen, "age")) {
		int64_t s = parse_seconds(v, vlen);

		x->age = s > 0 ? s : 0;
	} else if (header_is(p, nlen, "date")) {
		x->date = wd_date_parse(v, vlen);
	} else if (header_is(p, nlen, "expires")) {
		free(x->expires);
		x->expires = xstrndup(v, vlen);
	} else if (header_is(p, nlen, "retry-after")) {
		free(x->retry_after);
		x->retry_after = xstrndup(v, vlen);
	}
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	/* Past the cap we stop the transfer at once: libcurl hands us
	 * decompressed bytes, so a gzip bomb ends here too. */
	if (len > x->body.max - x->body.len) {
		x->toobig = true;
		return CURL_WRITEFUNC_ERROR;
	}
	buf_append(&x->body, p, len);
	return len;
}

/* One line into out[FETCH_ERRMSG_MAX]. */
static void __attribute__((format(printf, 2, 3)))
set_errmsg(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(out, FETCH_ERRMSG_MAX, fmt, ap);

	va_end(ap);
	if (n < 0)
		out[0] = '\0';
	/* a long message is cut, which is fine for a log line */
	for (char *p = out; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
}

/* Header lines built from stored validators; a value with CR or LF would
 * inject headers, so it is not sent at all. */
static void
add_header(struct curl_slist **list, const char *name, const char *value)
{
	if (!value || !*value || strpbrk(value, "\r\n"))
		return;
	struct buf b;

	buf_init(&b, 8192);
	buf_appendf(&b, "%s: %s", name, value);
	if (!buf_failed(&b))
		*list = curl_slist_append(*list, buf_str(&b));
	buf_free(&b);
}

static void
setup_easy(struct fetch *f, struct xfer *x)
{
	CURL *e = x->easy;
	const struct fetch_opts *o = &f->opts;

	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	if (o->low_speed_limit > 0 && o->low_speed_time > 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
				 o->low_speed_limit);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
	}
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	/* On HTTPS wait for a multiplexed HTTP/2 stream rather than open
	 * another connection; plain HTTP never multiplexes here. */
	if (wd_strncasecmp(x->url, "https://", 8) == 0)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	if (x->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
}

/* The total timeout covers all hops of one request. */
static void
set_hop_timeout(struct fetch *f, struct xfer *x)
{
	int64_t left =
	    f->opts.total_timeout * 1000 - (now_ms() - x->started_ms);

	if (left < 1)
		left = 1;
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)left);
}

static int
start_xfer(struct fetch *f, struct xfer *x)
{
	if (f->nspare) {
		x->easy = f->spare[--f->nspare];
		curl_easy_reset(x->easy);
	} else {
		x->easy = curl_easy_init();
		if (!x->easy)
			return WD_ENET;
	}
	x->started_ms = now_ms();
	x->errbuf[0] = '\0';
	setup_easy(f, x);
	set_hop_timeout(f, x);
	if (curl_multi_add_handle(f->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		return WD_ENET;
	}
	x->host->inflight++;
	f->inflight++;
	x->plain = !x->host->multiplex;
	if (x->plain)
		f->inflight_plain++;
	if (f->nlive == f->caplive) {
		f->caplive = f->caplive ? f->caplive * 2 : 64;
		f->live = xreallocarray(f->live, f->caplive, sizeof(*f->live));
	}
	x->live = f->nlive;
	f->live[f->nlive++] = x;
	return 0;
}

static void
release_easy(struct fetch *f, struct xfer *x)
{
	if (!x->easy)
		return;
	x->host->inflight--;
	f->inflight--;
	if (x->plain)
		f->inflight_plain--;
	f->live[x->live] = f->live[--f->nlive];
	f->live[x->live]->live = x->live;
	curl_multi_remove_handle(f->multi, x->easy);
	if (f->nspare == f->capspare) {
		f->capspare = f->capspare ? f->capspare * 2 : 16;
		f->spare =
		    xreallocarray(f->spare, f->capspare, sizeof(*f->spare));
	}
	f->spare[f->nspare++] = x->easy;
	x->easy = NULL;
}

static void
finish(struct fetch *f, struct xfer *x, int rc, const char *errmsg,
       fetch_done_fn done, void *ctx)
{
	struct fetch_res res;
	int64_t now = wd_now();
	/* Dates from the server are read against the server's own Date
	 * header, so a skewed clock on either side does not matter (RFC 9111
	 * 4.2.1 computes freshness the same way). */
	int64_t base = x->date != WD_NOTIME ? x->date : now;
	long status = 0;

	if (x->easy)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (!x->host)
		status = rc == 0 ? 200 : 0;
	memset(&res, 0, sizeof(res));
	res.rc = rc;
	res.errmsg = rc < 0 ? errmsg : NULL;
	res.status = status;
	res.body = rc == 0 ? buf_str(&x->body) : "";
	res.len = rc == 0 ? x->body.len : 0;
	res.etag = x->etag;
	res.last_modified = x->last_modified;
	res.content_type = x->content_type;
	res.final_url = x->url;
	/* relative to the URL that answered, as RFC 9110 8.7 says */
	char *location = NULL;

	if (x->content_location && *x->content_location)
		location = urlres_resolve(x->url, x->content_location);
	res.content_location = location;
	res.content_language = x->content_language;
	res.moved_to = rc == 0 ? x->moved_to : NULL;
	res.max_age = -1;
	if (x->max_age >= 0)
		res.max_age = x->max_age > x->age ? x->max_age - x->age : 0;
	res.expires = WD_NOTIME;
	if (x->expires) {
		int64_t t = wd_date_parse(x->expires, strlen(x->expires));

		if (t != WD_NOTIME)
			res.expires = now + (t - base);
	}
	res.retry_after = WD_NOTIME;
	if (x->retry_after) {
		size_t n = strlen(x->retry_after);
		int64_t s = parse_seconds(x->retry_after, n);

		if (s >= 0) {
			res.retry_after = now + s;
		} else {
			int64_t t = wd_date_parse(x->retry_after, n);

			if (t != WD_NOTIME)
				res.retry_after =
				    now + (t > base ? t - base : 0);
		}
	}
	if (x->host) {
		long ver = 0;

		if (x->easy && rc == 0)
			curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION, &ver);
		if (ver == CURL_HTTP_VERSION_2_0 || ver == CURL_HTTP_VERSION_3)
			x->host->multiplex = true;
	}
	if (done)
		done(ctx, &x->req, &res);
	free(location);
}

static void
read_local(struct fetch *f, struct xfer *x, fetch_done_fn done, void *ctx)
{
	char msg[FETCH_ERRMSG_MAX];
	const char *path = x->url;
	int rc = 0;

	if (strncmp(path, "file://", 7) == 0)
		path += 7;
	if (has_other_scheme(x->url) && strncmp(x->url, "file://", 7) != 0) {
		set_errmsg(msg, "unsupported protocol in %s", x->url);
		rc = WD_ENET;
		goto out;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		set_errmsg(msg, "%s: %s", path, strerror(errno));
		rc = WD_EIO;
		goto out;
	}
	char chunk[65536];

	for (;;) {
		ssize_t got = read(fd, chunk, sizeof(chunk));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			set_errmsg(msg, "%s: %s", path, strerror(errno));
			rc = WD_EIO;
			break;
		}
		if (got == 0)
			break;
		if ((size_t)got > x->body.max - x->body.len) {
			snprintf(msg, sizeof(msg), "body larger than %zu bytes",
				 x->body.max);
			rc = WD_ETOOBIG;
			break;
		}
		buf_append(&x->body, chunk, (size_t)got);
	}
	close(fd);
out:
	finish(f, x, rc, msg, done, ctx);
}

static void
push_pending(struct fetch *f, struct xfer *x)
{
	if (f->npending == f->cappending) {
		f->cappending = f->cappending ? f->cappending * 2 : 64;
		f->pending = xreallocarray(f->pending, f->cappending,
					   sizeof(*f->pending));
	}
	f->pending[f->npending++] = x;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
fetch_add(struct fetch *f, const struct fetch_req *req)
{
	struct xfer *x = xcalloc(1, sizeof(*x));

	x->req.url = xstrdup(req->url ? req->url : "");
	x->req.etag = dup_or_null(req->etag);
	x->req.last_modified = dup_or_null(req->last_modified);
	x->req.user = req->user;
	x->url = xstrdup(x->req.url);
	x->visited[0] = xstrdup(x->req.url);
	x->perm_chain = true;
	x->max_age = -1;
	x->date = WD_NOTIME;
	buf_init(&x->body, f->opts.max_body);
	if (is_http_url(x->url)) {
		add_header(&x->headers, "If-None-Match", x->req.etag);
		add_header(&x->headers, "If-Modified-Since",
			   x->req.last_modified);
	}
	push_pending(f, x);
}

int
fetch_new(const struct fetch_opts *opts, struct fetch **out)
{
	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return WD_ENET;
	struct fetch *f = xcalloc(1, sizeof(*f));

	if (opts)
		f->opts = *opts;
	if (f->opts.max_total <= 0)
		f->opts.max_total = 16;
	if (f->opts.max_per_host <= 0)
		f->opts.max_per_host = 4;
	if (f->opts.connect_timeout <= 0)
		f->opts.connect_timeout = 20;
	if (f->opts.total_timeout <= 0)
		f->opts.total_timeout = 120;
	if (f->opts.low_speed_limit == 0)
		f->opts.low_speed_limit = 100;
	if (f->opts.low_speed_time == 0)
		f->opts.low_speed_time = 30;
	if (f->opts.max_body == 0)
		f->opts.max_body = (size_t)16 << 20;
	f->opts.user_agent =
	    xstrdup(f->opts.user_agent ? f->opts.user_agent : FETCH_DEFAULT_UA);
	f->multi = curl_multi_init();
	if (!f->multi) {
		free((char *)f->opts.user_agent);
		free(f);
		curl_global_cleanup();
		return WD_ENET;
	}
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			  (long)f->opts.max_total);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
			  (long)f->opts.max_per_host);
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING,
			  (long)CURLPIPE_MULTIPLEX);
	*out = f;
	return 0;
}

/*
 * How many requests are handed to the multi handle at once. libcurl would
 * queue any number internally, but a queued handle's total timeout already
 * runs and each costs a receive buffer, so we hand over only what can run:
 * max_per_host per host and max_total in all, except that a host seen
 * speaking HTTP/2 takes FETCH_MUX_FACTOR times more (streams share its
 * connections). Requests skipped for a busy host keep their place.
 */
static bool
can_start(const struct fetch *f, const struct xfer *x)
{
	const struct host *h = x->host;

	if (h->multiplex)
		return h->inflight < f->opts.max_per_host * FETCH_MUX_FACTOR &&
		       f->inflight < f->opts.max_total * FETCH_MUX_FACTOR;
	return h->inflight < f->opts.max_per_host &&
	       f->inflight_plain < f->opts.max_total;
}

static void
fill_window(struct fetch *f, fetch_done_fn done, void *ctx, bool *added)
{
	size_t keep = 0;
	size_t nfailed = 0;
	struct xfer **failed = NULL;

	for (size_t i = 0; i < f->npending; i++) {
		struct xfer *x = f->pending[i];

		if (!x->host && is_http_url(x->url))
			x->host = host_get(f, x->url);
		if (!x->host || !can_start(f, x)) {
			f->pending[keep++] = x;
			continue;
		}
		if (start_xfer(f, x) == 0) {
			*added = true;
			continue;
		}
		failed = xreallocarray(failed, nfailed + 1, sizeof(*failed));
		failed[nfailed++] = x;
	}
	f->npending = keep;
	/* Called once the queue is consistent again: done may fetch_add. */
	for (size_t i = 0; i < nfailed; i++) {
		finish(f, failed[i], WD_ENET, "could not start the transfer",
		       done, ctx);
		xfer_free(failed[i]);
	}
	free(failed);
}

/* Local files are read synchronously, after the network requests have
 * been started. Taken out of the queue first: done may call fetch_add. */
static void
run_local(struct fetch *f, fetch_done_fn done, void *ctx)
{
	size_t keep = 0;
	size_t nlocal = 0;
	struct xfer **local = xcalloc(f->npending + 1, sizeof(*local));

	for (size_t i = 0; i < f->npending; i++) {
		struct xfer *x = f->pending[i];

		if (is_http_url(x->url))
			f->pending[keep++] = x;
		else
			local[nlocal++] = x;
	}
	f->npending = keep;
	for (size_t i = 0; i < nlocal; i++) {
		read_local(f, local[i], done, ctx);
		xfer_free(local[i]);
	}
	free(local);
}

static bool
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/* Returns true when the transfer went on to the next hop. */
static bool
follow(struct fetch *f, struct xfer *x, long status, char *msg, int *rc)
{
	char *loc = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
	if (!loc || !*loc)
		return false;
	if (x->hops == FETCH_MAX_HOPS) {
		snprintf(msg, FETCH_ERRMSG_MAX,
			 "too many redirects (more than %d)", FETCH_MAX_HOPS);
		*rc = WD_ENET;
		return false;
	}
	for (int i = 0; i <= x->hops; i++) {
		if (strcmp(x->visited[i], loc) == 0) {
			set_errmsg(msg, "redirect loop at %s", loc);
			*rc = WD_ENET;
			return false;
		}
	}
	if (!is_http_url(loc)) {
		set_errmsg(msg, "redirect to a refused protocol: %s", loc);
		*rc = WD_ENET;
		return false;
	}
	x->visited[++x->hops] = xstrdup(loc);
	if (x->perm_chain && (status == 301 || status == 308)) {
		free(x->moved_to);
		x->moved_to = xstrdup(loc);
	} else {
		x->perm_chain = false;
	}
	free(x->url);
	x->url = xstrdup(loc);
	curl_multi_remove_handle(f->multi, x->easy);
	buf_free(&x->body);
	buf_init(&x->body, f->opts.max_body);
	clear_headers(x);
	x->errbuf[0] = '\0';
	curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	curl_easy_setopt(x->easy, CURLOPT_PIPEWAIT,
			 wd_strncasecmp(x->url, "https://", 8) == 0 ? 1L : 0L);
	set_hop_timeout(f, x);
	if (curl_multi_add_handle(f->multi, x->easy) != CURLM_OK) {
		snprintf(msg, FETCH_ERRMSG_MAX, "could not restart transfer");
		*rc = WD_ENET;
		return false;
	}
	return true;
}

static void
on_done(struct fetch *f, struct xfer *x, CURLcode cc, fetch_done_fn done,
	void *ctx)
{
	char msg[FETCH_ERRMSG_MAX];
	int rc = 0;
	long status = 0;

	msg[0] = '\0';
	if (cc == CURLE_OK) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		if (is_redirect(status) && follow(f, x, status, msg, &rc))
			return;
	} else if (x->toobig) {
		snprintf(msg, sizeof(msg), "body larger than %zu bytes",
			 f->opts.max_body);
		rc = WD_ETOOBIG;
	} else {
		set_errmsg(msg, "%s",
			   x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
		rc = WD_ENET;
	}
	finish(f, x, rc, msg, done, ctx);
	release_easy(f, x);
	xfer_free(x);
}

int
fetch_run(struct fetch *f, fetch_done_fn done, void *ctx)
{
	bool added = false;
	int running = 0;

	fill_window(f, done, ctx, &added);
	if (curl_multi_perform(f->multi, &running) != CURLM_OK)
		return WD_ENET;
	run_local(f, done, ctx);
	for (;;) {
		added = false;
		if (curl_multi_perform(f->multi, &running) != CURLM_OK)
			return WD_ENET;
		CURLMsg *m;
		int left;

		while ((m = curl_multi_info_read(f->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct xfer *x = NULL;
			CURLcode cc = m->data.result;

			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &x);
			on_done(f, x, cc, done, ctx);
			added = true; /* a hop may have been re-added */
		}
		/* done may have queued local files or new requests */
		run_local(f, done, ctx);
		fill_window(f, done, ctx, &added);
		if (f->inflight == 0 && f->npending == 0)
			break;
		if (added)
			continue;
		if (curl_multi_poll(f->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			return WD_ENET;
	}
	return 0;
}

void
fetch_free(struct fetch *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->npending; i++)
		xfer_free(f->pending[i]);
	free(f->pending);
	for (size_t i = 0; i < f->nspare; i++)
		curl_easy_cleanup(f->spare[i]);
	free(f->spare);
	for (size_t i = 0; i < f->nlive; i++) {
		curl_multi_remove_handle(f->multi, f->live[i]->easy);
		curl_easy_cleanup(f->live[i]->easy);
		xfer_free(f->live[i]);
	}
	free(f->live);
	curl_multi_cleanup(f->multi);
	for (size_t i = 0; i < f->nhosts; i++) {
		free(f->hosts[i]->name);
		free(f->hosts[i]);
	}
	free(f->hosts);
	free((char *)f->opts.user_agent);
	free(f);
	curl_global_cleanup();
}
