#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/test_pipeline.py: the real wiredesk binary over the bundled demo and
over a real HTTP server on 127.0.0.1, in a temporary folder with a real
SQLite file; outputs read back by python3-feedparser and xmllint."""
import fcntl
import functools
import http.server
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse

WD = os.environ.get("WIREDESK")
SRC = os.environ.get("SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
NOW = "2026-11-26T12:00:00Z"

try:
    import feedparser
except ImportError:  # the test's point needs a real reader
    feedparser = None


def run(args, cwd=None, env_extra=None, timeout=120):
    env = dict(os.environ)
    env["WIREDESK_NOW"] = NOW
    if env_extra:
        env.update(env_extra)
    return subprocess.run([WD] + args, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


class Demo(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wd-pipeline-")
        shutil.copytree(os.path.join(SRC, "examples"), self.tmp,
                        dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("public", "state"))
        self.cfg = os.path.join(self.tmp, "wiredesk.yaml")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def out(self, ext):
        return os.path.join(self.tmp, "public", "international." + ext)

    def test_demo_run_writes_valid_feeds_quietly(self):
        r = run(["-c", self.cfg, "run"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        for ext in ("rss", "atom"):
            path = self.out(ext)
            self.assertTrue(os.path.exists(path), path)
            x = subprocess.run(["xmllint", "--noout", path],
                               capture_output=True, text=True)
            self.assertEqual(x.returncode, 0, x.stderr)
            if feedparser:
                d = feedparser.parse(path)
                self.assertFalse(d.bozo, d.get("bozo_exception"))
                self.assertGreater(len(d.entries), 10)
                ids = [e.id for e in d.entries]
                self.assertEqual(len(ids), len(set(ids)))
                for e in d.entries:
                    self.assertTrue(e.id.startswith("urn:wiredesk:story:"))
                    self.assertTrue(e.title)
                    self.assertTrue(e.link.startswith("https://"))
                    self.assertIn("Phuket Gazette", e.get("summary", "") +
                                  e.get("content", [{}])[0].get("value", ""))
        # Our own parser reads back the same items.
        r = run(["parse", "--json", self.out("rss")])
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = json.loads(r.stdout)
        if feedparser:
            d = feedparser.parse(self.out("rss"))
            self.assertEqual([e["id"] for e in mine["entries"]],
                             [e.id for e in d.entries])
            self.assertEqual([e["title"] for e in mine["entries"]],
                             [e.title for e in d.entries])
        # JSON Feed 1.1: the fields the spec requires, same items.
        with open(self.out("json"), encoding="utf-8") as f:
            jf = json.load(f)
        self.assertEqual(jf["version"], "https://jsonfeed.org/version/1.1")
        self.assertEqual(jf["title"], "Phuket Media Watch")
        self.assertEqual([i["id"] for i in jf["items"]],
                         [e["id"] for e in mine["entries"]])
        for i in jf["items"]:
            self.assertTrue(i.get("content_html") or i.get("content_text"))
        # The HTML page lists every item, with no script at all.
        with open(self.out("html"), encoding="utf-8") as f:
            page = f.read()
        self.assertNotIn("<script", page.lower())
        for e in mine["entries"]:
            self.assertIn(e["link"].replace("&", "&amp;"), page)
        # Machine-form credit in RSS.
        with open(self.out("rss"), encoding="utf-8") as f:
            rss = f.read()
        self.assertIn('<source url="', rss)
        self.assertIn(">Reuters</source>", rss)

    def test_second_run_rewrites_nothing(self):
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        before = {}
        for ext in ("rss", "atom", "json", "html"):
            st = os.stat(self.out(ext))
            with open(self.out(ext), "rb") as f:
                before[ext] = (st.st_mtime_ns, st.st_ino, f.read())
        r = run(["-c", self.cfg, "run", "--force"],
                env_extra={"WIREDESK_NOW": "2026-11-26T12:30:00Z"})
        self.assertEqual(r.returncode, 0, r.stderr)
        for ext in ("rss", "atom", "json", "html"):
            st = os.stat(self.out(ext))
            with open(self.out(ext), "rb") as f:
                self.assertEqual((st.st_mtime_ns, st.st_ino, f.read()),
                                 before[ext], ext)

    def test_run_publishes_only_when_something_changed(self):
        with open(self.cfg, "a") as f:
            f.write("republish: 1h\n")
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        def tamper():
            with open(self.out("rss"), "w") as f:
                f.write("stale")
        def stale():
            with open(self.out("rss")) as f:
                return f.read() == "stale"
        def at(hhmm):
            return {"WIREDESK_NOW": "2026-11-26T%s:00Z" % hhmm}
        # Nothing due, nothing changed: the outputs are left alone.
        tamper()
        r = run(["-c", self.cfg, "run"], env_extra=at("12:01"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(stale())
        # An edited audience file, a pick, a missing output and `publish`
        # each make a run publish.
        aud = os.path.join(self.tmp, "selections", "international.yaml")
        with open(aud, "a") as f:
            f.write("# edited\n")
        self.assertEqual(run(["-c", self.cfg, "run"], env_extra=at("12:02")).returncode, 0)
        self.assertFalse(stale())
        tamper()
        stories = json.loads(run(["-c", self.cfg, "stories", "--json"]).stdout)["stories"]
        self.assertEqual(run(["-c", self.cfg, "pick", "international", stories[-1]["id"]]).returncode, 0)
        self.assertEqual(run(["-c", self.cfg, "run"], env_extra=at("12:03")).returncode, 0)
        self.assertFalse(stale())
        tamper()
        self.assertEqual(run(["-c", self.cfg, "run"], env_extra=at("12:04")).returncode, 0)
        self.assertTrue(stale())
        os.unlink(self.out("json"))
        self.assertEqual(run(["-c", self.cfg, "run"], env_extra=at("12:05")).returncode, 0)
        self.assertFalse(stale())
        self.assertTrue(os.path.exists(self.out("json")))
        tamper()
        self.assertEqual(run(["-c", self.cfg, "publish"], env_extra=at("12:06")).returncode, 0)
        self.assertFalse(stale())
        # A new item in a feed: the run that ingests it publishes it.
        feed = os.path.join(self.tmp, "feeds", "reuters-world.xml")
        with open(feed, encoding="utf-8") as f:
            xml = f.read()
        item = ("<item><title>Phuket airport opens a new terminal</title>"
                "<link>https://example.org/phuket-terminal</link>"
                "<guid>phuket-terminal-1</guid>"
                "<pubDate>Thu, 26 Nov 2026 12:20:00 GMT</pubDate>"
                "<description>Phuket International Airport opened its new "
                "international terminal on Thursday.</description></item>")
        with open(feed, "w", encoding="utf-8") as f:
            f.write(xml.replace("<item>", item + "<item>", 1))
        tamper()
        r = run(["-c", self.cfg, "run"], env_extra=at("12:40"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(stale())
        r = run(["-c", self.cfg, "stories", "--json"])
        self.assertIn("Phuket airport opens a new terminal", r.stdout)
        # Feeds polled again but unchanged: nothing to publish ...
        tamper()
        self.assertEqual(run(["-c", self.cfg, "run"], env_extra=at("13:30")).returncode, 0)
        self.assertTrue(stale())
        # ... until `republish` (1h) after the last publication.
        self.assertEqual(run(["-c", self.cfg, "run"], env_extra=at("13:41")).returncode, 0)
        self.assertFalse(stale())

    def test_items_are_archived_once(self):
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        self.assertEqual(run(["-c", self.cfg, "run", "--force"]).returncode, 0)
        db = sqlite3.connect(os.path.join(self.tmp, "state", "wiredesk.db"))
        n, distinct = db.execute(
            "SELECT count(*), count(DISTINCT feed_id || key) FROM items").fetchone()
        self.assertEqual(n, distinct)
        self.assertGreaterEqual(n, 60)
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        db.close()

    def test_stories_fold_versions_and_rewrites_not_lookalikes(self):
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        r = run(["-c", self.cfg, "stories", "--json"])
        self.assertEqual(r.returncode, 0, r.stderr)
        stories = json.loads(r.stdout)["stories"]
        where = {}
        for s in stories:
            for it in s["items"]:
                for k in ("feed", "id", "title", "link", "published", "reason", "score"):
                    self.assertIn(k, it)
                where[(it["feed"], it["title"])] = s["id"]
        def same(a, b):
            return where[a] == where[b]
        china = ("reuters-world", "China summons U.S. ambassador over hacking charges")
        # Wire versions fold into one story.
        self.assertTrue(same(china, ("reuters-world", "UPDATE 1-China summons U.S. ambassador over hacking charges")))
        self.assertTrue(same(china, ("reuters-world", "UPDATE 2-China summons U.S. ambassador over hacking charges")))
        self.assertTrue(same(("reuters-world", "Kenya's central bank cuts key rate by 50 basis points"),
                             ("reuters-world", "CORRECTED-Kenya's central bank cuts key rate by 50 basis points")))
        # Another wire's rewrite joins it.
        self.assertTrue(same(china, ("ap-top", "China summons U.S. envoy after cyber-spying indictment")))
        floods = ("reuters-world", "Floods kill 12 in southern Thailand")
        self.assertTrue(same(floods, ("ap-top", "Flooding in southern Thailand leaves 12 dead, tens of thousands displaced")))
        # Look-alikes stay apart: another country and toll, another day.
        self.assertFalse(same(floods, ("asia-regional", "Floods kill 31 in central Vietnam")))
        self.assertFalse(same(("asia-regional", "Thai stocks close higher as banks gain"),
                              ("asia-regional", "Thai stocks close higher as energy shares gain")))
        self.assertFalse(same(china, ("asia-regional", "China summons Philippine ambassador over South China Sea collision")))
        self.assertFalse(same(("reuters-world", "Earthquake of magnitude 6.1 strikes off Sumatra, no tsunami warning"),
                              ("asia-regional", "Earthquake of magnitude 5.2 strikes off Mindanao")))
        # The feed shows the story once, under its newest headline without
        # the version prefix, crediting the other wire.
        with open(self.out("rss"), encoding="utf-8") as f:
            rss = f.read()
        self.assertEqual(rss.count("China summons U.S. ambassador over hacking charges</title>"), 1)
        self.assertNotIn("UPDATE 2-China", rss)
        self.assertNotIn("China summons U.S. envoy after cyber-spying indictment</title>", rss)

    def test_explain_agrees_with_the_published_feed(self):
        # explain judges the window story by story, as a run does, and
        # shows each story under the headline and credit the feed shows.
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        r = run(["-c", self.cfg, "explain", "international", "--json"])
        self.assertEqual(r.returncode, 0, r.stderr)
        ex = json.loads(r.stdout)
        stories = ex["stories"]
        self.assertEqual(len(stories), ex["candidates"])
        self.assertEqual(sum(1 for s in stories if s["in"]), ex["selected"])
        for s in stories:
            self.assertTrue(s["title"], s)
            self.assertTrue(s["source"], s)
        with open(self.out("rss"), encoding="utf-8") as f:
            titles = {html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", f.read())}
        shown = [s for s in stories if s["in"]]
        self.assertGreater(len(shown), 0)
        for s in shown:
            self.assertIn(s["title"], titles)
        china = [s for s in stories if "China summons U.S." in s["title"]]
        self.assertEqual([s["title"] for s in china],
                         ["China summons U.S. ambassador over hacking charges"])
        self.assertEqual(china[0]["source"], "Reuters")

    def test_pick_and_block_win_over_rules(self):
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        stories = json.loads(run(["-c", self.cfg, "stories", "--json"]).stdout)["stories"]
        key = {s["title"]: s["id"] for s in stories}
        sport = key["Italy beats Spain to reach Davis Cup final"]
        landslide = key["Landslide in eastern Uganda kills 9 after days of heavy rain"]
        self.assertEqual(run(["-c", self.cfg, "pick", "international", sport,
                              "--note", "local player", "--by", "ed"]).returncode, 0)
        self.assertEqual(run(["-c", self.cfg, "block", "international", landslide]).returncode, 0)
        self.assertEqual(run(["-c", self.cfg, "publish"]).returncode, 0)
        with open(self.out("rss"), encoding="utf-8") as f:
            rss = f.read()
        self.assertIn("Italy beats Spain", rss)
        self.assertNotIn("Landslide in eastern Uganda", rss)
        ex = json.loads(run(["-c", self.cfg, "explain", "international", sport, "--json"]).stdout)
        self.assertIn("pick", json.dumps(ex).lower())
        # An expired pick drops out on its own.
        self.assertEqual(run(["-c", self.cfg, "pick", "international", sport,
                              "--until", "2026-11-26T12:10:00Z"]).returncode, 0)
        r = run(["-c", self.cfg, "publish"], env_extra={"WIREDESK_NOW": "2026-11-26T12:20:00Z"})
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.out("rss"), encoding="utf-8") as f:
            self.assertNotIn("Italy beats Spain", f.read())
        self.assertEqual(run(["-c", self.cfg, "unblock", "international", landslide]).returncode, 0)
        self.assertEqual(run(["-c", self.cfg, "unblock", "international", landslide]).returncode, 2)
        self.assertEqual(run(["-c", self.cfg, "pick", "nowhere", sport]).returncode, 2)
        self.assertEqual(run(["-c", self.cfg, "pick", "international", "s0000"]).returncode, 2)

    def test_prune_forgets_old_stories_only(self):
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        before = json.loads(run(["-c", self.cfg, "stories", "--json"]).stdout)["stories"]
        r = run(["-c", self.cfg, "prune", "--older-than", "1d"])
        self.assertEqual(r.returncode, 0, r.stderr)
        after = json.loads(run(["-c", self.cfg, "stories", "--json"]).stdout)["stories"]
        self.assertLess(len(after), len(before))
        self.assertGreater(len(after), 0)
        for s in after:
            self.assertTrue(any(i["published"] >= "2026-11-25T12:00:00Z" for i in s["items"]), s)
        self.assertEqual(run(["-c", self.cfg, "prune"]).returncode, 2)
        db = sqlite3.connect(os.path.join(self.tmp, "state", "wiredesk.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        self.assertEqual(db.execute("SELECT count(*) FROM items WHERE story_id NOT IN (SELECT id FROM stories)").fetchone()[0], 0)
        db.close()

    def test_lock_held_exits_3(self):
        os.makedirs(os.path.join(self.tmp, "state"), exist_ok=True)
        lock = os.path.join(self.tmp, "state", "wiredesk.db.lock")
        with open(lock, "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            r = run(["-c", self.cfg, "run"])
        self.assertEqual(r.returncode, 3)
        self.assertIn("another wiredesk run is in progress", r.stderr)

    def test_missing_feed_file_is_partial_failure(self):
        os.remove(os.path.join(self.tmp, "feeds", "ap-top.xml"))
        r = run(["-c", self.cfg, "run"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("feed ap-top:", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertTrue(os.path.exists(self.out("rss")))

    def test_broken_audience_keeps_old_outputs(self):
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        with open(self.out("rss"), "rb") as f:
            old = f.read()
        aud = os.path.join(self.tmp, "selections", "international.yaml")
        with open(aud, "a") as f:
            f.write("limit: [1, 2\n")
        r = run(["-c", self.cfg, "run", "--force"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("international.yaml:", r.stderr)
        with open(self.out("rss"), "rb") as f:
            self.assertEqual(f.read(), old)

    def test_config_errors_all_reported_with_positions(self):
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("state: s.db\n"
                    "colour: blue\n"
                    "feeds:\n"
                    "  - id: a\n"
                    "    url: ftp://example.org/x.xml\n"
                    "  - id: a\n"
                    "    url: https://example.org/y.xml\n"
                    "    every: soon\n"
                    "  - url: https://example.org/z.xml\n")
        r = run(["-c", bad, "check"])
        self.assertEqual(r.returncode, 2)
        lines = r.stderr.strip().splitlines()
        self.assertIn(bad + ":2:1: unknown key 'colour'", lines)
        self.assertTrue(any(l.startswith(bad + ":5:10: bad URL") for l in lines), lines)
        self.assertTrue(any(l.startswith(bad + ":6:9: duplicate feed id 'a'") for l in lines), lines)
        self.assertTrue(any(l.startswith(bad + ":8:12: bad duration") for l in lines), lines)
        self.assertTrue(any(l.startswith(bad + ":9:5: feed without 'id'") for l in lines), lines)

    def test_yaml_syntax_error_has_position(self):
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("state: s.db\nfeeds:\n  - id: a\n   url: x\n")
        r = run(["-c", bad, "run"])
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"bad\.yaml:4:\d+: YAML syntax")

    def test_usage_and_version(self):
        self.assertEqual(run(["--version"]).returncode, 0)
        self.assertEqual(run(["bogus"]).returncode, 2)
        r = run(["--help"])
        self.assertIn("Exit status", r.stdout)
        self.assertEqual(run(["-c", "/nonexistent/wiredesk.yaml", "run"]).returncode, 2)

    def test_output_lost_on_a_full_disk_fails(self):
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        self.assertEqual(run(["-c", self.cfg, "run"]).returncode, 0)
        env = dict(os.environ, WIREDESK_NOW=NOW)
        with open("/dev/full", "w") as full:
            r = subprocess.run([WD, "-c", self.cfg, "feeds", "--json"],
                               stdout=full, stderr=subprocess.PIPE,
                               text=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("writing standard output", r.stderr)


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


class Hub(http.server.BaseHTTPRequestHandler):
    """A WebSub hub that records each publish ping; answers 500 to pings
    while `failing` is set."""
    pings = []
    failing = False

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode()
        Hub.pings.append((self.path, self.headers.get("Content-Type"),
                          self.headers.get("User-Agent"), body))
        self.send_response(500 if Hub.failing else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


class OverHTTP(unittest.TestCase):
    def test_run_fetches_from_loopback_server(self):
        tmp = tempfile.mkdtemp(prefix="wd-http-")
        try:
            shutil.copytree(os.path.join(SRC, "examples"), tmp, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("public", "state"))
            h = functools.partial(Handler, directory=os.path.join(tmp, "feeds"))
            srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
            port = srv.server_address[1]
            t = threading.Thread(target=srv.serve_forever, daemon=True)
            t.start()
            cfg = os.path.join(tmp, "wiredesk.yaml")
            with open(cfg, "w") as f:
                f.write("state: state/wd.db\noutput: public\nselections: selections\nfeeds:\n")
                for fid, src in (("reuters-world", "Reuters"), ("ap-top", "AP"),
                                 ("asia-regional", "Asia Wire")):
                    f.write("  - id: %s\n    url: http://127.0.0.1:%d/%s.xml\n"
                            "    source: %s\n" % (fid, port, fid, src))
            r = run(["-c", cfg, "run"])
            self.assertEqual(r.returncode, 0, r.stderr)
            db = sqlite3.connect(os.path.join(tmp, "state", "wd.db"))
            rows = db.execute("SELECT id, last_status, items_seen, etag IS NOT NULL "
                              "OR last_modified IS NOT NULL FROM feeds ORDER BY id").fetchall()
            db.close()
            self.assertEqual(len(rows), 3)
            for fid, status, seen, validators in rows:
                self.assertEqual(status, 200, fid)
                self.assertGreater(seen, 15, fid)
                self.assertTrue(validators, fid)
            # A forced run sends conditional headers: 304s, nothing new.
            r = run(["-c", cfg, "run", "--force"])
            self.assertEqual(r.returncode, 0, r.stderr)
            srv.shutdown()
            srv.server_close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class WebSub(unittest.TestCase):
    def test_hub_links_written_and_hub_pinged_on_change_only(self):
        tmp = tempfile.mkdtemp(prefix="wd-websub-")
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            shutil.copytree(os.path.join(SRC, "examples"), tmp, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("public", "state"))
            cfg = os.path.join(tmp, "wiredesk.yaml")
            aud = os.path.join(tmp, "selections", "international.yaml")
            hub = "http://127.0.0.1:%d/hub" % srv.server_address[1]
            with open(aud, "a") as f:
                f.write("hub: %s\n" % hub)
            Hub.pings = []
            r = run(["-c", cfg, "run"])
            self.assertEqual(r.returncode, 0, r.stderr)
            topics = sorted(urllib.parse.parse_qs(b)["hub.url"][0]
                            for _, _, _, b in Hub.pings)
            self.assertEqual(topics, ["https://gazette.example/feeds/international." + e
                                      for e in ("atom", "json", "rss")])
            for path, ctype, ua, body in Hub.pings:
                self.assertEqual(path, "/hub")
                self.assertEqual(ctype, "application/x-www-form-urlencoded")
                self.assertTrue(ua.startswith("wiredesk/"), ua)
                self.assertEqual(urllib.parse.parse_qs(body)["hub.mode"], ["publish"])
            with open(os.path.join(tmp, "public", "international.atom")) as f:
                self.assertIn('rel="hub" href="%s"' % hub, f.read())
            if feedparser:
                d = feedparser.parse(os.path.join(tmp, "public", "international.rss"))
                self.assertIn(hub, [l.get("href") for l in d.feed.get("links", [])])
            # Published again with the same bytes: no ping.
            Hub.pings = []
            r = run(["-c", cfg, "publish"])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(Hub.pings, [])
            # A hub that fails is reported; the feeds are written.
            Hub.failing = True
            os.unlink(os.path.join(tmp, "public", "international.rss"))
            r = run(["-c", cfg, "publish"])
            Hub.failing = False
            self.assertEqual(r.returncode, 1)
            self.assertIn("WebSub hub %s: the hub answered HTTP 500" % hub, r.stderr)
            self.assertTrue(os.path.exists(os.path.join(tmp, "public", "international.rss")))
            self.assertIn("the next run announces its changes", r.stderr)
            # The next run announces what the failed ping owed, though it
            # publishes nothing; the one after owes nothing.
            Hub.pings = []
            r = run(["-c", cfg, "run"])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([urllib.parse.parse_qs(b)["hub.url"][0]
                              for _, _, _, b in Hub.pings],
                             ["https://gazette.example/feeds/international.rss"])
            Hub.pings = []
            r = run(["-c", cfg, "run"])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(Hub.pings, [])
            # hub without feed_url is a mistake in the audience file.
            with open(aud) as f:
                text = f.read()
            with open(aud, "w") as f:
                f.write("\n".join(l for l in text.splitlines()
                                  if not l.startswith("feed_url:")) + "\n")
            r = run(["-c", cfg, "check"])
            self.assertEqual(r.returncode, 2)
            self.assertIn("hub needs feed_url", r.stderr)
        finally:
            srv.shutdown()
            srv.server_close()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if not WD or not os.path.exists(WD):
        print("WIREDESK not set or missing", file=sys.stderr)
        sys.exit(1)
    unittest.main(verbosity=2)
