#!/usr/bin/env bash
# The student's loop, measured the way a student has it: a fresh clone of the
# committed course with cargo's default target/ (no CARGO_TARGET_DIR).
#
#   1. the first `cargo run` (cold: builds the checker and every suite);
#   2. switching between `cargo run` and `cargo test -p ex01`, twice, with an
#      edit before each: FAILS if any step recompiles a dependency;
#   3. a re-run with nothing changed while one exercise hangs (its verdict
#      must be reused: FAILS if it is not);
#   4. warm edit -> verdict for every exercise (the reference in place, one
#      line appended, `cargo test -p exNN`), best of 3;
#   5. the size of target/.
#
# CI runs it (.ci/run); course authors run it to measure a change.
# Usage: tests/scripts/student-loop.sh [WORK_DIR]   (default: a temporary folder)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
clone="$work/clone"
unset CARGO_TARGET_DIR CHECKER_TARGET_DIR CHECKER_SCRATCH
rm -rf "$clone"
git clone --quiet "$repo" "$clone"
cd "$clone"

now_ms() { date +%s%3N; }
# Runs a command, prints its time, keeps its stderr in $work/last.err.
timed() {
    local label=$1
    shift
    local start end
    start=$(now_ms)
    "$@" >"$work/last.out" 2>"$work/last.err" || true
    end=$(now_ms)
    printf '%-48s %7d ms\n' "$label" $((end - start))
}
# Fails if the last command compiled anything but the workspace's own crates.
no_dependency_compiled() {
    local deps
    deps=$(grep -E '^ *Compiling ' "$work/last.err" | grep -vE 'Compiling (ex[0-9]+|grading|grading-protocol|checker) v' || true)
    if [ -n "$deps" ]; then
        echo "FAIL: $1 recompiled dependencies:"
        echo "$deps"
        exit 1
    fi
}
ids=$(cargo run -q -- dev ids 2>/dev/null || true)

echo "== 1. the first cargo run (cold)"
timed "cargo run (cold)" cargo run
grep -q "Progress:" "$work/last.out" || { echo "FAIL: cargo run showed no table"; cat "$work/last.err"; exit 1; }
grep -cE '^checker: ' "$work/last.err" | xargs printf '  progress lines shown while piped: %s\n'

echo "== 2. switching between cargo run and cargo test -p ex01"
lib=exercises/ex01-concurrent-sleeps/src/lib.rs
for round in 1 2; do
    echo "// edit $round" >>"$lib"
    timed "cargo test -p ex01 (after an edit)" cargo test -p ex01
    no_dependency_compiled "cargo test -p ex01"
    timed "cargo run (after cargo test)" cargo run
    no_dependency_compiled "cargo run"
done
git checkout --quiet -- "$lib"

echo "== 3. a re-run with nothing changed, one exercise hanging"
cp solutions/ex02.rs exercises/ex02-timeout/src/lib.rs
printf '%s\n' \
    'use std::time::Duration;' \
    '#[allow(clippy::empty_loop)]' \
    'pub async fn sleepy(_name: &str, _delay: Duration) -> String { loop {} }' \
    '#[allow(clippy::empty_loop)]' \
    'pub async fn run_concurrently(_tasks: &[(&str, Duration)]) -> Vec<String> { loop {} }' \
    >"$lib"
echo "this is not rust" >exercises/ex04-file-pool/src/lib.rs
timed "cargo run (pays the hang once)" cargo run
timed "cargo run (nothing changed)" cargo run
grep -q "reused" "$work/last.out" || { echo "FAIL: the verdicts were not reused"; cat "$work/last.out"; exit 1; }
git checkout --quiet -- exercises

echo "== 4. warm edit -> verdict, every exercise (reference in place, best of 3)"
for id in $ids; do
    file=$(ls exercises/"$id"-*/src/lib.rs)
    cp solutions/"$id".rs "$file"
    cargo test -q -p "$id" >/dev/null 2>&1 || true
    best=""
    for n in 1 2 3; do
        echo "// edit $n" >>"$file"
        start=$(now_ms)
        cargo test -q -p "$id" >/dev/null 2>&1 || echo "  ($id: the reference failed its suite)"
        ms=$(($(now_ms) - start))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    printf '%-48s %7d ms\n' "cargo test -p $id after an edit" "$best"
    git checkout --quiet -- "$file"
done

echo "== 5. disk"
du -sh target | sed 's/^/  target\/: /'
