/* SPDX-License-Identifier: MIT */
/* aggregator/run.c: the order of a run. Load config and audiences, take the
 * lock, poll what is due, store and fold, then select and write each
 * audience. Every feed's outcome is committed before the next one. */
#include "aggregator/run.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggregator/archive.h"
#include "aggregator/config.h"
#include "aggregator/feedstate.h"
#include "aggregator/lock.h"
#include "aggregator/picks.h"
#include "aggregator/schedule.h"
#include "aggregator/store.h"
#include "aggregator/stories.h"
#include "aggregator/wirever.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/text.h"
#include "core/wdtime.h"
#include "core/xalloc.h"
#include "feeds/fetch.h"
#include "feeds/parse.h"
#include "feeds/websub.h"
#include "output/atomic.h"
#include "output/render.h"
#include "selections/audience.h"
#include "selections/explain.h"
#include "selections/select.h"

struct run {
	const struct config *cfg;
	struct store *db;
	int64_t now;
	int nfailed;
	bool changed; /* the archive took new or updated items */
	struct audience **auds;
	size_t nauds;
	char **audfiles; /* the audience files, sorted */
	struct parse_reuse *parser; /* one expat parser for every feed */
};

static void
print_errors(const struct ydoc *d)
{
	for (size_t i = 0; d && i < ydoc_nerrors(d); i++)
		fprintf(stderr, "%s\n", ydoc_errmsg(d, i));
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The audience files of the selections folder, sorted; NULL-terminated. */
static char **
audience_files(const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	char **v = NULL;
	size_t n = 0;

	if (!d) {
		snprintf(err, errlen, "%s: cannot open the selections folder",
			 dir);
		return NULL;
	}
	struct dirent *e;

	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len < 6 ||
		    strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		struct buf b;

		buf_init(&b, 16384);
		buf_appendf(&b, "%s/%s", dir, e->d_name);
		v = xreallocarray(v, n + 2, sizeof(*v));
		v[n++] = buf_take(&b);
	}
	closedir(d);
	v = xreallocarray(v, n + 1, sizeof(*v));
	v[n] = NULL;
	qsort(v, n, sizeof(*v), name_cmp);
	return v;
}

static void
free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Load every audience; print every mistake. Returns 0 or WD_ECONFIG. */
static int
load_audiences(struct run *r)
{
	char err[1024];
	char **files = audience_files(r->cfg->selections, err, sizeof(err));
	const char **ids = xcalloc(r->cfg->nfeeds + 1, sizeof(*ids));
	struct audience_opts aopts = {.feed_ids = ids,
				      .nfeed_ids = r->cfg->nfeeds};
	int rc = 0;

	for (size_t i = 0; i < r->cfg->nfeeds; i++)
		ids[i] = r->cfg->feeds[i].id;

	if (!files) {
		fprintf(stderr, "wiredesk: %s\n", err);
		free(ids);
		return WD_ECONFIG;
	}
	for (size_t i = 0; files[i]; i++) {
		struct ydoc *errs = NULL;
		struct audience *a = audience_load_opts(files[i], &aopts, &errs);

		print_errors(errs);
		ydoc_free(errs);
		if (!a) {
			rc = WD_ECONFIG;
			continue;
		}
		for (size_t j = 0; j < r->nauds; j++) {
			if (!strcmp(audience_meta(r->auds[j])->name,
				    audience_meta(a)->name)) {
				fprintf(stderr,
					"%s:1:1: audience '%s' is also "
					"defined in another file\n",
					files[i], audience_meta(a)->name);
				rc = WD_ECONFIG;
			}
		}
		r->auds = xreallocarray(r->auds, r->nauds + 1,
					sizeof(*r->auds));
		r->auds[r->nauds++] = a;
	}
	r->audfiles = files;
	free(ids);
	return rc;
}

static void
free_audiences(struct run *r)
{
	for (size_t i = 0; i < r->nauds; i++)
		audience_free(r->auds[i]);
	free(r->auds);
	r->auds = NULL;
	r->nauds = 0;
	free_strv(r->audfiles);
	r->audfiles = NULL;
}

/* Make a folder if it is missing (one level). */
static int
ensure_dir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "wiredesk: %s: %s\n", dir, strerror(errno));
		return WD_EIO;
	}
	return 0;
}

static void
ensure_parent(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return;
	char *dir = xstrndup(path, (size_t)(slash - path));

	(void)ensure_dir(dir);
	free(dir);
}

static int
load_config(const char *path, struct config **cfg)
{
	struct ydoc *errs = NULL;
	int rc = config_load(path, cfg, &errs);

	print_errors(errs);
	ydoc_free(errs);
	return rc;
}

/* ---- polling ---------------------------------------------------------- */

struct poll_feed {
	const struct config_feed *cf;
	struct feed_state st;
};

struct poll {
	struct run *r;
	struct poll_feed *feeds;
	size_t n;
};


static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

struct ingest {
	struct run *r;
	const char *feed_id;
	const char *source;
	int64_t nnew;
	bool changed; /* new or updated items */
	int rc;
};

static int
ingest_item(void *ctx, const struct item *it)
{
	struct ingest *in = ctx;
	int rc = archive_put_item(in->r->db, in->feed_id, in->source, it,
				  in->r->now);

	if (rc < 0) {
		in->rc = rc;
		return rc;
	}
	if (rc == ARCHIVE_NEW)
		in->nnew++;
	if (rc != ARCHIVE_SAME)
		in->changed = true;
	return 0;
}

/* Items read from one document at most (a feed of a million items is an
 * attack or a mistake, not news). */
enum { MAX_ITEMS = 100000 };

/* Parse a body and store its items; returns 0 or a wd_err with msg. */
static int
ingest_body(struct run *r, struct poll_feed *pf, const struct fetch_res *res,
	    struct schedule_in *sin, struct buf *msg)
{
	struct arena *a = arena_new();
	struct feed_info info;
	struct parse_opts po = {
		.url = res->final_url ? res->final_url : pf->cf->url,
		.content_type = res->content_type,
		.content_location = res->content_location,
		.content_language = res->content_language,
		.max_items = MAX_ITEMS,
		.reuse = r->parser,
	};
	struct ingest in = {.r = r, .feed_id = pf->cf->id,
			    .source = pf->cf->source};
	int rc = parse_feed(res->body, res->len, &po, ingest_item, &in, a,
			    &info);

	if (in.rc < 0) {
		buf_appendf(msg, "store: %s", store_errmsg(r->db));
		rc = in.rc;
	} else if (rc < 0) {
		buf_appendf(msg, "parse: %s",
			    info.bozo_msg ? info.bozo_msg : wd_strerror(rc));
	} else {
		if (info.bozo && !info.nitems)
			buf_appendf(msg, "parse: %s",
				    info.bozo_msg ? info.bozo_msg
						  : "ill-formed feed");
		if (po.max_items && info.nitems >= po.max_items)
			fprintf(stderr,
				"wiredesk: feed %s: only its first %zu items "
				"were read (the cap for one document)\n",
				pf->cf->id, po.max_items);
		set_str(&pf->st.title, info.title);
		pf->st.items_seen += in.nnew;
		/* The last publication is out of date, from the moment this
		 * feed's transaction commits (a run killed before publishing
		 * leaves the next one to publish). */
		if (in.changed) {
			r->changed = true;
			if (store_meta_set(r->db, "publish.stamp", NULL) < 0) {
				buf_appendf(msg, "store: %s",
					    store_errmsg(r->db));
				rc = WD_EDB;
			}
		}
		/* Kept: a 304 or an unchanged body says nothing new of
		 * them. */
		pf->st.ttl = sin->ttl = info.ttl;
		pf->st.update_period = sin->update_period = info.update_period;
		if (info.bozo && !info.nitems)
			rc = WD_EPARSE;
	}
	arena_free(a);
	return rc;
}

static void
report_failure(struct run *r, struct poll_feed *pf, const char *msg)
{
	struct feed_state *st = &pf->st;

	r->nfailed++;
	if (st->first_error == WD_NOTIME)
		st->first_error = r->now;
	st->errors++;
	set_str(&st->last_error, msg);
	if (!st->reported) {
		fprintf(stderr, "wiredesk: feed %s: %s\n", pf->cf->id, msg);
		st->reported = true;
	} else if (r->now - st->first_error >= r->cfg->fail_report) {
		char since[32];

		wd_time_rfc3339(st->first_error, since);
		fprintf(stderr,
			"wiredesk: feed %s: failing since %s (%lld errors "
			"in a row): %s\n",
			pf->cf->id, since, (long long)st->errors, msg);
	}
}

static void
fetch_done(void *ctx, const struct fetch_req *req, const struct fetch_res *res)
{
	struct poll *p = ctx;
	struct run *r = p->r;
	struct poll_feed *pf = req->user;
	struct feed_state *st = &pf->st;
	struct schedule_cfg scfg = {
		.every = r->cfg->every,
		.min_interval = r->cfg->min_interval,
		.max_interval = r->cfg->max_interval,
		.jitter_pct = 10,
	};
	struct schedule_in sin = {
		.key = pf->cf->id,
		.every = pf->cf->every,
		.max_age = res->max_age,
		.expires = res->expires,
		.retry_after = res->retry_after,
		.ttl = st->ttl,
		.update_period = st->update_period,
	};
	enum schedule_outcome outcome = schedule_classify(res->rc, res->status);
	struct buf msg;

	buf_init(&msg, 4096);
	if (store_begin(r->db) < 0) {
		fprintf(stderr, "wiredesk: feed %s: store: %s\n", pf->cf->id,
			store_errmsg(r->db));
		r->nfailed++;
		buf_free(&msg);
		return;
	}
	st->last_attempt = r->now;
	st->last_status = res->status;
	if (res->moved_to && (!st->moved_to ||
			      strcmp(st->moved_to, res->moved_to))) {
		fprintf(stderr,
			"wiredesk: feed %s: moved permanently to %s "
			"(polling the new address; update wiredesk.yaml)\n",
			pf->cf->id, res->moved_to);
		set_str(&st->moved_to, res->moved_to);
	}
	int rc = 0;

	if (res->rc < 0) {
		buf_appendf(&msg, "fetch: %s",
			    res->errmsg ? res->errmsg : wd_strerror(res->rc));
		rc = res->rc;
	} else if (res->status == 304) {
		rc = 0;
	} else if (res->status == 410) {
		st->gone = true;
		fprintf(stderr,
			"wiredesk: feed %s: gone (HTTP 410); not polled "
			"again until its URL changes or --force\n",
			pf->cf->id);
	} else if (res->status >= 200 && res->status < 300) {
		char hash[20];

		snprintf(hash, sizeof(hash), "%016llx",
			 (unsigned long long)wd_fnv1a(WD_FNV_SEED, res->body,
						      res->len));
		if (!st->body_hash || strcmp(st->body_hash, hash))
			rc = ingest_body(r, pf, res, &sin, &msg);
		if (rc == 0)
			set_str(&st->body_hash, hash);
	} else {
		buf_appendf(&msg, "fetch: HTTP %ld", res->status);
		rc = WD_ENET;
	}
	if (rc == WD_EDB) {
		store_rollback(r->db);
		fprintf(stderr, "wiredesk: feed %s: %s\n", pf->cf->id,
			buf_str(&msg));
		r->nfailed++;
		buf_free(&msg);
		return;
	}
	if (rc < 0 || msg.len) {
		report_failure(r, pf, buf_str(&msg));
		sin.errors = st->errors;
		if (outcome == SCHEDULE_OK)
			outcome = SCHEDULE_ERROR; /* a body we could not read */
		st->next_due = schedule_next_error(&scfg, &sin, outcome, r->now);
	} else if (st->gone) {
		st->next_due = SCHEDULE_NEVER;
	} else {
		if (res->etag || res->status != 304)
			set_str(&st->etag, res->etag);
		if (res->last_modified || res->status != 304)
			set_str(&st->last_modified, res->last_modified);
		st->last_success = r->now;
		st->errors = 0;
		st->first_error = WD_NOTIME;
		st->reported = false;
		set_str(&st->last_error, NULL);
		st->next_due = schedule_next_ok(&scfg, &sin, r->now);
	}
	if (feedstate_save(r->db, st) < 0 || store_commit(r->db) < 0) {
		fprintf(stderr, "wiredesk: feed %s: store: %s\n", pf->cf->id,
			store_errmsg(r->db));
		store_rollback(r->db);
		r->nfailed++;
	}
	buf_free(&msg);
}

/* wiredesk/VERSION (+CONTACT): who is asking, and how to reach them. */
static void
user_agent(const struct config *c, char *ua, size_t len)
{
	snprintf(ua, len, "wiredesk/%s%s%s%s", WD_VERSION,
		 c->contact ? " (+" : "", c->contact ? c->contact : "",
		 c->contact ? ")" : "");
}

static int
poll_feeds(struct run *r, const struct run_opts *o)
{
	const struct config *c = r->cfg;
	struct poll p = {.r = r};
	struct fetch *f = NULL;
	char ua[512];
	int rc;

	user_agent(c, ua, sizeof(ua));
	struct fetch_opts fo = {
		.max_total = (int)c->max_connections,
		.max_per_host = (int)c->max_per_host,
		.connect_timeout = 20,
		.total_timeout = (long)c->timeout,
		.low_speed_limit = 100,
		.low_speed_time = 30,
		.max_body = (size_t)c->max_body,
		.user_agent = ua,
	};

	if (o->only_feed && !config_feed(c, o->only_feed)) {
		fprintf(stderr, "wiredesk: no feed '%s' in %s\n", o->only_feed,
			c->path);
		return WD_EINVAL;
	}
	/* Feeds known not to be due are skipped without loading their
	 * state (a run with nothing due stays cheap). */
	struct feed_waiting *waiting = NULL;
	size_t nwaiting = 0;

	if (!o->force &&
	    feedstate_waiting(r->db, r->now, &waiting, &nwaiting) < 0) {
		fprintf(stderr, "wiredesk: store: %s\n", store_errmsg(r->db));
		return WD_EDB;
	}
	p.feeds = xcalloc(c->nfeeds + 1, sizeof(*p.feeds));
	for (size_t i = 0; i < c->nfeeds; i++) {
		const struct config_feed *cf = &c->feeds[i];
		struct poll_feed *pf = &p.feeds[p.n];

		if (o->only_feed && strcmp(o->only_feed, cf->id))
			continue;
		const struct feed_waiting *w =
			feedstate_waiting_find(waiting, nwaiting, cf->id);

		if (w && !strcmp(w->config_url, cf->url))
			continue;
		if (!f && (rc = fetch_new(&fo, &f)) < 0) {
			fprintf(stderr, "wiredesk: cannot start the fetcher\n");
			goto out;
		}
		rc = feedstate_load(r->db, cf->id, cf->url, &pf->st);
		if (rc < 0) {
			fprintf(stderr, "wiredesk: feed %s: store: %s\n",
				cf->id, store_errmsg(r->db));
			goto out;
		}
		bool due = o->force || (!pf->st.gone && pf->st.next_due <= r->now);

		if (!due) {
			feedstate_clear(&pf->st);
			continue;
		}
		if (o->force)
			pf->st.gone = false;
		pf->cf = cf;
		p.n++;
		struct fetch_req req = {
			.url = feedstate_url(&pf->st),
			.etag = pf->st.etag,
			.last_modified = pf->st.last_modified,
			.user = pf,
		};

		fetch_add(f, &req);
	}
	rc = 0;
	if (p.n && fetch_run(f, fetch_done, &p) < 0) {
		fprintf(stderr, "wiredesk: the fetcher failed\n");
		rc = WD_ENET;
	}
out:
	for (size_t i = 0; i < p.n; i++)
		feedstate_clear(&p.feeds[i].st);
	free(p.feeds);
	feedstate_waiting_free(waiting, nwaiting);
	fetch_free(f);
	return rc;
}

/* ---- publishing ------------------------------------------------------- */

/* One rendered output file at most (a cap, like every buffer fed from
 * outside). */
#define OUTPUT_MAX ((size_t)64 << 20)

/* Fill in each item's wire credit and feed URL from the config. */
static void
credit_items(struct run *r, struct story_set *set)
{
	for (size_t i = 0; i < set->nitems; i++) {
		struct story_item *si = &set->items[i];
		const struct config_feed *cf = config_feed(r->cfg, si->feed_id);

		si->source = cf ? cf->source : si->feed_id;
		si->feed_url = cf ? cf->url : NULL;
	}
}

/* Rank of a source in the precedence list; unlisted sources come after. */
static size_t
precedence_rank(const struct config *c, const char *source)
{
	for (size_t i = 0; i < c->nprecedence; i++) {
		if (!wd_strcasecmp(c->precedence[i], source))
			return i;
	}
	return c->nprecedence;
}

static int64_t
item_date(const struct story_item *si)
{
	return si->item.published != WD_NOTIME ? si->item.published
					       : si->first_seen;
}

/*
 * Which item represents a story: the feed of the best-ranked source (the
 * precedence list, else the source that had the story first), and within
 * that feed its newest version. Kill notices never represent a story. The
 * chosen item is moved to items[0].
 */
static void
choose_leads(const struct config *c, struct story_set *set)
{
	for (size_t s = 0; s < set->n; s++) {
		struct story *sy = &set->stories[s];
		struct story_item *v = (struct story_item *)sy->items;
		size_t best = 0;

		for (size_t i = 1; i < sy->nitems; i++) {
			const struct story_item *a = &v[i], *b = &v[best];

			if (a->kill != b->kill) {
				if (b->kill)
					best = i;
				continue;
			}
			size_t ra = precedence_rank(c, a->source);
			size_t rb = precedence_rank(c, b->source);

			if (ra != rb) {
				if (ra < rb)
					best = i;
				continue;
			}
			if (strcmp(a->feed_id, b->feed_id)) {
				if (a->first_seen < b->first_seen)
					best = i;
				continue;
			}
			if (a->version > b->version ||
			    (a->version == b->version &&
			     item_date(a) > item_date(b)))
				best = i;
		}
		if (best) {
			struct story_item tmp = v[0];

			v[0] = v[best];
			v[best] = tmp;
		}
	}
}

static int
write_output(const char *dir, const char *name, const char *ext,
	     const struct buf *doc)
{
	struct buf path;
	char err[1024];

	buf_init(&path, 16384);
	buf_appendf(&path, "%s/%s.%s", dir, name, ext);
	int rc = atomic_write(buf_str(&path), buf_str(doc), doc->len, err,
			      sizeof(err));

	if (rc < 0)
		fprintf(stderr, "wiredesk: output: %s\n", err);
	buf_free(&path);
	return rc; /* 1: replaced, 0: unchanged */
}

/*
 * Readers see a story's headline, not the wire's version bookkeeping:
 * "UPDATE 2-", "REFILE-", "RPT-" and "CORRECTED-" are dropped from the
 * headline of the item shown (kinds such as "EXCLUSIVE-" stay: they tell
 * the reader something).
 */
static void
tidy_titles(struct story_set *set)
{
	const unsigned bookkeeping = WIREVER_F_UPDATE | WIREVER_F_REFILE |
				     WIREVER_F_REPEAT | WIREVER_F_CORRECTED;

	for (size_t s = 0; s < set->n; s++) {
		struct story_item *lead = (struct story_item *)set->stories[s].items;
		struct wirever wv;

		if (!lead->item.title)
			continue;
		if (wirever_parse(lead->item.title, NULL, &wv) > 0 &&
		    (wv.flags & bookkeeping) && wv.kind == WIREVER_NEWS &&
		    wv.base && *wv.base)
			lead->item.title = arena_strdup(set->arena, wv.base);
		wirever_clear(&wv);
	}
}

/* A loaded set as rules and readers see it: wire credits, lead items,
 * headlines without version bookkeeping. */
static void
dress_stories(struct run *r, struct story_set *set)
{
	credit_items(r, set);
	choose_leads(r->cfg, set);
	tidy_titles(set);
}

/* A story as one audience shows it: the selected item first. */
static struct story *
story_showing(const struct story *sy, size_t item)
{
	struct story *c = xmalloc(sizeof(*c));
	struct story_item *v = xcalloc(sy->nitems, sizeof(*v));

	*c = *sy;
	memcpy(v, sy->items, sy->nitems * sizeof(*v));
	if (item && item < sy->nitems) {
		struct story_item tmp = v[0];

		v[0] = v[item];
		v[item] = tmp;
	}
	c->items = v;
	return c;
}

static void
free_entries(struct render_entry *ents, size_t n)
{
	for (size_t i = 0; ents && i < n; i++) {
		if (ents[i].story)
			free((void *)ents[i].story->items);
		free((void *)ents[i].story);
		free((void *)ents[i].guid);
	}
	free(ents);
}

/* The files written for each audience: AUDIENCE.EXT in the output folder;
 * the feeds among them are WebSub topics. */
static const struct {
	const char *ext;
	bool topic;
	int (*render)(const struct render_feed *f,
		      const struct render_entry *entries, size_t n,
		      struct buf *out);
} formats[] = {
	{"rss", true, render_rss},
	{"atom", true, render_atom},
	{"json", true, render_json},
	{"html", false, render_html},
};
enum { NFORMATS = sizeof(formats) / sizeof(formats[0]) };

/*
 * WebSub pings owed: the meta key websub.AUDIENCE holds a mask of the
 * formats (bit i: formats[i]) whose change the hub has not been told of.
 * A publication sets every feed's bit in the transaction that records it,
 * so a run killed before pinging, or a hub that cannot be reached, leaves
 * the pings to the next run, which makes them whether or not it publishes.
 */
static unsigned
topics(void)
{
	unsigned mask = 0;

	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].topic)
			mask |= 1u << i;
	return mask;
}

static void
websub_key(const char *audience, char *key, size_t len)
{
	snprintf(key, len, "websub.%s", audience);
}

static int
websub_owed(struct run *r, const char *audience, unsigned *mask)
{
	char key[300], v[32];

	websub_key(audience, key, sizeof(key));
	*mask = 0;
	int rc = store_meta_get(r->db, key, v, sizeof(v));

	if (rc == 1)
		*mask = (unsigned)strtoul(v, NULL, 10) & topics();
	return rc < 0 ? rc : 0;
}

static int
websub_owe(struct run *r, const char *audience, unsigned mask)
{
	char key[300], v[32];

	websub_key(audience, key, sizeof(key));
	snprintf(v, sizeof(v), "%u", mask);
	return store_meta_set(r->db, key, mask ? v : NULL);
}

/* Tell the audience's WebSub hub of the feeds in mask; returns the mask of
 * those it could not be told of (reported on stderr, one line per hub and
 * run; the feeds themselves are written). */
static unsigned
ping_hub(struct run *r, const struct render_feed *rf, const char *hub,
	 unsigned mask)
{
	char ua[512], err[512];
	struct buf topic;

	user_agent(r->cfg, ua, sizeof(ua));
	buf_init(&topic, 16384);
	for (size_t i = 0; i < NFORMATS; i++) {
		char ext[16];

		if (!formats[i].topic || !(mask & (1u << i)))
			continue;
		snprintf(ext, sizeof(ext), ".%s", formats[i].ext);
		buf_reset(&topic);
		if (!render_self_url(rf, ext, &topic)) {
			mask &= ~(1u << i);
			continue;
		}
		if (websub_ping(hub, buf_str(&topic), ua, err, sizeof(err)) <
		    0) {
			fprintf(stderr,
				"wiredesk: audience %s: WebSub hub %s: %s "
				"(the next run announces its changes)\n",
				rf->name, hub, err);
			break; /* one line per hub and run */
		}
		mask &= ~(1u << i);
	}
	buf_free(&topic);
	return mask;
}

/* Make the pings owed by audiences that did not publish in this run. */
static void
ping_owed(struct run *r, const bool *published)
{
	for (size_t i = 0; i < r->nauds; i++) {
		const struct audience_meta *m = audience_meta(r->auds[i]);
		unsigned owed;

		if (!m->hub || (published && published[i]))
			continue;
		if (websub_owed(r, m->name, &owed) < 0) {
			fprintf(stderr, "wiredesk: store: %s\n",
				store_errmsg(r->db));
			r->nfailed++;
			return;
		}
		if (!owed)
			continue;
		struct render_feed rf = {
			.name = m->name,
			.self_base = m->feed_url,
			.hub = m->hub,
		};
		unsigned left = ping_hub(r, &rf, m->hub, owed);

		if (left)
			r->nfailed++;
		if (left != owed && websub_owe(r, m->name, left) < 0) {
			fprintf(stderr, "wiredesk: store: %s\n",
				store_errmsg(r->db));
			r->nfailed++;
		}
	}
}

/* One due audience while publishing: its picks and blocks, and its
 * selection, judged story by story. */
struct audience_job {
	const struct audience *a;
	struct pick_list picks;
	struct selection *sel;
};

struct judging {
	struct run *r;
	struct audience_job *jobs;
	size_t njobs;
};

/* Each story of the window passes here once, with its text: the rules see
 * it as archive_load and dress_stories make it,
 * and its text is gone when the next story comes. Only a story that may
 * take a slot somewhere keeps its items for ranking (1). */
static int
judge_story(void *ctx, struct story_set *one)
{
	struct judging *j = ctx;
	bool keep = false;

	dress_stories(j->r, one);
	for (size_t i = 0; i < j->njobs; i++) {
		if (select_judge(j->jobs[i].sel, &one->stories[0]))
			keep = true;
	}
	return keep ? 1 : 0;
}

static int
id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* For bsearch: a story id against a story. */
static int
story_id_cmp(const void *key, const void *elem)
{
	return id_cmp(key, &((const struct story *)elem)->id);
}

/* The chosen stories of entries[0..n) again, with their text, each once
 * (a story shown once per item has several entries), with the credits,
 * leads and titles they had when judged: the entries' item indexes stay
 * valid. */
static int
load_chosen(struct run *r, const struct story_set *brief,
	    const struct select_entry *sv, size_t n, struct story_set *full)
{
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	size_t nids = 0;

	/* Sorted and unique: full comes back in id order (find_story). */
	for (size_t i = 0; i < n; i++)
		ids[i] = brief->stories[sv[i].story].id;
	qsort(ids, n, sizeof(*ids), id_cmp);
	for (size_t i = 0; i < n; i++) {
		if (!nids || ids[nids - 1] != ids[i])
			ids[nids++] = ids[i];
	}
	int rc = archive_load_ids(r->db, ids, nids, full);

	free(ids);
	if (rc < 0)
		return rc;
	if (full->n != nids) {
		fprintf(stderr, "wiredesk: a chosen story left the store "
				"while publishing\n");
		return WD_EIO;
	}
	dress_stories(r, full);
	return 0;
}

/* The story of full (from load_chosen) that brief->stories[i] is. */
static const struct story *
find_story(const struct story_set *full, size_t i,
	   const struct story_set *brief)
{
	const struct story *sy = bsearch(&brief->stories[i].id, full->stories,
					 full->n, sizeof(*full->stories),
					 story_id_cmp);

	assert(sy);
	return sy;
}

/* Rank the judged stories of job over brief (the window without its text),
 * then render the chosen ones with their text, loaded again. */
static int
publish_audience(struct run *r, struct audience_job *job,
		 const struct story_set *brief)
{
	const struct audience_meta *m = audience_meta(job->a);
	struct render_entry *ents = NULL;
	struct selection *sel = job->sel;
	struct story_set full = {0};
	size_t n = 0;
	int rc;

	rc = select_finish(sel, brief->stories, brief->n);
	if (rc < 0) {
		fprintf(stderr, "wiredesk: audience %s: selection failed: %s\n",
			m->name, wd_strerror(rc));
		goto out;
	}
	const struct select_entry *sv = selection_entries(sel, &n);

	rc = load_chosen(r, brief, sv, n, &full);
	if (rc == WD_EDB)
		goto out_db;
	if (rc < 0)
		goto out;
	ents = xcalloc(n + 1, sizeof(*ents));
	unsigned owed = 0;

	rc = store_begin(r->db);
	if (rc < 0)
		goto out_db;
	if (m->hub && (websub_owed(r, m->name, &owed) < 0 ||
		       websub_owe(r, m->name, owed | topics()) < 0)) {
		store_rollback(r->db);
		goto out_db;
	}
	for (size_t i = 0; i < n; i++) {
		const struct story *sy = find_story(&full, sv[i].story, brief);
		const struct verdict *vd = selection_verdict(sel, sv[i].story);
		struct buf g;

		buf_init(&g, 1024);
		buf_appendf(&g, "urn:wiredesk:story:%s", sy->key);
		/* A story shown once per item (one_per_story: false) gets
		 * one id per feed. */
		if (sv[i].item)
			buf_appendf(&g, ":%s", sy->items[sv[i].item].feed_id);
		ents[i].guid = buf_take(&g);
		ents[i].story = story_showing(sy, sv[i].item);
		ents[i].tags = vd->tags;
		ents[i].ntags = vd->ntags;
		rc = archive_publish(r->db, m->name, sy, r->now,
				     &ents[i].published, &ents[i].updated);
		if (rc < 0) {
			store_rollback(r->db);
			goto out_db;
		}
	}
	rc = store_commit(r->db);
	if (rc < 0)
		goto out_db;

	struct render_feed rf = {
		.name = m->name,
		.title = m->title,
		.description = m->description,
		.link = m->link,
		.self_base = m->feed_url,
		.language = m->language,
		.attribution = m->attribution,
		.signoff = m->signoff,
		.copyright = m->copyright,
		.image = m->image,
		.ttl = m->ttl,
		.hub = m->hub,
	};
	/* Render every format first: a failure leaves every old file as it
	 * was. */
	struct buf docs[NFORMATS];

	for (size_t i = 0; i < NFORMATS; i++) {
		buf_init(&docs[i], OUTPUT_MAX);
		if (rc == 0)
			rc = formats[i].render(&rf, ents, n, &docs[i]);
	}
	unsigned changed = 0;

	for (size_t i = 0; rc >= 0 && i < NFORMATS; i++) {
		rc = write_output(r->cfg->output, m->name, formats[i].ext,
				  &docs[i]);
		if (rc == 1 && formats[i].topic)
			changed |= 1u << i;
	}
	for (size_t i = 0; i < NFORMATS; i++)
		buf_free(&docs[i]);
	if (rc < 0) {
		fprintf(stderr, "wiredesk: audience %s: could not write its "
				"outputs\n",
			m->name);
		/* What was written is owed a ping; the rest is as it was. */
		if (m->hub && websub_owe(r, m->name, owed | changed) < 0)
			goto out_db;
		goto out;
	}
	rc = 0;
	if (m->hub) {
		unsigned left = owed | changed;

		if (left)
			left = ping_hub(r, &rf, m->hub, left);
		if (left)
			r->nfailed++;
		if (websub_owe(r, m->name, left) < 0)
			goto out_db;
	}
	goto out;
out_db:
	fprintf(stderr, "wiredesk: audience %s: store: %s\n", m->name,
		store_errmsg(r->db));
out:
	free_entries(ents, n);
	archive_set_free(&full);
	return rc < 0 ? rc : 0;
}

static int
publish_all(struct run *r)
{
	struct audience_job *jobs = xcalloc(r->nauds + 1, sizeof(*jobs));
	struct judging j = {.r = r, .jobs = jobs};
	struct story_set brief = {0};
	int64_t longest = 0;
	int rc = 0;

	for (size_t i = 0; i < r->nauds; i++) {
		if (audience_meta(r->auds[i])->window > longest)
			longest = audience_meta(r->auds[i])->window;
	}
	for (size_t i = 0; i < r->nauds; i++) {
		const struct audience *a = r->auds[i];
		struct audience_job *job = &jobs[j.njobs];

		if (!audience_is_due(a, r->now))
			continue; /* outside its publishing schedule: keep the
				     files */
		if (picks_load(r->db, audience_meta(a)->name, r->now,
			       &job->picks) < 0) {
			fprintf(stderr, "wiredesk: audience %s: store: %s\n",
				audience_meta(a)->name, store_errmsg(r->db));
			rc = WD_EIO;
			continue;
		}
		job->a = a;
		job->sel = select_new(a, job->picks.v, job->picks.n, r->now);
		j.njobs++;
	}
	if (j.njobs && archive_load_brief(r->db, r->now - longest, judge_story,
					  &j, &brief) < 0) {
		fprintf(stderr, "wiredesk: store: %s\n", store_errmsg(r->db));
		rc = WD_EDB;
		goto out;
	}
	credit_items(r, &brief);
	choose_leads(r->cfg, &brief);
	if (r->nauds && ensure_dir(r->cfg->output) < 0) {
		rc = WD_EIO;
		goto out;
	}
	for (size_t i = 0; i < j.njobs; i++) {
		if (publish_audience(r, &jobs[i], &brief) < 0)
			rc = WD_EIO;
	}
	/* Audiences outside their schedule may still owe pings. */
	bool *published = xcalloc(r->nauds + 1, sizeof(*published));

	for (size_t i = 0; i < j.njobs; i++) {
		for (size_t k = 0; k < r->nauds; k++)
			if (r->auds[k] == jobs[i].a)
				published[k] = true;
	}
	ping_owed(r, published);
	free(published);
out:
	for (size_t i = 0; i < j.njobs; i++) {
		selection_free(jobs[i].sel);
		picks_list_free(&jobs[i].picks);
	}
	free(jobs);
	archive_set_free(&brief);
	return rc;
}

/*
 * ---- publishing only when something changed ---------------------------
 *
 * The outputs are made from the archive, the config, the audience files,
 * the picks and blocks, and the clock. A run publishes when the archive
 * took new or updated items (ingest then also clears publish.stamp, so a
 * run killed before publishing leaves it to the next), when the stamp of
 * the other inputs differs from the last publication's, when an output
 * file is missing, or when publish.next has come: `republish` after the
 * last publication (what the clock alone changes: windows, age rules,
 * embargoes, schedules) or the end of a pick or block, whichever is first.
 * A run with nothing due reads no archive at all.
 */
static uint64_t
mix_file(uint64_t h, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	h = wd_fnv1a(h, path, strlen(path) + 1);
	if (!f)
		return wd_fnv1a(h, "-", 1);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		h = wd_fnv1a(h, chunk, n);
	fclose(f);
	return h;
}

static int
publish_stamp(struct run *r, char stamp[17], int64_t *next)
{
	uint64_t h = wd_fnv1a(WD_FNV_SEED, WD_VERSION, sizeof(WD_VERSION));

	h = mix_file(h, r->cfg->path);
	for (size_t i = 0; r->audfiles && r->audfiles[i]; i++)
		h = mix_file(h, r->audfiles[i]);
	*next = r->now + (r->cfg->republish > 0 ? r->cfg->republish : 1);
	if (picks_stamp(r->db, r->now, &h, next) < 0)
		return WD_EDB;
	snprintf(stamp, 17, "%016llx", (unsigned long long)h);
	return 0;
}

static bool
outputs_exist(const struct run *r)
{
	struct buf path;
	bool all = true;

	buf_init(&path, 16384);
	for (size_t i = 0; all && i < r->nauds; i++) {
		for (size_t f = 0; all && f < NFORMATS; f++) {
			buf_reset(&path);
			buf_appendf(&path, "%s/%s.%s", r->cfg->output,
				    audience_meta(r->auds[i])->name,
				    formats[f].ext);
			all = access(buf_str(&path), F_OK) == 0;
		}
	}
	buf_free(&path);
	return all;
}

static int64_t
meta_time(struct store *db, const char *key)
{
	char v[32], *end;

	if (store_meta_get(db, key, v, sizeof(v)) != 1)
		return WD_NOTIME;
	errno = 0;
	long long t = strtoll(v, &end, 10);

	return errno || end == v || *end ? WD_NOTIME : (int64_t)t;
}

/* True when the last publication is still what a new one would write. */
static bool
publication_current(struct run *r, const char *stamp)
{
	char old[32];

	if (r->changed ||
	    store_meta_get(r->db, "publish.stamp", old, sizeof(old)) != 1 ||
	    strcmp(old, stamp))
		return false;
	int64_t at = meta_time(r->db, "publish.at");
	int64_t next = meta_time(r->db, "publish.next");

	return at != WD_NOTIME && next != WD_NOTIME && r->now >= at &&
	       r->now < next && outputs_exist(r);
}

static int
remember_publication(struct run *r, const char *stamp, int64_t next)
{
	char at[32], nx[32];

	snprintf(at, sizeof(at), "%lld", (long long)r->now);
	snprintf(nx, sizeof(nx), "%lld", (long long)next);
	if (store_begin(r->db) < 0)
		return WD_EDB;
	if (store_meta_set(r->db, "publish.stamp", stamp) < 0 ||
	    store_meta_set(r->db, "publish.at", at) < 0 ||
	    store_meta_set(r->db, "publish.next", nx) < 0 ||
	    store_commit(r->db) < 0) {
		store_rollback(r->db);
		return WD_EDB;
	}
	return 0;
}

/* Publish (when needed, or always with force) and record it. */
static int
publish_if_needed(struct run *r, bool always)
{
	char stamp[17];
	int64_t next;

	if (publish_stamp(r, stamp, &next) < 0) {
		fprintf(stderr, "wiredesk: store: %s\n", store_errmsg(r->db));
		return WD_EDB;
	}
	if (!always && publication_current(r, stamp)) {
		ping_owed(r, NULL);
		return 0;
	}
	/* Until this publication is complete, none is current. */
	if (store_meta_set(r->db, "publish.stamp", NULL) < 0 ||
	    publish_all(r) < 0)
		return WD_EIO;
	if (remember_publication(r, stamp, next) < 0) {
		fprintf(stderr, "wiredesk: store: %s\n", store_errmsg(r->db));
		return WD_EDB;
	}
	return 0;
}

int
run_main(const struct run_opts *o)
{
	struct config *cfg = NULL;
	struct run r = {0};
	struct lock *lk = NULL;
	char err[1024];
	int status = RUN_FAILED;

	if (load_config(o->config, &cfg) < 0)
		return RUN_FAILED;
	r.cfg = cfg;
	r.now = wd_now();
	r.parser = parse_reuse_new();
	if (o->publish && load_audiences(&r) < 0)
		goto out;

	struct buf lpath;

	buf_init(&lpath, 16384);
	buf_appendf(&lpath, "%s.lock", cfg->state);
	ensure_parent(buf_str(&lpath));
	int rc = lock_take(buf_str(&lpath), &lk, err, sizeof(err));

	buf_free(&lpath);
	if (rc < 0) {
		fprintf(stderr, "wiredesk: %s\n", err);
		status = rc == WD_EBUSY ? RUN_BUSY : RUN_FAILED;
		goto out;
	}
	if (store_open(cfg->state, &r.db, err, sizeof(err)) < 0) {
		fprintf(stderr, "wiredesk: state: %s\n", err);
		goto out;
	}
	stories_configure(r.db, cfg->dedupe_window,
			  (double)cfg->dedupe_threshold / 100.0);
	if (o->fetch && poll_feeds(&r, o) < 0)
		goto out;
	/* Band keys only grow when items come in: a run that stored nothing
	 * leaves the pruning to the next one that does. */
	if (o->fetch && r.changed && stories_prune_bands(r.db, r.now) < 0) {
		fprintf(stderr, "wiredesk: state: %s\n", store_errmsg(r.db));
		goto out;
	}
	if (o->publish && publish_if_needed(&r, !o->fetch) < 0)
		goto out;
	status = r.nfailed ? RUN_PARTIAL : RUN_OK;
out:
	store_close(r.db);
	lock_release(lk);
	free_audiences(&r);
	parse_reuse_free(r.parser);
	config_free(cfg);
	return status;
}

/* The window's stories judged one at a time for `explain`, as publishing
 * judges them; only their titles are kept (in arena, per item in the
 * order dress_stories leaves them), not their text. */
struct explaining {
	struct run *r;
	struct selection *sel;
	struct arena *arena;
	const char **titles; /* one per item, all stories in turn */
	size_t ntitles, cap;
};

static int
explain_story(void *ctx, struct story_set *one)
{
	struct explaining *e = ctx;
	const struct story *sy = &one->stories[0];

	dress_stories(e->r, one);
	(void)select_judge(e->sel, sy);
	for (size_t i = 0; i < sy->nitems; i++) {
		const char *t = sy->items[i].item.title;

		if (e->ntitles == e->cap) {
			e->cap = e->cap ? 2 * e->cap : 256;
			e->titles = xreallocarray(e->titles, e->cap,
						  sizeof(*e->titles));
		}
		e->titles[e->ntitles++] = t ? arena_strdup(e->arena, t) : NULL;
	}
	return 1; /* every story is listed, with its items (without text) */
}

int
run_explain(const char *config, const char *audience, const char *story,
	    bool json)
{
	struct config *cfg = NULL;
	struct run r = {0};
	struct story_set set = {0};
	struct pick_list picks = {0};
	struct explaining e = {0};
	char err[1024];
	int status = RUN_FAILED;

	if (load_config(config, &cfg) < 0)
		return RUN_FAILED;
	r.cfg = cfg;
	r.now = wd_now();
	if (load_audiences(&r) < 0)
		goto out;
	const struct audience *a = NULL;

	for (size_t i = 0; i < r.nauds; i++) {
		if (!strcmp(audience_meta(r.auds[i])->name, audience))
			a = r.auds[i];
	}
	if (!a) {
		fprintf(stderr, "wiredesk: explain: no audience '%s' in %s\n",
			audience, cfg->selections);
		goto out;
	}
	if (store_open(cfg->state, &r.db, err, sizeof(err)) < 0) {
		fprintf(stderr, "wiredesk: state: %s\n", err);
		goto out;
	}
	if (picks_load(r.db, audience, r.now, &picks) < 0) {
		fprintf(stderr, "wiredesk: state: %s\n", store_errmsg(r.db));
		goto out;
	}
	e.r = &r;
	e.sel = select_new(a, picks.v, picks.n, r.now);
	e.arena = arena_new();
	if (archive_load_brief(r.db, r.now - audience_meta(a)->window,
			       explain_story, &e, &set) < 0) {
		fprintf(stderr, "wiredesk: state: %s\n", store_errmsg(r.db));
		goto out;
	}
	/* The items as the judging saw them: credited, lead first (the
	 * same order, from the same fields), with their titles back. */
	credit_items(&r, &set);
	choose_leads(cfg, &set);
	if (set.nitems != e.ntitles) {
		fprintf(stderr, "wiredesk: explain: the window changed while "
				"it was read; try again\n");
		goto out;
	}
	for (size_t i = 0; i < set.nitems; i++)
		set.items[i].item.title = e.titles[i];
	if (select_finish(e.sel, set.stories, set.n) < 0) {
		fprintf(stderr, "wiredesk: explain: selection failed\n");
		goto out;
	}
	struct buf b;

	buf_init(&b, (size_t)256 << 20);
	int rc = explain_write(a, e.sel, set.stories, set.n, story,
			       json ? EXPLAIN_JSON : EXPLAIN_TEXT, &b);

	if (rc == WD_ENOTFOUND)
		fprintf(stderr,
			"wiredesk: explain: story %s is not in %s's window "
			"(see `wiredesk stories`)\n",
			story, audience);
	else if (rc < 0)
		fprintf(stderr, "wiredesk: explain: %s\n", wd_strerror(rc));
	else
		fputs(buf_str(&b), stdout);
	buf_free(&b);
	status = rc < 0 ? RUN_FAILED : RUN_OK;
out:
	selection_free(e.sel);
	free(e.titles);
	arena_free(e.arena);
	picks_list_free(&picks);
	archive_set_free(&set);
	store_close(r.db);
	free_audiences(&r);
	config_free(cfg);
	return status;
}

int
run_check(const char *config)
{
	struct config *cfg = NULL;
	struct run r = {0};

	if (load_config(config, &cfg) < 0)
		return RUN_FAILED;
	r.cfg = cfg;
	int rc = load_audiences(&r);

	free_audiences(&r);
	config_free(cfg);
	return rc < 0 ? RUN_FAILED : RUN_OK;
}

struct feeds_out {
	const struct config *cfg;
	bool json;
	size_t n;
	int64_t now;
};

static void
put_time(struct buf *b, bool json, int64_t t)
{
	char s[32];

	if (t == WD_NOTIME || t == 0) {
		buf_puts(b, json ? "null" : "-");
		return;
	}
	if (t == SCHEDULE_NEVER) {
		buf_puts(b, json ? "\"never\"" : "never");
		return;
	}
	wd_time_rfc3339(t, s);
	if (json)
		wd_json_str(b, s);
	else
		buf_puts(b, s);
}

static int
print_feed(void *ctx, const struct feed_state *st)
{
	struct feeds_out *fo = ctx;
	struct buf b;

	if (!config_feed(fo->cfg, st->id))
		return 0; /* no longer in the config */
	buf_init(&b, 1 << 20);
	if (fo->json) {
		buf_puts(&b, fo->n ? ",\n  {\"id\": " : "\n  {\"id\": ");
		wd_json_str(&b, st->id);
		buf_puts(&b, ", \"url\": ");
		wd_json_str(&b, st->config_url);
		buf_puts(&b, ", \"moved_to\": ");
		wd_json_str(&b, st->moved_to);
		buf_puts(&b, ", \"last_success\": ");
		put_time(&b, true, st->last_success);
		buf_appendf(&b, ", \"last_status\": %ld", st->last_status);
		buf_puts(&b, ", \"next_due\": ");
		put_time(&b, true, st->next_due);
		buf_appendf(&b,
			    ", \"errors\": %lld, \"items_seen\": %lld, "
			    "\"gone\": %s, \"last_error\": ",
			    (long long)st->errors, (long long)st->items_seen,
			    st->gone ? "true" : "false");
		wd_json_str(&b, st->last_error);
		buf_puts(&b, "}");
	} else {
		buf_appendf(&b, "%-24s ", st->id);
		put_time(&b, false, st->last_success);
		buf_appendf(&b, " %3ld ", st->last_status);
		put_time(&b, false, st->next_due);
		buf_appendf(&b, " %3lld %6lld %s%s%s%s\n",
			    (long long)st->errors, (long long)st->items_seen,
			    st->gone ? "GONE " : "",
			    st->moved_to ? "moved to " : "",
			    st->moved_to ? st->moved_to : "",
			    st->last_error ? st->last_error : "");
	}
	fputs(buf_str(&b), stdout);
	buf_free(&b);
	fo->n++;
	return 0;
}

int
run_feeds(const char *config, bool json)
{
	struct config *cfg = NULL;
	struct store *db = NULL;
	char err[1024];
	int status = RUN_FAILED;

	if (load_config(config, &cfg) < 0)
		return RUN_FAILED;
	if (store_open(cfg->state, &db, err, sizeof(err)) < 0) {
		fprintf(stderr, "wiredesk: state: %s\n", err);
		goto out;
	}
	struct feeds_out fo = {.cfg = cfg, .json = json, .now = wd_now()};

	if (json)
		fputs("{\"feeds\": [", stdout);
	else
		printf("%-24s %-20s %3s %-20s %3s %6s %s\n", "FEED",
		       "LAST SUCCESS", "HTTP", "NEXT DUE", "ERR", "ITEMS",
		       "NOTE");
	if (feedstate_each(db, print_feed, &fo) < 0) {
		fprintf(stderr, "wiredesk: state: %s\n", store_errmsg(db));
		goto out;
	}
	if (json)
		fputs("\n]}\n", stdout);
	status = RUN_OK;
out:
	store_close(db);
	config_free(cfg);
	return status;
}
