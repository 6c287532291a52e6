#!/usr/bin/env bash
# `slds mastery` end to end on a small synthetic state (6,000 students, 3
# years) whose BKT parameters are known (truth/standard_params.csv):
#  - fit: every practised standard fitted; the fitted parameters recover the
#    generator's (mean absolute error per parameter below a stated floor:
#    measured 2026-12-05, docs/mastery.md); a student's stored P(mastery) is
#    the forward pass of his or her responses (recomputed here in Python);
#  - show --standards --format csv has the issue's columns (p_forget only
#    with --forget); show --student, steps; plan set/show (table and HTML);
#    the class grid (HTML with an SVG); the registry's mastery-progression
#    report, also --public; a reader never writes (the file is unchanged);
#  - errors: unknown student, bad date, show without --standards/--student.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3 sqlite3
synth_load 6000 3 11
"$slds" mastery fit "$tmp/db" >"$tmp/fit.txt" 2>&1 || { cat "$tmp/fit.txt"; fail "fit"; }
cat "$tmp/fit.txt"
"$slds" mastery show "$tmp/db" --standards --format csv >"$tmp/std.csv" || fail "show --standards"
head -1 "$tmp/std.csv" | grep -q '^standard_id,p_init,p_learn,p_guess,p_slip,subject,' || fail "columns: $(head -1 "$tmp/std.csv")"
python3 - "$tmp/c/truth/standard_params.csv" "$tmp/std.csv" <<'PY' || fail "parameter recovery"
import csv, sys
truth = {r['standard_id']: r for r in csv.DictReader(open(sys.argv[1]))}
fit = list(csv.DictReader(open(sys.argv[2])))
assert len(fit) >= 40, len(fit)
# floors: about twice the errors measured on this state (docs/mastery.md)
floors = {'p_init': 0.12, 'p_learn': 0.07, 'p_guess': 0.07, 'p_slip': 0.04}
for p, floor in floors.items():
    err = sum(abs(float(r[p]) - float(truth[r['standard_id']][p])) for r in fit) / len(fit)
    print(f"{p}: mean absolute error {err:.4f} over {len(fit)} standards (floor {floor})")
    assert err < floor, (p, err)
PY
# A student's stored state = the forward pass of the responses with the stored parameters.
sid=$(sqlite3 "$tmp/db" "SELECT student_id FROM mastery_state GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
python3 - "$tmp/db" "$sid" <<'PY' || fail "stored states"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); sid = sys.argv[2]
params = {r[0]: r[1:] for r in db.execute("SELECT standard_id, p_init, p_learn, p_guess, p_slip FROM mastery_params")}
n = 0
for std, p_stored, resp in db.execute("SELECT standard_id, p_mastery, responses FROM mastery_state WHERE student_id=?", (sid,)):
    L0, T, G, S = params[std]
    m = L0; k = 0
    for (c,) in db.execute("SELECT correct FROM item_responses WHERE student_id=? AND standard_id=? ORDER BY response_time, item_id", (sid, std)):
        e1 = (1 - S) if c else S; e0 = G if c else 1 - G
        f = m * e1 / (m * e1 + (1 - m) * e0); m = f + (1 - f) * T; k += 1
    assert k == resp and abs(m - p_stored) < 1e-12, (std, m, p_stored, k, resp)
    n += 1
assert n >= 3
print(f"student {sid}: {n} stored states equal the forward pass")
PY
sum_before=$(md5sum <"$tmp/db")
"$slds" mastery show "$tmp/db" --student "$sid" >"$tmp/map.txt" || fail "show --student"
grep -q "mastered\|revisit" "$tmp/map.txt" || fail "map has no practised standard"
"$slds" mastery steps "$tmp/db" --student "$sid" --format json >"$tmp/steps.json" || fail "steps"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d and all(r['status'] in ('ready','revisit') for r in d)" "$tmp/steps.json" || fail "steps json"
std=$(sqlite3 "$tmp/db" "SELECT standard_id FROM mastery_state WHERE student_id='$sid' LIMIT 1")
[ "$(md5sum <"$tmp/db")" = "$sum_before" ] || fail "a reader changed the database"
"$slds" mastery plan set "$tmp/db" --student "$sid" --standard "$std" --target-date 2030-06-01 --by E0000001 >/dev/null || fail "plan set"
"$slds" mastery plan show "$tmp/db" --student "$sid" --as-of 2030-01-01 --format csv >"$tmp/plan.csv" || fail "plan show"
grep -q "^$sid,$std," "$tmp/plan.csv" || fail "plan row"
"$slds" mastery plan show "$tmp/db" --student "$sid" --format html >"$tmp/page.html" || fail "plan html"
grep -q "<svg" "$tmp/page.html" && grep -q "Learning plan" "$tmp/page.html" || fail "student page"
section=$(sqlite3 "$tmp/db" "SELECT section_id FROM rosters r JOIN mastery_state m USING(student_id) GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
"$slds" mastery grid "$tmp/db" --section "$section" >"$tmp/grid.html" || fail "grid"
grep -q "<svg" "$tmp/grid.html" && grep -q "$sid\|<rect" "$tmp/grid.html" || fail "grid page"
"$slds" report "$tmp/db" mastery-progression --format csv >"$tmp/prog.csv" || fail "report"
head -2 "$tmp/prog.csv" | grep -q "school_year,subject,grade_level,level,lea_id,school_id,students,eligible,percent_eligible" || fail "report columns"
"$slds" report "$tmp/db" mastery-progression --public >/dev/null || fail "report --public"
"$slds" mastery progression "$tmp/db" --format csv >/dev/null || fail "progression"
# errors
"$slds" mastery show "$tmp/db" --student 1999999999 >/dev/null 2>&1; [ $? -eq 1 ] || fail "unknown student"
"$slds" mastery plan set "$tmp/db" --student "$sid" --standard "$std" --target-date 2030-02-30 >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad date"
"$slds" mastery show "$tmp/db" >/dev/null 2>&1; [ $? -eq 2 ] || fail "show without a choice"
# --forget adds p_forget
"$slds" mastery fit "$tmp/db" --forget >/dev/null || fail "fit --forget"
"$slds" mastery show "$tmp/db" --standards --format csv | head -1 | grep -q '^standard_id,p_init,p_learn,p_guess,p_slip,p_forget,' || fail "p_forget column"
echo "ok"
