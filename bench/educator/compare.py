#!/usr/bin/env python3
"""compare.py DB YEAR lme4.csv [fit_seconds] - our stored value-added
estimates (educator_results, run with --min-students 0 --min-fte 0) against
lme4's conditional modes: Pearson correlation, largest absolute difference of
the estimates and of the SEs, per subject; speed ratio when fit_seconds given."""
import csv, math, sqlite3, sys

db, year, ref = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ours_fit = float(sys.argv[4]) if len(sys.argv) > 4 else None
con = sqlite3.connect(db)
ours = {(s, t): (e, se) for s, t, e, se in con.execute(
    "SELECT subject, staff_id, vam_estimate, vam_se FROM educator_results"
    " WHERE school_year = ? AND role = 'TEACHER' AND vam_estimate IS NOT NULL", (year,))}
by = {}
secs = {}
for r in csv.DictReader(open(ref)):
    by.setdefault(r["subject"], []).append((r["teacher"], float(r["blup"]), float(r["se"])))
    secs[r["subject"]] = float(r["seconds"])
ok = True
for s, rows in sorted(by.items()):
    pairs = [(ours[(s, t)], (b, se)) for t, b, se in rows if (s, t) in ours]
    x = [p[0][0] for p in pairs]; y = [p[1][0] for p in pairs]
    n = len(x); mx = sum(x) / n; my = sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    r = sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
    dmax = max(abs(a - b) for a, b in zip(x, y))
    semax = max(abs(p[0][1] - p[1][1]) for p in pairs)
    print("%-12s teachers %d (lme4 %d): correlation %.7f, largest |estimate difference| %.2e,"
          " largest |SE difference| %.2e" % (s, n, len(rows), r, dmax, semax))
    ok &= r >= 0.99 and n == len(rows)
total = sum(secs.values())
print("lme4 lmer() seconds, all subjects: %.3f" % total)
if ours_fit:
    print("slds mixed-model fit seconds: %.3f  -> %.1fx faster" % (ours_fit, total / ours_fit))
sys.exit(0 if ok else 1)
