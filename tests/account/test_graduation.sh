#!/usr/bin/env bash
# test_graduation.sh - `slds report DB graduation` on the hand-built collection
# tests/data/account/grad (NOTES.md there computes every figure by hand): the
# CSV equals expected.csv; schools add up to districts and districts to the
# state (invariant G7); a cohort that began before the first loaded year and a
# year not loaded are errors (exit 1), a bad level or subgroup a usage error
# (exit 2); --level and --subgroup select rows; the HTML form has its charts.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data=$src/tests/data/account/grad
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load
"$slds" report "$tmp/db" graduation --year 2024 --format csv >"$tmp/out.csv" || fail report
diff -u "$data/expected.csv" "$tmp/out.csv" || fail "graduation differs from expected.csv"

python3 - "$tmp/out.csv" <<'PY' || fail "levels do not add up (G7)"
import csv, sys
from collections import defaultdict
rows = [r for r in csv.reader(open(sys.argv[1]))]
head = rows[0]
body = []
for r in rows[1:]:
    if not r:
        break
    body.append(dict(zip(head, r)))
lea_of = {"H1": "L1", "H3": "L1", "H2": "L2"}
for col in ["adjusted_cohort", "graduates", "adjusted_cohort_5yr", "graduates_5yr", "removed",
            "dropouts", "other_completers", "still_enrolled"]:
    lea, state = defaultdict(int), defaultdict(int)
    for r in body:
        if r["level"] == "school":
            lea[(lea_of[r["group_id"]], r["subgroup"])] += int(r[col])
        if r["level"] == "lea":
            state[r["subgroup"]] += int(r[col])
    for r in body:
        if r["level"] == "lea":
            assert lea[(r["group_id"], r["subgroup"])] == int(r[col]), (col, r)
        if r["level"] == "state":
            assert state[r["subgroup"]] == int(r[col]), (col, r)
    for r in body:  # G7: adjusted cohort = graduates + dropouts + other + still enrolled
        assert int(r["adjusted_cohort"]) == int(r["graduates"]) + int(r["dropouts"]) + \
            int(r["other_completers"]) + int(r["still_enrolled"]), r
PY

"$slds" report "$tmp/db" graduation --year 2024 --level lea --subgroup all --format csv >"$tmp/lea.csv" || fail "--level lea"
grep -c "^lea," "$tmp/lea.csv" | grep -qx 2 || fail "--level lea --subgroup all: expected 2 rows"
grep -q "^lea,L2,all,2021,1,1,100.00," "$tmp/lea.csv" || fail "A12 not counted at L2"

"$slds" report "$tmp/db" graduation --year 2023 >/dev/null 2>"$tmp/e1"
[ $? -eq 1 ] || fail "class of 2023 (cohort 2020, before the data) should fail with 1"
grep -q "before the first loaded year" "$tmp/e1" || fail "message for a cohort before the data"
"$slds" report "$tmp/db" graduation --year 2027 >/dev/null 2>&1
[ $? -eq 1 ] || fail "a year not loaded should fail with 1"
"$slds" report "$tmp/db" graduation --year 2024 --level county >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --level should be a usage error"
"$slds" report "$tmp/db" graduation --year 2024 --subgroup martians >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --subgroup should be a usage error"

"$slds" report "$tmp/db" graduation --year 2024 --format html >"$tmp/g.html" || fail html
[ "$(grep -c '<svg' "$tmp/g.html")" -eq 2 ] || fail "html: expected two charts"
grep -q '<h2>Adjusted cohort graduation rate, class of 2024</h2>' "$tmp/g.html" || fail "html: table"

# Public form: the state's 12 are shown, its 3 graduates (a count under 10) and
# the rate are not; every other group is under 10; the chart is dropped.
"$slds" report "$tmp/db" graduation --year 2024 --public --format csv >"$tmp/p.csv" 2>/dev/null || fail public
grep -q "^state,STATE,all,2021,12,\*,\*,11,\*,\*," "$tmp/p.csv" || fail "public: state row"
grep -q "^school,H1,all,2021,\*,\*,\*," "$tmp/p.csv" || fail "public: school of 8 shown"
"$slds" report "$tmp/db" graduation --year 2024 --public --format html 2>/dev/null | grep -q '<svg' &&
    fail "public html keeps the chart"
echo ok
