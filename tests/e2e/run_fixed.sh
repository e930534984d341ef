#!/usr/bin/env bash
# Fixed programs still run: every program of tests/programs/, and the demo, is run under
# CPython before and after `check --fix --unsafe-fixes` on a temporary copy (run_fixed.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${LOOPWARDEN_BIN:?the loopwarden binary to test}"
: "${CI_PYTHON:=python3}"
exec "$CI_PYTHON" tests/e2e/run_fixed.py "$LOOPWARDEN_BIN"
