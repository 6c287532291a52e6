#!/usr/bin/env bash
# Crash test of invariant 1 (a load is one transaction): a load into a
# database that already holds a state is killed with SIGKILL at 20+ random
# moments; after each kill the database must pass PRAGMA integrity_check and
# hold exactly what it held before (same SHA3 of its content), or, when the
# kill came after the commit, exactly what an uninterrupted load leaves.
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd sqlite3
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kills=${SLDS_CRASH_KILLS:-20}

"$slds" synth "$tmp/a" --students 3000 --years 3 --seed 11 >/dev/null || { echo "synth failed"; exit 1; }
"$slds" synth "$tmp/b" --students 6000 --years 4 --seed 12 --dirty 0.01 >/dev/null || { echo "synth failed"; exit 1; }
"$slds" load "$tmp/db" "$tmp/a" --rejects "$tmp/r.csv" >/dev/null 2>&1 || { echo "first load failed"; exit 1; }
before=$(sqlite3 "$tmp/db" .sha3sum)
cp "$tmp/db" "$tmp/first.db"

# How long does the second load take? Kill points are spread over that time.
cp "$tmp/db" "$tmp/probe.db"
start=$(date +%s%N)
"$slds" load "$tmp/probe.db" "$tmp/b" --rejects "$tmp/r.csv" >/dev/null 2>&1 || { echo "probe load failed"; exit 1; }
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "an uninterrupted load takes ${duration_ms} ms; killing until $kills loads were killed mid-way"

sha3_without_time() {
    cp "$1" "$tmp/cmp.db"
    # (the times of the load and of its change history are the only things allowed to differ)
    sqlite3 "$tmp/cmp.db" "UPDATE loads SET loaded_at = ''; UPDATE row_history SET changed_at = ''" &&
        sqlite3 "$tmp/cmp.db" .sha3sum
}

fail=0
killed=0
i=0
while [ "$killed" -lt "$kills" ] && [ "$i" -lt $((kills * 4)) ]; do
    i=$((i + 1))
    delay_ms=$(( (RANDOM * 32768 + RANDOM) % (duration_ms * 9 / 10 + 1) ))
    "$slds" load "$tmp/db" "$tmp/b" --rejects "$tmp/r.csv" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
    wait "$pid" 2>/dev/null
    status=$?
    check=$(sqlite3 "$tmp/db" "PRAGMA integrity_check")
    after=$(sqlite3 "$tmp/db" .sha3sum)
    if [ "$check" != "ok" ]; then
        echo "FAIL kill $i at ${delay_ms} ms: integrity_check says: $check"; fail=1
    elif [ "$status" -eq 0 ]; then
        # The load finished before the kill: it must have landed whole.
        # (the load history's timestamp is the only thing allowed to differ)
        [ "$(sha3_without_time "$tmp/db")" = "$(sha3_without_time "$tmp/probe.db")" ] ||
            { echo "FAIL kill $i: finished load differs from the probe load"; fail=1; }
        echo "kill $i at ${delay_ms} ms: the load had already finished; restoring"
        # This load took less than delay_ms: the probe's time was inflated
        # (a busy machine), so later kill points come from the shorter time.
        [ "$delay_ms" -lt "$duration_ms" ] && duration_ms=$delay_ms
        # Start over from the first state (the same file: the same id generator key).
        rm -f "$tmp/db-journal" "$tmp/db-wal" "$tmp/db-shm"; cp "$tmp/first.db" "$tmp/db"
    elif [ "$after" != "$before" ]; then
        # Killed after its commit (writing rejects.csv, or exiting): it must
        # have landed whole, equal to the uninterrupted load.
        if [ "$(sha3_without_time "$tmp/db")" = "$(sha3_without_time "$tmp/probe.db")" ]; then
            echo "ok: kill $i at ${delay_ms} ms: killed after its commit; landed whole; restoring"
        else
            echo "FAIL kill $i at ${delay_ms} ms: database changed by a killed load"; fail=1
        fi
        rm -f "$tmp/db-journal" "$tmp/db-wal" "$tmp/db-shm"; cp "$tmp/first.db" "$tmp/db"
    else
        echo "ok: kill $i at ${delay_ms} ms: unchanged, integrity ok"
    fi
done
echo "$killed loads killed mid-way"

# And a load left to finish lands whole: equal to the uninterrupted probe load.
"$slds" load "$tmp/db" "$tmp/b" --rejects "$tmp/r.csv" >/dev/null 2>&1 || { echo "FAIL: final load failed"; fail=1; }
if [ "$(sha3_without_time "$tmp/db")" = "$(sha3_without_time "$tmp/probe.db")" ]; then
    echo "ok: a load left to finish equals the uninterrupted one"
else
    echo "FAIL: a finished load differs from the uninterrupted one"; fail=1
fi
[ "$killed" -ge 20 ] || { echo "FAIL: fewer than 20 loads were killed mid-way"; fail=1; }
exit $fail
