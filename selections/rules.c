/* SPDX-License-Identifier: MIT */
/* selections/rules.c: compile the rule language from YAML and run it over
 * stories (selections stage). */
#include "selections/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "selections/match.h"

enum cond_kind {
	C_ALL,
	C_ANY,
	C_NOT,
	C_WORDS,
	C_REGEX,
	C_FEED,
	C_SOURCE,
	C_CATEGORY,
	C_AUTHOR,
	C_LANGUAGE,
	C_HOST,
	C_NEWER,
	C_OLDER,
	C_HAS_IMAGE,
	C_HAS_ENCLOSURE,
	C_FALSE, /* stands in for a condition that failed to compile */
};

enum { F_TITLE = 1, F_SUMMARY = 2, F_CONTENT = 4, F_ANY = 7 };

enum {
	MAX_SCORE = 1000,
	FOLD_MAX = 16 * 1024 * 1024,
};

struct cond {
	enum cond_kind kind;
	uint8_t fields;     /* C_WORDS, C_REGEX: F_* bits */
	struct cond **kids; /* C_ALL, C_ANY, C_NOT */
	size_t nkids;
	int *ids;            /* C_WORDS: phrase ids in the dictionary */
	const char **strs;   /* the values to compare with (see eval) */
	size_t n;            /* number of ids or strs */
	struct match_re *re; /* C_REGEX */
	int64_t age;         /* C_NEWER, C_OLDER: seconds */
};

struct crule {
	struct rule_info info;
	struct cond *cond;
	bool has_action;
};

/* A rule with a name, which conditions and lists can `use`. */
struct named {
	const char *name;
	struct ydoc *doc;
	const struct ydoc_node *node;
	struct crule *rule;
	int state; /* 0 not compiled, 1 compiling, 2 done */
};

/* A rule that can fire only if phrase id (the index in gate_off) was
 * found in one of fields. */
struct gate {
	uint32_t rule;
	uint8_t fields;
};

struct rules {
	struct arena *arena;
	struct match_dict *dict;
	size_t nphrases;
	struct match_re **res;
	size_t nres;
	struct crule **list;
	size_t n;
	bool has_include;
	int max_score;
	const char **tagset; /* every tag once: rules share the pointer */
	size_t ntagset;
	/* The evaluation plan (make_plan). */
	uint8_t scan_fields; /* F_* bits some words matcher reads */
	size_t first_gated;  /* the first rule with gates, or n */
	uint64_t *always;    /* bit i: rule i has no gates */
	uint64_t *exact;     /* bit i: rule i holds when a gate does */
	uint32_t *gate_off;  /* per phrase: its gates, nphrases + 1 */
	struct gate *gates;
	/* only while compiling */
	struct named *named;
	size_t nnamed;
	const char *const *feed_ids;
	size_t nfeed_ids;
	struct ydoc **libs;
	size_t nlibs;
};

static const char *const rule_keys[] = {
    "name", "match", "include", "exclude", "score",
    "tag",  "stop",  "note",    "use",     NULL,
};

static const char *const cond_keys[] = {
    "words",    "in",     "regex",    "case",      "feed",       "source",
    "category", "author", "language", "link_host", "newer_than", "older_than",
    "has",      "all",    "any",      "not",       "use",        NULL,
};

static struct cond *compile_cond(struct rules *r, struct ydoc *d,
				 const struct ydoc_node *n);

static struct cond *
new_cond(struct rules *r, enum cond_kind kind)
{
	struct cond *c = arena_alloc(r->arena, sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

/* A scalar or a list of scalars, copied; false (with an error) otherwise. */
static bool
read_strs(struct rules *r, struct ydoc *d, const struct ydoc_node *n,
	  const char *key, const char ***out, size_t *nout)
{
	if (n->kind == YDOC_SCALAR) {
		*out = arena_alloc(r->arena, sizeof(**out));
		(*out)[0] = arena_strdup(r->arena, n->str);
		*nout = 1;
		return true;
	}
	if (n->kind != YDOC_SEQ || !n->nkids) {
		ydoc_error(d, n, "%s: expected a word or a list of them", key);
		return false;
	}
	*out = arena_alloc(r->arena, n->nkids * sizeof(**out));
	*nout = 0;
	for (size_t i = 0; i < n->nkids; i++) {
		if (n->kids[i]->kind != YDOC_SCALAR) {
			ydoc_error(d, n->kids[i], "%s: expected text", key);
			return false;
		}
		(*out)[(*nout)++] = arena_strdup(r->arena, n->kids[i]->str);
	}
	return true;
}

static const char *
fold_str(struct rules *r, const char *s)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	match_fold(&b, s, strlen(s), false);
	const char *f = arena_strdup(r->arena, buf_str(&b));

	buf_free(&b);
	return f;
}

static uint8_t
read_fields(struct ydoc *d, const struct ydoc_node *n)
{
	static const struct {
		const char *name;
		uint8_t bits;
	} names[] = {
	    {"title", F_TITLE}, {"summary", F_SUMMARY}, {"content", F_CONTENT},
	    {"any", F_ANY},     {"text", F_ANY},
	};
	const struct ydoc_node *one = n;
	size_t cnt = 1;
	uint8_t bits = 0;

	if (n->kind == YDOC_SEQ) {
		cnt = n->nkids;
	} else if (n->kind != YDOC_SCALAR) {
		ydoc_error(d, n, "in: expected title, summary, content or any");
		return 0;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (n->kind == YDOC_SEQ)
			one = n->kids[i];
		bool ok = false;

		for (size_t j = 0; one->kind == YDOC_SCALAR &&
				   j < sizeof(names) / sizeof(names[0]);
		     j++) {
			if (!strcmp(one->str, names[j].name)) {
				bits |= names[j].bits;
				ok = true;
			}
		}
		if (!ok) {
			ydoc_error(d, one,
				   "in: '%s' is not title, summary, "
				   "content or any",
				   one->kind == YDOC_SCALAR ? one->str : "");
			return 0;
		}
	}
	return bits;
}

static struct cond *
compile_words(struct rules *r, struct ydoc *d, const struct ydoc_node *n)
{
	const char **w;
	size_t nw;

	if (!read_strs(r, d, n, "words", &w, &nw))
		return NULL;
	struct cond *c = new_cond(r, C_WORDS);

	c->ids = arena_alloc(r->arena, nw * sizeof(*c->ids));
	c->strs = w;
	for (size_t i = 0; i < nw; i++) {
		int id = match_dict_add(r->dict, w[i]);

		if (id < 0) {
			ydoc_error(d, n->kind == YDOC_SEQ ? n->kids[i] : n,
				   id == WD_EINVAL
				       ? "words: '%s' has no letter or "
					 "digit"
				       : "words: '%s' is too long (8 words "
					 "of 64 letters at most)",
				   w[i]);
			return NULL;
		}
		c->ids[c->n++] = id;
		if ((size_t)id >= r->nphrases)
			r->nphrases = (size_t)id + 1;
	}
	return c;
}

/* PCRE2 reports a byte offset in the pattern; point at it in the file. */
static void
regex_error(struct ydoc *d, const struct ydoc_node *n, const char *msg,
	    size_t off)
{
	struct ydoc_node at = *n;

	if (!strchr(n->str, '\n') && !strchr(n->str, '\\'))
		at.col += (int)off + (n->plain ? 0 : 1);
	ydoc_error(d, &at, "bad regex: %s (at character %zu of the pattern)",
		   msg, off + 1);
}

static struct cond *
compile_regex(struct rules *r, struct ydoc *d, const struct ydoc_node *n,
	      const struct ydoc_node *casen)
{
	bool sensitive = false;

	if (n->kind != YDOC_SCALAR || !*n->str) {
		ydoc_error(d, n, "regex: expected a pattern");
		return NULL;
	}
	if (casen) {
		if (casen->kind == YDOC_SCALAR &&
		    !strcmp(casen->str, "sensitive")) {
			sensitive = true;
		} else if (casen->kind != YDOC_SCALAR ||
			   (strcmp(casen->str, "insensitive") &&
			    strcmp(casen->str, "ignore"))) {
			ydoc_error(d, casen,
				   "case: expected sensitive or "
				   "insensitive");
			return NULL;
		}
	}
	char msg[256];
	size_t off = 0;
	struct match_re *re =
	    match_re_new(n->str, sensitive, msg, sizeof(msg), &off);

	if (!re) {
		regex_error(d, n, msg, off);
		return NULL;
	}
	r->res = xreallocarray(r->res, r->nres + 1, sizeof(*r->res));
	r->res[r->nres++] = re;
	struct cond *c = new_cond(r, C_REGEX);

	c->re = re;
	return c;
}

static struct cond *
compile_list(struct rules *r, struct ydoc *d, const struct ydoc_node *n,
	     enum cond_kind kind, const char *key)
{
	if (n->kind != YDOC_SEQ || !n->nkids) {
		ydoc_error(d, n,
			   "%s: expected a list of conditions (lines starting "
			   "with '- ')",
			   key);
		return NULL;
	}
	struct cond *c = new_cond(r, kind);

	c->kids = arena_alloc(r->arena, n->nkids * sizeof(*c->kids));
	for (size_t i = 0; i < n->nkids; i++) {
		struct cond *k = compile_cond(r, d, n->kids[i]);

		if (!k)
			return NULL;
		c->kids[c->nkids++] = k;
	}
	return c;
}

static struct named *
find_named(struct rules *r, const char *name)
{
	for (size_t i = 0; i < r->nnamed; i++) {
		if (!strcmp(r->named[i].name, name))
			return &r->named[i];
	}
	return NULL;
}

static struct crule *compile_named(struct rules *r, struct named *nm);

static struct cond *
compile_use(struct rules *r, struct ydoc *d, const struct ydoc_node *n)
{
	if (n->kind != YDOC_SCALAR) {
		ydoc_error(d, n, "use: expected the name of a rule");
		return NULL;
	}
	struct named *nm = find_named(r, n->str);

	if (!nm) {
		ydoc_error(d, n, "use: no rule named '%s'", n->str);
		return NULL;
	}
	if (nm->state == 1) {
		ydoc_error(d, n, "use: rule '%s' ends up using itself", n->str);
		return NULL;
	}
	struct crule *cr = compile_named(r, nm);

	return cr ? cr->cond : new_cond(r, C_FALSE);
}

static struct cond *
compile_strs(struct rules *r, struct ydoc *d, const struct ydoc_node *v,
	     const char *key, enum cond_kind kind)
{
	const char **s;
	size_t ns;

	if (!read_strs(r, d, v, key, &s, &ns))
		return NULL;
	struct cond *c = new_cond(r, kind);

	c->strs = s;
	c->n = ns;
	for (size_t i = 0; i < ns; i++) {
		const struct ydoc_node *at =
		    v->kind == YDOC_SEQ ? v->kids[i] : v;

		if (kind == C_CATEGORY || kind == C_AUTHOR) {
			s[i] = fold_str(r, s[i]);
			if (strlen(s[i]) < 3)
				ydoc_error(d, at, "%s: no letter or digit",
					   key);
		} else if (kind == C_FEED && r->feed_ids) {
			bool known = false;

			for (size_t j = 0; j < r->nfeed_ids && !known; j++)
				known = !strcmp(r->feed_ids[j], s[i]);
			if (!known)
				ydoc_error(d, at,
					   "feed: no feed with id '%s' in the "
					   "config",
					   s[i]);
		} else if (kind == C_HOST && (strchr(s[i], '/') || !*s[i])) {
			ydoc_error(d, at,
				   "link_host: expected a host name such as "
				   "example.com, not '%s'",
				   s[i]);
		}
	}
	return c;
}

static struct cond *
compile_has(struct rules *r, struct ydoc *d, const struct ydoc_node *v)
{
	const char **s;
	size_t ns;

	if (!read_strs(r, d, v, "has", &s, &ns))
		return NULL;
	struct cond *all = new_cond(r, C_ALL);

	all->kids = arena_alloc(r->arena, ns * sizeof(*all->kids));
	for (size_t i = 0; i < ns; i++) {
		enum cond_kind k;

		if (!strcmp(s[i], "image")) {
			k = C_HAS_IMAGE;
		} else if (!strcmp(s[i], "enclosure")) {
			k = C_HAS_ENCLOSURE;
		} else {
			ydoc_error(d, v->kind == YDOC_SEQ ? v->kids[i] : v,
				   "has: expected image or enclosure, not "
				   "'%s'",
				   s[i]);
			return NULL;
		}
		all->kids[all->nkids++] = new_cond(r, k);
	}
	return all->nkids == 1 ? all->kids[0] : all;
}

static struct cond *
compile_one(struct rules *r, struct ydoc *d, const char *key,
	    const struct ydoc_node *v, const struct ydoc_node *m)
{
	if (!strcmp(key, "words") || !strcmp(key, "regex")) {
		struct cond *c =
		    key[0] == 'w' ? compile_words(r, d, v)
				  : compile_regex(r, d, v, ydoc_get(m, "case"));
		const struct ydoc_node *in = ydoc_get(m, "in");

		if (c) {
			c->fields = in ? read_fields(d, in) : F_ANY;
			if (!c->fields)
				return NULL;
			if (c->kind == C_WORDS)
				r->scan_fields |= c->fields;
		}
		return c;
	}
	if (!strcmp(key, "feed"))
		return compile_strs(r, d, v, key, C_FEED);
	if (!strcmp(key, "source"))
		return compile_strs(r, d, v, key, C_SOURCE);
	if (!strcmp(key, "category"))
		return compile_strs(r, d, v, key, C_CATEGORY);
	if (!strcmp(key, "author"))
		return compile_strs(r, d, v, key, C_AUTHOR);
	if (!strcmp(key, "language"))
		return compile_strs(r, d, v, key, C_LANGUAGE);
	if (!strcmp(key, "link_host"))
		return compile_strs(r, d, v, key, C_HOST);
	if (!strcmp(key, "newer_than") || !strcmp(key, "older_than")) {
		struct cond *c = new_cond(r, key[0] == 'n' ? C_NEWER : C_OLDER);

		if (ydoc_duration(d, v, &c->age) < 0)
			return NULL;
		return c;
	}
	if (!strcmp(key, "has"))
		return compile_has(r, d, v);
	if (!strcmp(key, "all"))
		return compile_list(r, d, v, C_ALL, key);
	if (!strcmp(key, "any"))
		return compile_list(r, d, v, C_ANY, key);
	if (!strcmp(key, "not")) {
		struct cond *k = compile_cond(r, d, v);

		if (!k)
			return NULL;
		struct cond *c = new_cond(r, C_NOT);

		c->kids = arena_alloc(r->arena, sizeof(*c->kids));
		c->kids[c->nkids++] = k;
		return c;
	}
	if (!strcmp(key, "use"))
		return compile_use(r, d, v);
	return NULL;
}

/* A mapping of matchers; several matchers in one mapping must all hold. */
static struct cond *
compile_cond(struct rules *r, struct ydoc *d, const struct ydoc_node *n)
{
	if (!n || n->kind != YDOC_MAP) {
		ydoc_error(d, n,
			   "a condition must be a mapping such as 'words: "
			   "[Phuket]' (to combine several, use all: or any:)");
		return NULL;
	}
	size_t before = ydoc_nerrors(d);

	ydoc_check_keys(d, n, cond_keys);
	if (ydoc_nerrors(d) > before)
		return NULL;
	bool words = ydoc_get(n, "words") != NULL;
	bool regex = ydoc_get(n, "regex") != NULL;

	if (ydoc_get(n, "in") && !words && !regex)
		ydoc_error(d, n->kids[0],
			   "in: goes with words: or regex: only");
	if (ydoc_get(n, "case") && !regex)
		ydoc_error(d, n->kids[0], "case: goes with regex: only");
	struct cond *all = new_cond(r, C_ALL);

	all->kids =
	    arena_alloc(r->arena, (n->nkids / 2 + 1) * sizeof(*all->kids));
	bool bad = false;

	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		const char *key = n->kids[i]->str;

		if (!strcmp(key, "in") || !strcmp(key, "case"))
			continue;
		struct cond *c = compile_one(r, d, key, n->kids[i + 1], n);

		if (!c)
			bad = true;
		else
			all->kids[all->nkids++] = c;
	}
	if (bad || ydoc_nerrors(d) > before)
		return NULL;
	if (!all->nkids) {
		ydoc_error(d, n, "a condition needs at least one matcher");
		return NULL;
	}
	return all->nkids == 1 ? all->kids[0] : all;
}

/* One pointer per distinct tag, so that results compare tags by
 * pointer. */
static const char *
intern_tag(struct rules *r, const char *tag)
{
	for (size_t i = 0; i < r->ntagset; i++) {
		if (!strcmp(r->tagset[i], tag))
			return r->tagset[i];
	}
	r->tagset =
	    xreallocarray(r->tagset, r->ntagset + 1, sizeof(*r->tagset));
	r->tagset[r->ntagset++] = tag;
	return tag;
}

static struct crule *
compile_rule(struct rules *r, struct ydoc *d, const struct ydoc_node *n,
	     const char *name)
{
	size_t before = ydoc_nerrors(d);

	ydoc_check_keys(d, n, rule_keys);
	struct crule *cr = arena_alloc(r->arena, sizeof(*cr));

	memset(cr, 0, sizeof(*cr));
	cr->info.name = arena_strdup(r->arena, name);
	cr->info.file = arena_strdup(r->arena, ydoc_name(d));
	cr->info.line = n->line;
	cr->info.col = n->col;

	const struct ydoc_node *m = ydoc_get(n, "match");

	if (!m)
		ydoc_error(d, n,
			   "rule '%s' needs match: (which stories it is "
			   "about)",
			   name);
	else
		cr->cond = compile_cond(r, d, m);

	int64_t score = 0;

	(void)ydoc_bool(d, ydoc_get(n, "include"), &cr->info.include);
	(void)ydoc_bool(d, ydoc_get(n, "exclude"), &cr->info.exclude);
	(void)ydoc_bool(d, ydoc_get(n, "stop"), &cr->info.stop);
	(void)ydoc_int(d, ydoc_get(n, "score"), -MAX_SCORE, MAX_SCORE, &score);
	cr->info.score = (int)score;

	const char *note = NULL;

	(void)ydoc_str(d, ydoc_get(n, "note"), &note);

	const struct ydoc_node *t = ydoc_get(n, "tag");

	if (t) {
		const char **tags;

		if (read_strs(r, d, t, "tag", &tags, &cr->info.ntags)) {
			for (size_t i = 0; i < cr->info.ntags; i++)
				tags[i] = intern_tag(r, tags[i]);
			cr->info.tags = tags;
		}
	}
	if (cr->info.include && cr->info.exclude)
		ydoc_error(d, ydoc_get(n, "exclude"),
			   "a rule cannot both include and exclude");
	cr->has_action = cr->info.include || cr->info.exclude ||
			 cr->info.stop || ydoc_get(n, "score") ||
			 cr->info.ntags;
	if (ydoc_nerrors(d) > before)
		return NULL;
	return cr;
}

static struct crule *
compile_named(struct rules *r, struct named *nm)
{
	if (nm->state == 2)
		return nm->rule;
	nm->state = 1;
	nm->rule = compile_rule(r, nm->doc, nm->node, nm->name);
	nm->state = 2;
	return nm->rule;
}

static void
add_named(struct rules *r, struct ydoc *d, const struct ydoc_node *item)
{
	const struct ydoc_node *nn = ydoc_get(item, "name");
	const char *name = NULL;

	if (!nn || ydoc_str(d, nn, &name) < 0)
		return;
	struct named *old = find_named(r, name);

	if (old) {
		const struct ydoc_node *on = ydoc_get(old->node, "name");

		ydoc_error(d, nn, "a rule named '%s' already exists (%s:%d)",
			   name, ydoc_name(old->doc), on->line);
		return;
	}
	r->named = xreallocarray(r->named, r->nnamed + 1, sizeof(*r->named));
	r->named[r->nnamed++] =
	    (struct named){.name = name, .doc = d, .node = item};
}

static void
load_library(struct rules *r, struct ydoc *d, const struct ydoc_node *pathn)
{
	if (pathn->kind != YDOC_SCALAR || !*pathn->str) {
		ydoc_error(d, pathn, "rules_file: expected a file name");
		return;
	}
	struct buf path;
	const char *self = ydoc_name(d);
	const char *slash = strrchr(self, '/');

	buf_init(&path, 4096);
	if (pathn->str[0] != '/' && slash)
		buf_append(&path, self, (size_t)(slash - self) + 1);
	buf_puts(&path, pathn->str);

	struct ydoc *lib = ydoc_load(buf_str(&path));

	buf_free(&path);
	r->libs = xreallocarray(r->libs, r->nlibs + 1, sizeof(*r->libs));
	r->libs[r->nlibs++] = lib;

	const struct ydoc_node *root = ydoc_root(lib);
	static const char *const lib_keys[] = {"rules", "description", NULL};

	if (ydoc_nerrors(lib) || !ydoc_is_map(lib, root, "a rules file"))
		return;
	ydoc_check_keys(lib, root, lib_keys);

	const struct ydoc_node *list = ydoc_get(root, "rules");

	if (!list || !ydoc_is_seq(lib, list, "rules"))
		return;
	for (size_t i = 0; i < list->nkids; i++) {
		const struct ydoc_node *it = list->kids[i];

		if (!ydoc_is_map(lib, it, "a rule"))
			continue;
		if (!ydoc_get(it, "name")) {
			ydoc_error(lib, it,
				   "rules in a rules file need a name: so "
				   "audiences can use them");
			continue;
		}
		add_named(r, lib, it);
	}
}

static void
add_to_list(struct rules *r, struct crule *cr)
{
	r->list = xreallocarray(r->list, r->n + 1, sizeof(*r->list));
	r->list[r->n++] = cr;
	r->has_include = r->has_include || cr->info.include;
	if (cr->info.score > 0)
		r->max_score += cr->info.score;
}

static void
compile_list_entry(struct rules *r, struct ydoc *d, const struct ydoc_node *it,
		   size_t idx)
{
	const struct ydoc_node *use = ydoc_get(it, "use");

	if (use) {
		for (size_t j = 0; j + 1 < it->nkids; j += 2) {
			if (strcmp(it->kids[j]->str, "use")) {
				ydoc_error(
				    d, it->kids[j],
				    "a '- use:' line takes no other keys "
				    "(write a new rule that uses it in "
				    "match:)");
				return;
			}
		}
		if (use->kind != YDOC_SCALAR) {
			ydoc_error(d, use, "use: expected the name of a rule");
			return;
		}
		struct named *nm = find_named(r, use->str);

		if (!nm) {
			ydoc_error(d, use, "use: no rule named '%s'", use->str);
			return;
		}
		struct crule *cr = compile_named(r, nm);

		if (cr && !cr->has_action) {
			ydoc_error(d, use,
				   "rule '%s' has no action (include, exclude, "
				   "score, tag or stop); use it inside match:",
				   use->str);
			return;
		}
		if (cr)
			add_to_list(r, cr);
		return;
	}
	const struct ydoc_node *nn = ydoc_get(it, "name");
	struct crule *cr;

	if (nn && nn->kind == YDOC_SCALAR && find_named(r, nn->str) &&
	    find_named(r, nn->str)->node == it) {
		cr = compile_named(r, find_named(r, nn->str));
	} else {
		char name[32];

		snprintf(name, sizeof(name), "rule %zu", idx + 1);
		cr = compile_rule(r, d, it, name);
	}
	if (!cr)
		return;
	if (!cr->has_action) {
		ydoc_error(d, it,
			   "rule '%s' has no action: add include, exclude, "
			   "score, tag or stop",
			   cr->info.name);
		return;
	}
	add_to_list(r, cr);
}

/* `rules:` with nothing after it is YAML's null: an empty list. */
static bool
is_null(const struct ydoc_node *n)
{
	return n && n->kind == YDOC_SCALAR && n->plain &&
	       (!*n->str || !strcmp(n->str, "~") || !strcmp(n->str, "null"));
}

/*
 * The evaluation plan. Most rules name words, and a story holds few of
 * them. A rule's gates are words matchers one of which must hold for the
 * rule to fire: those of a words matcher, of one member of an all:, or of
 * every member of an any:. Once a story's words are scanned, only the
 * rules without gates and those with a gate that found its phrase are
 * run; the others cannot fire.
 */
enum { MAX_GATES = 4096 }; /* per rule; past that it runs on every story */

struct gate_acc {
	uint32_t *ids, *rules;
	uint8_t *fields;
	size_t n, cap;
	uint32_t rule; /* the rule being planned */
};

static bool
acc_add(struct gate_acc *a, int id, uint8_t fields, size_t start)
{
	if (a->n - start >= MAX_GATES)
		return false;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->ids = xreallocarray(a->ids, a->cap, sizeof(*a->ids));
		a->rules = xreallocarray(a->rules, a->cap, sizeof(*a->rules));
		a->fields = xreallocarray(a->fields, a->cap, 1);
	}
	a->ids[a->n] = (uint32_t)id;
	a->rules[a->n] = a->rule;
	a->fields[a->n++] = fields;
	return true;
}

/* Append the gates of c (of a rule whose gates start at start) to a;
 * false, with a as it was, when c may hold without any. */
static bool
gates_of(const struct cond *c, struct gate_acc *a, size_t start)
{
	size_t before = a->n;

	if (!c)
		return false;
	switch (c->kind) {
	case C_WORDS:
		for (size_t i = 0; i < c->n; i++) {
			if (!acc_add(a, c->ids[i], c->fields, start)) {
				a->n = before;
				return false;
			}
		}
		return true;
	case C_ALL:
		for (size_t i = 0; i < c->nkids; i++) {
			if (gates_of(c->kids[i], a, start))
				return true;
		}
		return false;
	case C_ANY:
		for (size_t i = 0; i < c->nkids; i++) {
			if (!gates_of(c->kids[i], a, start)) {
				a->n = before;
				return false;
			}
		}
		return true;
	default:
		return false;
	}
}

/* c holds exactly when one of its gates (gates_of) does. */
static bool
gates_are_exact(const struct cond *c)
{
	if (c->kind == C_WORDS)
		return true;
	if (c->kind != C_ANY)
		return false;
	for (size_t i = 0; i < c->nkids; i++) {
		if (!gates_are_exact(c->kids[i]))
			return false;
	}
	return true;
}

static void
make_plan(struct rules *r)
{
	struct gate_acc a = {0};

	r->always = xcalloc(r->n / 64 + 1, sizeof(*r->always));
	r->exact = xcalloc(r->n / 64 + 1, sizeof(*r->exact));
	r->first_gated = r->n;
	for (size_t i = 0; i < r->n; i++) {
		a.rule = (uint32_t)i;
		if (!gates_of(r->list[i]->cond, &a, a.n)) {
			r->always[i / 64] |= 1ULL << (i % 64);
			continue;
		}
		if (r->first_gated == r->n)
			r->first_gated = i;
		if (gates_are_exact(r->list[i]->cond))
			r->exact[i / 64] |= 1ULL << (i % 64);
	}
	r->gate_off = xcalloc(r->nphrases + 1, sizeof(*r->gate_off));
	r->gates = xcalloc(a.n + 1, sizeof(*r->gates));
	for (size_t k = 0; k < a.n; k++)
		r->gate_off[a.ids[k] + 1]++;
	for (size_t id = 0; id < r->nphrases; id++)
		r->gate_off[id + 1] += r->gate_off[id];
	uint32_t *fill = xcalloc(r->nphrases + 1, sizeof(*fill));

	for (size_t k = 0; k < a.n; k++) {
		uint32_t at = r->gate_off[a.ids[k]] + fill[a.ids[k]]++;

		r->gates[at].rule = a.rules[k];
		r->gates[at].fields = a.fields[k];
	}
	free(fill);
	free(a.ids);
	free(a.rules);
	free(a.fields);
}

struct rules *
rules_compile(struct ydoc *d, const struct ydoc_node *list,
	      const struct ydoc_node *lib_paths, const char *const *feed_ids,
	      size_t nfeed_ids)
{
	struct rules *r = xcalloc(1, sizeof(*r));

	if (is_null(list))
		list = NULL;
	if (is_null(lib_paths))
		lib_paths = NULL;

	r->arena = arena_new();
	r->dict = match_dict_new();
	r->feed_ids = feed_ids;
	r->nfeed_ids = nfeed_ids;
	if (lib_paths && lib_paths->kind == YDOC_SEQ) {
		for (size_t i = 0; i < lib_paths->nkids; i++)
			load_library(r, d, lib_paths->kids[i]);
	} else if (lib_paths) {
		load_library(r, d, lib_paths);
	}
	if (list && ydoc_is_seq(d, list, "rules")) {
		for (size_t i = 0; i < list->nkids; i++) {
			if (ydoc_is_map(d, list->kids[i], "a rule") &&
			    !ydoc_get(list->kids[i], "use"))
				add_named(r, d, list->kids[i]);
		}
		for (size_t i = 0; i < list->nkids; i++) {
			if (list->kids[i]->kind == YDOC_MAP)
				compile_list_entry(r, d, list->kids[i], i);
		}
	}
	/*
	 * Check the shared rules this audience doesn't use too, so check
	 * reports every mistake; they are compiled aside, so their words
	 * and patterns cost nothing when selecting.
	 */
	struct rules aside = {.arena = arena_new(),
			      .dict = match_dict_new(),
			      .named = r->named,
			      .nnamed = r->nnamed,
			      .feed_ids = feed_ids,
			      .nfeed_ids = nfeed_ids};

	for (size_t i = 0; i < r->nnamed; i++)
		(void)compile_named(&aside, &r->named[i]);
	for (size_t i = 0; i < aside.nres; i++)
		match_re_free(aside.res[i]);
	free(aside.res);
	free(aside.tagset);
	match_dict_free(aside.dict);
	arena_free(aside.arena);
	for (size_t i = 0; i < r->nlibs; i++) {
		ydoc_add_errors(d, r->libs[i]);
		ydoc_free(r->libs[i]);
	}
	free(r->libs);
	r->libs = NULL;
	r->nlibs = 0;
	free(r->named);
	r->named = NULL;
	r->nnamed = 0;
	r->feed_ids = NULL;
	make_plan(r);
	return r;
}

size_t
rules_count(const struct rules *r)
{
	return r->n;
}

const struct rule_info *
rules_info(const struct rules *r, size_t i)
{
	return i < r->n ? &r->list[i]->info : NULL;
}

bool
rules_has_include(const struct rules *r)
{
	return r->has_include;
}

int
rules_max_score(const struct rules *r)
{
	return r->max_score;
}

/* Evaluation: one story at a time, the words of all its items scanned once,
 * on first need. A story matches a matcher when any of its items does. */
enum { LEN_CACHE = 8 };

struct ctx {
	const struct rules *r;
	const struct story *s;
	int64_t now;
	struct rules_result *res;
	bool scanned;
	struct match_hits *hits; /* while scanning */
	/* lengths of title, summary, content of the first items, +1 (0:
	 * not measured yet): several regexes read the same long content */
	size_t len[LEN_CACHE][3];
};

static size_t
field_len(struct ctx *x, size_t item, int f, const char *s)
{
	if (item >= LEN_CACHE)
		return strlen(s);
	if (!x->len[item][f])
		x->len[item][f] = strlen(s) + 1;
	return x->len[item][f] - 1;
}

static void
scan_field(struct ctx *x, size_t item, int f, const char *s, bool html)
{
	if (!s || !*s)
		return;
	match_dict_scan(x->r->dict, s, field_len(x, item, f, s), html, x->hits,
			(uint8_t)(1 << f));
}

/* Find the phrases in the fields some words matcher reads, then mark in
 * res->cand the rules with a gate that found its phrase. */
static void
scan_words(struct ctx *x)
{
	const struct rules *r = x->r;
	uint8_t *hits = x->res->hits;
	uint64_t *cand = x->res->cand;
	struct match_hits h = {.hits = hits, .found = x->res->found};

	memset(hits, 0, r->nphrases);
	x->hits = &h;
	for (size_t i = 0; i < x->s->nitems; i++) {
		const struct item *it = &x->s->items[i].item;

		if (r->scan_fields & F_TITLE)
			scan_field(x, i, 0, it->title, false);
		if (r->scan_fields & F_SUMMARY)
			scan_field(x, i, 1, it->summary, true);
		if (r->scan_fields & F_CONTENT)
			scan_field(x, i, 2, it->content, true);
	}
	x->scanned = true;
	memset(cand, 0, (r->n / 64 + 1) * sizeof(*cand));
	for (size_t f = 0; f < h.nfound; f++) {
		uint32_t id = h.found[f];

		for (uint32_t k = r->gate_off[id]; k < r->gate_off[id + 1];
		     k++) {
			const struct gate *g = &r->gates[k];

			if (hits[id] & g->fields)
				cand[g->rule / 64] |= 1ULL << (g->rule % 64);
		}
	}
}

static bool
in_list(const char *v, const struct cond *c, bool nocase)
{
	if (!v)
		return false;
	for (size_t i = 0; i < c->n; i++) {
		if (nocase ? !wd_strcasecmp(v, c->strs[i])
			   : !strcmp(v, c->strs[i]))
			return true;
	}
	return false;
}

static bool
lang_is(const char *lang, const struct cond *c)
{
	if (!lang)
		return false;
	for (size_t i = 0; i < c->n; i++) {
		size_t n = strlen(c->strs[i]);

		if (!wd_strncasecmp(lang, c->strs[i], n) &&
		    (!lang[n] || lang[n] == '-' || lang[n] == '_'))
			return true;
	}
	return false;
}

static bool
host_is(const char *link, const struct cond *c)
{
	if (!link)
		return false;
	/* strstr(link, "://") by hand: links are short, and the library's
	 * search costs more to start than to run on them */
	const char *p = strchr(link, ':');

	while (p && (p[1] != '/' || p[2] != '/'))
		p = strchr(p + 1, ':');
	p = p ? p + 3 : link;
	size_t n = 0;

	while (p[n] && p[n] != '/' && p[n] != '?' && p[n] != '#')
		n++;
	const char *at = memchr(p, '@', n);

	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	const char *colon = memchr(p, ':', n);

	if (colon)
		n = (size_t)(colon - p);
	for (size_t i = 0; i < c->n; i++) {
		size_t hn = strlen(c->strs[i]);

		if (hn > n || wd_strncasecmp(p + n - hn, c->strs[i], hn))
			continue;
		if (hn == n || p[n - hn - 1] == '.')
			return true;
	}
	return false;
}

/* For ASCII s: 1 when its folded form (match_fold) is f, else 0; -1 when
 * s holds other bytes. Categories are short and mostly ASCII, and this
 * spares folding them into a buffer once per rule. */
static int
ascii_fold_is(const char *s, const char *f)
{
	bool word = false, sep = false;

	if (*f++ != ' ')
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80)
			return -1;
		if (!wd_isalnum(c)) {
			sep = true;
			continue;
		}
		/* a difference in what is folded so far is final */
		if (sep && word && *f++ != ' ')
			return 0;
		sep = false;
		word = true;
		if (*f++ != (char)wd_tolower(c))
			return 0;
	}
	if (word && *f++ != ' ')
		return 0;
	return *f == '\0';
}

/* Folded text of s contains one of the folded phrases in c. */
static bool
folded_has(struct ctx *x, const char *s, const struct cond *c, bool whole)
{
	if (!s)
		return false;
	if (whole) {
		size_t i = 0;

		for (; i < c->n; i++) {
			int r = ascii_fold_is(s, c->strs[i]);

			if (r > 0)
				return true;
			if (r < 0)
				break;
		}
		if (i == c->n)
			return false;
	}
	struct buf *b = &x->res->fold;

	buf_reset(b);
	match_fold(b, s, strlen(s), false);
	for (size_t i = 0; i < c->n; i++) {
		if (whole ? !strcmp(buf_str(b), c->strs[i])
			  : strstr(buf_str(b), c->strs[i]) != NULL)
			return true;
	}
	return false;
}

static bool
item_has_image(const struct item *it)
{
	if (it->image && *it->image)
		return true;
	for (size_t i = 0; i < it->nenclosures; i++) {
		const char *t = it->enclosures[i].type;

		if (t && !wd_strncasecmp(t, "image/", 6))
			return true;
	}
	return false;
}

static bool eval(struct ctx *x, const struct cond *c);

static bool
eval_item(struct ctx *x, const struct cond *c, size_t idx)
{
	const struct story_item *si = &x->s->items[idx];
	const struct item *it = &si->item;

	switch (c->kind) {
	case C_REGEX: {
		const char *f[3] = {it->title, it->summary, it->content};

		for (int i = 0; i < 3; i++) {
			if ((c->fields & (1 << i)) && f[i] &&
			    match_re_find(c->re, f[i],
					  field_len(x, idx, i, f[i])))
				return true;
		}
		return false;
	}
	case C_FEED:
		return in_list(si->feed_id, c, false);
	case C_SOURCE:
		return in_list(si->source, c, true);
	case C_CATEGORY:
		for (size_t i = 0; i < it->ncategories; i++) {
			if (folded_has(x, it->categories[i], c, true))
				return true;
		}
		return false;
	case C_AUTHOR:
		return folded_has(x, it->author, c, false);
	case C_LANGUAGE:
		return lang_is(it->language, c);
	case C_HOST:
		return host_is(it->link, c);
	case C_HAS_IMAGE:
		return item_has_image(it);
	case C_HAS_ENCLOSURE:
		return it->nenclosures > 0;
	default:
		return false;
	}
}

static bool
eval(struct ctx *x, const struct cond *c)
{
	if (!c)
		return false;
	switch (c->kind) {
	case C_ALL:
		for (size_t i = 0; i < c->nkids; i++) {
			if (!eval(x, c->kids[i]))
				return false;
		}
		return true;
	case C_ANY:
		for (size_t i = 0; i < c->nkids; i++) {
			if (eval(x, c->kids[i]))
				return true;
		}
		return false;
	case C_NOT:
		return !eval(x, c->kids[0]);
	case C_WORDS:
		if (!x->scanned)
			scan_words(x);
		for (size_t i = 0; i < c->n; i++) {
			if (x->res->hits[c->ids[i]] & c->fields)
				return true;
		}
		return false;
	case C_NEWER:
		return x->s->published != WD_NOTIME &&
		       x->now - x->s->published < c->age;
	case C_OLDER:
		return x->s->published != WD_NOTIME &&
		       x->now - x->s->published > c->age;
	case C_FALSE:
		return false;
	default:
		for (size_t i = 0; i < x->s->nitems; i++) {
			if (eval_item(x, c, i))
				return true;
		}
		return false;
	}
}

/* Tags are interned (intern_tag): equal tags are the same pointer. */
static void
add_tag(struct rules_result *res, const char *tag)
{
	for (size_t i = 0; i < res->ntags; i++) {
		if (res->tags[i] == tag)
			return;
	}
	if (res->ntags == res->tags_cap) {
		res->tags_cap = res->tags_cap ? 2 * res->tags_cap : 8;
		res->tags =
		    xreallocarray(res->tags, res->tags_cap, sizeof(*res->tags));
	}
	res->tags[res->ntags++] = tag;
}

static void
add_fired(struct rules_result *res, const struct rule_info *ri)
{
	if (res->nfired == res->fired_cap) {
		res->fired_cap = res->fired_cap ? 2 * res->fired_cap : 8;
		res->fired = xreallocarray(res->fired, res->fired_cap,
					   sizeof(*res->fired));
	}
	res->fired[res->nfired++] = ri;
}

/* Run rule i (known to hold when holds); true when it fired and stops
 * the list. */
static bool
run_rule(struct ctx *x, size_t i, bool holds)
{
	const struct crule *cr = x->r->list[i];
	struct rules_result *res = x->res;

	if (!holds && !eval(x, cr->cond))
		return false;
	add_fired(res, &cr->info);
	res->score += cr->info.score;
	res->include = res->include || cr->info.include;
	res->exclude = res->exclude || cr->info.exclude;
	for (size_t t = 0; t < cr->info.ntags; t++)
		add_tag(res, cr->info.tags[t]);
	return cr->info.stop;
}

void
rules_eval(const struct rules *r, const struct story *s, int64_t now,
	   struct rules_result *res)
{
	struct ctx x = {.r = r, .s = s, .now = now, .res = res};
	size_t nw = r->n / 64 + 1;

	res->score = 0;
	res->include = res->exclude = false;
	res->nfired = res->ntags = 0;
	if (!res->fold.max)
		buf_init(&res->fold, FOLD_MAX);
	if (res->hits_cap < r->nphrases + 1) {
		res->hits_cap = r->nphrases + 1;
		res->hits = xreallocarray(res->hits, res->hits_cap, 1);
		res->found = xreallocarray(res->found, res->hits_cap,
					   sizeof(*res->found));
	}
	if (res->cand_cap < nw) {
		res->cand_cap = nw;
		res->cand = xreallocarray(res->cand, nw, sizeof(*res->cand));
	}
	/* Up to the first gated rule, in case one stops the list before
	 * the words are needed; then the rules the plan leaves, in order. */
	size_t i = 0;

	for (; i < r->first_gated; i++) {
		if (run_rule(&x, i, false))
			return;
	}
	if (i >= r->n)
		return;
	if (!x.scanned)
		scan_words(&x);
	for (size_t w = i / 64; w < nw; w++) {
		uint64_t m = r->always[w] | res->cand[w];

		if (w == i / 64)
			m &= ~0ULL << (i % 64);
		/* a candidate whose gates are its condition fires as is */
		for (; m; m &= m - 1) {
			uint64_t bit = m & -m;

			if (run_rule(&x, w * 64 + (size_t)__builtin_ctzll(m),
				     (r->exact[w] & res->cand[w] & bit) != 0))
				return;
		}
	}
}

void
rules_result_free(struct rules_result *res)
{
	free(res->fired);
	free(res->tags);
	free(res->hits);
	free(res->found);
	free(res->cand);
	buf_free(&res->fold);
	memset(res, 0, sizeof(*res));
}

void
rules_free(struct rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nres; i++)
		match_re_free(r->res[i]);
	free(r->res);
	free(r->list);
	free(r->tagset);
	free(r->always);
	free(r->exact);
	free(r->gate_off);
	free(r->gates);
	match_dict_free(r->dict);
	arena_free(r->arena);
	free(r);
}
