#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/httpd.py: a scripted HTTP/1.1 server for the fetch tests. It listens
# on 127.0.0.1 on an ephemeral port, prints the port on stdout, and exits
# when stdin closes or after --lifetime seconds, whichever comes first.
# Each path below scripts one reply (see docs/poller.md for the list).
import argparse
import email.utils
import gzip
import http.server
import os
import socketserver
import sys
import threading
import time
import zlib

FEED = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<rss version="2.0"><channel><title>Test Wire</title>'
        b'<link>http://wire.example/</link><description>d</description>'
        b'<item><title>Harbour reopens</title><guid>t-1</guid></item>'
        b'</channel></rss>\n')
# Relative links and no language: Content-Location and Content-Language
# supply them (served at /cl/feed).
FEED_REL = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<rss version="2.0"><channel><title>Mirror Wire</title>'
            b'<link>front/</link><description>d</description>'
            b'<item><title>Bridge closed</title><guid>m-1</guid>'
            b'<link>stories/bridge.html</link></item>'
            b'</channel></rss>\n')
# A feed that asks to be polled every two hours (<ttl>120</ttl>); served
# at /ttl with the same validators as /feed.xml.
FEED_TTL = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<rss version="2.0"><channel><title>Slow Wire</title>'
            b'<link>http://wire.example/</link><description>d</description>'
            b'<ttl>120</ttl>'
            b'<item><title>Weekly digest</title><guid>w-1</guid></item>'
            b'</channel></rss>\n')
ETAG = '"v1-abc"'
LAST_MODIFIED = 'Tue, 03 Mar 2026 10:00:00 GMT'

_conc_lock = threading.Lock()
_conc_now = 0
_conc_max = 0
_bomb = None
_bomb_lock = threading.Lock()


def gzip_bomb():
    # 64 MiB of zeros compress to about 64 KiB: made once, on first use.
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            co = zlib.compressobj(9, zlib.DEFLATED, 31)
            chunk = bytes(1 << 20)
            parts = [co.compress(chunk) for _ in range(64)]
            parts.append(co.flush())
            _bomb = b''.join(parts)
    return _bomb


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'wiredesk-test'

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b'', ctype='application/rss+xml',
              headers=()):
        self.send_response(status)
        if ctype:
            self.send_header('Content-Type', ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def redirect(self, status, to):
        self.reply(status, b'moved\n', 'text/plain', [('Location', to)])

    def feed(self, body=FEED):
        inm = self.headers.get('If-None-Match')
        ims = self.headers.get('If-Modified-Since')
        hdrs = [('ETag', ETAG), ('Last-Modified', LAST_MODIFIED)]
        if inm == ETAG or (inm is None and ims == LAST_MODIFIED):
            self.send_response(304)
            for k, v in hdrs:
                self.send_header(k, v)
            self.end_headers()
            return
        self.reply(200, body, headers=hdrs)

    def trickle(self, total, step, pause, limit):
        # Declares total bytes, then sends step bytes every pause seconds
        # for at most limit seconds; the client is expected to give up.
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', str(total))
        self.end_headers()
        end = time.monotonic() + limit
        try:
            while time.monotonic() < end:
                self.wfile.write(b'x' * step)
                self.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass
        self.close_connection = True

    def conc(self):
        global _conc_now, _conc_max
        with _conc_lock:
            _conc_now += 1
            _conc_max = max(_conc_max, _conc_now)
        time.sleep(0.3)
        with _conc_lock:
            _conc_now -= 1
        self.reply(200, FEED)

    def do_GET(self):
        global _conc_max
        p = self.path.split('?', 1)[0]
        now = time.time()
        if p == '/feed.xml':
            self.feed()
        elif p == '/ttl':
            self.feed(FEED_TTL)
        elif p == '/moved301':
            self.redirect(301, '/feed.xml')
        elif p == '/moved308':
            self.redirect(308, '/feed.xml')
        elif p == '/temp302':
            self.redirect(302, '/feed.xml')
        elif p == '/temp307':
            self.redirect(307, '/feed.xml')
        elif p == '/chain-301-302':
            self.redirect(301, '/temp302')
        elif p == '/chain-302-301':
            self.redirect(302, '/moved301')
        elif p == '/relative':
            self.redirect(301, 'feed.xml')
        elif p == '/loop-a':
            self.redirect(302, '/loop-b')
        elif p == '/loop-b':
            self.redirect(302, '/loop-a')
        elif p.startswith('/hops/'):
            n = int(p[6:])
            if n == 0:
                self.feed()
            else:
                self.redirect(302, '/hops/%d' % (n - 1))
        elif p == '/gone':
            self.reply(410, b'gone\n', 'text/plain')
        elif p == '/429-seconds':
            self.reply(429, b'slow down\n', 'text/plain',
                       [('Retry-After', '120')])
        elif p == '/429-date':
            when = email.utils.formatdate(now + 3600, usegmt=True)
            self.reply(429, b'slow down\n', 'text/plain',
                       [('Retry-After', when)])
        elif p == '/503':
            self.reply(503, b'busy\n', 'text/plain')
        elif p == '/500':
            self.reply(500, b'oops\n', 'text/plain')
        elif p == '/cache':
            exp = email.utils.formatdate(now + 3600, usegmt=True)
            self.reply(200, FEED, headers=[
                ('Cache-Control', 'public, s-maxage=9, max-age="600"'),
                ('Age', '100'), ('Expires', exp)])
        elif p == '/trickle':
            self.trickle(10000, 1, 0.5, 8)
        elif p == '/slow-body':
            self.trickle(10 << 20, 1000, 0.1, 8)
        elif p == '/stall':
            time.sleep(8)
            self.close_connection = True
        elif p == '/truncated':
            self.send_response(200)
            self.send_header('Content-Type', 'application/rss+xml')
            self.send_header('Content-Length', '5000')
            self.end_headers()
            self.wfile.write(FEED)
            self.close_connection = True
        elif p == '/big':
            self.reply(200, b'<' * (2 << 20))
        elif p == '/bomb':
            self.reply(200, gzip_bomb(), headers=[
                ('Content-Encoding', 'gzip')])
        elif p == '/gzip':
            self.reply(200, gzip.compress(FEED), headers=[
                ('Content-Encoding', 'gzip')])
        elif p == '/wrong-type':
            self.reply(200, FEED, 'image/png')
        elif p == '/charset':
            body = ('<?xml version="1.0"?><rss version="2.0"><channel>'
                    '<title>Caf\u00e9</title></channel></rss>\n')
            self.reply(200, body.encode('latin-1'),
                       'application/rss+xml; charset=ISO-8859-1')
        elif p == '/cl/feed':
            self.reply(200, FEED_REL, headers=[
                ('Content-Location', 'archive/feed.xml'),
                ('Content-Language', 'fr-ca')])
        elif p == '/cl-moved':
            self.redirect(302, '/cl/feed')
        elif p == '/echo':
            lines = ['%s: %s' % (k, self.headers.get(k, '-')) for k in
                     ('User-Agent', 'If-None-Match', 'If-Modified-Since',
                      'Accept-Encoding')]
            self.reply(200, ('\n'.join(lines) + '\n').encode(),
                       'text/plain')
        elif p == '/conc':
            self.conc()
        elif p == '/conc-max':
            with _conc_lock:
                self.reply(200, str(_conc_max).encode(), 'text/plain')
        elif p == '/conc-reset':
            with _conc_lock:
                _conc_max = 0
            self.reply(200, b'0', 'text/plain')
        else:
            self.reply(404, b'not found\n', 'text/plain')

    do_HEAD = do_GET


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # Clients that give up (the point of several tests) are not news.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lifetime', type=float, default=120)
    args = ap.parse_args()
    srv = Server(('127.0.0.1', 0), Handler)
    print(srv.server_address[1], flush=True)

    def watch_stdin():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        srv.shutdown()

    threading.Thread(target=watch_stdin, daemon=True).start()
    timer = threading.Timer(args.lifetime, srv.shutdown)
    timer.daemon = True
    timer.start()
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
