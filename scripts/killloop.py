#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# scripts/killloop.py: crash consistency. A loopback feed farm (30 RSS feeds
# whose items change every round), a wiredesk.yaml and one audience in a
# temp dir, then ROUNDS times: start `wiredesk run --force`, SIGKILL it after
# a random delay (some rounds let it finish), check the database
# (PRAGMA integrity_check), every output file (xmllint, json.loads, the HTML
# page ends), and that the next run finishes with exit 0. At the end: every
# guid the farm served is in the items table, no output repeats an id, and
# the published table has one row per (audience, story) and per guid.
#
# usage: scripts/killloop.py [--rounds N] [--seed S] [--keep] [WIREDESK]
#        (WIREDESK defaults to $WIREDESK, then build/wiredesk)
import argparse
import http.server
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from email.utils import formatdate

NFEEDS = 30
KEEP = 12  # items per feed document

WORDS = ("harbour council budget monsoon airport tourism election court "
         "exports rubber festival ferry storm bridge hospital school rail "
         "fishing reef temple market solar drought coffee rice port museum "
         "vaccine tariff senate mayor strike flood quake embassy summit "
         "satellite pipeline refinery orchestra marathon bakery").split()


class Farm:
    """The feeds' content: each round adds 0 to 3 items to every feed."""

    def __init__(self, rng):
        self.rng = rng
        self.items = {f: [] for f in range(NFEEDS)}
        self.served = {}  # guid -> feed id
        self.lock = threading.Lock()
        self.docs = {}
        self.requests = 0

    def advance(self, rnd):
        now = time.time()
        with self.lock:
            for f in range(NFEEDS):
                for k in range(self.rng.randrange(4)):
                    guid = "urn:farm:%d:%d:%d" % (f, rnd, k)
                    words = self.rng.sample(WORDS, 6)
                    title = "%s %s: %s %s %s %s (%d-%d-%d)" % (
                        *words, f, rnd, k)
                    self.items[f].append({
                        "guid": guid,
                        "title": title.capitalize(),
                        "date": now - self.rng.randrange(3600),
                        "body": " ".join(self.rng.choice(WORDS)
                                         for _ in range(40)),
                    })
                self.items[f] = self.items[f][-KEEP:]
                self.docs["/feed-%d.xml" % f] = self.render(f)
            # What a completed run must have stored from now on.
            for f in range(NFEEDS):
                for it in self.items[f]:
                    self.served[it["guid"]] = "farm-%d" % f

    def render(self, f):
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               '<rss version="2.0"><channel>',
               "<title>Farm wire %d</title>" % f,
               "<link>http://wire%d.example/</link>" % f,
               "<description>Loopback feed %d</description>" % f]
        for it in reversed(self.items[f]):
            out.append(
                "<item><title>%s</title>"
                "<link>http://wire%d.example/%s</link>"
                '<guid isPermaLink="false">%s</guid>'
                "<pubDate>%s</pubDate>"
                "<category>World</category>"
                "<description>%s</description></item>" % (
                    it["title"], f, it["guid"].replace(":", "/"),
                    it["guid"], formatdate(it["date"], usegmt=True),
                    it["body"]))
        out.append("</channel></rss>")
        return "\n".join(out).encode()


def serve(farm):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with farm.lock:
                body = farm.docs.get(self.path)
                farm.requests += 1
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass  # the client was killed

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def write_config(d, port):
    os.makedirs(os.path.join(d, "selections"))
    with open(os.path.join(d, "wiredesk.yaml"), "w") as f:
        f.write("state: state/wiredesk.db\noutput: public\n"
                "selections: selections\ntimeout: 20s\nfeeds:\n")
        for i in range(NFEEDS):
            f.write("  - id: farm-%d\n    url: http://127.0.0.1:%d/"
                    "feed-%d.xml\n    source: Wire%d\n" % (i, port, i, i))
    with open(os.path.join(d, "selections", "desk.yaml"), "w") as f:
        f.write("audience: desk\ntitle: Kill loop desk\n"
                "link: https://gazette.example/desk\n"
                "window: 72h\nlimit: 200\none_per_story: no\n"
                "rules:\n  - name: all\n    match: {category: World}\n"
                "    include: yes\n")


def output_ids(path, kind):
    """The item ids of one output file; raises when it is not valid."""
    if kind == "json":
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        return [it["id"] for it in doc["items"]]
    if kind == "html":
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if not text.rstrip().endswith("</html>"):
            raise ValueError("HTML page is cut short")
        return None
    r = subprocess.run(["xmllint", "--noout", path], capture_output=True)
    if r.returncode != 0:
        raise ValueError("xmllint: " + r.stderr.decode()[:200])
    root = ET.parse(path).getroot()
    if kind == "rss":
        return [g.text for g in root.iter("guid")]
    ns = "{http://www.w3.org/2005/Atom}"
    return [e.find(ns + "id").text for e in root.iter(ns + "entry")]


def check_outputs(pub, problems, label):
    ids = {}
    for kind in ("rss", "atom", "json", "html"):
        path = os.path.join(pub, "desk." + kind)
        if not os.path.exists(path):
            continue
        try:
            got = output_ids(path, kind)
        except Exception as e:  # any parse error is a finding
            problems.append("%s: desk.%s invalid: %s" % (label, kind, e))
            continue
        if got is not None:
            if len(got) != len(set(got)):
                problems.append("%s: desk.%s repeats an id" % (label, kind))
            ids[kind] = got
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wiredesk", nargs="?",
                    default=os.environ.get("WIREDESK", "build/wiredesk"))
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--max-delay", type=float, default=0.3)
    ap.add_argument("--keep", action="store_true",
                    help="keep the temp dir")
    a = ap.parse_args()
    exe = os.path.abspath(a.wiredesk)
    if not os.access(exe, os.X_OK):
        sys.exit("killloop: no wiredesk binary at %s" % exe)
    if not shutil.which("xmllint"):
        sys.exit("killloop: xmllint is needed (Debian: libxml2-utils)")

    rng = random.Random(a.seed)
    farm = Farm(rng)
    srv = serve(farm)
    d = tempfile.mkdtemp(prefix="wd-killloop-")
    write_config(d, srv.server_address[1])
    cfg = os.path.join(d, "wiredesk.yaml")
    db = os.path.join(d, "state", "wiredesk.db")
    pub = os.path.join(d, "public")
    env = dict(os.environ)
    env.pop("WIREDESK_NOW", None)

    problems = []
    killed = finished = 0
    kill_times = []
    recover_times = []
    started = time.time()
    for rnd in range(a.rounds):
        farm.advance(rnd)
        # One round in ten runs to the end; the others die at a random
        # moment in the first max_delay seconds.
        delay = None if rnd % 10 == 9 else rng.uniform(0, a.max_delay)
        p = subprocess.Popen([exe, "-c", cfg, "run", "--force"], env=env,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        if delay is not None:
            try:
                p.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
        _, err = p.communicate()
        if p.returncode == -signal.SIGKILL:
            killed += 1
            kill_times.append(delay)
        else:
            finished += 1
            if p.returncode != 0:
                problems.append("round %d: run exited %d: %s" % (
                    rnd, p.returncode, err.decode()[:300]))
        label = "round %d (after %s)" % (
            rnd, "kill" if p.returncode == -signal.SIGKILL else "finish")
        if os.path.exists(db):
            con = sqlite3.connect(db)
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
            con.close()
            if ok != "ok":
                problems.append("%s: integrity_check: %s" % (label, ok))
        check_outputs(pub, problems, label)

        t0 = time.time()
        r = subprocess.run([exe, "-c", cfg, "run", "--force"], env=env,
                           capture_output=True)
        recover_times.append(time.time() - t0)
        if r.returncode != 0:
            problems.append("round %d: next run exited %d: %s" % (
                rnd, r.returncode, r.stderr.decode()[:300]))
        ids = check_outputs(pub, problems, "round %d recovered" % rnd)
        if "rss" not in ids:
            problems.append("round %d: no desk.rss after a full run" % rnd)
        # The run after a kill published everything the killed one stored
        # (runs publish only on change): a publication from scratch now
        # writes the same bytes.
        rss = os.path.join(pub, "desk.rss")
        if os.path.exists(rss):
            with open(rss, "rb") as f:
                before = f.read()
            subprocess.run([exe, "-c", cfg, "publish"], env=env,
                           capture_output=True)
            with open(rss, "rb") as f:
                if f.read() != before:
                    problems.append("round %d: the run after a kill left "
                                    "desk.rss out of date" % rnd)
        if problems and len(problems) > 50:
            break
        if rnd % 20 == 19:
            print("killloop: %d rounds, %d problems" % (rnd + 1,
                  len(problems)), flush=True)

    # Over all rounds: nothing served was lost, nothing published twice.
    con = sqlite3.connect(db)
    stored = {}
    for feed, guid in con.execute("SELECT feed_id, guid FROM items"):
        stored.setdefault(guid, set()).add(feed)
    lost = [g for g, feed in farm.served.items()
            if feed not in stored.get(g, ())]
    nitems = con.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    dup_items = con.execute(
        "SELECT COUNT(*) FROM (SELECT feed_id, guid FROM items "
        "GROUP BY feed_id, guid HAVING COUNT(*) > 1)").fetchone()[0]
    npub = con.execute("SELECT COUNT(*) FROM published").fetchone()[0]
    dup_pub = con.execute(
        "SELECT COUNT(*) FROM (SELECT audience, story_id FROM published "
        "GROUP BY audience, story_id HAVING COUNT(*) > 1)").fetchone()[0]
    dup_guid = con.execute(
        "SELECT COUNT(*) FROM (SELECT audience, guid FROM published "
        "GROUP BY audience, guid HAVING COUNT(*) > 1)").fetchone()[0]
    pub_guids = {g for (g,) in con.execute(
        "SELECT guid FROM published WHERE audience = 'desk'")}
    con.close()
    ids = check_outputs(pub, problems, "final")
    # Output ids are "urn:wiredesk:story:" + the recorded guid (the story
    # key), and ":" + the feed id when a story with items from several
    # feeds is shown once per item (one_per_story: no, as here).
    prefix = "urn:wiredesk:story:"
    unrecorded = [i for i in ids.get("rss", [])
                  if not i.startswith(prefix)
                  or i[len(prefix):].split(":", 1)[0] not in pub_guids]
    if lost:
        problems.append("%d served guids not in items, e.g. %s" % (
            len(lost), lost[:3]))
    if dup_items:
        problems.append("%d (feed, guid) stored twice" % dup_items)
    if dup_pub or dup_guid:
        problems.append("published twice: %d stories, %d guids" % (
            dup_pub, dup_guid))
    if unrecorded:
        problems.append("%d output guids not in published" % len(unrecorded))

    kill_times.sort()
    print("killloop: %d rounds in %.0f s: %d killed (delay %.0f-%.0f ms, "
          "median %.0f ms), %d ran to the end" % (
              rnd + 1, time.time() - started, killed,
              1000 * kill_times[0] if kill_times else 0,
              1000 * kill_times[-1] if kill_times else 0,
              1000 * kill_times[len(kill_times) // 2] if kill_times else 0,
              finished))
    recover_times.sort()
    print("killloop: recovery runs: all exit 0: %s; median %.2f s, max "
          "%.2f s" % ("no" if any("next run" in p for p in problems)
                      else "yes", recover_times[len(recover_times) // 2],
                      recover_times[-1]))
    print("killloop: %d guids served, %d items stored, %d lost, %d stored "
          "twice; %d published rows, %d repeated; %d HTTP requests" % (
              len(farm.served), nitems, len(lost), dup_items, npub,
              dup_pub + dup_guid, farm.requests))
    srv.shutdown()
    if a.keep:
        print("killloop: kept", d)
    else:
        shutil.rmtree(d, ignore_errors=True)
    for p in problems[:30]:
        print("PROBLEM:", p)
    print("%d passed, %d failed" % (0 if problems else 1,
                                    1 if problems else 0))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
