/* SPDX-License-Identifier: MIT */
/* fuzz/replay.c: a main() for the fuzz targets without libFuzzer, so that
 * every input kept in tests/data/fuzz/ replays in the normal test suite (and
 * under the sanitizers). Usage: replay-TARGET DIR-or-FILE... ; with a
 * directory, only files named TARGET-* in it are read. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"name\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

enum { INPUT_MAX = 64 * 1024 * 1024 };

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "replay: %s: cannot open\n", path);
		return -1;
	}
	buf_init(&b, INPUT_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	int bad = ferror(f) || buf_failed(&b);

	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		buf_free(&b);
		return -1;
	}
	/* A private copy of exactly len bytes, as libFuzzer gives, so that
	 * reads past the end are caught. */
	uint8_t *data = malloc(b.len ? b.len : 1);

	if (!data)
		abort();
	if (b.len)
		memcpy(data, b.data, b.len);
	(void)LLVMFuzzerTestOneInput(data, b.len);
	free(data);
	buf_free(&b);
	return 0;
}

static int
replay_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t plen = strlen(FUZZ_TARGET "-");
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: cannot open\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		int n;

		if (strncmp(e->d_name, FUZZ_TARGET "-", plen) != 0)
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			rc = -1;
			continue;
		}
		if (replay_file(path) < 0)
			rc = -1;
		else
			(*count)++;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int rc = 0;

	if (LLVMFuzzerInitialize)
		(void)LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) < 0)
				rc = 1;
		} else if (replay_file(argv[i]) < 0) {
			rc = 1;
		} else {
			count++;
		}
	}
	printf("replay-%s: %zu inputs, no crash\n", FUZZ_TARGET, count);
	return rc;
}
