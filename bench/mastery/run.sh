#!/bin/bash
# run.sh - the mastery figures of issue 10 (not part of the test suite):
#  1. pooled test AUC and fit time of `slds mastery evaluate` on the two
#     ASSISTments 2009 splits of ../shared/data/bkt, with and without
#     forgetting, next to pyBKT's figures from its README;
#  2. BKT fit time at the scale of a state: 1,000,000 students' responses
#     simulated from known parameters (bench_bkt.c), with the recovery error;
#  3. `slds mastery fit DB` on a loaded synthetic state (--students, default
#     20000, 5 years), read + fit + write.
# Fit times are wall clock and CPU time of every thread; on a shared machine
# the load average (printed) inflates the wall clock.
# Usage: bench/mastery/run.sh [--students N] [--state-students N] [--threads T]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${SLDS_SHARED_DIR:-$root/../shared}
build=${BUILD:-$root/build}
slds=$build/slds
students=1000000 state_students=20000 threads=$(nproc)
while [ $# -gt 0 ]; do
  case $1 in
    --students) students=$2; shift 2 ;;
    --state-students) state_students=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "usage: $0 [--students N] [--state-students N] [--threads T]" >&2; exit 2 ;;
  esac
done
echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
data=$shared/data/bkt
if [ -f "$data/assist09_dedup_train.tsv.gz" ]; then
  printf '%-8s %-7s %8s %8s %9s %9s %7s\n' split forget auc pyBKT fit_s fit_cpu_s rows
  for split in dedup dkt; do
    ext=tsv.gz; [ $split = dkt ] && ext=csv.gz
    for f in no yes; do
      flag=""; [ $f = yes ] && flag=--forget
      case $split-$f in dedup-no) ref=0.715;; dedup-yes) ref=0.722;; dkt-no) ref=0.760;; dkt-yes) ref=0.826;; esac
      "$slds" mastery evaluate --train "$data/assist09_${split}_train.$ext" --test "$data/assist09_${split}_test.$ext" \
        $flag --threads "$threads" --format json | python3 -c "
import json, sys
d = json.load(sys.stdin)
print('%-8s %-7s %8.4f %8s %9.2f %9.2f %7d' % ('$split', '$f', d['auc'], '$ref', d['fit_seconds'], d['fit_cpu_seconds'], d['rows']))"
    done
  done
  echo "# pyBKT fit (its README, measured on this machine): 2.5 s (dedup), 2.9 s / 3.7 s (dkt without / with forgetting)"
else
  echo "# $data not found: the ASSISTments figures are skipped"
fi
cc -std=c17 -O2 -Wall -Wextra -Wpedantic -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/src" \
  "$here/bench_bkt.c" "$build/libslds.a" $(pkg-config --libs sqlite3 jansson libsodium zlib) -lpthread -lm \
  -o "$build/bench_bkt"
echo "# BKT fit, simulated responses of $students students (108 standards, 6 each, 6-10 items):"
"$build/bench_bkt" --students "$students" --threads "$threads"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# slds mastery fit on a loaded synthetic state (--students $state_students --years 5):"
SLDS_NO_PROGRESS=1 "$slds" synth "$tmp/c" --students "$state_students" --years 5 --seed 1 >/dev/null 2>&1
SLDS_NO_PROGRESS=1 "$slds" load "$tmp/db" "$tmp/c" >/dev/null 2>&1
SLDS_NO_PROGRESS=1 "$slds" mastery fit "$tmp/db" --threads "$threads"
