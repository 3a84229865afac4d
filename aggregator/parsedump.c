/* SPDX-License-Identifier: MIT */
/* aggregator/parsedump.c: `wiredesk parse`: fetch or read one feed, parse
 * it, print it (JSON for tools, lines for people). */
#include "aggregator/parsedump.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/item.h"
#include "core/text.h"
#include "core/wdtime.h"
#include "feeds/fetch.h"
#include "feeds/parse.h"

struct dump {
	FILE *out;
	bool json;
	size_t n;
	struct buf b;
	int status;
};

static void
json_date(struct buf *b, int64_t t)
{
	char s[32];

	if (t == WD_NOTIME) {
		buf_puts(b, "null");
		return;
	}
	wd_time_rfc3339(t, s);
	wd_json_str(b, s);
}

static void
json_key(struct buf *b, const char *key, const char *val)
{
	wd_json_str(b, key);
	buf_putc(b, ':');
	wd_json_str(b, val);
}

static int
dump_item(void *ctx, const struct item *it)
{
	struct dump *d = ctx;
	struct buf *b = &d->b;

	buf_reset(b);
	if (!d->json) {
		char s[32] = "-";

		if (it->published != WD_NOTIME)
			wd_time_rfc3339(it->published, s);
		fprintf(d->out, "%s  %s\n    %s\n", s,
			it->title ? it->title : "(no title)",
			it->link ? it->link
			: it->id ? it->id
				 : "");
		d->n++;
		return 0;
	}
	if (d->n++)
		buf_putc(b, ',');
	buf_putc(b, '{');
	json_key(b, "id", it->id);
	buf_putc(b, ',');
	json_key(b, "title", it->title);
	buf_putc(b, ',');
	json_key(b, "link", it->link);
	buf_putc(b, ',');
	json_key(b, "summary", it->summary);
	buf_putc(b, ',');
	json_key(b, "content", it->content);
	buf_puts(b, ",\"published\":");
	json_date(b, it->published);
	buf_puts(b, ",\"updated\":");
	json_date(b, it->updated);
	buf_putc(b, ',');
	json_key(b, "author", it->author);
	buf_putc(b, ',');
	json_key(b, "language", it->language);
	buf_putc(b, ',');
	json_key(b, "image", it->image);
	buf_puts(b, ",\"categories\":[");
	for (size_t i = 0; i < it->ncategories; i++) {
		if (i)
			buf_putc(b, ',');
		wd_json_str(b, it->categories[i]);
	}
	buf_puts(b, "],\"enclosures\":[");
	for (size_t i = 0; i < it->nenclosures; i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '{');
		json_key(b, "url", it->enclosures[i].url);
		buf_putc(b, ',');
		json_key(b, "type", it->enclosures[i].type);
		buf_appendf(b, ",\"length\":%lld}",
			    (long long)it->enclosures[i].length);
	}
	buf_puts(b, "]}");
	if (buf_failed(b)) {
		/* an item too big to print: print it empty rather than cut */
		buf_reset(b);
		buf_puts(b, d->n > 1 ? ",{}" : "{}");
	}
	fwrite(b->data, 1, b->len, d->out);
	return 0;
}

static void
dump_feed(struct dump *d, int rc, const struct feed_info *fi)
{
	struct buf *b = &d->b;

	buf_reset(b);
	if (!d->json) {
		fprintf(d->out, "%s (%s, %zu items)%s%s\n",
			fi->title ? fi->title : "(no title)",
			fi->version ? fi->version : "unknown format",
			fi->nitems, fi->bozo ? ": " : "",
			fi->bozo && fi->bozo_msg ? fi->bozo_msg : "");
		return;
	}
	buf_puts(b, "],\"feed\":{");
	json_key(b, "title", fi->title);
	buf_putc(b, ',');
	json_key(b, "link", fi->link);
	buf_putc(b, ',');
	json_key(b, "subtitle", fi->subtitle);
	buf_puts(b, ",\"updated\":");
	json_date(b, fi->updated);
	buf_putc(b, ',');
	json_key(b, "language", fi->language);
	buf_putc(b, ',');
	json_key(b, "image", fi->image);
	buf_appendf(b, ",\"ttl\":%d},\"bozo\":%s,", fi->ttl,
		    fi->bozo || rc < 0 ? "true" : "false");
	json_key(b, "bozo_msg", fi->bozo_msg);
	buf_putc(b, ',');
	json_key(b, "encoding", fi->encoding);
	buf_putc(b, ',');
	json_key(b, "version", fi->version ? fi->version : "");
	buf_puts(b, "}\n");
	fwrite(b->data, 1, b->len, d->out);
}

static void
dump_doc(struct dump *d, const char *body, size_t len,
	 const struct parse_opts *opts)
{
	struct arena *a = arena_new();
	struct feed_info fi;

	if (d->json)
		fputs("{\"entries\":[", d->out);
	int rc = parse_feed(body, len, opts, dump_item, d, a, &fi);

	dump_feed(d, rc, &fi);
	arena_free(a);
}

static void
on_fetched(void *ctx, const struct fetch_req *req, const struct fetch_res *res)
{
	struct dump *d = ctx;

	if (res->rc < 0) {
		fprintf(stderr, "wiredesk: parse: %s: %s\n", req->url,
			res->errmsg ? res->errmsg : wd_strerror(res->rc));
		d->status = 2;
		return;
	}
	if (res->status >= 400) {
		/* an error page is not the feed: the input could not be read */
		fprintf(stderr, "wiredesk: parse: %s: HTTP %ld\n", req->url,
			res->status);
		d->status = 2;
		return;
	}
	struct parse_opts opts = {
	    .url = res->final_url ? res->final_url : req->url,
	    .content_type = res->content_type,
	    .content_location = res->content_location,
	    .content_language = res->content_language,
	};

	dump_doc(d, res->body, res->len, &opts);
}

/*
 * The value of header name in a flat JSON object of strings such as
 * {"Content-Location": "/feed/"} (how the conformance harness passes HTTP
 * headers for local files). Only \" and \\ escapes are understood, which
 * is enough for header values.
 */
static bool
json_header(const char *json, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);

	for (const char *p = strchr(json, '"'); p; p = strchr(p + 1, '"')) {
		if (wd_strncasecmp(p + 1, name, n) != 0 || p[n + 1] != '"')
			continue;
		const char *v = p + n + 2;

		while (wd_isspace((unsigned char)*v) || *v == ':')
			v++;
		if (*v != '"')
			return false;
		size_t len = 0;

		for (v++; *v && *v != '"' && len + 1 < size; v++) {
			if (*v == '\\' && v[1])
				v++;
			out[len++] = *v;
		}
		out[len] = '\0';
		return true;
	}
	return false;
}

static int
read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return WD_EIO;
	char tmp[65536];
	size_t n;

	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(b, tmp, n);
	int rc = ferror(f) ? WD_EIO : buf_failed(b) ? WD_ETOOBIG : 0;

	fclose(f);
	return rc;
}

int
parsedump_run(const char *src, bool json, FILE *out)
{
	struct dump d = {.out = out, .json = json};

	buf_init(&d.b, 64 * 1024 * 1024);
	if (wd_strncasecmp(src, "http://", 7) == 0 ||
	    wd_strncasecmp(src, "https://", 8) == 0) {
		struct fetch *f;
		int rc = fetch_new(NULL, &f);

		if (rc < 0) {
			d.status = 2;
			goto out;
		}
		struct fetch_req req = {.url = src};

		fetch_add(f, &req);
		rc = fetch_run(f, on_fetched, &d);
		if (rc < 0)
			d.status = 2;
		fetch_free(f);
		goto out;
	}
	struct buf body;

	buf_init(&body, 256 * 1024 * 1024);
	int rc = read_file(src, &body);

	if (rc < 0) {
		fprintf(stderr, "wiredesk: parse: %s: %s\n", src,
			wd_strerror(rc));
		d.status = 2;
	} else {
		const char *url = getenv("FEED_URL");
		const char *ct = getenv("FEED_CONTENT_TYPE");
		const char *hdrs = getenv("FEED_HTTP_HEADERS");
		char loc[2048], lang[256];
		struct parse_opts opts = {
		    .url = url && *url ? url : NULL,
		    .content_type = ct && *ct ? ct : NULL,
		};

		if (hdrs &&
		    json_header(hdrs, "Content-Location", loc, sizeof(loc)))
			opts.content_location = loc;
		if (hdrs &&
		    json_header(hdrs, "Content-Language", lang, sizeof(lang)))
			opts.content_language = lang;
		dump_doc(&d, buf_str(&body), body.len, &opts);
	}
	buf_free(&body);
out:
	fflush(out);
	buf_free(&d.b);
	return d.status;
}
