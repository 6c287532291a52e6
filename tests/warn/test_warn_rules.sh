#!/usr/bin/env bash
# test_warn_rules.sh - the ABC rules over the database on a hand-made
# collection (tests/data/warn, each student on a boundary: see its README):
# attendance summed over schools, exactly 10 %, a year-long F as two
# semester Fs, exactly 5 credits and one semester F on track, GPA exactly 2.0,
# discipline dated by school year (July on), the year's last school; with no
# earlier cohort the risks stay blank and the run says so.
# Usage: bash tests/warn/test_warn_rules.sh path/to/slds
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3 sqlite3
data=$src/tests/data/warn

"$slds" load "$tmp/db" "$data" >"$tmp/load.out" 2>&1 || { cat "$tmp/load.out"; fail "load"; }
"$slds" warn run "$tmp/db" --year 2024 >/dev/null 2>"$tmp/run.err" || { cat "$tmp/run.err"; fail "run"; }
grep -q "flags only, no risks" "$tmp/run.err" || fail "run must say it has no model: $(cat "$tmp/run.err")"
sqlite3 -header -csv "$tmp/db" "SELECT student_id, school_id, grade, days_enrolled, days_absent, suspensions, f_ela,
  f_math, core_f_semesters, credits_earned, gpa, flag_attendance, flag_behavior, flag_course, flag_gpa, flag_off_track,
  p_not_graduate, reasons FROM warn_students WHERE school_year = 2024 ORDER BY student_id" >"$tmp/got.csv"
python3 - "$tmp/got.csv" "$data/expected.csv" <<'PY' || fail "warn_students differs from tests/data/warn/expected.csv"
import csv, sys
got = {r["student_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
want = list(csv.DictReader(open(sys.argv[2])))
assert len(got) == len(want), (len(got), len(want))
bad = 0
for w in want:
    g = got[w["student_id"]]
    for k, v in w.items():
        a = g[k]
        same = (a == v) if v == "" or not v.replace(".", "").isdigit() else (a != "" and abs(float(a) - float(v)) < 1e-9)
        if not same:
            print("%s %s: got %r, expected %r" % (w["student_id"], k, a, v)); bad += 1
    if g["p_not_graduate"] != "":
        print("%s: a risk without a model" % w["student_id"]); bad += 1
    flags = sum(int(w[k] or 0) for k in w if k.startswith("flag_"))
    if (flags > 0) != (g["reasons"] != ""):
        print("%s: reasons %r for %d flags" % (w["student_id"], g["reasons"], flags)); bad += 1
sys.exit(1 if bad else 0)
PY
"$slds" warn show "$tmp/db" --year 2024 --format csv >"$tmp/show.csv" || fail "show"
grep -q "off track in grade 9: 5 full credits earned (on track needs 5) and 2 semester Fs in core courses (at most 1)" \
    "$tmp/show.csv" || fail "off-track reason: $(cat "$tmp/show.csv")"
grep -q "missed 10.0% of enrolled days (19 of 190, chronic absence from 10%)" "$tmp/show.csv" || fail "attendance reason"
echo ok
