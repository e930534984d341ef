#!/usr/bin/env bash
# compare.sh: time loopwarden against Ruff's asyncio rules on the same code, in one run:
# cold, warm (each tool with its cache) and after a one-file edit.
#
#   scripts/bench/compare.sh [BIN] [PATH...]
#
#   BIN    the loopwarden binary (default: target/release/loopwarden of this repository)
#   PATH   what to lint (default: the pinned corpus; fetch-corpus.sh is run first, which
#          costs a couple of seconds and no network once the corpus is there)
#
# The two commands, both printing a JSON array of findings (exit 0: none, 1: some):
#   loopwarden check --output-format json [$LW_EXTRA_ARGS] [CACHE] PATH...
#   ruff check --isolated --select ASYNC,RUF006 --output-format json [CACHE] PATH...
# Ruff is the version pinned in tools.txt: $LW_RUFF if set, else a `ruff` of that version
# on PATH or in the cache, else it is installed with pip into $LW_CORPUS/venv-ruff-VERSION
# (pinned_ruff.sh finds or installs it).
#
# Six measurements (LW_MODES), each with the tools alternating, loopwarden then Ruff,
# LW_RUNS times each, one process at a time:
#   cold   no cache: Ruff --no-cache, loopwarden --no-cache (when its `check --help` offers
#          it; a loopwarden without a cache is cold anyway)
#   first  each tool with its cache on, in a temporary directory removed before each run:
#          a user's first run, or a CI job's from a clean checkout (both tools write their
#          cache; loopwarden only when its `check --help` offers --cache-dir, else cold)
#   warm   each tool with its cache in a temporary directory (Ruff --cache-dir, loopwarden
#          --cache-dir when offered), after one untimed run that fills it: nothing changed
#   edit   on a copy of PATH in a temporary directory (the corpus itself is never written):
#          before each timed run, one line is appended to one file of the copy, so each
#          run re-checks a project in which one file changed since that tool's last run
#          (the file: $LW_EDIT_FILE, a path relative to the copied PATH, else the file of
#          median size, the first in path order)
#   edit-top  the same, but the line is a comment inserted at the top of the file: every
#          line and offset below it moves, as most edits move the code after them
#   edit-call  the same, but what is appended is a function that makes a call: an edit that
#          changes what calls what (for loopwarden: the whole project is linked again)
# The files are read once beforehand so that both tools find them in the page cache. Each
# run records wall time, CPU time and peak RSS (the kernel's ru_maxrss from wait4, the
# figure GNU time prints for %M), and its findings are counted.
#
# Output on stdout, ready to paste into docs/performance.md: a summary table (per mode,
# median wall, CPU, peak RSS and findings of both tools and their ratios), a table of every
# mode and tool with the range of wall times, and notes (commands, the edited file, the
# machine). Progress goes to stderr; the raw outputs of the last run of each tool and mode,
# and every run's measurements, to $LW_BENCH_OUT. A warning is printed when the machine was
# busy: a load average of LW_BUSY_LOAD or more before timing, or other processes using CPU
# during it.
#
# Environment:
#   LW_RUNS         timed runs per tool and mode (default: 7)
#   LW_MODES        which measurements, in order (default: "cold first warm edit edit-top edit-call")
#   LW_CORPUS       the corpus cache (default: $HOME/.cache/loopwarden-corpus)
#   LW_EXTRA_ARGS   more words for loopwarden, after `check --output-format json`
#   LW_EDIT_FILE    the file the edit runs append to, relative to the (one) PATH
#   LW_RUFF         a Ruff binary of the pinned version to use
#   LW_BUSY_LOAD    the 1-minute load average that counts as busy (default: 0.5)
#   LW_BENCH_OUT    where raw outputs go (default: $LW_CORPUS/results/DATE-TIME)
#   TMPDIR          where the caches and the edited copy live during the run (default: /tmp)
#   PYTHON          the python3 to run (default: python3)
# Needs bash and python3 (with pip and venv, the first time, to install Ruff).
set -euo pipefail

kit=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$kit/../.." && pwd)
cache=${LW_CORPUS:-$HOME/.cache/loopwarden-corpus}
runs=${LW_RUNS:-7}
modes=${LW_MODES:-cold first warm edit edit-top edit-call}
python=${PYTHON:-python3}

die() { echo "compare: error: $*" >&2; exit 2; }

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
  exit 0
fi
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "LW_RUNS must be a positive whole number, not '$runs'"
for mode in $modes; do
  [[ "$mode" == cold || "$mode" == first || "$mode" == warm || "$mode" == edit \
     || "$mode" == edit-top || "$mode" == edit-call ]] \
    || die "LW_MODES may name cold, first, warm, edit, edit-top and edit-call, not '$mode'"
done
[[ -n "${modes// /}" ]] || die "LW_MODES names no measurement"
command -v "$python" >/dev/null 2>&1 || die "'$python' not found; set PYTHON"

# --- loopwarden ----------------------------------------------------------------------------
lw=${1:-$repo/target/release/loopwarden}
[[ $# -gt 0 ]] && shift
[[ -f "$lw" && -x "$lw" ]] || die "no loopwarden binary at '$lw' (cargo build --release, or pass its path)"
lw=$(cd "$(dirname "$lw")" && pwd)/$(basename "$lw")
lw_version=$("$lw" --version 2>/dev/null) || die "'$lw --version' failed: is it a loopwarden binary?"
# Which cache options this build has: older builds have none, and are always cold.
lw_help=$("$lw" check --help 2>&1 || true)
lw_no_cache=""
lw_cache_dir=""
grep -q -- '--no-cache' <<<"$lw_help" && lw_no_cache=yes
grep -q -- '--cache-dir' <<<"$lw_help" && lw_cache_dir=yes

# --- Ruff, at the pinned version -----------------------------------------------------------
ruff=$(LW_CORPUS=$cache PYTHON=$python "$kit/pinned_ruff.sh") || die "no Ruff of the version pinned in tools.txt"
ruff_version=$("$ruff" --version)
ruff_version=${ruff_version#ruff }

# --- what to lint --------------------------------------------------------------------------
corpus_note=""
if [[ $# -gt 0 ]]; then
  paths=("$@")
  for path in "${paths[@]}"; do [[ -e "$path" ]] || die "no such file or directory: $path"; done
else
  fetched=$(LW_CORPUS=$cache "$kit/fetch-corpus.sh") || die "fetch-corpus.sh failed"
  printf '%s\n' "$fetched" >&2
  paths=("$(LW_CORPUS=$cache "$kit/fetch-corpus.sh" --print-root)")
  corpus_note="$(sed -n 's/^total: *//p' <<<"$fetched"), digest $(sed -n 's/^digest: *//p' <<<"$fetched")"
fi

out=${LW_BENCH_OUT:-$cache/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"

# The caches and the edited copy live in a temporary directory, removed at the end.
work=$(mktemp -d "${TMPDIR:-/tmp}/loopwarden-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
edit_paths=()
if [[ " $modes " == *" edit "* || " $modes " == *" edit-top "* || " $modes " == *" edit-call "* ]]; then
  echo "compare: copying ${paths[*]} for the edit runs" >&2
  for index in "${!paths[@]}"; do
    mkdir -p "$work/edit/$index"
    cp -R "${paths[$index]}" "$work/edit/$index/"
    edit_paths+=("$work/edit/$index/$(basename "${paths[$index]}")")
  done
fi

lw_cmd=("$lw" check --output-format json)
if [[ -n "${LW_EXTRA_ARGS:-}" ]]; then
  read -r -a extra <<<"$LW_EXTRA_ARGS"
  lw_cmd+=("${extra[@]}")
fi
ruff_cmd=("$ruff" check --isolated --select ASYNC,RUF006 --output-format json)

git_head=""
if [[ "$lw" == "$repo/target/"* ]] && git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  git_head=$(git -C "$repo" log -1 --format='%h "%s"' 2>/dev/null || true)
fi

# The timing is done by python3: it starts each run, waits for it with wait4 (wall time,
# CPU time, peak RSS of that run alone) and counts the findings. Commands and paths are
# passed as NUL-separated words in files, so no quoting can go wrong.
printf '%s\0' "${lw_cmd[@]}" >"$out/loopwarden.cmd"
printf '%s\0' "${ruff_cmd[@]}" >"$out/ruff.cmd"
printf '%s\0' "${paths[@]}" >"$out/paths"
printf '%s\0' "${edit_paths[@]+"${edit_paths[@]}"}" >"$out/edit-paths"

status=0
"$python" "$kit/compare.py" "$out" "$work" "$runs" "$modes" "${LW_BUSY_LOAD:-0.5}" \
  "$lw_version" "ruff $ruff_version" "$corpus_note" "$git_head" "${LW_EXTRA_ARGS:-}" \
  "$lw_no_cache" "$lw_cache_dir" "${LW_EDIT_FILE:-}" || status=$?
exit "$status"
