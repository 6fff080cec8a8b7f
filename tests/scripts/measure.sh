#!/usr/bin/env bash
# Measures the graders and the reference solutions (for course authors):
#   1. soak: every reference suite RUNS times in a row, one core kept busy;
#   2. the student's loop on a fresh clone (tests/scripts/student-loop.sh):
#      cold build, switching, a re-run with a hang, warm edit -> verdict;
#   3. benchmarks of the references: ex05's speed-up on all cores, ex04 and
#      ex03 against the ideal (release builds, on a copy of the committed
#      course).
# Your exercise files are never touched.
# Usage: tests/scripts/measure.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
ids=$(cargo run -q -- dev ids)

echo "== soak: $runs runs per reference suite, one core busy"
cargo run -q -- dev soak --runs "$runs"

echo
tests/scripts/student-loop.sh

echo
echo "== benchmarks of the reference solutions (release build)"
copy=$(mktemp -d)
bench_target="$PWD/target/bench"
trap 'rm -rf "$copy"' EXIT
git archive HEAD | tar -x -C "$copy"
for id in $ids; do
    if grep -q '^\[\[bench\]\]' "$copy"/exercises/"$id"-*/Cargo.toml; then
        cp "$copy"/solutions/"$id".rs "$copy"/exercises/"$id"-*/src/lib.rs
        (cd "$copy" && CARGO_TARGET_DIR="$bench_target" cargo bench -q -p "$id" 2>/dev/null)
    fi
done
