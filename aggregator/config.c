/* SPDX-License-Identifier: MIT */
/* aggregator/config.c: wiredesk.yaml to struct config. */
#include "aggregator/config.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"

struct config_priv {
	struct config pub;
	struct ydoc *doc;
	char **strs; /* strings we made (absolute paths) */
	size_t nstrs;
	struct feed_ref *byid; /* the feeds sorted by id, for config_feed */
};

struct feed_ref {
	const char *id;
	size_t i;			 /* index in config.feeds */
	const struct ydoc_node *node; /* where the id is written */
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct feed_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static const char *
keep(struct config_priv *p, char *s)
{
	p->strs = xreallocarray(p->strs, p->nstrs + 1, sizeof(char *));
	p->strs[p->nstrs++] = s;
	return s;
}

/* path made relative to the config's folder unless absolute. */
static const char *
resolve(struct config_priv *p, const char *dir, const char *path)
{
	struct buf b;

	if (path[0] == '/' || !dir[0])
		return path;
	buf_init(&b, 16384);
	buf_appendf(&b, "%s/%s", dir, path);
	return keep(p, buf_take(&b));
}

static bool
is_http_url(const char *s)
{
	return !wd_strncasecmp(s, "http://", 7) ||
	       !wd_strncasecmp(s, "https://", 8);
}

/* A URL is "bad" when it names another scheme or has no host. */
static bool
url_ok(const char *s)
{
	const char *h = strstr(s, "://") + 3;

	if (!*h || *h == '/' || *h == ':')
		return false;
	for (const char *q = s; *q; q++) {
		if ((unsigned char)*q <= ' ' || *q == '"' || *q == '<' ||
		    *q == '>' || *q == '\\' || *q == '`')
			return false;
	}
	return true;
}

static bool
id_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!wd_isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	}
	return true;
}

static void
load_feeds(struct config_priv *p, struct ydoc *d, const char *dir,
	   const struct ydoc_node *seq)
{
	static const char *const keys[] = {"id", "url", "source", "every",
					   "title", NULL};
	struct config *c = &p->pub;

	if (!seq) {
		ydoc_error(d, ydoc_root(d), "missing 'feeds' (the list of "
					    "wire feeds to poll)");
		return;
	}
	if (!ydoc_is_seq(d, seq, "'feeds'"))
		return;
	c->feeds = xcalloc(seq->nkids + 1, sizeof(*c->feeds));
	p->byid = xcalloc(seq->nkids + 1, sizeof(*p->byid));
	struct feed_ref *ids = xcalloc(seq->nkids + 1, sizeof(*ids));
	size_t nids = 0;

	for (size_t i = 0; i < seq->nkids; i++) {
		const struct ydoc_node *m = seq->kids[i];
		struct config_feed f = {0};

		if (!ydoc_is_map(d, m, "each feed"))
			continue;
		ydoc_check_keys(d, m, keys);
		const struct ydoc_node *id = ydoc_get(m, "id");
		const struct ydoc_node *url = ydoc_get(m, "url");

		if (!id)
			ydoc_error(d, m, "feed without 'id'");
		if (!url)
			ydoc_error(d, m, "feed without 'url'");
		if (ydoc_str(d, id, &f.id) < 0 || ydoc_str(d, url, &f.url) < 0)
			continue;
		if (!f.id || !f.url)
			continue;
		if (!id_ok(f.id)) {
			ydoc_error(d, id,
				   "feed id '%s' may only use letters, digits, "
				   "'-', '_' and '.'",
				   f.id);
		}
		ids[nids] = (struct feed_ref){.id = f.id, .i = nids, .node = id};
		nids++;
		if (strstr(f.url, "://")) {
			if (!is_http_url(f.url) || !url_ok(f.url))
				ydoc_error(d, url,
					   "bad URL '%s' (use http:// or "
					   "https://, or a local file path)",
					   f.url);
		} else if (!*f.url) {
			ydoc_error(d, url, "empty url");
		} else {
			f.local = true;
			f.url = resolve(p, dir, f.url);
		}
		f.source = f.id;
		if (ydoc_str(d, ydoc_get(m, "source"), &f.source) < 0)
			continue;
		if (ydoc_duration(d, ydoc_get(m, "every"), &f.every) < 0)
			continue;
		c->feeds[c->nfeeds++] = f;
	}
	/* Sorted by id (then position), a repeated id is next to its first
	 * use. */
	qsort(ids, nids, sizeof(*ids), ref_cmp);
	for (size_t i = 1; i < nids; i++) {
		if (!strcmp(ids[i - 1].id, ids[i].id))
			ydoc_error(d, ids[i].node, "duplicate feed id '%s'",
				   ids[i].id);
	}
	free(ids);
	/* config_feed is a binary search. */
	for (size_t i = 0; i < c->nfeeds; i++)
		p->byid[i] = (struct feed_ref){.id = c->feeds[i].id, .i = i};
	qsort(p->byid, c->nfeeds, sizeof(*p->byid), ref_cmp);
}

static void
load_precedence(struct config_priv *p, struct ydoc *d,
		const struct ydoc_node *n)
{
	if (!n || !ydoc_is_seq(d, n, "'precedence'"))
		return;
	const char **v = xcalloc(n->nkids + 1, sizeof(*v));

	p->pub.precedence = v;
	for (size_t i = 0; i < n->nkids; i++) {
		if (ydoc_str(d, n->kids[i], &v[p->pub.nprecedence]) == 0)
			p->pub.nprecedence++;
	}
}

int
config_load(const char *path, struct config **out, struct ydoc **errs)
{
	static const char *const keys[] = {
		"state",	"output",	 "selections",
		"feeds",	"contact",	 "every",
		"min_interval", "max_interval",	 "fail_report",
		"connections",	"per_host",	 "max_body",
		"timeout",	"dedupe_window", "dedupe_threshold",
		"precedence",	"republish",	 NULL};
	struct config_priv *p = xcalloc(1, sizeof(*p));
	struct config *c = &p->pub;
	struct ydoc *d = ydoc_load(path);

	*out = NULL;
	*errs = d;
	p->doc = d;
	c->path = path;
	c->state = "state/wiredesk.db";
	c->output = "public";
	c->selections = "selections";
	c->every = 15 * 60;
	c->min_interval = 5 * 60;
	c->max_interval = 24 * 3600;
	c->fail_report = 24 * 3600;
	c->republish = 10 * 60;
	c->max_connections = 16;
	c->max_per_host = 4;
	c->max_body = 16 * 1024 * 1024;
	c->timeout = 120;
	c->dedupe_window = 72 * 3600;
	c->dedupe_threshold = 15;

	const struct ydoc_node *root = ydoc_root(d);

	if (ydoc_nerrors(d))
		goto out_fail;
	if (!ydoc_is_map(d, root, "the configuration"))
		goto out_fail;
	ydoc_check_keys(d, root, keys);

	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");

	keep(p, dir);
	if (slash && slash == path)
		dir = (char *)keep(p, xstrdup("/"));
	(void)ydoc_str(d, ydoc_get(root, "state"), &c->state);
	(void)ydoc_str(d, ydoc_get(root, "output"), &c->output);
	(void)ydoc_str(d, ydoc_get(root, "selections"), &c->selections);
	(void)ydoc_str(d, ydoc_get(root, "contact"), &c->contact);
	c->state = resolve(p, dir, c->state);
	c->output = resolve(p, dir, c->output);
	c->selections = resolve(p, dir, c->selections);
	(void)ydoc_duration(d, ydoc_get(root, "every"), &c->every);
	(void)ydoc_duration(d, ydoc_get(root, "min_interval"),
			    &c->min_interval);
	(void)ydoc_duration(d, ydoc_get(root, "max_interval"),
			    &c->max_interval);
	(void)ydoc_duration(d, ydoc_get(root, "fail_report"),
			    &c->fail_report);
	(void)ydoc_duration(d, ydoc_get(root, "republish"), &c->republish);
	(void)ydoc_duration(d, ydoc_get(root, "timeout"), &c->timeout);
	(void)ydoc_duration(d, ydoc_get(root, "dedupe_window"),
			    &c->dedupe_window);
	(void)ydoc_int(d, ydoc_get(root, "connections"), 1, 256,
		       &c->max_connections);
	(void)ydoc_int(d, ydoc_get(root, "per_host"), 1, 64,
		       &c->max_per_host);
	(void)ydoc_int(d, ydoc_get(root, "max_body"), 1024,
		       (int64_t)1 << 32, &c->max_body);
	(void)ydoc_int(d, ydoc_get(root, "dedupe_threshold"), 1, 100,
		       &c->dedupe_threshold);
	if (c->min_interval > c->max_interval)
		ydoc_error(d, ydoc_get(root, "min_interval"),
			   "min_interval is longer than max_interval");
	load_precedence(p, d, ydoc_get(root, "precedence"));
	load_feeds(p, d, dir, ydoc_get(root, "feeds"));
	if (ydoc_nerrors(d))
		goto out_fail;
	*out = c;
	*errs = NULL;
	return 0;
out_fail:
	p->doc = NULL; /* the caller owns it through *errs */
	config_free(c);
	return WD_ECONFIG;
}

static int
ref_find(const void *key, const void *elem)
{
	return strcmp(key, ((const struct feed_ref *)elem)->id);
}

const struct config_feed *
config_feed(const struct config *c, const char *id)
{
	const struct config_priv *p = (const struct config_priv *)c;
	const struct feed_ref *r =
		c->nfeeds ? bsearch(id, p->byid, c->nfeeds, sizeof(*p->byid),
				    ref_find)
			  : NULL;

	return r ? &c->feeds[r->i] : NULL;
}

void
config_free(struct config *c)
{
	if (!c)
		return;
	struct config_priv *p = (struct config_priv *)c;

	for (size_t i = 0; i < p->nstrs; i++)
		free(p->strs[i]);
	free(p->strs);
	free(c->feeds);
	free(p->byid);
	free((void *)c->precedence);
	ydoc_free(p->doc);
	free(p);
}
