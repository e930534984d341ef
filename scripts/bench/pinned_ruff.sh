#!/usr/bin/env bash
# pinned_ruff.sh — prints the path of a Ruff binary of the version pinned in tools.txt,
# installing it first when there is none. compare.sh and cold_ab.sh both time this one.
#
# Looks, in order, at: $LW_RUFF (refused if it is another version), the Ruff installed in
# $LW_CORPUS/venv-ruff-VERSION by an earlier run, a `ruff` on PATH. With none of them,
# installs the pin from PyPI into $LW_CORPUS/venv-ruff-VERSION (a venv, or `pip --target`
# when the Python has no working venv module). Messages go to stderr; exit 2 on failure.
# Environment: LW_CORPUS (default $HOME/.cache/loopwarden-corpus), LW_RUFF, PYTHON.
set -euo pipefail

kit=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${LW_CORPUS:-$HOME/.cache/loopwarden-corpus}
python=${PYTHON:-python3}
die() { echo "pinned_ruff: error: $*" >&2; exit 2; }

ruff_pin=$(grep -E '^ruff==[^[:space:]]+' "$kit/tools.txt" | head -n 1 || true)
[[ -n "$ruff_pin" ]] || die "no ruff==VERSION line in $kit/tools.txt"
ruff_version=${ruff_pin#ruff==}
venv=$cache/venv-ruff-$ruff_version
is_pinned_ruff() { [[ -x "$1" ]] && [[ "$("$1" --version 2>/dev/null)" == "ruff $ruff_version" ]]; }

if [[ -n "${LW_RUFF:-}" ]]; then
  is_pinned_ruff "$LW_RUFF" || die "LW_RUFF=$LW_RUFF is not ruff $ruff_version (tools.txt)"
  echo "$LW_RUFF"
  exit 0
fi
for candidate in "$venv/bin/ruff" "$venv/target/bin/ruff" "$(command -v ruff || true)"; do
  if [[ -n "$candidate" ]] && is_pinned_ruff "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

echo "pinned_ruff: installing $ruff_pin into $venv" >&2
rm -rf "$venv"
mkdir -p "$cache"
if "$python" -m venv "$venv" >&2 && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "$ruff_pin" >&2 \
    || die "pip could not install $ruff_pin into $venv"
  ruff=$venv/bin/ruff
else
  # A Python without a working venv module (Debian without python3-venv): pip can still
  # put the package in a plain folder, and Ruff's wheel carries its binary in bin/.
  echo "pinned_ruff: no working venv; installing with pip --target instead" >&2
  rm -rf "$venv"
  "$python" -m pip install --disable-pip-version-check --quiet --target "$venv/target" "$ruff_pin" >&2 \
    || die "pip could not install $ruff_pin"
  ruff=$venv/target/bin/ruff
fi
is_pinned_ruff "$ruff" || die "installed $ruff_pin, but '$ruff --version' does not say ruff $ruff_version"
echo "$ruff"
