/* SPDX-License-Identifier: MIT */
/* output/jsonfeed.c: the JSON Feed 1.1 writer of the render module. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/text.h"
#include "core/wdtime.h"
#include "output/render-int.h"
#include "output/render.h"
#include "output/sanitize.h"

/*
 * A JSON string, like wd_json_str but with '<', '>' and '&' written as
 * \u escapes (and U+2028/2029, which old JavaScript parsers reject): the
 * value is the same, and a reader that pastes a title into HTML unescaped,
 * or a page that inlines the feed, still gets no markup from us.
 */
static void
json_str(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			buf_puts(out, "\\\"");
			break;
		case '\\':
			buf_puts(out, "\\\\");
			break;
		case '\n':
			buf_puts(out, "\\n");
			break;
		case '\t':
			buf_puts(out, "\\t");
			break;
		case '<':
			buf_puts(out, "\\u003c");
			break;
		case '>':
			buf_puts(out, "\\u003e");
			break;
		case '&':
			buf_puts(out, "\\u0026");
			break;
		default:
			if (*p < 0x20) {
				buf_appendf(out, "\\u%04x", *p);
			} else if (p[0] == 0xe2 && p[1] == 0x80 &&
				   (p[2] == 0xa8 || p[2] == 0xa9)) {
				buf_appendf(out, "\\u%04x",
					    0x2000 + (p[2] - 0x80));
				p += 2;
			} else {
				buf_putc(out, (char)*p);
			}
		}
	}
	buf_putc(out, '"');
}

/* Append ",\n" + indent + "\"key\": " (the first member has no comma). */
static void
put_key(struct buf *out, bool *first, const char *indent, const char *key)
{
	buf_puts(out, *first ? "\n" : ",\n");
	*first = false;
	buf_puts(out, indent);
	json_str(out, key);
	buf_puts(out, ": ");
}

/* "key": "plain text" */
static void
put_plain(struct buf *out, bool *first, const char *indent, const char *key,
	  const char *s)
{
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	render_plain(&t, s);
	put_key(out, first, indent, key);
	json_str(out, buf_str(&t));
	buf_free(&t);
}

/* "key": "url" when url is a safe http(s) URL */
static void
put_url(struct buf *out, bool *first, const char *indent, const char *key,
	const char *url)
{
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	if (render_url(url, &t)) {
		put_key(out, first, indent, key);
		json_str(out, buf_str(&t));
	}
	buf_free(&t);
}

static void
put_date(struct buf *out, bool *first, const char *indent, const char *key,
	 int64_t t)
{
	char iso[32];

	wd_time_rfc3339(t, iso);
	put_key(out, first, indent, key);
	json_str(out, iso);
}

struct tag_ctx {
	bool first;
};

static void
put_tag(struct buf *out, const char *term, void *ctx)
{
	struct tag_ctx *c = ctx;

	buf_puts(out, c->first ? "" : ", ");
	c->first = false;
	json_str(out, term);
}

/* The "_wiredesk" extension: machine-readable attribution. */
static void
put_extension(struct buf *out, const struct render_feed *f,
	      const struct render_entry *e)
{
	static const char in[] = "      ";
	const struct story_item *si = &e->story->items[0];
	bool first = true;
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	buf_puts(out, ",\n    \"_wiredesk\": {");
	put_plain(out, &first, in, "source", render_source(si));
	put_url(out, &first, in, "source_url", si->feed_url);
	if (si->feed_title && si->feed_title[0])
		put_plain(out, &first, in, "source_title", si->feed_title);
	render_credit_text(f, e, &t);
	put_plain(out, &first, in, "credit", buf_str(&t));
	if (f->signoff && f->signoff[0])
		put_plain(out, &first, in, "signoff", f->signoff);
	put_key(out, &first, in, "also");
	buf_putc(out, '[');
	size_t n = render_also(e, SIZE_MAX, NULL);

	for (size_t i = 0; i < n; i++) {
		const struct story_item *o = NULL;

		render_also(e, i, &o);
		buf_puts(out, i ? ", {\"source\": " : "{\"source\": ");
		buf_reset(&t);
		render_plain(&t, render_source(o));
		json_str(out, buf_str(&t));
		buf_reset(&t);
		if (render_item_link(o, &t)) {
			buf_puts(out, ", \"url\": ");
			json_str(out, buf_str(&t));
		}
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
	if (e->story->key)
		put_plain(out, &first, in, "story", e->story->key);
	buf_puts(out, "\n    }");
	buf_free(&t);
}

/* The item's anchor on the HTML page, as html.c writes it. */
static void
put_page_url(struct buf *out, const struct render_feed *f,
	     const struct render_entry *e)
{
	render_self_url(f, ".html", out);
	buf_putc(out, '#');
	render_anchor(out, e);
}

static void
put_attachments(struct buf *out, bool *first, const struct item *it)
{
	struct buf u;
	size_t shown = 0;

	buf_init(&u, RENDER_TEXT_MAX);
	for (size_t i = 0; i < it->nenclosures; i++) {
		const struct enclosure *en = &it->enclosures[i];

		buf_reset(&u);
		if (!render_url(en->url, &u))
			continue;
		if (shown++ == 0) {
			put_key(out, first, "    ", "attachments");
			buf_putc(out, '[');
		} else {
			buf_puts(out, ", ");
		}
		buf_puts(out, "{\"url\": ");
		json_str(out, buf_str(&u));
		buf_puts(out, ", \"mime_type\": ");
		json_str(out, render_is_mime(en->type)
				  ? en->type
				  : "application/octet-stream");
		if (en->length > 0)
			buf_appendf(out, ", \"size_in_bytes\": %lld",
				    (long long)en->length);
		buf_putc(out, '}');
	}
	if (shown)
		buf_putc(out, ']');
	buf_free(&u);
}

static void
put_item(struct buf *out, const struct render_feed *f,
	 const struct render_entry *e)
{
	static const char in[] = "    ";
	const struct story_item *si = &e->story->items[0];
	const struct item *it = &si->item;
	bool first = true;
	struct buf t, link;

	buf_init(&t, RENDER_TEXT_MAX);
	buf_init(&link, RENDER_TEXT_MAX);
	buf_puts(out, "{");
	render_plain(&t, e->guid ? e->guid : e->story->key);
	if (t.len == 0)
		buf_appendf(&t, "story-%lld", (long long)e->story->id);
	put_key(out, &first, in, "id");
	json_str(out, buf_str(&t));
	/* a linkblog: url is our page, external_url the wire's story */
	bool has_link = render_item_link(si, &link);

	buf_reset(&t);
	if (f->self_base && render_self_url(f, ".html", &t)) {
		buf_reset(&t);
		put_page_url(&t, f, e);
		put_key(out, &first, in, "url");
		json_str(out, buf_str(&t));
		if (has_link) {
			put_key(out, &first, in, "external_url");
			json_str(out, buf_str(&link));
		}
	} else if (has_link) {
		put_key(out, &first, in, "url");
		json_str(out, buf_str(&link));
	}
	buf_reset(&t);
	render_title(e, &t);
	put_key(out, &first, in, "title");
	json_str(out, buf_str(&t));
	buf_reset(&t);
	render_body(f, e, true, &t);
	put_key(out, &first, in, "content_html");
	json_str(out, buf_str(&t));
	buf_reset(&t);
	if (sanitize_text(it->summary && it->summary[0] ? it->summary
							: it->content,
			  RENDER_SUMMARY_MAX, &t) == 0 &&
	    t.len > 0)
		put_plain(out, &first, in, "summary", buf_str(&t));
	put_url(out, &first, in, "image", it->image);
	put_attachments(out, &first, it);
	put_date(out, &first, in, "date_published", render_published(e));
	put_date(out, &first, in, "date_modified", render_updated(e));
	buf_reset(&t);
	render_plain(&t, it->author);
	if (t.len == 0)
		render_plain(&t, render_source(si));
	put_key(out, &first, in, "authors");
	buf_puts(out, "[{\"name\": ");
	json_str(out, buf_str(&t));
	buf_puts(out, "}]");
	put_key(out, &first, in, "tags");
	buf_putc(out, '[');
	struct tag_ctx tc = {.first = true};

	render_terms(e, put_tag, out, &tc);
	buf_putc(out, ']');
	if (render_is_lang(it->language))
		put_plain(out, &first, in, "language", it->language);
	put_extension(out, f, e);
	buf_puts(out, "\n  }");
	buf_free(&link);
	buf_free(&t);
}

int
render_json(const struct render_feed *f, const struct render_entry *entries,
	    size_t n, struct buf *out)
{
	static const char in[] = "  ";
	bool first = true;
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	buf_putc(out, '{');
	put_key(out, &first, in, "version");
	json_str(out, "https://jsonfeed.org/version/1.1");
	put_plain(out, &first, in, "title", f->title ? f->title : f->name);
	put_url(out, &first, in, "home_page_url", f->link);
	if (render_self_url(f, ".json", &t)) {
		put_key(out, &first, in, "feed_url");
		json_str(out, buf_str(&t));
		buf_reset(&t);
		if (render_url(f->hub, &t)) {
			put_key(out, &first, in, "hubs");
			buf_puts(out, "[{\"type\": \"WebSub\", \"url\": ");
			json_str(out, buf_str(&t));
			buf_puts(out, "}]");
		}
	}
	if (f->description && f->description[0])
		put_plain(out, &first, in, "description", f->description);
	put_url(out, &first, in, "icon", f->image);
	if (render_is_lang(f->language))
		put_plain(out, &first, in, "language", f->language);
	put_key(out, &first, in, "authors");
	buf_puts(out, "[{\"name\": ");
	buf_reset(&t);
	render_plain(&t, f->title ? f->title : f->name);
	json_str(out, buf_str(&t));
	buf_reset(&t);
	if (render_url(f->link, &t)) {
		buf_puts(out, ", \"url\": ");
		json_str(out, buf_str(&t));
	}
	buf_puts(out, "}]");
	put_key(out, &first, in, "_wiredesk");
	buf_puts(out, "{\"generator\": \"wiredesk " WD_VERSION "\"");
	if (f->copyright && f->copyright[0]) {
		buf_reset(&t);
		render_plain(&t, f->copyright);
		buf_puts(out, ", \"copyright\": ");
		json_str(out, buf_str(&t));
	}
	char iso[32];

	wd_time_rfc3339(render_newest(entries, n), iso);
	buf_puts(out, ", \"updated\": ");
	json_str(out, iso);
	buf_putc(out, '}');
	put_key(out, &first, in, "items");
	buf_putc(out, '[');
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if (!render_entry_is_valid(&entries[i]))
			continue;
		buf_puts(out, any ? ", " : "");
		any = true;
		put_item(out, f, &entries[i]);
	}
	buf_puts(out, "]\n}\n");
	buf_free(&t);
	return render_finish(out);
}
