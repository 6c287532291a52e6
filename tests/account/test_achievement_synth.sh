#!/usr/bin/env bash
# test_achievement_synth.sh - the achievement report on a synthetic state
# agrees with the generator's truth (truth/summary.json): for every subject
# and grade, the state's tested students summed over the years equal the
# truth's count and the proficient share matches it to its 4 decimals; the
# not-tested counts by reason equal the truth's; and at every level the
# schools add up to their district and the districts to the state.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
synth_load 1500 3 3
for y in 2021 2022 2023; do
    "$slds" report "$tmp/db" achievement --year $y --subgroup all --format csv | sed '/^$/,$d' >"$tmp/a$y.csv" ||
        fail "report $y"
done
python3 - "$tmp/c/truth/summary.json" "$tmp"/a20*.csv <<'PY' || fail "truth"
import csv, json, sys
from collections import defaultdict
truth = json.load(open(sys.argv[1]))
tested, prof = defaultdict(int), defaultdict(int)
reasons = defaultdict(int)
kids = defaultdict(lambda: defaultdict(int))
for path in sys.argv[2:]:
    for r in csv.DictReader(open(path)):
        key = (r["subject"], r["grade"])
        if r["level"] == "state":
            if r["grade"] != "all":
                tested[key] += int(r["tested"]); prof[key] += int(r["proficient"])
            else:
                for k in ("absent", "medical", "parent_refusal", "exempt_el", "other"):
                    reasons[k.upper()] += int(r["not_tested_" + k])
        # additivity: schools -> district -> state
        parent = r["parent_id"] if r["level"] != "state" else None
        if parent:
            kids[(r["school_year"], r["subject"], r["grade"], r["level"], parent)]["students"] += int(r["students"])
rows = {}
for path in sys.argv[2:]:
    for r in csv.DictReader(open(path)):
        rows[(r["school_year"], r["subject"], r["grade"], r["level"], r["group_id"])] = r
for (y, s, g, level, parent), k in kids.items():
    up = "lea" if level == "school" else "state"
    assert int(rows[(y, s, g, up, parent)]["students"]) >= k["students"], (y, s, g, level, parent)
    if level == "school":  # every student with a school counts in its district
        assert int(rows[(y, s, g, up, parent)]["students"]) == k["students"], (y, s, g, parent)
n = 0
for subject, grades in truth["state_scores"].items():
    for grade, t in grades.items():
        key = (subject, grade)
        assert tested[key] == t["tested"], (key, tested[key], t["tested"])
        assert abs(prof[key] / tested[key] - t["proficient_share"]) < 0.00005 + 1e-12, (key, prof[key], tested[key], t)
        n += 1
assert n >= 14, n
want = truth["testing"]["state_tests_not_tested"]
for k, v in want.items():
    assert reasons[k] == v, (k, reasons[k], v)
assert reasons["OTHER"] == 0
assert sum(tested.values()) == truth["testing"]["state_tests_scored"]
PY
echo ok
