/* SPDX-License-Identifier: MIT */
/* core/text.c: locale-free ASCII, UTF-8 and escaping helpers. */
#include "core/text.h"

#include <stdio.h>
#include <string.h>

int
wd_strncasecmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ca = wd_tolower((unsigned char)a[i]);
		int cb = wd_tolower((unsigned char)b[i]);

		if (ca != cb || !ca)
			return ca - cb;
	}
	return 0;
}

int
wd_strcasecmp(const char *a, const char *b)
{
	return wd_strncasecmp(a, b, (size_t)-1);
}

size_t
wd_utf8_decode(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;

	if (!n)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	size_t len;
	unsigned c, min;

	if ((u[0] & 0xe0) == 0xc0) {
		len = 2, c = u[0] & 0x1f, min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3, c = u[0] & 0x0f, min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

void
wd_utf8_put(struct buf *out, unsigned cp)
{
	char s[4];

	if (cp < 0x80) {
		s[0] = (char)cp;
		buf_append(out, s, 1);
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, s, 3);
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, s, 4);
	}
}

void
wd_utf8_sanitize(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start = i;

		while (i < n && (unsigned char)s[i] < 0x80)
			i++;
		buf_append(out, s + start, i - start);
		if (i >= n)
			break;
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (len) {
			buf_append(out, s + i, len);
			i += len;
		} else {
			wd_utf8_put(out, 0xfffd);
			i++;
		}
	}
}

void
wd_json_str(struct buf *out, const char *s)
{
	if (!s) {
		buf_puts(out, "null");
		return;
	}
	buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			buf_puts(out, "\\\"");
			break;
		case '\\':
			buf_puts(out, "\\\\");
			break;
		case '\n':
			buf_puts(out, "\\n");
			break;
		case '\r':
			buf_puts(out, "\\r");
			break;
		case '\t':
			buf_puts(out, "\\t");
			break;
		default:
			if (*p < 0x20)
				buf_appendf(out, "\\u%04x", *p);
			else
				buf_putc(out, (char)*p);
		}
	}
	buf_putc(out, '"');
}

/* XML 1.0 Char production: tab, LF, CR, and the ranges below. */
static bool
xml_char_ok(unsigned cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	       (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

void
wd_xml_escape(struct buf *out, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;

		switch (c) {
		case '&':
			buf_puts(out, "&amp;");
			i++;
			continue;
		case '<':
			buf_puts(out, "&lt;");
			i++;
			continue;
		case '>':
			buf_puts(out, "&gt;");
			i++;
			continue;
		case '"':
			buf_puts(out, "&quot;");
			i++;
			continue;
		case '\'':
			buf_puts(out, "&#39;");
			i++;
			continue;
		}
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (!len) {
			i++;
			continue;
		}
		if (xml_char_ok(cp))
			buf_append(out, s + i, len);
		i += len;
	}
}

uint64_t
wd_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t
wd_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}
