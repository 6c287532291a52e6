#!/usr/bin/env bash
# test_synth_truth.sh - end-to-end test of `slds synth` (gets the slds binary
# as $1): a small state (3000 students x 5 years) has every contract file
# with its exact header and passes the collection checker; the same seed
# gives byte-identical output and another seed different output; the
# realized figures of truth/summary.json land in the ranges docs/synth.md
# states; --dirty adds exactly the listed bad rows; bad arguments exit 2.
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd python3

SLDS=${1:?usage: test_synth_truth.sh path/to/slds}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

FILES="leas.csv schools.csv students.csv enrollments.csv student_attributes.csv staff.csv
staff_assignments.csv rosters.csv assessments.csv courses.csv attendance.csv discipline.csv
postsecondary.csv observations.csv prep_programs.csv standards.csv item_responses.csv finance.csv"
TRUTH="params.json summary.json teacher_effects.csv teacher_year_effects.csv prep_program_effects.csv
school_effects.csv standard_params.csv identity.csv dirty_rows.csv growth_config.json"

# 1. Generate: twice with one seed, once with another.
"$SLDS" synth "$TMP/a" --students 3000 --years 5 --seed 7 >"$TMP/a.out" 2>"$TMP/a.err"
"$SLDS" synth "$TMP/b" --students 3000 --years 5 --seed 7 >/dev/null 2>&1
"$SLDS" synth "$TMP/c" --students=3000 --years=5 --seed=8 --format json >"$TMP/c.json" 2>/dev/null
for f in $FILES; do
    [ -s "$TMP/a/$f" ] || fail "$f missing or empty"
    grep -q "^$f " "$TMP/a.out" || fail "$f not in the printed summary"
done
for f in $TRUTH; do
    [ -s "$TMP/a/truth/$f" ] || fail "truth/$f missing or empty"
done

# 2. Determinism: same seed, same bytes; another seed, other bytes.
for f in $FILES; do
    cmp -s "$TMP/a/$f" "$TMP/b/$f" || fail "$f differs between two runs with the same seed"
done
for f in $TRUTH; do
    cmp -s "$TMP/a/truth/$f" "$TMP/b/truth/$f" || fail "truth/$f differs between two runs with the same seed"
done
for f in enrollments.csv assessments.csv rosters.csv; do
    if cmp -s "$TMP/a/$f" "$TMP/c/$f"; then fail "$f identical for seeds 7 and 8"; fi
done

# 3. Contract and consistency (headers, codes, references, spells, rosters, tests).
python3 "$HERE/check_collection.py" "$TMP/a" || fail "collection check"

# 4. Realized figures in range; the JSON summary names every file.
python3 - "$TMP/a/truth/summary.json" "$TMP/c.json" <<'EOF' || fail "summary figures out of range"
import json, sys
s = json.load(open(sys.argv[1]))
printed = json.load(open(sys.argv[2]))
problems = []
def check(name, value, lo, hi):
    if value is None or not lo <= value <= hi:
        problems.append("%s = %r not in [%g, %g]" % (name, value, lo, hi))
g = s["graduation"]
check("4-year graduation rate", g["rate_all_cohorts"], 0.72, 0.93)
if len(g["cohorts"]) != 2:
    problems.append("expected the 2021 and 2022 cohorts, got %d" % len(g["cohorts"]))
if not g["rate_econ_disadvantaged"] < g["rate_not_econ_disadvantaged"]:
    problems.append("poor students should graduate less often")
check("college enrollment rate", s["postsecondary"]["rate"], 0.50, 0.80)
m = s["mobility"]
check("within-year school change share", m["within_year_school_change_share"], 0.02, 0.09)
check("between-years school change share", m["between_years_school_change_share"], 0.10, 0.35)
check("between-years residential move share", m["between_years_residential_move_share"], 0.03, 0.12)
for subject, grades in s["growth"].items():
    for grade, row in grades.items():
        check("mean growth %s %s" % (subject, grade), row["mean_observed"], 5, 60)
        if row["students"] < 100:
            problems.append("too few growth pairs for %s %s" % (subject, grade))
check("not tested share", s["testing"]["not_tested_share"], 0.005, 0.03)
check("chronic absence share", s["schooling"]["chronic_absence_share"], 0.08, 0.25)
for year, n in s["enrollment"]["enrolled_by_year"].items():
    check("enrolled in " + year, n, 2700, 3300)
for subject, grades in s["state_scores"].items():
    check("grade 3 mean %s" % subject, grades["03"]["mean"], 370, 430)
    check("grade 3 sd %s" % subject, grades["03"]["sd"], 30, 55)
if len(printed) != 18 or any(r["rows"] <= 0 for r in printed):
    problems.append("the JSON summary should list 18 files with rows")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
EOF

# 5. --dirty: about 5% bad rows, each listed; without them, the files are
#    byte for byte those of the clean run with the same seed.
"$SLDS" synth "$TMP/d" --students 3000 --years 5 --seed 7 --dirty 0.05 >/dev/null 2>&1
python3 "$HERE/check_collection.py" "$TMP/d" >/dev/null || fail "collection check of the dirty run"
python3 - "$TMP/a" "$TMP/d" $FILES <<'EOF' || fail "dirty rows"
import csv, json, os, sys
clean, dirty, files = sys.argv[1], sys.argv[2], sys.argv[3:]
listed = {}
with open(os.path.join(dirty, "truth", "dirty_rows.csv"), newline="") as f:
    for r in csv.DictReader(f):
        listed.setdefault(r["file"], set()).add(int(r["line"]))
summary = json.load(open(os.path.join(dirty, "truth", "summary.json")))["files"]
bad = sum(v["dirty_rows"] for v in summary.values())
total = sum(v["rows"] for v in summary.values())
if not 0.04 <= bad / total <= 0.06:
    sys.exit("dirty share %.4f, wanted about 0.05" % (bad / total))
for name in files:
    lines = open(os.path.join(dirty, name), "rb").read().split(b"\n")
    kept = b"\n".join(l for i, l in enumerate(lines, 1) if i not in listed.get(name, ()))
    if kept != open(os.path.join(clean, name), "rb").read():
        sys.exit("%s: the good rows differ from the clean run" % name)
    if len(listed.get(name, ())) != summary[name]["dirty_rows"]:
        sys.exit("%s: listed and counted bad rows differ" % name)
EOF

# 6. Usage: --help, and bad arguments exit 2 with a message.
"$SLDS" synth --help | grep -q "usage: slds synth" || fail "--help"
expect_usage() {
    local status=0
    "$SLDS" synth "$@" >/dev/null 2>"$TMP/usage.err" || status=$?
    [ "$status" -eq 2 ] || fail "slds synth $* exited $status, wanted 2"
    [ -s "$TMP/usage.err" ] || fail "slds synth $* printed no message"
}
expect_usage "$TMP/x" --years 2 --seed 1
expect_usage "$TMP/x" --students 1000 --years 2 --seed 1 --dirty 2
expect_usage "$TMP/x" --students ten --years 2 --seed 1
expect_usage "$TMP/x" --students 1000 --years 0 --seed 1
expect_usage "$TMP/x" --students 1000 --years 2 --seed 1 --bogus
expect_usage --students 1000 --years 2 --seed 1
expect_usage "$TMP/x" --students 1000 --years 2 --seed 1 --format xml
echo "synth: ok"
