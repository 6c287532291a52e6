#!/bin/bash
# agreement.sh - how `slds growth` SGPs agree with R's on EVERY cohort of the SGP
# package's demonstration data (not part of the test suite; the test
# tests/growthrun/test_growth_reference.sh checks the three reference cohorts).
#  1. converts and loads shared/data/sgp/sgpData_LONG.csv.gz
#     (`slds convert sgp-long` + `slds load`);
#  2. `slds growth run DB --year Y --config SGPstateData_DEMO.json` for every year
#     (default 2022..2025) and `slds growth show DB --year Y --format csv`;
#  3. bench/growth/r_reference_all.R: R's quantreg rq(method = "br"), the SGP
#     package's method as in shared/data/sgp/sgp_reference.R, for every year,
#     subject and grade with a prior (timed);
#  4. bench/growth/agreement.py: per cohort (year x subject x grade) students in R
#     and in slds, identical SGP share, share within 1, largest difference, order
#     agreement, students in only one of them with the reason; a total line; every
#     order compared; the explanations student by student;
#  5. again, on the cohorts that held a score the loader rejected, with R given the
#     data slds has (those scores left out: r_reference_all.R's SGP_EXCLUDE).
# Usage: bench/growth/agreement.sh [--years 2022,2023,2024,2025] [--reuse-r] [--details N]
#   --reuse-r: keep R's output from an earlier run when present (R takes minutes)
#   env: SLDS (the tool, default build/slds), BENCH_OUT (default build/bench-agreement),
#        SGP_CORES (R's parallel cohorts, default every CPU), SLDS_SHARED_DIR
# Needs r-base-core r-cran-quantreg r-cran-data.table r-cran-jsonlite, python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${SLDS_SHARED_DIR:-$root/../shared}
sgp=$shared/data/sgp
slds=${SLDS:-$root/build/slds}
out=${BENCH_OUT:-$root/build/bench-agreement}
years=2022,2023,2024,2025 reuse_r=0 details=20
while [ $# -gt 0 ]; do
  case $1 in
    --years) years=$2; shift 2 ;;
    --reuse-r) reuse_r=1; shift ;;
    --details) details=$2; shift 2 ;;
    *) echo "usage: $0 [--years Y,...] [--reuse-r] [--details N]" >&2; exit 2 ;;
  esac
done
[ -f "$sgp/sgpData_LONG.csv.gz" ] || { echo "needs $sgp/sgpData_LONG.csv.gz (SLDS_SHARED_DIR)" >&2; exit 2; }
[ -x "$slds" ] || { echo "needs $slds (build first, or set SLDS)" >&2; exit 2; }
command -v Rscript >/dev/null || { echo "needs Rscript (r-base-core r-cran-quantreg r-cran-data.table r-cran-jsonlite)" >&2; exit 2; }
export SLDS_NO_PROGRESS=1
mkdir -p "$out"
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${SLDS:-}" ]; then echo "# slds: $slds"
else echo "# slds: $slds (tree $(cd "$root" && git describe --always --dirty 2>/dev/null || echo '?'))"; fi

rm -rf "$out/c" "$out/db" "$out/rejects.csv" "$out"/show_*.csv
"$slds" convert sgp-long "$sgp/sgpData_LONG.csv.gz" "$out/c" >"$out/convert.log" 2>&1
"$slds" load "$out/db" "$out/c" --rejects "$out/rejects.csv" >"$out/load.log" 2>&1
echo "# load: $(grep '^total' "$out/load.log" | awk '{print $2 " rows read, " $3 " loaded, " $4 " rejected"}')"

t0=$(date +%s.%N)
for y in ${years//,/ }; do
  "$slds" growth run "$out/db" --year "$y" --config "$sgp/SGPstateData_DEMO.json" >"$out/run_$y.txt" 2>&1 \
    || { cat "$out/run_$y.txt" >&2; echo "growth run $y failed" >&2; exit 1; }
  "$slds" growth show "$out/db" --year "$y" --format csv >"$out/show_$y.csv"
done
t1=$(date +%s.%N)
echo "# slds growth run, $years: $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s wall (with targets and aggregates; show included)"

rdone=1
for y in ${years//,/ }; do [ -f "$out/r/r_sgp_$y.csv" ] || rdone=0; done
if [ $reuse_r = 1 ] && [ $rdone = 1 ]; then
  echo "# R: reused $out/r ($(cat "$out/r/r_time.txt"))"
else
  rm -rf "$out/r"
  Rscript "$here/r_reference_all.R" "$sgp" "$out/r" "$years" >"$out/r.log" 2>&1 \
    || { cat "$out/r.log" >&2; echo "R failed" >&2; exit 1; }
  echo "# R rq(method = \"br\"), every order of every cohort: $(cat "$out/r/r_time.txt")"
fi
echo
python3 "$here/agreement.py" --db "$out/db" --slds-dir "$out" --r-dir "$out/r" --collection "$out/c" \
  --years "$years" --details "$details"

# second pass: R without the scores the loader rejected (the same data as slds), on the
# cohorts that held one of them
echo
python3 "$here/agreement.py" --db "$out/db" --collection "$out/c" --write-excludes "$out/excluded.csv" | sed 's/^/# /'
if [ $reuse_r = 1 ] && [ -f "$out/r_norej/r_time.txt" ]; then
  echo "# R without them: reused $out/r_norej ($(cat "$out/r_norej/r_time.txt"))"
else
  rm -rf "$out/r_norej"
  SGP_EXCLUDE="$out/excluded.csv" SGP_AFFECTED_ONLY=1 \
    Rscript "$here/r_reference_all.R" "$sgp" "$out/r_norej" "$years" >"$out/r_norej.log" 2>&1 \
    || { cat "$out/r_norej.log" >&2; echo "R (without rejects) failed" >&2; exit 1; }
  echo "# R without them, only the cohorts that held them: $(cat "$out/r_norej/r_time.txt")"
fi
echo
python3 "$here/agreement.py" --db "$out/db" --slds-dir "$out" --r-dir "$out/r_norej" --collection "$out/c" \
  --years "$years" --details "$details" --r-cohorts-only
