#!/usr/bin/env bash
# test_readonly.sh - readers never write and never wait (docs/store.md):
# `slds student`, `slds audit` and `slds growth show` work on a database file
# that is chmod 444, in a read-only directory, and on a file another tool left
# in WAL mode without its -wal (read-only directory), creating nothing and
# changing no byte; they answer at once while a load holds the write lock; and
# `slds load` / `slds growth run` refuse a foreign or newer database without
# changing a byte of it.
# Permissions do not bind root: run as root, the readers run as user nobody.
# Usage: bash tests/store/test_readonly.sh path/to/slds
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd sqlite3
SLDS=${1:?usage: test_readonly.sh SLDS}
SRC=${SLDS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
export SLDS_NO_PROGRESS=1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

as_reader=()
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || skip "running as root without setpriv"
    as_reader=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

mkdir "$tmp/d"
"$SLDS" load "$tmp/d/t.db" "$SRC/tests/data/tiny" --rejects "$tmp/r0.csv" >/dev/null 2>&1 || { echo "FAIL: load of tiny"; exit 1; }
"$SLDS" growth run "$tmp/d/t.db" --year 2023 >/dev/null 2>&1 || { echo "FAIL: growth run"; exit 1; }
chmod 755 "$tmp/d"; chmod 644 "$tmp/d/t.db"

# Every reader, as the unprivileged user; nothing may appear beside the file
# and the file must keep every byte.
readers() { # label
    local before after
    before=$(sha256sum <"$tmp/d/t.db")
    "${as_reader[@]}" "$SLDS" student "$tmp/d/t.db" 1000000001 >"$tmp/out" 2>"$tmp/err" ||
        bad "$1: slds student: $(cat "$tmp/err")"
    grep -q "Student 1000000001" "$tmp/out" || bad "$1: slds student printed no record"
    "${as_reader[@]}" "$SLDS" audit "$tmp/d/t.db" >/dev/null 2>"$tmp/err" ||
        bad "$1: slds audit: $(cat "$tmp/err")"
    "${as_reader[@]}" "$SLDS" growth show "$tmp/d/t.db" --year 2023 >"$tmp/out" 2>"$tmp/err" ||
        bad "$1: slds growth show: $(cat "$tmp/err")"
    grep -q "1000000001" "$tmp/out" || bad "$1: slds growth show printed no student"
    after=$(sha256sum <"$tmp/d/t.db")
    [ "$before" = "$after" ] || bad "$1: a reader changed the file"
    [ "$(ls "$tmp/d")" = "t.db" ] || bad "$1: a reader left files: $(ls "$tmp/d" | tr '\n' ' ')"
    [ $fail -eq 0 ] && echo "ok: $1"
}

chmod 444 "$tmp/d/t.db"
readers "chmod 444 database"
chmod 644 "$tmp/d/t.db"; chmod 555 "$tmp/d"
readers "read-only directory"
chmod 755 "$tmp/d"
sqlite3 "$tmp/d/t.db" "PRAGMA journal_mode=WAL" >/dev/null
chmod 555 "$tmp/d"
readers "WAL-mode file without its -wal, read-only directory"
chmod 755 "$tmp/d"
sqlite3 "$tmp/d/t.db" "PRAGMA journal_mode=DELETE" >/dev/null

# A reader while a load holds the write lock. The load is big enough to run
# for seconds; a reader that waited for its lock would take the whole load
# (or its 10 s busy timeout).
"$SLDS" synth "$tmp/big" --students 20000 --years 4 --seed 9 >/dev/null || { echo "FAIL: synth"; exit 1; }
"$SLDS" load "$tmp/d/t.db" "$tmp/big" --rejects "$tmp/r.csv" >/dev/null 2>&1 &
load=$!
# Wait until the load holds the write lock (an immediate write transaction
# with no busy timeout is refused) - at most 30 s.
locked=0
for _ in $(seq 300); do
    if ! sqlite3 "$tmp/d/t.db" ".timeout 0" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; then
        locked=1; break
    fi
    kill -0 $load 2>/dev/null || break
    sleep 0.1
done
[ $locked -eq 1 ] || bad "the load never held the write lock (finished too soon?)"
start=$(date +%s%N)
"${as_reader[@]}" "$SLDS" student "$tmp/d/t.db" 1000000001 >"$tmp/out" 2>"$tmp/err" ||
    bad "student during a load: $(cat "$tmp/err")"
student_ms=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N)
"${as_reader[@]}" "$SLDS" audit "$tmp/d/t.db" >/dev/null 2>"$tmp/err" || bad "audit during a load: $(cat "$tmp/err")"
audit_ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -0 $load 2>/dev/null && still=1 || still=0
echo "during the load: slds student took ${student_ms} ms, slds audit ${audit_ms} ms; load still running: $still"
[ $still -eq 1 ] || bad "the load had finished before the readers did: nothing was shown"
[ $student_ms -lt 5000 ] || bad "slds student waited for the load (${student_ms} ms)"
[ $audit_ms -lt 5000 ] || bad "slds audit waited for the load (${audit_ms} ms)"
grep -q "Student 1000000001" "$tmp/out" || bad "student during a load printed no record"
wait $load || bad "the load failed"
[ "$(sqlite3 "$tmp/d/t.db" "SELECT count(*) > 20000 FROM students")" = 1 ] || bad "the load did not land"
ls "$tmp/d" | grep -q -- "-wal\|-shm" && bad "the load left $(ls "$tmp/d" | tr '\n' ' ')"
[ "$(sqlite3 "$tmp/d/t.db" "PRAGMA journal_mode")" = delete ] || bad "a closed writer left the file in WAL mode"
[ $fail -eq 0 ] && echo "ok: readers answer at once during a load"

# Writers refuse a foreign or newer database without changing a byte.
refuse() { # file expected-message
    local before after
    before=$(sha256sum <"$1")
    "$SLDS" load "$1" "$SRC/tests/data/tiny" >/dev/null 2>"$tmp/err"
    [ $? -eq 1 ] || bad "load into $(basename "$1"): expected exit 1"
    grep -q "$2" "$tmp/err" || bad "load into $(basename "$1"): '$(cat "$tmp/err")' lacks '$2'"
    "$SLDS" growth run "$1" --year 2023 >/dev/null 2>"$tmp/err"
    [ $? -eq 1 ] || bad "growth run on $(basename "$1"): expected exit 1"
    grep -q "$2" "$tmp/err" || bad "growth run on $(basename "$1"): '$(cat "$tmp/err")' lacks '$2'"
    "$SLDS" student "$1" 1 >/dev/null 2>"$tmp/err"
    grep -q "$2" "$tmp/err" || bad "student on $(basename "$1"): '$(cat "$tmp/err")' lacks '$2'"
    after=$(sha256sum <"$1")
    [ "$before" = "$after" ] || bad "$(basename "$1") was changed"
}
sqlite3 "$tmp/foreign.db" "CREATE TABLE inventory(item TEXT, qty INTEGER); INSERT INTO inventory VALUES('pens', 4);"
refuse "$tmp/foreign.db" "foreign.db is not an slds database"
[ "$(sqlite3 "$tmp/foreign.db" "SELECT count(*) FROM sqlite_master")" = 1 ] || bad "tables were added to a foreign database"
cp "$tmp/d/t.db" "$tmp/newer.db"
sqlite3 "$tmp/newer.db" "UPDATE meta SET value = '7' WHERE key = 'schema_version.collection'"
refuse "$tmp/newer.db" "newer.db was written by a newer slds (collection schema v7"
printf 'not a database at all\n' >"$tmp/text.db"
refuse "$tmp/text.db" "text.db is not an slds database (not an SQLite file)"
[ $fail -eq 0 ] && echo "ok: foreign and newer databases refused unchanged"
exit $fail
