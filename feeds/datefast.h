/* SPDX-License-Identifier: MIT */
/* feeds/datefast.h: the two date spellings nearly every feed uses (RFC 3339
 * and canonical RFC 822), read without the general parser; parse stage. */
#ifndef WD_FEEDS_DATEFAST_H
#define WD_FEEDS_DATEFAST_H

#include <stddef.h>
#include <stdint.h>

/* Seconds since the epoch for s[0..n), or WD_NOTIME. Exactly the answer of
 * wd_date_parse (core/wdtime.h), which handles every other form. */
int64_t datefast_parse(const char *s, size_t n);

#endif
