/* SPDX-License-Identifier: MIT */
/* aggregator/schedule.c: the poll schedule and the failure backoff. */
#include "aggregator/schedule.h"

#include <stddef.h>
#include <string.h>

#include "core/item.h"
#include "core/text.h"

enum {
	SCHEDULE_DEFAULT_EVERY = 15 * 60,
	SCHEDULE_DEFAULT_BACKOFF_MAX = 24 * 3600,
	SCHEDULE_THROTTLE_JITTER_PCT = 25,
};

/* Beyond any sane interval (about 31 years): keeps the sums below safe
 * from overflow whatever a server or a feed claims. */
static const int64_t schedule_far = INT64_C(1) << 30;

enum schedule_outcome
schedule_classify(int rc, long status)
{
	if (rc < 0)
		return SCHEDULE_ERROR;
	if ((status >= 200 && status < 300) || status == 304)
		return SCHEDULE_OK;
	if (status == 410)
		return SCHEDULE_GONE;
	if (status == 429 || status == 503)
		return SCHEDULE_THROTTLED;
	return SCHEDULE_ERROR;
}

static int64_t
clamp_far(int64_t v)
{
	if (v < 0)
		return 0;
	return v > schedule_far ? schedule_far : v;
}

static int64_t
base_every(const struct schedule_cfg *cfg, const struct schedule_in *in)
{
	if (in->every > 0)
		return clamp_far(in->every);
	if (cfg->every > 0)
		return clamp_far(cfg->every);
	return SCHEDULE_DEFAULT_EVERY;
}

static int64_t
max_interval(const struct schedule_cfg *cfg)
{
	return cfg->max_interval > 0 ? clamp_far(cfg->max_interval)
				     : schedule_far;
}

static int64_t
backoff_max(const struct schedule_cfg *cfg)
{
	if (cfg->backoff_max > 0)
		return clamp_far(cfg->backoff_max);
	if (cfg->max_interval > 0)
		return clamp_far(cfg->max_interval);
	return SCHEDULE_DEFAULT_BACKOFF_MAX;
}

static int64_t
clamp(int64_t v, int64_t lo, int64_t hi)
{
	if (v > hi)
		v = hi;
	if (v < lo)
		v = lo;
	return v;
}

/* Seconds from now until the absolute time t, 0 when absent or past. */
static int64_t
until(int64_t t, int64_t now)
{
	if (t == WD_NOTIME || t <= now)
		return 0;
	return clamp_far(t - now);
}

/*
 * Jitter spreads feeds that share an interval so that a thousand feeds
 * added on one day do not all come due in the same minute, and keeps
 * retries after an outage from arriving in lockstep. It is derived from
 * the feed id and a salt (the error count, the wait), not from a random
 * generator, so a run is reproducible and tests can assert exact times:
 * FNV-1a over the key, then a splitmix64 finaliser to spread the bits.
 */
static int64_t
jitter(const char *key, uint64_t salt, int64_t wait, int pct)
{
	if (pct <= 0 || wait <= 0)
		return 0;
	if (pct > 100)
		pct = 100;
	const char *k = key ? key : "";
	uint64_t h = wd_mix64(wd_fnv1a(WD_FNV_SEED, k, strlen(k)) ^
			      (salt + UINT64_C(0x9e3779b97f4a7c15)));
	int64_t span = wait / 100 * pct + wait % 100 * pct / 100;

	return span > 0 ? (int64_t)(h % (uint64_t)(span + 1)) : 0;
}

int64_t
schedule_next_ok(const struct schedule_cfg *cfg, const struct schedule_in *in,
		 int64_t now)
{
	int64_t wait = base_every(cfg, in);
	int64_t ttl = clamp_far((int64_t)in->ttl * 60);
	int64_t cand[] = {
	    ttl,
	    clamp_far(in->update_period),
	    clamp_far(in->max_age),
	    until(in->expires, now),
	    until(in->retry_after, now),
	};

	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if (cand[i] > wait)
			wait = cand[i];
	}
	wait = clamp(wait, clamp_far(cfg->min_interval), max_interval(cfg));
	return now + wait +
	       jitter(in->key, (uint64_t)wait, wait, cfg->jitter_pct);
}

/*
 * Backoff after failures. Ordinary errors (DNS, TLS, timeouts, 5xx other
 * than 503, 404...) wait the feed's interval times 2^(errors-1): a feed
 * polled every 15 min is retried after 15, 30, 60 min... up to
 * backoff_max, so a dead feed costs a few requests a day and a blip costs
 * one interval. A server that said "slow down" (429, 503) gets its
 * Retry-After, bounded by backoff_max so a bogus date cannot park a feed
 * for years; without one it gets the doubling one step ahead (it asked us
 * to slow down, so the first retry already waits twice the interval) and
 * a wider jitter, as throttling often hits many feeds of one host at once.
 */
int64_t
schedule_next_error(const struct schedule_cfg *cfg,
		    const struct schedule_in *in, enum schedule_outcome outcome,
		    int64_t now)
{
	int64_t lo = clamp_far(cfg->min_interval);
	int64_t hi = backoff_max(cfg);
	int64_t errors = in->errors > 0 ? in->errors : 1;

	if (hi < lo)
		hi = lo;
	if (outcome == SCHEDULE_GONE)
		return SCHEDULE_NEVER;
	if (outcome == SCHEDULE_OK)
		return schedule_next_ok(cfg, in, now);
	if (outcome == SCHEDULE_THROTTLED && in->retry_after != WD_NOTIME) {
		int64_t wait = clamp(until(in->retry_after, now), lo, hi);

		return now + wait;
	}
	int64_t wait = base_every(cfg, in);
	int64_t steps = outcome == SCHEDULE_THROTTLED ? errors : errors - 1;

	for (int64_t i = 0; i < steps && wait < hi; i++)
		wait *= 2;
	wait = clamp(wait, lo, hi);
	int pct = cfg->jitter_pct;

	if (outcome == SCHEDULE_THROTTLED && pct > 0 &&
	    pct < SCHEDULE_THROTTLE_JITTER_PCT)
		pct = SCHEDULE_THROTTLE_JITTER_PCT;
	return now + wait + jitter(in->key, (uint64_t)errors, wait, pct);
}
