#!/usr/bin/env bash
# --replace finds a district's rows of rosters, courses and attendance through
# the district's spells and the places no spell covers (orphan_places), not by
# reading whole tables; this checks that every row of the scope is still
# found, exactly, where a spell does not lead to it:
#  - rows of a student with no spell at the district's school that year
#    (loaded with a finding) are deleted by a resubmission that leaves them out;
#  - rows whose spell a previous --replace deleted are found too;
#  - rows of a spell moved to another school year by a later load are found too;
#  - a database made before orphan_places existed (ingest schema 2): the
#    migration fills it from what is stored;
#  - unchanged rows are not rewritten but a changed value (an exit date, days
#    present) is stored; nothing outside the scope changes.
set -u
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$slds" synth "$tmp/c" --students 300 --years 2 --seed 5 >/dev/null 2>&1 || { echo "synth failed"; exit 1; }
rm -rf "$tmp/c/truth"
load() { "$slds" load "$@" --format json --rejects "$tmp/r.csv" --findings "$tmp/f.csv"; }
load "$tmp/db" "$tmp/c" >/dev/null 2>&1 || { echo "FAIL: first load"; exit 1; }
cp "$tmp/db" "$tmp/base.db"
# The folders of the steps, and what each must delete, in python.
python3 - "$tmp" <<'PY' || exit 1
import csv, json, os, sys
t = sys.argv[1]
c = os.path.join(t, 'c')
def read(f):
    with open(os.path.join(c, f), newline='') as fh:
        r = csv.reader(fh); return next(r), list(r)
def write(d, f, h, rows):
    os.makedirs(os.path.join(t, d), exist_ok=True)
    with open(os.path.join(t, d, f), 'w', newline='') as fh:
        w = csv.writer(fh, lineterminator='\n'); w.writerow(h); w.writerows(rows)
_, sch = read('schools.csv')
lea_of = {r[0]: r[1] for r in sch}
lea = 'L0001'
he, enr = read('enrollments.csv')
year = max(int(r[2]) for r in enr)
def in_scope(school, yr):
    return lea_of[school] == lea and int(yr) == year
spells = {}
for r in enr:
    if in_scope(r[1], r[2]):
        spells.setdefault(r[0], []).append(r)
files = {f: read(f) for f in ['rosters.csv', 'courses.csv', 'attendance.csv']}
def rows_of(f, student):
    h, rs = files[f]
    si, ci, yi = h.index('student_id'), h.index('school_id'), h.index('school_year')
    return [r for r in rs if r[si] == student and in_scope(r[ci], r[yi])]
with_rows = [s for s in sorted(spells) if len(spells[s]) == 1 and all(rows_of(f, s) for f in files)]
gone_spell, moved_spell = with_rows[0], with_rows[1]
changed = [s for s in with_rows[2:] if spells[s][0][5]][0]  # a spell with an exit date
school = spells[gone_spell][0][1]
# a student enrolled that year, but at no school of the district
orphan = sorted({r[0] for r in enr if int(r[2]) == year} - set(spells))[0]
# 1. rows of the orphan at the district's school (no spell covers them)
for f, (h, rs) in files.items():
    row = list(rows_of(f, gone_spell)[0])
    row[h.index('student_id')] = orphan
    write('o', f, h, [row])
# 2. the district's spells of the year without gone_spell; changed's exit date moved
sub = [list(r) for r in enr if in_scope(r[1], r[2]) and r[0] != gone_spell]
for r in sub:
    if r[0] == changed:
        r[5] = r[5][:8] + '01'
write('e', 'enrollments.csv', he, sub)
# 3. moved_spell's spell moved to the year before (same key: student, school, entry date)
write('m', 'enrollments.csv', he, [[r[0], r[1], str(year - 1)] + r[3:] for r in spells[moved_spell]])
# 4. the district's rows of the year without those of gone_spell and moved_spell;
#    changed's days present lowered
expected = {}
for f, (h, rs) in files.items():
    si, ci, yi = h.index('student_id'), h.index('school_id'), h.index('school_year')
    keep = [list(r) for r in rs if in_scope(r[ci], r[yi]) and r[si] not in (gone_spell, moved_spell)]
    if f == 'attendance.csv':
        for r in keep:
            if r[si] == changed:
                r[h.index('days_present')] = str(int(float(r[h.index('days_present')])) - 1)
    write('r', f, h, keep)
    expected[f] = len(rows_of(f, gone_spell)) + len(rows_of(f, moved_spell)) + 1  # + the orphan's row
json.dump({'lea': lea, 'year': year, 'school': school, 'orphan': orphan, 'gone': gone_spell,
           'moved': moved_spell, 'changed': changed, 'expected': expected}, open(os.path.join(t, 'plan.json'), 'w'))
PY
get() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$tmp/plan.json" "$1"; }
lea=$(get lea); year=$(get year); school=$(get school); orphan=$(get orphan); gone=$(get gone); moved=$(get moved)
changed=$(get changed)
q() { sqlite3 "$1" "$2"; }
check() { if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: got '$2', expected '$3'"; fail=1; fi; }

# 1. The orphan's rows load (with findings); their place is recorded.
load "$tmp/db" "$tmp/o" >/dev/null 2>&1 || { echo "FAIL: loading the orphan rows"; exit 1; }
check "the orphan's place is recorded" \
    "$(q "$tmp/db" "SELECT count(*) FROM orphan_places WHERE school_id='$school' AND school_year=$year AND student_id='$orphan'")" 1
# 2. A resubmission of the spells without gone's: one deleted, its place recorded.
load "$tmp/db" "$tmp/e" --replace "lea=$lea,year=$year" >"$tmp/e.json" 2>"$tmp/err" ||
    { echo "FAIL: --replace of enrollments: $(cat "$tmp/err")"; exit 1; }
check "one spell deleted" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["deleted"])' "$tmp/e.json")" 1
check "the deleted spell's place is recorded" \
    "$(q "$tmp/db" "SELECT count(*) FROM orphan_places WHERE school_id='$school' AND school_year=$year AND student_id='$gone'")" 1
check "a changed exit date is stored" \
    "$(q "$tmp/db" "SELECT substr(exit_date, 9) FROM enrollments WHERE student_id='$changed' AND school_year=$year")" 01
# 3. moved's spell moved to the year before (a plain load): its old place is recorded.
load "$tmp/db" "$tmp/m" >/dev/null 2>&1 || { echo "FAIL: moving a spell"; exit 1; }
check "the moved spell's old place is recorded" \
    "$(q "$tmp/db" "SELECT count(*) FROM orphan_places WHERE school_year=$year AND student_id='$moved'")" 1
# 4. The district's rows of the year resubmitted without the orphan's, gone's and moved's.
cp "$tmp/db" "$tmp/before4.db"
load "$tmp/db" "$tmp/r" --replace "lea=$lea,year=$year" >"$tmp/r.json" 2>"$tmp/err" ||
    { echo "FAIL: --replace of rosters, courses, attendance: $(cat "$tmp/err")"; exit 1; }
python3 - "$tmp" <<'PY' || fail=1
import json, os, sqlite3, sys
t = sys.argv[1]
plan = json.load(open(os.path.join(t, 'plan.json')))
rep = json.load(open(os.path.join(t, 'r.json')))
b, a = sqlite3.connect(os.path.join(t, 'before4.db')), sqlite3.connect(os.path.join(t, 'db'))
ok = True
for f, n in plan['expected'].items():
    table = f[:-4]
    got = [x['deleted'] for x in rep['files'] if x['file'] == f][0]
    gone = set(b.execute('SELECT * FROM ' + table)) - set(a.execute('SELECT * FROM ' + table))
    gone_students = {r for r in gone}
    cols = [d[1] for d in b.execute('PRAGMA table_info(%s)' % table)]
    si = cols.index('student_id')
    who = sorted({r[si] for r in gone})
    want = sorted({plan['orphan'], plan['gone'], plan['moved']})
    # the changed attendance row is replaced, not deleted: count only rows whose key is gone
    kc = [cols.index(k) for k in ('student_id', 'school_id', 'school_year')]
    keys_after = {tuple(r[i] for i in kc) for r in a.execute('SELECT * FROM ' + table)}
    deleted = [r for r in gone if tuple(r[i] for i in kc) not in keys_after or table != 'attendance']
    cond = got == n and len(deleted) == n and sorted({r[si] for r in deleted}) == want
    print(('ok' if cond else 'FAIL') + ': %s: %d deleted (report %d, expected %d), students %s' % (f, len(deleted), got, n, sorted({r[si] for r in deleted})))
    ok &= cond
    # nothing outside the scope changed
    q = ("SELECT * FROM %s WHERE school_year <> ? OR school_id NOT IN (SELECT school_id FROM schools WHERE lea_id = ?)" % table)
    same = list(b.execute(q, (plan['year'], plan['lea']))) == list(a.execute(q, (plan['year'], plan['lea'])))
    print(('ok' if same else 'FAIL') + ': %s: rows outside the scope unchanged' % f)
    ok &= same
old = b.execute('SELECT days_present FROM attendance WHERE student_id=? AND school_year=?', (plan['changed'], plan['year'])).fetchone()
new = a.execute('SELECT days_present FROM attendance WHERE student_id=? AND school_year=?', (plan['changed'], plan['year'])).fetchone()
cond = old and new and new[0] == old[0] - 1
print(('ok' if cond else 'FAIL') + ': a changed value is stored (%s -> %s)' % (old, new))
ok &= bool(cond)
n_hist = a.execute("SELECT count(*) FROM row_history WHERE change='replaced' AND table_name='attendance'").fetchone()[0]
print(('ok' if n_hist == 1 else 'FAIL') + ': one replaced attendance row in the history (%d)' % n_hist)
ok &= n_hist == 1
sys.exit(0 if ok else 1)
PY
# The same resubmission again: nothing deleted, nothing written to the history.
hist=$(q "$tmp/db" "SELECT count(*) FROM row_history")
load "$tmp/db" "$tmp/r" --replace "lea=$lea,year=$year" >"$tmp/again.json" 2>/dev/null
check "again: nothing deleted" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["deleted"])' "$tmp/again.json")" 0
check "again: no history" "$(q "$tmp/db" "SELECT count(*) FROM row_history")" "$hist"

# 5. A database from before orphan_places (ingest schema 2) holding a roster row
#    no spell covers: the writer's migration records its place, and a
#    resubmission without it deletes it.
cp "$tmp/base.db" "$tmp/old.db"
row=$(q "$tmp/old.db" "SELECT staff_id, section_id, subject FROM rosters WHERE student_id='$gone' AND school_year=$year LIMIT 1")
IFS='|' read -r staff section subject <<<"$row"
q "$tmp/old.db" "INSERT INTO rosters(staff_id, student_id, school_id, school_year, subject, section_id, dosage)
    VALUES('$staff', '$orphan', '$school', $year, '$subject', '$section', 1.0);
    DROP TABLE orphan_places; UPDATE meta SET value = '2' WHERE key = 'schema_version.ingest';"
mkdir -p "$tmp/r5"
cp "$tmp/c/rosters.csv" "$tmp/r5/"
load "$tmp/old.db" "$tmp/r5" --replace "lea=$lea,year=$year" >"$tmp/r5.json" 2>"$tmp/err" ||
    { echo "FAIL: --replace on a database of ingest schema 2: $(cat "$tmp/err")"; fail=1; }
check "migrated: schema ingest 3" "$(q "$tmp/old.db" "SELECT value FROM meta WHERE key='schema_version.ingest'")" 3
check "migrated: the row no spell covers is deleted" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["deleted"])' "$tmp/r5.json")" 1
check "migrated: it is gone" "$(q "$tmp/old.db" "SELECT count(*) FROM rosters WHERE student_id='$orphan' AND school_id='$school' AND school_year=$year")" 0
exit $fail
