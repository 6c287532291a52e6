#!/usr/bin/env bash
# test_fuzz_smoke.sh - a short run of the two libFuzzer targets (fuzz/fuzz_csv.c,
# fuzz/fuzz_row.c), so that the targets keep building and a shallow bug in the
# CSV reader, the cell parsers or the loader is caught by ctest. Long runs:
# docs/fuzzing.md.
#
# Needs clang with -fsanitize=fuzzer; without it, prints why and passes
# ("skipped"). Builds in $SLDS_BUILD_DIR/fuzz-build (configured once, reused):
# CC=clang, -DSLDS_FUZZ=ON -DSLDS_SANITIZE=ON, the library instrumented for
# coverage and the CSV window shrunk to 32 bytes so records cross it. Each
# target then runs SLDS_FUZZ_SECONDS (default 20) seconds on seeds made from
# tests/data/*/*.csv (less when the build took long: the test stays under
# 90 s). A crash fails the test and leaves the input in fuzz-build/artifacts/
# with the command that replays it.
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
src=${SLDS_SOURCE_DIR:?set SLDS_SOURCE_DIR to the source tree}
build=${SLDS_BUILD_DIR:-$src/build}/fuzz-build
seconds=${SLDS_FUZZ_SECONDS:-20}
cc=${SLDS_FUZZ_CC:-clang}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v "$cc" >/dev/null 2>&1 || skip "$cc not found (libFuzzer needs clang)"
cat >"$tmp/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; (void)size; return 0; }
EOF
if ! "$cc" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" >"$tmp/probe.log" 2>&1; then
    sed 's/^/  /' "$tmp/probe.log" | head -5
    skip "$cc cannot build with -fsanitize=fuzzer,address,undefined (above)"
fi

start=$(date +%s)
if [ ! -f "$build/CMakeCache.txt" ]; then
    if ! CC=$cc cmake -S "$src" -B "$build" -DSLDS_FUZZ=ON -DSLDS_SANITIZE=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "-DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DSLDS_CSV_WINDOW=32" >"$tmp/configure.log" 2>&1; then
        cat "$tmp/configure.log"
        echo "FAIL: cannot configure the fuzz build in $build"
        exit 1
    fi
fi
if ! cmake --build "$build" -j2 --target fuzz_csv fuzz_row >"$tmp/build.log" 2>&1; then
    tail -40 "$tmp/build.log"
    echo "FAIL: the fuzz targets do not build"
    exit 1
fi
built=$(( $(date +%s) - start ))
echo "built fuzz_csv and fuzz_row in $built s ($build)"
# The whole test stays under 90 s: a slow (first) build shortens the runs.
if [ -z "${SLDS_FUZZ_SECONDS:-}" ] && [ $(( built + 2 * seconds + 5 )) -gt 90 ]; then
    seconds=$(( (85 - built) / 2 ))
    [ "$seconds" -lt 5 ] && seconds=5
    echo "the build took $built s: running each target $seconds s"
fi

# Seeds: every golden file for fuzz_csv; for fuzz_row, the same files with the
# two selector bytes in front (written by the target, which knows the order).
mkdir -p "$tmp/csv" "$tmp/row" "$build/artifacts"
for f in "$src"/tests/data/*/*.csv; do
    cp "$f" "$tmp/csv/$(basename "$(dirname "$f")")_$(basename "$f")"
done
printf 'id,"a\r\nb",""""\r\n"x"y,\xEF\xBB\xBF\xC3\xA9,\xED\xA0\x80\r' >"$tmp/csv/handmade"
if ! SLDS_FUZZ_SEEDS_FROM="$src/tests/data" SLDS_FUZZ_SEEDS_TO="$tmp/row" "$build/fuzz_row" \
    >"$tmp/seeds.log" 2>&1; then
    cat "$tmp/seeds.log"
    echo "FAIL: fuzz_row could not write its seeds"
    exit 1
fi

# Dictionaries: the tokens the formats are made of.
cat >"$tmp/csv.dict" <<'EOF'
"\x22"
"\x22\x22"
","
"\x0d\x0a"
"\x0d"
"\x0a"
"\xef\xbb\xbf"
"\x00"
"\xc3\xa9"
"\xed\xa0\x80"
"\xf4\x90\x80\x80"
"\xc0\xaf"
EOF
cp "$tmp/csv.dict" "$tmp/row.dict"
cat >>"$tmp/row.dict" <<'EOF'
"L1"
"S1"
"T1"
"P1"
"M4.1"
"1000000001"
"1000000002"
"2023"
"2022-08-22"
"2023-06-09"
"2023-04-20T10:00:00Z"
"PK"
"KG"
"04"
"Y"
"N"
"F"
"MATH"
"TEACHER"
"STATE"
"PROMOTED"
"ELEMENTARY"
"TRADITIONAL"
"0.5"
"-1"
EOF

fail=0
for target in csv row; do
    log=$build/fuzz_$target.log
    "$build/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -dict="$tmp/$target.dict" \
        -artifact_prefix="$build/artifacts/fuzz_$target-" "$tmp/$target" >"$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    corpus=$(ls "$tmp/$target" | wc -l)
    if [ $status -ne 0 ]; then
        grep -A30 -m1 'ERROR\|check failed\|deadly signal\|leak' "$log"
        artifact=$(grep -o "$build/artifacts/[^ ]*" "$log" | tail -1)
        echo "FAIL: fuzz_$target found a crash (exit $status); log $log"
        [ -n "$artifact" ] && echo "  replay: $build/fuzz_$target $artifact"
        fail=1
    else
        echo "ok: fuzz_$target ${seconds}s, ${execs:-?} executions, ${cov:-cov: ?}, corpus $corpus inputs"
    fi
done
echo "total $(( $(date +%s) - start )) s"
exit $fail
