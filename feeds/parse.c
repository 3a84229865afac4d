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
#include "feeds/datefast.h"
#include "feeds/encoding.h"
#include "feeds/entities.h"
#include "feeds/htmlfix.h"
#include "feeds/jsonfeed.h"
#include "feeds/urlres.h"

enum {
	NS_SEP = '\x1f',             /* between namespace URI and local name */
	LEND_MIN = 1024,             /* bytes of an item value kept in place */
	MAX_FIELD = 4 * 1024 * 1024, /* bytes of one field; more is cut */
	MAX_DEPTH = 4096,            /* deeper elements are skipped */
	MAX_CATS = 256,              /* categories kept per item */
	MAX_ENCS = 64,               /* enclosures kept per item */
	MAX_FIXES = 16,              /* recovery re-parses per document */
	PARSE_SLICE = 4 * 1024 * 1024, /* bytes handed to expat per call */
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

#define NS_ENTRY(uri, ns)                                                      \
	{                                                                      \
		uri, sizeof(uri) - 1, ns                                       \
	}

static const struct {
	const char *uri;
	size_t len;
	enum ns ns;
} ns_table[] = {
    NS_ENTRY("http://www.w3.org/2005/Atom", NS_ATOM10),
    NS_ENTRY("http://purl.org/atom/ns#", NS_ATOM03),
    NS_ENTRY("http://purl.org/rss/1.0/", NS_RSS10),
    NS_ENTRY("http://my.netscape.com/rdf/simple/0.9/", NS_RSS090),
    NS_ENTRY("http://backend.userland.com/rss", NS_RSSU),
    NS_ENTRY("http://backend.userland.com/rss2", NS_RSSU),
    NS_ENTRY("http://blogs.law.harvard.edu/tech/rss", NS_RSSU),
    NS_ENTRY("http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF),
    NS_ENTRY("http://purl.org/dc/elements/1.1/", NS_DC),
    NS_ENTRY("http://purl.org/dc/elements/1.0/", NS_DC),
    NS_ENTRY("http://purl.org/dc/terms/", NS_DCTERMS),
    NS_ENTRY("http://purl.org/rss/1.0/modules/content/", NS_CONTENT),
    NS_ENTRY("http://search.yahoo.com/mrss/", NS_MEDIA),
    NS_ENTRY("http://search.yahoo.com/mrss", NS_MEDIA),
    NS_ENTRY("http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES),
    NS_ENTRY("http://rssnamespace.org/feedburner/ext/1.0", NS_FEEDBURNER),
    NS_ENTRY("http://www.w3.org/1999/xhtml", NS_XHTML),
    NS_ENTRY("http://purl.org/rss/1.0/modules/syndication/", NS_SY),
    NS_ENTRY("http://www.w3.org/XML/1998/namespace", NS_XML),
};

/* Where a captured field goes. */
enum fld {
	F_NONE,
	F_TITLE,
	F_LINK,
	F_ID,
	F_SUMMARY,
	F_CONTENT,
	F_AUTHOR, /* RSS author / dc:creator: "email (Name)" */
	F_NAME,   /* atom person name */
	F_CATEGORY,
	F_PUBLISHED,
	F_UPDATED,
	F_LANGUAGE,
	F_TTL,
	F_IMAGE, /* image/url */
	F_SUBTITLE,
	F_ITSUMMARY, /* itunes:summary: a fallback */
	F_ORIGLINK,
	F_MTITLE, /* media:title: a fallback */
	F_PERIOD,
	F_FREQ,
};

/* How the captured text becomes a value. */
enum kind {
	K_TEXT,  /* plain text; child elements dropped */
	K_HTML,  /* escaped HTML; child elements kept as markup */
	K_XML,   /* Atom 0.3 mode="xml": text until a child element turns it
		    into markup */
	K_XHTML, /* Atom 1.0 type="xhtml": markup, the wrapper div dropped */
};

/* The element we are in, beyond feed or item. */
enum sub {
	SUB_NONE,
	SUB_IMAGE,
	SUB_SKIP,   /* textInput, atom source, ...: fields ignored */
	SUB_PERSON, /* atom author / contributor */
};

enum { CAP_NS_MAX = 32 }; /* nesting tracked for xmlns in captured XML */

/*
 * The text of the field being captured. Expat hands character data over in
 * many small pieces (each line of a CDATA section, then its newline), so
 * appending must be cheap: room is checked against one limit, which is
 * also how a field past MAX_FIELD stops growing (the piece that would pass
 * it and all later ones are dropped, as with struct buf). Not kept
 * NUL-terminated; tb_str() terminates it.
 */
struct tbuf {
	char *data;
	size_t len;
	size_t cap;  /* bytes allocated */
	size_t lim;  /* len may grow to lim without a check: min(cap - 1,
			MAX_FIELD), or len once failed */
	bool failed; /* a piece went past MAX_FIELD */
};

/* A block of memory for captured text (see tb_lend). */
struct tblock {
	char *data;
	size_t cap;
};

/* A namespace URI elem_split has seen, and what it made of it. */
struct nsmemo {
	char uri[64];
	size_t len; /* 0: unused */
	enum ns ns;
};

enum { NS_MEMO = 4 }; /* namespaces remembered: a feed mixes a few */

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
	bool cdf;
	bool netscape; /* DOCTYPE names the Netscape RSS 0.91 DTD */
	bool has_doctype;
	bool utf8_doc;      /* the document was UTF-8 (no conversion) */
	char encoding[48];  /* what decoded the document */
	char bozo_msg[320]; /* the first problem; copied out at the end */
	const char *hint;   /* version from namespace declarations */
	char *root_ns;      /* the root element's namespace URI, owned */
	struct nsmemo memo[NS_MEMO]; /* namespaces of recent elements */
	unsigned memo_last;          /* the entry of the last element */
	unsigned memo_next;          /* the entry to replace next */
	size_t *void_at; /* per depth: 1 + offset of an open <br>, <img>... in
			    a field, or 0 */
	size_t void_cap; /* entries of void_at */

	/* scopes */
	struct scope *scopes;
	size_t nscopes, capscopes;
	const char *doc_url;

	/* feed-level state */
	int64_t feed_published;
	bool feed_link_alt; /* feed link came from rel=alternate */
	const char *feed_itsummary;
	int sy_period; /* sy:updatePeriod in seconds, or 0 */
	int sy_freq;   /* sy:updateFrequency (times per period), or 0 */

	/* item state */
	bool in_item;
	int item_depth;
	size_t item_mark;
	struct item it;
	const char *item_itsummary;
	const char *item_mtitle;
	bool item_link_alt;
	bool id_set_by_guid;
	const char **cats;
	size_t ncats;
	struct enclosure *encs;
	size_t nencs;

	enum sub sub;
	int sub_depth;
	bool person_is_author;

	/* capture */
	enum fld fld;
	enum kind kind;
	bool b64;        /* base64 content, decoded at the end */
	bool html_type;  /* a base64 value is HTML once decoded */
	bool markup;     /* K_XML: a child element was seen */
	bool pending_gt; /* a start tag awaits its '>' (or " />") */
	int cap_depth;
	int strip_div_depth;      /* depth of a dropped wrapper div, or 0 */
	char *cap_ns[CAP_NS_MAX]; /* namespace URI per captured level */
	int cap_ns_used;          /* levels of cap_ns that may be set */
	struct tbuf text;
	struct tbuf scratch; /* markup escaped while capturing */
	struct buf tmp[2];   /* scratch for finishing values */
	struct tblock *lent; /* text blocks that hold values of the item */
	size_t nlent, caplent;
	struct tblock *spare; /* text blocks to capture into next */
	size_t nspare, capspare;
};

static void
tb_init(struct tbuf *t)
{
	t->cap = 1024;
	t->data = xmalloc(t->cap);
	t->len = 0;
	t->lim = t->cap - 1;
	t->failed = false;
}

static void
tb_append_slow(struct tbuf *t, const char *s, size_t n)
{
	if (t->failed || n > MAX_FIELD - t->len) {
		t->failed = true;
		t->lim = t->len;
		return;
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;

		while (cap < t->len + n + 1)
			cap *= 2;
		t->data = xreallocarray(t->data, cap, 1);
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->lim = t->cap - 1 < MAX_FIELD ? t->cap - 1 : MAX_FIELD;
}

static inline void
tb_append(struct tbuf *t, const char *s, size_t n)
{
	if (n <= t->lim - t->len) {
		memcpy(t->data + t->len, s, n);
		t->len += n;
		return;
	}
	tb_append_slow(t, s, n);
}

static inline void
tb_putc(struct tbuf *t, char c)
{
	if (t->len < t->lim) {
		t->data[t->len++] = c;
		return;
	}
	tb_append_slow(t, &c, 1);
}

static void
tb_puts(struct tbuf *t, const char *s)
{
	tb_append(t, s, strlen(s));
}

static void
tb_reset(struct tbuf *t)
{
	t->len = 0;
	t->failed = false;
	t->lim = t->cap - 1 < MAX_FIELD ? t->cap - 1 : MAX_FIELD;
}

static void
blocks_push(struct tblock **v, size_t *n, size_t *cap, struct tblock b)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = b;
}

/*
 * A long value of the item stays where it was captured: the text buffer's
 * block goes to the item (item_end takes it back), and capture goes on in
 * a spare block. Copying the value into the arena instead moved most of
 * the corpus a second time (content and descriptions are kilobytes long).
 */
static void
tb_lend(struct ps *ps)
{
	struct tbuf *t = &ps->text;

	blocks_push(&ps->lent, &ps->nlent, &ps->caplent,
		    (struct tblock){t->data, t->cap});
	if (ps->nspare) {
		struct tblock b = ps->spare[--ps->nspare];

		t->data = b.data;
		t->cap = b.cap;
	} else {
		t->cap = 1024;
		t->data = xmalloc(t->cap);
	}
	tb_reset(t);
}

/* The item's values are gone: its text blocks are spare again. */
static void
tb_recall(struct ps *ps)
{
	while (ps->nlent)
		blocks_push(&ps->spare, &ps->nspare, &ps->capspare,
			    ps->lent[--ps->nlent]);
}

/* The text, NUL-terminated; borrowed until the next append. */
static const char *
tb_str(struct tbuf *t)
{
	t->data[t->len] = '\0';
	return t->data;
}

/* Exact spellings first (the common case, and cheap), then the same
 * URIs in any case, as feedparser matches them. */
static enum ns
ns_lookup(const char *uri, size_t n)
{
	size_t count = sizeof(ns_table) / sizeof(ns_table[0]);

	for (size_t i = 0; i < count; i++) {
		if (ns_table[i].len == n &&
		    memcmp(ns_table[i].uri, uri, n) == 0)
			return ns_table[i].ns;
	}
	for (size_t i = 0; i < count; i++) {
		if (ns_table[i].len == n &&
		    wd_strncasecmp(ns_table[i].uri, uri, n) == 0)
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
		/* (the first byte tells most names apart without a call) */
		if (attrs[i][0] == want[0] && strcmp(attrs[i], want) == 0)
			return attrs[i + 1];
		if (!strchr(attrs[i], NS_SEP))
			continue;
		const char *local;
		enum ns ns = split_name(attrs[i], &local);

		if ((ns == NS_NONE || ns == NS_ATOM10 || ns == NS_ATOM03) &&
		    strcmp(local, want) == 0)
			return attrs[i + 1];
	}
	return NULL;
}

static const char XML_NS_PREFIX[] = "http://www.w3.org/XML/1998/namespace\x1f";

static const char *
attr_xml(const char **attrs, const char *want)
{
	for (size_t i = 0; attrs[i]; i += 2) {
		if (attrs[i][0] == 'h' &&
		    strncmp(attrs[i], XML_NS_PREFIX,
			    sizeof(XML_NS_PREFIX) - 1) == 0 &&
		    strcmp(attrs[i] + sizeof(XML_NS_PREFIX) - 1, want) == 0)
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
	const char *base = NULL, *lang = NULL;
	size_t plen = sizeof(XML_NS_PREFIX) - 1;

	/* one pass over the attributes, as most elements have none of these */
	for (size_t i = 0; attrs[i]; i += 2) {
		const char *a = attrs[i];

		if (a[0] != 'h' || strncmp(a, XML_NS_PREFIX, plen) != 0)
			continue;
		if (!base && strcmp(a + plen, "base") == 0)
			base = attrs[i + 1];
		else if (!lang && strcmp(a + plen, "lang") == 0)
			lang = attrs[i + 1];
	}
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

/* Forget the namespaces elem_split remembers. */
static void
memo_clear(struct ps *ps)
{
	for (unsigned i = 0; i < NS_MEMO; i++)
		ps->memo[i].len = 0;
}

/*
 * The namespace of an element name; the root's own unknown namespace
 * (RSS 2.0 variants, old Atom drafts) counts as the core one. The
 * namespaces of recent elements are remembered: elements in a row mostly
 * share one, and a feed uses a few (RSS 1.0 items alternate between the
 * RSS, RDF and Dublin Core ones), each of which ns_lookup would compare
 * with every known URI.
 */
static enum ns
elem_split(struct ps *ps, const char *name, const char **local)
{
	const char *sep = strchr(name, NS_SEP);

	if (!sep) {
		*local = name;
		return NS_NONE;
	}
	*local = sep + 1;
	size_t k = (size_t)(sep - name);

	/* the namespace of the last element first; with the length known,
	 * one memcmp settles each (a strncmp against the last one before
	 * finding the separator cost more, as two elements in three switch
	 * namespaces in RSS 1.0 and extended RSS 2.0) */
	for (unsigned j = 0; k && j < NS_MEMO; j++) {
		unsigned i = (ps->memo_last + j) % NS_MEMO;

		if (ps->memo[i].len == k &&
		    memcmp(ps->memo[i].uri, name, k) == 0) {
			ps->memo_last = i;
			return ps->memo[i].ns;
		}
	}
	enum ns ns = ns_lookup(name, k);

	if (ns == NS_OTHER && ps->root_ns &&
	    strncmp(name, ps->root_ns, k) == 0 && ps->root_ns[k] == '\0')
		ns = NS_NONE;
	if (k && k < sizeof(ps->memo[0].uri)) {
		unsigned i = ps->memo_next++ % NS_MEMO;

		memcpy(ps->memo[i].uri, name, k);
		ps->memo[i].len = k;
		ps->memo[i].ns = ns;
		ps->memo_last = i;
	}
	return ns;
}

/* l equals name, ignoring ASCII case. Inline: the element dispatch
 * below calls it for every element, and most calls differ at once. */
static inline bool
is(const char *l, const char *name)
{
	for (size_t i = 0;; i++) {
		int a = wd_tolower((unsigned char)l[i]);

		if (a != wd_tolower((unsigned char)name[i]))
			return false;
		if (!a)
			return true;
	}
}

/* Note a problem with the document; the first one is the one reported,
 * unless force (a later decision that explains everything, such as the
 * encoding). Kept in ps, not the arena: an item region may be open. */
static void
set_bozo(struct ps *ps, const char *msg, bool force)
{
	ps->info->bozo = true;
	if (!ps->bozo_msg[0] || force)
		snprintf(ps->bozo_msg, sizeof(ps->bozo_msg), "%s", msg);
}

/* ---- values ---------------------------------------------------------- */

static void
trim(const char **s, size_t *n)
{
	while (*n && wd_isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && wd_isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
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

/* An id that is a path ("/2024/story") is made absolute like a link;
 * opaque ids ("harbour-0001", "urn:...") are kept as they are. */
static const char *
abs_id(struct ps *ps, const char *s)
{
	if (*s == '/' || strncmp(s, "./", 2) == 0 || strncmp(s, "../", 3) == 0)
		return abs_url(ps, s);
	return s;
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

	if (!memchr(s, '@', n) && !memchr(s, '(', n) && !memchr(s, '<', n) &&
	    !memchr(s, ')', n) && !memchr(s, '>', n))
		return n ? s : NULL; /* a plain name (already trimmed) */
	/* the result is never longer than s: build it in the arena */
	char *b = arena_alloc(ps->a, n + 1);
	size_t blen = 0;

	for (size_t i = 0; i < n;) {
		/* drop words that contain '@' */
		size_t j = i;

		while (j < n && !wd_isspace((unsigned char)s[j]))
			j++;
		if (!memchr(s + i, '@', j - i)) {
			memcpy(b + blen, s + i, j - i);
			blen += j - i;
		}
		while (j < n && wd_isspace((unsigned char)s[j]))
			b[blen++] = s[j++];
		i = j;
	}
	const char *p = b;
	size_t len = blen;

	while (len && (wd_isspace((unsigned char)*p) || *p == '(' || *p == '<'))
		p++, len--;
	while (len && (wd_isspace((unsigned char)p[len - 1]) ||
		       p[len - 1] == ')' || p[len - 1] == '>'))
		len--;
	if (!len)
		return NULL;
	b[(p - b) + len] = '\0';
	return p;
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

/* Decode base64 s[0..n) into out as valid UTF-8. */
static void
base64_decode(const char *s, size_t n, struct buf *out)
{
	struct buf raw;
	unsigned acc = 0;
	int bits = 0;

	buf_init(&raw, n + 1);
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(&raw, (char)((acc >> bits) & 0xff));
		}
	}
	wd_utf8_sanitize(out, buf_str(&raw), raw.len);
	buf_free(&raw);
}

static void
set_once(const char **dst, const char *v)
{
	if (!*dst)
		*dst = v;
}

/* The last date wins, as in feedparser; an unreadable one changes
 * nothing. */
static void
set_date(int64_t *dst, const char *v, size_t n)
{
	int64_t t = datefast_parse(v, n);

	if (t != WD_NOTIME)
		*dst = t;
}

/* Where a date field (F_PUBLISHED, F_UPDATED) of the item or the feed
 * goes. */
static int64_t *
date_slot(struct ps *ps, enum fld f)
{
	if (ps->in_item)
		return f == F_PUBLISHED ? &ps->it.published : &ps->it.updated;
	return f == F_PUBLISHED ? &ps->feed_published : &ps->info->updated;
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
	case F_MTITLE:
		set_once(&ps->item_mtitle, v);
		break;
	case F_LINK:
		set_once(&it->link, abs_url(ps, v));
		break;
	case F_ID:
		set_once(&it->id, abs_id(ps, v));
		break;
	case F_SUMMARY:
		if (it->summary)
			set_once(&it->content, v);
		else
			it->summary = v;
		break;
	case F_CONTENT:
		set_once(&it->content, v);
		break;
	case F_ITSUMMARY:
		set_once(&ps->item_itsummary, v);
		break;
	case F_AUTHOR:
		if (!it->author)
			it->author = author_name(ps, v);
		break;
	case F_NAME:
		set_once(&it->author, v);
		break;
	case F_CATEGORY:
		add_category(ps, v);
		break;
	case F_PUBLISHED:
	case F_UPDATED:
		set_date(date_slot(ps, f), v, strlen(v));
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
	case F_PUBLISHED:
		set_date(date_slot(ps, f), v, strlen(v));
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
		} periods[] = {{"hourly", 3600},
			       {"daily", 86400},
			       {"weekly", 604800},
			       {"monthly", 2592000},
			       {"yearly", 31536000}};

		for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]);
		     i++) {
			if (wd_strcasecmp(v, periods[i].name) == 0)
				ps->sy_period = periods[i].secs;
		}
		break;
	}
	case F_FREQ: {
		char *end;
		long n = strtol(v, &end, 10);

		if (end != v && n > 0 && n < 100000)
			ps->sy_freq = (int)n;
		break;
	}
	default:
		break;
	}
}

/* ---- capture ---------------------------------------------------------- */

static void XMLCALL on_text(void *ud, const XML_Char *s, int len);

/*
 * Character data matters only inside a field: outside one the handler is
 * unset, so expat does not call us for the blanks between elements.
 */
static void
cap_listen(struct ps *ps, bool on)
{
	if (ps->xp)
		XML_SetCharacterDataHandler(ps->xp, on ? on_text : NULL);
}

static void
cap_begin(struct ps *ps, enum fld f, enum kind k)
{
	if (ps->fld == F_NONE)
		cap_listen(ps, true);
	ps->fld = f;
	ps->kind = k;
	ps->b64 = false;
	ps->html_type = false;
	ps->markup = false;
	ps->pending_gt = false;
	ps->cap_depth = ps->depth;
	ps->strip_div_depth = 0;
	tb_reset(&ps->text);
}

/* Bytes that markup escapes: '"' only inside attribute values. */
static const unsigned char esc_byte[256] = {
    ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 2};

/* True when the 8 bytes at s hold none of '&', '<' and '>'. */
static inline bool
is_plain_word(const char *s)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t highs = 0x8080808080808080ull;
	uint64_t w;

	memcpy(&w, s, 8);
	/* a byte is zero in amp where w has '&', and in angle where w has
	 * '<' or '>' (they differ only in bit 1) */
	uint64_t amp = w ^ (ones * '&');
	uint64_t angle = (w | (ones * 2)) ^ (ones * '>');

	return !(((amp - ones) & ~amp & highs) |
		 ((angle - ones) & ~angle & highs));
}

static const char *
escape_of(char c)
{
	return c == '&'   ? "&amp;"
	       : c == '<' ? "&lt;"
	       : c == '>' ? "&gt;"
			  : "&quot;";
}

/* The earliest of three positions, any of them NULL. */
static const char *
first_of(const char *a, const char *b, const char *c)
{
	const char *m = a;

	if (b && (!m || b < m))
		m = b;
	if (c && (!m || c < m))
		m = c;
	return m;
}

/*
 * Long text as markup: the bytes to escape are found with memchr, one
 * search per byte value, each taken up again only past a hit of its own.
 * Those bytes are rare in text, and memchr reads a paragraph many times
 * faster than the loop of put_escaped.
 */
static void
put_escaped_long(struct tbuf *b, const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	const char *amp = memchr(s, '&', n), *lt = memchr(s, '<', n);
	const char *gt = memchr(s, '>', n);
	const char *q;

	while ((q = first_of(amp, lt, gt)) != NULL) {
		tb_append(b, p, (size_t)(q - p));
		tb_puts(b, escape_of(*q));
		p = q + 1;
		if (q == amp)
			amp = memchr(p, '&', (size_t)(end - p));
		else if (q == lt)
			lt = memchr(p, '<', (size_t)(end - p));
		else
			gt = memchr(p, '>', (size_t)(end - p));
	}
	tb_append(b, p, (size_t)(end - p));
}

/* Text as markup: escape what XML unescaped. */
static void
put_escaped(struct tbuf *b, const char *s, size_t n, bool attr)
{
	size_t start = 0;
	unsigned want = attr ? 3 : 1;

	if (!attr && n >= 64) {
		put_escaped_long(b, s, n);
		return;
	}

	for (size_t i = 0; i < n;) {
		/* text (not attributes) is skipped 8 bytes at a time */
		if (!attr && n - i >= 8 && is_plain_word(s + i)) {
			i += 8;
			continue;
		}
		unsigned char c = (unsigned char)s[i++];

		/* one table look-up rejects almost every byte */
		if (!(esc_byte[c] & want))
			continue;
		tb_append(b, s + start, i - 1 - start);
		tb_puts(b, escape_of((char)c));
		start = i;
	}
	tb_append(b, s + start, n - start);
}

static void
cap_close_gt(struct ps *ps)
{
	if (ps->pending_gt) {
		tb_putc(&ps->text, '>');
		ps->pending_gt = false;
	}
}

static bool
cap_escapes(const struct ps *ps)
{
	return ps->kind == K_XHTML || (ps->kind == K_XML && ps->markup);
}

static void
cap_text(struct ps *ps, const char *s, size_t n)
{
	cap_close_gt(ps);
	if (cap_escapes(ps))
		put_escaped(&ps->text, s, n, false);
	else
		tb_append(&ps->text, s, n);
}

/* The offset of the first byte >= 0x80 in the 8 bytes at s, which hold
 * one. */
static size_t
first_high_in_word(const char *s)
{
	size_t i = 0;

	while ((unsigned char)s[i] < 0x80)
		i++;
	return i;
}

/* The offset of the first byte >= 0x80 in s[0..n), or n. */
static inline size_t
first_high_byte(const char *s, size_t n)
{
	const uint64_t highs = 0x8080808080808080ull;
	size_t i = 0;
	uint64_t w;

	/* 32 bytes a step (one test for four words), then 8; the last
	 * bytes as one word that overlaps those before, not byte by byte
	 * (most values are short and pure ASCII: loops cost more there) */
	for (; i + 32 <= n; i += 32) {
		uint64_t w0, w1, w2, w3;

		/* four words, not an array of four: an array went through
		 * the stack */
		memcpy(&w0, s + i, 8);
		memcpy(&w1, s + i + 8, 8);
		memcpy(&w2, s + i + 16, 8);
		memcpy(&w3, s + i + 24, 8);
		if ((w0 | w1 | w2 | w3) & highs)
			break;
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & highs)
			return i + first_high_in_word(s + i);
	}
	if (n >= 8) {
		/* (the bytes before i were all below 0x80) */
		memcpy(&w, s + n - 8, 8);
		return w & highs ? n - 8 + first_high_in_word(s + n - 8) : n;
	}
	for (; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return i;
	}
	return n;
}

/* The value of the field being captured, finished: decoded, trimmed,
 * repaired and with links made absolute, copied into the arena. */
static const char *
cap_value(struct ps *ps)
{
	const char *s = tb_str(&ps->text);
	size_t n = ps->text.len;
	bool html = ps->kind == K_HTML || ps->kind == K_XHTML ||
		    (ps->kind == K_XML && ps->markup);
	bool fix_amp = ps->kind == K_HTML;
	struct buf *t = &ps->tmp[0], *u = &ps->tmp[1];

	bool in_text = !ps->b64; /* s is in ps->text */

	if (ps->b64) {
		buf_reset(t);
		base64_decode(s, n, t);
		s = buf_str(t), n = t->len;
		html = fix_amp = ps->html_type;
		t = &ps->tmp[1], u = &ps->tmp[0];
	}
	trim(&s, &n);
	/* one cheap scan decides which repairs can apply at all */
	size_t hi = first_high_byte(s, n);
	bool high = hi < n;

	/* (the text before the first high byte is ASCII: the check of
	 * doubly encoded UTF-8 starts after it) */
	if (high && ps->utf8_doc && htmlfix_is_double_utf8(s + hi, n - hi)) {
		buf_reset(t);
		htmlfix_undouble_utf8(t, s, n);
		s = buf_str(t), n = t->len;
		in_text = false;
		hi = 0; /* (the text changed) */
		struct buf *sw = t;

		t = u, u = sw;
	}
	/* (a C1 control is two bytes from 0x80: none before hi) */
	if (high && htmlfix_has_c1(s + hi, n - hi)) {
		buf_reset(t);
		htmlfix_c1(t, s, n);
		s = buf_str(t), n = t->len;
		in_text = false;
		struct buf *sw = t;

		t = u, u = sw;
	}
	const char *amp = fix_amp ? memchr(s, '&', n) : NULL;

	/* (the repairs above neither add nor drop an '&') */
	if (amp && htmlfix_needs_amp(amp, n - (size_t)(amp - s))) {
		buf_reset(t);
		htmlfix_amp(t, s, n);
		s = buf_str(t), n = t->len;
		in_text = false;
		struct buf *sw = t;

		t = u, u = sw;
	}
	const char *base = html ? cur_base(ps) : NULL;

	if (base && urlres_html_has_links(s)) {
		buf_reset(t);
		urlres_html(t, s, n, base);
		if (!buf_failed(t))
			s = buf_str(t), n = t->len, in_text = false;
	}
	if (in_text && n >= LEND_MIN && ps->in_item) {
		char *v = ps->text.data + (s - ps->text.data);

		v[n] = '\0';
		tb_lend(ps);
		return v;
	}
	return arena_strndup(ps->a, s, n);
}

/*
 * A date is read and dropped: when its text is plain ASCII, which the
 * repairs of cap_value leave as it is, it is read in place instead of
 * being copied into the arena first. Returns false when cap_value must
 * finish it.
 */
static bool
cap_date(struct ps *ps, int64_t *dst)
{
	if (ps->kind != K_TEXT || ps->b64)
		return false;
	const char *s = ps->text.data;
	size_t n = ps->text.len;

	trim(&s, &n);
	if (first_high_byte(s, n) < n)
		return false;
	set_date(dst, s, n);
	return true;
}

static void
cap_end(struct ps *ps)
{
	enum fld f = ps->fld;

	cap_close_gt(ps);
	if (ps->text.failed)
		set_bozo(ps, "a field longer than 4 MiB was cut", false);
	for (int i = 0; i < ps->cap_ns_used; i++) {
		free(ps->cap_ns[i]);
		ps->cap_ns[i] = NULL;
	}
	ps->cap_ns_used = 0;
	ps->fld = F_NONE;
	cap_listen(ps, false);
	ps->cap_depth = 0;
	/* a value nothing keeps is not finished (the fields of a skipped
	 * part, an Atom info) */
	if (f == F_NONE || ps->sub == SUB_SKIP ||
	    (ps->sub == SUB_IMAGE && (f != F_IMAGE || ps->in_item)) ||
	    (ps->sub == SUB_PERSON &&
	     (f != F_NAME || !ps->person_is_author || !ps->in_item)))
		return;
	if ((f == F_PUBLISHED || f == F_UPDATED) && ps->sub == SUB_NONE &&
	    cap_date(ps, date_slot(ps, f)))
		return;
	const char *v = cap_value(ps);

	if (ps->in_item)
		assign_item(ps, f, v);
	else
		assign_feed(ps, f, v);
}

static bool
is_void_element(const char *l)
{
	size_t n = 0;

	/* the length first: most elements are longer, and it leaves one to
	 * four names to compare */
	while (n < 7 && l[n])
		n++;
	switch (n) {
	case 2:
		return is(l, "br") || is(l, "hr");
	case 3:
		return is(l, "col") || is(l, "img") || is(l, "wbr");
	case 4:
		return is(l, "area") || is(l, "base") || is(l, "link") ||
		       is(l, "meta");
	case 5:
		return is(l, "embed") || is(l, "input") || is(l, "param") ||
		       is(l, "track");
	case 6:
		return is(l, "source");
	default:
		return false;
	}
}

struct qattr {
	char name[96];
	const char *value;
};

/* q->name = prefix + local, cut to fit as snprintf would cut it. */
static void
qattr_name(struct qattr *q, const char *prefix, const char *local)
{
	size_t n = 0;

	for (const char *p = prefix; *p && n < sizeof(q->name) - 1; p++)
		q->name[n++] = *p;
	for (const char *p = local; *p && n < sizeof(q->name) - 1; p++)
		q->name[n++] = *p;
	q->name[n] = '\0';
}

/* Sort by name: insertion, as a tag has a handful of attributes (and no
 * two with one name, so the order is the one qsort would give). */
static void
qattr_sort(struct qattr *qa, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct qattr q = qa[i];
		size_t j = i;

		while (j > 0 && strcmp(qa[j - 1].name, q.name) > 0) {
			qa[j] = qa[j - 1];
			j--;
		}
		qa[j] = q;
	}
}

static const char XLINK_NS[] = "http://www.w3.org/1999/xlink";

/*
 * Serialise a start tag inside a markup field the way feedparser does:
 * attributes sorted by name, xmlns written where an element leaves XHTML
 * (SVG, MathML), xlink attributes with their prefix and declaration.
 */
static void
cap_start_tag(struct ps *ps, const char *name, const char *local, enum ns ns,
	      const char **attrs)
{
	if (ps->kind == K_TEXT || ps->b64)
		return;
	cap_close_gt(ps);
	if (ps->kind == K_XML && !ps->markup) {
		struct tbuf *t = &ps->scratch;

		tb_reset(t);
		put_escaped(t, ps->text.data, ps->text.len, false);
		tb_reset(&ps->text);
		tb_append(&ps->text, t->data, t->len);
		ps->markup = true;
	}
	int level = ps->depth - ps->cap_depth;

	if ((ps->kind == K_XHTML || ps->kind == K_HTML) && level == 1 &&
	    ns == NS_XHTML && is(local, "div")) {
		const char *s = ps->text.data;
		size_t n = ps->text.len;

		trim(&s, &n);
		if (n == 0) {
			ps->strip_div_depth = ps->depth;
			tb_reset(&ps->text);
			return;
		}
	}
	struct qattr qa[32];
	size_t nq = 0;
	bool xlink = false;
	const char *uri = NULL;
	size_t urilen = 0;

	if (local != name) {
		uri = name;
		urilen = (size_t)(local - 1 - name);
	}
	const char *parent =
	    level > 1 && level - 1 < CAP_NS_MAX ? ps->cap_ns[level - 1] : NULL;

	if (uri && ns == NS_OTHER) {
		char *u = xstrndup(uri, urilen);

		if ((!parent || strcmp(parent, u) != 0) && nq < 32) {
			qattr_name(&qa[nq], "", "xmlns");
			qa[nq++].value = NULL; /* filled below */
		}
		if (level < CAP_NS_MAX) {
			free(ps->cap_ns[level]);
			ps->cap_ns[level] = u;
			if (level >= ps->cap_ns_used)
				ps->cap_ns_used = level + 1;
		} else {
			free(u);
		}
	}
	for (size_t i = 0; attrs[i] && nq < 32; i += 2) {
		const char *al;
		enum ns ans = split_name(attrs[i], &al);
		const char *prefix = "";

		if (ans == NS_XML) {
			prefix = "xml:";
		} else if (al != attrs[i] &&
			   strncmp(attrs[i], XLINK_NS, sizeof(XLINK_NS) - 1) ==
			       0) {
			prefix = "xlink:";
			xlink = true;
		}
		qattr_name(&qa[nq], prefix, al);
		qa[nq++].value = attrs[i + 1];
	}
	if (xlink && nq < 32) {
		qattr_name(&qa[nq], "", "xmlns:xlink");
		qa[nq++].value = XLINK_NS;
	}
	qattr_sort(qa, nq);
	tb_putc(&ps->text, '<');
	tb_puts(&ps->text, local);
	for (size_t i = 0; i < nq; i++) {
		const char *v = qa[i].value;

		if (!v)
			v = level < CAP_NS_MAX ? ps->cap_ns[level] : "";
		tb_putc(&ps->text, ' ');
		tb_puts(&ps->text, qa[i].name);
		tb_append(&ps->text, "=\"", 2);
		put_escaped(&ps->text, v, strlen(v), true);
		tb_putc(&ps->text, '"');
	}
	ps->pending_gt = true;
}

static void
cap_end_tag(struct ps *ps, const char *local)
{
	if (ps->kind == K_TEXT || ps->b64)
		return;
	int level = ps->depth - ps->cap_depth;

	if (level < CAP_NS_MAX) {
		free(ps->cap_ns[level]);
		ps->cap_ns[level] = NULL;
	}
	if (ps->strip_div_depth == ps->depth) {
		cap_close_gt(ps);
		ps->strip_div_depth = 0;
		return;
	}
	if (ps->pending_gt && is_void_element(local)) {
		ps->pending_gt = false;
		tb_append(&ps->text, " />", 3);
		return;
	}
	cap_close_gt(ps);
	tb_append(&ps->text, "</", 2);
	tb_puts(&ps->text, local);
	tb_putc(&ps->text, '>');
}

/* ---- items ------------------------------------------------------------ */

static void
item_begin(struct ps *ps, const char **attrs)
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
	ps->item_mtitle = NULL;
	ps->item_link_alt = false;
	ps->id_set_by_guid = false;
	ps->ncats = 0;
	ps->nencs = 0;
	const char *lang = cur_lang(ps);

	if (lang)
		ps->it.language = arena_strdup(ps->a, lang);
	for (size_t i = 0; attrs[i]; i += 2) {
		const char *l;
		enum ns ns = split_name(attrs[i], &l);

		if (ns == NS_RDF && is(l, "about"))
			ps->it.id = arena_strdup(ps->a, attrs[i + 1]);
		else if (ps->cdf && ns == NS_NONE && is(l, "href"))
			assign_item(ps, F_LINK,
				    arena_strdup(ps->a, attrs[i + 1]));
		else if (ps->cdf && ns == NS_NONE && is(l, "lastmod"))
			assign_item(ps, F_UPDATED, attrs[i + 1]);
	}
}

/* The HTTP Content-Language, or NULL: the language of a document that
 * names none. */
static const char *
header_lang(const struct parse_opts *opts)
{
	if (!opts || !opts->content_language || !*opts->content_language)
		return NULL;
	return opts->content_language;
}

static void
item_end(struct ps *ps)
{
	struct item *it = &ps->it;

	ps->in_item = false;
	if (ps->fld != F_NONE)
		cap_end(ps);
	ps->sub = SUB_NONE;
	if (!it->summary && ps->item_itsummary)
		it->summary = ps->item_itsummary;
	if (!it->title && ps->item_mtitle)
		it->title = ps->item_mtitle;
	if (!it->link && it->id && ps->id_set_by_guid && it->id_is_permalink &&
	    urlres_is_absolute(it->id))
		it->link = it->id;
	if (!it->language)
		it->language = ps->info->language;
	if (!it->language)
		it->language = header_lang(ps->opts);
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
	tb_recall(ps);
	if (ps->stop && ps->xp)
		XML_StopParser(ps->xp, XML_FALSE);
}

/* ---- element dispatch --------------------------------------------------- */

/* The element names the dispatch below knows (matched ignoring case). */
enum name {
	N_OTHER, /* none of those below */
	N_ABSTRACT,
	N_AUTHOR,
	N_BODY,
	N_CATEGORY,
	N_CHANNEL,
	N_CONTENT,
	N_CONTRIBUTOR,
	N_CREATOR,
	N_DATE,
	N_DESCRIPTION,
	N_DIV,
	N_ENCLOSURE,
	N_ENCODED,
	N_ENTRY,
	N_FULLITEM,
	N_GUID,
	N_ICON,
	N_ID,
	N_IDENTIFIER,
	N_IMAGE,
	N_INFO,
	N_ISSUED,
	N_ITEM,
	N_LANGUAGE,
	N_LASTBUILDDATE,
	N_LINK,
	N_LOGO,
	N_MODIFIED,
	N_NAME,
	N_ORIGLINK,
	N_PUBDATE,
	N_PUBLISHED,
	N_SOURCE,
	N_SUBJECT,
	N_SUBTITLE,
	N_SUMMARY,
	N_TAGLINE,
	N_TEXTINPUT,
	N_THUMBNAIL,
	N_TITLE,
	N_TTL,
	N_UPDATED,
	N_UPDATEFREQUENCY,
	N_UPDATEPERIOD,
	N_URL,
};

/*
 * Which known name l is, ignoring ASCII case. Found once per element:
 * comparing l with each candidate in turn cost more than anything else
 * the dispatch does. The name is folded to lower case once, and the
 * candidates of its length are compared as whole words (the longest known
 * name has 15 bytes). The known names are all letters, so setting bit
 * 0x20 of each byte folds case exactly as far as they are concerned: a
 * byte becomes one of their lower case letters only if it was that letter
 * in either case.
 */
static enum name
name_id(const char *l)
{
	char lc[16];
	size_t n = 0;

	for (; n < sizeof(lc) && l[n]; n++)
		lc[n] = (char)(l[n] | 0x20);
	if (l[n])
		return N_OTHER;
	switch (n) {
	case 2:
		if (memcmp(lc, "id", 2) == 0)
			return N_ID;
		break;
	case 3:
		if (memcmp(lc, "div", 3) == 0)
			return N_DIV;
		if (memcmp(lc, "ttl", 3) == 0)
			return N_TTL;
		if (memcmp(lc, "url", 3) == 0)
			return N_URL;
		break;
	case 4:
		if (memcmp(lc, "body", 4) == 0)
			return N_BODY;
		if (memcmp(lc, "date", 4) == 0)
			return N_DATE;
		if (memcmp(lc, "guid", 4) == 0)
			return N_GUID;
		if (memcmp(lc, "icon", 4) == 0)
			return N_ICON;
		if (memcmp(lc, "info", 4) == 0)
			return N_INFO;
		if (memcmp(lc, "item", 4) == 0)
			return N_ITEM;
		if (memcmp(lc, "link", 4) == 0)
			return N_LINK;
		if (memcmp(lc, "logo", 4) == 0)
			return N_LOGO;
		if (memcmp(lc, "name", 4) == 0)
			return N_NAME;
		break;
	case 5:
		if (memcmp(lc, "entry", 5) == 0)
			return N_ENTRY;
		if (memcmp(lc, "image", 5) == 0)
			return N_IMAGE;
		if (memcmp(lc, "title", 5) == 0)
			return N_TITLE;
		break;
	case 6:
		if (memcmp(lc, "author", 6) == 0)
			return N_AUTHOR;
		if (memcmp(lc, "issued", 6) == 0)
			return N_ISSUED;
		if (memcmp(lc, "source", 6) == 0)
			return N_SOURCE;
		break;
	case 7:
		if (memcmp(lc, "channel", 7) == 0)
			return N_CHANNEL;
		if (memcmp(lc, "content", 7) == 0)
			return N_CONTENT;
		if (memcmp(lc, "creator", 7) == 0)
			return N_CREATOR;
		if (memcmp(lc, "encoded", 7) == 0)
			return N_ENCODED;
		if (memcmp(lc, "pubdate", 7) == 0)
			return N_PUBDATE;
		if (memcmp(lc, "subject", 7) == 0)
			return N_SUBJECT;
		if (memcmp(lc, "summary", 7) == 0)
			return N_SUMMARY;
		if (memcmp(lc, "tagline", 7) == 0)
			return N_TAGLINE;
		if (memcmp(lc, "updated", 7) == 0)
			return N_UPDATED;
		break;
	case 8:
		if (memcmp(lc, "abstract", 8) == 0)
			return N_ABSTRACT;
		if (memcmp(lc, "category", 8) == 0)
			return N_CATEGORY;
		if (memcmp(lc, "fullitem", 8) == 0)
			return N_FULLITEM;
		if (memcmp(lc, "language", 8) == 0)
			return N_LANGUAGE;
		if (memcmp(lc, "modified", 8) == 0)
			return N_MODIFIED;
		if (memcmp(lc, "origlink", 8) == 0)
			return N_ORIGLINK;
		if (memcmp(lc, "subtitle", 8) == 0)
			return N_SUBTITLE;
		break;
	case 9:
		if (memcmp(lc, "enclosure", 9) == 0)
			return N_ENCLOSURE;
		if (memcmp(lc, "published", 9) == 0)
			return N_PUBLISHED;
		if (memcmp(lc, "textinput", 9) == 0)
			return N_TEXTINPUT;
		if (memcmp(lc, "thumbnail", 9) == 0)
			return N_THUMBNAIL;
		break;
	case 10:
		if (memcmp(lc, "identifier", 10) == 0)
			return N_IDENTIFIER;
		break;
	case 11:
		if (memcmp(lc, "contributor", 11) == 0)
			return N_CONTRIBUTOR;
		if (memcmp(lc, "description", 11) == 0)
			return N_DESCRIPTION;
		break;
	case 12:
		if (memcmp(lc, "updateperiod", 12) == 0)
			return N_UPDATEPERIOD;
		break;
	case 13:
		if (memcmp(lc, "lastbuilddate", 13) == 0)
			return N_LASTBUILDDATE;
		break;
	case 15:
		if (memcmp(lc, "updatefrequency", 15) == 0)
			return N_UPDATEFREQUENCY;
		break;
	default:
		break;
	}
	return N_OTHER;
}

static void
set_version(struct ps *ps, const char *v)
{
	if (!ps->info->version)
		ps->info->version = v;
}

static void
root_start(struct ps *ps, const char *name, enum ns ns, const char *l,
	   const char **attrs)
{
	ps->root_seen = true;
	if (is(l, "rss")) {
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
	} else if (is(l, "RDF")) {
		ps->is_feed = true;
		if (ps->hint)
			set_version(ps, ps->hint);
	} else if (is(l, "feed")) {
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
	} else if (is(l, "channel")) {
		ps->is_feed = true;
		ps->cdf = true;
		set_version(ps, "cdf");
		const char *href = attr_get(attrs, "href");
		const char *mod = attr_get(attrs, "lastmod");

		if (!href)
			href = attr_get(attrs, "HREF");
		if (!mod)
			mod = attr_get(attrs, "LASTMOD");
		if (href)
			assign_feed(ps, F_LINK, arena_strdup(ps->a, href));
		if (mod)
			assign_feed(ps, F_UPDATED, mod);
	}
	if (!ps->is_feed) {
		/* an HTML page or another XML vocabulary: nothing to read */
		XML_StopParser(ps->xp, XML_FALSE);
		return;
	}
	if (ns == NS_OTHER && l != name)
		ps->root_ns = xstrndup(name, (size_t)(l - 1 - name));
	memo_clear(ps); /* its elements are core ones from now on */
	const char *lang = attr_xml(attrs, "lang");

	if (lang && *lang)
		set_once(&ps->info->language, arena_strdup(ps->a, lang));
}

/* Set the capture kind of an Atom text construct or content element. */
static enum kind
atom_kind(struct ps *ps, const char **attrs)
{
	const char *type = attr_get(attrs, "type");
	const char *mode = attr_get(attrs, "mode");
	bool atom03 =
	    !ps->info->version || strcmp(ps->info->version, "atom10") != 0;

	ps->b64 = false;
	ps->html_type = false;
	if (type && (is(type, "html") || is(type, "text/html") ||
		     is(type, "xhtml") || is(type, "application/xhtml+xml")))
		ps->html_type = true;
	if (mode && is(mode, "base64")) {
		ps->b64 = true;
		return K_TEXT;
	}
	if (mode && is(mode, "escaped"))
		return K_HTML;
	if (mode && is(mode, "xml"))
		return atom03 ? K_XML : K_XHTML;
	if (!type)
		return atom03 ? K_XML : K_TEXT;
	if (is(type, "xhtml"))
		return K_XHTML;
	if (is(type, "html") || is(type, "text/html"))
		return K_HTML;
	if (is(type, "text") || strncmp(type, "text/", 5) == 0)
		return atom03 ? K_XML : K_TEXT;
	if (strstr(type, "xml"))
		return atom03 ? K_XML : K_XHTML;
	ps->b64 = true; /* any other media type is base64 (RFC 4287 4.1.3) */
	return K_TEXT;
}

/* Start capturing an Atom construct: kind and base64 flags together. */
static void
cap_atom(struct ps *ps, enum fld f, const char **attrs)
{
	enum kind k = atom_kind(ps, attrs);
	bool b64 = ps->b64, html = ps->html_type;

	cap_begin(ps, f, k);
	ps->b64 = b64;
	ps->html_type = html;
}

static void
atom_link(struct ps *ps, const char **attrs)
{
	const char *href = attr_get(attrs, "href");
	const char *rel = attr_get(attrs, "rel");

	if (!rel)
		rel = "alternate";
	if (!href) {
		/* Atom 0.3 drafts put the URL in the element's text */
		if (is(rel, "alternate") && ps->sub == SUB_NONE)
			cap_begin(ps, F_LINK, K_TEXT);
		return;
	}
	if (ps->sub != SUB_NONE)
		return;
	if (ps->in_item) {
		if (is(rel, "alternate")) {
			if (!ps->item_link_alt) {
				ps->it.link = NULL;
				assign_item(ps, F_LINK,
					    arena_strdup(ps->a, href));
				ps->item_link_alt = true;
			}
		} else if (is(rel, "enclosure") && ps->nencs < MAX_ENCS) {
			struct enclosure *e = &ps->encs[ps->nencs++];
			const char *type = attr_get(attrs, "type");
			const char *len = attr_get(attrs, "length");

			e->url = abs_url(ps, arena_strdup(ps->a, href));
			e->type = type ? arena_strdup(ps->a, type) : NULL;
			e->length = len ? strtoll(len, NULL, 10) : -1;
		}
	} else if (is(rel, "alternate") && !ps->feed_link_alt) {
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
media(struct ps *ps, bool thumbnail, const char **attrs)
{
	const char *url = attr_get(attrs, "url");

	if (!url || !ps->in_item)
		return;
	if (thumbnail) {
		set_once(&ps->it.image, abs_url(ps, arena_strdup(ps->a, url)));
		return;
	}
	const char *medium = attr_get(attrs, "medium");
	const char *type = attr_get(attrs, "type");

	if ((medium && is(medium, "image")) ||
	    (type && strncmp(type, "image/", 6) == 0))
		set_once(&ps->it.image, abs_url(ps, arena_strdup(ps->a, url)));
}

/* RSS <description> (and CDF <abstract>): the item's summary, or the
 * feed's subtitle; both HTML. */
static void
description(struct ps *ps)
{
	cap_begin(ps, ps->in_item ? F_SUMMARY : F_SUBTITLE, K_HTML);
}

/* An element of the feed's own vocabulary (RSS, Atom, RDF, CDF). */
static void
core_start(struct ps *ps, const char *l, const char **attrs)
{
	enum name id = name_id(l);

	if ((id == N_ITEM || id == N_ENTRY) && !ps->in_item &&
	    ps->sub == SUB_NONE) {
		item_begin(ps, attrs);
		return;
	}
	if (id == N_CHANNEL)
		return;
	if (ps->sub == SUB_NONE) {
		if (id == N_IMAGE && !ps->in_item) {
			ps->sub = SUB_IMAGE;
			ps->sub_depth = ps->depth;
			return;
		}
		if (id == N_TEXTINPUT || (id == N_SOURCE && ps->atom)) {
			ps->sub = SUB_SKIP;
			ps->sub_depth = ps->depth;
			return;
		}
		if (ps->atom && (id == N_AUTHOR || id == N_CONTRIBUTOR)) {
			ps->sub = SUB_PERSON;
			ps->sub_depth = ps->depth;
			ps->person_is_author = id == N_AUTHOR;
			return;
		}
	}
	switch (id) {
	case N_AUTHOR:
		cap_begin(ps, F_AUTHOR, K_TEXT);
		break;
	case N_ABSTRACT:
		description(ps);
		break;
	case N_BODY:
		if (ps->in_item)
			cap_begin(ps, F_CONTENT, K_HTML);
		break;
	case N_CONTENT:
		cap_atom(ps, F_CONTENT, attrs);
		break;
	case N_CATEGORY: {
		const char *term = attr_get(attrs, "term");

		if (!term)
			cap_begin(ps, F_CATEGORY, K_TEXT);
		else if (ps->in_item && ps->sub == SUB_NONE)
			add_category(ps, arena_strdup(ps->a, term));
		break;
	}
	case N_DESCRIPTION:
		description(ps);
		break;
	case N_ENCLOSURE:
		if (ps->in_item)
			enclosure(ps, attrs);
		break;
	case N_FULLITEM:
		if (ps->in_item)
			cap_begin(ps, F_CONTENT, K_HTML);
		break;
	case N_GUID: {
		const char *pl = attr_get(attrs, "isPermaLink");

		cap_begin(ps, F_ID, K_TEXT);
		if (ps->in_item && (!ps->it.id || !ps->id_set_by_guid)) {
			ps->it.id = NULL; /* beats rdf:about */
			ps->id_set_by_guid = true;
			ps->it.id_is_permalink = !pl || !is(pl, "false");
		}
		break;
	}
	case N_ID:
		cap_begin(ps, F_ID, K_TEXT);
		break;
	case N_ISSUED:
		cap_begin(ps, F_PUBLISHED, K_TEXT);
		break;
	case N_ICON:
		cap_begin(ps, F_IMAGE, K_TEXT);
		break;
	case N_INFO:
		cap_atom(ps, F_NONE, attrs);
		break;
	case N_LINK:
		if (ps->atom || attr_get(attrs, "href"))
			atom_link(ps, attrs);
		else
			cap_begin(ps, F_LINK, K_TEXT);
		break;
	case N_LANGUAGE:
		cap_begin(ps, F_LANGUAGE, K_TEXT);
		break;
	case N_LASTBUILDDATE:
		cap_begin(ps, F_UPDATED, K_TEXT);
		break;
	case N_LOGO:
		cap_begin(ps, F_IMAGE, K_TEXT);
		break;
	case N_MODIFIED:
		cap_begin(ps, F_UPDATED, K_TEXT);
		break;
	case N_NAME:
		if (ps->sub == SUB_PERSON)
			cap_begin(ps, F_NAME, K_TEXT);
		break;
	case N_PUBDATE:
	case N_PUBLISHED:
		cap_begin(ps, F_PUBLISHED, K_TEXT);
		break;
	case N_SUMMARY:
		if (ps->atom)
			cap_atom(ps, F_SUMMARY, attrs);
		else
			cap_begin(ps, F_SUMMARY, K_HTML);
		break;
	case N_SUBTITLE:
	case N_TAGLINE:
		cap_atom(ps, F_SUBTITLE, attrs);
		break;
	case N_TITLE:
		if (ps->atom)
			cap_atom(ps, F_TITLE, attrs);
		else
			cap_begin(ps, F_TITLE, K_TEXT);
		break;
	case N_TTL:
		cap_begin(ps, F_TTL, K_TEXT);
		break;
	case N_UPDATED:
		cap_begin(ps, F_UPDATED, K_TEXT);
		break;
	case N_URL:
		cap_begin(ps, F_IMAGE, K_TEXT);
		break;
	default:
		break;
	}
}

/* An element of an extension namespace. */
static void
ext_start(struct ps *ps, enum ns ns, const char *l, const char **attrs)
{
	if (ns == NS_OTHER)
		return; /* (a vocabulary we do not read: most of them) */
	enum name id = name_id(l);

	switch (ns) {
	case NS_DC:
		if (id == N_TITLE)
			cap_begin(ps, F_TITLE, K_TEXT);
		else if (id == N_CREATOR || id == N_AUTHOR)
			cap_begin(ps, F_AUTHOR, K_TEXT);
		else if (id == N_SUBJECT)
			cap_begin(ps, F_CATEGORY, K_TEXT);
		else if (id == N_DATE)
			cap_begin(ps, F_UPDATED, K_TEXT);
		else if (id == N_LANGUAGE)
			cap_begin(ps, F_LANGUAGE, K_TEXT);
		else if (id == N_DESCRIPTION)
			description(ps);
		else if (id == N_IDENTIFIER)
			cap_begin(ps, F_ID, K_TEXT);
		break;
	case NS_DCTERMS:
		if (id == N_ISSUED)
			cap_begin(ps, F_PUBLISHED, K_TEXT);
		else if (id == N_MODIFIED)
			cap_begin(ps, F_UPDATED, K_TEXT);
		break;
	case NS_CONTENT:
		if (id == N_ENCODED)
			cap_begin(ps, F_CONTENT, K_HTML);
		break;
	case NS_XHTML:
		if (id == N_BODY || id == N_DIV)
			cap_begin(ps, F_CONTENT, K_XHTML);
		break;
	case NS_MEDIA:
		if (id == N_CONTENT || id == N_THUMBNAIL)
			media(ps, id == N_THUMBNAIL, attrs);
		else if (id == N_CATEGORY && ps->in_item)
			cap_begin(ps, F_CATEGORY, K_TEXT);
		else if (id == N_TITLE && ps->in_item)
			cap_begin(ps, F_MTITLE, K_TEXT);
		break;
	case NS_ITUNES:
		if (id == N_SUMMARY) {
			cap_begin(ps, F_ITSUMMARY, K_TEXT);
		} else if (id == N_AUTHOR) {
			cap_begin(ps, F_AUTHOR, K_TEXT);
		} else if (id == N_CATEGORY && ps->in_item) {
			const char *text = attr_get(attrs, "text");

			if (text)
				add_category(ps, arena_strdup(ps->a, text));
		} else if (id == N_IMAGE && !ps->in_item) {
			const char *href = attr_get(attrs, "href");

			if (href)
				assign_feed(ps, F_IMAGE,
					    arena_strdup(ps->a, href));
		}
		break;
	case NS_FEEDBURNER:
		if (id == N_ORIGLINK)
			cap_begin(ps, F_ORIGLINK, K_TEXT);
		break;
	case NS_SY:
		if (id == N_UPDATEPERIOD)
			cap_begin(ps, F_PERIOD, K_TEXT);
		else if (id == N_UPDATEFREQUENCY)
			cap_begin(ps, F_FREQ, K_TEXT);
		break;
	default:
		break;
	}
}

/* Make void_at[depth] exist (zeroed); it grows with the deepest field. */
static void
void_at_room(struct ps *ps)
{
	size_t need = (size_t)ps->depth + 1;

	if (need <= ps->void_cap)
		return;
	size_t cap = ps->void_cap ? ps->void_cap : 16;

	while (cap < need)
		cap *= 2;
	ps->void_at = xreallocarray(ps->void_at, cap, sizeof(*ps->void_at));
	memset(ps->void_at + ps->void_cap, 0,
	       (cap - ps->void_cap) * sizeof(*ps->void_at));
	ps->void_cap = cap;
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct ps *ps = ud;

	ps->depth++;
	if (ps->depth > MAX_DEPTH)
		return;
	scopes_push(ps, attrs);
	const char *l;
	enum ns ns = elem_split(ps, name, &l);

	if (ps->fld != F_NONE) {
		if (is_void_element(l)) {
			/* raw HTML in a field: a <br> may never be closed */
			XML_Index at = XML_GetCurrentByteIndex(ps->xp);

			void_at_room(ps);
			ps->void_at[ps->depth] = at < 0 ? 0 : (size_t)at + 1;
		}
		cap_start_tag(ps, name, l, ns, attrs);
		return;
	}
	if (!ps->root_seen) {
		root_start(ps, name, ns, l, attrs);
		return;
	}
	if (!ps->is_feed)
		return;
	if (ps->depth == 2 && ns == NS_RSS10)
		set_version(ps, "rss10");
	else if (ps->depth == 2 && ns == NS_RSS090)
		set_version(ps, "rss090");
	if (is_core(ns) || ns == NS_RDF)
		core_start(ps, l, attrs);
	else
		ext_start(ps, ns, l, attrs);
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct ps *ps = ud;

	if (ps->depth > MAX_DEPTH) {
		ps->depth--;
		return;
	}
	if ((size_t)ps->depth < ps->void_cap)
		ps->void_at[ps->depth] = 0;
	if (ps->fld != F_NONE) {
		if (ps->depth == ps->cap_depth) {
			cap_end(ps);
		} else {
			/* only the local name: the namespace is not needed */
			const char *sep = strchr(name, NS_SEP);

			cap_end_tag(ps, sep ? sep + 1 : name);
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
	struct tbuf *t = &ps->text;
	size_t n = (size_t)len;

	if (ps->fld == F_NONE)
		return;
	/* the common case inline: text or HTML that fits, often a lone
	 * newline (expat passes each one on by itself) */
	if (!ps->pending_gt && (ps->kind == K_TEXT || ps->kind == K_HTML) &&
	    n <= t->lim - t->len) {
		if (n == 1)
			t->data[t->len] = s[0];
		else
			memcpy(t->data + t->len, s, n);
		t->len += n;
		return;
	}
	cap_text(ps, s, n);
}

/* Undeclared entities reach us here (see parse_run): HTML names become
 * their text, unknown ones stay as written. */
static void XMLCALL
on_skipped(void *ud, const XML_Char *name, int is_param)
{
	struct ps *ps = ud;

	if (is_param)
		return;
	if (!ps->has_doctype && !ps->bozo_msg[0]) {
		/* not well-formed XML, though we recover the text */
		char msg[120];

		snprintf(msg, sizeof(msg), "undeclared entity &%.64s;", name);
		set_bozo(ps, msg, false);
	}
	if (ps->fld == F_NONE)
		return;
	size_t n = strlen(name);
	const char *v = entities_lookup(name, n);

	if (v) {
		cap_text(ps, v, strlen(v));
	} else {
		cap_close_gt(ps);
		tb_putc(&ps->text, '&');
		tb_append(&ps->text, name, n);
		tb_putc(&ps->text, ';');
	}
}

/*
 * A document without a DTD may not use undeclared entities, so expat
 * rejects &eacute;. Declaring a foreign DTD and "reading" it as an empty
 * external subset makes expat treat undeclared entities as possibly
 * declared there and report them as skipped instead; that costs nothing
 * and keeps one pass. (In attribute values they are dropped.) A document
 * without a DOCTYPE needs no reading at all (see parse_run).
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

	ps->has_doctype = true;
	if (pubid && strstr(pubid, "Netscape"))
		ps->netscape = true;
	if (sysid && strstr(sysid, "netscape"))
		ps->netscape = true;
}

static void XMLCALL
on_nsdecl(void *ud, const XML_Char *prefix, const XML_Char *uri)
{
	struct ps *ps = ud;

	if (ps->root_seen || !uri)
		return;
	enum ns ns = ns_lookup(uri, strlen(uri));

	if (ns == NS_RSS10)
		ps->hint = "rss10";
	else if (ns == NS_RSS090)
		ps->hint = "rss090";
}

/* ---- driver ------------------------------------------------------------ */

/* Forget the state of a failed attempt before parsing again. */
static void
ps_reset(struct ps *ps)
{
	while (ps->nscopes) {
		struct scope *s = &ps->scopes[--ps->nscopes];

		free(s->base);
		free(s->lang);
	}
	for (int i = 0; i < CAP_NS_MAX; i++) {
		free(ps->cap_ns[i]);
		ps->cap_ns[i] = NULL;
	}
	ps->cap_ns_used = 0;
	if (ps->void_cap)
		memset(ps->void_at, 0, ps->void_cap * sizeof(*ps->void_at));
	if (ps->in_item)
		arena_reset_to(ps->a, ps->item_mark);
	tb_recall(ps);
	free(ps->root_ns);
	ps->root_ns = NULL;
	memo_clear(ps);
	ps->depth = 0;
	ps->root_seen = false;
	ps->is_feed = false;
	ps->atom = false;
	ps->cdf = false;
	ps->in_item = false;
	ps->sub = SUB_NONE;
	ps->fld = F_NONE;
	ps->cap_depth = 0;
	ps->pending_gt = false;
	ps->seen = 0;
}

/* The end of the comment or processing instruction at p (after its
 * closing "-->" or "?>"), or NULL when it is not closed. */
static const char *
skip_markup(const char *p, const char *end, const char *close, size_t k)
{
	for (const char *q = p + 2; q < end;) {
		const char *gt = memchr(q, '>', (size_t)(end - q));

		if (!gt)
			return NULL;
		if ((size_t)(gt + 1 - p) >= 2 + k &&
		    memcmp(gt + 1 - k, close, k) == 0)
			return gt + 1;
		q = gt + 1;
	}
	return NULL;
}

/*
 * True when doc[0..len) has no DOCTYPE: its first tag is an element, with
 * only comments and processing instructions before it. Anything else that
 * starts with "<!" counts as a DOCTYPE (the safe answer).
 */
static bool
lacks_doctype(const char *doc, size_t len)
{
	const char *p = doc, *end = doc + len;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if (end - p < 2)
			return false;
		if (p[1] == '?')
			p = skip_markup(p, end, "?>", 2);
		else if (p[1] != '!')
			return true;
		else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
			p = skip_markup(p, end, "-->", 3);
		else
			return false;
		if (!p)
			return false;
	}
	return false;
}

struct parse_reuse {
	XML_Parser xp; /* reset, or NULL while a document is being parsed */
};

struct parse_reuse *
parse_reuse_new(void)
{
	return xcalloc(1, sizeof(struct parse_reuse));
}

void
parse_reuse_free(struct parse_reuse *r)
{
	if (r && r->xp)
		XML_ParserFree(r->xp);
	free(r);
}

/* A namespace-aware parser for one document: the reused one, reset (which
 * clears its handlers and settings but keeps its buffer), else a new one. */
static XML_Parser
parser_take(struct parse_reuse *r)
{
	XML_Parser xp = r ? r->xp : NULL;

	if (r)
		r->xp = NULL;
	if (xp && !XML_ParserReset(xp, "UTF-8")) {
		XML_ParserFree(xp);
		xp = NULL;
	}
	if (!xp)
		xp = XML_ParserCreateNS("UTF-8", NS_SEP);
	if (!xp)
		abort(); /* out of memory, like xmalloc */
	return xp;
}

static void
parser_give_back(struct parse_reuse *r, XML_Parser xp)
{
	if (r && !r->xp)
		r->xp = xp;
	else
		XML_ParserFree(xp);
}

/* One expat pass over doc; returns the XML error, or XML_ERROR_NONE. */
static enum XML_Error
parse_run(struct ps *ps, const char *doc, size_t len, size_t *err_off,
	  char *msg, size_t msgsize)
{
	struct parse_reuse *reuse = ps->opts ? ps->opts->reuse : NULL;
	XML_Parser xp = parser_take(reuse);

	ps->xp = xp;
	XML_SetUserData(xp, ps);
	XML_SetElementHandler(xp, on_start, on_end);
	/* (the character data handler is set while a field is open) */
	XML_SetSkippedEntityHandler(xp, on_skipped);
	XML_SetStartDoctypeDeclHandler(xp, on_doctype);
	XML_SetStartNamespaceDeclHandler(xp, on_nsdecl);
	/* Without a DOCTYPE there is nothing for parameter entities to
	 * change: expat then takes the foreign DTD as a possible external
	 * subset without reading it, and undeclared entities are skipped
	 * just the same. Reading it (on_external) costs a second parser
	 * per document, so only a document with a DOCTYPE, whose internal
	 * subset may use parameter entities, has it read. */
	if (!lacks_doctype(doc, len))
		XML_SetParamEntityParsing(
		    xp, XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE);
	XML_SetExternalEntityRefHandler(xp, on_external);
	XML_UseForeignDTD(xp, XML_TRUE);
	enum XML_Error err = XML_ERROR_NONE;
	/* slices keep expat's own copy of the text small (it copies what it
	 * is given) and fit its int lengths. NOTE: after every call that is
	 * not the last, expat scans the slice again to count lines and
	 * columns, so a feed under one slice (nearly all) goes in one call:
	 * 256 KiB slices cost ~8% more time on a corpus of 200-400 KB feeds */
	size_t off = 0;

	do {
		size_t n = len - off > PARSE_SLICE ? PARSE_SLICE : len - off;
		bool last = off + n == len;

		if (XML_Parse(xp, doc + off, (int)n, last) ==
		    XML_STATUS_ERROR) {
			err = XML_GetErrorCode(xp);
			break;
		}
		off += n;
	} while (off < len);
	if (err != XML_ERROR_NONE && err != XML_ERROR_ABORTED) {
		XML_Index idx = XML_GetCurrentByteIndex(xp);

		*err_off = idx < 0 ? 0 : (size_t)idx;
		const char *what = XML_ErrorString(err);

		if (*err_off >= len &&
		    (err == XML_ERROR_NO_ELEMENTS ||
		     err == XML_ERROR_UNCLOSED_TOKEN ||
		     err == XML_ERROR_PARTIAL_CHAR ||
		     err == XML_ERROR_UNCLOSED_CDATA_SECTION))
			what = "the document ends early (truncated)";
		snprintf(msg, msgsize, "line %lu, column %lu: %s",
			 (unsigned long)XML_GetCurrentLineNumber(xp),
			 (unsigned long)XML_GetCurrentColumnNumber(xp), what);
	}
	parser_give_back(reuse, xp);
	ps->xp = NULL;
	return err;
}

/* Namespaces that feeds use without declaring them. */
static const char *
known_prefix_uri(const char *p, size_t n)
{
	static const struct {
		const char *prefix, *uri;
	} known[] = {
	    {"dc", "http://purl.org/dc/elements/1.1/"},
	    {"dcterms", "http://purl.org/dc/terms/"},
	    {"content", "http://purl.org/rss/1.0/modules/content/"},
	    {"media", "http://search.yahoo.com/mrss/"},
	    {"itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"},
	    {"atom", "http://www.w3.org/2005/Atom"},
	    {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
	    {"feedburner", "http://rssnamespace.org/feedburner/ext/1.0"},
	    {"sy", "http://purl.org/rss/1.0/modules/syndication/"},
	    {"xhtml", "http://www.w3.org/1999/xhtml"},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strlen(known[i].prefix) == n &&
		    memcmp(known[i].prefix, p, n) == 0)
			return known[i].uri;
	}
	return NULL;
}

/*
 * Declare the prefixes a start tag at doc[off] uses without a
 * declaration: known ones get their real namespace, others a private one.
 */
static bool
fix_prefixes(const char *doc, size_t len, size_t off, struct buf *out)
{
	size_t end = off + 1;

	while (end < len && doc[end] != '>')
		end++;
	size_t name_end = off + 1;

	while (name_end < end && !wd_isspace((unsigned char)doc[name_end]) &&
	       doc[name_end] != '/')
		name_end++;
	buf_append(out, doc, name_end);
	bool any = false;

	/* every "prefix:" that starts a name inside the tag */
	for (size_t i = off + 1; i < end; i++) {
		if (i > off + 1 && !wd_isspace((unsigned char)doc[i - 1]))
			continue;
		size_t j = i;

		while (j < end &&
		       (wd_isalnum((unsigned char)doc[j]) || doc[j] == '_' ||
			doc[j] == '-' || doc[j] == '.'))
			j++;
		if (j == i || j >= end || doc[j] != ':' ||
		    (j - i == 5 && memcmp(doc + i, "xmlns", 5) == 0) ||
		    (j - i == 3 && memcmp(doc + i, "xml", 3) == 0))
			continue;
		const char *uri = known_prefix_uri(doc + i, j - i);

		buf_appendf(out, " xmlns:%.*s=\"", (int)(j - i), doc + i);
		if (uri)
			buf_puts(out, uri);
		else
			buf_appendf(out, "urn:x-undeclared:%.*s", (int)(j - i),
				    doc + i);
		buf_putc(out, '"');
		any = true;
	}
	buf_append(out, doc + name_end, len - name_end);
	return any;
}

/*
 * One local repair at the place expat stopped, so that a second pass can
 * go further: a stray '&' becomes "&amp;", a stray '<' "&lt;", a control
 * character a space, junk before the first tag is cut, an undeclared
 * prefix is declared, an unexpected end tag is dropped. Returns what was
 * done (for the bozo message), or NULL when no repair applies.
 */
/* True when s[0..n) (just after a '&') starts an entity or character
 * reference: a name or #digits or #xhex, then ';'. */
static bool
is_reference(const char *s, size_t n)
{
	size_t i = 0;

	if (n && s[0] == '#') {
		bool hex = n > 1 && s[1] == 'x';

		i = hex ? 2 : 1;
		size_t start = i;

		while (i < n && (wd_isdigit((unsigned char)s[i]) ||
				 (hex && ((s[i] >= 'a' && s[i] <= 'f') ||
					  (s[i] >= 'A' && s[i] <= 'F')))))
			i++;
		return i > start && i < n && s[i] == ';';
	}
	if (!n || !(wd_isalpha((unsigned char)s[0]) || s[0] == '_' ||
		    s[0] == ':' || (unsigned char)s[0] >= 0x80))
		return false;
	while (i < n &&
	       (wd_isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':' ||
		s[i] == '-' || s[i] == '.' || (unsigned char)s[i] >= 0x80))
		i++;
	return i < n && s[i] == ';';
}

/*
 * Append s[0..n) with every '&' that starts no reference written as
 * "&amp;", outside CDATA sections and comments: a feed with one bare '&'
 * ("AT&T") usually has one per item, and one repair pass fixes them all.
 */
static void
escape_bare_amps(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, start = 0;

	while (i < n) {
		const char *skip_to = NULL;

		if (s[i] == '<' && n - i >= 9 &&
		    memcmp(s + i, "<![CDATA[", 9) == 0)
			skip_to = "]]>";
		else if (s[i] == '<' && n - i >= 4 &&
			 memcmp(s + i, "<!--", 4) == 0)
			skip_to = "-->";
		if (skip_to) {
			size_t j = i + 4;

			while (j + 3 <= n && memcmp(s + j, skip_to, 3) != 0)
				j++;
			i = j + 3 <= n ? j + 3 : n;
			continue;
		}
		if (s[i] == '&' && !is_reference(s + i + 1, n - i - 1)) {
			buf_append(out, s + start, i - start);
			buf_puts(out, "&amp;");
			start = i + 1;
		}
		i++;
	}
	buf_append(out, s + start, n - start);
}

/*
 * Append s[0..n) with HTML void elements written as empty XML elements
 * ("<br>" as "<br/>"), outside CDATA sections and comments, unless the
 * end tag follows at once.
 */
static void
close_void_tags(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, start = 0;

	while (i < n) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		const char *skip_to = NULL;

		if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0)
			skip_to = "]]>";
		else if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0)
			skip_to = "-->";
		if (skip_to) {
			size_t j = i + 4;

			while (j + 3 <= n && memcmp(s + j, skip_to, 3) != 0)
				j++;
			i = j + 3 <= n ? j + 3 : n;
			continue;
		}
		size_t j = i + 1;
		char name[16];
		size_t nl = 0;

		while (j < n && wd_isalnum((unsigned char)s[j]) &&
		       nl < sizeof(name) - 1)
			name[nl++] = s[j++];
		name[nl] = '\0';
		if (!nl || !is_void_element(name)) {
			i = j;
			continue;
		}
		/* the tag's '>', outside quoted attribute values */
		char q = 0;

		while (j < n && (q || s[j] != '>')) {
			if (q && s[j] == q)
				q = 0;
			else if (!q && (s[j] == '"' || s[j] == '\''))
				q = s[j];
			j++;
		}
		if (j >= n)
			break;
		bool closed_now = n - (j + 1) >= nl + 3 && s[j + 1] == '<' &&
				  s[j + 2] == '/' &&
				  wd_strncasecmp(s + j + 3, name, nl) == 0;

		if (s[j - 1] != '/' && !closed_now) {
			buf_append(out, s + start, j - start);
			buf_putc(out, '/');
			start = j;
		}
		i = j + 1;
	}
	buf_append(out, s + start, n - start);
}

static const char *
find_decl(const char *doc, size_t len)
{
	for (const char *p = doc; (p = memchr(p, '<', len - (size_t)(p - doc)));
	     p++) {
		if (len - (size_t)(p - doc) >= 5 && memcmp(p, "<?xml", 5) == 0)
			return p;
	}
	return NULL;
}

static const char *
fix_at(const char *doc, size_t len, size_t off, enum XML_Error err,
       bool root_seen, long long void_off, struct buf *out)
{
	buf_reset(out);
	if (off >= len)
		return NULL;
	if (!root_seen && err != XML_ERROR_UNBOUND_PREFIX) {
		/* junk (or blanks) before the XML declaration or first tag */
		const char *x = find_decl(doc, len);
		const char *lt = x ? x : memchr(doc, '<', len);

		if (lt && lt != doc) {
			buf_append(out, lt, len - (size_t)(lt - doc));
			return "skipped what came before the first tag";
		}
		if (!x || x != doc)
			return NULL;
	}
	/* expat points into the bad token, or just past an entity name
	 * that lacks its ';': go back to its '&' or '<' */
	size_t t = off;
	bool amp = false;

	for (size_t k = off; k > 0 && off - k < 64; k--) {
		char b = doc[k - 1];

		if (b == '&') {
			t = k - 1;
			amp = true;
			break;
		}
		if (!wd_isalnum((unsigned char)b) && b != '#' && b != '_' &&
		    b != '-' && b != '.')
			break;
	}

	while (!amp && t > 0 && off - t < 64 &&
	       (wd_isalnum((unsigned char)doc[t]) || doc[t] == '#' ||
		doc[t] == '_' || doc[t] == '-' || doc[t] == '.' ||
		doc[t] == ':' || doc[t] == '/' || doc[t] == '=' ||
		wd_isspace((unsigned char)doc[t])) &&
	       doc[t] != '&' && doc[t] != '<')
		t--;
	unsigned char c = (unsigned char)doc[t];

	if (err == XML_ERROR_UNBOUND_PREFIX && c == '<')
		return fix_prefixes(doc, len, t, out) ? "declared the prefix"
						      : NULL;
	if (err == XML_ERROR_TAG_MISMATCH && void_off >= 0 &&
	    (size_t)void_off < off) {
		/* close the HTML void element that is still open ("<br>"),
		 * and every later one, for a field of raw HTML has many */
		buf_append(out, doc, (size_t)void_off);
		close_void_tags(doc + void_off, len - (size_t)void_off, out);
		return "closed HTML empty elements";
	}
	if (err == XML_ERROR_TAG_MISMATCH && c == '<' && t + 1 < len &&
	    doc[t + 1] == '/') {
		const char *gt = memchr(doc + t, '>', len - t);

		if (!gt)
			return NULL;
		buf_append(out, doc, t);
		buf_append(out, gt + 1, len - (size_t)(gt + 1 - doc));
		return "dropped the end tag";
	}
	if (c == '&') {
		buf_append(out, doc, t);
		if (t + 2 < len && doc[t + 1] == '#' && doc[t + 2] == 'X') {
			buf_puts(out, "&#x");
			buf_append(out, doc + t + 3, len - t - 3);
			return "read &#X as &#x";
		}
		escape_bare_amps(doc + t, len - t, out);
		return "read a bare & as &amp;";
	}
	if (c == '<' && err == XML_ERROR_INVALID_TOKEN) {
		buf_append(out, doc, t);
		buf_puts(out, "&lt;");
		buf_append(out, doc + t + 1, len - t - 1);
		return "read a bare < as &lt;";
	}
	c = (unsigned char)doc[off];
	if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
		/* all of them at once: feeds that have one have many */
		buf_append(out, doc, off);
		for (size_t i = off; i < len; i++) {
			unsigned char b = (unsigned char)doc[i];

			buf_putc(out,
				 b < 0x20 && b != '\t' && b != '\n' && b != '\r'
				     ? ' '
				     : (char)b);
		}
		return "replaced control characters";
	}
	return NULL;
}

/*
 * An ill-formed document: deliver the item that was open at the error (as
 * a loose parser would).
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

/*
 * Parse d[0..n) with repairs: each failed pass repairs the document at
 * the error and parses again, delivering only the items past those the
 * earlier passes delivered (a repair changes nothing before the error, so
 * those items are the same). At most MAX_FIXES passes.
 */
struct doc {
	const char *raw; /* the bytes as received */
	size_t rawlen;
	const char *ctype;
	struct buf *conv; /* holds the UTF-8 text when converted */
	bool unchecked;   /* UTF-8 on trust: expat finds bad bytes */
};

/* Decode the document again, now checking UTF-8, when expat stopped at
 * what may be a bad byte. Returns true when the text changed. */
static bool
recheck_encoding(struct ps *ps, struct doc *doc, const char **d, size_t *n)
{
	doc->unchecked = false;
	if (enc_is_utf8(*d, *n))
		return false;
	struct enc_result enc;

	enc_to_utf8(doc->raw, doc->rawlen, doc->ctype, 0, doc->conv, &enc);
	*d = enc.converted ? buf_str(doc->conv) : doc->raw + enc.skip;
	*n = enc.converted ? doc->conv->len : doc->rawlen - enc.skip;
	snprintf(ps->encoding, sizeof(ps->encoding), "%s", enc.encoding);
	ps->utf8_doc = strcmp(enc.encoding, "utf-8") == 0;
	set_bozo(ps, enc.bozo_msg ? enc.bozo_msg : "invalid UTF-8", true);
	return true;
}

static void
parse_with_repairs(struct ps *ps, struct doc *doc, const char *d, size_t n)
{
	struct buf fixed[2];
	int cur = 0;
	char msg[200];

	buf_init(&fixed[0], n * 2 + 4096);
	buf_init(&fixed[1], n * 2 + 4096);
	for (int attempt = 0;; attempt++) {
		size_t off = 0;
		enum XML_Error err =
		    parse_run(ps, d, n, &off, msg, sizeof(msg));

		if (err == XML_ERROR_NONE || err == XML_ERROR_ABORTED ||
		    ps->stop)
			break;
		if (doc->unchecked && recheck_encoding(ps, doc, &d, &n)) {
			ps->skip = ps->info->nitems;
			ps_reset(ps);
			continue;
		}
		size_t v = ps->depth >= 0 && (size_t)ps->depth < ps->void_cap
			       ? ps->void_at[ps->depth]
			       : 0;
		const char *what =
		    attempt < MAX_FIXES
			? fix_at(d, n, off, err, ps->root_seen,
				 v ? (long long)(v - 1) : -1, &fixed[cur])
			: NULL;

		if (!what || buf_failed(&fixed[cur])) {
			set_bozo(ps, msg, false);
			flush_open(ps);
			break;
		}
		char full[300];

		snprintf(full, sizeof(full), "%s (recovered: %s)", msg, what);
		set_bozo(ps, full, false);
		d = buf_str(&fixed[cur]);
		n = fixed[cur].len;
		cur = !cur;
		ps->skip = ps->info->nitems;
		ps_reset(ps);
	}
	buf_free(&fixed[0]);
	buf_free(&fixed[1]);
}

/* Find "needle" (lower case ASCII) in s[0..n), ignoring case. */
static const char *
find_nocase(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++) {
		if (wd_tolower((unsigned char)s[i]) == needle[0] &&
		    wd_strncasecmp(s + i, needle, k) == 0)
			return s + i;
	}
	return NULL;
}

/*
 * An HTML page where a feed was expected (a moved feed, a login page):
 * say so, and name the feed the page advertises with <link
 * rel="alternate" type="application/rss+xml" href="...">, if any.
 */
static bool
html_feed_hint(const char *d, size_t n, const char *base, char *msg,
	       size_t size)
{
	size_t head = n < 4096 ? n : 4096;

	if (!find_nocase(d, head, "<html") &&
	    !find_nocase(d, head, "<!doctype html"))
		return false;
	snprintf(msg, size, "not a feed: an HTML page");
	for (const char *p = d;
	     (p = find_nocase(p, n - (size_t)(p - d), "<link")); p++) {
		const char *gt = memchr(p, '>', n - (size_t)(p - d));

		if (!gt)
			break;
		size_t tl = (size_t)(gt - p);

		if (!find_nocase(p, tl, "application/rss+xml") &&
		    !find_nocase(p, tl, "application/atom+xml") &&
		    !find_nocase(p, tl, "application/feed+json"))
			continue;
		const char *h = find_nocase(p, tl, "href=");

		if (!h || h + 6 > gt)
			continue;
		h += 5;
		char q = *h == '"' || *h == '\'' ? *h++ : ' ';
		const char *e = h;

		while (e < gt && *e != q &&
		       !(q == ' ' && wd_isspace((unsigned char)*e)))
			e++;
		char *href = xstrndup(h, (size_t)(e - h));
		char *url = urlres_resolve(base, href);
		struct buf b;

		buf_init(&b, size);
		wd_utf8_sanitize(&b, url, strlen(url));
		snprintf(msg, size,
			 "not a feed: an HTML page (it names the feed %.200s)",
			 buf_str(&b));
		buf_free(&b);
		free(url);
		free(href);
		break;
	}
	return true;
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
	const char *ctype = opts ? opts->content_type : NULL;

	enc_to_utf8(doc, len, ctype, ENC_LAZY_UTF8, &conv, &enc);
	const char *d = enc.converted ? buf_str(&conv) : doc + enc.skip;
	size_t n = enc.converted ? conv.len : len - enc.skip;

	if (enc.unchecked && looks_like_json(d, n) && !enc_is_utf8(d, n)) {
		/* jansson rejects bad UTF-8: decode properly first */
		enc_to_utf8(doc, len, ctype, 0, &conv, &enc);
		d = enc.converted ? buf_str(&conv) : doc + enc.skip;
		n = enc.converted ? conv.len : len - enc.skip;
	}

	if (enc.bozo_msg) {
		info->bozo = true;
		info->bozo_msg = enc.bozo_msg;
	}
	char *base = NULL;

	if (opts && opts->content_location && *opts->content_location) {
		base = urlres_resolve(opts->url, opts->content_location);
		if (base && wd_strncasecmp(base, "http://", 7) != 0 &&
		    wd_strncasecmp(base, "https://", 8) != 0) {
			/* a javascript: or data: base is never followed */
			free(base);
			base = NULL;
		}
	}
	if (looks_like_json(d, n)) {
		struct parse_opts o = opts ? *opts : (struct parse_opts){0};

		if (base)
			o.url = base;
		info->encoding = arena_strdup(a, enc.encoding);
		int rc = jsonfeed_parse(d, n, &o, on_item, ctx, a, info);

		free(base);
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
	ps.doc_url = base ? base : opts ? opts->url : NULL;
	ps.feed_published = WD_NOTIME;
	ps.utf8_doc = strcmp(enc.encoding, "utf-8") == 0;
	snprintf(ps.encoding, sizeof(ps.encoding), "%s", enc.encoding);
	if (enc.bozo_msg)
		set_bozo(&ps, enc.bozo_msg, false);
	/* (not zeroed: entries are written before they are counted) */
	ps.cats = xreallocarray(NULL, MAX_CATS, sizeof(*ps.cats));
	ps.encs = xreallocarray(NULL, MAX_ENCS, sizeof(*ps.encs));
	tb_init(&ps.text);
	tb_init(&ps.scratch);
	buf_init(&ps.tmp[0], MAX_FIELD * 2);
	buf_init(&ps.tmp[1], MAX_FIELD * 2);

	struct doc dd = {.raw = doc,
			 .rawlen = len,
			 .ctype = ctype,
			 .conv = &conv,
			 .unchecked = enc.unchecked};

	parse_with_repairs(&ps, &dd, d, n);

	int rc = 0;

	if (info->updated == WD_NOTIME)
		info->updated = ps.feed_published;
	if (!info->subtitle && ps.feed_itsummary)
		info->subtitle = ps.feed_itsummary;
	if (ps.sy_period || ps.sy_freq) {
		/* RSS 1.0 syndication: period / frequency, daily by default */
		int period = ps.sy_period ? ps.sy_period : 86400;

		info->update_period = period / (ps.sy_freq ? ps.sy_freq : 1);
	}
	if (!ps.is_feed && info->nitems == 0) {
		char msg[300];

		if (html_feed_hint(d, n, ps.doc_url, msg, sizeof(msg)))
			set_bozo(&ps, msg, true);
		else
			set_bozo(&ps,
				 ps.root_seen
				     ? "not a feed: unknown root element"
				     : "not a feed: no XML element found",
				 true);
		rc = WD_EPARSE;
	}
	if (ps.rc < 0)
		rc = ps.rc;
	ps_reset(&ps);
	/* no item is open now: these copies outlive the item regions */
	info->encoding = arena_strdup(a, ps.encoding);
	/* the header is only a default: xml:lang or <language> wins */
	if (!info->language && header_lang(opts))
		info->language = arena_strdup(a, header_lang(opts));
	if (ps.bozo_msg[0]) {
		/* a cut entity name may have split a character */
		struct buf m;

		buf_init(&m, sizeof(ps.bozo_msg) * 3);
		wd_utf8_sanitize(&m, ps.bozo_msg, strlen(ps.bozo_msg));
		info->bozo_msg = arena_strdup(a, buf_str(&m));
		buf_free(&m);
	}
	free(ps.scopes);
	free(ps.cats);
	free(ps.encs);
	free(ps.void_at);
	free(ps.text.data);
	free(ps.scratch.data);
	tb_recall(&ps); /* (an item cut short may still hold blocks) */
	for (size_t i = 0; i < ps.nspare; i++)
		free(ps.spare[i].data);
	free(ps.spare);
	free(ps.lent);
	buf_free(&ps.tmp[0]);
	buf_free(&ps.tmp[1]);
	buf_free(&conv);
	free(base);
	return rc;
}
