#!/usr/bin/env bash
# test_web_load.sh - the server keeps answering while a load writes to the
# same database: a bigger collection is loaded into the served database
# while an admin opens a student record and the public the state report card
# over and over; every answer is 200 within 2 s, at least a few of them
# while the load holds the write lock; the load succeeds; the report card
# then shows the new data (the cache follows the database: no time limit
# heals a missed change), the record views made during the load reach the
# access log (written when the lock is free), and `slds user disable` /
# `passwd` run meanwhile end a session at its very next request, also on a
# route whose answer is kept.
set -u
slds=${1:?usage: test_web_load.sh SLDS}
. "${BASH_SOURCE[0]%/*}/lib.sh"
tmp=$(mktemp -d)
trap 'web_stop; [ -n "${load_pid:-}" ] && kill "$load_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
web_state "$tmp"
"$slds" synth "$tmp/big" --students 3000 --years 3 --seed 12 >/dev/null 2>&1 || web_fail "synth big"
web_start "$tmp"
python3 - "$tmp" "$port" "$slds" <<'PY' || web_fail "serving during a load"
import json, subprocess, sys, time, urllib.request, urllib.error
tmp, port, slds = sys.argv[1], sys.argv[2], sys.argv[3]
f = json.load(open(tmp + "/fixture.json"))
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
base = "http://127.0.0.1:%s" % port
def get(path, cookie=None, body=None):
    h = {"Cookie": "slds_session=" + cookie} if cookie else {}
    if body:
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=body, headers=h, method="POST" if body else "GET")
    t = time.monotonic()
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, r.read(), time.monotonic() - t, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - t, e.headers
status, _, _, h = get("/api/v1/session", body=json.dumps({"username": "admin", "password": "pw-state-admin-123456"}).encode())
assert status == 200, status
cookie = h["Set-Cookie"].split(";")[0].split("=")[1]
def state_students():
    s, body, _, _ = get("/api/v1/state/reportcard")
    assert s == 200, s
    rows = json.loads(body)["achievement"]
    return [r["students"] for r in rows if r["subgroup"] == "all"][0]
before = state_students()
load = subprocess.Popen([slds, "load", tmp + "/db", tmp + "/big"], stdout=subprocess.DEVNULL,
                        stderr=open(tmp + "/load.err", "w"))
during, worst, n = 0, 0.0, 0
student = f["places"]["student_in"]
while load.poll() is None or n < 4:
    for path, c in (("/api/v1/students/%s" % student, cookie), ("/state", None), ("/api/v1/me", cookie)):
        alive = load.poll() is None
        s, _, dt, _ = get(path, c)
        n += 1
        worst = max(worst, dt)
        assert s == 200, (path, s)
        assert dt < 2.0, (path, dt)
        if alive and load.poll() is None:
            during += 1
        time.sleep(0.02)
rc = load.wait()
assert rc == 0, open(tmp + "/load.err").read()
after = state_students()
print("load test: %d requests, %d while the load ran, slowest %.3f s; state students %s -> %s"
      % (n, during, worst, before, after))
assert during >= 3, "the load finished before the server was asked anything"
assert after != before, "the report card did not follow the load"

# Sessions end at the next request after `slds user disable` / `passwd` in
# another process, though the server reads a user again only when its
# connection's data_version moved and keeps the dashboard's answer: each
# session is first used over and over (every connection of the pool checks
# it and the answer is kept), then the user is changed, then one request.
def login(user):
    s, _, _, h = get("/api/v1/session", body=json.dumps({"username": user, "password": "pw-%s-123456" % f["users"][user]["role"]}).encode())
    assert s == 200, (user, s)
    return h["Set-Cookie"].split(";")[0].split("=")[1]
school = f["users"]["principal"]["scopes"][0]
lea = f["users"]["district"]["scopes"][0]
for user, path, change in (("principal", "/api/v1/schools/%s/dashboard" % school, ["disable", "principal"]),
                           ("district", "/districts/%s/dashboard" % lea, ["passwd", "district"])):
    c = login(user)
    for _ in range(12):
        s, _, _, _ = get(path, c)
        assert s == 200, (user, path, s)
    stdin = b"a-new-password-0001\n" if change[0] == "passwd" else None
    subprocess.run([slds, "user", change[0], tmp + "/db", change[1]] + (["--password-stdin"] if stdin else []),
                   input=stdin, check=True, stdout=subprocess.DEVNULL)
    s, body, _, _ = get(path, c)
    assert s == 401, ("session of %s after %s" % (user, change[0]), s)
    s, _, _, _ = get("/api/v1/me", c)
    assert s == 401, (user, "/api/v1/me", s)
print("sessions ended at the next request after user disable and passwd")
PY
web_stop
student=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["places"]["student_in"])' "$tmp/fixture.json")
n=$("$slds" user log "$tmp/db" --student "$student" --format csv | grep -c ",admin,")
[ "$n" -ge 3 ] || web_fail "only $n admin views in the access log"
echo "ok ($n views logged)"
