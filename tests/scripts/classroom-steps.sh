#!/usr/bin/env bash
# Runs the commands of the generated Classroom workflow's steps, in order,
# the way GitHub runs them, on a scratch copy of the committed course where
# the first two exercises (of `cargo run -- dev ids`) are solved and the
# third does not compile; prints each step's time and the points each
# exercise earns.
#
#   tests/scripts/classroom-steps.sh [WORK_DIR]
#
# Run twice with the same WORK_DIR: the first run is cold (empty target/),
# the second warm the way Swatinem/rust-cache leaves it (the dependencies'
# builds kept, the course's own crates cleaned). Nothing outside WORK_DIR
# is touched but the repository's own target/ (its checker lists the
# copy's exercises, so that the copy's measured builds start cold); the copy
# is made from HEAD (commit first). Each step's output is kept in
# WORK_DIR/logs/.
set -uo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=${1:-/tmp/classroom-steps}
mkdir -p "$work"
copy="$work/course"
if [ -d "$copy/target" ]; then
  state=warm
  # What rust-cache keeps: dependencies only, not the workspace's crates.
  members=$(cd "$copy" && cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json,sys; print(" ".join("-p "+p["name"] for p in json.load(sys.stdin)["packages"]))')
  (cd "$copy" && cargo clean $members -q)
  mv "$copy/target" "$work/target.keep"
  rm -rf "$copy"
else
  state=cold
fi
mkdir -p "$copy"
git -C "$repo" archive HEAD | tar -x -C "$copy"
[ -d "$work/target.keep" ] && mv "$work/target.keep" "$copy/target"
cd "$copy" || exit 1
# The copy's exercises, listed by the repository's checker (built in the
# repository's target/, not the copy's, whose builds are measured).
ids=$(cargo run -q --manifest-path "$repo/Cargo.toml" -p checker -- dev ids) &&
  [ -n "$ids" ] || { echo "FAIL: cargo run -- dev ids listed no exercise"; exit 1; }
# shellcheck disable=SC2086
set -- $ids
# The first two solved, the third does not compile (as far as the course has
# exercises).
for id in "${@:1:2}"; do cp "solutions/$id.rs" exercises/"$id"-*/src/lib.rs; done
if [ $# -ge 3 ]; then printf '\npub fn broken( {\n' >> exercises/"$3"-*/src/lib.rs; fi
set --
# Wall time, and CPU time (user + system, of every process the step ran),
# which a loaded machine changes much less than wall time.
TIMEFORMAT='%R %U %S'
cpu_total=0
step() { # name, command...
  local name=$1; shift
  mkdir -p "$work/logs"
  local rc times
  times=$( { time "$@" > "$work/logs/${name%% *}.log" 2>&1; } 2>&1 ); rc=$?
  # shellcheck disable=SC2086
  set -- $times
  local cpu; cpu=$(echo "$2 + $3" | bc)
  cpu_total=$(echo "$cpu_total + $cpu" | bc)
  printf '%-44s rc=%-3s %6.0f s wall %6.0f s CPU\n' "$name" "$rc" "$1" "$cpu"
  return $rc
}
echo "== $state run, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
total0=$SECONDS
pkgs=""; for id in $ids; do pkgs="$pkgs -p $id"; done
# continue-on-error: true
step "Build the graded suites" cargo build --tests --keep-going $pkgs
earned=0
for id in $ids; do # if: !cancelled()
  if step "$id (cargo test -p $id)" timeout 180 cargo test -p "$id"; then
    points=$(awk -v id="$id" '$0 ~ "^id = \""id"\"" {f=1} f && /^points = / {print $3; exit}' course.toml)
    earned=$((earned + points))
    echo "    $id: $points points"
  fi
done
step "Course report (JSON)" cargo run --quiet -- report --format json --student ada -o target/report.json
if [ -s target/report.json ]; then
  echo "Upload the course report: target/report.json ($(wc -c < target/report.json) bytes)"
else
  echo "Upload the course report: NO FILE"
fi
step "Course summary" cargo run --quiet -- report --format markdown
echo "points earned: $earned; whole $state run: $((SECONDS - total0)) s wall, $cpu_total s CPU"
