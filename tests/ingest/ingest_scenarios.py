#!/usr/bin/env python3
"""ingest_scenarios.py - the scenarios of the slds ingest tests, one Python
process per test (tests/ingest/test_ingest_*.sh make the fixture, see
ingest_fixture.sh, then run one scenario).

usage: ingest_scenarios.py SCENARIO SLDS TMP

TMP holds base.db (a state without results and responses), ref.db (base.db
plus a plain `slds load` of stream/), ref.rejects.csv, and stream/ with
assessments.csv (rows that must be rejected on known lines) and
item_responses.csv. Scenarios:

  stream  random pieces and pauses; cuts at random bytes then a re-run; a
          second run of the same input changes nothing
  kill    kill -9 of slds ingest at random moments, then a re-run
  reader  slds student answers while an ingest runs, and sees committed batches

Every scenario ends with the database equal to ref.db: rows, distinct
rejects and findings (a row is listed once whatever batch or run listed
it). Exit status 0 when every check passed.
"""
import csv
import hashlib
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

KEYS = {
    "assessments": ["student_id", "school_year", "subject", "test_type", "test_name", "test_date"],
    "item_responses": ["student_id", "response_time", "item_id"],
}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def ok(msg):
    print("ok: " + msg, flush=True)


def content(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    h = hashlib.sha1()
    for sql in (
        "SELECT * FROM assessments ORDER BY 1,2,3,4,5,6,7",
        "SELECT * FROM item_responses ORDER BY 1,2,3",
        "SELECT DISTINCT file, line, column_name, value, rule_id FROM rejects ORDER BY 1,2,3,5",
        "SELECT DISTINCT file, line, column_name, value, rule_id FROM findings ORDER BY 1,2,3,5",
        "PRAGMA integrity_check",
    ):
        for row in con.execute(sql):
            h.update(repr(row).encode())
    con.close()
    return h.hexdigest()


def records(data):
    """(line, fields, ended_by_line_break) per record, numbered as the CSV reader numbers lines."""
    out, line, i, n = [], 1, 0, len(data)
    while i < n:
        start_line, fields, cur, state, ended = line, [], [], "start", False
        while i < n:
            c = data[i]
            if state == "in":
                if c == '"':
                    state = "seen"
                else:
                    if c == "\n" or (c == "\r" and (i + 1 >= n or data[i + 1] != "\n")):
                        line += 1
                    cur.append(c)
                i += 1
                continue
            if c in "\r\n":
                i += 2 if c == "\r" and i + 1 < n and data[i + 1] == "\n" else 1
                line += 1
                ended = True
                break
            if c == ",":
                fields.append("".join(cur))
                cur, state = [], "start"
            elif c == '"' and state == "start":
                state = "in"
            elif c == '"' and state == "seen":
                cur.append('"')
                state = "in"
            else:
                cur.append(c)
                state = "plain"
            i += 1
        fields.append("".join(cur))
        out.append((start_line, fields, ended))
    return out


class Fixture:
    def __init__(self, slds, tmp):
        self.slds, self.tmp = slds, tmp
        self.asm = os.path.join(tmp, "stream", "assessments.csv")
        self.itm = os.path.join(tmp, "stream", "item_responses.csv")
        self.asm_data = open(self.asm, "rb").read()
        self.itm_data = open(self.itm, "rb").read()
        self.ref = content(os.path.join(tmp, "ref.db"))
        self.rejected = set()
        with open(os.path.join(tmp, "ref.rejects.csv"), newline="") as f:
            for r in csv.DictReader(f):
                self.rejected.add(int(r["line"]))
        self.ref_rejects = sorted(open(os.path.join(tmp, "ref.rejects.csv")).read().splitlines()[1:])
        recs = records(self.asm_data.decode())
        pos = [recs[0][1].index(k) for k in KEYS["assessments"]]
        # the loadable rows of assessments.csv in stream order, by key
        self.loadable = [tuple(f[p] for p in pos) for line, f, _ in recs[1:]
                         if f != [""] and line not in self.rejected]

    def fresh(self, name):
        db = os.path.join(self.tmp, name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        with open(os.path.join(self.tmp, "base.db"), "rb") as f, open(db, "wb") as g:
            g.write(f.read())
        return db

    def prefix(self, db):
        """The assessments stored are the first m loadable rows; returns m (or -1)."""
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        stored = set(tuple(str(v) for v in r) for r in
                     con.execute("SELECT %s FROM assessments" % ", ".join(KEYS["assessments"])))
        con.close()
        m = len(stored)
        return m if set(self.loadable[:m]) == stored else -1

    def start(self, db, *args):
        """slds ingest DB - ARGS, its output and errors going to DB.out and DB.err."""
        out, err = open(db + ".out", "wb"), open(db + ".err", "wb")
        p = subprocess.Popen([self.slds, "ingest", db, "-"] + list(args), stdin=subprocess.PIPE,
                             stdout=out, stderr=err)
        out.close()
        err.close()
        p.db = db
        return p


    def rerun(self, db):
        for path in (self.asm, self.itm):
            r = subprocess.run([self.slds, "ingest", db, path, "--rejects", db + ".rerun.rejects.csv"],
                               capture_output=True)
            if r.returncode:
                fail("re-run of %s failed: %s" % (path, r.stderr.decode()))



def finish(p):
    """Waits for an ingest started by Fixture.start: (status, output, errors)."""
    p.wait()
    return p.returncode, open(p.db + ".out").read(), open(p.db + ".err").read()

def feed(proc, data, seed, max_piece=3000, pause_prob=0.1, max_pause=0.1, stop_at=None, hold_at=None,
         hold=0.0):
    """Writes data to proc's stdin in random pieces with random pauses, then closes it."""
    rng = random.Random(seed)
    if stop_at is not None:
        data = data[:stop_at]
    pos, held = 0, False
    try:
        while pos < len(data):
            n = rng.randint(1, max_piece)
            if hold_at is not None and not held and pos + n >= hold_at:
                proc.stdin.write(data[pos:hold_at])
                proc.stdin.flush()
                pos = hold_at
                time.sleep(hold)
                held = True
                continue
            proc.stdin.write(data[pos:pos + n])
            proc.stdin.flush()
            pos += n
            if rng.random() < pause_prob:
                time.sleep(rng.uniform(0, max_pause))
        proc.stdin.close()
    except (BrokenPipeError, ValueError):
        pass


def ingest_fed(fx, db, data, seed, args, **kw):
    p = fx.start(db, *args)
    t = threading.Thread(target=feed, args=(p, data, seed), kwargs=kw)
    t.start()
    t.join()
    return finish(p)


def scenario_stream(fx):
    for seed in (1, 2):
        db = fx.fresh("a.db")
        rej = os.path.join(fx.tmp, "a.rejects.csv")
        rc, out, err = ingest_fed(fx, db, fx.asm_data, seed, ["--batch-rows", "300", "--batch-seconds", "0.2",
                                                              "--format", "json", "--rejects", rej])
        if rc:
            fail("seed %d: ingest failed: %s" % (seed, err))
            continue
        s = json.loads(out)["ingest"][0]
        rc2, _, err2 = ingest_fed(fx, db, fx.itm_data, seed, ["--batch-rows", "700", "--rejects", db + ".itm.csv"],
                                  max_piece=2000, pause_prob=0.02)
        if rc2:
            fail("seed %d: ingest of item responses failed: %s" % (seed, err2))
        if content(db) != fx.ref:
            fail("seed %d: the ingested database differs from a plain load" % seed)
        if s["batches"] < 5:
            fail("seed %d: only %d batches (the test needs several)" % (seed, s["batches"]))
        if s["read"] != s["loaded"] + s["rejected"] or s["rejected"] != 3:
            fail("seed %d: read %d, loaded %d, rejected %d (expected 3)" % (seed, s["read"], s["loaded"], s["rejected"]))
        got = sorted(open(rej).read().splitlines()[1:])
        if got != fx.ref_rejects:
            fail("seed %d: rejects %s, the plain load's %s" % (seed, got, fx.ref_rejects))
        lines = [r.split(",")[1] for r in got]
        if sorted(lines) != ["1500", "40", "900"]:
            fail("seed %d: rejects on lines %s, expected 40, 900, 1500" % (seed, lines))
        con = sqlite3.connect(db)
        sources = set(r[0] for r in con.execute("SELECT source_dir FROM loads"))
        con.close()
        if "stdin" not in sources:
            fail("seed %d: loads.source_dir does not name the stream: %s" % (seed, sources))
        if not failures:
            ok("seed %d: %d batches, %d rows read = %d loaded + %d rejected (lines %s); = a plain load"
               % (seed, s["batches"], s["read"], s["loaded"], s["rejected"], ", ".join(sorted(lines, key=int))))

    # The stream stops at random bytes (inside a row, a quoted field, or on a
    # line end): the rows before it are stored (a prefix), the cut row is not;
    # sending everything again gives the plain load.
    rng = random.Random(7)
    cuts = [rng.randint(200, len(fx.asm_data) - 1) for _ in range(4)]
    cuts.append(fx.asm_data.index(b"\n", len(fx.asm_data) // 2) + 1)  # on a line end
    for cut in cuts:
        db = fx.fresh("b.db")
        rc, _, err = ingest_fed(fx, db, fx.asm_data, cut, ["--batch-rows", "250"], stop_at=cut, pause_prob=0.02)
        recs = records(fx.asm_data[:cut].decode("utf-8", "replace"))
        last = recs[-1]
        if last[2]:
            if rc != 0:
                fail("cut at %d (a line end): exit %d: %s" % (cut, rc, err))
        elif rc != 1 or ("stdin: line %d: the stream ended inside a row" % last[0]) not in err:
            fail("cut at %d (inside line %d): exit %d, %s" % (cut, last[0], rc, err))
        m = fx.prefix(db)
        whole = sum(1 for r in recs[1:] if r[2] and r[1] != [""] and r[0] not in fx.rejected)
        if m != whole:
            fail("cut at %d: %d rows stored, expected the %d whole loadable rows before the cut" % (cut, m, whole))
        fx.rerun(db)
        if content(db) != fx.ref:
            fail("cut at %d then a re-run differs from a plain load" % cut)
        else:
            ok("cut at byte %d (%s line %d): the %d whole rows before it stored%s; re-run = plain load"
               % (cut, "after" if last[2] else "inside", last[0] - (1 if last[2] else 0), m,
                  "" if last[2] else ", the cut one not"))

    # Idempotent: the same input again changes no row and adds no reject or history.
    before = content(db)
    fx.rerun(db)
    con = sqlite3.connect(db)
    history = con.execute("SELECT count(*) FROM row_history").fetchone()[0]
    con.close()
    if content(db) != before or history:
        fail("a second ingest of the same rows changed the database (%d history rows)" % history)
    else:
        ok("ingesting the same rows again changes nothing")


def scenario_kill(fx):
    rng = random.Random(3)
    for i in range(4):
        db = fx.fresh("k.db")
        p = fx.start(db, "--batch-rows", "200", "--batch-seconds", "0.2")
        t = threading.Thread(target=feed, args=(p, fx.asm_data, 100 + i),
                             kwargs={"max_piece": 2000, "pause_prob": 0.3, "max_pause": 0.1})
        t.start()
        delay = rng.uniform(0.1, 2.0)
        time.sleep(delay)
        killed = p.poll() is None
        p.send_signal(signal.SIGKILL)
        p.wait()
        t.join()
        m = fx.prefix(db)
        con = sqlite3.connect(db)
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        con.close()
        if integrity != "ok":
            fail("kill after %.2f s: integrity_check: %s" % (delay, integrity))
        if m < 0:
            fail("kill after %.2f s: what is stored is not a prefix of the stream" % delay)
        fx.rerun(db)
        if content(db) != fx.ref:
            fail("kill after %.2f s then a re-run differs from a plain load" % delay)
        elif m >= 0 and integrity == "ok":
            ok("kill -9 after %.2f s%s: %d rows committed (a prefix), integrity ok; re-run = plain load"
               % (delay, "" if killed else " (already done)", m))


def scenario_reader(fx):
    db = fx.fresh("r.db")
    # Hold the stream after the first 40% for 3 s: that part must be committed
    # and readable while slds ingest still runs (waiting for more).
    hold_at = fx.asm_data.index(b"\n", int(len(fx.asm_data) * 0.4)) + 1
    p = fx.start(db, "--batch-seconds", "0.3")
    t = threading.Thread(target=feed, args=(p, fx.asm_data, 5),
                         kwargs={"hold_at": hold_at, "hold": 3.0, "pause_prob": 0.0})
    t0 = time.monotonic()
    t.start()
    recs = records(fx.asm_data[:hold_at].decode())
    header = recs[0][1]
    last_whole = [r for r in recs[1:] if r[2] and r[0] not in fx.rejected][-1][1]
    student, score = last_whole[header.index("student_id")], last_whole[header.index("scale_score")]
    test_name = last_whole[header.index("test_name")]
    seen = False
    answers = []
    while time.monotonic() - t0 < 2.8 and not seen:
        a = time.monotonic()
        r = subprocess.run([fx.slds, "student", db, student, "--section", "tests", "--format", "csv"],
                           capture_output=True)
        answers.append(time.monotonic() - a)
        if r.returncode:
            fail("slds student failed while ingesting: %s" % r.stderr.decode())
            break
        seen = any(test_name in line and ("," + score + ",") in line for line in r.stdout.decode().splitlines())
        if not seen:
            time.sleep(0.1)
    running = p.poll() is None
    waited = time.monotonic() - t0
    t.join()
    rc, _, err = finish(p)
    if rc:
        fail("ingest failed: %s" % err)
    if not seen:
        fail("the last row before the pause (student %s, %s %s) was not visible to slds student within 2.8 s"
             % (student, test_name, score))
    elif not running:
        fail("slds ingest had ended before the reader saw the row (the pause did not hold it)")
    else:
        ok("slds student answered %d times while slds ingest ran (slowest %.2f s) and saw the row sent last "
           "before the pause %.2f s after the stream began" % (len(answers), max(answers), waited))
    if fx.prefix(db) != len(fx.loadable):
        fail("after the stream ended, not every row was stored")


def main():
    scenario, slds, tmp = sys.argv[1:4]
    fx = Fixture(slds, tmp)
    {"stream": scenario_stream, "kill": scenario_kill, "reader": scenario_reader}[scenario](fx)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
