/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz_sanitize.c: libFuzzer target for output/sanitize.h: hostile HTML
 * through the allowlist sanitizer and the HTML-to-text path, and URLs. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "output/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { OUT_MAX = 4 * 1024 * 1024 };

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool
starts_nocase(const char *s, size_t n, const char *prefix)
{
	size_t i = 0;

	for (; prefix[i]; i++) {
		if (i >= n || lower((unsigned char)s[i]) != prefix[i])
			return false;
	}
	return true;
}

static bool
is_name_char(int c)
{
	return c && c != ' ' && c != '\t' && c != '\n' && c != '\r' &&
	       c != '\f' && c != '/' && c != '>' && c != '=';
}

/*
 * Check the markup of sanitize_html's output: text is escaped, so each '<'
 * opens a tag. No tag may be a dangerous element, and no attribute may be an
 * event handler, a style, or a link to a script scheme.
 */
static bool
markup_is_safe(const char *s)
{
	static const char *const bad_tags[] = {
		"script", "iframe", "object", "embed", "style", "svg", "math",
		"form",   "base",   "meta",   "link",
	};

	while ((s = strchr(s, '<')) != NULL) {
		const char *p = s + 1;
		const char *name;
		size_t n;

		if (*p == '/' || *p == '!')
			p++;
		name = p;
		while (is_name_char(*p))
			p++;
		n = (size_t)(p - name);
		for (size_t i = 0; i < sizeof(bad_tags) / sizeof(*bad_tags);
		     i++) {
			if (n == strlen(bad_tags[i]) &&
			    starts_nocase(name, n, bad_tags[i]))
				return false;
		}
		for (;;) {
			while (*p == ' ' || *p == '\t' || *p == '\n' ||
			       *p == '/')
				p++;
			if (*p == '>' || *p == '\0')
				break;
			const char *an = p;

			while (is_name_char(*p))
				p++;
			size_t al = (size_t)(p - an);

			if (al == 0)
				return false; /* not a tag we could write */
			if (starts_nocase(an, al, "on") ||
			    (al == 5 && starts_nocase(an, al, "style")))
				return false;
			if (*p != '=')
				continue;
			p++;
			if (*p != '"')
				return false; /* values are always quoted */
			const char *v = ++p;

			while (*p && *p != '"')
				p++;
			size_t vl = (size_t)(p - v);

			if ((al == 4 && starts_nocase(an, al, "href")) ||
			    (al == 3 && starts_nocase(an, al, "src"))) {
				if (!starts_nocase(v, vl, "http://") &&
				    !starts_nocase(v, vl, "https://") &&
				    !starts_nocase(v, vl, "mailto:"))
					return false;
			}
			if (*p == '"')
				p++;
		}
		s = *p ? p + 1 : p;
	}
	return true;
}

/* The input is "HTML" or "HTML\0BASE". */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *html = xstrndup((const char *)data, size);
	size_t n = strlen(html);
	char *base = n < size ? xstrndup((const char *)data + n + 1,
					 size - n - 1)
			      : NULL;
	struct buf out;

	buf_init(&out, OUT_MAX);
	if (sanitize_html(html, base ? base : "http://example.org/a/b.html",
			  &out) == 0 &&
	    !buf_failed(&out)) {
		if (!markup_is_safe(buf_str(&out)))
			abort();
	}
	buf_reset(&out);
	if (sanitize_text(html, size % 200, &out) == 0)
		(void)strlen(buf_str(&out));
	buf_reset(&out);
	if (sanitize_url(html, base, size & 1, &out) == 0)
		(void)sanitize_url_is_http(buf_str(&out));
	buf_free(&out);
	free(base);
	free(html);
	return 0;
}
