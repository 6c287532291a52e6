#!/usr/bin/env bash
# --replace lea=ID[,year=YYYY] and the change history, on a synthetic state:
#  - a resubmission of one district's year, with rows removed in that scope,
#    rows removed outside it (other districts, other years) and one score
#    changed, deletes exactly the removed rows of the scope and nothing else;
#    the report's `deleted` per file matches;
#  - a scope that matches nothing is an error and changes nothing;
#  - the first load into an empty database writes no history; the changed
#    score and a deleted row are in `slds history` with their old values;
#  - kill -9 during a --replace load leaves the database as before (or, after
#    the commit, as the uninterrupted load leaves it).
set -u
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$slds" synth "$tmp/c" --students 600 --years 3 --seed 31 >/dev/null 2>&1 || { echo "synth failed"; exit 1; }
rm -rf "$tmp/c/truth"
"$slds" load "$tmp/db" "$tmp/c" --rejects "$tmp/r1.csv" --findings "$tmp/f1.csv" >/dev/null 2>&1 || { echo "FAIL: first load"; exit 1; }
[ "$(sqlite3 "$tmp/db" 'SELECT count(*) FROM row_history')" = 0 ] || { echo "FAIL: a first load wrote history"; fail=1; }
"$slds" contract --format json >"$tmp/contract.json"
# The resubmission: derive c2 from c, and the expected tables, in python.
python3 - "$tmp" <<'PY' || exit 1
import csv, json, os, sys, shutil
t = sys.argv[1]
c, c2 = os.path.join(t, 'c'), os.path.join(t, 'c2')
os.makedirs(c2)
contract = json.load(open(os.path.join(t, 'contract.json')))
keys = {}
for r in contract:
    keys[r['file']] = [k.strip() for k in r['natural_key'].split(',')]
def read(f):
    with open(os.path.join(c, f), newline='') as fh:
        rows = list(csv.DictReader(fh))
    return rows
schools = {r['school_id']: r['lea_id'] for r in read('schools.csv')}
lea = sorted(set(schools.values()))[0]
years = sorted({int(r['school_year']) for r in read('enrollments.csv')})
year = years[-1]
json.dump({'lea': lea, 'year': year}, open(os.path.join(t, 'scope.json'), 'w'))
files = ['enrollments.csv', 'attendance.csv', 'courses.csv', 'assessments.csv', 'rosters.csv', 'student_attributes.csv']
def school_scope(r):
    return schools.get(r['school_id']) == lea and int(r['school_year']) == year
changed = None
new = {}
for f in files:
    # every 17th row left out (in and outside the scope)
    new[f] = [r for i, r in enumerate(read(f)) if i % 17 != 5]
# which removals are in scope: school files by school; student files by a spell in lea/year
enrolled = {(r['student_id'], int(r['school_year'])) for r in new['enrollments.csv'] if schools.get(r['school_id']) == lea}
def in_scope(f, r):
    if 'school_id' in r:
        return school_scope(r)
    return int(r['school_year']) == year and (r['student_id'], int(r['school_year'])) in enrolled
expected_deleted = {}
for f in files:
    kept = {tuple(r[k] for k in keys[f]) for r in new[f]}
    allrows = read(f)
    expected_deleted[f] = sorted('\x1f'.join(tuple(r[k] for k in keys[f])) for r in allrows
                                 if tuple(r[k] for k in keys[f]) not in kept and in_scope(f, r))
    assert expected_deleted[f], f
    outside = [r for r in allrows if tuple(r[k] for k in keys[f]) not in kept and not in_scope(f, r)]
    assert outside, ("nothing removed outside the scope", f)
# change one in-scope score
for r in new['assessments.csv']:
    if in_scope('assessments.csv', r) and r['scale_score']:
        changed = {k: r[k] for k in keys['assessments.csv']}
        changed['old'] = r['scale_score']
        r['scale_score'] = '999'
        break
for f in files:
    with open(os.path.join(c2, f), 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=list(read(f)[0].keys()), lineterminator='\n')
        w.writeheader()
        w.writerows(new[f])
json.dump({'deleted': expected_deleted, 'changed': changed}, open(os.path.join(t, 'expected.json'), 'w'))
PY
lea=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lea"])' "$tmp/scope.json")
year=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["year"])' "$tmp/scope.json")
cp "$tmp/db" "$tmp/before.db"
before=$(sqlite3 "$tmp/db" .sha3sum)

# A scope that matches nothing: an error, nothing changed.
for scope in "lea=NOPE" "lea=$lea,year=1999"; do
    "$slds" load "$tmp/db" "$tmp/c2" --replace "$scope" --rejects "$tmp/rx.csv" --findings "$tmp/fx.csv" >/dev/null 2>"$tmp/err" &&
        { echo "FAIL: --replace $scope matched nothing but succeeded"; fail=1; }
    grep -q 'nothing to replace' "$tmp/err" || { echo "FAIL: --replace $scope: $(cat "$tmp/err")"; fail=1; }
done
[ "$(sqlite3 "$tmp/db" .sha3sum)" = "$before" ] || { echo "FAIL: a refused --replace changed the database"; fail=1; }

# Dump every table's keys before, to check that nothing outside the scope changed.
dump() { for t in enrollments attendance courses assessments rosters student_attributes schools students staff discipline observations staff_assignments; do
    echo "== $t"; sqlite3 "$1" "SELECT * FROM $t"; done; }
dump "$tmp/db" >"$tmp/before.txt"
start=$(date +%s%N)
"$slds" load "$tmp/db" "$tmp/c2" --replace "lea=$lea,year=$year" --format json --rejects "$tmp/r2.csv" --findings "$tmp/f2.csv" \
    >"$tmp/replace.json" 2>"$tmp/err" || { echo "FAIL: --replace load: $(cat "$tmp/err")"; exit 1; }
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
dump "$tmp/db" >"$tmp/after.txt"
python3 - "$tmp" "$lea" "$year" <<'PY' || fail=1
import json, sqlite3, sys, os
t, lea, year = sys.argv[1], sys.argv[2], int(sys.argv[3])
exp = json.load(open(os.path.join(t, 'expected.json')))
rep = json.load(open(os.path.join(t, 'replace.json')))
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok &= bool(cond)
before = sqlite3.connect(os.path.join(t, 'before.db'))
after = sqlite3.connect(os.path.join(t, 'db'))
contract = json.load(open(os.path.join(t, 'contract.json')))
keys = {r['file']: [k.strip() for k in r['natural_key'].split(',')] for r in contract}
for f, rows in exp['deleted'].items():
    table = f[:-4]
    cols = keys[f]
    q = "SELECT %s FROM %s" % (" || char(31) || ".join("coalesce(%s,'')" % k for k in cols), table)
    b = {r[0] for r in before.execute(q)}
    a = {r[0] for r in after.execute(q)}
    gone = sorted(b - a)
    added = sorted(a - b)
    check(gone == rows, "%s: deleted exactly the %d rows removed from the scope (deleted %d)" % (f, len(rows), len(gone)))
    check(not added, "%s: no row added (%d)" % (f, len(added)))
    got = [x for x in rep['files'] if x['file'] == f][0]
    check(got['deleted'] == len(rows), "%s: report says deleted %d" % (f, got['deleted']))
# every table outside these files is unchanged
for table in ['schools', 'students', 'staff', 'discipline', 'observations', 'staff_assignments', 'postsecondary', 'leas']:
    q = "SELECT * FROM %s" % table
    check(list(before.execute(q)) == list(after.execute(q)), "%s unchanged" % table)
ch = exp['changed']
got = after.execute("SELECT scale_score FROM assessments WHERE student_id=? AND school_year=? AND subject=? AND test_type=? AND test_name=? AND test_date=?",
                    (ch['student_id'], int(ch['school_year']), ch['subject'], ch['test_type'], ch['test_name'], ch['test_date'])).fetchone()
check(got == (999.0,), "the changed score replaced the stored one (%s)" % (got,))
sys.exit(0 if ok else 1)
PY
# History: the changed score and a deleted row, with their old values and the load.
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["changed"]["student_id"])' "$tmp/expected.json")
old=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["changed"]["old"])' "$tmp/expected.json")
"$slds" history "$tmp/db" --student "$sid" --format json >"$tmp/h.json" || { echo "FAIL: slds history"; fail=1; }
python3 - "$tmp/h.json" "$old" "$tmp/replace.json" <<'PY' || fail=1
import json, sys
h = json.load(open(sys.argv[1])); old = float(sys.argv[2]); lid = json.load(open(sys.argv[3]))['load_id']
rep = [e for e in h if e['table'] == 'assessments' and e['change'] == 'replaced' and json.loads(e['old_row'])['scale_score'] == old]
ok = len(rep) == 1 and rep[0]['load_id'] == lid and rep[0]['changed_at']
print(("ok" if ok else "FAIL") + ": history of the changed score: old value %s, load %s" % (old, lid))
sys.exit(0 if ok else 1)
PY
del_sid=$(sqlite3 "$tmp/db" "SELECT student_id FROM row_history WHERE change='deleted' AND table_name='attendance' LIMIT 1")
"$slds" history "$tmp/db" --student "$del_sid" --format csv | grep -q ',attendance,deleted,' ||
    { echo "FAIL: the history of student $del_sid has no deleted attendance row"; fail=1; }
n_hist=$(sqlite3 "$tmp/db" "SELECT count(*) FROM row_history")
n_del=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["deleted"])' "$tmp/replace.json")
[ "$n_hist" = "$((n_del + 1))" ] || { echo "FAIL: $n_hist history rows for $n_del deletions and 1 change"; fail=1; }
# Loading the same resubmission again changes nothing and writes no history.
cp "$tmp/db" "$tmp/again.db"
"$slds" load "$tmp/again.db" "$tmp/c2" --replace "lea=$lea,year=$year" --rejects "$tmp/r3.csv" --findings "$tmp/f3.csv" >/dev/null 2>&1
[ "$(sqlite3 "$tmp/again.db" 'SELECT count(*) FROM row_history')" = "$n_hist" ] || { echo "FAIL: a repeated resubmission wrote history"; fail=1; }
[ $fail -eq 0 ] && echo "ok: history of a changed and a deleted row; a repeated resubmission changes nothing"

# kill -9 during a --replace load: the database is as before, or as after the whole load.
sha3_without_time() { cp "$1" "$tmp/cmp.db"; sqlite3 "$tmp/cmp.db" "UPDATE loads SET loaded_at = ''; UPDATE row_history SET changed_at = ''" && sqlite3 "$tmp/cmp.db" .sha3sum; }
after_sha=$(sha3_without_time "$tmp/db")
kills=${SLDS_CRASH_KILLS:-8}
killed=0
for i in $(seq 1 $((kills * 3))); do
    [ "$killed" -ge "$kills" ] && break
    cp "$tmp/before.db" "$tmp/k.db"
    delay_ms=$(( (RANDOM * 32768 + RANDOM) % (duration_ms * 9 / 10 + 1) ))
    "$slds" load "$tmp/k.db" "$tmp/c2" --replace "lea=$lea,year=$year" --rejects "$tmp/rk.csv" --findings "$tmp/fk.csv" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null
    [ "$(sqlite3 "$tmp/k.db" 'PRAGMA integrity_check')" = ok ] || { echo "FAIL: kill at ${delay_ms} ms: integrity"; fail=1; }
    now=$(sqlite3 "$tmp/k.db" .sha3sum)
    if [ "$now" != "$before" ] && [ "$(sha3_without_time "$tmp/k.db")" != "$after_sha" ]; then
        echo "FAIL: kill at ${delay_ms} ms left a database that is neither before nor after"; fail=1
    fi
    rm -f "$tmp/k.db-journal" "$tmp/k.db-wal" "$tmp/k.db-shm"
done
echo "ok: $killed --replace loads killed with SIGKILL (uninterrupted: ${duration_ms} ms); each left the database whole"
exit $fail
