#!/usr/bin/env bash
# The README's first command: installs what is needed, builds, generates a
# synthetic state, loads it into SQLite, audits it, shows one student, runs
# growth, educator ratings, a public report, early warning, mastery and a
# researcher extract.
# Usage: scripts/demo.sh [STUDENTS] [YEARS]   (default 20000 students, 5 years)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
students=${1:-20000}
years=${2:-5}
out=demo
rm -rf "$out" && mkdir -p "$out"
echo "== slds synth $out/collection --students $students --years $years --seed 1"
build/slds synth "$out/collection" --students "$students" --years "$years" --seed 1
echo
echo "== slds load $out/state.db $out/collection"
build/slds load "$out/state.db" "$out/collection"
echo
echo "== slds audit $out/state.db"
build/slds audit "$out/state.db"
student=$(sqlite3 "$out/state.db" "SELECT student_id FROM assessments WHERE test_type='STATE' ORDER BY student_id LIMIT 1")
echo
echo "== slds student $out/state.db $student"
build/slds student "$out/state.db" "$student"
last=$(sqlite3 "$out/state.db" "SELECT max(school_year) FROM assessments")
echo
echo "== slds growth run $out/state.db --year $last --config $out/collection/truth/growth_config.json"
build/slds growth run "$out/state.db" --year "$last" --config "$out/collection/truth/growth_config.json"
echo
echo "== slds growth aggregates $out/state.db --year $last --level district"
build/slds growth aggregates "$out/state.db" --year "$last" --level district
echo
echo "== slds educators run $out/state.db --year $last --config colorado"
build/slds educators run "$out/state.db" --year "$last" --config colorado
echo
echo "== slds report $out/state.db graduation --year $((last - 1)) --level state --public"
build/slds report "$out/state.db" graduation --year "$((last - 1))" --level state --public
echo
echo "== slds warn run $out/state.db --year $last   (early warning: ABC flags, risk of not graduating on time)"
build/slds warn run "$out/state.db" --year "$last"
echo
echo "== slds mastery fit $out/state.db   (knowledge tracing of every standard from item responses)"
build/slds mastery fit "$out/state.db"
cat >"$out/extract-spec.json" <<SPEC
{"requester": "A. Researcher, State University", "purpose": "attendance and achievement",
 "approved_by": "State data steward", "k": 10, "years": [$last],
 "tables": {"students": ["sex"],
            "student_attributes": ["school_year", "race_ethnicity", "econ_disadvantaged"],
            "assessments": ["school_year", "subject", "grade_tested", "scale_score", "performance_level"],
            "attendance": ["school_year", "days_enrolled", "days_present"]}}
SPEC
echo
echo "== slds extract $out/state.db --spec $out/extract-spec.json $out/extract   (de-identified, k = 10)"
build/slds extract "$out/state.db" --spec "$out/extract-spec.json" "$out/extract"
grower=$(sqlite3 "$out/state.db" "SELECT student_id FROM growth_students WHERE school_year = $last AND sgp IS NOT NULL AND sgp_target IS NOT NULL AND grade BETWEEN 4 AND 6 ORDER BY student_id LIMIT 1")
build/slds growth report "$out/state.db" --student "$grower" --format html >"$out/growth-$grower.html"
echo
echo "The growth chart of student $grower is in $out/growth-$grower.html"
echo "To browse the dashboards: build/slds serve $out/state.db   (then http://127.0.0.1:8080/; accounts: build/slds user add --help)"
