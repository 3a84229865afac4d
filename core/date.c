/* SPDX-License-Identifier: MIT */
/* core/date.c: dates as feeds write them. */
#include <stdio.h>
#include <string.h>

#include "core/item.h"
#include "core/text.h"
#include "core/wdtime.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
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
num(const char **p, const char *end, int maxdigits)
{
	int v = 0, n = 0;

	while (*p < end && n < maxdigits && wd_isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n ? v : -1;
}

/* XXX: a first reader for RFC 3339 and plain RFC 822; the full set of
 * variants lives in the parser issue's date work. */
int64_t
wd_date_parse(const char *s, size_t n)
{
	static const char mons[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	const char *p = s, *end = s + n;

	while (p < end && wd_isspace((unsigned char)*p))
		p++;
	if (end - p >= 10 && p[4] == '-') {
		int y = num(&p, end, 4);

		p++;
		int mo = num(&p, end, 2), d = 1, h = 0, mi = 0, se = 0;

		if (p < end && *p == '-') {
			p++;
			d = num(&p, end, 2);
		}
		if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
			p++;
			h = num(&p, end, 2);
			if (p < end && *p == ':')
				p++;
			mi = num(&p, end, 2);
			if (p < end && *p == ':') {
				p++;
				se = num(&p, end, 2);
				while (p < end && (*p == '.' ||
						   wd_isdigit((unsigned char)*p)))
					p++;
			}
		}
		if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 ||
		    h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
			return WD_NOTIME;
		int64_t off = 0;

		if (p < end && (*p == '+' || *p == '-')) {
			int sign = *p == '-' ? -1 : 1;

			p++;
			int oh = num(&p, end, 2), om = 0;

			if (p < end && *p == ':')
				p++;
			if (p < end)
				om = num(&p, end, 2);
			if (oh < 0 || om < 0)
				return WD_NOTIME;
			off = sign * (oh * 3600 + om * 60);
		}
		return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
		       se - off;
	}
	/* RFC 822: [Day,] DD Mon YYYY HH:MM[:SS] zone */
	const char *comma = memchr(p, ',', (size_t)(end - p));

	if (comma)
		p = comma + 1;
	while (p < end && wd_isspace((unsigned char)*p))
		p++;
	int d = num(&p, end, 2);

	while (p < end && wd_isspace((unsigned char)*p))
		p++;
	if (d < 1 || end - p < 3)
		return WD_NOTIME;
	int mo = 0;

	for (int i = 0; i < 12; i++) {
		if (!wd_strncasecmp(p, mons + 3 * i, 3))
			mo = i + 1;
	}
	if (!mo)
		return WD_NOTIME;
	while (p < end && wd_isalpha((unsigned char)*p))
		p++;
	while (p < end && wd_isspace((unsigned char)*p))
		p++;
	int y = num(&p, end, 4);

	if (y < 0)
		return WD_NOTIME;
	if (y < 100)
		y += y < 50 ? 2000 : 1900;
	while (p < end && wd_isspace((unsigned char)*p))
		p++;
	int h = num(&p, end, 2), mi = 0, se = 0;

	if (p < end && *p == ':') {
		p++;
		mi = num(&p, end, 2);
	}
	if (p < end && *p == ':') {
		p++;
		se = num(&p, end, 2);
	}
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return WD_NOTIME;
	while (p < end && wd_isspace((unsigned char)*p))
		p++;
	int64_t off = 0;

	if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1;

		p++;
		int z = num(&p, end, 4);

		if (z < 0)
			return WD_NOTIME;
		off = sign * ((z / 100) * 3600 + (z % 100) * 60);
	}
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
	       off;
}
