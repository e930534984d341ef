#!/usr/bin/env python3
"""Print the scaling curve of `cargo bench --bench scaling` as markdown tables.

    python3 scripts/bench/scaling-table.py [CRITERION_DIR]

CRITERION_DIR is criterion's output folder (default: $CARGO_TARGET_DIR/criterion, else
target/criterion of this repository). For each phase, the time per module (µs) at each project
size, and the time per MB at each single-file size, from each benchmark's `new/estimates.json`
(criterion's median estimate per iteration). The last columns divide the time per module
at the largest size by the one at the first size past 10 modules and at the size below the
largest (per MiB: the same for files): 1.00 is linear, more is superlinear. Groups measured with LW_BENCH_CLOCK=wall
(named `wall-...`) get their own tables.
"""

import json
import os
import sys

PROJECT_PHASES = [
    ("analyse", "analyse (`analyse_source`, one thread)"),
    ("link", "link (`link`)"),
    ("project-rules", "project rules (`project_diagnostics`)"),
    ("whole-check", "whole `check` of the directory"),
]
FILE_PHASES = [
    ("file-analyse", "analyse (`analyse_source`)"),
    ("file-project", "link + project rules"),
]


def criterion_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    target = os.environ.get("CARGO_TARGET_DIR")
    if not target:
        target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target")
    return os.path.join(target, "criterion")


def estimates(root, group):
    """{parameter: median ns per iteration} of one group."""
    found = {}
    folder = os.path.join(root, group)
    if not os.path.isdir(folder):
        return found
    for parameter in os.listdir(folder):
        path = os.path.join(folder, parameter, "new", "estimates.json")
        if not parameter.isdigit() or not os.path.isfile(path):
            continue
        with open(path) as handle:
            found[int(parameter)] = json.load(handle)["median"]["point_estimate"]
    return found


def table(root, prefix, phases, unit, per, digits):
    """Rows of one table; `per` turns (parameter, ns) into the figure shown."""
    results = {name: estimates(root, prefix + name) for name, _ in phases}
    sizes = sorted({size for found in results.values() for size in found})
    if not sizes:
        return False
    # Growth of the figure at the largest size over two smaller ones: the first past 10
    # modules (at 10 modules, fixed costs dominate) and the one just below the largest.
    first = next((size for size in sizes if size >= 100), sizes[0])
    bases = [size for size in dict.fromkeys([first, sizes[-2] if len(sizes) > 1 else first])
             if size != sizes[-1]]
    print(f"| {unit} | " + " | ".join(f"{size:,}" for size in sizes)
          + "".join(f" | {sizes[-1]:,} ÷ {base:,}" for base in bases) + " |")
    print("| --- | " + " | ".join("---:" for _ in sizes) + " | ---:" * len(bases) + " |")
    for name, label in phases:
        found = results[name]
        if not found:
            continue
        cells = [f"{per(size, found[size]):.{digits}f}" if size in found else "–" for size in sizes]
        for base in bases:
            if base in found and sizes[-1] in found:
                cells.append(f"{per(sizes[-1], found[sizes[-1]]) / per(base, found[base]):.2f}")
            else:
                cells.append("–")
        print(f"| {label} | " + " | ".join(cells) + " |")
    return True


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return
    root = criterion_dir()
    if not os.path.isdir(root):
        sys.exit(f"scaling-table: no criterion results in {root}; run `cargo bench --bench scaling` first")
    printed = False
    for prefix, clock in (("", "CPU time"), ("wall-", "wall time")):
        if any(estimates(root, prefix + name) for name, _ in PROJECT_PHASES + FILE_PHASES):
            print(f"Measured as {clock}; median of criterion's samples.\n")
        if table(root, prefix, PROJECT_PHASES, f"µs per module ({clock}), by modules",
                 lambda modules, ns: ns / 1e3 / modules, 1):
            print()
            printed = True
        if table(root, prefix, FILE_PHASES, f"ms per MiB ({clock}), by file size in MiB",
                 lambda mb, ns: ns / 1e6 / mb, 1):
            print()
            printed = True
    if not printed:
        sys.exit(f"scaling-table: no results of the scaling benchmark in {root}")


if __name__ == "__main__":
    main()
