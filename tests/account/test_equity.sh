#!/usr/bin/env bash
# test_equity.sh - `slds report DB equity` on the hand-built collection
# tests/data/account/educators with the educator_results rows of
# educators.sql (NOTES.md there computes every figure): quartile groups with
# schools on the cut, a teacher in two schools counted once per group,
# unrated educators out of the denominators, subject areas, students taught
# by ineffective teachers, the gaps; public suppression of small groups; the
# error without ratings.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data=$src/tests/data/account/educators
require_cmd sqlite3
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load
"$slds" report "$tmp/db" equity --year 2024 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "no educator of 2024 has a rating" "$tmp/err" || fail "no ratings: $(cat "$tmp/err")"
sqlite3 "$tmp/db" <"$data/educators.sql" || fail "educator_results"
"$slds" report "$tmp/db" equity --year 2024 --format csv >"$tmp/e.csv" || fail report
python3 - "$tmp/e.csv" <<'PY' || fail figures
import csv, io, sys
parts = [list(csv.DictReader(io.StringIO(p))) for p in open(sys.argv[1]).read().strip().split("\n\n")]
main, areas, students, gaps = parts
def row(rows, **key):
    hit = [r for r in rows if all(r[k] == v for k, v in key.items())]
    assert len(hit) == 1, (key, len(hit))
    return hit[0]
cols = ["schools", "educators", "rated", "highly_effective", "highly_effective_pct", "effective_or_better",
        "effective_or_better_pct", "ineffective", "ineffective_pct"]
want = {"all_schools": "8 9 8 2 25.0 5 62.5 2 25.0", "high_poverty": "3 4 4 1 25.0 3 75.0 1 25.0",
        "low_poverty": "2 3 2 0 0.0 1 50.0 1 50.0", "high_minority": "2 2 2 1 50.0 1 50.0 0 0.0",
        "low_minority": "2 3 3 1 33.3 3 100.0 0 0.0",
        "high_poverty_or_minority": "5 6 6 2 33.3 4 66.7 1 16.7",
        "low_poverty_or_minority": "4 5 4 1 25.0 3 75.0 1 25.0"}
for g, w in want.items():
    r = row(main, level="state", subgroup=g, role="TEACHER")
    assert [r[c] for c in cols] == w.split(), (g, [r[c] for c in cols])
r = row(main, level="state", subgroup="all_schools", role="PRINCIPAL")
assert [r[c] for c in cols] == "8 8 7 1 14.3 6 85.7 1 14.3".split(), r
r = row(main, level="state", subgroup="high_poverty", role="PRINCIPAL")
assert (r["rated"], r["ineffective_pct"]) == ("2", "50.0"), r
r = row(main, level="lea", group_id="L1", subgroup="all_schools", role="TEACHER")
assert (r["educators"], r["rated"]) == ("3", "3"), r
for area, n, pct in [("MATH", "4", "50.0"), ("SCIENCE", "2", "100.0"), ("SPECIAL_EDUCATION", "1", "0.0"),
                     ("ENGLISH_LEARNER", "1", "100.0")]:
    r = row(areas, subgroup=area)
    assert (r["rated"], r["effective_or_better_pct"]) == (n, pct), (area, r)
for g, w in {"all": "40 20 50.0 10 25.0", "econ_disadvantaged": "20 6 30.0 8 40.0",
             "not_econ_disadvantaged": "20 14 70.0 2 10.0", "minority": "8 7 87.5 0 0.0"}.items():
    r = row(students, subgroup=g)
    got = [r[c] for c in ("students", "taught_by_ineffective", "taught_by_ineffective_pct",
                          "taught_by_highly_effective", "taught_by_highly_effective_pct")]
    assert got == w.split(), (g, got)
r = row(gaps, comparison="high_poverty_vs_low_poverty", role="TEACHER")
assert (r["smaller_group_at_least"], r["highly_effective_gap"], r["ineffective_gap"]) == ("2", "25.0", "-25.0"), r
PY
# public: every group here is under 10 rated educators, so no count or rate is shown
"$slds" report "$tmp/db" equity --year 2024 --level state --public --format csv >"$tmp/p.csv" 2>/dev/null || fail public
grep -q '^state,state,all_schools,TEACHER,8,9,\*,\*,\*,\*,\*,\*,\*$' "$tmp/p.csv" || fail "public: $(head -3 "$tmp/p.csv")"
# labels can be configured: with Partially Effective counted effective, T4 joins
"$slds" report "$tmp/db" equity --year 2024 --level state --effective "Effective,Highly Effective,Partially Effective" \
    --format csv | grep -q '^state,state,all_schools,TEACHER,8,9,8,2,25.0,6,75.0,' || fail "--effective"
echo "ok: equity"
