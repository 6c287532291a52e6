#!/usr/bin/env bash
# Golden collections: each folder tests/data/<case>/ is loaded into a fresh
# database and the report (CSV), rejects.csv, exit status and error message
# are compared with <case>/expected.out, which was checked by hand.
# SLDS_UPDATE_GOLDEN=1 rewrites the expected files (then read them!).
set -u
slds=$1
data=${SLDS_SOURCE_DIR:?}/tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for dir in "$data"/*/; do
    name=$(basename "$dir")
    [ -f "$dir/expected.out" ] || [ -n "${SLDS_UPDATE_GOLDEN:-}" ] || continue
    rm -f "$tmp"/db*
    "$slds" load "$tmp/db" "$dir" --format csv --rejects "$tmp/rejects.csv" >"$tmp/out" 2>"$tmp/err"
    status=$?
    {
        echo "exit: $status"
        echo "--- report"
        cat "$tmp/out"
        echo "--- rejects"
        [ -f "$tmp/rejects.csv" ] && cat "$tmp/rejects.csv"
        echo "--- stderr"
        sed -e "s#$tmp#TMP#g" -e "s#$data/##g" "$tmp/err"
    } >"$tmp/actual"
    rm -f "$tmp/rejects.csv"
    if [ -n "${SLDS_UPDATE_GOLDEN:-}" ]; then
        cp "$tmp/actual" "$dir/expected.out"
    elif ! diff -u "$dir/expected.out" "$tmp/actual"; then
        echo "FAIL: golden collection $name"
        fail=1
    else
        echo "ok: $name"
    fi
done
exit $fail
