#!/usr/bin/env bash
# test_golden_outputs.sh - every printing command of `slds`, in every format it
# offers, on a small deterministic state (slds synth, fixed seed) and a copy of
# tests/data/tiny whose names look like spreadsheet formulas, compared byte for
# byte with tests/cli/golden/. What cannot repeat is masked first: load ids,
# seconds, rows/s, peak memory, thread counts, and the one statewide id the
# loader draws at random.
#
# A deliberate change of output: regenerate with
#   SLDS_UPDATE_GOLDEN=1 bash tests/cli/test_golden_outputs.sh build/slds
# and say in the commit message why the goldens changed.
# Usage: bash tests/cli/test_golden_outputs.sh path/to/slds
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3 sqlite3
shared=${SLDS_SHARED_DIR:-$src/../shared}
golden=$src/tests/cli/golden
export LC_ALL=C
out=$tmp/out
mkdir -p "$out"

# Masks what differs from run to run (timings, random ids, load ids).
mask() {
    sed -E -e 's/load [0-9a-f]{16}/load LOADID/g' -e 's/"load_id": "[0-9a-f]{16}"/"load_id": "LOADID"/' \
        -e 's/[0-9]+\.[0-9]+ s\b/S s/g' -e 's/\(read [0-9.]+, fit [0-9.]+[^)]*\)/(TIMES)/' \
        -e 's/[0-9]+ rows\/s/N rows\/s/' -e 's/[0-9]+ students\/s/N students\/s/' -e 's/peak [0-9]+ MiB/peak N MiB/' \
        -e 's/on [0-9]+ threads/on N threads/' \
        -e 's/"(seconds[a-z_]*|peak_mib)": [0-9.e+-]+/"\1": 0/' -e 's/"threads": [0-9]+/"threads": 0/'
}
# run NAME ARGS...: stdout of slds ARGS into out/NAME, masked.
run() {
    local name=$1
    shift
    "$slds" "$@" >"$tmp/raw" 2>"$tmp/err" || { cat "$tmp/err"; fail "slds $*"; }
    mask <"$tmp/raw" | sed "s#$tmp#TMP#g" >"$out/$name"
}
# The seconds column of growth run's cohort table (table and CSV) is a timing.
mask_seconds_column() {
    python3 - "$1" <<'PY'
import csv, io, sys
p = sys.argv[1]
text = open(p).read()
if text.startswith("subject,"):
    rows = list(csv.reader(io.StringIO(text)))
    k = rows[0].index("seconds")
    for r in rows[1:]:
        if len(r) > k:
            r[k] = "S"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    text = out.getvalue()
else:
    lines = text.split("\n")
    start = lines[0].index("seconds")
    end = start + len(lines[1][start:].split("  ")[0])
    for i in range(2, len(lines)):
        if not lines[i].strip():
            break
        lines[i] = lines[i][:start] + "S".rjust(end - start) + lines[i][end:]
    text = "\n".join(lines)
open(p, "w").write(text)
PY
}

# --- a small synthetic state, fixed seed
"$slds" synth "$tmp/c" --students 300 --years 3 --seed 7 --dirty 0.02 >/dev/null 2>&1 || fail "synth"
for f in table csv json; do run "synth.$f" synth "$tmp/s_$f" --students 300 --years 3 --seed 7 --dirty 0.02 --format $f; done
for f in table csv json; do run "load.$f" load "$tmp/db_$f" "$tmp/c" --format $f --rejects "$tmp/rej_$f.csv"; done
db=$tmp/db_table
# the one student without a statewide id in students.csv gets a random one: name it
drawn=$(sqlite3 "$db" "SELECT student_id FROM student_identity WHERE id_source = 'ASSIGNED' LIMIT 1" 2>/dev/null || true)

for f in table csv json; do run "audit.$f" audit "$db" --format $f --examples 2; done
student_formats="table json"
"$slds" student --help | grep -q "table|csv|json" && student_formats="table csv json"
sid=$(head -2 "$tmp/c/enrollments.csv" | tail -1 | cut -d, -f1)
for f in $student_formats; do run "student.$f" student "$db" "$sid" --format $f; done

# the generator's growth config (truth/growth_config.json), with fewer priors
# and projection years for smaller goldens
python3 - "$tmp/c/truth/growth_config.json" "$tmp/config.json" <<'PY' || fail "growth config"
import json, sys
c = json.load(open(sys.argv[1]))
c["options"].update(max_order=2, projection_years=2)
json.dump(c, open(sys.argv[2], "w"))
PY
year=$(sqlite3 "$db" "SELECT max(school_year) FROM assessments")
for f in table csv json; do
    run "growth_run.$f" growth run "$db" --year "$year" --config "$tmp/config.json" --threads 1 --format $f
done
mask_seconds_column "$out/growth_run.table"
mask_seconds_column "$out/growth_run.csv"
subject=$(sqlite3 "$db" "SELECT min(subject) FROM assessments WHERE test_type = 'STATE'")
school=$(sqlite3 "$db" "SELECT min(school_id) FROM schools")
for f in table csv json; do
    run "growth_show.$f" growth show "$db" --year "$year" --subject "$subject" --format $f
    run "growth_aggregates.$f" growth aggregates "$db" --year "$year" --level school --format $f
done
run growth_aggregates_all.csv growth aggregates "$db" --year "$year" --subject "$subject" --format csv
gsid=$(sqlite3 "$db" "SELECT student_id FROM growth_students WHERE sgp IS NOT NULL ORDER BY student_id LIMIT 1")
for f in table csv json html; do run "growth_report.$f" growth report "$db" --student "$gsid" --format $f; done

for f in table csv json markdown; do run "contract.$f" contract students.csv --format $f; done

# --- names that look like formulas (and a control character) reach every output
cp -r "$src/tests/data/tiny" "$tmp/inj"
python3 - "$tmp/inj" <<'PY'
import sys
d = sys.argv[1]
p = d + "/schools.csv"
s = open(p).read()
s = s.replace("North Elementary", "=HYPERLINK(\"http://x.example\";\"North\")")
s = s.replace("North Middle", "@SUM(1+1)")
open(p, "w").write(s)
p = d + "/leas.csv"
s = open(p).read().replace("North District", "+North District").replace("South District", "-South District")
open(p, "w").write(s)
PY
"$slds" load "$tmp/inj.db" "$tmp/inj" --rejects "$tmp/inj_rejects.csv" >/dev/null 2>&1 || fail "load of the formula-named collection"
for f in $student_formats; do run "inj_student.$f" student "$tmp/inj.db" 1000000001 --format $f; done
# (no examples: the ids the loader draws for the students without one are random)
for f in table csv json; do run "inj_audit.$f" audit "$tmp/inj.db" --format $f --examples 0; done

# --- convert: the SGP package's LONG layout (a slice)
long=$shared/data/sgp/sgpData_LONG.csv.gz
if [ -f "$long" ]; then
    zcat "$long" | head -301 >"$tmp/long.csv"
    for f in table csv json; do run "convert.$f" convert sgp-long "$tmp/long.csv" "$tmp/conv_$f" --format $f; done
    unseen=""
else
    unseen="$long not found: the convert goldens were not compared"
fi

if [ -n "$drawn" ]; then
    for f in "$out"/*; do sed -i "s/$drawn/DRAWNID/g" "$f"; done
fi

if [ "${SLDS_UPDATE_GOLDEN:-}" = 1 ]; then
    rm -rf "$golden"
    mkdir -p "$golden"
    cp "$out"/* "$golden"/
    echo "updated $(ls "$golden" | wc -l) golden files in $golden"
    exit 0
fi
status=0
for g in "$golden"/*; do
    n=$(basename "$g")
    if [ -n "$unseen" ] && [[ $n == convert.* ]]; then continue; fi
    if [ ! -f "$out/$n" ]; then echo "FAIL: $n not produced"; status=1; continue; fi
    if ! cmp -s "$g" "$out/$n"; then
        echo "FAIL: $n differs from its golden file:"
        diff -u "$g" "$out/$n" | head -40
        status=1
    fi
done
for o in "$out"/*; do
    [ -f "$golden/$(basename "$o")" ] || { echo "FAIL: $(basename "$o") has no golden file"; status=1; }
done
[ $status = 0 ] && echo "ok: $(ls "$out" | wc -l) outputs identical to tests/cli/golden"
[ $status = 0 ] && [ -n "$unseen" ] && skip "$unseen (the other outputs are identical)"
exit $status
