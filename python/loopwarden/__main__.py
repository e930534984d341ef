"""``python -m loopwarden ...``: runs the ``loopwarden`` executable with the same arguments."""

from __future__ import annotations

import os
import sys

from loopwarden import find_loopwarden_bin


def main() -> None:
    binary = find_loopwarden_bin()
    arguments = [binary, *sys.argv[1:]]
    if sys.platform == "win32":
        # Windows has no exec that replaces the process: wait for the child and pass its
        # exit code on.
        import subprocess

        sys.exit(subprocess.call(arguments))
    os.execv(binary, arguments)


if __name__ == "__main__":
    main()
