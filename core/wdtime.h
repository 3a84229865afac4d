/* SPDX-License-Identifier: MIT */
/* core/wdtime.h: dates in feeds (RFC 822 and its variants, RFC 3339, W3C-DTF,
 * asctime), durations in config ("15m", "48h", "7d"), and formatting. */
#ifndef WD_CORE_WDTIME_H
#define WD_CORE_WDTIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Parse a date as found in feeds; returns seconds since the epoch (UTC) or
 * WD_NOTIME when s[0..n) is not a date we can read with certainty. */
int64_t wd_date_parse(const char *s, size_t n);

/* Parse a duration such as "90s", "15m", "48h", "7d", "2w" (or a plain
 * number of seconds) into *out seconds. Returns 0 or WD_EINVAL. */
WD_NODISCARD int wd_duration_parse(const char *s, int64_t *out);

/* Format t as RFC 3339 UTC ("2024-01-02T03:04:05Z") into out (>= 21 bytes). */
void wd_time_rfc3339(int64_t t, char out[static 32]);
/* Format t as RFC 822 ("Tue, 02 Jan 2024 03:04:05 +0000") into out. */
void wd_time_rfc822(int64_t t, char out[static 40]);

/* The current time in seconds; WIREDESK_NOW (seconds or RFC 3339) in the
 * environment overrides it, so tests and demos are reproducible. */
int64_t wd_now(void);

#endif
