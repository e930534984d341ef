#!/usr/bin/env bash
# precision.sh — reproduce the precision study of docs/precision.md.
#
# Runs LW501 and LW601 on the benchmark corpus (fetched by scripts/bench/fetch-corpus.sh)
# and prints, per rule, every finding, or a seeded random sample of SAMPLE findings when
# there are more. The verdicts in docs/precision.md are for exactly these rows.
#
# Usage:  scripts/precision.sh            (from the repository root)
#   LOOPWARDEN   the binary to run        (default: target/release/loopwarden, built if missing)
#   LW_CORPUS    the corpus cache          (default: as fetch-corpus.sh: ~/.cache/loopwarden-corpus)
#   SAMPLE       sample size per rule      (default: 50)
#   SEED         sampling seed             (default: 4)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fetch=${LW_FETCH:-$root/scripts/bench/fetch-corpus.sh}
corpus=$("$fetch" --print-root)
[[ -d "$corpus" ]] || { echo "precision: no corpus at $corpus; run $fetch first" >&2; exit 2; }
bin=${LOOPWARDEN:-$root/target/release/loopwarden}
if [[ ! -x "$bin" ]]; then
  (cd "$root" && cargo build --release)
fi
sample=${SAMPLE:-50}
seed=${SEED:-4}

findings=$(mktemp)
trap 'rm -f "$findings"' EXIT
"$bin" check --select LW501,LW601 --output-format json --exit-zero "$corpus" >"$findings"

python3 - "$findings" "$corpus" "$sample" "$seed" <<'PY'
import json, os, random, sys

path, corpus, sample, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
findings = json.load(open(path))
for code in ("LW501", "LW601"):
    rows = sorted(
        (os.path.relpath(f["filename"], corpus), f["location"]["row"], f["location"]["column"], f["message"])
        for f in findings
        if f["code"] == code
    )
    chosen = rows if len(rows) <= sample else sorted(random.Random(seed).sample(rows, sample))
    print(f"## {code}: {len(rows)} findings, {len(chosen)} reviewed (seed {seed})")
    for index, (filename, row, column, message) in enumerate(chosen, 1):
        print(f"{index}\t{filename}:{row}:{column}\t{message}")
    print()
PY
