#!/bin/sh
# fuzz/run.sh [SECONDS]: build the libFuzzer targets with clang, ASan and
# UBSan, every library instrumented for coverage (in $FUZZ_BUILD, default
# build-fuzz; FUZZ_TARGETS picks targets), seed them from tests/data, and
# run each target for SECONDS (default 30). Prints executions per target;
# exits 1 when any target does not build or found a crash, leak or timeout
# (the reproducer is left in $FUZZ_BUILD/artifacts/).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
build=${FUZZ_BUILD:-$root/build-fuzz}
targets=${FUZZ_TARGETS:-parse yaml sanitize date url}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$root" -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link \
		--buildtype=debugoptimized >/dev/null || exit 2
fi
"$root/fuzz/seed.sh" "$build/seeds" >/dev/null || exit 2

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
mkdir -p "$build/artifacts"
status=0
for t in $targets; do
	if ! ninja -C "$build" "fuzz/fuzz_$t" >"$build/ninja-$t.log" 2>&1; then
		grep -m3 -E 'error|FAILED' "$build/ninja-$t.log"
		echo "fuzz_$t: does not build, FAILED (see $build/ninja-$t.log)"
		status=1
		continue
	fi
	corpus=$build/corpus/$t
	mkdir -p "$corpus"
	log=$build/fuzz_$t.log
	dict=
	[ -f "$root/fuzz/$t.dict" ] && dict=-dict=$root/fuzz/$t.dict
	"$build/fuzz/fuzz_$t" $dict -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t-" \
		"$corpus" "$build/seeds/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "fuzz_$t: ${execs:-?} executions in ${secs}s, $cov, ok"
	else
		echo "fuzz_$t: ${execs:-?} executions, FAILED (exit $rc), see $log"
		grep -m3 -E 'ERROR|runtime error|SUMMARY' "$log"
		status=1
	fi
done
exit $status
