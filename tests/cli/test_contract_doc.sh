#!/usr/bin/env bash
# docs/contract.md embeds `slds contract --format markdown`: they must agree,
# so the documented contract is the one the loader enforces.
set -u
slds=$1
doc=${SLDS_SOURCE_DIR:?}/docs/contract.md
expected=$(sed -n '/<!-- BEGIN GENERATED/,/<!-- END GENERATED/p' "$doc" | sed '1d;$d')
actual=$("$slds" contract --format markdown)
if [ "$expected" != "$actual" ]; then
    diff <(echo "$expected") <(echo "$actual")
    echo "FAIL: docs/contract.md is out of date: regenerate its GENERATED part"
    exit 1
fi
"$slds" contract enrollments.csv --format csv | grep -q '^enrollments.csv,exit_code,' || { echo "FAIL: contract csv"; exit 1; }
"$slds" contract nosuch.csv >/dev/null 2>&1 && { echo "FAIL: unknown file accepted"; exit 1; }
echo "ok: docs/contract.md matches the contract the loader enforces"
