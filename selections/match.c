/* SPDX-License-Identifier: MIT */
/* selections/match.c: folding, the phrase dictionary and PCRE2 regexes
 * (selections stage). */
#include "selections/match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include "core/text.h"
#include "core/xalloc.h"

/*
 * Folding. The folded form of a text is its words, lower-cased (Unicode case
 * folding, so "STRASSE" and "Straße" agree), with accents removed (NFKD, then
 * marks dropped: "Café" and "cafe" agree), separated by single spaces and
 * framed by one space on each side. A phrase matches as whole words exactly
 * when " phrase " occurs in " text ", so one memcmp per candidate position
 * does the job, and an apostrophe or hyphen splits words the same way in
 * the phrase and in the text ("Gazette's" holds the word "gazette").
 * ASCII takes a fast path; only other characters go through utf8proc.
 */

static const struct {
	const char *name;
	unsigned cp;
} entities[] = {
	{"amp", '&'},      {"lt", '<'},       {"gt", '>'},
	{"quot", '"'},     {"apos", '\''},    {"nbsp", 0xa0},
	{"aacute", 0xe1},  {"agrave", 0xe0},  {"acirc", 0xe2},
	{"auml", 0xe4},    {"atilde", 0xe3},  {"ccedil", 0xe7},
	{"eacute", 0xe9},  {"egrave", 0xe8},  {"ecirc", 0xea},
	{"euml", 0xeb},    {"iacute", 0xed},  {"iuml", 0xef},
	{"ntilde", 0xf1},  {"oacute", 0xf3},  {"ocirc", 0xf4},
	{"ouml", 0xf6},    {"uacute", 0xfa},  {"uuml", 0xfc},
	{"szlig", 0xdf},   {"Eacute", 0xc9},  {"rsquo", 0x2019},
	{"lsquo", 0x2018}, {"ldquo", 0x201c}, {"rdquo", 0x201d},
	{"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026},
};

/* Decode the entity at s[0..n) (s[0] == '&'); returns the bytes used or 0
 * when it is not one we know. */
static size_t
decode_entity(const char *s, size_t n, unsigned *cp)
{
	size_t end = 1;

	while (end < n && end < 12 && s[end] != ';')
		end++;
	if (end >= n || s[end] != ';' || end < 2)
		return 0;
	if (s[1] == '#') {
		unsigned v = 0;
		size_t i = 2;
		bool hex = i < end && (s[i] == 'x' || s[i] == 'X');

		if (hex)
			i++;
		if (i == end)
			return 0;
		for (; i < end; i++) {
			int c = (unsigned char)s[i];
			int d;

			if (wd_isdigit(c))
				d = c - '0';
			else if (hex && wd_tolower(c) >= 'a' &&
				 wd_tolower(c) <= 'f')
				d = wd_tolower(c) - 'a' + 10;
			else
				return 0;
			v = v * (hex ? 16 : 10) + (unsigned)d;
			if (v > 0x10ffff)
				return 0;
		}
		*cp = v;
		return end + 1;
	}
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		size_t len = strlen(entities[i].name);

		if (len == end - 1 && !memcmp(s + 1, entities[i].name, len)) {
			*cp = entities[i].cp;
			return end + 1;
		}
	}
	return 0;
}

static bool
is_word_category(utf8proc_category_t c)
{
	switch (c) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return true;
	default:
		return false;
	}
}

/* Append the folded form of one code point; *sep says a space is owed. */
static void
fold_cp(struct buf *out, unsigned cp, bool *sep, size_t start)
{
	utf8proc_int32_t dst[16];
	int last = 0;
	utf8proc_ssize_t k = utf8proc_decompose_char(
		(utf8proc_int32_t)cp, dst, 16,
		UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
			UTF8PROC_STRIPMARK | UTF8PROC_IGNORE,
		&last);

	if (k < 0 || k > 16) {
		*sep = true;
		return;
	}
	for (utf8proc_ssize_t i = 0; i < k; i++) {
		if (!is_word_category(utf8proc_category(dst[i]))) {
			*sep = true;
			continue;
		}
		if (*sep && out->len > start + 1)
			buf_putc(out, ' ');
		*sep = false;
		if (dst[i] < 0x80)
			buf_putc(out, (char)wd_tolower((int)dst[i]));
		else
			wd_utf8_put(out, (unsigned)dst[i]);
	}
}

void
match_fold(struct buf *out, const char *s, size_t n, bool html)
{
	bool sep = false;
	size_t start = out->len;

	buf_putc(out, ' ');
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			if (html && c == '<') {
				const char *gt = memchr(s + i, '>', n - i);

				i = gt ? (size_t)(gt - s) + 1 : n;
				sep = true;
				continue;
			}
			if (html && c == '&') {
				unsigned cp;
				size_t used = decode_entity(s + i, n - i, &cp);

				if (used) {
					fold_cp(out, cp, &sep, start);
					i += used;
					continue;
				}
			}
			if (wd_isalnum(c)) {
				if (sep && out->len > start + 1)
					buf_putc(out, ' ');
				sep = false;
				buf_putc(out, (char)wd_tolower(c));
			} else {
				sep = true;
			}
			i++;
			continue;
		}
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (!len) {
			sep = true;
			i++;
			continue;
		}
		fold_cp(out, cp, &sep, start);
		i += len;
	}
	if (out->len > start + 1)
		buf_putc(out, ' ');
}

/*
 * The dictionary: every phrase, folded, and a hash table on its first word,
 * chained through the phrases. Scanning hashes each word of the text once
 * and compares only the phrases whose first word lands in that bucket, so
 * the cost grows with the text, not with the number of phrases.
 */
struct phrase {
	char *folded; /* "south china sea " (no leading space) */
	size_t len;
	uint32_t next; /* next phrase in the bucket, +1; 0 ends */
};

struct match_dict {
	struct phrase *ph;
	size_t n, cap;
	uint32_t *bucket; /* first phrase, +1; 0 is empty */
	size_t mask;
};

static uint64_t
hash_word(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t
word_len(const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);

	return sp ? (size_t)(sp - s) : n;
}

struct match_dict *
match_dict_new(void)
{
	struct match_dict *d = xcalloc(1, sizeof(*d));

	d->mask = 15;
	d->bucket = xcalloc(d->mask + 1, sizeof(*d->bucket));
	return d;
}

static void
dict_link(struct match_dict *d, size_t id)
{
	struct phrase *p = &d->ph[id];
	size_t b = hash_word(p->folded, word_len(p->folded, p->len)) & d->mask;

	p->next = d->bucket[b];
	d->bucket[b] = (uint32_t)id + 1;
}

int
match_dict_add(struct match_dict *d, const char *phrase)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	match_fold(&b, phrase, strlen(phrase), false);
	if (b.len < 3 || buf_failed(&b) || d->n >= UINT32_MAX - 1) {
		buf_free(&b);
		return WD_EINVAL;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->ph = xreallocarray(d->ph, d->cap, sizeof(*d->ph));
	}
	struct phrase *p = &d->ph[d->n];

	p->len = b.len - 1;
	p->folded = xstrndup(b.data + 1, p->len);
	buf_free(&b);
	d->n++;
	if (d->n > (d->mask + 1) / 2) {
		free(d->bucket);
		d->mask = 2 * d->mask + 1;
		d->bucket = xcalloc(d->mask + 1, sizeof(*d->bucket));
		for (size_t i = 0; i < d->n; i++)
			dict_link(d, i);
	} else {
		dict_link(d, d->n - 1);
	}
	return (int)(d->n - 1);
}

void
match_dict_scan(const struct match_dict *d, const char *folded, size_t len,
		uint8_t *hits, uint8_t bit)
{
	if (!d->n)
		return;
	/* Each word starts after a space; the text ends with a space. */
	for (size_t i = 1; i < len;) {
		size_t wl = word_len(folded + i, len - i);
		size_t b = hash_word(folded + i, wl) & d->mask;

		for (uint32_t k = d->bucket[b]; k; k = d->ph[k - 1].next) {
			const struct phrase *p = &d->ph[k - 1];

			if (p->len <= len - i &&
			    !memcmp(folded + i, p->folded, p->len))
				hits[k - 1] |= bit;
		}
		i += wl + 1;
	}
}

void
match_dict_free(struct match_dict *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->ph[i].folded);
	free(d->ph);
	free(d->bucket);
	free(d);
}

struct match_re {
	pcre2_code *code;
	pcre2_match_data *md; /* scratch, reused by every match */
};

struct match_re *
match_re_new(const char *pattern, bool case_sensitive, char *err,
	     size_t errlen, size_t *erroff)
{
	int code;
	PCRE2_SIZE off;
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;

	if (!case_sensitive)
		opts |= PCRE2_CASELESS;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern,
				       PCRE2_ZERO_TERMINATED, opts, &code,
				       &off, NULL);

	if (!re) {
		PCRE2_UCHAR msg[256];

		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code);
		snprintf(err, errlen, "%s", (const char *)msg);
		*erroff = off;
		return NULL;
	}
	/* Without JIT (some architectures) matching still works, slower. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);

	struct match_re *m = xcalloc(1, sizeof(*m));

	m->code = re;
	m->md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!m->md)
		abort();
	return m;
}

bool
match_re_find(const struct match_re *re, const char *s, size_t n)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, re->md, NULL);

	return rc >= 0;
}

void
match_re_free(struct match_re *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}
