#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/fulldisk.sh [WIREDESK]: a full disk, once under the state (SQLite)
# and once under the output folder. Each case mounts a 2 MiB tmpfs (root
# only; else a loop-mounted ext2 image; else it exits 77, a skip), runs
# wiredesk once on small feeds, fills the file system, grows the feeds, and
# asserts that the next run exits non-zero with a clear message on stderr
# and leaves the old outputs byte for byte as they were (and no .tmp file),
# then that a run after space is freed succeeds again.
set -u
exe=${1:-${WIREDESK:-build/wiredesk}}
case $exe in /*) ;; *) exe=$(pwd)/$exe ;; esac
[ -x "$exe" ] || { echo "fulldisk: no wiredesk at $exe" >&2; exit 2; }
export WIREDESK_NOW=2026-11-26T12:00:00Z
top=$(mktemp -d /tmp/wd-fulldisk-XXXXXX)
mounts=
fails=0
passes=0

cleanup() {
	for m in $mounts; do
		umount "$m" 2>/dev/null
	done
	rm -rf "$top"
}
trap cleanup EXIT INT TERM

# mount_small DIR: a 2 MiB file system at DIR; prints its kind. (Runs in a
# subshell: the caller records DIR in $mounts.)
mount_small() {
	mkdir -p "$1"
	if mount -t tmpfs -o size=2m tmpfs "$1" 2>/dev/null; then
		echo tmpfs
		return 0
	fi
	if dd if=/dev/zero of="$1.img" bs=1k count=2048 2>/dev/null &&
		mkfs.ext2 -q -F "$1.img" 2>/dev/null &&
		mount -o loop "$1.img" "$1" 2>/dev/null; then
		echo ext2-loop
		return 0
	fi
	return 1
}

# feeds DIR NITEMS BODYBYTES: three local RSS files.
feeds() {
	/usr/bin/python3 - "$@" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d, exist_ok=True)
for f in range(3):
    items = []
    for i in range(n):
        body = ("wire copy %d %d " % (f, i)) * (size // 16 + 1)
        items.append(
            "<item><title>Story %d of wire %d about topic %d</title>"
            "<link>http://wire%d.example/s/%d</link><guid>w%d-%d</guid>"
            "<pubDate>Thu, 26 Nov 2026 %02d:%02d:00 GMT</pubDate>"
            "<description>%s</description></item>"
            % (i, f, i * 7919 % 1000, f, i, f, i, 11 - i % 10, i % 60,
               body[:size]))
    with open(os.path.join(d, "wire-%d.xml" % f), "w") as fh:
        fh.write('<?xml version="1.0"?><rss version="2.0"><channel>'
                 "<title>Wire %d</title><link>http://wire%d.example/</link>"
                 "<description>w</description>%s</channel></rss>"
                 % (f, f, "".join(items)))
PY
}

check() { # name condition-command...
	name=$1
	shift
	if "$@"; then
		passes=$((passes + 1))
		echo "ok: $name"
	else
		fails=$((fails + 1))
		echo "FAILED: $name"
	fi
}

# run_case NAME WHICH [LEAVE_KB]: WHICH is state or output, the one on the
# small fs; the filler leaves LEAVE_KB free (0: none), so that with some
# room the run gets past opening and fails in the middle.
run_case() {
	d=$top/$1
	mkdir -p "$d/selections"
	kind=$(mount_small "$d/fs") || {
		echo "fulldisk: cannot mount a small file system (need root)"
		exit 77
	}
	mounts="$d/fs $mounts"
	if [ "$2" = state ]; then
		state=fs/state/wiredesk.db out=public
	else
		state=state/wiredesk.db out=fs/public
	fi
	cat >"$d/wiredesk.yaml" <<EOF
state: $state
output: $out
selections: selections
feeds:
  - {id: wire-0, url: feeds/wire-0.xml, source: Wire0}
  - {id: wire-1, url: feeds/wire-1.xml, source: Wire1}
  - {id: wire-2, url: feeds/wire-2.xml, source: Wire2}
EOF
	cat >"$d/selections/desk.yaml" <<EOF
audience: desk
title: Full disk desk
link: https://gazette.example/desk
window: 72h
limit: 30
one_per_story: no
EOF
	feeds "$d/feeds" 5 200
	"$exe" -c "$d/wiredesk.yaml" run --force >/dev/null 2>"$d/err1"
	check "$1: first run on $kind exits 0" test $? -eq 0
	(cd "$d/$out" && cksum desk.* >"$d/before")
	check "$1: first run wrote 4 outputs" test "$(wc -l <"$d/before")" -eq 4

	dd if=/dev/zero of="$d/fs/filler" bs=4k 2>/dev/null
	leave=${3:-0}
	if [ "$leave" -gt 0 ]; then
		size=$(du -k "$d/fs/filler" | cut -f1)
		truncate -s $(((size - leave) * 1024)) "$d/fs/filler"
	fi
	feeds "$d/feeds" 400 3000
	"$exe" -c "$d/wiredesk.yaml" run --force >/dev/null 2>"$d/err2"
	rc=$?
	echo "  exit $rc; stderr:"
	sed -n '1,6s/^/  | /p' "$d/err2"
	check "$1: run on a full disk exits non-zero" test $rc -ne 0
	check "$1: run on a full disk says so on stderr" \
		grep -qiE 'space|full|disk|write|I/O|store|database' "$d/err2"
	(cd "$d/$out" && cksum desk.* >"$d/after")
	check "$1: old outputs intact" cmp -s "$d/before" "$d/after"
	check "$1: no temporary file left" \
		test -z "$(find "$d/$out" -name '*.tmp*')"

	rm -f "$d/fs/filler"
	# The grown feeds do not fit in 2 MiB at all: back to a size that
	# does, a little larger than the first.
	feeds "$d/feeds" 40 300
	"$exe" -c "$d/wiredesk.yaml" run --force >/dev/null 2>"$d/err3"
	rc=$?
	check "$1: run after space is freed exits 0" test $rc -eq 0
	[ $rc -eq 0 ] || sed -n '1,6s/^/  | /p' "$d/err3"
	db=$d/$state
	check "$1: database integrity_check ok" \
		test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok
	check "$1: outputs are valid XML" \
		xmllint --noout "$d/$out/desk.rss" "$d/$out/desk.atom"
}

run_case state-full state
run_case state-nearly-full state 256
run_case output-full output
run_case output-nearly-full output 64
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
