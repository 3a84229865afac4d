#!/bin/sh
# bench/ingest_bench.sh: ingest 1000 new items into an archive of N items
# (default 1000000) and into an empty one; prints both times and the ratio
# (goal: at most 1.5), and both against an archive of the large one's last
# three days alone. Filling the large archive takes about a minute.
# usage: bench/ingest_bench.sh [BUILD_DIR] [N] [NEW]
set -eu
build=${1:-build}
n=${2:-1000000}
new=${3:-1000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/wd-ingest.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$build/bench/ingest-bench" "$dir" "$n" "$new"
ls -l "$dir"
