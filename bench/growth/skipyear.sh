#!/bin/bash
# skipyear.sh - skip-year SGPs against R (not part of the test suite): the SGP
# package's demonstration data with one year left out (default 2022_2023, the
# school year ending 2023), so that the next years' priors cross the gap with
# their real lags (grade 5 in 2024 from grade 3 in 2022, lag 2; grade 6 from
# grade 4 in 2022 and grade 3 in 2021).
#  1. converts shared/data/sgp/sgpData_LONG.csv.gz without that year and loads it;
#  2. `slds growth run DB --year Y --config SGPstateData_DEMO.json` and `show`
#     for the years after the gap (default 2024,2025);
#  3. bench/growth/r_reference_all.R with SGP_DROP_YEAR: R quantreg rq(method = "br"),
#     the package's method, each panel's grades lagged as its years;
#  4. bench/growth/agreement.py per cohort and in total; then again with R given the
#     data slds has (the scores the loader rejected left out), as agreement.sh.
# Usage: bench/growth/skipyear.sh [--drop 2022_2023] [--years 2024,2025] [--details N]
#   env: SLDS (default build/slds), BENCH_OUT (default build/bench-skipyear), SGP_CORES
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${SLDS_SHARED_DIR:-$root/../shared}
sgp=$shared/data/sgp
slds=${SLDS:-$root/build/slds}
out=${BENCH_OUT:-$root/build/bench-skipyear}
drop=2022_2023 years=2024,2025 details=10
while [ $# -gt 0 ]; do
  case $1 in
    --drop) drop=$2; shift 2 ;;
    --years) years=$2; shift 2 ;;
    --details) details=$2; shift 2 ;;
    *) echo "usage: $0 [--drop YYYY_YYYY] [--years Y,...] [--details N]" >&2; exit 2 ;;
  esac
done
command -v Rscript >/dev/null || { echo "needs Rscript (r-base-core r-cran-quantreg r-cran-data.table r-cran-jsonlite)" >&2; exit 2; }
export SLDS_NO_PROGRESS=1
mkdir -p "$out"
rm -rf "$out/c" "$out/db" "$out/r" "$out"/show_*.csv
gzip -dc "$sgp/sgpData_LONG.csv.gz" | grep -v ",$drop," | gzip -1 >"$out/long_dropped.csv.gz"
"$slds" convert sgp-long "$out/long_dropped.csv.gz" "$out/c" >"$out/convert.log" 2>&1
"$slds" load "$out/db" "$out/c" --rejects "$out/rejects.csv" >"$out/load.log" 2>&1
echo "# left out $drop; load: $(grep '^total' "$out/load.log" | awk '{print $2 " rows read, " $3 " loaded, " $4 " rejected"}')"
for y in ${years//,/ }; do
  "$slds" growth run "$out/db" --year "$y" --config "$sgp/SGPstateData_DEMO.json" >"$out/run_$y.txt" 2>&1 \
    || { cat "$out/run_$y.txt" >&2; exit 1; }
  "$slds" growth show "$out/db" --year "$y" --format csv >"$out/show_$y.csv"
  echo "# slds growth run $y (cohort table):"; sed 's/^/#   /' "$out/run_$y.txt"
done
mkdir -p "$out/r"
cp "$out/long_dropped.csv.gz" "$out/r/sgpData_LONG.csv.gz"
cp "$sgp/SGPstateData_DEMO.json" "$out/r/"
SGP_DROP_YEAR=$drop Rscript "$here/r_reference_all.R" "$out/r" "$out/r" "$years" >"$out/r.log" 2>&1 \
  || { cat "$out/r.log" >&2; echo "R failed" >&2; exit 1; }
echo "# R rq(method = \"br\") with lagged panels: $(cat "$out/r/r_time.txt")"
python3 "$here/agreement.py" --db "$out/db" --slds-dir "$out" --r-dir "$out/r" --collection "$out/c" \
  --years "$years" --details "$details"

# second pass, as agreement.sh: R without the scores the loader rejected (the data slds
# has), on the cohorts that held one of them
echo
python3 "$here/agreement.py" --db "$out/db" --collection "$out/c" --write-excludes "$out/excluded.csv" | sed 's/^/# /'
rm -rf "$out/r_norej"
SGP_DROP_YEAR=$drop SGP_EXCLUDE="$out/excluded.csv" SGP_AFFECTED_ONLY=1 \
  Rscript "$here/r_reference_all.R" "$out/r" "$out/r_norej" "$years" >"$out/r_norej.log" 2>&1 \
  || { cat "$out/r_norej.log" >&2; echo "R (without rejects) failed" >&2; exit 1; }
echo "# R without them, only the cohorts that held them: $(cat "$out/r_norej/r_time.txt")"
python3 "$here/agreement.py" --db "$out/db" --slds-dir "$out" --r-dir "$out/r_norej" --collection "$out/c" \
  --years "$years" --details "$details" --r-cohorts-only
