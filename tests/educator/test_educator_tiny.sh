#!/usr/bin/env bash
# `slds educators run` on a tiny synthetic state (3,000 students, 3 years,
# seed 1), where grade 3 has two students with a prior score: the grade's z
# and z^2 columns are then aliased with its dummy. The run must not refuse
# (it did: "the fixed-effects design (24 columns) is not of full rank"); it
# drops the aliased column as lme4 does and says so in a note naming it, and
# every teacher with enough students still gets an estimate.
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd sqlite3
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1
fail() { echo "FAIL: $*"; exit 1; }
"$slds" synth "$tmp/c" --students 3000 --years 3 --seed 1 >/dev/null 2>&1 || fail "synth"
"$slds" load "$tmp/db" "$tmp/c" --rejects "$tmp/rejects.csv" >/dev/null 2>&1 || fail "load"
year=2023
"$slds" growth run "$tmp/db" --year $year >/dev/null 2>&1 || fail "growth run"
"$slds" educators run "$tmp/db" --year $year >"$tmp/run.txt" 2>&1 || { cat "$tmp/run.txt"; fail "educators run refused a tiny state"; }
cat "$tmp/run.txt"
grep -q '^note: ELA 2023, teacher model: 1 column of the fixed-effects design aliased .* dropped, as lme4 does: grade 3:z^2$' "$tmp/run.txt" \
    || fail "no note naming the dropped column"
# the premise: grade 3 has exactly two ELA students with a 2022 score
n3=$(sqlite3 "$tmp/db" "SELECT count(DISTINCT a.student_id) FROM assessments a JOIN assessments b
     ON b.student_id = a.student_id AND b.subject = a.subject AND b.school_year = a.school_year - 1
     AND b.test_type = 'STATE' AND b.scale_score IS NOT NULL
     JOIN rosters r ON r.student_id = a.student_id AND r.school_year = a.school_year AND r.subject = a.subject
     WHERE a.school_year = $year AND a.subject = 'ELA' AND a.test_type = 'STATE' AND a.grade_tested = '03'
     AND a.scale_score IS NOT NULL")
[ "$n3" = 2 ] || fail "the premise: grade 3 has $n3 ELA students with a prior and a roster, not 2"
# every teacher row at or above the minimum has an estimate and an SE
missing=$(sqlite3 "$tmp/db" "SELECT count(*) FROM educator_results WHERE school_year = $year AND role = 'TEACHER'
          AND subject != '' AND n_students >= 10 AND fte_students >= 5 AND (vam_estimate IS NULL OR vam_se IS NULL)")
[ "$missing" = 0 ] || fail "$missing teacher rows above the minimum without an estimate"
est=$(sqlite3 "$tmp/db" "SELECT count(*) FROM educator_results WHERE school_year = $year AND role = 'TEACHER'
      AND subject != '' AND vam_estimate IS NOT NULL")
[ "$est" -ge 20 ] || fail "only $est teacher estimates"
echo "ok: $est teacher estimates, the aliased column named"
