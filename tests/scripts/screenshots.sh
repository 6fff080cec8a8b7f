#!/usr/bin/env bash
# The README's pictures, made from the course itself so they stay true:
#
#   docs/images/timeline.png   what a student sees in `cargo test -p ex04` with
#                              the files read one after another (a catalogued
#                              mistake), drawn by the grader
#   docs/images/class.png      `checker class --format html` for a small class
#   docs/images/student.png    `checker report --format html` for one student
#
# Usage: tests/scripts/screenshots.sh      (needs chromium; takes a few minutes)
#
# Each "student" is a copy of the committed course whose files are a mix of
# references, catalogued mistakes and untouched stubs; each copy is graded by
# the checker exactly as a student's clone would be. Nothing in your own
# exercises is read or changed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$browser" ] || { echo "screenshots.sh: needs Chromium (Debian: apt-get install chromium)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$repo/docs/images"
mkdir -p "$out" "$work/reports"
# One target folder for every copy: dependencies are built once.
export CARGO_TARGET_DIR="$repo/target/screenshots"
cargo build --quiet --locked -p checker

shot() { # shot <page.html> <out.png> <width,height>
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size="$3" --screenshot="$2" "file://$1" >/dev/null 2>&1
  echo "wrote $2"
}

# A copy of the committed course with, per exercise, `ref`, `stub` or a mistake.
student() { # student <name> <ex01 ex02 ... ex13 choices>
  local name="$1"; shift
  local dir="$work/$name"
  mkdir -p "$dir"
  git archive HEAD | tar -x -C "$dir"
  local n=0
  for choice in "$@"; do
    n=$((n + 1))
    local id
    id=$(printf 'ex%02d' "$n")
    local file
    file=$(ls -d "$dir"/exercises/"$id"-*)/src/lib.rs
    case "$choice" in
      stub) ;;
      ref) cp "$dir/solutions/$id.rs" "$file" ;;
      *) "$CARGO_TARGET_DIR/debug/checker" dev verify --print "solutions/mistakes/$id-$choice.rs" > "$file" ;;
    esac
  done
}

grade() { # grade <name>
  (cd "$work/$1" && "$CARGO_TARGET_DIR/debug/checker" report --format json --student "$1" \
    -o "$work/reports/$1.json" >/dev/null 2>&1)
  echo "graded $1"
}

#              ex01       ex02 ex03 ex04        ex05        ex06 ex07 ex08 ex09 ex10    ex11 ex12 ex13
student Ada     ref        ref  ref  ref         ref         ref  ref  ref  ref  ref     ref  ref  stub
student Grace   ref        ref  ref  sequential  ref         ref  ref  ref  stub stub    stub stub stub
student Linus   sequential ref  ref  ref         sequential  stub stub stub stub stub    stub stub stub
student Barbara ref        ref  ref  ref         ref         ref  ref  ref  ref  batches ref  stub stub
student Edsger  ref        stub stub stub        stub        stub stub stub stub stub    stub stub stub
student Margaret ref       ref  ref  sequential  ref         ref  ref  ref  ref  ref     stub stub stub
for name in Ada Grace Linus Barbara Edsger Margaret; do grade "$name"; done

"$CARGO_TARGET_DIR/debug/checker" class "$work/reports" --format html -o "$work/class.html"
shot "$work/class.html" "$out/class.png" 1200,1500
(cd "$work/Grace" && "$CARGO_TARGET_DIR/debug/checker" report --format html --student Grace --only ex04 -o "$work/student.html" >/dev/null 2>&1)
shot "$work/student.html" "$out/student.png" 1000,900

# The terminal: `cargo test -p ex04` in Grace's copy, as she would run it.
test=four_workers_read_ten_files_together
(cd "$work/Grace" && cargo test -q -p ex04 -- --exact "$test" 2>&1 || true) \
  | sed -n "/^---- $test stdout ----\$/,/^failures:\$/p" | grep -v '^failures:$' > "$work/terminal.txt"
[ -s "$work/terminal.txt" ] || { echo "screenshots.sh: $test did not fail in Grace's copy" >&2; exit 1; }
{
  echo '<!DOCTYPE html><meta charset="utf-8"><body style="margin:0;background:#1e1e1e">'
  echo '<pre style="margin:0;padding:16px;color:#e6e6e6;font:14px/1.35 monospace;white-space:pre-wrap">'
  sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$work/terminal.txt"
  echo '</pre>'
} > "$work/terminal.html"
lines=$(wc -l < "$work/terminal.txt")
shot "$work/terminal.html" "$out/timeline.png" "900,$((lines * 19 + 60))"
