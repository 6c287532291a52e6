#!/usr/bin/env bash
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its
# own build folder (build-asan). The fuzz smoke run is left out: its targets
# are built with the sanitizers already.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build-asan -DSLDS_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 -E 'fuzz_smoke' "$@"
