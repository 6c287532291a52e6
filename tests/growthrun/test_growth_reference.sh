#!/usr/bin/env bash
# SGPs through the database against the reference: the SGP package's
# demonstration data converted and loaded with the slds tool, `slds growth run
# --year 2025` with the package's DEMO meta-data, and every student of the
# three reference cohorts (shared/data/sgp/sgp_ref_*.csv, computed in R with
# quantreg by sgp_reference.R) compared: SGP and order at least 99% identical,
# none off by more than 1. A reference student without an SGP in the
# database is explained (rejected by the loader, or the reason stored).
# The other 2025 cohorts have no R reference; tests/growthrun/test_growthrun.c
# compares every one of them with the engine fitted on arrays (100%).
# Skipped when shared/ is absent.
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_cmd python3
shared=${SLDS_SHARED_DIR:-}
sgp=$shared/data/sgp
require_file "$sgp/sgpData_LONG.csv.gz" "shared/ is not beside the work tree"
"$slds" convert sgp-long "$sgp/sgpData_LONG.csv.gz" "$tmp/c" \
    --instructors "$sgp/sgpData_INSTRUCTOR_NUMBER.csv.gz" >/dev/null 2>&1 || fail convert
"$slds" load "$tmp/db" "$tmp/c" --rejects "$tmp/rejects.csv" >/dev/null 2>&1 || fail load
"$slds" growth run "$tmp/db" --year 2025 --config "$sgp/SGPstateData_DEMO.json" >"$tmp/run.txt" 2>&1 \
    || { cat "$tmp/run.txt"; fail "growth run"; }
tail -1 "$tmp/run.txt"
python3 - "$tmp/db" "$sgp" <<'PY'
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok &= bool(cond)
for subject, grade in (("READING", 5), ("MATHEMATICS", 5), ("READING", 8)):
    ref = {r["ID"]: (int(r["SGP_br"]), int(r["ORDER_br"]))
           for r in csv.DictReader(open("%s/sgp_ref_%s_2024_2025_g%d.csv" % (sys.argv[2], subject, grade)))}
    db = {sid: (sgp, order, reason) for sid, sgp, order, reason in con.execute(
        "SELECT student_id, sgp, sgp_order, no_sgp_reason FROM growth_students"
        " WHERE school_year = 2025 AND subject = ? AND grade = ?", (subject, grade))}
    same = order_same = compared = worst = 0
    missing = []
    for sid, (r_sgp, r_order) in ref.items():
        got = db.get(sid)
        if not got or got[0] is None:
            missing.append(sid)
            continue
        compared += 1
        same += got[0] == r_sgp
        order_same += got[1] == r_order
        worst = max(worst, abs(got[0] - r_sgp))
    extra = sum(1 for sid, v in db.items() if v[0] is not None and sid not in ref)
    print("%-11s grade %d: %d reference students, %d compared, SGP identical %d (%.2f%%), order identical %d,"
          " largest difference %d, missing %d, SGPs not in the reference %d"
          % (subject, grade, len(ref), compared, same, 100.0 * same / len(ref), order_same, worst,
             len(missing), extra))
    for sid in missing:
        why = con.execute("SELECT file || ' line ' || line || ': ' || reason FROM rejects"
                          " WHERE column_name = 'student_id' AND value = ?", (sid,)).fetchall()
        stored = db.get(sid)
        print("  %s: %s" % (sid, "rejected by the loader: " + "; ".join(w for (w,) in why) if why
                             else "no SGP: " + (stored[2] if stored else "no 2025 score in the database")))
    check(same >= 0.99 * len(ref), "%s grade %d: at least 99%% identical" % (subject, grade))
    check(worst <= 1, "%s grade %d: no SGP off by more than 1" % (subject, grade))
    check(order_same == compared, "%s grade %d: every order identical" % (subject, grade))
    check(extra == 0, "%s grade %d: no SGP for a student the reference has none for" % (subject, grade))
# the whole year: every cohort fitted, every order the priors allow
for subject, grade, priors, orders, n, with_sgp in con.execute(
        "SELECT subject, grade, n_priors, orders_fitted, students, with_sgp FROM growth_cohorts"
        " WHERE school_year = 2025 ORDER BY subject, grade"):
    print("cohort %-11s grade %2d: %d students, %d SGPs, orders %d of %d" % (subject, grade, n, with_sgp, orders, priors))
    check(orders == priors == min(grade - 3, 4), "%s grade %d: orders 1..%d fitted" % (subject, grade, priors))
sys.exit(0 if ok else 1)
PY
