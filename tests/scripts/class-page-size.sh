#!/usr/bin/env bash
# How big the class dashboard gets: N students (default 200), each a copy of
# the checked-in report fixture under another name, rolled up by
# `checker class --format html`. Prints the page's size, plain and gzipped,
# and how long the roll-up took.
#
# Usage: tests/scripts/class-page-size.sh [N]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/reports"
fixture="$repo/checker/tests/fixtures/report-v3.json"
for i in $(seq -w 1 "$n"); do
  sed "s/\"student\": *\"[^\"]*\"/\"student\": \"Student $i\"/" "$fixture" > "$work/reports/s$i.json"
done
cd "$repo"
cargo build --quiet --locked -p checker
start=$(date +%s.%N)
target/debug/checker class "$work/reports" --format html -o "$work/class.html"
end=$(date +%s.%N)
echo "$n students: $(wc -c < "$work/class.html") bytes, $(gzip -c "$work/class.html" | wc -c) gzipped, rolled up in $(echo "$end - $start" | bc) s"
