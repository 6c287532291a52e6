#!/usr/bin/env bash
# `slds educators run` on a tiny synthetic state (3,000 students, 4 years,
# seed 1; the year 2024), where grade 3 has two students with a prior score: the grade's z
# and z^2 columns are then aliased with its dummy. The run must not refuse
# (it did: "the fixed-effects design (24 columns) is not of full rank"); it
# drops the aliased column as lme4 does and says so in a note naming it, and
# every teacher with enough students still gets an estimate.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd sqlite3 python3
synth_load 3000 4 1 --rejects "$tmp/rejects.csv"
year=2024
"$slds" growth run "$tmp/db" --year $year >/dev/null 2>&1 || fail "growth run"
"$slds" educators run "$tmp/db" --year $year >"$tmp/run.txt" 2>&1 || { cat "$tmp/run.txt"; fail "educators run refused a tiny state"; }
cat "$tmp/run.txt"
grep -q '^note: ELA 2024, teacher model: 1 column of the fixed-effects design aliased .* dropped, as lme4 does: grade 3:z^2$' "$tmp/run.txt" \
    || fail "no note naming the dropped column"
# the premise: grade 3 has exactly two ELA students with a 2022 score
n3=$(sqlite3 "$tmp/db" "SELECT count(DISTINCT a.student_id) FROM assessments a JOIN assessments b
     ON b.student_id = a.student_id AND b.subject = a.subject AND b.school_year = a.school_year - 1
     AND b.test_type = 'STATE' AND b.scale_score IS NOT NULL
     JOIN rosters r ON r.student_id = a.student_id AND r.school_year = a.school_year AND r.subject = a.subject
     WHERE a.school_year = $year AND a.subject = 'ELA' AND a.test_type = 'STATE' AND a.grade_tested = '03'
     AND a.scale_score IS NOT NULL")
[ "$n3" = 2 ] || fail "the premise: grade 3 has $n3 ELA students with a prior and a roster, not 2"
# principals carry their school's graduation rate (class of Y) and college
# rate (graduates of Y-1): the figures of the graduation and college reports
"$slds" report "$tmp/db" graduation --year $year --level school --subgroup all --format csv >"$tmp/grad.csv" || fail "graduation report"
"$slds" report "$tmp/db" college --year $((year - 1)) --level school --subgroup all --format csv >"$tmp/college.csv" || fail "college report"
python3 - "$tmp/db" $year "$tmp/grad.csv" "$tmp/college.csv" <<'PY' || fail "principals' outcomes"
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[1]); year = int(sys.argv[2])
def school_rows(path):
    text = open(path).read().split("\n\n")[0]
    return {r["group_id"]: r for r in csv.DictReader(text.strip().splitlines()) if r["level"] == "school"}
grad, col = school_rows(sys.argv[3]), school_rows(sys.argv[4])
rows = con.execute("SELECT staff_id, school_id, grad_rate, grad_cohort, college_rate, college_graduates"
                   " FROM educator_results WHERE school_year = ? AND role = 'PRINCIPAL' AND subject = ''", (year,)).fetchall()
n_g = n_c = 0
for staff, school, gr, gc, cr, cg in rows:
    g, c = grad.get(school), col.get(school)
    assert (gr is None) == (g is None), (staff, school, gr, g)
    assert (cr is None) == (c is None), (staff, school, cr, c)
    if g:
        assert abs(gr - float(g["rate"])) < 0.006 and gc == float(g["adjusted_cohort"]), (staff, gr, g)
        n_g += 1
    if c:
        assert abs(cr - float(c["rate"])) < 0.006 and cg == float(c["graduates"]), (staff, cr, c)
        n_c += 1
assert n_g >= 2 and n_c >= 2, (n_g, n_c)
print("ok: %d principals' graduation rates and %d college rates are their schools' in the reports" % (n_g, n_c))
PY
# every teacher row at or above the minimum has an estimate and an SE
missing=$(sqlite3 "$tmp/db" "SELECT count(*) FROM educator_results WHERE school_year = $year AND role = 'TEACHER'
          AND subject != '' AND n_students >= 10 AND fte_students >= 5 AND (vam_estimate IS NULL OR vam_se IS NULL)")
[ "$missing" = 0 ] || fail "$missing teacher rows above the minimum without an estimate"
est=$(sqlite3 "$tmp/db" "SELECT count(*) FROM educator_results WHERE school_year = $year AND role = 'TEACHER'
      AND subject != '' AND vam_estimate IS NOT NULL")
[ "$est" -ge 20 ] || fail "only $est teacher estimates"
echo "ok: $est teacher estimates, the aliased column named"

# --- the fuller model's options: the CSEM table, class and school means,
# prior required (then exactly the lme4 preset's rows)
links() { grep -o '[0-9]* student x teacher links' "$1" | cut -d' ' -f1; }
printf 'GRADE,CONTENT_AREA,SCALE_SCORE,SCALE_SCORE_CSEM\n3,ELA,100,14\n3,ELA,900,12\n3,MATH,100,12\n3,MATH,900,10\n8,MATH,500,11\n' >"$tmp/csem.csv"
"$slds" educators run "$tmp/db" --year $year >"$tmp/run_l.txt" 2>&1 || fail "lme4 again"
"$slds" educators run "$tmp/db" --year $year --config full --prior-required --csem "$tmp/csem.csv" \
    --class-means --school-means >"$tmp/run_f.txt" 2>&1 || { cat "$tmp/run_f.txt"; fail "full with every option"; }
[ "$(links "$tmp/run_f.txt")" = "$(links "$tmp/run_l.txt")" ] || fail "prior required: $(links "$tmp/run_f.txt") links, lme4 $(links "$tmp/run_l.txt")"
nf=$(sqlite3 "$tmp/db" "SELECT count(*) FROM educator_results WHERE school_year = $year AND role = 'TEACHER' AND subject != '' AND vam_estimate IS NOT NULL")
[ "$nf" -ge 20 ] || fail "full model: $nf estimates"
"$slds" educators run "$tmp/db" --year $year --config full >"$tmp/run_f2.txt" 2>&1 || fail "full"
[ "$(links "$tmp/run_f2.txt")" -gt "$(links "$tmp/run_l.txt")" ] || fail "full keeps students without the same-subject prior"
# grade-3 teachers: no student with a prior, so no value-added, and the note says why
g3=$(sqlite3 "$tmp/db" "SELECT count(*) FROM educator_results WHERE school_year = $year AND role = 'TEACHER'
     AND subject != '' AND vam_estimate IS NULL AND note LIKE 'students with a prior score %no value-added reported%'")
[ "$g3" -ge 1 ] || fail "no teacher without enough students with a prior was told why"
printf 'GRADE,SUBJECT\n3,ELA\n' >"$tmp/bad.csv"
"$slds" educators run "$tmp/db" --year $year --config full --csem "$tmp/bad.csv" >"$tmp/e.txt" 2>&1 && fail "a CSEM table without its columns accepted"
grep -q "the header needs GRADE, CONTENT_AREA, SCALE_SCORE and SCALE_SCORE_CSEM" "$tmp/e.txt" || fail "bad CSEM message: $(cat "$tmp/e.txt")"
echo "ok: the fuller model's options (links $(links "$tmp/run_f.txt") with a prior, $(links "$tmp/run_f2.txt") with any earlier score)"

# --- the reports on a rated run (colorado): educator-summary and d2-measures
"$slds" report "$tmp/db" educator-summary --year $year >"$tmp/e.txt" 2>&1 && fail "summary without ratings accepted"
grep -q "no ratings stored for $year (the run had no rating configuration" "$tmp/e.txt" || fail "summary without ratings: $(cat "$tmp/e.txt")"
"$slds" educators run "$tmp/db" --year $year --config colorado >/dev/null 2>&1 || fail "colorado"
"$slds" report "$tmp/db" educator-summary --year $year --format csv >"$tmp/sum.csv" || fail "educator-summary"
"$slds" report "$tmp/db" educator-summary --year $year --public --format csv >"$tmp/sum_pub.csv" 2>/dev/null || fail "educator-summary --public"
"$slds" report "$tmp/db" d2-measures --year $year --format csv >"$tmp/d2.csv" || fail "d2-measures"
"$slds" report "$tmp/db" d2-measures --year $year --public --format csv >"$tmp/d2_pub.csv" 2>/dev/null || fail "d2-measures --public"
"$slds" report "$tmp/db" d2-measures --year 2022 >"$tmp/e.txt" 2>&1 && fail "d2 of a year without a run accepted"
grep -q "no ratings stored for 2022 (no run of that year" "$tmp/e.txt" || fail "d2 of 2022: $(cat "$tmp/e.txt")"
"$slds" report --list --format csv | grep -q '^educator-summary,' || fail "educator-summary not listed"
python3 - "$tmp/db" $year "$tmp/sum.csv" "$tmp/sum_pub.csv" "$tmp/d2.csv" "$tmp/d2_pub.csv" <<'PY'
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[1]); year = int(sys.argv[2])
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what); ok &= bool(cond)
def tables(path):  # report CSV: tables separated by a blank line
    out, cur = [], []
    for line in open(path).read().split("\n\n"):
        if line.strip():
            out.append(list(csv.DictReader(line.strip().splitlines())))
    return out
summ = tables(sys.argv[3])[0]
cats = ["Ineffective", "Partially Effective", "Effective", "Highly Effective"]
slugs = ["ineffective", "partially_effective", "effective", "highly_effective"]
# every state and district row recomputed from educator_results and staff_assignments by hand
def by_hand(role, lea):
    q = ("SELECT r.rating FROM educator_results r WHERE r.school_year = ? AND r.subject = '' AND r.role = ?")
    args = [year, role]
    if lea:
        q += (" AND r.staff_id IN (SELECT a.staff_id FROM staff_assignments a JOIN schools s USING(school_id)"
              " WHERE a.school_year = ? AND a.role = ? AND s.lea_id = ?)")
        args += [year, role, lea]
    return [r[0] for r in con.execute(q, args)]
bad = 0
for row in summ:
    ratings = by_hand(row["role"], None if row["level"] == "state" else row["group_id"])
    rated = [r for r in ratings if r in cats]
    want = {"educators": len(ratings), "rated": len(rated), "not_rated": len(ratings) - len(rated)}
    for c, s in zip(cats, slugs):
        want["n_" + s] = rated.count(c)
    for k, v in want.items():
        if int(row[k]) != v:
            bad += 1; print("  %s %s %s: %s = %s, by hand %d" % (row["level"], row["role"], row["group_id"], k, row[k], v))
    if rated:
        eff = 100.0 * (rated.count("Effective") + rated.count("Highly Effective")) / len(rated)
        if abs(float(row["pct_effective_or_better"]) - eff) > 0.051:
            bad += 1; print("  effective or better %s vs %.2f" % (row["pct_effective_or_better"], eff))
check(bad == 0, "%d summary rows equal the counts by hand" % len(summ))
states = [r for r in summ if r["level"] == "state" and r["role"] == "TEACHER"]
leas = [r for r in summ if r["level"] == "lea" and r["role"] == "TEACHER"]
check(len(states) == 1 and sum(int(r["educators"]) for r in leas) == int(states[0]["educators"]),
      "the districts' teachers add up to the state's")
pub = tables(sys.argv[4])[0]
shown_small = [(r["group_id"], k, r[k]) for r in pub for k in r
               if k.startswith("n_") and r[k] not in ("*", "") and 0 < int(r[k]) < 10]
check(not shown_small, "public summary: no category count between 1 and 9 shown (%s)" % shown_small[:3])
check(any("*" in r.values() for r in pub), "public summary suppresses something")
lea_t, people = tables(sys.argv[5])
m = {r["measure"]: r for r in lea_t + people}
nleas = con.execute("SELECT count(*) FROM leas").fetchone()[0]
check(int(m["leas"]["count"]) == nleas, "participating LEAs %s = %d" % (m["leas"]["count"], nleas))
g = con.execute("SELECT count(DISTINCT lea_id) FROM growth_students WHERE school_year = ? AND sgp IS NOT NULL", (year,)).fetchone()[0]
check(int(m["d2i"]["count"]) == g and int(m["d2i"]["of"]) == nleas, "(D)(2)(i) %s of %s LEAs measure growth (by hand %d)" % (m["d2i"]["count"], m["d2i"]["of"], g))
rated = con.execute("SELECT count(*) FROM educator_results WHERE school_year = ? AND subject = '' AND rating != 'NOT RATED'", (year,)).fetchone()[0]
eff = con.execute("SELECT count(*) FROM educator_results WHERE school_year = ? AND subject = '' AND rating IN ('Effective', 'Highly Effective')", (year,)).fetchone()[0]
ine = con.execute("SELECT count(*) FROM educator_results WHERE school_year = ? AND subject = '' AND rating = 'Ineffective'", (year,)).fetchone()[0]
check((int(m["d2iii_effective"]["count"]), int(m["d2iii_effective"]["of"])) == (eff, rated),
      "(D)(2)(iii) effective or better %s of %s (by hand %d of %d)" % (m["d2iii_effective"]["count"], m["d2iii_effective"]["of"], eff, rated))
check(int(m["d2iii_ineffective"]["count"]) == ine, "(D)(2)(iii) ineffective %s (by hand %d)" % (m["d2iii_ineffective"]["count"], ine))
check(m["d2iv_b_promote"]["count"] == "0" and "no decision that informs it" in m["d2iv_b_promote"]["definition"],
      "colorado has no promotion decision: 0 and why")
check(m["d2iv_d_removed"]["count"] == "" and "no staff assignments of %d" % (year + 1) in m["d2iv_d_removed"]["definition"],
      "removals unknown without the next year's assignments, and why")
check(m["d2iii_ineffective"]["wording"].startswith("Number of teachers and principals in participating LEAs with qualifying evaluation systems who were evaluated as ineffective"),
      "the notice's wording")
plea, ppeople = tables(sys.argv[6])
check(plea == lea_t, "public: the LEA measures are not suppressed")
small = [r["measure"] for r in ppeople if r["count"] not in ("*", "") and 0 < int(r["count"]) < 10]
check(not small, "public: no count of educators between 1 and 9 shown (%s)" % small)
sys.exit(0 if ok else 1)
PY
