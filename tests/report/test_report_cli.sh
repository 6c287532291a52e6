#!/usr/bin/env bash
# test_report_cli.sh - `slds report`, the front of the report registry, on a
# small synthetic state: --list names both reports; a report's tables are the
# same rows as the command that prints them (audit, growth aggregates); the
# public form shows no figure of a group under the minimum, leaves no sibling
# set with exactly one suppressed cell in a column, and keeps what is shown
# equal to the full report; parameter errors are usage errors (exit 2).
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3
synth_load 400 3 5
"$slds" growth run "$tmp/db" --year 2023 --threads 1 >/dev/null 2>&1 || fail "growth run"

"$slds" report --list --format csv >"$tmp/list.csv" || fail "--list"
grep -q "^audit," "$tmp/list.csv" || fail "--list lacks audit"
grep -q "^growth-aggregates,year,integer,yes" "$tmp/list.csv" || fail "--list lacks growth-aggregates --year"

"$slds" report "$tmp/db" growth-aggregates --year 2023 --format csv >"$tmp/r.csv" || fail "report growth-aggregates"
"$slds" growth aggregates "$tmp/db" --year 2023 --format csv >"$tmp/g.csv" || fail "growth aggregates"
cmp -s "$tmp/r.csv" "$tmp/g.csv" || fail "report growth-aggregates differs from growth aggregates"
"$slds" report "$tmp/db" audit --examples 1 --format csv >"$tmp/ra.csv" || fail "report audit"
"$slds" audit "$tmp/db" --examples 1 --format csv | sed '/^$/,$d' >"$tmp/a.csv"
sed '/^$/,$d' "$tmp/ra.csv" | cmp -s - "$tmp/a.csv" || fail "report audit findings differ from slds audit"

"$slds" report "$tmp/db" growth-aggregates --year 2023 --public --min-n 10 --format csv >"$tmp/p.csv" 2>"$tmp/p.err" ||
    fail "report --public"
grep -q "cells suppressed" "$tmp/p.err" || fail "--public does not say what it suppressed"
python3 - "$tmp/r.csv" "$tmp/p.csv" <<'PY' || fail "public form"
import csv, sys
from collections import defaultdict
full = list(csv.DictReader(open(sys.argv[1])))
pub = list(csv.DictReader(open(sys.argv[2])))
assert len(full) == len(pub), "rows differ"
figures = ["students", "n_sgp", "median_sgp", "mean_sgp", "n_gain", "n_1_grade", "share_1_grade",
           "n_1_5_grade", "share_1_5_grade"]
counts = ["students", "n_sgp", "n_gain", "n_1_grade", "n_1_5_grade"]
hidden = 0
for f, p in zip(full, pub):
    for k in ("subject", "school_year", "level", "group_id"):
        assert f[k] == p[k], (f, p)
    for k in figures:
        if p[k] == "*":
            hidden += 1
        else:
            assert p[k] == f[k], (k, f, p)  # what is shown is the true figure
    if int(f["students"]) < 10:
        assert all(p[k] == "*" for k in figures), p          # I1
    for k in counts:
        if p[k] != "*" and f[k]:
            v = float(f[k])
            assert not (0 < v < 10), (k, p)                   # I2
sets = defaultdict(list)
for p in pub:
    sets[(p["subject"], p["school_year"], p["level"])].append(p)
for key, rows in sets.items():
    if len(rows) < 2:
        continue
    for k in counts:
        n = sum(r[k] == "*" for r in rows)
        assert n != 1, (key, k)                               # I3
assert hidden > 0, "nothing suppressed: the test state is too large to test anything"
print("public: %d of %d figures suppressed" % (hidden, len(pub) * len(figures)))
PY

"$slds" report "$tmp/db" audit --public >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "audit --public: expected exit 2"
grep -q "not publishable" "$tmp/err" || fail "audit --public: $(cat "$tmp/err")"
"$slds" report "$tmp/db" growth-aggregates >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "missing --year: expected exit 2"
grep -q -- "--year" "$tmp/err" || fail "missing --year not named"
"$slds" report "$tmp/db" growth-aggregates --year 2023 --threads 2 >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "unknown parameter: expected exit 2"
grep -q -- "--threads" "$tmp/err" || fail "unknown parameter not named"
"$slds" report "$tmp/db" nothing >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown report: expected exit 2"
echo ok
