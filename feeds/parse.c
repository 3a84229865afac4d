/* SPDX-License-Identifier: MIT */
/* feeds/parse.c: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 to normalized items in
 * one streaming expat pass (JSON Feed goes to feeds/jsonfeed.c); parse stage.
 */
#include "feeds/parse.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/wdtime.h"
#include "core/xalloc.h"
#include "feeds/encoding.h"
#include "feeds/entities.h"
#include "feeds/jsonfeed.h"
#include "feeds/urlres.h"

enum {
	NS_SEP = '\x1f',             /* between namespace URI and local name */
	MAX_FIELD = 4 * 1024 * 1024, /* bytes of one field; more is cut */
	MAX_DEPTH = 4096,            /* deeper elements are skipped */
	MAX_CATS = 256,              /* categories kept per item */
	MAX_ENCS = 64,               /* enclosures kept per item */
	MAX_FIXES = 16,              /* recovery re-parses per document */
};

enum ns {
	NS_NONE,
	NS_OTHER,
	NS_ATOM10,
	NS_ATOM03,
	NS_RSS10,
	NS_RSS090,
	NS_RSSU, /* userland / harvard RSS 2.0 namespaces */
	NS_RDF,
	NS_DC,
	NS_DCTERMS,
	NS_CONTENT,
	NS_MEDIA,
	NS_ITUNES,
	NS_FEEDBURNER,
	NS_XHTML,
	NS_SY,
	NS_XML,
};

static const struct {
	const char *uri;
	enum ns ns;
} ns_table[] = {
	{"http://www.w3.org/2005/Atom", NS_ATOM10},
	{"http://purl.org/atom/ns#", NS_ATOM03},
	{"http://purl.org/rss/1.0/", NS_RSS10},
	{"http://my.netscape.com/rdf/simple/0.9/", NS_RSS090},
	{"http://backend.userland.com/rss", NS_RSSU},
	{"http://backend.userland.com/rss2", NS_RSSU},
	{"http://blogs.law.harvard.edu/tech/rss", NS_RSSU},
	{"http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF},
	{"http://purl.org/dc/elements/1.1/", NS_DC},
	{"http://purl.org/dc/elements/1.0/", NS_DC},
	{"http://purl.org/dc/terms/", NS_DCTERMS},
	{"http://purl.org/rss/1.0/modules/content/", NS_CONTENT},
	{"http://search.yahoo.com/mrss/", NS_MEDIA},
	{"http://search.yahoo.com/mrss", NS_MEDIA},
	{"http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES},
	{"http://rssnamespace.org/feedburner/ext/1.0", NS_FEEDBURNER},
	{"http://www.w3.org/1999/xhtml", NS_XHTML},
	{"http://purl.org/rss/1.0/modules/syndication/", NS_SY},
	{"http://www.w3.org/XML/1998/namespace", NS_XML},
};

/* Where a captured field goes. */
enum fld {
	F_NONE,
	F_TITLE,
	F_LINK,
	F_ID,
	F_SUMMARY,
	F_CONTENT,
	F_AUTHOR,      /* RSS author / dc:creator: "email (Name)" */
	F_NAME,        /* atom person name */
	F_CATEGORY,
	F_PUBLISHED,
	F_UPDATED,
	F_LANGUAGE,
	F_TTL,
	F_IMAGE,       /* image/url */
	F_SUBTITLE,
	F_ITSUMMARY,   /* itunes:summary: a fallback */
	F_ORIGLINK,
	F_PERIOD,
	F_FREQ,
};

/* How the captured text becomes a value. */
enum kind {
	K_TEXT,   /* plain text; child elements dropped */
	K_HTML,   /* escaped HTML; child elements kept as markup */
	K_XHTML,  /* inline XHTML: children serialised, text re-escaped */
	K_BASE64, /* base64, decoded at the end */
};

/* The element we are in, beyond feed or item. */
enum sub {
	SUB_NONE,
	SUB_IMAGE,
	SUB_SKIP,   /* textInput, atom source, ...: fields ignored */
	SUB_PERSON, /* atom author / contributor */
};

/* A scope for xml:base and xml:lang, one per open element that sets one. */
struct scope {
	int depth;
	char *base; /* owned, or NULL: inherited */
	char *lang; /* owned, or NULL: inherited */
};

struct ps {
	XML_Parser xp;
	struct arena *a;
	struct feed_info *info;
	const struct parse_opts *opts;
	parse_item_fn on_item;
	void *ctx;
	int rc;      /* callback's stop code */
	bool stop;   /* stop parsing (callback or cap) */
	size_t skip; /* items already delivered by an earlier attempt */
	size_t seen; /* items completed in this attempt */

	int depth;
	bool root_seen;
	bool is_feed; /* root element looks like a feed */
	bool atom;
	bool netscape; /* DOCTYPE names the Netscape RSS 0.91 DTD */

	/* scopes */
	struct scope *scopes;
	size_t nscopes, capscopes;
	const char *doc_url;

	/* feed-level state */
	int64_t feed_published;
	bool feed_link_alt; /* feed link came from rel=alternate */
	const char *feed_itsummary;

	/* item state */
	bool in_item;
	int item_depth;
	size_t item_mark;
	struct item it;
	const char *item_itsummary;
	const char *item_email_author;
	bool item_link_alt;
	bool id_set_by_guid;
	const char **cats;
	size_t ncats;
	struct enclosure *encs;
	size_t nencs;

	enum sub sub;
	int sub_depth;

	/* capture */
	enum fld fld;
	enum kind kind;
	int cap_depth;
	int strip_div_depth; /* depth of an xhtml wrapper div, or 0 */
	int person_is_author;
	bool cap_person_name;
	size_t tag_end; /* buffer length just after the last start tag */
	struct buf text;
};

static enum ns
ns_lookup(const char *uri, size_t n)
{
	for (size_t i = 0; i < sizeof(ns_table) / sizeof(ns_table[0]); i++) {
		const char *u = ns_table[i].uri;

		if (strlen(u) == n && wd_strncasecmp(u, uri, n) == 0)
			return ns_table[i].ns;
	}
	return NS_OTHER;
}

/* Split an expat name "uri<SEP>local" into its namespace and local part. */
static enum ns
split_name(const char *name, const char **local)
{
	const char *sep = strchr(name, NS_SEP);

	if (!sep) {
		*local = name;
		return NS_NONE;
	}
	*local = sep + 1;
	return ns_lookup(name, (size_t)(sep - name));
}

static bool
is_core(enum ns ns)
{
	return ns == NS_NONE || ns == NS_ATOM10 || ns == NS_ATOM03 ||
	       ns == NS_RSS10 || ns == NS_RSS090 || ns == NS_RSSU;
}

static const char *
attr_get(const char **attrs, const char *want)
{
	for (size_t i = 0; attrs[i]; i += 2) {
		const char *local;
		enum ns ns = split_name(attrs[i], &local);

		if ((ns == NS_NONE || ns == NS_ATOM10 || ns == NS_ATOM03) &&
		    strcmp(local, want) == 0)
			return attrs[i + 1];
	}
	return NULL;
}

static const char *
attr_xml(const char **attrs, const char *want)
{
	for (size_t i = 0; attrs[i]; i += 2) {
		const char *local;
		enum ns ns = split_name(attrs[i], &local);

		if (ns == NS_XML && strcmp(local, want) == 0)
			return attrs[i + 1];
	}
	return NULL;
}

static const char *
cur_base(const struct ps *ps)
{
	for (size_t i = ps->nscopes; i > 0; i--) {
		if (ps->scopes[i - 1].base)
			return ps->scopes[i - 1].base;
	}
	return ps->doc_url;
}

static const char *
cur_lang(const struct ps *ps)
{
	for (size_t i = ps->nscopes; i > 0; i--) {
		if (ps->scopes[i - 1].lang)
			return ps->scopes[i - 1].lang;
	}
	return NULL;
}

static void
scopes_push(struct ps *ps, const char **attrs)
{
	const char *base = attr_xml(attrs, "base");
	const char *lang = attr_xml(attrs, "lang");

	if (!base && !lang)
		return;
	if (ps->nscopes == ps->capscopes) {
		ps->capscopes = ps->capscopes ? ps->capscopes * 2 : 8;
		ps->scopes = xreallocarray(ps->scopes, ps->capscopes,
					   sizeof(*ps->scopes));
	}
	struct scope *s = &ps->scopes[ps->nscopes];

	s->depth = ps->depth;
	s->base = base ? urlres_resolve(cur_base(ps), base) : NULL;
	s->lang = lang ? xstrdup(lang) : NULL;
	ps->nscopes++;
}

static void
scopes_pop(struct ps *ps)
{
	while (ps->nscopes && ps->scopes[ps->nscopes - 1].depth >= ps->depth) {
		struct scope *s = &ps->scopes[--ps->nscopes];

		free(s->base);
		free(s->lang);
	}
}

/* ---- values ---------------------------------------------------------- */

static const char *
trimmed(struct ps *ps, const char *s, size_t n)
{
	while (n && wd_isspace((unsigned char)*s))
		s++, n--;
	while (n && wd_isspace((unsigned char)s[n - 1]))
		n--;
	return arena_strndup(ps->a, s, n);
}

/* A URL from the feed made absolute against the current base. */
static const char *
abs_url(struct ps *ps, const char *s)
{
	const char *base = cur_base(ps);

	if (!base || urlres_is_absolute(s))
		return s;
	char *r = urlres_resolve(base, s);

	if (!r)
		return s;
	const char *out = arena_strdup(ps->a, r);

	free(r);
	return out;
}

/* HTML with its relative links resolved against the current base. */
static const char *
abs_html(struct ps *ps, const char *s)
{
	const char *base = cur_base(ps);

	if (!base || !urlres_html_has_links(s))
		return s;
	struct buf b;

	buf_init(&b, MAX_FIELD * 2);
	urlres_html(&b, s, strlen(s), base);
	const char *out = buf_failed(&b) ? s : arena_strdup(ps->a, buf_str(&b));

	buf_free(&b);
	return out;
}

/*
 * The name in an RSS author string: "jo@example.com (Jo Smith)" gives
 * "Jo Smith", "Jo Smith <jo@example.com>" too; a bare address gives NULL,
 * as feedparser does.
 */
static const char *
author_name(struct ps *ps, const char *s)
{
	size_t n = strlen(s);
	struct buf b;

	buf_init(&b, n + 1);
	for (size_t i = 0; i < n;) {
		/* drop words that contain '@' */
		size_t j = i;

		while (j < n && !wd_isspace((unsigned char)s[j]))
			j++;
		if (!memchr(s + i, '@', j - i))
			buf_append(&b, s + i, j - i);
		while (j < n && wd_isspace((unsigned char)s[j]))
			buf_putc(&b, s[j++]);
		i = j;
	}
	const char *p = buf_str(&b);
	size_t len = b.len;

	while (len && (wd_isspace((unsigned char)*p) || *p == '(' ||
		       *p == '<'))
		p++, len--;
	while (len && (wd_isspace((unsigned char)p[len - 1]) ||
		       p[len - 1] == ')' || p[len - 1] == '>'))
		len--;
	const char *out = len ? arena_strndup(ps->a, p, len) : NULL;

	buf_free(&b);
	return out;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static const char *
base64_decode(struct ps *ps, const char *s, size_t n)
{
	struct buf b;
	unsigned acc = 0;
	int bits = 0;

	buf_init(&b, n + 1);
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(&b, (char)((acc >> bits) & 0xff));
		}
	}
	struct buf clean;

	buf_init(&clean, 3 * (n + 1));
	wd_utf8_sanitize(&clean, buf_str(&b), b.len);
	const char *out = trimmed(ps, buf_str(&clean), clean.len);

	buf_free(&clean);
	buf_free(&b);
	return out;
}

static void
set_once(const char **dst, const char *v)
{
	if (!*dst)
		*dst = v;
}

static void
set_date(int64_t *dst, const char *v)
{
	if (*dst != WD_NOTIME)
		return;
	*dst = wd_date_parse(v, strlen(v));
}

static void
add_category(struct ps *ps, const char *v)
{
	if (!*v || ps->ncats >= MAX_CATS)
		return;
	ps->cats[ps->ncats++] = v;
}

static void
assign_item(struct ps *ps, enum fld f, const char *v)
{
	struct item *it = &ps->it;

	switch (f) {
	case F_TITLE:
		set_once(&it->title, v);
		break;
	case F_LINK:
		if (!it->link || (!ps->item_link_alt && ps->id_set_by_guid))
			it->link = abs_url(ps, v);
		break;
	case F_ID:
		set_once(&it->id, v);
		break;
	case F_SUMMARY:
		set_once(&it->summary, abs_html(ps, v));
		break;
	case F_CONTENT:
		set_once(&it->content, abs_html(ps, v));
		break;
	case F_ITSUMMARY:
		set_once(&ps->item_itsummary, v);
		break;
	case F_AUTHOR:
		if (!it->author) {
			it->author = author_name(ps, v);
			if (!it->author)
				set_once(&ps->item_email_author, v);
		}
		break;
	case F_NAME:
		set_once(&it->author, v);
		break;
	case F_CATEGORY:
		add_category(ps, v);
		break;
	case F_PUBLISHED:
		set_date(&it->published, v);
		break;
	case F_UPDATED:
		set_date(&it->updated, v);
		break;
	case F_LANGUAGE:
		set_once(&it->language, v);
		break;
	case F_ORIGLINK:
		set_once(&it->orig_link, abs_url(ps, v));
		break;
	default:
		break;
	}
}

static void
assign_feed(struct ps *ps, enum fld f, const char *v)
{
	struct feed_info *fi = ps->info;

	switch (f) {
	case F_TITLE:
		set_once(&fi->title, v);
		break;
	case F_LINK:
		set_once(&fi->link, abs_url(ps, v));
		break;
	case F_SUBTITLE:
	case F_SUMMARY:
		set_once(&fi->subtitle, v);
		break;
	case F_ITSUMMARY:
		set_once(&ps->feed_itsummary, v);
		break;
	case F_LANGUAGE:
		set_once(&fi->language, v);
		break;
	case F_UPDATED:
		set_date(&fi->updated, v);
		break;
	case F_PUBLISHED:
		set_date(&ps->feed_published, v);
		break;
	case F_IMAGE:
		set_once(&fi->image, abs_url(ps, v));
		break;
	case F_TTL: {
		char *end;
		long n = strtol(v, &end, 10);

		if (end != v && n > 0 && n < 1000000)
			fi->ttl = (int)n;
		break;
	}
	case F_PERIOD: {
		static const struct {
			const char *name;
			int secs;
		} periods[] = {{"hourly", 3600},    {"daily", 86400},
			       {"weekly", 604800},  {"monthly", 2592000},
			       {"yearly", 31536000}};

		for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]);
		     i++) {
			if (wd_strcasecmp(v, periods[i].name) == 0)
				fi->update_period = periods[i].secs;
		}
		break;
	}
	default:
		break;
	}
}

/* ---- capture ---------------------------------------------------------- */

static void
cap_begin(struct ps *ps, enum fld f, enum kind k)
{
	ps->fld = f;
	ps->kind = k;
	ps->cap_depth = ps->depth;
	ps->strip_div_depth = 0;
	buf_reset(&ps->text);
	ps->tag_end = 0;
}

static void
cap_end(struct ps *ps)
{
	const char *v;
	enum fld f = ps->fld;

	ps->fld = F_NONE;
	ps->cap_depth = 0;
	if (ps->kind == K_BASE64)
		v = base64_decode(ps, buf_str(&ps->text), ps->text.len);
	else
		v = trimmed(ps, buf_str(&ps->text), ps->text.len);
	if (ps->sub == SUB_SKIP)
		return;
	if (ps->sub == SUB_IMAGE) {
		if (f == F_IMAGE && !ps->in_item)
			assign_feed(ps, F_IMAGE, v);
		return;
	}
	if (ps->sub == SUB_PERSON) {
		if (f == F_NAME && ps->person_is_author && ps->in_item)
			assign_item(ps, F_NAME, v);
		return;
	}
	if (ps->in_item)
		assign_item(ps, f, v);
	else
		assign_feed(ps, f, v);
}

/* Text as markup: escape what XML unescaped. */
static void
put_escaped(struct buf *b, const char *s, size_t n, bool attr)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = attr ? "&quot;" : NULL;
			break;
		default:
			break;
		}
		if (rep) {
			buf_append(b, s + start, i - start);
			buf_puts(b, rep);
			start = i + 1;
		}
	}
	buf_append(b, s + start, n - start);
}

static void
cap_text(struct ps *ps, const char *s, size_t n)
{
	if (ps->kind == K_XHTML)
		put_escaped(&ps->text, s, n, false);
	else
		buf_append(&ps->text, s, n);
}

static bool
is_void_element(const char *l)
{
	static const char *const v[] = {
		"area", "base", "br",   "col",   "embed",  "hr",    "img",
		"input", "link", "meta", "param", "source", "track", "wbr"};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (strcmp(l, v[i]) == 0)
			return true;
	}
	return false;
}

static void
cap_start_tag(struct ps *ps, const char *local, enum ns ns, const char **attrs)
{
	if (ps->kind == K_TEXT || ps->kind == K_BASE64)
		return;
	if (ps->kind == K_XHTML && ps->depth == ps->cap_depth + 1 &&
	    ns == NS_XHTML && strcmp(local, "div") == 0 &&
	    ps->text.len == 0) {
		ps->strip_div_depth = ps->depth;
		return;
	}
	buf_putc(&ps->text, '<');
	buf_puts(&ps->text, local);
	for (size_t i = 0; attrs[i]; i += 2) {
		const char *al;
		enum ns ans = split_name(attrs[i], &al);

		buf_putc(&ps->text, ' ');
		if (ans == NS_XML)
			buf_puts(&ps->text, "xml:");
		buf_puts(&ps->text, al);
		buf_puts(&ps->text, "=\"");
		put_escaped(&ps->text, attrs[i + 1], strlen(attrs[i + 1]),
			    true);
		buf_putc(&ps->text, '"');
	}
	buf_putc(&ps->text, '>');
	ps->tag_end = ps->text.len;
}

static void
cap_end_tag(struct ps *ps, const char *local)
{
	if (ps->kind == K_TEXT || ps->kind == K_BASE64)
		return;
	if (ps->strip_div_depth == ps->depth) {
		ps->strip_div_depth = 0;
		return;
	}
	if (ps->tag_end == ps->text.len && ps->text.len &&
	    is_void_element(local)) {
		/* turn the "<br>" just written into "<br />" */
		ps->text.len--;
		buf_puts(&ps->text, " />");
		return;
	}
	buf_puts(&ps->text, "</");
	buf_puts(&ps->text, local);
	buf_putc(&ps->text, '>');
}

/* ---- items ------------------------------------------------------------ */

static void
item_begin(struct ps *ps)
{
	ps->in_item = true;
	ps->item_depth = ps->depth;
	ps->item_mark = arena_mark(ps->a);
	memset(&ps->it, 0, sizeof(ps->it));
	ps->it.id_is_permalink = true;
	ps->it.published = WD_NOTIME;
	ps->it.updated = WD_NOTIME;
	ps->it.embargo = WD_NOTIME;
	ps->item_itsummary = NULL;
	ps->item_email_author = NULL;
	ps->item_link_alt = false;
	ps->id_set_by_guid = false;
	ps->ncats = 0;
	ps->nencs = 0;
	const char *lang = cur_lang(ps);

	if (lang)
		ps->it.language = arena_strdup(ps->a, lang);
}

static void
item_end(struct ps *ps)
{
	struct item *it = &ps->it;

	ps->in_item = false;
	if (ps->fld != F_NONE)
		cap_end(ps);
	if (!it->summary && ps->item_itsummary)
		it->summary = ps->item_itsummary;
	if (!it->link && it->id && ps->id_set_by_guid && it->id_is_permalink &&
	    urlres_is_absolute(it->id))
		it->link = it->id;
	if (!it->language)
		it->language = ps->info->language;
	it->categories = ps->cats;
	it->ncategories = ps->ncats;
	it->enclosures = ps->encs;
	it->nenclosures = ps->nencs;
	ps->seen++;
	if (ps->seen > ps->skip) {
		int rc = ps->on_item(ps->ctx, it);

		ps->info->nitems++;
		if (rc < 0) {
			ps->rc = rc;
			ps->stop = true;
		}
		if (ps->opts && ps->opts->max_items &&
		    ps->info->nitems >= ps->opts->max_items)
			ps->stop = true;
	}
	arena_reset_to(ps->a, ps->item_mark);
	if (ps->stop)
		XML_StopParser(ps->xp, XML_FALSE);
}

/* ---- element dispatch --------------------------------------------------- */

static void
set_version(struct ps *ps, const char *v)
{
	if (!ps->info->version)
		ps->info->version = v;
}

static void
root_start(struct ps *ps, enum ns ns, const char *l, const char **attrs)
{
	ps->root_seen = true;
	if (strcmp(l, "rss") == 0 && is_core(ns)) {
		const char *v = attr_get(attrs, "version");

		ps->is_feed = true;
		if (!v)
			set_version(ps, "rss");
		else if (strcmp(v, "0.91") == 0)
			set_version(ps, ps->netscape ? "rss091n" : "rss091u");
		else if (strcmp(v, "0.92") == 0)
			set_version(ps, "rss092");
		else if (strcmp(v, "0.93") == 0)
			set_version(ps, "rss093");
		else if (strcmp(v, "0.94") == 0)
			set_version(ps, "rss094");
		else if (strncmp(v, "2.", 2) == 0 || strcmp(v, "2") == 0)
			set_version(ps, "rss20");
		else
			set_version(ps, "rss");
	} else if (strcmp(l, "RDF") == 0 && ns == NS_RDF) {
		ps->is_feed = true;
	} else if (strcmp(l, "feed") == 0 && is_core(ns)) {
		const char *v = attr_get(attrs, "version");

		ps->is_feed = true;
		ps->atom = true;
		if (ns == NS_ATOM10)
			set_version(ps, "atom10");
		else if (v && strcmp(v, "0.3") == 0)
			set_version(ps, "atom03");
		else if (v && strcmp(v, "0.2") == 0)
			set_version(ps, "atom02");
		else if (v && strcmp(v, "0.1") == 0)
			set_version(ps, "atom01");
		else
			set_version(ps, "atom");
	} else if (wd_strcasecmp(l, "channel") == 0) {
		ps->is_feed = true;
		set_version(ps, strcmp(l, "CHANNEL") == 0 ? "cdf" : "rss");
	}
	if (ps->is_feed) {
		const char *lang = attr_xml(attrs, "lang");

		if (lang && *lang)
			set_once(&ps->info->language, arena_strdup(ps->a, lang));
	}
}

/* Kind of an Atom text construct or content element from its attributes. */
static enum kind
atom_kind(struct ps *ps, const char **attrs, bool content)
{
	const char *type = attr_get(attrs, "type");
	const char *mode = attr_get(attrs, "mode");

	if (mode && strcmp(mode, "base64") == 0)
		return K_BASE64;
	if (mode && strcmp(mode, "xml") == 0)
		return K_XHTML;
	if (mode && strcmp(mode, "escaped") == 0)
		return K_HTML;
	if (!type)
		return K_TEXT;
	if (strcmp(type, "xhtml") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0)
		return K_XHTML;
	if (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0)
		return K_HTML;
	if (strcmp(type, "text") == 0 || strncmp(type, "text/", 5) == 0)
		return K_TEXT;
	if (strstr(type, "xml"))
		return K_XHTML;
	return content ? K_BASE64 : K_TEXT;
}

static void
atom_link(struct ps *ps, const char **attrs)
{
	const char *href = attr_get(attrs, "href");
	const char *rel = attr_get(attrs, "rel");

	if (!href)
		return;
	if (!rel)
		rel = "alternate";
	if (ps->in_item) {
		if (strcmp(rel, "alternate") == 0) {
			if (!ps->item_link_alt) {
				ps->it.link = NULL;
				assign_item(ps, F_LINK,
					    arena_strdup(ps->a, href));
				ps->item_link_alt = true;
			}
		} else if (strcmp(rel, "enclosure") == 0 &&
			   ps->nencs < MAX_ENCS) {
			struct enclosure *e = &ps->encs[ps->nencs++];
			const char *type = attr_get(attrs, "type");
			const char *len = attr_get(attrs, "length");

			e->url = abs_url(ps, arena_strdup(ps->a, href));
			e->type = type ? arena_strdup(ps->a, type) : NULL;
			e->length = len ? strtoll(len, NULL, 10) : -1;
		}
	} else if (strcmp(rel, "alternate") == 0 && !ps->feed_link_alt) {
		ps->info->link = NULL;
		assign_feed(ps, F_LINK, arena_strdup(ps->a, href));
		ps->feed_link_alt = true;
	}
}

static void
enclosure(struct ps *ps, const char **attrs)
{
	const char *url = attr_get(attrs, "url");

	if (!url || ps->nencs >= MAX_ENCS)
		return;
	struct enclosure *e = &ps->encs[ps->nencs++];
	const char *type = attr_get(attrs, "type");
	const char *len = attr_get(attrs, "length");

	e->url = abs_url(ps, arena_strdup(ps->a, url));
	e->type = type ? arena_strdup(ps->a, type) : NULL;
	e->length = -1;
	if (len) {
		char *end;
		long long n = strtoll(len, &end, 10);

		if (end != len && n >= 0)
			e->length = n;
	}
}

static void
media(struct ps *ps, const char *l, const char **attrs)
{
	const char *url = attr_get(attrs, "url");

	if (!url)
		return;
	if (strcmp(l, "thumbnail") == 0) {
		if (ps->in_item)
			set_once(&ps->it.image,
				 abs_url(ps, arena_strdup(ps->a, url)));
		return;
	}
	const char *medium = attr_get(attrs, "medium");
	const char *type = attr_get(attrs, "type");

	if (ps->in_item && ((medium && strcmp(medium, "image") == 0) ||
			    (type && strncmp(type, "image/", 6) == 0)))
		set_once(&ps->it.image, abs_url(ps, arena_strdup(ps->a, url)));
}

/* Decide what an element inside the feed means. */
static void
elem_start(struct ps *ps, enum ns ns, const char *l, const char **attrs)
{
	bool core = is_core(ns);

	if (core && (strcmp(l, "item") == 0 || strcmp(l, "entry") == 0) &&
	    !ps->in_item && ps->sub == SUB_NONE) {
		item_begin(ps);
		return;
	}
	if (ns == NS_RDF || (core && (strcmp(l, "channel") == 0)))
		return;
	if (core) {
		if (strcmp(l, "image") == 0 && !ps->in_item &&
		    ps->sub == SUB_NONE) {
			ps->sub = SUB_IMAGE;
			ps->sub_depth = ps->depth;
			return;
		}
		if ((wd_strcasecmp(l, "textinput") == 0 ||
		     (strcmp(l, "source") == 0 && ps->atom)) &&
		    ps->sub == SUB_NONE) {
			ps->sub = SUB_SKIP;
			ps->sub_depth = ps->depth;
			return;
		}
		if (ps->atom && (strcmp(l, "author") == 0 ||
				 strcmp(l, "contributor") == 0)) {
			if (ps->sub == SUB_NONE) {
				ps->sub = SUB_PERSON;
				ps->sub_depth = ps->depth;
				ps->person_is_author = strcmp(l, "author") == 0;
			}
			return;
		}
	}
	if (core) {
		enum fld f = F_NONE;
		enum kind k = K_TEXT;

		if (strcmp(l, "title") == 0) {
			f = F_TITLE;
			if (ps->atom)
				k = atom_kind(ps, attrs, false);
		} else if (strcmp(l, "link") == 0) {
			if (attr_get(attrs, "href") || ps->atom) {
				atom_link(ps, attrs);
				return;
			}
			f = F_LINK;
		} else if (strcmp(l, "description") == 0) {
			f = ps->in_item ? F_SUMMARY : F_SUBTITLE;
			k = ps->in_item ? K_HTML : K_TEXT;
		} else if (strcmp(l, "summary") == 0) {
			f = F_SUMMARY;
			k = atom_kind(ps, attrs, false);
		} else if (strcmp(l, "content") == 0) {
			f = F_CONTENT;
			k = atom_kind(ps, attrs, true);
		} else if (strcmp(l, "subtitle") == 0 ||
			   strcmp(l, "tagline") == 0) {
			f = F_SUBTITLE;
			k = atom_kind(ps, attrs, false);
		} else if (strcmp(l, "guid") == 0) {
			const char *pl = attr_get(attrs, "isPermaLink");

			f = F_ID;
			if (ps->in_item && !ps->it.id) {
				ps->id_set_by_guid = true;
				ps->it.id_is_permalink =
					!pl || wd_strcasecmp(pl, "false") != 0;
			}
		} else if (strcmp(l, "id") == 0) {
			f = F_ID;
		} else if (strcmp(l, "pubDate") == 0 ||
			   strcmp(l, "published") == 0 ||
			   strcmp(l, "issued") == 0) {
			f = F_PUBLISHED;
		} else if (strcmp(l, "updated") == 0 ||
			   strcmp(l, "modified") == 0 ||
			   strcmp(l, "lastBuildDate") == 0) {
			f = F_UPDATED;
		} else if (strcmp(l, "author") == 0) {
			f = F_AUTHOR;
		} else if (strcmp(l, "name") == 0) {
			f = ps->sub == SUB_PERSON ? F_NAME : F_NONE;
		} else if (strcmp(l, "category") == 0) {
			const char *term = attr_get(attrs, "term");

			if (term) {
				if (ps->in_item && ps->sub == SUB_NONE)
					add_category(ps,
						     arena_strdup(ps->a, term));
				return;
			}
			f = F_CATEGORY;
		} else if (strcmp(l, "enclosure") == 0) {
			if (ps->in_item)
				enclosure(ps, attrs);
			return;
		} else if (strcmp(l, "language") == 0) {
			f = F_LANGUAGE;
		} else if (strcmp(l, "ttl") == 0) {
			f = F_TTL;
		} else if (strcmp(l, "url") == 0) {
			f = F_IMAGE;
		} else if (strcmp(l, "logo") == 0) {
			f = F_IMAGE;
		}
		if (f != F_NONE)
			cap_begin(ps, f, k);
		return;
	}
	enum fld f = F_NONE;
	enum kind k = K_TEXT;

	switch (ns) {
	case NS_DC:
		if (strcmp(l, "title") == 0)
			f = F_TITLE;
		else if (strcmp(l, "creator") == 0 || strcmp(l, "author") == 0)
			f = F_AUTHOR;
		else if (strcmp(l, "subject") == 0)
			f = F_CATEGORY;
		else if (strcmp(l, "date") == 0)
			f = F_UPDATED;
		else if (strcmp(l, "language") == 0)
			f = F_LANGUAGE;
		else if (strcmp(l, "description") == 0) {
			f = ps->in_item ? F_SUMMARY : F_SUBTITLE;
			k = ps->in_item ? K_HTML : K_TEXT;
		} else if (strcmp(l, "identifier") == 0)
			f = F_ID;
		break;
	case NS_DCTERMS:
		if (strcmp(l, "issued") == 0 || strcmp(l, "created") == 0)
			f = F_PUBLISHED;
		else if (strcmp(l, "modified") == 0)
			f = F_UPDATED;
		break;
	case NS_CONTENT:
		if (strcmp(l, "encoded") == 0) {
			f = F_CONTENT;
			k = K_HTML;
		}
		break;
	case NS_XHTML:
		if (strcmp(l, "body") == 0 || strcmp(l, "div") == 0) {
			f = F_CONTENT;
			k = K_XHTML;
		}
		break;
	case NS_MEDIA:
		if (strcmp(l, "content") == 0 || strcmp(l, "thumbnail") == 0)
			media(ps, l, attrs);
		break;
	case NS_ITUNES:
		if (strcmp(l, "summary") == 0)
			f = F_ITSUMMARY;
		else if (strcmp(l, "author") == 0)
			f = F_AUTHOR;
		else if (strcmp(l, "image") == 0 && !ps->in_item) {
			const char *href = attr_get(attrs, "href");

			if (href)
				assign_feed(ps, F_IMAGE,
					    arena_strdup(ps->a, href));
		}
		break;
	case NS_FEEDBURNER:
		if (strcmp(l, "origLink") == 0)
			f = F_ORIGLINK;
		break;
	case NS_SY:
		if (strcmp(l, "updatePeriod") == 0)
			f = F_PERIOD;
		else if (strcmp(l, "updateFrequency") == 0)
			f = F_FREQ;
		break;
	default:
		break;
	}
	if (f != F_NONE)
		cap_begin(ps, f, k);
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct ps *ps = ud;
	const char *l;
	enum ns ns = split_name(name, &l);

	ps->depth++;
	if (ps->depth > MAX_DEPTH)
		return;
	scopes_push(ps, attrs);
	if (ps->fld != F_NONE) {
		cap_start_tag(ps, l, ns, attrs);
		return;
	}
	if (!ps->root_seen) {
		root_start(ps, ns, l, attrs);
		return;
	}
	if (!ps->is_feed)
		return;
	if (ps->depth == 2 && ns == NS_RSS10)
		set_version(ps, "rss10");
	else if (ps->depth == 2 && ns == NS_RSS090)
		set_version(ps, "rss090");
	if (ps->depth == 2 && ps->info->version == NULL &&
	    strcmp(l, "channel") == 0)
		set_version(ps, "rss10");
	elem_start(ps, ns, l, attrs);
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct ps *ps = ud;

	if (ps->depth > MAX_DEPTH) {
		ps->depth--;
		return;
	}
	if (ps->fld != F_NONE) {
		if (ps->depth == ps->cap_depth) {
			cap_end(ps);
		} else {
			const char *l;

			split_name(name, &l);
			cap_end_tag(ps, l);
		}
	} else if (ps->sub != SUB_NONE && ps->depth == ps->sub_depth) {
		ps->sub = SUB_NONE;
	} else if (ps->in_item && ps->depth == ps->item_depth) {
		item_end(ps);
	}
	scopes_pop(ps);
	ps->depth--;
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct ps *ps = ud;

	if (ps->fld != F_NONE)
		cap_text(ps, s, (size_t)len);
}

/* Undeclared entities reach us here (see parse_run): HTML5 names become
 * their text, unknown ones stay as written. */
static void XMLCALL
on_skipped(void *ud, const XML_Char *name, int is_param)
{
	struct ps *ps = ud;

	if (is_param || ps->fld == F_NONE)
		return;
	size_t n = strlen(name);
	const char *v = entities_lookup(name, n);

	if (v) {
		cap_text(ps, v, strlen(v));
	} else {
		buf_putc(&ps->text, '&');
		buf_append(&ps->text, name, n);
		buf_putc(&ps->text, ';');
	}
}

/*
 * A document without a DTD may not use undeclared entities, so expat
 * rejects &eacute;. Declaring a foreign DTD and "reading" it as an empty
 * external subset makes expat treat undeclared entities as possibly
 * declared there and report them as skipped instead; that costs nothing
 * and keeps one pass.
 */
static int XMLCALL
on_external(XML_Parser xp, const XML_Char *context, const XML_Char *base,
	    const XML_Char *sysid, const XML_Char *pubid)
{
	XML_Parser ext = XML_ExternalEntityParserCreate(xp, context, NULL);

	if (!ext)
		return XML_STATUS_ERROR;
	enum XML_Status st = XML_Parse(ext, "", 0, XML_TRUE);

	XML_ParserFree(ext);
	return st == XML_STATUS_ERROR ? XML_STATUS_ERROR : XML_STATUS_OK;
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
	   const XML_Char *pubid, int has_internal)
{
	struct ps *ps = ud;

	if (pubid && strstr(pubid, "Netscape"))
		ps->netscape = true;
	if (sysid && strstr(sysid, "netscape"))
		ps->netscape = true;
}

/* ---- driver ------------------------------------------------------------ */

static void
ps_reset(struct ps *ps)
{
	while (ps->nscopes) {
		struct scope *s = &ps->scopes[--ps->nscopes];

		free(s->base);
		free(s->lang);
	}
	ps->depth = 0;
	ps->root_seen = false;
	ps->is_feed = false;
	ps->atom = false;
	ps->in_item = false;
	ps->sub = SUB_NONE;
	ps->fld = F_NONE;
	ps->cap_depth = 0;
	ps->seen = 0;
}

/* One expat pass over doc; returns the XML error, or XML_ERROR_NONE. */
static enum XML_Error
parse_run(struct ps *ps, const char *doc, size_t len, size_t *err_off,
	  char *msg, size_t msgsize)
{
	XML_Parser xp = XML_ParserCreateNS("UTF-8", NS_SEP);

	ps->xp = xp;
	XML_SetUserData(xp, ps);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	XML_SetSkippedEntityHandler(xp, on_skipped);
	XML_SetStartDoctypeDeclHandler(xp, on_doctype);
	XML_SetParamEntityParsing(xp,
				  XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE);
	XML_SetExternalEntityRefHandler(xp, on_external);
	XML_UseForeignDTD(xp, XML_TRUE);
	enum XML_Error err = XML_ERROR_NONE;
	/* expat takes an int length: feed big documents in slices */
	size_t off = 0;

	do {
		size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;
		bool last = off + n == len;

		if (XML_Parse(xp, doc + off, (int)n, last) ==
		    XML_STATUS_ERROR) {
			err = XML_GetErrorCode(xp);
			break;
		}
		off += n;
	} while (off < len && !ps->stop);
	if (err != XML_ERROR_NONE && err != XML_ERROR_ABORTED) {
		XML_Index idx = XML_GetCurrentByteIndex(xp);

		*err_off = idx < 0 ? 0 : (size_t)idx;
		snprintf(msg, msgsize, "line %lu, column %lu: %s",
			 (unsigned long)XML_GetCurrentLineNumber(xp),
			 (unsigned long)XML_GetCurrentColumnNumber(xp),
			 XML_ErrorString(err));
	}
	XML_ParserFree(xp);
	ps->xp = NULL;
	return err;
}

/*
 * An ill-formed document: deliver the item that was open at the error (as
 * a loose parser would), then note the error.
 */
static void
flush_open(struct ps *ps)
{
	if (ps->fld != F_NONE)
		cap_end(ps);
	ps->sub = SUB_NONE;
	if (ps->in_item && !ps->stop)
		item_end(ps);
}

static bool
looks_like_json(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!wd_isspace((unsigned char)s[i]))
			return s[i] == '{';
	}
	return false;
}

int
parse_feed(const char *doc, size_t len, const struct parse_opts *opts,
	   parse_item_fn on_item, void *ctx, struct arena *a,
	   struct feed_info *info)
{
	memset(info, 0, sizeof(*info));
	info->updated = WD_NOTIME;

	struct enc_result enc;
	struct buf conv;

	buf_init(&conv, (len + 16) * 4);
	enc_to_utf8(doc, len, opts ? opts->content_type : NULL, &conv, &enc);
	const char *d = enc.converted ? buf_str(&conv) : doc + enc.skip;
	size_t n = enc.converted ? conv.len : len - enc.skip;

	info->encoding = arena_strdup(a, enc.encoding);
	if (enc.bozo_msg) {
		info->bozo = true;
		info->bozo_msg = arena_strdup(a, enc.bozo_msg);
	}
	if (looks_like_json(d, n)) {
		int rc = jsonfeed_parse(d, n, opts, on_item, ctx, a, info);

		buf_free(&conv);
		return rc;
	}

	struct ps ps;

	memset(&ps, 0, sizeof(ps));
	ps.a = a;
	ps.info = info;
	ps.opts = opts;
	ps.on_item = on_item;
	ps.ctx = ctx;
	ps.doc_url = opts ? opts->url : NULL;
	ps.feed_published = WD_NOTIME;
	ps.cats = xcalloc(MAX_CATS, sizeof(*ps.cats));
	ps.encs = xcalloc(MAX_ENCS, sizeof(*ps.encs));
	buf_init(&ps.text, MAX_FIELD);

	char msg[200];
	size_t err_off = 0;
	enum XML_Error err = parse_run(&ps, d, n, &err_off, msg, sizeof(msg));
	int rc = 0;

	if (err != XML_ERROR_NONE && err != XML_ERROR_ABORTED) {
		flush_open(&ps);
		info->bozo = true;
		info->bozo_msg = arena_strdup(a, msg);
	}
	if (info->updated == WD_NOTIME)
		info->updated = ps.feed_published;
	if (!info->subtitle && ps.feed_itsummary)
		info->subtitle = ps.feed_itsummary;
	if (!ps.is_feed && info->nitems == 0) {
		info->bozo = true;
		if (!info->bozo_msg || ps.root_seen)
			info->bozo_msg = ps.root_seen ?
				"not a feed: unknown root element" :
				"not a feed: no XML element found";
		rc = WD_EPARSE;
	}
	if (ps.rc < 0)
		rc = ps.rc;
	ps_reset(&ps);
	free(ps.scopes);
	free(ps.cats);
	free(ps.encs);
	buf_free(&ps.text);
	buf_free(&conv);
	return rc;
}
