/* SPDX-License-Identifier: MIT */
/* feeds/urlres.c: relative URL resolution with libcurl's URL API, and the
 * link attributes of HTML content; parse stage. */
#include "feeds/urlres.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/text.h"
#include "core/xalloc.h"

bool
urlres_is_absolute(const char *s)
{
	if (!wd_isalpha((unsigned char)*s))
		return false;
	for (const char *p = s + 1; *p; p++) {
		if (*p == ':')
			return true;
		if (!wd_isalnum((unsigned char)*p) && *p != '+' && *p != '-' &&
		    *p != '.')
			return false;
	}
	return false;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = wd_tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* curl percent-encodes non-ASCII bytes; a feed that wrote them raw gets
 * them back raw, as other feed readers keep them. */
static char *
keep_raw_utf8(const char *url, const char *ref)
{
	bool raw = false;

	for (const char *p = ref; *p; p++)
		raw |= (unsigned char)*p >= 0x80;
	char *out = xstrdup(url);

	if (!raw)
		return out;
	size_t j = 0;

	for (size_t i = 0; url[i]; i++) {
		int hi, lo;

		if (url[i] == '%' &&
		    (hi = hexval((unsigned char)url[i + 1])) >= 8 &&
		    (lo = hexval((unsigned char)url[i + 2])) >= 0) {
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[j++] = url[i];
		}
	}
	out[j] = '\0';
	return out;
}

char *
urlres_resolve(const char *base, const char *ref)
{
	if (!ref)
		return base ? xstrdup(base) : NULL;
	if (!base || urlres_is_absolute(ref))
		return xstrdup(ref);
	CURLU *u = curl_url();
	char *res = NULL;
	unsigned flags = CURLU_NON_SUPPORT_SCHEME;

#ifdef CURLU_ALLOW_SPACE
	flags |= CURLU_ALLOW_SPACE;
#endif
	if (!u)
		return xstrdup(ref);
	if (curl_url_set(u, CURLUPART_URL, base, flags) != CURLUE_OK)
		goto out;
	if (!*ref) {
		/* "" means the base itself */
	} else if (curl_url_set(u, CURLUPART_URL, ref, flags) != CURLUE_OK) {
		goto out;
	}
	char *s = NULL;

	if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK && s) {
		res = keep_raw_utf8(s, ref);
		curl_free(s);
	}
out:
	curl_url_cleanup(u);
	return res ? res : xstrdup(ref);
}

bool
urlres_html_has_links(const char *html)
{
	return strchr(html, '<') != NULL && strchr(html, '=') != NULL;
}

static bool
is_link_attr(const char *s, size_t n)
{
	static const char *const names[] = {
	    "href",   "src",      "cite", "action",  "background", "longdesc",
	    "usemap", "codebase", "data", "classid", "profile",    "poster"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i]) == n &&
		    wd_strncasecmp(s, names[i], n) == 0)
			return true;
	}
	return false;
}

/* Append the value v[0..n) resolved, if it is relative. */
static void
put_resolved(struct buf *out, const char *v, size_t n, const char *base)
{
	while (n && wd_isspace((unsigned char)*v))
		v++, n--;
	while (n && wd_isspace((unsigned char)v[n - 1]))
		n--;
	char *ref = xstrndup(v, n);
	const char *p = ref;

	if (urlres_is_absolute(p) || *p == '#') {
		buf_append(out, v, n);
	} else {
		char *r = urlres_resolve(base, p);

		buf_puts(out, r);
		free(r);
	}
	free(ref);
}

/*
 * A small scanner, not an HTML parser: it walks tags, copies everything,
 * and rewrites only the values of link attributes. Comments and the text
 * between tags are copied untouched.
 */
void
urlres_html(struct buf *out, const char *html, size_t n, const char *base)
{
	size_t i = 0;

	while (i < n) {
		const char *lt = memchr(html + i, '<', n - i);

		if (!lt) {
			buf_append(out, html + i, n - i);
			return;
		}
		size_t t = (size_t)(lt - html);

		buf_append(out, html + i, t - i);
		i = t;
		if (i + 4 <= n && memcmp(html + i, "<!--", 4) == 0) {
			const char *end = strstr(html + i + 4, "-->");
			size_t e = end ? (size_t)(end - html) + 3 : n;

			if (e > n)
				e = n;
			buf_append(out, html + i, e - i);
			i = e;
			continue;
		}
		/* tag name */
		size_t j = i + 1;

		while (j < n && html[j] != '>' &&
		       !wd_isspace((unsigned char)html[j]))
			j++;
		buf_append(out, html + i, j - i);
		i = j;
		/* attributes */
		while (i < n && html[i] != '>') {
			if (wd_isspace((unsigned char)html[i]) ||
			    html[i] == '/') {
				buf_putc(out, html[i++]);
				continue;
			}
			size_t ns = i;

			while (i < n && html[i] != '=' && html[i] != '>' &&
			       !wd_isspace((unsigned char)html[i]))
				i++;
			size_t nlen = i - ns;

			buf_append(out, html + ns, nlen);
			if (i >= n || html[i] != '=')
				continue;
			buf_putc(out, html[i++]);
			if (i >= n)
				break;
			char q = html[i];
			size_t vs, ve;

			if (q == '"' || q == '\'') {
				buf_putc(out, q);
				vs = ++i;
				while (i < n && html[i] != q)
					i++;
				ve = i;
			} else {
				q = 0;
				vs = i;
				while (i < n && html[i] != '>' &&
				       !wd_isspace((unsigned char)html[i]))
					i++;
				ve = i;
			}
			if (is_link_attr(html + ns, nlen))
				put_resolved(out, html + vs, ve - vs, base);
			else
				buf_append(out, html + vs, ve - vs);
			if (q && i < n)
				buf_putc(out, html[i++]);
		}
		if (i < n)
			buf_putc(out, html[i++]);
	}
}
