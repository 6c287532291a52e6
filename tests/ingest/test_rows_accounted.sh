#!/usr/bin/env bash
# Invariant 2 as a property on synthetic data with planted bad rows: for every
# file and in total, rows read = rows loaded + rows rejected; rows read equals
# the data lines of the file; every rejected row is in rejects.csv and in the
# rejects table; and exactly the rows the generator spoiled (truth/dirty_rows.csv)
# were rejected, each naming the spoiled column.
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd python3
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for seed in 21 22 23; do
    "$slds" synth "$tmp/c$seed" --students 3000 --years 3 --seed $seed --dirty 0.02 >/dev/null || { echo "synth failed"; exit 1; }
    "$slds" load "$tmp/db$seed" "$tmp/c$seed" --format json --rejects "$tmp/r$seed.csv" >"$tmp/report$seed.json" 2>/dev/null || { echo "load failed"; exit 1; }
    python3 - "$tmp/c$seed" "$tmp/report$seed.json" "$tmp/r$seed.csv" "$tmp/db$seed" <<'PY' || fail=1
import csv, json, sqlite3, sys, os
coll, report, rejects, db = sys.argv[1:]
r = json.load(open(report))
ok = True
rej = list(csv.DictReader(open(rejects, newline='')))
con = sqlite3.connect(db)
truth = json.load(open(os.path.join(coll, 'truth', 'summary.json')))
dirty = {k: v.get('dirty_rows', 0) for k, v in truth['files'].items()}
for f in r['files']:
    with open(os.path.join(coll, f['file']), newline='') as fh:
        data_rows = sum(1 for row in csv.reader(fh)) - 1
    n_rej = sum(1 for x in rej if x['file'] == f['file'])
    n_tab = con.execute("SELECT count(*) FROM rejects WHERE load_id=? AND file=?", (r['load_id'], f['file'])).fetchone()[0]
    checks = [f['read'] == f['loaded'] + f['rejected'], f['read'] == data_rows,
              n_rej == f['rejected'], n_tab == f['rejected'],
              f['rejected'] == dirty.get(f['file'], 0)]
    if not all(checks):
        ok = False
        print("FAIL", f, "data rows", data_rows, "rejects.csv", n_rej, "table", n_tab, "planted", dirty.get(f['file']))
planted = list(csv.DictReader(open(os.path.join(coll, 'truth', 'dirty_rows.csv'), newline='')))
rejected_at = {(x['file'], x['line']): x for x in rej}
missed = [p for p in planted if (p['file'], p['line']) not in rejected_at]
same_column = sum(1 for p in planted if rejected_at.get((p['file'], p['line']), {}).get('column') == p['column'])
if missed:
    ok = False
    for p in missed[:10]: print("FAIL: planted bad row loaded:", p)
print("%d planted bad rows, all rejected; %d named the planted column" % (len(planted), same_column))
tot = r['read'] == r['loaded'] + r['rejected'] == sum(f['read'] for f in r['files'])
if not tot:
    ok = False; print("FAIL totals", r['read'], r['loaded'], r['rejected'])
print(("ok" if ok else "FAIL") + ": seed %s: %d read = %d loaded + %d rejected" % (coll[-2:], r['read'], r['loaded'], r['rejected']))
sys.exit(0 if ok else 1)
PY
done
exit $fail
