#!/usr/bin/env bash
# Regression tests of the loader bugs found by a hostile test (issue 7),
# each for the class of bug, not only the case:
#  - stale rejects: a load's report, rejects, loads row and audit describe
#    what is stored now, also when the same files were loaded before;
#  - committed, then "failed": every output path is checked before the
#    transaction (nothing written, no database created), and an output that
#    fails after the commit never claims "the database is unchanged";
#  - overlaps slip through: a superseded new spell is never stored, and a
#    rejected correction leaves the stored spell visible to the rest of the load;
#  - duplicate natural keys in one file: the later is rejected, and
#    read = loaded + rejected = stored;
#  - `load a.db /nonexistent` creates nothing; a 16 MiB line of commas is
#    refused in bounded memory.
set -u
slds=$1
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fail=0
say() { echo "$1"; }
bad() { echo "FAIL: $1"; fail=1; }

mkdir -p "$tmp/base" "$tmp/enr"
cat >"$tmp/base/leas.csv" <<'CSV'
lea_id,lea_name,children_in_poverty,children_served,title1_allocation
L1,North,,,
CSV
cat >"$tmp/base/schools.csv" <<'CSV'
school_id,lea_id,school_name,school_level,title1,title1_status,charter
S1,L1,One,ELEMENTARY,,,
S2,L1,Two,ELEMENTARY,,,
CSV
cat >"$tmp/base/students.csv" <<'CSV'
lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id
L1,1,Ann,A,2014-01-01,F,1000000001
L1,2,Bob,B,2014-01-01,M,1000000002
CSV
cat >"$tmp/enr/enrollments.csv" <<'CSV'
student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code
1000000001,S1,2024,04,2023-08-20,,
1000000002,S1,2024,04,2023-08-20,,
CSV

# --- stale rejects
"$slds" load "$tmp/s.db" "$tmp/enr" --format json --rejects "$tmp/s1.csv" --findings "$tmp/f1.csv" >"$tmp/s1.json" 2>/dev/null || bad "first enrollments load"
grep -q '"rejected": 2' "$tmp/s1.json" || bad "enrollments of unknown students not rejected"
"$slds" load "$tmp/s.db" "$tmp/base" --rejects "$tmp/s2.csv" --findings "$tmp/f2.csv" >/dev/null 2>&1 || bad "base load"
"$slds" load "$tmp/s.db" "$tmp/enr" --format json --rejects "$tmp/s3.csv" --findings "$tmp/f3.csv" >"$tmp/s3.json" 2>/dev/null || bad "second enrollments load"
grep -q '"rejected": 0' "$tmp/s3.json" || bad "second load of the same enrollments still reports rejects"
[ "$(wc -l <"$tmp/s3.csv")" -eq 1 ] || bad "rejects.csv of the second load lists stale rejects"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["load_id"])' "$tmp/s3.json")
[ "$(sqlite3 "$tmp/s.db" "SELECT count(*) FROM rejects WHERE load_id='$id'")" = 0 ] || bad "table rejects keeps the first attempt's rejects"
[ "$(sqlite3 "$tmp/s.db" "SELECT rows_loaded || ',' || rows_rejected FROM loads WHERE load_id='$id'")" = "2,0" ] ||
    bad "loads row still describes the first attempt: $(sqlite3 "$tmp/s.db" "SELECT * FROM loads WHERE load_id='$id'")"
[ "$(sqlite3 "$tmp/s.db" "SELECT rows_loaded || ',' || rows_rejected FROM load_files WHERE load_id='$id'")" = "2,0" ] ||
    bad "load_files row still describes the first attempt"
"$slds" audit "$tmp/s.db" --format csv >"$tmp/audit.csv" 2>/dev/null
grep -q 'unknown student' "$tmp/audit.csv" && bad "audit still reports the first attempt's rejects"
[ $fail -eq 0 ] && say "ok: stale rejects: a re-load's report, rejects, loads row and audit describe what is stored now"

# --- output paths checked before the transaction; nothing claimed unchanged after a commit
before=$(sqlite3 "$tmp/s.db" .sha3sum)
for opt in "--rejects $tmp/no/such/dir/r.csv" "--report $tmp/no/such/dir/report.txt" "--findings $tmp/no/such/dir/f.csv"; do
    # shellcheck disable=SC2086
    if "$slds" load "$tmp/s.db" "$tmp/base" $opt --rejects "$tmp/ok.csv" >/dev/null 2>"$tmp/err" && [ "${opt%% *}" != "--rejects" ]; then
        bad "load with $opt succeeded"
    fi
    # shellcheck disable=SC2086
    "$slds" load "$tmp/s.db" "$tmp/base" $opt >/dev/null 2>"$tmp/err" && bad "load with $opt succeeded"
    grep -q 'no/such/dir' "$tmp/err" || bad "$opt: the message does not name the path: $(cat "$tmp/err")"
    [ "$(sqlite3 "$tmp/s.db" .sha3sum)" = "$before" ] || bad "$opt: the database changed"
    # shellcheck disable=SC2086
    "$slds" load "$tmp/new.db" "$tmp/base" $opt >/dev/null 2>&1
    [ -e "$tmp/new.db" ] && { bad "$opt: a database was created"; rm -f "$tmp/new.db"; }
done
# A failure after the commit (the rejects file made unwritable in between is
# hard to time; a full disk is simulated with /dev/full) says the load landed.
if [ -w /dev/full ]; then
    "$slds" load "$tmp/full.db" "$tmp/base" --rejects /dev/full >/dev/null 2>"$tmp/err"
    status=$?
    grep -q 'unchanged' "$tmp/err" && bad "a failure after the commit claims the database is unchanged: $(cat "$tmp/err")"
    [ $status -ne 0 ] && grep -q 'committed' "$tmp/err" || bad "writing rejects to a full disk: status $status, $(cat "$tmp/err")"
    [ "$(sqlite3 "$tmp/full.db" 'SELECT count(*) FROM schools')" = 2 ] || bad "the committed load is not in the database"
    "$slds" load "$tmp/full2.db" "$tmp/base" --rejects "$tmp/r.csv" --report /dev/full >/dev/null 2>"$tmp/err"
    status=$?
    [ $status -ne 0 ] && grep -q 'committed' "$tmp/err" && ! grep -q unchanged "$tmp/err" ||
        bad "an unwritable --report (fclose) is not reported: status $status, $(cat "$tmp/err")"
fi
[ $fail -eq 0 ] && say "ok: output paths checked before the transaction; a failure after the commit says the load landed"

# --- load a.db /nonexistent creates nothing
(cd "$tmp" && "$slds" load a.db /nonexistent >/dev/null 2>&1) && bad "load of a missing folder succeeded"
[ -e "$tmp/a.db" ] && bad "load a.db /nonexistent created a.db"

# --- overlaps slip through (case 1): two new spells of one key, the first overlapping a stored spell
mkdir -p "$tmp/o1" "$tmp/o2"
cp "$tmp/base/"*.csv "$tmp/o1/"
cat >"$tmp/o1/enrollments.csv" <<'CSV'
student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code
1000000001,S1,2024,04,2023-08-20,,
CSV
"$slds" load "$tmp/o.db" "$tmp/o1" --rejects "$tmp/o1r.csv" >/dev/null 2>&1 || bad "overlap base load"
cat >"$tmp/o2/enrollments.csv" <<'CSV'
student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code
1000000001,S2,2024,04,2023-10-01,,
1000000001,S2,2024,04,2023-10-01,2023-10-15,TRANSFER_IN_STATE
CSV
printf 'rule,severity\nENR_OVERLAP,reject\n' >"$tmp/strict.csv"
"$slds" load "$tmp/o.db" "$tmp/o2" --rules "$tmp/strict.csv" --format json --rejects "$tmp/o2r.csv" >"$tmp/o2.json" 2>/dev/null || bad "overlap load"
open=$(sqlite3 "$tmp/o.db" "SELECT count(*) FROM enrollments WHERE student_id='1000000001' AND exit_date IS NULL")
[ "$open" = 1 ] || bad "two open spells stored in one year ($open)"
grep -q '"read": 2' "$tmp/o2.json" && grep -q '"loaded": 0' "$tmp/o2.json" && grep -q '"rejected": 2' "$tmp/o2.json" ||
    bad "overlapping spells: $(cat "$tmp/o2.json" | head -12)"
grep -q ',KEY_DUPLICATE_IN_FILE,' "$tmp/o2r.csv" && grep -q ',ENR_OVERLAP,' "$tmp/o2r.csv" || bad "the two spells' rules: $(cat "$tmp/o2r.csv")"
# With the default severity the overlap is loaded and flagged, never silent.
rm -f "$tmp/o3.db"; cp "$tmp/o.db" "$tmp/o3.db"
"$slds" load "$tmp/o3.db" "$tmp/o2" --rejects "$tmp/o3r.csv" --findings "$tmp/o3f.csv" >/dev/null 2>&1
grep -q '^enrollments.csv,2,entry_date,2023-10-01,ENR_OVERLAP,' "$tmp/o3f.csv" || bad "a warned overlap has no finding: $(cat "$tmp/o3f.csv")"

# --- overlaps (case 2): a rejected correction keeps the stored spell visible to later rows
mkdir -p "$tmp/o4"
cat >"$tmp/o4/enrollments.csv" <<'CSV'
student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code
1000000001,S1,2024,04,2023-08-20,2023-08-01,PROMOTED
CSV
cat >"$tmp/o4/attendance.csv" <<'CSV'
student_id,school_id,school_year,days_enrolled,days_present
1000000001,S1,2024,100,90
CSV
"$slds" load "$tmp/o.db" "$tmp/o4" --format json --rejects "$tmp/o4r.csv" --findings "$tmp/o4f.csv" >"$tmp/o4.json" 2>/dev/null || bad "correction load"
grep -q 'ENR_EXIT_BEFORE_ENTRY' "$tmp/o4r.csv" || bad "the bad correction was not rejected"
grep -q 'ATT_NOT_ENROLLED' "$tmp/o4f.csv" && bad "a rejected correction hid the stored spell from attendance"
[ "$(sqlite3 "$tmp/o.db" "SELECT count(*) FROM attendance")" = 1 ] || bad "attendance not stored"
[ $fail -eq 0 ] && say "ok: overlaps: no superseded spell stored; a rejected correction keeps the stored spell"

# --- duplicate natural keys within one file
mkdir -p "$tmp/d"
cp "$tmp/base/"*.csv "$tmp/d/"
cp "$tmp/o1/enrollments.csv" "$tmp/d/"
{
    echo 'student_id,school_year,subject,grade_tested,test_type,test_name,test_date,scale_score,performance_level,not_tested_reason'
    for s in 401 402 403 404 405 406 407; do echo "1000000001,2024,MATH,04,STATE,State,2024-04-20,$s,2,"; done
    echo "1000000001,2024,ELA,04,STATE,State,2024-04-20,400,2,"
} >"$tmp/d/assessments.csv"
"$slds" load "$tmp/d.db" "$tmp/d" --format json --rejects "$tmp/dr.csv" >"$tmp/d.json" 2>/dev/null || bad "duplicate load"
python3 - "$tmp/d.json" "$tmp/d.db" <<'PY' || fail=1
import json, sqlite3, sys
r = [f for f in json.load(open(sys.argv[1]))['files'] if f['file'] == 'assessments.csv'][0]
stored = sqlite3.connect(sys.argv[2]).execute("SELECT count(*), min(scale_score) FROM assessments").fetchone()
ok = r['read'] == 8 and r['loaded'] == 2 and r['rejected'] == 6 and stored == (2, 400.0)
print(("ok" if ok else "FAIL") + ": duplicate keys: read %d = loaded %d + rejected %d; stored %d (the first row kept: %s)"
      % (r['read'], r['loaded'], r['rejected'], stored[0], stored[1] == 400.0))
sys.exit(0 if ok else 1)
PY
[ "$(grep -c ',KEY_DUPLICATE_IN_FILE,' "$tmp/dr.csv")" = 6 ] || bad "duplicates not rejected by KEY_DUPLICATE_IN_FILE"

# --- output injection: formulas neutralized in rejects.csv and findings.csv, control characters rejected
mkdir -p "$tmp/inj"
cp "$tmp/base/leas.csv" "$tmp/inj/"
{ echo 'school_id,lea_id,school_name,school_level,title1,title1_status,charter'
  echo 'S1,L1,One,=HYPERLINK("http://x"),,,'
  echo 'S2,L1,@SUM(A1),ELEMENTARY,,,'
  printf 'S3,L1,Three\033]0;owned\007,ELEMENTARY,,,\n'
} >"$tmp/inj/schools.csv"
"$slds" load "$tmp/inj.db" "$tmp/inj" --rejects "$tmp/inj.csv" --findings "$tmp/injf.csv" >/dev/null 2>&1 || bad "injection load"
grep -q "^schools.csv,2,school_level,\"'=HYPERLINK" "$tmp/inj.csv" || bad "a formula in rejects.csv is not neutralized: $(cat "$tmp/inj.csv")"
grep -q '^schools.csv,4,school_name,Three\\x1B\]0;owned\\x07,VALUE_CONTROL_CHAR,' "$tmp/inj.csv" || bad "control characters: $(cat "$tmp/inj.csv")"
[ "$(sqlite3 "$tmp/inj.db" "SELECT school_name FROM schools WHERE school_id='S2'")" = '@SUM(A1)' ] || bad "a stored value was changed"
[ $fail -eq 0 ] && say "ok: formulas neutralized in rejects.csv; control characters rejected and shown escaped"

# --- a 16 MiB line of commas: refused, in bounded memory
mkdir -p "$tmp/commas"
{ echo 'lea_id,lea_name,children_in_poverty,children_served,title1_allocation'; head -c $((16 * 1024 * 1024 - 100)) /dev/zero | tr '\0' ','; echo; } >"$tmp/commas/leas.csv"
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$tmp/mem" "$slds" load "$tmp/c.db" "$tmp/commas" --rejects "$tmp/cr.csv" >/dev/null 2>"$tmp/err"
    status=$?
    kb=$(tail -1 "$tmp/mem")
    [ $status -eq 1 ] && grep -q 'more than 4096 fields' "$tmp/err" || bad "a line of 16 M commas: status $status, $(cat "$tmp/err")"
    [ "$kb" -lt $((150 * 1024)) ] || bad "a line of 16 M commas took $kb KiB"
    say "ok: a 16 MiB line of commas is refused using $((kb / 1024)) MiB"
fi
[ $fail -eq 0 ] && say "ok: load bugs"
exit $fail
