#!/usr/bin/env python3
"""synth_growth_config.py - writes slds's own growth configuration layout
(docs/growth.md) for a synthetic state from the truth `slds synth` wrote
(truth/params.json): the generator's cut scores of every subject and grade,
its four achievement levels (the last two proficient), knots from the data.
Used by the tests (tests/growthrun/test_growth_synth.sh,
tests/cli/test_golden_outputs.sh) and the growth benchmarks (bench/growth).

Usage: synth_growth_config.py PARAMS_JSON OUT_JSON [--max-order K] [--projection-years N]
"""
import argparse
import json

LEVELS = [("Below Basic", False), ("Basic", False), ("Proficient", True), ("Advanced", True)]

ap = argparse.ArgumentParser()
ap.add_argument("params")
ap.add_argument("out")
ap.add_argument("--max-order", type=int)
ap.add_argument("--projection-years", type=int)
a = ap.parse_args()
p = json.load(open(a.params))
options = {}
if a.max_order is not None:
    options["max_order"] = a.max_order
options["knots"] = "data"
if a.projection_years is not None:
    options["projection_years"] = a.projection_years
json.dump({"slds_growth_config": 1,
           "options": options,
           "achievement_levels": [{"label": l, "proficient": pr} for l, pr in LEVELS],
           "subjects": {s: {g: {"cuts": c} for g, c in grades.items()}
                        for s, grades in p["cut_scores"].items()}}, open(a.out, "w"))
