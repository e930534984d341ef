"""Each program in programs/ runs under `python -m loopwarden.runtime`; the report must hold
exactly the (code, file, row) its `# expect: LWxxx` comments name, no more and no fewer.
A program's `# runtime-options: ...` line gives extra options for the companion. Programs
that are not about blocking run with a threshold of a second, so that a busy machine that
stretches an iteration past 100 ms does not add a line they do not expect."""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
PROGRAMS = sorted((HERE / "programs").glob("*.py"))
PYTHON_DIR = HERE.parent.parent / "python"
EXPECT = re.compile(r"#\s*expect:\s*((?:LW\d{3}[ ,]*)+)")
OPTIONS = re.compile(r"#\s*runtime-options:\s*(.*)")


def expectations(program):
    expected = set()
    options = []
    for row, line in enumerate(program.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for code in re.findall(r"LW\d{3}", match.group(1)):
                expected.add((code, str(program), row))
        match = OPTIONS.search(line)
        if match:
            options.extend(match.group(1).split())
    return expected, options


def run_companion(arguments, cwd, report):
    environment = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
    return subprocess.run(
        [sys.executable, "-m", "loopwarden.runtime", "--report", str(report), *arguments],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=120,
    )


def read_report(report):
    return [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_reports_what_its_comments_expect(program, tmp_path):
    expected, options = expectations(program)
    if "--threshold-ms" not in options:
        options += ["--threshold-ms", "1000"]
    threshold = float(options[options.index("--threshold-ms") + 1])
    report = tmp_path / "report.jsonl"
    finished = run_companion([*options, str(program)], tmp_path, report)
    assert finished.returncode == 0, finished.stderr
    lines = read_report(report)
    found = {(line["code"], line["file"], line["row"]) for line in lines}
    assert found == expected, f"missing: {expected - found}, unexpected: {found - expected}"
    for line in lines:
        assert line["version"] == 1
        assert line["count"] >= 1
        assert line["stack"] and line["stack"][-1]["file"] and line["stack"][-1]["row"]
        if line["kind"] == "blocked":
            assert line["threshold_ms"] == threshold
            assert line["max_ms"] >= threshold and line["total_ms"] >= line["max_ms"]
        else:
            assert line["threshold_ms"] is None
