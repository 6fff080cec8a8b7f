#!/usr/bin/env bash
# Measures the graders and the reference solutions (for course authors):
#   1. soak: every reference suite RUNS times in a row, one core kept busy;
#   2. warm `cargo test -p exNN` after an edit of the student file (build + suite);
#   3. benchmarks: ex05 speed-up on all cores, ex04 and ex03 time against the ideal.
# Works on the checker's scratch copy under target/verify/ with the reference
# solutions in place: your exercise files are never touched.
# Usage: tests/scripts/measure.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
ids=$(sed -n 's/^id = "\(.*\)"/\1/p' course.toml)

echo "== soak: $runs runs per reference suite, one core busy"
cargo run -q -- soak --runs "$runs"

# The soak left the reference solutions in the scratch copy.
scratch=target/verify/course
target=$PWD/target/verify/target

echo
echo "== warm cargo test -p exNN after an edit (build + whole suite)"
for id in $ids; do
    file=$(ls "$scratch"/exercises/"$id"-*/src/lib.rs)
    (cd "$scratch" && cargo test -q -p "$id" --target-dir "$target" >/dev/null 2>&1) || true
    best=""
    for _ in 1 2 3; do
        touch "$file"
        start=$(date +%s%N)
        (cd "$scratch" && cargo test -q -p "$id" --target-dir "$target" >/dev/null 2>&1)
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    printf '%s  %5d ms (best of 3)\n' "$id" "$best"
done

echo
echo "== benchmarks of the reference solutions (release build)"
for id in $ids; do
    if grep -q '^\[\[bench\]\]' "$scratch"/exercises/"$id"-*/Cargo.toml; then
        (cd "$scratch" && cargo bench -q -p "$id" --target-dir "$target" 2>/dev/null)
    fi
done
