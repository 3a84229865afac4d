/* SPDX-License-Identifier: MIT */
/* aggregator/schedule.h: when to poll a feed next, after a success or a
 * failure. Pure functions over plain numbers: no clock, no SQLite. */
#ifndef WD_AGGREGATOR_SCHEDULE_H
#define WD_AGGREGATOR_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

/* Never poll again (410 Gone). */
#define SCHEDULE_NEVER INT64_MAX

/* Limits from wiredesk.yaml; all in seconds. Zero fields take the default
 * named in brackets. */
struct schedule_cfg {
	int64_t every;        /* interval of feeds without `every` [15 min] */
	int64_t min_interval; /* never sooner than this [0: no minimum] */
	int64_t max_interval; /* never later than this [0: no maximum] */
	int64_t backoff_max;  /* longest wait after errors [max_interval,
				 else 24 h] */
	int jitter_pct;       /* at most this % added to a wait [0: none] */
};

/* What one attempt taught us. Absent values are 0 / -1 / WD_NOTIME as
 * noted, which is what fetch_res and feed_info hold when absent. */
struct schedule_in {
	const char *key;       /* seeds the jitter (the feed id); NULL: "" */
	int64_t every;         /* the feed's `every`, seconds, 0: cfg's */
	int ttl;               /* RSS <ttl>, minutes (feed_info.ttl), 0 */
	int64_t update_period; /* sy:updatePeriod/Frequency, seconds, 0 */
	int64_t max_age;       /* fetch_res.max_age, -1 when absent */
	int64_t expires;       /* fetch_res.expires, WD_NOTIME when absent */
	int64_t retry_after;   /* fetch_res.retry_after, WD_NOTIME */
	int64_t errors;        /* consecutive failures, this one included */
};

enum schedule_outcome {
	SCHEDULE_OK,        /* 2xx or 304: schedule_next_ok */
	SCHEDULE_GONE,      /* 410: stop polling */
	SCHEDULE_THROTTLED, /* 429 or 503: Retry-After, else backoff */
	SCHEDULE_ERROR,     /* anything else, and every rc < 0 */
};

/* Classify a fetch result (fetch_res.rc and .status). */
enum schedule_outcome schedule_classify(int rc, long status);

/* Next poll time after a success at now: the largest of every, ttl,
 * update_period, max_age, expires and retry_after, clamped to
 * [min_interval, max_interval], plus jitter. */
int64_t schedule_next_ok(const struct schedule_cfg *cfg,
			 const struct schedule_in *in, int64_t now);

/* Next poll time after a failure with this outcome at now; in->errors
 * counts it. SCHEDULE_NEVER for SCHEDULE_GONE. */
int64_t schedule_next_error(const struct schedule_cfg *cfg,
			    const struct schedule_in *in,
			    enum schedule_outcome outcome, int64_t now);

#endif
