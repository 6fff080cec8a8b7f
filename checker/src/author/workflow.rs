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

/// The artifact every student's run uploads, holding [`REPORT_FILE`]:
/// `class fetch` downloads the newest one by this name.
pub const REPORT_ARTIFACT: &str = "course-report";
/// The JSON report (`report --format json`) inside [`REPORT_ARTIFACT`].
pub const REPORT_FILE: &str = "report.json";

/// Runs a step after earlier steps failed (a broken exercise must cost only
/// its own points), but not once the run is cancelled.
const UNLESS_CANCELLED: &str = "${{ !cancelled() }}";

/// The workflow text for `course`.
///
/// GitHub skips every later step of a job once a step fails, unless the
/// step has an `if:` that says otherwise. So nothing here may stop the
/// grading: the up-front build may fail (`continue-on-error`; an exercise
/// that does not compile then fails its own grading step, worth only its
/// points), and every step after it runs unless the run was cancelled.
pub fn generate(course: &Course) -> String {
    let mut out = String::from(
        "# GitHub Classroom autograding for this course.\n\
         # GENERATED from course.toml by `cargo run -- dev workflow`: do not edit by hand.\n\
         # CI fails when it is stale (`cargo run -- dev workflow --check`) and lints it with actionlint.\n\
         # Each exercise is graded on its own step: one that does not compile costs only its points.\n\
         name: Autograding Tests\n\
         \"on\":\n  push:\n  repository_dispatch:\n\
         permissions:\n  checks: write\n  actions: read\n  contents: read\n\
         jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n    \
         if: github.actor != 'github-classroom[bot]'\n    steps:\n      \
         - name: Checkout code\n        uses: actions/checkout@v4\n",
    );
    // Swatinem/rust-cache keys on Cargo.lock, the toolchain and the
    // workflow, and keeps only the dependencies' builds (not the course's
    // own crates), so a push builds only the exercises and the checker.
    out.push_str(
        "      - name: Cache the dependencies' build (keyed on Cargo.lock and the toolchain)\n        \
         uses: Swatinem/rust-cache@v2\n",
    );
    let packages: Vec<String> = course
        .exercises
        .iter()
        .map(|e| format!("-p {}", e.id))
        .collect();
    // Build up front, so each exercise's time limit covers only its suite.
    // `--keep-going` builds every suite that compiles even when one does not.
    let _ = write!(
        out,
        "      - name: Build the graded suites (one that does not compile fails only its own step)\n        \
         continue-on-error: true\n        \
         run: cargo build --tests --keep-going {}\n",
        packages.join(" ")
    );
    for e in &course.exercises {
        let name = quoted(&format!("{}: {}", e.id, e.title));
        // The grader's timeout is in minutes: the suite's limit plus a rebuild.
        let minutes = e.limit_secs.div_ceil(60) + 2;
        let _ = write!(
            out,
            "      - name: {name}\n        id: {id}\n        if: {UNLESS_CANCELLED}\n        \
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
        "      - name: Autograding Reporter\n        if: {UNLESS_CANCELLED}\n        \
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
    let _ = writeln!(
        out,
        "        with:\n          runners: {}",
        runners.join(",")
    );
    // The JSON report for the instructor (`class fetch` collects them). The
    // login goes through the environment, never into the script's text.
    // The checker reuses the grading steps' build and its own verdicts, and
    // the Markdown summary after it reuses this step's verdicts.
    let _ = write!(
        out,
        "      - name: Course report (JSON, for the instructor)\n        if: {UNLESS_CANCELLED}\n        \
         env:\n          STUDENT: ${{{{ github.actor }}}}\n        \
         run: cargo run --quiet -- report --format json --student \"$STUDENT\" -o target/{REPORT_FILE}\n\
         \x20     - name: Upload the course report\n        if: always()\n        \
         uses: actions/upload-artifact@v4\n        with:\n          \
         name: {REPORT_ARTIFACT}\n          path: target/{REPORT_FILE}\n          \
         if-no-files-found: warn\n          overwrite: true\n\
         \x20     - name: Course summary\n        if: always()\n        \
         run: cargo run --quiet -- report --format markdown\n"
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
