#!/usr/bin/env bash
# test_lowest.sh - `slds report DB lowest-achieving` and `slds interventions`
# on the hand-built collection tests/data/account/lowest (NOTES.md computes
# every figure): the CSV equals expected.csv (a tie at the cut, progress
# keeping a school out, graduation below 60%, a district with ten identified
# schools using transformation in seven: not allowed); after a corrected
# interventions file the district complies; --progress-weight 0 ranks on
# achievement alone; a bad interventions file stores nothing (exit 1).
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data=$src/tests/data/account
"$slds" load "$tmp/db" "$data/lowest" >/dev/null 2>&1 || fail load
"$slds" interventions "$tmp/db" "$data/lowest_interventions.csv" >"$tmp/i.out" || fail interventions
grep -q "13 rows stored" "$tmp/i.out" || fail "interventions: 13 rows"
"$slds" report "$tmp/db" lowest-achieving --year 2024 --format csv >"$tmp/out.csv" || fail report
diff -u "$data/lowest/expected.csv" "$tmp/out.csv" || fail "lowest-achieving differs from expected.csv"

"$slds" interventions "$tmp/db" "$data/lowest_interventions_fix.csv" >/dev/null || fail "interventions fix"
"$slds" report "$tmp/db" lowest-achieving --year 2024 --format csv >"$tmp/fix.csv" || fail "report after fix"
grep -q '^lea,L1,all,10,10,5,50.0,yes,yes,' "$tmp/fix.csv" || fail "after the fix L1 should comply (5 of 10)"

"$slds" report "$tmp/db" lowest-achieving --year 2024 --progress-weight 0 --format csv >"$tmp/w0.csv" || fail "weight 0"
[ "$(grep -c '^school,T.*,yes,' "$tmp/w0.csv")" -eq 7 ] || fail "--progress-weight 0: 7 T schools identified"
grep -q '^school,T04,.*,4,16,5,,yes,' "$tmp/w0.csv" || fail "--progress-weight 0: T04 rank 4"

printf 'school_id,school_year,model\nT08,2024,TURNAROUND\nT09,2024,CHARTERIZE\n' >"$tmp/bad.csv"
"$slds" interventions "$tmp/db" "$tmp/bad.csv" >/dev/null 2>"$tmp/bad.err"
[ $? -eq 1 ] || fail "a bad model should fail with 1"
grep -q "line 3, column model: 'CHARTERIZE'" "$tmp/bad.err" || fail "bad model message: $(cat "$tmp/bad.err")"
"$slds" report "$tmp/db" lowest-achieving --year 2024 --format csv | grep -q '^school,T08,.*,no,,' ||
    fail "a failed interventions load stored a row"
printf 'school_id,school_year,model\nX99,2024,CLOSURE\n' >"$tmp/unknown.csv"
"$slds" interventions "$tmp/db" "$tmp/unknown.csv" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an unknown school should fail with 1"

"$slds" report "$tmp/db" lowest-achieving --year 2024 --years 0 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--years 0 should be a usage error"
"$slds" report "$tmp/db" lowest-achieving --year 2024 --format html | grep -q '<svg' || fail "html: no chart"
echo ok
