/* SPDX-License-Identifier: MIT */
/* feeds/datefast.c: fast path for "2024-01-02T03:04:05Z" and "Tue, 02 Jan
 * 2024 03:04:05 +0000"; everything else goes to wd_date_parse. */
#include "feeds/datefast.h"

#include <stdbool.h>
#include <string.h>

#include "core/item.h"
#include "core/text.h"
#include "core/wdtime.h"

/*
 * Only strings that match one of the two shapes exactly, with fields in
 * range, are read here; anything unusual (two-digit years, named zones
 * other than GMT/UT/UTC/Z, leap seconds, missing seconds in RFC 3339)
 * falls through to the general parser, so the answers cannot differ.
 */

static bool
num(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!wd_isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int
month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

static int64_t
make(int y, int mo, int d, int h, int mi, int sec, int off_min)
{
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h > 23 || mi > 59 || sec > 59)
		return WD_NOTIME;
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       (int64_t)off_min * 60;
}

/* "+hh:mm", "+hhmm", "Z" at s[0..n); sets minutes east of UTC. */
static bool
offset(const char *s, size_t n, int *off)
{
	int h, m;

	if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
		*off = 0;
		return true;
	}
	if ((s[0] != '+' && s[0] != '-') || !(n == 6 || n == 5))
		return false;
	if (!num(s + 1, 2, &h))
		return false;
	if (n == 6 ? s[3] != ':' || !num(s + 4, 2, &m) : !num(s + 3, 2, &m))
		return false;
	/* core/date.c reads offsets up to 14:59 and refuses the rest */
	if (h > 14 || m > 59)
		return false;
	*off = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
	return true;
}

static int64_t
rfc3339(const char *s, size_t n)
{
	int y, mo, d, h, mi, sec, off;

	if (n < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return WD_NOTIME;
	if (!num(s, 4, &y) || !num(s + 5, 2, &mo) || !num(s + 8, 2, &d) ||
	    !num(s + 11, 2, &h) || !num(s + 14, 2, &mi) ||
	    !num(s + 17, 2, &sec))
		return WD_NOTIME;
	size_t i = 19;

	if (i < n && s[i] == '.') {
		i++;
		size_t start = i;

		while (i < n && wd_isdigit((unsigned char)s[i]))
			i++;
		if (i == start)
			return WD_NOTIME;
	}
	if (i >= n || !offset(s + i, n - i, &off))
		return WD_NOTIME;
	return make(y, mo, d, h, mi, sec, off);
}

static int
month_of(const char *s)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	for (int i = 0; i < 12; i++) {
		if (wd_tolower((unsigned char)s[0]) == names[i * 3] &&
		    wd_tolower((unsigned char)s[1]) == names[i * 3 + 1] &&
		    wd_tolower((unsigned char)s[2]) == names[i * 3 + 2])
			return i + 1;
	}
	return 0;
}

/* An English weekday abbreviation, any case; other words go to the general
 * parser, which knows more languages or refuses them. */
static bool
is_weekday(const char *s)
{
	static const char names[] = "montuewedthufrisatsun";

	for (int i = 0; i < 7; i++) {
		if (wd_tolower((unsigned char)s[0]) == names[i * 3] &&
		    wd_tolower((unsigned char)s[1]) == names[i * 3 + 1] &&
		    wd_tolower((unsigned char)s[2]) == names[i * 3 + 2])
			return true;
	}
	return false;
}

/* The North American zones of RFC 822 (EST, EDT, ... PDT). */
static bool
us_zone(const char *z, int *off)
{
	static const char names[] = "ECMP";
	const char *p = strchr(names, z[0]);

	if (!p || !z[0] || (z[1] != 'S' && z[1] != 'D') || z[2] != 'T')
		return false;
	*off = (-5 - (int)(p - names) + (z[1] == 'D')) * 60;
	return true;
}

static int64_t
rfc822(const char *s, size_t n)
{
	int y, mo, d, h, mi, sec, off;
	size_t i = 0;

	/* "Tue, " */
	if (n < 27 || !wd_isalpha((unsigned char)s[0]) ||
	    !wd_isalpha((unsigned char)s[1]) ||
	    !wd_isalpha((unsigned char)s[2]) || s[3] != ',' || s[4] != ' ' ||
	    !is_weekday(s))
		return WD_NOTIME;
	i = 5;
	/* "02 Jan 2024 03:04:05 " (or "2 Jan") */
	if (num(s + i, 2, &d) && s[i + 2] == ' ')
		i += 3;
	else if (num(s + i, 1, &d) && s[i + 1] == ' ')
		i += 2;
	else
		return WD_NOTIME;
	if (n - i < 20)
		return WD_NOTIME;
	mo = month_of(s + i);
	if (!mo || s[i + 3] != ' ')
		return WD_NOTIME;
	i += 4;
	if (!num(s + i, 4, &y) || s[i + 4] != ' ')
		return WD_NOTIME;
	i += 5;
	if (!num(s + i, 2, &h) || s[i + 2] != ':' || !num(s + i + 3, 2, &mi) ||
	    s[i + 5] != ':' || !num(s + i + 6, 2, &sec) || s[i + 8] != ' ')
		return WD_NOTIME;
	i += 9;
	const char *z = s + i;
	size_t zn = n - i;

	if ((zn == 3 && wd_strncasecmp(z, "GMT", 3) == 0) ||
	    (zn == 3 && wd_strncasecmp(z, "UTC", 3) == 0) ||
	    (zn == 2 && wd_strncasecmp(z, "UT", 2) == 0))
		off = 0;
	else if (zn == 3 && us_zone(z, &off))
		;
	else if (zn != 5 || !offset(z, zn, &off))
		return WD_NOTIME;
	return make(y, mo, d, h, mi, sec, off);
}

int64_t
datefast_parse(const char *s, size_t n)
{
	const char *s0 = s;
	size_t n0 = n;

	/* core/date.c refuses more than 256 bytes, spaces included */
	if (n > 256)
		return WD_NOTIME;
	while (n && wd_isspace((unsigned char)*s))
		s++, n--;
	while (n && wd_isspace((unsigned char)s[n - 1]))
		n--;
	int64_t t = WD_NOTIME;

	if (n >= 20 && wd_isdigit((unsigned char)s[0]))
		t = rfc3339(s, n);
	else if (n >= 27 && wd_isalpha((unsigned char)s[0]))
		t = rfc822(s, n);
	return t != WD_NOTIME ? t : wd_date_parse(s0, n0);
}
