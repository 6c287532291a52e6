#!/usr/bin/env bash
# Readers keep answering while slds ingest runs, and see each batch once it
# is committed: `slds student` shows a row sent before a pause in the stream
# while slds ingest still waits for more (ingest_scenarios.py reader).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/ingest_fixture.sh"
scenario reader
