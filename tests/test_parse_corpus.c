/* SPDX-License-Identifier: MIT */
/* tests/test_parse_corpus.c: every file of the shared feedvalidator and
 * real-feed corpora through parse_feed: no crash (run it under ASan and
 * UBSan), every string valid UTF-8. Skips (77) without ../shared/corpus. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/text.h"
#include "feeds/parse.h"
#include "tests/suite.h"

struct tally {
	size_t files, items, bad_utf8;
	const char *path;
};

static bool
utf8_ok(const char *s)
{
	if (!s)
		return true;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = wd_utf8_decode(s + i, n - i, &cp);

		if (!len)
			return false;
		i += len;
	}
	return true;
}

static int
check_item(void *ctx, const struct item *it)
{
	struct tally *t = ctx;
	const char *f[] = {it->id,       it->title,   it->link,
			   it->summary,  it->content, it->author,
			   it->language, it->image,   it->orig_link};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (!utf8_ok(f[i])) {
			fprintf(stderr, "%s: invalid UTF-8 in an item\n",
				t->path);
			t->bad_utf8++;
		}
	}
	for (size_t i = 0; i < it->ncategories; i++)
		t->bad_utf8 += !utf8_ok(it->categories[i]);
	t->items++;
	return 0;
}

static void
parse_one(struct tally *t, const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return;
	struct buf b;
	char tmp[65536];
	size_t r;

	buf_init(&b, 64 * 1024 * 1024);
	while ((r = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, r);
	fclose(f);

	struct arena *a = arena_new();
	struct feed_info fi;

	t->path = path;
	int rc = parse_feed(buf_str(&b), b.len, NULL, check_item, t, a, &fi);

	ck_assert(rc == 0 || rc == WD_EPARSE);
	if (!utf8_ok(fi.title) || !utf8_ok(fi.subtitle) || !utf8_ok(fi.link) ||
	    !utf8_ok(fi.language) || !utf8_ok(fi.bozo_msg)) {
		fprintf(stderr, "%s: invalid UTF-8 in the feed header\n", path);
		t->bad_utf8++;
	}
	t->files++;
	arena_free(a);
	buf_free(&b);
}

static void
walk(struct tally *t, const char *dir)
{
	DIR *d = opendir(dir);

	if (!d)
		return;
	struct dirent *e;

	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);

		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		struct stat st;

		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(t, path);
		else if (S_ISREG(st.st_mode))
			parse_one(t, path);
	}
	closedir(d);
}

static char corpus[4096];

START_TEST(parse_feed_survives_feedvalidator_corpus)
{
	struct tally t = {0};
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/feedvalidator/testcases", corpus);
	walk(&t, dir);
	fprintf(stderr, "%s: %zu files, %zu items\n", dir, t.files, t.items);
	ck_assert_uint_gt(t.files, 1000);
	ck_assert_uint_eq(t.bad_utf8, 0);
}
END_TEST

START_TEST(parse_feed_survives_real_feeds)
{
	struct tally t = {0};
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/real", corpus);
	walk(&t, dir);
	fprintf(stderr, "%s: %zu files, %zu items\n", dir, t.files, t.items);
	ck_assert_uint_gt(t.files, 10);
	ck_assert_uint_gt(t.items, 100);
	ck_assert_uint_eq(t.bad_utf8, 0);
}
END_TEST

Suite *
test_suite(void)
{
	const char *root = getenv("SOURCE_ROOT");
	struct stat st;
	int n = snprintf(corpus, sizeof(corpus), "%s/../shared/corpus",
			 root ? root : ".");

	if (n < 0 || (size_t)n >= sizeof(corpus) || stat(corpus, &st) != 0 ||
	    !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "skip: no shared corpus at %s\n", corpus);
		exit(77);
	}
	Suite *s = suite_create("parse_corpus");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, parse_feed_survives_feedvalidator_corpus);
	tcase_add_test(tc, parse_feed_survives_real_feeds);
	suite_add_tcase(s, tc);
	return s;
}
