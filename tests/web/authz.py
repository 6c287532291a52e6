"""authz.py FIXTURE PORT - the authorization suite: for every role (public and
the eight roles of src/access) x every route x a resource inside and one
outside the role's scope, the status the server answers, and that no body
names a student the role may not see (every student id of the state is
looked for in every body, JSON, CSV and HTML alike).

The expected statuses are written out below, one row per route, from the
roles table of docs/access.md; the allowed sets come from fixture.py, which
computes them from the data without src/access."""
import json
import re
import sys
import urllib.error
import urllib.request

fixture = json.load(open(sys.argv[1]))
base = "http://127.0.0.1:%s" % sys.argv[2]
P = fixture["places"]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(method, path, cookie=None, body=None, headers=None):
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = "slds_session=" + cookie
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.read().decode("utf-8", "replace"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), e.headers


def login(name, role):
    status, body, headers = request("POST", "/api/v1/session",
                                    body={"username": name, "password": "pw-%s-123456" % role})
    assert status == 200, (name, status, body)
    cookie = headers.get("Set-Cookie")
    m = re.match(r"slds_session=([0-9a-f]{64});", cookie or "")
    assert m, cookie
    return m.group(1), json.loads(body)["csrf_token"]


roles = ["public", "admin", "analyst", "researcher", "district", "principal", "teacher", "parent", "student"]
# The resource each role is asked about: (inside its scope, outside it).
student = {r: (P["student_in"], P["student_out"]) for r in roles}
# Columns: public admin analyst researcher district principal teacher parent student
# Each cell: "in/out" statuses.
S = lambda row: dict(zip(roles, [tuple(int(x) for x in c.split("/")) for c in row.split()]))
routes = [
    ("/api/v1/students/{s}", "s", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 200/403 200/403")),
    ("/api/v1/students/{s}/growth", "s", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 200/403 200/403")),
    ("/students/{s}", "s", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 200/403 200/403")),
    ("/students/{s}?format=csv&table=tests", "s", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 200/403 200/403")),
    ("/api/v1/schools/{school}/dashboard", "school", S("401/401 200/200 200/200 200/200 200/403 200/403 403/403 403/403 403/403")),
    ("/schools/{school}/dashboard", "school", S("401/401 200/200 200/200 200/200 200/403 200/403 403/403 403/403 403/403")),
    ("/api/v1/districts/{lea}/dashboard", "lea", S("401/401 200/200 200/200 200/200 200/403 403/403 403/403 403/403 403/403")),
    ("/districts/{lea}/dashboard?format=csv", "lea", S("401/401 200/200 200/200 200/200 200/403 403/403 403/403 403/403 403/403")),
    ("/api/v1/state/dashboard", None, S("401/401 200/200 200/200 200/200 403/403 403/403 403/403 403/403 403/403")),
    ("/state/dashboard", None, S("401/401 200/200 200/200 200/200 403/403 403/403 403/403 403/403 403/403")),
    ("/api/v1/teachers/{teacher}/class", "teacher", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 403/403 403/403")),
    ("/teachers/{teacher}/class", "teacher", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 403/403 403/403")),
    ("/api/v1/schools/{school}/reportcard", "school", S("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/schools/{school}", "school", S("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/api/v1/districts/{lea}/reportcard?format=csv", "lea", S("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/districts/{lea}", "lea", S("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/api/v1/state/reportcard", None, S("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/state", None, S("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/api/v1/me/students", None, S("401/401 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/api/v1/me", None, S("401/401 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/me", None, S("401/401 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    ("/", None, S("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200")),
    # instruction: the class mastery grid (as the class), a student's plan and
    # mastery map (as the record), the counselor's warning list (staff who may
    # see the school's students), a researcher's approved extracts (that
    # researcher only)
    ("/api/v1/teachers/{teacher}/mastery", "teacher", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 403/403 403/403")),
    ("/teachers/{teacher}/mastery", "teacher", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 403/403 403/403")),
    ("/teachers/{teacher}/mastery?format=csv", "teacher", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 403/403 403/403")),
    ("/api/v1/students/{s}/plan", "s", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 200/403 200/403")),
    ("/students/{s}/plan", "s", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 200/403 200/403")),
    ("/students/{s}/plan?format=csv&table=mastery_map", "s", S("401/401 200/200 403/403 403/403 200/403 200/403 200/403 200/403 200/403")),
    ("/api/v1/schools/{school}/warnings", "school", S("401/401 200/200 403/403 403/403 200/403 200/403 403/403 403/403 403/403")),
    ("/schools/{school}/warnings", "school", S("401/401 200/200 403/403 403/403 200/403 200/403 403/403 403/403 403/403")),
    ("/schools/{school}/warnings?format=csv", "school", S("401/401 200/200 403/403 403/403 200/403 200/403 403/403 403/403 403/403")),
    ("/api/v1/me/extracts", None, S("401/401 403/403 403/403 200/200 403/403 403/403 403/403 403/403 403/403")),
    ("/me/extracts", None, S("401/401 403/403 403/403 200/200 403/403 403/403 403/403 403/403 403/403")),
    ("/api/v1/extracts/{x}", "x", S("401/401 403/403 403/403 200/403 403/403 403/403 403/403 403/403 403/403")),
    ("/extracts/{x}", "x", S("401/401 403/403 403/403 200/403 403/403 403/403 403/403 403/403 403/403")),
    ("/extracts/{x}?file=assessments.csv", "x", S("401/401 403/403 403/403 200/403 403/403 403/403 403/403 403/403 403/403")),
]
resource = {
    "s": (P["student_in"], P["student_out"]),
    "school": (P["school_in"], P["school_out"]),
    "lea": (P["lea_in"], P["lea_out"]),
    "teacher": (P["teacher_in"], P["teacher_out"]),
    "x": (P["extract_in"], P["extract_out"]),
}
every_id = set(fixture["all_students"])
token = re.compile(r"[0-9A-Za-z]+")
failures = []
checked = 0
seen = {}  # role -> in-scope student ids found in bodies (the detector sees ids at all)
for role in roles:
    name = role if role != "public" else None
    cookie, csrf = login(name, fixture["users"][name]["role"]) if name else (None, None)
    allowed = fixture["allowed"][role]
    allowed = every_id if allowed == "all" else set(allowed)
    for pattern, kind, expect in routes:
        for side, want in zip(("in", "out"), expect[role]):
            if kind is None and side == "out":
                continue
            path = pattern
            if kind:
                path = pattern.replace("{%s}" % kind, resource[kind][0 if side == "in" else 1])
            status, body, _ = request("GET", path, cookie)
            checked += 1
            if status != want:
                failures.append("%s %s (%s): status %d, expected %d" % (role, path, side, status, want))
            named = set(token.findall(body)) & every_id
            seen.setdefault(role, set()).update(named & allowed)
            leaked = named - allowed
            if leaked:
                failures.append("%s %s (%s): names %d out-of-scope students, e.g. %s"
                                % (role, path, side, len(leaked), sorted(leaked)[0]))
            if status >= 400 and re.search(r"SELECT|sqlite|\.db\b|\.c:\d", body):
                failures.append("%s %s: the error body shows internals" % (role, path))
    # Setting a plan goal (POST with the CSRF token): a teacher of the student
    # only; never without the token.
    for side, sid in (("in", P["student_in"]), ("out", P["student_out"])):
        goal = {"standard_id": P["standard"], "target_date": "2031-06-01", "note": "by %s" % role}
        want = 200 if role == "teacher" and side == "in" else (401 if role == "public" else 403)
        h = {"X-CSRF-Token": csrf} if csrf else {}
        status, body, _ = request("POST", "/api/v1/students/%s/plan" % sid, cookie, goal, h)
        checked += 1
        if status != want:
            failures.append("%s POST plan (%s): status %d, expected %d" % (role, side, status, want))
        if cookie:
            status, _, _ = request("POST", "/api/v1/students/%s/plan" % sid, cookie, goal)
            if status != 403:
                failures.append("%s POST plan without the CSRF token: status %d" % (role, status))
        leaked = set(token.findall(body)) & every_id - allowed
        if leaked:
            failures.append("%s POST plan (%s): names out-of-scope students" % (role, side))
    # What me/students lists is exactly what the role may see (and may open).
    if cookie:
        status, body, _ = request("GET", "/api/v1/me/students", cookie)
        listed = {row["student_id"] for row in json.loads(body).get("students", [])}
        expected = allowed if role != "admin" else listed
        if role != "admin" and listed != expected:
            failures.append("%s: /api/v1/me/students lists %d students, %d expected"
                            % (role, len(listed), len(expected)))
        status, _, _ = request("DELETE", "/api/v1/session", cookie)
        assert status == 403, "logout without the CSRF token must fail"
for role in ("admin", "district", "principal", "teacher", "parent", "student"):
    if not seen.get(role):
        failures.append("%s: no body named any student it may see (the check would see nothing)" % role)
for f in failures:
    print("FAIL:", f)
# The teacher's goal is on the student's plan, for the parent too.
cookie, _ = login("parent", "parent")
status, body, _ = request("GET", "/api/v1/students/%s/plan" % P["student_in"], cookie)
plan = json.loads(body).get("learning_plan", [])
if not any(g.get("standard_id") == P["standard"] and g.get("note") == "by teacher" for g in plan):
    failures.append("the teacher's goal is not on the parent's view of the plan: %s" % body[:300])
if any(g.get("note", "") and g["note"] != "by teacher" for g in plan):
    failures.append("a refused POST stored a goal")
# Growth by subgroup within a district (computed for the place by the growth
# library) against the same figures computed here from the stored results:
# students, students with an SGP and the median SGP per subject and
# race/ethnicity group of the district's students.
import sqlite3
import statistics
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1].replace("fixture.json", "db"), uri=True)
cookie, _ = login("admin", "state-admin")
status, body, _ = request("GET", "/api/v1/districts/%s/dashboard" % P["lea_in"], cookie)
rows = [r for r in json.loads(body).get("growth_subgroups", []) if r["level"] == "race_ethnicity"]
if not rows:
    failures.append("the district dashboard has no growth by race/ethnicity")
want = {}
for subject, group, sgp in db.execute(
        "SELECT g.subject, IFNULL(a.race_ethnicity, 'UNKNOWN'), g.sgp FROM growth_students g"
        " LEFT JOIN student_attributes a ON a.student_id = g.student_id AND a.school_year = g.school_year"
        " WHERE g.school_year = ? AND g.lea_id = ? AND (g.sgp IS NOT NULL OR g.grade_levels_gained IS NOT NULL"
        " OR g.sgp_baseline IS NOT NULL)", (fixture["year"], P["lea_in"])):
    want.setdefault((subject, group), []).append(sgp)
got = {(r["subject"], r["group_id"]): r for r in rows}
if set(got) != set(want):
    failures.append("growth by subgroup: groups %s, expected %s" % (sorted(got), sorted(want)))
for k, v in want.items():
    r = got.get(k)
    sgps = [x for x in v if x is not None]
    med = statistics.median(sgps) if sgps else None
    if r and (r["students"] != len(v) or r["n_sgp"] != len(sgps) or
              (med is None) != (r["median_sgp"] is None) or (med is not None and abs(r["median_sgp"] - med) > 1e-9)):
        failures.append("growth by subgroup %s: %s, expected students %d, n_sgp %d, median %s"
                        % (k, r, len(v), len(sgps), med))
print("authz: %d requests (%d roles x %d routes x in/out), %d failures" % (checked, len(roles), len(routes), len(failures)))
sys.exit(1 if failures else 0)
