#!/usr/bin/env bash
# slds ingest moves mastery as item responses land: a state's responses are
# streamed in two parts; after a mastery fit on the first, the second part's
# ingest updates the stored P(mastery) and response counts of every student
# and standard it touches (online, without a refit), and the counts equal
# the responses stored.
set -u
slds=$1
. "$SLDS_SOURCE_DIR/tests/require.sh"
require_cmd sqlite3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$slds" synth "$tmp/c" --students 800 --years 2 --seed 3 >/dev/null 2>&1 || { echo "synth failed"; exit 1; }
mv "$tmp/c/item_responses.csv" "$tmp/ir.csv"
"$slds" load "$tmp/db" "$tmp/c" >/dev/null 2>&1 || { echo "FAIL: load"; exit 1; }
n=$(wc -l <"$tmp/ir.csv"); k=$((n * 8 / 10))
head -n "$k" "$tmp/ir.csv" >"$tmp/a.csv"
{ head -1 "$tmp/ir.csv"; tail -n +$((k + 1)) "$tmp/ir.csv"; } >"$tmp/b.csv"
fail=0
"$slds" ingest "$tmp/db" - <"$tmp/a.csv" >/dev/null || { echo "FAIL: ingest a"; exit 1; }
"$slds" mastery fit "$tmp/db" >/dev/null 2>&1 || { echo "FAIL: fit"; exit 1; }
sqlite3 "$tmp/db" "SELECT student_id, standard_id, p_mastery, responses FROM mastery_state ORDER BY 1, 2" >"$tmp/before"
out=$("$slds" ingest "$tmp/db" - --format csv <"$tmp/b.csv") || { echo "FAIL: ingest b"; exit 1; }
updates=$(echo "$out" | tail -1 | awk -F, '{print $13}')
[ "$updates" = $((n - k)) ] || { echo "FAIL: $updates mastery updates for $((n - k)) responses"; fail=1; }
# Every (student, standard) of part b changed, and counts equal the stored responses.
stale=$(sqlite3 "$tmp/db" "
  SELECT count(*) FROM mastery_state m
  WHERE m.responses <> (SELECT count(*) FROM item_responses r
                        WHERE r.student_id = m.student_id AND r.standard_id = m.standard_id)")
[ "$stale" = 0 ] || { echo "FAIL: $stale mastery states disagree with the stored responses"; fail=1; }
sqlite3 "$tmp/db" "SELECT student_id, standard_id, p_mastery, responses FROM mastery_state ORDER BY 1, 2" >"$tmp/after"
moved=$(diff "$tmp/before" "$tmp/after" | grep -c '^>')
# the pairs of part b whose standard has fitted parameters (the update leaves others alone)
sqlite3 "$tmp/db" "SELECT standard_id FROM mastery_params" | sort -u >"$tmp/fitted"
touched=$(tail -n +2 "$tmp/b.csv" | awk -F, 'NR == FNR { f[$1] = 1; next } ($4 in f) { print $1 "," $4 }' "$tmp/fitted" - | sort -u | wc -l)
[ "$moved" -eq "$touched" ] || { echo "FAIL: $moved states moved, part b touched $touched"; fail=1; }
[ "$moved" -gt 0 ] || { echo "FAIL: nothing moved"; fail=1; }
[ "$fail" = 0 ] && echo "ok: $updates responses ingested moved $moved mastery states online"
exit $fail
