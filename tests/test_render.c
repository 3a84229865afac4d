/* SPDX-License-Identifier: MIT */
/* tests/test_render.c: output/render (RSS 2.0, Atom 1.0, JSON Feed, HTML). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>

#include "core/text.h"
#include "core/wdtime.h"
#include "output/render.h"
#include "tests/suite.h"

/* ---- a small fictional audience ---------------------------------------- */

static const char *const cats_flood[] = {"World News", "Asia"};
static const char *const tags_world[] = {"World", "world news"};

static const struct story_item flood_items[] = {
	{
		.item = {.id = "tag:wire.example.com,2026:flood-1",
			 .title = "UPDATE 1-Flood waters recede in river delta",
			 .link = "https://wire.example.com/world/flood-1",
			 .summary = "<p>Rescue teams &amp; volunteers reached "
				    "<b>three</b> villages.</p>"
				    "<script>alert(1)</script>"
				    "<a href=\"/world/flood-map\">Map</a>",
			 .author = "Jane Example",
			 .categories = cats_flood,
			 .ncategories = 2,
			 .published = 1764140400, /* 2025-11-26T07:00:00Z */
			 .updated = 1764144000},
		.feed_id = "reuters-world",
		.source = "Reuters",
		.feed_url = "https://wire.example.com/world.xml",
		.feed_title = "Example Wire: World",
		.first_seen = 1764140500,
	},
	{
		.item = {.id = "urn:ap:flood",
			 .title = "Flood waters recede, villages reached",
			 .link = "https://ap.example.net/flood",
			 .published = 1764141000,
			 .updated = WD_NOTIME},
		.feed_id = "ap-top",
		.source = "AP",
		.feed_url = "https://ap.example.net/top.atom",
		.first_seen = 1764141000,
	},
	{
		.item = {.id = "urn:afp:flood",
			 .title = "Delta floods ease",
			 .link = "https://afp.example.org/flood",
			 .published = WD_NOTIME,
			 .updated = WD_NOTIME},
		.feed_id = "afp",
		.source = "AFP",
		.feed_url = "feeds/afp.xml",
		.first_seen = 1764141500,
	},
};

static const struct story_item market_items[] = {
	{
		.item = {.id = "m-1",
			 .title = "Stocks < forecast as AT&T \"slips\"",
			 .link = "https://ap.example.net/markets/1",
			 .content = "<div><p>Shares fell.</p>"
				    "<img src=\"chart.png\" onerror=\"x()\">"
				    "</div>",
			 .published = 1764050000,
			 .updated = WD_NOTIME},
		.feed_id = "ap-top",
		.source = "AP",
		.feed_url = "https://ap.example.net/top.atom",
		.first_seen = 1764050000,
	},
};

static const struct story_item local_items[] = {
	{
		.item = {.id = "r-9",
			 .title = "Harbour reopens after storm",
			 .link = "https://regional.example.com/harbour",
			 .summary = "The harbour reopened on Tuesday.",
			 .published = 1764000000,
			 .updated = WD_NOTIME},
		.feed_id = "regional",
		.source = NULL,
		.feed_url = "examples/feeds/regional.xml",
		.feed_title = "Regional Desk",
		.first_seen = 1764000000,
	},
};

static const struct story stories[] = {
	{.id = 1, .key = "s0a1", .items = flood_items, .nitems = 3,
	 .published = 1764140400, .updated = 1764144000},
	{.id = 2, .key = "s0b2", .items = market_items, .nitems = 1,
	 .published = 1764050000, .updated = WD_NOTIME},
	{.id = 3, .key = "s0c3", .items = local_items, .nitems = 1,
	 .published = 1764000000, .updated = WD_NOTIME},
};

static const struct render_entry entries[] = {
	{.story = &stories[0], .guid = "wd-s0a1", .published = 1764141600,
	 .updated = 1764144000, .tags = tags_world, .ntags = 2},
	{.story = &stories[1], .guid = "wd-s0b2", .published = 1764051000,
	 .updated = WD_NOTIME},
	{.story = &stories[2], .guid = "wd-s0c3", .published = 1764001000,
	 .updated = WD_NOTIME},
};

static const struct render_feed feed = {
	.name = "international",
	.title = "Phuket Media Watch",
	.description = "World news selected for Phuket's international "
		       "community",
	.link = "https://gazette.example.org/media-watch",
	.self_base = "https://gazette.example.org/feeds/",
	.language = "en",
	.attribution = "{source} / Phuket Gazette",
	.signoff = "\xe2\x80\x94 Phuket Gazette Editors",
	.copyright = "Copyright 2026 Phuket Gazette",
	.image = "https://gazette.example.org/logo.png",
	.ttl = 30,
};

typedef int (*render_fn)(const struct render_feed *f,
			 const struct render_entry *e, size_t n,
			 struct buf *out);

static char *
render_to_string(render_fn fn, const struct render_feed *f,
		 const struct render_entry *e, size_t n)
{
	struct buf out;

	buf_init(&out, 64 << 20);
	ck_assert_int_eq(fn(f, e, n, &out), 0);
	return buf_take(&out);
}

static void
assert_has(const char *doc, const char *needle)
{
	ck_assert_msg(strstr(doc, needle), "missing: %s", needle);
}

static void
assert_lacks(const char *doc, const char *needle)
{
	ck_assert_msg(!strstr(doc, needle), "unexpected: %s", needle);
}

/* ---- credit ------------------------------------------------------------- */

START_TEST(render_credit_replaces_every_source)
{
	char *c = render_credit("{source} / Gazette ({source})", "AP");

	ck_assert_str_eq(c, "AP / Gazette (AP)");
	free(c);
	c = render_credit(NULL, "Reuters");
	ck_assert_str_eq(c, "Reuters");
	free(c);
	c = render_credit("Gazette {sourc", "AP");
	ck_assert_str_eq(c, "Gazette {sourc");
	free(c);
}
END_TEST

/* ---- RSS ---------------------------------------------------------------- */

START_TEST(render_rss_writes_channel_metadata)
{
	char *doc = render_to_string(render_rss, &feed, entries, 3);

	assert_has(doc, "<rss version=\"2.0\"");
	assert_has(doc, "<title>Phuket Media Watch</title>");
	assert_has(doc, "<link>https://gazette.example.org/media-watch</link>");
	assert_has(doc, "<description>World news selected for Phuket&#39;s "
			"international community</description>");
	assert_has(doc, "<language>en</language>");
	assert_has(doc, "<copyright>Copyright 2026 Phuket Gazette</copyright>");
	/* newest entry date, never the clock */
	assert_has(doc, "<lastBuildDate>Wed, 26 Nov 2025 08:00:00 +0000"
			"</lastBuildDate>");
	assert_has(doc, "<generator>wiredesk ");
	assert_has(doc, "<ttl>30</ttl>");
	assert_has(doc, "<image>\n      <url>https://gazette.example.org/"
			"logo.png</url>");
	assert_has(doc, "<atom:link href=\"https://gazette.example.org/feeds/"
			"international.rss\" rel=\"self\" "
			"type=\"application/rss+xml\"/>");
	free(doc);
}
END_TEST

START_TEST(render_rss_credits_the_wire)
{
	char *doc = render_to_string(render_rss, &feed, entries, 3);

	assert_has(doc, "<guid isPermaLink=\"false\">wd-s0a1</guid>");
	assert_has(doc, "<pubDate>Wed, 26 Nov 2025 07:20:00 +0000</pubDate>");
	assert_has(doc, "<atom:updated>2025-11-26T08:00:00Z</atom:updated>");
	assert_has(doc, "<source url=\"https://wire.example.com/world.xml\">"
			"Reuters</source>");
	assert_has(doc, "<dc:creator>Jane Example</dc:creator>");
	assert_has(doc, "&lt;p class=&quot;wd-credit&quot;&gt;Reuters / "
			"Phuket Gazette&lt;/p&gt;");
	assert_has(doc, "Also reported by &lt;a href=&quot;https://ap."
			"example.net/flood&quot; rel=&quot;noopener&quot;"
			"&gt;AP&lt;/a&gt; and &lt;a href=&quot;https://afp."
			"example.org/flood&quot; rel=&quot;noopener&quot;"
			"&gt;AFP&lt;/a&gt;.");
	assert_has(doc, "\xe2\x80\x94 Phuket Gazette Editors");
	/* categories, then tags, without case-insensitive repeats */
	assert_has(doc, "<category>World News</category>\n"
			"      <category>Asia</category>\n"
			"      <category>World</category>\n");
	assert_lacks(doc, "<category>world news</category>");
	/* a local wire feed: the origin of the item's link stands in */
	assert_has(doc, "<source url=\"https://regional.example.com/\">"
			"Regional Desk</source>");
	assert_has(doc, "Regional Desk / Phuket Gazette");
	free(doc);
}
END_TEST

START_TEST(render_rss_sanitizes_description)
{
	char *doc = render_to_string(render_rss, &feed, entries, 3);

	assert_lacks(doc, "&lt;script");
	assert_lacks(doc, "alert(");
	assert_lacks(doc, "onerror");
	assert_has(doc, "Rescue teams &amp;amp; volunteers");
	/* relative links are made absolute against the item link */
	assert_has(doc, "href=&quot;https://wire.example.com/world/flood-map"
			"&quot; rel=&quot;noopener&quot;");
	assert_has(doc, "<title>Stocks &lt; forecast as AT&amp;T &quot;slips"
			"&quot;</title>");
	free(doc);
}
END_TEST

START_TEST(render_rss_is_deterministic)
{
	char *a = render_to_string(render_rss, &feed, entries, 3);
	char *b = render_to_string(render_rss, &feed, entries, 3);

	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(render_rss_without_entries_or_options)
{
	struct render_feed bare = {.name = "bare", .title = "Bare"};
	char *doc = render_to_string(render_rss, &bare, NULL, 0);

	assert_has(doc, "<title>Bare</title>");
	assert_has(doc, "<description>Bare</description>");
	assert_lacks(doc, "lastBuildDate");
	assert_lacks(doc, "atom:link");
	assert_lacks(doc, "<item>");
	free(doc);
}
END_TEST

/* ---- Atom --------------------------------------------------------------- */

START_TEST(render_atom_writes_feed_metadata)
{
	char *doc = render_to_string(render_atom, &feed, entries, 3);

	assert_has(doc, "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
			"xml:lang=\"en\">");
	assert_has(doc, "<id>https://gazette.example.org/feeds/"
			"international.atom</id>");
	assert_has(doc, "<updated>2025-11-26T08:00:00Z</updated>");
	assert_has(doc, "<link rel=\"self\" type=\"application/atom+xml\" "
			"href=\"https://gazette.example.org/feeds/"
			"international.atom\"/>");
	assert_has(doc, "<link rel=\"alternate\" type=\"text/html\" "
			"href=\"https://gazette.example.org/media-watch\"/>");
	assert_has(doc, "<rights type=\"text\">Copyright 2026");
	assert_has(doc, "<icon>https://gazette.example.org/logo.png</icon>");
	free(doc);
}
END_TEST

START_TEST(render_atom_writes_entries_with_source)
{
	char *doc = render_to_string(render_atom, &feed, entries, 3);

	assert_has(doc, "<id>urn:wiredesk:wd-s0a1</id>");
	assert_has(doc, "<published>2025-11-26T07:20:00Z</published>");
	assert_has(doc, "<author><name>Jane Example</name></author>");
	/* no author: the wire is the author */
	assert_has(doc, "<author><name>AP</name></author>");
	assert_has(doc, "<category term=\"World News\"/>");
	assert_has(doc, "<source>\n      <id>https://wire.example.com/"
			"world.xml</id>\n      <title type=\"text\">Example "
			"Wire: World</title>\n      <link rel=\"self\" "
			"type=\"application/xml\" href=\"https://wire.example."
			"com/world.xml\"/>\n      <updated>2025-11-26T08:00:00Z"
			"</updated>\n      <rights type=\"text\">Reuters"
			"</rights>\n    </source>");
	assert_has(doc, "<id>urn:wiredesk:feed:regional</id>");
	assert_has(doc, "<summary type=\"html\">");
	assert_has(doc, "<content type=\"html\">&lt;div&gt;&lt;p&gt;Shares "
			"fell.&lt;/p&gt;&lt;img src=&quot;https://ap.example."
			"net/markets/chart.png&quot;&gt;&lt;/div&gt;");
	free(doc);
}
END_TEST

START_TEST(render_atom_keeps_uri_guids)
{
	struct render_entry e = entries[0];

	e.guid = "tag:gazette.example.org,2026:s0a1";
	char *doc = render_to_string(render_atom, &feed, &e, 1);

	assert_has(doc, "<id>tag:gazette.example.org,2026:s0a1</id>");
	free(doc);
	e.guid = "a b/c";
	doc = render_to_string(render_atom, &feed, &e, 1);
	assert_has(doc, "<id>urn:wiredesk:a%20b%2Fc</id>");
	free(doc);
}
END_TEST

START_TEST(render_atom_without_self_base_uses_urn)
{
	struct render_feed f = feed;

	f.self_base = NULL;
	char *doc = render_to_string(render_atom, &f, NULL, 0);

	assert_has(doc, "<id>urn:wiredesk:audience:international</id>");
	assert_has(doc, "<updated>1970-01-01T00:00:00Z</updated>");
	assert_lacks(doc, "rel=\"self\"");
	free(doc);
}
END_TEST

START_TEST(render_reports_too_big)
{
	struct buf out;

	buf_init(&out, 100);
	ck_assert_int_eq(render_rss(&feed, entries, 3, &out), WD_ETOOBIG);
	buf_free(&out);
	buf_init(&out, 100);
	ck_assert_int_eq(render_atom(&feed, entries, 3, &out), WD_ETOOBIG);
	buf_free(&out);
}
END_TEST

/* ---- files for outside readers -------------------------------------------- */

static void
write_file(const char *dir, const char *name, const char *ext,
	   const char *data)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext);

	ck_assert(n > 0 && (size_t)n < sizeof(path));
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(data, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* With WD_RENDER_OUT set (tests/test_output_readers.py does), write the
 * sample audience in every format there for feedparser and xmllint. */
START_TEST(render_writes_sample_files)
{
	const char *dir = getenv("WD_RENDER_OUT");

	if (!dir)
		return;
	static const struct {
		const char *ext;
		render_fn fn;
	} fmts[] = {{".rss", render_rss}, {".atom", render_atom}};

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *doc = render_to_string(fmts[i].fn, &feed, entries, 3);

		write_file(dir, feed.name, fmts[i].ext, doc);
		free(doc);
	}
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("credit");

	tcase_add_test(tc, render_credit_replaces_every_source);
	suite_add_tcase(s, tc);
	tc = tcase_create("rss");
	tcase_add_test(tc, render_rss_writes_channel_metadata);
	tcase_add_test(tc, render_rss_credits_the_wire);
	tcase_add_test(tc, render_rss_sanitizes_description);
	tcase_add_test(tc, render_rss_is_deterministic);
	tcase_add_test(tc, render_rss_without_entries_or_options);
	suite_add_tcase(s, tc);
	tc = tcase_create("atom");
	tcase_add_test(tc, render_atom_writes_feed_metadata);
	tcase_add_test(tc, render_atom_writes_entries_with_source);
	tcase_add_test(tc, render_atom_keeps_uri_guids);
	tcase_add_test(tc, render_atom_without_self_base_uses_urn);
	tcase_add_test(tc, render_reports_too_big);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, render_writes_sample_files);
	suite_add_tcase(s, tc);
	return s;
}
