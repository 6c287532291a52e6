#!/usr/bin/env bash
# slds ingest from a stream cut into random pieces with random pauses, and
# from a stream that stops at random bytes then is sent again: nothing lost,
# nothing duplicated: the database equals a plain `slds load` of the same
# rows (rows, rejects, findings), rejects name the stream's lines, and the
# same input again changes nothing (ingest_scenarios.py stream).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/ingest_fixture.sh"
scenario stream
