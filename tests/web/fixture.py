"""fixture.py DB - picks, from a loaded synthetic state, one resource inside
and one outside the scope of a user of every role, and computes
independently of src/access (from the rules of docs/access.md) the set of
student ids each role may see in the current year. Prints JSON:
{"year", "users": {name: {role, scopes}}, "places": {...}, "allowed":
{name: [ids] or "all"}, "all_students": [...]}."""
import json
import sqlite3
import sys

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
q = lambda sql, *a: db.execute(sql, a).fetchall()
year = q("SELECT MAX(school_year) FROM enrollments")[0][0]
leas = [r[0] for r in q("SELECT lea_id FROM schools GROUP BY lea_id ORDER BY COUNT(*) DESC, lea_id")]
lea_a, lea_b = leas[0], leas[1]


def enrolled(school_sql, *a):
    return {r[0] for r in q("SELECT DISTINCT student_id FROM enrollments WHERE school_year = ? AND school_id IN (%s)"
                            % school_sql, year, *a)}


in_a = enrolled("SELECT school_id FROM schools WHERE lea_id = ?", lea_a)
in_b = enrolled("SELECT school_id FROM schools WHERE lea_id = ?", lea_b)
grown = {r[0] for r in q("SELECT DISTINCT student_id FROM growth_students WHERE school_year = ?"
                         " AND sgp IS NOT NULL", year)}


def teacher_at(lea):
    """A teacher assigned this year to a school of lea, with rostered students
    who have growth results and are enrolled in that school."""
    for staff, school in q("SELECT DISTINCT a.staff_id, a.school_id FROM staff_assignments a"
                           " JOIN schools s ON s.school_id = a.school_id WHERE s.lea_id = ?"
                           " AND a.school_year = ? AND a.role = 'TEACHER' ORDER BY 1", lea, year):
        roster = {r[0] for r in q("SELECT DISTINCT student_id FROM rosters WHERE staff_id = ?"
                                  " AND school_year = ?", staff, year)}
        here = enrolled("?", school)
        good = sorted(roster & here & grown)
        if good and roster:
            return staff, school, roster, good
    raise SystemExit("no teacher with a class in %s" % lea)


t_in, school_a, roster_in, good_in = teacher_at(lea_a)
t_out, school_b, roster_out, _ = teacher_at(lea_b)
st_in = good_in[0]
outside = sorted((in_b & grown) - in_a - roster_in - enrolled("?", school_a))
st_out = outside[0]
everyone = sorted(r[0] for r in q("SELECT student_id FROM students"))
at_school_a = enrolled("?", school_a)

users = {
    "admin": {"role": "state-admin", "scopes": []},
    "analyst": {"role": "state-analyst", "scopes": []},
    "researcher": {"role": "researcher", "scopes": []},
    "district": {"role": "district", "scopes": [lea_a]},
    "principal": {"role": "principal", "scopes": [school_a]},
    "teacher": {"role": "teacher", "scopes": [t_in]},
    "parent": {"role": "parent", "scopes": [st_in]},
    "student": {"role": "student", "scopes": [st_in]},
}
allowed = {
    "public": [], "admin": "all", "analyst": [], "researcher": [],
    "district": sorted(in_a), "principal": sorted(at_school_a), "teacher": sorted(roster_in),
    "parent": [st_in], "student": [st_in],
}
extract_in = q("SELECT extract_id FROM extracts WHERE json_extract(spec, '$.researcher') = 'researcher'")[0][0]
extract_out = q("SELECT extract_id FROM extracts WHERE json_extract(spec, '$.researcher') = 'other-researcher'")[0][0]
standard = q("SELECT standard_id FROM mastery_params ORDER BY standard_id LIMIT 1")[0][0]
print(json.dumps({
    "year": year, "users": users, "allowed": allowed, "all_students": everyone,
    "places": {"lea_in": lea_a, "lea_out": lea_b, "school_in": school_a, "school_out": school_b,
               "teacher_in": t_in, "teacher_out": t_out, "student_in": st_in, "student_out": st_out,
               "extract_in": extract_in, "extract_out": extract_out, "standard": standard},
}, indent=1))
