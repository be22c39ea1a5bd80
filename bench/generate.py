#!/usr/bin/env python3
"""Benchmark data for recover: a large playbook library and incident logs.

    generate.py library --count 500 --out DIR
        DIR/<type>-NNN.yaml playbooks derived from the built-in ones (renamed so types,
        aliases and files are unique) and DIR/policy.yaml; `recover check DIR` passes.

    generate.py log --incidents N [--per-day R] [--seed S] [--now RFC3339] --out FILE
        N incidents as JSON lines, oldest first, exactly as `recover export` prints them,
        for `recover import FILE`. Types, steps, choices, costs and follow-up windows come
        from the built-in playbooks (../playbooks), so every record is one the engine could
        have made.

The spread of the log is meant to look like a chain's merged log: R incidents a day
(default 500) with a daily rhythm, so N decides how many days back the log reaches
(10k: 20 days, 100k: 200 days, 1M: about 5.5 years). Recent periods (`--since 8h`,
`--since 30d`, today's follow-ups) are then the same size whatever N is, and a command
whose time grows with N is one that reads more than its answer.

  - types: skewed (wrong orders and waits are common, cancelled flights rare)
  - severity: 70% minor, 24% major, 6% critical
  - staff: 300 names, a few doing most of the shifts; role staff 85%, supervisor 12%,
    manager 3%, with the policy's limits; amends over the limit carry an approver
  - steps: every apologise and fix step answered, a few optional ones skipped with a
    reason (3% of incidents skip a required one and end incomplete); amends offered at the
    severity, some declined; follow-ups scheduled 95% of the time
  - follow-ups: done on time 88%, late 12%, outcome recovered/lost/done; 90% of those not
    yet due are open, 10% of those due in the last two days, 1 in 20,000 older ones
  - 0.2% of incidents were interrupted and never resumed (in_progress)
  - global ids: version 7 UUIDs, ordered by start, as recover makes them (--v4-uids: the
    random ones of logs made before; everything else in the log is the same)

Only the standard library and PyYAML (already needed by the schema test) are used.
"""

import argparse
import calendar
import json
import os
import random
import re
import sys
import time
import uuid

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOKS = os.path.join(HERE, "..", "playbooks")

ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FIRST = ["anna", "ole", "maria", "jonas", "fatima", "li", "sara", "ahmed", "eva", "tomas",
         "ines", "karl", "mette", "ravi", "nora", "paul", "lena", "omar", "ida", "mikkel"]
LAST = "abcdefghijklmno"
REASONS = ["guest declined", "not needed", "guest left", "already done by a colleague",
           "no taxi available"]
NOTES = ["guest was very understanding", "asked for the manager", "regular guest",
         "booked via agency", "second time this month"]
TYPE_WEIGHT = {"wrong-order": 20, "long-wait": 18, "room-not-clean": 12, "noise": 10,
               "billing-error": 9, "rude-staff": 8, "reservation": 8,
               "special-request-missed": 7, "damaged-item": 5, "flight-cancelled": 3}


ID_SPACE = len(ID_ALPHABET) ** 6
# An odd multiplier that is no multiple of 31: i -> (i * MUL + ADD) mod 31**6 is a bijection,
# so the n-th incident's short id is unique by construction (no retry loop).
ID_MUL, ID_ADD = 492_876_847, 7_919


def global_id(started_ms, rng, v4):
    """A global id as recover makes it: a version 7 UUID (48 bits of the start in
    milliseconds, then random bits), or with v4 one of the random version 4 UUIDs that
    earlier builds made."""
    # The same 128 random bits either way, so the two logs differ in their ids alone.
    r = rng.getrandbits(128)
    if v4:
        return str(uuid.UUID(int=r, version=4))
    r &= (1 << 74) - 1
    value = (started_ms << 80) | (0x7 << 76) | ((r >> 62) << 64) | (0b10 << 62) | (r & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def short_id(n):
    v = (n * ID_MUL + ID_ADD) % ID_SPACE
    chars = []
    for _ in range(6):
        v, r = divmod(v, len(ID_ALPHABET))
        chars.append(ID_ALPHABET[r])
    return f"{''.join(chars[:3])}-{''.join(chars[3:])}"


def within_minutes(text):
    m = re.fullmatch(r"\s*(\d+)\s*(m|min|h|d|w)\s*", str(text))
    if not m:
        raise SystemExit(f"cannot read within: {text!r}")
    return int(m.group(1)) * {"m": 1, "min": 1, "h": 60, "d": 1440, "w": 10080}[m.group(2)]


def choice_value(c):
    return c["value"] if isinstance(c, dict) else str(c)


def money(text):
    """As recover prints a Money: whole numbers plain, else two decimals."""
    cents = round(float(text) * 100)
    return str(cents // 100) if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}"


def load_playbooks():
    books, policy = {}, None
    for name in sorted(os.listdir(PLAYBOOKS)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(PLAYBOOKS, name), encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if name == "policy.yaml":
            policy = doc
            continue
        phases = doc["phases"]
        books[doc["type"]] = {
            "servqual": doc.get("servqual", []),
            "points": [choice_value(c) for c in doc.get("failure_points", [])],
            "apologise": [(s["id"], [choice_value(c) for c in s.get("choose", [])],
                           s.get("required", True)) for s in phases["apologise"] or []],
            "fix": [(s["id"], [choice_value(c) for c in s.get("choose", [])],
                     s.get("required", True)) for s in phases["fix"] or []],
            "amend": [(s["id"], s.get("cost"), s.get("severity", "minor"))
                      for s in phases["amend"] or []],
            "follow_up": [(s["id"], within_minutes(s["within"]) if s.get("within") else None)
                          for s in phases["follow_up"] or []],
        }
    return books, policy


class Clock:
    """RFC 3339 UTC text for millisecond times, as recover writes them (three fractional digits)."""

    def __init__(self):
        self.day = None
        self.prefix = ""

    def text(self, ms):
        secs, milli = divmod(ms, 1000)
        day, rest = divmod(secs, 86400)
        if day != self.day:
            self.day = day
            self.prefix = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
        h, rest = divmod(rest, 3600)
        m, s = divmod(rest, 60)
        return f"{self.prefix}{h:02d}:{m:02d}:{s:02d}.{milli:03d}Z"


def generate_log(args):
    rng = random.Random(args.seed)
    books, policy = load_playbooks()
    # A role is a bare limit or {limit, name}.
    roles = {k: str(v["limit"] if isinstance(v, dict) else v) for k, v in policy["roles"].items()}
    currency = policy["currency"]
    types = sorted(books)
    weights = [TYPE_WEIGHT.get(t, 5) for t in types]
    staff = [f"{FIRST[i % len(FIRST)]}.{LAST[(i // len(FIRST)) % len(LAST)]}" for i in range(300)]
    staff_weights = [1.0 / (1 + i) ** 0.8 for i in range(len(staff))]
    now_ms = args.now_ms
    day_ms = 86_400_000
    span_ms = max(1, int(args.incidents / args.per_day * day_ms))
    # Start times: a day within the span and a daily rhythm peaking in the evening, folded
    # into the window [now - span, now - 1 s) so that every draw lands (the generator ends
    # by construction, whatever the hour of --now: a log made at 03:30 has no evening yet).
    midnight = now_ms - now_ms % day_ms
    days = max(1, -(-span_ms // day_ms))
    lo, hi = now_ms - span_ms, now_ms - 1_000
    width = max(1, hi - lo)
    starts = []
    for _ in range(args.incidents):
        t = midnight - rng.randrange(0, days) * day_ms + int(
            rng.triangular(7, 23.99, 19) * 3_600_000) + rng.randrange(0, 60_000)
        starts.append(lo + (t - lo) % width)
    starts.sort()
    for i in range(1, len(starts)):
        starts[i] = max(starts[i], starts[i - 1] + 1)
    clock = Clock()
    ts = clock.text
    out = open(args.out, "w", encoding="utf-8") if args.out != "-" else sys.stdout
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for n, started in enumerate(starts):
        kind = rng.choices(types, weights)[0]
        pb = books[kind]
        r = rng.random()
        severity = "minor" if r < 0.70 else "major" if r < 0.94 else "critical"
        r = rng.random()
        role = "staff" if r < 0.85 else "supervisor" if r < 0.97 else "manager"
        if role not in roles:
            role = next(iter(roles))
        limit = roles[role]
        short = short_id(n)
        interrupted = rng.random() < 0.002
        skip_required = rng.random() < 0.03
        steps = []
        at = started + rng.randrange(5_000, 90_000)
        cut = rng.randrange(1, 6) if interrupted else None
        required_skipped = False
        for phase in ("apologise", "fix"):
            for sid, options, required in pb[phase]:
                step = {"phase": phase, "id": sid, "outcome": "done", "at": ts(at)}
                if options:
                    step["choice"] = rng.choice(options)
                if (not required and rng.random() < 0.25) or (
                        required and skip_required and not required_skipped and phase == "fix"):
                    step = {"phase": phase, "id": sid, "outcome": "skipped", "at": ts(at),
                            "reason": rng.choice(REASONS)}
                    required_skipped |= required
                elif rng.random() < 0.05:
                    step["note"] = rng.choice(NOTES)
                steps.append(step)
                at += rng.randrange(10_000, 400_000)
        amends_total = 0
        offered = [a for a in pb["amend"]
                   if ["minor", "major", "critical"].index(a[2]) <=
                   ["minor", "major", "critical"].index(severity)]
        given = [a for a in offered if rng.random() < 0.85]
        total = sum(float(a[1] or 0) for a in given)
        over = total > float(limit)
        approver = rng.choice(["maria", "jonas.b", "karl", "the duty manager"]) if over else None
        # The approver's role: the lowest whose limit covers the bundle, as the tool requires
        # (no draw from rng, so the rest of the log is what it was).
        covering = sorted((float(v), k) for k, v in roles.items() if float(v) >= total)
        approver_role = (covering[0][1] if covering else max(roles, key=lambda k: float(roles[k]))) \
            if over else None
        for sid, cost, _ in offered:
            if (sid, cost, _) in given:
                step = {"phase": "amend", "id": sid, "outcome": "done", "at": ts(at)}
                if cost is not None:
                    step["cost"] = money(cost)
                    amends_total += round(float(cost) * 100)
                if approver:
                    step["approved_by"] = approver
            else:
                # Withholding an offered amend needs a reason.
                step = {"phase": "amend", "id": sid, "outcome": "skipped", "at": ts(at),
                        "reason": "guest-declined"}
            steps.append(step)
        at += rng.randrange(5_000, 60_000)
        follow_ups = []
        for sid, within in pb["follow_up"]:
            if rng.random() < 0.05:
                steps.append({"phase": "follow_up", "id": sid, "outcome": "skipped", "at": ts(at)})
                continue
            steps.append({"phase": "follow_up", "id": sid, "outcome": "done", "at": ts(at)})
            if within is None:
                continue
            due = started + within * 60_000
            f = {"step": sid, "due": ts(due), "done_at": None, "outcome": None, "done_by": None, "note": None}
            age = now_ms - due
            # Teams that run `due --check` each shift: what is past due gets done within a
            # day or two, and only a very few are forgotten for good.
            still_open = (age < 0 and rng.random() < 0.9) or (
                0 <= age < 2 * day_ms and rng.random() < 0.1) or rng.random() < 0.00005
            if not still_open:
                late = rng.random() < 0.12
                done = due + rng.randrange(60_000, 2 * day_ms) if late else \
                    due - rng.randrange(0, max(60_001, within * 60_000 // 2))
                done = min(max(done, started + 60_000), now_ms - 1_000)
                r = rng.random()
                f["done_at"] = ts(done)
                f["outcome"] = "recovered" if r < 0.80 else "lost" if r < 0.88 else "done"
                f["done_by"] = rng.choice(staff[:40])
                if rng.random() < 0.1:
                    f["note"] = rng.choice(NOTES)
            follow_ups.append((due, sid, f))
        follow_ups = [f for _, _, f in sorted(follow_ups, key=lambda x: x[:2])]
        points = pb["points"]
        failure_point = rng.choice(points) if points and rng.random() < 0.9 else None
        if interrupted:
            steps = steps[:cut]
            follow_ups = []
            amends_total = sum(round(float(s["cost"]) * 100) for s in steps
                               if s.get("outcome") == "done" and "cost" in s)
        incident = {
            "id": short,
            "uid": global_id(started, rng, args.v4_uids),
            "type": kind,
            "severity": severity,
            "staff": rng.choices(staff, staff_weights)[0],
            "role": role,
            "ref": None if rng.random() < 0.1 else rng.choice(
                [f"room {rng.randrange(101, 820)}", f"table {rng.randrange(1, 40)}",
                 f"order {rng.randrange(10000, 99999)}", f"BK{rng.randrange(100000, 999999)}"]),
            "started_at": ts(started),
            "finished_at": None if interrupted else ts(at + rng.randrange(5_000, 60_000)),
            "status": "in_progress" if interrupted else
            "incomplete" if required_skipped else "complete",
            "steps": steps,
            "amends_total": money(amends_total / 100),
            "currency": currency,
            "limit": money(limit),
            "approver_role": approver_role if any(s.get("approved_by") for s in steps) else None,
            "failure_point": None if interrupted else failure_point,
            "failure_note": None,
            "failure_answered": not interrupted,
            "servqual": pb["servqual"],
            "follow_ups": follow_ups,
        }
        out.write(dumps(incident))
        out.write("\n")
    if out is not sys.stdout:
        out.close()


def generate_library(args):
    os.makedirs(args.out, exist_ok=True)
    sources = []
    for name in sorted(os.listdir(PLAYBOOKS)):
        with open(os.path.join(PLAYBOOKS, name), encoding="utf-8") as f:
            text = f.read()
        if name == "policy.yaml":
            with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
                f.write(text)
        elif name.endswith(".yaml"):
            sources.append(text)
    for i in range(args.count):
        text = sources[i % len(sources)]
        kind = re.search(r"^type: *(\S+)", text, re.M).group(1)
        n = f"{i:03d}"
        text = re.sub(r"^type: *\S+", f"type: {kind}-{n}", text, count=1, flags=re.M)
        text = re.sub(r"^aliases: *\[(.*)\]",
                      lambda m: "aliases: [" + ", ".join(
                          f"{a.strip()}-{n}" for a in m.group(1).split(",") if a.strip()) + "]",
                      text, count=1, flags=re.M)
        with open(os.path.join(args.out, f"{kind}-{n}.yaml"), "w", encoding="utf-8") as f:
            f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    lib = sub.add_parser("library")
    lib.add_argument("--count", type=int, default=500)
    lib.add_argument("--out", required=True)
    log = sub.add_parser("log")
    log.add_argument("--incidents", type=int, required=True)
    log.add_argument("--per-day", type=float, default=500.0)
    log.add_argument("--seed", type=int, default=8)
    log.add_argument("--now", help="RFC 3339 end of the log (default: now)")
    log.add_argument("--v4-uids", action="store_true",
                     help="random version 4 global ids, as logs made before version 7 ids have")
    log.add_argument("--out", required=True)
    args = p.parse_args()
    if args.what == "library":
        generate_library(args)
    else:
        if args.now:
            args.now_ms = calendar.timegm(time.strptime(args.now[:19], "%Y-%m-%dT%H:%M:%S")) * 1000
        else:
            args.now_ms = int(time.time() * 1000)
        generate_log(args)


if __name__ == "__main__":
    main()
