#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/poll_bench.sh: the poller benchmark of issue 4, loopback only.
# Serves a generated corpus of N feeds (../shared/bench/gen_corpus.py) from
# lighttpd on 127.0.0.1 and times, in one run, side by side:
#   wiredesk_cold     `wiredesk run` on an empty state (all 200: fetch,
#                     parse, store, select, write)
#   wiredesk_304      `wiredesk run --force` on the state the cold run left
#                     (every feed asked with its validators, all 304)
#   wiredesk_idle     `wiredesk run` with nothing due
#   curl_full         curl --parallel --parallel-max 16, every URL (identity)
#   curl_full_gzip    the same with --compressed (wiredesk accepts gzip too)
#   curl_304          curl --parallel with each feed's If-None-Match and
#                     If-Modified-Since
#   expat_empty_cb    expat with empty callbacks over the same files
#   fetch_only[_304]  the fetch stage alone (feeds/fetch.c in a small driver
#                     built here against the build's static libraries):
#                     wiredesk's share of the cold and the 304 run
#   sqlite_items      the archive alone, as a floor of what any run that
#                     keeps it in SQLite must write: the items table the
#                     cold run left (title, summary, content, ... and its
#                     indexes) copied by the sqlite3 shell into a new file,
#                     WAL, one transaction a feed, as a run commits them
#   sqlite_read       the reading of the same rows alone (the copy reads
#                     them from the cold run's file)
# and prints the ratios the issue sets goals for, with peak RSS of each.
#
# Needs (Debian 12): lighttpd curl hyperfine time gcc libexpat1-dev python3
#   sqlite3
#   bench/poll_bench.sh --install   installs them with apt-get first
# Environment (defaults):
#   N=1000                 feeds
#   WORK=/tmp/wiredesk-poll-bench   scratch folder (corpus, config, state)
#   PORT=18081             loopback port for lighttpd
#   RUNS=5                 timed runs of each command (after one warm-up)
#   COLD_RUNS=3            timed cold runs (no warm-up: each starts empty)
#   IDLE_RUNS=50           timed runs of the nothing-due run
#   PAR=16                 parallel transfers (curl) / connections (wiredesk)
#   PER_HOST=16            wiredesk's per-host connection limit (the corpus
#                          has one host; curl --parallel has no such limit)
#   WIREDESK=build/wiredesk (relative to the repository)
#   SHARED_BENCH=<repo>/../shared/bench   where gen_corpus.py lives
# Only 127.0.0.1 is contacted; every loop is bounded; the server this script
# starts is stopped by its PID on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${N:-1000}
WORK=${WORK:-/tmp/wiredesk-poll-bench}
PORT=${PORT:-18081}
RUNS=${RUNS:-5}
COLD_RUNS=${COLD_RUNS:-3}
IDLE_RUNS=${IDLE_RUNS:-50}
PAR=${PAR:-16}
PER_HOST=${PER_HOST:-16}
WIREDESK=${WIREDESK:-$ROOT/build/wiredesk}
SHARED_BENCH=${SHARED_BENCH:-$ROOT/../shared/bench}
PY=/usr/bin/python3
T0=$(date +%s)

if [ "${1:-}" = "--install" ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y lighttpd curl hyperfine \
        time gcc libexpat1-dev python3 sqlite3
fi
for t in lighttpd curl hyperfine gcc sqlite3 /usr/bin/time $PY; do
    command -v "$t" >/dev/null || { echo "missing: $t (run: $0 --install)" >&2; exit 2; }
done
[ -x "$WIREDESK" ] || { echo "no wiredesk binary at $WIREDESK (build it, or set WIREDESK)" >&2; exit 2; }
[ -f "$SHARED_BENCH/gen_corpus.py" ] || { echo "no gen_corpus.py in $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 2; }
WIREDESK=$(cd "$(dirname "$WIREDESK")" && pwd)/$(basename "$WIREDESK")

say() { printf '[%3ds] %s\n' $(( $(date +%s) - T0 )) "$*"; }

mkdir -p "$WORK/res"
C=$WORK/corpus
R=$WORK/res
H=$WORK/http
D=$WORK/desk
rm -f "$R"/*
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo) GiB, $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "wiredesk: $("$WIREDESK" --version 2>&1 | head -1)"

# ---------------------------------------------------------------- corpus
params="n=$N $(md5sum < "$SHARED_BENCH/gen_corpus.py")"
if [ "$(cat "$C/.params" 2>/dev/null)" != "$params" ]; then
    say "generating corpus: $N feeds -> $C"
    rm -rf "$C"
    $PY "$SHARED_BENCH/gen_corpus.py" -n "$N" "$C"
    echo "$params" > "$C/.params"
else
    say "reusing corpus in $C"
fi
printf '%s\n' "$C"/*.xml > "$WORK/files.txt"
NF=$(wc -l < "$WORK/files.txt")
NB=$(cat "$C"/*.xml | wc -c)
say "corpus: $NF feeds, $NB bytes"
gcc -O2 -o "$WORK/expat_floor" "$SHARED_BENCH/expat_floor.c" -lexpat

# The fetch stage alone: feeds/fetch.c from the build next to the binary.
FETCH_ONLY=
BLD=$(dirname "$WIREDESK")
cat > "$WORK/fetch_only.c" <<'EOF'
/* fetch_only PER_HOST TSV [cond]: fetch every URL of TSV (url, etag,
 * last-modified) with feeds/fetch.c; with cond, send the validators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/fetch.h"

static long n200, n304, nerr;

static void
done(void *ctx, const struct fetch_req *req, const struct fetch_res *res)
{
	if (res->rc < 0)
		nerr++;
	else if (res->status == 200)
		n200++;
	else if (res->status == 304)
		n304++;
}

int
main(int argc, char **argv)
{
	struct fetch_opts o = {.max_per_host = (int)strtol(argv[1], NULL, 10)};
	struct fetch *f;
	char line[8192];
	FILE *fp = fopen(argv[2], "r");

	if (!fp || fetch_new(&o, &f) < 0)
		return 2;
	while (fgets(line, sizeof(line), fp)) {
		char *etag = NULL, *lm = NULL, *tab;

		line[strcspn(line, "\r\n")] = '\0';
		if ((tab = strchr(line, '\t'))) {
			*tab = '\0';
			etag = tab + 1;
			if ((tab = strchr(etag, '\t'))) {
				*tab = '\0';
				lm = tab + 1;
			}
		}
		struct fetch_req r = {line, argc > 3 ? etag : NULL,
				      argc > 3 ? lm : NULL, NULL};

		fetch_add(f, &r);
	}
	fclose(fp);
	int rc = fetch_run(f, done, NULL);

	fetch_free(f);
	fprintf(stderr, "200=%ld 304=%ld errors=%ld\n", n200, n304, nerr);
	return rc < 0 || nerr ? 1 : 0;
}
EOF
if [ -f "$BLD/feeds/libfeeds.a" ] && [ -f "$BLD/core/libcore.a" ] &&
   gcc -O2 -I"$ROOT" -o "$WORK/fetch_only" "$WORK/fetch_only.c" \
       "$BLD/feeds/libfeeds.a" "$BLD/core/libcore.a" -lcurl 2> "$WORK/fetch_only.err"; then
    FETCH_ONLY=$WORK/fetch_only
else
    say "fetch_only driver not built (no static libraries beside $WIREDESK)"
fi

# ---------------------------------------------------------------- server
rm -rf "$H"; mkdir -p "$H/deflate"
cat > "$H/lighttpd.conf" <<EOF
server.document-root = "$C"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$H/error.log"
server.modules = ("mod_deflate")
server.max-connections = 1024
server.max-fds = 4096
server.max-keep-alive-requests = 1000
static-file.etags = "enable"
etag.use-inode = "disable"
mimetype.assign = (".xml" => "application/xml", ".tsv" => "text/plain")
deflate.mimetypes = ("application/xml")
deflate.allowed-encodings = ("gzip")
deflate.cache-dir = "$H/deflate"
EOF
lighttpd -tt -f "$H/lighttpd.conf"
lighttpd -D -f "$H/lighttpd.conf" &
SRV=$!
stop_server() { if kill "$SRV" 2>/dev/null; then wait "$SRV" 2>/dev/null || true; fi; }
trap stop_server EXIT
for _ in $(seq 1 50); do      # up to 5 s for the port to answer
    curl -s -o /dev/null "http://127.0.0.1:$PORT/manifest.tsv" && break
    sleep 0.1
done
say "lighttpd pid $SRV on 127.0.0.1:$PORT"

sed "s|^.*/|http://127.0.0.1:$PORT/|" "$WORK/files.txt" > "$H/urls.txt"
awk '{printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0}' "$H/urls.txt" > "$H/full.cfg"
CURLP="curl -s --no-progress-meter --parallel --parallel-max $PAR"
$CURLP -K "$H/full.cfg" -w '%{url}\t%header{etag}\t%header{last-modified}\n' > "$H/validators.tsv"
awk -F'\t' 'NR>1{print "next"} {e=$2; gsub(/"/, "\\\"", e);
    printf "url = \"%s\"\noutput = \"/dev/null\"\nheader = \"If-None-Match: %s\"\nheader = \"If-Modified-Since: %s\"\nwrite-out = \"%%{http_code}\\n\"\n", $1, e, $3}' \
    "$H/validators.tsv" > "$H/cond.cfg"
$CURLP --compressed -K "$H/full.cfg"   # prime mod_deflate's cache

# ---------------------------------------------------------------- the desk
rm -rf "$D"; mkdir -p "$D/selections"
cat > "$D/selections/bench.yaml" <<'EOF'
audience: bench
title: Bench Desk
description: Everything from the benchmark corpus, newest first.
link: http://desk.example/bench
attribution: "{source} / Bench Desk"
window: 48h
limit: 100
EOF
{
    echo "state: state/wiredesk.db"
    echo "output: public"
    echo "selections: selections"
    echo "contact: http://desk.example/bench"
    echo "connections: $PAR"
    echo "per_host: $PER_HOST"
    echo "every: 15m"
    echo "feeds:"
    awk '{n = split($0, p, "/"); id = p[n]; sub(/\.xml$/, "", id);
          printf "  - id: %s\n    url: %s\n    source: Wire %d\n", id, $0, NR % 7 + 1}' "$H/urls.txt"
} > "$D/wiredesk.yaml"
# The corpus is dated up to gen_corpus.py's "now": run the desk at that time
# so the 48 h window holds what a newsroom would see.
CORPUS_NOW=${CORPUS_NOW:-2025-06-02T12:00:00Z}
WD="env WIREDESK_NOW=$CORPUS_NOW $WIREDESK -c $D/wiredesk.yaml"
FRESH="rm -rf $D/state $D/public"
if ! $WD check > "$R/check.out" 2>&1; then
    cat "$R/check.out"; exit 1
fi

# bench NAME RUNS CMD [hyperfine options...]: median of RUNS, then one more
# run under /usr/bin/time for the peak RSS (PREP runs before that one).
bench() {
    local name=$1 runs=$2 cmd=$3
    shift 3
    say "bench $name"
    hyperfine --style basic --warmup "${WARMUP:-1}" --runs "$runs" "$@" \
        --export-json "$R/$name.json" --command-name "$name" "$cmd" > "$R/$name.log" 2>&1 \
        || { cat "$R/$name.log"; exit 1; }
    grep -E 'Time|Range' "$R/$name.log" | sed 's/^/        /' || true
    if [ -z "${NO_RSS:-}" ]; then
        if [ -n "${PREP:-}" ]; then sh -c "$PREP"; fi
        /usr/bin/time -f '%M' -o "$R/$name.rss" sh -c "exec $cmd" > "$R/$name.out" 2>&1 || true
    fi
    echo "$name" >> "$R/index.txt"
}

codes() { sort | uniq -c | awk '{printf "%s%sx%s", (NR>1?" ":""), $1, $2}'; }

# One cold run first, to check that every feed gives 200 and is stored; its
# peak RSS stands for the cold runs (each takes long).
$FRESH
rc=0
/usr/bin/time -f '%e %M' -o "$R/first.time" $WD run > "$R/first.out" 2>&1 || rc=$?
read -r first_s first_kib < "$R/first.time" || true
cp "$R/first.time" "$R/wiredesk_cold.rss"
say "first cold run: exit $rc, $first_s s, peak RSS $first_kib KiB, $(wc -l < "$R/first.out") lines on stderr"
head -5 "$R/first.out"
feeds_json=$($WD feeds --json 2>/dev/null || true)
chk_cold=$(printf '%s' "$feeds_json" | $PY -c '
import json, sys, collections
try:
    d = json.load(sys.stdin)
except ValueError:
    print("wiredesk feeds --json: unreadable"); sys.exit(0)
feeds = d.get("feeds", d) if isinstance(d, dict) else d
c = collections.Counter(str(f.get("last_status")) for f in feeds)
print(" ".join("%dx%s" % (n, s) for s, n in sorted(c.items())), "feeds:", len(feeds))
')
say "after the cold run, last_status: $chk_cold"

{
NO_RSS=1 WARMUP=0 bench wiredesk_cold "$COLD_RUNS" "$WD run" --prepare "$FRESH" -i
bench wiredesk_304 "$RUNS" "$WD run --force" -i
WARMUP=3 bench wiredesk_idle "$IDLE_RUNS" "$WD run" -N -i
bench curl_full "$RUNS" "$CURLP -K $H/full.cfg"
bench curl_full_gzip "$RUNS" "$CURLP --compressed -K $H/full.cfg"
bench curl_304 "$RUNS" "$CURLP -K $H/cond.cfg > /dev/null"
bench expat_empty_cb "$RUNS" "$WORK/expat_floor -m 1 -w $C/*.xml"
if [ -n "$FETCH_ONLY" ]; then
    bench fetch_only "$RUNS" "$FETCH_ONLY $PER_HOST $H/validators.tsv"
    bench fetch_only_304 "$RUNS" "$FETCH_ONLY $PER_HOST $H/validators.tsv cond"
fi
}
chk_304=$($CURLP -K "$H/cond.cfg" | codes)
rc304=0; $WD run --force > "$R/force.out" 2>&1 || rc304=$?
stop_server
trap - EXIT
say "lighttpd stopped"

# The archive floor (see the top): the items of the state the runs above
# left, copied feed by feed into a new file, and read feed by feed.
F=$WORK/floor
rm -rf "$F"; mkdir -p "$F"
cp "$D/state/wiredesk.db" "$F/src.db"
sqlite3 "$F/src.db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
sqlite3 "$F/src.db" "SELECT DISTINCT feed_id FROM items" > "$F/feeds.txt"
{
    echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
    sqlite3 "$F/src.db" ".schema items"
    echo "ATTACH '$F/src.db' AS src;"
    awk '{printf "BEGIN; INSERT INTO main.items SELECT * FROM src.items WHERE feed_id = '\''%s'\''; COMMIT;\n", $0}' "$F/feeds.txt"
} > "$F/insert.sql"
{
    echo "ATTACH '$F/src.db' AS src;"
    awk '{printf "SELECT count(*), sum(length(coalesce(title, '\'''\'') || coalesce(summary, '\'''\'') || coalesce(content, '\'''\''))) FROM src.items WHERE feed_id = '\''%s'\'';\n", $0}' "$F/feeds.txt"
} > "$F/read.sql"
items_n=$(sqlite3 "$F/src.db" "SELECT count(*) FROM items")
items_mb=$(sqlite3 "$F/src.db" "SELECT round(sum(pgsize) / 1e6, 1) FROM dbstat WHERE name = 'items'" 2>/dev/null || echo '?')
say "archive floor: $items_n items ($items_mb MB of the items table) from $(wc -l < "$F/feeds.txt") feeds"
{
PREP="rm -f $F/dst.db $F/dst.db-wal $F/dst.db-shm" bench sqlite_items "$RUNS" \
    "sqlite3 $F/dst.db < $F/insert.sql > /dev/null" \
    --prepare "rm -f $F/dst.db $F/dst.db-wal $F/dst.db-shm"
bench sqlite_read "$RUNS" "sqlite3 $F/src.db < $F/read.sql > /dev/null"
}

{
echo "cold run feed statuses: $chk_cold"
echo "curl conditional GET: $chk_304"
echo "wiredesk run --force (304) exit status: $rc304"
} | tee "$R/checks.txt"
echo
$PY - "$R" "$NF" "$NB" <<'EOF'
import json, os, sys
R, nf, nb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
med, rss = {}, {}
print(f"{'benchmark':16} {'median s':>9} {'min-max s':>15} {'req/s':>8} {'cpu s':>6} {'peak RSS':>9}")
for name in open(os.path.join(R, "index.txt")).read().split():
    r = json.load(open(os.path.join(R, name + ".json")))["results"][0]
    med[name] = r["median"]
    try:
        rss[name] = int(open(os.path.join(R, name + ".rss")).read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        rss[name] = float("nan")
    req = "" if name.startswith(("expat", "sqlite")) or name.endswith("idle") else f"{nf / r['median']:.0f}"
    print(f"{name:16} {r['median']:9.3f} {r['min']:7.3f}-{r['max']:<7.3f} {req:>8} "
          f"{r['user'] + r['system']:6.2f} {rss[name]:6.1f} MiB")
print(f"({nf} feeds, {nb / 1e6:.1f} MB of XML; cpu s = mean user+sys; peak RSS = one extra run)")
print()
def show(label, num, den, goal):
    if num in med and all(d in med for d in den):
        v = med[num] / sum(med[d] for d in den)
        print(f"  {label:52} {v:6.2f}x  (goal <= {goal})")
show("cold run / (curl --parallel + expat empty callbacks)", "wiredesk_cold", ["curl_full", "expat_empty_cb"], "2.5x")
show("cold run / (curl --parallel gzip + expat)", "wiredesk_cold", ["curl_full_gzip", "expat_empty_cb"], "2.5x")
show("304 run / curl --parallel conditional", "wiredesk_304", ["curl_304"], "2x")
show("fetch stage alone / curl --parallel gzip", "fetch_only", ["curl_full_gzip"], "-")
show("fetch stage alone, 304 / curl --parallel conditional", "fetch_only_304", ["curl_304"], "-")
if all(k in med for k in ("sqlite_items", "sqlite_read", "curl_full", "curl_full_gzip", "expat_empty_cb")):
    floor = med["sqlite_items"] - med["sqlite_read"]
    for curl in ("curl_full", "curl_full_gzip"):
        total = med[curl] + med["expat_empty_cb"]
        print(f"  {'archive floor / (' + curl + ' + expat)':52} {floor / total:6.2f}x  "
              f"(floor {floor:.3f} s; the cold-run goal allows {2.5 * total:.3f} s for everything)")
if "wiredesk_idle" in med:
    print(f"  {'nothing due':52} {med['wiredesk_idle'] * 1000:6.1f} ms (goal < 20 ms)")
if "wiredesk_cold" in rss:
    print(f"  {'peak RSS of the cold run':52} {rss['wiredesk_cold']:6.1f} MiB (goal < 64 MiB)")
EOF
say "done; hyperfine JSON and logs in $R (rm -rf $WORK to clean up)"
