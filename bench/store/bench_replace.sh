#!/usr/bin/env bash
# Cost of a resubmission with --replace: a synthetic state is loaded, then one
# district's last school year is resubmitted (its year-scoped files, with 1%
# of the rows left out and 1% of the scores changed) and loaded into copies
# of the state database three ways, in the same run:
#   plain    the resubmitted files, without --replace (an upsert: nothing deleted)
#   replace  the same files with --replace lea=ID,year=YYYY (the left-out rows deleted,
#            the changed scores' old rows kept in the history)
#   again    the same --replace load once more (nothing left to change)
# plain and replace are run REPEAT times each (alternating, each into a fresh
# copy), and the best wall and CPU (user + system) seconds of each are
# compared: replace / plain.
# usage: bench/store/bench_replace.sh [STUDENTS] [YEARS] [WORKDIR] [REPEAT]
#        (default 100000 5 /tmp/slds-bench-replace 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
students=${1:-100000}
years=${2:-5}
work=${3:-/tmp/slds-bench-replace}
repeat=${4:-3}
[ -x build/slds ] || scripts/setup.sh build
slds=$PWD/build/slds
rm -rf "$work" && mkdir -p "$work"
export SLDS_NO_PROGRESS=1
run() {
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err"; exit 1; }
    read -r secs rss user sys <"$work/time"
    cpu=$(echo "$user + $sys" | bc)
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
declare -A best_wall best_cpu
for rep in $(seq "$repeat"); do
    for mode in plain replace; do
        cp "$work/state.db" "$work/$mode.db"
        args=(); [ "$mode" = plain ] || args=(--replace "lea=$lea,year=$year")
        run "$slds" load "$work/$mode.db" "$work/sub" "${args[@]}" --format json --rejects "$work/r-$mode.csv" --findings "$work/f-$mode.csv"
        python3 - "$work/out" "$mode" "$secs" "$rss" "$lea" "$year" "$cpu" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("%-7s district %s year %s: %7d rows read, %6d deleted, %6d history rows  %6.2f s  CPU %5.2f s  peak %4.0f MiB"
      % (sys.argv[2], sys.argv[5], sys.argv[6], r['read'], r['deleted'], r['history_rows'], float(sys.argv[3]),
         float(sys.argv[7]), int(sys.argv[4]) / 1024))
PY
        if [ -z "${best_wall[$mode]:-}" ] || [ "$(echo "$secs < ${best_wall[$mode]}" | bc)" = 1 ]; then best_wall[$mode]=$secs; fi
        if [ -z "${best_cpu[$mode]:-}" ] || [ "$(echo "$cpu < ${best_cpu[$mode]}" | bc)" = 1 ]; then best_cpu[$mode]=$cpu; fi
    done
done
run "$slds" load "$work/replace.db" "$work/sub" --replace "lea=$lea,year=$year" --format json --rejects "$work/r-again.csv" --findings "$work/f-again.csv"
python3 - "$work/out" "$secs" "$cpu" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("again   the same --replace once more: %7d rows read, %6d deleted, %6d history rows  %6.2f s  CPU %5.2f s"
      % (r['read'], r['deleted'], r['history_rows'], float(sys.argv[2]), float(sys.argv[3])))
PY
printf 'best of %d: plain %.2f s (CPU %.2f s), replace %.2f s (CPU %.2f s): replace / plain = %.2fx wall, %.2fx CPU\n' \
    "$repeat" "${best_wall[plain]}" "${best_cpu[plain]}" "${best_wall[replace]}" "${best_cpu[replace]}" \
    "$(echo "${best_wall[replace]} / ${best_wall[plain]}" | bc -l)" "$(echo "${best_cpu[replace]} / ${best_cpu[plain]}" | bc -l)"
printf 'machine  %s CPUs, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
