#!/usr/bin/env bash
# `loopwarden server` end to end: the release binary driven over stdio by pytest-lsp (a real
# LSP client): diagnostics on open and on unsaved edits, an LW103 chain through a module
# never opened, hover, code actions applied until the finding goes (tests/e2e/lsp_test.py).
set -euo pipefail
cd "$(dirname "$0")"
: "${LOOPWARDEN_BIN:?the release binary}" "${CI_PYTHON:?a Python with requirements-lsp.txt}"
export LOOPWARDEN_BIN
"$CI_PYTHON" -m pytest -q -p no:cacheprovider -o asyncio_default_fixture_loop_scope=function lsp_test.py
