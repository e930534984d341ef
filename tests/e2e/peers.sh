#!/usr/bin/env bash
# docs/comparison.md, checked: runs Ruff, flake8-async and loopwarden on the pitfall files of
# tests/e2e/peer_cases/ and checks that each reports (or does not report) what the page says.
set -euo pipefail
cd "$(dirname "$0")/peer_cases"
bin="$(dirname "$CI_PYTHON")"

ruff_out=$("$bin/ruff" check --isolated --preview --select ASYNC,RUF006,RUF029 \
    --target-version py312 --output-format concise --exit-zero . 2>&1)
f8_out=$("$bin/flake8-async" --asyncio --enable ASYNC,ASYNC913 ./*.py 2>&1 || true)
lw_out=$("$LOOPWARDEN_BIN" check . --select LW --target-version py312 \
    --output-format concise --exit-zero 2>&1)

failures=0
# expect TOOL OUTPUT "file:line:" "CODE-or-name" present|absent
expect() {
    local tool=$1 output=$2 place=$3 code=$4 want=$5
    local found=absent
    if grep -F -- "$place" <<<"$output" | grep -qF -- "$code"; then
        found=present
    fi
    if [[ $found == "$want" ]]; then
        echo "ok   $tool $place $code $want"
    else
        echo "FAIL $tool $place $code: expected $want, was $found"
        failures=$((failures + 1))
    fi
}

# A deadline with no await inside.
expect ruff "$ruff_out" "p01_timeout_no_await.py:4:" cancel-scope-no-checkpoint present
expect flake8-async "$f8_out" "p01_timeout_no_await.py:4:" ASYNC100 present
expect loopwarden "$lw_out" "p01_timeout_no_await.py:4:" LW503 present
# Polling a flag with asyncio.sleep: Ruff covers asyncio, flake8-async's ASYNC110 did not fire.
expect ruff "$ruff_out" "p02_sleep_polling.py:4:" async-busy-wait present
expect flake8-async "$f8_out" "p02_sleep_polling.py:" ASYNC110 absent
expect loopwarden "$lw_out" "p02_sleep_polling.py:4:" LW505 present
# A timeout parameter.
expect ruff "$ruff_out" "p03_timeout_param.py:1:" async-function-with-timeout present
expect flake8-async "$f8_out" "p03_timeout_param.py:1:" ASYNC109 present
expect loopwarden "$lw_out" "p03_timeout_param.py:1:" LW504 present
# An async function that never awaits.
expect ruff "$ruff_out" "p04_never_awaits.py:1:" unused-async present
expect flake8-async "$f8_out" "p04_never_awaits.py:1:" ASYNC124 present
expect loopwarden "$lw_out" "p04_never_awaits.py:1:" LW405 present
# ... and on a coroutine full of blocking calls, where "make it sync" is the wrong advice.
expect ruff "$ruff_out" "p10_blocking.py:2:" unused-async present
expect loopwarden "$lw_out" "p10_blocking.py:2:" LW405 absent
# `with` on an async-only context manager and the mirror: neither linter checks it.
expect ruff "$ruff_out" "p05_wrong_cm.py:" ASYNC absent
expect flake8-async "$f8_out" "p05_wrong_cm.py:" ASYNC absent
expect loopwarden "$lw_out" "p05_wrong_cm.py:5:" LW204 present
expect loopwarden "$lw_out" "p05_wrong_cm.py:7:" LW204 present
# A yield inside a context in an async generator.
expect ruff "$ruff_out" "p06_yield_in_cm.py:4:" yield-in-context-manager-in-async-generator present
expect flake8-async "$f8_out" "p06_yield_in_cm.py:4:" ASYNC119 present
expect loopwarden "$lw_out" "p06_yield_in_cm.py:4:" LW305 present
# Loops that never yield: ASYNC913 sees the `while True`, not the spin-wait on a flag.
expect flake8-async "$f8_out" "p07_loop_no_await.py:13:" ASYNC913 present
expect flake8-async "$f8_out" "p07_loop_no_await.py:3:" ASYNC913 absent
expect loopwarden "$lw_out" "p07_loop_no_await.py:13:" LW106 present
expect loopwarden "$lw_out" "p07_loop_no_await.py:3:" LW106 present
expect loopwarden "$lw_out" "p07_loop_no_await.py:7:" LW106 absent
# Cancellation turned into another exception.
expect flake8-async "$f8_out" "p09_cancel_to_other.py:6:" ASYNC104 present
expect loopwarden "$lw_out" "p09_cancel_to_other.py:5:" LW403 present
# os.path: Ruff's ASYNC240 flags abspath, a pure string function; LW105 does not.
expect ruff "$ruff_out" "p10_blocking.py:10:" blocking-path-method-in-async-function present
expect ruff "$ruff_out" "p10_blocking.py:11:" blocking-path-method-in-async-function present
expect flake8-async "$f8_out" "p10_blocking.py:11:" ASYNC240 absent
expect loopwarden "$lw_out" "p10_blocking.py:10:" LW105 present
expect loopwarden "$lw_out" "p10_blocking.py:11:" LW105 absent
# sqlite3 is outside both linters' lists.
expect ruff "$ruff_out" "p10_blocking.py:13:" blocking absent
expect flake8-async "$f8_out" "p10_blocking.py:13:" ASYNC absent
expect loopwarden "$lw_out" "p10_blocking.py:13:" LW101 present
# A blocking call one sync helper away.
expect ruff "$ruff_out" "p11_transitive.py:5:" ASYNC absent
expect flake8-async "$f8_out" "p11_transitive.py:5:" ASYNC absent
expect loopwarden "$lw_out" "p11_transitive.py:5:" LW103 present
# A dropped task; an unawaited coroutine; a coroutine as a condition.
expect ruff "$ruff_out" "p12_dangling_task.py:4:" asyncio-dangling-task present
expect flake8-async "$f8_out" "p12_dangling_task.py:4:" ASYNC300 present
expect loopwarden "$lw_out" "p12_dangling_task.py:4:" LW301 present
expect loopwarden "$lw_out" "p12_dangling_task.py:5:" LW302 present
expect loopwarden "$lw_out" "p12_dangling_task.py:6:" LW303 present

echo "ruff: $("$bin/ruff" --version); flake8-async: $("$CI_PYTHON" -m pip show flake8-async 2>/dev/null | sed -n 's/^Version: //p')"
if ((failures)); then
    echo "$failures expectation(s) of docs/comparison.md no longer hold"
    exit 1
fi
