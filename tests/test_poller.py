#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/test_poller.py: `wiredesk run` against the scripted HTTP server
(tests/httpd.py) on 127.0.0.1, asserting the feed state in the real SQLite
file after each kind of reply."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

WD = os.environ.get("WIREDESK")
HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1795694400  # 2026-11-26T08:00:00Z

PATHS = {
    "ok": "/feed.xml", "m301": "/moved301", "m308": "/moved308",
    "t302": "/temp302", "loop": "/loop-a", "hops6": "/hops/6",
    "gone": "/gone", "r429s": "/429-seconds", "r429d": "/429-date",
    "e503": "/503", "e500": "/500", "cache": "/cache", "trickle": "/trickle",
    "stall": "/stall", "trunc": "/truncated", "big": "/big", "bomb": "/bomb",
    "gzip": "/gzip", "wrongtype": "/wrong-type", "charset": "/charset",
    "ttl": "/ttl",
}
FAILING = {"loop", "hops6", "r429s", "r429d", "e503", "e500", "trickle",
           "stall", "trunc", "big", "bomb"}


class Poller(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(HERE, "httpd.py"),
             "--lifetime", "240"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        cls.port = int(cls.srv.stdout.readline())

    @classmethod
    def tearDownClass(cls):
        cls.srv.stdin.close()
        cls.srv.wait(timeout=30)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wd-poller-")
        os.makedirs(os.path.join(self.tmp, "selections"))
        self.cfg = os.path.join(self.tmp, "wiredesk.yaml")
        with open(self.cfg, "w") as f:
            f.write("state: wd.db\noutput: out\nselections: selections\n"
                    "timeout: 4s\nmax_body: 1048576\nevery: 10m\n"
                    "min_interval: 1m\nmax_interval: 6h\nfail_report: 1h\n"
                    "contact: https://gazette.example/contact\nfeeds:\n")
            for fid, path in sorted(PATHS.items()):
                f.write("  - id: %s\n    url: http://127.0.0.1:%d%s\n"
                        % (fid, self.port, path))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_wd(self, *args, now=T0):
        env = dict(os.environ, WIREDESK_NOW=str(now))
        return subprocess.run([WD, "-c", self.cfg] + list(args), env=env,
                              capture_output=True, text=True, timeout=120)

    def state(self):
        db = sqlite3.connect(os.path.join(self.tmp, "wd.db"))
        db.row_factory = sqlite3.Row
        rows = {r["id"]: dict(r) for r in db.execute("SELECT * FROM feeds")}
        db.close()
        return rows

    def test_every_reply_leaves_the_right_state(self):
        r = self.run_wd("run")
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = r.stderr.strip().splitlines()
        st = self.state()
        # One line per failing feed, naming it; plus the 301/308 moves and
        # the 410 notice.
        for fid in FAILING:
            self.assertEqual(sum(("feed %s:" % fid) in l for l in lines), 1,
                             (fid, lines))
            self.assertEqual(st[fid]["errors"], 1, fid)
            self.assertGreater(st[fid]["next_due"], T0, fid)
            self.assertTrue(st[fid]["last_error"], fid)
        ok = st["ok"]
        self.assertEqual(ok["last_status"], 200)
        self.assertEqual(ok["etag"], '"v1-abc"')
        self.assertEqual(ok["last_modified"], "Tue, 03 Mar 2026 10:00:00 GMT")
        self.assertEqual(ok["items_seen"], 1)
        self.assertEqual(ok["errors"], 0)
        # Schedule: every 10m, jitter at most 10%.
        self.assertGreaterEqual(ok["next_due"], T0 + 600)
        self.assertLessEqual(ok["next_due"], T0 + 660)
        # Moves: 301 and 308 recorded, 302 not; one warning each.
        base = "http://127.0.0.1:%d" % self.port
        self.assertEqual(st["m301"]["moved_to"], base + "/feed.xml")
        self.assertEqual(st["m308"]["moved_to"], base + "/feed.xml")
        self.assertIsNone(st["t302"]["moved_to"])
        self.assertEqual(st["t302"]["last_status"], 200)
        self.assertTrue(any("feed m301: moved permanently" in l for l in lines))
        # 410: gone.
        self.assertEqual(st["gone"]["gone"], 1)
        self.assertTrue(any("feed gone: gone" in l for l in lines))
        # 429 honours Retry-After in both forms.
        self.assertEqual(st["r429s"]["last_status"], 429)
        self.assertGreaterEqual(st["r429s"]["next_due"], T0 + 120)
        self.assertGreaterEqual(st["r429d"]["next_due"], T0 + 3000)
        # The feed's <ttl> (120 minutes) pushes the next poll out.
        self.assertEqual(st["ttl"]["ttl"], 120)
        self.assertGreaterEqual(st["ttl"]["next_due"], T0 + 7200)
        # Cache-Control max-age and Expires push the next poll out.
        self.assertGreaterEqual(st["cache"]["next_due"], T0 + 3000)
        # Caps and broken bodies are errors, not items.
        for fid in ("big", "bomb", "trunc"):
            self.assertEqual(st[fid]["items_seen"], 0, fid)
        for fid in ("big", "bomb"):
            self.assertIn("larger than 1048576 bytes", st[fid]["last_error"], fid)
        self.assertIn("redirect", st["loop"]["last_error"])
        self.assertIn("redirect", st["hops6"]["last_error"])
        for fid in ("trickle", "stall"):
            self.assertIn("fetch:", st[fid]["last_error"], fid)
        # gzip, wrong Content-Type and a charset header still parse.
        for fid in ("gzip", "wrongtype"):
            self.assertEqual(st[fid]["items_seen"], 1, fid)
        db = sqlite3.connect(os.path.join(self.tmp, "wd.db"))
        (title,) = db.execute("SELECT title FROM feeds WHERE id = 'charset'").fetchone()
        db.close()
        self.assertEqual(title, "Caf\u00e9")

        # A second run right away: nothing is due, nothing is printed.
        r = self.run_wd("run", now=T0 + 30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")

        # Later: due feeds are polled; 304 for the unchanged one; passing
        # failures are not reported again; the gone feed is left alone.
        r = self.run_wd("run", now=T0 + 7 * 3600)
        st2 = self.state()
        self.assertEqual(st2["ok"]["last_status"], 304)
        self.assertEqual(st2["ok"]["items_seen"], 1)
        self.assertEqual(st2["gone"]["last_attempt"], st["gone"]["last_attempt"])
        self.assertEqual(st2["e500"]["errors"], 2)
        self.assertEqual(st2["m301"]["last_status"], 304)
        # A 304 says nothing new of the feed's <ttl>: still two hours.
        self.assertEqual(st2["ttl"]["last_status"], 304)
        self.assertGreaterEqual(st2["ttl"]["next_due"], T0 + 9 * 3600)
        # Failing for longer than fail_report (1h): reported on every run.
        self.assertTrue(any("feed e500: failing since" in l
                            for l in r.stderr.splitlines()), r.stderr)
        self.assertFalse(any("moved permanently" in l
                             for l in r.stderr.splitlines()), r.stderr)

        # wiredesk feeds --json shows the same state.
        r = self.run_wd("feeds", "--json", now=T0 + 7 * 3600)
        self.assertEqual(r.returncode, 0, r.stderr)
        feeds = {f["id"]: f for f in json.loads(r.stdout)["feeds"]}
        self.assertTrue(feeds["gone"]["gone"])
        self.assertEqual(feeds["m301"]["moved_to"], base + "/feed.xml")
        self.assertEqual(feeds["e500"]["errors"], 2)
        self.assertEqual(feeds["ok"]["items_seen"], 1)

        # --force polls the gone feed again (still 410).
        r = self.run_wd("run", "--force", "gone", now=T0 + 7 * 3600 + 60)
        st3 = self.state()
        self.assertGreater(st3["gone"]["last_attempt"], st["gone"]["last_attempt"])
        self.assertEqual(st3["gone"]["gone"], 1)

    def test_parse_reads_content_location_and_language(self):
        # /cl/feed has relative links and no language; its headers say
        # Content-Location: archive/feed.xml, Content-Language: fr-ca.
        url = "http://127.0.0.1:%d/cl/feed" % self.port
        r = subprocess.run([WD, "parse", "--json", url], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        d = json.loads(r.stdout)
        base = "http://127.0.0.1:%d/cl/archive/" % self.port
        self.assertEqual(d["feed"]["link"], base + "front/")
        self.assertEqual(d["entries"][0]["link"], base + "stories/bridge.html")
        self.assertEqual(d["feed"]["language"], "fr-ca")
        self.assertEqual(d["entries"][0]["language"], "fr-ca")


if __name__ == "__main__":
    if not WD or not os.path.exists(WD):
        print("WIREDESK not set or missing", file=sys.stderr)
        sys.exit(1)
    unittest.main(verbosity=2)
