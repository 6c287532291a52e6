#!/usr/bin/env bash
# test_achievement.sh - `slds report DB achievement` on the hand-built
# collection tests/data/achievement (README.md there: how every number was
# computed): the hand-computed figures (a school exactly at the cut, a
# subgroup below N, one not-tested student of each reason, a mover, a retest,
# an interim test ignored, the disadvantaged gap closing from 61.8 to 33.3
# points), the whole output against golden files (full and public), and the
# public form's rules on it (nothing shown below N, no single hidden cell
# along a declared total, ranges only where the bands say).
# Regenerate the golden files with SLDS_UPDATE_GOLDEN=1 and read the diff.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
data="$src/tests/data/achievement"
"$slds" load "$tmp/db" "$data" >/dev/null 2>&1 || fail load

"$slds" report "$tmp/db" achievement --year 2024 --format csv >"$tmp/full.csv" || fail report
"$slds" report "$tmp/db" achievement --year 2024 --public --format csv >"$tmp/public.csv" 2>/dev/null ||
    fail "report --public"
"$slds" report "$tmp/db" achievement --year 2024 --public --min-n 5 --format json >"$tmp/public.json" 2>/dev/null ||
    fail "report --public json"

python3 - "$tmp/full.csv" "$tmp/public.csv" "$tmp/public.json" <<'PY' || fail "figures"
import csv, io, json, sys
def tables(path):
    parts = open(path).read().strip("\n").split("\n\n")
    return [list(csv.DictReader(io.StringIO(p))) for p in parts]
main, gaps, trends = tables(sys.argv[1])
assert list(main[0].keys())[:3] == ["level", "group_id", "subgroup"], main[0].keys()
def row(rows, **k):
    found = [r for r in rows if all(r[a] == v for a, v in k.items())]
    assert len(found) == 1, (k, found)
    return found[0]
def check(r, **k):
    for a, v in k.items():
        assert r[a] == v, (a, r[a], v, r)
s = row(main, level="state", subgroup="all", grade="all")
check(s, students="31", tested="27", proficient="12", proficiency_rate="44.4", participation_rate="87.1",
      not_tested="4", not_tested_absent="1", not_tested_medical="1", not_tested_parent_refusal="1",
      not_tested_exempt_el="1", not_tested_other="0")
check(row(main, level="school", group_id="S1", subgroup="all", grade="all"),
      students="10", tested="9", proficient="4", proficiency_rate="44.4", participation_rate="90.0")
check(row(main, level="school", group_id="S2", subgroup="all", grade="all"),
      students="9", tested="8", proficient="8", proficiency_rate="100.0")
check(row(main, level="school", group_id="S3", subgroup="all", grade="04"),
      students="12", tested="10", proficient="0", proficiency_rate="0.0")
check(row(main, level="lea", group_id="L1", subgroup="all", grade="all"),
      students="19", tested="17", proficient="12", proficiency_rate="70.6")
check(row(main, level="state", subgroup="econ_disadvantaged", grade="all"), students="20", tested="18", proficient="6")
check(row(main, level="state", subgroup="not_econ_disadvantaged", grade="all"), students="11", tested="9", proficient="6")
check(row(main, level="state", subgroup="WHITE", grade="all"), students="14", tested="12", proficient="9")
check(row(main, level="state", subgroup="english_learner", grade="all"), students="2", tested="0", proficiency_rate="")
assert not [r for r in main if r["grade"] == "03"], "no grade 03 results in 2024"
g = [r for r in gaps if r["level"] == "state" and r["subgroup"] == "econ_disadvantaged"]
assert [(r["school_year"], r["gap"]) for r in g] == [("2023", "61.8"), ("2024", "33.3")], g
t = row(trends, level="state", subgroup="econ_disadvantaged")
check(t, first_year="2023", last_year="2024", years="2", first_gap="61.8", last_gap="33.3",
      change="-28.5", slope_per_year="-28.48", trend="closing")

# the public form: what is shown is true; nothing of a group under 10; ranges by the bands
pm, pg, pt = tables(sys.argv[2])
assert len(pm) == len(main)
counts = ["students", "tested", "not_tested", "not_tested_absent", "not_tested_medical",
          "not_tested_parent_refusal", "not_tested_exempt_el", "not_tested_other", "proficient"]
def bottom(d):
    for n, b in ((300, 1), (100, 2), (40, 5), (20, 10), (1, 20)):
        if d >= n:
            return b
for f, p in zip(main, pm):
    for k in f:
        if p[k] == "*" or p[k].startswith(("≤", "≥")) or (p[k].endswith("%") and "-" in p[k]):
            continue
        assert p[k] == f[k], (k, f, p)
    if int(f["students"]) < 10:
        assert all(p[k] == "*" for k in counts), p
    for k in counts:
        if p[k] != "*":
            assert not (0 < int(p[k]) < 10), (k, p)
    for rate, num, den in (("proficiency_rate", "proficient", "tested"),
                           ("participation_rate", "tested", "students")):
        if p[rate] in ("*", ""):
            continue
        d, v = int(f[den]), float(f[rate])
        b = bottom(d)
        zone = v <= b or v >= 100 - b
        if p[rate] == f[rate]:  # exact: both counts shown, outside the zone (I8)
            assert p[num] != "*" and p[den] != "*" and not zone, (rate, f, p)
            continue
        # coded: its numerator hidden, over at least 10 (rules 6 and 7, I9)
        assert p[num] == "*" and d >= 10, (rate, f, p)
        if p[den] != "*" and zone:  # rule 6
            assert p[rate] == ("≤%g%%" % b if v <= b else "≥%g%%" % (100 - b)), p
        elif "-" in p[rate]:        # rule 7: the band's interval
            lo, hi = map(float, p[rate].rstrip("%").split("-"))
            assert lo <= v <= hi and hi - lo == b, (rate, f, p)
        elif p[rate].startswith("≤"):
            assert v <= float(p[rate][1:-1]), p
        else:
            assert v >= float(p[rate][1:-1]), p
pj = json.load(open(sys.argv[3]))
assert pj["achievement"][0]["tested"] is None          # suppressed: null in JSON
assert any(isinstance(r["participation_rate"], str) and r["participation_rate"].startswith("≥")
           for r in pj["achievement"])                  # a range (minimum 5 here): its text in JSON
PY

for f in full public; do
    if [ -n "${SLDS_UPDATE_GOLDEN:-}" ]; then
        cp "$tmp/$f.csv" "$data/expected_$f.csv"
    else
        diff -u "$data/expected_$f.csv" "$tmp/$f.csv" || fail "$f.csv differs from the golden file"
    fi
done

# usage errors
"$slds" report "$tmp/db" achievement --year 2024 --level county >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --level"
"$slds" report "$tmp/db" achievement --year 2024 --subgroup martians >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --subgroup"
"$slds" report "$tmp/db" achievement --year 1999 >/dev/null 2>&1; [ $? -eq 1 ] || fail "a year with no results"
echo ok
