#!/usr/bin/env python3
"""Measure how fast `loopwarden check --watch` re-checks a project after a one-file edit.

Copies PATH to a temporary directory (the corpus itself is never written), starts
`BIN check COPY --watch --verbose` there, waits for the first report, then edits one file
EDITS times, one edit at a time, waiting for each re-check's summary line. For each edit it
records the re-check time the watch prints on stderr (`re-checked in N ms`: from the end
of the burst of file events to the changes printed: the files analysed again, the link,
the report and what changed in it) and the wall time from the write to the summary line on stdout, which adds the
watch's wait for the burst of events to end (50 ms) and the event delivery.

The edits (--edit):
  append   one line (`BENCHMARK_EDIT_N = N`) appended to the file, as compare.sh's edit
           runs do: the link reads nothing of it, so it is re-used
  insert   one line inserted above the file's first top-level `def`, `async def` or
           `class`: every offset after it moves, so the project is linked again
  finding  a coroutine that calls `time.sleep` appended, then removed by the next edit: a
           finding comes and goes, the project is linked again each time

    scripts/bench/watch_latency.py BIN PATH --file RELATIVE [--edit append] [--edits 10]

Prints one line per edit, then the medians; only the standard library is needed.
"""

import argparse
import os
import pathlib
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

RECHECK = re.compile(r"re-checked in ([0-9.]+) ms \(changes printed\): (\d+) files analysed, (.*)")
SUMMARY = re.compile(r"^(\d+ new, \d+ fixed: |Watching for changes: )")


def reader(stream, sink):
    for line in iter(stream.readline, ""):
        sink.put((time.monotonic(), line.rstrip("\n")))
    sink.put((time.monotonic(), None))


def wait_for(lines, pattern, timeout):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit(f"watch_latency: no line matching {pattern.pattern!r} in {timeout} s")
        try:
            at, line = lines.get(timeout=left)
        except queue.Empty:
            continue
        if line is None:
            sys.exit("watch_latency: the watch ended")
        match = pattern.search(line)
        if match:
            return at, match


def edited(original, edit, number):
    if edit == "append":
        return f"{original}\nBENCHMARK_EDIT_{number} = {number}\n"
    if edit == "finding":
        if number % 2:
            return original
        return (
            f"{original}\n\nimport time as _benchmark_time\n\n\n"
            f"async def _benchmark_edit_{number}():\n    _benchmark_time.sleep(1)\n"
        )
    lines = original.splitlines(keepends=True)
    at = next(
        (
            index
            for index, line in enumerate(lines)
            if re.match(r"(async def|def|class) ", line)
        ),
        len(lines),
    )
    # A line of another length each time: every offset below it moves.
    lines.insert(at, f"BENCHMARK_EDIT = {'1' * number}\n")
    return "".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("path", help="the project to copy and watch")
    parser.add_argument("--file", required=True, help="the file to edit, relative to PATH")
    parser.add_argument("--edit", choices=["append", "insert", "finding"], default="append")
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lw-watch-") as temporary:
        copy = pathlib.Path(temporary) / "project"
        shutil.copytree(args.path, copy, symlinks=True)
        target = copy / args.file
        original = target.read_text()
        started = time.monotonic()
        watch = subprocess.Popen(
            [os.path.abspath(args.binary), "check", str(copy), "--watch", "--verbose"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        out, err = queue.Queue(), queue.Queue()
        threading.Thread(target=reader, args=(watch.stdout, out), daemon=True).start()
        threading.Thread(target=reader, args=(watch.stderr, err), daemon=True).start()
        try:
            at, _ = wait_for(out, SUMMARY, 600)
            print(f"first report: {at - started:.2f} s (walk, analyse and link everything)")
            rechecks, walls = [], []
            for number in range(1, args.edits + 1):
                time.sleep(0.5)
                written = time.monotonic()
                target.write_text(edited(original, args.edit, number))
                _, match = wait_for(err, RECHECK, 120)
                at, _ = wait_for(out, SUMMARY, 120)
                recheck = float(match.group(1))
                rechecks.append(recheck)
                walls.append((at - written) * 1000)
                print(
                    f"edit {number}: re-checked in {recheck:.1f} ms "
                    f"({match.group(2)} analysed, {match.group(3)}); "
                    f"write to report {walls[-1]:.0f} ms"
                )
            print(
                f"median of {args.edits} ({args.edit}): re-check {statistics.median(rechecks):.1f} ms "
                f"(max {max(rechecks):.1f}); write to report {statistics.median(walls):.0f} ms"
            )
        finally:
            watch.terminate()
            watch.wait()


if __name__ == "__main__":
    main()
