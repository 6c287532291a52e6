#!/usr/bin/env bash
# test_growth_options.sh - each `slds growth` subcommand rejects, with a usage
# error (exit 2) naming the option, the options of the others that it would
# silently ignore; and still accepts its own (checked up to opening DB).
. "${BASH_SOURCE[0]%/*}/../lib.sh"
check_rejected() { # SUBCOMMAND OPTION VALUE
    "$slds" growth "$1" "$tmp/none.db" "$2" "$3" >/dev/null 2>"$tmp/err"
    [ $? -eq 2 ] || fail "growth $1 $2: expected exit 2"
    grep -q -- "option '$2' is not an option of growth $1" "$tmp/err" || fail "growth $1 $2: $(cat "$tmp/err")"
}
check_rejected show --threads 2
check_rejected show --level school
check_rejected show --config x.json
check_rejected show --student 1
check_rejected aggregates --threads 2
check_rejected aggregates --output x
check_rejected run --level school
check_rejected run --student 1
check_rejected report --year 2024
check_rejected report --subject MATH
check_rejected report --threads 2
# their own options pass the parser: the failure is the missing database (exit 1)
"$slds" growth show "$tmp/none.db" --year 2024 --subject MATH --format csv >/dev/null 2>&1
[ $? -eq 1 ] || fail "growth show with its own options: expected exit 1 (no database)"
"$slds" growth aggregates "$tmp/none.db" --year 2024 --level school >/dev/null 2>&1
[ $? -eq 1 ] || fail "growth aggregates with its own options: expected exit 1 (no database)"
# growth baseline: the same rule, and its own usage errors
check_baseline() { # EXPECTED-MESSAGE ARGS...
    local want=$1
    shift
    "$slds" growth baseline "$@" >/dev/null 2>"$tmp/err"
    [ $? -eq 2 ] || fail "growth baseline $*: expected exit 2"
    grep -q -- "$want" "$tmp/err" || fail "growth baseline $*: $(cat "$tmp/err")"
}
check_baseline "option '--years' is not an option of growth baseline list" list "$tmp/none.db" --years 2019-2020
check_baseline "option '--output' is not an option of growth baseline fit" fit "$tmp/none.db" --output x
check_baseline "option '--config' is not an option of growth baseline import" import "$tmp/none.db" f.json --config x
check_baseline "--years '2020'" fit "$tmp/none.db" --name b --years 2020
check_baseline "--years '2021-2020'" fit "$tmp/none.db" --name b --years 2021-2020
check_baseline "--years '2019,2018'" fit "$tmp/none.db" --name b --years 2019,2018
check_baseline "--name is required" fit "$tmp/none.db" --years 2019-2021
check_baseline "--years is required" fit "$tmp/none.db" --name b
check_baseline "expected DB and FILE" import "$tmp/none.db"
check_baseline "unknown command 'fits'" fits "$tmp/none.db"
"$slds" growth baseline fit --help | grep -q -- "--max-order K" || fail "growth baseline fit --help"
"$slds" growth run --help | grep -q -- "--baseline NAME" || fail "growth run --help names --baseline"
"$slds" growth baseline list "$tmp/none.db" >/dev/null 2>&1
[ $? -eq 1 ] || fail "growth baseline list: expected exit 1 (no database)"
echo ok
