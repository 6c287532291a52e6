#!/usr/bin/env python3
"""pace.py FILE RATE - writes the CSV file FILE to stdout at RATE rows per
second (the header at once, then each row on its schedule from the start),
so that `slds ingest DB -` reads a steady stream as a collector would send
it. Used by bench_ingest.sh and bench_batch_cost.sh."""
import os, sys, time
lines = open(sys.argv[1], 'rb').read().splitlines(keepends=True)
rate = float(sys.argv[2])
os.write(1, lines[0])
start = time.monotonic()
for i, line in enumerate(lines[1:]):
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    os.write(1, line)
