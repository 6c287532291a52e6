#!/bin/bash
# baseline_time.sh - times baseline-referenced SGPs on a synthetic state (not part
# of the test suite), next to R fitting one of the same pooled cohorts in the same run:
#  1. the state of bench/growth/run.sh (c) (S students, default 1,000,000, 5 years to
#     2025; made and loaded there, or here when missing), cut scores from truth;
#  2. `slds growth baseline fit DB --years BASE` (default 2021-2023, --max-order 2:
#     order 1 pools the 2022 and 2023 cohorts, order 2 the 2023 cohort), timed;
#  3. `slds growth run DB --year Y --baseline base` (default 2025), timed, with its phases;
#  4. R: the super-cohort of one progression (MATH grade 5 after grade 4, order 1: the
#     2022 and 2023 cohorts stacked) written from the database with the knots slds
#     used (from the exported baseline), quantreg rq(method = "fn") at the 100 taus
#     (bench/growth/r_baseline_time.R), timed; slds's fit of the same model is in the
#     fit table (seconds).
# Usage: bench/growth/baseline_time.sh [--students S] [--base 2021-2023] [--max-order K] [--year Y]
#   env: SLDS (default build/slds), BENCH_OUT (default build/bench-growth)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
slds=${SLDS:-$root/build/slds}
out=${BENCH_OUT:-$root/build/bench-growth}
students=1000000 base=2021-2023 max_order=2 year=2025
while [ $# -gt 0 ]; do
  case $1 in
    --students) students=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --max-order) max_order=$2; shift 2 ;;
    --year) year=$2; shift 2 ;;
    *) echo "usage: $0 [--students S] [--base Y1-Y2] [--max-order K] [--year Y]" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
export SLDS_NO_PROGRESS=1
mkdir -p "$out"
dir=$out/synth_$students
if [ ! -f "$dir.db" ]; then
  "$slds" synth "$dir" --students "$students" --years 5 --seed 1 >/dev/null
  "$slds" load "$dir.db" "$dir" --rejects "$dir.rejects.csv" >/dev/null
fi
echo "# machine: $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "%e %U %S %M" -o "$out/bt_fit.time" "$slds" growth baseline fit "$dir.db" --name base \
  --replace --years "$base" --max-order "$max_order" --config "$dir/truth/growth_config.json" >"$out/bt_fit.txt"
read -r w u s m <"$out/bt_fit.time"
echo "# slds growth baseline fit --years $base --max-order $max_order: wall $w s, CPU $(echo "$u + $s" | bc) s, peak $((m / 1024)) MiB"
sed 's/^/#   /' "$out/bt_fit.txt"
/usr/bin/time -f "%e %U %S %M" -o "$out/bt_run.time" "$slds" growth run "$dir.db" --year "$year" \
  --config "$dir/truth/growth_config.json" --baseline base >"$out/bt_run.txt" 2>&1
read -r w u s m <"$out/bt_run.time"
echo "# slds growth run --year $year --baseline base: wall $w s, CPU $(echo "$u + $s" | bc) s, peak $((m / 1024)) MiB"
echo "#   $(tail -1 "$out/bt_run.txt")"
"$slds" growth baseline export "$dir.db" --name base --output "$out/bt_base.json"
python3 - "$dir.db" "$out/bt_base.json" "$out/bt_cohort.csv" "$out/bt_knots.json" <<'PY'
import json, sqlite3, sys
db, base, csv_out, knots_out = sys.argv[1:]
doc = json.load(open(base))
m = [m for m in doc["models"] if m["subject"] == "MATH" and m["grade"] == 5 and m["order"] == 1][0]
json.dump(m["model"]["priors"][0], open(knots_out, "w"))
con = sqlite3.connect(db)
rows = 0
with open(csv_out, "w") as f:
    f.write("SS0,SS1\n")
    for y in m["cohorts"]:   # the windows, in order
        for cur, prior in con.execute(
                "SELECT a.scale_score, b.scale_score FROM assessments a JOIN assessments b"
                " ON b.student_id = a.student_id AND b.subject = a.subject AND b.school_year = a.school_year - 1"
                " AND b.grade_tested = '04' AND b.test_type = 'STATE'"
                " WHERE a.school_year = ? AND a.subject = 'MATH' AND a.grade_tested = '05' AND a.test_type = 'STATE'"
                " AND a.scale_score IS NOT NULL AND b.scale_score IS NOT NULL ORDER BY a.student_id", (y,)):
            f.write("%r,%r\n" % (cur, prior))
            rows += 1
print("# R's super-cohort: MATH grade 5 after 4 (lag 1), cohorts %s: %d rows (slds fitted %d)"
      % (" ".join(map(str, m["cohorts"])), rows, m["students"]))
PY
Rscript "$here/r_baseline_time.R" "$out/bt_cohort.csv" "$out/bt_knots.json"
