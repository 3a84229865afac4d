/* SPDX-License-Identifier: MIT */
/* selections/select.h: which stories an audience gets, in which order. A
 * pure function of the stories, the audience's rules and the time. */
#ifndef WD_SELECTIONS_SELECT_H
#define WD_SELECTIONS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/story.h"
#include "selections/audience.h"

/*
 * Choose among stories[0..n) for audience a at time now. Writes the indexes
 * of the chosen stories, in output order (newest first), to order[] (room
 * for n) and returns how many, or a negative wd_err.
 */
WD_NODISCARD int select_stories(const struct audience *a,
				const struct story *stories, size_t n,
				int64_t now, size_t *order);

#endif
