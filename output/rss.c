/* SPDX-License-Identifier: MIT */
/* output/rss.c: the RSS 2.0 writer of the render module (output stage). */
#include <stdbool.h>
#include <stdint.h>

#include "core/text.h"
#include "core/wdtime.h"
#include "output/render-int.h"
#include "output/render.h"

/* Append <name>text</name> (plain text, escaped) on its own line. */
static void
put_elem(struct buf *out, const char *indent, const char *name,
	 const char *text)
{
	buf_puts(out, indent);
	buf_appendf(out, "<%s>", name);
	render_xml_plain(out, text);
	buf_appendf(out, "</%s>\n", name);
}

/*
 * Append <name>text</name> for an element readers take as HTML (the
 * channel description): the plain text is HTML-escaped first, so that
 * "<!DOCTYPE" or "AT&T" reads as written instead of as markup.
 */
static void
put_html_elem(struct buf *out, const char *indent, const char *name,
	      const char *text)
{
	struct buf t, h;

	buf_init(&t, RENDER_TEXT_MAX);
	buf_init(&h, RENDER_TEXT_MAX);
	render_plain(&t, text);
	for (const char *p = buf_str(&t); *p; p++) {
		if (*p == '&')
			buf_puts(&h, "&amp;");
		else if (*p == '<')
			buf_puts(&h, "&lt;");
		else if (*p == '>')
			buf_puts(&h, "&gt;");
		else
			buf_putc(&h, *p);
	}
	buf_appendf(out, "%s<%s>", indent, name);
	wd_xml_escape(out, buf_str(&h));
	buf_appendf(out, "</%s>\n", name);
	buf_free(&h);
	buf_free(&t);
}

/* Append <name>url</name> when url is a safe http(s) URL. */
static void
put_url_elem(struct buf *out, const char *indent, const char *name,
	     const char *url)
{
	struct buf u;

	buf_init(&u, RENDER_TEXT_MAX);
	if (render_url(url, &u)) {
		buf_appendf(out, "%s<%s>", indent, name);
		wd_xml_escape(out, buf_str(&u));
		buf_appendf(out, "</%s>\n", name);
	}
	buf_free(&u);
}

static void
put_category(struct buf *out, const char *term, void *ctx)
{
	buf_puts(out, "      <category>");
	wd_xml_escape(out, term);
	buf_puts(out, "</category>\n");
}

/*
 * RSS 2.0 requires <source url>; a local wire feed has no URL we may
 * publish, so the origin of the item's own link stands in for it, and
 * without either the machine-readable credit is left out (the visible
 * credit line in the description remains).
 */
static void
put_source(struct buf *out, const struct story_item *si)
{
	struct buf u;

	buf_init(&u, RENDER_TEXT_MAX);
	if (!render_feed_url(si, &u) && render_item_link(si, &u)) {
		const char *s = buf_str(&u);
		const char *host = s + (s[4] == 's' ? 8 : 7);
		size_t end = (size_t)(host - s);

		while (s[end] && s[end] != '/' && s[end] != '?' &&
		       s[end] != '#')
			end++;
		struct buf o;

		buf_init(&o, RENDER_TEXT_MAX);
		buf_append(&o, s, end);
		buf_putc(&o, '/');
		buf_reset(&u);
		buf_append(&u, buf_str(&o), o.len);
		buf_free(&o);
	}
	if (u.len > 0) {
		buf_puts(out, "      <source url=\"");
		wd_xml_escape(out, buf_str(&u));
		buf_puts(out, "\">");
		render_xml_plain(out, render_source(si));
		buf_puts(out, "</source>\n");
	}
	buf_free(&u);
}

/* RSS 2.0 allows one enclosure per item and needs url, length and type;
 * the first one with a safe URL is written. */
static void
put_enclosure(struct buf *out, const struct item *it)
{
	struct buf u;

	buf_init(&u, RENDER_TEXT_MAX);
	for (size_t i = 0; i < it->nenclosures; i++) {
		const struct enclosure *en = &it->enclosures[i];

		if (!render_url(en->url, &u))
			continue;
		buf_puts(out, "      <enclosure url=\"");
		wd_xml_escape(out, buf_str(&u));
		buf_appendf(out, "\" length=\"%lld\" type=\"",
			    (long long)(en->length > 0 ? en->length : 0));
		wd_xml_escape(out, render_is_mime(en->type)
				       ? en->type
				       : "application/octet-stream");
		buf_puts(out, "\"/>\n");
		break;
	}
	buf_free(&u);
}

static void
put_item(struct buf *out, const struct render_feed *f,
	 const struct render_entry *e)
{
	const struct story_item *si = &e->story->items[0];
	char date[40], iso[32];
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	buf_puts(out, "    <item>\n      <title>");
	render_title(e, &t);
	wd_xml_escape(out, buf_str(&t));
	buf_puts(out, "</title>\n");
	buf_reset(&t);
	if (render_item_link(si, &t)) {
		buf_puts(out, "      <link>");
		wd_xml_escape(out, buf_str(&t));
		buf_puts(out, "</link>\n");
	}
	buf_reset(&t);
	render_body(f, e, false, &t);
	buf_puts(out, "      <description>");
	wd_xml_escape(out, buf_str(&t));
	buf_puts(out, "</description>\n");
	/* the full text, when the description holds only the summary */
	if (si->item.content && si->item.content[0] && si->item.summary &&
	    si->item.summary[0]) {
		buf_reset(&t);
		render_body(f, e, true, &t);
		buf_puts(out, "      <content:encoded>");
		wd_xml_escape(out, buf_str(&t));
		buf_puts(out, "</content:encoded>\n");
	}
	if (si->item.author && si->item.author[0]) {
		buf_reset(&t);
		render_plain(&t, si->item.author);
		if (t.len > 0)
			put_elem(out, "      ", "dc:creator", buf_str(&t));
	}
	render_terms(e, put_category, out, NULL);
	buf_reset(&t);
	render_plain(&t, e->guid ? e->guid : e->story->key);
	if (t.len > 0) {
		buf_puts(out, "      <guid isPermaLink=\"false\">");
		wd_xml_escape(out, buf_str(&t));
		buf_puts(out, "</guid>\n");
	}
	int64_t pub = render_published(e);

	if (pub > 0) {
		wd_time_rfc822(pub, date);
		put_elem(out, "      ", "pubDate", date);
		wd_time_rfc3339(render_updated(e), iso);
		put_elem(out, "      ", "atom:updated", iso);
	}
	put_enclosure(out, &si->item);
	put_source(out, si);
	buf_puts(out, "    </item>\n");
	buf_free(&t);
}

int
render_rss(const struct render_feed *f, const struct render_entry *entries,
	   size_t n, struct buf *out)
{
	struct buf t;
	char date[40];

	buf_init(&t, RENDER_TEXT_MAX);
	buf_puts(out,
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<rss version=\"2.0\" "
		 "xmlns:atom=\"http://www.w3.org/2005/Atom\" "
		 "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
		 "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
		 "  <channel>\n");
	put_elem(out, "    ", "title", f->title ? f->title : f->name);
	put_url_elem(out, "    ", "link", f->link);
	put_html_elem(out, "    ", "description",
		      f->description ? f->description
				     : (f->title ? f->title : f->name));
	if (render_is_lang(f->language))
		put_elem(out, "    ", "language", f->language);
	if (f->copyright && f->copyright[0])
		put_elem(out, "    ", "copyright", f->copyright);
	int64_t newest = render_newest(entries, n);

	if (newest > 0) {
		wd_time_rfc822(newest, date);
		put_elem(out, "    ", "lastBuildDate", date);
	}
	put_elem(out, "    ", "generator", "wiredesk " WD_VERSION);
	if (f->ttl > 0)
		buf_appendf(out, "    <ttl>%lld</ttl>\n", (long long)f->ttl);
	if (render_url(f->image, &t) && f->link && render_url(f->link, &t)) {
		buf_puts(out, "    <image>\n");
		put_url_elem(out, "      ", "url", f->image);
		put_elem(out, "      ", "title", f->title ? f->title : f->name);
		put_url_elem(out, "      ", "link", f->link);
		buf_puts(out, "    </image>\n");
	}
	buf_reset(&t);
	if (render_self_url(f, ".rss", &t)) {
		buf_puts(out, "    <atom:link href=\"");
		wd_xml_escape(out, buf_str(&t));
		buf_puts(out,
			 "\" rel=\"self\" type=\"application/rss+xml\"/>\n");
		buf_reset(&t);
		if (render_url(f->hub, &t)) {
			buf_puts(out, "    <atom:link href=\"");
			wd_xml_escape(out, buf_str(&t));
			buf_puts(out, "\" rel=\"hub\"/>\n");
		}
	}
	buf_free(&t);
	for (size_t i = 0; i < n; i++)
		if (render_entry_is_valid(&entries[i]))
			put_item(out, f, &entries[i]);
	buf_puts(out, "  </channel>\n</rss>\n");
	return render_finish(out);
}
