"""security.py FIXTURE PORT [https] - login, logout, CSRF, cookie flags,
security headers, escaping, request limits and error bodies of `slds serve`.
With "https" the server is under TLS (self-signed): the cookie must be Secure."""
import http.client
import json
import re
import socket
import ssl
import sys
import urllib.parse

fixture = json.load(open(sys.argv[1]))
port = int(sys.argv[2])
tls = len(sys.argv) > 3 and sys.argv[3] == "https"
P = fixture["places"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def conn():
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=ctx)
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def request(method, path, body=None, headers=None):
    c = conn()
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    hdrs = r.getheaders()
    c.close()
    return r.status, data, hdrs


def header(hdrs, name):
    return [v for k, v in hdrs if k.lower() == name.lower()]


def api_login(user, password):
    return request("POST", "/api/v1/session", json.dumps({"username": user, "password": password}),
                   {"Content-Type": "application/json"})


# --- API login: cookie flags, CSRF token, logout needs it, session ends
status, body, h = api_login("teacher", "pw-teacher-123456")
check(status == 200, "login: %d" % status)
cookie = header(h, "Set-Cookie")[0]
check(re.match(r"slds_session=[0-9a-f]{64}; ", cookie) is not None, "cookie value: " + cookie)
for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
    check(flag in cookie, "cookie lacks " + flag)
check(("Secure" in cookie) == tls, "Secure flag %s under %s" % ("Secure" in cookie, "TLS" if tls else "plain HTTP"))
token = cookie.split(";")[0].split("=")[1]
csrf = json.loads(body)["csrf_token"]
check(re.fullmatch(r"[0-9a-f]{64}", csrf) is not None, "csrf token")
check("pw-teacher" not in body, "the password is echoed")
auth = {"Cookie": "slds_session=" + token}
status, body, h = request("GET", "/api/v1/me", headers=auth)
check(status == 200 and json.loads(body)["role"] == "teacher", "me: %d %s" % (status, body))
for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
    check(header(h, name), "no %s header" % name)
check(header(h, "Cache-Control") == ["no-store"], "a logged-in answer may be cached")
status, _, _ = request("DELETE", "/api/v1/session", headers=auth)
check(status == 403, "logout without CSRF: %d" % status)
status, _, _ = request("DELETE", "/api/v1/session", headers=dict(auth, **{"X-CSRF-Token": "0" * 64}))
check(status == 403, "logout with a wrong CSRF token: %d" % status)
status, _, h = request("DELETE", "/api/v1/session", headers=dict(auth, **{"X-CSRF-Token": csrf}))
check(status == 200, "logout: %d" % status)
check(any("Max-Age=0" in v for v in header(h, "Set-Cookie")), "logout does not clear the cookie")
status, _, _ = request("GET", "/api/v1/me", headers=auth)
check(status == 401, "the session lives on after logout: %d" % status)

# --- wrong password, unknown user, bad bodies
status, body, _ = api_login("teacher", "wrong-password-1")
check(status == 401, "wrong password: %d" % status)
status, body2, _ = api_login("nobody", "wrong-password-1")
check(status == 401 and body == body2, "unknown user answered differently")
status, _, _ = request("POST", "/api/v1/session", "username=teacher&password=x",
                       {"Content-Type": "application/x-www-form-urlencoded"})
check(status == 415, "a form login to the API: %d" % status)
status, _, _ = request("POST", "/api/v1/session", "{not json", {"Content-Type": "application/json"})
check(status == 400, "bad JSON: %d" % status)

# --- the login form: its CSRF cookie, then the session, then logout by form
status, body, h = request("GET", "/login")
nonce = re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)
login_cookie = header(h, "Set-Cookie")[0]
check(login_cookie.startswith("slds_login=" + nonce) and "HttpOnly" in login_cookie and "SameSite=Strict" in login_cookie,
      "login form cookie: " + login_cookie)
form = urllib.parse.urlencode({"csrf": nonce, "username": "parent", "password": "pw-parent-123456"})
ct = {"Content-Type": "application/x-www-form-urlencoded"}
status, _, _ = request("POST", "/login", form, ct)  # no slds_login cookie: another site's form
check(status == 403, "login form without its cookie: %d" % status)
status, _, h = request("POST", "/login", form, dict(ct, Cookie="slds_login=" + nonce))
check(status == 303 and header(h, "Location") == ["/me"], "login form: %d" % status)
token = [v for v in header(h, "Set-Cookie") if v.startswith("slds_session=")][0].split(";")[0].split("=")[1]
auth = {"Cookie": "slds_session=" + token}
status, body, _ = request("GET", "/me", headers=auth)
check(status == 200 and "Log out" in body, "me page after a form login: %d" % status)
page_csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)
status, _, _ = request("POST", "/logout", "csrf=" + "1" * 64, dict(ct, **auth))
check(status == 403, "logout form with a wrong token: %d" % status)
status, _, _ = request("POST", "/logout", "csrf=" + page_csrf, dict(ct, **auth))
check(status == 303, "logout form: %d" % status)
status, _, _ = request("GET", "/me", headers=auth)
check(status == 401, "session alive after the logout form: %d" % status)

# --- escaping and error bodies
for path in ("/schools/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/%3Cb%3Ex", "/state?year=%3Cscript%3E",
             "/state?format=%3Cscript%3E", "/students/x%22onload=1"):
    status, body, _ = request("GET", path)
    check(status in (400, 404), "%s: %d" % (path, status))
    check("<script>" not in body and "<b>x" not in body and '"onload' not in body, "%s is echoed unescaped" % path)
    check(not re.search(r"SELECT|sqlite|\.db\b|\.c:\d", body), "%s: the error shows internals" % path)
status, _, _ = request("PUT", "/state")
check(status == 405, "PUT: %d" % status)

# --- limits: body, headers, arguments
status, _, _ = request("POST", "/api/v1/session", "x" * 20000, {"Content-Type": "application/json"})
check(status == 413, "a 20 kB body: %d" % status)
status, _, _ = request("GET", "/state", headers={"X-Big": "y" * 40000})
check(status in (413, 431), "40 kB of headers: %d" % status)
status, _, _ = request("GET", "/state?" + "&".join("a%d=1" % i for i in range(40)))
check(status == 400, "40 query arguments: %d" % status)
# A request cut off in its headers is dropped, not answered late; the server lives on.
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.close()
status, _, _ = request("GET", "/")
check(status == 200, "the server after a dropped connection: %d" % status)

# --- rate limit: failed logins from one address (last: it blocks this address)
if not tls:
    codes = [api_login("principal", "wrong-password-%d" % i)[0] for i in range(7)]
    check(codes[-1] == 429, "7 failed logins: %s" % codes)
    status, _, _ = api_login("principal", "pw-principal-123456")
    check(status == 429, "a right password while rate-limited: %d" % status)

for f in failures:
    print("FAIL:", f)
print("security%s: %d failures" % (" (TLS)" if tls else "", len(failures)))
sys.exit(1 if failures else 0)
