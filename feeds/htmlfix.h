/* SPDX-License-Identifier: MIT */
/* feeds/htmlfix.h: repairs feedparser also makes to field text: C1
 * controls that are windows-1252 (or doubly encoded UTF-8), bare '&' in
 * HTML; parse stage. */
#ifndef WD_FEEDS_HTMLFIX_H
#define WD_FEEDS_HTMLFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* True when s[0..n) holds a C1 control character (U+0080..U+009F). */
bool htmlfix_has_c1(const char *s, size_t n);
/* Append s[0..n) to out with C1 controls read as windows-1252 ("smart
 * quotes" sent as bytes 0x80..0x9f). */
void htmlfix_c1(struct buf *out, const char *s, size_t n);
/* True when s[0..n) is UTF-8 that was read as Latin-1 and encoded again
 * ("cafÃ©"): every character is below U+0100 and their bytes are UTF-8. */
bool htmlfix_is_double_utf8(const char *s, size_t n);
/* Append the repaired text of such a string. */
void htmlfix_undouble_utf8(struct buf *out, const char *s, size_t n);
/* True when the HTML s[0..n) needs htmlfix_amp. */
bool htmlfix_needs_amp(const char *s, size_t n);
/* Append HTML s[0..n) with a bare '&' escaped, "&#X" as "&#x" and numeric
 * references to 128..159 mapped through windows-1252. */
void htmlfix_amp(struct buf *out, const char *s, size_t n);

#endif
