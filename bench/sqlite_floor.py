#!/usr/bin/env python3
"""What SQLite alone needs to write the rows of an imported log: the floor under `import`.

Copies the incidents, steps and follow-ups of a log `recover import` wrote into a new
log with the same schema (every table and index, the report text's generated column),
by `INSERT ... SELECT` inside SQLite: no JSON read, no checking, no parameters bound,
no Rust at all. The new log is set up as `import` sets up its own (write-ahead log,
`synchronous = FULL`, a 128 MiB page cache, checkpoints every 128 MiB), and each table
is one transaction, which is kinder to SQLite than `import`'s batches of two seconds.
`import`'s writing cannot be faster than this on the same machine; its first pass
(reading and checking every line before anything is written) comes on top.

A `WHERE` on the key keeps SQLite from copying the pages whole (its transfer
optimisation for `INSERT INTO t SELECT * FROM u` into an empty table), which `import`
never can.

This uses Python's own SQLite, which may be older than the one built into `recover`;
it says which. Usage:

    python3 bench/sqlite_floor.py [--log target/bench-data/log-1000000.db] [--runs 2]
"""

import argparse
import os
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The tables an import writes, each with the column that keys its rows to an incident.
TABLES = [("incidents", "n"), ("steps", "incident"), ("follow_ups", "incident")]


def schema(src):
    """The statements that make the source log's tables and indexes, tables first."""
    rows = src.execute(
        "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        " ORDER BY type = 'index', rowid").fetchall()
    return [sql for _, sql in rows]


def stored_columns(src, table):
    """The columns of `table` that hold values (not the generated ones)."""
    # table_xinfo's `hidden`: 0 an ordinary column, 2 and 3 generated ones.
    return [name for _, name, _, _, _, _, hidden in src.execute(f"PRAGMA table_xinfo({table})")
            if hidden == 0]


def copy(log, scratch, drop_indexes, counts):
    """Times copying each table of `log` (`counts` rows each) into a new log in `scratch`;
    gives seconds by table."""
    src = sqlite3.connect(log)
    statements = schema(src)
    columns = {t: ", ".join(stored_columns(src, t)) for t, _ in TABLES}
    src.close()
    path = os.path.join(scratch, "floor.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for sql in statements:
        if drop_indexes and sql.lstrip().upper().startswith("CREATE INDEX"):
            continue
        db.execute(sql)
    db.executescript("PRAGMA synchronous = FULL; PRAGMA cache_size = -131072;"
                     " PRAGMA wal_autocheckpoint = 32768; PRAGMA foreign_keys = OFF;")
    db.execute("ATTACH ? AS src", (log,))
    times = {}
    for table, key in TABLES:
        cols = columns[table]
        started = time.perf_counter()
        db.execute("BEGIN")
        db.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM src.{table} WHERE {key} > 0")
        db.execute("COMMIT")
        times[table] = time.perf_counter() - started
    db.execute("DETACH src")
    # Every row copied, or the figure means nothing.
    for table, _ in TABLES:
        copied = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if copied != counts[table]:
            sys.exit(f"{table}: {copied} rows copied of {counts[table]}")
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--log", default=os.path.join(ROOT, "target", "bench-data", "log-1000000.db"),
                   help="a log written by `recover import` (bench/run.py makes them)")
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--scratch", default=None, help="where the copy is made (default: next to the log)")
    args = p.parse_args()
    if not os.path.exists(args.log):
        sys.exit(f"{args.log}: no such log (run bench/run.py first, or give --log)")
    scratch = args.scratch or tempfile.mkdtemp(prefix="floor-", dir=os.path.dirname(os.path.abspath(args.log)))
    counts = {}
    src = sqlite3.connect(args.log)
    for table, _ in TABLES:
        counts[table] = src.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    src.close()
    print(f"SQLite {sqlite3.sqlite_version} (Python's), log {args.log}")
    print("| run | " + " | ".join(f"{t} ({counts[t]:,} rows)" for t, _ in TABLES) + " | all |")
    print("|---|" + "---|" * (len(TABLES) + 1))
    for drop in (False, True):
        for run in range(args.runs):
            os.sync()
            times = copy(args.log, scratch, drop, counts)
            label = ("without secondary indexes" if drop else "the log's schema") + f", run {run + 1}"
            cells = " | ".join(f"{times[t]:.1f} s" for t, _ in TABLES)
            print(f"| {label} | {cells} | {sum(times.values()):.1f} s |", flush=True)
    if not args.scratch:
        os.rmdir(scratch)


if __name__ == "__main__":
    main()
