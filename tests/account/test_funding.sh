#!/usr/bin/env bash
# test_funding.sh - `slds report DB funding` on the hand-built collection
# tests/data/account/funding (NOTES.md there computes every figure):
# high-need districts by count, by share and exactly on the 20% boundary;
# a tie on the high-poverty quartile cut; pupils given or counted (a student
# moving between two schools of one district counted once in the district);
# the within-district comparisons; another year's row left out; public
# suppression hides students and poverty of small schools, not dollars; the
# error when no finance rows are loaded.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data=$src/tests/data/account/funding
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load
"$slds" report "$tmp/db" funding --year 2024 --format csv >"$tmp/f.csv" || fail report
python3 - "$tmp/f.csv" <<'PY' || fail figures
import csv, io, sys
parts = open(sys.argv[1]).read().strip().split("\n\n")
units = {(r["level"], r["group_id"]): r for r in csv.DictReader(io.StringIO(parts[0]))}
cmp = {(r["group_id"], r["comparison"]): r for r in csv.DictReader(io.StringIO(parts[1]))}
def check(row, **want):
    for k, v in want.items():
        assert row[k] == v, (row["group_id"], k, row[k], v)
check(units[("state", "state")], pupils="84", expenditure="841000", per_pupil="10012")
check(units[("lea", "L1")], high_need_lea="yes", poverty="65.0", students="20", pupils="25", per_pupil="8840")
check(units[("lea", "L2")], high_need_lea="yes", pupils="20", per_pupil="10500")
check(units[("lea", "L3")], high_need_lea="yes", students="29", per_pupil="8966", per_pupil_other="172")
check(units[("lea", "L4")], high_need_lea="no", per_pupil="15000")
hp = {g for (l, g), r in units.items() if l == "school" and r["high_poverty_school"] == "yes"}
assert hp == {"S1", "S2", "S3"}, hp
check(units[("school", "S1")], pupils="12", per_pupil="10000", per_pupil_federal="1667")
check(units[("school", "S3")], pupils="10", per_pupil="8000")
check(units[("school", "S8")], expenditure="150000")
check(cmp[("state", "high_need_leas_vs_other_leas")], focus_units="3", focus_pupils="74",
      focus_per_pupil="9338", other_per_pupil="15000", difference="-5662", ratio="0.623")
check(cmp[("L1", "high_poverty_schools_vs_other_schools")], difference="1000", ratio="1.111")
check(cmp[("L3", "high_poverty_schools_vs_other_schools")], focus_per_pupil="8000",
      other_units="2", other_per_pupil="9000", ratio="0.889")
check(cmp[("L4", "high_poverty_schools_vs_other_schools")], focus_units="0", difference="",
      note="no high-poverty school in the district")
w = cmp[("state", "high_poverty_schools_vs_other_schools_within_leas")]
check(w, focus_per_pupil="9375", other_per_pupil="9500", difference="-125", ratio="0.987")
assert w["note"].startswith("1 of 3 districts"), w["note"]
check(cmp[("state", "highest_vs_lowest_poverty_quartile_schools")], other_per_pupil="12000",
      difference="-2625", ratio="0.781")
PY
# public: nothing hidden at 10; at 11 students and poverty go, dollars stay
"$slds" report "$tmp/db" funding --year 2024 --public --format csv 2>/dev/null | cmp -s - "$tmp/f.csv" ||
    fail "--public at 10 should hide nothing"
"$slds" report "$tmp/db" funding --year 2024 --public --min-n 11 --level school --format csv \
    >"$tmp/p.csv" 2>/dev/null || fail public
grep -q '^school,S1,all,L1,,yes,\*,\*,12,120000,10000,' "$tmp/p.csv" || fail "public S1: $(grep S1 "$tmp/p.csv")"
# html: a page with the charts
"$slds" report "$tmp/db" funding --year 2024 --format html | grep -q '<svg' || fail "html charts"
# no finance rows for the year: exit 1 and say so
"$slds" report "$tmp/db" funding --year 2022 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "no finance rows for school year 2022" "$tmp/err" || fail "missing year: $(cat "$tmp/err")"
"$slds" report "$tmp/db" funding --year 2024 --level district >/dev/null 2>&1
[ $? -eq 2 ] || fail "a bad level is a usage error"
echo "ok: funding"
