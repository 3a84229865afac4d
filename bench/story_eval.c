/* SPDX-License-Identifier: MIT */
/* bench/story_eval.c: story dedupe (wirever + simdup + storymatch) over
 * feed files: signing speed, LSH bucket sizes (the candidates one lookup
 * returns) and, for a corpus made by ../shared/bench/gen_corpus.py, pairwise
 * precision and recall against its items.tsv. Run by hand
 * (docs/stories.md).
 *
 * usage: story-eval [-t ITEMS_TSV] FEED...
 * With -t (gen_corpus.py's items.tsv), precision and recall are measured
 * against its story column; feeds are matched to it by file name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggregator/simdup.h"
#include "aggregator/storymatch.h"
#include "aggregator/wirever.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "feeds/parse.h"

struct bitem {
	char *title, *lead, *story, *source;
	int64_t published;
	struct wirever wv;
	struct simdup_sig sig;
	uint64_t keys[SIMDUP_BANDS];
	size_t nkeys;
	size_t cluster;
};

struct bench {
	struct bitem *items;
	size_t n, cap;
	const char *file;
	size_t index;
	char **truth; /* story of each (file, index), parallel to keys */
	char **truth_key;
	size_t ntruth;
};

/* A chained hash of LSH keys -> item indexes: the SQLite table, in memory. */
struct bucket {
	uint64_t key;
	size_t item;
	struct bucket *next;
};

enum { NSLOTS = 1 << 20 };

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Plain text of an HTML fragment: tags dropped, "&amp;" kept as is. */
static char *
strip_tags(const char *html)
{
	struct buf b;
	bool in_tag = false;

	buf_init(&b, 1 << 20);
	for (const char *p = html ? html : ""; *p; p++) {
		if (*p == '<')
			in_tag = true;
		else if (*p == '>')
			in_tag = false;
		else if (!in_tag)
			buf_putc(&b, *p);
	}
	return buf_take(&b);
}

static const char *
find_truth(const struct bench *bn, const char *file, size_t index)
{
	char key[512];
	int n = snprintf(key, sizeof(key), "%s\t%zu", file, index);

	if (n < 0 || (size_t)n >= sizeof(key))
		return NULL;
	for (size_t i = 0; i < bn->ntruth; i++) {
		if (!strcmp(bn->truth_key[i], key))
			return bn->truth[i];
	}
	return NULL;
}

static int
on_item(void *ctx, const struct item *it)
{
	struct bench *bn = ctx;
	const char *story =
	    bn->ntruth ? find_truth(bn, bn->file, bn->index) : "";

	bn->index++;
	if (!story || !it->title)
		return 0;
	if (bn->n == bn->cap) {
		bn->cap = bn->cap ? bn->cap * 2 : 1024;
		bn->items =
		    xreallocarray(bn->items, bn->cap, sizeof(*bn->items));
	}
	struct bitem *b = &bn->items[bn->n++];

	memset(b, 0, sizeof(*b));
	b->title = xstrdup(it->title);
	b->lead = strip_tags(it->summary ? it->summary : it->content);
	b->story = xstrdup(story);
	b->source = xstrdup(bn->file);
	b->published = it->published;
	return 0;
}

static void
load_truth(struct bench *bn, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;

	f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(2);
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		char *t1 = strchr(line, '\t'),
		     *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

		if (!t2 || !strncmp(line, "file\t", 5))
			continue;
		char *t3 = strchr(t2 + 1, '\t');

		if (t3)
			*t3 = '\0';
		if (bn->ntruth == alloc) {
			alloc = alloc ? alloc * 2 : 4096;
			bn->truth =
			    xreallocarray(bn->truth, alloc, sizeof(char *));
			bn->truth_key =
			    xreallocarray(bn->truth_key, alloc, sizeof(char *));
		}
		bn->truth[bn->ntruth] = xstrdup(t2 + 1);
		bn->truth_key[bn->ntruth++] =
		    xstrndup(line, (size_t)(t2 - line));
	}
	free(line);
	fclose(f);
}

static int
by_time(const void *a, const void *b)
{
	const struct bitem *x = a, *y = b;

	return x->published < y->published ? -1 : x->published > y->published;
}

int
main(int argc, char **argv)
{
	struct bench bn = {0};

	int first = 1;

	if (argc > 2 && !strcmp(argv[1], "-t")) {
		load_truth(&bn, argv[2]);
		first = 3;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: story-eval [-t ITEMS_TSV] FEED...\n");
		return 2;
	}
	for (int k = first; k < argc; k++) {
		FILE *f = fopen(argv[k], "rb");

		if (!f) {
			perror(argv[k]);
			return 2;
		}
		struct buf doc;
		char chunk[65536];
		size_t r;

		buf_init(&doc, 64u << 20);
		while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&doc, chunk, r);
		fclose(f);
		struct arena *a = arena_new();
		struct feed_info info;
		struct parse_opts po = {0};
		const char *slash = strrchr(argv[k], '/');

		bn.file = slash ? slash + 1 : argv[k];
		bn.index = 0;
		if (parse_feed(buf_str(&doc), doc.len, &po, on_item, &bn, a,
			       &info) < 0)
			fprintf(stderr, "%s: not parsed\n", argv[k]);
		arena_free(a);
		buf_free(&doc);
	}
	qsort(bn.items, bn.n, sizeof(*bn.items), by_time);

	double t0 = now_s();

	for (size_t i = 0; i < bn.n; i++) {
		struct bitem *b = &bn.items[i];

		(void)wirever_parse(b->title, b->lead, &b->wv);
		simdup_sign(b->wv.base, b->lead + b->wv.lead_skip, &b->sig);
		b->nkeys = simdup_bands(&b->sig, b->keys);
	}
	double t1 = now_s();

	/* Greedy ingest with an LSH index: each item looks up its keys,
	 * compares with the items found (within the window), joins the first
	 * match's cluster, then adds its own keys. */
	struct bucket **slots = xcalloc(NSLOTS, sizeof(*slots));
	struct bucket *pool = xcalloc(bn.n * SIMDUP_BANDS + 1, sizeof(*pool));
	size_t npool = 0, ncand = 0, nclusters = 0, maxcand = 0;
	unsigned char *seen = xcalloc(bn.n, 1);
	size_t *cand = xcalloc(bn.n, sizeof(*cand));

	for (size_t i = 0; i < bn.n; i++) {
		struct bitem *b = &bn.items[i];
		size_t nc = 0;

		b->cluster = SIZE_MAX;
		for (size_t k = 0; k < b->nkeys; k++) {
			for (struct bucket *e = slots[b->keys[k] % NSLOTS]; e;
			     e = e->next) {
				if (e->key != b->keys[k] || seen[e->item])
					continue;
				seen[e->item] = 1;
				cand[nc++] = e->item;
			}
		}
		ncand += nc;
		if (nc > maxcand)
			maxcand = nc;
		for (size_t c = 0; c < nc; c++) {
			struct bitem *o = &bn.items[cand[c]];
			struct storymatch_item x = {b->source, b->published,
						    &b->wv, &b->sig};
			struct storymatch_item y = {o->source, o->published,
						    &o->wv, &o->sig};

			seen[cand[c]] = 0;
			if (b->cluster == SIZE_MAX &&
			    storymatch(&x, &y, NULL, NULL) != STORYMATCH_NONE)
				b->cluster = o->cluster;
		}
		if (b->cluster == SIZE_MAX)
			b->cluster = nclusters++;
		for (size_t k = 0; k < b->nkeys; k++) {
			struct bucket *e = &pool[npool++];

			e->key = b->keys[k];
			e->item = i;
			e->next = slots[b->keys[k] % NSLOTS];
			slots[b->keys[k] % NSLOTS] = e;
		}
	}
	double t2 = now_s();
	size_t tp = 0, fp = 0, fn = 0;

	for (size_t i = 0; i < bn.n && bn.ntruth; i++) {
		for (size_t j = i + 1; j < bn.n; j++) {
			bool truth =
			    !strcmp(bn.items[i].story, bn.items[j].story);
			bool pred = bn.items[i].cluster == bn.items[j].cluster;

			tp += truth && pred;
			fp += !truth && pred;
			fn += truth && !pred;
		}
	}
	printf("items %zu: sign %.1f us/item, ingest %.1f us/item, "
	       "candidates per lookup %.1f (max %zu), clusters %zu\n",
	       bn.n, (t1 - t0) * 1e6 / (double)bn.n,
	       (t2 - t1) * 1e6 / (double)bn.n, (double)ncand / (double)bn.n,
	       maxcand, nclusters);
	if (bn.ntruth)
		printf("pairwise precision %.4f recall %.4f "
		       "(tp %zu fp %zu fn %zu)\n",
		       tp + fp ? (double)tp / (double)(tp + fp) : 1.0,
		       tp + fn ? (double)tp / (double)(tp + fn) : 1.0, tp, fp,
		       fn);
	for (size_t i = 0; i < bn.n; i++) {
		free(bn.items[i].title);
		free(bn.items[i].lead);
		free(bn.items[i].story);
		free(bn.items[i].source);
		wirever_clear(&bn.items[i].wv);
	}
	for (size_t i = 0; i < bn.ntruth; i++) {
		free(bn.truth[i]);
		free(bn.truth_key[i]);
	}
	free(bn.truth);
	free(bn.truth_key);
	free(bn.items);
	free(slots);
	free(pool);
	free(seen);
	free(cand);
	return 0;
}
