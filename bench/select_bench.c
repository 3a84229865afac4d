/* SPDX-License-Identifier: MIT */
/* bench/select_bench.c: selection time of an audience with 100 rules over
 * 50,000 synthetic stories in the window, against a plain scan that reads
 * the same text once (lower-casing it and looking for one word).
 * Usage: select-bench [STORIES] [ROUNDS] [DROP]
 * DROP names groups of rules to replace by a rule on age alone, to see
 * what each costs: w words, p patterns, f story data, n nested, a age and
 * pictures (e.g. "wn": no rule reads words). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/story.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "selections/audience.h"
#include "selections/select.h"

enum { NOW = 1700000000 };

static unsigned long long rng = 88172645463325252ULL;

static unsigned
next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const places[] = {
    "Phuket",   "Bangkok",   "Thailand", "Myanmar",    "Laos",   "Vietnam",
    "Malaysia", "Singapore", "Jakarta",  "Manila",     "Tokyo",  "Beijing",
    "Seoul",    "Delhi",     "London",   "Paris",      "Berlin", "Washington",
    "Moscow",   "Kyiv",      "Cairo",    "Nairobi",    "Lagos",  "Brasília",
    "Zürich",   "Genève",    "Hà Nội",   "Chiang Mai", "Krabi",  "Pattaya",
};
static const char *const topics[] = {
    "election", "ferry",   "tourism",    "flood",    "storm",    "court",
    "minister", "baht",    "stocks",     "oil",      "rice",     "airport",
    "border",   "protest", "festival",   "football", "tennis",   "budget",
    "trade",    "bank",    "navy",       "police",   "hospital", "school",
    "typhoon",  "monsoon", "earthquake", "visa",     "airline",  "hotel",
};
static const char *const fillers[] = {
    "the",     "a",      "of",    "in",     "on",        "said",
    "after",   "with",   "from",  "by",     "about",     "over",
    "new",     "year",   "week",  "people", "officials", "government",
    "report",  "talks",  "plan",  "state",  "city",      "local",
    "public",  "early",  "late",  "Monday", "Tuesday",   "percent",
    "million", "record", "first",
};
static const char *const sources[] = {"Reuters", "AP",      "AFP",
				      "BBC",     "Bernama", "Kyodo"};
static const char *const cats[] = {"World News",   "Business", "Sport",
				   "Asia Pacific", "Politics", "Travel"};

/* Pseudo-words from syllables stand in for the long tail of a real
 * vocabulary: thousands of words that no rule names. */
static const char *const syllables[] = {
    "ba",  "ce",  "di",  "fo",  "gu",  "ha",  "je",  "ki",  "lo",  "mu",
    "na",  "pe",  "ri",  "so",  "tu",  "va",  "we",  "xi",  "yo",  "zu",
    "bra", "cre", "dri", "flo", "gru", "pla", "que", "sti", "tro", "vel",
    "an",  "en",  "in",  "on",  "un",  "ar",  "er",  "ir",  "or",  "ur",
};

static void
tail_word(struct buf *b)
{
	int n = 2 + (int)next(3);

	for (int i = 0; i < n; i++)
		buf_puts(b, syllables[next(40)]);
}

/*
 * A text of n words in roughly the proportions of wire copy: half are
 * the commonest words, 1.5% places and 2.5% topics that rules name, the
 * rest a long tail of words no rule names.
 */
static void
words(struct buf *b, int n, bool html)
{
	if (html)
		buf_puts(b, "<p>");
	for (int i = 0; i < n; i++) {
		unsigned r = next(1000);

		if (i)
			buf_putc(b, ' ');
		if (r < 15)
			buf_puts(b, places[next(30)]);
		else if (r < 40)
			buf_puts(b, topics[next(30)]);
		else if (r < 540)
			buf_puts(b, fillers[next(33)]);
		else
			tail_word(b);
		if (html && next(40) == 0)
			buf_puts(b, ".</p><p>");
		else if (next(12) == 0)
			buf_puts(b, ",");
	}
	buf_puts(b, html ? ".</p>" : "");
}

static void
make_stories(struct story *st, struct story_item *si, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf b;
		struct item *it = &si[i].item;

		memset(&si[i], 0, sizeof(si[i]));
		buf_init(&b, 1 << 16);
		words(&b, 8 + (int)next(6), false);
		it->title = buf_take(&b);
		buf_init(&b, 1 << 16);
		words(&b, 30 + (int)next(30), true);
		it->summary = buf_take(&b);
		buf_init(&b, 1 << 16);
		words(&b, 120 + (int)next(120), true);
		it->content = buf_take(&b);
		buf_init(&b, 256);
		buf_appendf(&b, "https://www.wire%u.example/story/%zu", next(6),
			    i);
		it->link = buf_take(&b);
		it->categories = &cats[next(6)];
		it->ncategories = 1;
		it->language = next(10) ? "en" : "fr";
		it->author = next(3) ? "Staff Reporter" : NULL;
		it->image = next(4) ? NULL : "https://img.example/x.jpg";
		it->embargo = WD_NOTIME;
		it->published = NOW - (int64_t)next(47 * 3600);
		si[i].source = sources[next(6)];
		si[i].feed_id = si[i].source;
		buf_init(&b, 64);
		buf_appendf(&b, "s%06zu", i);
		memset(&st[i], 0, sizeof(st[i]));
		st[i].key = buf_take(&b);
		st[i].items = &si[i];
		st[i].nitems = 1;
		st[i].published = it->published;
	}
}

/*
 * 100 rules in the proportions an editor would write them: mostly words
 * and phrases, some regexes (most on titles), field matchers, nesting,
 * age and media, with every kind of action. The groups named in drop
 * become a rule on age alone, with the same action.
 */
static void
write_audience(const char *path, const char *drop)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_puts(&b, "audience: bench\ntitle: Bench\n"
		     "link: https://gazette.example/bench\n"
		     "limit: 100\nper_source_limit: 40\n"
		     "per_tag_limit: 60\nsource_precedence: [Reuters, AP]\n"
		     "rules:\n");
	for (int i = 0; i < 100; i++) {
		char group = i < 60   ? 'w'
			     : i < 70 ? 'p'
			     : i < 80 ? 'f'
			     : i < 90 ? 'n'
				      : 'a';

		buf_appendf(&b, "  - name: r%d\n    match:\n", i);
		if (strchr(drop, group)) {
			buf_puts(&b, "      older_than: 1000h\n");
		} else if (i < 60) {
			buf_appendf(&b, "      words: [%s, %s, \"%s %s\"]\n",
				    places[i % 30], topics[(i * 7) % 30],
				    places[(i * 3) % 30], topics[i % 30]);
			if (i % 4 == 0)
				buf_puts(&b, "      in: title\n");
		} else if (i < 70) {
			buf_appendf(&b, "      regex: '\\b%s\\w*\\b'\n",
				    topics[i % 30]);
			buf_puts(&b, i < 68 ? "      in: title\n"
					    : "      case: sensitive\n");
		} else if (i < 80) {
			static const char *const f[] = {
			    "source: AFP", "feed: [BBC, Kyodo]",
			    "category: Sport", "language: fr",
			    "link_host: wire3.example"};

			buf_appendf(&b, "      %s\n", f[i % 5]);
		} else if (i < 90) {
			buf_appendf(&b,
				    "      all:\n"
				    "        - any:\n"
				    "            - words: %s\n"
				    "            - use: r%d\n"
				    "        - not: {source: %s}\n",
				    places[i % 30], i % 60, sources[i % 6]);
		} else {
			buf_puts(&b, i % 2 ? "      newer_than: 6h\n"
					   : "      has: image\n");
		}
		switch (i % 5) {
		case 0:
			buf_puts(&b, "    include: yes\n    tag: World News\n");
			break;
		case 1:
			buf_puts(&b, "    score: +2\n");
			break;
		case 2:
			buf_puts(&b, "    score: -1\n    tag: Region\n");
			break;
		case 3:
			buf_puts(&b, i % 10 == 3 ? "    exclude: yes\n"
						 : "    include: yes\n");
			break;
		default:
			buf_puts(&b, "    score: +1\n");
		}
	}
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(buf_str(&b), fp) < 0 || fclose(fp)) {
		perror(path);
		exit(2);
	}
	buf_free(&b);
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The floor: read every story's text once, lower-cased into a reused
 * array, and look for one word; plus the window test every selection
 * does. */
static size_t
plain_scan(const struct story *st, size_t n, char **low, size_t *cap)
{
	size_t hits = 0;

	for (size_t i = 0; i < n; i++) {
		const struct item *it = &st[i].items[0].item;
		const char *f[3] = {it->title, it->summary, it->content};

		if (st[i].published < NOW - 48 * 3600)
			continue;
		for (int k = 0; k < 3; k++) {
			size_t len = strlen(f[k]);

			if (len + 1 > *cap) {
				*cap = 2 * (len + 1);
				*low = xreallocarray(*low, *cap, 1);
			}
			for (size_t j = 0; j < len; j++)
				(*low)[j] =
				    (char)wd_tolower((unsigned char)f[k][j]);
			(*low)[len] = '\0';
			if (strstr(*low, "phuket"))
				hits++;
		}
	}
	return hits;
}

/* FNV-1a over the verdicts and entries of a selection, so that a change
 * to the selection code can be checked to give the same results. */
static unsigned long long
fnv(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	return h;
}

static unsigned long long
fnv_str(unsigned long long h, const char *s)
{
	return fnv(h, s ? s : "(null)", strlen(s ? s : "(null)") + 1);
}

static unsigned long long
checksum(const struct selection *sel, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	size_t ne;
	const struct select_entry *e = selection_entries(sel, &ne);

	for (size_t i = 0; i < n; i++) {
		const struct verdict *v = selection_verdict(sel, i);
		int f[4] = {v->in, v->candidate, v->score, (int)v->item};

		h = fnv(h, f, sizeof(f));
		for (size_t k = 0; k < v->nfired; k++)
			h = fnv_str(h, v->fired[k]->name);
		for (size_t k = 0; k < v->ntags; k++)
			h = fnv_str(h, v->tags[k]);
		h = fnv_str(h, v->reason);
		h = fnv_str(h, v->quota);
	}
	for (size_t k = 0; k < ne; k++)
		h = fnv(h, &e[k], sizeof(e[k]));
	return h;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 50000;
	int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
	const char *drop = argc > 3 ? argv[3] : "";
	struct story *st = xcalloc(n, sizeof(*st));
	struct story_item *si = xcalloc(n, sizeof(*si));
	char path[256];
	const char *tmp = getenv("TMPDIR");

	if (rounds < 1 || rounds > 100)
		rounds = 5;
	snprintf(path, sizeof(path), "%s/select-bench-%ld.yaml",
		 tmp && *tmp ? tmp : "/tmp", (long)getpid());
	make_stories(st, si, n);
	write_audience(path, drop);

	struct ydoc *errs;
	struct audience *a = audience_load(path, &errs);

	unlink(path);
	if (!a) {
		for (size_t i = 0; i < ydoc_nerrors(errs); i++)
			fprintf(stderr, "%s\n", ydoc_errmsg(errs, i));
		return 2;
	}
	double *ts = xcalloc((size_t)rounds, sizeof(*ts));
	double *tp = xcalloc((size_t)rounds, sizeof(*tp));
	char *low = NULL;
	size_t lowcap = 0, bytes = 0, hits = 0;
	int chosen = 0;
	unsigned long long sum = 0;

	for (size_t i = 0; i < n; i++) {
		const struct item *it = &si[i].item;

		bytes += strlen(it->title) + strlen(it->summary) +
			 strlen(it->content);
	}
	for (int r = 0; r < rounds; r++) {
		double t0 = secs();

		hits += plain_scan(st, n, &low, &lowcap);
		tp[r] = secs() - t0;

		struct selection *sel;

		t0 = secs();
		chosen = select_run(a, st, n, NULL, 0, NOW, &sel);
		ts[r] = secs() - t0;
		if (chosen >= 0)
			sum = checksum(sel, n);
		selection_free(sel);
	}
	qsort(ts, (size_t)rounds, sizeof(*ts), cmp_double);
	qsort(tp, (size_t)rounds, sizeof(*tp), cmp_double);
	printf("stories %zu, text %.1f MB, rules 100%s%s, rounds %d\n", n,
	       (double)bytes / 1e6, *drop ? ", without " : "", drop, rounds);
	printf("plain scan   median %.1f ms (hits %zu)\n", tp[rounds / 2] * 1e3,
	       hits / (size_t)rounds);
	printf("select_run   median %.1f ms (%d chosen, verdicts %016llx)\n",
	       ts[rounds / 2] * 1e3, chosen, sum);
	printf("ratio        %.2f (goal <= 3)\n",
	       ts[rounds / 2] / tp[rounds / 2]);

	free(low);
	free(ts);
	free(tp);
	audience_free(a);
	ydoc_free(errs);
	for (size_t i = 0; i < n; i++) {
		free((char *)si[i].item.title);
		free((char *)si[i].item.summary);
		free((char *)si[i].item.content);
		free((char *)si[i].item.link);
		free((char *)st[i].key);
	}
	free(st);
	free(si);
	return 0;
}
