#!/usr/bin/env bash
# Identity matching against the generator's ground truth: every district
# record written without a statewide id for a student who moved districts
# must get that student's true id (matched on exact normalized name, birth
# date and sex); a genuinely new student gets a new, well-formed id unless an
# existing student has exactly the same identity (then the match is right by
# the definition, and is checked to be such a case).
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3
synth_load 8000 4 3 --rejects "$tmp/r.csv"
python3 - "$tmp/c/truth/identity.csv" "$tmp/db" <<'PY'
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[2])
def luhn_ok(s):
    if len(s) != 10 or not s.isdigit(): return False
    total = 0
    for i, ch in enumerate(reversed(s[:9])):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9: d -= 9
        total += d
    return (10 - total % 10) % 10 == int(s[9])
movers = new = new_ok = twins = 0
fail = []
for r in csv.DictReader(open(sys.argv[1])):
    got = con.execute("SELECT student_id, id_source, match_key FROM student_identity WHERE lea_id=? AND local_student_id=?",
                      (r['lea_id'], r['local_student_id'])).fetchone()
    if got is None:
        fail.append(("not loaded", r)); continue
    sid, source, key = got
    if r['kind'] != 'PLAIN_NEW':
        movers += 1
        if sid != r['student_id']: fail.append(("mover got the wrong id", r, got))
    else:
        new += 1
        if source == 'ASSIGNED' and luhn_ok(sid):
            new_ok += 1
        elif source == 'MATCHED_IDENTITY':
            same = con.execute("SELECT count(*) FROM student_identity WHERE student_id=? AND match_key=? AND NOT (lea_id=? AND local_student_id=?)",
                               (sid, key, r['lea_id'], r['local_student_id'])).fetchone()[0]
            if same: twins += 1
            else: fail.append(("matched without an identical identity", r, got))
        else:
            fail.append(("new student: bad id", r, got))
ids = con.execute("SELECT count(*), count(DISTINCT student_id) FROM students").fetchone()
for f in fail[:10]: print("FAIL", *f)
print("%d movers matched to their true id; %d new students got new ids, %d matched an identical identity; %d students"
      % (movers - sum(1 for f in fail if f[0].startswith('mover')), new_ok, twins, ids[0]))
ok = not fail and movers > 20 and new_ok > 20 and twins <= new // 10
print("ok" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
