#!/usr/bin/env python3
"""agreement.py - compares `slds growth` SGPs with R's (bench/growth/r_reference_all.R)
per cohort (year x subject x grade) of the SGP demonstration data.

Usage: agreement.py --db DB --slds-dir DIR --r-dir DIR --collection DIR [--years 2022,...]
                    [--details N] [--r-cohorts-only]
       agreement.py --db DB --collection DIR --write-excludes FILE
  --slds-dir  holds show_<Y>.csv (`slds growth show DB --year Y --format csv`)
  --r-dir     holds r_sgp_<Y>.csv and r_sgp_orders_<Y>.csv (r_reference_all.R)
  --collection the folder `slds convert sgp-long` wrote (to map loader rejects, which
              name a file and line, to student-years)
Prints one row per cohort: students with an SGP in R and in slds, in both, identical
SGP share, share within 1, largest absolute difference, order agreement, students with
an SGP in only one of them and why; a total line; then every order compared (the DB's
growth_sgp table against R's per-order SGPs) and the explanations, student by student
(up to --details per kind).
"""
import argparse
import collections
import csv
import sqlite3
import sys


def year_end(y):  # "2024_2025" -> 2025, "2025" -> 2025
    return int(str(y).split("_")[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--slds-dir")
    ap.add_argument("--r-dir")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--years", default="2022,2023,2024,2025")
    ap.add_argument("--details", type=int, default=20)
    ap.add_argument("--write-excludes", metavar="FILE",
                    help="only write the student x subject x year the loader rejected (CSV) and stop")
    ap.add_argument("--r-cohorts-only", action="store_true",
                    help="compare only the cohorts R's files hold (R run with SGP_AFFECTED_ONLY)")
    a = ap.parse_args()
    years = [int(y) for y in a.years.split(",")]
    con = sqlite3.connect(a.db)

    # loader rejects -> student-years (enrollments) and student x year x subject (assessments)
    lines = collections.defaultdict(set)
    reasons = {}
    for f, line, reason in con.execute("SELECT file, line, reason FROM rejects"):
        lines[f].add(line)
        reasons[(f, line)] = reason
    rej_enrol = {}    # (student, year) -> reason
    rej_assess = {}   # (student, year, subject) -> reason
    for f, key in (("enrollments.csv", ("student_id", "school_year")),
                   ("assessments.csv", ("student_id", "school_year", "subject"))):
        want = lines.get(f, set())
        if not want:
            continue
        with open("%s/%s" % (a.collection, f), newline="") as fh:
            # line numbers as the loader counts them: the header is line 1
            for n, row in enumerate(csv.DictReader(fh), start=2):
                if n in want:
                    k = (row["student_id"], int(row["school_year"])) + ((row["subject"],) if len(key) == 3 else ())
                    r = reasons[(f, n)]
                    if f == "enrollments.csv":
                        rej_enrol[k] = r
                    else:
                        rej_assess[k] = r

    if a.write_excludes:  # the assessments the loader rejected, for r_reference_all.R's SGP_EXCLUDE
        with open(a.write_excludes, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(("ID", "CONTENT_AREA", "YEAR"))
            for sid, y, subject in sorted(rej_assess):
                w.writerow((sid, subject, y))
        print("%d rejected assessments written to %s" % (len(rej_assess), a.write_excludes))
        return 0

    def rejected_years(sid, subject, y, grade, order):
        """the rejected student-years among the current year and the `order` priors"""
        out = []
        for k in range(0, order + 1):
            yy, gg = y - k, grade - k
            r = rej_enrol.get((sid, yy)) or rej_assess.get((sid, yy, subject))
            if r:
                out.append("%d (grade %d%s): %s" % (yy, gg, "" if k else ", current", r))
        return out

    hdr = ("year", "subject", "grade", "R", "slds", "both", "identical", "within 1", "max |d|",
           "order =", "only R", "only slds")
    fmt = "%-4s %-11s %5s %6s %6s %6s %9s %8s %7s %8s %6s %9s"
    print(fmt % hdr)
    tot = collections.Counter()
    tot_max = 0
    explain_only_r, explain_only_s, explain_order, explain_diff = [], [], [], []
    order_cmp = collections.Counter()
    for y in years:
        r_rows = {}
        with open("%s/r_sgp_%d.csv" % (a.r_dir, y), newline="") as fh:
            for row in csv.DictReader(fh):
                r_rows[(row["CONTENT_AREA"], int(row["GRADE"]), row["ID"])] = (int(row["SGP"]), int(row["ORDER"]))
        s_rows, s_reason = {}, {}
        with open("%s/show_%d.csv" % (a.slds_dir, y), newline="") as fh:
            for row in csv.DictReader(fh):
                k = (row["subject"], int(row["grade"]), row["student_id"])
                if row["sgp"] != "":
                    s_rows[k] = (int(row["sgp"]), int(row["sgp_order"]))
                else:
                    s_reason[k] = row["no_sgp_reason"]
        cohorts = {k[:2] for k in r_rows}
        if not a.r_cohorts_only:
            cohorts |= {k[:2] for k in s_rows}
        cohorts = sorted(cohorts, key=lambda c: (c[0] != "READING", c[1]))
        for subject, grade in cohorts:
            rk = {k[2] for k in r_rows if k[:2] == (subject, grade)}
            sk = {k[2] for k in s_rows if k[:2] == (subject, grade)}
            both = rk & sk
            same = within = order_same = worst = 0
            for sid in sorted(both):
                (rs, ro), (ss, so) = r_rows[(subject, grade, sid)], s_rows[(subject, grade, sid)]
                d = abs(rs - ss)
                same += d == 0
                within += d <= 1
                worst = max(worst, d)
                order_same += ro == so
                if ro != so:
                    explain_order.append((y, subject, grade, sid, ro, so, rs, ss,
                                          rejected_years(sid, subject, y, grade, max(ro, so))))
                elif d:
                    explain_diff.append((y, subject, grade, sid, ro, rs, ss))
            only_r, only_s = rk - sk, sk - rk
            for sid in sorted(only_r):
                k = (subject, grade, sid)
                why = rejected_years(sid, subject, y, grade, r_rows[k][1])
                explain_only_r.append((y, subject, grade, sid, r_rows[k], s_reason.get(k, "not in growth_students"), why))
            for sid in sorted(only_s):
                explain_only_s.append((y, subject, grade, sid, s_rows[(subject, grade, sid)]))
            n = len(both)
            pct = lambda x: "%.2f%%" % (100.0 * x / n) if n else "-"
            print(fmt % (y, subject, grade, len(rk), len(sk), n, pct(same), pct(within), worst,
                         pct(order_same), len(only_r), len(only_s)))
            tot.update(R=len(rk), S=len(sk), both=n, same=same, within=within, order=order_same,
                       only_r=len(only_r), only_s=len(only_s), cohorts=1)
            tot_max = max(tot_max, worst)

        # every order: R's per-order SGPs against growth_sgp
        r_ord = {}
        with open("%s/r_sgp_orders_%d.csv" % (a.r_dir, y), newline="") as fh:
            for row in csv.DictReader(fh):
                r_ord[(row["CONTENT_AREA"], row["ID"], int(row["ORDER"]))] = int(row["SGP"])
        s_ord = {(subj, sid, o): s for subj, sid, o, s in con.execute(
            "SELECT subject, student_id, sgp_order, sgp FROM growth_sgp WHERE school_year = ?", (y,))}
        if a.r_cohorts_only:
            keep = {(k[0], k[2]) for k in r_rows}
            s_ord = {k: v for k, v in s_ord.items() if (k[0], k[1]) in keep}
        for k in r_ord.keys() & s_ord.keys():
            d = abs(r_ord[k] - s_ord[k])
            order_cmp.update(pairs=1, same=d == 0, within=d <= 1)
            order_cmp["max"] = max(order_cmp["max"], d)
        order_cmp.update(only_r=len(r_ord.keys() - s_ord.keys()), only_s=len(s_ord.keys() - r_ord.keys()))

    n = tot["both"]
    print(fmt % ("all", "%d cohorts" % tot["cohorts"], "", tot["R"], tot["S"], n,
                 "%.2f%%" % (100.0 * tot["same"] / n), "%.2f%%" % (100.0 * tot["within"] / n), tot_max,
                 "%.2f%%" % (100.0 * tot["order"] / n), tot["only_r"], tot["only_s"]))
    print()
    print("every order (R's SGP of each order vs growth_sgp): %d student-orders in both, identical %d (%.2f%%),"
          " within 1 %d, largest difference %d; only in R %d, only in slds %d"
          % (order_cmp["pairs"], order_cmp["same"], 100.0 * order_cmp["same"] / max(1, order_cmp["pairs"]),
             order_cmp["within"], order_cmp["max"], order_cmp["only_r"], order_cmp["only_s"]))

    def show(title, items, line):
        print()
        print("%s: %d" % (title, len(items)))
        for it in items[:a.details]:
            print("  " + line(it))
        if len(items) > a.details:
            print("  ... %d more" % (len(items) - a.details))

    show("SGP in R only", explain_only_r, lambda t: "%d %s g%d student %s: R SGP %d order %d; slds: %s; %s" % (
        t[0], t[1], t[2], t[3], t[4][0], t[4][1], t[5],
        "loader rejected " + "; ".join(t[6]) if t[6] else "no loader reject among its years"))
    show("SGP in slds only", explain_only_s, lambda t: "%d %s g%d student %s: slds SGP %d order %d" % (
        t[0], t[1], t[2], t[3], t[4][0], t[4][1]))
    show("order differs", explain_order, lambda t: "%d %s g%d student %s: R order %d SGP %d, slds order %d SGP %d; %s" % (
        t[0], t[1], t[2], t[3], t[4], t[6], t[5], t[7],
        "loader rejected " + "; ".join(t[8]) if t[8] else "no loader reject among its years"))
    # cohorts whose R fits hold a student-year slds does not have (rejected by the loader)
    touched = {t[:3] for t in explain_only_r} | {t[:3] for t in explain_order if t[8]}
    n_in = sum(1 for t in explain_diff if t[:3] in touched)
    show("same order, SGP differs (%d of them in the %d cohorts where R fitted a student-year the loader"
         " rejected)" % (n_in, len(touched)), explain_diff,
         lambda t: "%d %s g%d student %s: order %d, R %d, slds %d" % t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
