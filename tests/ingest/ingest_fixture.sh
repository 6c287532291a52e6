# ingest_fixture.sh - sourced by tests/ingest/test_ingest_*.sh: a small
# synthetic state loaded without its results and responses (base.db), an
# assessments.csv with rows that must be rejected (a bad score, an unknown
# student, a test name spanning two lines, a blank line), and ref.db: base.db
# plus a plain `slds load` of those two files, which every ingest must equal.
. "$(dirname "${BASH_SOURCE[0]}")/../require.sh"
require_cmd sqlite3 python3
slds=$1
here=$(dirname "${BASH_SOURCE[0]}")
scenario() { python3 "$here/ingest_scenarios.py" "$1" "$slds" "$tmp"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1
# batch folders of a killed ingest are left in TMPDIR: keep them in ours
export TMPDIR="$tmp/t"
mkdir "$TMPDIR"
"$slds" synth "$tmp/c" --students 400 --years 2 --seed 11 >/dev/null 2>&1 || { echo "synth failed"; exit 1; }
mkdir "$tmp/base" "$tmp/stream"
for f in "$tmp"/c/*.csv; do
    case "$f" in */assessments.csv|*/item_responses.csv) ;; *) cp "$f" "$tmp/base/";; esac
done
python3 - "$tmp/c/assessments.csv" "$tmp/stream/assessments.csv" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
def edit(n, col, value):
    f = lines[n - 1].split(","); f[col] = value; lines[n - 1] = ",".join(f)
edit(40, 7, "abc")                    # VALUE_TYPE on line 40
edit(900, 0, "9999999999")            # REF_UNKNOWN_STUDENT on line 900
edit(1500, 5, '"TWO\nLINES"')         # one row on lines 1500-1501: VALUE_CONTROL_CHAR
lines.insert(2100, "")                # a blank line: no row
open(sys.argv[2], "w").write("\n".join(lines))
PY
cp "$tmp/c/item_responses.csv" "$tmp/stream/item_responses.csv"
"$slds" load "$tmp/base.db" "$tmp/base" >/dev/null 2>&1 || { echo "base load failed"; exit 1; }
cp "$tmp/base.db" "$tmp/ref.db"
"$slds" load "$tmp/ref.db" "$tmp/stream" --rejects "$tmp/ref.rejects.csv" >/dev/null 2>&1 || { echo "reference load failed"; exit 1; }
