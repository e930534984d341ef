#!/usr/bin/env bash
# The pre-commit hook end to end, with pre-commit from PyPI: `pre-commit try-repo` runs this
# repository's `loopwarden` hook on a small git repository made here, once with a finding
# (the hook fails and prints it) and once clean (the hook passes); then a configuration that
# passes `--fix` to the hook has the fixable finding fixed in the file.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${CI_PYTHON:?the Python of the CI virtual environment (see tests/e2e/README.md)}"

tools=$(dirname "$CI_PYTHON")
work=$PWD/target/e2e-pre-commit
rm -rf "$work"
mkdir -p "$work"
# The hook's environment is built by pip with maturin; sharing the checkout's target
# directory spares it most of a release build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export PRE_COMMIT_HOME="$work/cache"
git_quiet() { git -c user.name=loopwarden-ci -c user.email=ci@localhost -c init.defaultBranch=main "$@"; }

failures=0
check() { # description, then a command that succeeds when the check passes
    local description=$1
    shift
    if "$@"; then
        echo "ok: $description"
    else
        echo "FAILED: $description"
        failures=$((failures + 1))
    fi
}

# pre-commit installs a hook from a commit: snapshot the working tree (tracked and new
# files, as they are now) into a repository of its own.
hooks=$work/hook-repo
mkdir -p "$hooks"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
    if [[ -f $file ]]; then
        mkdir -p "$hooks/$(dirname "$file")"
        cp -p "$file" "$hooks/$file"
    fi
done
git_quiet -C "$hooks" init -q
git_quiet -C "$hooks" add -A
git_quiet -C "$hooks" commit -qm "the working tree"
rev=$(git -C "$hooks" rev-parse HEAD)

# The project the hook runs in.
project=$work/project
mkdir -p "$project"
git_quiet -C "$project" init -q
cat >"$project/service.py" <<'PY'
import asyncio
import time


async def handler():
    time.sleep(1)
    return "done"
PY
git_quiet -C "$project" add -A

run_hook() { # log file, then pre-commit's arguments
    local log=$1
    shift
    (cd "$project" && "$tools/pre-commit" "$@") >"$log" 2>&1
}

echo "== pre-commit try-repo, a finding"
status=0
run_hook "$work/finding.log" try-repo "$hooks" loopwarden --ref "$rev" --all-files || status=$?
check "the hook fails on a blocking call in a coroutine" test "$status" -ne 0
check "it prints the finding" grep -q "service.py:6:5: LW101" "$work/finding.log"
((status)) || cat "$work/finding.log"

echo "== pre-commit try-repo, clean"
cat >"$project/service.py" <<'PY'
import asyncio


async def handler():
    await asyncio.sleep(1)
    return "done"
PY
git_quiet -C "$project" add -A
status=0
run_hook "$work/clean.log" try-repo "$hooks" loopwarden --ref "$rev" --all-files || status=$?
check "the hook passes on clean code" test "$status" -eq 0
((status == 0)) || cat "$work/clean.log"

echo "== args: [--fix]"
cat >"$project/service.py" <<'PY'
import asyncio


async def handler():
    asyncio.sleep(1)
    return "done"
PY
cat >"$project/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: loopwarden
        args: [--fix]
YAML
git_quiet -C "$project" add -A
status=0
run_hook "$work/fix.log" run --all-files || status=$?
check "the hook fails the run that fixes the file" test "$status" -ne 0
check "the unawaited coroutine is awaited in the file" grep -q "    await asyncio.sleep(1)" "$project/service.py"
git_quiet -C "$project" add -A
status=0
run_hook "$work/fixed.log" run --all-files || status=$?
check "the next run passes" test "$status" -eq 0
((status == 0)) || cat "$work/fix.log" "$work/fixed.log"

if ((failures)); then
    echo "pre_commit: $failures check(s) failed"
    exit 1
fi
echo "pre_commit: all checks passed"
