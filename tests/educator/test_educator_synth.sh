#!/usr/bin/env bash
# `slds educators` on a small synthetic state (8,000 students, 3 years) whose
# true teacher effects are known (truth/teacher_year_effects.csv):
#  - the lme4 preset's value-added estimates correlate with the true effects
#    of the year above a stated floor (0.60 per subject; measured 2026-12-05:
#    see docs/educators.md), and the shrunken estimates at least as well as
#    the unshrunken mean residuals (vam_raw) less 0.02;
#  - n_students and fte_students of a teacher recomputed from rosters by hand;
#  - the mean SGP of a teacher recomputed from growth_students and rosters;
#  - below the minimum of students no growth measure, and the note says why;
#  - show --format csv has the columns issue 8 requires; re-running replaces;
#  - ratings (colorado, 2022 then 2023): composite and category recomputed by
#    hand, NOT RATED rows say why, decision flags name the years and the
#    ratings stored for them; a config where growth weighs 10% is refused;
#  - errors: unknown configuration, missing --year.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3 sqlite3
synth_load 8000 3 11 --rejects "$tmp/rejects.csv"
year=2023
"$slds" growth run "$tmp/db" --year $year >/dev/null 2>&1 || fail "growth run"
"$slds" educators run "$tmp/db" --year $year --config lme4 >"$tmp/run.txt" 2>&1 || { cat "$tmp/run.txt"; fail "educators run"; }
cat "$tmp/run.txt"
"$slds" educators show "$tmp/db" --year $year --format csv >"$tmp/show1.csv" || fail "show"
"$slds" educators run "$tmp/db" --year $year >/dev/null 2>&1 || fail "second run"
"$slds" educators show "$tmp/db" --year $year --format csv >"$tmp/show2.csv" || fail "show 2"
cmp -s "$tmp/show1.csv" "$tmp/show2.csv" || fail "re-running changed the results"
head -1 "$tmp/show1.csv" | grep -q '^staff_id,school_year,role,subject,n_students,fte_students,vam_estimate,vam_se,mean_sgp,median_sgp,share_1_grade,rating,flags' \
    || fail "show columns: $(head -1 "$tmp/show1.csv")"
"$slds" educators run "$tmp/db" --year $year --config nonesuch >"$tmp/e.txt" 2>&1 && fail "unknown config accepted"
grep -q "unknown configuration 'nonesuch'" "$tmp/e.txt" || fail "unknown config message: $(cat "$tmp/e.txt")"
"$slds" educators show "$tmp/db" >"$tmp/e.txt" 2>&1 && fail "show without --year accepted"
grep -q -- "--year is required" "$tmp/e.txt" || fail "missing year message"
# the fuller model: students without a prior are kept (missing indicators),
# so at least as many links are fitted as by the lme4 preset
"$slds" educators run "$tmp/db" --year $year --config full >"$tmp/run_f.txt" 2>&1 || { cat "$tmp/run_f.txt"; fail "full"; }
cat "$tmp/run_f.txt"
lf=$(grep -o '[0-9]* student x teacher links' "$tmp/run_f.txt" | cut -d' ' -f1)
ll=$(grep -o '[0-9]* student x teacher links' "$tmp/run.txt" | cut -d' ' -f1)
[ "$lf" -gt "$ll" ] || fail "full model fitted $lf links, lme4 preset $ll"
# ratings: colorado in 2022 then 2023, so two-year decisions can fire
"$slds" growth run "$tmp/db" --year 2022 >/dev/null 2>&1 || fail "growth run 2022"
"$slds" educators run "$tmp/db" --year 2022 --config colorado >/dev/null 2>&1 || fail "colorado 2022"
"$slds" educators run "$tmp/db" --year $year --config colorado >"$tmp/run_c.txt" 2>&1 || { cat "$tmp/run_c.txt"; fail "colorado"; }
cat "$tmp/run_c.txt"
printf '{"measures": [{"name": "g", "source": "mean_sgp", "weight": 10, "linear": {"from": [1, 99], "to": [1, 4]}},'\
' {"name": "o", "source": "observation", "observation": "OBSERVATION", "weight": 90, "linear": {"from": [1, 4], "to": [1, 4]}}], "categories": []}' >"$tmp/bad.json"
"$slds" educators run "$tmp/db" --year $year --config "$tmp/bad.json" >"$tmp/e.txt" 2>&1 && fail "a config where growth weighs 10% was accepted"
grep -q "growth must be a significant factor" "$tmp/e.txt" || fail "bad config message: $(cat "$tmp/e.txt")"
# the feedback page of a rated teacher: its rating, the drivers, two charts
t=$(sqlite3 "$tmp/db" "SELECT staff_id FROM educator_results WHERE school_year = $year AND subject = '' AND rating != 'NOT RATED' ORDER BY staff_id LIMIT 1")
r=$(sqlite3 "$tmp/db" "SELECT rating FROM educator_results WHERE school_year = $year AND subject = '' AND staff_id = '$t'")
"$slds" educators report "$tmp/db" --staff "$t" --year $year --format html >"$tmp/r.html" || fail "report"
grep -q "<p class=\"rating\">$r</p>" "$tmp/r.html" || fail "report: rating $r not shown"
grep -q "What drove it: student growth" "$tmp/r.html" || fail "report: drivers"
[ "$(grep -c '<svg' "$tmp/r.html")" -ge 2 ] || fail "report: charts"
"$slds" educators report "$tmp/db" --staff NOBODY --year $year --format html >"$tmp/e.txt" 2>&1 && fail "report of nobody"
grep -q "no results stored" "$tmp/e.txt" || fail "report of nobody: message"
python3 - "$tmp/db" $year <<'PY'
import sqlite3, sys, re
con = sqlite3.connect(sys.argv[1]); year = int(sys.argv[2])
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what); ok &= bool(cond)
cats = ["Ineffective", "Partially Effective", "Effective", "Highly Effective"]
rows = con.execute("SELECT staff_id, rating, composite, rating_detail, flags, n_students, fte_students, median_sgp"
                   " FROM educator_results WHERE school_year = ? AND role = 'TEACHER' AND subject = ''", (year,)).fetchall()
rated = [r for r in rows if r[1] != "NOT RATED"]
check(len(rated) >= 40, "%d teachers rated" % len(rated))
check(all(r[1] in cats for r in rated), "every rating is one of the four categories")
# the composite and category recomputed from the detail: median SGP band points x 50% + observation x 50%
def band(v):
    return 1 if v < 35 else 2 if v < 50 else 3 if v < 65 else 4
bad = 0
for t, rating, comp, detail, flags, n, fte, med in rated:
    obs = con.execute("SELECT score FROM observations WHERE staff_id = ? AND school_year = ? AND measure = 'OBSERVATION'", (t, year)).fetchone()[0]
    want = 0.5 * band(med) + 0.5 * min(4, max(1, obs))
    cat = cats[0] if want < 1.75 else cats[1] if want < 2.5 else cats[2] if want < 3.25 else cats[3]
    bad += abs(comp - want) > 1e-9 or cat != rating
check(bad == 0, "composite and category of every rated teacher recomputed by hand (%d differ)" % bad)
nr = [r for r in rows if r[1] == "NOT RATED"]
check(all(r[3] and ("below the minimum" in r[3] or "no value" in r[3]) for r in nr), "%d NOT RATED rows each say why" % len(nr))
# decisions name the years and ratings: a two-year flag agrees with the stored 2022 rating
prev = dict(con.execute("SELECT staff_id, rating FROM educator_results WHERE school_year = ? AND role = 'TEACHER' AND subject = ''", (year - 1,)))
two = 0
for t, rating, comp, detail, flags, n, fte, med in rows:
    for m in re.finditer(r"(\w+)\(([^)]*)\)", flags or ""):
        parts = [p.strip() for p in m.group(2).split(",")]
        if m.group(1) == "dosage_over_100":
            continue
        check(parts[-1] == "%d %s" % (year, rating), "%s: %s names this year's rating" % (t, m.group(1)))
        if len(parts) == 2:
            two += 1
            check(parts[0] == "%d %s" % (year - 1, prev.get(t)), "%s: %s names 2022's stored rating" % (t, m.group(1)))
hc = sum(1 for r in rows if "additional_compensation(%d Highly Effective)" % year in (r[4] or ""))
check(hc == sum(1 for r in rows if r[1] == "Highly Effective"), "every Highly Effective teacher is flagged for compensation")
print("two-year flags checked: %d" % two)
# principals: every tested student of the school on the test date, n = those with a prior
pr = con.execute("SELECT staff_id, subject, n_students, mean_sgp FROM educator_results"
                 " WHERE school_year = ? AND role = 'PRINCIPAL' AND subject != '' ORDER BY staff_id, subject LIMIT 1", (year,)).fetchone()
check(pr is not None, "principal rows written")
school = con.execute("SELECT min(school_id) FROM staff_assignments WHERE staff_id = ? AND school_year = ? AND role = 'PRINCIPAL'", (pr[0], year)).fetchone()[0]
g = con.execute("SELECT avg(sgp), count(*) FROM growth_students WHERE school_year = ? AND subject = ? AND school_id = ? AND sgp IS NOT NULL",
                (year, pr[1], school)).fetchone()
check(abs(g[0] - pr[3]) < 0.5, "principal %s (%s) %s: mean SGP %.3f vs the school's growth_students %.3f" % (pr[0], school, pr[1], pr[3], g[0]))
sys.exit(0 if ok else 1)
PY
python3 - "$tmp/db" "$tmp/c/truth/teacher_year_effects.csv" $year <<'PY'
import csv, math, sqlite3, sys
con = sqlite3.connect(sys.argv[1]); year = int(sys.argv[3])
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what); ok &= bool(cond)
def corr(x, y):
    n = len(x); mx = sum(x) / n; my = sum(y) / n
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / math.sqrt(
        sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
truth = {(r["staff_id"], r["subject"]): float(r["true_effect"])
         for r in csv.DictReader(open(sys.argv[2])) if int(r["school_year"]) == year}
rows = con.execute("SELECT staff_id, subject, vam_estimate, vam_raw FROM educator_results WHERE role = 'TEACHER' AND"
                   " school_year = ? AND subject != '' AND vam_estimate IS NOT NULL", (year,)).fetchall()
for subject in sorted({r[1] for r in rows}):
    sel = [(truth[(t, s)], e, raw) for t, s, e, raw in rows if s == subject and (t, s) in truth]
    r_eb = corr([a for a, _, _ in sel], [b for _, b, _ in sel])
    r_raw = corr([a for a, _, _ in sel], [c for _, _, c in sel])
    print("%s: %d teachers, correlation with the truth: shrunken %.3f, unshrunken %.3f" % (subject, len(sel), r_eb, r_raw))
    check(len(sel) >= 60, "%s: at least 60 teachers estimated" % subject)
    check(r_eb >= 0.60, "%s: correlation %.3f >= 0.60" % (subject, r_eb))
    check(r_eb >= r_raw - 0.02, "%s: shrinkage does not lose to the raw estimate" % subject)
# one teacher by hand: n and fte are the links of the model (a prior score the year before)
t, s, n, fte, mean_sgp = con.execute(
    "SELECT staff_id, subject, n_students, fte_students, mean_sgp FROM educator_results"
    " WHERE school_year = ? AND role = 'TEACHER' AND subject != '' AND vam_estimate IS NOT NULL ORDER BY staff_id LIMIT 1", (year,)).fetchone()
links = con.execute(
    "SELECT r.student_id, sum(r.dosage) FROM rosters r WHERE r.staff_id = ? AND r.school_year = ?"
    " AND r.subject = ? GROUP BY r.student_id", (t, year, s)).fetchall()
def has(sid, y):
    return con.execute("SELECT 1 FROM assessments WHERE student_id = ? AND school_year = ? AND subject = ?"
                       " AND test_type = 'STATE' AND scale_score IS NOT NULL", (sid, y, s)).fetchone() is not None
model = [(sid, d) for sid, d in links if d > 0 and has(sid, year) and has(sid, year - 1)]
check(abs(n - len(model)) < 1e-9, "teacher %s %s: n_students %g = %d by hand" % (t, s, n, len(model)))
check(abs(fte - sum(d for _, d in model)) < 1e-9, "teacher %s: fte_students %g by hand" % (t, fte))
def sgp_of(sid):
    r = con.execute("SELECT sgp FROM growth_students WHERE school_year = ? AND subject = ? AND student_id = ?",
                    (year, s, sid)).fetchone()
    return r[0] if r else None
sg = [(sgp_of(sid), d) for sid, d in links if d > 0]
sg = [(g, d) for g, d in sg if g is not None]
want = sum(g * d for g, d in sg) / sum(d for _, d in sg)
check(abs(mean_sgp - want) < 1e-9, "teacher %s: mean SGP %.4f = %.4f by hand (dosage-weighted)" % (t, mean_sgp, want))
small = con.execute("SELECT count(*), sum(vam_estimate IS NULL AND note LIKE '%below the minimum%')"
                    " FROM educator_results WHERE school_year = ? AND n_students < 10", (year,)).fetchone()
check(small[0] == small[1], "%d rows under 10 students: none reports a growth measure, each says why" % small[0])
sys.exit(0 if ok else 1)
PY
