/* SPDX-License-Identifier: MIT */
/* aggregator/run.h: the subcommands that make up a run: poll due feeds,
 * store and fold them into stories, select and write each audience. */
#ifndef WD_AGGREGATOR_RUN_H
#define WD_AGGREGATOR_RUN_H

#include <stdbool.h>

/* Exit statuses, documented in --help and README. */
enum run_status {
	RUN_OK = 0,     /* all fine */
	RUN_PARTIAL = 1, /* some feeds failed; the rest was processed */
	RUN_FAILED = 2, /* the run could not happen (usage, config, database) */
	RUN_BUSY = 3,   /* another run holds the lock */
};

struct run_opts {
	const char *config;     /* path of wiredesk.yaml */
	bool fetch;             /* poll due feeds (false: publish only) */
	bool publish;           /* select and write outputs */
	bool force;             /* ignore the schedule (and gone) */
	const char *only_feed;  /* with force: just this feed, or NULL */
};

/* `wiredesk run` and `wiredesk publish`; returns an exit status. */
int run_main(const struct run_opts *o);
/* `wiredesk explain AUDIENCE [STORY] [--json]`: why each story of the
 * audience's window is in or out. */
int run_explain(const char *config, const char *audience, const char *story,
		bool json);
/* `wiredesk check`: config and every audience file; returns 0 or 2. */
int run_check(const char *config);
/* `wiredesk feeds [--json]`: the state of every feed. */
int run_feeds(const char *config, bool json);

#endif
