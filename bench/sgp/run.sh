#!/bin/bash
# run.sh - builds and runs the SGP benchmark; with R and quantreg installed
# (apt-get install r-base-core r-cran-quantreg r-cran-data.table
# r-cran-jsonlite) also the R baseline on the same cohorts, and prints the
# ratios. Not part of the test suite.
# Usage: bench/sgp/run.sh [--n N] [--threads T] [--no-r]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${SLDS_SHARED_DIR:-$root/../shared}
out=${BENCH_OUT:-$root/build/bench-sgp}
n=100000 threads=0 use_r=1
while [ $# -gt 0 ]; do
  case $1 in
    --n) n=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --no-r) use_r=0; shift ;;
    *) echo "usage: $0 [--n N] [--threads T] [--no-r]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
# Built from the sources of the modules it needs, with the project's flags,
# so that it does not depend on the rest of the library building.
cc -std=c17 -O2 -Wall -Wextra -Wpedantic -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
  -I"$root/src" "$root"/src/core/core.c "$root"/src/stats/*.c "$root"/src/growth/*.c \
  "$here/bench_sgp.c" -o "$out/bench_sgp" \
  $(pkg-config --cflags --libs jansson) -lpthread -lm
echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
rtimes=""
if [ $use_r = 1 ] && command -v Rscript > /dev/null &&
   Rscript -e 'quit(status = !all(sapply(c("quantreg", "data.table", "jsonlite"), requireNamespace, quietly = TRUE)))' 2>/dev/null; then
  "$out/bench_sgp" --shared "$shared" --only b --n "$n" --dump-b "$out/state_cohort.csv" --threads "$threads" > /dev/null
  echo "# R $(Rscript -e 'cat(R.version$major, R.version$minor, sep=".")') quantreg $(Rscript -e 'cat(format(packageVersion("quantreg")))'): rq(method = \"fn\"), same cohorts"
  Rscript "$here/r_baseline.R" "$shared/data/sgp" "$out/state_cohort.csv" "$out/r_times.csv" > "$out/r_baseline.log"
  rtimes="--r-times $out/r_times.csv"
else
  echo "# R baseline skipped (needs Rscript with quantreg, data.table, jsonlite)"
fi
/usr/bin/time -f "# whole run: %e s wall, %U s user, peak %M KB" \
  "$out/bench_sgp" --shared "$shared" --n "$n" --threads "$threads" $rtimes
