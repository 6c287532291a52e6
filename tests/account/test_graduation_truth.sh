#!/usr/bin/env bash
# test_graduation_truth.sh - on a synthetic state (2000 students, 5 years),
# `slds report graduation` finds exactly the generator's graduation truth
# (truth/summary.json "graduation"): for every cohort that could finish, the
# adjusted cohort, regular graduates, removed transfers, dropouts (DROPOUT or
# EXPELLED), other completers, and the rates of all, econ disadvantaged and
# other students (invariants G1-G7 of src/account/graduation.c).
set -u
slds=${1:?usage: test_graduation_truth.sh SLDS}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1
fail() { echo "FAIL: $*"; exit 1; }
"$slds" synth "$tmp/c" --students 2000 --years 5 --seed 11 >/dev/null 2>&1 || fail synth
"$slds" load "$tmp/db" "$tmp/c" >/dev/null 2>&1 || fail load
for y in 2024 2025; do
    "$slds" report "$tmp/db" graduation --year $y --level state --format json >"$tmp/g$y.json" || fail "report $y"
done
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
echo ok
