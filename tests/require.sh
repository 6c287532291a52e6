# require.sh - sourced by the shell tests (tests/<module>/test_*.sh): a test
# whose prerequisite is absent (shared/ beside the work tree, a program such
# as sqlite3, python3 or clang) says why on a "skipped: ..." line and exits
# 77, which CMakeLists.txt declares as ctest's SKIP_RETURN_CODE: ctest then
# counts it Skipped, never Passed.

skip() {
    echo "skipped: $*"
    exit 77
}

# require_cmd NAME...: skip unless every program is on PATH.
require_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
    done
}

# require_file PATH [WHY]: skip unless the file exists.
require_file() {
    [ -f "$1" ] || skip "$1 not found${2:+ ($2)}"
}
