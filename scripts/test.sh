#!/usr/bin/env bash
# The README's second command: installs what is needed, builds, and runs the
# whole test suite with ctest; then the same suite under AddressSanitizer and
# UndefinedBehaviorSanitizer (SLDS_SKIP_SANITIZERS=1 skips that part).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test build
ctest --test-dir build --output-on-failure -j2 --timeout 600
if [ -z "${SLDS_SKIP_SANITIZERS:-}" ]; then
    scripts/test_sanitizers.sh
fi
