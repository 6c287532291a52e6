#!/usr/bin/env bash
# Times every accountability report of the registry on one loaded state
# (each run as for publication: --public --format csv) and prints each
# report's wall and CPU seconds, peak memory and output rows, and the totals (issue 9: all reports for a
# 1,000,000-student x 5-year state in under a minute); then runs them all at
# once with `slds report DB --all` (in parallel on the processors, the
# achievement cube shared) and prints its table of each report's time.
#
# usage: bench/account/run_reports.sh DB YEAR [SLDS]
#   DB    a loaded state (e.g. from `slds synth OUT --students N --years 5`,
#         `slds load DB OUT`, `slds educators run DB --year YEAR --config tennessee`)
#   YEAR  the report year (the last loaded school year)
# Reports needing data the state lacks (finance.csv, educator ratings) print
# their error and count 0 s. The audit (data quality, not an accountability
# report) is left out; `competes` runs the audit's elements.
set -u
db=${1:?usage: run_reports.sh DB YEAR [SLDS]}
year=${2:?usage: run_reports.sh DB YEAR [SLDS]}
slds=${3:-$(dirname "$0")/../../build/slds}
export SLDS_NO_PROGRESS=1
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total=0
cputotal=0
printf '%-22s %9s %9s %9s  %s\n' report seconds cpu_s peak_MiB rows
for spec in "graduation --year $year" "college --year $((year - 1))" "lowest-achieving --year $year" \
    "achievement --year $year" "competes" "performance-measures --year $year" \
    "funding --year $year" "equity --year $year" "preparation --year $year" \
    "growth-aggregates --year $year"; do
    name=${spec%% *}
    args=${spec#"$name"}
    # shellcheck disable=SC2086
    if /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$slds" report "$db" $name $args --public --format csv \
        >"$out/csv" 2>"$out/err"; then
        read -r secs user sys rss <"$out/time"
        cpu=$(python3 -c "print($user + $sys)")
        rows=$(grep -vc '^$' "$out/csv")
        printf '%-22s %9.2f %9.2f %9.0f  %s\n' "$name" "$secs" "$cpu" "$((rss / 1024))" "$rows"
        total=$(python3 -c "print($total + $secs)")
        cputotal=$(python3 -c "print($cputotal + $cpu)")
    else
        printf '%-22s %9s %9s %9s  %s\n' "$name" "-" "-" "-" "$(grep -v 'public form' "$out/err" | head -1)"
    fi
done
printf '%-22s %9.2f %9.2f\n' total "$total" "$cputotal"
echo "(seconds: wall clock; cpu_s: user + system; on a shared machine the CPU time is the steadier figure)"
echo
echo "all at once: slds report DB --all --year $year --public --format csv --out DIR"
mkdir -p "$out/all"
/usr/bin/time -f "%e %U %S %M" -o "$out/time" "$slds" report "$db" --all --year "$year" --public --format csv \
    --out "$out/all" 2>"$out/err" || { cat "$out/err"; }
read -r secs user sys rss <"$out/time"
printf 'whole run: %.2f s wall, %.2f s CPU (user + system), peak %d MiB, on %s processors\n' "$secs" \
    "$(python3 -c "print($user + $sys)")" "$((rss / 1024))" "$(nproc)"
