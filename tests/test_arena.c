/* SPDX-License-Identifier: MIT */
/* tests/test_arena.c: core/arena. */
#include <string.h>

#include <check.h>

#include "core/arena.h"
#include "tests/suite.h"

START_TEST(arena_strings_survive_until_free)
{
	struct arena *a = arena_new();
	char *p[1000];

	for (int i = 0; i < 1000; i++)
		p[i] = arena_strdup(a, "some text that takes room");
	for (int i = 0; i < 1000; i++)
		ck_assert_str_eq(p[i], "some text that takes room");
	char *big = arena_alloc(a, 100000);

	memset(big, 'x', 100000);
	ck_assert_str_eq(p[0], "some text that takes room");
	arena_free(a);
}
END_TEST

START_TEST(arena_reset_reuses_memory)
{
	struct arena *a = arena_new();
	char *keep = arena_strdup(a, "feed title");
	size_t mark = arena_mark(a);

	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 500; i++)
			arena_strdup(a, "an item string of some length");
		arena_alloc(a, 40000);
		arena_reset_to(a, mark);
		ck_assert_uint_eq(arena_mark(a), mark);
	}
	ck_assert_str_eq(keep, "feed title");
	char *s = arena_strndup(a, "abcdef", 3);

	ck_assert_str_eq(s, "abc");
	arena_free(a);
	arena_free(NULL);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("core-arena");
	TCase *tc = tcase_create("arena");

	tcase_add_test(tc, arena_strings_survive_until_free);
	tcase_add_test(tc, arena_reset_reuses_memory);
	suite_add_tcase(s, tc);
	return s;
}
