#!/usr/bin/env bash
# slds ingest: a bad header (or no header, or rows of another file) is an
# error naming the stream, line 1 and the column, before the database is
# opened (so it is not created); the kind of rows is recognised from the
# header; usage errors exit 2.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../require.sh"
require_cmd sqlite3
slds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1 TMPDIR="$tmp"
fail=0

# expect STATUS MESSAGE INPUT ARGS...: slds ingest $tmp/x.db - ARGS < INPUT
expect() {
    local want=$1 msg=$2 input=$3
    shift 3
    printf '%b' "$input" | "$slds" ingest "$tmp/x.db" - "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ $got -ne "$want" ] || ! grep -qF -- "$msg" "$tmp/err"; then
        echo "FAIL: input '$input' $*: exit $got (want $want), stderr: $(cat "$tmp/err") (want: $msg)"
        fail=1
    elif [ -e "$tmp/x.db" ]; then
        echo "FAIL: input '$input' $*: the database was created"
        fail=1
    else
        echo "ok: $(head -1 "$tmp/err")"
    fi
}
expect 1 "stdin: line 1: column 'school_year' of assessments.csv is missing from the header" \
    'student_id,subject,test_date,scale_score\n1,MATH,2024-01-01,300\n'
expect 1 "stdin: line 1: column 'standard_id' of item_responses.csv is missing from the header" \
    'student_id,response_time,item_id,correct\n'
expect 1 "stdin: line 1, column 5: column 'item_id' appears twice" \
    'student_id,response_time,item_id,standard_id,item_id,correct\n'
expect 1 "stdin: line 1, column 1: the header (lea_id, lea_name) names no column of assessments.csv or item_responses.csv" \
    'lea_id,lea_name\nL1,One\n'
expect 1 "stdin: line 1: the stream is empty" ''
expect 1 "feed-7: line 1: column 'school_year' of assessments.csv is missing" \
    'student_id,response_time,item_id,standard_id,correct\n' --file assessments.csv --source feed-7
expect 2 "--file expects assessments.csv or item_responses.csv, not 'students.csv'" \
    'student_id\n' --file students.csv
expect 2 "--batch-rows expects a whole number above 0" 'x\n' --batch-rows 0
expect 2 "--batch-seconds expects a number of seconds above 0" 'x\n' --batch-seconds abc

# A file that does not exist: named, nothing created.
"$slds" ingest "$tmp/x.db" "$tmp/none.csv" 2>"$tmp/err" >/dev/null
[ $? -eq 1 ] && grep -qF "$tmp/none.csv: cannot open" "$tmp/err" && [ ! -e "$tmp/x.db" ] &&
    echo "ok: a missing input is named" || { echo "FAIL: missing input: $(cat "$tmp/err")"; fail=1; }

# A good header with unknown columns: recognised, the extra column ignored and
# reported; a header-only stream loads nothing and succeeds.
printf 'student_id,response_time,item_id,standard_id,correct,device\n' |
    "$slds" ingest "$tmp/y.db" - --format csv >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 0 ] && grep -q '^item_responses.csv,stdin,0,0,0,0,0,0,' "$tmp/out" ||
    { echo "FAIL: header-only stream: exit $status, $(cat "$tmp/out" "$tmp/err")"; fail=1; }
[ $fail -eq 0 ] && echo "ok: a header-only item_responses stream: recognised, nothing loaded"
printf 'student_id,response_time,item_id,standard_id,correct,device\n' |
    "$slds" ingest "$tmp/y.db" - >"$tmp/out" 2>"$tmp/err"
# (extra columns are reported by the loader per batch: none here, no batch)
# A file-level fault in a later batch (a NUL byte on line 5): the batches
# before it stay committed; the message names the stream's line.
printf 'student_id,response_time,item_id,standard_id,correct\n1,2024-01-01T10:00,I1,S1,1\n1,2024-01-01T10:01,I2,S1,1\n1,2024-01-01T10:02,I3,S1,1\n1,2024-01-01T10:03,I\0004,S1,1\n' |
    "$slds" ingest "$tmp/z.db" - --batch-rows 2 >/dev/null 2>"$tmp/err"
status=$?
if [ $status -eq 1 ] && grep -qF "batch 2 (lines 4-5) not loaded: stdin: line 5: binary data (NUL byte)" "$tmp/err" &&
    [ "$(sqlite3 "$tmp/z.db" "SELECT sum(rows_read) FROM loads WHERE source_dir = 'stdin'" 2>/dev/null)" = 2 ]; then
    echo "ok: a NUL byte on line 5 stops the ingest there, the batch of lines 2-3 committed"
else
    echo "FAIL: NUL byte in batch 2: exit $status, $(cat "$tmp/err")"
    fail=1
fi
ls "$tmp" | grep -q '^slds-ingest-' && { echo "FAIL: a temporary folder was left behind"; fail=1; }
exit $fail
