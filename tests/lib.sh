# lib.sh - the start the shell tests (tests/<module>/test_*.sh) share,
# sourced first thing after a test's header comment:
#
#   . "${BASH_SOURCE[0]%/*}/../lib.sh"
#
# It sets -u and sources require.sh (skip, require_cmd, require_file), and sets
#   slds   the binary under test: the test's first argument (CMakeLists.txt
#          passes $<TARGET_FILE:slds>); a usage line and exit 1 without it
#   src    the source tree: $SLDS_SOURCE_DIR (set by ctest), else the tree
#          this file is in
#   tmp    a new temporary directory, removed when the test exits
#   SLDS_NO_PROGRESS=1 (exported: no progress bar in captured output)
# and defines
#   fail MESSAGE...   prints "FAIL: MESSAGE" and exits 1
#   synth_load STUDENTS YEARS SEED [LOAD OPTION...]
#                     a small synthetic state: `slds synth` into $tmp/c and
#                     `slds load` of it into $tmp/db (fails "synth" or "load")

set -u
. "${BASH_SOURCE[0]%/*}/require.sh"
slds=${1:?usage: bash ${0##*/} SLDS}
src=${SLDS_SOURCE_DIR:-$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SLDS_NO_PROGRESS=1

fail() {
    echo "FAIL: $*"
    exit 1
}

synth_load() {
    "$slds" synth "$tmp/c" --students "$1" --years "$2" --seed "$3" >/dev/null 2>&1 || fail synth
    shift 3
    "$slds" load "$tmp/db" "$tmp/c" "$@" >/dev/null 2>&1 || fail load
}
