//! `checker verify`: proves the graders honest. On a scratch copy, every
//! untouched stub must fail every test, every reference solution must pass
//! every test, and every catalogued mistake must fail the test it names with
//! the diagnosis it names.

use std::collections::{BTreeMap, BTreeSet};
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
    /// Real time one suite may run before it is killed (default: the
    /// exercise's `limit_secs`, the limit students have).
    pub limit: Option<Duration>,
    /// Runs of each mistake's suite: a mistake must be rejected every time.
    pub repeat: usize,
    /// Only this mistake (its file stem, e.g. `ex06-join-in-loop`), without
    /// the stub and the reference.
    pub only_mistake: Option<String>,
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
            Ok(mut list) => {
                if let Some(stem) = &options.only_mistake {
                    list.retain(|c| c.file.file_stem().is_some_and(|f| f == stem.as_str()));
                    if list.is_empty() {
                        continue;
                    }
                }
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
    if let Some(stem) = &options.only_mistake {
        if plans.is_empty() {
            anyhow::bail!("no mistake solutions/mistakes/{stem}.rs in the exercises checked");
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
    let mut failing_tests: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut all_tests: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in prepared {
        let limit = options
            .limit
            .unwrap_or(Duration::from_secs(p.exercise.limit_secs));
        let runs = match p.candidate.expect {
            Expect::Rejects { .. } => options.repeat.max(1),
            _ => 1,
        };
        let id = p.exercise.id.clone();
        let judged = judge(&scratch, p, limit, runs);
        if judged.mistake {
            failing_tests
                .entry(id.clone())
                .or_default()
                .extend(judged.failed);
        }
        if !judged.all.is_empty() {
            all_tests.insert(id, judged.all);
        }
        print_row(&judged.row, &widths);
        rows.push(judged.row);
    }
    if options.only_mistake.is_none() && rows.iter().all(|r| r.label != "setup") {
        for (id, tests) in &all_tests {
            let proven = failing_tests.get(id).cloned().unwrap_or_default();
            let unproven: Vec<&str> = tests
                .iter()
                .filter(|t| !proven.contains(*t))
                .map(String::as_str)
                .collect();
            let row = Row {
                exercise: id.clone(),
                label: "every test".into(),
                expected: "fails on a mistake".into(),
                ok: unproven.is_empty(),
                detail: if unproven.is_empty() {
                    format!(
                        "each of the {} tests rejects some catalogued mistake",
                        tests.len()
                    )
                } else {
                    format!(
                        "{} of {} tests reject no catalogued mistake, so nothing shows they can \
                         fail for a reason other than `todo!()`: {}",
                        unproven.len(),
                        tests.len(),
                        unproven.join(", ")
                    )
                },
            };
            print_row(&row, &widths);
            rows.push(row);
        }
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
        ("graded suite", exercise.suite(&course.root)),
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
                let content = c.source(&course.root, exercise)?;
                scratch.write_fresh(&exercise.student_file(), content.as_bytes())?;
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

/// A candidate's row, and which tests failed on it.
struct Judged {
    row: Row,
    /// The candidate is a mistake (its failures prove tests).
    mistake: bool,
    /// Tests that failed in some run.
    failed: Vec<String>,
    /// Every test of the suite, when it ran to its end.
    all: Vec<String>,
}

fn judge(scratch: &Scratch, p: Prepared<'_>, limit: Duration, runs: usize) -> Judged {
    let judged = judge_runs(scratch, &p, limit, runs);
    // Test binaries are large: keep none once judged.
    if let Ok(binary) = &p.binary {
        let _ = fs::remove_file(binary);
    }
    judged
}

fn judge_runs(scratch: &Scratch, p: &Prepared<'_>, limit: Duration, runs: usize) -> Judged {
    let mistake = matches!(p.candidate.expect, Expect::Rejects { .. });
    let mut judged = Judged {
        row: Row {
            exercise: p.exercise.id.clone(),
            label: p.candidate.label.clone(),
            expected: expectation(&p.candidate.expect),
            ok: false,
            detail: String::new(),
        },
        mistake,
        failed: Vec::new(),
        all: Vec::new(),
    };
    let binary = match &p.binary {
        Ok(b) => b.clone(),
        Err(error) => {
            judged.row.detail = format!(
                "{} does not compile:\n{}",
                p.candidate.file.display(),
                first_lines(error, 6)
            );
            return judged;
        }
    };
    let dir = scratch.workspace.join(&p.exercise.path);
    let mut details = Vec::new();
    for run_number in 1..=runs {
        let (ok, detail, results) = judge_run(p, &binary, &dir, limit);
        if let Some(results) = &results {
            judged.all = results.iter().map(|r| r.name.clone()).collect();
            judged.failed.extend(
                results
                    .iter()
                    .filter(|r| r.outcome == Outcome::Failed)
                    .map(|r| r.name.clone()),
            );
        }
        if !ok {
            judged.row.ok = false;
            judged.row.detail = if runs > 1 {
                format!("run {run_number} of {runs}: {detail}")
            } else {
                detail
            };
            return judged;
        }
        details.push(detail);
    }
    judged.row.ok = true;
    judged.row.detail = match details.len() {
        1 => details.remove(0),
        n => format!("{} (every one of {n} runs)", details.remove(0)),
    };
    judged
}

/// One run of a candidate's suite: whether it met the expectation, the
/// detail, and the tests' results when the suite ran to its end.
fn judge_run(
    p: &Prepared<'_>,
    binary: &std::path::Path,
    dir: &std::path::Path,
    limit: Duration,
) -> (bool, String, Option<Vec<TestResult>>) {
    let run = match run::run_suite(binary, dir, limit) {
        Ok(run) => run,
        Err(e) => return (false, format!("{e:#}"), None),
    };
    let secs = run.elapsed.as_secs_f64();
    let results = match check::finished_tests(&run) {
        Ok(results) => results,
        Err(Status::TimedOut(after)) => {
            return (
                false,
                format!(
                    "the suite was still running after {} s and was killed: a test lacks a watchdog",
                    after.as_secs()
                ),
                None,
            );
        }
        Err(status) => {
            let reason = match status {
                Status::Crashed(reason) => reason,
                other => format!("{other:?}"),
            };
            return (
                false,
                format!(
                    "the suite crashed before reporting every test: {reason}\n{}",
                    first_lines(&run.stderr, 4)
                ),
                None,
            );
        }
    };
    let total = results.len();
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let (passed, failed) = (count(Outcome::Passed), count(Outcome::Failed));
    let not_started = |r: &TestResult| run.facts.get(&r.name).is_some_and(|f| f.not_started);
    let (ok, detail) = match &p.candidate.expect {
        Expect::AllFail if failed < total => (
            false,
            format!(
                "{} of {total} tests do not fail on the untouched stub, so they test nothing: {}",
                total - failed,
                names(&results, |r| r.outcome != Outcome::Failed)
            ),
        ),
        Expect::AllFail if !results.iter().all(not_started) => (
            false,
            format!(
                "every test fails, but {} do not record that the student's code reached a \
                 `todo!()`, so the checker would say \"failing\" instead of \"not started\": {}. \
                 Call the student's code through `grading::within`, `paused` or `real_clock`, \
                 or explain its panics with `grading::student_panic_message` on the test's thread.",
                results.iter().filter(|r| !not_started(r)).count(),
                names(&results, |r| !not_started(r))
            ),
        ),
        Expect::AllFail => (
            true,
            format!("{failed}/{total} fail, not started ({secs:.1} s)"),
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
    (ok, detail, Some(results))
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
        Expect::AllFail => "every test fails, not started".to_string(),
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

/// The complete student file a mistake stands for (`verify --print`): the
/// reference with the mistake's items laid over it.
pub fn expand(course: &Course, mistake: &std::path::Path) -> Result<String> {
    let stem = mistake
        .file_stem()
        .and_then(|s| s.to_str())
        .context("a mistake file name, e.g. solutions/mistakes/ex06-join-in-loop.rs")?;
    for exercise in &course.exercises {
        if let Some(c) = candidates::for_exercise(&course.root, exercise)?
            .into_iter()
            .find(|c| c.file.file_stem().is_some_and(|f| f == stem))
        {
            return c.source(&course.root, exercise);
        }
    }
    anyhow::bail!("no catalogued mistake is called {stem} (looked in solutions/mistakes/)")
}
