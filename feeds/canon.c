/* SPDX-License-Identifier: MIT */
/* feeds/canon.c: canonical links for story identity (feeds stage), over
 * libcurl's URL API. */
#include "feeds/canon.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"

/*
 * Why each step, and what we leave alone.
 *
 * Two links name the same article when a browser would fetch the same
 * resource and the differences are only spelling or tracking:
 *  - Before libcurl sees the URL: tabs and newlines are removed anywhere
 *    (the WHATWG URL rule; feeds wrap long links), surrounding spaces
 *    trimmed, and after the host every byte a URL may not hold raw (space,
 *    non-ASCII, "<>\^`{|}) percent-encoded, so sloppy links still parse.
 *    Other control bytes mean "not a URL".
 *  - libcurl parses, lowercases the scheme, resolves "." and ".." segments
 *    and normalizes IPv4 forms; it reports a default port as absent.
 *  - The host is lowercased here (libcurl keeps its case). A non-ASCII
 *    host becomes punycode (RFC 3492) label by label after a small case
 *    fold (Latin-1, Greek, Cyrillic), so "bücher.example" and
 *    "xn--bcher-kva.example" agree. We do our own encoding because
 *    libcurl's CURLU_PUNYCODE depends on the process locale, and identity
 *    must not. XXX: no Unicode normalization (NFC) and no full IDNA
 *    mapping; hosts in wire feeds are ASCII. Trailing dots are dropped.
 *  - Percent-encoding: hex digits uppercased, unreserved characters
 *    (ALPHA DIGIT - . _ ~) decoded, RFC 3986 section 6.2.2. Reserved ones
 *    stay encoded: "%2F" is not "/".
 *  - Query: parameters are kept in their order, except tracking ones
 *    (matched case-insensitively after normalization) and empty ones; no
 *    parameter left means no "?".
 *  - Fragment and user info are dropped: they never select another
 *    article on a news site, except "#!" routes of old single-page sites,
 *    which we keep.
 *  - Not unified: http and https, "www." and no "www.", trailing slashes,
 *    "+" and "%20" in queries. Each can name another resource on some
 *    server, and merging two stories is worse than missing a duplicate.
 */

enum {
	MAX_URL = 8192, /* longer input is not a link we keep */
	MAX_LABEL = 63, /* DNS */
};

/* Exact names, lowercase. */
static const char *const tracking_names[] = {
    "fbclid",     "gclid",    "gclsrc",    "dclid",       "msclkid",
    "mc_cid",     "mc_eid",   "ref",       "ref_src",     "ref_url",
    "cmpid",      "ocid",     "ncid",      "spm",         "_ga",
    "_gl",        "igshid",   "yclid",     "twclid",      "ttclid",
    "li_fat_id",  "wt.mc_id", "s_cid",     "mkt_tok",     "_hsenc",
    "_hsmi",      "hsctaid",  "vero_id",   "oly_enc_id",  "oly_anon_id",
    "rb_clickid", "smid",     "sr_share",  "cmp",         "taid",
    "wickedid",   "ito",      "at_medium", "at_campaign",
};

/* Name prefixes, lowercase. */
static const char *const tracking_prefixes[] = {
    "utm_", /* Google Analytics campaigns */
    "ns_",  /* comScore, used by the BBC */
    "pk_",  /* Piwik */
    "mtm_", /* Matomo */
    "hsa_", /* HubSpot ads */
};

static bool
is_tracking(const char *name, size_t n)
{
	for (size_t i = 0;
	     i < sizeof(tracking_names) / sizeof(tracking_names[0]); i++) {
		if (strlen(tracking_names[i]) == n &&
		    !wd_strncasecmp(name, tracking_names[i], n))
			return true;
	}
	for (size_t i = 0;
	     i < sizeof(tracking_prefixes) / sizeof(tracking_prefixes[0]);
	     i++) {
		size_t k = strlen(tracking_prefixes[i]);

		if (n > k && !wd_strncasecmp(name, tracking_prefixes[i], k))
			return true;
	}
	return false;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = wd_tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool
is_unreserved(int c)
{
	return wd_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void
put_pct(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3] = {'%', hex[c >> 4], hex[c & 15]};

	buf_append(out, e, 3);
}

/* Append s[0..n) with percent-encoding normalized and the bytes a URL may
 * not hold raw encoded. */
static void
put_normalized(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		int hi = n - i >= 3 ? hexval((unsigned char)s[i + 1]) : -1;
		int lo = n - i >= 3 ? hexval((unsigned char)s[i + 2]) : -1;

		if (c == '%' && hi >= 0 && lo >= 0) {
			unsigned char v = (unsigned char)(hi * 16 + lo);

			if (is_unreserved(v))
				buf_putc(out, (char)v);
			else
				put_pct(out, v);
			i += 2;
		} else if (c <= 0x20 || c >= 0x7f || c == '%' ||
			   strchr("\"<>\\^`{|}", c)) {
			put_pct(out, c);
		} else {
			buf_putc(out, (char)c);
		}
	}
}

/* RFC 3492 bias adaptation. */
static uint32_t
adapt(uint32_t delta, uint32_t npoints, bool first)
{
	uint32_t k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / npoints;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (36 - 1 + 1) * delta / (delta + 38);
}

static char
puny_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + d - 26);
}

/* Append the punycode of cp[0..n) (RFC 3492, no "xn--"); false on
 * overflow. */
static bool
put_punycode(struct buf *out, const uint32_t *cp, size_t n)
{
	uint32_t next = 128, bias = 72;
	uint64_t delta = 0;
	size_t h = 0;

	for (size_t i = 0; i < n; i++) {
		if (cp[i] < 0x80) {
			buf_putc(out, (char)cp[i]);
			h++;
		}
	}
	size_t b = h;

	if (b > 0)
		buf_putc(out, '-');
	while (h < n) {
		uint32_t m = UINT32_MAX;

		for (size_t i = 0; i < n; i++) {
			if (cp[i] >= next && cp[i] < m)
				m = cp[i];
		}
		delta += (uint64_t)(m - next) * (h + 1);
		if (delta > UINT32_MAX)
			return false;
		next = m;
		for (size_t i = 0; i < n; i++) {
			if (cp[i] < next && ++delta > UINT32_MAX)
				return false;
			if (cp[i] != next)
				continue;
			uint32_t q = (uint32_t)delta;

			for (uint32_t k = 36;; k += 36) {
				uint32_t t = k <= bias        ? 1
					     : k >= bias + 26 ? 26
							      : k - bias;

				if (q < t)
					break;
				buf_putc(out,
					 puny_digit(t + (q - t) % (36 - t)));
				q = (q - t) / (36 - t);
			}
			buf_putc(out, puny_digit(q));
			bias = adapt((uint32_t)delta, (uint32_t)h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		next++;
	}
	return true;
}

/* Lowercase for the scripts news hosts use; others unchanged. */
static uint32_t
fold_host_cp(uint32_t c)
{
	if (c < 0x80)
		return (uint32_t)wd_tolower((int)c);
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 0x20;
	if (c >= 0x391 && c <= 0x3ab && c != 0x3a2)
		return c + 0x20;
	if (c >= 0x410 && c <= 0x42f)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	return c;
}

/* True when label[0..n) is a number as IPv4 hosts spell them (decimal, or
 * hex with "0x"). */
static bool
is_numeric_label(const char *label, size_t n)
{
	size_t i = 0;
	bool hex = n > 2 && label[0] == '0' && wd_tolower(label[1]) == 'x';

	if (hex)
		i = 2;
	if (i == n)
		return false;
	for (; i < n; i++) {
		int c = wd_tolower((unsigned char)label[i]);

		if (!wd_isdigit(c) && !(hex && c >= 'a' && c <= 'f'))
			return false;
	}
	return true;
}

/* True when host[0..n) is a dotted quad as libcurl writes one. */
static bool
is_dotted_quad(const char *host, size_t n)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t start = i;
		unsigned v = 0;

		while (i < n && wd_isdigit((unsigned char)host[i]) &&
		       i - start < 3)
			v = v * 10 + (unsigned)(host[i++] - '0');
		if (i == start || v > 255 ||
		    (host[start] == '0' && i - start > 1))
			return false;
		if (part < 3 && (i >= n || host[i++] != '.'))
			return false;
	}
	return i == n;
}

/* Append host[0..n) lowercased, non-ASCII labels as punycode; false when a
 * label is not valid UTF-8 or too long. */
static bool
put_host(struct buf *out, const char *host, size_t n)
{
	size_t last;

	while (n > 1 && host[n - 1] == '.')
		n--;
	/*
	 * NOTE: a numeric last label makes the host an IPv4 address, which
	 * libcurl writes as a dotted quad; when it did not (it was spelled
	 * "1." or "%36"), the next canon_link would, so canon_link of our
	 * own result would differ from it. Such a host is no news site.
	 */
	for (last = n; last > 0 && host[last - 1] != '.';)
		last--;
	if (is_numeric_label(host + last, n - last) && !is_dotted_quad(host, n))
		return false;
	for (size_t i = 0; i < n;) {
		size_t len = 0;
		bool ascii = true;

		while (i + len < n && host[i + len] != '.') {
			if ((unsigned char)host[i + len] >= 0x80)
				ascii = false;
			/* libcurl decoded the host once: a '%' left over
			 * would decode again on the next pass. */
			if (host[i + len] == '%')
				return false;
			len++;
		}
		const char *label = host + i;

		if (ascii) {
			for (size_t k = 0; k < len; k++)
				buf_putc(out, (char)wd_tolower(
						  (unsigned char)label[k]));
		} else {
			uint32_t cp[MAX_LABEL + 1];
			size_t ncp = 0;

			for (size_t k = 0; k < len;) {
				unsigned c;
				size_t adv =
				    wd_utf8_decode(label + k, len - k, &c);

				/* Punctuation cannot go into punycode. */
				if (adv == 0 || ncp == MAX_LABEL ||
				    (c < 0x80 && !wd_isalnum((int)c) &&
				     c != '-' && c != '_'))
					return false;
				cp[ncp++] = fold_host_cp(c);
				k += adv;
			}
			size_t at = out->len;

			buf_puts(out, "xn--");
			if (!put_punycode(out, cp, ncp) ||
			    out->len - at > MAX_LABEL)
				return false;
		}
		i += len;
		if (i < n) {
			buf_putc(out, '.');
			i++;
		}
	}
	return true;
}

/* Append query q without tracking and empty parameters. */
static void
put_query(struct buf *out, const char *q)
{
	struct buf param;
	bool first = true;

	buf_init(&param, MAX_URL * 3);
	while (*q) {
		size_t n = strcspn(q, "&");

		buf_reset(&param);
		put_normalized(&param, q, n);
		q += n;
		if (*q == '&')
			q++;
		if (param.len == 0)
			continue;
		const char *p = buf_str(&param);

		if (is_tracking(p, strcspn(p, "=")))
			continue;
		buf_putc(out, first ? '?' : '&');
		buf_append(out, p, param.len);
		first = false;
	}
	buf_free(&param);
}

/* The input cleaned for libcurl (see the top comment); NULL when it holds
 * control bytes or no "scheme://host". */
static char *
prepare(const char *url)
{
	struct buf b;
	size_t n = strlen(url);

	while (n && wd_isspace((unsigned char)url[n - 1]))
		n--;
	while (n && wd_isspace((unsigned char)*url)) {
		url++;
		n--;
	}
	if (n == 0 || n > MAX_URL)
		return NULL;
	buf_init(&b, MAX_URL * 3 + 1);
	for (size_t i = 0; i < n; i++) {
		if (url[i] != '\t' && url[i] != '\n' && url[i] != '\r')
			buf_putc(&b, url[i]);
	}
	char *s = buf_take(&b);
	const char *sep = strstr(s, "://");

	if (!sep || sep == s || sep[3] == '/' || sep[3] == '\0')
		goto fail;
	for (const char *p = s; p < sep; p++) {
		if (!wd_isalpha((unsigned char)*p))
			goto fail;
	}
	const char *auth = sep + 3;
	size_t alen = strcspn(auth, "/?#");

	for (size_t i = 0; i < alen; i++) {
		unsigned char c = (unsigned char)auth[i];

		if (c <= 0x20 || c == 0x7f)
			goto fail;
	}
	for (const char *p = auth + alen; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			goto fail;
	}
	buf_init(&b, MAX_URL * 3 + 1);
	buf_append(&b, s, (size_t)(auth + alen - s));
	put_normalized(&b, auth + alen, strlen(auth + alen));
	free(s);
	if (buf_failed(&b)) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
fail:
	free(s);
	return NULL;
}

/* A URL part from libcurl as a malloc'd string, or NULL when absent. */
static char *
get_part(CURLU *u, CURLUPart what, unsigned flags)
{
	char *v = NULL;

	if (curl_url_get(u, what, &v, flags) != CURLUE_OK || !v)
		return NULL;
	char *s = xstrdup(v);

	curl_free(v);
	return s;
}

char *
canon_link(const char *url)
{
	char *res = NULL, *scheme = NULL, *host = NULL, *port = NULL;
	char *path = NULL, *query = NULL, *frag = NULL;
	char *in = url ? prepare(url) : NULL;
	struct buf b;

	if (!in)
		return NULL;
	CURLU *u = curl_url();

	if (!u)
		goto out_free_in;
	if (curl_url_set(u, CURLUPART_URL, in, 0) != CURLUE_OK)
		goto out_cleanup;
	scheme = get_part(u, CURLUPART_SCHEME, 0);
	host = get_part(u, CURLUPART_HOST, 0);
	port = get_part(u, CURLUPART_PORT, CURLU_NO_DEFAULT_PORT);
	path = get_part(u, CURLUPART_PATH, 0);
	query = get_part(u, CURLUPART_QUERY, 0);
	frag = get_part(u, CURLUPART_FRAGMENT, 0);
	buf_init(&b, MAX_URL * 3 + 64);
	if (!scheme || !host || !*host ||
	    (wd_strcasecmp(scheme, "http") && wd_strcasecmp(scheme, "https")))
		goto out_free_buf;
	for (char *p = scheme; *p; p++)
		buf_putc(&b, (char)wd_tolower((unsigned char)*p));
	buf_puts(&b, "://");
	if (!put_host(&b, host, strlen(host)))
		goto out_free_buf;
	if (port) {
		buf_putc(&b, ':');
		buf_puts(&b, port);
	}
	if (path && *path)
		put_normalized(&b, path, strlen(path));
	else
		buf_putc(&b, '/');
	if (query)
		put_query(&b, query);
	if (frag && frag[0] == '!') {
		buf_putc(&b, '#');
		put_normalized(&b, frag, strlen(frag));
	}
	if (!buf_failed(&b))
		res = buf_take(&b);
out_free_buf:
	buf_free(&b);
out_cleanup:
	free(scheme);
	free(host);
	free(port);
	free(path);
	free(query);
	free(frag);
	curl_url_cleanup(u);
out_free_in:
	free(in);
	return res;
}

static bool
is_http(const char *s)
{
	while (s && wd_isspace((unsigned char)*s))
		s++;
	return s && (!wd_strncasecmp(s, "http://", 7) ||
		     !wd_strncasecmp(s, "https://", 8));
}

const char *
canon_pick_link(const struct item *it)
{
	if (!it)
		return NULL;
	if (is_http(it->orig_link))
		return it->orig_link;
	if (it->link && *it->link)
		return it->link;
	if (it->id_is_permalink && is_http(it->id))
		return it->id;
	return NULL;
}

char *
canon_item_link(const struct item *it)
{
	if (!it)
		return NULL;
	const char *cand[3] = {it->orig_link, it->link,
			       it->id_is_permalink ? it->id : NULL};

	for (int i = 0; i < 3; i++) {
		char *s = is_http(cand[i]) ? canon_link(cand[i]) : NULL;

		if (s)
			return s;
	}
	return NULL;
}
