/* SPDX-License-Identifier: MIT */
/* selections/audience.c: read and check one audience file (selections stage):
 * feed metadata and the settings that shape the selection. */
#include "selections/audience.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/text.h"
#include "core/xalloc.h"

enum {
	DEFAULT_WINDOW = 48 * 3600,
	DEFAULT_LIMIT = 50,
	MAX_LIMIT = 100000,
};

struct audience {
	struct arena *arena; /* every string of the audience */
	struct audience_meta meta;
};

static const char *const audience_keys[] = {
	"audience", "title",     "description", "link",  "attribution",
	"window",   "limit",     "language",    "signoff", "copyright",
	"image",    "feed_url",  "ttl",         NULL,
};

/* Copy the text at n (if any) into the audience; records type errors. */
static void
read_str(struct ydoc *d, struct audience *a, const struct ydoc_node *n,
	 const char **out)
{
	const char *s = NULL;

	if (ydoc_str(d, n, &s) < 0 || !s)
		return;
	*out = arena_strdup(a->arena, s);
}

static bool
is_http_url(const char *s)
{
	return !wd_strncasecmp(s, "http://", 7) ||
	       !wd_strncasecmp(s, "https://", 8);
}

/* The name becomes a file stem, so it stays in a safe alphabet. */
static bool
is_stem(const char *s)
{
	if (!*s || *s == '-' || *s == '.')
		return false;
	for (; *s; s++) {
		if (!wd_isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	}
	return true;
}

static void
require(struct ydoc *d, const struct ydoc_node *root, const char *key)
{
	if (!ydoc_get(root, key))
		ydoc_error(d, root, "missing required key '%s'", key);
}

static void
check_url(struct ydoc *d, const struct ydoc_node *root, const char *key,
	  const char *v)
{
	if (v && !is_http_url(v))
		ydoc_error(d, ydoc_get(root, key),
			   "%s must be an http:// or https:// URL", key);
}

static void
read_meta(struct ydoc *d, struct audience *a, const struct ydoc_node *root)
{
	struct audience_meta *m = &a->meta;

	read_str(d, a, ydoc_get(root, "audience"), &m->name);
	read_str(d, a, ydoc_get(root, "title"), &m->title);
	read_str(d, a, ydoc_get(root, "description"), &m->description);
	read_str(d, a, ydoc_get(root, "link"), &m->link);
	read_str(d, a, ydoc_get(root, "feed_url"), &m->feed_url);
	read_str(d, a, ydoc_get(root, "language"), &m->language);
	read_str(d, a, ydoc_get(root, "attribution"), &m->attribution);
	read_str(d, a, ydoc_get(root, "signoff"), &m->signoff);
	read_str(d, a, ydoc_get(root, "copyright"), &m->copyright);
	read_str(d, a, ydoc_get(root, "image"), &m->image);
	require(d, root, "audience");
	require(d, root, "title");
	require(d, root, "link");
	if (m->name && !is_stem(m->name))
		ydoc_error(d, ydoc_get(root, "audience"),
			   "audience '%s' must be letters, digits, '-', '_' "
			   "or '.' (it names the output files)",
			   m->name);
	check_url(d, root, "link", m->link);
	check_url(d, root, "feed_url", m->feed_url);
	check_url(d, root, "image", m->image);

	const struct ydoc_node *w = ydoc_get(root, "window");

	if (ydoc_duration(d, w, &m->window) == 0 && w && m->window <= 0)
		ydoc_error(d, w, "window must be longer than 0");
	(void)ydoc_int(d, ydoc_get(root, "limit"), 1, MAX_LIMIT, &m->limit);
	(void)ydoc_int(d, ydoc_get(root, "ttl"), 1, 10080, &m->ttl);
}

struct audience *
audience_load(const char *path, struct ydoc **errs)
{
	struct ydoc *d = ydoc_load(path);
	const struct ydoc_node *root = ydoc_root(d);

	*errs = d;
	if (ydoc_nerrors(d))
		return NULL;
	if (!ydoc_is_map(d, root, "an audience file"))
		return NULL;

	struct audience *a = xcalloc(1, sizeof(*a));

	a->arena = arena_new();
	a->meta.window = DEFAULT_WINDOW;
	a->meta.limit = DEFAULT_LIMIT;
	a->meta.attribution = "{source}";
	ydoc_check_keys(d, root, audience_keys);
	read_meta(d, a, root);
	if (ydoc_nerrors(d)) {
		audience_free(a);
		return NULL;
	}
	return a;
}

const struct audience_meta *
audience_meta(const struct audience *a)
{
	return &a->meta;
}

void
audience_free(struct audience *a)
{
	if (!a)
		return;
	arena_free(a->arena);
	free(a);
}
