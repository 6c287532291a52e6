#!/usr/bin/env python3
"""Writes the hand-built collection of tests/account/test_equity.sh and
test_preparation.sh (NOTES.md computes every figure). School year 2024:
eight schools of ten students (poverty 80, 60, 60, 50, 40, 20, 10, 0 percent;
minority 0, 10, 20, 90, 80, 30, 40, 50 percent), one teacher each (T1-T8)
plus T9 at S1 and S8, one principal each (R1-R8). The ratings and growth
measures are rows of educator_results, written by the tests (educators.sql)."""
import csv

schools = [("S1", "L1", 8, 0), ("S2", "L2", 6, 1), ("S3", "L3", 6, 2), ("S4", "L1", 5, 9),
           ("S5", "L2", 4, 8), ("S6", "L3", 2, 3), ("S7", "L3", 1, 4), ("S8", "L4", 0, 5)]
def w(name, header, rows):
    with open(name, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)

w("leas.csv", ["lea_id", "lea_name", "children_in_poverty", "children_served", "title1_allocation"],
  [[l, "District " + l, "", "", ""] for l in ("L1", "L2", "L3", "L4")])
w("schools.csv", ["school_id", "lea_id", "school_name", "school_level", "title1", "title1_status", "charter"],
  [[s, l, "School " + s, "ELEMENTARY", "N", "NONE", "N"] for s, l, _, _ in schools])
w("prep_programs.csv", ["prep_program_id", "name", "provider", "route"],
  [["PA", "State College of Education", "IHE", "TRADITIONAL"],
   ["PB", "Teaching Fellows", "NON_IHE", "ALTERNATIVE"]])
# staff: program, certification route (blank: the program's), experience as of 2024
staff = {"T1": ("PA", "", 0), "T2": ("PA", "", 1), "T3": ("PA", "", 2), "T4": ("PA", "", 3),
         "T5": ("PB", "", 0), "T6": ("PA", "", 10), "T7": ("PB", "", 1), "T8": ("PB", "TRADITIONAL", 2),
         "T9": ("PA", "", 5)}
staff.update({"R%d" % i: ("", "", 10) for i in range(1, 9)})
w("staff.csv", ["staff_id", "lea_id", "first_name", "last_name", "prep_program_id", "certification_route",
                "years_experience", "tenured"],
  [[k, "", "", "", p, r, e, "N"] for k, (p, r, e) in staff.items()])
areas = {"T1": "MATH", "T2": "SCIENCE", "T3": "MATH", "T4": "SPECIAL_EDUCATION", "T5": "ENGLISH_LEARNER",
         "T6": "ELA", "T7": "OTHER", "T8": "MATH"}
asg = [["T%d" % (i + 1), s, 2024, "TEACHER", areas["T%d" % (i + 1)], 1] for i, (s, _, _, _) in enumerate(schools)]
asg += [["T9", "S1", 2024, "TEACHER", "MATH", 0.5], ["T9", "S8", 2024, "TEACHER", "SCIENCE", 0.5]]
asg += [["R%d" % (i + 1), s, 2024, "PRINCIPAL", "", 1] for i, (s, _, _, _) in enumerate(schools)]
w("staff_assignments.csv", ["staff_id", "school_id", "school_year", "role", "subject_area", "fte"], asg)
students, enr, attr, ros = [], [], [], []
teacher_of = {"S1": "T1", "S2": "T2", "S3": "T3", "S7": "T7", "S8": "T8"}  # rostered classes
for s, l, poor, minority in schools:
    for k in range(10):
        sid = "%s-%02d" % (s, k)
        students.append([l, sid, "", "", "", "F", sid])
        enr.append([sid, s, 2024, "03", "2023-08-24", "", ""])
        attr.append([sid, 2024, "BLACK" if k >= 10 - minority else "WHITE", "Y" if k < poor else "N", "N", "N"])
        if s in teacher_of:
            ros.append([teacher_of[s], sid, s, 2024, "MATH", s + "-M", 1])
w("students.csv", ["lea_id", "local_student_id", "first_name", "last_name", "birth_date", "sex", "student_id"], students)
w("enrollments.csv", ["student_id", "school_id", "school_year", "grade_level", "entry_date", "exit_date", "exit_code"], enr)
w("student_attributes.csv", ["student_id", "school_year", "race_ethnicity", "econ_disadvantaged", "disability",
                             "english_learner"], attr)
w("rosters.csv", ["staff_id", "student_id", "school_id", "school_year", "subject", "section_id", "dosage"], ros)

# educator_results (loaded by the tests with sqlite3): year, staff, role,
# n_students, fte_students, mean_sgp, share_1_grade, achievement, vam_estimate, rating
R = [(2024, "T1", "TEACHER", 20, 20, 60, 0.5, 55, 2.0, "Highly Effective"),
     (2024, "T2", "TEACHER", 10, 10, 50, 0.4, 50, 0.0, "Effective"),
     (2024, "T3", "TEACHER", 10, 5, 30, 0.2, 40, -2.0, "Ineffective"),
     (2024, "T4", "TEACHER", 10, 10, 45, 0.4, 50, 0.5, "Partially Effective"),
     (2024, "T5", "TEACHER", 20, 20, 70, 0.6, 60, 3.0, "Highly Effective"),
     (2024, "T6", "TEACHER", 10, 10, 50, 0.4, 50, 0.0, "Effective"),
     (2024, "T7", "TEACHER", 10, 10, None, None, 50, None, "NOT RATED"),
     (2024, "T8", "TEACHER", 10, 10, 40, 0.3, 45, -1.0, "Ineffective"),
     (2024, "T9", "TEACHER", 10, 10, 50, 0.4, 50, 0.0, "Effective"),
     (2023, "T2", "TEACHER", 10, 10, 40, 0.3, 48, -1.0, "Effective"),
     (2023, "T4", "TEACHER", 10, 10, 50, 0.5, 52, 1.0, "Effective")]
R += [(2024, "R%d" % i, "PRINCIPAL", 10, 10, 50, 0.4, 50, 0.0,
       {1: "Ineffective", 8: "Highly Effective"}.get(i, "Effective")) for i in (1, 2, 4, 5, 6, 7, 8)]
q = lambda v: "NULL" if v is None else ("'%s'" % v if isinstance(v, str) else repr(v))
with open("educators.sql", "w") as f:
    for r in R:
        f.write("INSERT INTO educator_results(school_year, staff_id, role, subject, n_students, fte_students,"
                " mean_sgp, share_1_grade, achievement, vam_estimate, rating, config)"
                " VALUES(%s, %s, %s, '', %s, %s, %s, %s, %s, %s, %s, 'test');\n"
                % tuple(q(v) for v in r))
