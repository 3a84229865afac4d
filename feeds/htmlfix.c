/* SPDX-License-Identifier: MIT */
/* feeds/htmlfix.c: small text repairs on parsed fields; parse stage. */
#include "feeds/htmlfix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* windows-1252 for 0x80..0x9f; 0 where it defines nothing */
static const unsigned short cp1252[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017d, 0,
    0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178};

bool
htmlfix_has_c1(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = memchr(p, '\xc2', (size_t)(end - p))) != NULL) {
		if (p + 1 < end && (unsigned char)p[1] >= 0x80 &&
		    (unsigned char)p[1] <= 0x9f)
			return true;
		p++;
	}
	return false;
}

void
htmlfix_c1(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (len == 2 && cp >= 0x80 && cp <= 0x9f && cp1252[cp - 0x80])
			wd_utf8_put(out, cp1252[cp - 0x80]);
		else
			buf_append(out, s + i, len ? len : 1);
		i += len ? len : 1;
	}
}

bool
htmlfix_is_double_utf8(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	/* the first non-ASCII character must be a Latin-1 lead byte */
	if (i == n ||
	    ((unsigned char)s[i] != 0xc2 && (unsigned char)s[i] != 0xc3))
		return false;
	/* every character must be one Latin-1 byte, and those bytes must
	 * be UTF-8 with at least one multi-byte sequence */
	const unsigned char *u = (const unsigned char *)s;
	unsigned char bytes[4];
	size_t nb = 0, need = 0;
	bool multi = false;

	while (i < n) {
		unsigned cp;

		/* U+0000..U+00FF in UTF-8 is ASCII or 0xc2/0xc3 and one
		 * continuation byte; any other byte is invalid UTF-8 or starts
		 * a character past U+00FF, and both rule the text out */
		if (u[i] < 0x80) {
			cp = u[i++];
		} else if ((u[i] == 0xc2 || u[i] == 0xc3) && i + 1 < n &&
			   (u[i + 1] & 0xc0) == 0x80) {
			cp = ((u[i] & 0x1fu) << 6) | (u[i + 1] & 0x3fu);
			i += 2;
		} else {
			return false;
		}
		if (nb == 0) {
			if (cp < 0x80)
				continue;
			if ((cp & 0xe0) == 0xc0)
				need = 2;
			else if ((cp & 0xf0) == 0xe0)
				need = 3;
			else if ((cp & 0xf8) == 0xf0)
				need = 4;
			else
				return false;
		}
		bytes[nb++] = (unsigned char)cp;
		if (nb == need) {
			unsigned dummy;

			if (wd_utf8_decode((const char *)bytes, nb, &dummy) !=
			    nb)
				return false;
			multi = true;
			nb = 0;
		}
	}
	return multi && nb == 0;
}

void
htmlfix_undouble_utf8(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (!len)
			len = 1, cp = (unsigned char)s[i];
		buf_putc(out, (char)cp);
		i += len;
	}
}

static bool
is_entity_start(const char *s, size_t n)
{
	/* s points after '&': name; or #digits; or #xhex followed by ';' */
	size_t i = 0;

	if (i < n && s[i] == '#') {
		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			i++;
			while (i < n &&
			       (wd_isdigit((unsigned char)s[i]) ||
				(wd_tolower((unsigned char)s[i]) >= 'a' &&
				 wd_tolower((unsigned char)s[i]) <= 'f')))
				i++;
		} else {
			while (i < n && wd_isdigit((unsigned char)s[i]))
				i++;
		}
		return i > 1 && i < n && s[i] == ';';
	}
	while (i < n && wd_isalnum((unsigned char)s[i]))
		i++;
	return i > 0 && i < n && s[i] == ';';
}

/* ASCII letters and digits: the characters of a reference's name */
static const bool alnum[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
    ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
    ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1,
    ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1,
    ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1};

bool
htmlfix_needs_amp(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = memchr(p, '&', (size_t)(end - p))) != NULL) {
		p++;
		if (p < end && *p != '#') {
			/* a named reference, by far the most common: letters
			 * and digits up to a ';' (what is_entity_start reads),
			 * and nothing to rewrite */
			const char *q = p;

			while (q < end && alnum[(unsigned char)*q])
				q++;
			if (q == p || q == end || *q != ';')
				return true;
			p = q + 1;
			continue;
		}
		/* a numeric one, read in one pass: it must be what
		 * is_entity_start accepts ("#x" needs no digit before the
		 * ';', decimal needs one), and htmlfix_amp rewrites "&#X"
		 * (whatever follows) and 128..159 */
		if (p == end || (p + 1 < end && p[1] == 'X'))
			return true;
		const char *q;
		unsigned long v = 0;

		if (p + 1 < end && p[1] == 'x') {
			for (q = p + 2; q < end; q++) {
				unsigned c = (unsigned char)*q;
				unsigned d;

				if (c - '0' < 10)
					d = c - '0';
				else if ((c | 0x20u) - 'a' < 6)
					d = (c | 0x20u) - 'a' + 10;
				else
					break;
				if (v <= 0x9f)
					v = v * 16 + d;
			}
		} else {
			/* decimal, the common kind (&#8220;): a loop of its
			 * own, with no case folding or hex digits to test */
			for (q = p + 1; q < end && (unsigned)(*q - '0') < 10;
			     q++) {
				if (v <= 0x9f)
					v = v * 10 + (unsigned)(*q - '0');
			}
			if (q == p + 1)
				return true;
		}
		if (q == end || *q != ';' || (v >= 0x80 && v <= 0x9f))
			return true;
		p = q + 1;
	}
	return false;
}

void
htmlfix_amp(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);

		if (!amp) {
			buf_append(out, s + i, n - i);
			return;
		}
		size_t a = (size_t)(amp - s);

		buf_append(out, s + i, a - i);
		i = a + 1;
		if (!is_entity_start(s + i, n - i)) {
			buf_puts(out, "&amp;");
			continue;
		}
		if (s[i] != '#') {
			buf_putc(out, '&');
			continue;
		}
		/* numeric reference: normalise and map 128..159 */
		bool hex = s[i + 1] == 'x' || s[i + 1] == 'X';
		char *end;
		unsigned long v =
		    strtoul(s + i + (hex ? 2 : 1), &end, hex ? 16 : 10);
		size_t semi = (size_t)(end - s);

		if (v >= 0x80 && v <= 0x9f && cp1252[v - 0x80])
			v = cp1252[v - 0x80];
		else if (!hex) {
			buf_putc(out, '&');
			continue;
		}
		buf_appendf(out, "&#x%lx;", v);
		i = semi + 1;
	}
}
