/* SPDX-License-Identifier: MIT */
/* output/atom.c: the Atom 1.0 (RFC 4287) writer of the render module. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/text.h"
#include "core/wdtime.h"
#include "output/render-int.h"
#include "output/render.h"
#include "output/sanitize.h"

/* Append s percent-encoded so that it is a valid URN/IRI segment. */
static void
put_pct(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (wd_isalnum(c) || strchr("-._~:@!$()*+,;=", c))
			buf_putc(out, (char)c);
		else
			buf_appendf(out, "%%%02X", c);
	}
}

/* True when s starts with a URI scheme ("tag:", "urn:", "https:"). */
static bool
has_scheme(const char *s)
{
	size_t k = 0;

	if (!wd_isalpha((unsigned char)s[0]))
		return false;
	while (wd_isalnum((unsigned char)s[k]) || s[k] == '+' || s[k] == '-' ||
	       s[k] == '.')
		k++;
	return s[k] == ':' && s[k + 1] != '\0';
}

/*
 * An entry id must be an IRI. A guid that already is one (urn:, tag:, an
 * http URL) is kept as is; any other guid becomes "urn:wiredesk:" plus the
 * percent-encoded guid, so it stays the same from run to run.
 */
static void
put_entry_id(struct buf *out, const struct render_entry *e)
{
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	render_plain(&t, e->guid ? e->guid : e->story->key);
	if (t.len == 0)
		buf_appendf(&t, "story-%lld", (long long)e->story->id);
	buf_puts(out, "    <id>");
	if (has_scheme(buf_str(&t)) && !strpbrk(buf_str(&t), " <>\"{}|\\^`")) {
		wd_xml_escape(out, buf_str(&t));
	} else {
		buf_puts(out, "urn:wiredesk:");
		put_pct(out, buf_str(&t));
	}
	buf_puts(out, "</id>\n");
	buf_free(&t);
}

static void
put_text(struct buf *out, const char *indent, const char *name,
	 const char *text)
{
	buf_appendf(out, "%s<%s type=\"text\">", indent, name);
	render_xml_plain(out, text);
	buf_appendf(out, "</%s>\n", name);
}

static void
put_date(struct buf *out, const char *indent, const char *name, int64_t t)
{
	char iso[32];

	wd_time_rfc3339(t, iso);
	buf_appendf(out, "%s<%s>%s</%s>\n", indent, name, iso, name);
}

static void
put_link(struct buf *out, const char *indent, const char *rel, const char *type,
	 const char *href)
{
	buf_appendf(out, "%s<link rel=\"%s\" type=\"%s\" href=\"", indent, rel,
		    type);
	wd_xml_escape(out, href);
	buf_puts(out, "\"/>\n");
}

static void
put_category(struct buf *out, const char *term, void *ctx)
{
	buf_puts(out, "    <category term=\"");
	wd_xml_escape(out, term);
	buf_puts(out, "\"/>\n");
}

/* The wire feed the item came from, as RFC 4287 section 4.2.11 asks. */
static void
put_source(struct buf *out, const struct story_item *si)
{
	struct buf u;

	buf_init(&u, RENDER_TEXT_MAX);
	buf_puts(out, "    <source>\n      <id>");
	if (render_feed_url(si, &u)) {
		wd_xml_escape(out, buf_str(&u));
	} else {
		buf_puts(out, "urn:wiredesk:feed:");
		put_pct(out, si->feed_id ? si->feed_id : render_source(si));
	}
	buf_puts(out, "</id>\n");
	put_text(out, "      ", "title",
		 si->feed_title && si->feed_title[0] ? si->feed_title
						     : render_source(si));
	if (u.len > 0)
		put_link(out, "      ", "self", "application/xml", buf_str(&u));
	int64_t t = si->item.updated != WD_NOTIME ? si->item.updated
						  : si->item.published;

	if (t != WD_NOTIME && t > 0)
		put_date(out, "      ", "updated", t);
	put_text(out, "      ", "rights", render_source(si));
	buf_puts(out, "    </source>\n");
	buf_free(&u);
}

static void
put_enclosures(struct buf *out, const struct item *it)
{
	struct buf u;

	buf_init(&u, RENDER_TEXT_MAX);
	for (size_t i = 0; i < it->nenclosures; i++) {
		const struct enclosure *en = &it->enclosures[i];

		buf_reset(&u);
		if (!render_url(en->url, &u))
			continue;
		buf_puts(out, "    <link rel=\"enclosure\"");
		if (render_is_mime(en->type)) {
			buf_puts(out, " type=\"");
			wd_xml_escape(out, en->type);
			buf_putc(out, '"');
		}
		if (en->length > 0)
			buf_appendf(out, " length=\"%lld\"",
				    (long long)en->length);
		buf_puts(out, " href=\"");
		wd_xml_escape(out, buf_str(&u));
		buf_puts(out, "\"/>\n");
	}
	buf_free(&u);
}

static void
put_entry(struct buf *out, const struct render_feed *f,
	  const struct render_entry *e)
{
	const struct story_item *si = &e->story->items[0];
	bool has_content = si->item.content && si->item.content[0];
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	const char *lang = render_entry_lang(f, e);

	if (lang)
		buf_appendf(out, "  <entry xml:lang=\"%s\">\n", lang);
	else
		buf_puts(out, "  <entry>\n");
	put_entry_id(out, e);
	render_title(e, &t);
	buf_puts(out, "    <title type=\"text\">");
	wd_xml_escape(out, buf_str(&t));
	buf_puts(out, "</title>\n");
	buf_reset(&t);
	if (render_item_link(si, &t))
		put_link(out, "    ", "alternate", "text/html", buf_str(&t));
	else
		has_content = true; /* RFC 4287: no alternate link, content */
	put_date(out, "    ", "published", render_published(e));
	put_date(out, "    ", "updated", render_updated(e));
	buf_reset(&t);
	render_plain(&t, si->item.author);
	if (t.len == 0)
		render_plain(&t, render_source(si));
	buf_puts(out, "    <author><name>");
	wd_xml_escape(out, buf_str(&t));
	buf_puts(out, "</name></author>\n");
	render_terms(e, put_category, out, NULL);
	/* with full content, the wire's summary goes along as the summary */
	if (has_content && si->item.summary && si->item.summary[0] &&
	    si->item.content && si->item.content[0]) {
		buf_reset(&t);
		render_item_link(si, &t);
		struct buf sum;

		buf_init(&sum, RENDER_TEXT_MAX);
		if (sanitize_html(si->item.summary, t.len ? buf_str(&t) : NULL,
				  &sum) == 0 &&
		    sum.len > 0) {
			buf_puts(out, "    <summary type=\"html\">");
			wd_xml_escape(out, buf_str(&sum));
			buf_puts(out, "</summary>\n");
		}
		buf_free(&sum);
	}
	buf_reset(&t);
	render_body(f, e, true, &t);
	buf_appendf(out, "    <%s type=\"html\">",
		    has_content ? "content" : "summary");
	wd_xml_escape(out, buf_str(&t));
	buf_appendf(out, "</%s>\n", has_content ? "content" : "summary");
	put_enclosures(out, &si->item);
	put_source(out, si);
	buf_puts(out, "  </entry>\n");
	buf_free(&t);
}

int
render_atom(const struct render_feed *f, const struct render_entry *entries,
	    size_t n, struct buf *out)
{
	struct buf self, t;

	buf_init(&self, RENDER_TEXT_MAX);
	buf_init(&t, RENDER_TEXT_MAX);
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<feed xmlns=\"http://www.w3.org/2005/Atom\"");
	if (render_is_lang(f->language)) {
		buf_puts(out, " xml:lang=\"");
		wd_xml_escape(out, f->language);
		buf_putc(out, '"');
	}
	buf_puts(out, ">\n");
	bool has_self = render_self_url(f, ".atom", &self);

	/* the self URL when the feed has one (the usual practice), else a
	 * URN from the audience name; both stay the same from run to run */
	buf_puts(out, "  <id>");
	if (has_self) {
		wd_xml_escape(out, buf_str(&self));
	} else {
		buf_puts(out, "urn:wiredesk:audience:");
		put_pct(out, f->name ? f->name : "feed");
	}
	buf_puts(out, "</id>\n");
	put_text(out, "  ", "title", f->title ? f->title : f->name);
	if (f->description && f->description[0])
		put_text(out, "  ", "subtitle", f->description);
	put_date(out, "  ", "updated", render_newest(entries, n));
	if (has_self) {
		put_link(out, "  ", "self", "application/atom+xml",
			 buf_str(&self));
		if (render_url(f->hub, &t)) {
			buf_puts(out, "  <link rel=\"hub\" href=\"");
			wd_xml_escape(out, buf_str(&t));
			buf_puts(out, "\"/>\n");
		}
		buf_reset(&t);
	}
	if (render_url(f->link, &t))
		put_link(out, "  ", "alternate", "text/html", buf_str(&t));
	if (f->copyright && f->copyright[0])
		put_text(out, "  ", "rights", f->copyright);
	buf_puts(out, "  <generator version=\"" WD_VERSION
		      "\">wiredesk</generator>\n");
	buf_reset(&t);
	if (render_url(f->image, &t)) {
		buf_puts(out, "  <icon>");
		wd_xml_escape(out, buf_str(&t));
		buf_puts(out, "</icon>\n");
	}
	for (size_t i = 0; i < n; i++)
		if (render_entry_is_valid(&entries[i]))
			put_entry(out, f, &entries[i]);
	buf_puts(out, "</feed>\n");
	buf_free(&t);
	buf_free(&self);
	return render_finish(out);
}
