#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/screenshot.sh: take a PNG screenshot of a wiredesk HTML page with
# headless Chromium, started inside its own network namespace so that the
# page (and Chromium) can reach nothing, not even this machine's loopback.
#
# usage: scripts/screenshot.sh PAGE.html [OUT.png] [WIDTHxHEIGHT]
#   defaults: OUT.png = PAGE.png beside the page, size 420x900 (a phone).
# Needs: chromium (Debian package), unshare (util-linux), and the right to
# create a network namespace (root, or unprivileged user namespaces).
# Not run in CI; run it by hand after changing output/html.c.
set -eu

usage() {
	echo "usage: $0 PAGE.html [OUT.png] [WIDTHxHEIGHT]" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 3 ] || usage
page=$1
[ -r "$page" ] || { echo "$0: cannot read $page" >&2; exit 2; }
out=${2:-${page%.html}.png}
size=${3:-420x900}
case $size in
*[!0-9x]* | x* | *x | *x*x*) usage ;;
*x*) ;;
*) usage ;;
esac

chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "$0: chromium not installed" >&2; exit 1; }

abs=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
case $out in
/*) ;;
*) out=$(pwd)/$out ;;
esac
profile=$(mktemp -d "${TMPDIR:-/tmp}/wd-shot.XXXXXX")
trap 'rm -rf "$profile"' EXIT INT TERM

# unshare -n: a fresh network namespace with only a downed loopback.
# Without root, map ourselves to root in a user namespace first (-r).
netns="unshare -n"
[ "$(id -u)" = 0 ] || netns="unshare -r -n"

# --no-sandbox: Chromium will not start its own sandbox as root or inside
# this namespace; the namespace and the page's Content-Security-Policy
# (no scripts) are the fence here.
timeout 60 $netns "$chromium" --headless --no-sandbox --disable-gpu \
	--no-first-run --disable-background-networking \
	--disable-component-update --disable-sync \
	--disable-default-apps --disable-extensions \
	--hide-scrollbars --user-data-dir="$profile" \
	--window-size="$(echo "$size" | tr x ,)" \
	--screenshot="$out" "file://$abs" >"$profile/log" 2>&1 || {
	echo "$0: chromium failed:" >&2
	tail -5 "$profile/log" >&2
	exit 1
}
[ -s "$out" ] || { echo "$0: no screenshot written" >&2; exit 1; }
echo "$out"
