#!/usr/bin/env bash
# test_student_cli.sh - `slds student` end to end over the golden collection
# tests/data/tiny loaded with `slds load`: help, a known student as table and
# JSON (which must parse), an unknown id (exit 1, named in the message), a
# missing database, and no name or birth date in any output.
# Usage: bash tests/record/test_student_cli.sh path/to/slds
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd python3
SLDS=${1:?usage: test_student_cli.sh SLDS}
SRC=${SLDS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

"$SLDS" student --help >"$tmp/help" || fail "student --help exits non-zero"
grep -q "usage: slds student DB STUDENT_ID" "$tmp/help" || fail "student --help prints no usage"
"$SLDS" student "$tmp/t.db" 2>/dev/null
[ $? -eq 2 ] || fail "student without an id: expected exit 2"
"$SLDS" student "$tmp/missing.db" 1 2>"$tmp/err"
[ $? -eq 1 ] || fail "student on a missing database: expected exit 1"

"$SLDS" load "$tmp/t.db" "$SRC/tests/data/tiny" >/dev/null 2>&1 || fail "slds load of tests/data/tiny"
"$SLDS" student "$tmp/t.db" 1000000001 --format html 2>/dev/null
[ $? -eq 2 ] || fail "student --format html: expected exit 2"
"$SLDS" student "$tmp/t.db" 1000000001 --section nothing 2>/dev/null
[ $? -eq 2 ] || fail "student --section nothing: expected exit 2"
"$SLDS" student "$tmp/t.db" 1000000001 --format csv --section enrollments >"$tmp/e.csv" || fail "student --format csv --section enrollments"
head -1 "$tmp/e.csv" | grep -q "^school_year,school_id,school_name,lea_id,lea_name,grade_level,entry_date,exit_date,exit_code$" ||
    fail "student CSV header: $(head -1 "$tmp/e.csv")"
[ "$(wc -l <"$tmp/e.csv")" -eq 4 ] || fail "student CSV: expected a header and 3 enrollments (the overlapping spell is loaded, with a finding)"

# a control character stored in a text column reaches the terminal escaped, never raw
sqlite3 "$tmp/t.db" "UPDATE schools SET school_name = 'North' || char(27) || '[2J' WHERE school_id = 'S1'" ||
    fail "sqlite3 update"
"$SLDS" student "$tmp/t.db" 1000000001 >"$tmp/esc.txt" || fail "student with a control character"
if grep -q $'\x1b' "$tmp/esc.txt"; then fail "a raw ESC reached the table output"; fi
grep -qF 'North\x1B[2J' "$tmp/esc.txt" || fail "the ESC is not shown as \\x1B"

"$SLDS" student "$tmp/t.db" NO_SUCH_ID >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "unknown student: expected exit 1"
grep -q "NO_SUCH_ID" "$tmp/err" || fail "unknown student: message does not name the id"
[ ! -s "$tmp/out" ] || fail "unknown student: printed something on stdout"

"$SLDS" student "$tmp/t.db" 1000000001 --format json >"$tmp/s.json" || fail "student --format json"
python3 - "$tmp/s.json" <<'PY' || fail "student JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["student_id"] == "1000000001"
for k in ("districts", "enrollments", "attributes", "tests", "courses", "attendance",
          "discipline", "postsecondary", "teachers"):
    assert isinstance(d[k], list), k
assert d["enrollments"] and d["enrollments"][0]["school_year"] == 2023, d["enrollments"]
assert any(t["test_type"] == "STATE" for t in d["tests"])
PY

"$SLDS" student "$tmp/t.db" 1000000001 >"$tmp/s.txt" || fail "student (table)"
grep -q "^Student 1000000001" "$tmp/s.txt" || fail "table output lacks the heading"
grep -q "^Enrollments" "$tmp/s.txt" || fail "table output lacks the enrollments section"

for f in "$tmp/s.json" "$tmp/s.txt"; do
    if grep -q -e "García" -e "Ana" -e "2013-04-02" "$f"; then fail "$f shows a name or birth date"; fi
done
echo "ok"
