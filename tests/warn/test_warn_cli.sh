#!/usr/bin/env bash
# test_warn_cli.sh - `slds warn` end to end on a small synthetic state
# (800 students, 6 years): run stores one row per enrolled student of grades
# 6-12 with flags that agree with the attendance table recomputed in SQL, a
# rerun replaces the year, evaluate prints the held-out figures (JSON fields,
# calibration bins adding up to n, subgroups) without writing a byte, show in
# every format, the public early-warning report with no small count shown,
# the configuration file, and usage errors.
# Usage: bash tests/warn/test_warn_cli.sh path/to/slds
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3 sqlite3

synth_load 800 6 5
db=$tmp/db

# --- run
"$slds" warn run "$db" --year 2026 --format csv >"$tmp/run.csv" 2>"$tmp/run.err" || { cat "$tmp/run.err"; fail "warn run"; }
grep -q "graduation model trained on" "$tmp/run.err" || fail "run: no model line: $(cat "$tmp/run.err")"
[ "$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'schema_version.warn'")" = 1 ] || fail "schema_version.warn"
enrolled=$(sqlite3 "$db" "SELECT COUNT(DISTINCT student_id) FROM enrollments WHERE school_year = 2026 AND grade_level IN ('06','07','08','09','10','11','12')")
stored=$(sqlite3 "$db" "SELECT COUNT(*) FROM warn_students WHERE school_year = 2026")
[ "$stored" -gt 300 ] && [ "$stored" = "$enrolled" ] || fail "stored $stored rows, $enrolled students enrolled in grades 6-12"
grep -q "^\"enrolled, grades 6-12\",$stored,100.0$" "$tmp/run.csv" || fail "run summary: $(head -3 "$tmp/run.csv")"
# the attendance flag recomputed from the attendance table (>= 10% of enrolled days missed)
mismatch=$(sqlite3 "$db" "SELECT COUNT(*) FROM warn_students w LEFT JOIN (SELECT student_id, SUM(days_enrolled) e,
  SUM(days_present) p FROM attendance WHERE school_year = 2026 GROUP BY student_id) a USING (student_id)
  WHERE w.school_year = 2026 AND w.flag_attendance != (a.e > 0 AND (a.e - a.p) * 10 >= a.e)")
[ "$mismatch" = 0 ] || fail "$mismatch attendance flags disagree with the attendance table"
# the course flag: an F in an ELA or MATH course of the year
mismatch=$(sqlite3 "$db" "SELECT COUNT(*) FROM warn_students w WHERE school_year = 2026 AND flag_course !=
  EXISTS (SELECT 1 FROM courses c WHERE c.student_id = w.student_id AND c.school_year = 2026
  AND c.subject IN ('ELA','MATH') AND c.grade_mark = 'F')")
[ "$mismatch" = 0 ] || fail "$mismatch course flags disagree with courses"
bad=$(sqlite3 "$db" "SELECT COUNT(*) FROM warn_students WHERE school_year = 2026 AND (p_not_graduate IS NULL
  OR p_not_graduate < 0 OR p_not_graduate > 1 OR p_fail_course IS NULL
  OR ((flag_attendance + flag_behavior + flag_course + flag_gpa + COALESCE(flag_off_track, 0) > 0) != (reasons IS NOT NULL))
  OR (grade = 9) != (flag_off_track IS NOT NULL))")
[ "$bad" = 0 ] || fail "$bad rows with a missing risk, a reason without a flag (or the reverse), or an off-track flag outside grade 9"
[ "$(sqlite3 "$db" "SELECT COUNT(*) FROM warn_students WHERE school_year = 2026 AND risk_level = 'high' AND factors IS NULL")" = 0 ] \
    || fail "a high-risk student without contributing factors"
"$slds" warn run "$db" --year 2026 >/dev/null 2>&1 || fail "rerun"
[ "$(sqlite3 "$db" "SELECT COUNT(*) FROM warn_students")" = "$stored" ] || fail "a rerun must replace the year's rows"

# --- evaluate: JSON fields, read-only
before=$(md5sum <"$db")
"$slds" warn evaluate "$db" --format json >"$tmp/eval.json" 2>"$tmp/eval.err" || { cat "$tmp/eval.err"; fail "evaluate"; }
[ "$(md5sum <"$db")" = "$before" ] || fail "evaluate wrote to the database"
python3 - "$tmp/eval.json" <<'PY' || fail "evaluate JSON"
import json, sys
e = json.load(open(sys.argv[1]))
for k in ["auc", "n", "threshold", "precision", "recall", "by_subgroup", "calibration", "by_grade", "flags",
          "course_failure", "held_out_cohort", "brier"]:
    assert k in e, k
assert e["held_out_cohort"] == 2026, e["held_out_cohort"]
assert e["n"] > 200 and e["positives"] > 20, (e["n"], e["positives"])
assert 0.75 < e["auc"] <= 1, e["auc"]            # the synthetic state carries the signal
assert 0 < e["threshold"] < 1 and 0 < e["precision"] <= 1 and 0 < e["recall"] <= 1
assert sum(b["n"] for b in e["calibration"]) == e["n"]
allg = [g for g in e["by_subgroup"] if g["subgroup"] == "all"][0]
assert allg["n"] == e["n"] and allg["auc"] == e["auc"]
names = {g["subgroup"] for g in e["by_subgroup"]}
assert {"ECON_DISADVANTAGED", "NOT_ECON_DISADVANTAGED", "FEMALE", "MALE", "WHITE"} <= names, names
for g in e["by_subgroup"]:
    for k in ["n", "auc", "precision", "recall", "false_positive_rate", "calibration"]:
        assert k in g, (g["subgroup"], k)
econ = [g["n"] for g in e["by_subgroup"] if g["subgroup"] in ("ECON_DISADVANTAGED", "NOT_ECON_DISADVANTAGED")]
assert sum(econ) <= e["n"]
assert sum(g["n"] for g in e["by_grade"]) == e["n"]
cf = e["course_failure"]
assert cf["held_out_year"] == 2026 and 0.7 < cf["auc"] <= 1, cf.get("auc")
flags = {f["flag"]: f for f in e["flags"]}
assert set(flags) == {"attendance", "behavior", "course", "gpa", "off_track", "any"}
assert flags["off_track"]["grade"] == 9
for f in flags.values():
    assert 0 <= f["sensitivity"] <= 1 and 0 <= f["specificity"] <= 1
# any flag is at least as sensitive as each flag
assert all(flags["any"]["sensitivity"] >= f["sensitivity"] for f in flags.values() if f["grade"] != 9)
PY
"$slds" warn evaluate "$db" >"$tmp/eval.txt" 2>"$tmp/eval.err" || fail "evaluate (table)"
grep -q "held-out cohort 2026" "$tmp/eval.err" || fail "evaluate summary line"
grep -q "Not graduating on time: held-out cohort by subgroup" "$tmp/eval.txt" || fail "evaluate table"

# --- show
"$slds" warn show "$db" --year 2026 --format csv >"$tmp/show.csv" || fail "show csv"
head -1 "$tmp/show.csv" | grep -q "^student_id,school_id,grade,risk_not_graduating,risk_failing_course,risk_level,flags," || fail "show header"
[ "$(($(wc -l <"$tmp/show.csv") - 1))" = "$stored" ] || fail "show rows"
python3 - "$tmp/show.csv" <<'PY' || fail "show order"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
risk = [float(r["risk_not_graduating"]) for r in rows]
assert risk == sorted(risk, reverse=True), "most at risk first"
assert rows[0]["risk_level"] == "high" and rows[0]["factors"], rows[0]
PY
school=$(sqlite3 "$db" "SELECT school_id FROM warn_students WHERE school_year = 2026 GROUP BY school_id ORDER BY COUNT(*) DESC LIMIT 1")
"$slds" warn show "$db" --year 2026 --school "$school" --format json >"$tmp/show.json" || fail "show json"
python3 -c "
import json, sys
rows = json.load(open('$tmp/show.json'))['early_warning_students'] if isinstance(json.load(open('$tmp/show.json')), dict) else json.load(open('$tmp/show.json'))
assert rows and all(r['school_id'] == '$school' for r in rows)
assert all(isinstance(r['flags'], list) for r in rows)
" || fail "show --school json"
"$slds" warn show "$db" --year 2026 --format html >"$tmp/show.html" || fail "show html"
grep -q "<h1>Early-warning list, school year 2026</h1>" "$tmp/show.html" || fail "html title"
grep -q '<tr class="high">' "$tmp/show.html" || fail "html high-risk rows"
grep -q '<span class="flag">attendance</span>' "$tmp/show.html" || fail "html flags"
"$slds" warn show "$db" --year 2025 >/dev/null 2>"$tmp/err" && fail "show of a year not run"
grep -q "no early-warning results for 2025" "$tmp/err" || fail "show message: $(cat "$tmp/err")"

# --- the public report: no count between 1 and 9 shown
"$slds" report "$db" early-warning --year 2026 --public --format csv >"$tmp/rep.csv" 2>/dev/null || fail "report"
python3 - "$tmp/rep.csv" <<'PY' || fail "public report"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows[0]["level"] == "state" and rows[0]["subgroup"] == "all"
counts = ["students", "attendance", "behavior", "course", "gpa", "grade9", "off_track", "any_flag", "high_risk"]
for r in rows:
    for k in counts:
        v = r[k]
        assert v in ("*", "") or not (0 < int(v) < 10), (r["group_id"], r["subgroup"], k, v)
assert any(r["level"] == "school" for r in rows)
PY
"$slds" report "$db" early-warning --year 2026 --level district --format csv | grep -q "^district," || fail "report --level district"

# --- configuration
printf '{"chronic_absence": 0.2}\n' >"$tmp/cfg.json"
"$slds" warn run "$db" --year 2026 --config "$tmp/cfg.json" >/dev/null 2>&1 || fail "run --config"
looser=$(sqlite3 "$db" "SELECT SUM(flag_attendance) FROM warn_students WHERE school_year = 2026")
wrong=$(sqlite3 "$db" "SELECT COUNT(*) FROM warn_students WHERE school_year = 2026 AND flag_attendance = 1 AND days_absent * 5 < days_enrolled")
[ "$wrong" = 0 ] || fail "--config chronic_absence 0.2 not applied"
printf '{"chronic": 0.2}\n' >"$tmp/bad.json"
"$slds" warn run "$db" --year 2026 --config "$tmp/bad.json" >/dev/null 2>"$tmp/err"; [ $? = 1 ] || fail "bad config exit"
grep -q "unknown key 'chronic'" "$tmp/err" || fail "bad config message"

# --- usage
"$slds" warn run "$db" >/dev/null 2>&1; [ $? = 2 ] || fail "run without --year must exit 2"
"$slds" warn frobnicate "$db" >/dev/null 2>&1; [ $? = 2 ] || fail "unknown command must exit 2"
"$slds" warn show "$db" --year 2026 --format xml >/dev/null 2>&1; [ $? = 2 ] || fail "bad format must exit 2"
"$slds" warn --help | grep -q "evaluate-file" || fail "help"
"$slds" warn run "$tmp/none.db" --year 2026 >/dev/null 2>&1; [ $? = 1 ] || fail "missing database must exit 1"
echo "ok: $stored students, looser attendance flags $looser"
