/* SPDX-License-Identifier: MIT */
/* core/buf.h: a growable, capped, always NUL-terminated byte buffer. */
#ifndef WD_CORE_BUF_H
#define WD_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* A value type; lives on the stack. Fields are read-only outside buf.c. */
struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;  /* appends past max set failed and are dropped */
	bool failed; /* sticky: an append went past max */
};

/* Start an empty buffer that never grows past max bytes. */
void buf_init(struct buf *b, size_t max);
/* Append s[0..n); past max the buffer keeps what it had and fails. */
void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_appendf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Empty the buffer, keep its memory, clear failed. */
void buf_reset(struct buf *b);
/* The contents as a malloc'd string the caller frees; b is emptied. */
char *buf_take(struct buf *b);
/* True when an append went past max since init or reset. */
bool buf_failed(const struct buf *b);
void buf_free(struct buf *b);
/* Contents, "" for an empty buffer; borrowed until the next append. */
const char *buf_str(const struct buf *b);

#endif
