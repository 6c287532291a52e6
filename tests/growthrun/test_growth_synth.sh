#!/usr/bin/env bash
# `slds growth` on a small synthetic state (8,000 students, 4 years) whose
# truth is known (slds synth writes it to truth/):
#  - every student tested in the year with a prior score of the cohort's
#    progression has an SGP (counted independently from assessments);
#  - the SGPs are roughly uniform (mean 45-55, each decile 5-15%);
#  - SGPs follow the truth: teachers' dosage-weighted mean SGP correlates with
#    their true effect that year, schools' median SGP with the school effect;
#  - targets exist with the cut scores of truth/params.json (the generator
#    writes them as a growth config too: truth/growth_config.json);
#  - re-running replaces: every table has the same rows, show is identical;
#  - show --format csv has the required columns; aggregates add up (the state's
#    n = students with an SGP; districts, schools and each subgroup sum to it);
#  - one teacher's dosage-weighted mean, median and n recomputed by hand;
#  - report (table, json, html), every --help, and the errors.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3 sqlite3
synth_load 8000 4 11 --rejects "$tmp/rejects.csv"
config=$tmp/c/truth/growth_config.json
year=2024
"$slds" growth run "$tmp/db" --year $year --config "$config" >"$tmp/run1.txt" 2>&1 || { cat "$tmp/run1.txt"; fail "growth run"; }
tail -1 "$tmp/run1.txt"
"$slds" growth show "$tmp/db" --year $year --format csv >"$tmp/show1.csv" || fail "show"
sqlite3 "$tmp/db" "SELECT 'growth_runs', count(*) FROM growth_runs UNION ALL SELECT 'growth_cohorts', count(*) FROM growth_cohorts
  UNION ALL SELECT 'growth_priors', count(*) FROM growth_priors UNION ALL SELECT 'growth_models', count(*) FROM growth_models
  UNION ALL SELECT 'growth_students', count(*) FROM growth_students UNION ALL SELECT 'growth_sgp', count(*) FROM growth_sgp
  UNION ALL SELECT 'growth_targets', count(*) FROM growth_targets UNION ALL SELECT 'growth_aggregates', count(*) FROM growth_aggregates" >"$tmp/counts1.txt"
"$slds" growth run "$tmp/db" --year $year --config "$config" --format json >"$tmp/run2.json" 2>/dev/null || fail "second run"
"$slds" growth show "$tmp/db" --year $year --format csv >"$tmp/show2.csv" || fail "show"
sqlite3 "$tmp/db" "SELECT 'growth_runs', count(*) FROM growth_runs UNION ALL SELECT 'growth_cohorts', count(*) FROM growth_cohorts
  UNION ALL SELECT 'growth_priors', count(*) FROM growth_priors UNION ALL SELECT 'growth_models', count(*) FROM growth_models
  UNION ALL SELECT 'growth_students', count(*) FROM growth_students UNION ALL SELECT 'growth_sgp', count(*) FROM growth_sgp
  UNION ALL SELECT 'growth_targets', count(*) FROM growth_targets UNION ALL SELECT 'growth_aggregates', count(*) FROM growth_aggregates" >"$tmp/counts2.txt"
"$slds" growth aggregates "$tmp/db" --year $year --format csv >"$tmp/agg.csv" || fail "aggregates"
"$slds" growth aggregates "$tmp/db" --year $year --level teacher --subject MATH --format json >"$tmp/teacher.json" || fail "aggregates --level teacher"

python3 - "$tmp" $year <<'PY'
import csv, json, math, sqlite3, statistics, sys
tmp, year = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(tmp + "/db")
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok &= bool(cond)
def corr(a, b):
    ma, mb = statistics.mean(a), statistics.mean(b)
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / math.sqrt(
        sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))

# every tested student with a prior of the cohort's progression has an SGP, counted
# from assessments: grade G in Y with G-1 in Y-1 (grade 10: grade 8 in Y-2)
expected = con.execute("""
    SELECT count(*) FROM assessments a JOIN assessments p ON p.student_id = a.student_id
      AND p.subject = a.subject AND p.test_type = 'STATE' AND p.scale_score IS NOT NULL
      AND ((a.grade_tested = '10' AND p.grade_tested = '08' AND p.school_year = a.school_year - 2)
        OR (a.grade_tested <> '10' AND CAST(p.grade_tested AS INTEGER) = CAST(a.grade_tested AS INTEGER) - 1
            AND p.school_year = a.school_year - 1))
    WHERE a.school_year = ? AND a.test_type = 'STATE' AND a.scale_score IS NOT NULL""", (year,)).fetchone()[0]
with_sgp = con.execute("SELECT count(*) FROM growth_students WHERE school_year = ? AND sgp IS NOT NULL", (year,)).fetchone()[0]
tested = con.execute("SELECT count(*) FROM assessments WHERE school_year = ? AND test_type = 'STATE' AND scale_score IS NOT NULL", (year,)).fetchone()[0]
rows = con.execute("SELECT count(*) FROM growth_students WHERE school_year = ?", (year,)).fetchone()[0]
check(with_sgp == expected and expected > 5000, "every student with a prior has an SGP (%d of %d expected)" % (with_sgp, expected))
check(rows == tested, "one growth_students row per STATE score of the year (%d = %d)" % (rows, tested))
check(con.execute("SELECT count(*) FROM growth_students WHERE school_year = ? AND prior_score IS NOT NULL AND sgp IS NULL", (year,)).fetchone()[0] == 0,
      "no student with a prior score lacks an SGP")
reasons = dict(con.execute("SELECT no_sgp_reason, count(*) FROM growth_students WHERE school_year = ? GROUP BY 1", (year,)).fetchall())
print("no-SGP reasons:", reasons)
check(set(reasons) <= {None, "NO_PRIOR_GRADE", "NO_PRIOR", "PROGRESSION"}, "no cohort failed to fit")

# roughly uniform
for subject in ("ELA", "MATH"):
    sgps = [s for (s,) in con.execute("SELECT sgp FROM growth_students WHERE school_year = ? AND subject = ? AND sgp IS NOT NULL", (year, subject))]
    mean = statistics.mean(sgps)
    deciles = [sum(1 for s in sgps if d * 10 <= s < d * 10 + 10) / len(sgps) for d in range(10)]
    print("%s: %d SGPs, mean %.2f, deciles %s" % (subject, len(sgps), mean, " ".join("%.3f" % x for x in deciles)))
    check(45 <= mean <= 55, "%s mean SGP in 45..55" % subject)
    check(all(0.05 <= x <= 0.15 for x in deciles), "%s every decile holds 5-15%% of the SGPs" % subject)
    check(min(sgps) >= 1 and max(sgps) <= 99, "%s SGPs within 1..99" % subject)

# SGPs follow the truth
truth = {(r["staff_id"], r["subject"]): float(r["true_effect"])
         for r in csv.DictReader(open(tmp + "/c/truth/teacher_year_effects.csv")) if int(r["school_year"]) == year}
pairs = [(truth[(g, s)], m) for s, g, n, m in con.execute(
    "SELECT subject, group_id, n_sgp, mean_sgp FROM growth_aggregates WHERE school_year = ? AND level = 'teacher'", (year,))
    if (g, s) in truth and n >= 10]
r_teacher = corr([p[0] for p in pairs], [p[1] for p in pairs])
check(len(pairs) > 100 and r_teacher > 0.4, "teachers' mean SGP vs true teacher effect: r = %.3f over %d teachers" % (r_teacher, len(pairs)))
school_truth = {(r["school_id"], r["subject"]): float(r["true_effect"]) for r in csv.DictReader(open(tmp + "/c/truth/school_effects.csv"))}
pairs = [(school_truth[(g, s)], m) for s, g, n, m in con.execute(
    "SELECT subject, group_id, n_sgp, median_sgp FROM growth_aggregates WHERE school_year = ? AND level = 'school'", (year,))
    if (g, s) in school_truth and n >= 30]
r_school = corr([p[0] for p in pairs], [p[1] for p in pairs])
check(r_school > 0.2, "schools' median SGP vs true school effect: r = %.3f over %d schools" % (r_school, len(pairs)))

# targets with the truth's cut scores
t = con.execute("SELECT count(*), sum(catch_up_keep_up = 'KEEP_UP'), sum(on_track = 'Y') FROM growth_students"
                " WHERE school_year = ? AND sgp_target IS NOT NULL", (year,)).fetchone()
check(t[0] > 0.5 * rows and 0.2 < t[1] / t[0] < 0.8, "targets: %d students, %d keeping up, %d on track" % t)
check(con.execute("SELECT count(*) FROM growth_students WHERE school_year = ? AND grade = 10 AND sgp_target IS NOT NULL", (year,)).fetchone()[0] == 0,
      "no targets beyond the last tested grade")

# re-running replaces
c1, c2 = open(tmp + "/counts1.txt").read(), open(tmp + "/counts2.txt").read()
print(c2.replace("\n", "; "))
check(c1 == c2, "row counts equal after two runs")
check(open(tmp + "/show1.csv").read() == open(tmp + "/show2.csv").read(), "show identical after two runs")
run2 = json.load(open(tmp + "/run2.json"))
check(run2["with_sgp"] == with_sgp and len(run2["cohorts"]) == 14, "run --format json: %d SGPs, %d cohorts" % (run2["with_sgp"], len(run2["cohorts"])))

# show --format csv
rows_csv = list(csv.DictReader(open(tmp + "/show1.csv")))
need = ["student_id", "subject", "school_year", "grade", "sgp", "sgp_order", "sgp_target",
        "catch_up_keep_up", "grade_levels_gained"]
check(all(c in rows_csv[0] for c in need), "show --format csv has the columns " + ", ".join(need))
check(len(rows_csv) == rows and sum(1 for r in rows_csv if r["sgp"]) == with_sgp, "show: one row per student and subject")
gl = [float(r["grade_levels_gained"]) for r in rows_csv if r["grade_levels_gained"]]
check(0.40 < sum(1 for g in gl if g >= 1) / len(gl) < 0.60, "about half gain a grade level or more (the typical gain is the median)")

# aggregates add up
agg = list(csv.DictReader(open(tmp + "/agg.csv")))
for subject in ("ELA", "MATH"):
    n_sgp = con.execute("SELECT count(sgp) FROM growth_students WHERE school_year = ? AND subject = ?", (year, subject)).fetchone()[0]
    state = [a for a in agg if a["subject"] == subject and a["level"] == "state"]
    check(len(state) == 1 and int(float(state[0]["n_sgp"])) == n_sgp, "%s state n_sgp = %d students with an SGP" % (subject, n_sgp))
    for level in ("district", "school", "race_ethnicity", "econ_disadvantaged", "disability", "english_learner", "sex"):
        total = sum(float(a["n_sgp"]) for a in agg if a["subject"] == subject and a["level"] == level)
        check(total == n_sgp, "%s %s groups add up to the state (%d)" % (subject, level, total))
    st = state[0]
    sgps = [s for (s,) in con.execute("SELECT sgp FROM growth_students WHERE school_year = ? AND subject = ? AND sgp IS NOT NULL", (year, subject))]
    check(float(st["median_sgp"]) == statistics.median(sgps) and abs(float(st["mean_sgp"]) - statistics.mean(sgps)) < 1e-4,
          "%s state median %s and mean %s" % (subject, st["median_sgp"], st["mean_sgp"]))

# every plain-level aggregate (computed from the run in memory) to the last bit as
# recomputed from the stored rows: growth_students in student order, the year's
# attributes, sex; mean = sum in that order / n, median of the SGPs
levels = ["state", "district", "school", "race_ethnicity", "econ_disadvantaged", "disability",
          "english_learner", "sex"]
stored = {(s, l, g): (n, md, mn, ng, n1, n15) for s, l, g, n, md, mn, ng, n1, n15 in con.execute(
    "SELECT subject, level, group_id, n_sgp, median_sgp, mean_sgp, n_gain, n_1_grade, n_1_5_grade"
    " FROM growth_aggregates WHERE school_year = ? AND level <> 'teacher'", (year,))}
groups = {}
for row in con.execute("""SELECT g.subject, g.sgp, g.grade_levels_gained, g.lea_id, g.school_id,
        a.race_ethnicity, a.econ_disadvantaged, a.disability, a.english_learner, st.sex
    FROM growth_students g LEFT JOIN student_attributes a ON a.student_id = g.student_id
      AND a.school_year = g.school_year LEFT JOIN students st ON st.student_id = g.student_id
    WHERE g.school_year = ? AND (g.sgp IS NOT NULL OR g.grade_levels_gained IS NOT NULL)
    ORDER BY g.subject, g.student_id""", (year,)):
    keys = ["ALL"] + [k if k else "UNKNOWN" for k in row[3:]]
    for l, k in zip(levels, keys):
        groups.setdefault((row[0], l, k), []).append((row[1], row[2]))
mismatch = []
for key, rows_g in groups.items():
    sg = [s for s, _ in rows_g if s is not None]
    total = 0.0
    for s in sg:
        total += s
    gl = [g for _, g in rows_g if g is not None]
    want = (float(len(sg)), statistics.median(sg) if sg else None, total / len(sg) if sg else None,
            float(len(gl)), float(sum(1 for g in gl if g >= 1.0)), float(sum(1 for g in gl if g >= 1.5)))
    if stored.get(key) != want:
        mismatch.append((key, stored.get(key), want))
check(not mismatch and len(stored) == len(groups),
      "%d plain-level aggregates equal, to the last bit, those recomputed from the stored rows %s"
      % (len(groups), mismatch[:3]))

# one teacher by hand: the co-teaching teacher with the most students
links = con.execute("""SELECT r.staff_id, g.student_id, sum(r.dosage), g.sgp FROM rosters r JOIN growth_students g
    ON g.student_id = r.student_id AND g.school_year = r.school_year AND g.subject = r.subject
    WHERE r.school_year = ? AND r.subject = 'MATH' AND g.sgp IS NOT NULL GROUP BY 1, 2""", (year,)).fetchall()
by_teacher = {}
for t_id, sid, w, s in links:
    by_teacher.setdefault(t_id, []).append((s, w))
partial = [t for t, v in by_teacher.items() if any(w < 1 for _, w in v)]
teacher = max(partial, key=lambda t: len(by_teacher[t]))
v = sorted(by_teacher[teacher])
W = sum(w for _, w in v)
mean = sum(s * w for s, w in v) / W
cum, median = 0.0, None
for k, (s, w) in enumerate(v):
    cum += w
    if abs(cum - W / 2) <= 1e-12 * W:
        median = (s + v[k + 1][0]) / 2
        break
    if cum > W / 2:
        median = s
        break
got = [a for a in json.load(open(tmp + "/teacher.json")) if a["group_id"] == teacher][0]
print("teacher %s: %d students, dosage %s; by hand n %.4f mean %.4f median %s; stored n %s mean %s median %s"
      % (teacher, len(v), sorted(set(w for _, w in v)), W, mean, median, got["n_sgp"], got["mean_sgp"], got["median_sgp"]))
check(abs(got["n_sgp"] - W) < 1e-9 and abs(got["mean_sgp"] - mean) < 1e-4 and got["median_sgp"] == median,
      "teacher %s: dosage-weighted n, mean and median as computed by hand" % teacher)
sys.exit(0 if ok else 1)
PY
[ $? = 0 ] || fail "checks"

# report: table, json (projections from the stored models), html (chart)
id=$(sqlite3 "$tmp/db" "SELECT student_id FROM growth_students WHERE school_year = $year AND subject = 'MATH' AND grade = 5 AND sgp IS NOT NULL ORDER BY student_id LIMIT 1")
"$slds" growth report "$tmp/db" --student "$id" >"$tmp/report.txt" || fail "report"
grep -q "MATH" "$tmp/report.txt" || fail "report table lacks MATH"
"$slds" growth report "$tmp/db" --student "$id" --format json >"$tmp/report.json" || fail "report json"
python3 - "$tmp/report.json" <<'PY' || fail "report json content"
import json, sys
r = json.load(open(sys.argv[1]))
math = [c for c in r["charts"] if c["subject"] == "MATH"][0]
h = [e for e in r["history"] if e["subject"] == "MATH"][-1]
assert h["sgp"] and h["sgp_target"] and h["targets"], h
assert [p["grade"] for p in math["projections"]] == [6, 7, 8], math["projections"]
for p in math["projections"]:
    v = p["projection"]
    assert v["p10"] <= v["p25"] <= v["p50"] <= v["p75"] <= v["p90"], v
print("ok: report json: SGP %d, target %d, projections to grades 6-8 ordered by percentile" % (h["sgp"], h["sgp_target"]))
PY
"$slds" growth report "$tmp/db" --student "$id" --format html --output "$tmp/report.html" || fail "report html"
for s in "<svg" "<polygon" "50th" "Proficient" "</html>"; do grep -q "$s" "$tmp/report.html" || fail "report html lacks $s"; done
echo "ok: report html with the chart"

# help and errors
for c in "" run show aggregates report; do
  "$slds" growth $c --help >/dev/null || fail "slds growth $c --help"
done
expect() { # status, stderr pattern, command...
  local want=$1 pat=$2; shift 2
  "$@" >/dev/null 2>"$tmp/err"; local got=$?
  [ $got = "$want" ] || fail "$* exited $got, expected $want"
  grep -q "$pat" "$tmp/err" || { cat "$tmp/err"; fail "$*: no '$pat' on stderr"; }
}
expect 2 "year is required" "$slds" growth run "$tmp/db"
expect 2 "not a school year" "$slds" growth run "$tmp/db" --year 20x4
expect 2 "unknown command" "$slds" growth frobnicate
expect 1 "no STATE scale scores in 2010" "$slds" growth run "$tmp/db" --year 2010
expect 1 "cannot open\|no such\|not found\|does not exist" "$slds" growth show "$tmp/nothere.db" --year $year
expect 1 "not been run for 2023" "$slds" growth show "$tmp/db" --year 2023
expect 1 "has no growth results" "$slds" growth report "$tmp/db" --student 999
expect 2 "unknown level" "$slds" growth aggregates "$tmp/db" --year $year --level planet
expect 1 "cannot open" "$slds" growth run "$tmp/db" --year $year --config "$tmp/none.json"
echo "ok: help and errors"

# the parent page with a baseline run: the baseline-referenced SGP beside the
# cohort SGP, in words and in the history table, as stored; JSON too
"$slds" growth baseline fit "$tmp/db" --name before --years 2022,2023 --config "$config" >/dev/null 2>&1 \
  || fail "baseline fit"
"$slds" growth run "$tmp/db" --year $year --config "$config" --baseline before >/dev/null 2>&1 \
  || fail "run --baseline"
read -r bid bsgp bcsgp <<<"$(sqlite3 -separator ' ' "$tmp/db" "SELECT student_id, sgp_baseline, sgp FROM growth_students
  WHERE school_year = $year AND subject = 'MATH' AND sgp_baseline IS NOT NULL AND sgp IS NOT NULL
  AND sgp_baseline <> sgp ORDER BY student_id LIMIT 1")"
[ -n "$bid" ] || fail "no student with a baseline SGP"
"$slds" growth report "$tmp/db" --student "$bid" --format html --output "$tmp/baseline.html" || fail "report html (baseline)"
python3 - "$tmp/baseline.html" "$bsgp" "$bcsgp" <<'PY' || fail "report html with the baseline SGP"
import re, sys
html, bsgp, csgp = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
math = html[html.index("<h2>MATH</h2>"):]
summary = re.search(r'<p class="summary">(.*?)</p>', math).group(1)
assert "growth percentile was <b>%s</b>: the student grew more" % csgp in summary, summary
assert ("Compared with the students of 2022 and 2023 who had a similar score history (the baseline"
        " &#8220;before&#8221;), the growth percentile was <b>%s</b>" % bsgp) in summary, summary
table = math[math.index("<table"):math.index("</table>")]
assert "baseline SGP" in table and ">%s</td></tr>" % bsgp in table, table
print("ok: report html: cohort SGP %s and baseline-referenced SGP %s (the baseline 'before', 2022 and 2023)" % (csgp, bsgp))
PY
"$slds" growth report "$tmp/db" --student "$bid" --format json >"$tmp/baseline.json" || fail "report json (baseline)"
python3 -c "
import json, sys
e = [e for e in json.load(open('$tmp/baseline.json'))['history'] if e['subject'] == 'MATH'][-1]
assert e['baseline'] == 'before' and e['sgp_baseline'] == $bsgp and e['sgp'] == $bcsgp, e
print('ok: report json: baseline and sgp_baseline')" || fail "report json with the baseline SGP"
