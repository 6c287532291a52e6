#!/usr/bin/env python3
"""resample.py - the state-sized cohort of bench (b) as a collection folder:
the SGP package's READING students with grades 3, 4, 5 in 2023, 2024, 2025,
resampled with replacement to N students (new ids), every score jittered by
U(-0.5, 0.5), as the engine's bench_sgp (b) does; plus the same cohort as
STATE_CSV (columns SS5, SS4, SS3) for bench/sgp/r_baseline.R, so that R fits
identical data.

Usage: resample.py LONG.csv.gz OUT_DIR STATE_CSV [--n N] [--seed S]"""
import argparse
import csv
import gzip
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("long")
ap.add_argument("out")
ap.add_argument("state_csv")
ap.add_argument("--n", type=int, default=100000)
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()

want = {("2022_2023", "3"): 3, ("2023_2024", "4"): 4, ("2024_2025", "5"): 5}
scores = {}
with gzip.open(a.long, "rt") as f:
    for r in csv.DictReader(f):
        g = want.get((r["YEAR"], r["GRADE"]))
        if g and r["VALID_CASE"] == "VALID_CASE" and r["CONTENT_AREA"] == "READING" and r["SCALE_SCORE"]:
            scores.setdefault(r["ID"], {})[g] = float(r["SCALE_SCORE"])
pool = sorted(i for i, s in scores.items() if len(s) == 3)
rng = random.Random(a.seed)
os.makedirs(a.out, exist_ok=True)


def writer(name, header):
    f = open(os.path.join(a.out, name), "w", newline="")
    w = csv.writer(f)
    w.writerow(header)
    return f, w


files = []
fl, wl = writer("leas.csv", ["lea_id", "lea_name", "children_in_poverty", "children_served", "title1_allocation"])
wl.writerow(["L1", "Resampled", "", "", ""])
fs, ws = writer("schools.csv", ["school_id", "lea_id", "school_name", "school_level", "title1", "title1_status", "charter"])
ws.writerow(["S1", "L1", "Resampled", "ELEMENTARY", "N", "NONE", "N"])
fst, wst = writer("students.csv", ["lea_id", "local_student_id", "first_name", "last_name", "birth_date", "sex", "student_id"])
fe, we = writer("enrollments.csv", ["student_id", "school_id", "school_year", "grade_level", "entry_date", "exit_date", "exit_code"])
fa, wa = writer("assessments.csv", ["student_id", "school_year", "subject", "grade_tested", "test_type", "test_name",
                                    "test_date", "scale_score", "performance_level", "not_tested_reason"])
with open(a.state_csv, "w", newline="") as fc:
    wc = csv.writer(fc)
    wc.writerow(["SS5", "SS4", "SS3"])
    for k in range(a.n):
        s = scores[pool[rng.randrange(len(pool))]]
        j = {g: s[g] + rng.uniform(-0.5, 0.5) for g in (3, 4, 5)}
        sid = "%010d" % (2000000000 + k)
        wst.writerow(["L1", sid, "", "", "", "F" if k % 2 else "M", sid])
        for g, year in ((3, 2023), (4, 2024), (5, 2025)):
            we.writerow([sid, "S1", year, "%02d" % g, "%d-08-20" % (year - 1), "%d-06-05" % year, "PROMOTED"])
            wa.writerow([sid, year, "READING", "%02d" % g, "STATE", "STATE_READING", "%d-04-15" % year,
                         "%.17g" % j[g], "", ""])
        wc.writerow(["%.17g" % j[5], "%.17g" % j[4], "%.17g" % j[3]])
for f in (fl, fs, fst, fe, fa):
    f.close()
print("%d students resampled from %d with READING 3 -> 4 -> 5" % (a.n, len(pool)))
