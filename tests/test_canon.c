/* SPDX-License-Identifier: MIT */
/* tests/test_canon.c: feeds/canon, canonical links for story identity. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/item.h"
#include "feeds/canon.h"
#include "tests/suite.h"

struct canon_case {
	const char *in;
	const char *want; /* NULL: not a canonical http(s) link */
};

static void
check_cases(const struct canon_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = canon_link(c[i].in);

		if (!c[i].want)
			ck_assert_msg(got == NULL,
				      "'%s' should be refused, got '%s'",
				      c[i].in, got);
		else
			ck_assert_msg(got && !strcmp(got, c[i].want),
				      "'%s': got '%s', want '%s'", c[i].in,
				      got ? got : "(null)", c[i].want);
		free(got);
	}
}

#define CHECK_CASES(tab) check_cases(tab, sizeof(tab) / sizeof(tab[0]))

START_TEST(canon_link_lowercases_scheme_and_host)
{
	static const struct canon_case c[] = {
	    {"HTTP://WWW.Example.COM/News/Story-1.html",
	     "http://www.example.com/News/Story-1.html"},
	    {"HtTpS://Wire.Example.org", "https://wire.example.org/"},
	    {"https://wire.example.org.", "https://wire.example.org/"},
	    {"https://wire.example.org./a", "https://wire.example.org/a"},
	    {"http://[2001:DB8::1]/a", "http://[2001:db8::1]/a"},
	    {"http://192.0.2.7/a", "http://192.0.2.7/a"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(canon_link_drops_default_port_fragment_userinfo)
{
	static const struct canon_case c[] = {
	    {"http://example.com:80/a", "http://example.com/a"},
	    {"https://example.com:443/a", "https://example.com/a"},
	    {"https://example.com:80/a", "https://example.com:80/a"},
	    {"http://example.com:8080/a", "http://example.com:8080/a"},
	    {"http://example.com/a#comments", "http://example.com/a"},
	    {"http://example.com/a?x=1#top", "http://example.com/a?x=1"},
	    {"http://example.com/a#", "http://example.com/a"},
	    {"http://example.com/#!/story/42",
	     "http://example.com/#!/story/42"},
	    {"http://editor:secret@example.com/a", "http://example.com/a"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(canon_link_removes_tracking_parameters)
{
	static const struct canon_case c[] = {
	    {"https://example.com/a?utm_source=rss&utm_medium=feed"
	     "&utm_campaign=world",
	     "https://example.com/a"},
	    {"https://example.com/a?id=7&utm_source=rss&page=2",
	     "https://example.com/a?id=7&page=2"},
	    {"https://example.com/a?page=2&id=7",
	     "https://example.com/a?page=2&id=7"},
	    {"https://example.com/a?UTM_Source=x&b=1",
	     "https://example.com/a?b=1"},
	    {"https://example.com/a?utm%5Fsource=x&b=1",
	     "https://example.com/a?b=1"},
	    {"https://example.com/a?fbclid=IwAR0abc", "https://example.com/a"},
	    {"https://example.com/a?gclid=1&dclid=2&msclkid=3&b=4",
	     "https://example.com/a?b=4"},
	    {"https://example.com/a?mc_cid=1&mc_eid=2",
	     "https://example.com/a"},
	    {"https://example.com/a?ref=rss&cmpid=x&ocid=y&ncid=z",
	     "https://example.com/a"},
	    {"https://example.com/a?spm=a.b.c&_ga=2.1&igshid=q",
	     "https://example.com/a"},
	    {"https://example.com/a?ns_mchannel=rss&ns_source=PublicRSS20-sa",
	     "https://example.com/a"},
	    {"https://example.com/a?pk_campaign=x&mtm_source=y",
	     "https://example.com/a"},
	    /* only the name counts, and only whole names or utm_ prefixes */
	    {"https://example.com/a?reference=1&refs=2&utm=3&spmx=4",
	     "https://example.com/a?reference=1&refs=2&utm=3&spmx=4"},
	    {"https://example.com/a?q=utm_source",
	     "https://example.com/a?q=utm_source"},
	    {"https://example.com/a?ref", "https://example.com/a"},
	    {"https://example.com/a?", "https://example.com/a"},
	    {"https://example.com/a?&&", "https://example.com/a"},
	    {"https://example.com/a?x=1&&y=2&",
	     "https://example.com/a?x=1&y=2"},
	    {"https://example.com/a?x=a+b&y=%20",
	     "https://example.com/a?x=a+b&y=%20"},
	    {"https://example.com/a?x=1;utm_source=2",
	     "https://example.com/a?x=1;utm_source=2"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(canon_link_normalizes_path_and_encoding)
{
	static const struct canon_case c[] = {
	    {"http://example.com", "http://example.com/"},
	    {"http://example.com/a/./b/../c", "http://example.com/a/c"},
	    {"http://example.com/../../a", "http://example.com/a"},
	    {"http://example.com/a/b/..", "http://example.com/a/"},
	    {"http://example.com/%7euser/%2fx%2F",
	     "http://example.com/~user/%2Fx%2F"},
	    {"http://example.com/%41%42c", "http://example.com/ABc"},
	    {"http://example.com/a%zz", "http://example.com/a%25zz"},
	    {"http://example.com/a%", "http://example.com/a%25"},
	    {"http://example.com/a%4", "http://example.com/a%254"},
	    {"http://example.com/a?q=%e2%82%ac",
	     "http://example.com/a?q=%E2%82%AC"},
	    {"http://example.com/caf\xc3\xa9", "http://example.com/caf%C3%A9"},
	    {"http://example.com/caf%C3%A9", "http://example.com/caf%C3%A9"},
	    {"http://example.com/a b?c d", "http://example.com/a%20b?c%20d"},
	    {"http://example.com/a|b{c}", "http://example.com/a%7Cb%7Bc%7D"},
	    {"  http://example.com/a \n", "http://example.com/a"},
	    {"http://example.com/very/\n\tlong/link",
	     "http://example.com/very/long/link"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(canon_link_encodes_idn_hosts)
{
	static const struct canon_case c[] = {
	    {"http://b\xc3\xbc"
	     "cher.example/a",
	     "http://xn--bcher-kva.example/a"},
	    {"http://B\xc3\x9c"
	     "CHER.example/a",
	     "http://xn--bcher-kva.example/a"},
	    {"http://xn--bcher-kva.example/a",
	     "http://xn--bcher-kva.example/a"},
	    {"http://XN--BCHER-KVA.example/a",
	     "http://xn--bcher-kva.example/a"},
	    {"http://m\xc3\xbcnchen.example/",
	     "http://xn--mnchen-3ya.example/"},
	    {"http://news.\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xb8\xd1\x82\xd0"
	     "\xb5\xd0\xbb\xd1\x8c\xd1\x81\xd1\x82\xd0\xb2\xd0\xbe.example/",
	     "http://news.xn--80aealotwbjpid2k.example/"},
	    {"http://\xce\xb5\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba"
	     "\xce\xac.example/",
	     "http://xn--hxargifdar.example/"},
	    {"http://\xe4\xbe\x8b\xe3\x81\x88.example/",
	     "http://xn--r8jz45g.example/"},
	    {"http://1\xc3\xa4"
	     "2.example/",
	     "http://xn--12-via.example/"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(canon_link_refuses_non_http_and_garbage)
{
	static const struct canon_case c[] = {
	    {"", NULL},
	    {"   ", NULL},
	    {"example.com/a", NULL},
	    {"/a/b", NULL},
	    {"//example.com/a", NULL},
	    {"ftp://example.com/a", NULL},
	    {"mailto:desk@example.com", NULL},
	    {"javascript:alert(1)", NULL},
	    {"data:text/html,<b>x</b>", NULL},
	    {"file:///etc/passwd", NULL},
	    {"http://", NULL},
	    {"http:///a", NULL},
	    {"http:example.com/a", NULL},
	    {"http://exa mple.com/a", NULL},
	    {"http://example.com\\a", NULL},
	    {"http://example.com/a\x01"
	     "b",
	     NULL},
	    {"http://example.com/a\x7f", NULL},
	    {"ht1p://example.com/", NULL},
	    {"://example.com/", NULL},
	    {"http://example.com:99999/", NULL},
	    {"http://example.com:port/", NULL},
	    {"http://[::1/", NULL},
	    {"http://\xff\xfe.example/", NULL},
	    {"http://b\xc3\xbc"
	     "cher\xc3.example/",
	     NULL},
	    {"<a href=\"http://example.com/\">", NULL},
	};

	CHECK_CASES(c);
	ck_assert_ptr_null(canon_link(NULL));
}
END_TEST

START_TEST(canon_link_survives_hostile_input)
{
	size_t big = 20000;
	char *s = malloc(big + 1);

	ck_assert_ptr_nonnull(s);
	/* too long to be a link we keep */
	memcpy(s, "http://example.com/", 19);
	memset(s + 19, 'a', big - 19);
	s[big] = '\0';
	ck_assert_ptr_null(canon_link(s));
	/* long but acceptable: 8000 bytes that all need encoding */
	memset(s + 19, ' ', 8000 - 19);
	s[8000] = 'x';
	s[8001] = '\0';
	char *got = canon_link(s);

	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(strlen(got), 19 + 3 * (8000 - 19) + 1);
	free(got);
	/* a huge query of tracking parameters */
	size_t n = 0;

	n += (size_t)snprintf(s, big, "https://example.com/a?");
	while (n + 20 < 8000)
		n += (size_t)snprintf(s + n, big - n, "utm_x=%zu&", n);
	got = canon_link(s);
	ck_assert_str_eq(got, "https://example.com/a");
	free(got);
	/* a long non-ASCII host label */
	n = (size_t)snprintf(s, big, "http://");
	for (int i = 0; i < 200; i++) {
		s[n++] = (char)0xc3;
		s[n++] = (char)0xa9;
	}
	memcpy(s + n, ".example/", 10);
	ck_assert_ptr_null(canon_link(s));
	/* pseudo-random bytes after a valid start: never crash, and
	 * whatever comes back is again canonical */
	static const char alpha[] = "aZ09%/.?&#=:@[]!+-_~ \t\\\"<>|"
				    "\xc3\xa9\xe4\xbe\x8b\xff";
	uint32_t x = 2463534242u;

	for (int round = 0; round < 3000; round++) {
		n = (size_t)snprintf(s, big, "%s",
				     round % 2 ? "http://" : "HTTPS://Ex.com/");
		size_t len = (size_t)(round % 60);

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			s[n++] = alpha[x % (sizeof(alpha) - 1)];
		}
		s[n] = '\0';
		got = canon_link(s);
		if (got) {
			char *again = canon_link(got);

			ck_assert_msg(again && !strcmp(again, got),
				      "not idempotent: '%s' -> '%s' -> '%s'", s,
				      got, again ? again : "(null)");
			free(again);
		}
		free(got);
	}
	free(s);
}
END_TEST

START_TEST(canon_pick_link_prefers_orig_link)
{
	struct item it;

	memset(&it, 0, sizeof(it));
	ck_assert_ptr_null(canon_pick_link(&it));
	ck_assert_ptr_null(canon_pick_link(NULL));
	ck_assert_ptr_null(canon_item_link(&it));
	it.id = "tag:example.com,2024:1";
	it.id_is_permalink = true;
	ck_assert_ptr_null(canon_pick_link(&it));
	it.id = "https://wire.example/story/1?utm_source=rss";
	ck_assert_str_eq(canon_pick_link(&it), it.id);
	it.id_is_permalink = false;
	ck_assert_ptr_null(canon_pick_link(&it));
	it.link = "http://feeds.example.net/~r/wire/~3/abc/story.html";
	ck_assert_str_eq(canon_pick_link(&it), it.link);
	it.orig_link = "https://Wire.Example/story/1?utm_source=feedburner";
	ck_assert_str_eq(canon_pick_link(&it), it.orig_link);

	char *s = canon_item_link(&it);

	ck_assert_str_eq(s, "https://wire.example/story/1");
	free(s);
	/* an unusable origLink falls back to the link */
	it.orig_link = "not a link";
	ck_assert_str_eq(canon_pick_link(&it), it.link);
	s = canon_item_link(&it);
	ck_assert_str_eq(s,
			 "http://feeds.example.net/~r/wire/~3/abc/story.html");
	free(s);
	it.orig_link = "https://";
	s = canon_item_link(&it);
	ck_assert_str_eq(s,
			 "http://feeds.example.net/~r/wire/~3/abc/story.html");
	free(s);
	/* the same article through two feeds */
	struct item other;

	memset(&other, 0, sizeof(other));
	other.link = "HTTPS://wire.example:443/story/./1#comments";
	s = canon_item_link(&other);
	ck_assert_str_eq(s, "https://wire.example/story/1");
	free(s);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("canon");
	TCase *tc = tcase_create("link");

	tcase_add_test(tc, canon_link_lowercases_scheme_and_host);
	tcase_add_test(tc, canon_link_drops_default_port_fragment_userinfo);
	tcase_add_test(tc, canon_link_removes_tracking_parameters);
	tcase_add_test(tc, canon_link_normalizes_path_and_encoding);
	tcase_add_test(tc, canon_link_encodes_idn_hosts);
	suite_add_tcase(s, tc);
	tc = tcase_create("refusals");
	tcase_add_test(tc, canon_link_refuses_non_http_and_garbage);
	tcase_add_test(tc, canon_link_survives_hostile_input);
	suite_add_tcase(s, tc);
	tc = tcase_create("pick");
	tcase_add_test(tc, canon_pick_link_prefers_orig_link);
	suite_add_tcase(s, tc);
	return s;
}
