#!/usr/bin/env bash
# compare.sh - early warning against published figures (run on demand, never
# in the test suite): the model's cross-validated AUC on the UCI student-
# performance files and OULAD next to ../shared/data/ews/README.md's
# baselines; on a synthetic state, the held-out cohort evaluation (AUC,
# precision, recall, calibration, by subgroup) and each ABC flag's
# sensitivity and specificity next to Bowers, Sprott & Taff (2013).
# One line per figure, with the input size and the published value.
# Usage: bench/warn/compare.sh [SLDS] [STUDENTS] [YEARS] [SEED] [BEHAVIOR_FACTOR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
slds=${1:-$root/build/slds}
students=${2:-5000}
years=${3:-8}
seed=${4:-1}
behavior=${5:-0}
ews=${SLDS_SHARED_DIR:-$root/../shared}/data/ews
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1

echo "== shared data sets: 10-fold cross-validated AUC (pooled out-of-fold), L2 logistic regression, penalty by inner 5-fold CV per outer fold"
for f in mat por; do
    "$slds" warn evaluate-file "$ews/student-$f.csv" --format json >"$tmp/$f.json"
done
start=$(date +%s.%N)
"$slds" warn evaluate-file "$ews/oulad_studentInfo.csv.gz" --format json >"$tmp/oulad.json"
oulad_s=$(echo "$(date +%s.%N) - $start" | bc)
python3 - "$tmp/mat.json" "$tmp/por.json" "$tmp/oulad.json" "$oulad_s" <<'PY'
import json, sys
published = {  # ../shared/data/ews/README.md
    ("mat", "G1+G2"): (0.97, 0.97), ("mat", "G1"): (0.91, 0.91), ("mat", "no grades"): (0.67, 0.69),
    ("por", "G1+G2"): (0.95, 0.97), ("por", "G1"): (0.93, 0.94), ("por", "no grades"): (0.80, 0.83)}
for name, path in (("mat", sys.argv[1]), ("por", sys.argv[2])):
    e = json.load(open(path))
    for r in e["results"]:
        lo, hi = published[(name, r["features"])]
        pub = "%.2f" % lo if lo == hi else "%.2f-%.2f" % (lo, hi)
        print("uci %s (n %d, %d fail) %-9s AUC %.3f   published %s   ratio %.3f"
              % (name, e["n"], e["positives"], r["features"], r["auc"], pub, r["auc"] / ((lo + hi) / 2)))
e = json.load(open(sys.argv[3]))
for r in e["results"]:
    print("oulad (n %d, %d withdrawn or fail) %s: AUC %.3f (no baseline in the README), %.1f s"
          % (e["n"], e["positives"], r["features"], r["auc"], float(sys.argv[4])))
PY

echo "== synthetic state: $students students, $years years, seed $seed, behavior dropout factor $behavior"
"$slds" synth "$tmp/c" --students "$students" --years "$years" --seed "$seed" \
    --behavior-dropout-factor "$behavior" >/dev/null 2>&1
"$slds" load "$tmp/db" "$tmp/c" >/dev/null 2>&1
start=$(date +%s.%N)
"$slds" warn evaluate "$tmp/db" --bowers "$ews/BowersEWSReviewData.csv" --format json >"$tmp/eval.json"
eval_s=$(echo "$(date +%s.%N) - $start" | bc)
last=$(sqlite3 "$tmp/db" "SELECT MAX(school_year) FROM enrollments")
start=$(date +%s.%N)
"$slds" warn run "$tmp/db" --year "$last" >/dev/null 2>&1
run_s=$(echo "$(date +%s.%N) - $start" | bc)
python3 - "$tmp/eval.json" "$eval_s" "$run_s" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
f = lambda v: "  -  " if v is None else "%.3f" % v
print("graduation model, held-out cohort %d: n %d (%d not on time), AUC %s, threshold %s, precision %s,"
      " recall %s, false-positive rate %s, Brier %s, ECE %s (evaluate %.1f s, run %.1f s)"
      % (e["held_out_cohort"], e["n"], e["positives"], f(e["auc"]), f(e["threshold"]), f(e["precision"]),
         f(e["recall"]), f(e["false_positive_rate"]), f(e["brier"]), f(e["ece"]), float(sys.argv[2]),
         float(sys.argv[3])))
print("  calibration: " + ", ".join("[%.1f,%.1f) n %d pred %.3f obs %.3f" % (b["from"], b["to"], b["n"],
      b["mean_predicted"], b["observed"]) for b in e["calibration"]))
for g in e["by_subgroup"]:
    print("  %-24s n %5d  not on time %4d  AUC %s  precision %s  recall %s  FPR %s  mean predicted %s"
          "  observed %s" % (g["subgroup"], g["n"], g["positives"], f(g["auc"]), f(g["precision"]),
                            f(g["recall"]), f(g["false_positive_rate"]), f(g["mean_predicted"]),
                            f(g["base_rate"])))
c = e["course_failure"]
if isinstance(c, dict):
    print("course-failure model, held-out year %d: n %d (%d failed a course), AUC %s, precision %s, recall %s,"
          " Brier %s" % (c["held_out_year"], c["n"], c["positives"], f(c["auc"]), f(c["precision"]),
                          f(c["recall"]), f(c["brier"])))
print("ABC flags against not graduating on time (every record with a known outcome):")
for x in e["flags"]:
    print("  %-10s grade %-5s n %5d  sensitivity %s  specificity %s  precision %s  base rate %s  lift %.2f"
          % (x["flag"], x["grade"], x["n"], f(x["sensitivity"]), f(x["specificity"]), f(x["precision"]),
             f(x["base_rate"]), x["precision"] / x["base_rate"]))
print("next to Bowers, Sprott & Taff (2013):")
for p in e["published"]:
    o, q = p["ours"], p["published"]
    print("  %-10s grade %-5s n %5d: sensitivity %s specificity %s | published %-26s grade %-2s %-48.48s"
          " sensitivity %.3f specificity %.3f"
          % (p["flag"], o["grade"], o["n"], f(o["sensitivity"]), f(o["specificity"]), q["study"].strip(),
             q["grade"], q["indicator"], q["sensitivity"], q["specificity"]))
PY
