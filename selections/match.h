/* SPDX-License-Identifier: MIT */
/* selections/match.h: the text matchers of the rule language: folding text
 * for whole-word, case- and accent-insensitive matching (utf8proc), a
 * dictionary that finds many words and phrases in one pass, and regular
 * expressions (PCRE2 with JIT). */
#ifndef WD_SELECTIONS_MATCH_H
#define WD_SELECTIONS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Append s[0..n) folded to out: lower case, accents stripped, every run of
 * characters that are not letters or digits turned into one space, with a
 * space before the first and after the last word (" south china sea ").
 * With html, tags are skipped and entities decoded first.
 */
void match_fold(struct buf *out, const char *s, size_t n, bool html);

struct match_dict; /* a set of words and phrases, each with an id */

struct match_dict *match_dict_new(void);
/* Add a word or phrase; returns its id (0, 1, ...), WD_EINVAL when it
 * holds no letter or digit, WD_ETOOBIG past 8 words or a word of more
 * than 64 bytes. A phrase equal to one added before (once folded) gets
 * that phrase's id. */
WD_NODISCARD int match_dict_add(struct match_dict *d, const char *phrase);
/* Where match_dict_scan reports the phrases it finds: bit is ORed into
 * hits[id], and an id whose hits[id] was 0 is appended to found (when not
 * NULL) at nfound. Both have room for every id. */
struct match_hits {
	uint8_t *hits;
	uint32_t *found;
	size_t nfound;
};

/* Find the phrases in s[0..n) (folded on the fly as match_fold does; html
 * as there) and report them to h with bit. */
void match_dict_scan(const struct match_dict *d, const char *s, size_t n,
		     bool html, struct match_hits *h, uint8_t bit);
void match_dict_free(struct match_dict *d); /* NULL is a no-op */

struct match_re; /* one compiled regular expression */

/*
 * Compile pattern (UTF-8) with PCRE2, caseless unless case_sensitive. On
 * failure returns NULL, writes PCRE2's message to err and the byte offset
 * in pattern where it noticed the problem to *erroff.
 */
struct match_re *match_re_new(const char *pattern, bool case_sensitive,
			      char *err, size_t errlen, size_t *erroff);
/* True when the expression matches somewhere in s[0..n). */
bool match_re_find(const struct match_re *re, const char *s, size_t n);
void match_re_free(struct match_re *re); /* NULL is a no-op */

#endif
