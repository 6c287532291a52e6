#!/usr/bin/env bash
# Every rule of the loader (slds contract --rules) is triggered by a planted
# row, and each planted row ends as its rule's default severity says: a
# reject rule rejects the row (in rejects.csv and table rejects, with the rule
# id), a warn rule loads it and keeps a finding (findings.csv and table
# findings, with the rule id and the row's district). Then --rules: raising a
# warning to reject rejects the row; lowering a storage rule is refused before
# anything is written; CSV and JSON rules files are both read.
set -u
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
c=$tmp/c
mkdir -p "$c"
# Each planted row names its rule in a comment kept by python below: (file, line) -> rule.
cat >"$c/leas.csv" <<'CSV'
lea_id,lea_name,children_in_poverty,children_served,title1_allocation
L1,North,1,2,3
L2,South,,,
CSV
cat >"$c/prep_programs.csv" <<'CSV'
prep_program_id,name,provider,route
P1,State U,IHE,TRADITIONAL
CSV
cat >"$c/schools.csv" <<'CSV'
school_id,lea_id,school_name,school_level,title1,title1_status,charter
S1,L1,One,ELEMENTARY,Y,NONE,N
S2,L1,Two,MIDDLE,N,NONE,N
S3,L2,Three,ELEMENTARY,N,NONE,N
S4,L9,Ghost,ELEMENTARY,N,NONE,N
S5,L1,Bad,ELEMENTARY,N,NONE,N,extra
S6,L1,"Bad "quote,ELEMENTARY,N,NONE,N
S7,L1,Seven,PRIMARY,N,NONE,N
S8,L1,Eight,,N,NONE,N
CSV
printf 'S9,L1,Nine\033[31m,ELEMENTARY,N,NONE,N\n' >>"$c/schools.csv"
printf 'S10,L1,D\xe9j\xe0,ELEMENTARY,N,NONE,N\n' >>"$c/schools.csv"
cat >"$c/staff.csv" <<'CSV'
staff_id,lea_id,first_name,last_name,prep_program_id,certification_route,years_experience,tenured
T1,L1,Tea,Cher,P1,TRADITIONAL,5,Y
T2,L1,Two,Cher,P9,TRADITIONAL,5,Y
T3,L1,Old,Timer,P1,TRADITIONAL,75,Y
T4,L1,Yes,No,P1,TRADITIONAL,5,maybe
CSV
cat >"$c/staff_assignments.csv" <<'CSV'
staff_id,school_id,school_year,role,subject_area,fte
T1,S1,2024,TEACHER,MATH,1
T1,S1,2024,TEACHER,MATH,0.5
T9,S1,2024,TEACHER,ELA,1
CSV
cat >"$c/students.csv" <<'CSV'
lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id
L1,1,Ann,A,2014-01-01,F,1000000001
L1,2,Bob,B,2014-01-01,M,1000000002
L1,3,Cy,C,2014-01-01,M,1000000003
L1,4,Zed,Doe,2010-01-01,M,1000000004
L2,5,Zed,Doe,2010-01-01,M,1000000005
L2,6,Zed,Doe,2010-01-01,M,
L2,7,Nob,,,F,
L9,8,Who,Ever,2014-01-01,F,1000000008
L1,1,Ann,A,2014-01-01,F,1000000001
CSV
cat >"$c/enrollments.csv" <<'CSV'
student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code
1000000001,S1,2023,03,2022-08-20,2023-06-01,PROMOTED
1000000001,S1,2024,04,2023-08-20,2023-12-01,
1000000001,S2,2024,04,2023-11-01,,
1000000002,S1,2024,04,2023-08-20,2023-06-01,PROMOTED
1000000002,S1,2024,04,2023-09-20,,PROMOTED
1000000002,S1,2024,04,2024-07-20,,
1000000002,S1,2025,05,2024-08-20,2025-12-01,PROMOTED
1000000003,S1,2022,02,2021-08-20,2022-06-01,PROMOTED
1000000003,S1,2023,07,2022-08-20,,
1000009999,S1,2024,04,2023-08-20,,
1000000004,S99,2024,04,2023-08-20,,
1000000004,S1,2024,04,2023-08-20,,
1000000004,S1,2024,04,2023-08-20,,
CSV
cat >"$c/rosters.csv" <<'CSV'
staff_id,student_id,school_id,school_year,subject,section_id,dosage
T1,1000000001,S1,2024,MATH,A,1
T1,1000000005,S1,2024,MATH,A,1
T1,1000000001,S2,2024,MATH,A,1
CSV
cat >"$c/assessments.csv" <<'CSV'
student_id,school_year,subject,grade_tested,test_type,test_name,test_date,scale_score,performance_level,not_tested_reason
1000000001,2024,MATH,04,STATE,State,2024-04-20,400,2,
1000000005,2024,MATH,04,STATE,State,2024-04-20,400,2,
1000000001,2024,ELA,04,STATE,State,2025-11-20,400,2,
1000000001,2024,SCI,04,STATE,State,2024-04-20,400,2,ABSENT
CSV
cat >"$c/attendance.csv" <<'CSV'
student_id,school_id,school_year,days_enrolled,days_present
1000000001,S1,2024,100,90
1000000001,S3,2024,100,90
1000000001,S1,2023,100,120
CSV
cat >"$c/standards.csv" <<'CSV'
standard_id,subject,grade_level,description,prerequisite_ids
M.1,MATH,04,Add,
CSV
cat >"$c/item_responses.csv" <<'CSV'
student_id,response_time,item_id,standard_id,correct
1000000001,2024-01-01T10:00,I1,M.1,1
1000000001,2024-01-01T10:01,I2,M.9,1
CSV
# expected outcome of each planted row: file,line,rule (reject or warn by default)
cat >"$tmp/expected.csv" <<'CSV'
file,line,rule
schools.csv,5,REF_UNKNOWN_DISTRICT
schools.csv,6,ROW_FIELD_COUNT
schools.csv,7,ROW_STRAY_QUOTE
schools.csv,8,VALUE_CODE
schools.csv,9,VALUE_BLANK
schools.csv,10,VALUE_CONTROL_CHAR
schools.csv,11,ROW_NOT_UTF8
staff.csv,3,REF_UNKNOWN_PROGRAM
staff.csv,4,VALUE_RANGE
staff.csv,5,VALUE_TYPE
staff_assignments.csv,3,KEY_DUPLICATE_IN_FILE
staff_assignments.csv,4,REF_UNKNOWN_STAFF
students.csv,7,STU_AMBIGUOUS_MATCH
students.csv,8,STU_IDENTITY_MISSING
students.csv,9,REF_UNKNOWN_DISTRICT
students.csv,10,KEY_DUPLICATE_IN_FILE
enrollments.csv,3,ENR_EXIT_CODE_MISSING
enrollments.csv,4,ENR_OVERLAP
enrollments.csv,5,ENR_EXIT_BEFORE_ENTRY
enrollments.csv,6,ENR_EXIT_CODE_WITHOUT_DATE
enrollments.csv,7,ENR_ENTRY_OUTSIDE_YEAR
enrollments.csv,8,ENR_EXIT_AFTER_YEAR
enrollments.csv,10,ENR_GRADE_PROGRESSION
enrollments.csv,11,REF_UNKNOWN_STUDENT
enrollments.csv,12,REF_UNKNOWN_SCHOOL
enrollments.csv,14,KEY_DUPLICATE_IN_FILE
rosters.csv,3,ROS_NOT_ENROLLED
rosters.csv,4,ROS_TEACHER_NOT_ASSIGNED
assessments.csv,3,ASM_NOT_ENROLLED
assessments.csv,4,ASM_TEST_DATE_OUTSIDE_YEAR
assessments.csv,5,ASM_SCORE_AND_REASON
attendance.csv,3,ATT_NOT_ENROLLED
attendance.csv,4,ATT_PRESENT_OVER_ENROLLED
item_responses.csv,3,REF_UNKNOWN_STANDARD
CSV
"$slds" load "$tmp/db" "$c" --format json --rejects "$tmp/rejects.csv" --findings "$tmp/findings.csv" \
    >"$tmp/report.json" 2>"$tmp/err" || { cat "$tmp/err"; echo "FAIL: load"; exit 1; }
# STU_LINKED_TO_OTHER_ID needs a second load: a local id already linked elsewhere.
mkdir -p "$tmp/c2"
printf 'lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id\nL1,1,Ann,A,2014-01-01,F,1000000009\n' >"$tmp/c2/students.csv"
"$slds" load "$tmp/db" "$tmp/c2" --rejects "$tmp/rejects2.csv" --findings "$tmp/findings2.csv" >/dev/null 2>&1 || { echo "FAIL: second load"; exit 1; }
"$slds" contract --rules --format csv >"$tmp/rules.csv"
python3 - "$tmp" <<'PY'
import csv, json, sqlite3, sys, os
t = sys.argv[1]
rules = {r['rule']: r for r in csv.DictReader(open(os.path.join(t, 'rules.csv')))}
expected = list(csv.DictReader(open(os.path.join(t, 'expected.csv'))))
rej = {(r['file'], r['line']): r for r in csv.DictReader(open(os.path.join(t, 'rejects.csv'), newline=''))}
fnd = {}
for r in csv.DictReader(open(os.path.join(t, 'findings.csv'), newline='')):
    fnd.setdefault((r['file'], r['line']), []).append(r)
rej2 = list(csv.DictReader(open(os.path.join(t, 'rejects2.csv'), newline='')))
report = json.load(open(os.path.join(t, 'report.json')))
con = sqlite3.connect(os.path.join(t, 'db'))
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("FAIL:", what)
    ok &= bool(cond)
seen = set()
for e in expected:
    key = (e['file'], e['line'])
    sev = rules[e['rule']]['severity']
    if sev == 'reject':
        check(key in rej and rej[key]['rule'] == e['rule'], "%s line %s rejected by %s (got %s)" % (e['file'], e['line'], e['rule'], rej.get(key)))
    else:
        got = [f['rule'] for f in fnd.get(key, [])]
        check(e['rule'] in got and key not in rej, "%s line %s loaded with finding %s (got %s)" % (e['file'], e['line'], e['rule'], got))
    seen.add(e['rule'])
check(len(rej2) == 1 and rej2[0]['rule'] == 'STU_LINKED_TO_OTHER_ID', "a local id linked to another statewide id: %s" % rej2)
seen.add('STU_LINKED_TO_OTHER_ID')
missing = set(rules) - seen
check(not missing, "rules never triggered: %s" % sorted(missing))
# nothing else was rejected, and every reject or finding was planted
planted = {(e['file'], e['line']) for e in expected}
check(set(rej) <= planted, "unplanted rejects: %s" % sorted(set(rej) - planted))
check(set(fnd) <= planted, "unplanted findings: %s" % sorted(set(fnd) - planted))
# the tables hold the same, with the load id; findings carry the district
n_rej = con.execute("SELECT count(*) FROM rejects WHERE load_id=? AND rule_id IS NOT NULL", (report['load_id'],)).fetchone()[0]
check(n_rej == report['rejected'] == len(rej), "rejects table %d, report %d, csv %d" % (n_rej, report['rejected'], len(rej)))
n_f = con.execute("SELECT count(*) FROM findings WHERE load_id=?", (report['load_id'],)).fetchone()[0]
check(n_f == sum(len(v) for v in fnd.values()), "findings table %d" % n_f)
lea = con.execute("SELECT lea_id FROM findings WHERE file='assessments.csv' AND line=3").fetchone()
check(lea == ('L2',), "the finding of student 1000000005 belongs to district L2 (%s)" % (lea,))
for f in report['files']:
    check(f['read'] == f['loaded'] + f['rejected'], "read = loaded + rejected in %s" % f)
    check(f['warned'] == len([k for k in fnd if k[0] == f['file']]), "warned rows of %s" % f['file'])
by_rule = {r['rule']: r for r in report['rules']}
check(by_rule['ENR_OVERLAP']['warned'] == 2 and by_rule['KEY_DUPLICATE_IN_FILE']['rejected'] == 3, "per-rule counts %s" % report['rules'])
# warned rows are stored: the test of a student enrolled nowhere that year, the overlapping spell
check(con.execute("SELECT count(*) FROM assessments WHERE student_id='1000000005'").fetchone()[0] == 1, "warned test stored")
check(con.execute("SELECT exit_code FROM enrollments WHERE student_id='1000000001' AND entry_date='2023-08-20'").fetchone() == (None,),
      "a missing exit code is stored blank")
# a duplicate key: the first row is the one stored
check(con.execute("SELECT fte FROM staff_assignments WHERE staff_id='T1'").fetchall() == [(1.0,)], "first of two duplicate rows stored")
# control characters are shown escaped in rejects.csv, never raw
check('\x1b' not in open(os.path.join(t, 'rejects.csv')).read(), "no raw escape character in rejects.csv")
print(("ok" if ok else "FAIL") + ": %d rules, each triggered; %d rejects, %d findings" % (len(rules), len(rej), n_f))
sys.exit(0 if ok else 1)
PY
status=$?
# slds audit lists the findings per district and rule.
"$slds" audit "$tmp/db" --format csv >"$tmp/audit.csv" 2>/dev/null || { echo "FAIL: audit"; status=1; }
grep -q '^validity,assessments.csv,district,L2,ASM_NOT_ENROLLED,1,' "$tmp/audit.csv" &&
    grep -q '^validity,enrollments.csv,district,L1,ENR_OVERLAP,2,' "$tmp/audit.csv" ||
    { echo "FAIL: audit does not list the findings per district and rule"; grep ASM_NOT "$tmp/audit.csv"; status=1; }

# --rules: raise a warning to reject (CSV), lower a plausibility rule back (JSON), refuse lowering a storage rule.
printf 'rule,severity\nASM_NOT_ENROLLED,reject\nENR_OVERLAP,reject\n' >"$tmp/strict.csv"
"$slds" load "$tmp/strict.db" "$c" --rules "$tmp/strict.csv" --format json --rejects "$tmp/r3.csv" --findings "$tmp/f3.csv" >"$tmp/strict.json" 2>/dev/null ||
    { echo "FAIL: load with --rules"; status=1; }
grep -q '^assessments.csv,3,student_id,1000000005,ASM_NOT_ENROLLED,' "$tmp/r3.csv" || { echo "FAIL: a raised warning does not reject"; status=1; }
grep -q '^enrollments.csv,4,entry_date,2023-11-01,ENR_OVERLAP,' "$tmp/r3.csv" || { echo "FAIL: a raised ENR_OVERLAP does not reject"; status=1; }
# the rejected spell leaves the student unenrolled at S2, so the roster row there now warns (never rejected)
printf '{"ASM_SCORE_AND_REASON": "warn"}\n' >"$tmp/lenient.json"
"$slds" load "$tmp/lenient.db" "$c" --rules "$tmp/lenient.json" --rejects "$tmp/r4.csv" --findings "$tmp/f4.csv" >/dev/null 2>&1 || { echo "FAIL: load with JSON rules"; status=1; }
grep -q ',ASM_SCORE_AND_REASON,' "$tmp/r4.csv" && { echo "FAIL: a lowered rule still rejects"; status=1; }
grep -q ',ASM_SCORE_AND_REASON,' "$tmp/findings.csv" && { echo "FAIL: a reject rule warned by default"; status=1; }
grep -q '^assessments.csv,5,not_tested_reason,ABSENT,ASM_SCORE_AND_REASON,' "$tmp/f4.csv" ||
    { echo "FAIL: a lowered rule is not a finding"; status=1; }
for bad in 'REF_UNKNOWN_STUDENT,warn' 'VALUE_TYPE,warn' 'NO_SUCH_RULE,warn' 'ENR_OVERLAP,maybe'; do
    printf 'rule,severity\n%s\n' "$bad" >"$tmp/bad.csv"
    rm -f "$tmp/bad.db"
    if "$slds" load "$tmp/bad.db" "$c" --rejects "$tmp/r5.csv" --findings "$tmp/f5.csv" --rules "$tmp/bad.csv" >/dev/null 2>"$tmp/bad.err"; then
        echo "FAIL: rules file '$bad' accepted"; status=1
    fi
    [ -e "$tmp/bad.db" ] && { echo "FAIL: refused rules file '$bad' still created the database"; status=1; }
done
printf 'rule,severity\nREF_UNKNOWN_STUDENT,warn\n' >"$tmp/bad.csv"
"$slds" load "$tmp/db" "$c" --rejects "$tmp/r5.csv" --findings "$tmp/f5.csv" --rules "$tmp/bad.csv" >/dev/null 2>"$tmp/bad.err"
grep -q 'protects storage' "$tmp/bad.err" || { echo "FAIL: refusal does not say why: $(cat "$tmp/bad.err")"; status=1; }
[ $status -eq 0 ] && echo "ok: --rules raises and lowers plausibility rules, refuses to lower storage rules before loading"
exit $status
