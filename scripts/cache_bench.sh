#!/usr/bin/env bash
# Measures the cache (docs/cache.md) on a corpus, alternating with Ruff where Ruff has a
# counterpart: medians of wall time and peak RSS over RUNS runs of each scenario.
#
#   scripts/cache_bench.sh CORPUS [RUNS]
#
# BIN (default target/release/loopwarden) and RUFF (default `ruff` on PATH) name the
# binaries. The corpus is copied to a scratch directory first: the edit scenarios write to
# the copy, never to CORPUS.
#   cold      no cache yet (the run analyses everything and writes the cache), against
#             --no-cache (the same work without writing it)
#   warm      nothing changed since the last run; Ruff's second run with its cache alike
#   comment   one file gained a comment line at its end (its summary and link are re-used)
#   facts     one file gained or lost a blocking function (the project is linked again)
set -euo pipefail

corpus=${1:?usage: scripts/cache_bench.sh CORPUS [RUNS]}
runs=${2:-5}
bin=$(realpath "${BIN:-target/release/loopwarden}")
ruff=${RUFF:-ruff}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$corpus" "$scratch/corpus"
tree=$scratch/corpus
edited=$(grep -rl --include='*.py' '^import time$' "$tree" | sort | sed -n 1p)
blocking=$'\n\ndef _cache_bench_probe():\n    time.sleep(1)\n'
original=$(cat "$edited"; printf x)
original=${original%x}

# Runs "$@" once; appends "seconds kilobytes" to the file named by $1.
measure() {
    local into=$1
    shift
    /usr/bin/time -f '%e %M' -o "$scratch/time" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$scratch/time" >>"$into"
}

median() {
    sort -n -k"$2" "$1" | awk -v col="$2" '{ v[NR] = $col } END { m = int((NR + 1) / 2); print v[m] }'
}

lw=("$bin" check "$tree" --cache-dir "$scratch/lw-cache" --exit-zero -o /dev/null)
rf=("$ruff" check --select ASYNC,RUF006 "$tree" --cache-dir "$scratch/ruff-cache" --exit-zero -q -o /dev/null)

for _ in $(seq "$runs"); do
    rm -rf "$scratch/lw-cache"
    measure "$scratch/cold" "${lw[@]}"
    measure "$scratch/no-cache" "${lw[@]}" --no-cache
done
"${rf[@]}"
for _ in $(seq "$runs"); do
    measure "$scratch/warm" "${lw[@]}"
    measure "$scratch/ruff-warm" "${rf[@]}"
done
for run in $(seq "$runs"); do
    printf '# edit %s\n' "$run" >>"$edited"
    measure "$scratch/comment" "${lw[@]}"
done
printf '%s' "$original" >"$edited"
"${lw[@]}"
for run in $(seq "$runs"); do
    if ((run % 2)); then
        printf '%s%s' "$original" "$blocking" >"$edited"
    else
        printf '%s' "$original" >"$edited"
    fi
    measure "$scratch/facts" "${lw[@]}"
done

echo "corpus: $corpus ($(find "$tree" -name '*.py' | wc -l) .py files), $runs runs each, edited file: ${edited#"$tree"/}"
printf '%-34s %10s %12s\n' scenario "median s" "median RSS"
for scenario in cold no-cache warm ruff-warm comment facts; do
    printf '%-34s %10s %9s MiB\n' "$scenario" "$(median "$scratch/$scenario" 1)" \
        "$(( $(median "$scratch/$scenario" 2) / 1024 ))"
done
