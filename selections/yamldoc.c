/* SPDX-License-Identifier: MIT */
/* selections/yamldoc.c: YAML to a positioned tree, with libyaml. */
#include "selections/yamldoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/wdtime.h"
#include "core/xalloc.h"

/*
 * Bounds for hostile or mistaken files: a config is small, so anything past
 * these is an error rather than a reason to use more memory.
 */
enum {
	YDOC_MAX_BYTES = 4 * 1024 * 1024,
	YDOC_MAX_DEPTH = 64,
	YDOC_MAX_NODES = 200000,
	YDOC_MAX_ERRORS = 100,
	YDOC_MAX_FLOW = 1024, /* brackets open at once, before libyaml */
};

struct ydoc {
	char *name;
	struct arena *arena;
	struct ydoc_node *root;
	char **errs;
	size_t nerrs;
	size_t nnodes;
};

static void
add_error(struct ydoc *d, int line, int col, const char *msg)
{
	struct buf b;

	if (d->nerrs >= YDOC_MAX_ERRORS)
		return;
	buf_init(&b, 4096);
	buf_appendf(&b, "%s:%d:%d: %s", d->name, line, col, msg);
	d->errs = xreallocarray(d->errs, d->nerrs + 1, sizeof(char *));
	d->errs[d->nerrs++] = buf_take(&b);
}

void
ydoc_error(struct ydoc *d, const struct ydoc_node *at, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_error(d, at ? at->line : 1, at ? at->col : 1, msg);
}

/*
 * Per libyaml node id, while converting. Aliases share the converted node,
 * so the tree is a DAG that readers walk as if expanded: a billion-laughs
 * file of a few hundred bytes would expand to 10^9 nodes, and an alias
 * inside its own anchor ("&a [*a]", which libyaml accepts) to a cycle. So
 * each node's size and height are counted with aliases expanded, and
 * capped like the file itself; an alias to a node still being converted is
 * an error.
 */
struct conv {
	struct ydoc_node **seen;
	size_t *weight; /* nodes in the subtree, aliases expanded, capped */
	int *height;    /* levels below the node, aliases expanded */
	bool *busy;     /* being converted */
	bool over_nodes, over_depth; /* reported once */
};

/* Count kid's expanded subtree into its parent's. */
static void
add_expanded(struct conv *c, int parent, int kid)
{
	size_t *w = &c->weight[parent - 1];
	int *h = &c->height[parent - 1];

	*w += c->weight[kid - 1];
	if (*w > YDOC_MAX_NODES)
		*w = YDOC_MAX_NODES + 1;
	if (c->height[kid - 1] + 1 > *h)
		*h = c->height[kid - 1] + 1;
	if (*h > YDOC_MAX_DEPTH)
		*h = YDOC_MAX_DEPTH + 1;
}

/* FNV-1a, for the duplicate-key table. */
static size_t
str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* libyaml node (by id) to our node; aliases share the converted node. */
static struct ydoc_node *
convert(struct ydoc *d, yaml_document_t *doc, int id, int depth, struct conv *c)
{
	yaml_node_t *yn = yaml_document_get_node(doc, id);
	struct ydoc_node **seen = c->seen;

	if (!yn)
		return NULL;
	if (c->busy[id - 1]) {
		add_error(d, (int)yn->start_mark.line + 1,
			  (int)yn->start_mark.column + 1,
			  "an alias refers to a node that contains it");
		return NULL;
	}
	if (seen[id - 1])
		return seen[id - 1];
	if (depth > YDOC_MAX_DEPTH) {
		add_error(d, (int)yn->start_mark.line + 1,
			  (int)yn->start_mark.column + 1,
			  "nesting deeper than 64 levels");
		return NULL;
	}
	if (++d->nnodes > YDOC_MAX_NODES)
		return NULL;
	struct ydoc_node *n = arena_alloc(d->arena, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->line = (int)yn->start_mark.line + 1;
	n->col = (int)yn->start_mark.column + 1;
	seen[id - 1] = n;
	c->busy[id - 1] = true;
	switch (yn->type) {
	case YAML_SCALAR_NODE:
		n->kind = YDOC_SCALAR;
		n->str = arena_strndup(d->arena,
				       (const char *)yn->data.scalar.value,
				       yn->data.scalar.length);
		n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		break;
	case YAML_SEQUENCE_NODE: {
		yaml_node_item_t *it = yn->data.sequence.items.start;
		size_t cnt = (size_t)(yn->data.sequence.items.top - it);

		n->kind = YDOC_SEQ;
		n->kids = arena_alloc(d->arena, (cnt + 1) * sizeof(*n->kids));
		for (size_t i = 0; i < cnt; i++) {
			struct ydoc_node *k =
				convert(d, doc, it[i], depth + 1, c);

			if (k)
				n->kids[n->nkids++] = k;
			add_expanded(c, id, it[i]);
		}
		break;
	}
	case YAML_MAPPING_NODE: {
		yaml_node_pair_t *p = yn->data.mapping.pairs.start;
		size_t cnt = (size_t)(yn->data.mapping.pairs.top - p);

		/* Keys seen so far, as kid index + 1 (0: empty slot): a
		 * pairwise check took minutes on a map of 100000 keys. */
		size_t tsize = 16;

		while (tsize < 2 * cnt)
			tsize *= 2;
		size_t *tab = xcalloc(tsize, sizeof(*tab));

		n->kind = YDOC_MAP;
		n->kids =
			arena_alloc(d->arena, (2 * cnt + 1) * sizeof(*n->kids));
		for (size_t i = 0; i < cnt; i++) {
			struct ydoc_node *k =
				convert(d, doc, p[i].key, depth + 1, c);
			struct ydoc_node *v =
				convert(d, doc, p[i].value, depth + 1, c);

			add_expanded(c, id, p[i].key);
			add_expanded(c, id, p[i].value);
			if (!k || !v)
				continue;
			if (k->kind != YDOC_SCALAR) {
				ydoc_error(d, k, "mapping keys must be plain "
						 "words");
				continue;
			}
			size_t h = str_hash(k->str) & (tsize - 1);

			for (; tab[h]; h = (h + 1) & (tsize - 1)) {
				const struct ydoc_node *o = n->kids[tab[h] - 1];

				if (!strcmp(o->str, k->str)) {
					ydoc_error(d, k,
						   "duplicate key '%s' (first "
						   "at line %d)",
						   k->str, o->line);
					break;
				}
			}
			if (!tab[h])
				tab[h] = n->nkids + 1;
			n->kids[n->nkids++] = k;
			n->kids[n->nkids++] = v;
		}
		free(tab);
		break;
	}
	default:
		break;
	}
	c->busy[id - 1] = false;
	c->weight[id - 1]++;
	if (c->weight[id - 1] > YDOC_MAX_NODES && !c->over_nodes) {
		c->over_nodes = true;
		ydoc_error(d, n, "aliases expand to more than 200000 nodes");
	}
	if (c->height[id - 1] > YDOC_MAX_DEPTH && !c->over_depth) {
		c->over_depth = true;
		ydoc_error(d, n, "aliases nest deeper than 64 levels");
	}
	return n;
}

/*
 * libyaml's scanner keeps a simple-key slot per flow level and checks them
 * all at every token, so flow nesting costs quadratic time (100000 '[' took
 * minutes). Far deeper than YDOC_MAX_DEPTH is refused before libyaml sees
 * it; brackets inside scalars count too, which only errs when a file holds
 * a thousand unclosed ones. Sets *line, *col to where the limit was passed.
 */
static bool
flow_is_too_deep(const char *s, size_t len, int *line, int *col)
{
	size_t depth = 0;
	const char *bol = s;

	*line = 1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			(*line)++;
			bol = s + i + 1;
		} else if (s[i] == '[' || s[i] == '{') {
			if (++depth > YDOC_MAX_FLOW) {
				*col = (int)(s + i - bol) + 1;
				return true;
			}
		} else if ((s[i] == ']' || s[i] == '}') && depth > 0) {
			depth--;
		}
	}
	return false;
}

struct ydoc *
ydoc_load_mem(const char *name, const char *data, size_t len)
{
	struct ydoc *d = xcalloc(1, sizeof(*d));
	yaml_parser_t parser;
	yaml_document_t doc;

	d->name = xstrdup(name);
	d->arena = arena_new();
	if (len > YDOC_MAX_BYTES) {
		add_error(d, 1, 1, "file larger than 4 MiB");
		return d;
	}
	int line, col;

	if (flow_is_too_deep(data, len, &line, &col)) {
		add_error(d, line, col, "nesting deeper than 64 levels");
		return d;
	}
	if (!yaml_parser_initialize(&parser)) {
		add_error(d, 1, 1, "cannot start the YAML parser");
		return d;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data,
				     len);
	if (!yaml_parser_load(&parser, &doc)) {
		const yaml_mark_t *m = parser.problem_mark.line ||
					       parser.problem_mark.column
				       ? &parser.problem_mark
				       : &parser.context_mark;
		char msg[512];

		snprintf(msg, sizeof(msg), "YAML syntax: %s%s%s",
			 parser.problem ? parser.problem : "error",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
		add_error(d, (int)m->line + 1, (int)m->column + 1, msg);
		yaml_parser_delete(&parser);
		return d;
	}
	size_t nn = (size_t)(doc.nodes.top - doc.nodes.start);

	if (nn) {
		struct conv c = {
		    .seen = xcalloc(nn, sizeof(*c.seen)),
		    .weight = xcalloc(nn, sizeof(*c.weight)),
		    .height = xcalloc(nn, sizeof(*c.height)),
		    .busy = xcalloc(nn, sizeof(*c.busy)),
		};

		d->root = convert(d, &doc, 1, 0, &c);
		if (d->nnodes > YDOC_MAX_NODES) {
			add_error(d, 1, 1, "more than 200000 YAML nodes");
			d->root = NULL;
		}
		if (c.over_nodes || c.over_depth)
			d->root = NULL;
		free(c.seen);
		free(c.weight);
		free(c.height);
		free(c.busy);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return d;
}

struct ydoc *
ydoc_load(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;

	buf_init(&b, YDOC_MAX_BYTES + 1);
	if (!f) {
		struct ydoc *d = ydoc_load_mem(path, "", 0);
		char msg[512];

		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
		add_error(d, 1, 1, msg);
		return d;
	}
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && !b.failed)
		buf_append(&b, chunk, n);
	int err = ferror(f);

	fclose(f);
	struct ydoc *d;

	if (b.failed) {
		d = ydoc_load_mem(path, "", 0);
		add_error(d, 1, 1, "file larger than 4 MiB");
	} else {
		d = ydoc_load_mem(path, buf_str(&b), b.len);
		if (err)
			add_error(d, 1, 1, "read error");
	}
	buf_free(&b);
	return d;
}

const struct ydoc_node *
ydoc_root(const struct ydoc *d)
{
	return d->root;
}

size_t
ydoc_nerrors(const struct ydoc *d)
{
	return d->nerrs;
}

void
ydoc_add_errors(struct ydoc *d, const struct ydoc *from)
{
	for (size_t i = 0; i < from->nerrs && d->nerrs < YDOC_MAX_ERRORS; i++) {
		d->errs = xreallocarray(d->errs, d->nerrs + 1, sizeof(char *));
		d->errs[d->nerrs++] = xstrdup(from->errs[i]);
	}
}

const char *
ydoc_errmsg(const struct ydoc *d, size_t i)
{
	return i < d->nerrs ? d->errs[i] : NULL;
}

const char *
ydoc_name(const struct ydoc *d)
{
	return d->name;
}

void
ydoc_free(struct ydoc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nerrs; i++)
		free(d->errs[i]);
	free(d->errs);
	arena_free(d->arena);
	free(d->name);
	free(d);
}

const struct ydoc_node *
ydoc_get(const struct ydoc_node *m, const char *key)
{
	if (!m || m->kind != YDOC_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < m->nkids; i += 2) {
		if (!strcmp(m->kids[i]->str, key))
			return m->kids[i + 1];
	}
	return NULL;
}

static const char *
kind_name(const struct ydoc_node *n)
{
	switch (n->kind) {
	case YDOC_SCALAR:
		return "a scalar";
	case YDOC_SEQ:
		return "a list";
	case YDOC_MAP:
		return "a mapping";
	}
	return "?";
}

int
ydoc_str(struct ydoc *d, const struct ydoc_node *n, const char **out)
{
	if (!n)
		return 0;
	if (n->kind != YDOC_SCALAR) {
		ydoc_error(d, n, "expected text, found %s", kind_name(n));
		return WD_ECONFIG;
	}
	*out = n->str;
	return 0;
}

int
ydoc_int(struct ydoc *d, const struct ydoc_node *n, int64_t min, int64_t max,
	 int64_t *out)
{
	if (!n)
		return 0;
	if (n->kind != YDOC_SCALAR) {
		ydoc_error(d, n, "expected a number, found %s", kind_name(n));
		return WD_ECONFIG;
	}
	char *end;

	errno = 0;
	long long v = strtoll(n->str, &end, 10);

	if (errno || end == n->str || *end) {
		ydoc_error(d, n, "expected a whole number, found '%s'", n->str);
		return WD_ECONFIG;
	}
	if (v < min || v > max) {
		ydoc_error(d, n, "%lld is out of range (%lld to %lld)", v,
			   (long long)min, (long long)max);
		return WD_ECONFIG;
	}
	*out = v;
	return 0;
}

int
ydoc_bool(struct ydoc *d, const struct ydoc_node *n, bool *out)
{
	if (!n)
		return 0;
	if (n->kind == YDOC_SCALAR) {
		if (!strcmp(n->str, "true") || !strcmp(n->str, "yes")) {
			*out = true;
			return 0;
		}
		if (!strcmp(n->str, "false") || !strcmp(n->str, "no")) {
			*out = false;
			return 0;
		}
	}
	ydoc_error(d, n, "expected true or false");
	return WD_ECONFIG;
}

int
ydoc_duration(struct ydoc *d, const struct ydoc_node *n, int64_t *out)
{
	if (!n)
		return 0;
	if (n->kind != YDOC_SCALAR || wd_duration_parse(n->str, out) < 0) {
		ydoc_error(d, n,
			   "bad duration '%s' (use a number with s, m, h, d "
			   "or w, e.g. 15m or 48h)",
			   n->kind == YDOC_SCALAR ? n->str : "");
		return WD_ECONFIG;
	}
	return 0;
}

void
ydoc_check_keys(struct ydoc *d, const struct ydoc_node *m,
		const char *const *known)
{
	if (!m || m->kind != YDOC_MAP)
		return;
	for (size_t i = 0; i + 1 < m->nkids; i += 2) {
		const char *k = m->kids[i]->str;
		bool ok = false;

		for (size_t j = 0; known[j]; j++)
			ok = ok || !strcmp(known[j], k);
		if (!ok)
			ydoc_error(d, m->kids[i], "unknown key '%s'", k);
	}
}

bool
ydoc_is_map(struct ydoc *d, const struct ydoc_node *n, const char *what)
{
	if (n && n->kind == YDOC_MAP)
		return true;
	ydoc_error(d, n, "%s must be a mapping (key: value lines)", what);
	return false;
}

bool
ydoc_is_seq(struct ydoc *d, const struct ydoc_node *n, const char *what)
{
	if (n && n->kind == YDOC_SEQ)
		return true;
	ydoc_error(d, n, "%s must be a list (lines starting with '- ')", what);
	return false;
}
