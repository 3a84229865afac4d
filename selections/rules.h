/* SPDX-License-Identifier: MIT */
/* selections/rules.h: the editors' rule language (docs/rules.md): matchers,
 * all/any/not, named rules shared through rules files, and the actions
 * include, exclude, score, tag and stop, compiled once and run per story. */
#ifndef WD_SELECTIONS_RULES_H
#define WD_SELECTIONS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/story.h"
#include "selections/yamldoc.h"

/* What one rule does and where it was written; lives with its rules. */
struct rule_info {
	const char *name; /* the rule's name:, or "rule N" (N from 1) */
	const char *file; /* the file and position of the rule */
	int line, col;
	bool include, exclude, stop;
	int score;               /* added when the rule fires */
	const char *const *tags; /* sections added to the story */
	size_t ntags;
};

/* The outcome of the rules for one story; reuse it across stories. */
struct rules_result {
	int score;
	bool include, exclude;
	const struct rule_info **fired; /* in firing order */
	size_t nfired;
	const char **tags; /* distinct, in the order rules added them */
	size_t ntags;
	/* private scratch */
	size_t fired_cap, tags_cap, hits_cap, cand_cap;
	uint8_t *hits;
	uint32_t *found;
	uint64_t *cand;
	struct buf fold;
};

struct rules;

/*
 * Compile the rule list `list` (a node of d, NULL for none) of an audience,
 * with the named rules of the shared files at lib_paths (relative paths
 * resolve against the folder of d's file). Every mistake is recorded on d as
 * FILE:LINE:COLUMN (mistakes inside a rules file name that file). With
 * feed_ids non-NULL, feed ids not in it are mistakes. Never NULL.
 */
struct rules *rules_compile(struct ydoc *d, const struct ydoc_node *list,
			    const struct ydoc_node *lib_paths,
			    const char *const *feed_ids, size_t nfeed_ids);
/* Number of rules in the list, their descriptions, and whether any
 * includes (then a story no rule includes stays out). */
size_t rules_count(const struct rules *r);
const struct rule_info *rules_info(const struct rules *r, size_t i);
bool rules_has_include(const struct rules *r);
/* Largest total score the rules can give: for checking min_score. */
int rules_max_score(const struct rules *r);
/* Run the rules over story s at time now into res (reset first). */
void rules_eval(const struct rules *r, const struct story *s, int64_t now,
		struct rules_result *res);
void rules_result_free(struct rules_result *res);
void rules_free(struct rules *r); /* NULL is a no-op */

#endif
