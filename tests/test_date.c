/* SPDX-License-Identifier: MIT */
/* tests/test_date.c: core/date.c, wd_date_parse over every date form feeds
 * use, and the ones it must refuse. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "core/item.h"
#include "core/wdtime.h"
#include "tests/suite.h"

struct date_case {
	const char *in;
	const char *want; /* "YYYY-MM-DDTHH:MM:SS" UTC, or NULL: refused */
};

/* Seconds since the epoch for want, counted the slow, obvious way so the
 * test does not share the parser's arithmetic. */
static int64_t
expect(const char *want)
{
	int y, mo, d, h, mi, s;

	ck_assert_int_eq(
	    sscanf(want, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s), 6);
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	int64_t days = 0;

	for (int yy = 1970; yy < y; yy++)
		days +=
		    (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0 ? 366 : 365;
	for (int yy = y; yy < 1970; yy++)
		days -=
		    (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0 ? 366 : 365;
	for (int m = 1; m < mo; m++)
		days +=
		    mdays[m - 1] +
		    (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	days += d - 1;
	return days * 86400 + h * 3600 + mi * 60 + s;
}

static void
check_cases(const struct date_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t got = wd_date_parse(c[i].in, strlen(c[i].in));

		if (!c[i].want) {
			ck_assert_msg(got == WD_NOTIME,
				      "'%s' should be refused, got %lld",
				      c[i].in, (long long)got);
			continue;
		}
		int64_t want = expect(c[i].want);

		ck_assert_msg(got == want, "'%s': got %lld, want %lld (%s)",
			      c[i].in, (long long)got, (long long)want,
			      c[i].want);
	}
}

#define CHECK_CASES(tab) check_cases(tab, sizeof(tab) / sizeof(tab[0]))

START_TEST(date_parse_reads_rfc822_variants)
{
	static const struct date_case c[] = {
	    {"Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21"},
	    {"thu, 01 jan 2004 19:48:21 gmt", "2004-01-01T19:48:21"},
	    {"THU, 01 JAN 2004 19:48:21 GMT", "2004-01-01T19:48:21"},
	    {"01 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21"},
	    {"Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21"},
	    {"Fri, 01 Jan 99 19:48:21 GMT", "1999-01-01T19:48:21"},
	    {"Sat, 01 Jan 50 00:00:00 GMT", "1950-01-01T00:00:00"},
	    {"Sat, 01 Jan 49 00:00:00 GMT", "2049-01-01T00:00:00"},
	    {"Wed, 02 Oct 104 08:00:00 GMT", "2004-10-02T08:00:00"},
	    {"Thu, 01 Jan 2004 00:00 GMT", "2004-01-01T00:00:00"},
	    {"Thu, 01 Jan 2004", "2004-01-01T00:00:00"},
	    {"Thu,  5 Apr 2012 10:00:00 GMT", "2012-04-05T10:00:00"},
	    {"Fri,24 Nov 2023 18:28:36 -0000", "2023-11-24T18:28:36"},
	    {"  Thu,   01   Jan   2004   19:48:21   GMT  ",
	     "2004-01-01T19:48:21"},
	    {"Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21"},
	    /* wrong weekday: 2004-01-01 was a Thursday */
	    {"Mon, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21"},
	    {"Thursday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21"},
	    {"Mon, 13 Feb, 2012 06:28:00 UTC", "2012-02-13T06:28:00"},
	    {"16-Dec-2012 11:47", "2012-12-16T11:47:00"},
	    {"Thu, 01 Jan 2004 19:48:21.123 GMT", "2004-01-01T19:48:21"},
	    {"Thu, 01 Jan 0100 00:00:01 +0100", "0099-12-31T23:00:01"},
	    {"Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21"},
	    {"Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21"},
	    {"Thu, 01 Jan 2004 19:48:21 z", "2004-01-01T19:48:21"},
	    {"Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21"},
	    {"Thu, 01 Jul 2004 19:48:21 EDT", "2004-07-01T23:48:21"},
	    {"Thu, 01 Jan 2004 19:48:21 CST", "2004-01-02T01:48:21"},
	    {"Thu, 01 Jul 2004 19:48:21 CDT", "2004-07-02T00:48:21"},
	    {"Thu, 01 Jan 2004 19:48:21 MST", "2004-01-02T02:48:21"},
	    {"Thu, 01 Jul 2004 19:48:21 MDT", "2004-07-02T01:48:21"},
	    {"Thu, 01 Jan 2004 19:48:21 PST", "2004-01-02T03:48:21"},
	    {"Thu, 01 Jul 2004 19:48:21 PDT", "2004-07-02T02:48:21"},
	    {"Mon, 26 January 2004 16:31:00 AT", "2004-01-26T20:31:00"},
	    {"Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00"},
	    {"Mon, 26 January 2004 16:31:00 CT", "2004-01-26T22:31:00"},
	    {"Mon, 26 January 2004 16:31:00 MT", "2004-01-26T23:31:00"},
	    {"Mon, 26 January 2004 16:31:00 PT", "2004-01-27T00:31:00"},
	    {"Thu, 30 Apr 2015 08:57:00 MET", "2015-04-30T07:57:00"},
	    {"Thu, 30 Apr 2015 08:57:00 MEST", "2015-04-30T06:57:00"},
	    {"Thu, 30 Apr 2015 08:57:00 CEST", "2015-04-30T06:57:00"},
	    {"Thu, 30 Apr 2015 08:57:00 JST", "2015-04-29T23:57:00"},
	    {"Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00"},
	    {"Wed, 19 Aug 2009 18:28:00 Etc/GMT+5", "2009-08-19T23:28:00"},
	    {"Wed, 19 Aug 2009 18:28:00 Etc/GMT-3", "2009-08-19T15:28:00"},
	    {"Wed, 19 Feb 2012 22:40:00 GMT-01:01", "2012-02-19T23:41:00"},
	    {"Wed, 19 Feb 2012 22:40:00 UTC+2", "2012-02-19T20:40:00"},
	    {"Wed, 19 Feb 2012 22:40:00 -01:01", "2012-02-19T23:41:00"},
	    {"Wed, 19 Feb 2012 22:40:00 +0530", "2012-02-19T17:10:00"},
	    {"Wed, 02 Oct 2002 08:00:00 EST (Eastern)", "2002-10-02T13:00:00"},
	    {"Wed, 02 Oct 2002 08:00:00 +0000 (UTC)", "2002-10-02T08:00:00"},
	    {"Wed, 02 Oct 2002 08:00:00 -0500 EST", "2002-10-02T13:00:00"},
	    {"Wed, 02 (a (nested) Jan)Oct(with \\) inside) 2002()08:00 GMT",
	     "2002-10-02T08:00:00"},
	    {"Tuesday, June 10, 2003 9:41 PM EST", "2003-06-11T02:41:00"},
	    {"June 10, 2003 at 12:05 am", "2003-06-10T00:05:00"},
	    {"June 10, 2003 12:05 PM", "2003-06-10T12:05:00"},
	    {"June 1st, 2004", "2004-06-01T00:00:00"},
	    {"Jan. 2, 2004", "2004-01-02T00:00:00"},
	    {"Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16"},
	    {"Thu Aug 30 2012 17:26:16 GMT+0200 (Central European Summer "
	     "Time)",
	     "2012-08-30T15:26:16"},
	    {"Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53"},
	    {"Fri\xc2\xa0"
	     "15 Sep 2006 08:19:53 GMT",
	     "2006-09-15T08:19:53"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(date_parse_reads_asctime)
{
	static const struct date_case c[] = {
	    {"Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06"},
	    {"Sun Jan 4 16:29:06 2004", "2004-01-04T16:29:06"},
	    {"Sun Jul 15 01:16:00 +0000 2012", "2012-07-15T01:16:00"},
	    {"Sun Jul 15 01:16:00 2012 GMT", "2012-07-15T01:16:00"},
	    {"Jan  4 16:29:06 2004", "2004-01-04T16:29:06"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(date_parse_reads_iso8601)
{
	static const struct date_case c[] = {
	    {"2003-12-31T10:14:55Z", "2003-12-31T10:14:55"},
	    {"2003-12-31t10:14:55z", "2003-12-31T10:14:55"},
	    {"2003-12-31T10:14:55-08:00", "2003-12-31T18:14:55"},
	    {"2003-12-31T18:14:55+08:00", "2003-12-31T10:14:55"},
	    {"2003-12-31T18:14:55+0800", "2003-12-31T10:14:55"},
	    {"2003-12-31T18:14:55+08", "2003-12-31T10:14:55"},
	    {"2007-04-23T23:25:47.538+10:00", "2007-04-23T13:25:47"},
	    {"2003-12-31T10:14:55.1234567890123Z", "2003-12-31T10:14:55"},
	    {"2004-07-08T23:56:58,5Z", "2004-07-08T23:56:58"},
	    {"2003-12-31T10:14Z", "2003-12-31T10:14:00"},
	    {"2003-12-31", "2003-12-31T00:00:00"},
	    {"2003-12", "2003-12-01T00:00:00"},
	    {"2003", "2003-01-01T00:00:00"},
	    {"2004-1-5", "2004-01-05T00:00:00"},
	    {"2004-02-28T18:14:55-08:00", "2004-02-29T02:14:55"},
	    {"2003-02-28T18:14:55-08:00", "2003-03-01T02:14:55"},
	    {"2000-02-28T18:14:55-08:00", "2000-02-29T02:14:55"},
	    {"2004-02-29", "2004-02-29T00:00:00"},
	    {"2000-02-29", "2000-02-29T00:00:00"},
	    {"2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58"},
	    {"2004-07-08 23:56:58", "2004-07-08T23:56:58"},
	    {"2004-07-08 23:56:58.0", "2004-07-08T23:56:58"},
	    {"2004-07-08 23:56:58 GMT", "2004-07-08T23:56:58"},
	    {"2003-12-31T24:00:00Z", "2004-01-01T00:00:00"},
	    {"2016-12-31T23:59:60Z", "2017-01-01T00:00:00"},
	    {"20031231T101455Z", "2003-12-31T10:14:55"},
	    {"20031231T1014+0100", "2003-12-31T09:14:00"},
	    {"20031231", "2003-12-31T00:00:00"},
	    {"2003365", "2003-12-31T00:00:00"},
	    {"2003-335", "2003-12-01T00:00:00"},
	    {"2004-366", "2004-12-31T00:00:00"},
	    {"2003-012-31T10:14:55+00:00", "2003-12-31T10:14:55"},
	    {"031231", "2003-12-31T00:00:00"},
	    {"-0312", "2003-12-01T00:00:00"},
	    {"-03-12", "2003-12-01T00:00:00"},
	    {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59"},
	    {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00"},
	    {"1969-12-31T23:59:59Z", "1969-12-31T23:59:59"},
	    {"Mon, 2004-01-26 10:00", "2004-01-26T10:00:00"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(date_parse_reads_national_formats)
{
	static const struct date_case c[] = {
	    /* Greek, with and without accents, any case */
	    {"Κυρ, 11 Ιούλ 2004 12:00:00 EST", "2004-07-11T17:00:00"},
	    {"ΚΥΡ, 11 ΙΟΎΛ 2004 12:00:00 EST", "2004-07-11T17:00:00"},
	    {"Δευ, 12 Ιουλ 2004 12:00:00 GMT", "2004-07-12T12:00:00"},
	    {"11 Ιουλίου 2004", "2004-07-11T00:00:00"},
	    {"Τρι, 01 Μαΐ 2007 08:00:00 +0300", "2007-05-01T05:00:00"},
	    /* Hungarian */
	    {"2004-július-13T9:15-05:00", "2004-07-13T14:15:00"},
	    {"2004-jún-13T09:15:00Z", "2004-06-13T09:15:00"},
	    /* Korean: KST unless a zone is given */
	    {"2004-05-25 오후 11:23:17", "2004-05-25T14:23:17"},
	    {"2004-05-25 오전 11:23:17", "2004-05-25T02:23:17"},
	    {"2004-05-25 오전 12:23:17", "2004-05-24T15:23:17"},
	    {"2004년 05월 28일  01:31:15", "2004-05-27T16:31:15"},
	    {"2004년 5월 8일", "2004-05-07T15:00:00"},
	    {"2004년 05월 28일 01:31:15 +0000", "2004-05-28T01:31:15"},
	    /* other European names */
	    {"Do, 12 Feb 2004 10:00:00 +0100", "2004-02-12T09:00:00"},
	    {"12. Januar 2004 10:00", "2004-01-12T10:00:00"},
	    {"3 juil. 2012 10:00", "2012-07-03T10:00:00"},
	    {"lun, 2 févr. 2009 10:00:00 +0100", "2009-02-02T09:00:00"},
	    {"Mié, 14 Dic 2005 10:00:00 GMT", "2005-12-14T10:00:00"},
	    {"14 dicembre 2005", "2005-12-14T00:00:00"},
	    {"14 outubro 2005", "2005-10-14T00:00:00"},
	    {"14 mei 2005", "2005-05-14T00:00:00"},
	    {"Qua, 05 Set 2018 19:18:49 -0300", "2018-09-05T22:18:49"},
	    {"mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15"},
	    /* decomposed accent (e + U+0301) */
	    {"2 fe\xcc\x81vr. 2009", "2009-02-02T00:00:00"},
	    /* "Mar" is a Spanish weekday and an English month */
	    {"Mar 12 2004", "2004-03-12T00:00:00"},
	    {"Mar, 12 Mai 2004 10:00:00 +0200", "2004-05-12T08:00:00"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(date_parse_refuses_uncertain_or_invalid)
{
	static const struct date_case c[] = {
	    {"", NULL},
	    {" ", NULL},
	    {"now", NULL},
	    {"yesterday", NULL},
	    {"0", NULL},
	    {"Sun, 16 Dec 2012 1:2:3:4 GMT", NULL},
	    {"Sun, 16 zzz 2012 11:47:32 GMT", NULL},
	    {"Sun, Dec x 2012 11:47:32 GMT", NULL},
	    {"Sun, 16 Dec zz 11:47:32 GMT", NULL},
	    {"Sun, 16 Dec 2012 11:47:32 +zz:00", NULL},
	    {"Sun, 16 Dec 2012 11:47:32 +00:zz", NULL},
	    {"Sun, 99 Jun 2009 12:00:00 GMT", NULL},
	    {"Sun, 31 Jun 2009 12:00:00 GMT", NULL},
	    {"Sun, 00 Jun 2009 12:00:00 GMT", NULL},
	    {"Sun, 16 Dec 2012 24:01:00 GMT", NULL},
	    {"Sun, 16 Dec 2012 11:47:32 GMT garbage", NULL},
	    {"Sun, 16 Dec 2012 11:47:32 +0100 GMT", NULL},
	    {"Sun, 16 Dec 2012 11:47:32 +1500", NULL},
	    {"Sun, 16 Dec 2012 11:47:32 +123", NULL},
	    {"Sun, 16 Dec 2012 11:7:32 GMT", NULL},
	    {"Sun 16 Dec", NULL},
	    {"Dec 2012", NULL},
	    {"Jan  4 16:29:06", NULL},
	    {"Aug 30 12 17:26:16", NULL},
	    /* military letters other than Z: RFC 822's signs are wrong */
	    {"Thu, 01 Jan 2004 19:48:21 A", NULL},
	    {"Thu, 01 Jan 2004 19:48:21 N", NULL},
	    {"Thu, 01 Jan 2004 19:48:21 Y", NULL},
	    /* ambiguous zone names */
	    {"Thu, 01 Jan 2004 19:48:21 BST", NULL},
	    {"Thu, 01 Jan 2004 19:48:21 IST", NULL},
	    /* ambiguous month prefix (juin/juillet), day order */
	    {"1 jui 2012", NULL},
	    {"05/06/2004", NULL},
	    {"03-12-31", NULL},
	    {"03335", NULL},
	    {"01.02.2004", NULL},
	    /* 12-hour clocks */
	    {"2012-08-30 13:00 PM", NULL},
	    {"2012-08-30 00:30 AM", NULL},
	    {"2012-08-30 PM", NULL},
	    /* ISO 8601 / W3C-DTF */
	    {"9999-12-31T23:59:59-99:99", NULL},
	    {"2003-12-31T25:14:55Z", NULL},
	    {"2003-12-31T10:61:55Z", NULL},
	    {"2003-12-31T10:14:61Z", NULL},
	    {"2003-12-31T24:00:01Z", NULL},
	    {"2003-13-01", NULL},
	    {"2003-00-01", NULL},
	    {"2003-02-29", NULL},
	    {"1900-02-29", NULL},
	    {"2004-02-30", NULL},
	    {"2003-366", NULL},
	    {"2003-000", NULL},
	    {"0000-01-01", NULL},
	    {"22013", NULL},
	    {"013", NULL},
	    {"2013-01-27-01", NULL},
	    {"2013-01-28T11:30:00-06:00Textra", NULL},
	    {"2013-xx-27", NULL},
	    {"2013-01-28T09:xx:00Z", NULL},
	    {"2013-01-28T09:00:00+00:xx", NULL},
	    {"2013-01-28T", NULL},
	    {"2013-01-28T09:00:00ZZ", NULL},
	    {"2013-01-28T09:00:00Z+01:00", NULL},
	    {"12345678901234", NULL},
	    {"Wed, 19 Aug 2009 18:28:00 Etc/GMT+5:30", NULL},
	    {"Thu, 01 Jan 2004 19:48:21 GMT (unclosed", NULL},
	    {"Thu; 01 Jan 2004 19:48:21 GMT", NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(date_parse_survives_hostile_input)
{
	char big[4096];

	ck_assert(wd_date_parse(NULL, 0) == WD_NOTIME);
	ck_assert(wd_date_parse("2004-01-01", 0) == WD_NOTIME);
	/* only the first n bytes count */
	ck_assert(wd_date_parse("2004-01-01Tgarbage", 10) ==
		  expect("2004-01-01T00:00:00"));
	/* an embedded NUL is not a date character */
	ck_assert(wd_date_parse("2004-01-01\0Z", 12) == WD_NOTIME);
	/* invalid UTF-8 in a word */
	ck_assert(wd_date_parse("Thu, 01 J\xff\xfe 2004", 18) == WD_NOTIME);
	ck_assert(wd_date_parse("\xce", 1) == WD_NOTIME);
	/* long inputs, many tokens, long words, long numbers */
	memset(big, '1', sizeof(big));
	ck_assert(wd_date_parse(big, sizeof(big)) == WD_NOTIME);
	ck_assert(wd_date_parse(big, 200) == WD_NOTIME);
	memset(big, 'a', sizeof(big));
	ck_assert(wd_date_parse(big, 200) == WD_NOTIME);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = "1-"[i % 2];
	ck_assert(wd_date_parse(big, 200) == WD_NOTIME);
	memset(big, '(', sizeof(big));
	ck_assert(wd_date_parse(big, 200) == WD_NOTIME);
	/* pseudo-random bytes drawn from date characters: must not crash */
	static const char alpha[] = "0123456789 ,:+-./TZtzJanFebGMTEST()"
				    "\xce\x99\xc3\xa9\xec\x98\xa4";
	uint32_t x = 2463534242u;

	for (int round = 0; round < 20000; round++) {
		size_t n = round % 40;

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			big[i] = alpha[x % (sizeof(alpha) - 1)];
		}
		int64_t t = wd_date_parse(big, n);

		ck_assert(t == WD_NOTIME ||
			  (t >= expect("0000-12-31T00:00:00") &&
			   t <= expect("9999-12-31T23:59:59") + 15 * 3600));
	}
}
END_TEST

START_TEST(date_parse_round_trips_formatted_times)
{
	static const char *const days[7] = {"Sun", "Mon", "Tue", "Wed",
					    "Thu", "Fri", "Sat"};
	static const char *const mons[12] = {"Jan", "Feb", "Mar", "Apr",
					     "May", "Jun", "Jul", "Aug",
					     "Sep", "Oct", "Nov", "Dec"};
	uint32_t x = 88172645u;

	for (int i = 0; i < 5000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		/* 1900 .. about 2036 */
		int64_t t = -2208988800LL + (int64_t)(x % 4300000000u);
		time_t tt = (time_t)t;
		struct tm tm;
		char s[64];

		ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
		snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		ck_assert_msg(wd_date_parse(s, strlen(s)) == t, "%s", s);
		snprintf(s, sizeof(s), "%s, %02d %s %04d %02d:%02d:%02d +0000",
			 days[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon],
			 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		ck_assert_msg(wd_date_parse(s, strlen(s)) == t, "%s", s);
		snprintf(s, sizeof(s), "%s %s %2d %02d:%02d:%02d %04d",
			 days[tm.tm_wday], mons[tm.tm_mon], tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
		ck_assert_msg(wd_date_parse(s, strlen(s)) == t, "%s", s);
	}
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("forms");

	tcase_add_test(tc, date_parse_reads_rfc822_variants);
	tcase_add_test(tc, date_parse_reads_asctime);
	tcase_add_test(tc, date_parse_reads_iso8601);
	tcase_add_test(tc, date_parse_reads_national_formats);
	suite_add_tcase(s, tc);
	tc = tcase_create("refusals");
	tcase_add_test(tc, date_parse_refuses_uncertain_or_invalid);
	tcase_add_test(tc, date_parse_survives_hostile_input);
	suite_add_tcase(s, tc);
	tc = tcase_create("round-trip");
	tcase_add_test(tc, date_parse_round_trips_formatted_times);
	suite_add_tcase(s, tc);
	return s;
}
