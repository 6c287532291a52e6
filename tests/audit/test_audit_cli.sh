#!/usr/bin/env bash
# test_audit_cli.sh - `slds audit` end to end: help, usage errors, a missing
# database, and the three formats over the golden collection tests/data/tiny
# loaded with `slds load` (JSON must parse and hold 12 elements and a score
# of 2 points per supported element; no name or birth date in any output).
# Usage: bash tests/audit/test_audit_cli.sh path/to/slds
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3

"$slds" audit --help >"$tmp/help" || fail "audit --help exits non-zero"
grep -q "usage: slds audit DB" "$tmp/help" || fail "audit --help prints no usage"
grep -q -- "--examples" "$tmp/help" || fail "audit --help does not list --examples"

"$slds" audit 2>"$tmp/err"
[ $? -eq 2 ] || fail "audit without DB: expected exit 2"
"$slds" audit "$tmp/x.db" --format xml 2>"$tmp/err"
[ $? -eq 2 ] || fail "audit --format xml: expected exit 2"
"$slds" audit "$tmp/x.db" --examples -3 2>"$tmp/err"
[ $? -eq 2 ] || fail "audit --examples -3: expected exit 2"
"$slds" audit "$tmp/missing.db" 2>"$tmp/err"
[ $? -eq 1 ] || fail "audit of a missing database: expected exit 1"
grep -q "missing.db" "$tmp/err" || fail "missing database: message does not name the file"
[ ! -e "$tmp/missing.db" ] || fail "audit created the missing database"

"$slds" load "$tmp/t.db" "$src/tests/data/tiny" >/dev/null 2>&1 || fail "slds load of tests/data/tiny"

"$slds" audit "$tmp/t.db" --format json >"$tmp/a.json" || fail "audit --format json"
python3 - "$tmp/a.json" <<'PY' || fail "audit JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"findings", "elements", "c1_score", "c1_max"}, d.keys()
assert d["c1_max"] == 24
assert [e["element"] for e in d["elements"]] == list(range(1, 13))
assert d["c1_score"] == 2 * sum(e["supported"] for e in d["elements"])
assert d["elements"][4]["supported"], "element 5 (the audit) must hold after a load"
cats = {f["category"] for f in d["findings"]}
assert {"validity", "completeness", "consistency"} <= cats, cats
for f in d["findings"]:
    assert 0 <= f["count"] <= f["total"] or f["category"] == "validity", f
    assert f["scope"] in ("state", "district", "no_district")
    assert (f["district"] is not None) == (f["scope"] == "district")
PY

score=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["c1_score"])' "$tmp/a.json")
"$slds" audit "$tmp/t.db" >"$tmp/a.txt" || fail "audit (table)"
grep -q "(C)(1) score: $score of 24 points" "$tmp/a.txt" || fail "table output lacks the score line"
grep -q "^Validity" "$tmp/a.txt" || fail "table output lacks the validity section"

"$slds" audit "$tmp/t.db" --format csv --examples 1 >"$tmp/a.csv" || fail "audit --format csv"
head -1 "$tmp/a.csv" | grep -q "^category,table,scope,district,check,count,total,rate,examples,description$" ||
    fail "csv header"
python3 - "$tmp/a.csv" <<'PY' || fail "csv content"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
blank = rows.index([])
assert rows[blank + 1] == ["element", "name", "supported", "evidence"], rows[blank + 1]
assert len(rows) - blank - 2 == 13  # 12 elements and the score
for r in rows[1:blank]:
    assert len(r[8].split()) <= 1 or r[0] == "validity", r  # --examples 1
PY

# The students.csv of tiny holds names and birth dates: none may leak.
for f in "$tmp/a.json" "$tmp/a.txt" "$tmp/a.csv"; do
    if grep -q -e "García" -e "Okafor" -e "2013-04-02" "$f"; then fail "$f shows a name or birth date"; fi
done
echo "ok"
