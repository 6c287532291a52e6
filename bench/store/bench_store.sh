#!/usr/bin/env bash
# Benchmark of the data store: generates a synthetic state, then times
# synth, load (all validation on) and audit, and, as the baseline named in the
# issue, the sqlite3 shell's `.import --csv` of the same files into plain
# tables, in the same run. The import and the load are run RUNS times,
# alternating (import, load, import, load, ...: each pair back to back, so
# both see the same machine), and the ratio import seconds / load seconds of
# each pair is reported, then their median, min and max: one noisy run does
# not decide. Prints one line per figure.
#
# usage: bench/store/bench_store.sh [STUDENTS] [YEARS] [WORKDIR] [RUNS]
#        (default 200000 5 /tmp/slds-bench 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
students=${1:-200000}
years=${2:-5}
work=${3:-/tmp/slds-bench}
runs=${4:-3}
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
command -v bc >/dev/null || apt-get install -y -qq bc >/dev/null
[ -x build/slds ] || scripts/setup.sh build
slds=${SLDS:-$PWD/build/slds} # SLDS=path: another build (before/after)
rm -rf "$work" && mkdir -p "$work"
export SLDS_NO_PROGRESS=1

# run NAME CMD...: runs CMD, records seconds and peak RSS (KiB) in $secs/$rss
# run NAME CMD...: also the CPU seconds (user + system) in $cpu
run() {
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err"; exit 1; }
    read -r secs rss user sys <"$work/time"
    cpu=$(echo "$user + $sys" | bc)
}

run "$slds" synth "$work/c" --students "$students" --years "$years" --seed 1
rows=$(tail -q -n +2 "$work"/c/*.csv | wc -l)
bytes=$(cat "$work"/c/*.csv | wc -c)
printf 'synth   %8d students x %d years: %10d rows %7.1f MB  %7.2f s  %9.0f rows/s  peak %6.0f MiB\n' \
    "$students" "$years" "$rows" "$(echo "$bytes/1048576" | bc -l)" "$secs" "$(echo "$rows/$secs" | bc -l)" "$(echo "$rss/1024" | bc -l)"

# Baseline: sqlite3 .import --csv of the same files into plain tables.
{
    for f in "$work"/c/*.csv; do
        t=$(basename "$f" .csv)
        echo ".import --csv $f $t"
    done
} >"$work/import.sql"
ratios=()
cpu_ratios=()
for r in $(seq "$runs"); do
    rm -f "$work/import.db"
    run sqlite3 "$work/import.db" ".read $work/import.sql"
    import_secs=$secs
    import_cpu=$cpu
    printf 'import  sqlite3 .import --csv (baseline):        %10d rows            %7.2f s  %9.0f rows/s  peak %6.0f MiB  CPU %6.2f s\n' \
        "$rows" "$secs" "$(echo "$rows/$secs" | bc -l)" "$(echo "$rss/1024" | bc -l)" "$cpu"
    rm -f "$work/state.db" "$work/state.db-wal" "$work/state.db-shm"
    run "$slds" load "$work/state.db" "$work/c" --format json --rejects "$work/rejects.csv"
    loaded_rows=$(python3 -c "import json,sys; r=json.load(open('$work/out')); print(r['read'])")
    ratio=$(echo "$import_secs/$secs" | bc -l)
    cpu_ratio=$(echo "$import_cpu/$cpu" | bc -l)
    ratios+=("$ratio")
    cpu_ratios+=("$cpu_ratio")
    printf 'load    slds load, all validation on:            %10d rows            %7.2f s  %9.0f rows/s  peak %6.0f MiB  %.2fx the baseline  CPU %6.2f s (%.2fx)\n' \
        "$loaded_rows" "$secs" "$(echo "$loaded_rows/$secs" | bc -l)" "$(echo "$rss/1024" | bc -l)" "$ratio" \
        "$cpu" "$cpu_ratio"
    python3 - "$work/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for f in sorted(r['files'], key=lambda f: -f['seconds'])[:6]:
    if f['seconds'] > 0:
        print("        %-24s %10d rows  %6.2f s  %9.0f rows/s" % (f['file'], f['read'], f['seconds'], f['read'] / f['seconds']))
PY
done
python3 - "$runs" "${ratios[@]}" "${cpu_ratios[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
wall, cpu = [float(x) for x in sys.argv[2:2 + n]], [float(x) for x in sys.argv[2 + n:]]
print("ratio   load / baseline speed over %d runs: median %.2fx (min %.2fx, max %.2fx); by CPU median %.2fx"
      % (n, statistics.median(wall), min(wall), max(wall), statistics.median(cpu)))
PY
printf 'machine %s CPUs, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"

if "$slds" audit --help >/dev/null 2>&1; then
    run "$slds" audit "$work/state.db" --format json
    printf 'audit   slds audit:                               %10d rows            %7.2f s  %9.0f rows/s  peak %6.0f MiB\n' \
        "$loaded_rows" "$secs" "$(echo "$loaded_rows/$secs" | bc -l)" "$(echo "$rss/1024" | bc -l)"
fi
du -h "$work/state.db" "$work/import.db" | sed 's/^/size    /'
