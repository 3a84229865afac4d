/* SPDX-License-Identifier: MIT */
/* feeds/encoding.c: a feed's bytes to UTF-8 (BOM, declaration, RFC 3023,
 * iconv for everything else); parse stage. */
#include "feeds/encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

#ifdef WD_HAVE_UCHARDET
#include <uchardet/uchardet.h>
#endif

/* The byte order mark or NUL pattern at the start, and its length. */
static const char *
sniff(const unsigned char *d, size_t len, size_t *bom)
{
	static const struct {
		const char *sig;
		size_t n, cut;
		const char *enc;
	} sigs[] = {
	    {"\x00\x00\xfe\xff", 4, 4, "utf-32be"},
	    {"\xff\xfe\x00\x00", 4, 4, "utf-32le"},
	    {"\x00\x00\x00\x3c", 4, 0, "utf-32be"},
	    {"\x3c\x00\x00\x00", 4, 0, "utf-32le"},
	    {"\xfe\xff", 2, 2, "utf-16be"},
	    {"\xff\xfe", 2, 2, "utf-16le"},
	    {"\x00\x3c\x00\x3f", 4, 0, "utf-16be"},
	    {"\x3c\x00\x3f\x00", 4, 0, "utf-16le"},
	    {"\xef\xbb\xbf", 3, 3, "utf-8"},
	    {"\x4c\x6f\xa7\x94", 4, 0, "cp037"},
	};

	*bom = 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (len >= sigs[i].n &&
		    memcmp(d, sigs[i].sig, sigs[i].n) == 0) {
			*bom = sigs[i].cut;
			return sigs[i].enc;
		}
	}
	return NULL;
}

/* Code unit width of a sniffed encoding, for reading the declaration. */
static size_t
unit_width(const char *enc, bool *big)
{
	*big = enc && strstr(enc, "be");
	if (!enc)
		return 1;
	if (strncmp(enc, "utf-32", 6) == 0)
		return 4;
	if (strncmp(enc, "utf-16", 6) == 0)
		return 2;
	return 1;
}

static void
lower_copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)wd_tolower((unsigned char)s[i]);
	dst[n] = '\0';
}

/* XML's EncName, also good enough for HTTP charset values: anything else
 * is junk we neither try nor report. */
static bool
is_enc_name(const char *s, size_t n)
{
	if (!n || n > 40 || !wd_isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!wd_isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-' && s[i] != ':')
			return false;
	}
	return true;
}

/* The encoding="..." of the XML declaration, lower case, into out. */
static bool
declared(const unsigned char *d, size_t len, size_t bom, const char *sniffed,
	 char *out, size_t size)
{
	bool big;
	size_t w = unit_width(sniffed, &big);
	char head[256];
	size_t n = 0;

	if (sniffed && strcmp(sniffed, "cp037") == 0) {
		/* EBCDIC: read the declaration through code page 037, whose
		 * letters, digits and punctuation the others share */
		iconv_t cd = iconv_open("UTF-8", "IBM037");

		if (cd == (iconv_t)-1)
			return false;
		char *in = (char *)d, *o = head;
		size_t left = len < 200 ? len : 200, room = sizeof(head) - 1;

		iconv(cd, &in, &left, &o, &room);
		iconv_close(cd);
		*o = '\0';
		char *gt = strchr(head, '>');

		if (gt)
			gt[1] = '\0';
	} else {
		for (size_t i = bom; i + w <= len && n < sizeof(head) - 1;
		     i += w) {
			unsigned char c = big ? d[i + w - 1] : d[i];

			head[n++] = (char)c;
			if (c == '>')
				break;
		}
		head[n] = '\0';
	}
	if (strncmp(head, "<?xml", 5) != 0)
		return false;
	const char *e = strstr(head, "encoding");

	if (!e)
		return false;
	e += 8;
	while (wd_isspace((unsigned char)*e))
		e++;
	if (*e != '=')
		return false;
	e++;
	while (wd_isspace((unsigned char)*e))
		e++;
	char q = *e;

	if (q != '"' && q != '\'')
		return false;
	const char *end = strchr(e + 1, q);

	if (!end || end == e + 1)
		return false;
	if (!is_enc_name(e + 1, (size_t)(end - e - 1)))
		return false;
	lower_copy(out, size, e + 1, (size_t)(end - e - 1));
	return true;
}

/* Media type and charset parameter of a Content-Type header. */
static void
content_type_parse(const char *ct, char *type, size_t tsize, char *charset,
		   size_t csize)
{
	const char *semi = strchr(ct, ';');
	size_t n = semi ? (size_t)(semi - ct) : strlen(ct);

	while (n && wd_isspace((unsigned char)ct[n - 1]))
		n--;
	while (n && wd_isspace((unsigned char)*ct))
		ct++, n--;
	lower_copy(type, tsize, ct, n);
	charset[0] = '\0';
	for (const char *p = semi; p && *p;) {
		p++;
		while (wd_isspace((unsigned char)*p))
			p++;
		const char *next = strchr(p, ';');
		size_t plen = next ? (size_t)(next - p) : strlen(p);

		if (plen > 8 && wd_strncasecmp(p, "charset", 7) == 0) {
			const char *v = p + 7;

			while (wd_isspace((unsigned char)*v))
				v++;
			if (*v == '=') {
				v++;
				while (wd_isspace((unsigned char)*v) ||
				       *v == '"' || *v == '\'')
					v++;
				size_t vlen = (size_t)(p + plen - v);

				while (
				    vlen &&
				    (wd_isspace((unsigned char)v[vlen - 1]) ||
				     v[vlen - 1] == '"' || v[vlen - 1] == '\''))
					vlen--;
				if (is_enc_name(v, vlen))
					lower_copy(charset, csize, v, vlen);
			}
		}
		p = next;
	}
}

static bool
is_valid_utf8(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		/* skip ASCII eight bytes at a time */
		while (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		while (i < n && (unsigned char)s[i] < 0x80)
			i++;
		if (i >= n)
			break;
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (!len)
			return false;
		i += len;
	}
	return true;
}

bool
enc_is_utf8(const char *s, size_t n)
{
	return is_valid_utf8(s, n);
}

static bool
is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return false;
	}
	return true;
}

static const char *
iconv_name(const char *enc, char *tmp, size_t size)
{
	/* Python spells "windows_1252", iconv "windows-1252" */
	snprintf(tmp, size, "%s", enc);
	for (char *p = tmp; *p; p++) {
		if (*p == '_')
			*p = '-';
	}
	enc = tmp;
	static const struct {
		const char *from, *to;
	} alias[] = {
	    {"cp037", "IBM037"},
	    {"ibm039", "IBM037"},
	    {"cp-is", "CP861"},
	    {"csibm861", "IBM861"},
	    {"maccentraleurope", "MAC-CENTRALEUROPE"},
	    {"maclatin2", "MAC-CENTRALEUROPE"},
	    {"maciceland", "MAC-IS"},
	    {"macroman", "MACINTOSH"},
	    {"maccyrillic", "MAC-CYRILLIC"},
	    {"gb2312", "GB18030"},
	    {"x-sjis", "SHIFT_JIS"},
	    {"macintosh", "MACINTOSH"},
	    {"utf-16", "UTF-16"},
	    {"utf-32", "UTF-32"},
	};

	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++) {
		if (strcmp(enc, alias[i].from) == 0)
			return alias[i].to;
	}
	return enc;
}

/* Strictly decode d[0..len) from enc into out; false if any byte fails. */
static bool
iconv_decode(const char *enc, const char *d, size_t len, struct buf *out)
{
	char name[64];
	iconv_t cd = iconv_open("UTF-8", iconv_name(enc, name, sizeof(name)));

	if (cd == (iconv_t)-1)
		return false;
	char tmp[8192];
	char *in = (char *)d;
	size_t left = len;
	bool ok = true;

	buf_reset(out);
	while (left) {
		char *o = tmp;
		size_t room = sizeof(tmp);
		size_t r = iconv(cd, &in, &left, &o, &room);

		buf_append(out, tmp, (size_t)(o - tmp));
		if (r == (size_t)-1 && errno != E2BIG) {
			ok = false;
			break;
		}
	}
	iconv_close(cd);
	if (buf_failed(out))
		ok = false;
	return ok;
}

/* windows-1252 for 0x80..0x9f; the five bytes it leaves undefined map
 * to the C1 controls, so this decoder never fails (as browsers do).
 * With latin1 set it is ISO-8859-1, every byte its own code point (the
 * C1 controls are repaired later, per field, as feedparser does). */
static const unsigned short cp1252_hi[32] = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
    0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178};

/* The first needle[0..k) in s[0..n), or NULL. */
static const char *
find_bytes(const char *s, size_t n, const char *needle, size_t k)
{
	for (const char *p = s; n - (size_t)(p - s) >= k; p++) {
		p = memchr(p, needle[0], n - (size_t)(p - s) - k + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, k) == 0)
			return p;
	}
	return NULL;
}

/*
 * Where the XML declaration at the start of s[0..n) names its encoding:
 * bytes [*from, *to) hold "encoding" up to the closing quote of its value.
 * The searches stop at a NUL, as they would on a C string.
 */
static bool
declared_encoding_at(const char *s, size_t n, size_t *from, size_t *to)
{
	if (n < 6 || memcmp(s, "<?xml", 5) != 0)
		return false;
	n = strnlen(s, n);
	const char *end = find_bytes(s, n, "?>", 2);
	const char *e = find_bytes(s, n, "encoding", 8);

	if (!end || !e || e > end)
		return false;
	const char *q = e + 8;

	while (q < end && *q != '"' && *q != '\'')
		q++;
	if (q >= end)
		return false;
	const char *q2 = memchr(q + 1, *q, (size_t)(end - q - 1));

	if (!q2)
		return false;
	*from = (size_t)(e - s);
	*to = (size_t)(q2 + 1 - s);
	return true;
}

/* Append d[0..len) decoded from windows-1252 (or Latin-1) to out. */
static void
cp1252_append(struct buf *out, const char *d, size_t len, bool latin1)
{
	for (size_t i = 0; i < len;) {
		size_t start = i;

		/* ASCII runs a word at a time: the text is mostly ASCII */
		for (uint64_t w; len - i >= 8; i += 8) {
			memcpy(&w, d + i, 8);
			if (w & 0x8080808080808080ull)
				break;
		}
		while (i < len && (unsigned char)d[i] < 0x80)
			i++;
		buf_append(out, d + start, i - start);
		if (i >= len)
			break;
		unsigned char c = (unsigned char)d[i++];

		wd_utf8_put(out, c < 0xa0 && !latin1 ? cp1252_hi[c - 0x80] : c);
	}
}

/*
 * Decode d[0..len) from windows-1252 (or Latin-1) into out, without the
 * declaration's encoding pseudo-attribute (see drop_declared_encoding).
 * It is found in the input: these encodings keep every ASCII byte as it
 * is and turn the others into non-ASCII bytes, so it is where it would be
 * in the output, and the document is not copied again to drop it.
 */
static void
cp1252_decode(const char *d, size_t len, struct buf *out, bool latin1)
{
	size_t from, to;

	buf_reset(out);
	if (declared_encoding_at(d, len, &from, &to)) {
		cp1252_append(out, d, from, latin1);
		d += to;
		len -= to;
	}
	cp1252_append(out, d, len, latin1);
}

/* The name feedparser reports for an encoding we decoded with. */
static const char *
report_name(const char *enc)
{
	if (strcmp(enc, "gb2312") == 0)
		return "gb18030";
	return enc;
}

static bool
is_xml_type(const char *t)
{
	size_t n = strlen(t);

	return strcmp(t, "application/xml") == 0 ||
	       strcmp(t, "application/xml-dtd") == 0 ||
	       strcmp(t, "application/xml-external-parsed-entity") == 0 ||
	       (strncmp(t, "application/", 12) == 0 && n > 4 &&
		strcmp(t + n - 4, "+xml") == 0);
}

static bool
is_text_xml_type(const char *t)
{
	size_t n = strlen(t);

	return strcmp(t, "text/xml") == 0 ||
	       strcmp(t, "text/xml-external-parsed-entity") == 0 ||
	       (strncmp(t, "text/", 5) == 0 && n > 4 &&
		strcmp(t + n - 4, "+xml") == 0);
}

/*
 * A guess from the bytes alone, for documents that decode neither as
 * declared nor as UTF-8 (feedparser asks chardet at this point). The
 * guess is written to buf in lower case; the names follow chardet's where
 * the conformance corpus expects them.
 */
/*
 * Guesses between the Latin code pages are weak on the short texts of a
 * feed (French text comes back as ISO-8859-2): for those the windows-1252
 * fallback below is the better bet. Other scripts (CJK, Cyrillic, Greek,
 * Hebrew, Thai...) are told apart reliably, and those are what the guess
 * is for.
 */
static bool
latin_guess(const char *cs)
{
	static const char *const latin[] = {
	    "ASCII",        "ISO-8859-1",        "ISO-8859-2",
	    "ISO-8859-3",   "ISO-8859-4",        "ISO-8859-9",
	    "ISO-8859-10",  "ISO-8859-13",       "ISO-8859-14",
	    "ISO-8859-15",  "ISO-8859-16",       "WINDOWS-1250",
	    "WINDOWS-1252", "WINDOWS-1254",      "WINDOWS-1257",
	    "WINDOWS-1258", "MAC-CENTRALEUROPE", "IBM852",
	    "IBM865"};

	for (size_t i = 0; i < sizeof(latin) / sizeof(latin[0]); i++) {
		if (wd_strcasecmp(cs, latin[i]) == 0)
			return true;
	}
	return false;
}

static const char *
guess_encoding(const char *d, size_t len, char *buf, size_t size,
	       const char **report)
{
#ifdef WD_HAVE_UCHARDET
	uchardet_t u = uchardet_new();

	if (!u)
		return NULL;
	const char *out = NULL;

	if (uchardet_handle_data(u, d, len) == 0) {
		uchardet_data_end(u);
		const char *cs = uchardet_get_charset(u);

		if (cs && *cs && !latin_guess(cs)) {
			lower_copy(buf, size, cs, strlen(cs));
			out = buf;
			*report = buf;
			if (wd_strcasecmp(cs, "UHC") == 0)
				*report = "euc-kr"; /* decoded as UHC */
			else if (wd_strcasecmp(cs, "GB18030") == 0)
				*report = "gb2312";
		}
	}
	uchardet_delete(u);
	return out;
#else
	(void)d;
	(void)len;
	(void)buf;
	(void)size;
	(void)report;
	return NULL;
#endif
}

/*
 * The converted text still declares its old encoding, whose name may not
 * even be well-formed for expat ("437"): drop the encoding pseudo-attribute.
 */
static void
drop_declared_encoding(struct buf *out)
{
	const char *d = buf_str(out);
	size_t from, to;

	if (!declared_encoding_at(d, out->len, &from, &to))
		return;
	struct buf tmp;

	buf_init(&tmp, out->max);
	buf_append(&tmp, d, from);
	buf_append(&tmp, d + to, out->len - to);
	buf_reset(out);
	buf_append(out, buf_str(&tmp), tmp.len);
	buf_free(&tmp);
}

/*
 * The order follows feedparser, which the conformance corpus encodes:
 * the RFC 3023 answer (HTTP charset; text/xml without one means
 * US-ASCII), then the declaration, then the BOM, then UTF-8,
 * windows-1252 and ISO-8859-2. The first that decodes every byte wins;
 * when that is not the RFC 3023 answer the document is marked bozo.
 */
void
enc_to_utf8(const char *doc, size_t len, const char *content_type,
	    unsigned flags, struct buf *out, struct enc_result *res)
{
	const unsigned char *d = (const unsigned char *)doc;
	size_t bom;
	const char *sniffed = sniff(d, len, &bom);
	char decl[48] = "", type[128] = "", charset[48] = "";
	bool has_decl = declared(d, len, bom, sniffed, decl, sizeof(decl));

	memset(res, 0, sizeof(*res));
	if (sniffed && strncmp(sniffed, "utf-", 4) == 0 &&
	    strcmp(sniffed, "utf-8") != 0) {
		/* NULs or a BOM say UTF-16/32 and its byte order, whatever
		 * the declaration calls it ("utf16", "u16", "utf_16") */
		snprintf(decl, sizeof(decl), "%s", sniffed);
		has_decl = true;
	}
	if (content_type)
		content_type_parse(content_type, type, sizeof(type), charset,
				   sizeof(charset));

	const char *rfc3023;

	if (!content_type || !*type)
		rfc3023 = has_decl ? decl : sniffed ? sniffed : "utf-8";
	else if (is_xml_type(type))
		rfc3023 = *charset ? charset : has_decl ? decl : "utf-8";
	else if (strncmp(type, "text/", 5) == 0)
		rfc3023 = *charset ? charset : "us-ascii";
	else
		rfc3023 = *charset ? charset : has_decl ? decl : "utf-8";
	if (content_type && *type && !is_xml_type(type) &&
	    !is_text_xml_type(type) && strstr(type, "json") == NULL)
		res->bozo_msg = "not an XML media type";

	char guessed[48];
	const char *guess_report = NULL;
	const char *cands[] = {
	    rfc3023, has_decl ? decl : NULL, sniffed,     "?guess",
	    "utf-8", "windows-1252",         "iso-8859-2"};
	const char *data = doc + bom;
	size_t dlen = len - bom;

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		const char *c = cands[i];
		bool ok, dropped = false;

		bool guess = c && strcmp(c, "?guess") == 0;

		if (guess)
			c = guess_encoding(doc + bom, len - bom, guessed,
					   sizeof(guessed), &guess_report);
		if (!c || !*c)
			continue;
		if (strcmp(c, "utf-8") == 0 || strcmp(c, "utf8") == 0) {
			res->unchecked = i == 0 && (flags & ENC_LAZY_UTF8);
			ok = res->unchecked || is_valid_utf8(data, dlen);
		} else if (strcmp(c, "us-ascii") == 0 ||
			   strcmp(c, "ascii") == 0) {
			ok = is_ascii(data, dlen);
		} else if (strcmp(c, "windows-1252") == 0 ||
			   strcmp(c, "cp1252") == 0) {
			cp1252_decode(data, dlen, out, false);
			ok = res->converted = dropped = !buf_failed(out);
		} else if (strcmp(c, "iso-8859-1") == 0 ||
			   strcmp(c, "latin1") == 0 ||
			   strcmp(c, "latin-1") == 0 ||
			   strcmp(c, "iso8859-1") == 0) {
			cp1252_decode(data, dlen, out, true);
			ok = res->converted = dropped = !buf_failed(out);
		} else {
			ok = iconv_decode(c, data, dlen, out);
			res->converted = ok;
		}
		if (!ok)
			continue;
		snprintf(res->encoding, sizeof(res->encoding), "%s",
			 guess ? guess_report : report_name(c));
		if (res->converted && !dropped)
			drop_declared_encoding(out);
		res->skip = res->converted ? 0 : bom;
		if (i != 0)
			res->bozo_msg = "character encoding overridden: the "
					"declared encoding does not decode the "
					"document";
		return;
	}
	/* unreachable in practice: ISO-8859-2 maps every byte */
	buf_reset(out);
	wd_utf8_sanitize(out, data, dlen);
	res->converted = true;
	snprintf(res->encoding, sizeof(res->encoding), "utf-8");
	res->bozo_msg = "unknown character encoding";
}
