#!/usr/bin/env bash
# test_college.sh - `slds report DB college` on the hand-built collection
# tests/data/account/college (NOTES.md computes every figure by hand): the CSV
# equals expected.csv; --credits changes the credit share; a year without
# graduates is an error (1); the parts 2-year + 4-year add up to enrolled.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data=$src/tests/data/account/college
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load
"$slds" report "$tmp/db" college --year 2024 --format csv >"$tmp/out.csv" || fail report
diff -u "$data/expected.csv" "$tmp/out.csv" || fail "college differs from expected.csv"
"$slds" report "$tmp/db" college --year 2024 --credits 24 --level state --subgroup all --format csv >"$tmp/c24.csv" ||
    fail "--credits 24"
grep -q "^state,STATE,all,2024,8,5,62.50,2,25.00,3,37.50,2,40.00,4,4,100.00$" "$tmp/c24.csv" || fail "--credits 24: C08 should count"
"$slds" report "$tmp/db" college --year 2022 >/dev/null 2>&1
[ $? -eq 1 ] || fail "a year without graduates should fail with 1"
"$slds" report "$tmp/db" college --year 2024 --credits 0 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--credits 0 should be a usage error"
python3 - "$tmp/out.csv" <<'PY' || fail "2-year + 4-year != enrolled"
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    assert int(r["enrolled_2yr"]) + int(r["enrolled_4yr"]) == int(r["enrolled"]), r
PY
"$slds" report "$tmp/db" college --year 2024 --format html | grep -q '<svg' || fail "html: no chart"
echo ok
