/* SPDX-License-Identifier: MIT */
/* selections/explain.h: why each story is in or out of an audience, for
 * `wiredesk explain AUDIENCE [STORY] [--json]`. */
#ifndef WD_SELECTIONS_EXPLAIN_H
#define WD_SELECTIONS_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/story.h"
#include "selections/audience.h"
#include "selections/select.h"

enum explain_format { EXPLAIN_TEXT, EXPLAIN_JSON };

/*
 * Append to out, for each candidate story of sel (made by select_run over
 * the same stories[0..n)), newest first, or only for the story whose key is
 * story_key: the rules that fired with their scores, the total, the quota
 * that left it out and the verdict with its reason. Returns the number of
 * stories written, WD_ENOTFOUND when story_key is not among stories, or
 * WD_ETOOBIG when out overflowed.
 */
WD_NODISCARD int explain_write(const struct audience *a,
			       const struct selection *sel,
			       const struct story *stories, size_t n,
			       const char *story_key, enum explain_format fmt,
			       struct buf *out);

#endif
