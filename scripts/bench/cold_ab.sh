#!/usr/bin/env bash
# cold_ab.sh — cold runs of several loopwarden builds and Ruff, in turn, on the corpus.
#
# Usage:  cold_ab.sh RUNS BIN...
# Each round runs every BIN (`check --no-cache --output-format json`), then Ruff
# (`--select ASYNC,RUF006 --no-cache --isolated`), under GNU time, both with --exit-zero
# (a run with findings is no failure here); it prints, per tool, the median wall and CPU
# (user+system) time, the ratio of the median wall to Ruff's, the largest peak RSS and
# every wall time. Comparing builds in one alternating run is how a change is measured on
# a noisy machine: drift hits every build alike.
# Environment: LW_CORPUS (default $HOME/.cache/loopwarden-corpus), and LW_RUFF and PYTHON
# as pinned_ruff.sh reads them.
set -euo pipefail
runs=${1:?usage: cold_ab.sh RUNS BIN...}
shift
(($# > 0)) || { echo "usage: cold_ab.sh RUNS BIN..." >&2; exit 2; }
cache=${LW_CORPUS:-$HOME/.cache/loopwarden-corpus}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ruff=$(LW_CORPUS=$cache "$here/pinned_ruff.sh") || exit 2
[[ -d $cache/src ]] || { echo "cold_ab: no corpus in $cache/src (run fetch-corpus.sh)" >&2; exit 2; }
for ((i = 1; i <= runs; i++)); do
  for bin in "$@"; do
    /usr/bin/time -f "$bin %e %U %S %M" "$bin" check "$cache/src" --no-cache --exit-zero -q \
      --output-format json 2>&1 >/dev/null | tail -n 1
  done
  /usr/bin/time -f "ruff %e %U %S %M" "$ruff" check --no-cache --exit-zero --isolated \
    --select ASYNC,RUF006 --output-format json "$cache/src" 2>&1 >/dev/null | tail -n 1
done | python3 -c '
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in sys.stdin:
    name, wall, user, system, rss = line.rsplit(maxsplit=4)
    runs[name].append((float(wall), float(user) + float(system), int(rss)))
ruff = statistics.median(wall for wall, _, _ in runs["ruff"])
for name, measured in runs.items():
    wall = statistics.median(m[0] for m in measured)
    cpu = statistics.median(m[1] for m in measured)
    rss = max(m[2] for m in measured) / 1024
    walls = " ".join(f"{m[0]:.2f}" for m in sorted(measured))
    print(f"{name}: wall {wall:.2f} s ({wall / ruff:.2f}x Ruff), CPU {cpu:.2f} s, peak RSS {rss:.1f} MiB; walls {walls}")
'
