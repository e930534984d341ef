#!/usr/bin/env bash
# The Python package end to end: maturin builds the wheel, a fresh virtual environment
# installs it, and the `loopwarden` command it puts on PATH (and `python -m loopwarden`)
# runs: the version is Cargo.toml's, and a check of the bundled demo finds what the release
# binary finds. Then `pip install .` from the source tree, in another fresh environment.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${CI_PYTHON:?the Python of the CI virtual environment (see tests/e2e/README.md)}"
: "${LOOPWARDEN_BIN:?the release binary (see tests/e2e/README.md)}"

tools=$(dirname "$CI_PYTHON")
work=target/e2e-wheel
rm -rf "$work"
mkdir -p "$work"
# Builds share the checkout's target directory, so the wheel reuses the release build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

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

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
expected_demo=$("$LOOPWARDEN_BIN" check examples/demo --output-format concise || true)

# Runs the demo check with the given command; passes when it exits 1 with the binary's
# findings.
demo_matches() {
    local output status=0
    output=$("$@" check examples/demo --output-format concise) || status=$?
    [[ $status -eq 1 && -n $output && $output == "$expected_demo" ]] || {
        echo "  exit $status; output:" && echo "$output" | head -n 5
        return 1
    }
}

# The installed environment's command, found on PATH as a user would.
on_path() { # venv, then the rest of the command line
    local venv=$1
    shift
    PATH="$venv/bin:$PATH" "$@"
}

echo "== the wheel"
"$tools/maturin" build --release --locked --out "$work/dist" >"$work/build.log" 2>&1 || {
    cat "$work/build.log"
    exit 1
}
wheels=("$work"/dist/loopwarden-"$version"-*.whl)
check "maturin built one wheel for version $version" test -f "${wheels[0]}" -a "${#wheels[@]}" -eq 1

"$CI_PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "${wheels[0]}"
check "the wheel puts loopwarden on PATH" \
    test "$(on_path "$work/venv" command -v loopwarden)" = "$work/venv/bin/loopwarden"
check "loopwarden --version" \
    test "$(on_path "$work/venv" loopwarden --version)" = "loopwarden $version"
check "python -m loopwarden --version" \
    test "$("$work/venv/bin/python" -m loopwarden --version)" = "loopwarden $version"
check "loopwarden check examples/demo: exit 1, the demo's findings" \
    demo_matches on_path "$work/venv" loopwarden
check "python -m loopwarden check examples/demo: exit 1, the demo's findings" \
    demo_matches "$work/venv/bin/python" -m loopwarden

echo "== pip install . (the source tree, built by maturin)"
"$CI_PYTHON" -m venv "$work/venv-source"
"$work/venv-source/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r tests/e2e/requirements-wheel.txt
# maturin's build backend runs the `maturin` command: the environment's, on PATH.
on_path "$work/venv-source" python -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation . >"$work/install.log" 2>&1 || {
    cat "$work/install.log"
    exit 1
}
check "pip install . gives loopwarden --version" \
    test "$(on_path "$work/venv-source" loopwarden --version)" = "loopwarden $version"
check "pip install . gives python -m loopwarden" \
    demo_matches "$work/venv-source/bin/python" -m loopwarden

if ((failures)); then
    echo "wheel: $failures check(s) failed"
    exit 1
fi
echo "wheel: all checks passed"
