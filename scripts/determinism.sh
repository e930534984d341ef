#!/usr/bin/env bash
# Checks that loopwarden's JSON output on a directory is the same bytes at 1, 2 and 8
# threads and across repeated runs (without the cache), and through the cache (the run
# that writes it and the run that reads it back), that every run exits 0 or 1 (findings, no
# error), that nothing panicked, and that the output is valid JSON.
#
#   scripts/determinism.sh DIR [LOOPWARDEN_BIN]
#   scripts/determinism.sh "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
set -euo pipefail
dir=${1:?usage: scripts/determinism.sh DIR [LOOPWARDEN_BIN]}
bin=${2:-${LOOPWARDEN_BIN:-target/release/loopwarden}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

runs=()
codes=()
# The last two runs go through a cache: the first writes it, the second reads it.
for threads in 1 2 8 8 1 cached:2 cached:2; do
    n=${#runs[@]}
    out="$work/run$n.json"
    cache=(--no-cache)
    if [[ $threads == cached:* ]]; then
        threads=${threads#cached:}
        cache=(--cache-dir "$work/cache")
    fi
    set +e
    RAYON_NUM_THREADS=$threads "$bin" check --output-format json "${cache[@]}" "$dir" \
        >"$out" 2>"$work/run$n.err"
    code=$?
    set -e
    if ((code > 1)); then
        echo "FAIL: exit $code at $threads threads:" >&2
        head -20 "$work/run$n.err" >&2
        exit 1
    fi
    if grep -q "panicked" "$work/run$n.err"; then
        echo "FAIL: a panic at $threads threads:" >&2
        grep -m5 "panicked" "$work/run$n.err" >&2
        exit 1
    fi
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out" || {
        echo "FAIL: the output at $threads threads is not valid JSON" >&2
        exit 1
    }
    runs+=("$threads:$out")
    codes+=("$code")
done

first=${runs[0]#*:}
for run in "${runs[@]:1}"; do
    if ! cmp -s "$first" "${run#*:}"; then
        echo "FAIL: the output at ${run%%:*} threads differs from the first run (1 thread)" >&2
        diff <(head -c 200000 "$first") <(head -c 200000 "${run#*:}") | head -20 >&2
        exit 1
    fi
done
findings=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$first")
echo "OK: ${#runs[@]} runs (1, 2, 8, 8, 1 threads, then 2 through a cache) byte-identical, exit codes ${codes[*]}, $findings findings, $(wc -c <"$first") bytes of JSON"
