#!/usr/bin/env bash
# docs/contract.md embeds `slds contract --format markdown` (the files) and
# `slds contract --rules --format markdown` (the loader's rules): they must
# agree, so the documented contract is the one the loader enforces.
set -u
slds=$1
doc=${SLDS_SOURCE_DIR:?}/docs/contract.md
fail=0
check_block() { # marker text, command...
    local marker=$1; shift
    local expected actual
    expected=$(sed -n "/<!-- BEGIN GENERATED: $marker -->/,/<!-- END GENERATED/p" "$doc" | sed '1d;$d')
    actual=$("$@")
    if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
        diff <(echo "$expected") <(echo "$actual")
        echo "FAIL: docs/contract.md is out of date: regenerate its GENERATED part ($marker)"
        fail=1
    fi
}
check_block "slds contract --format markdown" "$slds" contract --format markdown
check_block "slds contract --rules --format markdown" "$slds" contract --rules --format markdown
"$slds" contract enrollments.csv --format csv | grep -q '^enrollments.csv,exit_code,' || { echo "FAIL: contract csv"; fail=1; }
"$slds" contract nosuch.csv >/dev/null 2>&1 && { echo "FAIL: unknown file accepted"; fail=1; }
# The rules as CSV and JSON: every rule once, with a severity, storage rules never warn.
"$slds" contract --rules --format csv | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
ids = [r["rule"] for r in rows]
assert len(ids) == len(set(ids)) and len(ids) >= 30, ids
assert all(r["severity"] in ("reject", "warn") for r in rows)
assert not any(r["storage"] == "yes" and r["severity"] == "warn" for r in rows)
need = {"ENR_EXIT_CODE_MISSING": "warn", "ENR_ENTRY_OUTSIDE_YEAR": "warn", "ENR_OVERLAP": "warn",
        "ENR_GRADE_PROGRESSION": "warn", "ASM_NOT_ENROLLED": "warn", "ROS_NOT_ENROLLED": "warn",
        "ASM_TEST_DATE_OUTSIDE_YEAR": "warn", "KEY_DUPLICATE_IN_FILE": "reject",
        "REF_UNKNOWN_STUDENT": "reject", "VALUE_TYPE": "reject", "ENR_EXIT_BEFORE_ENTRY": "reject"}
got = {r["rule"]: r["severity"] for r in rows}
for k, v in need.items():
    assert got.get(k) == v, (k, got.get(k))
' || { echo "FAIL: contract --rules csv"; fail=1; }
"$slds" contract --rules --format json | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j[0]["rule"]=="ROW_FIELD_COUNT"' ||
    { echo "FAIL: contract --rules json"; fail=1; }
[ $fail -eq 0 ] && echo "ok: docs/contract.md matches the contract and the rules the loader enforces"
exit $fail
