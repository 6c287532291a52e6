#!/usr/bin/env bash
# test_account_truth.sh - on a synthetic state (2000 students, 5 years), the
# accountability reports agree exactly with the generator's truth.
# `slds report graduation` finds exactly the generator's graduation truth
# (truth/summary.json "graduation"): for every cohort that could finish, the
# adjusted cohort, regular graduates, removed transfers, dropouts (DROPOUT or
# EXPELLED), other completers, and the rates of all, econ disadvantaged and
# other students (invariants G1-G7 of src/account/graduation.c).
# `slds report college`, summed over the five classes, finds the truth's
# graduates, enrollees, 4-year and remedial shares (truth "postsecondary").
. "${BASH_SOURCE[0]%/*}/../lib.sh"
synth_load 2000 5 11
for y in 2024 2025; do
    "$slds" report "$tmp/db" graduation --year $y --level state --format json >"$tmp/g$y.json" || fail "report $y"
done
for y in 2021 2022 2023 2024 2025; do
    "$slds" report "$tmp/db" college --year $y --level state --subgroup all --format csv | tail -1 >>"$tmp/college.csv" ||
        fail "college $y"
done
python3 - "$tmp" <<'PY' || fail "college differs from the generator's truth"
import csv, json, sys
d = sys.argv[1]
truth = json.load(open(d + "/c/truth/summary.json"))["postsecondary"]
cols = "level,group_id,subgroup,graduation_year,graduates,enrolled,rate,enrolled_2yr,rate_2yr,enrolled_4yr".split(",")
rows = list(csv.reader(open(d + "/college.csv")))
g = sum(int(r[4]) for r in rows); e = sum(int(r[5]) for r in rows)
e4 = sum(int(r[9]) for r in rows); rem = sum(int(r[11]) for r in rows)
assert (g, e) == (truth["graduates"], truth["graduates_enrolled"]), (g, e, truth)
assert round(e4 / e, 4) == truth["four_year_share"], (e4, e, truth)
assert round(rem / e, 4) == truth["remedial_share"], (rem, e, truth)
print("college: graduates", g, "enrolled", e, "ok")
PY
python3 - "$tmp" <<'PY' || fail "graduation differs from the generator's truth"
import json, sys
d = sys.argv[1]
truth = json.load(open(d + "/c/truth/summary.json"))["graduation"]["cohorts"]
assert [c["on_time_school_year"] for c in truth] == [2024, 2025], truth
for c in truth:
    rep = json.load(open(f"{d}/g{c['on_time_school_year']}.json"))
    rows = {r["subgroup"]: r for r in rep["graduation"]}
    a = rows["all"]
    got = (a["cohort_year"], a["adjusted_cohort"], a["graduates"], a["removed"], a["dropouts"],
           a["other_completers"])
    want = (c["cohort_year"], c["adjusted_cohort"], c["graduated_regular"], c["removed_transfers_out"],
            c["dropped_out"], c["completed_other"])
    assert got == want, (got, want)
    assert round(a["graduates"] / a["adjusted_cohort"], 4) == c["rate"], (a, c)
    for sg, key in (("econ_disadvantaged", "rate_econ_disadvantaged"),
                    ("not_econ_disadvantaged", "rate_not_econ_disadvantaged")):
        r = rows[sg]
        assert round(r["graduates"] / r["adjusted_cohort"], 4) == c[key], (sg, r, c)
    trend = {t["graduation_year"]: t for t in rep["graduation_trend"]}
    t = trend[c["on_time_school_year"]]
    assert (t["adjusted_cohort"], t["graduates"]) == want[1:3], (t, c)
    print(c["on_time_school_year"], "cohort", want[1], "graduates", want[2], "rate", c["rate"], "ok")
PY

# Every level adds up to the state (G7, C1): schools to districts to the state.
"$slds" report "$tmp/db" graduation --year 2024 --subgroup all --format csv | sed '/^$/,$d' >"$tmp/gl.csv" || fail "graduation levels"
"$slds" report "$tmp/db" college --year 2024 --subgroup all --format csv >"$tmp/cl.csv" || fail "college levels"
python3 - "$tmp/gl.csv" "$tmp/cl.csv" "$tmp/c/schools.csv" <<'PY' || fail "levels do not add up"
import csv, sys
from collections import defaultdict
lea_of = {r["school_id"]: r["lea_id"] for r in csv.DictReader(open(sys.argv[3]))}
for path, cols in ((sys.argv[1], ["adjusted_cohort", "graduates", "removed", "dropouts"]),
                   (sys.argv[2], ["graduates", "enrolled", "enrolled_4yr", "remedial"])):
    rows = list(csv.DictReader(open(path)))
    for col in cols:
        lea, state = defaultdict(int), 0
        for r in rows:
            if r["level"] == "school":
                lea[lea_of[r["group_id"]]] += int(r[col])
        for r in rows:
            if r["level"] == "lea":
                assert lea[r["group_id"]] == int(r[col]), (path, col, r)
                state += int(r[col])
        st = [r for r in rows if r["level"] == "state"][0]
        assert state == int(st[col]), (path, col, state, st)
print("levels add up")
PY
echo ok
