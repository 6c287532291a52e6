#!/bin/bash
# baseline.sh - baseline-referenced SGPs against R (not part of the test suite):
# the SGP package's demonstration data, baseline matrices fitted on its first
# years pooled (default 2021,2022,2023: the package's super-cohort) and applied
# to a later year (default 2025).
#  1. converts and loads shared/data/sgp/sgpData_LONG.csv.gz;
#  2. `slds growth baseline fit DB --name base --years BASE --config SGPstateData_DEMO.json
#     [--max-order K]`, `slds growth run DB --year TARGET --baseline base`, `show`;
#  3. bench/growth/r_baseline.R: the same super-cohorts stacked in R, quantreg
#     rq(method = "br"), the same application;
#  4. compares per subject and grade: students with a baseline SGP in R and slds,
#     identical, within 1, largest difference, same order. (r_baseline.R takes
#     SGP_EXCLUDE as r_reference_all.R does, for a pass without the scores the loader
#     rejected; with the defaults every student is identical without it.)
# Usage: bench/growth/baseline.sh [--base 2021,2022,2023] [--target 2025] [--max-order K]
#   env: SLDS (default build/slds), BENCH_OUT (default build/bench-baseline)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${SLDS_SHARED_DIR:-$root/../shared}
sgp=$shared/data/sgp
slds=${SLDS:-$root/build/slds}
out=${BENCH_OUT:-$root/build/bench-baseline}
base=2021,2022,2023 target=2025 max_order=
while [ $# -gt 0 ]; do
  case $1 in
    --base) base=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --max-order) max_order=$2; shift 2 ;;
    *) echo "usage: $0 [--base Y,Y,Y] [--target Y] [--max-order K]" >&2; exit 2 ;;
  esac
done
command -v Rscript >/dev/null || { echo "needs Rscript (r-base-core r-cran-quantreg r-cran-data.table r-cran-jsonlite)" >&2; exit 2; }
export SLDS_NO_PROGRESS=1
mkdir -p "$out"
if [ ! -s "$out/db" ]; then
  rm -rf "$out/c"
  "$slds" convert sgp-long "$sgp/sgpData_LONG.csv.gz" "$out/c" >"$out/convert.log" 2>&1
  "$slds" load "$out/db" "$out/c" --rejects "$out/rejects.csv" >"$out/load.log" 2>&1
fi
"$slds" growth baseline fit "$out/db" --name base --replace --years "$base" \
    --config "$sgp/SGPstateData_DEMO.json" ${max_order:+--max-order $max_order} >"$out/fit.txt"
echo "# slds growth baseline fit --years $base${max_order:+ --max-order $max_order}:"
sed 's/^/#   /' "$out/fit.txt"
"$slds" growth run "$out/db" --year "$target" --config "$sgp/SGPstateData_DEMO.json" --baseline base \
    >"$out/run.txt" 2>&1 || { cat "$out/run.txt" >&2; exit 1; }
echo "# slds growth run $target --baseline base: $(tail -1 "$out/run.txt")"
"$slds" growth show "$out/db" --year "$target" --format csv >"$out/show.csv"

compare() { # R_DIR TITLE
  python3 - "$out/show.csv" "$1/r_baseline_$target.csv" "$2" <<'PY'
import csv, sys
from collections import defaultdict
slds = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["sgp_baseline"]:
        slds[(r["student_id"], r["subject"])] = (int(r["grade"]), int(r["sgp_baseline"]), int(r["sgp_baseline_order"]))
rr = {}
for r in csv.DictReader(open(sys.argv[2])):
    rr[(r["ID"], r["CONTENT_AREA"])] = (int(r["GRADE"]), int(r["SGP"]), int(r["ORDER"]))
print("# " + sys.argv[3])
print("%-12s %5s %6s %6s %6s %10s %9s %7s %8s %6s %9s" % ("subject", "grade", "R", "slds", "both", "identical",
      "within 1", "max |d|", "order =", "only R", "only slds"))
tot = defaultdict(int); worst_all = 0
for subj in ("MATHEMATICS", "READING"):
    for g in range(4, 11):
        R = {k: v for k, v in rr.items() if k[1] == subj and v[0] == g}
        S = {k: v for k, v in slds.items() if k[1] == subj and v[0] == g}
        both = [k for k in R if k in S]
        same = sum(R[k][1] == S[k][1] for k in both)
        w1 = sum(abs(R[k][1] - S[k][1]) <= 1 for k in both)
        worst = max([abs(R[k][1] - S[k][1]) for k in both] or [0])
        order = sum(R[k][2] == S[k][2] for k in both)
        onlyR = len([k for k in R if k not in S]); onlyS = len([k for k in S if k not in R])
        worst_all = max(worst_all, worst)
        for n, v in (("R", len(R)), ("slds", len(S)), ("both", len(both)), ("same", same), ("w1", w1),
                     ("order", order), ("onlyR", onlyR), ("onlyS", onlyS)):
            tot[n] += v
        print("%-12s %5d %6d %6d %6d %9.2f%% %8.2f%% %7d %7.2f%% %6d %9d" % (subj, g, len(R), len(S), len(both),
              100.0 * same / max(1, len(both)), 100.0 * w1 / max(1, len(both)), worst,
              100.0 * order / max(1, len(both)), onlyR, onlyS))
print("%-12s %5s %6d %6d %6d %9.2f%% %8.2f%% %7d %7.2f%% %6d %9d" % ("all", "", tot["R"], tot["slds"], tot["both"],
      100.0 * tot["same"] / max(1, tot["both"]), 100.0 * tot["w1"] / max(1, tot["both"]), worst_all,
      100.0 * tot["order"] / max(1, tot["both"]), tot["onlyR"], tot["onlyS"]))
PY
}

rm -rf "$out/r" && mkdir -p "$out/r"
Rscript "$here/r_baseline.R" "$sgp" "$out/r" "$base" "$target" $max_order >"$out/r.log" 2>&1 \
  || { cat "$out/r.log" >&2; echo "R failed" >&2; exit 1; }
echo "# R rq(method = \"br\") on the same super-cohorts: $(cat "$out/r/r_time.txt")"
compare "$out/r" "R with every score of the long file"

