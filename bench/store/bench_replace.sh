#!/usr/bin/env bash
# Cost of a resubmission with --replace: a synthetic state is loaded, then one
# district's last school year is resubmitted (its year-scoped files, with 1%
# of the rows left out and 1% of the scores changed) and loaded into copies
# of the state database three ways, in the same run:
#   plain    the resubmitted files, without --replace (an upsert: nothing deleted)
#   replace  the same files with --replace lea=ID,year=YYYY (the left-out rows deleted,
#            the changed scores' old rows kept in the history)
#   again    the same --replace load once more (nothing left to change)
# usage: bench/store/bench_replace.sh [STUDENTS] [YEARS] [WORKDIR]   (default 100000 5 /tmp/slds-bench-replace)
set -euo pipefail
cd "$(dirname "$0")/../.."
students=${1:-100000}
years=${2:-5}
work=${3:-/tmp/slds-bench-replace}
[ -x build/slds ] || scripts/setup.sh build
slds=$PWD/build/slds
rm -rf "$work" && mkdir -p "$work"
export SLDS_NO_PROGRESS=1
run() {
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err"; exit 1; }
    read -r secs rss <"$work/time"
}
"$slds" synth "$work/c" --students "$students" --years "$years" --seed 1 >/dev/null 2>&1
run "$slds" load "$work/state.db" "$work/c" --rejects "$work/r.csv"
printf 'state   %d students x %d years loaded in %.2f s\n' "$students" "$years" "$secs"
python3 - "$work" <<'PY'
import csv, os, sys, json
w = sys.argv[1]
c, out = os.path.join(w, 'c'), os.path.join(w, 'sub')
os.makedirs(out)
def rows(f):
    with open(os.path.join(c, f), newline='') as fh:
        r = csv.reader(fh); h = next(r); return h, list(r)
h, sch = rows('schools.csv')
lea_of = {r[0]: r[1] for r in sch}
lea = sorted(set(lea_of.values()))[0]
h, enr = rows('enrollments.csv')
year = max(int(r[2]) for r in enr)
enrolled = {r[0] for r in enr if lea_of.get(r[1]) == lea and int(r[2]) == year}
n = 0
for f in ['enrollments.csv', 'staff_assignments.csv', 'rosters.csv', 'courses.csv', 'attendance.csv', 'assessments.csv', 'student_attributes.csv']:
    h, rs = rows(f)
    si, yi = (h.index('school_id') if 'school_id' in h else None), h.index('school_year')
    if si is not None:
        keep = [r for r in rs if lea_of.get(r[si]) == lea and int(r[yi]) == year]
    else:
        keep = [r for r in rs if r[0] in enrolled and int(r[yi]) == year]
    sub = [r for i, r in enumerate(keep) if i % 100 != 7]          # 1% left out
    if f == 'assessments.csv':
        si2 = h.index('scale_score')
        for i, r in enumerate(sub):
            if i % 100 == 3 and r[si2]:
                r[si2] = str(float(r[si2]) + 1)                    # 1% changed
    with open(os.path.join(out, f), 'w', newline='') as fh:
        wr = csv.writer(fh, lineterminator='\n'); wr.writerow(h); wr.writerows(sub)
    n += len(sub)
json.dump({'lea': lea, 'year': year, 'rows': n}, open(os.path.join(w, 'scope.json'), 'w'))
PY
lea=$(python3 -c "import json; print(json.load(open('$work/scope.json'))['lea'])")
year=$(python3 -c "import json; print(json.load(open('$work/scope.json'))['year'])")
rows=$(python3 -c "import json; print(json.load(open('$work/scope.json'))['rows'])")
for mode in plain replace again; do
    [ "$mode" = again ] || cp "$work/state.db" "$work/$mode.db"
    db=$work/$mode.db; [ "$mode" = again ] && db=$work/replace.db
    args=(); [ "$mode" = plain ] || args=(--replace "lea=$lea,year=$year")
    run "$slds" load "$db" "$work/sub" "${args[@]}" --format json --rejects "$work/r-$mode.csv" --findings "$work/f-$mode.csv"
    python3 - "$work/out" "$mode" "$secs" "$rss" "$lea" "$year" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("%-7s district %s year %s: %7d rows read, %6d deleted, %6d history rows  %6.2f s  peak %4.0f MiB"
      % (sys.argv[2], sys.argv[5], sys.argv[6], r['read'], r['deleted'], r['history_rows'], float(sys.argv[3]), int(sys.argv[4]) / 1024))
PY
done
