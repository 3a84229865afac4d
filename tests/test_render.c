/* SPDX-License-Identifier: MIT */
/* tests/test_render.c: output/render (RSS 2.0, Atom 1.0, JSON Feed, HTML). */
#include <errno.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <check.h>

#include "core/text.h"
#include "core/wdtime.h"
#include "output/render.h"
#include "tests/suite.h"

/* ---- a small fictional audience ---------------------------------------- */

static const char *const cats_flood[] = {"World News", "Asia"};
static const char *const tags_world[] = {"World", "world news"};

static const struct enclosure flood_media[] = {
    {.url = "javascript:alert(1)", .type = "audio/mpeg", .length = 10},
    {.url = "https://wire.example.com/audio/flood.mp3",
     .type = "audio/mpeg",
     .length = 123456},
    {.url = "https://wire.example.com/img/flood.jpg",
     .type = "image jpeg",
     .length = -1},
};

static const struct story_item flood_items[] = {
    {
	.item = {.id = "tag:wire.example.com,2026:flood-1",
		 .title = "UPDATE 1-Flood waters recede in river delta",
		 .link = "https://wire.example.com/world/flood-1",
		 .summary = "<p>Rescue teams &amp; volunteers reached "
			    "<b>three</b> villages.</p>"
			    "<script>alert(1)</script>"
			    "<a href=\"/world/flood-map\">Map</a>",
		 .content = "<p>Full text: rescue teams reached "
			    "<i>three</i> villages.</p>",
		 .enclosures = flood_media,
		 .nenclosures = 3,
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
		 .language = "th",
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
    {.id = 1,
     .key = "s0a1",
     .items = flood_items,
     .nitems = 3,
     .published = 1764140400,
     .updated = 1764144000},
    {.id = 2,
     .key = "s0b2",
     .items = market_items,
     .nitems = 1,
     .published = 1764050000,
     .updated = WD_NOTIME},
    {.id = 3,
     .key = "s0c3",
     .items = local_items,
     .nitems = 1,
     .published = 1764000000,
     .updated = WD_NOTIME},
};

static const struct render_entry entries[] = {
    {.story = &stories[0],
     .guid = "wd-s0a1",
     .published = 1764141600,
     .updated = 1764144000,
     .tags = tags_world,
     .ntags = 2},
    {.story = &stories[1],
     .guid = "wd-s0b2",
     .published = 1764051000,
     .updated = WD_NOTIME},
    {.story = &stories[2],
     .guid = "wd-s0c3",
     .published = 1764001000,
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
	/* the full text beside the summary; one safe enclosure */
	assert_has(doc, "<content:encoded>&lt;p&gt;Full text: rescue teams "
			"reached &lt;i&gt;three&lt;/i&gt; villages.&lt;/p&gt;\n"
			"&lt;p class=&quot;wd-credit&quot;&gt;Reuters");
	assert_has(doc, "<enclosure url=\"https://wire.example.com/audio/"
			"flood.mp3\" length=\"123456\" type=\"audio/mpeg\"/>");
	assert_lacks(doc, "flood.jpg");
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

START_TEST(render_rss_channel_description_is_html_escaped)
{
	struct render_feed f = {
	    .name = "d", .title = "T", .description = "<!DOCTYPE ~ AT&T"};
	char *doc = render_to_string(render_rss, &f, NULL, 0);

	assert_has(doc, "<description>&amp;lt;!DOCTYPE ~ AT&amp;amp;T"
			"</description>");
	free(doc);
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
	assert_has(doc, "<entry xml:lang=\"th\">");
	assert_has(doc, "<summary type=\"html\">&lt;p&gt;Rescue teams");
	assert_has(doc, "<content type=\"html\">&lt;p&gt;Full text: rescue");
	assert_has(doc, "<link rel=\"enclosure\" type=\"audio/mpeg\" "
			"length=\"123456\" href=\"https://wire.example.com/"
			"audio/flood.mp3\"/>\n    <link rel=\"enclosure\" "
			"href=\"https://wire.example.com/img/flood.jpg\"/>");
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
	buf_init(&out, 100);
	ck_assert_int_eq(render_json(&feed, entries, 3, &out), WD_ETOOBIG);
	buf_free(&out);
	buf_init(&out, 100);
	ck_assert_int_eq(render_html(&feed, entries, 3, &out), WD_ETOOBIG);
	buf_free(&out);
}
END_TEST

/* ---- JSON Feed ---------------------------------------------------------- */

START_TEST(render_json_writes_required_fields)
{
	char *doc = render_to_string(render_json, &feed, entries, 3);

	assert_has(doc, "\"version\": \"https://jsonfeed.org/version/1.1\"");
	assert_has(doc, "\"title\": \"Phuket Media Watch\"");
	assert_has(doc, "\"home_page_url\": \"https://gazette.example.org/"
			"media-watch\"");
	assert_has(doc, "\"feed_url\": \"https://gazette.example.org/feeds/"
			"international.json\"");
	assert_has(doc, "\"icon\": \"https://gazette.example.org/logo.png\"");
	assert_has(doc, "\"language\": \"en\"");
	assert_has(doc, "\"items\": [{");
	assert_has(doc, "\"id\": \"wd-s0a1\"");
	/* a linkblog: our page's anchor, then the wire's story */
	assert_has(doc, "\"url\": \"https://gazette.example.org/feeds/"
			"international.html#story-s0a1\"");
	assert_has(doc, "\"external_url\": \"https://wire.example.com/world/"
			"flood-1\"");
	assert_has(doc, "\"date_published\": \"2025-11-26T07:20:00Z\"");
	assert_has(doc, "\"date_modified\": \"2025-11-26T08:00:00Z\"");
	assert_has(doc, "\"authors\": [{\"name\": \"Jane Example\"}]");
	assert_has(doc, "\"tags\": [\"World News\", \"Asia\", \"World\"]");
	assert_has(doc, "\"attachments\": [{\"url\": \"https://wire."
			"example.com/audio/flood.mp3\", \"mime_type\": "
			"\"audio/mpeg\", \"size_in_bytes\": 123456}, {\"url\": "
			"\"https://wire.example.com/img/flood.jpg\", "
			"\"mime_type\": \"application/octet-stream\"}]");
	assert_has(doc, "\"summary\": \"Rescue teams \\u0026 volunteers "
			"reached three villages. Map\"");
	assert_has(doc, "\"title\": \"Stocks \\u003c forecast as AT\\u0026T "
			"\\\"slips\\\"\"");
	free(doc);
}
END_TEST

START_TEST(render_json_extension_carries_attribution)
{
	char *doc = render_to_string(render_json, &feed, entries, 3);

	assert_has(doc, "\"_wiredesk\": {\n      \"source\": \"Reuters\",\n"
			"      \"source_url\": \"https://wire.example.com/"
			"world.xml\",\n      \"source_title\": \"Example Wire: "
			"World\",\n      \"credit\": \"Reuters / Phuket "
			"Gazette\"");
	assert_has(doc,
		   "\"also\": [{\"source\": \"AP\", \"url\": \"https://"
		   "ap.example.net/flood\"}, {\"source\": \"AFP\", \"url\": "
		   "\"https://afp.example.org/flood\"}]");
	assert_has(doc, "\"story\": \"s0a1\"");
	/* no feed URL to publish for a local wire feed */
	assert_has(doc, "\"source\": \"Regional Desk\",\n      "
			"\"source_title\"");
	free(doc);
}
END_TEST

START_TEST(render_json_without_self_base_links_the_wire)
{
	struct render_feed f = feed;

	f.self_base = NULL;
	char *doc = render_to_string(render_json, &f, entries, 1);

	assert_has(doc, "\"url\": \"https://wire.example.com/world/"
			"flood-1\"");
	assert_lacks(doc, "external_url");
	assert_lacks(doc, "feed_url");
	free(doc);
}
END_TEST

/* ---- HTML page --------------------------------------------------------------
 */

/* The page's dateline is the wire's own date (07:00), where the feeds use
 * the date the audience first got the story (07:20). */
START_TEST(render_html_page_has_every_part)
{
	char *doc = render_to_string(render_html, &feed, entries, 3);

	assert_has(doc, "<!DOCTYPE html>\n<html lang=\"en\">");
	assert_has(doc, "<meta http-equiv=\"Content-Security-Policy\" "
			"content=\"default-src 'none';");
	assert_has(doc, "<title>Phuket Media Watch</title>");
	assert_has(doc, "<link rel=\"alternate\" type=\"application/rss+xml\"");
	assert_has(doc, "<h1><a href=\"https://gazette.example.org/"
			"media-watch\">Phuket Media Watch</a></h1>");
	assert_has(doc, "<p class=\"desc\">World news selected for Phuket&#39;s"
			" international community</p>");
	assert_has(doc,
		   "<article id=\"story-s0a1\">\n<h2><a href=\"https://"
		   "wire.example.com/world/flood-1\" rel=\"noopener\"><bdi>"
		   "UPDATE 1-Flood waters recede in river delta</bdi></a>"
		   "</h2>");
	assert_has(doc,
		   "<span class=\"credit\"><bdi>Reuters / Phuket Gazette"
		   "</bdi></span> &#183; <time datetime=\"2025-11-26T07:00:"
		   "00Z\">26 Nov 2025, 07:00 UTC</time> &#183; updated "
		   "<time datetime=\"2025-11-26T08:00:00Z\">08:00 UTC</time>");
	assert_has(doc, "<ul class=\"tags\"><li>World News</li><li>Asia</li>"
			"<li>World</li></ul>");
	assert_has(doc, "<div class=\"summary\"><p>Rescue teams &amp; "
			"volunteers reached <b>three</b> villages.</p>");
	assert_has(doc, "Read the full story");
	assert_has(doc, "<article id=\"story-s0c3\" lang=\"th\">");
	assert_has(doc, "<aside class=\"related\"><h3>Related</h3><ul>\n"
			"<li><a href=\"https://ap.example.net/flood\" rel=\""
			"noopener\"><bdi>Flood waters recede, villages reached"
			"</bdi></a> <span class=\"src\">AP</span></li>");
	assert_has(doc, "<p class=\"signoff\">\xe2\x80\x94 Phuket Gazette "
			"Editors</p>");
	/* content only: a plain-text excerpt, no image */
	assert_has(doc, "<div class=\"summary\"><p>Shares fell.</p></div>");
	assert_lacks(doc, "<script");
	assert_lacks(doc, "onerror");
	free(doc);
}
END_TEST

START_TEST(render_html_without_entries)
{
	struct render_feed bare = {.name = "a b", .title = "Bare"};
	char *doc = render_to_string(render_html, &bare, NULL, 0);

	assert_has(doc, "<p class=\"empty\">No stories yet.</p>");
	assert_has(doc, "href=\"a%20b.rss\"");
	free(doc);
}
END_TEST

START_TEST(render_websub_hub_needs_self)
{
	struct render_feed f = feed;

	f.hub = "https://hub.example.net/";
	char *doc = render_to_string(render_rss, &f, NULL, 0);

	assert_has(doc, "<atom:link href=\"https://hub.example.net/\" "
			"rel=\"hub\"/>");
	free(doc);
	doc = render_to_string(render_atom, &f, NULL, 0);
	assert_has(doc,
		   "<link rel=\"hub\" href=\"https://hub.example.net/\"/>");
	free(doc);
	doc = render_to_string(render_json, &f, NULL, 0);
	assert_has(doc, "\"hubs\": [{\"type\": \"WebSub\", \"url\": \"https://"
			"hub.example.net/\"}]");
	free(doc);
	f.self_base = NULL;
	doc = render_to_string(render_atom, &f, NULL, 0);
	assert_lacks(doc, "hub");
	free(doc);
}
END_TEST

START_TEST(render_caps_big_stories)
{
	enum { N = 2000 };
	struct story_item *it = calloc(N, sizeof(*it));
	char(*src)[16] = calloc(N, sizeof(*src));
	char(*link)[64] = calloc(N, sizeof(*link));

	for (size_t i = 0; i < N; i++) {
		snprintf(src[i], sizeof(src[i]), "W%zu", i);
		snprintf(link[i], sizeof(link[i]), "https://w.example/%zu", i);
		it[i].item = (struct item){.title = "Copy",
					   .link = link[i],
					   .published = WD_NOTIME,
					   .updated = WD_NOTIME};
		it[i].source = src[i];
	}
	struct story st = {.id = 9,
			   .key = "big",
			   .items = it,
			   .nitems = N,
			   .published = 1764000000,
			   .updated = WD_NOTIME};
	struct render_entry e = {.story = &st,
				 .guid = "big",
				 .published = 1764000000,
				 .updated = WD_NOTIME};
	char *doc = render_to_string(render_html, &feed, &e, 1);
	size_t related = 0;

	for (const char *p = strstr(doc, "<span class=\"src\">"); p;
	     p = strstr(p + 1, "<span class=\"src\">"))
		related++;
	ck_assert_uint_eq(related, 10);
	free(doc);
	doc = render_to_string(render_json, &feed, &e, 1);
	assert_has(doc, "{\"source\": \"W63\"");
	assert_lacks(doc, "{\"source\": \"W64\"");
	free(doc);
	free(link);
	free(src);
	free(it);
}
END_TEST

/* ---- checks over rendered documents ------------------------------------- */

/* A URL a browser would follow without running anything: after dropping
 * what browsers ignore (bytes <= 0x20), http(s), mailto, or no scheme. */
static bool
url_is_harmless(const char *v)
{
	char c[512];
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)v;
	     *p && n + 1 < sizeof(c); p++)
		if (*p > 0x20)
			c[n++] = (char)wd_tolower(*p);
	c[n] = '\0';
	if (!strncmp(c, "http:", 5) || !strncmp(c, "https:", 6) ||
	    !strncmp(c, "mailto:", 7))
		return true;
	size_t stop = strcspn(c, "/?#");

	return !memchr(c, ':', stop);
}

static bool
is_http(const char *v)
{
	return !strncmp(v, "http://", 7) || !strncmp(v, "https://", 8);
}

static const char *const banned_elements[] = {
    "script",   "iframe",    "object",   "embed",    "applet",   "form",
    "input",    "button",    "textarea", "select",   "svg",      "math",
    "base",     "frame",     "frameset", "noscript", "template", "xmp",
    "isindex",  "keygen",    "bgsound",  "portal",   "audio",    "video",
    "source",   "title",     "style",    "meta",     "link",     "noembed",
    "noframes", "plaintext", "animate"};

static const char *const banned_attrs[] = {
    "style",  "srcdoc", "formaction", "background", "dynsrc", "lowsrc",
    "srcset", "action", "data",       "xlink:href", "size",   "id"};

/* Walk an HTML tree: no scripting element, no handler, no unsafe URL. In
 * page mode the page's own head (style, meta, link, title) and ids are
 * allowed. */
static void
html_check_tree(xmlNode *n, bool page, bool in_head, const char *what)
{
	for (xmlNode *c = n; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)c->name;
		bool head = in_head || (page && !strcmp(name, "head"));

		for (size_t i = 0;
		     i < sizeof(banned_elements) / sizeof(banned_elements[0]);
		     i++)
			ck_assert_msg(wd_strcasecmp(name, banned_elements[i]) ||
					  (head && strcmp(name, "script")),
				      "%s: element <%s> survived", what, name);
		for (xmlAttr *a = c->properties; a; a = a->next) {
			const char *an = (const char *)a->name;
			xmlChar *v = xmlGetProp(c, a->name);
			const char *val = v ? (const char *)v : "";

			ck_assert_msg(wd_strncasecmp(an, "on", 2),
				      "%s: handler %s survived", what, an);
			for (size_t i = 0;
			     i < sizeof(banned_attrs) / sizeof(banned_attrs[0]);
			     i++)
				ck_assert_msg(
				    wd_strcasecmp(an, banned_attrs[i]) ||
					(page && !strcmp(an, "id")),
				    "%s: attribute %s survived", what, an);
			if (!strcmp(an, "href") || !strcmp(an, "src") ||
			    !strcmp(an, "cite"))
				ck_assert_msg(url_is_harmless(val),
					      "%s: %s=\"%s\" survived", what,
					      an, val);
			xmlFree(v);
		}
		html_check_tree(c->children, page, head, what);
	}
}

static void
html_check(const char *html, bool page, const char *what)
{
	if (!html || !*html)
		return;
	xmlDoc *doc =
	    htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
			   HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
			       HTML_PARSE_NOWARNING | HTML_PARSE_NONET);

	ck_assert_msg(doc != NULL, "%s: unreadable HTML", what);
	html_check_tree(xmlDocGetRootElement(doc), page, false, what);
	xmlFreeDoc(doc);
}

static void
xml_check_tree(xmlNode *n, const char *what)
{
	for (xmlNode *c = n; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)c->name;
		const char *parent = c->parent && c->parent->name
					 ? (const char *)c->parent->name
					 : "";
		bool in_entry =
		    !strcmp(parent, "item") || !strcmp(parent, "entry");
		xmlChar *text = xmlNodeGetContent(c);
		const char *t = text ? (const char *)text : "";

		if (in_entry &&
		    (!strcmp(name, "description") || !strcmp(name, "summary") ||
		     !strcmp(name, "content")))
			html_check(t, false, what);
		if (!strcmp(name, "link") && !c->ns && c->children)
			ck_assert_msg(is_http(t), "%s: <link>%s", what, t);
		if (!strcmp(name, "url") || !strcmp(name, "icon") ||
		    !strcmp(name, "logo"))
			ck_assert_msg(is_http(t), "%s: <%s>%s", what, name, t);
		xmlFree(text);
		for (xmlAttr *a = c->properties; a; a = a->next) {
			if (strcmp((const char *)a->name, "href") &&
			    strcmp((const char *)a->name, "url"))
				continue;
			xmlChar *v = xmlGetProp(c, a->name);

			ck_assert_msg(v && is_http((const char *)v),
				      "%s: %s=%s", what, a->name, v);
			xmlFree(v);
		}
		xml_check_tree(c->children, what);
	}
}

/* Well-formed XML whose HTML payloads and URLs are harmless. */
static void
xml_check(const char *doc_text, const char *what)
{
	xmlDoc *doc = xmlReadMemory(doc_text, (int)strlen(doc_text), NULL,
				    "UTF-8", XML_PARSE_NONET);

	ck_assert_msg(doc != NULL, "%s: not well-formed XML", what);
	xml_check_tree(xmlDocGetRootElement(doc), what);
	xmlFreeDoc(doc);
}

/* Decode the JSON string starting at s (after its opening quote) into out;
 * returns the byte after the closing quote. Enough JSON for our output. */
static const char *
json_decode_str(const char *s, struct buf *out)
{
	while (*s && *s != '"') {
		if (*s != '\\') {
			buf_putc(out, *s++);
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			buf_putc(out, '\n');
			break;
		case 't':
			buf_putc(out, '\t');
			break;
		case 'r':
			buf_putc(out, '\r');
			break;
		case 'b':
			buf_putc(out, '\b');
			break;
		case 'f':
			buf_putc(out, '\f');
			break;
		case 'u': {
			char hex[5] = {0};

			memcpy(hex, s + 1, 4);
			unsigned cp = (unsigned)strtoul(hex, NULL, 16);

			if (cp >= 0xd800 && cp < 0xdc00 && s[5] == '\\' &&
			    s[6] == 'u') {
				memcpy(hex, s + 7, 4);
				unsigned lo = (unsigned)strtoul(hex, NULL, 16);

				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				s += 6;
			}
			wd_utf8_put(out, cp);
			s += 4;
			break;
		}
		default:
			buf_putc(out, *s);
		}
		s++;
	}
	ck_assert_int_eq(*s, '"');
	return s + 1;
}

/* Every value of "key" in a JSON document (string values only). */
static size_t
json_values(const char *doc, const char *key, char **vals, size_t max)
{
	char pat[64];
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	for (const char *p = strstr(doc, pat); p && n < max;
	     p = strstr(p, pat)) {
		struct buf v;

		buf_init(&v, 64 << 20);
		p = json_decode_str(p + strlen(pat), &v);
		vals[n++] = buf_take(&v);
	}
	return n;
}

static void
json_check(const char *doc, const char *what)
{
	static const char *const url_keys[] = {
	    "url",  "external_url",  "source_url", "image",
	    "icon", "home_page_url", "feed_url"};
	char *vals[64];

	ck_assert_msg(!strchr(doc, '<'), "%s: raw '<' in JSON", what);
	size_t n = json_values(doc, "content_html", vals, 64);

	for (size_t i = 0; i < n; i++) {
		html_check(vals[i], false, what);
		free(vals[i]);
	}
	for (size_t k = 0; k < sizeof(url_keys) / sizeof(url_keys[0]); k++) {
		n = json_values(doc, url_keys[k], vals, 64);
		for (size_t i = 0; i < n; i++) {
			ck_assert_msg(is_http(vals[i]), "%s: %s %s", what,
				      url_keys[k], vals[i]);
			free(vals[i]);
		}
	}
}

/* Render all four formats and check each. */
static void
check_all_formats(const struct render_feed *f, const struct render_entry *e,
		  size_t n, const char *what)
{
	char *doc = render_to_string(render_rss, f, e, n);

	xml_check(doc, what);
	free(doc);
	doc = render_to_string(render_atom, f, e, n);
	xml_check(doc, what);
	free(doc);
	doc = render_to_string(render_json, f, e, n);
	json_check(doc, what);
	free(doc);
	doc = render_to_string(render_html, f, e, n);
	html_check(doc, true, what);
	for (char *p = doc; *p; p++)
		*p = (char)wd_tolower((unsigned char)*p);
	ck_assert_msg(!strstr(doc, "<script"), "%s: <script in page", what);
	free(doc);
}

/* ---- XSS vectors ------------------------------------------------------------
 */

static size_t
xss_load(char ***out)
{
	FILE *f = fopen(TEST_DATA_DIR "/output/xss.txt", "r");
	char line[4096];
	size_t n = 0;
	char **v = NULL;

	ck_assert_msg(f != NULL, "xss.txt: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		ck_assert_ptr_nonnull(v);
		v[n++] = strdup(line);
	}
	fclose(f);
	*out = v;
	return n;
}

/* Each vector in every field a wire controls: title, link, summary,
 * content, author, category, source, feed URL and title, image, guid,
 * and as the other wire's copy; also as the audience's link and image. */
START_TEST(render_xss_vectors_never_survive)
{
	char **v;
	size_t nv = xss_load(&v);

	ck_assert_uint_ge(nv, 50);
	for (size_t i = 0; i < nv; i++) {
		const char *x = v[i];
		const char *cats[] = {x};
		const struct enclosure encs[] = {
		    {.url = x, .type = x, .length = 1}};
		struct story_item it[2] = {
		    {.item = {.id = x,
			      .title = x,
			      .link = x,
			      .orig_link = x,
			      .summary = x,
			      .content = x,
			      .author = x,
			      .image = x,
			      .categories = cats,
			      .ncategories = 1,
			      .enclosures = encs,
			      .nenclosures = 1,
			      .published = 1764000000,
			      .updated = WD_NOTIME},
		     .feed_id = x,
		     .source = x,
		     .feed_url = x,
		     .feed_title = x,
		     .first_seen = 1764000000},
		    {.item = {.id = x,
			      .title = x,
			      .link = x,
			      .summary = x,
			      .published = WD_NOTIME,
			      .updated = WD_NOTIME},
		     .feed_id = "other",
		     .source = x,
		     .feed_url = x},
		};
		struct story st = {.id = 7,
				   .key = x,
				   .items = it,
				   .nitems = 2,
				   .published = 1764000000,
				   .updated = WD_NOTIME};
		struct render_entry e = {.story = &st,
					 .guid = x,
					 .published = 1764000000,
					 .updated = WD_NOTIME,
					 .tags = cats,
					 .ntags = 1};
		struct render_feed f = feed;
		char what[64];

		snprintf(what, sizeof(what), "xss.txt vector %zu", i + 1);
		f.attribution = x;
		f.signoff = x;
		f.hub = x;
		check_all_formats(&f, &e, 1, what);
		/* with a real base, relative URLs in the vector resolve */
		it[0].item.link = "https://wire.example.com/world/story";
		it[1].item.link = "https://ap.example.net/story";
		f.link = x;
		f.image = x;
		f.self_base = x;
		check_all_formats(&f, &e, 1, what);
		free(v[i]);
	}
	free(v);
}
END_TEST

/* ---- escaping ---------------------------------------------------------------
 */

/* Render one entry titled t in every format; check the title reads back
 * as want in RSS (XML) and JSON. */
static void
check_title(const char *t, const char *want)
{
	struct story_item it = flood_items[0];
	struct story st = stories[0];
	struct render_entry e = entries[0];

	it.item.title = t;
	st.items = &it;
	st.nitems = 1;
	e.story = &st;
	check_all_formats(&feed, &e, 1, "hostile title");
	char *doc = render_to_string(render_rss, &feed, &e, 1);
	xmlDoc *x = xmlReadMemory(doc, (int)strlen(doc), NULL, "UTF-8",
				  XML_PARSE_NONET | XML_PARSE_HUGE);

	ck_assert_ptr_nonnull(x);
	xmlNode *n = xmlDocGetRootElement(x)->children;

	while (n && (n->type != XML_ELEMENT_NODE ||
		     strcmp((const char *)n->name, "channel")))
		n = n->next;
	for (n = n->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)n->name, "item"))
			break;
	ck_assert_ptr_nonnull(n);
	for (n = n->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)n->name, "title"))
			break;
	xmlChar *got = xmlNodeGetContent(n);

	ck_assert_str_eq((const char *)got, want);
	xmlFree(got);
	xmlFreeDoc(x);
	free(doc);
	doc = render_to_string(render_json, &feed, &e, 1);
	char *vals[2];

	ck_assert_uint_eq(json_values(doc, "title", vals, 2), 2);
	ck_assert_str_eq(vals[1], want);
	free(vals[0]);
	free(vals[1]);
	free(doc);
}

START_TEST(render_escapes_ampersands_and_markup)
{
	check_title("AT&T <b>up</b> &amp; \"away\" 'now'",
		    "AT&T <b>up</b> &amp; \"away\" 'now'");
}
END_TEST

START_TEST(render_escapes_cdata_end)
{
	check_title("a]]>b]]]]><![CDATA[c", "a]]>b]]]]><![CDATA[c");
}
END_TEST

START_TEST(render_drops_control_chars)
{
	check_title("bell\x07 nul-ish\x01\x1f tab\tnew\nline \x7f del\xc2\x85",
		    "bell nul-ish tab new line del");
}
END_TEST

START_TEST(render_closes_bidi_overrides)
{
	/* RLO left open is closed with PDF; a stray PDI is dropped */
	check_title("abc \xe2\x80\xae"
		    "def",
		    "abc \xe2\x80\xae"
		    "def"
		    "\xe2\x80\xac");
	check_title("x\xe2\x81\xa9y \xe2\x81\xa7z\xe2\x81\xa9",
		    "xy \xe2\x81\xa7z\xe2\x81\xa9");
	check_title("\xe2\x80\x8fRLM and \xe2\x80\x8eLRM stay",
		    "\xe2\x80\x8fRLM and \xe2\x80\x8eLRM stay");
}
END_TEST

START_TEST(render_keeps_emoji_and_astral)
{
	check_title("Flood \xf0\x9f\x8c\x8a \xf0\x9d\x94\xb8 \xe6\xb4\xaa\xe6"
		    "\xb0\xb4 \xd8\xb3\xd9\x8a\xd9\x88\xd9\x84",
		    "Flood \xf0\x9f\x8c\x8a \xf0\x9d\x94\xb8 \xe6\xb4\xaa\xe6"
		    "\xb0\xb4 \xd8\xb3\xd9\x8a\xd9\x88\xd9\x84");
}
END_TEST

START_TEST(render_replaces_invalid_utf8)
{
	check_title("bad \xff\xfe here \xc3( and \xed\xa0\x80 surrogate",
		    "bad \xef\xbf\xbd\xef\xbf\xbd here \xef\xbf\xbd( and "
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd surrogate");
}
END_TEST

START_TEST(render_handles_1mb_title)
{
	size_t n = 1 << 20;
	char *t = malloc(n + 1);

	for (size_t i = 0; i < n; i++)
		t[i] = "a&<]>\""[i % 6];
	t[n] = '\0';
	check_title(t, t);
	free(t);
}
END_TEST

/* ---- timing ------------------------------------------------------------ */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* With WD_RENDER_BENCH set: 1000 three-wire stories with 1.5 KB HTML
 * summaries, each format rendered 5 times; the mean goes to stderr. */
START_TEST(render_bench_when_asked)
{
	enum { N = 1000, ROUNDS = 5 };

	if (!getenv("WD_RENDER_BENCH"))
		return;
	struct story_item *it = calloc(3 * N, sizeof(*it));
	struct story *st = calloc(N, sizeof(*st));
	struct render_entry *e = calloc(N, sizeof(*e));
	char(*guid)[32] = calloc(N, sizeof(*guid));
	char(*link)[64] = calloc(3 * N, sizeof(*link));
	struct buf sum;

	buf_init(&sum, 1 << 20);
	while (sum.len < 1500)
		buf_puts(&sum, "<p>Rescue teams &amp; volunteers reached "
			       "<b>three</b> villages, <a href=\"/map\">the "
			       "map</a> shows.</p>");
	for (size_t i = 0; i < 3 * N; i++) {
		snprintf(link[i], sizeof(link[i]),
			 "https://wire%zu.example.com/story/%zu", i % 3, i);
		it[i] = flood_items[i % 3];
		it[i].item.link = link[i];
		it[i].item.summary = buf_str(&sum);
		it[i].item.content = NULL;
		it[i].item.enclosures = NULL;
		it[i].item.nenclosures = 0;
	}
	for (size_t i = 0; i < N; i++) {
		snprintf(guid[i], sizeof(guid[i]), "urn:wiredesk:story:s%zx",
			 i);
		st[i] = stories[0];
		st[i].items = &it[3 * i];
		e[i] = entries[0];
		e[i].story = &st[i];
		e[i].guid = guid[i];
		e[i].published = 1764000000 - (int64_t)i * 60;
	}
	static const struct {
		const char *name;
		render_fn fn;
	} fmts[] = {{"rss", render_rss},
		    {"atom", render_atom},
		    {"json", render_json},
		    {"html", render_html}};

	for (size_t k = 0; k < sizeof(fmts) / sizeof(fmts[0]); k++) {
		double t0 = now_ms();
		size_t bytes = 0;

		for (int r = 0; r < ROUNDS; r++) {
			char *doc = render_to_string(fmts[k].fn, &feed, e, N);

			bytes = strlen(doc);
			free(doc);
		}
		fprintf(stderr, "render_%s: %d entries, %zu bytes, %.1f ms\n",
			fmts[k].name, N, bytes, (now_ms() - t0) / ROUNDS);
	}
	buf_free(&sum);
	free(link);
	free(guid);
	free(e);
	free(st);
	free(it);
}
END_TEST

/* ---- files for outside readers --------------------------------------------
 */

static void
write_file(const char *dir, const char *name, const char *ext, const char *data)
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
	} fmts[] = {{".rss", render_rss},
		    {".atom", render_atom},
		    {".json", render_json},
		    {".html", render_html}};

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
	tcase_add_test(tc, render_rss_channel_description_is_html_escaped);
	suite_add_tcase(s, tc);
	tc = tcase_create("atom");
	tcase_add_test(tc, render_atom_writes_feed_metadata);
	tcase_add_test(tc, render_atom_writes_entries_with_source);
	tcase_add_test(tc, render_atom_keeps_uri_guids);
	tcase_add_test(tc, render_atom_without_self_base_uses_urn);
	tcase_add_test(tc, render_reports_too_big);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, render_json_writes_required_fields);
	tcase_add_test(tc, render_json_extension_carries_attribution);
	tcase_add_test(tc, render_json_without_self_base_links_the_wire);
	suite_add_tcase(s, tc);
	tc = tcase_create("html");
	tcase_add_test(tc, render_html_page_has_every_part);
	tcase_add_test(tc, render_html_without_entries);
	tcase_add_test(tc, render_websub_hub_needs_self);
	tcase_add_test(tc, render_caps_big_stories);
	suite_add_tcase(s, tc);
	tc = tcase_create("xss");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, render_xss_vectors_never_survive);
	suite_add_tcase(s, tc);
	tc = tcase_create("escaping");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, render_escapes_ampersands_and_markup);
	tcase_add_test(tc, render_escapes_cdata_end);
	tcase_add_test(tc, render_drops_control_chars);
	tcase_add_test(tc, render_closes_bidi_overrides);
	tcase_add_test(tc, render_keeps_emoji_and_astral);
	tcase_add_test(tc, render_replaces_invalid_utf8);
	tcase_add_test(tc, render_handles_1mb_title);
	suite_add_tcase(s, tc);
	tc = tcase_create("bench");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, render_bench_when_asked);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, render_writes_sample_files);
	suite_add_tcase(s, tc);
	return s;
}
