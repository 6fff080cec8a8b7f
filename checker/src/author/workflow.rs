//! `checker workflow`: the GitHub Classroom workflow, generated from the
//! manifest (one autograding step per exercise, with its points), so it can
//! never drift from `course.toml`. `--check` fails when the committed file is
//! stale; CI runs it, and lints the file with actionlint.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::engine::manifest::Course;

pub fn path() -> PathBuf {
    Path::new(".github").join("workflows").join("classroom.yml")
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}

/// The workflow text for `course`.
pub fn generate(course: &Course) -> String {
    let mut out = String::from(
        "# GitHub Classroom autograding for this course.\n\
         # GENERATED from course.toml by `cargo run -- dev workflow`: do not edit by hand.\n\
         # CI fails when it is stale (`cargo run -- dev workflow --check`) and lints it with actionlint.\n\
         name: Autograding Tests\n\
         \"on\":\n  push:\n  repository_dispatch:\n\
         permissions:\n  checks: write\n  actions: read\n  contents: read\n\
         jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n    \
         if: github.actor != 'github-classroom[bot]'\n    steps:\n      \
         - name: Checkout code\n        uses: actions/checkout@v4\n",
    );
    let packages: Vec<String> = course
        .exercises
        .iter()
        .map(|e| format!("-p {}", e.id))
        .collect();
    // Build once up front, so each exercise's time limit covers only its suite.
    let _ = write!(
        out,
        "      - name: Build the graded suites\n        run: cargo build --tests {}\n",
        packages.join(" ")
    );
    for e in &course.exercises {
        let name = quoted(&format!("{}: {}", e.id, e.title));
        // The grader's timeout is in minutes: the suite's limit plus a rebuild.
        let minutes = e.limit_secs.div_ceil(60) + 2;
        let _ = write!(
            out,
            "      - name: {name}\n        id: {id}\n        \
             uses: classroom-resources/autograding-command-grader@v1\n        with:\n          \
             test-name: {name}\n          setup-command: \"\"\n          \
             command: cargo test -p {id}\n          timeout: {minutes}\n          \
             max-score: {points}\n",
            id = e.id,
            points = e.points,
        );
    }
    let _ = write!(
        out,
        "      - name: Autograding Reporter\n        \
         uses: classroom-resources/autograding-grading-reporter@v1\n        env:\n"
    );
    for e in &course.exercises {
        let _ = writeln!(
            out,
            "          {}_RESULTS: \"${{{{steps.{}.outputs.result}}}}\"",
            e.id.to_uppercase(),
            e.id
        );
    }
    let runners: Vec<&str> = course.exercises.iter().map(|e| e.id.as_str()).collect();
    let _ = write!(
        out,
        "        with:\n          runners: {}\n\
         \x20     - name: Course summary\n        if: always()\n        \
         run: cargo run --quiet -- report --format markdown\n",
        runners.join(",")
    );
    out
}

/// Writes the workflow, or with `check` only compares. Returns whether the
/// file on disk is (now) up to date.
pub fn run(course: &Course, check: bool) -> Result<bool> {
    let file = course.root.join(path());
    let wanted = generate(course);
    let current = fs::read_to_string(&file).ok();
    if check {
        return Ok(current.as_deref() == Some(wanted.as_str()));
    }
    if current.as_deref() != Some(wanted.as_str()) {
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        fs::write(&file, wanted).with_context(|| format!("cannot write {}", file.display()))?;
    }
    Ok(true)
}
