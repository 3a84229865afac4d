/* SPDX-License-Identifier: MIT */
/* selections/select.c: which stories an audience receives (selections stage):
 * window, rules, picks and blocks, quotas, order. */
#include "selections/select.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/text.h"
#include "core/wdtime.h"
#include "core/xalloc.h"

/* Stories dated up to this far ahead still count (clock skew of wires). */
enum { FUTURE_SLACK = 3600 };

struct selection {
	struct arena *arena;
	struct verdict *v; /* one per input story */
	bool *ok;          /* per story: judge() let it take a slot */
	size_t n, cap;
	struct select_entry *entries;
	size_t nentries;
	/* What judging reads besides the story (select_new). */
	const struct audience *a;
	const struct select_pick *picks;
	size_t npicks;
	int64_t now;
	struct rules_result res; /* scratch, reused across stories */
	/* Reasons already written, by what they name (memo_text) */
	struct memo *memo;
	size_t memo_mask, memo_n;
};

/*
 * Most reasons name a rule, a wire or a section, and thousands of stories
 * share each one: they are written once and shared. A key is what the text
 * names (a rule's info, a source or tag string, which stays put while the
 * selection is made) with the kind of reason.
 */
enum memo_kind {
	MEMO_EMPTY,
	MEMO_EXCLUDED, /* key: the rule_info */
	MEMO_LIMIT,    /* key: NULL */
	MEMO_SOURCE,   /* key: the source string */
	MEMO_TAG,      /* key: the tag string */
};

struct memo {
	enum memo_kind kind;
	const void *key;
	const char *text;
};

/* The slot for (kind, key): its text is NULL when it is new; fill it. */
static const char **
memo_text(struct selection *sel, enum memo_kind kind, const void *key)
{
	if (2 * (sel->memo_n + 1) > sel->memo_mask) {
		struct memo *old = sel->memo;
		size_t oldn = old ? sel->memo_mask + 1 : 0;

		sel->memo_mask = old ? 2 * sel->memo_mask + 1 : 63;
		sel->memo = xcalloc(sel->memo_mask + 1, sizeof(*sel->memo));
		for (size_t i = 0; i < oldn; i++) {
			if (old[i].kind == MEMO_EMPTY)
				continue;
			*memo_text(sel, old[i].kind, old[i].key) = old[i].text;
		}
		free(old);
	}
	uint64_t h =
	    ((uint64_t)(uintptr_t)key + (uint64_t)kind) * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 32) & sel->memo_mask;

	while (sel->memo[i].kind != MEMO_EMPTY &&
	       (sel->memo[i].kind != kind || sel->memo[i].key != key))
		i = (i + 1) & sel->memo_mask;
	if (sel->memo[i].kind == MEMO_EMPTY) {
		sel->memo[i].kind = kind;
		sel->memo[i].key = key;
		sel->memo_n++;
	}
	return &sel->memo[i].text;
}

typedef int sort_cmp_fn(const void *ctx, size_t a, size_t b);

/* C11 qsort takes no context; a merge sort keeps the code free of globals
 * and is stable, so equal keys keep their input order. */
static void
merge_sort(size_t *v, size_t n, sort_cmp_fn *cmp, const void *ctx, size_t *tmp)
{
	if (n < 2)
		return;
	size_t h = n / 2;

	merge_sort(v, h, cmp, ctx, tmp);
	merge_sort(v + h, n - h, cmp, ctx, tmp);
	size_t i = 0, j = h, k = 0;

	while (i < h && j < n)
		tmp[k++] = cmp(ctx, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

struct rank_ctx {
	const struct story *stories;
	const struct verdict *v;
};

static int
cmp_date(const struct story *a, const struct story *b)
{
	if (a->published != b->published)
		return a->published > b->published ? -1 : 1;
	return strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

/* Who gets the slots first: picks, then higher scores, then newer. */
static int
cmp_rank(const void *ctx, size_t a, size_t b)
{
	const struct rank_ctx *c = ctx;

	if (c->v[a].picked != c->v[b].picked)
		return c->v[a].picked ? -1 : 1;
	if (c->v[a].score != c->v[b].score)
		return c->v[a].score > c->v[b].score ? -1 : 1;
	return cmp_date(&c->stories[a], &c->stories[b]);
}

struct entry_ctx {
	const struct story *stories;
	const struct select_entry *e;
};

static int
cmp_entry(const void *ctx, size_t a, size_t b)
{
	const struct entry_ctx *c = ctx;
	const struct select_entry *e = c->e;
	int r = cmp_date(&c->stories[e[a].story], &c->stories[e[b].story]);

	if (r)
		return r;
	return e[a].item < e[b].item ? -1 : e[a].item > e[b].item;
}

static const char *fmt(struct arena *ar, const char *f, ...)
    __attribute__((format(printf, 2, 3)));

static const char *
fmt(struct arena *ar, const char *f, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, f);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	return arena_strdup(ar, msg);
}

static bool
pick_is_live(const struct select_pick *p, int64_t now)
{
	return p->until == WD_NOTIME || p->until == 0 || p->until > now;
}

/* The live pick or block of a story; a block wins over a pick. */
static const struct select_pick *
find_pick(const struct select_pick *picks, size_t npicks, const char *key,
	  int64_t now)
{
	const struct select_pick *found = NULL;

	for (size_t i = 0; key && i < npicks; i++) {
		const struct select_pick *p = &picks[i];

		if (!p->story_key || strcmp(p->story_key, key) ||
		    !pick_is_live(p, now))
			continue;
		if (!found || (p->block && !found->block))
			found = p;
	}
	return found;
}

static size_t
precedence_rank(const struct audience_settings *st, const char *source)
{
	for (size_t i = 0; source && i < st->nsource_precedence; i++) {
		if (!wd_strcasecmp(source, st->source_precedence[i]))
			return i;
	}
	return st->nsource_precedence;
}

/* The item that speaks for the story: the best source by precedence; among
 * equals, the first (the aggregator puts the representative first). */
static size_t
pick_item(const struct audience_settings *st, const struct story *s)
{
	size_t best = 0, best_rank = (size_t)-1;

	for (size_t i = 0; i < s->nitems; i++) {
		size_t r = precedence_rank(st, s->items[i].source);

		if (r < best_rank) {
			best = i;
			best_rank = r;
		}
	}
	return best;
}

static const char *
who(const struct select_pick *p)
{
	return p->by && *p->by ? p->by : "an editor";
}

static const char *
pick_reason(struct arena *ar, const struct select_pick *p)
{
	const char *what = p->block ? "blocked" : "picked";

	if (p->note && *p->note)
		return fmt(ar, "%s by %s: %s", what, who(p), p->note);
	return fmt(ar, "%s by %s", what, who(p));
}

/* Rules, picks and the story's own state; quotas come after. Returns true
 * when the story may take a slot. */
static bool
judge(struct selection *sel, const struct audience *a, const struct story *s,
      const struct select_pick *p, int64_t now, struct rules_result *res,
      struct verdict *v)
{
	const struct audience_meta *m = audience_meta(a);
	const struct audience_settings *st = audience_settings(a);
	const struct rules *r = audience_rules(a);
	struct arena *ar = sel->arena;
	bool in_window = s->published != WD_NOTIME &&
			 s->published >= now - m->window &&
			 s->published <= now + FUTURE_SLACK;

	v->picked = p && !p->block;
	v->blocked = p && p->block;
	v->candidate = in_window || p;
	if (!v->candidate) {
		v->reason = "outside the window";
		return false;
	}
	v->item = pick_item(st, s);
	rules_eval(r, s, now, res);
	v->score = res->score;
	if (res->nfired) {
		const struct rule_info **f =
		    arena_alloc(ar, res->nfired * sizeof(*f));

		memcpy(f, res->fired, res->nfired * sizeof(*f));
		v->fired = f;
		v->nfired = res->nfired;
	}
	if (res->ntags) {
		const char **t = arena_alloc(ar, res->ntags * sizeof(*t));

		memcpy(t, res->tags, res->ntags * sizeof(*t));
		v->tags = t;
		v->ntags = res->ntags;
	}
	if (s->killed) {
		v->reason = "withdrawn by the wire";
		return false;
	}
	if (v->blocked) {
		v->reason = pick_reason(ar, p);
		return false;
	}
	int64_t emb = s->nitems ? s->items[v->item].item.embargo : WD_NOTIME;

	if (st->embargo && emb != WD_NOTIME && emb > now) {
		char t[32];

		wd_time_rfc3339(emb, t);
		v->reason = fmt(ar, "embargoed until %s", t);
		return false;
	}
	if (v->picked) {
		v->reason = pick_reason(ar, p);
		return true;
	}
	if (res->exclude) {
		for (size_t i = 0; i < res->nfired; i++) {
			const struct rule_info *ri = res->fired[i];

			if (!ri->exclude)
				continue;
			const char **t = memo_text(sel, MEMO_EXCLUDED, ri);

			if (!*t)
				*t = fmt(ar, "excluded by rule '%s'", ri->name);
			v->reason = *t;
			break;
		}
		return false;
	}
	if (rules_has_include(r) && !res->include) {
		v->reason = "no include rule matched";
		return false;
	}
	if (st->has_min_score && v->score < st->min_score) {
		v->reason = fmt(ar, "score %d is below min_score %lld",
				v->score, (long long)st->min_score);
		return false;
	}
	return true;
}

/* Counters for the quotas; sources and tags are few, so linear lists. */
struct counts {
	const char **keys;
	int64_t *n;
	size_t len, cap;
};

static int64_t *
count_of(struct counts *c, const char *key)
{
	for (size_t i = 0; i < c->len; i++) {
		if (!wd_strcasecmp(c->keys[i], key))
			return &c->n[i];
	}
	if (c->len == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->keys = xreallocarray(c->keys, c->cap, sizeof(*c->keys));
		c->n = xreallocarray(c->n, c->cap, sizeof(*c->n));
	}
	c->keys[c->len] = key;
	c->n[c->len] = 0;
	return &c->n[c->len++];
}

static int64_t
tag_limit(const struct audience_settings *st, const char *tag)
{
	for (size_t i = 0; i < st->ntag_limits; i++) {
		if (!wd_strcasecmp(st->tag_limit_names[i], tag))
			return st->tag_limits[i];
	}
	return st->per_tag_limit;
}

struct quota_state {
	struct counts src, tag;
	int64_t total;
};

/* NULL when the entry fits, else the quota that is full. */
static const char *
quota_full(struct selection *sel, const struct audience *a,
	   struct quota_state *q, const struct verdict *v, const char *source)
{
	const struct audience_settings *st = audience_settings(a);
	int64_t limit = audience_meta(a)->limit;

	const char **t;

	if (v->picked)
		return NULL;
	if (q->total >= limit) {
		t = memo_text(sel, MEMO_LIMIT, NULL);
		if (!*t)
			*t = fmt(sel->arena, "limit %lld reached",
				 (long long)limit);
		return *t;
	}
	if (st->per_source_limit && source &&
	    *count_of(&q->src, source) >= st->per_source_limit) {
		t = memo_text(sel, MEMO_SOURCE, source);
		if (!*t)
			*t = fmt(sel->arena,
				 "per_source_limit %lld for '%s' reached",
				 (long long)st->per_source_limit, source);
		return *t;
	}
	for (size_t k = 0; k < v->ntags; k++) {
		int64_t lim = tag_limit(st, v->tags[k]);

		if (!lim || *count_of(&q->tag, v->tags[k]) < lim)
			continue;
		t = memo_text(sel, MEMO_TAG, v->tags[k]);
		if (!*t)
			*t = fmt(sel->arena,
				 "per_tag_limit %lld for '%s' reached",
				 (long long)lim, v->tags[k]);
		return *t;
	}
	return NULL;
}

static void
quota_take(struct quota_state *q, const struct verdict *v, const char *source)
{
	q->total++;
	if (source)
		(*count_of(&q->src, source))++;
	for (size_t t = 0; t < v->ntags; t++)
		(*count_of(&q->tag, v->tags[t]))++;
}

static void
add_entry(struct selection *sel, size_t story, size_t item)
{
	sel->entries[sel->nentries].story = story;
	sel->entries[sel->nentries].item = item;
	sel->nentries++;
}

/* The items a story offers: one, or with one_per_story off, the first item
 * of each feed, best source first. Writes indexes to out, returns count. */
static size_t
story_items(const struct audience *a, const struct story *s,
	    const struct verdict *v, size_t *out)
{
	out[0] = v->item;
	if (audience_settings(a)->one_per_story)
		return 1;
	size_t n = 1;

	for (size_t i = 0; i < s->nitems; i++) {
		bool seen = false;

		for (size_t j = 0; j < n && !seen; j++) {
			const char *f1 = s->items[out[j]].feed_id;
			const char *f2 = s->items[i].feed_id;

			seen = out[j] == i ||
			       (f1 && f2 ? !strcmp(f1, f2) : f1 == f2);
		}
		if (!seen)
			out[n++] = i;
	}
	return n;
}

struct selection *
select_new(const struct audience *a, const struct select_pick *picks,
	   size_t npicks, int64_t now)
{
	struct selection *sel = xcalloc(1, sizeof(*sel));

	sel->arena = arena_new();
	sel->a = a;
	sel->picks = picks;
	sel->npicks = npicks;
	sel->now = now;
	return sel;
}

/* Room for cap verdicts. */
static void
reserve(struct selection *sel, size_t cap)
{
	sel->cap = cap;
	sel->v = xreallocarray(sel->v, sel->cap, sizeof(*sel->v));
	sel->ok = xreallocarray(sel->ok, sel->cap, sizeof(*sel->ok));
}

/* Everything a verdict keeps lives in the selection's arena or in the
 * audience's rules, never in the story: s may be gone right after. */
bool
select_judge(struct selection *sel, const struct story *s)
{
	if (sel->n == sel->cap)
		reserve(sel, sel->cap ? 2 * sel->cap : 64);
	struct verdict *v = &sel->v[sel->n];
	const struct select_pick *p =
	    find_pick(sel->picks, sel->npicks, s->key, sel->now);

	memset(v, 0, sizeof(*v));
	sel->ok[sel->n] = judge(sel, sel->a, s, p, sel->now, &sel->res, v);
	return sel->ok[sel->n++];
}

int
select_finish(struct selection *sel, const struct story *stories, size_t n)
{
	const struct audience *a = sel->a;
	size_t *rank = xcalloc(n + 1, sizeof(*rank));
	size_t *tmp = xcalloc(n + 1, sizeof(*tmp));
	size_t nrank = 0, maxitems = 1;

	assert(n == sel->n && !sel->entries);
	rules_result_free(&sel->res); /* judging is over */
	for (size_t i = 0; i < n; i++) {
		if (sel->ok[i])
			rank[nrank++] = i;
		if (stories[i].nitems > maxitems)
			maxitems = stories[i].nitems;
	}

	struct rank_ctx rc = {.stories = stories, .v = sel->v};

	merge_sort(rank, nrank, cmp_rank, &rc, tmp);

	struct quota_state q = {0};
	size_t *items = xcalloc(maxitems, sizeof(*items));
	size_t cap = 0;

	for (size_t k = 0; k < nrank; k++)
		cap += audience_settings(a)->one_per_story
			   ? 1
			   : stories[rank[k]].nitems;
	sel->entries = xcalloc(cap + 1, sizeof(*sel->entries));
	for (size_t k = 0; k < nrank; k++) {
		size_t i = rank[k];
		struct verdict *v = &sel->v[i];
		const struct story *s = &stories[i];
		size_t ni = s->nitems ? story_items(a, s, v, items) : 1;

		if (!s->nitems)
			items[0] = 0;
		for (size_t j = 0; j < ni; j++) {
			const char *src =
			    s->nitems ? s->items[items[j]].source : NULL;
			const char *full = quota_full(sel, a, &q, v, src);

			if (full) {
				if (!v->in)
					v->quota = full;
				continue;
			}
			quota_take(&q, v, src);
			add_entry(sel, i, items[j]);
			if (!v->in && j)
				v->item = items[j];
			v->in = true;
		}
		if (v->in && !v->reason)
			v->reason = v->nfired ? "selected by the rules"
					      : "in the window";
		else if (!v->in)
			v->reason = v->quota;
	}
	free(items);
	free(q.src.keys);
	free(q.src.n);
	free(q.tag.keys);
	free(q.tag.n);

	/* Output order: newest first, whatever the rank was. */
	size_t *ord = xcalloc(sel->nentries + 1, sizeof(*ord));
	size_t *tmp2 = xcalloc(sel->nentries + 1, sizeof(*tmp2));
	struct entry_ctx ec = {.stories = stories, .e = sel->entries};

	for (size_t k = 0; k < sel->nentries; k++)
		ord[k] = k;
	merge_sort(ord, sel->nentries, cmp_entry, &ec, tmp2);

	struct select_entry *sorted =
	    xcalloc(sel->nentries + 1, sizeof(*sorted));

	for (size_t k = 0; k < sel->nentries; k++)
		sorted[k] = sel->entries[ord[k]];
	free(sel->entries);
	sel->entries = sorted;
	free(ord);
	free(tmp2);
	free(rank);
	free(tmp);
	return (int)sel->nentries;
}

int
select_run(const struct audience *a, const struct story *stories, size_t n,
	   const struct select_pick *picks, size_t npicks, int64_t now,
	   struct selection **out)
{
	struct selection *sel = select_new(a, picks, npicks, now);

	if (n)
		reserve(sel, n);
	for (size_t i = 0; i < n; i++)
		(void)select_judge(sel, &stories[i]);
	int rc = select_finish(sel, stories, n);

	if (rc < 0) {
		selection_free(sel);
		*out = NULL;
		return rc;
	}
	*out = sel;
	return rc;
}

const struct select_entry *
selection_entries(const struct selection *sel, size_t *n)
{
	*n = sel->nentries;
	return sel->entries;
}

const struct verdict *
selection_verdict(const struct selection *sel, size_t i)
{
	return i < sel->n ? &sel->v[i] : NULL;
}

void
selection_free(struct selection *sel)
{
	if (!sel)
		return;
	free(sel->entries);
	free(sel->v);
	free(sel->ok);
	free(sel->memo);
	rules_result_free(&sel->res);
	arena_free(sel->arena);
	free(sel);
}

int
select_stories(const struct audience *a, const struct story *stories, size_t n,
	       int64_t now, size_t *order)
{
	struct selection *sel;
	int rc = select_run(a, stories, n, NULL, 0, now, &sel);

	if (rc < 0)
		return rc;
	size_t cnt = sel->nentries < n ? sel->nentries : n;

	for (size_t i = 0; i < cnt; i++)
		order[i] = sel->entries[i].story;
	selection_free(sel);
	return (int)cnt;
}
