#!/usr/bin/env bash
# A first load writes each plain file in the order of its whole file's keys
# (sorted runs of 65,536 rows in a temporary file, merged by the writer);
# a load into tables that hold rows writes batch by batch. Both must store
# the same rows and report the same counts, also for files of several runs
# (more than 65,536 rows) with rejected and warned rows among them. And a
# temporary folder that cannot be written stops the load cleanly.
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd sqlite3
require_cmd python3
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$slds" synth "$tmp/c" --students 4000 --years 5 --seed 7 --dirty 0.01 >/dev/null || { echo "synth failed"; exit 1; }
# findings among the rows of a file of several runs and of a one-run file
awk -F, -v OFS=, 'NR > 1 && NR % 997 == 0 && NF == 10 && $7 ~ /^20[0-9][0-9]-/ {$7 = "2000-01-03"} {print}' \
    "$tmp/c/assessments.csv" >"$tmp/a.csv" && mv "$tmp/a.csv" "$tmp/c/assessments.csv"
awk -F, -v OFS=, 'NR > 1 && NR % 499 == 0 && NF == 5 && $4 ~ /^[0-9]+$/ {$5 = $4 + 1} {print}' \
    "$tmp/c/attendance.csv" >"$tmp/a.csv" && mv "$tmp/a.csv" "$tmp/c/attendance.csv"
fail=0
big=$(python3 - "$tmp/c" <<'PY'
import os, sys
d = sys.argv[1]
n = {f: sum(1 for _ in open(os.path.join(d, f))) - 1 for f in os.listdir(d) if f.endswith('.csv')}
print(' '.join(sorted(f[:-4] for f, k in n.items() if k > 65536)))
PY
)
[ -n "$big" ] || { echo "FAIL: no file of more than 65,536 rows (the test needs several runs)"; exit 1; }
echo "files of several runs: $big"

# A: a first load (every table empty: sorted runs)
"$slds" load "$tmp/a.db" "$tmp/c" --format json --rejects "$tmp/ra.csv" >"$tmp/a.json" 2>/dev/null ||
    { echo "FAIL: first load failed"; exit 1; }
# B: the same files into tables that hold rows (batch by batch): A with only
# one student's rows left in every table of a plain file, loaded again
cp "$tmp/a.db" "$tmp/b.db"
tables="student_attributes rosters assessments courses attendance discipline postsecondary item_responses"
for t in $tables; do
    sqlite3 "$tmp/b.db" "DELETE FROM $t WHERE student_id <> (SELECT min(student_id) FROM $t)" ||
        { echo "FAIL: could not thin $t"; exit 1; }
done
"$slds" load "$tmp/b.db" "$tmp/c" --format json --rejects "$tmp/rb.csv" >"$tmp/b.json" 2>/dev/null ||
    { echo "FAIL: load into filled tables failed"; exit 1; }
for t in $tables; do
    na=$(sqlite3 "$tmp/a.db" "SELECT count(*) FROM $t")
    ha=$(sqlite3 "$tmp/a.db" "SELECT * FROM $t" | md5sum)
    hb=$(sqlite3 "$tmp/b.db" "SELECT * FROM $t" | md5sum)
    if [ "$ha" != "$hb" ]; then
        echo "FAIL: $t differs between the sorted first load and the batch load"
        fail=1
    elif [ "$na" -lt 2 ]; then
        echo "FAIL: $t has $na rows"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "ok: the same rows in $(echo $tables | wc -w) tables, sorted runs or batches"
python3 - "$tmp/a.json" "$tmp/b.json" <<'PY' || fail=1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = ('read', 'loaded', 'rejected', 'warned')
bad = [(x['file'], k, x[k], y[k]) for x, y in zip(a['files'], b['files']) for k in keys if x[k] != y[k]]
for f in a['files']:
    if f['read'] != f['loaded'] + f['rejected']:
        bad.append((f['file'], 'read = loaded + rejected', f['read'], f['loaded'] + f['rejected']))
if not a['rejected'] or not any(f['warned'] for f in a['files'] if f['file'] == 'assessments.csv') \
        or not any(f['warned'] for f in a['files'] if f['file'] == 'attendance.csv'):
    bad.append(('collection', 'rejects and findings planted', a['rejected'], a['warned']))
if bad:
    print("FAIL: counts differ: %s" % bad[:5])
    sys.exit(1)
print("ok: the same counts per file (%d read, %d rejected, %d warned)" % (a['read'], a['rejected'], a['warned']))
PY
cmp -s "$tmp/ra.csv" "$tmp/rb.csv" || { echo "FAIL: rejects.csv differs"; fail=1; }

# A temporary folder that cannot be written: exit 1, a message, no database.
mkdir -p "$tmp/one"
cp "$tmp/c/leas.csv" "$tmp/c/schools.csv" "$tmp/one/"
out=$(TMPDIR="$tmp/nowhere" "$slds" load "$tmp/new.db" "$tmp/one" 2>&1)
status=$?
if [ $status -ne 1 ] || ! grep -q "temporary file" <<<"$out" || [ -e "$tmp/new.db" ]; then
    echo "FAIL: an unwritable temporary folder: status $status, database $( [ -e "$tmp/new.db" ] && echo created || echo absent): $out"
    fail=1
else
    echo "ok: an unwritable temporary folder stops the load: $out"
fi
exit $fail
