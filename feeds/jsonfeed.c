/* SPDX-License-Identifier: MIT */
/* feeds/jsonfeed.c: JSON Feed (jsonfeed.org 1.0, 1.1) through jansson;
 * parse stage. */
#include "feeds/jsonfeed.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/wdtime.h"
#include "core/xalloc.h"
#include "feeds/datefast.h"
#include "feeds/urlres.h"

enum { JF_MAX_CATS = 256, JF_MAX_ENCS = 64 };

static const char *
str_of(struct arena *a, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return arena_strndup(a, json_string_value(v),
				     json_string_length(v));
	return NULL;
}

static const char *
url_of(struct arena *a, json_t *o, const char *key, const char *base)
{
	const char *s = str_of(a, o, key);

	if (!s || !base || urlres_is_absolute(s))
		return s;
	char *r = urlres_resolve(base, s);
	const char *out = arena_strdup(a, r);

	free(r);
	return out;
}

static int64_t
date_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return WD_NOTIME;
	return datefast_parse(json_string_value(v), json_string_length(v));
}

static const char *
author_of(struct arena *a, json_t *o)
{
	json_t *au = json_object_get(o, "author");

	if (json_is_object(au))
		return str_of(a, au, "name");
	json_t *aus = json_object_get(o, "authors");

	if (json_is_array(aus) && json_array_size(aus) > 0 &&
	    json_is_object(json_array_get(aus, 0)))
		return str_of(a, json_array_get(aus, 0), "name");
	return NULL;
}

int
jsonfeed_parse(const char *doc, size_t len, const struct parse_opts *opts,
	       parse_item_fn on_item, void *ctx, struct arena *a,
	       struct feed_info *info)
{
	json_error_t jerr;
	json_t *root = json_loadb(doc, len, JSON_ALLOW_NUL, &jerr);
	char msg[200];

	if (!json_is_object(root)) {
		snprintf(msg, sizeof(msg), "line %d, column %d: %s", jerr.line,
			 jerr.column, root ? "not a JSON object" : jerr.text);
		info->bozo = true;
		info->bozo_msg = arena_strdup(a, msg);
		json_decref(root);
		return WD_EPARSE;
	}
	/* HTTP headers count as in XML feeds: Content-Location is the base of
	 * relative URLs, Content-Language the language when the feed names
	 * none. */
	const char *base = opts ? opts->url : NULL;

	if (opts && opts->content_location && *opts->content_location)
		base = opts->content_location;
	const char *ver = str_of(a, root, "version");

	if (ver && strstr(ver, "jsonfeed.org/version/1.1"))
		info->version = "json11";
	else if (ver && strstr(ver, "jsonfeed.org/version/1"))
		info->version = "json1";
	else
		info->version = "json";
	info->title = str_of(a, root, "title");
	info->link = url_of(a, root, "home_page_url", base);
	info->subtitle = str_of(a, root, "description");
	info->language = str_of(a, root, "language");
	if (!info->language && opts && opts->content_language &&
	    *opts->content_language)
		info->language = arena_strdup(a, opts->content_language);
	info->image = url_of(a, root, "icon", base);
	if (!info->image)
		info->image = url_of(a, root, "favicon", base);

	json_t *items = json_object_get(root, "items");
	const char **cats = xcalloc(JF_MAX_CATS, sizeof(*cats));
	struct enclosure *encs = xcalloc(JF_MAX_ENCS, sizeof(*encs));
	int rc = 0;
	size_t i;
	json_t *o;

	json_array_foreach(items, i, o)
	{
		if (!json_is_object(o))
			continue;
		size_t mark = arena_mark(a);
		struct item it;

		memset(&it, 0, sizeof(it));
		it.id_is_permalink = false;
		json_t *id = json_object_get(o, "id");

		if (json_is_string(id)) {
			it.id = str_of(a, o, "id");
		} else if (json_is_integer(id)) {
			snprintf(msg, sizeof(msg), "%lld",
				 (long long)json_integer_value(id));
			it.id = arena_strdup(a, msg);
		}
		it.title = str_of(a, o, "title");
		it.link = url_of(a, o, "url", base);
		if (!it.link)
			it.link = url_of(a, o, "external_url", base);
		it.summary = str_of(a, o, "summary");
		it.content = str_of(a, o, "content_html");
		if (!it.content)
			it.content = str_of(a, o, "content_text");
		it.author = author_of(a, o);
		if (!it.author)
			it.author = author_of(a, root);
		it.language = str_of(a, o, "language");
		if (!it.language)
			it.language = info->language;
		it.image = url_of(a, o, "image", base);
		it.published = date_of(o, "date_published");
		it.updated = date_of(o, "date_modified");
		it.embargo = WD_NOTIME;

		size_t j, nc = 0, ne = 0;
		json_t *v;

		json_array_foreach(json_object_get(o, "tags"), j, v)
		{
			if (json_is_string(v) && nc < JF_MAX_CATS)
				cats[nc++] =
				    arena_strdup(a, json_string_value(v));
		}
		json_array_foreach(json_object_get(o, "attachments"), j, v)
		{
			const char *url = url_of(a, v, "url", base);

			if (!url || ne >= JF_MAX_ENCS)
				continue;
			json_t *sz = json_object_get(v, "size_in_bytes");

			encs[ne].url = url;
			encs[ne].type = str_of(a, v, "mime_type");
			encs[ne].length =
			    json_is_integer(sz) ? json_integer_value(sz) : -1;
			ne++;
		}
		it.categories = cats;
		it.ncategories = nc;
		it.enclosures = encs;
		it.nenclosures = ne;
		rc = on_item(ctx, &it);
		info->nitems++;
		arena_reset_to(a, mark);
		if (rc < 0)
			break;
		rc = 0;
		if (opts && opts->max_items && info->nitems >= opts->max_items)
			break;
	}
	free(cats);
	free(encs);
	json_decref(root);
	return rc;
}
