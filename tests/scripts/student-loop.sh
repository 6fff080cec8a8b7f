#!/usr/bin/env bash
# The student's loop, measured the way a student has it: a fresh clone of the
# committed course with cargo's default target/ (no CARGO_TARGET_DIR).
#
#   1. the first `cargo run` (cold: builds the checker alone, every
#      exercise an untouched stub; tests/scripts/first-run.sh compares it
#      with `cargo build -p checker`);
#   2. the first `cargo test -p <first exercise>` (the exercises'
#      dependencies), then switching between `cargo run` and that
#      `cargo test`, twice, with an
#      edit before each: FAILS if any switch recompiles a dependency;
#   3. a re-run with nothing changed while one exercise hangs (its verdict
#      must be reused: FAILS if it is not; the exercises are the first three
#      of `cargo run -- dev ids`);
#   4. warm edit -> verdict for every exercise (the reference in place, one
#      line appended, `cargo test -p exNN`), best of 5: FAILS if any exceeds
#      its limit (LIMIT_MS below, the one place the limits are set);
#   5. the size of target/.
#
# CI runs it (.ci/run); course authors run it to measure a change.
# Usage: tests/scripts/student-loop.sh [WORK_DIR]   (default: a temporary folder)
set -euo pipefail

# Warm edit -> verdict limits, in ms: every exercise 1.0 s, except those
# listed (the capstone's 10 000 clients take longer).
LIMIT_MS_DEFAULT=1000
declare -A LIMIT_MS=([ex13]=1500)

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
# The student file of exercise $1 (its folder is named `<id>-<slug>`).
student_file() {
    local files=(exercises/"$1"-*/src/lib.rs)
    [ -f "${files[0]}" ] || { echo "FAIL: no student file for $1"; exit 1; }
    echo "${files[0]}"
}

echo "== 1. the first cargo run (cold)"
timed "cargo run (cold)" cargo run
grep -q "Progress:" "$work/last.out" || { echo "FAIL: cargo run showed no table"; cat "$work/last.err"; exit 1; }
# (None when every exercise is an untouched stub: nothing is built. grep -c
# exits 1 on a count of 0, which must not end the script.)
printf '  progress lines shown while piped: %s\n' "$(grep -cE '^checker: ' "$work/last.err" || true)"
# After the cold run, so that the run above is the first build.
ids=$(cargo run -q -- dev ids)
[ -n "$ids" ] || { echo "FAIL: cargo run -- dev ids listed no exercise"; exit 1; }
set -- $ids
first=$1 second=${2:-$1} third=${3:-$1}

echo "== 2. switching between cargo run and cargo test -p $first"
lib=$(student_file "$first")
# The first cargo test compiles the exercises' dependencies (the first cargo
# run built the checker alone); the switches after it must compile none.
timed "cargo test -p $first (first: the exercises' deps)" cargo test -p "$first"
for round in 1 2; do
    echo "// edit $round" >>"$lib"
    timed "cargo test -p $first (after an edit)" cargo test -p "$first"
    no_dependency_compiled "cargo test -p $first"
    timed "cargo run (after cargo test)" cargo run
    no_dependency_compiled "cargo run"
done
git checkout --quiet -- "$lib"

echo "== 3. a re-run with nothing changed, one exercise hanging"
# $first hanging, $second solved, $third not compiling (each state on an
# exercise of its own when the course has three; with fewer, the hang wins).
if [ "$second" != "$first" ]; then
    cp solutions/"$second".rs "$(student_file "$second")"
fi
if [ "$third" != "$first" ] && [ "$third" != "$second" ]; then
    echo "this is not rust" >"$(student_file "$third")"
fi
# The hang: $first's reference with a sleep loop as the first statement of
# every `pub fn` / `pub async fn` body (whatever its API, the suite calls one
# of them). Code after the loop is unreachable: a warning, not an error.
hang_file() {
    awk '
        /^[[:space:]]*pub (async )?fn / { pending = 1 }
        pending && index($0, "{") {
            i = index($0, "{")
            $0 = substr($0, 1, i) " loop { std::thread::sleep(std::time::Duration::from_millis(100)); } " substr($0, i + 1)
            pending = 0
            hung++
        }
        { print }
        END { if (!hung) exit 1 }
    ' "$1"
}
lib=$(student_file "$first")
hang_file solutions/"$first".rs >"$lib.hung" || { echo "FAIL: solutions/$first.rs has no pub fn to hang"; exit 1; }
mv "$lib.hung" "$lib"
timed "cargo run (pays the hang once)" cargo run
timed "cargo run (nothing changed)" cargo run
grep -q "reused" "$work/last.out" || { echo "FAIL: the verdicts were not reused"; cat "$work/last.out"; exit 1; }
git checkout --quiet -- exercises

echo "== 4. warm edit -> verdict, every exercise (reference in place, best of 5)"
over=()
for id in $ids; do
    file=$(student_file "$id")
    cp solutions/"$id".rs "$file"
    cargo test -q -p "$id" >/dev/null 2>&1 || true
    best=""
    for n in 1 2 3 4 5; do
        echo "// edit $n" >>"$file"
        start=$(now_ms)
        cargo test -q -p "$id" >/dev/null 2>&1 || echo "  ($id: the reference failed its suite)"
        ms=$(($(now_ms) - start))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    limit=${LIMIT_MS[$id]:-$LIMIT_MS_DEFAULT}
    verdict=ok
    if [ "$best" -gt "$limit" ]; then
        verdict="OVER the $limit ms limit"
        over+=("$id: $best ms (limit $limit ms)")
    fi
    printf '%-48s %7d ms  %s\n' "cargo test -p $id after an edit" "$best" "$verdict"
    git checkout --quiet -- "$file"
done

echo "== 5. disk"
du -sh target | sed 's/^/  target\/: /'

if [ "${#over[@]}" -gt 0 ]; then
    echo "FAIL: warm edit -> verdict too slow for ${#over[@]} exercise(s):"
    printf '  %s\n' "${over[@]}"
    exit 1
fi
echo "ok: every exercise's warm edit -> verdict within its limit"
