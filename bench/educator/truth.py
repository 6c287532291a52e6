#!/usr/bin/env python3
"""truth.py DB TRUTH.csv YEAR [lme4.csv | --ratings] - stored estimates
against the synthetic state's true teacher effects: correlation of the
shrunken (vam_estimate) and unshrunken (vam_raw) estimates, and lme4's when
given, for teachers with >= 1 and >= 10 students; with --ratings, the share
of the true bottom / top 10% (per subject, averaged over subjects for the
combined row) rated in the lowest / highest category."""
import csv, math, sqlite3, sys

con = sqlite3.connect(sys.argv[1]); year = int(sys.argv[3])
extra = sys.argv[4] if len(sys.argv) > 4 else None
def corr(x, y):
    n = len(x); mx = sum(x) / n; my = sum(y) / n
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / math.sqrt(
        sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
truth = {(r["staff_id"], r["subject"]): float(r["true_effect"])
         for r in csv.DictReader(open(sys.argv[2])) if int(r["school_year"]) == year}
if extra == "--ratings":
    rows = con.execute("SELECT staff_id, rating FROM educator_results WHERE school_year = ?"
                       " AND role = 'TEACHER' AND subject = '' AND rating IS NOT NULL AND rating != 'NOT RATED'", (year,)).fetchall()
    cats = [r[0] for r in con.execute("SELECT DISTINCT rating FROM educator_results WHERE school_year = ?"
                                      " AND subject = '' AND rating != 'NOT RATED'", (year,))]
    true_mean = {}
    for (t, s), v in truth.items():
        true_mean.setdefault(t, []).append(v)
    rated = [(sum(true_mean[t]) / len(true_mean[t]), r) for t, r in rows if t in true_mean]
    rated.sort()
    k = max(1, len(rated) // 10)
    low, high = rated[:k], rated[-k:]
    for name, group, want in (("bottom", low, "Ineffective"), ("top", high, "Highly Effective")):
        share = sum(1 for _, r in group if r == want) / len(group)
        print("true %s 10%% (%d rated teachers): %.1f%% rated %s" % (name, len(group), 100 * share, want))
    counts = {}
    for _, r in rated:
        counts[r] = counts.get(r, 0) + 1
    print("ratings: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())))
    sys.exit(0)
lme4 = {}
if extra:
    lme4 = {(r["subject"], r["teacher"]): float(r["blup"]) for r in csv.DictReader(open(extra))}
rows = con.execute("SELECT staff_id, subject, vam_estimate, vam_raw, n_students FROM educator_results"
                   " WHERE school_year = ? AND role = 'TEACHER' AND subject != '' AND vam_estimate IS NOT NULL", (year,)).fetchall()
print("distinct teachers with an estimate: %d" % len({r[0] for r in rows}))
for minn in (1, 10):
    for s in sorted({r[1] for r in rows}):
        sel = [(truth[(t, su)], e, raw, lme4.get((su, t))) for t, su, e, raw, n in rows
               if su == s and (t, su) in truth and n >= minn]
        tr = [a[0] for a in sel]
        line = "%s, teachers with >= %d students: %d; correlation with the true effects: shrunken %.4f, unshrunken %.4f" % (
            s, minn, len(sel), corr(tr, [a[1] for a in sel]), corr(tr, [a[2] for a in sel]))
        if lme4 and all(a[3] is not None for a in sel):
            line += ", lme4 %.4f" % corr(tr, [a[3] for a in sel])
        print(line)
