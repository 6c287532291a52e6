#!/usr/bin/env bash
# test_web_browser.sh - end-to-end tests of the pages in headless Chromium
# (browser.js, playwright-core from tests/web/node_modules driving Debian's
# chromium): teacher and parent see only their students, public report cards
# show suppressed cells as such; screenshots of every page are kept in
# $SLDS_BUILD_DIR/web-screenshots. Skipped (77) without chromium, node or
# playwright-core (`scripts/setup.sh --test` installs them).
set -u
slds=${1:?usage: test_web_browser.sh SLDS}
. "${BASH_SOURCE[0]%/*}/lib.sh"
here=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
require_cmd node
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || skip "chromium is not installed"
[ -d "$here/node_modules/playwright-core" ] || skip "playwright-core is not installed (cd tests/web && npm ci)"
tmp=$(mktemp -d)
trap 'web_stop; rm -rf "$tmp"' EXIT
web_state "$tmp"
web_start "$tmp"
out=${SLDS_BUILD_DIR:-$tmp}/web-screenshots
mkdir -p "$out"
CHROMIUM=$chromium node "$here/browser.js" "$tmp/fixture.json" "$port" "$out" || { tail -5 "$tmp/serve.err"; web_fail "browser"; }
echo "ok"
