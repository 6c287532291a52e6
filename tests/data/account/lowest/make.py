#!/usr/bin/env python3
"""make.py - writes the hand-built collection for the lowest-achieving test
(run once; the CSVs are the test data, NOTES.md explains the figures)."""
enr, tests, attrs, students = [], [], [], []
def yr(y): return (f"{y-1}-08-24", f"{y}-06-07")
def school_students(school, lea, n, grades, prof, econ=0):
    """n students enrolled 2022-2024 at school in grades[0..2]; in year i the
    first prof[i] students score proficient (level 3) in ELA and MATH."""
    for j in range(n):
        sid = f"{school}-{j:02d}"
        students.append((lea, sid))
        for i, y in enumerate((2022, 2023, 2024)):
            a, b = yr(y)
            enr.append((sid, school, y, grades[i], a, b, "PROMOTED" if y < 2024 else ""))
            for subj in ("ELA", "MATH"):
                lvl = 3 if j < prof[i] else 2
                tests.append((sid, y, subj, grades[i], f"{y}-04-20", 450 if lvl == 3 else 380, lvl))
        attrs.append((sid, 2024, "Y" if j < econ else "N"))
T = {"T01": (1, 1, 1), "T02": (2, 2, 2), "T03": (3, 3, 3), "T04": (2, 4, 6), "T05": (5, 5, 5),
     "T06": (6, 3, 6), "T07": (5, 5, 5), "T08": (7, 7, 7), "T09": (8, 8, 8), "T10": (8, 8, 8),
     "T11": (9, 9, 9), "T12": (9, 9, 9)}
schools = [("T%02d" % i, "L1", "ELEMENTARY", "Y", "IMPROVEMENT") for i in range(1, 13)]
schools += [("H%02d" % i, "L1", "HIGH", "Y", "RESTRUCTURING") for i in range(1, 5)]
schools += [("S01", "L2", "MIDDLE", "N", "NONE"), ("S02", "L2", "HIGH", "N", "NONE"),
            ("E01", "L2", "ELEMENTARY", "Y", "NONE")]
for s, p in T.items():
    school_students(s, "L1", 10, (3, 4, 5), p)
school_students("S01", "L2", 10, (6, 7, 8), (2, 2, 2), econ=8)
school_students("S02", "L2", 10, (9, 10, 11), (6, 6, 6), econ=0)
school_students("E01", "L2", 10, (3, 4, 5), (0, 0, 0), econ=5)
# High schools: a cohort of 5 entering grade 9 in 2021; 2 graduate in 2024, 3 COMPLETED_OTHER.
for h in ("H01", "H02", "H03", "H04"):
    for j in range(5):
        sid = f"{h}-{j:02d}"
        students.append(("L1", sid))
        for i, y in enumerate((2021, 2022, 2023, 2024)):
            a, b = yr(y)
            code = "PROMOTED" if y < 2024 else ("GRADUATED_REGULAR" if j < 2 else "COMPLETED_OTHER")
            enr.append((sid, h, y, 9 + i, a, b, code))
            if y >= 2022:
                for subj in ("ELA", "MATH"):
                    tests.append((sid, y, subj, 9 + i, f"{y}-04-20", 450, 3))
        attrs.append((sid, 2024, "N"))
with open("leas.csv", "w") as f:
    f.write("lea_id,lea_name,children_in_poverty,children_served,title1_allocation\nL1,North District,,,\nL2,South District,,,\n")
with open("schools.csv", "w") as f:
    f.write("school_id,lea_id,school_name,school_level,title1,title1_status,charter\n")
    for s in schools:
        f.write(f"{s[0]},{s[1]},School {s[0]},{s[2]},{s[3]},{s[4]},N\n")
with open("students.csv", "w") as f:
    f.write("lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id\n")
    for lea, sid in students:
        f.write(f"{lea},{sid},,,,F,{sid}\n")
with open("enrollments.csv", "w") as f:
    f.write("student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code\n")
    for r in enr:
        f.write(f"{r[0]},{r[1]},{r[2]},{r[3]:02d},{r[4]},{r[5] if r[6] else ''},{r[6]}\n")
with open("student_attributes.csv", "w") as f:
    f.write("student_id,school_year,race_ethnicity,econ_disadvantaged,disability,english_learner\n")
    for s, y, e in attrs:
        f.write(f"{s},{y},WHITE,{e},N,N\n")
with open("assessments.csv", "w") as f:
    f.write("student_id,school_year,subject,grade_tested,test_type,test_name,test_date,scale_score,performance_level,not_tested_reason\n")
    for s, y, subj, g, d, sc, lvl in tests:
        f.write(f"{s},{y},{subj},{g:02d},STATE,State Test,{d},{sc},{lvl},\n")
