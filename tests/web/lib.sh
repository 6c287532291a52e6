# lib.sh - sourced by the web tests: a small synthetic state with growth,
# one user of every role (scopes picked from the data by fixture.py), and a
# server on a free loopback port. Needs `slds user` (src/access): the tests
# skip (77) on a tree without it.
#
#   web_state DIR        synth + load + growth run into DIR/db, users, DIR/fixture.json
#                        (built once per slds binary and test scripts in
#                        $SLDS_BUILD_DIR/web-state, under a lock, then copied:
#                        the web tests share one setup instead of four)
#   web_start DIR [ARGS] starts `slds serve DIR/db --port 0 ARGS`, sets $port and $server_pid
#   web_stop             stops it (SIGTERM) and waits

. "${BASH_SOURCE[0]%/*}/../require.sh"
require_cmd python3
export SLDS_NO_PROGRESS=1
# Users of the tests are hashed at Argon2id's minimum cost (and so is the server's
# dummy hash): the default costs 0.1 s and 64 MiB per hash and per login.
export SLDS_TEST_MIN_PASSWORD_COST=1
# The tests talk to 127.0.0.1 only: never through a proxy.
export no_proxy='*' NO_PROXY='*'
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

web_fail() { echo "FAIL: $*"; exit 1; }

web_state() {
    local dir=$1
    "$slds" user --help >/dev/null 2>&1 || skip "this slds has no 'user' command (src/access not in the tree)"
    if [ -z "${SLDS_BUILD_DIR:-}" ] || ! command -v flock >/dev/null 2>&1; then
        web_state_build "$dir"
        return
    fi
    local cache=$SLDS_BUILD_DIR/web-state here=${BASH_SOURCE[0]%/*} stamp
    stamp=$(cat "$slds" "$here/lib.sh" "$here/fixture.py" | md5sum)
    mkdir -p "$cache"
    (
        flock 9
        if [ "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp" ]; then
            rm -rf "$cache/s" "$cache/stamp"
            mkdir -p "$cache/s"
            web_state_build "$cache/s" && echo "$stamp" >"$cache/stamp"
        fi
    ) 9>"$cache/lock" || web_fail "building the shared web state"
    [ -f "$cache/stamp" ] || web_fail "no shared web state"
    cp "$cache/s/db" "$cache/s/fixture.json" "$cache/s/users.txt" "$dir/" || web_fail "copying the web state"
}

web_state_build() {
    local dir=$1
    "$slds" user --help >/dev/null 2>&1 || skip "this slds has no 'user' command (src/access not in the tree)"
    "$slds" synth "$dir/c" --students 600 --years 3 --seed 11 >/dev/null 2>&1 || web_fail synth
    "$slds" load "$dir/db" "$dir/c" >/dev/null 2>&1 || web_fail load
    "$slds" growth run "$dir/db" --year 2023 --threads 1 >/dev/null 2>&1 || web_fail "growth run"
    # What the dashboards and instruction pages show: educator ratings, early
    # warning, mastery; and two approved extracts, one released to the
    # researcher account and one to another researcher (out of its scope).
    "$slds" educators run "$dir/db" --year 2023 --config colorado >/dev/null 2>&1 || web_fail "educators run"
    "$slds" warn run "$dir/db" --year 2023 >/dev/null 2>&1 || web_fail "warn run"
    "$slds" mastery fit "$dir/db" >/dev/null 2>&1 || web_fail "mastery fit"
    local who
    for who in researcher other-researcher; do
        cat >"$dir/spec-$who.json" <<SPEC
{"requester": "$who, State University", "purpose": "study of $who", "approved_by": "State data steward",
 "researcher": "$who", "k": 5, "years": [2023],
 "tables": {"students": ["sex"], "assessments": ["school_year", "subject", "grade_tested", "scale_score"]}}
SPEC
        "$slds" extract "$dir/db" --spec "$dir/spec-$who.json" "$dir/extract-$who" >/dev/null 2>&1 || web_fail "extract"
    done
    python3 "${BASH_SOURCE[0]%/*}/fixture.py" "$dir/db" >"$dir/fixture.json" || web_fail "fixture"
    # One user per role; every password is "pw-<role>-123456".
    python3 - "$dir/fixture.json" <<'PY' >"$dir/users.txt" || web_fail "users"
import json, sys
f = json.load(open(sys.argv[1]))
for name, u in f["users"].items():
    print(name, u["role"], " ".join(u["scopes"]))
PY
    local name role scopes args s
    while read -r name role scopes; do
        args=()
        for s in $scopes; do args+=(--scope "$s"); done
        echo "pw-$role-123456" | "$slds" user add "$dir/db" "$name" --role "$role" "${args[@]}" \
            --password-stdin >/dev/null 2>&1 || web_fail "user add $name"
    done <"$dir/users.txt"
}

web_start() {
    local dir=$1
    shift
    "$slds" serve "$dir/db" --port 0 --threads 2 "$@" 2>"$dir/serve.err" &
    server_pid=$!
    port=
    for _ in $(seq 1 100); do
        port=$(grep -o 'listening on [a-z]*://[0-9.]*:[0-9][0-9]*' "$dir/serve.err" 2>/dev/null | grep -o '[0-9]*$')
        [ -n "$port" ] && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$dir/serve.err"; web_fail "slds serve exited"; }
        sleep 0.1
    done
    [ -n "$port" ] || web_fail "slds serve did not start"
}

web_stop() {
    [ -n "${server_pid:-}" ] || return 0
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
}
