/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz_parse.c: libFuzzer target for feeds/parse.h: arbitrary bytes as
 * a feed body, with and without an HTTP Content-Type; then the same body
 * twice more through one reused parser (parse_opts.reuse), the second
 * time after a reset, which must read it exactly as a new parser did. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "feeds/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every string so that ASan sees a read past its end. */
static size_t
touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static int
on_item(void *ctx, const struct item *it)
{
	size_t *sum = ctx;

	*sum += touch(it->id) + touch(it->title) + touch(it->link) +
		touch(it->orig_link) + touch(it->summary) +
		touch(it->content) + touch(it->author) +
		touch(it->language) + touch(it->image);
	for (size_t i = 0; i < it->ncategories; i++)
		*sum += touch(it->categories[i]);
	for (size_t i = 0; i < it->nenclosures; i++)
		*sum += touch(it->enclosures[i].url) +
			touch(it->enclosures[i].type);
	return 0;
}

static const char *const content_types[] = {
	NULL,
	"application/rss+xml",
	"application/atom+xml; charset=iso-8859-1",
	"text/xml; charset=windows-1252",
	"application/feed+json",
	"text/html; charset=utf-16",
	"text/plain; charset=shift_jis",
	"application/xml; charset=bogus",
};

/*
 * The first byte picks the Content-Type and the item cap, so that one corpus
 * covers both the sniffing path (no header) and the header-driven paths;
 * the rest is the body.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t ntypes = sizeof(content_types) / sizeof(content_types[0]);
	struct parse_opts opts = {.url = "http://example.org/news/feed.xml"};
	unsigned sel = 0;

	if (size > 0) {
		sel = data[0];
		data++;
		size--;
	}
	opts.content_type = content_types[sel % ntypes];
	opts.max_items = (sel & 0x80) ? 3 : 0;
	if (sel & 0x40)
		opts.content_location = "/other/base/";
	if (sel & 0x20)
		opts.content_language = "fr-CA";

	size_t sum[3] = {0, 0, 0};
	int rc[3];
	size_t nitems[3];

	for (int pass = 0; pass < 3; pass++) {
		struct arena *a = arena_new();
		struct feed_info info;

		if (pass == 1)
			opts.reuse = parse_reuse_new();
		memset(&info, 0, sizeof(info));
		rc[pass] = parse_feed((const char *)data, size, &opts, on_item,
				      &sum[pass], a, &info);
		nitems[pass] = info.nitems;
		if (rc[pass] == 0) {
			sum[pass] += touch(info.title) + touch(info.link) +
				     touch(info.subtitle) +
				     touch(info.language) + touch(info.image) +
				     touch(info.version) +
				     touch(info.encoding) +
				     touch(info.bozo_msg);
		}
		arena_free(a);
	}
	parse_reuse_free(opts.reuse);
	if (rc[2] != rc[0] || nitems[2] != nitems[0] || sum[2] != sum[0])
		abort(); /* the reset parser read it otherwise */
	return sum[0] == (size_t)-1;
}
