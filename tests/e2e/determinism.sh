#!/usr/bin/env bash
# The CPython standard library of CI's Python, checked at 1, 2 and 8 threads: every run
# exits 0 or 1 with no panic and valid JSON, and all runs print the same bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
stdlib=$("$CI_PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
scripts/determinism.sh "$stdlib" "$LOOPWARDEN_BIN"
