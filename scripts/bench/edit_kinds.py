#!/usr/bin/env python3
"""What a cached `loopwarden check` does after random one-file edits of one kind, and whether
its output is still the output without the cache.

    scripts/bench/edit_kinds.py BIN PATH [--kind blank|literal|statement|removal|member]
                                [--edits 40]
                                [--seed 11]
                                [--compare-every 10]

PATH is copied to a temporary directory (it is never written). The cache is filled once;
then, `--edits` times, one file of the copy (a Python file over 2 KiB, picked with the seed)
is edited and `check --verbose` runs with the cache. Each run is counted by what its
`cache:` line says the link did: `moved` (the last link's findings moved with the code),
`re-used` (the link read nothing that changed) or `linked` (the project linked again).
Every `--compare-every` edits, the JSON output is compared with a `--no-cache` run.

Kinds of edit:
- `blank`: an empty line inserted at a random line (inside strings and brackets too);
- `literal`: `zz` added at the start of the first string literal passed to a call on a
  random line that has one (`f("abc")` becomes `f("zzabc")`);
- `statement`: an indented line that reads as a whole simple statement with a call in it
  (`self._update(data)`, `x = await fetch(url)`), written twice: what adding a call next
  to a similar one does. Lines that end a block's flow (`return`, `raise`, `break`) and
  lines that open or continue a bracket are left alone.
- `removal`: such a line replaced by `pass` at its indentation: what deleting a call does
  (the block keeps a statement, so the file still parses).
- `member`: in such a line, the first method called (`.name(`) renamed `name_zz`: a
  call of a member never called before, of the same value.

Exit status 1 when any output differed from the one without the cache.
"""

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CALL_WITH_STRING = re.compile(r'[A-Za-z_]\("([a-z])')
METHOD_CALL = re.compile(r"\.([A-Za-z_][A-Za-z_0-9]*)\(")
SIMPLE_STATEMENT = re.compile(
    r"^(\s+)(?!(return|raise|break|continue|yield|pass|else|elif|except|finally)\b|@|#)"
    r"\S.*\w\(.*\)$"
)


def whole_statement(line: str) -> bool:
    """Whether `line` looks like a complete simple statement that makes a call."""
    if not SIMPLE_STATEMENT.match(line) or line.endswith((":", ",", "\\")):
        return False
    if "'''" in line or '"""' in line:
        return False
    depth = 0
    for char in line:
        depth += char in "([{"
        depth -= char in ")]}"
        if depth < 0:
            return False
    return depth == 0 and line.count('"') % 2 == 0 and line.count("'") % 2 == 0


def edit(path: Path, kind: str, rng: random.Random) -> bool:
    """Edits `path`; False when it offers no place for this kind of edit."""
    lines = path.read_text(encoding="utf-8", errors="surrogateescape").split("\n")
    if kind == "blank":
        lines.insert(rng.randrange(len(lines)), "")
    elif kind == "statement":
        places = [at for at, line in enumerate(lines) if whole_statement(line)]
        if not places:
            return False
        at = rng.choice(places)
        lines.insert(at + 1, lines[at])
    elif kind == "member":
        places = [at for at, line in enumerate(lines)
                  if whole_statement(line) and METHOD_CALL.search(line)]
        if not places:
            return False
        at = rng.choice(places)
        lines[at] = METHOD_CALL.sub(lambda m: "." + m.group(1) + "_zz(", lines[at], count=1)
    elif kind == "removal":
        places = [at for at, line in enumerate(lines) if whole_statement(line)]
        if not places:
            return False
        at = rng.choice(places)
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines[at] = indent + "pass"
    else:
        places = [at for at, line in enumerate(lines) if CALL_WITH_STRING.search(line)]
        if not places:
            return False
        at = rng.choice(places)
        lines[at] = CALL_WITH_STRING.sub(lambda m: m.group(0)[:-1] + "zz" + m.group(1),
                                         lines[at], count=1)
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogateescape")
    return True


def check(binary: str, root: Path, cache: Path | None) -> tuple[str, str]:
    """JSON output and the `cache:` line of a check of `root`."""
    args = [binary, "check", str(root), "--output-format", "json", "--exit-zero"]
    args += ["--cache-dir", str(cache), "--verbose"] if cache else ["--no-cache"]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    said = next((line for line in done.stderr.splitlines() if line.startswith("cache:")), "")
    return done.stdout, said


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("path", type=Path)
    parser.add_argument("--kind", choices=("blank", "literal", "statement", "removal", "member"), default="blank")
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--compare-every", type=int, default=10)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / options.path.name
        shutil.copytree(options.path, root)
        cache = Path(work) / "cache"
        files = sorted(path for path in root.rglob("*.py") if path.stat().st_size > 2048)
        check(options.binary, root, cache)
        counts = {"moved": 0, "re-used": 0, "linked": 0}
        differed = 0
        for number in range(1, options.edits + 1):
            while not edit(rng.choice(files), options.kind, rng):
                pass
            output, said = check(options.binary, root, cache)
            if "findings moved" in said:
                counts["moved"] += 1
            elif "link re-used" in said:
                counts["re-used"] += 1
            else:
                counts["linked"] += 1
            if number % options.compare_every == 0:
                same = output == check(options.binary, root, None)[0]
                differed += not same
                print(f"edit {number}: output {'the same as' if same else 'DIFFERENT from'} "
                      "--no-cache", file=sys.stderr)
        print(f"{options.edits} {options.kind} edits (seed {options.seed}): "
              + ", ".join(f"{kind} {count}" for kind, count in counts.items())
              + f"; outputs compared {options.edits // options.compare_every}, "
              f"differed {differed}")
    return 1 if differed else 0


if __name__ == "__main__":
    sys.exit(main())
