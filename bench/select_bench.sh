#!/bin/sh
# bench/select_bench.sh: build and run the selection benchmark (100 rules
# over 50,000 synthetic stories against a plain scan of the same text).
# Usage: bench/select_bench.sh [BUILD_DIR] [STORIES] [ROUNDS] [DROP]
# (DROP: rule groups to leave out, see bench/select_bench.c)
# Needs subdir('bench') in the top-level meson.build.
set -eu
build=${1:-build}
meson compile -C "$build" select-bench >/dev/null
exec "$build/bench/select-bench" "${2:-50000}" "${3:-5}" "${4:-}"
