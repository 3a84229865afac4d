/* SPDX-License-Identifier: MIT */
/* core/xalloc.h: allocation that aborts on out-of-memory (never NULL). */
#ifndef WD_CORE_XALLOC_H
#define WD_CORE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
/* Like realloc, with an overflow check on nmemb * size. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* Copy of s[0..n) with a NUL added. */
char *xstrndup(const char *s, size_t n);

#endif
