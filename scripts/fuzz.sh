#!/usr/bin/env bash
# Runs the fuzz harness in fuzz/ (cargo-fuzz, libFuzzer; needs a nightly toolchain and
# `cargo install cargo-fuzz`). See docs/fuzzing.md.
#
#   scripts/fuzz.sh                 # each target for 60 s, one after the other
#   scripts/fuzz.sh 1800 check_project   # one target for 30 minutes
#   scripts/fuzz.sh cmin            # minimise fuzz/corpus/* in place (what is committed)
#
# Each run starts from the committed corpus, fuzz/corpus/TARGET, plus seeds made from the
# rule fixtures and the demo service; what it adds goes to fuzz/corpus/TARGET. A failing
# input is written to fuzz/artifacts/TARGET/ and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
targets_all=(check_bytes check_python check_project)

if [[ ${1:-} == cmin ]]; then
    for target in "${targets_all[@]}"; do
        (cd fuzz && cargo +nightly fuzz cmin -O "$target" "corpus/$target" -- -dict=python.dict -rss_limit_mb=4096)
    done
    exit 0
fi

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=("${targets_all[@]}")

# Seeds: every fixture and demo file for the single-file targets; every fixture folder and
# the demo as one project input (`#%% path` lines between modules) for check_project.
seeds=$(realpath -m "${CARGO_TARGET_DIR:-target}/fuzz-seeds")
rm -rf "$seeds"
mkdir -p "$seeds/single" "$seeds/project"
n=0
while IFS= read -r -d '' file; do
    cp "$file" "$seeds/single/seed$((n++))"
done < <(find tests/fixtures examples/demo -name '*.py' -print0 | sort -z)
for project in tests/fixtures/*/ examples/demo/; do
    out="$seeds/project/$(basename "$project")"
    while IFS= read -r -d '' file; do
        printf '#%%%% %s\n' "${file#"$project"}" >>"$out"
        cat "$file" >>"$out"
        echo >>"$out"
    done < <(find "$project" -name '*.py' -print0 | sort -z)
done

for target in "${targets[@]}"; do
    case $target in
        check_project) seed_dir=$seeds/project ;;
        *) seed_dir=$seeds/single ;;
    esac
    mkdir -p "fuzz/corpus/$target"
    echo "== $target for $seconds s"
    (cd fuzz && nice -n 19 cargo +nightly fuzz run -O "$target" "corpus/$target" "$seed_dir" -- \
        -dict=python.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -max_len=65536 -print_final_stats=1)
done
