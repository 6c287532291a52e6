#!/usr/bin/env bash
# bench/record/serve.sh - the server's CPU per request of the student routes
# only (issue 11), without bench/web/run.sh's dashboards (whose first request
# runs every statewide report: minutes at 1M students).
#
#   bench/record/serve.sh SLDS DIR [SECONDS] [CONNECTIONS] [IDS]
#
# DIR is a state prepared by bench/web/run.sh (state.db, ready, students.lua:
# the students of the largest school with growth results, and the bench
# users). Starts `slds serve` on it, logs in as the school's principal and
# runs wrk for SECONDS (default 10) at CONNECTIONS (default 4) on the student
# record API and on the student page, a different student at every request;
# prints requests/s, p50, p99 and the server's CPU (user + system, and user
# alone) per request. IDS "cold" walks cold.lua instead (run.sh's 300,000 students of
# the whole state, as the admin): each answer read and rendered, none kept.
# SLDS_WEB_THREADS sets the server's --threads (default: its own default),
# SLDS_WRK_THREADS wrk's threads (default 1).
# The server writes its sessions and access log rows to DB, nothing else.
# Not part of the test suite.
set -euo pipefail
slds=$(realpath "${1:?usage: serve.sh SLDS DIR [SECONDS] [CONNECTIONS]}")
dir=${2:?usage: serve.sh SLDS DIR [SECONDS] [CONNECTIONS]}
seconds=${3:-10}
conns=${4:-4}
ids=${5:-students}
user=principal
[ "$ids" = cold ] && user=admin
export no_proxy='*' NO_PROXY='*'
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
[ -f "$dir/ready" ] && [ -f "$dir/$ids.lua" ] || { echo "$dir: run bench/web/run.sh on it first"; exit 1; }
err=$(mktemp)
. "$(dirname "$0")/../web/serve_lib.sh"
serve_start "$slds" "$dir/state.db" "$err" "${SLDS_WEB_THREADS:-}"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$err" "$err.lua"' EXIT
cookie=$(serve_login $user)
cpu_ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
user_ticks() { awk '{print $14}' /proc/$pid/stat; }
hz=$(getconf CLK_TCK)
printf '%-20s %5s %9s %9s %9s %12s %12s %s\n' route conns req/s p50 p99 cpu/request user/request errors
for route in "student record API|/api/v1/students/" "student page|/students/"; do
    IFS='|' read -r name prefix <<<"$route"
    sed "s|^ids = |prefix = \"$prefix\"\nids = |" "$dir/$ids.lua" >"$err.lua"
    t0=$(cpu_ticks) u0=$(user_ticks)
    out=$(wrk -t"${SLDS_WRK_THREADS:-1}" -c"$conns" -d"${seconds}s" --timeout 30s --latency -s "$err.lua" \
        -H "Cookie: slds_session=$cookie" "$base/")
    t1=$(cpu_ticks) u1=$(user_ticks)
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    printf '%-20s %5s %9s %9s %9s %12s %12s %s\n' "$name" "$conns" \
        "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" "$(awk '/^ +50%/ {print $2}' <<<"$out")" \
        "$(awk '/^ +99%/ {print $2}' <<<"$out")" \
        "$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="${reqs:-0}" 'BEGIN {if (n > 0) printf "%.3f ms", t * 1000 / hz / n; else print "-"}')" \
        "$(awk -v t=$((u1 - u0)) -v hz="$hz" -v n="${reqs:-0}" 'BEGIN {if (n > 0) printf "%.3f ms", t * 1000 / hz / n; else print "-"}')" \
        "$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")"
done
