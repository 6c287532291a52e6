#!/usr/bin/env bash
# test_web_security.sh - login and logout (API and form), CSRF on every
# state-changing request, cookie flags (HttpOnly, SameSite=Strict, Secure
# under TLS), security headers, escaping, request size/header/argument
# limits, error bodies without internals, login rate limits (security.py);
# a second server on the same port refused; over HTTP, then over HTTPS with a self-signed certificate when openssl is
# installed.
set -u
slds=${1:?usage: test_web_security.sh SLDS}
. "${BASH_SOURCE[0]%/*}/lib.sh"
tmp=$(mktemp -d)
trap 'web_stop; rm -rf "$tmp"' EXIT
web_state "$tmp"
web_start "$tmp"
python3 "${BASH_SOURCE[0]%/*}/security.py" "$tmp/fixture.json" "$port" || { tail -5 "$tmp/serve.err"; web_fail "security"; }
# A second server on the same port is refused (the worker threads' sockets
# share the port among themselves only: SO_REUSEPORT), and the first keeps answering.
"$slds" serve "$tmp/db" --port "$port" >/dev/null 2>"$tmp/second.err"
[ $? -eq 1 ] || web_fail "a second server on port $port was not refused"
grep -q "in use" "$tmp/second.err" || web_fail "no 'in use' message: $(cat "$tmp/second.err")"
python3 - "$port" <<'PY' || web_fail "the first server stopped answering"
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
for _ in range(20):
    assert opener.open("http://127.0.0.1:%s/" % sys.argv[1], timeout=10).status == 200
PY
web_stop
# TLS needs both files.
"$slds" serve "$tmp/db" --tls-cert "$tmp/nothing.pem" >/dev/null 2>&1
[ $? -eq 2 ] || web_fail "--tls-cert without --tls-key is not a usage error"
if command -v openssl >/dev/null 2>&1; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
        -subj "/CN=127.0.0.1" >/dev/null 2>&1 || web_fail "openssl"
    web_start "$tmp" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
    grep -q "listening on https://" "$tmp/serve.err" || web_fail "not https"
    python3 "${BASH_SOURCE[0]%/*}/security.py" "$tmp/fixture.json" "$port" https || web_fail "security over TLS"
    web_stop
else
    echo "note: openssl not installed, TLS not tested"
fi
echo "ok"
