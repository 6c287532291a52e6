#!/usr/bin/env bash
# bench/web/run.sh - latency of `slds serve` under wrk (not a test).
#
#   bench/web/run.sh SLDS DIR [STUDENTS] [SECONDS]
#
# Builds (once, kept in DIR) a synthetic state of STUDENTS students (default
# 200000) over 3 years, loads it, runs growth for the last year, adds a
# principal (the largest school), a teacher (the largest class of students
# with growth percentiles) and an
# admin, starts the server on loopback, warms each route once, then runs wrk
# on each route for SECONDS (default 60, as issue 11 asks) at 50 and 200
# connections and prints one line per route and concurrency: requests/s,
# p50, p99, errors; and the server's resident memory before and after (flat
# memory = no leak).
# Routes: the school dashboard, the teacher's class view and the student
# page, each as the API (JSON) and as the page (HTML). The student routes
# go through a wrk Lua script that asks for a different student at every
# request, twice:
# - "school": every student of the school with growth results, in turn, as
#   the school's principal (a principal going through the school's
#   records): after the first round each answer is a kept one (the access
#   check and the view log still run at every request);
# - "cold": 300,000 students drawn from the whole state (seeded), as the
#   state admin: more than the server keeps, so every answer is read from
#   the database and rendered.
# For each run it also prints the server's CPU per request under that load
# (user + system time of the server over the run / requests answered): the
# figure that carries over to another machine; and wrk's own CPU per
# request: wrk runs on the same cores (nothing is pinned: it is the machine
# as it is), so on 2 cores what wrk takes is not the server's.
set -euo pipefail
slds=$(realpath "${1:?usage: run.sh SLDS DIR [STUDENTS] [SECONDS]}")
dir=${2:?usage: run.sh SLDS DIR [STUDENTS] [SECONDS]}
students=${3:-200000}
seconds=${4:-60}
threads=${SLDS_WEB_THREADS:-} # empty: the server's default
export SLDS_NO_PROGRESS=1 no_proxy='*' NO_PROXY='*'
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
mkdir -p "$dir"
db=$dir/state.db
if [ ! -f "$dir/ready" ]; then
    [ -d "$dir/c" ] || "$slds" synth "$dir/c" --students "$students" --years 3 --seed 7 >/dev/null
    [ -f "$db" ] || "$slds" load "$db" "$dir/c" >/dev/null
    [ "$(sqlite3 "file:$db?mode=ro" "SELECT COUNT(*) FROM growth_runs WHERE school_year = 2023")" -gt 0 ] ||
        "$slds" growth run "$db" --year 2023 >/dev/null 2>&1
    read -r school teacher student < <(python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
school = db.execute("SELECT school_id FROM enrollments WHERE school_year = 2023 GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
teacher = db.execute("SELECT r.staff_id FROM rosters r JOIN growth_students g ON g.student_id = r.student_id"
                     " AND g.school_year = r.school_year AND g.sgp IS NOT NULL"
                     " WHERE r.school_year = 2023 AND r.school_id = ? GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1", (school,)).fetchone()[0]
student = db.execute("SELECT r.student_id FROM rosters r JOIN growth_students g ON g.student_id = r.student_id AND g.school_year = 2023 WHERE r.staff_id = ? AND r.school_year = 2023 AND g.sgp IS NOT NULL LIMIT 1", (teacher,)).fetchone()[0]
print(school, teacher, student)
PY
)
    echo "bench-password-1" | "$slds" user add "$db" admin --role state-admin --password-stdin >/dev/null
    echo "bench-password-1" | "$slds" user add "$db" principal --role principal --scope "$school" --password-stdin >/dev/null
    echo "bench-password-1" | "$slds" user add "$db" teacher --role teacher --scope "$teacher" --password-stdin >/dev/null
    echo "$school $teacher $student" >"$dir/ready"
fi
read -r school teacher student <"$dir/ready"
n=$(sqlite3 "file:$db?mode=ro" "SELECT COUNT(*) FROM students")

. "$(dirname "$0")/serve_lib.sh"
serve_start "$slds" "$db" "$dir/serve.err" "$threads"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
principal=$(serve_login principal)
admin=$(serve_login admin)
teacher_cookie=$(serve_login teacher)
# The wrk script of the student routes, which varies the student; its ids
# come first, one file per set: students.lua (the school's students with
# growth results, whom the principal may see) and cold.lua (the state's).
cat >"$dir/walk.lua" <<'LUA'
local n = 0
local requests = {}
-- Every request is formatted once, in each thread's init, so that wrk's own
-- work per request stays small next to the server's.
init = function(args)
  for i, id in ipairs(ids) do requests[i] = wrk.format("GET", (prefix or "/students/") .. id) end
end
setup = function(thread) thread:set("offset", math.random(#ids)) end
request = function()
  n = n + 1
  return requests[((n + (offset or 0)) % #requests) + 1]
end
LUA
python3 - "$db" "$school" "$dir/walk.lua" >"$dir/students.lua" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
ids = [r[0] for r in db.execute("SELECT DISTINCT student_id FROM growth_students"
        " WHERE school_year = 2023 AND school_id = ? ORDER BY 1", (sys.argv[2],))]
print("ids = {%s}" % ",".join('"%s"' % i for i in ids))
print(open(sys.argv[3]).read())
PY
python3 - "$db" "$dir/walk.lua" >"$dir/cold.lua" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
ids = [r[0] for r in db.execute("SELECT DISTINCT student_id FROM growth_students WHERE school_year = 2023 ORDER BY 1")]
ids = random.Random(1).sample(ids, min(300000, len(ids)))
print("ids = {%s}" % ",".join('"%s"' % i for i in ids))
print(open(sys.argv[2]).read())
PY
nstudents=$(grep -o '","' "$dir/students.lua" | wc -l)
rss() { awk '/VmRSS|RssAnon/ {printf "%s %.0f MiB ", $1, $2 / 1024}' /proc/$pid/status; }
echo "state: $n students; school $school, teacher $teacher, student $student; server threads ${threads:-default ($(nproc) processors)}; wrk ${seconds}s per run"
echo "server memory after start: $(rss)"
# name|path|cookie|prefix of the varied student path (empty: the path as is)
routes=("school dashboard API|/api/v1/schools/$school/dashboard|$principal|"
        "school dashboard page|/schools/$school/dashboard|$principal|"
        "teacher class API|/api/v1/teachers/$teacher/class|$teacher_cookie|"
        "teacher class page|/teachers/$teacher/class|$teacher_cookie|"
        "student record API|/api/v1/students/$student|$principal|/api/v1/students/|students"
        "student page|/students/$student|$principal|/students/|students"
        "record API, cold|/api/v1/students/$student|$admin|/api/v1/students/|cold"
        "student page, cold|/students/$student|$admin|/students/|cold")
echo "student routes: $((nstudents + 1)) students of school $school in turn (kept after the first round);"
echo "  cold: $(($(grep -o '","' "$dir/cold.lua" | wc -l) + 1)) students of the whole state, as the admin (each read and rendered)"
for r in "${routes[@]}"; do # warm the report cache, check the status
    IFS='|' read -r name path cookie prefix ids <<<"$r"
    t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: slds_session=$cookie" "$base$path")
    echo "warm-up $name: status/seconds $t"
done
echo "server memory after warm-up: $(rss)"
# CPU the server spends per request (200 requests one after another on one
# kept-alive connection): the cost of a route whatever else the machine is
# doing. CPU time is the sum over the server's threads of the nanoseconds
# on a CPU (/proc/PID/task/*/schedstat; user + system, to the nanosecond).
cpu_ns() { cat /proc/$pid/task/*/schedstat | awk '{t += $1} END {printf "%.0f", t}'; }
for r in "${routes[@]}"; do
    IFS='|' read -r name path cookie prefix ids <<<"$r"
    [ "$ids" = cold ] && continue # one student 200 times: a kept answer after the first
    urls=()
    for _ in $(seq 1 200); do urls+=("$base$path"); done
    t0=$(cpu_ns)
    curl -s -H "Cookie: slds_session=$cookie" "${urls[@]}" >/dev/null
    t1=$(cpu_ns)
    echo "cpu per request, $name: $(awk -v t=$((t1 - t0)) 'BEGIN {printf "%.3f", t / 1e6 / 200}') ms"
done
printf '%-22s %5s %10s %9s %9s %9s %12s %12s %s\n' route conns req/s p50 p99 max cpu/request wrk-cpu/req errors
for c in 50 200; do
    for r in "${routes[@]}"; do
        IFS='|' read -r name path cookie prefix ids <<<"$r"
        script=()
        if [ -n "$prefix" ]; then
            sed "s|^ids = |prefix = \"$prefix\"\nids = |" "$dir/$ids.lua" >"$dir/route.lua"
            script=(-s "$dir/route.lua")
        fi
        t0=$(cpu_ns)
        out=$(/usr/bin/time -f 'wrk-cpu %U %S' -o "$dir/wrk.time" \
              wrk -t2 -c"$c" -d"${seconds}s" --timeout 30s --latency "${script[@]}" -H "Cookie: slds_session=$cookie" "$base$path")
        t1=$(cpu_ns)
        p50=$(awk '/^ +50%/ {print $2}' <<<"$out")
        p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
        max=$(awk '/^ +Latency/ {print $4}' <<<"$out")
        rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
        reqs=$(awk '/requests in/ {print $1}' <<<"$out")
        errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
        cpu=$(awk -v t=$((t1 - t0)) -v n="${reqs:-0}" 'BEGIN {if (n > 0) printf "%.3f ms", t / 1e6 / n; else print "-"}')
        wcpu=$(awk -v n="${reqs:-0}" '/^wrk-cpu/ {if (n > 0) printf "%.3f ms", ($2 + $3) * 1000 / n}' "$dir/wrk.time")
        printf '%-22s %5s %10s %9s %9s %9s %12s %12s %s\n' "$name" "$c" "$rps" "$p50" "$p99" "$max" "$cpu" "${wcpu:--}" "${errs:-0}"
    done
    echo "server memory after the runs at $c connections: $(rss)"
done
echo "server memory after the runs: $(rss)"
