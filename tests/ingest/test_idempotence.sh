#!/usr/bin/env bash
# Invariant 3: loading the same collection twice leaves the database exactly
# as loading it once (every table, including rejects and the load history);
# loading a changed row replaces the stored one.
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd sqlite3
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$slds" synth "$tmp/c" --students 4000 --years 3 --seed 5 --dirty 0.01 >/dev/null || { echo "synth failed"; exit 1; }
"$slds" load "$tmp/once.db" "$tmp/c" --rejects "$tmp/r1.csv" >/dev/null 2>&1 || { echo "load failed"; exit 1; }
cp "$tmp/once.db" "$tmp/twice.db"
"$slds" load "$tmp/twice.db" "$tmp/c" --rejects "$tmp/r2.csv" >/dev/null 2>&1 || { echo "second load failed"; exit 1; }
fail=0
if [ "$(sqlite3 "$tmp/once.db" .sha3sum)" != "$(sqlite3 "$tmp/twice.db" .sha3sum)" ]; then
    echo "FAIL: a second load of the same collection changed the database"
    sqlite3 "$tmp/once.db" .dump >"$tmp/once.sql"; sqlite3 "$tmp/twice.db" .dump >"$tmp/twice.sql"
    diff "$tmp/once.sql" "$tmp/twice.sql" | head -20
    fail=1
else
    echo "ok: loading twice = loading once"
fi
cmp -s "$tmp/r1.csv" "$tmp/r2.csv" || { echo "FAIL: rejects.csv differs between the loads"; fail=1; }

# A changed row replaces the stored one: change one score and load again.
line=$(awk -F, 'NR>1 && $5=="STATE" && $8!="" {print NR; exit}' "$tmp/c/assessments.csv")
key=$(awk -F, -v n="$line" 'NR==n {print $1","$2","$3}' "$tmp/c/assessments.csv")
awk -F, -v OFS=, -v n="$line" 'NR==n {$8=999} {print}' "$tmp/c/assessments.csv" >"$tmp/a.csv"
mkdir -p "$tmp/changed"; cp "$tmp/a.csv" "$tmp/changed/assessments.csv"
"$slds" load "$tmp/twice.db" "$tmp/changed" --rejects "$tmp/r3.csv" >/dev/null 2>&1 || { echo "FAIL: reload of a changed row failed"; fail=1; }
IFS=, read -r sid year subj <<<"$key"
got=$(sqlite3 "$tmp/twice.db" "SELECT scale_score FROM assessments WHERE student_id='$sid' AND school_year=$year AND subject='$subj' AND test_type='STATE'")
[ "$got" = "999.0" ] || { echo "FAIL: changed score not replaced (got '$got')"; fail=1; }
n1=$(sqlite3 "$tmp/once.db" "SELECT count(*) FROM assessments")
n2=$(sqlite3 "$tmp/twice.db" "SELECT count(*) FROM assessments")
[ "$n1" = "$n2" ] || { echo "FAIL: re-load of a changed row added rows ($n1 -> $n2)"; fail=1; }
[ $fail -eq 0 ] && echo "ok: a changed row replaced the stored one ($n1 rows before and after)"
exit $fail
