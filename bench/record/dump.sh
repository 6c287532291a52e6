#!/usr/bin/env bash
# bench/record/dump.sh - every answer of the student routes for a list of
# students, saved to files, so that two builds can be compared byte for byte
# on a whole state (issue 11: a faster record must not change a byte).
#
#   bench/record/dump.sh SLDS DIR IDS OUT [USER]
#
# DIR is a state prepared by bench/web/run.sh (state.db and the bench users,
# password bench-password-1); IDS a file of statewide ids, one a line; USER
# the bench user to log in as (default admin). Starts `slds serve` on
# DIR/state.db and writes, per id, OUT/ID.json (GET /api/v1/students/ID),
# OUT/ID.html (GET /students/ID),
# OUT/ID.csv (?format=csv), OUT/ID.page.csv (the page's CSV) and
# OUT/ID.growth.json (GET /api/v1/students/ID/growth), and their statuses
# in OUT/status.txt; the session's CSRF token is masked in every page. Compare two runs with `diff -r`. The server writes its
# sessions and access log rows to the database, nothing else. Not part of
# the test suite.
set -euo pipefail
slds=$(realpath "${1:?usage: dump.sh SLDS DIR IDS OUT [USER]}")
dir=${2:?usage: dump.sh SLDS DIR IDS OUT [USER]}
ids=${3:?usage: dump.sh SLDS DIR IDS OUT [USER]}
out=${4:?usage: dump.sh SLDS DIR IDS OUT [USER]}
user=${5:-admin}
export no_proxy='*' NO_PROXY='*'
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
mkdir -p "$out"
err=$(mktemp)
. "$(dirname "$0")/../web/serve_lib.sh"
serve_start "$slds" "$dir/state.db" "$err" 2
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$err" "$err.cfg"' EXIT
cookie=$(serve_login "$user")
[ -n "$cookie" ] || { echo "dump.sh: cannot log in as $user"; exit 1; }
# One curl for every request: a config file of url/output pairs.
{
    echo "header = \"Cookie: slds_session=$cookie\""
    echo "write-out = \"%{http_code} %{filename_effective}\\n\""
    while read -r id; do
        [ -n "$id" ] || continue
        for pair in "json|/api/v1/students/$id" "html|/students/$id" \
            "csv|/api/v1/students/$id?format=csv" "page.csv|/students/$id?format=csv" \
            "growth.json|/api/v1/students/$id/growth"; do
            IFS='|' read -r ext path <<<"$pair"
            echo "url = \"$base$path\""
            echo "output = \"$out/$id.$ext\""
        done
    done <"$ids"
} >"$err.cfg"
curl -s -K "$err.cfg" >"$out/status.txt"
# The CSRF token is the session's, different at every run.
grep -l 'name="csrf"' "$out"/* | xargs -r sed -i 's/name="csrf" value="[0-9a-f]*"/name="csrf" value="-"/'
sed -i "s| .*/| |" "$out/status.txt"
sort -o "$out/status.txt" "$out/status.txt"
awk '{n[$1]++} END {for (s in n) printf "%s: %d answers\n", s, n[s]}' "$out/status.txt"
