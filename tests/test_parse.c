/* SPDX-License-Identifier: MIT */
/* tests/test_parse.c: feeds/parse through its header, over the fixtures in
 * tests/data/feeds/. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/wdtime.h"
#include "core/xalloc.h"
#include "feeds/datefast.h"
#include "feeds/parse.h"
#include "tests/suite.h"

enum { MAX_ITEMS = 16 };

/* Copies of what the callback saw (item strings die after the call). */
struct got_item {
	char *id, *title, *link, *summary, *content, *author, *language;
	char *cat0, *enc0;
	size_t ncats;
	bool permalink;
	int64_t published, updated;
};

struct got {
	struct got_item items[MAX_ITEMS];
	size_t n;
	struct arena *a;
	struct feed_info fi;
	int rc;
	int stop_after; /* callback returns -1 after this many; 0: never */
};

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int
collect(void *ctx, const struct item *it)
{
	struct got *g = ctx;

	if (g->n < MAX_ITEMS) {
		struct got_item *gi = &g->items[g->n];

		gi->id = dup_or_null(it->id);
		gi->title = dup_or_null(it->title);
		gi->link = dup_or_null(it->link);
		gi->summary = dup_or_null(it->summary);
		gi->content = dup_or_null(it->content);
		gi->author = dup_or_null(it->author);
		gi->language = dup_or_null(it->language);
		gi->cat0 = it->ncategories ? xstrdup(it->categories[0]) : NULL;
		gi->enc0 =
		    it->nenclosures ? xstrdup(it->enclosures[0].url) : NULL;
		gi->ncats = it->ncategories;
		gi->permalink = it->id_is_permalink;
		gi->published = it->published;
		gi->updated = it->updated;
	}
	g->n++;
	if (g->stop_after && (int)g->n >= g->stop_after)
		return -1;
	return 0;
}

static void
got_free(struct got *g)
{
	for (size_t i = 0; i < g->n && i < MAX_ITEMS; i++) {
		struct got_item *gi = &g->items[i];

		free(gi->id);
		free(gi->title);
		free(gi->link);
		free(gi->summary);
		free(gi->content);
		free(gi->author);
		free(gi->language);
		free(gi->cat0);
		free(gi->enc0);
	}
	arena_free(g->a);
}

static void
parse_mem(struct got *g, const char *doc, size_t len,
	  const struct parse_opts *opts)
{
	g->a = arena_new();
	g->rc = parse_feed(doc, len, opts, collect, g, g->a, &g->fi);
}

static void
parse_file(struct got *g, const char *name, const struct parse_opts *opts)
{
	char path[1024];
	int n =
	    snprintf(path, sizeof(path), "%s/feeds/%s", TEST_DATA_DIR, name);

	ck_assert(n > 0 && (size_t)n < sizeof(path));
	FILE *f = fopen(path, "rb");

	ck_assert_ptr_nonnull(f);
	struct buf b;
	char tmp[4096];
	size_t r;

	buf_init(&b, 1 << 24);
	while ((r = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, r);
	fclose(f);
	parse_mem(g, buf_str(&b), b.len, opts);
	buf_free(&b);
}

static int64_t
date(const char *s)
{
	return wd_date_parse(s, strlen(s));
}

START_TEST(parse_feed_reads_rss20)
{
	struct got g = {0};

	parse_file(&g, "rss20-basic.xml", NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(!g.fi.bozo);
	ck_assert_str_eq(g.fi.version, "rss20");
	ck_assert_str_eq(g.fi.title, "Harbour Wire & Co");
	ck_assert_str_eq(g.fi.link, "https://wire.example/world/");
	ck_assert_str_eq(g.fi.subtitle, "World news from the harbour desk");
	ck_assert_str_eq(g.fi.language, "en-gb");
	ck_assert_int_eq(g.fi.ttl, 15);
	ck_assert_int_eq(g.fi.updated, date("2024-01-02T03:04:05Z"));
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.fi.nitems, 2);
	struct got_item *a = &g.items[0], *b = &g.items[1];

	ck_assert_str_eq(a->title, "Ferry service resumes after storm");
	ck_assert_str_eq(a->link, "https://wire.example/world/ferry-1");
	ck_assert_str_eq(a->id, "harbour-0001");
	ck_assert(!a->permalink);
	ck_assert_str_eq(a->summary, "<p>Boats are <b>running</b> again.</p>");
	ck_assert_str_eq(a->content, "<p>Full <i>story</i>.</p>");
	ck_assert_str_eq(a->author, "Mara Lind");
	ck_assert_uint_eq(a->ncats, 2);
	ck_assert_str_eq(a->cat0, "World");
	ck_assert_str_eq(a->enc0, "https://wire.example/img/ferry.jpg");
	ck_assert_int_eq(a->published, date("2024-01-01T10:00:00Z"));
	ck_assert_str_eq(a->language, "en-gb");
	/* a permalink guid doubles as the link */
	ck_assert_str_eq(b->link, "https://wire.example/world/second");
	ck_assert(b->permalink);
	ck_assert_str_eq(b->author, "Olu Bright");
	ck_assert_int_eq(b->updated, date("2024-01-01T12:30:00Z"));
	ck_assert_int_eq(b->published, WD_NOTIME);
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_reads_atom10)
{
	struct got g = {0};

	parse_file(&g, "atom10-basic.xml", NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(!g.fi.bozo);
	ck_assert_str_eq(g.fi.version, "atom10");
	ck_assert_str_eq(g.fi.title, "Atoll Press");
	ck_assert_str_eq(g.fi.subtitle, "Wire <em>copy</em>");
	ck_assert_str_eq(g.fi.link, "https://news.example/home");
	ck_assert_str_eq(g.fi.language, "en");
	ck_assert_uint_eq(g.n, 1);
	struct got_item *e = &g.items[0];

	ck_assert_str_eq(e->title, "Reef <b>survey</b> published");
	ck_assert_str_eq(e->link, "https://news.example/base/stories/reef");
	ck_assert_str_eq(e->enc0, "https://news.example/base/audio/reef.mp3");
	ck_assert_str_eq(e->id, "urn:example:atoll:1");
	ck_assert_str_eq(e->author, "Ina Kove");
	ck_assert_str_eq(e->cat0, "Science");
	ck_assert_str_eq(e->summary, "Divers counted fish.");
	ck_assert_str_eq(e->content,
			 "<p>Divers <a "
			 "href=\"https://news.example/base/fish.html\">"
			 "counted</a> fish.<br /></p>");
	ck_assert_int_eq(e->published, date("2024-02-01T06:00:00Z"));
	ck_assert_int_eq(e->updated, date("2024-02-02T09:00:00Z"));
	ck_assert_str_eq(e->language, "en");
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_reads_syndication_period)
{
	struct got g = {0};

	parse_file(&g, "rss10-rdf.xml", NULL);
	ck_assert_int_eq(g.rc, 0);
	/* hourly, twice: every 30 minutes */
	ck_assert_int_eq(g.fi.update_period, 1800);
	ck_assert_str_eq(g.fi.language, "th");
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_recovers_html_entities)
{
	struct got g = {0};

	parse_file(&g, "rss-html-entities.xml", NULL);
	ck_assert_int_eq(g.rc, 0);
	/* undeclared entities are not well-formed XML, though recovered */
	ck_assert(g.fi.bozo);
	ck_assert_str_eq(g.fi.bozo_msg, "undeclared entity &eacute;");
	ck_assert_str_eq(g.fi.title, "Caf\xc3\xa9 & cr\xc3\xa8me \xc2\xa0"
				     "\xe2\x80\xa6");
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.items[0].title, "Na\xc3\xafve &unknownent; test");
	ck_assert_str_eq(g.items[0].summary, "caf\xc3\xa9");
	got_free(&g);
}
END_TEST

/* doc reads with feed title title and one item titled item; bozo_msg is
 * the problem named, or NULL not to check it. */
static void
assert_entities_read(const char *doc, const char *bozo_msg,
		     const char *title, const char *item)
{
	struct got g = {0};

	parse_mem(&g, doc, strlen(doc), NULL);
	ck_assert_int_eq(g.rc, 0);
	if (bozo_msg)
		ck_assert_str_eq(g.fi.bozo_msg, bozo_msg);
	ck_assert_str_eq(g.fi.title, title);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.items[0].title, item);
	got_free(&g);
}

START_TEST(parse_feed_reads_entities_declared_after_a_parameter_entity)
{
	/* a DOCTYPE whose internal subset uses a parameter entity: the
	 * declarations after it still count */
	assert_entities_read(
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	    "<!ENTITY % lat1 SYSTEM \"http://example.com/lat1.ent\">\n"
	    "%lat1;\n<!ENTITY site \"Harbour Post\">\n]>\n"
	    "<rss version=\"2.0\"><channel><title>&site; &eacute;</title>"
	    "<item><title>One &site;</title></item></channel></rss>",
	    NULL, "Harbour Post \xc3\xa9", "One Harbour Post");
}
END_TEST

START_TEST(parse_feed_recovers_entities_after_comments_and_pis)
{
	/* no DOCTYPE (one in a comment does not count): undeclared
	 * entities are still recovered */
	assert_entities_read(
	    "<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"s.xsl\"?>\n"
	    "<!-- <!DOCTYPE x> -->\n<rss version=\"2.0\"><channel>"
	    "<title>Caf&eacute;</title><item><title>One &amp; &eacute;"
	    "</title></item></channel></rss>",
	    "undeclared entity &eacute;", "Caf\xc3\xa9", "One & \xc3\xa9");
}
END_TEST

static bool
same_str(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* g and h read the same document the same way. */
static void
assert_same_got(const struct got *g, const struct got *h, const char *what)
{
	ck_assert_msg(g->rc == h->rc && g->n == h->n &&
			      g->fi.bozo == h->fi.bozo &&
			      same_str(g->fi.bozo_msg, h->fi.bozo_msg) &&
			      same_str(g->fi.title, h->fi.title) &&
			      same_str(g->fi.link, h->fi.link),
		      "%s: the feed differs with a reused parser", what);
	for (size_t i = 0; i < g->n && i < MAX_ITEMS; i++) {
		const struct got_item *x = &g->items[i], *y = &h->items[i];

		ck_assert_msg(same_str(x->id, y->id) &&
				      same_str(x->title, y->title) &&
				      same_str(x->link, y->link) &&
				      same_str(x->summary, y->summary) &&
				      same_str(x->content, y->content) &&
				      same_str(x->author, y->author) &&
				      x->published == y->published &&
				      x->updated == y->updated,
			      "%s: item %zu differs with a reused parser",
			      what, i);
	}
}

/* One parser reset for each document reads every document as a new
 * parser does: nothing carries over, neither a DOCTYPE's entities, nor
 * the settings for one, nor an error or a stop. */
START_TEST(parse_feed_with_a_reused_parser_reads_each_document_afresh)
{
	static const char *const docs[] = {
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	    "<!ENTITY % lat1 SYSTEM \"http://example.com/lat1.ent\">\n"
	    "%lat1;\n<!ENTITY site \"Harbour Post\">\n]>\n"
	    "<rss version=\"2.0\"><channel><title>&site; &eacute;</title>"
	    "<item><title>One &site;</title></item></channel></rss>",
	    /* the entity the last document declared is unknown here */
	    "<rss version=\"2.0\"><channel><title>&site;</title>"
	    "<item><title>Two &site; &eacute;</title></item></channel></rss>",
	    /* stopped by the callback after one item */
	    "<rss version=\"2.0\"><channel><item><title>A</title></item>"
	    "<item><title>B</title></item></channel></rss>",
	    "<rss version=\"2.0\"><channel><item><title>Cut",
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base="
	    "\"http://a.example/x/\"><title>Atom</title><entry><id>e1</id>"
	    "<title type=\"html\">&lt;b&gt;Bold&lt;/b&gt;</title>"
	    "<link href=\"story\"/></entry></feed>",
	    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
	    " xmlns=\"http://purl.org/rss/1.0/\"><channel><title>RDF</title>"
	    "</channel><item><title>R</title><link>http://r.example/</link>"
	    "</item></rdf:RDF>",
	};
	struct parse_opts reused = {.reuse = parse_reuse_new()};

	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
			struct got *g = xcalloc(1, sizeof(*g));
			struct got *h = xcalloc(1, sizeof(*h));

			g->stop_after = h->stop_after = i == 2 ? 1 : 0;
			parse_mem(g, docs[i], strlen(docs[i]), NULL);
			parse_mem(h, docs[i], strlen(docs[i]), &reused);
			assert_same_got(g, h, docs[i]);
			got_free(g);
			got_free(h);
			free(g);
			free(h);
		}
	}
	/* and every fixture, in turn */
	DIR *dir = opendir(TEST_DATA_DIR "/feeds");
	struct dirent *e;
	int nfiles = 0;

	ck_assert_ptr_nonnull(dir);
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		struct got *g = xcalloc(1, sizeof(*g));
		struct got *h = xcalloc(1, sizeof(*h));

		parse_file(g, e->d_name, NULL);
		parse_file(h, e->d_name, &reused);
		assert_same_got(g, h, e->d_name);
		got_free(g);
		got_free(h);
		free(g);
		free(h);
		nfiles++;
	}
	closedir(dir);
	ck_assert_int_ge(nfiles, 20);
	parse_reuse_free(reused.reuse);
}
END_TEST

START_TEST(parse_feed_keeps_items_before_truncation)
{
	struct got g = {0};

	parse_file(&g, "rss-truncated.xml", NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(g.fi.bozo);
	ck_assert_ptr_nonnull(g.fi.bozo_msg);
	ck_assert_str_eq(g.fi.title, "Cut off");
	ck_assert_uint_ge(g.n, 2);
	ck_assert_str_eq(g.items[0].title, "One");
	ck_assert_str_eq(g.items[1].title, "Two");
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_rejects_html_page)
{
	struct got g = {0};

	parse_file(&g, "html-page.xml", NULL);
	ck_assert_int_eq(g.rc, WD_EPARSE);
	ck_assert(g.fi.bozo);
	ck_assert_ptr_nonnull(g.fi.bozo_msg);
	ck_assert_uint_eq(g.n, 0);
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_names_the_feed_an_html_page_links)
{
	struct got g = {0};
	struct parse_opts o = {.url = "https://wire.example/world/"};

	parse_file(&g, "html-page-with-feed-link.html", &o);
	ck_assert_int_eq(g.rc, WD_EPARSE);
	ck_assert(g.fi.bozo);
	ck_assert_str_eq(g.fi.bozo_msg,
			 "not a feed: an HTML page (it names the feed "
			 "https://wire.example/feeds/world.xml)");
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_matches_element_names_in_any_case)
{
	/* names differing from known ones by a letter's case match them;
	 * names one byte longer or shorter, or with a non-letter where a
	 * letter would be, do not */
	static const char doc[] =
	    "<?xml version=\"1.0\"?><RSS version=\"2.0\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><CHANNEL>"
	    "<TITLE>Feed</TITLE><ITEM><TitleS>no</TitleS><titl>no</titl>"
	    "<tit\xc3\xa9>no</tit\xc3\xa9><tit_e>no</tit_e>"
	    "<TiTlE>Story</TiTlE><PUBDATE>Tue, 02 Jan 2024 03:04:05 GMT"
	    "</PUBDATE><dc:CREATOR>Jo</dc:CREATOR><Category>World</Category>"
	    "</ITEM></CHANNEL></RSS>";
	struct got g = {0};

	parse_mem(&g, doc, sizeof(doc) - 1, NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(!g.fi.bozo);
	ck_assert_str_eq(g.fi.title, "Feed");
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.items[0].title, "Story");
	ck_assert_str_eq(g.items[0].author, "Jo");
	ck_assert_str_eq(g.items[0].cat0, "World");
	ck_assert_int_eq(g.items[0].published, date("2024-01-02T03:04:05Z"));
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_decodes_latin1_without_its_declared_encoding)
{
	/* (the declaration is dropped while decoding: expat must not see
	 * the old encoding, and nothing around it may change) */
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" "
	    "standalone=\"yes\"?>\n<rss version=\"2.0\"><channel><title>"
	    "Caf\xe9 \xabx\xbb</title></channel></rss>";
	struct got g = {0};

	parse_mem(&g, doc, sizeof(doc) - 1, NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(!g.fi.bozo);
	ck_assert_str_eq(g.fi.encoding, "iso-8859-1");
	ck_assert_str_eq(g.fi.title, "Caf\xc3\xa9 \xc2\xabx\xc2\xbb");
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_ignores_a_malformed_encoding_name)
{
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"iso-8859-\x85"
	    "1\"?><rss version=\"2.0\"><channel><title>"
	    "Ok</title></channel></rss>";
	struct got g = {0};

	parse_mem(&g, doc, sizeof(doc) - 1, NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(g.fi.encoding, "windows-1252");
	ck_assert_str_eq(g.fi.title, "Ok");
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_rejects_empty_input)
{
	struct got g = {0};

	parse_mem(&g, "", 0, NULL);
	ck_assert_int_eq(g.rc, WD_EPARSE);
	ck_assert(g.fi.bozo);
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_stops_when_callback_says_so)
{
	struct got g = {0};

	g.stop_after = 1;
	parse_file(&g, "rss20-basic.xml", NULL);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_uint_eq(g.n, 1);
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_caps_items)
{
	struct got g = {0};
	struct parse_opts o = {.max_items = 1};

	parse_file(&g, "rss20-basic.xml", &o);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_uint_eq(g.n, 1);
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_redecodes_invalid_utf8)
{
	struct got g = {0};

	parse_file(&g, "rss-invalid-utf8.xml", NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(g.fi.bozo);
	ck_assert_str_eq(g.fi.encoding, "windows-1252");
	/* each item once, though the first pass stopped at the bad byte */
	ck_assert_uint_eq(g.n, 2);
	ck_assert_str_eq(g.items[0].title, "First story");
	ck_assert_str_eq(g.items[1].title, "Caf\xc3\xa9 opens");
	got_free(&g);
}
END_TEST

/* Without a declaration or a charset, Cyrillic bytes are guessed
 * (uchardet) when the build has it, else read as windows-1252. */
START_TEST(parse_feed_guesses_undeclared_codepage)
{
	struct got g = {0};

	parse_file(&g, "rss-koi8-r-undeclared.xml", NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(g.fi.bozo);
	ck_assert_uint_eq(g.n, 2);
	if (strcmp(g.fi.encoding, "koi8-r") == 0)
		ck_assert_str_eq(g.items[1].title,
				 "\xd0\xa0\xd1\x8b\xd0\xb1\xd0\xb0\xd0\xba"
				 "\xd0\xb8 \xd0\xb3\xd0\xbe\xd1\x82\xd0\xbe"
				 "\xd0\xb2\xd1\x8f\xd1\x82\xd1\x81\xd1\x8f "
				 "\xd0\xba \xd1\x81\xd0\xb5\xd0\xb7\xd0\xbe"
				 "\xd0\xbd\xd1\x83");
	else
		ck_assert_str_eq(g.fi.encoding, "windows-1252");
	got_free(&g);
}
END_TEST

START_TEST(datefast_parse_agrees_with_wd_date_parse)
{
	static const char *const dates[] = {
	    "Tue, 02 Jan 2024 03:04:05 +0000",
	    "Tue, 02 Jan 2024 03:04:05 GMT",
	    "Wed, 02 Jan 2024 03:04:05 -0130",
	    "Tue, 02 Jan 2024 03:04:05 EST",
	    "Mon, 31 Feb 2024 10:00:00 GMT",
	    "Tue, 02 Jan 2024 23:59:60 GMT",
	    "2024-01-02T03:04:05Z",
	    "2024-01-02t03:04:05z",
	    "2024-01-02T03:04:05.123+05:30",
	    "2024-02-30T00:00:00Z",
	    "1969-12-31T23:59:59Z",
	    "  2024-01-02T03:04:05Z ",
	    "02 Jan 2024",
	    "",
	};

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		size_t n = strlen(dates[i]);

		ck_assert_int_eq(datefast_parse(dates[i], n),
				 wd_date_parse(dates[i], n));
	}
	ck_assert_int_eq(datefast_parse("2024-01-02T03:04:05Z", 20),
			 1704164645);
}
END_TEST

/* One fixture per feature: what the feed and its first item must say.
 * NULL in an expectation means "not checked". */
struct fixture {
	const char *file;
	const char *url; /* document URL, or NULL */
	bool bozo;
	size_t nitems;
	const char *version, *encoding, *feed_title, *feed_link;
	const char *title, *link, *id, *summary, *content, *author, *cat0;
	const char *bozo_has; /* a phrase of the bozo message */
};

static const struct fixture fixtures[] = {
    {.file = "rss10-rdf.xml",
     .nitems = 1,
     .version = "rss10",
     .feed_title = "Reef Bulletin",
     .title = "Harbour closed at dawn",
     .id = "https://reef.example/notice/7",
     .author = "Port Office",
     .cat0 = "Notices"},
    {.file = "atom03-modes.xml",
     .nitems = 1,
     .version = "atom03",
     .title = "Plain <b>bold</b> title",
     .link = "https://old.example/1",
     .summary = "<p>Base sixty-four</p>",
     .content = "<div><p>Inline</p></div>"},
    {.file = "jsonfeed-basic.json",
     .url = "https://lagoon.example/feed",
     .nitems = 2,
     .version = "json11",
     .feed_title = "Lagoon JSON Desk",
     .title = "Boats counted",
     .link = "https://lagoon.example/stories/1",
     .id = "lj-1",
     .content = "<p>Forty boats.</p>",
     .author = "Ana Reef",
     .cat0 = "Harbour"},
    {.file = "rss-xml-base-relative.xml",
     .url = "https://doc.example/f",
     .nitems = 1,
     .feed_link = "https://base.example/desk/front/",
     .link = "https://base.example/world/story-1.html",
     .summary = "<a href=\"https://base.example/world/more.html\">more</a>"
		" <img src=\"https://base.example/img/x.png\"> <a "
		"href=\"https://abs.example/\">abs</a>"},
    {.file = "rss-iso-8859-1.xml",
     .nitems = 1,
     .encoding = "iso-8859-1",
     .feed_title = "Caf\xc3\xa9 Wire",
     /* 0x80 is a C1 control in Latin-1: read as windows-1252's euro */
     .title = "Na\xc3\xafve \xe2\x82\xac sign"},
    {.file = "rss-koi8-r.xml",
     .encoding = "koi8-r",
     .feed_title = "\xd0\x92\xd0\xb5\xd1\x81\xd1\x82\xd0\xb8"},
    {.file = "rss-utf16le-bom.xml",
     .nitems = 1,
     .encoding = "utf-16le",
     .feed_title = "Sixteen \xc3\xa9",
     .title = "One"},
    {.file = "rss-junk-before-declaration.xml",
     .bozo = true,
     .nitems = 1,
     .feed_title = "Junk first",
     .title = "Kept",
     .bozo_has = "before the first tag"},
    {.file = "rss-undeclared-prefix.xml",
     .bozo = true,
     .nitems = 1,
     .title = "Prefixed",
     .author = "Mo Wave",
     .bozo_has = "unbound prefix"},
    {.file = "rss-stray-ampersand.xml",
     .bozo = true,
     .nitems = 2,
     .feed_title = "Fish & Chips Daily",
     .link = "https://amp.example/?a=1&b=2",
     .bozo_has = "bare &"},
    /* more bare '&' than repair passes: one pass fixes them all */
    {.file = "rss-many-bare-ampersands.xml",
     .bozo = true,
     .nitems = 20,
     .feed_title = "Bait & Tackle Weekly",
     .title = "Catch 1: cod & hake, R&D",
     .summary = "<p>x &amp;&amp; y</p>",
     .bozo_has = "bare &"},
    /* raw HTML with <br> and <img> left open, in every item */
    {.file = "rss-raw-html-void-tags.xml",
     .bozo = true,
     .nitems = 20,
     .title = "T1",
     .summary = "<p>Line one<br />Line two<img alt=\"a&gt;b\" "
		"src=\"a.png\" /><br /></p>",
     .bozo_has = "closed HTML empty elements"},
    {.file = "rss-media-itunes.xml",
     .nitems = 1,
     .title = "Media only title",
     .link = "https://pier.example/ep/1",
     .summary = "Episode summary",
     .author = "Host Name",
     .cat0 = "News"},
    {.file = "rss-truncated.xml",
     .bozo = true,
     .nitems = 3,
     .bozo_has = "truncated"},
};

static void
expect_str(const char *what, const char *want, const char *got)
{
	if (!want)
		return;
	ck_assert_msg(got && strcmp(want, got) == 0,
		      "%s: want \"%s\", got \"%s\"", what, want,
		      got ? got : "(null)");
}

START_TEST(parse_feed_reads_fixture)
{
	const struct fixture *fx = &fixtures[_i];
	struct parse_opts o = {.url = fx->url};
	struct got g = {0};

	parse_file(&g, fx->file, &o);
	ck_assert_msg(g.rc == 0, "%s: rc %d", fx->file, g.rc);
	ck_assert_msg(g.fi.bozo == fx->bozo, "%s: bozo %d (%s)", fx->file,
		      g.fi.bozo, g.fi.bozo_msg ? g.fi.bozo_msg : "");
	if (fx->nitems)
		ck_assert_uint_eq(g.n, fx->nitems);
	expect_str("version", fx->version, g.fi.version);
	expect_str("encoding", fx->encoding, g.fi.encoding);
	expect_str("feed title", fx->feed_title, g.fi.title);
	expect_str("feed link", fx->feed_link, g.fi.link);
	if (fx->bozo_has)
		ck_assert_msg(g.fi.bozo_msg &&
				  strstr(g.fi.bozo_msg, fx->bozo_has),
			      "%s: bozo message %s", fx->file,
			      g.fi.bozo_msg ? g.fi.bozo_msg : "(null)");
	if (g.n) {
		struct got_item *it = &g.items[0];

		expect_str("title", fx->title, it->title);
		expect_str("link", fx->link, it->link);
		expect_str("id", fx->id, it->id);
		expect_str("summary", fx->summary, it->summary);
		expect_str("content", fx->content, it->content);
		expect_str("author", fx->author, it->author);
		expect_str("category", fx->cat0, it->cat0);
	}
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_repairs_c1_anywhere_in_a_value)
{
	/* a C1 control (windows-1252 sent as Latin-1) at every place of
	 * values of every length up to 40: the scan for non-ASCII bytes
	 * goes by blocks, words and a last word, so each place differs */
	for (size_t n = 1; n <= 40; n++) {
		for (size_t p = 0; p < n; p++) {
			char title[64], want[64], doc[256];

			memset(title, 'a', n + 1);
			memcpy(title + p, "\xc2\x93", 2); /* U+0093 */
			title[n + 1] = '\0';
			memset(want, 'a', n + 2);
			memcpy(want + p, "\xe2\x80\x9c", 3); /* U+201C */
			want[n + 2] = '\0';
			int len =
			    snprintf(doc, sizeof(doc),
				     "<rss version=\"2.0\"><channel><item>"
				     "<title>%s</title></item></channel>"
				     "</rss>",
				     title);

			ck_assert(len > 0 && (size_t)len < sizeof(doc));
			struct got g = {0};

			parse_mem(&g, doc, (size_t)len, NULL);
			ck_assert_uint_eq(g.n, 1);
			ck_assert_str_eq(g.items[0].title, want);
			got_free(&g);
		}
	}
}
END_TEST

START_TEST(parse_feed_cuts_huge_fields)
{
	struct buf b;
	struct got g = {0};

	buf_init(&b, 16 * 1024 * 1024);
	buf_puts(&b, "<rss version=\"2.0\"><channel><item><title>Big</title>"
		     "<description>");
	char kib[1025];

	memset(kib, 'x', 1024);
	kib[1024] = '\0';
	for (int i = 0; i < 5 * 1024; i++)
		buf_puts(&b, kib);
	buf_puts(&b, "</description></item></channel></rss>");
	parse_mem(&g, buf_str(&b), b.len, NULL);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert(g.fi.bozo);
	ck_assert_ptr_nonnull(strstr(g.fi.bozo_msg, "cut"));
	ck_assert_uint_le(strlen(g.items[0].summary), 4 * 1024 * 1024);
	got_free(&g);
	buf_free(&b);
}
END_TEST

/* ---- HTTP headers: Content-Location and Content-Language ---- */

START_TEST(parse_feed_resolves_links_against_content_location)
{
	/* a relative Content-Location is read against the document URL */
	struct parse_opts o = {.url = "https://cdn.example/a/feed.xml",
			       .content_location = "/desk/feed.xml"};
	struct got g = {0};

	parse_file(&g, "rss-relative-no-language.xml", &o);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(g.fi.link, "https://cdn.example/desk/front/");
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.items[0].link,
			 "https://cdn.example/desk/stories/bridge.html");
	ck_assert_str_eq(g.items[0].summary,
			 "<a href=\"https://cdn.example/maps/bridge.png\">"
			 "map</a>");
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_takes_content_language_when_document_has_none)
{
	struct parse_opts o = {.content_language = "fr-ca"};
	struct got g = {0};

	parse_file(&g, "rss-relative-no-language.xml", &o);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(g.fi.language, "fr-ca");
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.items[0].language, "fr-ca");
	got_free(&g);
}
END_TEST

START_TEST(parse_jsonfeed_takes_content_location_and_language)
{
	struct parse_opts o = {
	    .url = "https://cdn.example/a/feed.json",
	    .content_location = "https://cdn.example/desk/feed.json",
	    .content_language = "fr-ca",
	};
	struct got g = {0};

	parse_file(&g, "jsonfeed-relative-no-language.json", &o);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(g.fi.link, "https://cdn.example/desk/front/");
	ck_assert_str_eq(g.fi.language, "fr-ca");
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.items[0].link,
			 "https://cdn.example/desk/stories/bridge.html");
	ck_assert_str_eq(g.items[0].language, "fr-ca");
	got_free(&g);
	/* the feed's own "language" wins */
	memset(&g, 0, sizeof(g));
	parse_file(&g, "jsonfeed-basic.json", &o);
	ck_assert_str_eq(g.fi.language, "en");
	got_free(&g);
}
END_TEST

START_TEST(parse_feed_document_language_beats_content_language)
{
	struct parse_opts o = {.content_language = "fr-ca"};
	struct got g = {0};

	/* <language> */
	parse_file(&g, "rss20-basic.xml", &o);
	ck_assert_str_eq(g.fi.language, "en-gb");
	ck_assert_str_eq(g.items[0].language, "en-gb");
	got_free(&g);
	/* xml:lang on the root */
	memset(&g, 0, sizeof(g));
	parse_file(&g, "atom10-basic.xml", &o);
	ck_assert_str_eq(g.fi.language, "en");
	ck_assert_str_eq(g.items[0].language, "en");
	got_free(&g);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("formats");

	tcase_add_test(tc, parse_feed_reads_rss20);
	tcase_add_test(tc, parse_feed_reads_atom10);
	tcase_add_test(tc, parse_feed_reads_syndication_period);
	tcase_add_test(tc, parse_feed_matches_element_names_in_any_case);
	tcase_add_test(tc,
		       parse_feed_decodes_latin1_without_its_declared_encoding);
	tcase_add_test(tc, datefast_parse_agrees_with_wd_date_parse);
	suite_add_tcase(s, tc);
	tc = tcase_create("recovery");
	tcase_add_test(tc, parse_feed_recovers_html_entities);
	tcase_add_test(
	    tc, parse_feed_reads_entities_declared_after_a_parameter_entity);
	tcase_add_test(tc, parse_feed_recovers_entities_after_comments_and_pis);
	tcase_add_test(tc, parse_feed_keeps_items_before_truncation);
	tcase_add_test(tc, parse_feed_rejects_html_page);
	tcase_add_test(tc, parse_feed_rejects_empty_input);
	tcase_add_test(tc, parse_feed_ignores_a_malformed_encoding_name);
	tcase_add_test(tc, parse_feed_names_the_feed_an_html_page_links);
	tcase_add_test(tc, parse_feed_redecodes_invalid_utf8);
	tcase_add_test(tc, parse_feed_guesses_undeclared_codepage);
	tcase_add_test(tc, parse_feed_repairs_c1_anywhere_in_a_value);
	suite_add_tcase(s, tc);
	tc = tcase_create("fixtures");
	tcase_add_loop_test(tc, parse_feed_reads_fixture, 0,
			    (int)(sizeof(fixtures) / sizeof(fixtures[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, parse_feed_cuts_huge_fields);
	tcase_add_test(tc, parse_feed_stops_when_callback_says_so);
	tcase_add_test(tc, parse_feed_caps_items);
	suite_add_tcase(s, tc);
	tc = tcase_create("http headers");
	tcase_add_test(tc, parse_feed_resolves_links_against_content_location);
	tcase_add_test(
	    tc, parse_feed_takes_content_language_when_document_has_none);
	tcase_add_test(tc, parse_feed_document_language_beats_content_language);
	tcase_add_test(tc, parse_jsonfeed_takes_content_location_and_language);
	tcase_add_test(tc,
		       parse_feed_with_a_reused_parser_reads_each_document_afresh);
	suite_add_tcase(s, tc);
	return s;
}
