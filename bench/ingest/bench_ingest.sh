#!/usr/bin/env bash
# slds ingest from a stream into a synthetic state's database, while a reader
# (slds student, in a loop) runs, in the same run:
#   full speed  assessments.csv and the first 80% of item_responses.csv, each
#               piped as fast as `cat` writes: sustained rows per second
#   steady      the last 20% of item_responses.csv sent at RATE rows per
#               second: the latency from a row's arrival (its bytes read by
#               slds ingest) to its batch's commit (and to its mastery update
#               when the hook is wired), as slds ingest measures it
#   reader      every `slds student DB ID` call during the ingests: count,
#               mean and slowest answer, failures
# The state is loaded first without its results and responses (the base).
# usage: bench/ingest/bench_ingest.sh [STUDENTS] [YEARS] [RATE] [WORKDIR]
#        (default 20000 3 2000 /tmp/slds-bench-ingest)
set -euo pipefail
cd "$(dirname "$0")/../.."
students=${1:-20000}
years=${2:-3}
rate=${3:-2000}
work=${4:-/tmp/slds-bench-ingest}
[ -x build/slds ] || scripts/setup.sh build
slds=$PWD/build/slds
rm -rf "$work" && mkdir -p "$work/base" "$work/in"
export SLDS_NO_PROGRESS=1
"$slds" synth "$work/c" --students "$students" --years "$years" --seed 1 >/dev/null 2>&1
for f in "$work"/c/*.csv; do
    case "$f" in */assessments.csv|*/item_responses.csv) ;; *) ln -s "$f" "$work/base/";; esac
done
t0=$(date +%s.%N)
"$slds" load "$work/state.db" "$work/base" --rejects "$work/base.rejects.csv" >/dev/null 2>&1
t1=$(date +%s.%N)
base_rows=$(sqlite3 "$work/state.db" "SELECT sum(rows_read) FROM loads")
printf 'state    %d students x %d years; base (%s rows, without results and responses) loaded in %.1f s\n' \
    "$students" "$years" "$base_rows" "$(echo "$t1 - $t0" | bc)"
python3 - "$work" <<'PY'
import os, sys
w = sys.argv[1]
lines = open(os.path.join(w, 'c', 'item_responses.csv')).read().splitlines(keepends=True)
cut = 1 + (len(lines) - 1) * 4 // 5
open(os.path.join(w, 'in', 'responses_fast.csv'), 'w').writelines(lines[:cut])
open(os.path.join(w, 'in', 'responses_steady.csv'), 'w').writelines(lines[:1] + lines[cut:])
PY
sqlite3 "$work/state.db" "SELECT student_id FROM students ORDER BY random() LIMIT 200" >"$work/ids"

# The reader: slds student in a loop until told to stop.
reader() {
    local n=0 ok=0 sum=0 max=0
    while [ ! -e "$work/stop" ]; do
        id=$(shuf -n 1 "$work/ids")
        a=$(date +%s%N)
        if "$slds" student "$work/state.db" "$id" >/dev/null 2>"$work/reader.err"; then ok=$((ok + 1)); fi
        b=$(date +%s%N)
        d=$(( (b - a) / 1000000 ))
        n=$((n + 1)); sum=$((sum + d)); [ $d -gt $max ] && max=$d
        sleep 0.05
    done
    echo "$n $ok $sum $max" >"$work/reader.out"
}
reader &
reader_pid=$!

summary() { # FILE JSON: the figures slds ingest printed
    python3 - "$@" <<'PY'
import json, os, sys
label, path, data = sys.argv[1], sys.argv[2], sys.argv[3]
s = json.load(open(path))["ingest"][0]
size = os.path.getsize(data)
line = ("%-11s %-18s %8d rows (%5.1f MB) in %6.2f s: %7.0f rows/s; %d batches, %d rejected; "
        "arrival to commit: mean %.3f s, max %.3f s"
        % (label, s["file"], s["read"], size / 1e6, s["seconds"], s["rows_per_s"], s["batches"],
           s["rejected"], s["latency_mean_s"], s["latency_max_s"]))
if "mastery_updates" in s:
    line += "; to mastery update: mean %.3f s, max %.3f s (%d updates)" % (
        s["mastery_latency_mean_s"], s["mastery_latency_max_s"], s["mastery_updates"])
print(line)
PY
}
cat "$work/c/assessments.csv" | "$slds" ingest "$work/state.db" - --format json >"$work/asm.json"
summary "full speed" "$work/asm.json" "$work/c/assessments.csv"
cat "$work/in/responses_fast.csv" | "$slds" ingest "$work/state.db" - --format json >"$work/fast.json"
summary "full speed" "$work/fast.json" "$work/in/responses_fast.csv"
python3 bench/ingest/pace.py "$work/in/responses_steady.csv" "$rate" | "$slds" ingest "$work/state.db" - --format json >"$work/steady.json"
summary "$rate rows/s" "$work/steady.json" "$work/in/responses_steady.csv"
touch "$work/stop"
wait $reader_pid
read -r n ok sum max <"$work/reader.out"
printf 'reader   slds student: %d calls during the ingests, %d answered, mean %d ms, slowest %d ms\n' \
    "$n" "$ok" "$(( n ? sum / n : 0 ))" "$max"
printf 'machine  %s CPUs, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
