#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/tidy.sh [BUILD]: clang-tidy (checks and exceptions in .clang-tidy)
# over the program's .c files (core feeds selections output aggregator) and
# the fuzz targets that BUILD (default build) compiles; tests/ and bench/
# are not shipped and not held to it. Prints each finding and a count per check; exits 1 when
# there is any finding.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
[ -f "$build/compile_commands.json" ] ||
	{ echo "tidy: no $build/compile_commands.json (meson setup $build)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
dirs="core feeds selections output aggregator fuzz"
files=$(git ls-files -- $(for d in $dirs; do echo "$d/*.c"; done) \
	2>/dev/null) || files=$(find $dirs -name '*.c' 2>/dev/null | sort)
n=0
for f in $files; do
	grep -q "\"[^\"]*/$f\"" "$build/compile_commands.json" || continue
	n=$((n + 1))
	clang-tidy -p "$build" --quiet "$f" 2>/dev/null |
		grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' >>"$out"
done
sort -u "$out" -o "$out"
cat "$out"
echo "tidy: $n files, $(wc -l <"$out") findings"
grep -oE '\[[a-z0-9.,-]+\]$' "$out" | sort | uniq -c | sort -rn
[ ! -s "$out" ]
