/* SPDX-License-Identifier: MIT */
/* core/arena.c: bump allocator over a list of chunks. */
#include "core/arena.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/*
 * Chunks are kept in a list, oldest first. The mark is the total of bytes
 * used before the current position, so resetting walks back to the chunk
 * holding the mark and frees nothing: a parser that resets after every item
 * reuses the same few chunks for a feed of any length.
 */
struct chunk {
	struct chunk *next;
	size_t size;
	size_t used;
	size_t base; /* arena bytes used before this chunk */
	max_align_t data[];
};

struct arena {
	struct chunk *head;
	struct chunk *cur;
};

enum { CHUNK_MIN = 16 * 1024 };

struct arena *
arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

static struct chunk *
chunk_new(size_t size, size_t base)
{
	struct chunk *c = xmalloc(sizeof(*c) + size);

	c->next = NULL;
	c->size = size;
	c->used = 0;
	c->base = base;
	return c;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t align = sizeof(max_align_t);

	n = (n + align - 1) / align * align;
	if (!n)
		n = align;
	struct chunk *c = a->cur;

	while (c && c->size - c->used < n) {
		/* A reused chunk that is too small: try the next one. */
		if (c->next) {
			c->next->base = c->base + c->used;
			c->next->used = 0;
		}
		c = c->next;
		if (c)
			a->cur = c;
	}
	if (!c) {
		size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
		size_t base = a->cur ? a->cur->base + a->cur->used : 0;

		c = chunk_new(size, base);
		if (a->cur) {
			c->next = a->cur->next;
			a->cur->next = c;
		} else {
			a->head = c;
		}
		a->cur = c;
	}
	void *p = (char *)c->data + c->used;

	c->used += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

size_t
arena_mark(const struct arena *a)
{
	return a->cur ? a->cur->base + a->cur->used : 0;
}

void
arena_reset_to(struct arena *a, size_t mark)
{
	struct chunk *hit = a->head;

	if (!hit)
		return;
	/* Chunks up to cur have exact bases; later ones are stale spares. */
	for (struct chunk *c = a->head; c; c = c->next) {
		if (c->base <= mark)
			hit = c;
		if (c == a->cur)
			break;
	}
	hit->used = mark - hit->base;
	if (hit->used > hit->size)
		hit->used = hit->size;
	a->cur = hit;
}

void
arena_free(struct arena *a)
{
	if (!a)
		return;
	struct chunk *c = a->head;

	while (c) {
		struct chunk *next = c->next;

		free(c);
		c = next;
	}
	free(a);
}
