# bench/web/serve_lib.sh - sourced by bench/web/run.sh and
# bench/record/serve.sh: starts `slds serve` on a benchmark state and logs
# in its bench users (password bench-password-1, added by run.sh).

# serve_start SLDS DB ERRFILE [THREADS]: the server on a free loopback port
# (THREADS empty: the server's default, one per processor),
# its messages in ERRFILE; sets pid and base (http://127.0.0.1:PORT). The
# caller stops it (kill $pid).
serve_start() {
    "$1" serve "$2" --port 0 ${4:+--threads "$4"} 2>"$3" &
    pid=$!
    local port=
    for _ in $(seq 1 100); do
        port=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$3" | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    base=http://127.0.0.1:$port
}

# serve_login USER: prints the session cookie of USER.
serve_login() {
    curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"bench-password-1\"}" "$base/api/v1/session" |
        grep -i '^set-cookie: slds_session=' | sed 's/^[^=]*=\([0-9a-f]*\);.*/\1/'
}
