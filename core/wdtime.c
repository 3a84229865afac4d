/* SPDX-License-Identifier: MIT */
/* core/wdtime.c: durations, time formatting and the clock. */
#include "core/wdtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/item.h"
#include "core/text.h"

int
wd_duration_parse(const char *s, int64_t *out)
{
	if (!s || !wd_isdigit((unsigned char)*s))
		return WD_EINVAL;
	char *end;

	errno = 0;
	long long v = strtoll(s, &end, 10);

	if (errno || v < 0)
		return WD_EINVAL;
	int64_t mul;

	switch (*end) {
	case '\0':
	case 's':
		mul = 1;
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	case 'w':
		mul = 7 * 86400;
		break;
	default:
		return WD_EINVAL;
	}
	if (*end && end[1])
		return WD_EINVAL;
	if (v > INT64_MAX / mul / 2)
		return WD_EINVAL;
	*out = (int64_t)v * mul;
	return 0;
}

static void
utc_tm(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, tm)) {
		tt = 0;
		gmtime_r(&tt, tm);
	}
}

void
wd_time_rfc3339(int64_t t, char out[static 32])
{
	struct tm tm;

	utc_tm(t, &tm);
	char tmp[96];

	/* Not strftime: glibc's %Y does not pad years before 1000. */
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	snprintf(out, 32, "%.31s", tmp);
}

void
wd_time_rfc822(int64_t t, char out[static 40])
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
					"Thu", "Fri", "Sat"};
	static const char mons[12][4] = {"Jan", "Feb", "Mar", "Apr",
					 "May", "Jun", "Jul", "Aug",
					 "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	utc_tm(t, &tm);
	/* Not strftime: %a and %b follow the locale cron runs with. */
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int64_t
wd_now(void)
{
	const char *env = getenv("WIREDESK_NOW");

	if (env && *env) {
		char *end;

		errno = 0;
		long long v = strtoll(env, &end, 10);

		if (!errno && !*end)
			return v;
		int64_t t = wd_date_parse(env, strlen(env));

		if (t != WD_NOTIME)
			return t;
	}
	return (int64_t)time(NULL);
}
