#!/usr/bin/env python3
"""Writes 1 MiB playbooks built to be slow to refuse, one library folder per shape.

    python3 bench/hostile_yaml.py OUT_DIR
    for d in OUT_DIR/*/; do /usr/bin/time -f "$d %es %MKB" recover check "$d"; done

Each must be accepted or refused in well under a second (release build). The shapes:
  flow-deep      one line of 500,000 nested `[` (quadratic in the parsers before the
                 pre-scan in src/yaml/guard.rs)
  flow-maps-deep nested `{a: ` maps
  flow-63        many lines nested 63 deep: just under the depth limit
  quoted-flow    brackets hidden between quotes, interleaved with real ones
  block-hide     a block scalar that looks like it opens a quote, then deep brackets
  prescan-fooled deep brackets the pre-scan takes for block-scalar text (`   |c` continuing
                 a plain scalar): the event walk, run before serde_yaml, refuses them
  big-sequence   one flow sequence of 500,000 numbers
  many-keys      100,000 keys
  indent-deep    mappings nested by indentation, one level a line
  long-scalar    one plain scalar of a megabyte
  long-digits    numbers of many digits (refused before a float rounds them)
"""

import os
import sys

SIZE = 1024 * 1024 - 64  # stays under the 1 MiB file limit


def shapes():
    n = SIZE // 2
    yield "flow-deep", "type: " + "[" * n + "]" * n + "\n"
    n = SIZE // 5
    yield "flow-maps-deep", "type: " + "{a: " * n + "1" + "}" * n + "\n"
    line = "k{}: " + "[" * 63 + "]" * 63 + "\n"
    yield "flow-63", "".join(line.format(i) for i in range(SIZE // len(line.format(99999))))
    unit = '["]", '
    n = SIZE // (len(unit) + 1)
    yield "quoted-flow", "type: " + unit * n + "]" * n + "\n"
    n = (SIZE - 40) // 2
    yield "block-hide", "summary: |\n  'x\ntype: " + "[" * n + "]" * n + "\n"
    n = (SIZE - 40) // 2
    yield "prescan-fooled", "a:\n  b: x\n   |c\n  d: " + "[" * n + "]" * n + "\n"
    yield "big-sequence", "type: [" + "1," * (SIZE // 2 - 8) + "1]\n"
    yield "many-keys", "".join("k{}: v\n".format(i) for i in range(SIZE // 11))
    lines, total, k = [], 0, 0
    while total < SIZE - 4096:
        line = " " * k + "a:\n"
        lines.append(line)
        total += len(line)
        k += 1
    yield "indent-deep", "".join(lines)
    yield "long-scalar", "type: " + "x " * (SIZE // 2 - 8) + "\n"
    yield "long-digits", "".join("k{}: 1.{}\n".format(i, "1" * 40) for i in range(SIZE // 56))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    for name, text in shapes():
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        assert len(text.encode()) <= 1024 * 1024, name
        with open(os.path.join(folder, "hostile.yaml"), "w", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(folder, "policy.yaml"), "w", encoding="utf-8") as f:
            f.write("currency: EUR\nroles: {staff: 50}\n")


if __name__ == "__main__":
    main()
