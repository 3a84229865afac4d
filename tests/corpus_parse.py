#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/corpus_parse.py: `wiredesk parse --json` on every file of the shared
feedvalidator and real-feed corpora: exit 0, one valid JSON object with the
neutral schema's keys, no sanitizer report. Run it in an ASan+UBSan build
too. Exits 77 (skip) when ../shared/corpus is absent."""
import concurrent.futures
import json
import os
import subprocess
import sys

WD = os.environ.get("WIREDESK")
SRC = os.environ.get("SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
CORPUS = os.path.join(SRC, "..", "shared", "corpus")


def files():
    for sub in ("feedvalidator/testcases", "real"):
        for dirpath, _, names in os.walk(os.path.join(CORPUS, sub)):
            for n in sorted(names):
                yield os.path.join(dirpath, n)


def check(path):
    try:
        p = subprocess.run([WD, "parse", "--json", path], capture_output=True,
                           timeout=60)
    except subprocess.TimeoutExpired:
        return f"{path}: timeout"
    if p.returncode != 0:
        return f"{path}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}"
    if p.stderr:
        return f"{path}: stderr: {p.stderr.decode(errors='replace')[-500:]}"
    try:
        d = json.loads(p.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return f"{path}: invalid JSON: {e}"
    if not isinstance(d, dict) or "feed" not in d or "entries" not in d:
        return f"{path}: JSON without feed/entries"
    return None


def main():
    if not os.path.isdir(CORPUS):
        print(f"skip: no shared corpus at {CORPUS}")
        return 77
    if not WD or not os.access(WD, os.X_OK):
        print("WIREDESK is not set to the built binary", file=sys.stderr)
        return 1
    paths = list(files())
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        errors = [e for e in ex.map(check, paths) if e]
    for e in errors[:20]:
        print(e)
    print(f"{len(paths)} files, {len(errors)} failed")
    return 1 if errors or len(paths) < 1000 else 0


if __name__ == "__main__":
    sys.exit(main())
