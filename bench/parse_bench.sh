#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/parse_bench.sh: our feed parser against its floor and its peers, on
# one generated corpus, in one run: an expat pass with empty callbacks (the
# floor), sfeed (C), python3-feedparser, and bench/parse-bench (parse_feed
# over every file in one process, as a run does). Prints MB/s, items/s and
# peak RSS, and the ratios the parser issue asks for.
#
# usage: bench/parse_bench.sh            (from the source root)
# Environment (defaults):
#   BUILD=build          meson build folder holding bench/parse-bench
#                        (relative to the source root, or absolute)
#   N=1000               feeds in the generated corpus (~180 MB)
#   WORK=/tmp/wiredesk-parse-bench   scratch folder (corpus kept for reuse)
#   RUNS=5               timed runs per fast command (after one warm-up)
#   FP_FEEDS=100         feeds given to feedparser (it takes ~0.1 s a feed)
# Needs: python3 (/usr/bin/python3 with feedparser), gcc, libexpat1-dev,
# sfeed; hyperfine if installed (else a plain timing loop); /usr/bin/time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
BUILD=${BUILD:-build}
N=${N:-1000}
WORK=${WORK:-/tmp/wiredesk-parse-bench}
RUNS=${RUNS:-5}
FP_FEEDS=${FP_FEEDS:-100}
PY=/usr/bin/python3

for f in gen_corpus.py expat_floor.c fp_parse.py; do
	[ -f "$SHARED/$f" ] || { echo "missing $SHARED/$f" >&2; exit 2; }
done
for t in gcc sfeed /usr/bin/time $PY; do
	command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }
done
mkdir -p "$WORK/res"
C=$WORK/corpus
R=$WORK/res
rm -f "$R"/*

say() { printf '== %s\n' "$*" >&2; }

# ---------------------------------------------------------------- corpus
params="n=$N $(md5sum < "$SHARED/gen_corpus.py")"
if [ "$(cat "$C/.params" 2>/dev/null)" != "$params" ]; then
	say "generating $N feeds into $C"
	rm -rf "$C"
	$PY "$SHARED/gen_corpus.py" -n "$N" "$C" >&2
	echo "$params" > "$C/.params"
fi
printf '%s\n' "$C"/*.xml > "$WORK/all.txt"
head -n "$FP_FEEDS" "$WORK/all.txt" > "$WORK/fp.txt"
head -n $(( $(wc -l < "$WORK/all.txt") / 2 )) "$WORK/all.txt" > "$WORK/half.txt"
# bytes and items of a list, from the generator's manifest
sizes() {
	awk -F'\t' 'NR==FNR{n=split($0,p,"/"); want[p[n]]=1; next}
	            FNR>1 && ($1 in want){b+=$5; i+=$4; f++} END{print f, b, i}' \
		"$1" "$C/manifest.tsv"
}
read -r ALL_F ALL_B ALL_I < <(sizes "$WORK/all.txt")
read -r FP_F FP_B FP_I < <(sizes "$WORK/fp.txt")
say "corpus: $ALL_F feeds, $ALL_B bytes, $ALL_I items"

gcc -O2 -o "$WORK/expat_floor" "$SHARED/expat_floor.c" -lexpat
(cd "$ROOT" && ninja -C "$BUILD" bench/parse-bench >&2)
case $BUILD in
/*) PB=$BUILD/bench/parse-bench ;;
*) PB=$ROOT/$BUILD/bench/parse-bench ;;
esac
cat "$C"/*.xml > /dev/null     # warm the page cache

# ---------------------------------------------------------------- timing
# bench NAME FILES BYTES ITEMS RUNS CMD: median wall time of RUNS runs (one
# warm-up), and the peak RSS of one more run.
bench() {
	local name=$1 files=$2 bytes=$3 items=$4 runs=$5 cmd=$6
	say "bench $name"
	if command -v hyperfine >/dev/null; then
		hyperfine --style none --warmup 1 --runs "$runs" \
			--export-json "$R/$name.json" "$cmd" > /dev/null 2>&1
		$PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["user"]+r["system"])' \
			"$R/$name.json" > "$R/$name.time"
	else
		sh -c "$cmd" > /dev/null 2>&1 || true
		: > "$R/$name.runs"
		for _ in $(seq 1 "$runs"); do
			/usr/bin/time -f '%e %U %S' -a -o "$R/$name.runs" \
				sh -c "$cmd" > /dev/null 2>&1 || true
		done
		sort -n "$R/$name.runs" | awk '{t[NR]=$1; c[NR]=$2+$3}
			END{m=int((NR+1)/2); print t[m], c[m]}' > "$R/$name.time"
	fi
	/usr/bin/time -f '%M' -o "$R/$name.rss" sh -c "$cmd" \
		> "$R/$name.out" 2>&1 || true
	printf '%s\t%s\t%s\t%s\n' "$name" "$files" "$bytes" "$items" >> "$R/index.tsv"
}

A="$ALL_F $ALL_B $ALL_I"
# shellcheck disable=SC2086
{
bench expat_empty_cb $A "$RUNS" "$WORK/expat_floor -m 1 -w $C/*.xml"
bench expat_ns_text  $A "$RUNS" "$WORK/expat_floor -m 2 -w $C/*.xml"
bench wiredesk_parse $A "$RUNS" "$PB $C/*.xml"
bench wiredesk_parse_half $(sizes "$WORK/half.txt") "$RUNS" "$PB < $WORK/half.txt"
bench sfeed_one_process $A "$RUNS" "cat $C/*.xml | sfeed"
bench sfeed_per_file $A "$RUNS" "for f in $C/*.xml; do sfeed < \"\$f\"; done"
bench feedparser $FP_F $FP_B $FP_I 1 "xargs $PY $SHARED/fp_parse.py < $WORK/fp.txt"
}
say "parse-bench: $(tail -1 "$R/wiredesk_parse.out")"
say "sfeed items: $(cat "$C"/*.xml | sfeed | wc -l) of $ALL_I"

# ---------------------------------------------------------------- table
$PY - "$R" <<'EOF'
import os, sys
R = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(R, "index.tsv"))]
rate = {}
print(f"{'benchmark':22} {'feeds':>5} {'MB':>7} {'median s':>9} {'cpu s':>6} "
      f"{'MB/s':>8} {'items/s':>9} {'peak RSS':>10}")
for name, files, nbytes, items in rows:
    med, cpu = (float(x) for x in open(os.path.join(R, name + ".time")).read().split())
    try:
        rss = f"{int(open(os.path.join(R, name + '.rss')).read().split()[-1]) / 1024:.1f} MiB"
    except (ValueError, IndexError, OSError):
        rss = "?"
    mb = int(nbytes) / 1e6
    rate[name] = mb / med
    print(f"{name:22} {files:>5} {mb:7.1f} {med:9.3f} {cpu:6.2f} {mb / med:8.1f} "
          f"{int(items) / med:9.0f} {rss:>10}")
print("(MB = 10^6 bytes of feed XML; median of the timed runs; peak RSS of one more run)")
print()
f = rate.get("wiredesk_parse")
for other, label in (("expat_empty_cb", "expat empty-callback floor (goal >= 0.80)"),
                     ("expat_ns_text", "expat namespaces + text floor"),
                     ("sfeed_one_process", "sfeed, one process (goal > 1)"),
                     ("sfeed_per_file", "sfeed, one process per feed"),
                     ("feedparser", "python3-feedparser")):
    if f and other in rate:
        print(f"  wiredesk_parse speed / {label:44} {f / rate[other]:6.2f}x")
EOF
