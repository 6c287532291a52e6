#!/usr/bin/env bash
# test_report_all.sh - `slds report DB --all --year Y` on the hand-built
# collection tests/data/achievement: every report of the list has a row (ok,
# or its own error when its data is not loaded), each file written under
# --out is byte for byte what `slds report DB NAME` prints (public and not,
# one thread and two: the shared achievement cube changes nothing), and the
# usage errors.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data="$src/tests/data/achievement"
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load
for threads in 1 2; do
    for public in "" "--public"; do
        out="$tmp/out$threads$public"
        mkdir -p "$out"
        # shellcheck disable=SC2086
        "$slds" report "$tmp/db" --all --year 2024 --threads $threads $public --format csv --out "$out" \
            >"$tmp/table" 2>"$tmp/err" || fail "--all (threads $threads $public): $(cat "$tmp/err")"
        for name in achievement competes lowest-achieving performance-measures equity graduation college \
            funding preparation growth-aggregates; do
            grep -q "^$name " "$tmp/table" || fail "no row for $name"
        done
        grep -q "^achievement .* ok$" "$tmp/table" || fail "achievement not ok: $(cat "$tmp/table")"
        grep -q "^equity .*no educator of 2024 has a rating" "$tmp/table" || fail "equity's own error"
        grep -q "^total " "$tmp/table" || fail "no total"
        for f in "$out"/*.csv; do
            name=$(basename "$f" .csv)
            case $name in
                competes) args="" ;;
                college) args="--year 2023" ;;
                *) args="--year 2024" ;;
            esac
            # shellcheck disable=SC2086
            "$slds" report "$tmp/db" "$name" $args $public --format csv 2>/dev/null | cmp -s - "$f" ||
                fail "$name (threads $threads $public) differs from its own run"
        done
        [ -s "$out/achievement.csv" ] && [ -s "$out/performance-measures.csv" ] || fail "files missing"
    done
done
"$slds" report "$tmp/db" --all >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "--all without --year: exit 2"
"$slds" report "$tmp/db" --all --year 2024 --subject MATH >/dev/null 2>&1; [ $? -eq 2 ] || fail "--all with a report parameter"
"$slds" report "$tmp/db" achievement --year 2024 --out "$tmp" >/dev/null 2>&1; [ $? -eq 2 ] || fail "--out without --all"
echo ok
