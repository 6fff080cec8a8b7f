#!/usr/bin/env bash
# What a student's first commands cost, measured the way a student has them:
# a fresh clone of the committed course, cargo's default target/ (empty), the
# crates already downloaded in ~/.cargo. Prints the figures the README quotes,
# each with its command, and the machine's load (the figures mean little on a
# busy machine: measure on an idle one).
#
#   1. `cargo build -p checker` on an empty target/ (the baseline);
#   2. the first `cargo run` on an empty target/: FAILS if it costs more than
#      the baseline plus 10 % of CPU time (it must build the checker alone;
#      CPU time, since wall time on a shared machine measures the others'
#      load) or if any exercise is not "not started";
#   3. the first `cargo test -p <id>` after it (<id> the first exercise of
#      `cargo run -- dev ids`);
#   4. the first `cargo doc -p <id> --no-deps` (what `--open` waits for).
#
# Usage: tests/scripts/first-run.sh [WORK_DIR]   (default: a temporary folder)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
clone="$work/clone"
unset CARGO_TARGET_DIR CHECKER_TARGET_DIR CHECKER_SCRATCH
rm -rf "$clone"
git clone --quiet "$repo" "$clone"
cd "$clone"

now_ms() { date +%s%3N; }
# Runs a command, prints its wall and CPU time; its output goes to
# $work/last.out and $work/last.err. Sets $ms to the wall time, $cpu to the
# CPU time (of cargo and every compiler it ran).
# With --tests-may-fail first, failing tests are expected (the stub fails
# its suite), but a failed build is not.
timed() {
    local may_fail=no
    if [ "$1" = --tests-may-fail ]; then
        may_fail=yes
        shift
    fi
    local label=$1
    shift
    local start
    start=$(now_ms)
    /usr/bin/time -f '%U %S' -o "$work/last.time" "$@" >"$work/last.out" 2>"$work/last.err" || {
        if [ "$may_fail" = no ] || ! grep -q "test result:" "$work/last.out"; then
            echo "FAIL: $label failed:"
            tail -20 "$work/last.err"
            exit 1
        fi
    }
    ms=$(($(now_ms) - start))
    # (after a failure, time's first line says so: the figures are last)
    cpu=$(tail -1 "$work/last.time" | awk '{ printf "%.0f", ($1 + $2) * 1000 }')
    printf '%-44s %7d ms wall %7d ms CPU\n' "$label" "$ms" "$cpu"
}

echo "machine: $(nproc) cores, load average:$(uptime | sed 's/.*load average://')"
echo "rustc: $(rustc -V)"
cargo fetch --quiet

timed "cargo build -p checker (empty target/)" cargo build -p checker
baseline=$cpu
rm -rf target

timed "cargo run (first, empty target/)" cargo run
first=$cpu
table="$work/last.out"
# The course's exercises (after the measured run, which built the checker).
ids=$(cargo run -q -- dev ids)
exercises=0 not_started=0
for id in $ids; do
    exercises=$((exercises + 1))
    # A table row: its number, the id, the title, the status.
    if grep -qE "^[0-9]+ +$id .* not started " "$table"; then
        not_started=$((not_started + 1))
    fi
done
if [ "$exercises" -eq 0 ] || [ "$exercises" -ne "$not_started" ]; then
    echo "FAIL: the first cargo run must show every exercise ($(echo $ids)) not started:"
    cat "$table"
    exit 1
fi
echo "  $not_started of $exercises exercises shown, every one not started"

set -- $ids
id=$1
timed --tests-may-fail "cargo test -p $id (first, after cargo run)" cargo test -p "$id"
timed "cargo doc -p $id --no-deps (first)" cargo doc -p "$id" --no-deps

echo "machine after: load average:$(uptime | sed 's/.*load average://')"
limit=$((baseline * 110 / 100))
if [ "$first" -gt "$limit" ]; then
    echo "FAIL: the first cargo run took $first ms of CPU, more than cargo build -p checker ($baseline ms) plus 10 % ($limit ms)"
    exit 1
fi
echo "ok: the first cargo run took $first ms of CPU, within cargo build -p checker ($baseline ms) plus 10 %"
