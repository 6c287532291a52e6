#!/bin/bash
# run.sh - times `slds growth run` (not part of the test suite):
#  (a) one whole year of the SGP package's demonstration data (2025: READING
#      and MATHEMATICS, grades 3-10, every order, DEMO knots and cuts);
#  (b) a state-sized cohort: READING 3 -> 4 -> 5 resampled to N students per
#      grade (default 100,000), scores jittered by U(-0.5, 0.5), written as a
#      collection and loaded (bench/growth/resample.py);
#  (c) the last year of a synthetic state of S students (default 1,000,000,
#      5 years; `slds synth` + `slds load` take several minutes the first time
#      and are kept in the output folder), cut scores from truth/growth_config.json.
# Prints one line per figure: scores, SGPs, seconds (wall and CPU), students/s
# and peak memory (/usr/bin/time), and with --r the ratio to the R baseline
# (bench/sgp/r_baseline.R: quantreg rq(method = "fn") on the same cohorts of
# (a) and (b); needs r-base-core r-cran-quantreg r-cran-data.table
# r-cran-jsonlite).
# With --repeat K (implies --only b --r): K rounds of R fitting (b) and `slds
# growth run` on it back to back, in the same run (R is not taken from an
# earlier run), each round printed, then the best of each side and their
# ratios, wall and CPU: the comparison to make on a shared machine.
# Usage: bench/growth/run.sh [--only a|b|c] [--n N] [--students S] [--threads T] [--r] [--repeat K]
#        env: SLDS (the tool, default build/slds), BENCH_OUT (default build/bench-growth)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${SLDS_SHARED_DIR:-$root/../shared}
sgp=$shared/data/sgp
slds=${SLDS:-$root/build/slds}
out=${BENCH_OUT:-$root/build/bench-growth}
only="" n=100000 students=1000000 threads="" use_r=0 repeat=0
while [ $# -gt 0 ]; do
  case $1 in
    --only) only=$2; shift 2 ;;
    --n) n=$2; shift 2 ;;
    --students) students=$2; shift 2 ;;
    --threads) threads="--threads $2"; shift 2 ;;
    --r) use_r=1; shift ;;
    --repeat) repeat=$2; only=b; use_r=1; shift 2 ;;
    *) echo "usage: $0 [--only a|b|c] [--n N] [--students S] [--threads T] [--r] [--repeat K]" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
mkdir -p "$out"
export SLDS_NO_PROGRESS=1
echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"

# timed LABEL DB YEAR [options]: one figure line from the run's JSON and /usr/bin/time
timed() {
  local label=$1 db=$2 year=$3; shift 3
  /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" \
    "$slds" growth run "$db" --year "$year" --format json $threads "$@" >"$out/run.json"
  python3 - "$label" "$out/run.json" "$out/time.txt" "${R_SECONDS:-}" <<'PY'
import json, sys
label, run, tm, r = sys.argv[1], json.load(open(sys.argv[2])), open(sys.argv[3]).read().split(), sys.argv[4]
wall, cpu, peak = float(tm[0]), float(tm[1]) + float(tm[2]), int(tm[3]) / 1024
line = ("%s: %d scores, %d SGPs, %d targets in %d cohorts: %.2f s wall (%.2f s CPU; read %.2f, fit %.2f,"
        " targets %.2f, write+aggregates %.2f), %.0f students/s, peak %.0f MiB"
        % (label, run["students"], run["with_sgp"], run["with_target"], len(run["cohorts"]), wall, cpu,
           run["seconds_read"], run["seconds_fit"], run["seconds_targets"], run["seconds_write"],
           run["students"] / wall, peak))
if r:
    rw, rc = (float(x) for x in r.split(","))
    line += "; R rq(fn) fits + SGPs only: %.1f s wall, %.1f s CPU: %.1fx (wall), %.1fx (CPU)" % (rw, rc, rw / wall, rc / cpu)
print(line)
PY
}

# R baseline of (a) and (b): "label,seconds" lines
r_times() {
  [ $use_r = 1 ] || return 0
  [ -f "$out/r_times.csv" ] && return 0
  Rscript "$root/bench/sgp/r_baseline.R" "$sgp" "$out/state_cohort.csv" "$out/r_times.csv" >"$out/r_baseline.log" 2>&1 \
    || { echo "# R baseline failed, see $out/r_baseline.log" >&2; use_r=0; }
}
r_of() { # LABEL -> "wall,cpu" or ""
  [ $use_r = 1 ] && [ -f "$out/r_times.csv" ] || return 0
  local w c
  w=$(grep "^$1," "$out/r_times.csv" | cut -d, -f2)
  c=$(grep "^$1:cpu," "$out/r_times.csv" | cut -d, -f2)
  [ -n "$w" ] && echo "$w,$c"
}

if [ -z "$only" ] || [ "$only" = a ] || [ "$only" = b ]; then
  [ -f "$sgp/sgpData_LONG.csv.gz" ] || { echo "needs $sgp (SLDS_SHARED_DIR)" >&2; exit 2; }
fi

if [ -z "$only" ] || [ "$only" = b ]; then
  if [ ! -f "$out/b.db" ] || [ "$(cat "$out/b.n" 2>/dev/null)" != "$n" ]; then
    rm -rf "$out/b" "$out/b.db" "$out/r_times.csv"
    python3 "$here/resample.py" "$sgp/sgpData_LONG.csv.gz" "$out/b" "$out/state_cohort.csv" --n "$n" >/dev/null
    "$slds" load "$out/b.db" "$out/b" --rejects "$out/b.rejects.csv" >/dev/null
    echo "$n" >"$out/b.n"
  fi
fi
if [ "$repeat" -gt 0 ]; then
  best_rw="" best_rc="" best_sw="" best_sc=""
  for round in $(seq "$repeat"); do
    Rscript "$root/bench/sgp/r_baseline.R" "$sgp" "$out/state_cohort.csv" "$out/r_round.csv" b \
      >"$out/r_baseline.log" 2>&1 || { echo "R baseline failed, see $out/r_baseline.log" >&2; exit 1; }
    rw=$(grep "^b:.*[0-9]," "$out/r_round.csv" | grep -v ":cpu," | cut -d, -f2)
    rc=$(grep "^b:.*:cpu," "$out/r_round.csv" | cut -d, -f2)
    R_SECONDS="$rw,$rc" timed "b:READING_3_4_5_resampled_$n (round $round)" "$out/b.db" 2025 \
      --config "$sgp/SGPstateData_DEMO.json"
    read -r sw su ss _ <"$out/time.txt"
    sc=$(echo "$su + $ss" | bc)
    best_rw=$(printf '%s\n' $best_rw $rw | sort -g | head -1); best_rc=$(printf '%s\n' $best_rc $rc | sort -g | head -1)
    best_sw=$(printf '%s\n' $best_sw $sw | sort -g | head -1); best_sc=$(printf '%s\n' $best_sc $sc | sort -g | head -1)
  done
  echo "best of $repeat: R rq(fn) $best_rw s wall, $best_rc s CPU; slds growth run $best_sw s wall, $best_sc s CPU:" \
    "$(echo "scale=1; $best_rw / $best_sw" | bc)x (wall), $(echo "scale=1; $best_rc / $best_sc" | bc)x (CPU);" \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
if [ -z "$only" ] || [ "$only" = a ] || [ "$only" = b ]; then
  [ -f "$out/state_cohort.csv" ] && r_times
fi

if [ -z "$only" ] || [ "$only" = a ]; then
  if [ ! -f "$out/demo.db" ]; then
    "$slds" convert sgp-long "$sgp/sgpData_LONG.csv.gz" "$out/demo" \
      --instructors "$sgp/sgpData_INSTRUCTOR_NUMBER.csv.gz" >/dev/null 2>&1
    "$slds" load "$out/demo.db" "$out/demo" --rejects "$out/demo.rejects.csv" >/dev/null 2>&1
  fi
  R_SECONDS=$(r_of "a:year_2024_2025_total") timed "a:reference_2025_all_cohorts" "$out/demo.db" 2025 \
    --config "$sgp/SGPstateData_DEMO.json"
fi

if [ -z "$only" ] || [ "$only" = b ]; then
  R_SECONDS=$(r_of "b:READING_g5_resampled_$n") timed "b:READING_3_4_5_resampled_$n" "$out/b.db" 2025 \
    --config "$sgp/SGPstateData_DEMO.json"
fi

if [ -z "$only" ] || [ "$only" = c ]; then
  dir=$out/synth_$students
  if [ ! -f "$dir.db" ]; then
    "$slds" synth "$dir" --students "$students" --years 5 --seed 1 >/dev/null
    "$slds" load "$dir.db" "$dir" --rejects "$dir.rejects.csv" >/dev/null
  fi
  timed "c:synthetic_${students}_students_2025" "$dir.db" 2025 --config "$dir/truth/growth_config.json"
fi
