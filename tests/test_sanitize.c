/* SPDX-License-Identifier: MIT */
/* tests/test_sanitize.c: output/sanitize (URL vetting, HTML allowlist,
 * HTML to text). */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/buf.h"
#include "output/sanitize.h"
#include "tests/suite.h"

static const char base[] = "https://wire.example.com/world/asia/story?id=7#top";

/* sanitize_url into a fresh string; NULL when refused. */
static char *
url(const char *u, const char *b, bool mailto)
{
	struct buf out;

	buf_init(&out, 1 << 20);
	buf_puts(&out, "");
	if (sanitize_url(u, b, mailto, &out) < 0) {
		ck_assert_uint_eq(out.len, 0);
		buf_free(&out);
		return NULL;
	}
	return buf_take(&out);
}

static void
url_is(const char *u, const char *b, const char *want)
{
	char *got = url(u, b, true);

	ck_assert_msg(got != NULL, "%s refused", u);
	ck_assert_str_eq(got, want);
	free(got);
}

static void
url_refused(const char *u, const char *b)
{
	char *got = url(u, b, true);

	ck_assert_msg(got == NULL, "%s kept as %s", u ? u : "(null)",
		      got ? got : "");
}

START_TEST(sanitize_url_keeps_http_and_https)
{
	url_is("https://a.example/x?y=1#z", NULL, "https://a.example/x?y=1#z");
	url_is("HTTP://A.example/X", NULL, "http://A.example/X");
	url_is("  https://a.example/x \n", NULL, "https://a.example/x");
	url_is("https://a.example/a b\"c<d>", NULL,
	       "https://a.example/a%20b%22c%3Cd%3E");
	url_is("https://a.example/caf\xc3\xa9", NULL,
	       "https://a.example/caf%C3%A9");
	url_is("https://a.example/p%20q", NULL, "https://a.example/p%20q");
	url_is("mailto:desk@gazette.example", NULL,
	       "mailto:desk@gazette.example");
	ck_assert_ptr_null(url("mailto:desk@gazette.example", NULL, false));
}
END_TEST

START_TEST(sanitize_url_refuses_script_schemes)
{
	url_refused("javascript:alert(1)", base);
	url_refused("JaVaScRiPt:alert(1)", base);
	url_refused(" \x01javascript:alert(1)", base);
	url_refused("java\tscript:alert(1)", base);
	url_refused("java\nscript:alert(1)", base);
	url_refused("java\x0bscript:alert(1)", base);
	url_refused("vbscript:msgbox(1)", base);
	url_refused("data:text/html,<script>alert(1)</script>", base);
	url_refused("DATA:image/png;base64,AAAA", base);
	url_refused("file:///etc/passwd", base);
	url_refused("ftp://a.example/x", base);
	url_refused("jav ascript:alert(1)", base);
	/* '#' starts a fragment, so this is a harmless relative link */
	url_is("&#106;avascript:alert(1)", base,
	       "https://wire.example.com/world/asia/&#106;avascript:alert(1)");
	url_refused("java\xe2\x80\x8bscript:alert(1)", base);
	url_refused(":alert(1)", base);
	url_refused("http:relative", base);
	url_refused("http://", base);
	url_refused("", NULL);
	url_refused(NULL, base);
}
END_TEST

START_TEST(sanitize_url_resolves_relative)
{
	url_is("/a/b", base, "https://wire.example.com/a/b");
	url_is("pic.png", base, "https://wire.example.com/world/asia/pic.png");
	url_is("../map", base, "https://wire.example.com/world/map");
	url_is("../../../../x", base, "https://wire.example.com/x");
	url_is("./a/./b/../c", base, "https://wire.example.com/world/asia/a/c");
	url_is("?id=8", base, "https://wire.example.com/world/asia/story?id=8");
	url_is("#more", base,
	       "https://wire.example.com/world/asia/story?id=7#more");
	url_is("", base, "https://wire.example.com/world/asia/story?id=7");
	url_is("//cdn.example.net/i.png", base,
	       "https://cdn.example.net/i.png");
	url_is("/\\evil.example/x", base, "https://evil.example/x");
	url_is("x y", "http://h.example", "http://h.example/x%20y");
	url_is("..", "http://h.example/a/b/", "http://h.example/a/");
}
END_TEST

START_TEST(sanitize_url_needs_an_http_base)
{
	url_refused("/a/b", NULL);
	url_refused("/a/b", "file:///tmp/feed.xml");
	url_refused("/a/b", "javascript:alert(1)");
	url_refused("/a/b", "relative/base");
	ck_assert(sanitize_url_is_http("https://a.example/"));
	ck_assert(sanitize_url_is_http(" http://a.example"));
	ck_assert(!sanitize_url_is_http("/a"));
	ck_assert(!sanitize_url_is_http("mailto:x@a.example"));
	ck_assert(!sanitize_url_is_http("javascript:x"));
	ck_assert(!sanitize_url_is_http(NULL));
}
END_TEST

START_TEST(sanitize_url_refuses_huge)
{
	static char u[100001];
	const size_t n = sizeof(u) - 1;

	memset(u, 'a', n);
	memcpy(u, "https://a.example/", 18);
	u[n] = '\0';
	url_refused(u, NULL);
}
END_TEST

/* sanitize_html into a fresh string. */
static char *
html(const char *in, const char *b)
{
	struct buf out;

	buf_init(&out, 64 << 20);
	ck_assert_int_eq(sanitize_html(in, b, &out), 0);
	return buf_take(&out);
}

static void
html_is(const char *in, const char *want)
{
	char *got = html(in, base);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(sanitize_html_keeps_allowlisted_markup)
{
	html_is("<p>One <b>two</b> <em>three</em> <code>x&lt;y</code></p>",
		"<p>One <b>two</b> <em>three</em> <code>x&lt;y</code></p>");
	html_is("<ul><li>a</li><li>b</li></ul>",
		"<ul><li>a</li><li>b</li></ul>");
	html_is("<p>a<br>b<br/>c</p>", "<p>a<br>b<br>c</p>");
	html_is("<blockquote cite=\"/q\">q</blockquote>",
		"<blockquote cite=\"https://wire.example.com/q\">q"
		"</blockquote>");
	html_is("<table><tr><td colspan=\"2\">c</td></tr></table>",
		"<table><tr><td colspan=\"2\">c</td></tr></table>");
}
END_TEST

START_TEST(sanitize_html_links_get_noopener)
{
	html_is("<p><a href=\"https://x.example/\" target=\"_blank\" "
		"rel=\"opener\" class=\"c\" id=\"i\">x</a></p>",
		"<p><a href=\"https://x.example/\" rel=\"noopener\">x</a></p>");
	html_is("<p><a href=\"/rel?a=1&amp;b=2\">r</a></p>",
		"<p><a href=\"https://wire.example.com/rel?a=1&amp;b=2\" "
		"rel=\"noopener\">r</a></p>");
	html_is("<p><a href=\"mailto:desk@x.example\">m</a></p>",
		"<p><a href=\"mailto:desk@x.example\" rel=\"noopener\">m</a>"
		"</p>");
	/* no safe target: the words stay, the link goes */
	html_is("<p><a href=\"javascript:alert(1)\">click</a></p>",
		"<p>click</p>");
	html_is("<p><a name=\"anchor\">here</a></p>", "<p>here</p>");
}
END_TEST

START_TEST(sanitize_html_drops_scripts_and_handlers)
{
	html_is("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>");
	html_is("<p onclick=\"x()\" style=\"color:red\">t</p>", "<p>t</p>");
	html_is("<style>p{}</style><p>t</p>", "<p>t</p>");
	html_is("<p>t<iframe src=\"https://x.example/\">f</iframe></p>",
		"<p>t</p>");
	html_is("<form><p>in form</p><input value=\"v\"></form><p>after</p>",
		"<p>after</p>");
	html_is("<p>x<!-- comment --><?pi x?>y</p>", "<p>xy</p>");
	html_is("<img src=\"data:image/png;base64,AAAA\"><p>t</p>", "<p>t</p>");
	html_is("<p><img src=\"pic.png\" alt=\"A &quot;pic&quot;\" "
		"width=\"100%\" height=\"40\" onerror=\"x()\"></p>",
		"<p><img src=\"https://wire.example.com/world/asia/pic.png\" "
		"alt=\"A &quot;pic&quot;\" height=\"40\"></p>");
}
END_TEST

START_TEST(sanitize_html_unwraps_unknown_tags)
{
	html_is("<p><font color=\"red\">red</font> <big>big</big> "
		"<blink>on</blink></p>",
		"<p>red big on</p>");
	html_is("<h1>Big</h1><h2 lang=\"en-GB\">Less</h2><h4 lang=\"x y\">"
		"h4</h4>",
		"<h3>Big</h3><h3 lang=\"en-GB\">Less</h3><h4>h4</h4>");
	html_is("<article><section><p>deep</p></section></article>",
		"<p>deep</p>");
}
END_TEST

START_TEST(sanitize_html_plain_text_is_wrapped_and_escaped)
{
	html_is("Tom &amp; Jerry &lt;3 \"q\"",
		"<p>Tom &amp; Jerry &lt;3 &quot;q&quot;</p>");
	html_is("", "");
	html_is("a]]>b", "<p>a]]&gt;b</p>");
}
END_TEST

/* Past HTML_MAX_DEPTH (64) elements are unwrapped; past libxml2's own
 * limit (256) the parser stops, and the rest of the input is lost. */
static char *
nested(size_t depth)
{
	struct buf in;

	buf_init(&in, 64 << 20);
	for (size_t i = 0; i < depth; i++)
		buf_puts(&in, "<span>");
	buf_puts(&in, "deep");
	char *got = html(buf_str(&in), base);

	buf_free(&in);
	return got;
}

START_TEST(sanitize_html_survives_deep_nesting)
{
	char *got = nested(200);

	ck_assert_ptr_nonnull(strstr(got, "deep"));
	ck_assert_uint_le(strlen(got), 8 + 65 * strlen("<span></span>") + 4);
	free(got);
	got = nested(100000);
	ck_assert_uint_lt(strlen(got), 2000);
	free(got);
}
END_TEST

START_TEST(sanitize_html_replaces_invalid_utf8)
{
	html_is("<p>bad \xff byte, caf\xc3\xa9</p>",
		"<p>bad \xef\xbf\xbd byte, caf\xc3\xa9</p>");
	html_is("<p>ctl\x01\x02 chars\x0c</p>", "<p>ctl chars</p>");
}
END_TEST

static void
text_is(const char *in, size_t max, const char *want)
{
	struct buf out;

	buf_init(&out, 1 << 20);
	ck_assert_int_eq(sanitize_text(in, max, &out), 0);
	ck_assert_str_eq(buf_str(&out), want);
	buf_free(&out);
}

START_TEST(sanitize_text_collapses_and_decodes)
{
	text_is("<p>One&nbsp;two</p>\n\n<p>  three <b>four</b></p>", 0,
		"One\xc2\xa0two three four");
	text_is("<p>a<script>var x = '<p>';</script>b</p>", 0, "ab");
	text_is("AT&amp;T &lt;b&gt;", 0, "AT&T <b>");
	text_is("<ul><li>x</li><li>y</li></ul>", 0, "x y");
	text_is("", 0, "");
	text_is(NULL, 0, "");
}
END_TEST

START_TEST(sanitize_text_cuts_on_words)
{
	text_is("The quick brown fox jumps over the lazy dog", 20,
		"The quick brown\xe2\x80\xa6");
	text_is("\xe6\xb4\xaa\xe6\xb0\xb4\xe6\xb4\xaa\xe6\xb0\xb4", 8,
		"\xe6\xb4\xaa\xe2\x80\xa6");
	text_is("short", 20, "short");
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("sanitize");
	TCase *tc = tcase_create("url");

	tcase_add_test(tc, sanitize_url_keeps_http_and_https);
	tcase_add_test(tc, sanitize_url_refuses_script_schemes);
	tcase_add_test(tc, sanitize_url_resolves_relative);
	tcase_add_test(tc, sanitize_url_needs_an_http_base);
	tcase_add_test(tc, sanitize_url_refuses_huge);
	suite_add_tcase(s, tc);
	tc = tcase_create("html");
	tcase_add_test(tc, sanitize_html_keeps_allowlisted_markup);
	tcase_add_test(tc, sanitize_html_links_get_noopener);
	tcase_add_test(tc, sanitize_html_drops_scripts_and_handlers);
	tcase_add_test(tc, sanitize_html_unwraps_unknown_tags);
	tcase_add_test(tc, sanitize_html_plain_text_is_wrapped_and_escaped);
	tcase_add_test(tc, sanitize_html_survives_deep_nesting);
	tcase_add_test(tc, sanitize_html_replaces_invalid_utf8);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, sanitize_text_collapses_and_decodes);
	tcase_add_test(tc, sanitize_text_cuts_on_words);
	suite_add_tcase(s, tc);
	return s;
}
