#!/usr/bin/env bash
# A dirty test case in the spirit of a messy district extract: the
# generator's --dirty (bad copies of rows: rejected) with --dirty-warnings
# (blank exit codes and entry dates before the school year planted in place,
# and student-years whose enrollment rows are broken while their test rows
# stay good). Every planted reject is rejected, every planted warning is
# found with its rule id and its row loaded, and no test score of a known
# student is lost: every good assessments.csv row is stored.
set -u
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$slds" synth "$tmp/c" --students 3000 --years 3 --seed 41 --dirty 0.02 --dirty-warnings 0.02 >/dev/null 2>&1 ||
    { echo "FAIL: synth"; exit 1; }
"$slds" load "$tmp/db" "$tmp/c" --format json --rejects "$tmp/rejects.csv" --findings "$tmp/findings.csv" \
    >"$tmp/report.json" 2>/dev/null || { echo "FAIL: load"; exit 1; }
python3 - "$tmp" <<'PY'
import csv, json, os, sqlite3, sys
t = sys.argv[1]
def rows(p):
    with open(p, newline='') as f:
        return list(csv.DictReader(f))
planted_bad = rows(os.path.join(t, 'c', 'truth', 'dirty_rows.csv'))
planted_warn = rows(os.path.join(t, 'c', 'truth', 'dirty_warnings.csv'))
rej = {(r['file'], r['line']) for r in rows(os.path.join(t, 'rejects.csv'))}
fnd = {}
for r in rows(os.path.join(t, 'findings.csv')):
    fnd.setdefault((r['file'], r['line']), set()).add(r['rule'])
report = json.load(open(os.path.join(t, 'report.json')))
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok &= bool(cond)
kinds = {}
for w in planted_warn:
    kinds[w['rule']] = kinds.get(w['rule'], 0) + 1
check(all(kinds.get(k, 0) > 20 for k in ('ASM_NOT_ENROLLED', 'ENR_ENTRY_OUTSIDE_YEAR', 'ENR_EXIT_CODE_MISSING')),
      "planted warnings of each kind: %s" % kinds)
broken = sum(1 for b in planted_bad if b['problem'].startswith('unknown school (a broken'))
check(broken > 20, "%d broken enrollment rows planted" % broken)
missed = [b for b in planted_bad if (b['file'], b['line']) not in rej]
check(not missed, "every planted reject rejected (%d; missed %s)" % (len(planted_bad), missed[:3]))
check(len(rej) == len(planted_bad), "nothing else rejected (%d rejected, %d planted)" % (len(rej), len(planted_bad)))
lost = [w for w in planted_warn if w['rule'] not in fnd.get((w['file'], w['line']), ())]
check(not lost, "every planted warning found with its rule id (%d; missed %s)" % (len(planted_warn), lost[:3]))
check(not any((w['file'], w['line']) in rej for w in planted_warn), "every warned row loaded")
for f in report['files']:
    if f['read'] != f['loaded'] + f['rejected']:
        check(False, "read = loaded + rejected in %s" % f)
# No test score of a known student lost: every assessments.csv row not planted bad is stored.
bad_lines = {int(b['line']) for b in planted_bad if b['file'] == 'assessments.csv'}
with open(os.path.join(t, 'c', 'assessments.csv'), newline='') as f:
    good = [r for i, r in enumerate(csv.DictReader(f), start=2) if i not in bad_lines]
con = sqlite3.connect(os.path.join(t, 'db'))
stored = con.execute("SELECT count(*) FROM assessments").fetchone()[0]
scored = con.execute("SELECT count(*) FROM assessments WHERE scale_score IS NOT NULL").fetchone()[0]
check(stored == len(good), "every good test row stored (%d of %d), %d with a score" % (stored, len(good), scored))
of_broken = sum(1 for w in planted_warn if w['rule'] == 'ASM_NOT_ENROLLED')
check(of_broken > 0, "including %d tests of students whose enrollment was rejected" % of_broken)
sys.exit(0 if ok else 1)
PY
