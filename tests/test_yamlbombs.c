/* SPDX-License-Identifier: MIT */
/* tests/test_yamlbombs.c: hostile YAML (alias bombs, recursive aliases, deep
 * nesting, huge scalars and key counts, binary garbage) gets a clear error
 * from ydoc_load_mem and audience_load within bounded time and memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "core/buf.h"
#include "selections/audience.h"
#include "selections/yamldoc.h"
#include "tests/suite.h"

/* Generous bounds: sanitizer builds are several times slower and larger. */
enum {
	MAX_SECONDS = 5,
	MAX_RSS_KB = 512 * 1024,
	BIG = 16 * 1024 * 1024, /* cap for the generated documents */
};

static const char head[] = "audience: bomb\n"
			   "title: Bomb\n"
			   "link: https://gazette.example/bomb\n";

static char tmpdir[64];
static char path[128];
static struct timespec started;

static void
setup(void)
{
	int n;

	memcpy(tmpdir, "/tmp/wd-yamlbombs-XXXXXX", 25);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	n = snprintf(path, sizeof(path), "%s/bomb.yaml", tmpdir);
	ck_assert(n > 0 && (size_t)n < sizeof(path));
	clock_gettime(CLOCK_MONOTONIC, &started);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(tmpdir);
}

static double
elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - started.tv_sec) +
	       (double)(now.tv_nsec - started.tv_nsec) / 1e9;
}

/* Time since setup and peak memory of this (forked) test stay bounded. */
static void
assert_bounded(void)
{
	struct rusage ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	ck_assert_int_lt(ru.ru_maxrss, MAX_RSS_KB);
	ck_assert_double_lt(elapsed(), MAX_SECONDS);
}

/* True when some error of d contains needle. */
static bool
has_error(const struct ydoc *d, const char *needle)
{
	for (size_t i = 0; i < ydoc_nerrors(d); i++) {
		if (strstr(ydoc_errmsg(d, i), needle))
			return true;
	}
	return false;
}

/* Load doc from memory: an error naming the problem (and no tree at all
 * when no_root: what readers walk must be bounded). */
static void
assert_mem_error(const struct buf *doc, const char *needle, bool no_root)
{
	struct ydoc *d = ydoc_load_mem("bomb.yaml", buf_str(doc), doc->len);

	if (no_root)
		ck_assert_ptr_null(ydoc_root(d));
	ck_assert_uint_gt(ydoc_nerrors(d), 0);
	if (!has_error(d, needle))
		ck_abort_msg("no error with '%s'; first: %s", needle,
			     ydoc_errmsg(d, 0));
	ydoc_free(d);
	assert_bounded();
}

static void
assert_mem_refused(const struct buf *doc, const char *needle)
{
	assert_mem_error(doc, needle, true);
}

/* Write doc as an audience file: audience_load refuses it, saying why. */
static void
assert_audience_refused(const struct buf *doc, const char *needle)
{
	FILE *f = fopen(path, "wb");
	struct ydoc *errs = NULL;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf_str(doc), 1, doc->len, f), doc->len);
	ck_assert_int_eq(fclose(f), 0);

	struct audience *a = audience_load(path, &errs);

	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(errs);
	if (!has_error(errs, needle))
		ck_abort_msg("no error with '%s'; first: %s", needle,
			     ydoc_nerrors(errs) ? ydoc_errmsg(errs, 0) : "-");
	ck_assert_ptr_nonnull(strstr(ydoc_errmsg(errs, 0), "bomb.yaml:"));
	ydoc_free(errs);
	assert_bounded();
}

/* The classic: 10 levels of 10 aliases each, 10^10 nodes once expanded. */
static void
billion_laughs(struct buf *b, bool as_rules)
{
	buf_puts(b, head);
	buf_puts(b, as_rules ? "rules:\n  - name: lol\n    match:\n      any:\n"
			     : "lols:\n");
	buf_puts(b, "        - &l0 {words: [lol]}\n");
	for (int i = 1; i <= 10; i++) {
		buf_appendf(b, "        - &l%d {any: [", i);
		for (int j = 0; j < 10; j++)
			buf_appendf(b, "%s*l%d", j ? ", " : "", i - 1);
		buf_puts(b, "]}\n");
	}
	if (as_rules)
		buf_puts(b, "    include: yes\n");
}

START_TEST(ydoc_load_mem_refuses_billion_laughs)
{
	struct buf b;

	buf_init(&b, BIG);
	billion_laughs(&b, false);
	ck_assert_uint_lt(b.len, 2048);
	assert_mem_refused(&b, "aliases expand to more than 200000 nodes");
	buf_free(&b);
}
END_TEST

START_TEST(audience_load_refuses_billion_laughs_in_rules)
{
	struct buf b;

	buf_init(&b, BIG);
	billion_laughs(&b, true);
	assert_audience_refused(&b, "aliases expand to more than 200000");
	buf_free(&b);
}
END_TEST

/* A chain of aliases, each nesting the last deeper: 20 x 10 levels. */
START_TEST(ydoc_load_mem_refuses_aliases_nesting_too_deep)
{
	struct buf b;

	buf_init(&b, BIG);
	buf_puts(&b, "a0: &a0 x\n");
	for (int i = 1; i <= 20; i++)
		buf_appendf(&b, "a%d: &a%d [[[[[[[[[[*a%d]]]]]]]]]]\n", i, i,
			    i - 1);
	assert_mem_error(&b, "aliases nest deeper than 64 levels", true);
	buf_free(&b);
}
END_TEST

START_TEST(ydoc_load_mem_refuses_recursive_alias)
{
	static const char *const docs[] = {
	    "&a [*a]\n",
	    "a: &m {b: [1, {c: *m}]}\n",
	    "rules: &r\n  - match: {any: *r}\n",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		struct ydoc *d =
		    ydoc_load_mem("bomb.yaml", docs[i], strlen(docs[i]));

		ck_assert(has_error(d, "alias refers to a node that contains"));
		ydoc_free(d);
	}
	assert_bounded();
}
END_TEST

/* Once crashed audience_load (a cycle in the rule tree: stack overflow). */
START_TEST(audience_load_refuses_recursive_alias)
{
	struct buf b;

	buf_init(&b, BIG);
	buf_puts(&b, head);
	buf_puts(&b, "rules:\n  - name: r\n    match: &m\n      any: [*m]\n"
		     "    include: yes\n");
	assert_audience_refused(&b, "alias refers to a node that contains it");
	buf_free(&b);
}
END_TEST

/* Flow nesting is quadratic in libyaml: 100000 '[' took minutes. */
START_TEST(ydoc_load_mem_refuses_deep_flow_nesting)
{
	struct buf b;

	buf_init(&b, BIG);
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, i % 2 ? '[' : '{');
	assert_mem_refused(&b, "nesting deeper than 64 levels");
	buf_reset(&b);
	buf_puts(&b, "x: ");
	for (int i = 0; i < 500; i++)
		buf_putc(&b, '[');
	for (int i = 0; i < 500; i++)
		buf_putc(&b, ']');
	assert_mem_error(&b, "bomb.yaml:1:", false);
	buf_free(&b);
}
END_TEST

START_TEST(audience_load_refuses_deep_block_nesting)
{
	struct buf b;

	buf_init(&b, BIG);
	buf_puts(&b, head);
	for (int i = 0; i < 1000; i++)
		buf_appendf(&b, "%*sa:\n", i, "");
	assert_audience_refused(&b, "nesting deeper than 64 levels");
	buf_free(&b);
}
END_TEST

START_TEST(audience_load_refuses_huge_scalar)
{
	struct buf b;

	buf_init(&b, BIG);
	buf_puts(&b, head);
	buf_puts(&b, "description: ");
	for (int i = 0; i < 5 * 1024 * 1024 / 64; i++)
		buf_puts(&b, "0123456789abcdef0123456789abcdef"
			     "0123456789abcdef0123456789abcdef");
	buf_putc(&b, '\n');
	ck_assert(!buf_failed(&b));
	assert_mem_refused(&b, "larger than 4 MiB");
	assert_audience_refused(&b, "larger than 4 MiB");
	buf_free(&b);
}
END_TEST

/* Just under the cap: loads (or is refused for what it says), quickly. */
START_TEST(audience_load_reads_large_scalar_under_the_cap)
{
	struct buf b;
	struct ydoc *d;

	buf_init(&b, BIG);
	buf_puts(&b, head);
	buf_puts(&b, "description: ");
	for (int i = 0; i < 4 * 1024 * 1024 - 4096; i++)
		buf_putc(&b, (char)('a' + i % 26));
	buf_putc(&b, '\n');
	d = ydoc_load_mem("big.yaml", buf_str(&b), b.len);
	ck_assert_ptr_nonnull(ydoc_root(d));
	ck_assert_uint_eq(ydoc_nerrors(d), 0);
	ydoc_free(d);
	assert_bounded();
	buf_free(&b);
}
END_TEST

/* 150000 keys in one map: the duplicate check was quadratic (minutes). */
START_TEST(ydoc_load_mem_reads_many_keys_in_bounded_time)
{
	struct buf b;
	struct ydoc *d;

	buf_init(&b, BIG);
	for (int i = 0; i < 75000; i++)
		buf_appendf(&b, "k%d: 1\n", i);
	buf_puts(&b, "k17: again\n");
	d = ydoc_load_mem("keys.yaml", buf_str(&b), b.len);
	ck_assert_uint_eq(ydoc_nerrors(d), 1);
	ck_assert_str_eq(ydoc_errmsg(d, 0), "keys.yaml:75001:1: duplicate key "
					    "'k17' (first at line 18)");
	ydoc_free(d);
	assert_bounded();
	buf_reset(&b);
	for (int i = 0; i < 110000; i++)
		buf_appendf(&b, "k%d: 1\n", i);
	assert_mem_refused(&b, "more than 200000 YAML nodes");
	buf_free(&b);
}
END_TEST

/* Deterministic pseudo-random bytes (an LCG), so failures reproduce. */
static void
garbage(struct buf *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf_putc(b, (char)(seed >> 16));
	}
}

START_TEST(ydoc_load_mem_refuses_binary_garbage)
{
	struct buf b;

	buf_init(&b, BIG);
	for (unsigned seed = 1; seed <= 20; seed++) {
		buf_reset(&b);
		garbage(&b, 64 * 1024, seed);
		assert_mem_refused(&b, "bomb.yaml:");
	}
	/* NUL bytes and invalid UTF-8 inside an otherwise fine file. */
	buf_reset(&b);
	buf_puts(&b, head);
	buf_append(&b, "description: a\0b\n", 17);
	assert_mem_refused(&b, "bomb.yaml:");
	buf_reset(&b);
	buf_puts(&b, head);
	buf_puts(&b, "description: \xff\xfe\xc3\x28\n");
	assert_mem_refused(&b, "bomb.yaml:");
	assert_audience_refused(&b, "bomb.yaml:");
	buf_free(&b);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("yamlbombs");
	TCase *tc = tcase_create("aliases");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ydoc_load_mem_refuses_billion_laughs);
	tcase_add_test(tc, audience_load_refuses_billion_laughs_in_rules);
	tcase_add_test(tc, ydoc_load_mem_refuses_aliases_nesting_too_deep);
	tcase_add_test(tc, ydoc_load_mem_refuses_recursive_alias);
	tcase_add_test(tc, audience_load_refuses_recursive_alias);
	suite_add_tcase(s, tc);
	tc = tcase_create("size");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ydoc_load_mem_refuses_deep_flow_nesting);
	tcase_add_test(tc, audience_load_refuses_deep_block_nesting);
	tcase_add_test(tc, audience_load_refuses_huge_scalar);
	tcase_add_test(tc, audience_load_reads_large_scalar_under_the_cap);
	tcase_add_test(tc, ydoc_load_mem_reads_many_keys_in_bounded_time);
	suite_add_tcase(s, tc);
	tc = tcase_create("garbage");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ydoc_load_mem_refuses_binary_garbage);
	suite_add_tcase(s, tc);
	return s;
}
