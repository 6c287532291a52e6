#!/usr/bin/env bash
# bench_1m.sh - the timing of issue 8 (not a test): `slds educators run` on a
# synthetic state of a million students, under 60 s. Synthesizes and loads
# the state the first time (kept in WORKDIR: synth ~75 s, load several
# minutes), runs `slds growth run` for the year (the SGPs the educator
# measures read; timed, but not part of the floor), then times
# `slds educators run` with the lme4 preset and with colorado (ratings,
# decisions, principals' graduation and college figures), and prints each
# run's breakdown (the run's own `time:` line) with wall, CPU and peak memory
# from /usr/bin/time.
# Usage: bench/educator/bench_1m.sh [--students N] [--years Y] [--seed S]
#        [WORKDIR]    env: SLDS (default build/slds)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
slds=$(readlink -f "${SLDS:-$root/build/slds}")
students=1000000 years=3 seed=1 work=""
while [ $# -gt 0 ]; do
  case $1 in
    --students) students=$2; shift 2 ;;
    --years) years=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -*) echo "usage: $0 [--students N] [--years Y] [--seed S] [WORKDIR]" >&2; exit 2 ;;
    *) work=$1; shift ;;
  esac
done
work=${work:-$root/build/bench-educator-$students}
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
export SLDS_NO_PROGRESS=1
mkdir -p "$work"
cd "$work"
echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
timed() { # LABEL CMD...: the command's stdout to LABEL.out, one line of wall/CPU/peak
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$label.time" "$@" >"$label.out"
  read -r wall user sys peak <"$label.time"
  printf '%s: %.1f s wall, %.1f s CPU, peak %.0f MiB\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$peak / 1024" | bc)"
}
if [ ! -f state.db ] || [ ! -f loaded.flag ]; then
  rm -rf c state.db state.db-wal state.db-shm
  timed synth "$slds" synth c --students "$students" --years "$years" --seed "$seed"
  timed load "$slds" load state.db c --rejects rejects.csv
  touch loaded.flag
fi
year=$(sqlite3 state.db "SELECT max(school_year) FROM assessments")
echo "# state: $students students, $years years, seed $seed; year $year; $(sqlite3 state.db "SELECT count(*) FROM rosters WHERE school_year = $year") roster rows"
if [ ! -f growth.flag ]; then
  timed growth "$slds" growth run state.db --year "$year"
  touch growth.flag
fi
for config in lme4 colorado; do
  timed "educators_$config" "$slds" educators run state.db --year "$year" --config "$config"
  sed 's/^/    /' "educators_$config.out"
done
timed report_summary "$slds" report state.db educator-summary --year "$year" --level state --format csv
timed report_d2 "$slds" report state.db d2-measures --year "$year" --format csv
