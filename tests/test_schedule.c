/* SPDX-License-Identifier: MIT */
/* tests/test_schedule.c: aggregator/schedule, one test per rule. */
#include <stdint.h>

#include <check.h>

#include "aggregator/schedule.h"
#include "core/item.h"
#include "tests/suite.h"

enum { MIN = 60, HOUR = 3600, DAY = 86400 };

static const int64_t now = 1767225600; /* 2026-01-01T00:00:00Z */

/* min 5 min, max 24 h, no jitter: exact times */
static const struct schedule_cfg exact = {
    .every = 15 * MIN,
    .min_interval = 5 * MIN,
    .max_interval = DAY,
};

static struct schedule_in
in_default(void)
{
	struct schedule_in in = {
	    .key = "reuters-world",
	    .max_age = -1,
	    .expires = WD_NOTIME,
	    .retry_after = WD_NOTIME,
	};
	return in;
}

/* ---- classify ---- */

START_TEST(classify_sorts_statuses)
{
	ck_assert_int_eq(schedule_classify(0, 200), SCHEDULE_OK);
	ck_assert_int_eq(schedule_classify(0, 203), SCHEDULE_OK);
	ck_assert_int_eq(schedule_classify(0, 304), SCHEDULE_OK);
	ck_assert_int_eq(schedule_classify(0, 410), SCHEDULE_GONE);
	ck_assert_int_eq(schedule_classify(0, 429), SCHEDULE_THROTTLED);
	ck_assert_int_eq(schedule_classify(0, 503), SCHEDULE_THROTTLED);
	ck_assert_int_eq(schedule_classify(0, 500), SCHEDULE_ERROR);
	ck_assert_int_eq(schedule_classify(0, 404), SCHEDULE_ERROR);
	ck_assert_int_eq(schedule_classify(0, 302), SCHEDULE_ERROR);
	ck_assert_int_eq(schedule_classify(-1, 200), SCHEDULE_ERROR);
	ck_assert_int_eq(schedule_classify(-6, 0), SCHEDULE_ERROR);
}
END_TEST

/* ---- after a success ---- */

START_TEST(next_ok_uses_cfg_every_by_default)
{
	struct schedule_in in = in_default();

	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 15 * MIN);
}
END_TEST

START_TEST(next_ok_uses_feed_every)
{
	struct schedule_in in = in_default();

	in.every = 2 * HOUR;
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 2 * HOUR);
}
END_TEST

START_TEST(next_ok_without_cfg_every_waits_15_minutes)
{
	struct schedule_cfg cfg = {0};
	struct schedule_in in = in_default();

	ck_assert_int_eq(schedule_next_ok(&cfg, &in, now), now + 15 * MIN);
}
END_TEST

START_TEST(next_ok_ttl_in_minutes_wins_when_larger)
{
	struct schedule_in in = in_default();

	in.ttl = 60;
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + HOUR);
	in.ttl = 5; /* smaller than every: every wins */
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 15 * MIN);
}
END_TEST

START_TEST(next_ok_update_period_wins_when_larger)
{
	struct schedule_in in = in_default();

	in.update_period = 3 * HOUR;
	in.ttl = 60;
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 3 * HOUR);
}
END_TEST

START_TEST(next_ok_max_age_wins_when_larger)
{
	struct schedule_in in = in_default();

	in.max_age = 1800;
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 1800);
	in.max_age = 0; /* "max-age=0" does not make us poll sooner */
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 15 * MIN);
}
END_TEST

START_TEST(next_ok_expires_wins_when_later)
{
	struct schedule_in in = in_default();

	in.expires = now + 40 * MIN;
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 40 * MIN);
	in.expires = now - HOUR; /* already expired */
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 15 * MIN);
}
END_TEST

START_TEST(next_ok_retry_after_counts_too)
{
	struct schedule_in in = in_default();

	in.retry_after = now + 5 * HOUR;
	in.max_age = 1800;
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 5 * HOUR);
}
END_TEST

START_TEST(next_ok_clamps_to_max)
{
	struct schedule_in in = in_default();

	in.update_period = 7 * DAY;
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + DAY);
	in.update_period = 0;
	in.expires = INT64_MAX - 1; /* absurd dates cannot overflow */
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + DAY);
}
END_TEST

START_TEST(next_ok_clamps_to_min)
{
	struct schedule_in in = in_default();

	in.every = 10; /* an editor asking for every 10 s */
	ck_assert_int_eq(schedule_next_ok(&exact, &in, now), now + 5 * MIN);
}
END_TEST

START_TEST(next_ok_jitter_is_small_and_deterministic)
{
	struct schedule_cfg cfg = exact;
	struct schedule_in a = in_default();
	struct schedule_in b = in_default();
	int differ = 0;

	cfg.jitter_pct = 10;
	b.key = "ap-top";
	int64_t ta = schedule_next_ok(&cfg, &a, now);

	ck_assert_int_eq(schedule_next_ok(&cfg, &a, now), ta);
	ck_assert_int_ge(ta, now + 15 * MIN);
	ck_assert_int_le(ta, now + 15 * MIN + 90);
	/* different feeds spread over the window */
	for (int i = 0; i < 20; i++) {
		char key[16] = "feed-";

		key[5] = (char)('a' + i);
		key[6] = '\0';
		b.key = key;
		int64_t tb = schedule_next_ok(&cfg, &b, now);

		ck_assert_int_ge(tb, now + 15 * MIN);
		ck_assert_int_le(tb, now + 15 * MIN + 90);
		differ += tb != ta;
	}
	ck_assert_int_ge(differ, 15);
}
END_TEST

START_TEST(next_ok_null_key_is_fine)
{
	struct schedule_cfg cfg = exact;
	struct schedule_in in = in_default();

	cfg.jitter_pct = 10;
	in.key = NULL;
	ck_assert_int_ge(schedule_next_ok(&cfg, &in, now), now + 15 * MIN);
}
END_TEST

/* ---- after a failure ---- */

START_TEST(next_error_gone_is_never)
{
	struct schedule_in in = in_default();

	in.errors = 1;
	ck_assert_int_eq(schedule_next_error(&exact, &in, SCHEDULE_GONE, now),
			 SCHEDULE_NEVER);
}
END_TEST

START_TEST(next_error_doubles_from_every)
{
	struct schedule_in in = in_default();
	const int64_t want[] = {15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 4 * HOUR};

	for (int i = 0; i < 5; i++) {
		in.errors = i + 1;
		ck_assert_int_eq(
		    schedule_next_error(&exact, &in, SCHEDULE_ERROR, now),
		    now + want[i]);
	}
}
END_TEST

START_TEST(next_error_stops_doubling_at_cap)
{
	struct schedule_cfg cfg = exact;
	struct schedule_in in = in_default();

	in.errors = 20;
	ck_assert_int_eq(schedule_next_error(&exact, &in, SCHEDULE_ERROR, now),
			 now + DAY);
	in.errors = INT64_MAX; /* no overflow however long it failed */
	ck_assert_int_eq(schedule_next_error(&exact, &in, SCHEDULE_ERROR, now),
			 now + DAY);
	cfg.backoff_max = 6 * HOUR;
	in.errors = 20;
	ck_assert_int_eq(schedule_next_error(&cfg, &in, SCHEDULE_ERROR, now),
			 now + 6 * HOUR);
}
END_TEST

START_TEST(next_error_default_cap_is_a_day)
{
	struct schedule_cfg cfg = {.every = HOUR};
	struct schedule_in in = in_default();

	in.errors = 30;
	ck_assert_int_eq(schedule_next_error(&cfg, &in, SCHEDULE_ERROR, now),
			 now + DAY);
}
END_TEST

START_TEST(next_error_ignores_retry_after_for_plain_errors)
{
	struct schedule_in in = in_default();

	in.errors = 1;
	in.retry_after = now + 10 * HOUR; /* a 500 with Retry-After */
	ck_assert_int_eq(schedule_next_error(&exact, &in, SCHEDULE_ERROR, now),
			 now + 15 * MIN);
}
END_TEST

START_TEST(next_error_throttled_honours_retry_after)
{
	struct schedule_in in = in_default();

	in.errors = 1;
	in.retry_after = now + 3 * HOUR;
	ck_assert_int_eq(
	    schedule_next_error(&exact, &in, SCHEDULE_THROTTLED, now),
	    now + 3 * HOUR);
	in.retry_after = now + 120; /* below the minimum */
	ck_assert_int_eq(
	    schedule_next_error(&exact, &in, SCHEDULE_THROTTLED, now),
	    now + 5 * MIN);
	in.retry_after = now + 365 * DAY; /* bounded by the backoff cap */
	ck_assert_int_eq(
	    schedule_next_error(&exact, &in, SCHEDULE_THROTTLED, now),
	    now + DAY);
}
END_TEST

START_TEST(next_error_throttled_without_retry_after_backs_off)
{
	struct schedule_in in = in_default();

	in.errors = 1;
	ck_assert_int_eq(
	    schedule_next_error(&exact, &in, SCHEDULE_THROTTLED, now),
	    now + 30 * MIN);
	in.errors = 3;
	ck_assert_int_eq(
	    schedule_next_error(&exact, &in, SCHEDULE_THROTTLED, now),
	    now + 2 * HOUR);
}
END_TEST

START_TEST(next_error_throttled_jitter_is_wider)
{
	struct schedule_cfg cfg = exact;
	struct schedule_in in = in_default();
	int64_t most = 0;

	cfg.jitter_pct = 5;
	in.errors = 1;
	for (int i = 0; i < 26; i++) {
		char key[8] = {'f', (char)('a' + i), 0};

		in.key = key;
		int64_t t =
		    schedule_next_error(&cfg, &in, SCHEDULE_THROTTLED, now);

		ck_assert_int_ge(t, now + 30 * MIN);
		ck_assert_int_le(t, now + 30 * MIN + 450); /* 25 % */
		if (t - now - 30 * MIN > most)
			most = t - now - 30 * MIN;
	}
	ck_assert_int_gt(most, 90); /* beyond 5 % of 30 min */
}
END_TEST

START_TEST(next_error_jitter_changes_with_error_count)
{
	struct schedule_cfg cfg = exact;
	struct schedule_in in = in_default();
	int differ = 0;

	cfg.jitter_pct = 10;
	cfg.backoff_max = HOUR;
	for (int e = 10; e < 30; e++) {
		in.errors = e;
		int64_t a = schedule_next_error(&cfg, &in, SCHEDULE_ERROR, now);

		in.errors = e + 1;
		int64_t b = schedule_next_error(&cfg, &in, SCHEDULE_ERROR, now);

		ck_assert_int_ge(a, now + HOUR);
		ck_assert_int_le(a, now + HOUR + 360);
		differ += a != b;
	}
	ck_assert_int_ge(differ, 15);
}
END_TEST

START_TEST(next_error_ok_outcome_is_next_ok)
{
	struct schedule_in in = in_default();

	in.ttl = 90;
	ck_assert_int_eq(schedule_next_error(&exact, &in, SCHEDULE_OK, now),
			 schedule_next_ok(&exact, &in, now));
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("classify");

	tcase_add_test(tc, classify_sorts_statuses);
	suite_add_tcase(s, tc);

	tc = tcase_create("next_ok");
	tcase_add_test(tc, next_ok_uses_cfg_every_by_default);
	tcase_add_test(tc, next_ok_uses_feed_every);
	tcase_add_test(tc, next_ok_without_cfg_every_waits_15_minutes);
	tcase_add_test(tc, next_ok_ttl_in_minutes_wins_when_larger);
	tcase_add_test(tc, next_ok_update_period_wins_when_larger);
	tcase_add_test(tc, next_ok_max_age_wins_when_larger);
	tcase_add_test(tc, next_ok_expires_wins_when_later);
	tcase_add_test(tc, next_ok_retry_after_counts_too);
	tcase_add_test(tc, next_ok_clamps_to_max);
	tcase_add_test(tc, next_ok_clamps_to_min);
	tcase_add_test(tc, next_ok_jitter_is_small_and_deterministic);
	tcase_add_test(tc, next_ok_null_key_is_fine);
	suite_add_tcase(s, tc);

	tc = tcase_create("next_error");
	tcase_add_test(tc, next_error_gone_is_never);
	tcase_add_test(tc, next_error_doubles_from_every);
	tcase_add_test(tc, next_error_stops_doubling_at_cap);
	tcase_add_test(tc, next_error_default_cap_is_a_day);
	tcase_add_test(tc, next_error_ignores_retry_after_for_plain_errors);
	tcase_add_test(tc, next_error_throttled_honours_retry_after);
	tcase_add_test(tc, next_error_throttled_without_retry_after_backs_off);
	tcase_add_test(tc, next_error_throttled_jitter_is_wider);
	tcase_add_test(tc, next_error_jitter_changes_with_error_count);
	tcase_add_test(tc, next_error_ok_outcome_is_next_ok);
	suite_add_tcase(s, tc);
	return s;
}
