#!/usr/bin/env bash
# test_growth_options.sh - each `slds growth` subcommand rejects, with a usage
# error (exit 2) naming the option, the options of the others that it would
# silently ignore; and still accepts its own (checked up to opening DB).
set -u
slds=${1:?usage: test_growth_options.sh SLDS}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
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
echo ok
