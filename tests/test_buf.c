/* SPDX-License-Identifier: MIT */
/* tests/test_buf.c: core/buf. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/buf.h"
#include "tests/suite.h"

START_TEST(buf_append_grows_and_terminates)
{
	struct buf b;

	buf_init(&b, 1024);
	ck_assert_str_eq(buf_str(&b), "");
	for (int i = 0; i < 100; i++)
		buf_puts(&b, "ab");
	ck_assert_uint_eq(b.len, 200);
	ck_assert_int_eq(b.data[200], '\0');
	buf_appendf(&b, "%d-%s", 42, "x");
	ck_assert_str_eq(b.data + 200, "42-x");
	buf_free(&b);
}
END_TEST

START_TEST(buf_append_past_max_fails_sticky)
{
	struct buf b;

	buf_init(&b, 10);
	buf_puts(&b, "12345");
	buf_puts(&b, "123456");
	ck_assert(buf_failed(&b));
	ck_assert_str_eq(buf_str(&b), "12345");
	buf_puts(&b, "1");
	ck_assert_str_eq(buf_str(&b), "12345");
	buf_reset(&b);
	ck_assert(!buf_failed(&b));
	buf_appendf(&b, "%s", "0123456789abc");
	ck_assert(buf_failed(&b));
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

START_TEST(buf_take_hands_over_memory)
{
	struct buf b;

	buf_init(&b, 100);
	buf_puts(&b, "hello");
	char *s = buf_take(&b);

	ck_assert_str_eq(s, "hello");
	ck_assert_uint_eq(b.len, 0);
	free(s);
	s = buf_take(&b);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("core-buf");
	TCase *tc = tcase_create("buf");

	tcase_add_test(tc, buf_append_grows_and_terminates);
	tcase_add_test(tc, buf_append_past_max_fails_sticky);
	tcase_add_test(tc, buf_take_hands_over_memory);
	suite_add_tcase(s, tc);
	return s;
}
