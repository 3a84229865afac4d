/* SPDX-License-Identifier: MIT */
/* output/render.c: what the four writers share: credit and "also reported
 * by", entry dates, plain text, vetted URLs and the sanitized item body. */
#include "output/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/xalloc.h"
#include "output/render-int.h"
#include "output/sanitize.h"

char *
render_credit(const char *tmpl, const char *source)
{
	static const char key[] = "{source}";
	struct buf b;

	if (!source)
		source = "";
	if (!tmpl)
		return xstrdup(source);
	buf_init(&b, RENDER_TEXT_MAX);
	const char *p = tmpl;

	for (const char *q = strstr(p, key); q; q = strstr(p, key)) {
		buf_append(&b, p, (size_t)(q - p));
		buf_puts(&b, source);
		p = q + sizeof(key) - 1;
	}
	buf_puts(&b, p);
	return buf_take(&b);
}

static bool
is_nonempty(const char *s)
{
	if (!s)
		return false;
	while (wd_isspace((unsigned char)*s))
		s++;
	return *s != '\0';
}

bool
render_entry_is_valid(const struct render_entry *e)
{
	return e->story && e->story->items && e->story->nitems > 0;
}

const char *
render_source(const struct story_item *si)
{
	if (is_nonempty(si->source))
		return si->source;
	if (is_nonempty(si->feed_title))
		return si->feed_title;
	if (is_nonempty(si->feed_id))
		return si->feed_id;
	return "Wire";
}

/* Bidi formatting characters that open an embedding or an isolate. */
static int
bidi_kind(unsigned cp)
{
	if (cp == 0x202a || cp == 0x202b || cp == 0x202d || cp == 0x202e)
		return 'E';
	if (cp >= 0x2066 && cp <= 0x2068)
		return 'I';
	return 0;
}

/* Characters a plain-text field must not carry: C0 and C1 controls, and
 * the noncharacters XML 1.0 forbids. */
static bool
is_unwanted(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe ||
	       cp == 0xffff;
}

/*
 * NOTE: an unclosed RIGHT-TO-LEFT OVERRIDE in a title would reverse the
 * credit line after it on the HTML page and in readers that put fields on
 * one line. We keep a stack of open embeddings and isolates (at most 64
 * deep; deeper openers are dropped), drop closers that match nothing, and
 * close what is still open at the end.
 */
void
render_plain(struct buf *out, const char *s)
{
	char stack[64];
	size_t depth = 0, n = s ? strlen(s) : 0, i = 0;
	bool space = false, any = false;

	while (i < n) {
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (!len) {
			cp = 0xfffd;
			len = 1;
		}
		const char *raw = s + i;

		i += len;
		if (cp < 0x80 && wd_isspace((int)cp)) {
			space = any;
			continue;
		}
		if (is_unwanted(cp))
			continue;
		int kind = bidi_kind(cp);

		if (kind) {
			if (depth == sizeof(stack))
				continue;
			stack[depth++] = (char)kind;
		} else if (cp == 0x202c) {
			if (depth == 0 || stack[depth - 1] != 'E')
				continue;
			depth--;
		} else if (cp == 0x2069) {
			size_t d = depth;

			while (d > 0 && stack[d - 1] != 'I')
				d--;
			if (d == 0)
				continue;
			depth = d - 1;
		}
		if (space)
			buf_putc(out, ' ');
		space = false;
		any = true;
		if (cp == 0xfffd && len == 1)
			wd_utf8_put(out, cp);
		else
			buf_append(out, raw, len);
	}
	while (depth > 0)
		wd_utf8_put(out, stack[--depth] == 'E' ? 0x202c : 0x2069);
}

void
render_xml_plain(struct buf *out, const char *s)
{
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	render_plain(&t, s);
	wd_xml_escape(out, buf_str(&t));
	buf_free(&t);
}

bool
render_is_mime(const char *s)
{
	size_t slash = 0, n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c == '/') {
			if (slash || n == 0)
				return false;
			slash = n;
		} else if (!wd_isalnum(c) && !strchr("!#$&^_.+-", c)) {
			return false;
		}
	}
	return slash > 0 && slash + 1 < n && n < 128;
}

bool
render_is_lang(const char *s)
{
	size_t run = 0;
	bool first = true;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s == '-') {
			if (run == 0)
				return false;
			run = 0;
			first = false;
			continue;
		}
		if (!(first ? wd_isalpha((unsigned char)*s)
			    : wd_isalnum((unsigned char)*s)) ||
		    ++run > 8)
			return false;
	}
	return run > 0;
}

/* Dates at or before the epoch are "unknown": no wire story is from 1970,
 * and a zero-initialized field must not date an entry. */
static bool
is_known(int64_t t)
{
	return t != WD_NOTIME && t > 0;
}

int64_t
render_published(const struct render_entry *e)
{
	if (is_known(e->published))
		return e->published;
	const struct story *st = e->story;

	if (!st)
		return 0;
	if (is_known(st->published))
		return st->published;
	if (st->nitems > 0) {
		const struct story_item *si = &st->items[0];

		if (is_known(si->item.published))
			return si->item.published;
		if (is_known(si->item.updated))
			return si->item.updated;
		if (is_known(si->first_seen))
			return si->first_seen;
	}
	return 0;
}

int64_t
render_updated(const struct render_entry *e)
{
	int64_t p = render_published(e);
	int64_t u = 0;

	if (is_known(e->updated))
		u = e->updated;
	else if (e->story && is_known(e->story->updated))
		u = e->story->updated;
	return u > p ? u : p;
}

int64_t
render_newest(const struct render_entry *entries, size_t n)
{
	int64_t t = 0;

	for (size_t i = 0; i < n; i++) {
		if (!render_entry_is_valid(&entries[i]))
			continue;
		int64_t u = render_updated(&entries[i]);

		if (u > t)
			t = u;
	}
	return t;
}

bool
render_url(const char *u, struct buf *out)
{
	return u && sanitize_url(u, NULL, false, out) == 0;
}

bool
render_self_url(const struct render_feed *f, const char *ext, struct buf *out)
{
	struct buf b;

	if (!f->self_base || !is_nonempty(f->name))
		return false;
	buf_init(&b, RENDER_TEXT_MAX);
	if (!render_url(f->self_base, &b)) {
		buf_free(&b);
		return false;
	}
	size_t len = b.len;

	while (len > 0 && buf_str(&b)[len - 1] == '/')
		len--;
	buf_append(out, buf_str(&b), len);
	buf_putc(out, '/');
	for (const char *p = f->name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (wd_isalnum(c) || c == '-' || c == '_' || c == '.' ||
		    c == '~')
			buf_putc(out, (char)c);
		else
			buf_appendf(out, "%%%02X", c);
	}
	buf_puts(out, ext);
	buf_free(&b);
	return true;
}

bool
render_item_link(const struct story_item *si, struct buf *out)
{
	return render_url(si->item.link, out) ||
	       render_url(si->item.orig_link, out);
}

bool
render_feed_url(const struct story_item *si, struct buf *out)
{
	return render_url(si->feed_url, out);
}

/* True when s is a non-empty run of [A-Za-z0-9_-]. */
static bool
is_token(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!wd_isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

void
render_anchor(struct buf *out, const struct render_entry *e)
{
	const char *g = e->guid;

	/* the story key is what output guids derive from, and reads better
	 * in a URL than an escaped URN */
	if (is_token(e->story->key)) {
		buf_puts(out, "story-");
		buf_puts(out, e->story->key);
		return;
	}
	buf_puts(out, "s-");
	if (!g || !*g) {
		buf_appendf(out, "%lld", (long long)e->story->id);
		return;
	}
	for (const char *p = g; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (wd_isalnum(c) || c == '-' || c == '_')
			buf_putc(out, (char)c);
		else
			buf_appendf(out, ".%02X", c);
	}
}

void
render_title(const struct render_entry *e, struct buf *out)
{
	const struct item *it = &e->story->items[0].item;
	struct buf t, h;

	buf_init(&t, RENDER_TEXT_MAX);
	render_plain(&t, it->title);
	if (t.len == 0) {
		buf_init(&h, RENDER_TEXT_MAX);
		const char *html =
		    is_nonempty(it->summary) ? it->summary : it->content;

		if (sanitize_text(html, 100, &h) == 0)
			render_plain(&t, buf_str(&h));
		buf_free(&h);
	}
	if (t.len == 0)
		buf_puts(&t, "Untitled");
	buf_append(out, buf_str(&t), t.len);
	buf_free(&t);
}

void
render_credit_text(const struct render_feed *f, const struct render_entry *e,
		   struct buf *out)
{
	char *c =
	    render_credit(f->attribution, render_source(&e->story->items[0]));

	render_plain(out, c);
	free(c);
}

size_t
render_also(const struct render_entry *e, size_t want,
	    const struct story_item **si)
{
	const struct story *st = e->story;
	const char *first = render_source(&st->items[0]);
	size_t count = 0;

	size_t lim =
	    st->nitems < RENDER_STORY_ITEMS ? st->nitems : RENDER_STORY_ITEMS;

	for (size_t i = 1; i < lim; i++) {
		const char *src = render_source(&st->items[i]);
		bool seen = !wd_strcasecmp(src, first);

		for (size_t j = 1; j < i && !seen; j++)
			seen =
			    !wd_strcasecmp(src, render_source(&st->items[j]));
		if (seen)
			continue;
		if (count == want && si)
			*si = &st->items[i];
		count++;
	}
	return count;
}

/* ", " or " and " before the i-th of n names (i > 0). */
static const char *
list_sep(size_t i, size_t n)
{
	return i + 1 == n ? " and " : ", ";
}

void
render_also_text(const struct render_entry *e, struct buf *out)
{
	size_t n = render_also(e, SIZE_MAX, NULL);

	for (size_t i = 0; i < n; i++) {
		const struct story_item *si = NULL;

		render_also(e, i, &si);
		if (i > 0)
			buf_puts(out, list_sep(i, n));
		render_plain(out, render_source(si));
	}
}

void
render_body(const struct render_feed *f, const struct render_entry *e,
	    bool prefer_content, struct buf *out)
{
	const struct item *it = &e->story->items[0].item;
	const char *html = it->content;
	struct buf base, t;

	if (!(prefer_content && is_nonempty(it->content)) &&
	    is_nonempty(it->summary))
		html = it->summary;
	buf_init(&base, RENDER_TEXT_MAX);
	buf_init(&t, RENDER_TEXT_MAX);
	render_item_link(&e->story->items[0], &base);
	if (sanitize_html(html, base.len ? buf_str(&base) : NULL, out) == 0 &&
	    is_nonempty(html))
		buf_putc(out, '\n');
	buf_puts(out, "<p class=\"wd-credit\">");
	render_credit_text(f, e, &t);
	wd_xml_escape(out, buf_str(&t));
	buf_puts(out, "</p>\n");
	size_t n = render_also(e, SIZE_MAX, NULL);

	if (n > 0) {
		buf_puts(out, "<p class=\"wd-also\">Also reported by ");
		for (size_t i = 0; i < n; i++) {
			const struct story_item *si = NULL;

			render_also(e, i, &si);
			if (i > 0)
				buf_puts(out, list_sep(i, n));
			buf_reset(&t);
			bool linked = render_item_link(si, &t);

			if (linked) {
				buf_puts(out, "<a href=\"");
				wd_xml_escape(out, buf_str(&t));
				buf_puts(out, "\" rel=\"noopener\">");
			}
			render_xml_plain(out, render_source(si));
			if (linked)
				buf_puts(out, "</a>");
		}
		buf_puts(out, ".</p>\n");
	}
	if (is_nonempty(f->signoff)) {
		buf_puts(out, "<p class=\"wd-signoff\">");
		render_xml_plain(out, f->signoff);
		buf_puts(out, "</p>\n");
	}
	buf_free(&t);
	buf_free(&base);
}

void
render_terms(const struct render_entry *e, render_term_fn fn, struct buf *out,
	     void *ctx)
{
	const struct item *it = &e->story->items[0].item;
	size_t n = it->ncategories + e->ntags, k = 0;
	char **seen = xcalloc(n ? n : 1, sizeof(*seen));
	struct buf t;

	buf_init(&t, RENDER_TEXT_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *s = i < it->ncategories
				    ? it->categories[i]
				    : e->tags[i - it->ncategories];
		bool dup = false;

		buf_reset(&t);
		render_plain(&t, s);
		if (t.len == 0)
			continue;
		for (size_t j = 0; j < k && !dup; j++)
			dup = !wd_strcasecmp(seen[j], buf_str(&t));
		if (dup)
			continue;
		seen[k++] = xstrdup(buf_str(&t));
		fn(out, buf_str(&t), ctx);
	}
	for (size_t j = 0; j < k; j++)
		free(seen[j]);
	free(seen);
	buf_free(&t);
}

const char *
render_entry_lang(const struct render_feed *f, const struct render_entry *e)
{
	const char *l = e->story->items[0].item.language;

	if (!render_is_lang(l) ||
	    (render_is_lang(f->language) && !wd_strcasecmp(l, f->language)))
		return NULL;
	return l;
}

int
render_finish(const struct buf *out)
{
	return buf_failed(out) ? WD_ETOOBIG : 0;
}
