#!/bin/sh
# fuzz/seed.sh DIR: build the seed corpora DIR/<target>/ from tests/data (and
# tests/data/fuzz regression inputs). Nothing here is committed: DIR is meant
# to sit in a build directory.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: seed.sh DIR}
data=$root/tests/data
mkdir -p "$out/parse" "$out/yaml" "$out/sanitize" "$out/date" "$out/url"

n=0
seed() { # target file-with-bytes
	n=$((n + 1))
	cp "$2" "$out/$1/seed-$n"
}
seedtext() { # target text
	n=$((n + 1))
	printf '%s' "$2" >"$out/$1/seed-$n"
}

# parse: every feed fixture, once sniffed (selector byte 0) and once with a
# Content-Type (selector byte 1..7).
for f in $(find "$data" -type f \( -name '*.xml' -o -name '*.rss' \
	-o -name '*.atom' -o -name '*.json' -o -name '*.rdf' \) | sort); do
	n=$((n + 1))
	{ printf '\000'; cat "$f"; } >"$out/parse/seed-$n"
	n=$((n + 1))
	{ printf '\001'; cat "$f"; } >"$out/parse/seed-$n"
done

# yaml: audience files, the example config, and a few shapes.
for f in $(find "$data/selections" "$root/examples" -type f \
	\( -name '*.yaml' -o -name '*.yml' \) | sort); do
	seed yaml "$f"
done
seedtext yaml 'a: &x [1, 2]
b: *x
c: {d: "e", f: [g, h]}
'
seedtext yaml 'feeds:
  - id: reuters-world
    url: https://example.org/world.xml
    every: 15m
'

# sanitize: HTML bodies from the fixtures plus classic attacks.
[ -f "$data/output/xss.txt" ] && seed sanitize "$data/output/xss.txt"
for f in $(find "$data/feeds" -type f -name '*.xml' | sort); do
	seed sanitize "$f"
done
seedtext sanitize '<p onclick="x()">Hi <a href="javascript:alert(1)">x</a><script>alert(1)</script><img src=x onerror=alert(1)></p>'
seedtext sanitize '<a href="/rel/path?q=1#f">rel</a><svg><style>*{}</style></svg>&amp;&#x27;&nbsp;'

# date: the formats the parser reads.
for s in 'Tue, 02 Jan 2024 03:04:05 +0000' 'Tue, 2 Jan 2024 03:04 EST' \
	'2024-01-02T03:04:05Z' '2024-01-02T03:04:05.123+05:30' '2024-01-02' \
	'Tue Jan  2 03:04:05 2024' '02 Jan 24 03:04:05 GMT' '2024-01' '15m' \
	'48h' '7d' '2w' '90'; do
	seedtext date "$s"
done

# url: links with tracking, ports, dot segments, IDN, and URL\0BASE pairs.
for s in 'https://Example.ORG:443/a/./b/../c?utm_source=x&id=3#frag' \
	'http://user:pw@example.org:80/%7euser/?fbclid=1' \
	'https://www.xn--bcher-kva.example/path#!/route' \
	'https://b\0303\0274cher.example/\0303\0251t\0303\0251' \
	'mailto:a@b.c'; do
	n=$((n + 1))
	printf '%b' "$s" >"$out/url/seed-$n"
done
n=$((n + 1))
printf '../up/page?x=1\000http://example.org/a/b/c.html' >"$out/url/seed-$n"

# Regression inputs found earlier go in as seeds too.
if [ -d "$data/fuzz" ]; then
	for f in "$data"/fuzz/*; do
		[ -f "$f" ] || continue
		t=$(basename "$f" | cut -d- -f1)
		[ -d "$out/$t" ] && seed "$t" "$f"
	done
fi
for t in parse yaml sanitize date url; do
	echo "$t: $(ls "$out/$t" | wc -l) seeds"
done
