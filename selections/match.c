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
 * keyed on its last word. Scanning folds the text and hashes each word as
 * it ends, in one pass with no copy of the text (selection reads every byte
 * of every story, so this loop is the cost of selection); a word that hits
 * a bucket is compared in full, and the phrase's earlier words are compared
 * by hash and length with the last few words seen. The cost grows with the
 * text, not with the number of phrases.
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
	uint32_t next; /* next word in the bucket, +1; 0 ends */
	uint32_t *ids; /* phrases ending with this word */
	size_t nids;
};

struct match_dict {
	struct phrase *ph;
	size_t n, cap;
	struct dword *w;
	size_t nw, wcap;
	uint32_t *bucket; /* first word, +1; 0 is empty */
	size_t mask;
	/* one bit per hash slice of each last word: most words of a text
	 * are in no phrase, and this answers for them without the table */
	uint64_t filter[1024];
	uint8_t cls[256]; /* 0 separator, 1 ASCII word byte, 2 slow path */
};

static inline size_t
filter_bit(uint64_t h)
{
	return (size_t)(h >> 40) & 0xffff;
}

/* Words are short: eight bytes at a time, each mixed with a multiply.
 * The scan reads words from zero-padded arrays, so a partial block is the
 * same whether copied short or loaded whole and masked. */
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
	for (int c = 0; c < 256; c++)
		d->cls[c] = c >= 0x80 || c == '<' || c == '&' ? 2
			    : ascii_fold[c]                   ? 1
							      : 0;
	return d;
}

static void
dict_link(struct match_dict *d, size_t i)
{
	size_t b = d->w[i].h & d->mask;

	d->w[i].next = d->bucket[b];
	d->bucket[b] = (uint32_t)i + 1;
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
	d->filter[filter_bit(h) / 64] |= 1ULL << (filter_bit(h) % 64);
	w = &d->w[d->nw++];
	memset(w, 0, sizeof(*w));
	/* zero-padded to whole 8-byte blocks for same_word */
	w->text = xcalloc(len / 8 + 2, 8);
	memcpy(w->text, s, len);
	w->len = len;
	w->h = h;
	if (d->nw > (d->mask + 1) / 4) {
		free(d->bucket);
		d->mask = 2 * d->mask + 1;
		d->bucket = xcalloc(d->mask + 1, sizeof(*d->bucket));
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
	w->ids = xreallocarray(w->ids, w->nids + 1, sizeof(*w->ids));
	w->ids[w->nids++] = (uint32_t)d->n;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->ph = xreallocarray(d->ph, d->cap, sizeof(*d->ph));
	}
	d->ph[d->n++] = p;
	return (int)(d->n - 1);
}

struct scan {
	const struct match_dict *d;
	uint8_t *hits;
	uint8_t bit;
	size_t wl;                     /* length of the current word */
	uint64_t rh[MAX_PHRASE_WORDS]; /* ring of the last words' hashes */
	size_t rl[MAX_PHRASE_WORDS];   /* and lengths */
	size_t nw;                     /* words seen */
	char word[MAX_WORD + 8];       /* the current word, zero-padded */
	/* the fast path's folded copy of a run, with zeros past its end */
	char run[RUN_MAX + 16];
};

/* a (zero-padded to 8 bytes) equals b[0..n); n <= MAX_WORD. Inline blocks
 * instead of memcmp: the words are short and this runs on every hit. */
static inline bool
same_word(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t va = 0, vb = 0;

		memcpy(&va, a + i, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(&vb, b + i, 8);
		if (n - i < 8)
			vb &= ~(~0ULL << (8 * (n - i)));
#else
		memcpy(&vb, b + i, n - i < 8 ? n - i : 8);
#endif
		if (va != vb)
			return false;
	}
	return true;
}

static void
word_lookup(struct scan *x, const char *w, size_t wl, uint64_t h)
{
	const struct dword *dw = NULL;

	for (uint32_t k = x->d->bucket[h & x->d->mask]; k;
	     k = x->d->w[k - 1].next) {
		const struct dword *c = &x->d->w[k - 1];

		if (c->h == h && c->len == wl && same_word(c->text, w, wl)) {
			dw = c;
			break;
		}
	}
	for (size_t i = 0; dw && i < dw->nids; i++) {
		const struct phrase *p = &x->d->ph[dw->ids[i]];
		size_t last = p->nwords - 1;
		bool ok = p->nwords <= x->nw;

		for (size_t j = 1; j < p->nwords && ok; j++) {
			size_t r = (x->nw - 1 - j) % MAX_PHRASE_WORDS;

			ok = x->rh[r] == p->wh[last - j] &&
			     x->rl[r] == p->wl[last - j];
		}
		if (ok)
			x->hits[dw->ids[i]] |= x->bit;
	}
}

/* A folded word w[0..wl) ended (w is zero-padded to a multiple of 8 past
 * wl when wl <= MAX_WORD). */
static inline void
word_hashed(struct scan *x, const char *w, size_t wl, uint64_t h)
{
	size_t slot = x->nw % MAX_PHRASE_WORDS;
	size_t fb = filter_bit(h);

	x->rh[slot] = h;
	x->rl[slot] = wl;
	x->nw++;
	if (wl <= MAX_WORD && (x->d->filter[fb / 64] >> (fb % 64) & 1))
		word_lookup(x, w, wl, h);
}

static inline void
word_done(struct scan *x, const char *w, size_t wl)
{
	uint64_t h = 0;

	if (wl <= MAX_WORD) {
		h = 0x9e3779b97f4a7c15ULL ^ wl;
		for (size_t i = 0; i < wl; i += 8) {
			size_t k = wl - i < 8 ? wl - i : 8;
			uint64_t v = 0;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			memcpy(&v, w + i, 8);
			v &= ~0ULL >> (64 - 8 * k);
#else
			memcpy(&v, w + i, k);
#endif
			h = mix(h, v);
		}
	}
	word_hashed(x, w, wl, h);
}

static inline void
word_end(struct scan *x)
{
	if (!x->wl)
		return;
	word_done(x, x->word, x->wl);
	x->wl = 0;
	memset(x->word, 0, sizeof(x->word));
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

static const uint64_t ones = 0x0101010101010101ULL;
static const uint64_t highs = 0x8080808080808080ULL;

/* Bytes of v that are zero get their high bit set (the lowest one exactly,
 * which is the one we use). */
static inline uint64_t
zero_bytes(uint64_t v)
{
	return (v - ones) & ~v & highs;
}

/* Length of the run from s[0..n) that the fast path can take: ASCII, and
 * no '<' or '&' (tags and entities need the slow path). */
static size_t
plain_len(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		uint64_t bad = (v & highs) | zero_bytes(v ^ (ones * '<')) |
			       zero_bytes(v ^ (ones * '&'));

		if (bad)
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || c == '<' || c == '&')
			break;
	}
	return i;
}

/* ASCII letter or digit, lower-cased; 0 for anything else. */
static inline char
fold_byte(unsigned char c)
{
	unsigned char lo = c | 0x20;
	unsigned char alpha = (unsigned char)(lo - 'a') < 26;
	unsigned char digit = (unsigned char)(c - '0') < 10;

	return (char)(alpha ? lo : digit ? c : 0);
}

/*
 * The fast path, for a run of plain ASCII (most wire copy): fold the run
 * into x->run with arithmetic the compiler turns into vector code, then
 * find the words eight bytes at a time. A byte-at-a-time loop spends its
 * time mispredicting word ends, which come every few bytes.
 */
static void
fast_run(struct scan *x, const char *s, size_t n)
{
	char *f = x->run;
	size_t i = 0;

	/* Blocks of a fixed 16 bytes: at -O2 GCC vectorizes only loops
	 * whose count it knows. */
	for (; i + 16 <= n; i += 16) {
		for (size_t j = 0; j < 16; j++)
			f[i + j] = fold_byte((unsigned char)s[i + j]);
	}
	for (; i < n; i++)
		f[i] = fold_byte((unsigned char)s[i]);
	memset(f + n, 0, 16);
	for (i = 0; i < n;) {
		while (i < n && !f[i])
			i++;
		if (i >= n)
			break;
		size_t start = i;
		uint64_t v;

		memcpy(&v, f + i, 8);
		uint64_t z = zero_bytes(v);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* Most words are shorter than 8: the load that found the end
		 * holds the word; keep the bytes below the first zero. */
		if (z) {
			size_t wl = (size_t)__builtin_ctzll(z) / 8;
			uint64_t word = v & (((z & -z) >> 7) - 1);

			word_hashed(x, f + start, wl,
				    mix(0x9e3779b97f4a7c15ULL ^ wl, word));
			i += wl;
			continue;
		}
#endif
		while (!z) {
			i += 8;
			memcpy(&v, f + i, 8);
			z = zero_bytes(v);
		}
		i += (size_t)__builtin_ctzll(z) / 8;
		word_done(x, f + start, i - start);
	}
}

/* The same walk as match_fold, feeding words to the dictionary. */
void
match_dict_scan(const struct match_dict *d, const char *s, size_t n, bool html,
		uint8_t *hits, uint8_t bit)
{
	struct scan x = {.d = d, .hits = hits, .bit = bit};

	if (!d->n)
		return;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (!x.wl && c < 0x80 && c != '<' && c != '&') {
			size_t len =
			    plain_len(s + i, n - i < RUN_MAX ? n - i : RUN_MAX);

			/* A word cut by the run's end goes on in the slow
			 * path, so leave it there from the start. */
			while (len && i + len < n &&
			       ascii_fold[(unsigned char)s[i + len - 1]])
				len--;
			if (len) {
				fast_run(&x, s + i, len);
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
	free(d);
}

struct match_re {
	pcre2_code *code;
	pcre2_match_data *md; /* scratch, reused by every match */
	bool jit;             /* compiled to machine code */
};

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
	m->md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!m->md)
		abort();
	return m;
}

bool
match_re_find(const struct match_re *re, const char *s, size_t n)
{
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
