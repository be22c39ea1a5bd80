#!/usr/bin/env python3
"""The instruction-count gate: fails when a gated command got much dearer.

    python3 bench/gate.py --bin target/release/recover           # compare with the baselines
    python3 bench/gate.py --bin target/release/recover --update  # write new baselines
    python3 bench/gate.py --bin target/debug/recover --self-check

Wall times on a shared machine swing by 2-3x, so this counts instructions instead: each
gated command runs once under `valgrind --tool=callgrind`, whose total (`summary:` in its
out file) is the same to within a fraction of a percent from run to run for the same binary
and data. A total over its baseline in bench/gate-baseline.json by more than the tolerance
(+25% unless the file says otherwise) fails the gate with the command and both numbers.
Totals far under the baseline pass with a note: refresh the baselines with --update when a
change is meant to make things faster (or dearer), and commit the file.

Nothing is built here: --bin names the release binary to measure. The data is made
deterministically, with the binary under test, outside valgrind (only the measured command
runs under it), and cached under --data (default target/gate-data):

  - lib-500/: 500 playbooks from bench/generate.py, for `check`;
  - log-100000-<day>.db: 100,000 incidents ending at 00:00 UTC today, imported natively.
    `due` reads the real clock: with the log ending at today's midnight and TZ=UTC, "due
    by the end of today" is the same set of follow-ups at any hour, so the count does not
    depend on when the gate runs. A new day makes a new log (about 20 s);
  - an empty log for `start --yes` (one recorded answer), remade for each run.

The environment is fixed (TZ=UTC, English, no terminal, a scratch HOME) so that nothing
outside the repository changes what the commands do.

--self-check runs the same steps on tiny data (5 playbooks, 300 incidents; only `list`
under valgrind, the rest natively) with a throw-away baseline, and checks that the
comparison fails, naming the command, when a baseline is a third of the count. The test
suite runs it so this script cannot rot.
"""

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GENERATE = os.path.join(HERE, "generate.py")
BASELINE = os.path.join(HERE, "gate-baseline.json")
DEFAULT_TOLERANCE = 0.25


def sh(argv, env=None, quiet=False):
    if not quiet:
        print("+ " + " ".join(argv), file=sys.stderr, flush=True)
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        sys.exit(f"gate: `{' '.join(argv)}` failed with exit {done.returncode}:\n"
                 f"{done.stderr.decode(errors='replace')}")


def binary_id(binary):
    st = os.stat(binary)
    return f"{binary} {st.st_size} {st.st_mtime_ns}"


def sources_id():
    """A digest of what the generated data is made from (the default playbooks and the
    generator): cached data made from other sources is never measured against a baseline
    (a stale library once made `check` look 3x cheaper here than on a fresh clone)."""
    digest = hashlib.sha256()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [GENERATE] + sorted(glob.glob(os.path.join(root, "playbooks", "*.yaml")))
    for path in paths:
        digest.update(os.path.basename(path).encode())
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]


def make_data(binary, data, library, incidents, env):
    """The gate's inputs, made once per set of sources and cached: (library folder, log)."""
    os.makedirs(data, exist_ok=True)
    made_from = sources_id()
    lib = os.path.join(data, f"lib-{library}-{made_from}")
    if not os.path.isdir(lib):
        for name in os.listdir(data):
            if name.startswith(f"lib-{library}"):
                shutil.rmtree(os.path.join(data, name), ignore_errors=True)
        sh([sys.executable, GENERATE, "library", "--count", str(library), "--out", lib + ".tmp"])
        os.rename(lib + ".tmp", lib)
    day = time.strftime("%Y-%m-%d", time.gmtime())
    jsonl = os.path.join(data, f"log-{incidents}-{day}-{made_from}.jsonl")
    db = os.path.join(data, f"log-{incidents}-{day}-{made_from}.db")
    if not os.path.exists(jsonl):
        for name in os.listdir(data):
            if name.startswith(f"log-{incidents}-"):
                os.remove(os.path.join(data, name))
        sh([sys.executable, GENERATE, "log", "--incidents", str(incidents), "--now",
            f"{day}T00:00:00Z", "--out", jsonl + ".tmp"])
        os.rename(jsonl + ".tmp", jsonl)
    # Imported by the binary under test (natively, not measured), again whenever it changes,
    # since the log's layout may change with it.
    stamp = db + ".binary"
    fresh = os.path.exists(db) and os.path.exists(stamp) and open(stamp).read() == binary_id(binary)
    if not fresh:
        for suffix in ("", "-wal", "-shm", ".binary"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        sh([binary, "import", jsonl], env=dict(env, RECOVER_LOG=db))
        with open(stamp, "w") as f:
            f.write(binary_id(binary))
    return lib, db


def commands(binary, lib, db, scratch, library, incidents):
    """(name, argv, extra environment, setup) for each gated command."""
    one = os.path.join(scratch, "one.db")

    def fresh_log():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(one + suffix):
                os.remove(one + suffix)

    return [
        ("list", [binary, "list"], {}, None),
        ("show reservation", [binary, "show", "reservation"], {}, None),
        (f"check ({library} playbooks)", [binary, "check", lib], {}, None),
        ("start --yes (one answer)", [binary, "start", "--type", "reservation", "--staff", "gate",
                                      "--yes"], {"RECOVER_LOG": one}, fresh_log),
        (f"due ({incidents:,} incidents)", [binary, "due"], {"RECOVER_LOG": db}, None),
        # Every incident of the log: the report's one pass over its index.
        (f"report --since 3650d ({incidents:,} incidents)", [binary, "report", "--since", "3650d"],
         {"RECOVER_LOG": db}, None),
    ]


def instructions(argv, env, scratch):
    """The total instruction count of argv under callgrind, and its exit code."""
    out = os.path.join(scratch, "callgrind.out")
    if os.path.exists(out):
        os.remove(out)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
         "--compress-strings=no"] + argv,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    total = None
    if os.path.exists(out):
        with open(out) as f:
            for line in f:
                if line.startswith("summary:"):
                    total = int(line.split()[1])
    if total is None:
        sys.exit(f"gate: no callgrind total for `{' '.join(argv)}`:\n"
                 f"{done.stderr.decode(errors='replace')[-2000:]}")
    return total, done.returncode


def measure(binary, data, library, incidents, callgrind=lambda name: True):
    """Instruction counts by command name; commands `callgrind` declines run natively,
    only to check that they succeed."""
    scratch = tempfile.mkdtemp(prefix="gate-")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch, "TZ": "UTC",
           "USER": "gate", "LANG": "C.UTF-8", "COLUMNS": "100", "TERM": "dumb",
           "RECOVER_LOG": os.path.join(scratch, "empty.db")}
    try:
        lib, db = make_data(binary, data, library, incidents, env)
        counts = {}
        for name, argv, extra, setup in commands(binary, lib, db, scratch, library, incidents):
            if setup:
                setup()
            start = time.monotonic()
            if not callgrind(name):
                done = subprocess.run(argv, env=dict(env, **extra), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
                if done.returncode != 0:
                    sys.exit(f"gate: `{name}` exited {done.returncode}: {done.stderr.decode()}")
                continue
            total, code = instructions(argv, dict(env, **extra), scratch)
            if code != 0:
                sys.exit(f"gate: `{name}` exited {code} under valgrind")
            counts[name] = total
            print(f"  {name:<28} {total:>15,} instructions  ({time.monotonic() - start:.1f} s)",
                  file=sys.stderr, flush=True)
        return counts
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def compare(counts, baseline):
    """Lines to print and whether every command is within its tolerance."""
    tolerance = baseline.get("tolerance", DEFAULT_TOLERANCE)
    lines, ok = [], True
    for name, total in counts.items():
        base = baseline.get("instructions", {}).get(name)
        if base is None:
            lines.append(f"gate: {name}: {total:,} instructions, no baseline (run with --update)")
            ok = False
            continue
        ratio = total / base
        if ratio > 1 + tolerance:
            ok = False
            lines.append(f"gate: FAIL {name}: {total:,} instructions, baseline {base:,} "
                         f"({ratio:.2f}x, over the +{tolerance:.0%} tolerance)")
        elif ratio < 1 / (1 + tolerance):
            lines.append(f"gate: ok {name}: {total:,} instructions, baseline {base:,} "
                         f"({ratio:.2f}x: faster; refresh with --update)")
        else:
            lines.append(f"gate: ok {name}: {total:,} instructions, baseline {base:,} ({ratio:.2f}x)")
    return lines, ok


def write_baseline(path, counts, binary):
    doc = {
        "about": "Instruction counts of gated commands (bench/gate.py); refresh with "
                 "`python3 bench/gate.py --bin target/release/recover --update`.",
        "tolerance": DEFAULT_TOLERANCE,
        "measured": {"binary_bytes": os.path.getsize(binary),
                     "valgrind": subprocess.run(["valgrind", "--version"], capture_output=True,
                                                text=True).stdout.strip()},
        "instructions": counts,
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def self_check(binary):
    """The whole gate on tiny data (only `list` under valgrind, to keep it quick; the other
    commands run natively and must succeed), then its verdicts on doctored baselines."""
    with tempfile.TemporaryDirectory(prefix="gate-self-") as tmp:
        counts = measure(binary, os.path.join(tmp, "data"), 5, 300, lambda name: name == "list")
        path = os.path.join(tmp, "baseline.json")
        write_baseline(path, counts, binary)
        with open(path) as f:
            baseline = json.load(f)
        assert set(counts) == set(baseline["instructions"]), counts
        _, ok = compare(counts, baseline)
        assert ok, "a run must pass against its own baseline"
        name = "list"
        baseline["instructions"][name] = counts[name] // 3
        lines, ok = compare(counts, baseline)
        assert not ok, "three times the baseline must fail"
        failed = [line for line in lines if "FAIL" in line]
        assert len(failed) == 1 and f"FAIL {name}:" in failed[0], failed
        assert f"{counts[name]:,}" in failed[0] and f"{counts[name] // 3:,}" in failed[0], failed
    print("gate: self-check ok", flush=True)


def main():
    p = argparse.ArgumentParser(description="Instruction-count gate for recover commands.")
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "recover"),
                   help="the release binary to measure (not built here)")
    p.add_argument("--baseline", default=BASELINE)
    p.add_argument("--data", default=os.path.join(ROOT, "target", "gate-data"))
    p.add_argument("--update", action="store_true", help="write the counts as the new baselines")
    p.add_argument("--self-check", action="store_true", help="test this script on tiny data")
    args = p.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"gate: no binary at {binary} (build it first: cargo build --release --locked)")
    if shutil.which("valgrind") is None:
        sys.exit("gate: valgrind is not installed (apt-get install valgrind)")
    if args.self_check:
        self_check(binary)
        return
    start = time.monotonic()
    counts = measure(binary, args.data, 500, 100_000)
    if args.update:
        write_baseline(args.baseline, counts, binary)
        print(f"gate: wrote {os.path.relpath(args.baseline, ROOT)}; commit it", flush=True)
        return
    with open(args.baseline) as f:
        baseline = json.load(f)
    lines, ok = compare(counts, baseline)
    for line in lines:
        print(line, flush=True)
    print(f"gate: {'passed' if ok else 'FAILED'} in {time.monotonic() - start:.0f} s", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
