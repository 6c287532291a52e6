#!/usr/bin/env bash
# test_user_cli.sh - `slds user` end to end on tests/data/tiny: add (password
# from stdin only; scopes checked against the data), list in every format
# (never a hash), passwd, disable, log; the password never appears in any
# output; the stored hash is an Argon2id string (checked with sqlite3 when it
# is installed); list works on a read-only file.
# Usage: bash tests/access/test_user_cli.sh path/to/slds
set -u
. "${BASH_SOURCE[0]%/*}/../require.sh"
SLDS=${1:?usage: test_user_cli.sh SLDS}
SRC=${SLDS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
PW='tiny state password 1'
db="$tmp/t.db"
out="$tmp/all_output.txt"
: >"$out"

"$SLDS" load "$db" "$SRC/tests/data/tiny" --rejects "$tmp/r.csv" >/dev/null 2>&1 || { echo "FAIL: load of tiny"; exit 1; }

# run CMD...: runs slds with its output kept (to look for the password later)
run() { "$SLDS" "$@" >>"$out" 2>&1; }

echo "$PW" | run user add "$db" ada --role state-admin --password-stdin || bad "add state-admin"
echo "$PW" | run user add "$db" north --role principal --scope S1 --password-stdin || bad "add principal"
echo "$PW" | run user add "$db" mum --role parent --scope 1000000001 --scope 1000000002 --password-stdin \
    || bad "add parent with two children"

# refused: each with its exit status, nothing stored
echo "$PW" | "$SLDS" user add "$db" x1 --role principal --scope NOPE --password-stdin >>"$out" 2>&1
[ $? -eq 1 ] || bad "an unknown scope is not an error"
echo "$PW" | "$SLDS" user add "$db" x2 --role teacher --password-stdin >>"$out" 2>&1
[ $? -eq 2 ] || bad "teacher without --scope is not a usage error"
echo "$PW" | "$SLDS" user add "$db" x3 --role wizard --password-stdin >>"$out" 2>&1
[ $? -eq 2 ] || bad "an unknown role is not a usage error"
"$SLDS" user add "$db" x4 --role state-admin --password "$PW" >"$tmp/e.txt" 2>&1
[ $? -eq 2 ] || bad "--password on the command line is accepted"
grep -q "never taken on the command line" "$tmp/e.txt" || bad "--password: no reason given"
echo "$PW" | "$SLDS" user add "$db" x5 --role state-admin >>"$out" 2>&1
[ $? -eq 2 ] || bad "add without --password-stdin is accepted"
echo "short" | "$SLDS" user add "$db" x6 --role state-admin --password-stdin >"$tmp/e.txt" 2>&1
[ $? -eq 2 ] || bad "a 5-byte password is accepted (or not a usage error)"
grep -q "12 to 1024 bytes" "$tmp/e.txt" || bad "short password: no reason given"
cat "$tmp/e.txt" >>"$out"
echo "$PW" | "$SLDS" user add "$db" ada --role state-admin --password-stdin >>"$out" 2>&1
[ $? -eq 2 ] || bad "a duplicate username is accepted (or not a usage error)"
"$SLDS" user add "$db" x7 --role state-admin --password-stdin </dev/null >>"$out" 2>&1
[ $? -eq 1 ] || bad "an empty stdin is accepted"
"$SLDS" user frobnicate "$db" >/dev/null 2>&1
[ $? -eq 2 ] || bad "an unknown subcommand is not a usage error"
"$SLDS" user --help | grep -q "password-stdin" || bad "--help does not mention --password-stdin"

"$SLDS" user list "$db" --format csv >"$tmp/list.csv" || bad "list csv"
cat "$tmp/list.csv" >>"$out"
expected='username,role,scopes,disabled
ada,state-admin,,no
mum,parent,1000000001 1000000002,no
north,principal,S1,no'
[ "$(cut -d, -f1-4 "$tmp/list.csv")" = "$expected" ] || { bad "list csv"; cat "$tmp/list.csv"; }
run user list "$db" || bad "list table"
"$SLDS" user list "$db" --format json >"$tmp/list.json" || bad "list json"
cat "$tmp/list.json" >>"$out"
grep -q '"scopes": \[' "$tmp/list.json" || bad "json scopes are not an array"

echo 'a second good password' | run user passwd "$db" north --password-stdin || bad "passwd"
echo 'a second good password' | "$SLDS" user passwd "$db" nobody --password-stdin >>"$out" 2>&1
[ $? -eq 1 ] || bad "passwd of an unknown user"
run user disable "$db" mum || bad "disable"
"$SLDS" user list "$db" --format csv >"$tmp/list2.csv"
grep -q '^mum,parent,.*,yes,' "$tmp/list2.csv" || bad "mum is not disabled"
grep -q '^north,principal,S1,no,[0-9T:-]*Z,[0-9T:-]*Z$' "$tmp/list2.csv" || bad "north's change time missing"
run user log "$db" --student 1000000001 || bad "log"

# readers never write: list works on a read-only file
chmod 444 "$db"
"$SLDS" user list "$db" >/dev/null 2>&1 || bad "list of a read-only database"
chmod 644 "$db"

# the password never shows, nor any hash
grep -q "$PW" "$out" && bad "the password appears in an output"
grep -q "second good" "$out" && bad "the new password appears in an output"
grep -qi "argon2" "$out" && bad "a hash appears in an output"

if command -v sqlite3 >/dev/null 2>&1; then
    hashes=$(sqlite3 "$db" "SELECT password_hash FROM users ORDER BY username")
    [ "$(echo "$hashes" | grep -c '^\$argon2id\$v=19\$m=65536,t=2,p=1\$')" = 3 ] \
        || { bad "stored hashes are not Argon2id at the interactive cost"; echo "$hashes"; }
    echo "$hashes" | grep -q "$PW" && bad "the password is stored"
    [ "$(sqlite3 "$db" "SELECT count(*) FROM users WHERE username LIKE 'x%'")" = 0 ] \
        || bad "a refused user was stored"
    # The tests' cheap hashes only with the variable set, and said on stderr.
    echo "$PW" | SLDS_TEST_MIN_PASSWORD_COST=1 "$SLDS" user add "$db" cheap.user --role state-analyst \
        --password-stdin >/dev/null 2>"$tmp/cheap.err" || bad "user add with the test cost"
    grep -q "tests only" "$tmp/cheap.err" || bad "the test cost is not said on stderr"
    sqlite3 "$db" "SELECT password_hash FROM users WHERE username = 'cheap.user'" |
        grep -q '^\$argon2id\$v=19\$m=8,t=1,p=1\$' || bad "SLDS_TEST_MIN_PASSWORD_COST=1 did not use the minimum cost"
    echo "$PW" | SLDS_TEST_MIN_PASSWORD_COST=0 "$SLDS" user add "$db" dear.user --role state-analyst \
        --password-stdin >/dev/null 2>&1 || bad "user add"
    sqlite3 "$db" "SELECT password_hash FROM users WHERE username = 'dear.user'" |
        grep -q '^\$argon2id\$v=19\$m=65536,t=2,p=1\$' || bad "the default cost changed"
else
    echo "note: sqlite3 not installed; stored hashes not inspected"
fi

[ $fail -eq 0 ] && echo "ok: slds user"
exit $fail
