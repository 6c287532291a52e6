#!/usr/bin/env bash
# fuller.sh SLDS DB COLLECTION YEAR - the fuller model's variants against the
# synthetic truth (not a test): for each variant, `slds educators run
# --min-students 0 --min-fte 0` and the correlation of vam_estimate with
# truth/teacher_year_effects.csv (teachers with >= 10 students, and every
# teacher), next to the lme4 preset. The CSEM table is written from the
# generator's own measurement error (truth/params.json: sem_ela, sem_math:
# one constant CSEM per subject, as the synthetic tests have).
# Variants: lme4; full (reliability 0.9); full with the true reliability;
# full with the CSEM; + class means; + school means; + both; and each on the
# rows with a prior only (--config FILE with "model": "full" is not needed:
# the options are on the command line).
set -eu
slds=$(readlink -f "$1") db=$2 coll=$3 year=$4
here=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SLDS_NO_PROGRESS=1
python3 - "$coll/truth/params.json" "$work/csem.csv" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["model"]
with open(sys.argv[2], "w") as f:
    f.write("GRADE,CONTENT_AREA,SCALE_SCORE,SCALE_SCORE_CSEM\n")
    for g in range(3, 11):
        for subj, key in (("ELA", "sem_ela"), ("MATH", "sem_math")):
            for score in (0, 1000):
                f.write("%d,%s,%d,%g\n" % (g, subj, score, m[key]))
PY
variant() { # LABEL ARGS...
  local label=$1; shift
  "$slds" educators run "$db" --year "$year" --min-students 10 --min-fte 0 --no-outcomes "$@" >"$work/run.txt"
  python3 - "$db" "$coll/truth/teacher_year_effects.csv" "$year" "$label" "$(grep -o '[0-9]* student x teacher links' "$work/run.txt" | cut -d' ' -f1)" <<'PY'
import csv, math, sqlite3, sys
con = sqlite3.connect(sys.argv[1]); year = int(sys.argv[3])
def corr(x, y):
    n = len(x); mx = sum(x) / n; my = sum(y) / n
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / math.sqrt(
        sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
truth = {(r["staff_id"], r["subject"]): float(r["true_effect"])
         for r in csv.DictReader(open(sys.argv[2])) if int(r["school_year"]) == year}
rows = con.execute("SELECT staff_id, subject, vam_estimate, n_students FROM educator_results WHERE school_year = ?"
                   " AND role = 'TEACHER' AND subject != '' AND vam_estimate IS NOT NULL", (year,)).fetchall()
# the same teachers for every variant: those the lme4 preset estimates from
# >= 10 students with a prior (written by the first variant)
import os
same_path = sys.argv[1] + ".lme4_teachers"
if sys.argv[4] == "lme4":
    with open(same_path, "w") as f:
        for t, su, e, n in rows:
            if n >= 10:
                f.write("%s,%s\n" % (t, su))
same = {tuple(l.strip().split(",")) for l in open(same_path)}
out = []
for s in sorted({r[1] for r in rows}):
    sel = [(truth[(t, su)], e) for t, su, e, n in rows if su == s and (t, su) in truth and (t, su) in same]
    out.append("%s same %.3f (%d)" % (s, corr([a for a, _ in sel], [b for _, b in sel]), len(sel)))
    for minn in (10, 1):
        sel = [(truth[(t, su)], e) for t, su, e, n in rows if su == s and (t, su) in truth and n >= minn]
        out.append("%s>=%d %.3f (%d)" % (s, minn, corr([a for a, _ in sel], [b for _, b in sel]), len(sel)))
print("%-34s %8s links  %s" % (sys.argv[4], sys.argv[5], "  ".join(out)))
PY
}
rel=$(python3 -c "
import json, sqlite3
m = json.load(open('$coll/truth/params.json'))['model']
con = sqlite3.connect('$db')
# the prior year's score variance within grade, ELA: reliability = 1 - sem^2 / var
v = con.execute(\"SELECT avg(v) FROM (SELECT avg(scale_score * scale_score) - avg(scale_score) * avg(scale_score) AS v FROM assessments WHERE school_year = $year - 1 AND subject = 'ELA' AND test_type = 'STATE' AND scale_score IS NOT NULL GROUP BY grade_tested)\").fetchone()[0]
print('%.3f' % (1 - m['sem_ela'] ** 2 / v))")
echo "# $db $year; ELA reliability of a prior from the truth's SEM: $rel"
variant "lme4" --config lme4
variant "full, equal weights (before)" --config full --no-pattern-weights
variant "full (reliability 0.9)" --config full
printf '{"model": "full", "reliability": %s, "measures": [{"name": "g", "source": "mean_sgp", "weight": 100, "linear": {"from": [1, 99], "to": [1, 4]}}], "categories": [{"label": "A", "from": 1, "to": 2, "bounds": "[)"}, {"label": "B", "from": 2, "to": 3, "bounds": "[)"}, {"label": "C", "from": 3, "to": 3.5, "bounds": "[)"}, {"label": "D", "from": 3.5, "to": 4, "bounds": "[]"}]}' "$rel" >"$work/rel.json"

variant "full + CSEM" --config full --csem "$work/csem.csv"

variant "full + CSEM + school means" --config full --csem "$work/csem.csv" --school-means

variant "full, prior required + CSEM" --config full --prior-required --csem "$work/csem.csv"
variant "  + class means" --config full --prior-required --csem "$work/csem.csv" --class-means
variant "  + school means" --config full --prior-required --csem "$work/csem.csv" --school-means
variant "  + class + school means" --config full --prior-required --csem "$work/csem.csv" --class-means --school-means
