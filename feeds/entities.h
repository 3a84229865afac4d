/* SPDX-License-Identifier: MIT */
/* feeds/entities.h: the HTML5 named character references (&eacute; ...),
 * which feeds use without declaring them; parse stage. */
#ifndef WD_FEEDS_ENTITIES_H
#define WD_FEEDS_ENTITIES_H

#include <stddef.h>

/* The UTF-8 text of the entity named name[0..n) (without & and ;), or NULL
 * when HTML5 does not define it. A static string. */
const char *entities_lookup(const char *name, size_t n);

#endif
