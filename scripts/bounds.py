#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# scripts/bounds.py [WIREDESK]: hostile sizes through the real binary, each
# in its own temp dir, reporting exit status, time and peak memory (RSS of
# the wiredesk process): a 1 GB feed streamed over loopback HTTP, a gzip
# bomb (1 GB of items in a few MB), a feed with a million items, and an
# item with a 10 MB title. BOUNDS_ONLY=name,... runs only the cases whose
# name starts with one of those words. Fails when a run takes more than 512 MiB or
# 300 s, or does not end with a clear outcome.
import gzip
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

RSS_MAX_KB = 512 * 1024
HEAD = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
        b"<channel><title>Big</title><link>http://big.example/</link>"
        b"<description>b</description>")
TAIL = b"</channel></rss>"


def item(i, title=None):
    return (b"<item><title>%s</title><link>http://big.example/%d</link>"
            b"<guid>big-%d</guid><pubDate>Thu, 26 Nov 2026 10:00:00 GMT"
            b"</pubDate><description>Item %d</description></item>" % (
                title or b"Story %d" % i, i, i, i))


def gzip_bomb():
    """About 1 GB of items, gzip-compressed once, kept in memory."""
    chunk = b"".join(item(i) for i in range(100))  # fits gzip's window
    out = tempfile.SpooledTemporaryFile()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6) as z:
        z.write(HEAD)
        for _ in range((1 << 30) // len(chunk)):
            z.write(chunk)
        z.write(TAIL)
    out.seek(0)
    return out.read()


class Handler(http.server.BaseHTTPRequestHandler):
    bomb = None

    def do_GET(self):
        if self.path == "/endless.xml":
            # 1 GB, streamed without a length.
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            chunk = b"".join(item(i) for i in range(1000))
            try:
                self.wfile.write(HEAD)
                sent = 0
                while sent < 1 << 30:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                self.wfile.write(TAIL)
            except OSError:
                pass  # the client hung up: that is the point
        elif self.path == "/bomb.xml":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(Handler.bomb)))
            self.end_headers()
            try:
                self.wfile.write(Handler.bomb)
            except OSError:
                pass
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


def run_case(exe, name, url, extra="", expect=None):
    d = tempfile.mkdtemp(prefix="wd-bounds-")
    os.makedirs(os.path.join(d, "selections"))
    with open(os.path.join(d, "wiredesk.yaml"), "w") as f:
        f.write("state: state/wiredesk.db\noutput: public\n"
                "selections: selections\n%sfeeds:\n"
                "  - {id: big, url: %s, source: Big}\n" % (extra, url))
    with open(os.path.join(d, "selections", "desk.yaml"), "w") as f:
        f.write("audience: desk\ntitle: Desk\nlink: https://g.example/\n"
                "window: 72h\nlimit: 50\n")
    env = dict(os.environ, WIREDESK_NOW="2026-11-26T12:00:00Z")
    t0 = time.time()
    # GNU time reports the peak RSS of wiredesk itself (KiB).
    p = subprocess.Popen(["/usr/bin/time", "-f", "maxrss %M", exe, "-c",
                          os.path.join(d, "wiredesk.yaml"), "run"], env=env,
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, cwd=d)
    try:
        _, err = p.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    secs = time.time() - t0
    lines = err.decode().strip().splitlines()
    rss = RSS_MAX_KB
    if lines and lines[-1].startswith("maxrss "):
        rss = int(lines.pop().split()[1])
    stored = 0
    db = os.path.join(d, "state", "wiredesk.db")
    if os.path.exists(db):
        r = subprocess.run(["sqlite3", db, "SELECT COUNT(*) || ' items, "
                            "longest title ' || IFNULL(MAX(LENGTH(title)),"
                            " 0) FROM items"], capture_output=True)
        stored = r.stdout.decode().strip()
    print("bounds: %-14s exit %d in %.1f s, peak RSS %d MiB; %s; %s" % (
        name, p.returncode, secs, rss // 1024, stored,
        lines[0][:120] if lines else "no message"))
    shutil.rmtree(d, ignore_errors=True)
    said = expect is None or any(expect in l for l in lines)
    if not said:
        print("bounds: %s: expected a line saying %r" % (name, expect))
    return (p.returncode in (0, 1) and rss < RSS_MAX_KB and secs < 300
            and said)


def main():
    exe = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                          os.environ.get("WIREDESK", "build/wiredesk"))
    tmp = tempfile.mkdtemp(prefix="wd-bounds-feeds-")
    million = os.path.join(tmp, "million.xml")
    with open(million, "wb") as f:
        f.write(HEAD)
        for i in range(1000000):
            f.write(b"<item><guid>m%d</guid><title>t%d</title></item>" %
                    (i, i))
        f.write(TAIL)
    title = os.path.join(tmp, "title.xml")
    with open(title, "wb") as f:
        f.write(HEAD + item(1, b"Huge " * (2 * 1024 * 1024)) + item(2) +
                TAIL)
    Handler.bomb = gzip_bomb()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    print("bounds: million-item feed %d MB, gzip bomb %d KB -> 1 GB" % (
        os.path.getsize(million) >> 20, len(Handler.bomb) >> 10))
    cases = [
        ("1 GB stream", base + "/endless.xml", "", "larger than"),
        ("gzip bomb", base + "/bomb.xml", "", "larger than"),
        ("10 MB title", title, "", None),
        # A million items needs a larger body cap than the default 16 MiB;
        # the run keeps the first 100000 and says so.
        ("million items", million, "max_body: 268435456\n",
         "only its first 100000 items"),
    ]
    only = [w for w in os.environ.get("BOUNDS_ONLY", "").split(",") if w]
    ok = [run_case(exe, name, url, extra, expect)
          for name, url, extra, expect in cases
          if not only or any(name.startswith(w) for w in only)]
    srv.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (sum(ok), len(ok) - sum(ok)))
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
