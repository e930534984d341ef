"""Runs every program of tests/programs/, and the demo, before and after
`loopwarden check --fix --unsafe-fixes` on a temporary copy, and checks that the fixes keep
them working:

- each program exits 0 both times, with the same standard output, and after the fixes
  with no `RuntimeWarning` and no traceback on standard error;
- every fixed file compiles (`compile()`, what `py_compile` runs);
- each program had fixes applied, and a second `--diff` run finds nothing left to fix;
- the fixed demo still imports, and its fixed coroutines return what they did before.

Usage: python run_fixed.py LOOPWARDEN_BIN
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGRAMS = os.path.join(ROOT, "tests", "programs")
DEMO = os.path.join(ROOT, "examples", "demo")
DEMO_RUN = os.path.join(ROOT, "tests", "e2e", "demo_run.py")
TIMEOUT = 120
FIX_LINE = re.compile(r"^(?P<file>.+?):(?P<row>\d+): (?P<code>LW\d+) ")

failures = []


def fail(message: str) -> None:
    failures.append(message)
    print(f"FAIL {message}")


def python(args, cwd):
    environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return subprocess.run(
        [sys.executable, "-X", "dev", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment,
    )


def fix(binary: str, directory: str) -> dict:
    """Fixes `directory` in place; the number of fixes applied per file."""
    run = subprocess.run(
        [binary, "check", directory, "--fix", "--unsafe-fixes", "--show-fixes", "--exit-zero"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if run.returncode != 0:
        fail(f"`check --fix` on {directory} exited {run.returncode}: {run.stderr}")
    counts: dict = {}
    for line in run.stderr.splitlines():
        match = FIX_LINE.match(line)
        if match:
            name = os.path.basename(match["file"])
            counts[name] = counts.get(name, 0) + 1
        elif line.startswith("error"):
            fail(f"`check --fix` on {directory}: {line}")
    return counts


def nothing_left(binary: str, directory: str) -> None:
    run = subprocess.run(
        [binary, "check", directory, "--diff", "--unsafe-fixes"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if run.returncode != 0 or run.stdout:
        fail(f"a second fix run on {directory} still changes something:\n{run.stdout}{run.stderr}")


def compiles(directory: str) -> None:
    for folder, _dirs, files in os.walk(directory):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    with open(path, "rb") as source:
                        compile(source.read(), path, "exec", dont_inherit=True)
                except (SyntaxError, ValueError) as error:
                    fail(f"{path} does not compile after the fixes: {error}")


def clean(stderr: str) -> bool:
    return "RuntimeWarning" not in stderr and "Traceback" not in stderr


def compare(name: str, before, after) -> None:
    if before.returncode != 0:
        fail(f"{name} fails before the fixes (exit {before.returncode}):\n{before.stderr}")
    if after.returncode != 0:
        fail(f"{name} fails after the fixes (exit {after.returncode}):\n{after.stderr}")
    if before.stdout != after.stdout:
        fail(f"{name} prints something else after the fixes:\n--- before\n{before.stdout}--- after\n{after.stdout}")
    if not clean(after.stderr):
        fail(f"{name} warns or fails after the fixes:\n{after.stderr}")


def programs(binary: str) -> None:
    names = sorted(name for name in os.listdir(PROGRAMS) if name.endswith(".py"))
    with tempfile.TemporaryDirectory() as scratch:
        original = os.path.join(scratch, "original")
        fixed = os.path.join(scratch, "fixed")
        shutil.copytree(PROGRAMS, original)
        shutil.copytree(PROGRAMS, fixed)
        counts = fix(binary, fixed)
        compiles(fixed)
        nothing_left(binary, fixed)
        for name in names:
            if counts.get(name, 0) == 0:
                fail(f"{name}: no fix was applied")
            before = python([name], original)
            after = python([name], fixed)
            compare(name, before, after)
            print(f"ok   {name}: {counts.get(name, 0)} fixes, same output")


def demo(binary: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        original = os.path.join(scratch, "original")
        fixed = os.path.join(scratch, "fixed")
        shutil.copytree(DEMO, original)
        shutil.copytree(DEMO, fixed)
        counts = fix(binary, fixed)
        compiles(fixed)
        nothing_left(binary, fixed)
        total = sum(counts.values())
        if total == 0:
            fail("the demo: no fix was applied")
        runs = []
        for copy in (original, fixed):
            work = os.path.join(scratch, "work-" + os.path.basename(copy))
            os.mkdir(work)
            runs.append(python([DEMO_RUN, copy], work))
        compare("the demo", *runs)
        print(f"ok   the demo: {total} fixes, imports and runs with the same output")


def main() -> int:
    binary = os.path.abspath(sys.argv[1])
    programs(binary)
    demo(binary)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all fixed programs still run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
