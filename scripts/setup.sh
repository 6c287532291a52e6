#!/usr/bin/env bash
# Installs the Debian packages slds needs (skipping those already installed)
# and builds it. Usage: scripts/setup.sh [--test] [BUILD_DIR] [extra cmake args]
#   --test  also the packages the test suite uses (clang for the fuzz smoke run; curl,
#           chromium, node and playwright-core for the web tests)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libsqlite3-dev sqlite3 libjansson-dev libsodium-dev zlib1g-dev
          libcmocka-dev python3 libmicrohttpd-dev)
if [ "${1:-}" = "--test" ]; then
    shift
    with_tests=1
    packages+=(clang libclang-rt-dev cppcheck curl chromium nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
    # node and npm may come from elsewhere (NodeSource's nodejs bundles npm,
    # and Debian's npm then conflicts with it): a working command is enough.
    case $p in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The browser tests (tests/web/test_web_browser.sh) drive chromium with
# playwright-core from npm, pinned by tests/web/package-lock.json.
if [ "${with_tests:-}" = 1 ] && [ ! -d tests/web/node_modules/playwright-core ]; then
    (cd tests/web && npm ci --no-audit --no-fund >&2) || echo "setup: npm ci failed: the browser tests will be skipped" >&2
fi

build=${1:-build}
[ $# -gt 0 ] && shift
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)" >&2
