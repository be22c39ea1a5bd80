#!/usr/bin/env python3
"""Writes OUT/ full of mutated copies of the built-in playbooks (150 per playbook, 1-3 edits
each: a YAML-significant insert, a value replaced by a tricky scalar, a line doubled or
dropped), plus fuzz/seeds/playbook and the policy, for `recover check OUT` under two builds
whose outputs are then compared (docs/yaml-parser.md). Seeded: the same files every run.

    python3 bench/yaml-eval/mutate.py OUT
"""

import glob
import os
import random
import shutil
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
INSERTS = [": ", "[", "]", "{", "}", "&a ", "*a", "\t", '"', "'", "0800", "007", "1_000", "yes",
           "no", "on", "!!binary aGk=", "!x ", "1.0e400", ".nan", "~", "- ", "#", "|", ">", "? ",
           "<<: ", "18446744073709551616", "0x1F", "-", ",", "%", "@", "`", "\\", "\u00e9", "\ufeff"]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    random.seed(14)
    playbooks = sorted(p for p in glob.glob(os.path.join(ROOT, "playbooks", "*.yaml"))
                       if not p.endswith("policy.yaml"))
    for seed in glob.glob(os.path.join(ROOT, "fuzz", "seeds", "playbook", "*")):
        shutil.copy(seed, os.path.join(out, "seed-" + os.path.basename(seed)))
    shutil.copy(os.path.join(ROOT, "playbooks", "policy.yaml"), out)
    n = 0
    for path in playbooks:
        lines = open(path, encoding="utf-8").read().split("\n")
        for _ in range(150):
            text = list(lines)
            for _ in range(random.randint(1, 3)):
                i = random.randrange(len(text))
                op = random.random()
                if op < 0.5:
                    j = random.randint(0, len(text[i]))
                    text[i] = text[i][:j] + random.choice(INSERTS) + text[i][j:]
                elif op < 0.7 and ": " in text[i]:
                    text[i] = text[i].partition(": ")[0] + ": " + random.choice(INSERTS[10:30])
                elif op < 0.85:
                    text.insert(i, text[i])
                else:
                    del text[i]
            n += 1
            with open(os.path.join(out, f"m{n:05d}.yaml"), "w", encoding="utf-8") as f:
                f.write("\n".join(text))
    print(f"{n} mutated playbooks in {out}")


if __name__ == "__main__":
    main()
