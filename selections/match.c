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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
    {"apos", '\''},     {"nbsp", 0xa0},    {"aacute", 0xe1},  {"agrave", 0xe0},
    {"acirc", 0xe2},    {"auml", 0xe4},    {"atilde", 0xe3},  {"ccedil", 0xe7},
    {"eacute", 0xe9},   {"egrave", 0xe8},  {"ecirc", 0xea},   {"euml", 0xeb},
    {"iacute", 0xed},   {"iuml", 0xef},    {"ntilde", 0xf1},  {"oacute", 0xf3},
    {"ocirc", 0xf4},    {"ouml", 0xf6},    {"uacute", 0xfa},  {"uuml", 0xfc},
    {"szlig", 0xdf},    {"Eacute", 0xc9},  {"rsquo", 0x2019}, {"lsquo", 0x2018},
    {"ldquo", 0x201c},  {"rdquo", 0x201d}, {"ndash", 0x2013}, {"mdash", 0x2014},
    {"hellip", 0x2026},
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

/* Folded output goes through a small array, flushed to the buffer in
 * chunks: folding touches every byte of every story, so a call per byte
 * would dominate selection time. */
struct fold_out {
	struct buf *b;
	size_t n;
	bool word; /* a word was written */
	bool sep;  /* a space is owed before the next word character */
	char tmp[4096];
};

static void
flush(struct fold_out *w)
{
	buf_append(w->b, w->tmp, w->n);
	w->n = 0;
}

static inline void
put_word_byte(struct fold_out *w, char c)
{
	if (w->n + 2 > sizeof(w->tmp))
		flush(w);
	if (w->sep && w->word)
		w->tmp[w->n++] = ' ';
	w->sep = false;
	w->word = true;
	w->tmp[w->n++] = c;
}

/* ASCII letters and digits lower-cased; 0 for everything else. */
static const char ascii_fold[128] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
    ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
    ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
    ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
    ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
    ['Z'] = 'z', ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd',
    ['e'] = 'e', ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i',
    ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n',
    ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's',
    ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x',
    ['y'] = 'y', ['z'] = 'z',
};

/* Append the folded form of one code point. */
static void
fold_cp(struct fold_out *w, unsigned cp)
{
	utf8proc_int32_t dst[16];
	int last = 0;

	if (cp < 0x80) {
		if (ascii_fold[cp])
			put_word_byte(w, ascii_fold[cp]);
		else
			w->sep = true;
		return;
	}
	utf8proc_ssize_t k = utf8proc_decompose_char(
	    (utf8proc_int32_t)cp, dst, 16,
	    UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
		UTF8PROC_STRIPMARK | UTF8PROC_IGNORE,
	    &last);

	if (k < 0 || k > 16) {
		w->sep = true;
		return;
	}
	for (utf8proc_ssize_t i = 0; i < k; i++) {
		if (!is_word_category(utf8proc_category(dst[i]))) {
			w->sep = true;
			continue;
		}
		if (dst[i] < 0x80) {
			put_word_byte(w, ascii_fold[dst[i]] ? ascii_fold[dst[i]]
							    : (char)dst[i]);
			continue;
		}
		unsigned char enc[4];
		utf8proc_ssize_t len = utf8proc_encode_char(dst[i], enc);

		for (utf8proc_ssize_t j = 0; j < len; j++) {
			put_word_byte(w, (char)enc[j]);
			w->sep = false;
		}
	}
}

void
match_fold(struct buf *out, const char *s, size_t n, bool html)
{
	struct fold_out w = {.b = out};

	w.tmp[w.n++] = ' ';
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			if (ascii_fold[c]) {
				put_word_byte(&w, ascii_fold[c]);
				/* the rest of an ASCII word, without checks */
				for (i++; i < n && w.n < sizeof(w.tmp) - 2;
				     i++) {
					unsigned char d = (unsigned char)s[i];

					if (d >= 0x80 || !ascii_fold[d])
						break;
					w.tmp[w.n++] = ascii_fold[d];
				}
				continue;
			}
			if (html && c == '<') {
				const char *gt = memchr(s + i, '>', n - i);

				i = gt ? (size_t)(gt - s) + 1 : n;
				w.sep = true;
				continue;
			}
			if (html && c == '&') {
				unsigned cp;
				size_t used = decode_entity(s + i, n - i, &cp);

				if (used) {
					fold_cp(&w, cp);
					i += used;
					continue;
				}
			}
			w.sep = true;
			i++;
			continue;
		}
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (!len) {
			w.sep = true;
			i++;
			continue;
		}
		fold_cp(&w, cp);
		i += len;
	}
	if (w.n == sizeof(w.tmp))
		flush(&w);
	if (w.word)
		w.tmp[w.n++] = ' ';
	flush(&w);
}

/*
 * The dictionary: every phrase, folded and cut into words, in a hash table
 * keyed on its last word. Scanning folds the text and finds its words in
 * one pass (selection reads every byte of every story, so this loop is the
 * cost of selection). Most words of a text are in no phrase: a filter on a
 * word's length and first eight folded bytes turns them away before any
 * hashing (the fast path measures words from a bitmap, without a branch).
 * A word that passes is compared in full with the last words of its filter
 * key, and the phrase's earlier words are compared by hash and length with
 * the last few words seen, hashed only then. Equal phrases share an id, so
 * each is looked for once. The cost grows with the text, not with the
 * number of phrases.
 */
enum { MAX_WORD = 64, MAX_PHRASE_WORDS = 8, RUN_MAX = 4096 };

struct phrase {
	size_t nwords;
	uint64_t wh[MAX_PHRASE_WORDS]; /* hash of each word */
	size_t wl[MAX_PHRASE_WORDS];   /* length of each word */
};

/* A distinct last word and the phrases that end with it. */
struct dword {
	char *text; /* folded */
	size_t len;
	uint64_t h;
	uint32_t next;  /* next word in the bucket, +1; 0 ends */
	uint32_t knext; /* the same in the table by filter_key */
	uint32_t *ids;  /* phrases ending with this word */
	size_t nids;
};

struct match_dict {
	struct phrase *ph;
	size_t n, cap;
	struct dword *w;
	size_t nw, wcap;
	uint32_t *bucket;  /* first word, +1; 0 is empty */
	uint32_t *kbucket; /* the same by filter_key instead of hash */
	size_t mask;
	/* bit filter_key(w, len) set for each last word w */
	uint64_t filter[(1 << 16) / 64];
};

static const uint64_t ones = 0x0101010101010101ULL;

static inline uint64_t
load64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The first n (1..8) bytes of v as loaded by load64. */
static inline uint64_t
low_bytes(uint64_t v, size_t n)
{
	return n >= 8 ? v : v & ~(~0ULL << (8 * n));
}

/* Lengths from here up are one class for the filter (a fast run measures
 * words from a 64-bit window of its bitmap). */
enum { LEN_CLASS_MAX = 63 };

/* The filter's key of a folded word w of length len (1..MAX_WORD, or
 * LEN_CLASS_MAX and more when it is that long) that may be followed by
 * anything: its first eight bytes and its length class, hashed to 16 bits.
 * Wire copy is full of words that share a few first letters with a word
 * looked for ("bana", "bangkok"); with the length and eight letters, hardly
 * any word passes that is not one. */
static inline size_t
filter_key(const char *w, size_t len)
{
	size_t lc = len < LEN_CLASS_MAX ? len : LEN_CLASS_MAX;
	size_t l8 = len < 8 ? len : 8;
	/* no branch on the length, which is as good as random */
	uint64_t v = load64(w) & ~0ULL >> (64 - 8 * l8);

	return (size_t)(((v + lc * 0x9e3779b97f4a7c15ULL) *
			 0xff51afd7ed558ccdULL) >>
			48);
}

static inline bool
filter_has(const struct match_dict *d, const char *w, size_t len)
{
	size_t k = filter_key(w, len);

	return (d->filter[k / 64] >> (k % 64)) & 1;
}

/* Words are short: eight bytes at a time, each mixed with a multiply.
 * Blocks past the end of a word are zero, whether the word was copied
 * short or loaded whole and masked. */
static inline uint64_t
mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

static uint64_t
hash_word(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

	while (n) {
		uint64_t v = 0;
		size_t k = n < 8 ? n : 8;

		memcpy(&v, s, k);
		h = mix(h, v);
		s += k;
		n -= k;
	}
	return h;
}

struct match_dict *
match_dict_new(void)
{
	struct match_dict *d = xcalloc(1, sizeof(*d));

	d->mask = 63;
	d->bucket = xcalloc(d->mask + 1, sizeof(*d->bucket));
	d->kbucket = xcalloc(d->mask + 1, sizeof(*d->kbucket));
	return d;
}

static void
dict_link(struct match_dict *d, size_t i)
{
	size_t b = d->w[i].h & d->mask;

	d->w[i].next = d->bucket[b];
	d->bucket[b] = (uint32_t)i + 1;
	b = filter_key(d->w[i].text, d->w[i].len) & d->mask;
	d->w[i].knext = d->kbucket[b];
	d->kbucket[b] = (uint32_t)i + 1;
}

static const struct dword *
find_word(const struct match_dict *d, const char *s, size_t len, uint64_t h)
{
	for (uint32_t k = d->bucket[h & d->mask]; k; k = d->w[k - 1].next) {
		const struct dword *w = &d->w[k - 1];

		if (w->h == h && w->len == len && !memcmp(w->text, s, len))
			return w;
	}
	return NULL;
}

/* The entry of the last word of a new phrase, added if new. */
static struct dword *
last_word(struct match_dict *d, const char *s, size_t len, uint64_t h)
{
	struct dword *w = (struct dword *)find_word(d, s, len, h);

	if (w)
		return w;
	if (d->nw == d->wcap) {
		d->wcap = d->wcap ? 2 * d->wcap : 16;
		d->w = xreallocarray(d->w, d->wcap, sizeof(*d->w));
	}
	w = &d->w[d->nw++];
	memset(w, 0, sizeof(*w));
	/* zero-padded to whole 8-byte blocks for same_word */
	w->text = xcalloc(len / 8 + 2, 8);
	memcpy(w->text, s, len);
	w->len = len;
	w->h = h;
	size_t key = filter_key(w->text, len);

	d->filter[key / 64] |= 1ULL << (key % 64);
	if (d->nw > (d->mask + 1) / 4) {
		free(d->bucket);
		free(d->kbucket);
		d->mask = 2 * d->mask + 1;
		d->bucket = xcalloc(d->mask + 1, sizeof(*d->bucket));
		d->kbucket = xcalloc(d->mask + 1, sizeof(*d->kbucket));
		for (size_t i = 0; i < d->nw; i++)
			dict_link(d, i);
	} else {
		dict_link(d, d->nw - 1);
	}
	return w;
}

int
match_dict_add(struct match_dict *d, const char *phrase)
{
	struct buf b;
	struct phrase p = {0};

	buf_init(&b, 64 * 1024);
	match_fold(&b, phrase, strlen(phrase), false);
	if (b.len < 3 || buf_failed(&b) || d->n >= UINT32_MAX - 1) {
		buf_free(&b);
		return WD_EINVAL;
	}
	/* " w1 w2 w3 " */
	for (size_t i = 1; i < b.len;) {
		const char *w = b.data + i;
		size_t len =
		    (size_t)((const char *)memchr(w, ' ', b.len - i) - w);

		if (p.nwords == MAX_PHRASE_WORDS || len > MAX_WORD) {
			buf_free(&b);
			return WD_ETOOBIG;
		}
		p.wh[p.nwords] = hash_word(w, len);
		p.wl[p.nwords++] = len;
		i += len + 1;
	}
	size_t ll = p.wl[p.nwords - 1];
	struct dword *w =
	    last_word(d, b.data + b.len - 1 - ll, ll, p.wh[p.nwords - 1]);

	buf_free(&b);
	/* An equal phrase (to the hash, as the scan compares them) keeps
	 * its id, so the scan looks for it once. */
	for (size_t i = 0; i < w->nids; i++) {
		const struct phrase *q = &d->ph[w->ids[i]];

		if (q->nwords == p.nwords &&
		    !memcmp(q->wh, p.wh, p.nwords * sizeof(p.wh[0])) &&
		    !memcmp(q->wl, p.wl, p.nwords * sizeof(p.wl[0])))
			return (int)w->ids[i];
	}
	w->ids = xreallocarray(w->ids, w->nids + 1, sizeof(*w->ids));
	w->ids[w->nids++] = (uint32_t)d->n;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->ph = xreallocarray(d->ph, d->cap, sizeof(*d->ph));
	}
	d->ph[d->n++] = p;
	return (int)(d->n - 1);
}

/*
 * The scan's state. The words before the current fast run are kept in a
 * ring; those of the run are where the run found them. A word is hashed
 * only when a phrase needs it, since most never are.
 */
struct scan {
	const struct match_dict *d;
	struct match_hits *h;
	uint8_t bit;
	size_t wl;                        /* length of the current word */
	size_t nw;                        /* words seen, the current one too */
	uint64_t rh[MAX_PHRASE_WORDS];    /* ring of the last words' hashes */
	const char *rp[MAX_PHRASE_WORDS]; /* or their ASCII text, unhashed */
	size_t rl[MAX_PHRASE_WORDS];      /* and lengths (with rp: 0 until
					     measured) */
	char word[MAX_WORD + 8];          /* the current word, zero-padded */
	/* The fast run: its folded copy, with zeros past its end; one bit
	 * per byte of it that is part of a word; where each word starts;
	 * the current word; the words seen before the run. */
	bool in_run;
	size_t rk, rnw0;
	char run[RUN_MAX + 72];
	uint64_t bits[RUN_MAX / 64 + 2];
	uint16_t ws[RUN_MAX / 2 + 16];
	uint16_t pass[RUN_MAX / 2 + 16]; /* indexes in ws */
};

/* a (zero-padded to 8 bytes) equals b[0..n); n <= MAX_WORD. Inline blocks
 * instead of memcmp: the words are short and this runs on every hit. */
static inline bool
same_word(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		if (load64(a + i) != low_bytes(load64(b + i), n - i))
			return false;
	}
	return true;
}

/* hash_word of a folded word w[0..wl) that may be followed by anything
 * up to the next multiple of 8 bytes; 0 past MAX_WORD (no phrase word is
 * that long). */
static inline uint64_t
hash_folded(const char *w, size_t wl)
{
	if (wl > MAX_WORD)
		return 0;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ wl;

	for (size_t i = 0; i < wl; i += 8) {
		uint64_t v = low_bytes(load64(w + i), wl - i);

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap64(v);
#endif
		h = mix(h, v);
	}
	return h;
}

/* The same for an ASCII word as it stands in the text: its letters and
 * digits fold to themselves with bit 0x20 set. */
static uint64_t
hash_ascii(const char *s, size_t wl)
{
	char w[MAX_WORD + 8] = {0};

	if (wl > MAX_WORD)
		return 0;
	for (size_t i = 0; i < wl; i++)
		w[i] = (char)(s[i] | 0x20);
	return hash_word(w, wl);
}

/* Length of the word that starts at a in the fast run. */
static inline size_t
run_word_len(const struct scan *x, size_t a)
{
	size_t b = a / 64;
	uint64_t w = ~x->bits[b] & (~0ULL << (a % 64));

	while (!w)
		w = ~x->bits[++b]; /* the bits end with a zero word */
	return b * 64 + (size_t)__builtin_ctzll(w) - a;
}

/* The same up to LEN_CLASS_MAX, from one 64-bit window of the bitmap
 * that starts at a, without a branch. */
static inline size_t
run_len_class(const struct scan *x, size_t a)
{
	size_t b = a / 64, o = a % 64;
	uint64_t t = x->bits[b] >> o | (x->bits[b + 1] << 1) << (63 - o);

	return (size_t)__builtin_ctzll(~t | 1ULL << LEN_CLASS_MAX);
}

/* The word j places before the current one has length len and hash h
 * (j < nw). */
static bool
prev_is(struct scan *x, size_t j, size_t len, uint64_t h)
{
	if (x->in_run && j <= x->rk) {
		size_t a = x->ws[x->rk - j];

		return run_word_len(x, a) == len &&
		       hash_folded(x->run + a, len) == h;
	}
	size_t r = (x->nw - 1 - j) % MAX_PHRASE_WORDS;

	if (x->rp[r] && !x->rl[r]) {
		while (wd_isalnum((unsigned char)x->rp[r][x->rl[r]]))
			x->rl[r]++;
	}
	if (x->rl[r] != len)
		return false;
	if (x->rp[r]) {
		x->rh[r] = hash_ascii(x->rp[r], x->rl[r]);
		x->rp[r] = NULL;
	}
	return x->rh[r] == h;
}

/* The current word is dw: mark the phrases it ends. */
static void
phrases_end(struct scan *x, const struct dword *dw)
{
	for (size_t i = 0; i < dw->nids; i++) {
		const struct phrase *p = &x->d->ph[dw->ids[i]];
		size_t last = p->nwords - 1;
		bool ok = p->nwords <= x->nw;

		for (size_t j = 1; j < p->nwords && ok; j++)
			ok = prev_is(x, j, p->wl[last - j], p->wh[last - j]);
		if (!ok)
			continue;
		uint32_t id = dw->ids[i];

		if (!x->h->hits[id] && x->h->found)
			x->h->found[x->h->nfound++] = id;
		x->h->hits[id] |= x->bit;
	}
}

static void
word_lookup(struct scan *x, const char *w, size_t wl, uint64_t h)
{
	for (uint32_t k = x->d->bucket[h & x->d->mask]; k;
	     k = x->d->w[k - 1].next) {
		const struct dword *c = &x->d->w[k - 1];

		if (c->h == h && c->len == wl && same_word(c->text, w, wl)) {
			phrases_end(x, c);
			return;
		}
	}
}

/* The slow path's word ended. */
static inline void
word_end(struct scan *x)
{
	size_t wl = x->wl;

	if (!wl)
		return;
	size_t slot = x->nw++ % MAX_PHRASE_WORDS;
	uint64_t h = hash_folded(x->word, wl);

	x->rh[slot] = h;
	x->rp[slot] = NULL;
	x->rl[slot] = wl;
	if (wl <= MAX_WORD && filter_has(x->d, x->word, wl))
		word_lookup(x, x->word, wl, h);
	memset(x->word, 0, wl < MAX_WORD ? wl : MAX_WORD);
	x->wl = 0;
}

static inline void
word_byte(struct scan *x, char c)
{
	if (x->wl < MAX_WORD)
		x->word[x->wl] = c;
	x->wl++;
}

static void
scan_cp(struct scan *x, unsigned cp)
{
	utf8proc_int32_t dst[16];
	int last = 0;

	if (cp < 0x80) {
		if (ascii_fold[cp])
			word_byte(x, ascii_fold[cp]);
		else
			word_end(x);
		return;
	}
	utf8proc_ssize_t k = utf8proc_decompose_char(
	    (utf8proc_int32_t)cp, dst, 16,
	    UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
		UTF8PROC_STRIPMARK | UTF8PROC_IGNORE,
	    &last);

	if (k < 0 || k > 16) {
		word_end(x);
		return;
	}
	for (utf8proc_ssize_t i = 0; i < k; i++) {
		if (!is_word_category(utf8proc_category(dst[i]))) {
			word_end(x);
		} else if (dst[i] < 0x80) {
			word_byte(x, ascii_fold[dst[i]] ? ascii_fold[dst[i]]
							: (char)dst[i]);
		} else {
			unsigned char enc[4];
			utf8proc_ssize_t len =
			    utf8proc_encode_char(dst[i], enc);

			for (utf8proc_ssize_t j = 0; j < len; j++)
				word_byte(x, (char)enc[j]);
		}
	}
}

/* ASCII letter or digit, lower-cased; 0 for anything else. */
static inline char
fold_byte(unsigned char c)
{
	unsigned char lo = c | 0x20; /* digits have that bit already */
	unsigned char alpha = (unsigned char)(lo - 'a') < 26;
	unsigned char digit = (unsigned char)(c - '0') < 10;

	return (char)(lo & -(alpha | digit));
}

/* Bytes the fast path does not fold: not ASCII, or in HTML the start of a
 * tag or an entity. */
static inline unsigned char
is_special(unsigned char c, bool html)
{
	return (unsigned char)((c >= 0x80) |
			       (html & ((c == '<') | (c == '&'))));
}

static inline size_t
count_bits(uint64_t m)
{
	m -= (m >> 1) & 0x5555555555555555ULL;
	m = (m & 0x3333333333333333ULL) + ((m >> 2) & 0x3333333333333333ULL);
	m = (m + (m >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (size_t)((m * ones) >> 56);
}

/* Write base + the position of each bit of m to out, in order; returns
 * how many. The first twelve go without a branch per bit (the slots past
 * the count get junk), so out needs room for twelve past the count: 64
 * bytes of wire copy hold about nine words. */
static inline size_t
bit_positions(uint16_t *out, uint64_t m, size_t base)
{
	size_t cnt = count_bits(m);

	for (size_t j = 0; j < 12; j++) {
		out[j] = (uint16_t)(base +
				    (size_t)__builtin_ctzll(m | (1ULL << 63)));
		m &= m - 1;
	}
	for (size_t j = 12; m; j++) {
		out[j] = (uint16_t)(base + (size_t)__builtin_ctzll(m));
		m &= m - 1;
	}
	return cnt;
}

#if defined(__SSE2__)
/* SSE2 is part of every x86-64: the sixteen bytes at s folded into *out,
 * with the unsigned range tests of fold_byte as signed compares; returns a
 * bit per byte that is_special. */
static inline unsigned
fold16(const char *s, bool html, __m128i *out)
{
	const __m128i x20 = _mm_set1_epi8(0x20);
	const __m128i to_a = _mm_set1_epi8((char)(0x80 - 'a'));
	const __m128i to_0 = _mm_set1_epi8((char)(0x80 - '0'));
	const __m128i below26 = _mm_set1_epi8(-128 + 26);
	const __m128i below10 = _mm_set1_epi8(-128 + 10);
	const __m128i lt = _mm_set1_epi8('<');
	const __m128i amp = _mm_set1_epi8('&');
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i lo = _mm_or_si128(v, x20);
	__m128i word =
	    _mm_or_si128(_mm_cmplt_epi8(_mm_add_epi8(lo, to_a), below26),
			 _mm_cmplt_epi8(_mm_add_epi8(v, to_0), below10));
	__m128i bad = _mm_cmplt_epi8(v, _mm_setzero_si128());

	if (html)
		bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpeq_epi8(v, lt),
						     _mm_cmpeq_epi8(v, amp)));
	*out = _mm_and_si128(lo, word);
	return (unsigned)_mm_movemask_epi8(bad);
}
#endif

/* Fold s[n..avail) into f up to the first byte is_special; returns where
 * it stopped. f[0..n) was written before (the fast run's start). */
static inline size_t
fold_plain(char *f, const char *s, size_t n, size_t avail, bool html)
{
#if defined(__SSE2__)
	for (; n + 16 <= avail; n += 16) {
		__m128i v;
		unsigned bad = fold16(s + n, html, &v);

		_mm_storeu_si128((__m128i *)(void *)(f + n), v);
		if (bad)
			return n + (size_t)__builtin_ctz(bad);
	}
	/* The last bytes as one block that ends at avail and overlaps the
	 * bytes before n, which keep what they hold (a tag there was
	 * cleared): byte by byte, short texts such as titles would spend
	 * a good part of their folding here. */
	if (n < avail && avail >= 16) {
		static const signed char keep[32] = {
		    -1, -1, -1, -1, -1, -1, -1, -1,
		    -1, -1, -1, -1, -1, -1, -1, -1,
		};
		size_t q = avail - 16, d = n - q; /* 1..15 */
		__m128i v;
		unsigned bad = fold16(s + q, html, &v) & (~0u << d);
		__m128i k = _mm_loadu_si128(
		    (const __m128i *)(const void *)(keep + 16 - d));
		__m128i old =
		    _mm_loadu_si128((const __m128i *)(const void *)(f + q));

		_mm_storeu_si128((__m128i *)(void *)(f + q),
				 _mm_or_si128(_mm_and_si128(k, old),
					      _mm_andnot_si128(k, v)));
		return bad ? q + (size_t)__builtin_ctz(bad) : avail;
	}
#else
	/* Blocks of a fixed 16 bytes: at -O2 GCC vectorizes only loops
	 * whose count it knows. */
	for (; n + 16 <= avail; n += 16) {
		unsigned char bad = 0;

		for (size_t j = 0; j < 16; j++) {
			unsigned char c = (unsigned char)s[n + j];

			f[n + j] = fold_byte(c);
			bad |= is_special(c, html);
		}
		if (bad)
			break;
	}
#endif
	for (; n < avail && !is_special((unsigned char)s[n], html); n++)
		f[n] = fold_byte((unsigned char)s[n]);
	return n;
}

/*
 * The fast path, for a run of plain ASCII (most wire copy) from s[0..avail)
 * that ends where a word ends (rest: bytes from s to the end of the text).
 * In HTML, tags in the run are skipped there, as separators.
 * Returns the length taken, 0 when there is none. Passes that each branch
 * little: fold into x->run with arithmetic the compiler turns into vector
 * code, stopping at the first byte for the slow path; one bit per byte
 * that is part of a word, eight bytes at a time; where every word starts,
 * from those bits; then one test per word against the filter. A loop over
 * bytes spends its time mispredicting word ends, which come every few
 * bytes.
 */
static size_t
fast_run(struct scan *x, const char *s, size_t avail, size_t rest, bool html)
{
	char *f = x->run;
	uint64_t *bits = x->bits;
	size_t n = 0;

	for (;;) {
		n = html ? fold_plain(f, s, n, avail, true)
			 : fold_plain(f, s, n, avail, false);
		if (n == avail || s[n] != '<')
			break;
		/* A tag whose end is in the run separates words like a
		 * space; others are the slow path's. */
		const char *gt = memchr(s + n, '>', avail - n);

		if (!gt)
			break;
		memset(f + n, 0, (size_t)(gt - s) + 1 - n);
		n = (size_t)(gt - s) + 1;
	}
	/* A word cut by the run's end goes on in the slow path, so leave it
	 * there from the start. */
	while (n && n < rest && f[n - 1])
		n--;
	if (!n)
		return 0;
	memset(f + n, 0, 72);

	size_t nb = (n + 63) / 64;

	for (size_t b = 0; b < nb; b++) {
		uint64_t m = 0;

#if defined(__SSE2__)
		for (size_t k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128(
			    (const __m128i *)(const void *)(f + 64 * b +
							    16 * k));
			unsigned z = (unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, _mm_setzero_si128()));

			m |= (uint64_t)(~z & 0xffff) << (16 * k);
		}
#else
		for (size_t k = 0; k < 8; k++) {
			/* folded bytes are below 0x80: adding 0x7f sets the
			 * high bit of each that is not zero, with no carry;
			 * the multiply gathers the eight flags in order */
			uint64_t v = load64(f + 64 * b + 8 * k);
			uint64_t nz = ((v + ones * 0x7f) & (ones * 0x80)) >> 7;

			m |= (nz * 0x0102040810204080ULL >> 56) << (8 * k);
		}
#endif
		bits[b] = m;
	}
	bits[nb] = 0;

	size_t nwords = 0;
	uint64_t carry = 0;

	for (size_t b = 0; b < nb; b++) {
		uint64_t m = bits[b];

		nwords += bit_positions(x->ws + nwords, m & ~(m << 1 | carry),
					64 * b);
		carry = m >> 63;
	}

	const struct match_dict *d = x->d;

	x->in_run = true;
	x->rnw0 = x->nw;
	/* The words the filter lets through, without a branch per word:
	 * which ones pass is as good as random. */
	size_t npass = 0;

	for (size_t k = 0; k < nwords; k++) {
		size_t a = x->ws[k];
		size_t key = filter_key(f + a, run_len_class(x, a));

		x->pass[npass] = (uint16_t)k;
		npass += (d->filter[key / 64] >> (key % 64)) & 1;
	}
	for (size_t p = 0; p < npass; p++) {
		size_t k = x->pass[p];
		size_t a = x->ws[k];
		const char *w = f + a;
		size_t len = run_len_class(x, a);
		size_t key = filter_key(w, len);

		if (len == LEN_CLASS_MAX)
			len = run_word_len(x, a);
		/* Compare with the words of that key in full (no hashing;
		 * the run has zeros past its end for the longest word). */
		for (uint32_t j = d->kbucket[key & d->mask]; j;
		     j = d->w[j - 1].knext) {
			const struct dword *c = &d->w[j - 1];

			if (c->len == len && same_word(c->text, w, len)) {
				x->rk = k;
				x->nw = x->rnw0 + k + 1;
				phrases_end(x, c);
				break;
			}
		}
	}
	/* the run's last words, for phrases that go on past it */
	for (size_t k = nwords > MAX_PHRASE_WORDS ? nwords - MAX_PHRASE_WORDS
						  : 0;
	     k < nwords; k++) {
		size_t slot = (x->rnw0 + k) % MAX_PHRASE_WORDS;

		x->rp[slot] = s + x->ws[k];
		x->rl[slot] = 0; /* measured when needed */
	}
	x->nw = x->rnw0 + nwords;
	x->in_run = false;
	return n;
}

/* The same walk as match_fold, feeding words to the dictionary. */
void
match_dict_scan(const struct match_dict *d, const char *s, size_t n, bool html,
		struct match_hits *h, uint8_t bit)
{
	struct scan x;

	if (!d->n)
		return;
	/* the fast run's arrays are written before they are read */
	x.d = d;
	x.h = h;
	x.bit = bit;
	x.wl = 0;
	x.nw = 0;
	x.in_run = false;
	memset(x.word, 0, sizeof(x.word));
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (!x.wl && !is_special(c, html)) {
			size_t len = fast_run(&x, s + i,
					      n - i < RUN_MAX ? n - i : RUN_MAX,
					      n - i, html);

			if (len) {
				i += len;
				continue;
			}
		}
		if (c < 0x80) {
			char fc = ascii_fold[c];

			if (fc) {
				word_byte(&x, fc);
				i++;
				continue;
			}
			if (html && c == '<') {
				const char *gt = memchr(s + i, '>', n - i);

				i = gt ? (size_t)(gt - s) + 1 : n;
				word_end(&x);
				continue;
			}
			if (html && c == '&') {
				unsigned cp;
				size_t used = decode_entity(s + i, n - i, &cp);

				if (used) {
					scan_cp(&x, cp);
					i += used;
					continue;
				}
			}
			word_end(&x);
			i++;
			continue;
		}
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (!len) {
			word_end(&x);
			i++;
			continue;
		}
		scan_cp(&x, cp);
		i += len;
	}
	word_end(&x);
}

void
match_dict_free(struct match_dict *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nw; i++) {
		free(d->w[i].text);
		free(d->w[i].ids);
	}
	free(d->w);
	free(d->ph);
	free(d->bucket);
	free(d->kbucket);
	free(d);
}

enum { LIT_MAX = 64 };

struct match_re {
	pcre2_code *code;
	pcre2_match_data *md; /* scratch, reused by every match */
	bool jit;             /* compiled to machine code */
	/* ASCII letters and digits every match holds (lower-cased when
	 * caseless), or litlen 0; a text without them is not searched */
	char lit[LIT_MAX];
	size_t litlen;
	bool caseless;
};

/*
 * A letter a caseless pattern may match outside ASCII: PCRE2's caseless
 * matching takes the Kelvin sign for k and the long s for s, and no other
 * ASCII letter or digit matches anything but its own two cases (checked
 * over every code point with PCRE2 10.42; tests/test_rules.c checks it
 * again with the library linked).
 */
static bool
is_unsafe_caseless(unsigned char c)
{
	c |= 0x20;
	return c == 'k' || c == 's';
}

/*
 * The longest run of ASCII letters and digits that every match of pattern
 * must hold, found conservatively: none for a pattern with alternatives,
 * inline options or groups of any kind ("(?", "(*"), quoting, or escapes
 * that take arguments or refer back; only text outside parentheses and
 * classes counts; a letter a quantifier may make optional is dropped, and
 * counts in braces are skipped. Caseless, letters that may match outside
 * ASCII end runs too. Writes it to lit (lower-cased when caseless) and
 * returns its length; 0 for none or one shorter than 3.
 */
static size_t
required_literal(const char *pattern, bool caseless, char *lit)
{
	size_t best = 0, cur = 0, depth = 0;
	const char *run = pattern;

	if (strchr(pattern, '|') || strstr(pattern, "(?") ||
	    strstr(pattern, "(*"))
		return 0;
	for (const char *p = pattern;; p++) {
		unsigned char c = (unsigned char)*p;
		bool in_run = c && c < 0x80 && wd_isalnum(c) && !depth &&
			      !(caseless && is_unsafe_caseless(c));

		if (in_run) {
			if (!cur)
				run = p;
			cur++;
			continue;
		}
		if ((c == '*' || c == '?' || c == '{') && cur)
			cur--; /* the one before may be left out */
		if (cur > best && cur < LIT_MAX) {
			best = cur;
			for (size_t i = 0; i < cur; i++)
				lit[i] = caseless ? (char)wd_tolower(run[i])
						  : run[i];
		}
		cur = 0;
		if (!c)
			break;
		if (c == '\\') {
			if (!p[1] || strchr("QEcxopPNgkuUlL0123456789", p[1]))
				return 0;
			p++;
		} else if (c == '{') {
			while (p[1] && p[1] != '}')
				p++;
		} else if (c == '[') {
			/* a class, to its end; give up on anything nested */
			const char *q = p + 1;

			if (*q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']' && *q != '\\' && *q != '[')
				q++;
			if (*q != ']')
				return 0;
			p = q;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (!depth)
				return 0;
			depth--;
		}
	}
	return best >= 3 ? best : 0;
}

/* lit[0..len) is at s, caseless for letters when nocase. */
static inline bool
literal_at(const char *s, const char *lit, size_t len, bool nocase)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (nocase && wd_isalpha(c))
			c |= 0x20;
		if (c != (unsigned char)lit[i])
			return false;
	}
	return true;
}

#if defined(__SSE2__)
/* Bit k (0 to 15) set: p[k], p[k + 1] and p[k + 2], each ORed with lower,
 * are a, b and c. Reads p[0..18). */
static inline unsigned
block_starts(const char *p, __m128i lower, __m128i a, __m128i b, __m128i c)
{
	__m128i x = _mm_or_si128(
	    _mm_loadu_si128((const __m128i *)(const void *)p), lower);
	__m128i y = _mm_or_si128(
	    _mm_loadu_si128((const __m128i *)(const void *)(p + 1)), lower);
	__m128i z = _mm_or_si128(
	    _mm_loadu_si128((const __m128i *)(const void *)(p + 2)), lower);

	return (unsigned)_mm_movemask_epi8(_mm_and_si128(
	    _mm_and_si128(_mm_cmpeq_epi8(x, a), _mm_cmpeq_epi8(y, b)),
	    _mm_cmpeq_epi8(z, c)));
}
#endif

/* lit[0..len) (len >= 3) occurs in s[0..n). Looks for its first three
 * bytes sixteen places at a time where SSE2 is there, and compares in full
 * only where they are. */
static bool
has_literal(const char *s, size_t n, const char *lit, size_t len, bool nocase)
{
	if (n < len)
		return false;
	size_t last = n - len; /* the last place it can start */
	size_t i = 0;

#if defined(__SSE2__)
	/* caseless, bytes are compared with bit 0x20 set: a letter then
	 * matches both its cases (digits may match some control bytes too,
	 * which literal_at turns away) */
	const __m128i lower = _mm_set1_epi8((char)(nocase ? 0x20 : 0));
	const __m128i a = _mm_set1_epi8(lit[0]);
	const __m128i b = _mm_set1_epi8(lit[1]);
	const __m128i c = _mm_set1_epi8(lit[2]);

	for (; i + 16 <= last + 1; i += 16) {
		const char *p = s + i;
		unsigned m = block_starts(p, lower, a, b, c);

		for (; m; m &= m - 1) {
			if (literal_at(s + i + (size_t)__builtin_ctz(m), lit,
				       len, nocase))
				return true;
		}
	}
	/* The places left, as one block that ends at the last one and
	 * overlaps the blocks before: short texts such as titles would
	 * otherwise spend most of the search byte by byte. */
	if (i <= last && last + 1 >= 16) {
		size_t q = last + 1 - 16;
		const char *p = s + q;
		unsigned m = block_starts(p, lower, a, b, c);

		for (m &= ~0u << (i - q); m; m &= m - 1) {
			if (literal_at(s + q + (size_t)__builtin_ctz(m), lit,
				       len, nocase))
				return true;
		}
		return false;
	}
#endif
	for (; i <= last; i++) {
		if (literal_at(s + i, lit, len, nocase))
			return true;
	}
	return false;
}

struct match_re *
match_re_new(const char *pattern, bool case_sensitive, char *err, size_t errlen,
	     size_t *erroff)
{
	int code;
	PCRE2_SIZE off;
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;

	if (!case_sensitive)
		opts |= PCRE2_CASELESS;
	pcre2_code *re =
	    pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts,
			  &code, &off, NULL);

	if (!re) {
		PCRE2_UCHAR msg[256];

		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code);
		snprintf(err, errlen, "%s", (const char *)msg);
		*erroff = off;
		return NULL;
	}
	struct match_re *m = xcalloc(1, sizeof(*m));

	/* Without JIT (some architectures) matching still works, slower. */
	m->jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	m->code = re;
	m->caseless = !case_sensitive;
	m->litlen = required_literal(pattern, m->caseless, m->lit);
	m->md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!m->md)
		abort();
	return m;
}

bool
match_re_find(const struct match_re *re, const char *s, size_t n)
{
	/* Most texts lack the pattern's letters, and a search for them
	 * costs less than starting PCRE2. */
	if (re->litlen && !has_literal(s, n, re->lit, re->litlen, re->caseless))
		return false;
	int rc = re->jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)s, n, 0, 0,
					   re->md, NULL)
			 : pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, re->md,
				       NULL);

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
