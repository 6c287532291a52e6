#!/usr/bin/env bash
# Static check of the library and the tool: cppcheck's warning and portability
# checks must find nothing (skipped, and said so, when cppcheck is missing).
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
src=${SLDS_SOURCE_DIR:?}/src
require_cmd cppcheck
out=$(cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 -I "$src" \
      --suppress=missingIncludeSystem "$src" 2>&1)
status=$?
[ -n "$out" ] && echo "$out"
[ $status -eq 0 ] && echo "ok: cppcheck finds nothing in src/" || echo "FAIL: cppcheck findings"
exit $status
