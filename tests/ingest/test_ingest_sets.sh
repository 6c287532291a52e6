#!/usr/bin/env bash
# slds ingest keeps one loader for the whole stream, with the sets of known
# students and spells read once; a student added by a separate `slds load`
# while the stream runs must be known to the batches after it (docs/ingest.md):
#   batch 1  rows of a known student, and one row of student X, not yet
#            stored: rejected (REF_UNKNOWN_STUDENT)
#   then     `slds load` of X's students.csv and enrollments.csv rows, by
#            another process, while slds ingest waits for more input
#   batch 2  another row of X: loaded, with no ASM_NOT_ENROLLED finding
# With sets gone stale, batch 2's row would be rejected as well.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../require.sh"
require_cmd sqlite3 python3
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1
"$slds" synth "$tmp/c" --students 300 --years 1 --seed 5 >/dev/null 2>&1 || { echo "synth failed"; exit 1; }
python3 - "$tmp" "$slds" <<'PY'
import csv, os, subprocess, sqlite3, sys, time
tmp, slds = sys.argv[1], sys.argv[2]
c = os.path.join(tmp, 'c')
def rows(name):
    with open(os.path.join(c, name), newline='') as f:
        r = csv.reader(f); h = next(r); return h, list(r)
ah, asm = rows('assessments.csv')
count = {}
for r in asm:
    count[r[0]] = count.get(r[0], 0) + 1
sh, stu = rows('students.csv')
eh, enr = rows('enrollments.csv')
enrolled = {r[0] for r in enr}
x = next(s for s in sorted(count) if count[s] >= 2 and s in enrolled)
k = next(s for s in sorted(count) if s != x)
si = sh.index('student_id')
os.makedirs(os.path.join(tmp, 'base')); os.makedirs(os.path.join(tmp, 'late'))
def write(folder, name, header, data):
    with open(os.path.join(tmp, folder, name), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n'); w.writerow(header); w.writerows(data)
for name in os.listdir(c):
    if not name.endswith('.csv') or name in ('assessments.csv', 'item_responses.csv'):
        continue
    h, data = rows(name)
    if name == 'students.csv':
        write('base', name, h, [r for r in data if r[si] != x]); write('late', name, h, [r for r in data if r[si] == x])
    elif name == 'enrollments.csv':
        write('base', name, h, [r for r in data if r[0] != x]); write('late', name, h, [r for r in data if r[0] == x])
    elif 'student_id' in h:
        write('base', name, h, [r for r in data if r[h.index('student_id')] != x])
    else:
        write('base', name, h, data)
db = os.path.join(tmp, 'state.db')
subprocess.run([slds, 'load', db, os.path.join(tmp, 'base')], check=True, capture_output=True)
krows = [r for r in asm if r[0] == k]
xrows = [r for r in asm if r[0] == x]
line = lambda r: (','.join(r) + '\n').encode()
p = subprocess.Popen([slds, 'ingest', db, '-', '--format', 'json', '--rejects', os.path.join(tmp, 'rej.csv'),
                      '--findings', os.path.join(tmp, 'find.csv')],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdin.write((','.join(ah) + '\n').encode())
for r in krows:
    p.stdin.write(line(r))
p.stdin.write(line(xrows[0]))
p.stdin.flush()
def stored(student):
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    try:
        return con.execute('SELECT count(*) FROM assessments WHERE student_id = ?', (student,)).fetchone()[0]
    finally:
        con.close()
deadline = time.time() + 60
while stored(k) < len(krows):
    if time.time() > deadline:
        sys.exit('FAIL: batch 1 was not committed within 60 s')
    time.sleep(0.1)
# another process stores student X while slds ingest waits for more input
subprocess.run([slds, 'load', db, os.path.join(tmp, 'late')], check=True, capture_output=True)
p.stdin.write(line(xrows[1]))
out, err = p.communicate(timeout=120)
failures = []
if p.returncode != 0:
    failures.append('slds ingest exited %d: %s' % (p.returncode, err.decode()))
got = stored(x)
if got != 1:
    failures.append('student %s: %d assessment rows stored, expected 1 (the row sent after the load)' % (x, got))
rej = list(csv.DictReader(open(os.path.join(tmp, 'rej.csv'))))
if [(r['rule'], r['value']) for r in rej] != [('REF_UNKNOWN_STUDENT', x)]:
    failures.append('rejects: expected only batch 1 row of %s as REF_UNKNOWN_STUDENT, got %r' % (x, rej))
finds = [r for r in csv.DictReader(open(os.path.join(tmp, 'find.csv'))) if r['value'] == x]
if finds:
    failures.append('findings on student %s after the load: %r' % (x, finds))
for f in failures:
    print('FAIL: ' + f)
if failures:
    sys.exit(1)
print('ok: student %s, stored by another process during the stream, is known to the next batch' % x)
PY
