/* SPDX-License-Identifier: MIT */
/* selections/explain.c: the verdicts of a selection as text or JSON
 * (selections stage). */
#include "selections/explain.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/wdtime.h"
#include "core/xalloc.h"

static const char *
title_of(const struct story *s, const struct verdict *v)
{
	if (!s->nitems)
		return "";
	const char *t = s->items[v->item].item.title;

	return t ? t : "";
}

static const char *
source_of(const struct story *s, const struct verdict *v)
{
	if (!s->nitems || !s->items[v->item].source)
		return "?";
	return s->items[v->item].source;
}

static void
put_actions(struct buf *out, const struct rule_info *ri)
{
	const char *sep = "";

	if (ri->include) {
		buf_puts(out, "include");
		sep = ", ";
	}
	if (ri->exclude) {
		buf_appendf(out, "%sexclude", sep);
		sep = ", ";
	}
	if (ri->score) {
		buf_appendf(out, "%sscore %+d", sep, ri->score);
		sep = ", ";
	}
	for (size_t t = 0; t < ri->ntags; t++) {
		buf_appendf(out, "%stag %s", sep, ri->tags[t]);
		sep = ", ";
	}
	if (ri->stop)
		buf_appendf(out, "%sstop", sep);
}

static void
text_story(struct buf *out, const struct audience *a, const struct story *s,
	   const struct verdict *v)
{
	const struct audience_settings *st = audience_settings(a);
	char date[32] = "no date";

	if (s->published != WD_NOTIME)
		wd_time_rfc3339(s->published, date);
	buf_appendf(out, "%-4s %s  %s  %s  %s\n", v->in ? "IN" : "OUT",
		    s->key ? s->key : "?", date, source_of(s, v),
		    title_of(s, v));
	for (size_t i = 0; i < v->nfired; i++) {
		const struct rule_info *ri = v->fired[i];

		buf_appendf(out, "     rule '%s' (%s:%d:%d): ", ri->name,
			    ri->file, ri->line, ri->col);
		put_actions(out, ri);
		buf_putc(out, '\n');
	}
	if (!v->nfired)
		buf_puts(out, "     no rule fired\n");
	buf_appendf(out, "     score %d", v->score);
	if (st->has_min_score)
		buf_appendf(out, " (min_score %lld)", (long long)st->min_score);
	for (size_t t = 0; t < v->ntags; t++)
		buf_appendf(out, "%s%s", t ? ", " : "; tags: ", v->tags[t]);
	buf_putc(out, '\n');
	if (v->quota)
		buf_appendf(out, "     quota: %s\n", v->quota);
	buf_appendf(out, "     verdict: %s (%s)\n", v->in ? "in" : "out",
		    v->reason ? v->reason : "");
}

static void
json_strs(struct buf *out, const char *const *v, size_t n)
{
	buf_putc(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(out, ',');
		wd_json_str(out, v[i]);
	}
	buf_putc(out, ']');
}

static void
json_story(struct buf *out, const struct story *s, const struct verdict *v)
{
	char date[32];

	buf_puts(out, "{\"key\":");
	wd_json_str(out, s->key);
	buf_puts(out, ",\"title\":");
	wd_json_str(out, title_of(s, v));
	buf_puts(out, ",\"source\":");
	wd_json_str(out, s->nitems ? s->items[v->item].source : NULL);
	buf_puts(out, ",\"feed\":");
	wd_json_str(out, s->nitems ? s->items[v->item].feed_id : NULL);
	buf_puts(out, ",\"published\":");
	if (s->published != WD_NOTIME) {
		wd_time_rfc3339(s->published, date);
		wd_json_str(out, date);
	} else {
		buf_puts(out, "null");
	}
	buf_appendf(out, ",\"in\":%s,\"picked\":%s,\"blocked\":%s,\"score\":%d",
		    v->in ? "true" : "false", v->picked ? "true" : "false",
		    v->blocked ? "true" : "false", v->score);
	buf_puts(out, ",\"rules\":[");
	for (size_t i = 0; i < v->nfired; i++) {
		const struct rule_info *ri = v->fired[i];

		if (i)
			buf_putc(out, ',');
		buf_puts(out, "{\"name\":");
		wd_json_str(out, ri->name);
		buf_puts(out, ",\"file\":");
		wd_json_str(out, ri->file);
		buf_appendf(out,
			    ",\"line\":%d,\"column\":%d,\"score\":%d,"
			    "\"include\":%s,\"exclude\":%s,\"stop\":%s,"
			    "\"tags\":",
			    ri->line, ri->col, ri->score,
			    ri->include ? "true" : "false",
			    ri->exclude ? "true" : "false",
			    ri->stop ? "true" : "false");
		json_strs(out, ri->tags, ri->ntags);
		buf_putc(out, '}');
	}
	buf_puts(out, "],\"tags\":");
	json_strs(out, v->tags, v->ntags);
	buf_puts(out, ",\"quota\":");
	wd_json_str(out, v->quota);
	buf_puts(out, ",\"reason\":");
	wd_json_str(out, v->reason);
	buf_putc(out, '}');
}

static int
cmp_newest(const struct story *a, const struct story *b)
{
	if (a->published != b->published)
		return a->published > b->published ? -1 : 1;
	return strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

int
explain_write(const struct audience *a, const struct selection *sel,
	      const struct story *stories, size_t n, const char *story_key,
	      enum explain_format fmt, struct buf *out)
{
	size_t *list = xcalloc(n + 1, sizeof(*list));
	size_t cnt = 0, nin = 0, ncand = 0;

	for (size_t i = 0; i < n; i++) {
		const struct verdict *v = selection_verdict(sel, i);

		ncand += v->candidate;
		nin += v->in;
		if (story_key
			? stories[i].key && !strcmp(stories[i].key, story_key)
			: v->candidate)
			list[cnt++] = i;
	}
	if (story_key && !cnt) {
		free(list);
		return WD_ENOTFOUND;
	}
	/* Insertion sort: explain lists are for people, so they are short,
	 * and this keeps the order of equal stories. */
	for (size_t i = 1; i < cnt; i++) {
		size_t x = list[i], j = i;

		for (; j > 0 &&
		       cmp_newest(&stories[x], &stories[list[j - 1]]) < 0;
		     j--)
			list[j] = list[j - 1];
		list[j] = x;
	}
	const struct audience_meta *m = audience_meta(a);

	if (fmt == EXPLAIN_JSON) {
		buf_puts(out, "{\"audience\":");
		wd_json_str(out, m->name);
		buf_appendf(out,
			    ",\"candidates\":%zu,\"selected\":%zu,"
			    "\"limit\":%lld,\"stories\":[",
			    ncand, nin, (long long)m->limit);
		for (size_t k = 0; k < cnt; k++) {
			if (k)
				buf_putc(out, ',');
			json_story(out, &stories[list[k]],
				   selection_verdict(sel, list[k]));
		}
		buf_puts(out, "]}\n");
	} else {
		buf_appendf(out,
			    "audience %s: %zu of %zu candidate stories in "
			    "(limit %lld)\n",
			    m->name, nin, ncand, (long long)m->limit);
		for (size_t k = 0; k < cnt; k++)
			text_story(out, a, &stories[list[k]],
				   selection_verdict(sel, list[k]));
	}
	free(list);
	return buf_failed(out) ? WD_ETOOBIG : (int)cnt;
}
