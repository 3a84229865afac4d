/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz_yaml.c: libFuzzer target for the YAML reader (ydoc_load_mem),
 * the audience loader and the wiredesk.yaml loader (both through a file). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregator/config.h"
#include "core/buf.h"
#include "selections/audience.h"
#include "selections/yamldoc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The loaders read a path: one scratch file per fuzzing process. */
static char scratch[64];

static void
remove_scratch(void)
{
	if (scratch[0])
		unlink(scratch);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int n = snprintf(scratch, sizeof(scratch), "/tmp/wd-fuzz-yaml-%ld.yaml",
			 (long)getpid());

	if (n < 0 || (size_t)n >= sizeof(scratch))
		abort();
	atexit(remove_scratch);
	return 0;
}

/* Walk the tree reading every scalar, so a bad pointer shows up. Aliases
 * share nodes (the tree is a DAG, maybe with cycles): budget the visits. */
static size_t
walk(struct ydoc *d, const struct ydoc_node *n, int depth, size_t *budget)
{
	size_t sum = 0;

	if (!n || depth > 100 || *budget == 0)
		return 0;
	(*budget)--;
	if (n->kind == YDOC_SCALAR) {
		const char *s = NULL;
		int64_t v;
		bool b;

		sum += strlen(n->str);
		if (ydoc_str(d, n, &s) == 0 && s)
			sum += strlen(s);
		(void)ydoc_int(d, n, INT64_MIN, INT64_MAX, &v);
		(void)ydoc_bool(d, n, &b);
		(void)ydoc_duration(d, n, &v);
		return sum;
	}
	for (size_t i = 0; i < n->nkids; i++)
		sum += walk(d, n->kids[i], depth + 1, budget);
	if (n->kind == YDOC_MAP) {
		static const char *const known[] = {"feeds", "rules", NULL};

		(void)ydoc_get(n, "feeds");
		ydoc_check_keys(d, n, known);
	}
	return sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ydoc *d = ydoc_load_mem("fuzz.yaml", (const char *)data, size);
	size_t budget = 100000;
	size_t sum = walk(d, ydoc_root(d), 0, &budget);

	for (size_t i = 0; i < ydoc_nerrors(d); i++)
		sum += strlen(ydoc_errmsg(d, i));
	ydoc_free(d);

	FILE *f = fopen(scratch, "wb");

	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();

	struct ydoc *errs = NULL;
	static const char *const ids[] = {"reuters-world", "ap-top"};
	struct audience_opts ao = {.feed_ids = ids, .nfeed_ids = 2};
	struct audience *a = audience_load_opts(scratch, &ao, &errs);

	if (!a && (!errs || ydoc_nerrors(errs) == 0))
		abort(); /* a refusal must say why */
	if (a) {
		(void)audience_is_due(a, 1795000000);
		sum += strlen(audience_meta(a)->name);
	}
	audience_free(a);
	ydoc_free(errs);

	struct config *c = NULL;

	errs = NULL;
	if (config_load(scratch, &c, &errs) == 0)
		sum += c->nfeeds;
	else if (!errs || ydoc_nerrors(errs) == 0)
		abort();
	config_free(c);
	ydoc_free(errs);
	return sum == (size_t)-1;
}
