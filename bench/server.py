#!/usr/bin/env python3
"""The shared log at chain scale: a throwaway PostgreSQL server holding a 1M-incident log
spread over 300 sites, what a desk and head office wait for, push throughput, and the
query plans.

    python3 bench/server.py [--log target/bench-data/log-1000000.db] [--sites 300]
                            [--runs 7] [--push 2000] [--markdown FILE]

The incidents are the 1M benchmark log of `bench/run.py` (made there by `recover import`
of `bench/generate.py`'s data, so every incident and its summary columns are the engine's),
copied into the server with `COPY` (a push of a million incidents through desks would take
hours and measure nothing new), each incident given to site `site-NNN` by its row number;
sites 100-199 keep their amounts in NOK and 200-299 in DKK, so a chain report has three
currencies. Then, over TLS with a password, as a desk of `site-001` and as head office:
`due`, `report --since 30d`, `report --since 30d --by site`, timed whole (process start,
spool, connection, queries, output) as the median of --runs runs. Push throughput: --push
incidents imported into a desk's spool while the server cannot be reached, then `recover
sync`. The plans are `EXPLAIN ANALYZE` of the queries those commands send, as the desk
login (row-level security in force).

Needs the PostgreSQL server programs (Debian: postgresql) and openssl, like the tests.
"""

import argparse
import datetime
import io
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ts(ms):
    if ms is None:
        return None
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc).isoformat()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        port = free_port()
        out = subprocess.run(["bash", f"{ROOT}/.ci/pg-cluster.sh", "start"], check=True, capture_output=True,
                             text=True, env={**os.environ, "RECOVER_PG_PORT": str(port)})
        env = dict(line.removeprefix("export ").split("=", 1) for line in out.stdout.splitlines())
        self.dir = env["RECOVER_TEST_PG_DIR"].strip("'")
        self.ca = env["RECOVER_TEST_PG_CA"].strip("'")
        self.port = port
        self.admin = f"host={self.dir} port={port} user=postgres dbname=postgres"

    def psql(self, sql, user="postgres", stdin=None):
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", str(self.port), "-U", user,
               "-d", "postgres", "-c", sql]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, input=stdin).stdout

    def copy(self, table, columns, rows):
        """COPY rows (an iterator of lists) into table, streamed through psql."""
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", str(self.port), "-U", "postgres",
               "-d", "postgres", "-c", f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"]
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, text=True)
        n = 0
        # NULL is an empty unquoted field; every value is quoted (so '' stays '').
        cell = lambda v: "" if v is None else '"' + str(v).replace('"', '""') + '"'
        for row in rows:
            p.stdin.write(",".join(cell(v) for v in row) + "\n")
            n += 1
        p.stdin.close()
        if p.wait() != 0:
            sys.exit(f"COPY {table} failed")
        return n

    def stop(self):
        subprocess.run(["bash", f"{ROOT}/.ci/pg-cluster.sh", "stop", self.dir], check=False)


def load(server, log, sites):
    db = sqlite3.connect(f"file:{log}?mode=ro", uri=True)
    site_of = {}

    def currency(k):
        return ["EUR", "NOK", "DKK"][min(k * 3 // sites, 2)]

    def incidents():
        for row in db.execute(
                "SELECT n, uid, id, type, severity, staff, role, ref, started_at, finished_at, status, currency,"
                " role_limit, failure_answered, failure_point, failure_note, servqual, abandoned_by,"
                " abandon_reason, approver_role, amends_total, amends_approved, apology_s, fix_s,"
                " follow_ups_open, follow_ups_on_time, follow_ups_late, follow_ups_recovered, follow_ups_lost,"
                " clock_skew FROM incidents"):
            n, uid = row[0], row[1]
            k = n % sites
            site = f"site-{k + 1:03d}"
            site_of[n] = (uid, site)
            r = list(row[1:])
            r[7], r[8] = ts(r[7]), ts(r[8])
            r[10] = currency(k)
            r[12] = "t" if r[12] else "f"
            r[28] = "t" if r[28] else "f"
            yield [site] + r

    cols = ["site", "uid", "id", "type", "severity", "staff", "role", "ref", "started_at", "finished_at", "status",
            "currency", "role_limit", "failure_answered", "failure_point", "failure_note", "servqual",
            "abandoned_by", "abandon_reason", "approver_role", "amends_total", "amends_approved", "apology_s",
            "fix_s", "follow_ups_open", "follow_ups_on_time", "follow_ups_late", "follow_ups_recovered",
            "follow_ups_lost", "clock_skew"]
    t = time.time()
    n = server.copy("recover.incidents", cols, incidents())
    print(f"  {n} incidents in {time.time() - t:.0f} s", file=sys.stderr)

    def steps():
        for row in db.execute("SELECT incident, step, seq, phase, outcome, at, choice, note, reason, cost,"
                              " approved_by, completed_at, completed_by, completed_note FROM steps"):
            uid, site = site_of[row[0]]
            r = list(row[1:])
            r[4], r[10] = ts(r[4]), ts(r[10])
            yield [uid, site] + r

    t = time.time()
    n = server.copy("recover.steps", ["incident", "site", "step", "seq", "phase", "outcome", "at", "choice", "note",
                                      "reason", "cost", "approved_by", "completed_at", "completed_by",
                                      "completed_note"], steps())
    print(f"  {n} steps in {time.time() - t:.0f} s", file=sys.stderr)

    def follow_ups():
        for row in db.execute("SELECT incident, step, due, done_at, outcome, done_by, note FROM follow_ups"):
            uid, site = site_of[row[0]]
            yield [uid, site, row[1], ts(row[2]), ts(row[3]), row[4], row[5], row[6]]

    t = time.time()
    n = server.copy("recover.follow_ups", ["incident", "site", "step", "due", "done_at", "outcome", "done_by",
                                           "note"], follow_ups())
    print(f"  {n} follow-ups in {time.time() - t:.0f} s", file=sys.stderr)
    # The amend counts of the summary (the SQLite log counts them from its steps' index).
    t = time.time()
    server.psql(
        "UPDATE recover.incidents i SET amends_offered = x.offered, amends_given = x.given,"
        " withheld_reasons = x.reasons, follow_ups_skipped = x.skipped FROM ("
        " SELECT incident, count(*) FILTER (WHERE phase = 'amend') AS offered,"
        " count(*) FILTER (WHERE phase = 'amend' AND outcome = 'done') AS given,"
        " coalesce(array_agg(coalesce(reason, 'unsaid')) FILTER (WHERE phase = 'amend' AND outcome = 'skipped'),"
        " '{}') AS reasons,"
        " count(*) FILTER (WHERE phase = 'follow_up' AND outcome = 'skipped') AS skipped"
        " FROM recover.steps GROUP BY incident) x WHERE x.incident = i.uid")
    print(f"  amend counts in {time.time() - t:.0f} s", file=sys.stderr)
    server.psql("VACUUM ANALYZE")


def identity(server, name, site, role, home):
    server.psql(f"CREATE ROLE {name} LOGIN PASSWORD 'pw-{name}' IN ROLE recover_{role};"
                f" INSERT INTO recover.members VALUES ('{name}', '{site}', '{role}')")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "RECOVER_"))}
    env.update({"HOME": home, "RECOVER_LOG": f"postgres://{name}@localhost:{server.port}/postgres",
                "PGPASSWORD": f"pw-{name}", "PGSSLROOTCERT": server.ca, "NO_COLOR": "1", "LANG": "C.UTF-8"})
    if role != "head_office":
        env["RECOVER_SITE"] = site
    return env


def timed(binary, args, env, runs):
    times = []
    out = None
    for _ in range(runs + 1):  # the first run warms the caches and is not counted
        t = time.perf_counter()
        out = subprocess.run([binary] + args, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if out.returncode != 0:
            sys.exit(f"{args}: {out.stderr}")
    return statistics.median(times[1:]), out.stdout


def plans(server, now_ms):
    """EXPLAIN ANALYZE of what `due` and `report` send, as the desk and head office."""
    since = ts(now_ms - 30 * 86400 * 1000)
    until = ts(now_ms + 7 * 86400 * 1000)
    due = ("SELECT i.id, i.type, i.ref, f.step, f.due, i.staff, i.uid::text FROM recover.follow_ups f"
           " JOIN recover.incidents i ON i.uid = f.incident WHERE f.done_at IS NULL AND f.due < '{until}'"
           " AND i.status <> 'abandoned'{scope} ORDER BY f.due, lower(i.id), f.step")
    report = ("SELECT i.currency, i.type, i.severity, i.role, i.status, i.failure_point, i.servqual, count(*),"
              " sum(i.amends_total) FROM recover.incidents i WHERE i.started_at >= '{since}'{scope}"
              " GROUP BY 1, 2, 3, 4, 5, 6, 7")
    amends = ("SELECT i.currency, r.reason, count(*) FROM recover.incidents i"
              " CROSS JOIN LATERAL unnest(i.withheld_reasons) AS r(reason)"
              " WHERE i.started_at >= '{since}' AND i.status <> 'abandoned'{scope} GROUP BY 1, 2")
    site = " AND {a}.site = ANY('{{site-001}}'::text[])"
    out = {}
    for name, user, sql in [
        ("due, one site (desk)", "bench_desk", due.format(until=until, scope=site.format(a="f"))),
        ("report --since 30d, one site (desk)", "bench_desk", report.format(since=since, scope=site.format(a="i"))),
        ("report --since 30d, the chain (head office)", "bench_ho", report.format(since=since, scope="")),
        ("report --since 30d, the chain's withheld amends (head office)", "bench_ho", amends.format(since=since, scope="")),
    ]:
        text = server.psql(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", user=user)
        out[name] = "\n".join(line.rstrip() for line in text.splitlines()[2:] if line.strip()
                              and not line.strip().startswith("("))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", default=f"{ROOT}/target/bench-data/log-1000000.db")
    ap.add_argument("--jsonl", default=f"{ROOT}/target/bench-data/log-10000.jsonl")
    ap.add_argument("--sites", type=int, default=300)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--push", type=int, default=2000)
    ap.add_argument("--bin", default=f"{ROOT}/target/release/recover")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    if not os.path.exists(args.log):
        sys.exit(f"{args.log}: make it first with `python3 bench/run.py` (the 1M log)")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    server = Server()
    try:
        print("migrating and loading ...", file=sys.stderr)
        subprocess.run([args.bin, "server", "migrate", "--log", server.admin], check=True, capture_output=True)
        t = time.time()
        load(server, args.log, args.sites)
        loaded = time.time() - t
        homes = tempfile.mkdtemp()
        desk = identity(server, "bench_desk", "site-001", "desk", f"{homes}/desk")
        head = identity(server, "bench_ho", "chain", "head_office", f"{homes}/ho")
        rows = []
        for who, env, argv in [
            ("desk of site-001", desk, ["due", "--json"]),
            ("desk of site-001", desk, ["report", "--since", "30d", "--json"]),
            ("desk of site-001", desk, ["log", "--json"]),
            ("head office", head, ["report", "--since", "30d", "--json"]),
            ("head office", head, ["report", "--since", "30d", "--by", "site", "--json"]),
            ("head office", head, ["due", "--json"]),
        ]:
            median, out = timed(args.bin, argv, env, args.runs)
            lines = len(out.splitlines())
            rows.append((who, "recover " + " ".join(argv), median, lines))
            print(f"  {who}: {' '.join(argv)}: {median * 1000:.0f} ms, {lines} lines", file=sys.stderr)

        # Push throughput: incidents spooled while the server cannot be reached, then sent.
        spool_env = dict(desk, HOME=f"{homes}/pusher")
        batch = f"{homes}/push.jsonl"
        with open(args.jsonl) as src, open(batch, "w") as dst:
            for k, line in enumerate(src):
                if k == args.push:
                    break
                i = json.loads(line)
                i["uid"] = str(uuid.uuid4())
                dst.write(json.dumps(i) + "\n")
        offline = dict(spool_env, RECOVER_LOG=f"postgres://bench_desk@localhost:9/postgres")
        subprocess.run([args.bin, "import", batch], env=offline, capture_output=True)
        t = time.perf_counter()
        out = subprocess.run([args.bin, "sync"], env=spool_env, capture_output=True, text=True)
        pushed = time.perf_counter() - t
        if out.returncode != 0:
            sys.exit(f"sync: {out.stderr}")
        print(f"  push: {args.push} incidents in {pushed:.1f} s: {out.stderr.strip()}", file=sys.stderr)

        now_ms = int(open(args.log.replace(".db", ".jsonl.now")).read().strip()) \
            if os.path.exists(args.log.replace(".db", ".jsonl.now")) else int(time.time() * 1000)
        explained = plans(server, now_ms)
        md = io.StringIO()
        md.write(f"Measured from the release build of commit `{commit}`, {datetime.date.today()}: "
                 f"{args.sites} sites, the 1M log loaded in {loaded:.0f} s. Median of {args.runs} runs, "
                 "each a whole command over TLS with a password.\n\n")
        md.write("| who | command | median | lines out |\n|---|---|---:|---:|\n")
        for who, cmd, median, lines in rows:
            md.write(f"| {who} | `{cmd}` | {median * 1000:.0f} ms | {lines} |\n")
        md.write(f"| desk | `recover sync` of {args.push} spooled incidents | {pushed:.1f} s "
                 f"({args.push / pushed:.0f} incidents/s) | |\n\n")
        for name, plan in explained.items():
            md.write(f"{name}:\n\n```\n{plan}\n```\n\n")
        text = md.getvalue()
        if args.markdown:
            with open(args.markdown, "w") as f:
                f.write(text)
        print(text)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
