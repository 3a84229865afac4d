/* SPDX-License-Identifier: MIT */
/* bench/parse_bench.c: parse many feed files with parse_feed in one
 * process, the way a run does (whole body in memory, one arena per feed,
 * one expat parser reset for each feed), and report files, bytes, items
 * and seconds on stderr.
 * usage: parse-bench FILE...   (or file names on stdin, one a line) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/xalloc.h"
#include "feeds/parse.h"

struct count {
	long items;
	unsigned seen; /* the first bytes of the items' text, so that the
			  text is used; the callback reads no more of it
			  (the floor's callbacks are empty) */
};

static int
on_item(void *ctx, const struct item *it)
{
	struct count *c = ctx;

	c->items++;
	if (it->title)
		c->seen += (unsigned char)it->title[0];
	if (it->content)
		c->seen += (unsigned char)it->content[0];
	return 0;
}

/* Read path whole into *buf (grown as needed); returns bytes or -1. */
static long
read_whole(const char *path, char **buf, size_t *cap)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	struct stat st;

	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	size_t need = (size_t)st.st_size + 1;

	if (need > *cap) {
		*buf = xreallocarray(*buf, need, 1);
		*cap = need;
	}
	size_t got = 0;

	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got == (size_t)st.st_size ? (long)got : -1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct count c = {0};
	long files = 0, errors = 0, bozo = 0;
	long long bytes = 0;
	char *buf = NULL;
	size_t cap = 0;
	char line[4096];
	int argi = 1;
	double t0 = now();
	struct parse_opts opts = {.reuse = parse_reuse_new()};

	for (;;) {
		const char *path;

		if (argc > 1) {
			if (argi == argc)
				break;
			path = argv[argi++];
		} else {
			if (!fgets(line, sizeof(line), stdin))
				break;
			line[strcspn(line, "\n")] = '\0';
			if (!line[0])
				continue;
			path = line;
		}
		long n = read_whole(path, &buf, &cap);

		if (n < 0) {
			perror(path);
			errors++;
			continue;
		}
		struct arena *a = arena_new();
		struct feed_info fi;
		int rc = parse_feed(buf, (size_t)n, &opts, on_item, &c, a, &fi);

		if (rc < 0)
			errors++;
		bozo += fi.bozo;
		arena_free(a);
		files++;
		bytes += n;
	}
	double secs = now() - t0;

	fprintf(stderr,
		"files=%ld bytes=%lld items=%ld errors=%ld bozo=%ld "
		"secs=%.3f MB/s=%.1f items/s=%.0f (%u)\n",
		files, bytes, c.items, errors, bozo, secs,
		(double)bytes / 1e6 / secs, (double)c.items / secs, c.seen);
	parse_reuse_free(opts.reuse);
	free(buf);
	return errors ? 1 : 0;
}
