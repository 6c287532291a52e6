#!/usr/bin/env bash
# test_measures.sh - `slds report DB performance-measures` and `competes` on
# the hand-built collection tests/data/achievement (README.md there: how each
# figure was computed): baseline and actual of every answered measure, the
# targets from a CSV and whether each was met (lower is better for a gap),
# the measures the data cannot answer listed with the reason, a bad targets
# file named with its line; and competes equal to the audit's elements.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data="$src/tests/data/achievement"
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load
"$slds" report "$tmp/db" performance-measures --year 2024 --targets "$data/targets.csv" --format csv \
    >"$tmp/pm.csv" || fail report
python3 - "$tmp/pm.csv" <<'PY' || fail "figures"
import csv, sys
rows = {r["measure_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
want = {  # measure: (baseline 2023, actual 2024, target, met)
    "D2-leas": ("2", "2", "", ""), "D2-principals": ("0", "3", "", ""), "D2-teachers": ("0", "4", "4", "yes"),
    "D3-i-hp-schools": ("1", "1", "", ""), "D3-i-lp-schools": ("1", "1", "", ""),
    "D3-i-hp-teachers": ("0", "2", "", ""), "D3-i-lp-teachers": ("0", "1", "", ""),
    "D3-i-hp-principals": ("0", "1", "", ""), "D3-i-lp-principals": ("0", "1", "", ""),
    "D3-ii-math-n": ("0", "2", "", ""), "D3-ii-science-n": ("0", "1", "", ""),
    "D3-ii-sped-n": ("0", "0", "", ""), "D3-ii-lie-n": ("0", "1", "", ""),
    "D4-teacher-programs-n": ("2", "2", "", ""), "D4-teachers": ("0", "4", "", ""),
    "D4-principals": ("0", "3", "", ""),
    "A3-math": ("41.9355", "44.4444", "45", "no"), "A3-math-gap": ("61.8182", "33.3333", "40", "yes"),
    "A3-ela": ("", "", "", ""),
}
for m, (b, a, t, met) in want.items():
    r = rows[m]
    got = (r["baseline"], r["actual"], r["target"], r["target_met"])
    assert got == (b, a, t, met), (m, got)
    assert r["status"] == "answered" and r["baseline_year"] == "2023" and r["school_year"] == "2024", r
pending = [m for m, r in rows.items() if r["status"] != "answered"]
assert all(rows[m]["actual"] == "" and rows[m]["data"] for m in pending)
assert not any("issue 8" in rows[m]["data"] for m in pending), [rows[m]["data"] for m in pending]
# no ratings in this collection: the educator measures say so instead of a figure
assert rows["D3-i-hp-t-he"]["status"].startswith("no figure"), rows["D3-i-hp-t-he"]
assert rows["D3-ii-math"]["measure"] == "Percentage of mathematics teachers who were evaluated as effective or better."
PY
printf 'measure_id,school_year,target\nA3-math,2024,45\nNO-SUCH,2024,1\n' >"$tmp/bad.csv"
"$slds" report "$tmp/db" performance-measures --year 2024 --targets "$tmp/bad.csv" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "a bad targets file is an error"
grep -q "line 3.*NO-SUCH" "$tmp/err" || fail "the error names the line and value: $(cat "$tmp/err")"

"$slds" report "$tmp/db" competes --format csv >"$tmp/c.csv" || fail competes
"$slds" audit "$tmp/db" --format csv | sed '1,/^$/d' >"$tmp/a.csv"
python3 - "$tmp/c.csv" "$tmp/a.csv" <<'PY' || fail "competes differs from the audit"
import csv, io, sys
parts = open(sys.argv[1]).read().strip().split("\n\n")
els = list(csv.DictReader(io.StringIO(parts[0])))
score = list(csv.DictReader(io.StringIO(parts[1])))[0]
audit = [r for r in csv.DictReader(open(sys.argv[2])) if r["element"]]  # the last row is the score
assert [(r["element"], r["supported"], r["evidence"]) for r in els] == \
       [(r["element"], r["supported"], r["evidence"]) for r in audit], "elements"
n = sum(r["supported"] == "yes" for r in els)
assert score["elements_supported"] == str(n) and score["c1_score"] == str(2 * n) and score["c1_max"] == "24", score
assert list(els[0])[:3] == ["level", "group_id", "subgroup"]
PY
echo ok
