/* SPDX-License-Identifier: MIT */
/* aggregator/wirever.c: wire headline conventions (prefixes, kinds,
 * advisories, kill notices), part of the aggregator's dedupe step. */
#include "aggregator/wirever.h"

#include <string.h>
#include <utf8proc.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"

/*
 * How a headline is read. Wires put slugs before the headline, chained:
 * "REFILE-UPDATE 2-EXCLUSIVE-Acme to buy Widgetco". We strip one known
 * word at a time from the front, each followed by a separator:
 *
 *  - Reuters style: an upper-case word, an optional number, then "-" with
 *    or without spaces ("UPDATE 1-", "RPT-", "URGENT - ").
 *  - AP style: the word in upper case or capitalized, then ":"
 *    ("Correction:", "AP Exclusive:", "Update:").
 *
 * Requiring upper case before a dash keeps headlines such as
 * "Analysis-paralysis grips ..." intact; a capitalized word followed by a
 * colon is how AP and most web desks write a kind. Kill notices are the
 * KILL/ELIMINATE/WITHDRAWN slugs or the phrases "story withdrawn" and
 * "kill notice" in the title or at the start of the lead; wires send them
 * with the withdrawn headline quoted, which becomes the base so the kill
 * finds its story.
 */

enum act {
	A_KIND,
	A_UPDATE,
	A_REFILE,
	A_CORRECTED,
	A_REPEAT,
	A_URGENT,
	A_KILL
};

struct prefix {
	const char *word; /* upper case; longer words before their prefixes */
	enum act act;
	enum wirever_kind kind;
};

static const struct prefix prefixes[] = {
    {"UPDATE", A_UPDATE, WIREVER_NEWS},
    {"WRAPUP", A_UPDATE, WIREVER_WRAPUP},
    {"REFILE", A_REFILE, WIREVER_NEWS},
    {"CORRECTED", A_CORRECTED, WIREVER_NEWS},
    {"CORRECTION", A_CORRECTED, WIREVER_NEWS},
    {"RPT", A_REPEAT, WIREVER_NEWS},
    {"REPEAT", A_REPEAT, WIREVER_NEWS},
    {"AP EXCLUSIVE", A_KIND, WIREVER_EXCLUSIVE},
    {"EXCLUSIVE", A_KIND, WIREVER_EXCLUSIVE},
    {"FACTBOX", A_KIND, WIREVER_FACTBOX},
    {"ANALYSIS", A_KIND, WIREVER_ANALYSIS},
    {"NEWS ANALYSIS", A_KIND, WIREVER_ANALYSIS},
    {"INSIGHT", A_KIND, WIREVER_INSIGHT},
    {"COLUMN", A_KIND, WIREVER_COLUMN},
    {"EXPLAINER", A_KIND, WIREVER_EXPLAINER},
    {"AP EXPLAINS", A_KIND, WIREVER_EXPLAINER},
    {"BREAKINGVIEWS", A_KIND, WIREVER_BREAKINGVIEWS},
    {"PREVIEW", A_KIND, WIREVER_PREVIEW},
    {"TIMELINE", A_KIND, WIREVER_TIMELINE},
    {"BRIEF", A_KIND, WIREVER_BRIEF},
    {"AP FACT CHECK", A_KIND, WIREVER_FACTCHECK},
    {"FACT CHECK", A_KIND, WIREVER_FACTCHECK},
    {"URGENT", A_URGENT, WIREVER_NEWS},
    {"FLASH", A_URGENT, WIREVER_NEWS},
    {"ALERT", A_URGENT, WIREVER_NEWS},
    {"BULLETIN", A_URGENT, WIREVER_NEWS},
    {"BREAKING NEWS", A_URGENT, WIREVER_NEWS},
    {"BREAKING", A_URGENT, WIREVER_NEWS},
    {"KILL NOTICE", A_KILL, WIREVER_NEWS},
    {"KILL", A_KILL, WIREVER_NEWS},
    {"STORY WITHDRAWN", A_KILL, WIREVER_NEWS},
    {"WITHDRAWN", A_KILL, WIREVER_NEWS},
    {"ELIMINATE", A_KILL, WIREVER_NEWS},
    {"ELIMINATION", A_KILL, WIREVER_NEWS},
};

/* First words of an advisory in parentheses, and what each one means. */
struct advisory {
	const char *word; /* lower case */
	unsigned flag;
};

static const struct advisory advisories[] = {
    {"adds", WIREVER_F_ADVISORY},        {"add", WIREVER_F_ADVISORY},
    {"recasts", WIREVER_F_ADVISORY},     {"recast", WIREVER_F_ADVISORY},
    {"updates", WIREVER_F_ADVISORY},     {"changes", WIREVER_F_ADVISORY},
    {"rewrites", WIREVER_F_ADVISORY},    {"writes", WIREVER_F_ADVISORY},
    {"inserts", WIREVER_F_ADVISORY},     {"removes", WIREVER_F_ADVISORY},
    {"deletes", WIREVER_F_ADVISORY},     {"clarifies", WIREVER_F_ADVISORY},
    {"moves", WIREVER_F_ADVISORY},       {"amends", WIREVER_F_ADVISORY},
    {"replaces", WIREVER_F_ADVISORY},    {"fixes", WIREVER_F_ADVISORY},
    {"new", WIREVER_F_ADVISORY},         {"edits", WIREVER_F_ADVISORY},
    {"corrects", WIREVER_F_CORRECTED},   {"corrected", WIREVER_F_CORRECTED},
    {"correcting", WIREVER_F_CORRECTED}, {"refiles", WIREVER_F_REFILE},
    {"refiled", WIREVER_F_REFILE},       {"repeats", WIREVER_F_REPEAT},
    {"repeating", WIREVER_F_REPEAT},
};

static const char *const kind_names[] = {
    [WIREVER_NEWS] = "news",
    [WIREVER_EXCLUSIVE] = "exclusive",
    [WIREVER_FACTBOX] = "factbox",
    [WIREVER_ANALYSIS] = "analysis",
    [WIREVER_INSIGHT] = "insight",
    [WIREVER_COLUMN] = "column",
    [WIREVER_EXPLAINER] = "explainer",
    [WIREVER_BREAKINGVIEWS] = "breakingviews",
    [WIREVER_WRAPUP] = "wrapup",
    [WIREVER_PREVIEW] = "preview",
    [WIREVER_TIMELINE] = "timeline",
    [WIREVER_BRIEF] = "brief",
    [WIREVER_FACTCHECK] = "factcheck",
};

/* Longest headline we read; longer input is cut (titles are short). */
enum { TITLE_MAX = 4096, LEAD_SCAN = 600 };

const char *
wirever_kind_name(enum wirever_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "news";
	return kind_names[kind];
}

void
wirever_clear(struct wirever *w)
{
	if (!w)
		return;
	free(w->base);
	free(w->key);
	memset(w, 0, sizeof(*w));
}

static const char *
skip_spaces(const char *p)
{
	while (wd_isspace((unsigned char)*p))
		p++;
	return p;
}

/* Length of a dash-like separator at p (ASCII '-', en dash, em dash, '|'),
 * or 0. */
static size_t
dash_len(const char *p)
{
	if (*p == '-' || *p == '|')
		return 1;
	if (!strncmp(p, "\xe2\x80\x93", 3) || !strncmp(p, "\xe2\x80\x94", 3))
		return 3;
	return 0;
}

/*
 * If a known slug starts at p, apply it to w and return the text after its
 * separator; else return NULL.
 */
static const char *
strip_prefix(const char *p, struct wirever *w)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		const struct prefix *pf = &prefixes[i];
		size_t n = strlen(pf->word);

		if (wd_strncasecmp(p, pf->word, n) ||
		    wd_isalnum((unsigned char)p[n]))
			continue;
		bool upper = !strncmp(p, pf->word, n);
		bool capital = p[0] == pf->word[0];
		const char *q = p + n;
		long num = -1;

		if (pf->act == A_UPDATE) {
			const char *d = q;

			while (*d == ' ')
				d++;
			if (wd_isdigit((unsigned char)*d)) {
				num = 0;
				while (wd_isdigit((unsigned char)*d) &&
				       num < 1000)
					num = num * 10 + (*d++ - '0');
				q = d;
			}
		}
		const char *s = q;

		while (*s == ' ')
			s++;
		size_t dl = dash_len(s);

		if (dl && upper) {
			q = s + dl;
		} else if (*s == ':' && (upper || capital)) {
			q = s + 1;
		} else if (!*s && upper && pf->act == A_KILL) {
			q = s;
		} else {
			continue;
		}
		switch (pf->act) {
		case A_KIND:
			w->kind = pf->kind;
			break;
		case A_UPDATE:
			w->flags |= WIREVER_F_UPDATE;
			if (pf->kind != WIREVER_NEWS)
				w->kind = pf->kind;
			if (num < 0)
				num = 1;
			if (num > w->version)
				w->version = (int)num;
			break;
		case A_REFILE:
			w->flags |= WIREVER_F_REFILE;
			break;
		case A_CORRECTED:
			w->flags |= WIREVER_F_CORRECTED;
			break;
		case A_REPEAT:
			w->flags |= WIREVER_F_REPEAT;
			break;
		case A_URGENT:
			w->flags |= WIREVER_F_URGENT;
			break;
		case A_KILL:
			w->kill = true;
			break;
		}
		return skip_spaces(q);
	}
	return NULL;
}

/* The flag for an advisory "(Adds ...)" in s[0..n), or 0 if it is not
 * one. */
static unsigned
advisory_flag(const char *s, size_t n)
{
	size_t wl = 0;

	while (wl < n && wd_isalpha((unsigned char)s[wl]))
		wl++;
	for (size_t i = 0; i < sizeof(advisories) / sizeof(advisories[0]);
	     i++) {
		const char *a = advisories[i].word;

		if (strlen(a) == wl && !wd_strncasecmp(s, a, wl))
			return advisories[i].flag;
	}
	return 0;
}

/* Case-insensitive search for needle in s[0..n). */
static const char *
find_nocase(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++) {
		if (!wd_strncasecmp(s + i, needle, k))
			return s + i;
	}
	return NULL;
}

/* True when s[0..n) holds word as a whole upper-case word. */
static bool
has_upper_word(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);

	for (size_t i = 0; i + k <= n; i++) {
		if (memcmp(s + i, word, k))
			continue;
		if (i > 0 && wd_isalnum((unsigned char)s[i - 1]))
			continue;
		if (i + k < n && wd_isalnum((unsigned char)s[i + k]))
			continue;
		return true;
	}
	return false;
}

static bool
says_kill(const char *s, size_t n)
{
	return has_upper_word(s, n, "KILL") ||
	       has_upper_word(s, n, "ELIMINATE") ||
	       has_upper_word(s, n, "WITHDRAWN") ||
	       find_nocase(s, n, "story withdrawn") ||
	       find_nocase(s, n, "kill notice");
}

/*
 * The headline a kill notice quotes: 'headlined "X"' (straight or curly
 * quotes). Returns a malloc'd copy or NULL.
 */
static char *
quoted_headline(const char *s, size_t n)
{
	const char *h = find_nocase(s, n, "headlined");

	if (!h)
		return NULL;
	const char *end = s + n;
	const char *p = h + strlen("headlined");

	while (p < end && (wd_isspace((unsigned char)*p) || *p == ':'))
		p++;
	const char *close;
	size_t ol;

	if (p < end && *p == '"') {
		close = "\"", ol = 1;
	} else if (end - p >= 3 && !strncmp(p, "\xe2\x80\x9c", 3)) {
		close = "\xe2\x80\x9d", ol = 3;
	} else if (p < end && *p == '\'') {
		close = "'", ol = 1;
	} else if (end - p >= 3 && !strncmp(p, "\xe2\x80\x98", 3)) {
		close = "\xe2\x80\x99", ol = 3;
	} else {
		return NULL;
	}
	const char *b = p + ol;
	size_t cl = strlen(close);

	for (const char *q = b; q + cl <= end; q++) {
		if (strncmp(q, close, cl))
			continue;
		/* An apostrophe inside the headline ("Germany's") is
		 * followed by a letter; the closing quote is not. */
		if (q + cl < end && wd_isalpha((unsigned char)q[cl]))
			continue;
		return q > b ? xstrndup(b, (size_t)(q - b)) : NULL;
	}
	return NULL;
}

/* Fold s into the comparison key: case-folded, marks stripped, letters and
 * digits kept, every other run becomes one space. */
static char *
make_key(const char *s)
{
	struct buf b;
	size_t n = strlen(s);
	bool space = false;

	buf_init(&b, TITLE_MAX * 4);
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t l = wd_utf8_decode(s + i, n - i, &cp);

		if (!l) {
			i++;
			continue;
		}
		i += l;
		utf8proc_int32_t dec[16];
		int last = 0;
		utf8proc_ssize_t nd = utf8proc_decompose_char(
		    (utf8proc_int32_t)cp, dec, 16,
		    UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE |
			UTF8PROC_STRIPMARK | UTF8PROC_COMPAT,
		    &last);

		for (utf8proc_ssize_t j = 0; j < nd && j < 16; j++) {
			utf8proc_category_t c = utf8proc_category(dec[j]);
			bool word = (c >= UTF8PROC_CATEGORY_LU &&
				     c <= UTF8PROC_CATEGORY_LO) ||
				    (c >= UTF8PROC_CATEGORY_ND &&
				     c <= UTF8PROC_CATEGORY_NO);

			if (!word) {
				space = true;
				continue;
			}
			if (space && b.len)
				buf_putc(&b, ' ');
			space = false;
			wd_utf8_put(&b, (unsigned)dec[j]);
		}
	}
	return buf_take(&b);
}

/* Cut trailing "(Corrects ...)" advisories off s[0..*len); returns their
 * flags. */
static unsigned
strip_trailing_advisories(char *s, size_t *len)
{
	unsigned flags = 0;

	for (;;) {
		size_t n = *len;

		while (n && wd_isspace((unsigned char)s[n - 1]))
			n--;
		*len = n;
		if (!n || s[n - 1] != ')')
			break;
		size_t o = n - 1;

		while (o && s[o] != '(')
			o--;
		if (s[o] != '(')
			break;
		unsigned f = advisory_flag(s + o + 1, n - o - 2);

		if (!f)
			break;
		flags |= f;
		*len = o;
	}
	return flags;
}

/* Parse a bare headline (no lead) into w; returns conventions found. */
static int
parse_title(const char *title, struct wirever *w)
{
	int found = 0;
	const char *p = skip_spaces(title);

	for (;;) {
		const char *q = strip_prefix(p, w);

		if (!q)
			break;
		found++;
		p = q;
	}
	size_t len = strnlen(p, TITLE_MAX);
	char *s = xstrndup(p, len);
	unsigned f = strip_trailing_advisories(s, &len);

	if (f) {
		w->flags |= f | WIREVER_F_ADVISORY;
		found++;
	}
	s[len] = '\0';
	free(w->base);
	w->base = s;
	return found;
}

/* Skip the "(Adds ...)" lines that open a lead; returns flags found. */
static unsigned
skip_lead_advisories(const char *lead, size_t *skip)
{
	unsigned flags = 0;
	const char *p = skip_spaces(lead);
	const char *done = lead;

	while (*p == '(') {
		const char *c = memchr(p, ')', strnlen(p, LEAD_SCAN));

		if (!c)
			break;
		unsigned f = advisory_flag(p + 1, (size_t)(c - p - 1));

		if (!f)
			break;
		flags |= f | WIREVER_F_ADVISORY;
		p = skip_spaces(c + 1);
		done = p;
	}
	*skip = (size_t)(done - lead);
	return flags;
}

/* True when a kill notice's own title carries no headline. */
static bool
is_boilerplate(const char *s)
{
	return !*s || find_nocase(s, strlen(s), "headlined") ||
	       !wd_strcasecmp(s, "story withdrawn") ||
	       !wd_strcasecmp(s, "kill notice") ||
	       !wd_strcasecmp(s, "withdrawn") || !wd_strcasecmp(s, "kill");
}

int
wirever_parse(const char *title, const char *lead, struct wirever *out)
{
	struct wirever w = {0};

	if (!title)
		title = "";
	int found = parse_title(title, &w);

	if (lead) {
		unsigned f = skip_lead_advisories(lead, &w.lead_skip);

		if (f) {
			w.flags |= f;
			found++;
		}
	}
	size_t tn = strlen(title);
	size_t ln = lead ? strnlen(lead, LEAD_SCAN) : 0;

	if (!w.kill &&
	    (says_kill(title, tn) || (lead && says_kill(lead, ln)))) {
		w.kill = true;
		found++;
	}
	if (w.kill && is_boilerplate(w.base)) {
		char *h = quoted_headline(title, tn);

		if (!h && lead)
			h = quoted_headline(lead, ln);
		if (h) {
			struct wirever k = {0};

			parse_title(h, &k);
			free(w.base);
			w.base = k.base;
			w.version = k.version;
			w.kind = k.kind;
			w.flags |= k.flags;
			free(h);
		}
	}
	w.key = make_key(w.base);
	*out = w;
	return found;
}
