#!/usr/bin/env python3
"""check_collection.py - checks a folder written by `slds synth` against the
data contract (DESIGN.md section 3) and the generator's own promises
(docs/synth.md): exact headers, valid codes and dates, cross-file
references, no overlapping spells, rosters backed by assignments and
enrollments, tests only for enrolled students in their enrolled grade, one
principal per school-year, a prerequisite DAG, and the bad rows of --dirty
exactly where truth/dirty_rows.csv says.

usage: check_collection.py FOLDER        (exit 0 when every check passes)
Only the standard library is used."""
import csv
import datetime
import json
import os
import re
import sys
from collections import defaultdict

HEADERS = {
    "leas.csv": "lea_id,lea_name,children_in_poverty,children_served,title1_allocation",
    "schools.csv": "school_id,lea_id,school_name,school_level,title1,title1_status,charter",
    "students.csv": "lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id",
    "enrollments.csv": "student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code",
    "student_attributes.csv": "student_id,school_year,race_ethnicity,econ_disadvantaged,disability,"
    "english_learner,homeless,foster_care,migrant",
    "staff.csv": "staff_id,lea_id,first_name,last_name,prep_program_id,certification_route,"
    "years_experience,tenured",
    "staff_assignments.csv": "staff_id,school_id,school_year,role,subject_area,fte",
    "rosters.csv": "staff_id,student_id,school_id,school_year,subject,section_id,dosage",
    "assessments.csv": "student_id,school_year,subject,grade_tested,test_type,test_name,test_date,"
    "scale_score,performance_level,not_tested_reason",
    "courses.csv": "student_id,school_id,school_year,term,course_code,subject,credits_attempted,"
    "credits_earned,grade_mark",
    "attendance.csv": "student_id,school_id,school_year,days_enrolled,days_present",
    "discipline.csv": "student_id,school_id,action_date,action,days",
    "postsecondary.csv": "student_id,institution_id,institution_level,enrollment_date,remedial,"
    "credits_earned_first_two_years",
    "observations.csv": "staff_id,school_year,measure,score",
    "prep_programs.csv": "prep_program_id,name,provider,route",
    "standards.csv": "standard_id,subject,grade_level,description,prerequisite_ids",
    "item_responses.csv": "student_id,response_time,item_id,standard_id,correct",
    "finance.csv": "lea_id,school_id,school_year,source,expenditure,pupils",
}
EXIT_CODES = {"PROMOTED", "TRANSFER_IN_STATE", "TRANSFER_OUT_OF_STATE", "TRANSFER_PRIVATE",
              "TRANSFER_HOME_SCHOOL", "EMIGRATED", "DECEASED", "DROPOUT", "GRADUATED_REGULAR",
              "COMPLETED_OTHER", "EXPELLED"}
GRADES = ["PK", "KG"] + ["%02d" % g for g in range(1, 13)]
RACES = {"HISPANIC", "AM_INDIAN", "ASIAN", "BLACK", "PACIFIC_ISLANDER", "WHITE", "TWO_OR_MORE"}
STUDENT_ID = re.compile(r"^1\d{9}$")

failures = []


def fail(msg):
    if len(failures) < 50:
        print("FAIL: " + msg, file=sys.stderr)
    failures.append(msg)


def date(s):
    return datetime.date.fromisoformat(s)


def grade_num(code):
    return GRADES.index(code) - 1


def read(folder, name, bad_lines):
    """Rows of a contract file (dicts with their line numbers), skipping the
    lines truth/dirty_rows.csv lists as bad."""
    path = os.path.join(folder, name)
    with open(path, newline="", encoding="utf-8") as f:
        header = f.readline().rstrip("\n")
        if header != HEADERS[name]:
            fail("%s: header is %r" % (name, header))
        rows = []
        for line_no, row in enumerate(csv.reader(f), start=2):
            if line_no in bad_lines.get(name, ()):
                continue
            cols = HEADERS[name].split(",")
            if len(row) != len(cols):
                fail("%s:%d: %d fields" % (name, line_no, len(row)))
                continue
            d = dict(zip(cols, row))
            d["_line"] = line_no
            rows.append(d)
        return rows


def main(folder):
    with open(os.path.join(folder, "truth", "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(folder, "truth", "params.json")) as f:
        params = json.load(f)
    last_year = params["run"]["last_year"]
    bad_lines = defaultdict(set)
    with open(os.path.join(folder, "truth", "dirty_rows.csv"), newline="") as f:
        for r in csv.DictReader(f):
            bad_lines[r["file"]].add(int(r["line"]))
    for name in HEADERS:
        want = summary["files"][name]["dirty_rows"]
        if len(bad_lines.get(name, ())) != want:
            fail("%s: %d dirty lines listed, summary says %d" % (name, len(bad_lines.get(name, ())), want))
    data = {name: read(folder, name, bad_lines) for name in HEADERS}
    for name, rows in data.items():
        want = summary["files"][name]["rows"] - summary["files"][name]["dirty_rows"]
        if len(rows) != want:
            fail("%s: %d good rows, summary says %d" % (name, len(rows), want))

    leas = {r["lea_id"] for r in data["leas.csv"]}
    schools = {}
    for r in data["schools.csv"]:
        schools[r["school_id"]] = r
        if r["lea_id"] not in leas:
            fail("schools.csv:%d unknown lea" % r["_line"])
        if r["school_level"] not in {"ELEMENTARY", "MIDDLE", "HIGH", "OTHER"}:
            fail("schools.csv:%d level" % r["_line"])
    programs = {r["prep_program_id"] for r in data["prep_programs.csv"]}
    staff = {}
    for r in data["staff.csv"]:
        staff[r["staff_id"]] = r
        if r["prep_program_id"] not in programs or r["lea_id"] not in leas:
            fail("staff.csv:%d reference" % r["_line"])

    # Students: district records, state ids.
    state_ids = set()
    for r in data["students.csv"]:
        date(r["birth_date"])
        if r["lea_id"] not in leas or r["sex"] not in ("M", "F"):
            fail("students.csv:%d" % r["_line"])
        if r["student_id"]:
            if not STUDENT_ID.match(r["student_id"]):
                fail("students.csv:%d id format" % r["_line"])
            state_ids.add(r["student_id"])

    # Enrollments: references, codes, no overlaps, plausible grades.
    spells = defaultdict(list)
    enrolled = defaultdict(dict)  # (student, year) -> {school: grade}
    for r in data["enrollments.csv"]:
        sid, year = r["student_id"], int(r["school_year"])
        if r["school_id"] not in schools or not STUDENT_ID.match(sid):
            fail("enrollments.csv:%d reference" % r["_line"])
        entry = date(r["entry_date"])
        if not (datetime.date(year - 1, 8, 1) <= entry <= datetime.date(year, 6, 30)):
            fail("enrollments.csv:%d entry outside the year" % r["_line"])
        if r["exit_code"]:
            if r["exit_code"] not in EXIT_CODES or not r["exit_date"]:
                fail("enrollments.csv:%d exit" % r["_line"])
            exit_ = date(r["exit_date"])
            if exit_ < entry:
                fail("enrollments.csv:%d exit before entry" % r["_line"])
        else:
            if r["exit_date"] or year != last_year:
                fail("enrollments.csv:%d blank exit code outside the last year" % r["_line"])
            exit_ = datetime.date(year, 6, 30)
        spells[sid].append((entry, exit_, year, grade_num(r["grade_level"]), r))
        enrolled[(sid, year)][r["school_id"]] = r["grade_level"]
    for sid, sp in spells.items():
        sp.sort(key=lambda s: s[0])
        for a, b in zip(sp, sp[1:]):
            if b[0] <= a[1]:
                fail("enrollments: overlapping spells of %s" % sid)
            gap, delta = b[2] - a[2], b[3] - a[3]
            ok = delta in (0, 1) if gap == 0 else -1 <= delta <= gap + 1
            if not ok:
                fail("enrollments: grade jump of %s (%s)" % (sid, [s[3] for s in sp]))
            if gap == 0 and a[4]["exit_code"] != "TRANSFER_IN_STATE":
                fail("enrollments: %s has two spells in %d without a transfer" % (sid, a[2]))
    if state_ids != set(spells):
        missing = len(set(spells) - state_ids)
        fail("students.csv and enrollments.csv disagree on students (%d enrolled without a record)" % missing)

    # Attributes.
    for r in data["student_attributes.csv"]:
        if (r["student_id"], int(r["school_year"])) not in enrolled or r["race_ethnicity"] not in RACES:
            fail("student_attributes.csv:%d" % r["_line"])
        for k in ("econ_disadvantaged", "disability", "english_learner", "homeless", "foster_care", "migrant"):
            if r[k] not in ("Y", "N"):
                fail("student_attributes.csv:%d flag" % r["_line"])

    # Staff assignments: one principal per school-year; teachers for rosters.
    teachers = set()
    principals = defaultdict(int)
    for r in data["staff_assignments.csv"]:
        if r["staff_id"] not in staff or r["school_id"] not in schools:
            fail("staff_assignments.csv:%d reference" % r["_line"])
        if r["role"] == "TEACHER":
            teachers.add((r["staff_id"], r["school_id"], r["school_year"]))
        elif r["role"] == "PRINCIPAL":
            principals[(r["school_id"], r["school_year"])] += 1
        else:
            fail("staff_assignments.csv:%d role" % r["_line"])
    for key, n in principals.items():
        if n != 1:
            fail("%d principals at %s" % (n, key))
    dosage = defaultdict(float)
    for r in data["rosters.csv"]:
        year = int(r["school_year"])
        if (r["staff_id"], r["school_id"], r["school_year"]) not in teachers:
            fail("rosters.csv:%d teacher without a TEACHER assignment there" % r["_line"])
        if r["school_id"] not in enrolled.get((r["student_id"], year), {}):
            fail("rosters.csv:%d student not enrolled there" % r["_line"])
        d = float(r["dosage"])
        if not 0 < d <= 1:
            fail("rosters.csv:%d dosage" % r["_line"])
        dosage[(r["student_id"], year, r["subject"])] += d
    for key, total in dosage.items():
        if total > 1.0201:
            fail("dosage over 1 for %s: %.2f" % (key, total))

    # Assessments: enrolled that year, in that grade, on the test date.
    for r in data["assessments.csv"]:
        sid, year = r["student_id"], int(r["school_year"])
        grades = set(enrolled.get((sid, year), {}).values())
        if not grades:
            fail("assessments.csv:%d student not enrolled that year" % r["_line"])
            continue
        if r["grade_tested"] not in grades:
            fail("assessments.csv:%d grade_tested %s, enrolled in %s" % (r["_line"], r["grade_tested"], grades))
        day = date(r["test_date"])
        if not any(s[0] <= day <= s[1] for s in spells[sid] if s[2] == year):
            fail("assessments.csv:%d test date outside the student's spells" % r["_line"])
        if r["not_tested_reason"]:
            if r["scale_score"] or r["performance_level"]:
                fail("assessments.csv:%d not tested but scored" % r["_line"])
        elif not (r["scale_score"] and r["performance_level"] in "1234"):
            fail("assessments.csv:%d score" % r["_line"])
        if r["test_type"] not in ("STATE", "INTERIM", "COLLEGE_READINESS"):
            fail("assessments.csv:%d test type" % r["_line"])

    for name in ("courses.csv", "attendance.csv"):
        for r in data[name]:
            if r["school_id"] not in enrolled.get((r["student_id"], int(r["school_year"])), {}):
                fail("%s:%d student not enrolled there" % (name, r["_line"]))
    for r in data["attendance.csv"]:
        if not 0 <= int(r["days_present"]) <= int(r["days_enrolled"]) <= 366:
            fail("attendance.csv:%d days" % r["_line"])
    for r in data["courses.csv"]:
        if r["grade_mark"] not in ("A", "B", "C", "D", "F"):
            fail("courses.csv:%d mark" % r["_line"])
        if (r["grade_mark"] == "F") != (float(r["credits_earned"]) == 0):
            fail("courses.csv:%d credits vs mark" % r["_line"])
    for r in data["discipline.csv"]:
        day = date(r["action_date"])
        if not any(s[0] <= day <= s[1] and s[4]["school_id"] == r["school_id"] for s in spells[r["student_id"]]):
            fail("discipline.csv:%d action outside the student's spell at that school" % r["_line"])
    for r in data["postsecondary.csv"]:
        date(r["enrollment_date"])
        if r["student_id"] not in spells or r["institution_level"] not in ("2_YEAR", "4_YEAR"):
            fail("postsecondary.csv:%d" % r["_line"])
    for r in data["observations.csv"]:
        if r["staff_id"] not in staff or not 1 <= float(r["score"]) <= 4:
            fail("observations.csv:%d" % r["_line"])

    # Standards form a DAG (prerequisites always defined earlier).
    seen = set()
    for r in data["standards.csv"]:
        for p in r["prerequisite_ids"].split():
            if p not in seen:
                fail("standards.csv:%d prerequisite %s not defined before" % (r["_line"], p))
        seen.add(r["standard_id"])
    for r in data["item_responses.csv"]:
        datetime.datetime.fromisoformat(r["response_time"])
        if r["standard_id"] not in seen or r["correct"] not in ("0", "1") or r["student_id"] not in spells:
            fail("item_responses.csv:%d" % r["_line"])
    for r in data["finance.csv"]:
        school = schools.get(r["school_id"]) if r["school_id"] else None
        if r["lea_id"] not in leas or (r["school_id"] and (not school or school["lea_id"] != r["lea_id"])):
            fail("finance.csv:%d district or school" % r["_line"])
        if r["source"] not in {"FEDERAL", "STATE", "LOCAL", "OTHER"} or float(r["expenditure"]) < 0:
            fail("finance.csv:%d source or expenditure" % r["_line"])

    if failures:
        print("%d problems" % len(failures), file=sys.stderr)
        return 1
    print("collection ok: %d files, %d rows" % (len(data), sum(len(v) for v in data.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
