#!/usr/bin/env bash
# A first load (into a database that does not exist yet) is built in a
# staging file beside it with no journal and appears at its path whole, or
# not at all (docs/store.md, "A new database"):
#  - killed with SIGKILL at random moments, it leaves no database (or, when
#    the kill came after it finished, the whole load), and the next load
#    removes the dead load's staging file and lands whole;
#  - a reader during a first load finds no database at once (never waits);
#  - a first load that fails (a broken file) leaves no database;
#  - of two first loads into one path at once, one lands and the other
#    stops with a message, leaving the first's database as it was.
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd sqlite3
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1
kills=${SLDS_CRASH_KILLS:-8}
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$slds" synth "$tmp/a" --students 3000 --years 3 --seed 11 >/dev/null || { echo "synth failed"; exit 1; }
start=$(date +%s%N)
"$slds" load "$tmp/probe.db" "$tmp/a" --rejects "$tmp/r.csv" >/dev/null 2>&1 || { echo "probe load failed"; exit 1; }
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(sqlite3 "$tmp/probe.db" "PRAGMA integrity_check")" = ok ] || bad "the probe load's database fails integrity_check"
[ "$(sqlite3 "$tmp/probe.db" "PRAGMA journal_mode")" = delete ] || bad "a first load left its database in $(sqlite3 "$tmp/probe.db" "PRAGMA journal_mode") mode"
ls "$tmp" | grep -q "slds-new\|-wal\|-shm\|-journal" && bad "the probe load left $(ls "$tmp" | tr '\n' ' ')"
echo "an uninterrupted first load takes ${duration_ms} ms"

# Everything but the ids' key and the load's time: two first loads make
# different keys, so the statewide ids differ; the rows and counts must not.
content() {
    sqlite3 "$1" "SELECT count(*) FROM students; SELECT count(*) FROM enrollments; SELECT count(*) FROM assessments;
                  SELECT sum(scale_score) FROM assessments; SELECT count(*) FROM item_responses;
                  SELECT rows_read, rows_loaded, rows_rejected FROM loads;" 2>&1
}
expected=$(content "$tmp/probe.db")

killed=0
i=0
while [ "$killed" -lt "$kills" ] && [ "$i" -lt $((kills * 3)) ]; do
    i=$((i + 1))
    rm -f "$tmp/db"
    delay_ms=$(( (RANDOM * 32768 + RANDOM) % (duration_ms * 9 / 10 + 1) ))
    "$slds" load "$tmp/db" "$tmp/a" --rejects "$tmp/r.csv" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
    wait "$pid" 2>/dev/null
    status=$?
    if [ -e "$tmp/db" ]; then
        # It had finished, or was killed after its database was in place: whole.
        [ "$(sqlite3 "$tmp/db" "PRAGMA integrity_check")" = ok ] || bad "kill $i at ${delay_ms} ms: integrity_check fails"
        [ "$(content "$tmp/db")" = "$expected" ] || bad "kill $i at ${delay_ms} ms (status $status): a partial database is in place"
        echo "ok: kill $i at ${delay_ms} ms: the load had landed whole"
    else
        echo "ok: kill $i at ${delay_ms} ms: no database"
    fi
done
[ "$killed" -ge "$kills" ] || bad "only $killed loads were killed mid-way"

# The next first load removes what the killed ones left and lands whole.
rm -f "$tmp/db"
"$slds" load "$tmp/db" "$tmp/a" --rejects "$tmp/r.csv" >/dev/null 2>&1 || bad "a load after the kills failed"
[ "$(content "$tmp/db")" = "$expected" ] || bad "a load after the kills differs from the probe load"
left=$(ls "$tmp" | grep "slds-new" | tr '\n' ' ')
[ -z "$left" ] || bad "staging files of killed loads were left: $left"
[ $fail -eq 0 ] && echo "ok: killed first loads leave no database; the next one lands whole and cleans up"

# A reader during a first load: no database yet, at once.
"$slds" synth "$tmp/big" --students 12000 --years 3 --seed 9 >/dev/null || { echo "synth failed"; exit 1; }
rm -f "$tmp/db"
"$slds" load "$tmp/db" "$tmp/big" --rejects "$tmp/r.csv" >/dev/null 2>&1 &
load=$!
for _ in $(seq 100); do
    ls "$tmp" | grep -q "db.slds-new" && break
    sleep 0.05
done
start=$(date +%s%N)
"$slds" student "$tmp/db" 1000000001 >/dev/null 2>"$tmp/err"
status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -0 $load 2>/dev/null && still=1 || still=0
echo "a reader during a first load: exit $status in ${ms} ms ($(cat "$tmp/err")); load still running: $still"
[ $status -eq 1 ] && grep -q "no such database" "$tmp/err" || bad "a reader during a first load: expected 'no such database'"
[ $ms -lt 5000 ] || bad "a reader waited for a first load (${ms} ms)"

# A second first load into the same path while the first runs: one of them
# lands, the other says so and changes nothing.
"$slds" load "$tmp/db" "$tmp/a" --rejects "$tmp/r2.csv" >"$tmp/out2" 2>"$tmp/err2"
second=$?
wait $load
first=$?
echo "two first loads at once: the big one exited $first, the small one $second ($(tail -1 "$tmp/err2"))"
if [ $first -eq 0 ] && [ $second -eq 0 ]; then
    bad "both first loads claim to have landed in one database"
elif [ $first -eq 0 ]; then
    grep -q "another process created this database" "$tmp/err2" || bad "the losing load's message: $(cat "$tmp/err2")"
    [ "$(sqlite3 "$tmp/db" "SELECT count(*) > 12000 FROM students")" = 1 ] || bad "the big load's database is not in place"
elif [ $second -eq 0 ]; then
    [ "$(content "$tmp/db")" = "$expected" ] || bad "the small load's database is not whole"
else
    bad "neither first load landed"
fi
ls "$tmp" | grep -q "slds-new" && bad "staging files left: $(ls "$tmp" | grep slds-new | tr '\n' ' ')"

# A first load that fails leaves no database.
mkdir "$tmp/broken"
cp "$tmp/a/leas.csv" "$tmp/a/schools.csv" "$tmp/broken/"
printf 'student_id,sex\n"1000,F\n' >"$tmp/broken/students.csv"
rm -f "$tmp/db2"
"$slds" load "$tmp/db2" "$tmp/broken" --rejects "$tmp/r3.csv" >/dev/null 2>"$tmp/err3" && bad "a broken first load succeeded"
[ -e "$tmp/db2" ] && bad "a failed first load left a database"
ls "$tmp" | grep -q "db2.slds-new" && bad "a failed first load left its staging file"
grep -q "database is unchanged" "$tmp/err3" || bad "a failed first load's message: $(cat "$tmp/err3")"
[ $fail -eq 0 ] && echo "ok: readers, two loads at once, a failed first load"
exit $fail
