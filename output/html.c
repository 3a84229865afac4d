/* SPDX-License-Identifier: MIT */
/* output/html.c: the static HTML page of the render module, in the manner
 * of the Phuket Gazette's "Media Watch" page. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "core/wdtime.h"
#include "output/render-int.h"
#include "output/render.h"
#include "output/sanitize.h"

/*
 * NOTE: the policy forbids every script, plugin, frame, form target and
 * base URL; styles may only come from the page's own <style> element,
 * since sanitized wire HTML carries no style attributes or elements.
 */
static const char csp[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;background:#f3f0e8;color:#1c1c1a;"
    "font:17px/1.55 Georgia,'Times New Roman',serif}"
    "a{color:#0b3a5b}"
    ".masthead{background:#0b3a5b;color:#fff;padding:1.1rem 0 1rem;"
    "border-bottom:5px solid #c8102e}"
    ".masthead .inner,main,footer{max-width:44rem;margin:0 auto;"
    "padding-left:.75rem;padding-right:.75rem}"
    ".kicker{font:700 .72rem/1.2 system-ui,sans-serif;letter-spacing:.14em;"
    "text-transform:uppercase;color:#f2c14e;margin:0 0 .25rem}"
    ".masthead h1{margin:0;font-size:2rem;line-height:1.15}"
    ".masthead h1 a{color:#fff;text-decoration:none}"
    ".masthead .desc{margin:.4rem 0 0;font-style:italic;color:#dbe7f1}"
    ".feeds{margin:.7rem 0 0;font:.78rem/1.4 system-ui,sans-serif}"
    ".feeds a{color:#fff;text-decoration:none;"
    "border:1px solid rgba(255,255,255,.45);border-radius:3px;"
    "padding:.1rem .5rem;margin-right:.35rem;display:inline-block}"
    "main{padding-top:.4rem;padding-bottom:1.5rem}"
    "article{background:#fff;border:1px solid #e0dace;border-radius:4px;"
    "padding:1rem 1.1rem .9rem;margin:1rem 0;"
    "box-shadow:0 1px 2px rgba(0,0,0,.05)}"
    "article h2{font-size:1.3rem;line-height:1.25;margin:0 0 .35rem}"
    "article h2 a{color:#0b3a5b;text-decoration:none}"
    "article h2 a:hover{text-decoration:underline}"
    ".meta{font:.8rem/1.45 system-ui,sans-serif;color:#5b5952;"
    "margin:0 0 .5rem}"
    ".credit{font-weight:700;color:#c8102e}"
    ".tags{list-style:none;margin:0 0 .6rem;padding:0;display:flex;"
    "flex-wrap:wrap;gap:.3rem}"
    ".tags li{font:700 .68rem/1.2 system-ui,sans-serif;"
    "letter-spacing:.06em;text-transform:uppercase;background:#e6edf3;"
    "color:#0b3a5b;border-radius:2px;padding:.2rem .45rem}"
    ".summary{overflow-wrap:anywhere}"
    ".summary p{margin:.4rem 0}"
    ".summary img{max-width:100%;height:auto}"
    ".summary h3,.summary h4,.summary h5,.summary h6{font-size:1rem}"
    ".summary pre{white-space:pre-wrap}"
    ".more{margin:.6rem 0 0;font:700 .85rem system-ui,sans-serif}"
    ".more a{color:#c8102e;text-decoration:none}"
    ".related{margin:.8rem 0 0;padding:.55rem 0 0;"
    "border-top:1px solid #ece7dc;font-size:.92rem}"
    ".related h3{margin:0 0 .25rem;font:700 .7rem system-ui,sans-serif;"
    "letter-spacing:.1em;text-transform:uppercase;color:#5b5952}"
    ".related ul{margin:0;padding-left:1.1rem}"
    ".related .src{font:.75rem system-ui,sans-serif;color:#5b5952}"
    ".signoff{margin:.6rem 0 0;font-style:italic;color:#5b5952;"
    "font-size:.9rem}"
    ".empty{font-style:italic;color:#5b5952}"
    "footer{padding-bottom:2rem;font:.78rem/1.5 system-ui,sans-serif;"
    "color:#5b5952}"
    "@media (prefers-color-scheme:dark){"
    "body{background:#15191d;color:#e4e2dc}"
    "article{background:#1e242a;border-color:#2c343c;box-shadow:none}"
    "a,article h2 a{color:#9cc7ea}"
    ".meta,.related h3,.related .src,.signoff,.empty,footer{color:#aaa79e}"
    ".tags li{background:#26313b;color:#bcd6ec}"
    ".related{border-color:#2c343c}"
    ".credit,.more a{color:#ff8593}}";

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "26 Nov 2025, 07:20 UTC", or just "08:00 UTC" when on the day of since;
 * the same in every locale. */
static void
put_time(struct buf *out, int64_t t, int64_t since)
{
	time_t tt = (time_t)t, ts = (time_t)since;
	struct tm tm, tms;
	char iso[32];

	wd_time_rfc3339(t, iso);
	buf_appendf(out, "<time datetime=\"%s\">", iso);
	if (!gmtime_r(&tt, &tm)) {
		buf_puts(out, iso);
	} else if (since > 0 && gmtime_r(&ts, &tms) &&
		   tm.tm_year == tms.tm_year && tm.tm_yday == tms.tm_yday) {
		buf_appendf(out, "%02d:%02d UTC", tm.tm_hour, tm.tm_min);
	} else {
		buf_appendf(out, "%d %s %d, %02d:%02d UTC", tm.tm_mday,
			    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
			    tm.tm_min);
	}
	buf_puts(out, "</time>");
}

static void
put_tag(struct buf *out, const char *term, void *ctx)
{
	buf_puts(out, "<li>");
	wd_xml_escape(out, term);
	buf_puts(out, "</li>");
}

/* The sanitized summary; an item with only full content gets an excerpt of
 * its text, as the page is a list of summaries. */
static void
put_summary(struct buf *out, const struct render_entry *e, const char *base)
{
	const struct item *it = &e->story->items[0].item;
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	if (it->summary && it->summary[0]) {
		if (sanitize_html(it->summary, base, &t) == 0 && t.len > 0) {
			buf_puts(out, "<div class=\"summary\">");
			buf_append(out, buf_str(&t), t.len);
			buf_puts(out, "</div>\n");
		}
	} else if (sanitize_text(it->content, RENDER_SUMMARY_MAX, &t) == 0 &&
		   t.len > 0) {
		buf_puts(out, "<div class=\"summary\"><p>");
		render_xml_plain(out, buf_str(&t));
		buf_puts(out, "</p></div>\n");
	}
	buf_free(&t);
}

/* Links to the story's other items (other wires, other versions). */
static void
put_related(struct buf *out, const struct render_entry *e,
	    const char *main_link)
{
	const struct story *st = e->story;
	struct buf u, t;
	size_t shown = 0;

	buf_init(&u, RENDER_TEXT_MAX);
	buf_init(&t, RENDER_TEXT_MAX);
	size_t lim =
	    st->nitems < RENDER_STORY_ITEMS ? st->nitems : RENDER_STORY_ITEMS;

	for (size_t i = 1; i < lim && shown < RENDER_RELATED_MAX; i++) {
		const struct story_item *si = &st->items[i];

		buf_reset(&u);
		if (!render_item_link(si, &u) ||
		    !strcmp(buf_str(&u), main_link))
			continue;
		bool dup = false;

		for (size_t j = 1; j < i && !dup; j++) {
			buf_reset(&t);
			dup = render_item_link(&st->items[j], &t) &&
			      !strcmp(buf_str(&t), buf_str(&u));
		}
		if (dup)
			continue;
		if (shown++ == 0)
			buf_puts(out,
				 "<aside class=\"related\"><h3>Related</h3>"
				 "<ul>\n");
		buf_puts(out, "<li><a href=\"");
		wd_xml_escape(out, buf_str(&u));
		buf_puts(out, "\" rel=\"noopener\"><bdi>");
		buf_reset(&t);
		render_plain(&t, si->item.title);
		wd_xml_escape(out, t.len ? buf_str(&t) : render_source(si));
		buf_puts(out, "</bdi></a> <span class=\"src\">");
		render_xml_plain(out, render_source(si));
		buf_puts(out, "</span></li>\n");
	}
	if (shown)
		buf_puts(out, "</ul></aside>\n");
	buf_free(&t);
	buf_free(&u);
}

static void
put_article(struct buf *out, const struct render_feed *f,
	    const struct render_entry *e)
{
	const struct story_item *si = &e->story->items[0];
	struct buf link, t;

	buf_init(&link, RENDER_TEXT_MAX);
	buf_init(&t, RENDER_TEXT_MAX);
	bool has_link = render_item_link(si, &link);

	const char *lang = render_entry_lang(f, e);

	buf_puts(out, "<article id=\"");
	render_anchor(out, e);
	if (lang)
		buf_appendf(out, "\" lang=\"%s", lang);
	buf_puts(out, "\">\n<h2>");
	if (has_link) {
		buf_puts(out, "<a href=\"");
		wd_xml_escape(out, buf_str(&link));
		buf_puts(out, "\" rel=\"noopener\">");
	}
	render_title(e, &t);
	buf_puts(out, "<bdi>");
	wd_xml_escape(out, buf_str(&t));
	buf_puts(out, "</bdi>");
	buf_puts(out, has_link ? "</a></h2>\n" : "</h2>\n");
	buf_puts(out, "<p class=\"meta\"><span class=\"credit\"><bdi>");
	buf_reset(&t);
	render_credit_text(f, e, &t);
	wd_xml_escape(out, buf_str(&t));
	buf_puts(out, "</bdi></span> &#183; ");
	/* a person reads the dateline as when the news broke, so the page
	 * shows the wire's own dates, not when this audience first got it */
	int64_t pub = render_published(e), upd = render_updated(e);
	const struct story *st = e->story;

	if (st->published != WD_NOTIME && st->published > 0) {
		pub = st->published;
		upd = st->updated != WD_NOTIME && st->updated > pub
			  ? st->updated
			  : pub;
	}

	put_time(out, pub, 0);
	if (upd > pub) {
		buf_puts(out, " &#183; updated ");
		put_time(out, upd, pub);
	}
	buf_puts(out, "</p>\n");
	struct buf tags;

	buf_init(&tags, RENDER_TEXT_MAX);
	render_terms(e, put_tag, &tags, NULL);
	if (tags.len > 0) {
		buf_puts(out, "<ul class=\"tags\">");
		buf_append(out, buf_str(&tags), tags.len);
		buf_puts(out, "</ul>\n");
	}
	buf_free(&tags);
	put_summary(out, e, has_link ? buf_str(&link) : NULL);
	if (has_link) {
		buf_puts(out, "<p class=\"more\"><a href=\"");
		wd_xml_escape(out, buf_str(&link));
		buf_puts(out, "\" rel=\"noopener\">Read the full story "
			      "&#8594;</a></p>\n");
	}
	put_related(out, e, buf_str(&link));
	if (f->signoff && f->signoff[0]) {
		buf_puts(out, "<p class=\"signoff\">");
		render_xml_plain(out, f->signoff);
		buf_puts(out, "</p>\n");
	}
	buf_puts(out, "</article>\n");
	buf_free(&t);
	buf_free(&link);
}

/* <link rel="alternate"> and the visible link to each sibling feed; the
 * files share a folder, so relative names are right wherever it is. */
static void
put_feed_link(struct buf *out, const struct render_feed *f, const char *ext,
	      const char *type, const char *label, bool head)
{
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	render_self_url(f, ext, &t);
	if (t.len == 0) {
		for (const char *p = f->name; p && *p; p++) {
			unsigned char c = (unsigned char)*p;

			if (wd_isalnum(c) || c == '-' || c == '_' || c == '.')
				buf_putc(&t, (char)c);
			else
				buf_appendf(&t, "%%%02X", c);
		}
		buf_puts(&t, ext);
	}
	if (head) {
		buf_appendf(out, "<link rel=\"alternate\" type=\"%s\" title=\"",
			    type);
		render_xml_plain(out, f->title ? f->title : f->name);
		buf_appendf(out, " (%s)\" href=\"", label);
	} else {
		buf_puts(out, "<a href=\"");
	}
	wd_xml_escape(out, buf_str(&t));
	if (head)
		buf_puts(out, "\">\n");
	else
		buf_appendf(out, "\" type=\"%s\">%s</a>", type, label);
	buf_free(&t);
}

static const struct {
	const char *ext, *type, *label;
} feed_kinds[] = {
    {".rss", "application/rss+xml", "RSS"},
    {".atom", "application/atom+xml", "Atom"},
    {".json", "application/feed+json", "JSON Feed"},
};

static void
put_head(struct buf *out, const struct render_feed *f)
{
	const char *lang = render_is_lang(f->language) ? f->language : "en";

	buf_appendf(out,
		    "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" "
		    "content=\"%s\">\n"
		    "<meta name=\"referrer\" content=\"strict-origin-when-"
		    "cross-origin\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, "
		    "initial-scale=1\">\n"
		    "<meta name=\"color-scheme\" content=\"light dark\">\n"
		    "<meta name=\"generator\" content=\"wiredesk " WD_VERSION
		    "\">\n<title>",
		    lang, csp);
	render_xml_plain(out, f->title ? f->title : f->name);
	buf_puts(out, "</title>\n");
	if (f->description && f->description[0]) {
		buf_puts(out, "<meta name=\"description\" content=\"");
		render_xml_plain(out, f->description);
		buf_puts(out, "\">\n");
	}
	for (size_t i = 0; i < sizeof(feed_kinds) / sizeof(feed_kinds[0]); i++)
		put_feed_link(out, f, feed_kinds[i].ext, feed_kinds[i].type,
			      feed_kinds[i].label, true);
	buf_appendf(out, "<style>%s</style>\n</head>\n", css);
}

static void
put_masthead(struct buf *out, const struct render_feed *f)
{
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	buf_puts(out,
		 "<body>\n<header class=\"masthead\"><div class=\"inner\">"
		 "\n<p class=\"kicker\">Selected from the wires</p>\n<h1>");
	bool linked = render_url(f->link, &t);

	if (linked) {
		buf_puts(out, "<a href=\"");
		wd_xml_escape(out, buf_str(&t));
		buf_puts(out, "\">");
	}
	render_xml_plain(out, f->title ? f->title : f->name);
	buf_puts(out, linked ? "</a></h1>\n" : "</h1>\n");
	if (f->description && f->description[0]) {
		buf_puts(out, "<p class=\"desc\">");
		render_xml_plain(out, f->description);
		buf_puts(out, "</p>\n");
	}
	buf_puts(out, "<p class=\"feeds\">");
	for (size_t i = 0; i < sizeof(feed_kinds) / sizeof(feed_kinds[0]); i++)
		put_feed_link(out, f, feed_kinds[i].ext, feed_kinds[i].type,
			      feed_kinds[i].label, false);
	buf_puts(out, "</p>\n</div></header>\n");
	buf_free(&t);
}

int
render_html(const struct render_feed *f, const struct render_entry *entries,
	    size_t n, struct buf *out)
{
	size_t shown = 0;

	put_head(out, f);
	put_masthead(out, f);
	buf_puts(out, "<main>\n");
	for (size_t i = 0; i < n; i++) {
		if (!render_entry_is_valid(&entries[i]))
			continue;
		put_article(out, f, &entries[i]);
		shown++;
	}
	if (shown == 0)
		buf_puts(out, "<p class=\"empty\">No stories yet.</p>\n");
	buf_puts(out, "</main>\n<footer>\n");
	if (f->copyright && f->copyright[0]) {
		buf_puts(out, "<p>");
		render_xml_plain(out, f->copyright);
		buf_puts(out, "</p>\n");
	}
	int64_t newest = render_newest(entries, n);

	if (newest > 0) {
		buf_puts(out, "<p>Last story ");
		put_time(out, newest, 0);
		buf_puts(out, ". Stories are credited to the wire services "
			      "that reported them.</p>\n");
	}
	buf_puts(out, "</footer>\n</body>\n</html>\n");
	return render_finish(out);
}
