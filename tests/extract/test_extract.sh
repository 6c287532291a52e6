#!/usr/bin/env bash
# slds extract end to end on a small synthetic state, checking extract.h's
# invariants on the files themselves:
#  E1 no stored student id (nor a name) appears in any file;
#  E2 every written student's quasi-identifier profile (all QI columns of all
#     its rows, with their school years) is shared by at least k students;
#  E3 two extracts of the same spec share no pseudonym;
#  E4 rows written + rows of suppressed students = rows selected, per file;
# and: the data-use record is kept (who, why, k, counts); names and birth
# dates can't be asked for; a failed extract records nothing and leaves no
# folder; an extract into a folder already holding one is refused.
set -u
slds=$1
. "$SLDS_SOURCE_DIR/tests/require.sh"
require_cmd python3 sqlite3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$slds" synth "$tmp/c" --students 1500 --years 3 --seed 5 >/dev/null 2>&1 || { echo "synth failed"; exit 1; }
"$slds" load "$tmp/db" "$tmp/c" >/dev/null 2>&1 || { echo "FAIL: load"; exit 1; }
years=$(sqlite3 "$tmp/db" "SELECT group_concat(y) FROM (SELECT DISTINCT school_year y FROM enrollments ORDER BY y DESC LIMIT 2)")
for k in 5 10; do
cat >"$tmp/spec$k.json" <<JSON
{"requester": "A. Researcher, State University", "purpose": "attendance and achievement",
 "approved_by": "State data steward", "k": $k, "years": [$years],
 "tables": {"students": ["sex"],
            "student_attributes": ["school_year", "race_ethnicity", "econ_disadvantaged"],
            "enrollments": ["school_year", "school_id", "grade_level", "exit_code"],
            "assessments": ["school_year", "subject", "grade_tested", "scale_score"],
            "rosters": ["school_year", "subject", "staff_id", "dosage"]}}
JSON
done
for x in a b; do
    "$slds" extract "$tmp/db" --spec "$tmp/spec10.json" "$tmp/$x" --format json >"$tmp/$x.json" \
        || { echo "FAIL: extract $x"; fail=1; }
done
"$slds" extract "$tmp/db" --spec "$tmp/spec5.json" "$tmp/k5" --format json >"$tmp/k5.json" \
    || { echo "FAIL: extract k5"; fail=1; }
sqlite3 "$tmp/db" "SELECT student_id FROM students" >"$tmp/ids"
sqlite3 "$tmp/db" "SELECT last_name FROM student_identity WHERE length(last_name) > 5 LIMIT 200" >"$tmp/names"
python3 - "$tmp" <<'PY' || fail=1
import csv, json, os, sys, collections
t = sys.argv[1]
ok = True
def bad(msg):
    global ok
    ok = False
    print("FAIL:", msg)
ids = set(open(os.path.join(t, 'ids')).read().split())
names = set(open(os.path.join(t, 'names')).read().split())
QI = {'sex', 'race_ethnicity', 'econ_disadvantaged', 'school_id', 'grade_level', 'grade_tested'}
pseudonyms = {}
for x, k in (('a', 10), ('b', 10), ('k5', 5)):
    d = os.path.join(t, x)
    summary = json.load(open(os.path.join(t, x + '.json')))
    profiles = collections.defaultdict(set)
    seen = set()
    for f in summary['files']:
        rows = list(csv.DictReader(open(os.path.join(d, f['file']))))
        if len(rows) != f['rows_written']:
            bad(f"{x}/{f['file']}: {len(rows)} rows, summary says {f['rows_written']}")
        for r in rows:
            seen.add(r['pseudonym'])
            for col, v in r.items():
                # E1: no stored id or name anywhere, in any column
                if v in ids:
                    bad(f"{x}/{f['file']}: a stored student id appears ({col})")
                if v in names:
                    bad(f"{x}/{f['file']}: a stored name appears ({col})")
                if col in QI:
                    profiles[r['pseudonym']].add((f['file'], col, r.get('school_year', ''), v))
    # E2: k-anonymity of whole profiles
    counts = collections.Counter(frozenset(p) for p in profiles.values())
    smallest = min(counts.values())
    if smallest < k:
        bad(f"{x}: a profile is shared by only {smallest} students (k = {k})")
    if len(seen) != summary['students_written']:
        bad(f"{x}: {len(seen)} pseudonyms, summary says {summary['students_written']}")
    # E4: rows accounted
    if summary['rows_written'] > summary['rows_selected'] or \
       (summary['students_suppressed'] == 0 and summary['rows_written'] != summary['rows_selected']):
        bad(f"{x}: rows written {summary['rows_written']} of {summary['rows_selected']}")
    if summary['students_written'] + summary['students_suppressed'] != summary['students_selected']:
        bad(f"{x}: students don't add up")
    if summary['students_written'] < 0.9 * summary['students_selected']:
        bad(f"{x}: only {summary['students_written']} of {summary['students_selected']} written")
    pseudonyms[x] = seen
    # staff ids are pseudonyms too
    for r in csv.DictReader(open(os.path.join(d, 'rosters.csv'))):
        if len(r['staff_id']) != 20:
            bad(f"{x}: staff id not a pseudonym: {r['staff_id']}")
            break
# E3: two extracts of one spec can't be joined
for x, y in (('a', 'b'), ('a', 'k5'), ('b', 'k5')):
    common = pseudonyms[x] & pseudonyms[y]
    if common:
        bad(f"extracts {x} and {y} share {len(common)} pseudonyms")
if len(pseudonyms['a']) < 100:
    bad("too few students written to test anything")
sys.exit(0 if ok else 1)
PY
# The data-use records: three extracts, who and why kept.
n=$("$slds" extract "$tmp/db" --list --format csv | tail -n +2 | grep -c "\"A. Researcher, State University\",attendance and achievement,State data steward")
[ "$n" = 3 ] || { echo "FAIL: $n data-use records, expected 3"; fail=1; }
# Names and birth dates can't be asked for; nothing recorded, no folder.
cat >"$tmp/bad.json" <<'JSON'
{"requester": "x", "purpose": "y", "tables": {"student_identity": ["first_name", "birth_date"]}}
JSON
if "$slds" extract "$tmp/db" --spec "$tmp/bad.json" "$tmp/bad" 2>"$tmp/err"; then
    echo "FAIL: names extracted"; fail=1
fi
grep -q "can't be extracted" "$tmp/err" || { echo "FAIL: no reason given: $(cat "$tmp/err")"; fail=1; }
[ ! -e "$tmp/bad" ] || { echo "FAIL: a refused extract left a folder"; fail=1; }
# A folder that already holds an extract is refused, and nothing is recorded.
if "$slds" extract "$tmp/db" --spec "$tmp/spec10.json" "$tmp/a" >/dev/null 2>"$tmp/err"; then
    echo "FAIL: an extract overwrote another"; fail=1
fi
[ "$(sqlite3 "$tmp/db" 'SELECT count(*) FROM extracts')" = 3 ] || { echo "FAIL: a refused extract was recorded"; fail=1; }
[ "$fail" = 0 ] && echo "ok: extracts de-identified, k-anonymous, unlinkable, recorded"
exit $fail
