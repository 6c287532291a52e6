#!/usr/bin/env bash
# test_web_authz.sh - the authorization suite of `slds serve` (authz.py): on a
# small synthetic state with one user of every role, every role x every route
# x a resource inside and outside the role's scope answers the expected
# status, and no body names a student outside the role's scope.
set -u
slds=${1:?usage: test_web_authz.sh SLDS}
. "${BASH_SOURCE[0]%/*}/lib.sh"
tmp=$(mktemp -d)
trap 'web_stop; rm -rf "$tmp"' EXIT
web_state "$tmp"
web_start "$tmp"
python3 "${BASH_SOURCE[0]%/*}/authz.py" "$tmp/fixture.json" "$port" || { tail -5 "$tmp/serve.err"; web_fail "authorization"; }
web_stop
# Every student record the suite opened was logged (admin, district,
# principal, teacher, parent, student opened student_in).
"$slds" user log "$tmp/db" --student "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["places"]["student_in"])' "$tmp/fixture.json")" \
    --format csv >"$tmp/log.csv" || web_fail "user log"
for u in admin district principal teacher parent student; do
    grep -q ",$u," "$tmp/log.csv" || grep -q "^[^,]*,$u," "$tmp/log.csv" || { cat "$tmp/log.csv"; web_fail "the access log lacks $u's view"; }
done
grep -q "analyst\|researcher" "$tmp/log.csv" && web_fail "a refused view was logged"
echo "ok"
