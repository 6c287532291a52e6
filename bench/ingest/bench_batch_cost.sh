#!/usr/bin/env bash
# What a batch of slds ingest costs on a large state: a synthetic state is
# loaded without its results and responses (the base), then, for each slds
# binary given (default: this build's), into a fresh copy of the base:
#   full speed  the first ROWS rows of assessments.csv piped as fast as cat
#               writes (batches of up to 50,000 rows): sustained rows/s
#   steady      the next 20,000 rows at RATE rows/s: latency from a row's
#               arrival to its batch's commit, as slds ingest measures it
# with the CPU seconds (user + system) of each ingest. Before slds_loader,
# every batch read every student id, identity and enrollment spell of the
# state again; comparing two builds in the same run shows that cost.
# usage: bench/ingest/bench_batch_cost.sh [STUDENTS] [YEARS] [ROWS] [RATE] [WORKDIR] [SLDS...]
#        (default 100000 5 300000 2000 /tmp/slds-bench-batch build/slds)
set -euo pipefail
cd "$(dirname "$0")/../.."
students=${1:-100000}
years=${2:-5}
rows=${3:-300000}
rate=${4:-2000}
work=${5:-/tmp/slds-bench-batch}
shift $(($# < 5 ? $# : 5))
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=("$PWD/build/slds")
[ -x "${bins[0]}" ] || scripts/setup.sh build
rm -rf "$work" && mkdir -p "$work/base"
export SLDS_NO_PROGRESS=1
"${bins[0]}" synth "$work/c" --students "$students" --years "$years" --seed 1 >/dev/null 2>&1
for f in "$work"/c/*.csv; do
    case "$f" in */assessments.csv|*/item_responses.csv) ;; *) ln -s "$f" "$work/base/";; esac
done
"${bins[0]}" load "$work/base.db" "$work/base" --rejects "$work/base.rejects.csv" >/dev/null 2>&1
printf 'state    %d students x %d years, loaded without results and responses\n' "$students" "$years"
head -n $((rows + 1)) "$work/c/assessments.csv" >"$work/fast.csv"
# (sed, not tail | head: under pipefail, head closing the pipe would fail the script)
sed -n "1p;$((rows + 2)),$((rows + 20001))p" "$work/c/assessments.csv" >"$work/steady.csv"
summary() { # LABEL JSON CPU
    python3 - "$@" <<'PY'
import json, sys
s = json.load(open(sys.argv[2]))["ingest"][0]
print("%-32s %7d rows in %6.2f s: %7.0f rows/s; %3d batches; arrival to commit mean %.3f s, max %.3f s; CPU %.2f s"
      % (sys.argv[1], s["read"], s["seconds"], s["rows_per_s"], s["batches"], s["latency_mean_s"],
         s["latency_max_s"], float(sys.argv[3])))
PY
}
for bin in "${bins[@]}"; do
    name=$(basename "$bin")
    cp "$work/base.db" "$work/ingest.db"
    rm -f "$work/ingest.db-wal" "$work/ingest.db-shm"
    /usr/bin/time -f "%U %S" -o "$work/time" "$bin" ingest "$work/ingest.db" - --format json \
        --rejects "$work/r1.csv" <"$work/fast.csv" >"$work/fast.json"
    summary "$name full speed" "$work/fast.json" "$(awk '{print $1 + $2}' "$work/time")"
    python3 bench/ingest/pace.py "$work/steady.csv" "$rate" | /usr/bin/time -f "%U %S" -o "$work/time" "$bin" ingest \
        "$work/ingest.db" - --format json --rejects "$work/r2.csv" >"$work/steady.json"
    summary "$name $rate rows/s" "$work/steady.json" "$(awk '{print $1 + $2}' "$work/time")"
done
printf 'machine  %s CPUs, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
