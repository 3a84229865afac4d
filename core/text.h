/* SPDX-License-Identifier: MIT */
/* core/text.h: ASCII helpers that ignore the locale, UTF-8 checks, and the
 * JSON and XML escaping every writer shares. */
#ifndef WD_CORE_TEXT_H
#define WD_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

static inline bool
wd_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}
static inline bool
wd_isdigit(int c)
{
	return c >= '0' && c <= '9';
}
static inline bool
wd_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool
wd_isalnum(int c)
{
	return wd_isalpha(c) || wd_isdigit(c);
}
static inline int
wd_tolower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* ASCII case-insensitive comparisons. */
int wd_strcasecmp(const char *a, const char *b);
int wd_strncasecmp(const char *a, const char *b, size_t n);

/* Decode one UTF-8 sequence at s[0..n); returns its length (1..4) and sets
 * *cp, or 0 when the bytes are not valid UTF-8. */
size_t wd_utf8_decode(const char *s, size_t n, unsigned *cp);
/* Append s[0..n) to out with invalid UTF-8 replaced by U+FFFD. */
void wd_utf8_sanitize(struct buf *out, const char *s, size_t n);
/* Append code point cp as UTF-8. */
void wd_utf8_put(struct buf *out, unsigned cp);

/* Append s as a JSON string literal (quotes included); NULL gives null. */
void wd_json_str(struct buf *out, const char *s);
/* Append s XML-escaped (& < > " '), dropping characters XML 1.0 forbids. */
void wd_xml_escape(struct buf *out, const char *s);
/* FNV-1a: mix n bytes into h (start from WD_FNV_SEED). A fingerprint for
 * telling whether something changed, not a defence against anyone. */
#define WD_FNV_SEED 0xcbf29ce484222325ULL
uint64_t wd_fnv1a(uint64_t h, const void *p, size_t n);
/* splitmix64's finalizer: spreads the bits of x over all 64 (a bijection,
 * so distinct inputs stay distinct). */
uint64_t wd_mix64(uint64_t x);

#endif
