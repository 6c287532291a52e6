#!/usr/bin/env bash
# test_preparation.sh - `slds report DB preparation` on the hand-built
# collection tests/data/account/educators with educators.sql (NOTES.md there
# computes every figure): new educators from years_experience as of the last
# assignment, two years pooled, FTE-weighted figures, each program against
# the other new educators, a staff member's route overriding the program's,
# nothing reported below --min-teachers.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data=$src/tests/data/account/educators
require_cmd sqlite3
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load
sqlite3 "$tmp/db" <"$data/educators.sql" || fail "educator_results"
"$slds" report "$tmp/db" preparation --year 2024 --years 2 --min-teachers 2 --format csv >"$tmp/p.csv" || fail report
python3 - "$tmp/p.csv" <<'PY' || fail figures
import csv, sys
rows = {(r["level"], r["group_id"], r["role"]): r for r in csv.DictReader(open(sys.argv[1]))}
cols = ["educators", "educator_years", "students", "mean_sgp", "share_1_grade", "achievement", "value_added",
        "rated", "effective_or_better_pct", "other_new_mean_sgp", "other_new_value_added",
        "mean_sgp_difference", "value_added_difference"]
want = {("program", "PA"): "4 5 60 50.0 0.418 50.9 0.55 5 80.0 60.0 1.67 -10.0 -1.12",
        ("program", "PB"): "3 3 40 60.0 0.500 53.8 1.67 2 50.0 50.0 0.55 10.0 1.12",
        ("state", "state"): "7 8 100 53.5 0.447 52.1 0.94 7 71.4",
        ("route", "ALTERNATIVE"): "2 2 30 70.0 0.600 56.7 3.00 1 100.0 48.5 0.31 21.5 2.69"}
for (level, group), w in want.items():
    r = rows[(level, group, "TEACHER")]
    got = [r[c] for c in cols][:len(w.split())]
    assert got == w.split(), (group, got)
assert rows[("route", "TRADITIONAL", "TEACHER")]["educators"] == "5"
assert rows[("program", "PA", "TEACHER")]["route"] == "TRADITIONAL"
assert not any(role == "PRINCIPAL" for (_, _, role) in rows), "no new principal"
PY
"$slds" report "$tmp/db" preparation --year 2024 --years 2 --min-teachers 3 --format csv >"$tmp/m.csv" || fail "min 3"
grep -q '^route,ALTERNATIVE,new_educators,TEACHER,,,,2,2,30,,,,,1,,,,,,fewer than 3 educators: not reported$' "$tmp/m.csv" ||
    fail "below the minimum: $(grep ALTERNATIVE "$tmp/m.csv")"
# the default minimum (25) reports no program figure here
"$slds" report "$tmp/db" preparation --year 2024 --years 2 --format csv | grep -c 'fewer than 25' | grep -qx 5 ||
    fail "default minimum 25"
"$slds" report "$tmp/db" preparation --year 2020 >/dev/null 2>&1
[ $? -eq 1 ] || fail "no new educators in the window: exit 1"
echo "ok: preparation"
