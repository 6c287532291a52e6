#!/usr/bin/env bash
# The SGP package's demonstration data, converted and loaded: every LONG row
# becomes one assessment row; rows read = loaded + rejected; subjects keep their
# codes; nothing is rejected: the 6 implausible grade progressions in the data
# (checked by hand: students 1261318 7->10, 3063217 6->9, 3499901 5->8, 8921825
# 6->9 from 2023 to 2024; 6274735 4->7 from 2021 to 2022; 8102924 6->9 from 2022
# to 2023) are findings (ENR_GRADE_PROGRESSION, a warning), and every score,
# those students' included, is loaded.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3
shared=${SLDS_SHARED_DIR:-}
long=$shared/data/sgp/sgpData_LONG.csv.gz
require_file "$long" "shared/ is not beside the work tree"
"$slds" convert sgp-long "$long" "$tmp/c" --instructors "$shared/data/sgp/sgpData_INSTRUCTOR_NUMBER.csv.gz" \
    --format csv >"$tmp/convert.csv" 2>/dev/null || fail convert
"$slds" load "$tmp/db" "$tmp/c" --format json --rejects "$tmp/rejects.csv" --findings "$tmp/findings.csv" >"$tmp/load.json" 2>/dev/null || fail load
python3 - "$tmp/convert.csv" "$tmp/load.json" "$tmp/rejects.csv" "$tmp/db" "$tmp/findings.csv" <<'PY'
import csv, json, sqlite3, sys
conv = {r['file']: int(r['rows']) for r in csv.DictReader(open(sys.argv[1]))}
load = json.load(open(sys.argv[2]))
rej = list(csv.DictReader(open(sys.argv[3])))
con = sqlite3.connect(sys.argv[4])
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok &= cond
check(conv['assessments.csv'] == 368301, "368,301 LONG rows -> %d assessment rows" % conv['assessments.csv'])
check(conv['rosters.csv'] == 496688, "496,688 instructor links -> %d roster rows" % conv['rosters.csv'])
check(load['read'] == load['loaded'] + load['rejected'], "read = loaded + rejected (%d = %d + %d)" % (load['read'], load['loaded'], load['rejected']))
by_reason = {}
for r in rej:
    by_reason[(r['file'], r['reason'].split(':')[0])] = by_reason.get((r['file'], r['reason'].split(':')[0]), 0) + 1
print(by_reason)
fnd = list(csv.DictReader(open(sys.argv[5])))
grade = [f for f in fnd if f['rule'] == 'ENR_GRADE_PROGRESSION']
check(len(grade) == 6, "6 implausible grade progressions, as findings (%d)" % len(grade))
check(len(rej) == 0, "no row rejected (%d)" % len(rej))
check(load['rejected'] == 0 and load['loaded'] == load['read'], "every row loaded")
subjects = [s for (s,) in con.execute("SELECT DISTINCT subject FROM assessments ORDER BY 1")]
check(subjects == ['MATHEMATICS', 'READING'], "subjects kept: %s" % subjects)
n = con.execute("SELECT count(*) FROM assessments WHERE not_tested_reason = 'NO_SCORE'").fetchone()[0]
check(n == 2106, "all 2,106 'No Score' rows kept as not tested (%d)" % n)
sys.exit(0 if ok else 1)
PY
