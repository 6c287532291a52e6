#!/usr/bin/env bash
# test_measures_educators.sh - the performance-measures of (D)(2)(iii), (D)(3),
# (D)(4) and (E)(2) wired to the equity and preparation reports and the stored
# interventions, on the hand-built collection tests/data/account/educators with
# the ratings of educators.sql (NOTES.md there computes the equity figures):
# each percentage equals the equity report's state row, the "prior academic
# year" counts read the year before's ratings, a year without ratings gives no
# figure (and says so), and (E)(2) counts the intervention models of the year.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data=$src/tests/data/account/educators
require_cmd sqlite3
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load
# before any rating: the educator measures have no figure and say why
"$slds" report "$tmp/db" performance-measures --year 2024 --format csv >"$tmp/none.csv" || fail "report without ratings"
python3 - "$tmp/none.csv" <<'PY' || fail "without ratings"
import csv, sys
rows = {r["measure_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
for m in ("D3-i-hp-t-he", "D3-ii-math", "D2-iii"):
    assert rows[m]["actual"] == "" and rows[m]["status"].startswith("no figure"), rows[m]
PY
sqlite3 "$tmp/db" <"$data/educators.sql" || fail "educator_results"
# T2 (SCIENCE) and T4 (SPECIAL_EDUCATION), rated Effective in 2023, were assigned then too
sqlite3 "$tmp/db" "INSERT INTO staff_assignments SELECT staff_id, school_id, 2023, role, subject_area, fte
    FROM staff_assignments WHERE staff_id IN ('T2', 'T4') AND school_year = 2024;
    INSERT INTO interventions VALUES ('S1', 2024, 'TURNAROUND'), ('S2', 2024, 'restart'),
    ('S3', 2024, 'NONE'), ('S4', 2023, 'CLOSURE');" || fail "2023 assignments"
"$slds" report "$tmp/db" performance-measures --year 2024 --baseline-year 2023 --format csv >"$tmp/pm.csv" || fail report
"$slds" report "$tmp/db" equity --year 2024 --level state --format csv >"$tmp/eq.csv" || fail equity
python3 - "$tmp/pm.csv" "$tmp/eq.csv" <<'PY' || fail figures
import csv, io, sys
rows = {r["measure_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
groups, areas = [list(csv.DictReader(io.StringIO(p))) for p in open(sys.argv[2]).read().strip().split("\n\n")][:2]
def actual(m):
    assert rows[m]["status"] == "answered", rows[m]
    return rows[m]["actual"]
# (D)(3)(i), NOTES.md: teachers in high-poverty-or-minority schools 2 of 6 rated highly effective,
# 1 of 6 ineffective; low: 1 of 4 and 1 of 4; principals high 0 of 4, 1 of 4; low 1 of 4, 1 of 4
want = {"D3-i-hp-t-he": "33.3333", "D3-i-hp-t-in": "16.6667", "D3-i-lp-t-he": "25", "D3-i-lp-t-in": "25",
        "D3-i-hp-p-he": "0", "D3-i-hp-p-in": "25", "D3-i-lp-p-he": "25", "D3-i-lp-p-in": "25",
        # (D)(3)(ii): MATH 2 of 4 effective or better, SCIENCE 2 of 2, SPECIAL_EDUCATION 0 of 1, EL 1 of 1
        "D3-ii-math": "50", "D3-ii-science": "100", "D3-ii-sped": "0", "D3-ii-lie": "100",
        # prior academic year (2023 ratings): T2 and T4 effective, none ineffective
        "D2-iii": "2", "D2-iii-in": "0", "D3-ii-science-eff-n": "1", "D3-ii-sped-eff-n": "1",
        "D3-ii-math-eff-n": "0",
        # (D)(4): no program has the 25 teachers a published figure needs; 2 programs
        "D4-teacher-programs": "0", "D4-programs-reported": "0", "D4-teachers-reported": "0",
        # (E)(2): TURNAROUND and restart in 2024 (NONE is not a model)
        "E2": "2"}
for m, v in want.items():
    assert actual(m) == v, (m, rows[m]["actual"], v)
assert rows["E2"]["baseline"] == "1" and rows["E2"]["baseline_year"] == "2023", rows["E2"]
# the percentages are the equity report's state rows, to its one decimal
for m, sub, role, col in [("D3-i-hp-t-he", "high_poverty_or_minority", "TEACHER", "highly_effective_pct"),
                          ("D3-i-lp-p-in", "low_poverty_or_minority", "PRINCIPAL", "ineffective_pct")]:
    r = [x for x in groups if x["subgroup"] == sub and x["role"] == role][0]
    assert "%.1f" % float(rows[m]["actual"]) == r[col], (m, r[col])
r = [x for x in areas if x["subgroup"] == "MATH"][0]
assert "%.1f" % float(rows["D3-ii-math"]["actual"]) == r["effective_or_better_pct"]
# the notice's wording, unchanged
assert rows["D3-i-hp-t-he"]["measure"] == ("Percentage of teachers in schools that are high-poverty, high-minority, "
    "or both (as defined in this notice) who are highly effective (as defined in this notice).")
assert rows["D4-teacher-programs"]["measure"].startswith("Percentage of teacher preparation programs in the State "
    "for which the public can access data on the achievement and growth")
pending = [m for m, r in rows.items() if r["status"] == "cannot answer yet"]
assert not any("issue 8" in rows[m]["data"] for m in pending), pending
PY
echo "ok: performance measures from ratings"
