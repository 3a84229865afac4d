/* SPDX-License-Identifier: MIT */
/* core/arena.h: a bump allocator; every string parsed from one feed lives in
 * one arena and is released at once. */
#ifndef WD_CORE_ARENA_H
#define WD_CORE_ARENA_H

#include <stddef.h>

struct arena;

/* A new empty arena; never NULL (aborts on out-of-memory). */
struct arena *arena_new(void);
/* n bytes, aligned for any type, valid until arena_free or a reset below. */
void *arena_alloc(struct arena *a, size_t n);
/* Copy of s[0..n) with a NUL added. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Bytes handed out so far: a mark for arena_reset_to. */
size_t arena_mark(const struct arena *a);
/* Release everything allocated after mark (memory is kept for reuse). */
void arena_reset_to(struct arena *a, size_t mark);
void arena_free(struct arena *a); /* NULL is a no-op */

#endif
