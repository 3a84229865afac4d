/* SPDX-License-Identifier: MIT */
/* output/sanitize.c: the output stage's HTML allowlist, HTML-to-text and URL
 * vetting, over libxml2's HTML parser (never regexes). */
#include "output/sanitize.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "core/text.h"
#include "core/xalloc.h"

enum {
	URL_MAX = 16384,     /* longer URLs are refused */
	HTML_MAX_DEPTH = 64, /* deeper elements are unwrapped to their text */
	TEMP_MAX = 256 << 20 /* cap for scratch buffers */
};

/* ---- URLs ------------------------------------------------------------- */

static bool
is_scheme_char(int c)
{
	return wd_isalnum(c) || c == '+' || c == '-' || c == '.';
}

/*
 * Browsers ignore leading and trailing C0 controls and spaces, and tabs and
 * newlines anywhere in a URL ("java\tscript:" is javascript:), so we do the
 * same before looking at the scheme; any other control character makes the
 * URL unusable. Backslashes before the query are slashes to a browser.
 */
static int
url_clean(const char *url, struct buf *c)
{
	size_t n = strlen(url);
	size_t i = 0;
	bool in_query = false;

	if (n > URL_MAX)
		return WD_EINVAL;
	while (i < n && (unsigned char)url[i] <= 0x20)
		i++;
	while (n > i && (unsigned char)url[n - 1] <= 0x20)
		n--;
	for (; i < n; i++) {
		unsigned char ch = (unsigned char)url[i];

		if (ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		if (ch < 0x20 || ch == 0x7f)
			return WD_EINVAL;
		if (ch == '?' || ch == '#')
			in_query = true;
		if (ch == '\\' && !in_query)
			ch = '/';
		buf_putc(c, (char)ch);
	}
	return 0;
}

/* Length of the scheme of u (0 when u is relative); -1 when a colon comes
 * before any '/', '?' or '#' but what precedes it is not a scheme. */
static long
url_scheme_len(const char *u)
{
	size_t k = 0;

	while (is_scheme_char((unsigned char)u[k]))
		k++;
	if (u[k] == ':')
		return k > 0 && wd_isalpha((unsigned char)u[0]) ? (long)k : -1;
	size_t stop = strcspn(u, "/?#");

	return memchr(u, ':', stop) ? -1 : 0;
}

/* Append u with bytes a URL may not hold raw percent-encoded. */
static void
url_put_encoded(struct buf *out, const char *u, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)u[i];

		if (ch <= 0x20 || ch >= 0x7f || strchr("\"<>`{}|^", ch)) {
			char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};

			buf_append(out, e, 3);
		} else {
			buf_putc(out, (char)ch);
		}
	}
}

/* Append path p[0..n) (starting with '/') with "." and ".." segments
 * removed as RFC 3986 section 5.2.4 says. */
static void
url_put_path(struct buf *out, const char *p, size_t n)
{
	char *t = xmalloc(n + 2);
	size_t tl = 0, i = 0;

	while (i < n) {
		size_t j = i + 1;

		while (j < n && p[j] != '/')
			j++;
		const char *seg = p + i + 1;
		size_t sl = j - i - 1;
		bool last = j >= n;

		if (sl == 1 && seg[0] == '.') {
			if (last)
				t[tl++] = '/';
		} else if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			while (tl > 0 && t[tl - 1] != '/')
				tl--;
			if (tl > 0)
				tl--;
			if (last)
				t[tl++] = '/';
		} else {
			t[tl++] = '/';
			memcpy(t + tl, seg, sl);
			tl += sl;
		}
		i = j;
	}
	if (tl == 0)
		t[tl++] = '/';
	buf_append(out, t, tl);
	free(t);
}

/* Resolve relative reference r against absolute http(s) URL b (both
 * cleaned) into out (not yet percent-encoded). */
static void
url_resolve(const char *b, const char *r, struct buf *out)
{
	size_t slen = (size_t)url_scheme_len(b);
	const char *auth = b + slen + 3; /* after "://" */
	size_t alen = strcspn(auth, "/?#");
	const char *path = auth + alen;
	size_t plen = strcspn(path, "?#");
	size_t qlen = strcspn(path + plen, "#");

	if (r[0] == '/' && r[1] == '/') {
		buf_append(out, b, slen + 1);
		buf_puts(out, r);
		return;
	}
	buf_append(out, b, (size_t)(auth + alen - b));
	if (r[0] == '/') {
		size_t rp = strcspn(r, "?#");

		url_put_path(out, r, rp);
		buf_puts(out, r + rp);
	} else if (r[0] == '?' || r[0] == '\0') {
		buf_append(out, path, plen);
		if (!plen)
			buf_putc(out, '/');
		if (r[0])
			buf_puts(out, r);
		else
			buf_append(out, path + plen, qlen);
	} else if (r[0] == '#') {
		buf_append(out, path, plen);
		if (!plen)
			buf_putc(out, '/');
		buf_append(out, path + plen, qlen);
		buf_puts(out, r);
	} else {
		/* merge: the base path up to its last slash, then r */
		struct buf m;
		size_t dir = plen;

		while (dir > 0 && path[dir - 1] != '/')
			dir--;
		buf_init(&m, TEMP_MAX);
		if (dir == 0)
			buf_putc(&m, '/');
		else
			buf_append(&m, path, dir);
		size_t rp = strcspn(r, "?#");

		buf_append(&m, r, rp);
		url_put_path(out, buf_str(&m), m.len);
		buf_puts(out, r + rp);
		buf_free(&m);
	}
}

static bool
scheme_is(const char *u, size_t slen, const char *name)
{
	return strlen(name) == slen && !wd_strncasecmp(u, name, slen);
}

/* True when cleaned u is "http://" or "https://" plus something. */
static bool
is_http_clean(const char *u)
{
	long sl = url_scheme_len(u);

	if (sl <= 0 || !(scheme_is(u, (size_t)sl, "http") ||
			 scheme_is(u, (size_t)sl, "https")))
		return false;
	return u[sl + 1] == '/' && u[sl + 2] == '/' && u[sl + 3] != '\0';
}

int
sanitize_url(const char *url, const char *base, bool allow_mailto,
	     struct buf *out)
{
	struct buf c, bc, r;
	int rc = WD_EINVAL;

	if (!url)
		return WD_EINVAL;
	buf_init(&c, URL_MAX);
	buf_init(&bc, URL_MAX);
	buf_init(&r, 3 * URL_MAX);
	if (url_clean(url, &c) < 0 || buf_failed(&c))
		goto out;
	const char *u = buf_str(&c);
	long sl = url_scheme_len(u);

	if (sl < 0)
		goto out;
	if (sl > 0) {
		if (is_http_clean(u)) {
			for (long i = 0; i < sl; i++)
				buf_putc(&r, (char)wd_tolower(u[i]));
			buf_puts(&r, u + sl);
		} else if (allow_mailto && scheme_is(u, (size_t)sl, "mailto") &&
			   u[sl + 1]) {
			buf_puts(&r, "mailto");
			buf_puts(&r, u + sl);
		} else {
			goto out;
		}
	} else {
		if (!base || url_clean(base, &bc) < 0 || buf_failed(&bc) ||
		    !is_http_clean(buf_str(&bc)))
			goto out;
		url_resolve(buf_str(&bc), u, &r);
	}
	if (buf_failed(&r))
		goto out;
	url_put_encoded(out, buf_str(&r), r.len);
	rc = 0;
out:
	buf_free(&r);
	buf_free(&bc);
	buf_free(&c);
	return rc;
}

bool
sanitize_url_is_http(const char *url)
{
	struct buf c;
	bool ok = false;

	if (!url)
		return false;
	buf_init(&c, URL_MAX);
	if (url_clean(url, &c) == 0 && !buf_failed(&c))
		ok = is_http_clean(buf_str(&c));
	buf_free(&c);
	return ok;
}

/* ---- HTML ------------------------------------------------------------- */

enum el_kind {
	EL_KEEP,  /* keep the element and its allowlisted attributes */
	EL_DROP,  /* drop the element and everything inside it */
	EL_UNWRAP /* drop the tag, keep what is inside (also: unknown tags) */
};

struct el_rule {
	const char *name;
	enum el_kind kind;
	bool is_void;      /* no end tag */
	bool is_block;     /* separates words in sanitize_text */
	const char *attrs; /* " a b c " allowlisted attributes, besides the
			      global ones */
	const char *as;    /* written under this name instead, or NULL */
};

/*
 * The allowlist. Everything not named here is unwrapped, so new or
 * misspelt tags lose their markup but not their words. EL_DROP is for
 * elements whose content is code, a raw-text context a browser would
 * reparse (mutation XSS), or an interactive widget.
 */
static const struct el_rule el_rules[] = {
    {"a", EL_KEEP, false, false, " href ", NULL},
    {"abbr", EL_KEEP, false, false, "", NULL},
    {"address", EL_KEEP, false, true, "", NULL},
    {"applet", EL_DROP, false, false, "", NULL},
    {"area", EL_DROP, true, false, "", NULL},
    {"article", EL_UNWRAP, false, true, "", NULL},
    {"aside", EL_UNWRAP, false, true, "", NULL},
    {"audio", EL_DROP, false, false, "", NULL},
    {"b", EL_KEEP, false, false, "", NULL},
    {"base", EL_DROP, true, false, "", NULL},
    {"basefont", EL_DROP, true, false, "", NULL},
    {"bdi", EL_KEEP, false, false, "", NULL},
    {"bgsound", EL_DROP, true, false, "", NULL},
    {"blockquote", EL_KEEP, false, true, " cite ", NULL},
    {"br", EL_KEEP, true, true, "", NULL},
    {"button", EL_DROP, false, false, "", NULL},
    {"canvas", EL_DROP, false, false, "", NULL},
    {"caption", EL_KEEP, false, true, "", NULL},
    {"cite", EL_KEEP, false, false, "", NULL},
    {"code", EL_KEEP, false, false, "", NULL},
    {"col", EL_DROP, true, false, "", NULL},
    {"dd", EL_KEEP, false, true, "", NULL},
    {"del", EL_KEEP, false, false, " cite datetime ", NULL},
    {"details", EL_UNWRAP, false, true, "", NULL},
    {"dfn", EL_KEEP, false, false, "", NULL},
    {"dialog", EL_DROP, false, false, "", NULL},
    {"div", EL_KEEP, false, true, "", NULL},
    {"dl", EL_KEEP, false, true, "", NULL},
    {"dt", EL_KEEP, false, true, "", NULL},
    {"em", EL_KEEP, false, false, "", NULL},
    {"embed", EL_DROP, true, false, "", NULL},
    {"figcaption", EL_KEEP, false, true, "", NULL},
    {"figure", EL_KEEP, false, true, "", NULL},
    {"footer", EL_UNWRAP, false, true, "", NULL},
    {"form", EL_DROP, false, false, "", NULL},
    {"frame", EL_DROP, true, false, "", NULL},
    {"frameset", EL_DROP, false, false, "", NULL},
    {"h1", EL_KEEP, false, true, "", "h3"},
    {"h2", EL_KEEP, false, true, "", "h3"},
    {"h3", EL_KEEP, false, true, "", NULL},
    {"h4", EL_KEEP, false, true, "", NULL},
    {"h5", EL_KEEP, false, true, "", NULL},
    {"h6", EL_KEEP, false, true, "", NULL},
    {"head", EL_DROP, false, false, "", NULL},
    {"header", EL_UNWRAP, false, true, "", NULL},
    {"hr", EL_KEEP, true, true, "", NULL},
    {"i", EL_KEEP, false, false, "", NULL},
    {"iframe", EL_DROP, false, false, "", NULL},
    {"img", EL_KEEP, true, false, " src alt width height ", NULL},
    {"input", EL_DROP, true, false, "", NULL},
    {"ins", EL_KEEP, false, false, " cite datetime ", NULL},
    {"isindex", EL_DROP, true, false, "", NULL},
    {"kbd", EL_KEEP, false, false, "", NULL},
    {"keygen", EL_DROP, true, false, "", NULL},
    {"li", EL_KEEP, false, true, "", NULL},
    {"link", EL_DROP, true, false, "", NULL},
    {"listing", EL_DROP, false, false, "", NULL},
    {"main", EL_UNWRAP, false, true, "", NULL},
    {"map", EL_DROP, false, false, "", NULL},
    {"mark", EL_KEEP, false, false, "", NULL},
    {"marquee", EL_UNWRAP, false, false, "", NULL},
    {"math", EL_DROP, false, false, "", NULL},
    {"menu", EL_DROP, false, false, "", NULL},
    {"meta", EL_DROP, true, false, "", NULL},
    {"meter", EL_DROP, false, false, "", NULL},
    {"nav", EL_UNWRAP, false, true, "", NULL},
    {"noembed", EL_DROP, false, false, "", NULL},
    {"noframes", EL_DROP, false, false, "", NULL},
    {"noscript", EL_DROP, false, false, "", NULL},
    {"object", EL_DROP, false, false, "", NULL},
    {"ol", EL_KEEP, false, true, " start ", NULL},
    {"optgroup", EL_DROP, false, false, "", NULL},
    {"option", EL_DROP, false, false, "", NULL},
    {"p", EL_KEEP, false, true, "", NULL},
    {"param", EL_DROP, true, false, "", NULL},
    {"picture", EL_UNWRAP, false, false, "", NULL},
    {"plaintext", EL_DROP, false, false, "", NULL},
    {"portal", EL_DROP, false, false, "", NULL},
    {"pre", EL_KEEP, false, true, "", NULL},
    {"progress", EL_DROP, false, false, "", NULL},
    {"q", EL_KEEP, false, false, " cite ", NULL},
    {"rp", EL_DROP, false, false, "", NULL},
    {"s", EL_KEEP, false, false, "", NULL},
    {"samp", EL_KEEP, false, false, "", NULL},
    {"script", EL_DROP, false, false, "", NULL},
    {"section", EL_UNWRAP, false, true, "", NULL},
    {"select", EL_DROP, false, false, "", NULL},
    {"slot", EL_DROP, false, false, "", NULL},
    {"small", EL_KEEP, false, false, "", NULL},
    {"source", EL_DROP, true, false, "", NULL},
    {"span", EL_KEEP, false, false, "", NULL},
    {"strike", EL_KEEP, false, false, "", "s"},
    {"strong", EL_KEEP, false, false, "", NULL},
    {"style", EL_DROP, false, false, "", NULL},
    {"sub", EL_KEEP, false, false, "", NULL},
    {"summary", EL_UNWRAP, false, true, "", NULL},
    {"sup", EL_KEEP, false, false, "", NULL},
    {"svg", EL_DROP, false, false, "", NULL},
    {"table", EL_KEEP, false, true, "", NULL},
    {"tbody", EL_KEEP, false, false, "", NULL},
    {"td", EL_KEEP, false, true, " colspan rowspan ", NULL},
    {"template", EL_DROP, false, false, "", NULL},
    {"textarea", EL_DROP, false, false, "", NULL},
    {"tfoot", EL_KEEP, false, false, "", NULL},
    {"th", EL_KEEP, false, true, " colspan rowspan ", NULL},
    {"thead", EL_KEEP, false, false, "", NULL},
    {"time", EL_KEEP, false, false, " datetime ", NULL},
    {"title", EL_DROP, false, false, "", NULL},
    {"tr", EL_KEEP, false, true, "", NULL},
    {"track", EL_DROP, true, false, "", NULL},
    {"tt", EL_KEEP, false, false, "", "code"},
    {"u", EL_KEEP, false, false, "", NULL},
    {"ul", EL_KEEP, false, true, "", NULL},
    {"var", EL_KEEP, false, false, "", NULL},
    {"video", EL_DROP, false, false, "", NULL},
    {"wbr", EL_KEEP, true, false, "", NULL},
    {"xmp", EL_DROP, false, false, "", NULL},
};

/* Attributes every kept element may carry. */
static const char global_attrs[] = " title lang ";

static const struct el_rule *
el_rule_find(const char *name)
{
	size_t lo = 0, hi = sizeof(el_rules) / sizeof(el_rules[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = wd_strcasecmp(name, el_rules[mid].name);

		if (c == 0)
			return &el_rules[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* True when name appears as a word of list (" a b c "). */
static bool
attr_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || strchr(name, ' '))
		return false;
	for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
		if (p[-1] == ' ' && p[n] == ' ')
			return true;
	return false;
}

static bool
is_url_attr(const char *name)
{
	return !strcmp(name, "href") || !strcmp(name, "src") ||
	       !strcmp(name, "cite");
}

static bool
is_number_attr(const char *name)
{
	return !strcmp(name, "width") || !strcmp(name, "height") ||
	       !strcmp(name, "colspan") || !strcmp(name, "rowspan") ||
	       !strcmp(name, "start");
}

/* 1 to 5 digits: enough for sizes and spans, nothing that is not a number */
static bool
is_small_number(const char *v)
{
	size_t n = 0;

	while (wd_isdigit((unsigned char)v[n]))
		n++;
	return n > 0 && n <= 5 && v[n] == '\0';
}

struct san {
	struct buf *out;
	const char *base;
	int depth;
};

static void san_nodes(struct san *s, xmlNode *first);

/* Append the vetted value of attribute name to v; false to drop it. */
static bool
san_attr_value(struct san *s, const char *name, const char *val, struct buf *v)
{
	if (is_url_attr(name))
		return sanitize_url(val, s->base, !strcmp(name, "href"), v) ==
		       0;
	if (is_number_attr(name)) {
		if (!is_small_number(val))
			return false;
	} else if (!strcmp(name, "lang")) {
		for (const char *p = val; *p; p++)
			if (!wd_isalnum((unsigned char)*p) && *p != '-')
				return false;
	}
	buf_puts(v, val);
	return true;
}

/* Append the allowlisted attributes of el; false when a required one (a
 * link's href, an image's src) is missing or unsafe. */
static bool
san_attrs(struct san *s, xmlNode *el, const struct el_rule *r,
	  struct buf *attrs)
{
	bool need_href = !strcmp(r->name, "a");
	bool need_src = !strcmp(r->name, "img");
	bool have = false;
	struct buf v;

	buf_init(&v, TEMP_MAX);
	for (xmlAttr *a = el->properties; a; a = a->next) {
		const char *name = (const char *)a->name;

		if (a->ns || !(attr_listed(r->attrs, name) ||
			       attr_listed(global_attrs, name)))
			continue;
		xmlChar *val = xmlGetNoNsProp(el, a->name);

		if (!val)
			continue;
		buf_reset(&v);
		if (san_attr_value(s, name, (const char *)val, &v)) {
			buf_putc(attrs, ' ');
			buf_puts(attrs, name);
			buf_puts(attrs, "=\"");
			wd_xml_escape(attrs, buf_str(&v));
			buf_putc(attrs, '"');
			if ((need_href && !strcmp(name, "href")) ||
			    (need_src && !strcmp(name, "src")))
				have = true;
		}
		xmlFree(val);
	}
	buf_free(&v);
	if (need_href && have)
		buf_puts(attrs, " rel=\"noopener\"");
	return have || !(need_href || need_src);
}

static void
san_element(struct san *s, xmlNode *el)
{
	const struct el_rule *r = el_rule_find((const char *)el->name);

	if (r && r->kind == EL_DROP)
		return;
	if (!r || r->kind == EL_UNWRAP || s->depth >= HTML_MAX_DEPTH) {
		san_nodes(s, el->children);
		return;
	}
	struct buf attrs;

	buf_init(&attrs, TEMP_MAX);
	if (!san_attrs(s, el, r, &attrs)) {
		buf_free(&attrs);
		/* a link without a safe target is just its text; an image
		 * without one is nothing */
		if (!r->is_void)
			san_nodes(s, el->children);
		return;
	}
	const char *name = r->as ? r->as : r->name;

	buf_putc(s->out, '<');
	buf_puts(s->out, name);
	buf_append(s->out, buf_str(&attrs), attrs.len);
	buf_putc(s->out, '>');
	buf_free(&attrs);
	if (r->is_void)
		return;
	s->depth++;
	san_nodes(s, el->children);
	s->depth--;
	buf_puts(s->out, "</");
	buf_puts(s->out, name);
	buf_putc(s->out, '>');
}

/* Sanitize first and its following siblings. */
static void
san_nodes(struct san *s, xmlNode *first)
{
	for (xmlNode *c = first; c; c = c->next) {
		switch (c->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			wd_xml_escape(s->out, (const char *)c->content);
			break;
		case XML_ELEMENT_NODE:
			san_element(s, c);
			break;
		default: /* comments, processing instructions, DTD nodes */
			break;
		}
	}
}

/* Parse html with libxml2's HTML parser; *doc is NULL for empty input. */
static int
html_parse(const char *html, xmlDoc **doc)
{
	struct buf clean;
	size_t n = html ? strlen(html) : 0;

	*doc = NULL;
	if (n == 0)
		return 0;
	if (n > INT_MAX / 4)
		return WD_ETOOBIG;
	/* libxml2 stops at the first invalid byte; U+FFFD keeps the rest */
	buf_init(&clean, 3 * n + 16);
	wd_utf8_sanitize(&clean, html, n);
	*doc = htmlReadMemory(buf_str(&clean), (int)clean.len, NULL, "UTF-8",
			      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
				  HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	buf_free(&clean);
	return *doc ? 0 : WD_EPARSE;
}

int
sanitize_html(const char *html, const char *base, struct buf *out)
{
	xmlDoc *doc;
	int rc = html_parse(html, &doc);

	if (rc < 0 || !doc)
		return rc;
	struct san s = {.out = out, .base = base, .depth = 0};

	/* the implied html and body are not in the allowlist: unwrapped */
	san_nodes(&s, doc->children);
	xmlFreeDoc(doc);
	return 0;
}

static void
text_walk(xmlNode *first, struct buf *t)
{
	for (xmlNode *c = first; c; c = c->next) {
		if (c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) {
			buf_puts(t, (const char *)c->content);
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const struct el_rule *r = el_rule_find((const char *)c->name);

		if (r && r->kind == EL_DROP)
			continue;
		bool block = !r || r->is_block;

		if (block)
			buf_putc(t, ' ');
		text_walk(c->children, t);
		if (block)
			buf_putc(t, ' ');
	}
}

/* Append t[0..n) with runs of whitespace made one space, trimmed, cut at
 * max bytes (0: no limit) on a character boundary. */
static void
text_collapse(struct buf *out, const char *t, size_t n, size_t max)
{
	struct buf c;
	bool space = false;

	buf_init(&c, TEMP_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)t[i];

		if (wd_isspace(ch)) {
			space = c.len > 0;
			continue;
		}
		if (space)
			buf_putc(&c, ' ');
		space = false;
		buf_putc(&c, (char)ch);
	}
	if (max == 0 || c.len <= max) {
		buf_append(out, buf_str(&c), c.len);
		buf_free(&c);
		return;
	}
	static const char ell[] = "\xe2\x80\xa6";
	size_t cut = max > 3 ? max - 3 : 0;
	const char *s = buf_str(&c);

	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	/* prefer to end on a word when one ends in the last fifth */
	size_t w = cut;

	while (w > cut - cut / 5 && s[w] != ' ')
		w--;
	if (w > cut - cut / 5)
		cut = w;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	buf_append(out, s, cut);
	buf_puts(out, ell);
	buf_free(&c);
}

int
sanitize_text(const char *html, size_t max_bytes, struct buf *out)
{
	xmlDoc *doc;
	int rc = html_parse(html, &doc);

	if (rc < 0 || !doc)
		return rc;
	struct buf t;

	buf_init(&t, TEMP_MAX);
	text_walk(doc->children, &t);
	text_collapse(out, buf_str(&t), t.len, max_bytes);
	buf_free(&t);
	xmlFreeDoc(doc);
	return 0;
}
