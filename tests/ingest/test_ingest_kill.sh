#!/usr/bin/env bash
# slds ingest killed (kill -9) at random moments: what is stored is a prefix
# of the stream (whole batches, in order), the database is intact, and
# sending the stream again gives a plain load (ingest_scenarios.py kill).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/ingest_fixture.sh"
scenario kill
