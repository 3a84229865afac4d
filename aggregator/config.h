/* SPDX-License-Identifier: MIT */
/* aggregator/config.h: wiredesk.yaml, checked in one pass. */
#ifndef WD_AGGREGATOR_CONFIG_H
#define WD_AGGREGATOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "selections/yamldoc.h"

struct config_feed {
	const char *id;
	const char *url;    /* http(s) URL, or a local path made absolute */
	const char *source; /* the wire's credit */
	int64_t every;      /* seconds, 0: the default */
	bool local;         /* url is a local file path */
};

/* Read-only after config_load; strings live until config_free. */
struct config {
	const char *path;       /* the config file */
	const char *state;      /* SQLite file, absolute or relative to cwd */
	const char *output;     /* output folder */
	const char *selections; /* audience folder */
	const char *contact;    /* contact URL for the User-Agent, or NULL */
	struct config_feed *feeds;
	size_t nfeeds;
	int64_t every;          /* default poll interval (15m) */
	int64_t min_interval;   /* clamp for the schedule (5m) */
	int64_t max_interval;   /* (24h) */
	int64_t fail_report;    /* report feeds failing this long (24h) */
	int64_t republish;      /* publish at least this often (10m) */
	int64_t max_connections;     /* 16 */
	int64_t max_per_host;        /* 4 */
	int64_t max_body;            /* bytes (16 MiB) */
	int64_t timeout;             /* total seconds per fetch (120) */
	int64_t dedupe_window;       /* seconds (72h) */
	int64_t dedupe_threshold;    /* percent similarity (15) */
	const char *const *precedence; /* source precedence list */
	size_t nprecedence;
};

/*
 * Load path. On success returns 0, *out, and *errs NULL; on any mistake
 * returns WD_ECONFIG with every message on *errs (a ydoc the caller frees).
 * Relative paths resolve against the config file's folder.
 */
int config_load(const char *path, struct config **out, struct ydoc **errs);
/* The feed with this id, or NULL. */
const struct config_feed *config_feed(const struct config *c, const char *id);
void config_free(struct config *c); /* NULL is a no-op */

#endif
