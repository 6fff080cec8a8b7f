//! `checker verify`: proves the graders honest. On a scratch copy, every
//! untouched stub must fail every test, every reference solution must pass
//! every test, and every catalogued mistake must fail the test it names with
//! the diagnosis it names.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::candidates::{self, Candidate, Expect};
use crate::cargo_build;
use crate::check::{self, Status};
use crate::libtest::{Outcome, TestResult};
use crate::manifest::{Course, Exercise};
use crate::run;
use crate::scratch::Scratch;

/// Wall time within which a catalogued mistake's suite must have failed.
const MISTAKE_BUDGET: Duration = Duration::from_secs(30);

pub struct Options {
    pub only: Vec<String>,
    /// Real time one suite may run before it is killed.
    pub limit: Duration,
    /// Cargo target folder for the scratch copy (default: its own, under
    /// `target/verify/`).
    pub target_dir: Option<PathBuf>,
    /// Name of the scratch copy under `target/`.
    pub scratch: String,
}

/// One row of the report.
struct Row {
    exercise: String,
    label: String,
    expected: String,
    ok: bool,
    detail: String,
}

/// A candidate waiting to run: its built test binary, or why there is none.
pub struct Prepared<'a> {
    pub exercise: &'a Exercise,
    pub candidate: Candidate,
    pub binary: Result<PathBuf, String>,
}

/// Runs the proof and prints its table. Returns whether every row held.
pub fn verify(course: &Course, options: &Options) -> Result<bool> {
    let exercises = course.select(&options.only)?;
    let mut rows = Vec::new();
    let mut plans: Vec<(&Exercise, Vec<Candidate>)> = Vec::new();
    for exercise in exercises {
        match plan(course, exercise) {
            Ok(list) => {
                rows.extend(catalogue(exercise, &list));
                plans.push((exercise, list));
            }
            Err(e) => rows.push(Row {
                exercise: exercise.id.clone(),
                label: "setup".into(),
                expected: "files in place".into(),
                ok: false,
                detail: format!("{e:#}"),
            }),
        }
    }
    let started = Instant::now();
    let scratch = Scratch::sync(
        &course.root,
        &options.scratch,
        options.target_dir.as_deref(),
    )?;
    let prepared = build_all(course, &scratch, &plans)?;
    eprintln!(
        "built {} candidates in {:.0} s; running their suites one at a time…",
        prepared.len(),
        started.elapsed().as_secs_f64()
    );
    let widths = Widths {
        label: prepared
            .iter()
            .map(|p| p.candidate.label.len())
            .chain([9])
            .max()
            .unwrap_or(9),
        expected: prepared
            .iter()
            .map(|p| expectation(&p.candidate.expect).len())
            .chain([14])
            .max()
            .unwrap_or(14),
    };
    print_header(&widths);
    for row in &rows {
        print_row(row, &widths);
    }
    for p in prepared {
        let row = judge(&scratch, p, options.limit);
        print_row(&row, &widths);
        rows.push(row);
    }
    let misses = rows.iter().filter(|r| !r.ok).count();
    println!();
    if misses == 0 {
        println!(
            "verify: all {} checks hold ({:.0} s).",
            rows.len(),
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("verify: {misses} of {} checks FAILED.", rows.len());
    }
    Ok(misses == 0)
}

/// What a student needs besides a grader: hints, and at least one known
/// mistake proving the grader rejects something. A row only when lacking.
fn catalogue(exercise: &Exercise, list: &[Candidate]) -> Option<Row> {
    let mut missing = Vec::new();
    if exercise.hints.is_empty() {
        missing.push("no hints in course.toml (add `hints = [...]`)".to_string());
    }
    if !list
        .iter()
        .any(|c| matches!(c.expect, Expect::Rejects { .. }))
    {
        missing.push(format!(
            "no catalogued mistake (add solutions/mistakes/{}-<what>.rs)",
            exercise.id
        ));
    }
    (!missing.is_empty()).then(|| Row {
        exercise: exercise.id.clone(),
        label: "catalogue".into(),
        expected: "hints, mistakes".into(),
        ok: false,
        detail: missing.join("; "),
    })
}

/// Checks an exercise's files and lists its candidates.
fn plan(course: &Course, exercise: &Exercise) -> Result<Vec<Candidate>> {
    for (what, path) in [
        ("exercise folder", exercise.path.clone()),
        ("graded suite", exercise.suite()),
    ] {
        if !course.root.join(&path).exists() {
            anyhow::bail!("the {what} {} is missing", path.display());
        }
    }
    candidates::for_exercise(&course.root, exercise)
}

/// Builds every candidate's test binary. Round k swaps candidate k of each
/// exercise into the scratch copy; one cargo call builds the whole round.
pub fn build_all<'a>(
    course: &Course,
    scratch: &Scratch,
    plans: &[(&'a Exercise, Vec<Candidate>)],
) -> Result<Vec<Prepared<'a>>> {
    let rounds = plans.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let mut prepared = Vec::new();
    for round in 0..rounds {
        let mut ids = Vec::new();
        for (exercise, list) in plans {
            if let Some(c) = list.get(round) {
                let content = fs::read(course.root.join(&c.file))
                    .with_context(|| format!("cannot read {}", c.file.display()))?;
                scratch.write_fresh(&exercise.student_file(), &content)?;
                ids.push(exercise.id.as_str());
            }
        }
        eprintln!(
            "building round {} of {rounds}: {}",
            round + 1,
            ids.join(", ")
        );
        let built = cargo_build::build_tests(&scratch.workspace, &scratch.target_dir, &ids)?;
        for (exercise, list) in plans {
            let Some(candidate) = list.get(round) else {
                continue;
            };
            let binary = match built.executables.get(&exercise.id) {
                Some(exe) => {
                    // The next round rebuilds this binary in place: keep a copy.
                    let kept = scratch.bins.join(format!("{}-{round}", exercise.id));
                    fs::copy(exe, &kept)
                        .with_context(|| format!("cannot copy {}", exe.display()))?;
                    Ok(kept)
                }
                None => Err(built
                    .errors
                    .get(&exercise.id)
                    .map(|e| e.rendered.clone())
                    .unwrap_or_else(|| "no test binary was built".into())),
            };
            prepared.push(Prepared {
                exercise,
                candidate: candidate.clone(),
                binary,
            });
        }
    }
    prepared.sort_by_key(|p| {
        plans
            .iter()
            .position(|(e, _)| e.id == p.exercise.id)
            .unwrap_or(usize::MAX)
    });
    Ok(prepared)
}

fn judge(scratch: &Scratch, p: Prepared<'_>, limit: Duration) -> Row {
    let mut row = Row {
        exercise: p.exercise.id.clone(),
        label: p.candidate.label.clone(),
        expected: expectation(&p.candidate.expect),
        ok: false,
        detail: String::new(),
    };
    let binary = match p.binary {
        Ok(b) => b,
        Err(error) => {
            row.detail = format!(
                "{} does not compile:\n{}",
                p.candidate.file.display(),
                first_lines(&error, 6)
            );
            return row;
        }
    };
    let dir = scratch.workspace.join(&p.exercise.path);
    let run = match run::run_suite(&binary, &dir, limit) {
        Ok(run) => run,
        Err(e) => {
            row.detail = format!("{e:#}");
            return row;
        }
    };
    let secs = run.elapsed.as_secs_f64();
    let results = match check::finished_tests(&run) {
        Ok(results) => results,
        Err(Status::TimedOut(after)) => {
            row.detail = format!(
                "the suite was still running after {} s and was killed: a test lacks a watchdog",
                after.as_secs()
            );
            return row;
        }
        Err(status) => {
            let reason = match status {
                Status::Crashed(reason) => reason,
                other => format!("{other:?}"),
            };
            row.detail = format!(
                "the suite crashed before reporting every test: {reason}\n{}",
                first_lines(&run.stderr, 4)
            );
            return row;
        }
    };
    let total = results.len();
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let (passed, failed) = (count(Outcome::Passed), count(Outcome::Failed));
    (row.ok, row.detail) = match &p.candidate.expect {
        Expect::AllFail if failed == total => {
            (true, format!("{failed}/{total} fail ({secs:.1} s)"))
        }
        Expect::AllFail => (
            false,
            format!(
                "{} of {total} tests do not fail on the untouched stub, so they test nothing: {}",
                total - failed,
                names(&results, |r| r.outcome != Outcome::Failed)
            ),
        ),
        Expect::AllPass if passed == total => {
            (true, format!("{passed}/{total} pass ({secs:.1} s)"))
        }
        Expect::AllPass => (
            false,
            format!(
                "{} of {total} tests do not pass: {}\n{}",
                total - passed,
                names(&results, |r| r.outcome != Outcome::Passed),
                results
                    .iter()
                    .find(|r| r.outcome == Outcome::Failed)
                    .map(|r| first_lines(&r.message, 6))
                    .unwrap_or_default()
            ),
        ),
        Expect::Rejects { test, message } => match results.iter().find(|r| &r.name == test) {
            None => (
                false,
                format!(
                    "{} names the test `{test}`, which the suite does not have (its tests: {})",
                    p.candidate.file.display(),
                    names(&results, |_| true)
                ),
            ),
            Some(r) if r.outcome != Outcome::Failed => {
                (false, format!("`{test}` does not fail on this mistake"))
            }
            Some(r) if !r.message.contains(message.as_str()) => (
                false,
                format!(
                    "`{test}` fails, but its message does not contain \"{message}\":\n{}",
                    first_lines(&r.message, 6)
                ),
            ),
            Some(_) if run.elapsed > MISTAKE_BUDGET => (
                false,
                format!(
                    "rejected, but only after {secs:.1} s: a student waits at most {} s for a \
                     verdict, so a watchdog or a wait in the suite is too long",
                    MISTAKE_BUDGET.as_secs()
                ),
            ),
            Some(_) => (
                true,
                format!("rejected, {failed}/{total} fail ({secs:.1} s)"),
            ),
        },
    };
    row
}

fn names(results: &[TestResult], keep: impl Fn(&TestResult) -> bool) -> String {
    let list: Vec<&str> = results
        .iter()
        .filter(|r| keep(r))
        .map(|r| r.name.as_str())
        .collect();
    list.join(", ")
}

fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.trim().lines().take(n).collect();
    lines.join("\n")
}

fn expectation(expect: &Expect) -> String {
    match expect {
        Expect::AllFail => "every test fails".to_string(),
        Expect::AllPass => "every test passes".to_string(),
        Expect::Rejects { test, .. } => format!("{test} fails"),
    }
}

/// Column widths, from the longest label and expectation.
struct Widths {
    label: usize,
    expected: usize,
}

fn print_header(w: &Widths) {
    println!(
        "{:<6} {:<lw$} {:<ew$} result",
        "exer.",
        "candidate",
        "expected",
        lw = w.label,
        ew = w.expected
    );
}

fn print_row(row: &Row, w: &Widths) {
    let verdict = if row.ok { "ok  " } else { "MISS" };
    let mut detail = row.detail.lines();
    println!(
        "{:<6} {:<lw$} {:<ew$} {verdict} {}",
        row.exercise,
        row.label,
        row.expected,
        detail.next().unwrap_or(""),
        lw = w.label,
        ew = w.expected
    );
    for line in detail {
        println!("{:>8}{line}", "");
    }
}
