#!/usr/bin/env bash
# Prints which module includes which (src/<module>/*.c|h, direct #include
# "other/..." lines): the data behind docs/architecture.md.
# Usage: scripts/module_graph.sh [--dot]
set -euo pipefail
cd "$(dirname "$0")/../src"
[ "${1:-}" = --dot ] && echo "digraph slds {"
for d in */; do
    m=${d%/}
    deps=$(grep -ho '^#include "[a-z_]*/' "$m"/*.[ch] 2>/dev/null | sed 's/#include "//; s|/$||' |
           sort -u | grep -vx "$m" || true)
    if [ "${1:-}" = --dot ]; then
        for t in $deps; do echo "  $m -> $t;"; done
    else
        echo "$m -> $(echo $deps)"
    fi
done
[ "${1:-}" = --dot ] && echo "}"
exit 0
