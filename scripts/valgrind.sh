#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/valgrind.sh [WIREDESK]: valgrind memcheck over the real pipeline:
# a copy of examples/ (the demo config, audience and local feeds) run with
# `wiredesk run`, then `publish`, `check` and `parse`, each under memcheck
# with --error-exitcode=1 and full leak checking. Exits 1 on any error or
# definite leak.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
exe=${1:-${WIREDESK:-$root/build/wiredesk}}
case $exe in /*) ;; *) exe=$(pwd)/$exe ;; esac
[ -x "$exe" ] || { echo "valgrind.sh: no wiredesk at $exe" >&2; exit 2; }
command -v valgrind >/dev/null ||
	{ echo "valgrind.sh: valgrind is not installed" >&2; exit 77; }
export WIREDESK_NOW=2026-11-26T12:00:00Z
d=$(mktemp -d /tmp/wd-valgrind-XXXXXX)
trap 'rm -rf "$d"' EXIT
cp -r "$root/examples/." "$d/"
rm -rf "$d/state" "$d/public"
cfg=$d/wiredesk.yaml

status=0
vg() { # name args...
	name=$1
	shift
	valgrind --quiet --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--log-file="$d/vg-$name.log" "$exe" -c "$cfg" "$@" \
		>/dev/null 2>"$d/err-$name"
	rc=$?
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' \
		"$d/vg-$name.log" | tail -1)
	if [ $rc -eq 0 ] && [ ! -s "$d/vg-$name.log" ]; then
		echo "valgrind: $name: clean"
	else
		echo "valgrind: $name: exit $rc ${errs:+($errs errors)}"
		sed -n '1,40p' "$d/vg-$name.log"
		sed -n '1,5p' "$d/err-$name"
		status=1
	fi
}
vg run run
vg run-again run --force
vg publish publish
vg check check
vg parse parse "$d/feeds/reuters-world.xml"
echo "$([ $status -eq 0 ] && echo 5 || echo 0) passed, $([ $status -eq 0 ] && echo 0 || echo 1) failed"
exit $status
