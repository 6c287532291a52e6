#!/usr/bin/env bash
# run_bench.sh SLDS [WORKDIR] - the measured figures of issue 8 (not a test):
#  1. lme4: the SGP package's demonstration data with its instructor links
#     (converted and loaded as tests/growthrun/test_growth_reference.sh does),
#     `slds educators run --config lme4 --min-students 0 --min-fte 0
#     --model-frame`, the same model frame fitted by lmer() (lme4_fit.R);
#     correlation of the conditional modes and the time of the fits.
#  2. truth: a synthetic state of 60,000 students (3 years, about 1,000
#     teachers), estimates against truth/teacher_year_effects.csv, shrunken
#     and unshrunken, and lme4's on the same frame; the share of the true
#     bottom and top 10% rated Ineffective and Highly Effective (colorado).
# Needs R with lme4 (Debian: apt-get install -y r-base-core r-cran-lme4).
set -eu
slds=$(readlink -f "$1")
work=${2:-$(mktemp -d)}
here=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
shared=${SLDS_SHARED_DIR:-$here/../../../shared}
sgp=$shared/data/sgp
export SLDS_NO_PROGRESS=1
mkdir -p "$work" && cd "$work"
echo "== lme4 on the SGP demonstration data"
if [ ! -f sgp.db ]; then
    "$slds" convert sgp-long "$sgp/sgpData_LONG.csv.gz" sgp_c --instructors "$sgp/sgpData_INSTRUCTOR_NUMBER.csv.gz" >/dev/null
    "$slds" load sgp.db sgp_c --rejects sgp_rejects.csv >/dev/null
    "$slds" growth run sgp.db --year 2025 --config "$sgp/SGPstateData_DEMO.json" >/dev/null
fi
"$slds" educators run sgp.db --year 2025 --config lme4 --min-students 0 --min-fte 0 --model-frame sgp_frame.csv | tee sgp_run.txt
Rscript "$here/lme4_fit.R" sgp_frame.csv sgp_lme4.csv
python3 "$here/compare.py" sgp.db 2025 sgp_lme4.csv "$(grep -o 'fits [0-9.]*' sgp_run.txt | cut -d' ' -f2)" || true
echo "== truth on a synthetic state"
if [ ! -f synth.db ]; then
    "$slds" synth synth_c --students 60000 --years 3 --seed 5 >/dev/null
    "$slds" load synth.db synth_c --rejects synth_rejects.csv >/dev/null
    "$slds" growth run synth.db --year 2023 >/dev/null
fi
"$slds" educators run synth.db --year 2023 --config lme4 --min-students 0 --min-fte 0 --model-frame synth_frame.csv | tee synth_run.txt
Rscript "$here/lme4_fit.R" synth_frame.csv synth_lme4.csv
python3 "$here/compare.py" synth.db 2023 synth_lme4.csv "$(grep -o 'fits [0-9.]*' synth_run.txt | cut -d' ' -f2)" || true
python3 "$here/truth.py" synth.db synth_c/truth/teacher_year_effects.csv 2023 synth_lme4.csv
"$slds" educators run synth.db --year 2023 --config colorado | tee synth_colorado.txt
python3 "$here/truth.py" synth.db synth_c/truth/teacher_year_effects.csv 2023 --ratings
