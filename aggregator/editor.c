/* SPDX-License-Identifier: MIT */
/* aggregator/editor.c: listing, picks and pruning. */
#include "aggregator/editor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/archive.h"
#include "aggregator/config.h"
#include "aggregator/lock.h"
#include "aggregator/picks.h"
#include "aggregator/run.h"
#include "aggregator/store.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/wdtime.h"
#include "selections/audience.h"

/* Config and store opened for one command. */
struct session {
	struct config *cfg;
	struct store *db;
};

static int
session_open(const char *config, struct session *s)
{
	struct ydoc *errs = NULL;
	char err[1024];

	memset(s, 0, sizeof(*s));
	if (config_load(config, &s->cfg, &errs) < 0) {
		for (size_t i = 0; i < ydoc_nerrors(errs); i++)
			fprintf(stderr, "%s\n", ydoc_errmsg(errs, i));
		ydoc_free(errs);
		return WD_ECONFIG;
	}
	if (store_open(s->cfg->state, &s->db, err, sizeof(err)) < 0) {
		fprintf(stderr, "wiredesk: state: %s\n", err);
		config_free(s->cfg);
		s->cfg = NULL;
		return WD_EDB;
	}
	return 0;
}

static void
session_close(struct session *s)
{
	store_close(s->db);
	config_free(s->cfg);
}

/* ---- listing ---------------------------------------------------------- */

struct lister {
	bool stories, json;
	const char *last_story;
	char *last_key;
	size_t nstories, nitems;
	struct buf b;
};

static void
put_date(struct buf *b, bool json, int64_t t)
{
	char s[32];

	if (t == WD_NOTIME) {
		buf_puts(b, json ? "null" : "-                   ");
		return;
	}
	wd_time_rfc3339(t, s);
	if (json)
		wd_json_str(b, s);
	else
		buf_puts(b, s);
}

static int
list_row(void *ctx, const struct archive_row *row)
{
	struct lister *l = ctx;
	struct buf *b = &l->b;
	bool new_story = !l->last_key || strcmp(l->last_key, row->story_key);

	buf_reset(b);
	if (new_story) {
		free(l->last_key);
		l->last_key = strdup(row->story_key);
	}
	if (l->json && l->stories) {
		if (new_story) {
			buf_puts(b, l->nstories ? "]},\n  {\"id\": "
						: "\n  {\"id\": ");
			wd_json_str(b, row->story_key);
			buf_puts(b, ", \"title\": ");
			wd_json_str(b, row->story_title);
			buf_appendf(b, ", \"killed\": %s, \"items\": [",
				    row->story_killed ? "true" : "false");
			l->nstories++;
		} else {
			buf_putc(b, ',');
		}
		buf_puts(b, "\n    {\"feed\": ");
	} else if (l->json) {
		buf_puts(b, l->nitems ? ",\n  {\"story\": " : "\n  {\"story\": ");
		wd_json_str(b, row->story_key);
		buf_puts(b, ", \"feed\": ");
	}
	if (l->json) {
		wd_json_str(b, row->feed_id);
		buf_puts(b, ", \"id\": ");
		wd_json_str(b, row->guid);
		buf_puts(b, ", \"title\": ");
		wd_json_str(b, row->title);
		buf_puts(b, ", \"link\": ");
		wd_json_str(b, row->link);
		buf_puts(b, ", \"published\": ");
		put_date(b, true, row->published);
		buf_puts(b, ", \"first_seen\": ");
		put_date(b, true, row->first_seen);
		buf_puts(b, ", \"reason\": ");
		wd_json_str(b, row->reason);
		if (row->score >= 0)
			buf_appendf(b, ", \"score\": %.3f}", row->score);
		else
			buf_puts(b, ", \"score\": null}");
	} else if (l->stories) {
		if (new_story) {
			buf_appendf(b, "%s%s  %s%s\n", l->nstories ? "\n" : "",
				    row->story_key,
				    row->story_killed ? "[WITHDRAWN] " : "",
				    row->story_title ? row->story_title : "");
			l->nstories++;
		}
		buf_puts(b, "    ");
		put_date(b, false, row->published);
		buf_appendf(b, "  %-16s %-13s", row->feed_id,
			    row->reason ? row->reason : "");
		if (row->score >= 0)
			buf_appendf(b, " %.2f", row->score);
		buf_appendf(b, "  %s\n", row->title ? row->title : "");
	} else {
		buf_appendf(b, "%s  %-16s ", row->story_key, row->feed_id);
		put_date(b, false, row->published);
		buf_appendf(b, "  %s\n      id: %s\n",
			    row->title ? row->title : "",
			    row->guid ? row->guid : "-");
	}
	l->nitems++;
	fputs(buf_str(b), stdout);
	return 0;
}

int
editor_list(const char *config, bool stories, bool json, const char *since)
{
	struct session s;
	int64_t from = WD_NOTIME;

	if (since) {
		int64_t d;

		if (wd_duration_parse(since, &d) < 0) {
			fprintf(stderr,
				"wiredesk: bad duration '%s' for --since (use "
				"e.g. 48h or 7d)\n",
				since);
			return RUN_FAILED;
		}
		from = wd_now() - d;
	}
	if (session_open(config, &s) < 0)
		return RUN_FAILED;
	struct lister l = {.stories = stories, .json = json};

	buf_init(&l.b, 1 << 20);
	if (json)
		fputs(stories ? "{\"stories\": [" : "{\"items\": [", stdout);
	int rc = archive_each(s.db, from, list_row, &l);

	if (json)
		fputs(stories && l.nstories ? "]}\n]}\n" : "\n]}\n", stdout);
	if (rc < 0)
		fprintf(stderr, "wiredesk: state: %s\n", store_errmsg(s.db));
	buf_free(&l.b);
	free(l.last_key);
	session_close(&s);
	return rc < 0 ? RUN_FAILED : RUN_OK;
}

/* ---- picks ------------------------------------------------------------ */

/* Does an audience of this name exist in the selections folder? */
static bool
audience_exists(const struct config *c, const char *name)
{
	struct buf path;
	struct ydoc *errs = NULL;

	buf_init(&path, 16384);
	buf_appendf(&path, "%s/%s.yaml", c->selections, name);
	struct audience *a = audience_load(buf_str(&path), &errs);
	bool ok = a && !strcmp(audience_meta(a)->name, name);

	audience_free(a);
	ydoc_free(errs);
	buf_free(&path);
	return ok;
}

int
editor_pick(const char *config, const struct editor_pick *p)
{
	struct session s;
	int64_t now = wd_now(), until = WD_NOTIME;
	const char *verb = p->remove ? (p->block ? "unblock" : "unpick")
				     : (p->block ? "block" : "pick");

	if (p->until) {
		int64_t d;

		if (wd_duration_parse(p->until, &d) == 0)
			until = now + d;
		else
			until = wd_date_parse(p->until, strlen(p->until));
		if (until == WD_NOTIME) {
			fprintf(stderr,
				"wiredesk: %s: bad --until '%s' (a date such "
				"as 2026-12-01T18:00:00Z, or a duration such "
				"as 48h)\n",
				verb, p->until);
			return RUN_FAILED;
		}
	}
	if (session_open(config, &s) < 0)
		return RUN_FAILED;
	int status = RUN_FAILED;

	if (!audience_exists(s.cfg, p->audience)) {
		fprintf(stderr,
			"wiredesk: %s: no audience '%s' in %s (its file is "
			"%s/%s.yaml)\n",
			verb, p->audience, s.cfg->selections,
			s.cfg->selections, p->audience);
		goto out;
	}
	int rc = picks_story_exists(s.db, p->story);

	if (rc < 0)
		goto out_db;
	if (!rc && !p->remove) {
		fprintf(stderr,
			"wiredesk: %s: no story '%s' in the archive (see "
			"`wiredesk stories`)\n",
			verb, p->story);
		goto out;
	}
	if (p->remove) {
		rc = picks_unset(s.db, p->audience, p->story, p->block);
		if (rc < 0)
			goto out_db;
		if (!rc) {
			fprintf(stderr, "wiredesk: %s: story %s was not %s for "
					"%s\n",
				verb, p->story, p->block ? "blocked" : "picked",
				p->audience);
			goto out;
		}
	} else {
		const char *by = p->by ? p->by : getenv("USER");

		rc = picks_set(s.db, p->audience, p->story, p->block,
			       by ? by : "unknown", now, until, p->note);
		if (rc < 0)
			goto out_db;
	}
	status = RUN_OK;
	goto out;
out_db:
	fprintf(stderr, "wiredesk: state: %s\n", store_errmsg(s.db));
out:
	session_close(&s);
	return status;
}

/* ---- prune ------------------------------------------------------------ */

int
editor_prune(const char *config, const char *older_than)
{
	struct session s;
	struct lock *lk = NULL;
	char err[1024];
	int64_t d;

	if (!older_than || wd_duration_parse(older_than, &d) < 0 || !d) {
		fprintf(stderr, "wiredesk: prune needs --older-than DURATION "
				"(e.g. 365d)\n");
		return RUN_FAILED;
	}
	if (session_open(config, &s) < 0)
		return RUN_FAILED;
	struct buf lpath;

	buf_init(&lpath, 16384);
	buf_appendf(&lpath, "%s.lock", s.cfg->state);
	int rc = lock_take(buf_str(&lpath), &lk, err, sizeof(err));

	buf_free(&lpath);
	if (rc < 0) {
		fprintf(stderr, "wiredesk: %s\n", err);
		session_close(&s);
		return rc == WD_EBUSY ? RUN_BUSY : RUN_FAILED;
	}
	int status = RUN_FAILED;

	if (store_begin(s.db) < 0)
		goto out_db;
	rc = archive_prune(s.db, wd_now() - d);
	/* What was published may have gone: the next run publishes. */
	if (rc > 0 && store_meta_set(s.db, "publish.stamp", NULL) < 0)
		rc = WD_EDB;
	if (rc < 0 || store_commit(s.db) < 0) {
		store_rollback(s.db);
		goto out_db;
	}
	printf("pruned %d stories\n", rc);
	status = RUN_OK;
	goto out;
out_db:
	fprintf(stderr, "wiredesk: state: %s\n", store_errmsg(s.db));
out:
	lock_release(lk);
	session_close(&s);
	return status;
}
