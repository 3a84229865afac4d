/* SPDX-License-Identifier: MIT */
/* selections/audience.c: read and check one audience file (selections stage):
 * feed metadata and the settings that shape the selection. */
#include "selections/audience.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "selections/rules.h"

enum {
	DEFAULT_WINDOW = 48 * 3600,
	DEFAULT_LIMIT = 50,
	MAX_LIMIT = 100000,
};

struct audience {
	struct arena *arena; /* every string of the audience */
	struct audience_meta meta;
	struct audience_settings set;
	struct rules *rules;
	bool tz_fixed;     /* time_zone is a fixed offset */
	int64_t tz_offset; /* seconds east of UTC when tz_fixed */
};

static const char *const audience_keys[] = {
    "audience",
    "title",
    "description",
    "link",
    "attribution",
    "window",
    "limit",
    "language",
    "signoff",
    "copyright",
    "image",
    "feed_url",
    "hub",
    "ttl",
    "rules",
    "rules_file",
    "per_source_limit",
    "per_tag_limit",
    "one_per_story",
    "source_precedence",
    "min_score",
    "time_zone",
    "schedule",
    "embargo",
    NULL,
};

/* Copy the text at n (if any) into the audience; records type errors. */
static void
read_str(struct ydoc *d, struct audience *a, const struct ydoc_node *n,
	 const char **out)
{
	const char *s = NULL;

	if (ydoc_str(d, n, &s) < 0 || !s)
		return;
	*out = arena_strdup(a->arena, s);
}

static bool
is_http_url(const char *s)
{
	return !wd_strncasecmp(s, "http://", 7) ||
	       !wd_strncasecmp(s, "https://", 8);
}

/* The name becomes a file stem, so it stays in a safe alphabet. */
static bool
is_stem(const char *s)
{
	if (!*s || *s == '-' || *s == '.')
		return false;
	for (; *s; s++) {
		if (!wd_isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	}
	return true;
}

static void
require(struct ydoc *d, const struct ydoc_node *root, const char *key)
{
	if (!ydoc_get(root, key))
		ydoc_error(d, root, "missing required key '%s'", key);
}

static void
check_url(struct ydoc *d, const struct ydoc_node *root, const char *key,
	  const char *v)
{
	if (v && !is_http_url(v))
		ydoc_error(d, ydoc_get(root, key),
			   "%s must be an http:// or https:// URL", key);
}

static void
read_meta(struct ydoc *d, struct audience *a, const struct ydoc_node *root)
{
	struct audience_meta *m = &a->meta;

	read_str(d, a, ydoc_get(root, "audience"), &m->name);
	read_str(d, a, ydoc_get(root, "title"), &m->title);
	read_str(d, a, ydoc_get(root, "description"), &m->description);
	read_str(d, a, ydoc_get(root, "link"), &m->link);
	read_str(d, a, ydoc_get(root, "feed_url"), &m->feed_url);
	read_str(d, a, ydoc_get(root, "hub"), &m->hub);
	read_str(d, a, ydoc_get(root, "language"), &m->language);
	read_str(d, a, ydoc_get(root, "attribution"), &m->attribution);
	read_str(d, a, ydoc_get(root, "signoff"), &m->signoff);
	read_str(d, a, ydoc_get(root, "copyright"), &m->copyright);
	read_str(d, a, ydoc_get(root, "image"), &m->image);
	require(d, root, "audience");
	require(d, root, "title");
	require(d, root, "link");
	if (m->name && !is_stem(m->name))
		ydoc_error(d, ydoc_get(root, "audience"),
			   "audience '%s' must be letters, digits, '-', '_' "
			   "or '.' (it names the output files)",
			   m->name);
	check_url(d, root, "link", m->link);
	check_url(d, root, "feed_url", m->feed_url);
	check_url(d, root, "image", m->image);
	check_url(d, root, "hub", m->hub);
	if (m->hub && !m->feed_url)
		ydoc_error(d, ydoc_get(root, "hub"),
			   "hub needs feed_url (subscribers and the hub know "
			   "the feed by its public URL)");

	const struct ydoc_node *w = ydoc_get(root, "window");

	if (ydoc_duration(d, w, &m->window) == 0 && w && m->window <= 0)
		ydoc_error(d, w, "window must be longer than 0");
	(void)ydoc_int(d, ydoc_get(root, "limit"), 1, MAX_LIMIT, &m->limit);
	(void)ydoc_int(d, ydoc_get(root, "ttl"), 1, 10080, &m->ttl);
}

static void
read_tag_limits(struct ydoc *d, struct audience *a, const struct ydoc_node *n)
{
	struct audience_settings *st = &a->set;

	if (!n)
		return;
	if (n->kind == YDOC_SCALAR) {
		(void)ydoc_int(d, n, 1, MAX_LIMIT, &st->per_tag_limit);
		return;
	}
	if (n->kind != YDOC_MAP) {
		ydoc_error(d, n,
			   "per_tag_limit: expected a number or 'tag: number' "
			   "lines");
		return;
	}
	size_t cnt = n->nkids / 2;
	const char **names = arena_alloc(a->arena, cnt * sizeof(*names));
	int64_t *lims = arena_alloc(a->arena, cnt * sizeof(*lims));

	for (size_t i = 0; i < cnt; i++) {
		names[i] = arena_strdup(a->arena, n->kids[2 * i]->str);
		lims[i] = 0;
		(void)ydoc_int(d, n->kids[2 * i + 1], 1, MAX_LIMIT, &lims[i]);
	}
	st->tag_limit_names = names;
	st->tag_limits = lims;
	st->ntag_limits = cnt;
}

static void
read_precedence(struct ydoc *d, struct audience *a, const struct ydoc_node *n)
{
	if (!n)
		return;
	if (n->kind != YDOC_SEQ || !n->nkids) {
		ydoc_error(d, n,
			   "source_precedence: expected a list of sources, "
			   "best first");
		return;
	}
	const char **v = arena_alloc(a->arena, n->nkids * sizeof(*v));

	for (size_t i = 0; i < n->nkids; i++) {
		v[i] = NULL;
		read_str(d, a, n->kids[i], &v[i]);
		if (!v[i])
			return;
	}
	a->set.source_precedence = v;
	a->set.nsource_precedence = n->nkids;
}

/* "+07:00", "-0530", "UTC": a fixed offset; false when s is not one. */
static bool
parse_offset(const char *s, int64_t *off)
{
	if (!strcmp(s, "UTC") || !strcmp(s, "GMT") || !strcmp(s, "Z")) {
		*off = 0;
		return true;
	}
	if ((s[0] != '+' && s[0] != '-') || !wd_isdigit((unsigned char)s[1]) ||
	    !wd_isdigit((unsigned char)s[2]))
		return false;
	const char *m = s[3] == ':' ? s + 4 : s + 3;

	if (!wd_isdigit((unsigned char)m[0]) ||
	    !wd_isdigit((unsigned char)m[1]) || m[2])
		return false;
	int h = (s[1] - '0') * 10 + (s[2] - '0');
	int mi = (m[0] - '0') * 10 + (m[1] - '0');

	if (h > 14 || mi > 59)
		return false;
	*off = (s[0] == '-' ? -1 : 1) * (int64_t)(h * 3600 + mi * 60);
	return true;
}

static bool
zone_exists(const char *name)
{
	if (!wd_isalpha((unsigned char)name[0]) || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++) {
		if (!wd_isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return false;
	}
	const char *dir = getenv("TZDIR");
	char path[512];
	int n = snprintf(path, sizeof(path), "%s/%s",
			 dir && *dir ? dir : "/usr/share/zoneinfo", name);

	return n > 0 && (size_t)n < sizeof(path) && access(path, R_OK) == 0;
}

static void
read_time_zone(struct ydoc *d, struct audience *a, const struct ydoc_node *n)
{
	const char *tz = NULL;

	if (ydoc_str(d, n, &tz) < 0 || !tz)
		return;
	a->set.time_zone = arena_strdup(a->arena, tz);
	if (parse_offset(tz, &a->tz_offset))
		a->tz_fixed = true;
	else if (!zone_exists(tz))
		ydoc_error(d, n,
			   "time_zone: unknown zone '%s' (use a name such as "
			   "Asia/Bangkok, or an offset such as +07:00)",
			   tz);
}

static int
day_index(const char *s)
{
	static const char *const days[] = {"sun", "mon", "tue", "wed",
					   "thu", "fri", "sat"};
	static const char *const full[] = {"sunday",    "monday",   "tuesday",
					   "wednesday", "thursday", "friday",
					   "saturday"};

	for (int i = 0; i < 7; i++) {
		if (!wd_strcasecmp(s, days[i]) || !wd_strcasecmp(s, full[i]))
			return i;
	}
	return -1;
}

/* "6", "6-22" (both included) */
static bool
parse_hours(const char *s, uint32_t *bits)
{
	char *end;
	long a = strtol(s, &end, 10);
	long b = a;

	if (end == s || a < 0 || a > 23)
		return false;
	if (*end == '-') {
		const char *p = end + 1;

		b = strtol(p, &end, 10);
		if (end == p || b < a || b > 23)
			return false;
	}
	if (*end)
		return false;
	for (long h = a; h <= b; h++)
		*bits |= (uint32_t)1 << h;
	return true;
}

static void
read_schedule(struct ydoc *d, struct audience *a, const struct ydoc_node *n)
{
	static const char *const keys[] = {"days", "hours", NULL};
	struct audience_settings *st = &a->set;

	if (!n || !ydoc_is_map(d, n, "schedule"))
		return;
	ydoc_check_keys(d, n, keys);

	const struct ydoc_node *days = ydoc_get(n, "days");
	const struct ydoc_node *hours = ydoc_get(n, "hours");

	if (days) {
		size_t cnt = days->kind == YDOC_SEQ ? days->nkids : 1;

		st->schedule_days = 0;
		for (size_t i = 0; i < cnt; i++) {
			const struct ydoc_node *one =
			    days->kind == YDOC_SEQ ? days->kids[i] : days;
			int di =
			    one->kind == YDOC_SCALAR ? day_index(one->str) : -1;

			if (di < 0) {
				ydoc_error(d, one,
					   "days: expected mon, tue, wed, thu, "
					   "fri, sat or sun");
				continue;
			}
			st->schedule_days |= (uint8_t)(1u << di);
		}
	}
	if (hours) {
		size_t cnt = hours->kind == YDOC_SEQ ? hours->nkids : 1;

		st->schedule_hours = 0;
		for (size_t i = 0; i < cnt; i++) {
			const struct ydoc_node *one =
			    hours->kind == YDOC_SEQ ? hours->kids[i] : hours;

			if (one->kind != YDOC_SCALAR ||
			    !parse_hours(one->str, &st->schedule_hours))
				ydoc_error(d, one,
					   "hours: expected an hour 0 to 23 "
					   "or a range such as 6-22");
		}
	}
	if (!days && !hours)
		ydoc_error(d, n, "schedule: needs days:, hours: or both");
}

static void
read_settings(struct ydoc *d, struct audience *a, const struct ydoc_node *root)
{
	struct audience_settings *st = &a->set;
	const struct ydoc_node *n;

	n = ydoc_get(root, "per_source_limit");
	(void)ydoc_int(d, n, 1, MAX_LIMIT, &st->per_source_limit);
	if (n && st->per_source_limit > a->meta.limit)
		ydoc_error(
		    d, n, "per_source_limit %lld is more than limit %lld",
		    (long long)st->per_source_limit, (long long)a->meta.limit);
	n = ydoc_get(root, "per_tag_limit");
	read_tag_limits(d, a, n);
	if (n && st->per_tag_limit > a->meta.limit)
		ydoc_error(d, n, "per_tag_limit %lld is more than limit %lld",
			   (long long)st->per_tag_limit,
			   (long long)a->meta.limit);
	for (size_t i = 0; i < st->ntag_limits; i++) {
		if (st->tag_limits[i] > a->meta.limit)
			ydoc_error(d, n->kids[2 * i + 1],
				   "per_tag_limit for '%s' (%lld) is more than "
				   "limit %lld",
				   st->tag_limit_names[i],
				   (long long)st->tag_limits[i],
				   (long long)a->meta.limit);
	}
	(void)ydoc_bool(d, ydoc_get(root, "one_per_story"), &st->one_per_story);
	(void)ydoc_bool(d, ydoc_get(root, "embargo"), &st->embargo);
	read_precedence(d, a, ydoc_get(root, "source_precedence"));
	n = ydoc_get(root, "min_score");
	if (n && ydoc_int(d, n, -100000, 100000, &st->min_score) == 0)
		st->has_min_score = true;
	read_time_zone(d, a, ydoc_get(root, "time_zone"));
	read_schedule(d, a, ydoc_get(root, "schedule"));
}

struct audience *
audience_load(const char *path, struct ydoc **errs)
{
	return audience_load_opts(path, NULL, errs);
}

struct audience *
audience_load_opts(const char *path, const struct audience_opts *opts,
		   struct ydoc **errs)
{
	struct ydoc *d = ydoc_load(path);
	const struct ydoc_node *root = ydoc_root(d);

	*errs = d;
	if (ydoc_nerrors(d))
		return NULL;
	if (!ydoc_is_map(d, root, "an audience file"))
		return NULL;

	struct audience *a = xcalloc(1, sizeof(*a));

	a->arena = arena_new();
	a->meta.window = DEFAULT_WINDOW;
	a->meta.limit = DEFAULT_LIMIT;
	a->meta.attribution = "{source}";
	a->set.one_per_story = true;
	a->set.embargo = true;
	a->set.schedule_hours = (1u << 24) - 1;
	a->set.schedule_days = 0x7f;
	ydoc_check_keys(d, root, audience_keys);
	read_meta(d, a, root);
	read_settings(d, a, root);

	size_t before = ydoc_nerrors(d);

	a->rules = rules_compile(
	    d, ydoc_get(root, "rules"), ydoc_get(root, "rules_file"),
	    opts ? opts->feed_ids : NULL, opts ? opts->nfeed_ids : 0);
	if (ydoc_nerrors(d) == before && a->set.has_min_score &&
	    a->set.min_score > rules_max_score(a->rules))
		ydoc_error(d, ydoc_get(root, "min_score"),
			   "min_score %lld can never be reached: the rules "
			   "add at most %d",
			   (long long)a->set.min_score,
			   rules_max_score(a->rules));
	if (ydoc_nerrors(d)) {
		audience_free(a);
		return NULL;
	}
	return a;
}

const struct audience_meta *
audience_meta(const struct audience *a)
{
	return &a->meta;
}

const struct audience_settings *
audience_settings(const struct audience *a)
{
	return &a->set;
}

const struct rules *
audience_rules(const struct audience *a)
{
	return a->rules;
}

/*
 * Local time in a named zone needs the C library's zone database, which
 * only localtime_r reads, through TZ. NOTE: this sets TZ for the call and
 * restores it, so it is not thread-safe; wiredesk runs one thread.
 */
static void
local_tm(const struct audience *a, int64_t now, struct tm *tm)
{
	time_t t = (time_t)now;

	if (!a->set.time_zone || a->tz_fixed) {
		t = (time_t)(now + a->tz_offset);
		gmtime_r(&t, tm);
		return;
	}
	const char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;

	setenv("TZ", a->set.time_zone, 1);
	tzset();
	localtime_r(&t, tm);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

bool
audience_is_due(const struct audience *a, int64_t now)
{
	struct tm tm;

	local_tm(a, now, &tm);
	return (a->set.schedule_days & (1u << tm.tm_wday)) &&
	       (a->set.schedule_hours & (1u << tm.tm_hour));
}

void
audience_free(struct audience *a)
{
	if (!a)
		return;
	rules_free(a->rules);
	arena_free(a->arena);
	free(a);
}
