"""`python -m loopwarden.runtime [options] -m module args...` or `... script.py args...`:
runs the program under the watcher and writes the report when it ends."""

import argparse
import os
import runpy
import sys

from ._watcher import DEFAULT_THRESHOLD_MS, Watcher

DEFAULT_REPORT = "loopwarden-runtime.jsonl"


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m loopwarden.runtime",
        usage="%(prog)s [options] (-m module | script.py) [args ...]",
        description="Run a Python program and report what its event loops did in loopwarden's codes.",
    )
    parser.add_argument("--report", default=DEFAULT_REPORT, metavar="FILE",
                        help=f"where to write the JSON-lines report (default: {DEFAULT_REPORT})")
    parser.add_argument("--threshold-ms", type=float, default=DEFAULT_THRESHOLD_MS, metavar="N",
                        help="a loop iteration longer than this is reported as blocked (default: 100)")
    parser.add_argument("--blocking-calls", action="store_true",
                        help="also report catalogued blocking calls on a loop thread, however fast")
    parser.add_argument("--thorough", action="store_true",
                        help="also check every call_soon (LW104) and every gather (LW401, LW402): costlier")
    parser.add_argument("--origin-depth", type=int, default=0, metavar="N",
                        help="track where coroutines are created, N frames deep (costly)")
    parser.add_argument("--library", action="append", default=[], metavar="DIR",
                        help="treat files below DIR as library code, not the project's (repeatable)")
    return parser


def _split(argv):
    """Our options, then the program: `-m module` or the first argument that is no option."""
    takes_value = {"--report", "--threshold-ms", "--library", "--origin-depth"}
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "-m":
            return argv[:index], argv[index + 1:], True
        if arg in takes_value:
            index += 2
            continue
        if not arg.startswith("-"):
            return argv[:index], argv[index:], False
        index += 1
    return argv, [], False


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ours, program, is_module = _split(argv)
    parser = _parser()
    options = parser.parse_args(ours)
    if not program:
        parser.error("name a program to run: -m module, or script.py")
    watcher = Watcher(report=options.report, threshold_ms=options.threshold_ms,
                      blocking_calls=options.blocking_calls, thorough=options.thorough,
                      origin_depth=options.origin_depth, library=options.library)
    target, arguments = program[0], program[1:]
    if is_module:
        sys.argv = [target] + arguments
    else:
        sys.argv = [target] + arguments
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
    watcher.start()
    try:
        if is_module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    finally:
        watcher.stop(collect=True)


if __name__ == "__main__":
    main()
