#!/usr/bin/env python3
"""Times whole recover commands against a hello-world floor; see BENCHMARKS.md.

    python3 bench/run.py                       # build, make data, time, print a table
    python3 bench/run.py --sizes 10000,100000 --runs 15
    python3 bench/run.py --bin target/release/recover --floor /bin/true --sizes 50 --runs 2

Each command runs --runs times after one warm-up run. Reported per command: the median
wall time, the spread (interquartile range and min-max), the ratio of the median to the
floor's median (a hello-world built with the same release profile, timed the same way in
the same session, so ratios hold on a noisy shared machine where absolute times do not),
the peak resident memory of the worst run (the same getrusage maximum that
`/usr/bin/time -v` shows as "Maximum resident set size"), and the rows printed.

Data lives in --data (default target/bench-data): log-N.jsonl from bench/generate.py,
log-N.db imported from it by the binary under test (timed: that is the import figure),
lib-500/ the 500-playbook library. A log is re-imported when the binary is newer than it.
"""

import argparse
import calendar
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GENERATE = os.path.join(HERE, "generate.py")
TIME = "/usr/bin/time"


def sh(cmd, **kw):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, **kw)


def run_once(argv, env, stdout_path=os.devnull, stderr_path=os.devnull):
    """Runs argv; returns (seconds, max RSS in KiB, exit code, lines printed)."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ])
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
    lines = 0
    if stdout_path != os.devnull:
        with open(stdout_path, "rb") as f:
            lines = sum(1 for _ in f)
    return elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status), lines


def peak_rss(argv, env, scratch):
    """Peak resident memory in KiB, as `/usr/bin/time -v` reports it. Timed runs are
    spawned without copying this Python process, which makes their own getrusage figure
    start from Python's size; /usr/bin/time forks from a small process instead."""
    if not os.path.exists(TIME):
        return None
    report = os.path.join(scratch, "time")
    run_once([TIME, "-f", "%M", "-o", report] + argv, env)
    with open(report) as f:
        return int(f.read().split()[-1])


def measure(argv, env, runs, scratch, floor=None, before=None, warm=True):
    """Times argv `runs` times after a warm-up (unless not `warm`: a command that changes
    what it runs on). With `floor`, a floor run precedes each run, so both see the same
    moment of a shared machine; returns the floor's times too. `before` runs (untimed)
    before each timed run."""
    out = os.path.join(scratch, "stdout")
    if warm:
        run_once(argv, env, out)  # warm-up: page cache, lazy binding
    times, floor_times, rss, code, lines = [], [], 0, 0, 0
    for _ in range(runs):
        if floor:
            floor_times.append(run_once([floor], env)[0])
        if before:
            before()
        err = os.path.join(scratch, "stderr")
        t, r, code, lines = run_once(argv, env, out, err)
        if code != 0:
            # A failed run is said with its reason, never only counted.
            with open(err, errors="replace") as f:
                why = f.read().strip().splitlines()
            print(f"! exit {code}: {' '.join(argv[1:])}: {why[-1] if why else '(nothing on stderr)'}",
                  file=sys.stderr, flush=True)
        times.append(t)
        rss = max(rss, r)
    return times, floor_times, (peak_rss(argv, env, scratch) if warm else None) or rss, code, lines


def remove_log(path):
    """Removes a log file with its write-ahead and shared-memory files: a write-ahead file
    left behind (a terminal killed in the middle of a session leaves one) would be read
    into the next log given the same name, which is not its own."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def drop_cache(db):
    """Drops the log (and its write-ahead file) from the page cache: the next run reads
    it from the disk, as a command does after a reboot."""
    for path in (db, db + "-wal", db + "-shm"):
        if os.path.exists(path):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def newest_id(binary, env):
    out = subprocess.run([binary, "log", "--limit", "1", "--json"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[0])["id"]


def first_start_ms(jsonl):
    """When the oldest incident started: the generator writes the oldest first."""
    with open(jsonl, encoding="utf-8") as f:
        start = json.loads(f.readline())["started_at"]
    return calendar.timegm(time.strptime(start[:19], "%Y-%m-%dT%H:%M:%S")) * 1000


def pty_answers(binary, env, answers=12):
    """Seconds from pressing Enter at a prompt of `start` in a real pseudo-terminal to the
    last byte of what the next prompt draws (the answer saved, with its fsync, in between),
    for the first `answers` Enters of a session; the honest user-facing figure."""
    import pty
    import select
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, "start", "--type", "long-wait", "--staff", "bench"],
                  dict(env, TERM="xterm", COLUMNS="100", LINES="40"))
    def drain(quiet):
        last = None
        while True:
            ready, _, _ = select.select([fd], [], [], quiet)
            if not ready:
                return last
            try:
                if not os.read(fd, 65536):
                    return last
            except OSError:
                return last
            last = time.perf_counter()
    drain(0.5)
    times = []
    for _ in range(answers):
        sent = time.perf_counter()
        os.write(fd, b"\r")
        last = drain(0.15)
        if last is None:
            break
        times.append(last - sent)
    try:
        os.kill(pid, 15)
        os.waitpid(pid, 0)
    except OSError:
        pass
    return times


def quartiles(xs):
    xs = sorted(xs)
    if len(xs) < 4:
        return xs[0], xs[-1]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def ms(s):
    return f"{s * 1000:.1f}" if s < 10 else f"{s * 1000:.0f}"


def iso(ms_epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms_epoch / 1000))


def markdown(results, sizes, binary_bytes):
    """The results as BENCHMARKS.md shows them: every figure, then growth with the log."""
    out = ["| command | log | median | IQR | min-max | / floor | peak RSS | lines out |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lo, hi = r["iqr_s"]
        out.append(f"| `{r['command']}` | {r['size'] or ''} | {ms(r['median_s'])} ms"
                   f" | {ms(lo)}-{ms(hi)} | {ms(r['min_s'])}-{ms(r['max_s'])}"
                   f" | {r['ratio']:.1f}x | {r['max_rss_kib'] / 1024:.1f} MB | {r['lines']} |")
    out += ["", f"Release binary: {binary_bytes:,} bytes.", ""]
    by_size = {}
    for r in results:
        if r["size"]:
            by_size.setdefault(r["command"], {})[r["size"]] = r
    head = " | ".join(f"{n:,}" for n in sizes)
    out += [f"| command | {head} | {sizes[0]:,} -> {sizes[-1]:,} |",
            "|---|" + "---:|" * (len(sizes) + 1)]
    for command, rows in by_size.items():
        cells = " | ".join(
            f"{ms(rows[n]['median_s'])} ms ({rows[n]['ratio']:.1f}x, {rows[n]['lines']} lines)"
            if n in rows else "" for n in sizes)
        first, last = rows.get(sizes[0]), rows.get(sizes[-1])
        growth = f"x{last['median_s'] / first['median_s']:.1f}" if first and last else ""
        out.append(f"| `{command}` | {cells} | {growth} |")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description="Times recover commands against a hello-world floor.")
    p.add_argument("--bin", help="recover binary (default: build target/release/recover)")
    p.add_argument("--floor", help="floor binary (default: build bench/floor)")
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--runs", type=int, default=21)
    p.add_argument("--data", default=os.path.join(ROOT, "target", "bench-data"))
    p.add_argument("--library", type=int, default=500, help="playbooks for `check`")
    p.add_argument("--json", help="also write the results here as JSON")
    p.add_argument("--markdown", help="also write the results here as Markdown tables")
    p.add_argument("--pty", action="store_true",
                   help="also time answers in a real pseudo-terminal on each log")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    if args.bin is None:
        sh(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT)
        args.bin = os.path.join(ROOT, "target", "release", "recover")
    if args.floor is None:
        sh(["cargo", "build", "--release", "--quiet", "--manifest-path",
            os.path.join(HERE, "floor", "Cargo.toml"), "--target-dir",
            os.path.join(ROOT, "target", "bench-floor")])
        args.floor = os.path.join(ROOT, "target", "bench-floor", "release", "floor")
    os.makedirs(args.data, exist_ok=True)
    # Both run as installed, not from the build tree: `cargo install` copies the binary,
    # and on this machine a copy starts faster than the file the linker wrote, whose pages
    # lie in the page cache in smaller pieces (`list`: about 185 page faults against 225,
    # 0.3-0.5 ms). The floor is copied the same way. The copies keep the build's time, by
    # which a log is imported again.
    installed = os.path.join(args.data, "installed")
    os.makedirs(installed, exist_ok=True)

    def install(path, name):
        dest = os.path.join(installed, name)
        shutil.copy2(path, dest + ".new")
        os.replace(dest + ".new", dest)
        return dest

    binary = install(os.path.abspath(args.bin), "recover")
    args.floor = install(os.path.abspath(args.floor), "floor")
    scratch = os.path.join(args.data, "scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    env = {"PATH": "/usr/bin:/bin", "HOME": scratch, "TZ": "UTC", "USER": "bench",
           "RECOVER_LOG": os.path.join(scratch, "empty.db")}

    results = []

    def record(name, size, times, rss, code, lines, floor_times):
        med = statistics.median(times)
        floor = statistics.median(floor_times)
        lo, hi = quartiles(times)
        row = {"command": name, "size": size, "runs": len(times), "median_s": med,
               "iqr_s": [lo, hi], "min_s": min(times), "max_s": max(times),
               "floor_median_s": floor, "ratio": med / floor, "max_rss_kib": rss,
               "exit": code, "lines": lines}
        results.append(row)
        size_text = f"{size:>8}" if size else " " * 8
        print(f"{name:<34} {size_text} {ms(med):>8} ms  IQR {ms(lo):>7}-{ms(hi):<7}"
              f" min-max {ms(min(times)):>7}-{ms(max(times)):<7} {row['ratio']:>7.1f}x"
              f" {rss / 1024:>7.1f} MB  exit {code}  {lines} lines", flush=True)
        return row

    def timed(name, argv, size=0, runs=args.runs, extra_env=None, before=None, warm=True):
        e = dict(env, **(extra_env or {}))
        times, floor_times, rss, code, lines = measure(argv, e, runs, scratch, args.floor,
                                                       before=before, warm=warm)
        return record(name, size, times, rss, code, lines, floor_times)

    print(f"{'command':<34} {'log size':>8} {'median':>11}  {'spread':<33} {'/floor':>8}"
          f" {'max RSS':>10}", flush=True)
    # Start-up commands take two milliseconds, where one burst of load on a shared machine
    # moves the median of 21 runs: they run five times as often.
    short = 5 * args.runs
    times, _, rss, code, lines = measure([args.floor], env, short, scratch)
    floor_med = statistics.median(times)
    record("hello-world floor", 0, times, rss, code, lines, times)
    timed("recover --version", [binary, "--version"], runs=short)
    timed("recover list", [binary, "list"], runs=short)
    timed("recover show reservation", [binary, "show", "reservation"], runs=short)

    library = os.path.join(args.data, f"lib-{args.library}")
    if not os.path.isdir(library):
        sh([sys.executable, GENERATE, "library", "--count", str(args.library), "--out", library])
    timed(f"recover check ({args.library} playbooks)", [binary, "check", library])

    for n in sizes:
        jsonl = os.path.join(args.data, f"log-{n}.jsonl")
        now_file = jsonl + ".now"
        if not (os.path.exists(jsonl) and os.path.exists(now_file)):
            now_ms = int(time.time()) // 60 * 60_000
            sh([sys.executable, GENERATE, "log", "--incidents", str(n), "--now", iso(now_ms),
                "--out", jsonl])
            with open(now_file, "w") as f:
                f.write(str(now_ms))
        with open(now_file) as f:
            now_ms = int(f.read())
        db = os.path.join(args.data, f"log-{n}.db")
        fresh = os.path.exists(db) and os.path.getmtime(db) > max(
            os.path.getmtime(binary), os.path.getmtime(jsonl))
        if not fresh:
            remove_log(db)
            e = dict(env, RECOVER_LOG=db)
            report = os.path.join(scratch, "time")
            wrap = [TIME, "-f", "%M", "-o", report] if os.path.exists(TIME) else []
            t, r, code, _ = run_once(wrap + [binary, "import", jsonl], e)
            if wrap:
                with open(report) as f:
                    r = int(f.read().split()[-1])
            if code != 0:
                sys.exit(f"import of {jsonl} failed with exit {code}")
            # Let the system write the new log out now, not during the timings below.
            os.sync()
            record("recover import", n, [t], r, code, 0, [floor_med])
        log_env = {"RECOVER_LOG": db}
        since_8h = iso(now_ms - 8 * 3_600_000)
        since_30d = iso(now_ms - 30 * 86_400_000)
        timed("recover log --since 8h", [binary, "log", "--since", since_8h], n,
              extra_env=log_env)
        timed("recover log --since 8h --json", [binary, "log", "--since", since_8h, "--json"], n,
              extra_env=log_env)
        timed("recover due", [binary, "due"], n, extra_env=log_env)
        timed("recover due --json", [binary, "due", "--json"], n, extra_env=log_env)
        timed("recover report --since 30d", [binary, "report", "--since", since_30d], n,
              extra_env=log_env)
        timed("recover log --staff new.person", [binary, "log", "--staff", "new.person"], n,
              extra_env=log_env)
        timed("recover log --staff anna.a", [binary, "log", "--staff", "anna.a"], n,
              extra_env=log_env)
        timed("recover log (newest page)", [binary, "log"], n, extra_env=log_env)
        incident = newest_id(binary, dict(env, **log_env))
        timed("recover show-incident", [binary, "show-incident", incident], n, extra_env=log_env)
        # Cold: the log dropped from the page cache before every run, as after a reboot or
        # when other work has pushed it out.
        for name, argv in (("recover due (cold)", [binary, "due"]),
                           ("recover log --since 8h (cold)", [binary, "log", "--since", since_8h]),
                           ("recover show-incident (cold)", [binary, "show-incident", incident])):
            timed(name, argv, n, runs=max(1, min(args.runs, 9)), extra_env=log_env,
                  before=lambda: drop_cache(db))
        few = max(1, min(args.runs, 3))
        timed("recover report --since 365d", [binary, "report", "--since", "365d"], n, runs=few,
              extra_env=log_env)
        # Whole-log commands: for memory more than speed, so fewer runs.
        timed("recover log --type noise --json", [binary, "log", "--type", "noise", "--json"], n,
              runs=few, extra_env=log_env)
        # Each run writes the whole log out (1.86 GB at 1M): the system is left to write the
        # last run's output to disk first, or the next run pays for it (0.4-5 s of system time).
        timed("recover export", [binary, "export"], n, runs=few, extra_env=log_env, before=os.sync)
        timed("recover report --since 10y", [binary, "report", "--since", "3650d"], n,
              runs=few, extra_env=log_env)
        # Purge of the oldest day, on a copy (it changes the log), once.
        copy = os.path.join(scratch, "purge.db")
        remove_log(copy)
        shutil.copyfile(db, copy)
        os.sync()
        oldest = first_start_ms(jsonl)
        day = iso(oldest - oldest % 86_400_000 + 86_400_000)
        timed("recover purge (oldest day)", [binary, "purge", "--before", day, "--yes"], n,
              runs=1, extra_env={"RECOVER_LOG": copy}, warm=False)
        # The answers record an incident: into the copy too, so that the log itself stays
        # as imported and the next run prints exactly its incidents.
        if args.pty:
            answers = pty_answers(binary, dict(env, RECOVER_LOG=copy))
            if answers:
                record("one answer in a terminal (Enter)", n, answers, 0, 0, 0, [floor_med])
        remove_log(copy)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"floor_median_s": floor_med, "binary_bytes": os.path.getsize(binary),
                       "results": results}, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(results, sizes, os.path.getsize(binary)))
    print(f"release binary: {os.path.getsize(binary)} bytes", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
