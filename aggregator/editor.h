/* SPDX-License-Identifier: MIT */
/* aggregator/editor.h: the editors' and sysadmin's commands over the
 * archive: list stories and items, pick and block, prune. */
#ifndef WD_AGGREGATOR_EDITOR_H
#define WD_AGGREGATOR_EDITOR_H

#include <stdbool.h>

/* `wiredesk stories|items [--json] [--since DURATION]`; exit status. */
int editor_list(const char *config, bool stories, bool json,
		const char *since);

/* What an editor asks of one story. */
struct editor_pick {
	const char *audience;
	const char *story;  /* story key, as `wiredesk stories` shows it */
	bool block;         /* block/unblock rather than pick/unpick */
	bool remove;        /* unpick/unblock */
	const char *until;  /* date (RFC 3339 or RFC 822) or duration, or
			       NULL */
	const char *note;   /* or NULL */
	const char *by;     /* or NULL: $USER */
};
/* `wiredesk pick|block|unpick|unblock AUDIENCE STORY ...`; exit status. */
int editor_pick(const char *config, const struct editor_pick *p);

/* `wiredesk prune --older-than DURATION`; exit status. */
int editor_prune(const char *config, const char *older_than);

#endif
