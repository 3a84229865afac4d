#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/test_output_readers.py: what we write, read back by others. The
# output-render suite writes its sample audience (tests/test_render.c) into
# a temporary folder; python3-feedparser must read exactly our items (ids,
# titles, links, dates, credits) without bozo, xmllint must find the XML
# well-formed, the JSON Feed (feedparser 6.0 does not read it) must carry every field the 1.1 spec requires,
# and the HTML page must hold every item and no script; sfeed must read the
# same items from RSS and Atom. When the shared
# validate_feed.sh is next to the checkout it runs too.
import calendar
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def find_render_test():
    cands = []
    wd = os.environ.get("WIREDESK")
    if wd:  # the binary sits in the build root or one folder below it
        for root in (os.path.dirname(wd), os.path.dirname(os.path.dirname(wd))):
            cands.append(os.path.join(root, "tests", "test-output-render"))
    cands.append(os.path.join(os.getcwd(), "tests", "test-output-render"))
    for c in cands:
        if os.access(c, os.X_OK):
            return c
    return None


# What tests/test_render.c puts in: (guid, title, link, published UTC).
EXPECTED = [
    ("wd-s0a1", "UPDATE 1-Flood waters recede in river delta",
     "https://wire.example.com/world/flood-1", "2025-11-26T07:20:00Z",
     "Reuters"),
    ("wd-s0b2", 'Stocks < forecast as AT&T "slips"',
     "https://ap.example.net/markets/1", "2025-11-25T06:10:00Z", "AP"),
    ("wd-s0c3", "Harbour reopens after storm",
     "https://regional.example.com/harbour", "2025-11-24T16:16:40Z",
     "Regional Desk"),
]


def epoch(iso):
    return calendar.timegm(
        __import__("time").strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def check_feedparser(path, fmt):
    import feedparser
    feedparser.api.PREFERRED_XML_PARSERS[:] = []  # expat, as the product
    d = feedparser.parse(path)
    check(not d.bozo, "%s: bozo %r" % (fmt, d.get("bozo_exception")))
    check(d.version == fmt, "%s: version %r" % (fmt, d.version))
    check(d.feed.get("title") == "Phuket Media Watch",
          "%s: feed title %r" % (fmt, d.feed.get("title")))
    check(len(d.entries) == len(EXPECTED),
          "%s: %d entries" % (fmt, len(d.entries)))
    for e, (guid, title, link, pub, source) in zip(d.entries, EXPECTED):
        want_id = guid if fmt == "rss20" else "urn:wiredesk:" + guid
        check(e.get("id") == want_id, "%s: id %r" % (fmt, e.get("id")))
        check(e.get("title") == title,
              "%s: title %r != %r" % (fmt, e.get("title"), title))
        check(e.get("link") == link, "%s: link %r" % (fmt, e.get("link")))
        pp = e.get("published_parsed")
        check(pp is not None and calendar.timegm(pp) == epoch(pub),
              "%s: %s published %r" % (fmt, guid, e.get("published")))
        # the wire's credit: RSS <source> text, Atom <source><rights>
        src = e.get("source", {})
        got = src.get("title") if fmt == "rss20" else src.get("rights")
        check(got == source, "%s: %s source %r" % (fmt, guid, src))
        body = (e.get("summary") or "") + "".join(
            c.value for c in e.get("content", []))
        check(source + " / Phuket Gazette" in body,
              "%s: %s credit line missing" % (fmt, guid))
        check("<script" not in body.lower(), "%s: script in body" % fmt)
    first = d.entries[0]
    check(first.get("author") == "Jane Example",
          "%s: author %r" % (fmt, first.get("author")))
    terms = [t.get("term") for t in first.get("tags", [])]
    check(terms == ["World News", "Asia", "World"],
          "%s: tags %r" % (fmt, terms))
    body = first.get("summary", "") + "".join(
        c.value for c in first.get("content", []))
    check("Also reported by" in body and ">AP<" in body and ">AFP<" in body,
          "%s: also-reported line" % fmt)


def check_json(path):
    with open(path, encoding="utf-8") as f:
        feed = json.load(f)
    check(feed.get("version") == "https://jsonfeed.org/version/1.1",
          "json: version")
    check(isinstance(feed.get("title"), str) and feed["title"],
          "json: title is required")
    check(isinstance(feed.get("items"), list), "json: items is required")
    items = feed.get("items", [])
    check(len(items) == len(EXPECTED), "json: %d items" % len(items))
    for it, (guid, title, link, pub, source) in zip(items, EXPECTED):
        check(it.get("id") == guid, "json: id %r" % it.get("id"))
        check("content_html" in it or "content_text" in it,
              "json: %s has no content" % guid)
        check(it.get("title") == title, "json: title %r" % it.get("title"))
        check(it.get("external_url") == link,
              "json: external_url %r" % it.get("external_url"))
        check(it.get("url", "").endswith("international.html#story-" +
                                         guid[3:]),
              "json: url %r" % it.get("url"))
        check(it.get("date_published") == pub,
              "json: date_published %r" % it.get("date_published"))
        ext = it.get("_wiredesk", {})
        check(ext.get("source") == source, "json: _wiredesk.source")
        check(ext.get("credit") == source + " / Phuket Gazette",
              "json: _wiredesk.credit %r" % ext.get("credit"))
        for a in it.get("authors", []):
            check(isinstance(a.get("name"), str), "json: author name")
    also = [a["source"] for a in items[0].get("_wiredesk", {}).get("also", [])]
    check(also == ["AP", "AFP"], "json: also %r" % also)


class PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.articles = []
        self.scripts = 0
        self.handlers = []
        self.csp = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self.articles.append(a.get("id"))
        if tag == "script":
            self.scripts += 1
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content")
        self.handlers += [k for k in a if k.startswith("on")]


def check_sfeed(path, fmt):
    """sfeed (a real reader, Debian package sfeed) turns the feed into its
    TSV: UNIX time, title, link, content, content-type, id, author,
    enclosure, categories; one line per item, in order."""
    with open(path, "rb") as f:
        r = subprocess.run(["sfeed"], stdin=f, capture_output=True,
                           timeout=60)
    check(r.returncode == 0, "sfeed %s: exit %d" % (fmt, r.returncode))
    rows = [l.split("\t") for l in r.stdout.decode("utf-8").splitlines()]
    check(len(rows) == len(EXPECTED), "sfeed %s: %d items" % (fmt, len(rows)))
    for row, (guid, title, link, pub, source) in zip(rows, EXPECTED):
        check(len(row) >= 6, "sfeed %s: %d fields" % (fmt, len(row)))
        if len(row) < 6:
            continue
        want_id = guid if fmt == "rss" else "urn:wiredesk:" + guid
        check(row[0] == str(epoch(pub)), "sfeed %s: %s time %r" % (fmt, guid, row[0]))
        check(row[1] == title, "sfeed %s: title %r != %r" % (fmt, row[1], title))
        check(row[2] == link, "sfeed %s: link %r" % (fmt, row[2]))
        check(row[5] == want_id, "sfeed %s: id %r" % (fmt, row[5]))


def check_html(path):
    p = PageParser()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    check(p.articles == ["story-" + g[3:] for g, *_ in EXPECTED],
          "html: articles %r" % p.articles)
    check(p.scripts == 0, "html: %d script elements" % p.scripts)
    check(not p.handlers, "html: handlers %r" % p.handlers)
    check(p.csp and "default-src 'none'" in p.csp and
          "script-src" not in p.csp, "html: CSP %r" % p.csp)


def main():
    exe = find_render_test()
    if not exe:
        print("test-output-render not built; skipping")
        return SKIP
    try:
        import feedparser  # noqa: F401
    except ImportError:
        print("python3-feedparser missing; skipping")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="wd-readers.")
    try:
        env = dict(os.environ, WD_RENDER_OUT=tmp, CK_RUN_CASE="files")
        r = subprocess.run([exe], env=env, capture_output=True, text=True,
                           timeout=120)
        check(r.returncode == 0, "render test failed: " + r.stdout + r.stderr)
        base = os.path.join(tmp, "international")
        for ext in (".rss", ".atom", ".json", ".html"):
            check(os.path.exists(base + ext), "no " + ext + " written")
        if failures:
            return 1
        xmllint = shutil.which("xmllint")
        for ext in (".rss", ".atom"):
            if xmllint:
                r = subprocess.run([xmllint, "--noout", "--nonet", base + ext],
                                   capture_output=True, text=True)
                check(r.returncode == 0, "xmllint %s: %s" % (ext, r.stderr))
        if shutil.which("sfeed"):
            check_sfeed(base + ".rss", "rss")
            check_sfeed(base + ".atom", "atom")
        else:
            check(not os.environ.get("CI_REQUIRE_READERS"),
                  "sfeed missing (Debian package sfeed)")
        check_feedparser(base + ".rss", "rss20")
        check_feedparser(base + ".atom", "atom10")
        check_json(base + ".json")
        check_html(base + ".html")
        src = os.environ.get("SOURCE_ROOT", "")
        validate = os.path.join(src, "..", "shared", "tools",
                                "validate_feed.sh")
        if src and os.path.exists(validate):
            for ext in (".rss", ".atom"):
                r = subprocess.run(["bash", validate, base + ext],
                                   capture_output=True, text=True,
                                   timeout=300)
                print(r.stdout, end="")
                check(r.returncode == 0, "validate_feed.sh " + ext)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
