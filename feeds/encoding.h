/* SPDX-License-Identifier: MIT */
/* feeds/encoding.h: find a feed document's character encoding (BOM, XML
 * declaration, HTTP charset per RFC 3023, fallbacks) and make it UTF-8;
 * parse stage. */
#ifndef WD_FEEDS_ENCODING_H
#define WD_FEEDS_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

struct enc_result {
	char encoding[48];    /* encoding used to decode, lower case */
	bool converted;       /* the UTF-8 text is in out, else in the doc */
	size_t skip;          /* when not converted: bytes of BOM to skip */
	const char *bozo_msg; /* static text when the encoding was in doubt */
	bool unchecked;       /* UTF-8 taken on trust (ENC_LAZY_UTF8) */
};

enum {
	/* When UTF-8 is the first choice, trust it without a validation
	 * pass (expat validates as it parses); call again without the flag
	 * if expat then finds a bad byte. */
	ENC_LAZY_UTF8 = 1,
};

/*
 * Decide doc[0..len)'s encoding from its bytes and content_type (the HTTP
 * Content-Type, NULL for local files) and, unless it is UTF-8 already,
 * append the document as valid UTF-8 to out. Never fails: the last
 * fallback (ISO-8859-2) decodes any bytes.
 */
void enc_to_utf8(const char *doc, size_t len, const char *content_type,
		 unsigned flags, struct buf *out, struct enc_result *res);
/* True when s[0..n) is valid UTF-8. */
bool enc_is_utf8(const char *s, size_t n);

#endif
