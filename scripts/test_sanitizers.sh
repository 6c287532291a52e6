#!/usr/bin/env bash
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its
# own build folder (build-asan). Left out: the fuzz smoke run (its targets
# are built with the sanitizers already) and the three tests that SIGKILL a
# load at random moments (test_crash, test_first_load, test_ingest_kill): a
# killed process cannot report, what they check is the database file the
# kill leaves, and the loads they let finish run the same code as the other
# ingest tests, which do run here. Under the sanitizers they took a third of
# this run's time (test_crash alone 166 s).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build-asan -DSLDS_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 -E 'fuzz_smoke|ingest/test_crash|ingest/test_first_load|ingest/test_ingest_kill' "$@"
