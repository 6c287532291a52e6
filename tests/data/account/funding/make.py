#!/usr/bin/env python3
"""Writes the hand-built funding collection (NOTES.md computes every figure).
Eight schools of ten students each in 2024 (poverty 80, 60, 60, 50, 40, 20,
10, 0 percent); student X moves from S6 to S7 (both of L3) during the year."""
import csv

schools = [("S1", "L1", 8), ("S2", "L2", 6), ("S3", "L3", 6), ("S4", "L1", 5),
           ("S5", "L2", 4), ("S6", "L3", 2), ("S7", "L3", 1), ("S8", "L4", 0)]
def w(name, header, rows):
    with open(name, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)

w("leas.csv", ["lea_id", "lea_name", "children_in_poverty", "children_served", "title1_allocation"],
  [["L1", "Count District", 12000, 100000, ""], ["L2", "Share District", 300, 1000, ""],
   ["L3", "Boundary District", 200, 1000, ""], ["L4", "Other District", 199, 1000, ""]])
w("schools.csv", ["school_id", "lea_id", "school_name", "school_level", "title1", "title1_status", "charter"],
  [[s, l, "School " + s, "ELEMENTARY", "N", "NONE", "N"] for s, l, _ in schools])
students, enr, attr = [], [], []
for s, l, poor in schools:
    own = 9 if s in ("S6", "S7") else 10
    for k in range(own):
        sid = "%s-%02d" % (s, k)
        students.append([l, sid, "", "", "", "F", sid])
        enr.append([sid, s, 2024, "03", "2023-08-24", "", ""])
        attr.append([sid, 2024, "WHITE", "Y" if k < poor else "N", "N", "N"])
students.append(["L3", "X", "", "", "", "M", "X"])
enr.append(["X", "S6", 2024, "03", "2023-08-24", "2023-12-15", "TRANSFER_IN_STATE"])
enr.append(["X", "S7", 2024, "03", "2024-01-08", "", ""])
attr.append(["X", 2024, "WHITE", "N", "N", "N"])
w("students.csv", ["lea_id", "local_student_id", "first_name", "last_name", "birth_date", "sex", "student_id"], students)
w("enrollments.csv", ["student_id", "school_id", "school_year", "grade_level", "entry_date", "exit_date", "exit_code"], enr)
w("student_attributes.csv", ["student_id", "school_year", "race_ethnicity", "econ_disadvantaged", "disability",
                             "english_learner"], attr)
w("finance.csv", ["lea_id", "school_id", "school_year", "source", "expenditure", "pupils"], [
    ["L1", "S1", 2024, "FEDERAL", 20000, 12], ["L1", "S1", 2024, "STATE", 80000, 12],
    ["L1", "S1", 2024, "LOCAL", 20000, 12],
    ["L1", "S4", 2024, "STATE", 60000, ""], ["L1", "S4", 2024, "LOCAL", 30000, ""],
    ["L1", "", 2024, "LOCAL", 11000, 25],
    ["L2", "S2", 2024, "STATE", 100000, 10], ["L2", "S5", 2024, "STATE", 110000, 10],
    ["L3", "S3", 2024, "FEDERAL", 10000, ""], ["L3", "S3", 2024, "STATE", 70000, ""],
    ["L3", "S6", 2024, "STATE", 90000, 10],
    ["L3", "S7", 2024, "OTHER", 5000, 10], ["L3", "S7", 2024, "STATE", 85000, 10],
    ["L4", "S8", 2024, "LOCAL", 150000, 10],
    ["L4", "S8", 2023, "LOCAL", 999999, 10],  # another year: never counted for 2024
])
